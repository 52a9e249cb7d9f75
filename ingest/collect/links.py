"""Web pages → what the collector follows: report links, "下一页" pages, attachments, and the title.

A 年报 column (list page) is a page with links whose text reads like a report title
("XXXX年…政府信息公开…年度报告"); a report page is a page whose own title reads like one, with its
attachments (PDF, DOC(X), XLS(X), WPS). Pagination is the "下一页" link, or, on the TRS sites most
Chinese government portals run on, the `createPageHTML(pages, current, "index", "htm")` script
that writes the pager (index.htm, index_1.htm, …) in the browser.

Character sets: the HTTP header's charset, then `<meta charset>` / `http-equiv`, then the
project's own detection (`ingest.readers.text.decode`: UTF-8, GB18030, …). Each is tried strictly,
because GBK sites often declare UTF-8 (or nothing) and the first that decodes without an error
wins. GBK and GB2312 are read as GB18030, their superset.

Parsing is lxml's HTML parser; link targets are made absolute against the page's final URL (or its
`<base href>`).
"""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.html
from lxml import etree

ATTACHMENT_EXTENSIONS = (".pdf", ".docx", ".doc", ".xlsx", ".xls", ".wps", ".et")
HTML_EXTENSIONS = (".htm", ".html", ".shtml", ".xhtml", ".jsp", ".asp", ".aspx", ".php", ".do", ".action")
NEXT_TEXTS = frozenset({"下一页", "下页", "后一页", "下一頁", "next", "next»", "next>", ">", "›", "»"})

_META_CHARSET = re.compile(rb"""<meta[^>]{0,400}?charset\s*=\s*["']?\s*([A-Za-z0-9_\-]{2,40})""", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?\s*([A-Za-z0-9_\-]{2,40})", re.I)
_YEAR = re.compile(r"(?:19|20)\d\d")
_PAGER = re.compile(r"createPageHTML\(\s*[\"']?(\d{1,5})[\"']?\s*,\s*[\"']?(\d{1,5})[\"']?\s*,\s*"
                    r"[\"']([\w\-]{1,40})[\"']\s*,\s*[\"']([A-Za-z]{2,6})[\"']")
_SPACE = re.compile(r"\s+")
_GB = {"gbk", "gb2312", "gb_2312", "gb-2312", "x-gbk", "csgb2312", "gb_2312-80", "euc-cn"}


def charset_candidates(data: bytes, content_type: str | None) -> list[str]:
    """Encodings to try, in order: the header's, the page's <meta>, then none (detection)."""
    out = []
    if content_type:
        m = _HEADER_CHARSET.search(content_type)
        if m:
            out.append(m.group(1))
    m = _META_CHARSET.search(data[:8192])
    if m:
        out.append(m.group(1).decode("ascii"))
    names = []
    for name in out:
        name = name.lower()
        if name in _GB:
            name = "gb18030"
        try:
            codecs.lookup(name)
        except LookupError:
            continue
        if name not in names:
            names.append(name)
    return names


def decode_page(data: bytes, content_type: str | None) -> tuple[str, str]:
    """(text, encoding) of a web page."""
    for name in charset_candidates(data, content_type):
        try:
            return data.decode(name), name
        except UnicodeDecodeError:
            continue
    from ..readers.text import decode

    text, encoding, _ = decode(data)
    return text, encoding


def looks_like_report(text: str | None) -> bool:
    """Link text or title of an annual disclosure report: "…2022年度政府信息公开工作年度报告", "…信息公开年报"."""
    if not text:
        return False
    if "信息公开" not in text and "政务公开" not in text:
        return False
    # a year and a report word; the column's own name ("政府信息公开年报") has no year
    return bool(_YEAR.search(text)) and any(word in text for word in ("年度报告", "工作报告", "年报"))


def is_attachment(url: str, text: str = "") -> bool:
    path = urlsplit(url).path.lower()
    if path.endswith(ATTACHMENT_EXTENSIONS):
        return True
    return text.strip().lower().endswith(ATTACHMENT_EXTENSIONS)


@dataclass
class Link:
    url: str
    text: str


@dataclass
class Page:
    url: str
    title: str = ""
    encoding: str = ""
    report_links: list[Link] = field(default_factory=list)
    next_pages: list[Link] = field(default_factory=list)
    attachments: list[Link] = field(default_factory=list)

    @property
    def is_list(self) -> bool:
        """A 年报 column: links to several reports, and not itself a report (whose 上一篇/下一篇 are reports)."""
        others = {link.url for link in self.report_links if link.url != self.url}
        return len(others) >= 2 and not looks_like_report(self.title) or bool(others and self.next_pages)


def read_page(data: bytes, content_type: str | None, url: str) -> Page:
    """Links and title of the page at `url` (its final URL after redirects)."""
    text, encoding = decode_page(data, content_type)
    page = Page(url=url, encoding=encoding)
    try:
        doc = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        try:
            doc = lxml.html.document_fromstring(text.encode("utf-8"), parser=lxml.html.HTMLParser(encoding="utf-8"))
        except (etree.ParserError, ValueError):
            return page
    page.title = _title(doc)
    base = url
    for href in doc.xpath("//base/@href")[:1]:
        base = urljoin(url, href.strip())
    seen = set()
    for a in doc.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#", "tel:")):
            continue
        target, _ = urldefrag(urljoin(base, href))
        if urlsplit(target).scheme not in ("http", "https"):
            continue
        label = _SPACE.sub(" ", a.text_content() or "").strip()
        hint = _SPACE.sub(" ", a.get("title") or "").strip()
        if len(hint) > len(label):  # list pages cut long titles ("…2022年度政府信息公开…") and keep the whole in title=
            label = hint
        key = (target, label)
        if key in seen:
            continue
        seen.add(key)
        if label.lower().replace(" ", "") in NEXT_TEXTS:
            page.next_pages.append(Link(target, label))
        elif is_attachment(target, label):
            page.attachments.append(Link(target, label))
        elif looks_like_report(label):
            page.report_links.append(Link(target, label))
    for script in doc.iter("script"):
        m = _PAGER.search(script.text or "")
        if m:
            pages, current, prefix, ext = int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)
            if current + 1 < pages:
                page.next_pages.append(Link(urljoin(base, f"{prefix}_{current + 1}.{ext}"), "下一页"))
    page.attachments = _unique(page.attachments)
    page.next_pages = [link for link in _unique(page.next_pages) if link.url != url]
    page.report_links = _unique(page.report_links)
    return page


def _title(doc) -> str:
    """The report's title: meta ArticleTitle (TRS sites), else <title> (minus the site name after "_" or "-")."""
    for value in doc.xpath("//meta[@name='ArticleTitle']/@content")[:1]:
        if value.strip():
            return _SPACE.sub(" ", value).strip()
    for el in doc.iter("title"):
        title = _SPACE.sub(" ", el.text_content() or "").strip()
        if looks_like_report(title):
            for sep in ("_", " - ", "--", "|"):
                head = title.split(sep)[0].strip()
                if looks_like_report(head):
                    return head
        return title
    return ""


def _unique(links: list[Link]) -> list[Link]:
    out, seen = [], set()
    for link in links:
        if link.url not in seen:
            seen.add(link.url)
            out.append(link)
    return out
