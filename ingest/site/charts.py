"""Helpers shared by the chart plugins (plugins/overview.py, plugins/agency_history.py).

Why here and not in plugins/: Datasette loads each file of plugins/ as a separate module that the
others cannot import; `ingest` is an ordinary package both can.

Why the scripts come from `altair_viewer`: the machines serving the site have no internet (no CDN)
and datasette-vega's bundle keeps vega/vega-lite inside its own webpack closure, so it cannot draw
our own charts. `altair_viewer` ships the standalone vega, vega-lite and vega-embed builds as plain
files; plugins/overview.py serves those exact files under VEGA_ROUTE.
"""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from urllib.parse import quote, urlencode

from .metadata import QUERIES_DIR, parse_query_file, query_name

VEGA_FILES = {
    "vega.js": "vega-5.21.0.js",
    "vega-lite.js": "vega-lite-4.17.0.js",
    "vega-embed.js": "vega-embed-6.20.0.js",
}
VEGA_ROUTE = "/-/gongkai-vega/"
CHARTS_DIR = QUERIES_DIR / "charts"
VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v4.json"   # an identifier, never fetched


def vega_dir() -> Path:
    """Where altair_viewer keeps its vega builds (found without importing altair_viewer)."""
    spec = importlib.util.find_spec("altair_viewer")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("altair_viewer 未安装：图表所需的 vega/vega-lite 脚本来自该软件包")
    return Path(list(spec.submodule_search_locations)[0]) / "scripts"


def vega_script_urls(datasette) -> list[str]:
    return [datasette.urls.path(VEGA_ROUTE + name) for name in VEGA_FILES]


def json_for_script(value) -> str:
    """JSON safe inside <script type="application/json">: no "</script>" in the data can end it."""
    return (json.dumps(value, ensure_ascii=False)
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


async def reports_database(datasette):
    """The served database that holds `reports` (its name is the file stem, not fixed), or None."""
    for name, db in datasette.databases.items():
        if name != "_internal" and await db.table_exists("reports"):
            return db
    return None


async def chart_query(datasette, db, short_name: str, params: dict | None = None) -> dict:
    """Rows of `canned_queries/charts/<short_name>.sql` plus links to its query page, JSON and CSV.

    The SQL is Datasette's canned query of that name when metadata.yml has it (the page the link
    opens), else the file itself.
    """
    path = CHARTS_DIR / f"{short_name}.sql"
    name = query_name(path)
    params = params or {}
    canned = await datasette.get_canned_query(db.name, name, None)
    query = canned or parse_query_file(path)
    result = await db.execute(query["sql"], params)
    rows = [dict(r) for r in result.rows]
    base = datasette.urls.database(db.name) + "/" + quote(name)
    qs = ("?" + urlencode(params)) if params else ""
    fragment = query.get("fragment")
    return {
        "name": name,
        "title": query["title"],
        "description": query["description"],
        "rows": rows,
        "url": base + qs + (f"#{fragment}" if fragment else ""),
        "json_url": base + ".json" + (qs + "&" if qs else "?") + "_shape=array",
        "csv_url": base + ".csv" + qs,
    }


def vega_lite(rows: list[dict], spec: dict, height: int = 260) -> dict:
    """A complete Vega-Lite spec with the rows inlined and the width of its container."""
    return {"$schema": VEGA_LITE_SCHEMA, "width": "container", "height": height,
            "data": {"values": rows}, **spec}


def ordered_values(rows: list[dict], field: str, order_field: str) -> list:
    """Distinct values of `field` in the order of `order_field` (legend order of a color scale)."""
    seen: dict = {}
    for r in sorted(rows, key=lambda r: r[order_field]):
        seen.setdefault(r[field], None)
    return list(seen)
