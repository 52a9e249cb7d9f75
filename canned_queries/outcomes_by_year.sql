-- title: 按年份统计的申请办理结果
-- description: 各年度表三“本年度办理结果”各类的合计（总计列）：予以公开、部分公开、不予公开、无法提供、不予处理、其他处理，以及予以公开占办理总数的比例。可按省份筛选（留空表示不限）。
select
  r.year,
  count(distinct r.id) as reports,
  sum(case when a.row_key = 'granted' then a.total end) as granted,
  sum(case when a.row_key = 'partly_granted' then a.total end) as partly_granted,
  sum(case when a.row_key like 'denied\_%' escape '\' then a.total end) as denied,
  sum(case when a.row_key like 'unable\_%' escape '\' then a.total end) as unable,
  sum(case when a.row_key like 'rejected\_%' escape '\' then a.total end) as rejected,
  sum(case when a.row_key = 'other' or a.row_key like 'other\_%' escape '\' then a.total end) as other,
  sum(case when a.row_key = 'total_processed' then a.total end) as total_processed,
  round(100.0 * sum(case when a.row_key = 'granted' then a.total end)
        / nullif(sum(case when a.row_key = 'total_processed' then a.total end), 0), 2) as granted_pct
from reports r
join applications a on a.report_id = r.id
where (:province = '' or r.province = :province)
group by r.year
order by r.year
