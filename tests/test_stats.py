"""The build's summaries (report_stats, year_stats, check_stats) equal sums of the source tables.

Why recomputed in Python from the raw rows: the charts and by-year queries now read the summaries
instead of `applications` / `reviews_litigation` / `check_results`, so a wrong CASE in the summary
SQL would silently change every chart. The reference here is written independently of that SQL,
keeping the tables' null rule (a sum over no number is None, never 0).
"""
from __future__ import annotations

import shutil
import sqlite3
from collections import defaultdict
from pathlib import Path

import pytest

from ingest import forms
from ingest.database import stats
from ingest.database.build import build
from ingest.site.metadata import QUERIES_DIR, parse_query_file
from ingest.database.schema import TABLES

CORPUS = Path(__file__).resolve().parent.parent / "data" / "reports"


@pytest.fixture(scope="module")
def conn(tmp_path_factory):
    path = tmp_path_factory.mktemp("stats") / "gongkai.db"
    build([CORPUS], path, workers=2, progress=False)
    c = sqlite3.connect(path)
    c.row_factory = sqlite3.Row
    yield c
    c.close()


def _sum(values):
    values = [v for v in values if v is not None]
    return sum(values) if values else None


def _flag_and_sums(rows, outcomes=forms.REVIEW_OUTCOME_KEYS):
    return int(bool(rows)), {o: _sum(r[o] for r in rows) for o in outcomes}


def expected_report_stats(conn) -> dict[str, dict]:
    """report_stats as the definition says, from reports, applications, reviews_litigation, check_results."""
    reports = [dict(r) for r in conn.execute("select * from reports")]
    apps, revs, failed = defaultdict(list), defaultdict(list), defaultdict(set)
    for r in conn.execute("select * from applications"):
        apps[r["report_id"]].append(dict(r))
    for r in conn.execute("select * from reviews_litigation"):
        revs[r["report_id"]].append(dict(r))
    for r in conn.execute("select report_id, rule_id from check_results where status = 'fail'"):
        failed[r["report_id"]].add(r["rule_id"])
    first: dict[tuple, str] = {}
    for r in reports:
        if r["agency_id"] is not None:
            key = (r["agency_id"], r["year"])
            first[key] = min(first.get(key, r["id"]), r["id"])
    groups = {"granted": ["granted"], "partly_granted": ["partly_granted"],
              "denied": [k for k in forms.APPLICATION_ROW_KEYS if k.startswith("denied_")],
              "unable": [k for k in forms.APPLICATION_ROW_KEYS if k.startswith("unable_")],
              "rejected": [k for k in forms.APPLICATION_ROW_KEYS if k.startswith("rejected_")],
              "other": [k for k in forms.APPLICATION_ROW_KEYS if k == "other" or k.startswith("other_")]}
    out = {}
    for r in reports:
        a = apps[r["id"]]
        row = {"report_id": r["id"], "year": r["year"], "province": r["province"], "template": r["template"],
               "agency_id": r["agency_id"],
               "primary_copy": int(r["agency_id"] is None or first[(r["agency_id"], r["year"])] == r["id"]),
               "has_table3": int(bool(a))}
        for key in stats.TABLE3_ROWS:
            row[key] = _sum(x["total"] for x in a if x["row_key"] == key)
        row["new_received_natural_person"] = _sum(x["natural_person"] for x in a if x["row_key"] == "new_received")
        for col, keys in groups.items():
            row[col] = _sum(x["total"] for x in a if x["row_key"] in keys)
        row["outcomes_sum"] = _sum(x["total"] for x in a if any(x["row_key"] in keys for keys in groups.values()))
        by_kind = {k: [x for x in revs[r["id"]] if x["kind"] == k] for k in forms.REVIEW_KIND_KEYS}
        for kind, rows in by_kind.items():
            row[f"has_{kind}"], sums = _flag_and_sums(rows)
            row.update({f"{kind}_{o}": v for o, v in sums.items()})
        lit = by_kind["litigation_direct"] + by_kind["litigation_after_review"]
        row["has_litigation"], sums = _flag_and_sums(lit)
        row.update({f"litigation_{o}": v for o, v in sums.items()})
        concluded = lambda x: (None if None in (x["upheld"], x["corrected"], x["other"])  # noqa: E731
                               else x["upheld"] + x["corrected"] + x["other"])
        row["review_concluded"] = _sum(concluded(x) for x in by_kind["review"])
        row["litigation_concluded"] = _sum(concluded(x) for x in lit)
        row["rules_failed"] = len(failed[r["id"]])
        out[r["id"]] = row
    return out


def test_outcome_groups_follow_the_form():
    groups = stats.outcome_groups()
    assert [(c, n, len(k)) for c, n, k in groups] == [
        ("granted", "予以公开", 1), ("partly_granted", "部分公开", 1), ("denied", "不予公开", 8),
        ("unable", "无法提供", 3), ("rejected", "不予处理", 5), ("other", "其他处理", 4)]


def test_report_stats_equal_sums_of_source_tables(conn):
    expected = expected_report_stats(conn)
    got = {r["report_id"]: dict(r) for r in conn.execute("select * from report_stats")}
    assert list(next(iter(got.values()))) == list(TABLES["report_stats"]["columns"])
    assert got == expected
    # the sample corpus exercises the sums, not just nulls
    assert sum(1 for r in got.values() if r["has_table3"]) >= 5
    assert any(r["review_total"] for r in got.values()) and any(r["litigation_total"] for r in got.values())
    assert any(r["rules_failed"] for r in got.values())


def test_year_stats_are_report_stats_grouped(conn):
    expected: dict[tuple, dict] = {}
    cols = stats.year_stats_columns(TABLES["report_stats"]["columns"])
    for r in conn.execute("select * from report_stats"):
        key = tuple(r[k] for k in stats.YEAR_STATS_KEYS)
        e = expected.setdefault(key, defaultdict(list))
        for col in cols:
            if col in stats.YEAR_STATS_KEYS:
                continue
            if col == "reports":
                e[col].append(1)
            elif col.startswith("reports_with_"):
                e[col].append(r["has_" + col[len("reports_with_"):]])
            elif col == "reports_failing_checks":
                e[col].append(int(r["rules_failed"] > 0))
            else:
                e[col].append(r[col])
    expected = {k: {c: _sum(v) for c, v in e.items()} for k, e in expected.items()}
    got = {tuple(r[k] for k in stats.YEAR_STATS_KEYS): {c: r[c] for c in r.keys() if c not in stats.YEAR_STATS_KEYS}
           for r in conn.execute("select * from year_stats")}
    assert got == expected
    assert sum(g["reports"] for g in got.values()) == conn.execute("select count(*) from reports").fetchone()[0]


def test_check_stats_equal_check_results(conn):
    expected: dict[tuple, dict] = {}
    per: dict[tuple, set] = defaultdict(set)
    for r in conn.execute("select r.year, r.province, c.rule_id, c.report_id, c.status, c.severity "
                          "from check_results c join reports r on r.id = c.report_id"):
        key = (r["year"], r["province"], r["rule_id"])
        e = expected.setdefault(key, {"severity": r["severity"], "failures": 0})
        e["severity"] = max(e["severity"], r["severity"])
        e["failures"] += r["status"] == "fail"
        per[key + (r["status"],)].add(r["report_id"])
        if r["status"] != "not_applicable":
            per[key + ("checked",)].add(r["report_id"])
    for key, e in expected.items():
        e.update(reports_failed=len(per[key + ("fail",)]), reports_unknown=len(per[key + ("unknown",)]),
                 reports_checked=len(per[key + ("checked",)]))
    got = {(r["year"], r["province"], r["rule_id"]): {k: r[k] for k in ("severity", "failures", "reports_failed",
                                                          "reports_unknown", "reports_checked")}
           for r in conn.execute("select * from check_stats")}
    assert got == expected and any(e["reports_failed"] for e in got.values())
    assert len({p for _, p, _ in got}) > 1


def test_check_failure_charts_filtered_by_province_count_check_results(conn):
    """The overview's province filter reads check_stats' province rows: the same counts as check_results."""
    province, year = conn.execute("select r.province, r.year from check_results c join reports r on r.id = c.report_id "
                                  "where c.status = 'fail' and r.province is not null "
                                  "group by 1, 2 order by count(*) desc limit 1").fetchone()
    expected: dict[tuple, set] = defaultdict(set)
    failures: dict[str, int] = defaultdict(int)
    for r in conn.execute("select c.rule_id, c.report_id, c.status from check_results c join reports r "
                          "on r.id = c.report_id where r.province = ? and r.year = ?", (province, year)):
        expected[r["rule_id"], r["status"]].add(r["report_id"])
        failures[r["rule_id"]] += r["status"] == "fail"
    rules = _query(conn, "charts/check_failures_per_rule.sql", province=province, year_from=str(year),
                   year_to=str(year))
    assert {r["rule_id"]: (r["reports_failed"], r["failures"], r["reports_unknown"]) for r in rules} == \
        {rule: (len(expected[rule, "fail"]), failures[rule], len(expected[rule, "unknown"])) for rule in failures}
    assert any(r["reports_failed"] for r in rules)
    by_year = _query(conn, "charts/check_failures_by_rule_year.sql", province=province)
    assert {(r["rule_id"], r["reports_failed"]) for r in by_year if r["year"] == year} == \
        {(rule, len(expected[rule, "fail"]) if expected[rule, "fail"] or any(
            expected[rule, s] for s in ("pass", "unknown")) else None) for rule in failures}


def _query(conn, relpath: str, **params) -> list[dict]:
    sql = parse_query_file(QUERIES_DIR / relpath)["sql"]
    filters = {"year_from": "", "year_to": "", "province": ""}    # the chart queries' filters, empty = no filter
    return [dict(r) for r in conn.execute(sql, {**filters, **params})]


def test_applications_per_year_counts_one_copy_per_agency_year(conn):
    chosen = {}
    for r in conn.execute("select id, agency_id, year from reports where year is not null"):
        key = (r["agency_id"], r["year"]) if r["agency_id"] is not None else (r["id"], None)
        chosen[key] = min(chosen.get(key, r["id"]), r["id"])
    ids = set(chosen.values())
    expected: dict[int, dict] = {}
    for r in conn.execute("select r.id, r.year, a.total from reports r left join applications a "
                          "on a.report_id = r.id and a.row_key = 'new_received' where r.year is not null"):
        if r["id"] in ids:
            e = expected.setdefault(r["year"], {"reports": 0, "new": []})
            e["reports"] += 1
            e["new"].append(r["total"])
    got = _query(conn, "charts/applications_per_year.sql")
    assert [(r["year"], r["reports"], r["new_received"]) for r in got] == \
        [(y, e["reports"], _sum(e["new"])) for y, e in sorted(expected.items())]


def test_review_litigation_rates_filters(conn):
    year = conn.execute("select year from reports r join reviews_litigation k on k.report_id = r.id "
                        "group by year order by count(*) desc limit 1").fetchone()[0]
    rows = _query(conn, "review_litigation_rates.sql", year=str(year), province="")
    expected = {}
    for r in conn.execute("select k.kind, k.label, k.corrected from reviews_litigation k join reports r "
                          "on r.id = k.report_id where r.year = ?", [year]):
        e = expected.setdefault(r["kind"], {"label": r["label"], "reports": 0, "corrected": []})
        e["reports"] += 1
        e["corrected"].append(r["corrected"])
    assert {r["kind"]: (r["label"], r["reports"], r["corrected"]) for r in rows} == \
        {k: (e["label"], e["reports"], _sum(e["corrected"])) for k, e in expected.items()}
    assert [r["kind"] for r in rows] == [k for k in forms.REVIEW_KIND_KEYS if k in expected]


def test_incremental_build_rewrites_stats(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    path = tmp_path / "gongkai.db"
    build([corpus], path, workers=1, progress=False)
    removed = sorted(p for p in corpus.iterdir() if p.suffix == ".txt")[0]
    removed.unlink()
    summary = build([corpus], path, workers=1, progress=False)
    assert summary["incremental"] and summary["removed"] == 1
    c = sqlite3.connect(path)
    c.row_factory = sqlite3.Row
    try:
        got = {r["report_id"]: dict(r) for r in c.execute("select * from report_stats")}
        assert got == expected_report_stats(c)
        assert sum(r[0] for r in c.execute("select reports from year_stats")) == len(got) == 15
    finally:
        c.close()


def test_rules_failed_is_null_when_checks_did_not_run(conn, tmp_path):
    """The build creates an empty check_results before the checks; empty means "not checked", never 0 failed."""
    copy = tmp_path / "copy.db"
    shutil.copy(conn.execute("pragma database_list").fetchone()["file"], copy)
    c = sqlite3.connect(copy)
    c.execute("delete from check_results")
    stats.write_stats(c)
    n_reports = c.execute("select count(*) from reports").fetchone()[0]
    assert n_reports == 16
    assert c.execute("select count(*), count(rules_failed) from report_stats").fetchone() == (n_reports, 0)
    assert c.execute("select count(*) from check_stats").fetchone() == (0,)
    c.close()
