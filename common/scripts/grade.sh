#!/usr/bin/env bash
# Grade a class: every *.c in DIR is one student's solution of chapter N's
# exercise, or of case study NAME's. Writes build/grade-chapterNN.csv (or
# build/grade-case-NAME.csv), one row per file, and prints it.
# usage: grade.sh N|NAME DIR
set -uo pipefail
n=$1 dir=$2
if [[ $n =~ ^[0-9]+$ ]]; then
	nn=$(printf '%02d' "$((10#$n))")
	spec=$(ls build/chapters/"$nn"-*/lesson.spec 2>/dev/null | head -1)
	csv=build/grade-chapter$nn.csv
	what="chapter $n (build/chapters/$nn-*/lesson.spec"
else
	spec=build/case-studies/$n/lesson.spec
	[ -f "$spec" ] || spec=
	csv=build/grade-case-$n.csv
	what="case study $n (build/case-studies/$n/lesson.spec"
fi
if [ -z "$spec" ]; then
	echo "grade: no $what; run make first)" >&2
	exit 2
fi
shopt -s nullglob
files=("$dir"/*.c)
if [ ${#files[@]} -eq 0 ]; then
	echo "grade: no *.c files in $dir" >&2
	exit 2
fi
echo "file,equivalent,claims_held,instructions_ratio,reference_ratio,result" >"$csv"
for f in "${files[@]}"; do
	line=$(common/scripts/exercise.sh "$spec" "$f" 2>&1 | grep '^grade: ' | tail -1)
	[ -n "$line" ] || line="grade: $f equivalent=no claims=0/0 instructions_ratio=n/a reference_ratio=n/a result=FAIL"
	get() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$line"; }
	printf '%s,%s,%s,%s,%s,%s\n' "$f" "$(get equivalent)" "$(get claims)" "$(get instructions_ratio)" \
		"$(get reference_ratio)" "$(get result)" >>"$csv"
	echo "grade: $f: $(get result)"
done
echo "grade: wrote $csv"
column -s, -t <"$csv" 2>/dev/null || cat "$csv"
