# Shell helpers for the profile-extra.sh scripts of server lessons
# (chapters 18 and 20). Sourced after the lesson's spec, with tmp set to a
# private directory; they die with a message naming what went wrong.
#
#   server_start VARIANT CPU   start the variant's server on CPU (taskset)
#                              with --port 0 and wait for its "ready" line;
#                              sets server_pid and server_port, and kills the
#                              server if the script exits before server_stop
#   server_stop                SIGTERM, and fail unless it exits 0

server_start() {
	local bin_var=bin_$1
	taskset -c "$2" "${!bin_var}" --port 0 2>"$tmp/$1.err" >/dev/null &
	server_pid=$!
	trap 'kill "${server_pid:-}" 2>/dev/null || true' EXIT
	for _ in $(seq 1 500); do
		server_port=$(sed -n 's/^ready port=\([0-9]*\).*/\1/p' "$tmp/$1.err")
		[ -z "$server_port" ] || return 0
		sleep 0.02
	done
	echo "profile-extra: $1 did not get ready: $(cat "$tmp/$1.err")" >&2
	kill "$server_pid"
	exit 1
}

server_stop() {
	kill -TERM "$server_pid"
	wait "$server_pid" || { echo "profile-extra: the server did not stop cleanly" >&2; exit 1; }
	server_pid=
	trap - EXIT
}
