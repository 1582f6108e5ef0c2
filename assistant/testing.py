"""In-process doubles for the fast test tier and for benchmarks that must not load a model.

``HashingEmbedder`` stands in for MiniLM (``EmbedderProtocol``): deterministic, no weights, no
torch, thousands of passages a second. Vectors are signed feature hashes of the lower-cased word
unigrams and bigrams, L2-normalised, so texts sharing words are close and unrelated texts are
near-orthogonal. It tests plumbing (pipeline, store, retrieval, citations), never model quality.

``ScriptedChat`` stands in for a ``ChatModel``: the reply is a function of the messages (or a
fixed string), streamed word by word; every call's messages are kept for assertions.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache

import numpy as np

from assistant.llm.base import LLMError, Message

_WORD = re.compile(r"\w+", re.UNICODE)
BIGRAM_WEIGHT = 0.5


@lru_cache(maxsize=200_000)
def _slot(feature: str, dimension: int) -> tuple[int, float]:
    digest = hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest()
    value = int.from_bytes(digest, "little")
    return value % dimension, (1.0 if (value >> 63) & 1 else -1.0)


class HashingEmbedder:
    """Deterministic, model-free embedder with the real one's interface (``EmbedderProtocol``)."""

    def __init__(self, dimension: int = 384, *, bigrams: bool = True):
        self._dimension = dimension
        self.bigrams = bigrams
        self.embedded_count = 0

    @property
    def model_key(self) -> str:
        return f"hashing-v1:{self._dimension}:{'uni+bi' if self.bigrams else 'uni'}"

    @property
    def dimension(self) -> int:
        return self._dimension

    def vector(self, text: str) -> np.ndarray:
        v = np.zeros(self._dimension, dtype=np.float32)
        words = _WORD.findall(text.lower())
        for w in words:
            i, sign = _slot(w, self._dimension)
            v[i] += sign
        if self.bigrams:
            for a, b in zip(words, words[1:]):
                i, sign = _slot(f"{a} {b}", self._dimension)
                v[i] += sign * BIGRAM_WEIGHT
        norm = float(np.linalg.norm(v))
        if norm == 0.0:  # no words at all: a fixed unit vector, never a zero one (cosine needs a norm)
            v[0] = 1.0
            return v
        return v / norm

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.embedded_count += len(texts)
        if not texts:
            return np.zeros((0, self._dimension), dtype=np.float32)
        return np.stack([self.vector(t) for t in texts]).astype(np.float32, copy=False)

    def embed_query(self, text: str) -> np.ndarray:
        self.embedded_count += 1
        return self.vector(text)

    def embed_queries(self, texts: Sequence[str]) -> list[np.ndarray]:
        return [self.embed_query(t) for t in texts]

    def close(self) -> None:
        pass


Reply = Callable[[list[Message]], "str | BaseException"]


class ScriptedChat:
    """A ``ChatModel`` whose reply is ``reply(messages)`` (or a fixed string), streamed as word
    pieces. A reply that is an exception is raised, as a failing backend would; ``LLMError`` when
    the function returns ``None``. ``calls`` holds the messages of every request."""

    def __init__(self, reply: Reply | str = "", *, name: str = "scripted"):
        self.reply = reply
        self.name = name
        self.calls: list[list[Message]] = []

    @property
    def last_prompt(self) -> str:
        """The text of the last request's messages, joined (for 'never reached the model' checks)."""
        return "\n".join(m.get("content", "") for m in self.calls[-1]) if self.calls else ""

    def stream(self, messages: list[Message], *, max_tokens: int | None = None) -> Iterator[str]:
        self.calls.append([dict(m) for m in messages])
        text = self.reply(messages) if callable(self.reply) else self.reply
        if isinstance(text, BaseException):
            raise text
        if text is None:
            raise LLMError("scripted chat: no reply for these messages")
        pieces = re.findall(r"\s*\S+", text) or ([text] if text else [])
        if max_tokens is not None:
            pieces = pieces[:max_tokens]
        yield from pieces
