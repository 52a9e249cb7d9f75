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
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
METADATA_PATH = ROOT / "metadata.yml"
SETTINGS_PATH = ROOT / "settings.json"
PLUGINS_DIR = ROOT / "plugins"
TEMPLATES_DIR = ROOT / "templates"
DATABASE_NAME = "gongkai"
GRACEFUL_S = 2


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


def make_datasette(db_path: str | Path):
    """The configured Datasette instance for one immutable database file."""
    from datasette.app import Datasette

    db_path = Path(db_path)
    if not db_path.exists():
        raise FileNotFoundError(f"{db_path}: no such database (run `make db` first)")
    return Datasette(
        immutables=[str(db_path)],
        metadata=load_metadata(db_path),
        settings=load_settings(),
        plugins_dir=str(PLUGINS_DIR),
        template_dir=str(TEMPLATES_DIR),
    )


def serve(db_path: str | Path, host: str = "127.0.0.1", port: int = 8001) -> int:
    import uvicorn

    from ingest.site import deadline

    class Server(uvicorn.Server):
        def handle_exit(self, sig, frame):
            deadline.interrupt_all()
            super().handle_exit(sig, frame)

    ds = make_datasette(db_path)
    asyncio.run(ds.invoke_startup())
    print(f"gongkai: serving {db_path} on http://{host}:{port}/", flush=True)
    Server(uvicorn.Config(ds.app(), host=host, port=port, log_level="warning", lifespan="on",
                          timeout_graceful_shutdown=GRACEFUL_S)).run()
    return 0
