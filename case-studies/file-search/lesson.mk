# Case study: a grep-like file search over 100,000 files (README.md).
lesson_title := Case study: searching 100,000 files
lesson_variants := naive compile_once d_type one_read prefilter optimized
lesson_sources_naive := naive.c search.c
lesson_sources_compile_once := steps/1-compile-once.c search.c
lesson_sources_d_type := steps/2-d-type.c search.c
lesson_sources_one_read := steps/3-one-read.c search.c
lesson_sources_prefilter := steps/4-prefilter.c search.c
lesson_sources_optimized := optimized.c search.c
lesson_tools := gentree floor
lesson_sources_gentree := gentree.c
lesson_sources_floor := floor.c search.c
lesson_seeded := no
lesson_steps := yes
lesson_setup_small := $(BUILD)/case-studies/file-search/gentree --files 600 --seed 1 --out $(BUILD)/case-studies/file-search/tree-600
lesson_setup_default := $(BUILD)/case-studies/file-search/gentree --files 100000 --seed 1 --out $(BUILD)/case-studies/file-search/tree-100000
lesson_args_small := $(BUILD)/case-studies/file-search/tree-600
lesson_args_default := $(BUILD)/case-studies/file-search/tree-100000
lesson_cases := literal regex
lesson_case_literal := zqneedle
lesson_case_regex := zqneedle_[0-9]+_[a-z]+
# The regex case: the steps where the regex work changes, and the peers (the
# floor searches a literal only); it keeps the compare under three minutes.
lesson_case_regex_variants := naive one_read prefilter optimized grep rg
lesson_peers := grep rg floor floor1
lesson_peer_grep := grep -rnIE
lesson_peer_rg := rg -n --no-heading -uu
lesson_peer_floor := $(BUILD)/case-studies/file-search/floor
lesson_peer_floor1 := $(BUILD)/case-studies/file-search/floor -j 1
lesson_tsan := yes
lesson_primary := wall_ms
lesson_metrics := wall_ms user_ms sys_ms maxrss_kb instructions_per_op
# Rounds: on a quiet VM naive takes about 2.3 s on the 100,000-file tree,
# steps 1-3 0.8-2 s, the rest under 1 s; all variants and four peers in the
# literal case, six of them in the regex case (lesson_case_regex_variants),
# 6 rounds (the fewest for a 95% CI of a median): about 170 s.
lesson_rounds := 6
lesson_warmup := 1
lesson_timeout := 60
# Claims, from a quiet 5-round compare: naive 2.26 s, optimized 0.37 s, floor
# (2 threads) 0.37 s, floor1 0.63 s, grep 1.05 s, rg 0.77 s, prefilter's user
# time 0.56 of one_read's. Under load (helpers running) the same ratios held
# with wide intervals. Wide margins.
lesson_claims := wall_ms: optimized < 0.5 * naive ; literal.wall_ms: grep < 0.7 * naive ; user_ms: prefilter < 0.8 * one_read ; wall_ms: optimized < 0.85 * grep ; wall_ms: optimized < 0.85 * rg ; wall_ms: optimized <= 1.2 * floor ; instructions: prefilter <= 0.5 * one_read ; instructions: compile_once < naive
# The exercise: step 4's literal prefilter, written from step 3 (the
# starter is steps/3-one-read.c). The reference counted well under half of
# one_read's instructions (the claim above); the starter counts the same.
lesson_exercise_variant := prefilter
lesson_exercise_claims := instructions: prefilter <= 0.5 * one_read
lesson_go := filepath.WalkDir (it reads d_type too) with a bounded errgroup of goroutines; bytes.Index as the prefilter before regexp
