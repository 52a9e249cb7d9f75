-- title: 表三办理结果合计（（七）总计＝（一）至（六）各项之和）
-- description: 表三每一列的（七）总计应等于（一）予以公开、（二）部分公开、（三）不予公开1–8、（四）无法提供1–3、（五）不予处理1–5与（六）其他处理之和；（六）按报告实际印制的格式取值：2019年格式为一行，2021年格式为三个子项之和。参数 status 为空时只列出不通过的行；填 all 列出全部，也可填 pass、unknown、not_applicable。
-- rule: T3-results
-- status: structural
-- severity: error
with p as (select :year as year, :province as province, :adcode as adcode, :status as status),
r as (
  select r.id as report_id, r.year, r.province, r.agency
  from reports r, p
  where (p.year = '' or r.year = p.year)
    and (p.province = '' or r.province = p.province)
    and (p.adcode = '' or r.adcode = p.adcode)
),
cols(col, label) as (values
  ('natural_person', '自然人'), ('commercial', '商业企业'), ('research', '科研机构'),
  ('public_interest', '社会公益组织'), ('legal_services', '法律服务机构'), ('other_org', '其他'), ('total', '总计')
),
base(k) as (values ('granted'), ('partly_granted'), ('denied_state_secret'), ('denied_prohibited_by_law'), ('denied_three_safeties'), ('denied_third_party'), ('denied_internal_affairs'), ('denied_process_info'), ('denied_enforcement_file'), ('denied_admin_query'), ('unable_not_held'), ('unable_needs_creation'), ('unable_unclear'), ('rejected_petition'), ('rejected_duplicate'), ('rejected_publication'), ('rejected_mass_repeat'), ('rejected_confirmation')),
split(k) as (values ('other_no_correction'), ('other_unpaid_fee'), ('other_other')),
tpl as (
  select (select json_group_array('applications:' || k || ':@') from (
            select k from base union all select 'other' union all select 'total_processed')) as single,
         (select json_group_array('applications:' || k || ':@') from (
            select k from base union all select k from split union all select 'total_processed')) as split
),
g as (
  select r.report_id, r.year, r.province, r.agency,
    count(distinct case when a.row_key in (select k from base) then a.row_key end) as n_base,
    max(a.row_key = 'other') as has_single,
    count(distinct case when a.row_key in (select k from split) then a.row_key end) as n_split,
    max(a.row_key = 'total_processed') as has_total,
    sum(case when a.row_key in (select k from base) then a.natural_person end) as b_natural_person,
    sum(a.row_key in (select k from base) and a.natural_person is null) as bn_natural_person,
    max(case when a.row_key = 'other' then a.natural_person end) as s1_natural_person,
    sum(case when a.row_key in (select k from split) then a.natural_person end) as s3_natural_person,
    sum(a.row_key in (select k from split) and a.natural_person is null) as s3n_natural_person,
    max(case when a.row_key = 'total_processed' then a.natural_person end) as t_natural_person,
    sum(case when a.row_key in (select k from base) then a.commercial end) as b_commercial,
    sum(a.row_key in (select k from base) and a.commercial is null) as bn_commercial,
    max(case when a.row_key = 'other' then a.commercial end) as s1_commercial,
    sum(case when a.row_key in (select k from split) then a.commercial end) as s3_commercial,
    sum(a.row_key in (select k from split) and a.commercial is null) as s3n_commercial,
    max(case when a.row_key = 'total_processed' then a.commercial end) as t_commercial,
    sum(case when a.row_key in (select k from base) then a.research end) as b_research,
    sum(a.row_key in (select k from base) and a.research is null) as bn_research,
    max(case when a.row_key = 'other' then a.research end) as s1_research,
    sum(case when a.row_key in (select k from split) then a.research end) as s3_research,
    sum(a.row_key in (select k from split) and a.research is null) as s3n_research,
    max(case when a.row_key = 'total_processed' then a.research end) as t_research,
    sum(case when a.row_key in (select k from base) then a.public_interest end) as b_public_interest,
    sum(a.row_key in (select k from base) and a.public_interest is null) as bn_public_interest,
    max(case when a.row_key = 'other' then a.public_interest end) as s1_public_interest,
    sum(case when a.row_key in (select k from split) then a.public_interest end) as s3_public_interest,
    sum(a.row_key in (select k from split) and a.public_interest is null) as s3n_public_interest,
    max(case when a.row_key = 'total_processed' then a.public_interest end) as t_public_interest,
    sum(case when a.row_key in (select k from base) then a.legal_services end) as b_legal_services,
    sum(a.row_key in (select k from base) and a.legal_services is null) as bn_legal_services,
    max(case when a.row_key = 'other' then a.legal_services end) as s1_legal_services,
    sum(case when a.row_key in (select k from split) then a.legal_services end) as s3_legal_services,
    sum(a.row_key in (select k from split) and a.legal_services is null) as s3n_legal_services,
    max(case when a.row_key = 'total_processed' then a.legal_services end) as t_legal_services,
    sum(case when a.row_key in (select k from base) then a.other_org end) as b_other_org,
    sum(a.row_key in (select k from base) and a.other_org is null) as bn_other_org,
    max(case when a.row_key = 'other' then a.other_org end) as s1_other_org,
    sum(case when a.row_key in (select k from split) then a.other_org end) as s3_other_org,
    sum(a.row_key in (select k from split) and a.other_org is null) as s3n_other_org,
    max(case when a.row_key = 'total_processed' then a.other_org end) as t_other_org,
    sum(case when a.row_key in (select k from base) then a.total end) as b_total,
    sum(a.row_key in (select k from base) and a.total is null) as bn_total,
    max(case when a.row_key = 'other' then a.total end) as s1_total,
    sum(case when a.row_key in (select k from split) then a.total end) as s3_total,
    sum(a.row_key in (select k from split) and a.total is null) as s3n_total,
    max(case when a.row_key = 'total_processed' then a.total end) as t_total
  from r join applications a on a.report_id = r.report_id
  group by r.report_id
),
v as (
  select g.report_id, g.year, g.province, g.agency, c.col, c.label, g.n_base, g.n_split, g.has_single, g.has_total,
    case c.col when 'natural_person' then g.b_natural_person when 'commercial' then g.b_commercial when 'research' then g.b_research when 'public_interest' then g.b_public_interest when 'legal_services' then g.b_legal_services when 'other_org' then g.b_other_org when 'total' then g.b_total end as b,
    case c.col when 'natural_person' then g.bn_natural_person when 'commercial' then g.bn_commercial when 'research' then g.bn_research when 'public_interest' then g.bn_public_interest when 'legal_services' then g.bn_legal_services when 'other_org' then g.bn_other_org when 'total' then g.bn_total end as bn,
    case when g.n_split > 0 then case c.col when 'natural_person' then g.s3_natural_person when 'commercial' then g.s3_commercial when 'research' then g.s3_research when 'public_interest' then g.s3_public_interest when 'legal_services' then g.s3_legal_services when 'other_org' then g.s3_other_org when 'total' then g.s3_total end else case c.col when 'natural_person' then g.s1_natural_person when 'commercial' then g.s1_commercial when 'research' then g.s1_research when 'public_interest' then g.s1_public_interest when 'legal_services' then g.s1_legal_services when 'other_org' then g.s1_other_org when 'total' then g.s1_total end end as six,
    case when g.n_split > 0 then case c.col when 'natural_person' then g.s3n_natural_person when 'commercial' then g.s3n_commercial when 'research' then g.s3n_research when 'public_interest' then g.s3n_public_interest when 'legal_services' then g.s3n_legal_services when 'other_org' then g.s3n_other_org when 'total' then g.s3n_total end + 3 - g.n_split
         when g.has_single then (case c.col when 'natural_person' then g.s1_natural_person when 'commercial' then g.s1_commercial when 'research' then g.s1_research when 'public_interest' then g.s1_public_interest when 'legal_services' then g.s1_legal_services when 'other_org' then g.s1_other_org when 'total' then g.s1_total end) is null else 1 end as sixn,
    case c.col when 'natural_person' then g.t_natural_person when 'commercial' then g.t_commercial when 'research' then g.t_research when 'public_interest' then g.t_public_interest when 'legal_services' then g.t_legal_services when 'other_org' then g.t_other_org when 'total' then g.t_total end as total
  from g cross join cols c
),
w as (
  select v.*, case when b is null or six is null then null else b + six end as summed,
    n_base < 18 or bn > 0 or sixn > 0 or total is null as is_unknown
  from v
),
res as (
  select report_id, year, province, agency, col as instance,
    case when is_unknown then 'unknown' when summed = total then 'pass' else 'fail' end as status,
    case when not is_unknown then summed end as expected,
    total as actual,
    replace(case when n_split > 0 then tpl.split else tpl.single end, '@', col) as cells,
    case when is_unknown then
           label || '列：' || rtrim(
             case when n_base < 18 or bn > 0 then '（一）至（五）中有空白或缺失的行、' else '' end ||
             case when sixn > 0 then '（六）其他处理为空或缺失、' else '' end ||
             case when total is null then '（七）总计为空或缺失、' else '' end, '、') || '，无法核对'
         else printf('%s列：（一）至（六）各项之和为%d，（七）总计为%d', label, summed, total) end as message,
    null as related_report_id, null as evidence_line, null as evidence_text
  from w, tpl
  union all
  select r.report_id, r.year, r.province, r.agency, null, 'not_applicable', null, null, '[]',
    '报告没有表三（收到和处理政府信息公开申请情况）', null, null, null
  from r where not exists (select 1 from applications a where a.report_id = r.report_id)
)
select res.* from res, p
where p.status = 'all' or res.status = coalesce(nullif(p.status, ''), 'fail')
