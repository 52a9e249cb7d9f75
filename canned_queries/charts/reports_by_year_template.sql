-- title: 各年度各格式的报告数（图表）
-- description: 按报告年度和报告格式（2019年格式、2021年格式、旧条例时期）统计报告数。同一机关同一年度有多份报告时只计编号最小的一份。打开即显示按格式堆叠的柱状图。数据取自 year_stats（构建时把每份报告按年度、省份、格式汇总）。可按起止年度和省份筛选，留空表示不限。
-- fragment: g.mark=bar&g.x_column=year&g.x_type=ordinal&g.y_column=reports&g.y_type=quantitative&g.color_column=template
-- with: filters
select year, coalesce(template, '未识别') as template, sum(reports) as reports
from ys
group by year, template
order by year, template
