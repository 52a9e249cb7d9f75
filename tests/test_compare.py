"""The comparison page `/compare/{a}/{b}` on two years of a corpus agency (平潭综合实验区 2022 and 2023)."""
from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from ingest.database.build import build
from ingest.database.load import report_id
from ingest.site import compare
from ingest.site.serve import make_datasette

REPORTS = Path(__file__).resolve().parent.parent / "data" / "reports"
A, B = report_id("pingtan_2022.html"), report_id("pingtan_2023.txt")


@pytest.fixture(scope="module")
def db_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("compare") / "gongkai.db"
    build([REPORTS], path, workers=2, progress=False)
    return path


@pytest.fixture(scope="module")
def site(db_path):
    ds = make_datasette(db_path)
    loop = asyncio.new_event_loop()
    yield lambda path: loop.run_until_complete(ds.client.get(path))
    loop.close()


def cell(data, table, row, col):
    t = next(t for t in data["tables"] if t["table"] == table)
    return next(c for c in t["cells"] if c["row_key"] == row and c["col_key"] == col)


def test_known_cell_changes(db_path):
    data = compare.comparison(sqlite3.connect(db_path), A, B)
    # 表三 一、本年新收 总计 74 (2022) → 81 (2023); 自然人 71 → 80
    new = cell(data, "applications", "new_received", "total")
    assert (new["a"], new["b"], new["change"], new["change_pct"]) == ("74", "81", "7", 9.5)
    assert cell(data, "applications", "new_received", "natural_person")["change"] == "9"
    # 表四 行政复议 总计 2 both years (equal, not zero: marked); 未经复议直接起诉 总计 1 → 5 (+400%)
    review = cell(data, "reviews_litigation", "review", "total")
    assert review["equal"] and review["same_nonzero"] and review["change"] == "0"
    lit = cell(data, "reviews_litigation", "litigation_direct", "total")
    assert (lit["a"], lit["b"], lit["change"], lit["change_pct"]) == ("1", "5", "4", 400.0)
    assert not any(t["copied"] for t in data["tables"])       # the figures changed: no copied table
    one = next(s for s in data["sections"] if s["number"] == "一")
    assert one["changed"] and one["similarity"] < 0.5          # rewritten, as DUP found (tests/test_similar.py)
    assert any(op == "del" for op, _ in one["a"]) and any(op == "ins" for op, _ in one["b"])
    # each side's segments put back together are that report's text
    texts = dict(sqlite3.connect(db_path).execute("select number, text from sections where report_id = ?", [A]))
    assert "".join(t for _, t in one["a"]) == texts["一"]


def test_copied_table_is_marked():
    cells = [{"table_name": "applications", "row_key": r, "col_key": "total", "value": v, "printed": str(v),
              "kind": "number"} for r, v in (("new_received", 12), ("carried_over", 3), ("total_processed", 14),
                                             ("carried_forward", 1), ("granted", 6), ("partly_granted", 2))]
    (t,) = compare.compare_tables(cells, cells)
    assert t["copied"] and t["equal_nonzero"] == 6 and t["changed"] == 0
    changed = [dict(c, value=13) if c["row_key"] == "new_received" else c for c in cells]
    assert not compare.compare_tables(cells, changed)[0]["copied"]


def test_diff_marks_the_changed_characters():
    left, right = compare.diff_texts("本年共收到申请5件。全部按时办结。", "本年共收到申请7件。全部按时办结。")
    assert left == [["same", "本年共收到申请"], ["del", "5"], ["same", "件。全部按时办结。"]]
    assert right == [["same", "本年共收到申请"], ["ins", "7"], ["same", "件。全部按时办结。"]]


def test_page_and_json_match(site, db_path):
    page = site(f"/compare/{A}/{B}")
    assert page.status_code == 200
    html = page.text
    assert "报告比较" in html and "平潭综合实验区" in html
    assert '<del class="diff-del">' in html and '<ins class="diff-ins">' in html
    assert 'data-row="new_received" data-col="total"' in html
    data = site(f"/compare/{A}/{B}.json").json()
    assert data == compare.comparison(sqlite3.connect(db_path), A, B)
    assert cell(data, "applications", "new_received", "total")["b"] == "81"
    assert {c["rule_id"] for c in data["checks"]["a"]["results"]} >= {"TX-counts"}   # 2022 fails TX-counts
    assert site(f"/compare/{A}/nosuchreport").status_code == 404


def test_report_page_links_to_comparisons(site):
    html = site(f"/reports/{B}").text                   # 2023: the agency has a 2022 report
    assert "与上一年比较" in html and f"/compare/{B}/" in html
    legacy = report_id("pingtan_2013_xian.txt")          # 平潭县 2013 copies its 2012 report (DUP fails)
    html = site(f"/reports/{legacy}").text
    assert "与相似报告比较" in html and f"/compare/{legacy}/{report_id('pingtan_2012_xian.txt')}" in html
    assert "相似度 100%" in html


def test_most_similar_pairs_query(db_path):
    sql = (Path(compare.__file__).resolve().parents[2] / "canned_queries" / "most_similar_pairs.sql").read_text("utf-8")
    conn = sqlite3.connect(db_path)
    params = {"year": "", "province": "", "same_agency": "", "min_similarity": ""}
    rows = conn.execute(sql, params).fetchall()
    pairs = {(r[0], r[3]) for r in rows}
    # 平潭县 2013 copies its own 2012 report (1.0), and both 平潭县 reports share their text with 平潭综合实验区 2011
    assert (report_id("pingtan_2013_xian.txt"), report_id("pingtan_2012_xian.txt")) in pairs
    assert rows[0][6] == 1.0 and rows[0][-1].startswith("/compare/")
    other = conn.execute(sql, {**params, "same_agency": "0"}).fetchall()
    assert other and all(r[9] == 0 for r in other)
    assert {(r[0], r[3]) for r in other} == {(report_id("pingtan_2013_xian.txt"), report_id("pingtan_2011_shiyanqu.txt")),
                                             (report_id("pingtan_2012_xian.txt"), report_id("pingtan_2011_shiyanqu.txt"))}
