"""The home page leads a visitor to the overview, the consistency-check results and the reports."""
from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from ingest.database.build import build
from ingest.site.serve import make_datasette

REPORTS = Path(__file__).resolve().parent.parent / "data" / "reports"


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    path = tmp_path_factory.mktemp("index") / "gongkai.db"
    build([REPORTS], path, workers=2, progress=False)
    ds = make_datasette(path)
    loop = asyncio.new_event_loop()
    html = loop.run_until_complete(ds.client.get("/")).text
    checks = loop.run_until_complete(ds.client.get("/gongkai/check_results?status=fail")).status_code
    loop.close()
    return html, checks


def test_home_links_to_checks_overview_and_results(home):
    html, checks_status = home
    assert re.search(r'<a href="/-/overview#chart-failures">勾稽关系核对概览</a>', html)
    assert '<a href="/gongkai/check_results?status=fail">全部不通过的核对结果</a>' in html
    assert '<a href="/gongkai/report_quality">每份报告的质量汇总</a>' in html
    assert '<a href="/reports">报告列表</a>' in html
    assert checks_status == 200


def test_overview_has_the_failures_chart_anchor(tmp_path):
    overview = (Path(__file__).resolve().parent.parent / "plugins" / "overview.py").read_text(encoding="utf-8")
    template = (Path(__file__).resolve().parent.parent / "templates" / "overview.html").read_text(encoding="utf-8")
    # the home page links to #chart-failures: the overview renders one section per chart key
    assert '("failures",' in overview and 'id="chart-{{ chart.key }}"' in template
