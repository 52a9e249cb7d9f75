"""The site is read-only: a request other than GET/HEAD/OPTIONS gets 405 with a Chinese message.

Why: the database is opened immutable and no canned query writes, yet Datasette answered a POST to a
canned query with a 500 ("'tuple' object has no attribute 'asgi_send'"). A method the site does not
serve is the client's mistake (4xx), and refusing it before Datasette sees the request keeps any
write path out of reach.
"""
from __future__ import annotations

from datasette import hookimpl

from ingest.site.errors import send_error

ALLOWED = ("GET", "HEAD", "OPTIONS")
MESSAGE = "本站为只读数据库，只接受 GET 请求（浏览或查询），不接受 {method} 请求。"


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def read_only(scope, receive, send):
            if scope["type"] != "http" or scope["method"] in ALLOWED:
                return await app(scope, receive, send)
            await send_error(datasette, scope, send, 405, MESSAGE.format(method=scope["method"]),
                             headers=[(b"allow", ", ".join(ALLOWED).encode())])

        return read_only

    return wrap
