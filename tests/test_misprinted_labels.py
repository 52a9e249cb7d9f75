"""A table-3 row whose label is misprinted (the real PDF's "2.其他法律行政止公开") is read when its printed
ordinal is the row's and its characters are mostly the row's label in order — and no other row of its group,
in any form, fits as well. Otherwise the row stays missing (`row_missing`): never a guess."""
from __future__ import annotations

import random
import re

import pytest

from ingest import forms
from ingest.generate import generate
from ingest.parse import parse_bytes
from ingest.parser.tables import _label_fits


def _with_label(seed: int, key: str, printed: str):
    g = generate(random.Random(seed), template="2021", layout="tabs", blanks=False)
    row = forms.APPLICATION_ROW_BY_KEY[key]
    text = g.data.decode("utf-8")
    pattern = re.escape(row.number.strip("（）().、")) + r"[.、．]\s{0,2}(?:" + "|".join(map(re.escape, row.labels)) + ")"
    text, n = re.subn(pattern, printed, text, count=1)
    assert n == 1
    return g, parse_bytes(text.encode("utf-8"), g.filename).record


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("key,printed", [
    ("denied_prohibited_by_law", "2.其他法律行政止公开"),        # 法规禁 lost (tests/fixtures/hongzequ_2023.pdf)
    ("denied_third_party", "4.保护第三方合法权"),                # the last character lost
    ("rejected_publication", "3.要求提供公开出版"),
])
def test_misprinted_label_read_with_a_warning(seed, key, printed):
    g, record = _with_label(seed, key, printed)
    assert record["applications"] == g.expected["applications"]
    row = forms.APPLICATION_ROW_BY_KEY[key]
    assert [w["message"] for w in record["warnings"] if w["code"] in ("row_label_misprinted", "row_missing")] == [
        f"表三印的行名“{printed}”与表格的行名不完全一致，按“{row.number}{row.label}”读取（同一组内只有这一行的名称相符，序号也相同）"]


@pytest.mark.parametrize("key,printed", [
    ("denied_prohibited_by_law", "2.属于行政执法案卷"),          # its ordinal, another row's label
    ("denied_prohibited_by_law", "2.其他"),                      # too little of the label
    ("denied_prohibited_by_law", "3.其他法律行政止公开"),        # not its ordinal
])
def test_label_that_is_not_the_rows_stays_missing(key, printed):
    _g, record = _with_label(0, key, printed)
    assert record["applications"][key] == {c.key: None for c in forms.APPLICANT_COLUMNS}
    assert "row_missing" in [w["code"] for w in record["warnings"]]
    assert "row_label_misprinted" not in [w["code"] for w in record["warnings"]]


def test_a_label_that_fits_two_rows_of_its_group_is_not_read():
    """（六）其他处理 of the 2021 form: "申请人逾期、行政机关不再处理其政府信息公开申请" is in order in both long labels."""
    printed = "申请人逾期、行政机关不再处理其政府信息公开申请"
    fits = [r.key for r in forms.APPLICATION_ROWS if r.group == "（六）其他处理" and any(_label_fits(printed, lab) for lab in r.labels)]
    assert fits == ["other_no_correction", "other_unpaid_fee"]
