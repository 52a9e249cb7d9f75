"""Binary documents (PDF, Word) → text lines, chosen by the file's bytes, whatever its name.

`read_document` returns None for text files (the text reader decodes them); for a PDF or .docx
the rendered lines (PDF: with every character's page and box), and for formats the project does
not read (.doc/.wps, images, archives) an empty document with an `unsupported_format` warning
that names the file, so the batch goes on and the report shows why it is empty.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

from .detect import sniff


@dataclass
class Document:
    format: str                                   # pdf | docx | doc | image | archive | …
    lines: list[str] = field(default_factory=list)
    boxes: list | None = None                     # PDF: per line, per character (page, l, b, r, t)
    pages: int | None = None
    title: str | None = None                      # the PDF's Title info
    warnings: list[dict] = field(default_factory=list)


_FORMAT = {"ole": "doc", "rtf": "rtf", "office": "office", "image": "image", "archive": "archive"}


def read_document(data: bytes, path: str) -> Document | None:
    kind, label = sniff(data)
    if kind == "text":
        return None
    if kind == "pdf":
        from .pdf import read_pdf

        pdf = read_pdf(data)
        return Document("pdf", pdf.lines, pdf.boxes, pdf.pages, pdf.title, pdf.warnings)
    if kind == "docx":
        from .docx import read_docx

        lines, warnings = read_docx(data)
        return Document("docx", lines, None, None, None, warnings)
    name = os.path.basename(path)
    return Document(_FORMAT.get(kind, kind), warnings=[{
        "code": "unsupported_format",
        "message": f"文件“{name}”是{label}，本程序不能读取这种格式（请另存为 PDF、DOCX 或文本）",
        "line": None}])


def where_printed(boxes, raw_lines, lines, line, span) -> tuple[int | None, list[float] | None]:
    """The PDF page and box (points, [left, bottom, right, top]) of a cell's characters; None
    for other formats. Normalisation keeps a PDF line's length, so the span indexes its boxes."""
    if boxes is None or line is None or span is None or line > len(boxes):
        return None, None
    if len(raw_lines[line - 1]) != len(lines[line - 1]):
        return next((b[0] for b in boxes[line - 1] if b), None), None
    found = [b for b in boxes[line - 1][span[0]:max(span[1], span[0] + 1)] if b]
    if not found:
        return next((b[0] for b in boxes[line - 1] if b), None), None
    return found[0][0], [round(min(b[1] for b in found), 1), round(min(b[2] for b in found), 1),
                         round(max(b[3] for b in found), 1), round(max(b[4] for b in found), 1)]
