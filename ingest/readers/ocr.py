"""OCR for scanned contracts: image-only PDF pages and scans as images (TIFF, PNG, JPEG).

The engine is Tesseract (Debian's ``tesseract-ocr`` and ``tesseract-ocr-eng``), run offline as a
subprocess, one thread per process (``OMP_THREAD_LIMIT=1``: Tesseract's own OpenMP threads made
a page 4.7x slower on two busy cores, 9.1 s against 1.9 s, measured) and several processes at
once, one page each. Before recognition a page is made grey and kept at its own resolution
(a 100 dpi fax reads better as it is than enlarged), turned upright when its lines run down the
page (Tesseract's OSD), and deskewed by a projection profile; a page that still reads badly is
checked for orientation again and read turned, the better reading kept.

A page's text is what chunk offsets and citations point into, so it must never change between
two reads of the same file: every page read is kept in a cache by the file's SHA-256
(``DATA_DIR/cache/ocr/<sha256>.json``, private to the service account), and a second ingest, a
re-read, or a forget and ingest again does no OCR at all.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ingest.errors import IngestError

# Bump when preprocessing or text assembly changes: cached pages of the old kind are read again.
OCR_VERSION = "2"  # 2: lines wrapped by the page are joined
INSTALL_HINT = "`apt-get install tesseract-ocr tesseract-ocr-eng` (or set ingest_ocr_engine)"
MAX_PIXELS = 60_000_000  # a page image larger than this is scaled down before OCR (A4 at 300 dpi: 8.7 M)
OSD_BELOW = 60.0  # a page read with less confidence is checked for orientation and read again turned


class OcrUnavailable(IngestError):
    """Tesseract (or its language data) is not installed: the file cannot be OCR'd here."""


@dataclass(frozen=True)
class OcrOptions:
    """How ingest OCRs (``Settings.ingest_ocr*``)."""

    enabled: bool = True
    max_pages: int = 300  # pages OCR'd per file; the rest are left out, with a warning
    min_confidence: float = 75.0  # a page read with less mean word confidence is a validation warning
    engine: str = "tesseract"  # command or path
    language: str = "eng"
    dpi: int = 300  # PDF pages are rendered at this resolution
    workers: int = 0  # pages OCR'd at once (0: one per CPU core, at most 4)
    timeout_s: float = 300.0  # per page
    cache_dir: Path | None = None  # None: no cache (every read OCRs again)

    @property
    def n_workers(self) -> int:
        return self.workers or max(1, min(4, os.cpu_count() or 1))


@dataclass
class PageText:
    text: str
    confidence: float | None  # mean word confidence, 0-100, weighted by word length (None: no words)
    rotated: int = 0  # degrees the page was turned before reading (clockwise)
    skew: float = 0.0  # degrees of skew corrected

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> PageText:
        return cls(str(data.get("text") or ""), data.get("confidence"), int(data.get("rotated") or 0),
                   float(data.get("skew") or 0.0))


@dataclass
class OcrReport:
    """What OCR did for one file: counted by the tests (the cache means no engine calls)."""

    pages_ocrd: int = 0  # pages the engine read in this call
    pages_cached: int = 0
    warnings: list[str] = field(default_factory=list)


# -- the engine -----------------------------------------------------------------------------------
_CHECKED: dict[tuple[str, str], str] = {}
_CHECK_LOCK = threading.Lock()


class Tesseract:
    """Tesseract driven as a subprocess: stdin PGM in, TSV (words, boxes, confidences) out."""

    calls = 0  # engine runs in this process (recognitions and orientation checks): tests count them

    def __init__(self, options: OcrOptions):
        self.options = options
        self.env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
        self._version: str | None = None

    def check(self) -> str:
        """The engine's version; raises :class:`OcrUnavailable` with how to install what is missing."""
        key = (self.options.engine, self.options.language)
        with _CHECK_LOCK:
            if key in _CHECKED:
                self._version = _CHECKED[key]
                return self._version
        command = shutil.which(self.options.engine)
        if command is None:
            raise OcrUnavailable(f"Tesseract OCR is not installed ({self.options.engine!r} not found): {INSTALL_HINT}")
        try:
            out = subprocess.run([command, "--version"], capture_output=True, timeout=30, env=self.env)
            langs = subprocess.run([command, "--list-langs"], capture_output=True, timeout=30, env=self.env)
        except (OSError, subprocess.SubprocessError) as exc:
            raise OcrUnavailable(f"Tesseract OCR cannot run ({_short(exc)}): {INSTALL_HINT}") from None
        text = (out.stdout + out.stderr).decode("utf-8", "replace")
        match = re.search(r"tesseract\s+v?(\d[\w.\-]*)", text, re.I)
        if out.returncode != 0 or match is None:
            raise OcrUnavailable(f"{self.options.engine!r} is not a working Tesseract: {INSTALL_HINT}")
        available = set((langs.stdout + langs.stderr).decode("utf-8", "replace").split())
        missing = [lang for lang in self.options.language.split("+") if lang not in available]
        if missing:
            raise OcrUnavailable(
                f"Tesseract has no language data for {'+'.join(missing)}: install it with "
                f"`apt-get install {' '.join('tesseract-ocr-' + m for m in missing)}`")
        version = match.group(1)
        with _CHECK_LOCK:
            _CHECKED[key] = version
        self._version = version
        return version

    @property
    def signature(self) -> str:
        """What the text of a page depends on, besides the image (stored with the cache)."""
        return f"tesseract {self._version or '?'} {self.options.language} ocr{OCR_VERSION}"

    def _run(self, image, psm: int, output: str, dpi: int = 300) -> str:
        with _CHECK_LOCK:
            Tesseract.calls += 1
        buffer = io.BytesIO()
        image.save(buffer, "PPM" if image.mode in ("L", "RGB") else "PNG")
        args = [self.options.engine, "stdin", "stdout", "--psm", str(psm), "--dpi", str(dpi),
                "-l", self.options.language if psm != 0 else "osd"]
        if output:
            args.append(output)
        try:
            done = subprocess.run(args, input=buffer.getvalue(), capture_output=True,
                                  timeout=self.options.timeout_s, env=self.env)
        except FileNotFoundError:
            raise OcrUnavailable(f"Tesseract OCR is not installed ({self.options.engine!r} not found): {INSTALL_HINT}") from None
        except subprocess.TimeoutExpired:
            raise IngestError(f"OCR of a page took longer than {self.options.timeout_s:.0f} s") from None
        if done.returncode != 0:
            message = " ".join(done.stderr.decode("utf-8", "replace").split())
            raise IngestError(f"OCR failed ({_short(message or f'exit status {done.returncode}')})")
        return done.stdout.decode("utf-8", "replace")

    def orientation(self, image, dpi: int = 300) -> tuple[int, float]:
        """(degrees to turn the page clockwise so text is upright, OSD's confidence)."""
        try:
            out = self._run(image, 0, "", dpi)
        except IngestError:
            return 0, 0.0  # too little text to tell: leave it as it is
        rotate = re.search(r"Rotate:\s*(\d+)", out)
        confidence = re.search(r"Orientation confidence:\s*([\d.]+)", out)
        return (int(rotate.group(1)) if rotate else 0), (float(confidence.group(1)) if confidence else 0.0)

    def recognize(self, image, dpi: int = 300) -> tuple[str, float | None]:
        """(text, mean word confidence) of a prepared page image."""
        return assemble(self._run(image, 3, "tsv", dpi))

    def read_page(self, image, dpi: float | None = None) -> PageText:
        """Prepare and read one page: grey, upright, deskewed (``dpi``: the image's resolution)."""
        return self.read_prepared(*prepare(image, dpi))

    def read_prepared(self, page, dpi: int = 300) -> PageText:
        """Read a page :func:`prepare` made: deskewed, and turned when it reads badly."""
        if not _TRANSPOSE:
            _transposes()
        rotated = 0
        if sideways(page):  # text lines run down the page: ask OSD first, not after a useless reading
            turn, _ = self.orientation(page, dpi)
            if turn in (90, 270):
                page, rotated = page.transpose(_TRANSPOSE[turn]), turn
        page, skew = deskew(page)
        text, confidence = self.recognize(page, dpi)
        if text.strip() and (confidence is None or confidence < OSD_BELOW or len(text.split()) < 5):
            # Sideways or upside down? Ask OSD, read the page again turned, keep the better reading.
            # (A page with no word at all has nothing to turn: a sideways page still reads as some words.)
            turn, _ = self.orientation(page, dpi)
            if turn in _TRANSPOSE:
                # OSD's "Rotate: 90" means turn the image 90 degrees clockwise (PIL's turns go counter-clockwise).
                turned, turned_skew = deskew(page.transpose(_TRANSPOSE[turn]))
                t_text, t_conf = self.recognize(turned, dpi)
                if (t_conf or 0) * len(t_text) > (confidence or 0) * len(text) * 1.1:
                    text, confidence, rotated, skew = t_text, t_conf, (rotated + turn) % 360, skew + turned_skew
        return PageText(text, None if confidence is None else round(confidence, 1), rotated, round(skew, 2))


_TRANSPOSE: dict[int, int] = {}


def _transposes() -> None:
    from PIL import Image

    _TRANSPOSE.update({90: Image.Transpose.ROTATE_270, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_90})


# -- page preparation -----------------------------------------------------------------------------
def prepare(image, dpi: float | None = None):
    """(a greyscale page no larger than MAX_PIXELS, its resolution in dpi).

    Nothing else: Tesseract 5 reads 100-200 dpi fax pages better at their own resolution than
    upscaled (measured: CER 2.7% at 100 dpi as is, 8.9% upscaled to 300 dpi), and binarizes itself."""
    from PIL import Image, ImageOps

    if not _TRANSPOSE:
        _transposes()
    if image.mode in ("RGBA", "LA", "P", "PA"):
        background = Image.new("RGB", image.size, (255, 255, 255))
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    if image.getexif().get(0x0112, 1) != 1:  # a phone photo's EXIF orientation
        image = ImageOps.exif_transpose(image)
    grey = image if image.mode == "L" else image.convert("L")
    dpi = float(dpi or 300)
    pixels = grey.width * grey.height
    if pixels > MAX_PIXELS:
        scale = (MAX_PIXELS / pixels) ** 0.5
        grey = grey.resize((max(1, round(grey.width * scale)), max(1, round(grey.height * scale))), Image.BILINEAR)
        dpi *= scale
    return grey, max(50, min(1200, round(dpi)))


def skew_angle(grey, max_angle: float = 6.0) -> float:
    """The page's skew in degrees (counter-clockwise positive), by projection profile: text lines
    turned upright give the sharpest row profile. 0.0 when the page has too little ink to tell."""
    import numpy as np

    ink = _ink(grey)
    if ink is None:
        return 0.0
    ys, xs = ink

    def score(angle: float) -> float:
        a = np.deg2rad(angle)
        return _sharpness(ys * np.cos(a) + xs * np.sin(a))

    coarse = np.arange(-max_angle, max_angle + 1e-9, 0.5)
    scores = [score(a) for a in coarse]
    best = float(coarse[int(np.argmax(scores))])
    fine = np.arange(best - 0.5, best + 0.5 + 1e-9, 0.1)
    fine_scores = [score(a) for a in fine]
    best = float(fine[int(np.argmax(fine_scores))])
    if max(fine_scores) < score(0.0) * 1.02:
        return 0.0  # no clearly better angle: leave the page alone
    return best


DESKEW_FROM = 1.0  # degrees: Tesseract reads smaller skews as well unturned, and every turn blurs a little


def _ink(grey, width: int = 1000):
    """Coordinates (ys, xs) of dark pixels of the page scaled to ``width``, centred; None when
    there is too little ink (or too much: a photo) to judge."""
    import numpy as np

    factor = max(1.0, grey.width / width)
    small = grey.resize((round(grey.width / factor), round(grey.height / factor))) if factor > 1 else grey
    pixels = np.asarray(small)
    ys, xs = np.nonzero(pixels < 128)
    if len(xs) < 500 or len(xs) > 0.5 * pixels.size:
        return None
    if len(xs) > 200_000:
        keep = np.random.default_rng(0).choice(len(xs), 200_000, replace=False)
        ys, xs = ys[keep], xs[keep]
    return ys - pixels.shape[0] / 2, xs - pixels.shape[1] / 2


def _sharpness(values) -> float:
    import numpy as np

    hist = np.bincount((values - values.min()).astype(np.int64)).astype(np.float64)
    return float(np.sum(np.diff(hist) ** 2))


def sideways(grey) -> bool:
    """True when the page's text lines look vertical: its column profile is much sharper than its
    row profile (a page scanned or photographed at 90 or 270 degrees)."""
    ink = _ink(grey, 600)
    if ink is None:
        return False
    import numpy as np

    ys, xs = ink
    rows = cols = 0.0
    for a in np.deg2rad(np.arange(-6.0, 6.01, 1.0)):  # skewed or not
        c, s = np.cos(a), np.sin(a)
        rows = max(rows, _sharpness(ys * c + xs * s))
        cols = max(cols, _sharpness(xs * c - ys * s))
    return cols > 1.5 * rows


def deskew(grey):
    """(the page turned upright by its skew, the skew corrected in degrees)."""
    import numpy as np
    from PIL import Image

    angle = skew_angle(grey)
    if abs(angle) < DESKEW_FROM:
        return grey, 0.0
    paper = int(np.percentile(np.asarray(grey)[::8, ::8], 90))
    # Bilinear, not bicubic: bicubic's overshoot turned JPEG noise into letters (CER 15% against 5%).
    return grey.rotate(-angle, resample=Image.BILINEAR, expand=True, fillcolor=paper), -angle


def mostly_blank(grey, ink_share: float = 0.0005) -> bool:
    """True for a page with (almost) no ink: nothing to read, no engine call."""
    import numpy as np

    small = grey.resize((max(1, grey.width // 4), max(1, grey.height // 4))) if grey.width > 400 else grey
    pixels = np.asarray(small)
    return float(np.mean(pixels < 128)) < ink_share


# -- text assembly ----------------------------------------------------------------------------------
_LIGATURES = str.maketrans({"ﬁ": "fi", "ﬂ": "fl", "ﬀ": "ff", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"})


_CLAUSE_START = re.compile(r"^(\(?\d{1,3}(\.\d{1,3})*[.)]\s|\d{1,3}(\.\d{1,3})+\s|\([a-zA-Z]{1,4}\)\s|[A-Za-z][.)]\s|[•·*\-–]\s)")
FULL_LINE = 0.8  # a line reaching this share of its paragraph's width was wrapped by the page, not ended


def assemble(tsv: str) -> tuple[str, float | None]:
    """Page text from Tesseract's TSV, and the mean word confidence weighted by word length.

    Words are joined by spaces and paragraphs by a blank line. Within a paragraph a line that
    runs to the paragraph's right edge was wrapped by the page, so the next line continues it
    after a space, as in the typed original: a wrapped "Schedule A" or "31 December" must not
    start a line and pass for a heading. A line that starts like a clause ("2.1 ", "(b) ")
    always starts a line."""
    paragraphs: list[list[tuple[list[str], int, int]]] = []  # [(words, left, right)] per paragraph
    last_par: tuple[str, str] | None = None
    last_line: tuple[str, str, str] | None = None
    weighted = 0.0
    chars = 0
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5":
            continue
        word = cols[11].strip().translate(_LIGATURES)
        if not word:
            continue
        try:
            conf = float(cols[10])
            left, width = int(cols[6]), int(cols[8])
        except ValueError:
            conf, left, width = -1.0, 0, 0
        par = (cols[2], cols[3])
        line = (cols[2], cols[3], cols[4])
        if par != last_par:
            paragraphs.append([])
            last_par = par
            last_line = None
        if line != last_line:
            paragraphs[-1].append(([], left, left + width))
            last_line = line
        words, line_left, line_right = paragraphs[-1][-1]
        words.append(word)
        paragraphs[-1][-1] = (words, min(line_left, left), max(line_right, left + width))
        if conf >= 0:
            weighted += conf * len(word)
            chars += len(word)
    blocks = []
    for lines in paragraphs:
        par_left = min(left for _, left, _ in lines)
        par_right = max(r for _, _, r in lines)
        full = par_left + FULL_LINE * (par_right - par_left)
        out = " ".join(lines[0][0])
        for (_, _, previous_right), (words, _, _) in zip(lines, lines[1:]):
            text = " ".join(words)
            wrapped = len(lines) > 1 and previous_right >= full and not _CLAUSE_START.match(text)
            out += ("" if out.endswith("-") and text[:1].islower() else " ") + text if wrapped else "\n" + text
        blocks.append(out)
    return "\n\n".join(blocks), (weighted / chars if chars else None)


# -- the cache --------------------------------------------------------------------------------------
class OcrCache:
    """Pages read, by file SHA-256: ``<dir>/<sha256>.json`` = {"engine": ..., "pages": {"3": PageText}}.

    Written atomically, readable by the service's account only (the text of restricted contracts).
    Pages are stored as they are read, so an interrupted or capped OCR resumes where it stopped."""

    def __init__(self, folder: Path | None, sha256: str, key: str):
        self.path = folder / f"{sha256}.json" if folder is not None else None
        self.key = key
        self.pages: dict[str, dict] = {}
        self.engine = ""
        if self.path is not None and self.path.is_file():
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
                if data.get("key") == key:
                    self.pages = dict(data.get("pages") or {})
                    self.engine = str(data.get("engine") or "")
            except (OSError, ValueError, AttributeError):
                self.pages = {}  # a damaged entry is read again

    def get(self, number: int) -> PageText | None:
        data = self.pages.get(str(number))
        return PageText.from_json(data) if isinstance(data, dict) else None

    def put(self, number: int, page: PageText, engine: str) -> None:
        self.pages[str(number)] = page.to_json()
        self.engine = engine
        if self.path is None:
            return
        try:
            if not self.path.parent.is_dir():
                self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                os.chmod(self.path.parent, 0o700)  # mkdir's mode is filtered by the umask
            tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.{threading.get_ident()}.part")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump({"key": self.key, "engine": self.engine, "pages": self.pages}, fh, ensure_ascii=False)
            os.replace(tmp, self.path)
        except OSError:
            pass  # a cache that cannot be written costs time, never the document


def cache_key(options: OcrOptions) -> str:
    """Cached pages are reused while what shapes their text stays the same (not the engine's
    patch version: a re-read must give the very text the stored offsets point into)."""
    return f"{options.language}/{options.dpi}/ocr{OCR_VERSION}"


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# -- re-reading a scan as it was read ----------------------------------------------------------------
_READ_WITH: OrderedDict[str, OcrOptions] = OrderedDict()
_READ_WITH_KEPT = 4096


def remember(sha256: str, options: OcrOptions) -> None:
    """Note the options a file (by content) was OCR'd with in this process."""
    with _CHECK_LOCK:
        _READ_WITH[sha256] = options
        _READ_WITH.move_to_end(sha256)
        while len(_READ_WITH) > _READ_WITH_KEPT:
            _READ_WITH.popitem(last=False)


def read_with(sha256: str) -> OcrOptions | None:
    """The options this file was last OCR'd with in this process: a re-read that names none
    (``document_text(path)`` after an ingest) uses them, so it finds the same cache and page cap
    and gets the very text the stored offsets point into, with no OCR."""
    with _CHECK_LOCK:
        return _READ_WITH.get(sha256)


# -- reading many pages ---------------------------------------------------------------------------
PageSource = Iterator[tuple[int, Callable[[], tuple[object, float | None]]]]
Progress = Callable[[int, int], None]  # (pages done, pages to OCR)


def ocr_pages(numbers: list[int], load: Callable[[int], tuple[object, float | None]], options: OcrOptions,
              sha256: str, progress: Progress | None = None, report: OcrReport | None = None) -> dict[int, PageText]:
    """Read pages ``numbers`` (1-based): cached pages from the cache, the rest by the engine, up
    to ``options.n_workers`` at a time. ``load(n)`` gives page n's image and its dpi; it is
    called on this thread only (PDF rendering is not thread-safe)."""
    report = report if report is not None else OcrReport()
    cache = OcrCache(options.cache_dir, sha256, cache_key(options))
    out: dict[int, PageText] = {}
    todo: list[int] = []
    for n in numbers:
        cached = cache.get(n)
        if cached is not None:
            out[n] = cached
            report.pages_cached += 1
        else:
            todo.append(n)
    total = len(numbers)
    done = len(out)
    if progress and total:
        progress(done, total)
    if not todo:
        return out
    engine = Tesseract(options)
    engine.check()
    lock = threading.Lock()

    def work(n: int, image, dpi) -> tuple[int, PageText]:
        grey, dpi = prepare(image, dpi)
        if mostly_blank(grey):
            return n, PageText("", None)
        return n, engine.read_prepared(grey, dpi)

    with ThreadPoolExecutor(max_workers=options.n_workers, thread_name_prefix="ocr") as pool:
        pending = set()
        queue = list(todo)
        error: BaseException | None = None

        def collect(block: bool) -> None:
            nonlocal done, error
            from concurrent.futures import FIRST_COMPLETED, wait

            finished, _ = wait(pending, return_when=FIRST_COMPLETED) if block else (
                {f for f in pending if f.done()}, None)
            for future in finished:
                pending.discard(future)
                try:
                    n, page = future.result()
                except BaseException as exc:  # noqa: BLE001 - reported once, below
                    error = error or exc
                    continue
                with lock:
                    out[n] = page
                    cache.put(n, page, engine.signature)
                    report.pages_ocrd += 1
                    done += 1
                if progress:
                    progress(done, total)

        while queue and error is None:
            if len(pending) >= options.n_workers + 1:
                collect(block=True)
                continue
            n = queue.pop(0)
            image, dpi = load(n)
            pending.add(pool.submit(work, n, image, dpi))
        while pending:
            collect(block=True)
        if error is not None:
            if isinstance(error, IngestError):
                raise error
            raise IngestError(f"OCR failed ({type(error).__name__}: {_short(error)})")
    return out


def confidence_warnings(pages: dict[int, PageText], options: OcrOptions) -> list[str]:
    """A validation warning naming the pages OCR read with low confidence."""
    low = sorted((n, p.confidence) for n, p in pages.items() if p.confidence is not None and p.confidence < options.min_confidence)
    if not low:
        return []
    worst = min(low, key=lambda x: x[1])
    return [f"OCR read {len(low)} page(s) with low confidence (below {options.min_confidence:.0f}%: page(s) "
            f"{page_list([n for n, _ in low])}; lowest {worst[1]:.0f}% on page {worst[0]}): check the scan against its text"]


def page_list(numbers: Iterable[int]) -> str:
    """1, 2, 3, 5, 7, 8 -> "1-3, 5, 7-8"."""
    ns = sorted(set(numbers))
    parts: list[str] = []
    i = 0
    while i < len(ns):
        j = i
        while j + 1 < len(ns) and ns[j + 1] == ns[j] + 1:
            j += 1
        parts.append(str(ns[i]) if i == j else f"{ns[i]}-{ns[j]}")
        i = j + 1
    return ", ".join(parts)


def _short(exc: object, limit: int = 120) -> str:
    message = " ".join(str(exc).split()) or type(exc).__name__
    return message if len(message) <= limit else message[: limit - 1] + "…"


def ocr_note(payload: dict) -> str | None:
    """How a passage's OCR shows in the sources panel and the CLI ("OCR 94%"), None when it was
    not read by OCR."""
    if not payload.get("ocr"):
        return None
    confidence = payload.get("ocr_confidence")
    return "OCR (scan)" if not isinstance(confidence, (int, float)) else f"OCR (scan), confidence {confidence:.0f}%"
