"""The charts as a reader's browser draws them: headless Chromium against a real Datasette server.

Why a real browser: the charts are drawn by JavaScript (vega-lite on our pages, datasette-vega on
query pages); an HTTP test sees only the JSON spec, not whether a mark was drawn. Each test opens a
page, waits for its charts, asserts that every chart drew marks and that the page logged no error,
and saves a screenshot under build/screenshots/ for a person to look at.

Skipped only when Debian's /usr/bin/chromium is absent (CI installs it in .ci/run).
"""
from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import httpx
import pytest

from ingest.database.build import build
from servers import start_server

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "data" / "reports"
SCREENSHOTS = ROOT / "build" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
HISTORY_REPORT = "pingtan_2022.html"  # 平潭综合实验区: its reports of 2011, 2013–2016, 2018, 2022 and 2023 (its table 3 is readable in the web page)

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason=f"{CHROMIUM} not installed (apt-get install chromium)")

# Per chart container: how many data marks it drew (vega's SVG data-mark groups, or for a canvas the
# saturated pixels: axes and labels are grey, marks are coloured).
COUNT_MARKS = """
(el) => {
  const svg = el.querySelector('svg');
  if (svg) {
    const marks = Array.from(svg.querySelectorAll('.role-mark > path, .role-mark > text'))
      .filter(m => (m.getAttribute('d') || m.textContent || '').trim() !== '');
    return {kind: 'svg', marks: marks.length};
  }
  const canvas = el.querySelector('canvas');
  if (!canvas || !canvas.width || !canvas.height) return {kind: 'none', marks: 0};
  const px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let coloured = 0;
  for (let i = 0; i < px.length; i += 4) {
    const [r, g, b, a] = [px[i], px[i + 1], px[i + 2], px[i + 3]];
    if (a > 0 && Math.max(r, g, b) - Math.min(r, g, b) > 60) coloured++;
  }
  return {kind: 'canvas', marks: coloured};
}
"""


@pytest.fixture(scope="module")
def db_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("browser") / "gongkai.db"
    build([REPORTS], path, workers=2, progress=False)
    return path


@pytest.fixture(scope="module")
def server(db_path):
    """Base URL of `python -m ingest serve` on a free port of 127.0.0.1, stopped after the module."""
    proc, base = start_server(db_path, deadline_s=30)
    yield base
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A fresh page whose console errors and uncaught exceptions are collected in page.errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    pg = context.new_page()
    pg.errors = []
    pg.on("console", lambda m: m.type == "error" and pg.errors.append(f"console: {m.text}"))
    pg.on("pageerror", lambda e: pg.errors.append(f"pageerror: {e}"))
    yield pg
    context.close()


def shoot(pg, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def drawn_charts(pg, selector: str) -> list[dict]:
    """Wait until every chart in `selector` finished (drawn or failed); return its mark counts."""
    pg.wait_for_function(
        f"() => Array.from(document.querySelectorAll('{selector}'))"
        ".every(e => e.classList.contains('gk-drawn') || e.classList.contains('gk-failed'))",
        timeout=20_000)
    return [{"id": el.get_attribute("data-spec"), **el.evaluate(COUNT_MARKS)}
            for el in pg.query_selector_all(selector)]


def test_overview_draws_every_chart(server, page):
    page.goto(server + "/-/overview")
    charts = drawn_charts(page, ".gk-chart")
    shoot(page, "overview")
    assert [c["id"] for c in charts] == ["spec-totals", "spec-outcomes", "spec-cases", "spec-withheld", "spec-ranking",
                                        "spec-templates", "spec-failures", "spec-rules", "spec-corrections"]
    assert all(c["kind"] == "svg" and c["marks"] > 0 for c in charts), charts
    assert page.errors == []
    assert page.locator("h1").inner_text() == "数据概览"
    # Each chart links to the canned query that holds its SQL and data; the link opens with a chart.
    links = page.locator(".gk-card .gk-links a:first-child")
    assert links.count() == len(charts)
    assert all("/charts_" in links.nth(i).get_attribute("href") and "#g.mark=" in links.nth(i).get_attribute("href")
               for i in range(links.count()))


def test_overview_outcome_legend_lists_the_six_groups(server, page):
    page.goto(server + "/-/overview")
    drawn_charts(page, ".gk-chart")
    legend = page.locator("#chart-outcomes .role-legend-label text").all_text_contents()
    assert legend == ["予以公开", "部分公开", "不予公开", "无法提供", "不予处理", "其他处理"]


def test_report_page_draws_agency_history(server, page, db_path):
    with sqlite3.connect(db_path) as c:
        report_id = c.execute("select id from reports where path like ?", [f"%{HISTORY_REPORT}"]).fetchone()[0]
    page.goto(f"{server}/reports/{report_id}")
    assert page.locator("#agency-history").count() == 1, "report.html must include _agency_history.html"
    charts = drawn_charts(page, "#agency-history .gk-chart")
    page.locator("#agency-history").scroll_into_view_if_needed()
    shoot(page, "report_agency_history")
    assert [c["id"] for c in charts] == ["history-applications", "history-outcomes"]
    assert all(c["kind"] == "svg" and c["marks"] > 0 for c in charts), charts
    years = page.locator("#agency-history > p:first-of-type a").all_inner_texts()
    assert years == ["2011年", "2013年", "2014年", "2015年", "2016年", "2018年", "2022年", "2023年"]
    assert page.errors == []


@pytest.mark.parametrize("query", ["charts_outcome_composition", "charts_check_failures_per_rule"])
def test_canned_query_opens_with_its_chart(server, page, query):
    db = httpx.get(server + "/.json").json()
    name = next(iter(db))
    page.goto(f"{server}/{name}")
    href = page.locator(f'a[href^="/{name}/{query}#"]').first.get_attribute("href")
    page.goto(server + href)   # the database page's link carries the canned query's fragment
    page.wait_for_selector("form.datasette-vega", timeout=20_000)
    page.wait_for_function("() => document.querySelector('form.datasette-vega + div svg .role-mark')",
                           timeout=20_000)
    page.wait_for_timeout(300)   # vega draws on the next animation frame
    charts = [el.evaluate(COUNT_MARKS) for el in page.query_selector_all("form.datasette-vega + div")]
    shoot(page, query)
    assert len(charts) == 1 and charts[0]["kind"] == "svg" and charts[0]["marks"] > 0, charts
    # axis titles are the columns' Chinese names (plugins/vega_panel.py), not their keys
    titles = page.locator("form.datasette-vega + div .role-axis-title text").all_text_contents()
    assert titles and all(re.search(r"[\u4e00-\u9fff]", t) for t in titles), titles
    assert page.locator("details.gk-pandas summary").inner_text() == "在 Jupyter 中用 pandas 读取这些数据"
    code = page.locator("details.gk-pandas pre").text_content()
    assert f"/{name}/{query}.json?_shape=array" in code
    assert page.errors == []


# ---------------------------------------------------------------------------------------------
# The site for its readers: clicks, screenshots, no English
# ---------------------------------------------------------------------------------------------

def _report_id(db_path, filename: str) -> str:
    with sqlite3.connect(db_path) as c:
        return c.execute("select id from reports where path like ?", [f"%{filename}"]).fetchone()[0]


def test_click_from_the_reports_table_to_a_report_page(server, page, db_path):
    page.goto(server + "/gongkai/reports?_sort=agency")
    shoot(page, "table_reports")
    link = page.locator("a.gk-report").first
    report_id = link.inner_text()
    link.click()
    page.wait_for_url(f"**/reports/{report_id}")
    with sqlite3.connect(db_path) as c:
        title = c.execute("select title from reports where id = ?", [report_id]).fetchone()[0]
    assert page.locator("h1").inner_text() == title
    assert page.locator("table.table3, p:has-text('本报告没有该表')").count() >= 1
    assert page.errors == []


def test_click_from_a_check_failure_to_the_highlighted_cell(server, page, db_path):
    """平潭 2022 (web page): TX-counts fails on table 3's new applications (prose 75, table 74)."""
    report_id = _report_id(db_path, "pingtan_2022.html")
    page.goto(server + "/gongkai/checks_TX-counts?year=2022")
    shoot(page, "check_page")
    page.locator(f"a.gk-cell[href*='{report_id}']").first.click()
    page.wait_for_url(f"**/reports/{report_id}#cell-applications-new_received-total")
    cell = page.locator("#cell-applications-new_received-total")
    assert cell.inner_text() == "74"
    assert cell.evaluate("e => e.matches(':target')")
    assert cell.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(255, 232, 161)"
    assert cell.is_visible() and cell.evaluate("e => e.getBoundingClientRect().top >= 0 && "
                                               "e.getBoundingClientRect().bottom <= innerHeight")
    # hovering the rule's block highlights its cells too
    page.locator("#rule-TX-counts").hover()
    assert "gk-hl" in (cell.get_attribute("class") or "")
    shoot(page, "report_check_failure")
    # the number links on to its mark in the source text
    cell.locator("a").click()
    mark = page.locator("#src-cell-applications-new_received-total + mark")
    assert mark.inner_text() == "74"
    assert mark.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(255, 159, 67)"
    assert page.errors == []


def test_click_from_a_search_hit_to_the_matching_line(server, page, db_path):
    report_id = _report_id(db_path, "pingtan_2023.txt")
    page.goto(server + "/search?q=" + "“邮寄、网络提交”")
    shoot(page, "search")
    hit = page.locator(f"div.gk-hit a.gk-report[href*='{report_id}']")
    assert hit.count() == 1
    hit.click()
    page.wait_for_url(f"**/reports/{report_id}?q=*#L10-*")
    anchor = page.evaluate("location.hash").lstrip("#")
    piece = page.locator(f"[id='{anchor}']")
    assert "邮寄、网络提交" in piece.inner_text()
    assert piece.locator("mark.gk-q").first.inner_text() == "邮寄、网络提交"
    assert piece.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(255, 239, 158)"
    assert piece.evaluate("e => { const r = e.getBoundingClientRect(); return r.top < innerHeight && r.bottom > 0; }")
    shoot(page, "report_search_hit")
    assert page.errors == []


def test_datasette_vega_panel_in_chinese(server, page):
    page.goto(server + "/gongkai/charts_province_ranking")
    button = page.locator(".datasette-vega-inactive button")
    button.wait_for(timeout=20_000)
    page.wait_for_function("() => document.querySelector('.datasette-vega-inactive button').textContent === '显示图表选项'",
                           timeout=5_000)
    button.click()
    page.wait_for_function("() => { const h = document.querySelector('form.datasette-vega h3');"
                           " return h && h.textContent === '图表选项'; }", timeout=5_000)
    labels = page.locator("form.datasette-vega label").all_inner_texts()
    assert any(label.startswith("横轴列") for label in labels) and any(label.strip().startswith("柱状图")
                                                                    for label in labels), labels
    # the column menus show each column as its header does; the option's value stays the key (the URL's)
    options = page.locator("form.datasette-vega select[name=x_column] option")
    got = dict(zip(options.evaluate_all("os => os.map(o => o.value)"), options.all_text_contents()))
    assert got["province"] == "省级行政区" and got["agencies"] == "机关数", got
    page.locator("form.datasette-vega input[type=radio][value=bar]").check()
    page.locator("form.datasette-vega select[name=x_column]").select_option("province")
    page.locator("form.datasette-vega select[name=y_column]").select_option("agencies")
    page.wait_for_function("() => Array.from(document.querySelectorAll('form.datasette-vega + div .role-axis-title text'))"
                           ".map(t => t.textContent).join('|') === '省级行政区|机关数'", timeout=10_000)
    # the binned type says so in Chinese, and the tooltip names the columns in Chinese
    assert page.evaluate("window.gkVegaTitle('agencies', true)") == "机关数（分段）"
    assert "g.x_column=province" in page.evaluate("location.hash")
    shoot(page, "chart_panel")
    assert page.errors == []


# Visible English allowed: numbers and ids (report ids, file names, table names, codes in .gk-key, SQL in
# pre/code), and the names of formats and programs a reader meets anyway.
ALLOWED_WORDS = {"SQL", "JSON", "CSV", "Datasette", "Excel", "xlsx", "PDF", "Word", "Jupyter", "SQLite", "Python", "pandas",
                 "UTF-8", "GBK", "GB18030", "MB", "KB", "GB", "Apache-2.0", "SHA-256",
                 "utf-8", "gb18030", "gbk", "utf-16", "utf-8-sig", "docx"}                 # encodings as detected
VISIBLE_TEXT = """() => {
  const skip = 'script, style, .gk-key, pre, code, textarea, .source-text, .section-text, .report-exports, .diff .side';
  const clone = document.body.cloneNode(true);
  clone.querySelectorAll(skip).forEach(e => e.remove());
  document.body.appendChild(clone);
  clone.style.position = 'absolute';
  const text = clone.innerText;
  clone.remove();
  return text;
}"""


def english_words(text: str, ids: set[str]) -> list[str]:
    import re

    text = re.sub(r"\b[0-9a-f]{16,64}\b", " ", text)                 # report ids, SHA-256 digests
    text = re.sub(r"https?://\S+|[\w.-]+\.(?:txt|html?|md|markdown|pdf|docx|db)\b", " ", text)  # URLs, files
    words = re.findall(r"[A-Za-z][A-Za-z0-9_.\-]*[A-Za-z0-9]|[A-Za-z]", text)
    return sorted({w for w in words if w not in ALLOWED_WORDS and w not in ids})


def test_no_visible_english(server, page, db_path):
    with sqlite3.connect(db_path) as c:
        ids = {r[0] for r in c.execute("select name from sqlite_master where type in ('table', 'view')")}
        report_id = c.execute("select id from reports where path like '%004_2baf5ee0490418e5.txt'").fetchone()[0]
        long_id = c.execute("select id from reports where path like '%pingtan_2023.txt'").fetchone()[0]
    pages = {
        "home": "/", "report_list": "/reports", "report": f"/reports/{report_id}",
        "report_one_line": f"/reports/{long_id}", "search": "/search?q=行政复议",
        "search_nothing": "/search?q=量子纠缠", "overview": "/-/overview", "downloads": "/-/downloads",
        "table_reports": "/gongkai/reports", "table_check_results": "/gongkai/check_results?status=fail",
        "table_warnings": "/gongkai/warnings", "table_cells": "/gongkai/cells", "database": "/gongkai",
        "chart_query": "/gongkai/charts_province_ranking", "row": f"/gongkai/reports/{report_id}",
        "not_found": "/gongkai/nosuch", "sql_error": "/gongkai?sql=select+nope",
    }
    with sqlite3.connect(db_path) as c:
        a, b = (c.execute("select id from reports where path like ?", [f"%{n}"]).fetchone()[0]
                for n in ("pingtan_2022.html", "pingtan_2023.txt"))
    pages.update({
        "chart_query_drawn": "/gongkai/charts_applications_per_year#g.mark=bar&g.x_column=year&g.x_type=ordinal"
                             "&g.y_column=received_all_forms&g.y_type=quantitative",
        "chart_query_filtered": "/gongkai/charts_outcome_composition?year_from=2012&year_to=2020&province=",
        "overview_filtered": "/-/overview?year_from=2011&year_to=2018&province=福建省",
        "overview_wrong_value": "/-/overview?year_from=1999&province=火星",
        "report_list_filtered": "/reports?year=2013&province=福建省", "report_list_wrong": "/reports?year=abc",
        "search_empty": "/search", "compare": f"/compare/{a}/{b}",
        "table_applications": "/gongkai/applications_labeled", "table_legacy_stats": "/gongkai/legacy_stats",
        "table_annual_series": "/gongkai/annual_series?_sort=year", "table_report_quality": "/gongkai/report_quality",
        "table_facts": "/gongkai/facts", "table_code_labels": "/gongkai/code_labels",
        "table_year_stats": "/gongkai/year_stats", "table_legacy_series_stats": "/gongkai/legacy_series_stats",
        "row_check_result": "/gongkai/check_rows/1", "report_legacy": f"/reports/{a}",
        "check_wrong_status": "/gongkai/checks_T3-balance?status=fial",
        "table_facet": "/gongkai/reports?_facet=template&_facet=province",
    })
    # a check page: its description is the rule file's header (canned_queries/checks/, which names the
    # status values and check_results' columns for SQL users); the rest of the page must be Chinese
    pages["check_page"] = "/gongkai/checks_TX-counts?year=2022"
    found = {}
    for name, path in pages.items():
        page.goto(server + path)
        page.wait_for_load_state("networkidle")
        shoot(page, f"page_{name}")
        if name in ("chart_query_drawn",):
            page.wait_for_function("() => document.querySelector('form.datasette-vega + div svg .role-mark')",
                                   timeout=20_000)
        # the check pages' descriptions (the rule files' headers) and the data dictionary's descriptions
        # (annual_series, year_stats, code_labels, legacy_stats) name their keys for SQL users
        if name in ("check_page", "check_wrong_status", "table_annual_series", "table_year_stats",
                    "table_code_labels", "table_legacy_stats"):
            page.evaluate("document.querySelectorAll('.metadata-description').forEach(e => e.remove())")
        typed = {"fial"} if name == "check_wrong_status" else set()    # the visitor's own wrong value, echoed
        words = english_words(page.evaluate(VISIBLE_TEXT), ids | typed)
        if words:
            found[name] = words
    assert not found, found


def test_comparison_draws_highlighted_differences(server, page, db_path):
    """平潭 2022 → 2023: the rewritten 总体情况 shows struck-out (red) and inserted (green) text, side by side."""
    with sqlite3.connect(db_path) as c:
        a, b = (c.execute("select id from reports where path like ?", [f"%{name}"]).fetchone()[0]
                for name in ("pingtan_2022.html", "pingtan_2023.txt"))
    page.goto(f"{server}/compare/{a}/{b}")
    one = page.locator('.diff[data-section="一"]')
    deleted = one.locator(".side-a del.diff-del").first
    inserted = one.locator(".side-b ins.diff-ins").first
    deleted.scroll_into_view_if_needed()
    shoot(page, "compare")
    for el, colour in ((deleted, "rgb(248, 215, 218)"), (inserted, "rgb(212, 237, 218)")):
        box = el.bounding_box()
        assert box and box["width"] > 0 and box["height"] > 0          # drawn, not just present in the markup
        assert el.evaluate("e => getComputedStyle(e).backgroundColor") == colour
    left, right = (one.locator(s).bounding_box() for s in (".side-a", ".side-b"))
    assert right["x"] >= left["x"] + left["width"]                     # the two texts side by side
    assert page.locator('tr.same-nonzero[data-row="review"][data-col="total"]').count() == 1
    assert page.errors == []
