"""Normalised text → the report's metadata: title, issuing body, year, publication date, region.

Where each comes from, in order of trust:
- title: a "标题:" header line, else the first short line that names a 政府信息公开…年度报告 (the
  title may also survive only as a PDF file name at the end, as in seed 001);
- agency (the issuing body), the full name as printed: the body the title names before its year
  ("XX市XX区人民政府办公室2022年…", "XX省XX厅2021年度…", "2020年度XX局政府信息公开…"); in a wrapper
  ("XX办公室关于印发XX县2020年…的通知", "XX局关于报送2020年…的函", "XX局关于2020年…") the report's
  own title inside it, else the body before "关于" (never "关于报送…" itself). A title that names only
  a place ("洪泽区2017年…") is that place's government's report (the signature or 发布机构 only
  compiled it). A department printed without its place ("公安局2022年…", "县公安局…") takes the place
  from a full name printed in the signature or 发布机构 (same body), else from the report's own text
  ("…请与XX县公安局联系"), else from the government named in the header's publisher fields; a field
  that names another body is never taken as the agency. Without a title: the signature, else
  发布机构 / 来源. Districts take their city's name in front, as their official names do
  ("金东区人民政府" → "金华市金东区人民政府");
- year: the title, else the statistics period ("统计期限自2011年1月1日起"), else the date minus one;
- published_on: 日期 / 公开日期 / 生成日期 / 发布时间 / 发布日期 fields, else the signature date;
- region: cpca on the agency, the title's body, the host county of a managed zone, then the source
  fields; each name is looked up once per process (cpca's matcher directly, without pandas).

All patterns are bounded or possessive: a header line of 30,000 spaces costs one pass.
"""
from __future__ import annotations

import re
from functools import lru_cache

_TITLE = re.compile(r"^.{0,60}?(?:政府)?信息公开.{0,12}?(?:年度报告|年报报告|年报|工作报告)")
_TITLE_FIELD = re.compile(r"^\s*+(?:标\s{0,3}题|ArticleTitle)\s*+[:：]?+\s*+(.+)$")
_DATE_FIELD = re.compile(
    r"(?:公开日期|生成日期|发布时间|发布日期|成文日期|发文日期|更新时间|日\s{0,3}期|时\s{0,3}间)\s*+[:：]?+\s*+"
    r"(\d{4})\s{0,3}[-年/.]\s{0,3}(\d{1,2})\s{0,3}[-月/.]\s{0,3}(\d{1,2})")
_DATE_CN = re.compile(r"^\s*+(\d{4})\s{0,3}年\s{0,3}(\d{1,2})\s{0,3}月\s{0,3}(\d{1,2})\s{0,3}日\s*+$")
_FIELD = re.compile(r"(发布机构|来\s{0,3}源|发文机关|信息来源)\s*+[:：]?+\s*+([^\s:：]{2,40})")
_ORG_SUFFIX = re.compile(r"(人民政府办公室|人民政府办公厅|人民政府|政府办公室|政府办公厅|政府办|管理委员会|管委会|办公室|办公厅|委员会|"
                         r"行政公署|联合会|协会|商会|红十字会|分局|总局|局|委|厅|署|院|中心|办|街道办事处|办事处|政府|"
                         r"支队|大队|总队|分行|支行|海关|监狱|党校|学校|大学|学院|公司|集团|部|处|所|站|馆|社)$")
_GOVERNMENT = re.compile(r"(人民政府|管理委员会|管委会|行政公署|街道办事处|政府)$")
_YEAR_IN_TITLE = re.compile(r"(20\d{2}|19\d{2})\s{0,2}年")
_PERIOD = re.compile(r"统计(?:期限|时限|时间|区间)[^。\d]{0,6}(20\d{2})\s{0,2}年\s{0,2}1\s{0,2}月\s{0,2}1\s{0,2}日")
# "XX办公室关于印发XX县2020年…的通知", "XX局关于报送2020年…的函", "XX局关于2020年…"
_WRAPPER = re.compile(r"^(?P<issuer>.{0,40}?)关于(?:印发|报送|公布|发布|公开|呈报|上报|转发|提交|报告)?"
                      r"(?P<inner>.{0,100}?)(?:的(?:通知|函|报告|请示|公告|通告|说明|批复))?$")
_LEVELS = "省市区县州旗盟"
# a department printed with only its level ("县公安局"); 市场/市政/市容/区域 are words, not levels
_LEVEL_ONLY = re.compile(r"^([省市区县州旗盟])(?!场|政|容|域|辖|直|属|级)")
_PLACE_WORD = re.compile(r"[\u4e00-\u9fff]{2}[省市区县州旗盟]")
_BRACKETED = re.compile(r"[（(][^（）()]{0,30}[）)]")
_LEADING_TAG = re.compile(r"^(?:【[^【】]{0,20}】|\[[^\[\]]{0,20}\]|〔[^〔〕]{0,20}〕)+")


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
    # "信息公开" in line: a C substring test that every _TITLE match needs, before the regex
    candidates = [(i, line) for i, line in enumerate(lines)
                  if "信息公开" in line and len(line.strip()) <= 80 and _TITLE.search(line.strip())
                  and "当前位置" not in line]
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
    tail = []                                  # the last 8 non-empty lines, read from the end
    for i in range(len(lines) - 1, -1, -1):
        if lines[i].strip():
            tail.append((i, lines[i]))
            if len(tail) == 8:
                break
    tail.reverse()
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
    seen = 0
    for line in reversed(lines):
        if not line.strip():
            continue
        seen += 1
        if seen > 8:
            break
        compact = re.sub(r"\s+", "", line[:200])
        if 4 <= len(compact) <= 30 and _ORG_SUFFIX.search(compact) and not re.search(r"[。，,；:：、]", compact):
            return compact
    return None


@lru_cache(maxsize=65536)
def _region_of(name: str) -> tuple[str | None, str | None, str | None, str | None] | None:
    """cpca's reading of one name (cached per name: a national build asks for the same few thousand).

    cpca.transform builds a pandas DataFrame per call (0.3 ms); its matcher gives the same row in 4 µs.
    A bare level character is not a place: cpca reads "县公安局" as Chongqing's "县" (500200)."""
    import cpca

    try:
        row = cpca._get_one_addr(name, False, {})
    except AttributeError:   # another cpca version: the public, slower path
        df = cpca.transform([name])
        row = {k: df.iloc[0].get(k) for k in ("省", "市", "区", "adcode")}
    adcode = row.get("adcode")
    if not (isinstance(adcode, str) and adcode):
        return None
    if adcode == "500200" and "重庆" not in name:
        return None

    def val(key):
        v = row.get(key)
        return v if isinstance(v, str) and v else None

    return adcode, val("省"), val("市"), val("区")


def resolve_region(*names: str) -> tuple[str | None, str | None, str | None, str | None]:
    """(adcode, province, city, county) of the first name cpca can place."""
    for name in names:
        if not name:
            continue
        found = _region_of(name[:120])
        if found:
            return found
    return None, None, None, None


_ZONE = re.compile(r"(综合实验区|综合试验区|经济技术开发区|高新技术产业开发区|经济开发区|开发区|实验区|试验区|新区|高新区|工业园区)")


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


# --------------------------------------------------------------------------------------------
# The issuing body named by the title
# --------------------------------------------------------------------------------------------

def _strip_name(name: str) -> str:
    name = _LEADING_TAG.sub("", name)
    name = _BRACKETED.sub("", name)         # an alias in brackets: "…局（县政务公开办）"
    name = re.sub(r"(?:关于|的|之)$", "", name)
    return name.strip("：:_-—－·、，, *#“”\"《》（）()【】[]|丨｜")


def title_body(title: str | None) -> tuple[str | None, str | None]:
    """(body, issuer) named by a title: `body` the name before the report's year (or before
    "信息公开" when the title has no year), completed by a body printed after the year
    ("XX县2020年度公安局…"); `issuer` the body before "关于" in a wrapper title."""
    if not title:
        return None, None
    title = _LEADING_TAG.sub("", re.sub(r"\s+", "", title[:200]))
    issuer = None
    inner = title
    w = _WRAPPER.match(title)
    if w and _TITLE.search(w.group("inner") or ""):
        issuer = _strip_name(w.group("issuer")) or None
        inner = w.group("inner")
    y = _YEAR_IN_TITLE.search(inner)
    i_info = inner.find("信息公开")
    if i_info >= 0 and not inner[:i_info].endswith("人民政府") and inner[:i_info].endswith("政府"):
        i_info -= 2     # "XX县政府信息公开…": the place, not "XX县政"
    cuts = [i for i in (y.start() if y else -1, i_info) if i >= 0]
    cut = min(cuts) if cuts else len(inner)
    body = _strip_name(inner[:cut])
    if y and y.start() == cut:
        after = inner[y.end():]
        after = after[1:] if after.startswith("度") else after
        j = after.find("信息公开")
        if j > 0:
            tail = after[:j]
            tail = tail[:-2] if tail.endswith("政府") and not tail.endswith("人民政府") else tail
            tail = _strip_name(tail)
            if tail and (_ORG_SUFFIX.search(tail) and not _GOVERNMENT.search(tail) or tail.endswith("人民政府")):
                body = (body + tail) if body and not _ORG_SUFFIX.search(body) else (body or tail)
            elif tail and not body and has_place(tail):
                body = tail      # "2022年郏县政府信息公开…": the place's own report
    if not body:
        # "2022年政府信息公开工作年度报告（XX县公安局）"
        m = re.search(r"[（(]([^（）()]{2,30})[）)]$", inner)
        if m and _ORG_SUFFIX.search(m.group(1)):
            body = m.group(1)
    return body or None, issuer


def _is_organ(name: str | None) -> bool:
    return bool(name) and _ORG_SUFFIX.search(name) is not None


def has_place(name: str) -> bool:
    """Whether a body's printed name carries its place ("郏县公安局", "平潭综合实验区管委会"), as
    opposed to "公安局", "县公安局", "市场监督管理局"."""
    if not name or _LEVEL_ONLY.match(name):
        return False
    z = _ZONE.search(name)
    if z and z.start() >= 2:
        return True
    if _PLACE_WORD.search(name):
        return True
    return _region_of(name[:120]) is not None


def _places_before(text: str, word: str, limit: int):
    """The place printed right before each of the first LIMIT occurrences of WORD in TEXT ("…请与平潭县"
    before "公安局" → "平潭县"; None where no place stands there). Bounded: LIMIT finds of 12 characters."""
    pos = 0
    for _ in range(limit):
        i = text.find(word, pos)
        if i < 0:
            return
        pos = i + len(word)
        yield _place_before(text[max(0, i - 12):i])


def _place_before(window: str) -> str | None:
    """The place name that ends WINDOW ("…请与平潭县" → "平潭县", "…由金华市金东区" → "金华市金东区")."""
    m = re.search(r"[\u4e00-\u9fff]{2,12}$", window)
    if not m or m.group()[-1] not in _LEVELS:
        return None
    run = m.group()
    import cpca

    try:
        row = cpca._get_one_addr(run, True, {})
    except AttributeError:
        return None
    positions = [p for p in (row.get("省_pos"), row.get("市_pos"), row.get("区_pos")) if isinstance(p, int) and p >= 0]
    if not positions:
        return None
    place = run[min(positions):]
    return place if len(place) >= 2 and _region_of(place) is not None else None


def _government_place(name: str | None) -> str | None:
    """'平潭县人民政府' → '平潭县'; '洪泽区政府办' → '洪泽区': the place of a government (or its office)."""
    if not name:
        return None
    m = re.match(r"^([\u4e00-\u9fff]{1,15}?[省市区县州旗盟])(?:人民)?政府(?:办公室|办公厅|办)?$", name)
    if m and _region_of(m.group(1)) is not None:
        return m.group(1)
    return None


def complete_place(name: str, signature: str | None, fields: dict[str, str], text: str,
                   issuer: str | None = None) -> str:
    """A department printed without its place gets it: from the same body's full name in the
    signature or 发布机构 (or the title's issuer), from the report's text ("XX县公安局"), else from
    the government named in the publisher fields (来源：XX县人民政府). Unchanged when none fits."""
    if has_place(name):
        return name
    lv = _LEVEL_ONLY.match(name)
    level = lv.group(1) if lv else None
    organ = name[1:] if level else name
    if len(organ) < 2:
        return name

    def fits(place: str | None) -> bool:
        return bool(place) and (level is None or place.endswith(level))

    for full in (signature, fields.get("发布机构"), fields.get("发文机关"), issuer, fields.get("来源"),
                 fields.get("信息来源")):
        if full and full.endswith(organ) and len(full) > len(organ) and has_place(full):
            place = full[:-len(organ)]
            if fits(place) or (level is None):
                return full
    # the report's own text: "…请与平潭县公安局联系"
    for place in _places_before(text, organ, 200):
        if fits(place):
            return place + organ
    for field in (fields.get("发布机构"), fields.get("来源"), fields.get("发文机关"), fields.get("信息来源"), issuer):
        place = _government_place(field)
        if fits(place):
            return place + organ
    return name


def _body_above(lines: list[str], i: int) -> str | None:
    """A title broken over two lines ("郏县公安局" / "2022年政府信息公开工作年度报告"): the body is the
    short line just above the title line."""
    for j in range(i - 1, max(-1, i - 3), -1):
        line = re.sub(r"\s+", "", lines[j][:100])
        if not line:
            continue
        if 2 <= len(line) <= 30 and not re.search(r"[。，,；;:：、>》|]", line) and (_is_organ(line) or has_place(line)):
            return _strip_name(line) or None
        return None
    return None


@lru_cache(maxsize=4096)
def _shared_county(county: str) -> bool:
    """Whether several counties of China bear this name (cpca then picks the first)."""
    import cpca

    try:
        found = cpca.matcher.ac.get(county, None)
    except Exception:
        return False
    if not found:
        return False
    return len({a.adcode for a in found[1] if a.rank == 2 and a.name == county}) > 1


def _names_parent(name: str, city: str | None, province: str | None) -> bool:
    """Whether NAME prints its city or province ("福州市鼓楼区…", "福建省…")."""
    for parent in (city, province):
        if parent and parent not in ("市辖区", "县", "省直辖县级行政区划") and (
                parent in name or (len(parent) > 2 and parent[:-1] in name)):
            return True
    return False


def _pin_county(county: str, fields: dict[str, str], signature: str | None, text: str):
    """The region of COUNTY as placed by a city the report names: its publisher fields or
    signature, else a "<city><county>" in its text."""
    candidates = []
    for src in (fields.get("来源"), fields.get("发布机构"), fields.get("信息来源"), fields.get("发文机关"), signature):
        if src:
            candidates.append(src if county in src else (_government_place(src) or "") + county)
    candidates.extend(place + county for place in _places_before(text, county, 50) if place)
    for cand in candidates:
        if cand != county:
            alt = resolve_region(cand)
            if alt[0] and alt[3] == county:
                return alt
    return None


def find_metadata(lines: list[str], text: str) -> dict:
    title, title_line = find_title(lines)
    published_on, date_line = find_published_on(lines)
    fields = _fields(lines)
    prefix, issuer = title_body(title)
    if prefix is None and issuer is None and title_line:
        prefix = _body_above(lines, title_line - 1)
    signature = _signature(lines)

    def same_place(name: str | None) -> bool:
        # a signature or a CMS field names the issuing body only when it is the title's own
        # place ("来源：平潭县人民政府" on a 平潭综合实验区 report is the site's default, not the body)
        return bool(name) and _ORG_SUFFIX.search(name) is not None and (not prefix or name.startswith(prefix))

    agency = None
    if prefix and _is_organ(prefix):
        agency = complete_place(prefix, signature, fields, text, issuer)
    elif prefix:
        # the title names only a place ("洪泽区2017年…", "平潭综合实验区2023年…"): the report is that
        # place's own report, issued by its government; an office named in the signature or in
        # 发布机构 only compiled and published it
        agency = next((name for name in (signature, fields.get("发布机构"), fields.get("来源"))
                       if same_place(name) and _GOVERNMENT.search(name)), None)
    elif issuer and _is_organ(issuer):
        agency = complete_place(issuer, signature, fields, text)
    else:
        agency = next((name for name in (signature, fields.get("发布机构"), fields.get("来源")) if same_place(name)), None)
    adcode, province, city, county = resolve_region(agency or "", prefix or "")
    if adcode is None:
        host = zone_host(agency or "") or zone_host(prefix or "")
        if host:
            adcode, province, city, county = resolve_region(host)
    if adcode is None:
        adcode, province, city, county = resolve_region(fields.get("来源", ""), fields.get("发布机构", ""))
    if county and agency and _shared_county(county) and not _names_parent(agency, city, province):
        # a county name several cities share ("鼓楼区": 开封, 南京, 福州, 徐州): the publisher fields,
        # the signature or the report's text say which ("来源：福州市人民政府", "地址：福州市鼓楼区…");
        # when nothing does, the region is in doubt and stays unresolved (no city is invented)
        pinned = _pin_county(county, fields, signature, text)
        adcode, province, city, county = pinned or (None, None, None, None)
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
