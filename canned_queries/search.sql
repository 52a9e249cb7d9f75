-- title: 全文检索报告正文
-- description: 在各报告正文（按部分）中检索关键词。检索词先用 jieba 分词（SQL 函数 jieba_query），多个词须同时出现；可按年份、省份筛选（留空表示不限）。结果按相关度排序；不筛选年份、省份而匹配的章节超过 2000 节时（常见词），只在最先收录的 2000 节中按相关度取前 200 条，以免每次检索都为十万节排序。
with matches as (
  -- how many sections match, counted up to one past the cap (a walk of the term lists, no ranking)
  select count(*) as n, max(id) as last_id from (
    select rowid as id from sections_fts where sections_fts match jieba_query(:q) limit 2001
  )
),
mode as (
  -- a common word without year/province filter: rank only the first 2000 matching sections (by section id),
  -- so one search does not rank 100,000 sections; otherwise every match is ranked
  select case when :year = '' and :province = '' and (select n from matches) > 2000 then 'capped' else 'all' end
    as how
),
capped as (
  select rowid as id, rank as score
  from sections_fts
  where sections_fts match (case when (select how from mode) = 'capped' then jieba_query(:q) else '""' end)
    and rowid <= (select last_id from matches)
  order by rank
  limit 200
),
filtered as (
  -- the best 200 matches within the filters, ranked before any snippet is made (a snippet costs far more than a rank)
  select sections_fts.rowid as id, sections_fts.rank as score
  from sections_fts
  join sections s on s.id = sections_fts.rowid
  join reports r on r.id = s.report_id
  where sections_fts match (case when (select how from mode) = 'all' then jieba_query(:q) else '""' end)
    and (:year = '' or r.year = cast(:year as integer))
    and (:province = '' or r.province = :province)
  order by sections_fts.rank
  limit 200
),
hits as (
  -- the snippet is a window of the section's own text (jieba_snippet: plugins/jieba_search.py), made only for
  -- the 200 rows shown; the index is contentless, so FTS5's snippet() would have nothing to show
  select c.id, c.score, jieba_snippet(s.text, :q, s.title) as snippet, s.report_id, s.number, s.title, s.line_start
  from capped c join sections s on s.id = c.id
  union all
  select s.id, f.score, jieba_snippet(s.text, :q, s.title), s.report_id, s.number, s.title, s.line_start
  from filtered f
  join sections s on s.id = f.id
)

select
  r.id as report_id,
  r.title as report_title,
  r.agency,
  r.year,
  r.province,
  h.number as section_number,
  h.title as section_title,
  h.line_start,
  h.snippet
from hits h
join reports r on r.id = h.report_id
order by h.score
limit 200
