-- title: 跨年上一年项目数量衔接（2019年格式）
-- description: 同一机关连续两年都使用2019年格式时（通常是2019和2020年度），本年表二的“上一年项目数量”应等于上一年报告的“上一年项目数量”加“本年增/减”，适用于行政许可、其他对外管理服务事项、行政处罚、行政强制、行政事业性收费。参数 status 为空时只列出不通过的行；填 all 列出全部，也可填 pass、unknown、not_applicable。
-- rule: X-prev-2019
-- status: inferred
-- severity: warning
with p as (select :year as year, :province as province, :adcode as adcode, :status as status),
r as (
  select r.id as report_id, r.year, r.province, r.agency, r.agency_id
  from reports r, p
  where (p.year = '' or r.year = p.year)
    and (p.province = '' or r.province = p.province)
    and (p.adcode = '' or r.adcode = p.adcode)
),
v as (
  select r.report_id, r.year, r.province, r.agency, cd.item_key, cd.item, cd.value as cur_prev,
    prev.id as prev_id, prev.year as prev_year, pp.value as prev_prev, pc.value as prev_change
  from r
  join active_disclosure cd on cd.report_id = r.report_id and cd.metric = 'previous_count'
  join reports prev on prev.agency_id = r.agency_id and prev.year = r.year - 1
  join active_disclosure pp on pp.report_id = prev.id and pp.item_key = cd.item_key and pp.metric = 'previous_count'
  left join active_disclosure pc on pc.report_id = prev.id and pc.item_key = cd.item_key and pc.metric = 'change'
),
res as (
  select report_id, year, province, agency, item_key || '@' || prev_id as instance,
    case when cur_prev is null or prev_prev is null or prev_change is null then 'unknown'
         when cur_prev = prev_prev + prev_change then 'pass' else 'fail' end as status,
    prev_prev + prev_change as expected,
    cur_prev as actual,
    json_array('active_disclosure:' || item_key || ':previous_count') as cells,
    case when cur_prev is null or prev_prev is null or prev_change is null
           then coalesce(item, item_key) || '：本年或上年（' || prev_id || '）的项目数量为空或无法读取，无法核对'
         else printf('%s：%d年报告上一年项目数量%d%+d＝%d，本年报告上一年项目数量%d', coalesce(item, item_key),
                     prev_year, prev_prev, prev_change, prev_prev + prev_change, cur_prev) end as message,
    prev_id as related_report_id, null as evidence_line, null as evidence_text
  from v
  union all
  select r.report_id, r.year, r.province, r.agency, null, 'not_applicable', null, null, '[]',
    '本年或同一机关上一年度的报告没有2019年格式表二的“上一年项目数量”', null, null, null
  from r where not exists (select 1 from v where v.report_id = r.report_id)
)
select res.* from res, p
where p.status = 'all' or res.status = coalesce(nullif(p.status, ''), 'fail')
