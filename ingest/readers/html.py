"""HTML → plain text lines that keep the table structure.

Agency sites wrap the report in full site chrome and export tables from Word (`<o:p>`, `mso-*`
styles, `&nbsp;` padding, one character per `<p>` in vertical headers). The parser only needs the
readable text with one line per block and one line per table row, cells separated by a tab, so
the same table reader serves text, Markdown and HTML. Scripts, styles and comments are dropped
and never reach the text (hostile HTML stays inert).
"""
from __future__ import annotations

import re

from lxml import etree

_DROP = {"script", "style", "noscript", "head", "title", "iframe", "object", "embed", "svg", "template", "select",
         "button", "form", "input", "textarea"}
_BLOCK = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "header",
          "footer", "nav", "table", "tr", "blockquote", "pre", "dd", "dt", "dl", "center", "hr", "tbody", "thead"}
_WS = re.compile(r"[ \t\r\n\u00a0\u3000\u200b\ufeff]+")

# Where agency sites put the report body, most specific first.
_BODY_XPATHS = (
    "//div[contains(concat(' ', normalize-space(@class), ' '), ' TRS_Editor ')]",
    "//div[@id='zoom']", "//div[contains(@class,'article-content')]", "//div[contains(@class,'content')]//table/ancestor::div[1]",
)


def _clean_cell(text: str) -> str:
    return _WS.sub(" ", text).strip()


def _cell_text(cell) -> str:
    # Vertical headers are one character per <p>: the cell's text joins them without a separator.
    return _clean_cell("".join(cell.itertext())).replace("\t", " ")


def _remove_keep_tail(el) -> None:
    """Remove an element but keep the text that follows it (its tail)."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def _strip(root) -> None:
    for el in [el for el in root.iter() if isinstance(el.tag, str) and el.tag.lower() in _DROP]:
        _remove_keep_tail(el)


def _parse(markup: str):
    # huge_tree: Word exports and hostile pages nest deeper than libxml2's default limit;
    # plain etree elements (not lxml.html's) because their class lookup costs a third of the time
    parser = etree.HTMLParser(huge_tree=True, remove_comments=True, remove_pis=True)
    try:
        return etree.fromstring(markup, parser)
    except ValueError:  # a str with an XML encoding declaration
        return etree.fromstring(markup.encode("utf-8"), etree.HTMLParser(
            huge_tree=True, remove_comments=True, remove_pis=True, encoding="utf-8"))


_META_LINES = (("articletitle", "标题"), ("pubdate", "发布时间"), ("contentsource", "来源"))


def _head_lines(root) -> tuple[list[str], list[int]]:
    """Title and publication metadata that CMSs keep in <head> (<meta name="PubDate">, <title>)."""
    lines, where = [], []
    metas = {}
    for meta in root.xpath("//meta[@name and @content]"):
        metas.setdefault(meta.get("name").lower(), (meta.get("content"), meta.sourceline or 1))
    if "articletitle" not in metas:
        titles = root.xpath("//title")
        title = "".join(titles[0].itertext()).strip() if titles else ""
        if title:
            metas["articletitle"] = (re.split(r"[_|-]", title)[0], titles[0].sourceline or 1)
    for name, label in _META_LINES:
        content, line = metas.get(name, ("", 0))
        content = _clean_cell(content or "")
        if content:
            lines.append(f"{label}: {content}")
            where.append(line)
    return lines, where


def _span(cell, name: str) -> int:
    value = cell.get(name)
    if not value:
        return 1
    try:
        return max(1, min(int(value.strip() or 1), 200))
    except ValueError:
        return 1


def _table_grid(table) -> list[tuple[str, int]]:
    """Rows of a table with rowspan/colspan expanded into empty cells, so that every row has the
    grid's columns and a value sits under its header: the table reader aligns by column."""
    rows = [tr for tr in table.iter("tr") if next(tr.iterancestors("table"), None) is table]
    pending: dict[int, int] = {}          # column → rows still covered by a rowspan from above
    out = []
    for tr in rows:
        cells = [c for c in tr if isinstance(c.tag, str) and c.tag.lower() in ("td", "th")]
        row: list[str] = []
        col = 0

        def fill_pending():
            nonlocal col
            while pending.get(col, 0) > 0:
                pending[col] -= 1
                row.append("")
                col += 1

        for cell in cells:
            fill_pending()
            colspan, rowspan = _span(cell, "colspan"), _span(cell, "rowspan")
            row.append(_cell_text(cell))
            row.extend([""] * (colspan - 1))
            if rowspan > 1:
                for c in range(col, col + colspan):
                    pending[c] = rowspan - 1
            col += colspan
        fill_pending()
        for c in list(pending):
            if c >= col and pending[c] > 0:
                pending[c] -= 1
        if any(row):
            out.append(("\t".join(row), tr.sourceline))
    return out


def html_to_lines(markup: str) -> tuple[list[str], list[int]]:
    """Render HTML as text lines; also return each line's source line in the HTML (1-based)."""
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
    body = root
    for xp in _BODY_XPATHS:
        try:
            found = root.xpath(xp)
        except etree.XPathError:
            continue
        if found:
            body = max(found, key=lambda el: sum(len(t) for t in el.itertext()))
            break
    lines, where = list(header_lines), list(header_where)
    if body is not root:
        # the title, date and source usually sit in the page around the report body
        page_lines, page_where = _render(root, tables=False)
        for text, line in zip(page_lines[:400], page_where[:400]):
            if len(text) <= 120 and (_PAGE_META.search(text) or _PAGE_TITLE.search(text)):
                lines.append(text)
                where.append(line)
    body_lines, body_where = _render(body)
    return lines + body_lines, where + body_where


_PAGE_META = re.compile(r"(?:日\s*期|时\s*间)\s*[:：]\s*\d{4}|(?:来\s*源|发布机构)\s*[:：]")
_PAGE_TITLE = re.compile(r"^[^。，,>]{0,60}\d{4}\s*年度?[^。，,>]{0,30}(?:年度报告|年报)$")


def _render(body, tables: bool = True) -> tuple[list[str], list[int]]:
    """One line per block element and one per table row (cells joined by tabs); with
    tables=False (metadata scan of the whole page) tables are skipped."""
    lines: list[str] = []
    where: list[int] = []
    current: list[str] = []
    current_line = [getattr(body, "sourceline", None) or 1]

    def flush() -> None:
        text = _clean_cell("".join(current))
        if text:
            lines.append(text)
            where.append(current_line[0])
        current.clear()

    def walk(el) -> None:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if tag == "table":
            flush()
            for text_line, source_line in (_table_grid(el) if tables else ()):
                lines.append(text_line)
                where.append(source_line or current_line[0])
            if el.tail:
                current.append(el.tail)
            return
        if tag in _BLOCK:
            flush()
            current_line[0] = el.sourceline or current_line[0]
        if el.text:
            current.append(el.text)
        for child in el:
            walk(child)
        if tag in _BLOCK:
            flush()
            current_line[0] = el.sourceline or current_line[0]
        if el.tail:
            current.append(el.tail)

    # Iterative fallback for pathological nesting depth.
    try:
        walk(body)
    except RecursionError:
        lines = [_clean_cell(t) for t in body.itertext() if _clean_cell(t)]
        where = [1] * len(lines)
        return lines, where
    flush()
    return lines, where
