"""Text → normalised text, line for line.

Every transformation here keeps the number of lines, so a line number in the normalised text is
the line number in the decoded source (or in the HTML rendering): provenance stays one jump away.
What it does, in order:
- repairs mojibake lines (GBK bytes decoded one byte off, UTF-8 read as GBK or Latin-1);
- drops pinyin annotations that some sites' Traditional conversion adds ("區(qū)" → "區");
- converts Traditional to Simplified with OpenCC (only when the text has Traditional characters);
- folds full-width ASCII (digits, letters, brackets, "／", "－") to half-width, ideographic space to space;
- blanks PDF page footers ("— 5 —", "第 5 页") so they are not read as table cells;
- turns Markdown pipe tables into tab-separated rows, the shape the table reader expects.

Linear in the text, whatever its shape (a million empty lines, a 5 MB line, 100,000 pipes or
spaces in a row): the passes run over the whole text with C-level string methods or regexes
without overlapping unbounded quantifiers, and only the lines that need a change (a mojibake
mark, a footer, a pipe) are visited one by one.
"""
from __future__ import annotations

import re
from functools import lru_cache

_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH.update({0x3000: 0x20, 0x2212: 0x2D, 0x00A0: 0x20, 0x200B: None, 0xFEFF: None, 0x2002: 0x20,
                   0x2003: 0x20, 0x2009: 0x20})

# Runs of the characters _FULLWIDTH maps: translating only those runs is faster than translating
# the whole text (str.translate looks every character up in the dict).
_FULLWIDTH_RUN = re.compile("[" + "".join(re.escape(chr(cp)) for cp in sorted(_FULLWIDTH)) + "]+")


def fold_fullwidth(text: str) -> str:
    return _FULLWIDTH_RUN.sub(lambda m: m.group().translate(_FULLWIDTH), text)


_PINYIN = re.compile(r"\((?=[a-zü]{0,6}[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńň])[a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜńň]{1,7}\)")
# A page footer on a line of its own; [^\S\n] is white space within the line, so the pattern runs
# over the whole text (re.M) and never spans a line break.
_FOOTER = re.compile(r"^[^\S\n]*(?:[—–\-－]{1,3}[^\S\n]*\d{1,4}[^\S\n]*[—–\-－]{1,3}"
                     r"|第[^\S\n]*\d{1,4}[^\S\n]*页(?:[^\S\n]*[,，/]?[^\S\n]*共[^\S\n]*\d{1,4}[^\S\n]*页)?"
                     r"|\d{1,4}[^\S\n]*/[^\S\n]*\d{1,4}[^\S\n]*页?)[^\S\n]*$", re.M)
_MD_RULE_CELL = re.compile(r":?-{3,}:?")
_MOJIBAKE_MARKS = re.compile(r"[\u2500-\u257f\u3100-\u312f\ue000-\uf8ff\ufffd]|^\?[。.]", re.M)
_CJKISH = re.compile(r"[\u4e00-\u9fff\u2500-\u257f\u3100-\u312f]")

# Characters that exist only in Traditional script (a small, frequent sample): if none occurs, the
# OpenCC pass is skipped, which keeps Simplified reports fast.
_TRADITIONAL_HINTS = set("這個們國會為說時來對發於與區開關機實現學經達體錢動過進當並從華門問間題應將樣機務專業層區縣鄉鎮辦處統計報"
                         "規範條例訊護權權財稅採購審決議須總軟網絡頁號資訊廣東臺灣書將黨員單據複幫隊優選舉")


@lru_cache(maxsize=1)
def _opencc():
    import opencc

    return opencc.OpenCC("t2s")


_TRADITIONAL_RE = re.compile("[" + "".join(sorted(_TRADITIONAL_HINTS)) + "]")


def has_traditional(text: str) -> bool:
    return _TRADITIONAL_RE.search(text) is not None


def to_simplified(text: str) -> str:
    return _opencc().convert(text)


@lru_cache(maxsize=1)
def _gb_level1() -> frozenset[str]:
    """The 3,755 common characters (GB2312 level 1: lead bytes B0–D7)."""
    chars = set()
    for lead in range(0xB0, 0xD8):
        for trail in range(0xA1, 0xFF):
            try:
                chars.add(bytes((lead, trail)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return frozenset(chars)


def _gb_level1_share(text: str) -> float:
    """Share of CJK characters that are common (GB2312 level 1, after Traditional→Simplified)."""
    cjk = "".join(_CJKISH.findall(text))
    if not cjk:
        return 0.0
    level1 = _gb_level1()
    good = sum(map(level1.__contains__, _opencc().convert(cjk)))
    return min(good / len(cjk), 1.0)


def repair_mojibake(line: str) -> tuple[str, str | None]:
    """Return (line, status) where status is None (clean), 'repaired' or 'unrepaired'."""
    if not _MOJIBAKE_MARKS.search(line):
        return line, None
    candidates = []
    try:
        raw = line.encode("gb18030", errors="replace")
    except Exception:  # pragma: no cover - gb18030 encodes every code point
        raw = b""
    for shift in (1, 2):
        candidates.append(raw[shift:].decode("gbk", errors="replace"))
    for enc in ("gbk", "latin-1"):
        try:
            candidates.append(line.encode(enc).decode("utf-8", errors="replace"))
        except UnicodeEncodeError:
            pass
    base = _gb_level1_share(line) - 0.1 * len(_MOJIBAKE_MARKS.findall(line))
    best, best_score = line, base
    for cand in candidates:
        score = _gb_level1_share(cand) - 0.1 * len(_MOJIBAKE_MARKS.findall(cand))
        if score > best_score + 0.05:
            best, best_score = cand, score
    if best is line:
        return line, "unrepaired"
    return best.replace("\ufffd", ""), "repaired"


def markdown_row(line: str) -> str:
    """'| a | b |' → ' a \\t b ' keeping the character count (outer pipes become spaces)."""
    stripped = line.strip()
    if not (stripped.startswith("|") or stripped.endswith("|")) or stripped.count("|") < 2:
        return line
    lead = line.index("|") if stripped.startswith("|") else -1
    trail = line.rindex("|") if stripped.endswith("|") else -1
    out = line.replace("|", "\t")          # C-level: a line of 100,000 pipes is one call
    for i in sorted({lead, trail} - {-1}):
        out = out[:i] + " " + out[i + 1:]
    return out


def is_markdown_rule(line: str) -> bool:
    """'| --- | :---: |' (cells of three or more dashes between optional pipes): a split and a
    fullmatch per cell, where one regex over the line backtracks quadratically on white space."""
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|"):
        s = s[:-1]
    if "-" not in s:
        return False
    return all(_MD_RULE_CELL.fullmatch(cell.strip()) for cell in s.split("|"))


def _repair_lines(text: str, warnings: list[dict]) -> str:
    """Repair the lines that carry a mojibake mark; the others are not looked at one by one."""
    pieces: list[str] = []
    pos = 0                   # text[:pos] is done
    number = 1                # 1-based line number of text[pos]
    while True:
        m = _MOJIBAKE_MARKS.search(text, pos)
        if m is None:
            break
        start = text.rfind("\n", pos, m.start()) + 1
        end = text.find("\n", m.start())
        end = len(text) if end < 0 else end
        number += text.count("\n", pos, start)
        fixed, status = repair_mojibake(text[start:end])
        if status == "repaired":
            warnings.append({"code": "mojibake_repaired", "message": "乱码行已按 GBK 字节错位修复，修复结果可能不完整", "line": number})
        elif status == "unrepaired":
            warnings.append({"code": "mojibake_line", "message": "该行疑似乱码，无法修复", "line": number})
        pieces.append(text[pos:start])
        pieces.append(fixed.replace("\n", " "))
        pos = end
    if not pieces:
        return text
    pieces.append(text[pos:])
    return "".join(pieces)


def _line_edits(text: str, markdown: bool) -> list[tuple[int, int, str]]:
    """(start, end, new text) of the lines to change: page footers blanked, Markdown rules
    blanked, pipe rows turned into tab rows. Lines without a footer or a pipe are not visited."""
    edits = [(m.start(), m.end(), "") for m in _FOOTER.finditer(text)]
    footers = {start for start, _end, _new in edits}
    pos = 0
    while True:
        bar = text.find("|", pos)
        if bar < 0:
            break
        newline = text.rfind("\n", pos, bar)       # pos is always a line start
        start = newline + 1 if newline >= 0 else pos
        end = text.find("\n", bar)
        end = len(text) if end < 0 else end
        pos = end + 1
        if start in footers:
            continue
        line = text[start:end]
        if "-" not in line and line.count("|") < 2:
            continue                               # neither a rule nor a pipe row: nothing to change
        if is_markdown_rule(line):
            edits.append((start, end, ""))
        elif markdown or line.lstrip().startswith("|"):
            row = markdown_row(line)
            if row != line:
                edits.append((start, end, row))
    edits.sort()
    return edits


def normalize_text(text: str, *, markdown: bool = False) -> tuple[str, list[dict]]:
    """Normalise a text (lines joined by "\n"); the line count never changes. Returns the new
    text and warnings (with 1-based line numbers)."""
    warnings: list[dict] = []
    text = fold_fullwidth(_repair_lines(text, warnings))
    if "(" in text:
        text = _PINYIN.sub("", text)
    if has_traditional(text):
        text = to_simplified(text)
    edits = _line_edits(text, markdown)
    if edits:
        pieces, pos = [], 0
        for start, end, new in edits:
            pieces.append(text[pos:start])
            pieces.append(new)
            pos = end
        pieces.append(text[pos:])
        text = "".join(pieces)
    return text, warnings


def normalize_lines(lines: list[str], *, markdown: bool = False) -> tuple[list[str], list[dict]]:
    """Normalise each line; return the new lines and warnings (with 1-based line numbers)."""
    text, warnings = normalize_text("\n".join(lines), markdown=markdown)
    return text.split("\n"), warnings
