"""What a file is, by its bytes (never by its name): a crawler saves PDFs as .txt and web pages
as .pdf, so the name is only a hint for text formats."""
from __future__ import annotations

import io
import zipfile

# magic number → (kind, label shown in the unsupported_format warning)
_MAGIC = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole", "Word 97-2003 (.doc) 或 WPS 文档"),
    (b"\x89PNG\r\n\x1a\n", "image", "PNG 图片"),
    (b"\xff\xd8\xff", "image", "JPEG 图片"),
    (b"GIF87a", "image", "GIF 图片"),
    (b"GIF89a", "image", "GIF 图片"),
    (b"II*\x00", "image", "TIFF 图片"),
    (b"MM\x00*", "image", "TIFF 图片"),
    (b"BM", "image", "BMP 图片"),
    (b"Rar!\x1a\x07", "archive", "RAR 压缩包"),
    (b"7z\xbc\xaf\x27\x1c", "archive", "7z 压缩包"),
    (b"\x1f\x8b", "archive", "gzip 压缩包"),
    (b"BZh", "archive", "bzip2 压缩包"),
    (b"\xfd7zXZ\x00", "archive", "xz 压缩包"),
    (b"{\\rtf", "rtf", "RTF 文档"),
)


def sniff(data: bytes) -> tuple[str, str]:
    """(kind, label): kind is pdf | docx | text | ole | image | archive | rtf | office."""
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf", "PDF"
    if b" obj" in data[:65536] and b"endobj" in data[:262144] and (b"/Type" in data[:262144] or b"startxref" in data[-4096:]):
        return "pdf", "PDF"          # a PDF whose header line is damaged: objects, not text
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            return "archive", "ZIP 压缩包（已损坏）"
        if "word/document.xml" in names:
            return "docx", "Word (.docx)"
        if any(n.startswith(("xl/", "ppt/")) for n in names):
            return "office", "Excel/PowerPoint 文档"
        return "archive", "ZIP 压缩包"
    for magic, kind, label in _MAGIC:
        if data.startswith(magic):
            if magic == b"BM" and int.from_bytes(data[2:6], "little") != len(data):
                continue          # "BM…" text, not a bitmap (whose header states the file size)
            return kind, label
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image", "WebP 图片"
    return "text", "text"
