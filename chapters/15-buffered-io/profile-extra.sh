#!/usr/bin/env bash
# Chapter 15's own excerpts for `make chapter15-profile`:
#
#   strace.txt   strace -c of every variant at the count size: every system
#                call the process made, by name, a cross-check of the
#                syscalls metric (which counts read and write calls only, in
#                the timed section only);
#   buffers.txt  the optimized variant with --buffer-kib from 1 to 4096 at
#                the default size: the median time and the system calls,
#                the measurement that chose its 256 KiB.
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
# The spec sets id, variants, args_count, args_default and bin_<variant>.
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

# 1. strace -c, one column per variant.
for v in $variants; do
	bin_var=bin_$v
	[ -x "${!bin_var}" ] || die "no executable ${!bin_var} (make $id-build builds it)"
	# shellcheck disable=SC2086
	HP_REPORT=/dev/null strace -c -o "$tmp/strace-$v.txt" "${!bin_var}" $args_count >/dev/null
done
{
	echo "# strace -c at the count size ($args_count): system calls of the whole process, by name."
	echo "# The set-up (writing the input file, reading the CSV back for the digest) adds the same"
	echo "# few calls to every variant; the timed section is the rest. Calls a variant never made: -"
	echo
	# shellcheck disable=SC2086
	strace_table "$tmp" 12 $variants
} >"$tmp/strace.txt"
mv -f "$tmp/strace.txt" "$out/strace.txt"

# 2. The buffer size of the optimized variant, at the default size.
bin_var=bin_${variants##* }
runs=7
{
	echo "# optimized --buffer-kib K at the default size ($args_default), $runs runs each on this"
	echo "# machine: median time of the timed section, and its read and write system calls."
	echo
	printf '%12s %12s %10s %14s\n' buffer time_ms syscalls syscalls/MiB
	for kib in 1 4 16 64 256 1024 4096; do
		for _ in $(seq $runs); do
			rm -f "$tmp/r.jsonl"
			# shellcheck disable=SC2086
			HP_REPORT=$tmp/r.jsonl "${!bin_var}" $args_default --buffer-kib "$kib" >/dev/null
			jq -r 'select(.name == "time_ms" or .name == "syscalls" or .name == "syscalls_per_mib")
				| "\(.name) \(.value)"' "$tmp/r.jsonl" >>"$tmp/k$kib.txt"
		done
		t=$(awk '$1 == "time_ms" { print $2 }' "$tmp/k$kib.txt" | sort -g |
			awk '{ a[NR] = $1 } END { printf "%.2f", a[int((NR + 1) / 2)] }')
		s=$(awk '$1 == "syscalls" { print $2; exit }' "$tmp/k$kib.txt")
		m=$(awk '$1 == "syscalls_per_mib" { printf "%.1f", $2; exit }' "$tmp/k$kib.txt")
		printf '%9s KiB %12s %10s %14s\n' "$kib" "$t" "${s:-n/a}" "${m:-n/a}"
	done
} >"$tmp/buffers.txt"
mv -f "$tmp/buffers.txt" "$out/buffers.txt"
echo "profile-extra: $out/strace.txt, $out/buffers.txt"
