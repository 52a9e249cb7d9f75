"""`python -m ingest build DIR... --db PATH`: report files → gongkai.db.

Four properties drive the design:
- Parallel: parsing (and jieba segmentation) runs on worker processes over all cores; each worker
  returns ready-made rows, and the one writing process only inserts them in large batches.
- Incremental: a file whose path, size and mtime match `file_stats` (or, when they differ, whose sha256
  matches `reports`) is not read again; a changed file's rows are replaced, a deleted file's report is
  removed; only those reports and the ones whose cross-year or DUP checks pair with them are checked
  again, and the summaries are updated, not rebuilt (`_update`).
- Atomic: a new database (none yet, or the schema or parser fingerprint changed) is built in a temporary
  file next to the target and moved into place with `os.replace`. An incremental build writes the
  database in place as ONE SQLite transaction in WAL mode: readers (the server opens the file read-only,
  not immutable) keep seeing the old database until the commit, then the new one; an interrupted or
  killed build never commits, and SQLite drops its uncommitted pages. No copy of the database is made.
  An interrupted build (Ctrl-C, SIGTERM: ingest.database.interrupt) leaves the previous database as it
  was and removes its temporary files; a temporary file left by a killed build is removed by the next build.
- One file never stops the build: a file that cannot be read (FIFO, device, dangling or looping
  symlink, no permission) is skipped with a warning naming it (stderr and build_info.skipped_files);
  a parse that crashes or runs past the time budget (`timeout`, default PARSE_TIMEOUT seconds: its
  worker is killed and replaced, ingest.database.pool) gives a failed report; a record SQLite refuses
  is stored with its bad values null (ingest.database.load.Loader). Errors that stop the build are
  `BuildError`s with a one-line message.
"""
from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import shutil
import signal
import sqlite3
import stat
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Iterator

import sqlite_utils

from . import interrupt, load, pool, schema, search, similar, stats
from .checks import check_reports, create_check_results, run_checks

# Every file kind the readers take (the parser never raises: a kind it cannot read yet, .doc/.wps,
# gives a record with a warning saying so).
EXTENSIONS = (".txt", ".htm", ".html", ".md", ".markdown", ".pdf", ".docx", ".doc", ".wps")
SKIP_NAMES = ("sources.md", "readme.md")
TEMP_MARK = ".tmp-"
SIDECAR_SUFFIX = ".source.json"     # ingest.collect.sidecar.SUFFIX (a test keeps them equal)
PARSE_TIMEOUT = 60.0    # seconds one file may take to parse before its worker is killed (parse_timeout)


class BuildError(Exception):
    """A build that cannot start or finish for a reason the user can fix; the message is one line."""


@dataclass(frozen=True)
class Skipped:
    """A file (or folder) the build did not read: `path` as shown, `code` (README's warning codes)."""
    path: str
    code: str
    message: str


def path_text(path: str | bytes | os.PathLike) -> str:
    """A path as text SQLite can store: the bytes of a name that is not UTF-8 (which Python keeps as
    surrogates) written as \\xNN. What `reports.path` holds."""
    text = os.fsdecode(path)
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def shown(path: str | bytes | os.PathLike) -> str:
    """A path as one readable line: `path_text`, and control characters (a newline...) escaped."""
    text = path_text(path)
    if not text.isprintable():
        text = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)
    return text


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# Finding the files
# --------------------------------------------------------------------------------------------

_KINDS = ((stat.S_ISFIFO, "命名管道（FIFO）"), (stat.S_ISCHR, "字符设备"), (stat.S_ISBLK, "块设备"),
          (stat.S_ISSOCK, "套接字"), (stat.S_ISDIR, "目录"))


def _not_regular(mode: int) -> str | None:
    """What a file that is not a regular file is (None for a regular file)."""
    if stat.S_ISREG(mode):
        return None
    for test, name in _KINDS:
        if test(mode):
            return name
    return "特殊文件"


def _check_file(path: Path, stats: dict | None = None) -> Skipped | None:
    """Why this name cannot be read as a report (without opening it: a FIFO would block), or None; its
    os.stat result goes into `stats` (the scan compares size and mtime with file_stats)."""
    try:
        st = os.stat(path)
        if stats is not None:
            stats[path] = st
    except FileNotFoundError:
        if os.path.islink(path):
            return Skipped(shown(path), "dangling_symlink", f"符号链接指向不存在的文件：{shown(os.readlink(path))}")
        return Skipped(shown(path), "unreadable_file", "文件在扫描时消失")
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return Skipped(shown(path), "symlink_loop", "符号链接循环指向自身")
        return Skipped(shown(path), "unreadable_file", f"无法读取文件信息：{os_reason(exc)}")
    kind = _not_regular(st.st_mode)
    if kind:
        return Skipped(shown(path), "not_a_regular_file", f"不是普通文件（{kind}），未读取")
    return None


def find_reports(dirs: Iterable[str | os.PathLike], skipped: list[Skipped] | None = None,
                 renamed: set[str] | None = None, stats: dict | None = None) -> list[tuple[str, Path]]:
    """(relative path, absolute path) of every report file under the folders, sorted (`_walk`)."""
    return [(rel, Path(path)) for rel, path in _walk(dirs, skipped, renamed, stats)]


def _walk(dirs: Iterable[str | os.PathLike], skipped: list[Skipped] | None = None,
          renamed: set[str] | None = None, stats: dict | None = None) -> list[tuple[str, str]]:
    """(relative path, absolute path as a string) of every report file under the folders, sorted. Strings, not
    Paths: building 10,000 Path objects was a third of a one-file incremental build's scan.

    The relative path is what `reports.path` holds and what the report id is made from. With one
    folder it is relative to that folder; with several, the folder's name is put in front so two
    folders may hold files of the same name. A name that is not UTF-8 is kept with its bytes escaped
    (\\xNN, `path_text`); such relative paths are added to `renamed`. What cannot be read (see `_check_file`,
    unreadable or symlinked folders) is added to `skipped` and left out.
    """
    dirs = [Path(d) for d in dirs]
    skipped = skipped if skipped is not None else []
    prefixes: dict[str, Path] = {}
    for d in dirs:
        if not d.is_dir():
            raise BuildError(f"不是目录：{shown(d)}")
        name = d.resolve().name
        if len(dirs) > 1 and name in prefixes:
            raise BuildError(f"两个目录同名，报告路径会重复：{shown(prefixes[name])} 和 {shown(d)}")
        prefixes[name] = d
    found: dict[str, Path] = {}
    for d in dirs:
        prefix = f"{d.resolve().name}/" if len(dirs) > 1 else ""

        def unreadable(exc: OSError) -> None:
            skipped.append(Skipped(shown(exc.filename or d), "unreadable_folder", f"无法读取目录：{os_reason(exc)}"))

        for root, subdirs, files in os.walk(d, onerror=unreadable):
            keep = []
            for s in sorted(subdirs):
                if s.startswith("."):
                    continue
                if os.path.islink(os.path.join(root, s)):
                    skipped.append(Skipped(shown(os.path.join(root, s)), "symlinked_folder",
                                           "符号链接指向的目录，未进入（避免循环和重复）"))
                    continue
                keep.append(s)
            subdirs[:] = keep
            # paths as strings here (pathlib's parsing was most of an unchanged rebuild's scan), Path at the end
            under = os.path.relpath(root, d).replace(os.sep, "/")
            under = "" if under == "." else under + "/"
            for name in sorted(files):
                if name.startswith(".") or name.lower() in SKIP_NAMES:
                    continue
                if not name.lower().endswith(EXTENSIONS):
                    continue
                path = os.path.join(root, name)
                problem = _check_file(path, stats)
                if problem:
                    skipped.append(problem)
                    continue
                raw = prefix + under + name
                rel = path_text(raw)
                if rel in found:
                    skipped.append(Skipped(shown(path), "duplicate_path", f"与另一文件的路径相同：{rel}"))
                    continue
                if renamed is not None and rel != raw:
                    renamed.add(rel)
                found[rel] = path
    if stats is not None:
        for rel, path in found.items():
            stats[rel] = stats.pop(path)
    return sorted(found.items())


def _open_regular(path: str | os.PathLike):
    """Open a regular file for reading, never blocking (O_NONBLOCK: a FIFO put in its place after the
    scan is refused, not waited on)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        kind = _not_regular(os.fstat(fd).st_mode)
        if kind:
            raise IsADirectoryError(f"不是普通文件（{kind}）") if kind == "目录" else OSError(f"不是普通文件（{kind}）")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _sha256(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with _open_regular(path) as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
            size += len(block)
    return h.hexdigest(), size


def _read(path: str) -> bytes:
    with _open_regular(path) as fh:
        return fh.read()


_REASONS = {errno.EPERM: "权限不足", errno.ENOENT: "不存在", errno.EIO: "输入输出错误", errno.EACCES: "权限不足",
            errno.ENOTDIR: "路径中有一项不是目录", errno.EISDIR: "是一个目录", errno.ENOSPC: "磁盘空间不足",
            errno.EROFS: "只读文件系统", errno.ENAMETOOLONG: "文件名太长", errno.ELOOP: "符号链接循环",
            errno.EDQUOT: "超出磁盘配额"}


def os_reason(exc: OSError) -> str:
    """An OSError's reason in Chinese (errno known) or as Python says it."""
    if exc.errno in _REASONS:
        return _REASONS[exc.errno]
    return exc.strerror or str(exc)


# --------------------------------------------------------------------------------------------
# Parsing (in the workers)
# --------------------------------------------------------------------------------------------

def parse_one(data: bytes, relpath: str):
    """Parse one file's bytes → (record, text). A separate function so tests can count calls."""
    from ..parse import parse_bytes

    parsed = parse_bytes(data, relpath)
    return parsed.record, parsed.text


@dataclass(frozen=True)
class _Job:
    rel: str            # reports.path (escaped if the name is not UTF-8)
    path: str           # where to read it
    sha256: str         # as the scan saw it: kept for a report that failed by timeout or crash
    size: int
    renamed: bool = False


def _failed(job: _Job, code: str, message: str, sha256: str | None = None) -> dict[str, list[tuple]]:
    return load.as_tuples(load.report_rows(job.rel, sha256, job.size if sha256 else None, None, None,
                                           error=message, code=code))


def _work(job: _Job) -> dict[str, list[tuple]]:
    """Read, hash, parse and flatten one file. Never raises: a failure becomes a failed report."""
    interrupt.stall("parse")
    try:
        data = _read(job.path)
    except OSError as exc:     # gone or replaced since the scan: sha256 null, so the next build tries again
        return _failed(job, "parse_failed", f"读取失败：{os_reason(exc)}")
    sha = hashlib.sha256(data).hexdigest()
    try:
        record, text = parse_one(data, job.rel)
    except Exception as exc:  # one bad file must not stop the build; the error is kept in `warnings`
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        return load.as_tuples(load.report_rows(job.rel, sha, len(data), None, None, error=detail))
    try:
        if job.renamed and isinstance(record, dict):
            record.setdefault("warnings", []).append(
                {"code": "path_not_utf8", "line": None,
                 "message": f"文件名不是 UTF-8 编码，路径按字节转义保存（\\xNN）{_gb18030_reading(job.path)}"})
        return load.as_tuples(load.report_rows(job.rel, sha, len(data), record, text))
    except Exception as exc:
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        return _failed(job, "load_failed", f"整理解析结果失败：{detail}", sha)


def _gb18030_reading(path: str) -> str:
    """Most non-UTF-8 names in Chinese archives are GBK: say how the name reads that way, if it does."""
    name = os.path.basename(path).encode("utf-8", "surrogateescape")
    try:
        return f"；按 GB18030 解读为“{name.decode('gb18030')}”"
    except UnicodeDecodeError:
        return ""


class _ParseTimeout(BaseException):
    """Raised by SIGALRM in an in-process parse (workers=1); a BaseException so no `except Exception`
    inside the parser swallows it."""


def _parse_in_process(jobs: list[_Job], timeout: float | None) -> Iterator[tuple[_Job, dict]]:
    """workers=1: parse in this process (easy to debug, tests count calls). The time budget is then a
    SIGALRM, which interrupts Python code but not one long call into C."""
    search.initialize()
    alarm = bool(timeout) and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    active = [False]

    def on_alarm(signum, frame):
        if active[0]:
            raise _ParseTimeout()

    for job in jobs:
        previous = signal.signal(signal.SIGALRM, on_alarm) if alarm else None
        try:
            if alarm:
                active[0] = True
                signal.setitimer(signal.ITIMER_REAL, timeout)
            rows = _work(job)
            active[0] = False
        except _ParseTimeout:
            rows = _failed(job, "parse_timeout", _timeout_message(timeout), job.sha256)
        finally:
            active[0] = False
            if alarm:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, previous)
        yield job, rows


def _timeout_message(timeout: float | None) -> str:
    return f"解析超时：超过 {timeout:g} 秒未完成，已放弃（文件可能异常复杂或触发了解析器缺陷）"


def _parse_in_pool(jobs: list[_Job], workers: int, timeout: float | None) -> Iterator[tuple[_Job, dict]]:
    """Rows per file, in the order of `jobs` (so a build is reproducible), parsed on `workers` processes."""
    search.initialize()  # once in the parent: forked workers inherit the loaded dictionary
    with pool.Pool(_work, workers, timeout=timeout) as workers_pool:
        for job, out in workers_pool.imap(jobs):
            if isinstance(out, pool.Failure):
                if out.kind == "timeout":
                    out = _failed(job, "parse_timeout", _timeout_message(timeout), job.sha256)
                else:   # a crash may be the machine's (out of memory), not the file's: no sha256, retried next time
                    out = _failed(job, "parse_failed", out.detail)
            yield job, out


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


def _connect_to_read(path: Path) -> sqlite3.Connection:
    """A connection only to read (query_only). Opened read-write where the file and folder allow it: the last
    connection to a WAL-mode database then removes its -wal and -shm on closing, where a `mode=ro` one leaves them."""
    if os.access(path, os.W_OK) and os.access(Path(path).parent, os.W_OK | os.X_OK):
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA query_only = 1")
        return conn
    return sqlite3.connect(_read_only_uri(path), uri=True)


def _read_only_uri(path: Path) -> str:
    return Path(os.path.abspath(path)).as_uri() + "?mode=ro"


SQLITE_MAGIC = b"SQLite format 3\x00"


def is_gongkai_database(path: Path) -> bool:
    """True for a database this build wrote (an SQLite file with gongkai's build_info), of any version."""
    try:
        with _open_regular(path) as fh:
            if fh.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
                return False
        conn = _connect_to_read(path)
        try:
            row = conn.execute("SELECT value FROM build_info WHERE key = 'schema_version'").fetchone()
            return row is not None
        finally:
            conn.close()
    except (OSError, sqlite3.Error):
        return False


def check_target(db_path: Path) -> None:
    """Refuse (BuildError) before any work a target the build must not or cannot replace: an existing
    file that is not a gongkai database (it would be lost), a read-only file or folder."""
    try:
        st = os.stat(db_path)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise BuildError(f"--db {shown(db_path)}：无法访问（{os_reason(exc)}）") from None
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise BuildError(f"--db {shown(db_path)} 是一个目录，请给出数据库文件的路径")
        if not stat.S_ISREG(st.st_mode):
            raise BuildError(f"--db {shown(db_path)} 不是普通文件（{_not_regular(st.st_mode)}），未改动")
        if not is_gongkai_database(db_path):
            raise BuildError(f"--db {shown(db_path)} 已存在但不是 gongkai 数据库（不是 SQLite 文件或没有 build_info 表），"
                             f"未改动；请换一个路径或先删除它")
        if not st.st_mode & 0o222 or not os.access(db_path, os.W_OK):
            raise BuildError(f"--db {shown(db_path)} 是只读文件，未改动")
    folder = db_path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BuildError(f"无法创建数据库所在目录 {shown(folder)}（{os_reason(exc)}）") from None
    dst = os.stat(folder)
    if not dst.st_mode & 0o222 or not os.access(folder, os.W_OK | os.X_OK):
        raise BuildError(f"无法写入数据库所在目录 {shown(folder)}（只读或没有写权限）")


_STATS_KEY = "\x00file_stats"   # in _previous_files' answer: every file_stats row (report files and sidecars)


def _previous_files(db_path: Path) -> dict[str, tuple[str, str | None, int | None, int | None]] | None:
    """{path: (report id, sha256, size, mtime_ns)} of a database an incremental build can update in place,
    None when a new database must be built (missing, or another schema or parser fingerprint)."""
    if not db_path.exists():
        return None
    try:
        conn = _connect_to_read(db_path)
    except sqlite3.Error:
        return None
    try:
        row = conn.execute("SELECT value FROM build_info WHERE key = 'schema_version'").fetchone()
        if not row or row[0] != _version_stamp():
            return None
        stats = {p: (size, mtime) for p, size, mtime in conn.execute("SELECT path, size, mtime_ns FROM file_stats")}
        out = {path: (rid, sha, *stats.get(path, (None, None)))
               for rid, path, sha in conn.execute("SELECT id, path, sha256 FROM reports")}
        out[_STATS_KEY] = stats
        return out
    except sqlite3.Error:
        return None
    finally:
        conn.close()


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
          progress: bool | None = None, timeout: float | None = PARSE_TIMEOUT,
          log: Callable[[str], None] | None = _stderr, check_workers: int | None = None) -> dict:
    """Build or update the database at `db_path` from the report files under `dirs`; return a summary.

    `workers`: parser processes (default one per core; 1 = parse in this process). `timeout`: seconds
    one file may take to parse (None or 0: no limit). `log`: where the phase and warning lines go
    (default stderr; None: nowhere). `check_workers`: processes for the checks (default: their own rule).
    Raises BuildError (one-line message) when the build cannot be done, BuildInterrupted on Ctrl-C or
    SIGTERM; in both cases the target is as it was and no temporary file is left.
    """
    with interrupt.stop_on_signals():
        try:
            return _build(dirs, Path(db_path), workers, progress, timeout, log or (lambda line: None), check_workers)
        except BaseException as exc:
            signum = interrupt.stopping()
            if signum is not None and not isinstance(exc, interrupt.BuildInterrupted):
                raise interrupt.BuildInterrupted(signum) from None
            raise


def _build(dirs, db_path: Path, workers, progress, timeout, log, check_workers) -> dict:
    started = time.monotonic()
    in_process = workers == 1
    workers = workers or os.cpu_count() or 1
    if progress is None:
        progress = sys.stderr.isatty()

    def warn(path: str, message: str) -> None:
        log(f"gongkai: warning: {shown(path)}: {' '.join(message.split())}")

    if not check_workers and os.environ.get("GONGKAI_CHECK_WORKERS", "").isdigit():
        check_workers = int(os.environ["GONGKAI_CHECK_WORKERS"])   # a knob for tests and benchmarks

    check_target(db_path)
    remove_stale_temps(db_path)

    timings: dict[str, float] = {}
    mark = time.monotonic()

    def lap(name: str) -> None:
        nonlocal mark
        now = time.monotonic()
        timings[name] = round(now - mark, 2)
        mark = now

    previous = _previous_files(db_path)
    skipped: list[Skipped] = []
    renamed: set[str] = set()
    files = []
    current: dict[str, tuple[str, int]] = {}
    file_stats: dict[str, tuple[int, int]] = {}
    seen: dict = {}
    for rel, path in _walk(dirs, skipped, renamed, seen):
        try:
            st = seen[rel]
            known = (previous or {}).get(rel)
            if known and known[1] and known[2] == st.st_size and known[3] == st.st_mtime_ns:
                current[rel] = (known[1], st.st_size)       # same size and mtime: not read again
            else:
                current[rel] = _sha256(path)     # the stat taken before: a file changed meanwhile is read next time
        except OSError as exc:
            skipped.append(Skipped(shown(path), "unreadable_file", f"无法读取：{os_reason(exc)}"))
            continue
        file_stats[rel] = (st.st_size, st.st_mtime_ns)
        try:        # its sidecar record (ingest/collect/sidecar.py): a new, changed or removed one is a change too
            sc = os.stat(f"{path}{SIDECAR_SUFFIX}")
            file_stats[rel + SIDECAR_SUFFIX] = (sc.st_size, sc.st_mtime_ns)
        except OSError:
            pass
        files.append((rel, path))
        if len(files) == 1:
            interrupt.stall("scan")
    for s in skipped:
        warn(s.path, f"已跳过（{s.code}）：{s.message}")
    for rel, path in files:
        if rel in renamed:
            warn(rel, f"文件名不是 UTF-8 编码，路径按字节转义保存（path_not_utf8）{_gb18030_reading(str(path))}")
    log(f"gongkai: 扫描：{len(files)} 个报告文件" + (f"，跳过 {len(skipped)} 个" if skipped else ""))
    lap("scan")
    scan = _Scan(files, current, file_stats, skipped, renamed)
    run = _Run(workers, in_process, progress, timeout, log, warn, check_workers, started, timings, lap)
    if previous is not None:
        return _update(db_path, previous, scan, run)
    return _fresh(db_path, scan, run)


@dataclass
class _Scan:
    files: list                          # (rel, path) of every report file found
    current: dict                        # rel -> (sha256, size)
    stats: dict                          # rel -> (size, mtime_ns)
    skipped: list
    renamed: set


@dataclass
class _Run:
    workers: int
    in_process: bool
    progress: bool
    timeout: float | None
    log: Callable
    warn: Callable
    check_workers: int | None
    started: float
    timings: dict
    lap: Callable


def _parse_and_load(db: sqlite_utils.Database, to_parse: list[_Job], unchanged: int, run: _Run) -> load.Loader:
    run.log(f"gongkai: 解析：{len(to_parse)} 个文件（未改变 {unchanged} 个），"
            f"{'本进程' if run.in_process else f'{run.workers} 个进程'}，每个文件限时 {run.timeout:g} 秒" if run.timeout else
            f"gongkai: 解析：{len(to_parse)} 个文件（未改变 {unchanged} 个）")
    # written on a second thread while the workers' next results are read (load.Loader): with workers only
    batch = load.BATCH_REPORTS
    if os.environ.get("GONGKAI_LOAD_BATCH", "").isdigit():      # a knob for tests: small batches, thread and all
        batch = max(1, int(os.environ["GONGKAI_LOAD_BATCH"]))
    loader = load.Loader(db, batch_reports=batch, warn=run.warn,
                         background=not run.in_process and len(to_parse) > 2 * batch)
    results = (_parse_in_process(to_parse, run.timeout) if run.in_process
               else _parse_in_pool(to_parse, run.workers, run.timeout))
    try:
        _load_results(loader, results, run, len(to_parse))
        loader.flush()
    except BaseException:
        loader.abandon()
        raise
    return loader


def _load_results(loader: load.Loader, results, run: _Run, n: int) -> None:
    with contextlib.closing(results):
        if run.progress and n:
            import click

            with click.progressbar(results, length=n, label="解析报告", file=sys.stderr, show_pos=True) as bar:
                for job, rows in bar:
                    _take(loader, job, rows, run.warn)
        else:
            for job, rows in results:
                _take(loader, job, rows, run.warn)


def _write_file_stats(conn: sqlite3.Connection, scan: _Scan, paths=None) -> None:
    """file_stats of these paths (default: every file), for the next build's scan."""
    paths = scan.stats.keys() if paths is None else paths
    conn.executemany("INSERT OR REPLACE INTO file_stats (path, size, mtime_ns) VALUES (?, ?, ?)",
                     ((p, *scan.stats[p]) for p in paths if p in scan.stats))


def _fresh(db_path: Path, scan: _Scan, run: _Run) -> dict:
    """A new database in a temporary file next to the target, moved into place when complete."""
    tmp = _temp_path(db_path)
    try:
        try:
            db = _open_temp(tmp)
        except OSError as exc:
            raise BuildError(f"无法在 {shown(db_path.parent)} 写入临时数据库（{os_reason(exc)}）") from None
        load.create_tables(db)
        create_check_results(db.conn)   # the rule files read it: it exists even before the checks run
        to_parse = [_Job(rel, str(path), *scan.current[rel], renamed=rel in scan.renamed) for rel, path in scan.files]
        interrupt.stall("prepare")
        run.lap("prepare")
        loader = _parse_and_load(db, to_parse, 0, run)
        load.link_sources(db, scan.files)  # sidecar records and page + attachment pairs (ingest/database/sources.py)
        _write_file_stats(db.conn, scan)
        db.conn.commit()
        run.lap("parse_load")

        run.log("gongkai: 建索引")
        load.create_indexes(db)
        interrupt.stall("indexes", db.conn)
        load.write_lookups(db)
        load.create_views(db)
        run.lap("indexes")
        similar.write_similar(db.conn)   # similar_sections, which the DUP rule reads (ingest/database/similar.py)
        run.lap("similar")
        run.log("gongkai: 勾稽核对")
        _run_checks(db, run.check_workers) if run.check_workers else _run_checks(db)
        run.lap("checks")
        run.log("gongkai: 汇总统计")
        interrupt.stall("stats", db.conn)
        stats.write_stats(db.conn)  # after the checks: report_stats counts each report's failed rules
        db.conn.commit()
        run.lap("stats")
        summary = _summary(db, db_path, scan, run, len(to_parse), 0, 0, False, loader)
        db.conn.commit()
        db.execute("PRAGMA journal_mode = WAL")    # what an incremental build then writes in (see _update)
        db.close()
        interrupt.disarm()      # from here the new database is complete: a late Ctrl-C no longer undoes it
        _release_wal(db_path)
        try:
            os.replace(tmp, db_path)
        except OSError as exc:
            raise BuildError(f"无法用新数据库替换 {shown(db_path)}（{os_reason(exc)}）") from None
        return summary
    finally:
        for leftover in (tmp, *(tmp.with_name(tmp.name + x) for x in ("-journal", "-wal", "-shm"))):
            try:
                leftover.unlink(missing_ok=True)
            except OSError:
                pass


def _release_wal(db_path: Path) -> None:
    """Before a new file replaces a WAL-mode database: copy its log into it (checkpoint) and remove its -wal and
    -shm, so connections to the new file start their own (sharing the old file's log by name would mix the two);
    a server's open connections keep the old ones until they reopen."""
    if not db_path.exists():
        return
    try:
        conn = sqlite3.connect(db_path, timeout=10)
        try:
            busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return
    if not busy:
        for suffix in ("-wal", "-shm"):
            with contextlib.suppress(OSError):
                db_path.with_name(db_path.name + suffix).unlink()


class _OneTransaction(sqlite3.Connection):
    """A connection on which commit() and `with conn:` (everything the load, checks and summaries call) leave the
    transaction open: an incremental build is one transaction, committed by `finish` or rolled back."""

    def commit(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> bool:
        return False

    def finish(self) -> None:
        sqlite3.Connection.commit(self)


def _open_in_place(db_path: Path) -> sqlite_utils.Database:
    conn = sqlite3.connect(db_path, factory=_OneTransaction, timeout=30, check_same_thread=False)  # loader thread
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA cache_size = -200000")
    interrupt.watch(conn)
    db = sqlite_utils.Database(conn)
    conn.execute("BEGIN IMMEDIATE")    # one writer; readers go on reading the old database until the commit
    return db


def _agency_reports(conn: sqlite3.Connection, ids) -> set[str]:
    """The reports of these reports' agencies (any year: L-cumulative pairs a report with its agency's latest earlier
    year, X-* with the year before)."""
    conn.execute("DROP TABLE IF EXISTS temp.changed")
    conn.execute("CREATE TEMP TABLE changed (id TEXT PRIMARY KEY)")
    conn.executemany("INSERT OR IGNORE INTO temp.changed VALUES (?)", ((r,) for r in ids))
    rows = conn.execute(
        "SELECT id FROM reports WHERE id IN (SELECT id FROM temp.changed) UNION "
        "SELECT r.id FROM reports r WHERE r.agency_id IN "
        "(SELECT agency_id FROM reports WHERE id IN (SELECT id FROM temp.changed) AND agency_id IS NOT NULL)").fetchall()
    conn.execute("DROP TABLE temp.changed")
    return {r for (r,) in rows}


def _update(db_path: Path, previous: dict, scan: _Scan, run: _Run) -> dict:
    """Update the database in place, in one transaction (module docstring)."""
    previous = dict(previous)
    old_stats = previous.pop(_STATS_KEY)
    unchanged = {rel for rel, (sha, _) in scan.current.items() if rel in previous and previous[rel][1] == sha}
    to_parse = [_Job(rel, str(path), *scan.current[rel], renamed=rel in scan.renamed)
                for rel, path in scan.files if rel not in unchanged]
    stale_ids = [rid for rel, (rid, *_) in previous.items() if rel not in unchanged]
    removed = sum(1 for rel in previous if rel not in scan.current)
    touched = [p for p in scan.stats if p not in {j.rel for j in to_parse} and scan.stats[p] != old_stats.get(p)]
    gone_stats = [p for p in old_stats if p not in scan.stats]
    # reports whose sidecar record came, changed or went: their source columns change (link_sources)
    sidecar_ids = {previous[p[:-len(SIDECAR_SUFFIX)]][0] for p in touched + gone_stats
                   if p.endswith(SIDECAR_SUFFIX) and p[:-len(SIDECAR_SUFFIX)] in previous
                   and p[:-len(SIDECAR_SUFFIX)] in unchanged}
    if not to_parse and not stale_ids and not touched and not gone_stats:
        run.log("gongkai: 解析：0 个文件（未改变 %d 个），数据库未改动" % len(unchanged))
        return _unchanged_summary(db_path, scan, run, len(unchanged))
    try:
        db = _open_in_place(db_path)
    except sqlite3.Error as exc:
        raise BuildError(f"无法写入数据库 {shown(db_path)}（{exc}）") from None
    conn = db.conn
    try:
        load.create_tables(db)          # same fingerprint: nothing new, but cheap to make sure
        old_neighbours = _agency_reports(conn, stale_ids)
        removed_sentences: list = []
        dup_partners = similar.forget_reports(conn, stale_ids, removed_sentences)
        before = stats.rule_totals(conn, stale_ids)     # what the replaced reports added to check_stats
        load.delete_reports(db, stale_ids)
        conn.executemany("DELETE FROM file_stats WHERE path = ?", ((p,) for p in gone_stats))
        interrupt.stall("prepare", conn)
        run.lap("prepare")
        loader = _parse_and_load(db, to_parse, len(unchanged), run)
        relink = {j.rel for j in to_parse} | {p[:-len(SIDECAR_SUFFIX)] for p in touched + gone_stats
                                               if p.endswith(SIDECAR_SUFFIX)}
        load.link_sources(db, scan.files, only=relink)
        _write_file_stats(conn, scan, [j.rel for j in to_parse] + touched)
        run.lap("parse_load")
        interrupt.stall("indexes", conn)
        run.lap("indexes")
        loaded = [r for (r,) in conn.execute("SELECT id FROM reports WHERE path IN (%s)" % ",".join("?" * len(to_parse)),
                                             [j.rel for j in to_parse])] if to_parse else []
        paired = similar.update_similar(conn, loaded, removed_sentences)
        run.lap("similar")
        new_neighbours = _agency_reports(conn, loaded)
        present = {r for (r,) in conn.execute("SELECT id FROM reports")} if paired is None else None
        recheck = (old_neighbours | new_neighbours | dup_partners | (paired or set()) | set(loaded) | sidecar_ids)
        recheck = {r for r in recheck if r in present} if present is not None else \
            {r for r in recheck if conn.execute("SELECT 1 FROM reports WHERE id = ?", (r,)).fetchone()}
        run.log(f"gongkai: 勾稽核对：{len(recheck)} 份报告" + ("（DUP 全部重新核对）" if paired is None else ""))
        for key, values in stats.rule_totals(conn, recheck).items():
            if key in before:
                before[key] = [values[0], *(a + b for a, b in zip(before[key][1:], values[1:]))]
            else:
                before[key] = values
        check_reports(conn, recheck, everywhere={"DUP"} if paired is None else set())
        run.lap("checks")
        interrupt.stall("stats", conn)
        if paired is None:
            stats.write_stats(conn)
        else:
            stats.update_stats(conn, recheck | set(stale_ids), before, stats.rule_totals(conn, recheck))
        run.lap("stats")
        summary = _summary(db, db_path, scan, run, len(to_parse), len(unchanged), removed, True, loader)
        interrupt.disarm()      # the commit is the moment the new database appears, whole
        conn.finish()
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            conn.rollback()
        conn.close()
        raise
    with contextlib.suppress(sqlite3.Error):
        free, pages = (conn.execute(f"PRAGMA {p}").fetchone()[0] for p in ("freelist_count", "page_count"))
        if free > pages // 4:  # many reports replaced: give the space back
            conn.execute("VACUUM")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")    # the file itself (downloads, publish) holds the new data
    conn.close()
    return summary


def _summary(db, db_path: Path, scan: _Scan, run: _Run, parsed: int, unchanged: int, removed: int,
             incremental: bool, loader: load.Loader) -> dict:
    n_reports = db.execute("SELECT count(*) FROM reports").fetchone()[0]
    summary = {
        "db": str(db_path), "files": len(scan.files), "reports": n_reports, "parsed": parsed,
        "unchanged": unchanged, "removed": removed, "skipped": len(scan.skipped), "incremental": incremental,
        "status": loader.statuses, "workers": 1 if run.in_process else run.workers,
        "timeout": run.timeout or None, "timings": run.timings,
    }
    summary["seconds"] = round(time.monotonic() - run.started, 2)
    _write_build_info(db, summary, sum(size for _, size in scan.current.values()), scan.skipped)
    return summary


def _unchanged_summary(db_path: Path, scan: _Scan, run: _Run, unchanged: int) -> dict:
    """Nothing to do: the database is not opened for writing (its readers' caches stay valid)."""
    conn = _connect_to_read(db_path)
    try:
        n_reports = conn.execute("SELECT count(*) FROM reports").fetchone()[0]
    finally:
        conn.close()
    return {"db": str(db_path), "files": len(scan.files), "reports": n_reports, "parsed": 0, "unchanged": unchanged,
            "removed": 0, "skipped": len(scan.skipped), "incremental": True,
            "status": {"ok": 0, "partial": 0, "failed": 0}, "workers": 1 if run.in_process else run.workers,
            "timeout": run.timeout or None, "timings": run.timings,
            "seconds": round(time.monotonic() - run.started, 2)}


def _open_temp(tmp: Path) -> sqlite_utils.Database:
    """The temporary database, tuned for one bulk writer. journal_mode MEMORY, not OFF: the loader rolls
    back a batch SQLite refused (ingest.database.load.Loader), which OFF does not allow; a crash
    loses nothing but the temporary file anyway."""
    db = sqlite_utils.Database(sqlite3.connect(tmp, check_same_thread=False))    # the loader's writer thread
    db.execute("PRAGMA journal_mode = MEMORY")
    db.execute("PRAGMA synchronous = OFF")
    db.execute("PRAGMA cache_size = -200000")
    interrupt.watch(db.conn)
    return db


_STATUS_AT = list(schema.TABLES["reports"]["columns"]).index("parse_status")
_CODE_AT = list(schema.TABLES["warnings"]["columns"]).index("code")
_MESSAGE_AT = list(schema.TABLES["warnings"]["columns"]).index("message")


def _take(loader: load.Loader, job: _Job, rows: dict[str, list[tuple]], warn) -> None:
    if rows["reports"][0][_STATUS_AT] == "failed":
        for w in rows["warnings"][:1]:
            warn(job.rel, f"{w[_MESSAGE_AT]}（{w[_CODE_AT]}）")
    loader.add(rows)


def _run_checks(db: sqlite_utils.Database, workers: int | None = None) -> None:
    """Fill check_results: every rule of canned_queries/checks/ over every report."""
    run_checks(db.conn, workers=workers)
    db.conn.commit()


def _write_build_info(db: sqlite_utils.Database, summary: dict, corpus_bytes: int,
                      skipped: list[Skipped] = ()) -> None:
    info = [
        ("built_at", datetime.now(timezone.utc).isoformat(timespec="seconds"), "构建时间（UTC）"),
        ("build_id", os.urandom(8).hex(), "本次构建的编号（随机）：网站据此发现数据库已更新，清空页面缓存"),
        ("reports", str(summary["reports"]), "报告数"),
        ("corpus_files", str(summary["files"]), "构建时的报告文件数"),
        ("corpus_bytes", str(corpus_bytes), "报告文件总字节数"),
        ("parsed", str(summary["parsed"]), "本次解析的文件数（增量构建时只解析新增或改变的文件）"),
        ("removed", str(summary["removed"]), "本次删除的报告数（文件已不存在）"),
        ("skipped", str(len(skipped)), "本次跳过的文件数（无法读取的文件，见 skipped_files）"),
        ("skipped_files", json.dumps([{"path": s.path, "code": s.code, "message": s.message} for s in skipped],
                                     ensure_ascii=False),
         "本次跳过的文件（JSON 列表，每项含路径 path、警告代码 code、原因 message）：命名管道、设备、"
         "失效或循环的符号链接、无权限读取的文件和目录"),
        ("parse_timeout", str(summary.get("timeout") or ""), "每个文件的解析时限（秒）；超时的文件记为失败（parse_timeout）"),
        ("seconds", str(summary["seconds"]), "本次构建用时（秒）"),
        ("parser_version", _parser_version(), "解析器版本"),
        ("schema_version", _version_stamp(), "数据库结构指纹/解析器版本；改变时全部重建"),
        ("sqlite_version", sqlite3.sqlite_version, "SQLite 版本"),
        ("dup_common_limit", str(similar.common_limit(db.conn)),
         "内容雷同比较中“多机关共有的句子”所需的机关数（增量构建据此判断是否要重新统计全部句子）"),
    ]
    db.execute("DELETE FROM build_info")
    db["build_info"].insert_all({"key": k, "value": v, "description": d} for k, v, d in info)
