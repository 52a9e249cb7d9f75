rules as (select distinct rule_id from check_stats),
fails as (
  -- with a province: the failures only, rule by rule through check_results' (rule_id, status, year) index
  select cr.year, cr.rule_id, count(distinct cr.report_id) as reports_failed, count(*) as failures
  from rules cross join check_results cr on cr.rule_id = rules.rule_id and cr.status = 'fail'
  join reports r on r.id = cr.report_id
  where :province <> '' and coalesce(r.province, '未识别省份') = :province
    and (:year_from = '' or cr.year >= cast(:year_from as integer))
    and (:year_to = '' or cr.year <= cast(:year_to as integer))
  group by cr.year, cr.rule_id
),
province_years as (
  -- with a province: its reports per year (every copy: checks count report files)
  select year, sum(reports) as reports from year_stats
  where :province <> '' and coalesce(province, '未识别省份') = :province and year is not null
    and (:year_from = '' or year >= cast(:year_from as integer))
    and (:year_to = '' or year <= cast(:year_to as integer))
  group by year
),
check_stats_in_range as (
  -- without a province: the build's per-year summary of check_results
  select * from check_stats
  where :province = ''
    and (:year_from = '' or year >= cast(:year_from as integer))
    and (:year_to = '' or year <= cast(:year_to as integer))
)
