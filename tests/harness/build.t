#!/usr/bin/env bash
# The build's own hygiene: every header compiles on its own (git's
# hdr-check), the C sources are clang-formatted, and the whole tree builds
# without a warning under DEVELOPER=1 (-Werror and extra warnings) in a
# separate build directory.
set -uo pipefail
. tests/lib/tap.sh
if out=$(make --no-print-directory check-headers 2>&1); then ok "every header compiles on its own"; else not_ok "every header compiles on its own" "$out"; fi
if command -v clang-format >/dev/null; then
	if out=$(make --no-print-directory format-check 2>&1); then ok "sources are clang-formatted"; else not_ok "sources are clang-formatted (make format)" "$out"; fi
else
	n=$((n + 1)); echo "ok $n # SKIP clang-format not installed"
fi
if out=$(make --no-print-directory BUILD=build/developer DEVELOPER=1 all 2>&1); then
	ok "DEVELOPER=1 build has no warnings"
else
	not_ok "DEVELOPER=1 build has no warnings" "$out"
fi
tap_done
