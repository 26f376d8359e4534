#!/usr/bin/env bash
# Bounded fuzzing of every parser of the harness (libFuzzer, clang, with
# ASan and UBSan): each target runs for FUZZ_SECONDS (default 20) from the
# seed corpus in tests/fuzz/corpus/<target>. A crash leaves its input in
# build/fuzz/ and is printed. Skipped when clang has no libFuzzer.
set -uo pipefail
seconds=${FUZZ_SECONDS:-20}
out=build/fuzz
mkdir -p "$out"
# Every tests/fuzz/fuzz_NAME.c is a target. It is built with common/src/NAME.c,
# or with the sources its "fuzz sources:" comment names (a case study's
# parser: case-studies/etl/csv.c).
targets=$(ls tests/fuzz/fuzz_*.c | sed 's|.*/fuzz_\(.*\)\.c|\1|')
n=0 failed=0
if ! printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }\n' |
	clang -fsanitize=fuzzer -x c - -o "$out/probe" 2>/dev/null; then
	echo "1..0 # SKIP clang with libFuzzer is not installed"
	exit 0
fi
for t in $targets; do
	n=$((n + 1))
	bin=$out/fuzz_$t
	srcs=$(sed -n 's|.*fuzz sources: *\([^*]*\).*|\1|p' "tests/fuzz/fuzz_$t.c" | head -1)
	# shellcheck disable=SC2086
	if ! clang -std=c17 -g -O1 -D_GNU_SOURCE -Icommon/include -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all "tests/fuzz/fuzz_$t.c" ${srcs:-common/src/$t.c} common/src/file.c \
		-o "$bin" 2>"$out/$t.build.log"; then
		failed=$((failed + 1))
		echo "not ok $n - fuzz_$t builds"
		sed 's/^/# /' "$out/$t.build.log"
		continue
	fi
	mkdir -p "$out/corpus-$t"
	if "$bin" -max_total_time="$seconds" -rss_limit_mb=1024 -artifact_prefix="$out/$t-" \
		"$out/corpus-$t" "tests/fuzz/corpus/$t" >"$out/$t.log" 2>&1; then
		echo "ok $n - fuzz_$t: $(grep -o 'Done [0-9]* runs' "$out/$t.log") in ${seconds} s, no crash"
	else
		failed=$((failed + 1))
		echo "not ok $n - fuzz_$t found a crash (input in $out/$t-*)"
		tail -30 "$out/$t.log" | sed 's/^/# /'
	fi
done
echo "1..$n"
[ $failed -eq 0 ]
