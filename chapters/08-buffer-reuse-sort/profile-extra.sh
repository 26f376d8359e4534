#!/usr/bin/env bash
# Chapter 08's own excerpt, run by `make chapter8-profile` (common/scripts/profile.sh), which
# also writes branches.txt (lesson_branch_sim := yes):
#
#   comparator-trap.txt  what comparator-trap.c prints when built with GCC's
#                        -fsanitize=undefined (the sanitizer's messages included), GCC's
#                        -Wsign-conversion warning, and the message clang's
#                        -fsanitize=implicit-conversion adds for the uint32_t comparator,
#                        which UBSan does not flag.
#
# usage: profile-extra.sh build/<lesson>/lesson.spec OUTDIR
#
# The spec, sourced below, assigns dir and build.
# shellcheck disable=SC2154
set -euo pipefail

die() {
	echo "profile-extra: $*" >&2
	exit 2
}

[ $# -eq 2 ] || die "usage: profile-extra.sh build/<lesson>/lesson.spec OUTDIR"
spec=$1 out=$2
# shellcheck disable=SC1090
. "$spec"
for tool in cc; do
	command -v "$tool" >/dev/null || die "$tool is not installed (make deps installs it)"
done
mkdir -p "$out" "$build"
work=$(mktemp -d "$out/.extra.XXXXXX")
trap 'rm -rf "$work"' EXIT

# ----------------------------------------------------------- comparator trap

src=$dir/comparator-trap.c
{
	echo "# $src built with: cc -std=c17 -O2 -g -fsanitize=undefined; run, stderr included."
	echo "# Lines that start with the file name are the sanitizer's."
	echo
	cc -std=c17 -O2 -g -fsanitize=undefined "$src" -o "$build/comparator-trap" 2>"$work/cc.err" ||
		{ cat "$work/cc.err" >&2; die "cannot build $src"; }
	"$build/comparator-trap" 2>&1
	echo
	echo "# GCC at compile time, with -Wsign-conversion (which -Wall and -Wextra do not enable):"
	LC_ALL=C cc -std=c17 -Wsign-conversion -fsyntax-only "$src" 2>&1 | { grep -E 'warning|^ +[0-9]+ \|' || true; }
	echo
	if command -v clang >/dev/null; then
		echo "# The same file built with: clang -std=c17 -O2 -g -fsanitize=implicit-conversion;"
		echo "# its runtime errors only (it reports each place once):"
		clang -std=c17 -O2 -g -fsanitize=implicit-conversion "$src" -o "$build/comparator-trap-clang" \
			2>"$work/cc.err" || { cat "$work/cc.err" >&2; die "clang cannot build $src"; }
		"$build/comparator-trap-clang" 2>&1 >/dev/null | { grep 'runtime error' || true; }
	else
		echo "# clang is not installed: no run with -fsanitize=implicit-conversion."
	fi
} >"$work/comparator-trap.txt"
mv -f "$work/comparator-trap.txt" "$out/comparator-trap.txt"
echo "profile-extra: wrote $out/comparator-trap.txt" >&2
