"""PDF → text lines that keep the table structure, with the page and box of every character.

Reports are mostly published as PDF. The parser only reads text lines (one per line of prose, one
per table row with its cells separated by tabs, as the HTML reader renders web tables), so this
module rebuilds that rendering from the characters' positions in the PDF's text layer (PDFium via
pypdfium2: fast, permissive licence, tolerant of broken files):

- characters → visual lines (by their vertical centres) → tokens (split at gaps: any visible gap
  next to a digit, a wide gap between other characters), so that neighbouring numbers in narrow
  table columns are never glued;
- a line whose tail is a run of numbers/placeholders set apart from its label is a table row; the
  rows of one table share columns (the row with the most cells gives their centres), so a blank
  cell stays an empty field instead of shifting the next number into its place;
- a row label printed on two or three lines around its numbers (a label cell taller than one
  line) is joined to its row; a vertical header printed one character per line ("三、本年度办理结
  果", "结/果/纠/正") becomes one cell of the row where it starts, so it never adds a column;
- page headers/footers ("- 3 -", "— 5 —", "第 3 页") are dropped, and a table header that is
  repeated at the top of the next page is dropped too, so a table split over pages reads as one.

Every character of the rendering keeps (page, box) in `boxes`, so the record can say on which page
and where each cell was printed. What cannot be read becomes a warning, never a guess: encrypted
files, damaged files (pages that can be read still are), pages without a text layer (scans: no
OCR here), and pages whose fonts have no usable Unicode map (no numbers are taken from them).
"""
from __future__ import annotations

import ctypes
import re
import unicodedata
from dataclasses import dataclass, field

from ..forms import LEGACY_UNITS

_FOOTER = re.compile(r"^\s*(?:[—–\-－]{1,3}\s*\d{1,4}\s*[—–\-－]{1,3}|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
                     r"|\d{1,4}\s*/\s*\d{1,4}\s*页?|\d{1,4})\s*$")
_NUMBER = re.compile(r"[+\-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:%|万元|元|件|条|项|个)?")
_PLACEHOLDER = {"—", "——", "———", "-", "--", "/", "//", "无", "–", "－", "－－", "…", "……", "×", "*", "─", "―", "\\"}

Box = tuple[int, float, float, float, float]          # page (1-based), left, bottom, right, top (PDF points)


@dataclass
class PdfText:
    lines: list[str] = field(default_factory=list)
    boxes: list[list[Box | None]] = field(default_factory=list)   # per line, per character
    line_pages: list[int] = field(default_factory=list)            # page of each line
    pages: int = 0
    title: str | None = None
    warnings: list[dict] = field(default_factory=list)


class _Char:
    """One character and its box (PDF points); h and cy are used everywhere, so stored."""
    __slots__ = ("ch", "l", "b", "r", "t", "h", "cy")

    def __init__(self, ch: str, l: float, b: float, r: float, t: float):
        self.ch, self.l, self.b, self.r, self.t = ch, l, b, r, t
        self.h = max(t - b, 1.0)
        self.cy = (t + b) / 2


class _Token:
    """A run of characters without a gap; its extent is kept up to date as characters join."""
    __slots__ = ("chars", "gap", "vertical", "l", "r", "_text")

    def __init__(self, chars: list[_Char], gap: float = 0.0, vertical: bool = False):
        self.chars = list(chars)
        self.gap = gap                    # gap before this token, in ems
        self.vertical = vertical          # a vertical header joined from one character per line
        self.l = min(c.l for c in self.chars)
        self.r = max(c.r for c in self.chars)
        self._text = None

    def add(self, chars: list[_Char]) -> None:
        self.chars.extend(chars)
        self.l = min(self.l, min(c.l for c in chars))
        self.r = max(self.r, max(c.r for c in chars))
        self._text = None

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = "".join(c.ch for c in self.chars)
        return self._text

    @property
    def cx(self) -> float:
        return (self.l + self.r) / 2

    @property
    def is_value(self) -> bool:
        t = self.text
        return bool(_NUMBER.fullmatch(t)) or t in _PLACEHOLDER


@dataclass
class _Line:
    chars: list[_Char]
    top: float
    bottom: float
    tokens: list[_Token] = field(default_factory=list)
    tail: int = -1                    # index of the first value token of a table row, -1 if prose
    attached: list["_Line"] = field(default_factory=list)
    used: bool = False

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def h(self) -> float:
        return max(self.top - self.bottom, 1.0)


def _warn(code: str, message: str) -> dict:
    return {"code": code, "message": message, "line": None}


def _is_digitish(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch in ".,%+-")


def _bad_char(ch: str) -> bool:
    cp = ord(ch)
    return cp == 0xFFFD or cp == 0xFFFE or 0xE000 <= cp <= 0xF8FF or cp < 0x20 and ch not in "\t\n\r"


# ------------------------------------------------------------------------------------------
# Characters
# ------------------------------------------------------------------------------------------

def _page_chars(page, raw) -> tuple[list[_Char], int, int]:
    """Visible characters of a page with their loose boxes; also (characters, unmapped ones)."""
    textpage = page.get_textpage()
    tp = textpage.raw
    n = raw.FPDFText_CountChars(tp)
    rect = raw.FS_RECTF()
    dl, dr, db, dt = (ctypes.c_double() for _ in range(4))
    out: list[_Char] = []
    bad = 0
    for i in range(n):
        if raw.FPDFText_IsGenerated(tp, i):
            continue
        u = raw.FPDFText_GetUnicode(tp, i)
        if u == 0 or raw.FPDFText_HasUnicodeMapError(tp, i):
            bad += 1
            continue
        ch = chr(u)
        if _bad_char(ch):
            bad += 1
            continue
        if ch.isspace() or ch in "\u200b\ufeff\u00ad":
            continue
        raw.FPDFText_GetLooseCharBox(tp, i, ctypes.byref(rect))
        l, b, r, t = rect.left, rect.bottom, rect.right, rect.top
        if t - b > 36 or r - l > 1.6 * (t - b) + 1:
            # a broken loose box (rotated or oddly scaled text, e.g. vertical headers made by WPS):
            # the ink box, squared around its centre, stands for the character cell
            raw.FPDFText_GetCharBox(tp, i, ctypes.byref(dl), ctypes.byref(dr), ctypes.byref(db), ctypes.byref(dt))
            side = max(dr.value - dl.value, dt.value - db.value, 1.0)
            cx, cy = (dl.value + dr.value) / 2, (db.value + dt.value) / 2
            l, b, r, t = cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2
        if "\u2f00" <= ch <= "\u2fdf" or "\uf900" <= ch <= "\ufaff":
            ch = unicodedata.normalize("NFKC", ch)      # Kangxi radicals / compatibility ideographs
        out.append(_Char(ch, l, b, r, t))
    textpage.close()
    return out, len(out) + bad, bad


def _rules(page, raw) -> tuple[list[tuple[float, float, float]], list[tuple[float, float, float]]]:
    """Ruling segments from the page's paths, vertical (x, y0, y1) and horizontal (y, x0, x1):
    table borders drawn as lines, as thin rectangles or as the edges of cell rectangles (WPS
    draws each cell as a rectangle)."""
    rules, across = [], []
    m = raw.FS_MATRIX()
    x, y = ctypes.c_float(), ctypes.c_float()
    for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_PATH], max_depth=3):
        h = obj.raw
        n = raw.FPDFPath_CountSegments(h)
        if n <= 0 or n > 5000 or not raw.FPDFPageObj_GetMatrix(h, ctypes.byref(m)):
            continue
        def edge(a, b) -> None:
            if abs(a[0] - b[0]) < 1.0 and abs(a[1] - b[1]) > 4:
                rules.append(((a[0] + b[0]) / 2, min(a[1], b[1]), max(a[1], b[1])))
            elif abs(a[1] - b[1]) < 1.0 and abs(a[0] - b[0]) > 4:
                across.append(((a[1] + b[1]) / 2, min(a[0], b[0]), max(a[0], b[0])))

        prev = start = None
        for i in range(n):
            seg = raw.FPDFPath_GetPathSegment(h, i)
            if not raw.FPDFPathSegment_GetPoint(seg, ctypes.byref(x), ctypes.byref(y)):
                prev = start = None
                continue
            point = (m.a * x.value + m.c * y.value + m.e, m.b * x.value + m.d * y.value + m.f)
            kind = raw.FPDFPathSegment_GetType(seg)
            if kind == raw.FPDF_SEGMENT_MOVETO:
                start = point
            elif kind == raw.FPDF_SEGMENT_LINETO and prev is not None:
                edge(prev, point)
            prev = point if kind != raw.FPDF_SEGMENT_BEZIERTO else None
            if raw.FPDFPathSegment_GetClose(seg):
                if prev is not None and start is not None:
                    edge(prev, start)            # the side that closes a rectangle
                prev = start = None
    return rules, across


def _row_intervals(rules, line: "_Line", left: float) -> list[tuple[float, float]]:
    """Column intervals that the vertical rules cut across a row, right of its label."""
    xs = sorted(x for x, y0, y1 in rules if y0 - 1 < line.cy < y1 + 1)
    merged: list[float] = []
    for x in xs:
        if not merged or x - merged[-1] > 1.5:
            merged.append(x)
    return [(a, b) for a, b in zip(merged, merged[1:]) if a >= left - 1.5 and b - a > 3]


def _by_rules(values: list["_Token"], intervals: list[tuple[float, float]]) -> list["_Token | None"] | None:
    """Place values in the ruled cells of their row; None when the rules do not fit the values."""
    if not intervals or len(intervals) < len(values):
        return None
    out: list[_Token | None] = [None] * len(intervals)
    for tok in values:
        j = next((k for k, (a, b) in enumerate(intervals) if a - 0.5 <= tok.cx <= b + 0.5), None)
        if j is None or out[j] is not None:
            return None
        out[j] = tok
    return out


def _has_images(page, raw) -> bool:
    for _ in page.get_objects(filter=[raw.FPDF_PAGEOBJ_IMAGE], max_depth=3):
        return True
    return False


# ------------------------------------------------------------------------------------------
# Lines and tokens
# ------------------------------------------------------------------------------------------

def _lines(chars: list[_Char]) -> list[_Line]:
    """Group characters into visual lines by their vertical centres (top of the page first).

    Two characters at the same x cannot be on one line: text lines of neighbouring cells that
    overlap vertically (a group label's two lines beside a row's numbers) stay separate lines."""
    lines: list[_Line] = []
    occupied: list[set[int]] = []
    for c in sorted(chars, key=lambda c: -c.cy):
        span = range(int((c.l + 0.25 * (c.r - c.l)) / 2), int((c.r - 0.25 * (c.r - c.l)) / 2) + 1)
        target = None
        for k in range(len(lines) - 1, max(-1, len(lines) - 4), -1):
            line = lines[k]
            if not (line.bottom - 0.1 * c.h < c.cy < line.top + 0.1 * c.h
                    and abs(c.cy - line.cy) < 0.45 * min(c.h, line.h) + 0.5):
                if k == len(lines) - 1:
                    continue
                break
            if abs(c.cy - line.chars[-1].cy) < 0.15 * c.h or not any(x in occupied[k] for x in span):
                target = k          # on the line's baseline, or beside its characters
                break
        if target is None:
            lines.append(_Line([c], c.t, c.b))
            occupied.append(set(span))
        else:
            line = lines[target]
            line.chars.append(c)
            line.top = max(line.top, c.t)
            line.bottom = min(line.bottom, c.b)
            occupied[target].update(span)
    lines.sort(key=lambda l: -l.cy)
    for line in lines:
        line.chars.sort(key=lambda c: c.l)
        line.tokens = _tokens(line.chars)
    return lines


def _tokens(chars: list[_Char]) -> list[_Token]:
    """Split a line at gaps: any visible gap next to a digit or Latin letter, a wide one elsewhere."""
    tokens: list[_Token] = []
    prev = None
    for c in chars:
        if prev is None:
            tokens.append(_Token([c], 99.0))
        else:
            em = max(c.h, prev.h)
            gap = (c.l - prev.r) / em
            digitish = _is_digitish(c.ch) or _is_digitish(prev.ch)
            if gap > 0.5 or (digitish and gap > 0.15) or c.l < prev.l - 0.1:
                tokens.append(_Token([c], gap))
            else:
                tokens[-1].add((c,))
        prev = c
    return tokens


# the one-character units of a legacy statistics table's 计量单位 column
_UNIT_CHARS = frozenset(u for u in LEGACY_UNITS if len(u) == 1)


def _vertical_runs(lines: list[_Line]) -> None:
    """Join vertical headers (one character per line, stacked at one x) into one token placed on
    the line of their first character: "三/、/本/年/度…" is one cell, not nine rows of one cell."""
    singles = []          # (x centre, line index, token)
    for li, line in enumerate(lines):
        for ti, tok in enumerate(line.tokens):
            if len(tok.chars) != 1 or tok.is_value or _is_digitish(tok.text):
                continue
            nxt = line.tokens[ti + 1].gap if ti + 1 < len(line.tokens) else 99.0
            if tok.gap > 0.9 and nxt > 0.9:
                singles.append((tok.cx, li, tok))
    if len(singles) < 3:
        return
    singles.sort(key=lambda s: s[0])
    columns: list[list] = []
    for s in singles:
        if columns and s[0] - columns[-1][-1][0] < 0.6 * max(s[2].chars[0].h, columns[-1][-1][2].chars[0].h):
            columns[-1].append(s)
        else:
            columns.append([s])
    runs: list[list] = []
    for column in columns:
        column.sort(key=lambda s: s[1])
        for s in column:
            run = runs[-1] if runs and runs[-1][0] is column else None
            if run is not None:
                c0, c1 = run[-1][2].chars[0], s[2].chars[0]
                if s[1] > run[-1][1] and 0 < c0.cy - c1.cy < 2.2 * max(c0.h, c1.h):
                    run.append(s)
                    continue
            runs.append([column, s])
    touched: set[int] = set()
    for run in (run[1:] for run in runs):
        if len(run) < 3 or all(s[2].text in _UNIT_CHARS for s in run):
            continue        # a legacy statistics table's 计量单位 column (条/条/件…): one unit per row, not a header
        for _, li, tok in run:
            lines[li].tokens.remove(tok)
            touched.add(li)
        first_line = lines[run[0][1]]
        first_line.tokens.append(_Token([s[2].chars[0] for s in run], 99.0, vertical=True))
        first_line.tokens.sort(key=lambda t: t.l)
    for li in touched:
        # a vertical header is a cell of its own: what follows it starts a new cell
        toks = lines[li].tokens
        for i, tok in enumerate(toks):
            if i == 0 or toks[i - 1].vertical or tok.vertical:
                tok.gap = 99.0
        if not toks:
            lines[li].chars = []


def _classify(line: _Line) -> None:
    """A table row ends in value tokens set apart from its label (or is values only)."""
    toks = line.tokens
    i = len(toks)
    while i > 0 and toks[i - 1].is_value and not toks[i - 1].vertical:
        i -= 1
    n_values = len(toks) - i
    if n_values == 0:
        line.tail = -1
        return
    if i == 0:
        # values only: a row whose label sits on the lines around it, or table 4's one row
        line.tail = 0 if n_values >= 2 and all(t.gap > 0.5 for t in toks[1:]) else -1
        return
    line.tail = i if toks[i].gap > 0.9 else -1


# ------------------------------------------------------------------------------------------
# Rendering
# ------------------------------------------------------------------------------------------

class _Out:
    """The rendering, line by line. Lines are kept as thunks until the whole document is read,
    because a table's later pages may widen its label fields (all its rows get the same)."""

    def __init__(self, result: PdfText):
        self.result = result
        self.pending: list[tuple[int, object]] = []

    def emit(self, page: int, pieces) -> None:
        self.pending.append((page, pieces))

    def flush(self) -> None:
        for page, pieces in self.pending:
            self._write(page, pieces() if callable(pieces) else pieces)
        self.pending = []

    def _write(self, page: int, pieces: list[tuple[str, list[_Char] | None]]) -> None:
        text, boxes = [], []
        for s, chars in pieces:
            text.append(s)
            if chars is None:
                boxes.extend([None] * len(s))
            else:
                boxes.extend((page, c.l, c.b, c.r, c.t) for c in chars)
        self.result.lines.append("".join(text))
        self.result.boxes.append(boxes)
        self.result.line_pages.append(page)


def _token_pieces(tokens: list[_Token]) -> list[tuple[str, list[_Char] | None]]:
    """Tokens of one cell or prose line: a space only where a gap sits next to a digit/Latin letter."""
    pieces: list[tuple[str, list[_Char] | None]] = []
    for i, tok in enumerate(tokens):
        if i:
            prev = tokens[i - 1]
            if _is_digitish(prev.text[-1]) or _is_digitish(tok.text[0]) or tok.gap > 0.9:
                pieces.append((" ", None))
        pieces.append((tok.text, tok.chars))
    return pieces


def _label_cells(tokens: list[_Token]) -> list[list[_Token]]:
    """A row's label tokens → label cells: a vertical header and a wide gap start a new cell."""
    cells: list[list[_Token]] = []
    for i, tok in enumerate(tokens):
        if not cells or tok.vertical or tokens[i - 1].vertical or tok.gap > 2.5:
            cells.append([tok])
        else:
            cells[-1].append(tok)
    return cells


def _columns(rows: list[_Line]) -> list[float]:
    ref = max(rows, key=lambda r: len(r.tokens) - r.tail)
    return [t.cx for t in ref.tokens[ref.tail:]]


def _assign(values: list[_Token], cols: list[float]) -> list[_Token | None]:
    """Place a row's values under the table's columns (nearest centre, in order)."""
    if len(values) >= len(cols):
        return list(values)
    out: list[_Token | None] = [None] * len(cols)
    ci = 0
    for k, tok in enumerate(values):
        remaining = len(values) - k - 1
        best = None
        for j in range(ci, len(cols) - remaining):
            d = abs(tok.cx - cols[j])
            if best is None or d < best[0]:
                best = (d, j)
        j = best[1]
        out[j] = tok
        ci = j + 1
    return out


def _render_page(page_no: int, lines: list[_Line], out: _Out, repeated_header: list[str] | None,
                 rules=(), across=(), state: dict | None = None) -> list[str]:
    """Render one page's lines; return the header lines of the last table on the page (for
    dropping its repetition at the top of the next page)."""
    state = {} if state is None else state          # carries the last table's layout to the next page
    lines = [l for l in lines if l.tokens]
    # page headers and footers: the first and last lines when they are a bare page number
    for idx in (0, -1):
        if lines and _FOOTER.match("".join(t.text for t in lines[idx].tokens)):
            lines.pop(idx)
    if page_no == 1:
        lines = _merge_title(lines)
    for line in lines:
        _classify(line)
    # a lone value under a row's two-line label ("5.要求行政机关确认或重新出具/已获取信息" and its 0)
    for i, line in enumerate(lines):
        if line.tail < 0 and len(line.tokens) == 1 and line.tokens[0].is_value:
            near = [lines[j] for j in (i - 2, i - 1, i + 1, i + 2) if 0 <= j < len(lines)]

            def label_beside(n: _Line) -> bool:
                return n.tail < 0 and n.tokens[-1].r < line.tokens[0].l and abs(n.cy - line.cy) < 1.35 * line.h

            between = 0 < i < len(lines) - 1 and label_beside(lines[i - 1]) and label_beside(lines[i + 1])
            if between or (any(n.tail >= 0 for n in near) and any(label_beside(n) for n in near)):
                line.tail = 0
    _attach_labels(lines, across)
    if rules:
        _blank_rows(lines, _blocks(lines), rules, across)
    else:
        _blank_rows_unruled(lines)
        _attach_labels(lines, across)          # the other lines of a blank row's label
    zones = _stack_headers(lines)
    blocks = _blocks(lines)
    layout: dict[int, _Block] = {}
    previous = state.get("block")
    for k, block in enumerate(blocks):
        zone = zones.get(id(block[0]), [])
        if k == 0 and state.get("tail_zone") and block[0] is next((l for l in lines if not l.used), None):
            zone = state["tail_zone"]          # a table header at the foot of the previous page
        b = _Block(block, zone, rules, previous, page_top=k == 0 and state.get("ended_in_table", False))
        for line in [*block, *b.zone]:
            layout[id(line)] = b
        previous = b
    state["block"] = previous
    tail_zone: list[_Line] = []
    width = max((t.r for l in lines for t in l.tokens), default=0) - min((t.l for l in lines for t in l.tokens), default=0)
    for line in reversed(lines):
        if line.used:
            continue
        if line.tail >= 0 or not _header_like(line, width or 1.0) or len(tail_zone) >= 10:
            break
        tail_zone.insert(0, line)
    state["tail_zone"] = tail_zone
    header: list[str] = []          # the prose/header lines just before the latest row
    recent: list[str] = []
    at_top = True
    for line in lines:
        if line.used:
            continue
        b = layout.get(id(line))
        if line.tail < 0:
            text = "".join(t.text for t in line.tokens)
            if at_top and repeated_header and text in repeated_header:
                continue          # the table's header repeated at the top of a new page
            at_top = False
            if b is not None:
                out.emit(page_no, lambda b=b, line=line: _cells_pieces(b.header_fields(line)))
            elif any(t.gap > 2.5 or t.vertical for t in line.tokens[1:]):
                out.emit(page_no, _cells_pieces(_label_cells(line.tokens)))
            else:
                out.emit(page_no, _token_pieces(line.tokens))
            recent.append(text)
            continue
        at_top = False
        if recent:
            header, recent = recent[-6:], []
        out.emit(page_no, lambda b=b, line=line: _cells_pieces(b.row_fields(line)))
    state["ended_in_table"] = not recent
    # a page that ends in a table hands its header on; one that ends in prose does not
    return header if not recent else None


def _blocks(lines: list[_Line]) -> list[list[_Line]]:
    """Tables: runs of consecutive rows (label lines attached to a row do not break a run)."""
    blocks: list[list[_Line]] = []
    prev_row = False
    for line in lines:
        if line.used:
            continue
        if line.tail >= 0:
            if prev_row:
                blocks[-1].append(line)
            else:
                blocks.append([line])
            prev_row = True
        else:
            prev_row = False
    return blocks


def _blank_rows(lines: list[_Line], blocks: list[list[_Line]], rules, across) -> None:
    """In a ruled table, a label with no value at all is a row of blank cells (the rules say the
    cells are there), not a line of text: it joins its table so its cells are recorded blank. The
    lines of one such label (no horizontal rule between them) are one label."""
    found: list[_Line] = []
    for block in blocks:
        right = max(_label_right(r) for r in block)
        counts = [len(_row_intervals(rules, r, right)) for r in block]
        k = max(set(counts), key=counts.count)
        if k == 0:
            continue
        # where the value columns begin: the first ruled cell right of the labels
        value_left = min(_row_intervals(rules, r, right)[0][0] for r, n in zip(block, counts) if n == k)
        top, bottom = block[0].top + 3 * block[0].h, block[-1].bottom - 3 * block[-1].h
        for line in lines:
            if line.used or line.tail >= 0 or line in found or not (bottom < line.cy < top):
                continue
            if line.tokens[-1].r > value_left - 1 or all(t.vertical for t in line.tokens):
                continue
            if len(_row_intervals(rules, line, right)) == k:
                found.append(line)
    found.sort(key=lambda l: -l.cy)
    head: _Line | None = None
    for line in found:
        if head is not None and lines.index(line) == lines.index(head) + 1 + len(head.attached) and not any(
                line.cy < y < head.cy and x0 < line.tokens[-1].r - 1 and x1 > line.tokens[0].l + 1
                for y, x0, x1 in across):
            head.attached.append(line)          # the next line of the same label cell
            line.used = True
            continue
        line.tail = len(line.tokens)
        head = line


def _same_type(a: _Line, b: _Line) -> bool:
    """Set in the same type size (a section heading after a table is larger than its rows),
    judged on the Chinese characters (digits' boxes have other heights)."""
    def size(line: _Line) -> float:
        hs = sorted(c.h for t in line.tokens if not t.vertical for c in t.chars if not _is_digitish(c.ch))
        return hs[len(hs) // 2] if hs else 0.0
    sa, sb = size(a), size(b)
    return bool(sa and sb) and abs(sa - sb) <= 0.12 * max(sa, sb)


def _blank_rows_unruled(lines: list[_Line]) -> None:
    """Without rules, a numbered label with no value between two rows of a table ("4.无正当理由
    大量反复申请" between rows 3 and 5) is a row of blank cells."""
    rows = [i for i, l in enumerate(lines) if l.tail >= 0 and not l.used]
    for a, b in zip(rows, rows[1:]):
        if b - a < 2 or b - a > 8:
            continue
        value_left = min(lines[a].tokens[lines[a].tail].l if lines[a].tail < len(lines[a].tokens) else 1e9,
                         lines[b].tokens[lines[b].tail].l if lines[b].tail < len(lines[b].tokens) else 1e9)
        for line in lines[a + 1:b]:
            if line.used or line.tail >= 0:
                continue
            own = [t for t in line.tokens if not t.vertical]
            if own and _ORDINAL.match(own[0].text) and line.tokens[-1].r < value_left and _same_type(line, lines[a]):
                line.tail = len(line.tokens)
    # the first and the last row of a table may be blank too: one row's spacing away
    for block in _blocks(lines):
        gaps = sorted(x.cy - y.cy for x, y in zip(block, block[1:]))
        spacing = gaps[len(gaps) // 2] if len(gaps) >= 2 else 2.0 * block[0].h
        value_left = min(r.tokens[r.tail].l for r in block if r.tail < len(r.tokens))
        first, last = lines.index(block[0]), lines.index(block[-1])
        for k, row in ((first - 1, block[0]), (last + 1, block[-1])):
            if not 0 <= k < len(lines):
                continue
            line = lines[k]
            own = [t for t in line.tokens if not t.vertical]
            if line.used or line.tail >= 0 or not own or not _ORDINAL.match(own[0].text):
                continue
            if line.tokens[-1].r < value_left and abs(abs(line.cy - row.cy) - spacing) < (
                    0.3 if len(gaps) >= 2 else 0.45) * spacing and _same_type(line, row):
                line.tail = len(line.tokens)


def _attach_labels(lines: list[_Line], across) -> None:
    """Label lines printed above/below their row's numbers (a tall label cell) join the row."""
    for i, line in enumerate(lines):
        if line.tail < 0 and not line.used:
            row = _label_row(lines, i, across)
            if row is not None:
                row.attached.append(line)
                line.used = True


def _label_row(lines: list[_Line], i: int, across) -> _Line | None:
    """The row whose label cell a label-only line belongs to: the nearest row above or below
    (passing lines of other columns, such as a group label beside it), left of its values; with
    horizontal rules, only a row not separated from the line by a rule; without, one within about
    a line's height."""
    line = lines[i]
    best = None
    near_rows = [lines[k] for k in range(max(0, i - 8), min(len(lines), i + 9))
                 if lines[k].tail >= 0 and lines[k].tail < len(lines[k].tokens)]
    value_left = min((r.tokens[r.tail].l for r in near_rows), default=1e9)
    for step in (-1, 1):
        j = i + step
        chained = 0               # lines of the same label cell passed on the way (a 4-line label)
        last = line
        while 0 <= j < len(lines) and lines[j].tail < 0:
            other = lines[j]
            disjoint = all(min(a.r, b.r) <= max(a.l, b.l) for a in line.tokens for b in other.tokens)
            if not disjoint:
                if chained >= 4 or abs(other.cy - last.cy) >= 1.35 * max(other.h, last.h):
                    break
                chained += 1
                last = other
            j += step
        if not (0 <= j < len(lines)) or lines[j].tail < 0:
            continue
        row = lines[j]
        if row.tail < len(row.tokens) and line.tokens[-1].r >= row.tokens[row.tail].l:
            continue
        labels = [t for t in row.tokens[:row.tail] if not t.vertical]
        if line.tokens[-1].r >= value_left:
            continue              # reaches into the table's value columns: a header word, not a label
        own = [t for t in line.tokens if not t.vertical] or line.tokens
        if _ORDINAL.match(own[0].text) and any(
                _ORDINAL.match(t.text) and min(t.r, own[-1].r) > max(t.l, own[0].l) for t in labels):
            continue              # "7.属于…" under "6.属于…": another row (of blank cells), not this label
        d = abs(line.cy - row.cy)
        if across:
            lo, hi = sorted((line.cy, row.cy))
            l, r = line.tokens[0].l, line.tokens[-1].r
            if any(lo < y < hi and x0 < r - 1 and x1 > l + 1 for y, x0, x1 in across) or d > 6 * line.h:
                continue
        elif d >= 1.35 * max(line.h, row.h) * (1 + chained):
            continue
        if best is None or d < best[0]:
            best = (d, row)
    return best[1] if best else None


class _Block:
    """How the rows of one table are laid out in fields: `n_labels` label fields (the widest
    row's; rows with fewer get empty fields in front, like the spanned cells of an HTML table),
    then one field per value column: the cells that vertical rules cut, or without rules the
    columns of the fullest row (or of the header, when it has more columns than any row)."""

    def __init__(self, rows: list[_Line], zone: list[_Line], rules, previous: "_Block | None" = None,
                 page_top: bool = False):
        self.rows, self.zone, self.rules = rows, zone, rules
        self.labels = {id(r): _row_labels(r, _row_intervals(rules, r, -1e9) if rules else ()) for r in rows}
        # no label field at all when no row has one (table 4's single row of numbers)
        n_labels = max(len(c) for c in self.labels.values())
        self.group = {"n": n_labels}        # shared by the runs of rows of one table
        self.label_right = max((_label_right(r) for r in rows), default=-1e9)
        self.cols = _columns(rows)
        head = _header_columns(zone, self.label_right, len(self.cols))
        if head is not None and all(len(r.tokens) - r.tail <= len(head) for r in rows):
            self.cols = head
            if page_top and previous is not None and len(previous.cols) == len(head):
                self.group = previous.group          # the table goes on from the previous page
        elif previous is not None and not any(t.l > self.label_right for z in zone for t in z.tokens) \
                and previous.continued_by(self):
            # the rest of the table above (after a row of blanks or a page break): its columns
            self.cols = previous.cols
            self.group = previous.group
        elif page_top and previous is not None and len(previous.cols) == len(self.cols):
            self.group = previous.group
        self.group["n"] = max(self.group["n"], n_labels)

        self.head_x: list[tuple[float, float]] = []
        if rules:
            self.head_x = _row_intervals(rules, rows[0], self.label_right)
        if not self.head_x:
            mids = [(a + b) / 2 for a, b in zip(self.cols, self.cols[1:])]
            edges = [-1e9, *mids, 1e9]
            self.head_x = [(max(edges[k], self.label_right), edges[k + 1]) for k in range(len(self.cols))]

    @property
    def n_labels(self) -> int:
        return self.group["n"]

    def continued_by(self, other: "_Block") -> bool:
        """Whether `other` (a later run of rows without a header) continues this table: every value
        of its rows sits in one of this table's columns, and it has no more columns."""
        if not self.cols or len(other.cols) > len(self.cols) or other.label_right > self.cols[0]:
            return False
        half = (min(b - a for a, b in zip(self.cols, self.cols[1:])) / 2) if len(self.cols) > 1 else 1e9
        return all(min(abs(t.cx - c) for c in self.cols) < half
                   for r in other.rows for t in r.tokens[r.tail:])

    def row_fields(self, line: _Line) -> list[list[_Token]]:
        labels = self.labels[id(line)]
        values = line.tokens[line.tail:]
        right = max(_label_right(line), self.label_right)
        placed = _by_rules(values, _row_intervals(self.rules, line, right)) if self.rules else None
        if placed is None:
            placed = _assign(values, self.cols)
        pad = [[] for _ in range(self.n_labels - len(labels))]
        fields = pad + labels + [[v] if v is not None else [] for v in placed]
        return fields if len(fields) > 1 or fields[0] else [[], []]

    def header_fields(self, line: _Line) -> list[list[_Token]]:
        """A header line in the table's fields: a word under (or spanning from) value column j
        goes to field n_labels + j, words over the label columns to the first field."""
        fields: list[list[_Token]] = [[] for _ in range(max(1, self.n_labels + len(self.head_x)))]
        for tok in line.tokens:
            if tok.r <= self.label_right + 1 or not self.head_x or tok.cx < self.head_x[0][0]:
                fields[0].append(tok)
                continue
            j = next((k for k, (a, b) in enumerate(self.head_x) if tok.l - 1 <= b and tok.cx <= b + 0.5), len(self.head_x) - 1)
            fields[self.n_labels + j].append(tok)
        while len(fields) > 1 and not fields[-1]:
            fields.pop()
        return fields


def _label_right(line: _Line) -> float:
    right = max((t.r for t in line.tokens[:line.tail]), default=-1e9)
    for part in line.attached:
        right = max(right, max(t.r for t in part.tokens))
    return right


def _header_columns(zone: list[_Line], label_right: float, n: int) -> list[float] | None:
    """Column centres from the header words right of the labels, when they show more columns than
    the rows (a one-row table whose blank cells hide its columns, as table 4 often is). A word
    spanning two or more other words' centres ("行政诉讼" over its ten columns), or much wider than
    the others (a spanning header set in its first column), is not a column."""
    toks = [t for line in zone for t in line.tokens if t.l > label_right]
    if not toks:
        return None
    widths = sorted(t.r - t.l for t in toks)
    median = widths[len(widths) // 2]
    def spans(t: _Token) -> bool:        # covers the centres of two or more other columns
        inside = {round(u.cx / 3) for u in toks if t.l <= u.cx <= t.r and abs(u.cx - t.cx) > 0.6 * t.chars[0].h}
        return len(inside) >= 2

    keep = [t for t in toks if not spans(t) and t.r - t.l <= 1.6 * median + 1]
    centres: list[float] = []
    for t in sorted(keep, key=lambda t: t.cx):
        if centres and t.cx - centres[-1] < 0.6 * t.chars[0].h:
            continue
        centres.append(t.cx)
    return centres if len(centres) > n else None


_ORDINAL = re.compile(r"^(?:\d{1,2}\s*[.、．]|[(（][一二三四五六七八九十]{1,3}[)）]|[一二三四五六七八九十]{1,3}、)")
_HEADING = re.compile(r"^[一二三四五六七八九十]{1,3}[、.．]|^第[一二三四五六七八九十]+[条章部分]")


def _header_like(line: _Line, width: float) -> bool:
    if line.tail >= 0 or line.used:
        return False
    text = "".join(t.text for t in line.tokens)
    if _HEADING.match(text) or re.search(r"[。；]", text):
        return False
    return len(line.tokens) >= 2 or (line.tokens[-1].r - line.tokens[0].l) < 0.3 * width


def _stack_headers(lines: list[_Line]) -> dict[int, list[_Line]]:
    """Header cells printed over two or more lines ("结果" over "维持") become one cell on the
    line where they start, so a header reads "结果维持 结果纠正 …" as the form prints it. Only the
    header lines right above a table are stacked, and only tokens of about the same width (a
    spanning header such as "行政复议" is not glued to the columns under it)."""
    zones: dict[int, list[_Line]] = {}
    if not lines:
        return zones
    width = max(t.r for l in lines for t in l.tokens) - min(t.l for l in lines for t in l.tokens) or 1.0
    for i, line in enumerate(lines):
        if line.tail < 0 or (i and lines[i - 1].tail >= 0):
            continue
        zone = []
        j = i - 1
        first_value = line.tokens[line.tail].l if line.tail < len(line.tokens) else 1e9
        passed = 0
        while j >= 0 and len(zone) < 10:
            above = lines[j]
            if above.used:
                pass
            elif _header_like(above, width):
                zone.append(above)
            elif above.tail < 0 and passed < 3 and above.tokens[-1].r < first_value:
                passed += 1            # a label with no values (a row of blanks) between header and rows
            else:
                break
            j -= 1
        zone.reverse()
        _stack(zone)
        zones[id(line)] = [z for z in zone if not z.used]
    # header lines at the foot of the page: the table's rows are on the next page
    tail = []
    for line in reversed(lines):
        if line.used:
            continue
        if line.tail >= 0 or not _header_like(line, width) or len(tail) >= 10:
            break
        tail.insert(0, line)
    if sum(len(line.tokens) >= 2 for line in tail) >= 2:       # a table header, not a signature
        _stack(tail)
    return zones


def _stack(zone: list[_Line]) -> None:
    """Stack the header cells of one header zone (see _stack_headers)."""
    for k in range(1, len(zone)):
        below = zone[k]
        for tok in list(below.tokens):
            for upper in reversed(zone[:k]):
                if upper.bottom - below.top > 1.0 * below.h or not upper.tokens:
                    continue
                host = next((u for u in upper.tokens
                             if min(u.r, tok.r) - max(u.l, tok.l) > 0.5 * min(u.r - u.l, tok.r - tok.l)
                             and (u.r - u.l) < 2.2 * (tok.r - tok.l) and (tok.r - tok.l) < 2.2 * (u.r - u.l)), None)
                if host is not None:
                    host.add(tok.chars)
                    below.tokens.remove(tok)
                    break
        if not below.tokens:
            below.used = True


def _merge_title(lines: list[_Line]) -> list[_Line]:
    """A title set in large type over two or three lines ("洪泽区人民政府" / "2023年…年度报告")
    is one line of the rendering, so the title and its issuing body read as one."""
    def size(line: _Line) -> float:
        hs = sorted(c.h for c in line.chars)
        return hs[len(hs) // 2]

    prose = sorted(size(l) for l in lines if len(l.chars) >= 12)       # the body text's size
    if not prose:
        return lines
    body = prose[len(prose) // 2]
    n = 0
    while n < min(4, len(lines)) and size(lines[n]) >= 1.15 * body and abs(size(lines[n]) - size(lines[0])) < 0.2 * size(lines[0]):
        n += 1
    if n < 2:
        return lines
    merged = _Line([c for line in lines[:n] for c in line.chars], lines[0].top, lines[n - 1].bottom,
                   [t for line in lines[:n] for t in line.tokens])
    merged.tokens[0].gap = 99.0
    for line in lines[1:n]:
        line.tokens[0].gap = 0.0
    return [merged, *lines[n:]]


def _row_labels(line: _Line, cells_x: list[tuple[float, float]] = ()) -> list[list[_Token]]:
    """The label cells of a row, with the label lines printed above and below its numbers.

    Label tokens are grouped into cells by column: tokens whose x-ranges overlap (the lines of one
    tall cell) or that sit close on one line are one cell, so a group label set beside a
    three-line item label ("（六）其他/处理" next to "2.申请人逾期…") stays apart from it. Where
    the table has vertical rules (`cells_x`), tokens in different ruled cells are never joined."""
    parts = sorted([line, *line.attached], key=lambda l: -l.cy)
    items: list[tuple[int, _Token]] = []
    for k, part in enumerate(parts):
        items.extend((k, t) for t in (part.tokens[:part.tail] if part is line else part.tokens))
    verticals = [[t] for _, t in items if t.vertical]
    plain = [(k, t) for k, t in items if not t.vertical]
    parent = list(range(len(plain)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def cell_of(tok: _Token):
        return next((k for k, (a, b) in enumerate(cells_x) if a - 0.5 <= tok.cx <= b + 0.5), None)

    where = [cell_of(t) for _, t in plain] if cells_x else [None] * len(plain)
    def same_cell(i: int, j: int) -> bool:
        return where[i] is None or where[j] is None or where[i] == where[j]

    for i, (ki, a) in enumerate(plain):          # the lines of one tall cell overlap
        for j in range(i + 1, len(plain)):
            if same_cell(i, j) and min(a.r, plain[j][1].r) - max(a.l, plain[j][1].l) > 0:
                parent[find(j)] = find(i)
    lines_of: dict[int, set[int]] = {}
    for i, (k, _t) in enumerate(plain):
        lines_of.setdefault(find(i), set()).add(k)
    for i in range(len(plain) - 1):              # words of one line set apart by a narrow gap
        (ki, a), (kj, b) = plain[i], plain[i + 1]
        if ki == kj and b.gap <= 2.5 and same_cell(i, i + 1) and find(i) != find(i + 1) and \
                (len(lines_of[find(i)]) == 1 or len(lines_of[find(i + 1)]) == 1):
            merged = lines_of[find(i)] | lines_of[find(i + 1)]
            parent[find(i + 1)] = find(i)
            lines_of[find(i)] = merged
    groups: dict[int, list[tuple[int, _Token]]] = {}
    for i, item in enumerate(plain):
        groups.setdefault(find(i), []).append(item)
    cells = [[t for _, t in sorted(g, key=lambda it: (it[0], it[1].l))] for g in groups.values()]
    cells.sort(key=lambda c: min(t.l for t in c))
    return verticals + cells


def _cells_pieces(cells: list[list[_Token]]) -> list[tuple[str, list[_Char] | None]]:
    pieces: list[tuple[str, list[_Char] | None]] = []
    for i, cell in enumerate(cells):
        if i:
            pieces.append(("\t", None))
        pieces.extend(_token_pieces(cell))
    return pieces


# ------------------------------------------------------------------------------------------
# Document
# ------------------------------------------------------------------------------------------

def _pages_label(pages: list[int]) -> str:
    return "、".join(f"第{p}页" for p in pages)


def _with_trailer(data: bytes) -> bytes | None:
    """A truncated PDF has lost its cross-reference table and trailer (they come last): give it a
    trailer naming its catalog, and PDFium rebuilds the table by scanning the objects that are
    left, so the pages whose objects survive can still be read."""
    at = data.rfind(b"/Catalog")
    if at < 0:
        return None
    objs = list(re.finditer(rb"(\d{1,9})\s+(\d{1,5})\s+obj\b", data[max(0, at - 65536):at]))
    if not objs:
        return None
    num, gen = objs[-1].group(1), objs[-1].group(2)
    return data + b"\nendstream\nendobj\ntrailer\n<</Root " + num + b" " + gen + b" R>>\nstartxref\n0\n%%EOF\n"


def read_pdf(data: bytes) -> PdfText:
    """Read a PDF's text layer into lines (never raises for a bad file: warnings instead)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    result = PdfText()
    tail = data[-2048:]
    truncated = b"%%EOF" not in tail
    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code == raw.FPDF_ERR_PASSWORD or "password" in str(exc).lower():
            result.warnings.append(_warn("pdf_encrypted", "PDF 文件已加密（需要密码），无法读取内容"))
            return result
        if code == raw.FPDF_ERR_SECURITY:
            result.warnings.append(_warn("pdf_encrypted", "PDF 文件使用了不支持的加密方式，无法读取内容"))
            return result
        doc = None
        repaired = _with_trailer(data)
        if repaired is not None:
            try:
                doc = pdfium.PdfDocument(repaired)
                truncated = True
            except pdfium.PdfiumError:
                doc = None
        if doc is None:
            result.warnings.append(_warn("pdf_damaged", f"PDF 文件已损坏或不完整，无法打开（{exc}）"))
            return result
    try:
        return _read_doc(doc, raw, result, truncated)
    finally:
        doc.close()


def _read_doc(doc, raw, result: PdfText, truncated: bool) -> PdfText:
    try:
        title = (doc.get_metadata_value("Title") or "").strip()
    except Exception:
        title = ""
    result.title = title if title and any("\u4e00" <= ch <= "\u9fff" for ch in title) else None
    n_pages = len(doc)
    result.pages = n_pages
    out = _Out(result)
    failed, scanned, garbled = [], [], []
    repeated: list[str] | None = None
    state: dict = {}
    for index in range(n_pages):
        page_no = index + 1
        try:
            page = doc[index]
        except Exception:
            failed.append(page_no)
            continue
        try:
            chars, total, bad = _page_chars(page, raw)
            if total == 0:
                if _has_images(page, raw):
                    scanned.append(page_no)
                continue
            if bad and bad >= max(3, 0.02 * total):
                garbled.append(page_no)
                continue
            if out.pending:
                out.emit(page_no, [("\f", None)])     # a page break: one form-feed line
            lines = _lines(chars)
            _vertical_runs(lines)
            repeated = _render_page(page_no, lines, out, repeated, *_rules(page, raw), state=state)
        except Exception:
            failed.append(page_no)
        finally:
            page.close()
    out.flush()
    if truncated or failed:
        detail = f"，{_pages_label(failed)}无法读取" if failed else ""
        result.warnings.append(_warn("pdf_damaged", f"PDF 文件不完整或已损坏{detail}；已读取其余页面"))
    if scanned:
        result.warnings.append(_warn("pdf_no_text_layer",
                                     f"{_pages_label(scanned)}是图像（扫描件），没有文字层；本程序不做文字识别（OCR），该页内容未读取"))
    if garbled:
        result.warnings.append(_warn("pdf_text_garbled",
                                     f"{_pages_label(garbled)}的字体缺少可用的字符映射（ToUnicode），文字无法识别；不从该页读取任何数字"))
    return result
