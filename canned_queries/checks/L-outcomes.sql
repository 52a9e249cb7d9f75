-- title: 旧条例时期：各类答复数之和＝答复总数
-- description: 旧条例时期（2008–2018）的报告：统计表中同意公开、同意部分公开、不予（否决）公开、信息不存在、非本机关掌握、申请内容不明确、其他类型等各类答复数之和应等于对申请的答复总数，本年度和历年累计两列分别核对；正文写明各类答复数时，也与正文写明的答复总数核对（instance = prose）。含按勾稽关系拆分（recovered）数字的一处不计为通过，记为无法核对。
-- rule: L-outcomes
-- status: structural
-- severity: error

with cols(col) as (values ('value'), ('cumulative')),
v as (
  -- Each filtered legacy report × column (本年度, 历年累计) of its statistics table (legacy_stats, index on
  -- report_id, item_key): the total row and the sum of the 各类答复数 rows (item keys answer_*, forms.LEGACY_ITEMS).
  select r.id as report_id, r.year, r.province, r.agency, c.col, t.item_key is not null as has_total,
    case c.col when 'value' then t.value else t.cumulative end as total,
    case c.col when 'value' then t.kind else t.kind_cumulative end as total_kind,
    (select count(*) from legacy_stats p where p.report_id = r.id and p.item_key glob 'answer_*') as n_parts,
    (select count(*) from legacy_stats p where p.report_id = r.id and p.item_key glob 'answer_*'
       and case c.col when 'value' then p.value else p.cumulative end is null) as n_blank,
    (select sum(case c.col when 'value' then p.value else p.cumulative end) from legacy_stats p
       where p.report_id = r.id and p.item_key glob 'answer_*') as summed,
    (select count(*) from legacy_stats p where p.report_id = r.id
       and (p.item_key glob 'answer_*' or p.item_key = 'answers_total')
       and case c.col when 'value' then p.kind else p.kind_cumulative end = 'recovered') as n_recovered,
    (select json_group_array('legacy_stats:' || p.item_key || ':' || c.col) from legacy_stats p
       where p.report_id = r.id and (p.item_key glob 'answer_*' or p.item_key = 'answers_total')) as cells,
    t.line
  from reports_in_scope r cross join cols c
  left join legacy_stats t on t.report_id = r.id and t.item_key = 'answers_total'
),
vf as (
  -- The same sum in prose (facts): applications_answered and the 各类答复数 stated in sentences.
  select r.id as report_id, r.year, r.province, r.agency, 'prose' as col, ft.value as total,
    (select count(*) from facts p where p.report_id = r.id and p.metric in ('applications_granted', 'applications_partly_granted', 'applications_withheld', 'applications_not_exist', 'applications_not_held', 'applications_unclear')) as n_parts,
    (select sum(p.value) from facts p where p.report_id = r.id and p.metric in ('applications_granted', 'applications_partly_granted', 'applications_withheld', 'applications_not_exist', 'applications_not_held', 'applications_unclear')) as summed,
    ft.line, ft.text
  from reports_in_scope r join facts ft on ft.report_id = r.id and ft.metric = 'applications_answered'
  where r.template = 'legacy'
),
res as (
  select report_id, year, province, agency, col as instance,
    case when not has_total or n_parts = 0 or (col = 'cumulative' and total_kind is null) then 'not_applicable'
         when total is null or n_blank > 0 then 'unknown'
         when n_recovered > 0 and summed = total then 'unknown'
         when summed = total then 'pass' else 'fail' end as status,
    cast(summed as integer) as expected, cast(total as integer) as actual,
    case when has_total then cells else '[]' end as cells,
    case when not has_total or n_parts = 0 or (col = 'cumulative' and total_kind is null)
           then '统计表没有“答复总数”或各类答复数各项（或没有累计列）'
         when total is null or n_blank > 0 then '统计表（' || case col when 'value' then '本年度' else '历年累计' end
           || '）有空白或无法读取的数，无法核对'
         when n_recovered > 0 and summed = total then '统计表（' || case col when 'value' then '本年度' else '历年累计' end
           || '）中有按勾稽关系拆分的粘连数字（recovered），不能作为本规则成立的证据，无法核对'
         else printf('统计表（%s）各类答复数之和为%d，“答复总数”为%d', case col when 'value' then '本年度' else '历年累计' end,
                     summed, total) end as message,
    null as related_report_id, line as evidence_line, null as evidence_text
  from v
  union all
  select report_id, year, province, agency, col,
    case when n_parts = 0 then 'not_applicable' when total is null or summed is null then 'unknown'
         when summed = total then 'pass' when summed < total then 'unknown' else 'fail' end,
    cast(summed as integer), cast(total as integer), '[]',
    case when n_parts = 0 then '正文没有写明各类答复数'
         when total is null or summed is null then '正文数字无法读取，无法核对'
         when summed < total then printf('正文写明的各项之和为%d，少于正文第%s行的%d：正文可能只写了部分类别，无法核对',
                                          summed, coalesce(line, '?'), total)
         else printf('正文写明的各类答复数之和为%d，正文第%s行写答复总数%d', summed, coalesce(line, '?'), total) end,
    null, line, text
  from vf
),
checked as (
  -- a report with neither a statistics table nor prose figures: one not-applicable row
  select * from res
  union all
  select r.id, r.year, r.province, r.agency, null, 'not_applicable', null, null, '[]',
    '报告既没有旧条例时期统计表，也没有正文数字可核对', null, null, null
  from reports_in_scope r
  where not exists (select 1 from res where res.report_id = r.id)
)
select * from checked
