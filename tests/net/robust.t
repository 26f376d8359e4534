#!/usr/bin/env bash
# The servers of chapter 19 (thread per connection, epoll loop) under abuse, each
# started on its own, on loopback only:
#   1. a malformed request gets 400, oversized headers 431, an unsupported method 501,
#      and a keep-alive connection opened before them is still served after them;
#   2. 1,000 slow clients, each sending a byte a second, do not stop a normal client:
#      its p99 latency is measured (hp-load, open loop) without and with them; the
#      epoll server keeps its usual latency, the threaded one answers every request;
#   3. a flood of 1,000 connections against the server run under `ulimit -n 256`:
#      the connections beyond its descriptors are refused cleanly (closed at once, not
#      left hanging), the server does not spin (its CPU time stays low while flooded),
#      it counts them (the admin endpoint's "refused") and it serves again afterwards;
#   4. the admin endpoint answers GET /metrics on 127.0.0.1 only (not on 127.0.0.2,
#      which is loopback too), and GET /metrics on the public port is 404;
#   5. ASan+UBSan builds survive the request corpus, a flood, and SIGTERM in the middle
#      of a second flood of half requests, with no report and no leak (LeakSanitizer
#      runs at exit, so what the open connections held must have been freed).
# About 45 s. Run from anywhere; paths are relative to the repository root. Needs
# `make` first (the servers and hp-load). HP_ROBUST_SOURCE=your.c runs the same tests
# on another server (the exercise of chapter 19).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh

spec=build/chapters/19-threads-vs-epoll/lesson.spec
load=build/common/tools/hp-load
tmp=build/tmp/net-robust
corpus_dir=tests/net/corpus

for tool in jq timeout cc; do
	if ! command -v "$tool" >/dev/null; then
		echo "1..0 # SKIP $tool is not installed (make deps installs it)"
		exit 0
	fi
done
if [ ! -r "$spec" ] || [ ! -x "$load" ]; then
	not_ok "chapter 19 and hp-load are built" "build them with: make"
	tap_done
fi
# shellcheck disable=SC1090
. "$spec"
rm -rf "$tmp" && mkdir -p "$tmp"
# HP_ROBUST_SOURCE=path/to/server.c tests that server instead of the chapter's two (the
# chapter's exercise says so); it is built here with the lesson's flags.
if [ -n "${HP_ROBUST_SOURCE:-}" ]; then
	variants=yours src_yours=$HP_ROBUST_SOURCE bin_yours=$tmp/yours
	# shellcheck disable=SC2086,SC2154 # cflags comes from the spec
	if ! $cflags -D_GNU_SOURCE -Icommon/include "$src_yours" build/common/libhp.a -lm -lpthread \
		-o "$bin_yours" 2>"$tmp/yours-build.log"; then
		not_ok "$src_yours builds" "$(tail -20 "$tmp/yours-build.log")"
		tap_done
	fi
fi
# Writing to a connection the server closed must not kill this shell.
trap '' PIPE

# ---------------------------------------------------------------- helpers

srv_pid='' srv_port='' admin_port=''

# start_server NAME NOFILE BIN [ARGS...]: start BIN with at most NOFILE descriptors (0: as
# is), wait for "ready" (10 s at most). Sets srv_pid, srv_port and admin_port.
start_server() {
	local name=$1 nofile=$2 bin=$3
	shift 3
	: >"$tmp/$name.err"
	(
		[ "$nofile" -eq 0 ] || ulimit -n "$nofile"
		exec "$bin" --port 0 "$@"
	) 2>"$tmp/$name.err" &
	srv_pid=$!
	for _ in $(seq 200); do
		grep -q '^ready' "$tmp/$name.err" && break
		kill -0 "$srv_pid" 2>/dev/null || break
		sleep 0.05
	done
	srv_port=$(sed -n 's/^ready port=\([0-9]*\).*/\1/p' "$tmp/$name.err")
	admin_port=$(sed -n 's/^admin port=\([0-9]*\).*/\1/p' "$tmp/$name.err")
	[ -n "$srv_port" ]
}

# stop_server: SIGTERM, 10 s to exit, then SIGKILL. Returns the exit status (137 if killed).
stop_server() {
	[ -n "$srv_pid" ] || return 0
	kill -TERM "$srv_pid" 2>/dev/null
	for _ in $(seq 200); do
		kill -0 "$srv_pid" 2>/dev/null || break
		sleep 0.05
	done
	kill -KILL "$srv_pid" 2>/dev/null
	wait "$srv_pid"
	local rc=$?
	srv_pid=''
	return $rc
}
trap 'stop_server >/dev/null 2>&1' EXIT

# status PORT REQUEST [ADDR]: send REQUEST (printf %b escapes) on a new connection and
# print the status code of the answer, "eof" when the server closed without one, or
# "none" when nothing came within 3 s (or the connection failed).
status() {
	# shellcheck disable=SC2016 # the inner shell expands them
	timeout 3 bash -c '
		exec 3<>"/dev/tcp/${3:-127.0.0.1}/$1" || { echo none; exit; }
		printf "%b" "$2" >&3 2>/dev/null
		if IFS= read -r line <&3; then
			set -- $line
			echo "${2:-none}"
		else
			echo eof
		fi' _ "$@" 2>/dev/null || echo none
}

# response FD: read one whole response (status line, headers, Content-Length bytes of body)
# from the open descriptor FD, 3 s at most per read; print its status code, or "none".
response() {
	local fd=$1 line code len=0 _body
	IFS=$' \t\r' read -r -t 3 _ code _ <&"$fd" || { echo none; return; }
	while IFS= read -r -t 3 line <&"$fd"; do
		line=${line%$'\r'}
		[ -z "$line" ] && break
		case ${line,,} in content-length:*) len=${line#*:} len=${len// /} ;; esac
	done
	[ "$len" -eq 0 ] || read -r -t 3 -N "$len" _body <&"$fd"
	echo "${code:-none}"
}

# retry_get PORT: a GET / every 0.1 s until one gets 200 (2 s at most); prints the last status.
retry_get() {
	local s=none
	for _ in $(seq 20); do
		s=$(status "$1" "$get")
		[ "$s" = 200 ] && break
		sleep 0.1
	done
	echo "$s"
}

# metrics PORT: the admin endpoint's JSON body (empty when it does not answer).
metrics() {
	# shellcheck disable=SC2016 # the inner shell expands them
	timeout 3 bash -c '
		exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
		printf "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n" >&3
		sed -n "/^\r*$/,\$p" <&3 | tail -n +2' _ "$1" 2>/dev/null
}

# open_many PORT N SECONDS PREFIX BYTE: open N connections, send PREFIX on each, then once
# a second for SECONDS send BYTE on each (BYTE empty: send nothing, just hold them), then
# close them all. Writes the number opened to $tmp/open.count when they are open.
open_many() {
	local fds=() fd s
	ulimit -n $(($2 + 64)) 2>/dev/null
	for ((s = 0; s < $2; s++)); do
		exec {fd}<>"/dev/tcp/127.0.0.1/$1" 2>/dev/null || continue
		[ -z "$4" ] || printf '%b' "$4" 1>&"$fd" 2>/dev/null
		fds+=("$fd")
	done
	echo "${#fds[@]}" >"$tmp/open.count.tmp" && mv "$tmp/open.count.tmp" "$tmp/open.count"
	for ((s = 0; s < $3; s++)); do
		sleep 1
		[ -z "$5" ] && continue
		for fd in "${fds[@]}"; do printf '%s' "$5" 1>&"$fd" 2>/dev/null; done
	done
}

# wait_open: wait (20 s at most) until open_many has opened its connections; prints the count.
wait_open() {
	for _ in $(seq 400); do
		[ -s "$tmp/open.count" ] && break
		sleep 0.05
	done
	cat "$tmp/open.count" 2>/dev/null || echo 0
}

# cpu_ticks PID: user + system time of a process, in clock ticks.
cpu_ticks() {
	awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0
}

# p99 JSON: hp-load's p99 in microseconds (a huge number when the run failed).
p99() { jq '.latency_us.p99' "$1" 2>/dev/null || echo 1e12; }
errs() { jq '[.errors[]] | add' "$1" 2>/dev/null || echo 1; }

# A normal client: 200 requests a second for 2 s on one keep-alive connection (open loop,
# so a stall cannot hide behind a waiting request; see chapter 12).
normal_client() { # PORT JSON
	timeout 20 "$load" --url "http://127.0.0.1:$1/" --rate 200 --connections 1 --duration 2 \
		--json "$2" >"$2.out" 2>&1
}

get='GET / HTTP/1.1\r\nHost: x\r\n\r\n'

for v in $variants; do
	bin_var=bin_$v
	bin=${!bin_var}

	# ------------------------------------------------------------ 1. bad requests
	if start_server "$v-errors" 0 "$bin"; then
		big=$(head -c 9000 /dev/zero | tr '\0' a)
		exec {keep}<>"/dev/tcp/127.0.0.1/$srv_port"
		printf '%b' "$get" >&"$keep"
		first=$(response "$keep")
		s400=$(status "$srv_port" 'GET / HTTP/1.1\r\nHost x\r\n\r\n')
		s431=$(status "$srv_port" "GET / HTTP/1.1\r\nX-Big: $big\r\n\r\n")
		s501=$(status "$srv_port" 'DELETE / HTTP/1.1\r\nHost: x\r\n\r\n')
		s200=$(status "$srv_port" "$get")
		printf '%b' "$get" >&"$keep"
		again=$(response "$keep")
		exec {keep}<&-
		if [ "$s400 $s431 $s501 $s200 $first $again" = "400 431 501 200 200 200" ]; then
			ok "$v: malformed 400, oversized headers 431, DELETE 501, then GET 200; the open keep-alive connection still served"
		else
			not_ok "$v: malformed 400, oversized 431, DELETE 501, then 200, keep-alive still served" \
				"got $s400 $s431 $s501 $s200; keep-alive: '$first', then '$again'"
		fi
		stop_server
	else
		not_ok "$v starts" "$(cat "$tmp/$v-errors.err")"
		continue
	fi

	# ------------------------------------------------------------ 2. slow clients
	if start_server "$v-slow" 0 "$bin"; then
		normal_client "$srv_port" "$tmp/$v-alone.json"
		rm -f "$tmp/open.count"
		open_many "$srv_port" 1000 5 'GET / HTTP/1.1\r\nX-Slow: ' a &
		slow=$!
		nslow=$(wait_open)
		normal_client "$srv_port" "$tmp/$v-slow.json"
		alive=$(status "$srv_port" "$get")
		wait "$slow"
		base=$(p99 "$tmp/$v-alone.json") with=$(p99 "$tmp/$v-slow.json")
		# "Its usual latency": at most three times the p99 measured alone, plus 5 ms for
		# this shared machine's scheduling noise (a stalled server would add seconds).
		# The thread-per-connection server is held to less: when the slow clients' bytes
		# arrive together, a thousand threads wake together and the scheduler runs them
		# in turn, so the normal client's thread can wait tens of milliseconds (measured
		# here: p99 66 ms against 0.4 ms alone). It must still answer every request, with
		# no error and no stall (p99 under 250 ms); the epoll server must keep its latency.
		limit='3 * b + 5000' what='p99 <= 3 x alone + 5 ms'
		if [ "$v" = naive ]; then limit=250000 what='every request answered, p99 < 250 ms'; fi
		if [ "$nslow" -ge 1000 ] && [ "$alive" = 200 ] &&
			[ "$(errs "$tmp/$v-alone.json")" = 0 ] && [ "$(errs "$tmp/$v-slow.json")" = 0 ] &&
			awk -v b="$base" -v w="$with" "BEGIN { exit !(w <= $limit) }"; then
			ok "$v: with $nslow slow clients a normal client's p99 is $with us (alone: $base us; $what)"
		else
			not_ok "$v: 1,000 slow clients do not stop a normal client ($what)" \
				"slow clients open: $nslow; GET during them: $alive" \
				"alone: p99 $base us, errors $(errs "$tmp/$v-alone.json")" \
				"with slow clients: p99 $with us, errors $(errs "$tmp/$v-slow.json")" \
				"$(cat "$tmp/$v-slow.json.out")"
		fi
		stop_server
	else
		not_ok "$v starts for the slow clients" "$(cat "$tmp/$v-slow.err")"
	fi

	# ------------------------------------------------------------ 3. flood under ulimit -n 256
	if start_server "$v-flood" 256 "$bin" --admin-port 0; then
		rm -f "$tmp/open.count"
		open_many "$srv_port" 1000 4 '' '' &
		flood=$!
		nflood=$(wait_open)
		sleep 0.5 # the server refuses what its backlog holds
		t0=$(cpu_ticks "$srv_pid")
		ms0=$(date +%s%N)
		# A new connection now is closed at once (eof), not left hanging (none).
		during=$(status "$srv_port" "$get")
		sleep 2
		cpu=$(($(cpu_ticks "$srv_pid") - t0))
		window=$((($(date +%s%N) - ms0) / 10000000)) # in ticks of 10 ms
		wait "$flood"
		after=$(retry_get "$srv_port")
		refused=$(metrics "$admin_port" | jq .refused 2>/dev/null)
		# Spinning on the listening socket would take the whole window; allow a fifth.
		if [ "$nflood" -ge 1000 ] && [ "$during" = eof ] && [ "$after" = 200 ] &&
			[ "$cpu" -le $((window / 5)) ] && [ "${refused:-0}" -ge 500 ]; then
			ok "$v under ulimit -n 256: $nflood connections, $refused refused at once, $cpu of $window ticks of CPU while flooded, serves again"
		else
			not_ok "$v under ulimit -n 256: a flood of 1,000 is refused cleanly, no spinning, recovery" \
				"opened $nflood; a GET during the flood: $during (want eof); after it: $after" \
				"server CPU $cpu ticks in a window of $window; refused (admin): ${refused:-?}" \
				"$(tail -5 "$tmp/$v-flood.err")"
		fi
		stop_server
	else
		not_ok "$v starts under ulimit -n 256" "$(cat "$tmp/$v-flood.err")"
	fi

	# ------------------------------------------------------------ 4. the admin endpoint
	if start_server "$v-admin" 0 "$bin" --admin-port 0; then
		status "$srv_port" "$get" >/dev/null
		json=$(metrics "$admin_port")
		public=$(status "$srv_port" 'GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n')
		other=$(status "$admin_port" 'GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n' 127.0.0.2)
		nf=$(status "$admin_port" 'GET /other HTTP/1.1\r\nHost: x\r\n\r\n')
		bad=$(status "$admin_port" 'GET /metrics HTTP/1.1\r\nHost x\r\n\r\n')
		# The listening sockets of the process, from /proc/net/tcp (state 0A): address:port in hex.
		hexport=$(printf '%04X' "$admin_port")
		bound=$(awk -v p=":$hexport" '$4 == "0A" && substr($2, 9) == p { print $2 }' /proc/net/tcp)
		if jq -e '.requests >= 1 and .connections_peak >= 1 and has("connections_open") and has("refused")' \
			<<<"$json" >/dev/null 2>&1 && [ "$public" = 404 ] && [ "$other" = none ] &&
			[ "$nf" = 404 ] && [ "$bad" = 400 ] && [ "$bound" = "0100007F:$hexport" ]; then
			ok "$v: admin GET /metrics on 127.0.0.1 only ($json); /metrics on the public port is 404"
		else
			not_ok "$v: admin endpoint on 127.0.0.1 only, /metrics 404 on the public port" \
				"admin body: '$json'; public /metrics: $public; admin via 127.0.0.2: $other (want none)" \
				"admin /other: $nf (want 404); admin malformed: $bad (want 400); bound: '$bound'"
		fi
		stop_server
	else
		not_ok "$v starts with --admin-port 0" "$(cat "$tmp/$v-admin.err")"
	fi
done

# ---------------------------------------------------------------- 5. ASan + UBSan
libhp_src=$(printf '%s\n' common/src/*.c | grep -v alloc_preload.c)
for v in $variants; do
	src_var=src_$v
	asan=$tmp/asan-$v
	# shellcheck disable=SC2086
	if ! cc -std=c17 -O1 -g -D_GNU_SOURCE -Icommon/include -fsanitize=address,undefined \
		-fno-sanitize-recover=all -fno-omit-frame-pointer ${!src_var} $libhp_src -lm -lpthread \
		-o "$asan" 2>"$tmp/asan-$v-build.log"; then
		not_ok "$v builds with ASan+UBSan" "$(tail -20 "$tmp/asan-$v-build.log")"
		continue
	fi
	export ASAN_OPTIONS=detect_leaks=1
	if ! start_server "$v-asan" 256 "$asan" --admin-port 0; then
		not_ok "$v under ASan+UBSan starts" "$(tail -20 "$tmp/$v-asan.err")"
		continue
	fi
	answered=0
	for f in "$corpus_dir"/*.http; do
		# shellcheck disable=SC2016 # the inner shell expands them
		s=$(timeout 3 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1; cat "$2" >&3; head -c 1 <&3' \
			_ "$srv_port" "$f" 2>/dev/null)
		[ -n "$s" ] && answered=$((answered + 1))
	done
	# A flood of whole requests, closed by the clients; then one of half requests (each
	# connection holds a buffer) that is still open when SIGTERM comes.
	rm -f "$tmp/open.count"
	open_many "$srv_port" 1000 1 "$get" '' &
	flood=$!
	wait_open >/dev/null
	wait "$flood"
	after=$(retry_get "$srv_port")
	metrics "$admin_port" >/dev/null
	rm -f "$tmp/open.count"
	open_many "$srv_port" 1000 3 'GET / HTTP/1.1\r\nHost: x\r\n' '' &
	flood=$!
	wait_open >/dev/null
	sleep 0.5
	stop_server
	rc=$?
	wait "$flood"
	ncorpus=$(printf '%s\n' "$corpus_dir"/*.http | grep -c '\.http$')
	if [ "$rc" -eq 0 ] && [ "$ncorpus" -gt 0 ] && [ "$answered" -eq "$ncorpus" ] && [ "$after" = 200 ] &&
		! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error' "$tmp/$v-asan.err"; then
		ok "$v under ASan+UBSan: $answered corpus requests answered, two floods of 1,000, SIGTERM during the second: exit 0, no report"
	else
		not_ok "$v under ASan+UBSan survives the corpus, a flood and SIGTERM" \
			"exit $rc; corpus answered $answered of $ncorpus; GET after the flood: $after" \
			"$(tail -25 "$tmp/$v-asan.err")"
	fi
done

tap_done
