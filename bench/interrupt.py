"""How fast the build stops on Ctrl-C / SIGTERM in each phase, and what a hanging file costs.

    python bench/interrupt.py            # every phase, SIGINT and SIGTERM, 3 times each
    python bench/interrupt.py --n 200    # generated corpus size (default 60)

For each phase the build is started on a generated corpus with GONGKAI_TEST_STALL=<phase> (it waits
in that phase: asleep, in an endless SQL statement, or on its worker processes), interrupted, and
timed from the signal to the exit. Prints per phase and signal: the worst and median seconds to stop
and whether the previous database, the temporary files and the workers were as they must be.
Then the time budget: a build where one file hangs, with --timeout 2, against the same build without it.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PHASES = [("scan", {}), ("prepare", {}), ("parse", {}), ("parse", {"workers": "1"}), ("load", {}),
          ("indexes", {}), ("checks", {"GONGKAI_CHECK_WORKERS": "2"}), ("checks", {}), ("stats", {})]


def _env(**extra) -> dict:
    return dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
                **extra)


def _group_alive(pgid: int) -> int:
    n = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            n += int(fields[2]) == pgid and fields[0] != "Z"
    return n


def stop_once(corpus: Path, previous: Path, work: Path, phase: str, how: dict, signum: int) -> tuple[float, bool]:
    """Seconds from the signal to the exit, and whether everything was left as it must be."""
    work.mkdir()
    db = work / "gongkai.db"
    shutil.copyfile(previous, db)
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    how = dict(how)
    workers = how.pop("workers", "2")
    proc = subprocess.Popen([sys.executable, "-m", "ingest", "build", str(corpus), "--db", str(db), "--workers",
                             workers, "--timeout", "0"], cwd=ROOT, env=_env(GONGKAI_TEST_STALL=phase, **how),
                            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for raw in proc.stderr:
            if raw.startswith(f"gongkai: test-stall {phase}".encode()):
                break
        time.sleep(0.3)
        t0 = time.monotonic()
        proc.send_signal(signum)
        code = proc.wait(60)
        seconds = time.monotonic() - t0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        proc.stderr.close()
    ok = (code == 128 + signum and _group_alive(proc.pid) == 0
          and hashlib.sha256(db.read_bytes()).hexdigest() == before
          and sorted(p.name for p in work.iterdir()) == ["gongkai.db"])
    return seconds, ok


def time_budget(corpus: Path, work: Path) -> None:
    """One file that never finishes costs the budget, not the build."""
    from ingest.database import build as b

    real = b.parse_one

    def parse_one(data, relpath):
        if relpath.startswith("hang"):
            time.sleep(3600)
        return real(data, relpath)

    b.parse_one = parse_one
    hang = corpus / "hang.txt"
    for label, extra in (("without a hanging file", False), ("with one hanging file, --timeout 2", True)):
        if extra:
            hang.write_bytes(b"x")
        db = work / f"budget-{extra}.db"
        t0 = time.monotonic()
        summary = b.build([corpus], db, workers=2, timeout=2, log=None)
        print(f"time budget: {label}: {time.monotonic() - t0:.1f} s, status {summary['status']}", flush=True)
    hang.unlink()
    b.parse_one = real


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from ingest.database.build import build
    from ingest.generate import generate_corpus

    base = Path(tempfile.mkdtemp(prefix="gongkai-interrupt-"))
    try:
        corpus = base / "corpus"
        corpus.mkdir()
        for i, g in enumerate(generate_corpus(args.n, 11)):
            (corpus / f"{i:04d}_{g.filename}").write_bytes(g.data)
        previous = base / "previous.db"
        build([ROOT / "data" / "reports"], previous, workers=2, log=None)
        k = 0
        for phase, how in PHASES:
            for signum in (signal.SIGINT, signal.SIGTERM):
                times, oks = [], []
                for _ in range(args.repeat):
                    k += 1
                    seconds, ok = stop_once(corpus, previous, base / f"run{k}", phase, how, signum)
                    times.append(seconds)
                    oks.append(ok)
                label = phase + ("" if not how else " (" + ", ".join(f"{a}={v}" for a, v in how.items()) + ")")
                print(f"{label:<42} {signal.Signals(signum).name:<8} stop worst {max(times):.2f} s  "
                      f"median {statistics.median(times):.2f} s  clean {sum(oks)}/{len(oks)}", flush=True)
        time_budget(corpus, base)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
