"""The body rows of a table page (templates/_table.html) built in Python, not in a Jinja loop.

Why: Datasette renders templates in Jinja's async mode, where every expression of a loop is
awaited; the row loop of a 50-row table page (500 cells, four expressions each) was a quarter of
the page's CPU, and table pages are most of what the site serves under load (bench/load.py).
`gk_table_rows` (and `gk_query_rows` for query.html) returns exactly what the loop printed, whitespace included, so the page is
byte-for-byte the same (tests/test_site.py compares).
"""
from __future__ import annotations

import markupsafe
from datasette import hookimpl
from datasette.utils import to_css_class

_ROW_OPEN = "\n            <tr>\n                "
_ROW_CLOSE = "\n            </tr>\n        "
_CELL_OPEN = "\n                    \n                    "
_CELL_CLOSE = "\n                    \n                "
_CELL_OPEN_COMMENTED = "\n                    "     # the branch's {#- … -#} comment eats its own white space


def table_rows(display_rows, table: str, database: str, urls) -> markupsafe.Markup:
    """The `{% for row in display_rows %}…{% endfor %}` of _table.html as one Markup string."""
    e = markupsafe.escape
    css: dict[str, str] = {}
    out = []
    for row in display_rows:
        out.append(_ROW_OPEN)
        for cell in row:
            column = cell["column"]
            col_class = css.get(column)
            if col_class is None:
                col_class = css[column] = str(e(to_css_class(column)))
            value_type = e(cell["value_type"])
            raw = cell["raw"]
            if cell["value_type"] == "pk" and table == "reports":
                out.append(_CELL_OPEN)
                out.append(f'<td class="col-{col_class} type-{value_type}"><a class="gk-report" '
                           f'href="{e(urls.path("/reports/" + raw))}">{e(raw)}</a> <a class="gk-row-link" '
                           f'href="{e(urls.row(database, table, raw))}">记录</a></td>')
            elif cell["value_type"] == "pk" and isinstance(raw, str) and "," in raw:
                # a compound key ("agency_kind,department"): the row's link, its text a key for SQL users
                out.append(_CELL_OPEN_COMMENTED)
                out.append(f'<td class="col-{col_class} type-{value_type} gk-key">{e(cell["value"])}</td>')
            else:
                out.append(_CELL_OPEN)
                out.append(f'<td class="col-{col_class} type-{value_type}">{e(cell["value"])}</td>')
            out.append(_CELL_CLOSE)
        out.append(_ROW_CLOSE)
    return markupsafe.Markup("".join(out))


def query_rows(display_rows, columns) -> markupsafe.Markup:
    """The `{% for row in display_rows %}…{% endfor %}` of query.html (canned queries: the check pages)."""
    e = markupsafe.escape
    classes = [str(e(to_css_class(c))) for c in columns]
    out = []
    for row in display_rows:
        out.append("\n        <tr>\n            ")
        for col_class, td in zip(classes, row):
            out.append(f'\n                <td class="col-{col_class}">{e(td)}</td>\n            ')
        out.append("\n        </tr>\n    ")
    return markupsafe.Markup("".join(out))


@hookimpl
def prepare_jinja2_environment(env):
    env.globals["gk_table_rows"] = table_rows
    env.globals["gk_query_rows"] = query_rows
