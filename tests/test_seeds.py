"""The five seed reports, checked cell by cell against values read by eye from the files.

Every expected number below was read from data/reports/00N_*.txt (line numbers are the file's own
1-based lines, which for a text file are also the lines of `Parsed.text`). None was produced by
running the parser: these tests are the parser's specification on real input.
"""
from __future__ import annotations

import re
from decimal import Decimal

import pytest

from conftest import (application_row_keys, check_active, check_applications, check_fact,
                      check_fact_unambiguous,
                      check_reviews, find_cell, parse_report, text_line, warnings_with)
from ingest import forms

S000 = "000_82a0420bca058b17.txt"
S001 = "001_9a9840e34a30576e.txt"
S002 = "002_d6bc68039ea8c73c.txt"
S003 = "003_4c968f10fc5de52b.txt"
S004 = "004_2baf5ee0490418e5.txt"

Z = [0, 0, 0, 0, 0, 0, 0]


def _zero_rows(template: str, **nonzero: list) -> dict[str, list]:
    rows = {k: list(Z) for k in application_row_keys(template)}
    for k, v in nonzero.items():
        assert k in rows, k
        rows[k] = v
    return rows


# --------------------------------------------------------------------------------------------
# report metadata
# --------------------------------------------------------------------------------------------

META = {
    # file: (year, template, agency, adcode, province, city, county, published_on)
    S000: (2020, "2019", "金华市金东区人民政府", "330703", "浙江省", "金华市", "金东区", "2021-02-04"),
    S001: (2021, "2021", "广州市番禺区人民政府", "440113", "广东省", "广州市", "番禺区", None),
    S002: (2019, "2019", "共青城市政府办公室", "360482", "江西省", "九江市", "共青城市", "2020-01-30"),
    # the title names only the district: the district government's report (the office only signed it)
    S003: (2017, "legacy", "淮安市洪泽区人民政府", "320813", "江苏省", "淮安市", "洪泽区", "2018-02-24"),
    S004: (2021, "2021", "郏县人民政府", "410425", "河南省", "平顶山市", "郏县", None),
}


@pytest.mark.parametrize("name", sorted(META))
def test_year_and_template(name):
    year, template, *_ = META[name]
    report = parse_report(name).record["report"]
    assert (report["year"], report["template"]) == (year, template)


@pytest.mark.parametrize("name", sorted(META))
def test_agency(name):
    agency = META[name][2]
    assert parse_report(name).record["report"]["agency"] == agency


@pytest.mark.parametrize("name", sorted(META))
def test_region(name):
    _, _, _, adcode, province, city, county, _ = META[name]
    region = parse_report(name).record["report"]["region"]
    assert region["adcode"] == adcode
    assert (region["province"], region["city"], region["county"]) == (province, city, county)


@pytest.mark.parametrize("name", [S000, S002, S003])
def test_published_on(name):
    assert parse_report(name).record["report"]["published_on"] == META[name][7]


@pytest.mark.parametrize("name", [S000, S001, S004])
def test_agency_kind_government(name):
    """人民政府 issues these three: the government itself, not one of its departments."""
    assert parse_report(name).record["report"]["agency_kind"] == "government"


@pytest.mark.parametrize("name,title", [
    (S000, "金东区2020年政府信息公开工作年度报告"),                 # line 1
    (S002, "共青城市政府办公室2019年政府信息公开工作年度报告"),     # line 7
    (S003, "洪泽区2017年政府信息公开工作年报报告"),                 # line 7, typo 年报报告 is printed
    (S004, "郏县人民政府2021年政府信息公开工作年度报告"),           # line 3, printed with Traditional 郟
])
def test_title(name, title):
    assert parse_report(name).record["report"]["title"] == title


def test_title_001_simplified():
    """Seed 001 prints its title only in the last line (the PDF name, in Traditional script)."""
    title = parse_report(S001).record["report"]["title"]
    assert "番禺区" in title and "2021年政府信息公开工作年度报告" in title
    assert "區" not in title and "開" not in title and ".pdf" not in title


@pytest.mark.parametrize("name", sorted(META))
def test_source(name):
    p = parse_report(name)
    src = p.record["source"]
    from conftest import REPORTS
    data = (REPORTS / name).read_bytes()
    import hashlib
    assert src["sha256"] == hashlib.sha256(data).hexdigest()
    assert src["bytes"] == len(data)
    assert src["format"] == "text"
    assert src["encoding"].replace("-", "").lower().startswith("utf8")
    # a text file's lines are the record's lines (docs/record.md)
    assert src["lines"] == len(p.text.split("\n")) or src["lines"] == len(p.text.splitlines())


# --------------------------------------------------------------------------------------------
# seed 000 — 金东区 2020, 2019 form, one cell per line
# --------------------------------------------------------------------------------------------

def test_000_active_disclosure():
    check_active(parse_report(S000), "2019", {
        "regulations": {"new_made": 0, "new_published": 0, "total_published": 0},          # l.62-66
        "normative_documents": {"new_made": 15, "new_published": 15, "total_published": 99},  # l.70-74
        "licensing": {"previous_count": 232, "change": -1, "decisions": 54297},             # l.88-92
        "other_services": {"previous_count": 553, "change": 0, "decisions": 95663},         # l.96-100
        "penalties": {"previous_count": 2007, "change": 2311, "decisions": 4762},           # l.114-118
        "enforcement": {"previous_count": 93, "change": 26, "decisions": 1594},             # l.122-126
        "fees": {"previous_count": 28, "change": 0},                                        # l.138-140
        "procurement": {"projects": 1391, "amount_yuan": 28714700},                          # l.152-154, no unit: 元
    })


def test_000_applications():
    check_applications(parse_report(S000), _zero_rows(
        "2019",
        new_received=[24, 1, 0, 0, 0, 0, 25],          # l.180-192
        granted=[10, 0, 0, 0, 0, 0, 10],               # l.214-226
        partly_granted=[1, 1, 0, 0, 0, 0, 2],          # l.230-242
        denied_internal_affairs=[1, 0, 0, 0, 0, 0, 1],  # l.312-324
        unable_not_held=[10, 0, 0, 0, 0, 0, 10],       # l.378-390
        rejected_duplicate=[1, 0, 0, 0, 0, 0, 1],      # l.444-456
        total_processed=[23, 1, 0, 0, 0, 0, 24],       # l.524-536
        carried_forward=[1, 0, 0, 0, 0, 0, 1],         # l.540-552
    ))


def test_000_reviews_litigation():
    check_reviews(parse_report(S000), {
        "review": [1, 1, 0, 0, 2],                   # l.594-602
        "litigation_direct": [1, 0, 0, 0, 1],        # l.604-612
        "litigation_after_review": [1, 0, 0, 0, 1],  # l.614-622
    })


@pytest.mark.parametrize("metric,value,line", [
    ("disclosed_items", 24910, 16),
    # applications_received 25 (line 34) is no longer a fact: the sentence reads "2019年,全区…共新收政府
    #信息公开申请25件" in the 2020 report, i.e. it states a 2019 figure (issue #10 §4: a statement about
    # another year is not the year's figure). Table 3 (一 25) and the TX-year failure still show it.
    ("applications_processed", 24, 34),          # 已办结24件
    ("applications_carried_forward", 1, 34),     # 1件结转下一年办理
    ("applications_granted", 10, 34),            # 予以公开10件
    ("reviews", 2, 34),
    ("lawsuits", 2, 34),
    # TX-year: the 2020 report's application paragraph says "2019年" (copied from last year)
    ("year_mentioned_with_applications", 2019, 34),
])
def test_000_facts(metric, value, line):
    check_fact(parse_report(S000), metric, value, line)


@pytest.mark.parametrize("metric,value,line", [
    ("disclosed_items", 24910, 16),
    ("reviews", 2, 34),
    ("lawsuits", 2, 34),
    # TX-year: the 2020 report's application paragraph says "2019年" (copied from last year)
    ("year_mentioned_with_applications", 2019, 34),
])
def test_000_facts_unambiguous(metric, value, line):
    check_fact_unambiguous(parse_report(S000), metric, value)


def test_000_received_about_2019_is_not_a_2020_fact():
    """"2019年,…共新收政府信息公开申请25件" (line 34) in the 2020 report: no received fact at all."""
    facts = [f for f in parse_report(S000).record["facts"] if f["metric"] == "applications_received"]
    assert facts == []


# --------------------------------------------------------------------------------------------
# seed 001 — 番禺区 2021, Traditional + pinyin + mojibake, no tables
# --------------------------------------------------------------------------------------------

def test_001_no_tables():
    rec = parse_report(S001).record
    assert rec["applications"] is None
    assert not rec["active_disclosure"]


def test_001_no_review_table():
    assert parse_report(S001).record["reviews_litigation"] is None


def test_001_text_simplified_without_pinyin():
    text = parse_report(S001).text
    assert "番禺区" in text
    assert "广州市番禺区人民政府" in text
    assert "區" not in text
    leftover = [(i, ln[:120]) for i, ln in enumerate(text.split("\n"), 1)
                if re.search(r"\([a-zāáǎàōóǒòēéěèīíǐìūúǔùǖǘǚǜü]+\)", ln)]
    assert not leftover, leftover


@pytest.mark.parametrize("metric,value,line", [
    ("applications_received", 455, 9),     # 全区共受理政府信息公开申请455件
    ("applications_carried_over", 9, 9),   # 结转上年度政府信息公开申请9件
    ("fee_yuan", 20560, 28),               # 共收取政府信息公开信息处理费20560元
])
def test_001_facts(metric, value, line):
    check_fact(parse_report(S001), metric, value, line)


@pytest.mark.parametrize("metric,value,line", [
    ("applications_received", 455, 9),     # 全区共受理政府信息公开申请455件
    ("applications_carried_over", 9, 9),   # 结转上年度政府信息公开申请9件
    ("fee_yuan", 20560, 28),               # 共收取政府信息公开信息处理费20560元
])
def test_001_facts_unambiguous(metric, value, line):
    check_fact_unambiguous(parse_report(S001), metric, value)


@pytest.mark.parametrize("metric,value,line", [
    ("applications_carried_forward", 13, 9),  # 13件结转下年度继续办理
    ("reviews", 18, 9),                       # 被行政复议共18件
    ("lawsuits", 10, 9),                      # 被行政诉讼10件
])
def test_001_more_facts(metric, value, line):
    check_fact(parse_report(S001), metric, value, line)


# --------------------------------------------------------------------------------------------
# seed 002 — 共青城市政府办公室 2019, 2019 form, broken header words, amount in 万元
# --------------------------------------------------------------------------------------------

def test_002_active_disclosure():
    check_active(parse_report(S002), "2019", {
        "regulations": {"new_made": 0, "new_published": 0, "total_published": 0},          # l.46-50
        "normative_documents": {"new_made": 0, "new_published": 0, "total_published": 0},  # l.54-58
        "licensing": {"previous_count": 0, "change": 0, "decisions": 0},                   # l.72-76
        "other_services": {"previous_count": 13, "change": 0, "decisions": 0},             # l.80-84
        "penalties": {"previous_count": 1, "change": 0, "decisions": 0},                   # l.98-102
        "enforcement": {"previous_count": 0, "change": 0, "decisions": 0},                 # l.106-110
        "fees": {"previous_count": 0, "change": 0},                                        # l.122-124
        "procurement": {"projects": 12, "amount_yuan": 3983675},                            # l.136-138: 398.3675 万元
    })


def test_002_amount_exact_decimal():
    rec = parse_report(S002).record
    item = next(i for i in rec["active_disclosure"] if i["item_key"] == "procurement")
    assert Decimal(str(item["values"]["amount_yuan"])) == Decimal("3983675")
    cell = find_cell(rec, "active_disclosure", "procurement", "amount_yuan")
    assert cell["printed"] == "398.3675"
    assert cell["unit"] == "万元"


def test_002_applications_all_zero():
    check_applications(parse_report(S002), _zero_rows("2019"))


def test_002_reviews_all_zero():
    check_reviews(parse_report(S002), {k: [0, 0, 0, 0, 0] for k in forms.REVIEW_KIND_KEYS})


def test_002_fact_no_applications():
    check_fact(parse_report(S002), "applications_received", 0, 20)  # 我办2019年未收到依申请公开信息


# --------------------------------------------------------------------------------------------
# seed 003 — 洪泽区 2017, legacy narrative
# --------------------------------------------------------------------------------------------

def test_003_no_form_tables():
    rec = parse_report(S003).record
    assert rec["applications"] is None
    assert rec["reviews_litigation"] is None
    assert not rec["active_disclosure"]


@pytest.mark.parametrize("metric,value,line", [
    ("disclosed_items", 5411, 13),         # 主动公开政府信息5411条
    ("applications_received", 5, 17),      # 共收到5件依申请公开
    ("fee_yuan", 0, 21),                   # 没有向申请人收费
    ("reviews", 0, 25),                    # 我区无行政诉讼、行政复议情况
    ("lawsuits", 0, 25),
])
def test_003_facts(metric, value, line):
    check_fact(parse_report(S003), metric, value, line)


@pytest.mark.parametrize("metric,value,line", [
    ("disclosed_items", 5411, 13),         # 主动公开政府信息5411条
    ("applications_received", 5, 17),      # 共收到5件依申请公开
    ("fee_yuan", 0, 21),                   # 没有向申请人收费
    ("reviews", 0, 25),                    # 我区无行政诉讼、行政复议情况
    ("lawsuits", 0, 25),
])
def test_003_facts_unambiguous(metric, value, line):
    check_fact_unambiguous(parse_report(S003), metric, value)


# --------------------------------------------------------------------------------------------
# seed 004 — 郏县 2021, 2021 form, tab rows, rows that lost a cell
# --------------------------------------------------------------------------------------------

def test_004_active_disclosure():
    check_active(parse_report(S004), "2021", {
        "regulations": {"issued": 0, "repealed": 0, "in_force": 0},            # l.21
        "normative_documents": {"issued": 5, "repealed": 16, "in_force": 35},  # l.22
        "licensing": {"decisions": 39732},                                     # l.25
        "penalties": {"decisions": 31731},                                     # l.28
        "enforcement": {"decisions": 519},                                     # l.29
        "fees": {"amount_yuan": 1041700},                                      # l.32: 104.17 万元
    })


def test_004_applications():
    """Rows on lines 43-63 print 6 numbers for 7 cells; the table's rules force the lost value
    (（一）予以公开 14 0 0 0 0 14 can only be 14/0/0/0/0/0/14: any other position breaks a column sum)."""
    check_applications(parse_report(S004), _zero_rows(
        "2021",
        new_received=[14, 0, 0, 0, 0, 0, 14],     # l.41
        granted=[14, 0, 0, 0, 0, 0, 14],          # l.43 (recovered)
        total_processed=[14, 0, 0, 0, 0, 0, 14],  # l.64
    ))


def test_004_cell_recovered_warning_on_granted_row():
    ws = warnings_with(parse_report(S004).record, "cell_recovered")
    assert ws, "no cell_recovered warning"
    assert 43 in {w.get("line") for w in ws}, [w.get("line") for w in ws]


def test_004_cell_recovered_warnings_only_on_short_rows():
    ws = warnings_with(parse_report(S004).record, "cell_recovered")
    lines = {w.get("line") for w in ws}
    assert lines and lines <= set(range(43, 64)), sorted(lines, key=str)


def test_004_every_short_row_recovered():
    """Every row on lines 43-63 lost one cell and each is forced by the rules (all-zero rows: 0)."""
    lines = {w.get("line") for w in warnings_with(parse_report(S004).record, "cell_recovered")}
    assert set(range(43, 64)) <= lines, sorted(set(range(43, 64)) - lines)


def test_004_recovered_cells_have_kind_recovered():
    rec = parse_report(S004).record
    kinds = {c["kind"] for c in rec["cells"] if c["table"] == "applications" and c["row"] == "granted"}
    assert "recovered" in kinds, kinds
    full = {c["kind"] for c in rec["cells"] if c["table"] == "applications" and c["row"] == "new_received"}
    assert full == {"number"}, full


def test_004_reviews_all_zero():
    check_reviews(parse_report(S004), {k: [0, 0, 0, 0, 0] for k in forms.REVIEW_KIND_KEYS})  # l.72


@pytest.mark.parametrize("metric,value,line", [
    ("disclosed_items", 2266, 7),          # 主动公开信息2266条
    ("applications_received", 14, 9),      # 全县共受理政府信息公开申请14件
    ("fee_yuan", 0, 88),                   # 我县2021年未收取政府信息公开信息处理费
])
def test_004_facts(metric, value, line):
    check_fact(parse_report(S004), metric, value, line)


@pytest.mark.parametrize("metric,value,line", [
    ("disclosed_items", 2266, 7),          # 主动公开信息2266条
    ("applications_received", 14, 9),      # 全县共受理政府信息公开申请14件
    ("fee_yuan", 0, 88),                   # 我县2021年未收取政府信息公开信息处理费
])
def test_004_facts_unambiguous(metric, value, line):
    check_fact_unambiguous(parse_report(S004), metric, value)


def test_004_text_simplified():
    p = parse_report(S004)
    assert text_line(p, 3).strip() == "郏县人民政府2021年政府信息公开工作年度报告"


# --------------------------------------------------------------------------------------------
# sections (line_start = the heading's line; table rows like "四、结转下年度继续办理" are not headings)
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name,starts", [
    (S000, {"一": 10, "二": 48, "三": 156, "四": 554, "五": 625, "六": 637}),
    (S001, {"一": 2, "二": 22, "三": 23, "四": 24, "五": 25, "六": 27}),
    (S004, {"一": 5, "二": 17, "三": 34, "四": 67, "五": 74, "六": 86}),
])
def test_sections(name, starts):
    secs = parse_report(name).record["sections"]
    got = {s["number"]: s["line_start"] for s in secs}
    assert got == starts
    assert [s["number"] for s in secs] == list(starts)


def test_002_sections_repeated_heading():
    """Seed 002 prints 一、总体情况 twice (l.12 and l.16) and has no section 六."""
    secs = parse_report(S002).record["sections"]
    got = {s["number"]: s["line_start"] for s in secs}
    assert got == {"一": 12, "二": 30, "三": 140, "四": 538, "五": 608}


# --------------------------------------------------------------------------------------------
# cell provenance
# --------------------------------------------------------------------------------------------

PROVENANCE = [
    # file, table, row, col, line, printed, value
    (S000, "active_disclosure", "licensing", "decisions", 92, "54297", 54297),
    (S000, "active_disclosure", "licensing", "change", 90, "-1", -1),
    (S000, "active_disclosure", "procurement", "amount_yuan", 154, "28714700", 28714700),
    (S000, "applications", "new_received", "natural_person", 180, "24", 24),
    (S000, "applications", "new_received", "total", 192, "25", 25),
    (S000, "applications", "carried_forward", "natural_person", 540, "1", 1),
    (S000, "reviews_litigation", "review", "total", 602, "2", 2),
    (S000, "reviews_litigation", "litigation_after_review", "upheld", 614, "1", 1),
    (S002, "active_disclosure", "other_services", "previous_count", 80, "13", 13),
    (S002, "active_disclosure", "procurement", "amount_yuan", 138, "398.3675", 3983675),
    (S004, "active_disclosure", "normative_documents", "in_force", 22, "35", 35),
    (S004, "active_disclosure", "licensing", "decisions", 25, "39732", 39732),
    (S004, "active_disclosure", "fees", "amount_yuan", 32, "104.17", 1041700),
    (S004, "applications", "new_received", "total", 41, "14", 14),
    (S004, "applications", "total_processed", "natural_person", 64, "14", 14),
]


@pytest.mark.parametrize("name,table,row,col,line,printed,value", PROVENANCE)
def test_cell_provenance(name, table, row, col, line, printed, value):
    p = parse_report(name)
    c = find_cell(p.record, table, row, col)
    assert c["kind"] == "number"
    assert c["printed"] == printed
    assert Decimal(str(c["value"])) == Decimal(value)
    assert c["line"] == line, f"line {c['line']}: {text_line(p, c['line'])!r}"
    src = text_line(p, c["line"])
    assert printed in src
    if c.get("span"):
        start, end = c["span"]
        assert src[start:end] == printed


@pytest.mark.parametrize("name", [S000, S002, S004])
def test_cells_cover_layout(name):
    """One cell entry per form cell: rows × 7 for table 3, 3 × 5 for table 4, Σ metrics for table 2."""
    rec = parse_report(name).record
    template = META[name][1]
    got = {(c["table"], c["row"], c["col"]) for c in rec["cells"]}
    want = {("applications", r, c) for r in application_row_keys(template) for c in forms.APPLICANT_COLUMN_KEYS}
    want |= {("reviews_litigation", k, o) for k in forms.REVIEW_KIND_KEYS for o in forms.REVIEW_OUTCOME_KEYS}
    want |= {("active_disclosure", i.key, m.key) for i in forms.ACTIVE_ITEMS[template] for m in i.metrics}
    assert got == want, (sorted(want - got)[:10], sorted(got - want)[:10])
    assert len(rec["cells"]) == len(want), "duplicate cell entries"


@pytest.mark.parametrize("name", sorted(META))
def test_number_cells_point_at_their_printed_text(name):
    p = parse_report(name)
    bad = []
    for c in p.record.get("cells") or []:
        assert c["kind"] in forms.CELL_KINDS, c
        if c["kind"] == "number":
            src = text_line(p, c.get("line"))
            if not c.get("printed") or c["printed"] not in src:
                bad.append((c["table"], c["row"], c["col"], c.get("printed"), c.get("line"), src[:80]))
        if c["kind"] in ("blank", "placeholder", "unreadable", "missing"):
            if c.get("value") is not None:
                bad.append((c["table"], c["row"], c["col"], "value must be null for kind", c["kind"]))
    assert not bad, bad[:10]


# --------------------------------------------------------------------------------------------
# blank / placeholder cells (seed 004 with printed cells replaced, parsed from bytes)
# --------------------------------------------------------------------------------------------

def _variant_004(replacements: list[tuple[str, str]]):
    from conftest import REPORTS
    from ingest.parse import parse_bytes

    text = (REPORTS / S004).read_text(encoding="utf-8")
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return parse_bytes(text.encode("utf-8"), "004_variant.txt")


def test_placeholder_cells_keep_their_kind():
    p = _variant_004([("行政规范性文件\t5\t16\t35", "行政规范性文件\t—\t16\t35"),
                      ("行政强制\t519", "行政强制\t/")])
    rec = p.record
    issued = find_cell(rec, "active_disclosure", "normative_documents", "issued")
    assert issued["value"] is None and issued["kind"] == "placeholder" and issued["printed"] == "—"
    assert issued["line"] == 22
    enforcement = find_cell(rec, "active_disclosure", "enforcement", "decisions")
    assert enforcement["value"] is None and enforcement["kind"] == "placeholder"
    item = next(i for i in rec["active_disclosure"] if i["item_key"] == "normative_documents")
    assert item["values"] == {"issued": None, "repealed": 16, "in_force": 35}


def test_blank_cell_keeps_its_kind():
    """Table 4 on line 72 with the first of its 15 tab-separated values left empty."""
    p = _variant_004([("\n0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\n",
                       "\n\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\n")])
    c = find_cell(p.record, "reviews_litigation", "review", "upheld")
    assert c["value"] is None and c["kind"] == "blank"
    assert p.record["reviews_litigation"]["review"]["upheld"] is None
    assert p.record["reviews_litigation"]["review"]["total"] == 0
