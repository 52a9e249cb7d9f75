"""Security headers on every response: `X-Content-Type-Options: nosniff` and a Content-Security-Policy.

Why: the site shows text from reports nobody here has vetted. nosniff stops a browser from running a
CSV or JSON export as a script or page. The policy lets a page load scripts, styles, data and
images from this site only (no other origin can be called or framed in, no <object>, no <base>
hijack, forms post back here only). It must allow inline scripts and styles (Datasette's pages and
our templates ship them) and `unsafe-eval`, because vega builds its field accessors with `new
Function` (our charts and datasette-vega's); tests/test_browser.py draws every chart under it.
"""
from __future__ import annotations

from datasette import hookimpl

from ingest.site.asgi import editing_headers

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
]


def _ours(headers):
    names = {HEADERS[0][0], HEADERS[1][0]}
    return [h for h in headers if h[0].lower() not in names] + HEADERS


@hookimpl(trylast=True)        # the last wrapper applied is the outermost: it also sees our 400/405 pages
def asgi_wrapper(datasette):
    return editing_headers(_ours)
