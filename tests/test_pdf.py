"""PDF input: generated reports parsed back exactly, the real PDF of the corpus cell by cell, and
damaged PDFs that give a record with the right warning (never a crash)."""
from __future__ import annotations

import io
import random
import re
from pathlib import Path

import pytest

from ingest import forms
from ingest.parse import parse_bytes, parse_file

FIXTURES = Path(__file__).parent / "fixtures"
HONGZEQU = FIXTURES / "hongzequ_2023.pdf"

pytest.importorskip("reportlab")
from ingest.generate_pdf import generate_pdf  # noqa: E402


def _codes(record):
    return [w["code"] for w in record["warnings"]]


def _assert_exact(record, expected):
    rep = record["report"]
    assert rep["title"] == expected["report"]["title"]
    assert rep["year"] == expected["report"]["year"]
    assert rep["template"] == expected["report"]["template"]
    assert rep["published_on"] == expected["report"]["published_on"]
    assert rep["agency"].endswith(expected["report"]["agency"])     # meta puts the city before a district
    assert record["applications"] == expected["applications"]
    assert record["reviews_litigation"] == expected["reviews_litigation"]
    got = {i["item_key"]: i["values"] for i in record["active_disclosure"]}
    for item in expected["active_disclosure"]:
        for metric, value in item["values"].items():
            g = got[item["item_key"]][metric]
            assert (g is None) == (value is None) and (g is None or float(g) == float(value)), (item, metric, g)


# (seed, template, ruled): 2019 and 2021 forms, with and without ruling lines, blank and
# placeholder cells, tables split over pages with repeated headers and footers, merged header
# cells, vertical headers, two-line titles, 小计 columns and rows
CASES = [(seed, template, ruled) for seed in range(12) for template in ("2019", "2021") for ruled in (True, False)]
SEEN: dict[str, set] = {}


@pytest.mark.parametrize("seed,template,ruled", CASES)
def test_generated_pdf_parsed_exactly(seed, template, ruled):
    g = generate_pdf(random.Random(seed), template=template, ruled=ruled)
    parsed = parse_bytes(g.data, g.filename)
    record = parsed.record
    assert record["source"]["format"] == "pdf" and record["source"]["pages"] >= 2
    _assert_exact(record, g.expected)
    assert "\f" in parsed.text.split("\n")                   # page breaks are kept in the text
    numbers = [c for c in record["cells"] if c["kind"] == "number"]
    assert numbers and all(c["page"] >= 1 and len(c["bbox"]) == 4 for c in numbers)
    # what the case covered (checked by test_generated_pdf_coverage)
    t3_pages = {c["page"] for c in record["cells"] if c["table"] == "applications" and c["page"]}
    SEEN.setdefault("split_table3", set()).add(len(t3_pages) > 1)
    SEEN.setdefault("blank", set()).add(any(c["kind"] == "blank" for c in record["cells"]))
    SEEN.setdefault("placeholder", set()).add(any(c["kind"] == "placeholder" for c in record["cells"]))
    SEEN.setdefault("footer", set()).add(g.options["footer"].split("{")[0])
    SEEN.setdefault("subtotals", set()).add(g.options["subtotal_col"] or g.options["subtotal_rows"])
    SEEN.setdefault("split_title", set()).add(g.options["split_title"])
    SEEN.setdefault("vertical", set()).add(bool(re.search(r"<p[^>]*>结</p><p[^>]*>果</p>", g.text)))


def test_generated_pdf_coverage():
    """The cases above include every layout feature (and its absence)."""
    if len(SEEN.get("blank", ())) == 0:
        pytest.skip("run with the generated cases")
    for feature in ("split_table3", "blank", "placeholder", "subtotals", "split_title", "vertical"):
        assert SEEN[feature] == {True, False}, feature
    assert SEEN["footer"] == {"— ", "- ", "第 ", "第"}


def test_generated_pdf_cells_point_at_their_characters():
    import pypdfium2 as pdfium

    g = generate_pdf(random.Random(31), template="2021", ruled=True)
    record = parse_bytes(g.data, g.filename).record
    doc = pdfium.PdfDocument(g.data)
    for c in [c for c in record["cells"] if c["kind"] == "number"][:40]:
        left, bottom, right, top = c["bbox"]
        text = doc[c["page"] - 1].get_textpage().get_text_bounded(left - 0.5, bottom - 0.5, right + 0.5, top + 0.5)
        assert text.replace(" ", "").replace(",", "") == c["printed"].replace(",", "")


def test_vertical_header_and_merged_headers_keep_columns():
    g = generate_pdf(random.Random(41), template="2021", ruled=True)
    text = parse_bytes(g.data, g.filename).text
    assert "结果维持" in text.replace(" ", "").replace("\t", "")


# ----------------------------------------------------------------------------------------------
# The real PDF of the development corpus (read by eye from its rendered pages)
# ----------------------------------------------------------------------------------------------

def test_hongzequ_2023_metadata():
    record = parse_file(str(HONGZEQU)).record
    assert record["source"]["format"] == "pdf" and record["source"]["pages"] == 5
    assert record["source"]["sha256"] == "94a211353fb046b7c869cbb236078deb4d1f7085bd0c2b0dbf85051ec831698c"
    assert record["report"] == {
        "title": "洪泽区人民政府2023年政府信息公开工作年度报告", "agency": "淮安市洪泽区人民政府",
        "agency_kind": "government", "year": 2023, "published_on": None, "template": "2021",
        "region": {"adcode": "320813", "province": "江苏省", "city": "淮安市", "county": "洪泽区"}}


def test_hongzequ_2023_tables():
    record = parse_file(str(HONGZEQU)).record
    active = {i["item_key"]: i["values"] for i in record["active_disclosure"]}
    assert active["regulations"] == {"issued": 0, "repealed": 0, "in_force": 0}
    assert active["normative_documents"] == {"issued": 0, "repealed": 5, "in_force": 5}
    assert active["licensing"] == {"decisions": 550}
    assert active["penalties"] == {"decisions": 4119}
    assert active["enforcement"] == {"decisions": 195}
    assert str(active["fees"]["amount_yuan"]) == "77302800"          # 7730.28 万元
    zero = [0] * 7
    apps = {k: list(v.values()) for k, v in record["applications"].items()}
    assert apps == {
        "new_received": [21, 0, 0, 0, 0, 0, 21], "carried_over": zero, "granted": zero,
        "partly_granted": [4, 0, 0, 0, 0, 0, 4], "denied_state_secret": [1, 0, 0, 0, 0, 0, 1],
        # printed "2.其他法律行政止公开" (sic, 法规禁 missing): its ordinal and most of the form's label in
        # order, and no other row of （三）不予公开 fits it: read, with a warning naming the printed label
        "denied_prohibited_by_law": zero,
        "denied_three_safeties": zero, "denied_third_party": zero, "denied_internal_affairs": zero,
        "denied_process_info": [1, 0, 0, 0, 0, 0, 1], "denied_enforcement_file": [1, 0, 0, 0, 0, 0, 1],
        "denied_admin_query": zero, "unable_not_held": [10, 0, 0, 0, 0, 0, 10],
        "unable_needs_creation": [3, 0, 0, 0, 0, 0, 3], "unable_unclear": zero,
        "rejected_petition": [1, 0, 0, 0, 0, 0, 1], "rejected_duplicate": zero, "rejected_publication": zero,
        "rejected_mass_repeat": zero, "rejected_confirmation": zero,
        "other": zero,                                   # the 2019 form's single （六）其他处理 row
        "total_processed": [21, 0, 0, 0, 0, 0, 21], "carried_forward": zero,
    }
    # table 4 prints totals 0 although the parts are 10/1/0/0 and 5/0/0/0: kept as printed
    assert record["reviews_litigation"] == {
        "review": {"upheld": 10, "corrected": 1, "other": 0, "pending": 0, "total": 0},
        "litigation_direct": {"upheld": 0, "corrected": 0, "other": 0, "pending": 0, "total": 0},
        "litigation_after_review": {"upheld": 5, "corrected": 0, "other": 0, "pending": 0, "total": 0}}
    assert [(w["code"], w["message"]) for w in record["warnings"]] == [(
        "row_label_misprinted", "表三印的行名“2.其他法律行政止公开”与表格的行名不完全一致，按“2.其他法律行政法规禁止公开”读取"
                                "（同一组内只有这一行的名称相符，序号也相同）")]
    cells = {(c["table"], c["row"], c["col"]): c for c in record["cells"]}
    assert cells[("applications", "denied_prohibited_by_law", "natural_person")]["page"] == 3
    assert cells[("applications", "new_received", "total")]["page"] == 3
    assert cells[("applications", "total_processed", "natural_person")]["page"] == 4   # table stitched over pages
    assert cells[("reviews_litigation", "review", "upheld")]["page"] == 4
    x0, y0, x1, y1 = cells[("applications", "new_received", "natural_person")]["bbox"]
    assert 300 < x0 < x1 < 345 and y0 < y1                     # the 自然人 column, in PDF points


# ----------------------------------------------------------------------------------------------
# Damaged PDFs
# ----------------------------------------------------------------------------------------------

def _reportlab_pdf(draw, **kw) -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, **kw)
    draw(c)
    c.showPage()
    c.save()
    return buf.getvalue()


def test_truncated_pdf_reads_what_it_can():
    """The cut file lost its cross-reference stream and trailer: the pages whose objects are left
    are read (pages 1-2: the title), the others are named."""
    data = HONGZEQU.read_bytes()
    record = parse_bytes(data[: len(data) * 9 // 10], "cut.pdf").record
    (w,) = [w for w in record["warnings"] if w["code"] == "pdf_damaged"]
    assert "第3页、第4页、第5页无法读取" in w["message"]
    assert record["source"]["format"] == "pdf" and record["source"]["pages"] == 5
    assert record["report"]["title"] == "洪泽区人民政府2023年政府信息公开工作年度报告"
    assert record["applications"] is None                  # table 3 is on the lost pages


def test_truncated_pdf_without_fonts_is_garbled_not_guessed():
    data = HONGZEQU.read_bytes()
    record = parse_bytes(data[: len(data) // 2], "cut.pdf").record
    assert {"pdf_damaged", "pdf_text_garbled"} <= set(_codes(record))
    assert record["cells"] == [] and record["facts"] == []


def test_pdf_with_damaged_header_is_still_a_pdf():
    data = bytearray(HONGZEQU.read_bytes())
    data[:8] = b"\x00garbage"
    record = parse_bytes(bytes(data), "report.pdf").record
    assert record["source"]["format"] == "pdf" and _codes(record)[0] == "pdf_damaged"
    assert not any(c in _codes(record) for c in ("mojibake_line", "not_text"))


def test_garbage_after_pdf_magic_is_damaged():
    record = parse_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 10, "junk.pdf").record
    assert _codes(record)[0] == "pdf_damaged"
    assert record["applications"] is None and record["cells"] == []


def test_encrypted_pdf():
    from reportlab.lib import pdfencrypt

    enc = pdfencrypt.StandardEncryption("secret", canPrint=0)
    data = _reportlab_pdf(lambda c: c.drawString(100, 700, "2023"), encrypt=enc)
    record = parse_bytes(data, "locked.pdf").record
    assert "pdf_encrypted" in _codes(record)


def test_scanned_page_has_no_text_layer():
    from reportlab.lib.utils import ImageReader
    from PIL import Image

    img = Image.new("RGB", (60, 60), "white")
    data = _reportlab_pdf(lambda c: c.drawImage(ImageReader(img), 100, 500, 200, 200))
    record = parse_bytes(data, "scan.pdf").record
    (w,) = [w for w in record["warnings"] if w["code"] == "pdf_no_text_layer"]
    assert "第1页" in w["message"] and "图像" in w["message"] and "OCR" in w["message"]


def test_garbled_font_gives_no_numbers():
    """A font without a ToUnicode map: PDFium reports unmapped characters; the page is skipped."""
    data = HONGZEQU.read_bytes()
    garbled = data.replace(b"/ToUnicode", b"/ToUnicodX")
    record = parse_bytes(garbled, "garbled.pdf").record
    codes = _codes(record)
    assert "pdf_text_garbled" in codes
    assert all(c["value"] is None for c in record["cells"])


def test_empty_and_misnamed_files():
    assert _codes(parse_bytes(b"", "empty.pdf").record)[0] == "empty_file"
    record = parse_bytes(HONGZEQU.read_bytes(), "report.txt").record
    assert record["source"]["format"] == "pdf" and record["applications"]["new_received"]["total"] == 21


@pytest.mark.parametrize("data,name,label", [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "report.doc", "doc"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "report.wps", "doc"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "scan.png", "image"),
    (b"\xff\xd8\xff\xe0" + b"\0" * 100, "scan.jpg", "image"),
    (b"Rar!\x1a\x07\x00" + b"\0" * 100, "reports.rar", "archive"),
])
def test_unsupported_formats_name_the_file(data, name, label):
    record = parse_bytes(data, f"/x/{name}").record
    (w,) = record["warnings"]
    assert w["code"] == "unsupported_format" and name in w["message"]
    assert record["source"]["format"] == label


def test_zip_archive_is_unsupported():
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a.txt", "x")
    record = parse_bytes(buf.getvalue(), "bundle.zip").record
    assert _codes(record) == ["unsupported_format"] and "bundle.zip" in record["warnings"][0]["message"]


# ----------------------------------------------------------------------------------------------
# Database and report page
# ----------------------------------------------------------------------------------------------

def test_pdf_in_database_and_report_page(tmp_path):
    """cells.page/bbox and reports.pages are loaded; the report page's cell tooltips say 第N页 and
    its source text shows the page breaks. (The build's file scan does not collect .pdf yet, so
    the PDF goes in under a .txt name: it is recognised by its bytes.)"""
    import asyncio
    import json
    import sqlite3

    from ingest.database.build import build
    from ingest.site.serve import make_datasette

    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "hongzequ_2023.txt").write_bytes(HONGZEQU.read_bytes())
    db = tmp_path / "gongkai.db"
    build([folder], db, workers=1, progress=False)
    conn = sqlite3.connect(db)
    rid, fmt, pages = conn.execute("select id, format, pages from reports").fetchone()
    assert (fmt, pages) == ("pdf", 5)
    page, bbox = conn.execute("select page, bbox from cells where report_id = ? and table_name = 'applications' "
                              "and row_key = 'total_processed' and col_key = 'total'", [rid]).fetchone()
    assert page == 4 and len(json.loads(bbox)) == 4
    conn.close()

    ds = make_datasette(db)
    loop = asyncio.new_event_loop()
    try:
        html = loop.run_until_complete(ds.client.get(f"/reports/{rid}")).text
    finally:
        loop.close()
    assert "第3页" in html and "第4页" in html           # cell tooltips
    assert "—— 第2页 ——" in html and "—— 第5页 ——" in html     # page breaks in the source text


def test_scanned_page_among_text_pages_is_named():
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas
    from PIL import Image

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setFont("STSong-Light", 16)
    c.drawString(100, 750, "某某县人民政府2022年政府信息公开工作年度报告")
    c.showPage()
    c.drawImage(ImageReader(Image.new("RGB", (40, 40), "white")), 100, 500, 300, 300)
    c.showPage()
    c.setFont("STSong-Light", 12)
    c.drawString(100, 750, "六、其他需要报告的事项")
    c.showPage()
    c.save()
    record = parse_bytes(buf.getvalue(), "mixed.pdf").record
    (w,) = [w for w in record["warnings"] if w["code"] == "pdf_no_text_layer"]
    assert "第2页" in w["message"] and "第1页" not in w["message"] and "第3页" not in w["message"]
    assert record["report"]["title"] == "某某县人民政府2022年政府信息公开工作年度报告"
    assert record["source"]["pages"] == 3


def test_cli_parses_a_pdf_whatever_its_name(tmp_path):
    import json
    import subprocess
    import sys

    target = tmp_path / "报告.txt"
    target.write_bytes(HONGZEQU.read_bytes())
    out = subprocess.run([sys.executable, "-m", "ingest", "parse", str(target)], capture_output=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent)
    record = json.loads(out.stdout.decode("utf-8"))
    assert record["source"]["format"] == "pdf"
    assert record["applications"]["total_processed"]["total"] == 21
    assert {c["page"] for c in record["cells"] if c["table"] == "reviews_litigation"} == {4}


@pytest.mark.parametrize("seed,ruled", [(seed, ruled) for seed in range(8) for ruled in (True, False)])
def test_generated_legacy_pdf_parsed_exactly(seed, ruled):
    """A legacy report (narrative + 统计表 with its 计量单位 column of one-character units, which is not a
    vertical header) laid out as a PDF: every item, this year and cumulative, and the prose figures."""
    from ingest.generate_pdf import generate_legacy_pdf
    g = generate_legacy_pdf(random.Random(seed), ruled=ruled)
    record = parse_bytes(g.data, g.filename).record
    rep = record["report"]
    assert record["source"]["format"] == "pdf"
    assert (rep["title"], rep["year"], rep["template"], rep["published_on"]) == \
        tuple(g.expected["report"][k] for k in ("title", "year", "template", "published_on"))
    assert [(r["key"], r["label"], r["value"], r["cumulative"]) for r in record["legacy_stats"]] == \
        g.expected["legacy_stats"]
    assert all(r["page"] >= 1 and r["unit"] == forms.LEGACY_ITEM_BY_KEY[r["key"]].unit for r in record["legacy_stats"])
    facts = {f["metric"]: f["value"] for f in record["facts"]}
    stats = {k: y for k, _l, y, _c in g.expected["legacy_stats"]}
    assert (facts["applications_received"], facts["applications_granted"]) == \
        (stats["applications_received"], stats["answer_granted"])
    assert not [w for w in record["warnings"] if w["code"].startswith("cells_") or w["code"] == "legacy_item_unknown"]
