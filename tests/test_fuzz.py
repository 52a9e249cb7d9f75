"""Damaged input: the parser never fails, and never invents numbers.

Why: a batch build reads tens of thousands of files that crawlers saved in every state — cut off,
binary, wrongly decoded, megabytes of site markup. One exception must not stop a build, and
a damaged table must come out as nulls plus a warning that says why (docs/record.md), not as
zeros that look like real figures. The parser turns an unexpected exception into an
`internal_error` warning, so that code is what “raised” means here.
"""
from __future__ import annotations

import random
import time

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from ingest import forms
from ingest.generate import LAYOUTS, generate
from ingest.parse import parse_bytes

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
