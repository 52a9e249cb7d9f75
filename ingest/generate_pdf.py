"""Generated reports rendered as PDF, the way agencies publish most of them.

Why: a PDF's tables reach the parser only through character positions, so the PDF reader must be
shown to return exactly the numbers of many different tables. The report itself (its numbers,
labels, merged header cells and vertical headers) is the generator's HTML rendering
(`ingest.generate`, `layout="html"`), so `Generated.expected` is unchanged; this module lays the
same blocks out on A4 pages with reportlab and its built-in CID font STSong-Light (no font file):

- tables with ruling lines (GRID) or without any;
- long tables split over pages, the header rows repeated on the next page (`repeatRows`), and a
  page footer on every page ("— 5 —", "- 5 -", "第 5 页");
- merged header cells (SPAN) and vertical one-character-per-line headers ("结/果/纠/正");
- the title set in large type, sometimes on two lines (issuing body / year and report name), the
  PDF's Title info set or not, and the signature date printed or not (then no published_on).

reportlab is a test dependency (the `test` extra); the parser never imports this module.
"""
from __future__ import annotations

import io
import random
from dataclasses import replace

from lxml import etree

from . import generate as gen

_FILLER = (
    "坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻党的二十大精神，认真落实政务公开工作要点，"
    "持续深化政务公开标准化规范化建设，不断提升政务公开质量和实效，切实保障人民群众的知情权、参与权、表达权和监督权。",
    "进一步健全政务公开工作机制，明确分管领导和具体工作人员，完善信息发布审核制度，严格落实保密审查，"
    "做到先审后发、应公开尽公开，确保发布信息内容准确、格式规范、更新及时。",
    "围绕群众关注关切，加大重点领域信息公开力度，及时发布涉及群众切身利益的政策文件和工作动态，"
    "做好政策解读和回应关切，通过图文、音视频等多种形式解读政策，增强政策解读的针对性和实效性。",
    "加强政府网站和政务新媒体建设管理，定期开展内容检查和安全巡查，及时整改发现的问题，"
    "优化栏目设置，提升用户体验，推动政务公开平台与政务服务平台融合发展。",
    "强化政务公开培训和业务指导，组织开展专题培训，提高工作人员的业务能力和责任意识，"
    "将政务公开工作纳入绩效考核，定期通报工作情况，推动各项任务落到实处。",
)

FOOTERS = ("— {n} —", "- {n} -", "第 {n} 页", "第{n}页 共{total}页")
_FONT = "STSong-Light"


def _register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if _FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(_FONT))


def _cell_text(td) -> tuple[str, bool]:
    """A cell's text, and whether it is a vertical header (one character per <p>)."""
    paras = [("".join(p.itertext())).replace("\xa0", " ").strip() for p in td.iter("p")]
    paras = [p for p in paras if p]
    if len(paras) > 1 and all(len(p) == 1 for p in paras):
        return "".join(paras), True
    text = "".join(td.itertext()).replace("\xa0", " ")
    return " ".join(text.split()), False


def _table_cells(table) -> tuple[list[list[str]], list[tuple[int, int, int, int]], list[tuple[int, int]]]:
    """HTML table → (grid of texts, SPAN commands as (c0, r0, c1, r1), vertical cells (c, r))."""
    grid: dict[tuple[int, int], str] = {}
    spans, verticals = [], []
    taken: set[tuple[int, int]] = set()
    n_cols = 0
    rows = table.findall(".//tr")
    for r, tr in enumerate(rows):
        c = 0
        for td in tr.findall("td"):
            while (r, c) in taken:
                c += 1
            rs, cs = int(td.get("rowspan", 1)), int(td.get("colspan", 1))
            text, vertical = _cell_text(td)
            grid[(r, c)] = text
            for dr in range(rs):
                for dc in range(cs):
                    taken.add((r + dr, c + dc))
            if rs > 1 or cs > 1:
                spans.append((c, r, c + cs - 1, r + rs - 1))
            if vertical:
                verticals.append((c, r))
            c += cs
            n_cols = max(n_cols, c)
    data = [[grid.get((r, c), "") for c in range(n_cols)] for r in range(len(rows))]
    return data, spans, verticals


def _is_value(text: str) -> bool:
    t = text.strip().replace(",", "")
    return bool(t) and (t.lstrip("+-").replace(".", "", 1).isdigit() or t in gen.PLACEHOLDERS)


def _blocks(markup: str) -> list[tuple[str, object]]:
    """The report body of the generated HTML, in order: ("p", text) and ("table", cells)."""
    root = etree.fromstring(markup.encode("utf-8"), etree.HTMLParser(encoding="utf-8"))
    body = root.xpath("//div[@id='zoom']")[0]
    out: list[tuple[str, object]] = []
    for el in body.iter("p", "h3", "table"):
        if next(el.iterancestors("table"), None) is not None:
            continue
        if el.tag == "table":
            out.append(("table", _table_cells(el)))
        else:
            text = " ".join("".join(el.itertext()).replace("\xa0", " ").split())
            if text:
                out.append(("p", text))
    return out


def render_pdf(g: gen.Generated, rng: random.Random, *, ruled: bool = True, footer: str | None = None,
               split_title: bool | None = None, title_info: bool | None = None, dated: bool | None = None,
               font_size: float | None = None, body_size: float | None = None,
               extra_paragraphs: int = 0) -> gen.Generated:
    """Lay out one generated HTML report as a PDF; return it with `data`, `filename` and
    `expected` (published_on is None when no date is printed) for the PDF."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    _register_font()
    footer = footer or rng.choice(FOOTERS)
    split_title = rng.random() < 0.5 if split_title is None else split_title
    title_info = rng.random() < 0.5 if title_info is None else title_info
    dated = rng.random() < 0.7 if dated is None else dated
    size = font_size or rng.choice((10.5, 11, 12))          # tables
    text_size = body_size or size                              # prose (16 pt over 28 pt in many reports)
    report = g.expected["report"]
    body = ParagraphStyle("body", fontName=_FONT, fontSize=text_size, leading=text_size * 1.6,
                          firstLineIndent=2 * text_size,
                          wordWrap="CJK")
    title_style = ParagraphStyle("title", fontName=_FONT, fontSize=text_size * 1.6, leading=text_size * 2.2, alignment=1,
                                 wordWrap="CJK")
    cell = ParagraphStyle("cell", fontName=_FONT, fontSize=size * 0.8, leading=size * 1.0, alignment=1,
                          wordWrap="CJK")
    label = ParagraphStyle("label", parent=cell, alignment=0)

    markup = g.data.decode("utf-8")
    story = []
    title = report["title"]
    agency = report["agency"]
    if split_title and title.startswith(agency):
        story += [Paragraph(agency, title_style), Paragraph(title[len(agency):], title_style)]
    else:
        story.append(Paragraph(title, title_style))
    story.append(Spacer(1, size))
    width = A4[0] - 50 * mm
    blocks = _blocks(markup)
    if extra_paragraphs:
        # the length of a real report: paragraphs of work description (no figures) after the
        # first section's text and before section 五's
        at = [i for i, (k, c) in enumerate(blocks) if k == "p" and c.startswith(("二、", "六、"))]
        for i in reversed(at):
            blocks[i:i] = [("p", _FILLER[(i + n) % len(_FILLER)]) for n in range(extra_paragraphs)]
    for kind, content in blocks:
        if kind == "p":
            if content == agency:
                continue                      # the HTML's closing line; the signature follows below
            story.append(Paragraph(content, body))
            continue
        data, spans, verticals = content
        n_cols = len(data[0])
        vertical_at = set(verticals)
        # table 3's header rows (above 一、本年新收…) repeat on every page it runs over
        header_rows = next((r for r, row in enumerate(data) if any("本年新收" in c for c in row)), 0)
        cells = []
        for r, row in enumerate(data):
            out = []
            for c, text in enumerate(row):
                if (c, r) in vertical_at:
                    out.append(Paragraph("<br/>".join(text), cell))
                elif not text:
                    out.append("")
                else:
                    out.append(Paragraph(text, label if r >= header_rows and not _is_value(text) else cell))
            cells.append(out)
        if n_cols >= 15:
            widths = [width / n_cols] * n_cols
        elif n_cols >= 7:
            n_values = 8 if any("小计" in c for row in data[:header_rows] for c in row) else 7
            label_cols = max(1, n_cols - n_values)
            shares = {1: [0.46], 2: [0.14, 0.32], 3: [0.06, 0.12, 0.28]}.get(label_cols, [0.46 / label_cols] * label_cols)
            widths = [width * f for f in shares] + [width * 0.54 / (n_cols - label_cols)] * (n_cols - label_cols)
        else:
            widths = [width * 0.4] + [width * 0.6 / (n_cols - 1)] * (n_cols - 1) if n_cols > 1 else [width]
        style = [("FONTNAME", (0, 0), (-1, -1), _FONT), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                 ("FONTSIZE", (0, 0), (-1, -1), size * 0.85)]
        if ruled:
            style.append(("GRID", (0, 0), (-1, -1), 0.5, colors.black))
        style += [("SPAN", (c0, r0), (c1, r1)) for c0, r0, c1, r1 in spans]
        story.append(Table(cells, colWidths=widths, style=TableStyle(style), repeatRows=header_rows))
        story.append(Spacer(1, size * rng.choice((0.5, 1, 2))))
    story.append(Paragraph(agency, ParagraphStyle("sign", parent=body, alignment=2)))
    published = report.get("published_on")
    if dated and published:
        y, m, d = (int(x) for x in published.split("-"))
        story.append(Paragraph(f"{y}年{m}月{d}日", ParagraphStyle("date", parent=body, alignment=2)))

    pages = {"total": 0}

    def on_page(canvas, doc):
        canvas.saveState()
        canvas.setFont(_FONT, 9)
        text = footer.format(n=doc.page, total="{total}")
        canvas.drawCentredString(A4[0] / 2, 12 * mm, text.replace("{total}", "9"))
        canvas.restoreState()

    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=25 * mm, rightMargin=25 * mm, topMargin=22 * mm,
                            bottomMargin=22 * mm, title=title if title_info else "", author="", subject="",
                            creator="gongkai generate_pdf")
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    expected = {**g.expected, "report": {**report, "published_on": published if dated else None}}
    options = {**g.options, "layout": "pdf", "ruled": ruled, "footer": footer, "split_title": split_title,
               "title_info": title_info, "dated": dated, "font_size": size, "body_size": text_size}
    return replace(g, data=buf.getvalue(), filename=g.filename.rsplit(".", 1)[0] + ".pdf", expected=expected,
                   options=options, text=markup)


def generate_legacy_pdf(rng: random.Random, *, ruled: bool = True, **kw) -> gen.Generated:
    """One generated legacy report (narrative + 统计表, `ingest.generate.generate_legacy`) as a PDF (keyword
    arguments as generate_legacy, plus the PDF options of `render_pdf`)."""
    pdf_kw = {k: kw.pop(k) for k in ("footer", "split_title", "title_info", "dated", "font_size", "body_size",
                                          "extra_paragraphs") if k in kw}
    g = gen.generate_legacy(rng, layout="html", **kw)
    return render_pdf(g, rng, ruled=ruled, **pdf_kw)


def generate_pdf(rng: random.Random, *, template: str = "2021", ruled: bool = True, **kw) -> gen.Generated:
    """One generated report as a PDF (keyword arguments as `ingest.generate.generate`, plus the
    PDF options of `render_pdf`)."""
    pdf_kw = {k: kw.pop(k) for k in ("footer", "split_title", "title_info", "dated", "font_size", "body_size",
                                          "extra_paragraphs") if k in kw}
    g = gen.generate(rng, template=template, layout="html", script="simplified", encoding="utf-8", **kw)
    return render_pdf(g, rng, ruled=ruled, **pdf_kw)
