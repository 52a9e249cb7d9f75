"""On every table and query page: how to load exactly this data into Jupyter with pandas.

Why: datasette-export-notebook adds a "Notebook" export (`.Notebook`, page in Chinese via
templates/export_notebook.html), but a link named "Notebook" does not tell a reader what it is for.
This adds one Chinese line with the pandas code under the export links. The URL is the page's own
JSON export (same filters, sort and parameters) read from the page at load time, so the code always
matches what the reader sees.
"""
from __future__ import annotations

from datasette import hookimpl

SCRIPT = r"""
document.addEventListener("DOMContentLoaded", function () {
  var links = document.querySelector("p.export-links");
  var json = links && links.querySelector('a[href*=".json"]');
  if (!json) { return; }
  var url = new URL(json.href, location.href);
  url.searchParams.set("_shape", "array");
  var nb = links.querySelector('a[href*=".Notebook"]');
  var box = document.createElement("details");
  box.className = "gk-pandas";
  box.innerHTML = "<summary>在 Jupyter 中用 pandas 读取这些数据</summary>" +
    "<p>在笔记本的单元格中运行下面两行，得到与本页相同（相同筛选、排序和参数）的数据表 <code>df</code>" +
    "（每次最多返回本站设置的行数上限；需要全部行时用下方“完整说明”中的 CSV 流式导出）：</p><pre></pre>";
  box.querySelector("pre").textContent = "import pandas\ndf = pandas.read_json(" + JSON.stringify(url.href) + ")";
  if (nb) {
    var more = document.createElement("p");
    var a = document.createElement("a");
    a.href = nb.href;
    a.textContent = "完整说明";
    more.appendChild(a);
    box.appendChild(more);
  }
  links.parentNode.insertBefore(box, links.nextSibling);
});
"""


@hookimpl
def extra_body_script(view_name):
    if view_name in ("table", "query"):
        return SCRIPT
    return None
