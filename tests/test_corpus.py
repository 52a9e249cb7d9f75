"""The development corpus (data/reports/pingtan_*): legacy reports 2011–2018 and the 2021-form
reports of 2022 (text and HTML) and 2023, checked against values read by eye from the files.

In the Pingtan page.txt files the report body is the single line 10 (archive header on lines 1–8,
"==== 正文 ====" on line 9), so every fact and cell of those files sits on line 10.
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from conftest import (application_row_keys, check_active, check_applications, check_fact,
                      check_fact_unambiguous,
                      check_reviews, find_cell, parse_report, text_line, warnings_with)
from ingest import forms

BODY = 10
LEGACY = {
    # file: (year, published_on from 发布时间, title from 标题)
    "pingtan_2011_shiyanqu.txt": (2011, "2012-04-11", "平潭综合实验区2011年政府信息公开工作年度报告"),
    "pingtan_2012_xian.txt": (2012, "2013-01-17", "平潭县人民政府2012年政府信息公开工作年度报告"),
    "pingtan_2013_xian.txt": (2013, "2014-01-22", "平潭县人民政府2013年政府信息公开工作年度报告"),
    "pingtan_2013_shiyanqu.txt": (2013, "2014-01-10", "平潭综合实验区2013年政府信息公开工作年度报告"),
    "pingtan_2014.txt": (2014, "2015-01-02", "平潭综合实验区管委会2014年度政府信息公开工作年度报告"),
    "pingtan_2015.txt": (2015, "2016-01-12", "平潭综合实验区2015年度政府信息公开工作年度报告"),
    "pingtan_2016.txt": (2016, "2017-01-18", "平潭综合实验区2016年度政府信息公开工作年度报告"),
    "pingtan_2018.txt": (2018, "2019-01-10", "平潭综合实验区2018年度政府信息公开工作年度报告"),
}
MODERN = {
    "pingtan_2022.txt": (2022, "2023-02-20", "平潭综合实验区2022年度政府信息公开工作年度报告"),
    "pingtan_2022.html": (2022, "2023-02-20", "平潭综合实验区2022年度政府信息公开工作年度报告"),
    "pingtan_2023.txt": (2023, "2024-03-08", "平潭综合实验区2023年度政府信息公开工作年度报告"),
}
ALL = {**LEGACY, **MODERN}


@pytest.mark.parametrize("name", sorted(ALL))
def test_year_template_title(name):
    year, _, title = ALL[name]
    report = parse_report(name).record["report"]
    template = "legacy" if name in LEGACY else "2021"
    assert (report["year"], report["template"], report["title"]) == (year, template, title)


@pytest.mark.parametrize("name", sorted(ALL))
def test_published_on(name):
    assert parse_report(name).record["report"]["published_on"] == ALL[name][1]


@pytest.mark.parametrize("name", sorted(ALL))
def test_region_is_pingtan(name):
    """平潭综合实验区 administers 平潭县 (350128); both kinds of report resolve to it."""
    region = parse_report(name).record["report"]["region"]
    assert (region["adcode"], region["province"], region["city"], region["county"]) == \
        ("350128", "福建省", "福州市", "平潭县")


@pytest.mark.parametrize("name", ["pingtan_2012_xian.txt", "pingtan_2013_xian.txt"])
def test_agency_county(name):
    report = parse_report(name).record["report"]
    assert report["agency"] == "平潭县人民政府"
    assert report["agency_kind"] == "government"


@pytest.mark.parametrize("name", sorted(ALL))
def test_source_format(name):
    src = parse_report(name).record["source"]
    assert src["format"] == ("html" if name.endswith(".html") else "text")


# --------------------------------------------------------------------------------------------
# legacy 2011–2018: no national form tables, figures from prose
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(LEGACY))
def test_legacy_has_no_form_tables(name):
    rec = parse_report(name).record
    assert rec["applications"] is None
    assert rec["reviews_litigation"] is None
    assert not rec["active_disclosure"]


LEGACY_FACTS = [
    # 2011: 其中主动公开政府信息425条 / 2011年全区未收到有关政府信息公开的申请，未收到有关政府信息公开行政复议申请
    ("pingtan_2011_shiyanqu.txt", "disclosed_items", 425),
    ("pingtan_2011_shiyanqu.txt", "applications_received", 0),
    ("pingtan_2011_shiyanqu.txt", "reviews", 0),
    # 2012: 其中主动公开政府信息2026条 / 共收到有关政府信息公开的申请21条 / 同意公开答复数17条
    ("pingtan_2012_xian.txt", "disclosed_items", 2026),
    ("pingtan_2012_xian.txt", "applications_received", 21),
    ("pingtan_2012_xian.txt", "applications_granted", 17),
    ("pingtan_2012_xian.txt", "reviews", 0),
    # 2013 县: 其中主动公开政府信息1853条 / 共收到…申请7条 / 同意公开答复数2条
    ("pingtan_2013_xian.txt", "disclosed_items", 1853),
    ("pingtan_2013_xian.txt", "applications_received", 7),
    ("pingtan_2013_xian.txt", "applications_granted", 2),
    ("pingtan_2013_xian.txt", "reviews", 0),
    # 2013 实验区: 主动公开政府信息4970条 / 未收到…申请，收到1份有关政府信息公开行政复议申请
    ("pingtan_2013_shiyanqu.txt", "disclosed_items", 4970),
    ("pingtan_2013_shiyanqu.txt", "applications_received", 0),
    ("pingtan_2013_shiyanqu.txt", "reviews", 1),
    # 2014: 主动公开政府信息 2543条 / 收到…信函申请1条 / 未收到…行政复议 / 暂不收费
    ("pingtan_2014.txt", "disclosed_items", 2543),
    ("pingtan_2014.txt", "applications_received", 1),
    ("pingtan_2014.txt", "reviews", 0),
    ("pingtan_2014.txt", "fee_yuan", 0),
    # 2015: 主动公开政府信息2949条 / 未收到…申请 / 暂不收费 / 未收到…行政复议、提起行政诉讼
    ("pingtan_2015.txt", "disclosed_items", 2949),
    ("pingtan_2015.txt", "applications_received", 0),
    ("pingtan_2015.txt", "fee_yuan", 0),
    ("pingtan_2015.txt", "reviews", 0),
    ("pingtan_2015.txt", "lawsuits", 0),
    # 2016: 主动公开政府信息3460条 / same wording as 2015
    ("pingtan_2016.txt", "disclosed_items", 3460),
    ("pingtan_2016.txt", "applications_received", 0),
    ("pingtan_2016.txt", "fee_yuan", 0),
    ("pingtan_2016.txt", "reviews", 0),
    ("pingtan_2016.txt", "lawsuits", 0),
    # 2018: 主动公开政府信息2069条 / 未收到…申请 / 未收到…行政复议、提起行政诉讼
    ("pingtan_2018.txt", "disclosed_items", 2069),
    ("pingtan_2018.txt", "applications_received", 0),
    ("pingtan_2018.txt", "reviews", 0),
    ("pingtan_2018.txt", "lawsuits", 0),
]


@pytest.mark.parametrize("name,metric,value", LEGACY_FACTS)
def test_legacy_facts(name, metric, value):
    check_fact(parse_report(name), metric, value, BODY)


@pytest.mark.parametrize("name,metric,value", LEGACY_FACTS)
def test_legacy_facts_unambiguous(name, metric, value):
    check_fact_unambiguous(parse_report(name), metric, value)


@pytest.mark.parametrize("name,year", [(n, v[0]) for n, v in LEGACY.items() if n != "pingtan_2013_xian.txt"])
def test_legacy_report_period_year(name, year):
    """"本报告所列数据的统计期限自YYYY年1月1日起" (2013 县 prints "统计期限自至": no such fact)."""
    check_fact(parse_report(name), "report_period_year", year, BODY)


def test_2013_xian_blank_period_gives_no_period_fact():
    facts = [f for f in parse_report("pingtan_2013_xian.txt").record["facts"]
             if f["metric"] == "report_period_year"]
    assert facts == []


# --------------------------------------------------------------------------------------------
# 2022 (HTML): every cell is separate, so every value is readable
# --------------------------------------------------------------------------------------------

ACTIVE_2022 = {
    "regulations": {"issued": 0, "repealed": 0, "in_force": 0},
    "normative_documents": {"issued": 88, "repealed": 55, "in_force": 698},
    "licensing": {"decisions": 10690},
    "penalties": {"decisions": 2113},
    "enforcement": {"decisions": 0},
    "fees": {"amount_yuan": 91163600},      # 9116.36 万元
}

APPS_2022 = {k: [0, 0, 0, 0, 0, 0, 0] for k in application_row_keys("2021")}
APPS_2022.update(
    new_received=[71, 3, 0, 0, 0, 0, 74],
    carried_over=[1, 0, 0, 0, 0, 0, 1],
    granted=[21, 0, 0, 0, 0, 0, 21],
    partly_granted=[8, 1, 0, 0, 0, 0, 9],
    denied_internal_affairs=[1, 0, 0, 0, 0, 0, 1],
    denied_process_info=[2, 0, 0, 0, 0, 0, 2],
    denied_enforcement_file=[1, 0, 0, 0, 0, 0, 1],
    unable_not_held=[37, 0, 0, 0, 0, 0, 37],
    other_no_correction=[2, 0, 0, 0, 0, 0, 2],
    other_other=[0, 2, 0, 0, 0, 0, 2],
    total_processed=[72, 3, 0, 0, 0, 0, 75],
)
REVIEWS_2022 = {
    "review": [0, 1, 1, 0, 2],
    "litigation_direct": [1, 0, 0, 0, 1],
    "litigation_after_review": [0, 0, 0, 0, 0],
}


def test_2022_html_active_disclosure():
    check_active(parse_report("pingtan_2022.html"), "2021", ACTIVE_2022)


def test_2022_html_applications():
    check_applications(parse_report("pingtan_2022.html"), APPS_2022)


def test_2022_html_reviews():
    check_reviews(parse_report("pingtan_2022.html"), REVIEWS_2022)


def test_2022_html_no_concatenation_warnings():
    assert warnings_with(parse_report("pingtan_2022.html").record, "cells_concatenated") == []


def test_2022_html_cells_are_numbers_on_rendered_lines():
    p = parse_report("pingtan_2022.html")
    cells = [c for c in p.record["cells"]]
    n_active = sum(len(i.metrics) for i in forms.ACTIVE_ITEMS["2021"])
    assert len(cells) == len(application_row_keys("2021")) * 7 + 15 + n_active
    bad = [c for c in cells if c["kind"] != "number" or c["printed"] not in text_line(p, c["line"])]
    assert not bad, bad[:5]
    # a table row is one line of the rendering, cells separated by tabs
    c = find_cell(p.record, "applications", "unable_not_held", "natural_person")
    line = text_line(p, c["line"])
    assert "本机关不掌握相关政府信息" in line and "\t37\t" in line
    fee = find_cell(p.record, "active_disclosure", "fees", "amount_yuan")
    assert fee["printed"] == "9116.36" and fee["unit"] == "万元"


def test_2022_html_text_has_no_site_chrome():
    """The report is the TRS_Editor div: navigation and scripts are not part of the text."""
    text = parse_report("pingtan_2022.html").text
    assert "一、总体情况" in text and "六、其他需要报告的事项" in text
    assert "<script" not in text and "function(" not in text and "&nbsp;" not in text


@pytest.mark.parametrize("metric,value", [
    ("disclosed_items", 14571),       # 2022年全区共主动公开政府信息14571条
    ("applications_received", 75),    # 全区收到政府信息公开申请75件
    ("reviews", 2),                   # 行政复议案件2件
    ("lawsuits", 1),                  # 行政诉讼案件1件
    ("fee_yuan", 0),                  # 无收取信息处理费情况
])
def test_2022_facts_txt(metric, value):
    check_fact(parse_report("pingtan_2022.txt"), metric, value, BODY)


@pytest.mark.parametrize("metric,value", [
    ("disclosed_items", 14571), ("applications_received", 75), ("reviews", 2), ("lawsuits", 1),
])
def test_2022_facts_html(metric, value):
    check_fact(parse_report("pingtan_2022.html"), metric, value)


# --------------------------------------------------------------------------------------------
# 2022 (text): glued cells cut by the form's identities (ingest/parser/split.py)
# --------------------------------------------------------------------------------------------

# Every glued table-3 row has exactly one cut that satisfies T3-row-total, T3-results and T3-balance,
# and it is the HTML version's row (the same report with its cells separate). These rows used to be
# null (the reader did not search); the values are the HTML's, read by eye there.
APPS_2022_TXT = dict(APPS_2022)
RECOVERED_2022 = {                 # row: (printed run, rules named in the warning)
    "new_received": ("713000074", "表三行合计、表三总量平衡"),
    "granted": ("210000021", "表三行合计、表三办理结果合计"),
    "unable_not_held": ("370000037", "表三行合计、表三办理结果合计"),
    "total_processed": ("723000075", "表三行合计、表三总量平衡、表三办理结果合计"),
}


def test_2022_txt_active_disclosure():
    active = {k: dict(v) for k, v in ACTIVE_2022.items()}
    active["normative_documents"] = {"issued": None, "repealed": None, "in_force": None}  # "8855698"
    check_active(parse_report("pingtan_2022.txt"), "2021", active)


def test_2022_txt_table2_run_is_ambiguous_with_candidates():
    """"8855698" for 本年制发/本年废止/现行有效: nothing but T2-2021-valid ties the three, so nine cuts remain;
    the cells stay null and the warning lists them, the HTML's 88/55/698 among them."""
    ws = warnings_with(parse_report("pingtan_2022.txt").record, "cells_split_ambiguous")
    assert len(ws) == 1 and ws[0]["line"] == BODY
    assert "表二“行政规范性文件”" in ws[0]["message"] and "“8855698”" in ws[0]["message"]
    assert "9 种" in ws[0]["message"] and "88/55/698" in ws[0]["message"]


def test_2022_txt_applications():
    check_applications(parse_report("pingtan_2022.txt"), APPS_2022_TXT)


def test_2022_txt_reviews():
    check_reviews(parse_report("pingtan_2022.txt"), REVIEWS_2022)  # "0 1 1 0 2 1 0 0 0 1 0 0 0 0 0"


def test_2022_txt_split_warnings():
    rec = parse_report("pingtan_2022.txt").record
    assert warnings_with(rec, "cells_concatenated") == []
    ws = warnings_with(rec, "cells_split_by_rules")
    assert {w["line"] for w in ws} == {BODY}
    got = {w["message"] for w in ws}
    for key, (run, rules) in RECOVERED_2022.items():
        row = forms.APPLICATION_ROW_BY_KEY[key]
        values = "/".join(str(v) for v in APPS_2022[key])
        assert f"表三“{row.number}{row.label}”的粘连数字“{run}”按勾稽关系（{rules}）唯一拆分为 {values}" in got, got
    assert len(ws) == len(RECOVERED_2022)


def test_2022_txt_recovered_cells_point_at_their_digits():
    p = parse_report("pingtan_2022.txt")
    rec = p.record
    for row in RECOVERED_2022:
        for col, want in zip(forms.APPLICANT_COLUMN_KEYS, APPS_2022[row]):
            c = find_cell(rec, "applications", row, col)
            assert c["value"] == want and c["kind"] == "recovered" and c["line"] == BODY, (row, col, c)
            s, e = c["span"]
            assert text_line(p, c["line"])[s:e] == c["printed"] == str(want)
    c = find_cell(rec, "active_disclosure", "normative_documents", "issued")
    assert c["value"] is None and c["kind"] == "unreadable"
    ok = find_cell(rec, "applications", "partly_granted", "commercial")    # "8100009": one digit per cell
    assert ok["value"] == 1 and ok["kind"] == "number" and ok["line"] == BODY


def test_2022_txt_and_html_agree_where_readable():
    txt = parse_report("pingtan_2022.txt").record
    html = parse_report("pingtan_2022.html").record
    diffs = []
    for row, cols in txt["applications"].items():
        for col, v in cols.items():
            if v is not None and v != html["applications"][row][col]:
                diffs.append(("applications", row, col, v, html["applications"][row][col]))
    for kind, cols in txt["reviews_litigation"].items():
        for col, v in cols.items():
            if v is not None and v != html["reviews_litigation"][kind][col]:
                diffs.append(("reviews_litigation", kind, col, v, html["reviews_litigation"][kind][col]))
    hv = {i["item_key"]: i["values"] for i in html["active_disclosure"]}
    for item in txt["active_disclosure"]:
        for m, v in item["values"].items():
            if v is not None and Decimal(str(v)) != Decimal(str(hv[item["item_key"]][m])):
                diffs.append(("active_disclosure", item["item_key"], m, v, hv[item["item_key"]][m]))
    assert not diffs, diffs
    assert txt["report"]["year"] == html["report"]["year"]
    assert txt["report"]["template"] == html["report"]["template"]


def test_2022_txt_section_typo_heading():
    """"四、政府信息公开行政法复议、行政诉讼情况" (typo) is still section 四."""
    secs = [s["number"] for s in parse_report("pingtan_2022.txt").record["sections"]]
    assert secs == ["一", "二", "三", "四", "五", "六"]


# --------------------------------------------------------------------------------------------
# 2023 (text): everything run together
# --------------------------------------------------------------------------------------------

def test_2023_active_disclosure():
    check_active(parse_report("pingtan_2023.txt"), "2021", {
        "regulations": {"issued": 0, "repealed": 0, "in_force": 0},                       # "000"
        "normative_documents": {"issued": None, "repealed": None, "in_force": None},      # "77132470"
        "licensing": {"decisions": 2629},
        "penalties": {"decisions": 1330},
        "enforcement": {"decisions": 54},
        "fees": {"amount_yuan": Decimal("59490886.67")},                                  # 5949.088667 万元
    })


def test_2023_fee_exact():
    rec = parse_report("pingtan_2023.txt").record
    item = next(i for i in rec["active_disclosure"] if i["item_key"] == "fees")
    assert Decimal(str(item["values"]["amount_yuan"])) == Decimal("59490886.67")
    c = find_cell(rec, "active_disclosure", "fees", "amount_yuan")
    assert c["printed"] == "5949.088667"


APPS_2023 = {k: [0, 0, 0, 0, 0, 0, 0] for k in application_row_keys("2021")}
APPS_2023.update(
    # cut by the identities (they used to be null): T3-row-total fixes each, T3-results/T3-balance agree
    new_received=[80, 1, 0, 0, 0, 0, 81],                 # "801000081"
    granted=[22, 0, 0, 0, 0, 0, 22],                      # "220000022"
    partly_granted=[19, 1, 0, 0, 0, 0, 20],               # "191000020"
    unable_not_held=[31, 0, 0, 0, 0, 0, 31],              # "310000031"
    total_processed=[80, 1, 0, 0, 0, 0, 81],              # "801000081"
    # one digit per cell
    denied_third_party=[1, 0, 0, 0, 0, 0, 1],         # "1000001" + "5."
    denied_process_info=[1, 0, 0, 0, 0, 0, 1],       # "1000001" + "7."
    denied_enforcement_file=[1, 0, 0, 0, 0, 0, 1],   # "1000001" + "8."
    denied_admin_query=[2, 0, 0, 0, 0, 0, 2],        # "2000002"
    rejected_duplicate=[1, 0, 0, 0, 0, 0, 1],        # "1000001" + "3."
    other_no_correction=[1, 0, 0, 0, 0, 0, 1],       # "1000001" + "2."
    other_other=[1, 0, 0, 0, 0, 0, 1],               # "1000001"
)


def test_2023_applications():
    check_applications(parse_report("pingtan_2023.txt"), APPS_2023)


def test_2023_applications_agree_with_prose():
    """各类政府信息公开申请共计81件: the recovered 一、本年新收 总计."""
    assert parse_report("pingtan_2023.txt").record["applications"]["new_received"]["total"] == 81


def test_2023_reviews_single_digit_run():
    check_reviews(parse_report("pingtan_2023.txt"), {        # "110024001510102": 15 digits, 15 cells
        "review": [1, 1, 0, 0, 2],
        "litigation_direct": [4, 0, 0, 1, 5],
        "litigation_after_review": [1, 0, 1, 0, 2],
    })
    kinds = {c["kind"] for c in parse_report("pingtan_2023.txt").record["cells"] if c["table"] == "reviews_litigation"}
    assert kinds == {"number"}      # one cut only: read as printed, no rule needed


def test_2023_split_warnings():
    rec = parse_report("pingtan_2023.txt").record
    assert warnings_with(rec, "cells_concatenated") == []
    ws = warnings_with(rec, "cells_split_by_rules")
    assert {w["line"] for w in ws} == {BODY}
    assert len(ws) == 5, [w["message"] for w in ws]
    amb = warnings_with(rec, "cells_split_ambiguous")    # 行政规范性文件 "77132470"
    assert len(amb) == 1 and "“77132470”" in amb[0]["message"] and "13 种" in amb[0]["message"]


@pytest.mark.parametrize("metric,value", [
    ("disclosed_items", 13561),       # 2023年全区共主动公开政府信息13561条
    ("applications_received", 81),    # 各类政府信息公开申请共计81件
    ("reviews", 2),                   # 行政复议案件2件
    ("lawsuits", 7),                  # 行政诉讼案件7件
    ("fee_yuan", 0),                  # 无收取信息处理费情况
])
def test_2023_facts(metric, value):
    check_fact(parse_report("pingtan_2023.txt"), metric, value, BODY)


@pytest.mark.parametrize("name,metric,value", [
    ("pingtan_2022.txt", "disclosed_items", 14571), ("pingtan_2022.txt", "applications_received", 75),
    ("pingtan_2022.txt", "reviews", 2), ("pingtan_2022.txt", "lawsuits", 1),
    ("pingtan_2023.txt", "disclosed_items", 13561), ("pingtan_2023.txt", "applications_received", 81),
    ("pingtan_2023.txt", "reviews", 2), ("pingtan_2023.txt", "lawsuits", 7),
])
def test_modern_facts_unambiguous(name, metric, value):
    check_fact_unambiguous(parse_report(name), metric, value)


@pytest.mark.parametrize("name", sorted(ALL))
def test_number_cells_point_at_printed_text(name):
    p = parse_report(name)
    bad = []
    for c in p.record.get("cells") or []:
        assert c["kind"] in forms.CELL_KINDS, c
        if c["kind"] == "number":
            src = text_line(p, c.get("line"))
            if c.get("printed") is None or c["printed"] not in src:
                bad.append((c["row"], c["col"], c.get("printed"), c.get("line")))
            elif c.get("span"):
                s, e = c["span"]
                if src[s:e] != c["printed"]:
                    bad.append((c["row"], c["col"], "span", c["span"], src[s:e], c["printed"]))
        elif c.get("value") is not None and c["kind"] != "recovered":
            bad.append((c["row"], c["col"], c["kind"], "value must be null"))
    assert not bad, bad[:10]
