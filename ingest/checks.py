"""Consistency checks (勾稽关系, forms.md §7): run every rule SQL file and store the verdicts.

Each rule is written once, as `canned_queries/checks/<RULE-ID>.sql`. The same file is

* a Datasette canned query (parameters :year, :province, :adcode and :status; all empty = every report,
  only the failing rows), and
* the source of `check_results`: `run_checks` binds `status = 'all'` so the query also yields the passing,
  unknown and not-applicable rows, and stores them set-based (two streaming INSERT ... SELECTs per rule, no loop over
  reports), so 100,000 reports take seconds, not minutes.

Every rule file returns the same columns, one row per report × instance (a column, a row, a table-2 item,
a prose figure...): report_id, year, province, agency, instance, status, expected, actual, cells, message,
related_report_id, evidence_line, evidence_text. The rule id, severity and status come from the header.

`check_results` keeps every failing or unknown instance as its own row (so the report page can point at
the cells) and one summary row per report × rule when nothing failed or was unknown (pass or
not_applicable) — a pass is recorded, never implied by absence.
"""
from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from . import forms

CHECKS_DIR = Path(__file__).resolve().parent.parent / "canned_queries" / "checks"

HEADER_KEYS = ("title", "description", "rule", "status", "severity", "fragment")
RULE_STATUSES = {"official": "官方（表格注明）", "structural": "结构性（由表格结构推出）", "inferred": "推定（可能有合理例外）"}
SEVERITIES = {"error": "错误", "warning": "警告"}
RESULT_STATUSES = {
    "pass": "通过",
    "fail": "不通过",
    "unknown": "无法核对（有空白或无法读取的数据）",
    "not_applicable": "不适用（报告没有相应表格或格式）",
}

_HEADER_RE = re.compile(r"^--\s*(\w+)\s*:\s*(.*?)\s*$")


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    description: str
    status: str          # official | structural | inferred
    severity: str        # error | warning
    sql: str             # the whole file, header included (what Datasette runs)
    path: Path
    fragment: str | None = None


def parse_header(text: str) -> dict[str, str]:
    """Read the leading `-- key: value` lines of a .sql file (the one header format of all canned queries)."""
    header: dict[str, str] = {}
    for line in text.splitlines():
        if not line.startswith("--"):
            break
        m = _HEADER_RE.match(line)
        if m and m.group(1) in HEADER_KEYS:
            header[m.group(1)] = m.group(2)
    return header


# Two parts every rule file carries verbatim (SQL has no include; load_rule refuses a file that differs):
# its first CTEs, which choose the reports to check, and its last line, the page limit.
SCOPE = """with flagged as (
  -- Whether this page may re-check only the reports the build recorded (below): a page of failures (status
  -- empty or fail) or of unknowns, on a database whose checks have run.
  select :status in ('', 'fail', 'unknown') and exists (select 1 from check_results where rule_id = '{rule}') as yes
),
scope(id) as (
  -- The reports to check. check_results holds this same rule run over every report by the build
  -- (ingest/checks.py); a page of failures re-runs it on the reports recorded as failing that year, so it
  -- reads tens of reports, not tens of thousands. Other requests, and the build itself, check every report.
  -- Each branch is one index range: the constant conditions pick the branch once, before any row is read.
  select report_id from check_results, flagged
  where flagged.yes and rule_id = '{rule}' and status = coalesce(nullif(:status, ''), 'fail') and :year = ''
  union all
  select report_id from check_results, flagged
  where flagged.yes and rule_id = '{rule}' and status = coalesce(nullif(:status, ''), 'fail') and year = :year
  union all
  select id from reports, flagged where not flagged.yes and :year = ''
  union all
  select id from reports, flagged where not flagged.yes and year = :year
),
"""
PAGE_LIMIT = "limit case when :status = 'all' then -1 else 200 end"


def load_rule(path: Path) -> Rule:
    text = path.read_text(encoding="utf-8")
    h = parse_header(text)
    missing = [k for k in ("title", "description", "rule", "status", "severity") if k not in h]
    if missing:
        raise ValueError(f"{path.name}: header lacks {', '.join(missing)}")
    if h["rule"] != path.stem:
        raise ValueError(f"{path.name}: header says rule {h['rule']}, file name says {path.stem}")
    if h["status"] not in RULE_STATUSES or h["severity"] not in SEVERITIES:
        raise ValueError(f"{path.name}: bad status {h['status']!r} or severity {h['severity']!r}")
    if SCOPE.format(rule=h["rule"]) not in text:
        raise ValueError(f"{path.name}: must start its query with checks.SCOPE for rule {h['rule']}")
    if text.rstrip().splitlines()[-1].strip() != PAGE_LIMIT:
        raise ValueError(f"{path.name}: the last line must be the page limit: {PAGE_LIMIT}")
    return Rule(h["rule"], h["title"], h["description"], h["status"], h["severity"], text, path, h.get("fragment"))


def load_rules(directory: Path = CHECKS_DIR) -> list[Rule]:
    return [load_rule(p) for p in sorted(directory.glob("*.sql"))]


# Bindings for run_checks: every report, every status.
ALL_PARAMS = {"year": "", "province": "", "adcode": "", "status": "all"}

CHECK_TABLES = {
    "check_results": {
        "description": "勾稽关系核对结果：每份报告的每条规则。不通过或无法核对的每一处单独一行；"
                       "全部通过或不适用时每份报告每条规则一行汇总。",
        "columns": {
            "id": "行号",
            "report_id": "报告编号（reports.id）",
            "year": "报告年度（同 reports.year，便于按年度筛选）",
            "rule_id": "规则编号（见 forms.md §7，如 T3-balance）",
            "instance": "规则在报告中的具体位置：表三的列或行、表二的项目、正文数字等；汇总行为空",
            "severity": "严重程度：error 错误，warning 警告（推定规则，可能有合理例外）",
            "status": "结果：pass 通过，fail 不通过，unknown 无法核对（有空白或无法读取的数据），"
                      "not_applicable 不适用（报告没有相应表格或格式）",
            "expected": "按规则应有的值（由其他单元格算出）",
            "actual": "报告实际印制的值",
            "cells": "涉及的单元格，JSON 列表，每项为“表:行:列”",
            "message": "中文说明",
            "related_report_id": "跨年规则中对照的上一年度报告编号",
            "evidence_line": "正文证据所在行号（指向 source_texts.text）",
            "evidence_text": "正文证据原句",
        },
    },
    "report_quality": {
        "description": "每份报告的质量概况：各规则通过、不通过、无法核对的数量，现有表格与解析警告。",
        "columns": {
            "report_id": "报告编号",
            "year": "报告年度",
            "agency": "发布机关",
            "province": "省份",
            "template": "报告格式：2019、2021 或 legacy",
            "parse_status": "解析状态：ok、partial、failed",
            "tables_present": "报告中识别出的表格（表二、表三、表四）",
            "n_tables": "识别出的表格数",
            "rules_passed": "全部通过的规则数",
            "rules_failed": "至少一处不通过的规则数",
            "rules_failed_error": "其中严重程度为错误的规则数",
            "rules_failed_warning": "其中严重程度为警告的规则数",
            "rules_unknown": "无不通过、但至少一处无法核对的规则数",
            "rules_not_applicable": "不适用的规则数",
            "parse_warnings": "解析警告数（reports.n_warnings）",
        },
    },
}

_CHECK_RESULTS_DDL = """
create table if not exists check_results (
  id integer primary key,
  report_id text not null,
  year integer,
  rule_id text not null,
  instance text,
  severity text not null,
  status text not null,
  expected text,
  actual text,
  cells text not null default '[]',
  message text,
  related_report_id text,
  evidence_line integer,
  evidence_text text
)
"""

_REPORT_QUALITY_VIEW = """
create view report_quality as
with per_rule as (
  select report_id, rule_id, max(severity) as severity,
    case when max(status = 'fail') then 'fail' when max(status = 'unknown') then 'unknown'
         when max(status = 'pass') then 'pass' else 'not_applicable' end as status
  from check_results group by report_id, rule_id
),
per_report as (
  select report_id,
    sum(status = 'pass') as rules_passed,
    sum(status = 'fail') as rules_failed,
    sum(status = 'fail' and severity = 'error') as rules_failed_error,
    sum(status = 'fail' and severity = 'warning') as rules_failed_warning,
    sum(status = 'unknown') as rules_unknown,
    sum(status = 'not_applicable') as rules_not_applicable
  from per_rule group by report_id
),
t as (
  select r.id,
    exists (select 1 from active_disclosure d where d.report_id = r.id) as t2,
    exists (select 1 from applications a where a.report_id = r.id) as t3,
    exists (select 1 from reviews_litigation k where k.report_id = r.id) as t4
  from reports r
)
select r.id as report_id, r.year, r.agency, r.province, r.template, r.parse_status,
  trim(case when t.t2 then '表二 ' else '' end || case when t.t3 then '表三 ' else '' end ||
       case when t.t4 then '表四' else '' end) as tables_present,
  t.t2 + t.t3 + t.t4 as n_tables,
  coalesce(q.rules_passed, 0) as rules_passed,
  coalesce(q.rules_failed, 0) as rules_failed,
  coalesce(q.rules_failed_error, 0) as rules_failed_error,
  coalesce(q.rules_failed_warning, 0) as rules_failed_warning,
  coalesce(q.rules_unknown, 0) as rules_unknown,
  coalesce(q.rules_not_applicable, 0) as rules_not_applicable,
  r.n_warnings as parse_warnings
from reports r join t on t.id = r.id left join per_report q on q.report_id = r.id
"""

# Indexes the rules need to stay set-based and fast (created if the build did not already). The table-3
# and table-4 indexes are covering (every number column), so a rule reads a report's rows from one index
# range without touching the table; the rules fetch a row's label by rowid only for the rows they show.
_INDEXES = (
    "create index if not exists idx_chk_applications_cover on applications (report_id, row_key, "
    + ", ".join(forms.APPLICANT_COLUMN_KEYS) + ")",
    "create index if not exists idx_chk_reviews_cover on reviews_litigation (report_id, kind, "
    + ", ".join(forms.REVIEW_OUTCOME_KEYS) + ")",
    "create index if not exists idx_chk_active_cover on active_disclosure (report_id, item_key, metric, value)",
    "create index if not exists idx_chk_facts on facts (report_id, metric)",
    "create index if not exists idx_chk_sections on sections (report_id, number)",
    "create index if not exists idx_chk_reports_agency on reports (agency_id, year)",
    "create index if not exists idx_chk_reports_year on reports (year)",
)

# Numbers as text: whole REALs without ".0" (a count read as 12.0 is shown as 12).
_FMT = ("case when typeof({c}) = 'real' and {c} = cast({c} as integer) then cast(cast({c} as integer) as text) "
        "else cast({c} as text) end")


def create_check_results(conn: sqlite3.Connection) -> None:
    """Create check_results (empty) and its indexes if missing.

    Every rule file reads check_results (a page of failures re-checks only the reports recorded there), so
    the table exists in every database the build writes, even before run_checks has filled it. The index on
    (rule_id, status, year, report_id) is what such a page reads: one range per rule, status and year.
    """
    conn.execute(_CHECK_RESULTS_DDL)
    conn.execute("create index if not exists idx_check_results_report on check_results (report_id, rule_id)")
    conn.execute("create index if not exists idx_check_results_rule on check_results (rule_id, status, year, report_id)")


def ensure_indexes(conn: sqlite3.Connection) -> None:
    for ddl in _INDEXES:
        conn.execute(ddl)


# Connection settings for the duration of run_checks: every rule re-reads the same index ranges, so a page
# cache that holds them (256 MiB) and memory-mapped reads (no copy per page) pay off. Only ever raised.
_PRAGMAS = {"cache_size": -262144, "mmap_size": 1 << 30}


def _raise_pragmas(conn: sqlite3.Connection) -> dict[str, int]:
    """Apply _PRAGMAS where the connection has less; return the old values to restore."""
    old: dict[str, int] = {}
    cache = conn.execute("pragma cache_size").fetchone()[0]
    page_kib = conn.execute("pragma page_size").fetchone()[0] / 1024
    if (-cache if cache < 0 else cache * page_kib) < -_PRAGMAS["cache_size"]:
        old["cache_size"] = cache
        conn.execute(f"pragma cache_size = {_PRAGMAS['cache_size']}")
    mmap = conn.execute("pragma mmap_size").fetchone()
    if mmap is not None and mmap[0] < _PRAGMAS["mmap_size"]:      # None: an in-memory database
        old["mmap_size"] = mmap[0]
        conn.execute(f"pragma mmap_size = {_PRAGMAS['mmap_size']}")
    return old


def run_checks(conn: sqlite3.Connection, rules: list[Rule] | None = None) -> dict[str, dict[str, int]]:
    """(Re)write check_results and the report_quality view; return counts per rule and status."""
    old = _raise_pragmas(conn)
    try:
        return _run_checks(conn, rules)
    finally:
        for name, value in old.items():
            conn.execute(f"pragma {name} = {value}")


def _run_checks(conn: sqlite3.Connection, rules: list[Rule] | None) -> dict[str, dict[str, int]]:
    rules = load_rules() if rules is None else rules
    ensure_indexes(conn)
    conn.execute("drop view if exists report_quality")
    conn.execute("drop table if exists check_results")
    conn.execute(_CHECK_RESULTS_DDL)    # indexed after the inserts (create_check_results), faster than during
    summary: dict[str, dict[str, int]] = {}
    for rule in rules:
        # Two passes over the rule instead of materialising every row: the failing/unknown instances (their
        # messages are only computed for those rows), then one summary row per report where none failed.
        # Each pass streams, so nothing the size of table 3 is ever written to a temp table. The rule file is
        # inlined, so every mention of `status` re-evaluates the rule's whole status expression: the summary
        # reads it twice per row (one packed sum, and the not-applicable message), not four times.
        sql = _for_build(rule.sql)
        meta = {**ALL_PARAMS, "rule_id": rule.id, "severity": rule.severity}
        conn.execute(
            f"""insert into check_results (report_id, year, rule_id, instance, severity, status, expected, actual,
                                           cells, message, related_report_id, evidence_line, evidence_text)
            select report_id, year, :rule_id, instance, :severity, status, {_FMT.format(c='expected')},
                   {_FMT.format(c='actual')}, cells, message, related_report_id, evidence_line, evidence_text
            from ({sql}) where status in ('fail', 'unknown')""",
            meta,
        )
        # code = number of passes + 10^9 per failing/unknown instance (a report has far fewer than 10^9 rows)
        conn.execute(
            f"""insert into check_results (report_id, year, rule_id, instance, severity, status, cells, message)
            select report_id, year, :rule_id, null, :severity, case when code > 0 then 'pass' else 'not_applicable' end,
                   '[]', case when code > 0 then '通过（共核对' || code || '处）' else na end
            from (select report_id, max(year) as year,
                         sum(case status when 'pass' then 1 when 'not_applicable' then 0 else 1000000000 end) as code,
                         max(case status when 'not_applicable' then message end) as na
                  from ({sql}) group by report_id)
            where code < 1000000000""",
            meta,
        )
    create_check_results(conn)
    conn.execute(_REPORT_QUALITY_VIEW)
    for rule_id, status, n in conn.execute(
            "select rule_id, status, count(*) from check_results group by rule_id, status"):
        summary.setdefault(rule_id, {})[status] = n
    conn.commit()
    return summary




def _for_build(sql: str) -> str:
    """The rule as a subquery for run_checks: without its header comments and without its page LIMIT.

    The LIMIT is a no-op for status 'all', but SQLite never flattens a subquery that has one: it would run
    the rule as a co-routine and compute every column (messages, cells, labels) of every row, passing rows
    included, before the outer WHERE drops them. Without it the rule is flattened into the INSERT, and a
    row's message is only computed for the rows kept (5-7x faster on table 3).
    """
    lines = sql.rstrip().splitlines()
    while lines and (lines[0].startswith("--") or not lines[0].strip()):
        lines.pop(0)
    if not lines or lines[-1].strip() != PAGE_LIMIT:
        raise ValueError(f"a rule file must end with the page limit line: {PAGE_LIMIT}")
    return "\n".join(lines[:-1]) + "\n"
