-- title: 表四合计（总计＝维持＋纠正＋其他＋尚未审结）
-- description: 表四的行政复议、未经复议直接起诉、复议后起诉三组，每组的总计都应等于结果维持、结果纠正、其他结果与尚未审结之和。参数 status 为空时只列出不通过的行；填 all 列出全部，也可填 pass、unknown、not_applicable。
-- rule: T4-total
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
v as (
  select r.report_id, r.year, r.province, r.agency, k.kind, coalesce(k.label, k.kind) as label,
    k.upheld + k.corrected + k.other + k.pending as summed, k.total,
    'reviews_litigation:' || k.kind || ':' as pre
  from r join reviews_litigation k on k.report_id = r.report_id
),
res as (
  select report_id, year, province, agency, kind as instance,
    case when summed is null or total is null then 'unknown' when summed = total then 'pass' else 'fail' end as status,
    summed as expected,
    total as actual,
    json_array(pre || 'upheld', pre || 'corrected', pre || 'other', pre || 'pending', pre || 'total') as cells,
    case when summed is null or total is null then label || '：有空白或无法读取的单元格，无法核对'
         else printf('%s：维持、纠正、其他、尚未审结之和为%d，总计为%d', label, summed, total) end as message,
    null as related_report_id, null as evidence_line, null as evidence_text
  from v
  union all
  select r.report_id, r.year, r.province, r.agency, null, 'not_applicable', null, null, '[]',
    '报告没有表四（行政复议、行政诉讼情况）', null, null, null
  from r where not exists (select 1 from reviews_litigation k where k.report_id = r.report_id)
)
select res.* from res, p
where p.status = 'all' or res.status = coalesce(nullif(p.status, ''), 'fail')
