"""Write a deployable directory: `python -m ingest publish DIR --db gongkai.db` (`make publish`).

Why Datasette's own packaging: `datasette package` and `datasette publish cloudrun|fly` build a
container from a directory written by `datasette.utils.temporary_docker_directory` (a Dockerfile from
`make_dockerfile`, the database files, metadata.json, templates/, plugins/, static/). Writing DIR with that very
function gives a directory any of those hosts accepts as it is, and an operator who knows Datasette
finds nothing new. What it does not cover, added here:

* `inspect-data.json` (`datasette inspect`): the hash and table counts of the immutable database, so the
  server starts without hashing the file or counting millions of rows;
* `requirements.txt`: the runtime packages, pinned by range, taken from pyproject.toml (the project's
  dependencies and its `publish` extra: datasette-hashed-urls), installed by the Dockerfile;
* `ingest/`: the package the plugins import (forms, charts, search), on PYTHONPATH;
* `serve.sh`: the Dockerfile's CMD as a shell script, to run the same server on a host without containers.

The serve command is immutable (`-i`), reads the inspect file, has the SQL time limit and the cache TTL
of `PUBLISH_SETTINGS`, and datasette-hashed-urls puts the database's hash in its URLs (`/gongkai-1a2b3c4/…`)
with a one-year `Cache-Control` there, so a CDN may keep those pages until the data changes.

`data_changed(db, url)` answers "redeploy?": it compares the database's inspect hash (SHA-256 of the
file) with the one the running site reports at `/-/databases.json`.
"""
from __future__ import annotations

import asyncio
import io
import json
import os
import secrets
import shlex
import shutil
import stat
import tomllib
from pathlib import Path

from .serve import (DATABASE_NAME, PLUGINS_DIR, ROOT, STATIC_DIR, STATIC_MOUNT, TEMPLATES_DIR, load_metadata,
                    load_settings)

PYPROJECT = ROOT / "pyproject.toml"
PACKAGE_DIR = ROOT / "ingest"
INSPECT_FILE = "inspect-data.json"     # the name make_dockerfile's CMD reads

# Settings of the published site over settings.json: pages of an immutable database may be cached a day by
# browsers and proxies (hashed URLs: a year, set by the plugin); SQL stops after 3 s as on `make serve`.
PUBLISH_SETTINGS = {"default_cache_ttl": 86400, "sql_time_limit_ms": 3000}
# datasette-hashed-urls: Cache-Control max-age of a page under the hashed database URL (one year).
HASHED_URLS_MAX_AGE = 31536000


def requirements(pyproject: Path = PYPROJECT) -> list[str]:
    """The packages the served site needs: pyproject's dependencies and its `publish` extra, as pinned there."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    return list(project["dependencies"]) + list(project.get("optional-dependencies", {}).get("publish", []))


def inspect_database(db_path: str | Path) -> dict:
    """What `datasette inspect` writes for one immutable database: {name: {hash, size, file, tables}}."""
    from datasette.cli import inspect_

    return asyncio.run(inspect_([str(db_path)], sqlite_extensions=None))


def serve_options(settings: dict) -> str:
    """The `--setting name value` options of the serve command (make_dockerfile appends them to its CMD)."""
    return " ".join(f"--setting {k} {json.dumps(v) if isinstance(v, bool) else v}" for k, v in settings.items())


def publish(out_dir: str | Path, db_path: str | Path, secret: str | None = None,
            settings: dict | None = None) -> Path:
    """Write the deployable directory `out_dir` (replaced if it exists) for the database `db_path`.

    The database is copied, never linked: a build that later writes the source file in place must not
    change a directory already deployed or about to be. `secret` (DATASETTE_SECRET) is shared by every
    replica built from the directory; random when not given, as `datasette publish` does.
    """
    from datasette.utils import temporary_docker_directory

    db_path, out_dir = Path(db_path).resolve(), Path(out_dir).resolve()
    if not db_path.exists():
        raise FileNotFoundError(f"{db_path}: no such database (run `make db` first)")
    metadata = load_metadata(DATABASE_NAME + ".db")
    metadata.setdefault("plugins", {})["datasette-hashed-urls"] = {"max_age": HASHED_URLS_MAX_AGE}
    settings = {**load_settings(), **PUBLISH_SETTINGS, **(settings or {})}
    staging = out_dir.with_name(out_dir.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    _snapshot(db_path, staging / f"{DATABASE_NAME}.db")   # the served name: metadata is keyed by it
    cwd = os.getcwd()
    try:
        with temporary_docker_directory(
                files=[str(staging / f"{DATABASE_NAME}.db")], name=DATABASE_NAME,
                metadata=io.StringIO(json.dumps(metadata, ensure_ascii=False)),
                extra_options=serve_options(settings), branch=None, template_dir=str(TEMPLATES_DIR),
                plugins_dir=str(PLUGINS_DIR), static=[(STATIC_MOUNT, str(STATIC_DIR))], install=["-r", "requirements.txt"], spatialite=False,
                version_note=None, secret=secret or secrets.token_hex(32),
                environment_variables={"PYTHONPATH": "/app"}) as docker_dir:
            for entry in Path(docker_dir).iterdir():
                if entry.name == f"{DATABASE_NAME}.db":
                    continue                  # already in staging (the copy the temporary directory linked)
                if entry.is_dir():
                    shutil.copytree(entry, staging / entry.name, ignore=shutil.ignore_patterns("__pycache__"))
                else:
                    shutil.copyfile(entry, staging / entry.name)
    finally:
        os.chdir(cwd)      # temporary_docker_directory restores it too; a failure before its try would not
    shutil.copytree(PACKAGE_DIR, staging / "ingest", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    (staging / "requirements.txt").write_text("\n".join(requirements()) + "\n", encoding="utf-8")
    inspect = inspect_database(staging / f"{DATABASE_NAME}.db")
    inspect[DATABASE_NAME]["file"] = f"{DATABASE_NAME}.db"          # relative: the directory moves
    (staging / INSPECT_FILE).write_text(json.dumps(inspect, indent=2), encoding="utf-8")
    script = staging / "serve.sh"
    script.write_text(serve_script((staging / "Dockerfile").read_text(encoding="utf-8")), encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    shutil.rmtree(out_dir, ignore_errors=True)
    staging.rename(out_dir)
    return out_dir


def serve_command(dockerfile: str) -> list[str]:
    """The Dockerfile's CMD (written by make_dockerfile) as an argument list; `$PORT` stays a variable."""
    for line in dockerfile.splitlines():
        if line.startswith("CMD "):
            return shlex.split(line[4:])
    raise ValueError("Dockerfile has no CMD")


def serve_script(dockerfile: str) -> str:
    """serve.sh: the container's command on a plain host, from the directory, on $HOST:$PORT.

    HOST defaults to 0.0.0.0 as in the container; set HOST=127.0.0.1 to serve this machine only.
    """
    args = serve_command(dockerfile)
    quoted = []
    for i, arg in enumerate(args):
        if arg == "$PORT":
            quoted.append('"${PORT:-8001}"')
        elif i > 0 and args[i - 1] == "--host":
            quoted.append('"${HOST:-0.0.0.0}"')
        else:
            quoted.append(shlex.quote(arg))
    env = [line[4:].split(" ", 1) for line in dockerfile.splitlines() if line.startswith("ENV DATASETTE_SECRET ")]
    secret_line = f'export DATASETTE_SECRET="${{DATASETTE_SECRET:-{shlex.split(env[0][1])[0]}}}"\n' if env else ""
    return ("#!/bin/sh\n# Generated by `python -m ingest publish`: the Dockerfile's CMD, run from this directory.\n"
            "# Needs the packages of requirements.txt (pip install -r requirements.txt).\n"
            'cd "$(dirname "$0")" || exit 1\n'
            'export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"\n'
            + secret_line + "exec " + " ".join(quoted) + "\n")


def _snapshot(src: str | Path, dst: Path) -> None:
    """A consistent copy of the database for an immutable server: SQLite's backup (the file alone may miss what an
    incremental build committed into its write-ahead log), in rollback-journal mode (immutable readers ignore a WAL)."""
    import sqlite3

    wal = Path(f"{src}-wal")
    if not wal.exists() or wal.stat().st_size == 0:     # nothing outside the file: the file itself, byte for byte
        shutil.copyfile(src, dst)
        return
    source = sqlite3.connect(f"{Path(src).resolve().as_uri()}?mode=ro", uri=True)
    target = sqlite3.connect(dst)
    try:
        source.backup(target)
        target.execute("pragma journal_mode = delete")
    finally:
        target.close()
        source.close()


def local_hash(db_path: str | Path) -> str:
    """The database's inspect hash (Datasette: SHA-256 of the file), from an inspect file or the database."""
    path = Path(db_path)
    if path.suffix == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        return next(iter(data.values()))["hash"]
    from datasette.inspect import inspect_hash

    return inspect_hash(path)


def remote_hash(url: str, name: str = DATABASE_NAME, timeout: float = 30.0) -> str | None:
    """The hash the running site at `url` reports for its database `name` (/-/databases.json), None if absent."""
    import httpx

    response = httpx.get(url.rstrip("/") + "/-/databases.json", timeout=timeout, follow_redirects=True)
    response.raise_for_status()
    for entry in response.json():
        if entry.get("name") == name:
            return entry.get("hash")
    return None


def data_changed(db_path: str | Path, url: str) -> tuple[bool, str, str | None]:
    """(redeploy?, local hash, remote hash): redeploy when the site serves another database or none."""
    local, remote = local_hash(db_path), remote_hash(url)
    return local != remote, local, remote
