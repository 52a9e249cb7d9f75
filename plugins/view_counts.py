"""Row counts for the views over the compact tables (`cells`, `sections`, `check_results`), so their unfiltered
pages read none.

Why: Datasette counts an unfiltered table page from its inspect data (`make serve` counts the tables at
start-up, a published directory ships `inspect-data.json`), but a view page runs `select count(*)` over the
view, which for `cells` joins two million rows to `reports` and `cell_keys` (2 s at 10,000 reports; SQLite
does not leave the joins out of a count). A view of schema.VIEW_TABLES has exactly one row per row of its
stored table (its LEFT JOINs are on unique keys), so its count is that table's, already in the inspect data;
so has `check_results` over `check_rows` (ingest.database.checks.VIEW_TABLES).

The counts are found by name only (`tables["cells"]`, which is how the table page looks them up) and not
listed among the tables: the database page lists `tables.items()` as tables and would fail on a view.
"""
from __future__ import annotations

from datasette import hookimpl

from ingest.database import checks, schema

VIEW_TABLES = {**schema.VIEW_TABLES, **checks.VIEW_TABLES}


class TableCounts(dict):
    """Inspect data's {table: {"count": n}} plus views answered by name from their stored table."""

    def __missing__(self, key):
        stored = VIEW_TABLES.get(key)
        if stored is not None and dict.__contains__(self, stored):
            return dict.__getitem__(self, stored)
        raise KeyError(key)


def with_view_counts(inspect_data: dict | None) -> None:
    """Make every database's `tables` of Datasette's inspect data answer for the views too (in place)."""
    for entry in (inspect_data or {}).values():
        tables = entry.get("tables") if isinstance(entry, dict) else None
        if isinstance(tables, dict) and not isinstance(tables, TableCounts):
            entry["tables"] = TableCounts(tables)


@hookimpl
def startup(datasette):
    with_view_counts(datasette.inspect_data)
