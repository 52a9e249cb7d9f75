"""Do two gongkai databases hold the same records? `python bench/same_rows.py OLD.db NEW.db`

Why: the compact storage (cell_values, section_spans, a contentless full-text index) must change how the
data is stored, never what it says. Every table and view the two databases share by name is compared row
for row on the columns they share (as sorted multisets, so row order and storage do not matter), and the
full-text index term by term (fts5vocab: every term, section and column). Columns that exist only
to store things (report_key) and the build's own timestamps are left out. Prints one line per difference
and exits 1 when there is any; `same(old, new)` returns the list for tests.
"""
from __future__ import annotations

import sqlite3
import sys

SKIP_COLUMNS = {"report_key"}
SKIP_TABLES = {"build_info"}          # build time, seconds: differ between any two builds
SKIP_PREFIXES = ("sqlite_", "sections_fts")


def _names(conn) -> set[str]:
    return {n for (n,) in conn.execute("select name from sqlite_master where type in ('table', 'view')")
            if n not in SKIP_TABLES and not n.startswith(SKIP_PREFIXES)}


def _columns(conn, name: str) -> list[str]:
    return [r[1] for r in conn.execute(f"pragma table_xinfo([{name}])")]


def _rows(conn, name: str, cols: list[str]) -> list[tuple]:
    sql = f"select {', '.join(f'[{c}]' for c in cols)} from [{name}]"
    return sorted((tuple(r) for r in conn.execute(sql)), key=repr)


def _vocab(conn) -> list[tuple]:
    conn.execute("create virtual table if not exists temp.fts_instances using fts5vocab(main, sections_fts, instance)")
    # which word is in which column of which section: what an index with detail=column keeps (no positions)
    return sorted(conn.execute("select distinct term, doc, col from temp.fts_instances"))


def same(old_path: str, new_path: str) -> list[str]:
    old, new = sqlite3.connect(old_path), sqlite3.connect(new_path)
    problems = []
    for name in sorted(_names(old) & _names(new)):
        cols = [c for c in _columns(old, name) if c in set(_columns(new, name)) - SKIP_COLUMNS]
        a, b = _rows(old, name, cols), _rows(new, name, cols)
        if a != b:
            diff = next((x, y) for x, y in zip(a + [None], b + [None]) if x != y)
            problems.append(f"{name}: {len(a)} vs {len(b)} rows; first difference {diff[0]!r} / {diff[1]!r}")
    for name in sorted(_names(old) - _names(new)):
        problems.append(f"{name}: missing from {new_path}")
    if _vocab(old) != _vocab(new):
        problems.append("sections_fts: the full-text index differs")
    return problems


def main(argv: list[str]) -> int:
    problems = same(argv[0], argv[1])
    for p in problems:
        print(p)
    print("identical" if not problems else f"{len(problems)} differences")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
