"""Summaries the build writes after loading and checking: `report_stats`, `year_stats`, `legacy_series_stats`
and `check_stats`.

Why: the charts, the overview page and the by-year queries aggregate over every report. At
100,000 reports that means summing 2.4 million table-3 rows (or scanning 1.4 million check
results) per request — seconds, over Datasette's time limit. The build computes, once, one narrow
row per report (table-3 totals and outcome groups, table-4 sums, whether it is the counted copy of
its agency's year, how many rules it fails) and one row per year × rule of check results; the
queries sum those (100,000 small rows, tens of milliseconds).

Why rewritten completely on every build, fresh or incremental: `primary_copy` of a report depends
on the other reports of its agency and year, and `rules_failed` on `check_results`, which
`ingest.database.checks` rewrites completely; the whole summary takes a few seconds at 100,000 reports.

The sums keep the tables' null semantics: a sum over no number is null, never 0 (a report without
table 3 has null totals), so summing `report_stats` gives exactly what summing the source rows
gives. Row keys and groups come from `ingest.forms` (`outcome_groups`), never retyped.
"""
from __future__ import annotations

import sqlite3

from .. import forms

# English column of each table-3 result group, in form order (予以公开 … 其他处理); the groups
# themselves (which rows belong to which) are read from forms.APPLICATION_ROWS by outcome_groups().
OUTCOME_COLUMNS = ("granted", "partly_granted", "denied", "unable", "rejected", "other")

# table-3 rows summed as they are (total column), and the one natural-person figure the queries use
TABLE3_ROWS = ("new_received", "carried_over", "total_processed", "carried_forward")
LITIGATION_KINDS = tuple(k for k in forms.REVIEW_KIND_KEYS if k != "review")
CONCLUDED = ("upheld", "corrected", "other")   # 已审结 = 结果维持 + 结果纠正 + 其他结果


def outcome_groups() -> list[tuple[str, str, tuple[str, ...]]]:
    """(column, 中文名, row keys) of the six result groups of table 3, in form order.

    A row of block 三 without a subgroup is its own group (（一）予以公开, （二）部分公开, 2019's （六）其他处理);
    the numbered rows of （三）…（六） belong to their printed group; （七）总计 is not a result.
    """
    groups: dict[str, list[str]] = {}
    for row in forms.APPLICATION_ROWS:
        if not row.group or row.key == "total_processed":
            continue
        name = row.group[3:] if row.group.startswith("（") else row.label
        groups.setdefault(name, []).append(row.key)
    if len(groups) != len(OUTCOME_COLUMNS):
        raise ValueError(f"table 3 has {len(groups)} result groups, OUTCOME_COLUMNS names {len(OUTCOME_COLUMNS)}")
    return [(col, name, tuple(keys)) for col, (name, keys) in zip(OUTCOME_COLUMNS, groups.items())]


def _in(keys) -> str:
    return "(" + ", ".join(f"'{k}'" for k in keys) + ")"


def _kind_columns() -> list[str]:
    """Table-4 columns of report_stats: per kind its presence and five sums; litigation combined."""
    cols = []
    for kind in forms.REVIEW_KIND_KEYS:
        cols.append(f"has_{kind}")
        cols += [f"{kind}_{o}" for o in forms.REVIEW_OUTCOME_KEYS]
    cols.append("has_litigation")
    cols += [f"litigation_{o}" for o in forms.REVIEW_OUTCOME_KEYS]
    cols += ["review_concluded", "litigation_concluded"]
    return cols


def report_stats_sql(rules_failed: str = "null", only: str | None = None) -> str:
    """INSERT … SELECT filling report_stats from reports, applications and reviews_litigation.

    `rules_failed` is the SQL expression of a report's failed-rule count (over `r`). `only`: a query of report
    ids, the rows to write (an incremental build), instead of every report.
    """
    t3 = [f"sum(case when row_key = '{k}' then total end) as {k}" for k in TABLE3_ROWS]
    t3.append("sum(case when row_key = 'new_received' then natural_person end) as new_received_natural_person")
    groups = outcome_groups()
    t3 += [f"sum(case when row_key in {_in(keys)} then total end) as {col}" for col, _, keys in groups]
    t3.append(f"sum(case when row_key in {_in(k for _, _, keys in groups for k in keys)} then total end) "
              "as outcomes_sum")
    t4 = []
    lit = _in(LITIGATION_KINDS)
    for kind in forms.REVIEW_KIND_KEYS:
        t4.append(f"max(kind = '{kind}') as has_{kind}")
        t4 += [f"sum(case when kind = '{kind}' then {o} end) as {kind}_{o}" for o in forms.REVIEW_OUTCOME_KEYS]
    t4.append(f"max(kind in {lit}) as has_litigation")
    t4 += [f"sum(case when kind in {lit} then {o} end) as litigation_{o}" for o in forms.REVIEW_OUTCOME_KEYS]
    concluded = " + ".join(CONCLUDED)
    t4.append(f"sum(case when kind = 'review' then {concluded} end) as review_concluded")
    t4.append(f"sum(case when kind in {lit} then {concluded} end) as litigation_concluded")
    t3_cols = [c.rsplit(" as ", 1)[1] for c in t3]
    t4_cols = [c.rsplit(" as ", 1)[1] for c in t4]
    cols = (["report_id", "year", "province", "template", "agency_id", "primary_copy", "has_table3"] + t3_cols
            + t4_cols + ["rules_failed"])
    select = (["r.id", "r.year", "r.province", "r.template", "r.agency_id",
               "(r.agency_id is null or r.id = f.first_id)", "(t3.report_id is not null)"]
              + [f"t3.{c}" for c in t3_cols]
              + [f"coalesce(t4.{c}, 0)" if c.startswith("has_") else f"t4.{c}" for c in t4_cols]
              + [rules_failed])
    of = f"where report_id in ({only})" if only else ""
    agencies = f"and agency_id in (select agency_id from reports where id in ({only}))" if only else ""
    return f"""insert into report_stats ({', '.join(cols)})
with t3 as materialized (
  select report_id, {', '.join(t3)}
  from applications {of} group by report_id
),
t4 as materialized (
  select report_id, {', '.join(t4)}
  from reviews_litigation {of} group by report_id
),
f as materialized (
  select agency_id, year, min(id) as first_id from reports where agency_id is not null {agencies} group by agency_id, year
)
select {', '.join(select)}
from reports r
left join t3 on t3.report_id = r.id
left join t4 on t4.report_id = r.id
left join f on f.agency_id = r.agency_id and f.year is r.year
{f"where r.id in ({only})" if only else ""}"""


_RULES_FAILED = "coalesce((select f.n from temp.failed_rules f where f.report_id = r.id), 0)"

# One pass over check_rows (check_results' storage) in its (report_id, rule) index order: a verdict per
# report × rule, from which both the per-year counts (plain sums, no count(distinct) over millions of rows)
# and each report's failed-rule count follow. Read from the stored codes, not the view: the view's joins
# (the report, the texts) cost twice the pass itself. Status codes: checks.STATUS_CODES.
_PER_RULE_SQL = """create temp table per_rule as
select c.report_id, k.rule_id, max(k.severity) as severity, max(c.status = {fail}) as failed,
  sum(c.status = {fail}) as failures, max(c.status = {unknown}) as unknown, max(c.status <> {not_applicable}) as checked
from check_rows c join check_rules k on k.code = c.rule {where} group by c.report_id, c.rule"""


def _per_rule_sql(where: str = "") -> str:
    from .checks import STATUS_CODES     # checks imports schema, which imports this module

    return _PER_RULE_SQL.format(where=where, **STATUS_CODES)

# Per year × province × rule (a few thousand rows): the overview's province filter sums these rows instead of
# counting a province's failures in check_results per request (480 ms at 100,000 reports).
CHECK_STATS_SQL = """insert into check_stats (year, province, rule_id, severity, reports_failed, failures,
                         reports_unknown, reports_checked)
select r.year, r.province, p.rule_id, max(p.severity), sum(p.failed), sum(p.failures), sum(p.unknown), sum(p.checked)
from temp.per_rule p left join reports r on r.id = p.report_id
group by r.year, r.province, p.rule_id"""


# year_stats: report_stats summed per year × province × template × primary_copy (about a thousand rows), for
# the queries that sum every report — even 100,000 narrow rows take ~80 ms to scan, over the page budget.
YEAR_STATS_KEYS = ("year", "province", "template", "primary_copy")


def year_stats_columns(report_stats_columns) -> dict[str, str]:
    """{year_stats column: SQL aggregate over report_stats}: flags become report counts, numbers sums."""
    out = {k: k for k in YEAR_STATS_KEYS}
    out["reports"] = "count(*)"
    for col in report_stats_columns:
        if col in YEAR_STATS_KEYS or col in ("report_id", "agency_id"):
            continue
        if col.startswith("has_"):
            out["reports_with_" + col[4:]] = f"sum({col})"
        elif col == "rules_failed":
            out["reports_failing_checks"] = "sum(rules_failed > 0)"
        else:
            out[col] = f"sum({col})"
    return out


def year_stats_sql() -> str:
    from .schema import TABLES  # schema imports this module for the column names

    cols = year_stats_columns(TABLES["report_stats"]["columns"])
    return (f"insert into year_stats ({', '.join(cols)})\nselect {', '.join(cols.values())}\n"
            f"from report_stats group by {', '.join(YEAR_STATS_KEYS)}")


# legacy_series_stats: the view annual_series (forms.SERIES_METRICS) of the legacy-form reports, summed per year ×
# province × metric over the counted copies. The view reads each report's cells, statistics table and facts
# through correlated lookups (0.4 ms a report for its ten metrics): summing it per request would take seconds
# at 100,000 reports; the 2019/2021 reports' figures are in year_stats already, so only legacy reports are summed.
LEGACY_SERIES_SQL = """insert into legacy_series_stats (year, province, metric, reports, reports_with_value, value,
                                 from_legacy, from_fact, concept_changed)
select a.year, a.province, a.metric, count(*), count(a.value), sum(a.value),
  count(case when a.source = 'legacy' then 1 end), count(case when a.source = 'fact' then 1 end),
  count(case when a.concept_changed = 1 and a.value is not null then 1 end)
from annual_series a join report_stats s on s.report_id = a.report_id
where a.template = 'legacy' and s.primary_copy and a.year is not null
group by a.year, a.province, a.metric"""


def write_stats(conn: sqlite3.Connection) -> None:
    """(Re)fill report_stats, year_stats, legacy_series_stats and check_stats; check figures stay null/empty when
    checks did not run."""
    for table in ("report_stats", "year_stats", "legacy_series_stats", "check_stats"):
        conn.execute(f"delete from {table}")
    # Checks did not run: no check_rows (check_results' storage), or the empty one the build creates before.
    checked = conn.execute("select 1 from sqlite_master where type = 'table' and name = 'check_rows'").fetchone()
    if checked:
        checked = conn.execute("select 1 from check_rows limit 1").fetchone()
    if not checked:
        conn.execute(report_stats_sql())
        conn.execute(year_stats_sql())
        conn.execute(LEGACY_SERIES_SQL)
        return
    for table in ("per_rule", "failed_rules"):
        conn.execute(f"drop table if exists temp.{table}")
    conn.execute(_per_rule_sql())
    conn.execute("create temp table failed_rules as select report_id, sum(failed) as n from temp.per_rule "
                 "group by report_id")
    conn.execute("create unique index temp.failed_rules_report on failed_rules (report_id)")
    conn.execute(report_stats_sql(_RULES_FAILED))
    conn.execute(year_stats_sql())
    conn.execute(LEGACY_SERIES_SQL)
    conn.execute(CHECK_STATS_SQL)
    for table in ("per_rule", "failed_rules"):
        conn.execute(f"drop table temp.{table}")


def rule_totals(conn: sqlite3.Connection, report_ids) -> dict[tuple, list]:
    """check_stats' figures of these reports alone: {(year, province, rule_id): [severity, reports_failed, failures,
    reports_unknown, reports_checked]} (what they add to check_stats)."""
    conn.execute("drop table if exists temp.totals_of")
    conn.execute("create temp table totals_of (id text primary key)")
    conn.executemany("insert or ignore into temp.totals_of values (?)", ((r,) for r in report_ids))
    conn.execute("drop table if exists temp.per_rule")
    conn.execute(_per_rule_sql("where c.report_id in (select id from temp.totals_of)"))
    out = {(y, prov, rule): [sev, *rest] for y, prov, rule, sev, *rest in conn.execute(CHECK_STATS_SQL.split("\n", 2)[2])}
    conn.execute("drop table temp.per_rule")
    conn.execute("drop table temp.totals_of")
    return out


def update_stats(conn: sqlite3.Connection, report_ids, before: dict[tuple, list], after: dict[tuple, list]) -> None:
    """An incremental build's summaries: report_stats rewritten for these reports (changed ones and their agency's
    other reports, whose primary_copy and check results may have changed; deleted ones already gone),
    check_stats moved by what the re-checked reports added before and add now (`rule_totals`; a year and province
    left without reports lose their rows), year_stats summed again (about a thousand rows from report_stats)."""
    for table in ("per_rule", "failed_rules", "restat"):
        conn.execute(f"drop table if exists temp.{table}")
    conn.execute("create temp table restat (id text primary key)")
    conn.executemany("insert or ignore into temp.restat values (?)", ((r,) for r in report_ids))
    conn.execute("delete from report_stats where report_id in (select id from temp.restat)")
    conn.execute(_per_rule_sql("where c.report_id in (select id from temp.restat)"))
    conn.execute("create temp table failed_rules as select report_id, sum(failed) as n from temp.per_rule "
                 "group by report_id")
    conn.execute("create unique index temp.failed_rules_report on failed_rules (report_id)")
    conn.execute(report_stats_sql(_RULES_FAILED, only="select id from temp.restat"))
    conn.execute("delete from year_stats")
    conn.execute(year_stats_sql())
    for key in set(before) | set(after):
        old, new = before.get(key), after.get(key)
        severity = (new or old)[0]
        delta = [(new[i] if new else 0) - (old[i] if old else 0) for i in range(1, 5)]
        if conn.execute("update check_stats set reports_failed = reports_failed + ?, failures = failures + ?, "
                        "reports_unknown = reports_unknown + ?, reports_checked = reports_checked + ? "
                        "where year is ? and province is ? and rule_id = ?", (*delta, *key)).rowcount == 0:
            conn.execute("insert into check_stats (year, province, rule_id, severity, reports_failed, failures, "
                         "reports_unknown, reports_checked) values (?, ?, ?, ?, ?, ?, ?, ?)", (*key, severity, *delta))
    for year, province in {(y, p) for y, p, _ in set(before) | set(after)}:
        if not conn.execute("select 1 from reports where year is ? and province is ?", (year, province)).fetchone():
            conn.execute("delete from check_stats where year is ? and province is ?", (year, province))
    for table in ("per_rule", "failed_rules", "restat"):
        conn.execute(f"drop table temp.{table}")
