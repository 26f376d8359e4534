#!/usr/bin/env bash
# Chapter 06's own excerpts, run by `make chapter6-profile` (common/scripts/profile.sh):
#
#   branches.txt  callgrind's branch simulation (--branch-sim=yes) of every variant and case
#                 at the count size, timed section only: instructions, conditional and
#                 indirect branches per record, and how many of them its simulated predictor
#                 missed. The harness counts instructions with callgrind but simulates no
#                 branches, and this machine has no PMU to count real misses, so the lesson
#                 runs the simulation itself.
#   layout.txt    where GCC put the error path: the section and size of report() and of
#                 main's cold part in the lazy and optimized object files, and the calls and
#                 jumps of the timed loop in both binaries.
#
# usage: profile-extra.sh build/<dir>/lesson.spec OUTDIR
set -euo pipefail

if [ $# -ne 2 ]; then
	echo "usage: profile-extra.sh build/<dir>/lesson.spec OUTDIR" >&2
	exit 2
fi
spec=$1
out=$2
# The spec is key='value' lines written by make (common/mk/lesson-rules.mk).
# shellcheck disable=SC1090
. "$spec"

spec_get() {
	local name=$1
	printf '%s' "${!name-}"
}

cases=$(spec_get cases)
variants=$(spec_get variants)
args_count=$(spec_get args_count)
args_count=${args_count:-$(spec_get args_small)}
objdir=$(spec_get build)
for tool in valgrind objdump timeout awk; do
	command -v "$tool" >/dev/null || {
		echo "profile-extra: $tool is not installed" >&2
		exit 2
	}
done

mkdir -p "$out"
work=$(mktemp -d "$out/.extra.XXXXXX")
trap 'rm -rf "$work"' EXIT

# ------------------------------------------------------------------ branches

# branch_row CASE VARIANT: one line of the table, the counts per record.
branch_row() {
	local c=$1 v=$2 bin rc=0
	local -a argv
	bin=$(spec_get "bin_$v")
	read -r -a argv <<<"$args_count $(spec_get "case_$c") --seed 1"
	echo "profile-extra: callgrind --branch-sim=yes $v $c ..." >&2
	HP_REPORT="$work/report" timeout 600 valgrind --tool=callgrind --branch-sim=yes --collect-atstart=no \
		--callgrind-out-file="$work/cg.out" -- "$bin" "${argv[@]}" >/dev/null 2>"$work/vg.err" || rc=$?
	if [ $rc -ne 0 ]; then
		echo "profile-extra: callgrind failed on $v $c (exit $rc):" >&2
		tail -n 5 "$work/vg.err" >&2
		return 1
	fi
	# The records of the timed section, as the variant reported them.
	local ops
	ops=$(sed -n 's/.*"name":"ops","value":\([0-9.e+]*\).*/\1/p' "$work/report" | tail -n 1)
	rm -f "$work/report"
	# "events: Ir Bc Bcm Bi Bim" names the columns of "summary:" (or "totals:").
	awk -v c="$c" -v v="$v" -v ops="${ops:-0}" '
		/^events:/ { for (i = 2; i <= NF; i++) col[$i] = i - 1 }
		/^(summary|totals):/ { for (i = 2; i <= NF; i++) val[i - 1] = $i; found = 1 }
		END {
			if (!found || !("Bc" in col)) { print "no branch counts in the callgrind output" > "/dev/stderr"; exit 1 }
			n = ops > 0 ? ops : 1
			bc = val[col["Bc"]]; bcm = val[col["Bcm"]]; bi = val[col["Bi"]]; bim = val[col["Bim"]]
			printf "%-13s %-10s %9.0f %8.1f %8.2f %7.2f%% %8.1f %8.2f\n", c, v, val[col["Ir"]] / n,
				bc / n, bcm / n, bc ? 100 * bcm / bc : 0, bi / n, bim / n
		}' "$work/cg.out"
	rm -f "$work/cg.out"
}

{
	echo "# callgrind --branch-sim=yes --collect-atstart=no: the timed section only, at the count size"
	echo "# ($args_count --seed 1). Per record: Ir instructions; Bc conditional branches, Bcm of them"
	echo "# mispredicted (and the share); Bi indirect branches (jump tables, calls through pointers),"
	echo "# Bim of them mispredicted. The predictor is callgrind's simulation, not this CPU's."
	echo
	printf "%-13s %-10s %9s %8s %8s %8s %8s %8s\n" case variant Ir Bc Bcm Bcm/Bc Bi Bim
	for c in $cases; do
		for v in $variants; do
			branch_row "$c" "$v"
		done
	done
} >"$work/branches.txt"
mv -f "$work/branches.txt" "$out/branches.txt"

# -------------------------------------------------------------------- layout

# The calls and jumps of main's timed loop, between hp_section_begin and hp_section_end.
# awk reads to the end, so objdump never dies of SIGPIPE (which pipefail would make fatal).
loop_branches() {
	objdump -d --no-show-raw-insn --disassemble=main "$1" |
		awk '/<hp_section_end>/ { go = 0; done = 1 }
		     go && $2 ~ /^(call|j[a-z]+)$/ { sub(/^ +/, ""); gsub(/\t/, "  "); gsub(/ +/, " "); print "  " $0 }
		     /<hp_section_begin>/ && !done { go = 1 }'
}

{
	echo "# Where GCC put the error path (gcc -O2 -g; validate() and the checks are inlined into main)."
	echo "# objdump -t of the object files: the section of each function and its size in bytes."
	echo
	for v in lazy optimized; do
		objdump -t "$objdir/$v.o" |
			awk -v o="$v.o" '
				function hex(s, i, n) {
					for (i = 1; i <= length(s); i++)
						n = n * 16 + index("0123456789abcdef", substr(tolower(s), i, 1)) - 1
					return n
				}
				$NF ~ /^(report|main|main\.cold)$/ && $3 == "F" {
					printf "%-13s %-10s %-15s %5d\n", o, $NF, $4, hex($5) }'
	done
	for v in lazy optimized; do
		echo
		echo "# The timed loop of $v: its calls and jumps (objdump -d --no-show-raw-insn)."
		loop_branches "$(spec_get "bin_$v")"
	done
} >"$work/layout.txt"
mv -f "$work/layout.txt" "$out/layout.txt"
echo "profile-extra: wrote $out/branches.txt and $out/layout.txt" >&2
