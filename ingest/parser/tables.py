"""Sections' text → the three statistical tables, cell by cell, with provenance.

The reader is driven by the form's row labels (`forms.py`), not by any one layout: it finds each
label in form order and reads the cells that follow it, up to the next label. That one mechanism
reads one cell per line, tab-separated rows, Markdown rows (already turned into tabs by
`normalize`), HTML rows (rendered as tabs by `html`), space-separated rows and rows whose cells
were glued together by a site extractor.

What a row's cells are:
- tab-delimited text: the fields after the label's own cell; an empty field is a *blank* cell;
- other text: the value tokens after the label, up to the first word (the next label, a group
  heading, a header line);
- runs of digits where several cells are expected ("713000074" for 7 cells) are cut by `split`:
  a cut the digits alone allow (7 digits for 7 cells) is read as printed; otherwise the cuts that
  satisfy the form's identities are kept — table 3 as a whole (T3-row-total per row, then
  T3-results and T3-balance across rows), table 4 by T4-total per block, table 2 by T2-2021-valid /
  T2-2019-prev — and exactly one gives `recovered` cells (`cells_split_by_rules`), several leave
  them null with the candidates (`cells_split_ambiguous`), none leaves them null
  (`cells_concatenated`): a glued run is never stored whole, nor a cut guessed;
- fewer cells than the form has: the row lost cells, and which ones is unknown, so the printed
  values are kept as text with no value (`cells_missing`), except when the text ends right after
  them (a truncated file loses a row's last cells). For table 3, a row that lost exactly one cell
  is recovered when the table's own sums (row total, T3-results, T3-balance) leave exactly one
  possibility.
"""
from __future__ import annotations

import bisect
import itertools
import operator
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from .. import forms
from . import split

# ------------------------------------------------------------------------------------------
# Tokens
# ------------------------------------------------------------------------------------------

PLACEHOLDERS = {"—", "——", "———", "-", "--", "---", "/", "//", "无", "–", "…", "……", "×", "*", "~", "_", "__"}
_NUM = re.compile(r"[+\-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_TOKEN = re.compile(
    r"(?P<num>[+\-]?(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?)"
    r"|(?P<ph>—+|–+|-+|/+|…+|无(?![\u4e00-\u9fff]))"
    r"|(?P<text>[^\s\d+\-—–/…]+|[+\-/])"
)


@dataclass
class Token:
    kind: str            # num | placeholder | blank | text
    printed: str
    start: int           # absolute offsets in the report text
    end: int


@dataclass
class Cell:
    value: object = None          # int | Decimal | None
    printed: str | None = None
    kind: str = "missing"         # forms.CELL_KINDS
    start: int | None = None
    end: int | None = None
    unit: str | None = None
    note: tuple[str, str] | None = None   # (warning code, message) when the printed value cannot be stored


@dataclass
class TableResult:
    rows: dict[str, list[Cell]] = field(default_factory=dict)
    warnings: list[dict] = field(default_factory=list)   # "line" holds an absolute offset until parse maps it
    start: int | None = None
    end: int | None = None


def _warning(code: str, message: str, offset: int | None) -> dict:
    return {"code": code, "message": message, "offset": offset}


_TOKEN_KINDS = {"num": "num", "ph": "placeholder", "text": "text"}


def iter_tokens(text: str, base: int):
    """The tokens of a text one by one, for a reader that stops at the cells it needs."""
    for m in _TOKEN.finditer(text):
        yield Token(_TOKEN_KINDS[m.lastgroup], m.group(), base + m.start(), base + m.end())


def tokenize(text: str, base: int) -> list[Token]:
    return list(iter_tokens(text, base))


# every number (\d) and placeholder (PLACEHOLDERS, _DASHES) holds one of these characters
_VALUE_CHAR = re.compile(r"[\d—–\-/无…×*~_]")
_DASHES = re.compile(r"[—–\-/…]+")
_NUMBER_WITH_UNIT = re.compile(r"([+\-]?\d[\d,]*(?:\.\d+)?)\s*(万元|元|件|条|项|个)")


def _trim_blanks(values: list[Token], n: int) -> list[Token]:
    """Blank fields beyond the form's width are layout padding: dropped from the end, then from the
    start, while more than n remain (indexes, not pop(0): a row of a million fields stays linear)."""
    stop = len(values)
    while stop > n and values[stop - 1].kind == "blank":
        stop -= 1
    begin = 0
    while stop - begin > n and values[begin].kind == "blank":
        begin += 1
    return values if (begin, stop) == (0, len(values)) else values[begin:stop]


def _field_token(text: str, start: int) -> Token:
    """One delimited cell (a tab field) → one token."""
    if not text or text.isspace():
        return Token("blank", "", start, start)
    stripped = text.strip()
    lead = len(text) - len(text.lstrip())
    s, e = start + lead, start + lead + len(stripped)
    if not stripped:
        return Token("blank", "", start, start)
    compact = stripped.replace(" ", "")
    if compact.isdecimal() or _NUM.fullmatch(compact):    # isdecimal: exactly the digits \d matches
        return Token("num", compact, s, e)
    if compact in PLACEHOLDERS or _DASHES.fullmatch(compact):
        return Token("placeholder", compact, s, e)
    # "251000元", "14 件": a number with a unit word is still that number
    m = _NUMBER_WITH_UNIT.fullmatch(stripped)
    if m:
        return Token("num", m.group(1), s, s + len(m.group(1)))
    return Token("text", stripped, s, e)


# ------------------------------------------------------------------------------------------
# Label matching
# ------------------------------------------------------------------------------------------

@lru_cache(maxsize=None)
def label_regex(labels: tuple[str, ...]) -> re.Pattern:
    """Whitespace-insensitive, bracket-insensitive alternatives, longest first."""
    alts = []
    for label in sorted(labels, key=len, reverse=True):
        # optional characters carry their own leading white space, so a match never ends in
        # white space (which would swallow the tab before the first cell)
        pattern = ""
        for ch in label.translate({0xFF08: "(", 0xFF09: ")", 0x201C: '"', 0x201D: '"'}):
            if ch in '"“”':
                pattern += r'(?:\s*["“”])?'
            elif ch in "、,，":
                pattern += r"(?:\s*[、,，])?"
            else:
                part = r"[()（）]" if ch in "()" else re.escape(ch)
                pattern += (r"\s*" + part) if pattern else part
        alts.append(pattern)
    return re.compile("|".join(alts))


@lru_cache(maxsize=None)
def _numbered_regex(number: str, labels: tuple[str, ...]) -> re.Pattern:
    """A row label preceded by its printed ordinal: （七） / 1. / 一、 in any bracket or dot style."""
    return re.compile(_ordinal_prefix(number) + r"\s*(?:" + label_regex(labels).pattern + ")")


def _ordinal_prefix(number: str) -> str:
    """The pattern of a printed ordinal: （七） / 1. / 一、 in any bracket or dot style."""
    core = number.strip().strip("()（）.、．")
    if number.strip().startswith(("(", "（")):
        return r"[(（]\s*" + re.escape(core) + r"\s*[)）]"
    return re.escape(core) + r"\s*[.、．]"


def find_label(text: str, labels: tuple[str, ...], start: int, end: int) -> re.Match | None:
    return label_regex(labels).search(text, start, end)


def _in_order(a: str, b: str) -> int:
    """How many characters of a appear in b in the same order (longest common subsequence; both ≤ 60)."""
    prev = [0] * (len(b) + 1)
    for ch in a:
        cur = [0]
        for j, cb in enumerate(b):
            cur.append(prev[j] + 1 if ch == cb else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1]


_PRINTED_LABEL = r"\s*([^\d\t\n|]{3,40})"
MIN_PRINTED_IN_ORDER = 0.8      # of the printed label's characters, in the known label's order
MIN_KNOWN_IN_ORDER = 0.6        # of the known label's characters, found in the printed one


def _label_fits(printed: str, label: str) -> bool:
    common = _in_order(printed, label)
    return common >= MIN_PRINTED_IN_ORDER * len(printed) and common >= MIN_KNOWN_IN_ORDER * len(label)


def _misprinted_label(text: str, row: forms.Row, start: int, end: int) -> re.Match | None:
    """A table-3 row whose label is misprinted ("2.其他法律行政止公开" for 2.其他法律行政法规禁止公开), between the
    rows found around it: its own ordinal, then a label whose characters are mostly those of this row's
    label in order — and of no other row of its group in any form (else it stays missing)."""
    prefix = _ordinal_prefix(row.number)
    rivals = [r for r in forms.APPLICATION_ROWS if r.group == row.group and r.key != row.key]
    for m in re.compile(prefix + _PRINTED_LABEL).finditer(text, start, end):
        printed = re.sub(r"\s+", "", m.group(1)).rstrip("(（")
        if len(printed) < 3:
            continue
        if any(_label_fits(printed, lab) for lab in row.labels) and \
                not any(_label_fits(printed, lab) for r in rivals for lab in r.labels):
            return re.compile(re.escape(m.group().rstrip())).match(text, m.start())
        return None          # the row's ordinal with another label: not this row
    return None


# ------------------------------------------------------------------------------------------
# Values
# ------------------------------------------------------------------------------------------

# The largest value a cell may hold: SQLite's INTEGER, and beyond any real count or amount.
MAX_VALUE = 2 ** 63 - 1
_MAX_DIGITS = 19          # digits before the point: more cannot fit MAX_VALUE
_MAX_DECIMALS = 6         # digits after the point of an amount (万元 to the 0.01 元)


def value_problem(printed: str, kind: str = "count") -> tuple[str, str] | None:
    """Why a printed number cannot be stored as a cell of that kind: (warning code, message), or
    None. Looked at before any conversion, so a cell of a million digits costs one scan."""
    s = printed.replace(",", "").lstrip("+-")
    whole, _, fraction = s.partition(".")
    shown = printed if len(printed) <= 30 else f"{printed[:12]}…{printed[-6:]}（共 {len(printed)} 个字符）"
    if len(whole.lstrip("0")) > _MAX_DIGITS or (kind == "amount" and len(fraction) > _MAX_DECIMALS):
        return "value_out_of_range", f"单元格数字“{shown}”超出可存储的范围（±(2^63−1)），按无法识别处理"
    if kind != "amount" and fraction.strip("0"):
        return "value_not_integer", f"件数单元格中的数字“{shown}”不是整数，按无法识别处理"
    return None


def to_number(printed: str, kind: str = "count"):
    """Printed number → int (counts) or Decimal (amounts). None if not a valid number for the kind
    or beyond what can be stored (value_problem)."""
    if kind != "amount" and len(printed) <= 18 and printed.isdecimal():
        return int(printed)          # the common case, what the Decimal path below gives for it
    if value_problem(printed, kind) is not None:
        return None
    s = printed.replace(",", "")
    try:
        d = Decimal(s)
    except InvalidOperation:
        return None
    if not d.is_finite():
        return None
    if kind == "amount":
        return d if abs(d) <= MAX_VALUE else None
    if d != d.to_integral_value():
        return None
    value = int(d)
    return value if -MAX_VALUE <= value <= MAX_VALUE else None


def _cell_from_token(tok: Token, metric_kind: str = "count") -> Cell:
    if tok.kind == "num":
        value = to_number(tok.printed, metric_kind)
        if value is None:
            note = value_problem(tok.printed, metric_kind) or (
                "value_out_of_range", f"单元格数字“{tok.printed[:30]}”超出可存储的范围（±(2^63−1)），按无法识别处理")
            return Cell(None, tok.printed, "unreadable", tok.start, tok.end, note=note)
        return Cell(value, tok.printed, "number", tok.start, tok.end)
    if tok.kind == "placeholder":
        return Cell(None, tok.printed, "placeholder", tok.start, tok.end)
    if tok.kind == "blank":
        return Cell(None, "", "blank", tok.start, tok.end)
    return Cell(None, tok.printed, "unreadable", tok.start, tok.end)


def _strip_next_number(region: str, next_number: str) -> str:
    """Drop the next row's ordinal ("2." in "00000002.其他…") from the end of a region."""
    if not next_number:
        return region
    core = next_number.strip("（）().、")
    if core.isdigit():
        return re.sub(re.escape(core) + r"\s*[.、．]\s*$", "", region)
    return region


def read_row(text: str, start: int, end: int, n: int, *, next_number: str = "",
             metric_kinds: tuple[str, ...] | None = None) -> tuple[list[Cell], str | None]:
    """Read the n cells that follow a label ending at `start`, before `end`.

    Returns (cells, problem) where problem is None, 'glued', 'lost', 'extra' or 'leading_blank'.
    On 'lost' the cells list is shorter than n (caller may recover or null it); on 'glued' it holds
    the printed tokens, digit runs among them, for `split` to cut (`_solve_glued_row`).
    """
    kinds = metric_kinds or ("count",) * n
    region = _strip_next_number(text[start:end], next_number)
    delimited = "\t" in region
    # leading words (rest of the label cell, a note in brackets) are not cells; then the cells up to
    # the next word (read lazily: the region may run on for a million lines after them)
    tokens = iter(_delimited_tokens(region, start, n)) if delimited else iter_tokens(region, start)
    values: list[Token] = list(itertools.takewhile(lambda t: t.kind != "text",
                                                   itertools.dropwhile(lambda t: t.kind == "text", tokens)))
    if delimited:
        values = _trim_blanks(values, n)
    if len(values) == n:
        cells = [_cell_from_token(t, k) for t, k in zip(values, kinds)]
        if delimited and values[0].kind == "blank" and all(t.kind == "num" for t in values[1:]):
            # an empty field right after the label: a blank first cell, or the label's colspan
            # padding in a row that lost a cell — the caller decides with the table's sums
            return cells, "leading_blank"
        return cells, None
    if len(values) > n:
        return [_cell_from_token(t, k) for t, k in zip(values[:n], kinds)], "extra"
    # fewer tokens than cells: glued digits? The caller cuts them with the form's identities (split.py).
    if any(t.kind == "num" and split.is_run(t.printed) and len(t.printed.lstrip("+-").split(".")[0]) > 1
           for t in values) and split.width(_pieces_of(values)) >= n:
        return [_raw_cell(t) for t in values], "glued"
    return [_cell_from_token(t, k) for t, k in zip(values, kinds)], "lost"


def _doubtful(cell: Cell) -> Cell:
    """A printed cell whose column is not known (its row lost cells): kept as printed, no value."""
    if cell.value is None:
        return cell
    return Cell(None, cell.printed, "unreadable", cell.start, cell.end, cell.unit)


def _raw_cell(tok: Token) -> Cell:
    """A token of a glued row as printed, before it is cut: never stored as it is."""
    if tok.kind == "num":
        value = to_number(tok.printed, "amount")
        return Cell(value, tok.printed, "number" if value is not None else "unreadable", tok.start, tok.end)
    return _cell_from_token(tok)


def _pieces_of(tokens) -> list[split.Piece]:
    """Tokens (or raw cells) of a glued row → the pieces `split` cuts: digit runs and fixed cells."""
    out = []
    for t in tokens:
        printed = t.printed or ""
        start = t.start if t.start is not None else 0
        if getattr(t, "kind", "") in ("num", "number") and split.is_run(printed):
            out.append(split.Piece(printed, start, run=True))
        elif isinstance(t, Cell):
            out.append(split.Piece(printed, start, value=t.value, kind=t.kind))
        else:
            c = _cell_from_token(t)
            out.append(split.Piece(printed, start, value=c.value, kind=c.kind))
    return out


def _cells_of_parts(parts, kind: str) -> list[Cell]:
    """A cut → cells: cut pieces of a run get `kind` (number when the digits allow one cut only,
    recovered when the identities chose it); fixed pieces keep their own kind."""
    return [Cell(p.value, p.printed, kind if p.kind == "split" else p.kind, p.start, p.end) for p in parts]


def _glued_cells(row: list[Cell], n: int) -> list[Cell]:
    """A glued row left null: every cell unreadable, pointing at the run it came from."""
    start = next((c.start for c in row if c.start is not None), None)
    end = next((c.end for c in reversed(row) if c.end is not None), start)
    return [Cell(None, None, "unreadable", start, end) for _ in range(n)]


def _printed_run(row: list[Cell]) -> str:
    """The glued tokens as printed: adjacent ones joined ("2648-18538"), others with a space."""
    out = ""
    for prev, c in zip([None, *row], row):
        gap = prev is not None and not (prev.end is not None and prev.end == c.start)
        out += (" " if gap else "") + (c.printed or "")
    return out.strip()


def _show(vector) -> str:
    return "/".join("空" if v is None else str(v) for v in vector)


def _candidates_text(vectors, limit: int = 8) -> str:
    shown = "；".join(_show(v) for v in vectors[:limit])
    return shown + (f"；等 {len(vectors)} 种" if len(vectors) > limit else "")


def _split_warning(table: str, label: str, row: list[Cell], outcome: str, *, rules=(), vectors=(),
                   complete: bool = True, offset: int | None = None) -> dict:
    """The warning of a glued row: what was printed, what the identities made of it, and why."""
    run = _printed_run(row)
    named = "、".join(forms.IDENTITY_NAMES.get(r, r) for r in rules) if rules else "无"
    where = f"{table}“{label}”的粘连数字“{run}”"
    if outcome == "recovered":
        return _warning("cells_split_by_rules",
                        f"{where}按勾稽关系（{named}）唯一拆分为 {_show(vectors[0])}", offset)
    if outcome == "ambiguous":
        more = "" if complete else "（搜索达到上限，可能还有其他拆分）"
        why = f"都符合勾稽关系（{named}）" if rules else "，表内没有能区分它们的勾稽关系"
        return _warning("cells_split_ambiguous",
                        f"{where}有 {len(vectors)} 种拆分{why}，已留空{more}；"
                        f"候选：{_candidates_text(list(vectors))}", offset)
    if not complete:
        return _warning("cells_concatenated", f"{where}过长，超出拆分搜索上限，已留空", offset)
    return _warning("cells_concatenated", f"{where}没有一种拆分符合勾稽关系（{named}），已留空", offset)


_NON_BLANK = re.compile(r"\S")


def _field_tokens(line: str, offset: int, n: int, start: int = 0) -> list[Token]:
    """The tokens of the tab fields of line[start:] (the line at absolute `offset`), for a row of n cells.

    A run of more than n + 1 blank fields reads the same with n + 1 of them: blank padding is trimmed
    down to n cells (_trim_blanks) and a row with more cells is cut at n. Past n + 1 blanks one C-level
    search finds the next printed character, so a million tabs cost no Python step per tab."""
    toks = []
    blanks = 0                      # blank fields in a row so far
    pos, size = start, len(line)
    while pos <= size:
        end = line.find("\t", pos)
        if end < 0:
            end = size
        f = line[pos:end]
        if f and not f.isspace():
            blanks = 0
        else:
            blanks += 1
            if blanks > n + 1:
                printed = _NON_BLANK.search(line, end)
                if printed is None:
                    break
                pos = line.rfind("\t", end, printed.start()) + 1   # the start of the field that holds it
                continue
        toks.append(_field_token(f, offset + pos))
        pos = end + 1
    return toks


def _delimited_tokens(region: str, base: int, n: int) -> list[Token]:
    """Tab fields of the first line after the label that holds cells."""
    pos = 0
    lines = region.split("\n")
    for i, line in enumerate(lines):
        first = 0
        if i == 0:
            # the first field is the rest of the label's own cell
            rest, tab, _ = line.partition("\t")
            first = len(rest) + 1
            if rest.strip() and not tab:
                toks = tokenize(rest, base + pos)
                if any(t.kind == "num" for t in toks):
                    return toks
        toks = _field_tokens(line, base + pos, n, first)
        has_values = any(t.kind in ("num", "placeholder") for t in toks)
        if has_values or (i == 0 and len(toks) >= n):
            return toks
        if any(t.kind == "text" for t in toks):
            return toks
        pos += len(line) + 1
    return []


# ------------------------------------------------------------------------------------------
# Table 3
# ------------------------------------------------------------------------------------------

T3_START = ("本年新收政府信息公开申请数量", "本年新收政府信息公开申请")
SIX_SPLIT_MARK = ("逾期不补正", "逾期未按收费通知")


def read_applications(text: str, start: int = 0, end: int | None = None) -> TableResult | None:
    end = len(text) if end is None else end
    first = find_label(text, T3_START, start, end)
    if first is None:
        return None
    result = TableResult(start=first.start())
    six_split = find_label(text, SIX_SPLIT_MARK, first.end(), end) is not None
    rows = forms.application_rows(six_split)
    n = len(forms.APPLICANT_COLUMNS)
    header = text[max(start, first.start() - 600):first.start()]
    subtotal_at = _subtotal_position(header)
    subtotal_column = subtotal_at is not None
    # locate every row label in form order
    matches: list[tuple[forms.Row, re.Match | None]] = []
    pos = first.start()
    for row in rows:
        # the label with its printed number first ("（七）总计", "3.其他"): a header repeated after a
        # page break also says "其他" and "总计", but never with the row's number
        m = _numbered_regex(row.number, row.labels).search(text, pos, end) if row.number else None
        if m is None:
            m = find_label(text, row.labels, pos, end)
            if m is not None and row.key == "other_other":
                # "其他" is short: only accept it before （七）总计
                total = find_label(text, ("总计",), pos, end)
                if total is not None and m.start() > total.start():
                    m = None
        matches.append((row, m))
        if m is not None:
            pos = m.end()
    for idx, (row, m) in enumerate(matches):
        if m is None and row.number:
            after = max((mm.end() for _r, mm in matches[:idx] if mm is not None), default=first.start())
            before = next((mm.start() for _r, mm in matches[idx + 1:] if mm is not None), min(end, after + 400))
            m = _misprinted_label(text, row, after, before)
            if m is not None:
                matches[idx] = (row, m)
                printed = re.sub(r"\s+", "", m.group())
                result.warnings.append(_warning("row_label_misprinted",
                                                f"表三印的行名“{printed}”与表格的行名不完全一致，按“{row.number}{row.label}”读取"
                                                f"（同一组内只有这一行的名称相符，序号也相同）", m.start()))
    found = [(r, m) for r, m in matches if m is not None]
    grid_col = _grid_column(text, first, [m for _r, m in found], n + (1 if subtotal_column else 0))
    ambiguous: dict[str, list[Cell]] = {}
    glued: dict[str, tuple[list[Cell], str, int]] = {}
    leading: set[str] = set()
    last_end = first.end()
    for idx, (row, m) in enumerate(matches):
        if m is None:
            result.rows[row.key] = [Cell() for _ in range(n)]
            result.warnings.append(_warning("row_missing", f"表三未找到行“{row.group}{row.number}{row.label}”", last_end))
            continue
        nxt = next((mm for rr, mm in matches[idx + 1:] if mm is not None), None)
        row_end = nxt.start() if nxt is not None else min(end, m.end() + 400)
        next_number = next((rr.number for rr, mm in matches[idx + 1:] if mm is not None), "")
        sub = re.search(r"小\s*计", text[m.end():row_end])
        if sub is not None and sub.start() > 0:
            row_end = m.end() + sub.start()
        width = n + 1 if subtotal_column else n
        aligned = _aligned_tokens(text, m, grid_col, width) if grid_col is not None else None
        if aligned is not None:
            cells, problem = [_cell_from_token(t) for t in aligned], None
        else:
            cells, problem = read_row(text, m.end(), row_end, width, next_number=next_number)
        if subtotal_column:
            cells, problem = _drop_subtotal(cells, problem, n, subtotal_at)
        result.rows[row.key] = cells
        if problem == "glued":
            glued[row.key] = (cells, f"{row.number}{row.label}", m.end())
            result.rows[row.key] = _glued_cells(cells, n)
            problem = None
        if problem == "leading_blank":
            ambiguous[row.key] = cells[1:]
            leading.add(row.key)
            problem = None
        elif problem == "lost" and len(cells) == n - 1 and all(c.value is not None for c in cells):
            ambiguous[row.key] = cells
        elif problem == "lost":
            # which cells were lost is unknown — unless the text ends right after them (a truncated
            # file loses the row's last cells): no printed value is placed in a column by guess
            tail = max((c.end for c in cells if c.end is not None), default=m.end())
            keep = not text[tail:end].strip()
            result.rows[row.key] = [c if keep else _doubtful(c) for c in cells] + [Cell() for _ in range(n - len(cells))]
        last_end = m.end()
        label = f"{row.number}{row.label}"
        if problem == "extra":
            values = [c.value for c in result.rows[row.key]]
            if None not in values and sum(values[:n - 1]) == values[n - 1]:
                result.warnings.append(_warning("extra_cells", f"表三“{label}”的数字多于 {n} 个，只取前 {n} 个"
                                                f"（前 {n} 个符合行合计）", m.end()))
            else:
                # the first seven do not add up: which numbers are the cells is in doubt, so none is kept
                result.rows[row.key] = [_doubtful(c) for c in result.rows[row.key]]
                result.warnings.append(_warning("extra_cells", f"表三“{label}”的数字多于 {n} 个，前 {n} 个不符合"
                                                f"行合计，无法确定各列，已留空", m.end()))
        elif problem == "lost":
            result.warnings.append(_warning("cells_missing",
                                            f"表三“{label}”只有 {len(cells)} 个单元格（应为 {n} 个）", m.end()))
    if found:
        result.end = found[-1][1].end()
    if glued:
        for key, cells in _split_applications(result, glued, n + (1 if subtotal_column else 0), subtotal_at).items():
            ambiguous[key] = cells          # no cut at all, and one number short: a row that lost a cell
            result.rows[key] = cells
            label = glued[key][1]
            result.warnings.append(_warning("cells_missing", f"表三“{label}”只有 {len(cells)} 个单元格（应为 {n} 个）",
                                            glued[key][2]))
    _recover_lost_cells(result, ambiguous, leading)
    return result


def _t3_sums(width: int, subtotal_at: int | None) -> tuple[split.Sum, ...]:
    """T3-row-total in a row's print order (and the 小计 column's own sum when a tool added one)."""
    if subtotal_at is None:
        return ((tuple(range(width - 1)), width - 1),)
    org = tuple(i for i in range(1, width - 1) if i != subtotal_at)
    return (((0, *org), width - 1), (org, subtotal_at))


def _without(seq, at: int | None):
    return list(seq) if at is None else list(seq[:at]) + list(seq[at + 1:])


def t3_equations(rows) -> tuple[split.Equation, ...]:
    """The column identities of table 3 (forms.md §7) over the rows a report prints."""
    result_keys = forms.RESULT_ROWS_2021 if "other_other" in rows else forms.RESULT_ROWS_2019
    return (split.Equation("T3-results", ("total_processed",), tuple(k for k in result_keys if k in rows)),
            split.Equation("T3-balance", ("new_received", "carried_over"), ("total_processed", "carried_forward")))


_T3_ORDER = ("total_processed", "new_received", "carried_over", "carried_forward")


def _split_applications(result: TableResult, glued: dict, width: int, subtotal_at: int | None) -> dict:
    """Cut table 3's glued rows: each row by T3-row-total, then all of them together by the column
    identities (T3-results, T3-balance) with the rows read as printed.

    Returns the rows that no cut fits but that are one number short of the form ("14 0 0 0 0 14"):
    they lost a cell rather than glued two, and go to `_recover_lost_cells`."""
    n = len(forms.APPLICANT_COLUMNS)
    kinds = ("count",) * width
    sums = _t3_sums(width, subtotal_at)
    variables: dict[str, dict[tuple, tuple]] = {}
    searched: dict[str, split.RowSplits] = {}
    for key, (raw, _label, _offset) in glued.items():
        pieces = _pieces_of(raw)
        only = split.unique_by_format(pieces, kinds)
        if only is not None:
            result.rows[key] = _without(_cells_of_parts(only, "number"), subtotal_at)
            continue
        found = split.row_splits(pieces, kinds, sums=sums)
        searched[key] = found
        if found.complete and found.candidates:
            variables[key] = {tuple(_without([p.value for p in parts], subtotal_at)): parts
                              for parts in found.candidates}
    lost = {}
    for key, found in searched.items():
        raw = glued[key][0]
        counts = [Cell(to_number(c.printed or ""), c.printed, "number", c.start, c.end) for c in raw]
        if found.complete and not found.candidates and subtotal_at is None and len(raw) == n - 1 \
                and all(c.value is not None for c in counts):
            lost[key] = counts
    for key in lost:
        del searched[key]
    if not searched:
        return lost
    # rows read as printed; a glued row that could not be cut, or a row that lost cells, is unknown
    known = {key: (tuple(c.value for c in cells) if key not in searched and len(cells) == n else None)
             for key, cells in result.rows.items() if key not in variables}
    solved = split.solve_table(known, {k: list(v) for k, v in variables.items()}, t3_equations(result.rows), n,
                               order=_T3_ORDER)
    for key, found in searched.items():
        raw, label, offset = glued[key]
        options = solved.options.get(key, [])
        rules = ["T3-row-total"] + [r for r in solved.rules.get(key, []) if r != "T3-row-total"]
        if key not in variables:
            result.warnings.append(_split_warning("表三", label, raw, "ambiguous" if found.candidates else "none",
                                                  rules=["T3-row-total"], complete=found.complete, offset=offset,
                                                  vectors=[tuple(_without([p.value for p in c], subtotal_at))
                                                           for c in found.candidates]))
            continue
        if len(options) == 1 and solved.complete:
            parts = variables[key][options[0]]
            result.rows[key] = _without(_cells_of_parts(parts, "recovered"), subtotal_at)
            result.warnings.append(_split_warning("表三", label, raw, "recovered", rules=rules, vectors=options,
                                                  offset=offset))
        elif options:
            result.warnings.append(_split_warning("表三", label, raw, "ambiguous", rules=rules, vectors=options,
                                                  complete=solved.complete, offset=offset))
        else:
            rules = ["T3-row-total"] + [e.rule for e in t3_equations(result.rows)]
            result.warnings.append(_split_warning("表三", label, raw, "none", rules=rules,
                                                  complete=solved.complete, offset=offset))
    return lost


def _line_fields(text: str, pos: int) -> list[tuple[str, int]]:
    """The tab fields of the line holding `pos`, with their absolute offsets."""
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    end = len(text) if end < 0 else end
    return _fields_with_offsets(text[start:end], start)


def _field_at(fields: list[tuple[str, int]], pos: int) -> int | None:
    """Index of the field holding offset `pos` (or the tab right after it), by bisection over the offsets:
    fields follow each other with one tab between, so it is the last one starting at or before pos."""
    i = bisect.bisect_right(fields, pos, key=lambda field: field[1]) - 1
    if i < 0 or pos > fields[i][1] + len(fields[i][0]):
        return None
    return i


@lru_cache(maxsize=8)
def _fields_with_offsets(line: str, start: int) -> list[tuple[str, int]]:
    """Cached: every row label on a 100,000-field line asks for the same line (once per table row).
    Offset of field i = start + the lengths before it + i tabs, summed in C."""
    fields = line.split("\t")
    offsets = map(operator.add, itertools.accumulate(map(len, fields), initial=start), range(len(fields)))
    return list(zip(fields, offsets))


def _aligned_tokens(text: str, m: re.Match, col: int, width: int) -> list[Token] | None:
    """A grid row's cells by column position (tab layouts, Markdown and HTML grids): blank fields
    stay blank cells in their column. None when the row does not reach the grid's columns."""
    fields = _line_fields(text, m.start())
    label_field = _field_at(fields, m.start())
    if label_field is None or label_field >= col or len(fields) < col + width:
        return None
    toks = [_field_token(f, off) for f, off in fields[col:col + width]]
    if any(t.kind == "text" for t in toks):
        return None
    if any(_field_token(f, off).kind in ("num", "text") for f, off in fields[col + width:] if f and not f.isspace()):
        return None
    return toks


def _grid_column(text: str, first: re.Match, rows: list[re.Match], width: int) -> int | None:
    """Column index of 自然人 in a tab-delimited header, when every row's numbers sit under it."""
    header_start = max(0, first.start() - 800)
    header = None
    for hm in label_regex(("自然人",)).finditer(text, header_start, first.start()):
        header = hm
    if header is None:
        return _grid_from_rows(text, rows, width)
    fields = _line_fields(text, header.start())
    if len(fields) < 2:
        return None
    col = _field_at(fields, header.start())
    if col is None:
        return None
    with_values = 0
    for m in rows:
        if len(_line_fields(text, m.start())) < col + width:
            continue
        toks = _aligned_tokens(text, m, col, width)
        if toks is None:
            return None
        with_values += any(t.kind in ("num", "placeholder") for t in toks)
    return col if with_values else None


def _grid_from_rows(text: str, rows: list[re.Match], width: int) -> int | None:
    """A grid without the form's header (OCR's "数据1 … 数据6 | 总计", or none): when every row line has
    the same number of fields, the values are the last `width` of them, so a blank first cell stays a
    blank in its column instead of looking like the label's padding."""
    counts = set()
    for m in rows:
        fields = _line_fields(text, m.start())
        if len(fields) < 2:
            return None
        counts.add(len(fields))
    if len(rows) < 3 or len(counts) != 1:
        return None
    col = counts.pop() - width
    if col < 1 or any(_aligned_tokens(text, m, col, width) is None for m in rows):
        return None
    return col


def _subtotal_position(header: str) -> int | None:
    """Where a 法人或其他组织 小计 column sits in a row's cells, read from the header's word order:
    before 商业企业 → 1 (right after 自然人), after the organisation columns → 6. None: no such column."""
    sub = re.search(r"小\s*计", header)
    if sub is None:
        return None
    first_org = find_label(header, forms.APPLICANT_COLUMNS[1].labels, 0, len(header))
    if first_org is not None and sub.start() < first_org.start():
        return 1
    return 6


def _drop_subtotal(cells: list[Cell], problem: str | None, n: int, at: int) -> tuple[list[Cell], str | None]:
    """Remove the 小计 column printed at position `at`."""
    if len(cells) == n + 1 and problem in (None, "extra", "leading_blank"):
        return cells[:at] + cells[at + 1:], (None if problem == "extra" else problem)
    return cells, problem


def _recover_lost_cells(result: TableResult, pending: dict[str, list[Cell]], leading: set[str] = frozenset()) -> None:
    """Fill a row that lost exactly one cell when the table's sums leave one possibility.

    `pending` maps row keys to their n-1 printed cells. A row that was read with a blank first
    cell (possibly label padding) keeps that reading when no unique recovery exists.
    """
    n = len(forms.APPLICANT_COLUMNS)
    rows = result.rows
    if not pending:
        return
    result_keys = [k for k in (forms.RESULT_ROWS_2021 if "other_other" in rows else forms.RESULT_ROWS_2019) if k in rows]

    def known(key):
        cells = rows.get(key)
        if cells is None or len(cells) != n or any(c.value is None for c in cells):
            return None
        return [c.value for c in cells]

    def candidates(cells):
        vals = [c.value for c in cells]
        out = {}
        if None in vals:          # an unreadable cell among them: nothing to recover from
            return out
        for p in range(n):
            trial = vals[:p] + [None] + vals[p:]
            if p == n - 1:
                trial[p] = sum(trial[:n - 1])
            else:
                trial[p] = trial[n - 1] - sum(v for i, v in enumerate(trial[:n - 1]) if i != p)
            if trial[p] >= 0:
                out.setdefault(tuple(trial), p)
        return out

    def consistent(key, vector):
        for col in range(n):
            # T3-results
            if key in result_keys or key == "total_processed":
                parts = []
                for k in result_keys:
                    v = list(vector) if k == key else known(k)
                    parts.append(None if v is None else v[col])
                tot = list(vector) if key == "total_processed" else known("total_processed")
                if tot is not None and None not in parts and sum(parts) != tot[col]:
                    return False
            # T3-balance
            if key in ("new_received", "carried_over", "total_processed", "carried_forward"):
                vals = {k: (list(vector) if k == key else known(k)) for k in
                        ("new_received", "carried_over", "total_processed", "carried_forward")}
                if all(v is not None for v in vals.values()):
                    if vals["new_received"][col] + vals["carried_over"][col] != \
                            vals["total_processed"][col] + vals["carried_forward"][col]:
                        return False
        return True

    shifted: list = []      # rows read with a leading blank whose recovery moved their printed cells
    at_blank: list = []     # … and whose recovered cell sits where the blank is printed
    changed = True
    while pending and changed:
        changed = False
        for key in list(pending):
            cands = {vec: p for vec, p in candidates(pending[key]).items() if consistent(key, vec)}
            if len(cands) != 1:
                continue
            (vector, p), = cands.items()
            if key in leading:
                (shifted if p else at_blank).append((key, list(rows[key]), len(result.warnings)))
            cells = list(pending[key])
            anchor = cells[p - 1] if p > 0 else cells[0]
            cells.insert(p, Cell(vector[p], None, "recovered", anchor.end, anchor.end))
            rows[key] = cells
            del pending[key]
            changed = True
            result.warnings = [w for w in result.warnings
                               if not (w["code"] == "cells_missing" and forms.APPLICATION_ROW_BY_KEY[key].label in w["message"])]
            result.warnings.append(_warning(
                "cell_recovered",
                f"表三“{forms.APPLICATION_ROW_BY_KEY[key].label}”缺失的一个单元格由行合计与列勾稽关系唯一推出，"
                f"值为 {vector[p]}", anchor.end))
    if at_blank and not shifted:
        # no row shows that the empty field after a label is padding (a recovery that moves the printed
        # cells): the empty field is a blank cell in its column, as printed, and stays blank
        drop = set()
        for key, printed, _w in at_blank:
            rows[key] = printed
            drop.add(forms.APPLICATION_ROW_BY_KEY[key].label)
        result.warnings = [w for w in result.warnings if not (
            w["code"] == "cell_recovered" and any(f"“{label}”" in w["message"] for label in drop))]
    for key, cells in pending.items():
        if len(rows[key]) == n - 1:
            rows[key] = [Cell(None, c.printed, "unreadable", c.start, c.end) for c in cells] + [Cell()]


# ------------------------------------------------------------------------------------------
# Table 4
# ------------------------------------------------------------------------------------------

T4_HEADER = ("结果维持",)


def read_reviews(text: str, start: int, end: int) -> TableResult | None:
    head = find_label(text, T4_HEADER, start, end)
    if head is None:
        head = _t4_data_line(text, start, end)
    if head is None:
        return None
    result = TableResult(start=head.start())
    n = len(forms.REVIEW_KINDS) * len(forms.REVIEW_OUTCOMES)
    region = text[head.start():end]
    tokens: list[Token] = []
    if "\t" in region:
        for line_start, line in _lines_with_offsets(region, head.start()):
            if not _VALUE_CHAR.search(line):
                continue                  # no number or placeholder: one C scan, not a token per field
            fields = _field_tokens(line, line_start, n)
            if any(t.kind in ("num", "placeholder") for t in fields):
                tokens.extend(_trim_blanks([t for t in fields if t.kind != "text"], n))
            if len(tokens) >= n:
                break
    else:
        for t in iter_tokens(region, head.start()):
            if t.kind == "text":
                if tokens and len(tokens) >= n:
                    break
                continue
            tokens.append(t)
            if len(tokens) >= n and not (len(tokens) == 1):
                break
    cells: list[Cell]
    if len(tokens) >= n:
        cells = [_cell_from_token(t) for t in tokens[:n]]
    elif tokens and any(t.kind == "num" and split.is_run(t.printed) for t in tokens) and \
            split.width(_pieces_of(tokens)) >= n:
        cells, warning = _split_reviews([_raw_cell(t) for t in tokens], tokens[0].start)
        if warning is not None:
            result.warnings.append(warning)
    else:
        # which cells were lost is unknown: the printed ones are kept as text, not placed by guess
        cells = [_doubtful(_cell_from_token(t)) for t in tokens] + [Cell() for _ in range(n - len(tokens))]
        result.warnings.append(_warning("cells_missing", f"表四只读到 {len(tokens)} 个单元格（应为 {n} 个），"
                                        f"无法确定缺失的是哪几个，已留空", head.start()))
    k = len(forms.REVIEW_OUTCOMES)
    for i, kind in enumerate(forms.REVIEW_KINDS):
        result.rows[kind.key] = cells[i * k:(i + 1) * k]
    if tokens:
        result.end = tokens[min(len(tokens), n) - 1].end
    return result


class _At:
    """A position standing in for the match of a header word."""

    def __init__(self, pos: int):
        self.pos = pos

    def start(self) -> int:
        return self.pos


def _t4_data_line(text: str, start: int, end: int) -> _At | None:
    """Table 4 whose header words are mangled or missing (OCR "数据1…数据15", a converter that dropped
    them): its data is the section's first line of values only — 15 of them, or digit runs that can
    hold 15 — and the block structure (维持/纠正/其他/尚未审结/总计 three times) says which is what."""
    n = len(forms.REVIEW_KINDS) * len(forms.REVIEW_OUTCOMES)
    pos = start
    for line in text[start:end].split("\n"):
        fields = line.split("\t") if "\t" in line else None
        toks = [_field_token(f, 0) for f in fields] if fields else tokenize(line, 0)
        values = [t for t in toks if t.kind != "blank"] if fields is None else toks
        if values and not any(t.kind == "text" for t in values):
            filled = [t for t in values if t.kind in ("num", "placeholder")]
            if len(filled) == n or (fields is not None and n == len([t for t in values])) or \
                    (filled and all(t.kind == "num" for t in filled) and len(filled) < n
                     and split.width(_pieces_of(filled)) >= n):
                return _At(pos)
        pos += len(line) + 1
    return None


def t4_sums() -> tuple[split.Sum, ...]:
    """T4-total for each block of 维持/纠正/其他/尚未审结/总计, in the flat order of the 15 cells."""
    k = len(forms.REVIEW_OUTCOMES)
    return tuple((tuple(range(b * k, b * k + k - 1)), b * k + k - 1) for b in range(len(forms.REVIEW_KINDS)))


def _split_reviews(raw: list[Cell], offset: int) -> tuple[list[Cell], dict | None]:
    """Cut table 4's glued run ("110024001510102", or 17 digits for 15 cells) by T4-total per block."""
    n = len(forms.REVIEW_KINDS) * len(forms.REVIEW_OUTCOMES)
    kinds = ("count",) * n
    pieces = _pieces_of(raw)
    only = split.unique_by_format(pieces, kinds)
    if only is not None:
        return _cells_of_parts(only, "number"), None
    found = split.row_splits(pieces, kinds, sums=t4_sums())
    vectors = [tuple(p.value for p in c) for c in found.candidates]
    if len(vectors) == 1 and found.complete:
        return (_cells_of_parts(found.candidates[0], "recovered"),
                _split_warning("表四", "行政复议、行政诉讼", raw, "recovered", rules=["T4-total"], vectors=vectors,
                               offset=offset))
    outcome = "ambiguous" if vectors else "none"
    return _glued_cells(raw, n), _split_warning("表四", "行政复议、行政诉讼", raw, outcome, rules=["T4-total"],
                                                vectors=vectors, complete=found.complete, offset=offset)


def _lines_with_offsets(region: str, base: int):
    pos = 0
    for line in region.split("\n"):
        yield base + pos, line
        pos += len(line) + 1


# ------------------------------------------------------------------------------------------
# Table 2
# ------------------------------------------------------------------------------------------

def detect_template_words(text: str, start: int = 0, end: int | None = None) -> str | None:
    """2019 or 2021 from table-2 header words (forms.md §1), None when neither is printed."""
    end = len(text) if end is None else end
    scores = {}
    for template, words in forms.TEMPLATE_HEADER_WORDS.items():
        scores[template] = sum(1 for w in words if find_label(text, (w,), start, end))
    if max(scores.values()) == 0:
        return None
    return max(scores, key=lambda t: (scores[t], t == "2021"))


_WAN = re.compile(r"万\s*元")
_YUAN = re.compile(r"(?<!万)元")


def read_active(text: str, template: str, start: int, end: int) -> TableResult | None:
    items = forms.ACTIVE_ITEMS.get(template)
    if not items:
        return None
    first_block = re.compile(r"第\s*二\s*十\s*条|第\s*20\s*条").search(text, start, end)
    begin = first_block.start() if first_block else start
    result = TableResult(start=begin)
    pos = begin
    matches = []
    for item in items:
        m = find_label(text, item.labels, pos, end)
        matches.append((item, m))
        if m is not None:
            pos = m.end()
    if not any(m for _, m in matches):
        return None
    for idx, (item, m) in enumerate(matches):
        n = len(item.metrics)
        if m is None:
            result.rows[item.key] = [Cell() for _ in range(n)]
            result.warnings.append(_warning("row_missing", f"表二未找到“{item.label}”", pos))
            continue
        nxt = next((mm for _, mm in matches[idx + 1:] if mm is not None), None)
        row_end = nxt.start() if nxt is not None else min(end, m.end() + 300)
        kinds = tuple("amount" if mt.kind == "amount" else "count" for mt in item.metrics)
        cells, problem = read_row(text, m.end(), row_end, n, metric_kinds=kinds)
        if problem == "glued":
            cells, warning = _split_active_row(item, cells, m.end())
            problem = None
            if warning is not None:
                result.warnings.append(warning)
        # an amount's unit is printed after it or in the header between the previous item and this one
        previous = matches[idx - 1][1] if idx else None
        header_start = previous.end() if previous is not None else begin
        for cell, metric in zip(cells, item.metrics):
            if metric.kind == "amount":
                _amount_unit(text, cell, header_start, m.start(), template)
        if problem == "lost":
            result.warnings.append(_warning("cells_missing", f"表二“{item.label}”只有 {len(cells)} 个单元格（应为 {n} 个），"
                                            f"无法确定缺失的是哪一个，已留空", m.end()))
            cells = [_doubtful(c) for c in cells] + [Cell() for _ in range(n - len(cells))]
        result.rows[item.key] = cells
        result.end = m.end()
    return result


def _t2_checks(item: forms.Item) -> tuple[split.Check, ...]:
    """What table 2 itself implies about one row (forms.md §7): T2-2021-valid, T2-2019-prev. Both
    follow from counts never being negative; no sum ties a table-2 row together, so most glued
    table-2 rows stay ambiguous."""
    keys = [mt.key for mt in item.metrics]
    out: list[split.Check] = []
    if {"issued", "repealed", "in_force"} <= set(keys):
        i, r, f = keys.index("issued"), keys.index("repealed"), keys.index("in_force")
        out.append(("T2-2021-valid", lambda v: None in (v[i], v[r], v[f]) or v[f] >= v[i] - v[r]))
    if {"previous_count", "change"} <= set(keys):
        p, c = keys.index("previous_count"), keys.index("change")
        out.append(("T2-2019-prev", lambda v: None in (v[p], v[c]) or v[p] + v[c] >= 0))
    return tuple(out)


def _split_active_row(item: forms.Item, raw: list[Cell], offset: int) -> tuple[list[Cell], dict | None]:
    """Cut one glued table-2 row ("8855698", "315602400元", "2648-18538")."""
    n = len(item.metrics)
    kinds = tuple(mt.kind for mt in item.metrics)
    pieces = _pieces_of(raw)
    only = split.unique_by_format(pieces, kinds)
    if only is not None:
        return _cells_of_parts(only, "number"), None
    checks = _t2_checks(item)
    found = split.row_splits(pieces, kinds, checks=checks)
    rules = [name for name, _ in checks]
    vectors = [tuple(p.value for p in c) for c in found.candidates]
    if len(vectors) == 1 and found.complete and rules:
        return (_cells_of_parts(found.candidates[0], "recovered"),
                _split_warning("表二", item.label, raw, "recovered", rules=rules, vectors=vectors, offset=offset))
    outcome = "ambiguous" if vectors else "none"
    return _glued_cells(raw, n), _split_warning("表二", item.label, raw, outcome, rules=rules, vectors=vectors,
                                                complete=found.complete, offset=offset)


def _amount_unit(text: str, cell: Cell, header_start: int, label_start: int, template: str) -> None:
    """Normalise an amount to 元: the unit printed after the value, else in the header, else the form's."""
    if cell.value is None:
        return
    after = text[cell.end:cell.end + 3] if cell.end is not None else ""
    header = text[header_start:label_start]
    if re.match(r"\s*万\s*元", after):
        unit = "万元"
    elif re.match(r"\s*元", after):
        unit = "元"
    elif _WAN.search(header):
        unit = "万元"
    elif _YUAN.search(header):
        unit = "元"
    else:
        unit = "万元" if template == "2021" else "元"
    cell.unit = unit
    try:
        value = Decimal(cell.value)
        if unit == "万元":
            value = (value * 10000).normalize()
        value = value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
    except InvalidOperation:     # beyond the decimal context's 28 digits
        value = None
    if value is None or abs(value) > MAX_VALUE:
        cell.value, cell.kind = None, "unreadable"
        printed = cell.printed or ""
        shown = printed if len(printed) <= 30 else f"{printed[:12]}…（共 {len(printed)} 个字符）"
        cell.note = ("value_out_of_range", f"金额“{shown}{unit}”超出可存储的范围（±(2^63−1) 元），按无法识别处理")
        return
    cell.value = value
