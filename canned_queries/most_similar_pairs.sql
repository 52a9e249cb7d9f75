-- title: 最相似的报告对
-- description: 正文最相似的报告对（内容雷同规则 DUP 的依据，见 similar_sections）：每对报告一行，列出最相似章节的相似度、相似的章节和相同段落的字数，按相似度从高到低。筛选：year 报告年度，province 省份，same_agency 填 1 只看同一机关的不同年度、填 0 只看不同机关（留空不限）；min_similarity 最低相似度（默认 0.9）。compare_url 是两份报告的比较页（在地址栏打开，或加 .json 取 JSON）。
select
  s.report_id,
  r.agency,
  r.year,
  s.other_report_id,
  o.agency as other_agency,
  o.year as other_year,
  max(s.similarity) as similarity,
  group_concat(s.section || '↔' || s.other_section, '，') as sections,
  sum(s.shared_chars) as shared_chars,
  (r.agency_id is not null and r.agency_id = o.agency_id) as same_agency,
  '/compare/' || s.report_id || '/' || s.other_report_id as compare_url
from similar_sections s
join reports r on r.id = s.report_id
join reports o on o.id = s.other_report_id
where s.similarity >= coalesce(nullif(:min_similarity, ''), 0.9) + 0.0
  and (:year = '' or r.year = :year)
  and (:province = '' or r.province = :province)
  and (:same_agency = '' or (r.agency_id is not null and r.agency_id = o.agency_id) = (:same_agency + 0))
  -- each pair once: the later report (or the larger id in a year) against the other
  and (r.year > o.year or (r.year = o.year and s.report_id > s.other_report_id) or r.year is null or o.year is null)
group by s.report_id, s.other_report_id
order by similarity desc, shared_chars desc
limit 200
