"""Which language a visitor's browser asks for: Chinese (the site's language) unless it asks for English first.

Why so narrow: the site is for readers of Chinese, and almost every browser in China sends zh-CN; a
browser whose first choice is English and which names no Chinese at all gets Datasette's own English
page chrome (plugins/english.py). Anything else — no header, zh first, zh anywhere, another language —
gets the Chinese site.
"""
from __future__ import annotations

MAX_HEADER = 512          # a longer Accept-Language is cut: nothing real is that long


def prefers_english(accept_language: str | bytes | None) -> bool:
    if not accept_language:
        return False
    if isinstance(accept_language, bytes):
        accept_language = accept_language.decode("latin-1")
    ranked = []
    for i, part in enumerate(accept_language[:MAX_HEADER].split(",")):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip().lower()
        if not tag:
            continue
        q = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                q = float(params[2:])
            except ValueError:
                q = 0.0
        ranked.append((-q, i, tag))
    if not ranked or any(tag.startswith("zh") for _, _, tag in ranked):
        return False
    ranked.sort()
    first = ranked[0]
    return first[0] < 0 and first[2].split("-")[0] == "en"


def request_language(headers: dict) -> str:
    """"en" or "zh" for ASGI headers ({bytes: bytes}) or Datasette's request.headers ({str: str})."""
    value = headers.get(b"accept-language") if any(isinstance(k, bytes) for k in headers) else \
        headers.get("accept-language")
    return "en" if prefers_english(value) else "zh"
