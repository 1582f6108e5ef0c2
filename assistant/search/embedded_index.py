"""Search over the embedded store's points, vectorised: BM25, dense, identifiers, filters.

Qdrant's local mode scores a sparse query point by point in Python (measured 410 ms per search
at 10k chunks, linear beyond) and checks a payload filter the same way (about 100 ms per filtered
search at 10k); the product runs several of each per question (README, Benchmarks). This index
holds the same vectors as one scipy sparse matrix and one numpy matrix, the filterable fields as
arrays, and identifiers in a dict: a query is one matrix product and a mask. BM25 uses Qdrant's
own IDF formula (``ln((N - df + 0.5) / (df + 0.5) + 1)`` over the points with a lexical vector)
and dense search the same cosine, so rankings are those Qdrant returns
(tests/test_embedded_index.py compares them under every filter). Server mode keeps Qdrant's
indexes. Memory: the dense matrix doubles the vectors' share of RAM (150 MB at 100k chunks).

It is built from the store on first use and rebuilt after any write (the store marks it stale).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np


class EmbeddedIndex:
    def __init__(self, client, collection: str, lexical: str, dense_name: str) -> None:
        self._client, self._collection, self._lexical, self._dense_name = client, collection, lexical, dense_name
        self._lock = threading.Lock()
        self.stale = True
        self.ids: list[Any] = []
        self.doc_id = np.zeros(0, dtype=object)
        self.doc_type = np.zeros(0, dtype=object)
        self.groups: list[frozenset[str]] = []
        self.columns: dict[int, int] = {}
        self.matrix = None  # scipy CSC, points x terms
        self.df = np.zeros(0)
        self.n_lexical = 0
        self.dense = np.zeros((0, 0), dtype=np.float32)
        self.by_key: dict[str, list[int]] = {}  # identifier key -> rows
        self._access: dict[tuple[str, ...], np.ndarray] = {}

    def invalidate(self) -> None:
        self.stale = True

    def _build(self) -> None:
        from scipy import sparse as sp

        client, collection, lexical, dense_name = self._client, self._collection, self._lexical, self._dense_name
        ids, doc_ids, doc_types, groups, dense = [], [], [], [], []
        by_key: dict[str, list[int]] = {}
        n_lexical = 0
        rows, cols, vals = [], [], []
        columns: dict[int, int] = {}
        offset = None
        while True:
            points, offset = client.scroll(collection, limit=2048, offset=offset, with_vectors=[lexical, dense_name],
                                           with_payload=["doc_id", "doc_type", "groups", "ids"])
            for p in points:
                vectors = p.vector if isinstance(p.vector, dict) else {}
                vec = vectors.get(lexical)
                if dense_name not in vectors:
                    continue  # not a chunk the product wrote
                r = len(ids)
                n_lexical += vec is not None  # Qdrant's IDF counts the points that carry the vector
                dense.append(vectors[dense_name])
                for key in (p.payload or {}).get("ids") or ():
                    by_key.setdefault(key, []).append(r)
                ids.append(p.id)
                payload = p.payload or {}
                doc_ids.append(payload.get("doc_id"))
                doc_types.append(payload.get("doc_type"))
                groups.append(frozenset(payload.get("groups") or ()))
                for term, value in zip(vec.indices, vec.values) if vec is not None else ():
                    rows.append(r)
                    cols.append(columns.setdefault(int(term), len(columns)))
                    vals.append(value)
            if offset is None:
                break
        matrix = sp.csc_matrix((np.asarray(vals, dtype=np.float64), (rows, cols)), shape=(len(ids), len(columns)))
        self.ids, self.columns, self.matrix, self.groups = ids, columns, matrix, groups
        self.doc_id, self.doc_type = np.asarray(doc_ids, dtype=object), np.asarray(doc_types, dtype=object)
        self.df = np.diff(matrix.indptr)  # points holding each term
        self.n_lexical = n_lexical
        arr = np.asarray(dense, dtype=np.float32).reshape(len(ids), -1) if ids else np.zeros((0, 1), dtype=np.float32)
        norms = np.linalg.norm(arr, axis=1, keepdims=True)
        self.dense = arr / np.where(norms == 0, 1, norms)
        self.by_key = by_key
        self._access = {}
        self.stale = False

    def _mask(self, doc_type: str | None, doc_ids: Sequence[str] | None, access: list[str] | None) -> np.ndarray | None:
        mask = None
        if doc_type:
            mask = self.doc_type == doc_type
        if doc_ids:
            m = np.isin(self.doc_id, list(doc_ids))
            mask = m if mask is None else mask & m
        if access is not None:
            key = tuple(access)
            if key not in self._access:
                allowed = set(access)
                self._access[key] = np.fromiter((not g or bool(g & allowed) for g in self.groups), bool, len(self.groups))
            m = self._access[key]
            mask = m if mask is None else mask & m
        return mask

    def _ready(self) -> None:
        if self.stale:
            self._build()

    def _top(self, scores: np.ndarray, rows: np.ndarray, limit: int) -> list[tuple[Any, float]]:
        if len(rows) > limit:
            rows = rows[np.argpartition(-scores[rows], limit - 1)[:limit]]
        return sorted(((self.ids[r], float(scores[r])) for r in rows), key=lambda x: (-x[1], str(x[0])))

    def search_dense(self, vector: np.ndarray, limit: int,
                     doc_type: str | None = None, doc_ids: Sequence[str] | None = None,
                     access: list[str] | None = None) -> list[tuple[Any, float]]:
        """(point id, cosine) of the ``limit`` nearest points passing the filters, best first."""
        with self._lock:
            self._ready()
            if not self.ids:
                return []
            q = np.asarray(vector, dtype=np.float32)
            q = q / (np.linalg.norm(q) or 1.0)
            scores = self.dense @ q
            mask = self._mask(doc_type, doc_ids, access)
            rows = np.nonzero(mask)[0] if mask is not None else np.arange(len(self.ids))
            return self._top(scores, rows, limit)

    def rows_with_keys(self, keys: Sequence[str],
                       doc_type: str | None = None, doc_ids: Sequence[str] | None = None,
                       access: list[str] | None = None) -> list[Any]:
        """Point ids carrying any identifier key, in storage order, passing the filters."""
        with self._lock:
            self._ready()
            rows = sorted({r for k in keys for r in self.by_key.get(k, ())})
            mask = self._mask(doc_type, doc_ids, access)
            return [self.ids[r] for r in rows if mask is None or mask[r]]

    def search(self, indices: Sequence[int],
               values: Sequence[float], limit: int, doc_type: str | None = None, doc_ids: Sequence[str] | None = None,
               access: list[str] | None = None) -> list[tuple[Any, float]]:
        """(point id, score) of the best ``limit`` points holding a query term, best first."""
        with self._lock:
            self._ready()
            n = self.n_lexical
            pairs = [(self.columns[int(t)], float(v)) for t, v in zip(indices, values) if int(t) in self.columns]
            if not pairs or n == 0:
                return []
            cols = [c for c, _ in pairs]
            weights = np.array([v * math.log((n - self.df[c] + 0.5) / (self.df[c] + 0.5) + 1) for c, v in pairs])
            sub = self.matrix[:, cols]
            scores = np.asarray(sub @ weights).ravel()
            hit = np.diff(sub.tocsr().indptr) > 0  # holds at least one query term
            mask = self._mask(doc_type, doc_ids, access)
            if mask is not None:
                hit &= mask
            return self._top(scores, np.nonzero(hit)[0], limit)
