"""The embedder's arithmetic (embedding.precision): bfloat16 autocast where the CPU computes it.

bfloat16 autocast made ingest batches 1.85x faster here (docs/benchmarks.md); it is only worth it
where the CPU has bfloat16 instructions, so "auto" reads the CPU flags. The vectors must stay the
same vectors: every stored vector was made in float32 before, and the cache key does not change.
"""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from assistant.search import embedding
from assistant.search.embedding import Embedder
from assistant.settings import EmbeddingSettings

TEXTS = [
    "The Term of this Agreement shall commence on the Effective Date and continue for three (3) years.",
    "Licensee shall pay Licensor a flat fee of Twelve Thousand Five Hundred U.S. Dollars (US$12,500).",
    "Section 4.02 of the Agreement is hereby amended by deleting the words \"eighteen percent (18%)\".",
    "Who wrote ISWC T-345.246.800-1 and what are the splits?",
] * 3


def test_auto_is_bfloat16_only_where_the_cpu_computes_it(monkeypatch):
    monkeypatch.setattr(embedding, "native_bfloat16", lambda: True)
    assert Embedder(EmbeddingSettings()).precision == "bfloat16"
    assert Embedder(EmbeddingSettings(precision="float32")).precision == "float32"
    monkeypatch.setattr(embedding, "native_bfloat16", lambda: False)
    assert Embedder(EmbeddingSettings()).precision == "float32"
    assert Embedder(EmbeddingSettings(precision="bfloat16")).precision == "bfloat16"  # asked for: given


def test_an_unknown_precision_is_refused():
    with pytest.raises(ValidationError):
        EmbeddingSettings(precision="float16")


def test_a_stand_in_encoder_is_not_cast(monkeypatch):
    monkeypatch.setattr(Embedder, "model", property(lambda self: self._model))  # the fast tier's guard: no MiniLM here
    class Encoder:  # an ONNX session behind the same batching: its own arithmetic
        def encode(self, texts, **kwargs):
            assert kwargs["convert_to_numpy"] and not kwargs.get("convert_to_tensor")
            return np.ones((len(texts), 3), dtype=np.float32) / np.sqrt(3)

    vectors = Embedder(EmbeddingSettings(precision="bfloat16"), model=Encoder()).embed_uncached(["a", "b"])
    assert vectors.shape == (2, 3) and vectors.dtype == np.float32


@pytest.mark.slow  # the real MiniLM
def test_bfloat16_vectors_are_the_float32_vectors(embedder):
    model = embedder.model
    exact = Embedder(EmbeddingSettings(precision="float32"), model=model)
    fast = Embedder(EmbeddingSettings(precision="bfloat16"), model=model)
    a, b = exact.embed_uncached(TEXTS), fast.embed_uncached(TEXTS)
    assert b.dtype == np.float32 and np.allclose(np.linalg.norm(b, axis=1), 1.0, atol=1e-5)
    assert (a * b).sum(axis=1).min() > 0.9999
    assert not np.array_equal(a, b)  # the cast did run
    qa, qb = np.stack(exact.embed_queries(TEXTS[:2])), np.stack(fast.embed_queries(TEXTS[:2]))
    assert (qa * qb).sum(axis=1).min() > 0.9999
    assert exact.model_key == fast.model_key  # one vector space: stores and caches made in float32 stay valid
