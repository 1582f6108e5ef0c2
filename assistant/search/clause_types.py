"""Clause-type-aware ranking: which kind of clause a question asks for, and what such clauses look like.

Contracts in one corpus are alike, and the right contract is usually found (its names single it
out); what retrieval then misses is the clause inside it. Questions about the same kind of
clause (when does it expire, who may audit, which law governs) are alike too, and so are the
clauses that answer them. ``clause_types.npz`` holds, per clause type, two unit vectors in the
embedding model's space, learned from half of cuad-dev's contracts (``python -m
eval.fitting.clause_types``; the other half measures it):

- ``questions``: the mean of that type's questions (names stripped), to recognise the type;
- ``clauses``: the mean of the chunks holding that type's gold answers, to rank by.

A question whose content is at least ``threshold`` cosine from a type's question vector (and
nearer to it than to any other) gets one more ranking inside the documents it names: the
chunks nearest that type's clause vector, fused with that type's weight (chosen per type on the
fitting half: 0 where the extra ranking did not help). Some types are answered where a contract
opens - its title, parties and date sit in the preamble, wherever the rest of the text is alike:
``leads`` gives, per type, the weight of one more ranking, the named documents' opening chunks
in order (0: off), chosen on the fitting half the same way. A question of no known type
ranks as before. The vectors belong to one embedding model (``model``): another one, or the
test tier's hashing double, leaves the feature off.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

ARTIFACT = Path(__file__).with_name("clause_types.npz")


@dataclass(frozen=True)
class ClauseTypes:
    names: tuple[str, ...]
    questions: np.ndarray  # (types, dim), unit rows
    clauses: np.ndarray  # (types, dim), unit rows
    threshold: float
    weights: np.ndarray  # (types,): fusion weight of each type's ranking; 0 where it did not help
    model: str
    leads: np.ndarray | None = None  # (types,): fusion weight of the opening chunks' ranking; None: all 0

    def lead(self, name: str) -> float:
        """The weight of the documents' opening chunks for questions of type ``name`` (0: off)."""
        if self.leads is None or name not in self.names:
            return 0.0
        return float(self.leads[self.names.index(name)])

    def match(self, vector: np.ndarray) -> tuple[str, np.ndarray, float] | None:
        """The clause type a question's content vector asks for, that type's clause vector and
        the weight its ranking gets (None: no type near enough, or one whose ranking is off)."""
        if vector.shape[-1] != self.questions.shape[1]:
            return None
        sims = self.questions @ vector
        best = int(np.argmax(sims))
        if sims[best] < self.threshold or (self.weights[best] <= 0 and self.lead(self.names[best]) <= 0):
            return None
        return self.names[best], self.clauses[best], float(self.weights[best])

    def save(self, path: Path = ARTIFACT) -> None:
        np.savez_compressed(path, names=np.array(self.names), questions=self.questions.astype(np.float32),
                            clauses=self.clauses.astype(np.float32), threshold=self.threshold,
                            weights=np.asarray(self.weights, dtype=np.float32),
                            leads=np.asarray(self.leads if self.leads is not None else np.zeros(len(self.names)), dtype=np.float32),
                            model=np.array(self.model))


@cache
def _load(path: str) -> ClauseTypes | None:
    try:
        data = np.load(path, allow_pickle=False)
        return ClauseTypes(tuple(str(n) for n in data["names"]), data["questions"], data["clauses"],
                           float(data["threshold"]), data["weights"], str(data["model"]),
                           data["leads"] if "leads" in data.files else None)
    except (OSError, ValueError, KeyError):  # missing, unreadable or of another layout: the feature is off
        return None


def for_model(model_key: str, path: Path = ARTIFACT) -> ClauseTypes | None:
    """The learned clause types, if they were learned with this embedding model."""
    types = _load(str(path))
    return types if types is not None and types.model == model_key else None
