#!/usr/bin/env bash
# Chapter 06's own excerpt, run by `make chapter6-profile` (common/scripts/profile.sh), which
# also writes branches.txt (lesson_branch_sim := yes):
#
#   layout.txt    where GCC put the error path: the section and size of report() and of
#                 main's cold part in the lazy and optimized object files, and the calls and
#                 jumps of the timed loop in both binaries.
#
# usage: profile-extra.sh build/<dir>/lesson.spec OUTDIR
set -euo pipefail

if [ $# -ne 2 ]; then
	echo "usage: profile-extra.sh build/<dir>/lesson.spec OUTDIR" >&2
	exit 2
fi
spec=$1
out=$2
# The spec is key='value' lines written by make (common/mk/lesson-rules.mk).
# shellcheck disable=SC1090
. "$spec"

spec_get() {
	local name=$1
	printf '%s' "${!name-}"
}

objdir=$(spec_get build)
for tool in objdump awk; do
	command -v "$tool" >/dev/null || {
		echo "profile-extra: $tool is not installed" >&2
		exit 2
	}
done

mkdir -p "$out"
work=$(mktemp -d "$out/.extra.XXXXXX")
trap 'rm -rf "$work"' EXIT

# -------------------------------------------------------------------- layout

# The calls and jumps of main's timed loop, between hp_section_begin and hp_section_end.
# awk reads to the end, so objdump never dies of SIGPIPE (which pipefail would make fatal).
loop_branches() {
	objdump -d --no-show-raw-insn --disassemble=main "$1" |
		awk '/<hp_section_end>/ { go = 0; done = 1 }
		     go && $2 ~ /^(call|j[a-z]+)$/ { sub(/^ +/, ""); gsub(/\t/, "  "); gsub(/ +/, " "); print "  " $0 }
		     /<hp_section_begin>/ && !done { go = 1 }'
}

{
	echo "# Where GCC put the error path (gcc -O2 -g; validate() and the checks are inlined into main)."
	echo "# objdump -t of the object files: the section of each function and its size in bytes."
	echo
	for v in lazy optimized; do
		objdump -t "$objdir/$v.o" |
			awk -v o="$v.o" '
				function hex(s, i, n) {
					for (i = 1; i <= length(s); i++)
						n = n * 16 + index("0123456789abcdef", substr(tolower(s), i, 1)) - 1
					return n
				}
				$NF ~ /^(report|main|main\.cold)$/ && $3 == "F" {
					printf "%-13s %-10s %-15s %5d\n", o, $NF, $4, hex($5) }'
	done
	for v in lazy optimized; do
		echo
		echo "# The timed loop of $v: its calls and jumps (objdump -d --no-show-raw-insn)."
		loop_branches "$(spec_get "bin_$v")"
	done
} >"$work/layout.txt"
mv -f "$work/layout.txt" "$out/layout.txt"
echo "profile-extra: wrote $out/layout.txt" >&2
