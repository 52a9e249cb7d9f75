"""Time the glued-digit cutter (ingest/parser/split.py) on the runs the issue names, and on hostile ones.

Why: the cutter searches every way to cut a run, which could explode on long runs; this shows what a
table-4 run of 17 digits, a whole glued table 3 (every row one run, read and solved together) and
pathological runs cost on this machine. Prints numbers, asserts nothing.

    python bench/split.py [--repeat 200]
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from ingest.generate import generate  # noqa: E402
from ingest.parse import parse_bytes  # noqa: E402
from ingest.parser import split, tables  # noqa: E402

T3_SUM = ((tuple(range(6)), 6),)


def timed(fn, repeat: int) -> tuple[float, float]:
    """(median, max) milliseconds of `repeat` calls."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), max(times)


def report(label: str, fn, repeat: int) -> None:
    med, worst = timed(fn, repeat)
    print(f"{label:62s} median {med:7.3f} ms   max {worst:7.3f} ms")


def table3_text(seed: int, template: str) -> tuple[str, int]:
    """The normalised text of a generated report printed with every row glued, and table 3's start."""
    g = generate(random.Random(seed), template=template, layout="glued", subtotals=False)
    text = parse_bytes(g.data, g.filename).text
    return text, text.index("申请人情况")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=200)
    args = ap.parse_args()
    n = args.repeat

    t4 = "".join(map(str, (10, 2, 0, 0, 12, 4, 0, 0, 1, 5, 1, 0, 1, 0, 2)))     # 17 digits, 15 cells
    piece = [split.Piece(t4, 0, run=True)]
    report(f"table 4, 17-digit run {t4}", lambda: split.row_splits(piece, ("count",) * 15, sums=tables.t4_sums()), n)
    wide = "".join(map(str, (120, 35, 0, 7, 162, 48, 3, 0, 11, 62, 9, 0, 14, 2, 25)))
    piece_w = [split.Piece(wide, 0, run=True)]
    report(f"table 4, {len(wide)}-digit run", lambda: split.row_splits(piece_w, ("count",) * 15, sums=tables.t4_sums()),
           n)

    for name in ("pingtan_2022.txt", "pingtan_2023.txt"):
        text = parse_bytes((ROOT / "data" / "reports" / name).read_bytes(), name).text
        start = text.index("申请人情况")
        report(f"table 3 of {name} (read + cut + column solve)", lambda: tables.read_applications(text, start), n)
    for seed, template, label in ((3, "2021", "small counts"), (27, "2019", "counts up to 1,500")):
        text, start = table3_text(seed, template)
        rows = sum(1 for line in text.splitlines() if line[:1] in "一二三（(12345678四")
        report(f"full glued table 3, generated {template} ({label}, {rows} lines)",
               lambda: tables.read_applications(text, start), n)

    row = "586960867312411203608871"                     # 24 digits: 5869/608/673/1241/120/360/8871
    report(f"table-3 row, {len(row)}-digit run", lambda: split.row_splits([split.Piece(row, 0, run=True)],
                                                                        ("count",) * 7, sums=T3_SUM), n)
    hostile = "1" * 119                                  # searched until the step budget stops it
    report(f"hostile row, {len(hostile)} ones (budget {split.ROW_BUDGET} steps)",
           lambda: split.row_splits([split.Piece(hostile, 0, run=True), split.Piece("2", 119, run=True)],
                                    ("count",) * 7, sums=T3_SUM), max(5, n // 20))
    long_run = "7" * 1000
    report("1,000-digit run (refused: longer than MAX_RUN_DIGITS)",
           lambda: split.row_splits([split.Piece(long_run, 0, run=True)], ("count",) * 7, sums=T3_SUM), n)


if __name__ == "__main__":
    main()
