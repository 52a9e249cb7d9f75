"""Normalised text → figures stated in the narrative ("共新收政府信息公开申请25件").

Legacy reports (2008–2018) and reports whose tables were lost carry their numbers only in prose;
modern reports repeat some of them, which the TX-counts/TX-year checks compare with the tables.
Each fact keeps the sentence it came from and its line, so a reader can see the evidence.
"No applications" and "no reviews or lawsuits" sentences are facts with value 0.

A fact is the report year's own figure, or nothing. The first statement of a metric that passes
these tests is kept (later ones usually break a total down by unit); a statement is passed over when
- it is cumulative: "累计…" (unless scoped to the year: "2022年累计…", "全年累计…"), "截至/截止…",
  "…以来" (other than "本年以来"), "历年", "至今";
- its sentence is about another year ("2021年，共收到申请…" in a 2022 report; comparison years such
  as "较2021年" do not count; 上年结转 may name the previous year, 结转下年 the next);
- its clause names another body as the one acting: a government of another level ("市政府办公室
  收到…" in a district's report) or of another place ("宝丰县人民政府…" in 郏县's), any government in
  a department's report, a department opening the clause ("区教育局共收到…") that is not the report's;
- it is about something else that is counted in 件 (咨询、投诉、信访、热线、建议提案、政务服务);
- it is approximate ("近4800条", "13000余件") or the number is absurd (more than 12 digits).
"不予公开"/"不予以公开"/"部分予以公开"/"不同意公开" are not 予以公开.

Linear time: the text is cut into sentences once; one scan of a trigger-word regex says which
sentences may state which metric; each metric's bounded patterns then run only inside those
sentences (no pattern has an unbounded gap, and no two quantifiers compete for the same characters).
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from decimal import Decimal

# A number: at most 12 digits (a count or an amount in 元; anything longer is a glued run, not a
# figure), not part of a longer run, with a bounded gap before an optional 万 and the unit.
_NUM = r"(?<![\d.])(\d{1,12}(?:\.\d{1,6})?)(?![\d.])"
_N = _NUM + r"\s{0,3}(万)?\s{0,3}"
# a gap inside a clause: no sentence or clause break, no digit; bounded
_GAP = r"[^。；;，,\d]{0,16}?"
# a gap that does not run into an outcome word ("行政复议纠错1件" is not the number of reviews)
_CASE_GAP = r"(?:(?!纠|维持|撤销|败诉|胜诉|驳回|确认违法|被告)[^。；;，,\d]){0,8}?"


@dataclass(frozen=True)
class Rule:
    metric: str
    unit: str
    pattern: re.Pattern
    years: tuple[int, ...] = (0,)    # report-year offsets a sentence may name
    topic: bool = False              # an application metric: not about 咨询/投诉/建议提案…


_APP = dict(topic=True)


def _outcome(metric: str, words: str) -> tuple[Rule, Rule]:
    """An answer by outcome: "…答复数N条" or "…N件" (a count in 条 without 答复 counts information items:
    "不予公开信息数1854条" is not an answer)."""
    return (Rule(metric, "件", re.compile(words + r"答复(?:数|总数)?[^。；;，,\d]{0,4}?" + _N + r"[件条个]"), **_APP),
            Rule(metric, "件", re.compile(words + r"(?:数|的)?[^。；;，,\d]{0,4}?" + _N + r"[件个]"), **_APP))


RULES: list[Rule] = [
    Rule("disclosed_items", "条", re.compile(r"主动公开(?:政府)?信息(?:数量?|总数)?" + _GAP + _N + r"条")),
    Rule("disclosed_items", "条", re.compile(r"主动公开(?:了)?" + _N + r"条(?:政府)?信息")),
    Rule("applications_received", "件", re.compile(
        r"(?:新收|收到|受理|接收|共收)" + _GAP + r"(?:政府信息公开|信息公开|依申请公开)"
        r"[^。；;，,\d]{0,8}?申请(?:总数|数量)?[^。；;，,\d]{0,6}?" + _N + r"[件份个条]"), **_APP),
    Rule("applications_received", "件", re.compile(
        r"(?:新收|收到|受理|接收)(?:到|了)?" + _N + r"[件份个条](?:有关)?(?:政府信息公开|信息公开|依申请公开)"), **_APP),
    Rule("applications_received", "件", re.compile(
        r"(?:新收|收到|受理|接收)" + _GAP + r"依申请公开(?:事项|件|请求)?[^。；;，,\d]{0,6}?" + _N + r"[件份个条]"), **_APP),
    Rule("applications_received", "件", re.compile(
        r"(?:未|没有)(?:收到|受理|接到)(?:(?!复议|诉讼)[^。；;，,\d]){0,12}?申请"), **_APP),
    Rule("applications_carried_over", "件", re.compile(
        r"(?:上年(?:度)?结转|结转上年度?|上一年度结转)" + _GAP + _N + r"件"), years=(0, -1), **_APP),
    Rule("applications_processed", "件", re.compile(
        r"(?<!按时)(?<!按期)(?<!延期)(?:已办结|办结|办理完毕)(?:数|了|申请|政府信息公开申请)?[^。；;，,\d]{0,6}?" + _N + r"件"), **_APP),
    Rule("applications_processed", "件", re.compile(_N + r"件(?:已|均已|按时|全部)?(?:办结|办理完毕)"), **_APP),
    Rule("applications_carried_forward", "件", re.compile(
        _N + r"件(?:申请)?(?:结转下(?:一)?年度?|转入下(?:一)?年度?)"), years=(0, 1), **_APP),
    Rule("applications_carried_forward", "件", re.compile(
        r"结转(?:至|到)?(?:下(?:一)?年度?|20\d{2}\s{0,2}年度?)(?:继续)?(?:办理)?" + _GAP + _N + r"件"), years=(0, 1), **_APP),
    Rule("applications_granted", "件", re.compile(
        r"(?<!不)(?<!部分)(?:予以公开|同意公开)(?![及和与、或])(?:答复)?(?:数|的)?[^。；;，,\d]{0,6}?" + _N + r"[件条]"),
        **_APP),
    # legacy reports (forms.md §6): channels, answers by outcome, on time / extended
    Rule("applications_in_person", "件", re.compile(r"(?:当面|现场)(?:提出)?申请(?:数|的)?[^。；;，,\d]{0,4}?" + _N + r"[件条个]"), **_APP),
    Rule("applications_online", "件", re.compile(r"(?:网上|网络|互联网|在线)(?:提出)?申请(?:数|的)?[^。；;，,\d]{0,4}?" + _N + r"[件条个]"), **_APP),
    Rule("applications_letter", "件", re.compile(r"(?:信函|来信)(?!、传真)(?:提出)?申请(?:数|的)?[^。；;，,\d]{0,4}?" + _N + r"[件条个]"), **_APP),
    Rule("applications_fax", "件", re.compile(r"(?<!信函、)传真(?!、信函)(?:提出)?申请(?:数|的)?[^。；;，,\d]{0,4}?" + _N + r"[件条个]"), **_APP),
    Rule("applications_email", "件", re.compile(r"电子(?:邮件|邮箱)(?:提出)?申请(?:数|的)?[^。；;，,\d]{0,4}?" + _N + r"[件条个]"), **_APP),
    Rule("applications_answered", "件", re.compile(r"(?<!公开)(?<!掌握)(?<!存在)(?<!明确)(?<!类型)答复(?:总数|总量|数)[^。；;，,\d]{0,4}?" + _N + r"[件条个]"), **_APP),
    *_outcome("applications_partly_granted", r"(?:同意)?部分(?:予以)?公开"),
    *_outcome("applications_withheld", r"(?:不予(?:以)?公开|否决公开|免于公开|不同意公开)"),
    *_outcome("applications_not_exist", r"信息不存在"),
    *_outcome("applications_not_held",
              r"(?:非本(?:行政)?机关掌握|不属于本(?:行政)?机关(?:掌握|公开)|非本(?:行政)?机关职责)(?:范围)?"),
    *_outcome("applications_unclear", r"申请内容不明确"),
    Rule("applications_on_time", "件", re.compile(r"(?:按时|按期|在规定(?:期限|时限|时间)内)(?:办结|答复|办理)(?:数)?[^。；;，,\d]{0,4}?" + _N + r"[件条个]"), **_APP),
    Rule("applications_extended", "件", re.compile(r"延期(?:办结|答复|办理)(?:数)?[^。；;，,\d]{0,4}?" + _N + r"[件条个]"), **_APP),
    Rule("reviews_corrected", "件", re.compile(r"行政复议[^。；;]{0,30}?(?:被)?(?:纠错|纠正|撤销)(?:的)?" + _N + r"[件起宗]")),
    Rule("lawsuits_corrected", "件", re.compile(r"行政诉讼[^。；;]{0,30}?(?:败诉|被)?(?:纠错|纠正|撤销)(?:的)?" + _N + r"[件起宗]")),
    Rule("fee_exemptions_yuan", "元", re.compile(r"减免(?:费用|金额)?[^。；;，,\d]{0,6}?" + _N + r"元")),
    Rule("reviews", "件", re.compile(r"行政复议(?:案件|申请)?" + _CASE_GAP + _N + r"[件起宗]")),
    Rule("reviews", "件", re.compile(_N + r"[件份起宗](?:有关)?(?:政府信息公开)?(?:的)?行政复议")),
    Rule("reviews", "件", re.compile(r"(?:无|没有|未发生|未收到|未有|未出现)[^。；;\d]{0,24}?行政复议")),
    Rule("lawsuits", "件", re.compile(r"行政诉讼(?:案件)?" + _CASE_GAP + _N + r"[件起宗]")),
    Rule("lawsuits", "件", re.compile(_N + r"[件份起宗](?:有关)?(?:政府信息公开)?(?:的)?行政诉讼")),
    Rule("lawsuits", "件", re.compile(r"(?:无|没有|未发生|未收到|未有|未出现)[^。；;\d]{0,24}?行政诉讼")),
    Rule("fee_yuan", "元", re.compile(r"(?:收取|收费)(?:(?!标准|每)[^。；;\d]){0,24}?" + _N + r"元")),
    Rule("fee_yuan", "元", re.compile(r"(?:未|没有|无|不)(?:向申请人)?(?:收取|收费)|无收取|未产生[^。；;\d]{0,8}费")),
    Rule("report_period_year", "年", re.compile(
        r"统计(?:期限|时限|时间|区间)[^。\d]{0,6}(20\d{2})\s{0,2}年\s{0,2}1\s{0,2}月\s{0,2}1\s{0,2}日"), years=()),
]
PATTERNS = [(r.metric, r.pattern, r.unit) for r in RULES]   # (kept for callers that list the patterns)

# Trigger words: a sentence without one of its metric's words cannot state that metric.
_TRIGGERS: dict[str, tuple[str, ...]] = {
    "disclosed_items": ("主动公开",),
    "applications_received": ("新收", "收到", "受理", "接收", "共收", "接到"),
    "applications_carried_over": ("结转",),
    "applications_processed": ("办结", "办理完毕"),
    "applications_carried_forward": ("结转", "转入下"),
    "applications_granted": ("予以公开", "同意公开"),
    "reviews": ("行政复议",),
    "lawsuits": ("行政诉讼",),
    "fee_yuan": ("收取", "收费", "费"),
    "report_period_year": ("统计",),
    "applications_in_person": ("当面", "现场"),
    "applications_online": ("网上", "网络", "互联网", "在线"),
    "applications_letter": ("信函", "来信"),
    "applications_fax": ("传真",),
    "applications_email": ("电子邮件", "电子邮箱"),
    "applications_answered": ("答复",),
    "applications_partly_granted": ("部分",),
    "applications_withheld": ("不予", "否决", "免于", "不同意"),
    "applications_not_exist": ("不存在",),
    "applications_not_held": ("机关",),
    "applications_unclear": ("不明确",),
    "applications_on_time": ("按时", "按期", "规定"),
    "applications_extended": ("延期",),
    "reviews_corrected": ("行政复议",),
    "lawsuits_corrected": ("行政诉讼",),
    "fee_exemptions_yuan": ("减免",),
}
_TRIGGER_RE = re.compile("|".join(sorted({w for ws in _TRIGGERS.values() for w in ws}, key=len, reverse=True)))
_RULES_OF: dict[str, list[Rule]] = {}
for _r in RULES:
    _RULES_OF.setdefault(_r.metric, []).append(_r)

# a sentence ends at its punctuation, a line break, or a long blank run (layout, not prose: without it one
# 100,000-space run makes a sentence every rule's pattern scans)
_SENTENCE_END = re.compile(r"[。；;!！?？\n]|[^\S\n]{64,}")
_CLAUSE_END = re.compile(r"[，,：:]")
_WINDOW = 200          # how far back in a sentence a match's context (year, cumulative words) is read
_TEXT_WINDOW = 300     # how much of a long sentence a fact's text keeps on each side of the match

# "2021年" (a date's year counts too), but not inside a title 《…》 nor a comparison ("较2021年")
_YEAR = re.compile(r"(?<![\d])((?:19|20)\d{2})\s{0,2}年")
_COMPARE_BEFORE = re.compile(r"(?:与|较|比|同比|相比|对比|较之|比较)\s{0,2}$")
_BOOK = re.compile(r"《[^《》]{0,80}》|“[^“”]{0,80}”")
_CUMULATIVE = re.compile(r"累计|截至|截止|至今|迄今|以来|历年|总累计")
_YEAR_SCOPE = re.compile(r"(?:全年|本年度?|年内|今年|当年|年度内?)\s{0,2}$")
_APPROX_BEFORE = re.compile(r"(?:近|约|超|逾|超过|将近|大约)\s{0,2}$")
_OFF_TOPIC = re.compile(r"咨询|投诉|信访|热线|留言|来电|来信|建议|提案|议案|政务服务|12345|诉求|工单")
_ON_TOPIC = re.compile(r"申请|依申请公开")
# a government named as the one acting: "市政府办公室收到…", "XX县人民政府…", "国务院…"
_GOV_MENTION = re.compile(r"(省|市|区|县|州|旗|盟|镇|乡)(?:委、)?(?:人民)?政府"
                          r"(?!信息|网|门户|平台|公报|常务|令|文件|工作|官|公众号|数据)|国务院|中央")


def _value(m: re.Match) -> Decimal | int:
    if not m.groups() or m.group(1) is None:
        return 0
    value = Decimal(m.group(1))
    if len(m.groups()) > 1 and m.group(2):
        value *= 10000
    return int(value) if value == value.to_integral_value() else value


def _sentences(text: str) -> list[int]:
    """Offsets where sentences start (one linear scan); sentence i is text[starts[i]:starts[i+1]]."""
    return [0] + [m.end() for m in _SENTENCE_END.finditer(text)]


def _context_years(prefix: str) -> list[int]:
    """Years the part of a sentence before a figure is about (titles and comparison years left out)."""
    prefix = _BOOK.sub(lambda m: "＿" * len(m.group()), prefix)
    out = []
    for m in _YEAR.finditer(prefix):
        if _COMPARE_BEFORE.search(prefix, max(0, m.start() - 4), m.start()):
            continue
        if prefix.startswith(("相比", "同期", "比较"), m.end()):
            continue
        out.append(int(m.group(1)))
    return out


def _cumulative(prefix: str, year: int | None) -> bool:
    """"累计/截至/…以来" before the figure, unless scoped to the report year ("2022年累计", "全年累计")."""
    for m in _CUMULATIVE.finditer(prefix):
        word = m.group()
        before = prefix[max(0, m.start() - 8):m.start()]
        if word == "累计":
            if _YEAR_SCOPE.search(before):
                continue
            years = _context_years(prefix[:m.start()])
            if years and (year is None or years[-1] == year):
                continue        # "2022年累计…": the year's total (another year is the year test's)
        if word == "以来":
            if re.search(r"(?:今年|本年度?|年初)\s{0,2}$", before):
                continue
            if year is not None and re.search(rf"{year}\s{{0,2}}年\s{{0,2}}$", before):
                continue
        return True
    return False


def _level(agency: str | None) -> str | None:
    """The administrative level (省/市/区/县/…) of the body that issued the report, from its name."""
    if not agency:
        return None
    levels = re.findall(r"(省|自治区|市|州|盟|区|县|旗|镇|乡|街道)(?=(?:人民)?政府|管委会|管理委员会|办事处|[^省市区县州旗盟镇乡]{0,14}$)",
                        agency[:40])
    return levels[-1][-1] if levels else None


# a department opening the clause as its subject: "区教育局共收到…", "2022年，市公安局受理…"
_DEPT_SUBJECT = re.compile(r"^[\s\d年度月日，,、]{0,12}(?:由|其中)?([省市区县州旗])"
                           r"([\u4e00-\u9fff]{1,12}?(?:局|委员会|厅|中心))(?=共|累计|全年|本年|新收|收到|受理|接收|办结|发生|被)")


# characters that end a clause's lead-in rather than a place name ("全县", "各区", "向市政府")
_GENERIC_BEFORE_LEVEL = set("全各本我该其由向经在到和与及对从为被即共、省市区县州旗盟镇乡")


def _other_body(clause: str, agency: str | None, agency_kind: str | None) -> bool:
    """True when the clause before a figure names, as the one acting, a body that is not the
    report's: a government of another level ("市政府办公室" in a district's report), any government
    in a department's report, or a department opening the clause ("区教育局共收到…") that is not the
    report's own department."""
    if not agency:
        return False
    clause = _BOOK.sub(lambda m: "＿" * len(m.group()), clause)
    dept = _DEPT_SUBJECT.match(clause)
    if dept:
        return not agency.endswith(dept.group(2))
    mentions = list(_GOV_MENTION.finditer(clause))
    if not mentions:
        return False
    m = mentions[-1]
    if m.group() in ("国务院", "中央"):
        return True
    if agency_kind == "department":
        return True
    own = _level(agency)
    if own is not None and m.group(1) != own:
        return True
    # the same level but another place: "宝丰县人民政府转来…" in 郏县's report
    run = re.search(r"[\u4e00-\u9fff]{1,6}$", clause[:m.start(1)])
    if run and run.group()[-1] not in _GENERIC_BEFORE_LEVEL:
        place = run.group()
        return not any(place[-k:] + m.group(1) in agency for k in range(1, len(place) + 1))
    return False


def _reject(rule: Rule, text: str, s: int, e: int, m: re.Match, year: int | None,
            agency: str | None, agency_kind: str | None) -> str | None:
    """Why the statement M (in the sentence text[s:e]) is not the report year's figure, or None."""
    if not rule.years:      # report_period_year: a statement about the period itself
        return None
    num_at = m.start(1) if m.groups() and m.group(1) is not None else m.start()
    lo = max(s, m.start() - _WINDOW)
    prefix = text[lo:num_at]
    if m.groups() and m.group(1) is not None:
        if _APPROX_BEFORE.search(text, max(lo, num_at - 4), num_at) or text.startswith(("余", "多"), m.end(1)):
            return "approximate"
    if _cumulative(prefix, year):
        return "cumulative"
    clause_start = max((c.end() for c in _CLAUSE_END.finditer(text, max(lo, m.start() - 60), m.start())),
                       default=max(lo, m.start() - 60))
    if _other_body(text[clause_start:num_at], agency, agency_kind):
        return "other_body"
    if rule.topic:
        sentence_part = text[lo:min(e, m.end() + 40)]
        if _OFF_TOPIC.search(sentence_part) and not _ON_TOPIC.search(sentence_part):
            return "off_topic"
    if year is not None:    # last: a statement only about another year still names that year (TX-year)
        years = _context_years(text[lo:m.start()])
        if years and years[-1] - year not in rule.years:
            return "other_year"
    return None


def _fact_text(text: str, s: int, e: int, m: re.Match) -> str:
    lo = max(s, m.start() - _TEXT_WINDOW)
    hi = min(e, m.end() + _TEXT_WINDOW)
    return text[lo:hi].strip()


def find_facts(text: str, exclude: list[tuple[int, int]] = (), year: int | None = None,
               agency: str | None = None, agency_kind: str | None = None) -> list[dict]:
    """Facts as dicts with metric, value, unit, text and the offset of the match (parse maps it to a line).

    `year`, `agency` and `agency_kind` are the report's (from meta): a statement about another year or
    another government is not the report's figure. Without them those two tests are skipped."""
    spans: list[tuple[int, int]] = []
    for a, b in sorted((a, b) for a, b in exclude if b > a):   # merged, so one bisect answers
        if spans and a <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], b))
        else:
            spans.append((a, b))
    span_starts = [a for a, _b in spans]

    def excluded(pos: int) -> bool:
        i = bisect.bisect_right(span_starts, pos) - 1
        return i >= 0 and spans[i][0] <= pos < spans[i][1]

    starts = _sentences(text)
    facts: dict[str, dict] = {}
    first_received: dict | None = None      # the first statement of received applications, any year
    pos = 0
    while len(facts) < len(_TRIGGERS):
        hit = _TRIGGER_RE.search(text, pos)
        if hit is None:
            break
        # the sentence holding the hit is read once, for every metric it may state; then the next one
        idx = bisect.bisect_right(starts, hit.start()) - 1
        s = starts[idx]
        e = starts[idx + 1] if idx + 1 < len(starts) else len(text)
        pos = max(e, hit.end())
        e = s + len(text[s:e].rstrip())     # without the blank run that ended it
        sentence = text[hit.start():e]
        for metric, words in _TRIGGERS.items():
            if metric in facts or not any(w in sentence for w in words):
                continue
            best = None
            for rule in _RULES_OF[metric]:
                for m in rule.pattern.finditer(text, s, e):
                    if best is not None and m.start() >= best[1].start():
                        break
                    if excluded(m.start()):
                        continue
                    why = _reject(rule, text, s, e, m, year, agency, agency_kind)
                    if metric == "applications_received" and first_received is None and why in (None, "other_year"):
                        first_received = {"offset": m.start(), "s": s, "text": _fact_text(text, s, e, m)}
                    if why is None:
                        best = (rule, m)
                        break
            if best is not None:
                rule, m = best
                facts[metric] = {"metric": metric, "value": _value(m), "unit": rule.unit,
                                 "text": _fact_text(text, s, e, m), "offset": m.start()}
    received = facts.get("applications_received") or first_received
    if received is not None:
        s = received.get("s")
        if s is None:
            idx = bisect.bisect_right(starts, received["offset"]) - 1
            s = starts[idx]
        found = _YEAR.search(text, max(s, received["offset"] - _WINDOW), received["offset"] + 40)
        if found:
            facts["year_mentioned_with_applications"] = {
                "metric": "year_mentioned_with_applications", "value": int(found.group(1)), "unit": "年",
                "text": received["text"], "offset": found.start()}
    return sorted(facts.values(), key=lambda f: f["offset"])
