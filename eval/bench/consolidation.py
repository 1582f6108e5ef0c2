"""Consolidation cost: how long applying a family's changes to its agreement takes, at catalog scale.

    python -m eval.bench.consolidation [--families 1000] [--seed 7]

Generates synthetic families (an agreement of 20 to 60 numbered clauses with sub-clauses, and one to
four change documents mixing replace, delete, insert, word substitution and "notwithstanding"
operations, some aimed at clauses that do not exist), then times, in the same run:

- ``consolidate`` per family (tree, operations, application), the work `rights family
  --consolidated`, answers and the register add;
- the baseline: ``extract_terms`` on the same agreement, the per-document work every ingest
  already does.

Prints per-family p50 / p95 / total for both, the ratio consolidation / key terms, and checks
that every operation aimed at a missing clause is reported unapplied.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from assistant.contracts.consolidated.apply import ChangeDocument, consolidate
from assistant.contracts.terms import extract_terms

WORDS = "the label shall pay artist royalties within days of each statement territory term records masters net receipts".split()


def _agreement(rng: random.Random, n_clauses: int) -> tuple[str, list[str]]:
    lines, refs = ["RECORDING AGREEMENT", "", "This Recording Agreement is made on 1 May 2022 between A Ltd and B."], []
    for top in range(1, n_clauses // 3 + 2):
        lines += ["", f"{top}. HEADING {top}"]
        for sub in range(1, rng.randint(2, 4)):
            ref = f"{top}.{sub}"
            refs.append(ref)
            pct = rng.randint(5, 80)
            lines.append(f"{ref} " + " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 30)))
                         + f" at {pct} per cent ({pct}%).")
    return "\n".join(lines), refs


def _change(rng: random.Random, refs: list[str], text: str, n_ops: int) -> tuple[str, int]:
    ops, missing = [], 0
    for i in range(1, n_ops + 1):
        ref = rng.choice(refs)
        kind = rng.choice(["replace", "delete", "substitute", "insert", "override", "missing"])
        if kind == "replace":
            ops.append(f"{i}. Clause {ref} of the Agreement is deleted and replaced by: 'The royalty is {rng.randint(5, 80)} per cent.'")
        elif kind == "delete":
            ops.append(f"{i}. Clause {ref} is deleted in its entirety.")
        elif kind == "substitute":
            pct = text.split(f"\n{ref} ", 1)[1].split("(", 1)[1].split(")", 1)[0] if f"\n{ref} " in text else "5%"
            ops.append(f"{i}. In clause {ref} of the Agreement, '({pct})' is replaced by '({rng.randint(5, 80)}%)'.")
        elif kind == "insert":
            ops.append(f"{i}. A new clause {ref.split('.')[0]}.{rng.randint(10, 99)} is inserted: 'Statements are sent quarterly.'")
        elif kind == "override":
            ops.append(f"{i}. Notwithstanding clause {ref} of the Agreement, the Label may pay monthly.")
        else:
            missing += 1
            ops.append(f"{i}. Clause {900 + i}.1 of the Agreement is deleted and replaced by: 'Nothing.'")
    return "AMENDMENT\n\n" + "\n\n".join(ops) + "\n", missing


def families(n: int, seed: int = 7) -> list[tuple[str, list[ChangeDocument], int]]:
    rng = random.Random(seed)
    out = []
    for f in range(n):
        text, refs = _agreement(rng, rng.randint(20, 60))
        docs, missing = [], 0
        for d in range(rng.randint(1, 4)):
            body, m = _change(rng, refs, text, rng.randint(1, 6))
            missing += m
            docs.append(ChangeDocument(f"f{f}-d{d}", f"f{f}-amendment-{d}.txt", f"202{3 + d}-01-01", body, "amendment"))
        out.append((text, docs, missing))
    return out


def _stats(times: list[float]) -> str:
    ms = sorted(t * 1000 for t in times)
    return f"p50 {statistics.median(ms):7.2f} ms   p95 {ms[int(0.95 * (len(ms) - 1))]:7.2f} ms   total {sum(ms) / 1000:7.2f} s"


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--families", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    fams = families(args.families, args.seed)
    consolidation, baseline, reported, aimed_missing = [], [], 0, 0
    for text, docs, missing in fams:
        t0 = time.perf_counter()
        result = consolidate(text, docs)
        consolidation.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        extract_terms("RECORDING AGREEMENT", text)
        baseline.append(time.perf_counter() - t0)
        aimed_missing += missing
        reported += sum(1 for u in result.unapplied if u.change.op.target.startswith("9") and len(u.change.op.target) >= 5)
    ratio = sum(consolidation) / max(sum(baseline), 1e-9)
    print(f"{len(fams)} synthetic families, {sum(len(d) for _, d, _ in fams)} change documents")
    print(f"consolidate           {_stats(consolidation)}")
    print(f"extract_terms (base)  {_stats(baseline)}")
    print(f"ratio consolidation / key terms of the agreement: {ratio:.2f}")
    print(f"changes aimed at missing clauses: {aimed_missing}, reported unapplied: {reported}")
    return {"families": len(fams), "ratio": ratio, "missing": aimed_missing, "reported": reported}


if __name__ == "__main__":
    main()
