-- title: 各年度各条规则不通过的报告数（图表）
-- description: 按报告年度和核对规则统计不通过（status = fail）的报告文件数与处数；每个年度 × 规则一行。数据取自 check_stats（构建时由 check_results 按年度、省份、规则汇总）；参与核对的报告数为 0 时不通过数为空（无数据，不是 0）。打开即显示按规则堆叠的柱状图。可按起止年度和省份筛选，留空表示不限。
-- fragment: g.mark=bar&g.x_column=year&g.x_type=ordinal&g.y_column=reports_failed&g.y_type=quantitative&g.color_column=rule_id
-- with: check_failures
select year, rule_id,
  case when sum(reports_checked) > 0 then sum(reports_failed) end as reports_failed,
  case when sum(reports_checked) > 0 then sum(failures) end as failures,
  sum(reports_checked) as reports_checked
from cs
where year is not null
group by year, rule_id
order by year, rule_id
