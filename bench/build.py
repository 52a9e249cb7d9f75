"""Benchmark the database build on generated corpora.

    python bench/build.py                 # 1,000 and 10,000 reports
    python bench/build.py 100000          # the target: 100,000 reports in under 10 minutes
    python bench/build.py 1000 --keep DIR # keep the corpus and database in DIR

Prints, per size: reports/s, seconds, database size, peak memory (the build process and its
workers), core count, and the time of an unchanged (incremental) rebuild.

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


def build_corpus(n: int, directory: Path | None = None, seed: int = 20240101) -> Path:
    """Write n generated reports into a folder (1,000 files per subfolder) and return the folder."""
    from ingest.generate import generate_corpus

    directory = Path(directory or tempfile.mkdtemp(prefix=f"gongkai-corpus-{n}-"))
    directory.mkdir(parents=True, exist_ok=True)
    for i, g in enumerate(generate_corpus(n, seed)):
        sub = directory / f"{i // 1000:04d}"
        sub.mkdir(exist_ok=True)
        (sub / f"{i:06d}_{g.filename}").write_bytes(g.data)
    return directory


def _peak_rss_mb() -> tuple[float, float]:
    """Peak resident memory of this process and of its (finished) children, in MB."""
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return round(me, 1), round(kids, 1)


def build_db(corpus: Path, db: Path, workers: int | None = None) -> dict:
    """Build the database from scratch, then once more unchanged; return the measurements."""
    from ingest.database.build import build

    db.unlink(missing_ok=True)
    t0 = time.perf_counter()
    summary = build([corpus], db, workers=workers, progress=sys.stderr.isatty())
    seconds = time.perf_counter() - t0
    t1 = time.perf_counter()
    again = build([corpus], db, workers=workers, progress=False)
    rebuild = time.perf_counter() - t1
    assert again["parsed"] == 0, again
    parent_mb, workers_mb = _peak_rss_mb()
    return {
        "reports": summary["reports"],
        "seconds": round(seconds, 1),
        "reports_per_s": round(summary["reports"] / seconds, 1),
        "db_mb": round(db.stat().st_size / 1e6, 1),
        "corpus_mb": round(sum(p.stat().st_size for p in corpus.rglob("*") if p.is_file()) / 1e6, 1),
        "peak_rss_mb_main": parent_mb,
        "peak_rss_mb_worker": workers_mb,
        "cores": os.cpu_count(),
        "workers": summary["workers"],
        "status": summary["status"],
        "unchanged_rebuild_s": round(rebuild, 1),
        "timings": summary["timings"],
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
    parser.add_argument("--pages-only", type=Path, default=None, metavar="DB",
                        help="only measure page latencies on an existing database")
    args = parser.parse_args(argv)
    print(json.dumps({"cores": os.cpu_count()}), flush=True)
    if args.pages_only:
        print(json.dumps(measure_pages(args.pages_only), ensure_ascii=False, indent=1), flush=True)
        return 0
    if args.skip_checks:
        import ingest.database.build

        ingest.database.build._run_checks = lambda db: None

    for n in args.sizes:
        base = args.keep or Path(tempfile.mkdtemp(prefix="gongkai-bench-"))
        corpus_dir = base / f"corpus-{n}"
        t = time.perf_counter()
        if not corpus_dir.exists():
            build_corpus(n, corpus_dir)
        gen_s = round(time.perf_counter() - t, 1)
        db = base / f"gongkai-{n}.db"
        result = {"size": n, "generate_s": gen_s, **build_db(corpus_dir, db, args.workers)}
        result.update(measure_pages(db))
        print(json.dumps(result, ensure_ascii=False), flush=True)
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
