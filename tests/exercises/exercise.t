#!/usr/bin/env bash
# The exercises grade what they should: for every lesson with an exercise,
# the reference optimized.c passes, the untouched starter.c fails, and
# `make grade` puts both in one CSV with the right results (the grader's own
# checks, which do not depend on the chapter, run once).
set -uo pipefail
. tests/lib/tap.sh
tmp=build/tmp/exercises
rm -rf "$tmp" && mkdir -p "$tmp"

for spec in build/chapters/*/lesson.spec build/case-studies/*/lesson.spec; do
	# shellcheck disable=SC1090
	. "$spec"
	[ -n "${exercise_claims:-}" ] && [ -f "$dir/exercise/starter.c" ] || continue
	# The reference is the exercise variant's own file, the first of its sources
	# (chapter 17's variant "sized" is optimized.c), as exercise.sh replaces it.
	src_var=src_${exercise_variant:-${variants##* }}
	ref=${!src_var%% *}
	if common/scripts/exercise.sh "$spec" "$ref" >"$tmp/$id-ref.log" 2>&1; then
		ok "$id: the reference $(basename "$ref") passes the exercise"
	else
		not_ok "$id: the reference $(basename "$ref") passes the exercise" "$(tail -15 "$tmp/$id-ref.log")"
	fi
	if common/scripts/exercise.sh "$spec" "$dir/exercise/starter.c" >"$tmp/$id-starter.log" 2>&1; then
		not_ok "$id: the untouched starter.c fails the exercise" "$(tail -15 "$tmp/$id-starter.log")"
	else
		ok "$id: the untouched starter.c fails the exercise"
	fi
	if grep -q "equivalent=yes" "$tmp/$id-starter.log"; then
		ok "$id: the starter is equivalent to naive (it fails on speed, not on correctness)"
	else
		not_ok "$id: the starter is equivalent to naive" "$(tail -15 "$tmp/$id-starter.log")"
	fi
	# The grader's own behaviour (wrong answers, a class CSV) is the same for
	# every chapter: checked once, on the first chapter with an exercise.
	[ -z "${graded_once:-}" ] || continue
	graded_once=1
	# A wrong answer fails on equivalence: the reference with its output changed.
	sed 's/printf("/printf("x/' "$ref" >"$tmp/wrong.c"
	if ! common/scripts/exercise.sh "$spec" "$tmp/wrong.c" >"$tmp/$id-wrong.log" 2>&1 &&
		grep -q "equivalent=no" "$tmp/$id-wrong.log"; then
		ok "$id: a solution with a different answer fails on equivalence"
	else
		not_ok "$id: a solution with a different answer fails on equivalence" "$(tail -15 "$tmp/$id-wrong.log")"
	fi
	# The class at once.
	class=$tmp/class-$id
	mkdir -p "$class"
	cp "$ref" "$class/alice.c"
	cp "$dir/exercise/starter.c" "$class/bob.c"
	num=${id#chapter}
	if make --no-print-directory grade CHAPTER="$num" DIR="$class" >"$tmp/$id-grade.log" 2>&1; then :; fi
	csv=build/grade-chapter$num.csv
	if grep -q "alice.c,yes,.*,PASS$" "$csv" 2>/dev/null && grep -q "bob.c,yes,.*,FAIL$" "$csv" 2>/dev/null; then
		ok "$id: make grade writes one CSV row per student with the right results"
	else
		not_ok "$id: make grade writes one CSV row per student" "$(cat "$csv" 2>/dev/null)" "$(tail -5 "$tmp/$id-grade.log")"
	fi
done
tap_done
