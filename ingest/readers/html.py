"""HTML → plain text lines that keep the table structure.

Agency sites wrap the report in full site chrome and export tables from Word (`<o:p>`, `mso-*`
styles, `&nbsp;` padding, one character per `<p>` in vertical headers). The parser only needs the
readable text with one line per block and one line per table row, cells separated by a tab, so
the same table reader serves text, Markdown and HTML. Scripts, styles and comments are dropped
and never reach the text (hostile HTML stays inert).

Linear in the page, whatever its shape: the tree is walked with an explicit stack (a page nested
100,000 deep renders like a flat one), dropped elements are emptied in place rather than cut out
(cutting them out means gluing their tails onto a neighbour, quadratic on a page of 100,000
scripts), and a table's rowspan/colspan are clamped to the table's real size — the widest row's
cell count and the rows that follow — with an overall budget of empty cells per printed cell, so a
span bomb renders in time and memory proportional to its bytes (warning `html_span_clamped`).
"""
from __future__ import annotations

import re
from itertools import chain, islice

from lxml import etree

_DROP = {"script", "style", "noscript", "head", "title", "iframe", "object", "embed", "svg", "template", "select",
         "button", "form", "input", "textarea"}
_BLOCK = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "header",
          "footer", "nav", "table", "tr", "blockquote", "pre", "dd", "dt", "dl", "center", "hr", "tbody", "thead"}
_WS = re.compile(r"[ \t\r\n\u00a0\u3000\u200b\ufeff]+")
_DROPPED = "gongkai-dropped"   # the tag a dropped element is renamed to once emptied

# A table's spans expand into at most this many grid cells per printed cell (plus a small
# allowance per row): the real forms need about 2 (merged label cells, vertical headers).
_GRID_PER_CELL = 8
_GRID_PER_ROW = 64


def _clean_cell(text: str) -> str:
    return _WS.sub(" ", text).strip()


def _cell_text(cell) -> str:
    # Vertical headers are one character per <p>: the cell's text joins them without a separator.
    # libxml2's text serialisation is "".join(cell.itertext()) without a Python call per text node
    # (a third of the time on a table of 300 cells).
    return _clean_cell(etree.tostring(cell, method="text", encoding=str, with_tail=False)).replace("\t", " ")


def _tag(el) -> str:
    return el.tag.lower() if isinstance(el.tag, str) else ""


def _strip(root) -> None:
    """Empty every dropped element in place, keeping its tail (the text after it).

    Never assigns text to the tree, so a control character that lxml refuses in a str (right after
    a dropped <script>) cannot fail the page."""
    for el in list(root.iter(*_DROP)):
        el.clear(keep_tail=True)
        el.tag = _DROPPED


def _parse_once(markup: str):
    # huge_tree: Word exports and hostile pages nest deeper than libxml2's default limit;
    # plain etree elements (not lxml.html's) because their class lookup costs a third of the time
    parser = etree.HTMLParser(huge_tree=True, remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(markup, parser)
    except ValueError:  # a str with an XML encoding declaration
        parser = etree.HTMLParser(huge_tree=True, remove_comments=True, remove_pis=True, encoding="utf-8")
        root = etree.fromstring(markup.encode("utf-8"), parser)
    too_deep = any(e.type_name == "ERR_RESOURCE_LIMIT" for e in parser.error_log)
    return root, too_deep


# Tags that only format text (their text stays, the structure does not change without them), and
# the block tags that can stand in for a line break.
_INLINE_TAGS = re.compile(r"</?(?:span|font|b|i|u|em|strong|o:p|a|sup|sub|small|big|label|abbr|ins|del|s|strike)"
                          r"(?=[\s/>])[^<>]*>", re.I)
_NESTING_BLOCKS = re.compile(r"</?(?:div|p|section|article|center|blockquote|dl|dd|dt|ul|ol|li|h[1-6]|header|footer|nav)"
                             r"(?=[\s/>])[^<>]*>", re.I)


def _parse(markup: str):
    """Parse a page; one nested deeper than libxml2 allows even with huge_tree (2,048 levels,
    where it stops and loses the rest) is parsed again without its inline formatting tags, then
    with its block tags turned into line breaks: the text and the tables survive either way."""
    root, too_deep = _parse_once(markup)
    if too_deep:
        root, too_deep = _parse_once(_INLINE_TAGS.sub("", markup))
    if too_deep:
        root, too_deep = _parse_once(_NESTING_BLOCKS.sub("<br>", _INLINE_TAGS.sub("", markup)))
    return root


_META_LINES = (("articletitle", "标题"), ("pubdate", "发布时间"), ("contentsource", "来源"))


def _head_lines(root) -> tuple[list[str], list[int]]:
    """Title and publication metadata that CMSs keep in <head> (<meta name="PubDate">, <title>)."""
    lines, where = [], []
    metas = {}
    for meta in root.iter("meta"):           # what //meta[@name and @content] selects, without XPath
        name, content = meta.get("name"), meta.get("content")
        if name is not None and content is not None:
            metas.setdefault(name.lower(), (content, meta.sourceline or 1))
    if "articletitle" not in metas:
        first = next(root.iter("title"), None)
        title = "".join(first.itertext()).strip() if first is not None else ""
        if title:
            metas["articletitle"] = (re.split(r"[_|-]", title)[0], first.sourceline or 1)
    for name, label in _META_LINES:
        content, line = metas.get(name, ("", 0))
        content = _clean_cell(content or "")
        if content:
            lines.append(f"{label}: {content}")
            where.append(line)
    return lines, where


def _span(cell, name: str) -> int:
    """The printed span, at least 1 (absent, empty, negative, zero or not a number: 1)."""
    value = cell.get(name)
    if not value:
        return 1
    value = value.strip()
    digits = value[:len(value) - len(value.lstrip("0123456789"))] if value[:1].isdigit() else ""
    if not digits:
        return 1
    return max(1, int(digits[:9]))


def _table_rows(table) -> list[list]:
    """[<tr>, its cells (<td>/<th>)…] for each row of this table, not of tables nested in its
    cells: one C-level walk over the table's subtree that skips nested tables."""
    rows = []
    walker = etree.iterwalk(table, events=("start",))
    for _event, el in walker:
        tag = el.tag
        if el is table:
            continue
        if tag == "table":
            walker.skip_subtree()
        elif tag == "tr":
            rows.append([el, *el.iterchildren("td", "th")])
    return rows


def _table_grid(table, warnings: list[str] | None = None) -> list[tuple[str, int]]:
    """Rows of a table with rowspan/colspan expanded into empty cells, so that every row has the
    grid's columns and a value sits under its header: the table reader aligns by column.

    Spans are clamped to the table's real size: a colspan to the most cells any row prints, a
    rowspan to the rows left in the table; and once the expansion has made more empty cells than
    the budget allows (8 per printed cell, 64 per row), further spans count as 1. Each clamp is
    reported once per table through `warnings`."""
    rows = _table_rows(table)
    width = max((len(r) - 1 for r in rows), default=0)
    n_cells = sum(len(r) - 1 for r in rows)
    budget = _GRID_PER_CELL * n_cells + _GRID_PER_ROW * len(rows)
    pending: dict[int, int] = {}          # column → rows still covered by a rowspan from above (> 0)
    out = []
    clamped = exhausted = False
    reserved = 0                          # grid cells the accepted spans cover
    for index, (tr, *cells) in enumerate(rows):
        left = len(rows) - index          # rows in the table from this one on
        row: list[str] = []
        col = 0

        def fill_pending():
            nonlocal col
            while col in pending:
                if pending[col] == 1:
                    del pending[col]
                else:
                    pending[col] -= 1
                row.append("")
                col += 1

        for cell in cells:
            fill_pending()
            colspan, rowspan = _span(cell, "colspan"), _span(cell, "rowspan")
            if colspan > width or rowspan > left:
                clamped = True
                colspan, rowspan = min(colspan, width), min(rowspan, left)
            area = colspan * rowspan
            if area > 1 and reserved + area > budget:
                exhausted = True
                colspan = rowspan = area = 1
            reserved += area
            row.append(_cell_text(cell))
            row.extend([""] * (colspan - 1))
            if rowspan > 1:
                for c in range(col, col + colspan):
                    pending[c] = rowspan - 1
            col += colspan
        fill_pending()
        for c in [c for c in pending if c >= col]:   # covered from above, beyond this row's end
            if pending[c] == 1:
                del pending[c]
            else:
                pending[c] -= 1
        if any(row):
            out.append(("\t".join(row), tr.sourceline))
    if warnings is not None:
        if clamped:
            warnings.append("表格的 rowspan/colspan 超出表格实际的行数或列数，已按表格实际大小截断")
        if exhausted:
            warnings.append("表格的合并单元格展开后过大，其余的 rowspan/colspan 按 1 处理")
    return out


_MAX_CANDIDATES = 64      # body candidates measured by their text (more: the page is not a real one)


def _body(root):
    """Where agency sites put the report body, most specific first (TRS_Editor, #zoom,
    .article-content, the nearest <div> around a table inside a .content div): the candidate
    with the most text."""
    kinds: list[list] = [[], [], []]
    for div in root.iter("div"):
        cls = div.get("class")
        if cls and " TRS_Editor " in f" {' '.join(cls.split())} ":
            kinds[0].append(div)
        if div.get("id") == "zoom":
            kinds[1].append(div)
        if cls and "article-content" in cls:
            kinds[2].append(div)
    for found in kinds:
        if found:
            return _most_text(found)
    around = []
    for table in root.iter("table"):
        divs = table.iterancestors("div")
        nearest = next(divs, None)
        if nearest is None or nearest in around:
            continue
        if len(around) >= _MAX_CANDIDATES:
            break
        for div in islice(chain((nearest,), divs), 200):      # a real page nests a few dozen deep
            if "content" in (div.get("class") or ""):
                around.append(nearest)
                break
    return _most_text(around) if around else root


def _most_text(found: list):
    if len(found) == 1:
        return found[0]
    return max(found[:_MAX_CANDIDATES], key=lambda el: sum(map(len, el.itertext())))


def html_to_lines(markup: str, warnings: list[dict] | None = None) -> tuple[list[str], list[int]]:
    """Render HTML as text lines; also return each line's source line in the HTML (1-based).

    What had to be changed to render the page (clamped table spans) is appended to `warnings`
    as record warnings whose `line` is the 1-based line of the returned text."""
    if not markup.strip():
        return [], []
    try:
        root = _parse(markup)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return [], []
    if root is None:
        return [], []
    header_lines, header_where = _head_lines(root)
    _strip(root)
    body = _body(root)
    lines, where = list(header_lines), list(header_where)
    if body is not root:
        # the title, date and source usually sit in the page around the report body
        page_lines, page_where, _ = _render(root, tables=False)
        for text, line in zip(page_lines[:400], page_where[:400]):
            if len(text) <= 120 and (_PAGE_META.search(text) or _PAGE_TITLE.search(text)):
                lines.append(text)
                where.append(line)
    body_lines, body_where, notes = _render(body)
    if warnings is not None:
        for index, message in notes:
            warnings.append({"code": "html_span_clamped", "message": message, "line": len(lines) + index + 1})
    return lines + body_lines, where + body_where


_PAGE_META = re.compile(r"(?:日\s*期|时\s*间)\s*[:：]\s*\d{4}|(?:来\s*源|发布机构)\s*[:：]")
_PAGE_TITLE = re.compile(r"^[^。，,>]{0,60}\d{4}\s*年度?[^。，,>]{0,30}(?:年度报告|年报)$")


def _render(body, tables: bool = True) -> tuple[list[str], list[int], list[tuple[int, str]]]:
    """One line per block element and one per table row (cells joined by tabs); with
    tables=False (metadata scan of the whole page) tables are skipped. Also returns the tables'
    span notes as (0-based line index, message)."""
    lines: list[str] = []
    where: list[int] = []
    notes: list[tuple[int, str]] = []
    current: list[str] = []
    current_line = getattr(body, "sourceline", None) or 1

    def flush() -> None:
        text = _clean_cell("".join(current))
        if text:
            lines.append(text)
            where.append(current_line)
        current.clear()

    walker = etree.iterwalk(body, events=("start", "end"))
    for event, el in walker:
        tag = el.tag                 # lower case from the HTML parser; not a str for entities
        if event == "end":
            if tag in _BLOCK and tag != "table":
                flush()
                current_line = el.sourceline or current_line
            if el.tail and el is not body:
                current.append(el.tail)
            continue
        if tag == "table":
            walker.skip_subtree()
            flush()
            if tables:
                messages: list[str] = []
                first = len(lines)
                for text_line, source_line in _table_grid(el, messages):
                    lines.append(text_line)
                    where.append(source_line or current_line)
                notes.extend((first, m) for m in messages)
            continue
        if tag in _BLOCK:
            flush()
            current_line = el.sourceline or current_line
        if el.text:
            current.append(el.text)
    if body.tail:
        current.append(body.tail)
    flush()
    return lines, where, notes
