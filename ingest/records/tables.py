"""Split sheets and catalog exports as CSV or XLSX: one work or recording per record.

Companies name their columns every way ("Writer 1 IPI", "IPI/CAE #", "Songwriter", "Split %"),
so headers are matched against aliases after normalisation. Two layouts are understood:

* **wide**: one row per work, numbered column groups ("Writer 2 Last", "Writer 2 Share",
  "Recording 1 ISRC"), as exported by publishing systems;
* **long**: one row per writer, consecutive rows of the same title forming one work (the usual
  hand-made split sheet); a catalog export is one row per recording (ISRC/UPC, no writers).

A file with neither shape is ingested row by row as a plain table, with a file warning naming
its columns: nothing is lost, and the report says the layout was not understood.
Shares are normalised to percent: "50%", "33.33 %", "50,5%" and 50 are percent; 0.5 is a fraction.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.decoding import decode_text
from ingest.errors import IngestError
from ingest.identifiers import find_identifiers
from ingest.records.model import SHARE, Party, Record, RecordSet, line_offsets, span_of_lines

MAX_ROWS = 50_000  # default rows per file (setting ingest_max_records); more is refused unread, memory bounded
MAX_CELLS = 5_000_000  # XLSX cells over all sheets (zip bombs expand to billions)


def _norm(header: str) -> str:
    h = str(header or "").strip().lower().replace("&", " and ")
    h = re.sub(r"[_/\\.#:()\[\]-]+", " ", h)
    h = h.replace("%", " percent ")
    return " ".join(h.split())


def _aliases(spec: dict[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, names in spec.items():
        for name in names.split("|"):
            out[_norm(name)] = key
    return out


# Work / recording level columns.
WORK_COLUMNS = _aliases({
    "title": "title|work title|song title|song|song name|track title|track|track name|composition|composition title|work|work name|recording title|name of work|original title",
    "iswc": "iswc|iswc code|iswc number|work iswc",
    "isrc": "isrc|isrc code|recording isrc|isrcs",
    "upc": "upc|ean|barcode|icpn|upc ean|ean upc|upc code|product upc|release upc",
    "work_id": "work id|song id|song code|work code|work number|catalog id|catalogue id|internal id|id",
    "artist": "artist|artists|performer|performers|display artist|main artist|recording artist|artist name",
    "label": "label|record label|label name",
    "release": "release|album|album title|release title|product title|product",
    "release_date": "release date|date released|original release date|street date",
    "duration": "duration|length|time|running time",
    "catalog_number": "catalog number|catalogue number|cat no|cat number|catalog no",
    "alt_title": "alt title|alternate title|alternative title|aka|also known as",
    "library": "library|cd identifier",
    "genre": "genre",
})
# Party columns (long layout: one writer per row; wide layout: after "Writer 2 ...").
PARTY_COLUMNS = _aliases({
    "name": "writer|writer name|writers|composer|composer name|songwriter|songwriter name|author|name|full name|writer full name|party|contributor",
    "last": "last|last name|surname|family name|writer last name|writer last",
    "first": "first|first name|given name|writer first name|writer first",
    "role": "role|capacity|writer role|designation|writer designation|type",
    "ipi": "ipi|ipi name|ipi number|ipi name number|ipi cae|cae|ipi cae number|cae ipi|writer ipi|ipi no",
    "society": "pro|society|pro affiliation|cmo|affiliation|performing rights society|pro society|writer pro",
    "mr_society": "mro|mechanical society",
    "sr_society": "sro|sync society",
    "share": "share|split|split percent|percent|percentage|ownership|ownership share|writer share|share percent|manuscript share|splits",
    "pr_share": "pr share|performance share|performing share|pr ownership share",
    "mr_share": "mr share|mechanical share|mr ownership share",
    "sr_share": "sr share|sync share|synchronisation share|synchronization share",
    "controlled": "controlled|controlled writer|control",
    "publisher": "publisher|publisher name|writer publisher|original publisher",
    "publisher_ipi": "publisher ipi|publisher ipi name|publisher cae",
    "publisher_society": "publisher pro|publisher society",
    "publisher_pr_share": "publisher pr share|publisher share|publisher split",
    "publisher_mr_share": "publisher mr share",
    "publisher_sr_share": "publisher sr share",
    "saan": "saan|society assigned agreement number",
})
WIDE = re.compile(r"^(writer|composer|songwriter|author|artist|recording|publisher|reference|alt title|alternate title)\s*(\d+)\s*(.*)$")
ROLE_CODES = {
    "c": "Composer", "a": "Lyricist", "ca": "Composer/Lyricist", "ar": "Arranger", "ad": "Adaptor",
    "tr": "Translator", "sa": "Sub-Arranger", "sr": "Sub-Author", "e": "Original Publisher",
    "am": "Administrator", "se": "Sub-Publisher", "pa": "Income Participant",
}


def normalize_share(value: Any) -> float | None:
    """Percent from "50%", "33,33 %", "0.5", 50, 0.6667; None when blank; ValueError when not a share."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(str(value))
    if isinstance(value, (int, float)):
        number, percent = float(value), False
    else:
        text = str(value).strip()
        if not text:
            return None
        percent = "%" in text
        text = text.replace("%", "").replace(" ", "")
        if re.fullmatch(r"\d+,\d+", text):
            text = text.replace(",", ".")
        if re.fullmatch(r"\d+\s*/\s*\d+", text):
            a, b = text.split("/")
            return round(100.0 * int(a) / int(b), 4) if int(b) else None
        number = float(text)  # ValueError for "n/a", "half" ...
    if number < 0:
        raise ValueError(str(value))
    if not percent and number <= 1.0:
        number *= 100.0
    return round(number, 4)


def normalize_role(value: Any) -> str | None:
    text = str(value or "").strip()
    if not text:
        return None
    code = re.split(r"\s*[–—-]\s*", text, maxsplit=1)
    if len(code) == 2 and code[0].lower() in ROLE_CODES:
        return ROLE_CODES[code[0].lower()]
    if text.lower() in ROLE_CODES:
        return ROLE_CODES[text.lower()]
    return re.sub(r"\s*(?:&|\band\b)\s*", "/", text)


def normalize_society(value: Any) -> str | None:
    """ "10 – ASCAP" -> "ASCAP"; "ASCAP" stays."""
    text = str(value or "").strip()
    if not text:
        return None
    m = re.match(r"^\d+\s*[–—-]\s*(.+)$", text)
    return m.group(1).strip() if m else text


def _flag(value: Any) -> bool | None:
    text = str(value or "").strip().lower()
    if text in ("y", "yes", "true", "1", "x", "controlled"):
        return True
    if text in ("n", "no", "false", "0", "uncontrolled"):
        return False
    return None


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


@dataclass
class Row:
    cells: list[Any]
    line_start: int
    line_end: int
    location: str


@dataclass
class Sheet:
    name: str | None
    rows: list[Row]
    text_lines: tuple[int, int] = (0, 0)
    warnings: list[str] = field(default_factory=list)


# -- reading the grid -------------------------------------------------------------------------
def too_many_records(limit: int) -> IngestError:
    return IngestError(
        f"more than {limit:,} records in one file: refused, nothing partial is stored (setting ingest_max_records; "
        "a CSV/TSV export of any size up to catalog_max_records goes to the records table instead - save the sheet as CSV, "
        "raise the limit for a nightly run, or split the file)"
    )


def _read_csv(path: Path, max_rows: int = MAX_ROWS) -> tuple[str, list[Sheet]]:
    text = decode_text(path.read_bytes(), path.name)
    sample = text[:20_000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel_tab if path.suffix.lower() == ".tsv" else csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    rows: list[Row] = []
    sheet = Sheet(None, rows)
    previous = 0
    try:
        for cells in reader:
            first, previous = previous + 1, reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(rows) >= max_rows:
                raise too_many_records(max_rows)
            rows.append(Row(cells, first, reader.line_num, f"line {first}" if first == reader.line_num else f"lines {first}-{reader.line_num}"))
    except csv.Error as exc:
        raise IngestError(f"malformed CSV at line {reader.line_num}: {exc}") from None
    return text, [sheet]


def _read_xlsx(path: Path, max_rows: int = MAX_ROWS) -> tuple[str, list[Sheet]]:
    import zipfile

    import openpyxl

    from ingest.decoding import check_zip

    check_zip(path, "XLSX")
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except IngestError:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise IngestError(f"corrupt XLSX ({exc})") from None
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types on malformed parts
        raise IngestError(f"unreadable XLSX ({type(exc).__name__}: {exc})") from None
    lines: list[str] = []
    sheets: list[Sheet] = []
    cells_seen = 0
    try:
        for ws in book.worksheets:
            lines.append(f"## Sheet: {ws.title}")
            rows: list[Row] = []
            sheet = Sheet(ws.title, rows)
            for r, values in enumerate(ws.iter_rows(values_only=True), start=1):
                cells = [_cell(v) if not isinstance(v, (int, float)) or isinstance(v, bool) else v for v in values]
                cells_seen += len(cells)
                if cells_seen > MAX_CELLS:
                    raise IngestError(f"XLSX has more than {MAX_CELLS:,} cells: refused (split the workbook)")
                while cells and (cells[-1] is None or cells[-1] == ""):
                    cells.pop()
                lines.append("\t".join(_cell(c) for c in cells))
                if not any(_cell(c) for c in cells):
                    continue
                if sum(len(sh.rows) for sh in sheets) + len(rows) >= max_rows:
                    raise too_many_records(max_rows)
                rows.append(Row(cells, len(lines), len(lines), f"sheet {ws.title} row {r}"))
            sheets.append(sheet)
    finally:
        book.close()
    return "\n".join(lines), sheets


# -- understanding the columns -----------------------------------------------------------------
@dataclass
class Layout:
    work: dict[str, int]  # key -> column
    party: dict[str, int]  # long layout: party key -> column
    groups: dict[tuple[str, int], dict[str, int]]  # wide layout: ("writer", 2) -> {key: column}
    unknown: list[str]


def _group_kind(word: str) -> str:
    return {"composer": "writer", "songwriter": "writer", "author": "writer", "alternate title": "alt title"}.get(word, word)


def understand(headers: list[str]) -> Layout:
    layout = Layout({}, {}, {}, [])
    for col, raw in enumerate(headers):
        h = _norm(raw)
        if not h:
            continue
        m = WIDE.match(h)
        if m:
            kind, n, rest = _group_kind(m.group(1)), int(m.group(2)), m.group(3).strip()
            group = layout.groups.setdefault((kind, n), {})
            if kind == "writer" and rest.startswith("publisher"):
                key = PARTY_COLUMNS.get(_norm(rest)) or "publisher_" + rest.removeprefix("publisher").strip().replace(" ", "_")
                key = {"publisher_name": "publisher", "publisher_pro": "publisher_society"}.get(key, key)
            elif kind == "writer":
                key = PARTY_COLUMNS.get(rest) or PARTY_COLUMNS.get(f"writer {rest}")
            elif kind == "artist":
                key = PARTY_COLUMNS.get(rest) or {"isni": "isni", "": "name"}.get(rest)
            elif kind == "recording":
                key = {"": "isrc"}.get(rest) or WORK_COLUMNS.get(rest) or rest.replace(" ", "_")
                key = {"recording_title": "title", "artist_last": "artist_last", "artist_first": "artist_first"}.get(key, key)
                if rest == "recording title":
                    key = "title"
            elif kind == "publisher":
                key = PARTY_COLUMNS.get(rest) or PARTY_COLUMNS.get(f"publisher {rest}") or ("name" if rest in ("", "name") else None)
            elif kind == "reference":
                key = {"cmo": "cmo", "id": "id"}.get(rest)
            else:  # alt title N
                key = "title"
            if key:
                group.setdefault(key, col)
            else:
                layout.unknown.append(str(raw).strip())
            continue
        if h in WORK_COLUMNS and WORK_COLUMNS[h] not in layout.work:
            layout.work[WORK_COLUMNS[h]] = col
        elif h in PARTY_COLUMNS and PARTY_COLUMNS[h] not in layout.party:
            layout.party[PARTY_COLUMNS[h]] = col
        else:
            layout.unknown.append(str(raw).strip())
    # "Writer"/"Name" headers are the title in a file that has no other title column only if it
    # has no writers at all; a lone "id" without a title is no work id.
    return layout


def _numeric(value: Any) -> bool:
    return isinstance(value, (int, float)) or bool(re.fullmatch(r"[-+]?[\d.,%\s]+", _cell(value)))


def _is_header(cells: list[Any], following: list[Any] | None) -> bool:
    """Known column names, or a row of words above a row holding numbers."""
    texts = [_norm(_cell(c)) for c in cells if _cell(c)]
    if not texts:
        return False
    known = sum(1 for t in texts if t in WORK_COLUMNS or t in PARTY_COLUMNS or WIDE.match(t))
    if known >= 2 or (known >= 1 and len(texts) <= 2):
        return True
    words = not any(_numeric(c) for c in cells if _cell(c))
    return words and following is not None and any(_numeric(c) for c in following if _cell(c))


def _get(cells: list[Any], col: int | None) -> Any:
    if col is None or col >= len(cells):
        return None
    value = cells[col]
    return None if value is None or (isinstance(value, str) and not value.strip()) else value


# -- building records --------------------------------------------------------------------------
def _ipi(cells: list[Any], col: int | None, record: Record, who: str) -> str | None:
    """A party's canonical IPI from its column, also indexed on the record; a bad one warns."""
    raw = _get(cells, col)
    ident = record.add_identifier("IPI", raw, f"IPI of {who}") if raw is not None else None
    return ident.value if ident else None


def _shares(cells: list[Any], cols: dict[str, int], columns, record: Record, who: str) -> dict[str, float]:
    """Shares in percent by right type from the ``(column key, right)`` pairs; bad values warn."""
    shares: dict[str, float] = {}
    for key, right in columns:
        raw = _get(cells, cols.get(key))
        try:
            share = normalize_share(raw)
        except ValueError:
            record.warnings.append(f"{who}: share '{_cell(raw)}' is not a number")
            continue
        if share is not None:
            shares[right] = share
    return shares


def _party(cells: list[Any], cols: dict[str, int], record: Record, label: str) -> Party | None:
    name = _cell(_get(cells, cols.get("name")))
    first, last = _cell(_get(cells, cols.get("first"))), _cell(_get(cells, cols.get("last")))
    if not name:
        name = " ".join(x for x in (first, last) if x)
    party = Party(name=name, kind="writer")
    party.role = normalize_role(_get(cells, cols.get("role")))
    party.ipi = _ipi(cells, cols.get("ipi"), record, name or label)
    party.society = normalize_society(_get(cells, cols.get("society")))
    for key, right in (("mr_society", "MR"), ("sr_society", "SR")):
        society = normalize_society(_get(cells, cols.get(key)))
        if society and society != party.society:
            party.societies[right] = society
    party.shares = _shares(cells, cols, (("share", SHARE), ("pr_share", "PR"), ("mr_share", "MR"), ("sr_share", "SR")),
                           record, name or label)
    if SHARE in party.shares and len(party.shares) > 1:
        party.shares.pop(SHARE)  # a manuscript share next to PR/MR/SR shares is not a fourth right
    party.controlled = _flag(_get(cells, cols.get("controlled")))
    party.publisher = _cell(_get(cells, cols.get("publisher"))) or None
    if not (name or party.ipi or party.shares or party.role):
        return None
    if not name:
        party.name = "(no name)"
        record.warnings.append(f"{label} has no name")
    return party


def _publisher(cells: list[Any], cols: dict[str, int], record: Record, writer: Party | None) -> Party | None:
    name = _cell(_get(cells, cols.get("publisher")))
    if not name:
        return None
    pub = Party(name=name, kind="publisher", role="Original Publisher")
    pub.ipi = _ipi(cells, cols.get("publisher_ipi"), record, name)
    pub.society = normalize_society(_get(cells, cols.get("publisher_society")))
    pub.shares = _shares(cells, cols, (("publisher_pr_share", "PR"), ("publisher_mr_share", "MR"), ("publisher_sr_share", "SR")),
                         record, name)
    if writer is not None:
        pub.controlled = writer.controlled
    return pub


def _work_fields(cells: list[Any], cols: dict[str, int], record: Record) -> None:
    for scheme, key in (("ISWC", "iswc"), ("UPC", "upc")):
        raw = _get(cells, cols.get(key))
        if raw is not None:
            record.add_identifier(scheme, raw)
    raw = _get(cells, cols.get("isrc"))
    if raw is not None:
        for part in re.split(r"[;,|\n]+", _cell(raw)):
            record.add_identifier("ISRC", part)
    for key in ("work_id", "label", "release", "release_date", "duration", "catalog_number", "library", "genre"):
        value = _get(cells, cols.get(key))
        if value is not None:
            record.fields[key] = _cell(value)
    artist = _get(cells, cols.get("artist"))
    if artist is not None:
        record.fields.setdefault("artists", []).append(_cell(artist))
    alt = _get(cells, cols.get("alt_title"))
    if alt is not None:
        record.fields.setdefault("alt_titles", []).append(_cell(alt))


def _wide_record(row: Row, layout: Layout) -> Record:
    cells = row.cells
    title = _cell(_get(cells, layout.work.get("title")))
    record = Record("work", title or None, 0, 0, row.line_start, row.line_end, location=row.location)
    _work_fields(cells, layout.work, record)
    recordings: list[str] = []
    references: list[str] = []
    for (kind, n), cols in sorted(layout.groups.items(), key=lambda x: (x[0][0], x[0][1])):
        label = f"writer {n}"
        if kind == "writer":
            writer = _party(cells, cols, record, label)
            if writer:
                record.parties.append(writer)
            pub = _publisher(cells, cols, record, writer)
            if pub:
                record.parties.append(pub)
        elif kind == "publisher":
            pub = _party(cells, cols, record, f"publisher {n}")
            if pub:
                pub.kind = "publisher"
                pub.role = pub.role or "Original Publisher"
                record.parties.append(pub)
        elif kind == "artist":
            name = _cell(_get(cells, cols.get("name"))) or " ".join(
                x for x in (_cell(_get(cells, cols.get("first"))), _cell(_get(cells, cols.get("last")))) if x
            )
            if name:
                record.fields.setdefault("artists", []).append(name)
        elif kind == "recording":
            isrc = _get(cells, cols.get("isrc"))
            if isrc is not None:
                record.add_identifier("ISRC", isrc)
            bits = [_cell(_get(cells, cols.get(k))) for k in ("title", "version_title", "record_label", "release_date")]
            artist = " ".join(x for x in (_cell(_get(cells, cols.get("artist_first"))), _cell(_get(cells, cols.get("artist_last")))) if x)
            desc = " - ".join(b for b in bits + [artist] if b)
            if desc or isrc is not None:
                recordings.append(f"{desc} (ISRC {_cell(isrc)})" if isrc is not None and desc else desc or f"ISRC {_cell(isrc)}")
        elif kind == "reference":
            cmo, ref = _cell(_get(cells, cols.get("cmo"))), _cell(_get(cells, cols.get("id")))
            if ref:
                references.append(f"{normalize_society(cmo) or cmo}: {ref}" if cmo else ref)
        elif kind == "alt title":
            alt = _cell(_get(cells, cols.get("title")))
            if alt:
                record.fields.setdefault("alt_titles", []).append(alt)
    if recordings:
        record.fields["recordings"] = recordings
    if references:
        record.fields["society_references"] = references
    if not title:
        record.warnings.append("no title")
    return record


def _long_records(rows: list[Row], layout: Layout, catalog: bool) -> list[Record]:
    records: list[Record] = []
    current: Record | None = None
    key_cols = [layout.work.get(k) for k in ("title", "iswc", "work_id")]
    for row in rows:
        cells = row.cells
        key = tuple(_cell(_get(cells, c)) for c in key_cols)
        title = key[0]
        new_work = catalog or current is None or (any(key) and key != current.fields.get("_key"))
        if new_work:
            current = Record("recording" if catalog else "work", title or None, 0, 0, row.line_start, row.line_end, location=row.location)
            current.fields["_key"] = key
            records.append(current)
            if not title:
                current.warnings.append("no title")
        else:
            current.line_end = row.line_end
            current.location = f"{current.location.split(' row ')[0]} rows {current.location.rsplit(' ', 1)[-1]}-{row.location.rsplit(' ', 1)[-1]}" if " row " in current.location else f"lines {current.line_start}-{row.line_end}"
        _work_fields(cells, layout.work, current)
        if not catalog:
            writer = _party(cells, layout.party, current, f"row {row.location}")
            if writer:
                current.parties.append(writer)
            pub = _publisher(cells, layout.party, current, writer)
            if pub and all(p.name != pub.name or p.kind != "publisher" for p in current.parties):
                current.parties.append(pub)
    for r in records:
        r.fields.pop("_key", None)
        for key in ("artists", "alt_titles"):
            if key in r.fields:
                r.fields[key] = list(dict.fromkeys(r.fields[key]))
    return records


def _table_rows(rows: list[Row], headers: list[str] | None) -> list[Record]:
    records = []
    for row in rows:
        names = headers or [f"column {i + 1}" for i in range(len(row.cells))]
        values = {n or f"column {i + 1}": _cell(v) for i, (n, v) in enumerate(zip(names, row.cells)) if _cell(v)}
        title = next(iter(values.values()), None)
        record = Record("row", title, 0, 0, row.line_start, row.line_end, fields=values, location=row.location)
        for ident in find_identifiers(" ; ".join(values.values())):
            if all(i.key != ident.key for i in record.identifiers):
                record.identifiers.append(ident)
        records.append(record)
    return records


def read_table(path: Path, max_rows: int = MAX_ROWS) -> RecordSet:
    """A split sheet, catalog export or other table (CSV, TSV, XLSX) as records."""
    suffix = path.suffix.lower()
    text, sheets = _read_xlsx(path, max_rows) if suffix in (".xlsx", ".xlsm") else _read_csv(path, max_rows)
    offsets = line_offsets(text)
    records: list[Record] = []
    warnings: list[str] = []
    doc_types: set[str] = set()
    for sheet in sheets:
        warnings.extend(sheet.warnings)
        if not sheet.rows:
            continue
        where = f"sheet {sheet.name}: " if sheet.name else ""
        second = sheet.rows[1].cells if len(sheet.rows) > 1 else None
        header_row = sheet.rows[0] if _is_header(sheet.rows[0].cells, second) else None
        data = sheet.rows[1:] if header_row else sheet.rows
        headers = [_cell(c) for c in header_row.cells] if header_row else None
        layout = understand(headers) if headers else None
        writers = bool(layout and (any(k[0] == "writer" for k in layout.groups) or {"name", "last", "share", "pr_share", "ipi"} & set(layout.party)))
        has_title = bool(layout and "title" in layout.work)
        catalog = bool(layout and not writers and ({"isrc", "upc"} & set(layout.work)))
        if layout and has_title and (writers or catalog):
            if not data:
                warnings.append(f"{where}header row but no data rows")
                continue
            if any(k[0] == "writer" for k in layout.groups):
                found = [_wide_record(row, layout) for row in data]
            else:
                found = _long_records(data, layout, catalog)
            doc_types.add("catalog" if catalog else "split sheet")
            if layout.unknown:
                shown = ", ".join(f"'{u}'" for u in layout.unknown[:8] if u)
                if shown:
                    warnings.append(f"{where}columns not understood (kept in the file, not indexed): {shown}")
        else:
            cols = ", ".join(f"'{h}'" for h in (headers or [])[:10] if h) or "no header row"
            warnings.append(
                f"{where}unknown layout ({cols}): not a split sheet or catalog export "
                "(needs a title column and writer or ISRC/UPC columns); rows ingested as plain table rows"
            )
            found = _table_rows(data, headers)
            doc_types.add("table")
        for record in found:
            record.start, record.end = span_of_lines(offsets, text, record.line_start, record.line_end)
            record.check_shares()
        records.extend(found)
    if not records:
        raise IngestError("no records: " + ("; ".join(warnings) if warnings else "the table has no data rows"))
    doc_type = "split sheet" if "split sheet" in doc_types else ("catalog" if "catalog" in doc_types else "table")
    reader = f"{'xlsx' if suffix in ('.xlsx', '.xlsm') else 'csv'}-{doc_type.replace(' ', '')}"
    return RecordSet(text=text, reader=reader, doc_type=doc_type, records=records, title=path.stem, warnings=warnings)


