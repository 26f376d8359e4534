#!/usr/bin/env bash
# The extra excerpt of chapter 09, run by `make chapter9-profile` after the
# massif runs: the peak snapshot of every variant and case side by side, so
# the page can compare the bytes the program asked for with what malloc adds
# to them (massif's extra-heap: a header per block and the rounding of its
# size).
#
# usage: profile-extra.sh build/<lesson>/lesson.spec OUTDIR
# writes OUTDIR/massif-peaks.txt, quoted by <!-- hp:excerpt massif-peaks -->.
set -euo pipefail

if [ $# -ne 2 ]; then
	echo "usage: profile-extra.sh build/<lesson>/lesson.spec OUTDIR" >&2
	exit 2
fi
spec=$1 out=$2
# shellcheck disable=SC1090
. "$spec"
# The spec sets args_count, cases and variants.
# shellcheck disable=SC2154
: "${args_count?}" "${cases?}" "${variants?}"

tmp=$(mktemp "$out/.massif-peaks.XXXXXX")
trap 'rm -f "$tmp"' EXIT
{
	echo "# massif --time-unit=B at the count size ($args_count), the peak snapshot of each run:"
	echo "# total = useful (the bytes the program asked malloc for) + extra-heap (a header per block"
	echo "# and the rounding of its size, as massif models glibc's malloc)"
	echo
	printf '%-10s %-10s %12s %12s %14s %7s\n' case variant 'total(B)' 'useful(B)' 'extra-heap(B)' 'extra%'
	for c in $cases; do
		for v in $variants; do
			f=$out/massif-$v-$c.txt
			[ -r "$f" ] || { echo "profile-extra: no $f (the massif run failed?)" >&2; exit 1; }
			# The row under the table header of the peak section: n, time, total, useful, extra, stacks.
			row=$(awk '/^## The peak/ { p = 1; next } p && /^ +n +time\(B\)/ { getline; print; exit }' "$f")
			[ -n "$row" ] || { echo "profile-extra: no peak snapshot in $f" >&2; exit 1; }
			read -r _ _ total useful extra _ <<<"$row"
			pct=$(awk -v t="${total//,/}" -v e="${extra//,/}" 'BEGIN { printf "%.1f", t ? 100 * e / t : 0 }')
			printf '%-10s %-10s %12s %12s %14s %7s\n' "$c" "$v" "$total" "$useful" "$extra" "$pct"
		done
	done
} >"$tmp"
mv -f "$tmp" "$out/massif-peaks.txt"
trap - EXIT
