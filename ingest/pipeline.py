"""The batch ingestion job: files in, chunk points out, incremental and crash-safe.

Per file: hash it; skip it if the ledger holds the same hash as complete; otherwise read,
chunk and encode it (embedding is cached, so repeated work is cheap), then write in three
steps - ledger "pending", chunk points, delete stale points and ledger "complete". Point ids
come from (document, chunk index), so re-writing a chunk overwrites it; a run killed at any
moment leaves the document pending, and the next run finishes it. Documents are read ahead
in waves of about WAVE_CHUNKS chunks so the model gets full batches of similar length.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Protocol, Sequence

from . import metadata
from .access import groups_for, is_declaration
from .chunking import Chunk, ChunkingOptions, chunk_text
from .errors import IngestError, UnsupportedFile
from .identifiers import identifier_keys
from .model import ChunkRecord, DocumentRecord, DocumentSink, Encoder
from .readers import read_file
from .records import is_structured, read_records
from .instructions import instruction_sentences
from .records.model import RecordSet, document_warnings, render
from .validation import check_duplicates

# Bump when chunking or payload layout changes: documents are then re-chunked on the next run.
PIPELINE_VERSION = "3"  # 2: parties and agreement date in the ledger; 3: identifier keys, records
ENCODE_BATCH = 64  # chunks per model call (progress granularity)
WAVE_CHUNKS = 512  # chunks read ahead and embedded together across documents
IGNORED_NAMES = {"Thumbs.db", "desktop.ini"}


@dataclass
class FileResult:
    path: str
    status: str  # new | changed | resumed | unchanged | failed | skipped | removed
    doc_id: str | None = None
    chunks: int = 0
    reason: str | None = None
    warnings: list[str] = field(default_factory=list)  # validation: shares, identifiers, layout


@dataclass
class IngestReport:
    results: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0
    chunks_written: int = 0

    @property
    def counts(self) -> Counter:
        return Counter(r.status for r in self.results)

    @property
    def problems(self) -> list[FileResult]:
        return [r for r in self.results if r.status in ("failed", "skipped")]

    @property
    def warned(self) -> list[FileResult]:
        return [r for r in self.results if r.warnings]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def chunks_per_second(self) -> float:
        return self.chunks_written / self.seconds if self.seconds > 0 else 0.0


class ProgressListener(Protocol):
    def start(self, files: int) -> None: ...

    def file_started(self, path: Path) -> None: ...

    def chunks_planned(self, n: int) -> None: ...

    def chunks_done(self, n: int) -> None: ...

    def file_done(self, result: FileResult) -> None: ...


class _Silent:
    def start(self, files: int) -> None: ...
    def file_started(self, path: Path) -> None: ...
    def chunks_planned(self, n: int) -> None: ...
    def chunks_done(self, n: int) -> None: ...
    def file_done(self, result: FileResult) -> None: ...


def doc_id_for(path: Path) -> str:
    """A document is its file's absolute path: a changed file replaces its earlier version."""
    return hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:16]


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def discover(paths: Iterable[Path]) -> tuple[list[Path], list[FileResult]]:
    """Files under ``paths`` (recursively, hidden files and folders left out), and paths not found."""
    files: dict[Path, None] = {}
    problems: list[FileResult] = []
    for path in paths:
        if path.is_file():
            files[path.resolve()] = None
        elif path.is_dir():
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path).parts
                if any(p.startswith(".") or p.startswith("~$") for p in rel) or child.name in IGNORED_NAMES:
                    continue
                if child.is_file() and not is_declaration(child):
                    files[child.resolve()] = None
        else:
            problems.append(FileResult(str(path), "failed", reason="no such file or folder"))
    return list(files), problems


def document_text(path: Path) -> str:
    """The text a document's chunk offsets point into (extracted text, or a record file's text)."""
    return read_records(path).text if is_structured(path) else read_file(path).text


def guess_kind(title: str, name: str) -> str:
    """A coarse agreement kind from the title, for display and filters."""
    text = f"{title} {name}".lower()
    for needle, kind in (
        ("amendment", "amendment"),
        ("termination", "termination notice"),
        ("sub-publishing", "sub-publishing agreement"),
        ("subpublishing", "sub-publishing agreement"),
        ("administration", "administration agreement"),
        ("synchroni", "sync licence"),
        ("sync", "sync licence"),
        ("distribution", "distribution agreement"),
        ("producer", "producer agreement"),
        ("songwriter", "publishing agreement"),
        ("publishing", "publishing agreement"),
        ("recording", "recording agreement"),
        ("licen", "licence"),
        ("agreement", "agreement"),
    ):
        if needle in text:
            return kind
    return "document"


def embed_text(title: str, chunk: Chunk) -> str:
    """What the models see for a chunk: document title and section path give it context."""
    return "\n".join(x for x in (title, chunk.section_path or chunk.heading, chunk.text) if x)


def document_title(extracted_title: str | None, text: str, path: Path) -> str:
    if extracted_title:
        return extracted_title
    for line in text.split("\n"):
        line = line.strip().lstrip("#").strip()
        if line:
            return line if len(line) <= 120 else path.stem
    return path.stem


def _chunk_version(options: ChunkingOptions) -> str:
    return f"{PIPELINE_VERSION}:{options.max_chars}:{options.overlap_chars}:{options.min_chars}"


def ingest(
    paths: Sequence[Path],
    sink: DocumentSink,
    encoder: Encoder,
    options: ChunkingOptions,
    *,
    prune: bool = False,
    listener: ProgressListener | None = None,
    max_file_bytes: int | None = None,
    max_records: int | None = None,
) -> IngestReport:
    """Ingest files and folders into ``sink``; never raises for a bad file, only reports it.

    A file larger than ``max_file_bytes`` is refused before a byte of it is read: memory stays
    bounded and a stray 10 GB log cannot hold the nightly job for days."""
    listener = listener or _Silent()
    started = time.perf_counter()
    report = IngestReport()
    known = sink.documents()
    files, missing = discover(paths)
    report.results.extend(missing)
    in_batch = {doc_id_for(f) for f in files}

    # Finish what an interrupted run left behind, even outside this batch's paths.
    for doc in known.values():
        if doc.state == "complete" or doc.doc_id in in_batch:
            continue
        path = Path(doc.file_path)
        if doc.state == "pending" and path.is_file():
            files.append(path)
            in_batch.add(doc.doc_id)
        else:
            sink.delete_document(doc.doc_id)
            report.results.append(FileResult(doc.file_path, "removed", doc.doc_id, reason="interrupted earlier; finished removal"))

    listener.start(len(files))
    version = _chunk_version(options)
    wave: list[_Prepared] = []
    seen_ids: dict[str, tuple[str, str]] = {}  # identifier key -> (title, file) in this run
    for i, path in enumerate(files):
        listener.file_started(path)
        prepared = _prepare(path, known.get(doc_id_for(path)), options, version, max_file_bytes, max_records)
        if isinstance(prepared, FileResult):
            report.results.append(prepared)
            listener.file_done(prepared)
        else:
            listener.chunks_planned(len(prepared.records))
            wave.append(prepared)
        if wave and (sum(len(p.records) for p in wave) >= WAVE_CHUNKS or i == len(files) - 1):
            check_duplicates(wave, sink, seen_ids)
            for result in _write_wave(wave, sink, encoder, listener):
                report.chunks_written += result.chunks
                report.results.append(result)
            wave = []

    if prune:
        roots = [p.resolve() for p in paths]
        for doc in known.values():
            doc_path = Path(doc.file_path)
            under = any(doc_path == r or r in doc_path.parents for r in roots)
            if under and doc.doc_id not in in_batch and not doc_path.exists():
                sink.delete_document(doc.doc_id)
                report.results.append(FileResult(doc.file_path, "removed", doc.doc_id, reason="file no longer exists (--prune)"))
    report.seconds = time.perf_counter() - started
    return report


@dataclass
class _Prepared:
    """A changed or new document, read and chunked, waiting for its vectors."""

    path: Path
    previous: DocumentRecord | None
    doc: DocumentRecord
    records: list[ChunkRecord]
    file_warnings: list[str] = field(default_factory=list)  # a record file's own (layout, trailer) warnings


def _prepare(path: Path, previous: DocumentRecord | None, options: ChunkingOptions, version: str,
             max_file_bytes: int | None = None, max_records: int | None = None) -> _Prepared | FileResult:
    doc_id = doc_id_for(path)
    try:
        size = path.stat().st_size
        if max_file_bytes is not None and size > max_file_bytes:
            return FileResult(str(path), "failed", doc_id, reason=(
                f"too large: {size / 2**20:,.1f} MB (limit {max_file_bytes / 2**20:,.0f} MB, setting ingest_max_file_mb)"))
        sha = file_sha256(path)
    except OSError as exc:
        return FileResult(str(path), "failed", doc_id, reason=f"cannot read file ({exc.strerror or exc})")
    groups = groups_for(path)
    if (
        previous is not None
        and previous.state == "complete"
        and previous.file_sha256 == sha
        and previous.reader.endswith(version)
        and previous.groups == groups
    ):
        return FileResult(str(path), "unchanged", doc_id, previous.n_chunks)
    if is_structured(path):
        prepared = _prepare_records(path, doc_id, size, sha, previous, version, max_records)
        if isinstance(prepared, _Prepared):
            prepared.doc.groups = groups
        return prepared
    try:
        extracted = read_file(path)
    except UnsupportedFile as exc:
        return FileResult(str(path), "skipped", doc_id, reason=str(exc))
    except IngestError as exc:
        return FileResult(str(path), "failed", doc_id, reason=str(exc))
    chunks = chunk_text(extracted.text, options, extracted.heading_offsets)
    if not chunks:
        return FileResult(str(path), "failed", doc_id, reason="no text to index")
    title = document_title(extracted.title, extracted.text, path)
    doc = DocumentRecord(
        doc_id=doc_id,
        file_path=str(path),
        file_name=path.name,
        title=title,
        doc_type="contract",
        kind=guess_kind(title, path.name),
        file_sha256=sha,
        size=size,
        n_chunks=len(chunks),
        pages=extracted.pages,
        reader=f"{extracted.reader}@{version}",
        ingested_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        parties=metadata.parties(extracted.text),
        agreement_date=metadata.agreement_date(extracted.text),
        groups=groups,
    )
    records = [
        ChunkRecord(
            doc=doc,
            chunk=c,
            page=extracted.page_at(c.start),
            page_end=extracted.page_at(c.end - 1),
            embed_text=embed_text(title, c),
            ids=identifier_keys(c.text),
        )
        for c in chunks
    ]
    doc.warnings = planted_instructions(extracted.text)
    return _Prepared(path, previous, doc, records)


def planted_instructions(text: str) -> list[str]:
    """A warning when the document talks to an AI assistant (shown in the batch summary and the
    chat's Documents tab; the sentences never reach the model)."""
    found = instruction_sentences(text)
    if not found:
        return []
    return [f"{len(found)} sentence(s) address an AI assistant (possible prompt injection; hidden from the model): "
            f"\"{found[0][:100]}\""]


def _prepare_records(path: Path, doc_id: str, size: int, sha: str, previous: DocumentRecord | None, version: str,
                     max_records: int | None = None) -> _Prepared | FileResult:
    """A split sheet, catalog export, DDEX or CWR file: one chunk per record."""
    try:
        rs: RecordSet = read_records(path, max_records)
    except IngestError as exc:
        return FileResult(str(path), "failed", doc_id, reason=str(exc))
    except Exception as exc:  # noqa: BLE001 - a reader bug on one odd file must not end the batch
        return FileResult(str(path), "failed", doc_id, reason=f"could not parse ({type(exc).__name__}: {str(exc)[:120]}); please report this file")
    title = rs.title or path.stem
    doc = DocumentRecord(
        doc_id=doc_id,
        file_path=str(path),
        file_name=path.name,
        title=title,
        doc_type=rs.doc_type,
        kind=RECORD_KINDS.get(rs.doc_type, rs.doc_type),
        file_sha256=sha,
        size=size,
        n_chunks=len(rs.records),
        reader=f"{rs.reader}@{version}",
        ingested_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
    )
    records = []
    for i, record in enumerate(rs.records):
        text = render(record, path.name)
        chunk = Chunk(index=i, start=record.start, end=record.end, text=text, section=record.location,
                      heading=record.title, section_path=None, sections=[], part=0)
        records.append(ChunkRecord(doc=doc, chunk=chunk, page=None, page_end=None,
                                   embed_text=text, record=record, ids=record.keys))
    doc.warnings = document_warnings(rs.warnings, rs.records) + planted_instructions("\n".join(r.embed_text for r in records))
    return _Prepared(path, previous, doc, records, file_warnings=list(rs.warnings))


RECORD_KINDS = {"split sheet": "split sheet", "catalog": "catalog export", "ddex": "DDEX release", "cwr": "CWR registration", "table": "table"}


def _encode(wave: list[_Prepared], encoder: Encoder, listener: ProgressListener):
    """Vectors for every chunk of a wave of documents, batched by similar length.

    Batching across documents, sorted by length, pads far less than embedding each document
    on its own (measured: see README, Benchmarks).
    """
    texts = [r.embed_text for p in wave for r in p.records]
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    dense: list = [None] * len(texts)
    for i in range(0, len(order), ENCODE_BATCH):
        batch = order[i : i + ENCODE_BATCH]
        for j, vector in zip(batch, encoder.dense([texts[j] for j in batch])):
            dense[j] = vector
        listener.chunks_done(len(batch))
    return dense, encoder.sparse(texts)


def _write_wave(wave: list[_Prepared], sink: DocumentSink, encoder: Encoder, listener: ProgressListener) -> list[FileResult]:
    # Encode everything before touching the store: a crash while embedding (the slow part)
    # leaves the store as it was, and the embedding cache keeps the finished batches.
    dense, sparse = _encode(wave, encoder, listener)
    results = []
    offset = 0
    for prepared in wave:
        n = len(prepared.records)
        sink.begin_document(prepared.doc)
        sink.write_chunks(prepared.records, dense[offset : offset + n], sparse[offset : offset + n])
        sink.finish_document(prepared.doc, had_chunks=prepared.previous is not None)
        offset += n
        previous = prepared.previous
        status = "new" if previous is None else ("resumed" if previous.state != "complete" else "changed")
        result = FileResult(str(prepared.path), status, prepared.doc.doc_id, n, warnings=list(prepared.doc.warnings))
        listener.file_done(result)
        results.append(result)
    return results
