-- title: 按期公开年度报告
-- description: 发布日期应不晚于法定期限：2019年度起（条例第四十九条），县级以上人民政府部门的报告在次年1月31日前、本级政府的报告在次年3月31日前公布；2018年度及以前（原条例第三十一条）一律为次年3月31日前。发布日期或机关类型不明时记为无法核对。
-- rule: TIME
-- status: official
-- severity: error

with v as (
  select r.id as report_id, r.year, r.province, r.agency, r.agency_kind, r.published_on,
    case when r.year is null then null
         when r.year < 2019 then printf('%04d-03-31', r.year + 1)
         when r.agency_kind = 'department' then printf('%04d-01-31', r.year + 1)
         when r.agency_kind = 'government' then printf('%04d-03-31', r.year + 1)
    end as deadline
  from reports_in_scope r
),
res as (
  select report_id, year, province, agency, null as instance,
    case when deadline is null or published_on is null then 'unknown'
         when published_on <= deadline then 'pass' else 'fail' end as status,
    deadline as expected,
    published_on as actual,
    '[]' as cells,
    case when year is null then '报告年度不明，无法确定期限'
         when deadline is null then '机关类型（政府或部门）不明，无法确定期限'
         when published_on is null then '发布日期不明，无法核对'
         when published_on <= deadline then '发布于' || published_on || '，未超过期限' || deadline
         else '发布于' || published_on || '，晚于期限' || deadline ||
              '（' || case when year < 2019 then '原条例：次年3月31日'
                           when agency_kind = 'department' then '政府部门：次年1月31日'
                           else '本级政府：次年3月31日' end || '）' end as message,
    null as related_report_id, null as evidence_line, null as evidence_text
  from v
)
select * from res
