-- title: 各条勾稽规则的不通过情况（图表）
-- description: 每条核对规则（见 forms.md §7）：不通过的报告文件数、不通过的处数（一份报告可有多处）、无法核对的报告数和参与核对的报告数。按报告文件计，不合并副本。打开即显示柱状图。数据取自 check_stats（构建时由 check_results 按年度、省份、规则汇总）。可按起止年度和省份筛选，留空表示不限。
-- fragment: g.mark=bar&g.x_column=rule_id&g.x_type=nominal&g.y_column=reports_failed&g.y_type=quantitative
-- with: check_failures
select rule_id, max(severity) as severity, sum(reports_failed) as reports_failed, sum(failures) as failures,
  sum(reports_unknown) as reports_unknown, sum(reports_checked) as reports_checked
from cs
group by rule_id
order by rule_id
