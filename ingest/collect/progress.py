"""The progress line on a terminal: how many files were fetched, unchanged, failed, and still queued.

A crawl does not know its length in advance (each list page adds links), so this is a counter
line redrawn in place rather than a bar; off the terminal (a log, a pipe) nothing is drawn.
"""
from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, enabled: bool, stream=None, every: float = 0.2):
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.every = every
        self.last = 0.0
        self.drawn = False

    def show(self, counts, pending: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.last < self.every and pending:
            return
        self.last = now
        line = (f"采集：列表页 {counts['list_pages']} · 已下载 {counts['fetched']} · 未改变 {counts['unchanged']}"
                f" · 失败 {counts['failed']} · 待处理 {pending}")
        self.stream.write("\r" + line + "\x1b[K")
        self.stream.flush()
        self.drawn = True

    def done(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()
