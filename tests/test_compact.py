"""The compact storage gives back exactly the rows it was given (issue 13, "Size").

`cells` and `sections` are views over `cell_values` / `section_spans`, which store less (integer keys,
printed text only where the value does not say it, section text as a range of the source text). These tests
load rows through the real loader and read them back through the views: the records of the sample corpus
(as the parser makes them) and rows built to hit every case the encoding distinguishes.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import sqlite_utils

from ingest.database import load
from ingest.database.build import parse_one
from ingest.database.schema import TABLES

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "reports"
CELL_COLS = list(TABLES["cells"]["columns"])
SECTION_COLS = list(TABLES["sections"]["columns"])


def _new_db(path: Path) -> sqlite_utils.Database:
    db = sqlite_utils.Database(path)
    load.create_tables(db)
    return db


def _load(db, rows_list) -> None:
    loader = load.Loader(db)
    for rows in rows_list:
        loader.add(rows)
    loader.flush()


def _cells(db, rid) -> list[tuple]:
    cols = ", ".join(f"[{c}]" for c in CELL_COLS)
    return sorted((tuple(r) for r in db.execute(f"SELECT {cols} FROM cells WHERE report_id = ?", [rid])), key=repr)


def test_sample_corpus_reads_back_as_parsed(tmp_path):
    """Every cell and section of every sample report, as report_rows made it, is what the views return."""
    db = _new_db(tmp_path / "g.db")
    expected = {}
    batch = []
    for path in sorted(SAMPLE.glob("*.txt")):
        record, text = parse_one(path.read_bytes(), path.name)
        rows = load.as_tuples(load.report_rows(path.name, "x", 1, record, text))
        expected[load.report_id(path.name)] = rows
        batch.append(rows)
    assert len(batch) >= 10
    _load(db, batch)
    n_cells = 0
    for rid, rows in expected.items():
        assert _cells(db, rid) == sorted(rows["cells"], key=repr), rid
        n_cells += len(rows["cells"])
        got = [tuple(r)[1:] for r in db.execute(
            f"SELECT {', '.join(SECTION_COLS)} FROM sections WHERE report_id = ? ORDER BY id", [rid])]
        assert got == [s[1:] for s in rows["sections"]], rid          # (the id is given at load)
    assert n_cells > 900
    # the texts are stored once: every section found in its source text
    assert db.execute("SELECT count(*) FROM section_spans WHERE text IS NOT NULL").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM section_spans").fetchone()[0] > 50
    # the site takes the views' counts from their stored tables' (inspect data): found by name, not listed
    import sys

    sys.path.insert(0, str(ROOT / "plugins"))
    from view_counts import with_view_counts
    from ingest.site.serve import inspect_data

    db.conn.commit()
    data = inspect_data(tmp_path / "g.db")
    with_view_counts(data)
    counts = data["g"]["tables"]
    assert counts["cells"]["count"] == n_cells == db.execute("SELECT count(*) FROM cells").fetchone()[0]
    assert counts["sections"]["count"] == db.execute("SELECT count(*) FROM sections").fetchone()[0]
    assert "cells" not in dict(counts.items()) and "cell_values" in dict(counts.items())


def _report(rid: str, cells: list[dict], sections: list[dict], text: str | None) -> dict[str, list[tuple]]:
    rows = load.report_rows(rid + ".txt", "x", 1, {"report": {"title": "测试"}, "cells": [], "sections": []}, text)
    real_id = rows["reports"][0]["id"]
    rows["cells"] = [{"report_id": real_id, **c} for c in cells]
    rows["sections"] = [{"report_id": real_id, **s} for s in sections]
    rows[load.FTS_TABLE] = [load.fts_row(real_id, "测试", None, s.get("title"), s.get("text")) for s in sections]
    return load.as_tuples(rows)


CASES = [
    # printed = the value's digits (not stored), printed otherwise, blank, placeholder, no printed text with a
    # value, a float value, a huge value, a negative one, a kind outside the code table, a key outside the forms
    dict(table_name="applications", row_key="new_received", col_key="total", value=25.0, printed="25", kind="number",
         line=3, span_start=10, span_end=12),
    dict(table_name="applications", row_key="new_received", col_key="natural_person", value=1200.0, printed="1,200",
         kind="number", line=3, span_start=0, span_end=5),
    dict(table_name="applications", row_key="granted", col_key="total", value=None, printed="", kind="blank",
         line=None, span_start=None, span_end=None),
    dict(table_name="applications", row_key="granted", col_key="research", value=None, printed="—", kind="placeholder",
         line=4, span_start=2, span_end=3),
    dict(table_name="applications", row_key="granted", col_key="commercial", value=7.0, printed=None, kind="recovered",
         line=4, span_start=5, span_end=None),
    dict(table_name="active_disclosure", row_key="fees", col_key="amount_yuan", value=12345.6, printed="1.23456",
         unit="万元", kind="number", line=9, span_start=4, span_end=11),
    dict(table_name="active_disclosure", row_key="regulations", col_key="new_made", value=float(2 ** 60),
         printed=str(2 ** 60), kind="number", line=9, span_start=0, span_end=19),
    dict(table_name="reviews_litigation", row_key="review", col_key="total", value=-3.0, printed="-3",
         kind="number", line=12, span_start=7, span_end=8),     # span_end not start + len: kept
    dict(table_name="reviews_litigation", row_key="review", col_key="upheld", value=None, printed="x",
         kind="strange_kind", line=12, span_start=None, span_end=4, page=2, bbox="[1.5, 2, 3, 4]"),
    dict(table_name="applications", row_key="row_nobody_defined", col_key="total", value=0.0, printed="0",
         kind="number", line=1, span_start=0, span_end=1),
]


def test_every_encoded_case_reads_back(tmp_path):
    db = _new_db(tmp_path / "g.db")
    cells = [{c: case.get(c) for c in CELL_COLS if c != "report_id"} for case in CASES]
    text = "第一行\n一、总体情况\n本年度共收到申请25件。\n二、其他\n无。"
    sections = [
        {"number": "一", "title": "总体情况", "text": "本年度共收到申请25件。", "line_start": 2, "line_end": 3},
        {"number": "二", "title": "其他", "text": "无。", "line_start": 4, "line_end": 5},
        {"number": "三", "title": "不在原文中", "text": "这段文字原文里没有。", "line_start": 5, "line_end": 5},
        {"number": "四", "title": "空", "text": None, "line_start": None, "line_end": None},
    ]
    rows = _report("a", cells, sections, text)
    no_source = _report("b", cells[:2], sections[:1], None)
    _load(db, [rows, no_source])
    rid = rows["reports"][0][0]
    assert _cells(db, rid) == sorted(rows["cells"], key=repr)
    got = [tuple(r)[2:] for r in db.execute("SELECT * FROM sections WHERE report_id = ? ORDER BY id", [rid])]
    assert got == [s[2:] for s in rows["sections"]]
    stored = db.execute("SELECT text FROM section_spans ORDER BY id").fetchall()
    assert [s[0] for s in stored] == [None, None, "这段文字原文里没有。", None, "本年度共收到申请25件。"]
    # the digits of an integer value are not stored again; a key outside the forms got a code of its own
    assert db.execute("SELECT count(*) FROM cell_values WHERE printed IS NULL").fetchone()[0] == 4
    assert db.execute("SELECT code FROM cell_keys WHERE row_key = 'row_nobody_defined'").fetchone()[0] > 200
    # the report's own rows are what delete_reports removes, index entries included
    with db.conn:
        load.delete_reports(db, [rid])
    assert db.execute("SELECT count(*) FROM cells WHERE report_id = ?", [rid]).fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM cell_values").fetchone()[0] == 2
    assert db.execute("SELECT count(*) FROM sections").fetchone()[0] == 1
    db.execute("CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, sections_fts, instance)")
    assert {d for (d,) in db.execute("SELECT DISTINCT doc FROM temp.v")} == \
        {i for (i,) in db.execute("SELECT id FROM section_spans")}


@pytest.mark.parametrize("printed, value, stored", [
    ("25", 25.0, None), ("25", 25, None), ("025", 25.0, "025"), ("25.0", 25.0, "25.0"), (None, 3.0, b""),
    (None, None, None), ("", None, ""), ("1.5", 1.5, "1.5"), (str(2 ** 60), float(2 ** 60), str(2 ** 60)),
])
def test_stored_printed(printed, value, stored):
    assert load.stored_printed(printed, value) == stored


def test_background_writer_stores_what_the_synchronous_loader_stores(tmp_path):
    """Loader(background=True) writes each batch on a second thread (the build's parse workers keep being read
    meanwhile): the same rows as writing in the caller's thread, and a batch SQLite refuses (a value beyond 64
    bits) still ends with every report stored, the bad one with its value made storable."""
    import sqlite3

    rows_list = []
    for path in sorted(SAMPLE.glob("*.txt")):
        record, text = parse_one(path.read_bytes(), path.name)
        rows_list.append(load.as_tuples(load.report_rows(path.name, "x", 1, record, text)))
    k = next(i for i, rows in enumerate(rows_list) if i >= 3 and rows["applications"])
    at = list(TABLES["applications"]["columns"]).index("total")
    rows_list[k] = {**rows_list[k],
                    "applications": [r[:at] + (1 << 70,) + r[at + 1:] for r in rows_list[k]["applications"]]}

    def dump(db) -> dict:
        return {name: sorted((tuple(r) for r in db.execute(f"SELECT * FROM [{name}]")), key=repr)
                for name in ("reports", "applications", "cells", "sections", "warnings")}

    plain = _new_db(tmp_path / "plain.db")
    _load(plain, rows_list)
    threaded = sqlite_utils.Database(sqlite3.connect(tmp_path / "threaded.db", check_same_thread=False))
    load.create_tables(threaded)
    loader = load.Loader(threaded, batch_reports=3, background=True)
    for rows in rows_list:
        loader.add(rows)
    loader.flush()
    assert loader.writer is None and loader.in_flight is None
    assert loader.statuses == {"ok": loader.statuses["ok"], "partial": loader.statuses["partial"], "failed": 0}
    assert sum(loader.statuses.values()) == len(rows_list)
    assert dump(threaded) == dump(plain)
    assert threaded.execute("SELECT count(*) FROM warnings WHERE code = 'value_not_storable'").fetchone()[0] == 1
