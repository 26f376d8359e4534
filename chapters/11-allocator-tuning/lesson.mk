# Chapter 11: one program (naive.c, workload.c) on four allocators: glibc
# with its defaults (naive), glibc tuned for memory (optimized.c: mallopt and
# malloc_trim), and jemalloc and mimalloc, preloaded with LD_PRELOAD
# (lesson_env_<v>: the environment of every run of that variant). The
# libraries are Debian's libjemalloc2 and libmimalloc2.0, which make deps
# installs.
#
# Sizes. --size is the number of requests of the burst, served by 8
# threads (more threads than cores, as a service with blocking work has;
# it is what makes glibc create arenas). The default 50,000 requests take
# about 0.35 s with glibc here; --users 20000 makes the sessions about
# 90 MB at the end of the burst. The small size is for the tests.
#
# Claims. The memory metrics are the variants' own (/proc/self/statm at the
# end of the burst and after 100 ms idle), not the runner's, so compare
# checks them, not make test. They are measured with wide margins from
# three compares; the page says what each number means. mimalloc gets no
# time or page-fault claim: against glibc it came out 0.5 to 0.8 of the
# time in quick runs, but in the reference compare its ratio's CI was
# 0.67-1.28 (page faults 0.86-1.00), so on this machine the data cannot
# say it is faster, and the page says that.
lesson_title := Allocator tuning
lesson_variants := naive tuned jemalloc mimalloc
lesson_sources_tuned := optimized.c workload.c
lesson_sources_jemalloc := naive.c workload.c
lesson_sources_mimalloc := naive.c workload.c
lesson_env_jemalloc := LD_PRELOAD=libjemalloc.so.2
lesson_env_mimalloc := LD_PRELOAD=libmimalloc.so.2
lesson_args_small := --size 2000 --users 1000 --threads 8 --idle-ms 10
lesson_args_default := --size 50000 --users 20000 --threads 8
lesson_args_large := --size 1000000 --users 200000 --threads 32
lesson_args_count := --size 2000 --users 1000 --threads 8 --idle-ms 10
lesson_check_sizes := 7 300
lesson_rounds := 8
lesson_timeout := 60
lesson_tsan := yes
lesson_metrics := time_ms ns_per_op sys_ms page_faults burst_rss_kb idle_rss_kb maxrss_kb allocs instructions_per_op
lesson_primary := time_ms
lesson_claims := idle_rss_kb: tuned < 0.3 * naive ; page_faults: jemalloc < naive ; time_ms: jemalloc < 0.8 * naive ; idle_rss_kb: jemalloc > 2 * tuned ; idle_rss_kb: mimalloc > 2 * tuned ; allocs: tuned <= naive
lesson_go := GOGC and GOMEMLIMIT (how much garbage to allow, and a soft cap); debug.FreeOSMemory() is malloc_trim's counterpart
# The index shows what tuning glibc bought; the table has every allocator.
lesson_headline := idle_rss_kb tuned
