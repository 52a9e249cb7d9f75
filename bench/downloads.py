"""CPU time of the downloads of one year's reports: JSON, Excel CSV (.csvbom) and .xlsx.

    python bench/downloads.py DB [N]     # N requests each (default 15), in this process

Why CPU time in-process, not the wall clock through HTTP: on a shared machine the wall clock of one
request varies several-fold with the load (bench/pages.py measures it); the CPU a download costs the
server (Datasette's query and rows, then our renderer) is what it needs on a quiet core. Also prints
the xlsx writer alone (openpyxl, write-only) on the same rows.
"""
from __future__ import annotations

import asyncio
import io
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _ms(times: list[float]) -> dict:
    times = sorted(times)
    return {"median_ms": round(statistics.median(times), 1), "min_ms": round(times[0], 1),
            "p95_ms": round(times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))], 1)}


def main(db_path: str, n: int = 15) -> dict:
    import sqlite3

    from ingest.site import xlsx
    from ingest.site.serve import make_datasette

    db = Path(db_path)
    with sqlite3.connect(db) as conn:
        year = conn.execute("select year from reports where template = '2021' order by id limit 1").fetchone()[0]
    ds = make_datasette(db)
    out: dict = {"year": year}

    async def run():
        await ds.invoke_startup()
        for fmt in ("json", "csvbom", "xlsx"):
            path = f"/{db.stem}/reports.{fmt}?year={year}&_size=max"
            await ds.client.get(path, headers={"cache-control": "no-cache"})       # warm-up
            times = []
            for _ in range(n):
                t = time.process_time()
                r = await ds.client.get(path, headers={"cache-control": "no-cache"})
                times.append((time.process_time() - t) * 1000)
            out[fmt] = {"status": r.status_code, "bytes": len(r.content), **_ms(times)}
        rows = (await ds.client.get(f"/{db.stem}/reports.json?year={year}&_size=max&_shape=array")).json()
        return rows

    rows = asyncio.run(run())
    columns = list(rows[0]) if rows else []
    data = [[r[c] for c in columns] for r in rows]
    out["rows"], out["columns"] = len(rows), len(columns)
    times = []
    for _ in range(n):
        t = time.process_time()
        xlsx.workbook([("数据", columns, data)])
        times.append((time.process_time() - t) * 1000)
    out["xlsx_writer_alone"] = _ms(times)
    return out


if __name__ == "__main__":
    import json

    print(json.dumps(main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 15), ensure_ascii=False, indent=1))
