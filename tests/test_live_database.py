"""The server and an incremental build share the database file: the server answers with the old data while the
build runs (even stalled after writing everything but the commit), and with the new data once it commits,
without a restart (ingest.site.live, plugins/response_cache.py)."""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingest.database.build import build
from ingest.generate import generate_corpus
from ingest.site.serve import make_datasette

ROOT = Path(__file__).resolve().parent.parent


def _env(**extra) -> dict:
    return dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
                **extra)


@pytest.fixture
def site(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    reports = list(generate_corpus(14, 3))
    for i, g in enumerate(reports[:12]):
        (corpus / f"{i:03d}_{g.filename}").write_bytes(g.data)
    db = tmp_path / "gongkai.db"
    build([corpus], db, workers=1, log=None)
    return corpus, db, reports


def _get(ds, path: str):
    async def go():
        return await ds.client.get(path)

    return asyncio.get_event_loop().run_until_complete(go()) if False else asyncio.run(go())


def _count(ds, name: str) -> int:
    r = _get(ds, f"/{name}.json?sql=select+count(*)+as+n+from+reports&_shape=array")
    return r.json()[0]["n"]


def _table_count(ds, name: str) -> int:
    return _get(ds, f"/{name}/reports.json?_size=1").json()["filtered_table_rows_count"]


def test_server_sees_a_committed_build_without_restart(site):
    corpus, db, reports = site
    ds = make_datasette(db)
    name = db.stem
    page = f"/{name}/reports?_size=100"
    assert _count(ds, name) == 12 and _table_count(ds, name) == 12
    first = _get(ds, page).text
    assert _get(ds, page).text == first         # served from the page cache
    (corpus / "012_added.txt").write_bytes(reports[12].data)
    build([corpus], db, workers=1, log=None)
    assert _count(ds, name) == 13                 # same process, same Datasette: the new data
    assert _get(ds, page).text != first           # the cached page of the old build is not served
    deadline = time.monotonic() + 10
    while _table_count(ds, name) != 13 and time.monotonic() < deadline:   # counted again on a thread
        time.sleep(0.05)
    assert _table_count(ds, name) == 13


def test_server_answers_with_old_data_while_a_build_is_stalled_and_after_it_is_killed(site):
    corpus, db, reports = site
    ds = make_datasette(db)
    name = db.stem
    assert _count(ds, name) == 12
    (corpus / "012_added.txt").write_bytes(reports[12].data)
    (corpus / "013_added.txt").write_bytes(reports[13].data)
    # the build stalls in its last phase: every row written into the transaction, nothing committed
    proc = subprocess.Popen([sys.executable, "-m", "ingest", "build", str(corpus), "--db", str(db), "--workers", "1",
                             "--no-progress"], cwd=ROOT, env=_env(GONGKAI_TEST_STALL="stats"),
                            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        line = b""
        while time.monotonic() < deadline and b"test-stall stats" not in line:
            line = proc.stderr.readline()
            assert line or proc.poll() is None, "the build ended before the stall"
        assert b"test-stall stats" in line
        assert _count(ds, name) == 12             # the old database, whole, while the writer holds its transaction
        assert _table_count(ds, name) == 12
        os.killpg(proc.pid, signal.SIGKILL)       # killed midway: nothing committed
        proc.wait(10)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.stderr.close()
    assert _count(ds, name) == 12
    ds2 = make_datasette(db)                       # a server started now sees the old database too
    assert _count(ds2, name) == 12
    summary = build([corpus], db, workers=1, log=None)        # the next build does the work
    assert summary["parsed"] == 2 and _count(ds, name) == 14
