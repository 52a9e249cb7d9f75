"""The legacy statistics table (2008–2018: 政府信息公开情况统计表 / 附表) → items with this year's and
the cumulative value.

Before the 2019 form each province printed its own table, mostly the same items (forms.LEGACY_ITEMS):

    指标名称 计量单位 2011年度 历年累计
    主动公开信息数 条 425 1516  其中：1.网站公开 条 418 1509  2.政府公报公开 条 7 7 …

Sites print it as space-separated cells, as one cell per line, as Markdown or HTML rows (tabs in the
text rendering), or glued without any separator ("主动公开信息数条20263542其中：1.网站公开条179533042.
政府公报公开条07…"). A row is read as: an optional "其中：" and ordinal ("1." "2、" "（3）"), the label
(no digits), an optional unit, then the values. In a glued table the next item's ordinal sticks to the
values ("179533042." = 17953304 + "2."): the expected ordinal (the previous one + 1) is taken off the
end when the text goes on with "." or "、".

Glued values are cut with the rule-based splitter (`split`): two counts with this year ≤ cumulative,
then the table's own sums over every column together — the channels (当面、网上、信函…) add up to the
applications received, the outcomes (同意公开、部分公开、否决公开…) to the answers — so "2121" / "1818"
/ "33" / … read as 21/21, 18/18, 3/3 — and each "其中" item of 主动公开信息数 (网站公开、政府公报公开,
forms.LEGACY_PARTS) is at most the total in each column: a bound, not a sum (Pingtan 2012: 1795 + 0 of
2026). A run only one cut fits is read as printed (`number`); one surviving cut gives `recovered` cells
(`cells_split_by_rules`); several leave the values null with the candidates in the warning
(`cells_split_ambiguous`: "20263542" may be 202/63542 or 2026/3542 — 20/263542 is out, its 网站公开
"17953304" has no cut ≤ 20); none leaves them null (`cells_concatenated`). A row with a lost value in a table whose
cells are separated is null (`cells_missing`): nobody can tell which column lost it.

The table starts after its header (指标名称 | 计量单位 | 本年度/YYYY年度/本期实际/本年累计 | 历年累计, an optional
代码 column and the 甲 乙 丙 1 2 column-number row of the provinces' statistics form); without one, after a
"…统计表" title whose first rows are known items.

An item the definitions do not know is kept with its printed label (key null) and a warning
`legacy_item_unknown`. The table ends at the first text that is not a row (a signature, "附件下载").

Linear: every pattern is anchored at the current position with bounded quantifiers; the splitter's
work is bounded by its own budgets.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from .. import forms
from . import split

_HEADER = re.compile("|".join(r"[ \t]{0,2}".join(w) for w in forms.LEGACY_HEADER_WORDS))   # "指 标 名 称" too
_TITLE = re.compile(r"统计表|统计附表|情况附表")
MAX_TITLES = 8           # "…统计表" mentions tried when the table has no 指标名称 header
_HEADER_COLS = re.compile(r"历年累计|本年累计|累计|本期实际|本期|本年度|[0-9]{4}\s{0,2}年\s{0,2}度|年度|本年|代码")
# the column-number row under a statistics form's header: "甲 乙 丙 1 2"
_COLUMN_NUMBERS = re.compile(r"[\s|]{0,6}甲[\s|]{0,6}乙[\s|]{0,6}(?:丙[\s|]{0,6})?(?:\d[\s|]{1,6}){0,4}")
_SKIP = re.compile(r"[\s|:\-]*")
_UNITS = "|".join(forms.LEGACY_UNITS)
# a value: a number, or a placeholder that is not the start of a word ("无偿…", "复议/诉讼" are labels)
_TOKEN = r"(?:\d{1,15}(?:\.\d{1,6})?|(?:[—/／]|无)(?![\u4e00-\u9fff]))"
_ROW = re.compile(
    r"(?P<pre>其中\s{0,2}[:：]?\s{0,2})?"
    r"(?:(?P<ord>\d{1,2})\s{0,2}[.、．]|[（(](?P<ord2>\d{1,2})[)）])?"
    r"(?P<label>[^\d\n|。，；;,]{1,40}?)"
    r"[ \t|\n]{0,6}(?:[（(]?(?P<unit>" + _UNITS + r")[)）]?)?[ \t|\n]{0,6}"
    r"(?P<vals>" + _TOKEN + r"(?:[ \t|\n]{1,8}" + _TOKEN + r")*)"
)
_TOKENS = re.compile(_TOKEN)
_NORM = re.compile(r"[\s　:：“”\"《》*＊]+")
_PLACEHOLDERS = ("—", "/", "／", "无")
MAX_CANDIDATES_SHOWN = 8


def _norm(label: str) -> str:
    return _NORM.sub("", label).strip(".、．·-—")


_LABELS: dict[str, forms.LegacyItem] = {_norm(v): item for item in forms.LEGACY_ITEMS for v in item.labels}


@dataclass
class Value:
    value: object = None
    printed: str | None = None
    kind: str = "missing"          # number | placeholder | unreadable | recovered | missing
    start: int | None = None
    end: int | None = None


@dataclass
class LegacyRow:
    key: str | None
    label: str                      # as printed, ordinal and "其中" left out
    unit: str | None
    year: Value
    cumulative: Value
    printed: str                    # the values as printed
    start: int                      # where the row's label starts
    vals_start: int
    vals_end: int
    group: str = ""
    cells: list = field(default_factory=list)   # the row's values in the printed column order


@dataclass
class LegacyTable:
    rows: list[LegacyRow]
    start: int
    end: int
    has_cumulative: bool
    warnings: list[dict] = field(default_factory=list)


def _header(text: str, m: re.Match, end: int):
    """(end of the header, the columns' roles in printed order, whether a 代码 column precedes them) or None.

    Roles: "year" (本年度, 2012年度, 本年, 本年累计 — in an annual report the year's own total), "cumulative"
    (历年累计, 累计), "period" (本期实际: the year itself when no other column is, else not read)."""
    roles, has_code, last, pos = [], False, m.end(), m.end()
    for h in _HEADER_COLS.finditer(text, m.end(), min(end, m.end() + 60)):
        between = text[pos:h.start()]
        if len(_NORM.sub("", between.replace("|", ""))) > 12:   # a label: the header is over
            break
        word = h.group()
        if word == "代码":
            has_code = True
        elif word in ("历年累计", "累计"):
            roles.append("cumulative")
        elif word.startswith("本期"):
            roles.append("period")
        else:
            roles.append("year")
        last = pos = h.end()
    if "period" in roles:
        roles = [("year" if "year" not in roles else "ignore") if r == "period" else r for r in roles]
    if roles.count("year") != 1 or roles.count("cumulative") > 1:
        roles = ["year"]        # no column words (or a header that contradicts itself): one value per row
    numbers = _COLUMN_NUMBERS.match(text, last, end)
    if numbers and numbers.end() > last:
        last = numbers.end()
    return last, roles, has_code


def _kind(kind: str) -> str:
    return "amount" if kind in ("元", "万元") else "count"


def read_legacy_table(text: str, start: int = 0, end: int | None = None) -> LegacyTable | None:
    """The first statistics table in text[start:end], or None: after its 指标名称 header, else after a
    "…统计表" title whose first rows are items of forms.LEGACY_ITEMS (a table printed without 指标名称)."""
    end = len(text) if end is None else end
    m = _HEADER.search(text, start, end)
    if m is not None:
        return _read_rows(text, m, end)
    for k, m in enumerate(_TITLE.finditer(text, start, end)):
        if k >= MAX_TITLES:
            break
        table = _read_rows(text, m, end)
        if table is not None and sum(r.key is not None for r in table.rows[:3]) >= 2:
            return table
    return None


def _read_rows(text: str, m: re.Match, end: int) -> LegacyTable | None:
    pos, roles, has_code = _header(text, m, end)
    ncols, has_cum = len(roles), "cumulative" in roles
    # the cut of a glued pair: the first printed ≤ the second unless the cumulative comes first
    smaller_first = roles != ["cumulative", "year"]
    raw: list[tuple[re.Match, str, int]] = []     # (match, values text, values end)
    prev_ord = 0
    while pos < end:
        pos = _SKIP.match(text, pos, end).end()
        m = _ROW.match(text, pos, end)
        if m is None:
            break
        label = _norm(m.group("label"))
        item = _LABELS.get(label)
        if not label or (item is None and not m.group("unit")):
            break
        ordinal = int(m.group("ord") or m.group("ord2") or 0)
        vals, vend = m.group("vals"), m.end("vals")
        # the next item's ordinal glued to these values: "179533042." = 17953304 + "2."
        nxt = text[vend:vend + 2]
        if nxt[:1] in (".", "、", "．") and not nxt[1:2].isdigit():
            last = re.search(r"(?:^|[ \t|\n])(\d{1,2})$", vals)
            expected = str((ordinal or prev_ord) + 1 if (ordinal or prev_ord) else 1)
            if last and last.start(1) > 0:      # a separate token: the next item's ordinal, whatever its number
                vals = vals[:last.start(1)].rstrip(" \t|\n")
            elif vals.endswith(expected) and len(vals) > len(expected):     # glued: the expected ordinal
                vals = vals[: -len(expected)].rstrip(" \t|\n")
            vend = m.start("vals") + len(vals)
        prev_ord = ordinal
        raw.append((m, vals, vend))
        pos = vend
    if not raw:
        return None
    tokens_per_row = [len(_TOKENS.findall(v)) for _m, v, _e in raw]
    if has_code:   # a code column ("01", "02"…) before the values: not a value
        tokens_per_row = [n - 1 if n > ncols else n for n in tokens_per_row]
    glued = ncols == 2 and sum(1 for n in tokens_per_row if n == 1) > sum(1 for n in tokens_per_row if n == 2)
    warnings: list[dict] = []
    rows: list[LegacyRow] = []
    runs: dict[int, list[tuple[split.Part, ...]]] = {}   # row index → candidate cuts
    for (m, vals, vend), ntok in zip(raw, tokens_per_row):
        label = _norm(m.group("label"))
        item = _LABELS.get(label)
        unit = m.group("unit") or (item.unit if item else None)
        row = LegacyRow(item.key if item else None, label, m.group("unit"), Value(), Value(), vals,
                        m.start(), m.start("vals"), vend, item.group if item else "")
        toks = list(_TOKENS.finditer(text, m.start("vals"), vend))
        if has_code and len(toks) > ncols:
            toks = toks[1:]
        if item is None:
            warnings.append({"code": "legacy_item_unknown", "offset": m.start(),
                             "message": f"统计表中的项目“{label}”不在旧条例时期统计表的定义中，按原文名称保存"})
        values = [Value(*_read_token(t.group()), t.start(), t.end()) for t in toks]
        if ntok == ncols:
            cells = values
        elif ncols == 2 and ntok == 1 and glued and toks[0].group().isdigit() and len(toks[0].group()) > 1:
            piece = split.Piece(toks[0].group(), toks[0].start(), run=True)
            kinds = (_kind(unit or ""),) * 2
            only = split.unique_by_format([piece], kinds)
            if only is not None:
                cells = [Value(p.value, p.printed, "number", p.start, p.end) for p in only]
            else:
                found = split.row_splits([piece], kinds, checks=[("本年≤累计", _bound if smaller_first else _bound_rev)])
                runs[len(rows)] = found.candidates if found.complete else []
                cells = [Value(None, toks[0].group(), "unreadable", toks[0].start(), toks[0].end()) for _ in range(2)]
        elif ntok < ncols:
            warnings.append({"code": "cells_missing", "offset": m.start("vals"),
                             "message": f"统计表“{label}”一行只印有{ntok}个数（应有{ncols}个），"
                                        f"无法判断缺的是本年度还是累计，两列都记为空"})
            cells = [Value(None, vals, "unreadable", m.start("vals"), vend) for _ in range(ncols)]
        else:
            warnings.append({"code": "extra_cells", "offset": m.start("vals"),
                             "message": f"统计表“{label}”一行印有{ntok}个数（应有{ncols}个），无法判断各属哪一列，都记为空"})
            cells = [Value(None, vals, "unreadable", m.start("vals"), vend) for _ in range(ncols)]
        row.cells = cells
        rows.append(row)
    if runs:
        _solve(rows, runs, warnings)
    for row in rows:
        row.year = row.cells[roles.index("year")]
        if has_cum:
            row.cumulative = row.cells[roles.index("cumulative")]
    return LegacyTable(rows, raw[0][0].start(), raw[-1][2], has_cum, warnings)


def _read_token(tok: str) -> tuple[object, str, str]:
    if tok in _PLACEHOLDERS:
        return None, tok, "placeholder"
    value = Decimal(tok)
    return (int(value) if value == value.to_integral_value() and "." not in tok else value), tok, "number"


def _bound(vals) -> bool:
    a, b = vals[0], vals[1]
    return a is None or b is None or a <= b


def _bound_rev(vals) -> bool:
    return _bound(vals[::-1])


def _solve(rows: list[LegacyRow], runs: dict[int, list], warnings: list[dict]) -> None:
    """Cut the glued rows together under the table's sums (channels → received, outcomes → answers)."""
    def vec(r: LegacyRow):
        return tuple(c.value if c.kind in ("number", "recovered") else None for c in r.cells)

    equations = []
    for total_key, group, rule in (("applications_received", "channels", "L-channels"),
                                   ("answers_total", "outcomes", "L-outcomes")):
        totals = [i for i, r in enumerate(rows) if r.key == total_key]
        parts = [i for i, r in enumerate(rows) if r.group == group]
        if len(totals) == 1 and parts:
            equations.append(split.Equation(rule, (f"r{totals[0]}",), tuple(f"r{i}" for i in parts)))
    bounds = []
    for total_key, part_keys in forms.LEGACY_PARTS.items():
        totals = [i for i, r in enumerate(rows) if r.key == total_key]
        if len(totals) == 1:
            bounds += [split.Bound(forms.LEGACY_PART_RULE, f"r{i}", f"r{totals[0]}")
                       for i, r in enumerate(rows) if r.key in part_keys]
    in_eq = {k for e in equations for k in (*e.left, *e.right)} | {k for b in bounds for k in (b.part, b.total)}
    names = {f"r{i}" for i in runs}
    known = {f"r{i}": vec(r) for i, r in enumerate(rows) if f"r{i}" in in_eq and f"r{i}" not in names}
    variables = {f"r{i}": [tuple(p.value for p in c) for c in cands]
                 for i, cands in runs.items() if f"r{i}" in in_eq and cands}
    for i, cands in runs.items():
        if f"r{i}" in in_eq and not cands:
            known[f"r{i}"] = (None, None)
    solution = split.solve_table(known, variables, equations, 2, bounds=bounds) if variables else None
    for i, cands in runs.items():
        row, name = rows[i], f"r{i}"
        rules = ["本年≤累计"]
        if solution is not None and name in variables:
            if not solution.complete:
                options = []
            else:
                options = [c for c in cands if tuple(p.value for p in c) in solution.options[name]]
                rules += solution.rules[name] or sorted(
                    {e.rule for e in equations if name in (*e.left, *e.right)}
                    | {b.rule for b in bounds if name in (b.part, b.total)})   # no joint cut: what ruled them out
        else:
            options = cands
        printed = row.printed
        if len(options) == 1:
            row.cells = [Value(p.value, p.printed, "recovered", p.start, p.end) for p in options[0]]
            warnings.append({"code": "cells_split_by_rules", "offset": row.vals_start,
                             "message": f"统计表“{row.label}”的数字“{printed}”粘连，按{'、'.join(forms.IDENTITY_NAMES.get(r, r) for r in rules)}只有一种拆法："
                                        f"{'/'.join(p.printed for p in options[0])}"})
        elif options:
            shown = "；".join("/".join(p.printed for p in c) for c in options[:MAX_CANDIDATES_SHOWN])
            more = "…" if len(options) > MAX_CANDIDATES_SHOWN else ""
            warnings.append({"code": "cells_split_ambiguous", "offset": row.vals_start,
                             "message": f"统计表“{row.label}”的数字“{printed}”粘连，符合{'、'.join(forms.IDENTITY_NAMES.get(r, r) for r in rules)}的拆法有"
                                        f"{len(options)}种（{shown}{more}），两列都记为空"})
        else:
            warnings.append({"code": "cells_concatenated", "offset": row.vals_start,
                             "message": f"统计表“{row.label}”的数字“{printed}”粘连，没有符合{'、'.join(forms.IDENTITY_NAMES.get(r, r) for r in rules)}的拆法，"
                                        f"两列都记为空"})
