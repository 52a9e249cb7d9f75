-- title: 全文检索报告正文
-- description: 在各报告正文（按部分）中检索关键词。检索词先用 jieba 分词（SQL 函数 jieba_query），多个词须同时出现；可按年份、省份筛选（留空表示不限）。
select
  r.id as report_id,
  r.title as report_title,
  r.agency,
  r.year,
  r.province,
  s.number as section_number,
  s.title as section_title,
  s.line_start,
  snippet(sections_fts, -1, '【', '】', '…', 24) as snippet
from sections_fts
join sections s on s.id = sections_fts.rowid
join reports r on r.id = s.report_id
where sections_fts match jieba_query(:q)
  and (:year = '' or r.year = cast(:year as integer))
  and (:province = '' or r.province = :province)
order by sections_fts.rank
limit 200
