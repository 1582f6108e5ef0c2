"""Bytes to text, and the zip-bomb guard: shared by document readers and record readers.

A leaf module (it imports only :mod:`ingest.errors`) so that ``ingest.records`` can decode CSV,
CWR and DDEX bytes exactly as text documents are decoded without importing the document readers.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from ingest.errors import IngestError


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


MAX_EXPANDED = 512 * 2**20  # bytes a DOCX/XLSX package may unzip to (zip bombs expand to GBs)


def check_zip(path: Path, kind: str) -> None:
    """Refuse a zip package whose parts would expand beyond MAX_EXPANDED, before unzipping."""
    try:
        with zipfile.ZipFile(path) as zf:
            expanded = sum(i.file_size for i in zf.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise IngestError(f"corrupt {kind} ({short_reason(exc)})") from None
    if expanded > MAX_EXPANDED:
        raise IngestError(f"{kind} expands to {expanded / 2**20:,.0f} MB (limit {MAX_EXPANDED // 2**20} MB): refused as a possible zip bomb")


def short_reason(exc: BaseException, limit: int = 120) -> str:
    message = " ".join(str(exc).split()) or type(exc).__name__
    return message if len(message) <= limit else message[: limit - 1] + "…"
