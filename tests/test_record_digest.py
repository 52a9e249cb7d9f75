"""Every record the parser writes is the one pinned in tests/fixtures/records.sha256.

Why: parser speed-ups (issue 13, "Parse CPU") must leave every record identical — every cell, warning,
line number and the stored text — on the real files of the project and a generated corpus of every layout.
When the output changes on purpose, regenerate the digest consciously: `python tests/record_digest.py`
lists the changed records, `--write` rewrites the file (see tests/record_digest.py).
"""
from __future__ import annotations

import record_digest as rd


def test_the_digest_covers_the_real_files_and_a_generated_corpus():
    names = list(rd.read_digest())
    assert "fixtures/hongzequ_2023.pdf" in names and "data/reports/pingtan_2022.html" in names
    assert sum(n.startswith("generated/legacy_") for n in names) == rd.LEGACY_N
    assert sum(n.startswith("generated/") for n in names) == rd.GENERATED_N + rd.LEGACY_N
    assert any(n.endswith((".html", ".htm")) and n.startswith("generated/0") for n in names)


def test_every_record_is_identical_to_the_pinned_one():
    expected, actual = rd.read_digest(), rd.compute()
    changed = rd.differences(expected, actual)
    assert not changed, (f"{len(changed)} records differ from tests/fixtures/records.sha256 (if on purpose: "
                         f"python tests/record_digest.py --write): {changed[:20]}")


def test_a_changed_record_is_detected():
    name, data = next((n, d) for n, d in rd.corpus() if n == "data/reports/pingtan_2023.txt")
    pinned = rd.read_digest()[name]
    assert rd.record_digest(name, data) == pinned
    assert rd.record_digest(name, data.replace("0".encode(), "1".encode(), 1)) != pinned
