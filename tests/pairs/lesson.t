#!/usr/bin/env bash
# The tests every lesson gets (TAP). usage: lesson.t build/<lesson>/lesson.spec
#   - equivalence: the variants print identical stdout for seeds 1..3 and
#     sizes 0, 1, 7 and the small size, in every case;
#   - the deterministic claims (allocations, instructions) hold at the small size;
#   - an ASan+UBSan build of every variant runs clean and prints the same output;
#   - with lesson_tsan := yes, a TSan build of every variant runs clean;
#   - Valgrind memcheck finds no error and no leak in any variant.
set -uo pipefail
spec=${1:?usage: lesson.t build/<lesson>/lesson.spec}
# shellcheck disable=SC1090
. "$spec"
tmp=build/tmp/pairs-$id
rm -rf "$tmp" && mkdir -p "$tmp"
. tests/lib/tap.sh
run_tail() { tail -c 1500 "$1" | sed 's/^/#   /'; }
# The deterministic claims (allocations, instructions, lesson_exact counts) at the small size.
deterministic_claims() {
	if $hp_run --spec "$spec" --size small --rounds 0 --warmup 0 --alloc "$alloc" --out "$tmp/count.json" \
		>"$tmp/count.log" 2>&1 &&
		build/common/tools/hp-report --spec "$spec" --results "$tmp/count.json" --check deterministic \
			--quiet >"$tmp/claims.log" 2>&1; then
		ok "$id: deterministic claims hold at the small size ($(tail -1 "$tmp/claims.log"))"
	else
		not_ok "$id: deterministic claims hold at the small size"
		run_tail "$tmp/count.log"
		run_tail "$tmp/claims.log"
	fi
}

# A lesson service (chapter 21's nginx upstream): hp-run starts one of its
# own for each of its runs; the runs this file makes itself (sanitizers,
# memcheck) get one started here, with its environment exported.
if [ -n "${service:-}" ]; then
	svc_dir=$tmp/service
	if ! svc_env=$("common/scripts/$service.sh" start "$svc_dir" 2>"$tmp/service.err"); then
		not_ok "$id: the service $service starts"
		run_tail "$tmp/service.err"
		tap_done
	fi
	trap '"common/scripts/$service.sh" stop "$svc_dir" >/dev/null 2>&1' EXIT
	while IFS= read -r kv; do
		[ -z "$kv" ] || export "${kv?}"
	done <<<"$svc_env"
fi

small_size=$(sed -n 's/.*--size \([0-9][0-9]*\).*/\1/p' <<<"$args_small")
sizes="0 1 7 ${small_size:-100}"
seeds="1 2 3"
# Sanitizers and memcheck replace the allocator (their realloc always moves),
# which turns a naive realloc-by-one into quadratic copying: they run at
# modest sizes, which are enough to reach every path.
check_sizes=${check_sizes:-7 200}
hp_run=build/common/tools/hp-run
alloc=build/common/hp-alloc.so

# Server lessons (lesson_kind := server), and tools with a command line of
# their own (lesson_seeded := no: a case study's search PATTERN DIR), get
# their checks through hp-run, which starts the servers, runs the lesson's
# set-up (the file tree) and knows the arguments:
#   - every variant gives identical output (for a server: answers the corpus
#     of requests identically), in every case, at the small size;
#   - one timed run of every case, variant and peer succeeds;
#   - ASan+UBSan (and TSan) builds give the same output and exit cleanly
#     (a server on SIGTERM), which is when LeakSanitizer checks for leaks;
#   - the same under Valgrind memcheck, through a wrapper script.
# A seeded batch lesson goes on to the checks over seeds and sizes below.
if [ "${kind:-batch}" = server ] || [ "${seeded:-}" = no ]; then
	libhp_src=$(ls common/src/*.c | grep -v alloc_preload.c)
	if [ "${kind:-batch}" = server ]; then
		what_eq="answers the request corpus identically" what_run="one load run"
		what_san="answers the corpus identically and stops cleanly"
	else
		what_eq="prints identical output in every case" what_run="one timed run"
		what_san="prints identical output and exits cleanly"
	fi
	if $hp_run --spec "$spec" --size small --equivalence-only >"$tmp/eq.log" 2>&1; then
		ok "$id: every variant $what_eq"
	else
		not_ok "$id: every variant $what_eq"
		run_tail "$tmp/eq.log"
	fi
	if $hp_run --spec "$spec" --size small --rounds 1 --warmup 0 --out "$tmp/small.json" >"$tmp/small.log" 2>&1; then
		ok "$id: $what_run of every case, variant and peer succeeds at the small size"
	else
		not_ok "$id: $what_run of every case, variant and peer succeeds at the small size"
		run_tail "$tmp/small.log"
	fi
	[ "${kind:-batch}" = server ] || deterministic_claims
	sanitized() { # VARIANT NAME FLAGS...
		local v=$1 name=$2 src_var=src_$1 bin="$tmp/$2-$1"
		shift 2
		# shellcheck disable=SC2086
		if ! cc -std=c17 -O1 -g -D_GNU_SOURCE -Icommon/include "$@" ${!src_var} $libhp_src $libs \
			-lm -lpthread -o "$bin" 2>"$tmp/$name-build.log"; then
			not_ok "$id: $v builds with $name"
			run_tail "$tmp/$name-build.log"
			return
		fi
		if ASAN_OPTIONS=detect_leaks=1 TSAN_OPTIONS=halt_on_error=1:exitcode=66 \
			$hp_run --spec "$spec" --size small --equivalence-only --variant "$v=$bin" \
			>"$tmp/$name.log" 2>&1; then
			ok "$id: $v under $name $what_san"
		else
			not_ok "$id: $v under $name $what_san"
			run_tail "$tmp/$name.log"
		fi
	}
	for v in $variants; do
		sanitized "$v" asan -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
		[ "${tsan:-}" != yes ] || sanitized "$v" tsan -fsanitize=thread
		bin_var=bin_$v
		wrapper="$tmp/memcheck-$v"
		printf '#!/bin/sh\nexec valgrind -q --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 %s "$@"\n' \
			"$(realpath "${!bin_var}")" >"$wrapper"
		chmod +x "$wrapper"
		if $hp_run --spec "$spec" --size small --equivalence-only --variant "$v=$wrapper" >"$tmp/vg.log" 2>&1; then
			ok "$id: $v under memcheck $what_san, with no error or leak"
		else
			not_ok "$id: $v under memcheck $what_san, with no error or leak"
			run_tail "$tmp/vg.log"
		fi
	done
	tap_done
fi

# 1. Equivalence over seeds and edge sizes.
for size in $sizes; do
	for seed in $seeds; do
		if $hp_run --spec "$spec" --size small --seed "$seed" --args "--size $size" \
			--equivalence-only --alloc "$alloc" >"$tmp/eq.log" 2>&1; then
			ok "$id: identical output, size $size, seed $seed"
		else
			not_ok "$id: identical output, size $size, seed $seed"
			run_tail "$tmp/eq.log"
		fi
	done
done

# 1b. A variant with an environment of its own (lesson_env_<v>: another
# allocator preloaded) gives the same output with that environment alone:
# the equivalence runs above put the allocation counter in front of it.
base_bin=bin_${variants%% *}
for v in $variants; do
	env_var=env_$v bin_var=bin_$v
	[ -n "${!env_var:-}" ] || continue
	for c in $cases; do
		case_var=case_$c
		for seed in $seeds; do
			args="$args_small ${!case_var} --seed $seed"
			# shellcheck disable=SC2086
			if HP_REPORT=/dev/null "${!base_bin}" $args >"$tmp/env-base.out" 2>"$tmp/env.err" &&
				env HP_REPORT=/dev/null ${!env_var} "${!bin_var}" $args >"$tmp/env.out" 2>>"$tmp/env.err" &&
				cmp -s "$tmp/env-base.out" "$tmp/env.out"; then
				ok "$id: $v with its environment (${!env_var}), case $c, seed $seed: identical output"
			else
				not_ok "$id: $v with its environment (${!env_var}), case $c, seed $seed: identical output"
				run_tail "$tmp/env.err"
			fi
		done
	done
done

# 2. Deterministic claims at the small size.
deterministic_claims

# 3. ASan + UBSan builds: same sources and flags plus the sanitizers.
libhp_src=$(ls common/src/*.c | grep -v alloc_preload.c)
for v in $variants; do
	src_var=src_$v
	bin="$tmp/asan-$v"
	# shellcheck disable=SC2086
	if cc -std=c17 -O1 -g -D_GNU_SOURCE -Icommon/include -fsanitize=address,undefined \
		-fno-sanitize-recover=all -fno-omit-frame-pointer ${!src_var} $libhp_src $libs -lm -lpthread \
		-o "$bin" 2>"$tmp/asan-build.log"; then
		ok "$id: $v builds with ASan+UBSan"
	else
		not_ok "$id: $v builds with ASan+UBSan"
		run_tail "$tmp/asan-build.log"
		continue
	fi
	bin_var=bin_$v
	for c in $cases; do
		case_var=case_$c
		for size in $check_sizes; do
			# shellcheck disable=SC2086
			args="$args_small ${!case_var} --seed 2 --size $size"
			# shellcheck disable=SC2086
			if HP_REPORT=/dev/null ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 "$bin" $args \
				>"$tmp/asan.out" 2>"$tmp/asan.err" &&
				HP_REPORT=/dev/null "${!bin_var}" $args >"$tmp/plain.out" 2>/dev/null &&
				cmp -s "$tmp/asan.out" "$tmp/plain.out"; then
				ok "$id: $v, case $c, size $size clean under ASan+UBSan"
			else
				not_ok "$id: $v, case $c, size $size clean under ASan+UBSan" "args: $args"
				run_tail "$tmp/asan.err"
			fi
		done
	done
done

# 3b. ThreadSanitizer, for lessons whose variants run threads (lesson_tsan := yes).
if [ "${tsan:-}" = yes ]; then
	for v in $variants; do
		src_var=src_$v
		bin="$tmp/tsan-$v"
		# shellcheck disable=SC2086
		if ! cc -std=c17 -O1 -g -D_GNU_SOURCE -Icommon/include -fsanitize=thread ${!src_var} $libhp_src \
			$libs -lm -lpthread -o "$bin" 2>"$tmp/tsan-build.log"; then
			not_ok "$id: $v builds with TSan"
			run_tail "$tmp/tsan-build.log"
			continue
		fi
		for c in $cases; do
			case_var=case_$c
			# shellcheck disable=SC2086
			args="$args_small ${!case_var} --seed 2 --size ${check_sizes##* }"
			# shellcheck disable=SC2086
			if HP_REPORT=/dev/null TSAN_OPTIONS=halt_on_error=1:exitcode=66 "$bin" $args \
				>/dev/null 2>"$tmp/tsan.err"; then
				ok "$id: $v, case $c clean under TSan"
			else
				not_ok "$id: $v, case $c clean under TSan" "args: $args"
				run_tail "$tmp/tsan.err"
			fi
		done
	done
fi

# 4. Valgrind memcheck: no errors, no leaks, at the larger check size.
for v in $variants; do
	bin_var=bin_$v
	for c in $cases; do
		case_var=case_$c
		args="$args_small ${!case_var} --seed 3 --size ${check_sizes##* }"
		# shellcheck disable=SC2086
		if HP_REPORT=/dev/null timeout 300 valgrind -q --leak-check=full --show-leak-kinds=all \
			--errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 \
			"${!bin_var}" $args >/dev/null 2>"$tmp/vg.err"; then
			ok "$id: $v, case $c clean under memcheck"
		else
			not_ok "$id: $v, case $c clean under memcheck" "args: $args"
			run_tail "$tmp/vg.err"
		fi
	done
done

tap_done
