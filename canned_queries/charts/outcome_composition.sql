-- title: 申请办理结果构成（图表）
-- description: 每个年度表三“本年度办理结果”按类合计（总计列）：予以公开、部分公开、不予公开、无法提供、不予处理、其他处理。不予公开、无法提供、不予处理、其他处理是表三中同一分组各行之和（分组见 form_rows 表）；“所占比例”是该类占当年各类合计的百分比。旧条例时期（2008–2018）的年度取自跨格式序列（annual_series 视图，构建时汇总在 legacy_series_stats）：同意公开、部分公开、不予公开，以及无法提供（信息不存在、非本机关掌握、申请内容不明确之和）；那时的统计表没有“不予处理”“其他处理”两类，这两类为空（无数据，不是 0），这些年度的比例只在四类之间计算。同一机关同一年度有多份报告时只计编号最小的一份。打开即显示按类堆叠的柱状图。可按起止年度和省份筛选，留空表示不限。
-- fragment: g.mark=bar&g.x_column=year&g.x_type=ordinal&g.y_column=applications&g.y_type=quantitative&g.color_column=outcome
-- with: filters
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
  select year, sum(g1) as g1, sum(g2) as g2, sum(g3) as g3, sum(g4) as g4, sum(g5) as g5, sum(g6) as g6
  from (
    select year, sum(granted) as g1, sum(partly_granted) as g2, sum(denied) as g3, sum(unable) as g4,
      sum(rejected) as g5, sum(other) as g6
    from ys
    group by year
    having sum(reports_with_table3) > 0
    union all
    -- legacy reports (annual_series): 同意公开, 部分公开, 不予公开, 无法提供 (信息不存在、非本机关掌握、申请内容不明确);
    -- their forms had no 不予处理 or 其他处理, so those stay empty (no data, not 0)
    select year, sum(case when metric = 'granted' then value end), sum(case when metric = 'partly_granted' then value end),
      sum(case when metric = 'withheld' then value end), sum(case when metric = 'could_not_provide' then value end),
      null, null
    from ls
    where metric in ('granted', 'partly_granted', 'withheld', 'could_not_provide')
    group by year
    having sum(reports_with_value) > 0
  )
  group by year
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
