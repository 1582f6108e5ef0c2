"""Key terms against CUAD's expert labels: is the clause each term cites the one lawyers marked?

    python -m eval.terms --corpus ../shared/data/cuad-dev/docs --dataset ../shared/data/cuad-dev/qa.jsonl

For each CUAD category a key term covers (``CATEGORIES``), every contract of the dataset is
looked at once:

* the **extractor** cites the clause(s) of its value for that term (none: "not stated");
* the **baseline** cites the top passage the product's retriever returns for the category's
  question (``RightsService.retrieve``, k=1: what a plain RAG answer would quote first).

A cited span *matches* a gold span when they overlap by at least half of the shorter of the two
(a clause holding a short gold answer such as a date matches it; a gold clause that the cited
span only grazes does not). The dataset gives each answer's first occurrence only, so every
occurrence of a gold answer of 8 characters or more counts (``gold_spans``), for both methods.
Then, per category:

* precision = cited spans that match a gold span of their contract and category / all cited spans
  (the baseline cites one passage for every question, so questions about a clause the contract
  does not have count against it; the extractor cites nothing when the term is not stated);
* recall = answerable contracts for which at least one cited span matches a gold span /
  answerable contracts;
* F1 of the two. The mean cited length (characters) is shown beside each: a long passage
  matches more easily.

The extractor's terms are the ones ingest stored (``RightsService.ingest`` reads them), from the
evaluation's own store (``eval.systems.eval_settings``; reused while the corpus is unchanged).
``--direct`` skips the store and the baseline and runs the extractor on the files alone (fast,
for development). Nothing here is tuned to the dataset: the rules are ``assistant/contracts/terms.py``'s.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from assistant.contracts.model import Value
from assistant.contracts.terms import extract_terms, values_of
from eval.dataset import Question, load_dataset
from ingest import families
from ingest.readers import read_file

# CUAD category -> (key term, which of its values count): a renewal that does not renew, a
# non-exclusive grant, say nothing about CUAD's "Renewal Term" or "Exclusivity".
CATEGORIES: dict[str, tuple[str, Callable[[Value], bool] | None]] = {
    "Document Name": ("agreement_type", None),
    "Parties": ("parties", None),
    "Agreement Date": ("agreement_date", None),
    "Effective Date": ("effective_date", None),
    "Expiration Date": ("expiry", None),
    "Renewal Term": ("renewal", lambda v: bool((v.value or {}).get("automatic") or (v.value or {}).get("period"))),
    "Notice Period to Terminate Renewal": ("renewal_notice", None),
    "Governing Law": ("governing_law", None),
    "Exclusivity": ("exclusivity", lambda v: bool((v.value or {}).get("exclusive"))),
    "License Grant": ("grant", None),
    "Minimum Commitment": ("minimum_commitment", None),
    "Revenue/Profit Sharing": ("royalties", None),
    "Audit Rights": ("audit", None),
    "Anti-Assignment": ("assignment", None),
}
MIN_OVERLAP = 0.5


def matches(cited: tuple[int, int], gold: tuple[int, int]) -> bool:
    """Whether a cited span overlaps a gold span by at least MIN_OVERLAP of the shorter one."""
    overlap = min(cited[1], gold[1]) - max(cited[0], gold[0])
    shorter = min(cited[1] - cited[0], gold[1] - gold[0])
    return overlap > 0 and shorter > 0 and overlap >= MIN_OVERLAP * shorter


@dataclass
class Tally:
    cited: int = 0
    cited_hits: int = 0
    answerable: int = 0
    found: int = 0
    chars: int = 0
    questions: int = 0

    def add(self, spans: list[tuple[int, int]], gold: list[tuple[int, int]], answerable: bool) -> None:
        self.questions += 1
        self.cited += len(spans)
        self.chars += sum(e - s for s, e in spans)
        self.cited_hits += sum(any(matches(s, g) for g in gold) for s in spans)
        if answerable:
            self.answerable += 1
            self.found += any(matches(s, g) for s in spans for g in gold)

    @property
    def precision(self) -> float | None:
        return self.cited_hits / self.cited if self.cited else None

    @property
    def recall(self) -> float | None:
        return self.found / self.answerable if self.answerable else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p and r else (0.0 if p is not None and r is not None else None)

    def as_dict(self) -> dict:
        return {"precision": self.precision, "recall": self.recall, "f1": self.f1, "cited": self.cited,
                "cited_hits": self.cited_hits, "answerable": self.answerable, "found": self.found,
                "mean_chars": round(self.chars / self.cited) if self.cited else None, "questions": self.questions}


def cited_spans(terms: dict, category: str) -> list[tuple[int, int]]:
    """The distinct clauses the extractor cites for ``category``."""
    key, keep = CATEGORIES[category]
    spans = []
    for v in values_of(terms, key):
        if v.clause is None or (keep is not None and not keep(v)):
            continue
        span = (v.clause.start, v.clause.end)
        if span not in spans:
            spans.append(span)
    return spans


def direct_terms(corpus: Path, doc_ids: set[str]) -> dict[str, dict]:
    """Terms read straight from the files (no store): what ingest would store."""
    out = {}
    for path in sorted(corpus.glob("*")):
        if path.stem not in doc_ids or not path.is_file():
            continue
        text = read_file(path).text
        title = next((line.strip() for line in text.splitlines() if line.strip()), path.stem)[:120]
        role = families.classify(title, text) or families.AGREEMENT
        out[path.stem] = extract_terms(title, text, role, families.effective_date(text) if role != families.AGREEMENT else None)
    return out


MIN_REPEAT_CHARS = 8


def gold_spans(q: Question, text: str | None) -> list[tuple[int, int]]:
    """The gold spans of an answerable question, every occurrence of each: the dataset's
    offsets point at the first occurrence of the answer's words (its README), which for a date
    or a name is often a cover page, not the clause that states it. Texts shorter than
    MIN_REPEAT_CHARS keep their one offset (a bare "Newegg" occurs everywhere)."""
    if not q.answerable:
        return []
    out: list[tuple[int, int]] = []
    for s in q.gold_answer_spans:
        out.append((s.start, s.end))
        if text is None or len(s.text) < MIN_REPEAT_CHARS or text[s.start:s.end] != s.text:
            continue
        at = text.find(s.text)
        while at >= 0:
            if (at, at + len(s.text)) not in out:
                out.append((at, at + len(s.text)))
            at = text.find(s.text, at + 1)
    return out


def evaluate(questions: list[Question], terms: dict[str, dict], baseline: Callable[[Question], tuple[str, int, int] | None] | None = None,
             texts: dict[str, str] | None = None) -> dict[str, dict]:
    """Per category: the extractor's (and the baseline's) tallies, as dicts. ``texts`` (by
    doc id) let every occurrence of a gold answer count (``gold_spans``)."""
    extractor: dict[str, Tally] = defaultdict(Tally)
    base: dict[str, Tally] = defaultdict(Tally)
    for q in questions:
        if q.category not in CATEGORIES or q.doc_id not in terms:
            continue
        gold = gold_spans(q, (texts or {}).get(q.doc_id))
        extractor[q.category].add(cited_spans(terms[q.doc_id], q.category), gold, q.answerable)
        if baseline is not None:
            top = baseline(q)
            spans = [(top[1], top[2])] if top is not None and top[0] == q.doc_id else []
            # a passage of another contract is cited too: it counts as a wrong citation
            base[q.category].add(spans, gold, q.answerable)
            if top is not None and top[0] != q.doc_id:
                base[q.category].cited += 1
                base[q.category].chars += top[2] - top[1]
    out = {}
    for cat in CATEGORIES:
        if cat in extractor:
            out[cat] = {"extractor": extractor[cat].as_dict(), "baseline": base[cat].as_dict() if baseline else None}
    return out


def _fmt(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f}"


def table(results: dict[str, dict]) -> str:
    """The results as a Markdown table (README)."""
    lines = ["| CUAD category | answerable | extractor P | extractor R | extractor F1 | baseline P | baseline R | baseline F1 | chars (ext / base) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    wins = 0
    for cat, r in results.items():
        e, b = r["extractor"], r["baseline"] or {}
        better = b and (e["f1"] or 0) > (b.get("f1") or 0)
        wins += bool(better)
        lines.append(f"| {cat} | {e['answerable']} | {_fmt(e['precision'])} | {_fmt(e['recall'])} | "
                     f"{'**' + _fmt(e['f1']) + '**' if better else _fmt(e['f1'])} | {_fmt(b.get('precision'))} | "
                     f"{_fmt(b.get('recall'))} | {_fmt(b.get('f1'))} | {e['mean_chars'] or '–'} / {b.get('mean_chars') or '–'} |")
    if any(r["baseline"] for r in results.values()):
        lines.append(f"\nThe extractor's F1 beats the baseline's in {wins} of {len(results)} categories.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.terms", description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, required=True, help="folder of contracts (cuad-dev/docs)")
    ap.add_argument("--dataset", type=Path, required=True, help="CUAD questions (cuad-dev/qa.jsonl)")
    ap.add_argument("--direct", action="store_true", help="extractor on the files only: no store, no baseline")
    ap.add_argument("--out", type=Path, help="write the results as JSON here")
    args = ap.parse_args(argv)
    questions = load_dataset(args.dataset)
    doc_ids = {q.doc_id for q in questions if q.doc_id}
    began = time.perf_counter()
    texts = {p.stem: read_file(p).text for p in sorted(args.corpus.glob("*")) if p.is_file() and p.stem in doc_ids}
    if args.direct:
        results = evaluate(questions, direct_terms(args.corpus, doc_ids), texts=texts)
    else:
        from assistant.service import RightsService
        from assistant.settings import load_settings
        from eval.systems import eval_settings

        settings = eval_settings(load_settings(None), args.corpus)
        with RightsService(settings) as service:
            report = service.ingest([args.corpus], prune=True)
            print(f"corpus: {report.counts['new'] + report.counts['changed']} ingested, {report.counts['unchanged']} unchanged",
                  file=sys.stderr)
            docs = service.store.documents()
            stems = {d.doc_id: Path(d.file_name).stem for d in docs.values()}
            terms = {stems[d]: t for d, t in service.stored_terms().items()}

            def baseline(q: Question):
                hits = service.retrieve(q.question, 1)
                if not hits:
                    return None
                c = hits[0].chunk
                return c.stem, c.start, c.end

            results = evaluate(questions, terms, baseline, texts)
    print(table(results))
    print(f"\n({time.perf_counter() - began:.0f} s)", file=sys.stderr)
    if args.out:
        args.out.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
