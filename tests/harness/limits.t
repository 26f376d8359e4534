#!/usr/bin/env bash
# hp-limits, the machine-limits probe, at its reduced size (--quick: 16 MiB
# buffers, three repetitions, well under a second natively). The figures of
# a quick run are not meaningful ceilings, so this checks the contract only:
# the program succeeds, its JSON parses and has the documented shape, and
# every named limit is present with a positive, finite value, a unit and a
# method. The network limits get a few checks of plausibility more, chosen to
# hold on a busy 2-core machine (make test runs this beside other tests):
# each round trip's median is at most its 99th percentile (it is by
# construction, so this catches swapped or miscomputed figures, never noise),
# a loopback round trip takes at least 0.5 us (four system calls and two
# trips through the TCP stack; less means a unit is wrong), and no stream is
# faster than twice the cached memcpy (each byte is copied into the kernel
# and out again). Pinned against unpinned is not compared: unpinned, the
# scheduler may put both threads on one CPU, and then the two measure the
# same thing, noise decides the order. Run from anywhere; paths are relative
# to the repository root.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1

bin=build/common/tools/hp-limits
out=build/tmp/limits.json
names=(membw_read_1t membw_read_2t membw_copy_1t membw_copy_2t syscall_ns malloc_free_64_ns
	malloc_free_4k_ns malloc_free_64k_ns miss_latency_ns l1_latency_ns pagecache_read_gbs memcpy_1m_gbs
	tcp_rtt_pinned_p50_us tcp_rtt_pinned_p99_us tcp_rtt_unpinned_p50_us tcp_rtt_unpinned_p99_us
	tcp_stream_pinned_gbs tcp_stream_unpinned_gbs tcp_connect_per_s)
# The unit each network limit must carry.
declare -A net_units=([tcp_rtt_pinned_p50_us]=us [tcp_rtt_pinned_p99_us]=us [tcp_rtt_unpinned_p50_us]=us
	[tcp_rtt_unpinned_p99_us]=us [tcp_stream_pinned_gbs]=GB/s [tcp_stream_unpinned_gbs]=GB/s
	[tcp_connect_per_s]=conn/s)

if ! command -v jq >/dev/null; then
	echo "1..0 # SKIP jq is not installed (make deps installs it)"
	exit 0
fi
echo "1..$((8 + ${#names[@]}))"

n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
# The value and the unit of a limit; empty when it is absent.
value() { jq -r --arg n "$1" '.limits[]? | select(.name == $n) | .value' "$out" 2>/dev/null; }
unit() { jq -r --arg n "$1" '.limits[]? | select(.name == $n) | .unit' "$out" 2>/dev/null; }
# holds A OP B: A OP B as floating-point numbers (OP is <= or <); false when either is empty.
holds() {
	awk -v a="$1" -v op="$2" -v b="$3" 'BEGIN {
		if (a == "" || b == "") exit 1
		exit !(op == "<=" ? a + 0 <= b + 0 : a + 0 < b + 0)
	}'
}
not_ok() {
	n=$((n + 1))
	echo "not ok $n - $1"
	shift
	for line in "$@"; do echo "#   $line"; done
}

if [ ! -x "$bin" ]; then
	not_ok "$bin exists" "build it with: make $bin"
	exit 1
fi

mkdir -p "$(dirname "$out")"
rm -f "$out"
stdout=$(mktemp)
stderr=$(mktemp)
trap 'rm -f "$stdout" "$stderr"' EXIT

# 60 s is far above the quick run's budget; the bound only keeps a hang from stalling the suite.
if timeout 60 "$bin" --quick --out "$out" >"$stdout" 2>"$stderr"; then
	ok "hp-limits --quick --out $out exits 0"
else
	not_ok "hp-limits --quick --out $out exits 0" "exit status $?" "$(tail -5 "$stderr")"
fi

if jq -e '(.machine.cpu | type == "string" and length > 0)
	and (.machine.cores | type == "number" and . >= 1)
	and (.machine.kernel | type == "string" and length > 0)
	and (.machine.date | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$"))
	and (.limits | type == "array")' "$out" >/dev/null 2>&1; then
	ok "the JSON parses and has the machine block and a limits array"
else
	not_ok "the JSON parses and has the machine block and a limits array" \
		"$(head -c 400 "$out" 2>/dev/null || echo "no file $out")"
fi

for name in "${names[@]}"; do
	# Exactly one entry of that name; a number > 0 that is neither inf nor nan; unit and method present.
	if jq -e --arg n "$name" '[.limits[] | select(.name == $n)] as $l
		| ($l | length == 1)
		and ($l[0].value | type == "number" and . > 0 and (isinfinite | not) and (isnan | not))
		and ($l[0].unit | type == "string" and length > 0)
		and ($l[0].method | type == "string" and length > 10)' "$out" >/dev/null 2>&1; then
		ok "$name is present, positive and finite ($(jq -r --arg n "$name" \
			'.limits[] | select(.name == $n) | "\(.value) \(.unit)"' "$out"))"
	else
		not_ok "$name is present, positive and finite" \
			"$(jq -c --arg n "$name" '[.limits[]? | select(.name == $n)]' "$out" 2>&1)"
	fi
done

missing=()
for name in "${names[@]}"; do
	grep -q "^  $name " "$stdout" || missing+=("$name")
done
if [ ${#missing[@]} -eq 0 ]; then
	ok "the table on stdout has a row for every limit"
else
	not_ok "the table on stdout has a row for every limit" "missing: ${missing[*]}"
fi

wrong=()
for name in "${!net_units[@]}"; do
	u=$(unit "$name")
	[ "$u" = "${net_units[$name]}" ] || wrong+=("$name: unit '$u', expected '${net_units[$name]}'")
done
if [ ${#wrong[@]} -eq 0 ]; then
	ok "the network limits have their units (us, GB/s, conn/s)"
else
	not_ok "the network limits have their units (us, GB/s, conn/s)" "${wrong[@]}"
fi

for cfg in pinned unpinned; do
	p50=$(value "tcp_rtt_${cfg}_p50_us")
	p99=$(value "tcp_rtt_${cfg}_p99_us")
	if holds "$p50" "<=" "$p99"; then
		ok "tcp_rtt_${cfg}: p50 $p50 us <= p99 $p99 us"
	else
		not_ok "tcp_rtt_${cfg}: p50 <= p99" "p50 '$p50' us, p99 '$p99' us"
	fi
done

p50p=$(value tcp_rtt_pinned_p50_us)
p50u=$(value tcp_rtt_unpinned_p50_us)
if holds 0.5 "<=" "$p50p" && holds 0.5 "<=" "$p50u"; then
	ok "a loopback round trip takes at least 0.5 us (pinned $p50p us, unpinned $p50u us)"
else
	not_ok "a loopback round trip takes at least 0.5 us" "pinned '$p50p' us, unpinned '$p50u' us"
fi

memcpy=$(value memcpy_1m_gbs)
sp=$(value tcp_stream_pinned_gbs)
su=$(value tcp_stream_unpinned_gbs)
bound=$(awk -v m="$memcpy" 'BEGIN { if (m != "") print 2 * m }')
if holds "$sp" "<" "$bound" && holds "$su" "<" "$bound"; then
	ok "no tcp stream beats twice the cached memcpy (pinned $sp, unpinned $su, bound $bound GB/s)"
else
	not_ok "no tcp stream beats twice the cached memcpy" \
		"pinned '$sp' GB/s, unpinned '$su' GB/s, memcpy_1m_gbs '$memcpy' GB/s"
fi
