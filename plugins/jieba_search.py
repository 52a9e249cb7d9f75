"""SQL functions for Chinese full-text search: `jieba_query(q)` and `jieba_segment(text)`.

Why: `sections_fts` indexes jieba-segmented text (FTS5 cannot split Chinese into words), so a
query must be segmented the same way before MATCH. The segmentation is `ingest.database.search` — the
module the build uses — so the index and the queries can never disagree.

Both run in Python inside SQLite, where Datasette's time limit cannot reach them, so they bound
themselves: `jieba_segment` refuses more than MAX_SEGMENT_CHARS characters and stops at the query's
deadline (`ingest.site.deadline`), ending the query as the time limit does; `jieba_query` refuses a
query `search.query_problem` finds too long (the search page says why in Chinese before running
it: plugins/search_limits.py).
"""
from __future__ import annotations

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


@hookimpl
def startup(datasette):
    search.initialize()     # jieba's dictionary takes a second to load: not on the first visitor's search


@hookimpl
def prepare_connection(conn):
    conn.create_function("jieba_query", 1, jieba_query, deterministic=True)
    conn.create_function("jieba_segment", 1, jieba_segment, deterministic=True)
