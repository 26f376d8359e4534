# Chapter 04: an array of 64-byte orders against a structure of arrays for
# a report that reads one field (soa); a struct with badly ordered fields
# against the same fields from the largest to the smallest (padding); and a
# hash table of 128-byte client records against the same table split into
# a hot and a cold array (hotcold).
#
# Measurement: this VM has no hardware PMU, so the counting run simulates
# the caches (lesson_cache_sim: callgrind --cache-sim=yes) and the claims
# rest on d1_misses_per_op, the simulated L1 data misses per operation.
# The simulated last level takes the size the VM's CPUID reports (512 MiB),
# holds everything the set-up wrote, and shows the same count in both
# variants; the README says why. hw_cache_misses appears where a PMU exists.
#
# Sizes. --size is the number of orders and of samples, and of events in
# the hotcold case (with --size / 8 clients). At the default size the naive
# arrays are 64 MB (orders), 40 MB (samples) and 23 MB (client table), more
# than this VM's caches hold: a pointer chase slows from tens of
# nanoseconds to hundreds between 4 and 16 MB. A default run takes 0.2 to
# 0.4 s, most of it the set-up (generating and first touching the data);
# the whole compare takes 35 s on a quiet machine, twice that when other
# jobs load it. The small size is also the count size: 131072 records are
# 5 to 8 MB, and 16384 clients a 3 MB table and a 374 KB hot array, all far
# beyond the simulated 48 KiB L1, so the simulated misses per operation
# are those of the default size; callgrind with the cache simulator runs
# each of them in one to three seconds.
#
# Claims: the simulated misses are exact (to a few hundredths of a percent,
# the stack's position moving with the environment), so their bounds are
# close to the arithmetic: 24/40 of the lines for padding (bound 0.65), an
# eighth for soa (bound 1/6), about a third for hotcold (bound 0.5, which
# moving the hot fields together without splitting does not reach). One
# claim says that no case wins by executing fewer instructions. Timing: soa
# ran at 0.28 to 0.40 of the naive time in four compares (two on a busy VM,
# two on a quiet one; the quiet ones are the slower ratios, since then the
# optimized loop is limited by its own instructions), hotcold at 0.51 to
# 0.64; their bounds leave a third of margin or more. The padding case has
# no timing claim: its scan does enough work per sample to nearly keep up
# with memory, and its gain went from ~ (busy VM) to 5-8% (quiet VM).
lesson_title := Struct layout
lesson_cases := soa padding hotcold
lesson_case_soa := --mode soa
lesson_case_padding := --mode padding
lesson_case_hotcold := --mode hotcold
lesson_args_small := --size 131072 --passes 1
lesson_args_default := --size 1000000 --passes 20
lesson_args_large := --size 8000000 --passes 5
lesson_rounds := 10
lesson_timeout := 30
lesson_cache_sim := yes
lesson_metrics := time_ms ns_per_op d1_misses_per_op ll_misses_per_op hw_cache_misses instructions_per_op maxrss_kb
lesson_primary := time_ms
lesson_claims := soa.d1_misses_per_op: optimized <= naive / 6 ; padding.d1_misses_per_op: optimized <= 0.65 * naive ; hotcold.d1_misses_per_op: optimized <= 0.5 * naive ; instructions: optimized >= 0.98 * naive ; soa.time_ms: optimized < 0.6 * naive ; hotcold.time_ms: optimized < naive
lesson_exercise_claims := padding.d1_misses_per_op: optimized <= 0.65 * naive ; hotcold.d1_misses_per_op: optimized <= 0.5 * naive
lesson_go := field order and padding in Go structs, and the fieldalignment analyzer
