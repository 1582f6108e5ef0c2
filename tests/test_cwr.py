"""CWR 2.1/2.2/3.0: every field of a work read from fixed-width records, warnings for bad lines.

Fixtures are built here with a helper that puts each value at its 0-based position from the
CISAC specification (2.x) or the django-music-publisher 3.0 layout (the real samples), so
widths are right without hand-counted spaces.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.errors import IngestError
from ingest.records.cwr import looks_like_cwr, parse_cwr, read_cwr
from ingest.records.model import render

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "data" / "music-samples" / "cwr"


def place(values: dict[int, str]) -> str:
    """A line with each value at its start position, blanks between (trailing blanks stripped,
    as CWR writers do)."""
    out = ""
    for start, value in sorted(values.items()):
        assert start >= len(out), f"value at {start} overlaps the previous one"
        out = out.ljust(start) + value
    return out


class CwrFile:
    """Builds a CWR file record by record: sequence numbers, and GRT/TRL counts from what was added."""

    def __init__(self, header: dict[int, str]):
        self.lines = [place(header)]
        self.groups = self.transactions = 0

    def group(self, transaction_type: str, version: str) -> None:
        self.groups += 1
        self.group_first, self.group_transactions, self.tx, self.seq = len(self.lines), 0, -1, 0
        self.add(place({0: "GRH", 3: transaction_type, 6: f"{self.groups:05d}", 11: version, 16: "0000000000"}))

    def transaction(self, rtype: str, values: dict[int, str]) -> int:
        self.tx += 1
        self.seq = 0
        self.group_transactions += 1
        self.transactions += 1
        return self.add(place({0: f"{rtype}{self.tx:08d}{0:08d}", **values}))

    def detail(self, rtype: str, values: dict[int, str]) -> int:
        self.seq += 1
        return self.add(place({0: f"{rtype}{max(self.tx, 0):08d}{self.seq:08d}", **values}))

    def add(self, line: str) -> int:
        """Appends a line; returns its 1-based line number."""
        self.lines.append(line)
        return len(self.lines)

    def end_group(self) -> None:
        records = len(self.lines) - self.group_first + 1
        self.add(place({0: "GRT", 3: f"{self.groups:05d}", 8: f"{self.group_transactions:08d}", 16: f"{records:08d}"}))

    def text(self, trl_records: int | None = None) -> str:
        records = trl_records if trl_records is not None else len(self.lines) + 1
        trl = place({0: "TRL", 3: f"{self.groups:05d}", 8: f"{self.transactions:08d}", 16: f"{records:08d}"})
        return "\n".join(self.lines + [trl]) + "\n"


# ---------------------------------------------------------------------------------- CWR 2.1
HDR_21 = {0: "HDR", 3: "PB", 5: "000000199", 14: "NORTHGATE MUSIC PUBLISHING", 59: "01.10",
          64: "20240131", 72: "120000", 78: "20240131"}


def nwr_21(title: str, work_id: str, iswc: str, duration: str = "000000") -> dict[int, str]:
    return {19: title, 79: "EN", 81: work_id, 95: iswc, 106: "00000000", 126: "POP", 129: duration,
            135: "Y", 142: "ORI"}


def swr_21(ip: str, last: str, first: str, role: str, ipi: str, socs: tuple[str, str, str],
           shares: tuple[str, str, str], base: str = "") -> dict[int, str]:
    values = {19: ip, 28: last, 73: first, 104: role, 106: "000000000", 115: ipi,
              126: socs[0], 129: shares[0], 134: socs[1], 137: shares[1], 142: socs[2], 145: shares[2], 150: "N"}
    if base:
        values[154] = base
    return values


def build_21() -> tuple[CwrFile, dict[str, int]]:
    f = CwrFile(HDR_21)
    at: dict[str, int] = {}
    f.group("NWR", "02.10")
    at["nwr"] = f.transaction("NWR", nwr_21("BLUE HOUR", "W-0001", "T3452468003", "000325"))
    f.detail("SPU", {19: "01", 21: "P001", 30: "NORTHGATE MUSIC", 76: "E", 78: "000000000", 87: "00198765432",
                     112: "052", 115: "05000", 120: "044", 123: "10000", 128: "044", 131: "10000", 136: "N"})
    f.detail("SPT", {19: "P001", 34: "05000", 39: "10000", 44: "10000", 49: "I", 50: "2136", 54: "N", 55: "001"})
    f.detail("SWR", swr_21("W001", "QUINN", "MARA", "CA", "00052210040", ("052", "044", "044"),
                           ("02500", "00000", "00000"), base="I-000000229-7"))
    f.detail("SWT", {19: "W001", 28: "02500", 33: "00000", 38: "00000", 43: "I", 44: "2136", 48: "N", 49: "001"})
    f.detail("PWR", {19: "P001", 28: "NORTHGATE MUSIC", 101: "W001"})
    f.detail("SWR", swr_21("W002", "REYES", "JONAH", "C", "00523456789", ("010", "034", "034"),
                           ("02500", "00000", "00000")))
    f.detail("PWR", {19: "P001", 28: "NORTHGATE MUSIC", 101: "W002"})
    f.detail("ALT", {19: "HEURE BLEUE", 79: "AT"})
    f.detail("PER", {19: "NOVA BAND"})
    f.detail("PER", {19: "QUINN", 64: "MARA"})
    at["nwr_end"] = f.detail("REC", {19: "20220506", 87: "000325", 98: "PAPER LANTERNS", 158: "NOVA RECORDS",
                                     249: "GBN7R2200104", 261: "A"})
    f.end_group()
    f.group("REV", "02.10")
    at["rev"] = f.transaction("REV", nwr_21("SALT LINES", "W-0002", "T9120045510"))  # check digit is 4
    f.detail("SWR", swr_21("W001", "QUINN", "MARA", "CA", "00052210040", ("052", "044", "044"),
                           ("06000", "07000", "07000")))
    at["short"] = f.detail("SWR", {19: "W003", 28: "DOE JOHNSTON"})  # 40 characters
    at["unknown"] = f.add("XYZ0000000000000002SOMETHING ELSE")
    at["rev_end"] = f.detail("OWR", swr_21("", "STONE", "SAM", "A", "00000000000", ("101", "101", "101"),
                                           ("03000", "03000", "03000")))
    f.end_group()
    return f, at


@pytest.fixture
def cwr21(tmp_path):
    f, at = build_21()
    path = tmp_path / "works.cwr"
    path.write_bytes(f.text().replace("\n", "\r\n").encode("ascii"))  # CWR lines end in CRLF
    return read_cwr(path), at


def check_spans(rs) -> None:
    """Each record's span is exactly its transaction's lines."""
    lines = rs.text.split("\n")
    for r in rs.records:
        chunk = rs.text[r.start:r.end]
        assert chunk.split("\n") == lines[r.line_start - 1:r.line_end]
        assert chunk.startswith(r.fields["transaction"])
        assert r.location == (f"lines {r.line_start}-{r.line_end}" if r.line_end > r.line_start
                              else f"line {r.line_start}")


def test_cwr21_file_level(cwr21):
    rs, at = cwr21
    assert rs.reader == "cwr-2.1" and rs.doc_type == "cwr"
    assert rs.title == "CWR 2.1 registrations from NORTHGATE MUSIC PUBLISHING (works.cwr)"
    assert rs.fields == {"sender": "NORTHGATE MUSIC PUBLISHING", "created": "2024-01-31", "version": "2.1"}
    assert "\r" not in rs.text
    assert rs.warnings == [
        f"line {at['short']}: SWR record too short (40 characters, needs at least 150)",
        f"line {at['unknown']}: unknown record type 'XYZ'",
    ]
    assert [r.title for r in rs.records] == ["BLUE HOUR", "SALT LINES"]
    check_spans(rs)


def test_cwr21_new_work_every_field(cwr21):
    rs, at = cwr21
    work = rs.records[0]
    assert work.kind == "work"
    assert (work.line_start, work.line_end) == (at["nwr"], at["nwr_end"])
    assert work.ids("ISWC") == ["T3452468003"]
    assert work.ids("ISRC") == ["GBN7R2200104"]
    assert work.ids("IPI") == ["00198765432", "00052210040", "00523456789"]
    assert work.fields == {
        "work_id": "W-0001",
        "transaction": "NWR",
        "language": "EN",
        "duration": "3:25",
        "alt_titles": ["HEURE BLEUE"],
        "performing_artists": ["NOVA BAND", "MARA QUINN"],
        "recordings": ["PAPER LANTERNS — NOVA RECORDS (ISRC GBN7R2200104)"],
    }
    publisher, quinn, reyes = work.parties
    assert (publisher.kind, publisher.name, publisher.role) == ("publisher", "NORTHGATE MUSIC", "Original Publisher")
    assert (publisher.ipi, publisher.society, publisher.societies) == ("00198765432", "PRS", {"MR": "MCPS", "SR": "MCPS"})
    assert publisher.shares == {"PR": 50.0, "MR": 100.0, "SR": 100.0} and publisher.controlled is True
    assert (quinn.kind, quinn.name, quinn.role) == ("writer", "MARA QUINN", "Composer/Lyricist")
    assert (quinn.ipi, quinn.ipi_base) == ("00052210040", "I-000000229-7")
    assert (quinn.society, quinn.societies) == ("PRS", {"MR": "MCPS", "SR": "MCPS"})
    assert quinn.shares == {"PR": 25.0, "MR": 0.0, "SR": 0.0}
    assert quinn.controlled is True and quinn.publisher == "NORTHGATE MUSIC"
    assert (reyes.name, reyes.role, reyes.ipi, reyes.ipi_base) == ("JONAH REYES", "Composer", "00523456789", None)
    assert (reyes.society, reyes.societies) == ("ASCAP", {"MR": "HFA", "SR": "HFA"})
    assert reyes.shares == {"PR": 25.0, "MR": 0.0, "SR": 0.0} and reyes.publisher == "NORTHGATE MUSIC"
    assert work.share_totals() == {"PR": 100.0, "MR": 100.0, "SR": 100.0}
    assert work.warnings == []
    text = render(work)
    assert "ISWC: T-345.246.800-3 (T3452468003)" in text
    assert "- MARA QUINN, Composer/Lyricist, IPI 00052210040, IPI base I-000000229-7, PRS" in text


def test_cwr21_revision_with_bad_shares_iswc_and_bad_lines(cwr21):
    rs, at = cwr21
    work = rs.records[1]
    assert (work.line_start, work.line_end) == (at["rev"], at["rev_end"])
    assert work.fields == {"work_id": "W-0002", "transaction": "REV", "language": "EN"}  # no zero duration
    assert work.ids("ISWC") == ["T9120045510"] and not work.identifiers[0].valid
    assert work.warnings == ["invalid ISWC 'T9120045510' (check digit)", "PR shares total 90.00%, not 100%"]
    quinn, stone = work.parties  # the too-short SWR between them is skipped
    assert quinn.shares == {"PR": 60.0, "MR": 70.0, "SR": 70.0} and quinn.publisher is None
    assert (stone.name, stone.role, stone.ipi, stone.controlled) == ("SAM STONE", "Lyricist", None, False)
    assert (stone.society, stone.societies, stone.shares) == ("SOCAN", {}, {"PR": 30.0, "MR": 30.0, "SR": 30.0})
    assert work.ids("IPI") == ["00052210040"]  # all-zero IPI means none


def test_trailer_counts_checked():
    f, _ = build_21()
    rs = parse_cwr(f.text(trl_records=99), "bad-count.cwr")
    assert rs.warnings[-1] == f"line {len(f.lines) + 1}: TRL counts 99 records, the file has {len(f.lines) + 1}"
    f.lines.insert(3, f.lines[3])  # a duplicated SPU line: GRT and TRL no longer agree
    rs = parse_cwr(f.text(), "dup.cwr")
    assert any("GRT counts" in w and "group NWR has" in w for w in rs.warnings)
    truncated = "\n".join(f.lines[:8])
    assert parse_cwr(truncated).warnings[-1] == "no TRL record: the file may be truncated"


def test_lines_outside_transactions_and_bad_headers_never_stop_the_file():
    f = CwrFile(HDR_21)
    f.group("NWR", "02.10")
    outside = f.detail("ALT", {19: "ORPHAN TITLE", 79: "AT"})
    bad = f.transaction("NWR", {19: "CUT SHORT"})  # header too short: its transaction is skipped
    f.detail("SWR", swr_21("W001", "QUINN", "MARA", "CA", "00052210040", ("052", "044", "044"),
                           ("10000", "10000", "10000")))
    f.transaction("NWR", nwr_21("GOOD ONE", "W-0009", ""))
    garbled = f.detail("SWR", {19: "W001", 28: "QUINN", 73: "MARA", 104: "CA", 106: "000000000", 115: "ABC",
                     126: "052", 129: "1O000", 134: "044", 137: "10000", 142: "044", 145: "10000"})
    f.end_group()
    rs = parse_cwr(f.text(), "messy.cwr")
    assert rs.warnings == [
        f"line {outside}: ALT record outside a work transaction",
        f"line {bad}: NWR record too short (28 characters, needs at least 135); its transaction is skipped",
    ]
    (work,) = rs.records
    assert work.title == "GOOD ONE" and work.identifiers == []
    (writer,) = work.parties
    assert writer.ipi is None and writer.shares == {"MR": 100.0, "SR": 100.0}
    assert work.warnings[:2] == [f"unreadable PR share '1O000' of MARA QUINN (line {garbled})",
                                 "invalid IPI of MARA QUINN 'ABC' (not a valid IPI)"]


def test_cwr22_version_and_recording_fields():
    f = CwrFile({**HDR_21, 101: "2.2", 104: "002", 107: "TESTSUITE", 137: "1.0"})
    f.group("NWR", "02.20")
    f.transaction("NWR", nwr_21("BLUE HOUR", "W-0001", "T3452468003", "000325"))
    f.detail("SPU", {19: "01", 21: "P001", 30: "NORTHGATE MUSIC", 76: "E", 78: "000000000", 87: "00198765432",
                     112: "052", 115: "10000", 120: "044", 123: "10000", 128: "044", 131: "10000", 136: "N"})
    f.detail("SWR", swr_21("W001", "QUINN", "MARA", "CA", "00052210040", ("052", "044", "044"),
                           ("00000", "00000", "00000")))
    f.detail("PWR", {19: "", 28: "", 101: "W001", 110: "01"})  # publisher found by its chain number
    f.detail("REC", {19: "20220506", 87: "000325", 249: "GBN7R2200104", 266: "BLUE HOUR", 326: "RADIO EDIT",
                     386: "MARA QUINN", 446: "NOVA RECORDS"})
    f.detail("XRF", {19: "052", 22: "PRS-12345", 36: "W", 37: "Y"})
    f.end_group()
    rs = parse_cwr(f.text(), "works.v22")
    assert (rs.reader, rs.fields["version"], rs.warnings) == ("cwr-2.2", "2.2", [])
    (work,) = rs.records
    assert work.fields["recordings"] == ["BLUE HOUR by MARA QUINN — NOVA RECORDS (ISRC GBN7R2200104)"]
    assert work.fields["society_references"] == ["PRS: PRS-12345"]
    assert work.parties[1].publisher == "NORTHGATE MUSIC"


# ---------------------------------------------------------------------------------- CWR 3.0
HDR_30 = {0: "HDR", 3: "PB", 5: "NGM", 9: "NORTHGATE MUSIC PUBLISHING", 65: "20240131", 73: "120000",
          79: "20240131", 102: "3.0", 105: "000", 108: "TESTSUITE", 138: "1.0", 168: "CW240001NGM_0000_V3-0-0.SUB"}


def territory_30(ip: str, shares: tuple[str, str, str], socs: tuple[str, str, str], tis: str = "2136",
                 seq: str = "001") -> dict[int, str]:
    return {19: seq, 22: ip, 31: shares[0], 36: shares[1], 41: shares[2], 46: "I", 47: tis,
            51: socs[0], 55: socs[1], 59: socs[2], 95: "0000"}


def build_30() -> tuple[str, dict[str, int]]:
    f = CwrFile(HDR_30)
    at: dict[str, int] = {}
    f.group("WRK", "03.00")
    at["wrk"] = f.transaction("WRK", {**nwr_21("NIGHT TRAIN", "W-0100", "T1012023037", "000412"), 217: "N"})
    f.detail("SPU", {19: "01", 21: "P001", 30: "NORTHGATE MUSIC", 75: "N", 76: "E", 78: "000000000",
                     87: "00198765432", 98: "I-000000111-1"})
    f.detail("SPT", territory_30("P001", ("05000", "10000", "10000"), ("52", "44", "44")))
    f.detail("SPT", territory_30("P001", ("03000", "03000", "03000"), ("10", "34", "34"), tis="0840", seq="002"))
    f.detail("SWR", {19: "W001", 28: "QUINN", 73: "MARA", 103: "N", 104: "CA", 106: "00052210040",
                     117: "I-000000229-7", 131: "N"})
    f.detail("SWT", territory_30("W001", ("02500", "00000", "00000"), ("52", "44", "44")))
    f.detail("PWR", {19: "01", 21: "P001", 30: "W001"})
    # Other writer written with a tax ID before the IPI number, as the sample files' OWR is.
    f.detail("OWR", {19: "W002", 28: "REYES", 73: "JONAH", 103: "N", 104: "C", 106: "000000000", 115: "00523456789"})
    f.detail("OWT", territory_30("W002", ("02500", "00000", "00000"), ("10", "34", "34")))
    f.detail("ALT", {19: "NOCHE TREN", 79: "AT"})
    f.detail("PER", {19: "QUINN", 64: "MARA"})
    at["wrk_end"] = f.detail("REC", {19: "20230101", 27: "000412", 33: "GBN7R2300001", 45: "NIGHT TRAIN",
                                     105: "RADIO EDIT", 165: "MARA QUINN", 252: "NOVA RECORDS", 332: "NGMREC01"})
    f.end_group()
    return f.text(), at


def test_cwr30_work_every_field(tmp_path):
    text, at = build_30()
    path = tmp_path / "CW240001NGM_0000_V3-0-0.SUB"
    path.write_text(text, encoding="ascii")
    rs = read_cwr(path)
    assert (rs.reader, rs.doc_type, rs.warnings) == ("cwr-3.0", "cwr", [])
    assert rs.title == "CWR 3.0 registrations from NORTHGATE MUSIC PUBLISHING (CW240001NGM_0000_V3-0-0.SUB)"
    assert rs.fields == {"sender": "NORTHGATE MUSIC PUBLISHING", "created": "2024-01-31", "version": "3.0"}
    check_spans(rs)
    (work,) = rs.records
    assert (work.title, work.line_start, work.line_end) == ("NIGHT TRAIN", at["wrk"], at["wrk_end"])
    assert work.ids("ISWC") == ["T1012023037"] and work.ids("ISRC") == ["GBN7R2300001"]
    assert work.ids("IPI") == ["00198765432", "00052210040", "00523456789"]
    assert work.fields == {
        "work_id": "W-0100",
        "transaction": "WRK",
        "language": "EN",
        "duration": "4:12",
        "alt_titles": ["NOCHE TREN"],
        "performing_artists": ["MARA QUINN"],
        "recordings": ["NIGHT TRAIN by MARA QUINN — NOVA RECORDS (ISRC GBN7R2300001)"],
        "shares_territory": "World (TIS 2136)",
    }
    publisher, quinn, reyes = work.parties
    assert (publisher.name, publisher.role, publisher.ipi, publisher.ipi_base) == (
        "NORTHGATE MUSIC", "Original Publisher", "00198765432", "I-000000111-1")
    assert (publisher.society, publisher.societies) == ("PRS", {"MR": "MCPS", "SR": "MCPS"})
    assert publisher.shares == {"PR": 50.0, "MR": 100.0, "SR": 100.0}  # the world, not the US record
    assert (quinn.name, quinn.role, quinn.ipi, quinn.ipi_base) == ("MARA QUINN", "Composer/Lyricist", "00052210040",
                                                                   "I-000000229-7")
    assert (quinn.society, quinn.shares, quinn.controlled) == ("PRS", {"PR": 25.0, "MR": 0.0, "SR": 0.0}, True)
    assert quinn.publisher == "NORTHGATE MUSIC"
    assert (reyes.name, reyes.role, reyes.ipi, reyes.controlled) == ("JONAH REYES", "Composer", "00523456789", False)
    assert (reyes.society, reyes.societies, reyes.publisher) == ("ASCAP", {"MR": "HFA", "SR": "HFA"}, None)
    assert reyes.shares == {"PR": 25.0, "MR": 0.0, "SR": 0.0}
    assert work.warnings == []


def test_cwr30_isr_transaction():
    f = CwrFile({**HDR_30, 168: "CW240002NGM_0000_V3-0-0.ISR"})
    f.group("ISR", "03.00")
    f.transaction("ISR", {19: "NIGHT TRAIN", 81: "W-0100", 95: "T1012023037", 106: "U"})
    f.detail("WRI", {19: "W001", 28: "00052210040", 39: "QUINN", 84: "MARA", 114: "CA"})
    f.detail("WRI", {19: "W002", 28: "00523456789", 39: "REYES", 84: "JONAH"})
    f.end_group()
    rs = parse_cwr(f.text(), "CW240002NGM_0000_V3-0-0.ISR")
    assert rs.title == "CWR 3.0 ISWC requests from NORTHGATE MUSIC PUBLISHING (CW240002NGM_0000_V3-0-0.ISR)"
    assert rs.warnings == []
    (work,) = rs.records
    assert (work.title, work.fields) == ("NIGHT TRAIN", {"work_id": "W-0100", "transaction": "ISR"})
    assert work.ids() == ["T1012023037", "00052210040", "00523456789"]
    assert [(p.name, p.role, p.ipi, p.controlled) for p in work.parties] == [
        ("MARA QUINN", "Composer/Lyricist", "00052210040", None), ("JONAH REYES", None, "00523456789", None)]
    check_spans(rs)


def test_cwr30_short_line_is_reported_and_the_rest_parsed():
    text, at = build_30()
    lines = text.split("\n")
    swr = next(i for i, line in enumerate(lines) if line.startswith("SWR"))
    lines[swr] = lines[swr][:60]
    rs = parse_cwr("\n".join(lines))
    assert f"line {swr + 1}: SWR record too short (60 characters, needs at least 106)" in rs.warnings
    (work,) = rs.records
    assert [p.name for p in work.parties] == ["NORTHGATE MUSIC", "JONAH REYES"]
    assert work.fields["recordings"]


# --------------------------------------------------------------------------- not CWR / detection
def test_not_cwr_raises_ingest_error(tmp_path):
    for text in ("", "\n  \n", "Title,ISWC\nBlue Hour,T3452468003\n", "GRHNWR0000102.10\n"):
        with pytest.raises(IngestError):
            parse_cwr(text)
    empty = tmp_path / "empty.cwr"
    empty.write_bytes(b"")
    with pytest.raises(IngestError, match="empty"):
        read_cwr(empty)
    binary = tmp_path / "binary.cwr"
    binary.write_bytes(b"HDR\x00\x01\x02" * 100)
    with pytest.raises(IngestError):
        read_cwr(binary)


def test_looks_like_cwr():
    f, _ = build_21()
    text = f.text()
    assert looks_like_cwr(text.encode())
    assert looks_like_cwr(b"\xef\xbb\xbf\r\n  " + text.encode())
    assert looks_like_cwr(("\ufeff" + text).encode("utf-16"))
    assert looks_like_cwr(build_30()[0].encode())
    assert not looks_like_cwr(b"Title,ISWC\nBlue Hour,T3452468003\n")
    assert not looks_like_cwr(b"HDR notes from the meeting\n")
    assert not looks_like_cwr(b"")
    # A BOM before HDR is not part of the record: positions still line up.
    rs = parse_cwr("\ufeff" + text)
    assert rs.fields["created"] == "2024-01-31" and len(rs.records) == 2


# ---------------------------------------------------------------------------------- real samples
@pytest.mark.skipif(not SAMPLES.exists(), reason="music samples (../shared/data) not available")
def test_real_cwr30_samples():
    rs = read_cwr(SAMPLES / "CW220002DMP_0000_V3-0-0.SUB")
    assert (rs.reader, rs.warnings) == ("cwr-3.0", [])
    assert rs.title == "CWR 3.0 registrations from TEST PUBLISHER (CW220002DMP_0000_V3-0-0.SUB)"
    assert rs.fields == {"sender": "TEST PUBLISHER", "created": "2020-01-22", "version": "3.0"}
    check_spans(rs)
    (work,) = rs.records
    assert (work.title, work.ids("ISWC"), work.location) == ("MUSIC PUB CARTOONS", ["T1234567894"], "lines 3-26")
    writers = [p for p in work.parties if p.kind == "writer"]
    assert [(w.name, w.role, w.ipi, w.society, w.controlled, w.publisher) for w in writers] == [
        ("MATIJA KOLARIC", "Arranger", "00000000199", "ASCAP", True, "TEST PUBLISHER"),
        ("ANN OTHER", "Adaptor", "00000000297", "ASCAP", True, "TEST PUBLISHER"),
        ("(unknown writer)", "Composer/Lyricist", None, None, False, None),
    ]
    assert writers[0].ipi_base == "I-123456789-3" and writers[0].shares == {"PR": 25.0, "MR": 0.0, "SR": 0.0}
    publisher = work.parties[0]
    assert (publisher.name, publisher.society, publisher.societies) == ("TEST PUBLISHER", "PRS",
                                                                        {"MR": "MCPS", "SR": "MCPS"})
    assert publisher.shares == {"PR": 37.5, "MR": 75.0, "SR": 75.0}
    assert work.share_totals() == {"PR": 100.0, "MR": 100.0, "SR": 100.0} and work.warnings == []
    assert work.fields["work_id"] == "DMP000001" and work.fields["library"] == "MUSIC LIBRARY"
    assert "WORK RECORDING FEAT. TESTING" in work.fields["alt_titles"]
    assert "WORK RECORDING — MUSIC LABEL" in work.fields["recordings"]

    rs = read_cwr(SAMPLES / "CW220003DMP_0000_V3-0-0.ISR")
    assert (rs.reader, rs.warnings) == ("cwr-3.0", [])
    (work,) = rs.records
    assert (work.title, work.fields["transaction"], work.ids("ISWC")) == ("MUSIC PUB CARTOONS", "ISR", ["T1234567894"])
    assert [(p.name, p.ipi) for p in work.parties] == [("MATIJA KOLARIC", "00000000199"), ("ANN OTHER", "00000000297")]
