"""One evaluation run: ingest the corpus into its own store, ask every question of every system,
score, and write ``metrics.json``, ``results.jsonl`` and ``report.html`` into the run folder."""

from __future__ import annotations

import json
import platform
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from assistant.search.embedding import Embedder
from assistant.service import RightsService
from assistant.settings import Settings
from eval import metrics as M
from eval.dataset import Question
from eval.systems import MAX_K, SYSTEMS, LlamaIndexBaseline, Retriever, ServiceRetriever, eval_settings

AnswerFn = Callable[[Question], M.AnswerOutcome]


@dataclass
class Hooks:
    """How a run reports progress; the CLI wires these to rich, tests leave them silent."""

    log: Callable[[str], None] = lambda msg: None
    ingest_listener: object | None = None
    start: Callable[[str, int], None] = lambda label, total: None
    advance: Callable[[], None] = lambda: None
    done: Callable[[], None] = lambda: None


@dataclass
class RunConfig:
    corpus: Path
    dataset: Path
    out: Path
    systems: Sequence[str] = SYSTEMS
    retrieval_only: bool = False
    label: str = ""
    extra: dict = field(default_factory=dict)


def retrieval_row(ranked: list[M.Passage], q: Question, seconds: float) -> dict:
    spans = [M.Span(q.doc_id or "", s.start, s.end) for s in q.gold_answer_spans]
    row: dict = {"ms": round(seconds * 1000, 2)}
    for k in M.KS:
        row[f"doc_hit@{k}"] = M.doc_hit(ranked, q.doc_id, k) if q.doc_id else None
        row[f"span_recall@{k}"] = M.span_recall(ranked, spans, k)
        row[f"mrr@{k}"] = M.reciprocal_rank(ranked, spans, q.doc_id, k)
    for budget in M.BUDGETS:
        row[f"span_recall@{budget}c"] = M.span_recall(M.within_budget(ranked, budget), spans, MAX_K)
    row["chars@5"] = sum(p.end - p.start for p in ranked[:5])
    row["top"] = [
        {"doc": p.doc, "start": p.start, "end": p.end, "section": p.section, "score": round(p.score, 4)}
        for p in ranked[:MAX_K]
    ]
    return row


def _holds_gold(outcome: M.AnswerOutcome, q: Question) -> float | None:
    """``metrics.answer_holds_gold`` for an answerable question with a gold answer (0 when abstained)."""
    golds = M.gold_texts(q.gold_answer, [s.text for s in q.gold_answer_spans])
    if not q.answerable or not golds:
        return None
    return 0.0 if outcome.abstained else M.answer_holds_gold(outcome.text, golds)


def answer_row(outcome: M.AnswerOutcome, q: Question) -> dict:
    spans = [M.Span(q.doc_id or "", s.start, s.end) for s in q.gold_answer_spans]
    cited = [c.passage for c in outcome.citations]
    valid = [M.citation_valid(c) for c in outcome.citations]
    answerable = q.answerable
    return {
        "text": outcome.text,
        "abstained": outcome.abstained,
        "status": outcome.status,
        "exact_match": (M.exact_match(outcome.text, q.gold_answer) if answerable and not outcome.abstained else (0.0 if answerable and q.gold_answer else None)),
        "token_f1": (M.token_f1(outcome.text, q.gold_answer) if answerable and not outcome.abstained else (0.0 if answerable and q.gold_answer else None)),
        "span_cited": M.span_cited(cited, spans) if answerable else None,
        "answer_holds_gold": _holds_gold(outcome, q),
        "span_coverage": M.span_coverage(cited, spans) if answerable else None,
        "citations": [
            {"doc": c.passage.doc, "start": c.passage.start, "end": c.passage.end, "claim": c.claim, "valid": v}
            for c, v in zip(outcome.citations, valid)
        ],
        "n_citations": len(valid),
        "n_valid_citations": sum(valid),
        "ttft_s": outcome.ttft_s,
        "total_s": outcome.total_s,
        "tokens": outcome.tokens,
    }


RETRIEVAL_KEYS = [f"{m}@{k}" for m in ("doc_hit", "span_recall", "mrr") for k in M.KS] + [
    f"span_recall@{b}c" for b in M.BUDGETS] + ["chars@5"]


def aggregate_retrieval(rows: Iterable[dict]) -> dict:
    rows = list(rows)
    out = {key: M.mean_of(r[key] for r in rows) for key in RETRIEVAL_KEYS}
    out["retrieval_ms_p50"] = M.median_of(r["ms"] for r in rows)
    out["retrieval_ms_p95"] = M.percentile((r["ms"] for r in rows), 0.95)
    out["n"] = len(rows)
    return out


def aggregate_answers(pairs: list[tuple[Question, dict]]) -> dict:
    answerable = [a for q, a in pairs if q.answerable]
    n_cit = sum(a["n_citations"] for _, a in pairs)
    out = {
        "exact_match": M.mean_of(a["exact_match"] for a in answerable),
        "token_f1": M.mean_of(a["token_f1"] for a in answerable),
        "span_cited": M.mean_of(a["span_cited"] for a in answerable),
        "answer_holds_gold": M.mean_of(a.get("answer_holds_gold") for a in answerable),
        "span_coverage": M.mean_of(a["span_coverage"] for a in answerable),
        "answered_share": M.mean_of(float(not a["abstained"]) for a in answerable),
        "citation_validity": (sum(a["n_valid_citations"] for _, a in pairs) / n_cit) if n_cit else None,
        "answers_without_citation": M.mean_of(
            float(a["n_citations"] == 0) for _, a in pairs if not a["abstained"]
        ),
        "reduced_share": M.mean_of(float(a.get("status") == "reduced") for _, a in pairs),
        "ttft_s_p50": M.median_of(a["ttft_s"] for _, a in pairs),
        "total_s_p50": M.median_of(a["total_s"] for _, a in pairs),
        "total_s_p95": M.percentile((a["total_s"] for _, a in pairs), 0.95),
        "tokens_per_s": (
            sum(a["tokens"] for _, a in pairs) / sum(a["total_s"] or 0 for _, a in pairs)
            if any(a["total_s"] for _, a in pairs) else None
        ),
        "n": len(pairs),
    }
    out.update(M.abstention_scores([(q.answerable, a["abstained"]) for q, a in pairs]))
    return out


def run_eval(
    settings: Settings,
    config: RunConfig,
    questions: list[Question],
    *,
    embedder: Embedder | None = None,
    answer_factory: Callable[[RightsService], AnswerFn] | None = None,
    hooks: Hooks | None = None,
) -> dict:
    hooks = hooks or Hooks()
    began = time.perf_counter()
    config.out.mkdir(parents=True, exist_ok=True)
    own_embedder = embedder is None
    embedder = embedder or Embedder(settings.embedding, settings.cache_dir / "embeddings.sqlite")
    es = eval_settings(settings, config.corpus)
    timings: dict[str, float] = {}
    missing_docs = sorted({q.doc_id for q in questions if q.doc_id} - {p.stem for p in config.corpus.rglob("*") if p.is_file()})
    if missing_docs:
        hooks.log(f"warning: {len(missing_docs)} doc_id(s) of the dataset are not files of the corpus, e.g. {missing_docs[0]}")

    service = RightsService(es, embedder=embedder)
    try:
        t = time.perf_counter()
        report = service.ingest([config.corpus], prune=True, listener=hooks.ingest_listener)  # type: ignore[arg-type]
        timings["ingest_s"] = time.perf_counter() - t
        c = report.counts
        hooks.log(
            f"corpus: {c['new'] + c['changed'] + c['resumed']} file(s) ingested, {c['unchanged']} unchanged, "
            f"{len(report.problems)} failed or skipped, {report.chunks_written} chunks written"
        )
        retrievers: list[Retriever] = []
        baseline = None
        for name in config.systems:
            if name == "llamaindex":
                t = time.perf_counter()
                baseline = LlamaIndexBaseline(config.corpus, es.data_dir / "llamaindex", embedder.model_path, log=hooks.log)
                timings["llamaindex_index_s"] = time.perf_counter() - t
                retrievers.append(baseline)
            elif name in ("rights", "dense", "lexical", "hybrid"):
                retrievers.append(ServiceRetriever(service, name, name))
            else:
                raise ValueError(f"unknown system {name!r}; choose from {', '.join(SYSTEMS)}")

        per_q: dict[str, dict] = {q.qid: {"qid": q.qid, "category": q.category, "answerable": q.answerable,
                                           "doc_id": q.doc_id, "question": q.question, "retrieval": {}} for q in questions}
        for retriever in retrievers:
            hooks.start(f"retrieval: {retriever.name}", len(questions))
            t = time.perf_counter()
            for q in questions:
                t0 = time.perf_counter()
                ranked = retriever.retrieve(q, MAX_K)
                per_q[q.qid]["retrieval"][retriever.name] = retrieval_row(ranked, q, time.perf_counter() - t0)
                hooks.advance()
            hooks.done()
            timings[f"retrieval_{retriever.name}_s"] = time.perf_counter() - t
        if baseline is not None:
            baseline.close()

        answers: list[tuple[Question, dict]] = []
        if not config.retrieval_only and answer_factory is not None:
            answer = answer_factory(service)
            hooks.start("answers", len(questions))
            t = time.perf_counter()
            for q in questions:
                row = answer_row(answer(q), q)
                per_q[q.qid]["answer"] = row
                answers.append((q, row))
                hooks.advance()
            hooks.done()
            timings["answers_s"] = time.perf_counter() - t
    finally:
        service.close()
        if own_embedder:
            embedder.close()

    by_system: dict[str, dict] = {}
    for retriever_name in [r for r in config.systems]:
        rows = [(q, per_q[q.qid]["retrieval"][retriever_name]) for q in questions if retriever_name in per_q[q.qid]["retrieval"]]
        scored = [r for q, r in rows if q.answerable]
        cats: dict[str, list[dict]] = defaultdict(list)
        for q, r in rows:
            if q.answerable:
                cats[q.category].append(r)
        by_system[retriever_name] = {
            "overall": aggregate_retrieval(scored),
            "by_category": {c: aggregate_retrieval(rs) for c, rs in sorted(cats.items())},
        }
    result = {
        "label": config.label or config.out.name,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "corpus": str(config.corpus),
        "dataset": str(config.dataset),
        "questions": len(questions),
        "answerable": sum(q.answerable for q in questions),
        "systems": list(config.systems),
        "retrieval": by_system,
        "answers": None,
        "timings_s": {k: round(v, 2) for k, v in timings.items()},
        "wall_s": round(time.perf_counter() - began, 2),
        "machine": {"python": platform.python_version(), "cpu_count": __import__("os").cpu_count(), "platform": platform.platform()},
        "settings": settings.public_dict(),
        **config.extra,
    }
    if answers:
        cats_a: dict[str, list] = defaultdict(list)
        for q, a in answers:
            cats_a[q.category].append((q, a))
        result["answers"] = {
            "overall": aggregate_answers(answers),
            "by_category": {c: aggregate_answers(p) for c, p in sorted(cats_a.items())},
        }
    (config.out / "metrics.json").write_text(json.dumps(result, indent=2, default=str))
    with (config.out / "results.jsonl").open("w") as fh:
        for q in questions:
            fh.write(json.dumps(per_q[q.qid], default=str) + "\n")
    from eval.report import write_report

    write_report(config.out, result, [per_q[q.qid] for q in questions])
    return result
