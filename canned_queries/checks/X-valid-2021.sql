-- title: 跨年现行有效件数衔接（2021年格式）
-- description: 同一机关连续两年都使用2021年格式时，规章、行政规范性文件的本年现行有效件数应等于上一年现行有效件数加本年制发件数减本年废止件数。不与2019年格式的“对外公开总数量”衔接（概念不同）。
-- rule: X-valid-2021
-- status: inferred
-- severity: warning

with v as (
  -- Each filtered report's 现行有效件数 items (seek in active_disclosure(report_id, item_key, metric, value)), the same agency's report of the
  -- year before (reports(agency_id, year)) and its 现行有效件数 for the same item.
  -- An item without a previous-year counterpart is a not-applicable row: run_checks keeps one summary row
  -- per report and rule, so a report is not applicable exactly when none of its items has a counterpart.
  select r.id as report_id, r.year, r.province, r.agency, f.item_key, coalesce(f.item, f.item_key) as d_item,
    pd.report_id is not null as paired, f.value as in_force, i.value as issued, x.value as repealed,
    prev.id as prev_id, prev.year as prev_year, pd.value as prev_in_force
  from reports_in_scope r
  left join active_disclosure f on f.report_id = r.id and f.item_key in ('regulations', 'normative_documents')
    and f.metric = 'in_force'
  left join reports prev on f.report_id is not null and prev.agency_id = r.agency_id and prev.year = r.year - 1
  left join active_disclosure pd on pd.report_id = prev.id and pd.item_key = f.item_key and pd.metric = 'in_force'
  left join active_disclosure i on pd.report_id is not null and i.report_id = r.id and i.item_key = f.item_key
    and i.metric = 'issued'
  left join active_disclosure x on pd.report_id is not null and x.report_id = r.id and x.item_key = f.item_key
    and x.metric = 'repealed'
),
res as (
  select report_id, year, province, agency, case when paired then item_key || '@' || prev_id end as instance,
    case when not paired then 'not_applicable'
         when issued is null or repealed is null or in_force is null or prev_in_force is null then 'unknown'
         when in_force = prev_in_force + issued - repealed then 'pass' else 'fail' end as status,
    prev_in_force + issued - repealed as expected,
    case when paired then in_force end as actual,
    case when paired then json_array('active_disclosure:' || item_key || ':in_force',
      'active_disclosure:' || item_key || ':issued', 'active_disclosure:' || item_key || ':repealed') else '[]' end as cells,
    case when not paired then '本年或同一机关上一年度的报告没有2021年格式表二的“现行有效件数”'
         when issued is null or repealed is null or in_force is null or prev_in_force is null
           then d_item ||
                '：本年或上年（' || prev_id || '）的件数为空或无法读取，无法核对'
         else printf('%s：%d年现行有效%d件＋本年制发%d件－废止%d件＝%d件，本年现行有效%d件',
                     d_item,
                     prev_year, prev_in_force, issued, repealed, prev_in_force + issued - repealed, in_force) end as message,
    case when paired then prev_id end as related_report_id, null as evidence_line, null as evidence_text
  from v
)
select * from res
