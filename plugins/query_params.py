"""Parameters of the canned queries as a reader fills them: drop-downs where the values are known,
Chinese names, and a message (not an empty table) when a value cannot match.

Why: the check and chart queries take `year`, `province`, `status` (and `adcode`, `agency_id`, `q`);
a reader does not know that `status` takes `fail` or that provinces are spelt "福建省". The known
values come from the database (`year_stats`, a few hundred rows at any scale) and from the single
definition of the check statuses (`ingest.database.checks.RESULT_STATUSES`, via ingest.site.labels).
"""
from __future__ import annotations

import markupsafe
from datasette import hookimpl

from ingest.site import labels

PARAM_LABELS = {
    "year": "报告年度", "province": "省份", "adcode": "行政区划代码（6 位）", "status": "核对结果",
    "q": "检索词", "agency_id": "机关标识", "year_from": "起始年度", "year_to": "截止年度",
    "template": "报告格式", "same_agency": "是否同一机关", "min_similarity": "最低相似度（0–1）",
    "min_chars": "最少字数",
}
TEMPLATE_OPTIONS = [("", "全部格式")] + list(labels.code_labels()["template"].items())
SAME_AGENCY_OPTIONS = [("", "不限"), ("1", "同一机关"), ("0", "不同机关")]
# The check queries' status parameter: empty = the failures (canned_queries/checks/, checks.SCOPE)
STATUS_OPTIONS = [("", "不通过（默认）")] + [(k, v) for k, v in labels.code_labels()["check_status"].items()] + [
    ("all", "全部")]


async def known_values(db) -> dict[str, list[tuple[str, str]]]:
    source = "year_stats" if await db.table_exists("year_stats") else "reports"
    years = [str(r[0]) for r in (await db.execute(
        f"select distinct year from {source} where year is not null order by year desc")).rows]
    provinces = [r[0] for r in (await db.execute(
        f"select distinct province from {source} where province is not null order by province")).rows]
    return {
        "year": [("", "全部年度")] + [(y, f"{y} 年") for y in years],
        "year_from": [("", "不限")] + [(y, f"{y} 年") for y in years],
        "year_to": [("", "不限")] + [(y, f"{y} 年") for y in years],
        "province": [("", "全部省份")] + [(p, p) for p in provinces],
        "status": STATUS_OPTIONS,
        "template": TEMPLATE_OPTIONS,
        "same_agency": SAME_AGENCY_OPTIONS,
    }


def problems(args, options: dict[str, list[tuple[str, str]]]) -> dict[str, str]:
    """name → a message, for every parameter whose value is not one the database holds."""
    out = {}
    for name, allowed in options.items():
        value = args.get(name)
        if value is None or value == "":
            continue
        if value not in {v for v, _ in allowed}:
            # the values typed and the keys beside their labels are for SQL users: small grey keys
            choices = markupsafe.Markup("、").join(
                markupsafe.Markup('{} <span class="gk-key">{}</span>').format(t, v) if v not in t else t
                for v, t in allowed if v)
            out[name] = markupsafe.Markup('{}“<span class="gk-key">{}</span>”不是有效的值，因此没有结果。可选：{}。').format(
                PARAM_LABELS.get(name, name), value[:100], choices)
    return out


@hookimpl
def extra_template_vars(template, database, request, datasette):
    if template != "query.html" or request is None or not database:
        return {}

    async def inner():
        db = datasette.get_database(database)
        if not await db.table_exists("reports"):
            return {}
        options = await known_values(db)
        return {"gk_params": {name: {"label": PARAM_LABELS.get(name, name), "options": opts}
                              for name, opts in options.items()} | {
                                  name: {"label": label, "options": None}
                                  for name, label in PARAM_LABELS.items() if name not in options},
                "gk_param_problems": problems(request.args, options)}

    return inner
