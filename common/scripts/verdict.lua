--[[
verdict.lua — the pandoc filter of the book (common/scripts/render-docs.sh).

The pages in docs/ are written by hp-report for two kinds of readers: people
on GitHub, who see the markdown, and people reading the HTML book. This
filter makes the HTML read well without asking hp-report to write HTML:

  * Results tables: a cell of a "verdict" column that says better, worse or
    ~ becomes <span class="verdict better|worse|same">, so the stylesheet
    can colour it. Claim tables get the same for holds / fails. The last
    word of a "headline" cell (the index) is treated the same way.
  * Columns whose cells are all numbers (12.1, 0.42x (0.40–0.44), <0.001)
    are right-aligned unless the markdown already chose an alignment, so
    the digits line up; verdict columns are centred. Each table is put in a
    <div class="table-wrap"> that scrolls sideways on a narrow screen.
  * The headline and claims of the front matter become the subtitle under
    the page title: the result, before the story.
  * A first "# Title" heading that repeats the front matter's title is
    dropped, so the title is not shown twice.
  * Relative links are made to work from docs/site/: "02-x.md" becomes
    "02-x.html"; a link to a file of the repository ("naive.c", written
    relative to docs/ or to the lesson's folder) gets the path from site/.

Works with pandoc 2.17 (Debian 12) and pandoc 3: it only uses the Table
fields (colspecs, head.rows, bodies[i].body, row.cells, cell.contents)
that both versions have.

Environment (set by render-docs.sh; without it links are left alone):
  HP_ROOT            absolute path of the repository
  HP_DOCS            absolute path of the docs directory being rendered
  HP_ROOT_FROM_SITE  relative path from the site directory to HP_ROOT
]]

local stringify = pandoc.utils.stringify

-- Words that are a verdict, and the class each one gets.
local VERDICT_CLASS = {
  ["better"] = "better", ["worse"] = "worse", ["~"] = "same",
  ["holds"] = "better", ["hold"] = "better", ["pass"] = "better", ["ok"] = "better",
  ["fails"] = "worse", ["failed"] = "worse", ["fail"] = "worse",
}

-- Column headers whose cells are verdict words.
local VERDICT_HEADERS = {
  ["verdict"] = true, ["result"] = true, ["status"] = true, ["holds"] = true,
}

local function verdict_span(word, inlines)
  local class = VERDICT_CLASS[word:lower()]
  if not class then
    return nil
  end
  return pandoc.Span(inlines, pandoc.Attr("", { "verdict", class }))
end

-- ---------------------------------------------------------------------------
-- Tables
-- ---------------------------------------------------------------------------

-- "12.1", "-3 %", "−3%", "0.42x (0.40–0.44)", "<0.001", "≈1.00x", "±2": a
-- number first, whatever follows. Unicode signs are multi-byte, so they are
-- stripped as plain strings rather than in a pattern class.
local SIGNS = { "<", ">", "≤", "≥", "~", "≈", "+", "-", "−", "±", " " }

local function looks_numeric(s)
  local changed = true
  while changed do
    changed = false
    for _, sign in ipairs(SIGNS) do
      if s:sub(1, #sign) == sign then
        s = s:sub(#sign + 1)
        changed = true
      end
    end
  end
  return s:match("^%d") ~= nil or s:match("^%.%d") ~= nil
end

-- A cell that says nothing: it does not decide a column's alignment.
local function is_blank(s)
  return s == "" or s == "—" or s == "–" or s == "-" or s == "n/a"
end

local function cell_text(cell)
  return stringify(cell.contents)
end

local function header_texts(tbl)
  local names = {}
  for _, row in ipairs(tbl.head.rows) do
    for i, cell in ipairs(row.cells) do
      local text = cell_text(cell):lower()
      if text ~= "" then
        names[i] = text
      end
    end
  end
  return names
end

local function each_body_row(tbl, fn)
  for _, body in ipairs(tbl.bodies) do
    for _, row in ipairs(body.body) do
      fn(row)
    end
  end
end

-- Wrap a whole cell that is one verdict word.
local function mark_verdict_cell(cell)
  local text = cell_text(cell)
  if not VERDICT_CLASS[text:lower()] then
    return
  end
  local blocks = cell.contents
  if #blocks == 1 and (blocks[1].t == "Plain" or blocks[1].t == "Para") then
    blocks[1].content = { verdict_span(text, blocks[1].content) }
    cell.contents = blocks
  end
end

-- "3/3 hold" is good news, "2/3 hold" is not.
local function claims_class(text)
  local held, total = text:match("^(%d+)%s*/%s*(%d+)")
  if not held then
    return nil
  end
  return held == total and "better" or "worse"
end

-- Wrap a claims cell ("3/3 hold") in a verdict span of its own colour.
local function mark_claims_cell(cell)
  local blocks = cell.contents
  local class = claims_class(cell_text(cell))
  if class and #blocks == 1 and (blocks[1].t == "Plain" or blocks[1].t == "Para") then
    blocks[1].content = { pandoc.Span(blocks[1].content, pandoc.Attr("", { "verdict", class })) }
    cell.contents = blocks
  end
end

-- Wrap the last word of a cell ("... 0.42x (95% CI 0.40–0.44), better").
local function mark_last_word(cell)
  local blocks = cell.contents
  if #blocks ~= 1 or (blocks[1].t ~= "Plain" and blocks[1].t ~= "Para") then
    return
  end
  local inlines = blocks[1].content
  local last = inlines[#inlines]
  if last and last.t == "Str" then
    local span = verdict_span(last.text, { last })
    if span then
      inlines[#inlines] = span
      blocks[1].content = inlines
      cell.contents = blocks
    end
  end
end

function Table(tbl)
  local names = header_texts(tbl)
  local ncols = #tbl.colspecs

  -- Which columns hold only numbers.
  local numeric, seen = {}, {}
  for i = 1, ncols do
    numeric[i] = true
  end
  each_body_row(tbl, function(row)
    for i, cell in ipairs(row.cells) do
      local text = cell_text(cell)
      if not is_blank(text) then
        seen[i] = true
        if not looks_numeric(text) then
          numeric[i] = false
        end
      end
    end
  end)

  for i = 1, ncols do
    local spec = tbl.colspecs[i]
    local name = names[i] or ""
    if spec[1] == "AlignDefault" or spec[1] == pandoc.AlignDefault then
      if VERDICT_HEADERS[name] then
        tbl.colspecs[i] = { pandoc.AlignCenter, spec[2] }
      elseif numeric[i] and seen[i] then
        tbl.colspecs[i] = { pandoc.AlignRight, spec[2] }
      end
    end
  end

  each_body_row(tbl, function(row)
    for i, cell in ipairs(row.cells) do
      local name = names[i] or ""
      if VERDICT_HEADERS[name] then
        mark_verdict_cell(cell)
      elseif name == "claims" then
        mark_claims_cell(cell)
      elseif name:match("^headline") then
        mark_last_word(cell)
      end
    end
  end)
  -- A wrapper that scrolls sideways, so a wide table never widens the page.
  return pandoc.Div({ tbl }, pandoc.Attr("", { "table-wrap" }))
end

-- ---------------------------------------------------------------------------
-- Links: make the markdown's relative links work from docs/site/
-- ---------------------------------------------------------------------------

local ROOT = os.getenv("HP_ROOT")
local DOCS = os.getenv("HP_DOCS")
local ROOT_FROM_SITE = os.getenv("HP_ROOT_FROM_SITE")
local lesson_dir -- "chapters/01-object-pool", from the front matter

local function exists(path)
  local f = io.open(path, "r")
  if f then
    f:close()
    return true
  end
  return false
end

local function rewrite_target(target)
  if target:match("^%a[%w+.-]*:") or target:match("^#") or target:match("^/") or target == "" then
    return nil -- a URL, an anchor in the page, or an absolute path
  end
  local path, fragment = target:match("^([^#]*)(#?.*)$")
  if path:match("%.md$") and not path:find("/") and exists(DOCS .. "/" .. path) then
    return path:gsub("%.md$", ".html") .. fragment
  end
  if path:match("%.html$") and not path:find("/") and exists(DOCS .. "/" .. path:gsub("%.html$", ".md")) then
    return target -- another page of the book, already as it is in site/
  end
  if exists(DOCS .. "/" .. path) then
    return "../" .. path .. fragment
  end
  if exists(ROOT .. "/docs/" .. path) then
    return ROOT_FROM_SITE .. "/docs/" .. path .. fragment
  end
  if lesson_dir and exists(ROOT .. "/" .. lesson_dir .. "/" .. path) then
    return ROOT_FROM_SITE .. "/" .. lesson_dir .. "/" .. path .. fragment
  end
  return nil
end

function Link(link)
  if not (ROOT and DOCS and ROOT_FROM_SITE) then
    return nil
  end
  local target = rewrite_target(link.target)
  if target then
    link.target = target
    return link
  end
  local path = link.target:match("^([^#?]*)")
  if path ~= "" and not link.target:match("^%a[%w+.-]*:") and not path:match("^/") then
    local page = PANDOC_STATE.input_files[1] or "a page"
    io.stderr:write(("render-docs: warning: %s: link to %s: no such file in docs/, the repository or the lesson\n")
      :format(page, link.target))
  end
  return nil
end

-- ---------------------------------------------------------------------------
-- The page: subtitle from the front matter, no repeated title
-- ---------------------------------------------------------------------------

local function meta_inlines(value)
  if value == nil then
    return nil
  end
  local t = pandoc.utils.type and pandoc.utils.type(value) or value.t
  if t == "Inlines" or t == "MetaInlines" then
    return pandoc.List(value)
  end
  if t == "Blocks" or t == "MetaBlocks" then
    return pandoc.List(pandoc.utils.blocks_to_inlines(value))
  end
  return pandoc.List({ pandoc.Str(stringify(value)) })
end

local function subtitle_from(meta)
  local headline = meta_inlines(meta.headline)
  local claims = meta_inlines(meta.claims)
  if not headline and not claims then
    return nil
  end
  local out = pandoc.List()
  if headline then
    local last = headline[#headline]
    if last and last.t == "Str" then
      local span = verdict_span(last.text, { last })
      if span then
        headline[#headline] = span
      end
    end
    out:insert(pandoc.Span(headline, pandoc.Attr("", { "headline" })))
  end
  if claims then
    local class = claims_class(stringify(claims)) or "same"
    out:insert(pandoc.Span({ pandoc.Str("claims:"), pandoc.Space(), pandoc.Span(claims, pandoc.Attr("", { "verdict", class })) },
      pandoc.Attr("", { "claims" })))
  end
  return out
end

function Pandoc(doc)
  local meta = doc.meta
  if meta.lesson then
    lesson_dir = stringify(meta.lesson)
  end
  if meta.title and not meta.subtitle then
    local sub = subtitle_from(meta)
    if sub then
      meta.subtitle = pandoc.MetaInlines(sub)
    end
  end
  local first = doc.blocks[1]
  if first and first.t == "Header" and first.level == 1 and meta.title
      and stringify(first.content) == stringify(meta.title) then
    doc.blocks:remove(1)
  end
  doc.meta = meta
  -- Links and tables are handled after the page's lesson is known.
  return pandoc.Pandoc(doc.blocks, meta):walk({ Table = Table, Link = Link })
end

return { { Pandoc = Pandoc } }
