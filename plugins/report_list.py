"""The report list `/reports`: every report one click from its page, filtered by year, province,
form and agency text.

Why a page of our own (and not only Datasette's reports table): a reader looks for "this county's
2022 report", not for a table row; this page shows what a reader picks by (agency, year, region,
form, how many rules failed) with the Chinese labels, and each title opens `/reports/{id}`. The
filter values come from `year_stats` (a few hundred rows at any scale), the rows from `reports`
through its (year, template, province) index, in that order (newest year first, then form and
province), so a page costs its 50 rows, not a sort of every report. The same filters as a table page and as JSON/CSV
are linked under the list.
"""
from __future__ import annotations

from urllib.parse import urlencode

from datasette import hookimpl
from datasette.utils.asgi import Response

from ingest.site import labels
from ingest.site.charts import reports_database

PAGE_SIZE = 50
MAX_PAGE = 200          # offset pagination: 200 pages × 50 = the first 10,000 rows of a filter
AGENCY_MAX = 50         # characters of agency text kept from the query string
COUNT_CAP = 10_000      # reports counted exactly; beyond, the page says "more than"


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def filters_of(args) -> dict:
    """The reader's filters, cleaned: a bad value is dropped (and reported), never passed to SQL as is."""
    agency = (args.get("agency") or "").strip()[:AGENCY_MAX]
    return {
        "year": _int(args.get("year")),
        "province": (args.get("province") or "").strip()[:20],
        "template": (args.get("template") or "").strip()[:10],
        "agency": agency,
        "page": min(max(_int(args.get("page")) or 1, 1), MAX_PAGE),
    }


def where_clause(f: dict) -> tuple[str, dict]:
    where, params = [], {}
    if f["year"] is not None:
        where.append("r.year = :year")
        params["year"] = f["year"]
    if f["province"]:
        if f["province"] == "未识别省份":
            where.append("r.province is null")
        else:
            where.append("r.province = :province")
            params["province"] = f["province"]
    if f["template"]:
        where.append("r.template = :template")
        params["template"] = f["template"]
    if f["agency"]:
        # instr, not LIKE: the reader's % and _ are text, not wildcards
        where.append("(instr(r.agency, :agency) > 0 or instr(r.title, :agency) > 0)")
        params["agency"] = f["agency"]
    return (" where " + " and ".join(where)) if where else "", params


async def report_list(request, datasette):
    db = await reports_database(datasette)
    if db is None:
        return Response.html("没有报告数据库", status=404)
    f = filters_of(request.args)
    options = await filter_options(db)
    notes = unknown_values(f, options)
    where, params = where_clause(f)
    has_stats = await db.table_exists("report_stats")
    join = "left join report_stats s on s.report_id = r.id" if has_stats else ""
    failed = "s.rules_failed" if has_stats else "null"
    # counted up to a cap: an agency-text filter reads every report, and a reader needs "more than 10,000" only
    total = (await db.execute(f"select count(*) from (select 1 from reports r{where} limit {COUNT_CAP + 1})",
                              params)).first()[0]
    offset = (f["page"] - 1) * PAGE_SIZE
    rows = [dict(r) for r in (await db.execute(
        f"""select r.id, r.title, r.agency, r.year, r.province, r.city, r.county, r.template, r.parse_status,
                   r.n_warnings, {failed} as rules_failed
            from reports r {join}{where}
            order by r.year desc, r.template desc, r.province desc, r.rowid desc
            limit {PAGE_SIZE} offset {offset}""", params)).rows]
    for r in rows:
        r["template_label"] = labels.code_label("template", r["template"]) or (r["template"] or "")
        r["status_label"] = labels.code_label("parse_status", r["parse_status"]) or ""
        r["region"] = "".join(x for x in (r["province"], r["city"], r["county"]) if x) or "未识别"
    query = {k: v for k, v in f.items() if k != "page" and v not in (None, "")}

    def page_url(page: int) -> str:
        return datasette.urls.path("/reports") + "?" + urlencode({**query, "page": page})

    n_pages = min(MAX_PAGE, max(1, -(-total // PAGE_SIZE)))
    table_args = {("year" if k == "year" else k): v for k, v in query.items() if k in ("year", "province", "template")}
    if f["agency"]:
        table_args["agency__contains"] = f["agency"]
    table_url = datasette.urls.table(db.name, "reports") + ("?" + urlencode(table_args) if table_args else "")
    context = {
        "database": db.name,
        "filters": f,
        "options": options,
        "rows": rows,
        "total": min(total, COUNT_CAP),
        "more_than": total > COUNT_CAP,
        "offset": offset,
        "n_pages": n_pages,
        "prev_url": page_url(f["page"] - 1) if f["page"] > 1 else None,
        "next_url": page_url(f["page"] + 1) if f["page"] < n_pages else None,
        "table_url": table_url,
        "json_url": table_url.replace("/reports", "/reports.json", 1) if "?" in table_url
        else table_url + ".json",
        "bad_year": request.args.get("year") not in (None, "") and _int(request.args.get("year")) is None,
        "notes": notes,
    }
    html = await datasette.render_template("report_list.html", context, request=request)
    return Response.html(html)


def unknown_values(f: dict, options: dict) -> list[str]:
    """A year, province or form the database does not hold is dropped from the filters, with a note saying so
    (an empty list would look like "no reports match")."""
    notes = []
    known = {"year": {o["year"] for o in options["years"]}, "province": {o["province"] for o in options["provinces"]},
             "template": {o["template"] for o in options["templates"]}}
    names = {"year": "年度", "province": "省份", "template": "报告格式"}
    for key in ("year", "province", "template"):
        value = f[key]
        if value not in (None, "") and value not in known[key]:
            notes.append(f"{names[key]}“{value}”不在数据库中，已忽略该条件。")
            f[key] = None if key == "year" else ""
    return notes


async def filter_options(db) -> dict:
    """Years, provinces and forms present, with their report counts (from year_stats when built)."""
    if await db.table_exists("year_stats"):
        src = "year_stats"
        count = "sum(reports)"
    else:
        src, count = "reports", "count(*)"
    years = [dict(r) for r in (await db.execute(
        f"select year, {count} as n from {src} where year is not null group by year order by year desc")).rows]
    provinces = [dict(r) for r in (await db.execute(
        f"select coalesce(province, '未识别省份') as province, {count} as n from {src} "
        f"group by coalesce(province, '未识别省份') order by n desc, province")).rows]
    templates = [dict(r) for r in (await db.execute(
        f"select template, {count} as n from {src} where template is not null group by template "
        f"order by template")).rows]
    for t in templates:
        t["label"] = labels.code_label("template", t["template"]) or t["template"]
    return {"years": years, "provinces": provinces, "templates": templates}


@hookimpl
def register_routes():
    return [(r"^/reports/?$", report_list)]
