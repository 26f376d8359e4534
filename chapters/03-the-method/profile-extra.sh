#!/usr/bin/env bash
# Chapter 03's own excerpts, run by `make chapter3-profile` (common/scripts/profile.sh):
# Amdahl's law, worked out from the profiles rather than typed into the README.
#
# usage: profile-extra.sh build/<lesson>/lesson.spec OUTDIR
#
# Writes OUTDIR/amdahl-prediction.txt and OUTDIR/amdahl-result.txt for the README's
# <!-- hp:excerpt amdahl-prediction --> and <!-- hp:excerpt amdahl-result -->. It runs every
# variant under callgrind at the count size (the timed section only, as the harness
# does), takes the inclusive instructions of the two suspects, parse_line and
# find_tenant (each with everything it calls: sscanf and strcmp included), and then
#   1. (the prediction) works out from naive's profile alone, before any change, the
#      best each step can do: removing a share p of the work leaves at least 1 - p of it;
#   2. (the result) puts each step's measured speed-up of its part, s, into Amdahl's formula
#      (1 - p) + p / s and sets the result beside the measured total. The two agree
#      exactly when the rest of the program did not change, which is what "change one
#      thing" promises; the row "everything else" shows whether it held.
# GCC may rename a function it specialized (find_tenant.isra.0): a name matches with
# any such suffix. Both functions are noinline in every variant; if one is inlined
# anyway, this script stops and says so rather than print a wrong share.
#
# The spec, sourced below, assigns variants, cases, args_count, case_<case> and bin_<variant>.
# shellcheck disable=SC2154
set -euo pipefail

die() {
	echo "profile-extra: $*" >&2
	exit 2
}

[ $# -eq 2 ] || die "usage: profile-extra.sh build/<lesson>/lesson.spec OUTDIR"
spec=$1 out=$2
# shellcheck disable=SC1090
. "$spec"
for tool in valgrind callgrind_annotate awk timeout; do
	command -v "$tool" >/dev/null || die "$tool is not installed (make deps installs it)"
done
mkdir -p "$out"
work=$(mktemp -d "$out/.extra.XXXXXX")
trap 'rm -rf "$work"' EXIT
export HP_REPORT=/dev/null

first_case=${cases%% *}
case_var=case_$first_case
read -r -a argv <<<"$args_count ${!case_var-} --seed 1"

# inclusive VARIANT: "total parse find" of the variant's timed section, in instructions.
inclusive() {
	local v=$1 bin_var=bin_$1
	local bin=${!bin_var}
	timeout 300 valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file="$work/$v.out" \
		-- "$bin" "${argv[@]}" >/dev/null 2>"$work/$v.err" ||
		{ tail -n 5 "$work/$v.err" >&2; die "callgrind failed on $bin"; }
	callgrind_annotate --inclusive=yes --threshold=100 --auto=no "$work/$v.out" >"$work/$v.txt" ||
		die "callgrind_annotate failed on $work/$v.out"
	awk -v v="$v" '
		function count(s) { gsub(",", "", s); return s + 0 }
		/PROGRAM TOTALS/ { total = count($1) }
		# "38,818,808 (80.26%)  chapters/03-the-method/naive.c:parse_line [/path/naive]"
		/:parse_line(\.[a-z]+\.[0-9]+)* \[/ && parse == "" { parse = count($1) }
		/:find_tenant(\.[a-z]+\.[0-9]+)* \[/ && find == "" { find = count($1) }
		END {
			if (total == "" || parse == "" || find == "") {
				print "profile-extra: " v ": no PROGRAM TOTALS, parse_line or find_tenant in the " \
				      "profile (was a function inlined? both must stay noinline)" > "/dev/stderr"
				exit 1
			}
			print total, parse, find
		}' "$work/$v.txt"
}

echo "profile-extra: callgrind naive small optimized (amdahl) ..."
read -r n_total n_parse n_find < <(inclusive naive) || die "no profile of naive"
read -r s_total s_parse s_find < <(inclusive small) || die "no profile of small"
read -r o_total o_parse o_find < <(inclusive optimized) || die "no profile of optimized"
[ -n "$o_find" ] || die "a profile is missing (see the messages above)"

# The two excerpts: the prediction (naive's profile alone) and the result (all three).
awk -v nt="$n_total" -v np="$n_parse" -v nf="$n_find" \
	-v st="$s_total" -v sp="$s_parse" -v sf="$s_find" \
	-v ot="$o_total" -v op="$o_parse" -v of="$o_find" \
	-v cmd="${bin_naive%/*}/VARIANT ${argv[*]}" \
	-v prediction="$work/amdahl-prediction.txt" -v result="$work/amdahl-result.txt" '
	# 48367256 -> "48,367,256" (mawk has no %'"'"'d).
	function commas(x,    s, r) {
		s = sprintf("%d", x)
		r = ""
		while (length(s) > 3) {
			r = "," substr(s, length(s) - 2) r
			s = substr(s, 1, length(s) - 3)
		}
		return s r
	}
	function header(f, variants) {
		print "# Amdahl'"'"'s law from callgrind profiles: " variants > f
		print "# command: " cmd > f
		print "# Instructions of the timed section. A function counts with everything it calls" > f
		print "# (callgrind_annotate --inclusive=yes): parse_line with sscanf, find_tenant with strcmp." > f
		print "" > f
	}
	BEGIN {
		pf = nf / nt; pp = np / nt; rest = 1 - pf - pp

		f = prediction
		header(f, "naive only, before any change")
		printf "  %-16s %12s  %s\n", "naive", "instructions", "share p" > f
		printf "  %-16s %12s  %7.3f\n", "parse_line", commas(np), pp > f
		printf "  %-16s %12s  %7.3f\n", "find_tenant", commas(nf), pf > f
		printf "  %-16s %12s  %7.3f\n", "everything else", commas(nt - np - nf), rest > f
		printf "  %-16s %12s  %7.3f\n", "total", commas(nt), 1 > f
		print "" > f
		print "Make a part that is a share p of the work s times faster, and the whole takes" > f
		print "(1 - p) + p / s of what it took. However large s, never less than 1 - p:" > f
		printf "  fix find_tenant alone:       small     >= %.3f x naive  (at most %.2fx fewer)\n",
			1 - pf, 1 / (1 - pf) > f
		printf "  fix parse_line alone:                  >= %.3f x naive  (at most %.2fx fewer)\n",
			1 - pp, 1 / (1 - pp) > f
		printf "  fix both:                    optimized >= %.3f x naive  (at most %.0fx fewer)\n",
			rest, 1 / rest > f

		f = result
		header(f, "the three variants, after the changes")
		printf "  %-16s %12s %12s %12s\n", "instructions", "naive", "small", "optimized" > f
		printf "  %-16s %12s %12s %12s\n", "parse_line", commas(np), commas(sp), commas(op) > f
		printf "  %-16s %12s %12s %12s\n", "find_tenant", commas(nf), commas(sf), commas(of) > f
		printf "  %-16s %12s %12s %12s\n", "everything else", commas(nt - np - nf), commas(st - sp - sf),
			commas(ot - op - of) > f
		printf "  %-16s %12s %12s %12s\n", "total", commas(nt), commas(st), commas(ot) > f
		print "" > f
		print "Each part'"'"'s speed-up s (naive'"'"'s count over the variant'"'"'s), in (1 - p) + p / s:" > f
		s1 = nf / sf
		printf "  small:      s(find_tenant) = %.1f\n", s1 > f
		printf "              %.3f + %.3f / %.1f = %.3f x naive; measured total: %.3f x naive\n",
			1 - pf, pf, s1, (1 - pf) + pf / s1, st / nt > f
		s2p = np / op; s2f = nf / of
		printf "  optimized:  s(parse_line) = %.1f, s(find_tenant) = %.1f\n", s2p, s2f > f
		printf "              %.3f + %.3f / %.1f + %.3f / %.1f = %.3f x naive; measured total: %.3f x naive\n",
			rest, pp, s2p, pf, s2f, rest + pp / s2p + pf / s2f, ot / nt > f
	}'
for name in amdahl-prediction amdahl-result; do
	mv -f "$work/$name.txt" "$out/$name.txt"
	echo "profile-extra: $out/$name.txt"
done
