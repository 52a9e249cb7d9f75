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

import functools
import json

import markupsafe
from markupsafe import escape
from datasette import hookimpl

from ingest.database import schema
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
    href = escape(report_url(datasette, str(value), f"rule-{rule}" if rule else ""))
    if label and label != value:
        return markupsafe.Markup(f'<a class="gk-report" href="{href}">{escape(label)}</a> '
                                 f'<span class="gk-key">{escape(value)}</span>')
    return markupsafe.Markup(f'<a class="gk-report" href="{href}">{escape(value)}</a>')


@functools.lru_cache(maxsize=4096)
def _cell_parts(key: str, template: str | None) -> tuple[str, str, str]:
    """(escaped key, escaped printed label, anchor) of a cell key: the same keys recur on every row of a check page."""
    return str(escape(key)), str(escape(labels.cell_label(key, template))), labels.cell_anchor(key)


def cells_html(datasette, value, row) -> markupsafe.Markup | None:
    try:
        keys = json.loads(value)
    except (TypeError, ValueError):
        return None
    if not isinstance(keys, list):
        return None
    report_id = _get(row, "report_id")
    template = _get(row, "template")
    base = str(escape(datasette.urls.path(f"/reports/{report_id}"))) if report_id else None
    parts = []
    for key in keys:
        if not isinstance(key, str):
            continue
        k, label, anchor = _cell_parts(key, template)
        if base:
            parts.append(f'<a class="gk-cell" href="{base}#{anchor}" title="{k}">{label}</a>')
        else:
            parts.append(f'<span title="{k}">{label}</span>')
    # an empty list: a blank cell (an empty Markup would make Datasette print the raw "[]")
    return markupsafe.Markup("；".join(parts) or "&nbsp;")


def code_html(label: str, code) -> markupsafe.Markup:
    return markupsafe.Markup(f'{escape(label)} <span class="gk-key">{escape(code)}</span>')


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
    if (table, column) in (("code_labels", "code"), ("code_labels", "columns"), ("annual_series", "source_detail")):
        # keys, "table.column" names and the cells/items a series value sums: for SQL users
        return markupsafe.Markup(f'<span class="gk-key">{escape(value)}</span>')
    if table == "code_labels" and column == "domain" and value in schema.CODE_DOMAINS:
        return code_html(schema.CODE_DOMAINS[value][0], value)
    if column == "instance":
        label = labels.instance_label(value)
        return code_html(label, value) if label else None
    domain = labels.column_domain(table, column, row)
    label = labels.code_label(domain, value)
    if label:
        if domain == "rule":
            href = datasette.urls.path(f"/{_database(datasette)}/checks_{value}")
            return markupsafe.Markup(f'<a href="{escape(href)}">{escape(label)}</a> <span class="gk-key">{escape(value)}</span>')
        return code_html(label, value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return markupsafe.Markup(str(int(value)))
    return None


def _database(datasette) -> str:
    return next((n for n in datasette.databases if n != "_internal"), "gongkai")


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    return display(datasette, table, column, value, row)
