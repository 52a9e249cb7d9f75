-- title: 行政复议、行政诉讼纠错率（图表）
-- description: 每个年度表四的合计：行政复议，以及行政诉讼（未经复议直接起诉与复议后起诉合并）。纠错率是“结果纠正”占已审结案件（结果维持＋结果纠正＋其他结果）的百分比；没有已审结案件时为空。旧条例时期（2008–2018）的统计表只有复议、诉讼案件数，不分结果，没有可比的纠错率，所以本查询只含 2019 年起的年度（各格式的案件数见“各年度收到的政府信息公开申请”查询）。同一机关同一年度有多份报告时只计编号最小的一份。打开即显示折线图。数据取自 year_stats（构建时把每份报告的表三、表四数字按年度、省份、格式汇总）。可按起止年度和省份筛选，留空表示不限。
-- fragment: g.mark=line&g.x_column=year&g.x_type=ordinal&g.y_column=corrected_pct&g.y_type=quantitative&g.color_column=kind
-- with: filters
with per_kind as (
  select year, 1 as kind_order, '行政复议' as kind, sum(reports_with_review) as reports,
    sum(review_upheld) as upheld, sum(review_corrected) as corrected, sum(review_other) as other,
    sum(review_pending) as pending, sum(review_total) as total
  from ys
  group by year
  union all
  select year, 2, '行政诉讼', sum(reports_with_litigation),
    sum(litigation_upheld), sum(litigation_corrected), sum(litigation_other),
    sum(litigation_pending), sum(litigation_total)
  from ys
  group by year
)
select
  year, kind, reports, upheld, corrected, other, pending, total,
  round(100.0 * corrected / nullif(upheld + corrected + other, 0), 2) as corrected_pct
from per_kind
where reports > 0
order by year, kind_order
