"""SQL functions for Chinese full-text search: `jieba_query(q)`, `jieba_segment(text)` and
`jieba_snippet(text, q)`.

Why: `sections_fts` indexes jieba-segmented text (FTS5 cannot split Chinese into words), so a
query must be segmented the same way before MATCH. The segmentation is `ingest.database.search` — the
module the build uses — so the index and the queries can never disagree.

Both run in Python inside SQLite, where Datasette's time limit cannot reach them, so they bound
themselves: `jieba_segment` refuses more than MAX_SEGMENT_CHARS characters and stops at the query's
deadline (`ingest.site.deadline`), ending the query as the time limit does; `jieba_query` refuses a
query `search.query_problem` finds too long (the search page says why in Chinese before running
it: plugins/search_limits.py).

`jieba_snippet` makes the canned search's snippets from the original section text: the index is
contentless (the text is stored once, in source_texts), so FTS5's snippet() has nothing to show — and what
it showed was the segmented tokens anyway, not the report's words.
"""
from __future__ import annotations

import functools
import time

from datasette import hookimpl

from ingest.database import search
from ingest.site import deadline

MAX_SEGMENT_CHARS = 1_000_000   # the longest real section is ~30,000 characters
BUDGET_S = 1.0                  # a call outside any timed query (no deadline) still stops after this


def jieba_query(q: str | None) -> str:
    """An FTS5 MATCH expression for a user's query; an empty query matches nothing (not an error)."""
    expression = search.fts_query(q or "") if (q or "").strip() else ""
    return expression or '""'


def jieba_segment(text: str | None) -> str | None:
    if text is None:
        return None
    text = str(text)
    if len(text) > MAX_SEGMENT_CHARS:
        raise ValueError(f"jieba_segment: 文本超过 {MAX_SEGMENT_CHARS:,} 个字符")
    fallback = time.monotonic() + BUDGET_S

    def expired() -> bool:      # asked again and again: the server may start stopping meanwhile
        return time.monotonic() > (deadline.current_deadline() or fallback)

    try:
        return search.segment(text, expired=expired)
    except search.SegmentTimeout:
        if deadline.expire_current():  # the query stops with SQLite's "interrupted", like any slow query
            return None
        raise


SNIPPET_CHARS = 24             # characters of context on each side of the first match (as snippet()'s 24 tokens)
MAX_SNIPPET_TERMS = 8


@functools.lru_cache(maxsize=256)
def _snippet_words(q: str) -> tuple[str, ...]:
    """The words to mark, longest first (a query's 200 snippets segment it once)."""
    words = search.query_tokens(q)[:MAX_SNIPPET_TERMS] if q else []
    return tuple(sorted({w for w in words if w}, key=len, reverse=True))


def jieba_snippet(text: str | None, q: str | None, heading: str | None = None) -> str | None:
    """A readable window of `text` around the first word of `q` found in it, every word marked 【…】,
    "…" where the window cuts the text. A section found by its heading alone (the index has the report
    title, agency and section title too) shows `heading` instead. Linear: a few str.find over one text."""
    words = _snippet_words(str(q) if q is not None else "")
    found = [i for i in (str(text or "").find(w) for w in words) if i >= 0]
    if not found and heading:
        text = heading
        found = [i for i in (str(text).find(w) for w in words) if i >= 0]
    if text is None:
        return None
    text = str(text)
    first = min(found, default=0)
    start, end = max(0, first - SNIPPET_CHARS), min(len(text), first + SNIPPET_CHARS * 3)
    window = text[start:end]
    out, i = [], 0
    while i < len(window):
        w = next((w for w in words if window.startswith(w, i)), None)
        if w:
            out.append(f"【{w}】")
            i += len(w)
        else:
            out.append(window[i])
            i += 1
    return ("…" if start > 0 else "") + "".join(out) + ("…" if end < len(text) else "")


@hookimpl
def startup(datasette):
    search.initialize()     # jieba's dictionary takes a second to load: not on the first visitor's search


@hookimpl
def prepare_connection(conn):
    conn.create_function("jieba_query", 1, jieba_query, deterministic=True)
    conn.create_function("jieba_segment", 1, jieba_segment, deterministic=True)
    conn.create_function("jieba_snippet", 2, jieba_snippet, deterministic=True)
    conn.create_function("jieba_snippet", 3, jieba_snippet, deterministic=True)
