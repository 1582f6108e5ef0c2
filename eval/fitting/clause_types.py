"""Learn the clause types (assistant/search/clause_types.py) on half of a dataset's contracts; measure on the other half.

    python -m eval.fitting.clause_types [--docs DIR] [--dataset FILE] [--data DIR] [--fit-half 0] [--write]
    python -m eval.fitting.clause_types --held-out FILE   # write the held-back half's questions, for `rights eval`

The contracts of the dataset are split in two by their sorted position (even / odd): nothing of
the held-back half is seen while fitting. On the fitting half, per category:

- the question vector: the mean embedding of the category's questions with their names stripped
  (retrieval.strip_names: what the retriever embeds inside named documents);
- the clause vector: the mean embedding of the chunks that overlap the category's gold spans.

The fusion weights of each type - its clause ranking's and its opening-chunks ranking's - are
chosen on the fitting half (span recall@5 of the product's retrieval for that category's
questions, over 0 = off and a small grid for each). Then the product's retrieval is run on the held-back half
without and with the clause types, and span recall@5 and doc hit@5 are printed overall and per
category. ``--write`` saves the fitted vectors as the packaged artifact.
"""

from __future__ import annotations

import argparse
import json
import statistics
from collections import defaultdict
from pathlib import Path

import numpy as np

from assistant.search import clause_types as CT
from assistant.search.retrieval import strip_names
from assistant.service import RightsService
from assistant.settings import Settings
from eval.dataset import load_dataset
from eval.metrics import Passage, Span, doc_hit, span_recall

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "cuad-dev"


def split(questions, fit_half: int):
    docs = sorted({q.doc_id for q in questions})
    fit_docs = {d for i, d in enumerate(docs) if i % 2 == fit_half}
    return [q for q in questions if q.doc_id in fit_docs], [q for q in questions if q.doc_id not in fit_docs]


def _unit(v: np.ndarray) -> np.ndarray:
    n = float(np.linalg.norm(v))
    return v / n if n else v


def fit(service: RightsService, questions) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Per category: mean question vector (names stripped), mean vector of gold-span chunks."""
    chunks = defaultdict(list)
    for h in service.store.all_chunks(with_vectors=True):
        chunks[Path(h.payload["file_name"]).stem].append((h.payload["start"], h.payload["end"], h.payload["_vector"]["dense"]))
    q_vecs, c_vecs = defaultdict(list), defaultdict(list)
    for q in questions:
        if not q.answerable or not q.gold_answer_spans:
            continue
        q_vecs[q.category].append(service.embedder.embed_query(strip_names(q.question)))
        for s in q.gold_answer_spans:
            for start, end, vec in chunks.get(q.doc_id, []):
                if start < s.end and end > s.start:
                    c_vecs[q.category].append(np.asarray(vec, dtype=np.float32))
    names = sorted(c for c in q_vecs if c_vecs.get(c))
    questions_m = np.stack([_unit(np.mean(q_vecs[c], axis=0)) for c in names])
    clauses_m = np.stack([_unit(np.mean(c_vecs[c], axis=0)) for c in names])
    return names, questions_m.astype(np.float32), clauses_m.astype(np.float32)


def measure(service: RightsService, questions, types: CT.ClauseTypes | None, k: int = 5) -> dict:
    """Span recall@k and doc hit@k of the product's retrieval, overall and per category."""
    retriever = service.retriever
    retriever.clause_types = types
    rows = defaultdict(list)
    for q in questions:
        if not q.answerable or not q.gold_answer_spans:
            continue
        hits = service.retrieve(q.question, k)
        ranked = [Passage(h.chunk.stem, h.chunk.start, h.chunk.end, h.chunk.text) for h in hits]
        spans = [Span(q.doc_id, s.start, s.end) for s in q.gold_answer_spans]
        rows[q.category].append((span_recall(ranked, spans, k), doc_hit(ranked, q.doc_id, k)))
    allrows = [r for rs in rows.values() for r in rs]
    out = {"all": (statistics.mean(r[0] for r in allrows), statistics.mean(r[1] for r in allrows), len(allrows))}
    for c, rs in sorted(rows.items()):
        out[c] = (statistics.mean(r[0] for r in rs), statistics.mean(r[1] for r in rs), len(rs))
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m eval.fitting.clause_types", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=Path, default=SHARED / "docs")
    parser.add_argument("--dataset", type=Path, default=SHARED / "qa.jsonl")
    parser.add_argument("--data", type=Path, default=Path("/tmp/rights-clause-types"), help="store folder (ingested once)")
    parser.add_argument("--fit-half", type=int, choices=(0, 1), default=0)
    parser.add_argument("--thresholds", default="0.7", help="cosine a question must reach to match a type")
    parser.add_argument("--weights", default="3,8", help="fusion weights tried per type (0, off, is always tried)")
    parser.add_argument("--leads", default="3,8", help="opening-chunks weights tried per type (0, off, is always tried)")
    parser.add_argument("--write", action="store_true", help="save the fitted vectors as the packaged artifact")
    parser.add_argument("--held-out", type=Path, help="only write the held-back half's questions (JSON lines) to this file")
    args = parser.parse_args(argv)

    questions = load_dataset(args.dataset)
    fit_qs, held_qs = split(questions, args.fit_half)
    if args.held_out:
        held = {q.qid for q in held_qs}
        lines = [line for line in args.dataset.read_text(encoding="utf-8").splitlines()
                 if line.strip() and json.loads(line)["qid"] in held]
        args.held_out.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"wrote {len(lines)} questions about {len({q.doc_id for q in held_qs})} held-back contracts to {args.held_out}")
        return
    with RightsService(Settings(data_dir=args.data, search_clause_types=False)) as service:
        if not service.store.exists() or service.store.count_chunks() == 0:
            report = service.ingest([args.docs])
            print(f"ingested {args.docs}: {dict(report.counts)}")
        names, qm, cm = fit(service, fit_qs)
        model = service.embedder.model_key
        print(f"fitted {len(names)} clause types on {len({q.doc_id for q in fit_qs})} contracts "
              f"({len(fit_qs)} questions); held back {len({q.doc_id for q in held_qs})} contracts")
        threshold = float(args.thresholds.split(",")[0])
        grid = [0.0] + [float(x) for x in args.weights.split(",") if x]
        lead_grid = [0.0] + [float(x) for x in args.leads.split(",") if x]
        # Each question matches one type, so each type's weights can be chosen on their own: the
        # fitting half's span recall@5 of that category's questions under each pair of weights.
        by_pair = {}
        for w in grid:
            for lead in lead_grid:
                types = None if w == lead == 0 else CT.ClauseTypes(
                    tuple(names), qm, cm, threshold, np.full(len(names), w, dtype=np.float32), model,
                    np.full(len(names), lead, dtype=np.float32))
                by_pair[w, lead] = measure(service, fit_qs, types)
                print(f"  fit half: clause weight {w:g}, opening weight {lead:g} everywhere: "
                      f"span recall@5 {by_pair[w, lead]['all'][0]:.3f}", flush=True)
        best = [max(by_pair, key=lambda pair, c=c: (round(by_pair[pair].get(c, (0,))[0], 6), -pair[0] - pair[1])) for c in names]
        types = CT.ClauseTypes(tuple(names), qm, cm, threshold, np.array([b[0] for b in best], dtype=np.float32), model,
                               np.array([b[1] for b in best], dtype=np.float32))
        print(f"chosen: threshold {threshold:.2f}; weights per type (clause/opening): "
              + ", ".join(f"{n} {w:g}/{lead:g}" for n, (w, lead) in zip(names, best)))
        before, after = measure(service, held_qs, None), measure(service, held_qs, types)
        print(f"\nheld-back half ({after['all'][2]} answerable questions): span recall@5 {before['all'][0]:.3f} -> "
              f"{after['all'][0]:.3f}; doc hit@5 {before['all'][1]:.3f} -> {after['all'][1]:.3f}\n")
        print(f"{'category':<36} {'n':>3} {'recall@5 before':>15} {'after':>6}")
        for c in sorted(k for k in after if k != "all"):
            print(f"{c:<36} {after[c][2]:>3} {before[c][0]:>15.3f} {after[c][0]:>6.3f}")
        if args.write:
            types.save()
            print(f"\nsaved {CT.ARTIFACT}")
        print(json.dumps({"held_before": before["all"], "held_after": after["all"], "threshold": types.threshold,
                          "weights": {n: float(w) for n, w in zip(names, types.weights)},
                          "leads": {n: float(w) for n, w in zip(names, types.leads)}}))


if __name__ == "__main__":
    main()
