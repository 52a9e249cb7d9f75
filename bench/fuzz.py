"""Fuzz campaign: damaged copies of the sample reports, parsed one by one, timed and checked.

Why: a national crawl saves reports in every state — cut off, re-encoded, full of control
characters, with a table cell of a million digits, a line of 100,000 spaces or pipes, HTML tables
whose rowspan/colspan would span the universe. The parser must give one record for each, without
`internal_error`, in time linear in the input. This campaign makes those inputs from
`data/reports/` (and a few generated reports, for the Markdown and HTML layouts) with a seeded
random generator, so a failure is reproducible from its class and index.

The time of each parse is compared with a *plain read* of the same bytes (decode + one simple
regex scan): a quadratic corner shows as a ratio that grows with the input, whatever the machine.

    python bench/fuzz.py [--n N] [--seed S] [--memory] [--timeout S] [--time-budget S]
                                          # N defaults to $GONGKAI_FUZZ_N or 22000
    python bench/fuzz.py --stages         # seconds per parse stage and peak memory on fixed large inputs

It prints, per input class: inputs, failures, worst time, worst ms per 100 KB (of max(input,
100 KB)), worst ratio to a plain read; and the peak memory ratio (tracemalloc peak / input bytes)
over the inputs of 1 MB or more. `tests/test_fuzz.py` runs the same corpus, a few inputs per class
(more with GONGKAI_FUZZ_N).
"""
from __future__ import annotations

import argparse
import os
import random
import re
import sys
import time
import tracemalloc
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SKIP = {"SOURCES.md", "README.md"}

# Every class the campaign found, and the ones that lie around them.
CLASSES = ("byte_flips", "truncation", "encodings", "control_chars", "digits_20", "digits_5000",
           "digits_1m", "odd_numbers", "whitespace_run", "field_whitespace", "pipe_run", "span_bomb", "nested_spans",
           "huge_line", "newline_run", "large_file")

# targets (issue #11): ≤ 50 ms per 100 KB of input, ≤ 2 s for 5 MB, memory ≤ 20× input
MS_PER_100KB = 50.0
MEMORY_RATIO = 20.0


@lru_cache(maxsize=1)
def seeds() -> tuple[tuple[str, bytes], ...]:
    """The sample reports byte for byte, plus one generated report per layout and form."""
    from ingest.generate import LAYOUTS, generate

    folder = ROOT / "data" / "reports"
    out = [(p.name, p.read_bytes()) for p in sorted(folder.iterdir()) if p.is_file() and p.name not in SKIP]
    for i, layout in enumerate(LAYOUTS):
        for template in ("2019", "2021"):
            g = generate(random.Random(1000 + i), layout=layout, template=template)
            out.append((f"gen_{layout}_{template}_{g.filename}", g.data))
    return tuple(out)


def _text(data: bytes) -> str:
    for enc in ("utf-8", "gb18030", "utf-16"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def _html_seeds() -> list[tuple[str, bytes]]:
    return [(n, d) for n, d in seeds() if n.endswith((".html", ".htm"))]


def _numbers(text: str) -> list[re.Match]:
    return list(re.finditer(r"\d+", text))


def _replace_number(rng: random.Random, text: str, new: str) -> str:
    """Put `new` where one of the report's printed numbers was (a table cell, most of the time)."""
    nums = _numbers(text)
    if not nums:
        return text + new
    m = rng.choice(nums)
    return text[:m.start()] + new + text[m.end():]


def _digits(rng: random.Random, n: int) -> str:
    head = str(rng.randint(1, 9))
    if n <= 1:
        return head
    body = rng.choice(("0" * (n - 1), "9" * (n - 1), "".join(rng.choice("0123456789") for _ in range(min(n - 1, 50)))))
    return (head + body * ((n - 1) // max(len(body), 1) + 1))[:n]


def _insert(rng: random.Random, data: bytes, run: bytes) -> bytes:
    """Insert a run at a random place: mostly after a line break or a tab (inside a table row)."""
    where = rng.random()
    if where < 0.4:
        breaks = [m.end() for m in re.finditer(rb"[\n\t]", data)] or [0]
        i = rng.choice(breaks)
    else:
        i = rng.randrange(len(data) + 1)
    return data[:i] + run + data[i:]


def _span_bomb(rng: random.Random) -> tuple[str, bytes]:
    name, data = rng.choice(_html_seeds())
    markup = _text(data)
    how = rng.randrange(4)
    big = rng.choice(("200", "1000", "65534", "100000", "999999999", "-1", "0", "abc", "1e9", " 300 "))
    if how == 0:       # every span of the page's tables blown up
        markup = re.sub(r'(rowspan|colspan)\s*=\s*"?\d+"?', lambda m: f'{m.group(1)}="{big}"', markup)
    elif how == 1:     # spans added to random cells
        cells = [m.start() + 3 for m in re.finditer(r"<td", markup)]
        for pos in sorted(rng.sample(cells, min(len(cells), rng.choice((1, 10, 100)))), reverse=True):
            markup = markup[:pos] + f' rowspan="{big}" colspan="{big}"' + markup[pos:]
    else:              # a table of nothing but spanning cells, inside the report or alone
        rows, cols = rng.choice(((50, 50), (200, 20), (20, 200), (300, 300)))
        cell = f'<td rowspan="{big}" colspan="{big}">1</td>'
        table = "<table>" + ("<tr>" + cell * cols + "</tr>") * rows + "</table>"
        if how == 2:
            markup = markup.replace("</body>", table + "</body>", 1) if "</body>" in markup else markup + table
        else:
            markup = table
    return name, markup.encode("utf-8")


def _nested(rng: random.Random) -> tuple[str, bytes]:
    name, data = rng.choice(_html_seeds() + [s for s in seeds() if s[0].endswith(".txt")][:2])
    if not name.endswith(".html"):
        name += ".html"
    markup = _text(data)
    depth = rng.choice((300, 1000, 10_000, 100_000))
    tag = rng.choice(("span", "div", "font", "b", "td", "table", "p", "o:p"))
    closing = rng.choice((True, False))
    opener = f"<{tag}>" * depth
    closer = f"</{tag}>" * depth if closing else ""
    if rng.random() < 0.5:   # around a table cell's number
        nums = _numbers(markup)
        m = rng.choice(nums) if nums else None
        if m is not None:
            markup = markup[:m.start()] + opener + m.group() + closer + markup[m.end():]
        else:
            markup = opener + markup + closer
    else:                    # around the whole body
        markup = opener + markup + closer
    return name, markup.encode("utf-8")


def mutate(rng: random.Random, cls: str) -> tuple[str, bytes]:
    """One damaged input of class `cls`: (file name, bytes)."""
    if cls == "span_bomb":
        return _span_bomb(rng)
    if cls == "nested_spans":
        return _nested(rng)
    name, data = rng.choice(seeds())
    if cls == "byte_flips":
        buf = bytearray(data)
        for _ in range(rng.choice((1, 5, 50, 500))):
            i = rng.randrange(len(buf))
            buf[i] ^= rng.randint(1, 255)
        return name, bytes(buf)
    if cls == "truncation":
        cut = rng.randrange(len(data) + 1)
        return name, data[:cut] if rng.random() < 0.8 else data[cut:]
    if cls == "encodings":
        text = _text(data)
        enc = rng.choice(("gb18030", "gbk", "utf-16", "utf-16-le", "utf-16-be", "big5", "utf-8-sig", "latin1-mojibake",
                          "utf-16-odd", "half-gbk", "cp1252", "shift_jis", "euc-kr"))
        if enc == "latin1-mojibake":
            return name, text.encode("utf-8").decode("latin-1").encode("utf-8")
        if enc == "utf-16-odd":
            return name, text.encode("utf-16")[:-1]
        if enc == "half-gbk":
            half = len(text) // 2
            return name, text[:half].encode("utf-8") + text[half:].encode("gb18030")
        return name, text.encode(enc, errors="replace")
    if cls == "control_chars":
        text = _text(data)
        chars = [chr(c) for c in range(0, 32)] + ["\x7f", "\x85", "\u2028", "\u2029", "\ufffe", "\uffff", "\ufeff",
                                                  "\u200b", "\u202e", "\U0010fffd"]
        positions = [rng.randrange(len(text) + 1) for _ in range(rng.choice((1, 10, 200)))]
        if name.endswith(".html") and rng.random() < 0.5:   # right after a dropped element
            positions += [m.end() for m in re.finditer(r"</(?:script|style|head|title)>", text, re.I)]
        for pos in sorted(positions, reverse=True):
            text = text[:pos] + rng.choice(chars) * rng.choice((1, 1, 3, 100)) + text[pos:]
        return name, text.encode("utf-8", errors="surrogatepass")
    if cls in ("digits_20", "digits_5000", "digits_1m"):
        n = {"digits_20": 20, "digits_5000": 5000, "digits_1m": 1_000_000}[cls]
        text = _text(data)
        run = _digits(rng, n)
        run = rng.choice((run, run, "-" + run, run[:n // 2] + "." + run[n // 2:], ",".join(run[i:i + 3] for i in range(0, len(run), 3))))
        return name, _replace_number(rng, text, run).encode("utf-8")
    if cls == "odd_numbers":
        text = _text(data)
        odd = rng.choice(("1.5", "0.5", "-3", "+7", "9223372036854775807", "9223372036854775808", "-9223372036854775809",
                          "1234567890123456789012345", "1234567890123456789012345.5", "0." + "0" * 40 + "1",
                          "1" + "0" * 28, "1.5万元", "1,234,567,890,123,456,789,012", "12.3.4", "1e5", "٣", "１２", "½",
                          "00000000000000000000000000001", "1." + "5" * 5000))
        for _ in range(rng.choice((1, 3, 20))):
            text = _replace_number(rng, text, odd)
        return name, text.encode("utf-8")
    if cls == "whitespace_run":
        ch = rng.choice((" ", "\t", "\u3000", "\u00a0", " \t", "\r", " \n", "\u200b", "\f", "\v"))
        n = rng.choice((1000, 30_000, 100_000, 1_000_000)) // len(ch)
        return name, _insert(rng, data, (ch * n).encode("utf-8"))
    if cls == "field_whitespace":      # a run right after a number or a header field's name
        text = _text(data)
        anchors = [m.end() for m in re.finditer(r"\d(?!\d)|来\s*源|日\s*期|时\s*间|发布机构|年", text)] or [0]
        pos = rng.choice(anchors)
        run = rng.choice((" ", "\t", "\u3000")) * rng.choice((1000, 10_000, 30_000, 100_000))
        return name, (text[:pos] + run + rng.choice(("x", "。", "\n", "")) + text[pos:]).encode("utf-8")
    if cls == "pipe_run":
        unit = rng.choice(("|", "| ", "|---", "|-", "| --- ", "---|", "|:--:", "-", "||\t", "| 1 "))
        n = rng.choice((1000, 30_000, 100_000, 1_000_000)) // len(unit)
        run = unit * n
        run = rng.choice((run, "\n" + run + "\n", "\n| --- " + " " * n + "x\n", "\n" + run + " " * 1000 + "x\n"))
        return name, _insert(rng, data, run.encode("utf-8"))
    if cls == "huge_line":
        text = _text(data)
        how = rng.randrange(3)
        if how == 0:        # the whole report on one line
            return name, text.replace("\n", rng.choice(("", " ", "\t", "。"))).encode("utf-8")
        line = max(text.split("\n"), key=len) or "本年新收政府信息公开申请数量 12"
        joined = (line + rng.choice(("", " ", "\t"))) * (rng.choice((30_000, 300_000, 2_000_000)) // max(len(line), 1) + 1)
        return name, _insert(rng, data, joined.encode("utf-8"))
    if cls == "newline_run":
        run = rng.choice(("\n", "\r\n", "\r", "\n\t", "\n|")) * rng.choice((1000, 100_000, 1_000_000))
        return name, _insert(rng, data, run.encode("utf-8"))
    if cls == "large_file":
        target = rng.choice((1_000_000, 2_000_000, 5_000_000))
        return name, (data * (target // max(len(data), 1) + 1))[:target]
    raise ValueError(cls)


def make_input(index: int, seed: int = 0) -> tuple[str, str, bytes]:
    """Input `index` of the campaign: (class, file name, bytes). Classes come in turn (every class
    appears in the first len(CLASSES)); the generator is seeded by (seed, index), so input i is
    the same whatever the campaign's size."""
    cls = CLASSES[index % len(CLASSES)]
    name, data = mutate(random.Random(f"{seed}:{index}"), cls)
    return cls, name, data


def corpus(n: int, seed: int = 0):
    for i in range(n):
        cls, name, data = make_input(i, seed)
        yield i, cls, name, data


# What makes the prose and meta regexes (ingest/parser/prose.py, meta.py) quadratic until the
# prose branch makes them linear: a number or a header-field name followed by a long white-space run.
_PROSE_META_TRIGGER = re.compile(r"(?:\d|年|来\s*源|日\s*期|时\s*间|发布机构)\s{1000}")


def prose_meta_trigger(data: bytes) -> bool:
    return _PROSE_META_TRIGGER.search(data.decode("utf-8", errors="replace")) is not None


_SCAN = re.compile(r"\d|\s|[^\d\s]+")


def plain_read(data: bytes) -> float:
    """Seconds to decode the bytes and scan them once with a simple regex (one match per digit,
    per white-space character and per run of anything else): the yardstick."""
    start = time.perf_counter()
    text = data.decode("utf-8", errors="replace")
    sum(1 for _ in _SCAN.finditer(text))
    return time.perf_counter() - start


def budget_ms(size: int) -> float:
    """The issue's target for one input: 50 ms per 100 KB, counting small inputs as 100 KB."""
    return MS_PER_100KB * max(size, 100_000) / 100_000


# The test's bound on one parse: RATIO plain reads of the same bytes, plus FLOOR seconds for the
# fixed costs of a parse (and a loaded machine). A quadratic corner exceeds it by orders of
# magnitude from a few hundred kilobytes on.
RATIO = 400
FLOOR = 0.5


def time_bound(plain_seconds: float) -> float:
    return RATIO * plain_seconds + FLOOR


def problems(record: dict) -> list[str]:
    """What is wrong with a record: internal errors, a missing part."""
    out = [f"internal_error: {w['message']}" for w in record.get("warnings", []) if w.get("code") == "internal_error"]
    for key in ("source", "report", "active_disclosure", "facts", "warnings", "cells", "sections"):
        if key not in record:
            out.append(f"missing key {key}")
    return out


def _warm() -> None:
    """Load the parser's lazy imports (OpenCC, cpca and its pandas) outside the timings."""
    from ingest.parse import parse_bytes

    for name, data in seeds()[:3]:
        parse_bytes(data, name)


def _serve(conn) -> None:
    """Worker process: parse what the parent sends, answer with the parse's numbers."""
    from ingest.parse import parse_bytes

    _warm()
    conn.send("ready")
    while True:
        job = conn.recv()
        if job is None:
            return
        name, data, memory = job
        start = time.perf_counter()
        record = parse_bytes(data, name).record
        seconds = time.perf_counter() - start
        n_records = 1 if isinstance(record, dict) else 0
        peak = None
        if memory:
            tracemalloc.start()
            parse_bytes(data, name)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        conn.send({"seconds": seconds, "problems": problems(record), "records": n_records, "peak": peak,
                   "codes": [w["code"] for w in record["warnings"]],
                   "cells": sum(1 for c in record["cells"] if c["value"] is not None)})


class Worker:
    """A parser in a child process, so that a parse stuck in a regex (which no signal interrupts)
    is killed at its time bound and the campaign goes on with a fresh worker."""

    def __init__(self):
        import multiprocessing as mp

        self._mp = mp.get_context("fork")
        self.proc = None
        _warm()                         # once here: every (re)started worker forks with it loaded
        self._start()

    def _start(self):
        self.conn, child = self._mp.Pipe()
        self.proc = self._mp.Process(target=_serve, args=(child,), daemon=True)
        self.proc.start()
        child.close()
        if not self.conn.poll(120):
            raise RuntimeError("fuzz worker did not start")
        self.conn.recv()

    def parse(self, name: str, data: bytes, timeout: float, memory: bool = False) -> dict | None:
        """The worker's answer, or None when the parse ran past `timeout` seconds (worker replaced)."""
        self.conn.send((name, data, memory))
        if self.conn.poll(timeout * (3 if memory else 1) + 0.3):
            return self.conn.recv()
        self.proc.kill()
        self.proc.join()
        self._start()
        return None

    def close(self):
        if self.proc is not None and self.proc.is_alive():
            self.conn.send(None)
            self.proc.join(5)
            if self.proc.is_alive():
                self.proc.kill()
                self.proc.join()


def large_inputs() -> dict[str, tuple[str, bytes]]:
    """Fixed large inputs of the classes the issue names, for the per-stage timings."""
    names = dict(seeds())
    seed = names["000_82a0420bca058b17.txt"]
    html = names["pingtan_2022.html"]
    cell = b'<td rowspan="999999" colspan="999999">\xe6\x9c\xac</td>'
    return {
        "text 5 MB (sample repeated)": ("x.txt", (seed * 300)[:5_000_000]),
        "HTML 5 MB (sample repeated)": ("x.html", (html * 20)[:5_000_000]),
        "1,000,000-digit cell": ("x.txt", seed.replace(b"\n24\n", b"\n" + b"7" * 1_000_000 + b"\n", 1)),
        "1,000,000 empty lines": ("x.txt", seed[:9000] + b"\n" * 1_000_000 + seed[9000:]),
        "3,000,000 spaces on a line": ("x.txt", seed[:9000] + b"\n" + b" " * 3_000_000 + seed[9000:]),
        "100,000 pipes on a line": ("x.md", seed[:9000] + b"\n" + b"|" * 100_000 + b"\n" + seed[9000:]),
        "span bomb 300 x 300 cells": ("x.html", b"<table>" + (b"<tr>" + cell * 300 + b"</tr>") * 300 + b"</table>"),
        "<span> nested 100,000 deep": ("x.html", b"<html><body>" + b"<span>" * 100_000 + html + b"</span>" * 100_000),
    }


def stage_report() -> None:
    """Seconds per stage of the parse on the large inputs (ingest.parse._Stages timed)."""
    from ingest import parse as ingest_parse

    times: dict[str, float] = {}
    run = ingest_parse._Stages.run

    def timed(self, stage, fn, *args, **kw):
        start = time.perf_counter()
        try:
            return run(self, stage, fn, *args, **kw)
        finally:
            if stage != "record":
                times[stage] = times.get(stage, 0.0) + time.perf_counter() - start

    _warm()
    ingest_parse._Stages.run = timed
    try:
        print(f"{'input':30s} {'MB':>5s} {'total s':>8s} {'ms/100KB':>9s} {'peak/input':>10s}  slowest stages (s)")
        for label, (name, data) in large_inputs().items():
            times.clear()
            start = time.perf_counter()
            ingest_parse.parse_bytes(data, name)
            total = time.perf_counter() - start
            top = sorted(times.items(), key=lambda kv: -kv[1])[:5]
            tracemalloc.start()
            ingest_parse.parse_bytes(data, name)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            print(f"{label:30s} {len(data) / 1e6:5.2f} {total:8.2f} {total * 1000 / (len(data) / 1e5):9.1f} "
                  f"{peak / len(data):9.1f}x  " + " ".join(f"{k}={v:.2f}" for k, v in top), flush=True)
    finally:
        ingest_parse._Stages.run = run


def replay(inputs: list[tuple[int, int]]) -> int:
    """Parse (seed, index) inputs one by one in this process; print CPU seconds, ms per 100 KB, problems."""
    from ingest.parse import parse_bytes

    _warm()
    print(f"{'input':>12s} {'class':17s} {'bytes':>9s} {'cpu s':>7s} {'ms/100KB':>9s}  problems")
    worst = 0.0
    for seed, index in inputs:
        cls, name, data = make_input(index, seed)
        start = time.process_time()
        record = parse_bytes(data, name).record
        seconds = time.process_time() - start
        rate = seconds * 1000 / (max(len(data), 100_000) / 100_000)
        worst = max(worst, rate)
        print(f"{seed:>5d}:{index:<6d} {cls:17s} {len(data):9d} {seconds:7.2f} {rate:9.1f}  "
              f"{'; '.join(problems(record)) or '-'}", flush=True)
    print(f"worst {worst:.1f} ms per 100 KB (target {MS_PER_100KB:.0f})")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=int(os.environ.get("GONGKAI_FUZZ_N", "22000")))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--memory", action="store_true", help="trace peak memory of every input of 1 MB or more")
    ap.add_argument("--only", default="", help="comma-separated classes")
    ap.add_argument("--timeout", type=float, default=20, help="give up on one input after this many seconds")
    ap.add_argument("--verbose", action="store_true", help="print every input's class, size and time")
    ap.add_argument("--time-budget", type=float, default=0, help="stop after this many seconds (0: no limit)")
    ap.add_argument("--stages", action="store_true", help="only time each stage on fixed large inputs")
    ap.add_argument("--replay", default="", help="SEED:INDEX,… — parse these inputs alone (e.g. a campaign's slowest "
                                                  "and timed-out ones, on a quiet machine) and print their CPU time")
    args = ap.parse_args(argv)
    only = set(filter(None, args.only.split(",")))
    if args.stages:
        stage_report()
        return 0
    if args.replay:
        return replay([tuple(int(x) for x in item.split(":")) for item in args.replay.split(",") if item])

    stats = {c: {"n": 0, "fail": 0, "timeout": 0, "worst_s": 0.0, "worst_rate": 0.0, "worst_ratio": 0.0, "over": 0,
                 "over_bound": 0, "worst_at": None, "max_size": 0} for c in CLASSES}
    mem = {"n": 0, "worst": 0.0, "at": None}
    failures: list[str] = []
    started = time.monotonic()
    done = 0
    worker = Worker()
    try:
        for i, cls, name, data in corpus(args.n, args.seed):
            if only and cls not in only:
                continue
            if args.time_budget and time.monotonic() - started > args.time_budget:
                print(f"time budget reached after {done} inputs", flush=True)
                break
            base = plain_read(data)
            if args.verbose:
                print(f"{cls} #{i} {name} {len(data)} B ...", end=" ", flush=True)
            answer = worker.parse(name, data, args.timeout, memory=args.memory and len(data) >= 1_000_000)
            s = stats[cls]
            s["n"] += 1
            s["max_size"] = max(s["max_size"], len(data))
            if answer is None:
                s["fail"] += 1
                s["timeout"] += 1
                seconds = args.timeout
                failures.append(f"{cls} #{i} ({name}, {len(data)} B): timeout after {args.timeout:.0f} s")
            else:
                seconds = answer["seconds"]
                if answer["problems"] or answer["records"] != 1:
                    s["fail"] += 1
                    failures.append(f"{cls} #{i} ({name}, {len(data)} B): {(answer['problems'] or ['no record'])[0][:200]}")
                if answer["peak"] is not None:
                    mem["n"] += 1
                    if answer["peak"] / len(data) > mem["worst"]:
                        mem["worst"], mem["at"] = answer["peak"] / len(data), f"{cls} #{i} {len(data)} B"
            if args.verbose:
                print(f"{seconds * 1000:.0f} ms", flush=True)
            rate = seconds * 1000 / (max(len(data), 100_000) / 100_000)
            s["over"] += seconds * 1000 > budget_ms(len(data))
            s["over_bound"] += seconds > time_bound(base)
            if seconds > s["worst_s"]:
                s["worst_s"], s["worst_at"] = seconds, f"#{i} {len(data)} B"
            s["worst_rate"] = max(s["worst_rate"], rate)
            s["worst_ratio"] = max(s["worst_ratio"], seconds / max(base, 1e-5))
            done += 1
            if done % 1000 == 0:
                print(f"... {done} inputs, {time.monotonic() - started:.0f} s", flush=True)
    finally:
        worker.close()

    print(f"\n{done} inputs in {time.monotonic() - started:.0f} s (seed {args.seed}, timeout {args.timeout:.0f} s)")
    print(f"{'class':17s} {'inputs':>7s} {'fail':>5s} {'t/o':>4s} {'largest':>10s} {'worst s':>8s} {'ms/100KB':>9s} "
          f"{'>50ms/100KB':>11s} {'x plain':>8s} {'>bound':>7s}  worst input")
    for cls in CLASSES:
        s = stats[cls]
        if not s["n"]:
            continue
        print(f"{cls:17s} {s['n']:7d} {s['fail']:5d} {s['timeout']:4d} {s['max_size']:10d} {s['worst_s']:8.3f} "
              f"{s['worst_rate']:9.1f} {s['over']:11d} {s['worst_ratio']:8.0f} {s['over_bound']:7d}  {s['worst_at']}")
    total_fail = sum(s["fail"] for s in stats.values())
    print(f"failures: {total_fail}")
    for line in failures[:40]:
        print("  " + line)
    if args.memory:
        print(f"peak memory / input over {mem['n']} inputs ≥ 1 MB: worst {mem['worst']:.1f}x ({mem['at']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
