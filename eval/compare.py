"""What moved between two runs: metric deltas per system, and the questions that flipped."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ingest.errors import UserError


class RunError(UserError, ValueError):
    pass


def load_run(path: Path) -> tuple[dict, dict[str, dict]]:
    metrics, results = path / "metrics.json", path / "results.jsonl"
    if not metrics.is_file() or not results.is_file():
        raise RunError(f"{path} is not an evaluation run (needs metrics.json and results.jsonl)")
    rows = {}
    for line in results.read_text().splitlines():
        if line.strip():
            row = json.loads(line)
            rows[row["qid"]] = row
    return json.loads(metrics.read_text()), rows


@dataclass
class Delta:
    section: str  # "retrieval:<system>" or "answers"
    metric: str
    a: float | None
    b: float | None

    @property
    def change(self) -> float | None:
        return None if self.a is None or self.b is None else self.b - self.a


def metric_deltas(a: dict, b: dict) -> list[Delta]:
    out = []
    for system in [s for s in a["retrieval"] if s in b["retrieval"]]:
        ma, mb = a["retrieval"][system]["overall"], b["retrieval"][system]["overall"]
        for key in ma:
            if key != "n" and isinstance(ma.get(key), (int, float, type(None))):
                out.append(Delta(f"retrieval:{system}", key, ma.get(key), mb.get(key)))
    if a.get("answers") and b.get("answers"):
        ma, mb = a["answers"]["overall"], b["answers"]["overall"]
        for key in ma:
            if key != "n":
                out.append(Delta("answers", key, ma.get(key), mb.get(key)))
    return out


def _success(row: dict, system: str) -> bool | None:
    """Did this question succeed at 5: its gold span (or document) among the top five."""
    r = row.get("retrieval", {}).get(system)
    if not r or not row.get("answerable"):
        return None
    key = "span_recall@5" if r.get("span_recall@5") is not None else "doc_hit@5"
    return None if r.get(key) is None else r[key] > 0


def _answer_ok(row: dict) -> bool | None:
    a = row.get("answer")
    if not a:
        return None
    if not row.get("answerable"):
        return bool(a["abstained"])
    if a.get("span_cited") is not None:
        return a["span_cited"] > 0
    return (a.get("token_f1") or 0) >= 0.5


def flips(rows_a: dict[str, dict], rows_b: dict[str, dict], system: str = "rights") -> dict[str, list[str]]:
    """qids that went from fail to pass (``fixed``) and pass to fail (``broken``)."""
    out: dict[str, list[str]] = {"retrieval_fixed": [], "retrieval_broken": [], "answer_fixed": [], "answer_broken": []}
    for qid in sorted(set(rows_a) & set(rows_b)):
        for kind, fn in (("retrieval", lambda r: _success(r, system)), ("answer", _answer_ok)):
            sa, sb = fn(rows_a[qid]), fn(rows_b[qid])
            if sa is None or sb is None or sa == sb:
                continue
            out[f"{kind}_{'fixed' if sb else 'broken'}"].append(qid)
    return out
