"""Serve gongkai.db with Datasette: `python -m ingest serve --db gongkai.db --port 8001`.

Why not shell out to `datasette serve`: the tests, the page benchmark and the server must run the
*same* configuration (metadata, plugins, templates, settings, immutable database), so it is built in
one function, `make_datasette`, and `serve` only adds uvicorn — as Datasette's own CLI does.
Settings live in `settings.json` (the file Datasette reads in configuration-directory mode).

Stopping: on SIGTERM or Ctrl-C the server interrupts every running query (`ingest.site.deadline`)
and gives requests in flight GRACEFUL_S seconds, so a server busy with a heavy query still exits
within a few seconds (uvicorn alone waited for the query to finish: 11 minutes for one search).
"""
from __future__ import annotations

import asyncio
import json
import signal
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
METADATA_PATH = ROOT / "metadata.yml"
SETTINGS_PATH = ROOT / "settings.json"
PLUGINS_DIR = ROOT / "plugins"
TEMPLATES_DIR = ROOT / "templates"
STATIC_DIR = ROOT / "static"
STATIC_MOUNT = "gongkai-static"   # /gongkai-static/site.css, site.js, table.js (templates/base.html)
DATABASE_NAME = "gongkai"
GRACEFUL_S = 2
PRIMED_PATHS = ("/", "/-/overview")


def load_settings(path: Path = SETTINGS_PATH) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def load_metadata(db_path: str | Path, path: Path = METADATA_PATH) -> dict:
    """metadata.yml, its database entry renamed to the served file's name.

    Datasette keys metadata by database name (the file stem), so a database built elsewhere
    (a test's tmp file, `--db other.db`) still gets its descriptions and canned queries.
    """
    metadata = yaml.safe_load(path.read_text(encoding="utf-8"))
    name = Path(db_path).stem
    databases = metadata.get("databases", {})
    if name != DATABASE_NAME and DATABASE_NAME in databases:
        databases[name] = databases.pop(DATABASE_NAME)
    return metadata


# Longest a table may take to count at start-up; a table past it is counted per page view, as without this.
COUNT_BUDGET_S = 2.0


def table_counts(db_path: str | Path, budget_s: float = COUNT_BUDGET_S) -> dict[str, dict]:
    """Row counts of the database's tables, counted once, as `datasette inspect` would ({table: {count}}).

    Why: Datasette counts an unfiltered table page with `select count(*)` on every view unless its inspect
    data has the count; over the millions of rows of `cells` or `check_results` that count is most of the page
    time. The database is immutable, so one count at start-up serves every page.
    """
    import sqlite3
    import time

    conn = sqlite3.connect(f"{Path(db_path).resolve().as_uri()}?immutable=1", uri=True)
    counts: dict[str, dict] = {}
    try:
        names = [n for (n,) in conn.execute("select name from sqlite_master where type = 'table'")]
        for name in names:
            deadline = time.monotonic() + budget_s
            conn.set_progress_handler(lambda: time.monotonic() > deadline, 10000)
            try:
                counts[name] = {"count": conn.execute(f"select count(*) from [{name}]").fetchone()[0]}
            except sqlite3.Error:          # interrupted past the budget, or a virtual table without its module
                pass
    finally:
        conn.close()
    return counts


class _InspectEntry(dict):
    """One database's inspect data whose hash (SHA-256 of the file) is computed only if something asks for it,
    as Datasette does for an immutable database without an inspect file."""

    def __init__(self, path: Path, **fields):
        super().__init__(**fields)
        self._path = path

    def __missing__(self, key):
        if key != "hash":
            raise KeyError(key)
        from datasette.inspect import inspect_hash

        self["hash"] = inspect_hash(self._path)
        return self["hash"]


def inspect_data(db_path: str | Path) -> dict:
    """Inspect data for one database as `datasette inspect` writes it, with the counts of `table_counts`."""
    db_path = Path(db_path)
    return {db_path.stem: _InspectEntry(db_path, size=db_path.stat().st_size, file=str(db_path),
                                        tables=table_counts(db_path))}


def make_datasette(db_path: str | Path):
    """The configured Datasette instance for one immutable database file (its tables counted once)."""
    from datasette.app import Datasette

    db_path = Path(db_path)
    if not db_path.exists():
        raise FileNotFoundError(f"{db_path}: no such database (run `make db` first)")
    return Datasette(
        immutables=[str(db_path)],
        inspect_data=inspect_data(db_path),
        metadata=load_metadata(db_path),
        settings=load_settings(),
        plugins_dir=str(PLUGINS_DIR),
        template_dir=str(TEMPLATES_DIR),
        static_mounts=[(STATIC_MOUNT, str(STATIC_DIR))],
    )


def _app_factory(ds, host_header: str):
    """The ASGI app, made by uvicorn in its main thread once its signal handlers are set."""
    def factory():
        _interrupt_queries_on_exit()
        return _warm_up_at_startup(ds.app(), ds, host_header)

    return factory


def _interrupt_queries_on_exit() -> None:
    """Put `deadline.interrupt_all` before uvicorn's own SIGTERM/SIGINT handlers (installed by now)."""
    from ingest.site import deadline

    for sig in (signal.SIGTERM, signal.SIGINT):
        previous = signal.getsignal(sig)
        if callable(previous):
            def handler(signum, frame, previous=previous):
                deadline.interrupt_all()
                previous(signum, frame)

            signal.signal(sig, handler)


def _warm_up_at_startup(app, ds, host_header: str):
    """Before the server accepts connections (ASGI lifespan startup), render the pages every visitor
    opens first (PRIMED_PATHS) through the serving app: Datasette computes its table counts and lists
    once, and the page cache (plugins/response_cache.py) holds them for the address the server
    listens on. Without this the first visitors all wait together (seconds under load)."""
    host = host_header.encode()

    async def get(path: str) -> None:
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
                 "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
                 "root_path": "", "headers": [(b"host", host)], "client": ("127.0.0.1", 0), "server": None}

        async def receive():
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message):
            pass

        await app(scope, receive, send)

    async def warmed(scope, receive, send):
        if scope["type"] != "lifespan":
            return await app(scope, receive, send)

        async def receive_then_warm():
            message = await receive()
            if message["type"] == "lifespan.startup":
                await ds.invoke_startup()
                for path in PRIMED_PATHS:
                    await get(path)
            return message

        await app(scope, receive_then_warm, send)

    return warmed


def serve(db_path: str | Path, host: str = "127.0.0.1", port: int = 8001) -> int:
    """Serve until SIGTERM/Ctrl-C (one process: on this 2-core machine a second worker process
    measured no faster under bench/load.py, and it doubles the memory)."""
    import uvicorn

    ds = make_datasette(db_path)
    config = uvicorn.Config(_app_factory(ds, f"{host}:{port}"), factory=True, host=host, port=port,
                            log_level="warning", lifespan="on", timeout_graceful_shutdown=GRACEFUL_S)
    print(f"gongkai: serving {db_path} on http://{host}:{port}/", flush=True)
    uvicorn.Server(config).run()
    return 0
