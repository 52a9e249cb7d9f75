"""The overview page `/-/overview` (in Chinese) and the route serving the Vega-Lite scripts.

Why the numbers come from the canned queries in `canned_queries/charts/`: each chart on the page
links to the Datasette query that produced its data, so the SQL a reader sees there is the SQL the
chart was drawn from — one file, no copy in Python.

The scripts: see ingest/site/charts.py (why altair_viewer's standalone builds, served by our route).
"""
from __future__ import annotations

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response

from ingest import forms
from ingest.site.charts import (VEGA_FILES, chart_query, json_for_script, ordered_values, reports_database,
                           vega_dir, vega_lite, vega_script_urls)


async def vega_script(request, datasette):
    name = request.url_vars["name"]
    if name not in VEGA_FILES:
        raise NotFound("没有这个脚本")
    body = (vega_dir() / VEGA_FILES[name]).read_bytes()
    return Response(body, content_type="application/javascript; charset=utf-8",
                    headers={"cache-control": "public, max-age=86400"})


COUNT_AXIS = {"tickMinStep": 1, "format": "d"}   # counts of reports: no 0.5 ticks


def _bar(x: dict, y: dict, **extra) -> dict:
    return {"mark": {"type": "bar", "tooltip": True}, "encoding": {"x": x, "y": y, **extra}}


def chart_specs(q: dict[str, dict]) -> list[dict]:
    """The Vega-Lite specs of the page, each with the query it draws (data inlined)."""
    year = {"field": "year", "type": "ordinal", "title": "年度", "axis": {"labelAngle": 0}}
    outcome_order = ordered_values(q["outcomes"]["rows"], "outcome", "outcome_order")
    templates = [{**r, "template_label": forms.TEMPLATE_LABELS.get(r["template"], r["template"]).split("（")[0]}
                 for r in q["templates"]["rows"]]
    charts = [
        ("totals", "各年度本年新收申请", "表三“本年新收政府信息公开申请数量”总计列的合计（件）。",
         _bar(year, {"field": "new_received", "type": "quantitative", "title": "本年新收申请（件）"})),
        ("outcomes", "办理结果构成", "各年度表三办理结果六类所占比例。",
         _bar(year, {"field": "applications", "type": "quantitative", "stack": "normalize",
                     "title": "占办理结果的比例", "axis": {"format": "%"}},
              color={"field": "outcome", "type": "nominal", "title": "办理结果", "sort": outcome_order},
              order={"field": "outcome_order", "type": "quantitative"})),
        ("withheld", "各省份不予公开、无法提供的比例",
         "不予公开与无法提供两组之和占办理结果六类合计的百分比。",
         _bar({"field": "withheld_pct", "type": "quantitative", "title": "不予公开＋无法提供（%）"},
              {"field": "province", "type": "nominal", "title": "省份", "sort": "-x"})),
        ("templates", "各年度各格式的报告数", "按报告年度和报告格式统计的报告数。",
         _bar(year, {"field": "reports", "type": "quantitative", "title": "报告数", "axis": COUNT_AXIS},
              color={"field": "template_label", "type": "nominal", "title": "报告格式"})),
        ("failures", "各年度各条规则不通过的报告数", "每格数字为该年度该规则不通过的报告文件数。",
         {"encoding": {"x": year, "y": {"field": "rule_id", "type": "nominal", "title": "规则"}},
          "layer": [
              {"mark": {"type": "rect", "tooltip": True},
               "encoding": {"color": {"field": "reports_failed", "type": "quantitative", "title": "报告数",
                                      "scale": {"scheme": "oranges"}}}},
              {"mark": {"type": "text"}, "encoding": {"text": {"field": "reports_failed", "type": "quantitative"}}},
          ]}),
        ("rules", "各条规则不通过的报告数", "全部年度合计，按报告文件计。",
         _bar({"field": "rule_id", "type": "nominal", "title": "规则", "axis": {"labelAngle": -40}},
              {"field": "reports_failed", "type": "quantitative", "title": "不通过的报告数", "axis": COUNT_AXIS})),
        ("corrections", "行政复议、行政诉讼纠错率",
         "结果纠正占已审结案件（维持＋纠正＋其他）的百分比；没有已审结案件的年度不画点。",
         {"mark": {"type": "line", "point": True, "tooltip": True},
          "encoding": {"x": year,
                       "y": {"field": "corrected_pct", "type": "quantitative", "title": "纠错率（%）"},
                       "color": {"field": "kind", "type": "nominal", "title": "类别"}}}),
    ]
    data_rows = {"templates": templates}
    out = []
    for key, title, note, spec in charts:
        rows = data_rows.get(key, q[key]["rows"])
        full = vega_lite(rows, spec)
        out.append({"key": key, "title": title, "note": note, "query": q[key], "spec": full,
                    "spec_json": json_for_script(full), "empty": not rows})
    return out


CHART_QUERIES = {
    "totals": "applications_per_year",
    "outcomes": "outcome_composition",
    "withheld": "withheld_share_by_province",
    "templates": "reports_by_year_template",
    "failures": "check_failures_by_rule_year",
    "rules": "check_failures_per_rule",
    "corrections": "correction_rates",
    "ranking": "province_ranking",
}


async def overview_page(request, datasette):
    db = await reports_database(datasette)
    if db is None:
        raise NotFound("没有报告数据库")
    q = {key: await chart_query(datasette, db, name) for key, name in CHART_QUERIES.items()}
    totals = q["totals"]["rows"]
    summary = {
        "reports": sum(r["reports"] or 0 for r in totals),
        "first_year": totals[0]["year"] if totals else None,
        "last_year": totals[-1]["year"] if totals else None,
        "new_received": sum(r["new_received"] or 0 for r in totals),
        "reports_with_table3": sum(r["reports_with_table3"] or 0 for r in totals),
    }
    context = {
        "database": db.name,
        "summary": summary,
        "charts": chart_specs(q),
        "totals": q["totals"],
        "ranking": q["ranking"],
        "vega_scripts": vega_script_urls(datasette),
    }
    html = await datasette.render_template("overview.html", context, request=request)
    return Response.html(html)


@hookimpl
def register_routes():
    return [
        (r"^/-/overview$", overview_page),
        (r"^/-/gongkai-vega/(?P<name>[a-z-]+\.js)$", vega_script),
    ]


@hookimpl
def menu_links(datasette):
    return [{"href": datasette.urls.path("/-/overview"), "label": "数据概览"}]
