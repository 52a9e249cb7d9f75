"""Time run_checks on a synthetic 100,000-report database and each rule's canned query for year=2021.

Why synthetic: the target is the national scale (≈100k reports), far beyond the sample corpus. Rows are
written with executemany into tables created by sqlite-utils (the docs/record.md schema), ~2% of reports
carry an injected inconsistency so the failing paths are exercised too.
"""
from __future__ import annotations

import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from ingest import forms  # noqa: E402
from ingest.database.checks import CHECKS_DIR, load_rules, run_checks  # noqa: E402
from plugins.sqlite_pragmas import apply_pragmas  # noqa: E402
from test_checks import balanced_table3, make_db  # noqa: E402

N = int(os.environ.get("N_REPORTS", 100_000))
YEARS = (2019, 2020, 2021, 2022, 2023, 2024)


def build(path: str) -> sqlite3.Connection:
    db = make_db()
    disk = sqlite3.connect(path)
    for (sql,) in db.conn.execute("select sql from sqlite_master where type = 'table'"):
        disk.execute(sql)
    rng = random.Random(0)
    reports, apps, rl, ad, facts = [], [], [], [], []
    order = {k: i for i, k in enumerate(forms.APPLICATION_ROW_KEYS)}
    for i in range(N):
        rid = f"{i:016x}"
        year = YEARS[i % len(YEARS)]
        template = "2019" if year < 2021 else "2021"
        kind = "department" if i % 3 else "government"
        pub = f"{year + 1}-0{1 + rng.random() * 4:.0f}-15"
        reports.append((rid, year, template, kind, f"A{i // len(YEARS)}", pub, "330703", "浙江省", f"机关{i}"))
        t = balanced_table3(template == "2021", new=(rng.randint(0, 50), 1, 0, 0, 0, 0, 0))
        t["new_received"][6] = sum(t["new_received"][:6])
        t["granted"] = [t["new_received"][c] + t["carried_over"][c] - (c in (0, 6)) for c in range(7)]
        t["total_processed"] = list(t["granted"])
        if rng.random() < 0.02:
            t["granted"][0] += 1
        for k, v in t.items():
            apps.append((rid, k, order[k], forms.APPLICATION_ROW_BY_KEY[k].label, *v))
        for j, k in enumerate(forms.REVIEW_KIND_KEYS):
            rl.append((rid, k, j, k, 1, 0, 0, 0, 1))
        for item in forms.ACTIVE_ITEMS[template]:
            for m in item.metrics:
                ad.append((rid, item.block, item.label, item.key, m.key, float(rng.randint(0, 20))))
        facts.append((rid, "applications_received", t["new_received"][6], "新收申请", 10))
        facts.append((rid, "year_mentioned_with_applications", year - (rng.random() < 0.02), "年", 10))
    disk.executemany("insert into reports (id, year, template, agency_kind, agency_id, published_on, adcode,"
                     " province, agency) values (?,?,?,?,?,?,?,?,?)", reports)
    disk.executemany(f"insert into applications values ({','.join('?' * 11)})", apps)
    disk.executemany("insert into reviews_litigation values (?,?,?,?,?,?,?,?,?)", rl)
    disk.executemany("insert into active_disclosure (report_id, block, item, item_key, metric, value)"
                     " values (?,?,?,?,?,?)", ad)
    disk.executemany("insert into facts (report_id, metric, value, text, line) values (?,?,?,?,?)", facts)
    disk.execute("create index idx_reports_year on reports(year)")
    disk.commit()
    return disk


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        conn = build(os.path.join(tmp, "bench.db"))
        print(f"cores: {os.cpu_count()}  reports: {N}  build: {time.perf_counter() - t0:.1f}s")
        t0 = time.perf_counter()
        summary = run_checks(conn)
        print(f"run_checks: {time.perf_counter() - t0:.2f}s  check_results rows: "
              f"{conn.execute('select count(*) from check_results').fetchone()[0]}")
        apply_pragmas(conn)                         # the settings Datasette's connections get (prepare_connection)
        for rule in load_rules():
            times = []
            for _ in range(20):
                t0 = time.perf_counter()
                cur = conn.execute(rule.sql, {"year": "2021", "province": "", "adcode": "", "status": ""})
                rows = cur.fetchmany(1001)          # what Datasette fetches (max_returned_rows + 1)
                times.append(time.perf_counter() - t0)
            p95 = statistics.quantiles(times, n=20)[18] * 1000
            print(f"  {rule.id:14s} canned year=2021: p95 {p95:7.1f} ms  rows {len(rows):5d}  "
                  f"{summary.get(rule.id)}")


if __name__ == "__main__":
    main()
