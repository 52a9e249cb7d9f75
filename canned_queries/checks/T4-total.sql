-- title: 表四合计（总计＝维持＋纠正＋其他＋尚未审结）
-- description: 表四的行政复议、未经复议直接起诉、复议后起诉三组，每组的总计都应等于结果维持、结果纠正、其他结果与尚未审结之和。含按勾稽关系推出（recovered）单元格的一处不计为通过，记为无法核对。
-- rule: T4-total
-- status: structural
-- severity: error

with v as (
  -- One pass over each filtered report's table-4 rows (the table is keyed (report_id, kind): one range);
  -- a report without any row is the not-applicable case.
  select r.id as report_id, r.year, r.province, r.agency, k.report_id is not null as has_table, k.kind,
    coalesce(k.label, k.kind) as row_label, k.upheld + k.corrected + k.other + k.pending as summed, k.total,
    'reviews_litigation:' || k.kind || ':' as pre
  from reports_in_scope r left join reviews_litigation k on k.report_id = r.id
),
res as (
  select report_id, year, province, agency, kind as instance,
    -- summed = total evaluated once: 1 pass, 0 fail, null (a blank) unknown
    case when not has_table then 'not_applicable'
         else case coalesce(summed = total, -1) when 1 then 'pass' when 0 then 'fail' else 'unknown' end end as status,
    summed as expected,
    total as actual,
    case when has_table then json_array(pre || 'upheld', pre || 'corrected', pre || 'other', pre || 'pending',
                                        pre || 'total') else '[]' end as cells,
    case when not has_table then '报告没有表四（行政复议、行政诉讼情况）'
         when summed is null or total is null then
           row_label ||
           '：有空白或无法读取的单元格，无法核对'
         else printf('%s：维持、纠正、其他、尚未审结之和为%d，总计为%d',
                     row_label,
                     summed, total) end as message,
    null as related_report_id, null as evidence_line, null as evidence_text
  from v
),
recovered_cells as (
  -- the recovered cells that are operands of an instance (the instance is its row); see checks.RECOVERED
  select c.report_id, c.row_key as instance from cells c
  where c.kind = 'recovered' and c.table_name = 'reviews_litigation'
)
select * from res
