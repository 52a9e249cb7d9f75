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

A fresh build computes the table from every section. An incremental build compares only the sections of
the reports it loaded (`update_similar`): each section's normalised sentence hashes and MinHash band hashes
are kept (`dup_sections`, `dup_bands`), so the common sentences are recounted from the hashes and a changed
section's candidates are a join on its band hashes — the same candidates datasketch's banding gives (a pair
shares a band exactly). When the common sentences change (a sentence reaches or leaves COMMON_AGENCIES
agencies), the sections holding such a sentence (found in the stored hashes) are compared again as well.
Pairs are oriented by (report_id, section id) — not by load order — so both ways give the same rows.
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


# (bands, rows per band) datasketch's MinHashLSH picks for NUM_PERM and LSH_THRESHOLD (tests/test_similar.py checks
# it): written here so an incremental build need not import datasketch (and scipy), 2 s.
LSH_SHAPE = (8, 4)


def _lsh_shape(threshold: float = LSH_THRESHOLD) -> tuple[int, int]:
    if threshold == LSH_THRESHOLD:
        return LSH_SHAPE
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    return lsh.b, lsh.r


def band_keys(sigs: np.ndarray, threshold: float = LSH_THRESHOLD) -> np.ndarray:
    """One 64-bit key per signature and LSH band (len(sigs) × bands, int64): equal keys = an equal band (the
    values mixed with the band's number; a collision of two different bands has odds of 2^-64)."""
    b, r = _lsh_shape(threshold)
    out = np.zeros((len(sigs), b), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for i in range(b):
            h = np.full(len(sigs), np.uint64(i + 1) * _MIX, dtype=np.uint64)
            for j in range(i * r, (i + 1) * r):
                h = (h ^ sigs[:, j].astype(np.uint64)) * _P64
                h ^= h >> np.uint64(31)
            out[:, i] = h
    return out.view(np.int64)


_P64 = np.uint64(0x100000001B3)


def sentence_hash(sentence: str) -> int:
    """A normalised sentence's 64-bit key (signed, as SQLite stores integers)."""
    import hashlib

    return int.from_bytes(hashlib.blake2b(sentence.encode("utf-8"), digest_size=8).digest(), "little", signed=True)


def _counted(sentences: list[str]) -> list[str]:
    """The sentences common_sentences counts (8 characters or more)."""
    return [x for x in sentences if len(x) >= 8]


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


def common_sentences(hashed: Sequence[bytes], agencies: Sequence[str]) -> set[int]:
    """The hashes of the sentences found in the sections of many agencies (COMMON_AGENCIES, or COMMON_SHARE of
    them). `hashed`: each section's counted sentences' hashes (dup_sections.sentences), `agencies` its agency."""
    code_of: dict[str, int] = {}
    codes = [code_of.setdefault(a, len(code_of)) for a in agencies]
    arrays = [_unblob(b) for b in hashed]
    if not any(len(x) for x in arrays):
        return set()
    every = np.concatenate(arrays)
    owner = np.repeat(np.asarray(codes, dtype=np.int64), [len(x) for x in arrays])
    return _common_hashes(every, owner, max(COMMON_AGENCIES, int(COMMON_SHARE * len(code_of))))


def _common_hashes(every: np.ndarray, agencies: np.ndarray, limit: int) -> set[int]:
    """The hashes that occur (every[i], in a section of agency agencies[i]) in at least `limit` agencies: one sort,
    no Python step per sentence."""
    order = np.lexsort((agencies, every))
    h, a = every[order], agencies[order]
    first = np.ones(len(h), dtype=bool)
    first[1:] = (h[1:] != h[:-1]) | (a[1:] != a[:-1])
    values, counts = np.unique(h[first], return_counts=True)
    return {int(v) for v in values[counts >= limit]}


def _own_text(norm: list[str], blob: bytes, common: set[int]) -> str:
    """A section's normalised text without its common sentences; `blob` holds the hashes of its counted sentences
    (those of 8 characters or more), in order."""
    if not common or not blob:
        return "".join(norm)
    hashes = iter(_unblob(blob).tolist())
    return "".join(x for x in norm if len(x) < 8 or next(hashes) not in common)


# Below this many sections the work stays in this process; above, `workers` processes (default: one per core)
# normalise and sign chunks of CHUNK sections.
PARALLEL_MIN = 20_000
CHUNK = 5_000


def _normalise_chunk(texts: list[str]) -> list[tuple[list[str], bytes]]:
    """Each text's normalised sentences (plain strings: cheap to send back from a worker) and the hashes of the
    ones common_sentences counts (dup_sections.sentences), hashed here on the workers rather than in the build."""
    out = []
    for t in texts:
        norm = [s.norm for s in normalise(t).sentences]
        out.append((norm, _blob([sentence_hash(x) for x in _counted(norm)])))
    return out


def _signature_chunk(texts: list[str]) -> np.ndarray:
    return signatures(texts)


def _in_parallel(fn, items: list, workers: int | None, flat: bool = True) -> list:
    """fn over chunks of items, on worker processes when there are many; the results in order (concatenated
    if flat).

    The workers are ingest.database.pool's, not multiprocessing.Pool's: a fork Pool started from the build
    (which runs threads) once left an idle worker that the build waited on for 17 minutes, and its
    terminate() can hang on Ctrl-C; ours are killed when the pool is left, whatever state they are in.
    The items are not sent: the workers are forked once `_SHARED` holds them and read their chunk from there
    (sending 60 MB of section text through pipes cost more than the work it shared out); only results travel.
    """
    import multiprocessing
    import os

    from .pool import Failure, Pool

    global _SHARED
    ranges = [(k, min(k + CHUNK, len(items))) for k in range(0, len(items), CHUNK)]
    workers = workers or os.cpu_count() or 1
    if len(items) < PARALLEL_MIN or workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        results = [fn(items[a:b]) for a, b in ranges]
    else:
        _SHARED = items
        try:
            with Pool(_shared_chunk, min(workers, len(ranges))) as pool:
                results = []
                for _task, result in pool.imap([(fn, a, b) for a, b in ranges]):
                    if isinstance(result, Failure):
                        raise RuntimeError(f"内容雷同比对的工作进程失败：{result.kind} {result.detail}")
                    results.append(result)
        finally:
            _SHARED = []
    return [x for r in results for x in r] if flat else results


_SHARED: list = []      # the items of the _in_parallel call under way, inherited by its forked workers


def _shared_chunk(task: tuple) -> list:
    fn, start, stop = task
    return fn(_SHARED[start:stop])


def find_similar(sections: Sequence[Section], min_chars: int = STORE_CHARS,
                 min_similarity: float = STORE_SIMILARITY, timings: dict | None = None,
                 workers: int | None = None, keep: dict | None = None) -> list[Pair]:
    """Every pair of sections (a, b) with a faulted for b (`comparable`) that meets the thresholds.

    Python's cycle collector is paused meanwhile: millions of sentence strings and lists (no cycles among
    them) would otherwise set it off again and again, a third of the time at 100,000 reports.
    """
    import gc

    enabled = gc.isenabled()
    gc.disable()
    try:
        return _find_similar(sections, min_chars, min_similarity, timings, workers, keep)
    finally:
        if enabled:
            gc.enable()


def _find_similar(sections, min_chars, min_similarity, timings, workers, keep=None) -> list[Pair]:
    import time

    t = time.perf_counter()
    normalised, hashed = [], []
    for norm, blob in _in_parallel(_normalise_chunk, [s.text for s in sections], workers):
        normalised.append(norm)
        hashed.append(blob)
    common = _HashedSet(common_sentences(hashed, [s.agency for s in sections]))
    joined = [(_own_text(n, h, common.hashes), None) for n, h in zip(normalised, hashed)]
    del normalised      # every section's sentence list: the largest thing held here, not needed from now on
    idx = [i for i, (norm, _) in enumerate(joined) if len(norm) >= min_chars]
    t_norm = time.perf_counter()
    sigs = np.concatenate(_in_parallel(_signature_chunk, [joined[i][0] for i in idx], workers, flat=False)
                          or [np.zeros((0, NUM_PERM), dtype=np.uint32)])
    t_sig = time.perf_counter()
    cands = candidate_pairs(sigs)
    t_lsh = time.perf_counter()
    if keep is not None:
        keep.update(hashed=hashed, common=common, idx=idx, sigs=sigs)
    out: list[Pair] = []
    for x, y in sorted(cands):
        i, j = idx[x], idx[y]
        out.extend(_pairs(sections[i], sections[j], joined[i][0], joined[j][0], common, min_similarity))
    if timings is not None:
        timings.update(normalise=round(t_norm - t, 2), signatures=round(t_sig - t_norm, 2),
                       lsh=round(t_lsh - t_sig, 2), measure=round(time.perf_counter() - t_lsh, 2),
                       sections_indexed=len(idx), candidates=len(cands))
    return out


def _pairs(a: Section, b: Section, norm_a: str, norm_b: str, common: set, min_similarity: float) -> list[Pair]:
    """The pairs one candidate gives: (a, b) if a may be faulted for b's text, (b, a) if b for a's; measured once,
    a being the first of the two in the sections' order."""
    forward, backward = comparable(a, b), comparable(b, a)
    if not (forward or backward):
        return []
    m = measure(norm_a, norm_b)
    if m.similarity < min_similarity:
        return []
    out = []
    if forward:
        out.append(Pair(a, b, norm_a, norm_b, m, common))
    if backward:
        mb = Match(m.similarity, m.jaccard, m.shared_chars, [(c, d, e, f) for e, f, c, d in m.passages])
        out.append(Pair(b, a, norm_b, norm_a, mb, common))
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


def _evidence(pair: Pair, sources: dict[str, list[str]], lines: dict[object, tuple[int, int]],
              seen: dict | None = None) -> list[dict]:
    """The pair's passages with their line ranges. `seen` keeps each section's offsets and first line for the
    next pair that names it (every pair is stored both ways, and a copied section often pairs with several)."""
    seen = {} if seen is None else seen

    def placed(sec: Section, norm: str) -> tuple[list[int] | None, int]:
        if sec.key not in seen:
            seen[sec.key] = (_offsets(sec, norm, pair.common),
                             _first_line(sources[sec.report], *lines[sec.key], sec.text))
        return seen[sec.key]

    offa, first_a = placed(pair.a, pair.norm_a)
    offb, first_b = placed(pair.b, pair.norm_b)
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


# section_spans, not the sections view: the view cuts each section's text out of its report's source text, which
# SQLite reads whole for every section (six times a report); here each source text is read once (_sections).
_SECTIONS_SQL = """select s.id, r.id, coalesce(r.agency_id, r.agency, r.id), r.year, s.number, s.text_start,
                  s.text_length, s.text, s.line_start, s.line_end
           from section_spans s join reports r on r.report_key = s.report_key
           where coalesce(s.text_length, length(s.text)) >= ? {where} order by r.id, s.id"""


def _sections(conn: sqlite3.Connection, where: str = "", params: tuple = ()):
    """(Section list, {key: (first line, last line)}) of the sections long enough to compare, in the order pairs are
    oriented by: report id, then the section's place in its report. `where` may name r.id (the report) and s.id."""
    from .load import section_text

    rows = conn.execute(_SECTIONS_SQL.format(where=where), (STORE_CHARS, *params)).fetchall()
    sections, lines = [], {}
    source_of = source = None
    for k, rid, ag, y, num, start, length, own, ls, le in rows:
        if start is not None and rid != source_of:      # rows come report by report
            found = conn.execute("select text from source_texts where report_id = ?", (rid,)).fetchone()
            source_of, source = rid, found[0] if found else None
        sections.append(Section(k, rid, ag, y, num, section_text(source, start, length, own) or ""))
        lines[k] = (ls or 1, le or ls or 1)
    return sections, lines


def _blob(values) -> bytes:
    return np.asarray(values, dtype="<i8").tobytes()


def _unblob(blob: bytes | None) -> np.ndarray:
    return np.frombuffer(blob, dtype="<i8") if blob else np.zeros(0, dtype=np.int64)


def create_dup_tables(conn: sqlite3.Connection) -> None:
    from . import schema

    for name in ("dup_sections", "dup_bands", "dup_common"):
        conn.execute(schema.TABLES[name]["ddl"])
    conn.execute("create index if not exists idx_dup_sections_report_id on dup_sections (report_id)")


def write_similar(conn: sqlite3.Connection, timings: dict | None = None) -> int:
    """(Re)fill similar_sections from sections and reports, and the comparison state an incremental build
    starts from (dup_sections, dup_bands, dup_common); return the number of rows."""
    sections, lines = _sections(conn)
    state: dict = {}
    pairs = find_similar(sections, timings=timings, keep=state)
    create_table(conn)
    create_dup_tables(conn)
    for name in ("similar_sections", "dup_sections", "dup_bands", "dup_common"):
        conn.execute(f"delete from {name}")
    hashed, common = state.get("hashed", []), state.get("common", _HashedSet(set()))
    bands = dict(zip(state.get("idx", []), band_keys(state["sigs"]))) if len(state.get("idx", [])) else {}
    conn.executemany("insert into dup_sections (section_id, report_id, sentences, bands) values (?, ?, ?, ?)",
                     ((sec.key, sec.report, blob, _blob(bands[i]) if i in bands else None)
                      for i, (sec, blob) in enumerate(zip(sections, hashed))))
    # in key order: appended to the (band, section_id) tree rather than scattered over it
    band_rows = sorted({(int(k), sections[i].key) for i, keys in bands.items() for k in keys})
    conn.executemany("insert into dup_bands (band, section_id) values (?, ?)", band_rows)
    conn.executemany("insert into dup_common (sentence) values (?)", ((h,) for h in sorted(common.hashes)))
    _insert_pairs(conn, pairs, lines)
    return len(pairs)


def _insert_pairs(conn: sqlite3.Connection, pairs: list[Pair], lines: dict) -> None:
    reports = {p.a.report for p in pairs} | {p.b.report for p in pairs}
    seen: dict = {}
    sources: dict[str, list[str]] = {}
    for rid in reports:
        row = conn.execute("select text from source_texts where report_id = ?", (rid,)).fetchone()
        sources[rid] = (row[0] if row and row[0] else "").split("\n")
    conn.executemany(
        """insert into similar_sections (report_id, section_id, section, other_report_id, other_section_id,
             other_section, similarity, jaccard, chars, other_chars, shared_chars, passages)
           values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        ((p.a.report, p.a.key, p.a.number, p.b.report, p.b.key, p.b.number, p.match.similarity, p.match.jaccard,
          len(p.norm_a), len(p.norm_b), p.match.shared_chars,
          json.dumps(_evidence(p, sources, lines, seen), ensure_ascii=False)) for p in pairs))


def _marks(ids) -> str:
    return ",".join("?" * len(ids))


def forget_reports(conn: sqlite3.Connection, report_ids: Sequence[str], removed: list | None = None) -> set[str]:
    """Before these reports' rows are deleted: drop their band hashes and the pairs that name them as the other
    report; return the reports they were paired with (their DUP verdicts change). Their sections' sentence hashes
    are appended to `removed` (update_similar needs them)."""
    partners: set[str] = set()
    ids = list(report_ids)
    if not ids or not conn.execute("select 1 from sqlite_master where name = 'dup_sections'").fetchone():
        return partners
    for k in range(0, len(ids), 500):
        chunk = ids[k:k + 500]
        m = _marks(chunk)
        partners.update(r for (r,) in conn.execute(
            f"select report_id from similar_sections where other_report_id in ({m}) union "
            f"select other_report_id from similar_sections where report_id in ({m})", chunk + chunk))
        for section_id, blob, sentences in conn.execute(
                f"select section_id, bands, sentences from dup_sections where report_id in ({m})", chunk):
            conn.executemany("delete from dup_bands where band = ? and section_id = ?",
                             ((int(b), section_id) for b in _unblob(blob)))
            if removed is not None:
                removed.append(_unblob(sentences))
        conn.execute(f"delete from similar_sections where other_report_id in ({m})", chunk)
    return partners - set(ids)


def _common_now(conn: sqlite3.Connection, maybe: np.ndarray, common: set[int]) -> tuple[set[int], np.ndarray, np.ndarray]:
    """The common sentences' hashes (sentences of COMMON_AGENCIES, or COMMON_SHARE of the agencies, as
    common_sentences counts them) after a change, from the stored hashes: only the hashes in `maybe` (those of the
    sections added or removed) can change status, unless the number of agencies moved the limit, when every
    hash is counted again. Also returns every stored hash and its section (to find the sections a change touches)."""
    agency_of: dict[str, int] = {}
    codes, blobs, owners, counts = [], [], [], []     # per section; one array each at the end (no array a section)
    for section_id, agency, blob in conn.execute(
            "select d.section_id, coalesce(r.agency_id, r.agency, r.id), d.sentences from dup_sections d "
            "join reports r on r.id = d.report_id"):
        code = agency_of.setdefault(agency, len(agency_of))
        if blob:
            blobs.append(blob)
            codes.append(code)
            owners.append(section_id)
            counts.append(len(blob) // 8)
    if not blobs:
        return set(), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    limit = max(COMMON_AGENCIES, int(COMMON_SHARE * len(agency_of)))
    every = np.frombuffer(b"".join(blobs), dtype="<i8")
    owner = np.repeat(np.asarray(owners, dtype=np.int64), counts)
    agencies = np.repeat(np.asarray(codes, dtype=np.int64), counts)
    stored_limit = conn.execute("select value from build_info where key = 'dup_common_limit'").fetchone() \
        if conn.execute("select 1 from sqlite_master where name = 'build_info'").fetchone() else None
    if stored_limit is None or int(stored_limit[0]) != limit:
        pick = np.ones(len(every), dtype=bool)
        common = set()
    else:
        pick = np.isin(every, maybe)
        common = set(common) - {int(h) for h in maybe}
    common |= _common_hashes(every[pick], agencies[pick], limit)
    return common, every, owner


def common_limit(conn: sqlite3.Connection) -> int:
    """The agency count a sentence needs to be common, over the agencies of the indexed sections."""
    n = conn.execute("select count(distinct coalesce(r.agency_id, r.agency, r.id)) from dup_sections d "
                     "join reports r on r.id = d.report_id").fetchone()[0]
    return max(COMMON_AGENCIES, int(COMMON_SHARE * n))


class _HashedSet:
    """The common sentences as a set of strings, known by their hashes (what Normalised.join tests)."""

    def __init__(self, hashes: set[int]):
        self.hashes = hashes

    def __contains__(self, sentence: str) -> bool:
        return len(sentence) >= 8 and sentence_hash(sentence) in self.hashes


def update_similar(conn: sqlite3.Connection, report_ids: Sequence[str], removed: Sequence[np.ndarray] = (),
                   timings: dict | None = None) -> set[str]:
    """After an incremental load: compare the sections of these (new or changed) reports with every section.

    When the common sentences changed (a sentence reached or left the agency count), the sections holding such a
    sentence are compared again too (their text without the common sentences changed). `removed`: the sentence
    hashes of the sections deleted since (forget_reports), which may have stopped being common. Returns every report
    whose DUP verdict may have changed: those compared again and those paired with them, before or after.
    """
    create_table(conn)
    create_dup_tables(conn)
    ids = list(report_ids)
    redo: list[Section] = []
    lines: dict = {}
    for k in range(0, len(ids), 500):
        chunk = ids[k:k + 500]
        secs, ls = _sections(conn, f"and r.id in ({_marks(chunk)})", tuple(chunk))
        redo += secs
        lines.update(ls)
    normalised = [[x.norm for x in normalise(sec.text).sentences] for sec in redo]
    conn.executemany("insert into dup_sections (section_id, report_id, sentences, bands) values (?, ?, ?, null)",
                     ((sec.key, sec.report, _blob([sentence_hash(x) for x in _counted(norm)]))
                      for sec, norm in zip(redo, normalised)))
    before = {c for (c,) in conn.execute("select sentence from dup_common")}
    maybe = np.unique(np.concatenate([np.zeros(0, dtype=np.int64), *removed,
                                      *(np.asarray([sentence_hash(x) for x in _counted(n)], dtype=np.int64)
                                        for n in normalised)]))
    common, every, owner = _common_now(conn, maybe, before)
    flipped = common ^ before
    affected: set[str] = set()
    if flipped:
        conn.executemany("delete from dup_common where sentence = ?", ((c,) for c in before - common))
        conn.executemany("insert into dup_common (sentence) values (?)", ((c,) for c in common - before))
        mine = {sec.key for sec in redo}
        touched = sorted(set(np.unique(owner[np.isin(every, np.fromiter(flipped, dtype=np.int64))]).tolist()) - mine)
        for k in range(0, len(touched), 500):
            chunk = touched[k:k + 500]
            m = _marks(chunk)
            affected.update(r for (r,) in conn.execute(
                f"select report_id from similar_sections where section_id in ({m}) or other_section_id in ({m}) union "
                f"select other_report_id from similar_sections where section_id in ({m}) or other_section_id in ({m})",
                chunk * 4))
            conn.execute(f"delete from similar_sections where section_id in ({m}) or other_section_id in ({m})", chunk * 2)
            for section_id, blob in conn.execute(
                    f"select section_id, bands from dup_sections where section_id in ({m}) and bands is not null", chunk):
                conn.executemany("delete from dup_bands where band = ? and section_id = ?",
                                 ((int(b), section_id) for b in _unblob(blob)))
            conn.execute(f"update dup_sections set bands = null where section_id in ({m})", chunk)
            secs, ls = _sections(conn, f"and s.id in ({m})", tuple(chunk))
            lines.update(ls)
            redo += secs
            normalised += [[x.norm for x in normalise(sec.text).sentences] for sec in secs]
            affected.update(sec.report for sec in secs)
    joined = ["".join(x for x in norm if not (len(x) >= 8 and sentence_hash(x) in common)) for norm in normalised]
    idx = [i for i, text in enumerate(joined) if len(text) >= STORE_CHARS]
    if not idx:
        return affected
    keys = band_keys(signatures([joined[i] for i in idx]))
    conn.executemany("update dup_sections set bands = ? where section_id = ?",
                     ((_blob(keys[n]), redo[i].key) for n, i in enumerate(idx)))
    conn.executemany("insert or ignore into dup_bands (band, section_id) values (?, ?)",
                     ((int(b), redo[i].key) for n, i in enumerate(idx) for b in keys[n]))
    mine = {redo[i].key: i for i in idx}
    candidates: set[tuple[int, int]] = set()
    conn.execute("drop table if exists temp.dup_probe")
    conn.execute("create temp table dup_probe (band integer, section_id integer)")
    conn.executemany("insert into temp.dup_probe values (?, ?)",
                     ((int(b), redo[i].key) for n, i in enumerate(idx) for b in keys[n]))
    for x, y in conn.execute("select distinct p.section_id, d.section_id from temp.dup_probe p "
                             "join dup_bands d on d.band = p.band where d.section_id != p.section_id"):
        candidates.add((min(x, y), max(x, y)))
    conn.execute("drop table temp.dup_probe")
    others = sorted({k for pair in candidates for k in pair if k not in mine})
    known: dict[int, tuple[Section, str]] = {}
    for k in range(0, len(others), 500):
        chunk = others[k:k + 500]
        secs, ls = _sections(conn, f"and s.id in ({_marks(chunk)})", tuple(chunk))
        lines.update(ls)
        for sec in secs:
            norm = [x.norm for x in normalise(sec.text).sentences]
            known[sec.key] = (sec, "".join(x for x in norm if not (len(x) >= 8 and sentence_hash(x) in common)))
    for key, i in mine.items():
        known[key] = (redo[i], joined[i])
    pairs: list[Pair] = []
    dropped = _HashedSet(common)
    for x, y in candidates:
        (a, na), (b, nb) = known[x], known[y]
        if (a.report, a.key) > (b.report, b.key):
            (a, na), (b, nb) = (b, nb), (a, na)
        pairs += _pairs(a, b, na, nb, dropped, STORE_SIMILARITY)
    _insert_pairs(conn, pairs, lines)
    return affected | {p.b.report for p in pairs} | {p.a.report for p in pairs}


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

