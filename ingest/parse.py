"""One report file → one record (docs/record.md), never an exception.

The data flows one way: bytes (`read`) → text lines (`html` for web pages) → normalised lines
(`normalize`) → sections (`sections`) → tables (`tables`), prose facts (`prose`) and metadata
(`meta`) → the record. Every table cell in the record carries the line and character span of the
normalised text it was read from; `Parsed.text` is that text, so a line number is one jump away.
"""
from __future__ import annotations

import bisect
import hashlib
import os
import traceback
from dataclasses import dataclass
from pathlib import Path

from . import forms
from .parser import legacy as legacy_mod, meta, prose, sections as sections_mod, tables
from .readers.html import html_to_lines
from .parser.normalize import normalize_lines
from .readers.text import Decoded, UnreadableFile, read_bytes, read_file

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
    """Maps absolute offsets in the report text to (line, column)."""

    def __init__(self, lines: list[str]):
        self.starts = []
        pos = 0
        for line in lines:
            self.starts.append(pos)
            pos += len(line) + 1

    def line(self, offset: int | None) -> int | None:
        if offset is None:
            return None
        return bisect.bisect_right(self.starts, offset)

    def span(self, start: int | None, end: int | None) -> list[int] | None:
        if start is None:
            return None
        idx = bisect.bisect_right(self.starts, start) - 1
        base = self.starts[idx]
        return [start - base, (end if end is not None else start) - base]


def parse_file(path: str) -> Parsed:
    data, decoded = read_file(path)
    size = os.path.getsize(path)
    return _parse(data, path, decoded, size)


def parse_bytes(data: bytes, path: str = "<bytes>") -> Parsed:
    return _parse(data, path, None, len(data))


def _empty_record(path: str, data: bytes, size: int) -> dict:
    return {
        "source": {"path": path, "sha256": hashlib.sha256(data).hexdigest(), "bytes": size, "encoding": None,
                   "format": None, "lines": 0},
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


def _parse(data: bytes, path: str, decoded: Decoded | None, size: int) -> Parsed:
    record = _empty_record(path, data, size)
    try:
        return _parse_into(record, data, path, decoded)
    except Exception as exc:  # the batch must go on: report the failure in the record
        record["warnings"].append({"code": "internal_error",
                                   "message": f"解析出错（{type(exc).__name__}: {exc}）；请报告此文件",
                                   "line": None, "detail": traceback.format_exc(limit=3)})
        return Parsed(record, "")


def _parse_into(record: dict, data: bytes, path: str, decoded: Decoded | None) -> Parsed:
    decoded = decoded or read_bytes(data, path)
    warnings: list[dict] = list(decoded.warnings)
    record["source"].update(encoding=decoded.encoding, format=decoded.format)
    if decoded.format == "html":
        raw_lines, _html_lines = html_to_lines(decoded.text)
    else:
        raw_lines = decoded.text.split("\n")
    lines, norm_warnings = normalize_lines(raw_lines, markdown=decoded.format == "markdown")
    warnings.extend(norm_warnings)
    text = "\n".join(lines)
    where = _Lines(lines)
    record["source"]["lines"] = len(lines)

    # --- sections ------------------------------------------------------------------------------
    secs = sections_mod.find_sections(text)
    record["sections"] = [
        {"number": s.number, "title": s.title, "canonical": s.canonical,
         "line_start": where.line(s.start), "line_end": where.line(max(s.start, s.end - 1)),
         "text": text[s.body_start:s.end].strip()}
        for s in secs
    ]
    span = {n: sections_mod.section_span(secs, n) for n in ("二", "三", "四", "五")}

    # --- metadata ------------------------------------------------------------------------------
    info = meta.find_metadata(lines, text)
    info.pop("_lines")
    report = record["report"]
    report.update(info)

    # --- tables --------------------------------------------------------------------------------
    t3_start = span["三"][0] if span["三"] else 0
    applications = tables.read_applications(text, t3_start, len(text))
    header_end = applications.start if applications else (span["三"][0] if span["三"] else len(text))
    t2_region = (span["二"][0], span["二"][1]) if span["二"] else (0, header_end)
    template = tables.detect_template_words(text, t2_region[0], max(t2_region[1], header_end))
    if template is None:
        if applications is not None:
            template = "2021" if "other_other" in applications.rows else "2019"
        elif report["year"] and report["year"] >= 2019 and (span["三"] or span["二"]):
            template = "2021" if report["year"] >= 2021 else "2019"
        else:
            template = "legacy"
    report["template"] = template

    if span["四"]:
        t4_region = span["四"]
    elif applications is not None and applications.end is not None:
        t4_region = (applications.end, span["五"][0] if span["五"] and span["五"][0] > applications.end else len(text))
    else:
        t4_region = None
    reviews = tables.read_reviews(text, *t4_region) if t4_region and template != "legacy" else None
    active = tables.read_active(text, template, *t2_region) if template != "legacy" else None
    if template == "legacy":
        applications = None

    cells: list[dict] = []
    table_spans: list[tuple[int, int]] = []

    def add_cells(table: str, row_key: str, col_keys, row_cells):
        for col, cell in zip(col_keys, row_cells):
            cells.append({"table": table, "row": row_key, "col": col, "value": cell.value, "printed": cell.printed,
                          "unit": cell.unit, "kind": cell.kind, "line": where.line(cell.start),
                          "span": where.span(cell.start, cell.end)})

    for result in (active, applications, reviews):
        if result is not None:
            for w in result.warnings:
                warnings.append({"code": w["code"], "message": w["message"], "line": where.line(w.get("offset"))})
            if result.start is not None and result.end is not None:
                table_spans.append((result.start, result.end))

    if active is not None:
        items = []
        for item in forms.ACTIVE_ITEMS[template]:
            row_cells = active.rows.get(item.key) or [tables.Cell() for _ in item.metrics]
            items.append({"block": item.block, "item": item.label, "item_key": item.key,
                          "values": {m.key: c.value for m, c in zip(item.metrics, row_cells)}})
            add_cells("active_disclosure", item.key, [m.key for m in item.metrics], row_cells)
        record["active_disclosure"] = items
    if applications is not None:
        record["applications"] = {
            key: {col: c.value for col, c in zip(forms.APPLICANT_COLUMN_KEYS, row_cells)}
            for key, row_cells in applications.rows.items()
        }
        for key, row_cells in applications.rows.items():
            add_cells("applications", key, forms.APPLICANT_COLUMN_KEYS, row_cells)
    if reviews is not None:
        record["reviews_litigation"] = {
            kind: {col: c.value for col, c in zip(forms.REVIEW_OUTCOME_KEYS, row_cells)}
            for kind, row_cells in reviews.rows.items()
        }
        for kind, row_cells in reviews.rows.items():
            add_cells("reviews_litigation", kind, forms.REVIEW_OUTCOME_KEYS, row_cells)
    record["cells"] = cells

    # --- legacy statistics table (2008–2018) ----------------------------------------------------
    if template == "legacy":
        record["legacy_stats"] = _legacy_stats(text, where, warnings, table_spans)

    # --- prose facts ---------------------------------------------------------------------------
    facts = prose.find_facts(text, exclude=table_spans, year=report["year"], agency=report["agency"],
                             agency_kind=report["agency_kind"])
    for fact in facts:
        fact["line"] = where.line(fact.pop("offset"))
    record["facts"] = facts

    # --- what could not be read ------------------------------------------------------------------
    if template != "legacy" and applications is None and text.strip():
        warnings.append({"code": "no_tables", "message": "未找到统计表（表三），数字只能取自正文", "line": None})
    for key, label in (("title", "标题"), ("year", "年度"), ("agency", "发布机关")):
        if text.strip() and not report.get(key):
            warnings.append({"code": f"{key}_missing", "message": f"未识别出{label}", "line": None})
    if text.strip() and report.get("agency") and not report["region"]["adcode"]:
        warnings.append({"code": "region_unresolved", "message": f"无法从“{report['agency']}”确定行政区划代码", "line": None})
    record["warnings"] = warnings
    return Parsed(record, text)


def _legacy_stats(text: str, where: _Lines, warnings: list[dict], table_spans: list) -> list[dict]:
    """The legacy statistics table's items (parser/legacy.py), each with its place in the text."""
    table = legacy_mod.read_legacy_table(text)
    if table is None:
        return []
    table_spans.append((table.start, table.end))
    for w in table.warnings:
        warnings.append({"code": w["code"], "message": w["message"], "line": where.line(w.get("offset"))})

    return [{"key": r.key, "label": r.label, "unit": r.unit, "value": r.year.value,
             "cumulative": r.cumulative.value if table.has_cumulative else None,
             "kind": r.year.kind, "kind_cumulative": r.cumulative.kind if table.has_cumulative else None,
             "printed": r.printed, "line": where.line(r.vals_start), "span": where.span(r.vals_start, r.vals_end)}
            for r in table.rows]
