"""What a reader sees instead of a key: Chinese labels of codes, cells and columns.

Why one module: the table pages (plugins/cell_display.py), the report page, the search page, the
xlsx download and the check blocks all name the same things; each reads the label from here, and
here reads it from the single definitions (`schema.code_labels()` — the rows of the `code_labels`
table —, `ingest/forms.py` for the printed row and column labels, `schema.TABLES` and
`checks.CHECK_TABLES` for column descriptions). Nothing is retyped.
"""
from __future__ import annotations

import functools
import re

from ingest import forms
from ingest.database import schema

# Which code domain (schema.CODE_DOMAINS) a column holds: by column name, or by (table, column) where the
# name means different things in different tables (cells.kind ≠ reviews_litigation.kind).
COLUMN_DOMAINS = {
    "status": "check_status", "severity": "severity", "rule_id": "rule", "code": "warning_code",
    "parse_status": "parse_status", "template": "template", "format": "format", "agency_kind": "agency_kind",
    "table_name": "table_name", "row_key": "row_key", "item_key": "item_key",
}
TABLE_COLUMN_DOMAINS = {
    ("facts", "metric"): "fact_metric",
    ("active_disclosure", "metric"): "metric",
    ("active_disclosure_labeled", "metric"): "metric",
    ("cells", "kind"): "cell_kind",
    ("reviews_litigation", "kind"): "review_kind",
    ("reviews_litigation_labeled", "kind"): "review_kind",
    ("legacy_stats", "item_key"): "legacy_item",
    ("legacy_stats", "kind"): "cell_kind",
    ("legacy_stats", "kind_cumulative"): "cell_kind",
    ("annual_series", "metric"): "series_metric",
    ("annual_series", "source"): "series_source",
    ("legacy_series_stats", "metric"): "series_metric",
    ("code_labels", "code"): None,            # the codes themselves: plugins/cell_display.py shows them as keys
    ("form_rows", "template"): None,          # "2019,2021": a list, not one code
    ("form_metrics", "template"): None,
    ("form_columns", "table_name"): None,
    ("form_metrics", "table_name"): None,
}
# cells.col_key: its domain depends on the row's table_name
ROW_KEY_DOMAINS = {"applications": "row_key", "reviews_litigation": "review_kind", "active_disclosure": "item_key"}
COL_KEY_DOMAINS = {"applications": "applicant", "reviews_litigation": "review_outcome", "active_disclosure": "metric"}


@functools.lru_cache(maxsize=1)
def code_labels() -> dict[str, dict[str, str]]:
    return schema.code_labels()


def code_label(domain: str | None, code) -> str | None:
    if domain is None or code is None:
        return None
    return code_labels().get(domain, {}).get(str(code))


def column_domain(table: str | None, column: str, row=None) -> str | None:
    if (table, column) in TABLE_COLUMN_DOMAINS:
        return TABLE_COLUMN_DOMAINS[(table, column)]
    if column in ("col_key", "row_key") and table == "cells" and row is not None:
        try:
            table_name = row["table_name"]
        except (KeyError, IndexError):
            return None
        return (COL_KEY_DOMAINS if column == "col_key" else ROW_KEY_DOMAINS).get(table_name)
    if column == "kind" or column == "metric":
        return None                 # ambiguous without the table (a query page)
    return COLUMN_DOMAINS.get(column)


def instance_label(value: str) -> str | None:
    """check_results.instance: a table-3 column or row, a table-2 item, "metric@line", "item@report", "line N"."""
    if not isinstance(value, str):
        return None
    if value.startswith("line ") and value[5:].isdigit():
        return f"第 {value[5:]} 行"
    key, _, tail = value.partition("@")
    for domain in ("applicant", "row_key", "item_key", "fact_metric", "review_kind"):
        label = code_label(domain, key)
        if label:
            if not tail:
                return label
            return f"{label}（第 {tail} 行）" if tail.isdigit() else f"{label}（对照报告 {tail}）"
    item = forms.LEGACY_ITEM_BY_KEY.get(key)          # L-cumulative: a legacy statistics table's item
    if item:
        return f"统计表“{item.label}”" + (f"（第 {tail} 行）" if tail.isdigit() else "")
    # L-channels / L-outcomes: the column of the statistics table checked, or the prose
    return {"value": "统计表本年度", "cumulative": "统计表累计", "prose": "正文"}.get(value)


def rule_title(rule_id: str | None) -> str:
    return code_label("rule", rule_id) or (rule_id or "")


# --------------------------------------------------------------------------------------------
# Cells: "applications:granted:natural_person" → "（一）予以公开 · 自然人"
# --------------------------------------------------------------------------------------------

def row_label(row_key: str) -> str:
    """A table-3 row as printed, with its group when the row's own number ("1.") needs it."""
    row = forms.APPLICATION_ROW_BY_KEY.get(row_key)
    if row is None:
        return row_key
    if row.number[:1].isdigit() and row.group:
        return f"{row.group} {row.number}{row.label}"
    return row.number + row.label


@functools.lru_cache(maxsize=1)
def _table2_labels() -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    items: dict[str, str] = {}
    metrics: dict[tuple[str, str], str] = {}
    for template, its in forms.ACTIVE_ITEMS.items():
        for item in its:
            items.setdefault(item.key, item.label)
            for m in item.metrics:
                metrics[(template, m.key)] = m.label
    return items, metrics


@functools.lru_cache(maxsize=8192)      # a report page asks for each of its ~200 cells; the labels never change
def cell_label(key: str, template: str | None = None) -> str:
    """The printed labels of a cell key "table:row:col"; the key itself when it is not a form cell."""
    parts = key.split(":")
    if len(parts) != 3:
        return key
    table, row, col = parts
    if table == "applications":
        col_label = code_label("applicant", col)
        return f"{row_label(row)} · {col_label}" if col_label else key
    if table == "reviews_litigation":
        kind, outcome = code_label("review_kind", row), code_label("review_outcome", col)
        return f"{kind} · {outcome}" if kind and outcome else key
    if table == "active_disclosure":
        items, metrics = _table2_labels()
        metric = metrics.get((template or "", col)) or code_label("metric", col)
        return f"{items[row]} · {metric}" if row in items and metric else key
    if table == "legacy_stats":          # a legacy statistics table's item, this year or cumulative
        item = forms.LEGACY_ITEM_BY_KEY.get(row)
        column = {"value": "本年度", "cumulative": "累计"}.get(col)
        return f"统计表“{item.label}” · {column}" if item and column else key
    return key


@functools.lru_cache(maxsize=8192)
def cell_anchor(key: str) -> str:
    """The HTML id of a cell on the report page: "cell-applications-granted-natural_person"."""
    return "cell-" + re.sub(r"[^A-Za-z0-9_]+", "-", key)


# --------------------------------------------------------------------------------------------
# Columns: the short Chinese name in front of a description's "（key）"
# --------------------------------------------------------------------------------------------

def short_label(description: str | None) -> str | None:
    """"报告编号（id）：报告文件…" → "报告编号"; "法人或其他组织：商业企业（commercial）…" → "法人或其他组织：商业企业";
    "结果：pass 通过，fail 不通过…" → "结果"."""
    if not description:
        return None
    cut = len(description)
    for mark in ("（", "(", "，", "；"):
        i = description.find(mark)
        if 0 < i < cut:
            cut = i
    label = description[:cut].strip()
    for colon in ("：", ":"):
        head, sep, tail = label.partition(colon)
        if sep and head and (len(tail) > 12 or re.search(r"[A-Za-z]", tail)):
            label = head
    return label or None


@functools.lru_cache(maxsize=1)
def _column_descriptions() -> dict[str, dict[str, str]]:
    from ingest.site.metadata import table_metadata

    return {t: {c: d for c, d in (spec.get("columns") or {}).items() if d}
            for t, spec in table_metadata().items()}


def column_description(table: str | None, column: str) -> str | None:
    tables = _column_descriptions()
    if table and column in tables.get(table, {}):
        return tables[table][column]
    for name in ("reports", "report_stats", "year_stats", "check_results", "check_stats", "report_quality"):
        if column in tables.get(name, {}):
            return tables[name][column]
    return None


# Query columns that are no table's column (canned queries compute them).
QUERY_COLUMNS = {
    "rank": "名次", "reports": "报告数", "agencies": "机关数", "granted_pct": "予以公开比例（%）",
    "review_corrected_pct": "行政复议纠错率（%）", "lawsuit_corrected_pct": "行政诉讼纠错率（%）",
    "reports_failing_checks": "有规则不通过的报告数", "withheld_pct": "不予公开＋无法提供（%）",
    "report_title": "报告标题", "section_number": "章节序号", "section_title": "章节标题", "snippet": "摘录",
    "applications": "申请数", "outcome": "办理结果", "outcome_order": "次序", "corrected_pct": "纠错率（%）",
    "reviews": "行政复议案件数", "lawsuits": "行政诉讼案件数", "source": "来源", "rule_title": "规则名称",
    "status_label": "结果", "severity_label": "严重程度", "Link": "记录", "rowid": "行号",
    "share_pct": "所占比例（%）", "received_legacy": "受理申请（旧条例时期）",
    "reports_with_received_legacy": "有受理申请数的旧条例时期报告", "received_all_forms": "收到申请（各格式合计）",
    "reviews_all_forms": "行政复议案件数（各格式合计）", "lawsuits_all_forms": "行政诉讼案件数（各格式合计）",
}


def column_label(table: str | None, column: str) -> str:
    """What a column header shows: its Chinese name, or the key when nothing describes it."""
    return short_label(column_description(table, column)) or QUERY_COLUMNS.get(column) or column
