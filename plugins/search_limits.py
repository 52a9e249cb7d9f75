"""The search page refuses an over-long query (characters or words) with a Chinese message (400).

Why: FTS5's cost grows with the square of the number of words in a query, inside SQLite where the
time limit cannot stop it (a 14,000-character search ran 11 minutes). `jieba_query` refuses such a
query too, but an SQL function can only fail with SQLite's English "user-defined function raised
exception"; checking here first tells the visitor what is wrong and links back to the search form
with the query cut to the limit. The limits are `ingest.database.search`'s.
"""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode

from datasette import hookimpl
from markupsafe import escape

from ingest.database import search
from ingest.site.errors import send_error

SEARCH_PATH = re.compile(r"^/(?P<db>[^/]+)/search(?:\.\w+)?$")


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def limit_search(scope, receive, send):
            m = SEARCH_PATH.match(scope.get("path", "")) if scope["type"] == "http" else None
            if m:
                params = parse_qs(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
                problem = next((p for q in params.get("q", []) if (p := search.query_problem(q))), None)
                if problem:
                    q = params["q"][0][:search.MAX_QUERY_CHARS]
                    back = f"/{m['db']}/search?" + urlencode({"q": q})
                    link = f'<p><a href="{escape(back)}">返回检索（检索词已截短为前 {search.MAX_QUERY_CHARS} 个字符）</a></p>'
                    return await send_error(datasette, scope, send, 400, problem, link)
            await app(scope, receive, send)

        return limit_search

    return wrap
