"""Near-duplicate prose between reports (rule DUP, 内容雷同): the `similar_sections` table.

Supervisors name a report copied from another body's, or from the same body's previous year, as a failing
of an annual report. Two reports of the same form always share its headings, table labels and standard
sentences, so similarity is measured on what a body wrote itself:

1. Normalise each section (一 … 六): drop headings, table cells and labels (sentences of under six letters,
   tab or Markdown rows, the forms' labels wherever they occur), and the form's standard sentences (BOILERPLATE: the opening "根据《中华人民共和国政府
   信息公开条例》…", the 统计期限 sentence, the 电子版 / 疑问 notes); mask every number (dates, counts,
   years) as "#"; drop punctuation and spaces. Then drop every sentence that the sections of many
   different agencies share (COMMON_AGENCIES): that is the wording of the form or of a common template,
   not one body's own words — this is what keeps boilerplate nobody has listed here from making two
   unrelated reports similar.
2. Candidates: MinHash signatures of each section's character shingles (SHINGLE characters, a fixed
   1/SAMPLE subsample chosen by hash, so both texts of a pair keep the same shingles), indexed in
   datasketch's MinHashLSH. Signatures are computed with numpy in batches (datasketch's own per-shingle
   Python hashing would take minutes at 100,000 reports); the LSH index and its banding are datasketch's.
3. Each candidate pair of sections of different reports is measured exactly on all its shingles:
   similarity = shared shingles / shingles of the shorter text (containment, so a section copied into a
   longer one counts), Jaccard beside it, and the longest shared passages (greedy maximal matches of at
   least PASSAGE_MIN characters) with their line ranges in both texts (source_texts lines).

Pairs are kept when similarity ≥ STORE_SIMILARITY and both texts have ≥ STORE_CHARS normalised
characters, looser than the DUP rule's defaults (200 characters, 0.9), so the rule's thresholds can be
changed as parameters without rebuilding. Pairs of the same agency and year (two copies of one report,
e.g. its web page and its text file) are not kept; nor are pairs across an agency's years in the
forward direction: a report is compared with its agency's earlier years and with every other agency.

The table is rewritten completely on every build (fresh or incremental): which sentences are common
depends on the whole corpus.
"""
from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from .. import forms

SHINGLE = 5             # characters per shingle: long enough that shared shingles mean shared wording
SAMPLE = 6              # 1 in SAMPLE shingles (by hash) go into the MinHash signature
NUM_PERM = 32
LSH_THRESHOLD = 0.5     # Jaccard of the sampled shingles where datasketch's banding is tuned
STORE_SIMILARITY = 0.5
STORE_CHARS = 100
PASSAGE_MIN = 12        # characters: shorter shared runs are phrases of the trade, not passages
PASSAGES_KEPT = 5
COMMON_AGENCIES = 5     # a sentence found in sections of this many agencies (or COMMON_SHARE of them) is common
COMMON_SHARE = 0.005

# Standard sentences of the form (all words of one entry in a sentence): the opening, the statistics
# period, the electronic copy and the contact note.
BOILERPLATE: tuple[tuple[str, ...], ...] = (
    ("政府信息公开条例", "报告"),
    ("条例", "编制", "报告"),
    ("统计期限",),
    ("本报告中所列数据",),
    ("电子版",),
    ("有任何疑问",),
    ("如有疑问",),
)

_HEADING_WORDS = tuple(v for _, title, variants in forms.SECTIONS for v in (title, *variants))
_NUMERALS = "一二三四五六七八九十"
_SENTENCE_RE = re.compile(r"[^。！？；;!?\n]+")       # a sentence, or a line (heading, table cell, row)
_NOT_KEPT_RE = re.compile(r"[\W_]+")           # what is not a letter or digit (punctuation, spaces)
_DIGITS_RE = re.compile(r"[0-9０-９]+")          # a number, after punctuation is gone: 12.5%、2023年 → #
_DIGITS = frozenset("0123456789０１２３４５６７８９")
# Words of the printed tables that some extractions run into one line with the numbers (table 2's and 3's
# headers, the 勾稽 note): removed wherever they occur, like table cells on lines of their own.
FORM_WORDS = ("信息内容", "申请人情况", "法人或其他组织", "本列数据的勾稽关系为", "第一项加第二项之和",
              "等于第三项加第四项之和", "结果维持", "结果纠正", "其他结果", "尚未审结", "未经复议直接起诉",
              "复议后起诉", "统计表", "指标名称", "计量单位")


def _squash(s: str) -> str:
    """Letters only, numbers as "#": the comparable form of a piece of text."""
    return _DIGITS_RE.sub("#", _NOT_KEPT_RE.sub("", s))


def _labels() -> frozenset[str]:
    words: set[str] = set(FORM_WORDS)
    for c in (*forms.APPLICANT_COLUMNS, *forms.REVIEW_KINDS, *forms.REVIEW_OUTCOMES, *forms.APPLICATION_ROWS):
        words.update(c.labels)
        if getattr(c, "group", ""):
            words.add(c.group)
    for items in forms.ACTIVE_ITEMS.values():
        for it in items:
            words.update(it.labels)
            for m in it.metrics:
                words.update(m.labels)
    words.update(forms.BLOCK_TITLES.values())
    for words_ in forms.TEMPLATE_HEADER_WORDS.values():
        words.update(words_)
    return frozenset(_squash(w) for w in words)


_LABELS = _labels()
# labels of four or more characters, longest first, removed inside sentences (shorter ones, 总计 or 其他,
# are ordinary words); an alternation of literals, linear in the text
_LABEL_RE = re.compile("|".join(re.escape(w) for w in sorted((w for w in _LABELS if len(w) >= 4),
                                                              key=lambda w: (-len(w), w))))


@dataclass
class Sentence:
    norm: str                 # normalised text: letters, "#" for a number
    offsets: list[int]        # offset in the section text of each character of norm (empty when not asked for)


@dataclass
class Normalised:
    sentences: list[Sentence] = field(default_factory=list)

    def join(self, drop: set[str] | frozenset[str] = frozenset()) -> tuple[str, list[int]]:
        norm: list[str] = []
        offsets: list[int] = []
        for s in self.sentences:
            if s.norm in drop:
                continue
            norm.append(s.norm)
            offsets.extend(s.offsets)
        return "".join(norm), offsets


_HEADING_SQUASHED = tuple(sorted({_squash(w) for w in _HEADING_WORDS}))
_BOILERPLATE_SQUASHED = tuple(tuple(_squash(w) for w in words) for words in BOILERPLATE)
_ENDS_RE = re.compile(r"[。！？；;!?]")
# a table row: a line starting with "|" (Markdown) or holding two tabs (one row of cells); the whole line goes
_TABLE_ROW_RE = re.compile(r"^[^\S\n]*\|[^\n]*|^[^\t\n]*\t[^\t\n]*\t[^\n]*", re.M)
# each standard sentence's longest (rarest) word: a sentence without any of them is none of BOILERPLATE
_BOILERPLATE_SQUASHED_RE = re.compile("|".join(sorted({re.escape(max(words, key=len))
                                                        for words in _BOILERPLATE_SQUASHED})))
_NOT_KEPT_NL_RE = re.compile(r"(?:[^\w\n]|_)+")


def _keep(norm: str, marked: bool = True) -> bool:
    """Whether a normalised sentence is the body's own words: not a cell or short label (under six letters),
    not a section heading, not one of the form's standard sentences (BOILERPLATE; `marked` False when the text
    holds none of their first words)."""
    if len(norm) - norm.count("#") < 6:
        return False
    if norm[0] in _NUMERALS and len(norm) <= 40 and any(w in norm for w in _HEADING_SQUASHED):
        return False
    if not marked or _BOILERPLATE_SQUASHED_RE.search(norm) is None:
        return True
    return not any(all(w in norm for w in words) for words in _BOILERPLATE_SQUASHED)


def _with_offsets(raw: str, start: int) -> tuple[str, list[int]]:
    """_squash(raw) and the offset (start + index in raw) of each of its characters: the same rule, per char."""
    chars: list[str] = []
    offs: list[int] = []
    digit = False
    for i, ch in enumerate(raw):
        if not ch.isalnum():
            continue
        if ch in _DIGITS:
            if not digit:
                chars.append("#")
                offs.append(start + i)
            digit = True
            continue
        digit = False
        chars.append(ch)
        offs.append(start + i)
    return "".join(chars), offs


def _drop_labels(norm: str, offs: list[int]) -> tuple[str, list[int]]:
    spans = [m.span() for m in _LABEL_RE.finditer(norm)] if _LABEL_RE.pattern else []
    if not spans:
        return norm, offs
    keep_chars: list[str] = []
    keep_offs: list[int] = []
    at = 0
    for a, b in spans + [(len(norm), len(norm))]:
        keep_chars.append(norm[at:a])
        if offs:
            keep_offs.extend(offs[at:a])
        at = b
    return "".join(keep_chars), keep_offs


def normalise(text: str, offsets: bool = False) -> Normalised:
    """Sentences of a section's own words, numbers masked, boilerplate left out (module docstring, step 1).

    With `offsets`, each sentence also maps its characters back to the section text (for the passages'
    line ranges); without, the same text is computed with regular expressions only (fast, for the corpus).
    """
    out = Normalised()
    if not offsets:
        # the same steps on the whole text at once (labels never span a line, numbers never a sentence end)
        flat = _TABLE_ROW_RE.sub("", text)
        flat = _LABEL_RE.sub("", _DIGITS_RE.sub("#", _NOT_KEPT_NL_RE.sub("", _ENDS_RE.sub("\n", flat))))
        marked = _BOILERPLATE_SQUASHED_RE.search(flat) is not None
        out.sentences.extend(Sentence(norm, []) for norm in flat.split("\n") if norm and _keep(norm, marked))
        return out
    pos = 0
    for line in text.split("\n"):
        start = pos
        pos += len(line) + 1
        if line.count("\t") >= 2 or line.lstrip().startswith("|"):     # a table row
            continue
        for m in _SENTENCE_RE.finditer(line):
            norm, offs = _drop_labels(*_with_offsets(m.group(), start + m.start()))
            if norm and _keep(norm):
                out.sentences.append(Sentence(norm, offs))
    return out


# --------------------------------------------------------------------------------------------
# Shingles and signatures
# --------------------------------------------------------------------------------------------

_P = np.uint64(1_000_003)
_MIX = np.uint64(0x9E3779B97F4A7C15)
_rng = np.random.RandomState(20240101)
_A = (_rng.randint(1, 2**31, size=NUM_PERM, dtype=np.int64).astype(np.uint64) << np.uint64(32)) | \
     _rng.randint(1, 2**31, size=NUM_PERM, dtype=np.int64).astype(np.uint64) | np.uint64(1)
_B = (_rng.randint(0, 2**31, size=NUM_PERM, dtype=np.int64).astype(np.uint64) << np.uint64(32)) | \
     _rng.randint(0, 2**31, size=NUM_PERM, dtype=np.int64).astype(np.uint64)


def _shingle_hashes(codes: np.ndarray) -> np.ndarray:
    """64-bit hash of each SHINGLE-character window of an array of code points (uint64 arithmetic wraps)."""
    n = len(codes) - SHINGLE + 1
    if n <= 0:
        return np.zeros(0, dtype=np.uint64)
    h = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(SHINGLE):
            h = h * _P + codes[j:j + n]
        h ^= h >> np.uint64(29)
        h *= _MIX
        h ^= h >> np.uint64(32)
    return h


def signatures(texts: Sequence[str], batch: int = 2000) -> np.ndarray:
    """MinHash signatures (len(texts) × NUM_PERM, uint32) of the sampled shingles of each text.

    A text without a sampled shingle gets the all-ones signature; callers index only texts of STORE_CHARS
    characters or more, which have dozens. Texts are hashed in batches of `batch`: one numpy pass per batch.
    """
    out = np.full((len(texts), NUM_PERM), np.uint32(0xFFFFFFFF), dtype=np.uint32)
    for lo in range(0, len(texts), batch):
        chunk = texts[lo:lo + batch]
        joined = "\x00".join(chunk)
        codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        h = _shingle_hashes(codes)
        if not len(h):
            continue
        # which text each window starts in, and whether it stays inside it
        lengths = np.fromiter((len(t) for t in chunk), dtype=np.int64, count=len(chunk))
        starts = np.concatenate(([0], np.cumsum(lengths + 1)[:-1]))
        owner = np.searchsorted(starts, np.arange(len(h)), side="right") - 1
        inside = np.arange(len(h)) + SHINGLE <= starts[owner] + lengths[owner]
        keep = inside & (h % np.uint64(SAMPLE) == 0)
        h, owner = h[keep], owner[keep]
        if not len(h):
            continue
        with np.errstate(over="ignore"):
            vals = ((h[:, None] * _A[None, :] + _B[None, :]) >> np.uint64(32)).astype(np.uint32)
        firsts = np.flatnonzero(np.concatenate(([True], owner[1:] != owner[:-1])))
        mins = np.minimum.reduceat(vals, firsts, axis=0)
        out[lo + owner[firsts]] = mins
    return out


def candidate_pairs(sigs: np.ndarray, threshold: float = LSH_THRESHOLD) -> set[tuple[int, int]]:
    """Pairs (i < j) of rows whose signatures share an LSH band (datasketch MinHashLSH)."""
    from datasketch import LeanMinHash, MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    with lsh.insertion_session() as session:
        for i, sig in enumerate(sigs):
            session.insert(i, LeanMinHash(seed=1, hashvalues=sig.astype(np.uint64), scheme="legacy"), check_duplication=False)
    pairs: set[tuple[int, int]] = set()
    for table in lsh.hashtables:
        for band in table.keys():
            keys = table.get(band)
            if len(keys) < 2:
                continue
            ordered = sorted(keys)
            for x in range(len(ordered)):
                for y in range(x + 1, len(ordered)):
                    pairs.add((ordered[x], ordered[y]))
    return pairs


# --------------------------------------------------------------------------------------------
# Exact measure of one pair
# --------------------------------------------------------------------------------------------

def _shingle_set(norm: str) -> set[str]:
    return {norm[i:i + SHINGLE] for i in range(len(norm) - SHINGLE + 1)}


def passages(a: str, b: str, minimum: int = PASSAGE_MIN) -> list[tuple[int, int, int, int]]:
    """Maximal shared runs (a_start, a_end, b_start, b_end), end exclusive, of ≥ minimum characters.

    Greedy and linear: walk a; where its shingle occurs in b, extend the match as far as both texts agree
    (trying each place of b the shingle occurs, up to a few), keep the longest, and continue after it.
    """
    where: dict[str, list[int]] = {}
    for j in range(len(b) - SHINGLE + 1):
        lst = where.setdefault(b[j:j + SHINGLE], [])
        if len(lst) < 8:
            lst.append(j)
    found = []
    i = 0
    while i <= len(a) - SHINGLE:
        best = (0, 0)
        for j in where.get(a[i:i + SHINGLE], ()):
            n = SHINGLE
            while i + n < len(a) and j + n < len(b) and a[i + n] == b[j + n]:
                n += 1
            if n > best[0]:
                best = (n, j)
        n, j = best
        if n >= minimum:
            found.append((i, i + n, j, j + n))
            i += n
        else:
            i += 1
    return found


@dataclass
class Match:
    similarity: float       # shared shingles / shingles of the shorter text
    jaccard: float
    shared_chars: int       # characters in shared passages (of a)
    passages: list[tuple[int, int, int, int]]   # in normalised positions, longest first


def measure(a: str, b: str) -> Match:
    sa, sb = _shingle_set(a), _shingle_set(b)
    if not sa or not sb:
        return Match(0.0, 0.0, 0, [])
    shared = len(sa & sb)
    sim = shared / min(len(sa), len(sb))
    jac = shared / len(sa | sb)
    runs = passages(a, b) if sim >= 0.2 else []
    runs.sort(key=lambda r: (r[0] - r[1], r[0]))
    return Match(round(sim, 4), round(jac, 4), sum(r[1] - r[0] for r in runs), runs)


# --------------------------------------------------------------------------------------------
# Over a corpus
# --------------------------------------------------------------------------------------------

@dataclass
class Section:
    key: object             # caller's key (e.g. sections.id)
    report: str
    agency: str             # agency identity (agency_id, else the agency's name)
    year: int | None
    number: str
    text: str


@dataclass
class Pair:
    a: Section
    b: Section
    norm_a: str
    norm_b: str
    match: Match
    common: set[str]          # the corpus' common sentences, left out of both texts


def comparable(a: Section, b: Section) -> bool:
    """Whether a report may be faulted for b's text: another agency's report, or its own earlier year's."""
    if a.report == b.report:
        return False
    if a.agency != b.agency:
        return True
    return a.year is not None and b.year is not None and b.year < a.year


def common_sentences(normalised: Sequence[list[str]], agencies: Sequence[str]) -> set[str]:
    """Sentences found in the sections of many agencies (COMMON_AGENCIES, or COMMON_SHARE of them)."""
    seen: dict[str, set[str] | int] = {}
    n_agencies = len(set(agencies))
    limit = max(COMMON_AGENCIES, int(COMMON_SHARE * n_agencies))
    common: set[str] = set()
    for norm, agency in zip(normalised, agencies):
        for s in norm:
            if len(s) < 8 or s in common:
                continue
            who = seen.setdefault(s, set())
            who.add(agency)
            if len(who) >= limit:
                common.add(s)
                seen[s] = set()
    return common


# Below this many sections the work stays in this process; above, `workers` processes (default: one per core)
# normalise and sign chunks of CHUNK sections.
PARALLEL_MIN = 20_000
CHUNK = 5_000


def _normalise_chunk(texts: list[str]) -> list[list[str]]:
    """Each text's normalised sentences (plain strings: cheap to send back from a worker)."""
    return [[s.norm for s in normalise(t).sentences] for t in texts]


def _signature_chunk(texts: list[str]) -> np.ndarray:
    return signatures(texts)


def _in_parallel(fn, items: list, workers: int | None, flat: bool = True) -> list:
    """fn over chunks of items, in a fork pool when there are many; the results in order (concatenated if flat)."""
    import multiprocessing
    import os

    chunks = [items[k:k + CHUNK] for k in range(0, len(items), CHUNK)]
    workers = workers or os.cpu_count() or 1
    if len(items) < PARALLEL_MIN or workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        results = [fn(c) for c in chunks]
    else:
        with multiprocessing.get_context("fork").Pool(min(workers, len(chunks))) as pool:
            results = pool.map(fn, chunks)
    return [x for r in results for x in r] if flat else results


def find_similar(sections: Sequence[Section], min_chars: int = STORE_CHARS,
                 min_similarity: float = STORE_SIMILARITY, timings: dict | None = None,
                 workers: int | None = None) -> list[Pair]:
    """Every pair of sections (a, b) with a faulted for b (`comparable`) that meets the thresholds.

    Python's cycle collector is paused meanwhile: millions of sentence strings and lists (no cycles among
    them) would otherwise set it off again and again, a third of the time at 100,000 reports.
    """
    import gc

    enabled = gc.isenabled()
    gc.disable()
    try:
        return _find_similar(sections, min_chars, min_similarity, timings, workers)
    finally:
        if enabled:
            gc.enable()


def _find_similar(sections, min_chars, min_similarity, timings, workers) -> list[Pair]:
    import time

    t = time.perf_counter()
    normalised = _in_parallel(_normalise_chunk, [s.text for s in sections], workers)
    common = common_sentences(normalised, [s.agency for s in sections])
    joined = [("".join(x for x in n if x not in common), None) for n in normalised]
    idx = [i for i, (norm, _) in enumerate(joined) if len(norm) >= min_chars]
    t_norm = time.perf_counter()
    sigs = np.concatenate(_in_parallel(_signature_chunk, [joined[i][0] for i in idx], workers, flat=False)
                          or [np.zeros((0, NUM_PERM), dtype=np.uint32)])
    t_sig = time.perf_counter()
    cands = candidate_pairs(sigs)
    t_lsh = time.perf_counter()
    out: list[Pair] = []
    for x, y in sorted(cands):
        i, j = idx[x], idx[y]
        a, b = sections[i], sections[j]
        forward, backward = comparable(a, b), comparable(b, a)
        if not (forward or backward):
            continue
        m = measure(joined[i][0], joined[j][0])
        if m.similarity < min_similarity:
            continue
        if forward:
            out.append(Pair(a, b, joined[i][0], joined[j][0], m, common))
        if backward:
            mb = Match(m.similarity, m.jaccard, m.shared_chars, [(c, d, e, f) for e, f, c, d in m.passages])
            out.append(Pair(b, a, joined[j][0], joined[i][0], mb, common))
    if timings is not None:
        timings.update(normalise=round(t_norm - t, 2), signatures=round(t_sig - t_norm, 2),
                       lsh=round(t_lsh - t_sig, 2), measure=round(time.perf_counter() - t_lsh, 2),
                       sections_indexed=len(idx), candidates=len(cands))
    return out


def section_similarity(text_a: str, text_b: str) -> Match:
    """Similarity of two section texts as the DUP rule measures it (without the corpus' common sentences)."""
    return measure(normalise(text_a).join()[0], normalise(text_b).join()[0])


# --------------------------------------------------------------------------------------------
# The database table
# --------------------------------------------------------------------------------------------

def _first_line(source: list[str], start: int, end: int, text: str) -> int:
    """Line number (1-based) in source_texts of the section text's first character."""
    joined = "\n".join(source[start - 1:end])
    at = joined.find(text[:200]) if text else -1
    return start + (joined[:at].count("\n") if at >= 0 else 0)


def _line_of(text: str, offset: int, first: int) -> int:
    return first + text.count("\n", 0, offset)


def _offsets(section: Section, norm: str, common: set[str]) -> list[int] | None:
    """Offsets in the section text of each character of its normalised text (normalise with offsets)."""
    again, offs = normalise(section.text, offsets=True).join(common)
    if again != norm:       # both ways apply the same rule; should they ever differ, show no place rather than a wrong one
        return None
    return offs


def _evidence(pair: Pair, sources: dict[str, list[str]], lines: dict[object, tuple[int, int]]) -> list[dict]:
    offa = _offsets(pair.a, pair.norm_a, pair.common)
    offb = _offsets(pair.b, pair.norm_b, pair.common)
    first_a = _first_line(sources[pair.a.report], *lines[pair.a.key], pair.a.text)
    first_b = _first_line(sources[pair.b.report], *lines[pair.b.key], pair.b.text)
    out = []
    if offa is None or offb is None:
        return [{"chars": e - s, "text": pair.norm_a[s:e], "lines": None, "other_lines": None}
                for s, e, _, _ in pair.match.passages[:PASSAGES_KEPT]]
    for s, e, s2, e2 in pair.match.passages[:PASSAGES_KEPT]:
        a0, a1, b0, b1 = offa[s], offa[e - 1], offb[s2], offb[e2 - 1]
        out.append({"chars": e - s, "text": pair.a.text[a0:a1 + 1],
                    "lines": [_line_of(pair.a.text, a0, first_a), _line_of(pair.a.text, a1, first_a)],
                    "other_lines": [_line_of(pair.b.text, b0, first_b), _line_of(pair.b.text, b1, first_b)]})
    return out


def create_table(conn: sqlite3.Connection) -> None:
    """similar_sections as ingest/database/schema.py describes it, if missing (the build's create_tables makes it)."""
    from . import schema

    spec = schema.TABLES["similar_sections"]
    cols = ", ".join(f"[{c}] {typ}" for c, (typ, _) in spec["columns"].items())
    conn.execute(f"create table if not exists similar_sections ({cols})")


def write_similar(conn: sqlite3.Connection, timings: dict | None = None) -> int:
    """(Re)fill similar_sections from sections and reports; return the number of rows."""
    rows = conn.execute(
        """select s.id, s.report_id, coalesce(r.agency_id, r.agency, r.id), r.year, s.number, s.text,
                  s.line_start, s.line_end
           from sections s join reports r on r.id = s.report_id
           where length(s.text) >= ? order by s.id""", (STORE_CHARS,)).fetchall()
    sections = [Section(k, rid, ag, y, num, text or "") for k, rid, ag, y, num, text, _, _ in rows]
    lines = {k: (ls or 1, le or ls or 1) for k, _, _, _, _, _, ls, le in rows}
    pairs = find_similar(sections, timings=timings)
    reports = {p.a.report for p in pairs} | {p.b.report for p in pairs}
    sources: dict[str, list[str]] = {}
    for rid in reports:
        row = conn.execute("select text from source_texts where report_id = ?", (rid,)).fetchone()
        sources[rid] = (row[0] if row and row[0] else "").split("\n")
    create_table(conn)
    conn.execute("delete from similar_sections")
    conn.executemany(
        """insert into similar_sections (report_id, section_id, section, other_report_id, other_section_id,
             other_section, similarity, jaccard, chars, other_chars, shared_chars, passages)
           values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        ((p.a.report, p.a.key, p.a.number, p.b.report, p.b.key, p.b.number, p.match.similarity, p.match.jaccard,
          len(p.norm_a), len(p.norm_b), p.match.shared_chars,
          json.dumps(_evidence(p, sources, lines), ensure_ascii=False)) for p in pairs))
    return len(pairs)


def best_matches(conn: sqlite3.Connection, report_id: str) -> list[dict]:
    """For a report page: per section, the most similar other report (highest similarity first)."""
    try:
        cur = conn.execute(
            """select s.section, s.other_report_id, s.other_section, max(s.similarity) as similarity,
                      r.title, r.agency, r.year
               from similar_sections s join reports r on r.id = s.other_report_id
               where s.report_id = ? group by s.section order by s.section_id""", (report_id,))
    except sqlite3.OperationalError:   # a database built before similar_sections existed
        return []
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]

