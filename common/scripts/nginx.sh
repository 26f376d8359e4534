#!/usr/bin/env bash
# nginx as the peer server of the network pages and the cross-check of hp-load.
#
#   nginx.sh start DIR [PORT]   start nginx on 127.0.0.1:PORT and print the port
#                               (PORT 0 or absent: a free port is picked)
#   nginx.sh stop DIR           stop it and wait until it is gone
#
# Everything nginx writes lives in DIR: the config, the pid file, the error
# log and the temp directories, so several instances can run side by side
# and nothing outside DIR is touched. It answers GET / with the body every
# hotpath server answers (HELLO_BODY below, Content-Type: application/json),
# keeps connections alive for as many requests as a load test sends, and
# writes no access log (a log line per request would cost more than the
# request). NGINX_KEEPALIVE_REQUESTS=N closes a kept-alive connection after
# N answers (the last one says "Connection: close"), as nginx does by
# default with N = 1000. GET /nginx_status is nginx's stub_status page (requests
# handled so far), for exact cross-checks of a load generator's count.
# One worker process: the comparisons in the book pin the server to one
# core, and one worker is what one core can run.
#
# Works as root (CI; the workers then run as root too, so they can read
# DIR) and as a normal user (the user directive is left out: nginx ignores
# it without root). nginx runs as a daemon with its pid file in DIR.
set -euo pipefail

# The body of GET / for every hotpath server. Kept here, in one place.
HELLO_BODY='{"message":"hello, world"}'

die() {
	echo "nginx.sh: $*" >&2
	exit 1
}

usage() {
	echo "usage: nginx.sh start DIR [PORT] | nginx.sh stop DIR" >&2
	exit 2
}

# Is something accepting connections on 127.0.0.1:$1? (bash's /dev/tcp; no curl needed)
port_answers() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Is process $1 alive? A zombie is not: the daemon's master is reparented to
# pid 1, which may take a second or more to reap it, and kill -0 still
# succeeds on a zombie (that wait cost every stop 1.2-1.4 s).
alive() {
	kill -0 "$1" 2>/dev/null || return 1
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[ "${stat%% *}" != Z ]
}

running_pid() {
	local pid
	[ -s "$1/nginx.pid" ] || return 1
	pid=$(<"$1/nginx.pid")
	alive "$pid" || return 1
	# A stale pid file may name a process that is not nginx any more: never signal that one.
	tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q nginx || return 1
	echo "$pid"
}

write_config() {
	local dir=$1 port=$2 user_line='' nofile
	# Without root, nginx warns that the user directive "makes sense only" with it.
	[ "$(id -u)" -eq 0 ] && user_line='user root;'
	# As many descriptors as this shell may have; the worker inherits the hard limit.
	nofile=$(ulimit -Hn)
	[ "$nofile" = unlimited ] && nofile=65536
	[ "$nofile" -gt 65536 ] && nofile=65536
	cat >"$dir/nginx.conf" <<EOF
# Written by common/scripts/nginx.sh; rewritten at every start.
$user_line
worker_processes 1;
daemon on;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
worker_rlimit_nofile $nofile;

events {
	worker_connections $((nofile - 32));
}

http {
	access_log off;
	log_not_found off;
	server_tokens off;
	client_body_temp_path $dir/tmp/body;
	proxy_temp_path $dir/tmp/proxy;
	fastcgi_temp_path $dir/tmp/fastcgi;
	uwsgi_temp_path $dir/tmp/uwsgi;
	scgi_temp_path $dir/tmp/scgi;
	# A load test sends millions of requests on one connection: never close it
	# for a count, unless NGINX_KEEPALIVE_REQUESTS says otherwise (chapter 21's
	# upstream keeps nginx's own default, 1000).
	keepalive_requests ${NGINX_KEEPALIVE_REQUESTS:-1000000000};
	keepalive_timeout 300s;

	server {
		listen 127.0.0.1:$port backlog=4096;
		location = / {
			default_type application/json;
			return 200 '$HELLO_BODY';
		}
		# nginx's own request counter, so a test can check a load generator's count exactly.
		location = /nginx_status {
			stub_status;
		}
	}
}
EOF
}

# Start on $2; returns 0, 98 when the port is taken (so the caller may try another), 1 otherwise.
try_start() {
	local dir=$1 port=$2 out
	write_config "$dir" "$port"
	# -e: the error log from the very start (the default path is not writable without root).
	if out=$(nginx -p "$dir/" -c "$dir/nginx.conf" -e "$dir/error.log" 2>&1); then
		return 0
	fi
	if grep -q 'Address already in use' <<<"$out" || grep -qs 'Address already in use' "$dir/error.log"; then
		return 98
	fi
	echo "$out" >&2
	return 1
}

start() {
	local dir=$1 port=${2:-0} tries rc=0
	command -v nginx >/dev/null || die "nginx is not installed (make deps installs it)"
	if ! [[ $port =~ ^[0-9]+$ ]] || [ "$port" -gt 65535 ]; then
		die "bad port: $port"
	fi
	mkdir -p "$dir/tmp"
	dir=$(cd "$dir" && pwd)
	if pid=$(running_pid "$dir"); then
		die "nginx already runs in $dir (pid $pid); stop it first"
	fi
	rm -f "$dir/nginx.pid"
	: >"$dir/error.log"

	if [ "$port" -ne 0 ]; then
		try_start "$dir" "$port" || rc=$?
		[ "$rc" -ne 98 ] || die "port $port is already in use"
	else
		# nginx cannot listen on port 0 and tell which port it got, so pick one below the
		# kernel's ephemeral range (32768 and up here), where clients' ports do not land,
		# and try another when it turns out to be taken.
		rc=98
		for tries in 1 2 3 4 5 6 7 8 9 10; do
			port=$((20000 + RANDOM % 12000))
			port_answers "$port" && continue
			rc=0
			try_start "$dir" "$port" || rc=$?
			[ "$rc" -eq 98 ] || break
		done
		[ "$rc" -ne 98 ] || die "no free port found after $tries tries"
	fi
	[ "$rc" -eq 0 ] || die "nginx did not start; see $dir/error.log"

	# The daemon has bound its socket before returning; wait until the worker answers.
	for _ in $(seq 100); do
		if port_answers "$port"; then
			echo "$port"
			return 0
		fi
		sleep 0.05
	done
	stop "$dir"
	die "nginx did not answer on 127.0.0.1:$port within 5 s; see $dir/error.log"
}

stop() {
	local dir=$1 pid workers
	pid=$(running_pid "$dir") || return 0
	# TERM is nginx's fast shutdown; the master exits after its worker has.
	kill -TERM "$pid" 2>/dev/null || true
	for _ in $(seq 500); do
		alive "$pid" || return 0
		sleep 0.01
	done
	echo "nginx.sh: nginx (pid $pid) did not stop within 5 s; killing it and its worker" >&2
	mapfile -t workers < <(pgrep -P "$pid")
	kill -KILL "$pid" "${workers[@]}" 2>/dev/null || true
	for _ in $(seq 40); do
		alive "$pid" || return 0
		sleep 0.05
	done
	die "nginx (pid $pid) is still running"
}

[ $# -ge 2 ] || usage
case $1 in
start)
	[ $# -le 3 ] || usage
	start "$2" "${3:-0}"
	;;
stop)
	[ $# -eq 2 ] || usage
	stop "$(cd "$2" 2>/dev/null && pwd || echo "$2")"
	;;
*) usage ;;
esac
