-- title: 各年度各条规则不通过的报告数（图表）
-- description: 按报告年度和核对规则统计不通过（status = fail）的报告文件数与处数；每个年度 × 规则一行。不筛选省份时数据取自 check_stats（构建时由 check_results 按年度、规则汇总），参与核对的报告数为 0 时不通过数为空（无数据，不是 0）；筛选省份时不通过数由 check_results 中该省的不通过记录算出，参与核对的报告数取该省该年度的报告数（该年度没有报告时为无数据）。打开即显示按规则堆叠的柱状图。可按起止年度和省份筛选，留空表示不限。
-- fragment: g.mark=bar&g.x_column=year&g.x_type=ordinal&g.y_column=reports_failed&g.y_type=quantitative&g.color_column=rule_id
-- with: check_failures
select year, rule_id,
  case when reports_checked > 0 then reports_failed end as reports_failed,
  case when reports_checked > 0 then failures end as failures,
  reports_checked
from check_stats_in_range
where year is not null
union all
select y.year, rules.rule_id, coalesce(f.reports_failed, 0), coalesce(f.failures, 0), y.reports
from province_years y cross join rules
left join fails f on f.year = y.year and f.rule_id = rules.rule_id
order by year, rule_id
