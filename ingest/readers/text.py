"""Bytes → text: decoding and format sniffing.

Reports arrive as UTF-8, GBK/GB18030 or UTF-16 (with or without BOM), sometimes as binary junk
that a crawler saved under a .txt name. Decoding never raises: what could not be decoded cleanly
becomes a warning that names what happened, and the rest of the pipeline still runs.
"""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

import charset_normalizer

MAX_BYTES = 64 * 1024 * 1024  # beyond this only the first MAX_BYTES are read (warning file_too_large)


class UnreadableFile(Exception):
    """The file cannot be read at all (missing, a directory, permission denied)."""


@dataclass
class Decoded:
    text: str
    encoding: str
    format: str                      # text | html | markdown
    warnings: list[dict] = field(default_factory=list)


def _warn(code: str, message: str, line: int | None = None) -> dict:
    return {"code": code, "message": message, "line": line}


# Characters no real report holds: control characters other than tab and line breaks, the private
# use area, the replacement character.
_IMPLAUSIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ue000-\uf8ff\ufffd]")


def _plausible_text(text: str) -> bool:
    if not text:
        return False
    bad = len(text) - len(_IMPLAUSIBLE.sub("", text))      # counted in C, not a Python loop per character
    return bad / len(text) < 0.02


def _utf16_without_bom(data: bytes) -> str | None:
    guess = _utf16_guess(data)
    if guess is None:
        return None
    sample = data[:8192]
    try:
        text = sample[: len(sample) // 2 * 2].decode(guess)
    except UnicodeDecodeError:
        # a sample cut may split a surrogate pair; retry without the last code unit
        try:
            text = sample[: len(sample) // 2 * 2 - 2].decode(guess)
        except UnicodeDecodeError:
            return None
    return guess if _plausible_text(text) else None


def _utf16_guess(data: bytes) -> str | None:
    """UTF-16 without a BOM shows as a NUL in every other byte of ASCII text."""
    sample = data[:4096]
    if len(sample) < 4 or len(sample) % 2:
        sample = sample[: len(sample) // 2 * 2]
    if not sample:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    # UTF-8 and GBK text never contains NUL; in UTF-16 every ASCII character (digits, newlines)
    # brings one, always on the same side. Chinese UTF-16 has few of them, but they are one-sided.
    if odd_nuls >= 2 and even_nuls == 0:
        return "utf-16-le"
    if even_nuls >= 2 and odd_nuls == 0:
        return "utf-16-be"
    half = len(sample) // 2
    if odd_nuls > half * 0.2 and even_nuls < half * 0.05:
        return "utf-16-le"
    if even_nuls > half * 0.2 and odd_nuls < half * 0.05:
        return "utf-16-be"
    # Pure Chinese UTF-16 without a single ASCII character: not UTF-8, and decodes to mostly CJK.
    try:
        data.decode("utf-8")
        return None
    except UnicodeDecodeError:
        pass
    for enc in ("utf-16-le", "utf-16-be"):
        try:
            text = sample.decode(enc)
        except UnicodeDecodeError:
            continue
        if text and sum("\u4e00" <= c <= "\u9fff" for c in text) / len(text) > 0.6:
            return enc
    return None


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if not sample:
        return False
    control = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return control / len(sample) > 0.10


def decode(data: bytes) -> tuple[str, str, list[dict]]:
    """Decode report bytes; return (text, encoding name, warnings)."""
    warnings: list[dict] = []
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig", warnings
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        text = data.decode("utf-16", errors="replace")
        if "\ufffd" in text:
            warnings.append(_warn("decode_errors", "UTF-16 文件中有无法解码的字节，已替换为 �"))
        return text, "utf-16", warnings
    guess16 = _utf16_without_bom(data)
    if guess16:
        text = data[: len(data) // 2 * 2].decode(guess16, errors="replace")
        return text, guess16, warnings
    try:
        return data.decode("utf-8"), "utf-8", warnings
    except UnicodeDecodeError as exc:
        utf8_error = exc
    # A truncated file may end in the middle of a multi-byte character: decode the rest cleanly.
    if utf8_error.start >= len(data) - 3:
        text = data[: utf8_error.start].decode("utf-8")
        warnings.append(_warn("truncated_character", "文件末尾有不完整的字符（文件可能被截断）"))
        return text, "utf-8", warnings
    try:
        return data.decode("gb18030"), "gb18030", warnings
    except UnicodeDecodeError:
        pass
    if _looks_binary(data):
        warnings.append(_warn("not_text", "文件看起来是二进制数据，不是文本报告"))
        return data.decode("utf-8", errors="replace"), "binary", warnings
    best = charset_normalizer.from_bytes(data[:200_000]).best()
    if best is not None and best.encoding not in ("utf_8", "gb18030"):
        encoding = best.encoding
        text = data.decode(encoding, errors="replace")
    else:
        # Mostly UTF-8 with some bad bytes, or mostly GBK with some bad bytes: keep the better one.
        as_utf8 = data.decode("utf-8", errors="replace")
        as_gb = data.decode("gb18030", errors="replace")
        text, encoding = (as_utf8, "utf-8") if as_utf8.count("\ufffd") <= as_gb.count("\ufffd") else (as_gb, "gb18030")
    bad = text.count("\ufffd")
    warnings.append(_warn("decode_errors", f"按 {encoding} 解码时有 {bad} 处无法解码的字节，已替换为 �"))
    return text, encoding, warnings


def sniff_format(path: str, text: str) -> str:
    """html | markdown | text, by extension first and by content for .txt files saved from the web."""
    lower = path.lower()
    if lower.endswith((".html", ".htm", ".shtml", ".xhtml")):
        return "html"
    if lower.endswith((".md", ".markdown")):
        return "markdown"
    head = text[:4000].lower()
    if ("<html" in head or "<!doctype html" in head or "<body" in head) or (
        head.count("<td") + head.count("<p") + head.count("<div") >= 5 and "</" in head
    ):
        return "html"
    if text.count("\n|") >= 5 and ("|---" in text or "| ---" in text or "|:--" in text):
        return "markdown"
    return "text"


def read_bytes(data: bytes, path: str = "<bytes>") -> Decoded:
    warnings: list[dict] = []
    if len(data) > MAX_BYTES:
        warnings.append(_warn("file_too_large", f"文件大小 {len(data)} 字节，只读取前 {MAX_BYTES} 字节"))
        data = data[:MAX_BYTES]
    if not data.strip():
        warnings.append(_warn("empty_file", "文件为空"))
    text, encoding, decode_warnings = decode(data)
    warnings.extend(decode_warnings)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return Decoded(text=text, encoding=encoding, format=sniff_format(path, text), warnings=warnings)


def read_raw(path: str) -> bytes:
    """The file's bytes (at most MAX_BYTES + 1), or UnreadableFile saying why not."""
    try:
        with open(path, "rb") as fh:
            return fh.read(MAX_BYTES + 1)
    except IsADirectoryError:
        raise UnreadableFile("是一个目录，不是文件") from None
    except FileNotFoundError:
        raise UnreadableFile("文件不存在") from None
    except PermissionError:
        raise UnreadableFile("没有读取权限") from None
    except OSError as exc:
        raise UnreadableFile(f"无法读取：{exc.strerror or exc}") from None


def read_file(path: str) -> tuple[bytes, Decoded]:
    data = read_raw(path)
    return data, read_bytes(data, path)
