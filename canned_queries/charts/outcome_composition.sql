-- title: 申请办理结果构成（图表）
-- description: 每个年度表三“本年度办理结果”按类合计（总计列）：予以公开、部分公开、不予公开、无法提供、不予处理、其他处理。不予公开、无法提供、不予处理、其他处理是表三中同一分组各行之和（分组见 form_rows.group）；share_pct 是该类占当年六类合计的百分比。同一机关同一年度有多份报告时只计编号最小的一份。打开即显示按类堆叠的柱状图。数据取自 year_stats（构建时把每份报告的表三、表四数字按年度、省份、格式汇总）。可按起止年度和省份筛选，留空表示不限。
-- fragment: g.mark=bar&g.x_column=year&g.x_type=ordinal&g.y_column=applications&g.y_type=quantitative&g.color_column=outcome
with outcome_rows as (
  select f.key, f."order",
    case when f."group" like '（%）%' then substr(f."group", 4) else f.label_zh end as outcome
  from form_rows f
  where f."group" <> '' and f.key <> 'total_processed'
),
outcomes as (
  -- the six groups in form order; the n-th is the n-th outcome column of year_stats
  select outcome, min("order") as outcome_order, row_number() over (order by min("order")) as n
  from outcome_rows
  group by outcome
),
sums as (
  select year, sum(granted) as g1, sum(partly_granted) as g2, sum(denied) as g3, sum(unable) as g4,
    sum(rejected) as g5, sum(other) as g6
  from year_stats
  where year is not null and primary_copy
    and (:year_from = '' or year >= cast(:year_from as integer))
    and (:year_to = '' or year <= cast(:year_to as integer))
    and (:province = '' or coalesce(province, '未识别省份') = :province)
  group by year
  having sum(reports_with_table3) > 0
),
per_year as (
  select s.year, o.outcome, o.outcome_order,
    case o.n when 1 then s.g1 when 2 then s.g2 when 3 then s.g3 when 4 then s.g4 when 5 then s.g5 else s.g6 end
      as applications
  from sums s cross join outcomes o
)
select year, outcome, applications,
  round(100.0 * applications / nullif(sum(applications) over (partition by year), 0), 2) as share_pct,
  outcome_order
from per_year
order by year, outcome_order
