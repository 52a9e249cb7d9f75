"""Parse throughput: the sample corpus plus N generated reports, one process and a pool.

Why: a build of the national corpus parses tens of thousands of reports; this says how long that
takes on this machine, whether a pool over all cores pays off, and which reports are slow
(latency p50/p95). It prints numbers and asserts nothing.

    python bench/parse.py [--n 2000] [--seed 1] [--processes N] [--pdf 40]

PDF is measured apart (reports/s and pages/s, one process) on generated PDF reports (reportlab,
2019/2021 forms, ruled and unruled tables) and the real PDF of the corpus.
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from ingest.generate import LEGACY_LAYOUTS, generate_corpus, generate_legacy  # noqa: E402
from ingest.parse import parse_bytes  # noqa: E402

SKIP = {"SOURCES.md", "README.md"}


def load_samples() -> list[tuple[str, bytes]]:
    folder = ROOT / "data" / "reports"
    return [(p.name, p.read_bytes()) for p in sorted(folder.iterdir()) if p.is_file() and p.name not in SKIP]


def _parse_timed(item: tuple[str, bytes]) -> tuple[float, int, int, float]:
    """(seconds, bytes, warnings, CPU seconds) for one report; runs in the worker for the pool case."""
    name, data = item
    start, cpu = time.perf_counter(), time.process_time()
    parsed = parse_bytes(data, name)
    return time.perf_counter() - start, len(data), len(parsed.record["warnings"]), time.process_time() - cpu


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[k]


def _rss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports KiB


def _report(label: str, wall: float, latencies: list[float], total_bytes: int) -> None:
    n = len(latencies)
    print(f"{label}: {n} reports in {wall:.2f} s = {n / wall:,.0f} reports/s, "
          f"{total_bytes / wall / 1e6:.2f} MB/s; latency p50 {_percentile(latencies, .5) * 1000:.1f} ms, "
          f"p95 {_percentile(latencies, .95) * 1000:.1f} ms, max {max(latencies) * 1000:.1f} ms")


def bench_pdf(n: int, seed: int) -> None:
    """PDF reports/s and pages/s in one process (generation is not timed), and how the time splits
    between PDFium (opening pages, text and paths) and the reader's own layout analysis."""
    import random

    import pypdfium2 as pdfium

    from ingest.generate_pdf import generate_pdf

    rng = random.Random(seed)
    items = []
    i = 0
    while len(items) < n and i < 3 * n:
        try:    # reportlab cannot split some wide tables (a 小计 column) over pages: skip those
            # 5–8 pages, as real reports: 16 pt body text and paragraphs of work description
            g = generate_pdf(rng, template=("2019", "2021")[i % 2], ruled=i % 3 != 2, body_size=16,
                             extra_paragraphs=rng.randint(6, 16))
            items.append((g.filename, g.data))
        except Exception:
            pass
        i += 1
    real = ROOT / "tests" / "fixtures" / "hongzequ_2023.pdf"
    if real.exists():
        items.append((real.name, real.read_bytes()))
    pages = [len(pdfium.PdfDocument(d)) for _n, d in items]
    for it in items[:3]:
        _parse_timed(it)
    cpu0 = time.process_time()
    lat = [_parse_timed(it)[0] for it in items]
    cpu = time.process_time() - cpu0
    wall = sum(lat)
    print(f"PDF, 1 process: {len(items)} reports ({sum(pages)} pages, {min(pages)}-{max(pages)} per report) "
          f"in {wall:.2f} s = {len(items) / wall:,.1f} reports/s, {sum(pages) / wall:,.0f} pages/s; "
          f"latency p50 {_percentile(lat, .5) * 1000:.1f} ms, p95 {_percentile(lat, .95) * 1000:.1f} ms")
    # on a shared machine the wall clock counts other jobs' time too: the CPU time is this process's
    print(f"  CPU time {cpu:.2f} s = {len(items) / cpu:,.1f} reports/s, {sum(pages) / cpu:,.0f} pages/s per busy core "
          f"(load average {os.getloadavg()[0]:.1f})")
    # legacy reports (narrative + 统计表) as PDF against the forms' PDFs above, per report and per page (CPU time)
    from ingest.generate_pdf import generate_legacy_pdf
    legacy = [(g.filename, g.data) for g in (generate_legacy_pdf(random.Random(seed * 31 + k), ruled=k % 3 != 2,
                                                                 body_size=16, extra_paragraphs=rng.randint(6, 16))
                                             for k in range(max(10, n // 2)))]
    legacy_pages = [len(pdfium.PdfDocument(d)) for _n, d in legacy]
    cpu0 = time.process_time()
    for it in legacy:
        _parse_timed(it)
    legacy_cpu = time.process_time() - cpu0
    print(f"  legacy PDF: {len(legacy)} reports ({sum(legacy_pages)} pages), CPU {legacy_cpu / len(legacy) * 1000:.1f} ms "
          f"per report, {legacy_cpu / sum(legacy_pages) * 1000:.1f} ms per page; forms' PDFs {cpu / len(items) * 1000:.1f} ms "
          f"per report, {cpu / sum(pages) * 1000:.1f} ms per page: per-page ratio "
          f"{(legacy_cpu / sum(legacy_pages)) / (cpu / sum(pages)):.2f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000, help="generated reports to add to the sample corpus")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--pdf", type=int, default=40, help="generated PDF reports to time (0: none)")
    args = ap.parse_args(argv)
    if args.pdf:
        bench_pdf(args.pdf, args.seed)

    samples = load_samples()
    start = time.perf_counter()
    generated = [(g.filename, g.data) for g in generate_corpus(args.n, args.seed)]
    gen_wall = time.perf_counter() - start
    items = samples + generated
    total_bytes = sum(len(d) for _n, d in items)
    print(f"cores: {os.cpu_count()}  python {sys.version.split()[0]}")
    print(f"corpus: {len(samples)} sample reports + {len(generated)} generated "
          f"({total_bytes / 1e6:.1f} MB; generated in {gen_wall:.2f} s = {len(generated) / max(gen_wall, 1e-9):,.0f}/s)")

    # Samples alone: real files, including the 255 kB HTML page (after one warm-up pass that loads
    # OpenCC, cpca and the regexes, which every worker does once).
    for it in samples:
        _parse_timed(it)
    lat = [_parse_timed(it)[0] for it in samples]
    _report("samples, 1 process", sum(lat), lat, sum(len(d) for _n, d in samples))

    start = time.perf_counter()
    results = [_parse_timed(it) for it in items]
    wall = time.perf_counter() - start
    _report("all, 1 process", wall, [r[0] for r in results], total_bytes)
    for label, keep in (("text/Markdown only", lambda name: not name.endswith((".html", ".htm"))),
                        ("HTML only", lambda name: name.endswith((".html", ".htm")))):
        picked = [(r, len(d)) for r, (name, d) in zip(results, items) if keep(name)]
        if picked:
            _report(f"  {label}, 1 process", sum(r[0] for r, _b in picked), [r[0] for r, _b in picked],
                    sum(b for _r, b in picked))
            # the wall clock counts other jobs' time on a shared machine; the CPU time is this process's own
            cpu = sum(r[3] for r, _b in picked)
            print(f"    CPU time {cpu:.2f} s = {len(picked) / cpu:,.0f} reports/s per busy core "
                  f"(load average {os.getloadavg()[0]:.1f})")
    print(f"  warnings per report: {statistics.mean(r[2] for r in results):.2f}")
    print(f"  peak RSS (main process): {_rss_mb(resource.RUSAGE_SELF):.0f} MB")

    # Legacy (2008–2018: narrative + statistics table) against the 2019/2021 forms, per report, one process.
    # The sample corpus's legacy files against its modern text files, then generated ones (every legacy layout
    # against the generated text/Markdown reports of the forms).
    legacy_names = {p.name for p in (ROOT / "data" / "reports").glob("*.txt")
                    if parse_bytes(p.read_bytes(), p.name).record["report"]["template"] == "legacy"}
    by_kind: dict[str, list[float]] = {"legacy": [], "modern": []}
    for name, data in samples:
        if not name.endswith((".html", ".htm")):
            by_kind["legacy" if name in legacy_names else "modern"].append(_parse_timed((name, data))[0])
    gen_legacy = [(g.filename, g.data) for g in (generate_legacy(random.Random(args.seed * 7919 + i),
                                                                 layout=LEGACY_LAYOUTS[i % len(LEGACY_LAYOUTS)])
                                                 for i in range(max(50, args.n // 4)))]
    gen_modern = [(name, data) for name, data in generated if not name.endswith((".html", ".htm"))][:len(gen_legacy)]
    by_kind["generated legacy"] = [_parse_timed(it)[0] for it in gen_legacy]
    by_kind["generated 2019/2021"] = [_parse_timed(it)[0] for it in gen_modern]
    for kind, lat in by_kind.items():
        if lat:
            print(f"  {kind}: {len(lat)} reports, per report mean {statistics.mean(lat) * 1000:.2f} ms, "
                  f"p50 {_percentile(lat, .5) * 1000:.2f} ms, p95 {_percentile(lat, .95) * 1000:.2f} ms")
    for a, b in (("legacy", "modern"), ("generated legacy", "generated 2019/2021")):
        if by_kind[a] and by_kind[b]:
            print(f"  {a} / {b.split()[-1] if a == 'legacy' else b}: mean ratio "
                  f"{statistics.mean(by_kind[a]) / statistics.mean(by_kind[b]):.2f}")

    if args.processes > 1:
        start = time.perf_counter()
        with mp.get_context("fork").Pool(args.processes) as pool:
            results = pool.map(_parse_timed, items, chunksize=max(1, len(items) // (args.processes * 8)))
        wall = time.perf_counter() - start
        _report(f"all, pool of {args.processes}", wall, [r[0] for r in results], total_bytes)
        print(f"  peak RSS (largest worker): {_rss_mb(resource.RUSAGE_CHILDREN):.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
