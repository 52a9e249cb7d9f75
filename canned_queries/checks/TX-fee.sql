-- title: 收取信息处理费须在第六部分说明
-- description: 表三“（六）2.申请人逾期未按收费通知要求缴纳费用”大于0，或正文写明收取了信息处理费时，第六部分“其他需要报告的事项”应说明信息处理费的收取情况（国办函〔2020〕109号）。两者都为0时规则成立；报告既无该行也未提及收费时不适用。
-- rule: TX-fee
-- status: inferred
-- severity: warning

with v as (
  -- Each filtered report with its （六）2 row (seek in applications(report_id, row_key, …)) and its largest fee figure
  -- (seek in facts(report_id, metric)). Section 六 is read only when a fee or an unpaid-fee case makes it matter.
  -- Not materialized: a page of failures then stops at its 200th row instead of first reading a whole year.
  select r.id as report_id, r.year, r.province, r.agency, u.report_id is not null as has_row, u.total as unpaid,
    (select max(x.value) from facts x where x.report_id = r.id and x.metric = 'fee_yuan') as fee
  from reports_in_scope r
  left join applications u on u.report_id = r.id and u.row_key = 'other_unpaid_fee'
),
w as (
  select v.*, has_row or fee is not null as applicable,
    (coalesce(unpaid, 0) > 0 or coalesce(fee, 0) > 0) as triggered
  from v
),
s as (
  select w.*,
    case when triggered then (select group_concat(s.text, char(10)) from sections s
                              where s.report_id = w.report_id and s.number = '六') end as sec6
  from w
),
t as (
  select s.*, instr(coalesce(sec6, ''), '信息处理费') > 0 as mentions from s
),
res as (
  select report_id, year, province, agency, null as instance,
    case when not applicable then 'not_applicable'
         when triggered and sec6 is null then 'unknown'
         when triggered then case when mentions then 'pass' else 'fail' end
         when (has_row and unpaid is null) then 'unknown'
         else 'pass' end as status,
    case when applicable and triggered then '第六部分说明信息处理费' end as expected,
    case when applicable and triggered and sec6 is not null then case when mentions then '已说明' else '未说明' end end as actual,
    case when has_row then json_array('applications:other_unpaid_fee:total') else '[]' end as cells,
    case when not applicable then '报告没有表三（六）2.逾期未缴费一行，正文也未提及信息处理费'
         when triggered and sec6 is null then '报告涉及信息处理费，但未识别出第六部分，无法核对'
         when triggered then
           rtrim(case when coalesce(unpaid, 0) > 0 then printf('表三（六）2.逾期未缴费%d件，', unpaid) else '' end ||
                 case when coalesce(fee, 0) > 0 then printf('正文写明收取信息处理费%s元，', fee) else '' end, '，') ||
           case when mentions then '；第六部分已说明信息处理费' else '；第六部分没有说明信息处理费' end
         when has_row and unpaid is null then '表三（六）2.逾期未缴费为空或无法读取，无法核对'
         else '没有逾期未缴费的申请，也未收取信息处理费' end as message,
    null as related_report_id,
    case when applicable then (select x.line from facts x where x.report_id = t.report_id and x.metric = 'fee_yuan'
                               order by x.value desc limit 1) end as evidence_line,
    case when applicable then (select x.text from facts x where x.report_id = t.report_id and x.metric = 'fee_yuan'
                               order by x.value desc limit 1) end as evidence_text
  from t
)
select * from res
