"""The .xlsx downloads: sheets of rows written with openpyxl's write-only workbook (numbers stay numbers,
the header row bold and frozen), plus what Excel itself refuses handled before openpyxl sees it.

Why openpyxl in write-only mode: it is the well-kept library the project already depends on (pandas reads
xlsx with it), and write-only mode streams rows without building a cell object per cell in a sheet model.
It costs ~4–6 µs a cell (one year's reports at 10,000 reports, 1,667 rows × 25 columns: ≈ 0.2 s of CPU,
`python bench/downloads.py DB`) — a download, not a page; the CSV downloads cost a fifth of that.

Excel's limits are kept: a cell holds at most 32,767 characters (a longer text is cut with a note saying
where the full text is); characters XML cannot carry (control characters, lone surrogates) are dropped
(openpyxl would raise on them and the download would fail).
"""
from __future__ import annotations

import io
import math
import re

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

MAX_CELL_CHARS = 32_767
TRUNCATED_NOTE = "…（超出 Excel 单元格的 32767 字上限，已截断；完整内容见 CSV 或 JSON 下载）"
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_BOLD = Font(bold=True)


def text(value: str) -> str:
    """A string as a cell text Excel and XML accept."""
    if _ILLEGAL.search(value):
        value = _ILLEGAL.sub("", value)
    if len(value) > MAX_CELL_CHARS:
        value = value[:MAX_CELL_CHARS - len(TRUNCATED_NOTE)] + TRUNCATED_NOTE
    return value


def value(v):
    """A database value as a cell value: text made safe, an empty string or NaN/inf as text or nothing,
    bytes described rather than dumped."""
    kind = type(v)
    if kind is str:
        return text(v) if v else None          # an empty string is an empty cell, as Excel stores it
    if v is None or kind is int or kind is bool:
        return v
    if kind is float:
        return v if math.isfinite(v) else str(v)
    if isinstance(v, bool):                    # subclasses (numpy, enums) as the plain type
        return bool(v)
    if isinstance(v, int):
        return int(v)
    if isinstance(v, float):
        return value(float(v))
    if isinstance(v, bytes):
        return f"<{len(v)} 字节二进制数据>"
    return text(str(v))


def workbook(sheets: list[tuple[str, list, list]]) -> bytes:
    """An .xlsx file of sheets given as (name, header, rows); names at most 31 characters, as Excel requires."""
    book = Workbook(write_only=True)
    for name, header, rows in sheets:
        sheet = book.create_sheet(text(name)[:31])
        sheet.freeze_panes = "A2"
        header_cells = []
        for h in header:
            cell = WriteOnlyCell(sheet, value=value(h))
            cell.font = _BOLD
            header_cells.append(cell)
        sheet.append(header_cells)
        for row in rows:
            sheet.append([value(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
