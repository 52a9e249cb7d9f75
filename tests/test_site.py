"""The Datasette site: pages, report page, search, canned queries, exports, escaping, metadata.

Why one database per session: building data/reports (plus one hostile report holding a <script>
tag) takes about a second; every test reads the same immutable file through Datasette's own test
client (no network, no port), configured exactly as `python -m ingest serve` configures it.
"""
from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from ingest import forms
from ingest.database import schema
from ingest.site import metadata
from ingest.database.build import build
from ingest.site.serve import load_settings, make_datasette

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "data" / "reports"
SEEDS = ["000_82a0420bca058b17.txt", "001_9a9840e34a30576e.txt", "002_d6bc68039ea8c73c.txt",
         "003_4c968f10fc5de52b.txt", "004_2baf5ee0490418e5.txt"]
MAX_ROWS = load_settings()["max_returned_rows"]
XSS = '<script>alert("gongkai-xss")</script>'
XSS_REPORT = f"""某某县{XSS}2020年政府信息公开工作年度报告
一、总体情况
本机关{XSS}全年受理行政复议申请。
二、主动公开政府信息情况
无。
"""


@pytest.fixture(scope="session")
def db_path(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("site")
    extra = base / "extra"
    extra.mkdir()
    (extra / "xss_report.txt").write_text(XSS_REPORT, encoding="utf-8")
    path = base / "gongkai.db"
    build([REPORTS, extra], path, workers=2, progress=False)
    return path


@pytest.fixture(scope="session")
def conn(db_path):
    c = sqlite3.connect(db_path)
    c.row_factory = sqlite3.Row
    yield c
    c.close()


@pytest.fixture(scope="session")
def site(db_path):
    """`site(path)` → httpx response from the configured Datasette (one event loop for the session)."""
    ds = make_datasette(db_path)
    loop = asyncio.new_event_loop()

    def get(path: str):
        return loop.run_until_complete(ds.client.get(path))

    yield get
    loop.close()


def report_id(conn, filename: str) -> str:
    row = conn.execute("select id from reports where path like ?", [f"%{filename}"]).fetchone()
    assert row, filename
    return row["id"]


def user_tables(conn) -> list[str]:
    """Tables and views of the built database, without FTS5's internal shadow tables."""
    names = [r[0] for r in conn.execute("select name from sqlite_master where type in ('table', 'view') "
                                        "and name not like 'sqlite_%' order by name")]
    return [n for n in names if not re.fullmatch(r"sections_fts_(data|idx|content|docsize|config)", n)]


# ---------------------------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------------------------

def test_index_is_chinese(site):
    r = site("/")
    assert r.status_code == 200
    assert "政府信息公开工作年度报告数据库" in r.text
    assert "张表" in r.text and "Powered by" not in r.text
    assert "由 <a href=\"https://datasette.io/\"" in r.text


def test_database_page_lists_canned_queries(site):
    r = site("/gongkai")
    assert r.status_code == 200
    for name, query in metadata.canned_queries().items():
        # queries with a chart fragment link to "/gongkai/NAME#g.mark=…"
        assert re.search(rf'href="/gongkai/{re.escape(name)}(#[^"]*)?"', r.text), name
        assert query["title"] in r.text
    assert "预设查询" in r.text and "数据表" in r.text


def test_every_table_page_and_export(site, conn):
    for table in user_tables(conn):
        n = conn.execute(f"select count(*) from [{table}]").fetchone()[0]
        page = site(f"/gongkai/{table}")
        assert page.status_code == 200, table
        assert "数据导出" in page.text and "This data as" not in page.text, table
        rows = site(f"/gongkai/{table}.json?_shape=array&_size=max")
        assert rows.status_code == 200, table
        assert len(rows.json()) == min(n, MAX_ROWS), table  # _size=max is capped by max_returned_rows
        got_csv = site(f"/gongkai/{table}.csv?_size=max")
        assert got_csv.status_code == 200, table
        cols = [r[1] for r in conn.execute(f"pragma table_xinfo([{table}])") if r[6] != 1]   # generated columns too
        header = next(csv.reader(io.StringIO(got_csv.text)))
        hidden = {"rowid", table, "rank"}  # rowid, and an FTS5 table's hidden columns
        assert [h for h in header if h not in hidden] == cols, table


def test_table_page_default_facets(site):
    r = site("/gongkai/reports")
    for facet in ("year", "template", "province"):
        assert f'data-column="{facet}"' in r.text
    assert "高级导出" in r.text


def test_large_tables_have_no_default_facets(site, conn):
    """A default facet is a GROUP BY over the whole table on every page view: none on the many-rows tables."""
    tables = {t for (t,) in conn.execute("select name from sqlite_master where type in ('table', 'view')")}
    assert {"cells", "check_results", "applications", "sections"} <= set(metadata.LARGE_TABLES)
    for table in metadata.LARGE_TABLES:
        assert table in tables, table
        r = site(f"/gongkai/{table}.json?_size=1")
        assert r.status_code == 200 and r.json()["facet_results"] == {}, table
    assert set(site("/gongkai/reports.json?_size=1").json()["facet_results"]) == {"year", "template", "province"}
    # still available on request, within facet_time_limit_ms
    assert "kind" in site("/gongkai/cells.json?_size=1&_facet=kind").json()["facet_results"]


def test_filtered_json_and_csv_export(site, conn):
    rid = report_id(conn, SEEDS[0])
    rows = site(f"/gongkai/applications.json?report_id={rid}&_shape=array").json()
    expected = [dict(r) for r in conn.execute("select * from applications where report_id = ? order by row_key", [rid])]
    assert [{k: r[k] for k in expected[0]} for r in rows] == expected
    new = next(r for r in rows if r["row_key"] == "new_received")
    assert (new["natural_person"], new["commercial"], new["total"]) == (24, 1, 25)
    text = site(f"/gongkai/applications.csv?report_id={rid}").text
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert len(parsed) == len(expected)
    assert next(r for r in parsed if r["row_key"] == "new_received")["total"] == "25"


# ---------------------------------------------------------------------------------------------
# Report page
# ---------------------------------------------------------------------------------------------

def test_report_page_seed_000_cells_link_to_source(site, conn):
    rid = report_id(conn, SEEDS[0])
    html = site(f"/reports/{rid}").text
    src = (REPORTS / SEEDS[0]).read_text(encoding="utf-8").split("\n")
    assert src[92 - 1] == "54297" and src[154 - 1] == "28714700"
    # each number links to its mark in the source text, which sits on the cell's line
    assert '<a href="#src-cell-active_disclosure-licensing-decisions">54297</a>' in html   # 行政许可 处理决定数量
    assert '<a href="#src-cell-active_disclosure-procurement-amount_yuan">28714700</a>' in html  # 采购总金额
    assert re.search(r'<div class="line" id="L92"><a class="ln" href="#L92">92</a><div class="body">'
                     r'<a class="gk-anchor" id="src-cell-active_disclosure-licensing-decisions"></a>'
                     r'<mark class="gk-num" title="[^"]*">54297</mark></div></div>', html)
    assert "采购总金额（元）" in html        # printed in 元 in this report: the header says so
    assert "2019年格式" in html
    # the form's own labels, in the form's order
    labels = [r.number + r.label for r in forms.application_rows(six_split=False)]
    positions = [html.index(label) for label in labels if r"（" in label or "、" in label]
    assert positions == sorted(positions)
    assert f"/gongkai/applications.json?report_id={rid}&amp;_shape=array" in html
    assert f"/gongkai/applications.csv?report_id={rid}" in html


@pytest.mark.parametrize("seed", SEEDS)
def test_report_page_each_seed(site, conn, seed):
    rid = report_id(conn, seed)
    r = site(f"/reports/{rid}")
    assert r.status_code == 200
    html = r.text
    title = conn.execute("select title from reports where id = ?", [rid]).fetchone()[0]
    assert f"<h1>{title}</h1>" in html
    n_lines = len(conn.execute("select text from source_texts where report_id = ?", [rid]).fetchone()[0].split("\n"))
    assert f'id="L{n_lines}"' in html and f'id="L{n_lines + 1}"' not in html
    for cell in conn.execute("select * from cells where report_id = ? and kind = 'number' and line is not null",
                             [rid]):
        value = cell["printed"]
        anchor = f'cell-{cell["table_name"]}-{cell["row_key"]}-{cell["col_key"]}'
        assert f'<a href="#src-{anchor}">{value}</a>' in html, dict(cell)
    for w in conn.execute("select * from warnings where report_id = ?", [rid]):
        assert w["code"] in html
    for s in conn.execute("select * from sections where report_id = ?", [rid]):
        assert f"{s['number']}、{s['title']}" in html


def test_non_number_cells_shown_as_printed(site, conn):
    """Blank, placeholder and unreadable cells print what the source printed (or nothing), never 0."""
    rows = conn.execute("select report_id, kind, group_concat(coalesce(printed, ''), char(1)) as printed "
                        "from cells where kind in ('blank', 'placeholder', 'unreadable', 'missing') "
                        "group by report_id, kind").fetchall()
    assert rows, "the corpus has non-number cells"
    for row in rows:
        html = site(f"/reports/{row['report_id']}").text
        shown = [re.sub(r"<[^>]+>", "", c) for c in
                 re.findall(rf'<td id="[^"]*" class="num kind-{row["kind"]}"[^>]*>(.*?)</td>', html, re.S)]
        allowed = set(row["printed"].split("\x01")) | ({""} if row["kind"] in ("blank", "missing") else set())
        assert shown, (row["report_id"], row["kind"])
        assert set(shown) <= allowed, (row["report_id"], row["kind"], shown, allowed)


def test_recovered_cells_are_marked_with_their_rule(site, conn):
    """pingtan_2022.txt's glued "713000074" is cut by the identities: the page marks those cells (class
    kind-recovered) and their tooltip names the rules that cut them."""
    rid = report_id(conn, "pingtan_2022.txt")
    html = site(f"/reports/{rid}").text
    tds = re.findall(r'<td id="[^"]*" class="num kind-recovered(?: check-failed)?"\s+title="([^"]*)">\s*'
                     r'<a href="#src-[^"]*">([^<]*)</a>', html)
    assert len(tds) == 4 * 7
    assert ("由表内勾稽关系唯一推出" in tds[0][0] and "表三行合计" in tds[0][0] and "原文第 10 行" in tds[0][0]
            and "713000074" in tds[0][0]), tds[0]
    assert [t[1] for t in tds[:7]] == ["71", "3", "0", "0", "0", "0", "74"]


def test_unknown_report_is_404(site):
    assert site("/reports/does-not-exist").status_code == 404


def test_check_results_highlight_failing_cells(db_path, tmp_path, conn):
    """The hook: a failing check_results row marks its cells and lists the rule."""
    copy = tmp_path / "gongkai.db"
    shutil.copy(db_path, copy)
    rid = report_id(conn, SEEDS[0])
    c = sqlite3.connect(copy)
    c.execute("delete from check_results where report_id = ?", [rid])
    c.execute("insert into check_results (report_id, rule_id, severity, status, expected, actual, cells) "
              "values (?, 'T3-balance', 'error', 'fail', '25', '24', ?)",
              [rid, json.dumps(["applications:new_received:total"])])
    c.commit()
    c.close()
    ds = make_datasette(copy)
    html = asyncio.run(ds.client.get(f"/reports/{rid}")).text
    assert "一致性检查" in html and "T3-balance" in html
    cell = re.search(r'<tr id="t3-new_received">.*?</tr>', html, re.S).group(0)
    failed = re.findall(r'<td id="([^"]*)" class="num kind-number check-failed"[^>]*>(.*?)</td>', cell, re.S)
    assert failed == [("cell-applications-new_received-total",
                       '<a href="#src-cell-applications-new_received-total">25</a>')]
    # the rule's block names the cell by its printed labels and leads to it
    block = re.search(r'<section class="gk-rule verdict-fail" id="rule-T3-balance".*?</section>', html, re.S).group(0)
    assert '<a class="gk-cellref" href="#cell-applications-new_received-total" ' in block
    assert "一、本年新收政府信息公开申请数量 · 总计" in block


# ---------------------------------------------------------------------------------------------
# Search and canned queries
# ---------------------------------------------------------------------------------------------

def test_search_fuyi_returns_reports_containing_it(site, conn):
    rows = site("/gongkai/search.json?q=复议&_shape=array").json()
    got = {r["report_id"] for r in rows}
    expected = {r[0] for r in conn.execute("select distinct report_id from sections where text like '%复议%'")}
    assert expected and got == expected
    assert all("【复议】" in r["snippet"] for r in rows), [r["snippet"] for r in rows]


def test_search_filters_and_empty_query(site, conn):
    rows = site("/gongkai/search.json?q=复议&year=2020&_shape=array").json()
    assert rows and {r["year"] for r in rows} == {2020}
    assert site("/gongkai/search.json?q=&_shape=array").json() == []
    page = site("/gongkai/search?q=复议")
    assert page.status_code == 200 and "查询参数" in page.text


def test_applications_by_year_matches_table(site, conn):
    rows = site("/gongkai/applications_by_year.json?_shape=array").json()
    expected = {}
    for r in conn.execute("select r.year, a.row_key, a.total from applications a join reports r "
                          "on r.id = a.report_id where a.row_key = 'new_received' and a.total is not null"):
        expected[r["year"]] = expected.get(r["year"], 0) + r["total"]
    assert {r["year"]: r["new_received"] for r in rows if r["new_received"] is not None} == expected


def test_review_litigation_rates(site, conn):
    rows = site("/gongkai/review_litigation_rates.json?_shape=array").json()
    assert rows
    for r in rows:
        concluded = (r["upheld"] or 0) + (r["corrected"] or 0) + (r["other"] or 0)
        if concluded:
            assert r["corrected_pct"] == round(100.0 * r["corrected"] / concluded, 2)
        else:
            assert r["corrected_pct"] is None


@pytest.mark.parametrize("name", sorted(metadata.canned_queries()))
def test_every_canned_query_exports(site, name):
    page = site(f"/gongkai/{name}?q=复议")
    assert page.status_code == 200, page.text[:500]
    assert site(f"/gongkai/{name}.json?q=复议&_shape=array").status_code == 200
    assert site(f"/gongkai/{name}.csv?q=复议").status_code == 200


# ---------------------------------------------------------------------------------------------
# Escaping
# ---------------------------------------------------------------------------------------------

def test_script_in_report_is_escaped_everywhere(site, conn):
    rid = report_id(conn, "xss_report.txt")
    assert XSS in conn.execute("select text from source_texts where report_id = ?", [rid]).fetchone()[0]
    pages = [f"/reports/{rid}", "/gongkai/reports", f"/gongkai/reports/{rid}", "/gongkai/source_texts",
             f"/gongkai/sections?report_id={rid}", "/gongkai/search?q=复议", f"/gongkai/reports?_search={rid}"]
    for path in pages:
        html = site(path).text
        assert XSS not in html, path
    assert "&lt;script&gt;" in site(f"/reports/{rid}").text


# ---------------------------------------------------------------------------------------------
# Metadata
# ---------------------------------------------------------------------------------------------

def test_metadata_yml_is_up_to_date():
    assert metadata.METADATA_PATH.read_text(encoding="utf-8") == metadata.render(metadata.build_metadata()), \
        "metadata.yml is stale: run python -m ingest.site.metadata"


def test_every_table_and_column_described(conn):
    tables = metadata.build_metadata()["databases"]["gongkai"]["tables"]
    missing = []
    for table in user_tables(conn):
        entry = tables.get(table) or {}
        if not entry.get("description"):
            missing.append(table)
        is_view = conn.execute("select type from sqlite_master where name = ?", [table]).fetchone()[0] == "view"
        if is_view:
            continue  # a view's columns are the described columns of its tables
        for col in (r[1] for r in conn.execute(f"pragma table_info([{table}])")):
            if not (entry.get("columns") or {}).get(col):
                missing.append(f"{table}.{col}")
    assert not missing, f"no Chinese description: {missing}"


def test_canned_queries_carry_sql_from_files():
    queries = metadata.build_metadata()["databases"]["gongkai"]["queries"]
    files = sorted(p for p in metadata.QUERIES_DIR.rglob("*.sql") if p.parent != metadata.SHARED_DIR)
    assert set(queries) == {metadata.query_name(p) for p in files}
    for path in files:
        q = queries[metadata.query_name(path)]
        text = path.read_text(encoding="utf-8")
        if "\n-- rule: " in text:       # a consistency rule: the file's rule first, the shared parts composed after it
            from ingest.database.checks import load_rule, split_rule

            ctes, final = split_rule(load_rule(path).body)
            assert q["sql"].startswith(ctes + ",\n") and f"\n{final}\n" in q["sql"]
        elif "\n-- with: " in text:    # shared CTEs (canned_queries/shared/) in front of the file's own SQL
            names = re.search(r"^-- with: (.+)$", text, re.M).group(1).split(", ")
            own = text.split("\n-- with: ", 1)[1].split("\n", 1)[1].strip()
            own = own[5:] if own.startswith("with ") else own
            assert q["sql"].startswith("with ") and q["sql"].endswith(own)
            for name in names:
                shared = (metadata.SHARED_DIR / f"{name}.sql").read_text(encoding="utf-8").strip()
                assert shared in q["sql"]
        else:
            assert q["sql"] in text and not q["sql"].startswith("--")
        assert re.search(r"[\u4e00-\u9fff]", q["title"]) and re.search(r"[\u4e00-\u9fff]", q["description"])


def test_chart_queries_share_their_filters_once():
    """The year-range and province filter is written once (canned_queries/shared/filters.sql), not per chart."""
    charts = sorted((metadata.QUERIES_DIR / "charts").glob("*.sql"))
    with_filters = [p.stem for p in charts if "\n-- with: filters" in p.read_text(encoding="utf-8")]
    assert set(with_filters) >= {"applications_per_year", "outcome_composition", "correction_rates",
                                 "province_ranking", "reports_by_year_template", "withheld_share_by_province"}
    for p in charts:
        text = p.read_text(encoding="utf-8")
        assert "from year_stats" not in text, p
        assert ":year_from = ''" not in text, p


def test_shared_ctes_unknown_name_is_an_error(tmp_path):
    (tmp_path / "q.sql").write_text("-- title: 标题\n-- description: 说明\n-- with: nosuch\nselect 1\n",
                                    encoding="utf-8")
    with pytest.raises(metadata.QueryFileError):
        metadata.canned_queries(tmp_path)


def test_query_header_required(tmp_path):
    (tmp_path / "bad.sql").write_text("-- description: 没有标题\nselect 1\n", encoding="utf-8")
    with pytest.raises(metadata.QueryFileError):
        metadata.canned_queries(tmp_path)
    sub = tmp_path / "checks"
    sub.mkdir()
    (tmp_path / "bad.sql").unlink()
    (sub / "rule.sql").write_text("-- title: 规则\n-- description: 第一行\n-- description: 第二行\n\nselect 1\n",
                                  encoding="utf-8")
    assert metadata.canned_queries(tmp_path) == {
        "checks_rule": {"title": "规则", "description": "第一行第二行", "sql": "select 1"}}


def test_schema_descriptions_reach_metadata():
    tables = metadata.build_metadata()["databases"]["gongkai"]["tables"]
    assert tables["reports"]["columns"]["year"] == schema.TABLES["reports"]["columns"]["year"][1]
    assert tables["sections"]["fts_table"] == "sections_fts"
    assert tables["reports"]["facets"] == ["year", "template", "province"]


def test_the_check_results_view_is_counted_from_check_rows(db_path, conn):
    """An unfiltered check_results page reads no count: plugins/view_counts answers it from check_rows'."""
    import sys

    from ingest.site.serve import inspect_data

    sys.path.insert(0, str(ROOT / "plugins"))
    from view_counts import with_view_counts

    data = inspect_data(db_path)
    with_view_counts(data)
    counts = data[Path(db_path).stem]["tables"]
    n = conn.execute("select count(*) from check_results").fetchone()[0]
    assert n > 0 and counts["check_results"]["count"] == n
    assert "check_results" not in dict(counts.items())          # found by name, not listed as a table
