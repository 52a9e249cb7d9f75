"""Pages printed by Python helpers are byte-for-byte the pages the Jinja loops printed.

Why: to cut the CPU per page under load (issue 11, "Load"), the report page's source text and cells
(ingest/site/source_view.html, plugins/report_page._with_html) and the row loops of table and query
pages (plugins/table_rows.py) are built in Python instead of one Jinja expression per cell. This test
renders the same pages with the templates as they were (the loops put back into a copy of templates/)
and compares the HTML, on the sample corpus plus a hostile report (markup in every field).
"""
from __future__ import annotations

import asyncio
import re
import shutil

import pytest

from ingest.site import serve
from test_site import conn, db_path, report_id  # noqa: F401  (the sample database of test_site.py)

TABLE_LOOP = """        {% for row in display_rows %}
            <tr>
                {% for cell in row %}
                    {% if cell.value_type == "pk" and table == "reports" %}
                    <td class="col-{{ cell.column|to_css_class }} type-{{ cell.value_type }}"><a class="gk-report" href="{{ urls.path('/reports/' + cell.raw) }}">{{ cell.raw }}</a> <a class="gk-row-link" href="{{ urls.row(database, table, cell.raw) }}">记录</a></td>
                    {% elif cell.value_type == "pk" and cell.raw is string and "," in cell.raw %}
                    {#- a compound key ("agency_kind,department"): the row's link, its text a key for SQL users -#}
                    <td class="col-{{ cell.column|to_css_class }} type-{{ cell.value_type }} gk-key">{{ cell.value }}</td>
                    {% else %}
                    <td class="col-{{ cell.column|to_css_class }} type-{{ cell.value_type }}">{{ cell.value }}</td>
                    {% endif %}
                {% endfor %}
            </tr>
        {% endfor %}
"""
QUERY_LOOP = """    {% for row in display_rows %}
        <tr>
            {% for column, td in zip(columns, row) %}
                <td class="col-{{ column|to_css_class }}">{{ td }}</td>
            {% endfor %}
        </tr>
    {% endfor %}
"""
CELL_MACRO = """{% macro cell_td(c) -%}
<td id="{{ c.id }}" class="num kind-{{ c.kind }}{% if c.failed %} check-failed{% endif %}"
    title="{{ c.title }}{% if c.failed %}；未通过：{% for r in c.failed %}{{ gk_rule_title(r) }}{% if not loop.last %}、{% endif %}{% endfor %}{% endif %}">
  {%- if c.href %}<a href="{{ c.href }}">{{ c.text }}</a>{% else %}{{ c.text }}{% endif -%}
</td>
{%- endmacro %}"""
SOURCE_LOOP = """{%- for line in source %}{% if line.no in page_breaks %}<div class="line page-break" id="L{{ line.no }}"><a class="ln" href="#L{{ line.no }}">{{ line.no }}</a><div class="body">—— 第{{ page_breaks[line.no] }}页 ——</div></div>{% else %}<div class="line" id="L{{ line.no }}"><a class="ln" href="#L{{ line.no }}">{{ line.no }}</a><div class="body">
{%- if line.split %}{% for p in line.pieces %}<p id="{{ p.id }}">{{ p.html }}</p>{% endfor %}{% else %}{{ line.pieces[0].html }}{% endif -%}
</div></div>{% endif %}{% endfor -%}"""


def _replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) >= 1, old
    return text.replace(old, new)


@pytest.fixture(scope="module")
def loop_templates(tmp_path_factory):
    """A copy of templates/ with the Jinja loops the Python helpers replaced."""
    folder = tmp_path_factory.mktemp("templates") / "templates"
    shutil.copytree(serve.TEMPLATES_DIR, folder)
    table = folder / "_table.html"
    table.write_text(_replace_once(table.read_text(encoding="utf-8"),
                                   "        {{ gk_table_rows(display_rows, table, database, urls) }}\n", TABLE_LOOP),
                     encoding="utf-8")
    query = folder / "query.html"
    query.write_text(_replace_once(query.read_text(encoding="utf-8"),
                                   "    {{ gk_query_rows(display_rows, columns) }}\n", QUERY_LOOP), encoding="utf-8")
    report = folder / "report.html"
    text = _replace_once(report.read_text(encoding="utf-8"), "{{ c.html }}", "{{ cell_td(c) }}")
    text = _replace_once(text, "{{- source_html -}}", SOURCE_LOOP)
    report.write_text(text.replace("{% endblock %}\n", "{% endblock %}\n" + CELL_MACRO + "\n", 1), encoding="utf-8")
    return folder


def _pages(db_path, paths, monkeypatch, templates=None) -> dict[str, str]:  # noqa: F811
    if templates is not None:
        monkeypatch.setattr(serve, "TEMPLATES_DIR", templates)
    ds = serve.make_datasette(db_path)
    loop = asyncio.new_event_loop()
    try:
        out = {}
        for path in paths:
            r = loop.run_until_complete(ds.client.get(path))
            assert r.status_code == 200, path
            out[path] = re.sub(r"查询耗时 [0-9.]+ 毫秒", "", r.text)
        return out
    finally:
        loop.close()


def test_pages_are_the_same_as_with_the_jinja_loops(db_path, conn, loop_templates, monkeypatch):  # noqa: F811
    ids = [r[0] for r in conn.execute("select id from reports order by id")]
    pdf = conn.execute("select id from reports where path like '%.pdf'").fetchone()
    xss = report_id(conn, "xss_report.txt")
    failing = conn.execute("select report_id from check_results where status = 'fail' limit 1").fetchone()
    paths = [f"/reports/{i}" for i in ids[:6]] + [f"/reports/{xss}", f"/reports/{xss}?q=<b>", f"/reports/{ids[0]}?q=复议"]
    paths += [f"/reports/{pdf[0]}"] if pdf else []
    paths += [f"/reports/{failing[0]}"] if failing else []
    paths += ["/gongkai/reports", f"/gongkai/reports/{xss}", f"/gongkai/cells?report_id={xss}", "/gongkai/warnings",
              "/gongkai/applications?_sort_desc=total", "/gongkai/checks_T3-balance", "/gongkai/checks_T3-results",
              "/gongkai?sql=select+id,+title,+agency+from+reports", "/gongkai/code_labels"]
    new = _pages(db_path, paths, monkeypatch)
    old = _pages(db_path, paths, monkeypatch, loop_templates)
    assert any("<td" in new[p] and "kind-number" in new[p] for p in paths)        # cells were printed
    assert any('class="line"' in new[p] for p in paths)                              # the source text too
    assert any('<a class="gk-report"' in new[p] for p in paths)                      # the reports link column
    assert 'gk-key"' in new["/gongkai/code_labels"]                                  # a compound key's cell
    assert any("check-failed" in new[p] for p in paths) == bool(failing)
    for p in paths:
        assert new[p] == old[p], p
