"""Serve gongkai.db with Datasette: `python -m ingest serve --db gongkai.db --port 8001`.

Why not shell out to `datasette serve`: the tests, the page benchmark and the server must run the
*same* configuration (metadata, plugins, templates, settings, the database opened by ingest.site.live), so it
is built in one function, `make_datasette`, and `serve` only adds uvicorn — as Datasette's own CLI does — in
one process per core sharing the port (`--workers N`; see `serve`).
Settings live in `settings.json` (the file Datasette reads in configuration-directory mode).

Stopping: on SIGTERM or Ctrl-C the server interrupts every running query (`ingest.site.deadline`)
and gives requests in flight GRACEFUL_S seconds, so a server busy with a heavy query still exits
within a few seconds (uvicorn alone waited for the query to finish: 11 minutes for one search).
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import sys
import time
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
    time. The database changes only when a build commits, so one count per build serves every page (counted
    again when ingest.site.live notices a new build).
    """
    import time

    from .live import connect

    conn = connect(db_path)     # read-only, not immutable: an incremental build may have committed into the WAL
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
    """The configured Datasette instance for one database file, opened read-only (ingest.site.live: it sees an
    incremental build's data once committed), its tables counted once per build."""
    from datasette.app import Datasette

    from .live import LiveDatabase, Watch

    db_path = Path(db_path)
    if not db_path.exists():
        raise FileNotFoundError(f"{db_path}: no such database (run `make db` first)")
    ds = Datasette(
        inspect_data=inspect_data(db_path),
        metadata=load_metadata(db_path),
        settings=load_settings(),
        plugins_dir=str(PLUGINS_DIR),
        template_dir=str(TEMPLATES_DIR),
        static_mounts=[(STATIC_MOUNT, str(STATIC_DIR))],
    )
    db = ds.add_database(LiveDatabase(ds, path=str(db_path.resolve()), is_mutable=False), name=db_path.stem)
    if "_memory" in ds.databases:       # Datasette adds it when given no file; the site has one database
        ds.remove_database("_memory")
    ds._gongkai_watch = Watch(ds, db, inspect_data)
    return ds


def _app_factory(ds, host_header: str, warm=None):
    """The ASGI app, made by uvicorn in its main thread once its signal handlers are set."""
    def factory():
        _interrupt_queries_on_exit()
        return _warm_up_at_startup(ds.app(), ds, host_header, warm)

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


def _warm_up_at_startup(app, ds, host_header: str, warm=None):
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
                if warm is not None:
                    warm()
            return message

        await app(scope, receive_then_warm, send)

    return warmed


def default_workers() -> int:
    """One server process per core this process may run on (`--workers` overrides it)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _uvicorn_server(db_path: str | Path, host: str, port: int, warm=None):
    """One server; `warm()` is called once it has warmed up, before it accepts connections."""
    import uvicorn

    ds = make_datasette(db_path)
    config = uvicorn.Config(_app_factory(ds, f"{host}:{port}", warm), factory=True, host=host, port=port,
                            log_level="warning", lifespan="on", timeout_graceful_shutdown=GRACEFUL_S)
    return uvicorn.Server(config)


def serve(db_path: str | Path, host: str = "127.0.0.1", port: int = 8001, workers: int | None = None) -> int:
    """Serve until SIGTERM/Ctrl-C with `workers` processes on one port (default: one per core).

    Why several processes: Datasette renders a page in Python on one core (a report or a filtered table
    page: 4-5 ms of CPU), so one process under 32 clients queues every page behind the others while the
    other cores idle. Each worker is a whole server — its own Datasette from `make_datasette`, SQL threads,
    page cache and SQL time limit — accepting on its own socket of the one port (SO_REUSEPORT: the kernel
    spreads new connections over them). See `_serve_workers`.
    """
    workers = default_workers() if workers is None else max(1, int(workers))
    db_path = Path(db_path)
    if not db_path.exists():
        raise FileNotFoundError(f"{db_path}: no such database (run `make db` first)")
    print(f"gongkai: serving {db_path} on http://{host}:{port}/"
          + (f" ({workers} processes)" if workers > 1 else ""), flush=True)
    if workers == 1:
        _uvicorn_server(db_path, host, port).run()
        return 0
    return _serve_workers(db_path, host, port, workers)


RESPAWN_LIMIT = 10       # workers that died on their own restarted at most this often, then the server stops


def _serve_workers(db_path: Path, host: str, port: int, workers: int) -> int:
    """The parent: bind one socket per worker on the port, fork the workers, restart one that dies, stop them
    on a signal.

    Stopping: SIGTERM/SIGINT is passed on to every worker as SIGTERM (each interrupts its queries and
    exits within GRACEFUL_S, as a single-process server does); a worker still alive 3 s after that is
    killed, so the whole server is gone within a few seconds. The workers are forked before any thread
    or database connection exists in the parent (each opens its own), importing Datasette once first so
    they share its code pages.

    Starting: no worker accepts a connection before every worker has warmed up (a barrier of two pipes),
    so the first visitors are not all handed to the one worker that happened to be ready first.
    """
    import datasette.app  # noqa: F401  (imported once, shared by the forked workers)
    import uvicorn  # noqa: F401

    socks = _listening_sockets(host, port, workers)
    children: dict[int, int] = {}             # pid → the index of its socket
    stopping = False
    ready_r, ready_w = os.pipe()              # a worker writes one byte once warm
    go_r, go_w = os.pipe()                    # ... and accepts once it has read one byte from here

    def warm() -> None:
        os.write(ready_w, b"r")
        os.read(go_r, 1)

    def spawn(index: int) -> None:
        pid = os.fork()
        if pid == 0:                          # the worker
            code = 1
            try:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                for i, other in enumerate(socks):
                    if i != index:
                        other.close()
                _uvicorn_server(db_path, host, port, warm).run(sockets=[socks[index]])
                code = 0
            except BaseException:             # noqa: BLE001 - the worker must never return into the parent
                import traceback

                traceback.print_exc()
            finally:
                os._exit(code)
        children[pid] = index

    def stop(signum, frame) -> None:
        nonlocal stopping
        stopping = True
        for pid in list(children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for index in range(workers):
        spawn(index)
    _barrier(ready_r, go_w, workers, children, lambda: stopping)
    respawns = 0
    kill_at = None
    while children:
        if stopping and kill_at is None:
            kill_at = time.monotonic() + GRACEFUL_S + 1
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            if kill_at is not None and time.monotonic() > kill_at:
                for child in list(children):
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(child, signal.SIGKILL)
            time.sleep(0.1)
            continue
        index = children.pop(pid, None)
        if not stopping and index is not None:
            respawns += 1
            if respawns > RESPAWN_LIMIT:
                print("gongkai: server workers keep dying; stopping", file=sys.stderr, flush=True)
                stop(signal.SIGTERM, None)
            else:
                spawn(index)                  # on the same socket: its queued connections wait for it
                os.write(go_w, b"g")          # a replacement accepts as soon as it is warm
    for sock in socks:
        sock.close()
    return 0


def _listening_sockets(host: str, port: int, n: int) -> list[socket.socket]:
    """n sockets listening on one address with SO_REUSEPORT, one per worker.

    Why not one shared socket: asyncio accepts every pending connection in one go, so the worker that
    wakes first took 31 of 32 keep-alive connections opened at once and the other idled. With one socket
    per worker the kernel spreads new connections over them (by a hash of the client's address and
    port). The parent keeps them all open, so a replacement worker takes over a dead one's socket and
    the connections queued on it."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    socks = []
    for _ in range(n):
        # proto given: asyncio sets TCP_NODELAY only on sockets whose proto is IPPROTO_TCP, and without it a
        # response sent in two writes (head, body) waited 40 ms for the client's delayed ACK
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if n > 1:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
        port = sock.getsockname()[1]      # port 0: the others join the port the first one got
        sock.listen(2048)
        sock.set_inheritable(True)
        socks.append(sock)
    return socks


STARTUP_S = 120           # the longest the workers may take to warm up before they serve anyway


def _barrier(ready_r: int, go_w: int, workers: int, children: dict[int, int], stopping) -> None:
    """Wait until every worker is warm (or has died, or STARTUP_S passed, or a signal came), then let all
    of them accept."""
    import select

    deadline = time.monotonic() + STARTUP_S
    ready = 0
    while ready < workers and not stopping() and time.monotonic() < deadline:
        if select.select([ready_r], [], [], 0.1)[0]:
            ready += len(os.read(ready_r, workers))
        else:
            with contextlib.suppress(ChildProcessError):
                pid, _status = os.waitpid(-1, os.WNOHANG)
                if pid:
                    children.pop(pid, None)
                    workers -= 1
    os.write(go_w, b"g" * len(children))
