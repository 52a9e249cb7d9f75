-- title: 表三行合计（总计＝各类申请人之和）
-- description: 表三每一行的总计应等于自然人与商业企业、科研机构、社会公益组织、法律服务机构、其他五类法人或其他组织之和（部分工具另加的法人小计列不参与计算）。含按勾稽关系推出（recovered）单元格的一处不计为通过，记为无法核对。
-- rule: T3-row-total
-- status: structural
-- severity: error
with v as (
  -- One pass: each report (filtered first) left-joined to its table-3 rows, read from the table keyed
  -- applications(report_id, row_key); a report without any row is the not-applicable case.
  select r.id as report_id, r.year, r.province, r.agency, a.report_id is not null as has_table, a.row_key,
    coalesce(a.label, a.row_key) as row_label,
    a.natural_person + a.commercial + a.research + a.public_interest + a.legal_services + a.other_org as summed,
    a.total
  from reports_in_scope r left join applications a on a.report_id = r.id
),
res as (
  select report_id, year, province, agency, row_key as instance,
    -- summed = total evaluated once: 1 pass, 0 fail, null (a blank) unknown
    case when not has_table then 'not_applicable'
         else case coalesce(summed = total, -1) when 1 then 'pass' when 0 then 'fail' else 'unknown' end end as status,
    summed as expected,
    total as actual,
    case when has_table then json_array(
      'applications:' || row_key || ':natural_person', 'applications:' || row_key || ':commercial',
      'applications:' || row_key || ':research', 'applications:' || row_key || ':public_interest',
      'applications:' || row_key || ':legal_services', 'applications:' || row_key || ':other_org',
      'applications:' || row_key || ':total') else '[]' end as cells,
    -- the label is a generated column (schema.py): computed only for the rows whose message shows it
    case when not has_table then '报告没有表三（收到和处理政府信息公开申请情况）'
         when summed is null or total is null then '“' || row_label || '”行有空白或无法读取的单元格，无法核对'
         else printf('“%s”行：各类申请人之和为%d，总计为%d',
                     row_label,
                     summed, total) end as message,
    null as related_report_id, null as evidence_line, null as evidence_text
  from v
),
recovered_cells as (
  -- the recovered cells that are operands of an instance (the instance is its row); see checks.RECOVERED
  select c.report_id, c.row_key as instance from cells c
  where c.kind = 'recovered' and c.table_name = 'applications'
)
select * from res
