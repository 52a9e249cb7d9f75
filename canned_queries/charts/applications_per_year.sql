-- title: 各年度收到的政府信息公开申请（图表）
-- description: 每个年度：报告数、提供了表三的报告数，以及表三“总计”列的合计——本年新收申请、上年结转、办理结果总计、结转下年度；同时列出表四行政复议、行政诉讼案件总数。旧条例时期（2008–2018）的报告没有表三、表四，它们的数字取自跨格式序列（annual_series 视图：统计表的本年度数，没有统计表时取正文写明的数字；构建时按年度汇总在 legacy_series_stats）：“受理申请（旧条例时期）”一列，以及收到申请、行政复议、行政诉讼三列的各格式合计，使序列从最早的年度开始。旧条例时期的“受理申请数”与 2019 年起的“本年新收申请数”口径不同。同一机关同一年度有多份报告（如同一报告的文本与网页两个副本）时只计编号最小的一份，以免重复计数。打开即显示各格式合计的收到申请数柱状图。可按起止年度和省份筛选，留空表示不限。
-- fragment: g.mark=bar&g.x_column=year&g.x_type=ordinal&g.y_column=received_all_forms&g.y_type=quantitative
-- with: filters
with legacy_received as (
  -- legacy reports (2008–2018): applications received, from annual_series (statistics table, else prose)
  select year as lg_year, sum(value) as received, sum(reports_with_value) as reports_with_value
  from ls where metric = 'applications_received' group by year
),
legacy_cases as (
  select year as lc_year, sum(case when metric = 'reviews' then value end) as reviews,
    sum(case when metric = 'lawsuits' then value end) as lawsuits
  from ls where metric in ('reviews', 'lawsuits') group by year
)
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
  max(lg.received) as received_legacy,
  max(lg.reports_with_value) as reports_with_received_legacy,
  case when sum(new_received) is null and max(lg.received) is null then null
       else coalesce(sum(new_received), 0) + coalesce(max(lg.received), 0) end as received_all_forms,
  case when sum(review_total) is null and max(lc.reviews) is null then null
       else coalesce(sum(review_total), 0) + coalesce(max(lc.reviews), 0) end as reviews_all_forms,
  case when sum(litigation_total) is null and max(lc.lawsuits) is null then null
       else coalesce(sum(litigation_total), 0) + coalesce(max(lc.lawsuits), 0) end as lawsuits_all_forms
from ys
left join legacy_received lg on lg.lg_year = ys.year
left join legacy_cases lc on lc.lc_year = ys.year
group by year
order by year
