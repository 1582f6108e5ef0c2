"""Fit the abstention model on half of a corpus's documents, report it on the other half.

    python -m eval.fitting.calibrate --corpus ../shared/data/cuad-dev/docs --dataset ../shared/data/cuad-dev/qa.jsonl

Every question is run through the product's own answer path (retrieval, family expansion, the
extractive engine) with abstention off, and the signals of its best answer unit are recorded
(assistant/answer/abstention.py: ``features``). Documents are split in two by sorted id (even and odd
positions): a logistic model is fitted on the first half's questions (answerable = 1), the
threshold is chosen there (the best balanced accuracy among thresholds keeping abstention precision
at or above ``--precision``; the best balanced accuracy when none does), and accuracy, precision and recall of abstaining are
then measured on the second half, which the fit never saw. The model and both halves' figures go
to ``assistant/abstention.json`` (``--out``), which the answerer loads.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from assistant.answer.abstention import FEATURES, MODEL_FILE, SIGNS, Abstention
from assistant.answer.answering import Answerer
from assistant.service import RightsService
from assistant.settings import Settings
from eval.dataset import load_dataset


def collect(service: RightsService, questions) -> list[tuple[str, bool, dict | None]]:
    """(doc id, answerable, features or None when no unit was selected) per question."""
    answerer = Answerer(service)
    answerer.abstention = Abstention()  # no weights: every selected unit answers, signals recorded
    rows = []
    for i, q in enumerate(questions, 1):
        answer = answerer.ask(q.question)
        feats = {k: v for k, v in answer.signals.items() if k in FEATURES} if answer.signals else None
        rows.append((q.doc_id or "", q.answerable, feats))
        if i % 100 == 0:
            print(f"  {i}/{len(questions)} questions", flush=True)
    return rows


def fit(x: np.ndarray, y: np.ndarray, l2: float = 1.0, steps: int = 3000, lr: float = 0.1,
        signs: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    """Logistic regression by gradient descent on standardised features (numpy; no new dependency).

    ``signs`` (+1, -1 or 0 per feature) keep each weight on the side the signal's meaning says
    (more coverage never lowers confidence; a missing name never raises it): projected gradient
    descent. Unconstrained, the fit learnt quirks of cuad-dev's question templates (a negative
    weight for "the unit states the term") that turned right answers on other contracts into
    abstentions; constrained, its held-out figures were the same (README, Answers)."""
    w = np.zeros(x.shape[1])
    b = 0.0
    n = len(y)
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(x @ w + b)))
        g = p - y
        w -= lr * (x.T @ g / n + l2 * w / n)
        b -= lr * g.mean()
        if signs is not None:
            w = np.where(signs > 0, np.maximum(w, 0.0), np.where(signs < 0, np.minimum(w, 0.0), w))
    return w, b


def scores(rows, model: Abstention) -> tuple[np.ndarray, np.ndarray]:
    """P(answer) per question (0 when nothing was selected; 1 for any selection without a fitted
    model) and the labels."""
    def prob(f):
        if not f:
            return 0.0
        p = model.probability(f)
        return 1.0 if p is None else p

    p = np.array([prob(f) for _, _, f in rows])
    y = np.array([1.0 if a else 0.0 for _, a, _ in rows])
    return p, y


def abstention_figures(p: np.ndarray, y: np.ndarray, threshold: float) -> dict[str, float]:
    """Abstaining is the positive class: precision = share of abstentions on unanswerable questions."""
    abstain = p < threshold
    unanswerable = y == 0
    tp = float(np.sum(abstain & unanswerable))
    precision = tp / max(1.0, float(np.sum(abstain)))
    recall = tp / max(1.0, float(np.sum(unanswerable)))
    accuracy = float(np.mean(abstain == unanswerable))
    return {"accuracy": round(accuracy, 4), "precision": round(precision, 4), "recall": round(recall, 4),
            "balanced_accuracy": round(balanced_accuracy(p, y, threshold), 4),
            "questions": int(len(y)), "abstained": int(np.sum(abstain))}


def balanced_accuracy(p: np.ndarray, y: np.ndarray, threshold: float) -> float:
    """Mean of the share of unanswerable questions declined and answerable ones answered: the
    base rate of the fitting set (cuad-dev: 65 % unanswerable) must not set the product's bias."""
    declined = float(np.mean(p[y == 0] < threshold)) if np.any(y == 0) else 0.0
    answered = float(np.mean(p[y == 1] >= threshold)) if np.any(y == 1) else 0.0
    return (declined + answered) / 2


def choose_threshold(p: np.ndarray, y: np.ndarray, min_precision: float) -> float:
    """The threshold with the best balanced accuracy among those whose abstention precision
    reaches ``min_precision``; the best balanced accuracy overall when none does (then the
    precision target is missed, and the report says so)."""
    best, best_any = (-1.0, 0.0), (-1.0, 0.0)
    for t in np.unique(np.concatenate([p, [0.0, 1.0]])):
        t = float(t) + 1e-9
        f = abstention_figures(p, y, t)
        score = balanced_accuracy(p, y, t)
        best_any = max(best_any, (score, t))
        if f["precision"] >= min_precision and f["abstained"]:
            best = max(best, (score, t))
    return best[1] if best[0] >= 0 else best_any[1]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, required=True, help="folder of the documents")
    ap.add_argument("--dataset", type=Path, required=True, help="questions (JSON lines, eval's format)")
    ap.add_argument("--data", type=Path, default=Path("/tmp/rights-calibrate"), help="store for the corpus (reused)")
    ap.add_argument("--precision", type=float, default=0.9, help="least abstention precision for the threshold")
    ap.add_argument("--out", type=Path, default=MODEL_FILE)
    ap.add_argument("--rows", type=Path, default=None, help="cache of the collected signals (read if present, else written)")
    args = ap.parse_args(argv)

    questions = load_dataset(args.dataset)
    started = time.perf_counter()
    if args.rows and args.rows.is_file():
        rows = [tuple(r) for r in json.loads(args.rows.read_text())]
    else:
        with RightsService(Settings(data_dir=args.data)) as service:
            service.ingest([args.corpus])
            print(f"collecting signals for {len(questions)} questions…", flush=True)
            rows = collect(service, questions)
        if args.rows:
            args.rows.write_text(json.dumps(rows))
    docs = sorted({d for d, _, _ in rows})
    fit_docs = set(docs[0::2])
    fit_rows = [r for r in rows if r[0] in fit_docs]
    held_rows = [r for r in rows if r[0] not in fit_docs]
    usable = [r for r in fit_rows if r[2]]
    x = np.array([[f.get(n, 0.0) for n in FEATURES] for _, _, f in usable])
    y = np.array([1.0 if a else 0.0 for _, a, _ in usable])
    mean, std = x.mean(axis=0), x.std(axis=0)
    std[std == 0] = 1.0
    w, b = fit((x - mean) / std, y, signs=np.array([SIGNS.get(n, 0) for n in FEATURES]))
    model = Abstention(list(map(float, w)), float(b), list(map(float, mean)), list(map(float, std)), 0.0, list(FEATURES))
    p_fit, y_fit = scores(fit_rows, model)
    model.threshold = choose_threshold(p_fit, y_fit, args.precision)
    p_held, y_held = scores(held_rows, model)
    always = abstention_figures(*scores(held_rows, Abstention(threshold=0.0)), 0.5)
    report = {
        "features": list(FEATURES), "weights": model.weights, "bias": model.bias, "mean": model.mean, "std": model.std,
        "threshold": model.threshold,
        "fitted_on": {"dataset": args.dataset.name, "documents": len(fit_docs), **abstention_figures(p_fit, y_fit, model.threshold)},
        "held_out": {"documents": len(docs) - len(fit_docs), **abstention_figures(p_held, y_held, model.threshold)},
        "held_out_without_model": always,
        "seconds": round(time.perf_counter() - started, 1),
    }
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps({k: report[k] for k in ("threshold", "fitted_on", "held_out", "held_out_without_model", "seconds")}, indent=1))


if __name__ == "__main__":
    main()
