#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the database pages (chapter 16, DB=postgres).
#
#   postgres.sh start DIR   create a cluster in DIR/data (once), start it on
#                           127.0.0.1 and a free port, create the database
#                           "hotpath", and print the lines the clients need:
#                             PGHOST=127.0.0.1
#                             PGPORT=...
#                             PGUSER=...
#                             PGDATABASE=hotpath
#                           Exits 0 only when the server accepts connections.
#   postgres.sh stop DIR    stop it (pg_ctl stop -m fast) and remove DIR
#
# Everything lives in DIR: the data directory, the log, the unix socket; the
# server listens on 127.0.0.1 only and trusts local connections (-A trust),
# which is fine for a cluster that holds nothing and lives for one run.
# fsync stays on, and synchronous_commit too: a commit's wait for the disk is
# what chapter 16 measures. initdb refuses to run as root, so as root the
# cluster belongs to the `postgres` user (DIR is chowned to it). Starting on
# a DIR whose cluster runs already reuses it. Every wait is bounded; the
# diagnostics go to stderr, with the server's log when it does not start.
set -euo pipefail

die() {
	echo "postgres.sh: $*" >&2
	exit 1
}

usage() {
	echo "usage: postgres.sh start DIR | postgres.sh stop DIR" >&2
	exit 2
}

[ $# -eq 2 ] || usage
cmd=$1 dir=$2
case $cmd in start | stop) ;; *) usage ;; esac

# The newest installed server (Debian: /usr/lib/postgresql/<version>/bin).
bin=
for d in /usr/lib/postgresql/*/bin; do
	[ -x "$d/pg_ctl" ] && bin=$d
done
[ -n "$bin" ] || bin=$(dirname "$(command -v pg_ctl 2>/dev/null || echo /nonexistent/pg_ctl)")
[ -x "$bin/pg_ctl" ] || die "no PostgreSQL server found (apt-get install postgresql; make deps installs it)"

# Run a server program as the cluster's owner: `postgres` when we are root.
as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

dir=$(realpath -m "$dir")
# As root the cluster belongs to the postgres user, who may not be able to
# reach DIR (a clone under /root, mode 700): then the cluster lives in
# /tmp, in a directory named after DIR, and DIR/cluster points to it.
away=${TMPDIR:-/tmp}/hotpath-postgres-$(printf '%s' "$dir" | md5sum | cut -c1-12)

if [ "$cmd" = stop ]; then
	for home in "$dir" "$away"; do
		if [ -f "$home/data/postmaster.pid" ]; then
			as_owner "$bin/pg_ctl" -D "$home/data" -m fast -t 30 -w stop >/dev/null 2>"$home/stop.err" ||
				echo "postgres.sh: pg_ctl stop failed: $(tail -3 "$home/stop.err")" >&2
		fi
	done
	rm -rf "$dir" "$away"
	exit 0
fi

mkdir -p "$dir"
home=$dir
if [ "$(id -u)" -eq 0 ]; then
	id postgres >/dev/null 2>&1 || die "running as root, and there is no postgres user to own the cluster"
	chown postgres: "$dir"
	# The owner must reach DIR: every directory above it must be searchable.
	if ! as_owner test -x "$dir"; then
		home=$away
		mkdir -p "$home" && chown postgres: "$home" && chmod 700 "$home"
		ln -sfn "$home" "$dir/cluster"
		as_owner test -x "$home" || die "the postgres user can reach neither $dir nor $home"
	fi
fi
data=$home/data
owner=$(as_owner id -un)

# A running cluster in DIR is reused; a stale one (server gone) is stopped first.
if [ -f "$data/postmaster.pid" ] && as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
	port=$(sed -n 4p "$data/postmaster.pid")
else
	if [ ! -f "$data/PG_VERSION" ]; then
		as_owner "$bin/initdb" -D "$data" -A trust -U "$owner" -E UTF8 --locale=C.UTF-8 >"$home/initdb.log" 2>&1 ||
			die "initdb failed: $(tail -5 "$home/initdb.log")"
	fi
	# A free port: try one from a range until the server binds it (another may take it first).
	port=
	for _ in 1 2 3 4 5 6 7 8; do
		p=$((20000 + RANDOM % 20000))
		if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			continue
		fi
		if as_owner "$bin/pg_ctl" -D "$data" -l "$home/server.log" -w -t 30 -o \
			"-c listen_addresses=127.0.0.1 -c port=$p -c unix_socket_directories=$home -c fsync=on" \
			start >/dev/null 2>>"$home/start.err"; then
			port=$p
			break
		fi
		grep -q "could not bind\|Address already in use" "$home/server.log" 2>/dev/null ||
			die "the server did not start: $(tail -5 "$home/server.log" 2>/dev/null) $(tail -3 "$home/start.err")"
	done
	[ -n "$port" ] || die "no free port found for the server: $(tail -5 "$home/server.log" 2>/dev/null)"
fi

# Accepting connections, within 30 s, and the database exists.
for _ in $(seq 60); do
	"$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -t 1 && break
	sleep 0.5
done
"$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -t 1 ||
	die "the server on 127.0.0.1:$port does not accept connections: $(tail -5 "$home/server.log" 2>/dev/null)"
if ! "$bin/psql" -h 127.0.0.1 -p "$port" -U "$owner" -d postgres -Atqc \
	"SELECT 1 FROM pg_database WHERE datname = 'hotpath'" | grep -q 1; then
	"$bin/createdb" -h 127.0.0.1 -p "$port" -U "$owner" hotpath || die "createdb hotpath failed"
fi
echo "PGHOST=127.0.0.1"
echo "PGPORT=$port"
echo "PGUSER=$owner"
echo "PGDATABASE=hotpath"
