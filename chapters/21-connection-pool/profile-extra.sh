#!/usr/bin/env bash
# Chapter 21's excerpts for `make chapter21-profile`, produced by real runs
# against the lesson's own upstream (common/scripts/nginx-upstream.sh):
#
#   strace.txt   strace -c of both variants making 1,000 requests: every
#                system call of the client, by name;
#   sockets.txt  the upstream's sockets by TCP state (ss) just after each
#                variant's 20,000 requests.
#
# usage: profile-extra.sh build/<lesson>/lesson.spec OUTDIR
set -euo pipefail
spec=$1 out=$2
# shellcheck disable=SC1090
. "$spec"
for tool in strace ss awk sort; do
	command -v "$tool" >/dev/null || { echo "profile-extra: $tool is not installed (make deps)" >&2; exit 2; }
done
# shellcheck source=../../common/scripts/lib/strace.sh
. common/scripts/lib/strace.sh
tmp=build/tmp/$id-profile
rm -rf "$tmp" && mkdir -p "$tmp" "$out"
env_lines=$(common/scripts/nginx-upstream.sh start "$tmp/upstream")
trap 'common/scripts/nginx-upstream.sh stop "$tmp/upstream" >/dev/null 2>&1 || true' EXIT
while IFS= read -r kv; do export "${kv?}"; done <<<"$env_lines"

# 1. strace -c, one column per variant.
for v in $variants; do
	bin_var=bin_$v
	HP_REPORT=/dev/null strace -c -o "$tmp/strace-$v.txt" "${!bin_var}" --size 1000 >/dev/null
done
{
	echo "# strace -c of the client making 1,000 requests (--size 1000) to nginx on the loopback:"
	echo "# every system call of the process, by name, start-up included. Calls a variant never made: -"
	echo
	# shellcheck disable=SC2086
	strace_table "$tmp" 12 $variants
} >"$tmp/strace.txt"
mv -f "$tmp/strace.txt" "$out/strace.txt"

# 2. The upstream's sockets by state after 20,000 requests of each variant. A
# socket in TIME_WAIT stays for 60 s, so the variants run 61 s apart.
{
	echo "# ss -tan: the sockets of the upstream's port (local or remote) by TCP state, counted just"
	echo "# after each variant made 20,000 requests; TIME_WAIT lasts 60 s on Linux, so each variant"
	echo "# starts after the last one's have gone."
	echo
	first=1
	for v in $variants; do
		[ $first = 1 ] || sleep 61
		first=0
		bin_var=bin_$v
		HP_REPORT=/dev/null "${!bin_var}" --size 20000 >/dev/null
		echo "## $v"
		ss -tan "( sport = :$HP_UPSTREAM_PORT or dport = :$HP_UPSTREAM_PORT )" |
			awk 'NR > 1 { n[$1]++ } END { for (s in n) printf "%-12s %6d\n", s, n[s] }' | sort
		echo
	done
} >"$tmp/sockets.txt"
mv -f "$tmp/sockets.txt" "$out/sockets.txt"
echo "profile-extra: $out/strace.txt, $out/sockets.txt"
