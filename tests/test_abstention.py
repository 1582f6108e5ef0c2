"""The abstention model and its fitting: pure functions on synthetic signals (fast)."""

from __future__ import annotations

import json
import random

import numpy as np

from assistant.answer.abstention import FEATURES, Abstention
from eval.fitting.calibrate import abstention_figures, choose_threshold, fit, scores


def synthetic(n: int, seed: int = 7):
    """Answerable questions cover the question's terms and sit close; unanswerable ones do not."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        answerable = i % 3 != 0
        base = 0.7 if answerable else 0.35
        feats = {name: 0.0 for name in FEATURES}
        feats.update(coverage=base + rng.gauss(0, 0.12), relevance=base - 0.1 + rng.gauss(0, 0.1),
                     missing_weight=(1 - base) + rng.gauss(0, 0.1), score=base + rng.gauss(0, 0.2))
        rows.append((f"doc{i % 10}", answerable, feats))
    return rows


def test_a_fitted_model_separates_answerable_from_unanswerable_on_held_out_rows():
    rows = synthetic(600)
    train, test = rows[:400], rows[400:]
    x = np.array([[f[n] for n in FEATURES] for _, _, f in train])
    y = np.array([1.0 if a else 0.0 for _, a, _ in train])
    mean, std = x.mean(axis=0), x.std(axis=0)
    std[std == 0] = 1
    w, b = fit((x - mean) / std, y)
    model = Abstention(list(w), float(b), list(mean), list(std), 0.0, list(FEATURES))
    model.threshold = choose_threshold(*scores(train, model), 0.9)
    held = abstention_figures(*scores(test, model), model.threshold)
    always = abstention_figures(*scores(test, Abstention()), 0.5)
    assert held["accuracy"] > 0.85 and held["precision"] >= 0.8, held
    assert always["abstained"] == 0 and held["accuracy"] > always["accuracy"]
    assert w[FEATURES.index("coverage")] > 0 and w[FEATURES.index("missing_weight")] < 0


def test_decide_explains_an_abstention_and_loads_from_json(tmp_path):
    model = Abstention([2.0] + [0.0] * (len(FEATURES) - 1), 0.0, [0.5] * len(FEATURES), [0.1] * len(FEATURES), 0.5,
                       list(FEATURES))
    path = tmp_path / "m.json"
    path.write_text(json.dumps({"features": FEATURES, "weights": model.weights, "bias": 0.0, "mean": model.mean,
                                "std": model.std, "threshold": 0.5}))
    loaded = Abstention.load(path=path)
    low = loaded.decide({"relevance": 0.2})
    assert not low.answer and "not close to the question" in low.reason and low.probability < 0.5
    assert loaded.decide({"relevance": 0.9}).answer
    assert not loaded.decide({}).answer  # nothing selected: nothing to answer with
    assert Abstention.load(0.99, path=path).threshold == 0.99
    assert Abstention.load(path=tmp_path / "missing.json").decide({"relevance": 0.0}).answer
