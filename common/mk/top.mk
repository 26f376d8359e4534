# The user-facing targets that are not per lesson.

.PHONY: all deps compare docs help grade clean format format-check check-headers limits

all: libhp tools $(foreach d,$(LESSONS),$($d.bins) $(BUILD)/$d/lesson.spec)

# Installs what is missing with apt-get (common/scripts/install-deps.sh says
# exactly what). A stamp keeps it from asking dpkg on every make; delete
# build/.deps-ok, or run `make deps FORCE=1`, to check again.
deps: $(BUILD)/.deps-ok
$(BUILD)/.deps-ok: common/scripts/install-deps.sh
	$(Q)common/scripts/install-deps.sh
	@mkdir -p $(@D) && touch $@

compare: deps all tools | results/limits.json
	$(Q)status=0; for d in $(LESSONS); do \
		common/scripts/compare.sh $(BUILD)/$$d/lesson.spec $(SIZE) '$(ROUNDS)' --no-docs || status=1; \
	done; \
	$(MAKE) --no-print-directory docs || status=1; \
	exit $$status

limits: deps $(HP_LIMITS)
	$(Q)$(HP_LIMITS) --out results/limits.json

# Measured once per machine; pages compare against it (and say so when it
# was measured on another machine). `make limits` measures again.
results/limits.json: | $(HP_LIMITS)
	$(Q)mkdir -p $(@D) && $(HP_LIMITS) --out $@

grade: deps all
	$(Q)[ -n "$(CHAPTER)$(CASE)" ] && [ -n "$(DIR)" ] || \
		{ echo "usage: make grade CHAPTER=N DIR=submissions/   (or CASE=NAME for a case study)" >&2; exit 2; }
	$(Q)common/scripts/grade.sh "$(or $(CHAPTER),$(CASE))" "$(DIR)"

clean:
	rm -rf $(BUILD)

CLANG_FORMAT ?= clang-format
C_FILES = $(shell git ls-files '*.c' '*.h' 2>/dev/null)
format:
	$(CLANG_FORMAT) -i $(C_FILES)
format-check:
	$(Q)$(CLANG_FORMAT) --dry-run --Werror $(C_FILES)

# Every header compiles on its own (git's hdr-check).
check-headers:
	$(Q)for h in common/include/hp/*.h; do \
		printf '#include "%s"\n' "$${h#common/include/}" | \
		$(CC) $(CPPFLAGS) $(CFLAGS) -x c -fsyntax-only - || exit 1; \
	done; echo "  OK      every header compiles on its own"

help:
	@echo 'hotpath — measured before/after performance lessons in C'
	@echo
	@echo '  make compare              every lesson at SIZE (default), then the book (docs/)'
	@echo '  make chapterN-compare     one chapter (N or NN); case-NAME-compare for a case study'
	@echo '  make chapterN-report      re-render the chapter page from its newest results (no run)'
	@echo '  make chapterN-profile     perf, callgrind and massif for both variants, into results/'
	@echo '  make chapterN-exercise EX=file.c   grade one solution of the chapter exercise'
	@echo '  make grade CHAPTER=N DIR=dir/      grade every *.c in dir into one CSV (CASE=NAME: a case study)'
	@echo '  make case-NAME-exercise EX=file.c  grade one solution of a case study exercise'
	@echo '  make chapterN-test        the tests of one lesson'
	@echo '  make docs                 render the book (docs/site/*.html) from results/'
	@echo '  make limits               measure this machine'"'"'s ceilings into results/limits.json'
	@echo '  make test                 the whole test suite (ends with "Result: PASS")'
	@echo '  make deps                 install what is missing (apt-get)'
	@echo '  make all                  build libhp, the tools and every variant'
	@echo '  make check-headers        every header compiles on its own'
	@echo '  make format-check         clang-format finds nothing to change'
	@echo '  make clean                remove build/'
	@echo
	@echo 'Variables: SIZE=small|default|large  ROUNDS=n  DB=sqlite|postgres  V=1 (full commands)  DEVELOPER=1 (-Werror)'
	@echo 'Lessons:   $(LESSON_IDS)'
