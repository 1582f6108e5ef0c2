"""Audit log: who asked what, which sources were shown, which model answered, how long it took.

Append-only JSON lines under the data directory, one line per answered (or abstained) question,
written with a single ``write`` of a whole line under a lock, so concurrent sessions never
interleave. Nothing is ever rewritten; ``rights audit`` reads it.
"""

from __future__ import annotations

import json
import os
import stat
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

_LOCK = threading.Lock()


MAX_QUESTION_LOGGED = 10_000  # a refused 2 MB question is logged by its start and its length


def entry(user: str, question: str, answer, filters: dict[str, Any], channel: str) -> dict[str, Any]:
    return {
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
        "user": user,
        "channel": channel,
        "question": question[:MAX_QUESTION_LOGGED],
        **({"question_chars": len(question)} if len(question) > MAX_QUESTION_LOGGED else {}),
        "filters": {k: v for k, v in filters.items() if v},
        "status": answer.status,
        "model": answer.model,
        "answer": answer.text,
        "sources": [
            {"n": s.number, "label": s.label, "file": s.payload.get("file_name"), "section": s.payload.get("section"),
             "page": s.payload.get("page"), "point_id": s.hit.point_id, "doc_id": s.payload.get("doc_id"),
             **({"ocr": True, "ocr_confidence": s.payload.get("ocr_confidence")} if s.payload.get("ocr") else {})}
            for s in answer.sources
        ],
        "cited": sorted({n for n, _ in answer.cited}),
        "timings": {"retrieval_s": _r(answer.retrieval_s), "ttft_s": _r(answer.ttft_s), "total_s": _r(answer.total_s)},
    }


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def append(path: Path, record: dict[str, Any]) -> None:
    """Append one entry. The log holds restricted text (questions, answers, file names), so it is
    private to its owner whatever the umask: created 0600 (its folder, if made here, 0700), and
    an existing log readable by group or others is tightened on the next append."""
    if not path.parent.is_dir():
        path.parent.mkdir(parents=True, mode=0o700, exist_ok=True)
        os.chmod(path.parent, 0o700)  # mkdir's mode is filtered by the umask
    line = json.dumps(record, ensure_ascii=False) + "\n"
    with _LOCK:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as fh:
            _private(fd)
            fh.write(line)


def _private(fd: int) -> None:
    mode = stat.S_IMODE(os.fstat(fd).st_mode)
    wanted = (mode & 0o700) | 0o600
    if mode != wanted:
        try:
            os.fchmod(fd, wanted)
        except PermissionError:  # someone else's file we may append to: still log the question
            pass


def read(path: Path) -> Iterator[dict[str, Any]]:
    if not path.exists():
        return
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)
