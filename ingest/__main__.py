"""Command line: `python -m ingest parse FILE...`, `build DIR... --db PATH`, `serve --db PATH`, `publish DIR`.

Also installed as the `gongkai` command.
"""
from __future__ import annotations

import argparse
import json
import sys


def _cmd_parse(args: argparse.Namespace) -> int:
    from .parse import parse_file, UnreadableFile

    out = sys.stdout
    for path in args.files:
        try:
            parsed = parse_file(path)
        except UnreadableFile as exc:
            print(f"gongkai: error: {path}: {exc}", file=sys.stderr)
            continue
        record = parsed.record
        if not args.sections_text:
            for section in record.get("sections", []):
                section.pop("text", None)
        out.write(record_json(record))
        out.write("\n")
        out.flush()
    return 0


def record_json(record: dict) -> str:
    """One record as one line of JSON, whatever it holds.

    The parser never puts a value that cannot be stored into a record, but should one slip
    through (an int past Python's 4,300-digit str limit, an infinite float, an object json does not
    know), the line is still written: such values become null and an internal_error warning says so,
    so one file never stops the batch."""
    try:
        return json.dumps(record, ensure_ascii=False, default=_json_default, allow_nan=False)
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        clean = _jsonable(record)
        clean.setdefault("warnings", []).append({
            "code": "internal_error", "stage": "json", "line": None,
            "message": f"记录中有无法输出为 JSON 的值（{type(exc).__name__}），已置为空；请报告此文件"})
        return json.dumps(clean, ensure_ascii=False, default=_json_default, allow_nan=False)


_MAX_INT = 2 ** 63 - 1


def _jsonable(value):
    """A copy of the record with every value json cannot write (or SQLite cannot store) as None."""
    from decimal import Decimal

    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value if -_MAX_INT <= value <= _MAX_INT else None
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else None
    if isinstance(value, Decimal):
        return value if value.is_finite() and abs(value) <= _MAX_INT else None
    return None


def _json_default(value):
    from decimal import Decimal

    if isinstance(value, Decimal):
        if not value.is_finite() or abs(value) > _MAX_INT:
            raise ValueError("decimal out of range")
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _cmd_build(args: argparse.Namespace) -> int:
    """Every way the build can stop is one line on stderr (`gongkai: error: ...`), never a traceback
    (GONGKAI_DEBUG=1 adds it), and the previous database is left as it was."""
    import os
    import sqlite3

    from .database.build import PARSE_TIMEOUT, BuildError, build, os_reason, shown
    from .database.interrupt import BuildInterrupted

    def error(message: str) -> None:
        print(f"gongkai: error: {' '.join(str(message).split())}", file=sys.stderr, flush=True)
        if os.environ.get("GONGKAI_DEBUG"):
            import traceback

            traceback.print_exc()

    try:
        summary = build(args.dirs, args.db, workers=args.workers, progress=args.progress,
                        timeout=PARSE_TIMEOUT if args.timeout is None else args.timeout)
    except BuildInterrupted as exc:
        error(f"构建已被 {exc.name} 中断，原数据库未改动，临时文件已删除")
        return 128 + exc.signum
    except KeyboardInterrupt:
        error("构建已被 SIGINT 中断，原数据库未改动")
        return 130
    except BuildError as exc:
        error(exc)
        return 1
    except OSError as exc:
        where = f"{shown(exc.filename)}：" if exc.filename else ""
        error(f"{where}{os_reason(exc)}；构建未完成，原数据库未改动")
        return 1
    except sqlite3.Error as exc:
        error(f"数据库写入失败：{exc}；构建未完成，原数据库未改动")
        return 1
    except Exception as exc:
        error(f"内部错误：{type(exc).__name__}: {exc}；构建未完成，原数据库未改动（GONGKAI_DEBUG=1 显示详情）")
        return 1
    print(json.dumps(summary, ensure_ascii=False), file=sys.stderr)
    return 0


def _positive_seconds(text: str) -> float:
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 (no limit) or a number of seconds")
    return value


def _cmd_serve(args: argparse.Namespace) -> int:
    from .site.serve import serve

    return serve(args.db, host=args.host, port=args.port, workers=args.workers)


def _cmd_publish(args: argparse.Namespace) -> int:
    from .site import publish

    if args.compare:
        try:
            changed, local, remote = publish.data_changed(args.db, args.compare)
        except Exception as exc:   # network, HTTP status, not a Datasette site: say so, no guess
            print(f"gongkai: error: {args.compare}: 无法读取运行中站点的数据库哈希（{exc}）", file=sys.stderr)
            return 2
        print(json.dumps({"local_hash": local, "remote_hash": remote, "redeploy": changed}))
        print("数据已改变，需要重新部署" if changed else "数据未改变，无需重新部署", file=sys.stderr)
        if not changed or args.dir is None:
            return 0 if not changed else 1
    if args.dir is None:
        print("gongkai: error: 需要给出输出目录 DIR（或用 --compare URL 只比较）", file=sys.stderr)
        return 2
    try:
        out = publish.publish(args.dir, args.db, secret=args.secret)
    except FileNotFoundError as exc:
        print(f"gongkai: error: {exc}", file=sys.stderr)
        return 2
    print(f"gongkai: 已写出可部署目录 {out}（运行 {out / 'serve.sh'}，或 docker build {out}）", file=sys.stderr)
    return 1 if args.compare else 0


def _cmd_collect(args: argparse.Namespace) -> int:
    from .collect.fetch import Politeness
    from .collect.run import collect, urls_from_text

    urls = list(args.urls)
    for name in args.from_file or ():
        try:
            with open(name, encoding="utf-8-sig", errors="replace") as fh:
                urls += urls_from_text(fh.read())
        except OSError as exc:
            print(f"gongkai: error: {name}: {exc.strerror or exc}", file=sys.stderr)
            return 2
    if not urls:
        print("gongkai: error: 没有要采集的网址（给出 URL 或 --from-file LIST）", file=sys.stderr)
        return 2
    given = {"delay": args.delay, "per_host": args.per_host, "timeout": args.timeout, "retries": args.retries,
             "max_bytes": None if args.max_mib is None else int(args.max_mib * (1 << 20))}
    politeness = Politeness(**{k: v for k, v in given.items() if v is not None})  # defaults: Politeness
    options = {"workers": args.workers} if args.workers else {}
    summary = collect(urls, args.out, politeness, progress=args.progress, **options)
    print(f"采集完成：已下载 {summary['fetched']}，未改变 {summary['unchanged']}，列表页 {summary['list_pages']}，"
          f"跳过 {summary['skipped']}（robots.txt），失败 {summary['failed']}；请求 {summary['requests']} 次，"
          f"用时 {summary['seconds']} 秒 → {summary['out']}", file=sys.stderr)
    for label, entries in (("失败", summary["failures"]), ("跳过", summary["skips"])):
        for entry in entries:
            print(f"  {label} {entry['reason']}: {entry['url']} — {entry['detail']}", file=sys.stderr)
    print(json.dumps(summary, ensure_ascii=False))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gongkai", description="政府信息公开工作年度报告 — parse, build, serve")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("parse", help="parse report files and print one JSON record per file")
    p.add_argument("files", nargs="+")
    p.add_argument("--sections-text", action="store_true", help="include each section's text in the record")
    p.set_defaults(func=_cmd_parse)

    b = sub.add_parser("build", help="build the SQLite database from folders of report files")
    b.add_argument("dirs", nargs="+")
    b.add_argument("--db", required=True)
    b.add_argument("--workers", type=int, default=None,
                   help="parser processes (default: all cores; 1 = parse in the build process itself)")
    b.add_argument("--timeout", type=_positive_seconds, default=None, metavar="SECONDS",
                   help="time budget per file: a parse running longer is killed and the file recorded as failed "
                        "(parse_timeout); 0 = no limit (default: 60)")
    b.add_argument("--progress", dest="progress", action="store_true", default=None)
    b.add_argument("--no-progress", dest="progress", action="store_false")
    b.set_defaults(func=_cmd_build)

    s = sub.add_parser("serve", help="serve the database with Datasette on 127.0.0.1")
    s.add_argument("--db", default="gongkai.db")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8001)
    s.add_argument("--workers", type=int, default=None, metavar="N",
                   help="server processes sharing the port (default: one per core; 1 = a single process)")
    s.set_defaults(func=_cmd_serve)

    u = sub.add_parser("publish", help="write a deployable Datasette directory (Dockerfile, database, inspect file)")
    u.add_argument("dir", nargs="?", help="output directory (replaced if it exists)")
    u.add_argument("--db", default="gongkai.db")
    u.add_argument("--secret", default=None, help="DATASETTE_SECRET shared by every replica (default: random)")
    u.add_argument("--compare", metavar="URL", default=None,
                   help="compare with the running site at URL first: exit 0 = same data (DIR not written), "
                        "1 = changed (DIR written if given)")
    u.set_defaults(func=_cmd_publish)

    c = sub.add_parser("collect", help="download reports (and their attachments) from URLs or 年报 list pages")
    c.add_argument("urls", nargs="*", help="report pages, list pages (年报 columns) or files")
    c.add_argument("--from-file", action="append", metavar="LIST", help="a file with URLs (one a line, or a CSV)")
    c.add_argument("--out", default="collected", help="folder to save into (default: collected)")
    # defaults (one place: ingest.collect.fetch.Politeness, README "Collecting reports"): 1 s, 2, 30 s, 3, 64 MiB
    c.add_argument("--delay", type=float, help="seconds between the starts of two requests to one host")
    c.add_argument("--per-host", type=int, help="requests in flight to one host at a time")
    c.add_argument("--timeout", type=float, help="seconds per request")
    c.add_argument("--retries", type=int, help="retries after a 429/5xx answer or a network error")
    c.add_argument("--max-mib", type=float, help="largest file, in MiB; a larger one is abandoned")
    c.add_argument("--workers", type=int, help="threads (default 16; the per-host limits still apply)")
    c.add_argument("--progress", dest="progress", action="store_true", default=None)
    c.add_argument("--no-progress", dest="progress", action="store_false")
    c.set_defaults(func=_cmd_collect)

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
