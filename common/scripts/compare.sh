#!/usr/bin/env bash
# One lesson's compare: run (hp-run), report and page (hp-report), book (render-docs.sh).
# usage: compare.sh build/<lesson>/lesson.spec SIZE [ROUNDS] [--no-docs]
# Exit status: non-zero when a run failed, the outputs differ or a claim fails;
# the page is written in every case, showing what failed.
set -euo pipefail
spec=$1 size=${2:-default} rounds=${3:-} docs=1
[ "${4:-}" = --no-docs ] && docs=0
# shellcheck disable=SC1090
. "$spec"

stamp=$(date -u +%Y%m%dT%H%M%SZ)
# An edition (chapter 16 with DB=postgres) keeps its results apart.
rdir="results/$dir${edition:+/$edition}"
mkdir -p "$rdir" docs/img
out="$rdir/$size-$stamp.json"
status=0
build/common/tools/hp-run --spec "$spec" --size "$size" ${rounds:+--rounds "$rounds"} \
	--alloc build/common/hp-alloc.so --out "$out" || status=1
if [ ! -s "$out" ]; then
	echo "compare: $id: no results were written" >&2
	exit 1
fi
build/common/tools/hp-report --spec "$spec" --results "$out" --out "$page" --img-dir docs/img \
	--charts-dir charts --limits results/limits.json || status=1
if [ $docs = 1 ]; then
	common/scripts/render-docs.sh || status=1
	common/scripts/readme-index.sh || status=1
fi
if [ $status -ne 0 ]; then
	echo "compare: $id FAILED (see above; the page $page shows it)" >&2
else
	echo "compare: $id done: $page${docs:+, docs/site/$(basename "$page" .md).html}"
fi
exit $status
