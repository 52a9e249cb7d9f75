-- title: 同一机关各年度的申请与办理结果（图表）
-- description: 参数 agency_id（机关编号，见 reports.agency_id）：该机关每份报告的年度、本年新收申请（表三总计列；没有表三时取正文中写明的收到申请数，source 注明出处），以及办理结果六类的件数。留空时列出全部机关。打开即显示按年度的本年新收申请柱状图。
-- fragment: g.mark=bar&g.x_column=year&g.x_type=ordinal&g.y_column=new_received&g.y_type=quantitative
with chosen as (
  select r.* from reports r
  where (:agency_id = '' or r.agency_id = :agency_id) and r.year is not null
),
outcome_rows as (
  select f.key, f."group",
    case when f."group" like '（%）%' then substr(f."group", 4) else f.label_zh end as outcome
  from form_rows f
  where f."group" <> '' and f.key <> 'total_processed'
),
t3 as (
  select a.report_id,
    max(case when a.row_key = 'new_received' then a.total end) as new_received,
    sum(case when o.outcome = '予以公开' then a.total end) as granted,
    sum(case when o.outcome = '部分公开' then a.total end) as partly_granted,
    sum(case when o."group" like '（三）%' then a.total end) as denied,
    sum(case when o."group" like '（四）%' then a.total end) as unable,
    sum(case when o."group" like '（五）%' then a.total end) as rejected,
    sum(case when o.outcome = '其他处理' then a.total end) as other
  from applications a left join outcome_rows o on o.key = a.row_key
  group by a.report_id
)
select
  r.agency_id, r.year, r.id as report_id, r.agency, r.template,
  coalesce(t3.new_received,
           (select min(f.value) from facts f where f.report_id = r.id and f.metric = 'applications_received'))
    as new_received,
  case when t3.new_received is not null then '表三'
       when exists (select 1 from facts f where f.report_id = r.id and f.metric = 'applications_received') then '正文'
  end as source,
  t3.granted, t3.partly_granted, t3.denied, t3.unable, t3.rejected, t3.other
from chosen r left join t3 on t3.report_id = r.id
order by r.agency_id, r.year, r.id
