"""Damaged input: the parser never fails, and never invents numbers.

Why: a batch build reads tens of thousands of files that crawlers saved in every state — cut off,
binary, wrongly decoded, megabytes of site markup. One exception must not stop a build, and
a damaged table must come out as nulls plus a warning that says why (docs/record.md), not as
zeros that look like real figures. The parser turns an unexpected exception into an
`internal_error` warning, so that code is what “raised” means here.
"""
from __future__ import annotations

import importlib
import json
import os
import random
import re
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from ingest import forms
from ingest.generate import LAYOUTS, generate
from ingest import parse as ingest_parse
from ingest.parse import parse_bytes

REPORTS = Path(__file__).resolve().parent.parent / "data" / "reports"

TOP_LEVEL_KEYS = {"source", "report", "active_disclosure", "applications", "reviews_litigation", "facts",
                  "warnings", "cells", "sections"}
EXTENSIONS = ("x.txt", "x.md", "x.html", "x.htm", "noext")
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check_record(data: bytes, filename: str) -> dict:
    """Parse and check the record's shape; return it for further assertions."""
    parsed = parse_bytes(data, filename)
    rec = parsed.record
    assert isinstance(rec, dict)
    assert TOP_LEVEL_KEYS <= set(rec), f"missing keys: {TOP_LEVEL_KEYS - set(rec)}"
    assert isinstance(parsed.text, str)
    for w in rec["warnings"]:
        assert isinstance(w.get("code"), str) and w["code"], w
        assert "message" in w and "line" in w, w
    internal = [w for w in rec["warnings"] if w["code"] == "internal_error"]
    assert not internal, internal[0].get("detail") or internal[0]["message"]
    assert rec["report"]["template"] in forms.TEMPLATES
    n_lines = len(parsed.text.split("\n"))
    for c in rec["cells"]:
        assert c["kind"] in forms.CELL_KINDS, c
        if c["kind"] != "number" and c["kind"] != "recovered":
            assert c["value"] is None, c
        if c.get("line") is not None:
            assert 1 <= c["line"] <= n_lines, c
    return rec


def _report(seed: int, layout: str | None = None, **kw):
    rng = random.Random(seed)
    layout = layout or rng.choice(LAYOUTS)
    return generate(rng, layout=layout, template=rng.choice(("2019", "2021")), **kw)


# ---------------------------------------------------------------------------------------------
# Shape and survival
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("filename", EXTENSIONS)
@pytest.mark.parametrize("data", [b"", b" ", b"\n\n\n", b"\r\n\t \r\n", "\u3000\u3000\n".encode("utf-8"),
                                  b"\xef\xbb\xbf", b"\xff\xfe", b"\x00" * 64, "   \n".encode("utf-16")],
                         ids=["empty", "space", "newlines", "crlf-tab", "ideographic-space", "utf8-bom",
                              "utf16-bom", "nuls", "utf16-spaces"])
def test_empty_and_whitespace(data, filename):
    rec = check_record(data, filename)
    assert rec["applications"] is None and rec["reviews_litigation"] is None
    assert not [c for c in rec["cells"] if c["value"] is not None]


@FUZZ
@given(data=st.binary(max_size=20_000), filename=st.sampled_from(EXTENSIONS))
def test_pure_binary(data, filename):
    check_record(data, filename)


@FUZZ
@given(seed=st.integers(0, 10**6), cut=st.floats(0, 1))
def test_truncated_anywhere(seed, cut):
    g = _report(seed)
    check_record(g.data[: int(len(g.data) * cut)], g.filename)


@FUZZ
@given(seed=st.integers(0, 10**6),
       edits=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255), st.sampled_from(("insert", "flip", "delete"))),
                      min_size=1, max_size=30))
def test_random_bytes_inserted_flipped_deleted(seed, edits):
    g = _report(seed)
    data = bytearray(g.data)
    for where, byte, op in edits:
        i = min(int(len(data) * where), max(len(data) - 1, 0))
        if op == "insert":
            data[i:i] = bytes([byte])
        elif data and op == "flip":
            data[i] ^= byte or 0xFF
        elif data:
            del data[i]
    check_record(bytes(data), g.filename)


# Random HTML: markup soup with scripts, styles, unclosed and deeply nested tags, huge attributes.
_TAGS = ("div", "p", "span", "table", "tr", "td", "th", "tbody", "font", "o:p", "b", "br", "script", "style",
         "ul", "li", "a", "h1", "!--", "xml", "iframe", "textarea", "title")
_TEXT = st.sampled_from(("一、本年新收政府信息公开申请数量", "12", "0", "&nbsp;", "总计", "第二十条第（一）项", "规章",
                         "行政复议", "</td>", "<", ">", "&", "&#x4e00;", "&bogus;", "二、主动公开政府信息情况",
                         "三、收到和处理政府信息公开申请情况", "\u0000", "\ufeff", "自然人", " ", "\n"))


@st.composite
def _html_soup(draw):
    parts = []
    for _ in range(draw(st.integers(1, 60))):
        kind = draw(st.integers(0, 5))
        tag = draw(st.sampled_from(_TAGS))
        if kind == 0:
            parts.append(draw(_TEXT))
        elif kind == 1:
            parts.append(f"<{tag}>")                      # unclosed
        elif kind == 2:
            parts.append(f"</{tag}>")                     # stray close
        elif kind == 3:
            attr = "x" * draw(st.sampled_from((10, 1000, 200_000)))
            parts.append(f'<{tag} style="{attr}" rowspan="{draw(st.integers(-5, 10**9))}" colspan="abc">')
        elif kind == 4:
            parts.append(f"<script>var s='<table><tr><td>{draw(st.integers(0, 999))}</td></tr></table>';</script>"
                         "<style>td{color:red}</style>")
        else:
            depth = draw(st.sampled_from((5, 300, 3000)))
            parts.append(f"<{tag}>" * depth + draw(_TEXT) + f"</{tag}>" * (depth // 2))
    return "".join(parts)


@FUZZ
@given(soup=_html_soup(), wrap=st.booleans(), encoding=st.sampled_from(("utf-8", "gb18030", "utf-16")))
def test_random_html(soup, wrap, encoding):
    markup = f"<html><head><meta charset='{encoding}'></head><body>{soup}</body></html>" if wrap else soup
    check_record(markup.encode(encoding, errors="replace"), "page.html")


def test_deeply_nested_html_around_a_real_report():
    """Chrome nested 300 deep (past libxml2's default depth limit of 256) must not lose the report."""
    g = generate(random.Random(3), template="2021", layout="html", blanks=False, subtotals=False)
    text = g.data.decode("utf-8")
    wrapped = text.replace("<body>", "<body>" + "<div>" * 300, 1).replace("</body>", "</div>" * 300 + "</body>")
    rec = check_record(wrapped.encode("utf-8"), g.filename)
    assert rec["applications"] is not None


@pytest.mark.parametrize("how", ["gbk-as-utf8-lines", "utf8-mojibake", "utf16-odd-length", "mixed-utf8-gbk"])
def test_wrong_encoding(how):
    g = generate(random.Random(8), template="2019", layout="tabs", blanks=False, subtotals=False)
    text = g.text
    if how == "gbk-as-utf8-lines":
        # A UTF-8 file with a few prose lines pasted in GBK (forms.md §8: mojibake lines).
        lines = text.split("\n")
        prose = [i for i, line in enumerate(lines) if line.startswith("（") and "。" in line][:3]
        data = b"\n".join(line.encode("gb18030") if i in prose else line.encode("utf-8")
                          for i, line in enumerate(lines))
    elif how == "utf8-mojibake":
        data = text.encode("gb18030").decode("latin-1").encode("utf-8")
    elif how == "utf16-odd-length":
        data = text.encode("utf-16")[:-1]
    else:
        half = len(text) // 2
        data = text[:half].encode("utf-8") + text[half:].encode("gb18030")
    rec = check_record(data, g.filename)
    if how == "gbk-as-utf8-lines":
        # The tables are intact UTF-8: a few undecodable prose lines must not cost a single number.
        assert rec["applications"] == g.expected["applications"]
        assert rec["reviews_litigation"] == g.expected["reviews_litigation"]


def test_fifty_megabytes():
    """50 MB (a report followed by ~100,000 lines of ordinary prose) parses in reasonable time."""
    g = generate(random.Random(50), template="2021", layout="tabs", blanks=False, subtotals=False)
    filler = ("本机关持续加强政务公开标准化规范化建设，全年召开专题会议3次，组织业务培训2期，"
              "参训人员120人次，不断提升政务公开工作质量。") * 4 + "\n"
    body = g.text.encode("utf-8")
    chunk = filler.encode("utf-8")
    data = body + chunk * ((50 * 1024 * 1024 - len(body)) // len(chunk) + 1)
    assert len(data) >= 50 * 1024 * 1024
    start = time.monotonic()
    rec = check_record(data, g.filename)
    elapsed = time.monotonic() - start
    assert elapsed < 60, f"50 MB took {elapsed:.1f} s"
    assert rec["applications"] == g.expected["applications"]


# ---------------------------------------------------------------------------------------------
# Damaged tables: nulls and warnings, never invented numbers
# ---------------------------------------------------------------------------------------------

_BEFORE_CUT = ("new_received", "carried_over", "granted", "partly_granted", "denied_state_secret",
               "denied_prohibited_by_law", "denied_three_safeties", "denied_third_party", "denied_internal_affairs",
               "denied_process_info", "denied_enforcement_file", "denied_admin_query")


def _cut_before_group_four(g) -> bytes:
    """Cut the report just before the table-3 block （四）无法提供 (its line, or its <tr> in HTML)."""
    text = g.text
    anchor = text.index("本年度办理结果", text.index("申请人情况"))
    pos = text.index("无法提供", anchor)
    start = text.rfind("<tr", 0, pos) if g.options["layout"] == "html" else text.rfind("\n", 0, pos) + 1
    return text[:start].encode("utf-8")


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("template", ["2019", "2021"])
def test_truncated_mid_table_three(layout, template):
    g = generate(random.Random(77), template=template, layout=layout, blanks=False, subtotals=False)
    rec = check_record(_cut_before_group_four(g), g.filename)
    exp = g.expected["applications"]
    apps = rec["applications"]
    assert apps is not None, "the rows before the cut were printed and must be read"
    for row in _BEFORE_CUT:
        assert apps.get(row) == exp[row], (row, apps.get(row), exp[row])
    lost = [row for row in exp if row not in _BEFORE_CUT]
    invented = {row: apps[row] for row in lost if row in apps and any(v is not None for v in apps[row].values())}
    assert not invented, f"values for rows that were cut off: {invented}"
    cells = {(c["row"], c["col"]): c for c in rec["cells"] if c["table"] == "applications"}
    # Cut before （六）, the report no longer shows whether （六） had one row or three: either is fine,
    # as long as the rows the parser does list are null and say why.
    six = {"other", "other_no_correction", "other_unpaid_fee", "other_other"}
    assert six & set(apps), sorted(apps)
    for row in [r for r in lost if r not in six] + sorted(six & set(apps)):
        for col in forms.APPLICANT_COLUMN_KEYS:
            c = cells.get((row, col))
            assert c is not None and c["value"] is None and c["kind"] in ("missing", "unreadable"), (row, col, c)
    assert rec["warnings"], "a table cut in the middle must be reported"
    rl = rec["reviews_litigation"]
    assert rl is None or all(v is None for kind in rl.values() for v in kind.values()), rl


@pytest.mark.parametrize("layout", ["cells_per_line", "tabs", "markdown", "spaces"])
def test_truncated_mid_row(layout):
    """A row cut after its third value: those three are kept, the rest are null, and a warning says so."""
    g = generate(random.Random(78), template="2019", layout=layout, blanks=False, subtotals=False)
    text = g.text
    anchor = text.index("本年度办理结果", text.index("申请人情况"))
    label = text.index("重复申请", anchor)
    pos = label
    for _ in range(3):
        pos = next(i for i in range(pos, len(text)) if text[i].isdigit() and not text[i - 1].isdigit()
                   and i > label + len("重复申请"))
        while text[pos].isdigit():
            pos += 1
    rec = check_record(text[:pos].encode("utf-8"), g.filename)
    got = (rec["applications"] or {}).get("rejected_duplicate") or {}
    want = g.expected["applications"]["rejected_duplicate"]
    cols = forms.APPLICANT_COLUMN_KEYS
    assert [got.get(c) for c in cols[:3]] == [want[c] for c in cols[:3]]
    assert all(got.get(c) is None for c in cols[3:]), got
    assert rec["warnings"]


# ---------------------------------------------------------------------------------------------
# The mutation campaign (bench/fuzz.py): one record, no internal_error, time within a bound
# ---------------------------------------------------------------------------------------------
# Each input is parsed in a worker process (bench.fuzz.Worker) so that a parse stuck in a regex is
# killed at its bound instead of hanging the suite. The bound is a ratio to a plain read of the same
# bytes (decode + one regex scan), plus a floor for the fixed costs: machine-independent, and a
# quadratic corner exceeds it by orders of magnitude. `make test` runs one input per class;
# GONGKAI_FUZZ_N=22000 runs the campaign that bench/fuzz.py summarises.

from bench import fuzz  # noqa: E402

FUZZ_N = int(os.environ.get("GONGKAI_FUZZ_N") or len(fuzz.CLASSES))


@pytest.fixture(scope="module")
def worker():
    w = fuzz.Worker()
    yield w
    w.close()


def _check_in_worker(worker, name: str, data: bytes) -> dict:
    bound = fuzz.time_bound(fuzz.plain_read(data))
    answer = worker.parse(name, data, bound)
    assert answer is not None, f"{name} ({len(data)} B): no answer within {bound:.2f} s"
    assert answer["records"] == 1
    assert not answer["problems"], answer["problems"]
    assert answer["seconds"] <= bound, f"{name} ({len(data)} B): {answer['seconds']:.2f} s > bound {bound:.2f} s"
    return answer


@pytest.mark.parametrize("index", range(FUZZ_N))
def test_mutation_corpus(worker, index):
    cls, name, data = fuzz.make_input(index)
    _check_in_worker(worker, name, data)


def test_every_class_is_in_the_default_run():
    assert {fuzz.make_input(i)[0] for i in range(len(fuzz.CLASSES))} == set(fuzz.CLASSES)


# Inputs the campaign found slow in the prose and meta regexes (ingest/parser/prose.py, meta.py:
# `\s*(万)?\s*` after a number, `\s*` around header-field names). They stay here as regression
# cases (prose and meta now read sentence by sentence with bounded patterns).
_PROSE_META_INPUTS = {
    "digit-spaces": "本年新收申请1" + " " * 20_000 + "x",
    "digit-tabs": "共收到申请12" + "\t" * 20_000 + "。",
    "digit-newlines": "受理申请3" + "\n" * 20_000 + "x",
    "year-spaces": "2023" + " " * 20_000 + "年",
    "source-spaces": "来源" + " " * 20_000 + "：",
    "date-spaces": "日期" + " " * 20_000 + "x",
}


@pytest.mark.parametrize("key", sorted(_PROSE_META_INPUTS))
def test_prose_and_meta_linear(worker, key):
    g = generate(random.Random(5), template="2021", layout="tabs", blanks=False, subtotals=False)
    _check_in_worker(worker, "x.txt", g.data + _PROSE_META_INPUTS[key].encode("utf-8"))


@pytest.mark.parametrize("key,run", [
    ("markdown-rule-spaces", "\n|---" + " " * 100_000 + "x\n"),
    ("markdown-rule-leading-spaces", "\n" + " " * 100_000 + "|x\n"),
    ("pipes", "\n" + "|" * 300_000 + "\n"),
    ("pipe-spaces", "\n" + "| " * 150_000 + "\n"),
    ("dash-cells", "\n" + "| --- " * 50_000 + "|\n"),
    ("empty-lines", "\n" * 1_000_000),
    ("one-line", "本机关" * 300_000),
    ("footer-like", "\n— 5 —" + " " * 100_000 + "x\n"),
])
def test_long_runs_linear(worker, key, run):
    """Runs the normalizer and the table reader see: Markdown rules, pipes, footers, empty lines."""
    g = generate(random.Random(6), template="2019", layout="markdown", blanks=False, subtotals=False)
    _check_in_worker(worker, g.filename, g.data + run.encode("utf-8"))


def test_span_bomb_is_clamped_and_fast(worker):
    """A table whose every cell claims rowspan=colspan=10^9 renders within the bound, warns once
    for the clamp to the table's size and once for the budget."""
    cell = '<td rowspan="1000000000" colspan="1000000000">本</td>'
    table = "<table>" + ("<tr>" + cell * 200 + "</tr>") * 200 + "</table>"
    data = f"<html><body><p>x</p>{table}</body></html>".encode("utf-8")
    answer = _check_in_worker(worker, "bomb.html", data)
    assert answer["codes"].count("html_span_clamped") == 2, answer["codes"]


def test_real_spans_are_not_clamped():
    """The sample HTML report's merged cells are all within its tables: no warning, same figures."""
    rec = check_record((REPORTS / "pingtan_2022.html").read_bytes(), "pingtan_2022.html")
    assert not [w for w in rec["warnings"] if w["code"] == "html_span_clamped"]
    assert rec["applications"]["new_received"]["total"] is not None


def test_span_clamped_to_table_width_keeps_columns():
    """colspan=1000 on the label of a 3-column table: clamped to 3, the values still read by column."""
    from ingest.readers.html import html_to_lines

    warnings: list[dict] = []
    lines, _ = html_to_lines('<table><tr><td colspan="1000">标题</td></tr>'
                             '<tr><td>a</td><td>1</td><td>2</td></tr></table>', warnings)
    assert lines == ["标题\t\t", "a\t1\t2"]
    assert [w["code"] for w in warnings] == ["html_span_clamped"] and warnings[0]["line"] == 1


def test_nested_100000_deep_keeps_the_report():
    g = generate(random.Random(3), template="2021", layout="html", blanks=False, subtotals=False)
    text = g.data.decode("utf-8")
    wrapped = text.replace("<body>", "<body>" + "<span>" * 100_000, 1)
    rec = check_record(wrapped.encode("utf-8"), g.filename)
    assert rec["applications"] == g.expected["applications"]


def test_control_character_after_dropped_script():
    """lxml refuses a str with a control character: one right after a dropped <script> used to
    empty the record. The sample HTML report with \\x01 after every </script> keeps its tables."""
    data = (REPORTS / "pingtan_2022.html").read_bytes()
    plain = check_record(data, "pingtan_2022.html")
    damaged = re.sub(rb"</script>", b"</script>\x01\x0b", data, flags=re.I)
    assert damaged != data
    rec = check_record(damaged, "pingtan_2022.html")
    assert rec["applications"] == plain["applications"]
    assert rec["reviews_litigation"] == plain["reviews_litigation"]


# ---------------------------------------------------------------------------------------------
# Values that cannot be stored: unreadable cells with a warning, the rest of the record kept
# ---------------------------------------------------------------------------------------------

def _cell(rec, table, row, col):
    return next(c for c in rec["cells"] if (c["table"], c["row"], c["col"]) == (table, row, col))


@pytest.mark.parametrize("printed,code", [
    ("1.5", "value_not_integer"),
    ("9223372036854775808", "value_out_of_range"),
    ("-9223372036854775808", "value_out_of_range"),
    ("12345678901234567890123", "value_out_of_range"),
    ("1" * 5000, "value_out_of_range"),
    ("1" * 1_000_000, "value_out_of_range"),
])
def test_unstorable_count_cell(printed, code):
    g = generate(random.Random(11), template="2019", layout="tabs", blanks=False, subtotals=False,
                 overrides={"applications": {"granted": {"natural_person": printed}}})
    rec = check_record(g.data, g.filename)
    cell = _cell(rec, "applications", "granted", "natural_person")
    assert cell["value"] is None and cell["kind"] == "unreadable" and cell["printed"] == printed
    warned = [w for w in rec["warnings"] if w["code"] == code]
    assert warned and warned[0]["line"] == cell["line"]
    # every other cell of the table is read as printed
    exp = g.expected["applications"]
    for row, cols in exp.items():
        for col, value in cols.items():
            if (row, col) != ("granted", "natural_person"):
                assert rec["applications"][row][col] == value, (row, col)
    assert rec["reviews_litigation"] == g.expected["reviews_litigation"]
    json.dumps(rec, default=str)


def test_largest_storable_count_is_kept():
    g = generate(random.Random(11), template="2019", layout="tabs", blanks=False, subtotals=False,
                 overrides={"applications": {"granted": {"natural_person": "9223372036854775807"}}})
    rec = check_record(g.data, g.filename)
    assert rec["applications"]["granted"]["natural_person"] == 2 ** 63 - 1


def test_25_digit_amount():
    """A 25-digit fee used to fail Decimal.quantize and empty the record."""
    g = generate(random.Random(12), template="2021", layout="tabs", blanks=False, subtotals=False,
                 overrides={"active_disclosure": {"fees": {"amount_yuan": "1234567890123456789012345"}}})
    rec = check_record(g.data, g.filename)
    cell = _cell(rec, "active_disclosure", "fees", "amount_yuan")
    assert cell["value"] is None and cell["kind"] == "unreadable"
    assert [w for w in rec["warnings"] if w["code"] == "value_out_of_range"]
    assert rec["applications"] == g.expected["applications"]


def test_huge_prose_number_is_not_a_fact():
    g = generate(random.Random(13), template="2021", layout="tabs", blanks=False, subtotals=False)
    text = g.text.replace("一、总体情况", "一、总体情况\n本年度共收到政府信息公开申请" + "9" * 30 + "件。", 1)
    rec = check_record(text.encode("utf-8"), g.filename)
    assert all(abs(f["value"]) < 2 ** 63 for f in rec["facts"] if isinstance(f["value"], int))
    assert rec["applications"] == g.expected["applications"]
    json.dumps(rec, default=str)


# ---------------------------------------------------------------------------------------------
# Stage isolation: a bug in one stage costs only that stage's part of the record
# ---------------------------------------------------------------------------------------------

def _boom(*_args, **_kw):
    raise RuntimeError("boom")


@pytest.mark.parametrize("stage,target,lost,kept", [
    ("sections", "ingest.parser.sections.find_sections", "sections", "applications"),
    ("meta", "ingest.parser.meta.find_metadata", "report", "applications"),
    ("table3", "ingest.parser.tables.read_applications", "applications", "reviews_litigation"),
    ("table4", "ingest.parser.tables.read_reviews", "reviews_litigation", "applications"),
    ("table2", "ingest.parser.tables.read_active", "active_disclosure", "applications"),
    ("prose", "ingest.parser.prose.find_facts", "facts", "applications"),
    ("normalize", "ingest.parse.normalize_text", None, "applications"),
    ("read", "ingest.parse.read_bytes", None, "applications"),
])
def test_stage_failure_loses_only_that_stage(monkeypatch, stage, target, lost, kept):
    g = generate(random.Random(21), template="2021", layout="tabs", blanks=False, subtotals=False)
    whole = parse_bytes(g.data, g.filename).record
    module, attr = target.rsplit(".", 1)
    monkeypatch.setattr(importlib.import_module(module), attr, _boom)
    rec = parse_bytes(g.data, g.filename).record
    errors = [w for w in rec["warnings"] if w["code"] == "internal_error"]
    assert [w["stage"] for w in errors] == [stage], errors
    assert "RuntimeError: boom" in errors[0]["message"] and ingest_parse.STAGES[stage] in errors[0]["message"]
    assert rec[kept] == whole[kept] and rec[kept] is not None
    if lost == "report":
        assert rec["report"]["title"] is None and rec["report"]["agency"] is None
    elif lost is not None:
        assert rec[lost] in (None, []) and whole[lost] not in (None, [])
    if stage != "meta":
        assert rec["report"]["title"] == whole["report"]["title"]
    if stage not in ("sections",):
        assert rec["sections"] == whole["sections"] or stage in ("read", "normalize")


def test_html_stage_failure_falls_back_to_text(monkeypatch):
    g = generate(random.Random(22), template="2019", layout="html", blanks=False, subtotals=False)
    monkeypatch.setattr(ingest_parse, "html_to_lines", _boom)
    rec = parse_bytes(g.data, g.filename).record
    assert [w["stage"] for w in rec["warnings"] if w["code"] == "internal_error"] == ["html"]
    assert rec["source"]["lines"] > 10 and rec["report"]["year"] == g.expected["report"]["year"]
