-- title: 按年份统计的政府信息公开申请
-- description: 各年度报告表三“收到和处理政府信息公开申请情况”总计列的合计：新收、上年结转、办理结果总计、结转下年度，以及提供了表三的报告数。可按省份、报告格式筛选（留空表示不限）。
select
  r.year,
  count(distinct r.id) as reports,
  sum(case when a.row_key = 'new_received' then a.total end) as new_received,
  sum(case when a.row_key = 'carried_over' then a.total end) as carried_over,
  sum(case when a.row_key = 'total_processed' then a.total end) as total_processed,
  sum(case when a.row_key = 'carried_forward' then a.total end) as carried_forward,
  sum(case when a.row_key = 'new_received' then a.natural_person end) as new_received_natural_person
from reports r
join applications a on a.report_id = r.id
where (:province = '' or r.province = :province)
  and (:template = '' or r.template = :template)
group by r.year
order by r.year
