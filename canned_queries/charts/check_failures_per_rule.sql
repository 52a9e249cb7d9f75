-- title: 各条勾稽规则的不通过情况（图表）
-- description: 每条核对规则（见 forms.md §7）：不通过的报告文件数、不通过的处数（一份报告可有多处）、无法核对的报告数和参与核对的报告数。按报告文件计，不合并副本。打开即显示柱状图。
-- fragment: g.mark=bar&g.x_column=rule_id&g.x_type=nominal&g.y_column=reports_failed&g.y_type=quantitative
select
  rule_id,
  max(severity) as severity,
  count(distinct case when status = 'fail' then report_id end) as reports_failed,
  sum(status = 'fail') as failures,
  count(distinct case when status = 'unknown' then report_id end) as reports_unknown,
  count(distinct case when status <> 'not_applicable' then report_id end) as reports_checked
from check_results
group by rule_id
order by rule_id
