"""Normalised text → the report's numbered sections (一、总体情况 … 六、其他需要报告的事项).

Headings are recognised by their numeral, a known title word at the end ("情况", "事项", "概述" …) and
their order: the numbers must rise, which keeps the table's own "三、本年度办理结果" and
"四、结转下年度继续办理" from being taken for section headings. Works on text whose headings sit on
lines of their own and on text collapsed onto one line (the Pingtan archive).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .. import forms

NUMERALS = "一二三四五六七八九十"
_HEADING = re.compile(
    r"(?<![一二三四五六七八九十第])"
    r"(?P<num>[一二三四五六七八九十]{1,2})\s*[、.．]\s*"
    r"(?P<title>(?:(?![一二三四五六七八九十]\s*、)[^\d\s，。；：:（）()“”\"!?！？]){0,30}?"
    r"(?:情况|概述|事项|措施|计划|问题|方向|工作)(?:的|等)?)",
    re.M,
)
_NOT_TITLES = ("本年度办理结果", "结转下年度继续办理", "本年新收", "上年结转")


@dataclass
class Section:
    number: str           # printed numeral, e.g. "三"
    title: str            # printed title, e.g. "收到和处理政府信息公开申请情况"
    start: int            # offset of the heading
    body_start: int       # offset just after the heading
    end: int              # offset of the next heading (or end of text)
    canonical: str | None  # "一".."六" of the modern form when the title is one of forms.SECTIONS


def numeral_value(num: str) -> int:
    if num == "十":
        return 10
    if num.startswith("十"):
        return 10 + NUMERALS.index(num[1]) + 1
    if len(num) == 2 and num.endswith("十"):
        return (NUMERALS.index(num[0]) + 1) * 10
    return NUMERALS.index(num[0]) + 1


def _canonical(title: str) -> str | None:
    compact = re.sub(r"\s+", "", title)
    for number, _official, variants in forms.SECTIONS:
        if any(v in compact for v in variants):
            return number
    return None


_KNOWN_TITLES = tuple(sorted({v for _n, _o, variants in forms.SECTIONS for v in variants} | {
    "主动公开政府信息的情况", "依申请公开政府信息的情况", "信息公开的收费及减免情况", "申请行政复议、提起行政诉讼的情况",
    "政务公开工作要点落实情况", "存在问题及下一步计划", "存在的主要问题及改进措施", "其他需要报告的事项",
    "人大代表建议和政协委员提案办理结果公开情况", "政府信息公开的收费及减免情况", "政府信息公开的主要问题和改进措施",
    "存在的主要问题和改进措施", "主动公开政府信息情况", "依申请公开政府信息情况", "概述"}, key=len, reverse=True))


def find_sections(text: str) -> list[Section]:
    from .tables import label_regex

    known = label_regex(_KNOWN_TITLES)
    found: list[Section] = []
    last = 0
    for m in _HEADING.finditer(text):
        title = m.group("title")
        k = known.match(text, m.start("title"))
        if k is not None:
            title = k.group()
        if any(bad in title for bad in _NOT_TITLES):
            continue
        value = numeral_value(m.group("num"))
        if found and m.start() == found[-1].start:
            continue
        if value == last and found and found[-1].title == title:
            continue  # a repeated heading (seed 002 prints 一、总体情况 twice)
        if not (last < value <= last + 2) and not (value == 1 and not found):
            continue
        body_start = m.start("title") + len(title)
        found.append(Section(m.group("num"), re.sub(r"\s+", "", title), m.start(), body_start, len(text), _canonical(title)))
        last = value
    for a, b in zip(found, found[1:]):
        a.end = b.start
    return found


def section_span(sections: list[Section], canonical: str) -> tuple[int, int] | None:
    for s in sections:
        if s.canonical == canonical:
            return s.start, s.end
    return None
