#!/usr/bin/env bash
# The ETL case study (case-studies/etl): nothing lost, whatever the input or
# the failure. Every variant built under ${BUILD:-build}/case-studies/etl/:
#   1. quarantine: a generated file with every kind of bad record; each one is
#      in the quarantine file with its reason and the line it starts on,
#      loaded + quarantined = records, and every variant prints the same
#      counts and digest and writes the same quarantine file;
#   2. hostile CSV: quotes, commas and newlines in quoted fields, CRLF, a byte
#      order mark, no final newline, blanks, an empty file, a header alone;
#      the values in the table are checked one by one;
#   3. kill and resume: the optimized loader (and steps 3 to 5) killed
#      with SIGKILL at random points of a load, then rerun with --resume,
#      ends with exactly the table of a clean run (same digest, no duplicate);
#   4. errors: a missing directory, a read-only database, a duplicate id
#      (also inside a statement of 500 rows), a full disk (a small tmpfs, or
#      RLIMIT_FSIZE where mount is refused), an unwritable quarantine file, a
#      missing input, a PostgreSQL that is down: each gets a message and a
#      non-zero exit, never a success;
#   5. PostgreSQL: a throwaway cluster (common/scripts/postgres.sh); the
#      variants print the same as with SQLite for the same file.
# The databases of 1-3 live on a tmpfs when there is one (/dev/shm): the
# tests are about what is in the table, not about how fast it got there.
# About a minute. Needs `make case-etl-build` (and DB=postgres for `copy`).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh

bin=${BUILD:-build}/case-studies/etl
for tool in sqlite3 timeout; do
	if ! command -v "$tool" >/dev/null; then
		echo "1..0 # SKIP $tool is not installed (make deps installs it)"
		exit 0
	fi
done
if [ ! -x "$bin/optimized" ] || [ ! -x "$bin/gencsv" ]; then
	not_ok "the ETL case study is built" "build it with: make case-etl-build"
	tap_done
fi
variants=
for v in naive mmap_parser prepared batched pragmas multirow optimized; do
	[ -x "$bin/$v" ] && variants="$variants $v"
done
base=/dev/shm
[ -d "$base" ] && [ -w "$base" ] || base=${TMPDIR:-/tmp}
tmp=$(mktemp -d "$base/etl-test.XXXXXX")
chmod 755 "$tmp" # the postgres user owns the cluster of test 5 and must reach it
mnt=
cleanup() {
	[ -z "$mnt" ] || umount "$mnt" 2>/dev/null
	[ -z "${pgdir:-}" ] || common/scripts/postgres.sh stop "$pgdir" >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT

# run VARIANT NAME ARGS...: stdout to $tmp/NAME.out, stderr to $tmp/NAME.err; returns the status.
run() {
	local v=$1 name=$2
	shift 2
	"$bin/$v" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
}
count() { sed -n "s/^$1 //p" "$2"; }

# 1. Quarantine --------------------------------------------------------------
# 460 records: the bad ones are ids 50, 150, 250, 350, 450 (one reason each)
# and the unterminated quote of the last record.
"$bin/gencsv" --rows 460 --seed 7 --out "$tmp/q.csv"
first=
for v in $variants; do
	if ! run "$v" "q-$v" --db "$tmp/q-$v.db" --quarantine "$tmp/q-$v.txt" "$tmp/q.csv"; then
		not_ok "quarantine: $v loads the file" "$(cat "$tmp/q-$v.err")"
		continue
	fi
	first=${first:-$v}
	if [ "$v" != "$first" ]; then
		if cmp -s "$tmp/q-$first.out" "$tmp/q-$v.out" && cmp -s "$tmp/q-$first.txt" "$tmp/q-$v.txt"; then
			ok "quarantine: $v prints what $first prints and writes the same quarantine file"
		else
			not_ok "quarantine: $v prints what $first prints and writes the same quarantine file" \
				"$(diff "$tmp/q-$first.out" "$tmp/q-$v.out")" "$(diff "$tmp/q-$first.txt" "$tmp/q-$v.txt" | head)"
		fi
	fi
done
if [ -n "$first" ]; then
	out=$tmp/q-$first.out qf=$tmp/q-$first.txt
	read_n=$(count read "$out") loaded=$(count loaded "$out") quarantined=$(count quarantined "$out")
	if [ "$read_n" = 460 ] && [ $((loaded + quarantined)) = 460 ] && [ "$quarantined" = 6 ] &&
		[ "$(wc -l <"$qf")" = 6 ]; then
		ok "quarantine: 460 read = $loaded loaded + $quarantined quarantined, one line each"
	else
		not_ok "quarantine: 460 read = loaded + 6 quarantined" "$(cat "$out")" "$(cat "$qf")"
	fi
	reasons=$(cut -f2 "$qf" | sed 's/ (.*//' | sort | tr '\n' ',')
	want="bad date,bad id,bad score,stray quote,unterminated quote,wrong field count,"
	if [ "$reasons" = "$want" ]; then
		ok "quarantine: every reason appears once ($reasons)"
	else
		not_ok "quarantine: every reason appears once" "got:  $reasons" "want: $want"
	fi
	# The line of each entry is where its raw text starts in the file.
	bad_lines=
	while IFS=$'\t' read -r line _ raw; do
		head1=${raw%%\\n*}
		head1=${head1//\\r/$'\r'}
		got=$(sed -n "${line}p" "$tmp/q.csv" | tr -d '\r')
		[ "${got#"${head1%$'\r'}"}" != "$got" ] || [ -z "$head1" ] || bad_lines="$bad_lines $line"
	done <"$qf"
	if [ -z "$bad_lines" ]; then
		ok "quarantine: every entry names the line its record starts on"
	else
		not_ok "quarantine: every entry names the line its record starts on" "wrong:$bad_lines"
	fi
	rows=$(sqlite3 "$tmp/q-$first.db" "SELECT count(*) || ' ' || count(DISTINCT id) FROM users")
	if [ "$rows" = "$loaded $loaded" ]; then
		ok "quarantine: the table holds the $loaded loaded rows, each id once"
	else
		not_ok "quarantine: the table holds the loaded rows, each id once" "count, distinct: $rows"
	fi
fi

# 2. Hostile CSV -------------------------------------------------------------
# A BOM, CRLF and LF, quotes, commas and newlines in quoted fields, blanks
# around fields, an empty line, no final newline.
printf '\xef\xbb\xbfid,name,email,score,signup_date\r\n' >"$tmp/h.csv"
printf '1,"Lovelace, Ada",ADA@Example.COM,99.5,1815-12-10\r\n' >>"$tmp/h.csv"
printf '2,"Grace ""Amazing"" Hopper", grace@navy.MIL ,100,1906-12-09\n' >>"$tmp/h.csv"
printf '3,"two\nlines",x@y.z,-1.25,2000-02-29\n' >>"$tmp/h.csv"
printf '\n' >>"$tmp/h.csv"
printf '4,  Tab\tName  ,a@b.c,0.07,2024-02-29\r\n' >>"$tmp/h.csv"
printf '5,bad date,a@b.c,1,2023-02-29\n' >>"$tmp/h.csv"
printf '6,"unclosed ""x"" ,a@b.c,1,2000-01-01\n7,O\x27Brien,e@f.g,2.5,1999-12-31' >>"$tmp/h.csv"
printf '1,"O\x27Brien",e@f.g,2.5,1999-12-31' >"$tmp/h2.csv"
for v in naive optimized; do
	[ -x "$bin/$v" ] || continue
	run "$v" "h-$v" --db "$tmp/h-$v.db" --quarantine "$tmp/h-$v.txt" "$tmp/h.csv"
done
if cmp -s "$tmp/h-naive.out" "$tmp/h-optimized.out" && cmp -s "$tmp/h-naive.txt" "$tmp/h-optimized.txt"; then
	ok "hostile CSV: naive and optimized agree"
else
	not_ok "hostile CSV: naive and optimized agree" "$(diff "$tmp/h-naive.out" "$tmp/h-optimized.out")"
fi
got=$(sqlite3 -separator '|' "$tmp/h-optimized.db" \
	"SELECT id, name, email, printf('%.2f', score), signup_date FROM users ORDER BY id")
want=$'1|Lovelace, Ada|ada@example.com|99.50|1815-12-10\n2|Grace "Amazing" Hopper|grace@navy.mil|100.00|1906-12-09\n3|two\nlines|x@y.z|-1.25|2000-02-29\n4|Tab\tName|a@b.c|0.07|2024-02-29'
if [ "$got" = "$want" ]; then
	ok "hostile CSV: quoted commas, doubled quotes, newlines, CRLF, BOM and blanks load exactly"
else
	not_ok "hostile CSV: the values load exactly" "got:" "$got" "want:" "$want"
fi
if [ "$(tr '\n' ' ' <"$tmp/h-optimized.out" | cut -d' ' -f1-6)" = "read 6 loaded 4 quarantined 2" ] &&
	grep -q $'^8\tbad date\t5,bad date' "$tmp/h-optimized.txt" &&
	grep -q $'^9\tunterminated quote\t6,"unclosed ""x"" ,a@b.c,1,2000-01-01\\\\n7,O\'Brien' "$tmp/h-optimized.txt"; then
	ok "hostile CSV: the bad date and the quote left open to the end are quarantined with their lines"
else
	not_ok "hostile CSV: the bad rows are quarantined" "$(cat "$tmp/h-optimized.out" "$tmp/h-optimized.txt")"
fi
run optimized h2 --db "$tmp/h2.db" --quarantine "$tmp/h2.txt" "$tmp/h2.csv"
if [ "$(sqlite3 "$tmp/h2.db" "SELECT name FROM users")" = "O'Brien" ]; then
	ok "hostile CSV: a file without a header and without a final newline; O'Brien stays O'Brien"
else
	not_ok "hostile CSV: no header, no final newline" "$(cat "$tmp/h2.out" "$tmp/h2.err")"
fi
: >"$tmp/empty.csv"
printf 'id,name,email,score,signup_date\n' >"$tmp/header.csv"
for f in empty header; do
	for v in naive optimized; do
		run "$v" "$f-$v" --db "$tmp/$f.db" --quarantine "$tmp/$f.txt" "$tmp/$f.csv"
	done
	if [ "$(head -3 "$tmp/$f-naive.out" | tr '\n' ' ')" = "read 0 loaded 0 quarantined 0 " ] &&
		cmp -s "$tmp/$f-naive.out" "$tmp/$f-optimized.out" && [ ! -s "$tmp/$f.txt" ]; then
		ok "hostile CSV: the $f file loads nothing and quarantines nothing"
	else
		not_ok "hostile CSV: the $f file loads nothing" "$(cat "$tmp/$f-naive.out" "$tmp/$f-naive.err")"
	fi
done

# 3. Kill and resume ---------------------------------------------------------
"$bin/gencsv" --rows 300000 --seed 3 --out "$tmp/k.csv"
run optimized k-clean --db "$tmp/k-clean.db" --quarantine "$tmp/k-clean.txt" "$tmp/k.csv"
start=$(date +%s%N)
run optimized k-time --db "$tmp/k-time.db" --quarantine "$tmp/k-time.txt" "$tmp/k.csv"
full_ms=$((($(date +%s%N) - start) / 1000000))
kill_and_resume() { # VARIANT ROUND
	local v=$1 r=$2 db=$tmp/k-$1-$2.db ms killed=0
	ms=$((RANDOM % (full_ms * 8 / 10 + 1) + 20))
	"$bin/$v" --db "$db" --quarantine "$tmp/k-$v.txt" "$tmp/k.csv" >/dev/null 2>&1 &
	local pid=$!
	sleep "$(printf '0.%03d' "$ms")" 2>/dev/null || sleep 1
	kill -0 "$pid" 2>/dev/null && killed=1
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	local before
	before=$(sqlite3 "$db" "SELECT count(*) FROM users" 2>/dev/null || echo 0)
	run "$v" "k-$v-$r" --db "$db" --resume --quarantine "$tmp/k-$v.txt" "$tmp/k.csv"
	local rows
	rows=$(sqlite3 "$db" "SELECT count(*) || ' ' || count(DISTINCT id) FROM users")
	local what="kill and resume: $v killed at ${ms} ms ($([ $killed = 1 ] && echo "$before rows committed" || echo "it had finished")), rerun with --resume"
	if cmp -s "$tmp/k-clean.out" "$tmp/k-$v-$r.out" && cmp -s "$tmp/k-clean.txt" "$tmp/k-$v.txt" &&
		[ "$rows" = "$(count loaded "$tmp/k-clean.out") $(count loaded "$tmp/k-clean.out")" ]; then
		ok "$what: the table of a clean run, no duplicate"
	else
		not_ok "$what: the table of a clean run" "$(diff "$tmp/k-clean.out" "$tmp/k-$v-$r.out")" \
			"rows, distinct ids: $rows" "$(cat "$tmp/k-$v-$r.err")"
	fi
}
for r in 1 2 3 4; do kill_and_resume optimized "$r"; done
for v in batched pragmas multirow; do
	[ -x "$bin/$v" ] && kill_and_resume "$v" 1
done

# 4. Errors ------------------------------------------------------------------
# expect_error DESC PATTERN VARIANT ARGS...: a non-zero exit and PATTERN on stderr.
expect_error() {
	local what=$1 pattern=$2 v=$3
	shift 3
	if run "$v" err "$@"; then
		not_ok "error: $what: exits non-zero" "it exited 0 with:" "$(cat "$tmp/err.out")"
	elif ! grep -qi -- "$pattern" "$tmp/err.err"; then
		not_ok "error: $what: says so" "stderr:" "$(cat "$tmp/err.err")"
	elif [ -s "$tmp/err.out" ]; then
		not_ok "error: $what: prints no counts" "$(cat "$tmp/err.out")"
	else
		ok "error: $what: $(head -1 "$tmp/err.err")"
	fi
}
"$bin/gencsv" --rows 20000 --seed 5 --out "$tmp/e.csv"
for v in naive optimized; do
	expect_error "$v, database in a missing directory" "cannot open" "$v" --db "$tmp/no/such/dir/x.db" \
		--quarantine "$tmp/e.txt" "$tmp/e.csv"
	expect_error "$v, unwritable quarantine file" "quarantine" "$v" --db "$tmp/e.db" \
		--quarantine "$tmp/no/such/dir/q.txt" "$tmp/e.csv"
	expect_error "$v, missing input" "cannot read" "$v" --db "$tmp/e.db" --quarantine "$tmp/e.txt" "$tmp/nothing.csv"
	expect_error "$v, PostgreSQL down (connection refused)" "cannot connect to PostgreSQL" "$v" \
		--postgres "host=127.0.0.1 port=1 connect_timeout=3" --quarantine "$tmp/e.txt" "$tmp/e.csv"
done
# A duplicate id (record 700 repeats id 100) is the one error a well-formed
# row can meet in the table: inside a statement of 500 rows (multirow,
# optimized) too, the message names the row's own line.
{
	echo "id,name,email,score,signup_date"
	for i in $(seq 1 1200); do
		echo "$([ "$i" = 700 ] && echo 100 || echo "$i"),Ada $i,ada$i@example.com,1.5,2020-01-02"
	done
} >"$tmp/dup.csv"
for v in naive multirow optimized; do
	[ -x "$bin/$v" ] && expect_error "$v, a duplicate id" "line 701: duplicate id 100" "$v" --db "$tmp/dup.db" \
		--quarantine "$tmp/e.txt" "$tmp/dup.csv"
done
mnt=$tmp/mnt
mkdir -p "$mnt"
if mount -t tmpfs -o size=512k tmpfs "$mnt" 2>/dev/null; then
	expect_error "optimized, full disk (a 512 KiB tmpfs)" "full" optimized --db "$mnt/full.db" \
		--quarantine "$tmp/e.txt" "$tmp/e.csv"
	expect_error "batched, full disk (a 512 KiB tmpfs)" "full" batched --db "$mnt/full.db" \
		--quarantine "$tmp/e.txt" "$tmp/e.csv"
	"$bin/optimized" --db "$mnt/ro.db" --quarantine "$tmp/e.txt" --limit 10 "$tmp/e.csv" >/dev/null 2>&1
	if mount -o remount,ro "$mnt" 2>/dev/null; then
		expect_error "optimized, read-only database (--resume)" "read-only\|readonly" optimized --db "$mnt/ro.db" \
			--resume --quarantine "$tmp/e.txt" "$tmp/e.csv"
		expect_error "naive, read-only database" "read-only" naive --db "$mnt/ro.db" \
			--quarantine "$tmp/e.txt" "$tmp/e.csv"
	else
		ok "# SKIP read-only database: remount refused"
	fi
	umount "$mnt"
	mnt=
else
	# No mount here: a file size limit makes the disk full for this process.
	expect_error "optimized, full disk (ulimit -f 256)" "full\|large\|I/O" bash -c \
		"ulimit -f 256; exec $bin/optimized --db $tmp/full.db --quarantine $tmp/e.txt $tmp/e.csv"
	if [ "$(id -u)" != 0 ]; then
		cp "$tmp/q-$first.db" "$tmp/ro.db" && chmod 444 "$tmp/ro.db"
		expect_error "optimized, read-only database (--resume)" "read-only" optimized --db "$tmp/ro.db" \
			--resume --quarantine "$tmp/e.txt" "$tmp/e.csv"
	else
		ok "# SKIP read-only database: root ignores file modes and mount is refused"
	fi
fi

# 5. PostgreSQL --------------------------------------------------------------
if [ ! -x common/scripts/postgres.sh ]; then
	ok "# SKIP PostgreSQL: common/scripts/postgres.sh is missing"
	tap_done
fi
pgdir=$tmp/pg
if ! env_lines=$(common/scripts/postgres.sh start "$pgdir" 2>"$tmp/pg.err"); then
	not_ok "PostgreSQL: postgres.sh starts a cluster" "$(cat "$tmp/pg.err")"
	tap_done
fi
while IFS= read -r kv; do export "${kv?}"; done <<<"$env_lines"
pg_variants="$variants"
[ -x "$bin/copy" ] && pg_variants="$pg_variants copy"
for v in $pg_variants; do
	if run "$v" "pg-$v" --postgres env --quarantine "$tmp/pg-$v.txt" "$tmp/q.csv" &&
		cmp -s "$tmp/q-$first.out" "$tmp/pg-$v.out" && cmp -s "$tmp/q-$first.txt" "$tmp/pg-$v.txt"; then
		ok "PostgreSQL: $v prints what SQLite's $first prints (counts and digest) and the same quarantine"
	else
		not_ok "PostgreSQL: $v prints what SQLite prints" "$(diff "$tmp/q-$first.out" "$tmp/pg-$v.out")" \
			"$(cat "$tmp/pg-$v.err")"
	fi
done
# Killed and resumed on PostgreSQL too (parallel COPY connections commit out
# of order, and a killed client's server process can still commit its last
# COPY after the client is gone: about one run in four before db_reset waited).
run optimized pg-clean --postgres env --quarantine "$tmp/pgk.txt" "$tmp/k.csv"
for r in 1 2 3; do
	"$bin/optimized" --postgres env --quarantine "$tmp/pgk.txt" "$tmp/k.csv" >/dev/null 2>&1 &
	pid=$!
	ms=$((RANDOM % 700 + 100))
	sleep "0.$ms"
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	run optimized pg-resumed --postgres env --resume --quarantine "$tmp/pgk.txt" "$tmp/k.csv"
	if cmp -s "$tmp/pg-clean.out" "$tmp/pg-resumed.out" && cmp -s "$tmp/k-clean.out" "$tmp/pg-resumed.out"; then
		ok "PostgreSQL: optimized killed at $ms ms and resumed ends with the clean run's table"
	else
		not_ok "PostgreSQL: killed at $ms ms and resumed" "$(diff "$tmp/pg-clean.out" "$tmp/pg-resumed.out")" \
			"$(cat "$tmp/pg-resumed.err")"
	fi
done
common/scripts/postgres.sh stop "$pgdir" >/dev/null 2>&1
pgdir=
tap_done
