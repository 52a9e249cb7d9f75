-- title: 表三取值范围（每个单元格为非负整数）
-- description: 表三的每个单元格都应是大于或等于0的整数；负数、小数或非数字即为不通过，空白或无法读取的单元格记为无法核对。每行一条结果，cells 列出有问题的单元格。含按勾稽关系推出（recovered）单元格的一处不计为通过，记为无法核对。
-- rule: T3-range
-- status: structural
-- severity: error

with v as (
  -- One pass over each filtered report's table-3 rows (the table is keyed (report_id, row_key): one range);
  -- a report without any row is the not-applicable case.
  select r.id as report_id, r.year, r.province, r.agency, a.report_id is not null as has_table, a.row_key,
    coalesce(a.label, a.row_key) as row_label, 'applications:' || a.row_key || ':' as pre,
    a.natural_person as c1, a.commercial as c2, a.research as c3, a.public_interest as c4,
    a.legal_services as c5, a.other_org as c6, a.total as c7
  from reports_in_scope r left join applications a on a.report_id = r.id
),
b as (
  -- fast: all seven are integers >= 0 (text sorts above numbers, so an integer max means no text;
  -- an integer sum means no REAL). Otherwise bad = printed but not a whole number >= 0; blank = null.
  select v.*,
    (min(c1, c2, c3, c4, c5, c6, c7) >= 0 and typeof(max(c1, c2, c3, c4, c5, c6, c7)) = 'integer'
     and typeof(c1 + c2 + c3 + c4 + c5 + c6 + c7) = 'integer') as all_ok,
    (c1 is not null and (typeof(c1) not in ('integer', 'real') or c1 < 0 or c1 <> cast(c1 as integer))) as b1,
    (c2 is not null and (typeof(c2) not in ('integer', 'real') or c2 < 0 or c2 <> cast(c2 as integer))) as b2,
    (c3 is not null and (typeof(c3) not in ('integer', 'real') or c3 < 0 or c3 <> cast(c3 as integer))) as b3,
    (c4 is not null and (typeof(c4) not in ('integer', 'real') or c4 < 0 or c4 <> cast(c4 as integer))) as b4,
    (c5 is not null and (typeof(c5) not in ('integer', 'real') or c5 < 0 or c5 <> cast(c5 as integer))) as b5,
    (c6 is not null and (typeof(c6) not in ('integer', 'real') or c6 < 0 or c6 <> cast(c6 as integer))) as b6,
    (c7 is not null and (typeof(c7) not in ('integer', 'real') or c7 < 0 or c7 <> cast(c7 as integer))) as b7
  from v
),
s as (
  select b.*,
    b1 or b2 or b3 or b4 or b5 or b6 or b7 as any_bad,
    c1 is null or c2 is null or c3 is null or c4 is null or c5 is null or c6 is null or c7 is null as any_null,
    row_label as label
  from b
),
res as (
  select report_id, year, province, agency, row_key as instance,
    case when not has_table then 'not_applicable' when all_ok then 'pass'
         when any_bad then 'fail' when any_null then 'unknown' else 'pass' end as status,
    case when has_table then '≥0的整数' end as expected,
    case when has_table and any_bad then rtrim(
      case when b1 then '自然人=' || c1 || '，' else '' end ||
      case when b2 then '商业企业=' || c2 || '，' else '' end ||
      case when b3 then '科研机构=' || c3 || '，' else '' end ||
      case when b4 then '社会公益组织=' || c4 || '，' else '' end ||
      case when b5 then '法律服务机构=' || c5 || '，' else '' end ||
      case when b6 then '其他=' || c6 || '，' else '' end ||
      case when b7 then '总计=' || c7 || '，' else '' end, '，') end as actual,
    -- the bad cells if any, else the blank ones (each bN is a whole expression once inlined: tested once here)
    case when not has_table or all_ok then '[]'
      when any_bad then '[' || rtrim(
        case when b1 then '"' || pre || 'natural_person",' else '' end ||
        case when b2 then '"' || pre || 'commercial",' else '' end ||
        case when b3 then '"' || pre || 'research",' else '' end ||
        case when b4 then '"' || pre || 'public_interest",' else '' end ||
        case when b5 then '"' || pre || 'legal_services",' else '' end ||
        case when b6 then '"' || pre || 'other_org",' else '' end ||
        case when b7 then '"' || pre || 'total",' else '' end, ',') || ']'
      when any_null then '[' || rtrim(
        case when c1 is null then '"' || pre || 'natural_person",' else '' end ||
        case when c2 is null then '"' || pre || 'commercial",' else '' end ||
        case when c3 is null then '"' || pre || 'research",' else '' end ||
        case when c4 is null then '"' || pre || 'public_interest",' else '' end ||
        case when c5 is null then '"' || pre || 'legal_services",' else '' end ||
        case when c6 is null then '"' || pre || 'other_org",' else '' end ||
        case when c7 is null then '"' || pre || 'total",' else '' end, ',') || ']'
      else '[]' end as cells,
    case when not has_table then '报告没有表三（收到和处理政府信息公开申请情况）'
         when all_ok then '“' || label || '”行全部为非负整数'
         when any_bad then '“' || label || '”行有负数、小数或非数字的单元格'
         when any_null then '“' || label || '”行有空白或无法读取的单元格，无法核对'
         else '“' || label || '”行全部为非负整数' end as message,
    null as related_report_id, null as evidence_line, null as evidence_text
  from s
),
recovered_cells as (
  -- the recovered cells that are operands of an instance (the instance is its row); see checks.RECOVERED
  select c.report_id, c.row_key as instance from cells c
  where c.kind = 'recovered' and c.table_name = 'applications'
)
select * from res
