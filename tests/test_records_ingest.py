"""Structured files through the real ingest job, store and retrieval: identifiers first, exactly."""

from __future__ import annotations

import pytest
from test_splitsheets import CATALOG_CSV, LONG_CSV, _write_xlsx

pytestmark = pytest.mark.slow

# The same ISRC as the catalog's "Blue Hour", given here to another title: a cross-file duplicate.
CONFLICT_CSV = """Title,Artist,ISRC
Midnight Static,Rook,GBN7R2200104
"""


@pytest.fixture
def music(tmp_path):
    folder = tmp_path / "music"
    folder.mkdir()
    (folder / "splits.csv").write_text(LONG_CSV, encoding="utf-8")
    (folder / "catalog.csv").write_text(CATALOG_CSV, encoding="utf-8")
    _write_xlsx(folder / "works.xlsx")
    (folder / "broken.xlsx").write_bytes(b"PK\x03\x04 truncated")
    (folder / "notes.xml").write_text("<notes><n>not DDEX</n></notes>")
    (folder / "nova-deal.txt").write_text(
        "RECORDING AGREEMENT\n1. Masters. The Masters include \"Blue Hour\" (ISRC GB-N7R-22-00104).\n"
        "2. Term. The term is three years.\n"
    )
    return folder


def test_records_ingest_validate_and_retrieve(service, music):
    report = service.ingest([music])
    status = {r.path.rsplit("/", 1)[-1]: r for r in report.results}
    assert status["broken.xlsx"].status == "failed" and "XLSX" in status["broken.xlsx"].reason
    assert status["notes.xml"].status == "failed" and "not a DDEX" in status["notes.xml"].reason
    for name in ("splits.csv", "catalog.csv", "works.xlsx", "nova-deal.txt"):
        assert status[name].status == "new", status[name]
    assert status["splits.csv"].chunks == 3 and status["works.xlsx"].chunks == 2
    assert any("shares total 90.00%" in w for w in status["splits.csv"].warnings)
    assert any("PR shares total 40.00%" in w for w in status["works.xlsx"].warnings)

    docs = {d.file_name: d for d in service.store.documents().values()}
    assert docs["splits.csv"].doc_type == "split sheet" and docs["catalog.csv"].doc_type == "catalog"
    assert any("shares total 90.00%" in w for w in docs["splits.csv"].warnings)

    # An identifier in any formatting finds the record carrying it first.
    for question in ("Who wrote ISWC T-345.246.800-3?", "splits for t3452468003", "who wrote T 345 246 800 3"):
        top = service.retrieve(question, 3)[0]
        assert top.payload["record_kind"] == "work" and top.payload["record_title"] == "Blue Hour", question
        assert "ISWC:T3452468003" in top.payload["ids"]
    top3 = service.retrieve("what is gb-n7r-22-00104?", 3)
    assert top3[0].payload["record_kind"] == "recording" and "ISRC:GBN7R2200104" in top3[0].payload["ids"]
    # The contract clause mentioning it carries the identifier too, after the record.
    assert any(h.payload["file_name"] == "nova-deal.txt" for h in service.retrieve("GBN7R2200104", 5))
    writer = service.retrieve("Which works list IPI 523456789?", 5)
    assert writer and all("IPI:00523456789" in h.payload["ids"] for h in writer[:2])
    # Typed payload on the chunk: parties with shares, offsets back into the file.
    blue = service.retrieve("T3452468003", 1)[0].payload
    mara = blue["parties"][0]
    assert (mara["name"], mara["ipi"], mara["shares"]) == ("Mara Quinn", "00052210040", {"share": 50.0})
    text = (music / "splits.csv").read_text(encoding="utf-8-sig")
    assert text[blue["start"]:blue["end"]].startswith("Blue Hour;") and blue["line_start"] == 2
    # doc-type filter
    assert all(h.payload["doc_type"] == "catalog" for h in service.retrieve("Blue Hour", 5, doc_type="catalog"))

    # A second file giving the catalog's ISRC to another title is flagged, and it says where.
    (music / "conflict.csv").write_text(CONFLICT_CSV)
    again = service.ingest([music])
    conflict = next(r for r in again.results if r.path.endswith("conflict.csv"))
    assert conflict.status == "new"
    assert any("duplicate ISRC GBN7R2200104: also 'Blue Hour' in catalog.csv" in w for w in conflict.warnings), conflict.warnings
    stored = service.retrieve("GBN7R2200104 Midnight Static", 5)
    flagged = next(h for h in stored if h.payload.get("record_title") == "Midnight Static")
    # Never stored (it names another document, which may be restricted): computed for the viewer.
    assert not any("duplicate" in w for w in flagged.payload["warnings"]) and "duplicate" not in flagged.payload["text"]
    assert any(w.startswith("duplicate ISRC") for w in service.duplicate_warnings([flagged.payload])[0])
    # Unchanged files are not re-read: only the conflict file was new; nothing else was embedded.
    assert {r.status for r in again.results if not r.path.endswith(("conflict.csv", "broken.xlsx", "notes.xml"))} == {"unchanged"}
