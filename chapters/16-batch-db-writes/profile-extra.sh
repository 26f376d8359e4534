#!/usr/bin/env bash
# Chapter 16's own excerpts for `make chapter16-profile`:
#
#   strace.txt    strace -f -c of both variants at the count size: the system
#                 calls of the whole process by name; fsync and fdatasync are
#                 the commits reaching the disk (hp-run does not count them);
#   batches.txt   the optimized variant with --batch from 100 to 50000 on
#                 50000 rows: the median time, the commits, the time per row,
#                 the measurement that chose its 10000;
#   on_error.txt  the optimized variant's three answers to a failing row
#                 (--on-error savepoint, replay, statement) at 1, 10 and 100
#                 bad rows in a thousand: what a failing row costs a batch.
#
# With DB=postgres (the spec's args carry --db postgres) the runs go to the
# server in the environment (PG*), which the caller starts; the strace
# counts are then the client's only, and statement is left out (SQLite only).
#
# usage: profile-extra.sh build/<lesson>/lesson.spec OUTDIR
set -euo pipefail

die() {
	echo "profile-extra: $*" >&2
	exit 2
}
[ $# -eq 2 ] || die "usage: profile-extra.sh build/<lesson>/lesson.spec OUTDIR"
spec=$1 out=$2
# shellcheck disable=SC1090
. "$spec"
# shellcheck disable=SC2154
: "${id?}" "${variants?}" "${args_count?}" "${args_default?}"
for tool in strace jq awk sort; do
	command -v "$tool" >/dev/null || die "$tool is not installed"
done
mkdir -p "$out"
# shellcheck source=../../common/scripts/lib/strace.sh
. common/scripts/lib/strace.sh
tmp=build/tmp/$id-extra
rm -rf "$tmp" && mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
db_args=
case " $args_default " in *" --db postgres "*) db_args="--db postgres" ;; esac

# 1. strace -f -c, one column per variant.
for v in $variants; do
	bin_var=bin_$v
	[ -x "${!bin_var}" ] || die "no executable ${!bin_var} (make $id-build builds it)"
	# shellcheck disable=SC2086
	HP_REPORT=/dev/null strace -f -c -o "$tmp/strace-$v.txt" "${!bin_var}" $args_count >/dev/null
done
{
	echo "# strace -f -c at the count size ($args_count): system calls of the whole process, by name,"
	echo "# set-up and read-back included. Calls a variant never made: -"
	echo
	# shellcheck disable=SC2086
	strace_table "$tmp" 16 $variants | head -20
} >"$tmp/strace.txt"
mv -f "$tmp/strace.txt" "$out/strace.txt"

bin_var=bin_${variants##* }
opt_bin=${!bin_var}
# median ARGS...: the median time_ms of $runs runs, and the commits of the last.
median() {
	rm -f "$tmp/m.txt"
	for _ in $(seq "$runs"); do
		rm -f "$tmp/r.jsonl"
		HP_REPORT=$tmp/r.jsonl "$opt_bin" "$@" >/dev/null
		jq -r 'select(.name == "time_ms" or .name == "commits" or .name == "statements_executed")
			| "\(.name) \(.value)"' "$tmp/r.jsonl" >>"$tmp/m.txt"
	done
	t=$(awk '$1 == "time_ms" { print $2 }' "$tmp/m.txt" | sort -g |
		awk '{ a[NR] = $1 } END { printf "%.1f", a[int((NR + 1) / 2)] }')
	c=$(awk '$1 == "commits" { v = $2 } END { print v }' "$tmp/m.txt")
	x=$(awk '$1 == "statements_executed" { v = $2 } END { print v }' "$tmp/m.txt")
}

# 2. The batch size, on 50000 rows.
rows=50000 runs=5
{
	echo "# optimized --batch N on $rows rows ($db_args${db_args:+ }default durability), median of $runs runs"
	echo "# each on this machine: the time of the load, its commits, and the time per row."
	echo
	printf '%8s %12s %8s %12s\n' batch time_ms commits us_per_row
	for b in 100 1000 5000 10000 50000; do
		# shellcheck disable=SC2086
		median --size $rows --batch "$b" $db_args
		printf '%8s %12s %8s %12.1f\n' "$b" "$t" "$c" "$(awk -v t="$t" -v n=$rows 'BEGIN { print t * 1000 / n }')"
	done
} >"$tmp/batches.txt"
mv -f "$tmp/batches.txt" "$out/batches.txt"

# 3. What a failing row costs: the three answers at three rates of bad rows.
rows=20000 runs=3
modes="savepoint replay statement"
[ -z "$db_args" ] || modes="savepoint replay"
{
	echo "# optimized --on-error MODE on $rows rows in batches of 10000, with --reject-permille P bad"
	echo "# rows in a thousand; median time of $runs runs, and the statements executed."
	echo
	printf '%-10s %6s %12s %10s\n' mode P time_ms statements
	for m in $modes; do
		for p in 1 10 100; do
			# shellcheck disable=SC2086
			median --size $rows --on-error "$m" --reject-permille "$p" $db_args
			printf '%-10s %6s %12s %10s\n' "$m" "$p" "$t" "$x"
		done
	done
} >"$tmp/on_error.txt"
mv -f "$tmp/on_error.txt" "$out/on_error.txt"
echo "profile-extra: $out/strace.txt, $out/batches.txt, $out/on_error.txt"
