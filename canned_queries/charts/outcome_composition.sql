-- title: 申请办理结果构成（图表）
-- description: 每个年度表三“本年度办理结果”按类合计（总计列）：予以公开、部分公开、不予公开、无法提供、不予处理、其他处理。不予公开、无法提供、不予处理、其他处理是表三中同一分组各行之和（分组见 form_rows.group）；share_pct 是该类占当年六类合计的百分比。同一机关同一年度有多份报告时只计编号最小的一份。打开即显示按类堆叠的柱状图。
-- fragment: g.mark=bar&g.x_column=year&g.x_type=ordinal&g.y_column=applications&g.y_type=quantitative&g.color_column=outcome
with chosen as (
  select r.* from reports r
  where r.year is not null
    and (r.agency_id is null or r.id = (select min(r2.id) from reports r2
                                        where r2.agency_id = r.agency_id and r2.year = r.year))
),
outcome_rows as (
  select f.key, f."order",
    case when f."group" like '（%）%' then substr(f."group", 4) else f.label_zh end as outcome
  from form_rows f
  where f."group" <> '' and f.key <> 'total_processed'
),
per_year as (
  select r.year, o.outcome, min(o."order") as outcome_order, sum(a.total) as applications
  from chosen r
  join applications a on a.report_id = r.id
  join outcome_rows o on o.key = a.row_key
  group by r.year, o.outcome
)
select year, outcome, applications,
  round(100.0 * applications / nullif(sum(applications) over (partition by year), 0), 2) as share_pct,
  outcome_order
from per_year
order by year, outcome_order
