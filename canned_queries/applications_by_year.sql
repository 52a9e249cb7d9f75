-- title: 按年份统计的政府信息公开申请
-- description: 各年度报告表三“收到和处理政府信息公开申请情况”总计列的合计：新收、上年结转、办理结果总计、结转下年度，以及提供了表三的报告数。可按省份、报告格式筛选（留空表示不限）。数据取自 year_stats（构建时把每份报告的表三、表四数字按年度、省份、格式汇总）。
select
  year,
  sum(reports_with_table3) as reports,
  sum(new_received) as new_received,
  sum(carried_over) as carried_over,
  sum(total_processed) as total_processed,
  sum(carried_forward) as carried_forward,
  sum(new_received_natural_person) as new_received_natural_person
from year_stats
where (:province = '' or province = :province)
  and (:template = '' or template = :template)
group by year
having sum(reports_with_table3) > 0
order by year
