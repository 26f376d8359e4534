# Chapter 02: growth by realloc-by-one against a reserved vector, and string
# building by strcat against a pre-sized builder.
#
# Sizes. --size is the number of orders; the growth case reads --size times
# --scale of them. The strings case is quadratic in --size: 35000 keeps its
# naive run near 0.3 s on the reference VM. The growth case is linear and
# cheap per order, so the default size multiplies it by 25 (875000 orders,
# tens of milliseconds). The small size, which is also the callgrind count
# size and the memcheck size, keeps --scale 1: Valgrind's and ASan's
# allocators move the block on every realloc, so under them the naive growth
# case really is quadratic, and 2000 orders take about a second where
# 50000 took minutes under ASan.
lesson_title := Allocation pressure
lesson_cases := strings growth
lesson_case_growth := --mode growth
lesson_case_strings := --mode strings
lesson_args_small := --size 2000 --scale 1
lesson_args_default := --size 35000 --scale 25
lesson_args_large := --size 100000 --scale 25
lesson_rounds := 10
lesson_timeout := 30
lesson_metrics := time_ms ns_per_op allocs allocs_per_op alloc_bytes instructions_per_op peak_bytes maxrss_kb
lesson_primary := time_ms
lesson_claims := allocs: optimized <= naive / 100 ; strings.instructions: optimized <= naive / 5 ; growth.instructions: optimized <= 0.8 * naive ; strings.time_ms: optimized < 0.1 * naive ; growth.time_ms: optimized < naive
lesson_exercise_claims := allocs: optimized <= naive / 100 ; strings.instructions: optimized <= naive / 5
lesson_go := append with make([]T, 0, n), and strings.Builder with Grow
