-- title: 各年度各条规则不通过的报告数（图表）
-- description: 按报告年度和核对规则统计不通过（status = fail）的报告文件数；只列出至少有一份报告不通过的组合。打开即显示按规则堆叠的柱状图。数据取自 check_stats（构建时由 check_results 按年度、规则汇总）。
-- fragment: g.mark=bar&g.x_column=year&g.x_type=ordinal&g.y_column=reports_failed&g.y_type=quantitative&g.color_column=rule_id
select year, rule_id, reports_failed, failures
from check_stats
where reports_failed > 0
order by year, rule_id
