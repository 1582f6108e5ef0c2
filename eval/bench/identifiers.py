"""Identifier questions: does the record carrying the identifier come first, whatever the spelling?

    python -m eval.bench.identifiers [--folder ../shared/data/music-samples] [--folder assistant/demo/corpus]

Ingests the folders into a fresh embedded store, then asks, for every identifier a record
carries (ISWC, ISRC, UPC/EAN, IPI), questions that write it four ways: conventional
("T-345.246.800-3"), compact ("T3452468003"), lower case, and spaced ("T 345 246 800 3").
Prints, for the product's retrieval (identifier-exact first) and for plain hybrid retrieval
(dense + BM25, the baseline, same run): how often the top-1 hit carries the identifier (target:
every time) and how often the top 3 hold the record the question was made from.
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import time
from pathlib import Path

from assistant.service import RightsService
from assistant.settings import Settings
from ingest.identifiers import format_identifier

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_FOLDERS = [ROOT.parent / "shared" / "data" / "music-samples", ROOT / "assistant" / "demo" / "corpus"]
TEMPLATES = {
    "ISWC": "Who wrote ISWC {id} and what are the splits?",
    "ISRC": "Which recording has ISRC {id}?",
    "UPC": "What is on the release with UPC {id}?",
    "IPI": "Which works list the writer with IPI {id}?",
}


def spellings(scheme: str, value: str) -> dict[str, str]:
    written = format_identifier(scheme, value)
    if scheme == "ISRC":
        spaced = f"{value[:2]} {value[2:5]} {value[5:7]} {value[7:]}"
    elif scheme == "ISWC":
        spaced = f"T {value[1:4]} {value[4:7]} {value[7:10]} {value[10]}"
    else:
        spaced = " ".join(value[i:i + 4] for i in range(0, len(value), 4))
    short_ipi = value.lstrip("0") if scheme == "IPI" else None
    out = {"written": written, "compact": value, "lower": written.lower(), "spaced": spaced}
    if short_ipi:
        out["compact"] = short_ipi  # files and people drop an IPI's leading zeros
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folder", type=Path, action="append", help="folders to ingest (repeatable)")
    parser.add_argument("--max-per-scheme", type=int, default=60, help="identifiers sampled per scheme")
    args = parser.parse_args()
    folders = [f for f in (args.folder or DEFAULT_FOLDERS) if f.exists()]
    if not folders:
        raise SystemExit("no folder to ingest (give --folder)")
    tmp = Path(tempfile.mkdtemp(prefix="rights-idbench-"))
    try:
        with RightsService(Settings(data_dir=tmp)) as service:
            report = service.ingest(folders)
            print(f"ingested {report.counts.get('new', 0)} files ({report.chunks_written} chunks, "
                  f"{len(report.problems)} not ingested) in {report.seconds:.1f} s from: {', '.join(map(str, folders))}")
            records = [h for h in service.store.all_chunks() if h.payload.get("record_kind")]
            by_key: dict[str, list[str]] = {}
            for h in records:
                for ident in h.payload.get("identifiers") or []:
                    if ident.get("valid", True):
                        by_key.setdefault(f"{ident['scheme']}:{ident['value']}", []).append(h.point_id)
            rng = random.Random(7)
            cases = []
            for scheme in TEMPLATES:
                keys = sorted(k for k in by_key if k.startswith(scheme + ":"))
                rng.shuffle(keys)
                for key in keys[: args.max_per_scheme]:
                    value = key.split(":", 1)[1]
                    source = by_key[key][0]
                    for style, written in spellings(scheme, value).items():
                        cases.append((scheme, style, key, source, TEMPLATES[scheme].format(id=written)))
            print(f"{len(records)} record chunks, {len(by_key)} distinct valid identifiers, {len(cases)} questions\n")
            rows = []
            for system in ("rights", "hybrid"):
                top1 = top3 = 0
                per: dict[str, list[int]] = {}
                started = time.perf_counter()
                for scheme, style, key, source, question in cases:
                    hits = service.retrieve(question, 3) if system == "rights" else service.search(question, 3, mode="hybrid")
                    ok1 = bool(hits) and key in (hits[0].payload.get("ids") or [])
                    ok3 = any(h.point_id == source or key in (h.payload.get("ids") or []) and h.payload.get("record_kind") for h in hits[:3])
                    top1 += ok1
                    top3 += ok3
                    per.setdefault(f"{scheme}/{style}", [0, 0])[0] += ok1
                    per[f"{scheme}/{style}"][1] += 1
                ms = 1000 * (time.perf_counter() - started) / max(1, len(cases))
                rows.append((system, top1, top3, len(cases), ms, per))
            print(f"{'system':8} {'top-1 carries id':>17} {'top-3 holds record':>19} {'ms/question':>12}")
            for system, top1, top3, n, ms, _ in rows:
                print(f"{system:8} {top1:>5}/{n:<5} {top1 / n:6.3f} {top3:>5}/{n:<5} {top3 / n:6.3f} {ms:12.1f}")
            base = rows[1][1] / rows[1][3] if rows[1][3] else 0
            print(f"\ntop-1 ratio rights / hybrid baseline: {rows[0][1] / max(rows[1][1], 1):.2f} (baseline {base:.3f})")
            print("\nper scheme and spelling (rights top-1 | hybrid top-1):")
            for key in sorted(rows[0][5]):
                a, n = rows[0][5][key]
                b, _ = rows[1][5][key]
                print(f"  {key:16} {a:>4}/{n:<4} | {b:>4}/{n:<4}")
            misses = [(q, key) for (scheme, style, key, source, q) in cases
                      if not (h := service.retrieve(q, 1)) or key not in (h[0].payload.get("ids") or [])]
            for q, key in misses[:10]:
                print(f"  MISS {key}: {q}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
