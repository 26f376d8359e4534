#!/usr/bin/env bash
# Re-render one lesson's page from its newest results at the default size
# (or the newest of any size), then the book. usage: report.sh build/<lesson>/lesson.spec
set -euo pipefail
spec=$1
# shellcheck disable=SC1090
. "$spec"
latest=$(ls "results/$dir${edition:+/$edition}"/default-*.json 2>/dev/null | sort | tail -1 || true)
[ -n "$latest" ] || latest=$(ls "results/$dir${edition:+/$edition}"/*.json 2>/dev/null | sort | tail -1 || true)
if [ -z "$latest" ]; then
	echo "report: $id has no results yet: run make $id-compare" >&2
	exit 1
fi
status=0
build/common/tools/hp-report --spec "$spec" --results "$latest" --out "$page" --img-dir docs/img \
	--charts-dir charts --limits results/limits.json --quiet || status=1
exit $status
