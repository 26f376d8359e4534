#!/usr/bin/env bash
#
# render-docs.sh — turn the lesson pages in docs/ into the book.
#
# hp-report writes one markdown page per lesson (docs/01-object-pool.md,
# docs/case-etl.md, ...), each opening with YAML front matter: title, lesson,
# id, order (chapters: their number; case studies: 100 and up), headline and
# claims. This script
#
#   1. writes docs/index.md: the book's title, how to read a results table,
#      and one row per lesson in reading order (sorted by order), with the
#      headline and claims copied from the front matter;
#   2. renders every lesson page and the index to docs/site/<name>.html:
#      standalone and self-contained (stylesheet and images embedded as data
#      URIs, so one .html file works alone, mailed or opened offline), with a
#      table of contents, previous/next links in reading order and a link
#      back to the index.
#
# It checks before it renders: a page that references a missing image stops
# the book with the page and image named; an unfilled <!-- hp:... --> marker
# is reported as a warning (tests/docs/docs.t fails on it). Markdown files
# without lesson front matter (docs/ARCHITECTURE.md) are not lessons and are
# left out. Output is deterministic (no dates), files are replaced only when
# complete, and site/*.html pages of lessons that no longer exist are removed,
# so running it twice gives the same tree.
#
# Usage: common/scripts/render-docs.sh        (from the repository root)
# Environment: DOCS_DIR  the docs directory to render (default: docs); the
#                        tests render a copy under build/.
# Needs: pandoc (2.17 in Debian 12, or newer), jq.

set -euo pipefail
shopt -s nullglob

die() {
	printf 'render-docs: %s\n' "$*" >&2
	exit 1
}
warn() { printf 'render-docs: warning: %s\n' "$*" >&2; }
say() { printf '  %-7s %s\n' "$1" "$2"; }

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DOCS_DIR=${DOCS_DIR:-docs}
DOCS_DIR=${DOCS_DIR%/}
SITE_DIR=$DOCS_DIR/site
FILTER=$ROOT/common/scripts/verdict.lua
BOOK_TITLE='hotpath — measured performance lessons in C'

[ -d "$DOCS_DIR" ] || die "no docs directory '$DOCS_DIR' (set DOCS_DIR, or run from the repository root)"
command -v pandoc >/dev/null || die "pandoc is not installed (make deps installs it)"
command -v jq >/dev/null || die "jq is not installed (make deps installs it)"
[ -f "$FILTER" ] || die "missing $FILTER"

# The stylesheet travels with the docs; a docs directory without one (a test
# copy) uses the repository's.
CSS=$DOCS_DIR/style.css
[ -f "$CSS" ] || CSS=$ROOT/docs/style.css
[ -f "$CSS" ] || die "no stylesheet: neither $DOCS_DIR/style.css nor $ROOT/docs/style.css exists"
CSS=$(realpath "$CSS")

# pandoc 2.19 renamed --self-contained to --embed-resources (which needs
# --standalone); 3.x still accepts the old name but warns. Ask this pandoc.
# The help text is captured first: `pandoc --help | grep -q` can fail under
# pipefail when grep exits before pandoc has written everything.
pandoc_help=$(pandoc --help 2>&1)
if [[ $pandoc_help == *--embed-resources* ]]; then
	EMBED=(--standalone --embed-resources)
else
	EMBED=(--standalone --self-contained)
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/render-docs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$SITE_DIR"

# ---------------------------------------------------------------------------
# Front matter: pandoc reads the YAML and prints the fields as markdown, one
# line per page, fields separated by US (\x1f): tabs would be merged by read.
# ---------------------------------------------------------------------------

US=$'\x1f'
printf '%s\n' "\$order\$$US\$title\$$US\$headline\$$US\$claims\$$US\$id\$$US\$lesson\$" >"$tmp/meta.tpl"

: >"$tmp/pages"
for page in "$DOCS_DIR"/*.md; do
	name=$(basename "$page" .md)
	[ "$name" = index ] && continue
	line=$(pandoc "$page" --from markdown --to markdown-smart --wrap=none \
		--template "$tmp/meta.tpl" 2>"$tmp/err") ||
		{ cat "$tmp/err" >&2; die "pandoc cannot read the front matter of $page"; }
	IFS=$US read -r order title headline claims id lesson <<<"$line"
	if [ -z "$order" ] && [ -z "$lesson" ]; then
		# Not a lesson: docs/ARCHITECTURE.md has no front matter at all.
		# Front matter without order and lesson is a page gone wrong.
		head -n 1 "$page" | grep -qx -- '---' &&
			warn "$page has front matter but neither order: nor lesson:, so it is not in the book"
		continue
	fi
	[[ $order =~ ^[0-9]+$ ]] || die "$page: front matter 'order: $order' is not a number"
	[ -n "$title" ] || title=$name
	printf '%s\n' "$order$US$name$US$title$US$headline$US$claims$US$id" >>"$tmp/pages"
done

NAMES=() TITLES=() ORDERS=() HEADLINES=() CLAIMS=() IDS=()
while IFS=$US read -r order name title headline claims id; do
	ORDERS+=("$order") NAMES+=("$name") TITLES+=("$title")
	HEADLINES+=("$headline") CLAIMS+=("$claims") IDS+=("$id")
done < <(sort -t "$US" -k1,1n -k2,2 "$tmp/pages")
n=${#NAMES[@]}

# The label of a lesson in the index and the navigation: "3" for chapter 3,
# "C1" for the first case study.
LABELS=()
cases=0
for ((i = 0; i < n; i++)); do
	if ((ORDERS[i] >= 100)); then
		cases=$((cases + 1))
		LABELS+=("C$cases")
	else
		LABELS+=("${ORDERS[i]}")
	fi
done

# ---------------------------------------------------------------------------
# Checks: images exist (fatal), markers are filled (warning)
# ---------------------------------------------------------------------------

missing=()
for ((i = 0; i < n; i++)); do
	page=$DOCS_DIR/${NAMES[i]}.md
	images=$(pandoc "$page" --from markdown --to json |
		jq -r '.. | objects | select(.t? == "Image") | .c[2][0]') ||
		die "pandoc cannot parse $page"
	while IFS= read -r src; do
		[ -n "$src" ] || continue
		[[ $src =~ ^[A-Za-z][A-Za-z0-9+.-]*: ]] && continue # data:, https:
		[ -f "$DOCS_DIR/$src" ] || missing+=("$page: image $src is missing (looked for $DOCS_DIR/$src)")
	done <<<"$images"
	while IFS= read -r hit; do
		warn "$page:${hit%%:*}: unfilled marker ${hit#*:} (re-run the lesson's report)"
	done < <(grep -no '<!-- hp:[^>]*-->' "$page" || true)
done
if ((${#missing[@]})); then
	printf 'render-docs: %s\n' "${missing[@]}" >&2
	die "${#missing[@]} missing image(s); re-run the report of those lessons (make chapterN-report) and try again"
fi

# ---------------------------------------------------------------------------
# docs/index.md
# ---------------------------------------------------------------------------

lesson_table() { # $1: "chapters" or "cases"
	printf '| # | Lesson | Headline result | Claims |\n'
	printf '|--:|:-------|:----------------|:------:|\n'
	for ((i = 0; i < n; i++)); do
		if [ "$1" = chapters ] && ((ORDERS[i] >= 100)); then continue; fi
		if [ "$1" = cases ] && ((ORDERS[i] < 100)); then continue; fi
		printf '| %s | [%s](%s.html) | %s | %s |\n' "${LABELS[i]}" "${TITLES[i]}" \
			"${NAMES[i]}" "${HEADLINES[i]:-—}" "${CLAIMS[i]:-—}"
	done
}

{
	cat <<EOF
---
title: "$BOOK_TITLE"
---

Every lesson in this book is one program written twice. The **naive** variant
is what a competent engineer writes first; the **optimized** variant is what
the best engineers ship. Both do exactly the same work — their output is
compared byte for byte before anything is timed — and then both are measured,
round after round, alternating, on one real machine. Each page tells the
story: the symptom, how it was profiled, the hypothesis, the change, the
result and what to take away, with an exercise at the end.

### How to read a results table

- **naive** and **optimized** are medians over all rounds, with the 95%
  confidence interval of the median.
- **change** is the ratio optimized / naive with its 95% confidence interval:
  0.42x means the optimized variant needs 42% of what the naive one needs
  (time, allocations, instructions…); 1.00x is no change.
- **p** is the p-value of the Mann–Whitney U test: how likely a difference at
  least this large would be if the two variants were really the same.
- **verdict** is <span class="verdict better">better</span> or
  <span class="verdict worse">worse</span> when the difference is
  statistically significant, in whichever direction is better for that
  metric, and <span class="verdict same">~</span> when it is not: the change
  is lost in the noise of the machine.
- **claims** are the falsifiable statements the lesson's prose makes (for
  example, "the optimized variant allocates at most one hundredth as often");
  each page checks them against the run and shows how many hold.

The numbers come from a real run on a named machine — CPU, kernel, compiler
and flags are shown at the end of each page. On your machine they will be
different: \`make compare\` measures every lesson again and rebuilds this book
from your results, and \`make chapter1-compare\` does one lesson.

EOF
	if ((n == 0)); then
		cat <<'EOF'
## Lessons

No lesson has been run yet, so there is nothing to show. Run `make compare`
to measure every lesson on this machine and build the book.
EOF
	else
		chapters=$((n - cases))
		if ((chapters > 0)); then
			printf '## Chapters\n\n'
			lesson_table chapters
			printf '\n'
		fi
		if ((cases > 0)); then
			printf '## Case studies\n\n'
			lesson_table cases
			printf '\n'
		fi
	fi
} >"$tmp/index.md"
# Rewritten only when it changes, so make sees an unchanged index as such.
cmp -s "$tmp/index.md" "$DOCS_DIR/index.md" || cp "$tmp/index.md" "$DOCS_DIR/index.md"

# ---------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------

# The filter rewrites relative links so they work from the site directory.
export HP_ROOT=$ROOT
HP_DOCS=$(realpath "$DOCS_DIR")
export HP_DOCS
HP_ROOT_FROM_SITE=$(realpath --relative-to="$SITE_DIR" "$ROOT")
export HP_ROOT_FROM_SITE

COMMON=(--from markdown --to html5 "${EMBED[@]}" --resource-path "$DOCS_DIR"
	--css "$CSS" --lua-filter "$FILTER" --variable lang=en --wrap=none)

# $1: page name, $2: output; the rest are extra pandoc options.
render() {
	local name=$1 out=$2
	shift 2
	if ! pandoc "$DOCS_DIR/$name.md" "${COMMON[@]}" "$@" -o "$tmp/out.html" 2>"$tmp/err"; then
		cat "$tmp/err" >&2
		die "pandoc failed on $DOCS_DIR/$name.md (its messages are above)"
	fi
	[ -s "$tmp/err" ] && sed '/^render-docs:/!s/^/render-docs: pandoc: /' "$tmp/err" >&2
	# An unchanged page keeps its file and its time stamp.
	cmp -s "$tmp/out.html" "$out" || mv "$tmp/out.html" "$out"
	say HTML "$out"
}

# A markdown snippet turned into the HTML fragment pandoc includes.
fragment() { # $1: markdown, $2: output file
	printf '%s\n' "$1" | pandoc --from markdown --to html5 --wrap=none -o "$2"
}

link_to() { # $1: index of a lesson, $2: prefix, $3: suffix, $4: class
	printf '[%s%s. %s%s](%s.html){.%s rel="%s"}' "$2" "${LABELS[$1]}" "${TITLES[$1]}" "$3" \
		"${NAMES[$1]}" "$4" "$4"
}

for ((i = 0; i < n; i++)); do
	prev='[]{.prev}' next='[]{.next}'
	((i > 0)) && prev=$(link_to $((i - 1)) '← ' '' prev)
	((i + 1 < n)) && next=$(link_to $((i + 1)) '' ' →' next)
	fragment "::: {.book-nav .top}
$prev [Contents](index.html){.home} $next
:::" "$tmp/before.html"
	rerun=''
	[ -n "${IDS[i]}" ] && rerun="Measure it on your machine: \`make ${IDS[i]}-compare\`"
	fragment "::: {.book-nav .bottom}
$prev [Contents](index.html){.home} $next
:::

::: {.book-footer}
$rerun
:::" "$tmp/after.html"
	render "${NAMES[i]}" "$SITE_DIR/${NAMES[i]}.html" \
		--toc --toc-depth=2 --metadata toc-title=Contents --title-prefix=hotpath \
		--include-before-body "$tmp/before.html" --include-after-body "$tmp/after.html"
done
render index "$SITE_DIR/index.html"

# Pages of lessons that are gone leave no stale HTML behind.
for html in "$SITE_DIR"/*.html; do
	base=$(basename "$html" .html)
	[ "$base" = index ] && continue
	keep=0
	for name in "${NAMES[@]}"; do [ "$name" = "$base" ] && keep=1 && break; done
	((keep)) || { rm -f "$html" && say RM "$html"; }
done
