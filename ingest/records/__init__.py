"""Structured music files: split sheets and catalog exports (CSV/XLSX), DDEX ERN, CWR.

Each reader turns a file into a :class:`~ingest.records.model.RecordSet`: the file's text (what
offsets point into) and one :class:`~ingest.records.model.Record` per work, recording, release
or deal, with typed fields, normalised identifiers and the lines it came from.
"""

from __future__ import annotations

from pathlib import Path

from ingest.errors import IngestError

TABLE_SUFFIXES = {".csv", ".tsv", ".xlsx", ".xlsm"}
CWR_SUFFIXES = {".cwr", ".sub", ".isr", ".v21", ".v22", ".v30", ".v31"}
XML_SUFFIXES = {".xml"}
SUFFIXES = TABLE_SUFFIXES | CWR_SUFFIXES | XML_SUFFIXES


def _head(path: Path, n: int = 4096) -> bytes:
    with path.open("rb") as fh:
        return fh.read(n)


def is_structured(path: Path) -> bool:
    """Whether ``path`` goes to a record reader: by extension, or (any extension) by a CWR header."""
    if path.suffix.lower() in SUFFIXES:
        return True
    try:
        return _head(path, 64).lstrip(b"\xef\xbb\xbf \r\n").startswith(b"HDR")
    except OSError:
        return False


def read_records(path: Path, max_records: int | None = None):
    """The file's records (:class:`~ingest.records.model.RecordSet`); IngestError on bad input,
    or when it holds more than ``max_records`` (tables stop reading there: memory stays bounded)."""
    from ingest.records.tables import MAX_ROWS, too_many_records

    limit = max_records or MAX_ROWS
    rs = _read_records(path, limit)
    if len(rs.records) > limit:
        raise too_many_records(limit)
    return rs


def _read_records(path: Path, limit: int):
    suffix = path.suffix.lower()
    try:
        if path.stat().st_size == 0:
            raise IngestError("empty file (0 bytes)")
        if suffix in TABLE_SUFFIXES:
            from ingest.records.tables import read_table

            return read_table(path, limit)
        head = _head(path)
        if suffix in XML_SUFFIXES:
            from ingest.records.ddex import looks_like_ddex, read_ddex

            if not looks_like_ddex(head):
                raise IngestError("XML that is not a DDEX ERN message (NewReleaseMessage); other XML is not supported")
            return read_ddex(path)
        from ingest.records.cwr import looks_like_cwr, read_cwr

        if not looks_like_cwr(head):
            raise IngestError(f"'{suffix}' file without a CWR header (HDR record): not a CWR file")
        return read_cwr(path)
    except OSError as exc:
        raise IngestError(f"cannot read file ({exc.strerror or exc})") from None
    except MemoryError:
        raise IngestError("file too large to read in memory") from None
