# Chapter 12: a burst of CPU-bound requests, a thread per task (naive)
# against a fixed pool of one worker per core fed by a bounded queue whose
# submit says "full" at once (optimized, pool.c); on "full" the producer
# queues externally (waits for room), so every request completes and the
# output is the same for both. The three other answers to "full" (full.c)
# are checked by tests/unit/test_pool_ch12.c, where a gate makes "full"
# deterministic.
#
# Sizes. A task hashes a 32 KiB payload 8 times, about 0.4 ms on one core
# of the reference VM; requests arrive every 100 us (--gap-us), twice what
# two cores can serve. The default 1500 requests take about 0.3 s (pool) to
# 0.5 s (threads) on a quiet VM; two variants and 10 rounds stay under 20 s.
# --queue 8: see optimized.c (a larger queue bounds latency less).
#
# Claims, from hand-run pairs on the shared VM (wide margins; compare
# checks them, as the metrics are the variants' own, except sys_ms):
# p99_task_us was 3-4 times lower with the pool (about 3 ms against 10-11
# ms), peak_threads 2 against 20-35, time_ms 0.55-0.6 of naive's, sys_ms a
# third of naive's (thread creation and exit: mmap, munmap, clone).
lesson_title := Bounded worker pool and backpressure
lesson_sources_naive := naive.c workload.c
lesson_sources_optimized := optimized.c pool.c workload.c
lesson_args_small := --size 100 --queue 8 --gap-us 100
lesson_args_default := --size 1500 --queue 8 --gap-us 100
lesson_args_large := --size 20000 --queue 8 --gap-us 100
lesson_check_sizes := 7 200
lesson_rounds := 10
lesson_timeout := 30
lesson_tsan := yes
lesson_metrics := time_ms p50_task_us p99_task_us peak_threads maxrss_kb sys_ms allocs instructions_per_op
lesson_primary := p99_task_us
lesson_claims := p99_task_us: optimized < 0.6 * naive ; peak_threads: optimized <= naive / 4 ; time_ms: optimized < 0.9 * naive ; sys_ms: optimized < 0.7 * naive ; maxrss_kb: optimized < naive
lesson_go := a buffered channel drained by a fixed number of goroutines; errgroup.SetLimit and TryGo
