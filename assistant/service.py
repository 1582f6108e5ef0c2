"""The application layer: what the CLI (and later the chat) calls, built from one Settings.

It owns the store and the embedding model, opened lazily so that cheap commands
(``sources``, ``forget``) never load the model.
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Literal

from filelock import FileLock, Timeout

from assistant.contracts.consolidated.apply import ChangeDocument, Consolidated, consolidate, restricted_targets
from assistant.contracts.consolidated.redline import passage_notes
from assistant.contracts.family import FamilyTerms, terms_of
from assistant.contracts.register import Deadline, Row, deadlines, register_rows
from assistant.contracts.storage import refresh_terms, stored_terms
from assistant.search import lexical
from assistant.search.embedding import ChunkEncoder, Embedder, EmbedderProtocol
from assistant.search.engines import open_store
from assistant.search.retrieval import Retriever, fuse
from assistant.search.store import Hit, Store, StoreError, is_disk_full, is_unwritable, not_writable
from assistant.settings import Settings
from ingest import families as doc_families
from ingest.errors import UserError
from ingest.model import DocumentRecord
from ingest.pipeline import IngestReport, ProgressListener, doc_id_for, document_text, ingest, relink_families
from ingest.validation import claims_of_payload, duplicates

SearchMode = Literal["dense", "lexical", "hybrid"]


_OPENING = threading.Lock()


_log = logging.getLogger(__name__)


class IngestBusy(StoreError):
    pass


class DiskFull(StoreError):
    pass


@contextmanager
def disk_guard(data_dir: Path, on_full=None) -> Iterator[None]:
    """Turn a full disk into one clear error. The ledger keeps the store consistent: documents
    caught half-written stay "pending" and the next run finishes them."""
    try:
        yield
    except (OSError, sqlite3.OperationalError) as exc:
        unwritable = is_unwritable(exc, data_dir)  # permissions, read-only: as plain, as final
        if not unwritable and not is_disk_full(exc):
            raise
        if on_full is not None:
            on_full()
        if unwritable:
            raise not_writable(data_dir, exc) from None
        try:
            free = f"{shutil.disk_usage(data_dir).free / 2**20:.1f} MB free"
        except OSError:
            free = "free space unknown"
        full = "full" in str(exc).lower() or getattr(exc, "errno", None) == errno.ENOSPC
        what = "is full" if full else "cannot be written (full, over a quota or file-size limit, or failing)"
        raise DiskFull(
            f"the disk holding {data_dir} {what} ({free}; {exc}). Nothing ingested before was lost: "
            "free some space and run the same command again - it finishes what this run started"
        ) from None


@contextmanager
def ingest_lock(data_dir: Path) -> Iterator[None]:
    """One ingest at a time per data directory; a second one refuses at once, naming the first's
    pid. An OS file lock (filelock, on flock): a killed ingest releases it with its process."""
    lock = FileLock(data_dir / "ingest.lock", timeout=0, thread_local=False, fallback_to_soft=False, preserve_lock_file=True)
    holder_file = data_dir / "ingest.pid"
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        lock.acquire()
    except Timeout:  # before OSError: filelock's Timeout is a TimeoutError
        try:
            holder = holder_file.read_text().strip()
        except OSError:
            holder = ""
        raise IngestBusy(f"another ingest is running (pid {holder or 'unknown'}); wait for it to finish") from None
    except OSError as exc:
        if is_unwritable(exc):
            raise not_writable(data_dir, exc) from None
        raise
    try:
        holder_file.write_text(str(os.getpid()))
        yield
    finally:
        lock.release()


class RightsService:
    def __init__(self, settings: Settings, embedder: EmbedderProtocol | None = None):
        """``embedder`` may be shared between services (tests, eval) to load the model once."""
        self.settings = settings
        self._store: Store | None = None
        self._embedder = embedder
        self._owns_embedder = embedder is None

    @property
    def store(self) -> Store:
        if self._store is None:
            with _OPENING:  # the chat's page load asks from several threads at once: open it once
                if self._store is None:
                    self._store = open_store(self.settings)
        return self._store

    @property
    def embedder(self) -> EmbedderProtocol:
        if self._embedder is None:
            try:
                self._embedder = Embedder(self.settings.embedding, self.settings.cache_dir / "embeddings.sqlite")
            except (OSError, sqlite3.Error) as exc:  # the vector cache's folder or database
                if is_unwritable(exc, self.settings.data_dir):
                    raise not_writable(self.settings.data_dir, exc) from None
                raise
        return self._embedder

    def restricted(self, groups: list[str] | None) -> RightsService:
        """This service as seen by a user in ``groups``: every store query filters by access
        groups (None or "*": everything). Shares the store client and the embedding model."""
        store = self.store.restricted(groups)
        if store is self.store:
            return self
        # one view per set of groups, kept while the store is: its retriever's name cache and its
        # consolidations then serve every request of those users, not only the one that built them
        views = self.__dict__.setdefault("_views", {})
        key = tuple(store.access)
        view = views.get(key)
        # rebuilt when its store is no longer a view of this one (reopened after a failed write)
        if view is None or getattr(view.__dict__.get("_store"), "_owner", None) is not self.store:
            view = RightsService(self.settings, embedder=self.embedder)
            view._store = store
            view._chat_owner = self  # one chat model per process, whoever asks
            views[key] = view
        return view

    # -- answering ---------------------------------------------------------------------------------
    @property
    def chat(self):
        """The chat model (Ollama or the embedded GGUF), opened on first use and shared by every
        restricted view of this service."""
        owner = self.__dict__.get("_chat_owner") or self
        if owner.__dict__.get("_chat") is None:
            from assistant.llm.factory import open_chat_model

            owner._chat = open_chat_model(self.settings)
        return owner._chat

    @chat.setter
    def chat(self, model) -> None:
        (self.__dict__.get("_chat_owner") or self)._chat = model

    def answer_stream(self, question: str, *, user: str, channel: str, doc_refs: Sequence[str] = (),
                      doc_ids: list[str] | None = None, doc_type: str | None = None, party: str | None = None,
                      date_from: str | None = None, date_to: str | None = None, audit_filters: dict | None = None):
        """The one answering path (``rights ask``, ``rights demo`` and the chat render it): document
        references resolved, filters and this view's access groups applied, the answer streamed as
        events (answering.Event) and exactly one audit line written however the stream ends.

        ``doc_refs`` (ids, paths, file names or titles) add to ``doc_ids``; one that matches
        nothing raises FileNotFoundError before anything is retrieved."""
        from assistant.answer.answering import Answerer, audited

        if doc_refs:
            doc_ids = list(doc_ids or [])
            for ref in doc_refs:
                found = self.find_documents(ref)
                if not found:
                    raise FileNotFoundError(f"no ingested document matches {ref!r} (see `rights sources`)")
                doc_ids += [d.doc_id for d in found]
        filters = audit_filters if audit_filters is not None else {
            "doc_type": doc_type, "party": party, "date_from": date_from, "date_to": date_to, "doc_ids": doc_ids}
        events = Answerer(self).stream(question, doc_type=doc_type, doc_ids=doc_ids, party=party, date_from=date_from, date_to=date_to)
        return audited(events, self.settings.audit_path, user, question, filters, channel)

    def ask(self, question: str, *, user: str, channel: str, **kwargs):
        """``answer_stream`` run to its end: the final, checked Answer."""
        from assistant.answer.answering import FinalEvent

        final = None
        events = self.answer_stream(question, user=user, channel=channel, **kwargs)
        try:
            for event in events:
                if isinstance(event, FinalEvent):
                    final = event.answer
        finally:
            events.close()
        return final

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
        if self._embedder is not None and self._owns_embedder:
            self._embedder.close()

    def __enter__(self) -> RightsService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- ingestion -------------------------------------------------------------------------------
    def _reopen_store(self) -> None:
        """Drop the embedded client's in-memory state after a failed write: reopen from disk."""
        if self._store is not None and self._store.local:
            self._store.close()
            self._store = None

    def ingest(self, paths: Sequence[Path], *, prune: bool = False, listener: ProgressListener | None = None,
               index: bool = True) -> IngestReport:
        """Run the ingest job. Its report names other documents (duplicate identifiers) only
        where this view may see them: an upload's report is its uploader's view. ``index``: let
        the engine build its search index over what was written when enough is new (a batch job;
        the chat's uploads skip it, since the embedded engine blocks the process while indexing)."""
        with disk_guard(self.settings.data_dir, self._reopen_store), ingest_lock(self.settings.data_dir):
            self.store.ensure(self.embedder.dimension)
            report = ingest(
                paths, self.store.writer, ChunkEncoder(self.embedder), self.settings.chunking, prune=prune, listener=listener,
                max_file_bytes=self.settings.ingest_max_file_mb * 2**20, max_records=self.settings.ingest_max_records,
                follow_external_links=self.settings.ingest_follow_external_links, visible=self.store.visible,
                ocr=self.settings.ocr,
            )
            refresh_terms(self.store)  # key terms of new and changed contracts (assistant/contracts/register.py)
            self.store.writer.flush()
            if index:
                self.store.writer.optimize()  # HNSW and merged segments once enough is new (settings)
            for r in report.results:
                if r.status == "failed":
                    _log.warning("ingest: %s failed: %s", r.path, r.reason)
            _log.info("ingest: %s", ", ".join(f"{n} {status}" for status, n in sorted(report.counts.items())) or "nothing to do")
            return report

    def duplicate_warnings(self, payloads: Sequence[dict]) -> list[list[str]]:
        """Per record payload: duplicate-identifier warnings against the records this view may
        see (computed when shown, never stored: see ingest/validation.py)."""
        claims = [claims_of_payload(p) for p in payloads]
        keys = sorted({c.key for cs in claims for c in cs})
        if not keys or not self.store.exists():
            return [[] for _ in payloads]
        found = duplicates([c for cs in claims for c in cs],
                           [c for p in self.store.records_with_ids(keys) for c in claims_of_payload(p)])
        return [[found[c] for c in cs if c in found] for cs in claims]

    def document_duplicate_warnings(self) -> dict[str, list[str]]:
        """Duplicate-identifier warnings of every record document this view may see, by document."""
        claims = [c for p in self.store.record_claims() for c in claims_of_payload(p)]
        out: dict[str, list[str]] = {}
        for claim, warning in duplicates(claims, claims).items():
            location = claim.where.split(" ", 1)[1] if " " in claim.where else ""
            out.setdefault(claim.doc_id, []).append(f"{location}: {warning}" if location else warning)
        return out

    def sources(self) -> list[DocumentRecord]:
        return sorted(self.store.documents().values(), key=lambda d: d.file_path)

    def find_documents(self, ref: str) -> list[DocumentRecord]:
        """Documents named by doc id, path, file name or title (exact, then case-insensitive)."""
        docs = self.store.documents()
        if ref in docs:
            return [docs[ref]]
        path = Path(ref)
        if path.exists() and doc_id_for(path) in docs:
            return [docs[doc_id_for(path)]]
        for key in ("file_path", "file_name", "title"):
            found = [d for d in docs.values() if getattr(d, key) == ref]
            if found:
                return found
        low = ref.lower()
        return [d for d in docs.values() if low in (d.file_name.lower(), d.title.lower(), Path(d.file_name).stem.lower())]

    def forget(self, doc: DocumentRecord) -> None:
        with disk_guard(self.settings.data_dir, self._reopen_store), ingest_lock(self.settings.data_dir):
            self.store.delete_document(doc.doc_id)
            relink_families(self.store.writer)  # its amendments, notices ... lose their link (and say so)
            refresh_terms(self.store)  # its key terms go too

    # -- document families -----------------------------------------------------------------------
    def family(self, doc_id: str) -> list[DocumentRecord]:
        """The contract family holding ``doc_id`` (an agreement, or any document that changes it):
        the root agreement and its amendments, side letters, option exercises, notices and
        assignments, in date order (agreement date / the modifier's own date, then the order they
        were ingested). Only documents this view may see: a member outside the viewer's access
        groups is never listed (nor named as the parent). [] when ``doc_id`` is not visible."""
        return doc_families.family_members(self.store.documents().values(), doc_id)

    def families(self) -> dict[str, list[DocumentRecord]]:
        """Every contract family this view may see, by root agreement id, members in date order
        (an unlinked modifier is a family of its own)."""
        return doc_families.families(self.store.documents().values())

    # -- retrieval ---------------------------------------------------------------------------------
    @property
    def retriever(self) -> Retriever:
        """One long-lived retriever per store view: its per-ledger name cache then hits across
        questions instead of rescanning the ledger for each (it re-reads when the ledger changes)."""
        cached = self.__dict__.get("_retriever")
        if cached is None or cached.store is not self.store:
            from assistant.search import clause_types

            types = clause_types.for_model(self.embedder.model_key) if self.settings.search_clause_types else None
            cached = self.__dict__["_retriever"] = Retriever(self.store, self.embedder.embed_queries, types)
        return cached

    def retrieve(self, query: str, k: int | None = None, *, doc_type: str | None = None,
                 doc_ids: list[str] | None = None, party: str | None = None,
                 date_from: str | None = None, date_to: str | None = None,
                 timings: dict[str, float] | None = None) -> list[Hit]:
        """The product's retrieval for a question (answers and the evaluation use it): hybrid,
        identifier-exact hits first, documents the question names preferred; optionally only
        documents with a party (substring of a party or the title) or made within dates.
        ``timings`` receives seconds per step (``Retriever.retrieve``), the filters' as "filters"."""
        if not self.store.exists():
            return []
        began = time.perf_counter()
        scope = self.scope_documents(doc_ids, party, date_from, date_to)
        if timings is not None:
            timings["filters"] = time.perf_counter() - began
        if scope == []:
            return []
        return self.retriever.retrieve(query, k or self.settings.search_k, doc_type=doc_type, doc_ids=scope, timings=timings)

    def scope_documents(self, doc_ids: list[str] | None = None, party: str | None = None,
                        date_from: str | None = None, date_to: str | None = None) -> list[str] | None:
        """Document ids passing the filters (None: no filter). Dates are ISO (YYYY or YYYY-MM-DD);
        a document without a known agreement date never passes a date filter."""
        if not (party or date_from or date_to):
            return doc_ids
        wanted = set(doc_ids) if doc_ids is not None else None
        low = (party or "").lower()
        out = []
        for d in self.store.documents().values():
            if wanted is not None and d.doc_id not in wanted:
                continue
            if party and not any(low in p.lower() for p in [*d.parties, d.title]):
                continue
            if (date_from or date_to) and not d.agreement_date:
                continue
            if date_from and d.agreement_date < date_from:
                continue
            if date_to and d.agreement_date[: len(date_to)] > date_to:
                continue
            out.append(d.doc_id)
        return out

    def search(self, query: str, k: int | None = None, *, doc_type: str | None = None,
               mode: SearchMode = "hybrid", doc_ids: list[str] | None = None) -> list[Hit]:
        """Ranked chunks for ``query``: dense, lexical (BM25) or both fused by reciprocal rank."""
        k = k or self.settings.search_k
        if not self.store.exists():
            return []
        if mode == "lexical":
            return self.store.search_lexical(lexical.query_vector(query), k, doc_type, doc_ids)
        dense = self.store.search_dense(self.embedder.embed_query(query), k if mode == "dense" else max(k * 4, 20), doc_type, doc_ids)
        if mode == "dense":
            return dense
        sparse = self.store.search_lexical(lexical.query_vector(query), max(k * 4, 20), doc_type, doc_ids)
        return fuse([dense, sparse], k)

    # -- catalog (records table) -------------------------------------------------------------------
    def catalog(self):
        """The records table (DATA_DIR/catalog.sqlite) as this view sees it: catalog questions,
        lookups and checks over the record documents its access groups allow (assistant/catalog)."""
        from assistant.catalog.queries import Catalog

        return Catalog(self)

    def conflicts(self):
        """Works and recordings two visible sources describe differently (assistant/catalog/conflicts.py)."""
        from assistant.catalog.conflicts import conflicts

        return conflicts(self.catalog())

    # -- contracts (key terms and the register) ----------------------------------------------------
    def contract_terms(self, doc_id: str, today: date | None = None) -> FamilyTerms | None:
        """The current key terms of the family ``doc_id`` belongs to, as this view sees it (a member
        it may not see is neither listed nor used for a value); None when it holds no such document."""
        return terms_of(self, doc_id, today)

    def contract_register(self, *, expiring_within: int | None = None, notice_due_within: int | None = None,
                          party: str | None = None, sort: str = "expiry", descending: bool = False,
                          today: date | None = None) -> list[Row]:
        """One register row per agreement family this view may see, filtered and sorted
        (assistant/contracts/register.py)."""
        return register_rows(self, expiring_within=expiring_within, notice_due_within=notice_due_within, party=party,
                             sort=sort, descending=descending, today=today)

    def contract_deadlines(self, within: int = 90, today: date | None = None) -> list[Deadline]:
        """Expiries, notice and option deadlines and reversions this view may see in the next ``within`` days."""
        return deadlines(self, within, today)

    def stored_terms(self, doc_ids: Iterable[str] | None = None) -> dict[str, dict[str, list[dict]]]:
        """The key terms read at ingest, per document this view's ledger holds."""
        return stored_terms(self, doc_ids)

    def consolidated(self, doc_id: str) -> Consolidated | None:
        """The agreement of ``doc_id``'s family as it reads now: every change document this view
        may see applied to its clauses (assistant/contracts/consolidated). A change document the
        view may not see is not applied and not named: only the numbers of the clauses it acts on
        are kept (``Consolidated.restricted``), so the viewer is told that a restricted document
        may change them. None when the family has no agreement."""
        members = self.family(doc_id)
        if not members or members[0].family_role != doc_families.AGREEMENT:
            return None
        root, changes = members[0], members[1:]
        hidden = self._hidden_members(root, members)
        key = tuple((m.doc_id, m.file_sha256, m.ingested_at) for m in [*members, *hidden])
        cache = self.__dict__.setdefault("_consolidated", {})
        if key in cache:  # unchanged family: no file read, no re-consolidation
            return cache[key]
        documents = [ChangeDocument(m.doc_id, m.file_name, doc_families.document_date(m) or "",
                                    document_text(Path(m.file_path), self.settings.ocr), m.family_role) for m in changes]
        result = consolidate(document_text(Path(root.file_path), self.settings.ocr), documents)
        result.restricted = restricted_targets((self._readable(m) for m in hidden), result.text)
        cache[key] = result
        return result

    def passage_notes(self, hits: Sequence[Hit]) -> dict[str, list[str]]:
        """Point id -> what each hit of an agreement no longer says (``redline.passage_notes``):
        clauses in it a later document this view may see changed, with their current wording, and
        that a restricted document may change one. Search shows passages as ingested; these notes
        keep a superseded clause from being read as the deal."""
        out: dict[str, list[str]] = {}
        docs = self.store.documents()
        for h in hits:
            doc = docs.get(str(h.payload.get("doc_id")))
            if doc is None or doc.family_role != doc_families.AGREEMENT or h.payload.get("record_kind"):
                continue
            try:
                current = self.consolidated(doc.doc_id)
            except UserError:
                continue
            if current is None or not (current.changed or current.restricted):
                continue
            notes = passage_notes(current, int(h.payload.get("start") or 0), int(h.payload.get("end") or 0))
            if notes:
                out[h.point_id] = notes
        return out

    def _hidden_members(self, root: DocumentRecord, members: list[DocumentRecord]) -> list[DocumentRecord]:
        """The members of ``root``'s family this view may not see (none for an unrestricted view)."""
        if self.store.access is None:
            return []
        seen = {m.doc_id for m in members}
        everyone = doc_families.family_members(self.store.writer.documents().values(), root.doc_id)
        if not everyone or everyone[0].doc_id != root.doc_id:
            return []
        return [m for m in everyone[1:] if m.doc_id not in seen]

    def _readable(self, record: DocumentRecord) -> str:
        """A hidden member's text, read only for the clause numbers it acts on ("" when unreadable now)."""
        try:
            return document_text(Path(record.file_path), self.settings.ocr)
        except (OSError, UserError):
            return ""
