"""Are the checks of this checkout the same as those a database was built with?

    python bench/checks_same.py DB [DB...] [--old-rules DIR]

Copies each database, re-runs `run_checks` with this checkout's rule files on the copy, and compares
check_results row by row (every column, in rowid order) with the database's own. Prints one JSON line per
database (rows, differing rows, seconds) and exits 1 if any differs. Used when rule files change shape but
must not change meaning (the rule-only files of ingest/database/checks.py; converting a branch's files at
merge with `python -m ingest.database.convert_rules`): build DB with the old checkout, run this with the new.
`--old-rules DIR` (the old checkout's canned_queries/checks) also compares each rule's canned query with the
old file: the same rows for status '', all and pass with year=2021, and the same query plan (page speed).
"""
from __future__ import annotations

import json
import re
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingest.database.checks import CHECK_RESULTS_SELECT, load_rules, run_checks  # noqa: E402

COLUMNS = ("report_id, year, rule_id, instance, severity, status, expected, actual, cells, message, "
           "related_report_id, evidence_line, evidence_text")


def rows(conn: sqlite3.Connection) -> list[tuple]:
    if conn.execute("select 1 from sqlite_master where type = 'table' and name = 'check_results'").fetchone():
        return conn.execute(f"select {COLUMNS} from check_results order by rowid").fetchall()   # an older build
    return conn.execute(f"select * from ({CHECK_RESULTS_SELECT} order by c.rowid)").fetchall()


def compare(db: Path, workers: int | None = None) -> dict:
    with sqlite3.connect(db) as conn:
        before = rows(conn)
    with tempfile.TemporaryDirectory(dir=db.parent) as tmp:
        copy = Path(tmp) / db.name
        shutil.copyfile(db, copy)
        conn = sqlite3.connect(copy)
        t = time.perf_counter()
        run_checks(conn, workers=workers)
        seconds = time.perf_counter() - t
        after = rows(conn)
        conn.close()
    differ = sum(a != b for a, b in zip(before, after)) + abs(len(before) - len(after))
    first = next(({"before": a, "after": b} for a, b in zip(before, after) if a != b), None)
    return {"db": str(db), "rows_before": len(before), "rows_after": len(after), "differing": differ,
            "checks_s": round(seconds, 2), **({"first_difference": first} if first else {})}


def _plan(conn: sqlite3.Connection, sql: str, params: dict) -> list[str]:
    """The query plan, table aliases and numbers aside (the rule reads `reports` through reports_in_scope)."""
    rows = conn.execute("explain query plan " + sql, params).fetchall()
    return sorted(re.sub(r"\d+", "N", r[3]).replace("SEARCH r USING", "SEARCH reports USING") for r in rows)


def compare_pages(db: Path, old_rules: Path) -> dict:
    conn = sqlite3.connect(db)
    params = {"year": "2021", "province": "", "adcode": "", "status": ""}
    out = {}
    for rule in load_rules():
        old = (old_rules / rule.path.name).read_text(encoding="utf-8")
        same_rows = all(sorted(map(repr, conn.execute(old, {**params, "status": s}).fetchall()))
                        == sorted(map(repr, conn.execute(rule.sql, {**params, "status": s}).fetchall()))
                        for s in ("", "all", "pass"))
        out[rule.id] = {"same_rows": same_rows, "same_plan": _plan(conn, old, params) == _plan(conn, rule.sql, params)}
    conn.close()
    return out


def main(argv: list[str]) -> int:
    status = 0
    old_rules = None
    if "--old-rules" in argv:
        i = argv.index("--old-rules")
        old_rules = Path(argv[i + 1])
        argv = argv[:i] + argv[i + 2:]
    for name in argv:
        if old_rules is not None:
            pages = compare_pages(Path(name), old_rules)
            print(json.dumps({"db": name, "pages": pages}, ensure_ascii=False), flush=True)
            status |= not all(v["same_rows"] and v["same_plan"] for v in pages.values())
        result = compare(Path(name))
        print(json.dumps(result, ensure_ascii=False), flush=True)
        status |= result["differing"] != 0
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
