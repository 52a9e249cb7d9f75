-- title: 表三行合计（总计＝各类申请人之和）
-- description: 表三每一行的总计应等于自然人与商业企业、科研机构、社会公益组织、法律服务机构、其他五类法人或其他组织之和（部分工具另加的法人小计列不参与计算）。参数 status 为空时只列出不通过的行；填 all 列出全部，也可填 pass、unknown、not_applicable。
-- rule: T3-row-total
-- status: structural
-- severity: error
with p as (select :year as year, :province as province, :adcode as adcode, :status as status),
r as (
  select r.id as report_id, r.year, r.province, r.agency
  from reports r, p
  where (p.year = '' or r.year = p.year)
    and (p.province = '' or r.province = p.province)
    and (p.adcode = '' or r.adcode = p.adcode)
),
v as (
  select r.report_id, r.year, r.province, r.agency, a.row_key, coalesce(a.label, a.row_key) as label,
    a.natural_person + a.commercial + a.research + a.public_interest + a.legal_services + a.other_org as summed,
    a.total,
    'applications:' || a.row_key || ':' as pre
  from r join applications a on a.report_id = r.report_id
),
res as (
  select report_id, year, province, agency, row_key as instance,
    case when summed is null or total is null then 'unknown' when summed = total then 'pass' else 'fail' end as status,
    summed as expected,
    total as actual,
    json_array(pre || 'natural_person', pre || 'commercial', pre || 'research', pre || 'public_interest',
               pre || 'legal_services', pre || 'other_org', pre || 'total') as cells,
    case when summed is null or total is null then '“' || label || '”行有空白或无法读取的单元格，无法核对'
         else printf('“%s”行：各类申请人之和为%d，总计为%d', label, summed, total) end as message,
    null as related_report_id, null as evidence_line, null as evidence_text
  from v
  union all
  select r.report_id, r.year, r.province, r.agency, null, 'not_applicable', null, null, '[]',
    '报告没有表三（收到和处理政府信息公开申请情况）', null, null, null
  from r where not exists (select 1 from applications a where a.report_id = r.report_id)
)
select res.* from res, p
where p.status = 'all' or res.status = coalesce(nullif(p.status, ''), 'fail')
