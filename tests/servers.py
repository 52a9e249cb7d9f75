"""The servers the site tests start: a free port of 127.0.0.1, and `python -m ingest serve` waited for until it
answers (one copy for test_browser, test_site_reliability and test_publish)."""
from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db_path: Path, *args: str, deadline_s: float = 60, probe_s: float = 2) -> tuple[subprocess.Popen, str]:
    """`python -m ingest serve --db DB` (and `args`) on a free port; (process, base URL) once /-/versions.json
    answers 200. A server that exits or is not up within `deadline_s` fails the test with its output's tail."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "ingest", "serve", "--db", str(db_path), "--port", str(port),
                             *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + deadline_s
    while True:
        try:
            if httpx.get(base + "/-/versions.json", timeout=probe_s).status_code == 200:
                return proc, base
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"server did not start: {proc.stdout.read().decode(errors='replace')[-2000:]}")
        time.sleep(0.2)
