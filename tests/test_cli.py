"""`python -m ingest parse FILE...` as a user runs it: one JSON record per line on stdout,
UTF-8 with Chinese unescaped, errors on stderr naming the file, every readable file parsed.

The odd encodings are made in tmp_path by re-encoding a seed, so the same report must come out
with the same figures whatever bytes it arrived in.
"""
from __future__ import annotations

import codecs
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "data" / "reports"
S000 = REPORTS / "000_82a0420bca058b17.txt"
S004 = REPORTS / "004_2baf5ee0490418e5.txt"


def run_parse(*paths, timeout=120):
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "ingest", "parse", *map(str, paths)],
                          cwd=ROOT, capture_output=True, timeout=timeout, env=env)


def records(proc) -> list[dict]:
    out = proc.stdout.decode("utf-8")
    lines = [ln for ln in out.split("\n") if ln]
    return [json.loads(ln) for ln in lines]


@pytest.fixture(scope="module")
def two_seeds():
    return run_parse(S000, S004)


def test_one_record_per_line(two_seeds):
    assert two_seeds.returncode == 0, two_seeds.stderr.decode("utf-8", "replace")
    recs = records(two_seeds)
    assert len(recs) == 2
    assert [r["source"]["path"].endswith(n) for r, n in zip(recs, (S000.name, S004.name))] == [True, True]
    assert recs[0]["report"]["agency"] == "金华市金东区人民政府"
    assert recs[1]["report"]["agency"] == "郏县人民政府"
    assert recs[0]["applications"]["new_received"]["total"] == 25


def test_utf8_chinese_unescaped(two_seeds):
    out = two_seeds.stdout.decode("utf-8")
    assert "金华市金东区人民政府" in out
    assert "\\u" not in out
    assert out.endswith("\n") and out.count("\n") == 2


def test_sections_text_only_on_request(two_seeds):
    rec = records(two_seeds)[0]
    assert rec["sections"] and all("text" not in s for s in rec["sections"])
    full = records(run_parse("--sections-text", S000))[0]
    assert all(s.get("text") for s in full["sections"])


def test_missing_file_and_directory(tmp_path):
    missing = tmp_path / "nope.txt"
    folder = tmp_path / "adir"
    folder.mkdir()
    proc = run_parse(missing, S000, folder, S004)
    assert proc.returncode == 0
    recs = records(proc)
    assert [Path(r["source"]["path"]).name for r in recs] == [S000.name, S004.name]
    err = [ln for ln in proc.stderr.decode("utf-8").split("\n") if ln.strip()]
    assert len(err) == 2, err
    assert str(missing) in err[0] and str(folder) in err[1]


def _bytes_record(tmp_path, name: str, data: bytes) -> dict:
    path = tmp_path / name
    path.write_bytes(data)
    proc = run_parse(path)
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    recs = records(proc)
    assert len(recs) == 1, proc.stderr.decode("utf-8", "replace")
    return recs[0]


def test_binary_file(tmp_path):
    data = bytes(range(256)) * 64 + b"\x00\xff\xfe\x89PNG\r\n" * 100
    rec = _bytes_record(tmp_path, "junk.txt", data)
    assert "not_text" in {w["code"] for w in rec["warnings"]}
    assert rec["applications"] is None


def test_empty_file(tmp_path):
    rec = _bytes_record(tmp_path, "empty.txt", b"")
    assert "empty_file" in {w["code"] for w in rec["warnings"]}
    assert rec["source"]["bytes"] == 0
    assert rec["applications"] is None and rec["reviews_litigation"] is None


def _seed_text() -> str:
    return S000.read_text(encoding="utf-8")


def _same_report(rec: dict, reference: dict) -> None:
    assert rec["report"]["agency"] == reference["report"]["agency"] == "金华市金东区人民政府"
    assert rec["report"]["year"] == 2020
    assert rec["applications"] == reference["applications"]
    assert rec["reviews_litigation"] == reference["reviews_litigation"]
    assert rec["active_disclosure"] == reference["active_disclosure"]


@pytest.fixture(scope="module")
def reference(two_seeds):
    return records(two_seeds)[0]


def test_gbk_file(tmp_path, reference):
    # "•" (site chrome, lines 3-6) and the NBSP of line 44 have no GBK code: a GBK page prints "·" and " "
    rec = _bytes_record(tmp_path, "gbk.txt", _seed_text().replace("\u2022", "\u00b7").replace("\xa0", " ").encode("gbk"))
    assert rec["source"]["encoding"].lower() in ("gbk", "gb18030", "gb2312")
    _same_report(rec, reference)


@pytest.mark.parametrize("codec,bom", [
    ("utf-16-le", codecs.BOM_UTF16_LE),
    ("utf-16-be", codecs.BOM_UTF16_BE),
    ("utf-16-le", b""),
    ("utf-16-be", b""),
])
def test_utf16_file(tmp_path, reference, codec, bom):
    rec = _bytes_record(tmp_path, f"u16{'bom' if bom else ''}.txt", bom + _seed_text().encode(codec))
    assert "utf-16" in rec["source"]["encoding"].lower().replace("_", "-")
    _same_report(rec, reference)
    assert not [w for w in rec["warnings"] if w["code"] in ("decode_errors", "not_text")]


def test_crlf_lines_are_the_same_lines(tmp_path, reference):
    rec = _bytes_record(tmp_path, "crlf.txt", _seed_text().replace("\n", "\r\n").encode("utf-8"))
    _same_report(rec, reference)
    line = {(c["table"], c["row"], c["col"]): c["line"] for c in rec["cells"]}
    assert line[("active_disclosure", "licensing", "decisions")] == 92


def test_damaged_files_one_record_each_exit_zero(tmp_path):
    """Whatever the bytes, `parse` prints one record per file and exits 0: a cell of 5,000 digits
    (json.dumps refuses Python ints of more than 4,300), one beyond 64 bits, a "1.5" count, a
    control character after a dropped <script>, binary junk, a span bomb. The record after the
    bad ones is still parsed."""
    text = S000.read_text(encoding="utf-8")
    # seed 000 prints one cell per line: the first cell of 一、本年新收政府信息公开申请数量 is "24"
    first = text.index("\n24\n", text.index("本年新收政府信息公开申请数量")) + 1

    def with_cell(value: str) -> bytes:
        return (text[:first] + value + text[first + 2:]).encode("utf-8")
    html = (REPORTS / "pingtan_2022.html").read_bytes()
    files = {
        "digits5000.txt": with_cell("7" * 5000),
        "beyond64.txt": with_cell("9223372036854775808"),
        "decimal.txt": with_cell("1.5"),
        "script.html": html.replace(b"</script>", b"</script>\x01", 3),
        "junk.txt": bytes(range(256)) * 40,
        "bomb.html": ("<table>" + ("<tr>" + '<td rowspan="99999" colspan="99999">1</td>' * 60 + "</tr>") * 60
                      + "</table>").encode("utf-8"),
    }
    paths = []
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        paths.append(tmp_path / name)
    proc = run_parse(*paths, S004)
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    recs = records(proc)
    assert [Path(r["source"]["path"]).name for r in recs] == [*files, S004.name]
    for rec in recs:
        assert not [w for w in rec["warnings"] if w["code"] == "internal_error"], rec["warnings"]
    by_name = {Path(r["source"]["path"]).name: r for r in recs}
    for name, code in (("digits5000.txt", "value_out_of_range"), ("beyond64.txt", "value_out_of_range"),
                       ("decimal.txt", "value_not_integer")):
        rec = by_name[name]
        assert code in [w["code"] for w in rec["warnings"]], (name, rec["warnings"])
        assert rec["applications"] is not None          # the rest of the table is kept
    assert by_name["script.html"]["applications"] is not None
    assert by_name[S004.name]["report"]["agency"] == "郏县人民政府"
