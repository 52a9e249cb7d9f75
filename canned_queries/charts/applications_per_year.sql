-- title: 各年度收到的政府信息公开申请（图表）
-- description: 每个年度：报告数、提供了表三的报告数，以及表三“总计”列的合计——本年新收申请、上年结转、办理结果总计、结转下年度；同时列出表四行政复议、行政诉讼案件总数；received_all_forms 另加旧条例时期（2008–2018）统计表的受理申请数（legacy_stats，本年度），使序列从最早的年度开始。同一机关（agency_id）同一年度有多份报告（如同一报告的文本与网页两个副本）时只计编号最小的一份，以免重复计数。打开即显示各格式合计的收到申请数柱状图。数据取自 year_stats（构建时把每份报告的表三、表四数字按年度、省份、格式汇总）。可按起止年度和省份筛选，留空表示不限。
-- fragment: g.mark=bar&g.x_column=year&g.x_type=ordinal&g.y_column=received_all_forms&g.y_type=quantitative
select
  year,
  sum(reports) as reports,
  sum(reports_with_table3) as reports_with_table3,
  sum(new_received) as new_received,
  sum(carried_over) as carried_over,
  sum(total_processed) as total_processed,
  sum(carried_forward) as carried_forward,
  sum(review_total) as reviews,
  sum(litigation_total) as lawsuits,
  case when sum(new_received) is null and max(lg.received) is null then null
       else coalesce(sum(new_received), 0) + coalesce(max(lg.received), 0) end as received_all_forms
from year_stats
left join (
  -- legacy reports' statistics tables: applications received this year (one copy per agency and year)
  select s.year as lg_year, sum(l.value) as received
  from legacy_stats l join report_stats s on s.report_id = l.report_id and s.primary_copy
  where l.item_key = 'applications_received'
    and (:province = '' or coalesce(s.province, '未识别省份') = :province)
  group by s.year
) lg on lg.lg_year = year_stats.year
where year is not null and primary_copy
    and (:year_from = '' or year >= cast(:year_from as integer))
    and (:year_to = '' or year <= cast(:year_to as integer))
    and (:province = '' or coalesce(province, '未识别省份') = :province)
group by year
order by year
