"""Glued digit runs → cells, solved by the form's own identities (forms.md §7 and §8).

Some site extractors drop the separators between a row's cells: "713000074" where table 3 expects 7
cells, "110024001510102" for the 15 cells of table 4, "8855698" for 本年制发件数/本年废止件数/现行有效件数.
Such a run cannot be read by position; it can only be cut. This module enumerates every way to cut a
row's runs into the expected number of cells — non-negative integers without leading zeros (except
"0"), a sign only on a signed cell (本年增/减) and only at the start of a run, a decimal fraction only
on an amount cell and only at the end of a run — and keeps the cuts that satisfy the identities that
apply: sums inside the row (T3-row-total, T4-total per block) and checks over the whole row (T2-*),
then, for table 3, the column identities across rows (T3-results, T3-balance), so a row ambiguous on
its own may still be fixed by the others.

Why the caller gets candidates, not an answer: a cut is only as good as the identity behind it. The
table reader stores a value only when exactly one cut survives (kind `recovered`, warning
`cells_split_by_rules` naming the rules); several survivors are listed in a warning and the cells stay
null; none leaves them null too (`cells_concatenated`).

Bounded work: a total cell whose parts are known is never guessed but read off the run (its digits
must be the sum's digits), every search counts its steps and stops at a budget (then nothing is
recovered from it and the warning says so), and a run longer than MAX_RUN_DIGITS is not searched at
all. A 1,000-digit run costs one comparison, not an exponential enumeration.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Callable, Sequence

MAX_RUN_DIGITS = 120      # digits of one row's runs together; longer rows are not searched
ROW_BUDGET = 20_000       # search steps for one row
TABLE_BUDGET = 20_000     # search steps for the column identities of one table
MAX_CANDIDATES = 50       # candidate cuts kept per row (more: the row is ambiguous anyway)

_RUN = re.compile(r"([+\-]?)(\d+)((?:\.\d+)?)")


@dataclass(frozen=True)
class Piece:
    """One printed token of a row: a digit run (may hold several cells) or a fixed cell."""
    printed: str
    start: int
    run: bool = False
    value: object = None          # a fixed piece's value (None: blank, placeholder, unreadable)
    kind: str = "number"          # a fixed piece's cell kind


@dataclass(frozen=True)
class Part:
    """One cell of a cut: its value and where its characters are printed."""
    value: object
    printed: str
    start: int
    end: int
    kind: str                     # "split" (cut from a run) or the fixed piece's kind


@dataclass
class RowSplits:
    candidates: list[tuple[Part, ...]]
    complete: bool                # False: the search hit its budget or MAX_CANDIDATES


Sum = tuple[tuple[int, ...], int]            # (indices of the parts, index of their total)
Check = tuple[str, Callable[[Sequence], bool]]



def _step(state: dict, budget: int) -> bool:
    """One node of a bounded search: False once the search is over its budget of nodes (it then stops and
    says it is incomplete) or was already stopped."""
    if not state["complete"]:
        return False
    state["nodes"] += 1
    if state["nodes"] > budget:
        state["complete"] = False
        return False
    return True

def is_run(printed: str) -> bool:
    """A token that may be several glued cells: digits, optionally signed, optionally with a fraction."""
    return _RUN.fullmatch(printed) is not None


def run_digits(pieces: Sequence[Piece]) -> int:
    return sum(len(_RUN.fullmatch(p.printed).group(2)) for p in pieces if p.run)


def width(pieces: Sequence[Piece]) -> int:
    """The most cells the pieces can hold: one per digit of a run, one per fixed piece."""
    return run_digits(pieces) + sum(1 for p in pieces if not p.run)


def _value(kind: str, sign: str, digits: str, frac: str):
    if kind == "amount":
        return None if sign else (Decimal(digits + frac) if frac else int(digits))
    if frac:
        return None
    if kind == "signed":
        return int(sign + digits)
    return None if sign else int(digits)


def row_splits(pieces: Sequence[Piece], kinds: Sequence[str], *, sums: Sequence[Sum] = (),
               checks: Sequence[Check] = (), limit: int = MAX_CANDIDATES, budget: int = ROW_BUDGET) -> RowSplits:
    """Every cut of `pieces` into len(kinds) cells that satisfies `sums` and `checks`.

    kinds: per cell "count" (integer ≥ 0), "signed" (integer, sign allowed) or "amount" (a fraction
    allowed). sums: (parts, total) index groups, total = Σ parts whenever every operand is a number.
    checks: (rule, predicate over the row's values, None where unknown) evaluated on complete cuts.
    """
    n = len(kinds)
    parsed = [(_RUN.fullmatch(p.printed).groups() if p.run else None) for p in pieces]
    if run_digits(pieces) > MAX_RUN_DIGITS:
        return RowSplits([], False)
    blocks = _block_layout(sums, n)
    if len(pieces) == 1 and pieces[0].run and not parsed[0][0] and not parsed[0][2] and blocks \
            and all(k == "count" for k in kinds):
        return _blocks_split(pieces[0], blocks, checks, limit, budget)
    cap_after = [0] * (len(pieces) + 1)           # most cells pieces[i:] can hold
    for i in range(len(pieces) - 1, -1, -1):
        cap_after[i] = cap_after[i + 1] + (len(parsed[i][1]) if pieces[i].run else 1)
    forced = {t: parts for parts, t in sums if parts and t > max(parts)}
    ends: dict[int, list[Sum]] = {}
    for parts, t in sums:
        ends.setdefault(max((*parts, t)), []).append((parts, t))
    vals: list = [None] * n
    chosen: list = [None] * n
    out: list[tuple[Part, ...]] = []
    state = {"nodes": 0, "complete": True}

    def sums_hold(i: int) -> bool:
        for parts, t in ends.get(i, ()):
            operands = [vals[j] for j in parts]
            if vals[t] is not None and None not in operands and sum(operands) != vals[t]:
                return False
        return True

    def go(i: int, pi: int, off: int) -> None:
        if not _step(state, budget):
            return
        if i == n:
            if pi == len(pieces) and all(check(vals) for _name, check in checks):
                out.append(tuple(chosen))
                if len(out) > limit:
                    state["complete"] = False
            return
        if pi == len(pieces):
            return
        piece = pieces[pi]
        if not piece.run:
            if n - i - 1 < len(pieces) - pi - 1 or n - i - 1 > cap_after[pi + 1]:
                return
            vals[i] = piece.value
            chosen[i] = Part(piece.value, piece.printed, piece.start, piece.start + len(piece.printed), piece.kind)
            if sums_hold(i):
                go(i + 1, pi + 1, 0)
            return
        sign, digits, frac = parsed[pi]
        left = len(digits) - off
        rest_min, rest_cap = len(pieces) - pi - 1, cap_after[pi + 1]
        if n - i < 1 + rest_min or n - i > left + rest_cap:
            return
        lengths: range | tuple = range(1, left + 1) if digits[off] != "0" else (1,)
        if i in forced:
            operands = [vals[j] for j in forced[i]]
            if None not in operands:
                want = str(sum(operands))
                lengths = (len(want),) if digits.startswith(want, off) else ()
        for ln in lengths:
            last = ln == left
            if last:
                if not (rest_min <= n - i - 1 <= rest_cap):
                    continue
            elif n - i - 1 < 1 + rest_min:
                continue
            value = _value(kinds[i], sign if off == 0 else "", digits[off:off + ln], frac if last else "")
            if value is None:
                continue
            a = 0 if off == 0 else len(sign) + off
            b = len(sign) + off + ln + (len(frac) if last else 0)
            vals[i] = value
            chosen[i] = Part(value, piece.printed[a:b], piece.start + a, piece.start + b, "split")
            if sums_hold(i):
                if last:
                    go(i + 1, pi + 1, 0)
                else:
                    go(i + 1, pi, off + ln)
        vals[i] = chosen[i] = None

    go(0, 0, 0)
    return RowSplits(out, state["complete"])


def _block_layout(sums: Sequence[Sum], n: int) -> list[int] | None:
    """Block sizes when the sums tile the row as consecutive (parts…, total) blocks (a table-3 row, the
    15 cells of table 4); None otherwise."""
    sizes, at = [], 0
    for parts, t in sorted(sums, key=lambda g: g[1]):
        if tuple(parts) != tuple(range(at, t)) or not parts:
            return None
        sizes.append(t - at + 1)
        at = t + 1
    return sizes if at == n and sizes else None


def _blocks_split(piece: Piece, blocks: list[int], checks: Sequence[Check], limit: int, budget: int) -> RowSplits:
    """One run of digits over whole (parts…, total) blocks: each block is cut total first — a total of
    ℓ digits bounds every part to ℓ digits and their running sum to its value — so the work follows
    the few cuts that can add up, not the number of ways to cut."""
    s = piece.printed
    state = {"nodes": 0, "complete": True}
    memo: dict[tuple[int, int, int], list[tuple[int, ...]]] = {}

    def block(o: int, e: int, m: int) -> list[tuple[int, ...]]:
        """Cuts of s[o:e] into m parts and their total (last)."""
        key = (o, e, m)
        if key in memo:
            return memo[key]
        out: list[tuple[int, ...]] = []
        for lt in range(1, e - o - m + 1):
            t_str = s[e - lt:e]
            if lt > 1 and t_str[0] == "0":
                continue
            total, end = int(t_str), e - lt
            if not m <= end - o <= m * lt:
                continue
            parts: list[int] = []

            def go(pos: int, acc: int) -> None:
                if not _step(state, budget):
                    return
                left = m - len(parts)
                if left == 1:
                    rest = s[pos:end]
                    if rest and (len(rest) == 1 or rest[0] != "0") and int(rest) == total - acc:
                        out.append((*parts, int(rest), total))
                    return
                for ln in (range(1, min(lt, end - pos - (left - 1)) + 1) if s[pos] != "0" else (1,)):
                    rest = end - pos - ln              # digits left for the other left-1 parts
                    if not left - 1 <= rest <= (left - 1) * lt:
                        continue
                    v = int(s[pos:pos + ln])
                    need = total - acc - v             # what the other parts must add up to
                    if need < 0:
                        break
                    # they cannot hold more digits than `need` has, each; and the longest of them has at
                    # least rest/(left-1) digits, so is at least 10^(that-1)
                    longest = -(-rest // (left - 1))
                    widest = min(lt, rest - (left - 2))
                    if rest > (left - 1) * len(str(need)) or (longest > 1 and need < 10 ** (longest - 1)) \
                            or need > (left - 1) * (10 ** widest - 1):
                        continue
                    parts.append(v)
                    go(pos + ln, acc + v)
                    parts.pop()
                    if not state["complete"]:
                        return

            go(o, 0)
        memo[key] = out
        return out

    found: list[tuple[int, ...]] = []

    def chain(b: int, o: int, prefix: tuple[int, ...]) -> None:
        if not state["complete"]:
            return
        if b == len(blocks):
            if o == len(s) and all(check(prefix) for _name, check in checks):
                found.append(prefix)
                if len(found) > limit:
                    state["complete"] = False
            return
        size = blocks[b]
        rest = sum(blocks[b + 1:])
        ends = (len(s),) if b == len(blocks) - 1 else range(o + size, len(s) - rest + 1)
        for e in ends:
            for vec in block(o, e, size - 1):
                chain(b + 1, e, prefix + vec)
                if not state["complete"]:
                    return

    chain(0, 0, ())
    candidates = []
    for vec in found:
        parts, at = [], 0
        for v in vec:
            ln = len(str(v))
            parts.append(Part(v, s[at:at + ln], piece.start + at, piece.start + at + ln, "split"))
            at += ln
        candidates.append(tuple(parts))
    return RowSplits(candidates, state["complete"])


def unique_by_format(pieces: Sequence[Piece], kinds: Sequence[str]) -> tuple[Part, ...] | None:
    """The only cut the printed digits allow at all (7 digits for 7 cells, "+11" for two cells), if any:
    such a row is read as printed, whatever the identities say (a self-contradicting table keeps its
    numbers and the checks show the contradiction)."""
    found = row_splits(pieces, kinds, limit=1)
    return found.candidates[0] if found.complete and len(found.candidates) == 1 else None


# ------------------------------------------------------------------------------------------
# Column identities across rows (table 3)
# ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Equation:
    """For every column: Σ left rows = Σ right rows (rule `rule`), where every operand is a number."""
    rule: str
    left: tuple[str, ...]
    right: tuple[str, ...]


@dataclass(frozen=True)
class Bound:
    """For every column: row `part` ≤ row `total` (rule `rule`), where both are numbers — a "其中" item
    that is part of a total without the parts having to add up to it (legacy 网站公开 of 主动公开信息数)."""
    rule: str
    part: str
    total: str


@dataclass
class TableSolution:
    options: dict[str, list[tuple]]   # per variable row: the value vectors found in some joint solution
    rules: dict[str, list[str]]       # per variable row: the equations that constrained it
    complete: bool


def solve_table(known: dict[str, Sequence], variables: dict[str, list[tuple]], equations: Sequence[Equation],
                ncols: int, *, bounds: Sequence[Bound] = (), order: Sequence[str] = (),
                budget: int = TABLE_BUDGET) -> TableSolution:
    """Which candidate vectors of the variable rows can stand together under the column equations
    (and the bounds: a part never above its total).

    known: rows read as printed (values, None where not a number); variables: rows with candidate
    vectors. A row with no candidate should not be passed (it is unknown: None). Values are ≥ 0, so
    a side already complete bounds the partial sum of the other side, which prunes the search.
    """
    names = sorted(variables, key=lambda k: (order.index(k) if k in order else len(order), k))
    assigned: dict[str, Sequence] = dict(known)
    eq_of = {k: [e for e in equations if k in e.left or k in e.right] for k in names}
    bound_of = {k: [b for b in bounds if k in (b.part, b.total)] for k in names}
    found: dict[str, list[tuple]] = {k: [] for k in names}
    used: dict[str, set[str]] = {k: set() for k in names}
    state = {"nodes": 0, "complete": True, "solutions": 0}

    def consistent(eq: Equation) -> bool:
        left = [assigned.get(k) for k in eq.left]
        right = [assigned.get(k) for k in eq.right]
        for c in range(ncols):
            lv = [None if r is None else r[c] for r in left]
            rv = [None if r is None else r[c] for r in right]
            pending_l = any(k not in assigned for k in eq.left)
            pending_r = any(k not in assigned for k in eq.right)
            known_l = [v for v, k in zip(lv, eq.left) if k in assigned]
            known_r = [v for v, k in zip(rv, eq.right) if k in assigned]
            if None in known_l or None in known_r:
                continue        # a blank operand: the identity does not apply to this column
            if not pending_l and not pending_r:
                if sum(known_l) != sum(known_r):
                    return False
            elif not pending_l and sum(known_r) > sum(known_l):
                return False
            elif not pending_r and sum(known_l) > sum(known_r):
                return False
        return True

    def below(b: Bound) -> bool:
        part, total = assigned.get(b.part), assigned.get(b.total)
        return part is None or total is None or \
            all(p is None or t is None or p <= t for p, t in zip(part, total))

    def bound_applies(b: Bound) -> bool:
        part, total = assigned.get(b.part), assigned.get(b.total)
        return part is not None and total is not None and \
            any(p is not None and t is not None for p, t in zip(part, total))

    def applies(eq: Equation) -> bool:
        rows = [assigned.get(k) for k in (*eq.left, *eq.right)]
        return any(all(r is not None and r[c] is not None for r in rows) for c in range(ncols))

    def go(idx: int) -> None:
        if not _step(state, budget):
            return
        if idx == len(names):
            state["solutions"] += 1
            for k in names:
                vec = tuple(assigned[k])
                if vec not in found[k]:
                    found[k].append(vec)
                used[k].update(e.rule for e in eq_of[k] if applies(e))
                used[k].update(b.rule for b in bound_of[k] if bound_applies(b))
            return
        key = names[idx]
        for vec in variables[key]:
            assigned[key] = vec
            if all(consistent(e) for e in eq_of[key]) and all(below(b) for b in bound_of[key]):
                go(idx + 1)
            del assigned[key]

    go(0)
    return TableSolution(found, {k: sorted(v) for k, v in used.items()}, state["complete"])
