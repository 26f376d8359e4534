# Chapter 01: a request object with its buffers allocated and freed per
# request, against a free-list pool that resets and reuses them; and the
# same loop with a 48-byte object that glibc's tcache already serves.
# Sizes: a request costs under a microsecond on the quiet reference VM, so
# the default 200000 requests keep a naive run between 0.15 and 0.2 s (up to
# twice that when the VM is busy). A tiny request costs a few times less, so
# that case multiplies --size by --scale 2.
# The small size doubles as the callgrind count size; it is large enough
# that the pool's start-up allocations (one set of buffers per object, and
# the rare uploads) stay far below a hundredth of the naive count, and small
# enough that callgrind runs it in a few seconds.
# Claims: the counts are exact. The timing claim only says "significantly
# faster": on the quiet reference VM the requests case ran at about three
# quarters of the naive time (95% CI within 0.64-0.82 in four compares), but
# with other jobs loading the VM the interval stretched past 0.9 in half of
# six runs and past 1 in two of them, so a tighter bound would fail for
# reasons that are not the code's. 15 rounds (not 10) narrow the interval;
# the whole compare still takes 15-20 s. The tiny case has no timing claim
# (its verdict came out ~ or a gain of a few percent); its instruction claim
# says the pool saves less than 15% there.
lesson_title := Object pools
lesson_cases := requests tiny
lesson_case_requests := --mode requests
lesson_case_tiny := --mode tiny --scale 2
lesson_args_small := --size 20000
lesson_args_default := --size 200000
lesson_args_large := --size 2000000
lesson_rounds := 15
lesson_timeout := 30
lesson_metrics := time_ms ns_per_op allocs allocs_per_op alloc_bytes instructions_per_op peak_bytes maxrss_kb
lesson_primary := time_ms
lesson_claims := allocs: optimized <= naive / 100 ; requests.instructions: optimized <= 0.85 * naive ; tiny.instructions: optimized >= 0.85 * naive ; requests.time_ms: optimized < naive
lesson_exercise_claims := requests.allocs: optimized <= naive / 100 ; requests.instructions: optimized <= 0.9 * naive
lesson_go := sync.Pool
