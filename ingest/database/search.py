"""Chinese full-text search: jieba segmentation shared by the index and the query.

SQLite's FTS5 tokenizers split on spaces and punctuation, so a run of Chinese characters would be
one token and 复议 would never match 行政复议. We therefore store text already segmented by jieba,
tokens joined by spaces (`segment`), and turn a user's query into an FTS5 expression segmented the
same way (`fts_query`). Both the build and the site's Datasette plugin use these two functions.

The index uses jieba's search mode, which also emits the dictionary words inside a long word
(行政复议 → 行政 复议 行政复议), so a query for a part of a compound still matches. The query uses
the precise mode and requires every token (AND), which tolerates the extra sub-words in the index.

jieba takes about a second to load its dictionary: `_jieba()` does it once per process. Reports
repeat whole sentences (from year to year, and across a generated corpus), so sentences are cached.
"""
from __future__ import annotations

import functools
import logging
import re

# Pieces jieba segments independently: runs of Chinese characters (jieba never joins a word across
# punctuation or digits) and runs of Latin letters and digits, which jieba keeps whole anyway. Only
# the Chinese runs go through jieba, and they are cached: reports repeat their wording, not figures.
_PIECE = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)|[A-Za-z0-9]+")


@functools.lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def initialize() -> None:
    """Load the jieba dictionary now (e.g. before forking workers, so they share it)."""
    _jieba()


@functools.lru_cache(maxsize=100_000)
def _segment_sentence(sentence: str) -> tuple[str, ...]:
    jieba = _jieba()
    return tuple(t for t in (w.strip() for w in jieba.cut_for_search(sentence, HMM=False)) if t)


def segment(text: str | None) -> str:
    """Text → jieba search-mode tokens joined by single spaces (what goes into `sections_fts`)."""
    if not text:
        return ""
    tokens: list[str] = []
    for m in _PIECE.finditer(text):
        if m.group(1):
            tokens.extend(_segment_sentence(m.group(1)))
        else:
            tokens.append(m.group(0))
    return " ".join(tokens)


def query_tokens(q: str | None) -> list[str]:
    """The words of a user's query, segmented in jieba's precise mode, punctuation dropped."""
    if not q:
        return []
    jieba = _jieba()
    words = []
    for part in q.split():
        for w in jieba.cut(part, HMM=False):
            w = w.strip()
            if w and re.search(r"\w", w):
                words.append(w)
    return words


def fts_query(q: str | None) -> str:
    """A user's query → an FTS5 MATCH expression: every segmented word, quoted, all required.

    Quoting each token makes FTS5 syntax characters in user input harmless. An empty query gives
    '""', which matches nothing rather than raising a syntax error.
    """
    words = query_tokens(q)
    if not words:
        return '""'
    return " ".join('"' + w.replace('"', '""') + '"' for w in words)
