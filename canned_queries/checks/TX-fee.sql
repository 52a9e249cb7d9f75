-- title: 收取信息处理费须在第六部分说明
-- description: 表三“（六）2.申请人逾期未按收费通知要求缴纳费用”大于0，或正文写明收取了信息处理费时，第六部分“其他需要报告的事项”应说明信息处理费的收取情况（国办函〔2020〕109号）。两者都为0时规则成立；报告既无该行也未提及收费时不适用。参数 status 为空时只列出不通过的行；填 all 列出全部，也可填 pass、unknown、not_applicable。
-- rule: TX-fee
-- status: inferred
-- severity: warning
with p as (select :year as year, :province as province, :adcode as adcode, :status as status),
r as (
  select r.id as report_id, r.year, r.province, r.agency
  from reports r, p
  where (p.year = '' or r.year = p.year)
    and (p.province = '' or r.province = p.province)
    and (p.adcode = '' or r.adcode = p.adcode)
),
v as (
  select r.*, u.row_key is not null as has_row, u.total as unpaid,
    (select max(x.value) from facts x where x.report_id = r.report_id and x.metric = 'fee_yuan') as fee,
    (select x.line from facts x where x.report_id = r.report_id and x.metric = 'fee_yuan' order by x.value desc limit 1) as fee_line,
    (select x.text from facts x where x.report_id = r.report_id and x.metric = 'fee_yuan' order by x.value desc limit 1) as fee_text,
    (select group_concat(s.text, char(10)) from sections s where s.report_id = r.report_id and s.number = '六') as sec6
  from r left join applications u on u.report_id = r.report_id and u.row_key = 'other_unpaid_fee'
),
w as (
  select v.*, (coalesce(unpaid, 0) > 0 or coalesce(fee, 0) > 0) as triggered,
    instr(coalesce(sec6, ''), '信息处理费') > 0 as mentions
  from v where has_row or fee is not null
),
res as (
  select report_id, year, province, agency, null as instance,
    case when triggered and sec6 is null then 'unknown'
         when triggered then case when mentions then 'pass' else 'fail' end
         when (has_row and unpaid is null) then 'unknown'
         else 'pass' end as status,
    case when triggered then '第六部分说明信息处理费' end as expected,
    case when triggered and sec6 is not null then case when mentions then '已说明' else '未说明' end end as actual,
    case when has_row then json_array('applications:other_unpaid_fee:total') else '[]' end as cells,
    case when triggered and sec6 is null then '报告涉及信息处理费，但未识别出第六部分，无法核对'
         when triggered then
           rtrim(case when coalesce(unpaid, 0) > 0 then printf('表三（六）2.逾期未缴费%d件，', unpaid) else '' end ||
                 case when coalesce(fee, 0) > 0 then printf('正文写明收取信息处理费%s元，', fee) else '' end, '，') ||
           case when mentions then '；第六部分已说明信息处理费' else '；第六部分没有说明信息处理费' end
         when has_row and unpaid is null then '表三（六）2.逾期未缴费为空或无法读取，无法核对'
         else '没有逾期未缴费的申请，也未收取信息处理费' end as message,
    null as related_report_id, fee_line as evidence_line, fee_text as evidence_text
  from w
  union all
  select r.report_id, r.year, r.province, r.agency, null, 'not_applicable', null, null, '[]',
    '报告没有表三（六）2.逾期未缴费一行，正文也未提及信息处理费', null, null, null
  from v r where not (has_row or fee is not null)
)
select res.* from res, p
where p.status = 'all' or res.status = coalesce(nullif(p.status, ''), 'fail')
