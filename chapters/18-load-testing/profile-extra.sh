#!/usr/bin/env bash
# Chapter 18's excerpts for `make chapter18-profile`, produced by real runs:
#
#   wrk-naive.txt, wrk-optimized.txt   wrk (closed loop: 50 connections, each
#       sending its next request when the last answer is in) against each
#       variant, with its latency distribution (--latency);
#   perf-naive-load.txt   perf record (cpu-clock) of the naive server while
#       wrk loads it: where the server's time goes.
#
# The server runs on lesson_pin's CPUs and wrk on lesson_load_pin's, as in the compare.
# usage: profile-extra.sh build/<lesson>/lesson.spec OUTDIR
set -euo pipefail
spec=$1 out=$2
# shellcheck disable=SC1090
. "$spec"
for tool in wrk perf taskset; do
	command -v "$tool" >/dev/null || { echo "profile-extra: $tool is not installed (make deps)" >&2; exit 2; }
done
tmp=build/tmp/$id-profile
rm -rf "$tmp" && mkdir -p "$tmp" "$out"
cpu=${pin:-0}
load_cpu=${load_pin:-$cpu}

# shellcheck source=../../common/scripts/lib/server.sh
. common/scripts/lib/server.sh

for v in $variants; do
	server_start "$v" "$cpu"
	{
		echo "# wrk -t1 -c50 -d4s --latency against the $v server; server on CPU $cpu, wrk on CPU $load_cpu."
		echo "# wrk measures each request from when it was sent, and each connection sends its next"
		echo "# request only when the last answer is in (a closed loop)."
		echo
		timeout 30 taskset -c "$load_cpu" wrk -t1 -c50 -d4s --latency "http://127.0.0.1:$server_port/" 2>&1
	} >"$out/wrk-$v.txt.tmp"
	mv -f "$out/wrk-$v.txt.tmp" "$out/wrk-$v.txt"
	server_stop
done

server_start naive "$cpu"
timeout 30 taskset -c "$load_cpu" wrk -t1 -c50 -d5s "http://127.0.0.1:$server_port/" >/dev/null 2>&1 &
wrk_pid=$!
sleep 0.5
perf record -q -e cpu-clock -F 2000 -p "$server_pid" -o "$tmp/perf.data" -- sleep 3 2>/dev/null
wait "$wrk_pid" || true
{
	echo "# perf record -e cpu-clock -p <naive server> -- sleep 3, while wrk loads it (server on CPU $cpu)."
	echo "# cpu-clock: a software timer event (this machine has no hardware PMU)."
	echo "# Self time per symbol, the kernel's included (above 1.5%):"
	echo
	perf report -i "$tmp/perf.data" --stdio --no-children --percent-limit 1.5 --sort sym 2>/dev/null |
		grep -v '^#' | grep -v '^$' | head -20
} >"$out/perf-naive-load.txt.tmp"
mv -f "$out/perf-naive-load.txt.tmp" "$out/perf-naive-load.txt"
server_stop
rm -rf "$tmp"
echo "profile-extra: $out/wrk-naive.txt, wrk-optimized.txt, perf-naive-load.txt"
