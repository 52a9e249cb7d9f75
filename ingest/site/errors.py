"""Error pages in the site's Chinese chrome (HTML) or as JSON, for plugins that answer errors themselves.

Why: plugins that refuse a request before Datasette handles it (plugins/read_only_methods.py,
plugins/search_limits.py) or replace one of Datasette's English error pages (plugins/query_errors.py)
must answer exactly as Datasette's own errors do — templates/error.html for a page,
`{"ok": false, "error": …, "status": …}` for a `.json` URL — so a visitor sees one kind of error
page. This renders the template with the context Datasette's default exception handler uses.
"""
from __future__ import annotations

import json

from markupsafe import Markup, escape


async def error_body(datasette, path: str, status: int, message: str, html_extra: str = "",
                     title: str | None = None) -> tuple[bytes, str]:
    """(body, content type) of an error; `html_extra` (trusted HTML) follows the escaped message."""
    if path.endswith(".json"):
        body = {"ok": False, "error": message, "status": status, "title": title}
        return json.dumps(body, ensure_ascii=False).encode(), "application/json; charset=utf-8"
    template = datasette.jinja_env.select_template([f"{status}.html", "error.html"])
    html = await template.render_async({
        "ok": False, "error": Markup(f"<p>{escape(message)}</p>{html_extra}"), "status": status,
        "title": title, "urls": datasette.urls, "app_css_hash": datasette.app_css_hash(),
        "menu_links": lambda: [],
    })
    return html.encode(), "text/html; charset=utf-8"


async def send_error(datasette, scope, send, status: int, message: str, html_extra: str = "",
                     headers: list[tuple[bytes, bytes]] | None = None) -> None:
    """Send one complete error response from an ASGI middleware."""
    body, kind = await error_body(datasette, scope["path"], status, message, html_extra)
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", kind.encode()), (b"content-length", str(len(body)).encode()),
                            *(headers or [])]})
    await send({"type": "http.response.body", "body": body})
