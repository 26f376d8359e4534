#!/usr/bin/env bash
# Chapter 08's own excerpts, run by `make chapter8-profile` (common/scripts/profile.sh):
#
#   branches.txt         callgrind's branch simulation (--branch-sim=yes) of every variant and
#                        case at the count size, timed section only, per sample: instructions,
#                        conditional branches and how many of them the simulated predictor
#                        missed, indirect branches (calls through a pointer: qsort's
#                        comparator) and their misses. The harness counts instructions but
#                        simulates no branches, and this machine has no PMU to count real
#                        misses, so the lesson runs the simulation itself.
#   comparator-trap.txt  what comparator-trap.c prints when built with GCC's
#                        -fsanitize=undefined (the sanitizer's messages included), GCC's
#                        -Wsign-conversion warning, and the message clang's
#                        -fsanitize=implicit-conversion adds for the uint32_t comparator,
#                        which UBSan does not flag.
#
# usage: profile-extra.sh build/<lesson>/lesson.spec OUTDIR
#
# The spec, sourced below, assigns dir, build, variants, cases, args_count, args_small,
# case_<case> and bin_<variant>.
# shellcheck disable=SC2154
set -euo pipefail

die() {
	echo "profile-extra: $*" >&2
	exit 2
}

[ $# -eq 2 ] || die "usage: profile-extra.sh build/<lesson>/lesson.spec OUTDIR"
spec=$1 out=$2
# shellcheck disable=SC1090
. "$spec"
for tool in valgrind cc awk timeout; do
	command -v "$tool" >/dev/null || die "$tool is not installed (make deps installs it)"
done
args_count=${args_count:-$args_small}
mkdir -p "$out" "$build"
work=$(mktemp -d "$out/.extra.XXXXXX")
trap 'rm -rf "$work"' EXIT

# ------------------------------------------------------------------ branches

# branch_row CASE VARIANT: one line of the table, the counts per sample.
branch_row() {
	local c=$1 v=$2 bin_var=bin_$2 case_var=case_$1 rc=0 ops
	local -a argv
	read -r -a argv <<<"$args_count ${!case_var-} --seed 1"
	echo "profile-extra: callgrind --branch-sim=yes $v $c ..." >&2
	HP_REPORT="$work/report" timeout 600 valgrind --tool=callgrind --branch-sim=yes --collect-atstart=no \
		--callgrind-out-file="$work/cg.out" -- "${!bin_var}" "${argv[@]}" >/dev/null 2>"$work/vg.err" || rc=$?
	if [ $rc -ne 0 ]; then
		tail -n 5 "$work/vg.err" >&2
		die "callgrind failed on $v $c (exit $rc)"
	fi
	# The samples of the timed section, as the variant reported them ("ops").
	ops=$(sed -n 's/.*"name":"ops","value":\([0-9.e+]*\).*/\1/p' "$work/report" | tail -n 1)
	rm -f "$work/report"
	# "events: Ir Bc Bcm Bi Bim" names the columns of the "summary:" or "totals:" line.
	awk -v c="$c" -v v="$v" -v ops="${ops:-0}" '
		/^events:/ { for (i = 2; i <= NF; i++) col[$i] = i - 1 }
		/^(summary|totals):/ { for (i = 2; i <= NF; i++) val[i - 1] = $i; found = 1 }
		END {
			if (!found || !("Bc" in col)) { print "no branch counts in the callgrind output" > "/dev/stderr"; exit 1 }
			n = ops > 0 ? ops : 1
			bc = val[col["Bc"]]; bcm = val[col["Bcm"]]; bi = val[col["Bi"]]; bim = val[col["Bim"]]
			printf "%-14s %-10s %7.1f %7.1f %7.2f %7.1f%% %7.2f %7.2f\n", c, v, val[col["Ir"]] / n,
				bc / n, bcm / n, bc ? 100 * bcm / bc : 0, bi / n, bim / n
		}' "$work/cg.out"
	rm -f "$work/cg.out"
}

{
	echo "# callgrind --branch-sim=yes --collect-atstart=no: the timed section only, at the count size"
	echo "# ($args_count ... --seed 1). Per sample: Ir instructions; Bc conditional branches, Bcm of"
	echo "# them mispredicted (and the share); Bi indirect branches (calls through a pointer, jump"
	echo "# tables), Bim of them mispredicted. The predictor is callgrind's simulation, not this CPU's."
	echo
	printf "%-14s %-10s %7s %7s %7s %8s %7s %7s\n" case variant Ir Bc Bcm Bcm/Bc Bi Bim
	for c in $cases; do
		for v in $variants; do
			branch_row "$c" "$v"
		done
	done
} >"$work/branches.txt"
mv -f "$work/branches.txt" "$out/branches.txt"

# ----------------------------------------------------------- comparator trap

src=$dir/comparator-trap.c
{
	echo "# $src built with: cc -std=c17 -O2 -g -fsanitize=undefined; run, stderr included."
	echo "# Lines that start with the file name are the sanitizer's."
	echo
	cc -std=c17 -O2 -g -fsanitize=undefined "$src" -o "$build/comparator-trap" 2>"$work/cc.err" ||
		{ cat "$work/cc.err" >&2; die "cannot build $src"; }
	"$build/comparator-trap" 2>&1
	echo
	echo "# GCC at compile time, with -Wsign-conversion (which -Wall and -Wextra do not enable):"
	LC_ALL=C cc -std=c17 -Wsign-conversion -fsyntax-only "$src" 2>&1 | { grep -E 'warning|^ +[0-9]+ \|' || true; }
	echo
	if command -v clang >/dev/null; then
		echo "# The same file built with: clang -std=c17 -O2 -g -fsanitize=implicit-conversion;"
		echo "# its runtime errors only (it reports each place once):"
		clang -std=c17 -O2 -g -fsanitize=implicit-conversion "$src" -o "$build/comparator-trap-clang" \
			2>"$work/cc.err" || { cat "$work/cc.err" >&2; die "clang cannot build $src"; }
		"$build/comparator-trap-clang" 2>&1 >/dev/null | { grep 'runtime error' || true; }
	else
		echo "# clang is not installed: no run with -fsanitize=implicit-conversion."
	fi
} >"$work/comparator-trap.txt"
mv -f "$work/comparator-trap.txt" "$out/comparator-trap.txt"
echo "profile-extra: wrote $out/branches.txt and $out/comparator-trap.txt" >&2
