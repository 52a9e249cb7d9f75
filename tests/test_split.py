"""Glued digit runs cut by the form's identities (ingest/parser/split.py and its use in tables.py).

Three kinds of evidence: the cutter on its own (every cut, the constraints, the bounds), hand-written
reports whose glued rows have a known answer (unique, fixed only by the column identities, ambiguous,
impossible; table 2's signed and amount cells), and generated reports printed with every row glued,
where each row must come back exact or null with the truth among the listed candidates. A property
test checks that whatever is recovered satisfies every identity the warning names.
"""
from __future__ import annotations

import random
import re
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from ingest import forms
from ingest.generate import generate
from ingest.parse import parse_bytes
from ingest.parser import split
from ingest.parser.tables import _numbered_regex, t3_equations, t4_sums

T3_SUM = ((tuple(range(6)), 6),)
COLS = forms.APPLICANT_COLUMN_KEYS


def run(s: str, start: int = 0) -> split.Piece:
    return split.Piece(s, start, run=True)


def values(found: split.RowSplits) -> list[tuple]:
    return [tuple(p.value for p in c) for c in found.candidates]


# --------------------------------------------------------------------------------------------
# The cutter
# --------------------------------------------------------------------------------------------

def test_row_total_leaves_one_cut():
    found = split.row_splits([run("713000074")], ("count",) * 7, sums=T3_SUM)
    assert found.complete and values(found) == [(71, 3, 0, 0, 0, 0, 74)]
    # each part points at its own digits
    assert [(p.printed, p.start, p.end) for p in found.candidates[0]][:2] == [("71", 0, 2), ("3", 2, 3)]


def test_row_ambiguous_alone():
    found = split.row_splits([run("110000011")], ("count",) * 7, sums=T3_SUM)
    assert sorted(values(found)) == [(1, 10, 0, 0, 0, 0, 11), (11, 0, 0, 0, 0, 0, 11)]


def test_no_leading_zeros_and_no_cut_without_constraints_when_digits_equal_cells():
    assert split.unique_by_format([run("0000000")], ("count",) * 7) is not None
    found = split.row_splits([run("1005")], ("count",) * 2)
    assert values(found) == [(100, 5)]                       # "1/005", "10/05" are not numbers
    found = split.row_splits([run("1015")], ("count",) * 2)
    assert sorted(values(found)) == [(10, 15), (101, 5)]


def test_several_runs_and_a_space():
    """"230 000023" (forms.md §8) is 23, 0, 0, 0, 0, 0, 23."""
    found = split.row_splits([run("230"), run("000023", 4)], ("count",) * 7, sums=T3_SUM)
    assert values(found) == [(23, 0, 0, 0, 0, 0, 23)]


def test_table4_seventeen_digits():
    truth = (10, 2, 0, 0, 12, 4, 0, 0, 1, 5, 1, 0, 1, 0, 2)
    digits = "".join(map(str, truth))
    assert len(digits) == 17
    found = split.row_splits([run(digits)], ("count",) * 15, sums=t4_sums())
    assert found.complete and values(found) == [truth]


def test_table4_fifteen_digits_need_no_rule():
    only = split.unique_by_format([run("110024001510102")], ("count",) * 15)
    assert tuple(p.value for p in only) == (1, 1, 0, 0, 2, 4, 0, 0, 1, 5, 1, 0, 1, 0, 2)


def test_a_total_that_lost_a_digit_has_no_cut():
    """"71300007" is 71/3/0/0/0/0/74 with the total's 4 dropped: no cut adds up."""
    found = split.row_splits([run("71300007")], ("count",) * 7, sums=T3_SUM)
    assert found.complete and values(found) == []


def test_a_very_long_run_is_refused_at_once():
    found = split.row_splits([run("7" * 1000)], ("count",) * 7, sums=T3_SUM)
    assert not found.complete and found.candidates == []
    found = split.row_splits([run("12" * 50), run("3")], ("count",) * 7, sums=T3_SUM)    # searched, bounded
    assert isinstance(found.complete, bool)


def test_signed_change_glued_to_its_neighbours():
    kinds = ("count", "signed", "count")
    only = split.unique_by_format([run("0"), run("+11", 1)], kinds)
    assert [(p.value, p.printed) for p in only] == [(0, "0"), (1, "+1"), (1, "1")]
    prev = (("T2-2019-prev", lambda v: v[0] + v[1] >= 0),)
    found = split.row_splits([run("2648"), run("-18538", 4)], kinds, checks=prev)
    assert sorted(values(found)) == [(2648, -1853, 8), (2648, -185, 38), (2648, -18, 538), (2648, -1, 8538)]
    found = split.row_splits([run("5"), run("-18")], kinds, checks=prev)
    assert values(found) == [(5, -1, 8)]                      # -18 would leave no decisions cell


def test_count_and_amount():
    found = split.row_splits([run("315602400")], ("count", "amount"))
    got = values(found)
    assert (31, 5602400) in got and (3, 15602400) in got and len(got) == 6    # 3156/02400 and 3156024/00 are not
    found = split.row_splits([run("31398.3675")], ("count", "amount"))
    assert (31, Decimal("398.3675")) in values(found)
    assert split.row_splits([run("12.5")], ("count", "count")).candidates == []     # a fraction is no count


def test_column_identities_fix_a_row_ambiguous_alone():
    known = {k: (0,) * 7 for k in forms.APPLICATION_ROW_KEYS if k not in forms.RESULT_ROWS_2021}
    known.update(new_received=(11, 0, 0, 0, 0, 0, 11), total_processed=(11, 0, 0, 0, 0, 0, 11), other=None)
    variables = {"granted": [(1, 10, 0, 0, 0, 0, 11), (11, 0, 0, 0, 0, 0, 11)]}
    for k in forms.RESULT_ROWS_2019:
        if k != "granted":
            known[k] = (0,) * 7
    sol = split.solve_table(known, variables, t3_equations(forms.RESULT_ROWS_2019), 7)
    assert sol.complete and sol.options["granted"] == [(11, 0, 0, 0, 0, 0, 11)]
    assert sol.rules["granted"] == ["T3-results"]


# --------------------------------------------------------------------------------------------
# Hand-written reports with known answers
# --------------------------------------------------------------------------------------------

HEADER3 = "申请人情况 自然人 法人或其他组织 总计 商业企业 科研机构 社会公益组织 法律服务机构 其他\n"


def _report(rows: dict[str, str], table2: str = "", table4: str = "0 0 0 0 0 0 0 0 0 0 0 0 0 0 0") -> bytes:
    """A 2019-form report whose table-3 rows are printed as given (default "0000000")."""
    lines = []
    for row in forms.application_rows(False):
        lines.append(f"{row.number}{row.label}{rows.get(row.key, '0000000')}")
    t2 = table2 or ("第二十条第（一）项\n信息内容 本年新制作数量 本年新公开数量 对外公开总数量\n规章 0 0 0\n规范性文件 0 0 0\n")
    return ("某某县人民政府2019年政府信息公开工作年度报告\n一、总体情况\n本机关依法公开政府信息。\n二、主动公开政府信息情况\n" + t2
            + "三、收到和处理政府信息公开申请情况\n" + HEADER3 + "\n".join(lines) + "\n"
            + "四、政府信息公开行政复议、行政诉讼情况\n行政复议 行政诉讼\n结果维持 结果纠正 其他结果 尚未审结 总计\n"
            + table4 + "\n五、存在的主要问题及改进情况\n无。\n").encode()


def _codes(rec, code):
    return [w for w in rec["warnings"] if w["code"] == code]


def _row(rec, key):
    return [rec["applications"][key][c] for c in COLS]


def test_rows_fixed_by_the_columns_and_rows_that_stay_ambiguous():
    """new_received and total_processed ("1210000022": 12/10/…/22 or 1/21/…/22) are fixed by T3-results and
    T3-balance; granted and partly_granted ("110000011" each) can swap without breaking any identity."""
    rec = parse_bytes(_report({"new_received": "1210000022", "total_processed": "1210000022",
                               "granted": "110000011", "partly_granted": "110000011"}), "r.txt").record
    assert _row(rec, "new_received") == [12, 10, 0, 0, 0, 0, 22]
    assert _row(rec, "total_processed") == [12, 10, 0, 0, 0, 0, 22]
    assert _row(rec, "granted") == [None] * 7 and _row(rec, "partly_granted") == [None] * 7
    cells = {(c["row"], c["col"]): c for c in rec["cells"] if c["table"] == "applications"}
    assert cells[("new_received", "commercial")]["kind"] == "recovered"
    assert cells[("granted", "natural_person")]["kind"] == "unreadable"
    ok = {w["message"] for w in _codes(rec, "cells_split_by_rules")}
    assert "表三“一、本年新收政府信息公开申请数量”的粘连数字“1210000022”按勾稽关系（表三行合计、表三总量平衡）唯一拆分为 " \
           "12/10/0/0/0/0/22" in ok
    amb = _codes(rec, "cells_split_ambiguous")
    assert len(amb) == 2
    for w in amb:
        assert "2 种拆分" in w["message"] and "1/10/0/0/0/0/11" in w["message"] and "11/0/0/0/0/0/11" in w["message"]


def test_a_total_that_lost_a_digit_is_left_null():
    rec = parse_bytes(_report({"new_received": "71300007", "granted": "710000071", "partly_granted": "0300003",
                               "total_processed": "713000074"}), "r.txt").record
    assert _row(rec, "new_received") == [None] * 7
    assert [w for w in _codes(rec, "cells_concatenated") if "“71300007”" in w["message"]]
    # the rest of the table still solves: T3-results alone ties total_processed to its parts
    assert _row(rec, "total_processed") == [71, 3, 0, 0, 0, 0, 74]
    assert _row(rec, "granted") == [71, 0, 0, 0, 0, 0, 71]


def test_a_self_contradicting_glued_table_keeps_only_what_the_digits_alone_say():
    """（七）总计 says 75 but the rows add up to 74: no cut of the glued rows satisfies every identity, so
    they stay null; the rows printed one digit per cell keep their printed numbers."""
    rec = parse_bytes(_report({"new_received": "713000074", "granted": "710000071", "partly_granted": "3000003",
                               "total_processed": "723000075"}), "r.txt").record
    assert _row(rec, "new_received") == [None] * 7 and _row(rec, "total_processed") == [None] * 7
    assert _row(rec, "partly_granted") == [3, 0, 0, 0, 0, 0, 3]
    assert _codes(rec, "cells_concatenated") and not _codes(rec, "cells_split_by_rules")


TABLE2_2019 = """第二十条第（一）项
信息内容 本年新制作数量 本年新公开数量 对外公开总数量
规章 0 0 0
规范性文件 1 1 5
第二十条第（五）项
信息内容 上一年项目数量 本年增/减 处理决定数量
行政许可 0+11
其他对外管理服务事项 0 0 0
第二十条第（六）项
信息内容 上一年项目数量 本年增/减 处理决定数量
行政处罚 2648-18538
行政强制 0 0 0
第二十条第（八）项
信息内容 上一年项目数量 本年增/减
行政事业性收费 0 0
第二十条第（九）项
信息内容 采购项目数量 采购总金额
政府集中采购315602400元
"""


def test_table2_signed_and_amount_runs():
    rec = parse_bytes(_report({}, TABLE2_2019), "r.txt").record
    assert rec["report"]["template"] == "2019"
    items = {i["item_key"]: i["values"] for i in rec["active_disclosure"]}
    assert items["licensing"] == {"previous_count": 0, "change": 1, "decisions": 1}      # "0+11": one cut only
    assert items["penalties"] == {"previous_count": None, "change": None, "decisions": None}
    assert items["procurement"] == {"projects": None, "amount_yuan": None}                # never 315602400 projects
    msgs = {w["message"] for w in _codes(rec, "cells_split_ambiguous")}
    assert any("“政府集中采购”" in m and "31/5602400" in m for m in msgs), msgs
    assert any("“行政处罚”" in m and "4 种" in m and "2648/-18/538" in m for m in msgs), msgs
    cells = {(c["row"], c["col"]): c for c in rec["cells"] if c["table"] == "active_disclosure"}
    assert cells[("licensing", "change")]["printed"] == "+1" and cells[("licensing", "change")]["kind"] == "number"
    assert cells[("procurement", "projects")]["kind"] == "unreadable"


def test_table4_glued_seventeen_digits_in_a_report():
    truth = [10, 2, 0, 0, 12, 4, 0, 0, 1, 5, 1, 0, 1, 0, 2]
    rec = parse_bytes(_report({}, table4="".join(map(str, truth))), "r.txt").record
    got = [rec["reviews_litigation"][k][o] for k in forms.REVIEW_KIND_KEYS for o in forms.REVIEW_OUTCOME_KEYS]
    assert got == truth
    w = _codes(rec, "cells_split_by_rules")
    assert len(w) == 1 and "表四合计" in w[0]["message"] and "表四" in w[0]["message"]
    kinds = {c["kind"] for c in rec["cells"] if c["table"] == "reviews_litigation"}
    assert kinds == {"recovered"}


# --------------------------------------------------------------------------------------------
# Generated reports with every row glued
# --------------------------------------------------------------------------------------------

def _vector_in(message: str, vector) -> bool:
    return "/".join("空" if v is None else str(v) for v in vector) in message


@pytest.mark.parametrize("template", ("2019", "2021"))
@pytest.mark.parametrize("seed", range(8))
def test_generated_glued_reports(template, seed):
    """Every glued row is exact, or null with a warning: the truth among the candidates, or no cut."""
    g = generate(random.Random(seed * 7 + 1), template=template, layout="glued", subtotals=False)
    rec = parse_bytes(g.data, g.filename).record
    warnings = [w for w in rec["warnings"] if w["code"] in ("cells_split_by_rules", "cells_split_ambiguous",
                                                            "cells_concatenated")]
    recovered = 0
    for key, row in forms.APPLICATION_ROW_BY_KEY.items():
        if key not in g.expected["applications"]:
            continue
        want = [g.expected["applications"][key][c] for c in COLS]
        got = _row(rec, key)
        label = f"“{row.number}{row.label}”"
        if got == want:
            recovered += any(c["kind"] == "recovered" for c in rec["cells"] if c["row"] == key
                             and c["table"] == "applications")
            continue
        assert got == [None] * 7, (key, got, want)
        w = [w for w in warnings if label in w["message"] and "表三" in w["message"]]
        assert len(w) == 1, (key, w)
        if w[0]["code"] == "cells_split_ambiguous" and "上限" not in w[0]["message"] and "等 " not in w[0]["message"]:
            assert _vector_in(w[0]["message"], want), (w[0]["message"], want)
    assert recovered or not any(v for cols in g.expected["applications"].values() for v in cols.values())


def test_generated_ambiguous_rows_stay_null_with_candidates():
    """Two result rows whose glued digits read both ways ("110000011") are printed into a generated report
    whose columns cannot tell them apart: both stay null and list both cuts."""
    found = None
    for seed in range(200):
        g = generate(random.Random(seed), template="2021", layout="glued", subtotals=False, blanks=False)
        apps = g.expected["applications"]
        if apps["granted"]["total"] == 0 and apps["partly_granted"]["total"] == 0 and \
                apps["total_processed"]["total"] == 0:
            found = seed
            break
    assert found is not None
    g = generate(random.Random(found), template="2021", layout="glued", subtotals=False, blanks=False)
    text = g.text
    start = text.index("申请人情况")
    for key, digits in (("new_received", "1210000022"), ("granted", "110000011"), ("partly_granted", "110000011"),
                        ("total_processed", "1210000022")):
        row = forms.APPLICATION_ROW_BY_KEY[key]
        at = _numbered_regex(row.number, row.labels).search(text, start).end()
        text = text[:at] + text[at:].replace("0000000", digits, 1)
    rec = parse_bytes(text.encode(), "amb.txt").record
    assert _row(rec, "granted") == [None] * 7 and _row(rec, "partly_granted") == [None] * 7
    assert _row(rec, "total_processed") == [12, 10, 0, 0, 0, 0, 22]
    amb = [w for w in _codes(rec, "cells_split_ambiguous") if "表三" in w["message"]]
    assert len(amb) == 2 and all(_vector_in(w["message"], (1, 10, 0, 0, 0, 0, 11)) for w in amb)


# --------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------

@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(0, 300), min_size=6, max_size=6))
def test_every_cut_satisfies_the_row_total_and_the_truth_is_one(parts):
    truth = (*parts, sum(parts))
    found = split.row_splits([run("".join(map(str, truth)))], ("count",) * 7, sums=T3_SUM)
    assert found.complete
    cuts = values(found)
    assert truth in cuts
    assert all(sum(c[:6]) == c[6] for c in cuts)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10 ** 6), st.sampled_from(("2019", "2021")))
def test_recovered_rows_satisfy_every_identity_named(seed, template):
    g = generate(random.Random(seed), template=template, layout="glued", subtotals=False)
    rec = parse_bytes(g.data, g.filename).record
    apps = rec["applications"]
    by_label = {f"“{r.number}{r.label}”": r.key for r in forms.APPLICATION_ROWS}
    for w in _codes(rec, "cells_split_by_rules"):
        named = re.search(r"按勾稽关系（([^）]*)）", w["message"]).group(1).split("、")
        rules = [{v: k for k, v in forms.IDENTITY_NAMES.items()}[n] for n in named]
        if "表四" in w["message"]:
            rl = rec["reviews_litigation"]
            assert rules == ["T4-total"]
            for kind in forms.REVIEW_KIND_KEYS:
                r = rl[kind]
                assert r["upheld"] + r["corrected"] + r["other"] + r["pending"] == r["total"]
            continue
        if "表二" in w["message"]:
            item = next(i for i in rec["active_disclosure"] if f"“{i['item']}”" in w["message"])
            v = item["values"]
            assert rules in (["T2-2019-prev"], ["T2-2021-valid"])
            if rules == ["T2-2019-prev"]:
                assert v["previous_count"] + v["change"] >= 0
            else:
                assert v["in_force"] >= v["issued"] - v["repealed"]
            continue
        key = next(k for lab, k in by_label.items() if lab in w["message"] and "表三" in w["message"])
        row = apps[key]
        if "T3-row-total" in rules:
            assert sum(row[c] for c in COLS[:6]) == row["total"]
        for eq in t3_equations(apps):
            if eq.rule in rules:
                # where every operand is known; a column whose other operands are rows left ambiguous held in
                # every joint cut the search found, but the record cannot show which
                for c in COLS:
                    if None not in [apps[k][c] for k in (*eq.left, *eq.right)]:
                        assert sum(apps[k][c] for k in eq.left) == sum(apps[k][c] for k in eq.right), (eq.rule, c)


# --------------------------------------------------------------------------------------------
# A row that carries a warning emits no value the warning puts in doubt (issue #10 §4)
# --------------------------------------------------------------------------------------------

def test_rows_that_lost_cells_place_no_value_by_guess():
    """Two numbers for three table-2 cells, five for seven table-3 cells, seven for fifteen table-4 cells:
    which cells were lost is unknown, so none gets a value; the printed text stays in the cells."""
    t2 = TABLE2_2019.replace("行政许可 0+11", "行政许可 5 7")
    rec = parse_bytes(_report({"granted": "3 0 0 0 3"}, t2, table4="1 0 0 1 2 0 0"), "r.txt").record
    items = {i["item_key"]: i["values"] for i in rec["active_disclosure"]}
    assert items["licensing"] == {"previous_count": None, "change": None, "decisions": None}
    assert _row(rec, "granted") == [None] * 7
    assert all(v is None for kind in rec["reviews_litigation"].values() for v in kind.values())
    cells = {(c["table"], c["row"], c["col"]): c for c in rec["cells"]}
    assert (cells[("active_disclosure", "licensing", "previous_count")]["kind"],
            cells[("active_disclosure", "licensing", "previous_count")]["printed"]) == ("unreadable", "5")
    assert [cells[("applications", "granted", c)]["printed"] for c in COLS] == ["3", "0", "0", "0", "3", None, None]
    missing = [w["message"] for w in _codes(rec, "cells_missing")]
    assert any("表二“行政许可”只有 2 个单元格" in m and "已留空" in m for m in missing), missing
    assert any("表四只读到 7 个单元格" in m and "已留空" in m for m in missing), missing
    # the rows around them are read as printed
    assert items["other_services"] == {"previous_count": 0, "change": 0, "decisions": 0}


def test_a_row_one_number_short_is_a_lost_cell_not_a_glued_run():
    """"14 0 0 0 0 14" for seven cells: no cut of "14" adds up, so the row lost a cell; the column sums
    put it back (cell_recovered) as for any row that lost one."""
    rows = {"new_received": "14 0 0 0 0 0 14", "granted": "14 0 0 0 0 14", "total_processed": "14 0 0 0 0 0 14"}
    rec = parse_bytes(_report(rows), "r.txt").record
    assert _row(rec, "granted") == [14, 0, 0, 0, 0, 0, 14]
    assert _codes(rec, "cell_recovered") and not _codes(rec, "cells_concatenated")
    assert not _codes(rec, "cells_split_by_rules")


def test_a_row_with_numbers_beyond_the_form_keeps_them_only_when_the_row_adds_up():
    """Eight numbers for seven cells: "3 0 0 0 0 0 3 9" keeps 3/…/3 (the row total holds, the 9 is beyond
    the table); "3 1 0 0 0 0 3 4" does not add up in its first seven, so no column can be trusted."""
    rows = {"new_received": "3 0 0 0 0 0 3 9", "total_processed": "3 1 0 0 0 0 3 4"}
    rec = parse_bytes(_report(rows), "r.txt").record
    assert _row(rec, "new_received") == [3, 0, 0, 0, 0, 0, 3]
    assert _row(rec, "total_processed") == [None] * 7
    msgs = [w["message"] for w in _codes(rec, "extra_cells")]
    assert any("（七）总计" in m and "已留空" in m for m in msgs) and any("符合行合计" in m for m in msgs), msgs
