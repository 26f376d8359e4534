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
# Rounds: naive and steps 1-3 take 1.5-3 s each on the 100,000-file tree,
# so 6 variants and 3 peers, 2 cases, 5 rounds stay under 3 minutes.
lesson_rounds := 6
lesson_warmup := 1
lesson_timeout := 60
# Claims, from hand runs on the shared, loaded VM (load average 3-5):
# optimized 0.67-0.72 s, floor 0.63-0.69 s, grep 1.23-1.32 s, rg 1.30-1.99 s,
# naive 2.4 s. Wide margins; the peers on the right need the lead's harness.
lesson_claims := wall_ms: optimized < 0.5 * naive ; user_ms: prefilter < 0.8 * one_read ; wall_ms: optimized < 0.85 * grep ; wall_ms: optimized < 0.85 * rg ; wall_ms: optimized <= 1.2 * floor ; instructions: prefilter <= 0.5 * one_read ; instructions: compile_once < naive
lesson_go := filepath.WalkDir (it reads d_type too) with a bounded errgroup of goroutines; bytes.Index as the prefilter before regexp
