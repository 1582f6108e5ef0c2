"""Calibrated abstention: "the documents do not say" decided from measured signals, not a hunch.

A question gets an answer unit from the extractive engine (assistant/answer/selection.py) almost always;
whether that unit really answers is a separate call. It is made by a small logistic model over
signals we can measure for every question: how close the best passage is (dense similarity),
whether an identifier matched exactly, how much of the question's key terms the unit covers,
how much weight of the question's terms is missing, whether the unit holds the kind of fact
asked, the engine's own score and its margin over the runner-up.

The weights are fitted by ``python -m eval.fitting.calibrate`` on half of cuad-dev's contracts and the
threshold chosen there; the other half is held back for the figures in the README. They live
in ``abstention.json`` beside this module (package data). Without that file every selected unit
answers: the model is an improvement over that, never a requirement.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MODEL_FILE = Path(__file__).with_name("abstention.json")
FEATURES = ["relevance", "exact", "score", "coverage", "missing_weight", "names_missing", "kind_share",
            "margin", "wants_kind", "role_penalty", "states", "family", "similarity"]
# The direction each signal may move the confidence (eval.fitting.calibrate keeps the fitted weights on
# that side; 0: either). ``role_penalty`` is itself negative for recitals and boilerplate.
SIGNS = {"relevance": 1, "exact": 1, "score": 1, "coverage": 1, "missing_weight": -1, "names_missing": -1,
         "kind_share": 1, "margin": 1, "wants_kind": 0, "role_penalty": 1, "states": 1, "family": 1,
         "similarity": 1}


def features(extracted, relevance: float, exact: bool, question: str) -> dict[str, float]:
    """The signals of one question's best answer (``extracted``: a FamilyAnswer, or None)."""
    if extracted is None:
        return {}
    sel = extracted.current.sel
    sig = sel.signals
    return {
        "relevance": float(relevance),
        "exact": 1.0 if exact or sig.get("identifier") else 0.0,
        "score": float(sel.score),
        "coverage": float(sig.get("coverage") or 0.0),
        "missing_weight": float(sig.get("missing_weight") or 0.0),
        "names_missing": float(sig.get("names_missing") or 0.0),
        "kind_share": float(sig.get("kind_share") or 0.0),
        "margin": float(sig.get("margin") or 0.0),
        "wants_kind": 1.0 if sig.get("wanted") else 0.0,
        "role_penalty": float(sig.get("role_penalty") or 0.0),
        "states": float(sig.get("states") or 0.0),
        "family": 1.0 if extracted.previous is not None else 0.0,
        "similarity": float(sig.get("similarity") or 0.0),  # the chosen unit's, where the answerer computes it
    }


@dataclass
class Verdict:
    answer: bool
    probability: float | None
    reason: str = ""
    features: dict[str, Any] = field(default_factory=dict)


@dataclass
class Abstention:
    weights: list[float] = field(default_factory=list)
    bias: float = 0.0
    mean: list[float] = field(default_factory=list)
    std: list[float] = field(default_factory=list)
    threshold: float = 0.0
    names: list[str] = field(default_factory=lambda: list(FEATURES))

    @classmethod
    def load(cls, threshold: float | None = None, path: Path = MODEL_FILE) -> Abstention:
        if not path.is_file():
            return cls(threshold=threshold or 0.0)
        data = json.loads(path.read_text())
        model = cls(data["weights"], data["bias"], data["mean"], data["std"], data["threshold"], data["features"])
        if threshold is not None:
            model.threshold = threshold
        return model

    def probability(self, feats: dict[str, float]) -> float | None:
        if not self.weights:
            return None
        z = self.bias
        for name, w, m, s in zip(self.names, self.weights, self.mean, self.std):
            z += w * (feats.get(name, 0.0) - m) / (s or 1.0)
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def decide(self, feats: dict[str, float]) -> Verdict:
        if not feats:
            return Verdict(False, None, "no passage holds what the question asks")
        p = self.probability(feats)
        out = dict(feats, probability=None if p is None else round(p, 4))
        if p is None or p >= self.threshold:
            return Verdict(True, p, "", out)
        return Verdict(False, p, f"the closest clause does not seem to answer the question (confidence {p:.2f} "
                                  f"< {self.threshold:.2f}; {self._weakest(feats)})", out)

    def _weakest(self, feats: dict[str, float]) -> str:
        """The signal that pulled the confidence down most, in words."""
        words = {"relevance": "the passages are not close to the question", "coverage": "few of the question's terms are in it",
                 "missing_weight": "key terms of the question are missing", "names_missing": "a name in the question is missing",
                 "kind_share": "it does not hold the kind of fact asked", "score": "it scores low",
                 "margin": "other clauses score as well", "states": "it does not state a term",
                 "similarity": "it reads unlike the question"}
        contributions = [(w * (feats.get(n, 0.0) - m) / (s or 1.0), n) for n, w, m, s in zip(self.names, self.weights, self.mean, self.std)]
        worst = min(contributions, default=(0.0, "score"))[1]
        return words.get(worst, f"{worst} is low")
