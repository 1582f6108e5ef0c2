"""The embedded store: Qdrant Edge, Qdrant's own engine inside this process.

Each collection is an Edge shard under ``DATA_DIR/edge/``: Rust segments with a write-ahead log
(a write survives a crash once ``update`` returns; reopening replays the log), HNSW for dense
vectors once a segment is optimised (``optimize`` at the end of an ingest job; until then new
points are scanned exactly), Qdrant's sparse index with the IDF modifier for the lexical
vectors, and keyword payload indexes for every field a filter or access rule reads. One search
is one ``query_batch`` request holding its dense and lexical rankings, each with the access
filter inside it.

A data directory written by an earlier version (qdrant-client's local mode under
``DATA_DIR/qdrant``) is moved here on first open, vectors and all: nothing is re-embedded.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import re
import shutil
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import qdrant_edge as qe
from filelock import FileLock, Timeout

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
    is_unwritable,
    not_writable,
)
from assistant.settings import Settings
from ingest.model import SparseVector

log = logging.getLogger(__name__)

FORMAT = 1
HNSW_EF = 128  # search breadth of HNSW: recall@10 0.94 at 100k chunks with the default, higher with this
META = "store.json"
NO_VECTOR = "none"  # tables hold no vectors, but an Edge shard needs one vector name


def to_filter(where: Where | None, doc_id: str | None = None) -> qe.Filter | None:
    """The engine-neutral ``Where`` as a Qdrant Edge filter (the same conditions as the server's)."""
    if where is None and doc_id is None:
        return None
    where = where or Where()
    must: list[Any] = []
    must_not: list[Any] = []
    if doc_id:
        must.append(qe.FieldCondition(key="doc_id", match=qe.MatchValue(doc_id)))
    if where.doc_type:
        must.append(qe.FieldCondition(key="doc_type", match=qe.MatchValue(where.doc_type)))
    if where.doc_ids:
        must.append(qe.FieldCondition(key="doc_id", match=qe.MatchAny(any=list(where.doc_ids))))
    if where.ids_any:
        must.append(qe.FieldCondition(key="ids", match=qe.MatchAny(any=list(where.ids_any))))
    if where.records_only:
        must_not.append(qe.IsEmptyCondition(key="record_kind"))
    if where.not_sha:
        must_not.append(qe.FieldCondition(key="file_sha256", match=qe.MatchValue(where.not_sha)))
    if where.access is not None:
        allowed: list[Any] = [qe.IsEmptyCondition(key="groups")]
        if where.access:
            allowed.append(qe.FieldCondition(key="groups", match=qe.MatchAny(any=list(where.access))))
        must.append(qe.Filter(should=allowed))
    if not must and not must_not:
        return None
    return qe.Filter(must=must or None, must_not=must_not or None)



class _Shards:
    """The shards of one data directory, opened once per process and guarded by one lock file
    (the engine's own write-ahead-log lock says only "WouldBlock")."""

    def __init__(self, root: Path, min_free: int = 32 * 2**20):
        self.root = root
        self.min_free = min_free
        self.lock = threading.RLock()
        self.open: dict[str, qe.EdgeShard] = {}
        try:
            root.mkdir(parents=True, exist_ok=True)
            # One process per embedded store: an OS file lock (filelock, on flock), released
            # with the process however it ends.
            self._lockfile = FileLock(root / ".lock", timeout=0, thread_local=False, fallback_to_soft=False,
                                      preserve_lock_file=True)
            self._lockfile.acquire()
        except Timeout:  # before OSError: filelock's Timeout is a TimeoutError
            raise StoreError(
                f"the embedded store at {root} is in use by another rights process (an ingest or the chat); "
                "wait for it to finish, or use a Qdrant server (QDRANT_URL) for concurrent access"
            ) from None
        except OSError as exc:
            if is_unwritable(exc):
                raise not_writable(root.parent, exc) from None
            raise

    def room(self, extra: int = 0) -> None:
        """Refuse a write when the disk is nearly full. The engine's files are memory-mapped and
        sparse: a write into a page the full disk cannot back is a SIGBUS that kills the process
        without a word. Checked before every write, so the refusal is the disk guard's one clear
        error and everything written before stays."""
        try:
            free = shutil.disk_usage(self.root).free
        except OSError:
            return
        if free < self.min_free + extra:
            raise OSError(errno.ENOSPC, f"No space left on device: {free / 2**20:.1f} MB free where the embedded "
                          f"store keeps {(self.min_free + extra) / 2**20:.0f} MB in reserve (setting store_min_free_mb)",
                          str(self.root))

    def meta(self) -> dict[str, Any]:
        try:
            return json.loads((self.root / META).read_text())
        except (OSError, ValueError):
            return {}

    def write_meta(self, **values: Any) -> None:
        meta = self.meta() | values | {"engine": "qdrant-edge", "format": FORMAT}
        tmp = self.root / f"{META}.tmp"
        tmp.write_text(json.dumps(meta, indent=1))
        os.replace(tmp, self.root / META)

    def exists(self, name: str) -> bool:
        return name in self.open or (self.root / name / "wal").exists() or (self.root / name / "segments").exists()

    def get(self, name: str) -> qe.EdgeShard | None:
        if name not in self.open and self.exists(name):
            try:
                self.open[name] = _call(qe.EdgeShard.load, str(self.root / name))
            except Exception as exc:  # noqa: BLE001
                if "no segments were loaded" not in str(exc):
                    raise
                # a creation cut short (disk full, killed): nothing was ever stored in it
                log.warning("removing the unfinished collection %s (it holds no data)", name)
                shutil.rmtree(self.root / name)
        return self.open.get(name)

    def create(self, name: str, config: qe.EdgeConfig, indexed: Sequence[str] = ()) -> qe.EdgeShard:
        self.room()
        shard = _call(qe.EdgeShard.create, str(self.root / name), config)
        for field_name in indexed:
            shard.update(qe.UpdateOperation.create_field_index(field_name, qe.PayloadSchemaType.Keyword))
        self.open[name] = shard
        return shard

    def close(self) -> None:
        with self.lock:
            for shard in self.open.values():
                try:
                    shard.flush()
                    shard.close()
                except Exception:  # noqa: BLE001 - closing must not hide the error that led here
                    pass
            self.open.clear()
            try:
                self._lockfile.release()
            except (OSError, ValueError):
                pass


_OS_ERROR = re.compile(r"Os \{ code: (\d+)")


def _call(fn: Any, *args: Any) -> Any:
    """Run an engine call, turning its errors into the store's plain ones."""
    try:
        return fn(*args)
    except StoreError:
        raise
    except Exception as exc:  # noqa: BLE001 - qdrant_edge raises its own exception types
        code = _OS_ERROR.search(str(exc))
        if code:  # the engine's own report of an OS error: let the disk guard read it as one
            raise OSError(int(code.group(1)), f"{os.strerror(int(code.group(1)))} (Qdrant Edge: {exc})") from None
        if is_disk_full(exc):
            raise OSError(errno.ENOSPC, f"No space left on device (Qdrant Edge: {exc})") from None
        if "WouldBlock" in str(exc):
            raise StoreError("the embedded store is in use by another rights process; wait for it to finish, "
                             "or use a Qdrant server (QDRANT_URL) for concurrent access") from None
        if "Permission denied" in str(exc) or "Read-only file system" in str(exc):
            raise StoreError(f"the embedded store cannot be written ({exc}); fix the data folder's permissions") from None
        raise


def dense_params(settings: Settings, dimension: int) -> qe.EdgeVectorParams:
    """The chunk vectors' storage: in RAM (the default), or memory-mapped from disk, and with an
    int8 copy searched first when ``store_quantization`` asks for it (settings)."""
    quantization = None
    if settings.store_quantization == "int8":
        quantization = qe.ScalarQuantizationConfig(type=qe.ScalarType.Int8, quantile=QUANTILE, always_ram=True)
    return qe.EdgeVectorParams(size=dimension, distance=qe.Distance.Cosine, on_disk=settings.store_vectors_on_disk or None,
                               quantization_config=quantization)


class EdgeStore(Store):
    local = True

    def __init__(self, settings: Settings):
        super().__init__(settings)
        self.path = settings.edge_path
        fresh = not self.path.exists()
        self._shards = _Shards(self.path, settings.store_min_free_mb * 2**20)
        self._tables: dict[str, EdgeTable] = {}
        rescore = qe.QuantizationSearchParams(rescore=True, oversampling=OVERSAMPLING) if settings.store_quantization == "int8" else None
        self._dense_search = qe.SearchParams(hnsw_ef=HNSW_EF, quantization=rescore)
        # An earlier version's store waits to be moved (engines.migrate, called by open_store).
        unstamped = fresh or not self._shards.meta()
        self.pending_move = unstamped and (settings.qdrant_path / "collection").is_dir()
        if unstamped and not self.pending_move:
            self._shards.write_meta()

    # -- lifecycle ---------------------------------------------------------------------------------
    def ensure(self, dimension: int) -> None:
        with self._shards.lock:
            if self._shards.get(self.chunks) is None:
                config = qe.EdgeConfig(
                    vectors={DENSE: dense_params(self.settings, dimension)},
                    sparse_vectors={LEXICAL: qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf)},
                )
                self._shards.create(self.chunks, config, INDEXED_FIELDS)
                self._shards.write_meta(dimension=dimension)
            else:
                size = self._shards.meta().get("dimension")
                if size is not None and size != dimension:
                    raise StoreError(
                        f"collection '{self.chunks}' holds {size}-dimensional vectors but the embedding "
                        f"model makes {dimension}; use another collection (RIGHTS_COLLECTION) or re-ingest"
                    )
            self.table(self.ledger).ensure()

    def exists(self) -> bool:
        return self._shards.exists(self.chunks) and self._shards.exists(self.ledger)

    def close(self) -> None:
        if getattr(self, "_owner", None) is not None:
            return  # a view: the owner closes the shards
        self._shards.close()

    def flush(self) -> None:
        with self._shards.lock:
            for shard in self._shards.open.values():
                _call(shard.flush)

    def optimize(self, force: bool = False) -> bool:
        """Merge small segments and build HNSW over them once ``store_index_every`` points changed
        since the last time (or ``force``): searches after a large ingest stay fast. Blocks the
        process while it runs (minutes at 100k points on 2 cores); never called by the chat."""
        with self._shards.lock:
            shard = self._shards.get(self.chunks)
            if shard is None:
                return False
            points = shard.info().points_count
            last = int(self._shards.meta().get("indexed_points", 0))
            if not force and abs(points - last) < max(1, self.settings.store_index_every):
                return False
            try:  # merging segments rewrites them: room for a second copy
                self._shards.room(self.disk_bytes())
            except OSError as exc:
                log.warning("search index not built (searches stay exact, slower at scale): %s", exc.strerror)
                return False
            started = time.monotonic()
            _call(shard.optimize)
            self._shards.write_meta(indexed_points=points)
            log.info("search index built over %s points in %.1f s", f"{points:,}", time.monotonic() - started)
            return True

    def _chunks(self) -> qe.EdgeShard | None:
        return self._shards.get(self.chunks)

    # -- primitives ----------------------------------------------------------------------------------
    def _upsert(self, points: list[tuple[str, list[float], SparseVector, dict[str, Any]]]) -> None:
        batch = [qe.Point(id=pid, vector={DENSE: dense, LEXICAL: qe.SparseVector(indices=list(s[0]), values=list(s[1]))},
                          payload=payload) for pid, dense, s, payload in points]
        with self._shards.lock:
            shard = self._chunks()
            if shard is None:
                raise StoreError("the store has no chunk collection yet: run an ingest first")
            self._shards.room()
            _call(shard.update, qe.UpdateOperation.upsert_points(batch))

    def _delete(self, where: Where, doc_id: str | None = None) -> None:
        assert doc_id, "chunk deletes are per document"
        with self._shards.lock:
            shard = self._chunks()
            if shard is not None:
                self._shards.room()
                _call(shard.update, qe.UpdateOperation.delete_points_by_filter(to_filter(where, doc_id)))

    def _retrieve(self, ids: Sequence[str]) -> list[Point]:
        with self._shards.lock:
            shard = self._chunks()
            return [] if shard is None else [engine_point(p) for p in shard.retrieve(list(ids), True, False)]

    def _scroll(self, where: Where | None, fields: list[str] | bool = True, with_vectors: bool = False) -> Iterator[Point]:
        flt = to_filter(where)
        offset = None
        while True:
            with self._shards.lock:
                shard = self._chunks()
                if shard is None:
                    return
                points, offset = shard.scroll(qe.ScrollRequest(offset=offset, limit=1000, filter=flt,
                                                               with_payload=fields, with_vector=with_vectors))
            yield from (engine_point(p, with_vectors) for p in points)
            if offset is None:
                return

    def _count(self, where: Where | None) -> int:
        with self._shards.lock:
            shard = self._chunks()
            return 0 if shard is None else shard.count(qe.CountRequest(filter=to_filter(where), exact=True))

    def _query(self, queries: Sequence[VectorQuery]) -> list[list[Point]]:
        requests = []
        for q in queries:
            vector = q.vector if q.using == DENSE else qe.SparseVector(indices=list(q.vector[0]), values=list(q.vector[1]))
            requests.append(qe.QueryRequest(limit=q.limit, query=qe.Query.Nearest(vector, using=q.using),
                                            filter=to_filter(q.where),
                                            with_payload=list(q.fields) if q.fields is not None else True,
                                            params=self._dense_search if q.using == DENSE else None))
        with self._shards.lock:
            shard = self._chunks()
            if shard is None:
                return [[] for _ in queries]
            results = shard.query_batch(qe.QueryBatchRequest(requests))
        return [[engine_point(p) for p in ranking] for ranking in results]

    def table(self, name: str) -> EdgeTable:
        if name not in self._tables:
            self._tables[name] = EdgeTable(self._shards, name)
        return self._tables[name]

    def tables(self) -> list[str]:
        prefix = self.chunks + "_"
        return sorted(p.name for p in self.path.iterdir() if p.is_dir() and p.name.startswith(prefix) and self._shards.exists(p.name))

    def sizes(self, names: Sequence[str]) -> dict[str, int]:
        with self._shards.lock:
            return {n: (shard.info().points_count if (shard := self._shards.get(n)) is not None else 0) for n in names}

    # -- size ----------------------------------------------------------------------------------------
    def disk_bytes(self) -> int:
        """Bytes allocated on disk (the engine's files are sparse: their sizes overstate it)."""
        return sum(f.stat().st_blocks * 512 for f in self.path.rglob("*") if f.is_file())


class EdgeTable(Table):
    """Vectorless records in their own shard (a sparse vector name no point uses)."""

    def __init__(self, shards: _Shards, name: str):
        self.shards, self.name = shards, name

    def exists(self) -> bool:
        return self.shards.exists(self.name)

    def ensure(self) -> qe.EdgeShard:
        with self.shards.lock:
            shard = self.shards.get(self.name)
            if shard is None:
                shard = self.shards.create(self.name, qe.EdgeConfig(sparse_vectors={NO_VECTOR: qe.EdgeSparseVectorParams()}),
                                           ["doc_id"])
            return shard

    def get(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        with self.shards.lock:
            shard = self.shards.get(self.name)
            if shard is None or not ids:
                return {}
            return {str(p.id): dict(p.payload or {}) for p in shard.retrieve(list(ids), True, False)}

    def all(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        offset = None
        while True:
            with self.shards.lock:
                shard = self.shards.get(self.name)
                if shard is None:
                    return out
                points, offset = shard.scroll(qe.ScrollRequest(offset=offset, limit=1000, with_payload=True, with_vector=False))
            out.update((str(p.id), dict(p.payload or {})) for p in points)
            if offset is None:
                return out

    def put(self, id: str, payload: dict[str, Any]) -> None:
        with self.shards.lock:
            self.shards.room()
            _call(self.ensure().update, qe.UpdateOperation.upsert_points([qe.Point(id=id, vector={}, payload=payload)]))

    def put_many(self, rows: dict[str, dict[str, Any]]) -> None:
        items = list(rows.items())
        for i in range(0, len(items), 512):
            batch = [qe.Point(id=id, vector={}, payload=payload) for id, payload in items[i:i + 512]]
            with self.shards.lock:
                shard = self.ensure()
                self.shards.room()
                _call(shard.update, qe.UpdateOperation.upsert_points(batch))

    def update(self, id: str, patch: dict[str, Any]) -> None:
        with self.shards.lock:
            self.shards.room()
            _call(self.ensure().update, qe.UpdateOperation.set_payload([id], patch))

    def delete(self, ids: Sequence[str]) -> None:
        with self.shards.lock:
            shard = self.shards.get(self.name)
            if shard is not None and ids:
                self.shards.room()
                _call(shard.update, qe.UpdateOperation.delete_points(list(ids)))
