"""What ingestion produces: document records and chunk records, and the sink they go to.

The sink (the vector store) is a protocol here so that ``ingest`` never imports the
assistant package: dependencies flow ingest -> assistant -> eval, one way.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import PurePath
from typing import Any, Protocol

import numpy as np

from ingest.chunking import Chunk
from ingest.records.model import Record

POINT_NAMESPACE = uuid.UUID("6f1c3a52-1f0e-4d5e-9a51-2c7b9e0f4d11")


def chunk_point_id(doc_id: str, index: int) -> str:
    """Deterministic point id: the same (document, chunk) always overwrites the same point."""
    return str(uuid.uuid5(POINT_NAMESPACE, f"{doc_id}/{index}"))


def document_point_id(doc_id: str) -> str:
    return str(uuid.uuid5(POINT_NAMESPACE, f"{doc_id}/document"))


@dataclass
class DocumentRecord:
    doc_id: str
    file_path: str
    file_name: str
    title: str
    doc_type: str
    kind: str
    file_sha256: str
    size: int
    n_chunks: int = 0
    pages: int | None = None
    reader: str = ""  # "pdf@<pipeline version>": a new chunker re-chunks the document
    state: str = "pending"  # pending: chunks may be partly written; complete: all written;
    # deleting: its chunks are being removed
    ingested_at: str = ""
    warnings: list[str] = field(default_factory=list)
    parties: list[str] = field(default_factory=list)  # from the preamble ("between X and Y")
    agreement_date: str | None = None  # ISO date the contract says it was made
    groups: list[str] = field(default_factory=list)  # who may see it (ingest/access.py); [] = everyone
    locations: list[str] = field(default_factory=list)  # where else it was found (links to it): access came from there too
    # Document families (ingest/families.py): "agreement", or the change it makes to one
    # ("amendment", "side letter", "option exercise", "termination notice", ...)
    family_role: str = "agreement"
    family_of: str | None = None  # doc_id of the agreement it changes (set by relinking over the ledger)
    family_evidence: str = ""  # the sentence of this document that names that agreement
    refers_to: dict[str, Any] = field(default_factory=dict)  # families.Reference as a dict: relinking needs no re-read
    effective_date: str | None = None  # ISO: a modifier's own date (made on, letter date)

    def payload(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> DocumentRecord:
        known = {k: payload[k] for k in cls.__dataclass_fields__ if k in payload}
        return cls(**known)


@dataclass
class ChunkRecord:
    doc: DocumentRecord
    chunk: Chunk
    page: int | None
    page_end: int | None
    embed_text: str  # what the models see: title and section heading, then the chunk
    record: Record | None = None  # structured files: the record this chunk renders
    ids: list[str] = field(default_factory=list)  # identifier keys ("ISWC:T3452468001") it carries
    ocr: bool = False  # its text was read by OCR from a scan (ingest/readers/ocr.py)
    ocr_confidence: float | None = None  # the engine's lowest mean word confidence of its pages, 0-100

    @property
    def point_id(self) -> str:
        return chunk_point_id(self.doc.doc_id, self.chunk.index)

    def payload(self) -> dict[str, Any]:
        c, d = self.chunk, self.doc
        return {
            "doc_id": d.doc_id,
            "file_path": d.file_path,
            "file_name": d.file_name,
            "title": d.title,
            "doc_type": d.doc_type,
            "kind": d.kind,
            "file_sha256": d.file_sha256,
            "ingested_at": d.ingested_at,
            "chunk_index": c.index,
            "n_chunks": d.n_chunks,
            "text": c.text,
            "start": c.start,
            "end": c.end,
            "section": c.section,
            "heading": c.heading,
            "section_path": c.section_path,
            "sections": c.sections,
            "part": c.part,
            "page": self.page,
            "page_end": self.page_end,
            "ids": self.ids,
            "groups": d.groups,
            **(self.record.payload() | {"record_title": self.record.title, "title": d.title} if self.record else {}),
            **({"ocr": True, "ocr_confidence": self.ocr_confidence} if self.ocr else {}),
        }


@dataclass(frozen=True)
class ChunkPayload:
    """A stored chunk's payload, typed: what every reader of a search hit needs (the sources
    panel, the CLI, the audit log, the evaluation), with the one way of naming where it is.

    The store keeps payloads as plain dicts (Qdrant's JSON); :meth:`of` reads one back and
    ignores keys it does not know, so an older store's payload still reads."""

    doc_id: str = ""
    file_name: str = "?"
    start: int = 0
    end: int = 0
    text: str = ""
    file_path: str | None = None
    title: str | None = None
    doc_type: str | None = None
    chunk_index: int = 0
    section: str | None = None
    heading: str | None = None
    sections: tuple[str, ...] = ()
    part: int = 0
    page: int | None = None
    page_end: int | None = None
    record_kind: str | None = None  # work | recording | release | deal | row: a record chunk
    record_title: str | None = None
    location: str | None = None  # a record's place in its file: "row 7", "lines 12-30"
    ocr: bool = False
    ocr_confidence: float | None = None
    groups: tuple[str, ...] = ()

    @classmethod
    def of(cls, payload: dict[str, Any]) -> ChunkPayload:
        known = {k: payload[k] for k in cls.__dataclass_fields__ if payload.get(k) is not None}
        for key in ("sections", "groups"):
            if key in known:
                known[key] = tuple(known[key])
        return cls(**known)

    @property
    def stem(self) -> str:
        """The file name without its extension: how evaluation datasets name documents."""
        return PurePath(self.file_name).stem

    @property
    def pages(self) -> str | None:
        if not self.page:
            return None
        end = self.page_end
        return f"p. {self.page}" if not end or end == self.page else f"pp. {self.page}-{end}"

    def where(self) -> list[str]:
        """Where the passage is inside its file: record location and kind, or clause and page."""
        if self.record_kind:
            return [x for x in (self.location or "", f"{self.record_kind}: {self.record_title or '(untitled)'}") if x]
        parts: list[str] = []
        if len(self.sections) > 1:
            parts.append(f"§§ {self.sections[0]}–{self.sections[-1]}")
        elif self.section:
            parts.append(f"§ {self.section}" + (f" {self.heading}" if self.heading else ""))
        elif self.heading:
            parts.append(str(self.heading))
        if self.pages:
            parts.append(self.pages)
        return parts

    def label(self) -> str:
        """One line naming the passage: file · clause · page (or file · row · record)."""
        return " · ".join([self.file_name, *self.where()])


SparseVector = tuple[list[int], list[float]]


@dataclass
class PreparedDocument:
    """A changed or new document, read and chunked, waiting for its vectors (pipeline → validation)."""

    path: PurePath
    previous: DocumentRecord | None
    doc: DocumentRecord
    records: list[ChunkRecord]


class Encoder(Protocol):
    def dense(self, texts: Sequence[str]) -> np.ndarray: ...

    def sparse(self, texts: Sequence[str]) -> list[SparseVector]: ...


class DocumentSink(Protocol):
    """Where ingestion writes. A document is written as: begin (ledger says pending), chunks,
    finish (stale chunks of older versions deleted, ledger says complete)."""

    def documents(self) -> dict[str, DocumentRecord]: ...

    def begin_document(self, doc: DocumentRecord) -> None: ...

    def write_chunks(self, chunks: Sequence[ChunkRecord], dense: np.ndarray, sparse: Sequence[SparseVector]) -> None: ...

    def finish_document(self, doc: DocumentRecord, had_chunks: bool = True) -> None: ...

    def delete_document(self, doc_id: str) -> None: ...

    def update_document(self, doc: DocumentRecord) -> None:
        """Replace a complete document's ledger entry (its chunks untouched): family links."""
        ...

    def records_with_ids(self, keys: Sequence[str]) -> list[dict[str, Any]]:
        """Payloads of record chunks carrying any of ``keys`` (cross-file duplicate checks)."""
        ...
