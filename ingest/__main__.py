"""Command line: `python -m ingest parse FILE...`, `build DIR... --db PATH`, `serve --db PATH`.

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
        out.write(json.dumps(record, ensure_ascii=False, default=_json_default))
        out.write("\n")
        out.flush()
    return 0


def _json_default(value):
    from decimal import Decimal

    if isinstance(value, Decimal):
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

    return serve(args.db, host=args.host, port=args.port)


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
    s.set_defaults(func=_cmd_serve)

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
