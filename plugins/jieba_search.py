"""SQL functions for Chinese full-text search: `jieba_query(q)` and `jieba_segment(text)`.

Why: `sections_fts` indexes jieba-segmented text (FTS5 cannot split Chinese into words), so a
query must be segmented the same way before MATCH. The segmentation is `ingest.database.search` — the
module the build uses — so the index and the queries can never disagree.
"""
from __future__ import annotations

from datasette import hookimpl

from ingest.database.search import fts_query, segment


def jieba_query(q: str | None) -> str:
    """An FTS5 MATCH expression for a user's query; an empty query matches nothing (not an error)."""
    expression = fts_query(q or "") if (q or "").strip() else ""
    return expression or '""'


def jieba_segment(text: str | None) -> str | None:
    return None if text is None else segment(text)


@hookimpl
def prepare_connection(conn):
    conn.create_function("jieba_query", 1, jieba_query, deterministic=True)
    conn.create_function("jieba_segment", 1, jieba_segment, deterministic=True)
