-- the overview's filters (year range, province; an empty value is no limit), once for every chart query
ys as (
  -- year_stats of the counted copies (one report per agency and year)
  select * from year_stats
  where year is not null and primary_copy
    and (:year_from = '' or year >= cast(:year_from as integer))
    and (:year_to = '' or year <= cast(:year_to as integer))
    and (:province = '' or coalesce(province, '未识别省份') = :province)
),
ls as (
  -- legacy_series_stats: the legacy reports' annual_series (counted copies), summed per year, province, metric
  select * from legacy_series_stats
  where (:year_from = '' or year >= cast(:year_from as integer))
    and (:year_to = '' or year <= cast(:year_to as integer))
    and (:province = '' or coalesce(province, '未识别省份') = :province)
),
rs as (
  -- report_stats of the counted copies (one row per report)
  select * from report_stats
  where primary_copy = 1 and year is not null
    and (:year_from = '' or year >= cast(:year_from as integer))
    and (:year_to = '' or year <= cast(:year_to as integer))
    and (:province = '' or coalesce(province, '未识别省份') = :province)
)
