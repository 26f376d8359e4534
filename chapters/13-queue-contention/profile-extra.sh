#!/usr/bin/env bash
# Chapter 13's own excerpts for `make chapter13-profile`:
#
#   futex.txt  every variant and case at the default size: the futex
#              calls (sleeps and wakes in the kernel), all system calls and
#              the context switches of the whole process, counted by perf's
#              tracepoints (strace -f -c where perf cannot), per thousand
#              messages;
#   spin.txt   the optimized variant with --spin from 0 to "forever" in the
#              p2c2 case: median time, futex sleeps and context switches,
#              the measurement that chose --spin 100 and the page's warning
#              against busy spinning on two cores;
#   batch.txt  the optimized variant with --batch from 1 to 1024, p2c2.
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
# The spec sets id, variants, cases, case_<c>, args_default and bin_<variant>.
# shellcheck disable=SC2154
: "${id?}" "${variants?}" "${cases?}" "${args_default?}"
for tool in jq awk sort; do
	command -v "$tool" >/dev/null || die "$tool is not installed"
done
command -v perf >/dev/null || command -v strace >/dev/null || die "neither perf nor strace is installed"
[ -x /usr/bin/time ] || die "/usr/bin/time is not installed (apt-get install time)"
mkdir -p "$out"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/$id-extra.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
messages=$(sed -n 's/.*--size \([0-9][0-9]*\).*/\1/p' <<<"$args_default")
[ -n "$messages" ] || die "no --size in the default arguments ($args_default)"

# 1. futex calls, context switches and all system calls, per variant and case. perf counts them
# with the kernel's tracepoints, which barely disturb the threads; without perf's tracepoints (no
# root, perf_event_paranoid > -1), strace -f -c counts them, but stops every thread at every call.
runs=5
if perf stat -x, -e syscalls:sys_enter_futex true >/dev/null 2>&1; then
	counter=perf
else
	counter=strace
fi
count_run() { # binary args...: "futex N", "all N" and "ctx N" lines into $tmp/k.txt
	if [ $counter = perf ]; then
		HP_REPORT=/dev/null perf stat -x, -o "$tmp/perf.txt" \
			-e syscalls:sys_enter_futex,raw_syscalls:sys_enter,context-switches "$@" >/dev/null
		awk -F, '$3 == "syscalls:sys_enter_futex" { print "futex", $1 }
			$3 == "raw_syscalls:sys_enter" { print "all", $1 }
			$3 == "context-switches" { print "ctx", $1 }' "$tmp/perf.txt" >>"$tmp/k.txt"
	else
		HP_REPORT=/dev/null /usr/bin/time -f 'ctx %c %w' -o "$tmp/time.txt" \
			strace -f -c -o "$tmp/strace.txt" "$@" >/dev/null
		# strace -c rows: % time, seconds, usecs/call, calls, [errors,] syscall; "total" last.
		awk '$NF == "futex" { print "futex", $4 } $NF == "total" { print "all", $4 }' \
			"$tmp/strace.txt" >>"$tmp/k.txt"
		awk '$1 == "ctx" { print "ctx", $2 + $3 }' "$tmp/time.txt" >>"$tmp/k.txt"
	fi
}
med() { # key [format]: the median of the key's values in $tmp/k.txt
	awk -v k="$1" '$1 == k { print $2 }' "$tmp/k.txt" | sort -g |
		awk -v f="${2:-%.0f}" '{ a[NR] = $1 } END { printf f, a[int((NR + 1) / 2)] }'
}
{
	if [ $counter = perf ]; then
		echo "# perf stat -e syscalls:sys_enter_futex,raw_syscalls:sys_enter,context-switches at the"
	else
		echo "# strace -f -c (perf's tracepoints were not available) and /usr/bin/time at the"
	fi
	echo "# default size ($args_default), the whole process, median of $runs runs. futex: sleeps and"
	echo "# wakes in the kernel (in naive and batched, inside pthread_mutex_lock, pthread_cond_wait and"
	echo "# pthread_cond_signal); all: every system call; per thousand messages on the right."
	echo
	printf '%-6s %-10s %8s %8s %8s %12s %10s\n' case variant futex all ctx futex/kmsg ctx/kmsg
	for c in $cases; do
		case_var=case_$c
		for v in $variants; do
			bin_var=bin_$v
			[ -x "${!bin_var}" ] || die "no executable ${!bin_var} (make $id-build builds it)"
			rm -f "$tmp/k.txt"
			for _ in $(seq $runs); do
				# shellcheck disable=SC2086
				count_run "${!bin_var}" $args_default ${!case_var}
			done
			f=$(med futex) a=$(med all) x=$(med ctx)
			printf '%-6s %-10s %8s %8s %8s %12.2f %10.2f\n' "$c" "$v" "$f" "$a" "$x" \
				"$(awk -v f="$f" -v n="$messages" 'BEGIN { print f * 1000 / n }')" \
				"$(awk -v f="$x" -v n="$messages" 'BEGIN { print f * 1000 / n }')"
		done
	done
} >"$tmp/futex.txt"
mv -f "$tmp/futex.txt" "$out/futex.txt"

# One knob of the optimized variant, p2c2: median time, futex sleeps (its waits) and context switches.
bin_var=bin_${variants##* }
opt=${!bin_var}
# shellcheck disable=SC2154
p2c2=$case_p2c2
sweep() { # option runs value...
	local option=$1 runs=$2
	shift 2
	printf '%12s %10s %8s %12s\n' "--$option" time_ms waits ctx_switches
	for val in "$@"; do
		rm -f "$tmp/k.txt"
		for _ in $(seq "$runs"); do
			rm -f "$tmp/r.jsonl"
			# shellcheck disable=SC2086
			HP_REPORT=$tmp/r.jsonl /usr/bin/time -f 'ctx %c %w' -o "$tmp/time.txt" \
				"$opt" $args_default $p2c2 --"$option" "$val" >/dev/null
			jq -r 'select(.name == "time_ms" or .name == "waits") | "\(.name) \(.value)"' \
				"$tmp/r.jsonl" >>"$tmp/k.txt"
			awk '$1 == "ctx" { print "ctx", $2 + $3 }' "$tmp/time.txt" >>"$tmp/k.txt"
		done
		printf '%12s %10s %8s %12s\n' "$val" "$(med time_ms %.1f)" "$(med waits)" "$(med ctx)"
	done
}

{
	echo "# optimized --spin N, p2c2 ($args_default $p2c2): polls before a"
	echo "# thread sleeps on its futex. Median of 5 runs (3 for the last two, which take seconds);"
	echo "# waits are futex sleeps, ctx_switches voluntary plus involuntary (/usr/bin/time)."
	echo "# 100000000 never sleeps: a pure busy spin, four threads on two cores."
	echo
	sweep spin 5 0 10 100 1000 10000
	sweep spin 3 100000 100000000 | tail -n +2
} >"$tmp/spin.txt"
mv -f "$tmp/spin.txt" "$out/spin.txt"

{
	echo "# optimized --batch N, p2c2 ($args_default $p2c2): messages a producer"
	echo "# pushes before it publishes them, and the most a consumer pops at once. Median of 5 runs."
	echo
	sweep batch 5 1 8 64 256 1024
} >"$tmp/batch.txt"
mv -f "$tmp/batch.txt" "$out/batch.txt"
echo "profile-extra: $out/futex.txt, $out/spin.txt, $out/batch.txt"
