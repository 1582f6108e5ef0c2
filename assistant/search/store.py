"""The vector store: one interface, two engines.

:class:`Store` is what the rest of the product uses: the ledger of documents, chunk writes for
the ingest job, and the searches retrieval runs, all seen through an access view. Two engines
implement its few primitives:

- ``EdgeStore`` (store_edge.py), the embedded default: Qdrant Edge, Qdrant's own engine
  in-process (Rust segments, write-ahead log, HNSW, sparse vectors with IDF, payload indexes),
  on disk in the data directory.
- ``ServerStore`` (store_server.py): a Qdrant server or cluster through qdrant-client
  (``QDRANT_URL``). Tests run it on qdrant-client's local mode, the stand-in for server semantics
  that qdrant-client's own congruence tests use, and check both engines rank alike.

Each store has chunks (one point per chunk: a dense MiniLM vector named "dense" and a BM25 sparse
vector named "lexical") and small tables of vectorless records: ``<name>_documents`` is the
ledger, one entry per document with its state. The ledger is what makes ingestion crash-safe and
incremental: a document is "pending" while its chunks are written and "complete" after stale
chunks are deleted, so an interrupted run is finished by the next one.
"""

from __future__ import annotations

import copy
import errno
import os
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from assistant.settings import Settings
from ingest.access import NOBODY
from ingest.errors import UserError
from ingest.model import ChunkPayload, ChunkRecord, DocumentRecord, SparseVector, chunk_point_id, document_point_id

DENSE = "dense"
LEXICAL = "lexical"
# Payload fields every filter or access rule uses: both engines index them (keyword indexes).
INDEXED_FIELDS = ("doc_id", "doc_type", "file_sha256", "file_name", "ids", "record_kind", "groups")
TIE_MARGIN = 8  # extra results fetched so equal scores at the cut are broken the same way every time
RECORD_FIELDS = ["doc_id", "ids", "record_kind", "record_title", "file_name", "location", "groups"]
QUANTILE = 0.99  # int8 quantisation (settings store_quantization): the value range kept, the outer 1% clipped
OVERSAMPLING = 2.0  # int8 search: twice the candidates asked, then rescored with the full vectors


class StoreError(UserError, RuntimeError):
    """The store cannot be used; the message says why and what to do."""


def is_disk_full(exc: BaseException) -> bool:
    """A write to the data directory failed for lack of room: no space, a quota, a file-size
    limit (SQLite reports the last as a "disk I/O error")."""
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
        return True
    text = str(exc).lower()
    if isinstance(exc, sqlite3.OperationalError):
        return "full" in text or "disk i/o error" in text
    # Qdrant Edge reports I/O failures as its own error carrying the OS message
    return "no space left" in text or "disk quota" in text


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

    @property
    def chunk(self) -> ChunkPayload:
        """The payload, typed (ingest.model.ChunkPayload): its ``label()`` names the passage."""
        return ChunkPayload.of(self.payload)

    def __getattr__(self, name: str) -> Any:  # hit.text, hit.section, hit.page ...
        try:
            return self.payload[name]
        except KeyError:
            raise AttributeError(name) from None


@dataclass(frozen=True)
class Where:
    """Which chunks a request may touch, in engine-neutral terms: each engine turns it into its
    own filter. ``access`` None means everything; a list means chunks without groups or sharing
    one of them (an empty list: ungrouped chunks only)."""

    doc_type: str | None = None
    doc_ids: tuple[str, ...] | None = None
    access: tuple[str, ...] | None = None
    ids_any: tuple[str, ...] = ()  # carries any of these identifier keys
    records_only: bool = False  # record chunks (works, recordings, ...) only
    not_sha: str | None = None  # not of this file version (stale chunks of a document)


@dataclass(frozen=True)
class VectorQuery:
    """One ranking: nearest chunks to a dense vector or a sparse (BM25) vector."""

    using: str  # DENSE or LEXICAL
    vector: Any  # list[float] or SparseVector
    limit: int
    where: Where
    fields: tuple[str, ...] | None = None  # payload keys to return; None: the whole payload


@dataclass
class Point:
    """A point as an engine returns it: id, payload and (when asked) vectors."""

    id: str
    payload: dict[str, Any]
    score: float = 0.0
    vectors: dict[str, Any] | None = None



def engine_point(p: Any, vectors: bool = False) -> Point:
    """A point as either engine's client returns it (qdrant-client or Qdrant Edge: same attribute
    names), as the store's own ``Point``; sparse vectors become (indices, values)."""
    vec = None
    if vectors and isinstance(p.vector, dict):
        vec = {k: ((list(v.indices), list(v.values)) if hasattr(v, "indices") else list(v)) for k, v in p.vector.items()}
    return Point(str(p.id), dict(p.payload or {}), float(getattr(p, "score", 0.0) or 0.0), vec)

class Store(ABC):
    """The product's store: ledger, chunk writes and searches, enforced through access views.

    Subclasses implement the primitives (``_upsert``, ``_query`` ...); everything the product
    calls is written once here, so both engines apply the same rules and the same query plan."""

    local: bool  # embedded in this process (one process at a time) rather than a server

    def __init__(self, settings: Settings):
        self.settings = settings
        self.chunks = settings.collection
        self.ledger = f"{settings.collection}_documents"
        # None: everything (the CLI, an admin). A list: only documents without groups or sharing
        # one of these - enforced inside every query, so nothing else can reach the caller.
        self.access: list[str] | None = None

    # -- views -----------------------------------------------------------------------------------
    def restricted(self, groups: list[str] | None) -> Store:
        """The same store seen by someone in ``groups`` (None or "*" among them: everything)."""
        if groups is None or "*" in groups:
            return self
        view = self.__class__.__new__(self.__class__)
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

    def where(self, doc_type: str | None = None, doc_ids: Sequence[str] | None = None, **more: Any) -> Where:
        """This view's access rule plus a request's own conditions."""
        return Where(doc_type=doc_type or None, doc_ids=tuple(doc_ids) if doc_ids else None,
                     access=tuple(self.access) if self.access is not None else None, **more)

    # -- engine primitives -------------------------------------------------------------------------
    @abstractmethod
    def ensure(self, dimension: int) -> None:
        """Create chunks and ledger if missing; refuse a store built for another vector size."""

    @abstractmethod
    def exists(self) -> bool: ...

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def _upsert(self, points: list[tuple[str, list[float], SparseVector, dict[str, Any]]]) -> None: ...

    @abstractmethod
    def _delete(self, where: Where, doc_id: str | None = None) -> None:
        """Delete the chunks of ``doc_id`` (required) matching ``where``."""

    @abstractmethod
    def _retrieve(self, ids: Sequence[str]) -> list[Point]: ...

    @abstractmethod
    def _scroll(self, where: Where | None, fields: list[str] | bool = True, with_vectors: bool = False) -> Iterator[Point]: ...

    @abstractmethod
    def _count(self, where: Where | None) -> int: ...

    @abstractmethod
    def _query(self, queries: Sequence[VectorQuery]) -> list[list[Point]]:
        """Several rankings in one request to the engine."""

    @abstractmethod
    def tables(self) -> list[str]:
        """The tables that belong to this store's collection (``<collection>_documents``, ``_terms`` ...)."""

    @abstractmethod
    def sizes(self, names: Sequence[str]) -> dict[str, int]:
        """Points in each named collection of the engine (0 for one that does not exist)."""

    @abstractmethod
    def table(self, name: str) -> Table:
        """A table of vectorless records in this store (the ledger, key terms ...)."""

    def flush(self) -> None:  # noqa: B027 - a hook: engines that buffer override it
        """Make every write durable on disk (the end of an ingest job); a server needs nothing."""

    def optimize(self, force: bool = False) -> bool:
        """Build search indexes for what was written (the end of an ingest job); engine-specific.
        Returns whether it did anything (a server indexes on its own)."""
        return False

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- ledger (DocumentSink) ---------------------------------------------------------------------
    def documents(self) -> dict[str, DocumentRecord]:
        """The ledger as this view sees it. An embedded store is written only by this process
        (it holds the lock), so the ledger read is kept until this process writes it again:
        every question reads it (names, filters, families) and at 100k chunks a scan costs more
        than the search. Callers get copies (attributes free to reassign; lists shared)."""
        owner = self.writer
        cached = owner.__dict__.get("_ledger") if self.local else None
        if cached is None:
            cached = [DocumentRecord.from_payload(p) for p in self.table(self.ledger).all().values()]
            if self.local:
                owner._ledger = cached
        return {r.doc_id: copy.copy(r) for r in cached if self.visible(r.groups)}

    def _ledger_changed(self) -> None:
        owner = self.writer
        owner.__dict__.pop("_ledger", None)
        owner._generation = owner.__dict__.get("_generation", 0) + 1

    def generation(self) -> int | None:
        """A number that changes whenever this process writes the ledger, and so the chunks (every
        chunk write lies between two ledger writes of its document). Work derived from the store
        (names, which documents hold a word) may be kept while it stays the same. None for a
        server, which other processes write: nothing may be kept there."""
        return self.writer.__dict__.get("_generation", 0) if self.local else None

    def _put_document(self, doc: DocumentRecord) -> None:
        self._ledger_changed()
        self.table(self.ledger).put(document_point_id(doc.doc_id), doc.payload())

    def update_document(self, doc: DocumentRecord) -> None:
        """Rewrite a document's ledger entry as given (chunks untouched): the ingest job relinks
        document families over the whole ledger after each run (ingest/families.py)."""
        self._put_document(doc)

    def begin_document(self, doc: DocumentRecord) -> None:
        doc.state = "pending"
        self._put_document(doc)

    def write_chunks(self, chunks: Sequence[ChunkRecord], dense: np.ndarray, sparse: Sequence[SparseVector]) -> None:
        points = [(record.point_id, vector.tolist(), vec, record.payload()) for record, vector, vec in zip(chunks, dense, sparse)]
        for i in range(0, len(points), 256):
            self._upsert(points[i : i + 256])

    def finish_document(self, doc: DocumentRecord, had_chunks: bool = True) -> None:
        """Delete chunks of any other version of this document, then mark it complete."""
        if had_chunks:
            self._delete(Where(not_sha=doc.file_sha256), doc_id=doc.doc_id)
        doc.state = "complete"
        self._put_document(doc)

    def delete_document(self, doc_id: str) -> None:
        """Ledger says "deleting" first, so a crash half-way is finished by the next ingest."""
        ledger, key = self.table(self.ledger), document_point_id(doc_id)
        self._ledger_changed()
        if ledger.get([key]):
            ledger.update(key, {"state": "deleting"})
        self._delete(Where(), doc_id=doc_id)
        ledger.delete([key])
        self._ledger_changed()

    # -- reading -----------------------------------------------------------------------------------
    def records_with_ids(self, keys: Sequence[str]) -> list[dict[str, Any]]:
        """Every record chunk this view may see carrying one of ``keys`` (cross-record checks)."""
        if not keys or not self.exists():
            return []
        return [p.payload for p in self._scroll(self.where(ids_any=tuple(keys), records_only=True))]

    def record_claims(self) -> list[dict[str, Any]]:
        """The identifying fields of every record chunk this view may see (cross-record checks)."""
        if not self.exists():
            return []
        return [p.payload for p in self._scroll(self.where(records_only=True), RECORD_FIELDS)
                if self.visible(p.payload.get("groups"))]

    def search_ids(self, keys: Sequence[str], limit: int = 50, doc_type: str | None = None,
                   doc_ids: list[str] | None = None) -> list[Hit]:
        """Chunks carrying any of the identifier ``keys`` exactly (the ``ids`` keyword index)."""
        if not keys or not self.exists():
            return []
        hits: list[Hit] = []
        for p in self._scroll(self.where(doc_type, doc_ids, ids_any=tuple(keys))):
            hits.append(Hit(p.id, 1.0, p.payload))
            if len(hits) >= limit:
                break
        return sorted(hits, key=lambda h: h.point_id)

    def count_chunks(self, doc_id: str | None = None) -> int:
        if not self.exists():
            return 0
        return self._count(self.where(doc_ids=[doc_id] if doc_id else None))

    def all_chunks(self, with_vectors: bool = False) -> list[Hit]:
        """Every chunk point this view may see (tests, integrity checks, migration)."""
        if not self.exists():
            return []
        return [Hit(p.id, 0.0, dict(p.payload, _vector=p.vectors) if with_vectors else p.payload)
                for p in self._scroll(self.where(), True, with_vectors) if self.visible(p.payload.get("groups"))]

    def get_chunks(self, doc_id: str, indices: Sequence[int]) -> list[Hit]:
        """Chunks of one document by index (neighbour expansion); missing indices are skipped."""
        ids = [chunk_point_id(doc_id, i) for i in indices if i >= 0]
        if not ids or not self.exists():
            return []
        hits = [Hit(p.id, 0.0, p.payload) for p in self._retrieve(ids) if self.visible(p.payload.get("groups"))]
        return sorted(hits, key=lambda h: h.payload["chunk_index"])

    def search(self, queries: Sequence[tuple[str, Any, int]], doc_type: str | None = None,
               doc_ids: Sequence[str] | None = None, fields: Sequence[str] | None = None) -> list[list[Hit]]:
        """Several rankings ((DENSE|LEXICAL, vector, k) each) in one engine request, each with
        this view's access rule and the same filter inside it. An empty sparse vector ranks nothing.
        ``fields`` limits the payload returned (a probe that only needs ``doc_id`` skips the text)."""
        if not self.exists():
            return [[] for _ in queries]
        where = self.where(doc_type, doc_ids)
        keep = tuple(fields) if fields is not None else None
        asked = [(i, VectorQuery(using, list(vec) if using == DENSE else vec, k + TIE_MARGIN, where, keep))
                 for i, (using, vec, k) in enumerate(queries) if using == DENSE or vec[0]]
        out: list[list[Hit]] = [[] for _ in queries]
        for (i, _), points in zip(asked, self._query([q for _, q in asked]) if asked else []):
            out[i] = _ranked(points, queries[i][2])
        return out

    def search_dense(self, vector: np.ndarray, k: int, doc_type: str | None = None,
                     doc_ids: list[str] | None = None) -> list[Hit]:
        return self.search([(DENSE, np.asarray(vector, dtype=np.float32).tolist(), k)], doc_type, doc_ids)[0]

    def search_lexical(self, sparse: SparseVector, k: int, doc_type: str | None = None,
                       doc_ids: list[str] | None = None) -> list[Hit]:
        return self.search([(LEXICAL, sparse, k)], doc_type, doc_ids)[0]


class Table(ABC):
    """Vectorless records keyed by point id (the ledger, stored key terms), in the store's engine."""

    @abstractmethod
    def exists(self) -> bool: ...

    @abstractmethod
    def get(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Payloads of the records that exist among ``ids``, by id."""

    @abstractmethod
    def all(self) -> dict[str, dict[str, Any]]: ...

    @abstractmethod
    def put(self, id: str, payload: dict[str, Any]) -> None: ...

    def put_many(self, rows: dict[str, dict[str, Any]]) -> None:
        """Write many records (a store copy); engines send them in batches."""
        for id, payload in rows.items():
            self.put(id, payload)

    @abstractmethod
    def update(self, id: str, patch: dict[str, Any]) -> None:
        """Set some keys of an existing record's payload."""

    @abstractmethod
    def delete(self, ids: Sequence[str]) -> None: ...


def _ranked(points: Sequence[Point], k: int) -> list[Hit]:
    """Top ``k`` by score, ties broken by point id. Engines return equal scores in storage order,
    which changes when a store is reopened (records of one catalog often tie)."""
    ordered = sorted(points, key=lambda p: (-round(float(p.score), 6), p.id))[:k]
    return [Hit(p.id, float(p.score), p.payload) for p in ordered]
