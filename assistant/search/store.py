"""The vector store: Qdrant, embedded on disk by default or a server by URL, one interface.

Two collections: ``<name>`` holds one point per chunk (a dense MiniLM vector named "dense"
and a BM25 sparse vector named "lexical"); ``<name>_documents`` is the ledger, one
vectorless point per document with its state. The ledger is what makes ingestion crash-safe
and incremental: a document is "pending" while its chunks are written and "complete" after
stale chunks are deleted, so an interrupted run is finished by the next one.
"""

from __future__ import annotations

import errno
import logging
import os
import sqlite3
import threading
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from qdrant_client import QdrantClient, models
from qdrant_client.http.exceptions import ResponseHandlingException, UnexpectedResponse

from ingest.access import NOBODY
from ingest.model import ChunkRecord, DocumentRecord, SparseVector, chunk_point_id, document_point_id

from ..settings import Settings
from .embedded_index import EmbeddedIndex

log = logging.getLogger(__name__)

DENSE = "dense"
LEXICAL = "lexical"
INDEXED_FIELDS = {
    "doc_id": models.PayloadSchemaType.KEYWORD,
    "doc_type": models.PayloadSchemaType.KEYWORD,
    "file_sha256": models.PayloadSchemaType.KEYWORD,
    "file_name": models.PayloadSchemaType.KEYWORD,
    "ids": models.PayloadSchemaType.KEYWORD,  # identifier keys: "ISWC:T3452468001", "ISRC:..."
    "record_kind": models.PayloadSchemaType.KEYWORD,
    "groups": models.PayloadSchemaType.KEYWORD,  # access groups; every query of a signed-in user filters on it
}


class StoreError(RuntimeError):
    """The store cannot be used; the message says why and what to do."""


def is_disk_full(exc: BaseException) -> bool:
    """A write to the data directory failed for lack of room: no space, a quota, a file-size
    limit (SQLite reports the last as a "disk I/O error")."""
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
        return True
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("full" in text or "disk i/o error" in text)


def is_unwritable(exc: BaseException, data_dir: Any = None) -> bool:
    """Creating or writing a file in the data directory was refused: permissions, a read-only
    file system, or a path running through a regular file (SQLite says "unable to open" or
    "readonly database"). With ``data_dir``, an OSError counts only for a path inside it (a
    contract that cannot be read is not the data folder's fault)."""
    if isinstance(exc, OSError):
        if exc.errno not in (errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOTDIR, errno.EEXIST):
            return False
        if data_dir is None or exc.filename is None:
            return data_dir is None
        where, top = os.path.abspath(os.fsdecode(exc.filename)), os.path.abspath(data_dir)
        return where == top or where.startswith(top.rstrip(os.sep) + os.sep)
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("unable to open" in text or "readonly" in text)


def not_writable(data_dir: Any, exc: BaseException) -> StoreError:
    """The one-line error for ``is_unwritable``: names the data folder and the path refused."""
    where = getattr(exc, "filename", None)
    reason = getattr(exc, "strerror", None) or str(exc)
    detail = f"{reason}: {where}" if where and str(where) != str(data_dir) else reason
    return StoreError(
        f"the data folder {data_dir} is not writable ({detail}); fix its permissions or choose "
        "another folder (RIGHTS_DATA_DIR or data_dir in the config)"
    )


@dataclass
class Hit:
    point_id: str
    score: float
    payload: dict[str, Any]
    signals: dict[str, Any] = field(default_factory=dict)  # how it was found: dense score, scoped, identifier

    def __getattr__(self, name: str) -> Any:  # hit.text, hit.section, hit.page ...
        try:
            return self.payload[name]
        except KeyError:
            raise AttributeError(name) from None


class GuardedClient:
    """A QdrantClient whose calls run one at a time (embedded) or fail in plain words (server).

    The embedded (local-mode) client keeps its collections in plain Python structures and is not
    thread-safe; the chat ingests uploads on a thread while other threads answer. Each call is
    atomic, so a reader sees a document's chunks before or after one upsert batch, never a
    half-built structure. A server client is thread-safe, but its transport errors are raw
    connection exceptions: each becomes a StoreError naming the URL and what to do."""

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
    if settings.qdrant_url:
        api_key = settings.qdrant_api_key.get_secret_value() if settings.qdrant_api_key else None
        try:
            client = QdrantClient(url=settings.qdrant_url, api_key=api_key, timeout=30, check_compatibility=False)
            return GuardedClient(client, settings.qdrant_url)  # type: ignore[return-value]
        except Exception as exc:  # noqa: BLE001
            raise StoreError(f"cannot connect to Qdrant at {settings.qdrant_url}: {exc}") from None
    try:
        settings.qdrant_path.mkdir(parents=True, exist_ok=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return GuardedClient(QdrantClient(path=str(settings.qdrant_path)))  # type: ignore[return-value]
    except OSError as exc:
        if is_unwritable(exc):
            raise not_writable(settings.data_dir, exc) from None
        raise
    except RuntimeError as exc:
        if "already accessed" in str(exc):
            raise StoreError(
                f"the embedded store at {settings.qdrant_path} is in use by another rights process "
                "(an ingest or the chat); wait for it to finish, or use a Qdrant server (QDRANT_URL) "
                "for concurrent access"
            ) from None
        raise StoreError(f"cannot open the embedded store at {settings.qdrant_path}: {exc}") from None


class Store:
    def __init__(self, settings: Settings, client: QdrantClient | None = None):
        self.settings = settings
        self.client = client or open_client(settings)
        self.chunks = settings.collection
        self.ledger = f"{settings.collection}_documents"
        self.local = settings.qdrant_url is None
        # Embedded mode: search over in-memory matrices (Qdrant local scores and filters point by
        # point in Python); shared with the access views made from this store.
        self.index = EmbeddedIndex(self.client, self.chunks, LEXICAL, DENSE) if self.local else None
        # None: everything (the CLI, an admin). A list: only documents without groups or sharing
        # one of these - enforced inside every query, so nothing else can reach the caller.
        self.access: list[str] | None = None

    def restricted(self, groups: list[str] | None) -> Store:
        """The same store seen by someone in ``groups`` (None or "*" among them: everything)."""
        if groups is None or "*" in groups:
            return self
        view = Store.__new__(Store)
        view.__dict__.update(self.__dict__)
        view.access = sorted(set(groups) - {NOBODY})  # no user holds the administrators-only mark
        view._owner = self
        return view

    @property
    def writer(self) -> Store:
        """The whole store, for the ingest job: what it replaces or resumes must be found even when
        the person who started it may not see it (what it *reports* still goes through ``visible``)."""
        return getattr(self, "_owner", self)

    def visible(self, groups: Sequence[str] | None) -> bool:
        """Whether a document or chunk with these access groups may be shown through this view."""
        return self.access is None or not groups or bool(set(groups) & set(self.access))

    def _filter(self, doc_type: str | None = None, doc_ids: list[str] | None = None) -> models.Filter | None:
        flt = _filter(doc_type=doc_type, doc_ids=doc_ids)
        if self.access is None:
            return flt
        allowed = models.Filter(should=[
            models.IsEmptyCondition(is_empty=models.PayloadField(key="groups")),
            *([models.FieldCondition(key="groups", match=models.MatchAny(any=list(self.access)))] if self.access else []),
        ])
        flt = flt or models.Filter(must=[])
        flt.must = list(flt.must or []) + [allowed]
        return flt

    # -- lifecycle ---------------------------------------------------------------------------
    def ensure(self, dimension: int) -> None:
        """Create both collections if missing; refuse a store built for another vector size."""
        try:
            if not self.client.collection_exists(self.chunks):
                self.client.create_collection(
                    self.chunks,
                    vectors_config={DENSE: models.VectorParams(size=dimension, distance=models.Distance.COSINE)},
                    sparse_vectors_config={LEXICAL: models.SparseVectorParams(modifier=models.Modifier.IDF)},
                    **self._layout(),
                )
                if not self.local:  # the embedded store ignores payload indexes (and warns)
                    for name, schema in INDEXED_FIELDS.items():
                        self.client.create_payload_index(self.chunks, name, field_schema=schema)
            else:
                existing = self.client.get_collection(self.chunks).config.params.vectors
                size = existing[DENSE].size if isinstance(existing, dict) and DENSE in existing else None
                if size != dimension:
                    raise StoreError(
                        f"collection '{self.chunks}' holds {size}-dimensional vectors but the embedding "
                        f"model makes {dimension}; use another collection (RIGHTS_COLLECTION) or re-ingest"
                    )
            if not self.client.collection_exists(self.ledger):
                self.client.create_collection(self.ledger, vectors_config={}, **self._layout())
        except StoreError:
            raise
        except Exception as exc:  # noqa: BLE001 - transport errors of the server mode
            if is_disk_full(exc):
                raise  # the caller's disk guard says what to do
            raise StoreError(f"Qdrant is unreachable or refused the request: {exc}") from None

    def _layout(self) -> dict[str, int]:
        """Sharding and replication of new collections on a Qdrant cluster (settings; server only)."""
        if self.local:
            return {}
        layout = {"shard_number": self.settings.qdrant_shards, "replication_factor": self.settings.qdrant_replicas}
        return {k: v for k, v in layout.items() if v}

    def exists(self) -> bool:
        return self.client.collection_exists(self.chunks) and self.client.collection_exists(self.ledger)

    def close(self) -> None:
        if getattr(self, "_owner", None) is not None:
            return  # a view: the owner closes the shared client
        try:
            self.client.close()
        except Exception:  # noqa: BLE001 - closing a dead connection is not an error
            pass

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- ledger (DocumentSink) ---------------------------------------------------------------
    def documents(self) -> dict[str, DocumentRecord]:
        if not self.client.collection_exists(self.ledger):
            return {}
        records: dict[str, DocumentRecord] = {}
        offset = None
        while True:
            points, offset = self.client.scroll(self.ledger, limit=1000, offset=offset, with_payload=True)
            for point in points:
                record = DocumentRecord.from_payload(point.payload or {})
                if self.visible(record.groups):
                    records[record.doc_id] = record
            if offset is None:
                return records

    def _put_document(self, doc: DocumentRecord) -> None:
        self.client.upsert(
            self.ledger,
            [models.PointStruct(id=document_point_id(doc.doc_id), vector={}, payload=doc.payload())],
            wait=True,
        )

    def update_document(self, doc: DocumentRecord) -> None:
        """Rewrite a document's ledger entry as given (chunks untouched): the ingest job relinks
        document families over the whole ledger after each run (ingest/families.py)."""
        self._put_document(doc)

    def begin_document(self, doc: DocumentRecord) -> None:
        doc.state = "pending"
        self._put_document(doc)

    def _changed(self) -> None:
        if self.index is not None:
            self.index.invalidate()

    def write_chunks(self, chunks: Sequence[ChunkRecord], dense: np.ndarray, sparse: Sequence[SparseVector]) -> None:
        self._changed()
        points = [
            models.PointStruct(
                id=record.point_id,
                vector={
                    DENSE: vector.tolist(),
                    LEXICAL: models.SparseVector(indices=indices, values=values),
                },
                payload=record.payload(),
            )
            for record, vector, (indices, values) in zip(chunks, dense, sparse)
        ]
        for i in range(0, len(points), 256):
            self.client.upsert(self.chunks, points[i : i + 256], wait=True)

    def finish_document(self, doc: DocumentRecord, had_chunks: bool = True) -> None:
        """Delete chunks of any other version of this document, then mark it complete."""
        self._changed()
        if had_chunks:
            self.client.delete(
                self.chunks,
                points_selector=models.FilterSelector(
                    filter=models.Filter(
                        must=[models.FieldCondition(key="doc_id", match=models.MatchValue(value=doc.doc_id))],
                        must_not=[
                            models.FieldCondition(key="file_sha256", match=models.MatchValue(value=doc.file_sha256))
                        ],
                    )
                ),
                wait=True,
            )
        doc.state = "complete"
        self._put_document(doc)

    def delete_document(self, doc_id: str) -> None:
        """Ledger says "deleting" first, so a crash half-way is finished by the next ingest."""
        self._changed()
        existing = self.client.retrieve(self.ledger, [document_point_id(doc_id)], with_payload=True)
        if existing:
            self.client.set_payload(
                self.ledger, {"state": "deleting"}, points=[document_point_id(doc_id)], wait=True
            )
        self.client.delete(
            self.chunks,
            points_selector=models.FilterSelector(
                filter=models.Filter(must=[models.FieldCondition(key="doc_id", match=models.MatchValue(value=doc_id))])
            ),
            wait=True,
        )
        self.client.delete(self.ledger, points_selector=models.PointIdsList(points=[document_point_id(doc_id)]), wait=True)

    def records_with_ids(self, keys: Sequence[str]) -> list[dict[str, Any]]:
        if not keys or not self.client.collection_exists(self.chunks):
            return []
        # Qdrant's own filtered scroll: ingest calls this once per wave, and the in-memory index
        # would be rebuilt after every wave's writes.
        return [h.payload for h in self._qdrant_ids(list(keys), limit=10_000) if h.payload.get("record_kind")]

    def record_claims(self) -> list[dict[str, Any]]:
        """The identifying fields of every record chunk this view may see (cross-record checks)."""
        if not self.client.collection_exists(self.chunks):
            return []
        flt = self._filter() or models.Filter(must=[])
        flt.must_not = [models.IsEmptyCondition(is_empty=models.PayloadField(key="record_kind"))]
        fields = ["doc_id", "ids", "record_kind", "record_title", "file_name", "location", "groups"]
        out: list[dict[str, Any]] = []
        offset = None
        while True:
            points, offset = self.client.scroll(self.chunks, scroll_filter=flt, limit=1000, offset=offset, with_payload=fields)
            out.extend(dict(p.payload or {}) for p in points if self.visible((p.payload or {}).get("groups")))
            if offset is None:
                return out

    # -- reading -------------------------------------------------------------------------------
    def search_ids(self, keys: Sequence[str], limit: int = 50, doc_type: str | None = None, doc_ids: list[str] | None = None) -> list[Hit]:
        """Chunks carrying any of the identifier ``keys`` exactly (payload index in server mode)."""
        if not keys:
            return []
        if self.index is not None:
            if not self.client.collection_exists(self.chunks):
                return []
            found = self.index.rows_with_keys(keys, doc_type, doc_ids, self.access)[:limit]
            points = {p.id: p for p in self.client.retrieve(self.chunks, found, with_payload=True)}
            return [Hit(str(pid), 1.0, dict(points[pid].payload or {})) for pid in found if pid in points]
        return self._qdrant_ids(keys, limit, doc_type, doc_ids)

    def _qdrant_ids(self, keys: Sequence[str], limit: int = 50, doc_type: str | None = None, doc_ids: list[str] | None = None) -> list[Hit]:
        flt = self._filter(doc_type=doc_type, doc_ids=doc_ids) or models.Filter(must=[])
        flt.must = list(flt.must or []) + [models.FieldCondition(key="ids", match=models.MatchAny(any=list(keys)))]
        hits: list[Hit] = []
        offset = None
        while len(hits) < limit:
            points, offset = self.client.scroll(self.chunks, scroll_filter=flt, limit=min(256, limit - len(hits)),
                                                offset=offset, with_payload=True)
            hits.extend(Hit(str(p.id), 1.0, dict(p.payload or {})) for p in points)
            if offset is None:
                break
        return hits

    def count_chunks(self, doc_id: str | None = None) -> int:
        if not self.client.collection_exists(self.chunks):
            return 0
        flt = self._filter(doc_ids=[doc_id] if doc_id else None)
        return self.client.count(self.chunks, count_filter=flt, exact=True).count

    def all_chunks(self, with_vectors: bool = False) -> list[Hit]:
        """Every chunk point (tests and integrity checks)."""
        hits: list[Hit] = []
        offset = None
        while True:
            points, offset = self.client.scroll(
                self.chunks, limit=1000, offset=offset, with_payload=True, with_vectors=with_vectors
            )
            hits.extend(Hit(str(p.id), 0.0, dict(p.payload or {}, _vector=p.vector) if with_vectors else dict(p.payload or {}))
                        for p in points if self.visible((p.payload or {}).get("groups")))
            if offset is None:
                return hits

    def get_chunks(self, doc_id: str, indices: Sequence[int]) -> list[Hit]:
        """Chunks of one document by index (neighbour expansion); missing indices are skipped."""
        ids = [chunk_point_id(doc_id, i) for i in indices if i >= 0]
        if not ids:
            return []
        points = self.client.retrieve(self.chunks, ids, with_payload=True)
        hits = [Hit(str(p.id), 0.0, dict(p.payload or {})) for p in points if self.visible((p.payload or {}).get("groups"))]
        return sorted(hits, key=lambda h: h.payload["chunk_index"])

    def search_dense(self, vector: np.ndarray, k: int, doc_type: str | None = None, doc_ids: list[str] | None = None) -> list[Hit]:
        if self.index is not None:
            if not self.client.collection_exists(self.chunks):
                return []
            found = self.index.search_dense(vector, k + TIE_MARGIN, doc_type, doc_ids, self.access)
            return self._scored(found, k)
        return self._qdrant_dense(vector, k, doc_type, doc_ids)

    def _qdrant_dense(self, vector: np.ndarray, k: int, doc_type: str | None = None, doc_ids: list[str] | None = None) -> list[Hit]:
        """Qdrant's own dense search (server mode; the reference the embedded index must match)."""
        result = self.client.query_points(
            self.chunks,
            query=vector.tolist(),
            using=DENSE,
            limit=k + TIE_MARGIN,
            query_filter=self._filter(doc_type=doc_type, doc_ids=doc_ids),
            with_payload=True,
        )
        return _ranked(result.points, k)

    def search_lexical(self, sparse: SparseVector, k: int, doc_type: str | None = None, doc_ids: list[str] | None = None) -> list[Hit]:
        indices, values = sparse
        if not indices:
            return []
        if self.index is not None:
            if not self.client.collection_exists(self.chunks):
                return []
            found = self.index.search(indices, values, k + TIE_MARGIN, doc_type, doc_ids, self.access)
            return self._scored(found, k)
        return self._qdrant_lexical(sparse, k, doc_type, doc_ids)

    def _scored(self, found: list[tuple[Any, float]], k: int) -> list[Hit]:
        points = {p.id: p for p in self.client.retrieve(self.chunks, [pid for pid, _ in found], with_payload=True)}
        scored = [models.ScoredPoint(id=pid, version=0, score=score, payload=points[pid].payload)
                  for pid, score in found if pid in points]
        return _ranked(scored, k)

    def _qdrant_lexical(self, sparse: SparseVector, k: int, doc_type: str | None = None, doc_ids: list[str] | None = None) -> list[Hit]:
        """Qdrant's own sparse search (server mode; the reference the embedded index must match)."""
        indices, values = sparse
        result = self.client.query_points(
            self.chunks,
            query=models.SparseVector(indices=indices, values=values),
            using=LEXICAL,
            limit=k + TIE_MARGIN,
            query_filter=self._filter(doc_type=doc_type, doc_ids=doc_ids),
            with_payload=True,
        )
        return _ranked(result.points, k)


TIE_MARGIN = 8  # extra results fetched so equal scores at the cut are broken the same way every time


def _ranked(points, k: int) -> list[Hit]:
    """Top ``k`` by score, ties broken by point id. Qdrant returns equal scores in storage order,
    which changes when an embedded store is reopened (records of one catalog often tie)."""
    ordered = sorted(points, key=lambda p: (-round(float(p.score), 6), str(p.id)))[:k]
    return [Hit(str(p.id), float(p.score), dict(p.payload or {})) for p in ordered]


def _filter(doc_type: str | None = None, doc_ids: list[str] | None = None) -> models.Filter | None:
    must: list[models.Condition] = []
    if doc_type:
        must.append(models.FieldCondition(key="doc_type", match=models.MatchValue(value=doc_type)))
    if doc_ids:
        must.append(models.FieldCondition(key="doc_id", match=models.MatchAny(any=list(doc_ids))))
    return models.Filter(must=must) if must else None
