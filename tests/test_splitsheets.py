"""Split sheets and catalog exports (CSV, XLSX): messy real-world values, every field checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.errors import IngestError
from ingest.records.model import render
from ingest.records.tables import normalize_role, normalize_share, read_table

# One row per writer, the way a hand-made split sheet looks: aliases for every column name,
# shares as "50%", 0.25, "25 %", a comma decimal, a second work whose shares don't add up.
LONG_CSV = """\ufeffSong Title;ISWC;Songwriter;Capacity;IPI/CAE #;PRO;Split %;Publisher;Publisher IPI
Blue Hour;T-345.246.800-3;Mara Quinn;CA;00052210040;PRS;50%;Northgate Music Publishing Ltd;00198765432
;;Jonah Reyes;Composer;523,456,789;ASCAP;0.25;;
;;Lee Park;A - Lyricist;;BMI;"25,0 %";;
Paper Lanterns;t 912 004 551 4;Mara Quinn;Composer & Lyricist;52210040;PRS;60;;
;;Jonah Reyes;C;523456789;ASCAP;30%;;
Bad Check;T-111.111.111-9;Sam Stone;C;;SOCAN;100%;;
"""

CATALOG_CSV = """Track Title,Artist,ISRC,UPC,Label,Album,Release Date,Duration
Blue Hour,MARA,GB-N7R-22-00104,5012345678900,Nova Records,Paper Lanterns,2022-05-06,3:41
Low Tide,Ada Vale,gbhrb2000042,5012345678901,Harbour Records,Salt Lines,2020-09-18,4:02
"""


def _write_xlsx(path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Works"
    ws.append(["Work ID", "Work Title", "ISWC", "Alt Title 1",
               "Writer 1 Last", "Writer 1 First", "Writer 1 IPI", "Writer 1 PRO", "Writer 1 Role",
               "Writer 1 PR Share", "Writer 1 MR Share", "Writer 1 SR Share", "Writer 1 Controlled",
               "Writer 1 Publisher Name", "Writer 1 Publisher IPI", "Writer 1 Publisher PR Share",
               "Writer 1 Publisher MR Share", "Writer 1 Publisher SR Share",
               "Writer 2 Last", "Writer 2 First", "Writer 2 IPI", "Writer 2 PRO", "Writer 2 Role",
               "Writer 2 PR Share", "Writer 2 MR Share", "Writer 2 SR Share", "Writer 2 Controlled",
               "Recording 1 ISRC", "Recording 1 Recording Title", "Recording 1 Record Label",
               "Artist 1 Last", "Artist 1 First", "Favourite Colour"])
    ws.append(["NG-0001", "Night Ferry", "T0702301209", "Ferry at Night",
               "Quinn", "Mara", 52210040, "10 – ASCAP", "CA – Composer&Lyricist",
               0.25, "25%", 25, "Yes",
               "Northgate Music", "00198765432", "25%", 0.25, 25,
               "Reyes", "Jonah", "523456789", "PRS", "C",
               "50%", 0.5, 50, "No",
               "GB-N7R-23-00001", "Night Ferry", "Nova Records",
               "Quinn", "Mara", "teal"])
    ws.append(["NG-0002", "Short Shares", "T-111.111.111-9", None,
               "Stone", "Sam", "abc", "SOCAN", "C",
               "40%", "40%", "40%", "Yes",
               None, None, None, None, None,
               None, None, None, None, None, None, None, None, None,
               "XX-BAD-1", None, None, None, None, None])
    wb.save(path)


def test_share_and_role_normalisation():
    assert normalize_share("50%") == 50.0
    assert normalize_share("33.33%") == 33.33
    assert normalize_share(0.5) == 50.0
    assert normalize_share(50) == 50.0
    assert normalize_share("0.6667") == 66.67
    assert normalize_share("25,5 %") == 25.5
    assert normalize_share("1/3") == pytest.approx(33.3333)
    assert normalize_share("") is None
    with pytest.raises(ValueError):
        normalize_share("half")
    assert normalize_role("CA – Composer&Lyricist") == "Composer/Lyricist"
    assert normalize_role("A - Lyricist") == "Lyricist"
    assert normalize_role("C") == "Composer"
    assert normalize_role("Producer") == "Producer"


def test_long_split_sheet_csv(tmp_path):
    path = tmp_path / "splits.csv"
    path.write_text(LONG_CSV, encoding="utf-8")
    rs = read_table(path)
    assert rs.doc_type == "split sheet" and rs.reader == "csv-splitsheet"
    blue, lanterns, bad = rs.records
    assert [r.title for r in rs.records] == ["Blue Hour", "Paper Lanterns", "Bad Check"]
    assert blue.kind == "work" and blue.ids("ISWC") == ["T3452468003"]
    writers = [p for p in blue.parties if p.kind == "writer"]
    assert [(w.name, w.role, w.ipi, w.society, w.shares) for w in writers] == [
        ("Mara Quinn", "Composer/Lyricist", "00052210040", "PRS", {"share": 50.0}),
        ("Jonah Reyes", "Composer", "00523456789", "ASCAP", {"share": 25.0}),
        ("Lee Park", "Lyricist", None, "BMI", {"share": 25.0}),
    ]
    pubs = [p for p in blue.parties if p.kind == "publisher"]
    assert [(p.name, p.ipi) for p in pubs] == [("Northgate Music Publishing Ltd", "00198765432")]
    assert writers[0].publisher == "Northgate Music Publishing Ltd"
    assert blue.warnings == []
    # rows 2-4 of the file, offsets cover exactly those lines
    assert (blue.line_start, blue.line_end) == (2, 4)
    assert rs.text[blue.start:blue.end].splitlines()[0].startswith("Blue Hour;")
    assert rs.text[blue.start:blue.end].splitlines()[-1].startswith(";;Lee Park")
    assert lanterns.ids("ISWC") == ["T9120045514"]
    assert lanterns.warnings == ["shares total 90.00%, not 100%"]
    assert any("check digit" in w for w in bad.warnings)
    text = render(blue, "splits.csv")
    assert "T-345.246.800-3" in text and "T3452468003" in text and "Mara Quinn" in text and "50%" in text


def test_catalog_export_csv(tmp_path):
    path = tmp_path / "catalog.csv"
    path.write_text(CATALOG_CSV, encoding="utf-8")
    rs = read_table(path)
    assert rs.doc_type == "catalog"
    blue, low = rs.records
    assert blue.kind == "recording" and blue.title == "Blue Hour"
    assert blue.ids("ISRC") == ["GBN7R2200104"] and blue.ids("UPC") == ["5012345678900"]
    assert blue.fields["artists"] == ["MARA"] and blue.fields["label"] == "Nova Records"
    assert blue.fields["release"] == "Paper Lanterns" and blue.fields["release_date"] == "2022-05-06"
    assert blue.fields["duration"] == "3:41"
    assert low.ids("ISRC") == ["GBHRB2000042"]
    assert any("UPC" in w and "check digit" in w for w in low.warnings)  # ...901 fails the GS1 check
    assert rs.text[low.start:low.end] == CATALOG_CSV.splitlines()[2]


def test_wide_xlsx_split_sheet(tmp_path):
    path = tmp_path / "works.xlsx"
    _write_xlsx(path)
    rs = read_table(path)
    assert rs.doc_type == "split sheet" and rs.reader == "xlsx-splitsheet"
    ferry, short = rs.records
    assert ferry.title == "Night Ferry" and ferry.fields["work_id"] == "NG-0001"
    assert ferry.ids("ISWC") == ["T0702301209"] and ferry.ids("ISRC") == ["GBN7R2300001"]
    assert ferry.fields["alt_titles"] == ["Ferry at Night"]
    assert ferry.fields["artists"] == ["Mara Quinn"]
    mara, northgate, jonah = ferry.parties
    assert (mara.name, mara.kind, mara.role, mara.ipi, mara.society, mara.controlled) == (
        "Mara Quinn", "writer", "Composer/Lyricist", "00052210040", "ASCAP", True)
    assert mara.shares == {"PR": 25.0, "MR": 25.0, "SR": 25.0}
    assert (northgate.kind, northgate.ipi, northgate.shares) == ("publisher", "00198765432", {"PR": 25.0, "MR": 25.0, "SR": 25.0})
    assert jonah.shares == {"PR": 50.0, "MR": 50.0, "SR": 50.0} and jonah.controlled is False
    assert ferry.share_totals() == {"PR": 100.0, "MR": 100.0, "SR": 100.0}
    assert ferry.warnings == []
    assert ferry.location == "sheet Works row 2" and rs.text[ferry.start:ferry.end].startswith("NG-0001\tNight Ferry")
    assert any("'Favourite Colour'" in w for w in rs.warnings)
    joined = " | ".join(short.warnings)
    assert "PR shares total 40.00%" in joined and "check digit" in joined
    assert "invalid IPI" in joined and "invalid ISRC" in joined


def test_unknown_layout_is_kept_as_rows_and_reported(tmp_path):
    path = tmp_path / "statement.csv"
    path.write_text("Period,Amount,Currency\n2024Q1,100.51,EUR\n2024Q2,99.49,EUR\n", encoding="utf-8")
    rs = read_table(path)
    assert rs.doc_type == "table" and len(rs.records) == 2
    assert "unknown layout" in rs.warnings[0] and "'Period'" in rs.warnings[0]
    assert rs.records[0].fields == {"Period": "2024Q1", "Amount": "100.51", "Currency": "EUR"}


def test_header_only_and_garbage(tmp_path):
    header = tmp_path / "template.csv"
    header.write_text("Work Title,ISWC,Writer 1 Last,Writer 1 Share\n", encoding="utf-8")
    with pytest.raises(IngestError, match="no data rows"):
        read_table(header)
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(IngestError, match="XLSX"):
        read_table(bad)
