#!/usr/bin/env bash
# Chapter 21's kept-alive client against an nginx that ends its connections,
# on loopback only (common/scripts/nginx-upstream.sh):
#   1. 30,000 requests with three nginx reloads in the middle (a reload
#      closes the old worker's idle kept connections without a word, so the
#      client meets connections that are gone when it next writes): it
#      finishes, and prints what the naive client prints for the same seed;
#   2. it opened about one connection per 1000 requests (nginx's
#      keepalive_requests) plus one per reload, never one per request;
#   3. with nginx stopped, both clients fail with a message naming the
#      request and the error, and a non-zero exit.
# About 10 s. Run from anywhere; paths are relative to the repository root.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh

bin=build/chapters/21-connection-pool
tmp=build/tmp/net-pool
if ! command -v nginx >/dev/null; then
	echo "1..0 # SKIP nginx is not installed (make deps installs it)"
	exit 0
fi
if [ ! -x "$bin/optimized" ] || [ ! -x "$bin/naive" ]; then
	not_ok "chapter 21 is built" "build it with: make"
	tap_done
fi
rm -rf "$tmp" && mkdir -p "$tmp"
up=$PWD/$tmp/upstream
cleanup() { common/scripts/nginx-upstream.sh stop "$up" >/dev/null 2>&1; }
trap cleanup EXIT
if ! env_lines=$(common/scripts/nginx-upstream.sh start "$up" 2>"$tmp/up.err"); then
	not_ok "nginx-upstream.sh starts nginx" "$(cat "$tmp/up.err")"
	tap_done
fi
export "${env_lines?}"

# 1. Reloads in the middle of a run.
HP_REPORT=$tmp/opt.jsonl "$bin/optimized" --size 30000 --seed 5 >"$tmp/opt.out" 2>"$tmp/opt.err" &
pid=$!
reloads=0
for _ in 1 2 3; do
	sleep 0.2
	kill -0 "$pid" 2>/dev/null || break
	nginx -p "$up/" -c "$up/nginx.conf" -s reload 2>>"$tmp/reload.err" && reloads=$((reloads + 1))
done
wait "$pid"
status=$?
HP_REPORT=/dev/null "$bin/naive" --size 30000 --seed 5 >"$tmp/naive.out" 2>"$tmp/naive.err"
if [ $status -eq 0 ] && [ $reloads -gt 0 ] && cmp -s "$tmp/opt.out" "$tmp/naive.out"; then
	ok "optimized survives $reloads nginx reloads mid-run and prints what naive prints"
else
	not_ok "optimized survives nginx reloads mid-run" "exit $status, $reloads reloads" "$(cat "$tmp/opt.err")" \
		"$(cat "$tmp/reload.err" 2>/dev/null)" \
		"$(diff "$tmp/opt.out" "$tmp/naive.out")"
fi

# 2. Connections: one per 1000 answers, plus at most one per reload.
conns=$(jq -r 'select(.name == "connections_per_request") | .value * 30000 | round' "$tmp/opt.jsonl" 2>/dev/null)
if [ -n "$conns" ] && [ "$conns" -ge 30 ] && [ "$conns" -le $((30 + reloads)) ]; then
	ok "optimized opened $conns connections for 30,000 requests ($reloads reloads; nginx ends one every 1000 answers)"
else
	not_ok "optimized opened 30 to $((30 + reloads)) connections" "it opened: ${conns:-none reported}"
fi

# 3. Nothing listening.
common/scripts/nginx-upstream.sh stop "$up" >/dev/null 2>&1
for v in naive optimized; do
	HP_REPORT=/dev/null "$bin/$v" --size 10 >/dev/null 2>"$tmp/down.err"
	status=$?
	if [ $status -ne 0 ] && grep -q "request 1 (GET /.*): Connection refused" "$tmp/down.err"; then
		ok "$v, nginx down: $(head -1 "$tmp/down.err")"
	else
		not_ok "$v, nginx down: a message and a non-zero exit" "exit $status" "$(cat "$tmp/down.err")"
	fi
done
tap_done
