"""Copy a store onto a Qdrant server or cluster, point by point: vectors and payloads as they are,
nothing re-embedded, nothing re-read.

Why not re-ingest: a re-ingest needs the original files at their original paths and reads them
again (OCR of scans included); a copy needs only the store. The target's collections are created
by the target's own ``ensure`` (its shards, replicas, quantisation and payload indexes from its
settings), so copying is also how a store moves to a cluster with another layout.

It is safe to run again: every point keeps its id, so an interrupted copy is finished by the same
command with ``resume`` (points already there are overwritten with the same content). A target
that already holds data is refused without it: a copy never mixes two stores by accident. The
copy ends by counting both sides; a difference is an error, never a silent partial copy.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import islice

from assistant.search.store import DENSE, LEXICAL, Store, StoreError

BATCH = 256


@dataclass
class CopyReport:
    """What was copied: points per collection, and how long it took."""

    points: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.points.values())


def copy_store(source: Store, target: Store, *, resume: bool = False,
               progress: Callable[[int, int], None] | None = None) -> CopyReport:
    """Copy every collection of ``source`` (chunks with their vectors, the ledger, key terms) into
    ``target``. ``progress(done, total)`` is called after each batch of chunks."""
    source, target = source.writer, target.writer  # the whole store: a copy is an administrator's job
    if not source.exists():
        raise StoreError("the store to copy from has no collections yet: nothing to copy")
    tables = [source.ledger, *[t for t in source.tables() if t != source.ledger]]
    if not resume:
        held = [f"'{n}' ({c:,} points)" for n, c in target.sizes([target.chunks, *_renamed(tables, source, target)]).items() if c]
        if held:
            raise StoreError(f"the target already holds {', '.join(held)}; to finish a copy that was cut short run it "
                             "again with --resume, else copy into another collection (--collection)")
    started = time.monotonic()
    report = CopyReport()
    total = source._count(None)
    first = next(iter(source._scroll(None, ["doc_id"], with_vectors=True)), None)
    if first is None or not first.vectors:
        raise StoreError("the store to copy from holds no chunks yet: nothing to copy")
    target.ensure(len(first.vectors[DENSE]))
    done, points = 0, source._scroll(None, True, with_vectors=True)
    while batch := [(p.id, p.vectors[DENSE], tuple(p.vectors.get(LEXICAL) or ([], [])), p.payload) for p in islice(points, BATCH)]:
        target._upsert(batch)
        done += len(batch)
        if progress:
            progress(done, total)
    target.flush()
    report.points[target.chunks] = done
    for name, new_name in zip(tables, _renamed(tables, source, target)):
        rows = source.table(name).all()
        target.table(new_name).put_many(rows)
        report.points[new_name] = len(rows)
    target.flush()
    _verify(source, target, report)
    report.seconds = time.monotonic() - started
    return report


def _renamed(tables: list[str], source: Store, target: Store) -> list[str]:
    """A table's name in the target: the same suffix after the target's collection name."""
    return [target.chunks + t[len(source.chunks):] for t in tables]


def _verify(source: Store, target: Store, report: CopyReport) -> None:
    """Both sides counted: the chunks the source holds now, and the ledger and terms rows it gave
    the copy, against what the target holds. A difference is reported, never left for later."""
    expected = dict(report.points, **{target.chunks: source._count(None)})
    held = target.sizes(list(expected))
    wrong = [f"'{name}' has {held[name]:,} points, the source {n:,}" for name, n in expected.items() if held[name] != n]
    if wrong:
        raise StoreError("the copy is incomplete: " + "; ".join(wrong) + " (run it again with --resume)")


def target_store(settings, url: str, collection: str | None = None, api_key: str | None = None) -> Store:
    """The Qdrant server (or cluster) at ``url`` as a store, with this installation's other
    settings (shards, replicas, quantisation of the collections it creates)."""
    from pydantic import SecretStr

    from assistant.search.engines.server import ServerStore

    update = {"qdrant_url": url, "qdrant_api_key": SecretStr(api_key) if api_key else None}
    if collection:
        update["collection"] = collection
    return ServerStore(settings.model_copy(update=update))
