"""Scan fixtures: this project's own contracts rendered to page images, as a scanner or a fax makes.

Used by the OCR benchmark (``eval/bench/ocr.py``) and the OCR tests: nothing is committed, every
image is drawn from the contract texts at run time with Pillow, deterministically (seeded).

    pages = render_pages(text)                          # clean 300 dpi pages, and each page's text
    images = [degrade(p.image, "skewed", seed=i) for i, p in enumerate(pages)]
    write_image_pdf(images, "scan.pdf")                 # image-only PDF (what a scanner writes)
    write_tiff(images, "scan.tif")                      # multipage TIFF
    write_mixed_pdf([text_page, None, ...], images, "mixed.pdf")   # some pages text, some scans

Conditions (:data:`CONDITIONS`): ``clean`` (300 dpi, 8-bit grey), ``rotated`` (pages turned 90,
180 or 270 degrees, as fed sideways or upside down), ``skewed`` (1.5 to 4 degrees off), ``noisy``
(speckle, a grey paper tone, slight blur, JPEG-compressed), ``fax-200`` and ``fax-100`` (1-bit,
resampled to 200 or 100 dpi, with fax speckle and a slight skew).
"""

from __future__ import annotations

import io
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

A4_INCHES = (8.27, 11.69)
CONDITIONS = ("clean", "rotated", "skewed", "noisy", "fax-200", "fax-100")


@dataclass
class Page:
    image: object  # PIL.Image.Image, 300 dpi
    text: str  # the source text on this page (lines as drawn, joined by newlines)
    dpi: int = 300


def font_path() -> str | None:
    """A serif TrueType font that is always there: matplotlib (a dependency) ships DejaVu."""
    try:
        import matplotlib

        path = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSerif.ttf"
        return str(path) if path.is_file() else None
    except Exception:  # noqa: BLE001 - fall back to Pillow's own font
        return None


def _font(px: int):
    from PIL import ImageFont

    path = font_path()
    return ImageFont.truetype(path, px) if path else ImageFont.load_default(size=px)


def _wrap(line: str, font, width: int) -> list[str]:
    words = line.split(" ")
    out: list[str] = []
    current = ""
    for word in words:
        trial = f"{current} {word}" if current else word
        if current and font.getlength(trial) > width:
            out.append(current)
            current = word
        else:
            current = trial
    out.append(current)
    return out


def render_pages(text: str, *, dpi: int = 300, font_pt: float = 11.0, margin_in: float = 1.0,
                 max_pages: int | None = None) -> list[Page]:
    """The text typeset on A4 pages (word-wrapped, paginated), black on white at ``dpi``."""
    from PIL import Image, ImageDraw

    px = round(font_pt / 72 * dpi)
    font = _font(px)
    width, height = round(A4_INCHES[0] * dpi), round(A4_INCHES[1] * dpi)
    margin = round(margin_in * dpi)
    leading = round(px * 1.35)
    per_page = (height - 2 * margin) // leading
    lines: list[str] = []
    for raw in text.replace("\t", "    ").split("\n"):
        lines.extend(_wrap(raw.rstrip(), font, width - 2 * margin) if raw.strip() else [""])
    pages: list[Page] = []
    for first in range(0, max(len(lines), 1), per_page):
        chunk = lines[first:first + per_page]
        while chunk and not chunk[0].strip():
            chunk = chunk[1:]
        if not any(x.strip() for x in chunk):
            continue
        image = Image.new("L", (width, height), 255)
        draw = ImageDraw.Draw(image)
        for i, line in enumerate(chunk):
            draw.text((margin, margin + i * leading), line, font=font, fill=0)
        pages.append(Page(image, "\n".join(chunk).strip("\n"), dpi))
        if max_pages and len(pages) >= max_pages:
            break
    return pages


def degrade(image, condition: str, seed: int = 0):
    """A 300 dpi page as ``condition`` leaves it. Returns (image, its dpi)."""
    from PIL import Image, ImageFilter

    rng = random.Random(f"{condition}/{seed}")
    if condition == "clean":
        return image, 300
    if condition == "rotated":
        return image.rotate((90, 180, 270)[seed % 3], expand=True), 300
    if condition == "skewed":
        angle = rng.choice((-1, 1)) * rng.uniform(1.5, 4.0)
        return image.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=255), 300
    if condition == "noisy":
        out = image.rotate(rng.uniform(-0.7, 0.7), resample=Image.BICUBIC, fillcolor=255)
        out = out.filter(ImageFilter.GaussianBlur(0.8))
        out = out.point(lambda v: 40 + v * 190 // 255)  # grey paper, grey ink
        out = _speckle(out, rng, 0.004, dark=True)
        buffer = io.BytesIO()
        out.save(buffer, "JPEG", quality=45)
        return Image.open(io.BytesIO(buffer.getvalue())).convert("L"), 300
    if condition in ("fax-200", "fax-100"):
        dpi = 200 if condition == "fax-200" else 100
        out = image.rotate(rng.uniform(-1.2, 1.2), resample=Image.BICUBIC, expand=True, fillcolor=255)
        out = out.resize((round(out.width * dpi / 300), round(out.height * dpi / 300)), Image.LANCZOS)
        out = _speckle(out, rng, 0.002, dark=True)
        return out.point(lambda v: 255 if v > 150 else 0).convert("1"), dpi
    raise ValueError(f"unknown condition {condition!r} (one of {', '.join(CONDITIONS)})")


def _speckle(image, rng: random.Random, share: float, dark: bool):
    import numpy as np
    from PIL import Image

    pixels = np.array(image)
    mask = np.random.default_rng(rng.randrange(2**32)).random(pixels.shape) < share
    pixels[mask] = 0 if dark else 255
    return Image.fromarray(pixels)


def write_image_pdf(images: Sequence, path: Path | str, dpi: int | Sequence[int] = 300) -> Path:
    """An image-only PDF, one page per image (Pillow's PDF writer: no text layer at all)."""
    path = Path(path)
    dpis = [dpi] * len(images) if isinstance(dpi, int) else list(dpi)
    if len(set(dpis)) > 1:  # Pillow takes one resolution per file: assemble page by page
        from pypdf import PdfReader, PdfWriter

        writer = PdfWriter()
        for image, d in zip(images, dpis):
            buffer = io.BytesIO()
            _pdf_ready(image).save(buffer, "PDF", resolution=d, title=None)
            writer.add_page(PdfReader(io.BytesIO(buffer.getvalue())).pages[0])
        with path.open("wb") as fh:
            writer.write(fh)
        return path
    first, *rest = [_pdf_ready(i) for i in images]
    # title=None: Pillow would put the file name in the PDF's title, which ingest takes as the
    # document's title (a scanner writes none); the scan must be judged on its pages alone.
    first.save(path, "PDF", resolution=dpis[0] if dpis else 300, save_all=True, append_images=rest, title=None)
    return path


def _pdf_ready(image):
    # A copy: Pillow leaves a save's settings on the images it saved, and a later save of the same
    # images (as a TIFF, say) then fails in its encoder.
    return image.copy() if image.mode in ("1", "L", "RGB") else image.convert("RGB")


def write_tiff(images: Sequence, path: Path | str, dpi: int = 300) -> Path:
    """A multipage TIFF (Group 4 for 1-bit fax pages, LZW otherwise), as scanners and fax servers write."""
    path = Path(path)
    first, *rest = [i.copy() for i in images]
    compression = "group4" if all(i.mode == "1" for i in images) else "tiff_lzw"
    first.save(path, save_all=True, append_images=rest, compression=compression, dpi=(dpi, dpi))
    return path


def write_mixed_pdf(pages: Sequence[str | None], images: Sequence, path: Path | str, dpi: int = 300) -> Path:
    """A PDF whose pages are text (a string: typeset with a text layer) or scans (None: the next
    image of ``images``, no text layer) - an agreement with a scanned signature page, say."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    scans = iter(images)
    for page in pages:
        pdf.add_page()
        if page is None:
            pdf.image(_pdf_ready(next(scans)), x=0, y=0, w=pdf.w, h=pdf.h)
            continue
        pdf.set_font("Helvetica", size=10)
        pdf.set_xy(20, 20)
        for line in page.split("\n"):
            if line.strip():
                pdf.multi_cell(0, 5, line.encode("latin-1", "replace").decode("latin-1"), new_x="LMARGIN", new_y="NEXT")
            else:
                pdf.ln(3)
    pdf.output(str(path))
    return Path(path)


def blank_pages(n: int, size: tuple[int, int] = (85, 110)):
    """``n`` tiny white pages with one dark mark each (a 200-page scan, cheaply)."""
    from PIL import Image, ImageDraw

    out = []
    for i in range(n):
        image = Image.new("L", size, 255)
        ImageDraw.Draw(image).rectangle((10, 10 + i % 50, 20, 14 + i % 50), fill=0)
        out.append(image)
    return out
