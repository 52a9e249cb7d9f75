-- title: 旧条例时期：各类答复数之和＝答复总数
-- description: 旧条例时期（2008–2018）的报告：统计表中同意公开、同意部分公开、不予（否决）公开、信息不存在、非本机关掌握、申请内容不明确、其他类型等各类答复数之和应等于对申请的答复总数，本年度和历年累计两列分别核对；正文写明各类答复数时，也与正文写明的答复总数核对（instance = prose）。含按勾稽关系拆分（recovered）数字的一处不计为通过，记为无法核对。
-- rule: L-outcomes
-- status: structural
-- severity: error

with legacy_sum_rule(total_item, part_glob, total_fact, part_facts, total_name, parts_name) as (
  -- Which items add up to which; the sum per column and in prose, its messages and the not-applicable row are
  -- written once for every legacy sum rule (ingest/database/checks.py LEGACY_SUM).
  -- 统计表: Σ 各类答复数 (item keys answer_*, forms.LEGACY_ITEMS) = 答复总数 (answers_total), per column;
  -- 正文: Σ the outcomes stated in sentences = the answers stated there
  values ('answers_total', 'answer_*', 'applications_answered',
          json_array('applications_granted', 'applications_partly_granted', 'applications_withheld',
                     'applications_not_exist', 'applications_not_held', 'applications_unclear'),
          '答复总数', '各类答复数')
)
select * from legacy_sum
