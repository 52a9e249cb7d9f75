-- title: 按年份统计的申请办理结果
-- description: 各年度表三“本年度办理结果”各类的合计（总计列）：予以公开、部分公开、不予公开、无法提供、不予处理、其他处理，以及予以公开占办理总数的比例。可按省份筛选（留空表示不限）。数据取自 year_stats（构建时把每份报告的表三、表四数字按年度、省份、格式汇总）。
select
  year,
  sum(reports_with_table3) as reports,
  sum(granted) as granted,
  sum(partly_granted) as partly_granted,
  sum(denied) as denied,
  sum(unable) as unable,
  sum(rejected) as rejected,
  sum(other) as other,
  sum(total_processed) as total_processed,
  round(100.0 * sum(granted) / nullif(sum(total_processed), 0), 2) as granted_pct
from year_stats
where (:province = '' or province = :province)
group by year
having sum(reports_with_table3) > 0
order by year
