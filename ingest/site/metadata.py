"""Generate `metadata.yml` for Datasette from the schema and the `.sql` files.

Why generated: table and column descriptions live once in `ingest/database/schema.py` (TABLES), the canned
queries live once in `canned_queries/**/*.sql` (reviewable, runnable with sqlite3). The YAML copies
both so Datasette can serve them; `python -m ingest.site.metadata --check` (and a test) fail when the
committed file is stale.

Header format of a canned-query file — comment lines at the very top, before any SQL:

    -- title: 按年份统计的申请数量
    -- description: 每个年度收到和处理的政府信息公开申请……
    -- description: (a second description line is appended to the first)
    -- fragment: optional URL fragment appended to links to the query
    -- hide_sql: true           (optional)
    -- with: filters, check_failures   (optional: shared CTEs, see below)

`-- with:` names files of `canned_queries/shared/` (NAME.sql: one or more `name as (…)` definitions separated
by commas, no header); their CTEs are put in front of the query's own (`with <shared>, <own>` or `with <shared>
select …`). The chart queries share their filters (year range, province) and the check-failure CTEs this way:
one copy of each, in the files Datasette serves. `shared/` holds no queries of its own.

Other `-- key: value` header lines (the checks' `rule`, `status`, `severity`) are read by their
owners (`ingest.database.checks`) and left out of the YAML. A file with a `-- rule:` header holds only a
consistency rule: its canned query is the rule composed with the shared scope, filters and paging
(`ingest.database.checks.load_rule`, which also appends the paging note to its description).

The query's name is its path under `canned_queries/` without `.sql`, "/" replaced by "_"
(`checks/t3_balance.sql` → `checks_t3_balance`).
"""
from __future__ import annotations

import argparse
import importlib
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
QUERIES_DIR = ROOT / "canned_queries"
SHARED_DIR = QUERIES_DIR / "shared"
METADATA_PATH = ROOT / "metadata.yml"
DATABASE_NAME = "gongkai"
# 《中华人民共和国政府信息公开条例》(2019 revision, State Council decree 711) on the central government's site
REGULATION_URL = "https://www.gov.cn/zhengce/content/2019-04/15/content_5382991.htm"
CODE_LICENSE = "Apache-2.0"   # Datasette names a database after its file: gongkai.db

_HEADER = re.compile(r"^--\s*(\w+)\s*:\s*(.*?)\s*$")   # any `-- key: value`; checks add rule/status/severity
_RULE_HEADER = re.compile(r"^--\s*rule\s*:", re.M)

# Datasette table options the schema may carry (label_column, sort, fts_table…), copied as they are.
SCHEMA_OPTIONS = ("label_column", "sort", "sort_desc", "fts_table", "fts_pk", "hidden", "size")

# Default facets: a presentation choice of the site, not a schema fact. Only on tables of one row per report
# (or fewer): a default facet is a GROUP BY over the whole (filtered) table on every page view, which at
# national scale (2 million reports) means tens of millions of rows for the tables below.
FACETS: dict[str, list[str]] = {
    "reports": ["year", "template", "province"],
}
# Tables of many rows per report (cells ≈ 200, check_results ≈ 20, applications ≈ 20, sections ≈ 6 …): no
# default facets, so an unfiltered page reads one page of rows. A visitor can still facet by a column
# (the column menu, `?_facet=`), bounded by settings.json's facet_time_limit_ms.
LARGE_TABLES = ("cells", "check_results", "check_rows", "applications", "sections", "active_disclosure", "facts",
                "warnings", "reviews_litigation", "source_texts")


class QueryFileError(ValueError):
    """A canned-query file without the header the site needs (title and description)."""


def parse_query_file(path: Path) -> dict:
    """Split one `.sql` file into its header fields and its SQL (header lines removed)."""
    text = path.read_text(encoding="utf-8")
    if _RULE_HEADER.search(text.split("\n\n", 1)[0]):
        from ..database.checks import load_rule

        text = load_rule(path).sql
    lines = text.splitlines()
    fields: dict[str, str] = {}
    body_start = 0
    for i, line in enumerate(lines):
        m = _HEADER.match(line)
        if m:
            key, value = m.groups()
            fields[key] = f"{fields[key]}{value}" if key in fields and key == "description" else value
        elif line.strip():
            break
        body_start = i + 1
    sql = "\n".join(lines[body_start:]).strip()
    if not fields.get("title") or not fields.get("description"):
        raise QueryFileError(f"{path}: header needs '-- title:' and '-- description:' lines")
    if not sql:
        raise QueryFileError(f"{path}: no SQL after the header")
    if fields.get("with"):
        sql = with_shared(sql, [n.strip() for n in fields["with"].split(",") if n.strip()], path)
    query = {"title": fields["title"], "description": fields["description"], "sql": sql}
    if fields.get("fragment"):
        query["fragment"] = fields["fragment"]
    if fields.get("hide_sql", "").lower() in ("true", "yes", "1"):
        query["hide_sql"] = True
    return query


_WITH = re.compile(r"with\s", re.I)


def with_shared(sql: str, names: list[str], path: Path) -> str:
    """The query with the shared CTEs of `canned_queries/shared/NAME.sql` in front of its own."""
    parts = []
    for name in names:
        shared = SHARED_DIR / f"{name}.sql"
        if not re.fullmatch(r"[a-z_]+", name) or not shared.is_file():
            raise QueryFileError(f"{path}: '-- with: {name}': no file {shared}")
        parts.append(shared.read_text(encoding="utf-8").strip().rstrip(","))
    shared_sql = ",\n".join(parts)
    if _WITH.match(sql):
        return f"with {shared_sql},\n{sql[5:].lstrip()}"
    return f"with {shared_sql}\n{sql}"


def query_name(path: Path, root: Path = QUERIES_DIR) -> str:
    return "_".join(path.relative_to(root).with_suffix("").parts)


def canned_queries(root: Path = QUERIES_DIR) -> dict[str, dict]:
    """Every `.sql` file under `root`, recursively, sorted by name for a stable YAML."""
    queries: dict[str, dict] = {}
    for path in sorted(root.rglob("*.sql")):
        if path.parent.name == SHARED_DIR.name and path.parent.parent == root:
            continue                     # shared CTEs, put into the queries that name them
        name = query_name(path, root)
        if name in queries:
            raise QueryFileError(f"{path}: duplicate query name {name}")
        queries[name] = parse_query_file(path)
    return dict(sorted(queries.items()))


def _text(value) -> str | None:
    """The Chinese description in a column entry: a string, or (sqlite type, description)."""
    if isinstance(value, str):
        return value
    if isinstance(value, (tuple, list)):
        return value[-1] if value and isinstance(value[-1], str) else None
    if isinstance(value, dict):
        return value.get("description")
    return None


def _optional_module(name: str):
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        return None


def table_metadata() -> dict[str, dict]:
    """Descriptions of every table, view and FTS table, from ingest.database.schema (and ingest.database.checks).

    `ingest.database.checks` owns `check_results` and the `report_quality` view: its CHECK_TABLES, same shape.
    """
    from ..database import schema

    sources = [schema.TABLES]
    checks = _optional_module("ingest.database.checks")
    if checks is not None and isinstance(getattr(checks, "CHECK_TABLES", None), dict):
        sources.append(checks.CHECK_TABLES)
    tables: dict[str, dict] = {}
    for source in sources:
        for name, spec in source.items():
            entry: dict = {"description": spec["description"]}
            entry.update({k: spec[k] for k in SCHEMA_OPTIONS if spec.get(k) is not None})
            if name in FACETS and name not in LARGE_TABLES:
                entry["facets"] = FACETS[name]
            entry["columns"] = {col: _text(v) for col, v in spec["columns"].items()}
            tables[name] = entry
    tables[schema.FTS_TABLE] = {"description": schema.FTS_DESCRIPTION, "columns": dict(schema.FTS_COLUMNS)}
    for name, view in schema.VIEWS.items():
        tables.setdefault(name, {"description": view["description"],
                                 "columns": dict(view.get("columns") or {})})
    return dict(sorted(tables.items()))


def build_metadata(queries_root: Path = QUERIES_DIR) -> dict:
    return {
        "title": "政府信息公开工作年度报告数据库",
        "description": ("全国各级人民政府及其部门发布的政府信息公开工作年度报告，逐份解析为结构化数据："
                        "主动公开、依申请公开、行政复议和行政诉讼三张统计表，正文各部分，以及每个单元格在原文中的位置。"),
        # The data is government information published under the regulation, not ours to license; the
        # code's licence (Apache-2.0, pyproject.toml) is stated apart, in the footer and on /-/downloads.
        "license": "政府主动公开的信息（《中华人民共和国政府信息公开条例》）",
        "license_url": REGULATION_URL,
        "source": "各级人民政府及其部门网站公开发布的政府信息公开工作年度报告",
        "about": "数据来源、许可与下载",
        "about_url": "/-/downloads",
        "databases": {
            DATABASE_NAME: {
                "title": "政府信息公开工作年度报告",
                "description": "每份报告一行（reports），统计表、正文、警告和单元格出处各一张表；"
                               "报告详情页：/reports/报告编号。",
                "tables": table_metadata(),
                "queries": canned_queries(queries_root),
            }
        },
    }


class _Dumper(yaml.SafeDumper):
    pass


def _str_representer(dumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)

HEADER_COMMENT = "# Generated by `python -m ingest.site.metadata` from ingest/database/schema.py and canned_queries/**/*.sql — do not edit.\n"


def render(metadata: dict) -> str:
    return HEADER_COMMENT + yaml.dump(metadata, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=120)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingest.site.metadata", description="生成 metadata.yml")
    parser.add_argument("--check", action="store_true", help="fail if metadata.yml is not up to date")
    parser.add_argument("--output", type=Path, default=METADATA_PATH)
    args = parser.parse_args(argv)
    text = render(build_metadata())
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is stale: run python -m ingest.site.metadata", file=sys.stderr)
            return 1
        return 0
    args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
