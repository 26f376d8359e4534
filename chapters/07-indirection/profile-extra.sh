#!/usr/bin/env bash
# Chapter 07's own excerpts for `make chapter7-profile`: the machine code of
# the sum case's hot loop in each variant, as the compiler of this build made
# it, for the README's <!-- hp:excerpt asm-naive --> and friends.
#
# usage: profile-extra.sh build/<lesson>/lesson.spec OUTDIR
#
# Writes OUTDIR/asm-naive.txt (the loop of ptr_array_sum in gvec.c and the
# callback it calls, score_of), OUTDIR/asm-unboxed.txt (the loop of
# val_array_sum) and OUTDIR/asm-optimized.txt (the loop of sum_scores, with
# reading_score inlined). Functions are found by symbol; GCC may rename a
# static function it specialized (sum_scores.isra.0, .constprop.0), so a
# name matches with any such suffix, but not its .cold part. "The loop" is
# the range from the target of the function's widest backward jump to that
# jump.
set -euo pipefail

# shellcheck source=common/scripts/lib/asm.sh
. common/scripts/lib/asm.sh

[ $# -eq 2 ] || die "usage: profile-extra.sh build/<lesson>/lesson.spec OUTDIR"
spec=$1 out=$2
# shellcheck disable=SC1090
. "$spec"
# The keys this script reads from the spec (written by common/mk/lesson-rules.mk).
id=${id:?the spec names no id} cflags=${cflags:-}
bin_n=${bin_naive:?the spec names no bin_naive}
bin_u=${bin_unboxed:?the spec names no bin_unboxed}
bin_o=${bin_optimized:?the spec names no bin_optimized}
for tool in objdump nm awk expand; do
	command -v "$tool" >/dev/null || die "$tool is not installed (binutils)"
done
mkdir -p "$out"

header() {
	echo "# $1"
	echo "# objdump -d --no-show-raw-insn $2 (AT&T syntax: source, destination)"
	echo "# built with: $cflags"
	echo
}

for b in "$bin_n" "$bin_u" "$bin_o"; do
	[ -x "$b" ] || die "no executable $b (make $id-build builds it)"
done

sym=$(symbol_of "$bin_n" ptr_array_sum)
cb=$(symbol_of "$bin_n" score_of)
{
	header "naive: the loop of $sym (gvec.c), then the callback it calls per reading, $cb (naive.c)" "$bin_n"
	echo "## $sym, the loop"
	disassemble "$bin_n" "$sym" | loop_only
	echo
	echo "## $cb, called through the pointer for every reading"
	disassemble "$bin_n" "$cb" | to_ret
} >"$out/asm-naive.txt.tmp"
mv -f "$out/asm-naive.txt.tmp" "$out/asm-naive.txt"

sym=$(symbol_of "$bin_u" val_array_sum)
{
	header "unboxed: the loop of $sym (gvec.c); it calls the same score_of as naive" "$bin_u"
	disassemble "$bin_u" "$sym" | loop_only
} >"$out/asm-unboxed.txt.tmp"
mv -f "$out/asm-unboxed.txt.tmp" "$out/asm-unboxed.txt"

sym=$(symbol_of "$bin_o" sum_scores)
{
	header "optimized: the loop of $sym (optimized.c), reading_score inlined" "$bin_o"
	disassemble "$bin_o" "$sym" | loop_only
} >"$out/asm-optimized.txt.tmp"
mv -f "$out/asm-optimized.txt.tmp" "$out/asm-optimized.txt"

echo "profile-extra: $out/asm-naive.txt, asm-unboxed.txt, asm-optimized.txt"
