#!/usr/bin/env bash
# common/scripts/profile.sh (make chapterN-profile) on a tiny lesson of its
# own, so the test depends on no chapter: tests/harness/data/tiny.c built
# twice (-DTINY_POOL=0 is "naive", one malloc per record; =1 is "optimized",
# one array), a hand-written spec with two cases, and PROFILE_OUT / IMG_OUT
# pointing into build/tmp so nothing is written to results/ or docs/.
#
# Run 1 checks that every file the lesson READMEs and the report tool rely
# on exists under its contracted name and holds what it should. Run 2 checks
# the two ways a profile can go wrong: perf refused by the kernel (simulated
# by a stand-in perf that answers as a paranoid kernel does) is a note and
# not a failure; a variant that crashes leaves a file that says FAILED and
# makes the script exit non-zero.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1

for tool in valgrind callgrind_annotate ms_print gnuplot; do
	if ! command -v "$tool" >/dev/null; then
		echo "1..0 # SKIP $tool is not installed (make deps installs it)"
		exit 0
	fi
done

variants=(naive optimized)
cases=(sum twice)
# Per variant and case: 4 files; per case: 2 images; plus the checks below.
echo "1..$((2 + ${#variants[@]} * ${#cases[@]} * 4 + ${#cases[@]} * 2 + 5 + 4))"

n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1))
	echo "not ok $n - $1"
	shift
	for line in "$@"; do printf '%s\n' "$line" | sed 's/^/#   /'; done
}
check() { # check DESCRIPTION COMMAND...: ok when the command succeeds, else show the file it names
	local what=$1
	shift
	if "$@"; then
		ok "$what"
	else
		not_ok "$what" "$(head -n 20 "$2" 2>&1)"
	fi
}
has_all() { # has_all FILE ERE...: the file matches every pattern
	local f=$1 re
	shift
	for re in "$@"; do grep -qE -- "$re" "$f" || return 1; done
}
lacks() { ! grep -qE -- "$2" "$1"; }
rows_at_least() { [ "$(grep -cE '^[0-9]+ [0-9]+ [0-9]+ [0-9]+$' "$1")" -ge "$2" ]; }
is_png() { [ "$(head -c 4 "$1" | od -An -c | tr -d ' ')" = '211PNG' ]; }
no_scratch() { [ -z "$(find "$@" -name '.*' ! -name . 2>/dev/null)" ]; }

tmp=build/tmp/profile
rm -rf "$tmp"
mkdir -p "$tmp"
libhp=build/common/libhp.a
if [ ! -r "$libhp" ]; then
	not_ok "$libhp exists" "build it with: make $libhp"
	exit 1
fi

# The same flags as the tree (common/mk/flags.mk); a warning is a failure here.
build_ok=1
for v in 0 1; do
	name=${variants[$v]}
	if ! ${CC:-cc} -D_GNU_SOURCE -std=c17 -O2 -g -Wall -Wextra -Wshadow -Wstrict-prototypes -Werror \
		-Icommon/include -DTINY_POOL=$v tests/harness/data/tiny.c "$libhp" -lm -lpthread \
		-o "$tmp/tiny-$name" 2>"$tmp/cc-$name.err"; then
		build_ok=0
	fi
done
if [ $build_ok = 1 ]; then
	ok "tests/harness/data/tiny.c builds without warnings, as naive and optimized"
else
	not_ok "tests/harness/data/tiny.c builds without warnings" "$(cat "$tmp"/cc-*.err)"
	exit 1
fi

cat >"$tmp/tiny.spec" <<SPEC
dir='tests/tiny'
id='tiny'
kind='batch'
variants='naive optimized'
bin_naive='$tmp/tiny-naive'
bin_optimized='$tmp/tiny-optimized'
cases='sum twice'
case_sum='--mode sum'
case_twice='--mode twice'
title='Tiny lesson'
args_small='--size 2000'
args_default='--size 20000'
args_large=''
args_count='--size 2000'
timeout='30'
SPEC

out=$tmp/out
img=$tmp/img
if PROFILE_OUT=$out IMG_OUT=$img timeout 600 common/scripts/profile.sh "$tmp/tiny.spec" small \
	>"$tmp/run1.log" 2>&1; then
	ok "profile.sh exits 0 on a lesson whose variants work"
else
	not_ok "profile.sh exits 0 on a lesson whose variants work" "$(tail -n 20 "$tmp/run1.log")"
fi

for c in "${cases[@]}"; do
	for v in "${variants[@]}"; do
		f=$out/perf-$v-$c.txt
		# Where perf is refused or missing the file is a note that says so, which is as intended.
		check "$f: a perf report, or a note that perf was not available" \
			has_all "$f" '^## Self time per symbol|not measured'
		f=$out/callgrind-$v-$c.txt
		check "$f: callgrind's totals and main among the functions" \
			has_all "$f" 'PROGRAM TOTALS' ':main '
		f=$out/massif-$v-$c.txt
		check "$f: ms_print's graph and the peak snapshot" \
			has_all "$f" 'Detailed snapshots' '^## The peak'
		f=$out/massif-$v-$c.dat
		check "$f: at least two heap samples of four numbers" rows_at_least "$f" 2
	done
	check "$img/tiny-heap-$c.svg is an SVG image" has_all "$img/tiny-heap-$c.svg" '<svg'
	check "$img/tiny-heap-$c.png is a PNG image" is_png "$img/tiny-heap-$c.png"
done

# The naive variant allocates each of its 2000 records; the optimized one makes a single array.
check "the naive peak is many hp_xmalloc blocks, not one array" lacks "$out/massif-naive-sum.txt" hp_xmalloc_array
check "the optimized peak is the one hp_xmalloc_array" has_all "$out/massif-optimized-sum.txt" hp_xmalloc_array
check "no scratch files are left in the output directories" no_scratch "$out" "$img"
if [ ! -e results/tests/tiny ] && ! compgen -G "docs/img/tiny-heap-*" >/dev/null; then
	ok "nothing was written to results/tests/tiny or docs/img/tiny-*"
else
	not_ok "nothing was written to results/tests/tiny or docs/img/tiny-*"
fi
check "the last lines say where the outputs are" has_all "$tmp/run1.log" "^profile: outputs in $out/"

# Run 2: perf refused, and a variant that crashes.
cat >"$tmp/perf-refused" <<'PERF'
#!/bin/sh
echo "Error:" >&2
echo "Access to performance monitoring and observability operations is limited." >&2
echo "Consider adjusting /proc/sys/kernel/perf_event_paranoid setting." >&2
exit 255
PERF
cat >"$tmp/broken" <<'BROKEN'
#!/bin/sh
echo "fatal: broken on purpose" >&2
exit 3
BROKEN
chmod +x "$tmp/perf-refused" "$tmp/broken"
sed -e "s|^variants=.*|variants='naive broken'|" -e "s|^bin_optimized=.*|bin_broken='$tmp/broken'|" \
	-e "s|^cases=.*|cases='sum'|" "$tmp/tiny.spec" >"$tmp/broken.spec"
out2=$tmp/out2
PERF=$tmp/perf-refused PROFILE_OUT=$out2 IMG_OUT=$tmp/img2 timeout 600 \
	common/scripts/profile.sh "$tmp/broken.spec" small >"$tmp/run2.log" 2>&1
rc=$?
if [ $rc = 1 ]; then
	ok "profile.sh exits 1 when a variant fails"
else
	not_ok "profile.sh exits 1 when a variant fails" "exit status $rc" "$(tail -n 20 "$tmp/run2.log")"
fi
check "a refused perf gives a note naming perf_event_paranoid" \
	has_all "$out2/perf-naive-sum.txt" 'not measured: the kernel refused perf \(kernel\.perf_event_paranoid'
check "the failed variant's profile says FAILED and quotes its stderr" \
	has_all "$out2/callgrind-broken-sum.txt" '^# FAILED' 'broken on purpose'
check "the working variant is still profiled beside it" has_all "$out2/callgrind-naive-sum.txt" 'PROGRAM TOTALS'
