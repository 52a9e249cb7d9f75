"""Convert a rule file of the old, self-contained shape to the rule-only shape: `python -m
ingest.database.convert_rules canned_queries/checks/X.sql ...` (rewrites the files in place).

Why it exists: rule files used to carry their own copy of the page plumbing (checks.SCOPE's `flagged` and
`scope` CTEs, the page filters in the rule's WHERE, the status filter and the page LIMIT). Those now live
once in ingest/database/checks.py and are composed around the rule (`compose_page`, `compose_build`).
Files written in the old shape on other branches are converted with this at merge; it refuses a file it
cannot convert exactly (then edit it by hand as described in checks.py's docstring).
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

from .checks import OLD_PAGE_LIMIT, OLD_SCOPE, PAGE_NOTE, parse_header

OLD_FILTER = re.compile(
    r"\n\s*where r\.id in scope and \(:year = '' or r\.year = :year\) and \(:province = '' or r\.province = :province\)"
    r"\n\s*and \(:adcode = '' or r\.adcode = :adcode\)\n")
OLD_TAIL = re.compile(
    r"\n(select \* from \w+)\nwhere :status = 'all' or status = coalesce\(nullif\(:status, ''\), 'fail'\)\n"
    r"(?:--[^\n]*\n)*" + re.escape(OLD_PAGE_LIMIT) + r"\s*$")


def convert(text: str) -> str:
    rule = parse_header(text).get("rule")
    if not rule:
        raise ValueError("no '-- rule:' header")
    scope = OLD_SCOPE.format(rule=rule)
    if scope not in text:
        raise ValueError(f"{rule}: not the old shape (no copy of the old SCOPE)")
    text = text.replace(scope, "with ", 1)
    m = OLD_FILTER.search(text)
    if not m:
        raise ValueError(f"{rule}: the page filters (where r.id in scope and …) not found")
    head, tail = text[:m.start()], text[m.end():]
    k = head.rfind("from reports r")
    if k < 0:
        raise ValueError(f"{rule}: the filtered `from reports r` not found")
    text = head[:k] + "from reports_in_scope r" + head[k + len("from reports r"):] + "\n" + tail
    m = OLD_TAIL.search(text)
    if not m:
        raise ValueError(f"{rule}: the status filter and page limit at the end not found")
    text = text[:m.start()] + "\n" + m.group(1) + "\n"
    return text.replace(PAGE_NOTE, "", 1)


def main(argv: list[str] | None = None) -> int:
    status = 0
    for name in argv if argv is not None else sys.argv[1:]:
        path = Path(name)
        try:
            path.write_text(convert(path.read_text(encoding="utf-8")), encoding="utf-8")
        except ValueError as exc:
            print(f"{path}: {exc}", file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
