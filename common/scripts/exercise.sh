#!/usr/bin/env bash
# Grade one solution of a chapter exercise.
# usage: exercise.sh build/<lesson>/lesson.spec path/to/solution.c
#
# The solution is compiled in place of the lesson's optimized.c (the last
# variant's own file, or lesson_exercise_variant's), with the
# same other sources and flags. It passes when
#   1. its output is identical to the naive variant's for the hidden seeds
#      (tests/exercises/<slug>.seeds) at sizes 0, 1, 7 and small (a lesson
#      with lesson_seeded := no, a case study: in every case of the small
#      size, on the lesson's own input; a server lesson: its answers to the
#      request corpus), and
#   2. the lesson's exercise claims hold with the solution in the role of
#      "optimized". Those claims use deterministic metrics only (allocation
#      and instruction counts, a server's exact counts of lesson_exact), so
#      the grade is the same on a noisy laptop and on a quiet server.
# The last line is machine-readable, for make grade:
#   grade: FILE equivalent=yes claims=2/2 instructions_ratio=0.41 reference_ratio=0.35 result=PASS
set -uo pipefail
spec=$1 ex=${2:-}
# shellcheck disable=SC1090
. "$spec"
slug=$(basename "$dir")
if [ -z "$ex" ]; then
	echo "usage: make $id-exercise EX=path/to/solution.c   (start from $dir/exercise/starter.c)" >&2
	exit 2
fi
if [ ! -f "$ex" ]; then
	echo "exercise: $ex: no such file" >&2
	exit 2
fi
if [ -z "${exercise_claims:-}" ]; then
	echo "exercise: $id has no exercise claims in its lesson.mk" >&2
	exit 2
fi
name=$(basename "$ex" .c)
work=build/exercise/$id/$name
mkdir -p "$work"
bin=$work/solution

# The last variant ("optimized", or a case study's last step) is the one the
# student rewrites: its sources with its own file, the first of them
# (optimized.c), replaced by the solution. A lesson may name another variant
# (chapter 10: its variants are builds of one source, and the exercise is the
# hand-written one).
last=${exercise_variant:-${variants##* }}
src_last=src_$last bin_last=bin_$last
srcs=""
for s in ${!src_last}; do
	if [ -z "$srcs" ]; then srcs="$ex"; else srcs="$srcs $s"; fi
done
echo "exercise: building $ex"
# shellcheck disable=SC2086
if ! $cflags -D_GNU_SOURCE -Icommon/include -I"$dir" $srcs build/common/libhp.a $libs -lm -lpthread -o "$bin" 2>"$work/build.log"; then
	cat "$work/build.log" >&2
	echo "exercise: $ex does not compile"
	echo "grade: $ex equivalent=no claims=0/0 instructions_ratio=n/a reference_ratio=n/a result=FAIL"
	exit 1
fi

# equivalent WHERE [HP-RUN ARGS...]: the solution beside naive on the small
# input with those arguments; on a difference, say where and show hp-run's.
equivalent() {
	local where=$1
	shift
	build/common/tools/hp-run --spec "$spec" --size small --variant "$last=$bin" --equivalence-only \
		--alloc build/common/hp-alloc.so "$@" >"$work/eq.log" 2>&1 && return 0
	echo "exercise: your output differs from naive's ($where):"
	grep -v '^hp-run: .*, size' "$work/eq.log" | sed 's/^/  /' | head -20
	return 1
}
equivalent=yes
if [ "${seeded:-yes}" = no ] || [ "${kind:-batch}" = server ]; then
	# A lesson with a command line of its own (a case study: a CSV file, a
	# tree of files) has no seeds and no --size: every case of the small
	# size, on the lesson's own input. A server has no seeds either: it is
	# compared on its answers to the request corpus.
	seeds=
	equivalent "the small input" || equivalent=no
else
	seeds=$(grep -v '^#' "tests/exercises/$slug.seeds" 2>/dev/null | tr '\n' ' ')
	[ -n "${seeds// /}" ] || seeds="1 2 3"
fi
small_size=$(sed -n 's/.*--size \([0-9][0-9]*\).*/\1/p' <<<"$args_small")
for seed in $seeds; do
	for size in 0 1 7 ${small_size:-100}; do
		if ! equivalent "hidden seed #$(($(wc -w <<<"${seeds%%$seed*}") + 1)), size $size" \
			--seed "$seed" --args "--size $size"; then
			equivalent=no
			break 2
		fi
	done
done
if [ $equivalent = no ]; then
	echo "grade: $ex equivalent=no claims=0/0 instructions_ratio=n/a reference_ratio=n/a result=FAIL"
	exit 1
fi
if [ -n "$seeds" ]; then
	echo "exercise: output identical to naive on every hidden seed and size"
else
	echo "exercise: output identical to naive in every case"
fi

# Counts for the solution and, for comparison, the reference: the exercise variant's own build.
measure() { # variant-binary out-prefix
	build/common/tools/hp-run --spec "$spec" --size small --rounds 0 --warmup 0 --variant "$last=$1" \
		--alloc build/common/hp-alloc.so --out "$2.json" >"$2.log" 2>&1 || return 1
}
measure "$bin" "$work/solution" || { cat "$work/solution.log"; echo "grade: $ex equivalent=yes claims=0/0 instructions_ratio=n/a reference_ratio=n/a result=FAIL"; exit 1; }
measure "${!bin_last}" "$work/reference" || true

status=0
build/common/tools/hp-report --spec "$spec" --results "$work/solution.json" --claims-key exercise_claims \
	--check deterministic --label "your solution" --summary "$work/solution.jsonl" >"$work/report.out" 2>"$work/claims.log" || status=1
build/common/tools/hp-report --spec "$spec" --results "$work/reference.json" --quiet \
	--summary "$work/reference.jsonl" >/dev/null 2>&1 || true
cat "$work/report.out" | sed '/^claims:/d'
echo "Exercise claims (your solution in the role of $last):"
sed 's/^  claim/  /' "$work/claims.log"
first_case=${cases%% *}
ratio() { jq -r --arg c "$first_case" --arg v "$last" 'select(.case == $c and .variant == $v and .metric == "instructions") | .ratio' "$1" 2>/dev/null | head -1; }
short() { [ -n "$1" ] && [ "$1" != null ] && printf '%.3g' "$1"; }
sr=$(short "$(ratio "$work/solution.jsonl")"); rr=$(short "$(ratio "$work/reference.jsonl")")
claims=$(sed -n 's/^claims: \([0-9]*\) of \([0-9]*\) hold.*/\1\/\2/p' "$work/report.out")
ref_src=${!src_last}
ref_src=$(basename "${ref_src%% *}")
# A server lesson counts no instructions: its counts are in the claims above.
[ -z "$sr$rr" ] ||
	echo "Instructions relative to naive (case $first_case): yours ×${sr:-n/a}, the reference $ref_src ($last) ×${rr:-n/a}"
result=PASS
[ $status -eq 0 ] || result=FAIL
echo "exercise: $result"
echo "grade: $ex equivalent=yes claims=${claims:-0/0} instructions_ratio=${sr:-n/a} reference_ratio=${rr:-n/a} result=$result"
[ $result = PASS ]
