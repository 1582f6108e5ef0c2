"""OCR of scanned contracts: image-only and mixed PDFs, TIFF/PNG/JPEG scans, the cache, the page
cap, a missing engine and bad images. Scans are drawn from this project's own contracts at test
time (eval/bench/scans.py); nothing binary is committed.

Tests that read pages need Tesseract (Debian's tesseract-ocr and tesseract-ocr-eng) and skip,
saying so, where it is absent; the missing-engine path is tested everywhere, by pointing the
engine setting at a program that does not exist."""

from __future__ import annotations

import re
import shutil
import stat
from pathlib import Path

import pytest

from eval.bench.scans import blank_pages, degrade, render_pages, write_image_pdf, write_mixed_pdf, write_tiff
from ingest.errors import IngestError, UnsupportedFile
from ingest.readers import read_file
from ingest.readers.ocr import OcrOptions, Tesseract, ocr_note, sideways, skew_angle

HERE = Path(__file__).resolve().parent
FAMILIES = HERE / "families_corpus"
MISSING = "/nonexistent/bin/tesseract"


def _tesseract_ready() -> str | None:
    try:
        Tesseract(OcrOptions()).check()
        return None
    except IngestError as exc:
        return str(exc)


_WHY = _tesseract_ready()
needs_tesseract = pytest.mark.skipif(
    _WHY is not None, reason=f"Tesseract is needed to read pages: {_WHY} (the README's commands install it)")


def words(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def amendment_pages():
    """Kestrel's Amendment No. 1 drawn on two A4 pages at 200 dpi (faster to read than 300)."""
    return render_pages((FAMILIES / "kestrel-amendment-1.txt").read_text(), dpi=200)


@pytest.fixture(scope="module")
def scans(tmp_path_factory, amendment_pages):
    """One folder of scans, read once for the module into a shared OCR cache."""
    folder = tmp_path_factory.mktemp("scans")
    images = [p.image for p in amendment_pages]
    write_image_pdf(images, folder / "amendment-scan.pdf", 200)
    write_mixed_pdf([amendment_pages[0].text, None], [images[1]], folder / "amendment-mixed.pdf")
    write_image_pdf(images[1:], folder / "amendment-page-2.pdf", 200)  # a short page: quick to read
    return folder


@pytest.fixture(scope="module")
def ocr_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("ocr-cache")


# -- no engine, engine off, bad images: no Tesseract needed --------------------------------------
def test_missing_engine_gives_one_line_reason_that_says_how_to_install(scans, tmp_path):
    options = OcrOptions(engine=MISSING, cache_dir=tmp_path / "cache")
    with pytest.raises(IngestError) as info:
        read_file(scans / "amendment-scan.pdf", options)
    reason = str(info.value)
    assert "no text layer" in reason and "apt-get install tesseract-ocr tesseract-ocr-eng" in reason
    assert "\n" not in reason and len(reason) < 300
    png = tmp_path / "page.png"
    blank_pages(1)[0].save(png)
    with pytest.raises(IngestError, match="apt-get install tesseract-ocr"):
        read_file(png, options)
    # A mixed PDF keeps its text pages and says which pages were left unread, and why.
    mixed = read_file(scans / "amendment-mixed.pdf", options)
    assert mixed.ocr_pages == {} and "Kestrel Sound Ltd" in mixed.text
    assert any("page(s) 2 have no text layer" in w and "apt-get install" in w for w in mixed.warnings)


def test_ocr_off_refuses_scans_with_the_setting_named(scans, tmp_path):
    off = OcrOptions(enabled=False)
    with pytest.raises(IngestError, match=r"no text layer .* OCR is off \(setting ingest_ocr\)"):
        read_file(scans / "amendment-scan.pdf", off)
    png = tmp_path / "page.png"
    blank_pages(1)[0].save(png)
    with pytest.raises(UnsupportedFile, match="OCR is off"):
        read_file(png, off)


@pytest.mark.parametrize("name, data, phrase", [
    ("torn.png", b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 40, "image"),
    ("notes.jpg", b"this is a text file named .jpg\n" * 5, "not a JPEG file"),
    ("fax.tiff", b"II*\x00" + b"\xff" * 64, "image"),
])
def test_corrupt_image_gets_a_one_line_reason(tmp_path, name, data, phrase):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(IngestError) as info:
        read_file(path, OcrOptions(engine=MISSING))
    reason = str(info.value)
    assert phrase in reason and "\n" not in reason and "Traceback" not in reason


def test_truncated_scan_gets_a_one_line_reason(tmp_path, amendment_pages):
    path = tmp_path / "cut.png"
    amendment_pages[0].image.save(path)
    path.write_bytes(path.read_bytes()[:5000])
    with pytest.raises(IngestError) as info:
        read_file(path, OcrOptions(engine=MISSING))
    assert "corrupt image" in str(info.value) and "\n" not in str(info.value)


def test_batch_goes_on_past_scans_without_an_engine_and_broken_images(service, scans, tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    shutil.copy(scans / "amendment-scan.pdf", folder)
    (folder / "torn.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    shutil.copy(FAMILIES / "kestrel-recording-agreement-2021.txt", folder)
    service.settings.ingest_ocr_engine = MISSING
    report = service.ingest([folder])
    by_name = {Path(r.path).name: r for r in report.results}
    assert by_name["kestrel-recording-agreement-2021.txt"].status == "new"
    assert by_name["amendment-scan.pdf"].status == "failed"
    assert "apt-get install tesseract-ocr" in by_name["amendment-scan.pdf"].reason
    assert by_name["torn.png"].status == "failed" and "image" in by_name["torn.png"].reason
    assert all("\n" not in (r.reason or "") for r in report.results)


def test_deskew_and_orientation_detection(amendment_pages):
    page = amendment_pages[0].image
    assert skew_angle(page) == 0.0
    turned, _ = degrade(page, "skewed", seed=1)
    angle = skew_angle(turned)
    assert 1.4 <= abs(angle) <= 4.1
    assert not sideways(page) and not sideways(turned)
    assert sideways(degrade(page, "rotated", seed=0)[0])  # 90 degrees
    assert not sideways(degrade(page, "rotated", seed=1)[0])  # 180: OSD's job


def test_ocr_note_marks_passages():
    assert ocr_note({"text": "x"}) is None
    assert ocr_note({"ocr": True, "ocr_confidence": 93.4}) == "OCR (scan), confidence 93%"


# -- reading pages ------------------------------------------------------------------------------
@needs_tesseract
def test_image_only_pdf_keeps_pages_and_offsets(scans, amendment_pages, ocr_cache):
    extracted = read_file(scans / "amendment-scan.pdf", OcrOptions(cache_dir=ocr_cache))
    assert extracted.reader == "pdf+ocr" and extracted.pages == 2 and set(extracted.ocr_pages) == {1, 2}
    assert all(c is not None and c > 85 for c in extracted.ocr_pages.values())
    assert words(amendment_pages[0].text)[:200] == words(extracted.text)[:200]
    # A clause drawn on page 2 is found on page 2, and its offsets hold its text.
    clause = re.search(r"5\.1 In clause 8\.1", extracted.text)
    on_two = "5.1 In clause 8.1" in amendment_pages[1].text
    assert clause and extracted.page_at(clause.start()) == (2 if on_two else 1)
    assert extracted.warnings == []


@needs_tesseract
def test_mixed_pdf_reads_text_pages_as_text_and_ocrs_only_image_pages(scans, ocr_cache):
    extracted = read_file(scans / "amendment-mixed.pdf", OcrOptions(cache_dir=ocr_cache))
    assert set(extracted.ocr_pages) == {2}
    assert extracted.reader == "pdf+ocr" and extracted.pages == 2
    first_page = extracted.text[: extracted.page_starts[1][0]]
    assert "Kestrel Sound Ltd" in first_page
    assert extracted.ocr_confidence(0, 50) == (False, None)
    on_two, conf = extracted.ocr_confidence(extracted.page_starts[1][0], len(extracted.text))
    assert on_two and conf > 85


@needs_tesseract
def test_low_confidence_pages_are_a_warning(scans, ocr_cache):
    extracted = read_file(scans / "amendment-scan.pdf", OcrOptions(cache_dir=ocr_cache, min_confidence=99.5))
    assert any("low confidence" in w and "page(s) 1-2" in w for w in extracted.warnings), extracted.warnings


@needs_tesseract
def test_rotated_fax_tiff_is_read_upright(tmp_path, amendment_pages):
    image, dpi = degrade(amendment_pages[1].image, "fax-200", seed=3)
    tif = tmp_path / "fax.tif"
    write_tiff([image.rotate(180, expand=True)], tif, dpi=round(dpi * 200 / 300))
    extracted = read_file(tif, OcrOptions(cache_dir=tmp_path / "cache"))
    assert extracted.reader == "ocr" and extracted.pages == 1
    assert "KESTREL SOUND LTD" in extracted.text and "Governing Law" in extracted.text
    assert extracted.ocr_pages[1] > 75


@needs_tesseract
def test_cache_means_a_file_is_never_ocrd_twice(service, scans, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(scans / "amendment-page-2.pdf", folder)
    before = Tesseract.calls
    report = service.ingest([folder])
    assert report.ok and Tesseract.calls > before
    cached = list(service.settings.ocr.cache_dir.glob("*.json"))
    assert len(cached) == 1 and stat.S_IMODE(cached[0].stat().st_mode) == 0o600
    after_first = Tesseract.calls
    # Forget and ingest again, re-read the text, ingest into a new store over the same data dir:
    (doc,) = service.sources()
    service.forget(doc)
    assert service.ingest([folder]).counts["new"] == 1
    from ingest.pipeline import document_text

    text = document_text(Path(doc.file_path))
    hits = [h for h in service.store.all_chunks() if h.payload.get("doc_id") == doc.doc_id]
    assert hits and all(text[h.payload["start"]:h.payload["end"]] == h.payload["text"] for h in hits)
    assert Tesseract.calls == after_first, "OCR ran again: the cache missed"


@needs_tesseract
def test_scanned_passages_are_marked_in_search_sources_panel_and_audit(service, scans, tmp_path):
    from assistant.answer.answering import Answer, Source
    from assistant.ops import audit
    from assistant.web.app import sources_html

    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(scans / "amendment-mixed.pdf", folder)
    assert service.ingest([folder]).ok
    hits = service.search("Which law governs this Amendment?", 3)  # clause 7, on the scanned page 2
    scanned = [h for h in hits if h.payload.get("ocr")]
    assert scanned and scanned[0].payload["page"] == 2 and scanned[0].payload["ocr_confidence"] > 85
    texty = [h for h in service.store.all_chunks() if h.payload.get("page_end") == 1]
    assert texty and not any(h.payload.get("ocr") for h in texty)
    answer = Answer(question="q", text="26% [1]", status="answered", sources=[Source(1, scanned[0])])
    assert "OCR (scan), confidence" in sources_html(answer)
    (entry_source,) = audit.entry("u", "q", answer, {}, "chat")["sources"]
    assert entry_source["ocr"] is True and entry_source["ocr_confidence"] > 85


@needs_tesseract
def test_scanned_amendment_joins_its_family(service, tmp_path):
    folder = tmp_path / "families"
    folder.mkdir()
    for stem in ("kestrel-recording-agreement-2018", "kestrel-recording-agreement-2021"):
        shutil.copy(FAMILIES / f"{stem}.txt", folder)
    pages = render_pages((FAMILIES / "kestrel-amendment-1.txt").read_text(), dpi=200)[:1]  # its recitals
    faxed = [degrade(p.image, "fax-200", seed=i)[0] for i, p in enumerate(pages)]
    write_tiff(faxed, folder / "kestrel-amendment-1.tif", dpi=133)  # 200 of 300 dpi, drawn at 200
    report = service.ingest([folder])
    assert report.ok, [(r.path, r.reason) for r in report.problems]
    docs = {Path(d.file_name).stem: d for d in service.sources()}
    amendment = docs["kestrel-amendment-1"]
    assert amendment.family_role == "amendment" and amendment.reader.startswith("ocr@")
    assert amendment.family_of == docs["kestrel-recording-agreement-2021"].doc_id
    assert amendment.effective_date == "2023-11-20"


@needs_tesseract
def test_two_hundred_page_scan_stops_at_the_page_cap(tmp_path):
    from PIL import Image, ImageDraw, ImageFont

    def text_page(line: str):
        image = Image.new("L", (900, 160), 255)
        ImageDraw.Draw(image).text((30, 50), line, fill=0, font=ImageFont.load_default(size=40))
        return image

    first = [text_page(f"Schedule page {n} royalty statement") for n in (1, 2, 3)]
    pages = first + blank_pages(197)
    pdf = write_image_pdf(pages, tmp_path / "long-scan.pdf", 150)
    tif = write_tiff(pages, tmp_path / "long-scan.tif", 150)
    for path in (pdf, tif):
        before = Tesseract.calls
        extracted = read_file(path, OcrOptions(max_pages=3, cache_dir=tmp_path / "cache"))
        assert extracted.pages == 200 and set(extracted.ocr_pages) == {1, 2, 3}
        assert Tesseract.calls - before <= 6  # three pages read (an orientation check at most each), not 200
        assert "royalty statement" in extracted.text
        assert extracted.page_at(extracted.text.index("Schedule page 3")) == 3
        (cap,) = [w for w in extracted.warnings if "page cap" in w]
        assert "page(s) 4-200 (197 of 200 scanned page(s)) not read" in cap and "ingest_ocr_max_pages = 3" in cap


@needs_tesseract
def test_benchmark_prints_cer_and_speed(capsys):
    from eval.bench import ocr as bench

    bench.main(["--no-recall", "--docs", "nova-records-amendment-1", "--conditions", "clean", "--max-pages", "1"])
    out = capsys.readouterr().out
    (row,) = [line.split() for line in out.splitlines() if line.startswith("clean ")]
    assert row[1] == "1" and float(row[2].rstrip("%")) <= 2.0, out  # pages, CER
    assert bench.levenshtein("kitten", "sitting") == 3 and bench.normalize("a  ___ b\n") == "a b"


def test_progress_shows_ocr_page_by_page():
    from rich.progress import Progress

    from assistant.cli.app import RichProgress
    from assistant.web.uploads import UploadJob

    with Progress(disable=True) as progress:
        bar = RichProgress(progress)
        for done in range(4):
            bar.ocr_progress(Path("a-scan.pdf"), done, 3)
        bar.ocr_progress(Path("b-scan.tif"), 1, 2)  # one page of it was cached
        task = progress.tasks[bar.ocr]
        assert (task.completed, task.total) == (4, 5) and "b-scan.tif" in task.description
    job = UploadJob(files=[Path("a-scan.pdf")])
    job.ocr_progress(Path("a-scan.pdf"), 2, 7)
    assert "OCR of a-scan.pdf: page 2/7" in job.summary()
