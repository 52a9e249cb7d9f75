"""What earlier runs fetched, so a second run asks only "has it changed?" (ETag / Last-Modified).

A small SQLite file, `OUT/.collect/state.sqlite` (the build skips dot folders): one row per URL
with its validators, the sha256 and path of the saved file, its role, and for pages the links
found on them, so a page answered with 304 Not Modified still leads to its reports and
attachments. Each result is committed as it arrives: a run that is killed resumes where it stopped.
"""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

STATE_DIR = ".collect"


class State:
    def __init__(self, out: Path):
        folder = Path(out) / STATE_DIR
        folder.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(folder / "state.sqlite")
        # WAL without fsync per commit: a killed run loses nothing committed; only a power cut may
        # lose the last few rows (those URLs are then fetched again). fsync per URL cost 16 ms here.
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA synchronous = NORMAL")
        self.conn.execute("""CREATE TABLE IF NOT EXISTS urls (
            url TEXT PRIMARY KEY, role TEXT, path TEXT, etag TEXT, last_modified TEXT, sha256 TEXT,
            status INTEGER, retrieved_at TEXT, checked_at TEXT, error TEXT, links TEXT)""")
        self.conn.commit()

    def get(self, url: str) -> dict | None:
        cur = self.conn.execute("SELECT * FROM urls WHERE url = ?", (url,))
        row = cur.fetchone()
        if row is None:
            return None
        out = dict(zip((d[0] for d in cur.description), row))
        out["links"] = json.loads(out["links"]) if out["links"] else None
        return out

    def put(self, url: str, **values) -> None:
        """Insert or update the URL's row with these columns (the others keep their values)."""
        if "links" in values and values["links"] is not None:
            values["links"] = json.dumps(values["links"], ensure_ascii=False)
        cols = ["url", *values]
        self.conn.execute(
            f"INSERT INTO urls ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))}) "
            f"ON CONFLICT(url) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in values)}",
            (url, *values.values()))
        self.conn.commit()

    def close(self) -> None:
        self.conn.close()
