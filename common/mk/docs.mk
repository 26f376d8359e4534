# The book: every lesson page re-rendered from its newest results, then HTML.

.PHONY: docs
docs: deps tools $(foreach d,$(LESSONS),$(BUILD)/$d/lesson.spec)
	$(Q)status=0; for d in $(LESSONS); do \
		if ls results/$$d/*.json >/dev/null 2>&1; then \
			common/scripts/report.sh $(BUILD)/$$d/lesson.spec >/dev/null || status=1; \
		else \
			echo "docs: $$d has no results yet (make its compare)"; \
		fi; \
	done; \
	common/scripts/render-docs.sh || status=1; \
	common/scripts/readme-index.sh || status=1; \
	exit $$status
