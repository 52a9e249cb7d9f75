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
