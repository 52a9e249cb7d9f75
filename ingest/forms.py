"""The national report forms, written once.

Everything that knows what a row, a column or a label of the annual report form is reads it from
here: the table parser (`tables`), the record keys, the database lookup tables and views (`load`),
the `metadata.yml` descriptions (`metadata`) and the report page (`plugins/report_page.py`).

Sources: 国办公开办函〔2019〕60号 (the "2019" form) and 国办公开办函〔2021〕30号 (the "2021" form);
see `docs/forms.md` in the spec for the variants that real reports print.

A label is given as a list of alternatives: the first is the official wording (what the report
page prints), the others are variants seen in published reports. Matching ignores white space
between characters, so "商业 企业" and "社会公益\\n组织" match too.
"""
from __future__ import annotations

from dataclasses import dataclass, field

TEMPLATES = ("2019", "2021", "legacy")

TEMPLATE_LABELS = {
    "2019": "2019年格式（国办公开办函〔2019〕60号）",
    "2021": "2021年格式（国办公开办函〔2021〕30号）",
    "legacy": "旧条例时期（2008–2018，无统一格式）",
}


@dataclass(frozen=True)
class Column:
    key: str
    labels: tuple[str, ...]
    description: str = ""

    @property
    def label(self) -> str:
        return self.labels[0]


@dataclass(frozen=True)
class Row:
    key: str
    labels: tuple[str, ...]
    group: str = ""          # printed group label, e.g. "（三）不予公开"
    number: str = ""         # printed ordinal before the label, e.g. "1." or "（一）" or "一、"
    templates: tuple[str, ...] = ("2019", "2021")

    @property
    def label(self) -> str:
        return self.labels[0]


# --------------------------------------------------------------------------------------------
# Table 3 — 收到和处理政府信息公开申请情况
# --------------------------------------------------------------------------------------------

APPLICANT_COLUMNS: tuple[Column, ...] = (
    Column("natural_person", ("自然人",), "申请人为自然人"),
    Column("commercial", ("商业企业",), "法人或其他组织：商业企业"),
    Column("research", ("科研机构", "科研企业"), "法人或其他组织：科研机构"),
    Column("public_interest", ("社会公益组织",), "法人或其他组织：社会公益组织"),
    Column("legal_services", ("法律服务机构",), "法人或其他组织：法律服务机构"),
    Column("other_org", ("其他",), "法人或其他组织：其他"),
    Column("total", ("总计",), "总计（各类申请人合计）"),
)
APPLICANT_COLUMN_KEYS = tuple(c.key for c in APPLICANT_COLUMNS)

_G3 = "（三）不予公开"
_G4 = "（四）无法提供"
_G5 = "（五）不予处理"
_G6 = "（六）其他处理"

APPLICATION_ROWS: tuple[Row, ...] = (
    Row("new_received", ("本年新收政府信息公开申请数量",), "", "一、"),
    Row("carried_over", ("上年结转政府信息公开申请数量",), "", "二、"),
    Row("granted", ("予以公开",), "三、本年度办理结果", "（一）"),
    Row("partly_granted", ("部分公开",), "三、本年度办理结果", "（二）"),
    Row("denied_state_secret", ("属于国家秘密",), _G3, "1."),
    Row("denied_prohibited_by_law", ("其他法律行政法规禁止公开", "其他法律法规禁止公开",
                                     "其他法律、行政法规禁止公开"), _G3, "2."),
    Row("denied_three_safeties", ("危及“三安全一稳定”", "危及三安全一稳定", '危及"三安全一稳定"'), _G3, "3."),
    Row("denied_third_party", ("保护第三方合法权益",), _G3, "4."),
    Row("denied_internal_affairs", ("属于三类内部事务信息",), _G3, "5."),
    Row("denied_process_info", ("属于四类过程性信息",), _G3, "6."),
    Row("denied_enforcement_file", ("属于行政执法案卷",), _G3, "7."),
    Row("denied_admin_query", ("属于行政查询事项",), _G3, "8."),
    Row("unable_not_held", ("本机关不掌握相关政府信息",), _G4, "1."),
    Row("unable_needs_creation", ("没有现成信息需要另行制作",), _G4, "2."),
    Row("unable_unclear", ("补正后申请内容仍不明确",), _G4, "3."),
    Row("rejected_petition", ("信访举报投诉类申请",), _G5, "1."),
    Row("rejected_duplicate", ("重复申请",), _G5, "2."),
    Row("rejected_publication", ("要求提供公开出版物",), _G5, "3."),
    Row("rejected_mass_repeat", ("无正当理由大量反复申请",), _G5, "4."),
    Row("rejected_confirmation", ("要求行政机关确认或重新出具已获取信息",), _G5, "5."),
    Row("other", ("其他处理",), "三、本年度办理结果", "（六）", ("2019",)),
    Row("other_no_correction", ("申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
                                "申请人无正当理由逾期不补正"), _G6, "1.", ("2021",)),
    Row("other_unpaid_fee", ("申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
                             "申请人逾期未按收费通知要求缴纳费用"), _G6, "2.", ("2021",)),
    Row("other_other", ("其他",), _G6, "3.", ("2021",)),
    Row("total_processed", ("总计",), "三、本年度办理结果", "（七）"),
    Row("carried_forward", ("结转下年度继续办理",), "", "四、"),
)
APPLICATION_ROW_KEYS = tuple(r.key for r in APPLICATION_ROWS)
APPLICATION_ROW_BY_KEY = {r.key: r for r in APPLICATION_ROWS}

# The form's identities by the Chinese name a reader sees in a warning (the rules of forms.md §7 that the
# parser itself uses to cut glued digit runs; the checks' full titles are in canned_queries/checks/).
IDENTITY_NAMES = {
    "T3-row-total": "表三行合计", "T3-results": "表三办理结果合计", "T3-balance": "表三总量平衡",
    "T4-total": "表四合计", "T2-2021-valid": "表二现行有效件数", "T2-2019-prev": "表二本年项目数量不为负",
    "L-channels": "统计表各渠道申请数之和", "L-outcomes": "统计表各类答复数之和",
}

# Which result rows add up to （七）总计 (rule T3-results), per layout of block （六）.
RESULT_ROWS_2019 = tuple(k for k in APPLICATION_ROW_KEYS[2:APPLICATION_ROW_KEYS.index("other") + 1])
RESULT_ROWS_2021 = tuple(k for k in APPLICATION_ROW_KEYS[2:APPLICATION_ROW_KEYS.index("other_other") + 1]
                         if k != "other")


def application_rows(six_split: bool) -> tuple[Row, ...]:
    """The table-3 rows a report prints: block （六） is one row (2019) or three (2021)."""
    drop = "2019" if six_split else "2021"
    return tuple(r for r in APPLICATION_ROWS if r.templates != (drop,))


# --------------------------------------------------------------------------------------------
# Table 4 — 行政复议、行政诉讼
# --------------------------------------------------------------------------------------------

REVIEW_KINDS: tuple[Column, ...] = (
    Column("review", ("行政复议",), "行政复议"),
    Column("litigation_direct", ("未经复议直接起诉",), "行政诉讼：未经复议直接起诉"),
    Column("litigation_after_review", ("复议后起诉",), "行政诉讼：复议后起诉"),
)
REVIEW_KIND_KEYS = tuple(k.key for k in REVIEW_KINDS)
REVIEW_OUTCOMES: tuple[Column, ...] = (
    Column("upheld", ("结果维持",), "结果维持"),
    Column("corrected", ("结果纠正",), "结果纠正"),
    Column("other", ("其他结果",), "其他结果"),
    Column("pending", ("尚未审结",), "尚未审结"),
    Column("total", ("总计",), "总计"),
)
REVIEW_OUTCOME_KEYS = tuple(c.key for c in REVIEW_OUTCOMES)


# --------------------------------------------------------------------------------------------
# Table 2 — 主动公开政府信息情况
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Metric:
    key: str
    labels: tuple[str, ...]
    kind: str = "count"      # count | signed | amount
    description: str = ""

    @property
    def label(self) -> str:
        return self.labels[0]


@dataclass(frozen=True)
class Item:
    key: str
    labels: tuple[str, ...]
    block: str               # "（一）", "（五）", ...
    metrics: tuple[Metric, ...] = field(default_factory=tuple)

    @property
    def label(self) -> str:
        return self.labels[0]


_M_NEW_MADE = Metric("new_made", ("本年新制作数量",), "count", "本年新制作数量（件）")
_M_NEW_PUB = Metric("new_published", ("本年新公开数量",), "count", "本年新公开数量（件）")
_M_TOTAL_PUB = Metric("total_published", ("对外公开总数量",), "count", "对外公开总数量（件）")
_M_PREV = Metric("previous_count", ("上一年项目数量",), "count", "上一年项目数量（项）")
_M_CHANGE = Metric("change", ("本年增/减", "本年增减"), "signed", "本年增/减（项，带符号）")
_M_DECISIONS_2019 = Metric("decisions", ("处理决定数量",), "count", "处理决定数量（件）")
_M_PROJECTS = Metric("projects", ("采购项目数量",), "count", "采购项目数量（项）")
_M_AMOUNT_2019 = Metric("amount_yuan", ("采购总金额",), "amount", "采购总金额，折算为元（精确小数）")
_M_ISSUED = Metric("issued", ("本年制发件数",), "count", "本年制发件数（件）")
_M_REPEALED = Metric("repealed", ("本年废止件数",), "count", "本年废止件数（件）")
_M_IN_FORCE = Metric("in_force", ("现行有效件数",), "count", "现行有效件数（件）")
_M_DECISIONS_2021 = Metric("decisions", ("本年处理决定数量",), "count", "本年处理决定数量（件）")
_M_FEE_2021 = Metric("amount_yuan", ("本年收费金额",), "amount", "本年收费金额，折算为元（精确小数）")

ACTIVE_ITEMS: dict[str, tuple[Item, ...]] = {
    "2019": (
        Item("regulations", ("规章",), "（一）", (_M_NEW_MADE, _M_NEW_PUB, _M_TOTAL_PUB)),
        Item("normative_documents", ("规范性文件", "行政规范性文件"), "（一）", (_M_NEW_MADE, _M_NEW_PUB, _M_TOTAL_PUB)),
        Item("licensing", ("行政许可",), "（五）", (_M_PREV, _M_CHANGE, _M_DECISIONS_2019)),
        Item("other_services", ("其他对外管理服务事项",), "（五）", (_M_PREV, _M_CHANGE, _M_DECISIONS_2019)),
        Item("penalties", ("行政处罚",), "（六）", (_M_PREV, _M_CHANGE, _M_DECISIONS_2019)),
        Item("enforcement", ("行政强制",), "（六）", (_M_PREV, _M_CHANGE, _M_DECISIONS_2019)),
        Item("fees", ("行政事业性收费",), "（八）", (_M_PREV, _M_CHANGE)),
        Item("procurement", ("政府集中采购",), "（九）", (_M_PROJECTS, _M_AMOUNT_2019)),
    ),
    "2021": (
        Item("regulations", ("规章",), "（一）", (_M_ISSUED, _M_REPEALED, _M_IN_FORCE)),
        Item("normative_documents", ("行政规范性文件", "规范性文件"), "（一）", (_M_ISSUED, _M_REPEALED, _M_IN_FORCE)),
        Item("licensing", ("行政许可",), "（五）", (_M_DECISIONS_2021,)),
        Item("penalties", ("行政处罚",), "（六）", (_M_DECISIONS_2021,)),
        Item("enforcement", ("行政强制",), "（六）", (_M_DECISIONS_2021,)),
        Item("fees", ("行政事业性收费",), "（八）", (_M_FEE_2021,)),
    ),
}

BLOCK_TITLES = {
    "（一）": "第二十条第（一）项",
    "（五）": "第二十条第（五）项",
    "（六）": "第二十条第（六）项",
    "（八）": "第二十条第（八）项",
    "（九）": "第二十条第（九）项",
}

# Table-2 header words that identify the form (forms.md §1).
TEMPLATE_HEADER_WORDS = {
    "2019": ("本年新制作数量", "本年新公开数量", "对外公开总数量", "上一年项目数量", "采购项目数量"),
    "2021": ("本年制发件数", "本年废止件数", "现行有效件数", "本年处理决定数量", "本年收费金额"),
}


# --------------------------------------------------------------------------------------------
# Report sections (forms.md §2)
# --------------------------------------------------------------------------------------------

SECTIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    # (number, official title, variants: distinctive words after the number)
    ("一", "总体情况", ("总体情况", "概述", "政府信息公开工作总体情况", "基本情况")),
    ("二", "主动公开政府信息情况", ("主动公开政府信息情况", "主动公开政府信息的情况", "主动公开情况")),
    ("三", "收到和处理政府信息公开申请情况",
     ("收到和处理政府信息公开申请情况", "收到和处理政府信息公开的申请情况", "收到的处理政府信息公开申请情况",
      "依申请公开政府信息的情况", "依申请公开政府信息情况", "依申请公开情况")),
    ("四", "政府信息公开行政复议、行政诉讼情况",
     ("政府信息公开行政复议、行政诉讼情况", "政府信息公开行政法复议、行政诉讼情况",
      "因政府信息公开工作被申请行政复议和提起行政诉讼情况", "申请行政复议、提起行政诉讼的情况",
      "因政府信息公开申请行政复议、提起行政诉讼的情况", "行政复议和行政诉讼情况")),
    ("五", "存在的主要问题及改进情况",
     ("存在的主要问题及改进情况", "政府信息公开工作存在的主要问题及改进情况", "存在的主要问题及改进措施",
      "存在问题及下一步计划", "存在的问题及改进措施", "存在的主要问题和改进措施")),
    ("六", "其他需要报告的事项", ("其他需要报告的事项", "其他需要报告的情况", "信息公开的收费及减免情况")),
)


# --------------------------------------------------------------------------------------------
# Prose facts (figures stated in the narrative)
# --------------------------------------------------------------------------------------------

FACT_METRICS: dict[str, str] = {
    "disclosed_items": "主动公开政府信息数（条）",
    "applications_received": "收到/新收/受理的政府信息公开申请数（件）",
    "applications_carried_over": "上年结转的申请数（件）",
    "applications_processed": "办结的申请数（件）",
    "applications_carried_forward": "结转下年度办理的申请数（件）",
    "applications_granted": "予以公开/同意公开的申请数（件）",
    "reviews": "政府信息公开行政复议案件数（件）",
    "lawsuits": "政府信息公开行政诉讼案件数（件）",
    "fee_yuan": "收取的信息处理费（元）",
    "report_period_year": "统计期限所在年份（“统计期限自YYYY年1月1日起”）",
    "year_mentioned_with_applications": "申请情况段落中写明的年份（用于核对TX-year）",
    "applications_in_person": "当面申请数（件，旧条例时期）",
    "applications_online": "网上（网络）申请数（件，旧条例时期）",
    "applications_letter": "信函申请数（件，旧条例时期）",
    "applications_fax": "传真申请数（件，旧条例时期）",
    "applications_email": "电子邮件申请数（件，旧条例时期）",
    "applications_answered": "答复总数（件，旧条例时期）",
    "applications_partly_granted": "部分公开的申请数（件）",
    "applications_withheld": "不予（否决、免于）公开的申请数（件）",
    "applications_not_exist": "答复信息不存在的申请数（件，旧条例时期）",
    "applications_not_held": "答复非本机关掌握的申请数（件，旧条例时期）",
    "applications_unclear": "答复申请内容不明确的申请数（件，旧条例时期）",
    "applications_on_time": "按时办结（答复）的申请数（件）",
    "applications_extended": "延期办结（答复）的申请数（件）",
    "reviews_corrected": "行政复议结果纠正（纠错、撤销）的案件数（件）",
    "lawsuits_corrected": "行政诉讼结果纠正（纠错、撤销、败诉）的案件数（件）",
    "fee_exemptions_yuan": "减免的费用（元）",
}

# Cell kinds recorded in the provenance of every table cell.
CELL_KINDS = {
    "number": "印刷的数字",
    "blank": "空白单元格",
    "placeholder": "占位符（—、/、无等）",
    "unreadable": "无法读取（粘连、缺失或格式错误）",
    "recovered": "由表内勾稽关系唯一推出（原文缺失该单元格，或数字粘连、按勾稽关系唯一拆分）",
    "missing": "原文中未找到该行",
}


# --------------------------------------------------------------------------------------------
# Legacy statistics table (2008–2018, forms.md §6): 政府信息公开情况统计表 / 附表
# --------------------------------------------------------------------------------------------
# No national form existed: each province printed its own table, mostly the same items in the same
# words — 指标名称 | 计量单位 | 本年度 | 历年累计. An item is given once, with the labels real reports
# print (the first is the one the site shows), its usual unit and its group: the items of a group
# add up to the group's total ("channels" to applications_received, "outcomes" to answers_total),
# which is what the legacy table reader uses to cut glued digits and what L-channels/L-outcomes check.

@dataclass(frozen=True)
class LegacyItem:
    key: str
    labels: tuple[str, ...]
    unit: str = "条"
    group: str = ""          # "channels" (adds up to applications_received), "outcomes" (to answers_total)
    description: str = ""

    @property
    def label(self) -> str:
        return self.labels[0]


LEGACY_ITEMS: tuple[LegacyItem, ...] = (
    LegacyItem("disclosed_items", ("主动公开信息数", "主动公开文件数", "主动公开政府信息数", "主动公开政府信息总数",
                                   "主动公开信息总数", "主动公开信息条数"), "条", "", "主动公开的政府信息数"),
    LegacyItem("disclosed_web", ("网站公开", "政府网站公开数", "网站公开数", "政府网站公开", "门户网站公开数"),
               "条", "", "其中：在政府网站公开的"),
    LegacyItem("disclosed_gazette", ("政府公报公开", "政府公报公开数", "公报公开数"), "条", "", "其中：在政府公报公开的"),
    LegacyItem("disclosed_normative", ("规范性文件数", "主动公开规范性文件数"), "件", "", "其中：规范性文件"),
    LegacyItem("applications_received", ("受理依申请公开信息总数", "受理申请总数", "依申请公开信息总数", "受理依申请公开总数",
                                         "收到申请总数", "申请总数", "受理政府信息公开申请总数"), "条", "",
               "受理（收到）的政府信息公开申请数"),
    LegacyItem("channel_in_person", ("当面申请数", "当面申请"), "条", "channels", "其中：当面申请"),
    LegacyItem("channel_fax", ("传真申请数", "传真申请"), "条", "channels", "其中：传真申请"),
    LegacyItem("channel_email", ("电子邮件申请数", "电子邮件申请", "电子邮箱申请数"), "条", "channels", "其中：电子邮件申请"),
    LegacyItem("channel_online", ("网上申请数", "网络申请数", "网上申请", "互联网申请数", "网上申请（含电子邮件）数"),
               "条", "channels", "其中：网上（网络）申请"),
    LegacyItem("channel_letter", ("信函申请数", "信函申请", "来信申请数"), "条", "channels", "其中：信函申请"),
    LegacyItem("channel_letter_fax", ("信函、传真申请数", "信函传真申请数"), "条", "channels", "其中：信函、传真申请"),
    LegacyItem("channel_other", ("其它形式申请数", "其他形式申请数", "其他申请数", "其他方式申请数", "其它方式申请数"), "条", "channels",
               "其中：其他形式的申请"),
    LegacyItem("answers_total", ("对申请的答复数", "对申请的答复总数", "答复总数", "申请答复总数", "已答复申请数"), "条", "",
               "对申请作出的答复数"),
    LegacyItem("answer_granted", ("同意公开答复数", "同意公开数", "予以公开答复数"), "条", "outcomes", "其中：同意公开"),
    LegacyItem("answer_partly", ("同意部分公开答复数", "部分公开答复数", "同意部分公开数"), "条", "outcomes", "其中：同意部分公开"),
    LegacyItem("answer_refused", ("否决公开答复数", "否决公开答复总数", "不予公开答复数", "不同意公开答复数", "不予公开数"), "条", "outcomes",
               "其中：不予（否决）公开"),
    LegacyItem("answer_not_exist", ("信息不存在答复数", "信息不存在数", "信息不存在答复"), "条", "outcomes", "其中：信息不存在"),
    LegacyItem("answer_not_held", ("非本机关掌握答复数", "非本机关掌握数", "非本部门掌握数", "非本部门掌握答复数", "不属于本机关掌握答复数"), "条", "outcomes",
               "其中：非本机关掌握"),
    LegacyItem("answer_unclear", ("申请内容不明确答复数", "申请内容不明确数"), "条", "outcomes", "其中：申请内容不明确"),
    LegacyItem("answer_other", ("其他类型答复数", "其它类型答复数", "其他答复数", "其它答复数"), "条", "outcomes",
               "其中：其他类型的答复"),
    LegacyItem("fees_exemptions_yuan", ("政府信息公开收费减免金额", "收费减免金额", "收费及减免金额"), "元", "",
               "政府信息公开收费及减免金额（元）"),
    LegacyItem("fees_yuan", ("政府信息公开收费金额", "收取费用", "收费金额"), "元", "", "政府信息公开收取的费用（元）"),
    LegacyItem("fee_exemptions_yuan", ("减免费用", "减免金额"), "元", "", "减免的费用（元）"),
    LegacyItem("reviews", ("行政复议数", "行政复议案件数", "申请行政复议数"), "件", "", "政府信息公开行政复议案件数"),
    LegacyItem("lawsuits", ("行政诉讼数", "行政诉讼案件数", "提起行政诉讼数"), "件", "", "政府信息公开行政诉讼案件数"),
    LegacyItem("complaints", ("行政申诉数", "行政申诉总数", "行政申诉、举报数", "接受行政诉讼、举报数", "申诉、举报数", "申诉数", "举报数",
                              "接受申诉、举报数"), "件", "", "政府信息公开申诉、举报数"),
    LegacyItem("staff_full_time", ("专职工作人员数", "专职人员数"), "人", "", "政府信息公开专职工作人员"),
    LegacyItem("staff_part_time", ("兼职工作人员数", "兼职人员数"), "人", "", "政府信息公开兼职工作人员"),
    LegacyItem("budget_wan_yuan", ("政府信息公开工作专项经费", "专项经费", "工作经费"), "万元", "", "政府信息公开工作经费"),
)
LEGACY_ITEM_BY_KEY = {i.key: i for i in LEGACY_ITEMS}
# "其中" items that are part of a total without having to add up to it: each is at most its total, in
# every column (Pingtan 2012: 网站公开 1795 + 政府公报公开 0 of 主动公开信息数 2026 — the other 231 went out
# elsewhere). The legacy table reader cuts glued digits under these bounds too (rule name below).
LEGACY_PARTS: dict[str, tuple[str, ...]] = {
    "disclosed_items": ("disclosed_web", "disclosed_gazette", "disclosed_normative"),
}
LEGACY_PART_RULE = "其中项不大于总数"
LEGACY_UNITS = ("万元", "人次", "条", "件", "元", "人", "个", "项", "次", "篇", "期")
# 统计表 header words: the table starts after them; 累计 marks the cumulative column
LEGACY_HEADER_WORDS = ("指标名称", "统计指标", "项目名称")


# --------------------------------------------------------------------------------------------
# A series across forms (the view annual_series): comparable metrics, and where each form has them
# --------------------------------------------------------------------------------------------
# Each metric: its Chinese label, then per source the place it is read from —
#   cell: (table, row_key, col_key) in `cells` of a 2019/2021 report (col "total" for table 3/4 totals),
#   legacy: a LegacyItem key (this year's value in legacy_stats), fact: a prose fact metric (any form,
#   used when neither a cell nor a legacy item has the value).
# `changed` says where the concept differs between forms: the view flags those values.

@dataclass(frozen=True)
class SeriesMetric:
    key: str
    label: str
    cells: tuple[tuple[str, str, str], ...] = ()   # (table, row_key, col_key), summed
    legacy: tuple[str, ...] = ()                   # legacy item keys, summed
    fact: str = ""
    changed: str = ""                              # how the concept changed between forms (empty: it did not)


SERIES_METRICS: tuple[SeriesMetric, ...] = (
    SeriesMetric("applications_received", "收到申请数（件）",
                 (("applications", "new_received", "total"),), ("applications_received",), "applications_received",
                 "旧条例时期为“受理（收到）申请数”，2019年起为“本年新收申请数”（不含上年结转）"),
    SeriesMetric("granted", "同意（予以）公开（件）",
                 (("applications", "granted", "total"),), ("answer_granted",), "applications_granted",
                 "旧条例时期为“同意公开答复数”，2019年起为“予以公开”"),
    SeriesMetric("partly_granted", "部分公开（件）",
                 (("applications", "partly_granted", "total"),), ("answer_partly",), "applications_partly_granted",
                 "2019年起“区分处理的，只计这一情形”，旧条例时期无此限定"),
    SeriesMetric("withheld", "不予公开（件）",
                 tuple(("applications", r.key, "total") for r in APPLICATION_ROWS if r.key.startswith("denied_")), ("answer_refused",),
                 "applications_withheld",
                 "旧条例时期为“不予（否决）公开答复数”，2019年起为“不予公开”八种情形之和"),
    SeriesMetric("could_not_provide", "无法提供（件）",
                 tuple(("applications", r.key, "total") for r in APPLICATION_ROWS if r.key.startswith("unable_")),
                 ("answer_not_exist", "answer_not_held", "answer_unclear"), "applications_could_not_provide",
                 "旧条例时期为“信息不存在、非本机关掌握、申请内容不明确”之和，2019年起为“无法提供”三种情形之和"),
    SeriesMetric("reviews", "行政复议（件）", (("reviews_litigation", "review", "total"),), ("reviews",), "reviews"),
    SeriesMetric("lawsuits", "行政诉讼（件）",
                 (("reviews_litigation", "litigation_direct", "total"), ("reviews_litigation", "litigation_after_review", "total")),
                 ("lawsuits",), "lawsuits",
                 "2019年起为未经复议直接起诉与复议后起诉之和"),
    SeriesMetric("review_corrections", "行政复议结果纠正（件）", (("reviews_litigation", "review", "corrected"),), (),
                 "reviews_corrected", "旧条例时期的统计表不分结果，只有正文写明时才有"),
    SeriesMetric("lawsuit_corrections", "行政诉讼结果纠正（件）",
                 (("reviews_litigation", "litigation_direct", "corrected"),
                  ("reviews_litigation", "litigation_after_review", "corrected")), (), "lawsuits_corrected",
                 "旧条例时期的统计表不分结果，只有正文写明时才有"),
    SeriesMetric("items_disclosed", "主动公开信息数（条）", (), ("disclosed_items",), "disclosed_items",
                 "旧条例时期为统计表“主动公开信息数”（本年度）；2019年起表二只统计规章、规范性文件等几类，"
                 "不可比，只取正文写明的主动公开信息数"),
)
SERIES_SOURCES = {"cell": "2019/2021年格式表格单元格（cells）", "legacy": "旧条例时期统计表（legacy_stats，本年度）",
                  "fact": "正文中写明的数字（facts）"}
