"""Readers turn one file into the exact text that chunk offsets point into.

Every reader returns an :class:`Extracted`: the text, where each page starts in it (PDF), and
document metadata. Offsets stored on chunks are Python string indices into ``Extracted.text``,
so re-reading the same file with the same reader reproduces every citation exactly.
"""

from __future__ import annotations

import bisect
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ingest.decoding import check_zip, decode_text, short_reason
from ingest.errors import IngestError, UnsupportedFile
from ingest.readers.ocr import (
    OcrOptions,
    OcrUnavailable,
    PageText,
    confidence_warnings,
    file_sha256,
    ocr_pages,
    page_list,
    read_with,
    remember,
)


@dataclass
class Extracted:
    text: str
    reader: str
    title: str | None = None
    # (offset in text, 1-based page number), ascending; empty for unpaginated formats.
    page_starts: list[tuple[int, int]] = field(default_factory=list)
    # Offsets of lines the source format marks as headings (DOCX heading styles).
    heading_offsets: list[int] = field(default_factory=list)
    # Pages whose text OCR read (scans): page number -> the engine's mean word confidence (0-100).
    ocr_pages: dict[int, float | None] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # validation warnings (OCR: low confidence, pages left out)

    def ocr_confidence(self, start: int, end: int) -> tuple[bool, float | None]:
        """(whether text[start:end] lies on an OCR'd page, the lowest confidence of those pages)."""
        if not self.ocr_pages:
            return False, None
        first, last = self.page_at(start) or 0, self.page_at(max(start, end - 1)) or 0
        confs = [self.ocr_pages[n] for n in range(first, last + 1) if n in self.ocr_pages]
        known = [c for c in confs if c is not None]
        return bool(confs), (min(known) if known else None)

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


OCR_BELOW_CHARS = 20  # a PDF page whose text layer has fewer non-space characters is read as an image
OcrProgress = Callable[[int, int], None]  # (pages OCR'd, pages to OCR in this file)


def read_pdf(path: Path, ocr: OcrOptions | None = None, progress: OcrProgress | None = None,
             sha256: str | None = None) -> Extracted:
    """A PDF's text layer, page by page; pages without one (scans) are OCR'd (see ingest/readers/ocr.py)."""
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError

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
        texts: list[str] = []
        for page in reader.pages:
            texts.append((page.extract_text() or "").replace("\r\n", "\n").replace("\r", "\n").strip("\n"))
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
        raise IngestError(f"corrupt PDF ({short_reason(exc)})") from None
    except Exception as exc:  # noqa: BLE001 - pypdf surfaces arbitrary errors on malformed input
        raise IngestError(f"unreadable PDF ({type(exc).__name__}: {short_reason(exc)})") from None
    scans = [n for n, t in enumerate(texts, start=1) if len("".join(t.split())) < OCR_BELOW_CHARS]
    read: dict[int, PageText] = {}
    warnings: list[str] = []
    if scans:
        sha256 = sha256 or file_sha256(path)
        ocr = _options(ocr, sha256)
        all_scanned = len(scans) == len(texts)
        what = (f"PDF has no text layer ({len(texts)} page(s), probably scanned)" if all_scanned
                else f"page(s) {page_list(scans)} have no text layer (scanned)")
        if not ocr.enabled:
            if all_scanned:
                raise IngestError(f"{what} and OCR is off (setting ingest_ocr)")
            warnings.append(f"{what}: not read, OCR is off (setting ingest_ocr)")
        else:
            try:
                read = _ocr(path, scans, lambda n: _render_pdf_page(path, n, ocr.dpi), ocr, progress, sha256, warnings)
            except OcrUnavailable as exc:
                if all_scanned:
                    raise IngestError(f"{what} and {_lower_first(str(exc))}") from None
                warnings.append(f"{what}: not read, {_lower_first(str(exc))}")
    text, page_starts = joined_pages(
        [read[n].text if n in read and read[n].text.strip() else t for n, t in enumerate(texts, start=1)])
    if not text.strip():
        if read:
            raise IngestError(f"PDF has no text layer and OCR found no text on its {len(page_starts)} page(s)")
        raise IngestError(
            f"PDF has no text layer ({len(page_starts)} page(s), probably scanned); OCR it first"
        )
    return Extracted(text=text, reader="pdf+ocr" if read else "pdf", title=title, page_starts=page_starts,
                     ocr_pages={n: p.confidence for n, p in read.items()}, warnings=warnings)


def joined_pages(pages: list[str]) -> tuple[str, list[tuple[int, int]]]:
    """Pages joined by a blank line, and where each (1-based) starts: the offsets citations use."""
    parts: list[str] = []
    page_starts: list[tuple[int, int]] = []
    offset = 0
    for number, page_text in enumerate(pages, start=1):
        if parts:
            parts.append("\n\n")
            offset += 2
        page_starts.append((offset, number))
        parts.append(page_text)
        offset += len(page_text)
    return "".join(parts), page_starts


def _options(ocr: OcrOptions | None, sha256: str) -> OcrOptions:
    """The OCR options for a file: those given (remembered for re-reads), else those it was read
    with before in this process (a re-read must give the same text), else the defaults."""
    if ocr is not None:
        remember(sha256, ocr)
        return ocr
    return read_with(sha256) or OcrOptions()


def _lower_first(message: str) -> str:
    return message[:1].lower() + message[1:] if message[:1].isupper() and not message[:2].isupper() else message


def _ocr(path: Path, numbers: list[int], load, ocr: OcrOptions, progress: OcrProgress | None,
         sha256: str | None, warnings: list[str]) -> dict[int, PageText]:
    """OCR pages ``numbers`` of a file, at most ``ocr.max_pages`` of them; warnings for the rest
    and for pages read with low confidence."""
    todo = numbers[: ocr.max_pages]
    if len(numbers) > len(todo):
        left = numbers[len(todo):]
        warnings.append(f"OCR stopped at the page cap: page(s) {page_list(left)} ({len(left)} of {len(numbers)} scanned "
                        f"page(s)) not read (setting ingest_ocr_max_pages = {ocr.max_pages})")
    read = ocr_pages(todo, load, ocr, sha256 or file_sha256(path), progress)
    warnings.extend(confidence_warnings(read, ocr))
    return read


def _render_pdf_page(path: Path, number: int, dpi: int):
    """Page ``number`` (1-based) of a PDF as a greyscale image, and the resolution it was drawn at."""
    import pypdfium2 as pdfium

    from ingest.readers.ocr import MAX_PIXELS

    try:
        document = pdfium.PdfDocument(str(path))
        try:
            page = document[number - 1]
            width, height = page.get_size()  # points
            # A scanner's page is one image: draw it at the image's own resolution (up to ``dpi``),
            # as Tesseract reads a 100 dpi fax better as it is than smoothly enlarged.
            native = _image_dpi(page)
            scale = min(dpi, max(native, 70)) / 72 if native else dpi / 72
            if width * height * scale * scale > MAX_PIXELS:
                scale = (MAX_PIXELS / (width * height)) ** 0.5
            image = page.render(scale=scale, grayscale=True).to_pil()
            page.close()
        finally:
            document.close()
    except Exception as exc:  # noqa: BLE001 - pdfium's errors on a page it cannot draw
        raise IngestError(f"cannot draw PDF page {number} for OCR ({short_reason(exc)})") from None
    return image, scale * 72


def _image_dpi(page) -> float | None:
    """The highest resolution of the images drawn on a PDF page, in dpi (None: no images)."""
    import pypdfium2.raw as pdfium_c

    best = None
    try:
        for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2):
            left, bottom, right, top = obj.get_bounds()
            px_w, px_h = obj.get_px_size()
            if right - left < 72 or top - bottom < 72:  # under an inch: a logo or a stamp, not the page
                continue
            dpi = max(px_w / ((right - left) / 72), px_h / ((top - bottom) / 72))
            best = dpi if best is None else max(best, dpi)
    except Exception:  # noqa: BLE001 - a page whose objects cannot be listed is drawn at the default
        return None
    return best


IMAGE_SUFFIXES = (".tif", ".tiff", ".png", ".jpg", ".jpeg")


def read_image(path: Path, ocr: OcrOptions | None = None, progress: OcrProgress | None = None,
               sha256: str | None = None) -> Extracted:
    """A scan as an image (TIFF, multipage too; PNG; JPEG): each frame a page, OCR'd."""
    import warnings as py_warnings

    from PIL import Image, UnidentifiedImageError

    kind = {".tif": "TIFF", ".tiff": "TIFF", ".jpg": "JPEG", ".jpeg": "JPEG"}.get(path.suffix.lower(), path.suffix.upper().lstrip("."))
    try:
        with py_warnings.catch_warnings():
            py_warnings.simplefilter("ignore")  # Pillow's complaints about odd EXIF: the page is still read
            py_warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                frames = getattr(image, "n_frames", 1) or 1
                image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise IngestError(f"image too large to OCR ({short_reason(exc)})") from None
    except UnidentifiedImageError:
        raise IngestError(f"corrupt or unreadable image (not a {kind} file Pillow can read)") from None
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise IngestError(f"corrupt image ({short_reason(exc)})") from None
    sha256 = sha256 or file_sha256(path)
    ocr = _options(ocr, sha256)
    if not ocr.enabled:
        raise UnsupportedFile(f"scanned image ({frames} page(s)): not read, OCR is off (setting ingest_ocr)")

    def load(number: int):
        try:
            with py_warnings.catch_warnings():
                py_warnings.simplefilter("ignore")
                py_warnings.simplefilter("error", Image.DecompressionBombWarning)
                with Image.open(path) as image:
                    image.seek(number - 1)
                    image.load()
                    return _square(image.copy(), image.info.get("dpi"))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise IngestError(f"page {number} too large to OCR ({short_reason(exc)})") from None
        except (OSError, ValueError, SyntaxError, EOFError) as exc:
            raise IngestError(f"corrupt image, page {number} ({short_reason(exc)})") from None

    warnings: list[str] = []
    try:
        read = _ocr(path, list(range(1, frames + 1)), load, ocr, progress, sha256, warnings)
    except OcrUnavailable as exc:
        raise IngestError(f"scanned image ({frames} page(s)): {_lower_first(str(exc))}") from None
    text, page_starts = joined_pages([read[n].text if n in read else "" for n in range(1, frames + 1)])
    if not text.strip():
        raise UnsupportedFile(f"image with no text (OCR found none on its {frames} page(s)): not a scanned document")
    return Extracted(text=text, reader="ocr", page_starts=page_starts,
                     ocr_pages={n: p.confidence for n, p in read.items()}, warnings=warnings)


def _square(image, dpi):
    """(the image with square pixels, its dpi): fax TIFFs are 204 x 98 dpi; a photo's claimed
    72 dpi is ignored for the size of an A4 page."""
    from PIL import Image

    try:
        xdpi, ydpi = (float(dpi[0]), float(dpi[1])) if dpi else (0.0, 0.0)
    except (TypeError, ValueError, IndexError):
        xdpi = ydpi = 0.0
    if xdpi > 0 and ydpi > 0 and abs(xdpi / ydpi - 1) > 0.1:
        image = image.resize((image.width, max(1, round(image.height * xdpi / ydpi))), Image.NEAREST)
        ydpi = xdpi
    long_side = max(image.width, image.height)
    if not 90 <= xdpi <= 1200 or not 4 <= long_side / xdpi <= 20:
        xdpi = long_side / 11.69  # no plausible resolution given: a full A4 page
    return image, xdpi


def read_docx(path: Path) -> Extracted:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    check_zip(path, "DOCX")
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise IngestError(f"corrupt DOCX ({short_reason(exc)})") from None
    except Exception as exc:  # noqa: BLE001 - lxml/zip errors on malformed packages
        raise IngestError(f"unreadable DOCX ({type(exc).__name__}: {short_reason(exc)})") from None
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
    **{suffix: read_image for suffix in IMAGE_SUFFIXES},
}
OCR_READERS = (read_pdf, read_image)  # readers that take OCR options, progress and the file's hash


def ingestible_suffixes() -> list[str]:
    """Every extension ingest reads: text documents here, record files in ``ingest.records``."""
    from ingest.records import SUFFIXES

    return sorted(set(READERS) | SUFFIXES)


def read_file(path: Path, ocr: OcrOptions | None = None, progress: OcrProgress | None = None,
              sha256: str | None = None) -> Extracted:
    """Extract a file's text, raising :class:`IngestError` with a one-line reason on bad input.

    Scans (image-only PDF pages, images) are OCR'd as ``ocr`` says (default: on, no cache);
    ``progress`` hears (pages done, pages to OCR); ``sha256`` of the file keys the OCR cache."""
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
        extracted = reader(path, ocr, progress, sha256) if reader in OCR_READERS else reader(path)
    except (IngestError, UnsupportedFile):
        raise
    except OSError as exc:
        raise IngestError(f"cannot read file ({exc.strerror or exc})") from None
    except MemoryError:
        raise IngestError("file too large to extract in memory") from None
    if not extracted.text.strip():
        raise IngestError("no text in file (only whitespace)")
    return extracted
