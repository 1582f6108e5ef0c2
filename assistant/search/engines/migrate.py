"""Upgrade: an earlier version's embedded store (qdrant-client local mode, ``DATA_DIR/qdrant``)
moved into Qdrant Edge shards (``DATA_DIR/edge``), vectors and all: nothing is re-embedded.

:func:`assistant.search.engines.open_store` runs it when :class:`EdgeStore` finds the old folder.
"""

from __future__ import annotations

import logging
import shutil
import time
import uuid
from typing import Any

import qdrant_edge as qe

from assistant.search.engines.edge import NO_VECTOR, EdgeStore
from assistant.search.engines.server import local_client
from assistant.search.store import DENSE, INDEXED_FIELDS, LEXICAL, StoreError
from assistant.settings import Settings

log = logging.getLogger("assistant.search.engines.edge")


def migrate_local_mode(settings: Settings, store: EdgeStore) -> bool:
    """Copy every collection of an earlier version's embedded store into Edge shards, vectors
    included (nothing is re-embedded), then keep the old folder aside as ``qdrant.migrated``.
    Returns whether there was anything to move. A crash half-way leaves the old folder in place
    and no metadata file, so the next open starts the move again from scratch."""
    old = settings.qdrant_path
    shards = store._shards
    if not (old / "collection").is_dir():
        shards.write_meta()
        return False
    started = time.monotonic()
    try:
        client = local_client(str(old))
    except RuntimeError as exc:
        raise StoreError(f"cannot read the earlier store at {old} to move it: {exc}") from None
    moved: dict[str, int] = {}
    try:
        names = [c.name for c in client.get_collections().collections]
        for name in names:
            if shards.exists(name):  # a half-finished earlier move: start that collection again
                shard = shards.open.pop(name, None)
                if shard is not None:
                    shard.close()
                shutil.rmtree(shards.root / name)
            info = client.get_collection(name).config.params
            dense = info.vectors if isinstance(info.vectors, dict) else {}
            if dense:
                size = dense[DENSE].size
                config = qe.EdgeConfig(
                    vectors={DENSE: qe.EdgeVectorParams(size=size, distance=qe.Distance.Cosine)},
                    sparse_vectors={LEXICAL: qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf)},
                )
                shard = shards.create(name, config, INDEXED_FIELDS)
                shards.write_meta(dimension=size)
            else:
                shard = shards.create(name, qe.EdgeConfig(sparse_vectors={NO_VECTOR: qe.EdgeSparseVectorParams()}), ["doc_id"])
            offset, count = None, 0
            while True:
                points, offset = client.scroll(name, limit=512, offset=offset, with_payload=True, with_vectors=bool(dense))
                batch = []
                for p in points:
                    vector: dict[str, Any] = {}
                    if dense and isinstance(p.vector, dict):
                        for key, v in p.vector.items():
                            vector[key] = qe.SparseVector(indices=list(v.indices), values=list(v.values)) \
                                if hasattr(v, "indices") else list(v)
                    batch.append(qe.Point(id=str(uuid.UUID(str(p.id))) if _is_uuid(p.id) else p.id, vector=vector,
                                          payload=dict(p.payload or {})))
                if batch:
                    shard.update(qe.UpdateOperation.upsert_points(batch))
                    count += len(batch)
                if offset is None:
                    break
            shard.flush()
            moved[name] = count
    finally:
        client.close()
    shards.write_meta(migrated_from=str(old), migrated_at=time.strftime("%Y-%m-%dT%H:%M:%S"))
    target = old.with_name(old.name + ".migrated")
    if target.exists():
        shutil.rmtree(target)
    old.rename(target)
    log.warning("moved the embedded store to Qdrant Edge (%s) in %.1f s: %s; nothing re-embedded; the old folder is kept at %s",
                shards.root, time.monotonic() - started,
                ", ".join(f"{n} {c:,} points" for n, c in moved.items()) or "empty", target)
    return True


def _is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(str(value))
        return True
    except ValueError:
        return False
