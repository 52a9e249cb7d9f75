"""Ctrl-C and SIGTERM during a build: stop within a second or two, wherever the build is.

Python runs a signal handler only between bytecodes, so a build stuck in one long SQLite statement
(an index over millions of rows, a rule, VACUUM) would not notice Ctrl-C until the statement ends.
`watch(conn)` gives such a connection a progress handler: SQLite calls back into Python every few
thousand steps, the pending handler runs there and the statement is aborted ("interrupted"). The
handler remembers the signal, so whatever exception then travels up (KeyboardInterrupt, SystemExit or
sqlite3.OperationalError) the build turns into one `BuildInterrupted` after its cleanup: worker
processes killed (ingest.database.pool), temporary database removed, previous database untouched.

`stall(phase)` is a test hook: with GONGKAI_TEST_STALL=<phase> in the environment the build (or a
worker, for parse and checks) prints one line and waits there forever, so a test can interrupt it in
that phase. It does nothing otherwise.
"""
from __future__ import annotations

import os
import signal
import sqlite3
import sys
import threading
import time

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class BuildInterrupted(KeyboardInterrupt):
    """The build was stopped by a signal (`signum`); nothing was written to the target database."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name


class _State:
    signum: int | None = None   # the first stop signal received during this build
    armed = False               # raise at once (False once the database has been moved into place)


_state = _State()


def _handler(signum, frame):
    if _state.signum is not None:   # a second Ctrl-C must not cut the cleanup of the first short
        return
    _state.signum = signum
    if _state.armed:
        raise BuildInterrupted(signum)


class stop_on_signals:
    """During a build: SIGINT and SIGTERM raise BuildInterrupted (only where they would otherwise raise
    KeyboardInterrupt or kill the process: a handler someone else installed is left alone)."""

    def __enter__(self):
        self.previous: dict[int, object] = {}
        _state.signum, _state.armed = None, True
        if threading.current_thread() is not threading.main_thread():
            return self
        for signum in STOP_SIGNALS:
            current = signal.getsignal(signum)
            if current in (signal.SIG_DFL, signal.default_int_handler):
                self.previous[signum] = signal.signal(signum, _handler)
        return self

    def __exit__(self, *exc):
        for signum, previous in self.previous.items():
            signal.signal(signum, previous)
        _state.armed = False
        return False


def disarm() -> None:
    """From here on a signal no longer stops the build (the new database is being moved into place)."""
    _state.armed = False


def stopping() -> int | None:
    """The stop signal received during this build, if any."""
    return _state.signum


def check() -> None:
    """Raise BuildInterrupted if a stop signal arrived (for code that catches errors and carries on)."""
    if _state.signum is not None and _state.armed:
        raise BuildInterrupted(_state.signum)


def _progress() -> int:
    return 1 if _state.signum is not None and _state.armed else 0


def watch(conn: sqlite3.Connection) -> None:
    """Let a stop signal abort a long statement on this connection (see the module docstring)."""
    conn.set_progress_handler(_progress, 20000)


def stall(phase: str, conn: sqlite3.Connection | None = None) -> None:
    """Test hook (GONGKAI_TEST_STALL=<phase>): announce the phase on stderr, then never return — in an
    endless SQL statement on `conn` if given (to show a signal reaches into SQLite), else asleep."""
    if os.environ.get("GONGKAI_TEST_STALL") != phase:
        return
    print(f"gongkai: test-stall {phase} pid={os.getpid()}", file=sys.stderr, flush=True)
    if conn is not None:
        conn.execute("with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c")
    while True:
        time.sleep(0.05)
