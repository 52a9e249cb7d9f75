-- title: 表二现行有效件数不少于本年制发减废止（2021年格式）
-- description: 2021年格式表二的规章、行政规范性文件：现行有效件数应大于或等于本年制发件数减本年废止件数（推定关系，同年制发又失效的文件可能构成合理例外）。含按勾稽关系推出（recovered）单元格的一处不计为通过，记为无法核对。
-- rule: T2-2021-valid
-- status: inferred
-- severity: warning

with v as (
  -- Each filtered report's 现行有效件数 rows (规章, 行政规范性文件) found by seek in the table keyed
  -- active_disclosure(report_id, item_key, metric), with the same item's 本年制发/本年废止 next to them; no row = not applicable.
  select r.id as report_id, r.year, r.province, r.agency, f.report_id is not null as has_item, f.item_key,
    coalesce(f.item, f.item_key) as d_item, f.value as in_force, i.value as issued, x.value as repealed
  from reports_in_scope r
  left join active_disclosure f on f.report_id = r.id and f.item_key in ('regulations', 'normative_documents')
    and f.metric = 'in_force'
  left join active_disclosure i on i.report_id = r.id and i.item_key = f.item_key and i.metric = 'issued'
  left join active_disclosure x on x.report_id = r.id and x.item_key = f.item_key and x.metric = 'repealed'
),
res as (
  select report_id, year, province, agency, item_key as instance,
    case when not has_item then 'not_applicable'
         when issued is null or repealed is null or in_force is null then 'unknown'
         when in_force >= issued - repealed then 'pass' else 'fail' end as status,
    case when has_item then '≥' || cast(cast(issued - repealed as integer) as text) end as expected,
    in_force as actual,
    case when has_item then json_array('active_disclosure:' || item_key || ':in_force',
      'active_disclosure:' || item_key || ':issued', 'active_disclosure:' || item_key || ':repealed') else '[]' end as cells,
    case when not has_item then '报告没有2021年格式表二的“现行有效件数”'
         when issued is null or repealed is null or in_force is null
           then d_item ||
                '：本年制发件数、本年废止件数或现行有效件数为空或无法读取，无法核对'
         else printf('%s：现行有效%d件，本年制发%d件减废止%d件为%d件',
                     d_item,
                     in_force, issued, repealed, issued - repealed) end as message,
    null as related_report_id, null as evidence_line, null as evidence_text
  from v
),
recovered_cells as (
  -- the recovered cells that are operands of an instance (the instance is its row); see checks.RECOVERED
  select c.report_id, c.row_key as instance from cells c
  where c.kind = 'recovered' and c.table_name = 'active_disclosure'
)
select * from res
