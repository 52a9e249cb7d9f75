-- title: 旧条例时期：历年累计＝上年累计＋本年度
-- description: 旧条例时期（2008–2018）的报告：统计表每一项的历年累计数应等于同一机关（agency_id）上一份报告的历年累计数加上本年度数。上一份报告不是上一年的（缺了中间年份的报告）或某个数为空时记为无法核对。推定规则：机关合并、统计口径调整都会使它不成立。
-- rule: L-cumulative
-- status: inferred
-- severity: warning

with v as (
  -- Each filtered report's statistics-table items that print a cumulative column, with the same agency's previous
  -- report (the latest earlier year) and that report's row of the same item.
  select r.id as report_id, r.year, r.province, r.agency, t.item_key, t.label, t.value, t.cumulative, t.line,
    t.kind_cumulative, p.id as prev_id, p.year as prev_year,
    (select q.cumulative from legacy_stats q where q.report_id = p.id and q.item_key = t.item_key) as prev_cumulative
  from reports_in_scope r
  join legacy_stats t on t.report_id = r.id and t.item_key is not null and t.kind_cumulative is not null
  left join reports p on p.id = (
    select p2.id from reports p2 where p2.agency_id = r.agency_id and p2.year < r.year
      and exists (select 1 from legacy_stats q where q.report_id = p2.id)
    order by p2.year desc, p2.id limit 1)
  where r.agency_id is not null
),
res as (
  select report_id, year, province, agency, item_key as instance,
    case when prev_id is null then 'not_applicable'
         when prev_year <> year - 1 or value is null or cumulative is null or prev_cumulative is null then 'unknown'
         when prev_cumulative + value = cumulative then 'pass' else 'fail' end as status,
    cast(prev_cumulative + value as integer) as expected, cast(cumulative as integer) as actual,
    json_array('legacy_stats:' || item_key || ':value', 'legacy_stats:' || item_key || ':cumulative') as cells,
    case when prev_id is null then '同一机关没有更早的旧条例时期统计表'
         when prev_year <> year - 1 then printf('“%s”：同一机关上一份统计表是%d年的，缺%d年的报告，无法核对', label, prev_year, year - 1)
         when value is null or cumulative is null or prev_cumulative is null then
           printf('“%s”：本年度、历年累计或%d年的历年累计为空或无法读取，无法核对', label, prev_year)
         else printf('“%s”：%d年历年累计%d＋本年度%d＝%d，统计表印的历年累计为%d', label, prev_year,
                     cast(prev_cumulative as integer), cast(value as integer),
                     cast(prev_cumulative + value as integer), cast(cumulative as integer)) end as message,
    prev_id as related_report_id, line as evidence_line, null as evidence_text
  from v
),
checked as (
  select * from res
  union all
  select r.id, r.year, r.province, r.agency, null, 'not_applicable', null, null, '[]',
    '报告没有带历年累计列的旧条例时期统计表', null, null, null
  from reports_in_scope r
  where not exists (select 1 from res where res.report_id = r.id)
)
select * from checked
