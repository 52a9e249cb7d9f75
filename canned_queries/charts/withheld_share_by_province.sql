-- title: 各省份不予公开、无法提供的比例（图表）
-- description: 按省份合计表三办理结果（总计列）：不予公开、无法提供两组之和占六类办理结果合计的百分比（withheld_pct）。未能识别省份的报告归入“未识别省份”。同一机关同一年度有多份报告时只计编号最小的一份。打开即显示柱状图。
-- fragment: g.mark=bar&g.x_column=province&g.x_type=nominal&g.y_column=withheld_pct&g.y_type=quantitative
with chosen as (
  select r.* from reports r
  where r.year is not null
    and (r.agency_id is null or r.id = (select min(r2.id) from reports r2
                                        where r2.agency_id = r.agency_id and r2.year = r.year))
),
outcome_rows as (
  select f.key, f."group" from form_rows f
  where f."group" <> '' and f.key <> 'total_processed'
)
select
  coalesce(r.province, '未识别省份') as province,
  count(distinct r.id) as reports,
  sum(case when o."group" like '（三）%' then a.total end) as denied,
  sum(case when o."group" like '（四）%' then a.total end) as unable,
  sum(a.total) as outcomes,
  round(100.0 * coalesce(sum(case when o."group" like '（三）%' or o."group" like '（四）%' then a.total end), 0)
        / nullif(sum(a.total), 0), 2) as withheld_pct
from chosen r
join applications a on a.report_id = r.id
join outcome_rows o on o.key = a.row_key
group by coalesce(r.province, '未识别省份')
order by withheld_pct desc, province
