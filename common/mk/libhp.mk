# libhp (the shared library of the lessons) and the harness tools.

LIBHP_SRC := $(filter-out common/src/alloc_preload.c,$(wildcard common/src/*.c))
LIBHP_OBJ := $(LIBHP_SRC:%.c=$(BUILD)/%.o)
LIBHP     := $(BUILD)/common/libhp.a
HP_ALLOC  := $(BUILD)/common/hp-alloc.so
LIBHP_LIBS := -lm -lpthread

$(LIBHP): $(LIBHP_OBJ)
	@mkdir -p $(@D)
	$(quiet) AR $@
	$(Q)rm -f $@ && $(AR) rcs $@ $^

# The allocation counter is position-independent and carries no libhp code:
# it must not depend on anything that could allocate.
$(BUILD)/common/alloc_preload.pic.o: common/src/alloc_preload.c $(BUILD)/FLAGS
	@mkdir -p $(@D)
	$(quiet) CC $<
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -fPIC -c $< -o $@

$(HP_ALLOC): $(BUILD)/common/alloc_preload.pic.o
	$(quiet) LD $@
	$(Q)$(CC) $(CFLAGS) -shared -o $@ $^ -lpthread

HP_TOOLS := hp-run hp-report hp-limits hp-load
HP_TOOL_BINS := $(HP_TOOLS:%=$(BUILD)/common/tools/%)
HP_RUN    := $(BUILD)/common/tools/hp-run
HP_REPORT := $(BUILD)/common/tools/hp-report
HP_LIMITS := $(BUILD)/common/tools/hp-limits

$(BUILD)/common/tools/%: $(BUILD)/common/tools/%.o $(LIBHP)
	$(quiet) LD $@
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIBHP) $(LIBHP_LIBS)

.PHONY: libhp tools
libhp: $(LIBHP) $(HP_ALLOC)
tools: $(HP_TOOL_BINS) $(HP_ALLOC)
