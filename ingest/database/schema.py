"""The database schema, written once: every table and column with a Chinese description.

Why one place: the loader (`load`) creates the tables from here, `metadata` turns the same
descriptions into `metadata.yml`, and a downloaded gongkai.db carries them too (lookup tables and
views), so the database explains itself. Each description names the English key in brackets so a
reader of the Chinese site can write SQL against it (PUDL style).

`TABLES[name]` = {"description", "columns": {col: (sqlite type, description)}, "pk",
"foreign_keys": [(col, other_table, other_col)], "indexes": [[cols...]], optional "fts_table",
"fts_pk", "label_column", "sort"}. `check_results` is not here: `ingest.database.checks` owns it.
"""
from __future__ import annotations

import hashlib
import json
import re

from .. import forms
from . import stats

_REPORT_FK = [("report_id", "reports", "id")]


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


_REPORT_ID = ("TEXT", "报告编号（report_id），对应 reports.id")
_YEAR = ("INTEGER", "报告年度（year）")                              # the summary tables' grouping columns
_PROVINCE = ("TEXT", "省级行政区（province），同 reports.province")
_LINE = ("INTEGER", "所在行号（line），从 1 起，指 source_texts.text 中的行")

TABLES: dict[str, dict] = {
    "reports": {
        "description": "年度报告（reports）：每个报告文件一行，含发布机关、年份、格式、行政区划和解析状态。",
        "pk": "id",
        "label_column": "title",
        "columns": {
            "id": ("TEXT", "报告编号（id）：报告文件相对路径的 SHA-256 前 16 位十六进制"),
            "report_key": ("INTEGER", "报告整数键（report_key）：紧凑存储的大表（cell_values、section_spans）用这个小整数"
                                      "代替 16 位的 id；在一个数据库内唯一，重新构建后可能不同，对外请用 id"),
            "path": ("TEXT", "文件路径（path），相对于构建时给出的目录"),
            "sha256": ("TEXT", "文件内容的 SHA-256（sha256），用于增量构建判断文件是否改变"),
            "bytes": ("INTEGER", "文件大小，字节（bytes）"),
            "encoding": ("TEXT", "识别出的文字编码（encoding），如 utf-8、gb18030"),
            "format": ("TEXT", "文件格式（format）：text 纯文本 / html 网页 / markdown / pdf / docx；"
                               "不能读取的格式为 doc（含 WPS）、image 图片、archive 压缩包等"),
            "pages": ("INTEGER", "PDF 页数（pages）；非 PDF 文件为空"),
            "title": ("TEXT", "报告标题（title）"),
            "agency": ("TEXT", "发布机关（agency）"),
            "agency_kind": ("TEXT", "机关类型（agency_kind）：government 本级政府 / department 政府部门；未识别为空"),
            "agency_id": ("TEXT", "机关标识（agency_id）：行政区划代码 + 规范化机关名称，用于跨年份识别同一机关"),
            "year": ("INTEGER", "报告年度（year）：报告所统计的年份"),
            "published_on": ("TEXT", "发布日期（published_on），YYYY-MM-DD；未注明为空"),
            "template": ("TEXT", "报告格式（template）：2019 / 2021 / legacy（旧条例时期，无统一格式）"),
            "adcode": ("TEXT", "行政区划代码（adcode），6 位"),
            "province": ("TEXT", "省级行政区（province）"),
            "city": ("TEXT", "地级行政区（city）"),
            "county": ("TEXT", "县级行政区（county）"),
            "parse_status": ("TEXT", "解析状态（parse_status）：ok 完整 / partial 部分（有警告或单元格无法读取）/ failed 失败"),
            "n_warnings": ("INTEGER", "解析警告数（n_warnings），明细见 warnings 表"),
            "source_url": ("TEXT", "原文地址（source_url）：采集时的链接（见文件旁的 .source.json 来源记录），"
                                   "或存档文件头部的“原文链接”；未知为空"),
            "retrieved_at": ("TEXT", "获取时间（retrieved_at），UTC，ISO 8601；仅采集的文件有，存档文件未注明为空"),
            "attached_to": ("TEXT", "所附网页（attached_to）：本文件是某报告网页的附件时，该网页的地址"),
            "merged_from": ("TEXT", "合并来源（merged_from）：同一报告的网页与附件合并为一条时，被合并文件的 "
                                    "path、source_url、retrieved_at（JSON 数组）"),
        },
        # (year, template, province): the reports page filtered by year counts its facets from the index
        # (year, template, province) also orders the report list (/reports): newest year first, a page read in index order
        "indexes": [["year", "template", "province"], ["template"], ["province"], ["adcode"], ["agency_id", "year"],
                    ["parse_status"], ["path"]],
        "sort_desc": "year",
    },
    "active_disclosure": {
        "description": "主动公开政府信息情况（active_disclosure，表二）：每个报告 × 信息内容 × 统计指标一行。",
        "columns": {
            "report_id": _REPORT_ID,
            "block": ("TEXT", "所属条款（block），如“（一）”表示第二十条第（一）项"),
            "item": ("TEXT", "信息内容（item），如 规章、行政许可"),
            "item_key": ("TEXT", "信息内容键（item_key），见 form_metrics"),
            "metric": ("TEXT", "统计指标键（metric），如 new_made、in_force、amount_yuan，见 form_metrics"),
            "value": ("REAL", "数值（value）；金额已折算为元；空白、占位符或无法读取时为空，原因见 cells.kind"),
            "value_exact": ("TEXT", "精确数值（value_exact）：十进制文本，金额不丢失印刷精度"),
            "unit_printed": ("TEXT", "原文印刷的单位（unit_printed），如 万元、元；未印刷为空"),
            "line": _LINE,
        },
        "foreign_keys": _REPORT_FK,
        # WITHOUT ROWID keyed (report_id, item_key, metric): the checks' reads of a report's items are one range
        # of the table itself (canned_queries/checks/), no covering index holding them again
        "pk": ("report_id", "item_key", "metric"),
        "without_rowid": True,
        "indexes": [["item_key", "metric"]],
    },
    "applications": {
        "description": "收到和处理政府信息公开申请情况（applications，表三）：每个报告 × 表三的一行，"
                       "一列对应一类申请人，与印刷表格同形。",
        # WITHOUT ROWID, keyed (report_id, row_key): the table is its own covering index of a report's table 3
        # (the checks read it in one range), instead of a table plus an index holding every number again
        "pk": ("report_id", "row_key"),
        "without_rowid": True,
        "columns": {
            "report_id": _REPORT_ID,
            "row_key": ("TEXT", "行键（row_key），如 new_received 本年新收、total_processed 总计，见 form_rows"),
            "row_order": ("INTEGER", "行在表格中的次序（row_order），从 1 起"),
            "label": ("TEXT", "行的中文名称（label），按国家格式的官方措辞"),
            **{c.key: ("INTEGER", f"{c.description}（{c.key}）；空白、占位符或无法读取时为空")
               for c in forms.APPLICANT_COLUMNS},
        },
        "foreign_keys": _REPORT_FK,
        # (row_key, total): a table page filtered by row and sorted by total reads the index in order
        "indexes": [["row_key", "total"]],
    },
    "reviews_litigation": {
        "description": "政府信息公开行政复议、行政诉讼情况（reviews_litigation，表四）：每个报告 × "
                       "行政复议 / 未经复议直接起诉 / 复议后起诉 一行。",
        "pk": ("report_id", "kind"),       # WITHOUT ROWID: its own covering index, as applications
        "without_rowid": True,
        "columns": {
            "report_id": _REPORT_ID,
            "kind": ("TEXT", "类别（kind）：review 行政复议 / litigation_direct 未经复议直接起诉 / "
                             "litigation_after_review 复议后起诉"),
            "kind_order": ("INTEGER", "类别次序（kind_order），从 1 起"),
            "label": ("TEXT", "类别中文名称（label）"),
            **{c.key: ("INTEGER", f"{c.description}（{c.key}）；空白、占位符或无法读取时为空")
               for c in forms.REVIEW_OUTCOMES},
        },
        "foreign_keys": _REPORT_FK,
        "indexes": [["kind"]],
    },
    "facts": {
        "description": "正文中的数字（facts）：报告叙述部分写明的统计数，用于与表格核对。",
        "columns": {
            "report_id": _REPORT_ID,
            "metric": ("TEXT", "指标键（metric），如 applications_received，见 form_metrics（table = facts）"),
            "value": ("REAL", "数值（value）"),
            "unit": ("TEXT", "单位（unit），如 件、条、元"),
            "text": ("TEXT", "原文片段（text）"),
            "line": _LINE,
        },
        "foreign_keys": _REPORT_FK,
        "indexes": [["report_id", "metric"], ["metric"]],
    },
    "legacy_stats": {
        "description": "旧条例时期统计表（legacy_stats）：2008–2018 年报告所附“政府信息公开情况统计表”，每个报告 × "
                       "统计项目一行，含本年度数和历年累计数。项目见 form_metrics（table_name = legacy_stats）；"
                       "定义中没有的项目按原文名称保存，item_key 为空。",
        "columns": {
            "report_id": _REPORT_ID,
            "item_order": ("INTEGER", "项目在统计表中的次序（item_order），从 1 起"),
            "item_key": ("TEXT", "项目键（item_key），如 applications_received、channel_online、answer_granted，"
                                 "见 form_metrics；定义中没有的项目为空"),
            "label": ("TEXT", "项目名称（label），按原文印刷（去掉“其中：”和序号）"),
            "unit": ("TEXT", "计量单位（unit），按原文印刷，如 条、件、元；未印刷为空"),
            "value": ("REAL", "本年度数（value），按 unit 所示单位（万元不折算为元）；粘连无法唯一拆分、缺失或占位符时为空，原因见 kind 和 warnings"),
            "cumulative": ("REAL", "历年累计数（cumulative）；统计表没有累计列或无法读取时为空"),
            "kind": ("TEXT", "本年度数的类型（kind）：" + "；".join(f"{k} {v}" for k, v in forms.CELL_KINDS.items())),
            "kind_cumulative": ("TEXT", "历年累计数的类型（kind_cumulative），同 kind；没有累计列为空"),
            "printed": ("TEXT", "原文印刷的数字（printed），粘连时为整串数字"),
            "line": _LINE,
            "span_start": ("INTEGER", "数字在该行中的起始字符位置（span_start），从 0 起"),
            "span_end": ("INTEGER", "数字在该行中的结束字符位置（span_end），不含"),
            "page": ("INTEGER", "所在页码（page）：只有分页的原文（PDF）才有；文本和网页为空"),
        },
        "foreign_keys": _REPORT_FK,
        "indexes": [["report_id", "item_key", "value", "cumulative"], ["item_key"]],
    },
    "sections": {
        "description": "报告章节（sections）：每个报告的各部分（一至六）及其全文；全文检索见 sections_fts。"
                       "这是视图：章节存于 section_spans，全文按字符位置从 source_texts.text 中取出（原文只存一次）。",
        "view_of": "section_spans",
        "pk": "id",
        "label_column": "title",
        "fts_table": "sections_fts",
        "fts_pk": "id",
        "columns": {
            "id": ("INTEGER", "章节行号（id），全文检索表 sections_fts 的 rowid"),
            "report_id": _REPORT_ID,
            "number": ("TEXT", "章节序号（number）：一 至 六"),
            "title": ("TEXT", "章节标题（title），按原文"),
            "text": ("TEXT", "章节全文（text）"),
            "line_start": ("INTEGER", "起始行号（line_start）"),
            "line_end": ("INTEGER", "结束行号（line_end）"),
        },
        "indexes": [],
    },
    "section_spans": {
        "description": "章节的紧凑存储（section_spans）：视图 sections 的底表；章节全文不另存，只记它在 source_texts.text "
                       "中的字符位置（原文找不到该段文字时才存全文）。查询请用视图 sections。",
        "pk": "id",
        "columns": {
            "id": ("INTEGER", "章节行号（id），全文检索表 sections_fts 的 rowid"),
            "report_key": ("INTEGER", "报告整数键（report_key），对应 reports.report_key"),
            "number": ("TEXT", "章节序号（number）：一 至 六"),
            "title": ("TEXT", "章节标题（title），按原文"),
            "line_start": ("INTEGER", "起始行号（line_start）"),
            "line_end": ("INTEGER", "结束行号（line_end）"),
            "text_start": ("INTEGER", "章节全文在 source_texts.text 中的起始字符位置（text_start），从 1 起（SQL substr 的位置）"),
            "text_length": ("INTEGER", "章节全文的字符数（text_length）"),
            "text": ("TEXT", "章节全文（text）：只在原文中找不到这段文字时存；通常为空"),
        },
        "indexes": [["report_key", "number"], ["number"]],
    },
    "warnings": {
        "description": "解析警告（warnings）：解析时发现的问题，如无法解码的字节、缺失的单元格。",
        "columns": {
            "report_id": _REPORT_ID,
            "code": ("TEXT", "警告代码（code）"),
            "message": ("TEXT", "警告说明（message）"),
            "line": _LINE,
        },
        "foreign_keys": _REPORT_FK,
        "indexes": [["report_id"], ["code"]],
    },
    "cells": {
        "description": "单元格出处（cells）：每个表格单元格的数值、原文印刷文字、单位、类型和位置。"
                       "这是视图：数据存于紧凑表 cell_values（整数键），这里换回可读的报告编号和表、行、列键。",
        "view_of": "cell_values",
        "columns": {
            "report_id": _REPORT_ID,
            "table_name": ("TEXT", "所属表格（table_name）：active_disclosure 表二 / applications 表三 / "
                                   "reviews_litigation 表四"),
            "row_key": ("TEXT", "行键（row_key）"),
            "col_key": ("TEXT", "列键（col_key）"),
            "value": ("REAL", "数值（value）；非数字时为空"),
            "printed": ("TEXT", "原文印刷文字（printed）"),
            "unit": ("TEXT", "单位（unit）"),
            "kind": ("TEXT", "单元格类型（kind）：" + "；".join(f"{k} {v}" for k, v in forms.CELL_KINDS.items())),
            "line": _LINE,
            "span_start": ("INTEGER", "在该行中的起始字符位置（span_start），从 0 起"),
            "span_end": ("INTEGER", "在该行中的结束字符位置（span_end），不含"),
            "page": ("INTEGER", "PDF 中所在页码（page），从 1 起；非 PDF 报告为空"),
            "bbox": ("TEXT", "PDF 中的位置（bbox）：[左, 下, 右, 上]，单位为 PDF 点（1/72 英寸），原点在页面左下角；"
                             "非 PDF 报告或空白单元格为空"),
        },
        "indexes": [],
    },
    "cell_values": {
        "description": "单元格出处的紧凑存储（cell_values）：视图 cells 的底表，每个单元格一行，主键（报告, 单元格）"
                       "为小整数（WITHOUT ROWID，不另建索引）。查询请用视图 cells。",
        "pk": ("report_key", "cell_key"),
        "without_rowid": True,
        "columns": {
            "report_key": ("INTEGER", "报告整数键（report_key），对应 reports.report_key"),
            "cell_key": ("INTEGER", "单元格键（cell_key），对应 cell_keys.code：哪张表的哪一行哪一列"),
            "value": ("REAL", "数值（value）；非数字时为空"),
            "printed": ("TEXT", "原文印刷文字（printed）：与数值的十进制整数写法相同时不存（空值），原文确无印刷文字"
                                "而数值不空时存空二进制串（X''）；视图 cells 还原为原文"),
            "kind": ("INTEGER", "单元格类型（kind）代码：" + "；".join(
                f"{i} {k}" for i, k in enumerate(forms.CELL_KINDS, 1)) + "；代码表外的类型按原文存"),
            "line": _LINE,
            "span_start": ("INTEGER", "在该行中的起始字符位置（span_start），从 0 起"),
            "span_end": ("INTEGER", "在该行中的结束字符位置（span_end），不含：等于起始位置加印刷文字的字数时不存（空值），"
                                    "原文确无结束位置而能推出时存空二进制串（X''）；视图 cells 还原"),
            "extra": ("TEXT", "单位、页码和位置（extra）：JSON 数组 [unit, page, bbox]，三者都为空（文本和网页报告的"
                              "绝大多数单元格）时为空；视图 cells 拆回 unit、page、bbox 三列"),
        },
        "indexes": [],
    },
    "cell_keys": {
        "description": "单元格键（cell_keys）：cell_values.cell_key 的代码表，每个“表 × 行 × 列”一个小整数；"
                       "先按 ingest/forms.py 的表格定义编号，定义外的键在入库时追加。",
        "pk": "code",
        "columns": {
            "code": ("INTEGER", "代码（code）"),
            "table_name": ("TEXT", "所属表格（table_name）"),
            "row_key": ("TEXT", "行键（row_key）"),
            "col_key": ("TEXT", "列键（col_key）"),
        },
        "indexes": [],
    },
    "source_texts": {
        "description": "报告原文（source_texts）：解析得到的文本，其他表的行号（line）都指这段文本。",
        "pk": "report_id",
        "columns": {
            "report_id": _REPORT_ID,
            "text": ("TEXT", "全文（text）"),
        },
        "foreign_keys": _REPORT_FK,
        "indexes": [],
    },
    "report_stats": {
        "description": "每份报告的统计摘要（report_stats）：构建时由 applications（表三）、reviews_litigation（表四）"
                       "和 check_results 算出，每份报告一行，供图表和按年度、省份的汇总查询使用（逐份合计即得全部报告之和）。"
                       "合计沿用原表的空值：没有可加的数时为空，不是 0。",
        "derived": True,
        "pk": "report_id",
        "columns": {
            "report_id": _REPORT_ID,
            "year": ("INTEGER", "报告年度（year），同 reports.year"),
            "province": _PROVINCE,
            "template": ("TEXT", "报告格式（template），同 reports.template"),
            "agency_id": ("TEXT", "机关标识（agency_id），同 reports.agency_id"),
            "primary_copy": ("INTEGER", "是否计入（primary_copy）：同一机关同一年度有多份报告（如文本与网页两个副本）时，"
                                        "只有编号最小的一份为 1，其余为 0；没有机关标识的报告为 1"),
            "has_table3": ("INTEGER", "是否有表三（has_table3）：1 有 / 0 没有"),
            **{k: ("INTEGER", f"表三“{forms.APPLICATION_ROW_BY_KEY[k].number}{forms.APPLICATION_ROW_BY_KEY[k].label}”"
                              f"行的总计列（{k}）")
               for k in stats.TABLE3_ROWS},
            "new_received_natural_person": ("INTEGER", "表三本年新收申请中自然人一列（new_received_natural_person）"),
            **{col: ("INTEGER", f"表三办理结果“{name}”组各行总计列之和（{col}），行见 form_rows："
                                f"{'、'.join(keys)}")
               for col, name, keys in stats.outcome_groups()},
            "outcomes_sum": ("INTEGER", "表三办理结果六组之和（outcomes_sum），即以上六列相加，不是印刷的“总计”"),
            **{col: (typ, desc) for kind in forms.REVIEW_KINDS for col, typ, desc in (
                [(f"has_{kind.key}", "INTEGER", f"表四是否有“{kind.description}”一行（has_{kind.key}）：1 有 / 0 没有")]
                + [(f"{kind.key}_{o.key}", "INTEGER", f"表四“{kind.description}”的{o.label}（{kind.key}_{o.key}）")
                   for o in forms.REVIEW_OUTCOMES])},
            "has_litigation": ("INTEGER", "表四是否有行政诉讼（未经复议直接起诉或复议后起诉）一行（has_litigation）"),
            **{f"litigation_{o.key}": ("INTEGER", f"表四行政诉讼（两类合计）的{o.label}（litigation_{o.key}）")
               for o in forms.REVIEW_OUTCOMES},
            "review_concluded": ("INTEGER", "行政复议已审结案件数（review_concluded）：结果维持＋结果纠正＋其他结果"),
            "litigation_concluded": ("INTEGER", "行政诉讼（两类合计）已审结案件数（litigation_concluded）：结果维持＋结果纠正＋其他结果"),
            "rules_failed": ("INTEGER", "不通过的勾稽规则数（rules_failed），见 check_results；未运行核对时为空"),
        },
        "foreign_keys": _REPORT_FK,
        "indexes": [["agency_id", "year", "report_id"], ["primary_copy", "province", "agency_id", "year"]],
    },
    "year_stats": {
        "description": "按年度、省份、格式汇总的统计（year_stats）：构建时把 report_stats 按 年度 × 省份 × 格式 × "
                       "是否计入（primary_copy）合计，每组一行；报告数之外的各列是该组报告的合计，含义同 report_stats 的同名列。"
                       "图表与按年度的查询读这张小表，不必逐份报告相加。",
        "derived": True,
        "pk": None,
        "columns": {},   # filled below from report_stats
        "indexes": [["year"]],
    },
    "legacy_series_stats": {
        "description": "旧条例时期报告的跨格式序列按年度汇总（legacy_series_stats）：构建时把跨格式序列视图 annual_series 中"
                       "旧条例时期（2008–2018）报告的各可比指标按年度、省份、指标合计，同一机关同一年度只计编号最小的一份；"
                       "概览的年度图表由此把序列延伸到 2019 年以前（2019 年起的数字取自 year_stats）。"
                       "该组没有一个数值时合计为空，不是 0。",
        "derived": True,
        "pk": None,
        "columns": {
            "year": _YEAR,
            "province": _PROVINCE,
            "metric": ("TEXT", "可比指标的键（metric），见 annual_series 与 ingest/forms.py 的 SERIES_METRICS"),
            "reports": ("INTEGER", "该组的报告数（reports）"),
            "reports_with_value": ("INTEGER", "该组中该指标有数值的报告数（reports_with_value）"),
            "value": ("INTEGER", "该组该指标的合计（value）：有数值的报告相加；都没有数值时为空"),
            "from_legacy": ("INTEGER", "数值取自统计表（legacy_stats）的报告数（from_legacy）"),
            "from_fact": ("INTEGER", "数值取自正文数字（facts）的报告数（from_fact）"),
            "concept_changed": ("INTEGER", "数值口径与 2019 年起的格式不同（annual_series.concept_changed = 1）的报告数"),
        },
        "indexes": [["year"]],
    },
    "check_stats": {
        "description": "勾稽规则核对结果按年度、省份汇总（check_stats）：每个报告年度 × 省份 × 规则一行，构建时由 "
                       "check_results 算出；报告数按报告文件计，不合并副本。",
        "derived": True,
        "pk": None,
        "columns": {
            "year": _YEAR,
            "province": _PROVINCE,
            "rule_id": ("TEXT", "规则编号（rule_id），见 forms.md §7"),
            "severity": ("TEXT", "严重程度（severity）：error 错误 / warning 警告"),
            "reports_failed": ("INTEGER", "不通过的报告数（reports_failed）"),
            "failures": ("INTEGER", "不通过的处数（failures），一份报告可有多处"),
            "reports_unknown": ("INTEGER", "无法核对的报告数（reports_unknown）"),
            "reports_checked": ("INTEGER", "参与核对（状态不是“不适用”）的报告数（reports_checked）"),
        },
        "indexes": [["rule_id"]],
    },
    "similar_sections": {
        "description": "内容相似的章节（similar_sections）：构建时按章节比较报告正文（去掉标题、表格、格式套话和"
                       "多个机关共有的句子，数字和日期屏蔽），每对相似章节一行：本报告的章节与另一机关的报告、或本机关"
                       "以前年度报告的章节。勾稽规则 DUP（内容雷同）读这张表；比较页见 /compare/{a}/{b}。"
                       "只收相似度 ≥ 0.5、两段正文都 ≥ 100 字的对（见 ingest/database/similar.py）。",
        "derived": True,
        "pk": None,
        "columns": {
            "report_id": _REPORT_ID,
            "section_id": ("INTEGER", "本报告章节的行号（section_id），对应 sections.id"),
            "section": ("TEXT", "本报告章节序号（section）：一 至 六"),
            "other_report_id": ("TEXT", "相似的另一份报告（other_report_id），对应 reports.id"),
            "other_section_id": ("INTEGER", "另一份报告章节的行号（other_section_id），对应 sections.id"),
            "other_section": ("TEXT", "另一份报告的章节序号（other_section）"),
            "similarity": ("REAL", "相似度（similarity）：共有的5字片段数 ÷ 较短一段的5字片段数，0 至 1"),
            "jaccard": ("REAL", "杰卡德系数（jaccard）：共有的5字片段数 ÷ 两段片段数的并集"),
            "chars": ("INTEGER", "本章节规范化后的字数（chars）：去掉标点、空白、套话后，数字记作一个字"),
            "other_chars": ("INTEGER", "另一章节规范化后的字数（other_chars）"),
            "shared_chars": ("INTEGER", "相同段落的总字数（shared_chars）：至少12字连续相同的段落之和（规范化后）"),
            "passages": ("TEXT", "最长的相同段落（passages），JSON 列表，至多5段，每段含 text 原文、chars 字数、"
                                 "lines 本报告起止行号、other_lines 另一报告起止行号（行号指 source_texts.text）"),
        },
        "foreign_keys": _REPORT_FK,
        "indexes": [["report_id", "similarity"], ["other_report_id"], ["similarity"]],
    },
    "form_rows": {
        "description": "表三的行（form_rows）：国家格式中“收到和处理政府信息公开申请情况”各行的定义。",
        "pk": "key",
        "label_column": "label_zh",
        "columns": {
            "key": ("TEXT", "行键（key），即 applications.row_key"),
            "order": ("INTEGER", "次序（order）"),
            "label_zh": ("TEXT", "官方中文名称（label_zh）"),
            "number": ("TEXT", "印刷的序号（number），如 “一、”“（一）”“1.”"),
            "group": ("TEXT", "所属分组（group），如 “（三）不予公开”"),
            "template": ("TEXT", "适用格式（template），多个用逗号分隔"),
            "variants": ("TEXT", "报告中见到的其他写法（variants），用“|”分隔"),
        },
        "indexes": [],
    },
    "form_columns": {
        "description": "表格的列（form_columns）：表三的申请人列和表四的类别、结果列。",
        "pk": ["table_name", "key"],
        "label_column": "label_zh",
        "columns": {
            "table_name": ("TEXT", "所属表格（table_name）：applications / reviews_litigation"),
            "key": ("TEXT", "列键（key）"),
            "order": ("INTEGER", "次序（order）"),
            "label_zh": ("TEXT", "官方中文名称（label_zh）"),
            "group": ("TEXT", "分组（group）：applicant 申请人 / kind 类别 / outcome 结果"),
            "description": ("TEXT", "说明（description）"),
        },
        "indexes": [],
    },
    "form_metrics": {
        "description": "统计指标（form_metrics）：表二各信息内容的统计指标，以及正文数字（facts）的指标。",
        "pk": ["table_name", "template", "item_key", "key"],
        "label_column": "label_zh",
        "columns": {
            "table_name": ("TEXT", "所属（table_name）：active_disclosure 表二 / facts 正文数字 / legacy_stats 旧条例时期统计表"),
            "template": ("TEXT", "适用格式（template）：2019 / 2021 / legacy；正文数字为 any"),
            "block": ("TEXT", "所属条款（block），如 “（一）”"),
            "block_title": ("TEXT", "条款名称（block_title），如 “第二十条第（一）项”"),
            "item_key": ("TEXT", "信息内容键（item_key）；正文数字为空串"),
            "item_label_zh": ("TEXT", "信息内容中文名称（item_label_zh）"),
            "key": ("TEXT", "指标键（key），即 active_disclosure.metric / facts.metric"),
            "order": ("INTEGER", "次序（order）"),
            "label_zh": ("TEXT", "指标中文名称（label_zh）"),
            "kind": ("TEXT", "数值类型（kind）：count 件数 / signed 带符号增减 / amount 金额（元）"),
            "description": ("TEXT", "说明（description）"),
        },
        "indexes": [],
    },
    "code_labels": {
        "description": "代码的中文名称（code_labels）：各表中以英文键记录的代码（核对结果、严重程度、规则编号、警告代码、"
                       "正文指标、单元格类型、解析状态、报告格式等）及其中文名称，构建时由代码中的唯一定义生成"
                       "（ingest/forms.py、ingest/database/schema.py、ingest/database/checks.py 与 canned_queries/checks/）。",
        "pk": ["domain", "code"],
        "label_column": "label_zh",
        "columns": {
            "domain": ("TEXT", "代码类别（domain），如 check_status 核对结果、warning_code 警告代码，见 CODE_DOMAINS"),
            "code": ("TEXT", "代码（code），即各表中记录的英文键"),
            "label_zh": ("TEXT", "中文名称（label_zh）"),
            "order": ("INTEGER", "类别内的次序（order），从 1 起"),
            "columns": ("TEXT", "使用该类代码的列（columns），“表.列”，多个用逗号分隔"),
        },
        "indexes": [],
    },
    "file_stats": {
        "description": "报告文件的大小与修改时间（file_stats）：增量构建先比较这两项，相同则不再计算 SHA-256、不再解析；"
                       "不同才读文件比较 reports.sha256。",
        "derived": True,
        "pk": "path",
        "columns": {
            "path": ("TEXT", "文件路径（path），同 reports.path"),
            "size": ("INTEGER", "文件大小，字节（size）"),
            "mtime_ns": ("INTEGER", "文件修改时间（mtime_ns），自 1970 年起的纳秒数"),
        },
        "indexes": [],
    },
    "dup_sections": {
        "description": "内容雷同比较的章节索引（dup_sections）：每个参与比较的章节一行，存其规范化句子的哈希和最小哈希签名的"
                       "分段哈希，增量构建只比较改变的章节（见 ingest/database/similar.py）。",
        "derived": True,
        "pk": "section_id",
        "ddl": "create table if not exists dup_sections (section_id integer primary key, report_id text not null "
               "references reports(id), "
               "sentences blob, bands blob)",
        "columns": {
            "section_id": ("INTEGER", "章节行号（section_id），对应 sections.id"),
            "report_id": _REPORT_ID,
            "sentences": ("BLOB", "规范化句子（8字以上）的 64 位哈希（sentences），小端 int64 数组，用于判断多机关共有的句子"),
            "bands": ("BLOB", "最小哈希签名的分段哈希（bands），小端 int64 数组；规范化正文不足 100 字的章节为空"),
        },
        "indexes": [["report_id"]],
    },
    "dup_bands": {
        "description": "最小哈希签名的分段哈希到章节的索引（dup_bands）：同一分段哈希的两个章节是候选相似对，增量构建以联接找出。",
        "derived": True,
        "pk": ["band", "section_id"],
        "ddl": "create table if not exists dup_bands (band integer not null, section_id integer not null, "
               "primary key (band, section_id)) without rowid",
        "columns": {
            "band": ("INTEGER", "分段哈希（band）"),
            "section_id": ("INTEGER", "章节行号（section_id），对应 sections.id"),
        },
        "indexes": [],
    },
    "dup_common": {
        "description": "多机关共有的句子（dup_common）：出现在许多不同机关报告中的规范化句子的哈希，比较前从正文中去掉。",
        "derived": True,
        "pk": "sentence",
        "ddl": "create table if not exists dup_common (sentence integer primary key)",
        "columns": {
            "sentence": ("INTEGER", "句子哈希（sentence）"),
        },
        "indexes": [],
    },
    "build_info": {
        "description": "构建信息（build_info）：本数据库的构建时间、报告数量和版本。",
        "pk": "key",
        "columns": {
            "key": ("TEXT", "项目（key）"),
            "value": ("TEXT", "值（value）"),
            "description": ("TEXT", "说明（description）"),
        },
        "indexes": [],
    },
}

# The order tables are created and filled in; report-scoped tables are those with a report_id column.

def _year_stats_columns() -> dict[str, tuple[str, str]]:
    """year_stats columns: the grouping columns, the report count, then report_stats' figures summed."""
    source = TABLES["report_stats"]["columns"]
    out = {}
    for col, agg in stats.year_stats_columns(source).items():
        if col in source and agg == col:
            out[col] = source[col]
        elif col == "reports":
            out[col] = ("INTEGER", "该组的报告数（reports）")
        elif col.startswith("reports_with_"):
            flag = source["has_" + col[len("reports_with_"):]][1].split("（")[0]
            out[col] = ("INTEGER", f"该组中{flag.replace('是否', '')}的报告数（{col}）")
        elif col == "reports_failing_checks":
            out[col] = ("INTEGER", "该组中至少一条勾稽规则不通过的报告数（reports_failing_checks）")
        else:
            out[col] = ("INTEGER", f"该组合计：{source[col][1]}")
    return out


TABLES["year_stats"]["columns"] = _year_stats_columns()

# Derived tables (report_stats, year_stats, legacy_series_stats, check_stats) are written by `ingest.database.stats` after loading, not per report.
REPORT_TABLES = ("reports",) + tuple(n for n, t in TABLES.items()
                                     if "report_id" in t["columns"] and not t.get("derived"))
LOOKUP_TABLES = ("form_rows", "form_columns", "form_metrics", "code_labels")

def _case(col: str, pairs, default: str = "NULL") -> str:
    whens = " ".join(f"WHEN {_q(k)} THEN {v if isinstance(v, int) else _q(v)}" for k, v in pairs)
    return f"CASE {col} {whens} ELSE {default} END"


# Columns that only restate their row's key in words or order (the form definitions say them): computed by
# SQLite when read (VIRTUAL generated columns, no bytes stored), the same values the loader used to write.
TABLES["applications"]["generated"] = {
    "row_order": _case("row_key", [(r.key, i) for i, r in enumerate(forms.APPLICATION_ROWS, 1)]),
    "label": _case("row_key", [(r.key, r.label) for r in forms.APPLICATION_ROWS], default="row_key"),
}
TABLES["reviews_litigation"]["generated"] = {
    "kind_order": _case("kind", [(k.key, i) for i, k in enumerate(forms.REVIEW_KINDS, 1)]),
    "label": _case("kind", [(k.key, k.label) for k in forms.REVIEW_KINDS]),
}


# Tables stored compactly (integer keys, WITHOUT ROWID, text kept once) behind a view of the readable shape:
# view name → its stored table. The workers still produce rows of the readable shape (REPORT_TABLES); the
# loader encodes them (ingest.database.load.Loader). Measured on 1,000 generated reports: cells 21 → 4 KB a
# report, sections + their FTS copy 13 → 0.3 KB (README, "Size").
VIEW_TABLES = {name: spec["view_of"] for name, spec in TABLES.items() if spec.get("view_of")}
COMPACT_TABLES = tuple(VIEW_TABLES.values())


def cell_kind_codes() -> dict[str, int]:
    """cells.kind → the small integer cell_values.kind stores (forms.CELL_KINDS order, from 1)."""
    return {k: i for i, k in enumerate(forms.CELL_KINDS, 1)}


def cell_key_rows() -> list[tuple[int, str, str, str]]:
    """(code, table_name, row_key, col_key) of every cell the forms define, numbered in form order: the first
    rows of cell_keys (a key the forms do not define is appended by the loader)."""
    keys: list[tuple[str, str, str]] = []
    for template in sorted(forms.ACTIVE_ITEMS):
        for item in forms.ACTIVE_ITEMS[template]:
            keys += [("active_disclosure", item.key, m.key) for m in item.metrics]
    keys += [("applications", r.key, c.key) for r in forms.APPLICATION_ROWS for c in forms.APPLICANT_COLUMNS]
    keys += [("reviews_litigation", k.key, o.key) for k in forms.REVIEW_KINDS for o in forms.REVIEW_OUTCOMES]
    out, seen = [], set()
    for key in keys:
        if key not in seen:
            seen.add(key)
            out.append((len(out) + 1, *key))
    return out


def _kind_sql(col: str) -> str:
    whens = " ".join(f"WHEN {i} THEN '{k}'" for k, i in cell_kind_codes().items())
    return f"coalesce(CASE {col} {whens} END, {col})"


_PRINTED = """CASE WHEN c.printed IS NULL THEN CASE WHEN c.value IS NOT NULL THEN CAST(CAST(c.value AS INTEGER) AS TEXT) END
       WHEN typeof(c.printed) = 'blob' THEN NULL ELSE c.printed END"""

# A section's text from section_spans `s` and source_texts `t` (the view, and the search page, which joins the
# tables itself so that its year/province filters come before any text is read).
SECTION_TEXT_SQL = "CASE WHEN s.text_start IS NULL THEN s.text ELSE substr(t.text, s.text_start, s.text_length) END"

# LEFT JOINs on unique keys: one view row per stored row (so a view's count is its stored table's:
# plugins/view_counts.py); SQLite leaves them out of a plain SELECT that reads none of their columns (not of a
# count), and turns them into plain joins when a filter names their columns (report_id = ? uses the index).
VIEW_SQL = {
    "cells": f"""SELECT r.id AS report_id, k.table_name, k.row_key, k.col_key, c.value, {_PRINTED} AS printed,
  json_extract(c.extra, '$[0]') AS unit, {_kind_sql("c.kind")} AS kind, c.line, c.span_start,
  CASE WHEN c.span_end IS NULL THEN c.span_start + length({_PRINTED}) WHEN typeof(c.span_end) = 'blob' THEN NULL
       ELSE c.span_end END AS span_end, json_extract(c.extra, '$[1]') AS page, json_extract(c.extra, '$[2]') AS bbox
FROM cell_values c LEFT JOIN reports r ON r.report_key = c.report_key LEFT JOIN cell_keys k ON k.code = c.cell_key""",
    "sections": f"""SELECT s.id, r.id AS report_id, s.number, s.title, {SECTION_TEXT_SQL} AS text,
  s.line_start, s.line_end
FROM section_spans s LEFT JOIN reports r ON r.report_key = s.report_key
LEFT JOIN source_texts t ON t.report_id = r.id""",
}

FTS_TABLE = "sections_fts"
FTS_DESCRIPTION = ("章节全文检索（sections_fts）：jieba 分词后以空格连接的章节正文（body）及报告标题、"
                   "发布机关和章节标题（heading）；rowid 即 sections.id。")
FTS_COLUMNS = {
    "report_id": "报告编号（report_id），不参与检索",
    "heading": "分词后的报告标题、发布机关和章节标题（heading）",
    "body": "分词后的章节正文（body）",
}

_APP_COLS = ", ".join(f"a.{c}" for c in forms.APPLICANT_COLUMN_KEYS)
_REV_COLS = ", ".join(f"v.{c}" for c in forms.REVIEW_OUTCOME_KEYS)

VIEWS: dict[str, dict] = {
    "applications_labeled": {
        "description": "表三带报告信息（applications_labeled）：每行附报告的年度、机关、地区和格式，以及行的分组。",
        "sql": f"""SELECT r.year, r.agency, r.province, r.city, r.county, r.template, a.report_id,
  a.row_order, a.row_key, f."group" AS row_group, f.number AS row_number, a.label, {_APP_COLS}
FROM applications a JOIN reports r ON r.id = a.report_id
LEFT JOIN form_rows f ON f.key = a.row_key""",
    },
    "reviews_litigation_labeled": {
        "description": "表四带报告信息（reviews_litigation_labeled）：每行附报告的年度、机关、地区和格式。",
        "sql": f"""SELECT r.year, r.agency, r.province, r.city, r.county, r.template, v.report_id,
  v.kind_order, v.kind, v.label, {_REV_COLS}
FROM reviews_litigation v JOIN reports r ON r.id = v.report_id""",
    },
    "active_disclosure_labeled": {
        "description": "表二带报告信息与指标名称（active_disclosure_labeled）。",
        "sql": """SELECT r.year, r.agency, r.province, r.template, d.report_id, d.block, d.item, d.item_key,
  d.metric, m.label_zh AS metric_label, m.kind AS metric_kind, d.value, d.value_exact, d.unit_printed, d.line
FROM active_disclosure d JOIN reports r ON r.id = d.report_id
LEFT JOIN form_metrics m ON m.table_name = 'active_disclosure' AND m.template = r.template
  AND m.item_key = d.item_key AND m.key = d.metric""",
    },
    "report_totals": {
        "description": "每个报告的申请与复议诉讼总数（report_totals）：新收申请、办结、结转和复议、诉讼合计。",
        "sql": """SELECT r.id AS report_id, r.year, r.agency, r.agency_id, r.province, r.city, r.county, r.template,
  (SELECT total FROM applications WHERE report_id = r.id AND row_key = 'new_received') AS new_received,
  (SELECT total FROM applications WHERE report_id = r.id AND row_key = 'carried_over') AS carried_over,
  (SELECT total FROM applications WHERE report_id = r.id AND row_key = 'total_processed') AS total_processed,
  (SELECT total FROM applications WHERE report_id = r.id AND row_key = 'carried_forward') AS carried_forward,
  (SELECT total FROM reviews_litigation WHERE report_id = r.id AND kind = 'review') AS reviews,
  (SELECT SUM(total) FROM reviews_litigation WHERE report_id = r.id AND kind <> 'review') AS lawsuits
FROM reports r""",
    },
}


# Every view's columns, described from the tables they come from (metadata.yml copies them like a table's).
def _described(table: str, *cols: str) -> dict[str, str]:
    return {c: TABLES[table]["columns"][c][1] for c in cols}


_REPORT_COLS = ("year", "agency", "province", "city", "county", "template")
VIEWS["applications_labeled"]["columns"] = {
    **_described("reports", *_REPORT_COLS), "report_id": _REPORT_ID[1],
    **_described("applications", "row_order", "row_key"),
    "row_group": "行所属分组（row_group），如“（三）不予公开”，见 form_rows.group",
    "row_number": "行印刷的序号（row_number），如“（一）”“1.”，见 form_rows.number",
    **_described("applications", "label", *forms.APPLICANT_COLUMN_KEYS),
}
VIEWS["reviews_litigation_labeled"]["columns"] = {
    **_described("reports", *_REPORT_COLS), "report_id": _REPORT_ID[1],
    **_described("reviews_litigation", "kind_order", "kind", "label", *forms.REVIEW_OUTCOME_KEYS),
}
VIEWS["active_disclosure_labeled"]["columns"] = {
    **_described("reports", "year", "agency", "province", "template"), "report_id": _REPORT_ID[1],
    **_described("active_disclosure", "block", "item", "item_key", "metric"),
    "metric_label": "统计指标中文名称（metric_label），见 form_metrics.label_zh",
    "metric_kind": "数值类型（metric_kind）：count 件数 / signed 带符号增减 / amount 金额（元），见 form_metrics.kind",
    **_described("active_disclosure", "value", "value_exact", "unit_printed", "line"),
}
VIEWS["report_totals"]["columns"] = {
    "report_id": _REPORT_ID[1],
    **_described("reports", "year", "agency", "agency_id", "province", "city", "county", "template"),
    **{k: f"表三“{forms.APPLICATION_ROW_BY_KEY[k].number}{forms.APPLICATION_ROW_BY_KEY[k].label}”行的总计列（{k}）"
       for k in ("new_received", "carried_over", "total_processed", "carried_forward")},
    "reviews": "表四行政复议案件总计（reviews）",
    "lawsuits": "表四行政诉讼案件总计（lawsuits）：未经复议直接起诉与复议后起诉之和",
}

def _annual_series_sql() -> str:
    """One SELECT per comparable metric (forms.SERIES_METRICS), stacked: the 2019/2021 cells summed (every
    cell readable), else the legacy statistics table's items of the year (every printed one readable), else the
    prose fact. The definition in forms.py is the only place that says which cell feeds which metric."""
    parts = []
    for m in forms.SERIES_METRICS:
        if m.cells:
            cond = " or ".join(f"(c.table_name = {_q(t)} and c.row_key = {_q(r)} and c.col_key = {_q(col)})"
                               for t, r, col in m.cells)
            cell = (f"(select case when count(c.value) = {len(m.cells)} then sum(c.value) end from cells c "
                    f"where c.report_id = r.id and ({cond}))")
        else:
            cell = "null"
        if m.legacy:
            keys = ", ".join(_q(k) for k in m.legacy)
            leg = (f"(select case when count(*) > 0 and count(l.value) = count(*) then sum(l.value) end "
                   f"from legacy_stats l where l.report_id = r.id and l.item_key in ({keys}))")
        else:
            leg = "null"
        fact = (f"(select min(f.value) from facts f where f.report_id = r.id and f.metric = {_q(m.fact)})"
                if m.fact else "null")
        cell_src = _q("cells:" + "+".join(f"{t}:{r}:{c}" for t, r, c in m.cells)) if m.cells else "null"
        leg_src = _q("legacy_stats:" + "+".join(m.legacy)) if m.legacy else "null"
        fact_src = _q("facts:" + m.fact) if m.fact else "null"
        parts.append(f"""select r.id as report_id, r.agency_id, r.agency, r.year, r.template, r.province,
  {_q(m.key)} as metric, {_q(m.label)} as metric_label, {cell} as cell, {leg} as leg, {fact} as fact,
  {1 if m.changed else 0} as metric_changed, {cell_src} as cell_src, {leg_src} as leg_src, {fact_src} as fact_src
from reports r""")
    union = "\nunion all\n".join(parts)
    return f"""select report_id, agency_id, agency, year, template, province, metric, metric_label,
  coalesce(cell, leg, fact) as value,
  case when cell is not null then 'cell' when leg is not null then 'legacy' when fact is not null then 'fact' end as source,
  case when cell is not null then cell_src when leg is not null then leg_src when fact is not null then fact_src end
    as source_detail,
  case when metric_changed and template = 'legacy' then 1 else 0 end as concept_changed
from ({union})"""


VIEWS["annual_series"] = {
    "description": "跨格式的年度序列（annual_series）：每份报告 × 可比指标一行，把 2019 年格式、2021 年格式的表格单元格和"
                   "旧条例时期（2008–2018）的统计表、正文数字对应到同一组指标，以便看 2008 年至今的变化。"
                   "取值次序：表格单元格（cells，各格都可读时相加），否则旧条例时期统计表的本年度数（legacy_stats），"
                   "否则正文写明的数字（facts）；source 说明来自哪里。concept_changed = 1 表示该指标在旧条例时期的含义"
                   "与 2019 年起不同。各指标：" + "；".join(
                       f"{m.key} {m.label}" + (f"（口径变化：{m.changed}）" if m.changed else "")
                       for m in forms.SERIES_METRICS) + "。指标定义见 ingest/forms.py 的 SERIES_METRICS。",
    "sql": _annual_series_sql(),
}


VIEWS["annual_series"]["columns"] = {
    "report_id": _REPORT_ID[1],
    **_described("reports", "agency_id", "agency", "year", "template", "province"),
    "metric": "可比指标的键（metric），见 ingest/forms.py 的 SERIES_METRICS",
    "metric_label": "可比指标的中文名称（metric_label）",
    "value": "该报告该指标的数值（value）：来自 source 所说的地方；都没有则为空，不是 0",
    "source": "数值来源（source）：cell 表格单元格 / legacy 旧条例时期统计表 / fact 正文数字",
    "source_detail": "具体来源（source_detail）：相加的单元格、统计表项目或正文指标的键",
    "concept_changed": "口径变化（concept_changed）：1 表示旧条例时期该指标的含义与 2019 年起的格式不同",
}


def schema_version() -> str:
    """A fingerprint of the schema: an incremental build into a database of another shape starts afresh."""
    from .search import segmenter_version

    blob = json.dumps({"tables": TABLES, "views": VIEWS, "view_sql": VIEW_SQL, "fts": FTS_COLUMNS,
                       "segmenter": segmenter_version()}, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


# --------------------------------------------------------------------------------------------
# Chinese labels of the codes the tables record (the `code_labels` lookup table)
# --------------------------------------------------------------------------------------------
# Codes whose only definition is a column description above get their labels here, once; the others are read
# from their definitions (forms, checks). The site shows the same labels (ingest/site/labels.py), so a page, a
# download and an SQL join agree.

PARSE_STATUSES = {"ok": "完整", "partial": "部分（有警告或单元格无法读取）", "failed": "失败"}
SOURCE_FORMATS = {"text": "纯文本", "html": "网页", "markdown": "标记文本", "pdf": "PDF 文件", "docx": "Word 文件（.docx）"}
AGENCY_KINDS = {"government": "本级政府", "department": "政府部门"}
TABLE_LABELS = {"active_disclosure": "表二 主动公开政府信息情况", "applications": "表三 收到和处理政府信息公开申请情况",
                "reviews_litigation": "表四 行政复议、行政诉讼情况"}
# Every warning code of README's warning-code table (a test keeps the two in step).
WARNING_CODES = {
    "empty_file": "空文件",
    "not_text": "不是文本报告（疑为二进制文件）",
    "decode_errors": "部分字节无法解码",
    "truncated_character": "文件在多字节字符中间截断",
    "file_too_large": "文件过大，只读取了前 64 MiB",
    "mojibake_repaired": "乱码行已修复",
    "mojibake_line": "乱码行无法修复",
    "no_tables": "未找到统计表，数字只来自正文",
    "row_missing": "表格缺少一行",
    "row_label_misprinted": "行名印错，按同组唯一相符的行名读取",
    "cells_missing": "一行的单元格少于格式规定",
    "cells_concatenated": "数字粘连，无法唯一拆分",
    "cell_recovered": "缺失的单元格由表内合计唯一推出",
    "cells_split_by_rules": "粘连的数字按勾稽关系唯一拆分",
    "cells_split_ambiguous": "粘连的数字有多种拆分都符合勾稽关系，已留空",
    "extra_cells": "一行的数字多于格式规定",
    "title_missing": "未找到报告标题",
    "year_missing": "未找到报告年度",
    "agency_missing": "未找到发布机关",
    "region_unresolved": "无法确定行政区划",
    "internal_error": "解析程序出错",
    "parse_failed": "解析进程崩溃",
    "sidecar_unreadable": "来源记录文件（.source.json）无法读取",
    "parse_timeout": "解析超时，已终止",
    "load_failed": "无法写入数据库",
    "value_not_storable": "数值无法存入数据库，已留空",
    "path_not_utf8": "文件名不是 UTF-8 编码",
    "pdf_no_text_layer": "PDF 页面只有图像（扫描件），未识别文字",
    "pdf_text_garbled": "PDF 页面的字体无法映射为文字，未取数字",
    "pdf_encrypted": "PDF 文件已加密，无法读取",
    "pdf_damaged": "PDF 文件损坏或不完整，只读取了能读的页",
    "docx_damaged": "Word 文件（.docx）损坏，无法读取",
    "unsupported_format": "不支持的文件格式（.doc、.wps、图片、压缩包等）",
    "value_out_of_range": "数值超出可存储的范围，按无法识别处理",
    "value_not_integer": "件数单元格印的是小数，按无法识别处理",
    "html_span_clamped": "网页表格的跨行/跨列数超出表格实际大小，已截断",
    "legacy_item_unknown": "统计表中有未定义的项目，按印刷的名称保留",
}

# domain → (description, the columns that hold its codes)
CODE_DOMAINS: dict[str, tuple[str, tuple[str, ...]]] = {
    "check_status": ("核对结果", ("check_results.status",)),
    "severity": ("严重程度", ("check_results.severity", "check_stats.severity")),
    "rule": ("勾稽规则", ("check_results.rule_id", "check_stats.rule_id")),
    "rule_status": ("规则依据", ()),
    "warning_code": ("解析警告", ("warnings.code",)),
    "fact_metric": ("正文数字指标", ("facts.metric",)),
    "cell_kind": ("单元格类型", ("cells.kind",)),
    "parse_status": ("解析状态", ("reports.parse_status", "report_quality.parse_status")),
    "template": ("报告格式", ("reports.template", "report_stats.template", "year_stats.template")),
    "format": ("文件格式", ("reports.format",)),
    "agency_kind": ("机关类型", ("reports.agency_kind",)),
    "table_name": ("统计表", ("cells.table_name",)),
    "row_key": ("表三的行", ("applications.row_key",)),
    "applicant": ("表三的申请人列", ()),
    "review_kind": ("表四的类别", ("reviews_litigation.kind",)),
    "review_outcome": ("表四的结果列", ()),
    "item_key": ("表二的信息内容", ("active_disclosure.item_key",)),
    "metric": ("表二的统计指标", ("active_disclosure.metric",)),
    "legacy_item": ("旧条例时期统计表的项目", ("legacy_stats.item_key",)),
    "series_metric": ("跨格式序列的可比指标", ("annual_series.metric", "legacy_series_stats.metric")),
    "series_source": ("跨格式序列的数值来源", ("annual_series.source",)),
}


def code_labels() -> dict[str, dict[str, str]]:
    """domain → {code: 中文}, read from each code's single definition (forms, checks and the dicts above)."""
    from . import checks   # checks imports this module

    metrics: dict[str, str] = {}
    items: dict[str, str] = {}
    for template in ("2021", "2019"):       # a metric key printed differently by the two forms: the 2021 wording
        for item in forms.ACTIVE_ITEMS.get(template, ()):
            items.setdefault(item.key, item.label)
            for m in item.metrics:
                metrics.setdefault(m.key, m.label)
    return {
        "check_status": {k: v.split("（")[0] for k, v in checks.RESULT_STATUSES.items()},
        "severity": dict(checks.SEVERITIES),
        "rule": {r.id: r.title for r in checks.load_rules()},
        "rule_status": {k: v.split("（")[0] for k, v in checks.RULE_STATUSES.items()},
        "warning_code": dict(WARNING_CODES),
        # a bracket naming a rule or a pattern in Latin letters ("（用于核对TX-year）") is left to forms.py
        "fact_metric": {k: re.sub(r"（[^（）]*[A-Za-z][^（）]*）", "", v) for k, v in forms.FACT_METRICS.items()},
        "cell_kind": {k: v.split("（")[0] for k, v in forms.CELL_KINDS.items()},
        "parse_status": {k: v.split("（")[0] for k, v in PARSE_STATUSES.items()},
        "template": {k: v.split("（")[0] for k, v in forms.TEMPLATE_LABELS.items()},
        "format": dict(SOURCE_FORMATS),
        "agency_kind": dict(AGENCY_KINDS),
        "table_name": dict(TABLE_LABELS),
        "row_key": {r.key: r.number + r.label for r in forms.APPLICATION_ROWS},
        "applicant": {c.key: c.label for c in forms.APPLICANT_COLUMNS},
        "review_kind": {k.key: k.description for k in forms.REVIEW_KINDS},
        "review_outcome": {o.key: o.label for o in forms.REVIEW_OUTCOMES},
        "item_key": items,
        "metric": metrics,
        "legacy_item": {i.key: i.label for i in forms.LEGACY_ITEMS},
        "series_metric": {m.key: m.label for m in forms.SERIES_METRICS},
        "series_source": {k: v.split("（")[0] for k, v in forms.SERIES_SOURCES.items()},
    }


def code_label_rows() -> list[dict]:
    """The rows of `code_labels`."""
    return [{"domain": domain, "code": code, "label_zh": label, "order": i,
             "columns": ",".join(CODE_DOMAINS[domain][1])}
            for domain, labels in code_labels().items() for i, (code, label) in enumerate(labels.items(), 1)]
