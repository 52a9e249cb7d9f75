"""Report metadata (ingest/parser/meta.py): the issuing body as printed, its place, its region.

Title and header variants are written the way other sites print them; the places are real (cpca
knows them), so each expected agency and adcode can be checked against the national code list.
"""
from __future__ import annotations

import re
import time

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import parse_report
from ingest.parser import meta


def meta_of(*lines: str) -> dict:
    lines = list(lines)
    return meta.find_metadata(lines, "\n".join(lines))


@pytest.mark.parametrize("title,agency,kind,adcode", [
    # the body before the year, printed in full
    ("广州市天河区人民政府办公室2022年政府信息公开工作年度报告", "广州市天河区人民政府办公室", "department", "440106"),
    ("浙江省财政厅2021年度政府信息公开工作年度报告", "浙江省财政厅", "department", "330000"),
    ("郏县人民政府2021年政府信息公开工作年度报告", "郏县人民政府", "government", "410425"),
    ("平潭县公安局2022年政府信息公开工作年度报告", "平潭县公安局", "department", "350128"),
    ("国家税务总局平潭县税务局2022年政府信息公开工作年度报告", "国家税务总局平潭县税务局", "department", "350128"),
    ("【年度报告】郏县人民政府2021年政府信息公开工作年度报告", "郏县人民政府", "government", "410425"),
    ("郏县政务服务和大数据管理局（县政务公开办）2022年政府信息公开工作年度报告",
     "郏县政务服务和大数据管理局", "department", "410425"),
    # the body after the year, or in brackets at the end, or a title without a year
    ("2021年度郏县市场监督管理局政府信息公开工作年度报告", "郏县市场监督管理局", "department", "410425"),
    ("郏县2021年度市场监督管理局政府信息公开工作年度报告", "郏县市场监督管理局", "department", "410425"),
    ("2022年政府信息公开工作年度报告（郏县卫生健康委员会）", "郏县卫生健康委员会", "department", "410425"),
    ("郏县人民政府信息公开工作年度报告（2021年）", "郏县人民政府", "government", "410425"),
    ("2022年郏县政府信息公开工作年度报告", "郏县人民政府", "government", "410425"),
    ("2022年郏县人民政府信息公开工作年度报告", "郏县人民政府", "government", "410425"),
    # wrappers: the report's own title inside, else the body before 关于 (never "关于报送…")
    ("杭州市人民政府办公厅关于印发杭州市2020年政府信息公开工作年度报告的通知", "杭州市人民政府", "government", "330100"),
    ("郏县人民政府办公室关于印发2020年政府信息公开工作年度报告的通知", "郏县人民政府办公室", "department", "410425"),
    ("郏县公安局关于报送2022年政府信息公开工作年度报告的函", "郏县公安局", "department", "410425"),
    ("郏县公安局关于2020年政府信息公开工作年度报告", "郏县公安局", "department", "410425"),
    ("郏县教育体育局关于公布2022年度政府信息公开工作年度报告的公告", "郏县教育体育局", "department", "410425"),
    # as sites print them: spaces, separators, a file name, a site name after the title
    ("郏县 公安局 2022 年政府信息公开工作年度报告", "郏县公安局", "department", "410425"),
    ("郏县公安局 | 2022年政府信息公开工作年度报告", "郏县公安局", "department", "410425"),
    ("郏县公安局：2022年度政府信息公开工作年度报告.pdf", "郏县公安局", "department", "410425"),
    ("郏县公安局2022年政府信息公开工作年度报告_郏县人民政府", "郏县公安局", "department", "410425"),
    ("郏县公安局政府信息公开工作2022年度报告", "郏县公安局", "department", "410425"),
    ("郏县人民政府关于2021年政府信息公开工作年度报告的报告", "郏县人民政府", "government", "410425"),
    ("平顶山市郏县自然资源局2021年政府信息公开工作年度报告", "平顶山市郏县自然资源局", "department", "410425"),
    # place-only titles: the place's government
    ("金东区2020年政府信息公开工作年度报告", "金华市金东区人民政府", "government", "330703"),
    ("平潭综合实验区2023年度政府信息公开工作年度报告", "平潭综合实验区", "government", "350128"),
])
def test_agency_from_title(title, agency, kind, adcode):
    m = meta_of(title)
    assert (m["agency"], m["agency_kind"], m["region"]["adcode"]) == (agency, kind, adcode)


@pytest.mark.parametrize("lines,agency,adcode", [
    # a department printed without its place takes it from the header's publisher field…
    (["公安局2022年政府信息公开工作年度报告", "来源：郏县人民政府"], "郏县公安局", "410425"),
    (["县公安局2022年政府信息公开工作年度报告", "发布机构：郏县公安局"], "郏县公安局", "410425"),
    (["市场监督管理局2022年政府信息公开工作年度报告", "信息来源: 郏县人民政府"], "郏县市场监督管理局", "410425"),
    (["区民政局2022年政府信息公开工作年度报告", "来源：金华市金东区人民政府"], "金华市金东区民政局", "330703"),
    # …from the signature (落款)…
    (["县卫生健康委员会2021年政府信息公开工作年度报告", "正文。", "郏县卫生健康委员会", "2022年1月20日"],
     "郏县卫生健康委员会", "410425"),
    # …or from the report's own text
    (["教育局2022年政府信息公开工作年度报告", "如对本报告有疑问，请与平潭县教育局联系。"], "平潭县教育局", "350128"),
    # a level that does not fit is not taken: 县公安局 is not 福州市's; the region falls back to the
    # site's city (the county is one of 福州市's), never to a county
    (["县公安局2022年政府信息公开工作年度报告", "来源：福州市人民政府"], "县公安局", "350100"),
])
def test_department_without_place(lines, agency, adcode):
    m = meta_of(*lines)
    assert (m["agency"], m["region"]["adcode"]) == (agency, adcode)


def test_publisher_field_naming_another_body_is_not_the_agency():
    """Pingtan 2014: "来源：平潭县人民政府" on the 管委会's report (SOURCES.md)."""
    report = parse_report("pingtan_2014.txt").record["report"]
    assert report["agency"] == "平潭综合实验区管委会"
    assert report["region"]["adcode"] == "350128"
    m = meta_of("平潭综合实验区管委会2014年度政府信息公开工作年度报告", "来源：平潭县人民政府")
    assert m["agency"] == "平潭综合实验区管委会"


def test_place_only_title_signature_office_is_not_the_agency():
    """Seed 003: 洪泽区 title, signed by 洪泽区人民政府办公室 → the district government."""
    report = parse_report("003_4c968f10fc5de52b.txt").record["report"]
    assert (report["agency"], report["region"]["adcode"]) == ("淮安市洪泽区人民政府", "320813")


@pytest.mark.parametrize("name", ["公安局", "县公安局", "市场监督管理局", "住房和城乡建设局", "城市管理局", "区民政局"])
def test_has_no_place(name):
    assert not meta.has_place(name)


@pytest.mark.parametrize("name", ["郏县公安局", "平潭综合实验区管委会", "广州市天河区人民政府办公室", "某某县公安局",
                                  "国家税务总局平潭县税务局"])
def test_has_place(name):
    assert meta.has_place(name)


def test_bare_level_is_not_chongqing():
    """cpca reads "县…" as Chongqing's 县 (500200); a bare level character is no place."""
    assert meta.resolve_region("县公安局") == (None, None, None, None)
    assert meta.resolve_region("重庆市县")[0] == "500200"


@pytest.mark.parametrize("name", ["金华市金东区人民政府", "郏县人民政府", "共青城市政府办公室", "平潭县", "洪泽区政府办",
                                  "广州市番禺区人民政府", "浙江省财政厅", "朝阳区", "鼓楼区人民政府", "公安局", "平潭综合实验区"])
def test_region_lookup_matches_cpca_transform(name):
    """The fast path (cpca's matcher, cached per name) gives what cpca.transform gives."""
    import cpca

    row = cpca.transform([name]).iloc[0]
    adcode = row.get("adcode") if isinstance(row.get("adcode"), str) and row.get("adcode") else None
    assert meta.resolve_region(name)[0] == adcode


# --------------------------------------------------------------------------------------------
# linear time and no crash
# --------------------------------------------------------------------------------------------

_FLOOR = re.compile(r"[。；\n]|\d+")


@pytest.mark.parametrize("line", [
    "来源" + " " * 30000 + "：",          # was 5.9 s (\s*[:：]?\s* backtracking)
    "日期" + " " * 30000 + "x",           # was 5.1 s
    "标题" + " " * 30000,
    "| " * 15000,
    "发布机构" + "1" * 1_000_000,
])
def test_header_fields_linear(line):
    lines = [line, "公安局2022年政府信息公开工作年度报告"]
    text = "\n".join(lines)
    t = time.perf_counter()
    sum(1 for _ in _FLOOR.finditer(text))
    floor = max(time.perf_counter() - t, 1e-4)
    t = time.perf_counter()
    meta.find_metadata(lines, text)
    took = time.perf_counter() - t
    assert took < max(60 * floor, 0.05) and took < 3.0, (took, floor)


_CHARS = st.sampled_from(list("关于印发报送的通知函年度政府信息公开工作年度报告人民政府办公室局委厅县市区省镇乡平潭郏金东"
                              "来源发布机构标题日期：:（）()【】《》 \t|-") +
                         ["\x00", "\x1b", "\u200b", "2022年", "2021年度", "1" * 40, "来源：", "\n"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_CHARS, max_size=120).map("".join))
def test_fuzz_never_crashes(text):
    lines = text.split("\n")
    m = meta.find_metadata(lines, text)
    assert set(m) >= {"title", "agency", "agency_kind", "year", "published_on", "region"}
    meta.title_body(text)
    meta.complete_place(text[:30] or "局", text[:20], {"来源": text[:10]}, text)
    meta.has_place(text)


# --------------------------------------------------------------------------------------------
# titles broken over lines, county names several cities share
# --------------------------------------------------------------------------------------------

def test_title_broken_over_two_lines():
    m = meta_of("郏县公安局", "2022年政府信息公开工作年度报告", "一、总体情况")
    assert (m["agency"], m["agency_kind"], m["region"]["adcode"]) == ("郏县公安局", "department", "410425")
    # a breadcrumb above the title is no body
    m = meta_of("首页 > 信息公开 > 年度报告", "2022年政府信息公开工作年度报告")
    assert m["agency"] is None


@pytest.mark.parametrize("lines,agency,adcode", [
    (["鼓楼区人民政府2022年政府信息公开工作年度报告", "来源：福州市人民政府"], "福州市鼓楼区人民政府", "350102"),
    (["鼓楼区教育局2022年政府信息公开工作年度报告", "发布机构：南京市鼓楼区人民政府"], "南京市鼓楼区教育局", "320106"),
    (["朝阳区人民政府2022年政府信息公开工作年度报告", "地址：北京市朝阳区日坛北路33号"], "朝阳区人民政府", "110105"),
    (["福州市鼓楼区人民政府2022年政府信息公开工作年度报告"], "福州市鼓楼区人民政府", "350102"),
    # nothing says which 鼓楼区: no region, and no city is put in front of the name
    (["鼓楼区人民政府2022年政府信息公开工作年度报告"], "鼓楼区人民政府", None),
])
def test_shared_county_names(lines, agency, adcode):
    m = meta_of(*lines)
    assert (m["agency"], m["region"]["adcode"]) == (agency, adcode)


def test_shared_county_without_context_warns_region_unresolved():
    from ingest.parse import parse_bytes

    rec = parse_bytes("鼓楼区人民政府2022年政府信息公开工作年度报告\n一、总体情况\n正文。\n".encode()).record
    assert rec["report"]["region"]["adcode"] is None
    assert [w["code"] for w in rec["warnings"] if w["code"] == "region_unresolved"] == ["region_unresolved"]


# --------------------------------------------------------------------------------------------
# every layout × place × body: the same agency and region whatever way the title is printed
# --------------------------------------------------------------------------------------------

PLACES = {  # place: (name printed in front by its official name, adcode)
    "郏县": ("郏县", "410425"), "平潭县": ("平潭县", "350128"), "共青城市": ("共青城市", "360482"),
    "金东区": ("金华市金东区", "330703"), "番禺区": ("广州市番禺区", "440113"), "洪泽区": ("淮安市洪泽区", "320813"),
    "杭州市": ("杭州市", "330100"), "浙江省": ("浙江省", "330000"),
}
BODIES = ("公安局", "教育局", "卫生健康委员会", "人民政府办公室", "市场监督管理局", "住房和城乡建设局", "财政厅")
LAYOUTS = (
    "{p}{o}{y}年政府信息公开工作年度报告",
    "{p}{o}{y}年度政府信息公开工作年度报告",
    "{y}年度{p}{o}政府信息公开工作年度报告",
    "{p}{o}关于报送{y}年政府信息公开工作年度报告的函",
    "{p}{o}关于{y}年政府信息公开工作年度报告",
    "{p}{o}关于公布{y}年度政府信息公开工作年度报告的公告",
    "{y}年政府信息公开工作年度报告（{p}{o}）",
    "【信息公开年报】{p}{o}{y}年政府信息公开工作年度报告",
)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("place", sorted(PLACES))
def test_every_title_layout(layout, place):
    official, adcode = PLACES[place]
    for body in BODIES:
        m = meta_of(layout.format(p=place, o=body, y=2022), "一、总体情况")
        assert (m["agency"], m["agency_kind"], m["region"]["adcode"], m["year"]) == \
            (official + body, "department", adcode, 2022), (layout, place, body)


@pytest.mark.parametrize("place", ["郏县", "平潭县"])
@pytest.mark.parametrize("field", ["来源：{p}人民政府", "发布机构：{p}人民政府办公室", "信息来源: {p}人民政府"])
@pytest.mark.parametrize("printed", ["县{o}", "{o}"])
def test_every_department_without_place(place, field, printed):
    _official, adcode = PLACES[place]
    for body in ("公安局", "教育局", "卫生健康委员会", "市场监督管理局"):
        title = printed.format(o=body) + "2022年政府信息公开工作年度报告"
        m = meta_of(field.format(p=place), title, "一、总体情况")
        assert (m["agency"], m["region"]["adcode"]) == (place + body, adcode), (title, field)
