#!/usr/bin/env bash
# Chapter 05's own excerpts, run by `make chapter5-profile` (common/scripts/profile.sh).
# usage: profile-extra.sh build/<lesson>/lesson.spec OUTDIR
#
# Writes into OUTDIR, for the README's <!-- hp:excerpt NAME --> markers:
#   layout.txt       where each thread's struct stats lies, by byte, cache line and 128-byte line
#                    pair, in both variants' layouts (the helper layout.c, built here, includes
#                    optimized.c itself, so it prints the variant's own types and allocation)
#   worker-asm.txt   the naive worker's loop, disassembled: a call to decode each event and a call
#                    to record it, the counters' pointer held in a register
#   record-asm.txt   stats_record(), disassembled: every counter is read, changed and written back
#                    in memory through that pointer, once per event
# Callgrind cannot show this lesson's effect (it runs the threads one at a time and models no
# traffic between cores), so these are the profile: the layout, and the code that proves the
# writes really go to memory.
#
# The spec, sourced below, assigns dir, build, cflags and bin_naive.
# shellcheck disable=SC2154
set -euo pipefail

if [ $# -ne 2 ]; then
	echo "usage: profile-extra.sh build/<lesson>/lesson.spec OUTDIR" >&2
	exit 2
fi
spec=$1 out=$2
# shellcheck disable=SC1090
. "$spec"
helper=$build/layout

mkdir -p "$out" "$build"
# The variants' flags, so the helper sees the same struct layout and the same allocator.
# shellcheck disable=SC2086
$cflags -D_GNU_SOURCE -Icommon/include -I"$dir" "$dir/layout.c" "$dir/workload.c" build/common/libhp.a \
	-lm -lpthread -o "$helper"

tmp=$(mktemp "$out/.extra.XXXXXX")
trap 'rm -f "$tmp"' EXIT

{
	echo "# $helper 4   (built from $dir/layout.c by profile-extra.sh)"
	echo "# Four threads, to show the pattern; the lesson's parallel case runs the first two."
	echo
	"$helper" 4
} >"$tmp"
mv -f "$tmp" "$out/layout.txt"

# One function of a binary, without objdump's headers of empty sections.
disassemble() { # binary function
	objdump -d --no-show-raw-insn --disassemble="$2" "$1" |
		awk -v f="<$2>:" 'index($0, f) { on = 1 } on && /^$/ { exit } on { print }'
}

{
	echo "# objdump -d --no-show-raw-insn --disassemble=worker_run $bin_naive"
	echo
	disassemble "$bin_naive" worker_run
} >"$tmp"
mv -f "$tmp" "$out/worker-asm.txt"

{
	echo "# objdump -d --no-show-raw-insn --disassemble=stats_record $bin_naive"
	echo "# (workload.c: the same code in both variants)"
	echo
	disassemble "$bin_naive" stats_record
} >"$tmp"
mv -f "$tmp" "$out/record-asm.txt"

echo "profile-extra: $out/layout.txt, $out/worker-asm.txt, $out/record-asm.txt"
