#!/usr/bin/env bash
# Chapter 16 against PostgreSQL, a throwaway cluster on 127.0.0.1 started by
# common/scripts/postgres.sh:
#   1. the script starts the cluster, prints the PG* lines, and a second start
#      on the same directory reuses it (the same port);
#   2. both variants, with --db postgres, print byte-identical output, and it
#      is the SQLite run's output for the same arguments (the same rows
#      loaded, table digest, rejected rows and reasons), for two seeds, in
#      both durability modes;
#   3. the optimized variant's other answers to a failing row (--on-error
#      replay) give the same output, and --on-error statement, which relies on
#      SQLite's statement rollback, is refused with a clear message;
#   4. a stopped server: each variant exits non-zero with a message that
#      says it cannot connect, and leaves no output;
#   5. stop removes the directory (also done on exit, whatever happens).
# About 15 s. Skips when PostgreSQL's server is not installed. Run from
# anywhere; the binaries are taken from ${BUILD:-build} (make chapter16-build).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh

build=${BUILD:-build}
bindir=$build/chapters/16-batch-db-writes
script=common/scripts/postgres.sh
tmp=$build/tmp/db-postgres
svc=$tmp/service

if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 && ! command -v pg_ctl >/dev/null; then
	echo "1..0 # SKIP the PostgreSQL server is not installed (make deps installs it)"
	exit 0
fi
if [ ! -x "$bindir/naive" ] || [ ! -x "$bindir/optimized" ]; then
	not_ok "chapter 16 is built" "build it with: make BUILD=$build chapter16-build"
	tap_done
fi
rm -rf "$tmp" && mkdir -p "$tmp"
svc=$(realpath -m "$svc")
trap '"$script" stop "$svc" >/dev/null 2>&1' EXIT

# 1. Start, and start again.
if "$script" start "$svc" >"$tmp/env" 2>"$tmp/start.err" &&
	grep -q '^PGPORT=[0-9][0-9]*$' "$tmp/env" && grep -q '^PGHOST=127.0.0.1$' "$tmp/env"; then
	ok "postgres.sh start prints the PG* lines of a running server"
else
	not_ok "postgres.sh start prints the PG* lines of a running server" "$(cat "$tmp/env" "$tmp/start.err")"
	tap_done
fi
if "$script" start "$svc" >"$tmp/env2" 2>>"$tmp/start.err" && cmp -s "$tmp/env" "$tmp/env2"; then
	ok "a second start on the same directory reuses the running cluster"
else
	not_ok "a second start on the same directory reuses the running cluster" "$(cat "$tmp/env2" "$tmp/start.err")"
fi
while IFS='=' read -r k v; do
	export "$k=$v"
done <"$tmp/env"

# run VARIANT NAME ARGS...: stdout to $tmp/NAME.out, stderr to $tmp/NAME.err.
run() {
	local v=$1 name=$2
	shift 2
	HP_REPORT=/dev/null "$bindir/$v" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
}

# 2. The same output from both variants and both databases.
for seed in 1 5; do
	for dur in full relaxed; do
		args=(--size 250 --seed "$seed" --durability "$dur")
		what="seed $seed, durability $dur"
		if run naive lite "${args[@]}" && run naive pgn "${args[@]}" --db postgres &&
			run optimized pgo "${args[@]}" --db postgres; then
			ok "$what: every run succeeds"
		else
			not_ok "$what: every run succeeds" "$(cat "$tmp"/lite.err "$tmp"/pgn.err "$tmp"/pgo.err)"
			continue
		fi
		if cmp -s "$tmp/pgn.out" "$tmp/pgo.out"; then
			ok "$what: naive and optimized print the same on PostgreSQL"
		else
			not_ok "$what: naive and optimized print the same on PostgreSQL" \
				"$(diff "$tmp/pgn.out" "$tmp/pgo.out")"
		fi
		if cmp -s "$tmp/lite.out" "$tmp/pgn.out"; then
			ok "$what: PostgreSQL's output is SQLite's, byte for byte"
		else
			not_ok "$what: PostgreSQL's output is SQLite's, byte for byte" \
				"$(diff "$tmp/lite.out" "$tmp/pgn.out")"
		fi
		if grep -q '^rejected row .*: \(duplicate id\|score out of range\|missing name\)$' "$tmp/pgn.out"; then
			ok "$what: rejected rows are listed with their reasons"
		else
			not_ok "$what: rejected rows are listed with their reasons" "$(cat "$tmp/pgn.out")"
		fi
	done
done

# 3. The other answers to a failing row.
if run optimized replay --size 250 --seed 5 --db postgres --on-error replay && cmp -s "$tmp/replay.out" "$tmp/lite.out"; then
	ok "--on-error replay gives the same output on PostgreSQL"
else
	not_ok "--on-error replay gives the same output on PostgreSQL" "$(cat "$tmp/replay.err")"
fi
if ! run optimized stmt --size 20 --db postgres --on-error statement &&
	grep -q "PostgreSQL aborts the whole transaction" "$tmp/stmt.err"; then
	ok "--on-error statement is refused on PostgreSQL, saying why"
else
	not_ok "--on-error statement is refused on PostgreSQL, saying why" "$(cat "$tmp/stmt.err")"
fi

# 4. A stopped server.
"$script" stop "$svc" >/dev/null 2>"$tmp/stop.err"
if [ ! -e "$svc" ]; then
	ok "postgres.sh stop stops the cluster and removes its directory"
else
	not_ok "postgres.sh stop stops the cluster and removes its directory" "$(cat "$tmp/stop.err")"
fi
for v in naive optimized; do
	start=$(date +%s)
	run "$v" down --size 20 --db postgres
	status=$?
	if [ $status -ne 0 ] && grep -q "cannot connect to PostgreSQL" "$tmp/down.err" && [ ! -s "$tmp/down.out" ] &&
		[ $(($(date +%s) - start)) -lt 15 ]; then
		ok "$v: no server: exit $status within 15 s, with a clear message and no output"
	else
		not_ok "$v: no server: exit $status within 15 s, with a clear message and no output" \
			"$(cat "$tmp/down.err" "$tmp/down.out")"
	fi
done

tap_done
