#!/usr/bin/env bash
# The file search's own excerpt for `make case-file-search-profile`:
#
#   binsize.txt  the optimized tool built five ways (as the lesson builds it,
#                stripped, -Os, static, static -Os stripped): the file's size
#                and the median time to start, search an empty directory and
#                exit, over 200 runs each, with grep and rg doing the same.
#                Start-up is the whole cost of a search that finds nothing
#                to read, and the floor under every run of a tool called
#                from a script in a loop.
#
# usage: profile-extra.sh build/<lesson>/lesson.spec OUTDIR
set -euo pipefail

die() {
	echo "profile-extra: $*" >&2
	exit 2
}
[ $# -eq 2 ] || die "usage: profile-extra.sh build/<lesson>/lesson.spec OUTDIR"
spec=$1 out=$2
# shellcheck disable=SC1090
. "$spec"
# The spec sets id, src_optimized, cflags, libs.
# shellcheck disable=SC2154
: "${id?}" "${src_optimized?}" "${cflags?}"
for tool in perl strip grep rg; do
	command -v "$tool" >/dev/null || die "$tool is not installed (make deps)"
done
[ -f build/common/libhp.a ] || die "build/common/libhp.a is missing (make)"
mkdir -p "$out"
tmp=build/tmp/$id-extra
rm -rf "$tmp" && mkdir -p "$tmp/empty"
trap 'rm -rf "$tmp"' EXIT

# The builds: the lesson's flags ($cflags: the compiler and CFLAGS the results record), then variations.
build() { # NAME EXTRA-FLAGS...
	local name=$1
	shift
	# shellcheck disable=SC2086
	$cflags -D_GNU_SOURCE -Icommon/include "$@" $src_optimized build/common/libhp.a ${libs:-} \
		-lm -lpthread -o "$tmp/$name" || die "cannot build $name"
}
build as-built
cp "$tmp/as-built" "$tmp/stripped" && strip "$tmp/stripped"
build os -Os
build static -static
build static-os-stripped -static -Os
strip "$tmp/static-os-stripped"

# Median start-to-exit time of a command over N runs, in microseconds (fork, exec, wait).
median_us() {
	perl -MTime::HiRes=time -e '
		my $n = shift; my @t;
		for (1 .. $n) {
			my $t0 = time;
			my $pid = fork // die "fork: $!";
			if (!$pid) { open STDOUT, ">", "/dev/null"; open STDERR, ">", "/dev/null"; exec @ARGV or exit 127 }
			waitpid $pid, 0;
			push @t, (time - $t0) * 1e6;
		}
		@t = sort { $a <=> $b } @t;
		printf "%.0f", $t[$#t / 2];
	' 200 "$@"
}

{
	echo "# The optimized tool built five ways: size on disk and the median time to start, search an"
	echo "# empty directory and exit (200 runs each, fork + exec + wait, on this machine, as the profile"
	echo "# ran); grep and rg do the same, and /bin/true shows what creating any process costs here."
	echo "# Flags of the lesson's build: $cflags"
	echo
	printf '%-28s %12s %12s\n' build bytes start_us
	for b in as-built stripped os static static-os-stripped; do
		case $b in
		as-built) what="as built (-g, dynamic)" ;;
		stripped) what="stripped" ;;
		os) what="-Os" ;;
		static) what="-static" ;;
		static-os-stripped) what="-static -Os, stripped" ;;
		esac
		printf '%-28s %12s %12s\n' "$what" "$(stat -c %s "$tmp/$b")" "$(median_us "$tmp/$b" x "$tmp/empty")"
	done
	printf '%-28s %12s %12s\n' "/bin/true (the floor)" "$(stat -L -c %s /bin/true)" "$(median_us /bin/true)"
	printf '%-28s %12s %12s\n' "grep -rnIE ($(command -v grep))" "$(stat -L -c %s "$(command -v grep)")" \
		"$(median_us grep -rnIE x "$tmp/empty")"
	printf '%-28s %12s %12s\n' "rg -n -uu ($(command -v rg))" "$(stat -L -c %s "$(command -v rg)")" \
		"$(median_us rg -n --no-heading -uu x "$tmp/empty")"
} >"$out/binsize.txt"
echo "profile-extra: wrote $out/binsize.txt"
