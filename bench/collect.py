"""Benchmark `gongkai collect` against local sites (127.0.0.1) that answer with a simulated latency.

    python bench/collect.py                       # 30 report pages a site, 16 sites, latencies 50 and 200 ms
    python bench/collect.py --pages 60 --latency 0.1 --sites 4

Collecting is network-bound and, at the default politeness (1 request per second per host, 2 in
flight), bound by the politeness itself: this prints pages/s for one site and for several sites
at once (each site is a server on its own port: the limits are per host), the same with no
politeness at all (the collector's own ceiling), a second run (everything answers 304), and the
time the link extraction takes per page (the real 255 KB Pingtan page), which must be far below
a request's latency.

Each site: a 年报 column of list pages (20 links each, "下一页" between them) and generated reports
(`ingest.generate`, all formats), served with ETag so the second run is conditional.
"""
from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PER_LIST = 20


def make_site(n: int, seed: int) -> dict[str, tuple[bytes, str]]:
    from ingest.generate import generate_corpus

    files: dict[str, tuple[bytes, str]] = {"/robots.txt": (b"User-agent: *\nDisallow: /private/\n", "text/plain")}
    reports = []
    for i, g in enumerate(generate_corpus(n, seed)):
        ext = g.filename.rsplit(".", 1)[-1]
        ctype = "text/html; charset=utf-8" if ext in ("html", "htm") else "text/plain; charset=utf-8"
        path = f"/zwgk/nb/{i:04d}/t{i:06d}.{ext}"
        files[path] = (g.data, ctype)
        year = (g.expected.get("report") or {}).get("year") or 2022
        reports.append((path, f"示例机关{i}号{year}年政府信息公开工作年度报告"))
    pages = [reports[i:i + PER_LIST] for i in range(0, len(reports), PER_LIST)]
    for k, chunk in enumerate(pages):
        items = "".join(f'<li><a href="{p}">{t}</a></li>' for p, t in chunk)
        nxt = f'<a href="index_{k + 1}.htm">下一页</a>' if k + 1 < len(pages) else ""
        body = (f"<html><head><meta charset='utf-8'><title>政府信息公开年报</title></head><body>"
                f"<a href='/'>首页</a><ul>{items}</ul>{nxt}</body></html>")
        files["/zwgk/nb/index.htm" if k == 0 else f"/zwgk/nb/index_{k}.htm"] = (body.encode("utf-8"), "text/html")
    return files


def serve(files: dict[str, tuple[bytes, str]], latency: float) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_GET(self):
            time.sleep(latency)
            if self.path not in files:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body, ctype = files[self.path]
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            status = 304 if self.headers.get("If-None-Match") == etag else 200
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body) if status == 200 else 0))
            self.end_headers()
            if status == 200:
                self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def run(label: str, seeds: list[str], out: Path, politeness, pages: int, **options) -> None:
    from ingest.collect.run import collect

    started = time.monotonic()
    summary = collect(seeds, out, politeness, progress=False, **options)
    seconds = time.monotonic() - started
    got = summary["fetched"] + summary["unchanged"] + summary["list_pages"]
    assert got == pages, (got, pages, summary["failures"][:3])
    print(f"  {label:<46} {got:>5} pages  {seconds:7.2f} s  {got / seconds:7.2f} pages/s"
          f"  (fetched {summary['fetched']}, unchanged {summary['unchanged']}, requests {summary['requests']})")


def main() -> None:
    from ingest.collect import links
    from ingest.collect.fetch import Politeness

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=30, help="report pages per site")
    ap.add_argument("--latency", default="0.05,0.2", help="seconds of simulated latency, comma-separated")
    ap.add_argument("--sites", type=int, default=16, help="sites collected at once in the multi-site run")
    args = ap.parse_args()

    default = Politeness()
    free = Politeness(delay=0.0, per_host=8)
    print(f"default politeness: {default.delay} s between requests per host, {default.per_host} in flight per host, "
          f"timeout {default.timeout} s, {default.retries} retries, cap {default.max_bytes >> 20} MiB")
    sites = [make_site(args.pages, seed) for seed in range(args.sites)]
    n_lists = -(-args.pages // PER_LIST)
    for latency in (float(x) for x in args.latency.split(",")):
        print(f"latency {latency * 1000:.0f} ms, {args.pages} report pages + {n_lists} list pages a site:")
        servers = [serve(files, latency) for files in sites]
        urls = [f"http://127.0.0.1:{s.server_address[1]}/zwgk/nb/index.htm" for s in servers]
        tmp = Path(tempfile.mkdtemp(prefix="gongkai-collect-bench-"))
        try:
            per_site = args.pages + n_lists
            run("one site, default politeness", urls[:1], tmp / "a", default, per_site)
            run("one site, second run (304s)", urls[:1], tmp / "a", default, per_site)
            run(f"{args.sites} sites at once, default politeness", urls, tmp / "b", default, per_site * args.sites)
            run("one site, no politeness (delay 0, 8 in flight)", urls[:1], tmp / "c", free, per_site)
        finally:
            for s in servers:
                s.shutdown()
                s.server_close()
            shutil.rmtree(tmp, ignore_errors=True)

    page = (ROOT / "data" / "reports" / "pingtan_2022.html").read_bytes()
    start = time.perf_counter()
    for _ in range(50):
        links.read_page(page, "text/html; charset=utf-8", "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/x.htm")
    per = (time.perf_counter() - start) / 50
    print(f"link extraction, real Pingtan page ({len(page) // 1024} KB): {per * 1000:.1f} ms a page "
          f"({1 / per:.0f} pages/s on one core)")


if __name__ == "__main__":
    main()
