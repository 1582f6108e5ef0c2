"""Records: one work, recording, release or deal from a structured file, with typed fields.

A record becomes exactly one chunk. Its ``start``/``end`` are character offsets of the lines it
came from in ``RecordSet.text`` (the file's own text, or for XLSX a rendering of the sheet, one
line per row), ``line_start``/``line_end`` the 1-based lines (rows) for citations. The chunk's
text is :func:`render` of the record: what the embedding model, the lexical index and the
answering model read, and what is quoted; it carries identifiers in canonical and written form.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ingest.identifiers import Identifier, format_identifier, normalize

RIGHT_TYPES = ("PR", "MR", "SR")  # performing, mechanical, synchronisation
SHARE = "share"  # a split sheet's single share column (no right type)
SHARE_TOLERANCE = 0.06  # percentage points: 33.33 x 3 = 99.99 is a whole


@dataclass
class Party:
    """A writer or publisher on a work, with its shares in percent (0-100) by right type."""

    name: str
    kind: str = "writer"  # writer | publisher
    role: str | None = None  # Composer, Lyricist, Composer/Lyricist, Arranger, Original Publisher...
    ipi: str | None = None  # canonical IPI name number (11 digits)
    ipi_base: str | None = None  # I-123456789-3
    society: str | None = None  # performing-rights society: ASCAP, PRS, 021...
    societies: dict[str, str] = field(default_factory=dict)  # {"MR": "HFA"} when they differ by right
    shares: dict[str, float] = field(default_factory=dict)  # {"PR": 50.0, "MR": 50.0} or {"share": 50.0}
    controlled: bool | None = None
    publisher: str | None = None  # for a writer: the publisher it is linked to


@dataclass
class Record:
    kind: str  # work | recording | release | deal | row
    title: str | None
    start: int
    end: int
    line_start: int
    line_end: int
    identifiers: list[Identifier] = field(default_factory=list)
    parties: list[Party] = field(default_factory=list)  # works: writers and publishers
    fields: dict[str, Any] = field(default_factory=dict)  # artists, label, release_date, duration ...
    warnings: list[str] = field(default_factory=list)
    location: str | None = None  # "row 7", "sheet Works row 7", "lines 12-30", "transaction 3"

    def add_identifier(self, scheme: str, raw: Any, what: str | None = None) -> Identifier | None:
        """Normalise and attach ``raw``; a malformed or wrongly checked one becomes a warning."""
        if raw is None or str(raw).strip() == "":
            return None
        ident = normalize(scheme, raw)
        label = what or scheme
        if ident is None:
            self.warnings.append(f"invalid {label} '{str(raw).strip()}' (not a valid {scheme})")
            return None
        if not ident.valid:
            self.warnings.append(f"invalid {label} '{str(raw).strip()}' (check digit)")
        if all(i.key != ident.key for i in self.identifiers):
            self.identifiers.append(ident)
        return ident

    def ids(self, scheme: str | None = None) -> list[str]:
        return [i.value for i in self.identifiers if scheme is None or i.scheme == scheme]

    @property
    def keys(self) -> list[str]:
        return [i.key for i in self.identifiers]

    def share_totals(self) -> dict[str, float]:
        """Sum of all parties' shares per right type (writers and publishers together)."""
        totals: dict[str, float] = {}
        for p in self.parties:
            for right, value in p.shares.items():
                totals[right] = totals.get(right, 0.0) + value
        return totals

    def check_shares(self) -> None:
        """Warn when a work's shares don't total 100% for a right type (validation at ingest)."""
        if self.kind != "work":
            return
        for right, total in sorted(self.share_totals().items()):
            if abs(total - 100.0) > SHARE_TOLERANCE:
                label = "shares" if right == SHARE else f"{right} shares"
                self.warnings.append(f"{label} total {total:.2f}%, not 100%")

    def payload(self) -> dict[str, Any]:
        return {
            "record_kind": self.kind,
            "title": self.title,
            "line_start": self.line_start,
            "line_end": self.line_end,
            "location": self.location,
            "identifiers": [{"scheme": i.scheme, "value": i.value, "valid": i.valid} for i in self.identifiers],
            "parties": [asdict(p) for p in self.parties],
            "fields": self.fields,
            "warnings": list(self.warnings),
        }


@dataclass
class RecordSet:
    text: str  # offsets point into this
    reader: str  # splitsheet-csv | splitsheet-xlsx | ddex-ern-3.8 | ddex-ern-4.1 | cwr-2.1 | cwr-3.0 | table-csv
    doc_type: str  # split sheet | catalog | ddex | cwr | table
    records: list[Record]
    title: str | None = None
    warnings: list[str] = field(default_factory=list)  # file-level: unknown columns, skipped lines
    fields: dict[str, Any] = field(default_factory=dict)  # file-level: sender, message id, created


MAX_DOC_WARNINGS = 50  # validation warnings kept on a document's ledger entry (all stay on chunks)


def document_warnings(file_warnings: list[str], records: list[Record]) -> list[str]:
    """A file's warnings, then each record's prefixed with where it is; capped for the ledger."""
    out = list(file_warnings)
    for r in records:
        out += [f"{r.location or r.title}: {w}" for w in r.warnings]
    if len(out) > MAX_DOC_WARNINGS:
        out = out[:MAX_DOC_WARNINGS] + [f"... and {len(out) - MAX_DOC_WARNINGS} more (see the records)"]
    return out


def _pct(value: float) -> str:
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return f"{text}%"


def format_shares(shares: dict[str, float]) -> str:
    """ "50%" for a split sheet's single share, "PR 25%, MR 50%" by right type."""
    return ", ".join(_pct(v) if right == SHARE else f"{right} {_pct(v)}" for right, v in shares.items())


def render_party(p: Party) -> str:
    bits = [p.name or "(unknown)"]
    if p.role:
        bits.append(p.role)
    if p.ipi:
        bits.append(f"IPI {p.ipi}")
    if p.ipi_base:
        bits.append(f"IPI base {p.ipi_base}")
    if p.society:
        bits.append(p.society)
    for right, society in p.societies.items():
        bits.append(f"{right} society {society}")
    shares = format_shares(p.shares)
    if shares:
        bits.append(f"share {shares}" if set(p.shares) == {SHARE} else shares)
    if p.controlled is not None:
        bits.append("controlled" if p.controlled else "not controlled")
    if p.publisher:
        bits.append(f"publisher {p.publisher}")
    return ", ".join(bits)


FIELD_LABELS = {
    "work_id": "Work ID",
    "alt_titles": "Alternative titles",
    "artists": "Artists",
    "display_artist": "Display artist",
    "label": "Label",
    "release": "Release",
    "release_date": "Release date",
    "duration": "Duration",
    "p_line": "P-line",
    "c_line": "C-line",
    "genre": "Genre",
    "release_type": "Release type",
    "tracks": "Tracks",
    "release_title": "Release",
    "territories": "Territories",
    "excluded_territories": "Excluded territories",
    "commercial_models": "Commercial models",
    "use_types": "Use types",
    "start_date": "Start date",
    "end_date": "End date",
    "catalog_number": "Catalogue number",
    "language": "Language",
    "library": "Library",
    "sender": "Sender",
}

KIND_LABELS = {"work": "Work", "recording": "Sound recording", "release": "Release", "deal": "Deal", "row": "Row"}


def render(record: Record, source: str = "") -> str:
    """Readable text of a record: one fact per line, identifiers in written and compact form."""
    label = KIND_LABELS.get(record.kind, record.kind.title())
    if "video" in str(record.fields.get("resource_type", "")).lower():
        label = "Video"
    lines = [f"{label}: {record.title or '(untitled)'}"]
    if source:
        lines.append(f"Source: {source}")
    for scheme in dict.fromkeys(i.scheme for i in record.identifiers):
        shown = []
        for ident in (i for i in record.identifiers if i.scheme == scheme):
            written = format_identifier(ident.scheme, ident.value)
            many = sum(1 for i in record.identifiers if i.scheme == scheme) > 3
            extra = f" ({ident.value})" if written != ident.value and not many else ""
            bad = " [invalid check digit]" if not ident.valid else ""
            shown.append(f"{written}{extra}{bad}")
        lines.append(f"{scheme}: {', '.join(shown)}")
    writers = [p for p in record.parties if p.kind == "writer"]
    publishers = [p for p in record.parties if p.kind == "publisher"]
    for label, group in (("Writers", writers), ("Publishers", publishers)):
        if group:
            lines.append(f"{label}:")
            lines.extend(f"- {render_party(p)}" for p in group)
    for key, value in record.fields.items():
        if value in (None, "", [], {}):
            continue
        label = FIELD_LABELS.get(key, key.replace("_", " ").capitalize())
        if isinstance(value, (list, tuple)):
            value = "; ".join(str(v) for v in value)
        elif isinstance(value, dict):
            value = "; ".join(f"{k}: {v}" for k, v in value.items())
        lines.append(f"{label}: {value}")
    if record.warnings:
        lines.append("Validation: " + "; ".join(record.warnings))
    return "\n".join(lines)


def line_offsets(text: str) -> list[int]:
    """Offset where each line starts (index 0 = line 1): readers map lines to offsets with it."""
    offsets = [0]
    for i, ch in enumerate(text):
        if ch == "\n":
            offsets.append(i + 1)
    return offsets


def span_of_lines(offsets: list[int], text: str, first: int, last: int) -> tuple[int, int]:
    """Character span of 1-based lines ``first``..``last`` (without the final newline)."""
    start = offsets[first - 1]
    end = offsets[last] - 1 if last < len(offsets) else len(text)
    return start, max(start, end)


MAX_IDENTIFYING_PARTIES = 8


def identifying_text(record: Record, source: str = "") -> str:
    """What a record's chunk is embedded and lexically indexed by: only what identifies it
    (kind, title, writers or artists with their shares, identifiers, release), a line or two,
    never the whole rendering; the rendering stays the chunk's quoted text (see :func:`render`)."""
    label = KIND_LABELS.get(record.kind, record.kind.title())
    bits = [f"{label}: {record.title or '(untitled)'}"]
    ids = " ".join(f"{i.scheme} {i.value}" for i in record.identifiers if i.scheme != "IPI")
    if ids:
        bits.append(ids)
    parties = []
    for p in record.parties[:MAX_IDENTIFYING_PARTIES]:
        shares = format_shares(p.shares)
        parties.append(f"{p.name}" + (f" {shares}" if shares else ""))
    if parties:
        bits.append("by " + ", ".join(parties))
    keys = ["artists", "display_artist", "release", "release_title", "label"]
    if record.kind in ("deal", "row"):  # a deal is identified by its terms; a plain row by its cells
        keys += [k for k in record.fields if k not in keys]
    for key in keys:
        value = record.fields.get(key)
        if isinstance(value, dict):
            value = "; ".join(f"{k}: {v}" for k, v in value.items())
        if value:
            text = "; ".join(str(v) for v in value) if isinstance(value, (list, tuple)) else str(value)
            bits.append(f"{FIELD_LABELS.get(key, key)}: {text}" if record.kind in ("deal", "row") else text)
    if source:
        bits.append(source)
    return "\n".join(bits)
