# TAP helpers for the shell tests (sourced; prove reads the output).
#   ok DESC                      one passing test
#   not_ok DESC [DETAIL...]      one failing test; each DETAIL is printed as # lines (the last 30)
#   check DESC COMMAND...        ok when COMMAND succeeds, else not_ok
#   tap_done                     the plan line, and the exit status: 0 when nothing failed
n=0
failed=0
ok() {
	n=$((n + 1))
	echo "ok $n - $*"
}
not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
	shift
	[ $# -eq 0 ] || printf '%s\n' "$@" | tail -30 | sed 's/^/# /'
}
check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}
tap_done() {
	echo "1..$n"
	[ "$failed" -eq 0 ]
	exit
}
