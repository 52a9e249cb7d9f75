-- title: 各年度各条规则不通过的报告数（图表）
-- description: 按报告年度和核对规则统计不通过（status = fail）的报告文件数与处数，以及参与核对的报告数；每个年度 × 规则一行，参与核对的报告数为 0 时不通过数为空（无数据，不是 0）。打开即显示按规则堆叠的柱状图。不筛选省份时数据取自 check_stats（构建时由 check_results 按年度、规则汇总），筛选省份时由 check_results 按该省报告算出。可按起止年度和省份筛选，留空表示不限。
-- fragment: g.mark=bar&g.x_column=year&g.x_type=ordinal&g.y_column=reports_failed&g.y_type=quantitative&g.color_column=rule_id
select year, rule_id,
  case when reports_checked > 0 then reports_failed end as reports_failed,
  case when reports_checked > 0 then failures end as failures,
  reports_checked
from check_stats
where :province = '' and year is not null and (:year_from = '' or year >= cast(:year_from as integer)) and (:year_to = '' or year <= cast(:year_to as integer))
union all
select cr.year, cr.rule_id,
  case when sum(cr.status <> 'not_applicable') > 0 then count(distinct case when cr.status = 'fail' then cr.report_id end) end,
  case when sum(cr.status <> 'not_applicable') > 0 then sum(cr.status = 'fail') end,
  count(distinct case when cr.status <> 'not_applicable' then cr.report_id end)
from reports r cross join check_results cr on cr.report_id = r.id
where :province <> '' and coalesce(r.province, '未识别省份') = :province and cr.year is not null
  and (:year_from = '' or cr.year >= cast(:year_from as integer)) and (:year_to = '' or cr.year <= cast(:year_to as integer))
group by cr.year, cr.rule_id
order by year, rule_id
