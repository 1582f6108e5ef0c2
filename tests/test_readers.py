"""Readers: exact text with page numbers and headings, and a one-line reason for every bad file."""

from __future__ import annotations

import pytest
from fixtures import RECORDING_PAGES, write_bad_files, write_contract_folder

from ingest.chunking import ChunkingOptions, chunk_text
from ingest.decoding import decode_text
from ingest.errors import IngestError, UnsupportedFile
from ingest.readers import read_file


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return write_contract_folder(tmp_path_factory.mktemp("contracts"))


@pytest.mark.parametrize(
    "name", ["pinewave-distribution.txt", "low-tide-licence.md", "ada-vale-recording.pdf", "westgate-songwriter.docx"]
)
def test_every_reader_round_trips_chunk_offsets(folder, name):
    extracted = read_file(folder / name)
    chunks = chunk_text(extracted.text, style_heading_offsets=extracted.heading_offsets)
    assert chunks
    for c in chunks:
        assert extracted.text[c.start : c.end] == c.text
    # Reading again gives the same text, so stored offsets stay valid.
    assert read_file(folder / name).text == extracted.text


def test_pdf_pages_are_tracked(folder):
    extracted = read_file(folder / "ada-vale-recording.pdf")
    assert extracted.pages == 2
    royalties = extracted.text.index("3. ROYALTIES")
    advance = extracted.text.index("2.1 Signing Advance")
    assert extracted.page_at(advance) == 1
    assert extracted.page_at(royalties) == 2
    small = ChunkingOptions(max_chars=300, overlap_chars=30, min_chars=0)
    by_section = {c.section: c for c in chunk_text(extracted.text, small)}
    assert extracted.page_at(by_section["2.1"].start) == 1
    assert extracted.page_at(by_section["3.2"].start) == 2
    assert "Streaming" in RECORDING_PAGES[1] and "Streaming" in by_section["3.2"].text


def test_docx_keeps_heading_styles_and_tables(folder):
    extracted = read_file(folder / "westgate-songwriter.docx")
    lines = [extracted.text[o:].split("\n", 1)[0] for o in extracted.heading_offsets]
    assert lines == ["EXCLUSIVE SONGWRITER AGREEMENT", "1. TERM", "2. ROYALTIES", "3. RETENTION"]
    assert "Low Tide | T-345.246.800-3 | 50%" in extracted.text
    chunks = chunk_text(extracted.text, style_heading_offsets=extracted.heading_offsets)
    covered = {label for c in chunks for label in c.sections}
    assert {"1", "2", "2.1", "2.2", "3"} <= covered


def test_markdown_and_text_are_read_verbatim(folder):
    assert read_file(folder / "low-tide-licence.md").text == (folder / "low-tide-licence.md").read_text()


@pytest.fixture(scope="module")
def bad(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad")
    return folder, write_bad_files(folder)


@pytest.mark.parametrize(
    "name",
    ["corrupt.pdf", "encrypted.pdf", "scanned.pdf", "empty.txt", "blank.md", "binary.txt", "garbled.txt", "corrupt.docx", "notes.xyz"],
)
def test_each_bad_file_kind_gets_a_one_line_reason(bad, name):
    folder, expected = bad
    with pytest.raises(IngestError) as info:
        read_file(folder / name)
    reason = str(info.value)
    assert expected[name] in reason
    assert "\n" not in reason and len(reason) < 200
    assert isinstance(info.value, UnsupportedFile) == (name == "notes.xyz")


def test_legacy_encodings_are_decoded_not_refused():
    text = "Royalties of 18% are payable to Beyoncé — café rights £5,000 ™"
    assert decode_text(text.encode("cp1252")) == text
    assert decode_text(text.encode("utf-16")) == text
    assert decode_text(b"\xef\xbb\xbf" + text.encode()) == text
    assert decode_text(b"a\r\nb\rc") == "a\nb\nc"
