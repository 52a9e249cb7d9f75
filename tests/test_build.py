"""The database build on the real sample corpus: tables, exact seed values, provenance, search."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from ingest import forms
from ingest.database.build import build, find_reports
from ingest.database.load import report_id
from ingest.database.schema import TABLES, VIEW_TABLES, VIEWS
from ingest.database.search import fts_query, segment

CORPUS = Path(__file__).resolve().parent.parent / "data" / "reports"
SEED_000 = "000_82a0420bca058b17.txt"
SEED_001 = "001_9a9840e34a30576e.txt"
SEED_003 = "003_4c968f10fc5de52b.txt"
SEED_004 = "004_2baf5ee0490418e5.txt"


@pytest.fixture(scope="module")
def db_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("build") / "gongkai.db"
    summary = build([CORPUS], path, workers=2, progress=False)
    assert summary["parsed"] == summary["files"] == len(find_reports([CORPUS]))
    return path


@pytest.fixture(scope="module")
def db(db_path) -> sqlite_utils.Database:
    return sqlite_utils.Database(db_path)


def _app_row(db, name: str, row_key: str) -> tuple:
    cols = ", ".join(forms.APPLICANT_COLUMN_KEYS)
    return db.execute(f"SELECT {cols} FROM applications WHERE report_id = ? AND row_key = ?",
                      [report_id(name), row_key]).fetchone()


def _review_row(db, name: str, kind: str) -> tuple:
    cols = ", ".join(forms.REVIEW_OUTCOME_KEYS)
    return db.execute(f"SELECT {cols} FROM reviews_litigation WHERE report_id = ? AND kind = ?",
                      [report_id(name), kind]).fetchone()


def test_every_report_file_is_a_report(db):
    expected = sorted(p.name for p in CORPUS.iterdir()
                      if p.suffix in (".txt", ".html", ".htm", ".md") and p.name not in ("SOURCES.md", "README.md"))
    assert len(expected) == 16
    assert [r[0] for r in db.execute("SELECT path FROM reports ORDER BY path")] == expected
    for path, rid, sha in db.execute("SELECT path, id, sha256 FROM reports"):
        assert rid == report_id(path)
        import hashlib
        assert sha == hashlib.sha256((CORPUS / path).read_bytes()).hexdigest()
    assert db["source_texts"].count == 16
    assert db.execute("SELECT count(*) FROM reports WHERE parse_status = 'failed'").fetchone()[0] == 0


def test_tables_views_keys_and_indexes(db):
    names = set(db.table_names())
    stored = {n: s for n, s in TABLES.items() if not s.get("view_of")}
    assert set(stored) <= names
    assert "sections_fts" in names
    assert set(VIEWS) | set(VIEW_TABLES) <= set(db.view_names())
    for name, spec in TABLES.items():
        columns = [r[1] for r in db.execute(f"PRAGMA table_xinfo([{name}])")]
        assert columns == list(spec["columns"]), name
        if "report_id" in spec["columns"] and name in stored:
            assert [(fk.column, fk.other_table, fk.other_column) for fk in db[name].foreign_keys] == \
                [("report_id", "reports", "id")], name
    indexes = [(t, tuple(i.columns)) for t in stored for i in db[t].indexes]
    leading = [(t, cols[0]) for t, cols in indexes]
    # every filter the site offers, and every per-report read, starts an index (its leading column) or the
    # primary key of a WITHOUT ROWID table (cell_values: report_key, cell_key)
    for col in ("year", "template", "province", "adcode", "agency_id"):
        assert ("reports", col) in leading
    for name in ("facts", "warnings"):
        assert (name, "report_id") in leading
    # tables 3 and 4 and the cells are WITHOUT ROWID, keyed by report first: the table is its own index
    for name, key in (("applications", ("report_id", "row_key")), ("reviews_litigation", ("report_id", "kind")),
                      ("active_disclosure", ("report_id", "item_key", "metric")),
                      ("cell_values", ("report_key", "cell_key"))):
        assert tuple(TABLES[name]["pk"]) == key
        assert "WITHOUT ROWID" in db.execute("SELECT sql FROM sqlite_master WHERE name = ?", [name]).fetchone()[0]
    assert ("section_spans", "report_key") in leading
    # one index per leading column and table: a narrower copy of a wider index is only extra writes
    assert len(leading) == len(set(leading))
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_lookup_tables_come_from_forms(db):
    rows = db.execute('SELECT key, "order", label_zh, "group", number FROM form_rows ORDER BY "order"').fetchall()
    assert rows == [(r.key, i, r.label, r.group, r.number) for i, r in enumerate(forms.APPLICATION_ROWS, 1)]
    cols = [r[0] for r in db.execute(
        "SELECT key FROM form_columns WHERE table_name = 'applications' ORDER BY \"order\"")]
    assert cols == list(forms.APPLICANT_COLUMN_KEYS)
    n_metrics = sum(len(i.metrics) for items in forms.ACTIVE_ITEMS.values() for i in items)
    assert db.execute("SELECT count(*) FROM form_metrics WHERE table_name = 'active_disclosure'").fetchone()[0] \
        == n_metrics
    assert db.execute("SELECT label_zh FROM form_metrics WHERE template = '2021' AND item_key = 'fees'").fetchone()[0] \
        == "本年收费金额"


def test_seed_000_values(db):
    rep = db["reports"].get(report_id(SEED_000))
    assert (rep["year"], rep["template"]) == (2020, "2019")
    assert _app_row(db, SEED_000, "new_received") == (24, 1, 0, 0, 0, 0, 25)
    assert _app_row(db, SEED_000, "partly_granted") == (1, 1, 0, 0, 0, 0, 2)
    assert _app_row(db, SEED_000, "total_processed") == (23, 1, 0, 0, 0, 0, 24)
    assert _review_row(db, SEED_000, "review") == (1, 1, 0, 0, 2)
    assert _review_row(db, SEED_000, "litigation_direct") == (1, 0, 0, 0, 1)
    assert _review_row(db, SEED_000, "litigation_after_review") == (1, 0, 0, 0, 1)
    # the 2019 layout: block （六） is one row
    keys = [r[0] for r in db.execute("SELECT row_key FROM applications WHERE report_id = ? ORDER BY row_order",
                                     [report_id(SEED_000)])]
    assert keys == [r.key for r in forms.application_rows(six_split=False)]
    label = db.execute("SELECT label, row_order FROM applications WHERE report_id = ? AND row_key = 'new_received'",
                       [report_id(SEED_000)]).fetchone()
    assert label == ("本年新收政府信息公开申请数量", 1)
    assert [r[0] for r in db.execute("SELECT kind FROM reviews_litigation WHERE report_id = ? ORDER BY kind_order",
                                     [report_id(SEED_000)])] == list(forms.REVIEW_KIND_KEYS)


def test_seed_004_values(db):
    rep = db["reports"].get(report_id(SEED_004))
    assert (rep["province"], rep["adcode"], rep["year"], rep["template"]) == ("河南省", "410425", 2021, "2021")
    assert rep["agency_id"].startswith("410425:")
    assert _app_row(db, SEED_004, "new_received") == (14, 0, 0, 0, 0, 0, 14)
    assert _app_row(db, SEED_004, "carried_forward") == (0, 0, 0, 0, 0, 0, 0)
    for kind in forms.REVIEW_KIND_KEYS:
        assert _review_row(db, SEED_004, kind) == (0, 0, 0, 0, 0)
    keys = [r[0] for r in db.execute("SELECT row_key FROM applications WHERE report_id = ? ORDER BY row_order",
                                     [report_id(SEED_004)])]
    assert keys == [r.key for r in forms.application_rows(six_split=True)]


def test_reports_without_tables_have_no_table_rows(db):
    for name in (SEED_001, SEED_003):
        assert db.execute("SELECT count(*) FROM applications WHERE report_id = ?", [report_id(name)]).fetchone()[0] == 0
    assert db["reports"].get(report_id(SEED_003))["template"] == "legacy"
    assert db["reports"].get(report_id(SEED_003))["year"] == 2017


def test_cells_point_at_their_printed_text(db):
    """Provenance: every printed number's line/span in source_texts is exactly its printed text."""
    texts = {rid: text.split("\n") for rid, text in db.execute("SELECT report_id, text FROM source_texts")}
    rows = db.execute("SELECT report_id, line, span_start, span_end, printed FROM cells "
                      "WHERE kind = 'number' AND line IS NOT NULL").fetchall()
    assert len(rows) > 100
    for rid, line, start, end, printed in rows:
        assert texts[rid][line - 1][start:end] == printed
    # nothing invented: a cell that is not a printed number has no value unless recovered
    assert db.execute("SELECT count(*) FROM cells WHERE kind IN ('blank', 'placeholder', 'unreadable', 'missing') "
                      "AND value IS NOT NULL").fetchone()[0] == 0
    # seed 000's table-3 row 一 lies on the lines the cells name
    cell = db.execute("SELECT printed, value FROM cells WHERE report_id = ? AND table_name = 'applications' "
                      "AND row_key = 'new_received' AND col_key = 'total'", [report_id(SEED_000)]).fetchone()
    assert cell == ("25", 25)


def test_table_rows_agree_with_cells(db):
    """The flattened tables and the provenance table say the same thing."""
    for col in forms.APPLICANT_COLUMN_KEYS:
        bad = db.execute(f"""SELECT count(*) FROM applications a JOIN cells c ON c.report_id = a.report_id
            AND c.table_name = 'applications' AND c.row_key = a.row_key AND c.col_key = '{col}'
            WHERE a.{col} IS NOT c.value""").fetchone()[0]
        assert bad == 0, col


def _contains(db, word: str) -> set[str]:
    """Reports whose indexed text (section text and title, report title and agency) contains the word."""
    out = set()
    for rid, title, agency in db.execute("SELECT id, title, agency FROM reports"):
        if word in (title or "") + (agency or ""):
            out.add(rid)
    for rid, title, text in db.execute("SELECT report_id, title, text FROM sections"):
        if word in (title or "") + (text or ""):
            out.add(rid)
    return out


def _search(db, q: str) -> set[str]:
    return {r[0] for r in db.execute(
        "SELECT DISTINCT s.report_id FROM sections_fts JOIN sections s ON s.id = sections_fts.rowid "
        "WHERE sections_fts MATCH ?", [fts_query(q)])}


@pytest.mark.parametrize("word", ["复议", "不予公开", "信息处理费", "政府集中采购"])
def test_search_finds_the_reports_containing_the_word(db, word):
    expected = _contains(db, word)
    assert _search(db, word) == expected
    if word == "复议":
        # the seeds whose files print table 4 (or speak of 复议) are among them
        raw = {report_id(p.name) for p in CORPUS.glob("*.txt") if "复议" in p.read_text("utf-8")}
        assert raw - {report_id(SEED_001)} <= expected  # 001 prints Traditional 復議, simplified by the parser
        assert {report_id(SEED_000), report_id(SEED_004)} <= expected


def test_search_query_is_segmented_and_safe(db):
    assert "复议" in segment("因政府信息公开申请行政复议").split()
    assert fts_query("行政复议 案件") == '"行政复议" "案件"'
    assert fts_query('复议" OR') == '"复议" "OR"'
    assert fts_query("  ") == '""'
    assert _search(db, "") == set()
    assert _search(db, "量子纠缠超导体") == set()
    assert _search(db, '"') == set()


def test_views_run(db):
    for name in VIEWS:
        db.execute(f"SELECT * FROM [{name}] LIMIT 5").fetchall()
    row = db.execute("SELECT new_received, reviews, lawsuits FROM report_totals WHERE report_id = ?",
                     [report_id(SEED_000)]).fetchone()
    assert row == (25, 2, 2)


def test_build_info(db):
    info = dict(db.execute("SELECT key, value FROM build_info"))
    assert info["reports"] == "16" and info["parsed"] == "16"
    assert int(info["corpus_bytes"]) == sum(p.stat().st_size for _, p in find_reports([CORPUS]))


def test_find_reports_skips_hidden_and_docs(tmp_path):
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "b.HTML").write_text("x")
    (tmp_path / "c.markdown").write_text("x")
    (tmp_path / "README.md").write_text("x")
    (tmp_path / "SOURCES.md").write_text("x")
    (tmp_path / ".hidden.txt").write_text("x")
    (tmp_path / "notes.xlsx").write_text("x")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "d.txt").write_text("x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "e.md").write_text("x")
    assert [rel for rel, _ in find_reports([tmp_path])] == ["a.txt", "b.HTML", "c.markdown", "sub/e.md"]


def test_a_file_the_parser_cannot_handle_is_a_failed_report(tmp_path, monkeypatch):
    import ingest.database.build as b

    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / SEED_003).write_bytes((CORPUS / SEED_003).read_bytes())
    (corpus / "bad.txt").write_bytes(b"whatever")
    real = b.parse_one

    def parse_one(data, relpath):
        if relpath == "bad.txt":
            raise RuntimeError("parser exploded")
        return real(data, relpath)

    monkeypatch.setattr(b, "parse_one", parse_one)
    summary = build([corpus], tmp_path / "x.db", workers=1, progress=False)
    assert summary["status"]["failed"] == 1
    db = sqlite3.connect(tmp_path / "x.db")
    assert db.execute("SELECT parse_status, n_warnings FROM reports WHERE path = 'bad.txt'").fetchone() == ("failed", 1)
    code, message = db.execute("SELECT code, message FROM warnings WHERE report_id = ?",
                               [report_id("bad.txt")]).fetchone()
    assert code == "parse_failed" and "parser exploded" in message
