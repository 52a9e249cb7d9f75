"""HTML → plain text lines that keep the table structure.

Agency sites wrap the report in full site chrome and export tables from Word (`<o:p>`, `mso-*`
styles, `&nbsp;` padding, one character per `<p>` in vertical headers). The parser only needs the
readable text with one line per block and one line per table row, cells separated by a tab, so
the same table reader serves text, Markdown and HTML. Scripts, styles and comments are dropped
and never reach the text (hostile HTML stays inert).
"""
from __future__ import annotations

import re

from lxml import etree, html as lxml_html

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


def _strip(root) -> None:
    for bad in root.xpath("//comment() | //processing-instruction()"):
        parent = bad.getparent()
        if parent is not None:
            tail = bad.tail
            parent.remove(bad)
            if tail:
                prev = parent[-1] if len(parent) else None
                # keep the tail text that followed the comment
                if prev is not None:
                    prev.tail = (prev.tail or "") + tail
                else:
                    parent.text = (parent.text or "") + tail
    for el in list(root.iter()):
        if isinstance(el.tag, str) and el.tag.lower() in _DROP and el.getparent() is not None:
            el.drop_tree()


_META_LINES = (("articletitle", "标题"), ("pubdate", "发布时间"), ("contentsource", "来源"))


def _head_lines(root) -> tuple[list[str], list[int]]:
    """Title and publication metadata that CMSs keep in <head> (<meta name="PubDate">, <title>)."""
    lines, where = [], []
    metas = {}
    for meta in root.xpath("//meta[@name and @content]"):
        metas.setdefault(meta.get("name").lower(), (meta.get("content"), meta.sourceline or 1))
    if "articletitle" not in metas:
        titles = root.xpath("//title")
        if titles and titles[0].text_content().strip():
            metas["articletitle"] = (re.split(r"[_|-]", titles[0].text_content().strip())[0], titles[0].sourceline or 1)
    for name, label in _META_LINES:
        content, line = metas.get(name, ("", 0))
        content = _clean_cell(content or "")
        if content:
            lines.append(f"{label}: {content}")
            where.append(line)
    return lines, where


def html_to_lines(markup: str) -> tuple[list[str], list[int]]:
    """Render HTML as text lines; also return each line's source line in the HTML (1-based)."""
    if not markup.strip():
        return [], []
    try:
        root = lxml_html.document_fromstring(markup)
    except (etree.ParserError, ValueError):
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
            body = max(found, key=lambda el: len(el.text_content()))
            break
    lines: list[str] = list(header_lines)
    where: list[int] = list(header_where)
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
        if tag == "tr":
            flush()
            cells = [c for c in el if isinstance(c.tag, str) and c.tag.lower() in ("td", "th")]
            if cells:
                lines.append("\t".join(_cell_text(c) for c in cells))
                where.append(el.sourceline or current_line[0])
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
