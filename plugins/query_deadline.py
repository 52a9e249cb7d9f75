"""Every query the site runs ends at `sql_time_limit_ms`, also inside FTS5 and Python SQL functions.

Why a plugin: Datasette's own limit (a progress handler) misses work done outside the statement's
instructions; `ingest.site.deadline` adds a watchdog that interrupts such a query and publishes the
deadline to our SQL functions (plugins/jieba_search.py). Installed at startup, before any request.
"""
from __future__ import annotations

from datasette import hookimpl

from ingest.site import deadline


@hookimpl
def startup(datasette):
    deadline.install()
