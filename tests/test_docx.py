"""Word .docx reports: read through word/document.xml, tables as grids (gridSpan, vMerge)."""
from __future__ import annotations

import io
import random
import zipfile
from xml.sax.saxutils import escape

from lxml import etree

from ingest import generate as gen
from ingest.parse import parse_bytes
from ingest.readers.docx import MAX_XML

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _p(text: str) -> str:
    return f'<w:p><w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'


def _tc(text: str, span: int = 1, vmerge: str | None = None) -> str:
    props = ""
    if span > 1:
        props += f'<w:gridSpan w:val="{span}"/>'
    if vmerge == "restart":
        props += '<w:vMerge w:val="restart"/>'
    elif vmerge == "continue":
        props += "<w:vMerge/>"
    # vertical headers: one paragraph per character
    paras = "".join(_p(ch) for ch in text) if text and len(text) <= 6 and vmerge == "restart" else _p(text)
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{paras}</w:tc>"


def _docx_from_html(markup: str) -> bytes:
    """The generator's HTML report rewritten as a Word body (rowspan → vMerge, colspan → gridSpan)."""
    root = etree.fromstring(markup.encode("utf-8"), etree.HTMLParser(encoding="utf-8"))
    body = root.xpath("//div[@id='zoom']")[0]
    title = root.xpath("//h1")[0].xpath("string()")
    parts = [_p(title)]
    for el in body.iter("p", "h3", "table"):
        if next(el.iterancestors("table"), None) is not None:
            continue
        if el.tag != "table":
            text = " ".join(el.xpath("string()").replace("\xa0", " ").split())
            if text:
                parts.append(_p(text))
            continue
        pending: dict[int, int] = {}
        rows = []
        for tr in el.iter("tr"):
            cells, col = [], 0
            for td in tr.findall("td"):
                while pending.get(col, 0) > 0:
                    cells.append(_tc("", 1, "continue"))
                    pending[col] -= 1
                    col += 1
                rs, cs = int(td.get("rowspan", 1)), int(td.get("colspan", 1))
                text = " ".join("".join(td.itertext()).replace("\xa0", " ").split())
                cells.append(_tc(text, cs, "restart" if rs > 1 else None))
                if rs > 1:
                    pending[col] = rs - 1
                col += cs
            while pending.get(col, 0) > 0:
                cells.append(_tc("", 1, "continue"))
                pending[col] -= 1
                col += 1
            rows.append("<w:tr>" + "".join(cells) + "</w:tr>")
        parts.append("<w:tbl>" + "".join(rows) + "</w:tbl>")
    xml = f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W}"><w:body>{"".join(parts)}</w:body></w:document>'
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", xml)
    return buf.getvalue()


def test_generated_docx_parsed_exactly():
    for seed in (3, 11, 12):
        for template in ("2019", "2021"):
            g = gen.generate(random.Random(seed), template=template, layout="html", encoding="utf-8")
            data = _docx_from_html(g.data.decode("utf-8"))
            record = parse_bytes(data, "report.wps.txt").record        # recognised by its bytes
            assert record["source"]["format"] == "docx"
            assert record["report"]["title"] == g.expected["report"]["title"]
            assert record["report"]["year"] == g.expected["report"]["year"]
            assert record["applications"] == g.expected["applications"], (seed, template)
            assert record["reviews_litigation"] == g.expected["reviews_litigation"]
            got = {i["item_key"]: i["values"] for i in record["active_disclosure"]}
            for item in g.expected["active_disclosure"]:
                for metric, value in item["values"].items():
                    v = got[item["item_key"]][metric]
                    assert (v is None) == (value is None) and (v is None or float(v) == float(value))
            assert all(c["page"] is None and c["bbox"] is None for c in record["cells"])


def test_zip_bomb_is_not_read():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", b"<" + b" " * (MAX_XML + 10))
    record = parse_bytes(buf.getvalue(), "bomb.docx").record
    assert [w["code"] for w in record["warnings"]][0] == "file_too_large"


def test_damaged_docx():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/document.xml", "<w:document><w:body>")
    record = parse_bytes(buf.getvalue(), "bad.docx").record
    assert record["warnings"][0]["code"] == "docx_damaged"
