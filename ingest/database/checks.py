"""Consistency checks (勾稽关系, forms.md §7): run every rule SQL file and store the verdicts.

Each rule is written once, as `canned_queries/checks/<RULE-ID>.sql`, and the file holds only the rule:

    -- title: 表三总量平衡（一＋二＝（七）总计＋四）
    -- description: 表三每一列……（what the rule says; the paging note, PAGE_NOTE, is appended here)
    -- rule: T3-balance          (= the file name)
    -- status: official          (official | structural | inferred)
    -- severity: error           (error | warning)

    with v as (
      -- which reports it applies to, read from `reports_in_scope r` (never from `reports r` directly)
      select r.id as report_id, r.year, r.province, r.agency, ... from reports_in_scope r left join ...
    ),
    res as (
      -- its instances: one row per report × instance with the columns listed below
      select report_id, year, province, agency, instance, status, expected, actual, cells, message,
             related_report_id, evidence_line, evidence_text from v
    )
    select * from res

The last line is `select * from <cte>`; the file mentions none of the page's parameters (:year, :province,
:adcode, :status), `scope` or a LIMIT. What every rule shares is composed around it here, once:

* `compose_page` — the Datasette canned query (ingest/site/metadata.py puts it in metadata.yml): the rule's
  own CTEs first, then `reports_in_scope` (the reports of `scope` passing the page's filters :year,
  :province, :adcode; all empty = every report), `flagged` and `scope` (a page of failures re-checks only the
  reports check_results records as failing; PAGE_SCOPE), then the rule's last line, the status filter
  (:status empty = only failing rows; 'all' = every row) and the page limit.
* `compose_build` — the same rule for run_checks, `scope` being a query of report ids (a slice of the
  reports, or those whose status code says they need the full rule), without the page limit.

run_checks binds `status = 'all'` so the query also yields the passing, unknown and not-applicable rows, and
stores them set-based (INSERT ... SELECTs, no loop over reports): one pass over every report computing only
each row's status, then the full rule again on just the reports with a failing or unknown instance (or where
it does not apply), on one worker process per core for large databases, so 100,000 reports take seconds.

Every rule returns the same columns, one row per report × instance (a column, a row, a table-2 item, a prose
figure...): report_id, year, province, agency, instance, status, expected, actual, cells, message,
related_report_id, evidence_line, evidence_text. The rule id, severity and status come from the header.
A file in the old self-contained shape (its own copy of the scope CTEs, filters and LIMIT) is refused;
`python -m ingest.database.convert_rules FILE...` converts it.

`check_results` keeps every failing or unknown instance as its own row (so the report page can point at
the cells) and one summary row per report × rule when nothing failed or was unknown (pass or
not_applicable) — a pass is recorded, never implied by absence. It is a view: the rows are stored compactly in
check_rows (codes for rule and status, messages and cell lists once in check_texts, the year from reports),
which the rules' readable rows are packed into by _store.
"""
from __future__ import annotations

import os
import re
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from . import schema, similar
from .interrupt import stall
from .pool import Failure, Pool

CHECKS_DIR = Path(__file__).resolve().parents[2] / "canned_queries" / "checks"

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
    sql: str             # the canned query Datasette runs (compose_page), its header lines first
    path: Path
    fragment: str | None = None
    body: str = ""       # the file's SQL: the rule alone (header removed)


def parse_header(text: str) -> dict[str, str]:
    """Read the leading `-- key: value` lines of a .sql file (the one header format of all canned queries)."""
    header: dict[str, str] = {}
    for line in text.splitlines():
        if not line.startswith("--"):
            break
        m = _HEADER_RE.match(line)
        if m and m.group(1) in HEADER_KEYS:
            key, value = m.groups()     # a second description line continues the first (as in metadata.py)
            header[key] = header[key] + value if key == "description" and key in header else value
    return header


OLD_PAGE_LIMIT = "limit case when :status = 'all' then -1 else 200 end"

# What compose_page and compose_build add around every rule (SQL has no include: composed as text, once).
SHARED_COMMENT = ("-- Above: the rule. Below: what every rule shares (ingest/database/checks.py compose_page): the reports "
                  "to check, the page's filters, status and paging.")
FILTERS = """reports_in_scope as (
  -- The reports the rule reads: those of `scope` that pass the page's filters (all empty = every report).
  select rowid, * from reports where id in scope and (:year = '' or year = :year) and (:province = '' or province = :province)
    and (:adcode = '' or adcode = :adcode)
)"""
PAGE_SCOPE = """flagged as (
  -- Whether this page may re-check only the reports the build recorded (below): a page of failures (status
  -- empty or fail) or of unknowns, on a database whose checks have run.
  select :status in ('', 'fail', 'unknown') and exists (select 1 from check_results where rule_id = '{rule}') as yes
),
scope(id) as (
  -- The reports to check. check_results holds this same rule run over every report by the build
  -- (ingest/database/checks.py); a page of failures re-runs it on the reports recorded as failing that year, so it
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
)"""
# The old shape's copy of the scope at the top of every file (convert_rules recognises it; load_rule refuses it).
OLD_SCOPE = "with " + PAGE_SCOPE + ",\n"
STATUS_FILTER = "where :status = 'all' or status = coalesce(nullif(:status, ''), 'fail')"
PAGE_LIMIT = ("-- a page lists the first 200 rows (the build, with status 'all', gets every row); check_results holds them all\n"
              "limit case when :status = 'all' then -1 else 200 end")
# Appended to every rule's description: how the page's status parameter and paging work.
PAGE_NOTE = ("参数 status 为空时只列出不通过的行；填 all 列出全部，也可填 pass、unknown、not_applicable。"
             "网页最多列出前 200 行；完整结果见 check_results 表（可按 rule_id、status 筛选并下载 CSV）。")

_FINAL_RE = re.compile(r"^select \* from (\w+)$")
# What a rule file leaves to the composition (outside comments and quoted text).
_PLUMBING_RE = re.compile(r":(?:year|province|adcode|status)\b|\bscope\b|\blimit\s+case\b", re.I)


# A rule whose identity the parser itself uses to cut glued digits (forms.IDENTITY_NAMES) names, in a CTE
# `recovered_cells(report_id, instance)`, which recovered cells are operands of which of its instances. A
# recovered cell (cut from a glued run or filled in by the table's own sums) satisfies such a rule by
# construction, so it is no evidence that the rule holds: a passing instance with one is `unknown`. The rule
# says only which cells count; this is the rest, written once. Only the few reports whose warnings say a cell
# was recovered are looked at (index on warnings.code), and that list is materialized once per query.
RECOVERED = """recovered as materialized (
  select distinct x.report_id, x.instance from warnings w join recovered_cells x on x.report_id = w.report_id
  where w.code = 'cells_split_by_rules' or w.code = 'cell_recovered'
),
checked as (
  select res.report_id, year, province, agency, res.instance,
    case when status = 'pass' and k.report_id is not null then 'unknown' else status end as status,
    expected, actual, cells,
    case when status = 'pass' and k.report_id is not null
         then message || '；其中有按勾稽关系推出的单元格（recovered），不能作为本规则成立的证据，无法核对'
         else message end as message,
    related_report_id, evidence_line, evidence_text
  from {final} res left join recovered k on k.report_id = res.report_id and k.instance = res.instance
)"""
_RECOVERED_CTE = re.compile(r"\brecovered_cells\s+as\s*\(", re.I)

# A legacy sum rule (L-channels, L-outcomes: the parts of a legacy statistics table add up to their total) names
# its operands in a one-row CTE `legacy_sum_rule(total_item, part_glob, total_fact, part_facts, total_name,
# parts_name)` and ends with `select * from legacy_sum`; the sum itself is written once, here: per column of the
# statistics table (legacy_stats: the total row, the rows whose item_key matches part_glob; a sum that the
# parser used to cut glued digits — a recovered operand — is unknown, never pass) and in prose (facts: a
# shorter list than the total is unknown, prose often names only some parts).
LEGACY_SUM = """legacy_sum_cols(col) as (values ('value'), ('cumulative')),
legacy_sum_facts(metric) as materialized (
  select j.value from legacy_sum_rule d, json_each(d.part_facts) j
),
legacy_sum_table as (
  -- Each report × column (本年度, 历年累计) of its statistics table (index on report_id, item_key): the total
  -- row and the sum of the part rows.
  select r.id as report_id, r.year, r.province, r.agency, c.col, t.item_key is not null as has_total,
    case c.col when 'value' then t.value else t.cumulative end as total,
    case c.col when 'value' then t.kind else t.kind_cumulative end as total_kind,
    (select count(*) from legacy_stats p where p.report_id = r.id and p.item_key glob d.part_glob) as n_parts,
    (select count(*) from legacy_stats p where p.report_id = r.id and p.item_key glob d.part_glob
       and case c.col when 'value' then p.value else p.cumulative end is null) as n_blank,
    (select sum(case c.col when 'value' then p.value else p.cumulative end) from legacy_stats p
       where p.report_id = r.id and p.item_key glob d.part_glob) as summed,
    (select count(*) from legacy_stats p where p.report_id = r.id
       and (p.item_key glob d.part_glob or p.item_key = d.total_item)
       and case c.col when 'value' then p.kind else p.kind_cumulative end = 'recovered') as n_recovered,
    (select json_group_array('legacy_stats:' || p.item_key || ':' || c.col) from legacy_stats p
       where p.report_id = r.id and (p.item_key glob d.part_glob or p.item_key = d.total_item)) as cells,
    t.line, d.total_name, d.parts_name,
    case c.col when 'value' then '本年度' else '历年累计' end as col_name
  from reports_in_scope r cross join legacy_sum_rule d cross join legacy_sum_cols c
  left join legacy_stats t on t.report_id = r.id and t.item_key = d.total_item
),
legacy_sum_prose as (
  -- The same sum in prose (facts) of a legacy report: the total and the parts stated in sentences.
  select r.id as report_id, r.year, r.province, r.agency, 'prose' as col, ft.value as total,
    (select count(*) from facts p where p.report_id = r.id and p.metric in legacy_sum_facts) as n_parts,
    (select sum(p.value) from facts p where p.report_id = r.id and p.metric in legacy_sum_facts) as summed,
    ft.line, ft.text, d.total_name, d.parts_name
  -- cross joins keep this order: each report, then its facts by (report_id, metric)
  from reports_in_scope r cross join legacy_sum_rule d
  cross join facts ft on ft.report_id = r.id and ft.metric = d.total_fact
  where r.template = 'legacy'
),
legacy_sum_res as (
  select report_id, year, province, agency, col as instance,
    case when not has_total or n_parts = 0 or (col = 'cumulative' and total_kind is null) then 'not_applicable'
         when total is null or n_blank > 0 then 'unknown'
         when n_recovered > 0 and summed = total then 'unknown'
         when summed = total then 'pass' else 'fail' end as status,
    cast(summed as integer) as expected, cast(total as integer) as actual,
    case when has_total then cells else '[]' end as cells,
    case when not has_total or n_parts = 0 or (col = 'cumulative' and total_kind is null)
           then '统计表没有“' || total_name || '”或' || parts_name || '各项（或没有累计列）'
         when total is null or n_blank > 0 then '统计表（' || col_name || '）有空白或无法读取的数，无法核对'
         when n_recovered > 0 and summed = total then '统计表（' || col_name
           || '）中有按勾稽关系拆分的粘连数字（recovered），不能作为本规则成立的证据，无法核对'
         else printf('统计表（%s）%s之和为%d，“%s”为%d', col_name, parts_name, summed, total_name, total) end as message,
    null as related_report_id, line as evidence_line, null as evidence_text
  from legacy_sum_table
  union all
  select report_id, year, province, agency, col,
    case when n_parts = 0 then 'not_applicable' when total is null or summed is null then 'unknown'
         when summed = total then 'pass' when summed < total then 'unknown' else 'fail' end,
    cast(summed as integer), cast(total as integer), '[]',
    case when n_parts = 0 then '正文没有写明' || parts_name
         when total is null or summed is null then '正文数字无法读取，无法核对'
         when summed < total then printf('正文写明的各项之和为%d，少于正文第%s行的%d：正文可能只写了部分类别，无法核对',
                                          summed, coalesce(line, '?'), total)
         else printf('正文写明的%s之和为%d，正文第%s行写%s%d', parts_name, summed, coalesce(line, '?'), total_name, total) end,
    null, line, text
  from legacy_sum_prose
),
legacy_sum as (
  -- a report with neither a statistics table nor prose figures: one not-applicable row
  select * from legacy_sum_res
  union all
  select r.id, r.year, r.province, r.agency, null, 'not_applicable', null, null, '[]',
    '报告既没有旧条例时期统计表，也没有正文数字可核对', null, null, null
  from reports_in_scope r
  where not exists (select 1 from legacy_sum_res x where x.report_id = r.id)
)"""
_LEGACY_SUM_CTE = re.compile(r"\blegacy_sum_rule\s*(?:\([^()]*\))?\s*as\s*\(", re.I)


def split_rule(body: str, name: str = "rule") -> tuple[str, str]:
    """(its CTEs `with …`, its last line `select * from x`): the two places the shared parts go between.
    A rule that declares `recovered_cells` gets the recovered-cell demotion (RECOVERED) after its CTEs; one
    that declares `legacy_sum_rule` gets the legacy sum (LEGACY_SUM) that its last line reads."""
    lines = body.rstrip().splitlines()
    if not lines or not _FINAL_RE.match(lines[-1].strip()):
        raise ValueError(f"{name}: the last line must be `select * from <cte>` (the rule's rows)")
    ctes = "\n".join(lines[:-1]).rstrip()
    if not ctes.lower().startswith("with ") or not ctes.endswith(")"):
        raise ValueError(f"{name}: the rule must be `with <ctes>` followed by `select * from <cte>`")
    final = lines[-1].strip()
    if _LEGACY_SUM_CTE.search(ctes):
        ctes = f"{ctes},\n{LEGACY_SUM}"
    if _RECOVERED_CTE.search(ctes):
        ctes = f"{ctes},\n{RECOVERED.format(final=_FINAL_RE.match(final).group(1))}"
        final = "select * from checked"
    return ctes, final


def compose_page(rule_id: str, body: str) -> str:
    """The canned query of one rule: the rule first, then the shared scope, filters, status and paging."""
    ctes, final = split_rule(body, rule_id)
    return (f"{ctes},\n{SHARED_COMMENT}\n{FILTERS},\n{PAGE_SCOPE.format(rule=rule_id)}\n"
            f"{final}\n{STATUS_FILTER}\n{PAGE_LIMIT}")


def compose_build(rule: "Rule", scope: str) -> str:
    """The rule as a subquery for run_checks: the reports it reads are `scope` (a query of report ids).

    No page LIMIT: it is a no-op for status 'all', but SQLite never flattens a subquery that has one: it would
    run the rule as a co-routine and compute every column (messages, cells, labels) of every row before the
    outer query drops them. Without it the rule is flattened into the INSERT, and a column is only computed
    where the outer query reads it.
    """
    ctes, final = split_rule(rule.body, rule.id)
    return f"{ctes},\n{FILTERS},\nscope(id) as ({scope})\n{final}\n{STATUS_FILTER}\n"


def _sql_body(text: str) -> str:
    """The SQL of a rule file: its text after the leading `--` header lines and blank lines."""
    lines = text.splitlines()
    while lines and (lines[0].startswith("--") or not lines[0].strip()):
        lines.pop(0)
    return "\n".join(lines).strip() + "\n"


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
    body = _sql_body(text)
    if OLD_SCOPE.format(rule=h["rule"]) in text or _PLUMBING_RE.search(re.sub(r"'[^']*'|--[^\n]*", "", body)):
        raise ValueError(f"{path.name}: a rule file holds only the rule; the scope, the page parameters and the "
                         f"LIMIT are composed by checks.py (old shape: python -m ingest.database.convert_rules FILE)")
    if "reports_in_scope" not in split_rule(body, path.name)[0]:
        raise ValueError(f"{path.name}: the rule must read its reports from reports_in_scope")
    page = compose_page(h["rule"], body)
    header = [f"-- title: {h['title']}", f"-- description: {h['description']}{PAGE_NOTE}",
              f"-- rule: {h['rule']}", f"-- status: {h['status']}", f"-- severity: {h['severity']}"]
    if h.get("fragment"):
        header.append(f"-- fragment: {h['fragment']}")
    sql = "\n".join(header) + "\n\n" + page + "\n"
    return Rule(h["rule"], h["title"], h["description"] + PAGE_NOTE, h["status"], h["severity"], sql, path,
                h.get("fragment"), body)


def rule_parameters(rule: Rule) -> dict[str, str]:
    """Every :parameter of the rule's SQL, blank: a rule's own parameters (DUP's thresholds) take their defaults."""
    sql = re.sub(r"'[^']*'|--[^\n]*", "", rule.sql)
    return {name: "" for name in re.findall(r"(?<!:):(\w+)", sql)}


def load_rules(directory: Path = CHECKS_DIR) -> list[Rule]:
    return [load_rule(p) for p in sorted(directory.glob("*.sql"))]


# Bindings for run_checks: every report, every status.
ALL_PARAMS = {"year": "", "province": "", "adcode": "", "status": "all"}

CHECK_TABLES = {
    "check_results": {
        "description": "勾稽关系核对结果（视图，数据存于 check_rows）：每份报告的每条规则。不通过或无法核对的每一处单独一行；"
                       "全部通过或不适用时每份报告每条规则一行汇总（通过行的说明写明共核对几处，不逐处列出）。",
        "columns": {
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
    "check_rows": {
        "description": "check_results 的存储（紧凑形式）：每行一条核对结果，规则、结果以小整数编码，说明和单元格列表"
                       "存于 check_texts（相同文本只存一次），年度取自 reports。阅读请用 check_results 视图。",
        "columns": {
            "report_id": "报告编号（reports.id）",
            "rule": "规则代码（check_rules.code）",
            "status": "结果代码（check_statuses.code）",
            "instance": "规则在报告中的具体位置（check_texts.id）；汇总行为空",
            "expected": "按规则应有的值",
            "actual": "报告实际印制的值",
            "cells": "涉及的单元格列表（check_texts.id，文本为 JSON 列表）",
            "message": "中文说明（check_texts.id）",
            "related_report_id": "跨年规则中对照的上一年度报告编号",
            "evidence_line": "正文证据所在行号（指向 source_texts.text）",
            "evidence_text": "正文证据原句",
        },
    },
    "check_rules": {
        "description": "核对规则代码表：check_rows.rule 对应的规则编号与严重程度（取自 canned_queries/checks/ 各规则文件）。",
        "columns": {"code": "规则代码", "rule_id": "规则编号（如 T3-balance）",
                    "severity": "严重程度：error 错误，warning 警告"},
    },
    "check_statuses": {
        "description": "核对结果代码表：check_rows.status 对应的结果。",
        "columns": {"code": "结果代码", "status": "结果：pass、fail、unknown、not_applicable"},
    },
    "check_texts": {
        "description": "核对结果的说明和单元格列表，相同文本只存一次（check_rows.message、check_rows.cells 引用）。",
        "columns": {"id": "文本编号", "text": "文本"},
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

# The rows a rule yields, in the readable shape: what the workers' scratch databases and the staging table hold
# before _store packs them into check_rows. No `id integer primary key`: run_checks appends each worker's
# rows with a raw copy of their records (INSERT ... SELECT * keeps a declared key, so keys would collide).
_STAGING_DDL = """
create table if not exists check_results (
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

# Stored compactly (issue #13): rule, severity and status as small codes (check_rules, check_statuses), every
# instance, message and cell list once in check_texts (a few thousand distinct texts over hundreds of thousands
# of rows; no index on the text: _store looks them up in a temporary map), the year read from reports. Rows are numbered by rowid in the order the rules yield them (the report
# page lists a rule's instances in that order). check_results is a view with the readable columns.
_COMPACT_DDL = (
    """create table if not exists check_rules (code integer primary key, rule_id text not null unique,
         severity text not null)""",
    "create table if not exists check_statuses (code integer primary key, status text not null unique)",
    "create table if not exists check_texts (id integer primary key, text text not null)",
    """create table if not exists check_rows (
  report_id text not null,
  rule integer not null,
  status integer not null,
  instance integer,
  expected text,
  actual text,
  cells integer not null,
  message integer,
  related_report_id text,
  evidence_line integer,
  evidence_text text
)""",
)
STATUS_CODES = {"pass": 0, "fail": 1, "unknown": 2, "not_applicable": 3}

# check_results' rows: the view's body, also used with "where c.report_id = ? order by k.rule_id, c.rowid" by the
# report page (REPORT_RESULTS_SQL), which lists a rule's instances in the order the rule yields them.
CHECK_RESULTS_SELECT = """select c.report_id, r.year, k.rule_id, ti.text as instance, k.severity, s.status, c.expected, c.actual,
  tc.text as cells, tm.text as message, c.related_report_id, c.evidence_line, c.evidence_text
from check_rows c
join check_rules k on k.code = c.rule
join check_statuses s on s.code = c.status
join reports r on r.id = c.report_id
join check_texts tc on tc.id = c.cells
left join check_texts tm on tm.id = c.message
left join check_texts ti on ti.id = c.instance"""
REPORT_RESULTS_SQL = CHECK_RESULTS_SELECT + "\nwhere c.report_id = ? order by k.rule_id, c.rowid"

CHECK_RESULTS_VIEW = "create view if not exists check_results as\n" + CHECK_RESULTS_SELECT
# the view has one row per stored row (its joins are on unique keys, the inner ones always match): its count is
# check_rows' (plugins/view_counts.py answers an unfiltered check_results page from it)
VIEW_TABLES = {"check_results": "check_rows"}

# Writing to the view (SQL users, tests) writes the compact tables: a row inserted is packed as _store packs
# them; a row deleted removes the stored rows it reads from (identical rows go together).
CHECK_RESULTS_TRIGGERS = (
    """create trigger if not exists check_results_insert instead of insert on check_results begin
  insert or ignore into check_rules (rule_id, severity) values (new.rule_id, new.severity);
  insert into check_texts (text) select t from (select coalesce(new.cells, '[]') as t union all
      select new.message union all select new.instance) x
    where t is not null and not exists (select 1 from check_texts where text = x.t);
  insert into check_rows (report_id, rule, status, instance, expected, actual, cells, message, related_report_id,
                          evidence_line, evidence_text)
  values (new.report_id, (select code from check_rules where rule_id = new.rule_id),
          (select code from check_statuses where status = new.status),
          (select min(id) from check_texts where text = new.instance), new.expected, new.actual,
          (select min(id) from check_texts where text = coalesce(new.cells, '[]')),
          (select min(id) from check_texts where text = new.message), new.related_report_id, new.evidence_line,
          new.evidence_text);
end""",
    """create trigger if not exists check_results_delete instead of delete on check_results begin
  delete from check_rows where report_id = old.report_id
    and rule = (select code from check_rules where rule_id = old.rule_id)
    and status = (select code from check_statuses where status = old.status)
    and instance is (select min(id) from check_texts where text = old.instance)
    and expected is old.expected and actual is old.actual
    and cells = (select min(id) from check_texts where text = old.cells)
    and message is (select min(id) from check_texts where text = old.message)
    and related_report_id is old.related_report_id and evidence_line is old.evidence_line;
end""",
)

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

# The rules read the report tables through the schema's indexes (ingest/database/schema.py `indexes`): those of table 3
# and table 4 are covering (every number column), so a rule reads a report's rows from one index range without
# touching the table, and fetches a row's label by rowid only for the rows it shows. The build creates them
# with the other indexes; ensure_indexes creates any missing in another database, with the same sqlite-utils
# call as load.create_indexes (so under the same names).
_RULE_TABLES = ("reports", "applications", "reviews_litigation", "active_disclosure", "facts", "sections")

# Numbers as text: whole REALs without ".0" (a count read as 12.0 is shown as 12).
_FMT = ("case when typeof({c}) = 'real' and {c} = cast({c} as integer) then cast(cast({c} as integer) as text) "
        "else cast({c} as text) end")


def create_check_results(conn: sqlite3.Connection, rules: list[Rule] | None = None, indexes: bool = True) -> None:
    """Create the check tables (empty), their indexes and the check_results view if missing.

    Every rule file reads check_results (a page of failures re-checks only the reports recorded there), so
    the view exists in every database the build writes, even before run_checks has filled it. The index on
    (rule, status, report_id) is what such a page reads: one range per rule and status. A check_results
    table of an older build is replaced.
    """
    if conn.execute("select 1 from sqlite_master where type = 'table' and name = 'check_results'").fetchone():
        conn.execute("drop view if exists report_quality")
        conn.execute("drop table check_results")
    for ddl in _COMPACT_DDL:
        conn.execute(ddl)
    conn.executemany("insert or ignore into check_statuses (code, status) values (?, ?)",
                     [(c, s) for s, c in STATUS_CODES.items()])
    for rule in rules or ():
        conn.execute("insert into check_rules (rule_id, severity) values (?, ?) "
                     "on conflict (rule_id) do update set severity = excluded.severity", (rule.id, rule.severity))
    if indexes:
        conn.execute("create index if not exists idx_check_rows_report on check_rows (report_id, rule)")
        conn.execute("create index if not exists idx_check_rows_rule on check_rows (rule, status, report_id)")
    conn.execute(CHECK_RESULTS_VIEW)
    for trigger in CHECK_RESULTS_TRIGGERS:
        conn.execute(trigger)


def _staging(conn: sqlite3.Connection, schema_name: str = "temp") -> str:
    """Create (empty) the staging table a rule's rows go to before _store; return its name."""
    name = f"{schema_name}.check_staging"
    conn.execute(f"drop table if exists {name}")
    conn.execute(_STAGING_DDL.replace("check_results", name, 1))
    return name


def _text_ids(conn: sqlite3.Connection) -> None:
    """(Re)build temp.text_ids, check_texts' texts → ids, that _store looks texts up in (check_texts itself keeps
    no index on its texts: it would hold every text a second time)."""
    conn.execute("drop table if exists temp.text_ids")
    conn.execute("create temp table text_ids (text text primary key, id integer not null) without rowid")
    conn.execute("insert or ignore into temp.text_ids select text, id from check_texts order by id")


def _store(conn: sqlite3.Connection, source: str) -> None:
    """Pack the rows of the staging table `source` into check_rows (texts into check_texts), in their order.
    Needs temp.text_ids (_text_ids)."""
    top = conn.execute("select coalesce(max(id), 0) from check_texts").fetchone()[0]
    conn.execute(f"""insert into check_texts (text)
        select t from (select cells as t from {source} union select message from {source}
                       union select instance from {source}) x
        where t is not null and not exists (select 1 from temp.text_ids i where i.text = x.t)""")
    conn.execute("insert into temp.text_ids select text, id from check_texts where id > ?", (top,))
    conn.execute(f"""insert into check_rows (report_id, rule, status, instance, expected, actual, cells, message,
                                          related_report_id, evidence_line, evidence_text)
        select s.report_id, k.code, st.code, ti.id, s.expected, s.actual, tc.id, tm.id,
               s.related_report_id, s.evidence_line, s.evidence_text
        from {source} s join check_rules k on k.rule_id = s.rule_id join check_statuses st on st.status = s.status
        join temp.text_ids tc on tc.text = s.cells left join temp.text_ids tm on tm.text = s.message
        left join temp.text_ids ti on ti.text = s.instance
        order by s.rowid""")
    conn.execute(f"delete from {source}")


def ensure_indexes(conn: sqlite3.Connection) -> None:
    db = sqlite_utils.Database(conn, recursive_triggers=False, execute_plugins=False)   # leaves conn as it is
    for table in _RULE_TABLES:
        for cols in schema.TABLES[table].get("indexes") or []:
            db[table].create_index(cols, if_not_exists=True)


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


# Below this many reports the checks run in the calling process: starting workers would cost more than it saves.
PARALLEL_MIN_REPORTS = 5000
# At most this many workers by default: each may hold a 256 MiB page cache (_PRAGMAS).
MAX_WORKERS = 8


def run_checks(conn: sqlite3.Connection, rules: list[Rule] | None = None,
               workers: int | None = None) -> dict[str, dict[str, int]]:
    """(Re)write check_results and the report_quality view; return counts per rule and status.

    `workers` processes check the database in parallel (default: one per core, at most MAX_WORKERS, on a
    database file of at least PARALLEL_MIN_REPORTS reports, else 1); the rows written are the same either
    way (their order, grouped by rule, is reproducible for a given number of workers).
    """
    old = _raise_pragmas(conn)
    try:
        return _run_checks(conn, load_rules() if rules is None else rules, workers)
    finally:
        for name, value in old.items():
            conn.execute(f"pragma {name} = {value}")


def _run_checks(conn: sqlite3.Connection, rules: list[Rule], workers: int | None) -> dict[str, dict[str, int]]:
    ensure_indexes(conn)
    similar.create_table(conn)     # DUP reads it; empty in a database the build's similarity step did not fill
    conn.execute("drop view if exists report_quality")
    conn.execute("drop view if exists check_results")
    for table in ("check_rows", "check_texts", "check_rules"):
        conn.execute(f"drop table if exists {table}")
    create_check_results(conn, rules, indexes=False)   # indexed after the inserts, faster than during
    path = _database_file(conn)
    n_reports = conn.execute("select count(*) from reports").fetchone()[0]
    if workers is None:
        workers = min(os.cpu_count() or 1, MAX_WORKERS) if n_reports >= PARALLEL_MIN_REPORTS else 1
    _text_ids(conn)
    if path is None or workers <= 1 or n_reports == 0:
        staging = _staging(conn)
        for i, rule in enumerate(rules):
            _check_rule(conn, rule, "select id from reports", staging)
            _store(conn, staging)
            if i == 0:
                stall("checks", conn)
        conn.execute(f"drop table {staging}")
    else:
        conn.commit()      # the workers read what this connection wrote
        _check_in_parallel(conn, path, rules, workers)
    conn.execute("drop table temp.text_ids")
    create_check_results(conn)
    conn.execute(_REPORT_QUALITY_VIEW)
    summary: dict[str, dict[str, int]] = {}
    for rule_id, status, n in conn.execute(
            "select k.rule_id, s.status, count(*) from check_rows c join check_rules k on k.code = c.rule "
            "join check_statuses s on s.code = c.status group by k.rule_id, s.status"):
        summary.setdefault(rule_id, {})[status] = n
    conn.commit()
    return summary


def check_reports(conn: sqlite3.Connection, report_ids, everywhere: set[str] = frozenset(),
                  rules: list[Rule] | None = None) -> None:
    """An incremental build's checks: every rule again on these reports only (the changed ones and those their
    cross-year or DUP verdicts read), their old rows replaced; the rules in `everywhere` over every report.

    Runs in this process, inside the build's one transaction (workers would not see its uncommitted rows);
    the rows are those run_checks writes for the same reports (check_texts may number the texts differently).
    Texts the replaced rows used and no row uses any more stay in check_texts: finding them means reading every
    row of check_rows (0.1 s at 10,000 reports, linear in the database, not in the change); they are a few
    dozen short strings a build, dropped by the next full build.
    """
    rules = load_rules() if rules is None else rules
    old = _raise_pragmas(conn)
    try:
        ensure_indexes(conn)
        similar.create_table(conn)
        create_check_results(conn, rules)
        codes = dict(conn.execute("select rule_id, code from check_rules"))
        conn.execute("drop table if exists temp.recheck")
        conn.execute("create temp table recheck (id text primary key)")
        conn.executemany("insert or ignore into temp.recheck values (?)", ((r,) for r in report_ids))
        staging = _staging(conn)
        _text_ids(conn)
        for i, rule in enumerate(rules):
            if rule.id in everywhere:
                conn.execute("delete from check_rows where rule = ?", (codes[rule.id],))
                _check_rule(conn, rule, "select id from reports", staging)
            else:
                conn.execute("delete from check_rows where rule = ? and report_id in (select id from temp.recheck)",
                             (codes[rule.id],))
                _check_rule(conn, rule, "select id from temp.recheck", staging)
            _store(conn, staging)
            if i == 0:
                stall("checks", conn)
        conn.execute(f"drop table {staging}")
        conn.execute("drop table temp.recheck")
        conn.execute("drop table temp.text_ids")
        if not conn.execute("select 1 from sqlite_master where name = 'report_quality'").fetchone():
            conn.execute(_REPORT_QUALITY_VIEW)
    finally:
        for name, value in old.items():
            conn.execute(f"pragma {name} = {value}")


def _database_file(conn: sqlite3.Connection) -> str | None:
    """The file of the main database, None for an in-memory or temporary one (no other process can read it)."""
    for _, name, file in conn.execute("pragma database_list"):
        if name == "main":
            return file or None
    return None


def _check_rule(conn: sqlite3.Connection, rule: Rule, scope: str, into: str) -> None:
    """Append the verdicts of `rule` on the reports of `scope` (a query of report ids) to the staging table `into`.

    The rule runs once over those reports computing only each row's status (the file is inlined, so its
    messages, cells and labels are not computed there), folded into one code per report. Reports where
    everything checked passed get their summary row from that code alone; the rule runs again in full only on
    the reports it did not apply to (for the summary's reason) and on those with a failing or unknown
    instance (for the rows check_results keeps), a small share of the reports for most rules.
    """
    meta = {**rule_parameters(rule), **ALL_PARAMS, "rule_id": rule.id, "severity": rule.severity}
    conn.execute("drop table if exists temp.check_outcome")
    conn.execute("create temp table check_outcome (report_id text primary key, year integer, code integer)")
    # code = number of passes + 10^9 per failing/unknown instance (a report has far fewer than 10^9 rows):
    # 0 = not applicable (every row), 1..10^9-1 = passed, more = something failed or could not be checked
    conn.execute(
        f"""insert into temp.check_outcome (report_id, year, code)
        select report_id, max(year), sum(case status when 'pass' then 1 when 'not_applicable' then 0 else 1000000000 end)
        from ({_for_build(rule, scope)}) group by report_id""",
        meta,
    )
    conn.execute(
        f"""insert into {into} (report_id, year, rule_id, instance, severity, status, cells, message)
        select report_id, year, :rule_id, null, :severity, 'pass', '[]', '通过（共核对' || code || '处）'
        from temp.check_outcome where code between 1 and 999999999""",
        meta,
    )
    not_applicable = _for_build(rule, "select report_id from temp.check_outcome where code = 0")
    conn.execute(
        f"""insert into {into} (report_id, year, rule_id, instance, severity, status, cells, message)
        select report_id, max(year), :rule_id, null, :severity, 'not_applicable', '[]', max(message)
        from ({not_applicable}) group by report_id""",
        meta,
    )
    flagged = _for_build(rule, "select report_id from temp.check_outcome where code >= 1000000000")
    conn.execute(
        f"""insert into {into} (report_id, year, rule_id, instance, severity, status, expected, actual,
                                              cells, message, related_report_id, evidence_line, evidence_text)
        select report_id, year, :rule_id, instance, :severity, status, {_FMT.format(c='expected')},
               {_FMT.format(c='actual')}, cells, message, related_report_id, evidence_line, evidence_text
        from ({flagged}) where status in ('fail', 'unknown')""",
        meta,
    )
    conn.execute("drop table temp.check_outcome")


def _check_in_parallel(conn: sqlite3.Connection, path: str, rules: list[Rule], workers: int) -> None:
    """Run every rule on `workers` processes, then append their rows to check_results in rule order.

    A task is one rule on one slice of the reports (by rowid), twice as many slices as workers, so a heavy
    rule (table 3 row by row) is shared out rather than left to one process at the end. Each task writes to
    its own scratch database: SQLite has one writer at a time, and the workers only read the main file.
    The rows are copied once all tasks are done (a write on the main file would block its readers).
    """
    lo, hi = conn.execute("select min(rowid), max(rowid) from reports").fetchone()
    parts = workers * 2
    step = (hi - lo) // parts + 1
    slices = [f"select id from reports where rowid >= {lo + k * step} and rowid < {lo + (k + 1) * step}"
              for k in range(parts)]
    # named after the database file, so a build killed meanwhile removes it with its own leftovers
    with tempfile.TemporaryDirectory(prefix=f"{Path(path).name}.checks-", dir=Path(path).parent) as tmp:
        tasks = [(rule, scope, str(Path(tmp) / f"{i:03d}-{k}.db"))
                 for i, rule in enumerate(rules) for k, scope in enumerate(slices)]
        # ingest.database.pool, not multiprocessing.Pool: leaving it (Ctrl-C, an error) kills the workers at
        # once, where Pool.terminate could hang
        with Pool(_check_task, workers, initializer=_start_worker, initargs=(path,)) as pool:
            done = []
            for (rule, _, _), out in pool.imap(tasks):
                if isinstance(out, Failure):
                    raise RuntimeError(f"rule {rule.id}: {out.kind}: {out.detail}")
                done.append(out)
        for out in done:
            conn.execute("attach database ? as part", (out,))
            # same table definition, no index yet, a plain SELECT *: SQLite copies the records as they are
            _store(conn, "part.check_staging")
            conn.commit()
            conn.execute("detach database part")


# A worker's connection to the database, opened once (its page cache then serves every task it runs).
_worker_conn: sqlite3.Connection | None = None


def _start_worker(path: str) -> None:
    """Open the worker's connection (Ctrl-C is left to the parent: ingest.database.pool ignores it in workers)."""
    global _worker_conn
    _worker_conn = sqlite3.connect(path)
    _raise_pragmas(_worker_conn)


def _check_task(task: tuple[Rule, str, str]) -> str:
    """One worker task: `rule` on the reports of `scope`, its rows written to the scratch database `out`."""
    rule, scope, out = task
    stall("checks")
    conn = _worker_conn
    conn.execute("attach database ? as part", (out,))
    try:
        conn.execute("pragma part.journal_mode = off")     # a scratch file: thrown away if anything fails
        conn.execute("pragma part.synchronous = off")
        _check_rule(conn, rule, scope, _staging(conn, "part"))
        conn.commit()
    finally:
        conn.execute("detach database part")
    return out


# run_checks' name for compose_build (the run loop above is unchanged by the rule-only file shape).
_for_build = compose_build
