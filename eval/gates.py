"""Regression gates: a fixed slice of questions and thresholds committed in ``eval/gates/``.

Thresholds only go up as the system improves; lowering one needs a note in the gate file.
A gate's corpus is ``demo`` (bundled, always present) or ``shared:<path>`` under the shared
data folder beside the checkout (``RIGHTS_SHARED_DATA`` overrides where that is).
"""

from __future__ import annotations

import os
import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ingest.errors import UserError

GATES_DIR = Path(__file__).parent / "gates"


class GateUnavailable(UserError, RuntimeError):
    """The gate's data is not on this machine (the shared data set is not part of the repo)."""


@dataclass
class Gate:
    name: str
    corpus: Path
    dataset: Path
    qids: list[str] | None
    systems: list[str]
    thresholds: dict[str, float]  # "retrieval.rights.span_recall@5" -> minimum
    retrieval_only: bool
    docs: list[str] | None = None  # only these files of the corpus (stems), for a small slice

    def corpus_for(self, workdir: Path) -> Path:
        """The corpus to ingest: the whole folder, or a copy of the slice's files under workdir
        (copies keep their times, so the next run finds them unchanged)."""
        if not self.docs:
            return self.corpus
        target = workdir / "gates" / self.name / "corpus"
        target.mkdir(parents=True, exist_ok=True)
        wanted = set(self.docs)
        for path in self.corpus.iterdir():
            if path.stem in wanted and not (target / path.name).exists():
                shutil.copy2(path, target / path.name)
        for path in target.iterdir():
            if path.stem not in wanted:
                path.unlink()
        return target


def shared_data_dir() -> Path:
    env = os.environ.get("RIGHTS_SHARED_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "shared" / "data"


def _resolve(ref: str) -> Path:
    if ref == "demo":
        from assistant.demo import corpus_dir

        return corpus_dir()
    if ref == "demo-questions":
        from assistant.demo import questions_path

        return questions_path()
    if ref.startswith("shared:"):
        path = shared_data_dir() / ref.removeprefix("shared:")
        if not path.exists():
            raise GateUnavailable(f"{path} is not on this machine")
        return path
    return (GATES_DIR / ref).resolve()


def load_gate(name_or_path: str) -> Gate:
    path = Path(name_or_path)
    if not path.is_file():
        path = GATES_DIR / f"{name_or_path}.toml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in GATES_DIR.glob("*.toml")))
        raise FileNotFoundError(f"no gate {name_or_path!r} (known: {known})")
    data = tomllib.loads(path.read_text())
    thresholds = {}
    for key, value in data.get("thresholds", {}).items():
        thresholds[key] = float(value)
    return Gate(
        name=path.stem,
        corpus=_resolve(data["corpus"]),
        dataset=_resolve(data["dataset"]),
        qids=data.get("qids"),
        systems=data.get("systems", ["rights"]),
        thresholds=thresholds,
        retrieval_only=data.get("retrieval_only", True),
        docs=data.get("docs"),
    )


def lookup(result: dict, key: str) -> float | None:
    """``retrieval.<system>.<metric>`` or ``answers.<metric>`` in a run's metrics."""
    parts = key.split(".", 2)
    if parts[0] == "retrieval":
        return result["retrieval"].get(parts[1], {}).get("overall", {}).get(parts[2])
    if parts[0] == "answers":
        return (result.get("answers") or {}).get("overall", {}).get(parts[1])
    raise KeyError(key)


def check(result: dict, thresholds: dict[str, float]) -> list[str]:
    """One line per threshold not met (empty: the gate passes)."""
    failures = []
    for key, minimum in thresholds.items():
        value = lookup(result, key)
        if value is None or value < minimum:
            failures.append(f"{key} = {value if value is None else round(value, 4)} < {minimum}")
    return failures
