-- title: 跨年现行有效件数衔接（2021年格式）
-- description: 同一机关连续两年都使用2021年格式时，规章、行政规范性文件的本年现行有效件数应等于上一年现行有效件数加本年制发件数减本年废止件数。不与2019年格式的“对外公开总数量”衔接（概念不同）。参数 status 为空时只列出不通过的行；填 all 列出全部，也可填 pass、unknown、not_applicable。
-- rule: X-valid-2021
-- status: inferred
-- severity: warning
with p as (select :year as year, :province as province, :adcode as adcode, :status as status),
r as (
  select r.id as report_id, r.year, r.province, r.agency, r.agency_id
  from reports r, p
  where (p.year = '' or r.year = p.year)
    and (p.province = '' or r.province = p.province)
    and (p.adcode = '' or r.adcode = p.adcode)
),
cur as (
  select r.report_id, r.year, r.province, r.agency, r.agency_id, d.item_key, max(d.item) as item,
    max(case when d.metric = 'issued' then d.value end) as issued,
    max(d.metric = 'issued' and d.value is not null) as has_issued,
    max(case when d.metric = 'repealed' then d.value end) as repealed,
    max(d.metric = 'repealed' and d.value is not null) as has_repealed,
    max(case when d.metric = 'in_force' then d.value end) as in_force
  from r join active_disclosure d on d.report_id = r.report_id
  where d.item_key in ('regulations', 'normative_documents')
  group by r.report_id, d.item_key
  having max(d.metric = 'in_force')
),
v as (
  select cur.*, prev.id as prev_id, prev.year as prev_year, pd.value as prev_in_force
  from cur
  join reports prev on prev.agency_id = cur.agency_id and prev.year = cur.year - 1
  join active_disclosure pd on pd.report_id = prev.id and pd.item_key = cur.item_key and pd.metric = 'in_force'
),
res as (
  select report_id, year, province, agency, item_key || '@' || prev_id as instance,
    case when not (has_issued and has_repealed) or in_force is null or prev_in_force is null then 'unknown'
         when in_force = prev_in_force + issued - repealed then 'pass' else 'fail' end as status,
    prev_in_force + issued - repealed as expected,
    in_force as actual,
    json_array('active_disclosure:' || item_key || ':in_force', 'active_disclosure:' || item_key || ':issued',
               'active_disclosure:' || item_key || ':repealed') as cells,
    case when not (has_issued and has_repealed) or in_force is null or prev_in_force is null
           then coalesce(item, item_key) || '：本年或上年（' || prev_id || '）的件数为空或无法读取，无法核对'
         else printf('%s：%d年现行有效%d件＋本年制发%d件－废止%d件＝%d件，本年现行有效%d件', coalesce(item, item_key),
                     prev_year, prev_in_force, issued, repealed, prev_in_force + issued - repealed, in_force) end as message,
    prev_id as related_report_id, null as evidence_line, null as evidence_text
  from v
  union all
  select r.report_id, r.year, r.province, r.agency, null, 'not_applicable', null, null, '[]',
    '本年或同一机关上一年度的报告没有2021年格式表二的“现行有效件数”', null, null, null
  from r where not exists (select 1 from v where v.report_id = r.report_id)
)
select res.* from res, p
where p.status = 'all' or res.status = coalesce(nullif(p.status, ''), 'fail')
