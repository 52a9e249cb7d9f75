"""The sidecar record `FILE.source.json` saved next to every collected file: where the file came from.

Why a file beside the file (not only the collector's state): the folder stays self-describing when
it is copied, zipped or built elsewhere, and `gongkai build` reads the record into `reports`
(`ingest/database/sources.py`) without knowing anything about the collector.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

SUFFIX = ".source.json"

# the keys every record has (values may be null); documented in README "Collecting reports"
KEYS = ("source_url", "final_url", "retrieved_at", "http_status", "content_type", "sha256", "bytes",
        "link_text", "found_on", "found_on_title", "title", "attached_to", "etag", "last_modified", "charset")


def sidecar_path(path: str | os.PathLike) -> Path:
    path = Path(path)
    return path.with_name(path.name + SUFFIX)


def write(path: str | os.PathLike, record: dict) -> Path:
    """Write the record for the file at `path` (atomically: a reader never sees half a record)."""
    target = sidecar_path(path)
    body = {key: record.get(key) for key in KEYS}
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(json.dumps(body, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, target)
    return target


def read(path: str | os.PathLike) -> dict | None:
    """The record of the file at `path`; None when it has none. Raises ValueError when it is unreadable."""
    target = sidecar_path(path)
    try:
        raw = target.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ValueError(f"{target.name}: {exc.strerror or exc}") from exc
    try:
        record = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{target.name}: 不是有效的 JSON（{exc}）") from exc
    if not isinstance(record, dict):
        raise ValueError(f"{target.name}: 不是 JSON 对象")
    return record
