"""The embedded store as it was before Qdrant Edge: qdrant-client's local mode plus a matrix index.

Kept only as the benchmark's "before" (eval/bench/query_latency.py), so every run measures the
new engine against what it replaced, on the same machine and data. The product no longer uses
it. Local mode scores a sparse query point by point in Python and checks a payload filter the
same way, so this index held the same vectors as one scipy sparse matrix and one numpy matrix
and was rebuilt from the store after every write.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from assistant.search.engines.server import ServerStore, local_client
from assistant.search.store import DENSE, LEXICAL, Point


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


class LegacyStore(ServerStore):
    """qdrant-client local mode on disk, searched through the matrix index (the old embedded default)."""

    def __init__(self, settings):
        super().__init__(settings, local_client(str(settings.qdrant_path)))
        self.index = EmbeddedIndex(self.client, self.chunks, LEXICAL, DENSE)

    def _upsert(self, points):
        self.index.invalidate()
        super()._upsert(points)

    def _delete(self, where, doc_id=None):
        self.index.invalidate()
        super()._delete(where, doc_id)

    def _scroll(self, where, fields=True, with_vectors=False):
        if where is None or not where.ids_any or with_vectors or fields is not True:
            yield from super()._scroll(where, fields, with_vectors)
            return
        found = self.index.rows_with_keys(list(where.ids_any), where.doc_type, where.doc_ids,
                                          list(where.access) if where.access is not None else None)
        yield from self._retrieve(found)

    def _query(self, queries):
        out = []
        for q in queries:
            access = list(q.where.access) if q.where.access is not None else None
            if q.using == DENSE:
                found = self.index.search_dense(np.asarray(q.vector, dtype=np.float32), q.limit, q.where.doc_type,
                                                q.where.doc_ids, access)
            else:
                found = self.index.search(q.vector[0], q.vector[1], q.limit, q.where.doc_type, q.where.doc_ids, access)
            points = {p.id: p for p in self._retrieve([pid for pid, _ in found])}
            out.append([Point(str(pid), points[str(pid)].payload, float(score)) for pid, score in found if str(pid) in points])
        return out
