"""Word .docx → text lines: paragraphs one per line, tables one row per line (cells by tab).

A .docx is a ZIP whose word/document.xml holds the body. Tables are expanded into grids like
HTML tables (`gridSpan` → empty cells after the text, `vMerge` continuation → an empty cell), so
a value sits under its header and the same table reader serves every format. The archive is read
with a cap on the uncompressed size (a zip bomb is a warning, not a hang).
"""
from __future__ import annotations

import io
import zipfile

from lxml import etree

MAX_XML = 64 * 1024 * 1024
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _warn(code: str, message: str) -> dict:
    return {"code": code, "message": message, "line": None}


def _text(el) -> str:
    out = []
    for node in el.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr"):
        if node.tag == f"{_W}t":
            out.append(node.text or "")
        else:
            out.append(" ")
    return "".join(out).replace("\t", " ").strip()


def _cell_text(tc) -> str:
    return "".join(_text(p) for p in tc.iter(f"{_W}p"))


def _table_rows(tbl) -> list[str]:
    rows = []
    for tr in tbl.iterchildren(f"{_W}tr"):
        cells = []
        for tc in tr.iterchildren(f"{_W}tc"):
            props = tc.find(f"{_W}tcPr")
            span = 1
            continued = False
            if props is not None:
                gs = props.find(f"{_W}gridSpan")
                if gs is not None:
                    try:
                        span = max(1, min(int(gs.get(f"{_W}val", "1")), 64))
                    except ValueError:
                        span = 1
                vm = props.find(f"{_W}vMerge")
                continued = vm is not None and vm.get(f"{_W}val", "continue") != "restart"
            cells.append("" if continued else _cell_text(tc))
            cells.extend([""] * (span - 1))
        if any(cells):
            rows.append("\t".join(cells))
    return rows


def read_docx(data: bytes) -> tuple[list[str], list[dict]]:
    """Lines of the document body and warnings (never raises for a bad file)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            info = zf.getinfo("word/document.xml")
            if info.file_size > MAX_XML:
                return [], [_warn("file_too_large", f"word/document.xml 解压后 {info.file_size} 字节，超过上限，未读取")]
            with zf.open(info) as fh:
                xml = fh.read(MAX_XML + 1)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError, zipfile.LargeZipFile) as exc:
        return [], [_warn("docx_damaged", f"Word 文件已损坏，无法读取（{exc}）")]
    if len(xml) > MAX_XML:
        return [], [_warn("file_too_large", "word/document.xml 解压后超过上限，未读取")]
    try:
        root = etree.fromstring(xml, etree.XMLParser(huge_tree=True, resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        return [], [_warn("docx_damaged", f"Word 文件的正文 XML 无法解析（{exc}）")]
    body = root.find(f"{_W}body")
    lines: list[str] = []
    if body is None:
        return lines, []
    for el in body.iter(f"{_W}p", f"{_W}tbl"):
        if el.tag == f"{_W}tbl":
            if next(el.iterancestors(f"{_W}tbl"), None) is None:
                lines.extend(_table_rows(el))
        elif next(el.iterancestors(f"{_W}tbl"), None) is None:
            text = _text(el)
            if text:
                lines.append(text)
    return lines, []
