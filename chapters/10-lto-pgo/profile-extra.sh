#!/usr/bin/env bash
# Chapter 10's own excerpts for `make chapter10-profile`:
#
#   builds.txt         every variant's build: its flags, its steps, how long
#                      it took to build here and the size of its code;
#   asm-naive.txt      the loop of ingest() in the -O2 build: three calls per
#                      record, one of them indirect;
#   asm-lto_pgo.txt    the same loop in the LTO + PGO build of the same source.
#
# usage: profile-extra.sh build/<lesson>/lesson.spec OUTDIR
set -euo pipefail

# shellcheck source=common/scripts/lib/asm.sh
. common/scripts/lib/asm.sh

[ $# -eq 2 ] || die "usage: profile-extra.sh build/<lesson>/lesson.spec OUTDIR"
spec=$1 out=$2
# shellcheck disable=SC1090
. "$spec"
id=${id:?the spec names no id} cflags=${cflags:?the spec names no cflags} dir=${dir:?}
for tool in objdump nm awk expand size; do
	command -v "$tool" >/dev/null || die "$tool is not installed (binutils)"
done
mkdir -p "$out"
tmp=build/tmp/$id-builds
rm -rf "$tmp" && mkdir -p "$tmp"

# Build variant V again into $tmp, timed; prints "seconds steps".
build_timed() {
	local v=$1 src_var=src_$1 build_var=build_$1 pgo_var=pgo_$1
	local srcs=${!src_var} flags=${!build_var:-} train=${!pgo_var:-}
	local cc="$cflags -D_GNU_SOURCE -Icommon/include -I$dir $flags"
	local link="build/common/libhp.a ${libs:-} -lm -lpthread"
	local t0 t1 steps
	t0=$(date +%s.%N)
	if [ -n "$train" ]; then
		# shellcheck disable=SC2086
		common/scripts/pgo-build.sh "$tmp/$v" "$train" "$cc" "$link" $srcs
		steps="compile, link, train ($train), compile, link"
	else
		local objs=()
		for s in $srcs; do
			# shellcheck disable=SC2086
			$cc -c "$s" -o "$tmp/$v-$(basename "${s%.c}").o"
			objs+=("$tmp/$v-$(basename "${s%.c}").o")
		done
		# shellcheck disable=SC2086
		$cc -o "$tmp/$v" "${objs[@]}" $link
		steps="compile, link"
	fi
	t1=$(date +%s.%N)
	printf '%s|%s' "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')" "$steps"
}

{
	echo "# How each variant is built, and what the build costs on this machine"
	echo "# (one build each, one job; libhp is prebuilt). Compiler: $cflags"
	echo
	printf '%-10s %-34s %8s %9s  %s\n' variant "flags added to the compiler's" "build s" "text B" steps
	for v in $variants; do
		build_var=build_$v pgo_var=pgo_$v src_var=src_$v bin_var=bin_$v
		flags=${!build_var:-}
		[ -z "${!pgo_var:-}" ] || flags="$flags -fprofile-generate/-use"
		[ -n "$flags" ] || flags="(none)"
		[ "$(basename "${!src_var%% *}")" = naive.c ] || flags="$flags; $(basename "${!src_var%% *}") for naive.c"
		r=$(build_timed "$v")
		text=$(size "${!bin_var}" | awk 'NR == 2 { print $1 }')
		printf '%-10s %-34s %8s %9s  %s\n' "$v" "${flags# }" "${r%%|*}" "$text" "${r#*|}"
	done
} >"$out/builds.txt.tmp"
mv -f "$out/builds.txt.tmp" "$out/builds.txt"

header() {
	echo "# $1"
	echo "# objdump -d --no-show-raw-insn $2 (AT&T syntax: source, destination)"
	echo
}
for v in naive lto_pgo; do
	bin_var=bin_$v
	bin=${!bin_var}
	[ -x "$bin" ] || die "no executable $bin (make $id-build builds it)"
	sym=$(symbol_of "$bin" ingest)
	{
		header "$v: the loop of $sym (naive.c), one record per iteration" "$bin"
		disassemble "$bin" "$sym" | main_loop
	} >"$out/asm-$v.txt.tmp"
	mv -f "$out/asm-$v.txt.tmp" "$out/asm-$v.txt"
done
rm -rf "$tmp"
echo "profile-extra: $out/builds.txt, asm-naive.txt, asm-lto_pgo.txt"
