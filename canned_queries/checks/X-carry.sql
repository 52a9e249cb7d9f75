-- title: 跨年结转衔接（本年上年结转＝上年结转下年度）
-- description: 同一机关（按 agency_id 即行政区划代码加规范化机关名识别）本年度表三“二、上年结转政府信息公开申请数量”总计，应等于其上一年度报告“四、结转下年度继续办理”总计。实际中常不一致，作为警告提示。
-- rule: X-carry
-- status: inferred
-- severity: warning

with v as (
  -- Each filtered report with a table 3, the same agency's report of the year before (reports(agency_id, year))
  -- if it has a table 3 too, and the two totals by seek in applications(report_id, row_key, …).
  select r.id as report_id, r.year, r.province, r.agency, prev.id is not null as paired,
    prev.id as prev_id, prev.year as prev_year, co.total as carried_over, cf.total as carried_forward
  from reports_in_scope r
  left join reports prev on prev.agency_id = r.agency_id and prev.year = r.year - 1
    and exists (select 1 from applications a where a.report_id = r.id)
    and exists (select 1 from applications a where a.report_id = prev.id)
  left join applications co on prev.id is not null and co.report_id = r.id and co.row_key = 'carried_over'
  left join applications cf on cf.report_id = prev.id and cf.row_key = 'carried_forward'
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
