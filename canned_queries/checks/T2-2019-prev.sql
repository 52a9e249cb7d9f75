-- title: 表二上一年项目数量加本年增减不为负（2019年格式）
-- description: 2019年格式表二的行政许可、其他对外管理服务事项、行政处罚、行政强制、行政事业性收费：上一年项目数量加本年增/减之后的本年项目数量不能小于0。参数 status 为空时只列出不通过的行；填 all 列出全部，也可填 pass、unknown、not_applicable。网页最多列出前 200 行；完整结果见 check_results 表（可按 rule_id、status 筛选并下载 CSV）。含按勾稽关系推出（recovered）单元格的一处不计为通过，记为无法核对。
-- rule: T2-2019-prev
-- status: inferred
-- severity: error

with flagged as (
  -- Whether this page may re-check only the reports the build recorded (below): a page of failures (status
  -- empty or fail) or of unknowns, on a database whose checks have run.
  select :status in ('', 'fail', 'unknown') and exists (select 1 from check_results where rule_id = 'T2-2019-prev') as yes
),
scope(id) as (
  -- The reports to check. check_results holds this same rule run over every report by the build
  -- (ingest/database/checks.py); a page of failures re-runs it on the reports recorded as failing that year, so it
  -- reads tens of reports, not tens of thousands. Other requests, and the build itself, check every report.
  -- Each branch is one index range: the constant conditions pick the branch once, before any row is read.
  select report_id from check_results, flagged
  where flagged.yes and rule_id = 'T2-2019-prev' and status = coalesce(nullif(:status, ''), 'fail') and :year = ''
  union all
  select report_id from check_results, flagged
  where flagged.yes and rule_id = 'T2-2019-prev' and status = coalesce(nullif(:status, ''), 'fail') and year = :year
  union all
  select id from reports, flagged where not flagged.yes and :year = ''
  union all
  select id from reports, flagged where not flagged.yes and year = :year
),
v as (
  -- Each filtered report's 上一年项目数量 rows (one per 2019-form item) with the same item's 本年增/减, read
  -- from the covering index active_disclosure(report_id, item_key, metric, value); no row = not applicable.
  select r.id as report_id, r.year, r.province, r.agency, f.report_id is not null as has_item, f.item_key,
    f.rowid as d_rowid, f.value as prev, c.value as change
  from reports r
  left join active_disclosure f on f.report_id = r.id and f.metric = 'previous_count'
  left join active_disclosure c on c.report_id = r.id and c.item_key = f.item_key and c.metric = 'change'
  where r.id in scope and (:year = '' or r.year = :year) and (:province = '' or r.province = :province)
    and (:adcode = '' or r.adcode = :adcode)
),
res as (
  select report_id, year, province, agency, item_key as instance,
    case when not has_item then 'not_applicable'
         when prev is null or change is null then 'unknown'
         when prev + change >= 0 then 'pass' else 'fail' end as status,
    case when has_item then '≥0' end as expected,
    prev + change as actual,
    case when has_item then json_array('active_disclosure:' || item_key || ':previous_count',
                                       'active_disclosure:' || item_key || ':change') else '[]' end as cells,
    case when not has_item then '报告没有2019年格式表二的“上一年项目数量”'
         when prev is null or change is null
           then (select coalesce(l.item, l.item_key) from active_disclosure l where l.rowid = d_rowid) ||
                '：上一年项目数量或本年增/减为空或无法读取，无法核对'
         else printf('%s：上一年项目数量%d加本年增/减%+d得%d',
                     (select coalesce(l.item, l.item_key) from active_disclosure l where l.rowid = d_rowid),
                     prev, change, prev + change) end as message,
    null as related_report_id, null as evidence_line, null as evidence_text
  from v
),
checked as (
  -- A recovered cell (cut from a glued run or filled in by the table's own sums: warnings cells_split_by_rules,
  -- cell_recovered) satisfies this rule by construction, so it is no evidence that the rule holds: such an
  -- instance is unknown, not pass. Only reports with such a warning are looked at (index on warnings.code).
  select report_id, year, province, agency, instance,
    case when by_rule then 'unknown' else status end as status, expected, actual, cells,
    case when by_rule then message || '；其中有按勾稽关系推出的单元格（recovered），不能作为本规则成立的证据，无法核对'
         else message end as message,
    related_report_id, evidence_line, evidence_text
  from (select res.*, status = 'pass'
          and report_id in (select report_id from warnings where code = 'cells_split_by_rules' or code = 'cell_recovered')
          and exists (select 1 from cells x where x.report_id = res.report_id and x.kind = 'recovered'
            and x.table_name = 'active_disclosure' and x.row_key = res.instance) as by_rule
        from res)
)
select * from checked
where :status = 'all' or status = coalesce(nullif(:status, ''), 'fail')
-- a page lists the first 200 rows (the build, with status 'all', gets every row); check_results holds them all
limit case when :status = 'all' then -1 else 200 end
