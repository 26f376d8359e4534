# Shell helper for the profile-extra.sh scripts that count system calls
# (chapters 15, 16 and 21). Sourced.
#
#   strace_table DIR WIDTH VARIANTS...
#       one row per system call, one column per variant, from the files
#       DIR/strace-VARIANT.txt that `strace -c -o` wrote; the calls a
#       variant never made show as "-"; rows sorted by the first
#       variant's count, largest first; WIDTH is the name column's width.

strace_table() {
	local dir=$1 width=$2 v
	shift 2
	printf "%-${width}s" syscall
	for v in "$@"; do printf ' %10s' "$v"; done
	echo
	# strace -c rows: % time, seconds, usecs/call, calls, [errors,] syscall. The name is the last field.
	for v in "$@"; do
		awk -v v="$v" '$1 ~ /^[0-9.]+$/ && NF >= 5 { print $NF, v, $4 }' "$dir/strace-$v.txt"
	done | awk -v vs="$*" -v w="$width" '
		{ calls[$1 " " $2] = $3; if (!seen[$1]++) names[++n] = $1 }
		END {
			nv = split(vs, v, " ")
			for (i = 1; i <= n; i++) {
				printf "%-" w "s", names[i]
				for (k = 1; k <= nv; k++) {
					c = calls[names[i] " " v[k]]
					printf " %10s", c == "" ? "-" : c
				}
				printf "\n"
			}
		}' | sort -k2,2nr
}
