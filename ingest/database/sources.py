"""Where a report came from: `reports.source_url`, `retrieved_at`, `attached_to`, `merged_from`.

Two sources of the same facts, because reports reach gongkai two ways:
- a file saved by `gongkai collect` has a sidecar record `FILE.source.json` next to it
  (`ingest/collect/sidecar.py`): the URL, when it was retrieved, and for an attachment the report
  page it was attached to;
- a file from an archive starts with the archive's header block (the Pingtan files of
  `data/reports/`: 标题/发布时间/…/原文链接 lines, then `==== 正文 ====`): its 原文链接 is the
  source URL. (Its 发布时间 is the publication date, which the parser already reads into
  `published_on`; the archive does not say when it retrieved the page, so `retrieved_at` stays null.)

`header_columns()` runs in the parsing workers (it needs only the text); `link_sources()` runs
once after the load, because the sidecar sits next to the file and a report page and its
attachment are two files that become one report: the pair is only visible with both loaded.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Iterable

from ..collect import sidecar

COLUMNS = ("source_url", "retrieved_at", "attached_to", "merged_from")
HEADER_LINES = 30  # an archive header is a handful of lines at the very top

# "原文链接: https://…" — one key, a colon, one URL; anchored, no nested quantifiers
_URL_LINE = re.compile(r"\s*(?:原文链接|原文地址|原文网址|来源链接|来源网址)\s*[:：]\s*(https?://[^\s<>\"']+)")
_BODY_MARK = re.compile(r"\s*={3,}\s*正文\s*={3,}\s*$")
_TABLE_KINDS = ("number", "recovered")


def header_columns(text: str | None) -> dict:
    """The source columns an archive header at the top of the text gives (all None without one)."""
    out = dict.fromkeys(COLUMNS)
    if not text:
        return out
    for line in text.split("\n", HEADER_LINES)[:HEADER_LINES]:
        if _BODY_MARK.match(line):
            break
        m = _URL_LINE.match(line)
        if m:
            out["source_url"] = m.group(1)
            break
    return out


def sidecar_columns(record: dict) -> dict:
    """The columns a sidecar record fills (the URL as it was linked, not the redirect target)."""
    return {
        "source_url": record.get("source_url") or record.get("final_url"),
        "retrieved_at": record.get("retrieved_at"),
        "attached_to": record.get("attached_to"),
    }


def link_sources(db, files: Iterable[tuple[str, Path]], only: set[str] | None = None) -> dict:
    """After the load: fill the source columns from the sidecars, then merge page + attachment pairs.

    `files` are the build's (relative path, absolute path) pairs. A report whose sidecar is gone gets
    its archive-header values back (a sidecar is the only thing that sets `retrieved_at`). An
    unreadable sidecar is a warning (`sidecar_unreadable`) on its report; the build goes on.
    `only` (relative paths): an incremental build's files whose report was loaded again or whose sidecar
    came, changed or went; every other report keeps what the last build gave it, so a one-file change does
    not open every sidecar of the corpus. Returns counts for the build summary.
    """
    from .load import report_id

    conn = db.conn
    if only is not None:
        files = [(rel, path) for rel, path in files if rel in only]
    ids = None if only is None else {report_id(rel) for rel in only}
    _drop_warnings(conn, "sidecar_unreadable", ids)
    updates, bad = [], []
    with_sidecar = set()
    for rel, path in files:
        rid = report_id(rel)
        try:
            record = sidecar.read(path)
        except ValueError as exc:
            bad.append((rid, f"来源记录无法读取：{exc}"))
            continue
        if record is None:
            continue
        with_sidecar.add(rid)
        cols = sidecar_columns(record)
        updates.append((cols["source_url"], cols["retrieved_at"], cols["attached_to"], rid))
    with conn:
        conn.executemany("UPDATE reports SET source_url = ?, retrieved_at = ?, attached_to = ? WHERE id = ?",
                         updates)
        for rid, message in bad:
            conn.execute("INSERT INTO warnings (report_id, code, message, line) VALUES (?, 'sidecar_unreadable', ?, NULL)",
                         (rid, message))
            conn.execute("UPDATE reports SET n_warnings = coalesce(n_warnings, 0) + 1 WHERE id = ?", (rid,))
        orphans = [rid for (rid,) in conn.execute("SELECT id FROM reports WHERE retrieved_at IS NOT NULL")
                   if rid not in with_sidecar and (ids is None or rid in ids)]
        for rid in orphans:
            row = conn.execute("SELECT text FROM source_texts WHERE report_id = ?", (rid,)).fetchone()
            cols = header_columns(row[0] if row else None)
            conn.execute("UPDATE reports SET source_url = ?, retrieved_at = NULL, attached_to = NULL WHERE id = ?",
                         (cols["source_url"], rid))
    merged = merge_attachments(db)
    return {"sidecars": len(updates), "sidecar_unreadable": len(bad), "merged": merged}


def _drop_warnings(conn, code: str, ids: set[str] | None = None) -> None:
    """Remove this step's warnings of an earlier build (they are made again), keeping n_warnings right; only
    those of the reports `ids` when given."""
    with conn:
        if ids is None:
            conn.execute("UPDATE reports SET n_warnings = n_warnings - (SELECT count(*) FROM warnings w "
                         "WHERE w.report_id = reports.id AND w.code = ?) WHERE id IN "
                         "(SELECT report_id FROM warnings WHERE code = ?)", (code, code))
            conn.execute("DELETE FROM warnings WHERE code = ?", (code,))
            return
        for rid in ids:
            n = conn.execute("DELETE FROM warnings WHERE report_id = ? AND code = ?", (rid, code)).rowcount
            if n:
                conn.execute("UPDATE reports SET n_warnings = n_warnings - ? WHERE id = ?", (n, rid))


def merge_attachments(db) -> int:
    """A report page and the attachments that are the same report become one report; returns how many
    reports were merged away.

    An attachment is the same report as its page when its `attached_to` is the page's `source_url`
    and their years do not disagree. The report kept is the page when the page has tables, else
    the attachment with the most table cells (a page that only says "见附件" keeps the PDF's
    tables); it takes the year and publication date from the others where it has none (the page's
    date when the attachment prints none), and `merged_from` lists the files merged into it, so both
    sources stay linked. The others' rows are deleted; their files are parsed again by the next
    build (they are not in `reports`) and merged again the same way.
    """
    from .load import delete_reports

    conn = db.conn
    pairs = conn.execute(
        "SELECT p.id, a.id FROM reports a JOIN reports p ON p.source_url = a.attached_to AND p.id != a.id "
        "WHERE a.attached_to IS NOT NULL AND (a.year IS NULL OR p.year IS NULL OR a.year = p.year) "
        "ORDER BY p.id, a.path").fetchall()
    groups: dict[str, list[str]] = {}
    for page, attachment in pairs:
        groups.setdefault(page, []).append(attachment)
    dropped: list[str] = []
    with conn:
        for page, attachments in groups.items():
            attachments = [a for a in attachments if a not in dropped]
            if not attachments:
                continue
            info = {rid: _report(conn, rid) for rid in [page, *attachments]}
            base = page
            if not info[page]["table_cells"]:
                best = max(attachments, key=lambda rid: info[rid]["table_cells"])
                if info[best]["table_cells"]:
                    base = best
            others = [rid for rid in ([page] + attachments if base != page else attachments)
                      if rid != base]
            # the page's date first when an attachment is kept ("the page's date when the attachment prints none")
            patch = {}
            for key in ("year", "published_on"):
                if info[base][key] is None:
                    patch[key] = next((info[o][key] for o in others if info[o][key] is not None), None)
            merged_from = [{"path": info[o]["path"], "source_url": info[o]["source_url"],
                            "retrieved_at": info[o]["retrieved_at"]} for o in others]
            conn.execute("UPDATE reports SET year = coalesce(year, ?), published_on = coalesce(published_on, ?), "
                         "merged_from = ? WHERE id = ?",
                         (patch.get("year"), patch.get("published_on"),
                          json.dumps(merged_from, ensure_ascii=False), base))
            dropped.extend(others)
        delete_reports(db, dropped)
    return len(dropped)


def _report(conn, rid: str) -> dict:
    row = conn.execute("SELECT path, year, published_on, source_url, retrieved_at FROM reports WHERE id = ?",
                       (rid,)).fetchone()
    cells = conn.execute(f"SELECT count(*) FROM cells WHERE report_id = ? AND kind IN "
                         f"({','.join('?' * len(_TABLE_KINDS))})", (rid, *_TABLE_KINDS)).fetchone()[0]
    return {"path": row[0], "year": row[1], "published_on": row[2], "source_url": row[3],
            "retrieved_at": row[4], "table_cells": cells}
