"""`gongkai collect` against a local site (127.0.0.1, http.server in a thread).

The site: a 年报 column of two list pages (a "下一页" link and the TRS `createPageHTML` pager), the
real Pingtan 2022 report page (data/reports/pingtan_2022.html), a report page whose report is the
real Hongze 2023 PDF (tests/fixtures/collect/), a GBK-encoded page of the real 金东区 2020 report
(seed 000), a page that answers 500 once and then the real 郏县 2021 report (seed 004), a 404, and
a robots.txt that forbids /private/. The server answers conditional requests (ETag, 304) like a
real one, and logs every request, so the tests can say exactly what was fetched.
"""
from __future__ import annotations

import asyncio
import hashlib
import html
import json
import sqlite3
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from ingest.collect import links, sidecar, store
from ingest.collect.fetch import Fetcher, Politeness
from ingest.collect.run import collect, urls_from_text
from ingest.database import build as build_module
from ingest.database import sources
from ingest.database.build import build

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "data" / "reports"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "collect"
FAST = Politeness(delay=0.0, backoff=0.01, timeout=10.0)
LAST_MODIFIED = formatdate(1700000000, usegmt=True)

PINGTAN = "/zwgk/nb/202302/t20230220_80629.htm"
HONGZE = "/zwgk/nb/202401/t20240115_1001.htm"
HONGZE_PDF = "/zwgk/nb/202401/P020240115391245678901.pdf"
JINDONG = "/zwgk/nb/202101/t20210120_1002.htm"
JIAXIAN = "/zwgk/nb/202201/t20220115_1005.htm"
PRIVATE = "/private/t20220110_1003.htm"
MISSING = "/zwgk/nb/201901/t20190110_1004.htm"


def _report_page(title: str, body: str, charset: str) -> str:
    """A report page as the sites print them: title, date line, the report text in paragraphs."""
    paragraphs = "\n".join(f"<p>{html.escape(line)}</p>" for line in body.split("\n") if line.strip())
    return (f'<!DOCTYPE html>\n<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">'
            f"<title>{html.escape(title)}_政府信息公开年报</title></head><body>"
            f'<div class="nav"><a href="/">首页</a></div><div class="TRS_Editor">{paragraphs}</div></body></html>')


def site_files() -> dict[str, tuple[bytes, str]]:
    seed000 = (REPORTS / "000_82a0420bca058b17.txt").read_text(encoding="utf-8")
    seed004 = (REPORTS / "004_2baf5ee0490418e5.txt").read_text(encoding="utf-8")
    return {
        "/robots.txt": (b"User-agent: *\nDisallow: /private/\n", "text/plain"),
        "/zwgk/nb/index.htm": ((FIXTURES / "index.htm").read_bytes(), "text/html; charset=utf-8"),
        "/zwgk/nb/index_1.htm": ((FIXTURES / "index_1.htm").read_bytes(), "text/html; charset=utf-8"),
        PINGTAN: ((REPORTS / "pingtan_2022.html").read_bytes(), "text/html; charset=utf-8"),
        HONGZE: ((FIXTURES / "t20240115_1001.htm").read_bytes(), "text/html; charset=utf-8"),
        HONGZE_PDF: ((FIXTURES / "hongzequ_2023.pdf").read_bytes(), "application/pdf"),
        # GBK sites often send no charset in the header: the <meta> says gbk
        JINDONG: (_report_page("金东区2020年政府信息公开工作年度报告", seed000, "gbk").encode("gb18030"), "text/html"),
        JIAXIAN: (_report_page("郏县人民政府2021年政府信息公开工作年度报告", seed004, "utf-8").encode("utf-8"),
                  "text/html; charset=utf-8"),
        PRIVATE: (b"<html><title>2021\xe5\xb9\xb4</title></html>", "text/html"),
    }


class Site:
    """The local web site: files, a log of requests, and per-path behaviours (fail first, huge, slow)."""

    def __init__(self, files: dict[str, tuple[bytes, str]]):
        self.files = dict(files)
        self.log: list[tuple[str, int, float]] = []  # (path, status, time the request arrived)
        self.fail_first: dict[str, int] = {}         # path → how many 500s before the real answer
        self.huge: dict[str, int] = {}               # path → bytes to stream (no Content-Length)
        self.sent: dict[str, int] = {}
        self.latency = 0.0
        self.lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                site.handle(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return self.base + path

    def paths(self, status: int | None = None) -> list[str]:
        return [p for p, s, _ in self.log if status is None or s == status]

    def _answer(self, h, status: int, body: bytes = b"", ctype: str = "text/plain", headers=()):
        with self.lock:
            self.log.append((h.path, status, time.monotonic()))
        h.send_response(status)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(body)

    def handle(self, h):
        if self.latency:
            time.sleep(self.latency)
        path = h.path
        with self.lock:
            failing = self.fail_first.get(path, 0)
            if failing:
                self.fail_first[path] = failing - 1
        if failing:
            return self._answer(h, 500, b"busy")
        if path in self.huge:
            with self.lock:
                self.log.append((path, 200, time.monotonic()))
            h.send_response(200)
            h.send_header("Content-Type", "application/pdf")
            h.send_header("Connection", "close")
            h.end_headers()
            chunk = b"%PDF" + b"0" * 65532
            try:
                for _ in range(self.huge[path] // len(chunk)):
                    h.wfile.write(chunk)
                    self.sent[path] = self.sent.get(path, 0) + len(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
            h.close_connection = True
            return
        if path not in self.files:
            return self._answer(h, 404, b"not found")
        body, ctype = self.files[path]
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        validators = (("ETag", etag), ("Last-Modified", LAST_MODIFIED))
        if h.headers.get("If-None-Match") == etag:
            return self._answer(h, 304, b"", ctype, validators)
        self._answer(h, 200, body, ctype, validators)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def site():
    s = Site(site_files())
    s.fail_first[JIAXIAN] = 1
    yield s
    s.close()


def _sidecars(out: Path) -> dict[str, dict]:
    return {p.name[: -len(sidecar.SUFFIX)]: json.loads(p.read_text(encoding="utf-8"))
            for p in out.rglob("*" + sidecar.SUFFIX)}


# ---------------------------------------------------------------------------------------------
# The crawl
# ---------------------------------------------------------------------------------------------

def test_collect_fetches_exactly_the_allowed_files(site, tmp_path):
    out = tmp_path / "collected"
    summary = collect([site.url("/zwgk/nb/index.htm")], out, FAST, progress=False)
    host = f"127.0.0.1_{site.server.server_address[1]}"
    assert sorted(summary["saved"]) == sorted(f"{host}{p}" for p in (PINGTAN, HONGZE, HONGZE_PDF, JINDONG, JIAXIAN))
    assert summary["fetched"] == 5 and summary["unchanged"] == 0 and summary["list_pages"] == 2
    # the bytes are the site's, byte for byte
    files = site_files()
    for path in (PINGTAN, HONGZE_PDF, JINDONG):
        assert (out / host / path.lstrip("/")).read_bytes() == files[path][0]
    # robots.txt: the forbidden page was never requested, and is reported as skipped
    assert PRIVATE not in site.paths()
    assert [(s["url"], s["reason"]) for s in summary["skips"]] == [(site.url(PRIVATE), "robots")]
    # the 404 is reported and the run went on; the 500 was retried and then saved
    assert [(f["url"], f["reason"]) for f in summary["failures"]] == [(site.url(MISSING), "http_404")]
    assert site.paths(500) == [JIAXIAN] and site.paths(200).count(JIAXIAN) == 1
    # chrome links (首页, 指南, 网站地图) were not followed; each list page was read once
    assert not {"/", "/zwgk/", "/zwgk/zn.htm", "/zwgk/wzdt.htm"} & set(site.paths())
    assert site.paths().count("/zwgk/nb/index_1.htm") == 1


def test_sidecar_records(site, tmp_path):
    out = tmp_path / "collected"
    collect([site.url("/zwgk/nb/index.htm")], out, FAST, progress=False)
    records = _sidecars(out)
    assert set(records) == {"t20230220_80629.htm", "t20240115_1001.htm", "P020240115391245678901.pdf",
                            "t20210120_1002.htm", "t20220115_1005.htm"}
    files = site_files()
    page = records["t20240115_1001.htm"]
    assert page["source_url"] == page["final_url"] == site.url(HONGZE)
    assert page["http_status"] == 200 and page["content_type"] == "text/html; charset=utf-8"
    assert page["sha256"] == hashlib.sha256(files[HONGZE][0]).hexdigest()
    assert page["link_text"] == "洪泽区人民政府2023年政府信息公开工作年度报告"
    assert page["found_on"] == site.url("/zwgk/nb/index.htm")
    assert page["found_on_title"] == "政府信息公开年报_政府信息公开_示例区人民政府"
    assert page["title"] == "洪泽区人民政府2023年政府信息公开工作年度报告"
    assert page["attached_to"] is None and page["etag"] and page["last_modified"] == LAST_MODIFIED
    pdf = records["P020240115391245678901.pdf"]
    assert pdf["attached_to"] == site.url(HONGZE) and pdf["found_on"] == site.url(HONGZE)
    assert pdf["link_text"] == "洪泽区人民政府2023年政府信息公开工作年度报告.pdf"
    assert pdf["found_on_title"] == "洪泽区人民政府2023年政府信息公开工作年度报告"
    assert pdf["bytes"] == 293525 and pdf["content_type"] == "application/pdf"
    assert pdf["sha256"] == hashlib.sha256(files[HONGZE_PDF][0]).hexdigest()
    # list pages cut long titles; the link's title= attribute keeps the whole one
    assert records["t20230220_80629.htm"]["link_text"] == "平潭综合实验区2022年度政府信息公开工作年度报告"
    assert records["t20230220_80629.htm"]["title"] == "平潭综合实验区2022年度政府信息公开工作年度报告"
    # the GBK page: charset from <meta> (the header has none), title read right
    gbk = records["t20210120_1002.htm"]
    assert gbk["charset"] == "gb18030" and gbk["title"] == "金东区2020年政府信息公开工作年度报告"
    # the page found on the second list page was found there ("下一页" / createPageHTML)
    assert gbk["found_on"] == site.url("/zwgk/nb/index_1.htm")
    retrieved = records["t20220115_1005.htm"]["retrieved_at"]
    assert retrieved.endswith("+00:00") and retrieved[:4].isdigit()


def test_second_run_fetches_nothing(site, tmp_path):
    out = tmp_path / "collected"
    collect([site.url("/zwgk/nb/index.htm")], out, FAST, progress=False)
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file() and ".collect" not in p.parts}
    site.log.clear()
    summary = collect([site.url("/zwgk/nb/index.htm")], out, FAST, progress=False)
    assert summary["fetched"] == 0 and summary["unchanged"] == 5 and summary["saved"] == []
    # every page and file was asked "changed?" and answered 304 (robots.txt is read again each run)
    assert site.paths(200) == ["/robots.txt"]
    assert sorted(site.paths(304)) == sorted(["/zwgk/nb/index.htm", "/zwgk/nb/index_1.htm", PINGTAN, HONGZE,
                                              HONGZE_PDF, JINDONG, JIAXIAN])
    after = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file() and ".collect" not in p.parts}
    assert after == before


def test_changed_and_deleted_files_are_fetched_again(site, tmp_path):
    out = tmp_path / "collected"
    collect([site.url("/zwgk/nb/index.htm")], out, FAST, progress=False)
    host = f"127.0.0.1_{site.server.server_address[1]}"
    body, ctype = site.files[HONGZE]
    site.files[HONGZE] = (body.replace("详见附件".encode(), "详见附件（已更新）".encode()), ctype)
    (out / host / HONGZE_PDF.lstrip("/")).unlink()
    summary = collect([site.url("/zwgk/nb/index.htm")], out, FAST, progress=False)
    assert sorted(summary["saved"]) == [f"{host}{HONGZE_PDF}", f"{host}{HONGZE}"]
    assert summary["unchanged"] == 3
    record = sidecar.read(out / host / HONGZE.lstrip("/"))
    assert record["sha256"] == hashlib.sha256(site.files[HONGZE][0]).hexdigest()


def test_retry_after_500_and_give_up_after_the_retries(site, tmp_path):
    site.fail_first[PINGTAN] = 10
    summary = collect([site.url(PINGTAN), site.url(JIAXIAN)], tmp_path / "c",
                      Politeness(delay=0.0, backoff=0.01, retries=2), progress=False)
    assert site.paths(500).count(PINGTAN) == 3          # first try + 2 retries
    assert [(f["url"], f["reason"]) for f in summary["failures"]] == [(site.url(PINGTAN), "http_500")]
    assert summary["fetched"] == 1                       # 郏县: one 500, then saved


def test_huge_file_stops_at_the_cap(site, tmp_path):
    site.huge["/big.pdf"] = 64 << 20
    cap = 1 << 20
    summary = collect([site.url("/big.pdf")], tmp_path / "c", Politeness(delay=0.0, max_bytes=cap), progress=False)
    assert [(f["url"], f["reason"]) for f in summary["failures"]] == [(site.url("/big.pdf"), "too_large")]
    assert summary["saved"] == [] and not list((tmp_path / "c").rglob("*.pdf"))
    assert not list((tmp_path / "c" / ".collect").glob(".part-*"))
    time.sleep(0.2)
    # the download stopped near the cap (socket buffers hold a few MiB), far from the 64 MiB on offer
    assert site.sent["/big.pdf"] < 16 << 20


def test_declared_length_over_the_cap_is_not_downloaded(site, tmp_path):
    summary = collect([site.url(HONGZE_PDF)], tmp_path / "c", Politeness(delay=0.0, max_bytes=1000),
                      progress=False)
    assert [f["reason"] for f in summary["failures"]] == ["too_large"]
    assert "Content-Length 293525" in summary["failures"][0]["detail"]


def test_per_host_rate_limit(site, tmp_path):
    """Default politeness is 1 request/s per host; here 0.2 s: no two request starts closer than that."""
    collect([site.url(p) for p in (PINGTAN, HONGZE, JINDONG)], tmp_path / "c",
            Politeness(delay=0.2, per_host=2), progress=False)
    starts = sorted(t for _, _, t in site.log)
    assert len(starts) == 5  # robots.txt, three pages, the PDF
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    # the server logs when it reads a request, which a loaded machine delays by a few tens of ms either
    # way: each gap stays well above 0 and the five requests together span the four delays
    assert min(gaps) >= 0.12 and starts[-1] - starts[0] >= 4 * 0.2 * 0.95


def test_robots_crawl_delay_is_honoured(site, tmp_path):
    site.files["/robots.txt"] = (b"User-agent: *\nCrawl-delay: 1\nDisallow: /private/\n", "text/plain")
    collect([site.url(PINGTAN), site.url(JINDONG)], tmp_path / "c", FAST, progress=False)
    starts = [t for p, _, t in site.log if p != "/robots.txt"]
    assert len(starts) == 2 and abs(starts[1] - starts[0]) >= 0.99


def test_a_slow_host_does_not_hold_the_others(site, tmp_path):
    """Hosts are queued apart: while one waits for its Crawl-delay, another host's pages go ahead."""
    site.fail_first.clear()
    site.files["/robots.txt"] = (b"User-agent: *\nCrawl-delay: 1\n", "text/plain")
    fast = Site(site_files())
    try:
        pages = (PINGTAN, JINDONG, JIAXIAN)
        seeds = [site.url(p) for p in pages] + [fast.url(p) for p in pages]
        collect(seeds, tmp_path / "c", Politeness(delay=0.0, per_host=1), workers=2, progress=False)
        slow_starts = sorted(t for p, _, t in site.log if p in pages)
        fast_done = max(t for p, _, t in fast.log)
        assert len(slow_starts) == 3 and fast_done < slow_starts[1]
    finally:
        fast.close()


def test_a_report_url_and_a_file_url_as_seeds(site, tmp_path):
    """Given directly, a report page is saved with its attachment; a PDF URL is saved as it is."""
    out = tmp_path / "c"
    summary = collect([site.url(HONGZE)], out, FAST, progress=False)
    assert summary["fetched"] == 2 and summary["list_pages"] == 0
    summary = collect([site.url(HONGZE_PDF)], tmp_path / "d", FAST, progress=False)
    assert summary["fetched"] == 1 and summary["saved"][0].endswith(".pdf")


def test_attachment_link_answered_by_a_page_is_not_saved(site, tmp_path):
    """A "PDF" link that returns an HTML page (文件不存在, a login page) is a failure, not a report."""
    body, _ = site.files[HONGZE]
    site.files[HONGZE] = (body.replace(b"P020240115391245678901.pdf", b"gone.pdf"), "text/html; charset=utf-8")
    site.files["/zwgk/nb/202401/gone.pdf"] = ("<html><title>文件不存在</title></html>".encode(), "text/html")
    summary = collect([site.url(HONGZE)], tmp_path / "c", FAST, progress=False)
    assert summary["fetched"] == 1 and [f["reason"] for f in summary["failures"]] == ["not_a_report"]
    assert not list((tmp_path / "c").rglob("gone*"))


def test_unreachable_host_is_a_failure_not_a_crash(tmp_path):
    summary = collect(["http://127.0.0.1:9/zwgk/nb/index.htm"], tmp_path / "c",
                      Politeness(delay=0.0, retries=1, backoff=0.01, timeout=2), progress=False)
    # robots.txt could not be read: RFC 9309 says assume everything is disallowed
    assert [(s["reason"]) for s in summary["skips"]] == ["robots"]
    assert summary["fetched"] == 0


# ---------------------------------------------------------------------------------------------
# Pieces
# ---------------------------------------------------------------------------------------------

def test_list_page_links():
    page = links.read_page((FIXTURES / "index.htm").read_bytes(), "text/html", "http://example.gov.cn/zwgk/nb/index.htm")
    assert [(l.url, l.text) for l in page.report_links] == [
        ("http://example.gov.cn/zwgk/nb/202302/t20230220_80629.htm", "平潭综合实验区2022年度政府信息公开工作年度报告"),
        ("http://example.gov.cn/zwgk/nb/202401/t20240115_1001.htm", "洪泽区人民政府2023年政府信息公开工作年度报告"),
    ]
    assert [l.url for l in page.next_pages] == ["http://example.gov.cn/zwgk/nb/index_1.htm"]
    assert page.is_list and page.attachments == []
    last = links.read_page((FIXTURES / "index_1.htm").read_bytes(), None, "http://example.gov.cn/zwgk/nb/index_1.htm")
    assert last.next_pages == [] and len(last.report_links) == 4 and last.is_list


def test_report_page_is_not_a_list():
    page = links.read_page((REPORTS / "pingtan_2022.html").read_bytes(), "text/html",
                           "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/202302/t20230220_80629.htm")
    assert page.title == "平潭综合实验区2022年度政府信息公开工作年度报告" and not page.is_list
    hongze = links.read_page((FIXTURES / "t20240115_1001.htm").read_bytes(), None, "http://x.cn/nb/202401/t.htm")
    assert not hongze.is_list
    assert [l.url for l in hongze.attachments] == ["http://x.cn/nb/202401/P020240115391245678901.pdf"]


@pytest.mark.parametrize("text, expected", [
    ("平潭综合实验区2022年度政府信息公开工作年度报告", True),
    ("金东区2020年政府信息公开工作年度报告", True),
    ("市财政局2021年度政府信息公开年报", True),
    ("2019年政务公开工作年度报告", True),
    ("政府信息公开年报", False),             # the column's name
    ("2022年政务公开工作要点", False),
    ("关于2014年政府信息公开工作要点落实情况的函", False),
    ("政府信息公开指南", False),
])
def test_looks_like_report(text, expected):
    assert links.looks_like_report(text) is expected


def test_charset_from_header_then_meta_then_detection():
    text = "金东区2020年政府信息公开工作年度报告"
    gbk = f'<html><head><meta charset="gb2312"><title>{text}</title></head></html>'.encode("gb18030")
    assert links.decode_page(gbk, "text/html")[1] == "gb18030"
    # a GBK page declared UTF-8 in the header (a common misconfiguration): the <meta> wins
    assert links.decode_page(gbk, "text/html; charset=utf-8") == (gbk.decode("gb18030"), "gb18030")
    # nothing declared: detection
    bare = f"<html><title>{text}</title></html>".encode("gb18030")
    assert links.decode_page(bare, None) == (bare.decode("gb18030"), "gb18030")


def test_file_names():
    out = Path("/o")
    assert store.path_for(out, "https://a.gov.cn/nb/t2023_1.shtml", "text/html", True) == \
        Path("/o/a.gov.cn/nb/t2023_1.shtml.html")
    assert store.path_for(out, "https://a.gov.cn/nb/", "text/html", True) == Path("/o/a.gov.cn/nb/index.html")
    one = store.path_for(out, "http://a.gov.cn:8080/view.jsp?id=1", "text/html", True)
    two = store.path_for(out, "http://a.gov.cn:8080/view.jsp?id=2", "text/html", True)
    assert one != two and one.parent == Path("/o/a.gov.cn_8080") and one.name.endswith(".jsp.html")
    assert store.path_for(out, "https://a.gov.cn/down.do?f=9", "application/pdf", False).suffix == ".pdf"
    assert store.path_for(out, "https://a.gov.cn/%E5%B9%B4%E6%8A%A5.pdf", "application/pdf", False) == \
        Path("/o/a.gov.cn/年报.pdf")
    assert store.path_for(out, "https://a.gov.cn/../../etc/passwd", None, False) == Path("/o/a.gov.cn/etc/passwd.bin")


def test_urls_from_a_list_file():
    text = "url,title\nhttps://a.gov.cn/nb/index.htm,年报\n\n  http://b.gov.cn/2023.pdf  \n# note\n"
    assert urls_from_text(text) == ["https://a.gov.cn/nb/index.htm", "http://b.gov.cn/2023.pdf"]


def test_fetcher_retry_after_header(site):
    """A 429 with Retry-After waits that long (capped by max_wait) before the retry."""
    fetcher = Fetcher(Politeness(delay=0.0, backoff=0.01, max_wait=0.3, robots=False))
    original = site._answer

    calls = {"n": 0}

    def answer(h, status, body=b"", ctype="text/plain", headers=()):
        if h.path == PINGTAN and calls["n"] == 0:
            calls["n"] += 1
            return original(h, 429, b"slow down", "text/plain", (("Retry-After", "5"),))
        return original(h, status, body, ctype, headers)

    site._answer = answer
    started = time.monotonic()
    got = fetcher.get(site.url(PINGTAN))
    elapsed = time.monotonic() - started
    fetcher.close()
    assert got.status == 200 and got.attempts == 2 and elapsed >= 0.29
    Path(got.path).unlink()


# ---------------------------------------------------------------------------------------------
# Build from the collected folder
# ---------------------------------------------------------------------------------------------

def test_build_reads_the_sidecars(site, tmp_path):
    out = tmp_path / "collected"
    collect([site.url("/zwgk/nb/index.htm")], out, FAST, progress=False)
    db = tmp_path / "g.db"
    build([out], db, workers=1, progress=False)
    conn = sqlite3.connect(db)
    rows = {Path(p).name: (title, year, url, at, attached)
            for p, title, year, url, at, attached in
            conn.execute("SELECT path, title, year, source_url, retrieved_at, attached_to FROM reports")}
    conn.close()
    records = _sidecars(out)
    assert rows["t20230220_80629.htm"][:3] == ("平潭综合实验区2022年度政府信息公开工作年度报告", 2022, site.url(PINGTAN))
    assert rows["t20210120_1002.htm"][:3] == ("金东区2020年政府信息公开工作年度报告", 2020, site.url(JINDONG))
    assert rows["t20220115_1005.htm"][2] == site.url(JIAXIAN)
    for name, (_, _, url, at, attached) in rows.items():
        assert at == records[name]["retrieved_at"] and attached == records[name].get("attached_to")
    # the Hongze page (no tables) and its PDF attachment are one report: the PDF's, linked to the page
    assert set(rows) == {"t20230220_80629.htm", "P020240115391245678901.pdf", "t20210120_1002.htm",
                         "t20220115_1005.htm"}
    title, year, url, _, attached = rows["P020240115391245678901.pdf"]
    assert (year, url, attached) == (2023, site.url(HONGZE_PDF), site.url(HONGZE))
    conn = sqlite3.connect(db)
    (rid,) = conn.execute("SELECT id FROM reports WHERE path LIKE '%.pdf'").fetchone()
    cells = dict(((r, c), v) for r, c, v in conn.execute(
        "SELECT row_key, col_key, value FROM cells WHERE report_id = ? AND table_name = 'applications'", (rid,)))
    conn.close()
    assert cells[("new_received", "total")] == 21 and cells[("total_processed", "total")] == 21


def test_report_page_links_the_source(site, tmp_path):
    from ingest.site.serve import make_datasette

    out = tmp_path / "collected"
    collect([site.url(PINGTAN)], out, FAST, progress=False)
    db = tmp_path / "g.db"
    build([out], db, workers=1, progress=False)
    conn = sqlite3.connect(db)
    rid, retrieved = conn.execute("SELECT id, retrieved_at FROM reports").fetchone()
    conn.close()
    page = asyncio.run(make_datasette(db).client.get(f"/reports/{rid}")).text
    assert f'<a href="{site.url(PINGTAN)}" rel="noopener noreferrer">原文</a>（获取于 {retrieved}）' in page


def test_archive_header_fills_source_url():
    text = (REPORTS / "pingtan_2013_xian.txt").read_text(encoding="utf-8")
    assert sources.header_columns(text) == {
        "source_url": "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/201401/t20140122_80754.htm",
        "retrieved_at": None, "attached_to": None, "merged_from": None}
    # a 原文链接 in the body (after the 正文 line) is not a header
    assert sources.header_columns("标题: x\n==== 正文 ====\n原文链接: https://a.cn/x.htm\n")["source_url"] is None
    assert sources.header_columns((REPORTS / "000_82a0420bca058b17.txt").read_text(encoding="utf-8")) == \
        dict.fromkeys(sources.COLUMNS)


def test_sample_corpus_source_urls(tmp_path):
    db = tmp_path / "g.db"
    build([REPORTS], db, workers=1, progress=False)
    conn = sqlite3.connect(db)
    rows = dict(conn.execute("SELECT path, source_url FROM reports WHERE path LIKE 'pingtan_%.txt'"))
    conn.close()
    assert len(rows) == 10
    assert rows["pingtan_2023.txt"] == "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/202403/t20240308_87885.htm"
    assert rows["pingtan_2011_shiyanqu.txt"] == \
        "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/201204/t20120420_80678.htm"


# ---------------------------------------------------------------------------------------------
# A report page and its attachment are one report
# ---------------------------------------------------------------------------------------------

def _save(folder: Path, name: str, data: bytes, **record) -> Path:
    path = folder / name
    path.write_bytes(data)
    sidecar.write(path, {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data),
                         "retrieved_at": "2026-12-01T10:00:00+00:00", "http_status": 200, **record})
    return path


def _pingtan_2023_pair(folder: Path) -> None:
    """The real Pingtan 2023 report as an attachment (its text after the archive's 正文 line, so it
    prints no date) of a page that prints the date and says only 详见附件."""
    text = (REPORTS / "pingtan_2023.txt").read_text(encoding="utf-8")
    body = text.split("==== 正文 ====", 1)[1].split("\n", 1)[1]
    page = ('<html><head><meta charset="utf-8"><title>平潭综合实验区2023年度政府信息公开工作年度报告</title></head>'
            "<body><h1>平潭综合实验区2023年度政府信息公开工作年度报告</h1><p>发布时间：2024-03-08</p>"
            '<p>详见附件。</p><p>附件：<a href="P020240308.txt">平潭综合实验区2023年度政府信息公开工作年度报告</a></p>'
            "</body></html>")
    page_url = "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/202403/t20240308_87885.htm"
    _save(folder, "t20240308_87885.htm", page.encode("utf-8"), source_url=page_url, final_url=page_url,
          content_type="text/html")
    _save(folder, "P020240308.txt", body.encode("utf-8"), source_url=page_url.rsplit("/", 1)[0] + "/P020240308.txt",
          content_type="text/plain", attached_to=page_url)


def test_page_and_attachment_are_one_report(tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    _pingtan_2023_pair(folder)
    db = tmp_path / "g.db"
    first = build([folder], db, workers=1, progress=False)
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT id, path, year, published_on, source_url, attached_to, merged_from FROM reports").fetchall()
    assert len(rows) == 1
    rid, path, year, published_on, url, attached, merged = rows[0]
    # the attachment's tables (the page has none) and the page's date (the attachment prints none)
    assert path == "P020240308.txt" and year == 2023 and published_on == "2024-03-08"
    assert url.endswith("/P020240308.txt") and attached.endswith("/t20240308_87885.htm")
    assert json.loads(merged) == [{"path": "t20240308_87885.htm", "source_url": attached,
                                   "retrieved_at": "2026-12-01T10:00:00+00:00"}]
    # the 2023 report's table 3: 21 new applications... read by eye from pingtan_2023.txt
    total = conn.execute("SELECT total FROM applications WHERE report_id = ? AND row_key = 'new_received'",
                         (rid,)).fetchone()[0]
    assert total == _pingtan_2023_new_received()
    assert conn.execute("SELECT count(*) FROM sections WHERE report_id != ?", (rid,)).fetchone()[0] == 0
    conn.close()
    # a second build keeps the one report (the page is parsed again and merged again)
    second = build([folder], db, workers=1, progress=False)
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT id, published_on, merged_from FROM reports").fetchall() == [(rid, published_on, merged)]
    conn.close()
    assert first["reports"] == second["reports"] == 1


def _pingtan_2023_new_received() -> int:
    from ingest.parse import parse_file

    record = parse_file(str(REPORTS / "pingtan_2023.txt")).record
    return record["applications"]["new_received"]["total"]


def test_page_with_tables_is_kept_over_its_attachment(tmp_path):
    """When the page has the tables, the page is the report; the attachment stays linked."""
    folder = tmp_path / "c"
    folder.mkdir()
    page_url = "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/202302/t20230220_80629.htm"
    _save(folder, "t20230220_80629.htm", (REPORTS / "pingtan_2022.html").read_bytes(), source_url=page_url)
    _save(folder, "P0220.txt", (REPORTS / "pingtan_2022.txt").read_bytes(), source_url=page_url + ".txt",
          attached_to=page_url)
    db = tmp_path / "g.db"
    build([folder], db, workers=1, progress=False)
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT path, source_url, merged_from FROM reports").fetchall()
    conn.close()
    assert [(p, u) for p, u, _ in rows] == [("t20230220_80629.htm", page_url)]
    assert json.loads(rows[0][2])[0]["source_url"] == page_url + ".txt"


def test_attachment_of_another_year_is_not_merged(tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    page_url = "https://www.pingtan.gov.cn/a/t20230220_80629.htm"
    _save(folder, "page.htm", (REPORTS / "pingtan_2022.html").read_bytes(), source_url=page_url)
    _save(folder, "old.txt", (REPORTS / "pingtan_2018.txt").read_bytes(), source_url=page_url + ".txt",
          attached_to=page_url)
    db = tmp_path / "g.db"
    build([folder], db, workers=1, progress=False)
    conn = sqlite3.connect(db)
    assert sorted(conn.execute("SELECT path, year, merged_from FROM reports")) == [
        ("old.txt", 2018, None), ("page.htm", 2022, None)]
    conn.close()


def test_unreadable_sidecar_is_a_warning_and_removed_sidecar_restores_the_header(tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    report = folder / "pingtan_2023.txt"
    report.write_bytes((REPORTS / "pingtan_2023.txt").read_bytes())
    sidecar.sidecar_path(report).write_text("{not json", encoding="utf-8")
    db = tmp_path / "g.db"
    build([folder], db, workers=1, progress=False)
    conn = sqlite3.connect(db)
    warnings = conn.execute("SELECT code, message FROM warnings WHERE code = 'sidecar_unreadable'").fetchall()
    assert len(warnings) == 1 and "pingtan_2023.txt.source.json" in warnings[0][1]
    n_before = conn.execute("SELECT n_warnings FROM reports").fetchone()[0]
    conn.close()
    header_url = "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/202403/t20240308_87885.htm"
    sidecar.write(report, {"source_url": "https://mirror.example/p.txt", "retrieved_at": "2026-12-01T10:00:00+00:00"})
    build([folder], db, workers=1, progress=False)
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT source_url, retrieved_at, n_warnings FROM reports").fetchone() == \
        ("https://mirror.example/p.txt", "2026-12-01T10:00:00+00:00", n_before - 1)
    conn.close()
    sidecar.sidecar_path(report).unlink()
    build([folder], db, workers=1, progress=False)
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT source_url, retrieved_at FROM reports").fetchone() == (header_url, None)
    conn.close()


def test_cli_collect(site, tmp_path, capsys):
    from ingest.__main__ import main

    listing = tmp_path / "urls.csv"
    listing.write_text(f"url\n{site.url(PINGTAN)}\n{site.url(MISSING)}\n", encoding="utf-8")
    assert main(["collect", "--from-file", str(listing), "--out", str(tmp_path / "c"), "--delay", "0",
                 "--no-progress"]) == 0
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    assert summary["fetched"] == 1 and summary["failed"] == 1
    assert "采集完成：已下载 1" in captured.err and f"失败 http_404: {site.url(MISSING)}" in captured.err


def test_cli_collect_without_urls_or_with_a_missing_list(tmp_path, capsys):
    from ingest.__main__ import main

    assert main(["collect", "--out", str(tmp_path / "c")]) == 2
    assert main(["collect", "--from-file", str(tmp_path / "nope.txt"), "--out", str(tmp_path / "c")]) == 2
    assert "nope.txt" in capsys.readouterr().err


def test_progress_line():
    import io
    from collections import Counter

    from ingest.collect.progress import Progress

    stream = io.StringIO()
    progress = Progress(True, stream=stream, every=0)
    progress.show(Counter(list_pages=2, fetched=5, unchanged=1, failed=1), 3)
    progress.done()
    assert stream.getvalue() == "\r采集：列表页 2 · 已下载 5 · 未改变 1 · 失败 1 · 待处理 3\x1b[K\n"
    quiet = io.StringIO()
    Progress(False, stream=quiet).show(Counter(), 1)
    assert quiet.getvalue() == ""


def test_incremental_build_relinks_only_what_changed(tmp_path):
    """A changed file re-reads its own sidecar only: another report's sidecar columns stay as the last build set
    them, and a sidecar changed meanwhile is read again even though its report's file did not change."""
    folder = tmp_path / "c"
    folder.mkdir()
    kept, changed = folder / "pingtan_2023.txt", folder / "pingtan_2022.txt"
    kept.write_bytes((REPORTS / "pingtan_2023.txt").read_bytes())
    changed.write_bytes((REPORTS / "pingtan_2022.txt").read_bytes())
    sidecar.write(kept, {"source_url": "https://mirror.example/a.txt", "retrieved_at": "2026-12-01T10:00:00+00:00"})
    db = tmp_path / "g.db"
    build([folder], db, workers=1, progress=False)
    changed.write_bytes(changed.read_bytes() + b"\n")
    summary = build([folder], db, workers=1, progress=False)
    assert summary["incremental"] and summary["parsed"] == 1
    conn = sqlite3.connect(db)
    row = "SELECT source_url, retrieved_at FROM reports WHERE path = ?"
    assert conn.execute(row, ("pingtan_2023.txt",)).fetchone() == \
        ("https://mirror.example/a.txt", "2026-12-01T10:00:00+00:00")
    conn.close()
    sidecar.write(kept, {"source_url": "https://mirror.example/b.txt", "retrieved_at": "2026-12-02T10:00:00+00:00"})
    summary = build([folder], db, workers=1, progress=False)
    assert summary["incremental"] and summary["parsed"] == 0
    conn = sqlite3.connect(db)
    assert conn.execute(row, ("pingtan_2023.txt",)).fetchone() == \
        ("https://mirror.example/b.txt", "2026-12-02T10:00:00+00:00")
    conn.close()
