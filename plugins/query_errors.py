"""A query stopped at the time limit is explained in Chinese (Datasette's page says it in English).

Why: every query now ends at `sql_time_limit_ms` (plugins/query_deadline.py), including a search or
a check page on a slow day, so visitors meet this page; everything a visitor reads is Chinese. The
status (400) and the JSON shape stay Datasette's; the SQL is shown, escaped, so it can be edited.
"""
from __future__ import annotations

from datasette import hookimpl
from datasette.utils.asgi import Response
from markupsafe import escape

from ingest.site.errors import error_body

TITLE = "查询超时"
MESSAGE = "查询超过了 {seconds:g} 秒的时限，已被中止。请缩小查询范围（增加筛选条件，或减少返回的行和列）后重试。"


@hookimpl
def handle_exception(datasette, request, exception):
    if getattr(exception, "title", None) != "SQL Interrupted":
        return None
    message = MESSAGE.format(seconds=datasette.setting("sql_time_limit_ms") / 1000)
    sql = getattr(exception.__context__, "sql", None)
    extra = f'<textarea style="width: 90%" rows="6" readonly>{escape(sql)}</textarea>' if sql else ""

    async def respond():
        body, kind = await error_body(datasette, request.path, 400, message, extra, TITLE)
        return Response(body, status=400, content_type=kind)

    return respond
