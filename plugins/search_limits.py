"""The search page refuses an over-long query (characters or words) with a Chinese message (400).

Why: FTS5's cost grows with the square of the number of words in a query, inside SQLite where the
time limit cannot stop it (a 14,000-character search ran 11 minutes). `jieba_query` refuses such a
query too, but an SQL function can only fail with SQLite's English "user-defined function raised
exception"; checking here first tells the visitor what is wrong and links back to the search form
with the query cut to the limit. The same limits apply to Datasette's own search box of a table
(`_search`). The limits are `ingest.database.search`'s.
"""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode

from datasette import hookimpl
from markupsafe import escape

from ingest.database import search
from ingest.site.errors import send_error

SEARCH_PATH = re.compile(r"^/(?P<db>[^/]+)/search(?:\.\w+)?$")


def _problem(path: str, params: dict[str, list[str]]) -> tuple[str, str] | None:
    """(message, link back with the words cut to the limit) for a refused query, else None.

    The search page's `q`, and `_search` / `_search_COLUMN` of any table page (Datasette's own
    full-text search box on `sections`, whose words go to FTS5 as they are)."""
    names = ["q"] if SEARCH_PATH.match(path) else []
    names += [name for name in params if name == "_search" or name.startswith("_search_")]
    for name in names:
        for value in params.get(name, []):
            problem = search.query_problem(value)
            if problem:
                back = re.sub(r"\.\w+$", "", path) + "?" + urlencode({name: value[:search.MAX_QUERY_CHARS]})
                return problem, back
    return None


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def limit_search(scope, receive, send):
            if scope["type"] == "http" and scope.get("query_string"):
                params = parse_qs(scope["query_string"].decode("latin-1"), keep_blank_values=True)
                found = _problem(scope.get("path", ""), params)
                if found:
                    problem, back = found
                    link = f'<p><a href="{escape(back)}">返回检索（检索词已截短为前 {search.MAX_QUERY_CHARS} 个字符）</a></p>'
                    return await send_error(datasette, scope, send, 400, problem, link)
            await app(scope, receive, send)

        return limit_search

    return wrap
