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
import sqlite3
import sys
from pathlib import Path

from .checks import OLD_PAGE_LIMIT, OLD_SCOPE, PAGE_NOTE, load_rule, parse_header

# The page filters as the old files wrote them on `reports r`, in their WHERE after `r.id in scope`.
OLD_FILTERS = ("(:year = '' or r.year = :year)", "(:province = '' or r.province = :province)",
               "(:adcode = '' or r.adcode = :adcode)")
OLD_TAIL = re.compile(
    r"\n(select \* from \w+)\nwhere :status = 'all' or status = coalesce\(nullif\(:status, ''\), 'fail'\)\n"
    r"(?:--[^\n]*\n)*" + re.escape(OLD_PAGE_LIMIT) + r"\s*$")
_AND = re.compile(r"\band\b")


def _unfilter(text: str, rule: str) -> str:
    """Each `from reports r … where r.id in scope and <filters> [and …]` → `from reports_in_scope r [where …]`.

    The rule's own conditions on `r` (r.template = 'legacy', a trailing `and not exists (…)`) stay.
    """
    count = 0
    while True:
        i = text.find("where r.id in scope")
        if i < 0:
            break
        j = text.find(OLD_FILTERS[2], i)
        if j < 0:
            raise ValueError(f"{rule}: a `where r.id in scope` without the page filters")
        j += len(OLD_FILTERS[2])
        cond = text[i + len("where r.id in scope"):j]
        for f in OLD_FILTERS:
            if f not in cond:
                raise ValueError(f"{rule}: the page filter {f} not found after `where r.id in scope`")
            cond = cond.replace(f, "", 1)
        own = [c.strip() for c in _AND.split(cond) if c.strip()]
        if any("(" in c or ")" in c for c in own):
            raise ValueError(f"{rule}: conditions mixed with the page filters: convert by hand")
        k = text.rfind("from reports r", 0, i)
        if k < 0:
            raise ValueError(f"{rule}: the filtered `from reports r` not found")
        after = text[j:]
        line_start = text.rfind("\n", 0, i)
        indent = text[line_start + 1:i]
        if own:
            clause = "where " + " and ".join(own)
        elif after.lstrip(" ").startswith("and "):
            clause, after = "where ", after.lstrip(" ")[4:]
        else:
            clause = None
        head = text[:k] + "from reports_in_scope r" + text[k + len("from reports r"):line_start + 1]
        text = head + (indent + clause + after if clause is not None else after.lstrip("\n"))
        count += 1
    if not count:
        raise ValueError(f"{rule}: the page filters (where r.id in scope and …) not found")
    return text


def convert(text: str) -> str:
    rule = parse_header(text).get("rule")
    if not rule:
        raise ValueError("no '-- rule:' header")
    scope = OLD_SCOPE.format(rule=rule)
    if scope not in text:
        raise ValueError(f"{rule}: not the old shape (no copy of the old SCOPE)")
    text = _unfilter(text.replace(scope, "with ", 1), rule)
    m = OLD_TAIL.search(text)
    if not m:
        raise ValueError(f"{rule}: the status filter and page limit at the end not found")
    text = text[:m.start()] + "\n" + m.group(1) + "\n"
    return text.replace(PAGE_NOTE, "", 1)


def _check(path: Path, text: str) -> None:
    """Refuse to write a conversion that load_rule would not accept."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp) / path.name
        probe.write_text(text, encoding="utf-8")
        sql = load_rule(probe).sql
    try:      # SQLite parses the whole statement before it looks for tables: a syntax error is reported first
        sqlite3.connect(":memory:").execute("explain " + sql, {"year": "", "province": "", "adcode": "", "status": ""})
    except sqlite3.OperationalError as exc:
        if "syntax error" in str(exc):
            raise ValueError(f"{path.name}: the converted SQL does not parse ({exc}): convert by hand") from None


def main(argv: list[str] | None = None) -> int:
    status = 0
    for name in argv if argv is not None else sys.argv[1:]:
        path = Path(name)
        try:
            new = convert(path.read_text(encoding="utf-8"))
            _check(path, new)
            path.write_text(new, encoding="utf-8")
        except ValueError as exc:
            print(f"{path}: {exc}", file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
