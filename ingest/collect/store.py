"""Where a collected URL's file goes: `OUT/host/path`, so the folder mirrors the sites.

The build reads reports by extension (.htm/.html/…), so a page served as `t2023_1.shtml`, `view.jsp?id=3`
or `/nb/2023/` is saved with `.html` added; an attachment keeps its own extension (or gets one from
its Content-Type). A query string becomes a short hash in the name (two ids, two files); characters
a file system refuses are replaced; `..` cannot climb out of the folder.
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .links import ATTACHMENT_EXTENSIONS

_UNSAFE = re.compile(r'[\x00-\x1f<>:"|?*\\]')
_CONTENT_EXT = {
    "application/pdf": ".pdf", "application/msword": ".doc", "application/vnd.ms-excel": ".xls",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/kswps": ".wps", "application/vnd.ms-works": ".wps", "text/plain": ".txt",
}
MAX_SEGMENT = 120  # bytes of UTF-8 per path segment (file systems allow 255)


def is_html(content_type: str | None, data: bytes = b"") -> bool:
    ctype = (content_type or "").split(";")[0].strip().lower()
    if ctype in ("text/html", "application/xhtml+xml"):
        return True
    if ctype and ctype not in ("application/octet-stream", "text/plain"):
        return False
    head = data[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<html" in head


def path_for(out: Path, url: str, content_type: str | None, html: bool) -> Path:
    """The file a URL's body is saved to under `out`."""
    parts = urlsplit(url)
    host = _safe(parts.hostname or "unknown") + (f"_{parts.port}" if parts.port else "")
    segments = [_safe(unquote(s)) for s in parts.path.split("/") if s and s not in (".", "..")]
    if not segments or parts.path.endswith("/"):
        segments.append("index")
    name = segments[-1]
    if parts.query:
        stem, dot, ext = name.rpartition(".")
        tag = hashlib.sha256(parts.query.encode()).hexdigest()[:10]
        name = f"{stem}__{tag}.{ext}" if dot and stem else f"{name}__{tag}"
    lower = name.lower()
    if html:
        if not lower.endswith((".htm", ".html")):
            name += ".html"
    else:
        ctype = (content_type or "").split(";")[0].strip().lower()
        if not lower.endswith(ATTACHMENT_EXTENSIONS + (".txt",)):
            name += _CONTENT_EXT.get(ctype) or ".bin"
    segments[-1] = name
    return out.joinpath(host, *segments)


def _safe(segment: str) -> str:
    segment = _UNSAFE.sub("_", segment).strip().lstrip(".") or "_"
    data = segment.encode("utf-8")
    if len(data) > MAX_SEGMENT:
        tag = hashlib.sha256(data).hexdigest()[:10]
        stem, dot, ext = segment.rpartition(".")
        keep = data[: MAX_SEGMENT - 20].decode("utf-8", errors="ignore")
        segment = f"{keep}__{tag}" + (f".{ext}" if dot and len(ext) <= 6 else "")
    return segment
