"""The report page `/reports/{id}`: one report laid out like the official form, with provenance.

Why a page of its own: Datasette's row page shows one table at a time; a reader checking a report
wants the three statistical tables as printed, each number linked to the place in the source text
it was read from, next to that text. Rows, labels and columns come from `ingest/forms.py` (never
retyped); values and cell kinds come from the `cells` table, so a blank or a "—" shows as printed
and a number shows exactly as printed ("75", "9116.36"), amounts under a header with their unit.

Order: the report's metadata, the three tables, then the consistency checks (one compact block per
rule: its Chinese title, verdict and failing places named by the cells' printed labels; places that
could not be checked summarised and folded), the comparison with the agency's previous year, prose
figures, warnings, sections and the source text. The source is shown in readable pieces
(ingest/site/source_view.py): every table cell's number is marked in it (`#src-cell-…`), and the
words of a search (`?q=`) are marked too.

Anchors other pages link to: `#cell-{table}-{row}-{col}` (a table cell, highlighted when targeted:
check pages link there), `#rule-{rule_id}` (a rule's block: check_results links there), `#L{n}` or
`#L{n}-{k}` (a line, or piece k of a long line: search results link there).
"""
from __future__ import annotations

import json
import re
from urllib.parse import urlencode

import markupsafe

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response

from ingest import forms
from ingest.database.checks import REPORT_RESULTS_SQL
from ingest.database.search import query_tokens
from ingest.site import labels, source_view
from ingest.site.compare import report_links

DATA_TABLES = ("applications", "reviews_litigation", "active_disclosure", "cells", "facts", "sections", "warnings")
FAILING_STATUS = "fail"             # check_results.status: pass | fail | unknown | not_applicable
SHOWN_STATUSES = ("fail", "unknown")  # the page lists these; passes are counted only


async def _database(datasette):
    """The served database that holds `reports` (its name is the file stem, not fixed)."""
    for name, db in datasette.databases.items():
        if name != "_internal" and await db.table_exists("reports"):
            return db
    raise NotFound("没有报告数据库")


async def _rows(db, sql: str, params=()) -> list[dict]:
    return [dict(r) for r in (await db.execute(sql, params)).rows]


async def check_results_for(db, report_id: str) -> tuple[list[dict], dict[str, list[str]], dict[str, int]]:
    """Consistency-check results of a report: the rows to list (fail, unknown), the failing
    cells ("table:row:col" → rule ids) and the count of results per status.

    Returns ([], {}, {}) when the database has no `check_results` (checks not run).
    """
    if not await db.table_exists("check_rows"):
        return [], {}, {}
    results = await _rows(db, "select * from check_results where report_id = ? order by rule_id", [report_id])
    failing: dict[str, list[str]] = {}
    counts: dict[str, int] = {}
    shown = []
    for result in results:
        status = str(result.get("status") or "")
        counts[status] = counts.get(status, 0) + 1
        if status not in SHOWN_STATUSES:
            continue
        try:
            result["cells_list"] = json.loads(result.get("cells") or "[]") or []
        except (TypeError, ValueError):
            result["cells_list"] = []
        result["failed"] = status == FAILING_STATUS
        if result["failed"]:
            for cell in result["cells_list"]:
                failing.setdefault(cell, []).append(result["rule_id"])
        shown.append(result)
    return shown, failing, counts


def _cell_view(cell: dict | None, table: str, row: str, col: str, failing: dict[str, list[str]]) -> dict:
    """How one cell prints: the number as printed, or the blank/placeholder as in the source, with its place."""
    key = f"{table}:{row}:{col}"
    anchor = labels.cell_anchor(key)
    if cell is None:
        return _with_html({"text": "", "kind": "absent", "title": "无单元格记录", "line": None,
                           "failed": failing.get(key), "id": anchor, "href": None})
    kind = cell.get("kind") or ""
    value, printed = cell.get("value"), cell.get("printed")
    if kind == "number" or (kind == "recovered" and value is not None):
        text = printed if printed and kind == "number" else _number(value)
    elif kind == "blank":
        text = ""
    else:
        text = printed or ""
    title = forms.CELL_KINDS.get(kind, kind)
    if kind == "recovered" and cell.get("rule"):
        title += f"；{cell['rule']}"
    if cell.get("unit"):
        title += f"；单位：{cell['unit']}"
    if cell.get("line"):
        title += f"；原文第 {cell['line']} 行"
    if cell.get("page"):
        title += f"；第{cell['page']}页"
    href = None
    if cell.get("line"):
        href = "#src-" + anchor if cell.get("span_start") is not None else f"#L{cell['line']}"
    return _with_html({"text": text, "kind": kind, "title": title, "line": cell.get("line"),
                       "failed": failing.get(key), "id": anchor, "href": href})


def _with_html(c: dict) -> dict:
    """The cell's <td> as one Markup string (`html`), what the template's cell macro printed: a Jinja
    macro call per cell (200 a report) was a tenth of the page's rendering time."""
    e = markupsafe.escape
    failed = c["failed"]
    title = str(e(c["title"])) + ("；未通过：" + "、".join(str(e(labels.rule_title(r))) for r in failed) if failed else "")
    text = f'<a href="{e(c["href"])}">{e(c["text"])}</a>' if c["href"] else e(c["text"])
    c["html"] = markupsafe.Markup(f'<td id="{e(c["id"])}" class="num kind-{e(c["kind"])}'
                                  f'{" check-failed" if failed else ""}"\n    title="{title}">{text}</td>')
    return c


def mark_recovered(cell_rows: list[dict], messages: list[dict]) -> None:
    """Give each recovered cell the warning that says which rule recovered it (its tooltip)."""
    items = {i.key: i.label for items in forms.ACTIVE_ITEMS.values() for i in items}
    for c in cell_rows:
        if c.get("kind") != "recovered":
            continue
        table, key = c.get("table_name"), c.get("row_key")
        if table == "applications" and key in forms.APPLICATION_ROW_BY_KEY:
            row = forms.APPLICATION_ROW_BY_KEY[key]
            names = ("表三", (f"“{row.number}{row.label}”", f"“{row.label}”"))
        elif table == "active_disclosure" and key in items:
            names = ("表二", (f"“{items[key]}”",))
        else:
            names = ("表四", ("",))
        c["rule"] = next((m["message"] for m in messages if m["message"].startswith(names[0])
                          and any(n in m["message"] for n in names[1])), None)


def _number(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _metric_header(metric: forms.Metric, item_keys: list[str], cells: dict) -> str:
    """A table-2 column heading; an amount carries the unit its cells were printed in ("本年收费金额（万元）")."""
    if metric.kind != "amount":
        return metric.label
    units = {cells[("active_disclosure", k, metric.key)].get("unit") for k in item_keys
             if ("active_disclosure", k, metric.key) in cells} - {None, ""}
    unit = units.pop() if len(units) == 1 else "万元"      # the national forms print amounts in 万元
    return f"{metric.label}（{unit}）"


def table2_layout(template: str, cells: dict, failing: dict) -> list[dict]:
    """Table 2 blocks: each block has its metric headers and one row per item (forms.ACTIVE_ITEMS)."""
    blocks: list[dict] = []
    items = forms.ACTIVE_ITEMS.get(template, ())
    for item in items:
        if not blocks or blocks[-1]["block"] != item.block:
            keys = [i.key for i in items if i.block == item.block]
            blocks.append({"block": item.block, "title": forms.BLOCK_TITLES.get(item.block, item.block),
                           "metrics": [_metric_header(m, keys, cells) for m in item.metrics], "rows": []})
        blocks[-1]["rows"].append({
            "label": item.label,
            "cells": [_cell_view(cells.get(("active_disclosure", item.key, m.key)), "active_disclosure",
                                 item.key, m.key, failing) for m in item.metrics],
        })
    return blocks


def _table3_labels(row: forms.Row) -> tuple[str | None, str | None, str]:
    """(level 1, level 2, level 3) label of a table-3 row as the form nests them."""
    label = row.number + row.label
    if not row.group:
        return label, None, ""
    if row.group.startswith("三、"):
        return row.group, label, ""
    return forms.APPLICATION_ROWS[2].group, row.group, label


def table3_layout(six_split: bool, cells: dict, failing: dict) -> list[dict]:
    """Table 3 rows with the label cells' rowspans/colspans of the printed form."""
    rows = forms.application_rows(six_split)
    labels = [_table3_labels(r) for r in rows]

    def run(i: int, depth: int) -> int:
        """How many consecutive rows from i share the first `depth` label levels (the rowspan)."""
        n = 0
        while i + n < len(rows) and labels[i + n][:depth] == labels[i][:depth]:
            n += 1
        return n

    out = []
    for i, (row, (l1, l2, l3)) in enumerate(zip(rows, labels)):
        label_cells = []
        if i == 0 or labels[i - 1][0] != l1:
            label_cells.append({"text": l1, "rowspan": run(i, 1), "colspan": 3 if l2 is None else 1})
        if l2 is not None and (i == 0 or labels[i - 1][:2] != (l1, l2)):
            label_cells.append({"text": l2, "rowspan": run(i, 2), "colspan": 1 if l3 else 2})
        if l3:
            label_cells.append({"text": l3, "rowspan": 1, "colspan": 1})
        out.append({
            "key": row.key,
            "labels": label_cells,
            "cells": [_cell_view(cells.get(("applications", row.key, c.key)), "applications", row.key, c.key,
                                 failing) for c in forms.APPLICANT_COLUMNS],
        })
    return out


def applicant_header() -> dict:
    """Table-3 column headings: 自然人 | 法人或其他组织 (its sub-columns) | 总计, from the column descriptions."""
    cols = forms.APPLICANT_COLUMNS
    orgs = [c for c in cols if "：" in c.description]
    return {
        "first": cols[0].label,
        "group": orgs[0].description.split("：")[0] if orgs else "",
        "group_columns": [c.label for c in orgs],
        "last": cols[-1].label,
    }


def table4_layout(cells: dict, failing: dict) -> dict:
    """Table 4: one data row of kinds × outcomes; the litigation heading is read from the kinds' descriptions."""
    kinds = forms.REVIEW_KINDS
    litigation = [k for k in kinds if "：" in k.description]
    return {
        "review": kinds[0].label,
        "litigation": litigation[0].description.split("：")[0] if litigation else "",
        "litigation_kinds": [k.label for k in litigation],
        "outcomes": [o.label for o in forms.REVIEW_OUTCOMES],
        "n_outcomes": len(forms.REVIEW_OUTCOMES),
        "cells": [_cell_view(cells.get(("reviews_litigation", k.key, o.key)), "reviews_litigation", k.key, o.key,
                             failing) for k in kinds for o in forms.REVIEW_OUTCOMES],
    }


def source_links(report: dict) -> list[dict]:
    """The report's sources for the "原文" line: its URL, the page it was attached to, the files merged
    into it (ingest/database/sources.py). Only http(s) addresses become links."""
    out = []

    def add(label, url, retrieved_at=None):
        if url:
            out.append({"label": label, "url": url, "retrieved_at": retrieved_at,
                        "link": str(url).startswith(("http://", "https://"))})

    add("原文", report.get("source_url"), report.get("retrieved_at"))
    add("所附网页", report.get("attached_to"))
    try:
        merged = json.loads(report.get("merged_from") or "[]")
    except (TypeError, ValueError):
        merged = []
    for other in merged if isinstance(merged, list) else []:
        if isinstance(other, dict) and other.get("source_url") not in (report.get("attached_to"), None):
            add("同一报告的另一文件", other.get("source_url"), other.get("retrieved_at"))
    return out
# --------------------------------------------------------------------------------------------
# Consistency checks: one compact block per rule
# --------------------------------------------------------------------------------------------

VERDICT_ORDER = ("fail", "unknown", "pass", "not_applicable")


def _instance(result: dict, template: str) -> dict:
    try:
        keys = json.loads(result.get("cells") or "[]") or []
    except (TypeError, ValueError):
        keys = []
    cells = [{"key": k, "label": labels.cell_label(k, template), "id": labels.cell_anchor(k)}
             for k in keys if isinstance(k, str)]
    return {**result, "cells_view": cells, "cell_ids": " ".join(c["id"] for c in cells)}


def rule_blocks(results: list[dict], template: str) -> dict:
    """check_results rows of one report → {"blocks": rules with a failing or unknown place, "passed": [...],
    "not_applicable": [...]}, each rule with its Chinese title and verdict."""
    by_rule: dict[str, list[dict]] = {}
    for r in results:
        by_rule.setdefault(r["rule_id"], []).append(r)
    blocks, passed, not_applicable = [], [], []
    for rule_id in sorted(by_rule):
        rows = by_rule[rule_id]
        statuses = {str(r.get("status") or "") for r in rows}
        verdict = next((v for v in VERDICT_ORDER if v in statuses), "not_applicable")
        entry = {"rule_id": rule_id, "title": labels.rule_title(rule_id), "verdict": verdict,
                 "verdict_label": labels.code_label("check_status", verdict) or verdict,
                 "severity": rows[0].get("severity"),
                 "severity_label": labels.code_label("severity", rows[0].get("severity")) or ""}
        if verdict == "pass":
            passed.append(entry)
            continue
        if verdict == "not_applicable":
            entry["message"] = next((r.get("message") for r in rows if r.get("message")), "")
            not_applicable.append(entry)
            continue
        entry["failing"] = [_instance(r, template) for r in rows if r.get("status") == "fail"]
        entry["unknown"] = [_instance(r, template) for r in rows if r.get("status") == "unknown"]
        entry["n_pass"] = sum(1 for r in rows if r.get("status") == "pass")
        entry["cell_ids"] = " ".join(dict.fromkeys(
            c["id"] for i in entry["failing"] + entry["unknown"] for c in i["cells_view"]))
        blocks.append(entry)
    return {"blocks": blocks, "passed": passed, "not_applicable": not_applicable}


# --------------------------------------------------------------------------------------------
# The page
# --------------------------------------------------------------------------------------------

_SOURCE_URL = re.compile(r"(?:原文链接|原文地址|来源网址|网址)\s*[:：]\s*(https?://[^\s<>\"']{1,500})")
SOURCE_URL_LINES = 40      # the archive header of a site dump is at the top


def source_url(lines: list[str]) -> str | None:
    """The report's own address when the text states it (site dumps carry "原文链接: https://…")."""
    for line in lines[:SOURCE_URL_LINES]:
        m = _SOURCE_URL.search(line)
        if m:
            return m.group(1)
    return None


def search_words(q: str | None) -> list[str]:
    """The words to mark for `?q=`: phrases in quotes as typed, other words as typed and as jieba splits them."""
    if not q:
        return []
    q = q[:200]
    words = [w for w in re.findall(r"[\"“”]([^\"“”]{1,100})[\"“”]", q)]
    rest = re.sub(r"[\"“”][^\"“”]{1,100}[\"“”]", " ", q)
    words += [w for w in rest.split() if w]
    words += [w for w in query_tokens(rest) if len(w) > 1]
    return sorted(set(words), key=len, reverse=True)


def _offset_in(line: str, text: str | None) -> int | None:
    if not text:
        return None
    i = line.find(text[:30])
    return i if i >= 0 else None


async def previous_year(db, report: dict) -> dict | None:
    """This agency's report of the year before, and both reports' key figures (report_stats), when held."""
    if not report.get("agency_id") or report.get("year") is None or not await db.table_exists("report_stats"):
        return None
    prev = (await db.execute("select id, year, title from reports where agency_id = ? and year = ? "
                             "order by id limit 1", [report["agency_id"], report["year"] - 1])).first()
    if prev is None:
        return None
    stats = {r["report_id"]: dict(r) for r in (await db.execute(
        "select * from report_stats where report_id in (?, ?)", [report["id"], prev["id"]])).rows}
    this, before = stats.get(report["id"], {}), stats.get(prev["id"], {})
    rows = []
    for col, label in COMPARE:
        a, b = before.get(col), this.get(col)
        rows.append({"label": label, "before": a, "this": b,
                     "change": (b - a) if a is not None and b is not None else None})
    return {"id": prev["id"], "year": prev["year"], "title": prev["title"], "rows": rows}


COMPARE = (
    ("new_received", "本年新收申请（件）"), ("carried_over", "上年结转申请（件）"),
    ("total_processed", "办理结果总计（件）"), ("granted", "予以公开（件）"), ("denied", "不予公开（件）"),
    ("carried_forward", "结转下年度（件）"), ("review_total", "行政复议（件）"),
    ("litigation_total", "行政诉讼（件）"), ("rules_failed", "不通过的勾稽规则（条）"),
)


def report_meta(report: dict, url: str | None) -> list[tuple[str, str | None]]:
    region = "".join(x for x in (report.get("province"), report.get("city"), report.get("county")) if x)
    kind = labels.code_label("agency_kind", report.get("agency_kind"))
    return [
        ("发布机关", (report.get("agency") or "未识别") + (f"（{kind}）" if kind else "")),
        ("报告年度", f"{report['year']} 年" if report.get("year") is not None else "未识别"),
        ("发布日期", report.get("published_on") or "未注明"),
        ("地区", (region + (f"（行政区划代码 {report['adcode']}）" if report.get("adcode") else "")) or "未识别"),
        ("报告格式", forms.TEMPLATE_LABELS.get(report.get("template") or "", report.get("template") or "未识别")),
        ("解析状态", (labels.code_label("parse_status", report.get("parse_status")) or "")
         + (f"，{report['n_warnings']} 条警告" if report.get("n_warnings") else "")),
    ]


async def report_page(datasette, request):
    report_id = request.url_vars["report_id"]
    db = await _database(datasette)
    reports = await _rows(db, "select * from reports where id = ?", [report_id])
    if not reports:
        raise NotFound(f"没有编号为 {report_id} 的报告")
    report = reports[0]
    template = report.get("template") or ""
    cell_rows = await _rows(db, "select * from cells where report_id = ?", [report_id])
    mark_recovered(cell_rows, await _rows(db, "select message from warnings where report_id = ? and code in "
                                              "('cells_split_by_rules', 'cell_recovered')", [report_id]))
    cells = {(c["table_name"], c["row_key"], c["col_key"]): c for c in cell_rows}
    checks, failing, check_counts = await check_results_for(db, report_id)
    all_results = (await _rows(db, REPORT_RESULTS_SQL,
                               [report_id])) if await db.table_exists("check_rows") else []
    text_rows = await _rows(db, "select text from source_texts where report_id = ?", [report_id])
    source_lines = text_rows[0]["text"].split("\n") if text_rows and text_rows[0]["text"] is not None else []
    six_split = any(c[0] == "applications" and c[1] in ("other_no_correction", "other_unpaid_fee", "other_other")
                    for c in cells) or (template == "2021" and not any(c[1] == "other" for c in cells))
    has = {t: any(c[0] == t for c in cells) for t in ("active_disclosure", "applications", "reviews_litigation")}

    table_meta = datasette.table_metadata(db.name, "reports") or {}
    column_labels = table_meta.get("columns", {})
    fields = [(k, labels.short_label(column_labels.get(k)) or k, v) for k, v in report.items()]

    # the source text: every cell's number marked, and the searched words
    q = request.args.get("q") or ""
    words = search_words(q)
    marks: dict[int, list[source_view.Mark]] = {}
    for c in cell_rows:
        if c.get("line") and c.get("span_start") is not None and c.get("span_end") is not None:
            key = f"{c['table_name']}:{c['row_key']}:{c['col_key']}"
            marks.setdefault(c["line"], []).append(source_view.Mark(
                c["span_start"], c["span_end"], "gk-num", ["src-" + labels.cell_anchor(key)],
                labels.cell_label(key, template)))
    if words:
        for no, line in enumerate(source_lines, 1):
            marks.setdefault(no, []).extend(source_view.word_marks(line, words))
    spans = [source_view.pieces(line) for line in source_lines]

    def line_anchor(line: int | None, offset: int | None = None) -> str | None:
        if not line or line > len(spans):
            return None
        return source_view.anchor(line, spans[line - 1], offset)

    sections = await _rows(db, "select * from sections where report_id = ?", [report_id])
    for sec in sections:
        line = sec.get("line_start")
        offset = _offset_in(source_lines[line - 1], sec.get("text")) if line and line <= len(source_lines) else None
        sec["offset"] = offset if offset is not None else 0
        sec["anchor"] = line_anchor(line, offset)
    sections.sort(key=lambda s: (s.get("line_start") or 0, s["offset"]))

    facts = await _rows(db, "select * from facts where report_id = ? order by line", [report_id])
    for f in facts:
        line = f.get("line")
        offset = _offset_in(source_lines[line - 1], f.get("text")) if line and line <= len(source_lines) else None
        f["anchor"] = line_anchor(line, offset)
        f["value_text"] = _number(f.get("value"))
        f["metric_label"] = labels.code_label("fact_metric", f.get("metric")) or f.get("metric")
    warnings = await _rows(db, "select * from warnings where report_id = ? order by line", [report_id])
    for w in warnings:
        w["label"] = labels.code_label("warning_code", w.get("code")) or ""
        w["anchor"] = line_anchor(w.get("line"))

    exports = []
    for table in DATA_TABLES:
        query = urlencode({"report_id": report_id})
        exports.append({
            "table": table,
            "label": labels.short_label((datasette.table_metadata(db.name, table) or {}).get("description")) or table,
            "html": datasette.urls.table(db.name, table) + "?" + query,
            "json": datasette.urls.table(db.name, table, format="json") + "?" + query + "&_shape=array",
            "csv": datasette.urls.table(db.name, table, format="csv") + "?" + query + "&_size=max",
            "xlsx": datasette.urls.table(db.name, table, format="xlsx") + "?" + query + "&_size=max",
        })
    url = source_url(source_lines)
    # a PDF's text has one form-feed line per page break: line number → the page that starts
    page_breaks = {i: n for n, i in enumerate((i for i, line in enumerate(source_lines, 1) if line == "\f"), 2)}
    source = source_view.view(source_lines, marks)
    context = {
        "report": report,
        "database": db.name,
        "fields": fields,
        "meta": report_meta(report, url),
        "source_url": url,
        "template_label": forms.TEMPLATE_LABELS.get(template, template),
        "table2": table2_layout(template, cells, failing) if has["active_disclosure"] else [],
        "table3": table3_layout(six_split, cells, failing) if has["applications"] else [],
        "table4": table4_layout(cells, failing) if has["reviews_litigation"] else None,
        "applicant_header": applicant_header(),
        "checks": checks,
        "rules": rule_blocks(all_results, template),
        "failing": failing,
        "check_counts": check_counts,
        "status_labels": labels.code_labels()["check_status"],
        "cell_kinds": forms.CELL_KINDS,
        "warnings": warnings,
        "facts": facts,
        "sections": sections,
        "source": source,
        "source_html": source_view.html(source, page_breaks),
        "source_lines": source_lines,
        "q": q,
        "previous": await previous_year(db, report),
        "page_breaks": page_breaks,
        "exports": exports,
        "row_url": datasette.urls.row(db.name, "reports", report_id),
        "sources": source_links(report),
        "check_url": lambda rule: datasette.urls.database(db.name) + f"/checks_{rule}"
        + (f"?year={report['year']}" if report.get("year") is not None else ""),
        # "与上一年比较" / "与相似报告比较" (ingest/site/compare.py; the comparison page is plugins/compare_page.py)
        "compare_links": await db.execute_fn(lambda conn: report_links(conn, report_id)),
    }
    html = await datasette.render_template("report.html", context, request=request)
    return Response.html(html)


@hookimpl
def register_routes():
    return [(r"^/reports/(?P<report_id>[^/]+)$", report_page)]
