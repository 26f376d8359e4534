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

# Start variant $1 on CPU $cpu; sets pid and port.
start() {
	local bin_var=bin_$1
	taskset -c "$cpu" "${!bin_var}" --port 0 2>"$tmp/$1.err" >/dev/null &
	pid=$!
	for _ in $(seq 1 500); do
		port=$(sed -n 's/^ready port=\([0-9]*\).*/\1/p' "$tmp/$1.err")
		[ -z "$port" ] || return 0
		sleep 0.02
	done
	echo "profile-extra: $1 did not get ready" >&2
	kill "$pid"
	exit 1
}
stop() {
	kill -TERM "$pid"
	wait "$pid" || { echo "profile-extra: the server did not stop cleanly" >&2; exit 1; }
}
trap 'kill "${pid:-}" 2>/dev/null || true' EXIT

for v in $variants; do
	start "$v"
	{
		echo "# wrk -t1 -c50 -d4s --latency against the $v server; server on CPU $cpu, wrk on CPU $load_cpu."
		echo "# wrk measures each request from when it was sent, and each connection sends its next"
		echo "# request only when the last answer is in (a closed loop)."
		echo
		timeout 30 taskset -c "$load_cpu" wrk -t1 -c50 -d4s --latency "http://127.0.0.1:$port/" 2>&1
	} >"$out/wrk-$v.txt.tmp"
	mv -f "$out/wrk-$v.txt.tmp" "$out/wrk-$v.txt"
	stop
done

start naive
timeout 30 taskset -c "$load_cpu" wrk -t1 -c50 -d5s "http://127.0.0.1:$port/" >/dev/null 2>&1 &
wrk_pid=$!
sleep 0.5
perf record -q -e cpu-clock -F 2000 -p "$pid" -o "$tmp/perf.data" -- sleep 3 2>/dev/null
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
stop
trap - EXIT
rm -rf "$tmp"
echo "profile-extra: $out/wrk-naive.txt, wrk-optimized.txt, perf-naive-load.txt"
