"""The consistency rules (forms.md §7): one failing, one passing and one unknown report per rule.

Each test builds a tiny database with sqlite-utils in the shape of docs/record.md, runs `run_checks`, and
asserts the exact verdict, cells, expected and actual values. The canned-query side (status='' → only
failures, :year filter) is exercised on the same data.
"""
from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from ingest import forms
from ingest.site import metadata
from ingest.database.checks import CHECK_TABLES, CHECKS_DIR, create_check_results, load_rule, load_rules, parse_header, run_checks

FIXTURES = Path(__file__).parent / "fixtures"
COLS = forms.APPLICANT_COLUMN_KEYS


# ---------------------------------------------------------------------------------------------------------
# A tiny database in the docs/record.md schema
# ---------------------------------------------------------------------------------------------------------

def make_db() -> sqlite_utils.Database:
    db = sqlite_utils.Database(sqlite3.connect(":memory:"))
    db["reports"].create({
        "id": str, "path": str, "sha256": str, "bytes": int, "encoding": str, "format": str, "title": str,
        "agency": str, "agency_kind": str, "agency_id": str, "year": int, "published_on": str, "template": str,
        "adcode": str, "province": str, "city": str, "county": str, "parse_status": str, "n_warnings": int,
    }, pk="id")
    db["applications"].create({
        "report_id": str, "row_key": str, "row_order": int, "label": str,
        **{c: int for c in COLS}})
    db["reviews_litigation"].create({
        "report_id": str, "kind": str, "kind_order": int, "label": str,
        **{c: int for c in forms.REVIEW_OUTCOME_KEYS}})
    db["active_disclosure"].create({
        "report_id": str, "block": str, "item": str, "item_key": str, "metric": str, "value": float,
        "value_exact": str, "unit_printed": str, "line": int})
    db["facts"].create({"report_id": str, "metric": str, "value": float, "unit": str, "text": str, "line": int})
    db["sections"].create({"id": int, "report_id": str, "number": str, "title": str, "text": str,
                           "line_start": int, "line_end": int}, pk="id")
    db["cells"].create({"report_id": str, "table_name": str, "row_key": str, "col_key": str, "value": float,
                        "printed": str, "unit": str, "kind": str, "line": int, "span_start": int, "span_end": int})
    db["warnings"].create({"report_id": str, "code": str, "message": str, "line": int})
    db["legacy_stats"].create({
        "report_id": str, "item_order": int, "item_key": str, "label": str, "unit": str, "value": float,
        "cumulative": float, "kind": str, "kind_cumulative": str, "printed": str, "line": int, "span_start": int,
        "span_end": int, "page": int})
    create_check_results(db.conn)     # as the build does: the rule files read it
    return db


def add_report(db, rid, year=2021, agency_kind="government", published_on=None, template="2021",
               agency_id=None, province="浙江省", adcode="330703"):
    db["reports"].insert({
        "id": rid, "path": f"{rid}.txt", "agency": f"机关{rid}", "agency_kind": agency_kind,
        "agency_id": agency_id, "year": year, "published_on": published_on, "template": template,
        "adcode": adcode, "province": province, "parse_status": "ok", "n_warnings": 0})


def balanced_table3(six_split=True, new=(5, 1, 0, 0, 0, 0, 6)):
    """A consistent table 3: `new` received, 2 carried over (自然人), all granted but 1 carried forward."""
    rows = {}
    for row in forms.application_rows(six_split):
        rows[row.key] = [0] * 7
    rows["new_received"] = list(new)
    rows["carried_over"] = [2, 0, 0, 0, 0, 0, 2]
    granted = [new[i] + rows["carried_over"][i] for i in range(7)]
    granted[0] -= 1
    granted[6] -= 1
    rows["granted"] = granted
    rows["total_processed"] = list(granted)
    rows["carried_forward"] = [1, 0, 0, 0, 0, 0, 1]
    return rows


def add_table3(db, rid, rows):
    order = {k: i for i, k in enumerate(forms.APPLICATION_ROW_KEYS)}
    db["applications"].insert_all(
        {"report_id": rid, "row_key": k, "row_order": order[k], "label": forms.APPLICATION_ROW_BY_KEY[k].label,
         **dict(zip(COLS, vals))} for k, vals in rows.items())


def add_table4(db, rid, values=None):
    values = values or {k: [0, 0, 0, 0, 0] for k in forms.REVIEW_KIND_KEYS}
    labels = {k.key: k.label for k in forms.REVIEW_KINDS}
    db["reviews_litigation"].insert_all(
        {"report_id": rid, "kind": k, "kind_order": i, "label": labels[k],
         **dict(zip(forms.REVIEW_OUTCOME_KEYS, v))} for i, (k, v) in enumerate(values.items()))


def add_active(db, rid, item_key, **metrics):
    item = next(i for items in forms.ACTIVE_ITEMS.values() for i in items if i.key == item_key)
    db["active_disclosure"].insert_all(
        {"report_id": rid, "block": item.block, "item": item.label, "item_key": item_key, "metric": m,
         "value": v, "value_exact": None if v is None else str(v)} for m, v in metrics.items())


def add_fact(db, rid, metric, value, text, line):
    db["facts"].insert({"report_id": rid, "metric": metric, "value": value, "unit": "件", "text": text,
                        "line": line})


def results(db, rule_id, report_id=None):
    conn = db.conn
    run_checks(conn)
    sql = "select * from check_results where rule_id = ?" + (" and report_id = ?" if report_id else "")
    args = [rule_id] + ([report_id] if report_id else [])
    cur = conn.execute(sql + " order by report_id, instance", args)
    names = [d[0] for d in cur.description]
    out = []
    for row in cur.fetchall():
        d = dict(zip(names, row))
        d["cells"] = json.loads(d["cells"])
        out.append(d)
    return out


def only(rows, **where):
    found = [r for r in rows if all(r[k] == v for k, v in where.items())]
    assert len(found) == 1, (where, rows)
    return found[0]


def canned(db, rule_id, **params):
    """Run a rule's canned query exactly as Datasette does: every parameter bound, blanks as ''."""
    sql = load_rule(CHECKS_DIR / f"{rule_id}.sql").sql
    bound = {"year": "", "province": "", "adcode": "", "status": "", **{k: str(v) for k, v in params.items()}}
    cur = db.conn.execute(sql, bound)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


# ---------------------------------------------------------------------------------------------------------
# The rule files themselves
# ---------------------------------------------------------------------------------------------------------

def spec_rule_ids() -> list[str]:
    """Rule ids from the table in forms.md §7 (first column of each table row)."""
    text = (FIXTURES / "forms.md").read_text(encoding="utf-8")
    section = text.split("## 7.", 1)[1].split("\n## ", 1)[0]
    ids = re.findall(r"^\|\s*([A-Z][A-Za-z0-9-]*)\s*\|", section, flags=re.M)
    return [i for i in ids if i != "id"]


def test_every_spec_rule_has_a_file():
    ids = spec_rule_ids()
    assert "T3-balance" in ids and "TIME" in ids and "L-cumulative" in ids and len(ids) == 18
    files = {r.id for r in load_rules()}
    assert sorted(set(ids) - files) == []
    assert files <= set(ids)


def test_headers_are_complete_and_consistent():
    for rule in load_rules():
        h = parse_header(rule.sql)
        assert h["rule"] == rule.path.stem
        assert h["status"] in ("official", "structural", "inferred")
        assert h["severity"] in ("error", "warning")
        assert re.search(r"[\u4e00-\u9fff]", h["title"]) and re.search(r"[\u4e00-\u9fff]", h["description"])
        # The same parameters everywhere, so the site can offer one filter form.
        params = set(re.findall(r"(?<!:):(\w+)", re.sub(r"'[^']*'|--[^\n]*", "", rule.sql)))
        # DUP alone adds its thresholds (blank = the documented defaults; checks.rule_parameters binds them)
        extra = {"min_chars", "min_similarity"} if rule.id == "DUP" else set()
        assert params == {"year", "province", "adcode", "status"} | extra, rule.id


def test_keys_and_labels_in_sql_come_from_forms():
    """SQL cannot import forms.py, so every quoted key and column label must match it exactly."""
    known = (set(forms.APPLICATION_ROW_KEYS) | set(COLS) | set(forms.REVIEW_KIND_KEYS)
             | set(forms.REVIEW_OUTCOME_KEYS) | set(forms.FACT_METRICS)
             | {i.key for items in forms.ACTIVE_ITEMS.values() for i in items} | set(forms.LEGACY_ITEM_BY_KEY)
             | {m.key for items in forms.ACTIVE_ITEMS.values() for i in items for m in i.metrics}
             | {"not_applicable", "reviews_litigation", "active_disclosure", "agency_kind"}
             # the parser's warning codes of recovered cells (README), which the table rules look up
             | {"cells_split_by_rules", "cell_recovered"})
    for rule in load_rules():
        for key in re.findall(r"'([a-z][a-z_]+)'", rule.sql):
            if "_" in key:
                assert key in known, (rule.id, key)
    col_labels = dict(re.findall(r"\('(\w+)', '([^']+)'\)", (CHECKS_DIR / "T3-balance.sql").read_text()))
    assert col_labels == {c.key: c.label for c in forms.APPLICANT_COLUMNS}
    results_sql = (CHECKS_DIR / "T3-results.sql").read_text()
    base = re.search(r"base\(k\) as \(values (.*?)\),\n", results_sql).group(1)
    split = re.search(r"split\(k\) as \(values (.*?)\),\n", results_sql).group(1)
    assert re.findall(r"'(\w+)'", base) + ["other"] == list(forms.RESULT_ROWS_2019)
    assert re.findall(r"'(\w+)'", base) + re.findall(r"'(\w+)'", split) == list(forms.RESULT_ROWS_2021)


def test_check_tables_describe_every_column():
    db = make_db()
    add_report(db, "a")
    run_checks(db.conn)
    for table, spec in CHECK_TABLES.items():
        cols = [r[1] for r in db.conn.execute(f"pragma table_info({table})")]
        assert cols == list(spec["columns"]), table
        assert all(re.search(r"[\u4e00-\u9fff]", d) for d in spec["columns"].values())


# ---------------------------------------------------------------------------------------------------------
# Table 3
# ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("six_split", [True, False])
def test_table3_rules_pass_on_a_consistent_table(six_split):
    db = make_db()
    add_report(db, "a")
    add_table3(db, "a", balanced_table3(six_split))
    for rule in ("T3-balance", "T3-results", "T3-row-total", "T3-range"):
        rows = results(db, rule)
        assert [(r["status"], r["instance"]) for r in rows] == [("pass", None)], rule
    n_rows = len(forms.application_rows(six_split))
    assert only(results(db, "T3-row-total"), report_id="a")["message"] == f"通过（共核对{n_rows}处）"
    assert canned(db, "T3-balance") == []


def test_t3_balance_fails_in_one_column():
    db = make_db()
    add_report(db, "a")
    t = balanced_table3()
    t["carried_forward"] = [1, 0, 2, 0, 0, 0, 3]      # 科研机构 carries forward 2 it never received
    add_table3(db, "a", t)
    rows = results(db, "T3-balance")
    assert {r["instance"] for r in rows} == {"research", "total"}
    r = only(rows, instance="research")
    assert (r["status"], r["expected"], r["actual"]) == ("fail", "0", "2")
    assert r["cells"] == ["applications:new_received:research", "applications:carried_over:research",
                          "applications:total_processed:research", "applications:carried_forward:research"]
    assert r["message"] == "科研机构列：一（本年新收）0＋二（上年结转）0＝0，（七）总计0＋四（结转下年度）2＝2"
    t_row = only(rows, instance="total")
    assert (t_row["expected"], t_row["actual"]) == ("8", "10")
    assert {r["instance"] for r in canned(db, "T3-balance")} == {"research", "total"}


def test_t3_balance_unknown_on_blank_cell():
    db = make_db()
    add_report(db, "a")
    t = balanced_table3()
    t["carried_over"][0] = None
    add_table3(db, "a", t)
    rows = results(db, "T3-balance")
    r = only(rows, instance="natural_person")
    assert (r["status"], r["expected"], r["actual"]) == ("unknown", None, "7")
    assert r["message"] == "自然人列：二（上年结转）为空或无法读取，无法核对"
    assert [x["instance"] for x in rows] == ["natural_person"]   # the 6 other columns pass: no row
    assert canned(db, "T3-balance", status="unknown")[0]["instance"] == "natural_person"


def test_t3_not_applicable_without_table():
    db = make_db()
    add_report(db, "a", template="legacy", year=2017)
    for rule in ("T3-balance", "T3-results", "T3-row-total", "T3-range", "T4-total"):
        assert [r["status"] for r in results(db, rule)] == ["not_applicable"]


@pytest.mark.parametrize("six_split", [True, False])
def test_t3_results_fails_with_the_printed_six_layout(six_split):
    db = make_db()
    add_report(db, "a")
    t = balanced_table3(six_split)
    six = "other_other" if six_split else "other"
    t[six][1] = 4                                     # 商业企业: 4 extra results not in the total
    add_table3(db, "a", t)
    rows = results(db, "T3-results")
    assert [r["instance"] for r in rows] == ["commercial"]
    r = rows[0]
    assert (r["status"], r["expected"], r["actual"]) == ("fail", "5", "1")
    expected_rows = forms.RESULT_ROWS_2021 if six_split else forms.RESULT_ROWS_2019
    assert r["cells"] == [f"applications:{k}:commercial" for k in expected_rows] + [
        "applications:total_processed:commercial"]


def test_t3_results_unknown_when_a_result_row_is_blank():
    db = make_db()
    add_report(db, "a")
    t = balanced_table3()
    t["other_unpaid_fee"][6] = None
    add_table3(db, "a", t)
    rows = results(db, "T3-results")
    r = only(rows, instance="total")
    assert (r["status"], r["expected"], r["actual"]) == ("unknown", None, "7")
    assert r["message"] == "总计列：（六）其他处理为空或缺失，无法核对"


def test_t3_row_total():
    db = make_db()
    add_report(db, "a")
    add_report(db, "b")
    t = balanced_table3()
    t["granted"][6] = 9                               # 6 + 1 ≠ 9
    add_table3(db, "a", t)
    u = balanced_table3()
    u["rejected_duplicate"][3] = None
    add_table3(db, "b", u)
    r = only(results(db, "T3-row-total", "a"), instance="granted")
    assert (r["status"], r["expected"], r["actual"]) == ("fail", "7", "9")
    assert r["cells"] == [f"applications:granted:{c}" for c in COLS]
    assert r["message"] == "“予以公开”行：各类申请人之和为7，总计为9"
    r = only(results(db, "T3-row-total", "b"), instance="rejected_duplicate")
    assert (r["status"], r["expected"], r["actual"]) == ("unknown", None, "0")


def _recovered(db, rid, table, row, cols, code="cells_split_by_rules"):
    """Mark cells as the parser does when the table's identities recovered them."""
    db["cells"].insert_all({"report_id": rid, "table_name": table, "row_key": row, "col_key": c, "kind": "recovered"}
                           for c in cols)
    db["warnings"].insert({"report_id": rid, "code": code, "message": "按勾稽关系唯一拆分", "line": 1})


def test_recovered_cells_are_no_evidence_for_the_rules_that_recovered_them():
    """A row cut by T3-row-total satisfies it by construction: that instance is unknown, not pass, and says why;
    the other rows and the rules the cells do not take part in are unaffected."""
    db = make_db()
    add_report(db, "a")
    add_table3(db, "a", balanced_table3())
    _recovered(db, "a", "applications", "granted", COLS)
    add_table4(db, "a")
    _recovered(db, "a", "reviews_litigation", "review", forms.REVIEW_OUTCOME_KEYS)
    r = only(results(db, "T3-row-total", "a"), instance="granted")
    assert r["status"] == "unknown"
    assert r["message"].endswith("其中有按勾稽关系推出的单元格（recovered），不能作为本规则成立的证据，无法核对")
    assert {x["instance"]: x["status"] for x in results(db, "T3-results", "a")} == {c: "unknown" for c in COLS}
    assert {x["status"] for x in results(db, "T3-balance", "a")} == {"pass"}     # granted is not an operand
    assert only(results(db, "T4-total", "a"), instance="review")["status"] == "unknown"
    # through the canned query too (a page of unknowns)
    assert {r["instance"] for r in canned(db, "T3-row-total", status="unknown")} == {"granted"}


def test_recovered_cell_without_its_warning_still_passes_nothing_else():
    """The look-up is by the warning first (index on warnings.code): a report without one is checked as printed."""
    db = make_db()
    add_report(db, "a")
    add_table3(db, "a", balanced_table3())
    assert {x["status"] for x in results(db, "T3-row-total", "a")} == {"pass"}


def test_t3_range():
    db = make_db()
    add_report(db, "a")
    add_report(db, "b")
    t = balanced_table3()
    t["denied_state_secret"] = [0, -1, 0, 0, 0, 2.5, 0]
    add_table3(db, "a", t)
    u = balanced_table3()
    u["unable_unclear"][4] = None
    add_table3(db, "b", u)
    r = only(results(db, "T3-range", "a"))
    assert (r["status"], r["instance"], r["expected"], r["actual"]) == (
        "fail", "denied_state_secret", "≥0的整数", "商业企业=-1，其他=2.5")
    assert r["cells"] == ["applications:denied_state_secret:commercial", "applications:denied_state_secret:other_org"]
    r = only(results(db, "T3-range", "b"))
    assert (r["status"], r["instance"]) == ("unknown", "unable_unclear")
    assert r["cells"] == ["applications:unable_unclear:legal_services"]


def test_t4_total():
    db = make_db()
    for rid in "abc":
        add_report(db, rid)
    add_table4(db, "a", {"review": [1, 1, 0, 1, 3], "litigation_direct": [0, 0, 0, 0, 0],
                         "litigation_after_review": [0, 0, 0, 0, 0]})
    add_table4(db, "b", {"review": [1, 1, 0, 0, 3], "litigation_direct": [0, 0, 0, 0, 0],
                         "litigation_after_review": [0, 0, 0, 0, 0]})
    add_table4(db, "c", {"review": [0, 0, 0, 0, 0], "litigation_direct": [1, None, 0, 0, 1],
                         "litigation_after_review": [0, 0, 0, 0, 0]})
    assert only(results(db, "T4-total", "a"))["status"] == "pass"
    r = only(results(db, "T4-total", "b"))
    assert (r["status"], r["instance"], r["expected"], r["actual"]) == ("fail", "review", "2", "3")
    assert r["cells"] == [f"reviews_litigation:review:{c}" for c in forms.REVIEW_OUTCOME_KEYS]
    r = only(results(db, "T4-total", "c"))
    assert (r["status"], r["instance"], r["actual"]) == ("unknown", "litigation_direct", "1")


# ---------------------------------------------------------------------------------------------------------
# Table 2 and cross-year rules
# ---------------------------------------------------------------------------------------------------------

def test_t2_2021_valid():
    db = make_db()
    for rid in "abc":
        add_report(db, rid)
    add_active(db, "a", "regulations", issued=3, repealed=1, in_force=10)
    add_active(db, "b", "normative_documents", issued=8, repealed=1, in_force=5)
    add_active(db, "c", "normative_documents", issued=8, repealed=None, in_force=5)
    assert only(results(db, "T2-2021-valid", "a"))["status"] == "pass"
    r = only(results(db, "T2-2021-valid", "b"))
    assert (r["status"], r["instance"], r["expected"], r["actual"], r["severity"]) == (
        "fail", "normative_documents", "≥7", "5", "warning")
    assert r["cells"] == ["active_disclosure:normative_documents:in_force",
                          "active_disclosure:normative_documents:issued",
                          "active_disclosure:normative_documents:repealed"]
    assert only(results(db, "T2-2021-valid", "c"))["status"] == "unknown"


def test_t2_2019_prev():
    db = make_db()
    for rid in "abc":
        add_report(db, rid, year=2019, template="2019")
    add_active(db, "a", "penalties", previous_count=3, change=-3, decisions=1)
    add_active(db, "b", "fees", previous_count=3, change=-5)
    add_active(db, "c", "fees", previous_count=None, change=-5)
    assert only(results(db, "T2-2019-prev", "a"))["status"] == "pass"
    r = only(results(db, "T2-2019-prev", "b"))
    assert (r["status"], r["instance"], r["expected"], r["actual"]) == ("fail", "fees", "≥0", "-2")
    assert r["message"] == "行政事业性收费：上一年项目数量3加本年增/减-5得-2"
    assert only(results(db, "T2-2019-prev", "c"))["status"] == "unknown"


def test_x_carry():
    db = make_db()
    add_report(db, "p", year=2020, agency_id="330703|金东区人民政府")
    add_report(db, "c", year=2021, agency_id="330703|金东区人民政府")
    add_report(db, "o", year=2021, agency_id="330703|其他机关")      # no previous year: not applicable
    prev = balanced_table3(False)
    add_table3(db, "p", prev)                 # carries forward 1
    add_table3(db, "c", balanced_table3())    # carried over 2
    add_table3(db, "o", balanced_table3())
    r = only(results(db, "X-carry", "c"))
    assert (r["status"], r["expected"], r["actual"], r["related_report_id"]) == ("fail", "1", "2", "p")
    assert r["cells"] == ["applications:carried_over:total"]
    assert only(results(db, "X-carry", "o"))["status"] == "not_applicable"
    db.conn.execute("update applications set total = 2 where report_id = 'p' and row_key = 'carried_forward'")
    assert only(results(db, "X-carry", "c"))["status"] == "pass"
    db.conn.execute("update applications set total = null where report_id = 'p' and row_key = 'carried_forward'")
    assert only(results(db, "X-carry", "c"))["status"] == "unknown"


def test_x_valid_2021():
    db = make_db()
    add_report(db, "p", year=2021, agency_id="A")
    add_report(db, "c", year=2022, agency_id="A")
    add_active(db, "p", "regulations", issued=1, repealed=0, in_force=10)
    add_active(db, "c", "regulations", issued=3, repealed=1, in_force=13)
    r = only(results(db, "X-valid-2021", "c"))
    assert (r["status"], r["instance"], r["expected"], r["actual"], r["related_report_id"]) == (
        "fail", "regulations@p", "12", "13", "p")
    db.conn.execute("update active_disclosure set value = 11 where report_id = 'p' and metric = 'in_force'")
    assert only(results(db, "X-valid-2021", "c"))["status"] == "pass"
    db.conn.execute("update active_disclosure set value = null where report_id = 'c' and metric = 'issued'")
    assert only(results(db, "X-valid-2021", "c"))["status"] == "unknown"


def test_x_valid_2021_never_chains_with_the_2019_form():
    db = make_db()
    add_report(db, "p", year=2020, template="2019", agency_id="A")
    add_report(db, "c", year=2021, agency_id="A")
    add_active(db, "p", "regulations", new_made=1, new_published=1, total_published=99)
    add_active(db, "c", "regulations", issued=3, repealed=1, in_force=13)
    assert only(results(db, "X-valid-2021", "c"))["status"] == "not_applicable"


def test_x_prev_2019():
    db = make_db()
    add_report(db, "p", year=2019, template="2019", agency_id="A")
    add_report(db, "c", year=2020, template="2019", agency_id="A")
    add_active(db, "p", "licensing", previous_count=10, change=5, decisions=3)
    add_active(db, "c", "licensing", previous_count=14, change=0, decisions=3)
    r = only(results(db, "X-prev-2019", "c"))
    assert (r["status"], r["instance"], r["expected"], r["actual"]) == ("fail", "licensing@p", "15", "14")
    assert r["cells"] == ["active_disclosure:licensing:previous_count"]
    db.conn.execute("update active_disclosure set value = 15 where report_id = 'c' and metric = 'previous_count'")
    assert only(results(db, "X-prev-2019", "c"))["status"] == "pass"
    db.conn.execute("update active_disclosure set value = null where report_id = 'p' and metric = 'change'")
    assert only(results(db, "X-prev-2019", "c"))["status"] == "unknown"


# ---------------------------------------------------------------------------------------------------------
# Prose and publication date
# ---------------------------------------------------------------------------------------------------------

def test_tx_counts():
    db = make_db()
    add_report(db, "a")
    add_table3(db, "a", balanced_table3())           # 新收 6
    add_table4(db, "a", {"review": [1, 0, 0, 0, 1], "litigation_direct": [1, 0, 0, 0, 1],
                         "litigation_after_review": [0, 0, 0, 1, 1]})
    add_fact(db, "a", "applications_received", 6, "全年共新收政府信息公开申请6件", 12)
    add_fact(db, "a", "lawsuits", 3, "发生政府信息公开行政诉讼3件", 20)
    add_fact(db, "a", "reviews", None, "行政复议若干件", 21)
    rows = results(db, "TX-counts", "a")
    assert [r["instance"] for r in rows] == ["lawsuits@20", "reviews@21"]
    r = rows[0]
    assert (r["status"], r["expected"], r["actual"], r["evidence_line"], r["evidence_text"]) == (
        "fail", "2", "3", 20, "发生政府信息公开行政诉讼3件")
    assert r["cells"] == ["reviews_litigation:litigation_direct:total",
                          "reviews_litigation:litigation_after_review:total"]
    assert rows[1]["status"] == "unknown"


def test_tx_year():
    db = make_db()
    add_report(db, "a", year=2020, template="2019")
    add_report(db, "b", year=2020, template="2019")
    add_report(db, "c", year=None)
    add_fact(db, "a", "year_mentioned_with_applications", 2019, "2019年，全区共新收政府信息公开申请", 42)
    add_fact(db, "b", "year_mentioned_with_applications", 2020, "2020年，全区共新收政府信息公开申请", 42)
    add_fact(db, "c", "year_mentioned_with_applications", 2020, "2020年，全区共新收政府信息公开申请", 42)
    r = only(results(db, "TX-year", "a"))
    assert (r["status"], r["expected"], r["actual"], r["evidence_line"]) == ("fail", "2020", "2019", 42)
    assert r["evidence_text"] == "2019年，全区共新收政府信息公开申请"
    assert only(results(db, "TX-year", "b"))["status"] == "pass"
    assert only(results(db, "TX-year", "c"))["status"] == "unknown"


def test_tx_fee():
    db = make_db()
    for rid in "abcd":
        add_report(db, rid)
    for rid in "abcd":
        t = balanced_table3()
        if rid in "ab":
            t["other_unpaid_fee"] = [1, 0, 0, 0, 0, 0, 1]
            t["granted"] = [v - (i in (0, 6)) for i, v in enumerate(t["granted"])]
        if rid == "d":
            t["other_unpaid_fee"][6] = None
        add_table3(db, rid, t)
    db["sections"].insert_all([
        {"report_id": "a", "number": "六", "title": "其他需要报告的事项", "text": "本年度未收取信息处理费。"},
        {"report_id": "b", "number": "六", "title": "其他需要报告的事项", "text": "无。"}])
    assert only(results(db, "TX-fee", "a"))["status"] == "pass"
    r = only(results(db, "TX-fee", "b"))
    assert (r["status"], r["expected"], r["actual"]) == ("fail", "第六部分说明信息处理费", "未说明")
    assert r["cells"] == ["applications:other_unpaid_fee:total"]
    assert only(results(db, "TX-fee", "c"))["status"] == "pass"       # nothing to report: holds
    assert only(results(db, "TX-fee", "d"))["status"] == "unknown"


@pytest.mark.parametrize("year,kind,published,status,deadline", [
    (2021, "department", "2022-01-31", "pass", "2022-01-31"),
    (2021, "department", "2022-02-01", "fail", "2022-01-31"),
    (2021, "government", "2022-03-31", "pass", "2022-03-31"),
    (2021, "government", "2022-04-01", "fail", "2022-03-31"),
    (2017, "department", "2018-03-30", "pass", "2018-03-31"),
    (2017, None, "2018-04-02", "fail", "2018-03-31"),
    (2021, None, "2022-01-15", "unknown", None),
    (2021, "government", None, "unknown", "2022-03-31"),
])
def test_time(year, kind, published, status, deadline):
    db = make_db()
    add_report(db, "a", year=year, agency_kind=kind, published_on=published)
    r = only(results(db, "TIME", "a"))
    assert r["status"] == status
    if status != "pass":
        assert (r["expected"], r["actual"]) == (deadline, published)


def test_canned_query_filters_by_year_and_report_quality():
    db = make_db()
    add_report(db, "a", year=2021, agency_kind="department", published_on="2022-05-01")
    add_report(db, "b", year=2020, agency_kind="department", published_on="2021-05-01", province="广东省")
    assert [r["report_id"] for r in canned(db, "TIME")] == ["a", "b"]
    assert [r["report_id"] for r in canned(db, "TIME", year=2020)] == ["b"]
    assert [r["report_id"] for r in canned(db, "TIME", province="浙江省")] == ["a"]
    assert canned(db, "TIME", status="pass") == []
    run_checks(db.conn)
    q = dict(db.conn.execute("select report_id, rules_failed from report_quality").fetchall())
    assert q == {"a": 1, "b": 1}


def test_page_of_failures_rechecks_the_recorded_reports():
    """After the build, a page of failures (or unknowns) re-runs the rule on the reports check_results records
    for that rule, status and year: the same rows as a full run, and a page that reads only those reports."""
    db = make_db()
    for rid, year, published in (("a", 2021, "2022-05-01"), ("b", 2020, "2021-05-01"), ("c", 2021, "2022-01-10"),
                                 ("d", 2021, None)):
        add_report(db, rid, year=year, agency_kind="department", published_on=published)
    before = {st: canned(db, "TIME", status=st) for st in ("", "unknown", "pass")}
    run_checks(db.conn)
    after = {st: canned(db, "TIME", status=st) for st in ("", "unknown", "pass")}
    assert after == before
    assert [r["report_id"] for r in after[""]] == ["a", "b"]
    assert [r["report_id"] for r in canned(db, "TIME", year=2021)] == ["a"]
    assert [r["report_id"] for r in canned(db, "TIME", status="unknown")] == ["d"]
    # Only the recorded reports are re-checked: a failure not recorded in check_results is not listed (the
    # build rewrites check_results at the end of every build, so the two never disagree in a served database).
    db.conn.execute("delete from check_results where rule_id = 'TIME' and report_id = 'b'")
    assert [r["report_id"] for r in canned(db, "TIME")] == ["a"]
    # ... while every other request (here: the passes) still checks every report.
    assert [r["report_id"] for r in canned(db, "TIME", status="pass")] == ["c"]


def test_parallel_checks_write_the_same_rows(tmp_path):
    """Checks spread over worker processes (the build's default at scale) write exactly one process's rows."""
    from ingest.database.build import build
    from ingest.generate import generate_corpus

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i, g in enumerate(generate_corpus(120, seed=5)):
        (corpus / f"{i:04d}_{g.filename}").write_bytes(g.data)
    path = tmp_path / "g.db"
    build([corpus], path, workers=1)        # 120 reports: the checks ran in this process
    conn = sqlite3.connect(path)
    cols = "report_id, year, rule_id, instance, severity, status, expected, actual, cells, message, " \
           "related_report_id, evidence_line, evidence_text"

    def rows():
        return conn.execute(f"select {cols} from check_results order by {cols}").fetchall()

    serial = rows()
    statuses = {(r[2], r[5]) for r in serial}
    assert {("X-carry", "fail"), ("X-carry", "pass"), ("T3-range", "unknown"), ("TX-fee", "fail")} <= statuses
    summary = run_checks(conn, workers=3)
    assert rows() == serial
    assert sum(n for by in summary.values() for n in by.values()) == len(serial)
    assert not list(tmp_path.glob("*.checks-*"))        # the workers' scratch databases are gone


def test_rule_files_hold_only_the_rule(tmp_path):
    """The scope, filters, status and paging are composed once (checks.compose_page); a file repeating them
    (the old shape) or reading `reports` instead of `reports_in_scope` is refused."""
    text = (CHECKS_DIR / "TIME.sql").read_text(encoding="utf-8")
    assert ":year" not in text and "limit" not in text.lower() and "scope(id)" not in text
    bad = tmp_path / "TIME.sql"
    bad.write_text(text.replace("from reports_in_scope r", "from reports r where (:year = '' or r.year = :year)"),
                   encoding="utf-8")
    with pytest.raises(ValueError, match="only the rule"):
        load_rule(bad)
    bad.write_text(text.replace("from reports_in_scope r", "from reports r"), encoding="utf-8")
    with pytest.raises(ValueError, match="reports_in_scope"):
        load_rule(bad)
    bad.write_text(text.rstrip() + "\nwhere status = 'fail'\n", encoding="utf-8")
    with pytest.raises(ValueError, match="last line"):
        load_rule(bad)


def test_page_shows_the_rule_first_then_the_shared_parts():
    rule = load_rule(CHECKS_DIR / "T3-balance.sql")
    sql = metadata.parse_query_file(rule.path)["sql"]
    assert sql == rule.sql.split("\n\n", 1)[1].strip()
    assert sql.startswith("with cols(col, label) as (values")
    assert sql.index("a1 + a2 = a7 + a4") < sql.index("reports_in_scope as (") < sql.index("scope(id) as (")
    assert sql.rstrip().endswith("limit case when :status = 'all' then -1 else 200 end")
    assert rule.description.endswith("网页最多列出前 200 行；完整结果见 check_results 表（可按 rule_id、status 筛选并下载 CSV）。")


def test_old_shape_files_convert_to_the_same_query_results(tmp_path):
    """convert_rules turns a file of the old self-contained shape into the rule-only one (for branches merged later)."""
    from ingest.database.checks import OLD_PAGE_LIMIT, OLD_SCOPE, PAGE_NOTE, split_rule
    from ingest.database.convert_rules import convert

    new = (CHECKS_DIR / "X-carry.sql").read_text(encoding="utf-8")
    lines = new.splitlines()
    header = "\n".join(lines[:5]).replace("作为警告提示。", "作为警告提示。" + PAGE_NOTE)
    ctes, final = split_rule("\n".join(lines[6:]))
    old_body = ctes.replace("with ", OLD_SCOPE.format(rule="X-carry"), 1).replace(
        "from reports_in_scope r\n  left join reports prev", "from reports r\n  left join reports prev")
    old_body = old_body.replace("cf.row_key = 'carried_forward'\n", "cf.row_key = 'carried_forward'\n"
                                "  where r.id in scope and (:year = '' or r.year = :year) and (:province = '' or r.province = :province)\n"
                                "    and (:adcode = '' or r.adcode = :adcode)\n", 1)
    old = (f"{header}\n\n{old_body}\n{final}\nwhere :status = 'all' or status = coalesce(nullif(:status, ''), 'fail')\n"
           f"-- a page lists the first 200 rows\n{OLD_PAGE_LIMIT}\n")
    assert convert(old) == new


def test_convert_keeps_a_rules_own_conditions(tmp_path):
    """A filtered `reports r` with conditions of its own (legacy rules), or read twice, converts with them kept."""
    from ingest.database.checks import OLD_PAGE_LIMIT, OLD_SCOPE
    from ingest.database.convert_rules import main as convert_main

    filters = ("(:year = '' or r.year = :year)\n    and (:province = '' or r.province = :province) "
               "and (:adcode = '' or r.adcode = :adcode)")
    old = (f"-- title: 测试\n-- description: 说明。\n-- rule: TIME\n-- status: inferred\n-- severity: error\n\n"
           + OLD_SCOPE.format(rule="TIME")
           + "v as (\n  select r.id as report_id from reports r\n"
           f"  where r.id in scope and r.template = 'legacy' and {filters}\n),\n"
           "w as (\n  select r.id as report_id from reports r\n"
           f"  where r.id in scope and {filters} and not exists (select 1 from v where v.report_id = r.id)\n),\n"
           "res as (select report_id from v union all select report_id from w)\n"
           "select * from res\nwhere :status = 'all' or status = coalesce(nullif(:status, ''), 'fail')\n"
           f"{OLD_PAGE_LIMIT}\n")
    path = tmp_path / "TIME.sql"
    path.write_text(old, encoding="utf-8")
    assert convert_main([str(path)]) == 0
    body = path.read_text(encoding="utf-8").split("\n\n", 1)[1]
    assert body == ("with v as (\n  select r.id as report_id from reports_in_scope r\n  where r.template = 'legacy'\n),\n"
                    "w as (\n  select r.id as report_id from reports_in_scope r\n"
                    "  where not exists (select 1 from v where v.report_id = r.id)\n),\n"
                    "res as (select report_id from v union all select report_id from w)\nselect * from res\n")
    assert load_rule(path).id == "TIME"


# ---------------------------------------------------------------------------------------------------------
# Paths of the set-based rewrites that the tests above do not reach
# ---------------------------------------------------------------------------------------------------------

def test_t3_results_blanks_are_counted_per_column():
    """A blank result cell makes only its own column unknown; a missing （六）sub-row makes every column unknown."""
    db = make_db()
    add_report(db, "a")
    add_report(db, "b")
    t = balanced_table3()
    t["denied_third_party"][2] = None                 # 科研机构 of a （三）row
    add_table3(db, "a", t)
    u = balanced_table3()
    del u["other_unpaid_fee"]                         # 2021 layout with only two of the three （六）rows
    add_table3(db, "b", u)
    rows = results(db, "T3-results", "a")
    assert [(r["instance"], r["status"]) for r in rows] == [("research", "unknown")]
    assert rows[0]["message"] == "科研机构列：（一）至（五）中有空白或缺失的行，无法核对"
    rows = results(db, "T3-results", "b")
    assert {r["instance"] for r in rows} == set(COLS) and {r["status"] for r in rows} == {"unknown"}
    assert only(rows, instance="total")["message"] == "总计列：（六）其他处理为空或缺失，无法核对"


def test_cross_year_item_without_counterpart_does_not_hide_a_pass():
    """An item the previous report lacks is not applicable; the report's verdict is that of its paired items."""
    db = make_db()
    add_report(db, "p", year=2021, agency_id="A")
    add_report(db, "c", year=2022, agency_id="A")
    add_active(db, "p", "regulations", issued=1, repealed=0, in_force=10)
    add_active(db, "c", "regulations", issued=3, repealed=1, in_force=12)
    add_active(db, "c", "normative_documents", issued=1, repealed=0, in_force=4)
    rows = results(db, "X-valid-2021", "c")
    assert [(r["status"], r["message"]) for r in rows] == [("pass", "通过（共核对1处）")]
    assert [r["instance"] for r in canned(db, "X-valid-2021", status="pass")] == ["regulations@p"]


def test_tx_counts_ignores_figures_without_their_table():
    db = make_db()
    add_report(db, "a")
    add_report(db, "b")
    add_table3(db, "a", balanced_table3())           # no table 4
    add_fact(db, "a", "applications_received", 6, "新收申请6件", 3)
    add_fact(db, "a", "reviews", 9, "行政复议9件", 4)
    add_fact(db, "b", "reviews", 9, "行政复议9件", 4)  # no table at all
    assert [(r["status"], r["message"]) for r in results(db, "TX-counts", "a")] == [("pass", "通过（共核对1处）")]
    r = only(results(db, "TX-counts", "b"))
    assert (r["status"], r["message"]) == ("not_applicable", "正文中没有可与表格核对的数字（或报告没有相应表格）")


def test_tx_fee_zero_fee_in_prose_holds():
    db = make_db()
    add_report(db, "a", year=2017, template="legacy")
    add_fact(db, "a", "fee_yuan", 0, "没有向申请人收费", 7)
    r = only(results(db, "TX-fee", "a"))
    assert (r["status"], r["message"]) == ("pass", "通过（共核对1处）")


# ---------------------------------------------------------------------------------------------------------
# Legacy statistics tables (L-channels, L-outcomes, L-cumulative)
# ---------------------------------------------------------------------------------------------------------

def add_legacy(db, rid, items, cumulative=True):
    """items: {item_key: (value, cumulative)}; None = unreadable."""
    for i, (key, (value, cum)) in enumerate(items.items(), 1):
        db["legacy_stats"].insert({
            "report_id": rid, "item_order": i, "item_key": key, "label": forms.LEGACY_ITEM_BY_KEY[key].label,
            "unit": "条", "value": value, "cumulative": cum if cumulative else None,
            "kind": "number" if value is not None else "unreadable",
            "kind_cumulative": (("number" if cum is not None else "unreadable") if cumulative else None),
            "printed": None, "line": 5 + i, "span_start": 0, "span_end": 3, "page": None})


_CHANNELS = {"applications_received": (21, 28), "channel_in_person": (18, 18), "channel_email": (3, 6),
             "channel_online": (0, 4)}


def test_l_channels_pass_fail_unknown():
    db = make_db()
    add_report(db, "a", year=2013, template="legacy")
    add_legacy(db, "a", _CHANNELS)
    add_report(db, "b", year=2013, template="legacy")
    add_legacy(db, "b", {**_CHANNELS, "channel_online": (1, 4)})
    add_report(db, "c", year=2013, template="legacy")
    add_legacy(db, "c", {**_CHANNELS, "channel_email": (None, 6)})
    add_report(db, "d", year=2021)
    rows = results(db, "L-channels")
    assert only(rows, report_id="a", instance=None)["status"] == "pass"
    fail = only(rows, report_id="b", instance="value")
    assert (fail["status"], fail["expected"], fail["actual"]) == ("fail", "22", "21")
    assert "legacy_stats:channel_online:value" in fail["cells"]
    assert only(rows, report_id="c", instance="value")["status"] == "unknown"
    assert only(rows, report_id="d")["status"] == "not_applicable"
    assert [r["report_id"] for r in canned(db, "L-channels")] == ["b"]


def test_l_outcomes_recovered_is_unknown_and_prose_lists_parts():
    db = make_db()
    add_report(db, "a", year=2012, template="legacy")
    add_legacy(db, "a", {"answers_total": (21, 21), "answer_granted": (17, 17), "answer_partly": (2, 2),
                         "answer_refused": (2, 2)})
    db.conn.execute("update legacy_stats set kind = 'recovered' where item_key = 'answers_total'")
    add_report(db, "p", year=2017, template="legacy")
    add_fact(db, "p", "applications_answered", 5, "申请答复数共有5件", 3)
    add_fact(db, "p", "applications_granted", 2, "同意公开答复数2件", 3)
    add_fact(db, "p", "applications_not_exist", 1, "申请信息不存在数1件", 3)
    add_report(db, "q", year=2017, template="legacy")
    add_fact(db, "q", "applications_answered", 2, "答复总数2件", 3)
    add_fact(db, "q", "applications_granted", 3, "同意公开答复数3件", 3)
    rows = results(db, "L-outcomes")
    assert only(rows, report_id="a", instance="value")["status"] == "unknown"     # recovered by this very rule
    assert only(rows, report_id="p", instance="prose")["status"] == "unknown"     # parts listed may be partial
    q = only(rows, report_id="q", instance="prose")
    assert (q["status"], q["expected"], q["actual"]) == ("fail", "3", "2")


def test_l_cumulative():
    db = make_db()
    for rid, year in (("y14", 2014), ("y15", 2015), ("y16", 2016), ("y18", 2018)):
        add_report(db, rid, year=year, template="legacy", agency_id="350128:综合实验区")
    add_legacy(db, "y14", {"disclosed_items": (2543, 78967), "applications_received": (1, 1)})
    add_legacy(db, "y15", {"disclosed_items": (2949, 81916), "applications_received": (0, 1)})
    add_legacy(db, "y16", {"disclosed_items": (None, None), "applications_received": (0, 0)})
    add_legacy(db, "y18", {"disclosed_items": (2069, 12106), "applications_received": (0, 0)})
    rows = results(db, "L-cumulative")
    assert only(rows, report_id="y14")["status"] == "not_applicable"
    assert only(rows, report_id="y15")["status"] == "pass"
    fail = only(rows, report_id="y16", instance="applications_received")
    assert (fail["status"], fail["expected"], fail["actual"], fail["related_report_id"]) == ("fail", "1", "0", "y15")
    assert only(rows, report_id="y16", instance="disclosed_items")["status"] == "unknown"
    gap = only(rows, report_id="y18", instance="disclosed_items")
    assert gap["status"] == "unknown" and "缺2017年" in gap["message"]


def test_tx_counts_compares_legacy_prose_with_the_statistics_table():
    """pingtan_2013_xian: the prose says 网上申请数3条，信函申请数4条, the table prints 4/4 and 0/0 for them."""
    db = make_db()
    add_report(db, "x", year=2013, template="legacy")
    add_legacy(db, "x", {"applications_received": (7, 28), "channel_online": (4, 4), "channel_letter": (0, 0),
                         "disclosed_items": (None, None)})
    add_fact(db, "x", "applications_received", 7, "2013年全县共收到有关政府信息公开的申请7条", 10)
    add_fact(db, "x", "applications_online", 3, "网上申请数3条", 10)
    add_fact(db, "x", "disclosed_items", 1853, "主动公开的1853条政府信息", 10)
    add_fact(db, "x", "applications_carried_over", 2, "上年结转2件", 10)     # no such item: not compared
    add_report(db, "n", year=2013, template="legacy")
    add_legacy(db, "n", {"reviews": (0, 0)})
    rows = results(db, "TX-counts")
    fail = only(rows, report_id="x", instance="applications_online@10")
    assert (fail["status"], fail["expected"], fail["actual"]) == ("fail", "4", "3")
    assert fail["cells"] == ["legacy_stats:channel_online:value"] and fail["evidence_text"] == "网上申请数3条"
    assert only(rows, report_id="x", instance="disclosed_items@10")["status"] == "unknown"
    assert not [r for r in rows if r["report_id"] == "x" and r["instance"] and "carried_over" in r["instance"]]
    assert only(rows, report_id="n")["status"] == "not_applicable"
