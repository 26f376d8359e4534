#!/usr/bin/env bash
# The file-search case study (case-studies/file-search): every variant (naive,
# each step, optimized) against the reference
#   LC_ALL=C grep -rnIE PATTERN DIR | LC_ALL=C sort -t: -k1,1 -k2,2n
# on small edge trees: empty files, a file without a trailing newline, a 1 MiB
# line, binary files (a NUL in the first 32 KiB), names with spaces and a byte
# that is not UTF-8, hidden files, a symlink loop and symlinks to a file and a
# directory (not followed), an unreadable file and directory (run as nobody,
# since root reads everything); with -F and -i too; stdout and exit status must
# be grep's, and an error must name its path on stderr. Then the generator:
# the same arguments give the same tree, and a second call returns at once.
# About 10 s. Needs `make case-file-search-build` (BUILD=... honoured).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh

bin=${BUILD:-build}/case-studies/file-search
variants="naive compile_once d_type one_read prefilter optimized"
for v in $variants gentree; do
	if [ ! -x "$bin/$v" ]; then
		not_ok "$bin/$v is built" "build it with: make case-file-search-build"
		tap_done
	fi
done
tmp=$(mktemp -d /tmp/file-search-t.XXXXXX)
chmod 755 "$tmp"
trap 'chmod -R u+rwx "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT

# ---- the edge tree
t=$tmp/tree
mkdir -p "$t/sub dir/deep/er" "$t/.hidden" "$t/$(printf 'caf\xe9')"
: >"$t/empty.txt"
printf 'needle at the end, no newline' >"$t/no-newline.txt"
printf 'first\nneedle one\n\nsecond needle\nNEEDLE upper\n' >"$t/sub dir/with space.txt"
printf 'needle in a hidden file\n' >"$t/.hidden/h.txt"
printf 'x needle \xff\xfe bytes\n' >"$t/$(printf 'caf\xe9')/$(printf 'n\xe9e')"
printf 'a.b literal\naxb regex\nneedle+ plus\n' >"$t/sub dir/deep/er/dots.txt"
{ printf 'short needle\n'; head -c 1048576 /dev/zero | tr '\0' 'a'; printf 'needle\nafter\n'; } >"$t/long-line.txt"
printf 'needle\0binary\n' >"$t/binary.bin"
{ head -c 30000 /dev/zero | tr '\0' 'b'; printf '\0 needle\n'; } >"$t/binary-late.bin"
printf 'needle secret\n' >"$t/secret.txt"
mkdir "$t/locked" && printf 'needle locked\n' >"$t/locked/x.txt"
ln -s . "$t/loop"
ln -s no-newline.txt "$t/link-to-file"
ln -s "sub dir" "$t/link-to-dir"
chmod -R a+rX "$t"

run_case() { # DESC OPTS ARGS... : every variant against grep | sort; OPTS is "", -F, -i or -Fi
	local desc=$1 opts=$2 gflags=-rnI v out rc ref grc
	shift 2
	case $opts in *F*) gflags+=F ;; *) gflags+=E ;; esac
	case $opts in *i*) gflags+=i ;; esac
	ref=$(cd "$tmp" && LC_ALL=C grep "$gflags" "$@" 2>/dev/null | LC_ALL=C sort -t: -k1,1 -k2,2n)
	grc=$(cd "$tmp" && LC_ALL=C grep "$gflags" "$@" >/dev/null 2>&1; echo $?)
	for v in $variants; do
		out=$(cd "$tmp" && HP_REPORT=/dev/null "$bin/$v" $opts "$@" 2>/dev/null)
		rc=$(cd "$tmp" && HP_REPORT=/dev/null "$bin/$v" $opts "$@" >/dev/null 2>&1; echo $?)
		if [ "$out" == "$ref" ] && [ "$rc" == "$grc" ]; then
			ok "$v $desc"
		else
			not_ok "$v $desc" "exit $rc, grep's $grc" "$(diff <(echo "$ref") <(echo "$out") | cut -c1-150 | head -10)"
		fi
	done
}
bin=$(cd "$bin" && pwd)

run_case "ERE literal" "" needle tree
run_case "ERE with classes and anchors" "" '^[a-z]+ needle( |$)' tree
run_case "alternation (no prefilter literal)" "" 'upper|plus' tree
run_case "-F with metacharacters" -F 'needle+' tree
run_case "-F a.b" -F 'a.b' tree
run_case "-i" -i 'NeEdLe [a-z]+' tree
run_case "-F -i" -Fi 'NEEDLE' tree
run_case "no match (exit 1)" "" 'no such text' tree
run_case "empty pattern" "" '' "tree/sub dir"
run_case "trailing slash and two operands" "" needle tree/ "tree/sub dir"
run_case "a file operand" "" needle tree/no-newline.txt
run_case "a missing operand (exit 2)" "" needle tree/nonexistent

# ---- unreadable parts, as an unprivileged user
if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
	chmod 000 "$t/secret.txt" "$t/locked"
	for v in $variants; do
		err=$(cd "$tmp" && HP_REPORT=/dev/null setpriv --reuid=65534 --regid=65534 --clear-groups \
			"$bin/$v" needle tree 2>&1 >"$tmp/out.$v")
		rc=$?
		ref=$(cd "$tmp" && setpriv --reuid=65534 --regid=65534 --clear-groups \
			env LC_ALL=C grep -rnIE needle tree 2>/dev/null | LC_ALL=C sort -t: -k1,1 -k2,2n)
		if [ "$rc" = 2 ] && [ "$(cat "$tmp/out.$v")" == "$ref" ] &&
			grep -q 'tree/secret.txt' <<<"$err" && grep -q 'tree/locked' <<<"$err"; then
			ok "$v: unreadable file and directory named on stderr, the rest searched, exit 2"
		else
			not_ok "$v: unreadable file and directory" "exit $rc" "$err"
		fi
	done
	chmod 755 "$t/locked"
	chmod 644 "$t/secret.txt"
elif [ "$(id -u)" != 0 ]; then
	chmod 000 "$t/secret.txt" "$t/locked"
	for v in $variants; do
		err=$(cd "$tmp" && HP_REPORT=/dev/null "$bin/$v" needle tree 2>&1 >/dev/null)
		rc=$?
		if [ "$rc" = 2 ] && grep -q 'tree/secret.txt' <<<"$err"; then
			ok "$v: unreadable file named on stderr, exit 2"
		else
			not_ok "$v: unreadable file" "exit $rc" "$err"
		fi
	done
	chmod 755 "$t/locked"
	chmod 644 "$t/secret.txt"
else
	echo "# SKIP unreadable files: root without setpriv cannot be refused a read"
fi

# ---- the generator
g=$tmp/gen
mkdir -p "$g"
digest() { (cd "$1" && find . -print0 | LC_ALL=C sort -z | xargs -0 sha256sum 2>/dev/null | sha256sum); }
"$bin/gentree" --files 500 --seed 7 --out "$g/a" && "$bin/gentree" --files 500 --seed 7 --out "$g/b"
check "gentree: same arguments, same tree" test "$(digest "$g/a")" == "$(digest "$g/b")"
check "gentree: 500 files" test "$(find "$g/a" -type f | wc -l)" = 500
check "gentree: no ':' or newline in names" test -z "$(find "$g/a" -name '*:*' -o -name '*
*')"
start=$(date +%s%N)
"$bin/gentree" --files 500 --seed 7 --out "$g/a"
ms=$((($(date +%s%N) - start) / 1000000))
check "gentree: a second call returns at once (${ms} ms)" test "$ms" -lt 200
"$bin/gentree" --files 500 --seed 8 --out "$g/a"
check "gentree: other arguments rebuild the tree" test "$(digest "$g/a")" != "$(digest "$g/b")"
check "gentree: no half tree left behind" test ! -e "$g/a.tmp"
ref=$(LC_ALL=C grep -rnIE 'zqneedle_[0-9]+_[a-z]+' "$g/b" | LC_ALL=C sort -t: -k1,1 -k2,2n)
check "gentree: the rare token is there" test -n "$ref"
for v in $variants; do
	check "$v on a generated tree" test "$(HP_REPORT=/dev/null "$bin/$v" 'zqneedle_[0-9]+_[a-z]+' "$g/b")" == "$ref"
done
tap_done
