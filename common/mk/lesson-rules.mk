# The rules that turn a lesson.mk (a declarative spec) into targets.
#
# A lesson.mk sets only variables named lesson_*; after it is included they
# are copied under the lesson's directory name ($(dir).title ...) and the
# lesson_* names are undefined, so one lesson can never see another's values.
# The spec is also written to build/<dir>/lesson.spec (key='value' lines) for
# the harness tools and the test scripts: make is the only parser of lesson.mk.
#
# Variables of a lesson.mk (docs/ARCHITECTURE.md has the full contract):
#   lesson_title, lesson_kind (batch), lesson_variants (naive optimized),
#   lesson_sources_<variant> (<variant>.c + workload.c when it exists),
#   lesson_cflags_<variant>, lesson_libs, lesson_cases (one case "main"),
#   lesson_case_<case> (arguments of that case), lesson_args_small,
#   lesson_args_default, lesson_args_large, lesson_args_count (arguments of
#   the callgrind run that counts instructions; default: the small ones),
#   lesson_rounds (10), lesson_warmup (1), lesson_timeout (seconds per run, 60),
#   lesson_metrics, lesson_primary (time_ms), lesson_claims,
#   lesson_exercise_claims, lesson_exercise_seeds, lesson_ceiling, lesson_go,
#   lesson_check_sizes (sizes of the sanitizer and memcheck runs, default "7 200"),
#   lesson_tsan (yes: the variants run threads, so make test also runs them under TSan),
#   lesson_cache_sim (yes: the counting run simulates the caches: d1_misses, ll_misses),
#   lesson_branch_sim (yes: ... and the branch predictor: branch_misses),
#   lesson_build_<v>, lesson_pgo_<v>, lesson_env_<v> (how a variant is built
#   and run), and for lesson_kind := server: lesson_peers, lesson_server_args,
#   lesson_server_case_<case>, lesson_server_case_<case>_<variant>,
#   lesson_cases_<size> (the cases of one size), lesson_pin, lesson_load_pin, lesson_corpus,
#   lesson_url_path.

# The lesson variables copied as they are, and every key of the spec file
# besides the per-variant and per-case ones.
HP_PLAIN_KEYS := title libs args_small args_default args_large metrics primary claims exercise_claims \
	exercise_seeds exercise_variant ceiling go check_sizes tsan cache_sim branch_sim \
	peers server_args pin load_pin corpus url_path headline seeded steps service edition tools \
	setup_small setup_default setup_large exact
HP_SPEC_KEYS := $(HP_PLAIN_KEYS) args_count rounds warmup timeout

# $(call hp_lesson_id,chapters/01-object-pool) -> chapter01 ; case-studies/etl -> case-etl
hp_lesson_num = $(firstword $(subst -, ,$(notdir $1)))
hp_lesson_id = $(if $(filter chapters/%,$1),chapter$(call hp_lesson_num,$1),case-$(notdir $1))
# chapter01 -> chapter1; empty for case studies and chapters from 10 on (no short form).
hp_lesson_short_id = $(if $(filter chapters/0%,$1),chapter$(patsubst 0%,%,$(call hp_lesson_num,$1)))
hp_lesson_page = docs/$(if $(filter chapters/%,$1),$(notdir $1),case-$(notdir $1))$(if $(strip $($1.edition)),-$(strip $($1.edition))).md

# The value of an optional lesson variable, without make's undefined-variable warning.
hp_opt = $(if $(filter undefined,$(origin $1)),,$($1))

# Every case a lesson names, at any size (lesson_cases and lesson_cases_<size>).
hp_all_cases = $(sort $(or $(strip $(call hp_opt,lesson_cases)),main) \
	$(foreach z,small default large,$(call hp_opt,lesson_cases_$z)))

define hp_include_lesson
include $1
$$(eval $$(call hp_lesson_rules,$(patsubst %/lesson.mk,%,$1)))
$$(foreach v,$$(filter lesson_%,$$(.VARIABLES)),$$(eval undefine $$v))
endef

# A value's single quotes are written the shell's way, '\'' (spec.c undoes it).
define hp_spec_line
$1='$(subst ','\'',$(strip $2))'

endef

# How a variant is built. $1 is the lesson's directory, $2 the variant.
# plain: the tree's shared objects (build/<path>.o), linked with the
# variant's extra link flags (lesson_cflags_<v>).
define hp_variant_plain
$(BUILD)/$1/$2: $$(patsubst %.c,$(BUILD)/%.o,$$($1.src_$2)) $(LIBHP)
	$$(quiet) LD $$@
	$$(Q)$$(CC) $$(CFLAGS) $$($1.cflags_$2) $$(LDFLAGS) -o $$@ $$(filter %.o,$$^) $(LIBHP) $$($1.libs) $$(LIBHP_LIBS)
endef

# flags: the variant compiles its own objects (build/<lesson>/<v>.objs/) with
# lesson_build_<v> added to the compile and the link (chapter 10: -flto).
define hp_variant_flags
$1.objs_$2 := $$(patsubst $1/%.c,$(BUILD)/$1/$2.objs/%.o,$$($1.src_$2))
$$($1.objs_$2): $(BUILD)/$1/$2.objs/%.o: $1/%.c $(BUILD)/FLAGS $1/lesson.mk
	@mkdir -p $$(@D)
	$$(quiet) CC "$$< ($2: $$($1.build_$2))"
	$$(Q)$$(CC) $$(CPPFLAGS) $$(CFLAGS) $$($1.build_$2) -c $$< -o $$@
$(BUILD)/$1/$2: $$($1.objs_$2) $(LIBHP)
	$$(quiet) LD $$@
	$$(Q)$$(CC) $$(CFLAGS) $$($1.build_$2) $$($1.cflags_$2) $$(LDFLAGS) -o $$@ $$($1.objs_$2) $(LIBHP) $$($1.libs) $$(LIBHP_LIBS)
endef

# pgo: profile-guided, in three steps done by common/scripts/pgo-build.sh
# (instrumented build, a training run with lesson_pgo_<v> as arguments,
# optimized build from the profile), because both builds must write the
# same object files: gcc keys a static function's profile by its object's
# name.
define hp_variant_pgo
$(BUILD)/$1/$2: $$($1.src_$2) $(LIBHP) $(BUILD)/FLAGS $1/lesson.mk common/scripts/pgo-build.sh $$(wildcard $1/*.h)
	$$(quiet) PGO $$@
	$$(Q)common/scripts/pgo-build.sh $$@ '$$($1.pgo_$2)' \
		'$$(CC) $$(CPPFLAGS) $$(CFLAGS) $$($1.build_$2)' \
		'$$($1.cflags_$2) $$(LDFLAGS) $(LIBHP) $$($1.libs) $$(LIBHP_LIBS)' $$($1.src_$2)
endef

define hp_lesson_rules
$1.id        := $(call hp_lesson_id,$1)
$1.variants  := $(or $(strip $(call hp_opt,lesson_variants)),naive optimized)
$1.cases     := $(or $(strip $(call hp_opt,lesson_cases)),main)
$1.kind      := $(or $(strip $(call hp_opt,lesson_kind)),batch)
$1.args_count := $(or $(strip $(call hp_opt,lesson_args_count)),$(call hp_opt,lesson_args_small))
$1.bins      := $$(addprefix $(BUILD)/$1/,$$($1.variants) $(call hp_opt,lesson_tools))
$(foreach k,$(HP_PLAIN_KEYS),
$1.$k := $(call hp_opt,lesson_$k))
$1.rounds    := $(or $(strip $(call hp_opt,lesson_rounds)),10)
$1.warmup    := $(or $(strip $(call hp_opt,lesson_warmup)),1)
$1.timeout   := $(or $(strip $(call hp_opt,lesson_timeout)),60)
$1.primary   := $(or $(strip $(call hp_opt,lesson_primary)),time_ms)
$1.cases_small := $(call hp_opt,lesson_cases_small)
$1.cases_default := $(call hp_opt,lesson_cases_default)
$1.cases_large := $(call hp_opt,lesson_cases_large)
$1.allcases := $(call hp_all_cases)
$(foreach c,$(call hp_all_cases),
$1.case_$c := $(call hp_opt,lesson_case_$c)
$1.case_$c_variants := $(call hp_opt,lesson_case_$c_variants)
$1.server_case_$c := $(call hp_opt,lesson_server_case_$c)
$(foreach v,$(or $(strip $(call hp_opt,lesson_variants)),naive optimized),
$1.server_case_$c_$v := $(call hp_opt,lesson_server_case_$c_$v)))
LESSONS += $1
LESSON_IDS += $(call hp_lesson_id,$1)

$(foreach v,$(or $(strip $(call hp_opt,lesson_variants)),naive optimized),
$1.src_$v := $(addprefix $1/,$(or $(call hp_opt,lesson_sources_$v),$v.c $(if $(wildcard $1/workload.c),workload.c)))
$1.build_$v := $(call hp_opt,lesson_build_$v)
$1.cflags_$v := $(call hp_opt,lesson_cflags_$v)
$1.env_$v := $(call hp_opt,lesson_env_$v)
$1.pgo_$v := $(call hp_opt,lesson_pgo_$v)
$$(eval $$(call $(if $(call hp_opt,lesson_pgo_$v),hp_variant_pgo,$(if $(call hp_opt,lesson_build_$v),hp_variant_flags,hp_variant_plain)),$1,$v))
)
$(foreach t,$(call hp_opt,lesson_tools),
$1.src_$t := $(addprefix $1/,$(or $(call hp_opt,lesson_sources_$t),$t.c))
$1.cflags_$t :=
$$(eval $$(call hp_variant_plain,$1,$t)))
$(foreach p,$(call hp_opt,lesson_peers),
$1.peer_$p := $(call hp_opt,lesson_peer_$p))

$(BUILD)/$1/lesson.spec: $1/lesson.mk common/mk/lesson-rules.mk $(BUILD)/FLAGS $(BUILD)/DB
	@mkdir -p $$(@D)
	$$(file >$$@,$$(call hp_spec_text,$1))

.PHONY: $(call hp_lesson_id,$1)-build $(call hp_lesson_id,$1)-compare $(call hp_lesson_id,$1)-report \
	$(call hp_lesson_id,$1)-profile $(call hp_lesson_id,$1)-exercise $(call hp_lesson_id,$1)-test
$(call hp_lesson_id,$1)-build: $$($1.bins) $(BUILD)/$1/lesson.spec
$(call hp_lesson_id,$1)-compare: deps $$($1.bins) $(BUILD)/$1/lesson.spec tools | results/limits.json
	$$(Q)common/scripts/compare.sh $(BUILD)/$1/lesson.spec $(SIZE) '$(ROUNDS)'
$(call hp_lesson_id,$1)-report: $(BUILD)/$1/lesson.spec tools
	$$(Q)common/scripts/report.sh $(BUILD)/$1/lesson.spec
$(call hp_lesson_id,$1)-profile: deps $$($1.bins) $(BUILD)/$1/lesson.spec tools
	$$(Q)common/scripts/profile.sh $(BUILD)/$1/lesson.spec $(SIZE)
$(call hp_lesson_id,$1)-exercise: deps $$($1.bins) $(BUILD)/$1/lesson.spec tools
	$$(Q)common/scripts/exercise.sh $(BUILD)/$1/lesson.spec '$(EX)'
$(call hp_lesson_id,$1)-test: $$($1.bins) $(BUILD)/$1/lesson.spec tools
	$$(Q)prove --exec '' tests/pairs/lesson.t :: $(BUILD)/$1/lesson.spec

$(if $(call hp_lesson_short_id,$1),
$(call hp_lesson_short_id,$1)-build: $(call hp_lesson_id,$1)-build
$(call hp_lesson_short_id,$1)-compare: $(call hp_lesson_id,$1)-compare
$(call hp_lesson_short_id,$1)-report: $(call hp_lesson_id,$1)-report
$(call hp_lesson_short_id,$1)-profile: $(call hp_lesson_id,$1)-profile
$(call hp_lesson_short_id,$1)-exercise: $(call hp_lesson_id,$1)-exercise
$(call hp_lesson_short_id,$1)-test: $(call hp_lesson_id,$1)-test
.PHONY: $(call hp_lesson_short_id,$1)-build $(call hp_lesson_short_id,$1)-compare $(call hp_lesson_short_id,$1)-report \
	$(call hp_lesson_short_id,$1)-profile $(call hp_lesson_short_id,$1)-exercise $(call hp_lesson_short_id,$1)-test
)
endef

# The spec file: one key='value' line per field, readable by the shell and by
# hp-run/hp-report (common/src/spec.c).
hp_spec_text = \
	$(call hp_spec_line,dir,$1)$(call hp_spec_line,id,$($1.id))$(call hp_spec_line,page,$(call hp_lesson_page,$1))\
	$(call hp_spec_line,kind,$($1.kind))$(call hp_spec_line,variants,$($1.variants))\
	$(foreach v,$($1.variants),$(call hp_spec_line,bin_$v,$(BUILD)/$1/$v)$(call hp_spec_line,src_$v,$($1.src_$v))$(call hp_spec_line,build_$v,$($1.build_$v))$(call hp_spec_line,pgo_$v,$($1.pgo_$v))$(call hp_spec_line,env_$v,$($1.env_$v)))\
	$(foreach p,$($1.peers),$(call hp_spec_line,peer_$p,$($1.peer_$p)))\
	$(call hp_spec_line,cases,$($1.cases))$(foreach z,small default large,$(call hp_spec_line,cases_$z,$($1.cases_$z)))\
	$(foreach c,$($1.allcases),$(call hp_spec_line,case_$c,$($1.case_$c))$(call hp_spec_line,case_$c_variants,$($1.case_$c_variants))$(call hp_spec_line,server_case_$c,$($1.server_case_$c))$(foreach v,$($1.variants),$(call hp_spec_line,server_case_$c_$v,$($1.server_case_$c_$v))))\
	$(foreach k,$(HP_SPEC_KEYS),$(call hp_spec_line,$k,$($1.$k)))\
	$(call hp_spec_line,cflags,$(CC) $(CFLAGS))$(call hp_spec_line,build,$(BUILD)/$1)
