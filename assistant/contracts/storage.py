"""Key terms kept in the store beside the ledger: collection ``<collection>_terms``, one
vectorless point per document, keyed by its id, with the file hash and rule version it was read
with, so an unchanged file is never read twice and new rules re-read every contract at the next
ingest (``refresh_terms``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from assistant.contracts.terms import TERMS_VERSION, extract_terms
from ingest.model import DocumentRecord, document_point_id
from ingest.pipeline import document_text

SUFFIX = "_terms"


# ---------------------------------------------------------------------------------------------
# Storage
# ---------------------------------------------------------------------------------------------
class TermsStore:
    """Stored key terms of each document, in the store's ``<collection>_terms`` table."""

    def __init__(self, store):
        self.store = store
        self.name = f"{store.chunks}{SUFFIX}"
        self.table = store.table(self.name)

    def exists(self) -> bool:
        return self.table.exists()

    def all(self, doc_ids: Iterable[str] | None = None) -> dict[str, dict]:
        """Stored records by document id (only ``doc_ids`` when given: a viewer's documents)."""
        wanted = set(doc_ids) if doc_ids is not None else None
        if wanted is not None and not wanted:
            return {}
        if wanted is not None and len(wanted) <= 256:
            found = self.table.get([document_point_id(d) for d in sorted(wanted)]).values()
        else:
            found = self.table.all().values()
        return {p["doc_id"]: p for p in found if p.get("doc_id") and (wanted is None or p["doc_id"] in wanted)}

    def put(self, doc: DocumentRecord, terms: dict, error: str = "") -> None:
        payload = {"doc_id": doc.doc_id, "file_sha256": doc.file_sha256, "version": TERMS_VERSION,
                   "family_role": doc.family_role, "terms": terms, "error": error}
        self.table.put(document_point_id(doc.doc_id), payload)

    def delete(self, doc_ids: Sequence[str]) -> None:
        if doc_ids:
            self.table.delete([document_point_id(d) for d in doc_ids])


def _fresh(record: dict | None, doc: DocumentRecord) -> bool:
    return bool(record) and record.get("file_sha256") == doc.file_sha256 and record.get("version") == TERMS_VERSION \
        and record.get("family_role") == doc.family_role


def refresh_terms(store) -> int:
    """Read the key terms of every complete contract whose stored terms are missing or stale
    (a new or changed file, new rules), and drop those of documents no longer in the ledger.
    Run by ``RightsService.ingest`` after each job, over the whole store. Returns how many
    documents were read."""
    whole = store.writer
    docs = whole.documents()
    terms = TermsStore(whole)
    have = terms.all()
    read = 0
    for doc in docs.values():
        if doc.state != "complete" or doc.doc_type != "contract" or _fresh(have.get(doc.doc_id), doc):
            continue
        try:
            text = document_text(Path(doc.file_path), store.settings.ocr)  # a scan's text from the OCR cache, same page cap
            found, error = extract_terms(doc.title, text, doc.family_role, doc.effective_date), ""
        except Exception as exc:  # noqa: BLE001 - a file gone or unreadable since its ingest: say so, keep going
            found, error = {}, f"{type(exc).__name__}: {str(exc)[:200]}"
        terms.put(doc, found, error)
        read += 1
    gone = [d for d in have if d not in docs]
    terms.delete(gone)
    return read


def stored_terms(view, doc_ids: Iterable[str] | None = None) -> dict[str, dict[str, list[dict]]]:
    """{doc_id: terms} for the documents ``view`` (a service or one user's view of it) may see."""
    visible = view.store.documents()
    ids = [d for d in (doc_ids if doc_ids is not None else visible) if d in visible]
    return {d: r.get("terms") or {} for d, r in TermsStore(view.store.writer).all(ids).items()}
