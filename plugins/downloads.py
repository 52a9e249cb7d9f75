"""Downloads a reader opens in Excel: `.xlsx` and Excel-ready CSV for every table and query, the whole
database named with its build date, and the page that lists them, with the data's licence and source.

Why our own renderers: Datasette's CSV is UTF-8 without a byte-order mark, which Excel on Chinese
Windows reads as GBK (mojibake). `.csvbom` is the same rows as UTF-8 with a BOM and CRLF line ends;
`.xlsx` (ingest/site/xlsx.py) keeps numbers as numbers. Both put the columns' Chinese names in the
header row (from metadata.yml, via ingest.site.labels); the xlsx has a second sheet listing each
column's key and description. Both render the rows of the page they are asked for, like Datasette's
JSON: the links ask for `_size=max` (settings.json's max_returned_rows); the CSV streaming export
(`_stream=on`) remains for more.
"""
from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from datasette import hookimpl
from datasette.utils.asgi import AsgiFileDownload, NotFound, Response

from ingest.site import labels, xlsx
from ingest.site.charts import reports_database

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RENDERER_LABELS = {"json": "JSON", "xlsx": "Excel 表格（xlsx）", "csvbom": "Excel 用 CSV",
                   "Notebook": "Jupyter 笔记本"}


def _plain(value):
    if isinstance(value, dict):       # an expanded foreign key (_labels=on): the key, as in the JSON
        return value.get("value")
    return value


def _headers(columns, table) -> list[str]:
    """Chinese column names; a name two columns share gets its key added, so every header is unique."""
    names = [labels.column_label(table, c) for c in columns]
    return [f"{n}（{c}）" if names.count(n) > 1 else n for n, c in zip(names, columns)]


def _filename(table, query_name, database, extension: str) -> str:
    return f"{table or query_name or database}.{extension}"


def _disposition(filename: str) -> str:
    ascii_name = re.sub(r"[^A-Za-z0-9._-]", "_", filename)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def render_csvbom(columns, rows, table, query_name, database):
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(_headers(columns, table))
    for row in rows:
        writer.writerow(["" if v is None else _plain(v) for v in (row[c] for c in columns)])
    return Response(out.getvalue(), content_type="text/csv; charset=utf-8",
                    headers={"content-disposition": _disposition(_filename(table, query_name, database, "csv"))})


def xlsx_bytes(columns, rows, table) -> bytes:
    """The rows under the columns' Chinese names, and a second sheet naming each column's key and meaning
    (ingest/site/xlsx.py: openpyxl, write-only)."""
    data = ([v if type(v) is not dict else v.get("value") for v in (row[c] for c in columns)] for row in rows)
    about = [[labels.column_label(table, c), c, labels.column_description(table, c) or ""] for c in columns]
    return xlsx.workbook([("数据", _headers(columns, table), data),
                          ("列说明", ["列名（表头）", "英文键（SQL 与 JSON 中的列名）", "说明"], about)])


def render_xlsx(columns, rows, table, query_name, database):
    return Response(xlsx_bytes(columns, rows, table), content_type=XLSX_TYPE,
                    headers={"content-disposition": _disposition(_filename(table, query_name, database, "xlsx"))})


DOWNLOAD_EXTENSIONS = (b".xlsx", b".csvbom")
SKIP_FOR_DOWNLOADS = (b"_nofacet", b"_nocount")


def download_scope(scope):
    """A download's request without the work only the HTML page shows: Datasette computes a table's facets and
    its row count for every format, and neither is in a file (one year's reports at 10,000: 25 ms of 60)."""
    if scope.get("type") != "http" or not scope.get("path", "").encode("utf-8", "replace").endswith(
            DOWNLOAD_EXTENSIONS):
        return scope
    qs = scope.get("query_string", b"")
    extra = b"&".join(k + b"=1" for k in SKIP_FOR_DOWNLOADS if k + b"=" not in qs)
    if not extra:
        return scope
    return {**scope, "query_string": qs + b"&" + extra if qs else extra}


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def downloads(scope, receive, send):
            return await app(download_scope(scope), receive, send)

        return downloads

    return wrap


@hookimpl
def register_output_renderer(datasette):
    return [
        {"extension": "xlsx", "render": render_xlsx, "can_render": lambda columns: bool(columns)},
        {"extension": "csvbom", "render": render_csvbom, "can_render": lambda columns: bool(columns)},
    ]


# --------------------------------------------------------------------------------------------
# The whole database, and the downloads page
# --------------------------------------------------------------------------------------------

async def build_info(db) -> dict[str, str]:
    if not await db.table_exists("build_info"):
        return {}
    return {r["key"]: r["value"] for r in (await db.execute("select key, value from build_info")).rows}


def dated_name(db_name: str, built_at: str | None) -> str:
    """gongkai-2026-12-01.db: the file a reader saves says which build it is."""
    day = ""
    if built_at:
        try:
            day = datetime.fromisoformat(built_at).date().isoformat()
        except ValueError:
            day = ""
    return f"{db_name}-{day}.db" if day else f"{db_name}.db"


def built_text(built_at: str | None) -> str | None:
    """"2026-12-01T19:25:03+00:00" → "2026-12-01 19:25（协调世界时）"."""
    if not built_at:
        return None
    try:
        when = datetime.fromisoformat(built_at)
    except ValueError:
        return built_at
    return when.strftime("%Y-%m-%d %H:%M") + "（协调世界时）"


def human_size(n: int) -> str:
    for unit, size in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} 字节"


async def whole_database(datasette):
    db = await reports_database(datasette)
    if db is None or not db.path:
        raise NotFound("没有可下载的数据库")
    info = await build_info(db)
    path = Path(db.path)
    return db, info, path, dated_name(db.name, info.get("built_at"))


async def download_database(request, datasette):
    db, info, path, name = await whole_database(datasette)
    if request.url_vars["name"] != name:
        raise NotFound(f"没有这个文件；当前的数据库文件是 {name}")
    return AsgiFileDownload(str(path), filename=name, content_type="application/vnd.sqlite3")


async def downloads_page(request, datasette):
    db, info, path, name = await whole_database(datasette)
    size = path.stat().st_size
    tables = []
    present = set(await db.table_names()) | set(await db.view_names())
    for table in ("reports", "applications_labeled", "reviews_litigation_labeled", "active_disclosure_labeled",
                  "report_totals", "report_quality", "check_results", "facts", "warnings", "code_labels",
                  "form_rows", "form_columns", "form_metrics"):
        if table in present:
            base = datasette.urls.table(db.name, table)
            tables.append({"name": table, "label": labels.short_label(
                (datasette.table_metadata(db.name, table) or {}).get("description")) or table,
                "html": base, "xlsx": base + ".xlsx?_size=max", "csvbom": base + ".csvbom?_size=max",
                "csv": base + ".csv?_stream=on&_size=max"})
    context = {
        "database": db.name,
        "file_name": name,
        "file_url": datasette.urls.path(f"/-/download/{name}"),
        "size": human_size(size),
        "size_bytes": size,
        "built_at": built_text(info.get("built_at")),
        "reports": info.get("reports"),
        "tables": tables,
    }
    html = await datasette.render_template("downloads.html", context, request=request)
    return Response.html(html)


@hookimpl
def register_routes():
    return [
        (r"^/-/downloads$", downloads_page),
        (r"^/-/download/(?P<name>[^/]+\.db)$", download_database),
    ]


@hookimpl
def menu_links(datasette):
    return [{"href": datasette.urls.path("/-/downloads"), "label": "下载数据"}]


@hookimpl
def prepare_jinja2_environment(env):
    env.globals["gk_renderer_label"] = lambda name: RENDERER_LABELS.get(name, name)
