# Chapter 07: readings boxed behind void * in a generic vector of pointers
# and scored through callbacks (naive), stored by value in a generic vector
# but still scored through callbacks (unboxed), and stored in a typed array
# with the per-reading functions inlined (optimized). unboxed separates the
# two costs: naive against unboxed is boxing, unboxed against optimized is
# the indirect call and what it keeps the compiler from doing.
# Every variant links gvec.c, the generic library, so that the exercise
# (compiled with optimized's sources) can start from the naive code.
#
# Sizes: --size readings in batches of 4096, replayed from a capture of
# 65536 (workload.h). A naive reading cost about 40 ns on the busy shared
# VM, so the default five million keep a naive run near 0.2 s. The small
# size is also the callgrind count size, run with the cache simulator: 20000
# readings are five batches, enough for the allocator to reach its steady
# state (boxes recycled through tcache and fastbins), and the instruction
# ratios were the same at 50000 (0.29 and 0.16 of naive in the sum case).
#
# Claims: the counts are exact. unboxed <= 0.4 and >= 0.25 of naive's
# instructions says that unboxing alone buys most of the gain but not all
# (measured 0.28-0.32); optimized <= 0.2 says the typed loops take the rest
# (measured 0.16-0.17). The simulated first-level misses halve with the
# boxes (0.51-0.52). Timing: the optimized variant ran at 0.17-0.20 of the
# naive time (95% CI upper ends 0.21-0.28) in three compares on the loaded
# VM, so 0.5 leaves room for a noisier machine; unboxed ran at 0.41-0.61
# (upper ends up to 0.82), so it only claims "faster".
lesson_title := Indirection and boxing
lesson_variants := naive unboxed optimized
lesson_sources_naive := naive.c gvec.c workload.c
lesson_sources_unboxed := unboxed.c gvec.c workload.c
lesson_sources_optimized := optimized.c gvec.c workload.c
lesson_cases := sum filter
lesson_case_sum := --mode sum
lesson_case_filter := --mode filter
lesson_args_small := --size 20000
lesson_args_default := --size 5000000
lesson_args_large := --size 50000000
lesson_rounds := 10
lesson_timeout := 30
lesson_metrics := time_ms ns_per_op allocs allocs_per_op instructions_per_op d1_misses_per_op peak_bytes maxrss_kb
lesson_primary := time_ms
lesson_cache_sim := yes
lesson_claims := allocs: unboxed <= naive / 100 ; allocs: optimized <= naive / 100 ; instructions: unboxed <= 0.4 * naive ; instructions: unboxed >= 0.25 * naive ; instructions: optimized <= 0.2 * naive ; d1_misses: unboxed <= 0.6 * naive ; time_ms: unboxed < naive ; time_ms: optimized < 0.5 * naive
lesson_exercise_claims := allocs: optimized <= naive / 100 ; instructions: optimized <= 0.25 * naive
lesson_go := interfaces and any (boxing, escape analysis), generics vs interface dispatch
