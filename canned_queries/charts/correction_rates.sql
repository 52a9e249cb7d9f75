-- title: 行政复议、行政诉讼纠错率（图表）
-- description: 每个年度表四的合计：行政复议，以及行政诉讼（未经复议直接起诉与复议后起诉合并）。corrected_pct 是“结果纠正”占已审结案件（结果维持＋结果纠正＋其他结果）的百分比；没有已审结案件时为空。同一机关同一年度有多份报告时只计编号最小的一份。打开即显示折线图。
-- fragment: g.mark=line&g.x_column=year&g.x_type=ordinal&g.y_column=corrected_pct&g.y_type=quantitative&g.color_column=kind
with chosen as (
  select r.* from reports r
  where r.year is not null
    and (r.agency_id is null or r.id = (select min(r2.id) from reports r2
                                        where r2.agency_id = r.agency_id and r2.year = r.year))
)
select
  r.year,
  case k.kind when 'review' then '行政复议' else '行政诉讼' end as kind,
  count(distinct r.id) as reports,
  sum(k.upheld) as upheld,
  sum(k.corrected) as corrected,
  sum(k.other) as other,
  sum(k.pending) as pending,
  sum(k.total) as total,
  round(100.0 * sum(k.corrected) / nullif(sum(k.upheld) + sum(k.corrected) + sum(k.other), 0), 2) as corrected_pct
from chosen r
join reviews_litigation k on k.report_id = r.id
group by r.year, k.kind = 'review'
order by r.year, k.kind = 'review' desc
