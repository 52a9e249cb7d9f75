-- title: 正文数字与表格一致
-- description: 正文中写明的数字应与表格一致（旧条例时期的报告与其统计表的本年度数核对：收到申请、各渠道、答复总数和各类答复、行政复议、行政诉讼、主动公开信息数）：新收/收到申请N件＝表三一（总计）；上年结转N件＝二；办结N件＝（七）总计；结转下年度N件＝四；予以公开N件＝（一）；行政复议N件＝表四复议总计；行政诉讼N件＝直接起诉总计＋复议后起诉总计。每个正文数字一条结果，保留原句作为证据。
-- rule: TX-counts
-- status: inferred
-- severity: error

with m(metric, tbl, row_key, label) as (values
  ('applications_received', 'applications', 'new_received', '表三“一、本年新收”总计'),
  ('applications_carried_over', 'applications', 'carried_over', '表三“二、上年结转”总计'),
  ('applications_processed', 'applications', 'total_processed', '表三“（七）总计”'),
  ('applications_carried_forward', 'applications', 'carried_forward', '表三“四、结转下年度继续办理”总计'),
  ('applications_granted', 'applications', 'granted', '表三“（一）予以公开”总计'),
  ('reviews', 'reviews_litigation', 'review', '表四行政复议总计'),
  ('lawsuits', 'reviews_litigation', 'litigation_direct+litigation_after_review', '表四行政诉讼（直接起诉＋复议后起诉）总计')
),
v as (
  -- Each filtered report with its prose figures (seek in facts(report_id, metric)) that have a table to compare with;
  -- the table cell by seek in the covering indexes. No such figure = not applicable.
  select r.id as report_id, r.year, r.province, r.agency, x.report_id is not null as has_fact,
    x.metric, x.value, x.text, x.line, m.tbl, m.row_key, m.label,
    case when m.tbl = 'applications' then a.total
         when x.metric = 'reviews' then rv.total
         else ld.total + la.total end as table_value
  from reports_in_scope r
  left join facts x on x.report_id = r.id and +x.metric in (  -- "+": one seek per report, not one per metric
     'applications_received', 'applications_carried_over',
      'applications_processed', 'applications_carried_forward', 'applications_granted', 'reviews', 'lawsuits')
    and case when x.metric in ('reviews', 'lawsuits')
             then exists (select 1 from reviews_litigation k where k.report_id = r.id)
             else exists (select 1 from applications a where a.report_id = r.id) end
  left join m on m.metric = x.metric
  left join applications a on m.tbl = 'applications' and a.report_id = r.id and a.row_key = m.row_key
  left join reviews_litigation rv on x.metric = 'reviews' and rv.report_id = r.id and rv.kind = 'review'
  left join reviews_litigation ld on x.metric = 'lawsuits' and ld.report_id = r.id and ld.kind = 'litigation_direct'
  left join reviews_litigation la on x.metric = 'lawsuits' and la.report_id = r.id and la.kind = 'litigation_after_review'
  where not exists (select 1 from legacy_stats l where l.report_id = r.id)   -- reports with a statistics table: vl
),
ml(metric, item_key) as (values
  -- a legacy report's prose figure and the item of its statistics table that says the same (forms.LEGACY_ITEMS)
  ('applications_received', 'applications_received'), ('applications_answered', 'answers_total'),
  ('applications_granted', 'answer_granted'), ('applications_partly_granted', 'answer_partly'),
  ('applications_withheld', 'answer_refused'), ('applications_not_exist', 'answer_not_exist'),
  ('applications_not_held', 'answer_not_held'), ('applications_unclear', 'answer_unclear'),
  ('applications_in_person', 'channel_in_person'), ('applications_online', 'channel_online'),
  ('applications_letter', 'channel_letter'), ('applications_fax', 'channel_fax'),
  ('applications_email', 'channel_email'), ('reviews', 'reviews'), ('lawsuits', 'lawsuits'),
  ('disclosed_items', 'disclosed_items')
),
vl as (
  -- Each filtered legacy report with a statistics table (legacy_stats): its prose figures that the table also
  -- prints, against the table's value of the year (never the cumulative one).
  select r.id as report_id, r.year, r.province, r.agency, x.report_id is not null as has_fact,
    x.metric, x.value, x.text, x.line, l.item_key, l.label, l.value as table_value, l.kind
  from reports_in_scope r
  left join facts x on x.report_id = r.id and +x.metric in (select metric from ml)   -- one seek per report
    and exists (select 1 from ml join legacy_stats q on q.item_key = ml.item_key
                where ml.metric = x.metric and q.report_id = r.id)
  left join ml on ml.metric = x.metric
  left join legacy_stats l on l.report_id = r.id and l.item_key = ml.item_key
  where exists (select 1 from legacy_stats l2 where l2.report_id = r.id)
),
res as (
  select report_id, year, province, agency, case when has_fact then metric || '@' || coalesce(line, '') end as instance,
    case when not has_fact then 'not_applicable'
         when value is null or table_value is null then 'unknown'
         when value = table_value then 'pass' else 'fail' end as status,
    table_value as expected,
    value as actual,
    case when not has_fact then '[]'
         when metric = 'lawsuits' then json_array('reviews_litigation:litigation_direct:total',
                                                  'reviews_litigation:litigation_after_review:total')
         else json_array(tbl || ':' || row_key || ':total') end as cells,
    case when not has_fact then '正文中没有可与表格核对的数字（或报告没有相应表格）'
         when value is null then '正文第' || coalesce(line, '?') || '行的数字无法读取，无法核对'
         when table_value is null then label || '为空或无法读取，无法核对'
         else printf('正文第%s行写%d件，%s为%d件', coalesce(line, '?'), value, label, table_value) end as message,
    null as related_report_id, line as evidence_line, text as evidence_text
  from v
  union all
  select report_id, year, province, agency, case when has_fact then metric || '@' || coalesce(line, '') end,
    case when not has_fact then 'not_applicable'
         when value is null or table_value is null then 'unknown'
         when value = table_value then 'pass' else 'fail' end,
    cast(table_value as integer), value,
    case when not has_fact then '[]' else json_array('legacy_stats:' || item_key || ':value') end,
    case when not has_fact then '正文中没有可与统计表核对的数字'
         when value is null then '正文第' || coalesce(line, '?') || '行的数字无法读取，无法核对'
         when table_value is null then '统计表“' || label || '”本年度数为空或无法读取（粘连无法唯一拆分等），无法核对'
         else printf('正文第%s行写%d，统计表“%s”本年度为%d', coalesce(line, '?'), value, label,
                     cast(table_value as integer)) end,
    null, line, text
  from vl
)
select * from res
