"""DUP (内容雷同) and similar_sections on real reports: a copy is found with its sections and passages, the form's
boilerplate alone makes nothing similar, and an agency's rewritten next year passes."""
from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from ingest.database import similar
from ingest.database.build import build
from ingest.database.load import report_id

CORPUS = Path(__file__).resolve().parent.parent / "data" / "reports"
SEED = "000_82a0420bca058b17.txt"          # 金华市金东区人民政府 2020, 2019 form
COPY = "copy_yinzhou_2022.txt"


def copied(text: str) -> str:
    """The seed as another agency's report of another year: names and years changed, nothing else."""
    for old, new in (("金华市金东区人民政府", "宁波市鄞州区人民政府"), ("金东区", "鄞州区"), ("金华市", "宁波市"),
                     ("2020", "2022"), ("2021", "2023")):
        text = text.replace(old, new)
    return text


@pytest.fixture(scope="module")
def conn(tmp_path_factory):
    d = tmp_path_factory.mktemp("dup")
    corpus = d / "reports"
    corpus.mkdir()
    for name in (SEED, "001_9a9840e34a30576e.txt", "004_2baf5ee0490418e5.txt", "pingtan_2022.txt",
                 "pingtan_2023.txt"):
        shutil.copyfile(CORPUS / name, corpus / name)
    (corpus / COPY).write_text(copied((CORPUS / SEED).read_text(encoding="utf-8")), encoding="utf-8")
    build([str(corpus)], str(d / "gongkai.db"), workers=1)
    c = sqlite3.connect(d / "gongkai.db")
    yield c
    c.close()


def dup(conn, name):
    return conn.execute("select instance, status, actual, related_report_id, message, evidence_text from check_results "
                        "where rule_id = 'DUP' and report_id = ? order by instance", [report_id(name)]).fetchall()


def test_copy_fails_dup_against_its_original(conn):
    rows = dup(conn, COPY)
    # 一 总体情况 (4,584 normalised characters) and 五 存在的主要问题 (666): copied whole; 二–四 are tables, 六 is "无。"
    assert [(r[0], r[1], r[3]) for r in rows] == [("一", "fail", report_id(SEED)), ("五", "fail", report_id(SEED))]
    by = {r[0]: r for r in rows}
    assert float(by["五"][2]) == 1.0                       # every word the same once years are masked
    assert 0.95 <= float(by["一"][2]) < 1.0                # the agency's name differs in ten places
    assert "与《金东区2020年政府信息公开工作年度报告》（金华市金东区人民政府，2020年）第五部分相似度 100%" in by["五"][4]
    assert by["五"][5].startswith("2022年,全区政府信息公开标准化规范化工作取得了一定成效,但也仍存在一些问题")
    # the original fails too (against a later copy: which of two bodies copied cannot be told)
    assert [(r[0], r[1]) for r in dup(conn, SEED)] == [("一", "fail"), ("五", "fail")]


def test_passages_point_at_both_texts(conn):
    row = conn.execute("select passages, shared_chars, chars, other_chars, jaccard from similar_sections "
                       "where report_id = ? and section = '五'", [report_id(COPY)]).fetchone()
    passages = json.loads(row[0])
    assert row[1] == row[2] == row[3] == 666 and row[4] == 1.0
    assert len(passages) == 1 and passages[0]["chars"] == 666
    src = {n: conn.execute("select text from source_texts where report_id = ?", [report_id(n)]).fetchone()[0]
           .split("\n") for n in (COPY, SEED)}
    first, last = passages[0]["lines"]
    assert src[COPY][first - 1].startswith("2022年,全区政府信息公开标准化规范化工作")
    assert src[SEED][passages[0]["other_lines"][0] - 1].startswith("2020年,全区政府信息公开标准化规范化工作")
    assert last > first and src[COPY][last - 1].strip()


def test_unrelated_reports_of_one_form_pass(conn):
    """番禺区 2021 and 郏县 2021 (both 2021 form) share the form's headings and standard sentences only."""
    for name in ("001_9a9840e34a30576e.txt", "004_2baf5ee0490418e5.txt"):
        assert [r[1] for r in dup(conn, name)] == ["pass"]
    pair = conn.execute("select count(*) from similar_sections where report_id = ? and other_report_id = ?",
                        [report_id("001_9a9840e34a30576e.txt"), report_id("004_2baf5ee0490418e5.txt")]).fetchone()
    assert pair == (0,)


def test_boilerplate_alone_is_not_similar():
    opening = ("根据《中华人民共和国政府信息公开条例》（以下简称《条例》）规定，现公布本机关2022年度政府信息公开工作年度报告。"
               "本报告中所列数据的统计期限自2022年1月1日起至2022年12月31日止。\n一、总体情况\n")
    a = opening + "本年度围绕优化营商环境，重点公开了惠企政策兑现、项目审批进度和涉企收费清单，并在政务服务中心设置查阅点。" * 3
    b = opening + "今年我局聚焦乡村振兴，集中发布了农田水利建设、农村低保发放和宅基地审批结果，同时开通了微信公众号专栏。" * 3
    assert similar.normalise(opening).join()[0] == ""
    assert similar.section_similarity(a, b).similarity < 0.1
    assert similar.section_similarity(a, a.replace("2022", "2023")).similarity == 1.0


def test_own_next_year_rewritten_passes(conn):
    assert [r[1] for r in dup(conn, "pingtan_2023.txt")] == ["pass"]
    texts = dict(conn.execute("select number, text from sections where report_id = ?",
                              [report_id("pingtan_2023.txt")]).fetchall())
    before = dict(conn.execute("select number, text from sections where report_id = ?",
                               [report_id("pingtan_2022.txt")]).fetchall())
    assert similar.section_similarity(texts["一"], before["一"]).similarity < 0.6


def test_thresholds_are_parameters(conn):
    """The canned query with lower thresholds lists the pair the defaults leave out; blanks are the defaults."""
    from ingest.database.checks import CHECKS_DIR, load_rule

    sql = load_rule(CHECKS_DIR / "DUP.sql").sql      # the canned query as Datasette runs it
    base = {"year": "", "province": "", "adcode": "", "status": ""}
    default = conn.execute(sql, {**base, "min_chars": "", "min_similarity": ""}).fetchall()
    assert len(default) == 4                      # copy and original, sections 一 and 五
    strict = conn.execute(sql, {**base, "min_chars": "1000", "min_similarity": "0.99"}).fetchall()
    assert len(strict) == 0                       # 五 is under 1,000 characters, 一 is 0.986 similar


def test_generated_copies_are_found(tmp_path):
    """generate_corpus(copy_share): every recorded copy fails DUP against its source (or a report its source
    copied), and nothing else fails; without copy_share the corpus is byte for byte what it was."""
    from ingest.generate import generate_corpus

    plain = [g.data for g in generate_corpus(12, 5)]
    assert plain == [g.data for g in generate_corpus(12, 5, copy_share=0.0)]
    corpus = tmp_path / "reports"
    corpus.mkdir()
    names, copied = [], {}
    for i, g in enumerate(generate_corpus(48, 5, copy_share=0.25)):
        names.append(f"{i:03d}_{g.filename}")
        (corpus / names[-1]).write_bytes(g.data)
        if "copied_from" in g.options:
            copied[i] = g.options["copied_from"]
    assert 6 <= len(copied) <= 20
    build([str(corpus)], str(tmp_path / "gongkai.db"), workers=1)
    conn = sqlite3.connect(tmp_path / "gongkai.db")
    failed = {(a, b) for a, b in conn.execute("select report_id, related_report_id from check_results "
                                               "where rule_id = 'DUP' and status = 'fail'")}
    ids = [report_id(n) for n in names]
    group = {i: i for i in range(len(names))}

    def root(i):
        while group[i] != i:
            i = group[i]
        return i

    for i, j in copied.items():
        group[root(i)] = root(j)
    index = {rid: k for k, rid in enumerate(ids)}
    assert {ids[i] for i in copied} <= {a for a, _ in failed}                      # recall 1
    assert all(root(index[a]) == root(index[b]) for a, b in failed)                # precision 1


def test_fast_and_offset_normalisation_agree(conn):
    """The corpus is normalised with whole-text regular expressions, the passages' places per character: both must
    give the same text, and every offset must point at the character it stands for (a digit for "#")."""
    from ingest.generate import generate_corpus

    texts = [t for (t,) in conn.execute("select text from sections")]
    texts += [g.text for g in generate_corpus(40, 11)]
    texts += ["| 规章 | 1 | 2 |\n本年度\t共收到\t申请\n\u3000|表格行\n一、总体情况\n本机关认真落实。２０２３年，全年共12.5%的申请。"]
    for text in texts:
        fast = similar.normalise(text).join()[0]
        slow, offsets = similar.normalise(text, offsets=True).join()
        assert fast == slow
        assert len(offsets) == len(slow)
        assert all((text[o].isdigit() if ch == "#" else text[o] == ch) for ch, o in zip(slow, offsets))


def test_the_parallel_map_gives_the_serial_results_in_order(monkeypatch):
    """_in_parallel on ingest.database.pool's workers (not multiprocessing.Pool): same results, same order."""
    from ingest.database import similar

    texts = [f"第{i}节：本机关依法主动公开政府信息{i}条，受理申请{i % 7}件。" for i in range(300)]
    monkeypatch.setattr(similar, "PARALLEL_MIN", 10)
    monkeypatch.setattr(similar, "CHUNK", 16)
    parallel = similar._in_parallel(similar._normalise_chunk, texts, workers=2)
    assert parallel == similar._normalise_chunk(texts)


def test_lsh_shape_is_datasketch_s():
    """similar.LSH_SHAPE (written out so an incremental build does not import datasketch) is datasketch's banding."""
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=similar.LSH_THRESHOLD, num_perm=similar.NUM_PERM)
    assert similar.LSH_SHAPE == (lsh.b, lsh.r)
