#!/usr/bin/env bash
# Chapter 04's own profile excerpts. make chapter4-profile runs it after the
# common profiles, as profile-extra.sh SPEC OUTDIR; the README quotes what it
# writes with <!-- hp:excerpt NAME -->:
#
#   layout.txt              sizeof, alignof and offsetof of every field of the
#                           structs of both variants, with the padding between
#                           them and how they fall into 64-byte lines (layout.c,
#                           built here against each variant's own source)
#   cachesim-V-C.txt        variant V, case C, at the count size under callgrind
#                           with its cache simulator: the simulated caches, the
#                           totals of the timed section, and the lines of V.c
#                           that miss the simulated L1 data cache
# The spec's variables (dir, build, cflags, cases, ...) come from sourcing it.
# shellcheck disable=SC2154
set -euo pipefail

if [ $# -ne 2 ]; then
	echo "usage: profile-extra.sh build/<lesson>/lesson.spec OUTDIR" >&2
	exit 2
fi
spec=$1
out=$2
# shellcheck disable=SC1090
. "$spec"
valgrind_bin=${VALGRIND:-valgrind}
mkdir -p "$build" "$out"
work=$(mktemp -d "$out/.extra.XXXXXX")
trap 'rm -rf "$work"' EXIT

# ---------------------------------------------------------------- layout.txt
for v in naive optimized; do
	# shellcheck disable=SC2086
	$cflags -D_GNU_SOURCE -Icommon/include -I"$dir" -DLAYOUT_"${v^^}" "$dir/layout.c" "$dir/workload.c" \
		build/common/libhp.a -lm -lpthread -o "$build/layout-$v"
done
{
	echo "# sizeof, alignof and offsetof as the compiler sees them: $dir/layout.c, built with"
	echo "# $cflags"
	echo "# The variants allocate their arrays on 64-byte boundaries (line_aligned_array)."
	echo
	"$build/layout-naive"
	"$build/layout-optimized"
} >"$work/layout.txt"
mv -f "$work/layout.txt" "$out/layout.txt"

# ----------------------------------------------------------- cachesim-V-C.txt
# The lines of V.c with more than 100 simulated L1 data misses (read or
# write), from callgrind_annotate's annotated source, as: Ir D1mr D1mw source.
miss_lines() {
	local v=$1
	V=$v perl -ne '
		if (/^-- Auto-annotated source: (.*)$/) { $in = ($1 =~ m{/\Q$ENV{V}\E\.c$}); next }
		next unless $in;
		next unless /^\s*([\d,]+|\.)\s+([\d,]+|\.)\s+([\d,]+|\.)\s\s(.*)$/;
		my ($ir, $r, $w, $src) = ($1, $2, $3, $4);
		next if $src =~ /^=>/ || $src =~ /^events annotated$/;
		(my $rn = $r) =~ s/\D//g;
		(my $wn = $w) =~ s/\D//g;
		next unless ($rn || 0) + ($wn || 0) > 100;
		$src =~ s/^\s+//;
		printf "%12s %10s %8s  %s\n", $ir, $r, $w, $src;
	'
}

for c in $cases; do
	case_var=case_$c
	for v in naive optimized; do
		bin_var=bin_$v
		file="cachesim-$v-$c.txt"
		read -r -a argv <<<"$args_count ${!case_var} --seed 1"
		echo "profile-extra: callgrind --cache-sim=yes $v $c ..."
		HP_REPORT=/dev/null timeout 600 "$valgrind_bin" --tool=callgrind --cache-sim=yes --collect-atstart=no \
			--callgrind-out-file="$work/cg.out" -- "${!bin_var}" "${argv[@]}" >/dev/null 2>"$work/cg.err"
		callgrind_annotate --inclusive=no --auto=yes --show-percs=no --context=0 --threshold=100 \
			--show=Ir,D1mr,D1mw "$work/cg.out" >"$work/annotate.out"
		{
			echo "# callgrind --cache-sim=yes: $v, case $c, count size, timed section only"
			echo "# command: ${!bin_var} ${argv[*]}"
			echo "# The simulated caches (callgrind takes their sizes from what the CPU reports):"
			sed -n 's/^desc: \(D1\|LL\) cache: /#   \1: /p' "$work/cg.out"
			echo "# Events: Ir instructions; D1mr, D1mw L1 data read and write misses; DLmr, DLmw the"
			echo "# same in the last level (LL). No hardware prefetcher, no TLB: see the chapter."
			echo
			# callgrind leaves trailing zero counts out of its summary line.
			awk 'function commas(x, r) { for (r = ""; length(x) > 3; x = substr(x, 1, length(x) - 3))
					r = "," substr(x, length(x) - 2) r; return x r }
				/^events:/ { n = split($0, e, " ") } /^summary:/ { for (i = 2; i <= NF; i++) s[i] = $i }
				END { printf "Totals:"; for (i = 2; i <= n; i++) if (e[i] ~ /^(Ir|D1mr|D1mw|DLmr|DLmw)$/)
					printf "  %s %s", e[i], commas(s[i] == "" ? "0" : s[i]); print "" }' "$work/cg.out"
			echo
			echo "Lines of $v.c with more than 100 L1 data misses:"
			printf "%12s %10s %8s  %s\n" Ir D1mr D1mw source
			miss_lines "$v" <"$work/annotate.out"
		} >"$work/$file"
		mv -f "$work/$file" "$out/$file"
	done
done
