-- title: 各省份不予公开、无法提供的比例（图表）
-- description: 按省份合计表三办理结果（总计列）：不予公开、无法提供两组之和占六类办理结果合计的百分比（withheld_pct）。未能识别省份的报告归入“未识别省份”。同一机关同一年度有多份报告时只计编号最小的一份。打开即显示柱状图。数据取自 year_stats（构建时把每份报告的表三、表四数字按年度、省份、格式汇总）。可按起止年度和省份筛选，留空表示不限。
-- fragment: g.mark=bar&g.x_column=province&g.x_type=nominal&g.y_column=withheld_pct&g.y_type=quantitative
-- with: filters
select
  coalesce(province, '未识别省份') as province,
  sum(reports_with_table3) as reports,
  sum(denied) as denied,
  sum(unable) as unable,
  sum(outcomes_sum) as outcomes,
  round(100.0 * (coalesce(sum(denied), 0) + coalesce(sum(unable), 0)) / nullif(sum(outcomes_sum), 0), 2)
    as withheld_pct
from ys
group by coalesce(province, '未识别省份')
having sum(reports_with_table3) > 0
order by withheld_pct desc, province
