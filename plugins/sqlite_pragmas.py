"""Connection settings for the site's SQLite connections: memory-mapped reads and a larger page cache.

Why: the consistency-check canned queries (canned_queries/checks/) read a whole year's table-3 rows from
one covering index, tens of megabytes per query at the national scale. With SQLite's defaults (2 MiB cache,
no mmap) every page is copied in from the OS on each run; mapping the file and caching 64 MiB per connection
keeps repeated queries fast. The database is opened read-only (immutable), so neither setting can change
any result. `bench/checks.py` applies the same settings, so it measures what the site serves.
"""
from __future__ import annotations

from datasette import hookimpl

PRAGMAS = (("mmap_size", 1 << 30), ("cache_size", -65536))     # cache_size < 0: KiB


def apply_pragmas(conn) -> None:
    for name, value in PRAGMAS:
        conn.execute(f"pragma {name} = {value}")


@hookimpl
def prepare_connection(conn):
    apply_pragmas(conn)
