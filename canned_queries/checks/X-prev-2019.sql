-- title: 跨年上一年项目数量衔接（2019年格式）
-- description: 同一机关连续两年都使用2019年格式时（通常是2019和2020年度），本年表二的“上一年项目数量”应等于上一年报告的“上一年项目数量”加“本年增/减”，适用于行政许可、其他对外管理服务事项、行政处罚、行政强制、行政事业性收费。参数 status 为空时只列出不通过的行；填 all 列出全部，也可填 pass、unknown、not_applicable。网页最多列出前 200 行；完整结果见 check_results 表（可按 rule_id、status 筛选并下载 CSV）。
-- rule: X-prev-2019
-- status: inferred
-- severity: warning

with flagged as (
  -- Whether this page may re-check only the reports the build recorded (below): a page of failures (status
  -- empty or fail) or of unknowns, on a database whose checks have run.
  select :status in ('', 'fail', 'unknown') and exists (select 1 from check_results where rule_id = 'X-prev-2019') as yes
),
scope(id) as (
  -- The reports to check. check_results holds this same rule run over every report by the build
  -- (ingest/database/checks.py); a page of failures re-runs it on the reports recorded as failing that year, so it
  -- reads tens of reports, not tens of thousands. Other requests, and the build itself, check every report.
  -- Each branch is one index range: the constant conditions pick the branch once, before any row is read.
  select report_id from check_results, flagged
  where flagged.yes and rule_id = 'X-prev-2019' and status = coalesce(nullif(:status, ''), 'fail') and :year = ''
  union all
  select report_id from check_results, flagged
  where flagged.yes and rule_id = 'X-prev-2019' and status = coalesce(nullif(:status, ''), 'fail') and year = :year
  union all
  select id from reports, flagged where not flagged.yes and :year = ''
  union all
  select id from reports, flagged where not flagged.yes and year = :year
),
v as (
  -- Each filtered report's 上一年项目数量 items (active_disclosure(report_id, item_key, metric, value)), the same agency's report of the year
  -- before (reports(agency_id, year)) and its 上一年项目数量 and 本年增/减 for the same item.
  -- An item without a previous-year counterpart is a not-applicable row: run_checks keeps one summary row
  -- per report and rule, so a report is not applicable exactly when none of its items has a counterpart.
  select r.id as report_id, r.year, r.province, r.agency, cd.item_key, cd.rowid as d_rowid,
    pp.report_id is not null as paired, cd.value as cur_prev,
    prev.id as prev_id, prev.year as prev_year, pp.value as prev_prev, pc.value as prev_change
  from reports r
  left join active_disclosure cd on cd.report_id = r.id and cd.metric = 'previous_count'
  left join reports prev on cd.report_id is not null and prev.agency_id = r.agency_id and prev.year = r.year - 1
  left join active_disclosure pp on pp.report_id = prev.id and pp.item_key = cd.item_key and pp.metric = 'previous_count'
  left join active_disclosure pc on pp.report_id is not null and pc.report_id = prev.id and pc.item_key = cd.item_key
    and pc.metric = 'change'
  where r.id in scope and (:year = '' or r.year = :year) and (:province = '' or r.province = :province)
    and (:adcode = '' or r.adcode = :adcode)
),
res as (
  select report_id, year, province, agency, case when paired then item_key || '@' || prev_id end as instance,
    case when not paired then 'not_applicable'
         when cur_prev is null or prev_prev is null or prev_change is null then 'unknown'
         when cur_prev = prev_prev + prev_change then 'pass' else 'fail' end as status,
    prev_prev + prev_change as expected,
    case when paired then cur_prev end as actual,
    case when paired then json_array('active_disclosure:' || item_key || ':previous_count') else '[]' end as cells,
    case when not paired then '本年或同一机关上一年度的报告没有2019年格式表二的“上一年项目数量”'
         when cur_prev is null or prev_prev is null or prev_change is null
           then (select coalesce(l.item, l.item_key) from active_disclosure l where l.rowid = d_rowid) ||
                '：本年或上年（' || prev_id || '）的项目数量为空或无法读取，无法核对'
         else printf('%s：%d年报告上一年项目数量%d%+d＝%d，本年报告上一年项目数量%d',
                     (select coalesce(l.item, l.item_key) from active_disclosure l where l.rowid = d_rowid),
                     prev_year, prev_prev, prev_change, prev_prev + prev_change, cur_prev) end as message,
    case when paired then prev_id end as related_report_id, null as evidence_line, null as evidence_text
  from v
)
select * from res
where :status = 'all' or status = coalesce(nullif(:status, ''), 'fail')
-- a page lists the first 200 rows (the build, with status 'all', gets every row); check_results holds them all
limit case when :status = 'all' then -1 else 200 end
