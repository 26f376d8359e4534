#!/usr/bin/env bash
# A claim must fail loudly when it stops being true. In a scratch copy of
# the repository, chapter 01's optimized variant is broken so that its pool
# frees every request instead of keeping it (so it allocates per request
# again), and `make chapter1-compare` must then exit non-zero with the
# allocation claim marked as failed, while the outputs stay identical.
set -uo pipefail
. tests/lib/tap.sh
copy=build/tmp/mutant
rm -rf "$copy" && mkdir -p "$copy"
cp -r Makefile README.md common charts chapters tests "$copy"/
mkdir -p "$copy/results" "$copy/docs"
cp results/limits.json "$copy/results/" 2>/dev/null || true
cp docs/style.css "$copy/docs/"
src=$copy/chapters/01-object-pool/optimized.c
sed -i 's/if (p->idle == POOL_IDLE_MAX) {/if (1) { \/* mutant: never keep a request *\//' "$src"
if grep -q 'mutant: never keep' "$src"; then
	ok "the mutant pool frees every request it gets back"
else
	not_ok "the mutant could be made (optimized.c changed: update this test)"
fi
out=$(cd "$copy" && make --no-print-directory chapter1-compare SIZE=small ROUNDS=3 2>&1)
status=$?
if [ $status -ne 0 ]; then ok "make chapter1-compare exits non-zero ($status)"; else not_ok "make chapter1-compare exits non-zero" "$out"; fi
if grep -q 'claim FAILS *allocs: optimized <= naive / 100 \[requests\]' <<<"$out"; then
	ok "the allocation claim of the requests case is reported as failed"
else
	not_ok "the allocation claim of the requests case is reported as failed" "$out"
fi
if grep -q '✘ `allocs: optimized <= naive / 100` (case requests)' "$copy/docs/01-object-pool.md" 2>/dev/null; then
	ok "the page marks the failed claim"
else
	not_ok "the page marks the failed claim" "$(grep -n 'allocs' "$copy/docs/01-object-pool.md" 2>/dev/null)"
fi
if ! grep -q 'print different output' <<<"$out"; then
	ok "the mutant still prints the same answer (only the claim catches it)"
else
	not_ok "the mutant still prints the same answer" "$out"
fi
tap_done
