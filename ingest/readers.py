"""Readers turn one file into the exact text that chunk offsets point into.

Every reader returns an :class:`Extracted`: the text, where each page starts in it (PDF), and
document metadata. Offsets stored on chunks are Python string indices into ``Extracted.text``,
so re-reading the same file with the same reader reproduces every citation exactly.
"""

from __future__ import annotations

import bisect
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .errors import IngestError, UnsupportedFile


@dataclass
class Extracted:
    text: str
    reader: str
    title: str | None = None
    # (offset in text, 1-based page number), ascending; empty for unpaginated formats.
    page_starts: list[tuple[int, int]] = field(default_factory=list)
    # Offsets of lines the source format marks as headings (DOCX heading styles).
    heading_offsets: list[int] = field(default_factory=list)

    @property
    def pages(self) -> int | None:
        return len(self.page_starts) or None

    def page_at(self, offset: int) -> int | None:
        """The page holding character ``offset`` (None when the format has no pages)."""
        if not self.page_starts:
            return None
        i = bisect.bisect_right([s for s, _ in self.page_starts], offset) - 1
        return self.page_starts[max(i, 0)][1]


def read_text_file(path: Path) -> Extracted:
    return Extracted(text=decode_text(path.read_bytes(), path.name), reader="text")


def decode_text(data: bytes, name: str = "file") -> str:
    """Decode bytes as UTF-8 (with or without BOM) or UTF-16 (BOM), else the best reliable guess.

    Binary data and text with no coherent encoding are refused rather than ingested as mojibake.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise IngestError(f"invalid UTF-16 text ({exc.reason} at byte {exc.start})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = None
    if text is None:
        if b"\x00" in data[:65536]:
            raise IngestError("binary data, not text (NUL bytes found)")
        text = _legacy_western(data) or _guessed(data)
    if "\x00" in text:
        raise IngestError("binary data, not text (NUL characters found)")
    controls = sum(1 for ch in text[:100_000] if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > max(10, len(text[:100_000]) // 100):
        raise IngestError("binary data, not text (too many control characters)")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _legacy_western(data: bytes) -> str | None:
    """Windows-1252, the usual legacy encoding of Western contracts, when it reads as text.

    Tried before statistical detection because detectors misjudge short Western texts
    (charset-normalizer reads "café £5" in cp1252 as Baltic cp775).
    """
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    ascii_share = sum(1 for ch in text if ord(ch) < 128) / max(len(text), 1)
    return text if ascii_share >= 0.85 else None


def _guessed(data: bytes) -> str:
    from charset_normalizer import from_bytes

    best = from_bytes(data[:1_000_000]).best()
    if best is None or best.chaos > 0.2 or best.encoding == "utf_8":
        raise IngestError("undecodable text: not UTF-8/UTF-16 and no reliable encoding guess")
    try:
        return data.decode(best.encoding)
    except (UnicodeDecodeError, LookupError):
        raise IngestError("undecodable text: not UTF-8/UTF-16 and no reliable encoding guess") from None


def read_pdf(path: Path) -> Extracted:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError, FileNotDecryptedError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            # Many PDFs are "encrypted" with an empty user password only to set permissions.
            try:
                ok = reader.decrypt("")
            except Exception:  # noqa: BLE001 - pypdf raises several types for unsupported crypto
                ok = 0
            if not ok:
                raise IngestError("encrypted PDF: a password is required to read it")
        parts: list[str] = []
        page_starts: list[tuple[int, int]] = []
        offset = 0
        for number, page in enumerate(reader.pages, start=1):
            page_text = (page.extract_text() or "").replace("\r\n", "\n").replace("\r", "\n")
            page_text = page_text.strip("\n")
            if parts:
                parts.append("\n\n")
                offset += 2
            page_starts.append((offset, number))
            parts.append(page_text)
            offset += len(page_text)
        title = None
        try:
            meta = reader.metadata
            title = (meta.title or "").strip() or None if meta else None
        except Exception:  # noqa: BLE001 - broken metadata must not lose the text
            title = None
    except IngestError:
        raise
    except FileNotDecryptedError:
        raise IngestError("encrypted PDF: a password is required to read it") from None
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, AssertionError) as exc:
        raise IngestError(f"corrupt PDF ({_short(exc)})") from None
    except Exception as exc:  # noqa: BLE001 - pypdf surfaces arbitrary errors on malformed input
        raise IngestError(f"unreadable PDF ({type(exc).__name__}: {_short(exc)})") from None
    text = "".join(parts)
    if not text.strip():
        raise IngestError(
            f"PDF has no text layer ({len(page_starts)} page(s), probably scanned); OCR it first"
        )
    return Extracted(text=text, reader="pdf", title=title, page_starts=page_starts)


MAX_EXPANDED = 512 * 2**20  # bytes a DOCX/XLSX package may unzip to (zip bombs expand to GBs)


def check_zip(path: Path, kind: str) -> None:
    """Refuse a zip package whose parts would expand beyond MAX_EXPANDED, before unzipping."""
    try:
        with zipfile.ZipFile(path) as zf:
            expanded = sum(i.file_size for i in zf.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise IngestError(f"corrupt {kind} ({_short(exc)})") from None
    if expanded > MAX_EXPANDED:
        raise IngestError(f"{kind} expands to {expanded / 2**20:,.0f} MB (limit {MAX_EXPANDED // 2**20} MB): refused as a possible zip bomb")


def read_docx(path: Path) -> Extracted:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    check_zip(path, "DOCX")
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise IngestError(f"corrupt DOCX ({_short(exc)})") from None
    except Exception as exc:  # noqa: BLE001 - lxml/zip errors on malformed packages
        raise IngestError(f"unreadable DOCX ({type(exc).__name__}: {_short(exc)})") from None
    lines: list[str] = []
    heading_offsets: list[int] = []
    offset = 0
    # Body order matters for citations: walk paragraphs and tables as they appear.
    for block in document.iter_inner_content():
        if hasattr(block, "rows"):
            block_lines = [
                " | ".join(cell.text.strip() for cell in row.cells) for row in block.rows
            ]
            is_heading = False
        else:
            block_lines = [block.text]
            style = (block.style.name if block.style is not None else "") or ""
            is_heading = style.lower().startswith(("heading", "title"))
        for line in block_lines:
            if is_heading and line.strip():
                heading_offsets.append(offset)
            lines.append(line)
            offset += len(line) + 1
    text = "\n".join(lines)
    if not text.strip():
        raise IngestError("DOCX contains no text")
    title = (document.core_properties.title or "").strip() or None
    return Extracted(text=text, reader="docx", title=title, heading_offsets=heading_offsets)


READERS = {
    ".pdf": read_pdf,
    ".docx": read_docx,
    ".txt": read_text_file,
    ".text": read_text_file,
    ".md": read_text_file,
    ".markdown": read_text_file,
}


def ingestible_suffixes() -> list[str]:
    """Every extension ingest reads: text documents here, record files in ``ingest.records``."""
    from .records import SUFFIXES

    return sorted(set(READERS) | SUFFIXES)


def read_file(path: Path) -> Extracted:
    """Extract a file's text, raising :class:`IngestError` with a one-line reason on bad input."""
    suffix = path.suffix.lower()
    reader = READERS.get(suffix)
    if reader is None:
        raise UnsupportedFile(f"unsupported file type '{suffix or path.name}' (supported: {', '.join(ingestible_suffixes())})")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise IngestError(f"cannot read file ({exc.strerror})") from None
    if size == 0:
        raise IngestError("empty file (0 bytes)")
    try:
        extracted = reader(path)
    except (IngestError, UnsupportedFile):
        raise
    except OSError as exc:
        raise IngestError(f"cannot read file ({exc.strerror or exc})") from None
    except MemoryError:
        raise IngestError("file too large to extract in memory") from None
    if not extracted.text.strip():
        raise IngestError("no text in file (only whitespace)")
    return extracted


def _short(exc: BaseException, limit: int = 120) -> str:
    message = " ".join(str(exc).split()) or type(exc).__name__
    return message if len(message) <= limit else message[: limit - 1] + "…"
