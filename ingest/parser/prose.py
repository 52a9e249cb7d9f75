"""Normalised text → figures stated in the narrative ("共新收政府信息公开申请25件").

Legacy reports (2008–2018) and reports whose tables were lost carry their numbers only in prose;
modern reports repeat some of them, which the TX-counts/TX-year checks compare with the tables.
Each fact keeps the sentence it came from and its line, so a reader can see the evidence.
"No applications" and "no reviews or lawsuits" sentences are facts with value 0.
Only the first statement of each metric is kept: later ones usually break a total down by unit.
"""
from __future__ import annotations

import re
from decimal import Decimal

_N = r"(?<![\d.])(\d+(?:\.\d+)?)\s*(万)?"
_GAP = r"[^。；;，,\d]{0,16}?"

PATTERNS: list[tuple[str, re.Pattern, str]] = [
    ("disclosed_items", re.compile(r"主动公开(?:政府)?信息(?:数量?|总数)?" + _GAP + _N + r"\s*条"), "条"),
    ("disclosed_items", re.compile(r"主动公开(?:了)?" + _N + r"\s*条(?:政府)?信息"), "条"),
    ("applications_received", re.compile(r"(?:新收|收到|受理|接收|共收)" + _GAP + r"(?:政府信息公开|信息公开|依申请公开)"
                                         r"[^。；;，,\d]{0,8}?申请(?:总数|数量)?[^。；;，,\d]{0,6}?" + _N + r"\s*[件份个条]"), "件"),
    ("applications_received", re.compile(r"(?:新收|收到|受理|接收)(?:到|了)?" + _N + r"\s*[件份个条](?:有关)?(?:政府信息公开|信息公开|依申请公开)"), "件"),
    ("applications_received", re.compile(r"(?:未|没有)(?:收到|受理|接到)(?:(?!复议|诉讼)[^。；;，,\d]){0,12}?申请"), "件"),
    ("applications_carried_over", re.compile(r"(?:上年(?:度)?结转|结转上年度?|上一年度结转)" + _GAP + _N + r"\s*件"), "件"),
    ("applications_processed", re.compile(r"(?:已办结|办结|办理完毕)(?:数|了|申请|政府信息公开申请)?" + r"[^。；;，,\d]{0,6}?" + _N + r"\s*件"), "件"),
    ("applications_processed", re.compile(_N + r"\s*件(?:已|均已|按时|全部)?(?:办结|办理完毕)"), "件"),
    ("applications_carried_forward", re.compile(_N + r"\s*件(?:申请)?(?:结转下(?:一)?年度?|转入下(?:一)?年度?)"), "件"),
    ("applications_carried_forward", re.compile(r"结转(?:至)?下(?:一)?年度?(?:继续)?(?:办理)?" + _GAP + _N + r"\s*件"), "件"),
    ("applications_granted", re.compile(r"(?:予以公开|同意公开)(?![及和与、])(?:答复)?(?:数|的)?" + r"[^。；;，,\d]{0,6}?" + _N + r"\s*[件条]"), "件"),
    ("reviews", re.compile(r"行政复议(?:案件|申请)?" + r"[^。；;，,\d]{0,8}?" + _N + r"\s*[件起宗]"), "件"),
    ("reviews", re.compile(_N + r"\s*[件份起宗](?:有关)?(?:政府信息公开)?(?:的)?行政复议"), "件"),
    ("reviews", re.compile(r"(?:无|没有|未发生|未收到|未有|未出现)[^。；;\d]{0,24}?行政复议"), "件"),
    ("lawsuits", re.compile(r"行政诉讼(?:案件)?" + r"[^。；;，,\d]{0,8}?" + _N + r"\s*[件起宗]"), "件"),
    ("lawsuits", re.compile(_N + r"\s*[件份起宗](?:有关)?(?:政府信息公开)?(?:的)?行政诉讼"), "件"),
    ("lawsuits", re.compile(r"(?:无|没有|未发生|未收到|未有|未出现)[^。；;\d]{0,24}?行政诉讼"), "件"),
    ("fee_yuan", re.compile(r"(?:收取|收费)[^。；;\d]{0,24}?" + r"(\d+(?:\.\d+)?)\s*(万)?\s*元"), "元"),
    ("fee_yuan", re.compile(r"(?:未|没有|无|不)(?:向申请人)?(?:收取|收费)|无收取|未产生[^。；;\d]{0,8}费"), "元"),
    ("report_period_year", re.compile(r"统计(?:期限|时限|时间|区间)[^。\d]{0,6}(20\d{2})\s*年\s*1\s*月\s*1\s*日"), "年"),
]

_SENTENCE_END = re.compile(r"[。；;!！?？\n]")


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    left = max((m.end() for m in _SENTENCE_END.finditer(text, max(0, start - 300), start)), default=max(0, start - 300))
    m = _SENTENCE_END.search(text, end)
    right = m.end() if m else min(len(text), end + 300)
    return left, right


def _value(m: re.Match) -> Decimal | int:
    if not m.groups() or m.group(1) is None:
        return 0
    value = Decimal(m.group(1))
    if len(m.groups()) > 1 and m.group(2):
        value *= 10000
    return int(value) if value == value.to_integral_value() else value


def find_facts(text: str, exclude: list[tuple[int, int]] = ()) -> list[dict]:
    """Facts as dicts with metric, value, unit, text and the offset of the match (parse maps it to a line)."""
    facts: dict[str, dict] = {}
    for metric, pattern, unit in PATTERNS:
        for m in pattern.finditer(text):
            if any(a <= m.start() < b for a, b in exclude):
                continue
            existing = facts.get(metric)
            if existing is not None and existing["offset"] <= m.start():
                break
            s, e = _sentence(text, m.start(), m.end())
            facts[metric] = {"metric": metric, "value": _value(m), "unit": unit,
                             "text": text[s:e].strip(), "offset": m.start()}
            break
    received = facts.get("applications_received")
    if received is not None:
        s, _e = _sentence(text, received["offset"], received["offset"] + 1)
        year = re.search(r"(20\d{2})\s*年", text[s:received["offset"] + 40])
        if year:
            facts["year_mentioned_with_applications"] = {
                "metric": "year_mentioned_with_applications", "value": int(year.group(1)), "unit": "年",
                "text": received["text"], "offset": s + year.start()}
    return sorted(facts.values(), key=lambda f: f["offset"])
