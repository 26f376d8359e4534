#!/usr/bin/env bash
# The peers of the ETL case study: the databases' own CSV loaders on the same
# file, with the loader's command line (the variants' arguments):
#
#   peer-import.sh [--db PATH | --postgres CONNINFO|env] [--quarantine FILE] [--limit N] FILE.csv
#
# SQLite: sqlite3 PATH ".import --csv --skip 1 FILE users_raw" into a fresh file.
# PostgreSQL: psql -c "\copy users_raw FROM FILE (FORMAT csv, HEADER)".
#
# What they do not do, and the page says so: no transform (no trim, no
# lowercase, no parsing of numbers or dates: every column is text), and no
# quarantine. .import keeps a short row (filling NULLs) and warns about the
# others. \copy stops at the first row whose field count is wrong and loads
# nothing, so it reads FILE.copyable.csv, which the generator writes beside
# FILE without those rows and without the unterminated quote at the end.
# --quarantine and --limit are accepted and ignored; it prints the row count
# of the table it filled.
#
# When HP_REPORT names a file (hp-run sets it), the load's own time goes there
# as the variants report theirs: time_ms from the start of the loader's
# process to its exit (so it includes starting sqlite3 or psql, which the
# variants' timed section does not), and rows_per_s, the rows it loaded per
# second of that time.
set -euo pipefail

now_ns() { date +%s%N; }

# report T0 T1 ROWS: the two metrics, as libhp's report API writes them.
report() {
	[ -n "${HP_REPORT:-}" ] || return 0
	local ms=$((($2 - $1) / 1000000))
	[ "$ms" -gt 0 ] || ms=1
	printf '{"name":"time_ms","value":%d,"unit":"ms","better":"lower"}\n' "$ms" >>"$HP_REPORT"
	printf '{"name":"rows_per_s","value":%d,"unit":"rows/s","better":"higher"}\n' \
		$(($3 * 1000 / ms)) >>"$HP_REPORT"
}
db=etl.db pg= input=
while [ $# -gt 0 ]; do
	case $1 in
	--db) db=$2; shift 2 ;;
	--postgres) pg=$2; shift 2 ;;
	--quarantine | --limit | --batch | --threads) shift 2 ;;
	--resume) shift ;;
	-*) echo "peer-import.sh: unknown option $1" >&2; exit 2 ;;
	*) input=$1; shift ;;
	esac
done
[ -n "$input" ] || { echo "peer-import.sh: no input file" >&2; exit 2; }
if [ -z "$pg" ]; then
	rm -f "$db" "$db-journal" "$db-wal" "$db-shm"
	t0=$(now_ns)
	sqlite3 "$db" "CREATE TABLE users_raw (id TEXT, name TEXT, email TEXT, score TEXT, signup_date TEXT)" \
		".import --csv --skip 1 '$input' users_raw" 2>/dev/null
	t1=$(now_ns)
	rows=$(sqlite3 "$db" 'SELECT count(*) FROM users_raw')
else
	export PGOPTIONS="-c client_min_messages=warning"
	conn=()
	[ "$pg" = env ] || [ "$pg" = - ] || conn=(-d "$pg")
	psql "${conn[@]}" -v ON_ERROR_STOP=1 -qAt \
		-c "DROP TABLE IF EXISTS users_raw" \
		-c "CREATE TABLE users_raw (id text, name text, email text, score text, signup_date text)" >/dev/null
	copyable=${input%.csv}.copyable.csv
	[ -f "$copyable" ] || { echo "peer-import.sh: no $copyable (made by gencsv)" >&2; exit 1; }
	t0=$(now_ns)
	psql "${conn[@]}" -v ON_ERROR_STOP=1 -qAt -c "\\copy users_raw FROM '$copyable' (FORMAT csv, HEADER)" >/dev/null
	t1=$(now_ns)
	rows=$(psql "${conn[@]}" -qAt -c 'SELECT count(*) FROM users_raw')
fi
report "$t0" "$t1" "$rows"
echo "loaded $rows"
