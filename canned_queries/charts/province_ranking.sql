-- title: 各省份排名（图表）
-- description: 每个省份的报告数、机关数、本年新收申请合计、予以公开比例（予以公开占办理结果总计）、行政复议和行政诉讼纠错率，以及有勾稽规则不通过的报告数；按本年新收申请由多到少排名。未能识别省份的报告归入“未识别省份”。同一机关同一年度有多份报告时只计编号最小的一份。数据取自 year_stats 与 report_stats（构建时按报告汇总）。可按起止年度和省份筛选，留空表示不限。
-- fragment: g.mark=bar&g.x_column=province&g.x_type=nominal&g.y_column=new_received&g.y_type=quantitative
-- with: filters
with per_province as (
  select coalesce(province, '未识别省份') as province,
    sum(reports) as reports,
    sum(new_received) as new_received,
    round(100.0 * sum(granted) / nullif(sum(total_processed), 0), 2) as granted_pct,
    round(100.0 * sum(review_corrected) / nullif(sum(review_concluded), 0), 2) as review_corrected_pct,
    round(100.0 * sum(litigation_corrected) / nullif(sum(litigation_concluded), 0), 2) as lawsuit_corrected_pct,
    sum(reports_failing_checks) as reports_failing_checks
  from ys
  group by coalesce(province, '未识别省份')
),
agencies as (
  select coalesce(province, '未识别省份') as province, count(distinct agency_id) as agencies
  from rs
  group by coalesce(province, '未识别省份')
)
select rank() over (order by coalesce(p.new_received, -1) desc) as rank,
  p.province, p.reports, a.agencies, p.new_received, p.granted_pct, p.review_corrected_pct,
  p.lawsuit_corrected_pct, p.reports_failing_checks
from per_province p join agencies a on a.province = p.province
order by rank, p.province
