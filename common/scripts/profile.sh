#!/usr/bin/env bash
# The profile of one lesson (make chapterN-profile): where the time goes and
# where the heap goes, for every variant and every case, as short text files
# that the lesson's prose quotes through its markers, plus one heap-timeline
# chart per case.
#
# usage: profile.sh build/<lesson>/lesson.spec [SIZE]     SIZE: small | default (default) | large
#
# For variant V and case C it writes, under results/<dir>/profile/:
#   perf-V-C.txt       perf record (cpu-clock samples, DWARF call stacks) at SIZE, perf report's top
#   callgrind-V-C.txt  instructions of the timed section only, per function, at the count size
#   massif-V-C.txt     ms_print's heap graph and the peak snapshot, at the count size
#   massif-V-C.dat     the heap timeline (time_B heap_B useful_B extra_B) for the chart
#   branches.txt       with lesson_branch_sim := yes: simulated branches and misses per operation
# and docs/img/<slug>-heap-C.svg and .png (charts/heap.gp): the variants' heap timelines.
# The lesson's README quotes them with <!-- hp:profile callgrind naive --> (first case) or
# <!-- hp:profile callgrind naive requests -->, so these names are a contract.
#
# Environment: PROFILE_OUT and IMG_OUT replace the two output directories (the tests use them);
# PERF and VALGRIND name the programs; PERF_CALL_GRAPH (dwarf) is perf record's --call-graph.
# Every run is bounded by timeout. A run that fails leaves a file that says so (with its stderr)
# in place of its profile, the other runs go on, and the exit status is 1. perf refused by the
# kernel (perf_event_paranoid) is not a failure: the perf file then explains how to allow it.
set -euo pipefail

die() {
	echo "profile: $*" >&2
	exit 2
}

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	die "usage: profile.sh build/<lesson>/lesson.spec [small|default|large]"
fi
spec=$1
size=${2:-default}
[ -r "$spec" ] || die "cannot read the spec $spec (make builds it: make $spec)"
# The spec is key='value' lines written by make (common/mk/lesson-rules.mk).
# shellcheck disable=SC1090
. "$spec"

# The value of a spec key, "" when absent: keys like bin_naive are built from names.
spec_get() {
	local name=$1
	printf '%s' "${!name-}"
}

case $size in
small | default) ;;
large) [ -n "$(spec_get args_large)" ] || size=default ;; # large is optional in a spec; without it, default
*) die "unknown size '$size' (small, default or large)" ;;
esac
dir=$(spec_get dir)
id=$(spec_get id)
variants=$(spec_get variants)
variants=${variants:-naive optimized}
cases=$(spec_get cases)
cases=${cases:-main}
[ -n "$dir" ] || die "$spec names no dir"
kind=$(spec_get kind)
case ${kind:-batch} in
batch | server) ;;
*) die "$spec: unknown lesson kind '$kind'" ;;
esac

# The images are named after the page (case-file-search-heap-..., as hp-report looks for them).
page=$(spec_get page)
slug=$(basename "${page:-$dir}" .md)
edition=$(spec_get edition)
out=${PROFILE_OUT:-results/$dir${edition:+/$edition}/profile}
img=${IMG_OUT:-docs/img}
perf_bin=${PERF:-perf}
valgrind_bin=${VALGRIND:-valgrind}
call_graph=${PERF_CALL_GRAPH:-dwarf}
run_timeout=$(spec_get timeout)
run_timeout=${run_timeout:-60}
# perf record adds its own start-up (reading the kernel's symbols) and the
# writing of the samples, a few seconds here; perf report unwinds every DWARF
# stack and resolves inlined frames, which takes longer than the run itself.
# Valgrind runs the count size, which takes well under a second natively, but
# callgrind is ~50x slower and massif ~20x: five lesson timeouts bound both.
perf_timeout=$((run_timeout + 30))
report_timeout=$((run_timeout * 2 + 60))
vg_timeout=$((run_timeout * 5))
args_size=$(spec_get "args_$size")
args_count=$(spec_get args_count)
args_count=${args_count:-$(spec_get args_small)}

for tool in "$valgrind_bin" callgrind_annotate ms_print gnuplot timeout; do
	command -v "$tool" >/dev/null || die "$tool is not installed (make deps installs it)"
done
for v in $variants; do
	bin=$(spec_get "bin_$v")
	[ -x "$bin" ] || die "variant $v: no executable '$bin' (make ${id:-the lesson}-build builds it)"
done

# A variant's arguments: the size's, the case's and a seed, or, for a tool
# with a command line of its own (lesson_seeded := no), the case's then the
# size's, as hp-run passes them; "@tmp@" is a scratch directory of this
# profile's own, as hp-run's is of each hp-run.
variant_args() { # SIZE-ARGS CASE
	local a
	if [ "$(spec_get seeded)" = no ]; then
		a="$(spec_get "case_$2") $1"
	else
		a="$1 $(spec_get "case_$2") --seed 1"
	fi
	printf '%s' "${a//@tmp@/$work}"
}
# The input the runs need (a case study's file tree), made by the lesson's own set-up command.
for z in "$size" small; do
	setup=$(spec_get "setup_$z")
	[ -z "$setup" ] || $setup >/dev/null || die "set-up failed: $setup"
done

mkdir -p "$out" "$img"
# Scratch space inside the output directory, so the final mv is a rename on one file system.
work=$(mktemp -d "$out/.profile.XXXXXX")
trap 'rm -rf "$work"' EXIT
# A service the variants need (DB=postgres), started as hp-run starts it: its
# NAME=value lines go into the environment, and it is stopped on exit.
service=$(spec_get service)
if [ -n "$service" ]; then
	service_dir="$work/service-$service" # a directory of its own, as hp-run's
	service_env=$(common/scripts/"$service".sh start "$service_dir") || die "$service did not start"
	trap 'common/scripts/'"$service"'.sh stop "$service_dir" >/dev/null; rm -rf "$work"' EXIT
	while IFS= read -r kv; do
		[[ $kv == *=* ]] && export "${kv?}"
	done <<<"$service_env"
fi
# The variants report their metrics through HP_REPORT; nobody reads them here.
export HP_REPORT=/dev/null
status=0

# A server is profiled under load, which only the lesson knows how to apply:
# its profile-extra.sh does it (chapter 12 runs wrk against each variant).
if [ "${kind:-batch}" = server ]; then
	mkdir -p "$out"
	[ -x "$dir/profile-extra.sh" ] || die "$id is a server lesson without a profile-extra.sh: nothing to profile"
	echo "profile: $dir/profile-extra.sh"
	timeout 300 "$dir/profile-extra.sh" "$spec" "$out" || die "$dir/profile-extra.sh FAILED"
	echo "profile: outputs in $out/"
	exit 0
fi

# Move a finished file into place: readers see the old file or the new one, never half of one.
publish() {
	mv -f "$1" "$out/$2"
}

# run NAME TIMEOUT CMD...: run one tool, its stdout to $work/NAME.out and stderr to
# $work/NAME.err; returns the exit status (124 when the timeout struck).
run() {
	local name=$1 limit=$2
	shift 2
	local rc=0
	timeout --kill-after=5 "$limit" "$@" >"$work/$name.out" 2>"$work/$name.err" || rc=$?
	return $rc
}

# failed FILE TITLE RC NAME: write the failure in place of a profile, and remember it.
failed() {
	local file=$1 title=$2 rc=$3 name=$4 why
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		why="timed out"
	else
		why="failed with exit status $rc"
	fi
	{
		echo "# $title"
		echo "# FAILED: the run $why. Last lines of its stderr:"
		# Without valgrind's banner, so the program's own message shows.
		{ grep -vE '^==[0-9]+== *$|Copyright|Using Valgrind|rerun with -h|For interactive control|^==[0-9]+== (Callgrind|Massif), a ' \
			"$work/$name.err" || true; } | tail -n 15 | sed 's/^/#   /'
	} >"$work/$file"
	publish "$work/$file" "$file"
	echo "profile: $title $why (see $out/$file)" >&2
	status=1
}

# The header of every profile: what ran, with which arguments, and how.
header() {
	local title=$1 cmd=$2
	shift 2
	echo "# $title"
	echo "# command: ${cmd//$work/@tmp@}" # the scratch directory by its name in lesson.mk
	for line in "$@"; do echo "# $line"; done
}

# The first N lines of stdin. Unlike head, it reads to the end, so the writer
# never dies of SIGPIPE (which pipefail would turn into a failure).
first() {
	sed -n "1,$1p"
}

# Strip perf's comment lines (keeping the column titles) and the start-up frames every stack
# ends with; squeeze runs of blank lines.
tidy_perf() {
	sed -e 's/^# \(Overhead .*\)/  \1/' |
		{ grep -vE '^#|^[[:space:]|]*(_start|__libc_start_call_main|__libc_start_main(_impl)?( \(inlined\))?)[[:space:]]*$' || true; } |
		cat -s
}

if [ -r /proc/sys/kernel/perf_event_paranoid ]; then
	paranoid=$(cat /proc/sys/kernel/perf_event_paranoid)
else
	paranoid=unknown
fi
# A hardware PMU shows as an event source named cpu (or cpu_core / cpu_atom on hybrid Intel parts).
if compgen -G '/sys/bus/event_source/devices/cpu*' >/dev/null; then
	pmu_note="cpu-clock, a software timer event, so that profiles from machines with and without a hardware PMU compare"
else
	pmu_note="cpu-clock, a software timer event: this machine exposes no hardware PMU (no cycles or cache-miss events)"
fi

profile_perf() {
	local v=$1 c=$2 bin=$3
	local file="perf-$v-$c.txt" title="perf: $v, case $c, size $size" rc=0
	local -a argv
	read -r -a argv <<<"$(variant_args "$args_size" "$c")"
	echo "profile: perf $v $c ..."
	if ! command -v "$perf_bin" >/dev/null; then
		{
			header "$title" "$bin ${argv[*]}" "not measured: perf is not installed (Debian: apt-get install linux-perf)"
		} >"$work/$file"
		publish "$work/$file" "$file"
		return
	fi
	run "perf-record" "$perf_timeout" "$perf_bin" record -q -e cpu-clock -F 2000 --call-graph "$call_graph" \
		-o "$work/perf.data" -- "$bin" "${argv[@]}" || rc=$?
	if [ $rc -ne 0 ] && grep -qiE 'paranoid|permission|not permitted|access to performance monitoring' \
		"$work/perf-record.err"; then
		{
			header "$title" "$bin ${argv[*]}" \
				"not measured: the kernel refused perf (kernel.perf_event_paranoid = $paranoid)." \
				"To allow it for this boot: sudo sysctl kernel.perf_event_paranoid=1 (or run as root)." \
				"perf said:"
			head -n 5 "$work/perf-record.err" | sed 's/^/#   /'
		} >"$work/$file"
		publish "$work/$file" "$file"
		echo "profile: perf was refused (perf_event_paranoid = $paranoid); $out/$file says so" >&2
		return
	fi
	if [ $rc -ne 0 ]; then
		failed "$file" "$title" $rc perf-record
		return
	fi
	rc=0
	run "perf-report" "$report_timeout" "$perf_bin" report -i "$work/perf.data" --stdio --no-children \
		--percent-limit 2 --sort dso,sym || rc=$?
	[ $rc -eq 0 ] || { failed "$file" "$title" $rc perf-report; return; }
	{
		header "$title" "$bin ${argv[*]}" \
			"perf record -e cpu-clock -F 2000 --call-graph $call_graph; perf report --stdio --no-children --percent-limit 2 --sort dso,sym" \
			"event: $pmu_note." \
			"Call stacks come from DWARF unwinding: the variants are built without frame pointers, so -g (frame pointers) loses them." \
			"The whole run is sampled, set-up included; the symbols at the top are where its time went." \
			"$(sed -n 's/^# \(Samples: .*\)/\1/p' "$work/perf-report.out" | tr -s ' ')"
		echo
		# The flat profile is the report's top-level lines, the ones that start with a percentage.
		echo "## Self time per symbol (above 2%)"
		tidy_perf <"$work/perf-report.out" | { grep -E '^  Overhead|^ +[0-9.]+%' || true; } | first 15
		echo
		echo "## Who called them"
		tidy_perf <"$work/perf-report.out" | sed -e '/^  Overhead /d' -e '1{/^$/d}' | first 40
	} >"$work/$file"
	publish "$work/$file" "$file"
	rm -f "$work/perf.data"
}

profile_callgrind() {
	local v=$1 c=$2 bin=$3
	local file="callgrind-$v-$c.txt" title="callgrind: $v, case $c, count size" rc=0
	local -a argv
	read -r -a argv <<<"$(variant_args "$args_count" "$c")"
	echo "profile: callgrind $v $c ..."
	run "callgrind" "$vg_timeout" "$valgrind_bin" --tool=callgrind --collect-atstart=no \
		--callgrind-out-file="$work/callgrind.out" -- "$bin" "${argv[@]}" || rc=$?
	[ $rc -eq 0 ] || { failed "$file" "$title" $rc callgrind; return; }
	run "callgrind-annotate" "$report_timeout" callgrind_annotate --inclusive=no --auto=no \
		"$work/callgrind.out" || rc=$?
	[ $rc -eq 0 ] || { failed "$file" "$title" $rc callgrind-annotate; return; }
	{
		header "$title" "$bin ${argv[*]}" \
			"valgrind --tool=callgrind --collect-atstart=no; callgrind_annotate --inclusive=no" \
			"Instructions executed (Ir) inside the timed section only: hp_section_begin/end switch collection" \
			"on and off. Self cost per function, the functions it calls not included."
		echo
		# From the program total on; callgrind_annotate's preamble (file name, cache
		# parameters) says nothing here. Paths are made short: the repository's own
		# prefix goes, a system source file (glibc's "./malloc/./malloc/malloc.c")
		# keeps its file name, and an object is named by its file name.
		sed -n '/PROGRAM TOTALS/,$p' "$work/callgrind-annotate.out" |
			sed -e "s#$PWD/##g" -e 's#\./[^ :]*/\([^/ :]*:\)#\1#' -e 's#\[[^]]*/\([^]/]*\)\]#[\1]#g' |
			{ grep -v '^-\{20,\}$' || true; } | cat -s | first 30
	} >"$work/$file"
	publish "$work/$file" "$file"
	rm -f "$work/callgrind.out"
}

profile_massif() {
	local v=$1 c=$2 bin=$3
	local file="massif-$v-$c.txt" dat="massif-$v-$c.dat" title="massif: $v, case $c, count size" rc=0 peak
	local -a argv
	read -r -a argv <<<"$(variant_args "$args_count" "$c")"
	echo "profile: massif $v $c ..."
	run "massif" "$vg_timeout" "$valgrind_bin" --tool=massif --time-unit=B \
		--massif-out-file="$work/massif.out" -- "$bin" "${argv[@]}" || rc=$?
	# On failure the old timeline goes too: the chart must not show a previous run as this one.
	[ $rc -eq 0 ] || { failed "$file" "$title" $rc massif; rm -f "$out/$dat"; return; }
	run "ms_print" "$report_timeout" ms_print "$work/massif.out" || rc=$?
	[ $rc -eq 0 ] || { failed "$file" "$title" $rc ms_print; rm -f "$out/$dat"; return; }
	# "Detailed snapshots: [1, 3, 12, 15 (peak), 20]" names the peak; none when nothing was allocated.
	peak=$(sed -n 's/^ *Detailed snapshots: \[.*\b\([0-9][0-9]*\) (peak).*/\1/p' "$work/ms_print.out")
	{
		header "$title" "$bin ${argv[*]}" \
			"valgrind --tool=massif --time-unit=B; ms_print, trimmed to the graph and the peak snapshot" \
			"The whole run (set-up included). x: bytes allocated and freed so far; y: heap in use," \
			"malloc's per-block overhead included (the 'extra-heap' column)."
		echo
		# The graph: from its unit line to the list of snapshots.
		sed -n '/^ *[KMG]*B$/,/Detailed snapshots:/p' "$work/ms_print.out"
		if [ -n "$peak" ]; then
			echo
			echo "## The peak (snapshot $peak): who holds the heap"
			# The table header, the peak's row, and its allocation tree, which ends at the
			# next row, rule or blank line.
			awk -v peak="$peak" '
				/^ +n +time\(B\)/ { hdr = $0; next }
				!inpeak && $1 == peak && $0 !~ /%/ && NF >= 6 { print hdr; print; inpeak = 1; next }
				inpeak && (/^-{10}/ || /^[[:space:]]*$/ || ($0 !~ /%/ && $1 ~ /^[0-9]+$/)) { exit }
				inpeak { print }
			' "$work/ms_print.out"
		fi
	} >"$work/$file"
	# massif.out has snapshot blocks of time=, mem_heap_B=, mem_heap_extra_B= lines.
	awk 'BEGIN { print "# time_B heap_B useful_B extra_B   (massif --time-unit=B; heap_B = useful + extra)" }
		/^time=/ { t = substr($0, 6) }
		/^mem_heap_B=/ { h = substr($0, 12) }
		/^mem_heap_extra_B=/ { e = substr($0, 18); print t, h + e, h, e }' \
		"$work/massif.out" >"$work/$dat"
	publish "$work/$file" "$file"
	publish "$work/$dat" "$dat"
	rm -f "$work/massif.out"
}

# One chart per case, every variant whose massif run succeeded on it.
chart_heap() {
	local c=$1 files="" titles="" v ext term q="'" qq="''"
	for v in $variants; do
		if [ -s "$out/massif-$v-$c.dat" ]; then
			files+="${files:+ }$out/massif-$v-$c.dat"
			titles+="${titles:+ }$v"
		fi
	done
	if [ -z "$files" ]; then
		echo "profile: no heap chart for case $c: every massif run failed" >&2
		rm -f "$img/$slug-heap-$c.svg" "$img/$slug-heap-$c.png"
		return
	fi
	local chart_title
	chart_title="$(spec_get title)"
	chart_title="${chart_title:-$slug}: heap over the run, case $c (count size)"
	echo "profile: chart heap $c ..."
	for ext in svg png; do
		term=$ext
		[ $ext = png ] && term=pngcairo
		local dest="$img/$slug-heap-$c.$ext" tmp="$img/.$slug-heap-$c.$$.$ext" rc=0
		# gnuplot strings are single-quoted; a quote inside one is written twice.
		timeout 60 gnuplot -e "datafiles='${files//$q/$qq}'; titles='${titles//$q/$qq}'; out='${tmp//$q/$qq}'; term='$term'; title='${chart_title//$q/$qq}'" \
			charts/heap.gp 2>"$work/gnuplot.err" || rc=$?
		if [ $rc -ne 0 ] || [ ! -s "$tmp" ]; then
			echo "profile: gnuplot failed on $dest:" >&2
			sed 's/^/  /' "$work/gnuplot.err" >&2
			rm -f "$tmp"
			status=1
			continue
		fi
		mv -f "$tmp" "$dest"
	done
}

# branch_row CASE VARIANT: one line of branches.txt, the counts per operation (the ops the
# variant reports for its timed section: records, samples, requests...).
branch_row() {
	local c=$1 v=$2 bin rc=0 ops
	local -a argv
	bin=$(spec_get "bin_$v")
	read -r -a argv <<<"$(variant_args "$args_count" "$c")"
	echo "profile: callgrind --branch-sim=yes $v $c ..." >&2
	HP_REPORT="$work/branch-report" run "branches" "$vg_timeout" "$valgrind_bin" --tool=callgrind \
		--branch-sim=yes --collect-atstart=no --callgrind-out-file="$work/branches.cg" -- "$bin" "${argv[@]}" ||
		rc=$?
	if [ $rc -ne 0 ]; then
		printf '%-14s %-10s FAILED (exit %d)\n' "$c" "$v" "$rc"
		status=1
		return
	fi
	ops=$(sed -n 's/.*"name":"ops","value":\([0-9.e+]*\).*/\1/p' "$work/branch-report" | tail -n 1)
	rm -f "$work/branch-report"
	# "events: Ir Bc Bcm Bi Bim" names the columns of the "summary:" (or "totals:") line.
	awk -v c="$c" -v v="$v" -v ops="${ops:-0}" '
		/^events:/ { for (i = 2; i <= NF; i++) col[$i] = i - 1 }
		/^(summary|totals):/ { for (i = 2; i <= NF; i++) val[i - 1] = $i; found = 1 }
		END {
			if (!found || !("Bc" in col)) { print "no branch counts in the callgrind output" > "/dev/stderr"; exit 1 }
			n = ops > 0 ? ops : 1
			bc = val[col["Bc"]]; bcm = val[col["Bcm"]]; bi = val[col["Bi"]]; bim = val[col["Bim"]]
			printf "%-14s %-10s %9.1f %8.1f %8.2f %7.2f%% %8.2f %8.2f\n", c, v, val[col["Ir"]] / n,
				bc / n, bcm / n, bc ? 100 * bcm / bc : 0, bi / n, bim / n
		}' "$work/branches.cg"
	rm -f "$work/branches.cg"
}

# With lesson_branch_sim := yes, branches.txt: callgrind's simulated predictor for every
# variant and case, per operation, quoted by the README with <!-- hp:excerpt branches -->.
profile_branches() {
	{
		header "callgrind --branch-sim=yes: the timed section only, at the count size" \
			"$args_count <case> --seed 1" \
			"Per operation: Ir instructions; Bc conditional branches, Bcm of them mispredicted (and the" \
			"share); Bi indirect branches (jump tables, calls through pointers), Bim of them mispredicted." \
			"The predictor is callgrind's simulation, not this CPU's."
		echo
		printf '%-14s %-10s %9s %8s %8s %8s %8s %8s\n' case variant Ir Bc Bcm Bcm/Bc Bi Bim
		for c in $cases; do
			for v in $variants; do
				branch_row "$c" "$v"
			done
		done
	} >"$work/branches.txt"
	publish "$work/branches.txt" branches.txt
}

echo "profile: ${id:-$dir}: variants $variants; cases $cases; size $size (perf), count size (valgrind)"
# A case that only some variants run (lesson_case_<c>_variants: the ETL's
# naive loader would take twenty minutes over the full file).
runs_case() { # VARIANT CASE
	local only
	only=$(spec_get "case_$2_variants")
	[ -z "$only" ] || [[ " $only " == *" $1 "* ]]
}

for c in $cases; do
	for v in $variants; do
		runs_case "$v" "$c" || continue
		bin=$(spec_get "bin_$v")
		profile_perf "$v" "$c" "$bin"
		profile_callgrind "$v" "$c" "$bin"
		profile_massif "$v" "$c" "$bin"
	done
	chart_heap "$c"
done

if [ "$(spec_get branch_sim)" = yes ]; then
	profile_branches
fi

# A lesson may add excerpts of its own (the assembly of a hot function, a
# sizeof table): an executable <lesson>/profile-extra.sh is run with the spec
# and the output directory, and writes <name>.txt files there that the
# README quotes with <!-- hp:excerpt NAME -->.
if [ -x "$dir/profile-extra.sh" ]; then
	echo "profile: $dir/profile-extra.sh"
	if ! timeout 300 "$dir/profile-extra.sh" "$spec" "$out"; then
		echo "profile: $dir/profile-extra.sh FAILED" >&2
		status=1
	fi
fi

echo "profile: outputs in $out/ (perf-, callgrind-, massif-<variant>-<case>.txt, massif-*.dat)"
for c in $cases; do
	if [ -s "$img/$slug-heap-$c.svg" ]; then
		echo "profile: heap chart of case $c: $img/$slug-heap-$c.svg and .png"
	fi
done
[ $status -eq 0 ] || echo "profile: some runs FAILED; their files say why" >&2
exit $status
