"""The site under hostile requests: every query ends at the time limit, input and memory are bounded,
the server stops on SIGTERM while busy, POST is refused, and every response carries security headers.

Why a real server (`python -m ingest serve` in a subprocess): the holes were in what only a running
server shows — a Python SQL function holding a SQL thread past the limit, a process that ignored
SIGTERM, memory that grew by gigabytes. The database is the sample corpus (data/reports/). The time
bounds are the issue's ("within the limit + 1 s"); they hold on a loaded machine because the work
they bound would take tens of seconds if it were not stopped.
"""
from __future__ import annotations

import asyncio
import http.client
import json
import os
import signal
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from ingest.database import search
from ingest.database.build import build
from ingest.site.serve import load_settings
from servers import start_server

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "data" / "reports"
LIMIT_S = load_settings()["sql_time_limit_ms"] / 1000
# 4 MB of Chinese text without punctuation, made inside SQLite (a URL cannot carry it)
BOMB_SQL = "select length(jieba_segment(replace(hex(zeroblob(2000000)), '0', '国家')))"
# under the length cap, but 40 texts of 960,000 characters: about a minute of segmentation
SLOW_SQL = ("select length(jieba_segment(t || n)) from (select replace(hex(zeroblob(120000)), '0', '国家') t), "
            "(with recursive k(n) as (select 1 union all select n + 1 from k where n < 40) select n from k)")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def rss_mb(pid: int) -> float:
    """Resident memory of the server: the process and its worker processes (`serve` forks one per core)."""
    total = None
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            total = int(line.split()[1]) / 1024
    if total is None:
        raise AssertionError("no VmRSS")
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        total += rss_mb(int(child))
    return total


@pytest.fixture(scope="module")
def db_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("reliability") / "gongkai.db"
    build([REPORTS], path, workers=2, progress=False)
    return path


@pytest.fixture(scope="module")
def served(db_path):
    proc, base = start_server(db_path)
    with httpx.Client(base_url=base, timeout=60) as client:
        yield proc, client
    stop(proc)


def timed_get(client, path, **params):
    t = time.monotonic()
    r = client.get(path, params=params)
    return r, time.monotonic() - t


def assert_answers_at_once(client):
    r, seconds = timed_get(client, "/")
    assert r.status_code == 200 and seconds < 1.0, seconds


# --- the time limit reaches Python SQL functions ---------------------------------------------------

def test_jieba_bomb_returns_within_the_limit(served):
    proc, client = served
    before = rss_mb(proc.pid)
    r, seconds = timed_get(client, "/gongkai.json", sql=BOMB_SQL)
    assert r.status_code == 400 and r.json()["ok"] is False
    assert seconds < LIMIT_S + 1, seconds
    assert rss_mb(proc.pid) - before < 300          # was 1.7 GB
    assert_answers_at_once(client)


def test_slow_segmentation_is_stopped_at_the_deadline(served):
    _, client = served
    r, seconds = timed_get(client, "/gongkai.json", sql=SLOW_SQL)
    assert r.status_code == 400
    # the answer to any query over the limit, in Chinese (plugins/query_errors.py)
    assert r.json()["error"] == "查询超过了 3 秒的时限，已被中止。请缩小查询范围（增加筛选条件，或减少返回的行和列）后重试。"
    assert r.json()["title"] == "查询超时"
    assert LIMIT_S - 0.5 < seconds < LIMIT_S + 1, seconds
    assert_answers_at_once(client)


def test_the_time_limit_page_is_chinese_and_shows_the_sql(served):
    _, client = served
    r = client.get("/gongkai", params={"sql": SLOW_SQL})
    assert r.status_code == 400 and "<h1>查询超时</h1>" in r.text and "查询超过了 3 秒的时限" in r.text
    assert "jieba_segment(t || n)" in r.text and "took too long" not in r.text


def test_segmenting_normal_text_in_sql_still_works(served):
    _, client = served
    r = client.get("/gongkai.json", params={"sql": "select jieba_segment('本机关全年受理行政复议申请。') as s",
                                             "_shape": "array"})
    assert r.json() == [{"s": search.segment("本机关全年受理行政复议申请。")}]
    assert r.json()[0]["s"].split() == ["本", "机关", "全年", "受理", "行政", "复议", "行政复议", "申请"]


# --- search input is capped with a Chinese message -------------------------------------------------

def raw_get(client, path: str, q: str) -> tuple[int, str, float]:
    """GET with a URL longer than httpx allows (14,000 Chinese characters are 126 KB encoded)."""
    url = httpx.URL(str(client.base_url))
    conn = http.client.HTTPConnection(url.host, url.port, timeout=60)
    t = time.monotonic()
    conn.request("GET", path + "?" + urlencode({"q": q}))
    r = conn.getresponse()
    body = r.read().decode()
    conn.close()
    return r.status, body, time.monotonic() - t


def test_oversized_search_is_refused_in_chinese(served):
    _, client = served
    q = ("本机关全年受理行政复议申请" * 1100)[:14000]
    status, body, seconds = raw_get(client, "/gongkai/search", q)
    assert status == 400 and seconds < LIMIT_S + 1
    assert "检索词过长：最多 100 个字符，当前为 14,000 个字符。" in body
    assert '返回检索（检索词已截短为前 100 个字符）' in body
    status, body, _ = raw_get(client, "/gongkai/search.json", q)
    assert status == 400 and json.loads(body)["error"].startswith("检索词过长")
    assert_answers_at_once(client)


def test_search_with_too_many_words_is_refused(served):
    _, client = served
    r = client.get("/gongkai/search.json", params={"q": " ".join(["复议"] * 33)})   # 98 characters, 33 words
    assert r.status_code == 400 and r.headers["x-content-type-options"] == "nosniff"
    assert r.json()["error"] == "检索词包含的词语过多：分词后最多 32 个词。请减少检索词后重试。"


def test_table_search_box_is_capped_too(served):
    _, client = served
    r = client.get("/gongkai/sections", params={"_search": " ".join(["的"] * 40)})
    assert r.status_code == 400 and "检索词过长" in r.text or "词语过多" in r.text
    assert 'href="/gongkai/sections?_search=' in r.text
    rows = client.get("/gongkai/sections.json", params={"_search": "复议", "_shape": "array"}).json()
    assert rows and all("复议" in (row["title"] or "") + (row["text"] or "") for row in rows)


def test_normal_search_still_answers(served):
    _, client = served
    rows = client.get("/gongkai/search.json", params={"q": "复议", "_shape": "array"}).json()
    assert rows and all("复议" in row["snippet"] for row in rows)


def test_jieba_query_in_free_sql_refuses_a_huge_query(served):
    _, client = served
    sql = "select count(*) from sections_fts where sections_fts match jieba_query(replace(hex(zeroblob(7000)), '00', '的 '))"
    r, seconds = timed_get(client, "/gongkai.json", sql=sql)
    assert r.status_code == 400 and seconds < LIMIT_S + 1
    assert_answers_at_once(client)


# --- memory per request ------------------------------------------------------------------------------

def test_generated_values_and_results_are_bounded(served):
    proc, client = served
    before = rss_mb(proc.pid)
    r = client.get("/gongkai.json", params={"sql": "select length(replace(hex(zeroblob(100000000)), '0', '国家'))"})
    assert r.status_code == 400 and r.json()["error"] == "string or blob too big"
    for i in range(3):      # 20 M characters a row: the fourth row passes the budget; ~200 MB each if kept
        r = client.get("/gongkai.json", params={
            "sql": f"select replace(hex(zeroblob(10000000)), '0', 'x') || {i} from (select 1 union select 2 "
                   "union select 3 union select 4 union select 5)"})
        assert r.status_code == 400 and r.json()["error"].startswith("查询结果过大：一次查询最多返回 64 百万字符")
    time.sleep(3)           # the watchdog returns freed memory to the OS 0.5-2.5 s after
    assert rss_mb(proc.pid) - before < 150
    assert_answers_at_once(client)


# --- read-only methods and security headers --------------------------------------------------------

@pytest.mark.parametrize("path", ["/gongkai/search", "/gongkai/applications_by_year", "/gongkai", "/gongkai/reports"])
def test_post_is_refused_with_405(served, path):
    _, client = served
    r = client.post(path, data={"q": "复议"})
    assert r.status_code == 405 and r.headers["allow"] == "GET, HEAD, OPTIONS"
    assert "本站为只读数据库，只接受 GET 请求（浏览或查询），不接受 POST 请求。" in r.text
    assert r.headers["x-content-type-options"] == "nosniff" and "content-security-policy" in r.headers
    r = client.post(path + ".json", data={"sql": "select 1"})
    assert r.status_code == 405 and r.json()["status"] == 405


@pytest.mark.parametrize("path", ["/", "/gongkai/reports", "/gongkai/reports.csv", "/gongkai/reports.json",
                                  "/-/overview", "/gongkai/search?q=复议", "/-/static/app.css"])
def test_security_headers(served, path):
    _, client = served
    r = client.get(path)
    assert r.status_code == 200
    assert r.headers["x-content-type-options"] == "nosniff"
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "object-src 'none'" in csp and "frame-ancestors 'none'" in csp


# --- SIGTERM while busy ---------------------------------------------------------------------------

def test_sigterm_stops_a_server_busy_with_a_heavy_query(db_path):
    proc, base = start_server(db_path)
    try:
        answer = {}

        def heavy():
            try:
                answer["status"] = httpx.get(base + "/gongkai.json", params={"sql": SLOW_SQL}, timeout=30).status_code
            except httpx.HTTPError as e:
                answer["error"] = type(e).__name__
            answer["at"] = time.monotonic()

        started = time.monotonic()
        thread = threading.Thread(target=heavy)
        thread.start()
        time.sleep(0.8)                         # the query is running, 2.2 s before its own time limit
        t = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
        exited = time.monotonic() - t
        thread.join(timeout=10)
        # the query was interrupted by the signal, not left to run to its limit (started + 3 s)
        assert answer.get("status") == 400, answer
        assert answer["at"] - t < 1.5 and answer["at"] - started < LIMIT_S, (answer["at"] - t)
        # and the process is gone within a few seconds (an idle server takes 1-2 s on a loaded machine)
        assert exited < 5, exited
    finally:
        stop(proc)


# --- the pieces, without a server --------------------------------------------------------------------

def test_segment_is_bounded_and_unchanged_for_normal_text():
    sentence = "本机关全年受理行政复议申请，其中纠正3件。"
    assert search.segment(sentence) == "本 机关 全年 受理 行政 复议 行政复议 申请 其中 纠正 3 件"
    run = "国家" * 3000                     # 6,000 characters without punctuation: three pieces
    assert search.segment(run).split() == search.segment(run[:2000]).split() * 3
    with pytest.raises(search.SegmentTimeout):
        search.segment("国家，" * 200_000, expired=lambda: True)
    asked = []
    search.segment("国家，" * 100, expired=lambda: asked.append(1) or False)
    assert len(asked) == 100 // search._CHECK_EVERY + 1     # every few pieces, not once


def test_query_problem():
    assert search.query_problem("行政复议") is None
    assert search.query_problem("") is None
    assert search.query_problem("复" * 101).startswith("检索词过长：最多 100 个字符，当前为 101 个字符。")
    assert search.query_problem(" ".join(["复议"] * 33)).startswith("检索词包含的词语过多")
    assert search.query_problem(" ".join(["复议"] * 32)) is None
    with pytest.raises(ValueError):
        search.fts_query("复" * 101)


def test_response_cache_renders_a_page_once():
    from datasette.utils import module_from_path

    cache_mod = module_from_path(str(ROOT / "plugins" / "response_cache.py"), "response_cache_under_test")
    calls = []
    running = [0, 0]                # now, most at once

    async def app(scope, receive, send):
        calls.append(scope["path"])
        running[0] += 1
        running[1] = max(running)
        await asyncio.sleep(0.05)
        running[0] -= 1
        status = 404 if scope["path"] == "/missing" else 200
        await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": scope["path"].encode()})

    cache = cache_mod.ResponseCache()
    cached = cache_mod.wrap_app(app, cache)

    async def get(path, headers=()):
        sent = []

        async def send(event):
            sent.append(event)

        scope = {"type": "http", "method": "GET", "path": path, "query_string": b"",
                 "headers": [(b"host", b"h"), *headers]}
        await cached(scope, None, send)
        return sent[0]["status"], b"".join(e.get("body", b"") for e in sent[1:])

    async def scenario():
        together = await asyncio.gather(*(get("/a") for _ in range(5)))   # five readers at once: one rendering
        assert together == [(200, b"/a")] * 5 and calls == ["/a"]
        assert await get("/a") == (200, b"/a") and calls == ["/a"]
        await get("/missing")
        await get("/missing")                                              # errors are not kept
        await get("/a", headers=[(b"cookie", b"ds_actor=x")])              # nor per-visitor pages
        await get("/a", headers=[(b"cache-control", b"no-cache")])         # a reader may ask for a fresh one
        assert calls == ["/a", "/missing", "/missing", "/a", "/a"]
        running[1] = 0
        pages = await asyncio.gather(*(get(f"/p{i}") for i in range(10)))    # ten different pages at once
        assert pages == [(200, f"/p{i}".encode()) for i in range(10)]
        assert running[1] == cache_mod.RENDERING == 1                        # rendered one at a time

    asyncio.run(scenario())


# --- several server processes on one port -----------------------------------------------------------

def children_of(pid: int) -> list[int]:
    return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def test_workers_share_the_port_and_all_stop_on_sigterm(db_path):
    proc, base = start_server(db_path, "--workers", "2", probe_s=5)
    try:
        workers = children_of(proc.pid)
        assert len(workers) == 2
        # each request on a fresh connection: the kernel hands them to whichever worker waits in accept
        for path in ("/", "/gongkai/reports", "/-/overview", "/gongkai/search?q=复议"):
            assert httpx.get(base + path, timeout=30).status_code == 200
        os.kill(workers[0], signal.SIGKILL)          # a worker that dies is replaced, the port keeps answering
        time.sleep(0.5)
        r, seconds = timed_get(httpx.Client(base_url=base, timeout=60), "/gongkai/reports")
        assert r.status_code == 200
        deadline = time.monotonic() + 60
        while len(children_of(proc.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        workers = children_of(proc.pid)
        assert len(workers) == 2
        t = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
        assert time.monotonic() - t < 5
        assert not [w for w in workers if Path(f"/proc/{w}").exists()
                    and "zombie" not in Path(f"/proc/{w}/status").read_text()]
        assert "2 processes" in proc.stdout.read().decode()
    finally:
        stop(proc)
