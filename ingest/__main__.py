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
    from .database.build import build

    summary = build(args.dirs, args.db, workers=args.workers, progress=None if args.progress is None else args.progress)
    print(json.dumps(summary, ensure_ascii=False), file=sys.stderr)
    return 0


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
    b.add_argument("--workers", type=int, default=None, help="parser processes (default: all cores)")
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
