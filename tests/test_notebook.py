"""notebooks/analysis.ipynb runs from a clean kernel against a database built from data/reports.

Why execute it in the suite: a notebook nobody runs rots silently (a renamed column, a changed view);
here a broken cell fails the build. The assertions compare what the notebook printed and showed with
the same facts read directly from the database, so a notebook that runs but answers wrongly fails too.
"""
from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from ingest.database.build import build

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "data" / "reports"
NOTEBOOK = ROOT / "notebooks" / "analysis.ipynb"


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """(executed notebook, database path); GONGKAI_DB points the kernel at the fresh database."""
    import nbformat
    from nbclient import NotebookClient

    db = tmp_path_factory.mktemp("notebook") / "gongkai.db"
    build([REPORTS], db, workers=2, progress=False)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GONGKAI_DB", str(db))
        NotebookClient(nb, timeout=180, kernel_name="python3",
                       resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    return nb, db


def outputs(nb, kind: str) -> list:
    return [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == kind]


def stdout(nb) -> str:
    return "".join(o.text for o in outputs(nb, "stream") if o.name == "stdout")


def test_runs_without_errors_and_draws_four_plots(executed):
    nb, _ = executed
    assert outputs(nb, "error") == []
    images = [o for kind in ("display_data", "execute_result") for o in outputs(nb, kind) if "image/png" in o.data]
    assert len(images) == 4   # applications per year, outcome shares, correction rates, failures per rule


def test_reads_the_database_from_gongkai_db(executed):
    nb, db = executed
    assert str(db) in stdout(nb)


def test_counts_match_the_database(executed):
    nb, db = executed
    with sqlite3.connect(db) as c:
        files = c.execute("select count(*) from reports").fetchone()[0]
        distinct = c.execute("select count(*) from (select distinct agency_id, year from reports "
                             "where agency_id is not null and year is not null)").fetchone()[0] + \
            c.execute("select count(*) from reports where agency_id is null and year is not null").fetchone()[0]
        agencies = c.execute("select count(distinct agency_id) from reports").fetchone()[0]
        failing = c.execute("select count(distinct report_id) from check_results where status = 'fail'").fetchone()[0]
        checked = c.execute("select count(distinct report_id) from check_results").fetchone()[0]
    out = stdout(nb)
    assert f"报告文件 {files} 份，去除同一机关同一年度的重复后 {distinct} 份，{agencies} 个机关" in out
    assert f"至少有一条规则不通过的报告：{failing} 份（共 {checked} 份参与核对）" in out


def test_failures_per_rule_table_matches_check_results(executed):
    nb, db = executed
    with sqlite3.connect(db) as c:
        expected = dict(c.execute("select rule_id, count(distinct case when status = 'fail' then report_id end) "
                                  "from check_results group by rule_id"))
    table = next(o.data["text/html"] for o in outputs(nb, "display_data")
                 if "text/html" in o.data and "不通过的处数" in o.data["text/html"])
    got = {m.group(1): int(m.group(2))
           for m in re.finditer(r"<th>([^<]+)</th>\s*<td>(\d+)</td>", table)}
    assert got == expected
