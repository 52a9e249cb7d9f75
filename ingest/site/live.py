"""The served database may change under the running server: an incremental build commits into it in place.

Why not `immutable`: SQLite then ignores the write-ahead log and locks, so a server would read a file an
incremental build is writing (ingest/database/build.py: one transaction in WAL mode) and could see a mix
of old and new pages. Opened read-only (`mode=ro`), every query reads one committed snapshot: the old
database or the new one, never a mix.

What still treats the file as unchanging: Datasette's table counts (from inspect data, counted once: no page
counts millions of rows), and the page cache (plugins/response_cache.py). Both must follow new data, so
`Watch.check()` (called by the page cache for every request) looks at the file: a stat of the database and its
-wal (microseconds); when either changed, it reads `build_info.build_id` (each build writes a new one). A new
build id means a new generation: the page cache drops its pages, every thread's connection is reopened at its
next query (a database replaced by a new file, after a schema or parser change, is then read from the new file),
and the tables are counted again on a thread (until then pages show the previous counts).

`LiveDatabase` is a Datasette Database that Datasette treats as immutable (counts from inspect data, the
database download, no write) but opens read-only and reconnects per generation.
"""
from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

from datasette.database import Database, connections


def _uri(path: str | Path) -> str:
    return f"{Path(path).resolve().as_uri()}?mode=ro"


def connect(path: str | Path) -> sqlite3.Connection:
    """A connection the way the server opens the database: read-only, not immutable (sees committed builds)."""
    return sqlite3.connect(_uri(path), uri=True, check_same_thread=False)


def build_id(path: str | Path) -> str | None:
    try:
        conn = connect(path)
        try:
            row = conn.execute("select value from build_info where key = 'build_id'").fetchone()
            return row[0] if row else None
        finally:
            conn.close()
    except sqlite3.Error:
        return None


class LiveDatabase(Database):
    generation = 0

    def connect(self, write=False):
        assert not write
        conn = connect(self.path)
        self._all_file_connections.append(conn)
        return conn

    async def execute_fn(self, fn):
        import asyncio

        if self.ds.executor is None:
            if self._read_connection is None or getattr(self, "_read_generation", None) != self.generation:
                self._read_connection = self.connect()
                self._read_generation = self.generation
                self.ds._prepare_connection(self._read_connection, self.name)
            return fn(self._read_connection)
        generation = self.generation

        def in_thread():
            held = getattr(connections, self.name, None)
            if not held or held[0] != generation:
                if held:
                    held[1].close()
                    if held[1] in self._all_file_connections:
                        self._all_file_connections.remove(held[1])
                conn = self.connect()
                self.ds._prepare_connection(conn, self.name)
                held = (generation, conn)
                setattr(connections, self.name, held)
            return fn(held[1])

        return await asyncio.get_event_loop().run_in_executor(self.ds.executor, in_thread)


def _signature(path: Path) -> tuple:
    out = []
    for p in (path, path.with_name(path.name + "-wal")):
        try:
            st = os.stat(p)
            out.append((st.st_ino, st.st_size, st.st_mtime_ns))
        except OSError:
            out.append(None)
    return tuple(out)


class Watch:
    """Notices a new build of the served file (module docstring)."""

    def __init__(self, datasette, db: LiveDatabase, counter):
        self.ds, self.db, self.counter = datasette, db, counter
        self.path = Path(db.path)
        self.signature = _signature(self.path)
        self.build_id = build_id(self.path)
        self.generation = 0
        self.lock = threading.Lock()

    def check(self) -> int:
        """The current generation, after looking whether the file changed."""
        signature = _signature(self.path)
        if signature == self.signature:
            return self.generation
        with self.lock:
            if signature == self.signature:
                return self.generation
            self.signature = signature
            new = build_id(self.path)
            if new == self.build_id:
                return self.generation
            self.build_id = new
            self.generation += 1
            self.db.generation = self.generation
            self.db.cached_hash = self.db.cached_size = None
            threading.Thread(target=self._recount, args=(self.generation,), daemon=True).start()
        return self.generation

    def _recount(self, generation: int) -> None:
        entry = self.counter(self.path)
        if generation == self.generation:
            self.ds.inspect_data = {**(self.ds.inspect_data or {}), **entry}
            self.db._cached_table_counts = None


def watch_of(datasette) -> Watch | None:
    return getattr(datasette, "_gongkai_watch", None)
