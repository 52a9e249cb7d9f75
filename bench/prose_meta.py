"""Time the prose-fact and metadata finders on every input class issue #11's fuzzing found quadratic.

python bench/prose_meta.py   → one line per input: size, ms for find_facts / find_metadata / find_sections,
ms per 100 KB, and the same for a plain regex scan of the same text (the floor).
"""
from __future__ import annotations

import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.parser import meta, prose, sections  # noqa: E402

REPORT = (ROOT / "data" / "reports" / "pingtan_2023.txt").read_text("utf-8")


def inputs() -> dict[str, str]:
    return {
        "30 KB line of spaces after a figure": "主动公开政府信息5" + " " * 30000 + "条",
        "30 KB line of '|'": "共收到政府信息公开申请|" + "| " * 15000,
        "30 KB of '来源' + spaces (header field)": "来源" + " " * 30000 + "：",
        "30 KB of '日期' + spaces (date field)": "日期" + " " * 30000 + "x",
        "numbers followed by 3000 spaces, x10": ("收到政府信息公开申请5" + " " * 3000 + "x。") * 10,
        "1 MB digit run after a keyword": "主动公开政府信息" + "1" * 1_000_000 + "条",
        "1 MB of trigger words without punctuation": "收到申请行政复议累计" * 100_000,
        "5 MB: the 2023 report repeated": (REPORT + "\n") * (5_000_000 // (len(REPORT) + 1) + 1),
    }


def timed(fn, *args) -> float:
    t = time.perf_counter()
    fn(*args)
    return time.perf_counter() - t


def main() -> None:
    floor_re = re.compile(r"[。；\n]|\d+")
    warm = REPORT.split("\n")
    prose.find_facts(REPORT), meta.find_metadata(warm, REPORT), sections.find_sections(REPORT)  # compile once
    print(f"{'input':48} {'chars':>9} {'facts ms':>9} {'meta ms':>8} {'sect ms':>8} {'ms/100KB':>9} {'scan ms':>8}")
    for name, text in inputs().items():
        lines = text.split("\n")
        f = timed(prose.find_facts, text, (), 2023, "平潭综合实验区", "government")
        m = timed(meta.find_metadata, lines, text)
        s = timed(sections.find_sections, text)
        floor = timed(lambda: sum(1 for _ in floor_re.finditer(text)))
        size_kb = len(text.encode("utf-8")) / 1000
        per100 = (f + m + s) * 1000 / (size_kb / 100)
        print(f"{name:48} {len(text):9,d} {f*1000:9.1f} {m*1000:8.1f} {s*1000:8.1f} {per100:9.2f} {floor*1000:8.1f}")


if __name__ == "__main__":
    main()
