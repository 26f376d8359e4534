#!/usr/bin/env bash
# Build one variant with profile-guided optimization, in the three steps
# every PGO build has (chapter 10 shows what they buy and what they cost):
#
#   1. compile and link an instrumented program (-fprofile-generate);
#   2. run it on a training input: it writes one .gcda profile per object;
#   3. compile again with -fprofile-use, which reads those profiles, and link.
#
# usage: pgo-build.sh OUT 'TRAINING ARGS' 'COMPILE COMMAND' 'LINK TAIL' SOURCE.c...
#   COMPILE COMMAND is the compiler with every compile flag (the variant's
#   lesson_build_<v> included); LINK TAIL is what follows the objects on the
#   link line (libhp, libraries).
#
# Both compiles write the same object files in OUT.pgo/, because gcc names a
# static function's profile after its object file: a profile recorded by
# build/x.gen/main.o is not found by a compile that writes build/x/main.o.
# The training run's output is kept in OUT.pgo/training.out.
set -euo pipefail
out=$1 train=$2 compile=$3 link=$4
shift 4
dir=$out.pgo
rm -rf "$dir"
mkdir -p "$dir"

objects=()
for src in "$@"; do
	obj=$dir/$(basename "${src%.c}").o
	for o in "${objects[@]}"; do
		[ "$o" != "$obj" ] || { echo "pgo-build: two sources named $(basename "$src")" >&2; exit 1; }
	done
	objects+=("$obj")
done

build() { # PROFILE-FLAG OUTPUT
	local i=0
	for src in "${sources[@]}"; do
		# shellcheck disable=SC2086
		$compile $1 -c "$src" -o "${objects[$i]}"
		i=$((i + 1))
	done
	# shellcheck disable=SC2086
	$compile $1 -o "$2" "${objects[@]}" $link
}
sources=("$@")

build -fprofile-generate "$dir/instrumented"
# shellcheck disable=SC2086
if ! "$dir/instrumented" $train >"$dir/training.out" 2>"$dir/training.err"; then
	cat "$dir/training.err" >&2
	echo "pgo-build: the training run ($dir/instrumented $train) failed" >&2
	exit 1
fi
# A profile that does not match the code (sources changed since the training
# run) is an error, not a silently unoptimized build.
build "-fprofile-use -Werror=coverage-mismatch -Wmissing-profile" "$out"
