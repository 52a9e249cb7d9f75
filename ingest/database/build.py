"""`python -m ingest build DIR... --db PATH`: report files → gongkai.db.

Three properties drive the design:
- Parallel: parsing (and jieba segmentation) runs in a process pool over all cores; each worker
  returns ready-made rows, and the one writing process only inserts them in large batches.
- Incremental: a file whose path and sha256 match what `reports` holds is not parsed again; a
  changed file's rows are replaced, a deleted file's report is removed, nothing else is touched.
- Atomic: the database is built in a temporary file next to the target (a copy of the previous
  database for incremental work) and moved into place with `os.replace`. An interrupted build
  leaves the previous database as it was; a temporary file left by a killed build is removed by
  the next build.
"""
from __future__ import annotations

import hashlib
import multiprocessing
import os
import re
import shutil
import signal
import sqlite3
import sys
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator

import sqlite_utils

from . import load, schema, search, similar, stats
from .checks import create_check_results, run_checks

EXTENSIONS = (".txt", ".htm", ".html", ".md", ".markdown")
SKIP_NAMES = ("sources.md", "readme.md")
TEMP_MARK = ".tmp-"


# --------------------------------------------------------------------------------------------
# Finding the files
# --------------------------------------------------------------------------------------------

def find_reports(dirs: Iterable[str | os.PathLike]) -> list[tuple[str, Path]]:
    """(relative path, absolute path) of every report file under the folders, sorted.

    The relative path is what `reports.path` holds and what the report id is made from. With one
    folder it is relative to that folder; with several, the folder's name is put in front so two
    folders may hold files of the same name.
    """
    dirs = [Path(d) for d in dirs]
    found: dict[str, Path] = {}
    for d in dirs:
        if not d.is_dir():
            raise NotADirectoryError(f"不是目录：{d}")
        prefix = f"{d.resolve().name}/" if len(dirs) > 1 else ""
        for root, subdirs, files in os.walk(d):
            subdirs[:] = sorted(s for s in subdirs if not s.startswith("."))
            for name in files:
                if name.startswith(".") or name.lower() in SKIP_NAMES:
                    continue
                if not name.lower().endswith(EXTENSIONS):
                    continue
                path = Path(root) / name
                rel = prefix + path.relative_to(d).as_posix()
                if rel in found:
                    raise ValueError(f"两个目录中有同名文件：{rel}")
                found[rel] = path
    return sorted(found.items())


def _sha256(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
            size += len(block)
    return h.hexdigest(), size


# --------------------------------------------------------------------------------------------
# Parsing (in the workers)
# --------------------------------------------------------------------------------------------

def parse_one(data: bytes, relpath: str):
    """Parse one file's bytes → (record, text). A separate function so tests can count calls."""
    from ..parse import parse_bytes

    parsed = parse_bytes(data, relpath)
    return parsed.record, parsed.text


def _work(job: tuple[str, str]) -> dict[str, list[tuple]]:
    """Read, hash, parse and flatten one file. Never raises: a failure becomes a failed report."""
    relpath, abspath = job
    data = Path(abspath).read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    try:
        record, text = parse_one(data, relpath)
    except Exception as exc:  # one bad file must not stop the build; the error is kept in `warnings`
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        return load.as_tuples(load.report_rows(relpath, sha, len(data), None, None, error=detail))
    return load.as_tuples(load.report_rows(relpath, sha, len(data), record, text))


def _init_worker() -> None:
    """Workers leave Ctrl-C to the parent, which stops the pool and removes the temporary file."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    search.initialize()


def _results(jobs: list[tuple[str, str]], workers: int) -> Iterator[dict[str, list[tuple]]]:
    """Rows per file, in the order of `jobs` (so a build is reproducible), parsed in parallel."""
    if not jobs:
        return
    if workers <= 1 or len(jobs) <= 1:
        search.initialize()
        for job in jobs:
            yield _work(job)
        return
    search.initialize()  # once in the parent: forked workers inherit the loaded dictionary
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
    chunk = max(1, min(32, len(jobs) // (workers * 8) or 1))
    with ctx.Pool(workers, initializer=_init_worker) as pool:
        yield from pool.imap(_work, jobs, chunksize=chunk)


# --------------------------------------------------------------------------------------------
# Temporary files and atomic replacement
# --------------------------------------------------------------------------------------------

def _temp_path(db_path: Path) -> Path:
    return db_path.with_name(f"{db_path.name}{TEMP_MARK}{os.getpid()}-{os.urandom(4).hex()}")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temps(db_path: Path) -> list[Path]:
    """Delete temporary files left by builds that were killed (their process no longer exists): the database
    being built, its journals, and the checks' scratch folder (ingest.database.checks names it after that file)."""
    removed = []
    pattern = re.compile(re.escape(db_path.name + TEMP_MARK) + r"(\d+)-[0-9a-f]+(-journal|-wal|-shm|\.checks-\w+)?$")
    for p in sorted(db_path.parent.glob(db_path.name + TEMP_MARK + "*")):
        m = pattern.match(p.name)
        if m and not _pid_alive(int(m.group(1))):
            if p.is_dir():
                shutil.rmtree(p, ignore_errors=True)
            else:
                p.unlink(missing_ok=True)
            removed.append(p)
    return removed


def _copy_database(src: Path, dst: Path) -> bool:
    """Consistent copy of the previous database (SQLite backup API). False if it is not usable."""
    try:
        source = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
        try:
            source.execute("SELECT count(*) FROM sqlite_master").fetchone()
            target = sqlite3.connect(dst)
            try:
                source.backup(target)
            finally:
                target.close()
        finally:
            source.close()
        return True
    except sqlite3.DatabaseError:
        Path(dst).unlink(missing_ok=True)
        return False


def _previous_state(db: sqlite_utils.Database) -> dict[str, tuple[str, str]] | None:
    """{path: (id, sha256)} from a database this build can update, or None to start afresh."""
    if not db["reports"].exists() or not db["build_info"].exists():
        return None
    row = db.execute("SELECT value FROM build_info WHERE key = 'schema_version'").fetchone()
    if not row or row[0] != _version_stamp():
        return None
    return {path: (rid, sha) for rid, path, sha in db.execute("SELECT id, path, sha256 FROM reports")}


def _parser_version() -> str:
    try:
        from .. import parse

        return str(getattr(parse, "PARSER_VERSION", getattr(parse, "__version__", "")) or "")
    except ImportError:
        return ""


def _version_stamp() -> str:
    """Schema fingerprint + parser version: if either changed, every report must be parsed again."""
    return f"{schema.schema_version()}/{_parser_version()}"


# --------------------------------------------------------------------------------------------
# The build
# --------------------------------------------------------------------------------------------

def build(dirs: Iterable[str | os.PathLike], db_path: str | os.PathLike, workers: int | None = None,
          progress: bool | None = None) -> dict:
    """Build or update the database at `db_path` from the report files under `dirs`; return a summary."""
    with _sigterm_as_exit():
        return _build(dirs, db_path, workers, progress)


class _sigterm_as_exit:
    """Turn SIGTERM (`kill PID`) into SystemExit during a build so the temporary file is removed."""

    def __enter__(self):
        self.previous = None
        try:
            if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
                self.previous = signal.signal(signal.SIGTERM, self._exit)
        except ValueError:  # not the main thread: leave signals alone
            pass
        return self

    @staticmethod
    def _exit(signum, frame):
        raise SystemExit(128 + signum)

    def __exit__(self, *exc):
        if self.previous is not None:
            signal.signal(signal.SIGTERM, self.previous)
        return False


def _build(dirs, db_path, workers, progress) -> dict:
    started = time.monotonic()
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    workers = workers or os.cpu_count() or 1
    if progress is None:
        progress = sys.stderr.isatty()
    remove_stale_temps(db_path)

    timings: dict[str, float] = {}
    mark = time.monotonic()

    def lap(name: str) -> None:
        nonlocal mark
        now = time.monotonic()
        timings[name] = round(now - mark, 2)
        mark = now

    files = find_reports(dirs)
    current = {}
    for rel, path in files:
        current[rel] = _sha256(path)

    lap("scan")
    tmp = _temp_path(db_path)
    try:
        incremental = db_path.exists() and _copy_database(db_path, tmp)
        db = sqlite_utils.Database(tmp)
        db.execute("PRAGMA journal_mode = OFF")  # the temp file is thrown away on failure: no journal needed
        db.execute("PRAGMA synchronous = OFF")
        db.execute("PRAGMA cache_size = -200000")
        previous = _previous_state(db) if incremental else None
        if previous is None and incremental:
            db.close()
            tmp.unlink()
            db = sqlite_utils.Database(tmp)
            db.execute("PRAGMA journal_mode = OFF")
            db.execute("PRAGMA synchronous = OFF")
            db.execute("PRAGMA cache_size = -200000")
        previous = previous or {}
        fresh = not previous

        load.create_tables(db)
        create_check_results(db.conn)   # the rule files read it: it exists even before the checks run
        if not fresh:
            load.create_indexes(db)  # already there; makes sure new ones exist

        unchanged = {rel for rel, (sha, _) in current.items() if rel in previous and previous[rel][1] == sha}
        to_parse = [(rel, str(path)) for rel, path in files if rel not in unchanged]
        stale_ids = [rid for rel, (rid, _) in previous.items() if rel not in unchanged]

        with db.conn:
            load.delete_reports(db, stale_ids)
        lap("prepare")
        removed = sum(1 for rel in previous if rel not in current)

        loader = load.Loader(db)
        statuses = {"ok": 0, "partial": 0, "failed": 0}
        results = _results(to_parse, workers)
        if progress and to_parse:
            import click

            with click.progressbar(results, length=len(to_parse), label="解析报告", file=sys.stderr,
                                   show_pos=True) as bar:
                for rows in bar:
                    _take(loader, rows, statuses)
        else:
            for rows in results:
                _take(loader, rows, statuses)
        loader.flush()
        load.link_sources(db, files)  # sidecar records and page + attachment pairs (ingest/database/sources.py)
        lap("parse_load")

        if fresh:
            load.create_indexes(db)
        load.write_lookups(db)
        load.create_views(db)
        lap("indexes")
        similar.write_similar(db.conn)   # similar_sections, which the DUP rule reads (ingest/database/similar.py)
        lap("similar")
        _run_checks(db)
        lap("checks")
        stats.write_stats(db.conn)  # after the checks: report_stats counts each report's failed rules
        db.conn.commit()
        lap("stats")
        n_reports = db["reports"].count
        summary = {
            "db": str(db_path), "files": len(files), "reports": n_reports, "parsed": len(to_parse),
            "unchanged": len(unchanged), "removed": removed, "incremental": not fresh,
            "status": statuses, "workers": workers, "timings": timings,
        }
        summary["seconds"] = round(time.monotonic() - started, 2)
        _write_build_info(db, summary, sum(size for _, size in current.values()))
        if not fresh and (to_parse or stale_ids):
            db.execute("INSERT INTO sections_fts(sections_fts) VALUES ('optimize')")
            free, pages = (db.execute(f"PRAGMA {p}").fetchone()[0] for p in ("freelist_count", "page_count"))
            if free > pages // 4:  # many reports replaced: give the space back
                db.conn.commit()
                db.execute("VACUUM")
        db.conn.commit()
        db.execute("PRAGMA journal_mode = DELETE")
        db.close()
        os.replace(tmp, db_path)
        return summary
    finally:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass


_STATUS_AT = list(schema.TABLES["reports"]["columns"]).index("parse_status")


def _take(loader: load.Loader, rows: dict[str, list[tuple]], statuses: dict[str, int]) -> None:
    status = rows["reports"][0][_STATUS_AT]
    statuses[status] = statuses.get(status, 0) + 1
    loader.add(rows)


def _run_checks(db: sqlite_utils.Database) -> None:
    """Fill check_results: every rule of canned_queries/checks/ over every report."""
    run_checks(db.conn)
    db.conn.commit()


def _write_build_info(db: sqlite_utils.Database, summary: dict, corpus_bytes: int) -> None:
    info = [
        ("built_at", datetime.now(timezone.utc).isoformat(timespec="seconds"), "构建时间（UTC）"),
        ("reports", str(summary["reports"]), "报告数"),
        ("corpus_files", str(summary["files"]), "构建时的报告文件数"),
        ("corpus_bytes", str(corpus_bytes), "报告文件总字节数"),
        ("parsed", str(summary["parsed"]), "本次解析的文件数（增量构建时只解析新增或改变的文件）"),
        ("removed", str(summary["removed"]), "本次删除的报告数（文件已不存在）"),
        ("seconds", str(summary["seconds"]), "本次构建用时（秒）"),
        ("parser_version", _parser_version(), "解析器版本"),
        ("schema_version", _version_stamp(), "数据库结构指纹/解析器版本；改变时全部重建"),
        ("sqlite_version", sqlite3.sqlite_version, "SQLite 版本"),
    ]
    db.execute("DELETE FROM build_info")
    db["build_info"].insert_all({"key": k, "value": v, "description": d} for k, v, d in info)
