"""Page latency of the site: `measure_pages(db_path) -> dict`, also `python bench/pages.py DB [N]`.

Why a real server: latency through uvicorn and HTTP is what a reader sees; the test client skips
both. The server is `python -m ingest serve` (same configuration as `make serve`) on a free port.
"""
from __future__ import annotations

import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from ingest.site.metadata import LARGE_TABLES, canned_queries  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pages(db_path: Path) -> dict[str, str]:
    name = db_path.stem
    with sqlite3.connect(db_path) as conn:
        row = conn.execute("select id, year from reports where template = '2021' and parse_status = 'ok' "
                           "order by id limit 1").fetchone() or conn.execute(
                           "select id, year from reports order by id limit 1").fetchone()
        tables = {t for (t,) in conn.execute("select name from sqlite_master where type in ('table', 'view')")}
    report_id, year = row
    with sqlite3.connect(db_path) as conn:
        province = (conn.execute("select province from reports where province is not null "
                                 "group by province order by count(*) desc limit 1").fetchone() or [""])[0]
        agency = (conn.execute("select agency from reports where agency is not null order by id limit 1")
                  .fetchone() or [""])[0]
        # the comparison page (issue 14): a report and its agency's previous year; a DUP pair when there is one
        # (the page's report when its agency has the previous year, else the first report that has one)
        years = conn.execute("select p.id, r.id from reports r join reports p on p.agency_id = r.agency_id "
                             "and p.year = r.year - 1 order by r.id <> ?, r.id limit 1", (report_id,)).fetchone()
        copied = conn.execute("select report_id, other_report_id from similar_sections order by similarity desc "
                              "limit 1").fetchone() if "similar_sections" in tables else None
    pages = {
        "report_page": f"/reports/{report_id}",
        "report_page_search_marks": f"/reports/{report_id}?q=行政复议",
        "report_list": "/reports",
        "report_list_year_province": f"/reports?year={year}&province={province}",
        "report_list_agency_text": f"/reports?agency={agency[:4]}",
        "report_list_page_50": "/reports?page=50",
        "search_page": "/search?q=复议",
        "search_page_phrase": "/search?q=“不予公开”",
        "search_page_two_words": f"/search?q=复议 诉讼&year={year}",
        "search_page_nothing": "/search?q=量子纠缠",
        "overview_filtered": f"/-/overview?year_from={year}&province={province}",
        "downloads": "/-/downloads",
        "table_xlsx": f"/{name}/reports.xlsx?year={year}&_size=max",
        "table_csvbom": f"/{name}/reports.csvbom?year={year}&_size=max",
        "table_filtered": f"/{name}/applications?row_key=new_received&_sort_desc=total",
        "reports_by_year": f"/{name}/reports?year={year}",
        "search": f"/{name}/search?q=复议",
        "overview": "/-/overview",   # every chart query at once (plugins/overview.py)
    }
    if years:
        pages["compare_previous_year"] = f"/compare/{years[0]}/{years[1]}"
        pages["compare_previous_year_json"] = f"/compare/{years[0]}/{years[1]}.json"
    if copied:
        pages["compare_dup_pair"] = f"/compare/{copied[1]}/{copied[0]}"
    for table in ("reports",) + LARGE_TABLES:      # unfiltered: the page a visitor reaches from the database page
        if table in tables:
            pages[f"table:{table}"] = f"/{name}/{table}"
    for query in canned_queries():
        # the checks are measured as the issue asks: one year's filter
        pages[f"query:{query}"] = f"/{name}/{query}" + (f"?year={year}" if query.startswith("checks_") else "")
    return pages


def measure_pages(db_path: str | Path, n: int = 20, timeout: float = 30.0) -> dict:
    """p50/p95 latency in ms of each page over `n` requests (after one warm-up request each)."""
    db_path = Path(db_path)
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "ingest", "serve", "--db", str(db_path), "--port", str(port)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        # no-cache: every request is rendered (plugins/response_cache.py would otherwise answer repeats)
        with httpx.Client(base_url=base, timeout=timeout, headers={"cache-control": "no-cache"}) as client:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    client.get("/-/versions.json")
                    break
                except httpx.TransportError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"server did not start: {proc.stderr.read().decode()[-2000:]}")
                    time.sleep(0.1)
            results = {}
            for label, path in _pages(db_path).items():
                try:
                    status = client.get(path).status_code
                    times = []
                    for _ in range(n):
                        t = time.perf_counter()
                        client.get(path)
                        times.append((time.perf_counter() - t) * 1000)
                except httpx.TimeoutException:
                    results[label] = {"path": path, "status": "timeout", "n": 0, "p50_ms": timeout * 1000,
                                      "p95_ms": timeout * 1000}
                    print(f"{label:40s} timed out after {timeout} s", file=sys.stderr, flush=True)
                    continue
                times.sort()
                results[label] = {
                    "path": path, "status": status, "n": n,
                    "p50_ms": round(statistics.median(times), 1),
                    "p95_ms": round(times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))], 1),
                }
                r = results[label]
                print(f"{label:40s} {r['status']}  p50 {r['p50_ms']:8.1f} ms  p95 {r['p95_ms']:8.1f} ms",
                      file=sys.stderr, flush=True)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    return results


if __name__ == "__main__":
    measure_pages(sys.argv[1] if len(sys.argv) > 1 else ROOT / "gongkai.db",
                  int(sys.argv[2]) if len(sys.argv) > 2 else 20)
