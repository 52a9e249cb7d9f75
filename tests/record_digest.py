"""Digest of the parser's output: one SHA-256 per input file of its canonical JSON record.

    python tests/record_digest.py            # compare with tests/fixtures/records.sha256, list what differs
    python tests/record_digest.py --write    # regenerate the digest file (the parser's output changed ON PURPOSE)

Why: a change meant to make the parser faster (or tidier) must not change a single record, and no test
of exact values covers every cell, warning and line number of every sample. The digest pins all of them
on the real files of the project (data/reports/, tests/fixtures/ incl. the real PDF) and on a generated
corpus covering every layout, template, script, encoding and the legacy layouts
(tests/test_record_digest.py recomputes it).

When the parser's output changes on purpose (a fix, a new field), run this script to see which records
changed, check that only the intended ones did, then regenerate with `--write` and commit the new
digest with the change, saying why in the commit message. Never regenerate it to make a speed-up pass.

The canonical JSON is `json.dumps({"record": record, "text": text}, sort_keys=True, ensure_ascii=False)`
(a Decimal written with its type); the record's
`source.path` is the name below (data/reports/NAME, fixtures/NAME, generated/NNNN_NAME), so the digest
does not depend on where the checkout lives.
"""
from __future__ import annotations

import hashlib
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DIGEST_PATH = ROOT / "tests" / "fixtures" / "records.sha256"
GENERATED_N = 240          # a multiple of the layout × template × script × encoding combinations cycled
LEGACY_N = 24
SEED = 13
SKIP = {"SOURCES.md", "README.md", "records.sha256", "forms.md"}


def corpus() -> list[tuple[str, bytes]]:
    """(name, bytes) of every input the digest covers, in a fixed order."""
    from ingest.generate import LEGACY_LAYOUTS, generate_corpus, generate_legacy

    items = []
    for folder, prefix in ((ROOT / "data" / "reports", "data/reports/"), (ROOT / "tests" / "fixtures", "fixtures/")):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.name not in SKIP:
                items.append((prefix + path.relative_to(folder).as_posix(), path.read_bytes()))
    for i, g in enumerate(generate_corpus(GENERATED_N, SEED)):
        items.append((f"generated/{i:04d}_{g.filename}", g.data))
    for i in range(LEGACY_N):
        g = generate_legacy(random.Random(SEED * 7919 + i), layout=LEGACY_LAYOUTS[i % len(LEGACY_LAYOUTS)])
        items.append((f"generated/legacy_{i:04d}_{g.filename}", g.data))
    return items


def _typed(value) -> str:
    """A value JSON has no type for (Decimal), written with its type so that 1.50 and 1.5 differ."""
    return f"{type(value).__name__}:{value}"


def record_digest(name: str, data: bytes) -> str:
    """SHA-256 of the record and of the report text the database stores (`Parsed.text`)."""
    from ingest.parse import parse_bytes

    parsed = parse_bytes(data, name)
    canonical = json.dumps({"record": parsed.record, "text": parsed.text}, sort_keys=True, ensure_ascii=False,
                           default=_typed)
    return hashlib.sha256(canonical.encode()).hexdigest()


def compute() -> dict[str, str]:
    return {name: record_digest(name, data) for name, data in corpus()}


def read_digest(path: Path = DIGEST_PATH) -> dict[str, str]:
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            digest, name = line.split("  ", 1)
            out[name] = digest
    return out


def write_digest(digests: dict[str, str], path: Path = DIGEST_PATH) -> None:
    lines = ["# SHA-256 of each input's canonical JSON record; regenerate ONLY when the output changes on purpose:",
             "#   python tests/record_digest.py --write   (see its docstring)"]
    path.write_text("\n".join(lines + [f"{d}  {n}" for n, d in digests.items()]) + "\n", encoding="utf-8")


def differences(expected: dict[str, str], actual: dict[str, str]) -> list[str]:
    """Names whose record changed, appeared or disappeared."""
    return sorted(n for n in expected.keys() | actual.keys() if expected.get(n) != actual.get(n))


def main(argv: list[str]) -> int:
    digests = compute()
    if "--write" in argv:
        write_digest(digests)
        print(f"wrote {DIGEST_PATH} ({len(digests)} records)")
        return 0
    changed = differences(read_digest(), digests)
    for name in changed:
        print(f"changed: {name}")
    print(f"{len(digests)} records, {len(changed)} changed")
    return 1 if changed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
