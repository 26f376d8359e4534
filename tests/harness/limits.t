#!/usr/bin/env bash
# hp-limits, the machine-limits probe, at its reduced size (--quick: 16 MiB
# buffers, three repetitions, well under a second natively). The figures of
# a quick run are not meaningful ceilings, so this checks the contract only:
# the program succeeds, its JSON parses and has the documented shape, and
# every named limit is present with a positive, finite value, a unit and a
# method. Run from anywhere; paths are relative to the repository root.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1

bin=build/common/tools/hp-limits
out=build/tmp/limits.json
names=(membw_read_1t membw_read_2t membw_copy_1t membw_copy_2t syscall_ns malloc_free_64_ns
	malloc_free_4k_ns malloc_free_64k_ns miss_latency_ns l1_latency_ns pagecache_read_gbs memcpy_1m_gbs)

if ! command -v jq >/dev/null; then
	echo "1..0 # SKIP jq is not installed (make deps installs it)"
	exit 0
fi
echo "1..$((3 + ${#names[@]}))"

n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
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
