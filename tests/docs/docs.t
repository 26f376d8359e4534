#!/usr/bin/env bash
#
# docs.t — the book renders, every marker is filled, every image exists, and
# the pages load in headless Chromium.
#
# It never touches docs/: it renders a copy under build/tmp/docs-test/docs
# (DOCS_DIR tells common/scripts/render-docs.sh where). When docs/ holds no
# lesson page yet, the copy gets a synthetic one with everything a real page
# has: front matter, a results table, a gnuplot SVG chart and a code block.
# Screenshots land in build/docs-index.png and build/docs-lesson.png; look at
# them to see what a reader sees.
#
# Output is TAP (prove runs it); it exits 0 only when every test passes.

set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
ROOT=$PWD
RENDER=$ROOT/common/scripts/render-docs.sh
WORK=build/tmp/docs-test
DOCS=$WORK/docs
SITE=$DOCS/site
PLAN=11

if ! command -v pandoc >/dev/null || ! command -v jq >/dev/null; then
	echo "1..0 # SKIP pandoc or jq not installed (make deps installs them)"
	exit 0
fi

echo "1..$PLAN"
test_num=0
failed=0

# ok "description" — after a check; diag lines explain a failure.
ok() {
	test_num=$((test_num + 1))
	echo "ok $test_num - $1"
}
not_ok() {
	test_num=$((test_num + 1))
	failed=$((failed + 1))
	echo "not ok $test_num - $1"
}
check() { # check "description" "problems, one a line (empty: pass)"
	if [ -z "$2" ]; then
		ok "$1"
	else
		not_ok "$1"
		printf '%s\n' "${2%$'\n'}" | sed 's/^/#   /'
	fi
}
skip() {
	test_num=$((test_num + 1))
	echo "ok $test_num # SKIP $1"
}

# The lesson pages of a docs directory: *.md with front matter, not index.md.
lesson_pages() {
	local page
	for page in "$1"/*.md; do
		[ -f "$page" ] || continue
		[ "$(basename "$page")" = index.md ] && continue
		head -n 1 "$page" | grep -qx -- '---' || continue
		grep -qE '^(order|lesson):' "$page" || continue
		echo "$page"
	done
}

# Image targets of a markdown page, as pandoc reads them.
page_images() {
	pandoc "$1" --from markdown --to json |
		jq -r '.. | objects | select(.t? == "Image") | .c[2][0]'
}

# A synthetic lesson page, for a repository that has not run a lesson yet.
write_synthetic_page() {
	local dir=$1
	mkdir -p "$dir/img"
	if command -v gnuplot >/dev/null; then
		gnuplot <<-EOF
			set terminal svg size 640,320 font "sans,12" background "#ffffff"
			set output "$dir/img/00-docs-test-bars.svg"
			set style data histograms
			set style histogram errorbars gap 2 lw 1.5
			set style fill solid 0.85 border -1
			set yrange [0:*]
			set ylabel "time (ms)"
			set key off
			plot "-" using 2:3:4:xtic(1) lc rgb "#4477aa"
			naive 12.1 11.8 12.5
			optimized 5.0 4.8 5.2
			e
		EOF
	else
		printf '%s\n' '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100">' \
			'<rect x="20" y="10" width="60" height="90" fill="#4477aa"/>' \
			'<rect x="120" y="60" width="60" height="40" fill="#4477aa"/></svg>' \
			>"$dir/img/00-docs-test-bars.svg"
	fi
	cat >"$dir/00-docs-test.md" <<-'EOF'
		---
		title: "A synthetic lesson"
		lesson: chapters/00-docs-test
		id: chapter00
		order: 0
		headline: "time_ms 0.41x (95% CI 0.38–0.44), better"
		claims: "1/1 hold"
		---

		## The result

		| metric | naive | optimized | change (95% CI) | p | verdict |
		|---|---|---|---|---|---|
		| time_ms | 12.1 | 5.0 | 0.41x (0.38–0.44) | <0.001 | better |
		| max_rss_kb | 3412 | 3410 | 1.00x (0.99–1.01) | 0.62 | ~ |

		![time_ms, median and 95% CI](img/00-docs-test-bars.svg)

		## The profile

		```
		    31.20%  naive  libc.so.6  [.] _int_malloc
		    17.45%  naive  libc.so.6  [.] _int_free
		```
	EOF
}

# ---------------------------------------------------------------------------
# Set-up: a copy of docs/ without its generated files
# ---------------------------------------------------------------------------

rm -rf "$WORK"
mkdir -p "$WORK"
if [ -d docs ]; then
	cp -R docs "$DOCS"
else
	mkdir -p "$DOCS"
fi
rm -rf "$SITE" "$DOCS/index.md"
if [ -z "$(lesson_pages "$DOCS")" ]; then
	echo "# docs/ has no lesson page yet: testing a synthetic one"
	write_synthetic_page "$DOCS"
fi
mapfile -t PAGES < <(lesson_pages "$DOCS")
NAMES=()
for page in "${PAGES[@]}"; do NAMES+=("$(basename "$page" .md)"); done

# 1. It renders.
if DOCS_DIR=$DOCS "$RENDER" >"$WORK/render.log" 2>&1; then
	ok "render-docs.sh renders ${#PAGES[@]} page(s) and the index"
else
	not_ok "render-docs.sh renders ${#PAGES[@]} page(s) and the index"
	sed 's/^/#   /' "$WORK/render.log"
fi

# 2. Every page has its HTML.
problems=''
for name in "${NAMES[@]}" index; do
	[ -s "$SITE/$name.html" ] || problems+="$SITE/$name.html is missing or empty"$'\n'
done
check "every page rendered to site/*.html" "$problems"

# 3. No marker is left for hp-report to fill. The pages are copies of the
# lesson pages of docs/ (docs/ARCHITECTURE.md may well mention a marker).
problems=$(grep -Hn '<!-- hp:' "${PAGES[@]}" 2>/dev/null | sed "s|^$DOCS/|docs/|")
check "no unfilled <!-- hp: marker in any docs/*.md page" "$problems"

# 4. Every image a page references exists.
problems=''
for page in "${PAGES[@]}"; do
	while IFS= read -r src; do
		[ -n "$src" ] || continue
		[[ $src =~ ^[A-Za-z][A-Za-z0-9+.-]*: ]] && continue
		[ -f "$DOCS/$src" ] || problems+="docs/${page#"$DOCS"/} references $src: no such file"$'\n'
	done < <(page_images "$page")
done
check "every image referenced by a page exists" "$problems"

# 5. Images are embedded: an <img> of a page is a data: URI (pandoc 2.x) or
# the SVG itself is inlined (pandoc 3.x), never a file next to the page.
problems=''
for i in "${!PAGES[@]}"; do
	html=$SITE/${NAMES[i]}.html
	[ -f "$html" ] || continue
	if [ -n "$(page_images "${PAGES[i]}")" ]; then
		grep -qE 'src="data:image/|<svg' "$html" || problems+="$html: no embedded image (no data: URI, no inline SVG)"$'\n'
	fi
	bad=$(grep -oE '<img[^>]* src="[^"]*"' "$html" | grep -v 'src="data:' || true)
	[ -z "$bad" ] || problems+="$html: image not embedded: $bad"$'\n'
done
check "the HTML embeds its images (data: URIs)" "$problems"

# 6. Nothing in the HTML points to a file that is not there.
problems=''
for html in "$SITE"/*.html; do
	while IFS= read -r ref; do
		ref=${ref#*=\"}
		ref=${ref%\"}
		case $ref in
		'' | \#* | data:* | http:* | https:* | mailto:*) continue ;;
		esac
		path=${ref%%#*}
		path=${path%%\?*}
		[ -e "$SITE/$path" ] || problems+="$html: $ref (relative to site/) does not exist"$'\n'
	done < <(grep -oE '(src|href)="[^"]*"' "$html")
done
check "no reference to a missing file in site/*.html" "$problems"

# 7. The index lists every page, with a link to its HTML.
problems=''
for name in "${NAMES[@]}"; do
	grep -qF "($name.html)" "$DOCS/index.md" 2>/dev/null || problems+="index.md does not list $name"$'\n'
	grep -qF "href=\"$name.html\"" "$SITE/index.html" 2>/dev/null || problems+="index.html has no link to $name.html"$'\n'
done
grep -qF 'hotpath — measured performance lessons in C' "$DOCS/index.md" 2>/dev/null ||
	problems+="index.md lacks the book's title"$'\n'
check "the index lists every page" "$problems"

# 8. A second run changes nothing.
(cd "$DOCS" && md5sum index.md site/*.html) >"$WORK/first.md5" 2>/dev/null
DOCS_DIR=$DOCS "$RENDER" >"$WORK/render2.log" 2>&1
problems=$(cd "$DOCS" && md5sum -c --quiet "$ROOT/$WORK/first.md5" 2>&1)
check "rendering is idempotent" "$problems"

# 9. Without lessons the index says so; a missing image stops the book.
problems=''
mkdir -p "$WORK/empty/docs" "$WORK/broken/docs"
if DOCS_DIR=$WORK/empty/docs "$RENDER" >"$WORK/empty.log" 2>&1; then
	grep -q 'No lesson has been run yet' "$WORK/empty/docs/index.md" ||
		problems+="the empty index does not say that no lesson has been run yet"$'\n'
	[ -s "$WORK/empty/docs/site/index.html" ] || problems+="the empty index was not rendered"$'\n'
else
	problems+="render-docs.sh fails on an empty docs directory: $(cat "$WORK/empty.log")"$'\n'
fi
printf -- '---\ntitle: Broken\norder: 1\n---\n\n![chart](img/no-such-chart.svg)\n' >"$WORK/broken/docs/01-broken.md"
if DOCS_DIR=$WORK/broken/docs "$RENDER" >"$WORK/broken.log" 2>&1; then
	problems+="render-docs.sh exits 0 although an image is missing"$'\n'
elif ! grep -q 'no-such-chart.svg is missing' "$WORK/broken.log"; then
	problems+="the error does not name the missing image: $(cat "$WORK/broken.log")"$'\n'
fi
check "an empty book says so; a missing image is a clear error" "$problems"

# 10, 11. The pages load in headless Chromium.
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)

# screenshot URL PNG — a page as a reader sees it; running as root (CI,
# containers) needs --no-sandbox. A private profile keeps ~ untouched.
screenshot() {
	rm -f "$2"
	timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
		--hide-scrollbars --no-first-run --user-data-dir="$ROOT/$WORK/chromium-profile" \
		--window-size=1280,2000 --screenshot="$2" "$1" >>"$WORK/chromium.log" 2>&1
}

# A blank page compresses to a few KB; a page with text and tables to far
# more. A screenshot of about:blank is the yardstick.
check_screenshot() { # description URL PNG
	local blank=$ROOT/$WORK/blank.png size blank_size
	if ! screenshot "$2" "$3" || [ ! -s "$3" ]; then
		not_ok "$1"
		echo "#   no screenshot $3 of $2; chromium said:"
		tail -n 5 "$WORK/chromium.log" | sed 's/^/#   /'
		return
	fi
	size=$(stat -c %s "$3")
	[ -s "$blank" ] || screenshot about:blank "$blank"
	blank_size=$(stat -c %s "$blank" 2>/dev/null || echo 0)
	if [ "$(head -c 8 "$3" | od -An -tx1 | tr -d ' \n')" != 89504e470d0a1a0a ]; then
		not_ok "$1"
		echo "#   $3 is not a PNG"
	elif ((size <= 2 * blank_size)); then
		not_ok "$1"
		echo "#   $3 looks blank: $size bytes, about:blank gives $blank_size"
	else
		ok "$1 ($3, $size bytes)"
	fi
}

if [ -z "$CHROMIUM" ]; then
	skip "chromium not installed"
	skip "chromium not installed"
else
	: >"$WORK/chromium.log"
	check_screenshot "the index loads in headless Chromium" \
		"file://$ROOT/$SITE/index.html" "$ROOT/build/docs-index.png"
	check_screenshot "a lesson page loads in headless Chromium" \
		"file://$ROOT/$SITE/${NAMES[0]}.html" "$ROOT/build/docs-lesson.png"
fi

if ((test_num != PLAN)); then
	echo "# planned $PLAN tests but ran $test_num"
	exit 1
fi
((failed == 0))
