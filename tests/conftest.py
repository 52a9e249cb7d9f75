"""Shared fixtures and comparison helpers for the tests that check parse records against values
read by eye from the real reports in data/reports/.

Why a session cache: every seed/corpus file is parsed once per test session no matter how many
tests look at it, which keeps the suite fast while letting each assertion live in its own test.

Why the helpers report every mismatch at once (with the cell's provenance line): when the parser
and the expectation disagree, the lead needs the expected value, the value got and the source
line side by side to decide which one is wrong, not just the first failing cell.
"""
from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "data" / "reports"

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from ingest import forms  # noqa: E402

_CACHE: dict[str, object] = {}


def parse_report(name: str):
    """Parse data/reports/NAME once per session (ingest.parse.parse_file)."""
    if name not in _CACHE:
        from ingest.parse import parse_file

        _CACHE[name] = parse_file(str(REPORTS / name))
    return _CACHE[name]


@pytest.fixture(scope="session")
def parsed():
    """`parsed(name)` → the cached `Parsed` of data/reports/NAME."""
    return parse_report


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------

def text_line(p, line: int | None) -> str:
    """The 1-based line of the parsed text (what every `line` in a record refers to)."""
    if not line:
        return "<no line>"
    lines = p.text.split("\n")
    if 1 <= line <= len(lines):
        return lines[line - 1]
    return f"<line {line} out of range 1..{len(lines)}>"


def _short(s: str, n: int = 160) -> str:
    return s if len(s) <= n else s[:n] + "…"


def cells_of(record: dict, table: str) -> dict[tuple[str, str], dict]:
    return {(c["row"], c["col"]): c for c in record.get("cells") or [] if c.get("table") == table}


def find_cell(record: dict, table: str, row: str, col: str) -> dict:
    matches = [c for c in record.get("cells") or []
               if c.get("table") == table and c.get("row") == row and c.get("col") == col]
    assert matches, f"no cell entry for {table}/{row}/{col}"
    assert len(matches) == 1, f"{len(matches)} cell entries for {table}/{row}/{col}"
    return matches[0]


def _where(p, table: str, row: str, col: str) -> str:
    c = cells_of(p.record, table).get((row, col))
    if not c:
        return "(no cell provenance)"
    return (f"cell kind={c.get('kind')} printed={c.get('printed')!r} line={c.get('line')}: "
            f"{_short(text_line(p, c.get('line')))!r}")


def same_number(got, expected) -> bool:
    """Exact comparison; amounts go through Decimal(str(value)) so 3983675.0 == 3983675."""
    if expected is None or got is None:
        return got is None and expected is None
    if isinstance(got, bool):
        return False
    return Decimal(str(got)) == Decimal(str(expected))


def application_row_keys(template: str) -> tuple[str, ...]:
    return tuple(r.key for r in forms.application_rows(six_split=(template == "2021")))


def check_applications(p, expected: dict[str, list]) -> None:
    """`expected` maps every row key of the layout to its 7 values (APPLICANT_COLUMN_KEYS order)."""
    apps = p.record.get("applications")
    assert apps is not None, "applications is None"
    problems = []
    missing_rows = set(expected) - set(apps)
    extra_rows = set(apps) - set(expected)
    if missing_rows or extra_rows:
        problems.append(f"row keys differ: missing={sorted(missing_rows)} extra={sorted(extra_rows)}")
    for row, values in expected.items():
        assert len(values) == 7, row
        got_row = apps.get(row) or {}
        for col, exp in zip(forms.APPLICANT_COLUMN_KEYS, values):
            got = got_row.get(col, "<absent>")
            if got == "<absent>" or not same_number(got, exp):
                problems.append(f"applications[{row}][{col}]: expected {exp!r}, got {got!r}; "
                                + _where(p, "applications", row, col))
    assert not problems, f"{len(problems)} mismatches:\n" + "\n".join(problems)


def check_reviews(p, expected: dict[str, list]) -> None:
    rl = p.record.get("reviews_litigation")
    assert rl is not None, "reviews_litigation is None"
    problems = []
    if set(rl) != set(forms.REVIEW_KIND_KEYS):
        problems.append(f"kinds: {sorted(rl)}")
    for kind, values in expected.items():
        got_kind = rl.get(kind) or {}
        for col, exp in zip(forms.REVIEW_OUTCOME_KEYS, values):
            got = got_kind.get(col, "<absent>")
            if got == "<absent>" or not same_number(got, exp):
                problems.append(f"reviews_litigation[{kind}][{col}]: expected {exp!r}, got {got!r}; "
                                + _where(p, "reviews_litigation", kind, col))
    assert not problems, f"{len(problems)} mismatches:\n" + "\n".join(problems)


def check_active(p, template: str, expected: dict[str, dict]) -> None:
    """`expected` maps every item_key of the template to {metric: value}; amounts in 元."""
    items = p.record.get("active_disclosure") or []
    by_key: dict[str, dict] = {}
    problems = []
    for it in items:
        if it.get("item_key") in by_key:
            problems.append(f"item {it.get('item_key')} appears twice")
        by_key[it.get("item_key")] = it
    form_items = {i.key: i for i in forms.ACTIVE_ITEMS[template]}
    assert set(expected) == set(form_items), "test bug: expected items must cover the form"
    if set(by_key) != set(form_items):
        problems.append(f"item keys: expected {sorted(form_items)}, got {sorted(by_key)}")
    for key, metrics in expected.items():
        it = by_key.get(key)
        if it is None:
            continue
        if it.get("block") != form_items[key].block:
            problems.append(f"{key}.block: expected {form_items[key].block!r}, got {it.get('block')!r}")
        values = it.get("values") or {}
        form_metrics = {m.key for m in form_items[key].metrics}
        if set(values) != form_metrics:
            problems.append(f"{key} metrics: expected {sorted(form_metrics)}, got {sorted(values)}")
        for metric, exp in metrics.items():
            got = values.get(metric, "<absent>")
            if got == "<absent>" or not same_number(got, exp):
                problems.append(f"active_disclosure[{key}][{metric}]: expected {exp!r}, got {got!r}; "
                                + _where(p, "active_disclosure", key, metric))
    assert not problems, f"{len(problems)} mismatches:\n" + "\n".join(problems)


def facts_with(record: dict, metric: str) -> list[dict]:
    return [f for f in record.get("facts") or [] if f.get("metric") == metric]


def check_fact(p, metric: str, value, line: int | None = None) -> None:
    """A prose fact METRIC=VALUE exists, its `line` is LINE and its `text` is on that line."""
    facts = facts_with(p.record, metric)
    matching = [f for f in facts if same_number(f.get("value"), value)]
    assert matching, (f"no fact {metric}={value!r}; facts with that metric: "
                      + repr([(f.get('value'), f.get('line'), _short(f.get('text') or '', 80)) for f in facts]))
    if line is not None:
        on_line = [f for f in matching if f.get("line") == line]
        assert on_line, (f"fact {metric}={value!r} expected on line {line}, got lines "
                         f"{[f.get('line') for f in matching]}")
        matching = on_line
    f = matching[0]
    text = "".join((f.get("text") or "").split())
    assert text, f"fact {metric} has no text"
    src = "".join(text_line(p, f.get("line")).split())
    assert text in src, f"fact text {text!r} not on its line {f.get('line')}: {_short(src)!r}"


def warnings_with(record: dict, code: str) -> list[dict]:
    return [w for w in record.get("warnings") or [] if w.get("code") == code]


def check_fact_unambiguous(p, metric: str, value) -> None:
    """No other figure is recorded for METRIC: a wrong sentence (e.g. 政务服务 "共受理申请121510件"
    read as information-disclosure applications) must not sit next to the right one."""
    facts = facts_with(p.record, metric)
    others = [(f.get("value"), f.get("line"), _short(f.get("text") or "", 80))
              for f in facts if not same_number(f.get("value"), value)]
    assert not others, f"{metric}: expected only {value!r}, also got {others}"
