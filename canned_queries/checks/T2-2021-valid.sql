-- title: 表二现行有效件数不少于本年制发减废止（2021年格式）
-- description: 2021年格式表二的规章、行政规范性文件：现行有效件数应大于或等于本年制发件数减本年废止件数（推定关系，同年制发又失效的文件可能构成合理例外）。参数 status 为空时只列出不通过的行；填 all 列出全部，也可填 pass、unknown、not_applicable。
-- rule: T2-2021-valid
-- status: inferred
-- severity: warning
with p as (select :year as year, :province as province, :adcode as adcode, :status as status),
r as (
  select r.id as report_id, r.year, r.province, r.agency
  from reports r, p
  where (p.year = '' or r.year = p.year)
    and (p.province = '' or r.province = p.province)
    and (p.adcode = '' or r.adcode = p.adcode)
),
v as (
  select r.report_id, r.year, r.province, r.agency, d.item_key, max(d.item) as item,
    max(case when d.metric = 'issued' then d.value end) as issued,
    max(d.metric = 'issued' and d.value is not null) as has_issued,
    max(case when d.metric = 'repealed' then d.value end) as repealed,
    max(d.metric = 'repealed' and d.value is not null) as has_repealed,
    max(case when d.metric = 'in_force' then d.value end) as in_force,
    max(d.metric = 'in_force' and d.value is not null) as has_in_force
  from r join active_disclosure d on d.report_id = r.report_id
  where d.item_key in ('regulations', 'normative_documents')
  group by r.report_id, d.item_key
  having max(d.metric = 'in_force')
),
res as (
  select report_id, year, province, agency, item_key as instance,
    case when not (has_issued and has_repealed and has_in_force) then 'unknown'
         when in_force >= issued - repealed then 'pass' else 'fail' end as status,
    '≥' || cast(cast(issued - repealed as integer) as text) as expected,
    in_force as actual,
    json_array('active_disclosure:' || item_key || ':in_force', 'active_disclosure:' || item_key || ':issued',
               'active_disclosure:' || item_key || ':repealed') as cells,
    case when not (has_issued and has_repealed and has_in_force)
           then coalesce(item, item_key) || '：本年制发件数、本年废止件数或现行有效件数为空或无法读取，无法核对'
         else printf('%s：现行有效%d件，本年制发%d件减废止%d件为%d件', coalesce(item, item_key),
                     in_force, issued, repealed, issued - repealed) end as message,
    null as related_report_id, null as evidence_line, null as evidence_text
  from v
  union all
  select r.report_id, r.year, r.province, r.agency, null, 'not_applicable', null, null, '[]',
    '报告没有2021年格式表二的“现行有效件数”', null, null, null
  from r where not exists (select 1 from active_disclosure d where d.report_id = r.report_id
                           and d.item_key in ('regulations', 'normative_documents') and d.metric = 'in_force')
)
select res.* from res, p
where p.status = 'all' or res.status = coalesce(nullif(p.status, ''), 'fail')
