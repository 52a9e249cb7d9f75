"""An error page (HTML in the site's Chinese chrome, or JSON) sent straight from an ASGI middleware.

Why: plugins that refuse a request before Datasette handles it (plugins/read_only_methods.py,
plugins/search_limits.py) must answer exactly as Datasette's own errors do — templates/error.html
for a page, `{"ok": false, "error": …, "status": …}` for a `.json` URL — so a visitor sees one kind of
error page. This renders the template with the context Datasette's default exception handler uses.
"""
from __future__ import annotations

import json

from markupsafe import Markup, escape


async def send_error(datasette, scope, send, status: int, message: str, html_extra: str = "",
                     headers: list[tuple[bytes, bytes]] | None = None) -> None:
    """Send one complete error response; `html_extra` (trusted HTML) follows the escaped message."""
    if scope["path"].endswith(".json"):
        body = json.dumps({"ok": False, "error": message, "status": status}, ensure_ascii=False).encode()
        kind = b"application/json; charset=utf-8"
    else:
        template = datasette.jinja_env.select_template([f"{status}.html", "error.html"])
        body = (await template.render_async({
            "ok": False, "error": Markup(f"<p>{escape(message)}</p>{html_extra}"), "status": status,
            "title": None, "urls": datasette.urls, "app_css_hash": datasette.app_css_hash(),
            "menu_links": lambda: [],
        })).encode()
        kind = b"text/html; charset=utf-8"
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode()),
                            *(headers or [])]})
    await send({"type": "http.response.body", "body": body})
