"""The reader's search `/search?q=…`: the original text around each match with the query words
marked, the agency, year and section, and a link to the report page at the matching line.

Why a page besides the `search` canned query: the index holds jieba tokens ("人民 民政 政府"), and
FTS5's snippet() shows those tokens, not the report. This page uses the index only to find the
sections (the same segmentation as the build: `ingest.database.search.fts_query`), then reads each
hit's original section text, finds the words there (str.find, linear) and cuts a window around the
first one. The canned query stays for SQL users.

Query syntax: words separated by spaces must all occur; a phrase in quotes ("行政复议决定" or
“…”) must occur as written. Like the canned query, a common word ranks only the first 2,000 matching
sections (in index order), so one search never ranks the whole index.
"""
from __future__ import annotations

import json

import re
from urllib.parse import urlencode

import markupsafe
from datasette import hookimpl
from datasette.utils.asgi import Response

from ingest.database.schema import SECTION_TEXT_SQL
from ingest.database.search import fts_query
from ingest.site import source_view
from ingest.site.charts import reports_database

MAX_QUERY = 100        # characters of the query kept
MAX_TERMS = 8          # words and phrases kept
CAP = 2000             # sections ranked for an unfiltered common word
PAGE = 20
MAX_RESULTS = 200
WINDOW = 60            # characters shown on each side of the first match

_PHRASE = re.compile(r"[\"“”「」]([^\"“”「」]{1,60})[\"“”「」]")


def parse_query(q: str) -> tuple[list[str], list[str]]:
    """(phrases, words) of a reader's query, bounded."""
    q = (q or "")[:MAX_QUERY]
    phrases = [p.strip() for p in _PHRASE.findall(q) if p.strip()]
    rest = _PHRASE.sub(" ", q)
    words = [w for w in re.split(r"[\s,，、;；]+", rest) if w]
    return phrases[:MAX_TERMS], words[:MAX_TERMS - min(len(phrases), MAX_TERMS)]


def hit_window(text: str, terms: list[str]) -> tuple[int, int, int]:
    """(first match, window start, window end) in a section's text."""
    first = min((i for i in (text.find(t) for t in terms) if i >= 0), default=0)
    start = max(0, first - WINDOW)
    end = min(len(text), first + WINDOW * 2)
    return first, start, end


async def search(db, phrases: list[str], words: list[str], year: int | None, province: str, page: int) -> dict:
    """The page's hits, ranked, and how many sections match (exactly, up to CAP).

    Bounded at any scale: the index is walked in rowid order only until CAP + 1 sections have every word as
    written (and the year and province); ranking then reads only the matches up to that rowid (FTS5 stops
    at a rowid bound), so a common word never ranks the whole index.
    """
    terms = phrases + words
    expression = fts_query(" ".join(terms))
    if expression == '""':
        return {"rows": [], "n": 0, "capped": False}
    literal = " ".join(f"and instr({SECTION_TEXT_SQL}, :t{i}) > 0" for i in range(len(terms)))
    params = {"fts": expression, **{f"t{i}": t for i, t in enumerate(terms)}}
    filters = ""
    if year is not None:
        filters += " and r.year = :year"
        params["year"] = year
    if province:
        filters += " and r.province = :province"
        params["province"] = province
    # the tables behind the `sections` view, joined here in the order that reads a section's text (a range of
    # its report's source text, schema.SECTION_TEXT_SQL) only after the year and province filters
    found = """from sections_fts join section_spans s on s.id = sections_fts.rowid
              join reports r on r.report_key = s.report_key left join source_texts t on t.report_id = r.id
              where sections_fts match :fts"""
    # the first CAP + 1 sections that match (words as written, filters), in rowid order: the set ranked below
    count = (await db.execute(
        f"select count(*) as n, max(id) as last_id, json_group_array(id) as ids from (select s.id {found} "
        f"{literal}{filters} order by sections_fts.rowid limit {CAP + 1})", params)).first()
    if not count["n"]:
        return {"rows": [], "n": 0, "capped": False}
    capped = count["n"] > CAP
    # ranked by the index alone (the set is known: no text read again), then the texts of the page's rows only;
    # "+rowid": a filter on the ranked rows, not a constraint FTS5 would evaluate the query again for, id by id
    ranked = [r[0] for r in (await db.execute(
        f"""select sections_fts.rowid from sections_fts where sections_fts match :fts
              and sections_fts.rowid <= :last_id and +sections_fts.rowid in (select value from json_each(:ids))
              order by sections_fts.rank limit {PAGE + 1} offset {(page - 1) * PAGE}""",
        {"fts": expression, "last_id": count["last_id"], "ids": count["ids"]})).rows]
    details = {r["id"]: dict(r) for r in (await db.execute(
        f"""select s.id, r.id as report_id, s.number, s.title, s.line_start, s.line_end, {SECTION_TEXT_SQL} as text,
                   r.title as report_title, r.agency, r.year, r.province
            from section_spans s join reports r on r.report_key = s.report_key
            left join source_texts t on t.report_id = r.id
            where s.id in (select value from json_each(:ids))""", {"ids": json.dumps(ranked)})).rows}
    rows = [details[i] for i in ranked if i in details]
    return {"rows": rows[:PAGE], "more": len(rows) > PAGE, "n": min(count["n"], CAP), "capped": capped}


async def place_hits(db, rows: list[dict], terms: list[str], q: str, datasette) -> list[dict]:
    """Each hit's window of original text (words marked) and the report-page anchor of its first match."""
    ids = sorted({r["report_id"] for r in rows})
    texts = {}
    if ids:
        marks = ",".join("?" * len(ids))
        texts = {r[0]: (r[1] or "").split("\n") for r in (await db.execute(
            f"select report_id, text from source_texts where report_id in ({marks})", ids)).rows}
    out = []
    for r in rows:
        text = r["text"] or ""
        first, start, end = hit_window(text, terms)
        html = source_view.render(text, start, end, source_view.choose(source_view.word_marks(text, terms)))
        html = markupsafe.Markup("{}{}{}").format("…" if start > 0 else "", html, "…" if end < len(text) else "")
        lines = texts.get(r["report_id"], [])
        line_no, anchor = r["line_start"], None
        if lines and r["line_start"]:
            full = "\n".join(lines[r["line_start"] - 1:r["line_end"] or r["line_start"]])
            base = full.find(text[:40]) if text else 0
            pos = (base if base >= 0 else 0) + first
            line_no = r["line_start"] + full.count("\n", 0, pos)
            offset = pos - (full.rfind("\n", 0, pos) + 1)
            if line_no <= len(lines):
                anchor = source_view.anchor(line_no, source_view.pieces(lines[line_no - 1]), offset)
        anchor = anchor or f"L{line_no or 1}"
        out.append({**r, "snippet": html, "line": line_no,
                    "url": datasette.urls.path(f"/reports/{r['report_id']}") + "?" + urlencode({"q": q})
                    + f"#{anchor}"})
    return out


async def search_page(request, datasette):
    db = await reports_database(datasette)
    if db is None:
        return Response.html("没有报告数据库", status=404)
    q = (request.args.get("q") or "").strip()[:MAX_QUERY]
    try:
        year = int(request.args.get("year")) if request.args.get("year") else None
    except ValueError:
        year = None
    province = (request.args.get("province") or "").strip()[:20]
    try:
        page = min(max(int(request.args.get("page") or 1), 1), MAX_RESULTS // PAGE)
    except ValueError:
        page = 1
    years = [r[0] for r in (await db.execute(
        "select distinct year from year_stats where year is not null order by year desc")).rows] \
        if await db.table_exists("year_stats") else []
    provinces = [r[0] for r in (await db.execute(
        "select distinct province from year_stats where province is not null order by province")).rows] \
        if await db.table_exists("year_stats") else []
    notes = []
    if request.args.get("year") and (year is None or (years and year not in years)):
        notes.append(f"年度“{request.args.get('year')[:10]}”不在数据库中，已忽略该条件。")
        year = None
    if province and provinces and province not in provinces:
        notes.append(f"省份“{province}”不在数据库中，已忽略该条件。")
        province = ""
    phrases, words = parse_query(q)
    result = {"rows": [], "n": 0, "capped": False, "more": False}
    hits = []
    if phrases or words:
        result = await search(db, phrases, words, year, province, page)
        hits = await place_hits(db, result["rows"], phrases + words, q, datasette)
    args = {k: v for k, v in (("q", q), ("year", year or ""), ("province", province)) if v}

    def page_url(n: int) -> str:
        return datasette.urls.path("/search") + "?" + urlencode({**args, "page": n})

    context = {
        "database": db.name,
        "q": q, "phrases": phrases, "words": words, "year": year, "province": province,
        "years": years, "provinces": provinces, "notes": notes,
        "hits": hits, "n": result["n"], "capped": result["capped"], "page": page,
        "offset": (page - 1) * PAGE,
        "prev_url": page_url(page - 1) if page > 1 else None,
        "next_url": page_url(page + 1) if result.get("more") and page < MAX_RESULTS // PAGE else None,
        "canned_url": datasette.urls.database(db.name) + "/search?" + urlencode(
            {"q": q, "year": year or "", "province": province}),
    }
    html = await datasette.render_template("search.html", context, request=request)
    return Response.html(html)


@hookimpl
def register_routes():
    return [(r"^/search$", search_page)]


@hookimpl
def menu_links(datasette):
    return [{"href": datasette.urls.path("/search"), "label": "全文搜索"},
            {"href": datasette.urls.path("/reports"), "label": "报告列表"}]
