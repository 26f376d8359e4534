#!/usr/bin/env bash
# hp-load, the load generator (common/tools/hp-load.c), against nginx started
# by common/scripts/nginx.sh:
#   1. closed loop: every run's request count is exactly what nginx says it
#      served (its stub_status counter), and hp-load's median throughput
#      agrees with wrk's on the same setup (the tolerance is explained below);
#   2. open loop at 2000/s for 2 s: about 4000 requests, no errors, p50 well
#      under 10 ms;
#   3. a non-loopback address is refused with a message and a non-zero exit;
#   4. --procs 2 --connections 200: one merged report whose requests are the
#      sum of the two processes' (and again exactly nginx's count);
#   5. nothing listening: connect errors are counted and the run still ends
#      on time.
# About 25 s in all. Run from anywhere; paths are relative to the repository root.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh

load=build/common/tools/hp-load
tmp=build/tmp/net-load

for tool in nginx wrk jq taskset; do
	if ! command -v "$tool" >/dev/null; then
		echo "1..0 # SKIP $tool is not installed (make deps installs it)"
		exit 0
	fi
done
if [ ! -x "$load" ]; then
	not_ok "$load exists" "build it with: make"
	tap_done
fi

common/scripts/nginx.sh stop "$tmp/nginx" >/dev/null 2>&1 # left over from an interrupted run
rm -rf "$tmp" && mkdir -p "$tmp"
trap 'common/scripts/nginx.sh stop "$tmp/nginx" >/dev/null 2>&1' EXIT
# nginx on CPU 0, and below both load generators on CPU 0 too: on this 2-core VM unpinned
# figures swing 2x from minute to minute, while all on one core they hold within a few percent.
if ! port=$(taskset -c 0 common/scripts/nginx.sh start "$tmp/nginx" 2>"$tmp/nginx.err"); then
	not_ok "nginx starts" "$(cat "$tmp/nginx.err")"
	tap_done
fi
url=http://127.0.0.1:$port/

# The number of requests nginx has served so far, this status request included.
served() {
	exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
	printf 'GET /nginx_status HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
	awk 'f { print $3; exit } /accepts handled requests/ { f = 1 }' <&3
	exec 3<&-
}

# Requests hp-load counted minus what nginx served between two status reads.
count_diff() { # JSON BEFORE AFTER
	echo $(($(jq .requests "$1") - ($3 - $2 - 1)))
}

errors() { jq '[.errors[]] | add' "$1"; }

median3() { printf '%s\n' "$@" | sort -g | sed -n 2p; }

# ---------------------------------------------------------------- 1. closed loop vs wrk
hp=() wrk=() diffs=() errs=0
for i in 1 2 3; do
	before=$(served)
	taskset -c 0 "$load" --url "$url" --connections 50 --duration 3 --json "$tmp/closed-$i.json" \
		>"$tmp/closed-$i.out" 2>&1
	after=$(served)
	hp+=("$(jq .throughput_rps "$tmp/closed-$i.json" 2>/dev/null || echo 0)")
	diffs+=("$(count_diff "$tmp/closed-$i.json" "$before" "$after" 2>/dev/null || echo '?')")
	errs=$((errs + $(errors "$tmp/closed-$i.json" 2>/dev/null || echo 1)))
	wrk+=("$(taskset -c 0 wrk -t1 -c50 -d3s "$url" 2>&1 | awk '/^Requests\/sec:/ { print $2 }')")
done
check "closed loop: each run's count equals nginx's (differences: ${diffs[*]}), no errors ($errs)" \
	[ "${diffs[*]}" = "0 0 0" -a "$errs" -eq 0 ]

# The tolerance, and why it leans one way. On one shared core every request costs the
# generator's CPU time plus nginx's, so the cheaper generator sees the higher throughput.
# Per request, hp-load makes two system calls (send, read: strace -c), wrk four (write,
# read and two epoll_ctl, because it arms and disarms EPOLLOUT around every write);
# /usr/bin/time measured 9.9 us of CPU per request for hp-load and 14.4 us for wrk, with
# nginx at about 12 us, which predicts hp-load/wrk = (14.4 + 12) / (9.9 + 12) = 1.2. Eight
# pinned runs (3 + 3 runs of 3 s each, as here) measured a ratio of medians from 1.17 to
# 1.29. So hp-load must reach at least 85% of wrk (the cross-check proper: a generator
# that loses more than that to wrk is broken or slow) and at most 1.45x wrk (1.29 plus
# the run-to-run noise of about 10% seen while other jobs shared the machine).
# Overcounting cannot hide in that upper margin: the first check compares every count
# with nginx's own, exactly.
hp_med=$(median3 "${hp[@]}")
wrk_med=$(median3 "${wrk[@]}")
if awk -v h="$hp_med" -v w="$wrk_med" 'BEGIN { exit !(w > 0 && h >= 0.85 * w && h <= 1.45 * w) }'; then
	ok "closed loop: hp-load median $hp_med req/s is within [0.85, 1.45] x wrk's $wrk_med" \
		"(ratio $(awk -v h="$hp_med" -v w="$wrk_med" 'BEGIN { printf "%.2f", h / w }'))"
else
	not_ok "closed loop: hp-load median $hp_med req/s is within [0.85, 1.45] x wrk's $wrk_med" \
		"hp-load: ${hp[*]}" "wrk: ${wrk[*]}" "$(cat "$tmp/closed-1.out")"
fi

# ---------------------------------------------------------------- 2. open loop
"$load" --url "$url" --rate 2000 --duration 2 --json "$tmp/open.json" >"$tmp/open.out" 2>&1
nreq=$(jq .requests "$tmp/open.json" 2>/dev/null || echo 0)
p50=$(jq .latency_us.p50 "$tmp/open.json" 2>/dev/null || echo 1e9)
oerr=$(errors "$tmp/open.json" 2>/dev/null || echo 1)
if [ "$nreq" -ge 3800 ] && [ "$nreq" -le 4200 ] && [ "$oerr" -eq 0 ] &&
	awk -v p="$p50" 'BEGIN { exit !(p < 10000) }'; then
	ok "open loop 2000/s for 2 s: $nreq requests (4000 within 5%), no errors, p50 $p50 us < 10 ms" \
		"(behind: $(jq .behind "$tmp/open.json"))"
else
	not_ok "open loop 2000/s for 2 s: 4000 requests within 5%, no errors, p50 < 10 ms" \
		"requests $nreq, errors $oerr, p50 $p50 us" "$(cat "$tmp/open.out")"
fi

# ---------------------------------------------------------------- 3. only loopback
out=$("$load" --url "http://10.1.2.3:$port/" --connections 1 --duration 1 2>&1)
rc=$?
if [ "$rc" -ne 0 ] && grep -q 'not a loopback address' <<<"$out"; then
	ok "10.1.2.3 is refused (exit $rc) with a message"
else
	not_ok "10.1.2.3 is refused with a message and a non-zero exit" "exit $rc" "$out"
fi

# ---------------------------------------------------------------- 4. --procs
before=$(served)
"$load" --url "$url" --procs 2 --connections 200 --duration 1 --json "$tmp/procs.json" >"$tmp/procs.out" 2>&1
after=$(served)
if jq -e '.procs == 2 and (.per_process | length == 2) and .requests > 0
	and .requests == (.per_process | map(.requests) | add) and .histogram.n == .requests
	and (.per_process | map(.source)) == ["127.0.0.2", "127.0.0.3"]
	and ([.errors[]] | add) == 0' "$tmp/procs.json" >/dev/null 2>&1 &&
	[ "$(count_diff "$tmp/procs.json" "$before" "$after")" = 0 ]; then
	ok "--procs 2: requests $(jq .requests "$tmp/procs.json") = the sum of" \
		"$(jq -c '[.per_process[].requests]' "$tmp/procs.json") = nginx's count"
else
	not_ok "--procs 2: one report whose requests are the sum of the processes' and nginx's count" \
		"nginx served $((after - before - 1))" "$(jq -c 'del(.histogram)' "$tmp/procs.json" 2>&1)" \
		"$(cat "$tmp/procs.out")"
fi

# ---------------------------------------------------------------- 5. nothing listening
# A port below the ephemeral range that refuses a connection right now.
for _ in $(seq 20); do
	dead=$((20000 + RANDOM % 12000))
	(exec 3<>"/dev/tcp/127.0.0.1/$dead") 2>/dev/null || break
done
t0=$(date +%s%N)
timeout 20 "$load" --url "http://127.0.0.1:$dead/" --connections 5 --duration 1 --timeout-ms 500 \
	--json "$tmp/dead.json" >"$tmp/dead.out" 2>&1
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
if [ "$rc" -eq 0 ] && [ "$ms" -lt 4000 ] &&
	jq -e '.errors.connect > 0 and .requests == 0 and .ok == 0' "$tmp/dead.json" >/dev/null 2>&1; then
	ok "nothing on port $dead: $(jq .errors.connect "$tmp/dead.json") connect errors counted, done in $ms ms"
else
	not_ok "nothing listening: connect errors counted, exits 0 within 4 s" "exit $rc after $ms ms" \
		"$(cat "$tmp/dead.out")"
fi

tap_done
