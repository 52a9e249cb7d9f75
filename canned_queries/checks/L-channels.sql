-- title: 旧条例时期：各渠道申请数之和＝受理申请总数
-- description: 旧条例时期（2008–2018）的报告：统计表中当面、网上、信函、传真、电子邮件、其他形式等各渠道的申请数之和应等于受理依申请公开总数，本年度和历年累计两列分别核对；正文写明各渠道申请数时，也与正文写明的收到申请数核对（instance = prose）。含按勾稽关系拆分（recovered）数字的一处不计为通过，记为无法核对。
-- rule: L-channels
-- status: structural
-- severity: error

with legacy_sum_rule(total_item, part_glob, total_fact, part_facts, total_name, parts_name) as (
  -- Which items add up to which; the sum per column and in prose, its messages and the not-applicable row are
  -- written once for every legacy sum rule (ingest/database/checks.py LEGACY_SUM).
  -- 统计表: Σ 各渠道申请数 (item keys channel_*, forms.LEGACY_ITEMS) = 受理申请总数 (applications_received), per column;
  -- 正文: Σ the channels stated in sentences = the applications received stated there
  values ('applications_received', 'channel_*', 'applications_received',
          json_array('applications_in_person', 'applications_online', 'applications_letter', 'applications_fax',
                     'applications_email'),
          '受理申请总数', '各渠道申请数')
)
select * from legacy_sum
