-- title: 各年度各条规则不通过的报告数（图表）
-- description: 按报告年度和核对规则统计不通过（status = fail）的报告文件数；只列出至少有一份报告不通过的组合。打开即显示按规则堆叠的柱状图。
-- fragment: g.mark=bar&g.x_column=year&g.x_type=ordinal&g.y_column=reports_failed&g.y_type=quantitative&g.color_column=rule_id
select
  r.year,
  c.rule_id,
  count(distinct c.report_id) as reports_failed,
  count(*) as failures
from check_results c
join reports r on r.id = c.report_id
where c.status = 'fail'
group by r.year, c.rule_id
order by r.year, c.rule_id
