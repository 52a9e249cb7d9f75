-- title: 同一机关各年度的申请与办理结果（图表）
-- description: 参数 agency_id（机关编号，见 reports.agency_id）：该机关每份报告的年度、本年新收申请（表三总计列；旧条例时期取统计表的受理申请数（本年度），都没有时取正文中写明的收到申请数，source 注明出处），以及办理结果六类的件数。留空时按机关编号列出前 200 行（请填写 agency_id 查看某一机关）。打开即显示按年度的本年新收申请柱状图。数据取自 report_stats（构建时逐份报告汇总）。
-- fragment: g.mark=bar&g.x_column=year&g.x_type=ordinal&g.y_column=new_received&g.y_type=quantitative
select
  r.agency_id, r.year, r.id as report_id, r.agency, r.template,
  coalesce(s.new_received,
           (select l.value from legacy_stats l where l.report_id = r.id and l.item_key = 'applications_received'),
           (select min(f.value) from facts f where f.report_id = r.id and f.metric = 'applications_received'))
    as new_received,
  case when s.new_received is not null then '表三'
       when exists (select 1 from legacy_stats l where l.report_id = r.id and l.item_key = 'applications_received'
                    and l.value is not null) then '统计表'
       when exists (select 1 from facts f where f.report_id = r.id and f.metric = 'applications_received') then '正文'
  end as source,
  s.granted, s.partly_granted, s.denied, s.unable, s.rejected, s.other
from report_stats s
join reports r on r.id = s.report_id
where (:agency_id = '' or s.agency_id = :agency_id) and s.year is not null
order by s.agency_id, s.year, s.report_id
-- without an agency the page would draw every report's row (100,000 at full scale): show a first page
limit case when :agency_id = '' then 200 else -1 end
