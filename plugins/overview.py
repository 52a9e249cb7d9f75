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
from ingest.site import labels
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
NO_DATA = "无数据"
NO_DATA_COLOR = "#d9d9d9"
ZERO_COLOR = "#ffffff"
HEAT_ZERO = "0：已核对，无不通过"
HEAT_NO_DATA = "无数据：没有适用的报告"


def _bar(x: dict, y: dict, **extra) -> dict:
    return {"mark": {"type": "bar", "tooltip": True}, "encoding": {"x": x, "y": y, **extra}}


def _labelled_bar(x: dict, y: dict, value: str, horizontal: bool = False, color: dict | None = None) -> dict:
    """A bar chart whose bars carry their value, and "无数据" where the value is null (no bar ≠ a zero bar)."""
    text = {"field": value, "type": "quantitative", "format": ",",
            "condition": {"test": f"datum['{value}'] === null", "value": NO_DATA}}
    label = {"type": "text", "invalid": None, "fontSize": 10,
             **({"align": "left", "dx": 3} if horizontal else {"dy": -6})}
    return {"encoding": {"x": x, "y": y},
            "layer": [{"mark": {"type": "bar", "tooltip": True}, **({"encoding": {"color": color}} if color else {})},
                      {"mark": label, "encoding": {"text": text,
                                                   "color": {"condition": {"test": f"datum['{value}'] === null",
                                                                           "value": "#999"}, "value": "#333"}}}]}


def rule_short(rule_id: str) -> str:
    """A rule's Chinese title without its bracketed formula: an axis label that fits."""
    return labels.rule_title(rule_id).split("（")[0]


LEGACY_PERIOD = "2008–2018：统计表受理申请数（口径不同）"
MODERN_PERIOD = "2019 年起：表三本年新收"
NOTE_COLOR = "#8a5a00"


def on_chart_note(text: str, width: int = 30) -> dict:
    """A note drawn on the chart itself (a Vega-Lite title in small type, cut into lines of `width` characters),
    so a saved image of the chart still says it."""
    lines, line = [], ""
    for ch in text:
        line += ch
        if len(line) >= width and ch in "，。；：、）":
            lines.append(line)
            line = ""
    if line:
        lines.append(line)
    return {"text": lines, "fontSize": 11, "fontWeight": "normal", "color": NOTE_COLOR, "anchor": "start",
            "lineHeight": 15}


def empty_years(rows: list[dict], templates: list[dict], value: str) -> list[dict]:
    """The years of a stacked chart without a bar: "0 件" where every value is 0, "无数据" where none is known
    (years with reports in range but no number), so an empty column is never ambiguous."""
    years = sorted({r["year"] for r in templates})
    values: dict = {}
    for r in rows:
        values.setdefault(r["year"], []).append(r[value])
    out = []
    for y in years:
        known = [v for v in values.get(y, []) if v is not None]
        if not known:
            out.append({"year": y, "label": NO_DATA})
        elif sum(known) == 0:
            out.append({"year": y, "label": "0 件"})
    return out


def _year_series(totals: list[dict]) -> tuple[list[dict], list[dict]]:
    """The applications and the reviews/lawsuits per year across forms (annual_series for the legacy years):
    each year's value, and which period's definition it follows."""
    received, cases = [], []
    for r in totals:
        legacy = r.get("new_received") is None and r.get("received_legacy") is not None
        received.append({"year": r["year"], "received": r["received_all_forms"],
                         "period": LEGACY_PERIOD if legacy else MODERN_PERIOD,
                         "reports": r["reports"]})
        for kind, key in (("行政复议", "reviews_all_forms"), ("行政诉讼", "lawsuits_all_forms")):
            cases.append({"year": r["year"], "kind": kind, "cases": r.get(key)})
    return received, cases


def chart_specs(q: dict[str, dict]) -> list[dict]:
    """The Vega-Lite specs of the page, each with the query it draws (data inlined)."""
    year = {"field": "year", "type": "ordinal", "title": "年度", "axis": {"labelAngle": 0}}
    legacy_years = sorted({r["year"] for r in q["templates"]["rows"] if r["template"] == "legacy"})
    received, cases = _year_series(q["totals"]["rows"])
    outcome_order = ordered_values(q["outcomes"]["rows"], "outcome", "outcome_order")
    templates = [{**r, "template_label": forms.TEMPLATE_LABELS.get(r["template"], r["template"]).split("（")[0]}
                 for r in q["templates"]["rows"]]
    failures = [{**r, "rule": rule_short(r["rule_id"]), "rule_title": labels.rule_title(r["rule_id"])}
                for r in q["failures"]["rows"]]
    rules = [{**r, "rule": rule_short(r["rule_id"]), "rule_title": labels.rule_title(r["rule_id"]),
              "reports_failed": r["reports_failed"] if r.get("reports_checked") else None}
             for r in q["rules"]["rows"]]
    rule_order = [rule_short(r) for r in sorted({r["rule_id"] for r in q["rules"]["rows"]})]
    heat_value = "reports_failed"
    charts = [
        ("totals", "各年度收到的申请", "2019 年起为表三“本年新收政府信息公开申请数量”总计列的合计；2008–2018 年为旧条例时期"
         "统计表的受理申请数（没有统计表时取正文写明的数字，跨格式序列 annual_series），两者口径不同（受理与本年新收），"
         "颜色区分。单位：件；“无数据”表示该年度没有可加的数字。",
         {**_labelled_bar(year, {"field": "received", "type": "quantitative", "title": "收到申请（件）"},
                          "received", color={"field": "period", "type": "nominal", "title": "口径",
                                             "sort": [LEGACY_PERIOD, MODERN_PERIOD],
                                             "scale": {"domain": [LEGACY_PERIOD, MODERN_PERIOD],
                                                       "range": ["#b8860b", "#4c78a8"]},
                                             "legend": {"orient": "bottom", "labelLimit": 320}})}),
        ("outcomes", "办理结果构成", "各年度表三办理结果六类所占比例（2008–2018 年取旧条例时期统计表的对应各类）。"
         "办理结果合计为 0 的年度标“0 件”，没有办理结果数字的年度标“无数据”。",
         {"layer": [
             {**_bar(year, {"field": "applications", "type": "quantitative", "stack": "normalize",
                            "title": "占办理结果的比例", "axis": {"format": "%"}},
                     color={"field": "outcome", "type": "nominal", "title": "办理结果", "sort": outcome_order},
                     order={"field": "outcome_order", "type": "quantitative"})},
             # a year whose bar is empty says why: nothing was answered (0), or no report gave the numbers
             {"data": {"values": empty_years(q["outcomes"]["rows"], q["templates"]["rows"], "applications")},
              "mark": {"type": "text", "fontSize": 10, "angle": 270, "color": "#777"},
              "encoding": {"x": year, "y": {"value": 130}, "text": {"field": "label", "type": "nominal"}}},
         ]},
         "旧条例时期（2008–2018）的统计表没有“不予处理”“其他处理”两类，这些年度的比例只在其余四类之间计算。"),
        ("cases", "各年度行政复议、行政诉讼案件数",
         "2019 年起为表四的案件总计（行政诉讼为未经复议直接起诉与复议后起诉之和）；2008–2018 年为旧条例时期统计表的"
         "行政复议数、行政诉讼数（跨格式序列 annual_series）。没有数字的年度不画点。",
         {"mark": {"type": "line", "point": True, "tooltip": True},
          "encoding": {"x": year,
                       "y": {"field": "cases", "type": "quantitative", "title": "案件数（件）", "axis": COUNT_AXIS},
                       "color": {"field": "kind", "type": "nominal", "title": "类别"}}}),
        ("withheld", "各省份不予公开、无法提供的比例",
         "不予公开与无法提供两组之和占办理结果六类合计的百分比。",
         _labelled_bar({"field": "withheld_pct", "type": "quantitative", "title": "不予公开＋无法提供（%）"},
                       {"field": "province", "type": "nominal", "title": "省份", "sort": "-x"},
                       "withheld_pct", horizontal=True)),
        ("ranking", "各省份本年新收申请（排名）",
         "按本年新收申请合计由多到少排列，条形旁为件数；“无数据”表示该省报告中没有可加的表三数字。"
         "（省级行政区划地图需要开放许可的边界数据，软件包仓库中没有，故以排名条形图代替。）",
         _labelled_bar({"field": "new_received", "type": "quantitative", "title": "本年新收申请（件）"},
                       {"field": "province", "type": "nominal", "title": "省份",
                        "sort": {"field": "rank", "order": "ascending"}},
                       "new_received", horizontal=True)),
        ("templates", "各年度各格式的报告数", "按报告年度和报告格式统计的报告数。",
         _bar(year, {"field": "reports", "type": "quantitative", "title": "报告数", "axis": COUNT_AXIS},
              color={"field": "template_label", "type": "nominal", "title": "报告格式"})),
        ("failures", "各年度各条规则不通过的报告数",
         "每格数字为该年度该规则不通过的报告文件数；颜色越深越多（图例为色阶）。白色“0”：已核对、无不通过；"
         "灰色“无数据”：该年度没有适用此规则的报告。",
         {"encoding": {"x": {**year, "axis": {"labelAngle": -90}},
                       "y": {"field": "rule", "type": "nominal", "title": "规则", "sort": rule_order,
                                        "axis": {"labelLimit": 220}}},
          "layer": [
              {"mark": {"type": "rect", "tooltip": {"content": "data"}, "invalid": None, "stroke": "#ccc",
                        "strokeWidth": 0.5},
               "encoding": {"color": {
                   "field": heat_value, "type": "quantitative", "title": "不通过的报告数",
                   "scale": {"scheme": "oranges", "domainMin": 0},
                   "legend": {"type": "gradient", "format": "d", "gradientLength": 160, "tickCount": 4,
                              "tickMinStep": 1},
                   "condition": [{"test": f"datum['{heat_value}'] === null", "value": NO_DATA_COLOR},
                                 {"test": f"datum['{heat_value}'] === 0", "value": ZERO_COLOR}]}}},
              {"mark": {"type": "text", "invalid": None, "fontSize": 10},
               "encoding": {"text": {"field": heat_value, "type": "quantitative",
                                     "condition": {"test": f"datum['{heat_value}'] === null", "value": "—"}},
                            "color": {"condition": {"test": f"datum['{heat_value}'] === null", "value": "#777"},
                                      "value": "#222"}}},
              # a second legend for the two cells the colour scale does not hold: 0 (white) and no data (grey)
              {"data": {"values": [{"special": HEAT_ZERO}, {"special": HEAT_NO_DATA}]},
               "mark": {"type": "square", "size": 0, "filled": True},
               "encoding": {"x": {"value": 0}, "y": {"value": 0},
                            "fill": {"field": "special", "type": "nominal", "title": "特殊格",
                                     "scale": {"domain": [HEAT_ZERO, HEAT_NO_DATA],
                                               "range": [ZERO_COLOR, NO_DATA_COLOR]},
                                     "legend": {"symbolStrokeColor": "#999", "symbolStrokeWidth": 1,
                                                "symbolSize": 120, "labelLimit": 200, "orient": "right"}}}},
          ]}),
        ("rules", "各条规则不通过的报告数", "全部年度合计，按报告文件计；“无数据”表示没有适用此规则的报告。",
         _labelled_bar({"field": "reports_failed", "type": "quantitative", "title": "不通过的报告数",
                        "axis": COUNT_AXIS},
                       {"field": "rule", "type": "nominal", "title": "规则", "sort": rule_order,
                        "axis": {"labelLimit": 220}},
                       "reports_failed", horizontal=True)),
        ("corrections", "行政复议、行政诉讼纠错率",
         "结果纠正占已审结案件（维持＋纠正＋其他）的百分比；没有已审结案件的年度不画点。",
         {"mark": {"type": "line", "point": True, "tooltip": True},
          "encoding": {"x": year,
                       "y": {"field": "corrected_pct", "type": "quantitative", "title": "纠错率（%）"},
                       "color": {"field": "kind", "type": "nominal", "title": "类别"}}},
         "旧条例时期（2008–2018）的统计表只有复议、诉讼案件数，不分结果，没有可比的纠错率：本图只含 2019 年起的年度。"),
    ]
    data_rows = {"templates": templates, "failures": failures, "rules": rules, "totals": received, "cases": cases}
    out = []
    for key, title, note, spec, *legacy_note in charts:
        if legacy_note and legacy_years:        # the range holds legacy years: the chart says what they lack
            spec = {**spec, "title": on_chart_note(legacy_note[0])}
        rows = data_rows[key] if key in data_rows else q[key]["rows"]
        height = max(260, 22 * len({r.get("province") for r in rows})) if key in ("ranking", "withheld") else \
            max(260, 22 * len(rule_order)) if key in ("failures", "rules") else 260
        full = vega_lite(rows, spec, height=height)
        out.append({"key": key, "title": title, "note": note, "query": q["totals" if key == "cases" else key],
                    "spec": full, "spec_json": json_for_script(full), "empty": not rows})
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


def known_sum(values):
    known = [v for v in values if v is not None]
    return sum(known) if known else None


async def filter_values(db) -> dict:
    years = [r[0] for r in (await db.execute(
        "select distinct year from year_stats where year is not null order by year")).rows]
    provinces = [r[0] for r in (await db.execute(
        "select distinct coalesce(province, '未识别省份') from year_stats order by 1")).rows]
    return {"years": years, "provinces": provinces}


def chosen_filters(args, values: dict) -> tuple[dict, list[str]]:
    """The overview's filters from the query string; a value the database does not hold is dropped with a note."""
    params = {"year_from": "", "year_to": "", "province": ""}
    notes = []
    for key in ("year_from", "year_to"):
        raw = (args.get(key) or "").strip()
        if raw:
            if raw.isdigit() and int(raw) in values["years"]:
                params[key] = raw
            else:
                notes.append(f"年度“{raw[:10]}”不在数据库中，已忽略。")
    raw = (args.get("province") or "").strip()
    if raw:
        if raw in values["provinces"]:
            params["province"] = raw
        else:
            notes.append(f"省份“{raw[:20]}”不在数据库中，已忽略。")
    if params["year_from"] and params["year_to"] and int(params["year_from"]) > int(params["year_to"]):
        params["year_from"], params["year_to"] = params["year_to"], params["year_from"]
    return params, notes


async def overview_page(request, datasette):
    db = await reports_database(datasette)
    if db is None:
        raise NotFound("没有报告数据库")
    values = await filter_values(db)
    params, notes = chosen_filters(request.args, values)
    q = {key: await chart_query(datasette, db, name, params) for key, name in CHART_QUERIES.items()}
    totals = q["totals"]["rows"]
    summary = {
        "reports": sum(r["reports"] or 0 for r in totals),
        "first_year": totals[0]["year"] if totals else None,
        "last_year": totals[-1]["year"] if totals else None,
        # a sum over no number is no data ("—"), not 0
        "new_received": known_sum(r["new_received"] for r in totals),
        "received_all_forms": known_sum(r["received_all_forms"] for r in totals),
        "reports_with_table3": sum(r["reports_with_table3"] or 0 for r in totals),
    }
    context = {
        "database": db.name,
        "summary": summary,
        "charts": chart_specs(q),
        "totals": q["totals"],
        "ranking": q["ranking"],
        "vega_scripts": vega_script_urls(datasette),
        "filters": params,
        "filter_values": values,
        "filter_notes": notes,
        "filtered": any(params.values()),
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
