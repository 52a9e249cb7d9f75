"""The comparison page `/compare/{a}/{b}` and its JSON `/compare/{a}/{b}.json`: two reports side by side.

The comparison itself (tables cell by cell, section texts diffed, similarity, checks) is computed by
`ingest.site.compare.comparison` on one connection; this plugin only routes, renders and serialises it.
"""
from __future__ import annotations

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response

from ingest.site.compare import comparison


async def _database(datasette):
    for name, db in datasette.databases.items():
        if name != "_internal" and await db.table_exists("reports"):
            return db
    raise NotFound("没有报告数据库")


async def compare_page(datasette, request):
    a, b = request.url_vars["a"], request.url_vars["b"]
    db = await _database(datasette)
    data = await db.execute_fn(lambda conn: comparison(conn, a, b))
    if data is None:
        raise NotFound(f"没有编号为 {a} 或 {b} 的报告")
    if request.url_vars.get("format"):
        return Response.json(data, headers={"Access-Control-Allow-Origin": "*"})
    context = {"c": data, "database": db.name, "json_url": f"/compare/{a}/{b}.json",
               "swap_url": f"/compare/{b}/{a}"}
    return Response.html(await datasette.render_template("compare.html", context, request=request))


@hookimpl
def register_routes():
    return [(r"^/compare/(?P<a>[^/]+)/(?P<b>[^/.]+)(?P<format>\.json)?$", compare_page)]
