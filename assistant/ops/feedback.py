"""Feedback on answers: a thumbs up or down and, optionally, the correct answer, from the chat or
the API, kept with the question, the answer, its sources and the user (append-only JSON lines in
DATA_DIR/feedback.jsonl, private like the audit log).

``rights feedback export`` turns it into an evaluation dataset in the project's format
(eval/dataset.py), so real questions join the offline evaluation:

- an answer rated up: answerable, its cited passages as the gold spans (and the answer, when it
  declined, as a correct abstention: not answerable);
- an answer rated down with a correct answer given: answerable, that answer as the gold;
- rated down with no correction: nothing to score against; counted as needing review, not exported.

The export is access-filtered: with ``groups``, only feedback whose every source those groups may
see is written (a dataset handed to a team never carries another team's passages).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.ops import audit

RATINGS = ("up", "down")
MAX_CORRECTION = 4000


def entry(*, user: str, channel: str, question: str, answer, rating: str, correction: str = "",
          answer_text: str | None = None) -> dict[str, Any]:
    """One feedback line. ``answer`` is the checked Answer when the server still holds it (its
    sources are kept), else None and ``answer_text`` is what the user saw."""
    if rating not in RATINGS:
        raise ValueError(f"rating must be 'up' or 'down', not {rating!r}")
    sources = [] if answer is None else [
        {"n": s.number, "doc_id": s.payload.get("doc_id"), "file": s.payload.get("file_name"), "section": s.payload.get("section"),
         "page": s.payload.get("page"), "start": s.payload.get("start"), "end": s.payload.get("end"),
         "cited": s.number in {n for n, _ in answer.cited}}
        for s in answer.sources]
    return {"time": datetime.now(UTC).isoformat(timespec="seconds"), "user": user, "channel": channel,
            "question": question[:audit.MAX_QUESTION_LOGGED], "answer": answer.text if answer is not None else (answer_text or ""),
            "status": answer.status if answer is not None else "", "rating": rating,
            "correction": " ".join((correction or "").split())[:MAX_CORRECTION], "sources": sources}


def append(path: Path, record: dict[str, Any]) -> None:
    audit.append(path, record)


def read(path: Path) -> list[dict[str, Any]]:
    return list(audit.read(path))


def to_dataset(records: Iterable[dict[str, Any]], visible: set[str] | None = None,
               file_stems: dict[str, str] | None = None) -> tuple[list[dict[str, Any]], Counter]:
    """Eval questions from feedback, and why the others were left out.

    ``visible``: the doc ids the export's groups may see (None: all); ``file_stems``: doc id ->
    the file name stem the evaluation names documents by."""
    out, left = [], Counter()
    seen: set[str] = set()
    for r in records:
        sources = r.get("sources") or []
        if visible is not None and any(s.get("doc_id") not in visible for s in sources):
            left["cites a document outside the groups"] += 1
            continue
        cited = [s for s in sources if s.get("cited")] or sources
        rating, correction = r.get("rating"), (r.get("correction") or "").strip()
        abstained = r.get("status") in ("abstained", "refused")
        q: dict[str, Any] = {"question": r.get("question", ""), "category": f"feedback-{rating}"}
        if correction:
            q |= {"answerable": True, "gold_answer": [correction]}
        elif rating == "up" and abstained:
            q |= {"answerable": False}
        elif rating == "up" and cited:
            # gold spans are offsets in one document: the first cited source's
            first = cited[0].get("doc_id")
            q |= {"answerable": True, "gold_answer_spans": [{"start": s["start"], "end": s["end"]} for s in cited
                                                            if s.get("doc_id") == first and s.get("start") is not None
                                                            and s.get("end") is not None]}
        else:
            left["rated down with no correct answer (needs review)" if rating == "down" else "no source to score against"] += 1
            continue
        if cited and file_stems is not None:
            q["doc_id"] = file_stems.get(str(cited[0].get("doc_id")), None)
        key = hashlib.sha256(f"{q['question']}|{q.get('gold_answer')}|{q['answerable']}".encode()).hexdigest()[:10]
        if key in seen:
            left["duplicate"] += 1
            continue
        seen.add(key)
        q["qid"] = f"fb-{key}"
        if not q["question"]:
            left["no question"] += 1
            continue
        out.append(q)
    return out, left


def stems(docs: Sequence) -> dict[str, str]:
    return {d.doc_id: Path(d.file_name).stem for d in docs}
