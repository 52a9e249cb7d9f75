"""Benchmark the DUP step (ingest/database/similar.py) on synthetic section texts with known copies.

    python bench/dup.py                # 10,000 and 100,000 reports
    python bench/dup.py 20000          # one size
    python bench/dup.py --build 10000  # whole build of a generated corpus with copies (generate_corpus copy_share)
    python bench/dup.py --pages        # the comparison page and its JSON on data/reports (p50 / p95 of 30)

Each synthetic report has two prose sections (总体情况, 存在的主要问题) of 300–900 characters written from a
shared pool of phrases (so unrelated reports share phrases, as real ones share the trade's wording). An agency
rewrites its text each year but keeps about a third of its phrases. A known share (COPY_SHARE) of reports copy
both sections of another report — another agency's (any year) or the agency's own previous year — changing
the agency's name, the year and one phrase. Prints the seconds of each step, and recall and precision of the
DUP rule's default thresholds (≥ 200 characters, ≥ 0.9) against the copies made.
"""
from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingest.database import similar  # noqa: E402

COPY_SHARE = 0.05
YEARS = tuple(range(2019, 2025))
_CHARS = ("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面"
          "而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性"
          "好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第"
          "向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管"
          "特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处"
          "理世车改规治务监督保障服务信息平台审核办理答复")


def phrase(rng: random.Random) -> str:
    return "".join(rng.choice(_CHARS) for _ in range(rng.randint(8, 18))) + rng.choice("，，，，，，。。；")


def corpus(n: int, seed: int = 1):
    rng = random.Random(seed)
    pool = [phrase(rng) for _ in range(4000)]
    sections: list[similar.Section] = []
    copies: set[tuple[str, str]] = set()     # (copy report, source report)
    reports = []                              # (report id, agency, year, {number: text})
    for i in range(n):
        agency, year = f"A{i // len(YEARS)}", YEARS[i % len(YEARS)]
        rid = f"r{i}"
        prev = reports[-1] if i % len(YEARS) else None
        phrases: dict[str, list[str]] = {"一": [], "五": []}
        if reports and rng.random() < COPY_SHARE:
            src = prev if prev and rng.random() < 0.3 else reports[rng.randrange(len(reports))]
            texts = {}
            for num, t in src[3].items():
                t = t.replace(src[1], agency).replace(str(src[2]), str(year))
                parts = t.split("，")
                parts[rng.randrange(len(parts))] = phrase(rng)[:-1]
                texts[num] = "，".join(parts)
            copies.add((rid, src[0]))
        else:
            texts = {}
            for num in ("一", "五"):
                keep = [p for p in prev[4][num] if rng.random() < 0.33] if prev else []
                # a fifth of the phrases from the shared pool (the trade's wording), the rest the agency's own
                body = keep + [rng.choice(pool) if rng.random() < 0.2 else phrase(rng)
                               for _ in range(rng.randint(25, 60) - len(keep))]
                rng.shuffle(body)
                phrases[num] = body
                lines = ["".join(body[k:k + 6]) for k in range(0, len(body), 6)]     # paragraphs of six phrases
                texts[num] = f"{year}年，{agency}认真贯彻落实条例。\n" + "\n".join(lines)
        reports.append((rid, agency, year, texts, phrases))
        for num, t in texts.items():
            sections.append(similar.Section(len(sections), rid, agency, year, num, t))
    return sections, copies


def run(n: int) -> None:
    t0 = time.perf_counter()
    sections, copies = corpus(n)
    t1 = time.perf_counter()
    timings: dict = {}
    pairs = similar.find_similar(sections, timings=timings)
    t2 = time.perf_counter()
    found = {(p.a.report, p.b.report) for p in pairs
             if p.match.similarity >= 0.9 and len(p.norm_a) >= 200 and len(p.norm_b) >= 200}
    # a copy is found when the copy is faulted for its source. Any two reports joined by copies (a copy of a
    # copy, two copies of one source, the source faulted for its copy) share the text: such a pair is true too.
    group: dict[str, str] = {}

    def root(x: str) -> str:
        while group.get(x, x) != x:
            x = group[x]
        return x

    for a, b in copies:
        group[root(a)] = root(b)
    truth = {(a, b) for a, b in found if root(a) == root(b)}
    recall = sum(1 for c in copies if c in found) / max(1, len(copies))
    precision = sum(1 for f in found if f in truth) / max(1, len(found))
    print(f"{n:>7} reports, {len(sections)} sections, {len(copies)} copies: DUP step {t2 - t1:.1f} s "
          f"(corpus made in {t1 - t0:.1f} s); recall {recall:.3f}, precision {precision:.3f}; {timings}", flush=True)


def _groups(pairs):
    group: dict = {}

    def root(x):
        while group.get(x, x) != x:
            x = group[x]
        return x

    for a, b in pairs:
        group[root(a)] = root(b)
    return root


def run_build(n: int, share: float = COPY_SHARE) -> None:
    """Generate n reports of which `share` copy another's prose, build the database, score DUP's failures."""
    import sqlite3
    import tempfile

    from ingest.database.build import build
    from ingest.database.load import report_id
    from ingest.generate import generate_corpus

    with tempfile.TemporaryDirectory(prefix="gongkai-dup-") as tmp:
        corpus = Path(tmp) / "reports"
        names, copies = [], set()
        for i, g in enumerate(generate_corpus(n, 20240101, copy_share=share)):
            sub = corpus / f"{i // 1000:04d}"
            sub.mkdir(parents=True, exist_ok=True)
            names.append(f"{sub.name}/{i:06d}_{g.filename}")
            (corpus / names[-1]).write_bytes(g.data)
            if "copied_from" in g.options:
                copies.add((report_id(names[-1]), report_id(names[g.options["copied_from"]])))
        t0 = time.perf_counter()
        summary = build([corpus], Path(tmp) / "gongkai.db", progress=False)
        seconds = time.perf_counter() - t0
        scores = dup_scores(Path(tmp) / "gongkai.db", copies)
        print(f"build of {n} generated reports ({len(copies)} copies): {seconds:.1f} s, of which similar_sections "
              f"{summary['timings'].get('similar')} s and checks {summary['timings'].get('checks')} s; "
              f"DUP recall {scores['recall']:.3f}, precision {scores['precision']:.3f} "
              f"({scores['failing_sections']} failing sections)", flush=True)


def dup_scores(db_path: Path, copies: set[tuple[str, str]]) -> dict:
    """Recall and precision of the DUP rule's failures against the generated copies ((copy, source) report ids):
    a copy is found when it fails DUP; a failure is right when its pair is joined by copies."""
    import sqlite3

    conn = sqlite3.connect(db_path)
    failed = {(a, b) for a, b in conn.execute(
        "select report_id, related_report_id from check_results where rule_id = 'DUP' and status = 'fail'")}
    conn.close()
    root = _groups(copies)
    found = {a for a, b in failed}
    return {"copies": len(copies), "failing_sections": len(failed),
            "recall": round(sum(1 for a, _ in copies if a in found) / max(1, len(copies)), 3),
            "precision": round(sum(1 for a, b in failed if root(a) == root(b)) / max(1, len(failed)), 3)}


def run_pages(n: int = 30) -> None:
    """Time /compare/{a}/{b} and its JSON through Datasette's own client on the sample corpus' database."""
    import asyncio
    import sqlite3
    import statistics
    import tempfile

    from ingest.database.build import build
    from ingest.site.serve import make_datasette

    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory(prefix="gongkai-compare-") as tmp:
        db = Path(tmp) / "gongkai.db"
        build([root / "data" / "reports"], db, progress=False)
        ids = dict(sqlite3.connect(db).execute("select path, id from reports"))
        ds = make_datasette(db)
        loop = asyncio.new_event_loop()
        for a, b in (("pingtan_2022.html", "pingtan_2023.txt"), ("000_82a0420bca058b17.txt", "pingtan_2023.txt"),
                     ("pingtan_2013_xian.txt", "pingtan_2012_xian.txt")):
            for suffix in ("", ".json"):
                path = f"/compare/{ids[a]}/{ids[b]}{suffix}"
                times = []
                for _ in range(n):
                    t = time.perf_counter()
                    r = loop.run_until_complete(ds.client.get(path))
                    times.append((time.perf_counter() - t) * 1000)
                    assert r.status_code == 200, (path, r.status_code)
                times.sort()
                print(f"/compare {a} → {b}{suffix}: p50 {statistics.median(times):.0f} ms, "
                      f"p95 {times[int(0.95 * (n - 1))]:.0f} ms", flush=True)
        loop.close()


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["--pages"]:
        run_pages()
    elif args[:1] == ["--build"]:
        for size in [int(a) for a in args[1:]] or (10_000,):
            run_build(size)
    else:
        for size in [int(a) for a in args] or (10_000, 100_000):
            run(size)
