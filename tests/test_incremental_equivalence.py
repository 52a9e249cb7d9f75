"""An incremental build gives the database a full build of the same files gives, and touches only what it must.

Generated reports (each agency one report a year, a share copying an earlier report's prose, so the cross-year
rules and DUP pair reports): change one report, add one, delete one; after each incremental build every table
equals a fresh build of the new corpus (rows compared as sets; section ids, which depend on load order, compared
as (report, place in report)), and only the changed report's rows, and check results of the reports of its
agency or paired with it by DUP, differ from before.
"""
from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from ingest.database.build import build
from ingest.database.load import report_id
from ingest.generate import generate_corpus

N = 48
SEED = 7
# build_info rows that describe the build itself, not the data
BUILD_KEYS = ("built_at", "build_id", "seconds", "parsed", "removed")
SECTION_COLUMNS = {"section_spans": ("id",), "similar_sections": ("section_id", "other_section_id"),
                   "dup_sections": ("section_id",), "dup_bands": ("section_id",)}


USED_TEXTS = """select text from check_texts where id in (select cells from check_rows union select message from check_rows
                union select instance from check_rows)"""


def _write(folder: Path, n: int = N, seed: int = SEED) -> list[str]:
    folder.mkdir(exist_ok=True)
    names = []
    for i, g in enumerate(generate_corpus(n, seed, copy_share=0.3)):
        name = f"{i:03d}_{g.filename}"
        (folder / name).write_bytes(g.data)
        names.append(name)
    return names


def _tables(db_path: Path) -> dict[str, Counter]:
    """Every table's rows as a multiset, section ids replaced by (report id, rank of the section in its report),
    report keys (the compact tables' small integer for a report, given in load order) by the report id,
    check_rows read through the check_results view and check_texts as the texts check_rows uses (an incremental
    build leaves the texts of replaced rows behind)."""
    conn = sqlite3.connect(db_path)
    sections, rank = {}, Counter()
    for sid, rid in conn.execute("select id, report_id from sections order by report_id, id"):
        sections[sid] = (rid, rank[rid])
        rank[rid] += 1
    keys = dict(conn.execute("select report_key, id from reports"))
    out = {}
    names = [n for (n,) in conn.execute("select name from sqlite_master where type = 'table' "
                                        "and name not like 'sqlite_%' and name not like 'sections_fts_%'")]
    # check_rows through the check_results view: an incremental build may number check_texts differently
    names = [n for n in names if n != "check_rows"] + ["check_results"]
    for name in names:
        cur = conn.execute(USED_TEXTS if name == "check_texts" else
                           f"select {'rowid, ' if name == 'sections_fts' else ''}* from [{name}]")
        cols = [d[0] for d in cur.description]
        remap = [i for i, c in enumerate(cols) if c in SECTION_COLUMNS.get(name, ()) or
                 (name == "sections_fts" and c == "rowid")]
        rekey = [i for i, c in enumerate(cols) if c == "report_key"]
        rows = []
        for row in cur:
            row = list(row)
            for i in remap:
                row[i] = sections.get(row[i], row[i])
            for i in rekey:
                row[i] = keys.get(row[i], row[i])
            if name == "build_info" and row[0] in BUILD_KEYS:
                continue
            rows.append(tuple(row))
        out[name] = Counter(rows)
    conn.close()
    return out


def _by_report(tables: dict[str, Counter], table: str, column: str = "report_id", db_columns=None) -> dict:
    return tables[table]


def _per_report(db_path: Path, table: str) -> dict[str, Counter]:
    conn = sqlite3.connect(db_path)
    cur = conn.execute(f"select * from [{table}]")
    at = [d[0] for d in cur.description].index("id" if table == "reports" else "report_id")
    out: dict[str, Counter] = {}
    for row in cur:
        out.setdefault(row[at], Counter())[row] += 1
    conn.close()
    return out


def _neighbours(db_path: Path, rid: str) -> set[str]:
    """The reports whose checks may read this one: its agency's reports and its DUP partners."""
    conn = sqlite3.connect(db_path)
    out = {r for (r,) in conn.execute(
        "select id from reports where agency_id = (select agency_id from reports where id = ?)", (rid,))}
    out |= {r for (r,) in conn.execute("select other_report_id from similar_sections where report_id = ? union "
                                       "select report_id from similar_sections where other_report_id = ?", (rid, rid))}
    conn.close()
    return out | {rid}


def _compare_with_fresh(corpus: Path, db: Path, tmp: Path) -> None:
    fresh = tmp / f"fresh-{len(list(tmp.iterdir()))}.db"
    build([corpus], fresh, workers=1, log=None)
    a, b = _tables(db), _tables(fresh)
    assert sorted(a) == sorted(b)
    for name in a:
        assert a[name] == b[name], (name, list((a[name] - b[name]).items())[:3], list((b[name] - a[name]).items())[:3])


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("equivalence")
    corpus = tmp / "corpus"
    names = _write(corpus)
    return tmp, corpus, names


def _changed_only(before: Path, after: Path, changed: set[str], neighbours: set[str]) -> None:
    """Rows of report tables differ only for the changed reports; check results only for them and their neighbours."""
    from ingest.database.schema import REPORT_TABLES

    for table in REPORT_TABLES:
        old, new = _per_report(before, table), _per_report(after, table)
        differ = {r for r in set(old) | set(new) if old.get(r) != new.get(r)}
        assert differ <= changed, (table, differ - changed)
    old, new = _per_report(before, "check_results"), _per_report(after, "check_results")
    differ = {r for r in set(old) | set(new) if old.get(r) != new.get(r)}
    assert differ <= changed | neighbours, differ - changed - neighbours


@pytest.mark.parametrize("common_agencies", [5, 2])
def test_change_add_delete_one_report_equals_a_full_build(base, tmp_path, monkeypatch, common_agencies):
    """With 2, sentences become and stop being common as reports come and go (the sections holding them are
    compared again)."""
    from ingest.database import similar

    monkeypatch.setattr(similar, "COMMON_AGENCIES", common_agencies)
    tmp, corpus_src, names = base
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in names:
        (corpus / name).write_bytes((corpus_src / name).read_bytes())
    db = tmp_path / "gongkai.db"
    build([corpus], db, workers=1, log=None)
    conn = sqlite3.connect(db)
    paired = conn.execute("select count(*) from similar_sections").fetchone()[0]
    conn.close()
    assert paired > 0, "the corpus must hold DUP pairs for the test to mean something"

    def step(change) -> None:
        snapshot = tmp_path / "before.db"
        snapshot.write_bytes(db.read_bytes())
        changed = change()
        neighbours = set().union(*(_neighbours(snapshot, r) | _neighbours(db, r) for r in changed))
        summary = build([corpus], db, workers=1, log=None)
        assert summary["incremental"] and summary["parsed"] <= 1
        neighbours |= set().union(*(_neighbours(db, r) for r in changed))
        _changed_only(snapshot, db, changed, neighbours)
        _compare_with_fresh(corpus, db, tmp_path)

    # change one: report 13 (an agency's second year) regenerated with other figures and prose
    other = list(generate_corpus(N, SEED + 1, copy_share=0.3))

    def change():
        (corpus / names[13]).write_bytes(other[13].data)
        return {report_id(names[13])}

    def add():
        (corpus / "zz_added.txt").write_bytes(other[20].data)
        return {report_id("zz_added.txt")}

    def delete():
        (corpus / names[26]).unlink()
        return {report_id(names[26])}

    for how in (change, add, delete):
        step(how)


def test_unchanged_rebuild_reads_no_file_and_writes_nothing(base, tmp_path, monkeypatch):
    tmp, corpus, _ = base
    db = tmp_path / "gongkai.db"
    build([corpus], db, workers=1, log=None)
    before = db.read_bytes()
    import ingest.database.build as b

    hashed = []
    real = b._sha256
    monkeypatch.setattr(b, "_sha256", lambda p: hashed.append(p) or real(p))
    summary = build([corpus], db, workers=1, log=None)
    assert summary["parsed"] == 0 and hashed == []          # size + mtime unchanged: not even hashed
    assert db.read_bytes() == before
    # a touched file (same bytes, new mtime) is hashed, not parsed, and its new mtime recorded
    first = sorted(corpus.iterdir())[0]
    first.write_bytes(first.read_bytes())
    summary = build([corpus], db, workers=1, log=None)
    assert summary["parsed"] == 0 and hashed == [str(first)]
    hashed.clear()
    build([corpus], db, workers=1, log=None)
    assert hashed == []


def test_sidecar_suffix_is_the_collectors():
    from ingest.collect import sidecar
    from ingest.database import build as b

    assert b.SIDECAR_SUFFIX == sidecar.SUFFIX
