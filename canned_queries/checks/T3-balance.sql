-- title: 表三总量平衡（一＋二＝（七）总计＋四）
-- description: 表三每一列（自然人、五类法人或其他组织、总计）都应满足表头注明的勾稽关系：本年新收（一）加上年结转（二）等于办理结果总计（七）加结转下年度继续办理（四）。含按勾稽关系推出（recovered）单元格的一处不计为通过，记为无法核对。
-- rule: T3-balance
-- status: official
-- severity: error

with cols(col, label) as (values
  ('natural_person', '自然人'), ('commercial', '商业企业'), ('research', '科研机构'),
  ('public_interest', '社会公益组织'), ('legal_services', '法律服务机构'), ('other_org', '其他'), ('total', '总计')
),
t as materialized (
  -- each filtered report with its four rows (一, 二, （七）, 四) looked up in the covering index
  select r.id as report_id, r.year, r.province, r.agency,
    exists (select 1 from applications a where a.report_id = r.id) as has_table,
    n.natural_person as n_natural_person, n.commercial as n_commercial, n.research as n_research, n.public_interest as n_public_interest,
    n.legal_services as n_legal_services, n.other_org as n_other_org, n.total as n_total, o.natural_person as o_natural_person,
    o.commercial as o_commercial, o.research as o_research, o.public_interest as o_public_interest, o.legal_services as o_legal_services,
    o.other_org as o_other_org, o.total as o_total, k.natural_person as k_natural_person, k.commercial as k_commercial,
    k.research as k_research, k.public_interest as k_public_interest, k.legal_services as k_legal_services, k.other_org as k_other_org,
    k.total as k_total, f.natural_person as f_natural_person, f.commercial as f_commercial, f.research as f_research,
    f.public_interest as f_public_interest, f.legal_services as f_legal_services, f.other_org as f_other_org, f.total as f_total
  from reports_in_scope r
  left join applications n on n.report_id = r.id and n.row_key = 'new_received'
  left join applications o on o.report_id = r.id and o.row_key = 'carried_over'
  left join applications k on k.report_id = r.id and k.row_key = 'total_processed'
  left join applications f on f.report_id = r.id and f.row_key = 'carried_forward'
),
v as (
  select t.report_id, t.year, t.province, t.agency, t.has_table, c.col, c.label,
    case c.col when 'natural_person' then t.n_natural_person when 'commercial' then t.n_commercial when 'research' then t.n_research when 'public_interest' then t.n_public_interest when 'legal_services' then t.n_legal_services when 'other_org' then t.n_other_org when 'total' then t.n_total end as a1,
    case c.col when 'natural_person' then t.o_natural_person when 'commercial' then t.o_commercial when 'research' then t.o_research when 'public_interest' then t.o_public_interest when 'legal_services' then t.o_legal_services when 'other_org' then t.o_other_org when 'total' then t.o_total end as a2,
    case c.col when 'natural_person' then t.k_natural_person when 'commercial' then t.k_commercial when 'research' then t.k_research when 'public_interest' then t.k_public_interest when 'legal_services' then t.k_legal_services when 'other_org' then t.k_other_org when 'total' then t.k_total end as a7,
    case c.col when 'natural_person' then t.f_natural_person when 'commercial' then t.f_commercial when 'research' then t.f_research when 'public_interest' then t.f_public_interest when 'legal_services' then t.f_legal_services when 'other_org' then t.f_other_org when 'total' then t.f_total end as a4
  from t join cols c on t.has_table or c.col = 'total'
),
res as (
  select report_id, year, province, agency, case when has_table then col end as instance,
    case when not has_table then 'not_applicable'
         when a1 is null or a2 is null or a7 is null or a4 is null then 'unknown'
         when a1 + a2 = a7 + a4 then 'pass' else 'fail' end as status,
    case when has_table then a1 + a2 end as expected,
    case when has_table then a7 + a4 end as actual,
    case when has_table then json_array('applications:new_received:' || col, 'applications:carried_over:' || col,
               'applications:total_processed:' || col, 'applications:carried_forward:' || col) else '[]' end as cells,
    case when not has_table then '报告没有表三（收到和处理政府信息公开申请情况）'
         when a1 is null or a2 is null or a7 is null or a4 is null then
           label || '列：' || rtrim(
             case when a1 is null then '一（本年新收）、' else '' end ||
             case when a2 is null then '二（上年结转）、' else '' end ||
             case when a7 is null then '（七）总计、' else '' end ||
             case when a4 is null then '四（结转下年度）、' else '' end, '、') || '为空或无法读取，无法核对'
         else printf('%s列：一（本年新收）%d＋二（上年结转）%d＝%d，（七）总计%d＋四（结转下年度）%d＝%d',
                     label, a1, a2, a1 + a2, a7, a4, a7 + a4) end as message,
    null as related_report_id, null as evidence_line, null as evidence_text
  from v
),
recovered_cells as (
  -- the recovered cells that are operands of an instance (the instance is its column); see checks.RECOVERED
  select c.report_id, c.col_key as instance from cells c
  where c.kind = 'recovered' and c.table_name = 'applications'
    and c.row_key in ('new_received', 'carried_over', 'total_processed', 'carried_forward')
)
select * from res
