"""Every SQL query of the site ends at its time limit: a watchdog, and the deadline for Python SQL functions.

Why: Datasette enforces `sql_time_limit_ms` with SQLite's progress handler, which runs between
virtual-machine instructions of the *outer* statement. Two kinds of work never reach it:
- a Python SQL function (`jieba_segment` of 4 MB of text ran 16 s inside one instruction);
- FTS5's auxiliary functions (`snippet`, `highlight`), which run their own inner statements: an
  expression of thousands of words kept one query going 20 s past a 3 s limit.

`install()` wraps Datasette's `sqlite_timelimit` (the context manager around every query it runs)
so that each query also registers its connection and deadline here. A watchdog thread calls
`conn.interrupt()` (the one SQLite call that is safe from another thread) on a query still
running `GRACE_S` after its deadline, which also stops inner statements. Python SQL functions call
`current_deadline()` to stop at the same deadline, and `expire_current()` to end their query the way
SQLite's own time limit does (Datasette then shows its usual "query took too long" page).
`interrupt_all()` stops every running query at once: the server calls it on SIGTERM so that its
SQL threads finish and the process can exit.

Memory has a budget too: `charge(n)` counts the characters and bytes of the rows a query returns
(plugins/sqlite_limits.py calls it for every row), so that one query cannot pile up gigabytes of
generated text before its time runs out; after a large or failed query the watchdog gives the freed
memory back to the OS (`release_memory`, at most once every TRIM_EVERY_S).
"""
from __future__ import annotations

import ctypes
import functools
import gc
import threading
import time
from contextlib import contextmanager

GRACE_S = 0.2           # a query still running this long after its deadline is interrupted
_TICK_S = 0.05          # how often the watchdog looks

MAX_RESULT_SIZE = 64_000_000    # characters + bytes of all the values one query returns
TRIM_AFTER = 8_000_000          # a query that returned more gives its freed memory back to the OS
TRIM_DELAY_S = 0.5              # ...this long after it ended (its values are garbage by then)
TRIM_EVERY_S = 2.0              # a cycle collection costs tens of ms on a big heap: not on every failure

_lock = threading.Lock()
_running: dict[int, tuple[object, float]] = {}     # thread id -> (connection, deadline on time.monotonic())
_returned = threading.local()                      # .size: what the current query returned so far
_watchdog: threading.Thread | None = None
_stopping = threading.Event()
_trim_wanted = threading.Event()


def current_deadline() -> float | None:
    """The deadline (`time.monotonic()`) of the query running on this thread, None outside a query."""
    entry = _running.get(threading.get_ident())
    if _stopping.is_set():
        return time.monotonic() - 1
    return entry[1] if entry else None


def expire_current() -> bool:
    """Interrupt the query running on this thread (from inside one of its SQL functions).

    False when this thread runs no timed query (the caller must then fail some other way)."""
    with _lock:
        entry = _running.get(threading.get_ident())
        if entry:
            entry[0].interrupt()
        return entry is not None


def interrupt_all() -> None:
    """Interrupt every running query and every later one (the server is stopping).

    Safe in a signal handler: it only sets a flag; the watchdog does the interrupting."""
    _stopping.set()


def charge(size: int) -> bool:
    """Count `size` more characters/bytes returned by this thread's query; False once over budget.

    Rows read outside a timed query (Datasette's own introspection) are not counted."""
    if threading.get_ident() not in _running:
        return True
    _returned.size = getattr(_returned, "size", 0) + size
    return _returned.size <= MAX_RESULT_SIZE


@contextmanager
def _register(conn, ms):
    ident = threading.get_ident()
    _returned.size = 0
    with _lock:
        _running[ident] = (conn, time.monotonic() + ms / 1000)
        if _stopping.is_set():
            conn.interrupt()
    try:
        yield
    except BaseException as e:
        if str(e) not in ("interrupted",):
            _trim_wanted.set()      # e.g. too big: a query that failed may have built large values first
        raise
    finally:
        with _lock:
            _running.pop(ident, None)
        if getattr(_returned, "size", 0) > TRIM_AFTER:
            _trim_wanted.set()


def release_memory() -> None:
    """Return freed heap to the OS (glibc keeps it otherwise: RSS grew by 250 MB per refused query).

    The watchdog calls it shortly after a large or failed query. A failed query's values stay alive
    in the cycle its traceback makes with its frames until the cycle collector runs: collect first."""
    gc.collect()
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


@functools.lru_cache(maxsize=1)
def _libc():
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim, libc.mallopt      # glibc only
        return libc
    except (OSError, AttributeError):
        return None


def _watch() -> None:
    trim_at, last_trim = None, 0.0
    while True:
        time.sleep(_TICK_S)
        now = time.monotonic()
        if _trim_wanted.is_set() and trim_at is None:
            _trim_wanted.clear()
            trim_at = max(now + TRIM_DELAY_S, last_trim + TRIM_EVERY_S)
        if trim_at is not None and now >= trim_at:
            trim_at, last_trim = None, now
            release_memory()
        stopping = _stopping.is_set()
        with _lock:
            for conn, deadline in _running.values():
                if stopping or now > deadline + GRACE_S:
                    conn.interrupt()


def install() -> None:
    """Wrap Datasette's per-query time limit (idempotent) and start the watchdog thread."""
    global _watchdog
    import datasette.database as database

    original = getattr(database.sqlite_timelimit, "_gongkai_original", database.sqlite_timelimit)

    @contextmanager
    def sqlite_timelimit(conn, ms):
        with original(conn, ms), _register(conn, ms):
            yield

    sqlite_timelimit._gongkai_original = original
    database.sqlite_timelimit = sqlite_timelimit
    with _lock:
        if _watchdog is None:
            _watchdog = threading.Thread(target=_watch, name="gongkai-sql-watchdog", daemon=True)
            _watchdog.start()
