-- title: 各年度收到的政府信息公开申请（图表）
-- description: 每个年度：报告数、提供了表三的报告数，以及表三“总计”列的合计——本年新收申请、上年结转、办理结果总计、结转下年度；同时列出表四行政复议、行政诉讼案件总数。同一机关（agency_id）同一年度有多份报告（如同一报告的文本与网页两个副本）时只计编号最小的一份，以免重复计数。打开即显示“本年新收申请”柱状图。
-- fragment: g.mark=bar&g.x_column=year&g.x_type=ordinal&g.y_column=new_received&g.y_type=quantitative
with chosen as (
  select r.* from reports r
  where r.year is not null
    and (r.agency_id is null or r.id = (select min(r2.id) from reports r2
                                        where r2.agency_id = r.agency_id and r2.year = r.year))
)
select
  r.year,
  count(*) as reports,
  sum(exists (select 1 from applications a where a.report_id = r.id)) as reports_with_table3,
  sum((select a.total from applications a where a.report_id = r.id and a.row_key = 'new_received')) as new_received,
  sum((select a.total from applications a where a.report_id = r.id and a.row_key = 'carried_over')) as carried_over,
  sum((select a.total from applications a where a.report_id = r.id and a.row_key = 'total_processed')) as total_processed,
  sum((select a.total from applications a where a.report_id = r.id and a.row_key = 'carried_forward')) as carried_forward,
  sum((select k.total from reviews_litigation k where k.report_id = r.id and k.kind = 'review')) as reviews,
  sum((select sum(k.total) from reviews_litigation k where k.report_id = r.id and k.kind <> 'review')) as lawsuits
from chosen r
group by r.year
order by r.year
