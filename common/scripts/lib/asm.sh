# Shell helpers for the profile-extra.sh scripts that quote machine code
# (chapters 07 and 10). Sourced; every function prints on stdout and dies
# with a message naming what is missing.
#
#   die MESSAGE                 print "profile-extra: MESSAGE" and exit 2
#   symbol_of BIN NAME          the symbol of function NAME in BIN, with any GCC
#                               suffix (.isra.0, .constprop.0, .lto_priv.0) but
#                               not its .cold part
#   disassemble BIN SYMBOL      its instruction lines, tabs expanded
#   loop_only                   (filter) from the target of the widest backward
#                               jump to that jump: "the loop"
#   main_loop                   (filter) the loop that closes just before the
#                               function's first ret, with the blocks it jumps
#                               back into; out-of-line slow paths left out
#   to_ret                      (filter) up to and including the first ret

# Jumps to addresses before the function's first instruction go to its .cold
# part, not back into a loop: both filters ignore them.

die() {
	echo "profile-extra: $*" >&2
	exit 2
}

# Shared by the filters: every objdump line kept in line[], its address in addr[].
awk_lines='
		function hex(s,    i, v) {
			v = 0
			for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
			return v
		}
		{ line[NR] = $0; split($1, a, ":"); addr[NR] = hex(a[1]) }
'

# The symbol of function NAME in BIN, with any GCC suffix; dies when there is none.
symbol_of() {
	local bin=$1 name=$2 sym
	sym=$(nm "$bin" | awk -v n="$name" '
		$2 ~ /^[tT]$/ && ($3 == n || index($3, n ".") == 1) && $3 !~ /\.cold$/ { print $3; exit }')
	[ -n "$sym" ] || die "no function $name in $bin (was it inlined? it must stay noinline)"
	printf '%s' "$sym"
}

# The disassembly of one function: its instruction lines only, tabs expanded.
disassemble() {
	local bin=$1 sym=$2
	objdump -d --no-show-raw-insn --disassemble="$sym" "$bin" |
		awk -v s="<$sym>:" 'index($0, s) { on = 1; next } on && /^$/ { exit } on' |
		expand -t 8
}

# Instruction lines on stdin -> the loop: from the target of the widest backward jump to the jump.
loop_only() {
	awk "$awk_lines"'
		$2 ~ /^j/ && $3 ~ /^[0-9a-f]+$/ {
			to = hex($3)
			if (to >= addr[1] && to <= addr[NR] && (best == "" || addr[NR] - to > hi - lo)) { lo = to; hi = addr[NR]; best = 1 }
		}
		END {
			if (best == "") { print "(no loop found)"; exit }
			for (i = 1; i <= NR; i++) if (addr[i] >= lo && addr[i] <= hi) print line[i]
		}'
}

# Instruction lines on stdin -> the main loop: J is the last backward jump
# before the first ret; the loop runs from the earliest target of the
# backward jumps up to J, to J.
main_loop() {
	awk "$awk_lines"'
		!ret && $2 == "ret" { ret = NR }
		!ret && $2 ~ /^j/ && $3 ~ /^[0-9a-f]+$/ {
			to = hex($3)
			if (to >= addr[1] && to <= addr[NR]) { from[++nj] = addr[NR]; target[nj] = to }
		}
		END {
			if (!nj) { print "(no loop found)"; exit }
			hi = from[nj]; lo = hi
			for (k = 1; k <= nj; k++) if (target[k] < lo) lo = target[k]
			for (i = 1; i <= NR; i++) if (addr[i] >= lo && addr[i] <= hi) print line[i]
		}'
}

# Instruction lines on stdin -> up to and including the first ret (the padding after it goes).
to_ret() {
	awk '{ print } $2 == "ret" { exit }'
}

