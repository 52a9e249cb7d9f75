"""Records → database rows, and the database's tables, indexes, views and lookup tables.

Split in two on purpose: `report_rows()` is a pure function that the parsing workers run (so the
expensive work — flattening the record and jieba segmentation — happens in parallel), and the
functions taking a `sqlite_utils.Database` run in the single process that writes the file.
"""
from __future__ import annotations

import concurrent.futures
import contextlib
import hashlib
import json
import re
import sqlite3
import unicodedata
from decimal import Decimal
from typing import Iterable

import sqlite_utils

from .. import forms
from . import schema
from . import interrupt
from .schema import FTS_TABLE, LOOKUP_TABLES, REPORT_TABLES, TABLES, VIEWS
from .search import segment
from . import sources
from .sources import link_sources  # noqa: F401  the build's post-load step (sidecars, page + attachment pairs)

_PY_TYPES = {"TEXT": str, "INTEGER": int, "REAL": float}
BAD_CELL_KINDS = ("unreadable", "missing")


def report_id(relpath: str) -> str:
    """Stable id from the path, so a report keeps its id (and its URL) when its content changes."""
    return hashlib.sha256(relpath.encode("utf-8", "surrogateescape")).hexdigest()[:16]


# --------------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------------

def _real(value) -> float | int | None:
    if type(value) is int or type(value) is float:     # nearly every value: no isinstance chain
        return value
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (int, float)):
        return value
    try:
        return float(Decimal(str(value)))
    except Exception:
        return None


def _int(value) -> int | None:
    v = _real(value)
    if v is None:
        return None
    if isinstance(v, float):
        return int(v) if v.is_integer() else None
    return v


def _exact(value) -> str | None:
    """The value as exact decimal text (no float rounding of 采购总金额 etc.)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    return str(value)


_PUNCT = re.compile(r"[\s\u3000（）()【】\[\]「」《》“”\"'·・,，.。、:：;；]+")


def agency_key(adcode: str | None, agency: str | None, region: dict | None = None,
               kind: str | None = None) -> str | None:
    """adcode + normalised agency name: the same agency gets the same id in every year's report.

    The region names are dropped from the front of the name (the adcode already says where), so
    "金东区财政局" and "财政局" under 330703 agree; a local government is just its adcode, whatever
    it calls itself (金东区 / 金东区人民政府 / 金东区政府).
    """
    if not agency and not adcode:
        return None
    code = adcode or "000000"
    name = unicodedata.normalize("NFKC", agency or "")
    try:
        from ..parser.normalize import to_simplified

        name = to_simplified(name)
    except Exception:  # the normaliser is optional here: the id is only less tolerant without it
        pass
    name = _PUNCT.sub("", name)
    prefixes = [p for p in ((region or {}).get(k) for k in ("province", "city", "county")) if p]
    changed = True
    while changed:
        changed = False
        for p in prefixes:
            for form in sorted({p, _short_region(p)}, key=len, reverse=True):
                if form and name.startswith(form) and len(name) > len(form):
                    name = name[len(form):]
                    changed = True
    if kind == "government":
        # a government is the same body whatever it calls itself: "平潭综合实验区管委会" and
        # "平潭综合实验区" agree, and a county's "人民政府"/"政府"/bare name all become "人民政府";
        # a managed zone keeps its own name, so it is not merged with its host county's government
        name = _GOVERNMENT_SUFFIX.sub("", name)
    if name in ("", "人民政府", "政府"):
        name = "人民政府"
    return f"{code}:{name}"


_GOVERNMENT_SUFFIX = re.compile(r"(人民政府|管理委员会|管委会|政府)$")


def _short_region(name: str) -> str:
    for suffix in ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "特别行政区", "省", "市", "区", "县"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def parse_status(record: dict | None) -> str:
    """ok / partial / failed: failed = no record; partial = warnings or cells that could not be read."""
    if not record:
        return "failed"
    stated = (record.get("report") or {}).get("parse_status") or record.get("parse_status")
    if stated in ("ok", "partial", "failed"):
        return stated
    if record.get("warnings") or any(c.get("kind") in BAD_CELL_KINDS for c in record.get("cells") or ()):
        return "partial"
    return "ok"


# --------------------------------------------------------------------------------------------
# One report → rows of every table (runs in the workers)
# --------------------------------------------------------------------------------------------

def report_rows(relpath: str, sha256: str | None, nbytes: int | None, record: dict | None, text: str | None,
                error: str | None = None, code: str = "parse_failed") -> dict[str, list[dict]]:
    """Flatten one parse record into rows per table, plus `sections_fts` rows (segmented text).

    `sections` and `sections_fts` rows are in the same order and get their shared id when inserted.
    A failed parse still gives a `reports` row (parse_status failed) and a warning saying why (`code`:
    parse_failed, parse_timeout, load_failed; `error` is the reason, or for parse_failed the error
    after "解析失败："), so a report is never silently missing from the database.
    """
    rid = report_id(relpath)
    out: dict[str, list[dict]] = {name: [] for name in REPORT_TABLES}
    out[FTS_TABLE] = []
    if record is None:
        out["reports"].append({
            "id": rid, "path": relpath, "sha256": sha256, "bytes": nbytes, "parse_status": "failed",
            "n_warnings": 1,
        })
        message = f"解析失败：{error or '未知错误'}" if code == "parse_failed" else (error or code)
        out["warnings"].append({"report_id": rid, "code": code, "message": message, "line": None})
        return out

    source = record.get("source") or {}
    rep = record.get("report") or {}
    region = rep.get("region") or {}
    warnings = record.get("warnings") or []
    out["reports"].append({
        "id": rid, "path": relpath, "sha256": sha256, "bytes": nbytes,
        "encoding": source.get("encoding"), "format": source.get("format"), "pages": _int(source.get("pages")),
        "title": rep.get("title"), "agency": rep.get("agency"), "agency_kind": rep.get("agency_kind"),
        "agency_id": agency_key(region.get("adcode"), rep.get("agency"), region, rep.get("agency_kind")),
        "year": _int(rep.get("year")), "published_on": rep.get("published_on"), "template": rep.get("template"),
        "adcode": region.get("adcode"), "province": region.get("province"), "city": region.get("city"),
        "county": region.get("county"), "parse_status": parse_status(record), "n_warnings": len(warnings),
    })
    out["reports"][0].update(sources.header_columns(text))  # 原文链接 of an archive header; sidecars: link_sources

    cells = record.get("cells") or []
    cell_at = {(c.get("table"), c.get("row"), c.get("col")): c for c in cells}

    for entry in record.get("active_disclosure") or []:
        for metric, value in (entry.get("values") or {}).items():
            cell = cell_at.get(("active_disclosure", entry.get("item_key"), metric)) or {}
            out["active_disclosure"].append({
                "report_id": rid, "block": entry.get("block"), "item": entry.get("item"),
                "item_key": entry.get("item_key"), "metric": metric, "value": _real(value),
                "value_exact": _exact(value), "unit_printed": cell.get("unit"), "line": cell.get("line"),
            })

    applications = record.get("applications") or {}
    order = {r.key: i for i, r in enumerate(forms.APPLICATION_ROWS, 1)}
    for row_key in sorted(applications, key=lambda k: (order.get(k, 999), k)):
        values = applications[row_key] or {}
        row = forms.APPLICATION_ROW_BY_KEY.get(row_key)
        out["applications"].append({
            "report_id": rid, "row_key": row_key, "row_order": order.get(row_key),
            "label": row.label if row else row_key,
            **{c: _int(values.get(c)) for c in forms.APPLICANT_COLUMN_KEYS},
        })

    reviews = record.get("reviews_litigation") or {}
    for i, kind in enumerate(forms.REVIEW_KINDS, 1):
        if kind.key in reviews:
            values = reviews[kind.key] or {}
            out["reviews_litigation"].append({
                "report_id": rid, "kind": kind.key, "kind_order": i, "label": kind.label,
                **{c: _int(values.get(c)) for c in forms.REVIEW_OUTCOME_KEYS},
            })

    for fact in record.get("facts") or []:
        out["facts"].append({"report_id": rid, "metric": fact.get("metric"), "value": _real(fact.get("value")),
                             "unit": fact.get("unit"), "text": fact.get("text"), "line": fact.get("line")})

    for i, item in enumerate(record.get("legacy_stats") or [], 1):
        span = item.get("span") or (None, None)
        out["legacy_stats"].append({
            "report_id": rid, "item_order": i, "item_key": item.get("key"), "label": item.get("label"),
            "unit": item.get("unit"), "value": _real(item.get("value")), "cumulative": _real(item.get("cumulative")),
            "kind": item.get("kind"), "kind_cumulative": item.get("kind_cumulative"), "printed": item.get("printed"),
            "line": item.get("line"), "span_start": span[0], "span_end": span[1], "page": item.get("page"),
        })

    for section in record.get("sections") or []:
        out["sections"].append({
            "report_id": rid, "number": section.get("number"), "title": section.get("title"),
            "text": section.get("text"), "line_start": section.get("line_start"),
            "line_end": section.get("line_end"),
        })
        out[FTS_TABLE].append(fts_row(rid, rep.get("title"), rep.get("agency"), section.get("title"),
                                      section.get("text")))

    for w in warnings:
        out["warnings"].append({"report_id": rid, "code": w.get("code"), "message": w.get("message"),
                                "line": w.get("line")})

    for c in cells:
        span = c.get("span") or (None, None)
        out["cells"].append({
            "report_id": rid, "table_name": c.get("table"), "row_key": c.get("row"), "col_key": c.get("col"),
            "value": _real(c.get("value")), "printed": c.get("printed"), "unit": c.get("unit"),
            "kind": c.get("kind"), "line": c.get("line"), "span_start": span[0], "span_end": span[1],
            "page": c.get("page"), "bbox": json.dumps(c["bbox"]) if c.get("bbox") else None,
        })

    if text is not None:
        out["source_texts"].append({"report_id": rid, "text": text})
    return out


def fts_row(rid: str, report_title, agency, section_title, text) -> dict:
    """One section's `sections_fts` values. The index is contentless (it keeps no copy of the text), so
    removing a section means giving FTS5 these same values again: `delete_reports` calls this on the
    stored title, agency and section text, which are what the build segmented."""
    heading_prefix = " ".join(x for x in (report_title, agency) if x)
    return {"report_id": rid, "heading": segment(" ".join(x for x in (heading_prefix, section_title) if x)),
            "body": segment(text)}


# --------------------------------------------------------------------------------------------
# Compact storage: readable rows → rows of cell_values / section_spans (the loader, one process)
# --------------------------------------------------------------------------------------------

_CELL_COLS = list(TABLES["cells"]["columns"])
_SECTION_COLS = list(TABLES["sections"]["columns"])
_KIND_CODES = schema.cell_kind_codes()
_C_TABLE, _C_ROW, _C_COL, _C_VALUE, _C_PRINTED, _C_KIND = (
    _CELL_COLS.index(c) for c in ("table_name", "row_key", "col_key", "value", "printed", "kind"))
_C_REST = [_CELL_COLS.index(c) for c in ("line", "span_start", "span_end", "page", "bbox")]
_C_UNIT = _CELL_COLS.index("unit")
_S = {c: i for i, c in enumerate(_SECTION_COLS)}
_MAX_EXACT = 1 << 53


def stored_printed(printed, value):
    """What cell_values.printed keeps of a cell's printed text: None when the view can render it from the
    value (the integer's decimal digits, 187,000 of 198,000 cells), X'' for a printed None beside a value,
    else the text itself. The view `cells` undoes exactly this (schema.VIEW_SQL)."""
    if printed is None:
        return b"" if value is not None else None
    if (isinstance(printed, str) and isinstance(value, (int, float)) and not isinstance(value, bool)
            and value == value and abs(value) < _MAX_EXACT and float(value).is_integer()
            and printed == str(int(value))):
        return None
    return printed


def stored_span_end(span_end, span_start, printed):
    """cell_values.span_end: None when it is span_start + the printed text's length (the view adds them up),
    X'' for a missing end the view would otherwise compute, else the position itself."""
    inferable = isinstance(span_start, int) and not isinstance(span_start, bool) and isinstance(printed, str)
    if not inferable:
        return span_end
    if span_end is None:
        return b""
    return None if span_end == span_start + len(printed) else span_end


def stored_extra(unit, page, bbox) -> str | None:
    """cell_values.extra: [unit, page, bbox] as JSON, None when all three are (a text report's cells but one)."""
    if unit is None and page is None and bbox is None:
        return None
    return json.dumps([unit, page, bbox], ensure_ascii=False)


def cell_values_row(report_key: int, cell_key: int, row: tuple) -> tuple:
    kind = row[_C_KIND]
    line, start, end, page, bbox = (row[i] for i in _C_REST)
    return (report_key, cell_key, row[_C_VALUE], stored_printed(row[_C_PRINTED], row[_C_VALUE]),
            _KIND_CODES.get(kind, kind), line, start, stored_span_end(end, start, row[_C_PRINTED]),
            stored_extra(row[_C_UNIT], page, bbox))


def section_spans_row(report_key: int, row: tuple, source: str | None, hint: int) -> tuple[tuple, int]:
    """The section's row of section_spans and where to look for the next one: its text as a (1-based)
    character range of the report's source text when it is found there, else the text itself."""
    text = row[_S["text"]]
    start = length = None
    own = text
    if isinstance(text, str) and isinstance(source, str):
        at = source.find(text, hint)
        if at < 0:
            at = source.find(text)
        if at >= 0:
            start, length, own = at + 1, len(text), None
            hint = at + len(text)
    return ((row[_S["id"]], report_key, row[_S["number"]], row[_S["title"]], row[_S["line_start"]],
             row[_S["line_end"]], start, length, own), hint)


def section_text(source: str | None, start: int | None, length: int | None, own: str | None) -> str | None:
    """A section's text from its section_spans columns (text_start, text_length, text) and its report's source
    text: what section_spans_row stored, undone as the view `sections` does (schema.SECTION_TEXT_SQL)."""
    if start is None:
        return own
    return source[start - 1:start - 1 + length] if source is not None else None


# --------------------------------------------------------------------------------------------
# Database side (single writer process)
# --------------------------------------------------------------------------------------------

def table_sql(name: str, spec: dict) -> str:
    """CREATE TABLE for what sqlite-utils does not write: VIRTUAL generated columns, WITHOUT ROWID."""
    generated = spec.get("generated") or {}
    fks = {col: (other, ocol) for col, other, ocol in spec.get("foreign_keys") or ()}
    cols = []
    for col, (typ, _) in spec["columns"].items():
        sql = f"[{col}] {typ}"
        if col in generated:
            sql += f" GENERATED ALWAYS AS ({generated[col]}) VIRTUAL"
        if col in fks:
            sql += f" REFERENCES [{fks[col][0]}]([{fks[col][1]}])"
        cols.append(sql)
    pk = spec.get("pk")
    if isinstance(pk, (tuple, list)):
        cols.append(f"PRIMARY KEY ({', '.join(pk)})")
    elif pk:
        cols[list(spec["columns"]).index(pk)] += " PRIMARY KEY"
    return f"CREATE TABLE [{name}] ({', '.join(cols)})" + (" WITHOUT ROWID" if spec.get("without_rowid") else "")


def written_columns(name: str) -> list[str]:
    """The columns the loader writes: all but the generated ones."""
    generated = TABLES[name].get("generated") or {}
    return [c for c in TABLES[name]["columns"] if c not in generated]


def create_tables(db: sqlite_utils.Database) -> None:
    """Create every table of `schema.TABLES` and the FTS table (no secondary indexes yet)."""
    for name, spec in TABLES.items():
        if spec.get("view_of") or db[name].exists():
            continue
        if spec.get("without_rowid") or spec.get("generated"):
            db.execute(table_sql(name, spec))
            continue
        if spec.get("ddl"):       # a shape sqlite-utils cannot declare (WITHOUT ROWID, integer primary key)
            db.execute(spec["ddl"])
            continue
        db[name].create(
            {col: _PY_TYPES[typ] for col, (typ, _) in spec["columns"].items()},
            pk=spec.get("pk"),
            foreign_keys=spec.get("foreign_keys") or None,
        )
    # the compact tables and their views find a report by report_key: unique, so the views' joins are exact
    db.execute("CREATE UNIQUE INDEX IF NOT EXISTS idx_reports_report_key ON reports (report_key)")
    db.execute("CREATE UNIQUE INDEX IF NOT EXISTS idx_cell_keys_key ON cell_keys (table_name, row_key, col_key)")
    if not db.execute("SELECT 1 FROM cell_keys LIMIT 1").fetchone():
        with db.conn:
            db.conn.executemany("INSERT INTO cell_keys (code, table_name, row_key, col_key) VALUES (?, ?, ?, ?)",
                                schema.cell_key_rows())
    # contentless: the text is in source_texts (section_spans says where), FTS5 keeps only its index; and
    # detail=column: which words are in which column of a section, not their positions (3.5 → 1.7 KB a
    # report); the queries are words ANDed (search.fts_query), which need no positions
    db.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS [{FTS_TABLE}] USING "
               "fts5(report_id UNINDEXED, heading, body, content='', detail=column)")
    create_views(db, only=schema.VIEW_TABLES)


def create_indexes(db: sqlite_utils.Database) -> None:
    """Indexes for the site's queries; created after bulk loading, which is much faster."""
    for name, spec in TABLES.items():
        for cols in spec.get("indexes") or []:
            db[name].create_index(cols, if_not_exists=True)


def write_lookups(db: sqlite_utils.Database) -> None:
    """(Re)fill form_rows / form_columns / form_metrics from `ingest.forms`, the single source of truth."""
    for name in LOOKUP_TABLES:
        db.execute(f"DELETE FROM [{name}]")
    db["form_rows"].insert_all(
        {"key": r.key, "order": i, "label_zh": r.label, "number": r.number, "group": r.group,
         "template": ",".join(r.templates), "variants": "|".join(r.labels[1:])}
        for i, r in enumerate(forms.APPLICATION_ROWS, 1))
    columns = [{"table_name": "applications", "key": c.key, "order": i, "label_zh": c.label, "group": "applicant",
                "description": c.description} for i, c in enumerate(forms.APPLICANT_COLUMNS, 1)]
    columns += [{"table_name": "reviews_litigation", "key": c.key, "order": i, "label_zh": c.label, "group": "kind",
                 "description": c.description} for i, c in enumerate(forms.REVIEW_KINDS, 1)]
    columns += [{"table_name": "reviews_litigation", "key": c.key, "order": i, "label_zh": c.label,
                 "group": "outcome", "description": c.description} for i, c in enumerate(forms.REVIEW_OUTCOMES, 1)]
    db["form_columns"].insert_all(columns)
    metrics = []
    for template, items in forms.ACTIVE_ITEMS.items():
        for item in items:
            for i, m in enumerate(item.metrics, 1):
                metrics.append({"table_name": "active_disclosure", "template": template, "block": item.block,
                                "block_title": forms.BLOCK_TITLES.get(item.block), "item_key": item.key,
                                "item_label_zh": item.label, "key": m.key, "order": i, "label_zh": m.label,
                                "kind": m.kind, "description": m.description})
    for i, (key, label) in enumerate(forms.FACT_METRICS.items(), 1):
        metrics.append({"table_name": "facts", "template": "any", "block": None, "block_title": None,
                        "item_key": "", "item_label_zh": None, "key": key, "order": i, "label_zh": label,
                        "kind": "amount" if key.endswith("_yuan") else "count", "description": label})
    for i, item in enumerate(forms.LEGACY_ITEMS, 1):
        metrics.append({"table_name": "legacy_stats", "template": "legacy", "block": item.group or None,
                        "block_title": None, "item_key": item.key, "item_label_zh": item.label, "key": item.key,
                        "order": i, "label_zh": item.label, "kind": "amount" if item.unit in ("元", "万元") else "count",
                        "description": f"{item.description}（{item.unit}）；其他写法：{'、'.join(item.labels[1:]) or '无'}"})
    db["form_metrics"].insert_all(metrics)
    db["code_labels"].insert_all(schema.code_label_rows())


def create_views(db: sqlite_utils.Database, only=None) -> None:
    """The views: the readable shape of the compact tables (schema.VIEW_SQL), then schema.VIEWS."""
    views = {**schema.VIEW_SQL, **{name: spec["sql"] for name, spec in VIEWS.items()}}
    for name, sql in views.items():
        if only is not None and name not in only:
            continue
        db.execute(f"DROP VIEW IF EXISTS [{name}]")
        db.execute(f"CREATE VIEW [{name}] AS {sql}")


def delete_reports(db: sqlite_utils.Database, ids: Iterable[str]) -> int:
    """Remove every row that belongs to these reports: every table with a report_id (incl. check_results),
    the compact tables (by report_key) and the full-text index. The one place a report's rows are deleted
    (the incremental build and the page + attachment merge call it).

    The index is contentless, so each section is removed by giving FTS5 the values it was indexed with:
    segmented again from the stored title, agency and section text (`fts_row`, deterministic)."""
    ids = list(ids)
    if not ids:
        return 0
    tables = [t for t in db.table_names() if t != "reports" and not t.startswith(FTS_TABLE)
              and "report_id" in db[t].columns_dict]
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        indexed = db.execute(
            f"SELECT s.id, r.id, r.title, r.agency, s.title, s.text FROM sections s JOIN reports r ON r.id = s.report_id "
            f"WHERE r.id IN ({marks})", chunk).fetchall()
        db.conn.executemany(
            f"INSERT INTO [{FTS_TABLE}] ([{FTS_TABLE}], rowid, report_id, heading, body) VALUES ('delete', ?, ?, ?, ?)",
            [(sid, *fts_row(rid, title, agency, stitle, text).values()) for sid, rid, title, agency, stitle, text
             in indexed])
        keys = f"SELECT report_key FROM reports WHERE id IN ({marks})"
        for t in schema.COMPACT_TABLES:
            db.execute(f"DELETE FROM [{t}] WHERE report_key IN ({keys})", chunk)
        for t in tables:
            db.execute(f"DELETE FROM [{t}] WHERE report_id IN ({marks})", chunk)
        db.execute(f"DELETE FROM reports WHERE id IN ({marks})", chunk)
    return len(ids)


def as_tuples(rows: dict[str, list[dict]]) -> dict[str, list[tuple]]:
    """Rows as tuples in schema column order: smaller to send between processes, fast to insert."""
    out = {}
    for name in REPORT_TABLES:
        cols = tuple(TABLES[name]["columns"])
        out[name] = [tuple(map(r.get, cols)) for r in rows.get(name) or ()]
    out[FTS_TABLE] = [(r["report_id"], r["heading"], r["body"]) for r in rows.get(FTS_TABLE) or ()]
    return out


# The largest and smallest integer SQLite stores (64-bit); Python's sqlite3 refuses anything beyond.
INT64_MAX = (1 << 63) - 1
INT64_MIN = -(1 << 63)
_STORABLE = (str, int, float, bytes, type(None))


def storable(rows: dict[str, list[tuple]]) -> tuple[dict[str, list[tuple]], list[str]]:
    """One report's rows with every value SQLite can store: an integer beyond 64 bits or a value of
    another type becomes null, a text with characters UTF-8 cannot encode (surrogates) is kept with
    them escaped (\\xNN). Returns the rows and one line per kind of problem (table.column: what was done).

    Only called on a report whose rows SQLite refused (Loader.flush), so the common case pays nothing.
    """
    problems: dict[str, int] = {}
    out: dict[str, list[tuple]] = {}
    shown_as = {stored: view for view, stored in schema.VIEW_TABLES.items()}   # cell_values → cells, as read
    for name, table_rows in rows.items():
        cols = written_columns(name) if name in TABLES else ["rowid", "report_id", "heading", "body"]
        fixed_rows = []
        for row in table_rows:
            fixed = list(row)
            for i, value in enumerate(row):
                fixed[i], what = _storable_value(value)
                if what:
                    key = f"{shown_as.get(name, name)}.{cols[i] if i < len(cols) else i}：{what}"
                    problems[key] = problems.get(key, 0) + 1
            fixed_rows.append(tuple(fixed))
        out[name] = fixed_rows
    return out, [f"{what}（{n} 处）" if n > 1 else what for what, n in problems.items()]


def _storable_value(value):
    """(value SQLite accepts, None) or (replacement, what was done)."""
    if value is None or type(value) in (float, bytes):
        return value, None
    if isinstance(value, bool):
        return int(value), None
    if isinstance(value, int):
        if INT64_MIN <= value <= INT64_MAX:
            return int(value), None
        return None, f"整数超出 SQLite 可存储的 64 位范围（约 {int(value.bit_length() * 0.30103) + 1} 位数字），已存为空值"
    if isinstance(value, float):
        return float(value), None
    if isinstance(value, str):
        value = str(value)
        try:
            value.encode("utf-8")
            return value, None
        except UnicodeEncodeError:
            return value.encode("utf-8", "surrogatepass").decode("utf-8", "backslashreplace") \
                if not _only_escapes(value) else \
                value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace"), \
                "文字含无法编码的字符，已转义保存"
    return None, f"无法存储的数据类型 {type(value).__name__}，已存为空值"


def _only_escapes(text: str) -> bool:
    """True if every unencodable character is a surrogateescape byte (U+DC80..U+DCFF)."""
    return all("\udc80" <= c <= "\udcff" for c in text if "\ud800" <= c <= "\udfff")


def with_warnings(rows: dict[str, list[tuple]], code: str, messages: list[str]) -> dict[str, list[tuple]]:
    """The report's rows with these warnings added (warnings rows, reports.n_warnings, status partial)."""
    if not messages:
        return rows
    cols = list(TABLES["reports"]["columns"])
    report = list(rows["reports"][0])
    rid = report[cols.index("id")]
    at_n, at_status = cols.index("n_warnings"), cols.index("parse_status")
    report[at_n] = (report[at_n] or 0) + len(messages)
    if report[at_status] == "ok":
        report[at_status] = "partial"
    wcols = list(TABLES["warnings"]["columns"])
    extra = [tuple({"report_id": rid, "code": code, "message": m, "line": None}.get(c) for c in wcols)
             for m in messages]
    return {**rows, "reports": [tuple(report)], "warnings": list(rows.get("warnings") or []) + extra}


BATCH_REPORTS = 500     # reports written in one batch


class Loader:
    """Buffers the rows of many reports and writes them in large batches.

    Tables are created by sqlite-utils from the schema; the millions of rows of a large build are
    written with `executemany` on the same connection, because sqlite-utils' per-value work in
    `insert_all` (about 6 µs a value) would take most of the 6-minute budget for 100,000 reports.

    One report never loses the batch: when SQLite refuses a batch (a value it cannot store, anything
    else), the batch is rolled back and written report by report; a refused report is written again
    with its values made storable (`storable`, warning `value_not_storable`), and if even that fails it
    is kept as a failed report (warning `load_failed`). `warn(path, message)` is told each time.
    The rollback needs a journal: the build's temporary database uses journal_mode MEMORY, not OFF.

    With `background=True` a full batch is written on a second thread while the caller goes on receiving
    and encoding the next one: the parse workers' results keep being read, so they do not stand idle
    (blocked on a full pipe) for the half second a batch takes to write — a fifth of a large build's
    parse-and-load time. SQLite runs without the GIL, and at most one batch is in flight; the connection
    must allow use from another thread (check_same_thread=False), and nothing else may use it until
    `flush()` returns.
    """

    def __init__(self, db: sqlite_utils.Database, batch_reports: int = BATCH_REPORTS, warn=None, background: bool = False):
        self.db = db
        self.batch_reports = batch_reports
        self.warn = warn or (lambda path, message: None)
        self.writer = concurrent.futures.ThreadPoolExecutor(1, "gongkai-load") if background else None
        self.in_flight: tuple[list, concurrent.futures.Future] | None = None
        self.pending: list[dict[str, list[tuple]]] = []
        self.statuses: dict[str, int] = {"ok": 0, "partial": 0, "failed": 0}
        self.sql = {}
        # what is written: the readable tables as they are, cells and sections as their compact tables
        self.tables = tuple(n for n in REPORT_TABLES if n not in schema.VIEW_TABLES) + schema.COMPACT_TABLES
        for name in self.tables:
            cols = written_columns(name)
            self.sql[name] = (f"INSERT INTO [{name}] ({', '.join(f'[{c}]' for c in cols)}) "
                              f"VALUES ({', '.join('?' * len(cols))})")
        # generated columns (schema TABLES[...]["generated"]) are computed by SQLite: their values are dropped
        self.keep = {name: [i for i, c in enumerate(TABLES[name]["columns"]) if c not in TABLES[name]["generated"]]
                     for name in self.tables if TABLES[name].get("generated")}
        self.sql[FTS_TABLE] = f"INSERT INTO [{FTS_TABLE}] (rowid, report_id, heading, body) VALUES (?, ?, ?, ?)"
        self.section_id_at = list(TABLES["sections"]["columns"]).index("id")
        self.status_at = list(TABLES["reports"]["columns"]).index("parse_status")
        self.path_at = list(TABLES["reports"]["columns"]).index("path")
        self.key_at = list(TABLES["reports"]["columns"]).index("report_key")
        self.next_section_id = (db.execute("SELECT max(id) FROM section_spans").fetchone()[0] or 0) + 1
        self.next_report_key = (db.execute("SELECT max(report_key) FROM reports").fetchone()[0] or 0) + 1
        self.cell_keys = {(t, r, c): code for code, t, r, c in
                          db.execute("SELECT code, table_name, row_key, col_key FROM cell_keys")}

    def add(self, rows: dict[str, list[tuple]]) -> None:
        """Queue one report's rows (as made by `as_tuples`); sections get their id here."""
        i = self.section_id_at
        sections, fts = [], []
        for section, text in zip(rows["sections"], rows[FTS_TABLE]):
            sid = self.next_section_id
            self.next_section_id += 1
            sections.append(section[:i] + (sid,) + section[i + 1:])
            fts.append((sid,) + tuple(text))
        self.pending.append(self._encode({**rows, "sections": sections, FTS_TABLE: fts}))
        if len(self.pending) >= self.batch_reports:
            self._write(wait=False)

    def _encode(self, rows: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
        """One report's readable rows → the rows written: a report_key for the report, its cells as
        cell_values (integer codes, printed text only where the value does not say it), its sections as
        character ranges of its source text (section_spans)."""
        report = rows["reports"][0]
        key = report[self.key_at]
        if key is None:
            key = self.next_report_key
            self.next_report_key += 1
            report = report[:self.key_at] + (key,) + report[self.key_at + 1:]
        cells = []
        for c in rows.get("cells") or ():
            triple = (c[_C_TABLE], c[_C_ROW], c[_C_COL])
            code = self.cell_keys.get(triple)
            if code is None:
                code = self._new_cell_key(triple)
            cells.append(cell_values_row(key, code, c))
        source = next((t[1] for t in rows.get("source_texts") or ()), None)
        spans, hint = [], 0
        for sec in rows.get("sections") or ():
            span, hint = section_spans_row(key, sec, source, hint)
            spans.append(span)
        out = {name: rows.get(name) or [] for name in self.tables if name not in schema.COMPACT_TABLES}
        for name, keep in self.keep.items():
            out[name] = [tuple(row[i] for i in keep) for row in out[name]]
        out.update({"reports": [report], "cell_values": cells, "section_spans": spans,
                    FTS_TABLE: rows.get(FTS_TABLE) or []})
        return out

    def _new_cell_key(self, triple: tuple) -> int:
        """A cell key the forms do not define: appended to cell_keys at once (its own small transaction, so a
        batch rolled back later cannot take it away while this loader still uses it)."""
        self._settle()      # the connection is the writer thread's while a batch is in flight
        code = (self.db.execute("SELECT max(code) FROM cell_keys").fetchone()[0] or 0) + 1
        with self.db.conn:
            self.db.conn.execute("INSERT INTO cell_keys (code, table_name, row_key, col_key) VALUES (?, ?, ?, ?)",
                                 (code, *triple))
        self.cell_keys[triple] = code
        return code

    def _insert(self, reports: list[dict[str, list[tuple]]]) -> None:
        """One batch under a savepoint: a refused batch is undone alone, also inside the one transaction of an
        incremental build (ingest.database.build), where `with conn` would neither commit nor roll back."""
        conn = self.db.conn
        conn.execute("SAVEPOINT load_batch")
        try:
            for name in (*self.tables, FTS_TABLE):  # reports first: the other tables refer to it
                batch = [row for rows in reports for row in rows[name]]
                if batch:
                    conn.executemany(self.sql[name], batch)
                    if name == "reports":
                        interrupt.stall("load", conn)
        except BaseException:
            try:
                conn.execute("ROLLBACK TO load_batch")
                conn.execute("RELEASE load_batch")
            except sqlite3.Error:
                pass
            raise
        conn.execute("RELEASE load_batch")
        conn.commit()

    def flush(self) -> None:
        """Write everything queued; on return every report is stored (or recorded as failed)."""
        self._write(wait=True)

    def _write(self, wait: bool) -> None:
        reports, self.pending = self.pending, []
        self._settle()
        if reports and self.writer is not None:
            self.in_flight = (reports, self.writer.submit(self._refused, reports))
        elif reports:
            self._stored(reports, self._refused(reports))
        if wait:
            self._settle()
            if self.writer is not None:
                self.writer.shutdown()
                self.writer = None

    def abandon(self) -> None:
        """After an error elsewhere: let the batch in flight end (a stop signal interrupts it) before the caller
        cleans up; its rows are not counted."""
        if self.in_flight is not None:
            with contextlib.suppress(BaseException):
                self.in_flight[1].exception(timeout=10)
            self.in_flight = None
        if self.writer is not None:
            self.writer.shutdown(wait=False)
            self.writer = None

    def _settle(self) -> None:
        """Wait for the batch in flight (raising what its thread raised) and finish it."""
        if self.in_flight is None:
            return
        reports, future = self.in_flight
        self.in_flight = None
        self._stored(reports, future.result())

    def _stored(self, reports: list[dict[str, list[tuple]]], refused: Exception | None) -> None:
        """After a batch's insert: count it, or write it report by report when SQLite refused it."""
        if refused is None:
            for rows in reports:
                self._count(rows)
            return
        for rows in reports:
            self._insert_one(rows)

    def _refused(self, reports: list[dict[str, list[tuple]]]) -> Exception | None:
        """Insert the reports (one savepoint); None when stored, else the error SQLite gave about the data.
        An error that is not about the data (disk full, interrupted) is raised: it stops the build."""
        try:
            self._insert(reports)
            return None
        except Exception as exc:
            _stop_check()
            if not about_the_data(exc):
                raise
            return exc

    def _insert_one(self, rows: dict[str, list[tuple]]) -> None:
        """One report SQLite refused in its batch: as it is, else with its unstorable values null, else as
        `failed` (load_failed); when not even that can be stored, a warning and the build goes on."""
        report = rows["reports"][0]
        path = report[self.path_at]
        error = self._refused([rows])
        if error is None:
            self._count(rows)
            return
        fixed, problems = storable(rows)
        if problems:
            fixed = with_warnings(fixed, "value_not_storable", problems)
            refused = self._refused([fixed])
            if refused is None:
                self._count(fixed)
                for p in problems:
                    self.warn(path, p)
                return
            error = refused
        detail = f"入库失败：{type(error).__name__}: {error}"
        self.warn(path, detail)
        cols = list(TABLES["reports"]["columns"])
        failed = self._encode(as_tuples(report_rows(_text(path), report[cols.index("sha256")],
                                                    report[cols.index("bytes")], None, None, error=detail,
                                                    code="load_failed")))
        refused = self._refused([failed])
        if refused is None:
            self._count(failed)
        else:                       # not even the failed report can be stored: say so, go on
            self.warn(path, f"无法写入数据库，报告未收录：{type(refused).__name__}: {refused}")

    def _count(self, rows: dict[str, list[tuple]]) -> None:
        status = rows["reports"][0][self.status_at]
        self.statuses[status] = self.statuses.get(status, 0) + 1


def about_the_data(exc: BaseException) -> bool:
    """True when SQLite refused these rows (a value, a key), False when it cannot write at all (disk full,
    I/O error, read-only, interrupted): that stops the build (the previous database stays) rather than
    failing every report one by one and replacing the database with an empty one."""
    return isinstance(exc, (OverflowError, ValueError, TypeError, UnicodeError, IndexError,
                            sqlite3.IntegrityError, sqlite3.DataError, sqlite3.InterfaceError, sqlite3.ProgrammingError))


def _text(value) -> str:
    value, _ = _storable_value(value if isinstance(value, str) else str(value))
    return value


def _stop_check() -> None:
    """A Ctrl-C that aborted the insert is not a bad value: stop instead of retrying report by report."""
    interrupt.check()
