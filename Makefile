# hotpath — the one entry point (non-recursive GNU make).
#
#   make compare            every lesson at the default size, then the book
#   make chapter1-compare   one lesson (chapter01-compare, case-NAME-compare too)
#   make test               the whole test suite, ending with prove's "Result: PASS"
#   make help               every target with one line each
#
# How the parts fit is in docs/ARCHITECTURE.md.

.DEFAULT_GOAL := all
.SUFFIXES:
.DELETE_ON_ERROR:
# Keep intermediate objects: rebuilding them costs more than their disk space,
# and make's "rm ..." after the tests would bury prove's verdict line.
.SECONDARY:
SHELL := /bin/bash

include common/mk/flags.mk
include common/mk/libhp.mk
include common/mk/lesson-rules.mk

LESSON_SPECS := $(sort $(wildcard chapters/*/lesson.mk case-studies/*/lesson.mk))
$(foreach spec,$(LESSON_SPECS),$(eval $(call hp_include_lesson,$(spec))))

include common/mk/docs.mk
include common/mk/tests.mk
include common/mk/top.mk

-include $(shell find build -name '*.d' 2>/dev/null)
