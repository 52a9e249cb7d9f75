"""Small charts of an agency's own history on the report page `/reports/{id}`.

Why a template variable and not a route: the report page (plugins/report_page.py) renders
`report.html`; `extra_template_vars` adds `agency_history` to that one template and
`{% include "_agency_history.html" %}` draws it. It is None — nothing shows — unless the database
holds reports of the same `reports.agency_id` for more than one year.

The rows come from the canned query `charts_agency_history` (canned_queries/charts/agency_history.sql),
so the "数据与 SQL" link under the charts opens exactly the data drawn. The charts draw table-3 figures
only: a figure the prose states (the query's `source` = 正文) can count something else — a report of
平潭 2015 says "受理申请136437件" of its service hall — so it stays in the query's data, not on the chart.
"""
from __future__ import annotations

from datasette import hookimpl

from ingest.site.charts import chart_query, json_for_script, reports_database, vega_lite, vega_script_urls

OUTCOMES = (  # (column of the query, 中文) — the six result groups of table 3, in form order
    ("granted", "予以公开"), ("partly_granted", "部分公开"), ("denied", "不予公开"),
    ("unable", "无法提供"), ("rejected", "不予处理"), ("other", "其他处理"),
)
SOURCE_ORDER = {"表三": 0, "正文": 1, None: 2}


def one_per_year(rows: list[dict], current_id: str) -> list[dict]:
    """One report per year: this page's report if it is of that year, else the one with table 3,
    else the lowest id (two copies of one report — text and web page — must not count twice)."""
    best: dict[int, dict] = {}
    for r in rows:
        key = (r["report_id"] != current_id, SOURCE_ORDER.get(r["source"], 2), r["report_id"])
        if r["year"] not in best or key < best[r["year"]][0]:
            best[r["year"]] = (key, r)
    return [best[y][1] for y in sorted(best)]


async def agency_history(datasette, report_id: str) -> dict | None:
    db = await reports_database(datasette)
    if db is None:
        return None
    found = (await db.execute("select agency_id from reports where id = ?", [report_id])).first()
    if not found or not found["agency_id"]:
        return None
    query = await chart_query(datasette, db, "agency_history", {"agency_id": found["agency_id"]})
    years = one_per_year(query["rows"], report_id)
    if len(years) < 2:
        return None
    year = {"field": "year", "type": "ordinal", "title": "年度", "axis": {"labelAngle": 0}}
    applications = [{"year": r["year"], "new_received": r["new_received"], "report_id": r["report_id"]}
                    for r in years if r["source"] == "表三" and r["new_received"] is not None]
    outcomes = [{"year": r["year"], "outcome": label, "order": i, "applications": r[col]}
                for r in years for i, (col, label) in enumerate(OUTCOMES) if r[col] is not None]
    charts = []
    if applications:
        charts.append({"key": "applications", "title": "本年新收申请（件，表三）", "spec": vega_lite(applications, {
            "mark": {"type": "bar", "tooltip": True},
            "encoding": {"x": year,
                         "y": {"field": "new_received", "type": "quantitative", "title": "件"}}},
                                           height=160)})
    if outcomes:
        charts.append({"key": "outcomes", "title": "办理结果（件）", "spec": vega_lite(outcomes, {
            "mark": {"type": "bar", "tooltip": True},
            "encoding": {"x": year,
                         "y": {"field": "applications", "type": "quantitative", "title": "件"},
                         "color": {"field": "outcome", "type": "nominal", "title": "办理结果",
                                   "sort": [label for _, label in OUTCOMES]},
                         "order": {"field": "order", "type": "quantitative"}}}, height=160)})
    for chart in charts:
        chart["spec_json"] = json_for_script(chart["spec"])
    return {
        "agency_id": found["agency_id"],
        "years": years,
        "charts": charts,
        "query": query,
        "vega_scripts": vega_script_urls(datasette),
    }


@hookimpl
def extra_template_vars(template, request, datasette):
    if template != "report.html" or request is None or "report_id" not in (request.url_vars or {}):
        return {}

    async def inner():
        return {"agency_history": await agency_history(datasette, request.url_vars["report_id"])}

    return inner
