"""Random but rule-consistent annual reports, rendered the ways real sites publish them.

Why: the sample corpus is small and mostly zeros, so it cannot show whether the parser really
reads every cell of every layout. A generated report knows its own numbers (`Generated.expected`),
so a test can parse it back and demand exact equality, and a benchmark can build corpora of any
size. Values obey the consistency rules of forms.md §7 (T3-balance, T3-results, T3-row-total,
T3-range, T4-total, T2-*) unless a test breaks them on purpose with `overrides`.

Layouts (forms.md §8): ``cells_per_line`` (seeds 000/002), ``tabs`` (seed 004), ``markdown``
(PDF→Markdown output with page footers and repeated headers), ``html`` (full page with site chrome
and Word markup, rowspan/colspan), ``spaces`` (one line per row, cells separated by spaces).

Every label, key and header word comes from `ingest.forms`; nothing is retyped here except the
decorations real reports add (小计, page footers, site chrome).
"""
from __future__ import annotations

import datetime as _dt
import itertools
import random
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterator

from . import forms

LAYOUTS = ("cells_per_line", "tabs", "markdown", "html", "spaces")
# Text that PDF converters and OCR made (issue #10 §3), and site extractors that glue cells (§8): not part
# of `combinations()`, rendered on request. Each damages the tables one way; `expected` is still exact.
CONVERTER_LAYOUTS = ("glued", "md_short_header", "md_generic", "md_noheader", "md_displaced", "labels_apart",
                     "footers", "skipped_heading")
GEN_TEMPLATES = ("2019", "2021")
SCRIPTS = ("simplified", "traditional")
ENCODINGS = ("utf-8", "gbk", "utf-16", "utf-16-nobom")

# Layouts in which an empty cell is visible (and so may be generated): elsewhere a blank would
# silently shift every following value, which is a different (damaged-input) problem.
BLANK_LAYOUTS = ("tabs", "markdown", "html", "md_short_header", "md_generic", "md_noheader", "md_displaced")
PLACEHOLDERS = ("—", "/", "无", "-", "－")
EXTENSIONS = {"cells_per_line": "txt", "tabs": "txt", "spaces": "txt", "markdown": "md", "html": "html",
              "glued": "txt", "md_short_header": "md", "md_generic": "md", "md_noheader": "md", "md_displaced": "md", "labels_apart": "txt",
              "footers": "txt", "skipped_heading": "txt"}
_TEN_THOUSAND = Decimal(10000)


@dataclass
class Generated:
    data: bytes
    filename: str
    expected: dict
    text: str = ""                      # the rendered text before encoding (for debugging a failure)
    options: dict = field(default_factory=dict)
    closing: dict = field(default_factory=dict)     # figures the agency's next report opens with (_continue_from)


@dataclass
class _Cell:
    """One table cell: what is printed, and what the parser must return for it."""
    printed: str
    value: object                       # int | Decimal | None

    @property
    def blank(self) -> bool:
        return self.printed == ""


# --------------------------------------------------------------------------------------------
# Agencies and dates
# --------------------------------------------------------------------------------------------

_PLACES = (
    ("金华市", "金东区"), ("广州市", "番禺区"), ("淮安市", "洪泽区"), ("平顶山市", "郏县"), ("九江市", "共青城市"),
    ("杭州市", "西湖区"), ("成都市", "武侯区"), ("长沙市", "岳麓区"), ("福州市", "鼓楼区"), ("合肥市", "蜀山区"),
    ("济南市", "历下区"), ("郑州市", "金水区"), ("南宁市", "青秀区"), ("昆明市", "五华区"), ("西安市", "雁塔区"),
    ("沈阳市", "和平区"), ("石家庄市", "长安区"), ("太原市", "小店区"), ("贵阳市", "云岩区"), ("兰州市", "城关区"),
)
_SUFFIXES = ("人民政府", "人民政府办公室", "发展和改革委员会", "教育局", "财政局", "生态环境局", "卫生健康委员会",
             "市场监督管理局", "司法局", "自然资源和规划局", "住房和城乡建设局", "交通运输局", "民政局")


def _agency(rng: random.Random) -> str:
    city, county = rng.choice(_PLACES)
    suffix = rng.choice(_SUFFIXES)
    style = rng.random()
    if style < 0.4:
        return county + suffix
    if style < 0.8:
        return city + county + suffix
    return city + suffix


def _published_on(rng: random.Random, year: int) -> _dt.date:
    month = rng.choice((1, 1, 1, 2, 3))
    return _dt.date(year + 1, month, rng.randint(1, 28))


def _date_line(rng: random.Random, d: _dt.date) -> str:
    return rng.choice((
        f"发布日期：{d.isoformat()}",
        f"发布日期:{d.isoformat()}",
        f"  • 日期: {d.isoformat()} {rng.randint(8, 18):02d}:{rng.randint(0, 59):02d}",
        f"发布时间：{d.year}年{d.month}月{d.day}日",
        f"信息来源：本机关  发布时间：{d.isoformat()}",
    ))


# --------------------------------------------------------------------------------------------
# Values (forms.md §7)
# --------------------------------------------------------------------------------------------

def _small(rng: random.Random, scale: int, p_zero: float = 0.55) -> int:
    if rng.random() < p_zero:
        return 0
    return rng.randint(1, max(1, scale))


def _application_values(rng: random.Random, rows: tuple[forms.Row, ...]) -> dict[str, dict[str, int]]:
    """Table 3 obeying T3-balance, T3-results, T3-row-total and T3-range."""
    org_cols = forms.APPLICANT_COLUMN_KEYS[:-1]
    result_keys = [r.key for r in rows if r.key in forms.RESULT_ROWS_2019 + forms.RESULT_ROWS_2021]
    size = rng.choice((0, 3, 3, 20, 20, 150, 1500))
    values: dict[str, dict[str, int]] = {r.key: {} for r in rows}
    for col in org_cols:
        scale = size if col == "natural_person" else max(size // rng.choice((3, 8, 30)), 0)
        if scale == 0 and size and rng.random() < 0.3:
            scale = 2
        for key in result_keys:
            weight = 3 if key == "granted" else 1
            values[key][col] = _small(rng, scale * weight // 2 if scale else 0, 0.6) if scale else 0
        processed = sum(values[k][col] for k in result_keys)
        values["total_processed"][col] = processed
        forward = _small(rng, max(scale // 10, 1), 0.7) if scale else 0
        values["carried_forward"][col] = forward
        carried = rng.randint(0, min(processed + forward, max(scale // 5, 1))) if scale else 0
        values["carried_over"][col] = carried
        values["new_received"][col] = processed + forward - carried
    for key in values:
        values[key]["total"] = sum(values[key][c] for c in org_cols)
    return values


def _review_values(rng: random.Random) -> dict[str, dict[str, int]]:
    """Table 4 obeying T4-total."""
    busy = rng.random() < 0.4
    out = {}
    for kind in forms.REVIEW_KIND_KEYS:
        row = {o: (_small(rng, 6, 0.6) if busy else 0) for o in forms.REVIEW_OUTCOME_KEYS[:-1]}
        row["total"] = sum(row.values())
        out[kind] = row
    return out


def _amount_cell(rng: random.Random, template: str, unit: str) -> _Cell:
    """An amount printed as real reports do; the expected value is always exact 元."""
    if template == "2021" or unit == "万元":
        places = rng.choice((0, 2, 2, 4, 4, 6))
        wan = Decimal(rng.randint(0, 10 ** rng.choice((3, 5, 7)))) / Decimal(10) ** places
        wan = wan.quantize(Decimal(1).scaleb(-places)) if places else wan
        printed = f"{wan:f}"
        return _Cell(printed, Decimal(printed) * _TEN_THOUSAND)
    if rng.random() < 0.5:
        value = Decimal(rng.randint(0, 10 ** rng.choice((5, 7, 9))))
        printed = f"{value:f}"
    else:
        value = Decimal(rng.randint(0, 10 ** rng.choice((6, 9, 11)))) / 100
        printed = f"{value:.2f}"
    suffix = "元" if unit == "元-suffix" else ""
    return _Cell(printed + suffix, Decimal(printed))


def _signed(n: int, rng: random.Random) -> str:
    if n > 0 and rng.random() < 0.6:
        return f"+{n}"
    return str(n)


def _active_values(rng: random.Random, template: str, amount_unit: str) -> dict[str, dict[str, _Cell]]:
    """Table 2 obeying T2-2019-prev and T2-2021-valid."""
    out: dict[str, dict[str, _Cell]] = {}
    big = rng.choice((10, 100, 5000, 60000))
    for item in forms.ACTIVE_ITEMS[template]:
        cells: dict[str, _Cell] = {}
        for metric in item.metrics:
            k = metric.key
            if k in ("new_made", "issued"):
                v = _small(rng, 40 if item.key == "normative_documents" else 3)
            elif k == "new_published":
                v = cells["new_made"].value + _small(rng, 3, 0.8)
            elif k == "total_published":
                v = cells["new_published"].value + _small(rng, 300, 0.3)
            elif k == "repealed":
                v = _small(rng, 20)
            elif k == "in_force":
                v = max(cells["issued"].value - cells["repealed"].value, 0) + _small(rng, 300, 0.3)
            elif k == "previous_count":
                v = _small(rng, big // 10 or 1, 0.3)
            elif k == "change":
                prev = cells["previous_count"].value
                v = rng.randint(-prev, max(prev // 2, 3)) if rng.random() < 0.7 else 0
                cells[k] = _Cell(_signed(v, rng), v)
                continue
            elif k == "decisions":
                v = _small(rng, big, 0.35)
            elif k == "projects":
                v = _small(rng, 2000, 0.2)
            elif k == "amount_yuan":
                cells[k] = _amount_cell(rng, template, amount_unit)
                continue
            else:  # pragma: no cover - a new metric in forms.py must be taught here
                raise KeyError(k)
            cells[k] = _Cell(str(v), v)
        out[item.key] = cells
    return out


def _closing(raw: dict[str, dict[str, int]], active: dict[str, dict[str, _Cell]]) -> dict:
    """The figures of this report that the same agency's next report starts from (forms.md §7, X-*)."""
    return {
        "carried_forward": {c: raw["carried_forward"][c] for c in forms.APPLICANT_COLUMN_KEYS[:-1]},
        "in_force": {k: m["in_force"].value for k, m in active.items() if "in_force" in m},
        "previous_count": {k: m["previous_count"].value + m["change"].value
                           for k, m in active.items() if "previous_count" in m},
    }


def _continue_from(raw: dict[str, dict[str, int]], active: dict[str, dict[str, _Cell]], previous: dict) -> None:
    """Open this year where the agency's previous report closed (X-carry, X-valid-2021, X-prev-2019).

    Real agencies mostly chain their figures year to year; a corpus whose years were independent would fail
    nearly every cross-year rule. Table 3 stays balanced: new_received absorbs the carried-over cases, and
    where they exceed this year's work the surplus is counted as granted.
    """
    org_cols = forms.APPLICANT_COLUMN_KEYS[:-1]
    for col in org_cols:
        carried = previous["carried_forward"][col]
        deficit = carried - raw["total_processed"][col] - raw["carried_forward"][col]
        if deficit > 0:
            raw["granted"][col] += deficit
            raw["total_processed"][col] += deficit
        raw["carried_over"][col] = carried
        raw["new_received"][col] = raw["total_processed"][col] + raw["carried_forward"][col] - carried
    for key in ("granted", "total_processed", "carried_over", "new_received"):
        raw[key]["total"] = sum(raw[key][c] for c in org_cols)
    for key, cells in active.items():
        if "in_force" in cells and key in previous["in_force"]:
            issued, repealed = cells["issued"].value, cells["repealed"].value
            repealed = min(repealed, previous["in_force"][key] + issued)
            cells["repealed"] = _Cell(str(repealed), repealed)
            v = previous["in_force"][key] + issued - repealed
            cells["in_force"] = _Cell(str(v), v)
        if "previous_count" in cells and key in previous["previous_count"]:
            prev = previous["previous_count"][key]
            cells["previous_count"] = _Cell(str(prev), prev)
            change = cells["change"]
            if change.value < -prev:
                cells["change"] = _Cell(str(-prev), -prev)


def _render_amount_override(value: Decimal, template: str, unit: str) -> str:
    if template == "2021" or unit == "万元":
        return f"{(Decimal(value) / _TEN_THOUSAND).normalize():f}"
    return f"{Decimal(value):f}" + ("元" if unit == "元-suffix" else "")


def _override_cell(value: object, amount: str | None = None, template: str = "", unit: str = "") -> _Cell:
    """A cell a test asked for: numbers are printed as given, None is a blank, a str is printed verbatim."""
    if value is None:
        return _Cell("", None)
    if isinstance(value, str):
        return _Cell(value, None)
    if amount:
        return _Cell(_render_amount_override(Decimal(value), template, unit), Decimal(value))
    return _Cell(str(value), value)


# --------------------------------------------------------------------------------------------
# The report model every renderer reads
# --------------------------------------------------------------------------------------------

@dataclass
class _Report:
    template: str
    year: int
    agency: str
    published_on: _dt.date
    layout: str
    six_split: bool
    rows: tuple[forms.Row, ...]
    apps: dict[str, dict[str, _Cell]]
    reviews: dict[str, dict[str, _Cell]]
    active: dict[str, dict[str, _Cell]]
    item_labels: dict[str, str]
    amount_unit: str
    subtotal_col: bool
    subtotal_rows: bool
    fullwidth: bool
    blank_lines: bool
    raw_apps: dict[str, dict[str, int]] = field(default_factory=dict)
    reviews_raw: dict[str, dict[str, int]] = field(default_factory=dict)
    row_labels: dict[str, str] = field(default_factory=dict)
    col_labels: list[str] = field(default_factory=list)
    own_prose: dict[str, list[str]] | None = None     # sections 一 and 五 in the agency's own words (generate `prose`)

    @property
    def title(self) -> str:
        return f"{self.agency}{self.year}年政府信息公开工作年度报告"


def _blankify(rng: random.Random, cells: dict[str, dict[str, _Cell]], rate: float) -> None:
    """Replace some zero cells with blanks or placeholders (forms.md §8: blank where 0 is meant)."""
    style = rng.choice(("blank", "placeholder", "mixed"))
    placeholder = rng.choice(PLACEHOLDERS)
    for row in cells.values():
        for key, cell in row.items():
            if cell.value == 0 and rng.random() < rate:
                use_blank = style == "blank" or (style == "mixed" and rng.random() < 0.5)
                row[key] = _Cell("" if use_blank else placeholder, None)


def _apply_overrides(report: _Report, overrides: dict) -> None:
    for row, cols in (overrides.get("applications") or {}).items():
        for col, v in cols.items():
            report.apps[row][col] = _override_cell(v)
    for kind, cols in (overrides.get("reviews_litigation") or {}).items():
        for col, v in cols.items():
            report.reviews[kind][col] = _override_cell(v)
    for item, metrics in (overrides.get("active_disclosure") or {}).items():
        for metric, v in metrics.items():
            is_amount = metric == "amount_yuan"
            report.active[item][metric] = _override_cell(v, is_amount, report.template, report.amount_unit)


def _expected(report: _Report) -> dict:
    return {
        "report": {
            "title": report.title,
            "agency": report.agency,
            "year": report.year,
            "template": report.template,
            "published_on": report.published_on.isoformat(),
        },
        "applications": {row: {col: c.value for col, c in cols.items()} for row, cols in report.apps.items()},
        "reviews_litigation": {k: {o: c.value for o, c in cols.items()} for k, cols in report.reviews.items()},
        "active_disclosure": [
            {"block": item.block, "item": report.item_labels[item.key], "item_key": item.key,
             "values": {m: c.value for m, c in report.active[item.key].items()}}
            for item in forms.ACTIVE_ITEMS[report.template]
        ],
    }


# --------------------------------------------------------------------------------------------
# Shared rendering helpers
# --------------------------------------------------------------------------------------------

def _brackets(text: str, fullwidth: bool) -> str:
    return text if fullwidth else text.replace("（", "(").replace("）", ")")


def _row_label(rng: random.Random, row: forms.Row, report: _Report, allow_space: bool) -> str:
    label = rng.choice(row.labels) if len(row.labels) > 1 and rng.random() < 0.3 else row.label
    if row.key == "partly_granted" and rng.random() < 0.7:
        note = "（区分处理的，只计这一情形，不计其他情形）"
        if allow_space and rng.random() < 0.5:
            note = "（区分处理的, 只计这一情形, 不计其他情形）"
        label += note
    sep = " " if allow_space and rng.random() < 0.2 else ""
    return _brackets(row.number + sep + label, report.fullwidth)


def _group_label(group: str, report: _Report) -> str:
    return _brackets(group, report.fullwidth)


def _header_col_labels(rng: random.Random, report: _Report) -> list[str]:
    """Column header labels of table 3 in print order (with the optional 小计 column)."""
    labels = [rng.choice(c.labels) if len(c.labels) > 1 and rng.random() < 0.2 else c.label
              for c in forms.APPLICANT_COLUMNS]
    if report.subtotal_col:
        labels.insert(6, "小计")
    return labels


def _app_row_cells(report: _Report, key: str) -> list[_Cell]:
    cells = [report.apps[key][c] for c in forms.APPLICANT_COLUMN_KEYS]
    if report.subtotal_col:
        raw = report.raw_apps.get(key)
        sub = sum(raw[c] for c in forms.APPLICANT_COLUMN_KEYS[1:6]) if raw else 0
        cells.insert(6, _Cell(str(sub), None))
    return cells


def _subtotal_cells(report: _Report, keys: list[str]) -> list[_Cell]:
    out = []
    cols = list(forms.APPLICANT_COLUMN_KEYS)
    if report.subtotal_col:
        cols.insert(6, "__sub")
    for col in cols:
        if col == "__sub":
            total = sum(report.raw_apps[k][c] for k in keys for c in forms.APPLICANT_COLUMN_KEYS[1:6])
        else:
            total = sum(report.raw_apps[k][col] for k in keys)
        out.append(_Cell(str(total), None))
    return out


def _table3_plan(report: _Report) -> list[tuple[str, str, str, list[_Cell]]]:
    """Rows of table 3 as (level-1 label, group label, item label, cells); '' where a level is empty.

    Used by every renderer, so that all layouts print the same rows in the same order,
    including 小计 rows after each numbered group when the report has them.
    """
    plan = []
    rows = report.rows
    groups = {}
    for r in rows:
        if r.group.startswith("（") and r.number.endswith("."):
            groups.setdefault(r.group, []).append(r.key)
    for i, r in enumerate(rows):
        cells = _app_row_cells(report, r.key)
        label = report.row_labels[r.key]
        if r.number.endswith("、"):
            plan.append((label, "", "", cells))
        elif r.number.startswith("（") and not r.number.endswith("."):
            plan.append((_group_label("三、本年度办理结果", report), label, "", cells))
        else:
            plan.append((_group_label("三、本年度办理结果", report), _group_label(r.group, report), label, cells))
            nxt = rows[i + 1] if i + 1 < len(rows) else None
            if report.subtotal_rows and (nxt is None or nxt.group != r.group):
                plan.append((_group_label("三、本年度办理结果", report), _group_label(r.group, report), "小计",
                             _subtotal_cells(report, groups[r.group])))
    return plan


def _section_heading(rng: random.Random, number: str, official: str, variants: tuple[str, ...]) -> str:
    title = official if rng.random() < 0.75 else rng.choice(variants)
    return f"{number}、{title}"


_PROSE_ONE = (
    "（一）主动公开。坚持“以公开为常态、不公开为例外”，围绕中心工作做好重点领域信息公开，及时发布政策文件和解读材料。",
    "（二）依申请公开。规范受理、登记、办理、答复等环节，严格按照法定时限答复申请人。",
    "（三）政府信息管理。完善信息发布审核机制，落实保密审查制度，动态更新政府信息公开目录。",
    "（四）平台建设。加强政府网站和政务新媒体管理，优化政府信息公开专栏栏目设置。",
    "（五）监督保障。将政务公开工作纳入年度考核，定期开展督查通报和业务培训。",
)


def _prose(rng: random.Random, report: _Report) -> dict[str, list[str]]:
    y = report.year
    raw = report.raw_apps
    new = raw["new_received"]["total"]
    carried = raw["carried_over"]["total"]
    done = raw["total_processed"]["total"]
    forward = raw["carried_forward"]["total"]
    rev = report.reviews_raw["review"]["total"]
    lit = (report.reviews_raw["litigation_direct"]["total"] + report.reviews_raw["litigation_after_review"]["total"])
    one = [f"{y}年，{report.agency}认真贯彻落实《中华人民共和国政府信息公开条例》，扎实推进政务公开各项工作。"]
    one += [_brackets(p, report.fullwidth) for p in _PROSE_ONE] if report.own_prose is None else report.own_prose["一"]
    if new:
        apps = (f"{y}年，共新收政府信息公开申请{new}件，上年结转{carried}件，办结{done}件，"
                f"结转下年度继续办理{forward}件。")
    else:
        apps = f"{y}年，共新收政府信息公开申请0件，上年结转{carried}件。"
    one.insert(3, apps)
    four = [f"{y}年，本机关发生政府信息公开行政复议{rev}件，行政诉讼{lit}件。"]
    five = ["一是公开内容的全面性还需加强；二是政策解读形式较为单一。",
            "下一步，将进一步健全工作机制，提高政务公开工作质量。"] if report.own_prose is None else report.own_prose["五"]
    six = [rng.choice((f"按照《政府信息公开信息处理费管理办法》规定，本机关{y}年未收取信息处理费。",
                       "本年度无其他需要报告的事项。"))]
    return {"一": one, "二": [], "三": [], "四": four, "五": five, "六": six}


def _headings(rng: random.Random) -> dict[str, str]:
    return {num: _section_heading(rng, num, title, variants) for num, title, variants in forms.SECTIONS}


# --------------------------------------------------------------------------------------------
# Plain-text layouts: cells_per_line, tabs, spaces, markdown
# --------------------------------------------------------------------------------------------

def _t2_headers(rng: random.Random, report: _Report, item: forms.Item, split: bool) -> list[str]:
    """Header words of one table-2 block; `split` breaks long words in two (“本年新/制作数量”)."""
    words = []
    for m in item.metrics:
        w = m.label
        if m.key == "amount_yuan":
            if report.template == "2021":
                w = rng.choice(("本年收费金额（单位：万元）", "本年收费金额(单位:万元,保留4位小数)", "本年收费金额（万元）"))
            elif report.amount_unit == "万元":
                w = rng.choice(("采购总金额（万元）", "采购总金额(万元)"))
            elif report.amount_unit == "元-header":
                w = "采购总金额（元）"
        elif m.key == "change" and rng.random() < 0.2:
            w = "本年增减"
        cut = next((len(p) for p in ("本年新", "上一年", "本年制发", "本年废止") if w.startswith(p)), 0)
        if split and cut:
            w = w[:cut] + "\n" + w[cut:]
        words.append(w)
    return words


def _t2_blocks(report: _Report):
    """Group table-2 items by block, in form order."""
    return itertools.groupby(forms.ACTIVE_ITEMS[report.template], key=lambda it: it.block)


def _render_cells_per_line(rng: random.Random, report: _Report) -> list[str]:
    split = rng.random() < 0.5
    tables: dict[str, list[str]] = {"二": [], "三": [], "四": []}

    def put(out: list[str], *cells: str) -> None:
        for c in cells:
            out.extend(c.split("\n"))
            if report.blank_lines:
                out.append("")

    t2 = tables["二"]
    for block, items in _t2_blocks(report):
        items = list(items)
        put(t2, _brackets(forms.BLOCK_TITLES[block], report.fullwidth), "信息内容",
            *_t2_headers(rng, report, items[0], split))
        for item in items:
            put(t2, report.item_labels[item.key], *(c.printed for c in report.active[item.key].values()))
    t3 = tables["三"]
    put(t3, _brackets("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", report.fullwidth))
    cols = report.col_labels
    org = cols[1:-1]
    put(t3, "申请人情况", cols[0], "法人或其他组织", cols[-1])
    put(t3, *[("社会公益\n组织" if c == "社会公益组织" and split else c) for c in org])
    printed: set[str] = set()
    for lvl1, group, item, cells in _table3_plan(report):
        values = [c.printed for c in cells]
        if not group:
            put(t3, lvl1, *values)
            continue
        if lvl1 not in printed:
            put(t3, lvl1)
            printed.add(lvl1)
        if not item:
            put(t3, group, *values)
            continue
        if group not in printed:
            put(t3, group)
            printed.add(group)
        put(t3, item, *values)
    t4 = tables["四"]
    outcomes = [o.label for o in forms.REVIEW_OUTCOMES]
    put(t4, "行政复议", "行政诉讼")
    put(t4, *outcomes, forms.REVIEW_KINDS[1].label, forms.REVIEW_KINDS[2].label, *outcomes, *outcomes)
    put(t4, *(report.reviews[k][o].printed for k in forms.REVIEW_KIND_KEYS for o in forms.REVIEW_OUTCOME_KEYS))
    return _assemble_text(rng, report, tables, put_blank=report.blank_lines)


def _sep_row(cells: list[str], sep: str) -> str:
    return sep.join(cells)


def _render_grid(rng: random.Random, report: _Report, fmt: str) -> list[str]:
    """tabs, spaces and markdown share one grid: 3 label columns + the value columns."""
    n_vals = 8 if report.subtotal_col else 7
    width3 = 3 + n_vals
    md = fmt == "markdown"
    spaces = fmt == "spaces"

    def row(cells: list[str], width: int) -> str:
        cells = cells + [""] * (width - len(cells))
        if md:
            return "| " + " | ".join(c.replace("\n", "<br>") for c in cells) + " |"
        if spaces:
            gap = rng.choice((" ", " ", "  ", "   "))
            return gap.join(c for c in cells if c != "")
        return "\t".join(cells)

    def md_sep(width: int) -> str:
        return "|" + "|".join(rng.choice(("---", "----", ":---:")) for _ in range(width)) + "|"

    split = rng.random() < 0.5 and not spaces
    # Table 2
    t2: list[str] = []
    first = True
    for block, items in _t2_blocks(report):
        items = list(items)
        title = _brackets(forms.BLOCK_TITLES[block], report.fullwidth)
        if spaces:
            t2.append(title)
        else:
            t2.append(row([title], 4))
        if md and first:
            t2.append(md_sep(4))
            first = False
        heads = _t2_headers(rng, report, items[0], split and md)
        if md and split and any("\n" in h for h in heads):
            t2.append(row(["信息内容"] + [h.split("\n")[0] for h in heads], 4))
            t2.append(row([""] + [h.split("\n")[1] if "\n" in h else "" for h in heads], 4))
        else:
            t2.append(row(["信息内容"] + [h.replace("\n", "") for h in heads], 4))
        for item in items:
            t2.append(row([report.item_labels[item.key]] + [c.printed for c in report.active[item.key].values()], 4))
    # Table 3
    cols = report.col_labels
    org = cols[1:-1]
    note = _brackets("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", report.fullwidth)
    if spaces:
        header = [note, f"申请人情况 {cols[0]} 法人或其他组织 {cols[-1]}", " ".join(org)]
    else:
        org_h = [("社会公益\n组织" if c == "社会公益组织" and split else c) for c in org]
        header = [row([note, "", "", "申请人情况"], width3)]
        if md:
            header.append(md_sep(width3))
        header.append(row(["", "", "", cols[0], "法人或其他组织"] + [""] * (len(org) - 1) + [cols[-1]], width3))
        if not md and split:
            header.append(row(["", "", "", ""] + [h.split("\n")[0] for h in org_h], width3))
            header.append(row(["", "", "", ""] + [h.split("\n")[1] if "\n" in h else "" for h in org_h], width3))
        else:
            header.append(row(["", "", "", ""] + org_h, width3))
    t3: list[str] = list(header)
    plan = _table3_plan(report)
    repeat_dup = md and rng.random() < 0.5       # converters that repeat spanned labels in every row
    footer_at = rng.randint(4, len(plan) - 4) if md else -1
    seen: set[str] = set()
    for i, (lvl1, group, item, cells) in enumerate(plan):
        if i == footer_at:
            t3.append("")
            t3.append(f"— {rng.randint(2, 12)} —")
            t3.append("")
            t3.extend(header)
        if not group:
            labels = [lvl1, "", ""]
        else:
            first = lvl1 if (repeat_dup or lvl1 not in seen) else ""
            if item:
                labels = [first, group if (repeat_dup or group not in seen) else "", item]
            else:
                labels = [first, group, ""]
        seen.update((lvl1, group))
        if spaces:
            t3.append(row([x for x in labels if x] + [c.printed for c in cells], width3))
        else:
            t3.append(row(labels + [c.printed for c in cells], width3))
    # Table 4
    outcomes = [o.label for o in forms.REVIEW_OUTCOMES]
    k1, k2 = forms.REVIEW_KINDS[1].label, forms.REVIEW_KINDS[2].label
    nums = [report.reviews[k][o].printed for k in forms.REVIEW_KIND_KEYS for o in forms.REVIEW_OUTCOME_KEYS]
    if spaces:
        t4 = ["行政复议 行政诉讼", " ".join(outcomes + [k1, k2]), " ".join(outcomes + outcomes), " ".join(nums)]
    else:
        t4 = [row(["行政复议", "", "", "", "", "行政诉讼"], 15)]
        if md:
            t4.append(md_sep(15))
        t4.append(row(outcomes + [k1, "", "", "", "", k2], 15))
        t4.append(row([""] * 5 + outcomes + outcomes, 15))
        t4.append(row(nums, 15))
    return _assemble_text(rng, report, {"二": t2, "三": t3, "四": t4}, put_blank=True, markdown=md)


def _render_converted(rng: random.Random, report: _Report, style: str) -> list[str]:
    """The converter layouts (CONVERTER_LAYOUTS): what PDF-to-Markdown tools, OCR and site extractors print.

    glued: every row's cells joined with no separator ("713000074", a 15-digit table 4); md_short_header:
    table 4's header rows with fewer cells than its 15-cell data row; md_generic: OCR column names
    ("数据1 … 数据6 | 总计") instead of the form's; md_noheader: no header rows at all; md_displaced: a page
    break repeats the header mid-table and the rows after it lose their label columns (one label cell, the
    values shifted left under the repeated header); labels_apart: a
    row's label on one line, its numbers on the next; footers: page footers ("— 5 —", "第 3 页") between
    rows; skipped_heading: section 二's heading left out, so table 4 sits under "三、".
    """
    md = style.startswith("md_")

    def line(cells: list[str]) -> str:
        if md:
            return "| " + " | ".join(cells) + " |"
        return " ".join(c for c in cells if c != "")

    def rule(width: int) -> str:
        return "|" + "|".join("---" for _ in range(width)) + "|"

    glue = style == "glued"
    tables: dict[str, list[str]] = {"二": [], "三": [], "四": []}
    # Table 2
    t2 = tables["二"]
    for block, items in _t2_blocks(report):
        items = list(items)
        heads = [h.replace("\n", "") for h in _t2_headers(rng, report, items[0], False)]
        if md:
            t2 += [line([forms.BLOCK_TITLES[block]] + [""] * len(heads)), rule(len(heads) + 1),
                   line(["信息内容"] + heads)]
        else:
            t2 += [_brackets(forms.BLOCK_TITLES[block], report.fullwidth), " ".join(["信息内容"] + heads)]
        for item in items:
            values = [c.printed for c in report.active[item.key].values()]
            label = report.item_labels[item.key]
            t2.append(label + "".join(values) if glue else line([label] + values))
    # Table 3
    t3 = tables["三"]
    cols = report.col_labels
    note = _brackets("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", report.fullwidth)
    width = len(cols)
    if style == "md_generic":
        generic = [f"数据{i}" for i in range(1, width)] + ["总计"]
        t3 += [note, "", line(["申请人情况"] + generic), rule(width + 1)]
    elif style == "md_noheader":
        t3 += [note, ""]
    elif style == "md_displaced":
        t3 += [note, "", line(["", "", "申请人情况", cols[0], "法人或其他组织"] + [""] * (width - 3) + [cols[-1]]),
               rule(width + 3), line(["", "", ""] + cols)]
    elif md:
        t3 += [note, "", line(["申请人情况", cols[0], "法人或其他组织"] + [""] * (width - 3) + [cols[-1]]),
               rule(width + 1), line([""] + cols)]
    else:
        t3 += [note, f"申请人情况 {cols[0]} 法人或其他组织 {cols[-1]}", " ".join(cols[1:-1])]
    printed: set[str] = set()
    plan = _table3_plan(report)
    footers = sorted(rng.sample(range(2, len(plan) - 1), 2)) if style == "footers" else []
    header = list(t3[2:])
    brk = rng.randint(4, len(plan) - 4) if style == "md_displaced" else -1
    for i, (lvl1, group, item, cells) in enumerate(plan):
        own = item or group or lvl1
        heads = [x for x in (lvl1, group) if x and x != own and x not in printed]
        printed.update(x for x in (lvl1, group) if x)
        label = " ".join(heads + [own])
        values = [c.printed for c in cells]
        if i in footers:
            t3 += ["", rng.choice((f"— {rng.randint(2, 12)} —", f"第 {rng.randint(2, 9)} 页", f"- {rng.randint(2, 9)} -")), ""]
        if i == brk:
            t3 += ["", f"— {rng.randint(2, 9)} —", ""] + header
        if glue:
            t3.append(label + "".join(values))
        elif style == "md_displaced" and (brk < 0 or i < brk):
            t3.append(line([lvl1, group, item] + values))
        elif style == "labels_apart":
            t3 += [label, " ".join(values)]
        else:
            t3.append(line([label] + values))
    # Table 4
    t4 = tables["四"]
    outcomes = [o.label for o in forms.REVIEW_OUTCOMES]
    k1, k2 = forms.REVIEW_KINDS[1].label, forms.REVIEW_KINDS[2].label
    nums = [report.reviews[k][o].printed for k in forms.REVIEW_KIND_KEYS for o in forms.REVIEW_OUTCOME_KEYS]
    if style == "md_short_header":
        # a two-line header broken by the converter: 2 cells, then 7, over a 15-cell data row
        t4 += [line(["行政复议", "行政诉讼"]), rule(2), line(outcomes + [k1, k2]), line(nums)]
    elif style == "md_generic":
        t4 += [line([f"数据{i}" for i in range(1, 16)]), rule(15), line(nums)]
    elif style == "md_noheader":
        t4 += [line(nums)]
    elif md:
        t4 += [line(["行政复议"] + [""] * 4 + ["行政诉讼"] + [""] * 9), rule(15),
               line(outcomes + [k1] + [""] * 4 + [k2] + [""] * 4), line([""] * 5 + outcomes + outcomes), line(nums)]
    else:
        t4 += ["行政复议 行政诉讼", " ".join(outcomes + [k1, k2]), " ".join(outcomes + outcomes)]
        t4.append("".join(nums) if glue else " ".join(nums))
    return _assemble_text(rng, report, tables, put_blank=True, markdown=md,
                          skip_heading="二" if style == "skipped_heading" else "")


_CHROME_TOP = ("相关解读:", "相关文件:", "  字号:[ ]  [关闭] 视力保护色:", "当前位置：首页 > 政务公开 > 政府信息公开年报",
               "【字体：大 中 小】 【打印本页】")
_CHROME_BOTTOM = ("相关附件:", "扫一扫在手机打开当前页面", "手机版 政务微信 政策问答 无障碍 关闭", "【关闭窗口】")


def _assemble_text(rng: random.Random, report: _Report, tables: dict[str, list[str]], *, put_blank: bool,
                   markdown: bool = False, skip_heading: str = "") -> list[str]:
    heads = _headings(rng)
    if skip_heading:
        # the report left out one heading (its content runs on in the previous section) and numbered the
        # rest from there: table 4 then sits under "三、…行政复议、行政诉讼情况"
        numbers = [num for num, _t, _v in forms.SECTIONS]
        gone = numbers.index(skip_heading)
        for i, num in enumerate(numbers[gone + 1:], gone):
            heads[num] = numbers[i] + heads[num][len(num):]
        heads[skip_heading] = ""
    prose = _prose(rng, report)
    lines: list[str] = []
    gap = [""] if put_blank else []
    if not markdown and rng.random() < 0.5:
        lines += rng.sample(_CHROME_TOP, 2) + gap
    lines += [("# " if markdown else "") + report.title] + gap
    lines += [_date_line(rng, report.published_on)] + gap
    if markdown and rng.random() < 0.5:
        lines += [f"— 1 —", ""]
    for num, _t, _v in forms.SECTIONS:
        if heads[num]:
            lines += [("## " if markdown else "") + heads[num]] + gap
        for p in prose[num]:
            lines += [p] + gap
        if num in tables:
            lines += tables[num] + [""]
    if not markdown and rng.random() < 0.5:
        lines += gap + rng.sample(_CHROME_BOTTOM, 2)
    lines.append(f"{report.agency}")
    lines.append(f"{report.published_on.year}年{report.published_on.month}月{report.published_on.day}日")
    return lines


# --------------------------------------------------------------------------------------------
# HTML: a whole page with site chrome and Word markup
# --------------------------------------------------------------------------------------------

_MSO_SPANS = (
    "<span style=\"font-family:仿宋_GB2312;mso-ascii-font-family:'Times New Roman';font-size:12.0pt;mso-bidi-font-size:10.5pt\">{}</span>",
    "<span lang=EN-US style='font-size:10.5pt;mso-fareast-font-family:仿宋_GB2312;mso-font-kerning:0pt'>{}<o:p></o:p></span>",
    "<font face=\"仿宋_GB2312\" size=\"3\">{}</font>",
    "<span style=\"mso-spacerun:'yes';font-family:宋体;font-size:10.5000pt\">{}</span>",
)


def _html_cell_text(rng: random.Random, text: str, vertical: bool = False) -> str:
    if text == "":
        return rng.choice(("&nbsp;", "", "<p class=MsoNormal><span><o:p>&nbsp;</o:p></span></p>", " "))
    text = text.replace("\n", "")
    if vertical and len(text) <= 6:
        return "".join(f"<p class=MsoNormal align=center style='text-align:center'>{ch}</p>" for ch in text)
    span = rng.choice(_MSO_SPANS).format(text)
    pad = "&nbsp;" if rng.random() < 0.3 else ""
    return f"<p class=MsoNormal align=center style='text-align:center;line-height:20pt'>{span}{pad}</p>"


def _td(rng: random.Random, text: str, rowspan: int = 1, colspan: int = 1, vertical: bool = False) -> str:
    attrs = ' valign="center" style="border:solid windowtext 1.0pt;mso-border-alt:solid windowtext .5pt;padding:0cm 5.4pt"'
    if rowspan > 1:
        attrs += f' rowspan="{rowspan}"'
    if colspan > 1:
        attrs += f' colspan="{colspan}"'
    return f"<td{attrs}>{_html_cell_text(rng, text, vertical)}</td>"


def _table(rows: list[str]) -> str:
    body = "".join(f"<tr style='height:20.0pt'>{r}</tr>\n" for r in rows)
    return ("<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 "
            "style='border-collapse:collapse;border:none;mso-border-alt:solid windowtext .5pt;"
            f"mso-yfti-tbllook:1184;mso-padding-alt:0cm 5.4pt 0cm 5.4pt'><tbody>\n{body}</tbody></table>")


def _html_table2(rng: random.Random, report: _Report) -> str:
    rows = []
    for block, items in _t2_blocks(report):
        items = list(items)
        rows.append(_td(rng, _brackets(forms.BLOCK_TITLES[block], report.fullwidth), colspan=4))
        heads = _t2_headers(rng, report, items[0], False)
        span_last = 4 - len(heads)
        hdr = _td(rng, "信息内容") + "".join(
            _td(rng, h, colspan=(span_last if i == len(heads) - 1 else 1)) for i, h in enumerate(heads))
        rows.append(hdr)
        for item in items:
            cells = list(report.active[item.key].values())
            rows.append(_td(rng, report.item_labels[item.key]) + "".join(
                _td(rng, c.printed, colspan=(span_last if i == len(cells) - 1 else 1)) for i, c in enumerate(cells)))
    return _table(rows)


def _html_table3(rng: random.Random, report: _Report) -> str:
    cols = report.col_labels
    org = cols[1:-1]
    n_org = len(org)
    note = _brackets("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", report.fullwidth)
    rows = [_td(rng, note, rowspan=3, colspan=3) + _td(rng, "申请人情况", colspan=len(cols)),
            _td(rng, cols[0], rowspan=2) + _td(rng, "法人或其他组织", colspan=n_org) + _td(rng, cols[-1], rowspan=2),
            "".join(_td(rng, c) for c in org)]
    plan = _table3_plan(report)
    # rowspans: level-1 "三、" spans all result rows; each group spans its items (+小计)
    lvl1_span = sum(1 for p in plan if p[1])
    group_span: dict[str, int] = {}
    for _l, g, it, _c in plan:
        if it:
            group_span[g] = group_span.get(g, 0) + 1
    seen: set[str] = set()
    for lvl1, group, item, cells in plan:
        vals = "".join(_td(rng, c.printed) for c in cells)
        lead = ""
        if not group:
            rows.append(_td(rng, lvl1, colspan=3) + vals)
            continue
        if lvl1 not in seen:
            lead += _td(rng, lvl1, rowspan=lvl1_span, vertical=rng.random() < 0.3)
            seen.add(lvl1)
        if not item:
            rows.append(lead + _td(rng, group, colspan=2) + vals)
            continue
        if group not in seen:
            lead += _td(rng, group, rowspan=group_span[group])
            seen.add(group)
        rows.append(lead + _td(rng, item) + vals)
    return _table(rows)


def _html_table4(rng: random.Random, report: _Report) -> str:
    vertical = rng.random() < 0.4
    outcomes = [o.label for o in forms.REVIEW_OUTCOMES]
    rows = [_td(rng, "行政复议", colspan=5) + _td(rng, "行政诉讼", colspan=10),
            "".join(_td(rng, o, rowspan=2, vertical=vertical) for o in outcomes)
            + _td(rng, forms.REVIEW_KINDS[1].label, colspan=5) + _td(rng, forms.REVIEW_KINDS[2].label, colspan=5),
            "".join(_td(rng, o, vertical=vertical) for o in outcomes + outcomes),
            "".join(_td(rng, report.reviews[k][o].printed) for k in forms.REVIEW_KIND_KEYS
                    for o in forms.REVIEW_OUTCOME_KEYS)]
    return _table(rows)


_NAV = ("首页", "政务公开", "政务服务", "互动交流", "走进本地", "专题专栏")
_SCRIPT = """<script type="text/javascript">
var _hmt = _hmt || [];
(function() { var hm = document.createElement("script"); hm.src = "/js/stat.js?id=20210125";
  var s = document.getElementsByTagName("script")[0]; s.parentNode.insertBefore(hm, s); })();
var tpl = '<table><tr><td>一、本年新收政府信息公开申请数量</td><td>99</td></tr></table>';
function fontZoom(size) { document.getElementById("zoom").style.fontSize = size + "px"; }
</script>"""


def _html_paragraph(rng: random.Random, text: str) -> str:
    span = rng.choice(_MSO_SPANS).format(text)
    return f"<p class=MsoNormal style='text-indent:32.0pt;mso-char-indent-count:2.0;line-height:28.0pt'>{span}</p>"


def _render_html(rng: random.Random, report: _Report, charset: str) -> list[str]:
    heads = _headings(rng)
    prose = _prose(rng, report)
    tables = {"二": _html_table2(rng, report), "三": _html_table3(rng, report), "四": _html_table4(rng, report)}
    nav = "".join(f'<li><a href="/{i}/" target="_blank">{n}</a></li>' for i, n in enumerate(_NAV))
    parts = [
        "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\">",
        "<html xmlns:o=\"urn:schemas-microsoft-com:office:office\"><head>",
        f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">',
        f"<title>{report.title}_{report.agency}</title>",
        "<style type=\"text/css\">body{margin:0;font-size:14px} .nav li{float:left} td{border:1px solid #000}</style>",
        _SCRIPT,
        "</head><body>",
        f'<div class="header"><div class="logo"><img src="/images/logo.png" alt="{report.agency}"></div>'
        f'<ul class="nav">{nav}</ul></div>',
        '<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; 政府信息公开年报</div>',
        f'<div class="article"><h1 class="title">{report.title}</h1>',
        f'<div class="info"><span>{_date_line(rng, report.published_on).strip(" •")}</span>'
        f'<span>来源：{report.agency}</span><span>字体：[<a href="javascript:fontZoom(16)">大</a>]</span></div>',
        '<div class="TRS_Editor" id="zoom"><div class=WordSection1>',
    ]
    for num, _t, _v in forms.SECTIONS:
        h = heads[num]
        parts.append(rng.choice((f"<p class=MsoNormal><b><span style='font-family:黑体'>{h}<o:p></o:p></span></b></p>",
                                 f"<h3>{h}</h3>", f"<p><strong>{h}</strong></p>")))
        for p in prose[num]:
            parts.append(_html_paragraph(rng, p))
        if num in tables:
            parts.append(tables[num])
            parts.append("<p class=MsoNormal><span lang=EN-US><o:p>&nbsp;</o:p></span></p>")
    parts += [
        f"<p class=MsoNormal align=right style='text-align:right'>{report.agency}</p>",
        "</div></div></div>",
        '<div class="footer"><p>主办单位：人民政府办公室 网站标识码：3301000001</p>'
        '<p>ICP备案号：ICP备05012345号 公网安备 33010002000123号</p></div>',
        "<script>document.write('<span id=\"cnzz\"></span>');</script>",
        "</body></html>",
    ]
    return parts


# --------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------

_OPENCC = None


def _to_traditional(text: str) -> str:
    global _OPENCC
    if _OPENCC is None:
        import opencc
        _OPENCC = opencc.OpenCC("s2t")
    return _OPENCC.convert(text)


_TAG = re.compile(r"(<[^>]*>)")
_JOIN = "\ue000"   # a private-use character OpenCC passes through unchanged


def _html_to_traditional(markup: str) -> str:
    """Convert only the text between tags: the markup is ASCII plus font names, and converting
    100 kB of it one report at a time would halve the generator's speed."""
    parts = _TAG.split(markup)
    texts = _to_traditional(_JOIN.join(parts[0::2])).split(_JOIN)
    if len(texts) != len(parts[0::2]):   # pragma: no cover - OpenCC changed the separator
        return _to_traditional(markup)
    parts[0::2] = texts
    return "".join(parts)


def _encode(text: str, encoding: str) -> bytes:
    if encoding == "utf-8":
        return text.encode("utf-8")
    if encoding == "gbk":
        # gb18030 is byte-identical to GBK for every GBK character and never fails on the rest.
        return text.encode("gb18030")
    if encoding == "utf-16":
        return text.encode("utf-16")            # with BOM
    if encoding == "utf-16-nobom":
        return text.encode("utf-16-le")
    raise ValueError(f"unknown encoding {encoding!r}")


_HTML_CHARSET = {"utf-8": "utf-8", "gbk": "gbk", "utf-16": "utf-16", "utf-16-nobom": "utf-16"}


def generate(rng: random.Random, *, template: str = "2019", layout: str = "cells_per_line",
             script: str = "simplified", encoding: str = "utf-8", year: int | None = None,
             agency: str | None = None, overrides: dict | None = None, six_split: bool | None = None,
             subtotals: bool | None = None, blanks: bool | None = None,
             previous: dict | None = None, prose: dict[str, list[str]] | None = None) -> Generated:
    """Render one report; `expected` holds what a correct parser returns for it.

    `six_split` (2021 only) chooses the three （六） rows versus the 2019-style single row;
    `subtotals` adds a 小计 column and 小计 rows (forms.md §4: tolerated, ignored);
    `blanks` makes some zero cells blank or placeholders (only in layouts where they are visible);
    `previous` (the `closing` of the agency's previous report) makes this one open where that one closed;
    `prose` ({"一": paragraphs, "五": paragraphs}) replaces the standard wording of sections 一 and 五 (which every
    generated report shares) with an agency's own (generate_corpus with copy_share).
    None means “let rng decide”.
    """
    if template not in GEN_TEMPLATES or layout not in LAYOUTS + CONVERTER_LAYOUTS or script not in SCRIPTS \
            or encoding not in ENCODINGS:
        raise ValueError(f"bad options: {template=} {layout=} {script=} {encoding=}")
    if year is None:
        year = rng.choice((2019, 2020)) if template == "2019" else rng.randint(2021, 2024)
    agency = agency or _agency(rng)
    if six_split is None:
        six_split = template == "2021" and rng.random() < 0.85
    if template == "2019":
        six_split = False
    rows = forms.application_rows(six_split)
    raw = _application_values(rng, rows)
    reviews_raw = _review_values(rng)
    amount_unit = rng.choice(("元", "元-suffix", "万元", "万元", "元-header"))
    active = _active_values(rng, template, amount_unit)
    if previous:
        _continue_from(raw, active, previous)
    closing = _closing(raw, active)
    if subtotals is None:
        subtotals = rng.random() < 0.15
    report = _Report(
        template=template, year=year, agency=agency, published_on=_published_on(rng, year), layout=layout,
        six_split=six_split, rows=rows,
        apps={r: {c: _Cell(str(v), v) for c, v in cols.items()} for r, cols in raw.items()},
        reviews={k: {o: _Cell(str(v), v) for o, v in cols.items()} for k, cols in reviews_raw.items()},
        active=active,
        item_labels={it.key: (rng.choice(it.labels) if len(it.labels) > 1 and rng.random() < 0.3 else it.label)
                     for it in forms.ACTIVE_ITEMS[template]},
        amount_unit=amount_unit, subtotal_col=subtotals and rng.random() < 0.6, subtotal_rows=False,
        fullwidth=rng.random() < 0.6, blank_lines=rng.random() < 0.7, raw_apps=raw, own_prose=prose,
    )
    report.subtotal_rows = bool(subtotals and (not report.subtotal_col or rng.random() < 0.5))
    report.reviews_raw = reviews_raw
    allow_space = layout in ("tabs", "html", "markdown")
    report.row_labels = {r.key: _row_label(rng, r, report, allow_space) for r in rows}
    report.col_labels = _header_col_labels(rng, report)
    if blanks is None:
        blanks = rng.random() < 0.4
    if blanks and layout in BLANK_LAYOUTS:
        rate = rng.choice((0.1, 0.3, 0.8))
        _blankify(rng, report.apps, rate)
        _blankify(rng, report.reviews, rate)
        _blankify(rng, report.active, rate)
    if overrides:
        _apply_overrides(report, overrides)

    if layout in ("md_generic", "md_noheader"):
        report.subtotal_col = False     # a header that does not name the columns cannot show a 小计 column
    if layout == "html":
        lines = _render_html(rng, report, _HTML_CHARSET[encoding])
    elif layout == "cells_per_line":
        lines = _render_cells_per_line(rng, report)
    elif layout in CONVERTER_LAYOUTS:
        lines = _render_converted(rng, report, layout)
    else:
        lines = _render_grid(rng, report, layout)
    newline = "\r\n" if layout != "html" and rng.random() < 0.2 else "\n"
    text = newline.join(lines) + newline
    if script == "traditional":
        text = _html_to_traditional(text) if layout == "html" else _to_traditional(text)
    data = _encode(text, encoding)
    ext = EXTENSIONS[layout]
    filename = f"gen_{year}_{rng.getrandbits(32):08x}.{ext}"
    options = {"template": template, "layout": layout, "script": script, "encoding": encoding,
               "six_split": six_split, "subtotal_col": report.subtotal_col, "subtotal_rows": report.subtotal_rows,
               "blanks": bool(blanks and layout in BLANK_LAYOUTS), "amount_unit": amount_unit}
    return Generated(data=data, filename=filename, expected=_expected(report), text=text, options=options,
                     closing=closing)


def combinations() -> list[tuple[str, str, str, str]]:
    """Every (layout, template, script, encoding) the generator can render."""
    return list(itertools.product(LAYOUTS, GEN_TEMPLATES, SCRIPTS, ENCODINGS))


CHAIN_BREAK = 0.15     # share of an agency's years whose opening figures do not match last year's closing


# Prose of generate_corpus(copy_share > 0): phrases of random common characters. A fifth come from a shared pool
# (the trade's wording, which unrelated reports share), the rest are the agency's own; each year an agency keeps
# about a third of last year's phrases and writes the rest anew.
_PROSE_CHARS = ("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种"
                "面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去"
                "把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但"
                "质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式")
_COPY_WINDOW = 5000     # a copy's source is one of the last this many reports (bounded memory at any size)


def _phrase(rng: random.Random) -> str:
    return "".join(rng.choice(_PROSE_CHARS) for _ in range(rng.randint(8, 18))) + rng.choice("，，，，，，。。；")


def _own_prose(rng: random.Random, pool: list[str], previous: dict[str, list[str]] | None) -> dict[str, list[str]]:
    out = {}
    for num, (lo, hi) in (("一", (25, 60)), ("五", (15, 30))):
        kept = [p for para in (previous or {}).get(num, []) for p in para.split("\x00") if rng.random() < 0.33]
        body = kept + [rng.choice(pool) if rng.random() < 0.2 else _phrase(rng) for _ in range(rng.randint(lo, hi))]
        rng.shuffle(body)
        out[num] = ["\x00".join(body[k:k + 6]) for k in range(0, len(body), 6)]
    return out


def _copied_prose(rng: random.Random, source: dict[str, list[str]], src_agency: str, src_year: int,
                  agency: str, year: int) -> dict[str, list[str]]:
    """Another report's sections 一 and 五 with the agency's name and the year changed, and one phrase rewritten."""
    out = {}
    for num, paras in source.items():
        paras = [p.replace(src_agency, agency).replace(str(src_year), str(year)) for p in paras]
        k = rng.randrange(len(paras))
        parts = paras[k].split("\x00")
        parts[rng.randrange(len(parts))] = _phrase(rng)
        paras[k] = "\x00".join(parts)
        out[num] = paras
    return out


def _printed(prose: dict[str, list[str]]) -> dict[str, list[str]]:
    return {num: [p.replace("\x00", "") for p in paras] for num, paras in prose.items()}


def generate_corpus(n: int, seed: int, copy_share: float = 0.0, **kw) -> Iterator[Generated]:
    """n reports cycling through layouts, templates, scripts and encodings (kw fixes any of them).

    Report i depends only on seed, i and its agency's previous report, so a corpus can be regenerated
    reproducibly. Like the real corpus, each agency publishes one report a year, 2019–2024, and opens each
    year where the last one closed, except in a share of years (CHAIN_BREAK) where its figures do not carry
    over, so the cross-year rules see both.

    With `copy_share` > 0 (default 0: the output is as before), sections 一 and 五 are written in each agency's
    own words, and that share of the reports copies both sections from an earlier report — another agency's, or
    (a third of the copies) the agency's own previous year — with the name, the year and one phrase changed;
    `options["copied_from"]` of such a report is the index in the corpus of the report it copied.
    """
    combos = combinations()
    years = tuple(range(2019, 2025))
    closing: dict | None = None
    recent: dict[int, tuple[str, int, dict[str, list[str]]]] = {}     # copy_share: the last reports' prose
    pool = [_phrase(random.Random(f"{seed}:pool:{k}")) for k in range(4000)] if copy_share else []
    for i in range(n):
        layout, template, script, encoding = combos[i % len(combos)]
        opts = {"layout": layout, "template": template, "script": script, "encoding": encoding}
        if "year" not in kw and "agency" not in kw and "template" not in kw:
            # like the real corpus: each agency publishes one report a year, 2019–2024, so the
            # cross-year checks pair each report with at most one previous year
            year = years[i % len(years)]
            opts.update(year=year, template="2019" if year < 2021 else "2021", agency=nth_agency(i // len(years)))
            if i % len(years) and closing and random.Random(f"{seed}:{i}:chain").random() >= CHAIN_BREAK:
                opts["previous"] = closing
        opts.update(kw)
        copied_from = None
        if copy_share:
            prng = random.Random(f"{seed}:{i}:prose")
            agency = opts.get("agency") or nth_agency(i // len(years))
            year = opts.get("year") or years[i % len(years)]
            last = recent.get(i - 1) if i % len(years) else None
            if recent and prng.random() < copy_share:
                copied_from = i - 1 if last and prng.random() < 0.33 else prng.choice(list(recent))
                src = recent[copied_from]
                own = _copied_prose(prng, src[2], src[0], src[1], agency, year)
            else:
                own = _own_prose(prng, pool, last[2] if last else None)
            recent[i] = (agency, year, own)
            recent.pop(i - _COPY_WINDOW, None)
            opts["prose"] = _printed(own)
        g = generate(random.Random(seed * 1_000_003 + i), **opts)
        if copied_from is not None:
            g.options["copied_from"] = copied_from
        closing = g.closing
        yield g


def nth_agency(k: int) -> str:
    """The k-th distinct agency name of a generated corpus (a place and a body, numbered past the list)."""
    city, county = _PLACES[k % len(_PLACES)]
    suffix = _SUFFIXES[(k // len(_PLACES)) % len(_SUFFIXES)]
    rank = k // (len(_PLACES) * len(_SUFFIXES))
    if rank == 0:
        return city + county + suffix
    # past the list: numbered street offices (governments) and branch bureaus (departments); k // len(_PLACES)
    # is unique within a place, and (suffix, rank) too, so no two k share a name (and so an agency_id)
    return city + county + (f"第{k // len(_PLACES)}街道办事处" if k % 2 else f"{suffix}第{rank}分局")


# --------------------------------------------------------------------------------------------
# Legacy reports (2008–2018) with a statistics table (forms.LEGACY_ITEMS), on request only
# --------------------------------------------------------------------------------------------
# Not part of `combinations()` / `generate_corpus()`, so the generated corpora of the 2019/2021 forms stay
# as they were. The table obeys the sums the parser relies on (channels → received, outcomes → answers) and
# carries its cumulative column from `previous` (the agency's last legacy report's `closing`).

LEGACY_LAYOUTS = ("spaced", "glued", "markdown", "html", "cells_per_line")
_LEGACY_ROWS = (  # (item key, ordinal printed before the label: "" for a total, "1." … for its parts)
    ("disclosed_items", ""), ("disclosed_web", "1."), ("disclosed_gazette", "2."),
    ("applications_received", ""), ("channel_in_person", "1."), ("channel_online", "2."), ("channel_letter", "3."),
    ("channel_fax", "4."), ("channel_email", "5."),
    ("answers_total", ""), ("answer_granted", "1."), ("answer_partly", "2."), ("answer_refused", "3."),
    ("fees_exemptions_yuan", ""), ("reviews", ""), ("lawsuits", ""),
)


def _legacy_values(rng: random.Random, previous: dict | None) -> dict[str, tuple[int, int]]:
    web, gazette = rng.randint(50, 5000), _small(rng, 30)
    channels = {k: _small(rng, 12) for k in ("channel_in_person", "channel_online", "channel_letter",
                                             "channel_fax", "channel_email")}
    received = sum(channels.values())
    granted = rng.randint(0, received)
    partly = rng.randint(0, received - granted)
    year = {"disclosed_items": web + gazette, "disclosed_web": web, "disclosed_gazette": gazette,
            "applications_received": received, **channels, "answers_total": received, "answer_granted": granted,
            "answer_partly": partly, "answer_refused": received - granted - partly, "fees_exemptions_yuan": 0,
            "reviews": _small(rng, 3, 0.8), "lawsuits": _small(rng, 2, 0.85)}
    # the earlier years: one multiple for the disclosed items, so each 其中 item stays within its total
    earlier = rng.randint(0, 3)
    base = previous or {k: (earlier * v if k.startswith("disclosed") else 0) for k, v in year.items()}
    return {k: (v, base.get(k, 0) + v) for k, v in year.items()}


def generate_legacy(rng: random.Random, *, layout: str = "spaced", year: int | None = None,
                    agency: str | None = None, previous: dict | None = None) -> Generated:
    """One legacy report (narrative + 统计表) in LEGACY_LAYOUTS; `expected["legacy_stats"]` is what the parser
    must return, `closing` the cumulative figures the agency's next report starts from."""
    if layout not in LEGACY_LAYOUTS:
        raise ValueError(f"bad legacy layout: {layout}")
    year = year or rng.randint(2008, 2018)
    agency = agency or _agency(rng)
    values = _legacy_values(rng, previous)
    items = [(forms.LEGACY_ITEM_BY_KEY[k], ordinal) for k, ordinal in _LEGACY_ROWS]
    v = {k: y for k, (y, _c) in values.items()}
    title = f"{agency}{year}年政府信息公开工作年度报告"
    published = _published_on(rng, year)
    prose = [
        title,
        _date_line(rng, published),
        f"本报告由概述、主动公开政府信息情况、依申请公开政府信息情况、政府信息公开的收费及减免情况、因政府信息公开申请行政复议"
        f"和提起行政诉讼情况、存在的主要问题及改进措施等部分组成。本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。",
        "一、概述",
        f"{year}年，我们认真贯彻《中华人民共和国政府信息公开条例》，政府信息公开工作稳步推进。",
        "二、主动公开政府信息情况",
        f"全年主动公开政府信息{v['disclosed_items']}条，其中通过政府网站公开{v['disclosed_web']}条。",
        "三、依申请公开政府信息情况",
        f"全年共受理政府信息公开申请{v['applications_received']}件，其中当面申请{v['channel_in_person']}件，"
        f"网上申请{v['channel_online']}件，信函申请{v['channel_letter']}件，传真申请{v['channel_fax']}件，"
        f"电子邮件申请{v['channel_email']}件。已答复{v['answers_total']}件，其中同意公开{v['answer_granted']}件，"
        f"同意部分公开{v['answer_partly']}件，不予公开{v['answer_refused']}件。",
        "四、政府信息公开的收费及减免情况",
        "全年未收取政府信息公开相关费用。",
        "五、因政府信息公开申请行政复议、提起行政诉讼的情况",
        f"全年因政府信息公开被申请行政复议{v['reviews']}件，被提起行政诉讼{v['lawsuits']}件。",
        "六、存在的主要问题及改进措施",
        "一是公开内容还不够全面；二是依申请公开工作机制有待完善。",
        f"附件：{agency}{year}年政府信息公开情况统计表",
    ]
    header = ["指标名称", "计量单位", f"{year}年度", "历年累计"]
    rows = []
    for item, ordinal in items:
        label = ("其中：" if ordinal == "1." else "") + ordinal + item.label
        y, c = values[item.key]
        rows.append([label, item.unit, str(y), str(c)])
    if layout == "spaced":
        table = [" ".join(header + [cell for row in rows for cell in row])]
    elif layout == "glued":
        table = ["".join(header) + "".join(r[0] + r[1] + r[2] + r[3] for r in rows)]
    elif layout == "cells_per_line":
        table = header + [cell for row in rows for cell in row]
    elif layout == "markdown":
        table = ["| " + " | ".join(header) + " |", "|" + "---|" * 4] + ["| " + " | ".join(r) + " |" for r in rows]
    else:
        table = []
    if layout == "html":
        # the title and date line above the article body (div#zoom, what generate_pdf lays out), as on the
        # sites; the agency signs below the table
        body = "".join(f"<p>{line}</p>\n" for line in prose[2:])
        trs = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>\n" for r in [header] + rows)
        text = (f"<html><head><meta charset=\"utf-8\"><title>{title}</title></head><body>\n<h1>{title}</h1>\n"
                f"<p>{prose[1]}</p>\n<div id=\"zoom\">\n{body}<table>\n{trs}</table>\n<p>{agency}</p>\n</div>\n"
                f"</body></html>\n")
    else:
        text = "\n".join(prose + table) + "\n"
    expected = {"report": {"title": title, "agency": agency, "year": year, "template": "legacy",
                           "published_on": published.isoformat()},
                "legacy_stats": [(item.key, item.label, *values[item.key]) for item, _o in items]}
    ext = "html" if layout == "html" else ("md" if layout == "markdown" else "txt")
    return Generated(data=text.encode("utf-8"), filename=f"gen_legacy_{year}_{rng.getrandbits(32):08x}.{ext}",
                     expected=expected, text=text, options={"layout": layout, "template": "legacy"},
                     closing={k: c for k, (_y, c) in values.items()})
