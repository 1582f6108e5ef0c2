"""The records table: every work, recording, release and deal of every record file, in SQLite.

Records are looked up by identifier, title and names far more than by meaning, and catalog
questions are lists and counts ("which works does this writer have with us"), so besides the
vector store each record is written here (``DATA_DIR/catalog.sqlite``, WAL mode): one row per
record with its document, file, lines and access groups, its parties (writers and publishers
with IPI, society and shares), its identifiers (with check-digit validity, IPI included) and an
FTS5 index over title and names.

A document's rows are replaced whole, delete-then-insert in one transaction: a crashed ingest
leaves the old rows (and the ledger says pending, so the next run finishes it). Which rows may
be shown is decided by the caller against the documents ledger (assistant/catalog/queries.py):
only documents complete in the ledger, with the same file hash, and visible to the viewer.
Every row also carries a hash of its content (``row_hash``) so an unchanged row can be told
from a changed one.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.records.model import SHARE, SHARE_TOLERANCE, Record

FILE_NAME = "catalog.sqlite"
BATCH = 2000  # rows per executemany

SCHEMA = """
CREATE TABLE IF NOT EXISTS docs(
    doc_id TEXT PRIMARY KEY, file_name TEXT, file_path TEXT, sha TEXT, doc_type TEXT, reader TEXT,
    groups TEXT, records INTEGER, embedded INTEGER);
CREATE TABLE IF NOT EXISTS records(
    id INTEGER PRIMARY KEY, doc_id TEXT NOT NULL, seq INTEGER, kind TEXT, title TEXT, ntitle TEXT,
    wkey TEXT, line_start INTEGER, line_end INTEGER, location TEXT, start_offset INTEGER, end_offset INTEGER,
    groups TEXT, row_hash TEXT, shares TEXT, shares_ok INTEGER, data TEXT);
CREATE INDEX IF NOT EXISTS records_doc ON records(doc_id, line_start);
CREATE INDEX IF NOT EXISTS records_ntitle ON records(ntitle);
CREATE INDEX IF NOT EXISTS records_kind ON records(kind, shares_ok);
CREATE TABLE IF NOT EXISTS parties(
    record_id INTEGER, doc_id TEXT, kind TEXT, name TEXT, nname TEXT, role TEXT, ipi TEXT, ipi_valid INTEGER,
    society TEXT, shares TEXT, publisher TEXT);
CREATE INDEX IF NOT EXISTS parties_record ON parties(record_id);
CREATE INDEX IF NOT EXISTS parties_nname ON parties(nname);
CREATE INDEX IF NOT EXISTS parties_doc ON parties(doc_id);
CREATE TABLE IF NOT EXISTS idents(record_id INTEGER, doc_id TEXT, scheme TEXT, value TEXT, valid INTEGER);
CREATE INDEX IF NOT EXISTS idents_value ON idents(value, scheme);
CREATE INDEX IF NOT EXISTS idents_record ON idents(record_id);
CREATE INDEX IF NOT EXISTS idents_doc ON idents(doc_id);
CREATE VIRTUAL TABLE IF NOT EXISTS records_fts USING fts5(title, names, tokenize='unicode61 remove_diacritics 2');
"""


def ipi_valid(value: str | None) -> bool:
    """IPI name number check digits: the last two make the weighted sum of the first nine
    (weights 10 down to 2) a multiple of 101."""
    if not value or not re.fullmatch(r"\d{1,11}", value):
        return False
    digits = value.zfill(11)
    total = sum(int(d) * (10 - i) for i, d in enumerate(digits[:9]))
    return (total + int(digits[9:])) % 101 == 0


def fold(text: str | None) -> str:
    """Lowercase, accents and punctuation removed, single spaces."""
    text = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def norm_title(title: str | None) -> str:
    """A title for matching: bracketed versions ("(Radio Edit)") and punctuation ignored."""
    return fold(re.sub(r"[(\[].*?[)\]]", " ", str(title or ""))).replace(" ", "")


def norm_name(name: str | None) -> str:
    """A person or company for matching: "Smith, John", "JOHN SMITH" and "John Smith" agree."""
    return " ".join(sorted(fold(name).split()))


def writers_key(record: Record) -> str:
    return "|".join(sorted({norm_name(p.name) for p in record.parties if p.kind == "writer" and p.name}))


def _share_status(record: Record) -> tuple[dict[str, float], int | None]:
    """Totals per right type, and 1/0 whether they are whole (None: no shares, or not a work)."""
    totals = record.share_totals()
    if record.kind != "work" or not totals:
        return totals, None
    return totals, int(all(abs(t - 100.0) <= SHARE_TOLERANCE for t in totals.values()))


@dataclass
class DocumentMeta:
    doc_id: str
    file_name: str
    file_path: str
    sha: str
    doc_type: str
    reader: str
    groups: list[str]
    embedded: bool = True


def connect(path: Path, *, create: bool = False) -> sqlite3.Connection:
    if create:
        path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(str(path), timeout=30, isolation_level=None, check_same_thread=False)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    if create:
        con.executescript(SCHEMA)
    return con


def record_rows(doc_id: str, seq: int, record: Record, groups_json: str, source: str = "") -> tuple:
    totals, ok = _share_status(record)
    data = {"fields": record.fields, "warnings": record.warnings}
    data_json = json.dumps(data, ensure_ascii=False, default=str, separators=(",", ":"))
    parties = []
    names = []
    for p in record.parties:
        names.append(p.name or "")
        if p.publisher:
            names.append(p.publisher)
        parties.append((doc_id, p.kind, p.name, norm_name(p.name), p.role, p.ipi, int(ipi_valid(p.ipi)) if p.ipi else None,
                        p.society, json.dumps(p.shares) if p.shares else None, p.publisher))
    for key in ("artists", "display_artist"):
        value = record.fields.get(key)
        if value:
            names.extend(value if isinstance(value, list) else [str(value)])
    idents = [(doc_id, i.scheme, i.value, int(ipi_valid(i.value) if i.scheme == "IPI" else i.valid)) for i in record.identifiers]
    row_hash = hashlib.sha1(
        "\x1f".join([record.kind, record.title or "", data_json, repr(parties), repr(idents)]).encode()).hexdigest()
    row = (doc_id, seq, record.kind, record.title, norm_title(record.title), writers_key(record) if record.kind == "work" else None,
           record.line_start, record.line_end, record.location, record.start, record.end, groups_json, row_hash,
           json.dumps(totals) if totals else None, ok, data_json)
    return row, parties, idents, (record.title or "", " ; ".join(n for n in names if n))


class CatalogWriter:
    """Replaces one document's rows in one transaction: ``begin``, ``add`` batches, ``commit``."""

    def __init__(self, path: Path):
        self.path = path
        self.con = connect(path, create=True)

    def __enter__(self) -> CatalogWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.con.in_transaction:
            self.con.execute("ROLLBACK")
        self.con.close()

    def begin(self, meta: DocumentMeta) -> None:
        self.meta = meta
        self.count = 0
        self.groups_json = json.dumps(sorted(meta.groups or []))
        self.con.execute("BEGIN IMMEDIATE")
        _delete(self.con, meta.doc_id)

    def add(self, records: Iterable[Record]) -> int:
        rows, party_rows, ident_rows, fts_rows = [], [], [], []
        meta = self.meta
        for record in records:
            row, parties, idents, fts = record_rows(meta.doc_id, self.count, record, self.groups_json)
            self.count += 1
            rows.append(row)
            party_rows.append(parties)
            ident_rows.append(idents)
            fts_rows.append(fts)
        if not rows:
            return 0
        cur = self.con.execute("SELECT COALESCE(MAX(id), 0) FROM records")
        first = cur.fetchone()[0] + 1
        self.con.executemany(
            "INSERT INTO records(id, doc_id, seq, kind, title, ntitle, wkey, line_start, line_end, location, start_offset,"
            " end_offset, groups, row_hash, shares, shares_ok, data) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [(first + i, *row) for i, row in enumerate(rows)])
        self.con.executemany("INSERT INTO parties VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                             [(first + i, *p) for i, ps in enumerate(party_rows) for p in ps])
        self.con.executemany("INSERT INTO idents VALUES (?,?,?,?,?)",
                             [(first + i, *x) for i, xs in enumerate(ident_rows) for x in xs])
        self.con.executemany("INSERT INTO records_fts(rowid, title, names) VALUES (?,?,?)",
                             [(first + i, *f) for i, f in enumerate(fts_rows)])
        return len(rows)

    def commit(self) -> None:
        m = self.meta
        self.con.execute("INSERT OR REPLACE INTO docs VALUES (?,?,?,?,?,?,?,?,?)",
                         (m.doc_id, m.file_name, m.file_path, m.sha, m.doc_type, m.reader, self.groups_json, self.count,
                          int(m.embedded)))
        self.con.execute("COMMIT")

    def write(self, meta: DocumentMeta, records: Iterable[Record]) -> int:
        self.begin(meta)
        try:
            batch: list[Record] = []
            for record in records:
                batch.append(record)
                if len(batch) >= BATCH:
                    self.add(batch)
                    batch = []
            self.add(batch)
            self.commit()
        except BaseException:
            if self.con.in_transaction:
                self.con.execute("ROLLBACK")
            raise
        return self.count


def _delete(con: sqlite3.Connection, doc_id: str) -> None:
    con.execute("DELETE FROM records_fts WHERE rowid IN (SELECT id FROM records WHERE doc_id = ?)", (doc_id,))
    for table in ("idents", "parties", "records", "docs"):
        con.execute(f"DELETE FROM {table} WHERE doc_id = ?", (doc_id,))  # noqa: S608 - fixed table names


def forget(path: Path, doc_id: str) -> None:
    if not path.exists():
        return
    with closing(connect(path, create=True)) as con:
        con.execute("BEGIN IMMEDIATE")
        _delete(con, doc_id)
        con.execute("COMMIT")


def documents(path: Path) -> dict[str, dict[str, Any]]:
    """The catalog's documents: doc_id -> {sha, file_name, records, embedded ...}."""
    if not path.exists():
        return {}
    with closing(connect(path, create=True)) as con:
        con.row_factory = sqlite3.Row
        return {r["doc_id"]: dict(r) for r in con.execute("SELECT * FROM docs")}


def row_hashes(path: Path, doc_id: str) -> Iterator[str]:
    if not path.exists():
        return iter(())
    with closing(connect(path, create=True)) as con:
        return iter([r[0] for r in con.execute("SELECT row_hash FROM records WHERE doc_id = ? ORDER BY seq", (doc_id,))])


__all__ = ["SHARE", "CatalogWriter", "DocumentMeta", "connect", "documents", "fold", "forget", "ipi_valid",
           "norm_name", "norm_title"]


@dataclass
class CatalogOptions:
    """Where ingest writes the records table, and when a file is too big to embed row by row."""

    path: Path | None  # None: no records table (a store without a data directory)
    embed_max_records: int = 20_000  # a CSV/TSV with more rows goes to the records table only
    max_records: int = 5_000_000  # rows per file in the records table; more is refused whole
    max_file_bytes: int = 4096 * 2**20  # CSV/TSV files stream (memory bounded): their own size limit
