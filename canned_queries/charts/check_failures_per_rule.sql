-- title: 各条勾稽规则的不通过情况（图表）
-- description: 每条核对规则（见 forms.md §7）：不通过的报告文件数、不通过的处数（一份报告可有多处）、无法核对的报告数和参与核对的报告数。按报告文件计，不合并副本。打开即显示柱状图。不筛选省份时数据取自 check_stats（构建时由 check_results 按年度、规则汇总），筛选省份时由 check_results 按该省报告算出。可按起止年度和省份筛选，留空表示不限。
-- fragment: g.mark=bar&g.x_column=rule_id&g.x_type=nominal&g.y_column=reports_failed&g.y_type=quantitative
select rule_id, max(severity) as severity, sum(reports_failed) as reports_failed, sum(failures) as failures,
  sum(reports_unknown) as reports_unknown, sum(reports_checked) as reports_checked
from check_stats
where :province = '' and (:year_from = '' or year >= cast(:year_from as integer)) and (:year_to = '' or year <= cast(:year_to as integer))
group by rule_id
union all
select cr.rule_id, max(cr.severity), count(distinct case when cr.status = 'fail' then cr.report_id end),
  sum(cr.status = 'fail'), count(distinct case when cr.status = 'unknown' then cr.report_id end),
  count(distinct case when cr.status <> 'not_applicable' then cr.report_id end)
from reports r cross join check_results cr on cr.report_id = r.id
where :province <> '' and coalesce(r.province, '未识别省份') = :province
  and (:year_from = '' or cr.year >= cast(:year_from as integer)) and (:year_to = '' or cr.year <= cast(:year_to as integer))
group by cr.rule_id
order by rule_id
