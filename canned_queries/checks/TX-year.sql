-- title: 正文申请情况年份与报告年度一致
-- description: 正文申请情况段落中写明的年份（如“2020年，全区共新收……”）应等于报告年度；不一致通常是照抄上一年报告后没有改年份。保留原句作为证据。
-- rule: TX-year
-- status: inferred
-- severity: error

with v as (
  -- each filtered report with its year-mentioned facts (seek in facts(report_id, metric)); none = not applicable
  select r.id as report_id, r.year, r.province, r.agency, x.report_id is not null as has_fact,
    x.value, x.line, x.text
  from reports_in_scope r
  left join facts x on x.report_id = r.id and x.metric = 'year_mentioned_with_applications'
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
