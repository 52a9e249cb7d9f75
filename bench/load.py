"""Bounded loopback load on the site: `python bench/load.py DB [--requests 2000] [--concurrency 8 32]`.

Why: a page that answers in 20 ms alone can take seconds when 32 readers share two cores (filtered
table pages took 1.7 s p50 under 32 clients on 5,000 reports). This starts `python -m ingest serve`
(the configuration `make serve` runs) on a free loopback port and, for each concurrency, sends a
fixed number of GET requests from that many clients at once. Each request picks a page type in
turn (home, report page, table pages with filters and sorts, check pages, search, overview, charts)
and one of that type's URLs at random (seeded), drawn from the database so that pages differ as
real readers' do. Prints, per concurrency and page type: requests, errors (status other than 200,
or no answer within --timeout), p50/p95/p99/max in ms; and the run's requests per second.

Bounded: --requests per concurrency, --max-seconds per run (later requests are not sent), one
server, 127.0.0.1 only. The machine may be shared: numbers vary with what else runs; re-run the
same command to re-measure.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import httpx

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from ingest.site.metadata import canned_queries  # noqa: E402

SEARCH_WORDS = ["复议", "行政诉讼", "依申请公开", "政府信息", "不予公开", "主动公开", "信息公开指南", "收费",
                "行政复议 纠正", "公开 平台", "政务公开", "答复", "诉讼", "年度报告", "工作人员"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def page_urls(db_path: Path, seed: int = 1) -> dict[str, list[str]]:
    """Page type → the URLs of that type the load draws from (read from the database)."""
    rng = random.Random(seed)
    name = db_path.stem
    with sqlite3.connect(f"file:{db_path}?immutable=1", uri=True) as conn:
        report_ids = [r[0] for r in conn.execute("select id from reports order by id")]
        years = [r[0] for r in conn.execute("select distinct year from reports where year is not null order by 1")]
        provinces = [r[0] for r in conn.execute(
            "select province from reports where province is not null group by 1 order by count(*) desc limit 10")]
        row_keys = [r[0] for r in conn.execute("select distinct row_key from applications order by 1")]
        rules = [r[0] for r in conn.execute("select distinct rule_id from check_results order by 1")]
        codes = [r[0] for r in conn.execute("select distinct code from warnings order by 1")]
        metrics = [r[0] for r in conn.execute("select distinct metric from facts order by 1")]
    q = lambda s: quote(str(s))  # noqa: E731
    queries = canned_queries()
    tables = []
    for _ in range(60):
        y, p, rk = rng.choice(years), rng.choice(provinces), rng.choice(row_keys)
        tables += [
            f"/{name}/applications?row_key={q(rk)}&_sort_desc=total",
            f"/{name}/applications?row_key={q(rk)}&total__gt=10&_sort=total",
            f"/{name}/reports?year={y}&_sort=agency",
            f"/{name}/reports?province={q(p)}&year={y}&_sort_desc=n_warnings",
            f"/{name}/check_results?rule_id={q(rng.choice(rules))}&status=fail&year={y}",
            f"/{name}/warnings?code={q(rng.choice(codes))}",
            f"/{name}/facts?metric={q(rng.choice(metrics))}&_sort_desc=value",
            f"/{name}/cells?report_id={q(rng.choice(report_ids))}",
            f"/{name}/cells?kind=placeholder",
            f"/{name}/active_disclosure?report_id={q(rng.choice(report_ids))}",
            f"/{name}/reports",
            f"/{name}/applications",
        ]
    return {
        "home": ["/"],
        "report": [f"/reports/{r}" for r in rng.sample(report_ids, min(300, len(report_ids)))],
        "table": tables,
        "check": [f"/{name}/{c}?year={y}" for c in queries if c.startswith("checks_") for y in years],
        "search": [f"/{name}/search?q={q(w)}" for w in SEARCH_WORDS]
                  + [f"/{name}/search?q={q(w)}&year={y}" for w in SEARCH_WORDS[:5] for y in years],
        "overview": ["/-/overview"],
        "chart": [f"/{name}/{c}" for c in queries if c.startswith("charts_")]
                 + [f"/{name}/{c}.json" for c in queries if c.startswith("charts_")],
    }


def _percentile(sorted_ms: list[float], p: float) -> float:
    if not sorted_ms:
        return float("nan")
    return sorted_ms[min(len(sorted_ms) - 1, int(round(p / 100 * (len(sorted_ms) - 1))))]


class Connection:
    """One keep-alive HTTP/1.1 connection on asyncio streams.

    Why not httpx.AsyncClient: at 32 concurrent requests its own CPU time (a few ms per request, in
    the same two cores as the server) dominated the measured latency of pages served from the cache;
    this client spends tens of microseconds per request, so the numbers are the server's.
    """

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader = self.writer = None

    async def get(self, path: str) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n\r\n".encode())
        await self.writer.drain()
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
        if "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                parts.append(await self.reader.readexactly(size + 2))
                if size == 0:
                    break
            body = b"".join(p[:-2] for p in parts)
        else:
            body = await self.reader.read()
            self.close()
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, body

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def run_load(base: str, urls: dict[str, list[str]], requests: int, concurrency: int,
                   timeout: float, max_seconds: float, seed: int) -> dict:
    """Send `requests` GETs from `concurrency` clients; latency and errors per page type."""
    rng = random.Random(seed)
    kinds = list(urls)
    plan = [(kinds[i % len(kinds)], rng.choice(urls[kinds[i % len(kinds)]])) for i in range(requests)]
    rng.shuffle(plan)
    times: dict[str, list[float]] = {k: [] for k in kinds}
    slowest: dict[str, list[tuple[float, str]]] = {k: [] for k in kinds}
    errors: dict[str, list[str]] = {k: [] for k in kinds}
    queue: asyncio.Queue = asyncio.Queue()
    for item in plan:
        queue.put_nowait(item)
    stop_at = time.monotonic() + max_seconds
    url = httpx.URL(base)

    async def worker():
        conn = Connection(url.host, url.port)
        while not queue.empty() and time.monotonic() < stop_at:
            kind, path = queue.get_nowait()
            t = time.perf_counter()
            try:
                status, _ = await asyncio.wait_for(conn.get(path), timeout)
                if status != 200:
                    errors[kind].append(f"{status} {path}")
            except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, ValueError) as e:
                errors[kind].append(f"{type(e).__name__} {path}")
                conn.close()
            times[kind].append((time.perf_counter() - t) * 1000)
            slowest[kind] = sorted(slowest[kind] + [(times[kind][-1], path)], reverse=True)[:3]
        conn.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall = time.perf_counter() - t0
    sent = sum(len(v) for v in times.values())
    result = {"concurrency": concurrency, "requests": sent, "not_sent": requests - sent,
              "seconds": round(wall, 1), "req_per_s": round(sent / wall, 1),
              "errors": sum(len(v) for v in errors.values()), "pages": {}}
    for kind in kinds:
        ms = sorted(times[kind])
        result["pages"][kind] = {"n": len(ms), "errors": len(errors[kind]),
                                 "p50_ms": round(_percentile(ms, 50), 1), "p95_ms": round(_percentile(ms, 95), 1),
                                 "p99_ms": round(_percentile(ms, 99), 1), "max_ms": round(ms[-1], 1) if ms else None,
                                 "error_examples": errors[kind][:3],
                                 "slowest": [f"{ms:.0f} ms {path}" for ms, path in slowest[kind]]}
    return result


def print_result(r: dict, slowest: bool = False) -> None:
    print(f"\nconcurrency {r['concurrency']}: {r['requests']} requests in {r['seconds']} s = {r['req_per_s']} req/s, "
          f"{r['errors']} errors" + (f", {r['not_sent']} not sent (time bound)" if r["not_sent"] else "")
          + (f"; server CPU {r['server_cpu_ms_per_request']} ms per request" if r.get("server_cpu_ms_per_request") else "")
          + f"; load generator CPU {r['client_cpu_ms_per_request']} ms per request"
          + f"; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    print(f"  {'page':10s} {'n':>5s} {'errors':>6s} {'p50 ms':>8s} {'p95 ms':>8s} {'p99 ms':>8s} {'max ms':>8s}")
    for kind, p in r["pages"].items():
        print(f"  {kind:10s} {p['n']:5d} {p['errors']:6d} {p['p50_ms']:8.1f} {p['p95_ms']:8.1f} {p['p99_ms']:8.1f} "
              f"{p['max_ms'] or 0:8.1f}" + (f"   e.g. {p['error_examples'][0]}" if p["errors"] else ""), flush=True)
        if slowest:
            for line in p["slowest"]:
                print(f"             slowest: {line}")


def _own_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU time of a process and its live children (the server's worker processes),
    from Linux /proc; None when unknown."""
    try:
        total = _own_cpu(pid)
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                with contextlib.suppress(OSError, IndexError, ValueError):
                    total += _own_cpu(int(child))
        return total
    except (OSError, IndexError, ValueError, TypeError):
        return None


@contextlib.contextmanager
def server(db: Path, base_url: str | None = None, workers: int | None = None):
    """`python -m ingest serve` on a free port (or the server already at base_url); yields (URL, pid)."""
    proc = None
    base = base_url
    if base is None:
        port = _free_port()
        proc = subprocess.Popen([sys.executable, "-m", "ingest", "serve", "--db", str(db), "--port", str(port)]
                                + (["--workers", str(workers)] if workers else []),
                                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(base + "/-/versions.json", timeout=5)
                break
            except httpx.TransportError:
                if (proc and proc.poll() is not None) or time.monotonic() > deadline:
                    raise RuntimeError("server did not start" + (proc.stderr.read().decode()[-2000:] if proc else ""))
                time.sleep(0.2)
        yield base, (proc.pid if proc else None)
    finally:
        if proc:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("db", type=Path)
    parser.add_argument("--requests", type=int, default=2000, help="requests per concurrency level")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds before a request counts as an error")
    parser.add_argument("--max-seconds", type=float, default=300.0, help="bound on each run")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="also print the results as one JSON line each")
    parser.add_argument("--slowest", action="store_true", help="print the three slowest URLs of each page type")
    parser.add_argument("--workers", type=int, default=None,
                        help="server processes (`serve --workers`; default: the server's own, one per core)")
    parser.add_argument("--base-url", default=None,
                        help="load a server already running here instead of starting a fresh one per run")
    args = parser.parse_args(argv)

    urls = page_urls(args.db, args.seed)
    print(f"load on {args.db} ({sum(len(v) for v in urls.values())} distinct URLs in {len(urls)} page types)",
          flush=True)
    for c in args.concurrency:
        # a fresh server per run: its page cache starts empty, as after `make serve`
        with server(args.db, args.base_url, args.workers) as (base, pid):
            cpu0, mine0 = cpu_seconds(pid), time.process_time()
            r = asyncio.run(run_load(base, urls, args.requests, c, args.timeout, args.max_seconds, args.seed + c))
            cpu1, mine1 = cpu_seconds(pid), time.process_time()
        # this process's CPU shares the cores with the server: printed so that a reader can tell
        r["client_cpu_ms_per_request"] = round((mine1 - mine0) * 1000 / max(r["requests"], 1), 2)
        # the server's own CPU per request: less dependent than latency on what else the machine runs
        r["server_cpu_ms_per_request"] = round((cpu1 - cpu0) * 1000 / max(r["requests"], 1), 2) if cpu0 else None
        print_result(r, args.slowest)
        if args.json:
            print(json.dumps(r, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
