-- title: 表二上一年项目数量加本年增减不为负（2019年格式）
-- description: 2019年格式表二的行政许可、其他对外管理服务事项、行政处罚、行政强制、行政事业性收费：上一年项目数量加本年增/减之后的本年项目数量不能小于0。含按勾稽关系推出（recovered）单元格的一处不计为通过，记为无法核对。
-- rule: T2-2019-prev
-- status: inferred
-- severity: error

with v as (
  -- Each filtered report's 上一年项目数量 rows (one per 2019-form item) with the same item's 本年增/减, read
  -- from the table keyed active_disclosure(report_id, item_key, metric); no row = not applicable.
  select r.id as report_id, r.year, r.province, r.agency, f.report_id is not null as has_item, f.item_key,
    coalesce(f.item, f.item_key) as d_item, f.value as prev, c.value as change
  from reports_in_scope r
  left join active_disclosure f on f.report_id = r.id and f.metric = 'previous_count'
  left join active_disclosure c on c.report_id = r.id and c.item_key = f.item_key and c.metric = 'change'
),
res as (
  select report_id, year, province, agency, item_key as instance,
    case when not has_item then 'not_applicable'
         when prev is null or change is null then 'unknown'
         when prev + change >= 0 then 'pass' else 'fail' end as status,
    case when has_item then '≥0' end as expected,
    prev + change as actual,
    case when has_item then json_array('active_disclosure:' || item_key || ':previous_count',
                                       'active_disclosure:' || item_key || ':change') else '[]' end as cells,
    case when not has_item then '报告没有2019年格式表二的“上一年项目数量”'
         when prev is null or change is null
           then d_item ||
                '：上一年项目数量或本年增/减为空或无法读取，无法核对'
         else printf('%s：上一年项目数量%d加本年增/减%+d得%d',
                     d_item,
                     prev, change, prev + change) end as message,
    null as related_report_id, null as evidence_line, null as evidence_text
  from v
),
recovered_cells as (
  -- the recovered cells that are operands of an instance (the instance is its row); see checks.RECOVERED
  select c.report_id, c.row_key as instance from cells c
  where c.kind = 'recovered' and c.table_name = 'active_disclosure'
)
select * from res
