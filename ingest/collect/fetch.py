"""HTTP with manners: robots.txt, a per-host rate and concurrency limit, retries, a timeout, a byte cap.

Government sites are small servers; a collector that hammers them gets blocked (and is rude). So
every request to a host waits for that host's turn (`Politeness.delay` seconds between request
starts, at most `per_host` at a time, slower if robots.txt asks for a Crawl-delay), a 429 or 5xx
is retried with exponential back-off (honouring Retry-After), and a body larger than `max_bytes`
is abandoned as soon as the cap is passed instead of being downloaded whole.

The HTTP work is httpx's; robots.txt rules are the standard library's `urllib.robotparser`.
`Fetcher.get()` is thread-safe and never raises for a network or HTTP problem: it returns a
`Fetched` whose `error` says what went wrong.
"""
from __future__ import annotations

import email.utils
import hashlib
import os
import tempfile
import threading
import time
import urllib.robotparser
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import urlsplit

import httpx

USER_AGENT = "gongkai-collect/0.1 (annual reports on government information disclosure; honours robots.txt)"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class Politeness:
    """The defaults are what `gongkai collect` uses (README "Collecting reports")."""

    delay: float = 1.0            # seconds between the starts of two requests to the same host
    per_host: int = 2             # requests in flight to one host at a time
    timeout: float = 30.0         # seconds per request (connect, and between two reads)
    retries: int = 3              # extra attempts after a 429/5xx or a network error
    backoff: float = 1.0          # first wait before a retry; doubles each time (1, 2, 4 s)
    max_wait: float = 60.0        # longest wait for one retry or a robots.txt Crawl-delay
    max_bytes: int = 64 << 20     # a file larger than this is abandoned (the parser reads 64 MiB at most)
    robots: bool = True           # honour robots.txt
    user_agent: str = USER_AGENT


@dataclass
class Fetched:
    """One URL's outcome. `path` is a temporary file with the body (the caller moves or deletes it)."""

    url: str
    final_url: str | None = None
    status: int | None = None
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    retrieved_at: str | None = None
    path: str | None = None
    sha256: str | None = None
    nbytes: int = 0
    attempts: int = 0
    error: str | None = None      # reason code: robots, http_404, too_large, timeout, network, ...
    detail: str | None = None     # the reason in words (Chinese, shown in the summary)
    headers: dict = field(default_factory=dict)
    text: str | None = None       # the body, for a small file read in memory (robots.txt)

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class _Host:
    """One host's turn-taking: a semaphore for concurrency and the time the next request may start."""

    def __init__(self, per_host: int, delay: float):
        self.slots = threading.Semaphore(per_host)
        self.lock = threading.Lock()
        self.next_start = 0.0
        self.delay = delay

    def wait_turn(self) -> None:
        with self.lock:
            now = time.monotonic()
            start = max(now, self.next_start)
            self.next_start = start + self.delay
        if start > now:
            time.sleep(start - now)


class Fetcher:
    def __init__(self, politeness: Politeness = Politeness(), client: httpx.Client | None = None,
                 temp_dir: str | None = None):
        self.p = politeness
        self.client = client or httpx.Client(
            follow_redirects=True, timeout=httpx.Timeout(politeness.timeout),
            headers={"User-Agent": politeness.user_agent, "Accept-Language": "zh-CN,zh;q=0.9"},
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=32))
        self.temp_dir = temp_dir
        self._hosts: dict[str, _Host] = {}
        self._robots: dict[str, urllib.robotparser.RobotFileParser | None] = {}
        self._robots_locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()
        self.requests = 0

    def close(self) -> None:
        self.client.close()

    # ---- hosts and robots.txt -------------------------------------------------------------

    def _host(self, origin: str) -> _Host:
        with self._lock:
            host = self._hosts.get(origin)
            if host is None:
                host = self._hosts[origin] = _Host(self.p.per_host, self.p.delay)
            return host

    def turn_in(self, origin: str) -> float:
        """Seconds until the host's next request may start (0 when it may start now)."""
        host = self._hosts.get(origin)
        return 0.0 if host is None else max(0.0, host.next_start - time.monotonic())

    def allowed(self, url: str) -> bool:
        """robots.txt says this user agent may fetch the URL (read once per origin and cached)."""
        if not self.p.robots:
            return True
        origin = origin_of(url)
        with self._lock:
            lock = self._robots_locks.setdefault(origin, threading.Lock())
        with lock:
            if origin not in self._robots:
                self._robots[origin] = self._read_robots(origin)
        rules = self._robots[origin]
        return True if rules is None else rules.can_fetch(self.p.user_agent, url)

    def _read_robots(self, origin: str) -> urllib.robotparser.RobotFileParser | None:
        """Rules of the origin; None = no robots.txt (4xx: everything allowed). As RFC 9309 says, a
        robots.txt that cannot be read (5xx after the retries, network error) disallows everything."""
        url = origin + "/robots.txt"
        rules = urllib.robotparser.RobotFileParser(url)
        got = self._request(url, {}, max_bytes=512 << 10, keep=False)
        if got.error and got.status is not None and 400 <= got.status < 500:
            return None
        if got.error:
            rules.disallow_all = True
            return rules
        rules.parse((got.text or "").splitlines())
        delay = rules.crawl_delay(self.p.user_agent)
        rate = rules.request_rate(self.p.user_agent)
        wanted = max(float(delay or 0), (rate.seconds / rate.requests) if rate and rate.requests else 0.0)
        if wanted > self.p.delay:
            self._host(origin).delay = min(wanted, self.p.max_wait)
        return rules

    # ---- one URL ---------------------------------------------------------------------------

    def get(self, url: str, etag: str | None = None, last_modified: str | None = None) -> Fetched:
        """GET the URL politely (conditional when etag/last_modified are given). Never raises."""
        if not self.allowed(url):
            return Fetched(url=url, error="robots", detail="robots.txt 禁止采集")
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return self._request(url, headers, max_bytes=self.p.max_bytes, keep=True)

    def _request(self, url: str, headers: dict, max_bytes: int, keep: bool) -> Fetched:
        host = self._host(origin_of(url))
        attempt = 0
        while True:
            attempt += 1
            with host.slots:
                host.wait_turn()
                got = self._once(url, headers, max_bytes, keep)
            got.attempts = attempt
            retry = got.error in ("timeout", "network") or got.status in RETRY_STATUSES
            if not retry or attempt > self.p.retries:
                return got
            wait = self.p.backoff * (2 ** (attempt - 1))
            wait = max(wait, _retry_after(got.headers.get("retry-after")) or 0.0)
            time.sleep(min(wait, self.p.max_wait))

    def _once(self, url: str, headers: dict, max_bytes: int, keep: bool) -> Fetched:
        got = Fetched(url=url)
        with self._lock:
            self.requests += 1
        fd, tmp = tempfile.mkstemp(prefix=".part-", dir=self.temp_dir)
        digest = hashlib.sha256()
        size = 0
        try:
            with os.fdopen(fd, "wb") as out, self.client.stream("GET", url, headers=headers) as response:
                got.retrieved_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
                got.final_url = str(response.url)
                got.status = response.status_code
                got.headers = {k.lower(): v for k, v in response.headers.items()}
                got.content_type = response.headers.get("content-type")
                got.etag = response.headers.get("etag")
                got.last_modified = response.headers.get("last-modified")
                if response.status_code == 304:
                    return got
                if response.status_code >= 400:
                    got.error = f"http_{response.status_code}"
                    got.detail = f"HTTP {response.status_code} {response.reason_phrase}".strip()
                    return got
                declared = response.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > max_bytes:
                    got.error, got.detail = "too_large", f"文件大于上限 {max_bytes} 字节（Content-Length {declared}）"
                    return got
                for chunk in response.iter_bytes(1 << 16):
                    size += len(chunk)
                    if size > max_bytes:
                        got.error, got.detail = "too_large", f"文件大于上限 {max_bytes} 字节，已停止下载"
                        return got
                    digest.update(chunk)
                    out.write(chunk)
        except httpx.TimeoutException as exc:
            got.error, got.detail = "timeout", f"超时：{type(exc).__name__}"
        except httpx.TooManyRedirects:
            got.error, got.detail = "redirects", "重定向次数过多"
        except (httpx.HTTPError, httpx.InvalidURL, OSError) as exc:
            got.error, got.detail = "network", f"网络错误：{type(exc).__name__}: {exc}"
        finally:
            if got.error is None and 200 <= (got.status or 0) < 300:
                got.sha256, got.nbytes = digest.hexdigest(), size
                if keep:
                    got.path = tmp
                else:
                    with open(tmp, "rb") as fh:
                        got.text = fh.read().decode("utf-8", errors="replace")
            if got.path is None:
                os.unlink(tmp)
        return got


def origin_of(url: str) -> str:
    """The unit of the per-host limits: scheme + host + port."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _retry_after(value: str | None) -> float | None:
    """Retry-After in seconds: a number or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())
