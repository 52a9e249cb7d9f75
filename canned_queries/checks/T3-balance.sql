-- title: 表三总量平衡（一＋二＝（七）总计＋四）
-- description: 表三每一列（自然人、五类法人或其他组织、总计）都应满足表头注明的勾稽关系：本年新收（一）加上年结转（二）等于办理结果总计（七）加结转下年度继续办理（四）。参数 status 为空时只列出不通过的行；填 all 列出全部，也可填 pass、unknown、not_applicable。
-- rule: T3-balance
-- status: official
-- severity: error
with p as (select :year as year, :province as province, :adcode as adcode, :status as status),
r as (
  select r.id as report_id, r.year, r.province, r.agency
  from reports r, p
  where (p.year = '' or r.year = p.year)
    and (p.province = '' or r.province = p.province)
    and (p.adcode = '' or r.adcode = p.adcode)
),
cols(col, label) as (values
  ('natural_person', '自然人'), ('commercial', '商业企业'), ('research', '科研机构'),
  ('public_interest', '社会公益组织'), ('legal_services', '法律服务机构'), ('other_org', '其他'), ('total', '总计')
),
t as (
  select r.*, exists (select 1 from applications a where a.report_id = r.report_id) as has_table from r
),
v as (
  select t.report_id, t.year, t.province, t.agency, c.col, c.label,
    case c.col when 'natural_person' then n.natural_person when 'commercial' then n.commercial
      when 'research' then n.research when 'public_interest' then n.public_interest
      when 'legal_services' then n.legal_services when 'other_org' then n.other_org when 'total' then n.total end as a1,
    case c.col when 'natural_person' then o.natural_person when 'commercial' then o.commercial
      when 'research' then o.research when 'public_interest' then o.public_interest
      when 'legal_services' then o.legal_services when 'other_org' then o.other_org when 'total' then o.total end as a2,
    case c.col when 'natural_person' then k.natural_person when 'commercial' then k.commercial
      when 'research' then k.research when 'public_interest' then k.public_interest
      when 'legal_services' then k.legal_services when 'other_org' then k.other_org when 'total' then k.total end as a7,
    case c.col when 'natural_person' then f.natural_person when 'commercial' then f.commercial
      when 'research' then f.research when 'public_interest' then f.public_interest
      when 'legal_services' then f.legal_services when 'other_org' then f.other_org when 'total' then f.total end as a4
  from t
  left join applications n on n.report_id = t.report_id and n.row_key = 'new_received'
  left join applications o on o.report_id = t.report_id and o.row_key = 'carried_over'
  left join applications k on k.report_id = t.report_id and k.row_key = 'total_processed'
  left join applications f on f.report_id = t.report_id and f.row_key = 'carried_forward'
  cross join cols c
  where t.has_table
),
res as (
  select report_id, year, province, agency, col as instance,
    case when a1 is null or a2 is null or a7 is null or a4 is null then 'unknown'
         when a1 + a2 = a7 + a4 then 'pass' else 'fail' end as status,
    a1 + a2 as expected,
    a7 + a4 as actual,
    json_array('applications:new_received:' || col, 'applications:carried_over:' || col,
               'applications:total_processed:' || col, 'applications:carried_forward:' || col) as cells,
    case when a1 is null or a2 is null or a7 is null or a4 is null then
           label || '列：' || rtrim(
             case when a1 is null then '一（本年新收）、' else '' end ||
             case when a2 is null then '二（上年结转）、' else '' end ||
             case when a7 is null then '（七）总计、' else '' end ||
             case when a4 is null then '四（结转下年度）、' else '' end, '、') || '为空或无法读取，无法核对'
         else printf('%s列：一（本年新收）%d＋二（上年结转）%d＝%d，（七）总计%d＋四（结转下年度）%d＝%d',
                     label, a1, a2, a1 + a2, a7, a4, a7 + a4) end as message,
    null as related_report_id, null as evidence_line, null as evidence_text
  from v
  union all
  select report_id, year, province, agency, null, 'not_applicable', null, null, '[]',
    '报告没有表三（收到和处理政府信息公开申请情况）', null, null, null
  from t where not has_table
)
select res.* from res, p
where p.status = 'all' or res.status = coalesce(nullif(p.status, ''), 'fail')
