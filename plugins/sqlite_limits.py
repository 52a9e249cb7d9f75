"""Memory per query is bounded: no value over MAX_LENGTH bytes, no result over deadline.MAX_RESULT_SIZE.

Why: free SQL can generate text (`replace(hex(zeroblob(n)), …)`) far faster than the time limit
stops it: SQLite's default allows 1 GB per value, and Datasette collects up to 2,000 rows of them.
SQLITE_LIMIT_LENGTH caps one value (SQLite answers "string or blob too big"); the row factory
counts what a query returns (`ingest.site.deadline.charge`) and ends it with a Chinese message once
the total passes the budget. Both limits are far above any real stored value (a report's text is
well under 1 MB; only a file near the 64 MiB read limit, `file_too_large`, could reach them).
"""
from __future__ import annotations

import sqlite3

from datasette import hookimpl

from ingest.site import deadline

MAX_LENGTH = 64 * 1024 * 1024
MESSAGE = f"查询结果过大：一次查询最多返回 {deadline.MAX_RESULT_SIZE // 1_000_000} 百万字符的数据，请缩小查询范围（减少行或列）。"


def _row_factory(cursor, row):
    size = sum(len(v) for v in row if isinstance(v, (str, bytes)))
    if size and not deadline.charge(size):
        raise sqlite3.DataError(MESSAGE)
    return sqlite3.Row(cursor, row)


@hookimpl
def prepare_connection(conn):
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_LENGTH)
    conn.row_factory = _row_factory
