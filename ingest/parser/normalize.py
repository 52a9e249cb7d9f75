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
"""
from __future__ import annotations

import re
from functools import lru_cache

_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH.update({0x3000: 0x20, 0x2212: 0x2D, 0x00A0: 0x20, 0x200B: None, 0xFEFF: None, 0x2002: 0x20,
                   0x2003: 0x20, 0x2009: 0x20})

_PINYIN = re.compile(r"\((?=[a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńň])[a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜńň]{1,7}\)")
_FOOTER = re.compile(r"^\s*(?:[—–\-－]{1,3}\s*\d{1,4}\s*[—–\-－]{1,3}|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?|\d{1,4}\s*/\s*\d{1,4}\s*页?)\s*$")
_MD_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_MOJIBAKE_MARKS = re.compile(r"[\u2500-\u257f\u3100-\u312f\ue000-\uf8ff\ufffd]|^\?[。.]")

# Characters that exist only in Traditional script (a small, frequent sample): if none occurs, the
# OpenCC pass is skipped, which keeps Simplified reports fast.
_TRADITIONAL_HINTS = set("這個們國會為說時來對發於與區開關機實現學經達體錢動過進當並從華門問間題應將樣機務專業層區縣鄉鎮辦處統計報"
                         "規範條例訊護權權財稅採購審決議須總軟網絡頁號資訊廣東臺灣書將黨員單據複幫隊優選舉")


@lru_cache(maxsize=1)
def _opencc():
    import opencc

    return opencc.OpenCC("t2s")


def has_traditional(text: str) -> bool:
    return any(ch in _TRADITIONAL_HINTS for ch in text)


def to_simplified(text: str) -> str:
    return _opencc().convert(text)


def _gb_level1_share(text: str) -> float:
    """Share of CJK characters that are common (GB2312 level 1, after Traditional→Simplified)."""
    cjk = [c for c in text if "\u4e00" <= c <= "\u9fff" or "\u2500" <= c <= "\u257f" or "\u3100" <= c <= "\u312f"]
    if not cjk:
        return 0.0
    good = 0
    for ch in _opencc().convert("".join(cjk)):
        try:
            b = ch.encode("gb2312")
        except UnicodeEncodeError:
            continue
        if 0xB0 <= b[0] <= 0xD7:
            good += 1
    return good / len(cjk)


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
    chars = list(line)
    for i, ch in enumerate(chars):
        if ch == "|":
            chars[i] = " " if i in (lead, trail) else "\t"
    return "".join(chars)


def normalize_lines(lines: list[str], *, markdown: bool = False) -> tuple[list[str], list[dict]]:
    """Normalise each line; return the new lines and warnings (with 1-based line numbers)."""
    warnings: list[dict] = []
    out: list[str] = []
    for number, line in enumerate(lines, 1):
        fixed, status = repair_mojibake(line)
        if status == "repaired":
            warnings.append({"code": "mojibake_repaired", "message": "乱码行已按 GBK 字节错位修复，修复结果可能不完整", "line": number})
        elif status == "unrepaired":
            warnings.append({"code": "mojibake_line", "message": "该行疑似乱码，无法修复", "line": number})
        out.append(fixed)
    text = "\n".join(out).translate(_FULLWIDTH)
    if "(" in text:
        text = _PINYIN.sub("", text)
    if has_traditional(text):
        text = to_simplified(text)
    out = text.split("\n")
    for i, line in enumerate(out):
        if _FOOTER.match(line):
            out[i] = ""
        elif "|" in line:
            if _MD_RULE.match(line):
                out[i] = ""
            elif markdown or line.lstrip().startswith("|"):
                out[i] = markdown_row(line)
    return out, warnings
