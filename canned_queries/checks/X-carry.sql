-- title: 跨年结转衔接（本年上年结转＝上年结转下年度）
-- description: 同一机关（按 agency_id 即行政区划代码加规范化机关名识别）本年度表三“二、上年结转政府信息公开申请数量”总计，应等于其上一年度报告“四、结转下年度继续办理”总计。实际中常不一致，作为警告提示。参数 status 为空时只列出不通过的行；填 all 列出全部，也可填 pass、unknown、not_applicable。
-- rule: X-carry
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
pairs as (
  select r.*, prev.id as prev_id, prev.year as prev_year
  from r join reports prev on prev.agency_id = r.agency_id and prev.year = r.year - 1
  where exists (select 1 from applications a where a.report_id = r.report_id)
    and exists (select 1 from applications a where a.report_id = prev.id)
),
v as (
  select pairs.*, co.total as carried_over, cf.total as carried_forward
  from pairs
  left join applications co on co.report_id = pairs.report_id and co.row_key = 'carried_over'
  left join applications cf on cf.report_id = pairs.prev_id and cf.row_key = 'carried_forward'
),
res as (
  select report_id, year, province, agency, prev_id as instance,
    case when carried_over is null or carried_forward is null then 'unknown'
         when carried_over = carried_forward then 'pass' else 'fail' end as status,
    carried_forward as expected,
    carried_over as actual,
    json_array('applications:carried_over:total') as cells,
    case when carried_over is null or carried_forward is null
           then '本年“上年结转”总计或上年报告（' || prev_id || '）“结转下年度继续办理”总计为空或无法读取，无法核对'
         else printf('本年“上年结转”总计%d件，%d年报告（%s）“结转下年度继续办理”总计%d件',
                     carried_over, prev_year, prev_id, carried_forward) end as message,
    prev_id as related_report_id, null as evidence_line, null as evidence_text
  from v
  union all
  select r.report_id, r.year, r.province, r.agency, null, 'not_applicable', null, null, '[]',
    '没有同一机关上一年度带表三的报告（或本报告没有表三）', null, null, null
  from r where not exists (select 1 from pairs where pairs.report_id = r.report_id)
)
select res.* from res, p
where p.status = 'all' or res.status = coalesce(nullif(p.status, ''), 'fail')
