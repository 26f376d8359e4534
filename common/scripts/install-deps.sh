#!/usr/bin/env bash
# Install what hotpath needs and is missing, with apt-get (Debian 12).
# Says exactly what it installs. Without root it prints the command instead.
# `make deps` runs it; `make compare` and `make test` call `make deps`.
set -euo pipefail

# package: what it is for
packages=(
	gcc:"the compiler (C17)"
	clang:"libFuzzer targets of the parsers (tests/fuzz)"
	clang-format:"make format-check"
	make:"the build"
	libc6-dev:"C library headers"
	valgrind:"callgrind instruction counts, memcheck, massif"
	linux-perf:"perf record/report in the profile targets"
	gnuplot-nox:"charts"
	pandoc:"the book (HTML)"
	libcmocka-dev:"C unit tests"
	perl:"prove, the test runner"
	jq:"JSON checks in the tests"
	chromium:"the docs test loads the pages in headless Chromium"
	fonts-dejavu-core:"fonts for charts and screenshots"
	git:"the commit recorded in every result"
	libjemalloc2:"chapter 11: jemalloc, preloaded as a variant"
	libmimalloc2.0:"chapter 11: mimalloc, preloaded as a variant"
	nginx:"the peer server of the network pages (started on 127.0.0.1 by common/scripts/nginx.sh)"
	wrk:"the cross-check of hp-load in tests/net"
	libsqlite3-dev:"chapter 16: SQLite, the embedded database the lessons write to"
	sqlite3:"the sqlite3 shell, a peer of the ETL case study (.import)"
	postgresql:"DB=postgres: a throwaway cluster on 127.0.0.1 (common/scripts/postgres.sh)"
	libpq-dev:"DB=postgres: the PostgreSQL client library (libpq)"
	ripgrep:"the file-search case study's peer (rg), beside GNU grep"
	strace:"system-call counts in the profile excerpts (chapters 15, 16)"
	tcpdump:"chapter 20: the packets of a few responses on the loopback (make chapter20-profile)"
)

missing=()
for entry in "${packages[@]}"; do
	pkg=${entry%%:*}
	if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$pkg")
	fi
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: everything is installed"
	exit 0
fi

echo "deps: missing packages:"
for entry in "${packages[@]}"; do
	pkg=${entry%%:*}
	for m in "${missing[@]}"; do
		[ "$m" = "$pkg" ] && printf '  %-18s %s\n' "$pkg" "${entry#*:}"
	done
done

cmd=(apt-get install -y --no-install-recommends "${missing[@]}")
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: not root; run this, then make again:"
	echo "  sudo apt-get update && sudo ${cmd[*]}"
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
echo "deps: apt-get update"
apt-get update -qq
echo "deps: ${cmd[*]}"
"${cmd[@]}" >/tmp/hotpath-apt.log 2>&1 || { tail -20 /tmp/hotpath-apt.log; echo "deps: apt-get failed" >&2; exit 1; }
echo "deps: installed ${missing[*]}"
