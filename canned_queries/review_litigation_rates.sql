-- title: 行政复议、行政诉讼纠错率
-- description: 各年度表四的合计与纠错率：结果纠正占已审结案件（维持+纠正+其他）的百分比，分行政复议、未经复议直接起诉、复议后起诉。可按年份、省份筛选（留空表示不限）。
select
  r.year,
  rl.kind,
  rl.label,
  count(distinct r.id) as reports,
  sum(rl.upheld) as upheld,
  sum(rl.corrected) as corrected,
  sum(rl.other) as other,
  sum(rl.pending) as pending,
  sum(rl.total) as total,
  round(100.0 * sum(rl.corrected) / nullif(sum(rl.upheld) + sum(rl.corrected) + sum(rl.other), 0), 2) as corrected_pct
from reports r
join reviews_litigation rl on rl.report_id = r.id
where (:year = '' or r.year = cast(:year as integer))
  and (:province = '' or r.province = :province)
group by r.year, rl.kind_order, rl.kind, rl.label
order by r.year, rl.kind_order
