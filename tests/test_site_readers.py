"""The site as a reader uses it: every report one click away, Chinese labels, downloads that open in Excel.

Why its own database: the sample corpus (data/reports/, 16 real reports) built once per module, read
through Datasette's own test client configured as `python -m ingest serve` configures it. Expected
values are read from the database itself or from the reports (counts per year and province are those
of data/reports/SOURCES.md).
"""
from __future__ import annotations

import asyncio
import csv
import io
import re
import sqlite3
from pathlib import Path

import lxml.html
import pytest

from ingest.database.build import build
from ingest.site.serve import make_datasette

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "data" / "reports"


@pytest.fixture(scope="module")
def db_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("readers") / "gongkai.db"
    build([REPORTS], path, workers=2, progress=False)
    return path


@pytest.fixture(scope="module")
def conn(db_path):
    c = sqlite3.connect(db_path)
    c.row_factory = sqlite3.Row
    yield c
    c.close()


@pytest.fixture(scope="module")
def site(db_path):
    ds = make_datasette(db_path)
    loop = asyncio.new_event_loop()

    def get(path: str):
        return loop.run_until_complete(ds.client.get(path))

    yield get
    loop.close()


def html(site, path: str):
    r = site(path)
    assert r.status_code == 200, (path, r.status_code, r.text[:500])
    return lxml.html.fromstring(r.text)


def report_hrefs(doc) -> list[str]:
    return [a.get("href") for a in doc.xpath("//a[contains(@class, 'gk-report')]")]


def rid(conn, filename: str) -> str:
    return conn.execute("select id from reports where path like ?", [f"%{filename}"]).fetchone()["id"]


# ---------------------------------------------------------------------------------------------
# Reach
# ---------------------------------------------------------------------------------------------

def test_reports_table_links_every_id_to_its_report_page(site, conn):
    doc = html(site, "/gongkai/reports?_size=100")
    ids = {r["id"] for r in conn.execute("select id from reports")}
    hrefs = report_hrefs(doc)
    assert {h.split("/reports/")[1] for h in hrefs} == ids
    assert all(h == f"/reports/{h.split('/reports/')[1]}" for h in hrefs)
    # the row page stays one click further
    assert len(doc.xpath("//a[contains(@class, 'gk-row-link')]")) == len(ids)


@pytest.mark.parametrize("table", ["report_quality", "facts", "warnings", "cells", "applications", "sections"])
def test_report_ids_link_to_the_report_page(site, conn, table):
    doc = html(site, f"/gongkai/{table}?_size=50")
    hrefs = report_hrefs(doc)
    assert hrefs, table
    n_rows = len(doc.xpath("//table[contains(@class,'rows-and-columns')]/tbody/tr"))
    assert len(hrefs) == n_rows
    ids = {r[0] for r in conn.execute("select id from reports")}
    assert all(h.split("#")[0].rsplit("/", 1)[1] in ids for h in hrefs)


def test_check_results_link_to_the_rule_on_the_report_page(site, conn):
    row = conn.execute("select report_id, rule_id from check_results where status = 'fail' "
                       "order by report_id, rule_id limit 1").fetchone()
    doc = html(site, f"/gongkai/check_results?status=fail&report_id={row['report_id']}&rule_id={row['rule_id']}")
    assert f"/reports/{row['report_id']}#rule-{row['rule_id']}" in report_hrefs(doc)


def test_check_page_cells_lead_to_the_highlighted_cell(site, conn):
    # 平潭 2022 (web page): the prose says 75 applications (line 11), table 3 prints 74 — TX-counts fails
    report = rid(conn, "pingtan_2022.html")
    doc = html(site, "/gongkai/checks_TX-counts?year=2022")
    links = [a for a in doc.xpath("//a[contains(@class, 'gk-cell')]") if report in a.get("href")]
    assert [(a.get("href"), a.text_content()) for a in links] == [
        (f"/reports/{report}#cell-applications-new_received-total", "一、本年新收政府信息公开申请数量 · 总计")]


def test_report_row_page_links_to_the_report_page(site, conn):
    report = rid(conn, "004_2baf5ee0490418e5.txt")
    doc = html(site, f"/gongkai/reports/{report}")
    assert f"/reports/{report}" in report_hrefs(doc)


def test_report_list_filters(site, conn):
    doc = html(site, "/reports")
    assert len(report_hrefs(doc)) == conn.execute("select count(*) from reports").fetchone()[0]
    # year: 平潭 2022 has two copies (text and web page)
    doc = html(site, "/reports?year=2022")
    assert sorted(h.rsplit("/", 1)[1] for h in report_hrefs(doc)) == sorted(
        [rid(conn, "pingtan_2022.txt"), rid(conn, "pingtan_2022.html")])
    # form and agency text
    doc = html(site, "/reports?template=2021&agency=郏县")
    assert report_hrefs(doc) == [f"/reports/{rid(conn, '004_2baf5ee0490418e5.txt')}"]
    province = conn.execute("select province, count(*) from reports where province is not null "
                            "group by province order by 2 desc limit 1").fetchone()
    doc = html(site, f"/reports?province={province[0]}")
    assert len(report_hrefs(doc)) == province[1]
    # nothing matches: a Chinese message, not an empty table
    doc = html(site, "/reports?agency=不存在的机关")
    assert "没有符合条件的报告" in doc.text_content()
    # a bad year is dropped with a message
    doc = html(site, "/reports?year=abc")
    assert "年度应为四位数字" in doc.text_content()


def test_report_list_pages(site, conn):
    doc = html(site, "/reports?page=1")
    assert "第 1 / 1 页" in doc.text_content()


def test_home_page_leads_everywhere_in_one_click(site):
    doc = html(site, "/")
    hrefs = {a.get("href") for a in doc.xpath("//section[@class='gk-entry']//a")}
    for target in ("/reports", "/search", "/-/overview", "/-/downloads"):
        assert target in hrefs, target
