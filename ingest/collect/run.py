"""The crawl: seed URLs → list pages → report pages → attachments, saved under OUT with sidecars.

Roles: a seed is whatever the user gave (a 年报 column, a report page, a PDF); a list page's report
links are report pages and its "下一页" links list pages; a report page's attachments are
attachments (their sidecar names the page in `attached_to`). Any HTML page that turns out to be a
list (several report links, not itself titled like a report) is read as one, so a directory of
columns also works. List pages are read but not saved (they are not reports); their links are kept
in the state, so a 304 on the next run still leads to their reports.

The network work runs on a thread pool (per-host limits live in `fetch`); everything that writes
— files, sidecars, the state — happens in this thread, one result at a time.
"""
from __future__ import annotations

import os
import re
import sys
import time
from collections import Counter, deque
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urldefrag

from . import links as pages, sidecar, store
from .fetch import Fetched, Fetcher, Politeness, origin_of
from .progress import Progress
from .state import STATE_DIR, State

_URL = re.compile(r"https?://[^\s,;\"'<>]+")
MAX_LIST_PAGES = 1000   # list pages read per run at most (a pager that never ends stops here)
WORKERS = 16            # threads: with 2 per host, 8 hosts are collected at once


@dataclass(frozen=True)
class Task:
    url: str
    role: str                      # seed | list | report | attachment
    link_text: str | None = None
    found_on: str | None = None
    found_on_title: str | None = None
    attached_to: str | None = None


def urls_from_text(text: str) -> list[str]:
    """Every http(s) URL in a list file: one a line, or cells of a CSV/TSV export of a spreadsheet."""
    return _URL.findall(text)


class Collector:
    def __init__(self, out: str | os.PathLike, politeness: Politeness = Politeness(), workers: int = WORKERS,
                 max_list_pages: int = MAX_LIST_PAGES, progress: bool | None = None, client=None):
        self.out = Path(out)
        self.out.mkdir(parents=True, exist_ok=True)
        self.state = State(self.out)
        self.fetcher = Fetcher(politeness, client=client, temp_dir=str(self.out / STATE_DIR))
        self.workers = workers
        self.max_list_pages = max_list_pages
        self.progress = Progress(sys.stderr.isatty() if progress is None else progress)
        self.counts: Counter = Counter()
        self.failed: list[dict] = []
        self.skipped: list[dict] = []
        self.saved: list[str] = []
        # one queue per host, so a slow (rate-limited) host never holds every thread while others wait
        self.queues: dict[str, deque[Task]] = {}
        self.in_flight: Counter = Counter()
        self.per_host = politeness.per_host
        self.seen: set[str] = set()

    def add(self, task: Task) -> None:
        url, _ = urldefrag(task.url.strip())
        if url in self.seen:
            return
        if task.role == "list" and self.counts["list_pages_queued"] >= self.max_list_pages:
            self.counts["list_pages_dropped"] += 1
            return
        if task.role == "list":
            self.counts["list_pages_queued"] += 1
        self.seen.add(url)
        self.queues.setdefault(origin_of(url), deque()).append(
            Task(url, task.role, task.link_text, task.found_on, task.found_on_title, task.attached_to))

    def _ready(self, limit: int):
        """Up to `limit` queued tasks, round-robin over the hosts that have a free slot and whose turn
        has come (so threads do not sleep through a host's delay while other hosts wait);
        `self.soonest` is then the time until the next host's turn."""
        self.soonest = None
        while limit > 0:
            took = False
            for origin, queue in list(self.queues.items()):
                if limit <= 0:
                    break
                if not queue:
                    del self.queues[origin]
                    continue
                if self.in_flight[origin] >= self.per_host:
                    continue
                wait_for = self.fetcher.turn_in(origin)
                if wait_for > 0:
                    self.soonest = wait_for if self.soonest is None else min(self.soonest, wait_for)
                    continue
                self.in_flight[origin] += 1
                limit -= 1
                took = True
                yield origin, queue.popleft()
            if not took:
                return

    def _pending(self) -> int:
        return sum(len(q) for q in self.queues.values())

    def run(self, urls) -> dict:
        started = time.monotonic()
        for url in urls:
            self.add(Task(url, "seed"))
        try:
            with ThreadPoolExecutor(self.workers) as pool:
                running = {}
                while self.queues or running:
                    for origin, task in self._ready(self.workers - len(running)):
                        previous = self.state.get(task.url)
                        etag, modified = _validators(previous, self.out)
                        future = pool.submit(self.fetcher.get, task.url, etag, modified)
                        running[future] = (origin, task, previous)
                    if not running:
                        if self.queues:
                            time.sleep(self.soonest or 0.01)
                        continue
                    done, _ = wait(running, timeout=self.soonest, return_when=FIRST_COMPLETED)
                    for future in done:
                        origin, task, previous = running.pop(future)
                        self.in_flight[origin] -= 1
                        self._handle(task, previous, future.result())
                        self.progress.show(self.counts, self._pending() + len(running))
        finally:
            self.progress.done()
            self.fetcher.close()
            self.state.close()
        return {
            "out": str(self.out), "fetched": self.counts["fetched"], "unchanged": self.counts["unchanged"],
            "list_pages": self.counts["list_pages"], "skipped": len(self.skipped), "failed": len(self.failed),
            "requests": self.fetcher.requests, "bytes": self.counts["bytes"],
            "seconds": round(time.monotonic() - started, 2), "saved": self.saved,
            "failures": self.failed, "skips": self.skipped,
            "list_pages_dropped": self.counts["list_pages_dropped"],
        }

    # ---- one result ------------------------------------------------------------------------

    def _handle(self, task: Task, previous: dict | None, got: Fetched) -> None:
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        if got.error:
            entry = {"url": task.url, "reason": got.error, "detail": got.detail, "found_on": task.found_on}
            (self.skipped if got.error == "robots" else self.failed).append(entry)
            self.counts["skipped" if got.error == "robots" else "failed"] += 1
            self.state.put(task.url, error=got.error, checked_at=now, status=got.status)
            return
        if got.not_modified:
            role = (previous or {}).get("role") or task.role
            self.counts["list_pages" if role == "list" else "unchanged"] += 1
            self.state.put(task.url, checked_at=now, error=None)
            self._follow(task, (previous or {}).get("links") or {})
            return
        try:
            self._take(task, previous, got, now)
        finally:
            if got.path and os.path.exists(got.path):
                os.unlink(got.path)

    def _take(self, task: Task, previous: dict | None, got: Fetched, now: str) -> None:
        with open(got.path, "rb") as fh:
            head = fh.read(2048)
        html = store.is_html(got.content_type, head)
        page = None
        if html and task.role == "attachment":  # a file link answered by a web page: an error or login page
            self.failed.append({"url": task.url, "reason": "not_a_report", "found_on": task.found_on,
                                "detail": f"附件链接返回的是网页，不是文件（Content-Type：{got.content_type or '未注明'}）"})
            self.counts["failed"] += 1
            self.state.put(task.url, error="not_a_report", checked_at=now, status=got.status)
            return
        if html:
            page = pages.read_page(Path(got.path).read_bytes(), got.content_type, got.final_url or task.url)
            if task.role == "list" or page.is_list:
                found = {
                    "reports": [[l.url, l.text] for l in page.report_links]
                    + [[l.url, l.text] for l in page.attachments if pages.looks_like_report(l.text)],
                    "next": [[l.url, l.text] for l in page.next_pages], "title": page.title, "role": "list",
                }
                self.counts["list_pages"] += 1
                self.state.put(task.url, role="list", etag=got.etag, last_modified=got.last_modified,
                               sha256=got.sha256, status=got.status, retrieved_at=got.retrieved_at,
                               checked_at=now, error=None, links=found)
                self._follow(task, found)
                return
        target = self.out / previous["path"] if previous and previous.get("path") else \
            store.path_for(self.out, got.final_url or task.url, got.content_type, html)
        if not html and not target.name.lower().endswith(pages.ATTACHMENT_EXTENSIONS + (".txt",)):
            self.failed.append({"url": task.url, "reason": "not_a_report", "found_on": task.found_on,
                                "detail": f"不是报告文件（Content-Type：{got.content_type or '未注明'}）"})
            self.counts["failed"] += 1
            self.state.put(task.url, error="not_a_report", checked_at=now, status=got.status)
            return
        role = "report" if html else "attachment"
        found = {"attachments": [[l.url, l.text] for l in page.attachments] if page else [],
                 "title": page.title if page else None, "role": role}
        if previous and previous.get("sha256") == got.sha256 and target.exists():
            self.counts["unchanged"] += 1
            if not sidecar.sidecar_path(target).exists():
                sidecar.write(target, self._record(task, got, page))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(got.path, target)
            sidecar.write(target, self._record(task, got, page))
            self.counts["fetched"] += 1
            self.counts["bytes"] += got.nbytes
            self.saved.append(target.relative_to(self.out).as_posix())
        self.state.put(task.url, role=role, path=target.relative_to(self.out).as_posix(), etag=got.etag, last_modified=got.last_modified,
                       sha256=got.sha256, status=got.status, retrieved_at=got.retrieved_at, checked_at=now,
                       error=None, links=found)
        self._follow(task, found)

    def _record(self, task: Task, got: Fetched, page) -> dict:
        return {
            "source_url": task.url, "final_url": got.final_url, "retrieved_at": got.retrieved_at,
            "http_status": got.status, "content_type": got.content_type, "sha256": got.sha256, "bytes": got.nbytes,
            "link_text": task.link_text, "found_on": task.found_on, "found_on_title": task.found_on_title,
            "title": page.title if page else None, "attached_to": task.attached_to, "etag": got.etag,
            "last_modified": got.last_modified, "charset": page.encoding if page else None,
        }

    def _follow(self, task: Task, found: dict) -> None:
        title = found.get("title")
        for url, text in found.get("reports") or ():
            self.add(Task(url, "report", text, task.url, title))
        for url, text in found.get("next") or ():
            self.add(Task(url, "list", text, task.url, title))
        for url, text in found.get("attachments") or ():
            self.add(Task(url, "attachment", text, task.url, title, attached_to=task.url))


def _validators(previous: dict | None, out: Path) -> tuple[str | None, str | None]:
    """ETag / Last-Modified to send: only when what they validate is still here (a saved file that
    exists, or a list page's links), otherwise a 304 would leave nothing to work with."""
    if not previous or previous.get("error"):
        return None, None
    if previous.get("role") == "list":
        ok = bool(previous.get("links"))
    else:
        ok = bool(previous.get("path")) and (out / previous["path"]).exists()
    return (previous.get("etag"), previous.get("last_modified")) if ok else (None, None)


def collect(urls, out, politeness: Politeness = Politeness(), **options) -> dict:
    """Collect the reports reachable from `urls` into the folder `out`; return the run's summary."""
    return Collector(out, politeness, **options).run(urls)
