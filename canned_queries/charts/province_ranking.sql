-- title: 各省份排名（图表）
-- description: 每个省份的报告数、机关数、本年新收申请合计、予以公开比例（予以公开占办理结果总计）、行政复议和行政诉讼纠错率，以及有勾稽规则不通过的报告数；按本年新收申请由多到少排名。未能识别省份的报告归入“未识别省份”。同一机关同一年度有多份报告时只计编号最小的一份。
-- fragment: g.mark=bar&g.x_column=province&g.x_type=nominal&g.y_column=new_received&g.y_type=quantitative
with chosen as (
  select r.* from reports r
  where r.year is not null
    and (r.agency_id is null or r.id = (select min(r2.id) from reports r2
                                        where r2.agency_id = r.agency_id and r2.year = r.year))
),
per_report as (
  select r.id, coalesce(r.province, '未识别省份') as province, r.agency_id,
    (select a.total from applications a where a.report_id = r.id and a.row_key = 'new_received') as new_received,
    (select a.total from applications a where a.report_id = r.id and a.row_key = 'granted') as granted,
    (select a.total from applications a where a.report_id = r.id and a.row_key = 'total_processed') as total_processed,
    (select sum(k.corrected) from reviews_litigation k where k.report_id = r.id and k.kind = 'review') as review_corrected,
    (select sum(k.upheld + k.corrected + k.other) from reviews_litigation k
      where k.report_id = r.id and k.kind = 'review') as review_concluded,
    (select sum(k.corrected) from reviews_litigation k where k.report_id = r.id and k.kind <> 'review') as lawsuit_corrected,
    (select sum(k.upheld + k.corrected + k.other) from reviews_litigation k
      where k.report_id = r.id and k.kind <> 'review') as lawsuit_concluded,
    exists (select 1 from check_results c where c.report_id = r.id and c.status = 'fail') as has_failure
  from chosen r
),
per_province as (
  select province,
    count(*) as reports,
    count(distinct agency_id) as agencies,
    sum(new_received) as new_received,
    round(100.0 * sum(granted) / nullif(sum(total_processed), 0), 2) as granted_pct,
    round(100.0 * sum(review_corrected) / nullif(sum(review_concluded), 0), 2) as review_corrected_pct,
    round(100.0 * sum(lawsuit_corrected) / nullif(sum(lawsuit_concluded), 0), 2) as lawsuit_corrected_pct,
    sum(has_failure) as reports_failing_checks
  from per_report
  group by province
)
select rank() over (order by coalesce(new_received, -1) desc) as rank, *
from per_province
order by rank, province
