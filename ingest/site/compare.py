"""Two reports side by side (`/compare/{a}/{b}`, plugins/compare_page.py): what the page and its JSON show.

Why a module of its own, apart from the plugin: the comparison is plain data computed from one SQLite
connection (metadata, every table cell of both reports with its change, each section's text diff and
similarity, the checks of both), so the HTML page and the JSON are the same dict and tests can call it
without a server.

- Tables 2/3/4 cell by cell, in the order of `ingest.forms`: the value in a and in b, b − a and the change in
  per cent of a. A table whose numbers (at least COPIED_MIN non-zero cells) are all equal across two years
  is marked `copied`: an agency's figures do not repeat exactly from one year to the next.
- Sections are paired by number (一 … 六). Their texts are diffed sentence by sentence (difflib), and a
  replaced run of sentences character by character, which suits Chinese (no spaces between words); each
  pair carries the similarity the DUP rule measures (ingest/database/similar.py).
"""
from __future__ import annotations

import difflib
import re
import sqlite3
from decimal import Decimal, InvalidOperation

from .. import forms
from ..database import similar

COPIED_MIN = 5
CHAR_DIFF_MAX = 400         # characters: a longer replaced run of clauses is shown deleted + inserted, not by char
_SENTENCE_RE = re.compile(r"[^。！？；;!?\n]*(?:[。！？；;!?]+|\n+|$)")
_CLAUSE_RE = re.compile(r"[^，、：,:]*(?:[，、：,:]+|$)")


def _rows(conn: sqlite3.Connection, sql: str, params=()) -> list[dict]:
    cur = conn.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def _table_exists(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("select 1 from sqlite_master where name = ?", (name,)).fetchone() is not None


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------

def cell_order() -> list[tuple[str, str, str, str]]:
    """(table, row key, column key, label) of every cell of the forms, in printed order (both templates)."""
    out: list[tuple[str, str, str, str]] = []
    seen = set()
    for template in ("2019", "2021"):
        for item in forms.ACTIVE_ITEMS[template]:
            for m in item.metrics:
                if ("active_disclosure", item.key, m.key) not in seen:
                    seen.add(("active_disclosure", item.key, m.key))
                    out.append(("active_disclosure", item.key, m.key, f"{item.label}·{m.label}"))
    for row in forms.APPLICATION_ROWS:
        for c in forms.APPLICANT_COLUMNS:
            out.append(("applications", row.key, c.key, f"{row.number}{row.label}·{c.label}"))
    for k in forms.REVIEW_KINDS:
        for o in forms.REVIEW_OUTCOMES:
            out.append(("reviews_litigation", k.key, o.key, f"{k.label}·{o.label}"))
    return out


TABLE_TITLES = {"active_disclosure": "表二 主动公开政府信息情况", "applications": "表三 收到和处理政府信息公开申请情况",
                "reviews_litigation": "表四 政府信息公开行政复议、行政诉讼情况"}


def _number(v) -> str | None:
    if v is None:
        return None
    try:
        d = Decimal(str(v))
    except InvalidOperation:
        return str(v)
    return str(d.quantize(Decimal(1))) if d == d.to_integral_value() else format(d.normalize(), "f")


def _shown(cell: dict | None) -> str:
    """A cell as printed: its number, or the blank / placeholder / unreadable mark (never a 0 for a blank)."""
    if cell is None:
        return ""
    if cell["value"] is not None:
        return _number(cell["value"]) or ""
    return cell.get("printed") or {"blank": "（空白）", "unreadable": "（无法读取）", "missing": "（缺行）"}.get(
        cell.get("kind") or "", "")


def compare_tables(cells_a: list[dict], cells_b: list[dict]) -> list[dict]:
    """Per table: its cells in both reports with b − a and the % change; equal non-zero cells flagged."""
    a = {(c["table_name"], c["row_key"], c["col_key"]): c for c in cells_a}
    b = {(c["table_name"], c["row_key"], c["col_key"]): c for c in cells_b}
    tables: dict[str, dict] = {}
    for table, row, col, label in cell_order():
        ca, cb = a.get((table, row, col)), b.get((table, row, col))
        if ca is None and cb is None:
            continue
        va = ca["value"] if ca else None
        vb = cb["value"] if cb else None
        entry = {"row_key": row, "col_key": col, "label": label, "a": _shown(ca), "b": _shown(cb),
                 "a_value": va, "b_value": vb, "change": None, "change_pct": None,
                 "equal": va is not None and vb is not None and va == vb}
        if va is not None and vb is not None:
            entry["change"] = _number(Decimal(str(vb)) - Decimal(str(va)))
            entry["change_pct"] = round((vb - va) / va * 100, 1) if va else None
        t = tables.setdefault(table, {"table": table, "title": TABLE_TITLES[table], "cells": []})
        t["cells"].append(entry)
    out = []
    for t in tables.values():
        both = [c for c in t["cells"] if c["a_value"] is not None and c["b_value"] is not None]
        nonzero = [c for c in both if c["a_value"] != 0]
        t["changed"] = sum(1 for c in both if not c["equal"])
        t["equal_nonzero"] = sum(1 for c in nonzero if c["equal"])
        t["copied"] = len(nonzero) >= COPIED_MIN and all(c["equal"] for c in both)
        for c in t["cells"]:
            c["same_nonzero"] = c["equal"] and bool(c["a_value"])
        out.append(t)
    return out


# --------------------------------------------------------------------------------------------
# Texts
# --------------------------------------------------------------------------------------------

def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_RE.findall(text or "") if s]


def _clauses(text: str) -> list[str]:
    return [c for c in _CLAUSE_RE.findall(text) if c]


def _diff(ta: str, tb: str, put, level: int) -> None:
    """Diff by units of this level (0 sentences, 1 clauses, 2 characters); a replaced run goes one level down
    while it is short enough to be worth it (CHAR_DIFF_MAX at the character level), else is deleted + inserted."""
    if level == 2:
        units_a, units_b = list(ta), list(tb)
    else:
        units_a, units_b = (sentences(ta), sentences(tb)) if level == 0 else (_clauses(ta), _clauses(tb))
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, units_a, units_b, autojunk=False).get_opcodes():
        xa, xb = "".join(units_a[i1:i2]), "".join(units_b[j1:j2])
        if tag == "equal":
            put("a", "same", xa)
            put("b", "same", xb)
        elif tag == "replace" and level < 2 and (level == 0 or len(xa) + len(xb) <= CHAR_DIFF_MAX):
            _diff(xa, xb, put, level + 1)
        else:
            put("a", "del", xa)
            put("b", "ins", xb)


def diff_texts(a: str, b: str) -> tuple[list[list], list[list]]:
    """Segments [op, text] of each side: op "same", "del" (only in a) or "ins" (only in b)."""
    sides: dict[str, list[list]] = {"a": [], "b": []}

    def put(side: str, op: str, text: str) -> None:
        seg = sides[side]
        if not text:
            return
        if seg and seg[-1][0] == op:
            seg[-1][1] += text
        else:
            seg.append([op, text])

    _diff(a or "", b or "", put, 0)
    return sides["a"], sides["b"]


def compare_sections(secs_a: list[dict], secs_b: list[dict]) -> list[dict]:
    by_b: dict[str, dict] = {}
    for s in secs_b:
        by_b.setdefault(s["number"], s)
    numbers = [s["number"] for s in secs_a] + [s["number"] for s in secs_b]
    out = []
    by_a: dict[str, dict] = {}
    for s in secs_a:
        by_a.setdefault(s["number"], s)
    for number in dict.fromkeys(numbers):
        sa, sb = by_a.get(number), by_b.get(number)
        ta, tb = (sa or {}).get("text") or "", (sb or {}).get("text") or ""
        left, right = diff_texts(ta, tb)
        m = similar.section_similarity(ta, tb) if ta and tb else None
        out.append({"number": number, "title_a": (sa or {}).get("title"), "title_b": (sb or {}).get("title"),
                    "similarity": m.similarity if m else None, "shared_chars": m.shared_chars if m else None,
                    "a": left, "b": right,
                    "changed": any(op != "same" for op, _ in left + right)})
    return out


# --------------------------------------------------------------------------------------------
# The comparison
# --------------------------------------------------------------------------------------------

META_FIELDS = ("id", "title", "agency", "agency_id", "year", "template", "province", "city", "county",
               "published_on", "path", "parse_status")


def _checks(conn: sqlite3.Connection, report_id: str) -> dict:
    if not _table_exists(conn, "check_results"):
        return {"counts": {}, "results": []}
    counts = dict(conn.execute("select status, count(*) from check_results where report_id = ? group by status",
                               (report_id,)).fetchall())
    results = _rows(conn, "select rule_id, instance, severity, status, expected, actual, message, related_report_id "
                          "from check_results where report_id = ? and status in ('fail', 'unknown') "
                          "order by rule_id, instance", (report_id,))
    return {"counts": counts, "results": results}


def comparison(conn: sqlite3.Connection, a: str, b: str) -> dict | None:
    """Everything the comparison page shows, or None if either report does not exist."""
    reports = {}
    for rid in (a, b):
        rows = _rows(conn, f"select {', '.join(META_FIELDS)} from reports where id = ?", (rid,))
        if not rows:
            return None
        reports[rid] = rows[0]
    cells = {rid: _rows(conn, "select table_name, row_key, col_key, value, printed, kind from cells "
                              "where report_id = ?", (rid,)) for rid in (a, b)}
    secs = {rid: _rows(conn, "select number, title, text from sections where report_id = ? order by line_start",
                       (rid,)) for rid in (a, b)}
    stored = []
    if _table_exists(conn, "similar_sections"):
        stored = _rows(conn, "select section, other_section, similarity, shared_chars from similar_sections "
                             "where report_id = ? and other_report_id = ? order by section", (a, b))
    return {
        "a": reports[a], "b": reports[b],
        "tables": compare_tables(cells[a], cells[b]),
        "sections": compare_sections(secs[a], secs[b]),
        "similar_sections": stored,
        "checks": {"a": _checks(conn, a), "b": _checks(conn, b)},
    }


def report_links(conn: sqlite3.Connection, report_id: str) -> dict:
    """For the report page: the agency's previous year's report, and per section the most similar other report."""
    row = conn.execute("select agency_id, year from reports where id = ?", (report_id,)).fetchone()
    previous = None
    if row and row[0] and row[1] is not None:
        found = conn.execute("select id, title from reports where agency_id = ? and year = ? order by id limit 1",
                             (row[0], row[1] - 1)).fetchone()
        if found:
            previous = {"id": found[0], "title": found[1], "year": row[1] - 1}
    return {"previous": previous, "similar": similar.best_matches(conn, report_id)}
