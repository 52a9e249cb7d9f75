"""The source text as the report page shows it: readable paragraphs, numbers marked, words found.

Why split at display time: many site dumps hold a whole report on one line (the body of every
平潭 page.txt is one line of 3,000+ characters). The parser's line numbers must stay those of the
stored text (`source_texts`, what every `line` of the database refers to), so the page splits a long
line into pieces — at sentence ends and before headings — each with its own anchor
(`L{line}-{k}`); a cell's link lands on the piece holding its span, and the span is marked. A short
line is one piece, anchored `L{line}` as before.

Linear: the split scans the line once with a regex of single characters and fixed-length heading
marks (no nested quantifiers); marks are placed by one pass over sorted intervals.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import markupsafe

LONG_LINE = 200        # a line longer than this is shown in pieces
MIN_PIECE = 40         # a piece shorter than this joins the one before it

# A break after a sentence end, or before a heading mark ("二、", "（三）", "(三)") — the heading
# numbers the forms use: one or two Chinese numerals.
_BREAK = re.compile(r"(?<=[。！？；])|(?=[一二三四五六七八九十]{1,2}、)|(?=[（(][一二三四五六七八九十]{1,2}[）)])")


def pieces(line: str, long_line: int = LONG_LINE, min_piece: int = MIN_PIECE) -> list[tuple[int, int]]:
    """(start, end) character ranges covering `line`, in order, with no gap."""
    if len(line) <= long_line:
        return [(0, len(line))]
    cuts = sorted({m.start() for m in _BREAK.finditer(line)} - {0, len(line)})
    out: list[tuple[int, int]] = []
    start = 0
    for cut in cuts:
        if cut - start >= min_piece:       # a shorter piece runs on into the next one
            out.append((start, cut))
            start = cut
    if out and len(line) - start < min_piece:
        out[-1] = (out[-1][0], len(line))  # a short tail joins the last piece
    else:
        out.append((start, len(line)))
    return out


@dataclass
class Mark:
    start: int
    end: int
    cls: str                        # gk-num (a cell's number) | gk-q (a searched word)
    anchors: list[str] = field(default_factory=list)   # ids placed just before the mark
    title: str = ""


def choose(marks: list[Mark]) -> list[Mark]:
    """Non-overlapping marks, cells before searched words; an overlapped cell keeps its anchor."""
    marks = sorted(marks, key=lambda m: (m.cls != "gk-num", m.start, -m.end))
    taken: list[Mark] = []
    orphans: list[Mark] = []
    for m in marks:
        if m.end <= m.start or any(m.start < t.end and t.start < m.end for t in taken):
            if m.anchors:
                orphans.append(Mark(m.start, m.start, "", m.anchors))
            continue
        taken.append(m)
    return sorted(taken + orphans, key=lambda m: (m.start, m.end))


def render(line: str, start: int, end: int, marks: list[Mark]) -> markupsafe.Markup:
    """HTML of line[start:end] with the marks inside it (escaped text, <mark> elements, anchors).

    Built with escape() and plain string concatenation, not Markup.format: format runs Python's
    string.Formatter per mark, a fifth of a report page's rendering time."""
    escape = markupsafe.escape
    out = []
    pos = start
    for m in marks:
        if m.start < start or m.start >= end and not (m.start == end == len(line)):
            continue
        s, e = m.start, min(m.end, end)
        out.append(escape(line[pos:s]))
        for anchor in m.anchors:
            out.append(f'<a class="gk-anchor" id="{escape(anchor)}"></a>')
        if m.cls and e > s:
            title = f' title="{escape(m.title)}"' if m.title else ""
            out.append(f'<mark class="{escape(m.cls)}"{title}>{escape(line[s:e])}</mark>')
            pos = e
        else:
            pos = s
    out.append(escape(line[pos:end]))
    return markupsafe.Markup("".join(out))


def word_marks(line: str, words: list[str]) -> list[Mark]:
    """Every occurrence of each searched word (str.find: linear per word)."""
    marks = []
    for w in words:
        if not w:
            continue
        i = line.find(w)
        while i >= 0:
            marks.append(Mark(i, i + len(w), "gk-q"))
            i = line.find(w, i + len(w))
    return marks


def piece_of(spans: list[tuple[int, int]], offset: int | None) -> int:
    """1-based index of the piece holding `offset`."""
    if offset is None:
        return 1
    for k, (s, e) in enumerate(spans, 1):
        if s <= offset < e:
            return k
    return len(spans)


def anchor(line_no: int, spans: list[tuple[int, int]], offset: int | None) -> str:
    """The id a link to this line (and character offset) should target."""
    if len(spans) <= 1:
        return f"L{line_no}"
    return f"L{line_no}-{piece_of(spans, offset)}"


def html(view_lines: list[dict], page_breaks: dict[int, int]) -> markupsafe.Markup:
    """The lines of `view` as the report page's source block prints them (what templates/report.html
    printed with a loop over them: one Jinja loop iteration per line cost a third of the page)."""
    out = []
    for line in view_lines:
        no = line["no"]
        if no in page_breaks:
            out.append(f'<div class="line page-break" id="L{no}"><a class="ln" href="#L{no}">{no}</a>'
                       f'<div class="body">—— 第{page_breaks[no]}页 ——</div></div>')
            continue
        out.append(f'<div class="line" id="L{no}"><a class="ln" href="#L{no}">{no}</a><div class="body">')
        if line["split"]:
            out.extend(f'<p id="{markupsafe.escape(p["id"])}">{p["html"]}</p>' for p in line["pieces"])
        else:
            out.append(str(line["pieces"][0]["html"]))
        out.append("</div></div>")
    return markupsafe.Markup("".join(out))


def view(lines: list[str], marks_by_line: dict[int, list[Mark]]) -> list[dict]:
    """Every line of the text, as the page prints it: {no, pieces: [{id, html}]}."""
    out = []
    for no, line in enumerate(lines, 1):
        spans = pieces(line)
        marks = choose(marks_by_line.get(no, []))
        out.append({"no": no, "split": len(spans) > 1, "pieces": [
            {"id": f"L{no}" if len(spans) == 1 else f"L{no}-{k}", "html": render(line, s, e, marks)}
            for k, (s, e) in enumerate(spans, 1)]})
    return out
