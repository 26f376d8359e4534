#!/usr/bin/env bash
# The harness must tell the truth about pairs whose truth is known
# (tests/harness/fixtures/spin.c):
#   - a variant doing exactly twice the work is "worse" with a ratio CI containing 2;
#   - two identical variants get "~" (no significant difference);
#   - a variant that prints a different answer fails the compare before any timing;
#   - a variant that crashes fails the compare, and its stderr is on the page;
#   - a failed claim makes hp-report exit non-zero and shows on the page.
set -uo pipefail
tmp=build/tmp/harness
rm -rf "$tmp" && mkdir -p "$tmp"
spin=$PWD/build/tests/harness/spin
for m in same double differ crash; do ln -sf "$spin" "$tmp/spin-$m"; done
. tests/lib/tap.sh

# spec NAME OPTIMIZED-BINARY CLAIMS: a lesson spec with spin-same as naive.
spec() {
	cat >"$tmp/$1.spec" <<SPEC
dir='tests/harness/fixtures'
id='fixture-$1'
page='$tmp/$1.md'
variants='naive optimized'
bin_naive='$tmp/spin-same'
bin_optimized='$tmp/$2'
cases='main'
case_main=''
args_small='--size 20000000'
args_default='--size 20000000'
args_count='--size 200000'
rounds='10'
warmup='1'
timeout='30'
metrics='time_ms instructions'
primary='time_ms'
claims='$3'
title='fixture $1'
cflags='cc'
SPEC
}

run_pair() { # name -> results + summary; returns hp-report's status
	build/common/tools/hp-run --spec "$tmp/$1.spec" --size small --out "$tmp/$1.json" >"$tmp/$1.run.log" 2>&1
	local rs=$?
	build/common/tools/hp-report --spec "$tmp/$1.spec" --results "$tmp/$1.json" --summary "$tmp/$1.jsonl" \
		--out "$tmp/$1.md" --img-dir "$tmp" --quiet >"$tmp/$1.report.log" 2>&1
	local ps=$?
	return $((rs | ps))
}
field() { jq -r --arg m "$2" "select(.metric == \$m) | .$3" "$tmp/$1.jsonl"; }

# 1. Twice the work: significant, ratio CI contains 2, and instructions exactly ~2x.
spec double spin-double 'time_ms: optimized > naive'
run_pair double
check "2x pair: verdict is 'worse'" [ "$(field double time_ms verdict)" = worse ]
lo=$(field double time_ms lo) hi=$(field double time_ms hi) p=$(field double time_ms p)
check "2x pair: ratio CI [$lo, $hi] contains 2" awk -v lo="$lo" -v hi="$hi" 'BEGIN { exit !(lo <= 2 && 2 <= hi) }'
check "2x pair: p = $p < 0.05" awk -v p="$p" 'BEGIN { exit !(p < 0.05) }'
ir=$(field double instructions ratio)
check "2x pair: callgrind instruction ratio $ir is 2 within 1%" awk -v r="$ir" 'BEGIN { exit !(r > 1.98 && r < 2.02) }'
check "2x pair: the page shows the claim held" grep -q '✔ `time_ms: optimized > naive`' "$tmp/double.md"

# 2. Identical variants: "~". With alpha = 0.05 an identical pair is called
# different in 5% of runs by design, so one retry keeps the false alarm rate
# of this test at 0.25% without hiding a biased runner (that would fail twice).
same_ok=0
for attempt in 1 2; do
	spec same spin-same 'time_ms: optimized ~ naive'
	if run_pair same && [ "$(field same time_ms verdict)" = "~" ]; then same_ok=1; break; fi
	echo "# identical pair attempt $attempt: verdict $(field same time_ms verdict), p $(field same time_ms p)"
done
check "identical pair: verdict is '~'" [ $same_ok = 1 ]
check "identical pair: instruction counts are equal" [ "$(field same instructions ratio)" = 1 ]

# 3. A different answer fails before timing, with a clear message.
spec differ spin-differ ''
run_pair differ
check "differing output: compare fails" [ $? -ne 0 ]
check "differing output: the runner names the first differing line" \
	grep -q 'first difference at stdout line 1' "$tmp/differ.run.log"
check "differing output: nothing was timed" [ "$(jq '.cases[0].runs | length' "$tmp/differ.json")" = 0 ]
check "differing output: the page says so" grep -q "outputs differ" "$tmp/differ.md"

# 4. A crash fails the compare and its stderr is shown.
spec crash spin-crash ''
run_pair crash
check "crashing variant: compare fails" [ $? -ne 0 ]
check "crashing variant: the signal is reported" grep -q 'signal 6' "$tmp/crash.run.log"
check "crashing variant: its stderr is on the page" grep -q 'crashing on purpose' "$tmp/crash.md"

# 5. A claim that does not hold fails the report.
spec false spin-same 'instructions: optimized <= naive / 2'
run_pair false
check "false claim: hp-report exits non-zero" [ $? -ne 0 ]
check "false claim: the page marks it" grep -q '✘ `instructions: optimized <= naive / 2`' "$tmp/false.md"

# 6. A case study: steps, peers, a set-up command, a service, arguments as they are.
cat >"$tmp/steps.spec" <<SPEC
dir='tests/harness/fixtures'
id='fixture-steps'
page='$tmp/steps.md'
variants='naive optimized'
bin_naive='$tmp/spin-double'
bin_optimized='$tmp/spin-same'
peers='same true'
peer_same='$tmp/spin-same'
peer_true='true'
seeded='no'
steps='yes'
service='$PWD/tests/harness/fixtures/service.sh'
build='$tmp'
setup_small='tests/harness/fixtures/record-env.sh $tmp/setup.txt'
cases='main part'
case_main='--seed 5'
case_part='--seed 6'
case_part_variants='optimized same'
args_small='--size 20000000'
args_count='--size 200000'
rounds='6'
warmup='0'
timeout='30'
metrics='wall_ms time_ms'
primary='wall_ms'
claims='wall_ms: optimized < naive; wall_ms: optimized < 2 * same'
title='fixture steps'
cflags='cc'
SPEC
HP_FIXTURE_LOG=$tmp/service.log run_pair steps
check "steps: compare succeeds with peers and the claim naming a peer" [ $? -eq 0 ]
service_dir=$(sed -n 's/^setup ran; service //p' "$tmp/setup.txt")
check "steps: the set-up ran, in the service's environment (a directory of hp-run's own)" \
	grep -qx "setup ran; service /tmp/hp-run\.[A-Za-z0-9]*/service-service.sh" "$tmp/setup.txt"
check "steps: the service was stopped" grep -qx "stopped $service_dir" "$tmp/service.log"
check "steps: arguments passed as they are (case first, no seed)" \
	[ "$(jq -r '.cases[0].args' "$tmp/steps.json")" = "--seed 5 --size 20000000" ]
check "steps: a peer found on PATH ran every round" \
	[ "$(jq '[.cases[0].runs[] | select(.variant == "true" and .ok)] | length' "$tmp/steps.json")" = 6 ]
check "steps: the waterfall chart was drawn" [ -s "$tmp/steps-waterfall-main.svg" ]
check "steps: a case runs only its variants (lesson_case_<c>_variants)" \
	[ "$(jq -c '[.cases[1].runs[].variant] | unique' "$tmp/steps.json")" = '["optimized","same"]' ]

tap_done
