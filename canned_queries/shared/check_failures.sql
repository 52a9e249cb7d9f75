cs as (
  -- check_stats (per year × province × rule, written by the build) within the overview's filters
  select * from check_stats
  where (:year_from = '' or year >= cast(:year_from as integer))
    and (:year_to = '' or year <= cast(:year_to as integer))
    and (:province = '' or coalesce(province, '未识别省份') = :province)
)
