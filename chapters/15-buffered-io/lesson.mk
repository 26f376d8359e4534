# Chapter 15: a fixed-width access log converted to CSV, reading and writing
# one record per system call (naive), through stdio's default buffers
# (stdio), from a mapping of the input (mmap), and with 64 KiB buffers and
# one system call per buffer (optimized).
#
# Sizes. --size is the number of 80-byte records. The naive variant makes
# two system calls per record, about 3 us together on the reference VM, so
# the default 75000 records (5.7 MiB) take about 0.25 s there, and the
# others about a hundredth of it; four variants and 10 rounds take a few
# seconds. The small size, 2000 records, is also the callgrind count size.
#
# Claims. syscalls and page_faults are the variants' own metrics (the
# kernel's count in /proc/self/io and getrusage): exact and the same on
# every run, but the harness treats self-reported metrics like timings, so
# they are checked by compare only, as in chapter 09. At the default size
# they were naive 150001, stdio 2524, mmap 67, optimized 160 read and write
# calls. instructions (callgrind, user space only) per record were 442
# (naive), 643 (stdio), 367 (mmap), 367 (optimized): the kernel's work is
# invisible to it, which is the page's point, and why the exercise's bound
# on instructions (0.9 of naive) is a proxy that only a loop without a
# system call per record meets.
lesson_title := Buffered I/O and system calls
lesson_variants := naive stdio mmap optimized
lesson_args_small := --size 2000
lesson_args_default := --size 75000
lesson_args_large := --size 1000000
lesson_check_sizes := 7 200
lesson_rounds := 10
lesson_timeout := 30
lesson_metrics := time_ms ns_per_op sys_ms syscalls syscalls_per_mib page_faults input_gbs instructions_per_op allocs
lesson_primary := time_ms
lesson_claims := syscalls: optimized <= naive / 500 ; syscalls: stdio <= naive / 50 ; syscalls: optimized <= stdio / 10 ; syscalls: mmap <= optimized ; instructions: stdio >= 1.2 * naive ; instructions: optimized <= 0.9 * naive ; time_ms: stdio < 0.2 * naive ; time_ms: optimized < 0.1 * naive ; time_ms: optimized < stdio ; time_ms: mmap >= optimized ; sys_ms: optimized < 0.4 * naive
lesson_exercise_claims := instructions: optimized <= 0.9 * naive
lesson_ceiling := input_gbs:pagecache_read_gbs syscall_ns
lesson_go := bufio.Reader and bufio.Writer (os.File's Read and Write are one system call each)
