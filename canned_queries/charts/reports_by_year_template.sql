-- title: 各年度各格式的报告数（图表）
-- description: 按报告年度和报告格式（2019年格式、2021年格式、旧条例时期）统计报告数。同一机关同一年度有多份报告时只计编号最小的一份。打开即显示按格式堆叠的柱状图。
-- fragment: g.mark=bar&g.x_column=year&g.x_type=ordinal&g.y_column=reports&g.y_type=quantitative&g.color_column=template
with chosen as (
  select r.* from reports r
  where r.year is not null
    and (r.agency_id is null or r.id = (select min(r2.id) from reports r2
                                        where r2.agency_id = r.agency_id and r2.year = r.year))
)
select year, coalesce(template, '未识别') as template, count(*) as reports
from chosen
group by year, template
order by year, template
