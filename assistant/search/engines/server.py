"""The store on a Qdrant server or cluster, through qdrant-client (``QDRANT_URL``).

Given a client made with ``QdrantClient(path=...)`` or ``QdrantClient(":memory:")`` it runs on
qdrant-client's local mode: the Python re-implementation of the server's semantics that tests
use as the stand-in for a server (tests/test_store_engines.py compares it with the embedded
engine on the same data). It is not the embedded default: it scores and filters in Python.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterator, Sequence
from typing import Any

from qdrant_client import QdrantClient, models
from qdrant_client.http.exceptions import ResponseHandlingException, UnexpectedResponse

from assistant.search.store import (
    DENSE,
    INDEXED_FIELDS,
    LEXICAL,
    OVERSAMPLING,
    QUANTILE,
    Point,
    Store,
    StoreError,
    Table,
    VectorQuery,
    Where,
    engine_point,
    is_disk_full,
)
from assistant.settings import Settings
from ingest.model import SparseVector


class GuardedClient:
    """A QdrantClient whose calls run one at a time (local mode) or fail in plain words (server).

    Local mode keeps its collections in plain Python structures and is not thread-safe. A server
    client is thread-safe, but its transport errors are raw connection exceptions: each becomes a
    StoreError naming the URL and what to do."""

    def __init__(self, client: QdrantClient, url: str | None = None):
        self._client = client
        self._url = url
        self._lock = threading.RLock() if url is None else None

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._client, name)
        if not callable(attr):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            if self._lock is not None:
                with self._lock:
                    return attr(*args, **kwargs)
            try:
                return attr(*args, **kwargs)
            except UnexpectedResponse as exc:
                if exc.status_code in (401, 403):
                    raise StoreError(f"Qdrant at {self._url} refused the API key (QDRANT_API_KEY)") from None
                raise
            except (ResponseHandlingException, ConnectionError, TimeoutError, OSError) as exc:
                reason = str(getattr(exc, "source", None) or exc) or type(exc).__name__
                raise StoreError(
                    f"Qdrant at {self._url} is unreachable ({reason}): start it (`docker compose up -d qdrant`) "
                    "or check QDRANT_URL"
                ) from None

        return call


def open_client(settings: Settings) -> QdrantClient:
    api_key = settings.qdrant_api_key.get_secret_value() if settings.qdrant_api_key else None
    try:
        client = QdrantClient(url=settings.qdrant_url, api_key=api_key, timeout=30, check_compatibility=False)
        return GuardedClient(client, settings.qdrant_url)  # type: ignore[return-value]
    except Exception as exc:  # noqa: BLE001
        raise StoreError(f"cannot connect to Qdrant at {settings.qdrant_url}: {exc}") from None


def local_client(path: str | None = None) -> QdrantClient:
    """qdrant-client's local mode (tests, migration of data written by earlier versions)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return GuardedClient(QdrantClient(path=path) if path else QdrantClient(":memory:"))  # type: ignore[return-value]


def to_filter(where: Where | None, doc_id: str | None = None) -> models.Filter | None:
    """The engine-neutral ``Where`` as a qdrant-client filter."""
    if where is None and doc_id is None:
        return None
    where = where or Where()
    must: list[Any] = []
    must_not: list[Any] = []
    if doc_id:
        must.append(models.FieldCondition(key="doc_id", match=models.MatchValue(value=doc_id)))
    if where.doc_type:
        must.append(models.FieldCondition(key="doc_type", match=models.MatchValue(value=where.doc_type)))
    if where.doc_ids:
        must.append(models.FieldCondition(key="doc_id", match=models.MatchAny(any=list(where.doc_ids))))
    if where.ids_any:
        must.append(models.FieldCondition(key="ids", match=models.MatchAny(any=list(where.ids_any))))
    if where.records_only:
        must_not.append(models.IsEmptyCondition(is_empty=models.PayloadField(key="record_kind")))
    if where.not_sha:
        must_not.append(models.FieldCondition(key="file_sha256", match=models.MatchValue(value=where.not_sha)))
    if where.access is not None:
        must.append(models.Filter(should=[
            models.IsEmptyCondition(is_empty=models.PayloadField(key="groups")),
            *([models.FieldCondition(key="groups", match=models.MatchAny(any=list(where.access)))] if where.access else []),
        ]))
    if not must and not must_not:
        return None
    return models.Filter(must=must or None, must_not=must_not or None)



class ServerStore(Store):
    def __init__(self, settings: Settings, client: QdrantClient | None = None):
        super().__init__(settings)
        self.client = client or open_client(settings)
        self.local = settings.qdrant_url is None  # a local-mode stand-in (tests, migration)
        self._tables: dict[str, ServerTable] = {}
        self._dense_search = models.SearchParams(quantization=models.QuantizationSearchParams(
            rescore=True, oversampling=OVERSAMPLING)) if settings.store_quantization == "int8" else None

    def _layout(self) -> dict[str, int]:
        """Sharding and replication of new collections on a Qdrant cluster (settings; server only)."""
        if self.local:
            return {}
        layout = {"shard_number": self.settings.qdrant_shards, "replication_factor": self.settings.qdrant_replicas}
        return {k: v for k, v in layout.items() if v}

    def ensure(self, dimension: int) -> None:
        try:
            if not self.client.collection_exists(self.chunks):
                self.client.create_collection(
                    self.chunks,
                    vectors_config={DENSE: models.VectorParams(
                        size=dimension, distance=models.Distance.COSINE, on_disk=self.settings.store_vectors_on_disk or None,
                        quantization_config=models.ScalarQuantization(scalar=models.ScalarQuantizationConfig(
                            type=models.ScalarType.INT8, quantile=QUANTILE, always_ram=True))
                        if self.settings.store_quantization == "int8" else None)},
                    sparse_vectors_config={LEXICAL: models.SparseVectorParams(modifier=models.Modifier.IDF)},
                    **self._layout(),
                )
                if not self.local:  # local mode ignores payload indexes (and warns)
                    for name in INDEXED_FIELDS:
                        self.client.create_payload_index(self.chunks, name, field_schema=models.PayloadSchemaType.KEYWORD)
            else:
                existing = self.client.get_collection(self.chunks).config.params.vectors
                size = existing[DENSE].size if isinstance(existing, dict) and DENSE in existing else None
                if size != dimension:
                    raise StoreError(
                        f"collection '{self.chunks}' holds {size}-dimensional vectors but the embedding "
                        f"model makes {dimension}; use another collection (RIGHTS_COLLECTION) or re-ingest"
                    )
            self.table(self.ledger).ensure()
        except StoreError:
            raise
        except Exception as exc:  # noqa: BLE001 - transport errors of the server mode
            if is_disk_full(exc):
                raise  # the caller's disk guard says what to do
            raise StoreError(f"Qdrant is unreachable or refused the request: {exc}") from None

    def exists(self) -> bool:
        return self.client.collection_exists(self.chunks) and self.client.collection_exists(self.ledger)

    def close(self) -> None:
        if getattr(self, "_owner", None) is not None:
            return  # a view: the owner closes the shared client
        try:
            self.client.close()
        except Exception:  # noqa: BLE001 - closing a dead connection is not an error
            pass

    def _upsert(self, points: list[tuple[str, list[float], SparseVector, dict[str, Any]]]) -> None:
        self.client.upsert(self.chunks, [
            models.PointStruct(id=pid, vector={DENSE: dense, LEXICAL: models.SparseVector(indices=s[0], values=s[1])},
                               payload=payload)
            for pid, dense, s, payload in points
        ], wait=True)

    def _delete(self, where: Where, doc_id: str | None = None) -> None:
        if not self.client.collection_exists(self.chunks):
            return
        assert doc_id, "chunk deletes are per document"
        self.client.delete(self.chunks, points_selector=models.FilterSelector(filter=to_filter(where, doc_id)), wait=True)

    def _retrieve(self, ids: Sequence[str]) -> list[Point]:
        return [engine_point(p) for p in self.client.retrieve(self.chunks, list(ids), with_payload=True)]

    def _scroll(self, where: Where | None, fields: list[str] | bool = True, with_vectors: bool = False) -> Iterator[Point]:
        flt = to_filter(where)
        offset = None
        while True:
            points, offset = self.client.scroll(self.chunks, scroll_filter=flt, limit=1000, offset=offset,
                                                with_payload=fields, with_vectors=with_vectors)
            yield from (engine_point(p, with_vectors) for p in points)
            if offset is None:
                return

    def _count(self, where: Where | None) -> int:
        return self.client.count(self.chunks, count_filter=to_filter(where), exact=True).count

    def _query(self, queries: Sequence[VectorQuery]) -> list[list[Point]]:
        requests = [
            models.QueryRequest(
                query=q.vector if q.using == DENSE else models.SparseVector(indices=q.vector[0], values=q.vector[1]),
                using=q.using, limit=q.limit, filter=to_filter(q.where),
                params=self._dense_search if q.using == DENSE else None,
                with_payload=list(q.fields) if q.fields is not None else True)
            for q in queries
        ]
        return [[engine_point(p) for p in r.points] for r in self.client.query_batch_points(self.chunks, requests)]

    def tables(self) -> list[str]:
        prefix = self.chunks + "_"
        return sorted(c.name for c in self.client.get_collections().collections if c.name.startswith(prefix))

    def sizes(self, names: Sequence[str]) -> dict[str, int]:
        return {n: (self.client.count(n, exact=True).count if self.client.collection_exists(n) else 0) for n in names}

    def table(self, name: str) -> ServerTable:
        if name not in self._tables:
            self._tables[name] = ServerTable(self, name)
        return self._tables[name]


class ServerTable(Table):
    """A collection without vectors."""

    def __init__(self, store: ServerStore, name: str):
        self.store, self.name = store, name

    @property
    def client(self) -> QdrantClient:
        return self.store.client

    def exists(self) -> bool:
        return self.client.collection_exists(self.name)

    def ensure(self) -> None:
        if not self.exists():
            self.client.create_collection(self.name, vectors_config={}, **self.store._layout())

    def get(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        if not ids or not self.exists():
            return {}
        return {str(p.id): dict(p.payload or {}) for p in self.client.retrieve(self.name, list(ids), with_payload=True)}

    def all(self) -> dict[str, dict[str, Any]]:
        if not self.exists():
            return {}
        out: dict[str, dict[str, Any]] = {}
        offset = None
        while True:
            points, offset = self.client.scroll(self.name, limit=1000, offset=offset, with_payload=True)
            out.update((str(p.id), dict(p.payload or {})) for p in points)
            if offset is None:
                return out

    def put(self, id: str, payload: dict[str, Any]) -> None:
        self.ensure()
        self.client.upsert(self.name, [models.PointStruct(id=id, vector={}, payload=payload)], wait=True)

    def put_many(self, rows: dict[str, dict[str, Any]]) -> None:
        self.ensure()
        items = list(rows.items())
        for i in range(0, len(items), 512):
            self.client.upsert(self.name, [models.PointStruct(id=id, vector={}, payload=payload) for id, payload in items[i:i + 512]],
                               wait=True)

    def update(self, id: str, patch: dict[str, Any]) -> None:
        self.client.set_payload(self.name, patch, points=[id], wait=True)

    def delete(self, ids: Sequence[str]) -> None:
        if ids and self.exists():
            self.client.delete(self.name, points_selector=models.PointIdsList(points=list(ids)), wait=True)
