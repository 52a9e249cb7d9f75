"""One report file → one record (docs/record.md), never an exception.

The data flows one way: bytes (`read`) → text lines (`html` for web pages) → normalised lines
(`normalize`) → sections (`sections`) → tables (`tables`), prose facts (`prose`) and metadata
(`meta`) → the record. Every table cell in the record carries the line and character span of the
normalised text it was read from; `Parsed.text` is that text, so a line number is one jump away.

Each stage runs on its own (`_Stages.run`): an unexpected exception inside one — a bug the input
found — costs only that stage's part of the record (one table, the facts, the metadata…), with an
`internal_error` warning naming the stage; the other parts are still read. A stage that others
need falls back to the plainest reading (undecodable bytes → UTF-8 with replacement characters,
HTML that cannot be rendered → its text without tags, text that cannot be normalised → as read).

Values that cannot be stored (beyond ±(2^63−1), absurd digit counts) never reach the record as
numbers: table cells become `unreadable` in `tables`, prose facts are dropped here, each with a
`value_out_of_range` warning.
"""
from __future__ import annotations

import hashlib
import os
import re
import traceback
from array import array
from decimal import Decimal
from dataclasses import dataclass
from pathlib import Path

from . import forms
from .parser import legacy as legacy_mod, meta, prose, sections as sections_mod, tables
from .parser.normalize import normalize_text
from .readers.document import read_document, where_printed
from .readers.html import html_to_lines
from .readers.text import Decoded, UnreadableFile, read_bytes, read_raw, sniff_format

__all__ = ["Parsed", "parse_bytes", "parse_file", "UnreadableFile", "PARSER_VERSION"]



def _fingerprint() -> str:
    """Hash of the parser's own source (readers/, parser/, forms.py, this file): any change to how
    reports are read makes the next incremental build parse everything again (a version number
    nobody bumps would not)."""
    here = Path(__file__).resolve().parent
    files = [here / "forms.py", here / "parse.py", *sorted((here / "readers").glob("*.py")),
             *sorted((here / "parser").glob("*.py"))]
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


PARSER_VERSION = _fingerprint()


@dataclass
class Parsed:
    record: dict
    text: str


class _Lines:
    """Maps absolute offsets in the report text to (line, column).

    Keeps only a checkpoint every 512 characters (line breaks before it, last break before it)
    and counts the rest with C-level str.count/rfind: a file of a million empty lines costs 32
    kilobytes, not a list of a million line starts; a lookup counts at most 512 characters (each
    cell of a report asks once)."""

    CHUNK = 512

    def __init__(self, text: str):
        self.text = text
        chunk = self.CHUNK
        self.breaks = array("q", [0])        # line breaks in text[:k * CHUNK]
        self.last = array("q", [-1])         # offset of the last line break before k * CHUNK
        seen, last = 0, -1
        for k in range(chunk, len(text) + 1, chunk):
            seen += text.count("\n", k - chunk, k)
            found = text.rfind("\n", k - chunk, k)
            last = found if found >= 0 else last
            self.breaks.append(seen)
            self.last.append(last)

    def line(self, offset: int | None) -> int | None:
        if offset is None:
            return None
        offset = min(max(offset, 0), len(self.text))
        k = offset // self.CHUNK
        return self.breaks[k] + self.text.count("\n", k * self.CHUNK, offset) + 1

    def span(self, start: int | None, end: int | None) -> list[int] | None:
        if start is None:
            return None
        k = min(max(start, 0), len(self.text)) // self.CHUNK
        found = self.text.rfind("\n", k * self.CHUNK, start)
        base = (found if found >= 0 else self.last[k]) + 1
        return [start - base, (end if end is not None else start) - base]


def parse_file(path: str) -> Parsed:
    data = read_raw(path)
    size = os.path.getsize(path)
    return _parse(data, path, None, size)


def parse_bytes(data: bytes, path: str = "<bytes>") -> Parsed:
    return _parse(data, path, None, len(data))


def _empty_record(path: str, data: bytes, size: int) -> dict:
    return {
        "source": {"path": path, "sha256": hashlib.sha256(data).hexdigest(), "bytes": size, "encoding": None,
                   "format": None, "lines": 0, "pages": None},
        "report": {"title": None, "agency": None, "agency_kind": None, "year": None, "published_on": None,
                   "template": "legacy", "region": {"adcode": None, "province": None, "city": None, "county": None}},
        "active_disclosure": [],
        "applications": None,
        "reviews_litigation": None,
        "facts": [],
        "warnings": [],
        "cells": [],
        "sections": [],
        "legacy_stats": [],
    }


# Stage names as the internal_error message shows them.
STAGES = {"document": "读取 PDF/Word 文件", "read": "解码", "html": "网页转文本", "normalize": "文本规范化", "sections": "章节", "meta": "元数据",
          "template": "表格样式识别", "table2": "表二（主动公开）", "table3": "表三（依申请公开）",
          "table4": "表四（复议诉讼）", "legacy": "旧条例时期统计表", "prose": "正文数字", "record": "汇总"}


class _Stages:
    """Runs each stage of one parse, turning an unexpected exception into an `internal_error`
    warning that names the stage (and keeps a short traceback in `detail` for the bug report)."""

    def __init__(self, warnings: list[dict]):
        self.warnings = warnings
        self.failed: list[str] = []

    def run(self, stage: str, fn, *args, default=None, **kw):
        try:
            return fn(*args, **kw)
        except Exception as exc:  # noqa: BLE001 - any bug in one stage must not cost the others
            self.failed.append(stage)
            message = str(exc)
            if len(message) > 200:
                message = message[:200] + "…"
            self.warnings.append({
                "code": "internal_error", "stage": stage, "line": None,
                "message": f"解析阶段“{STAGES.get(stage, stage)}”出错（{type(exc).__name__}: {message}），"
                           f"该部分结果缺失；请报告此文件",
                "detail": traceback.format_exc(limit=4)[-4000:]})
            return default


def _parse(data: bytes, path: str, decoded: Decoded | None, size: int) -> Parsed:
    record = _empty_record(path, data, size)
    stages = _Stages([])
    text = stages.run("record", _parse_into, record, data, path, decoded, stages, default="")
    record["warnings"] = stages.warnings
    return Parsed(record, text or "")


_TAG = re.compile(r"<[^<>]*>")


def _plain_decode(data: bytes, path: str) -> Decoded:
    """The fallback reading when the decoder fails: UTF-8 with replacement characters."""
    text = data.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return Decoded(text=text, encoding="utf-8", format=sniff_format(path, text))


def _html_fallback(markup: str) -> list[str]:
    """The fallback rendering when the HTML reader fails: the markup's lines without tags."""
    return [" ".join(part.split()) for part in _TAG.sub(" ", markup).split("\n")]


# Largest magnitude a value may have: SQLite's INTEGER (and a count nobody can have exceeded).
MAX_VALUE = 2 ** 63 - 1


def storable(value) -> bool:
    """True when a number fits the database: an int or a finite Decimal within ±(2^63−1)."""
    if isinstance(value, bool) or value is None:
        return True
    if isinstance(value, int):
        return -MAX_VALUE <= value <= MAX_VALUE
    if isinstance(value, Decimal):
        return value.is_finite() and value.adjusted() < 19 and abs(value) <= MAX_VALUE
    if isinstance(value, float):
        return value == value and abs(value) <= MAX_VALUE
    return True


def _parse_into(record: dict, data: bytes, path: str, decoded: Decoded | None, stages: _Stages) -> str:
    warnings = stages.warnings
    # PDF, Word and unsupported kinds are recognised by their bytes (readers/document.py); None: text
    document = stages.run("document", read_document, data, path) if decoded is None else None
    boxes = pdf_raw_lines = None             # a PDF's lines as read and the page/box of each character
    html_warnings: list[dict] = []
    if document is not None:
        warnings[:0] = list(document.warnings)
        record["source"].update(format=document.format, pages=document.pages)
        fmt = document.format
        pdf_raw_lines, boxes = document.lines, document.boxes
        raw = "\n".join(pdf_raw_lines)
        decoded = None
    else:
        decoded = decoded or stages.run("read", read_bytes, data, path) or _plain_decode(data, path)
        warnings[:0] = list(decoded.warnings)
        record["source"].update(encoding=decoded.encoding, format=decoded.format)
        fmt = decoded.format
    if decoded is not None and decoded.format == "html":
        raw_lines = stages.run("html", lambda: html_to_lines(decoded.text, html_warnings)[0])
        if raw_lines is None:
            raw_lines = _html_fallback(decoded.text)
        raw = "\n".join(raw_lines)
        del raw_lines
    elif decoded is not None:
        raw = decoded.text
    decoded = None                   # the decoded text is no longer needed (memory)
    normalized = stages.run("normalize", normalize_text, raw, markdown=fmt == "markdown")
    text, norm_warnings = normalized if normalized is not None else (raw, [])
    del raw, normalized
    warnings.extend(html_warnings)
    warnings.extend(norm_warnings)
    lines = text.split("\n")
    pdf_lines = lines if boxes is not None else None      # where_printed maps a cell's span to its boxes
    where = _Lines(text)
    record["source"]["lines"] = len(lines)

    # --- sections ------------------------------------------------------------------------------
    secs = stages.run("sections", sections_mod.find_sections, text, default=[])

    def section_records():
        return [{"number": s.number, "title": s.title, "canonical": s.canonical,
                 "line_start": where.line(s.start), "line_end": where.line(max(s.start, s.end - 1)),
                 "text": text[s.body_start:s.end].strip()} for s in secs]

    record["sections"] = stages.run("sections", section_records, default=[])
    span = stages.run("sections", lambda: {n: sections_mod.section_span(secs, n) for n in ("二", "三", "四", "五")},
                      default=None) or dict.fromkeys(("二", "三", "四", "五"))

    # --- metadata ------------------------------------------------------------------------------
    report = record["report"]

    def read_meta():
        info = meta.find_metadata(lines, text)
        info.pop("_lines", None)
        if document is not None and document.title and not info.get("title"):   # the PDF's Title info
            info = meta.find_metadata([f"标题: {document.title}", *lines], text)
            info.pop("_lines", None)
        clean = dict(report)
        clean.update(info)
        return clean

    report.update(stages.run("meta", read_meta, default=None) or {})
    del lines
    year = report.get("year") if isinstance(report.get("year"), int) else None

    # --- tables --------------------------------------------------------------------------------
    t3_start = span["三"][0] if span["三"] else 0
    applications = stages.run("table3", tables.read_applications, text, t3_start, len(text))
    header_end = applications.start if applications else (span["三"][0] if span["三"] else len(text))
    t2_region = (span["二"][0], span["二"][1]) if span["二"] else (0, header_end)
    template = stages.run("template", tables.detect_template_words, text, t2_region[0], max(t2_region[1], header_end))
    if template is None:
        if applications is not None:
            template = "2021" if "other_other" in applications.rows else "2019"
        elif year and year >= 2019 and (span["三"] or span["二"]):
            template = "2021" if year >= 2021 else "2019"
        else:
            template = "legacy"
    report["template"] = template

    if span["四"]:
        t4_region = span["四"]
    elif applications is not None and applications.end is not None:
        t4_region = (applications.end, span["五"][0] if span["五"] and span["五"][0] > applications.end else len(text))
    else:
        t4_region = None
    reviews = stages.run("table4", tables.read_reviews, text, *t4_region) if t4_region and template != "legacy" else None
    active = stages.run("table2", tables.read_active, text, template, *t2_region) if template != "legacy" else None
    if template == "legacy":
        applications = None

    cells: list[dict] = []
    table_spans: list[tuple[int, int]] = []

    def assemble(table: str, result, row_keys) -> tuple[list[dict], list[dict]]:
        """One table's cells (with provenance) and warnings, the table reader's and its cells'."""
        found = [{"code": w["code"], "message": w["message"], "line": where.line(w.get("offset"))}
                 for w in result.warnings]
        rows = []
        for row_key, col_keys, row_cells in row_keys:
            for col, cell in zip(col_keys, row_cells):
                line, span = where.line(cell.start), where.span(cell.start, cell.end)
                page, bbox = where_printed(boxes, pdf_raw_lines, pdf_lines, line, span)
                note = getattr(cell, "note", None)     # (code, message) of a value that could not be stored
                if not storable(cell.value):           # e.g. a cell recovered from sums of huge values
                    cell.value, cell.kind = None, "unreadable"
                    note = ("value_out_of_range", "单元格的值超出可存储的范围（±(2^63−1)），按无法识别处理")
                rows.append({"table": table, "row": row_key, "col": col, "value": cell.value, "printed": cell.printed,
                             "unit": cell.unit, "kind": cell.kind, "line": line, "span": span,
                             "page": page, "bbox": bbox})
                if note:
                    found.append({"code": note[0], "message": note[1], "line": line})
        return found, rows

    def active_part():
        row_keys = []
        for item in forms.ACTIVE_ITEMS[template]:
            row_cells = active.rows.get(item.key) or [tables.Cell() for _ in item.metrics]
            row_keys.append((item.key, [m.key for m in item.metrics], row_cells))
        assembled = assemble("active_disclosure", active, row_keys)      # first: it nulls unstorable values
        items = [{"block": item.block, "item": item.label, "item_key": item.key,
                  "values": {m.key: c.value for m, c in zip(item.metrics, row_cells)}}
                 for item, (_k, _c, row_cells) in zip(forms.ACTIVE_ITEMS[template], row_keys)]
        return items, assembled

    def grid_part(table: str, result, col_keys):
        """Tables 3 and 4: rows × the same columns."""
        row_keys = [(key, col_keys, row_cells) for key, row_cells in result.rows.items()]
        assembled = assemble(table, result, row_keys)      # first: it nulls unstorable values
        values = {key: {col: c.value for col, c in zip(col_keys, row_cells)} for key, row_cells in result.rows.items()}
        return values, assembled

    for stage, result, part, key in (("table2", active, active_part, "active_disclosure"),
                                     ("table3", applications, lambda: grid_part(
                                         "applications", applications, forms.APPLICANT_COLUMN_KEYS), "applications"),
                                     ("table4", reviews, lambda: grid_part(
                                         "reviews_litigation", reviews, forms.REVIEW_OUTCOME_KEYS),
                                      "reviews_litigation")):
        if result is None:
            continue
        done = stages.run(stage, part)
        if done is None:
            continue
        values, (found, rows) = done
        warnings.extend(found)
        record[key] = values
        cells.extend(rows)
        if result.start is not None and result.end is not None:
            table_spans.append((result.start, result.end))
    record["cells"] = cells

    # --- legacy statistics table (2008–2018) ----------------------------------------------------
    # (before the prose facts: the table's span is what prose skips)
    if template == "legacy":
        def page_of(line, span):
            return where_printed(boxes, pdf_raw_lines, pdf_lines, line, span)[0]

        record["legacy_stats"] = stages.run("legacy", _legacy_stats, text, where, warnings, table_spans, page_of,
                                            default=[])

    # --- prose facts ---------------------------------------------------------------------------
    def read_facts():
        kept = []
        for fact in prose.find_facts(text, exclude=table_spans, year=year, agency=report.get("agency"),
                                     agency_kind=report.get("agency_kind")):
            fact["line"] = where.line(fact.pop("offset"))
            if not storable(fact.get("value")):
                warnings.append({"code": "value_out_of_range", "line": fact["line"],
                                 "message": "正文中的数字超出可存储的范围（±(2^63−1)），未采用"})
                continue
            kept.append(fact)
        return kept

    record["facts"] = stages.run("prose", read_facts, default=[])

    # --- what could not be read ------------------------------------------------------------------
    has_text = bool(text.strip())
    if template != "legacy" and applications is None and has_text and "table3" not in stages.failed:
        warnings.append({"code": "no_tables", "message": "未找到统计表（表三），数字只能取自正文", "line": None})
    if "meta" not in stages.failed:
        for key, label in (("title", "标题"), ("year", "年度"), ("agency", "发布机关")):
            if has_text and not report.get(key):
                warnings.append({"code": f"{key}_missing", "message": f"未识别出{label}", "line": None})
        if has_text and report.get("agency") and not (report.get("region") or {}).get("adcode"):
            warnings.append({"code": "region_unresolved", "message": f"无法从“{report['agency']}”确定行政区划代码",
                             "line": None})
    return text


def _legacy_stats(text: str, where: _Lines, warnings: list[dict], table_spans: list, page_of) -> list[dict]:
    """The legacy statistics table's items (parser/legacy.py), each with its place in the text (and its PDF
    page). A value the database cannot store is null, `unreadable`, with `value_out_of_range`."""
    table = legacy_mod.read_legacy_table(text)
    if table is None:
        return []
    table_spans.append((table.start, table.end))
    for w in table.warnings:
        warnings.append({"code": w["code"], "message": w["message"], "line": where.line(w.get("offset"))})

    items = []
    for r in table.rows:
        line, span = where.line(r.vals_start), where.span(r.vals_start, r.vals_end)
        value, kind = r.year.value, r.year.kind
        cumulative = r.cumulative.value if table.has_cumulative else None
        kind_cumulative = r.cumulative.kind if table.has_cumulative else None
        if not (storable(value) and storable(cumulative)):
            warnings.append({"code": "value_out_of_range", "line": line,
                             "message": f"统计表“{r.label}”的数字超出可存储的范围（±(2^63−1)），按无法识别处理"})
            if not storable(value):
                value, kind = None, "unreadable"
            if not storable(cumulative):
                cumulative, kind_cumulative = None, "unreadable"
        items.append({"key": r.key, "label": r.label, "unit": r.unit, "value": value, "cumulative": cumulative,
                      "kind": kind, "kind_cumulative": kind_cumulative, "printed": r.printed, "line": line,
                      "span": span, "page": page_of(line, span)})
    return items
