"""Text that PDF converters and OCR made (issue #10 §3): generated reports rendered the converter ways
(`ingest.generate.CONVERTER_LAYOUTS`), parsed back exactly.

Why generated: a converter's damage is the same whatever the numbers, and a generated report knows
every value, so each way of damaging a table is asserted cell by cell in both forms, with blank and
placeholder cells where the layout shows them.
"""
from __future__ import annotations

import random

import pytest

from ingest import forms
from ingest.generate import generate
from ingest.parse import parse_bytes
from test_roundtrip import assert_roundtrip

STYLES = ("md_short_header", "md_generic", "md_noheader", "md_displaced", "labels_apart", "footers", "skipped_heading")


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("template", ("2019", "2021"))
@pytest.mark.parametrize("seed", range(6))
def test_converter_layout_roundtrip(style, template, seed):
    assert_roundtrip(generate(random.Random(seed * 31 + 7), template=template, layout=style))


@pytest.mark.parametrize("style", ("md_generic", "md_noheader", "md_short_header"))
def test_blanks_keep_their_column_without_the_form_header(style):
    """A blank first cell in a grid without 自然人 in its header is a blank in its column (the rows all have
    the same width), not the label's padding; a total left empty stays blank while its parts are printed."""
    overrides = {"applications": {"granted": {"natural_person": None},
                                  "carried_forward": {"total": None}}}
    g = generate(random.Random(5), template="2021", layout=style, overrides=overrides, blanks=False, subtotals=False)
    assert_roundtrip(g)
    rec = parse_bytes(g.data, g.filename).record
    cells = {(c["row"], c["col"]): c for c in rec["cells"] if c["table"] == "applications"}
    assert cells[("granted", "natural_person")]["kind"] == "blank"
    assert cells[("carried_forward", "total")]["kind"] == "blank"
    assert not [w for w in rec["warnings"] if w["code"] in ("cell_recovered", "cells_missing")]


def test_markdown_table4_header_shorter_than_its_data_row():
    g = generate(random.Random(3), template="2019", layout="md_short_header", blanks=False)
    head = next(line for line in g.text.splitlines() if line.startswith("| 行政复议"))
    data = g.text.splitlines()[g.text.splitlines().index(head) + 3]
    assert head.count("|") - 1 == 2 and data.count("|") - 1 == 15      # the layout really is short-headed
    assert_roundtrip(g)


def test_table4_found_by_its_block_structure_when_the_header_is_generic():
    """"数据1 … 数据15" instead of 结果维持…: the 15 numbers are read as three blocks, totals last."""
    overrides = {"reviews_litigation": {"review": {"upheld": 3, "corrected": 1, "other": 0, "pending": 2, "total": 6},
                                        "litigation_direct": {"upheld": 1, "corrected": 0, "other": 0, "pending": 0,
                                                              "total": 1},
                                        "litigation_after_review": {"upheld": 0, "corrected": 0, "other": 4,
                                                                    "pending": 0, "total": 4}}}
    for style in ("md_generic", "md_noheader"):
        g = generate(random.Random(9), template="2021", layout=style, overrides=overrides, blanks=False)
        assert "结果维持" not in g.text
        rec = parse_bytes(g.data, g.filename).record
        assert rec["reviews_litigation"]["review"] == {"upheld": 3, "corrected": 1, "other": 0, "pending": 2, "total": 6}
        assert rec["reviews_litigation"]["litigation_after_review"]["total"] == 4
        assert_roundtrip(g)


def test_prose_numbers_before_a_headerless_table4_are_not_cells():
    """Section 四's sentence ("行政复议0件，行政诉讼0件") has words: only a line of values is the table."""
    g = generate(random.Random(12), template="2019", layout="md_noheader", blanks=False)
    rec = parse_bytes(g.data, g.filename).record
    lines = {c["line"] for c in rec["cells"] if c["table"] == "reviews_litigation"}
    assert len(lines) == 1
    assert "行政复议" not in g.text.splitlines()[lines.pop() - 1]


def test_labels_on_their_own_line():
    g = generate(random.Random(4), template="2021", layout="labels_apart", blanks=False)
    lines = g.text.splitlines()
    i = next(i for i, line in enumerate(lines) if "部分公开" in line and "区分处理" in line or line.endswith("部分公开"))
    assert not any(ch.isdigit() for ch in lines[i].split("部分公开")[-1])
    assert_roundtrip(g)


def test_page_footers_between_rows():
    g = generate(random.Random(6), template="2019", layout="footers", blanks=False)
    assert any(line.strip().startswith(("—", "第", "-")) and line.strip().endswith(("—", "页", "-"))
               for line in g.text.splitlines())
    assert_roundtrip(g)


def test_table4_under_section_three_when_a_heading_was_skipped():
    g = generate(random.Random(8), template="2021", layout="skipped_heading", blanks=False)
    assert "三、政府信息公开行政复议" in g.text or "三、" in g.text
    rec = parse_bytes(g.data, g.filename).record
    canon = {s["canonical"]: s["number"] for s in rec["sections"]}
    assert canon.get("四") == "三"
    assert_roundtrip(g)
    assert rec["reviews_litigation"] == g.expected["reviews_litigation"]
    assert len([c for c in rec["cells"] if c["table"] == "reviews_litigation"]) == len(forms.REVIEW_KINDS) * 5


def test_rows_displaced_under_a_repeated_header():
    """After a page break the header is printed again and the rows below it have one label cell instead of
    three, so their values sit two columns left of the header's 自然人: read by label, not by column."""
    for seed in range(4):
        g = generate(random.Random(seed), template="2021", layout="md_displaced", subtotals=False)
        rows = [line for line in g.text.splitlines() if line.startswith("| ") and "自然人" not in line]
        widths = {line.count("|") - 1 for line in rows if any(ch.isdigit() for ch in line)}
        assert {8, 10} <= widths, widths          # both widths occur: the displacement is real
        assert g.text.count("申请人情况") == 2
        assert_roundtrip(g)
