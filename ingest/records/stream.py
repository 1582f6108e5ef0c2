"""Large CSV/TSV catalog exports read as a stream: records one at a time, memory bounded.

:func:`read_table` (tables.py) holds a file's whole text and rows: right for a split sheet, not
for a million-row export. This reader understands the columns the same way (the same header
aliases, wide and long layouts, plain tables) but yields each record as soon as its rows are
read, with its lines and character offsets in the file, so the records table can be filled in
batches. Long layouts (one writer per row) hold only the rows of the work being read.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from ingest.errors import IngestError
from ingest.records.model import Record
from ingest.records.tables import Row, _cell, _get, _is_header, _long_records, _table_rows, _wide_record, understand

STREAM_SUFFIXES = {".csv", ".tsv", ".txt"}


def count_lines(path: Path, limit: int | None = None) -> int:
    """Newlines in the file (a cheap upper bound of its rows); stops counting past ``limit``."""
    n = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            n += chunk.count(b"\n")
            if limit is not None and n > limit:
                return n
    return n


def _encoding(path: Path) -> str:
    head = path.open("rb").read(4)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 22):
                try:
                    chunk.decode("utf-8")
                except UnicodeDecodeError as exc:
                    if exc.start < len(chunk) - 4:  # not just a character cut at the chunk's end
                        return "cp1252"
    except OSError:
        pass
    return "utf-8-sig"


class _Lines:
    """The file's lines for csv.reader, counting characters so rows map to offsets."""

    def __init__(self, fh: io.TextIOBase):
        self.fh = fh
        self.offset = 0  # characters consumed
        self.last_newline = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self.fh.readline()
        if not line:
            raise StopIteration
        self.offset += len(line)
        self.last_newline = len(line) - len(line.rstrip("\r\n"))
        return line


class StreamedTable:
    """What :func:`stream_table` learned about the file: layout, kind, file warnings."""

    def __init__(self) -> None:
        self.doc_type = "table"
        self.reader = "csv-table"
        self.warnings: list[str] = []
        self.records = 0


def stream_table(path: Path, info: StreamedTable | None = None) -> Iterator[Record]:
    """Records of a CSV/TSV split sheet or catalog export, one at a time (see module doc)."""
    info = info or StreamedTable()
    encoding = _encoding(path)
    with path.open("r", encoding=encoding, errors="replace", newline="") as fh:
        sample = fh.read(20_000)
        fh.seek(0)
        try:
            dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        except csv.Error:
            dialect = csv.excel_tab if path.suffix.lower() == ".tsv" else csv.excel
        lines = _Lines(fh)
        reader = csv.reader(lines, dialect)

        def rows() -> Iterator[tuple[Row, int, int]]:
            previous_line, previous_offset = 0, 0
            try:
                for cells in reader:
                    first, previous_line = previous_line + 1, reader.line_num
                    start, previous_offset = previous_offset, lines.offset
                    if not any(c.strip() for c in cells):
                        continue
                    where = f"line {first}" if first == reader.line_num else f"lines {first}-{reader.line_num}"
                    yield Row(cells, first, reader.line_num, where), start, lines.offset - lines.last_newline
            except csv.Error as exc:
                raise IngestError(f"malformed CSV at line {reader.line_num}: {exc}") from None

        it = rows()
        head = [x for _, x in zip(range(2), it)]
        if not head:
            raise IngestError("no records: the table has no data rows")
        second = head[1][0].cells if len(head) > 1 else None
        is_header = _is_header(head[0][0].cells, second)
        headers = [_cell(c) for c in head[0][0].cells] if is_header else None
        data = (head[1:] if is_header else head)

        def all_rows() -> Iterator[tuple[Row, int, int]]:
            yield from data
            yield from it

        layout = understand(headers) if headers else None
        writers = bool(layout and (any(k[0] == "writer" for k in layout.groups)
                                   or {"name", "last", "share", "pr_share", "ipi"} & set(layout.party)))
        has_title = bool(layout and "title" in layout.work)
        catalog = bool(layout and not writers and ({"isrc", "upc"} & set(layout.work)))
        wide = bool(layout and any(k[0] == "writer" for k in layout.groups))
        if layout and has_title and (writers or catalog):
            info.doc_type = "catalog" if catalog else "split sheet"
            shown = ", ".join(f"'{u}'" for u in layout.unknown[:8] if u)
            if shown:
                info.warnings.append(f"columns not understood (kept in the file, not indexed): {shown}")
        else:
            cols = ", ".join(f"'{h}'" for h in (headers or [])[:10] if h) or "no header row"
            info.warnings.append(f"unknown layout ({cols}): not a split sheet or catalog export; rows stored as plain table rows")
        info.reader = f"csv-{info.doc_type.replace(' ', '')}-stream"

        def finish(record: Record, start: int, end: int) -> Record:
            record.start, record.end = start, max(start, end)
            record.check_shares()
            info.records += 1
            return record

        if info.doc_type == "table":
            for row, start, end in all_rows():
                yield finish(_table_rows([row], headers)[0], start, end)
            return
        if wide:
            for row, start, end in all_rows():
                yield finish(_wide_record(row, layout), start, end)
            return
        if catalog:
            for row, start, end in all_rows():
                yield finish(_long_records([row], layout, True)[0], start, end)
            return
        # long split sheet: consecutive rows of one work
        key_cols = [layout.work.get(k) for k in ("title", "iswc", "work_id")]
        pending: list[Row] = []
        span = (0, 0)
        current_key: tuple | None = None
        for row, start, end in all_rows():
            key = tuple(_cell(_get(row.cells, c)) for c in key_cols)
            if pending and any(key) and key != current_key:
                yield finish(_long_records(pending, layout, False)[0], *span)
                pending = []
            if not pending:
                span = (start, end)
                current_key = key
            pending.append(row)
            span = (span[0], end)
        if pending:
            yield finish(_long_records(pending, layout, False)[0], *span)
