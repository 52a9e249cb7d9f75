"""Benchmark the database build on generated corpora.

    python bench/build.py                 # 1,000 and 10,000 reports
    python bench/build.py 100000          # the target: 100,000 reports in at most 6 minutes, ≤ 2.4 GB
    python bench/build.py 1000 --keep DIR # keep the corpus and database in DIR
    python bench/build.py 100000 --copy-share 0.05   # with generated copies: DUP recall/precision too

Prints, per size: reports/s, seconds, database size, peak memory (the build process and its
workers), core count, and the incremental rebuilds measured in the same run, each in seconds and as a
ratio of the full build: nothing changed, one file changed, one added, one deleted (targets: ≤ 0.01 and
≤ 0.02). With --copy-share F the corpus is generate_corpus(..., copy_share=F) and DUP's failures are scored
against the copies it made (bench/dup.py's scoring).

Structure: `build_corpus(n)` writes a corpus, `build_db(corpus, db)` times the build,
`measure_pages(db)` (page latencies, added separately) measures the site on the result.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_SIZES = (1_000, 10_000)


def build_corpus(n: int, directory: Path | None = None, seed: int = 20240101, copy_share: float = 0.0,
                 copies: set | None = None) -> Path:
    """Write n generated reports into a folder (1,000 files per subfolder) and return the folder. With
    copy_share, `copies` receives the (copy, source) report ids the generator made."""
    from ingest.database.load import report_id
    from ingest.generate import generate_corpus

    directory = Path(directory or tempfile.mkdtemp(prefix=f"gongkai-corpus-{n}-"))
    directory.mkdir(parents=True, exist_ok=True)
    names = []
    for i, g in enumerate(generate_corpus(n, seed, copy_share=copy_share)):
        sub = directory / f"{i // 1000:04d}"
        sub.mkdir(exist_ok=True)
        names.append(f"{sub.name}/{i:06d}_{g.filename}")
        (directory / names[-1]).write_bytes(g.data)
        if copies is not None and "copied_from" in g.options:
            copies.add((report_id(names[-1]), report_id(names[g.options["copied_from"]])))
    return directory


def _timed_build(corpus: Path, db: Path, workers) -> tuple[float, float, dict]:
    """(wall seconds, CPU seconds of this process and its children, summary) of one build."""
    from ingest.database.build import build

    def cpu() -> float:
        me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime

    t, c = time.perf_counter(), cpu()
    summary = build([corpus], db, workers=workers, progress=False, log=None)
    return time.perf_counter() - t, cpu() - c, summary


def incremental(corpus: Path, db: Path, workers, full_s: float, full_cpu: float) -> dict:
    """The four incremental rebuilds, in this order, each timed against the full build of the same run."""
    from ingest.generate import generate_corpus

    files = sorted(p for p in corpus.rglob("*") if p.is_file())
    extra = list(generate_corpus(8, 777))
    out = {}

    def run(name: str, change) -> None:
        change()
        wall, cpu, summary = _timed_build(corpus, db, workers)
        out[name] = {"seconds": round(wall, 2), "ratio": round(wall / full_s, 4),
                     "cpu_s": round(cpu, 2), "cpu_ratio": round(cpu / full_cpu, 4), "parsed": summary["parsed"],
                     "timings": summary["timings"]}

    run("unchanged", lambda: None)
    # one file changed: its bytes replaced by another generated report of the same file kind
    kinds = {Path(g.filename).suffix: g for g in extra}
    target = next(p for p in files[len(files) // 2:] if p.suffix in kinds)
    same_kind = kinds[target.suffix]
    run("change_one", lambda: target.write_bytes(same_kind.data))
    run("add_one", lambda: (target.parent / f"zz_added_{extra[1].filename}").write_bytes(extra[1].data))
    run("delete_one", lambda: files[len(files) // 3].unlink())
    return out


def _peak_rss_mb() -> tuple[float, float]:
    """Peak resident memory of this process and of its (finished) children, in MB."""
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return round(me, 1), round(kids, 1)


def build_db(corpus: Path, db: Path, workers: int | None = None, copies: set | None = None) -> dict:
    """Build the database from scratch, then the incremental rebuilds; return the measurements."""
    for p in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        p.unlink(missing_ok=True)
    seconds, cpu, summary = _timed_build(corpus, db, workers)
    db_bytes = db.stat().st_size
    dup = None
    if copies:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from dup import dup_scores

        dup = dup_scores(db, copies)
    load = os.getloadavg()[0]
    incr = incremental(corpus, db, workers, seconds, cpu)
    parent_mb, workers_mb = _peak_rss_mb()
    return {
        "reports": summary["reports"],
        "seconds": round(seconds, 1),
        "reports_per_s": round(summary["reports"] / seconds, 1),
        "db_mb": round(db_bytes / 1e6, 1),
        "bytes_per_report": round(db_bytes / max(1, summary["reports"])),
        "cpu_s": round(cpu, 1),
        "loadavg": round(load, 2),
        "corpus_mb": round(sum(p.stat().st_size for p in corpus.rglob("*") if p.is_file()) / 1e6, 1),
        "peak_rss_mb_main": parent_mb,
        "peak_rss_mb_worker": workers_mb,
        "cores": os.cpu_count(),
        "workers": summary["workers"],
        "status": summary["status"],
        "timings": summary["timings"],
        "incremental": incr,
        **({"dup": dup} if dup else {}),
    }


def measure_pages(db: Path) -> dict:
    """p50/p95 page latencies of the site served on 127.0.0.1 (bench/pages.py)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from pages import measure_pages as measure

    return {"pages": measure(db, n=int(os.environ.get("BENCH_PAGE_REQUESTS", "20")))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sizes", nargs="*", type=int, default=list(DEFAULT_SIZES))
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--keep", type=Path, default=None, help="keep corpora and databases in this folder")
    parser.add_argument("--skip-checks", action="store_true", help="time the build without ingest.database.checks")
    parser.add_argument("--skip-pages", action="store_true", help="do not measure page latencies")
    parser.add_argument("--copy-share", type=float, default=0.0, metavar="F",
                        help="generate_corpus(..., copy_share=F) and score DUP against the copies")
    parser.add_argument("--pages-only", type=Path, default=None, metavar="DB",
                        help="only measure page latencies on an existing database")
    args = parser.parse_args(argv)
    print(json.dumps({"cores": os.cpu_count()}), flush=True)
    if args.pages_only:
        print(json.dumps(measure_pages(args.pages_only), ensure_ascii=False, indent=1), flush=True)
        return 0
    if args.skip_checks:
        import ingest.database.build

        ingest.database.build._run_checks = lambda db, *a: None
        ingest.database.build.check_reports = lambda *a, **k: None

    for n in args.sizes:
        base = args.keep or Path(tempfile.mkdtemp(prefix="gongkai-bench-"))
        corpus_dir = base / (f"corpus-{n}" + (f"-copies-{args.copy_share:g}" if args.copy_share else ""))
        t = time.perf_counter()
        copies: set | None = set() if args.copy_share else None
        if corpus_dir.exists():
            shutil.rmtree(corpus_dir)      # the incremental runs change the corpus: always start from a fresh one
        build_corpus(n, corpus_dir, copy_share=args.copy_share, copies=copies)
        gen_s = round(time.perf_counter() - t, 1)
        db = base / f"gongkai-{n}.db"
        result = {"size": n, "generate_s": gen_s, **build_db(corpus_dir, db, args.workers, copies)}
        if not args.skip_pages:
            result.update(measure_pages(db))
        print(json.dumps(result, ensure_ascii=False), flush=True)
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
