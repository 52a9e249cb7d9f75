"""How a value shows in Datasette's HTML tables: report ids lead to the report page, codes carry
their Chinese label, whole numbers print without ".0".

Why `render_cell`: it is called for every cell of every table, view, row and query page, and only
for the HTML page — the JSON, CSV and xlsx downloads keep the raw value, so a download still joins
on `report_id` and `status = 'fail'`.

- `report_id`, `related_report_id` (and a reports row's `id`): a link to `/reports/{id}`; on a page
  that names the rule (`rule_id` in the row: check pages, check_results) the link lands on that
  rule's block of the report page.
- `cells` (JSON list "table:row:col"): each cell by its printed labels, linking to that cell on the
  report page, where it is highlighted (`:target`).
- codes (status, severity, rule_id, warning code, metric, cell kind, parse status, form…): the
  Chinese label, the code after it in a `gk-key` span for SQL users.
- REAL values that are whole ("75.0"): printed as integers.
"""
from __future__ import annotations

import json

import markupsafe
from datasette import hookimpl

from ingest.site import labels

REPORT_ID_COLUMNS = ("report_id", "related_report_id")


def _get(row, key):
    try:
        return row[key]
    except (KeyError, IndexError, TypeError):
        return None


def report_url(datasette, report_id: str, fragment: str = "") -> str:
    return datasette.urls.path(f"/reports/{report_id}") + (f"#{fragment}" if fragment else "")


def report_link(datasette, value, row=None) -> markupsafe.Markup:
    """`<a href="/reports/ID">label</a>`: the FK label (report title) when Datasette expanded it, else the id."""
    label = None
    if isinstance(value, dict):
        label, value = value.get("label"), value.get("value")
    rule = _get(row, "rule_id") if row is not None else None
    href = report_url(datasette, str(value), f"rule-{rule}" if rule else "")
    text = markupsafe.escape(label if label and label != value else value)
    key = markupsafe.Markup(' <span class="gk-key">{}</span>').format(value) if label and label != value else ""
    return markupsafe.Markup('<a class="gk-report" href="{}">{}</a>{}').format(href, text, key)


def cells_html(datasette, value, row) -> markupsafe.Markup | None:
    try:
        keys = json.loads(value)
    except (TypeError, ValueError):
        return None
    if not isinstance(keys, list):
        return None
    report_id = _get(row, "report_id")
    template = _get(row, "template")
    parts = []
    for key in keys:
        if not isinstance(key, str):
            continue
        label = labels.cell_label(key, template)
        if report_id:
            parts.append(markupsafe.Markup('<a class="gk-cell" href="{}" title="{}">{}</a>').format(
                report_url(datasette, str(report_id), labels.cell_anchor(key)), key, label))
        else:
            parts.append(markupsafe.Markup('<span title="{}">{}</span>').format(key, label))
    return markupsafe.Markup("；").join(parts) if parts else markupsafe.Markup("")


def code_html(label: str, code) -> markupsafe.Markup:
    return markupsafe.Markup('{} <span class="gk-key">{}</span>').format(label, code)


def display(datasette, table, column, value, row):
    """The HTML for one cell, or None to leave it to Datasette."""
    if value is None or value == "":
        return None
    if column in REPORT_ID_COLUMNS or (table == "reports" and column == "id"):
        return report_link(datasette, value, row)
    if column == "cells" and isinstance(value, str) and value.startswith("["):
        return cells_html(datasette, value, row)
    if isinstance(value, dict):
        return None
    if column == "instance":
        label = labels.instance_label(value)
        return code_html(label, value) if label else None
    domain = labels.column_domain(table, column, row)
    label = labels.code_label(domain, value)
    if label:
        if domain == "rule":
            href = datasette.urls.path(f"/{_database(datasette)}/checks_{value}")
            return markupsafe.Markup('<a href="{}">{}</a> <span class="gk-key">{}</span>').format(href, label, value)
        return code_html(label, value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return markupsafe.Markup(str(int(value)))
    return None


def _database(datasette) -> str:
    return next((n for n in datasette.databases if n != "_internal"), "gongkai")


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    return display(datasette, table, column, value, row)
