# Compiler flags. The user owns CFLAGS (make CFLAGS=-O3 ...); the flags the
# project needs are appended with override, so they survive a user's CFLAGS.
# Every result records the exact flags (hp-run --cflags), and every object
# is rebuilt when they change (build/FLAGS, as git's GIT-CFLAGS), which
# matters in a repository that compares builds.

CC      ?= cc
CFLAGS  ?= -O2 -g
LDFLAGS ?=
SIZE    ?= default
ROUNDS  ?=
V       ?=
DEVELOPER ?=
EX      ?=
DIR     ?=
CHAPTER ?=
CASE    ?=
# The database of the lessons that write one: sqlite (embedded, the default)
# or postgres (a throwaway cluster on 127.0.0.1, common/scripts/postgres.sh).
DB      ?= sqlite

override CFLAGS += -std=c17 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wno-unused-parameter
# _GNU_SOURCE for the whole tree: lessons use POSIX and Linux APIs (pthread,
# perf_event_open, memmem); no source file defines it itself.
override CPPFLAGS += -D_GNU_SOURCE -Icommon/include -MMD -MP
ifeq ($(DEVELOPER),1)
override CFLAGS += -Werror -Wformat=2 -Wcast-align -Wpointer-arith -Wvla
endif

# Quiet output by default; V=1 prints every command.
ifeq ($(V),1)
Q :=
quiet = @:
else
Q := @
quiet = @printf '  %-7s %s\n'
endif

BUILD := build

# The flag stamp: rewritten only when the flags differ from the last build.
FLAGS_NOW := $(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS)
FLAGS_OLD := $(shell cat $(BUILD)/FLAGS 2>/dev/null)
ifneq ($(FLAGS_NOW),$(FLAGS_OLD))
$(shell mkdir -p $(BUILD) && echo '$(FLAGS_NOW)' > $(BUILD)/FLAGS)
endif
$(BUILD)/FLAGS: ;

# The database stamp: a lesson's spec depends on DB (chapter 16's editions).
ifneq ($(DB),$(shell cat $(BUILD)/DB 2>/dev/null))
$(shell mkdir -p $(BUILD) && echo '$(DB)' > $(BUILD)/DB)
endif
$(BUILD)/DB: ;

# One object rule for the whole tree: build/<path>.o from <path>.c.
$(BUILD)/%.o: %.c $(BUILD)/FLAGS
	@mkdir -p $(@D)
	$(quiet) CC $<
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@
