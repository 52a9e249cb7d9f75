"""Datasette's chrome in Chinese: template helpers for labels, filters, page descriptions and errors,
and the site's own stylesheet and script on every page.

Why helpers in the Jinja environment: the overridden templates (templates/*.html) keep Datasette's
structure and only swap what is shown; the words come from `ingest.site.labels` (table, column and
code labels from the schema) and from the tables below (Datasette's filter operators, its English
sort/filter phrases and its error messages), so no template retypes a label.

Static files (static/, mounted at /gongkai-static/ by ingest/site/serve.py): `site.css`, `site.js`
(column-menu, datasette-vega panel and error wording, cell highlighting), `table.js` (Datasette's
table.js with the menu in Chinese). No inline script is added by this plugin.
"""
from __future__ import annotations

import re

import markupsafe
from datasette import hookimpl

from ingest.site import labels
from ingest.site.serve import STATIC_MOUNT

# Datasette's filter operators (datasette/filters.py, key → display) in Chinese.
FILTER_OPS = {
    "exact": "等于", "not": "不等于", "contains": "包含", "endswith": "结尾是", "startswith": "开头是",
    "gt": "大于", "gte": "大于或等于", "lt": "小于", "lte": "小于或等于", "like": "匹配（% 为任意字符）",
    "notlike": "不匹配（% 为任意字符）", "glob": "通配匹配（* 为任意字符）", "in": "属于（逗号分隔）", "notin": "不属于（逗号分隔）",
    "arraycontains": "数组包含", "arraynotcontains": "数组不包含", "date": "日期为", "isnull": "为空值",
    "notnull": "不为空值", "isblank": "为空白", "notblank": "不为空白",
}

# Datasette's English error messages → Chinese (prefix match; the rest of the message is kept).
ERRORS = (
    (re.compile(r"^SQL query took too long\.?.*", re.S), "查询超时：超过了本站设定的时间上限。请缩小范围（如筛选年份或省份）后重试。"),
    (re.compile(r"^Table not found: (.{0,200})$", re.S), r"没有这张表：\1"),
    (re.compile(r"^Table not found$"), "没有这张表"),
    (re.compile(r"^View not found: (.{0,200})$", re.S), r"没有这个视图：\1"),
    (re.compile(r"^Database not found: (.{0,200})$", re.S), r"没有这个数据库：\1"),
    (re.compile(r"^Database not found$"), "没有这个数据库"),
    (re.compile(r"^Record not found: (.{0,200})$", re.S), r"没有这条记录：\1"),
    (re.compile(r"^Record not found$"), "没有这条记录"),
    (re.compile(r"^Not found$"), "页面不存在"),
    (re.compile(r"^Page not found$"), "页面不存在"),
    (re.compile(r"^Permission denied$"), "没有权限"),
    (re.compile(r"^Statement must be a SELECT$"), "只能执行 SELECT 查询"),
    (re.compile(r"^no such column: (.{0,200})$", re.S), r"SQL 错误：没有这一列：\1"),
    (re.compile(r"^no such table: (.{0,200})$", re.S), r"SQL 错误：没有这张表：\1"),
    (re.compile(r"^near (.{0,200}): syntax error$", re.S), r"SQL 语法错误：在 \1 附近"),
    (re.compile(r"^interrupted$"), "查询超时，已中止"),
    (re.compile(r"^Invalid SQL: (.{0,500})$", re.S), r"SQL 无效：\1"),
)


def error_zh(message) -> markupsafe.Markup:
    """Datasette's English error message in Chinese; the names it quotes (a column, a table) in <code>.
    A message that is already Markup (our own plugins' Chinese errors, ingest/site/errors.py) is trusted
    HTML and shown as it is."""
    if isinstance(message, markupsafe.Markup):
        return message
    text = str(message or "")
    for pattern, replacement in ERRORS:
        m = pattern.match(text)
        if m:
            groups = [markupsafe.Markup("<code>{}</code>").format(g) for g in m.groups()]
            out = markupsafe.escape(replacement.replace("\\1", "\x00"))
            return markupsafe.Markup(str(out).replace("\x00", str(groups[0]) if groups else ""))
    return markupsafe.Markup("{}").format(text)


_BRACKETED_KEY = re.compile(r"（([A-Za-z][A-Za-z0-9_.-]{0,60})）")


def keys_small(text) -> markupsafe.Markup:
    """A Chinese message naming a key in brackets ("粘连数字（recovered）"): the key in a gk-key span, as
    codes are shown everywhere (small and grey, for SQL users)."""
    escaped = str(markupsafe.escape(text or ""))
    return markupsafe.Markup(_BRACKETED_KEY.sub(r'（<span class="gk-key">\1</span>）', escaped))


def table_label(table: str | None) -> str:
    if not table:
        return ""
    from ingest.site.metadata import table_metadata

    spec = table_metadata().get(table) or {}
    return labels.short_label(spec.get("description")) or table


def filter_op(key: str, display: str = "") -> str:
    return FILTER_OPS.get(key, display or key)


def value_label(table, column, value) -> str:
    label = labels.code_label(labels.column_domain(table, column), value)
    return f"{value}（{label}）" if label else str(value)


def value_html(table, column, value, fallback=None) -> markupsafe.Markup:
    """A coded value as a facet or filter shows it: "不通过 fail" (the key small); other values as they are."""
    label = labels.code_label(labels.column_domain(table, column), value)
    if label:
        return markupsafe.Markup('{} <span class="gk-key">{}</span>').format(label, value)
    text = fallback if fallback not in (None, "", "None") else (value if value not in (None, "") else "-")
    return markupsafe.Markup("{}").format(text)


def description_zh(table, filters=None, sort=None, sort_desc=None, search=None) -> markupsafe.Markup:
    """Datasette's "where year = 2020 sorted by year descending", in Chinese: "报告年度等于 2020，按报告年度降序";
    a coded value shows its label, the code after it in a gk-key span."""
    bits = []
    if search:
        bits.append(markupsafe.Markup("搜索“{}”").format(search))
    for column, lookup, value in (filters.selections() if filters is not None else ()):
        op = filter_op(lookup)
        if lookup in ("isnull", "notnull", "isblank", "notblank"):
            bits.append(markupsafe.Markup("{}{}").format(labels.column_label(table, column), op))
        else:
            bits.append(markupsafe.Markup("{}{} {}").format(labels.column_label(table, column), op,
                                                            value_html(table, column, value)))
    if sort:
        bits.append(markupsafe.Markup("按{}升序").format(labels.column_label(table, sort)))
    elif sort_desc:
        bits.append(markupsafe.Markup("按{}降序").format(labels.column_label(table, sort_desc)))
    return markupsafe.Markup("，").join(bits)


def column_header(table, column: str) -> markupsafe.Markup:
    """A column header: the Chinese name; the key (what SQL and the URL use) in the tooltip."""
    return markupsafe.Markup("{}").format(labels.column_label(table, column))


@hookimpl
def prepare_jinja2_environment(env):
    env.globals.update({
        "gk_column_label": labels.column_label,
        "gk_column_header": column_header,
        "gk_table_label": table_label,
        "gk_code_label": labels.code_label,
        "gk_value_label": value_label,
        "gk_value_html": value_html,
        "gk_filter_op": filter_op,
        "gk_description": description_zh,
        "gk_error": error_zh,
        "gk_rule_title": labels.rule_title,
    })
    env.filters["gk_keys_small"] = keys_small


@hookimpl
def extra_css_urls(datasette):
    return [datasette.urls.path(f"/{STATIC_MOUNT}/site.css")]


@hookimpl
def extra_js_urls(datasette):
    return [{"url": datasette.urls.path(f"/{STATIC_MOUNT}/site.js"), "module": False}]
