"""ASGI plumbing the plugins share."""
from __future__ import annotations

from typing import Callable

Headers = list[tuple[bytes, bytes]]


def editing_headers(edit: Callable[[Headers], Headers]) -> Callable:
    """An `asgi_wrapper` hook's wrapper: every HTTP response's headers pass through `edit` (given a list it may
    keep, returns the list to send) before they are sent; everything else goes through as it is."""
    def wrap(app):
        async def wrapped(scope, receive, send):
            if scope["type"] != "http":
                return await app(scope, receive, send)

            async def send_edited(event):
                if event["type"] == "http.response.start":
                    event = {**event, "headers": edit(list(event.get("headers") or []))}
                await send(event)

            return await app(scope, receive, send_edited)

        return wrapped

    return wrap
