"""Table reader edge cases seen in generated corpora, as small hand-written inputs."""
from __future__ import annotations

from ingest.parse import parse_bytes

HEADER = " \t \t \t 自然人 \t 法人或其他组织 \t \t \t \t \t 总计 \n \t \t \t \t 商业企业 \t 科研机构 \t 社会公益组织 \t 法律服务机构 \t 其他 \t \n"


def _report(table3_rows: str, table4: str = "") -> bytes:
    return ("某某县人民政府2021年政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n" + HEADER + table3_rows
            + "四、政府信息公开行政复议、行政诉讼情况\n" + table4 + "五、存在的主要问题及改进情况\n无。\n").encode()


def test_repeated_header_before_the_last_rows_is_not_read_as_rows():
    rows = ("一、本年新收政府信息公开申请数量 \t \t \t 3 \t 0 \t 0 \t 0 \t 0 \t 0 \t 3\n"
            "三、本年度办理结果 \t (六)其他处理 \t 2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请 \t 0 \t 0 \t 0 \t 0 \t 0 \t 0 \t 0\n"
            + HEADER +   # a page break repeats the header, which also says 其他 and 总计
            "三、本年度办理结果 \t (六)其他处理 \t 3.其他 \t 1 \t 0 \t 0 \t 0 \t 0 \t 0 \t 1\n"
            "三、本年度办理结果 \t (七)总计 \t \t 3 \t 0 \t 0 \t 0 \t 0 \t 0 \t 3\n")
    rec = parse_bytes(_report(rows), "r.txt").record
    assert rec["applications"]["other_other"] == dict(zip(
        ("natural_person", "commercial", "research", "public_interest", "legal_services", "other_org", "total"),
        (1, 0, 0, 0, 0, 0, 1)))
    assert rec["applications"]["total_processed"]["total"] == 3
    assert not [w for w in rec["warnings"] if w["code"] in ("cells_missing", "extra_cells")]


def test_table4_row_of_placeholders_and_blanks_is_read_as_such():
    t4 = (" 行政复议 \t \t \t \t \t 行政诉讼\n 结果维持 \t 结果纠正 \t 其他结果 \t 尚未审结 \t 总计 \t 未经复议直接起诉 \t \t \t \t \t 复议后起诉\n"
          " \t \t \t \t \t 结果维持 \t 结果纠正 \t 其他结果 \t 尚未审结 \t 总计 \t 结果维持 \t 结果纠正 \t 其他结果 \t 尚未审结 \t 总计\n"
          " - \t \t - \t - \t - \t / \t \t \t \t \t \t \t - \t - \t -\n")
    rec = parse_bytes(_report("一、本年新收政府信息公开申请数量 \t \t \t 0 \t 0 \t 0 \t 0 \t 0 \t 0 \t 0\n", t4), "r.txt").record
    review = [c for c in rec["cells"] if c["table"] == "reviews_litigation"]
    assert len(review) == 15 and all(c["value"] is None for c in review)
    assert [c["kind"] for c in review[:6]] == ["placeholder", "blank", "placeholder", "placeholder", "placeholder",
                                               "placeholder"]
    assert not [w for w in rec["warnings"] if w["code"] == "cells_missing" and "表四" in w["message"]]
