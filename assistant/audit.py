"""Audit log: who asked what, which sources were shown, which model answered, how long it took.

Append-only JSON lines under the data directory, one line per answered (or abstained) question,
written with a single ``write`` of a whole line under a lock, so concurrent sessions never
interleave. Nothing is ever rewritten; ``rights audit`` reads it.
"""

from __future__ import annotations

import json
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

_LOCK = threading.Lock()


def entry(user: str, question: str, answer, filters: dict[str, Any], channel: str) -> dict[str, Any]:
    return {
        "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "user": user,
        "channel": channel,
        "question": question,
        "filters": {k: v for k, v in filters.items() if v},
        "status": answer.status,
        "model": answer.model,
        "answer": answer.text,
        "sources": [
            {"n": s.number, "file": s.payload.get("file_name"), "section": s.payload.get("section"),
             "page": s.payload.get("page"), "point_id": s.hit.point_id, "doc_id": s.payload.get("doc_id")}
            for s in answer.sources
        ],
        "cited": sorted({n for n, _ in answer.cited}),
        "timings": {"retrieval_s": _r(answer.retrieval_s), "ttft_s": _r(answer.ttft_s), "total_s": _r(answer.total_s)},
    }


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def append(path: Path, record: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(record, ensure_ascii=False) + "\n"
    with _LOCK, path.open("a", encoding="utf-8") as fh:
        fh.write(line)


def read(path: Path) -> Iterator[dict[str, Any]]:
    if not path.exists():
        return
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)
