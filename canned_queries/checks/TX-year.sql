-- title: 正文申请情况年份与报告年度一致
-- description: 正文申请情况段落中写明的年份（如“2020年，全区共新收……”）应等于报告年度；不一致通常是照抄上一年报告后没有改年份。保留原句作为证据。参数 status 为空时只列出不通过的行；填 all 列出全部，也可填 pass、unknown、not_applicable。
-- rule: TX-year
-- status: inferred
-- severity: error
with p as (select :year as year, :province as province, :adcode as adcode, :status as status),
r as (
  select r.id as report_id, r.year, r.province, r.agency
  from reports r, p
  where (p.year = '' or r.year = p.year)
    and (p.province = '' or r.province = p.province)
    and (p.adcode = '' or r.adcode = p.adcode)
),
res as (
  select r.report_id, r.year, r.province, r.agency, 'line ' || coalesce(x.line, '') as instance,
    case when r.year is null or x.value is null then 'unknown'
         when x.value = r.year then 'pass' else 'fail' end as status,
    r.year as expected,
    x.value as actual,
    '[]' as cells,
    case when r.year is null then '报告年度不明，无法核对'
         when x.value is null then '正文第' || coalesce(x.line, '?') || '行的年份无法读取，无法核对'
         else printf('正文第%s行申请情况写“%d年”，报告年度为%d年', coalesce(x.line, '?'), x.value, r.year) end as message,
    null as related_report_id, x.line as evidence_line, x.text as evidence_text
  from r join facts x on x.report_id = r.report_id and x.metric = 'year_mentioned_with_applications'
  union all
  select r.report_id, r.year, r.province, r.agency, null, 'not_applicable', null, null, '[]',
    '正文申请情况段落没有写明年份', null, null, null
  from r where not exists (select 1 from facts x where x.report_id = r.report_id
                           and x.metric = 'year_mentioned_with_applications')
)
select res.* from res, p
where p.status = 'all' or res.status = coalesce(nullif(p.status, ''), 'fail')
