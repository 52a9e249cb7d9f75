"""The report page `/reports/{id}`: one report laid out like the official form, with provenance.

Why a page of its own: Datasette's row page shows one table at a time; a reader checking a report
wants the three statistical tables as printed, each number linked to the line of the source text
it was read from, next to that text. Rows, labels and columns come from `ingest/forms.py` (never
retyped); values and cell kinds come from the `cells` table, so a blank or a "—" shows as printed.

Consistency checks: `check_results_for()` is the hook. It reads `check_results` when the table
exists; failing cells ("table:row:col") are highlighted and the results listed in the template's
`checks` block.
"""
from __future__ import annotations

import json
from urllib.parse import urlencode

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response

from ingest import forms
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
    if not await db.table_exists("check_results"):
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
    """How one cell prints: the number, or the blank/placeholder as in the source, with its line."""
    key = f"{table}:{row}:{col}"
    if cell is None:
        return {"text": "", "kind": "absent", "title": "无单元格记录", "line": None, "failed": failing.get(key)}
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
    return {"text": text, "kind": kind, "title": title, "line": cell.get("line"), "failed": failing.get(key)}


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


def table2_layout(template: str, cells: dict, failing: dict) -> list[dict]:
    """Table 2 blocks: each block has its metric headers and one row per item (forms.ACTIVE_ITEMS)."""
    blocks: list[dict] = []
    for item in forms.ACTIVE_ITEMS.get(template, ()):
        if not blocks or blocks[-1]["block"] != item.block:
            blocks.append({"block": item.block, "title": forms.BLOCK_TITLES.get(item.block, item.block),
                           "metrics": [m.label for m in item.metrics], "rows": []})
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


async def report_page(datasette, request):
    report_id = request.url_vars["report_id"]
    db = await _database(datasette)
    reports = await _rows(db, "select * from reports where id = ?", [report_id])
    if not reports:
        raise NotFound(f"没有编号为 {report_id} 的报告")
    report = reports[0]
    cell_rows = await _rows(db, "select * from cells where report_id = ?", [report_id])
    mark_recovered(cell_rows, await _rows(db, "select message from warnings where report_id = ? and code in "
                                              "('cells_split_by_rules', 'cell_recovered')", [report_id]))
    cells = {(c["table_name"], c["row_key"], c["col_key"]): c for c in cell_rows}
    checks, failing, check_counts = await check_results_for(db, report_id)
    text_rows = await _rows(db, "select text from source_texts where report_id = ?", [report_id])
    source_lines = text_rows[0]["text"].split("\n") if text_rows and text_rows[0]["text"] is not None else []
    template = report.get("template") or ""
    six_split = any(c[0] == "applications" and c[1] in ("other_no_correction", "other_unpaid_fee", "other_other")
                    for c in cells) or (template == "2021" and not any(c[1] == "other" for c in cells))
    has = {t: any(c[0] == t for c in cells) for t in ("active_disclosure", "applications", "reviews_litigation")}

    table_meta = datasette.table_metadata(db.name, "reports") or {}
    column_labels = table_meta.get("columns", {})
    fields = [(k, column_labels.get(k, k), v) for k, v in report.items()]

    exports = []
    for table in DATA_TABLES:
        query = urlencode({"report_id": report_id})
        exports.append({
            "table": table,
            "html": datasette.urls.table(db.name, table) + "?" + query,
            "json": datasette.urls.table(db.name, table, format="json") + "?" + query + "&_shape=array",
            "csv": datasette.urls.table(db.name, table, format="csv") + "?" + query + "&_size=max",
        })

    context = {
        "report": report,
        "database": db.name,
        "fields": fields,
        "template_label": forms.TEMPLATE_LABELS.get(template, template),
        "table2": table2_layout(template, cells, failing) if has["active_disclosure"] else [],
        "table3": table3_layout(six_split, cells, failing) if has["applications"] else [],
        "table4": table4_layout(cells, failing) if has["reviews_litigation"] else None,
        "applicant_header": applicant_header(),
        "checks": checks,
        "failing": failing,
        "check_counts": check_counts,
        "cell_kinds": forms.CELL_KINDS,
        "warnings": await _rows(db, "select * from warnings where report_id = ? order by line", [report_id]),
        "facts": await _rows(db, "select * from facts where report_id = ? order by line", [report_id]),
        "sections": await _rows(db, "select * from sections where report_id = ? order by line_start",
                                [report_id]),
        "source_lines": source_lines,
        "exports": exports,
        "row_url": datasette.urls.row(db.name, "reports", report_id),
        "sources": source_links(report),
        # "与上一年比较" / "与相似报告比较" (ingest/site/compare.py; the comparison page is plugins/compare_page.py)
        "compare_links": await db.execute_fn(lambda conn: report_links(conn, report_id)),
    }
    html = await datasette.render_template("report.html", context, request=request)
    return Response.html(html)


@hookimpl
def register_routes():
    return [(r"^/reports/(?P<report_id>[^/]+)$", report_page)]
