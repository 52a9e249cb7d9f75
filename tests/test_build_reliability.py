"""The build never stops, hangs or lies because of one file, and always stops when told to.

Odd files (FIFO, device, dangling and looping symlinks, sockets, unreadable files and folders, names that
are not UTF-8) are skipped or kept with a warning naming them; a value SQLite cannot store, a record it
refuses, a parse that hangs or a worker that dies cost one report, never the batch; Ctrl-C or SIGTERM in
every phase stops the build within seconds with no worker left, the previous database unchanged and no
temporary file; `--db` on something that is not a gongkai database is refused; every error is one line.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import ingest.database.build as b
import ingest.database.load as load
from ingest.__main__ import main
from ingest.database.build import BuildError, build
from ingest.database.load import report_id

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "data" / "reports"
SEED_000 = "000_82a0420bca058b17.txt"      # 2019 form, table 3 new_received = 24 1 0 0 0 0 25
SEED_004 = "004_2baf5ee0490418e5.txt"      # 2021 form, table 3 new_received = 14 0 0 0 0 0 14
SEED_003 = "003_4c968f10fc5de52b.txt"      # legacy report, no tables
APP_COLS = ", ".join(__import__("ingest.forms", fromlist=["x"]).APPLICANT_COLUMN_KEYS)
GBK_NAME = "政府信息公开_2020.txt".encode("gb18030")     # a name as a Windows archive leaves it: not UTF-8


def _env(**extra) -> dict:
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return dict(os.environ, PYTHONPATH=path, **extra)


def _corpus(dst: Path, *names: str) -> Path:
    dst.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copyfile(CORPUS / name, dst / name)
    return dst


def _new_received(db_path: Path, path: str):
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(f"SELECT {APP_COLS} FROM applications WHERE report_id = ? AND row_key = 'new_received'",
                            [report_id(path)]).fetchone()
    finally:
        conn.close()


def _query(db_path: Path, sql: str, params=()):
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def _skipped(db_path: Path) -> dict[str, str]:
    import json

    value = _query(db_path, "SELECT value FROM build_info WHERE key = 'skipped_files'")[0][0]
    return {Path(s["path"]).name: s["code"] for s in json.loads(value)}


def _cli(*args, restricted: bool = False, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run `python -m ingest build ARGS`; `restricted`: without the power to ignore file permissions."""
    prefix = _without_permission_override() if restricted else []
    return subprocess.run([*prefix, sys.executable, "-m", "ingest", "build", *map(str, args)], cwd=ROOT,
                          env=_env(), capture_output=True, timeout=timeout)


def _without_permission_override() -> list[str]:
    """The tests may run as root, who reads and writes any file: drop that power (CAP_DAC_OVERRIDE and
    CAP_DAC_READ_SEARCH) for the build so file permissions apply to it as to any user."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if not setpriv:
        pytest.skip("running as root without setpriv: file permissions cannot be tested")
    caps = "-dac_override,-dac_read_search"
    return [setpriv, "--bounding-set", caps, "--inh-caps", caps]


def _one_error_line(stderr: bytes) -> str:
    text = stderr.decode("utf-8")
    assert "Traceback" not in text, text
    errors = [ln for ln in text.splitlines() if ln.startswith("gongkai: error:")]
    assert len(errors) == 1, text
    return errors[0]


# --------------------------------------------------------------------------------------------
# Odd files
# --------------------------------------------------------------------------------------------

def test_odd_files_are_skipped_with_a_warning_and_the_build_goes_on(tmp_path):
    """FIFO, device, socket, dangling and looping symlinks, a symlinked folder: skipped, named on stderr
    and in build_info.skipped_files; the readable reports are built. A run of the real command, under a
    timeout, because a FIFO opened the usual way would block it forever."""
    corpus = _corpus(tmp_path / "c", SEED_000, SEED_004)
    os.mkfifo(corpus / "fifo.txt")
    (corpus / "dangling.txt").symlink_to(corpus / "gone.txt")
    (corpus / "loop.txt").symlink_to(corpus / "loop.txt")
    (corpus / "zero.txt").symlink_to("/dev/zero")            # a device: reading it would never end
    (corpus / "sub").mkdir()
    (corpus / "sub" / "again").symlink_to(corpus, target_is_directory=True)
    (corpus / "linked.txt").symlink_to(corpus / SEED_000)   # a symlink to a report is a report
    sock = None
    if len(str(corpus / "socket.txt")) < 100:
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(corpus / "socket.txt"))
    try:
        proc = _cli(corpus, "--db", tmp_path / "x.db", "--workers", "2", timeout=60)
    finally:
        if sock:
            sock.close()
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    expected = {"fifo.txt": "not_a_regular_file", "dangling.txt": "dangling_symlink", "loop.txt": "symlink_loop",
                "zero.txt": "not_a_regular_file", "again": "symlinked_folder"}
    if sock:
        expected["socket.txt"] = "not_a_regular_file"
    for name, code in expected.items():
        assert [ln for ln in err.splitlines() if ln.startswith("gongkai: warning:") and name in ln and code in ln], \
            (name, err)
    db = tmp_path / "x.db"
    assert _skipped(db) == expected
    assert sorted(r[0] for r in _query(db, "SELECT path FROM reports")) == sorted([SEED_000, SEED_004, "linked.txt"])
    assert _new_received(db, SEED_000) == (24, 1, 0, 0, 0, 0, 25)
    assert _new_received(db, "linked.txt") == (24, 1, 0, 0, 0, 0, 25)
    assert _new_received(db, SEED_004) == (14, 0, 0, 0, 0, 0, 14)
    assert _query(db, "SELECT value FROM build_info WHERE key = 'skipped'") == [(str(len(expected)),)]


def test_name_that_is_not_utf8_is_kept_with_its_bytes_escaped(tmp_path):
    corpus = _corpus(tmp_path / "c", SEED_004)
    raw = os.fsencode(corpus) + b"/" + GBK_NAME
    with open(raw, "wb") as fh:
        fh.write((CORPUS / SEED_000).read_bytes())
    db = tmp_path / "x.db"
    lines: list[str] = []
    summary = build([corpus], db, workers=1, log=lines.append)
    escaped = GBK_NAME.decode("utf-8", "surrogateescape").encode("utf-8", "surrogateescape") \
        .decode("utf-8", "backslashreplace")
    assert escaped.startswith("\\xd5\\xfe\\xb8\\xae")     # 政 = D5FE, 府 = B8AE in GBK
    assert summary["reports"] == 2 and summary["skipped"] == 0
    assert sorted(r[0] for r in _query(db, "SELECT path FROM reports")) == sorted([SEED_004, escaped])
    assert _new_received(db, escaped) == (24, 1, 0, 0, 0, 0, 25)
    (message,) = _query(db, "SELECT message FROM warnings WHERE report_id = ? AND code = 'path_not_utf8'",
                        [report_id(escaped)])[0]
    assert "按 GB18030 解读为“政府信息公开_2020.txt”" in message
    assert [ln for ln in lines if ln.startswith(f"gongkai: warning: {escaped}:") and "path_not_utf8" in ln]
    # the escaped path is the report's stable identity: an unchanged rebuild parses nothing
    again = build([corpus], db, workers=1, log=None)
    assert (again["parsed"], again["unchanged"]) == (0, 2)


def test_unreadable_file_and_folder_are_skipped(tmp_path):
    corpus = _corpus(tmp_path / "c", SEED_000, SEED_004)
    (corpus / "secret.txt").write_bytes((CORPUS / SEED_003).read_bytes())
    (corpus / "secret.txt").chmod(0o000)
    (corpus / "closed").mkdir()
    (corpus / "closed" / "inside.txt").write_bytes((CORPUS / SEED_003).read_bytes())
    (corpus / "closed").chmod(0o000)
    try:
        proc = _cli(corpus, "--db", tmp_path / "x.db", "--workers", "2", restricted=True)
    finally:
        (corpus / "closed").chmod(0o755)
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert _skipped(tmp_path / "x.db") == {"secret.txt": "unreadable_file", "closed": "unreadable_folder"}
    assert [ln for ln in err.splitlines() if "secret.txt" in ln and "权限不足" in ln]
    assert sorted(r[0] for r in _query(tmp_path / "x.db", "SELECT path FROM reports")) == sorted([SEED_000, SEED_004])


def test_a_file_that_vanishes_after_the_scan_is_a_failed_report_that_is_retried(tmp_path, monkeypatch):
    corpus = _corpus(tmp_path / "c", SEED_000, SEED_004)
    real = b._read

    def read(path):
        if path.endswith(SEED_004):
            raise PermissionError(13, "Permission denied", path)
        return real(path)

    monkeypatch.setattr(b, "_read", read)
    db = tmp_path / "x.db"
    summary = build([corpus], db, workers=1, log=None)
    assert summary["status"] == {"ok": 1, "partial": 0, "failed": 1}
    assert _query(db, "SELECT sha256, parse_status FROM reports WHERE path = ?", [SEED_004]) == [(None, "failed")]
    assert _query(db, "SELECT message FROM warnings WHERE report_id = ?", [report_id(SEED_004)]) == \
        [("解析失败：读取失败：权限不足",)]
    monkeypatch.setattr(b, "_read", real)
    again = build([corpus], db, workers=1, log=None)      # no sha256 recorded: parsed again
    assert again["parsed"] == 1 and _new_received(db, SEED_004) == (14, 0, 0, 0, 0, 0, 14)


def test_a_scan_sees_every_report_kind():
    assert set(b.EXTENSIONS) == {".txt", ".htm", ".html", ".md", ".markdown", ".pdf", ".docx", ".doc", ".wps"}


def test_report_kinds_are_collected_by_extension(tmp_path):
    for name in ("a.pdf", "b.DOCX", "c.doc", "d.wps", "e.txt", "f.xlsx", "g.pdfx"):
        (tmp_path / name).write_bytes(b"x")
    assert [rel for rel, _ in b.find_reports([tmp_path])] == ["a.pdf", "b.DOCX", "c.doc", "d.wps", "e.txt"]


def test_two_folders_of_the_same_name_are_a_command_line_error(tmp_path):
    one, two = tmp_path / "a" / "reports", tmp_path / "b" / "reports"
    _corpus(one, SEED_000)
    _corpus(two, SEED_004)
    with pytest.raises(BuildError, match="两个目录同名"):
        build([one, two], tmp_path / "x.db", workers=1, log=None)
    assert not (tmp_path / "x.db").exists()


# --------------------------------------------------------------------------------------------
# Load: a value or a record SQLite refuses costs one report, never the batch
# --------------------------------------------------------------------------------------------

def _patched_parse(monkeypatch, name: str, change):
    real = b.parse_one

    def parse_one(data, relpath):
        record, text = real(data, relpath)
        if relpath == name:
            change(record)
        return record, text

    monkeypatch.setattr(b, "parse_one", parse_one)


def test_values_beyond_64_bits_and_odd_types_are_stored_as_null_with_a_warning(tmp_path, monkeypatch):
    """A cell beyond ±2^63-1 made the whole build abort with OverflowError, naming no file."""
    def change(record):
        record["applications"]["new_received"]["natural_person"] = 10 ** 30
        record["applications"]["new_received"]["commercial"] = -(10 ** 5000)
        record["report"]["title"] = "标题\udcd5"             # a lone surrogate: not UTF-8-encodable
        cell = next(c for c in record["cells"] if c["table"] == "applications" and c["row"] == "new_received")
        cell["value"] = 10 ** 1_000_000
        record["facts"].append({"metric": "odd", "value": 1, "unit": ["not", "a", "unit"], "text": "x", "line": 1})

    _patched_parse(monkeypatch, SEED_000, change)
    corpus = _corpus(tmp_path / "c", SEED_000, SEED_004, SEED_003)
    db = tmp_path / "x.db"
    lines: list[str] = []
    summary = build([corpus], db, workers=1, log=lines.append)
    assert summary["reports"] == 3 and summary["status"]["failed"] == 0
    assert _new_received(db, SEED_000) == (None, None, 0, 0, 0, 0, 25)
    assert _new_received(db, SEED_004) == (14, 0, 0, 0, 0, 0, 14)      # the rest of the batch is there
    assert _query(db, "SELECT title, parse_status FROM reports WHERE path = ?", [SEED_000]) == \
        [("标题\\xd5", "partial")]
    messages = sorted(m for (m,) in _query(db, "SELECT message FROM warnings WHERE report_id = ? "
                                               "AND code = 'value_not_storable'", [report_id(SEED_000)]))
    assert messages == sorted([
        "applications.natural_person：整数超出 SQLite 可存储的 64 位范围（约 31 位数字），已存为空值",
        "applications.commercial：整数超出 SQLite 可存储的 64 位范围（约 5001 位数字），已存为空值",
        "cells.value：整数超出 SQLite 可存储的 64 位范围（约 1000001 位数字），已存为空值",
        "facts.unit：无法存储的数据类型 list，已存为空值",
        "reports.title：文字含无法编码的字符，已转义保存",
    ])
    n_warnings = _query(db, "SELECT n_warnings FROM reports WHERE path = ?", [SEED_000])[0][0]
    assert n_warnings == _query(db, "SELECT count(*) FROM warnings WHERE report_id = ?", [report_id(SEED_000)])[0][0]
    assert len([ln for ln in lines if ln.startswith(f"gongkai: warning: {SEED_000}:")]) == 5


def test_a_record_sqlite_refuses_is_a_failed_report(tmp_path, monkeypatch):
    real = load.report_rows

    def report_rows(relpath, *args, **kw):
        rows = real(relpath, *args, **kw)
        if relpath == SEED_004 and rows["source_texts"]:
            rows["source_texts"].append(dict(rows["source_texts"][0]))   # a second row for the same key
        return rows

    monkeypatch.setattr(load, "report_rows", report_rows)
    corpus = _corpus(tmp_path / "c", SEED_000, SEED_004, SEED_003)
    db = tmp_path / "x.db"
    lines: list[str] = []
    summary = build([corpus], db, workers=1, log=lines.append)
    assert summary["status"] == {"ok": 2, "partial": 0, "failed": 1}
    sha = hashlib.sha256((CORPUS / SEED_004).read_bytes()).hexdigest()
    assert _query(db, "SELECT sha256, parse_status FROM reports WHERE path = ?", [SEED_004]) == [(sha, "failed")]
    ((code, message),) = _query(db, "SELECT code, message FROM warnings WHERE report_id = ?", [report_id(SEED_004)])
    assert code == "load_failed" and message.startswith("入库失败：IntegrityError: UNIQUE constraint failed")
    assert _query(db, "SELECT count(*) FROM applications WHERE report_id = ?", [report_id(SEED_004)]) == [(0,)]
    assert _new_received(db, SEED_000) == (24, 1, 0, 0, 0, 0, 25)
    assert [ln for ln in lines if ln.startswith(f"gongkai: warning: {SEED_004}: 入库失败")]


def test_an_error_while_flattening_a_record_is_a_failed_report(tmp_path, monkeypatch):
    def change(record):
        record["cells"][0]["span"] = [3]       # one number where a span has two: report_rows raises

    _patched_parse(monkeypatch, SEED_004, change)
    corpus = _corpus(tmp_path / "c", SEED_000, SEED_004)
    db = tmp_path / "x.db"
    summary = build([corpus], db, workers=1, log=None)
    assert summary["status"]["failed"] == 1 and summary["reports"] == 2
    ((code, message),) = _query(db, "SELECT code, message FROM warnings WHERE report_id = ?", [report_id(SEED_004)])
    assert code == "load_failed" and message.startswith("整理解析结果失败：IndexError")


def test_a_database_that_cannot_be_written_stops_the_build_instead_of_failing_every_report(tmp_path, capsys,
                                                                                           monkeypatch):
    """A full disk is not a bad record: the build stops with one line and the previous database stays."""
    corpus = _corpus(tmp_path / "c", SEED_000)
    db = tmp_path / "x.db"
    build([corpus], db, workers=1, log=None)
    before = db.read_bytes()
    (corpus / SEED_004).write_bytes((CORPUS / SEED_004).read_bytes())

    def full(self, reports):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(load.Loader, "_insert", full)
    assert main(["build", str(corpus), "--db", str(db), "--workers", "1"]) == 1
    assert _one_error_line(capsys.readouterr().err.encode()) == \
        "gongkai: error: 数据库写入失败：database or disk is full；构建未完成，原数据库未改动"
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c", "x.db"]


# --------------------------------------------------------------------------------------------
# The time budget per file
# --------------------------------------------------------------------------------------------

def _hanging_parse(monkeypatch, names: dict[str, str]):
    """parse_one that hangs (`sleep`: in a C call, `spin`: in Python) or kills its process (`crash`) on these
    files. The build's workers are forked, so they run this patched function too."""
    real = b.parse_one

    def parse_one(data, relpath):
        how = names.get(relpath)
        if how == "sleep":
            time.sleep(3600)
        elif how == "spin":
            while True:
                pass
        elif how == "crash":
            os.kill(os.getpid(), signal.SIGKILL)
        return real(data, relpath)

    monkeypatch.setattr(b, "parse_one", parse_one)


def test_a_parse_past_the_budget_is_killed_and_the_build_goes_on(tmp_path, monkeypatch):
    corpus = _corpus(tmp_path / "c", SEED_000, SEED_004, SEED_003)
    (corpus / "hang.txt").write_bytes((CORPUS / SEED_000).read_bytes() + b"\n")
    (corpus / "crash.txt").write_bytes((CORPUS / SEED_004).read_bytes() + b"\n")
    _hanging_parse(monkeypatch, {"hang.txt": "sleep", "crash.txt": "crash"})
    db = tmp_path / "x.db"
    lines: list[str] = []
    t0 = time.monotonic()
    summary = build([corpus], db, workers=2, timeout=2, log=lines.append)
    assert time.monotonic() - t0 < 30
    assert summary["reports"] == 5 and summary["status"]["failed"] == 2
    sha = hashlib.sha256((corpus / "hang.txt").read_bytes()).hexdigest()
    assert _query(db, "SELECT sha256, parse_status FROM reports WHERE path = 'hang.txt'") == [(sha, "failed")]
    assert _query(db, "SELECT code, message FROM warnings WHERE report_id = ?", [report_id("hang.txt")]) == \
        [("parse_timeout", "解析超时：超过 2 秒未完成，已放弃（文件可能异常复杂或触发了解析器缺陷）")]
    assert _query(db, "SELECT code, message FROM warnings WHERE report_id = ?", [report_id("crash.txt")]) == \
        [("parse_failed", "解析失败：工作进程被信号 SIGKILL 终止")]
    for name, values in ((SEED_000, (24, 1, 0, 0, 0, 0, 25)), (SEED_004, (14, 0, 0, 0, 0, 0, 14))):
        assert _new_received(db, name) == values
    assert [ln for ln in lines if ln.startswith("gongkai: warning: hang.txt: 解析超时") and "parse_timeout" in ln]
    assert _query(db, "SELECT value FROM build_info WHERE key = 'parse_timeout'") == [("2",)]
    # a timed-out file keeps its sha256: the next build does not spend the budget on it again
    again = build([corpus], db, workers=2, timeout=2, log=None)
    assert again["parsed"] == 1 and again["unchanged"] == 4    # the crashed file is retried (and crashes)


def test_in_process_parse_has_the_budget_too(tmp_path, monkeypatch):
    corpus = _corpus(tmp_path / "c", SEED_000)
    (corpus / "spin.txt").write_bytes(b"x")
    _hanging_parse(monkeypatch, {"spin.txt": "spin"})
    db = tmp_path / "x.db"
    t0 = time.monotonic()
    summary = build([corpus], db, workers=1, timeout=0.5, log=None)
    assert time.monotonic() - t0 < 20
    assert summary["status"]["failed"] == 1
    assert _query(db, "SELECT code FROM warnings WHERE report_id = ?", [report_id("spin.txt")]) == [("parse_timeout",)]
    assert _new_received(db, SEED_000) == (24, 1, 0, 0, 0, 0, 25)


def _pool_task(x):
    if x in (10, 30):
        time.sleep(3600)
    if x in (20, 21):
        os.kill(os.getpid(), signal.SIGKILL)
    if x == 25:
        raise ValueError("boom")
    return -x


def test_pool_blames_exactly_the_task_that_hung_or_killed_its_worker():
    """Workers hold several queued tasks: the one running when its worker hung or died fails, the others are
    done by the replacement, and the results keep the order of the tasks."""
    from ingest.database.pool import Failure, Pool

    with Pool(_pool_task, 2, timeout=1) as pool:
        results = [(task, out) for task, out in pool.imap(range(40))]
        assert pool.replaced == 4
    assert [task for task, _ in results] == list(range(40))
    odd = {task: out for task, out in results if out != -task}
    assert odd == {10: Failure("timeout", "超过 1 秒"), 30: Failure("timeout", "超过 1 秒"),
                   20: Failure("crashed", "工作进程被信号 SIGKILL 终止"),
                   21: Failure("crashed", "工作进程被信号 SIGKILL 终止"),
                   25: Failure("error", "ValueError: boom")}


# --------------------------------------------------------------------------------------------
# --db and the target folder; one-line errors
# --------------------------------------------------------------------------------------------

def _plain_sqlite(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("create table notes (x)")
    conn.execute("insert into notes values ('mine')")
    conn.commit()
    conn.close()


@pytest.mark.parametrize("kind", ["text", "empty", "sqlite", "sqlite_other_build_info"])
def test_db_that_is_not_a_gongkai_database_is_refused(tmp_path, capsys, kind):
    target = tmp_path / "gongkai.db"
    if kind == "text":
        target.write_text("我的笔记\n", encoding="utf-8")
    elif kind == "empty":
        target.write_bytes(b"")
    else:
        _plain_sqlite(target)
        if kind == "sqlite_other_build_info":
            conn = sqlite3.connect(target)
            conn.execute("create table build_info (name text)")
            conn.commit()
            conn.close()
    before = target.read_bytes()
    corpus = _corpus(tmp_path / "c", SEED_000)
    assert main(["build", str(corpus), "--db", str(target), "--workers", "1"]) == 1
    line = _one_error_line(capsys.readouterr().err.encode())
    assert line == (f"gongkai: error: --db {target} 已存在但不是 gongkai 数据库（不是 SQLite 文件或没有 build_info 表），"
                    f"未改动；请换一个路径或先删除它")
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c", "gongkai.db"]


def test_db_checks_refuse_before_any_work(tmp_path, capsys):
    corpus = _corpus(tmp_path / "c", SEED_000)
    folder = tmp_path / "adir"
    folder.mkdir()
    assert main(["build", str(corpus), "--db", str(folder)]) == 1
    assert _one_error_line(capsys.readouterr().err.encode()) == \
        f"gongkai: error: --db {folder} 是一个目录，请给出数据库文件的路径"
    assert main(["build", str(tmp_path / "nope"), "--db", str(tmp_path / "x.db")]) == 1
    assert _one_error_line(capsys.readouterr().err.encode()) == f"gongkai: error: 不是目录：{tmp_path / 'nope'}"


def test_read_only_database_file_and_folder_are_refused(tmp_path, capsys):
    corpus = _corpus(tmp_path / "c", SEED_000)
    db = tmp_path / "gongkai.db"
    build([corpus], db, workers=1, log=None)
    before = db.read_bytes()
    (corpus / SEED_004).write_bytes((CORPUS / SEED_004).read_bytes())
    db.chmod(0o444)
    try:
        assert main(["build", str(corpus), "--db", str(db), "--workers", "1"]) == 1
        assert _one_error_line(capsys.readouterr().err.encode()) == f"gongkai: error: --db {db} 是只读文件，未改动"
    finally:
        db.chmod(0o644)
    assert db.read_bytes() == before
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        assert main(["build", str(corpus), "--db", str(ro / "x.db"), "--workers", "1"]) == 1
        assert _one_error_line(capsys.readouterr().err.encode()) == f"gongkai: error: 无法写入数据库所在目录 {ro}（只读或没有写权限）"
    finally:
        ro.chmod(0o755)
    assert list(ro.iterdir()) == []


def test_a_folder_the_build_may_not_write_is_one_line(tmp_path):
    """Another user's folder (writable, but not by us): the real command, one line, nothing written."""
    corpus = _corpus(tmp_path / "c", SEED_000)
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    theirs.chmod(0o755)
    if os.geteuid() == 0:
        os.chown(theirs, 65534, 65534)
    else:
        theirs.chmod(0o555)
    proc = _cli(corpus, "--db", theirs / "x.db", "--workers", "1", restricted=True)
    assert proc.returncode == 1
    assert _one_error_line(proc.stderr) == f"gongkai: error: 无法写入数据库所在目录 {theirs}（只读或没有写权限）"
    assert list(theirs.iterdir()) == []
    theirs.chmod(0o755)


def test_a_write_refused_during_the_build_is_one_line(tmp_path, capsys, monkeypatch):
    corpus = _corpus(tmp_path / "c", SEED_000)

    def refuse(path):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(b, "_open_temp", refuse)
    assert main(["build", str(corpus), "--db", str(tmp_path / "x.db"), "--workers", "1"]) == 1
    assert _one_error_line(capsys.readouterr().err.encode()) == \
        f"gongkai: error: 无法在 {tmp_path} 写入临时数据库（权限不足）"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c"]


def test_an_unexpected_error_is_one_line_and_the_database_is_kept(tmp_path, capsys, monkeypatch):
    corpus = _corpus(tmp_path / "c", SEED_000)
    db = tmp_path / "x.db"
    build([corpus], db, workers=1, log=None)
    before = db.read_bytes()
    (corpus / SEED_004).write_bytes((CORPUS / SEED_004).read_bytes())

    def explode(*args, **kwargs):
        raise RuntimeError("checks failed\nsecond line")

    monkeypatch.setattr(b, "check_reports", explode)     # the incremental build's checks
    assert main(["build", str(corpus), "--db", str(db), "--workers", "1"]) == 1
    assert _one_error_line(capsys.readouterr().err.encode()) == (
        "gongkai: error: 内部错误：RuntimeError: checks failed second line；构建未完成，原数据库未改动"
        "（GONGKAI_DEBUG=1 显示详情）")
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c", "x.db"]


# --------------------------------------------------------------------------------------------
# Ctrl-C and SIGTERM in every phase
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def previous_db(tmp_path_factory) -> Path:
    """A database of the sample reports, the one an interrupted build must leave as it was."""
    path = tmp_path_factory.mktemp("previous") / "gongkai.db"
    build([CORPUS], path, workers=2, log=None)
    return path


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    from ingest.generate import generate_corpus

    folder = tmp_path_factory.mktemp("generated")
    for i, g in enumerate(generate_corpus(8, 7)):
        (folder / f"{i:03d}_{g.filename}").write_bytes(g.data)
    return folder


def _group_processes(pgid: int) -> list[int]:
    """Processes still alive in the build's process group (its workers would be)."""
    alive = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            alive.append(int(entry))
    return alive


PHASES = [
    ("scan", signal.SIGINT, {}),
    ("prepare", signal.SIGINT, {}),                       # copying the previous database
    ("parse", signal.SIGINT, {}),
    ("parse", signal.SIGTERM, {}),
    ("parse", signal.SIGINT, {"workers": "1"}),          # parsing in the build process itself
    ("load", signal.SIGINT, {}),                          # inside SQLite, in the middle of a transaction
    ("load", signal.SIGTERM, {"GONGKAI_LOAD_BATCH": "2"}),   # in the loader's writer thread (batches of 2)
    ("indexes", signal.SIGTERM, {}),                      # inside SQLite
    ("checks", signal.SIGINT, {"GONGKAI_CHECK_WORKERS": "2"}),   # on the checks' worker processes
    ("checks", signal.SIGTERM, {"GONGKAI_CHECK_WORKERS": "2"}),
    ("checks", signal.SIGINT, {"group": "1", "GONGKAI_CHECK_WORKERS": "2"}),   # Ctrl-C in a terminal: all of them
    ("checks", signal.SIGINT, {}),                        # in the build process, inside SQLite
    ("stats", signal.SIGINT, {}),
]
PHASE_IDS = [f"{p}-{s.name}-{'-'.join(h) or 'default'}" for p, s, h in PHASES]


def _default_sigint() -> None:
    """SIGINT as a terminal gives it: a test run started in the background by a non-interactive shell (CI
    scripts, `cmd &`) inherits SIGINT ignored, and Python then installs no KeyboardInterrupt handler."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class _Run:
    """One build started with GONGKAI_TEST_STALL, its stderr read on a thread."""

    def __init__(self, folder: Path, previous: Path, corpus: Path, phase: str, how: dict):
        folder.mkdir()
        self.folder, self.phase, self.db = folder, phase, folder / "gongkai.db"
        shutil.copyfile(previous, self.db)
        self.before = hashlib.sha256(self.db.read_bytes()).hexdigest()
        how = dict(how)
        workers = how.pop("workers", "2")
        self.group = how.pop("group", None)
        env = _env(GONGKAI_TEST_STALL=phase, **how)
        # --timeout 0: a stall in the parse must last until the test interrupts it
        self.proc = subprocess.Popen([sys.executable, "-m", "ingest", "build", str(corpus), "--db", str(self.db),
                                      "--workers", workers, "--timeout", "0"], cwd=ROOT, env=env,
                                     start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     preexec_fn=_default_sigint)
        self.lines: list[str] = []
        self.reached = threading.Event()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for raw in self.proc.stderr:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            self.lines.append(line)
            if line.startswith(f"gongkai: test-stall {self.phase}"):
                self.reached.set()

    def kill(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


@pytest.fixture(scope="module")
def stalled_builds(previous_db, generated, tmp_path_factory):
    """Every case's build, started together (each waits in its phase until its test interrupts it), so the
    cases cost one start-up between them."""
    base = tmp_path_factory.mktemp("interrupted")
    runs = {}
    try:
        for case_id, (phase, _, how) in zip(PHASE_IDS, PHASES):
            runs[case_id] = _Run(base / case_id, previous_db, generated, phase, how)
        yield runs
    finally:
        for run in runs.values():
            run.kill()


@pytest.mark.parametrize("phase, signum, how", PHASES, ids=PHASE_IDS)
def test_interrupt_in_every_phase(stalled_builds, request, phase, signum, how):
    run = stalled_builds[request.node.callspec.id]
    proc = run.proc
    try:
        assert run.reached.wait(120), "\n".join(run.lines)
        time.sleep(0.2)       # well inside the phase (every worker in it)
        assert proc.poll() is None, "\n".join(run.lines)
        t0 = time.monotonic()
        if run.group:
            os.killpg(proc.pid, signum)
        else:
            proc.send_signal(signum)
        code = proc.wait(30)
        elapsed = time.monotonic() - t0
    finally:
        run.kill()
    run.reader.join(5)
    lines = run.lines
    assert elapsed < 5, (elapsed, lines)
    assert code == 128 + signum, lines
    assert _group_processes(proc.pid) == [], "worker processes left behind"
    assert not [ln for ln in lines if "Traceback" in ln], lines
    errors = [ln for ln in lines if ln.startswith("gongkai: error:")]
    assert errors == [f"gongkai: error: 构建已被 {signum.name} 中断，原数据库未改动，临时文件已删除"], lines
    assert hashlib.sha256(run.db.read_bytes()).hexdigest() == run.before
    assert sorted(p.name for p in run.folder.iterdir()) == ["gongkai.db"]      # no temporary file or folder
    conn = sqlite3.connect(run.db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT count(*) FROM reports").fetchone()[0] == 16
    conn.close()
