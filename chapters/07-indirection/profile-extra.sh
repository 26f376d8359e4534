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

die() {
	echo "profile-extra: $*" >&2
	exit 2
}

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

# The symbol of function NAME in BIN, with any GCC suffix; dies when there is none.
symbol_of() {
	local bin=$1 name=$2 sym
	sym=$(nm "$bin" | awk -v n="$name" '
		$2 ~ /^[tT]$/ && ($3 == n || index($3, n ".") == 1) && $3 !~ /\.cold$/ { print $3; exit }')
	[ -n "$sym" ] || die "no function $name in $bin (was it inlined? it must stay noinline)"
	printf '%s' "$sym"
}

# The disassembly of one function: its instruction lines only, tabs expanded.
disassemble() {
	local bin=$1 sym=$2
	objdump -d --no-show-raw-insn --disassemble="$sym" "$bin" |
		awk -v s="<$sym>:" 'index($0, s) { on = 1; next } on && /^$/ { exit } on' |
		expand -t 8
}

# Instruction lines on stdin -> the loop: from the target of the widest backward jump to the jump.
loop_only() {
	awk '
		function hex(s,    i, v) {
			v = 0
			for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
			return v
		}
		{ line[NR] = $0; split($1, a, ":"); addr[NR] = hex(a[1]) }
		$2 ~ /^j/ && $3 ~ /^[0-9a-f]+$/ {
			to = hex($3)
			if (to <= addr[NR] && (best == "" || addr[NR] - to > hi - lo)) { lo = to; hi = addr[NR]; best = 1 }
		}
		END {
			if (best == "") { print "(no loop found)"; exit }
			for (i = 1; i <= NR; i++) if (addr[i] >= lo && addr[i] <= hi) print line[i]
		}'
}

# Instruction lines on stdin -> up to and including the first ret (the padding after it goes).
to_ret() {
	awk '{ print } $2 == "ret" { exit }'
}

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
