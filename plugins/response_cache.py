"""Pages of the database are cached in memory: the same URL is rendered once per build.

Why: the database changes only when a build commits (ingest.site.live notices it: the build id), so a page is
a pure function of its URL and the build; a new build empties the cache and keys pages by its generation. Under 32 concurrent readers on two cores, rendering the same table page,
chart or check page again for every reader queued every request behind the others (p95 of seconds);
serving a repeat from memory costs nothing. Readers asking for the same page at the same moment wait
for one rendering instead of starting their own. At most RENDERING pages are rendered at once, the
others wait in turn: with 32 renderings sharing the event loop, every one of them (and every page
served from memory) waited for all the others (bench/load.py at 32 clients: p95 of a cached page
118 -> 23 ms, of table pages 1.9 -> 1.1 s). One at a time is best (each page then has the process's core to
itself, first come first served, instead of sharing it with the others at every await): at 32 clients on
10,000 reports, two server processes, p95 of report / table / check / search pages 634 / 595 / 549 / 651 ms
with four at a time, 464 / 538 / 435 / 487 ms with one (bench/load.py, quiet machine). Free SQL (`?sql=`) is
not queued: it may run to the time limit, and such queries must not hold up every page.

Bounded: only complete 200 responses to plain GETs without cookies (no per-visitor content, nothing
that sets a cookie), each at most MAX_ENTRY_BYTES, all together at most MAX_TOTAL_BYTES, least
recently used dropped first. A larger response (a big CSV export) is passed through as it streams.
A request with `Cache-Control: no-cache` is rendered afresh (bench/pages.py measures rendering so).
"""
from __future__ import annotations

import asyncio
from collections import OrderedDict

from datasette import hookimpl

from ingest.site.language import request_language

MAX_ENTRY_BYTES = 2 * 1024 * 1024
MAX_TOTAL_BYTES = 128 * 1024 * 1024
WAIT_S = 10.0            # a reader waits this long at most for a rendering in flight, then renders itself
RENDERING = 1            # pages rendered at once; the others wait their turn (first come, first served)


class ResponseCache:
    def __init__(self, max_entry: int = MAX_ENTRY_BYTES, max_total: int = MAX_TOTAL_BYTES):
        self.max_entry, self.max_total = max_entry, max_total
        self.entries: OrderedDict[tuple, tuple[dict, bytes]] = OrderedDict()
        self.total = 0
        self.in_flight: dict[tuple, asyncio.Event] = {}
        self.hits = self.misses = 0
        self.rendering = asyncio.Semaphore(RENDERING)

    def clear(self) -> None:
        self.entries.clear()
        self.total = 0

    def get(self, key):
        entry = self.entries.get(key)
        if entry is not None:
            self.entries.move_to_end(key)
        return entry

    def put(self, key, start: dict, body: bytes) -> None:
        if key in self.entries or len(body) > self.max_entry:
            return
        self.entries[key] = (start, body)
        self.total += len(body)
        while self.total > self.max_total:
            _, (_, old) = self.entries.popitem(last=False)
            self.total -= len(old)


def cache_key(scope) -> tuple | None:
    """The key of a cacheable request, None for one that must not be cached."""
    if scope["type"] != "http" or scope["method"] != "GET":
        return None
    headers = dict(scope.get("headers") or [])
    if b"cookie" in headers or b"authorization" in headers or b"no-cache" in headers.get(b"cache-control", b""):
        return None
    # the language a page is rendered in (plugins/english.py) is part of what the page is
    return scope["path"], scope.get("query_string", b""), headers.get(b"host", b""), request_language(headers)


async def _replay(send, start: dict, body: bytes) -> None:
    await send(start)
    await send({"type": "http.response.body", "body": body})


def wrap_app(app, cache: ResponseCache, datasette=None):
    generation = [0]

    async def cached(scope, receive, send):
        # looked up per request: Datasette makes its app (and so this wrapper) before serve.py attaches the watch
        watch = getattr(datasette, "_gongkai_watch", None)
        if watch is not None and scope["type"] == "http":
            now = watch.check()
            if now != generation[0]:        # a new build: no page of the old one is served again
                generation[0] = now
                cache.clear()
        key = cache_key(scope)
        if key is None:
            return await app(scope, receive, send)
        key = (generation[0], *key)
        entry = cache.get(key)
        if entry is None and key in cache.in_flight:
            try:
                await asyncio.wait_for(cache.in_flight[key].wait(), WAIT_S)
            except asyncio.TimeoutError:
                pass
            entry = cache.get(key)
        if entry is not None:
            cache.hits += 1
            return await _replay(send, *entry)
        cache.misses += 1
        done = cache.in_flight.setdefault(key, asyncio.Event())
        start: dict | None = None
        chunks: list[bytes] = []
        size = 0
        keep = True

        async def send_and_copy(event):
            nonlocal start, size, keep
            if event["type"] == "http.response.start":
                start = event
                keep = event["status"] == 200 and not any(
                    k.lower() == b"set-cookie" for k, _ in event.get("headers") or [])
            elif event["type"] == "http.response.body" and keep:
                size += len(event.get("body", b""))
                if size > cache.max_entry:
                    keep = False
                    chunks.clear()
                else:
                    chunks.append(event.get("body", b""))
                    if not event.get("more_body", False) and start is not None:
                        cache.put(key, start, b"".join(chunks))
            await send(event)

        try:
            if b"sql=" in scope.get("query_string", b""):
                await app(scope, receive, send_and_copy)     # free SQL: may take the whole time limit
            else:
                async with cache.rendering:
                    await app(scope, receive, send_and_copy)
        finally:
            if cache.in_flight.get(key) is done:
                del cache.in_flight[key]
            done.set()

    return cached


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        datasette._gongkai_response_cache = cache = ResponseCache()
        return wrap_app(app, cache, datasette)

    return wrap
