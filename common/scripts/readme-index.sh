#!/usr/bin/env bash
# Rewrite the lesson index between <!-- hp:index --> and <!-- /hp:index -->
# in README.md from the rendered pages' front matter (written by hp-report
# from results): the headline numbers in the README are never typed.
set -euo pipefail
docs=${DOCS_DIR:-docs}
readme=${README:-README.md}
mkdir -p build
rows=$(for page in "$docs"/*.md; do
	[ -f "$page" ] || continue
	case $(basename "$page") in index.md | ARCHITECTURE.md) continue ;; esac
	fm() { sed -n '2,/^---$/p' "$page" | sed -n "s/^$1: \"\{0,1\}\([^\"]*\)\"\{0,1\}$/\1/p" | head -1; }
	order=$(fm order)
	[ -n "$order" ] || continue
	printf '%s\t| %s | [%s](%s) | %s | %s |\n' "$order" "$(fm id)" "$(fm title)" "$page" "$(fm headline)" "$(fm claims)"
done | sort -n | cut -f2-)
{
	echo "| lesson | title | headline result (reference run) | claims |"
	echo "|:--|:--|:--|:--|"
	if [ -n "$rows" ]; then echo "$rows"; else echo "| — | no lesson has been run yet | | |"; fi
} >build/readme-index.md
awk -v table=build/readme-index.md '
	/<!-- hp:index -->/ { print; while ((getline line < table) > 0) print line; skip = 1; next }
	/<!-- \/hp:index -->/ { skip = 0 }
	!skip { print }
' "$readme" >"$readme.tmp" && mv "$readme.tmp" "$readme"
