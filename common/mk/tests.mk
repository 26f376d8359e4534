# make test: everything that proves the project, run by prove so the last
# line is prove's verdict ("Result: PASS"). Each lesson gets its own test
# file (build/tests/pairs/<id>.t) so a failure names the lesson, and prove
# runs two at a time on this 2-core machine.

UNIT_SRC   := $(wildcard tests/unit/test_*.c)
UNIT_BINS  := $(UNIT_SRC:%.c=$(BUILD)/%)
PAIR_TESTS := $(foreach d,$(LESSONS),$(BUILD)/tests/pairs/$($d.id).t)
TEST_JOBS  ?= 2

$(BUILD)/tests/unit/test_%: $(BUILD)/tests/unit/test_%.o $(LIBHP)
	$(quiet) LD $@
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIBHP) -lcmocka $(LIBHP_LIBS)

# One small wrapper per lesson, so prove reports each lesson on its own line.
$(BUILD)/tests/pairs/%.t: common/mk/tests.mk
	@mkdir -p $(@D)
	$(Q)printf '#!/bin/sh\nexec tests/pairs/lesson.t %s\n' \
		"$(BUILD)/$(firstword $(foreach d,$(LESSONS),$(if $(filter $*,$($d.id)),$d)))/lesson.spec" > $@
	$(Q)chmod +x $@

HARNESS_FIXTURES := $(BUILD)/tests/harness/spin

$(BUILD)/tests/harness/spin: $(BUILD)/tests/harness/fixtures/spin.o $(LIBHP)
	$(quiet) LD $@
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIBHP) $(LIBHP_LIBS)

# The exercises' test is the longest file (about ten minutes): it starts
# first, so that the other files run beside it instead of after it.
TEST_FILES = $(wildcard tests/exercises/*.t) $(UNIT_BINS) $(PAIR_TESTS) \
	$(sort $(wildcard tests/harness/*.t tests/net/*.t tests/db/*.t tests/case-studies/*.t tests/docs/*.t tests/fuzz/*.t))

.PHONY: test test-build
test-build: all $(UNIT_BINS) $(PAIR_TESTS) $(HARNESS_FIXTURES) $(HP_ALLOC)

test: deps test-build
	$(Q)mkdir -p $(BUILD)/tmp
	$(Q)CMOCKA_MESSAGE_OUTPUT=TAP HP_ALLOC_SO=$(HP_ALLOC) prove --exec '' -j$(TEST_JOBS) --timer $(TEST_FILES)
