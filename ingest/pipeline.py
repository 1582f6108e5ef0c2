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
import os
import stat
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from ingest import families, metadata
from ingest.access import AccessError, access_for, is_declaration, present
from ingest.chunking import Chunk, ChunkingOptions, chunk_text
from ingest.errors import IngestError, UnsupportedFile
from ingest.identifiers import identifier_keys
from ingest.instructions import instruction_sentences
from ingest.model import ChunkRecord, DocumentRecord, DocumentSink, Encoder, PreparedDocument
from ingest.readers import read_file
from ingest.readers.ocr import OcrOptions, file_sha256  # one hashing of files, shared with the OCR cache
from ingest.records import is_structured, read_records
from ingest.records.catalogdb import BATCH as CATALOG_BATCH
from ingest.records.catalogdb import FILE_NAME as CATALOG_FILE
from ingest.records.catalogdb import CatalogOptions, CatalogWriter
from ingest.records.catalogdb import DocumentMeta as CatalogMeta
from ingest.records.model import MAX_DOC_WARNINGS, RecordSet, document_warnings, identifying_text, render
from ingest.records.stream import StreamedTable, count_lines, stream_table
from ingest.validation import Claim, check_duplicates

# Bump when chunking or payload layout changes: documents are then re-chunked on the next run.
PIPELINE_VERSION = "6"  # 2: parties and agreement date in the ledger; 3: identifier keys, records;
# 4: cross-document warnings no longer stored in record text (computed per viewer);
# 5: document families (role, reference, effective date) in the ledger;
# 6: records table (catalog.sqlite) beside the store, compact record embedding text
ENCODE_BATCH = 64  # chunks per model call (progress granularity)
WAVE_CHUNKS = 512  # chunks read ahead and embedded together across documents
IGNORED_NAMES = {"Thumbs.db", "desktop.ini"}
STREAMED = {".csv", ".tsv"}  # record files that can go to the records table as a stream


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

    # Optional (looked up with getattr): OCR of a scanned file, page by page.
    # def ocr_progress(self, path: Path, done: int, total: int) -> None: ...


class _Silent:
    def start(self, files: int) -> None: ...
    def file_started(self, path: Path) -> None: ...
    def chunks_planned(self, n: int) -> None: ...
    def chunks_done(self, n: int) -> None: ...
    def file_done(self, result: FileResult) -> None: ...


def doc_id_for(path: Path) -> str:
    """A document is its file's absolute path: a changed file replaces its earlier version."""
    return hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:16]



@dataclass
class Found:
    """A file to ingest: its real path (the document's identity) and every place it was found
    (a link's location and its target's differ: access comes from all of them)."""

    path: Path
    locations: list[Path] = field(default_factory=list)


def _kind_of(mode: int) -> str:
    return ("a FIFO" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "a socket" if stat.S_ISSOCK(mode) else "not a regular file")


def _within(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def find_files(paths: Iterable[Path], follow_external_links: bool = False) -> tuple[list[Found], list[FileResult]]:
    """Files under ``paths`` (recursively; hidden files and folders left out), and what was refused.

    The walk is iterative (a folder nested a thousand deep is just deep), reports folders it
    cannot read and special files (FIFOs, devices: opening one could hang the job), and follows
    symbolic links only where they stay inside the folder being ingested, unless
    ``follow_external_links``: a link is a way to put any file on the machine into the store."""
    found: dict[Path, Found] = {}
    problems: list[FileResult] = []

    def add(location: Path, real: Path) -> None:
        entry = found.setdefault(real, Found(real))
        for loc in (location, real):
            if loc not in entry.locations:
                entry.locations.append(loc)

    for given in paths:
        if str(given) == "":
            problems.append(FileResult("", "failed", reason="empty path (name a file or folder)"))
            continue
        location = Path(os.path.abspath(given))
        try:
            st = location.stat()
        except FileNotFoundError:
            problems.append(FileResult(str(given), "failed", reason="no such file or folder"))
            continue
        except OSError as exc:
            problems.append(FileResult(str(given), "failed", reason=f"cannot read ({exc.strerror or exc})"))
            continue
        if stat.S_ISREG(st.st_mode):
            add(location, location.resolve())
            continue
        if not stat.S_ISDIR(st.st_mode):
            problems.append(FileResult(str(given), "skipped", reason=f"{_kind_of(st.st_mode)}, not a file or folder: not ingested"))
            continue
        root = location.resolve()
        visited = {root}
        stack = [location]
        while stack:
            folder = stack.pop()
            try:
                with os.scandir(folder) as it:
                    entries = sorted(it, key=lambda e: e.name, reverse=True)
            except OSError as exc:
                problems.append(FileResult(str(folder), "skipped", reason=(
                    f"cannot read folder ({exc.strerror or exc}): the files in it were not ingested")))
                continue
            for entry in entries:
                name = entry.name
                if name.startswith(".") or name.startswith("~$") or name in IGNORED_NAMES or is_declaration(Path(name)):
                    continue
                child = Path(entry.path)
                try:
                    st = child.stat()
                except OSError as exc:
                    why = "broken symbolic link" if isinstance(exc, FileNotFoundError) else (exc.strerror or str(exc))
                    problems.append(FileResult(str(child), "skipped", reason=f"cannot read ({why})"))
                    continue
                real = child.resolve()
                if not follow_external_links and not _within(real, root):
                    problems.append(FileResult(str(child), "skipped", reason=(
                        f"symbolic link to {real}, outside the folder being ingested: not followed "
                        "(setting ingest_follow_external_links allows it)")))
                    continue
                if stat.S_ISDIR(st.st_mode):
                    if real in visited:
                        continue  # a link loop, or a folder reached twice
                    visited.add(real)
                    stack.append(child)
                elif stat.S_ISREG(st.st_mode):
                    add(child, real)
                else:
                    problems.append(FileResult(str(child), "skipped", reason=f"{_kind_of(st.st_mode)}: not ingested"))
    return list(found.values()), problems


def discover(paths: Iterable[Path]) -> tuple[list[Path], list[FileResult]]:
    """The real paths of the files under ``paths`` (benchmarks; ingest uses find_files)."""
    found, problems = find_files(paths)
    return [f.path for f in found], problems


def document_text(path: Path, ocr: OcrOptions | None = None) -> str:
    """The text a document's chunk offsets point into (extracted text, or a record file's text;
    a scan's from the OCR cache that ``ocr`` names, so the very text its offsets were made on)."""
    return read_records(path).text if is_structured(path) else read_file(path, ocr).text


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
    follow_external_links: bool = False,
    visible: Callable[[Sequence[str] | None], bool] = lambda groups: True,
    ocr: OcrOptions | None = None,
    catalog: CatalogOptions | None = None,
) -> IngestReport:
    """Ingest files and folders into ``sink``; never raises for a bad file, only reports it.

    A file larger than ``max_file_bytes`` is refused before a byte of it is read: memory stays
    bounded and a stray 10 GB log cannot hold the nightly job for days. ``visible`` says which
    stored documents the person running the job may see: the report's cross-document warnings
    name no other."""
    listener = listener or _Silent()
    catalog = catalog if catalog is not None else catalog_options_for(sink)
    started = time.perf_counter()
    report = IngestReport()
    known = sink.documents()
    files, missing = find_files(paths, follow_external_links)
    report.results.extend(missing)
    in_batch = {doc_id_for(f.path) for f in files}

    # Finish what an interrupted run left behind, even outside this batch's paths.
    for doc in known.values():
        if doc.state == "complete" or doc.doc_id in in_batch:
            continue
        path = Path(doc.file_path)
        if doc.state == "pending" and path.is_file():
            files.append(Found(path, [path, *(Path(p) for p in doc.locations)]))
            in_batch.add(doc.doc_id)
        else:
            sink.delete_document(doc.doc_id)
            report.results.append(FileResult(doc.file_path, "removed", doc.doc_id, reason="interrupted earlier; finished removal"))

    listener.start(len(files))
    version = _chunk_version(options)
    wave: list[PreparedDocument] = []
    seen: list[Claim] = []  # identifier claims of this run's earlier waves
    for i, found in enumerate(files):
        listener.file_started(found.path)
        prepared = _prepare(found, known.get(doc_id_for(found.path)), options, version, max_file_bytes, max_records,
                            ocr=ocr, listener=listener, catalog=catalog)
        if isinstance(prepared, FileResult):
            report.results.append(prepared)
            listener.file_done(prepared)
        else:
            listener.chunks_planned(len(prepared.records))
            wave.append(prepared)
        if wave and (sum(len(p.records) for p in wave) >= WAVE_CHUNKS or i == len(files) - 1):
            cross = check_duplicates(wave, sink, seen, visible)
            for result in _write_wave(wave, sink, encoder, listener, catalog):
                result.warnings += cross.get(result.doc_id or "", [])
                report.chunks_written += result.chunks
                report.results.append(result)
            wave = []

    if prune:
        roots = [p.resolve() for p in paths]
        for doc in known.values():
            doc_path = Path(doc.file_path)
            under = any(doc_path == r or r in doc_path.parents for r in roots)
            if under and doc.doc_id not in in_batch and not present(doc_path):
                sink.delete_document(doc.doc_id)
                report.results.append(FileResult(doc.file_path, "removed", doc.doc_id, reason="file no longer exists (--prune)"))
    relink_families(sink, report)
    prune_catalog(sink, catalog)
    report.seconds = time.perf_counter() - started
    return report


def prune_catalog(sink: DocumentSink, catalog: CatalogOptions | None) -> None:
    """Drop records-table rows of documents the ledger no longer holds (forgotten, pruned):
    queries never show them (they check the ledger), this frees the space."""
    if catalog is None or catalog.path is None or not catalog.path.exists():
        return
    from ingest.records.catalogdb import documents as catalog_documents
    from ingest.records.catalogdb import forget as catalog_forget

    ledger = sink.documents()
    for doc_id in set(catalog_documents(catalog.path)) - set(ledger):
        catalog_forget(catalog.path, doc_id)


def relink_families(sink: DocumentSink, report: IngestReport | None = None) -> None:
    """Link every modifier in the ledger (amendments, side letters, notices ...) to the agreement
    it names, or give it a warning, and store what changed.

    Over the whole ledger, after every run (after --prune too, so a removed agreement unlinks its
    modifiers): an amendment ingested before its agreement, or in another run, links as soon as
    both are there, and the order files arrive in never matters. ``sink`` is the whole store:
    what is shown is filtered per viewer later. Results of this run get the new warnings."""
    docs = sink.documents()
    complete = [d for d in docs.values() if d.state == "complete"]
    changed: dict[str, DocumentRecord] = {}
    for doc in complete:
        if doc.doc_type != "contract":
            continue
        updated = families.relinked(doc, complete)
        if updated is not None:
            sink.update_document(updated)
            changed[doc.doc_id] = updated
    if report is None:
        return
    for result in report.results:
        doc = changed.get(result.doc_id or "")
        if doc is not None:
            result.warnings = [w for w in result.warnings if not families.is_family_warning(w)] + [
                w for w in doc.warnings if families.is_family_warning(w)]


def _prepare(found: Found | Path, previous: DocumentRecord | None, options: ChunkingOptions, version: str,
             max_file_bytes: int | None = None, max_records: int | None = None, *,
             ocr: OcrOptions | None = None, listener: ProgressListener | None = None,
             catalog: CatalogOptions | None = None) -> PreparedDocument | FileResult:
    if not isinstance(found, Found):  # a bare path (benchmarks): found where it is
        found = Found(found, [found])
    path = found.path
    doc_id = doc_id_for(path)
    try:
        size = path.stat().st_size
        streamed = catalog is not None and catalog.path is not None and path.suffix.lower() in STREAMED
        if streamed and catalog is not None and max_file_bytes is not None:  # a CSV export streams: memory stays bounded
            max_file_bytes = catalog.max_file_bytes
        if max_file_bytes is not None and size > max_file_bytes:
            setting = "catalog_max_file_mb" if streamed else "ingest_max_file_mb"
            return FileResult(str(path), "failed", doc_id, reason=(
                f"too large: {size / 2**20:,.1f} MB (limit {max_file_bytes / 2**20:,.0f} MB, setting {setting})"))
        sha = file_sha256(path)
    except OSError as exc:
        return FileResult(str(path), "failed", doc_id, reason=f"cannot read file ({exc.strerror or exc})")
    try:
        access = access_for(found.locations or [path])
    except AccessError as exc:
        return FileResult(str(path), "failed", doc_id, reason=str(exc))
    locations = [str(p) for p in found.locations if p != path]
    if (
        previous is not None
        and previous.state == "complete"
        and previous.file_sha256 == sha
        and previous.reader.endswith(version)
        and previous.groups == access.groups
        and previous.locations == locations
    ):
        return FileResult(str(path), "unchanged", doc_id, previous.n_chunks, warnings=access.warnings)
    if is_structured(path):
        prepared = _prepare_records(path, doc_id, size, sha, previous, version, max_records, catalog, access.groups)
    else:
        on_page = getattr(listener, "ocr_progress", None)
        progress = (lambda done, total: on_page(path, done, total)) if on_page else None
        prepared = _prepare_text(path, doc_id, size, sha, previous, version, options, ocr, progress)
    if isinstance(prepared, PreparedDocument):
        prepared.doc.groups = access.groups
        prepared.doc.locations = locations
        prepared.doc.warnings = access.warnings + prepared.doc.warnings
    return prepared


def _prepare_text(path: Path, doc_id: str, size: int, sha: str, previous: DocumentRecord | None, version: str,
                  options: ChunkingOptions, ocr: OcrOptions | None = None,
                  progress: Callable[[int, int], None] | None = None) -> PreparedDocument | FileResult:
    """A contract or other text document (a scan: its OCR'd text): chunks by clause."""
    try:
        extracted = read_file(path, ocr, progress, sha)
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
        ingested_at=datetime.now(UTC).isoformat(timespec="seconds"),
        parties=metadata.parties(extracted.text),
        agreement_date=metadata.agreement_date(extracted.text),
        **families.classify_document(title, extracted.text),  # amendment, side letter, notice ...: linked below
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
    for record in records if extracted.ocr_pages else []:
        record.ocr, record.ocr_confidence = extracted.ocr_confidence(record.chunk.start, record.chunk.end)
    doc.warnings = planted_instructions(extracted.text) + extracted.warnings
    return PreparedDocument(path, previous, doc, records)


def planted_instructions(text: str) -> list[str]:
    """A warning when the document talks to an AI assistant (shown in the batch summary and the
    chat's Documents tab; the sentences never reach the model)."""
    found = instruction_sentences(text)
    if not found:
        return []
    return [f"{len(found)} sentence(s) address an AI assistant (possible prompt injection; hidden from the model): "
            f"\"{found[0][:100]}\""]


def catalog_options_for(sink: object) -> CatalogOptions:
    """The records table of the store's data directory (``DATA_DIR/catalog.sqlite``), with the
    size thresholds of its settings; no table when the sink has no settings (tests' doubles)."""
    settings = getattr(sink, "settings", None)
    data_dir = getattr(settings, "data_dir", None)
    if data_dir is None:
        return CatalogOptions(None)
    return CatalogOptions(Path(data_dir) / CATALOG_FILE,
                          embed_max_records=getattr(settings, "catalog_embed_max_records", 20_000),
                          max_records=getattr(settings, "catalog_max_records", 5_000_000),
                          max_file_bytes=getattr(settings, "catalog_max_file_mb", 4096) * 2**20)


def _prepare_records(path: Path, doc_id: str, size: int, sha: str, previous: DocumentRecord | None, version: str,
                     max_records: int | None = None, catalog: CatalogOptions | None = None,
                     groups: list[str] | None = None) -> PreparedDocument | FileResult:
    """A split sheet, catalog export, DDEX or CWR file: one chunk per record, embedded by its
    identifying text; a CSV/TSV larger than the catalog's threshold goes to the records table only."""
    if catalog is not None and catalog.path is not None and path.suffix.lower() in STREAMED:
        try:
            lines = count_lines(path, catalog.embed_max_records + 1)
        except OSError as exc:
            return FileResult(str(path), "failed", doc_id, reason=f"cannot read file ({exc.strerror or exc})")
        if lines > catalog.embed_max_records + 1:  # + its header row
            return _prepare_catalog_only(path, doc_id, size, sha, previous, version, catalog, groups or [])
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
        ingested_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    records = []
    for i, record in enumerate(rs.records):
        text = render(record, path.name)
        chunk = Chunk(index=i, start=record.start, end=record.end, text=text, section=record.location,
                      heading=record.title, section_path=None, sections=[], part=0)
        records.append(ChunkRecord(doc=doc, chunk=chunk, page=None, page_end=None,
                                   embed_text=identifying_text(record, path.name), record=record, ids=record.keys))
    doc.warnings = document_warnings(rs.warnings, rs.records) + planted_instructions("\n".join(r.chunk.text for r in records))
    return PreparedDocument(path, previous, doc, records)


def _prepare_catalog_only(path: Path, doc_id: str, size: int, sha: str, previous: DocumentRecord | None, version: str,
                          catalog: CatalogOptions, groups: list[str]) -> PreparedDocument | FileResult:
    """A large CSV/TSV export streamed into the records table (one transaction, memory bounded),
    not embedded: its rows are found by identifier, title and names, and catalog questions."""
    info = StreamedTable()
    meta = CatalogMeta(doc_id, path.name, str(path), sha, "table", info.reader, groups, embedded=False)
    warnings: list[str] = []
    warned = 0
    assert catalog.path is not None
    try:
        with CatalogWriter(catalog.path) as writer:
            writer.begin(meta)
            batch = []
            for record in stream_table(path, info):
                if info.records > catalog.max_records:
                    return FileResult(str(path), "failed", doc_id, reason=(
                        f"more than {catalog.max_records:,} records in one file: refused, nothing partial is stored "
                        "(setting catalog_max_records; split the file or raise the limit)"))
                if record.warnings:
                    warned += 1
                    if len(warnings) < MAX_DOC_WARNINGS:
                        warnings += [f"{record.location or record.title}: {w}" for w in record.warnings]
                batch.append(record)
                if len(batch) >= CATALOG_BATCH:
                    writer.add(batch)
                    batch = []
            writer.add(batch)
            meta.doc_type, meta.reader = info.doc_type, f"{info.reader}@{version}"
            writer.commit()
    except IngestError as exc:
        return FileResult(str(path), "failed", doc_id, reason=str(exc))
    except Exception as exc:  # noqa: BLE001 - a reader bug on one odd file must not end the batch
        if isinstance(exc, OSError) or type(exc).__module__ == "sqlite3":
            raise  # a full disk is the job's problem, not this file's
        return FileResult(str(path), "failed", doc_id, reason=f"could not parse ({type(exc).__name__}: {str(exc)[:120]}); please report this file")
    doc = DocumentRecord(
        doc_id=doc_id, file_path=str(path), file_name=path.name, title=path.stem, doc_type=info.doc_type,
        kind=RECORD_KINDS.get(info.doc_type, info.doc_type), file_sha256=sha, size=size, n_chunks=0,
        reader=f"{info.reader}@{version}", ingested_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    note = (f"{info.records:,} records, more than {catalog.embed_max_records:,} (setting catalog_embed_max_records): "
            "kept in the records table only - found by identifier, title and names (`rights catalog`, catalog "
            "questions in the chat), not by meaning")
    if len(warnings) > MAX_DOC_WARNINGS:
        warnings = warnings[:MAX_DOC_WARNINGS]
    if warned > len(warnings):
        warnings.append(f"... {warned:,} records have validation warnings in all (see `rights catalog problems`)")
    doc.warnings = [note, *info.warnings, *warnings]
    return PreparedDocument(path, previous, doc, [])


RECORD_KINDS = {"split sheet": "split sheet", "catalog": "catalog export", "ddex": "DDEX release", "cwr": "CWR registration", "table": "table"}


def _encode(wave: list[PreparedDocument], encoder: Encoder, listener: ProgressListener):
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


def _write_catalog(prepared: PreparedDocument, catalog: CatalogOptions | None) -> None:
    """A record document's rows into the records table (before its ledger entry says complete)."""
    if catalog is None or catalog.path is None or prepared.doc.doc_type == "contract":
        return
    records = [r.record for r in prepared.records if r.record is not None]
    if not records:
        return
    d = prepared.doc
    meta = CatalogMeta(d.doc_id, d.file_name, d.file_path, d.file_sha256, d.doc_type, d.reader, list(d.groups or []))
    with CatalogWriter(catalog.path) as writer:
        writer.write(meta, records)


def _write_wave(wave: list[PreparedDocument], sink: DocumentSink, encoder: Encoder, listener: ProgressListener,
                catalog: CatalogOptions | None = None) -> list[FileResult]:
    # Encode everything before touching the store: a crash while embedding (the slow part)
    # leaves the store as it was, and the embedding cache keeps the finished batches.
    dense, sparse = _encode(wave, encoder, listener)
    results = []
    offset = 0
    for prepared in wave:
        n = len(prepared.records)
        _write_catalog(prepared, catalog)
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
