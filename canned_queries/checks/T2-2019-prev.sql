-- title: 表二上一年项目数量加本年增减不为负（2019年格式）
-- description: 2019年格式表二的行政许可、其他对外管理服务事项、行政处罚、行政强制、行政事业性收费：上一年项目数量加本年增/减之后的本年项目数量不能小于0。参数 status 为空时只列出不通过的行；填 all 列出全部，也可填 pass、unknown、not_applicable。
-- rule: T2-2019-prev
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
v as (
  select r.report_id, r.year, r.province, r.agency, d.item_key, max(d.item) as item,
    max(case when d.metric = 'previous_count' then d.value end) as prev,
    max(d.metric = 'previous_count' and d.value is not null) as has_prev,
    max(case when d.metric = 'change' then d.value end) as change,
    max(d.metric = 'change' and d.value is not null) as has_change
  from r join active_disclosure d on d.report_id = r.report_id
  where d.metric in ('previous_count', 'change')
  group by r.report_id, d.item_key
  having max(d.metric = 'previous_count')
),
res as (
  select report_id, year, province, agency, item_key as instance,
    case when not (has_prev and has_change) then 'unknown'
         when prev + change >= 0 then 'pass' else 'fail' end as status,
    '≥0' as expected,
    prev + change as actual,
    json_array('active_disclosure:' || item_key || ':previous_count', 'active_disclosure:' || item_key || ':change') as cells,
    case when not (has_prev and has_change)
           then coalesce(item, item_key) || '：上一年项目数量或本年增/减为空或无法读取，无法核对'
         else printf('%s：上一年项目数量%d加本年增/减%+d得%d', coalesce(item, item_key), prev, change, prev + change) end as message,
    null as related_report_id, null as evidence_line, null as evidence_text
  from v
  union all
  select r.report_id, r.year, r.province, r.agency, null, 'not_applicable', null, null, '[]',
    '报告没有2019年格式表二的“上一年项目数量”', null, null, null
  from r where not exists (select 1 from active_disclosure d where d.report_id = r.report_id and d.metric = 'previous_count')
)
select res.* from res, p
where p.status = 'all' or res.status = coalesce(nullif(p.status, ''), 'fail')
