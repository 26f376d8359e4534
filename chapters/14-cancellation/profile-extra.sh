#!/usr/bin/env bash
# Chapter 14's own excerpt for `make chapter14-profile`:
#
#   threads.txt  both variants at the default size with --samples 10: the
#                kernel's count of the process's threads, its resident and
#                virtual memory (/proc/self/status) after every tenth of the
#                batch, and once more when the batch has settled; the
#                "threads over time" series, as a table;
#   strace.txt   strace -f -c of both variants at the default size: the
#                calls that create threads and map their stacks, by name.
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
# The spec sets id, variants, args_default and bin_<variant>.
# shellcheck disable=SC2154
: "${id?}" "${variants?}" "${args_default?}"
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for v in $variants; do
	bin_var=bin_$v
	[ -x "${!bin_var}" ] || die "no executable ${!bin_var} (make $id-build builds it)"
	# shellcheck disable=SC2086
	HP_REPORT=/dev/null "${!bin_var}" $args_default --samples 10 >/dev/null 2>"$tmp/$v.txt"
	grep -v '^#' "$tmp/$v.txt" >"$tmp/$v.rows"
done
first=${variants%% *} last=${variants##* }
{
	echo "# $first and $last at the default size ($args_default), sampled after every"
	echo "# tenth of the batch: threads (the kernel's count, main thread included), resident"
	echo "# memory (KiB) and address space (MiB) of the process. 'settled': after the batch,"
	echo "# once every thread that could still finish has finished."
	echo
	printf '%10s | %8s %10s %8s | %8s %10s %8s\n' "" "$first" "" "" "$last" "" ""
	printf '%10s | %8s %10s %8s | %8s %10s %8s\n' requests threads rss_kib vm_mib threads rss_kib vm_mib
	# Columns of a row: requests ms threads rss_kib vm_mib.
	paste "$tmp/$first.rows" "$tmp/$last.rows" |
		awk '{ printf "%10s | %8s %10s %8s | %8s %10s %8s\n", $1, $3, $4, $5, $8, $9, $10 }'
} >"$tmp/threads.txt"
mv -f "$tmp/threads.txt" "$out/threads.txt"

command -v strace >/dev/null || die "strace is not installed"
for v in $variants; do
	bin_var=bin_$v
	# shellcheck disable=SC2086
	HP_REPORT=/dev/null strace -f -c -o "$tmp/strace-$v.txt" "${!bin_var}" $args_default >/dev/null
done
{
	echo "# strace -f -c at the default size ($args_default): system calls of every thread, by"
	echo "# name, for the calls that start threads and map, protect and unmap their stacks."
	echo
	printf '%-16s' syscall
	for v in $variants; do printf ' %10s' "$v"; done
	echo
	for name in clone3 mmap mprotect munmap madvise; do
		printf '%-16s' "$name"
		for v in $variants; do
			# strace -c rows: % time, seconds, usecs/call, calls, [errors,] syscall.
			c=$(awk -v n="$name" '$NF == n && $1 ~ /^[0-9.]+$/ { print $4 }' "$tmp/strace-$v.txt")
			printf ' %10s' "${c:--}"
		done
		echo
	done
} >"$tmp/strace.txt"
mv -f "$tmp/strace.txt" "$out/strace.txt"
echo "profile-extra: $out/threads.txt, $out/strace.txt"
