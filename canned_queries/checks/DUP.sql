-- title: 内容雷同（与其他机关或本机关以前年度的报告正文几乎相同）
-- description: 按章节比较报告正文（去掉标题、表格、格式套话和多个机关共有的句子，数字和日期屏蔽后）：某一章节与另一机关的报告、或本机关以前年度报告的章节相似度达到 min_similarity（默认 0.9，即九成的5字片段相同）且两段都有 min_chars 字以上（默认 200 字）时不通过，说明写出相似的报告和相似度，证据为最长的相同段落；可点“比较”看两份报告的逐段差异（/compare/本报告/另一报告）。阈值的来历见 README“内容雷同（DUP）”：生成的照抄报告（换机关名称和年份）相似度在 0.95 以上，同一机关逐年改写的报告和不同机关的真实报告在 0.6 以下；200 字以下的章节（“无。”“本年度无其他需要报告的事项”）相同不说明照抄。相似的章节对见 similar_sections 表。
-- rule: DUP
-- status: inferred
-- severity: warning

with t as (
  -- the thresholds: canned-query parameters, blank = the documented defaults
  select coalesce(nullif(:min_chars, ''), 200) + 0 as min_chars, coalesce(nullif(:min_similarity, ''), 0.9) + 0.0 as min_sim
),
v as (
  -- each filtered report's sections (by the index under the sections view, without their texts), and a report
  -- without any as one row; not a LEFT JOIN: SQLite would materialise the whole view as its right side. The
  -- length that counts (min_chars of normalised text, both sides) is in similar_sections
  select r.id as report_id, r.year, r.province, r.agency, s.id as section_id, s.number
  from reports_in_scope r join sections s on s.report_id = r.id
  union all
  select r.id, r.year, r.province, r.agency, null, null
  from reports_in_scope r where not exists (select 1 from sections s where s.report_id = r.id)
),
best as (
  -- per section, its most similar pair that meets the thresholds (index similar_sections(report_id, similarity))
  select v.*, (select m.rowid from similar_sections m, t
               where m.report_id = v.report_id and m.section_id = v.section_id and m.similarity >= t.min_sim
                 and m.chars >= t.min_chars and m.other_chars >= t.min_chars
               order by m.similarity desc, m.shared_chars desc limit 1) as pair
  from v
),
res as (
  select b.report_id, b.year, b.province, b.agency, b.number as instance,
    case when b.section_id is null then 'not_applicable' when b.pair is null then 'pass' else 'fail' end as status,
    null as expected,
    m.similarity as actual,
    '[]' as cells,
    case when b.section_id is null then '报告没有可比较的章节'
         when b.pair is null then printf('第%s部分与其他报告没有相似度达 %d%%、且两段都有 %d 字以上的章节', b.number,
                                         (select min_sim from t) * 100, (select min_chars from t))
         else printf('第%s部分与《%s》（%s，%s年）第%s部分相似度 %d%%，相同段落共 %d 字（逐段比较见报告页的“与相似报告比较”）',
                     b.number, coalesce(o.title, o.id), coalesce(o.agency, '机关不明'), coalesce(o.year, '?'),
                     m.other_section, cast(m.similarity * 100 as integer), m.shared_chars) end
      as message,
    m.other_report_id as related_report_id,
    json_extract(m.passages, '$[0].lines[0]') as evidence_line,
    json_extract(m.passages, '$[0].text') as evidence_text
  from best b
  left join similar_sections m on m.rowid = b.pair
  left join reports o on o.id = m.other_report_id
)
select * from res
