-- title: 正文申请情况年份与报告年度一致
-- description: 正文申请情况段落中写明的年份（如“2020年，全区共新收……”）应等于报告年度；不一致通常是照抄上一年报告后没有改年份。保留原句作为证据。参数 status 为空时只列出不通过的行；填 all 列出全部，也可填 pass、unknown、not_applicable。网页最多列出前 200 行；完整结果见 check_results 表（可按 rule_id、status 筛选并下载 CSV）。
-- rule: TX-year
-- status: inferred
-- severity: error

with flagged as (
  -- Whether this page may re-check only the reports the build recorded (below): a page of failures (status
  -- empty or fail) or of unknowns, on a database whose checks have run.
  select :status in ('', 'fail', 'unknown') and exists (select 1 from check_results where rule_id = 'TX-year') as yes
),
scope(id) as (
  -- The reports to check. check_results holds this same rule run over every report by the build
  -- (ingest/database/checks.py); a page of failures re-runs it on the reports recorded as failing that year, so it
  -- reads tens of reports, not tens of thousands. Other requests, and the build itself, check every report.
  -- Each branch is one index range: the constant conditions pick the branch once, before any row is read.
  select report_id from check_results, flagged
  where flagged.yes and rule_id = 'TX-year' and status = coalesce(nullif(:status, ''), 'fail') and :year = ''
  union all
  select report_id from check_results, flagged
  where flagged.yes and rule_id = 'TX-year' and status = coalesce(nullif(:status, ''), 'fail') and year = :year
  union all
  select id from reports, flagged where not flagged.yes and :year = ''
  union all
  select id from reports, flagged where not flagged.yes and year = :year
),
v as (
  -- each filtered report with its year-mentioned facts (seek in facts(report_id, metric)); none = not applicable
  select r.id as report_id, r.year, r.province, r.agency, x.report_id is not null as has_fact,
    x.value, x.line, x.text
  from reports r
  left join facts x on x.report_id = r.id and x.metric = 'year_mentioned_with_applications'
  where r.id in scope and (:year = '' or r.year = :year) and (:province = '' or r.province = :province)
    and (:adcode = '' or r.adcode = :adcode)
),
res as (
  select report_id, year, province, agency, case when has_fact then 'line ' || coalesce(line, '') end as instance,
    case when not has_fact then 'not_applicable'
         when year is null or value is null then 'unknown'
         when value = year then 'pass' else 'fail' end as status,
    case when has_fact then year end as expected,
    value as actual,
    '[]' as cells,
    case when not has_fact then '正文申请情况段落没有写明年份'
         when year is null then '报告年度不明，无法核对'
         when value is null then '正文第' || coalesce(line, '?') || '行的年份无法读取，无法核对'
         else printf('正文第%s行申请情况写“%d年”，报告年度为%d年', coalesce(line, '?'), value, year) end as message,
    null as related_report_id, line as evidence_line, text as evidence_text
  from v
)
select * from res
where :status = 'all' or status = coalesce(nullif(:status, ''), 'fail')
-- a page lists the first 200 rows (the build, with status 'all', gets every row); check_results holds them all
limit case when :status = 'all' then -1 else 200 end
