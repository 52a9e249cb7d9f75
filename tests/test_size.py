"""Bytes of database per report on a generated corpus (issue 13, "Size").

Measured with SQLite's dbstat (pages of each table and index), on 200 generated reports: small enough for
`make test`, large enough that the fixed part (lookup tables, schema) is a few percent. The full benchmark
(`python bench/build.py 1000`) prints the same figure for 1,000 reports and more.

Two budgets: everything but the check results (`check_rows`, `check_texts` and their code tables, behind the
`check_results` view) ≤ OURS_TARGET; the whole database ≤ TOTAL_TARGET.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ingest.database.build import build
from ingest.generate import generate_corpus

N_REPORTS = 200
OURS_TARGET = 20_000      # bytes a report: every table and index but the check results'
TOTAL_TARGET = 24_000     # bytes a report: the whole file
SLACK = 1.10              # the test fails 10% over the target
CHECK_TABLES = ("check_rows", "check_texts", "check_rules", "check_statuses")


def _bytes_by_object(db_path: Path) -> dict[str, int]:
    conn = sqlite3.connect(db_path)
    try:
        by_name = dict(conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"))
        owner = dict(conn.execute("SELECT name, tbl_name FROM sqlite_master"))
    finally:
        conn.close()
    return {**by_name, "__owner__": owner}


@pytest.fixture(scope="module")
def generated_db(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("size")
    corpus = base / "corpus"
    corpus.mkdir()
    for i, g in enumerate(generate_corpus(N_REPORTS, 20240101)):
        (corpus / f"{i:06d}_{g.filename}").write_bytes(g.data)
    db = base / "gongkai.db"
    summary = build([corpus], db, progress=False)
    assert summary["reports"] == N_REPORTS
    return db


def _split(db_path: Path) -> tuple[int, int]:
    """(bytes of the check results' tables and their indexes, bytes of everything else)."""
    sizes = _bytes_by_object(db_path)
    owner = sizes.pop("__owner__")
    checks = sum(size for name, size in sizes.items() if owner.get(name) in CHECK_TABLES)
    return checks, sum(sizes.values()) - checks


def test_bytes_per_report_without_check_results(generated_db):
    checks, ours = _split(generated_db)
    assert checks > 0                                   # the check tables are there and were measured
    per_report = ours / N_REPORTS
    assert per_report <= OURS_TARGET * SLACK, f"{per_report:.0f} bytes a report (target {OURS_TARGET})"


def test_bytes_per_report_total(generated_db):
    per_report = generated_db.stat().st_size / N_REPORTS
    assert per_report <= TOTAL_TARGET * SLACK, f"{per_report:.0f} bytes a report (target {TOTAL_TARGET})"


def test_compact_views_read_like_tables(generated_db):
    """The views over the compact tables give every stored row back, readable: one cells row per cell_values
    row with its report's text id, the section text equal to its stored range of the source text."""
    conn = sqlite3.connect(generated_db)
    try:
        assert conn.execute("SELECT count(*) FROM cells").fetchone() == conn.execute(
            "SELECT count(*) FROM cell_values").fetchone()
        assert conn.execute("SELECT count(*) FROM cells WHERE report_id IS NULL OR table_name IS NULL "
                            "OR kind IS NULL").fetchone()[0] == 0
        # a number printed as its digits is not stored twice, and reads back as printed
        assert conn.execute("SELECT count(*) FROM cell_values WHERE printed IS NULL").fetchone()[0] > 0
        assert conn.execute("SELECT count(*) FROM cells WHERE kind = 'number' AND printed IS NULL").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM section_spans WHERE text IS NOT NULL").fetchone()[0] == 0
        rid, text, start, end = conn.execute(
            "SELECT s.report_id, s.text, s.line_start, s.line_end FROM sections s WHERE s.number = '一' LIMIT 1").fetchone()
        source = conn.execute("SELECT text FROM source_texts WHERE report_id = ?", [rid]).fetchone()[0]
        assert text and text in "\n".join(source.split("\n")[start - 1:end])
    finally:
        conn.close()
