-- title: 跨年上一年项目数量衔接（2019年格式）
-- description: 同一机关连续两年都使用2019年格式时（通常是2019和2020年度），本年表二的“上一年项目数量”应等于上一年报告的“上一年项目数量”加“本年增/减”，适用于行政许可、其他对外管理服务事项、行政处罚、行政强制、行政事业性收费。
-- rule: X-prev-2019
-- status: inferred
-- severity: warning

with v as (
  -- Each filtered report's 上一年项目数量 items (active_disclosure(report_id, item_key, metric, value)), the same agency's report of the year
  -- before (reports(agency_id, year)) and its 上一年项目数量 and 本年增/减 for the same item.
  -- An item without a previous-year counterpart is a not-applicable row: run_checks keeps one summary row
  -- per report and rule, so a report is not applicable exactly when none of its items has a counterpart.
  select r.id as report_id, r.year, r.province, r.agency, cd.item_key, coalesce(cd.item, cd.item_key) as d_item,
    pp.report_id is not null as paired, cd.value as cur_prev,
    prev.id as prev_id, prev.year as prev_year, pp.value as prev_prev, pc.value as prev_change
  from reports_in_scope r
  left join active_disclosure cd on cd.report_id = r.id and cd.metric = 'previous_count'
  left join reports prev on cd.report_id is not null and prev.agency_id = r.agency_id and prev.year = r.year - 1
  left join active_disclosure pp on pp.report_id = prev.id and pp.item_key = cd.item_key and pp.metric = 'previous_count'
  left join active_disclosure pc on pp.report_id is not null and pc.report_id = prev.id and pc.item_key = cd.item_key
    and pc.metric = 'change'
),
res as (
  select report_id, year, province, agency, case when paired then item_key || '@' || prev_id end as instance,
    case when not paired then 'not_applicable'
         when cur_prev is null or prev_prev is null or prev_change is null then 'unknown'
         when cur_prev = prev_prev + prev_change then 'pass' else 'fail' end as status,
    prev_prev + prev_change as expected,
    case when paired then cur_prev end as actual,
    case when paired then json_array('active_disclosure:' || item_key || ':previous_count') else '[]' end as cells,
    case when not paired then '本年或同一机关上一年度的报告没有2019年格式表二的“上一年项目数量”'
         when cur_prev is null or prev_prev is null or prev_change is null
           then d_item ||
                '：本年或上年（' || prev_id || '）的项目数量为空或无法读取，无法核对'
         else printf('%s：%d年报告上一年项目数量%d%+d＝%d，本年报告上一年项目数量%d',
                     d_item,
                     prev_year, prev_prev, prev_change, prev_prev + prev_change, cur_prev) end as message,
    case when paired then prev_id end as related_report_id, null as evidence_line, null as evidence_text
  from v
)
select * from res
