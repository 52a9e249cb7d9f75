-- title: 行政复议、行政诉讼纠错率
-- description: 各年度表四的合计与纠错率：结果纠正占已审结案件（维持+纠正+其他）的百分比，分行政复议、未经复议直接起诉、复议后起诉。可按年份、省份筛选（留空表示不限）。数据取自 year_stats（构建时把每份报告的表三、表四数字按年度、省份、格式汇总）。
with chosen as (
  select * from year_stats
  where (:year = '' or year = cast(:year as integer)) and (:province = '' or province = :province)
),
per_kind as (
  select year, 'review' as kind, sum(reports_with_review) as reports, sum(review_upheld) as upheld,
    sum(review_corrected) as corrected, sum(review_other) as other, sum(review_pending) as pending,
    sum(review_total) as total
  from chosen group by year
  union all
  select year, 'litigation_direct', sum(reports_with_litigation_direct), sum(litigation_direct_upheld),
    sum(litigation_direct_corrected), sum(litigation_direct_other), sum(litigation_direct_pending),
    sum(litigation_direct_total)
  from chosen group by year
  union all
  select year, 'litigation_after_review', sum(reports_with_litigation_after_review),
    sum(litigation_after_review_upheld), sum(litigation_after_review_corrected), sum(litigation_after_review_other),
    sum(litigation_after_review_pending), sum(litigation_after_review_total)
  from chosen group by year
)
select
  p.year,
  p.kind,
  k.label_zh as label,
  p.reports, p.upheld, p.corrected, p.other, p.pending, p.total,
  round(100.0 * p.corrected / nullif(p.upheld + p.corrected + p.other, 0), 2) as corrected_pct
from per_kind p
join form_columns k on k.table_name = 'reviews_litigation' and k."group" = 'kind' and k.key = p.kind
where p.reports > 0
order by p.year, k."order"
