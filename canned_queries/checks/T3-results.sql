-- title: 表三办理结果合计（（七）总计＝（一）至（六）各项之和）
-- description: 表三每一列的（七）总计应等于（一）予以公开、（二）部分公开、（三）不予公开1–8、（四）无法提供1–3、（五）不予处理1–5与（六）其他处理之和；（六）按报告实际印制的格式取值：2019年格式为一行，2021年格式为三个子项之和。含按勾稽关系推出（recovered）单元格的一处不计为通过，记为无法核对。
-- rule: T3-results
-- status: structural
-- severity: error

with cols(col, label, unit) as (values
  ('natural_person', '自然人', 1), ('commercial', '商业企业', 32), ('research', '科研机构', 1024), ('public_interest', '社会公益组织', 32768), ('legal_services', '法律服务机构', 1048576), ('other_org', '其他', 33554432), ('total', '总计', 1073741824)
),
base(k) as (values ('granted'), ('partly_granted'), ('denied_state_secret'), ('denied_prohibited_by_law'), ('denied_three_safeties'), ('denied_third_party'), ('denied_internal_affairs'), ('denied_process_info'), ('denied_enforcement_file'), ('denied_admin_query'), ('unable_not_held'), ('unable_needs_creation'), ('unable_unclear'), ('rejected_petition'), ('rejected_duplicate'), ('rejected_publication'), ('rejected_mass_repeat'), ('rejected_confirmation')),
split(k) as (values ('other_no_correction'), ('other_unpaid_fee'), ('other_other')),
tpl as (
  select (select json_group_array('applications:' || k || ':@') from (
            select k from base union all select 'other' union all select 'total_processed')) as single,
         (select json_group_array('applications:' || k || ':@') from (
            select k from base union all select k from split union all select 'total_processed')) as split
),
g as materialized (
  -- Each filtered report's result rows (every row but 一, 二, （七）, 四) in one range of the covering index
  -- applications(report_id, row_key, …), summed with plain aggregates. Blanks: count() of the seven columns added
  -- together is the number of rows without any blank, so the common case (no blank) costs one aggregate.
  select r.id as report_id, r.year, r.province, r.agency,
    count(a.report_id) as n_result,
    count(a.natural_person + a.commercial + a.research + a.public_interest + a.legal_services + a.other_org + a.total) as n_full,
    -- the （六）layout packed in one aggregate: the single row counts 1, each of the three sub-rows 32
    sum(case a.row_key when 'other' then 1 when 'other_no_correction' then 32 when 'other_unpaid_fee' then 32
                       when 'other_other' then 32 else 0 end) as six,
    sum(a.natural_person) as s_natural_person, sum(a.commercial) as s_commercial, sum(a.research) as s_research, sum(a.public_interest) as s_public_interest, sum(a.legal_services) as s_legal_services, sum(a.other_org) as s_other_org, sum(a.total) as s_total
  from reports_in_scope r
  left join applications a on a.report_id = r.id
    and a.row_key not in ('new_received', 'carried_over', 'total_processed', 'carried_forward')
  group by r.rowid    -- the table's own order: no sort
),
h as materialized (
  -- （七）总计 by one index seek; the blanks per column (five bits per column: a report has at most 22 result
  -- rows) counted again only for the reports that have a blank.
  select g.*, g.six % 32 as n_single, g.six / 32 as n_split, t.natural_person as t_natural_person, t.commercial as t_commercial, t.research as t_research, t.public_interest as t_public_interest, t.legal_services as t_legal_services, t.other_org as t_other_org, t.total as t_total,
    case when g.n_full < g.n_result then (
      select sum((x.natural_person is null) * 1 + (x.commercial is null) * 32 + (x.research is null) * 1024 + (x.public_interest is null) * 32768 + (x.legal_services is null) * 1048576 + (x.other_org is null) * 33554432 + (x.total is null) * 1073741824)
      from applications x where x.report_id = g.report_id
        and x.row_key not in ('new_received', 'carried_over', 'total_processed', 'carried_forward')) else 0 end as blanks
  from g left join applications t on t.report_id = g.report_id and t.row_key = 'total_processed'
),
v as (
  select h.report_id, h.year, h.province, h.agency, h.n_result > 0 as has_table, c.col, c.label,
    h.n_result - h.n_single - h.n_split as n_base, h.n_split,
    -- （六）is one row (2019) or three (2021): a missing row, or both layouts at once, cannot be checked
    not ((h.n_single = 1 and h.n_split = 0) or (h.n_single = 0 and h.n_split = 3)) as bad_six,
    (h.blanks / c.unit) % 32 as rn,
    case c.col when 'natural_person' then h.s_natural_person when 'commercial' then h.s_commercial when 'research' then h.s_research when 'public_interest' then h.s_public_interest when 'legal_services' then h.s_legal_services when 'other_org' then h.s_other_org when 'total' then h.s_total end as summed,
    case c.col when 'natural_person' then h.t_natural_person when 'commercial' then h.t_commercial when 'research' then h.t_research when 'public_interest' then h.t_public_interest when 'legal_services' then h.t_legal_services when 'other_org' then h.t_other_org when 'total' then h.t_total end as total
  from h cross join cols c    -- CROSS JOIN keeps the report outer: its seek runs once, not once per column
  where h.n_result > 0 or c.col = 'total'
),
w as (
  select v.*, n_base < 18 or rn > 0 or bad_six or total is null as is_unknown from v
),
res as (
  select report_id, year, province, agency, case when has_table then col end as instance,
    case when not has_table then 'not_applicable'
         when is_unknown then 'unknown' when summed = total then 'pass' else 'fail' end as status,
    case when has_table and not is_unknown then summed end as expected,
    case when has_table then total end as actual,
    case when not has_table then '[]'
         else replace(case when n_split > 0 then tpl.split else tpl.single end, '@', col) end as cells,
    case when not has_table then '报告没有表三（收到和处理政府信息公开申请情况）'
         when is_unknown then (
           -- only for the rows shown: which part is blank (the （六）rows' blanks in this column)
           select label || '列：' || rtrim(
             case when n_base < 18 or rn > sn then '（一）至（五）中有空白或缺失的行、' else '' end ||
             case when bad_six or sn > 0 then '（六）其他处理为空或缺失、' else '' end ||
             case when total is null then '（七）总计为空或缺失、' else '' end, '、') || '，无法核对'
           from (select count(*) as sn from applications x where x.report_id = w.report_id
                   and x.row_key in ('other', 'other_no_correction', 'other_unpaid_fee', 'other_other')
                   and case w.col when 'natural_person' then x.natural_person when 'commercial' then x.commercial when 'research' then x.research when 'public_interest' then x.public_interest when 'legal_services' then x.legal_services when 'other_org' then x.other_org when 'total' then x.total end is null))
         else printf('%s列：（一）至（六）各项之和为%d，（七）总计为%d', label, summed, total) end as message,
    null as related_report_id, null as evidence_line, null as evidence_text
  from w, tpl
),
recovered_cells as (
  -- the recovered cells that are operands of an instance (the instance is its column); see checks.RECOVERED
  select c.report_id, c.col_key as instance from cells c
  where c.kind = 'recovered' and c.table_name = 'applications'
    and c.row_key not in ('new_received', 'carried_over', 'carried_forward')
)
select * from res
