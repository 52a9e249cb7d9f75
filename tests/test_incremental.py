"""Incremental and atomic builds: no needless parsing, only changed rows change, never a half-written db."""
from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

import ingest.database.build as b
from ingest.database.build import build
from ingest.database.load import report_id
from ingest.database.schema import REPORT_TABLES

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "data" / "reports"
CHANGED = "003_4c968f10fc5de52b.txt"
DELETED = "pingtan_2014.txt"


def _copy_corpus(dst: Path) -> Path:
    dst.mkdir()
    for p in CORPUS.iterdir():
        shutil.copyfile(p, dst / p.name)
    return dst


def _rows_by_report(db_path: Path) -> dict[str, dict[str, list]]:
    """Every report's rows in every report table (incl. the FTS rows), as comparable tuples."""
    conn = sqlite3.connect(db_path)
    out: dict[str, dict[str, list]] = {}
    for table in REPORT_TABLES:
        key = "id" if table == "reports" else "report_id"
        # cells and sections are views (schema.VIEW_TABLES): no rowid, in their stored table's key order
        order = {"cells": "", "sections": " ORDER BY id", "applications": "", "reviews_litigation": "",
                 "active_disclosure": ""}.get(table, " ORDER BY rowid")    # views and WITHOUT ROWID: key order
        for row in conn.execute(f"SELECT * FROM [{table}]{order}"):
            cols = [d[0] for d in conn.execute(f"SELECT * FROM [{table}] LIMIT 0").description]
            rid = row[cols.index(key)]
            out.setdefault(rid, {}).setdefault(table, []).append(row)
    # the index is contentless: compare what it holds, term by term (every term, column and position)
    conn.execute("CREATE VIRTUAL TABLE temp.fts_terms USING fts5vocab(main, sections_fts, instance)")
    for row in conn.execute("SELECT s.report_id, v.doc, v.term, v.col, v.offset FROM temp.fts_terms v "
                            "LEFT JOIN sections s ON s.id = v.doc ORDER BY v.doc, v.col, v.offset, v.term"):
        out.setdefault(row[0], {}).setdefault("sections_fts", []).append(row[1:])
    conn.close()
    return out


@pytest.fixture
def counting(monkeypatch):
    """Count the parser calls of an in-process build (workers=1)."""
    calls: list[str] = []
    real = b.parse_one

    def parse_one(data, relpath):
        calls.append(relpath)
        return real(data, relpath)

    monkeypatch.setattr(b, "parse_one", parse_one)
    return calls


def test_incremental_rebuild(tmp_path, counting):
    corpus = _copy_corpus(tmp_path / "corpus")
    db_path = tmp_path / "gongkai.db"
    first = build([corpus], db_path, workers=1, progress=False)
    assert first["parsed"] == 16 and len(counting) == 16
    before = _rows_by_report(db_path)
    assert len(before) == 16

    # unchanged corpus: nothing parsed, nothing changed
    counting.clear()
    again = build([corpus], db_path, workers=1, progress=False)
    assert counting == []
    assert (again["parsed"], again["unchanged"], again["removed"], again["incremental"]) == (0, 16, 0, True)
    assert _rows_by_report(db_path) == before

    # one file changed, one deleted, one added
    with open(corpus / CHANGED, "a", encoding="utf-8") as fh:
        fh.write("\n补充说明：本机关本年度未发生政府信息公开行政复议案件。\n")
    (corpus / DELETED).unlink()
    shutil.copyfile(CORPUS / "pingtan_2015.txt", corpus / "copy_2015.txt")
    counting.clear()
    third = build([corpus], db_path, workers=1, progress=False)
    assert sorted(counting) == sorted([CHANGED, "copy_2015.txt"])
    assert (third["parsed"], third["unchanged"], third["removed"]) == (2, 14, 1)
    after = _rows_by_report(db_path)

    changed_id, deleted_id, added_id = report_id(CHANGED), report_id(DELETED), report_id("copy_2015.txt")
    assert deleted_id not in after
    assert set(after) == (set(before) - {deleted_id}) | {added_id}
    for rid in set(before) - {changed_id, deleted_id}:
        assert after[rid] == before[rid], rid          # other reports' rows are byte-identical
    assert after[changed_id]["reports"][0] != before[changed_id]["reports"][0]   # new sha256, same id
    assert after[changed_id]["source_texts"][0][1].endswith("未发生政府信息公开行政复议案件。\n")
    # the copy has the original's rows under its own id
    original = before[report_id("pingtan_2015.txt")]
    assert len(after[added_id]["sections"]) == len(original["sections"])
    for table in ("applications", "reviews_litigation", "cells", "facts"):
        assert [r[1:] for r in after[added_id].get(table, [])] == [r[1:] for r in original.get(table, [])], table
    conn = sqlite3.connect(db_path)
    for table in REPORT_TABLES[1:]:
        assert conn.execute(f"SELECT count(*) FROM [{table}] WHERE report_id = ?", [deleted_id]).fetchone()[0] == 0
    conn.execute("CREATE VIRTUAL TABLE temp.fts_terms USING fts5vocab(main, sections_fts, instance)")
    assert conn.execute("SELECT count(*) FROM temp.fts_terms WHERE doc NOT IN (SELECT id FROM sections)"
                        ).fetchone()[0] == 0          # nothing of the deleted report is left in the index
    assert conn.execute("SELECT value FROM build_info WHERE key = 'reports'").fetchone()[0] == "16"
    conn.close()
    assert list(tmp_path.glob("gongkai.db.tmp-*")) == []


def test_failed_build_leaves_previous_database(tmp_path, monkeypatch):
    corpus = _copy_corpus(tmp_path / "corpus")
    db_path = tmp_path / "gongkai.db"
    build([corpus], db_path, workers=1, progress=False)
    before = db_path.read_bytes()
    (corpus / "zzz_new.txt").write_bytes((CORPUS / CHANGED).read_bytes())

    def explode(*args, **kwargs):
        raise RuntimeError("checks failed")

    monkeypatch.setattr(b, "check_reports", explode)
    with pytest.raises(RuntimeError):
        build([corpus], db_path, workers=1, progress=False)
    assert db_path.read_bytes() == before
    assert list(tmp_path.glob("gongkai.db.tmp-*")) == []


def _large_corpus(dst: Path, copies: int) -> Path:
    """The sample reports many times over, each copy slightly edited (so each is a distinct file)."""
    dst.mkdir()
    files = [p for p in sorted(CORPUS.iterdir()) if p.name not in ("SOURCES.md", "README.md")]
    for i in range(copies):
        for p in files:
            data = p.read_bytes()
            edit = f"\n附：第{i}号副本。\n".encode("utf-8")
            if p.suffix == ".html":
                edit = f"<!-- 第{i}号副本 -->".encode("utf-8")
            (dst / f"{i:04d}_{p.name}").write_bytes(data + edit)
    return dst


@pytest.mark.parametrize("how", ["SIGKILL", "SIGTERM"])
def test_interrupted_build_keeps_previous_database(tmp_path, how):
    db_path = tmp_path / "gongkai.db"
    build([CORPUS], db_path, workers=1, progress=False)
    old_paths = sorted(r[0] for r in sqlite3.connect(db_path).execute("SELECT path FROM reports"))
    big = _large_corpus(tmp_path / "big", 40)

    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    proc = subprocess.Popen([sys.executable, "-m", "ingest", "build", str(big), "--db", str(db_path),
                             "--workers", "2", "--no-progress"], cwd=ROOT, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wal = tmp_path / "gongkai.db-wal"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if wal.exists():            # the in-place transaction has begun (its pages may still be in the cache)
                break
            time.sleep(0.02)
        time.sleep(2)  # let it parse and write for a while (640 reports take far longer)
        assert proc.poll() is None, "the build finished before it could be interrupted: " + proc.stderr.read().decode()
        assert wal.exists(), "the incremental build does not write in place"
        # meanwhile a reader opened as the server opens it (read-only, not immutable) sees the old database whole
        reader = sqlite3.connect(f"{db_path.as_uri()}?mode=ro", uri=True)
        assert sorted(r[0] for r in reader.execute("SELECT path FROM reports")) == old_paths
        reader.close()
        if how == "SIGKILL":
            os.killpg(proc.pid, signal.SIGKILL)  # no chance to clean up: the worst case
            proc.wait(10)
        else:
            proc.send_signal(signal.SIGTERM)  # `kill PID`: the build removes its own temporary file
            assert proc.wait(30) != 0
            assert list(tmp_path.glob("gongkai.db.tmp-*")) == []
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.stderr.close()

    conn = sqlite3.connect(f"{db_path.as_uri()}?mode=ro", uri=True)     # as the server opens it
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert sorted(r[0] for r in conn.execute("SELECT path FROM reports")) == old_paths
    assert conn.execute("SELECT count(*) FROM source_texts").fetchone()[0] == 16
    conn.close()

    # the leftover temporary file does not break the next build, which removes it
    summary = build([CORPUS], db_path, workers=1, progress=False)
    assert summary["parsed"] == 0 and summary["reports"] == 16
    assert list(tmp_path.glob("gongkai.db.tmp-*")) == []


def test_stale_temporary_files_are_removed_only_when_their_build_is_gone(tmp_path):
    db_path = tmp_path / "gongkai.db"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    stale = tmp_path / f"gongkai.db.tmp-{dead_pid}-0badcafe"
    live = tmp_path / f"gongkai.db.tmp-{os.getpid()}-0badcafe"
    other = tmp_path / "other.db.tmp-1-0badcafe"
    for p in (stale, live, other):
        p.write_bytes(b"half-written")
    scratch = tmp_path / f"{stale.name}.checks-k2j4x9"      # the killed build's check workers' folder
    scratch.mkdir()
    (scratch / "000-0.db").write_bytes(b"rows")
    assert b.remove_stale_temps(db_path) == [stale, scratch]
    assert not stale.exists() and not scratch.exists() and live.exists() and other.exists()
