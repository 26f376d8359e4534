#!/usr/bin/env bash
# The ETL case study's own excerpt for `make case-etl-profile [DB=postgres]`:
#
#   keycost.txt  what the table itself costs the database's own loader, with
#                none of this study's code in the way. The rows the optimized
#                loader put in its table are exported, then loaded back by
#                sqlite3 .import (psql \copy for DB=postgres) into new
#                tables: text columns without a key (what the peer loads),
#                typed columns without a key, typed columns with the primary
#                key (the table every variant fills), and the same with the
#                optimized loader's way of writing it (SQLite: its page size
#                and WAL; PostgreSQL: two connections at once, each with half
#                of the rows). Median of 3 loads each.
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
# The spec sets id, build, bin_optimized, setup_default, args_default and, for DB=postgres, edition.
# shellcheck disable=SC2154
: "${id?}" "${build?}" "${bin_optimized?}" "${setup_default?}" "${args_default?}"
pg=
[ "${edition:-}" = postgres ] && pg=1 && export PGOPTIONS="-c client_min_messages=warning"
for tool in sqlite3 split; do
	command -v "$tool" >/dev/null || die "$tool is not installed (make deps)"
done
[ -z "$pg" ] || command -v psql >/dev/null || die "psql is not installed (make deps)"
mkdir -p "$out"
tmp=build/tmp/$id-extra
rm -rf "$tmp" && mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT

# The rows: the optimized loader's table, after a load of the default input.
# The spec's commands and arguments are words split on blanks, as hp-run splits them.
# shellcheck disable=SC2086
$setup_default >/dev/null
if [ -n "$pg" ]; then
	# shellcheck disable=SC2086
	HP_REPORT=/dev/null "$bin_optimized" --postgres env --quarantine "$tmp/q.txt" $args_default >/dev/null
	psql -qAt -v ON_ERROR_STOP=1 -c "\\copy users TO '$tmp/rows.txt'"
	rows=$(psql -qAt -c "SELECT count(*) FROM users")
	loader='psql \copy (text format)'
	split -n l/2 -d "$tmp/rows.txt" "$tmp/half."
else
	# shellcheck disable=SC2086
	HP_REPORT=/dev/null "$bin_optimized" --db "$tmp/opt.db" --quarantine "$tmp/q.txt" $args_default >/dev/null
	sqlite3 -csv "$tmp/opt.db" "SELECT * FROM users ORDER BY id" >"$tmp/rows.txt"
	rows=$(sqlite3 "$tmp/opt.db" "SELECT count(*) FROM users")
	loader='sqlite3 .import --csv'
fi

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# load_sqlite SETTINGS COLUMNS: one .import into a new database; prints its ms.
load_sqlite() {
	local db=$tmp/k.db t0
	rm -f "$db" "$db-wal" "$db-shm" "$db-journal"
	sync # the previous load's pages go to the disk now, not during this one
	t0=$(now_ms)
	sqlite3 "$db" "$1" "CREATE TABLE t ($2)" ".import --csv '$tmp/rows.txt' t" >/dev/null
	echo $(($(now_ms) - t0))
}

# load_pg COLUMNS PARTS: \copy into a new table from PARTS connections at once; prints its ms.
load_pg() {
	local t0 pids=() f
	psql -qAt -v ON_ERROR_STOP=1 -c "DROP TABLE IF EXISTS keycost" -c "CREATE TABLE keycost ($1)" >/dev/null
	psql -qAt -c "CHECKPOINT" >/dev/null
	sync
	t0=$(now_ms)
	if [ "$2" = 1 ]; then
		psql -qAt -v ON_ERROR_STOP=1 -c "\\copy keycost FROM '$tmp/rows.txt'" >/dev/null
	else
		for f in "$tmp"/half.*; do
			psql -qAt -v ON_ERROR_STOP=1 -c "\\copy keycost FROM '$f'" >/dev/null &
			pids+=($!)
		done
		for f in "${pids[@]}"; do wait "$f"; done
	fi
	echo $(($(now_ms) - t0))
}

median3() { printf '%s\n' "$@" | sort -n | sed -n 2p; }

text='id text, name text, email text, score text, signup_date text'
typed_pg='id bigint, name text NOT NULL, email text NOT NULL, score double precision NOT NULL, signup_date date NOT NULL'
keyed_pg=${typed_pg/id bigint/id bigint PRIMARY KEY}
typed_lite='id INTEGER, name TEXT NOT NULL, email TEXT NOT NULL, score REAL NOT NULL, signup_date TEXT NOT NULL'
keyed_lite=${typed_lite/id INTEGER/id INTEGER PRIMARY KEY}
pragmas='PRAGMA page_size = 65536; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL'

# measure LABEL COMMAND...: three loads in a row; the median and its rows/s.
results=()
measure() {
	local label=$1 a b c m
	shift
	a=$("$@") b=$("$@") c=$("$@")
	m=$(median3 "$a" "$b" "$c")
	results+=("$(printf '%-58s %8d %12d   (%s, %s, %s)' "$label" "$m" $((rows * 1000 / (m > 0 ? m : 1))) "$a" "$b" "$c")")
}
if [ -n "$pg" ]; then
	measure "text columns, no key (what the peer loads)" load_pg "$text" 1
	measure "typed columns, no key" load_pg "$typed_pg" 1
	measure "typed columns, primary key (the variants' table)" load_pg "$keyed_pg" 1
	measure "typed columns, primary key, 2 connections at once" load_pg "$keyed_pg" 2
	psql -qAt -c "DROP TABLE IF EXISTS keycost" >/dev/null
else
	measure "text columns, no key (what the peer loads)" load_sqlite "" "$text"
	measure "typed columns, no key" load_sqlite "" "$typed_lite"
	measure "typed columns, primary key (the variants' table)" load_sqlite "" "$keyed_lite"
	measure "typed columns, primary key, 64 KiB pages and WAL" load_sqlite "$pragmas" "$keyed_lite"
fi

{
	echo "# $rows rows (the optimized loader's table, exported), loaded by $loader into a new table"
	echo "# wall time of the loader's process, median of 3 (the three in parentheses)"
	printf '%-58s %8s %12s\n' "table" "ms" "rows/s"
	printf '%s\n' "${results[@]}"
} >"$out/keycost.txt"
cat "$out/keycost.txt"
