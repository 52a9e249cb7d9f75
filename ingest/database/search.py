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

Bounded: jieba builds a graph over a whole run of Chinese characters, so one 4 MB run without
punctuation cost 16 s and 1.7 GB. Runs longer than `MAX_RUN` characters (no real sentence is) are
cut into `MAX_RUN`-character pieces, only short pieces are cached, and `segment` can stop at a
deadline (`SegmentTimeout`) — the site's SQL function uses it to honour the query time limit.
A user's query is capped too (`MAX_QUERY_CHARS` characters, `MAX_QUERY_TERMS` words): an FTS5 query
of thousands of words costs time quadratic in their number, inside SQLite where no time limit reaches.
"""
from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable

# Pieces jieba segments independently: runs of Chinese characters (jieba never joins a word across
# punctuation or digits) and runs of Latin letters and digits, which jieba keeps whole anyway. Only
# the Chinese runs go through jieba, and they are cached: reports repeat their wording, not figures.
_PIECE = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)|[A-Za-z0-9]+")

MAX_RUN = 2000          # characters of one Chinese run given to jieba at once (memory and time per call)
MAX_CACHED = 200        # longer runs are not cached: hostile or one-off text must not fill the cache
MAX_QUERY_CHARS = 100   # a search query longer than this is refused (a sentence is ~30-60 characters)
MAX_QUERY_TERMS = 32    # ...and so is one of more words after segmentation
_CHECK_EVERY = 8        # pieces segmented between two calls of `expired`


def segmenter_version() -> str:
    """This module's source and jieba's version: the full-text index is contentless, so a report's entries
    are removed by segmenting its stored text again (load.delete_reports), which is exact only with the same
    segmenter. schema.schema_version includes this, so a new segmenter rebuilds the database."""
    import hashlib
    from importlib import metadata
    from pathlib import Path

    try:
        jieba_version = metadata.version("jieba")
    except metadata.PackageNotFoundError:
        jieba_version = ""
    return hashlib.sha256(Path(__file__).read_bytes() + jieba_version.encode()).hexdigest()[:16]


class SegmentTimeout(Exception):
    """`segment` passed its deadline; the caller decides what a timeout means (the site: the time limit)."""


@functools.lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def initialize() -> None:
    """Load the jieba dictionary now (e.g. before forking workers, so they share it)."""
    _jieba()


def _cut_for_search(sentence: str) -> tuple[str, ...]:
    jieba = _jieba()
    return tuple(t for t in (w.strip() for w in jieba.cut_for_search(sentence, HMM=False)) if t)


_cached_cut = functools.lru_cache(maxsize=100_000)(_cut_for_search)


def _segment_sentence(sentence: str) -> tuple[str, ...]:
    """One run of at most MAX_RUN Chinese characters → its tokens (short runs cached)."""
    return _cached_cut(sentence) if len(sentence) <= MAX_CACHED else _cut_for_search(sentence)


def segment(text: str | None, expired: Callable[[], bool] | None = None) -> str:
    """Text → jieba search-mode tokens joined by single spaces (what goes into `sections_fts`).

    Chinese runs are segmented (runs over MAX_RUN characters in MAX_RUN pieces), Latin letters and digits kept
    as they are, everything else dropped. `expired` (e.g. "has the query's deadline passed, or is the server
    stopping?"): raise `SegmentTimeout` once it says True; asked every few pieces, each at most MAX_RUN
    characters, so the overshoot is a few milliseconds.
    """
    if not text:
        return ""
    tokens: list[str] = []
    i = 0                   # pieces so far (a run over MAX_RUN characters counts each of its pieces)
    for m in _PIECE.finditer(text):
        run = m.group(1)
        if run is None or len(run) <= MAX_RUN:
            pieces = (m.group(0),)
        else:
            pieces = [run[k:k + MAX_RUN] for k in range(0, len(run), MAX_RUN)]
        for piece in pieces:
            if expired is not None and i % _CHECK_EVERY == 0 and expired():
                raise SegmentTimeout(f"segmentation stopped after {i} pieces of a {len(text)}-character text")
            i += 1
            if run is None:
                tokens.append(piece)
            else:
                tokens.extend(_segment_sentence(piece))
    return " ".join(tokens)


def query_tokens(q: str | None) -> list[str]:
    """The words of a user's query, segmented in jieba's precise mode, punctuation dropped.

    Only the first MAX_QUERY_CHARS characters are read and at most MAX_QUERY_TERMS + 1 words kept:
    enough for `query_problem` to tell that a query is too long, never more work than that.
    """
    if not q:
        return []
    jieba = _jieba()
    words = []
    for part in q[:MAX_QUERY_CHARS + 1].split():
        for w in jieba.cut(part, HMM=False):
            w = w.strip()
            if w and re.search(r"\w", w):
                words.append(w)
                if len(words) > MAX_QUERY_TERMS:
                    return words
    return words


def query_problem(q: str | None) -> str | None:
    """Why a search query is refused (a message in Chinese for the visitor), or None when it is fine."""
    if not q:
        return None
    if len(q) > MAX_QUERY_CHARS:
        return (f"检索词过长：最多 {MAX_QUERY_CHARS} 个字符，当前为 {len(q):,} 个字符。"
                f"请缩短检索词（例如只保留最关键的几个词）后重试。")
    if len(query_tokens(q)) > MAX_QUERY_TERMS:
        return (f"检索词包含的词语过多：分词后最多 {MAX_QUERY_TERMS} 个词。"
                f"请减少检索词后重试。")
    return None


# What FTS5's unicode61 tokenizer keeps together: letters and digits (an underscore or any punctuation splits)
_FTS_TOKEN = re.compile(r"[^\W_]+")


def fts_query(q: str | None) -> str:
    """A user's query → an FTS5 MATCH expression: every segmented word, quoted, all required.

    Quoting each token makes FTS5 syntax characters in user input harmless. An empty query gives
    '""', which matches nothing rather than raising a syntax error. A query `query_problem` refuses
    raises ValueError: a truncated query would silently search for something else.
    """
    problem = query_problem(q)
    if problem:
        raise ValueError(problem)
    words = query_tokens(q)
    # The index keeps which column a word is in, not where (detail=column: half the size), so every quoted
    # string must be one FTS5 token: a jieba word FTS5 would split ("3.5", "e-mail") becomes its parts, each
    # required (the search page still checks the words as written in the text).
    tokens = [t for w in words for t in _FTS_TOKEN.findall(w)]
    if not tokens:
        return '""'
    return " ".join('"' + t + '"' for t in tokens)
