"""ingest/site/xlsx.py: what the xlsx downloads keep, read back with openpyxl and pandas."""
import io

import openpyxl
import pandas

from ingest.site import xlsx


def _book(sheets):
    return openpyxl.load_workbook(io.BytesIO(xlsx.workbook(sheets)))


def test_values_keep_their_types_and_text_its_characters():
    rows = [[1, 2.5, "予以公开 & <b>", None, True, 10 ** 12, "  前后空格  "],
            [0, -3.0, "一\x01二\ud800三", "", False, -7, "换\n行"]]
    book = _book([("数据", ["整数", "小数", "文字", "空", "是否", "大数", "空格"], rows)])
    got = list(book["数据"].iter_rows(values_only=True))
    assert got[0] == ("整数", "小数", "文字", "空", "是否", "大数", "空格")
    assert got[1] == (1, 2.5, "予以公开 & <b>", None, True, 10 ** 12, "  前后空格  ")
    # control characters and lone surrogates cannot be stored in XML: dropped, the rest kept
    assert got[2] == (0, -3.0, "一二三", None, False, -7, "换\n行")
    assert book["数据"]["A1"].font.b and not book["数据"]["A2"].font.b
    assert book["数据"].freeze_panes == "A2"


def test_a_text_over_excels_cell_limit_is_cut_with_a_note():
    long = "字" * 40_000
    book = _book([("数据", ["正文"], [[long]])])
    value = book["数据"]["A2"].value
    assert len(value) == xlsx.MAX_CELL_CHARS and value.endswith(xlsx.TRUNCATED_NOTE)
    assert value.startswith("字" * 1000)


def test_several_sheets_in_order_and_pandas_reads_them():
    data = xlsx.workbook([("数据", ["年度", "报告数"], [[2020, 3], [2021, None]]),
                          ("列说明", ["列名", "键"], [["年度", "year"]])])
    frames = pandas.read_excel(io.BytesIO(data), sheet_name=None)
    assert list(frames) == ["数据", "列说明"]
    assert frames["数据"]["年度"].tolist() == [2020, 2021]
    assert frames["列说明"].values.tolist() == [["年度", "year"]]


def test_rows_may_be_a_generator():
    book = _book([("数据", ["n"], ([i] for i in range(3)))])
    assert [r[0] for r in book["数据"].iter_rows(min_row=2, values_only=True)] == [0, 1, 2]
