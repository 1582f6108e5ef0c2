"""The bundled demo corpus: fictional music contracts and questions with gold answers."""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent


def corpus_dir() -> Path:
    return HERE / "corpus"


def questions_path() -> Path:
    return HERE / "questions.jsonl"


def load_questions() -> list[dict]:
    return [json.loads(line) for line in questions_path().read_text().splitlines() if line.strip()]


def sample_questions(n: int) -> list[dict]:
    """The first ``n`` answerable questions, spread over different documents."""
    seen: set[str] = set()
    picked: list[dict] = []
    for q in load_questions():
        if q.get("answerable") and q.get("doc_id") not in seen:
            picked.append(q)
            seen.add(q["doc_id"])
        if len(picked) == n:
            break
    return picked


def grade(question: dict, answer) -> bool:
    """Whether ``answer`` is right for a demo question: it states the gold answer (its words or
    all its hard facts: ``facts.states``), or it abstains on an unanswerable question."""
    from assistant.text.facts import states

    if not question.get("answerable"):
        return bool(answer.abstained)
    # ``also_right``: the same rule stated by another document (a sub-publishing deal and the
    # administration deal both require Japan sync approval); citing either is right.
    golds = [question.get("gold_answer") or ""] + [s.get("text", "") for s in question.get("gold_answer_spans") or []]
    golds += [s.get("text", "") for s in question.get("also_right") or []]
    return not answer.abstained and any(g and states(answer.text, g) for g in golds)
