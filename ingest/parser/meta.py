"""Normalised text → the report's metadata: title, issuing body, year, publication date, region.

Where each comes from, in order of trust:
- title: a "标题:" header line, else the first short line that names a 政府信息公开…年度报告 (the
  title may also survive only as a PDF file name at the end, as in seed 001);
- agency (the issuing body): the title's prefix when it names an organ (…人民政府, …办公室, …局),
  else the signature (落款) near the end, else 发布机构 / 来源 header fields, else the title's place
  name + 人民政府. Districts take their city's name in front, as their official names do
  ("金东区人民政府" → "金华市金东区人民政府");
- year: the title, else the statistics period ("统计期限自2011年1月1日起"), else the date minus one;
- published_on: 日期 / 公开日期 / 生成日期 / 发布时间 / 发布日期 fields, else the signature date;
- region: cpca on the agency, the title, then the source fields.
"""
from __future__ import annotations

import re
from functools import lru_cache

_TITLE = re.compile(r"^.{0,60}?(?:政府)?信息公开.{0,12}?(?:年度报告|年报报告|年报|工作报告)")
_TITLE_FIELD = re.compile(r"^\s*(?:标\s*题|ArticleTitle)\s*[:：]?\s*(.+)$")
_DATE_FIELD = re.compile(
    r"(?:公开日期|生成日期|发布时间|发布日期|成文日期|发文日期|更新时间|日\s*期|时\s*间)\s*[:：]?\s*"
    r"(\d{4})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})")
_DATE_CN = re.compile(r"^\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*$")
_FIELD = re.compile(r"(发布机构|来\s*源|发文机关|信息来源)\s*[:：]?\s*([^\s:：]{2,40})")
_ORG_SUFFIX = re.compile(r"(人民政府办公室|人民政府办公厅|人民政府|政府办公室|政府办公厅|政府办|管理委员会|管委会|办公室|办公厅|委员会|"
                         r"行政公署|局|委|厅|署|院|中心|办|街道办事处|办事处|政府)$")
_GOVERNMENT = re.compile(r"(人民政府|管理委员会|管委会|行政公署|街道办事处|政府)$")
_YEAR_IN_TITLE = re.compile(r"(20\d{2}|19\d{2})\s*年")
_PERIOD = re.compile(r"统计(?:期限|时限|时间|区间)[^。\d]{0,6}(20\d{2})\s*年\s*1\s*月\s*1\s*日")


def _clean_title(title: str) -> str:
    title = re.sub(r"\.(pdf|docx?|html?|wps)$", "", title.strip(), flags=re.I)
    title = re.sub(r"^[#>*\-\s]+", "", title.strip())   # Markdown heading / quote / bullet markers
    title = re.sub(r"\s+", "", title)
    return title.strip("：:_- *#")


def find_title(lines: list[str]) -> tuple[str | None, int | None]:
    for i, line in enumerate(lines[:40]):
        m = _TITLE_FIELD.match(line)
        if m and _TITLE.search(m.group(1)):
            return _clean_title(m.group(1)), i + 1
    candidates = [(i, line) for i, line in enumerate(lines)
                  if len(line.strip()) <= 80 and _TITLE.search(line.strip()) and "当前位置" not in line]
    # a title names its year; a breadcrumb or column name ("政府信息公开年报") does not
    candidates.sort(key=lambda c: (_YEAR_IN_TITLE.search(c[1]) is None, c[0]))
    for i, line in candidates:
        text = line.strip()
        if not re.search(r"[。，,；]", text):
            # drop a leading breadcrumb like "当前位置：首页 > … > "
            text = re.split(r"[>》]\s*", text)[-1]
            return _clean_title(text), i + 1
    return None, None


def find_year(title: str | None, text: str, published_on: str | None) -> int | None:
    if title:
        m = _YEAR_IN_TITLE.search(title)
        if m:
            return int(m.group(1))
    m = _PERIOD.search(text)
    if m:
        return int(m.group(1))
    if published_on:
        return int(published_on[:4]) - 1
    return None


def find_published_on(lines: list[str]) -> tuple[str | None, int | None]:
    for i, line in enumerate(lines[:60]):
        m = _DATE_FIELD.search(line)
        if m:
            return _iso(*m.groups()), i + 1
    # signature date at the end
    tail = [(i, line) for i, line in enumerate(lines) if line.strip()][-8:]
    for i, line in reversed(tail):
        m = _DATE_CN.match(line)
        if m:
            return _iso(*m.groups()), i + 1
    return None, None


def _iso(y: str, m: str, d: str) -> str | None:
    y_, m_, d_ = int(y), int(m), int(d)
    if not (1 <= m_ <= 12 and 1 <= d_ <= 31 and 1990 <= y_ <= 2100):
        return None
    return f"{y_:04d}-{m_:02d}-{d_:02d}"


def _fields(lines: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in lines[:40]:
        for m in _FIELD.finditer(line):
            key = re.sub(r"\s+", "", m.group(1))
            out.setdefault(key, m.group(2))
    return out


def _signature(lines: list[str]) -> str | None:
    tail = [line.strip() for line in lines if line.strip()][-8:]
    for line in reversed(tail):
        compact = re.sub(r"\s+", "", line)
        if 4 <= len(compact) <= 30 and _ORG_SUFFIX.search(compact) and not re.search(r"[。，,；:：、]", compact):
            return compact
    return None


@lru_cache(maxsize=4096)
def resolve_region(*names: str) -> tuple[str | None, str | None, str | None, str | None]:
    """(adcode, province, city, county) of the first name cpca can place."""
    import cpca

    for name in names:
        if not name:
            continue
        df = cpca.transform([name])
        row = df.iloc[0]
        adcode = row.get("adcode")
        if isinstance(adcode, str) and adcode:
            def val(key):
                v = row.get(key)
                return v if isinstance(v, str) and v else None

            return adcode, val("省"), val("市"), val("区")
    return None, None, None, None


_ZONE = re.compile(r"(综合实验区|综合试验区|经济技术开发区|高新技术产业开发区|经济开发区|开发区|实验区|试验区|新区)")


def zone_host(name: str) -> str | None:
    """'平潭综合实验区…' → '平潭县': a managed zone named after the county (or city) that hosts it."""
    m = _ZONE.search(name or "")
    if not m or m.start() < 2:
        return None
    stem = name[:m.start()]
    for suffix in ("县", "市", "区"):
        adcode, _p, city, county = resolve_region(stem + suffix)
        if adcode and (county == stem + suffix or city == stem + suffix):
            return stem + suffix
    return None


def _prefix_city(agency: str, city: str | None, county: str | None) -> str:
    if not (city and county and county.endswith("区")):
        return agency
    if agency.startswith(city) or agency.startswith(city.rstrip("市")) or not agency.startswith(county[:2]):
        return agency
    if city in ("市辖区", "省直辖县级行政区划"):
        return agency
    return city + agency


def find_metadata(lines: list[str], text: str) -> dict:
    title, title_line = find_title(lines)
    published_on, date_line = find_published_on(lines)
    fields = _fields(lines)
    prefix = None
    if title:
        m = _YEAR_IN_TITLE.search(title)
        prefix = title[:m.start()] if m else None
    signature = _signature(lines)

    def same_place(name: str | None) -> bool:
        # a signature or a CMS field names the issuing body only when it is the title's own
        # place ("来源：平潭县人民政府" on a 平潭综合实验区 report is the site's default, not the body)
        return bool(name) and _ORG_SUFFIX.search(name) is not None and (not prefix or name.startswith(prefix))

    agency = None
    if prefix and _ORG_SUFFIX.search(prefix):
        agency = prefix
    elif prefix:
        # the title names only a place ("洪泽区2017年…", "平潭综合实验区2023年…"): the report is that
        # place's own report, issued by its government; an office named in the signature or in
        # 发布机构 only compiled and published it
        agency = next((name for name in (signature, fields.get("发布机构"), fields.get("来源"))
                       if same_place(name) and _GOVERNMENT.search(name)), None)
    else:
        agency = next((name for name in (signature, fields.get("发布机构"), fields.get("来源")) if same_place(name)), None)
    adcode, province, city, county = resolve_region(agency or "", prefix or "", fields.get("来源", ""),
                                                    fields.get("发布机构", ""))
    if adcode is None:
        host = zone_host(agency or "") or zone_host(prefix or "")
        if host:
            adcode, province, city, county = resolve_region(host)
    if agency is None and prefix:
        # a bare place name in the title ("金东区2020年…") is that place's government only when
        # it is a real administrative unit of that exact name
        agency = prefix + "人民政府" if prefix in (county, city, province) else prefix
    if agency:
        agency = _prefix_city(agency, city, county)
    kind = None
    if agency:
        # a bare place name ("平潭综合实验区") stands for that place's own government
        kind = "government" if _GOVERNMENT.search(agency) or not _ORG_SUFFIX.search(agency) else "department"
    return {
        "title": title,
        "agency": agency,
        "agency_kind": kind,
        "year": find_year(title, text, published_on),
        "published_on": published_on,
        "region": {"adcode": adcode, "province": province, "city": city, "county": county},
        "_lines": {"title": title_line, "published_on": date_line},
    }
