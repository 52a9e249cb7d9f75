-- title: 跨年结转衔接（本年上年结转＝上年结转下年度）
-- description: 同一机关（按 agency_id 即行政区划代码加规范化机关名识别）本年度表三“二、上年结转政府信息公开申请数量”总计，应等于其上一年度报告“四、结转下年度继续办理”总计。实际中常不一致，作为警告提示。参数 status 为空时只列出不通过的行；填 all 列出全部，也可填 pass、unknown、not_applicable。网页最多列出前 200 行；完整结果见 check_results 表（可按 rule_id、status 筛选并下载 CSV）。
-- rule: X-carry
-- status: inferred
-- severity: warning

with flagged as (
  -- Whether this page may re-check only the reports the build recorded (below): a page of failures (status
  -- empty or fail) or of unknowns, on a database whose checks have run.
  select :status in ('', 'fail', 'unknown') and exists (select 1 from check_results where rule_id = 'X-carry') as yes
),
scope(id) as (
  -- The reports to check. check_results holds this same rule run over every report by the build
  -- (ingest/database/checks.py); a page of failures re-runs it on the reports recorded as failing that year, so it
  -- reads tens of reports, not tens of thousands. Other requests, and the build itself, check every report.
  -- Each branch is one index range: the constant conditions pick the branch once, before any row is read.
  select report_id from check_results, flagged
  where flagged.yes and rule_id = 'X-carry' and status = coalesce(nullif(:status, ''), 'fail') and :year = ''
  union all
  select report_id from check_results, flagged
  where flagged.yes and rule_id = 'X-carry' and status = coalesce(nullif(:status, ''), 'fail') and year = :year
  union all
  select id from reports, flagged where not flagged.yes and :year = ''
  union all
  select id from reports, flagged where not flagged.yes and year = :year
),
v as (
  -- Each filtered report with a table 3, the same agency's report of the year before (reports(agency_id, year))
  -- if it has a table 3 too, and the two totals by seek in applications(report_id, row_key, …).
  select r.id as report_id, r.year, r.province, r.agency, prev.id is not null as paired,
    prev.id as prev_id, prev.year as prev_year, co.total as carried_over, cf.total as carried_forward
  from reports r
  left join reports prev on prev.agency_id = r.agency_id and prev.year = r.year - 1
    and exists (select 1 from applications a where a.report_id = r.id)
    and exists (select 1 from applications a where a.report_id = prev.id)
  left join applications co on prev.id is not null and co.report_id = r.id and co.row_key = 'carried_over'
  left join applications cf on cf.report_id = prev.id and cf.row_key = 'carried_forward'
  where r.id in scope and (:year = '' or r.year = :year) and (:province = '' or r.province = :province)
    and (:adcode = '' or r.adcode = :adcode)
),
res as (
  select report_id, year, province, agency, prev_id as instance,
    case when not paired then 'not_applicable'
         when carried_over is null or carried_forward is null then 'unknown'
         when carried_over = carried_forward then 'pass' else 'fail' end as status,
    carried_forward as expected,
    carried_over as actual,
    case when paired then json_array('applications:carried_over:total') else '[]' end as cells,
    case when not paired then '没有同一机关上一年度带表三的报告（或本报告没有表三）'
         when carried_over is null or carried_forward is null
           then '本年“上年结转”总计或上年报告（' || prev_id || '）“结转下年度继续办理”总计为空或无法读取，无法核对'
         else printf('本年“上年结转”总计%d件，%d年报告（%s）“结转下年度继续办理”总计%d件',
                     carried_over, prev_year, prev_id, carried_forward) end as message,
    prev_id as related_report_id, null as evidence_line, null as evidence_text
  from v
)
select * from res
where :status = 'all' or status = coalesce(nullif(:status, ''), 'fail')
-- a page lists the first 200 rows (the build, with status 'all', gets every row); check_results holds them all
limit case when :status = 'all' then -1 else 200 end
