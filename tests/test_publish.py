"""`gongkai publish DIR`: the deployable directory serves the site, with no container engine.

Why a real process: the directory's serve command (serve.sh, the Dockerfile's CMD) is what a host runs,
so the test starts exactly that, from the directory, on a free port of 127.0.0.1, and reads pages over HTTP.
"""
from __future__ import annotations

import json
import os
import shlex
import sqlite3
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import httpx
import pytest

from ingest.__main__ import main
from ingest.database.build import build
from ingest.site import publish
from servers import free_port

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "data" / "reports"


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    base = tmp_path_factory.mktemp("publish")
    db = base / "built.db"          # any name: the directory serves it as gongkai.db
    build([REPORTS], db, workers=1, progress=False)
    out = base / "site"
    assert main(["publish", str(out), "--db", str(db), "--secret", "s3cret"]) == 0
    return db, out


@pytest.fixture(scope="module")
def server(published):
    _, out = published
    port = free_port()
    env = {**os.environ, "HOST": "127.0.0.1", "PORT": str(port),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("PYTHONPATH", None)     # the directory's own ingest/ package, not the worktree's
    proc = subprocess.Popen(["/bin/sh", str(out / "serve.sh")], cwd="/", env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    with httpx.Client(base_url=base, timeout=30, follow_redirects=True) as client:
        try:
            while True:
                try:
                    client.get("/-/versions.json")
                    break
                except httpx.TransportError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(proc.stderr.read().decode()[-3000:])
                    time.sleep(0.2)
            yield client, base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def test_directory_has_datasette_packaging_layout(published):
    db, out = published
    names = {p.name for p in out.iterdir()}
    assert {"Dockerfile", "gongkai.db", "inspect-data.json", "metadata.json", "plugins", "templates",
            "requirements.txt", "serve.sh", "ingest"} <= names
    assert (out / "gongkai.db").read_bytes() == db.read_bytes()
    docker = (out / "Dockerfile").read_text()
    assert "RUN pip install -U datasette -r requirements.txt" in docker
    assert "ENV DATASETTE_SECRET 's3cret'" in docker
    cmd = publish.serve_command(docker)
    assert cmd[:2] == ["datasette", "serve"]
    for option in (["-i", "gongkai.db"], ["--inspect-file", "inspect-data.json"], ["--metadata", "metadata.json"],
                   ["--plugins-dir", "plugins/"], ["--template-dir", "templates/"],
                   ["--setting", "sql_time_limit_ms", "3000"], ["--setting", "default_cache_ttl", "86400"]):
        assert any(cmd[i:i + len(option)] == option for i in range(len(cmd))), option
    assert "-i gongkai.db" in " ".join(shlex.split((out / "serve.sh").read_text().splitlines()[-1]))
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = (out / "requirements.txt").read_text().split()
    assert reqs == project["dependencies"] + ["datasette-hashed-urls>=0.4,<0.5"]
    metadata = json.loads((out / "metadata.json").read_text())
    assert metadata["plugins"]["datasette-hashed-urls"] == {"max_age": 31536000}
    assert "checks_T3-balance" in metadata["databases"]["gongkai"]["queries"]


def test_inspect_file_holds_hash_and_counts(published):
    db, out = published
    inspect = json.loads((out / "inspect-data.json").read_text())["gongkai"]
    assert inspect["hash"] == publish.local_hash(db) == publish.local_hash(out / "inspect-data.json")
    n = sqlite3.connect(db).execute("select count(*) from reports").fetchone()[0]
    assert inspect["tables"]["reports"]["count"] == n == 16


def test_serve_command_serves_the_site(server, published):
    client, _ = server
    db, _ = published
    assert "政府信息公开工作年度报告" in client.get("/").text
    css = client.get("/gongkai-static/site.css")       # static/ is published beside templates and plugins
    assert css.status_code == 200 and css.text == (ROOT / "static" / "site.css").read_text(encoding="utf-8")
    r = client.get("/gongkai/reports.json?_shape=array&_size=max")
    assert r.status_code == 200 and len(r.json()) == 16
    report_id = r.json()[0]["id"]
    page = client.get(f"/reports/{report_id}")
    assert page.status_code == 200 and report_id in page.text
    year = r.json()[0]["year"]
    q = client.get(f"/gongkai/checks_T3-balance.json?_shape=array&year={year}&status=all")
    assert q.status_code == 200
    with sqlite3.connect(db) as conn:
        expected = conn.execute("select count(*) from reports where year = ?", (year,)).fetchone()[0]
    assert len({row["report_id"] for row in q.json()}) == expected
    databases = client.get("/-/databases.json").json()
    assert [d["hash"] for d in databases if d["name"] == "gongkai"] == [publish.local_hash(db)]
    settings = client.get("/-/settings.json").json()
    assert settings["sql_time_limit_ms"] == 3000 and settings["default_cache_ttl"] == 86400


def test_compare_says_whether_to_redeploy(server, published, tmp_path, capsys):
    _, base = server
    db, _ = published
    assert main(["publish", "--db", str(db), "--compare", base]) == 0          # same data: nothing to do
    assert json.loads(capsys.readouterr().out)["redeploy"] is False
    other = tmp_path / "other.db"
    other.write_bytes(db.read_bytes())
    conn = sqlite3.connect(other)       # closed: the last connection folds the write-ahead log into the file
    with conn:
        conn.execute("update reports set agency = agency || '（改）' where rowid = 1")
    conn.close()
    out = tmp_path / "new-site"
    assert main(["publish", str(out), "--db", str(other), "--compare", base]) == 1  # changed: written
    assert json.loads(capsys.readouterr().out)["redeploy"] is True
    assert (out / "gongkai.db").read_bytes() == other.read_bytes()
