"""CPU per rendered page, by page type: `python bench/page_cpu.py DB [--urls 12] [--repeat 4]`.

Why: latencies under bench/load.py depend on everything else the (shared, 2-core) machine runs; the
CPU a page costs to render is what decides how many a core serves, and varies much less. This renders,
in this process and without the page cache (`Cache-Control: no-cache`), `--urls` URLs of each page type
of bench/load.py (drawn from the database), each `--repeat` times, and prints the mean over the URLs of
each URL's lowest CPU time (process time: the event loop and Datasette's SQL threads).
"""
from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.load import page_urls  # noqa: E402
from ingest.site.serve import make_datasette  # noqa: E402

KINDS = ("report", "table", "check", "search", "chart", "overview", "home")


async def measure(db: Path, n_urls: int, repeat: int) -> dict[str, float]:
    urls = page_urls(db)
    ds = make_datasette(db)
    await ds.invoke_startup()
    out = {}
    for kind in KINDS:
        picked = urls[kind][::max(1, len(urls[kind]) // n_urls)][:n_urls]
        total = 0.0
        for url in picked:
            await ds.client.get(url, headers={"cache-control": "no-cache"})      # warm: Datasette's own caches
            best = float("inf")
            for _ in range(repeat):
                t = time.process_time()
                r = await ds.client.get(url, headers={"cache-control": "no-cache"})
                best = min(best, time.process_time() - t)
                if r.status_code != 200:
                    raise SystemExit(f"{url}: HTTP {r.status_code}")
            total += best
        out[kind] = total * 1000 / len(picked)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("db", type=Path)
    ap.add_argument("--urls", type=int, default=12)
    ap.add_argument("--repeat", type=int, default=4)
    args = ap.parse_args(argv)
    result = asyncio.run(measure(args.db, args.urls, args.repeat))
    print("CPU ms per rendered page: " + ", ".join(f"{k} {v:.1f}" for k, v in result.items())
          + f" (load average {os.getloadavg()[0]:.1f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
