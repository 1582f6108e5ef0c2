"""CWR (Common Works Registration) files, versions 2.1, 2.2 and 3.0 (.SUB and .ISR), as work records.

CWR is CISAC's fixed-width format for registering works with societies: a transmission header
(HDR), groups (GRH ... GRT) of transactions, and a trailer (TRL) with counts. A work transaction
(NWR/REV/ISW/EXC in 2.x, WRK and ISR in 3.0) is its header record followed by detail records:
writers, publishers, their territories, links between them, alternative titles, recordings.
Each work transaction becomes one :class:`Record` spanning the transaction's lines, so a
citation points at exactly the lines a society would read.

Positions are 0-based ``[start, end)`` slices: 2.x from the CISAC functional specifications
(2.1 rev 7, 2.2 rev 2); 3.0 from the layout django-music-publisher writes (the generator of the
sample files, which check it; the 3.0 specification text was not at hand). CWR writers strip
trailing blanks, so lines are padded before slicing; a line too short for the fields read, an
unknown record type or a detail record outside a work becomes a file warning, and the rest of
the file is still read.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from ingest.decoding import decode_text
from ingest.errors import IngestError
from ingest.records.model import RIGHT_TYPES, Party, Record, RecordSet, line_offsets, span_of_lines

WORK_TRANSACTIONS = {"NWR", "REV", "ISW", "EXC", "WRK", "ISR"}
OTHER_TRANSACTIONS = {"ACK", "AGR"}  # carry no work of their own: their details are skipped
CONTROL = {"HDR", "GRH", "GRT", "TRL"}
# Known detail records this reader has no use for (names in other scripts, instrumentation,
# components, agreement parties, society messages, 3.1 manuscript shares...): no warning.
IGNORED = {
    "ARI", "COM", "EWT", "IND", "INS", "IPA", "MSG", "NAT", "NCT", "NET", "NOW", "NPA", "NPN",
    "NPR", "NVT", "NWN", "OWK", "TER", "VER", "MAN",
}

Span = tuple[int, int]
_WORK = {"title": (19, 79), "language": (79, 81), "work_id": (81, 95), "iswc": (95, 106), "duration": (129, 135)}
_ALT = {"title": (19, 79), "type": (79, 81)}
_PER = {"last": (19, 64), "first": (64, 94)}
_SHARES_2 = {  # ownership shares and societies in 2.x SPU (offset 0) and SWR (offset 14)
    "PR_soc": (112, 115), "PR": (115, 120), "MR_soc": (120, 123), "MR": (123, 128),
    "SR_soc": (128, 131), "SR": (131, 136),
}
LAYOUTS: dict[str, dict[str, dict[str, Span]]] = {
    "2": {
        "WORK": _WORK,
        "SPU": {"seq": (19, 21), "ip": (21, 30), "name": (30, 75), "unknown": (75, 76), "type": (76, 78),
                "ipi": (87, 98), "ipi_base": (139, 152), **_SHARES_2},
        "SWR": {"ip": (19, 28), "last": (28, 73), "first": (73, 103), "unknown": (103, 104), "role": (104, 106),
                "ipi": (115, 126), "ipi_base": (154, 167),
                **{k: (a + 14, b + 14) for k, (a, b) in _SHARES_2.items()}},
        "PWR": {"pub_ip": (19, 28), "pub_name": (28, 73), "writer_ip": (101, 110), "pub_seq": (110, 112)},
        "ALT": _ALT,
        "PER": _PER,
        # 2.1: first album title/label; 2.2 adds recording title, display artist and label.
        "REC": {"album": (98, 158), "album_label": (158, 218), "isrc": (249, 261), "title": (266, 326),
                "artist": (386, 446), "label": (446, 506)},
        "ORN": {"library": (101, 161)},
        "XRF": {"org": (19, 22), "id": (22, 36)},
    },
    "3": {
        "WORK": _WORK,
        "ISR": {"title": (19, 79), "language": (79, 81), "work_id": (81, 95), "iswc": (95, 106)},
        # IPI name/base numbers of SPU and SWR are located by _ipi_and_base (tax ID or not).
        "SPU": {"seq": (19, 21), "ip": (21, 30), "name": (30, 75), "unknown": (75, 76), "type": (76, 78)},
        "SWR": {"ip": (19, 28), "last": (28, 73), "first": (73, 103), "unknown": (103, 104), "role": (104, 106)},
        "WRI": {"ip": (19, 28), "ipi": (28, 39), "last": (39, 84), "first": (84, 114), "role": (114, 116)},
        # 3.0 moved shares and societies out of SPU/SWR into the territory records.
        "SPT": {"ip": (22, 31), "PR": (31, 36), "MR": (36, 41), "SR": (41, 46), "incl": (46, 47), "tis": (47, 51),
                "PR_soc": (51, 55), "MR_soc": (55, 59), "SR_soc": (59, 63)},
        "PWR": {"pub_seq": (19, 21), "pub_ip": (21, 30), "writer_ip": (30, 39)},
        "ALT": _ALT,
        "PER": _PER,
        "REC": {"isrc": (33, 45), "title": (45, 105), "artist": (165, 225), "label": (252, 312)},
        "ORN": {"library": (41, 101)},
        "XRF": {"org": (19, 23), "id": (23, 37)},
    },
}
ALIASES = {"OPU": "SPU", "OWR": "SWR", "OPT": "SPT", "SWT": "SPT", "OWT": "SPT"}
# Shortest line holding the fields that are always written (numbers are zero-filled, so a
# writer never strips them); shorter lines are reported rather than misread.
MIN_LENGTH = {
    "2": {"WORK": 135, "SPU": 136, "SWR": 150, "PWR": 28, "ALT": 81, "PER": 20, "REC": 20, "ORN": 22, "XRF": 23},
    "3": {"WORK": 135, "ISR": 79, "SPU": 78, "SWR": 106, "WRI": 40, "SPT": 51, "PWR": 21, "ALT": 81,
          "PER": 20, "REC": 20, "ORN": 22, "XRF": 24},
}
PAD = 600  # longer than any field read

WRITER_ROLES = {
    "CA": "Composer/Lyricist", "C": "Composer", "A": "Lyricist", "AR": "Arranger", "AD": "Adaptor",
    "TR": "Translator", "SA": "Sub-Arranger", "SR": "Sub-Author", "PA": "Income Participant",
}
PUBLISHER_TYPES = {
    "E": "Original Publisher", "AM": "Administrator", "SE": "Sub-Publisher", "AQ": "Acquirer",
    "PA": "Income Participant", "ES": "Substituted Publisher",
}
# CISAC society codes of the common music societies (CWR writes them as numbers).
SOCIETIES = {
    1: "ACUM", 3: "AEPI", 5: "AKM", 8: "APRA", 9: "ARTISJUS", 10: "ASCAP", 12: "AMCOS", 20: "SODRAC",
    21: "BMI", 23: "BUMA", 26: "CASH", 34: "HFA", 35: "GEMA", 36: "IPRS", 38: "JASRAC", 40: "KODA",
    44: "MCPS", 48: "NCB", 50: "OSA", 52: "PRS", 55: "SABAM", 58: "SACEM", 59: "SACM", 61: "SADAIC",
    63: "SAMRO", 68: "SDRM", 69: "SPA", 71: "SESAC", 72: "SGAE", 74: "SIAE", 78: "STEMRA", 79: "STIM",
    80: "SUISA", 88: "CMRRA", 89: "TEOSTO", 90: "TONO", 94: "RAO", 97: "ZAIKS", 101: "SOCAN",
    111: "HDS-ZAMP", 112: "SAZAS", 115: "UCMR-ADA", 118: "KOMCA", 119: "MCSC", 128: "IMRO",
    201: "ABRAMUS", 308: "ECAD", 707: "MusicMark",
}
TRANSACTION_NAMES = {"ISR": "ISWC requests", "ACK": "acknowledgements", "AGR": "agreements"}
UNKNOWN_WRITER, UNKNOWN_PUBLISHER = "(unknown writer)", "(unknown publisher)"
HDR_LINE = re.compile(r"HDR(?:PB|SO|AA|WR|\d\d)")


def looks_like_cwr(head: bytes) -> bool:
    """Whether the first non-empty line is a CWR transmission header (for files of any extension)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", errors="ignore")
    else:
        text = head.decode("utf-8", errors="ignore")
    for line in text.splitlines():
        line = line.strip("\ufeff \t\r")
        if line:
            # A header names its sender type and carries its creation date (YYYYMMDD).
            return bool(HDR_LINE.match(line)) and bool(re.search(r"(?:19|20)\d{6}", line[50:]))
    return False


def read_cwr(path: Path) -> RecordSet:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(f"cannot read file ({exc.strerror or exc})") from None
    return parse_cwr(decode_text(data, path.name), path.name)


def parse_cwr(text: str, name: str = "file") -> RecordSet:
    """One work Record per work transaction of a CWR file; IngestError only when it is not CWR."""
    lines = text.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip("\ufeff \t\r")), None)
    if first is None:
        raise IngestError("empty file: no CWR records")
    hdr = lines[first].rstrip("\r").lstrip("\ufeff \t")
    if not hdr.startswith("HDR"):
        raise IngestError(f"not a CWR file: first record is {hdr[:12]!r}, not a transmission header (HDR)")
    version = _version(hdr, lines)
    reader = _Reader(text, "3" if version.startswith("3") else "2")
    for i in range(first, len(lines)):
        line = hdr if i == first else lines[i].rstrip("\r")
        if line.strip():
            reader.feed(i + 1, line)
    reader.finish()

    padded = hdr.ljust(PAD)
    sender = (padded[9:54] if reader.layout == "3" else padded[14:59]).strip()
    created = re.search(r"((?:19|20)\d{6})\d{6}(?:19|20)\d{6}", hdr[54:])
    kinds = set(reader.group_types)
    what = TRANSACTION_NAMES.get(kinds.pop(), "registrations") if len(kinds) == 1 else "registrations"
    title = f"CWR {version} {what}" + (f" from {sender}" if sender else "") + f" ({name})"
    created_on = _iso_date(created.group(1)) if created else None
    fields = {"sender": sender or None, "created": created_on, "version": version}
    return RecordSet(text=text, reader=f"cwr-{version}", doc_type="cwr", records=reader.records,
                     title=title, warnings=reader.warnings, fields=fields)


def _version(hdr: str, lines: list[str]) -> str:
    """The HDR's version field (2.2: "2.2" at 101, 3.x: "3.0" at 102; 2.1 has none), else the
    first group header's ("02.10", "03.00" at 11), else 2.1."""
    m = re.match(r" ?([23]\.\d)", hdr[101:106])
    if m:
        return m.group(1)
    grh = next((line for line in lines if line.startswith("GRH")), "")
    m = re.fullmatch(r"0?([23])\.(\d)0", grh[11:16])
    return f"{m.group(1)}.{m.group(2)}" if m else "2.1"


class _Reader:
    """Walks the records in order, tracking the open group and work transaction and the counts
    the GRT/TRL trailers are checked against."""

    def __init__(self, text: str, layout: str):
        self.text, self.layout = text, layout
        self.offsets = line_offsets(text)
        self.records: list[Record] = []
        self.warnings: list[str] = []
        self.work: _Work | None = None
        self.skipping = False  # inside a transaction with no work (AGR, ACK) or a bad work header
        self.group: dict | None = None
        self.group_types: list[str] = []
        self.counts = {"records": 0, "transactions": 0, "groups": 0}
        self.trailer = False

    def feed(self, n: int, line: str) -> None:
        rtype = line[:3]
        self.counts["records"] += 1
        if self.group:
            self.group["records"] += 1
        if rtype in CONTROL:
            self.close()
            self.skipping = False
            getattr(self, f"_{rtype.lower()}")(n, line)
            return
        group_type = self.group["type"] if self.group else None
        if rtype == group_type or (group_type not in WORK_TRANSACTIONS | OTHER_TRANSACTIONS
                                   and rtype in WORK_TRANSACTIONS | OTHER_TRANSACTIONS):
            self.counts["transactions"] += 1
            if self.group:
                self.group["transactions"] += 1
        if rtype in WORK_TRANSACTIONS:
            self.close()
            key = "ISR" if rtype == "ISR" and self.layout == "3" else "WORK"
            if self._short(n, line, rtype, key, "; its transaction is skipped"):
                self.skipping = True
                return
            self.skipping = False
            self.work = _Work(rtype, line.ljust(PAD), n, self.layout)
        elif rtype in OTHER_TRANSACTIONS:
            self.close()
            self.skipping = True
        elif rtype in _Work.HANDLERS or rtype in IGNORED:
            if self.work is None:
                if not self.skipping:
                    self.warnings.append(f"line {n}: {rtype} record outside a work transaction")
                return
            self.work.last = n
            key = ALIASES.get(rtype, rtype)
            if rtype in IGNORED or key not in LAYOUTS[self.layout] or self._short(n, line, rtype, key):
                return
            try:
                getattr(self.work, _Work.HANDLERS[rtype])(rtype, line.ljust(PAD), n)
            except (ValueError, IndexError, KeyError) as exc:  # a malformed line never stops the file
                self.warnings.append(f"line {n}: unreadable {rtype} record ({exc})")
        else:
            self.warnings.append(f"line {n}: unknown record type {rtype!r}")
            if self.work:
                self.work.last = n

    def _short(self, n: int, line: str, rtype: str, key: str, then: str = "") -> bool:
        needs = MIN_LENGTH[self.layout].get(key, 0)
        if len(line) < needs:
            self.warnings.append(
                f"line {n}: {rtype} record too short ({len(line)} characters, needs at least {needs}){then}")
            return True
        return False

    def close(self) -> None:
        if self.work:
            self.records.append(self.work.close(self.offsets, self.text))
            self.work = None

    def _hdr(self, n: int, line: str) -> None:
        if self.counts["records"] > 1:
            self.warnings.append(f"line {n}: second HDR record ignored")

    def _grh(self, n: int, line: str) -> None:
        if self.group:
            self.warnings.append(f"line {self.group['line']}: group {self.group['type']} has no GRT record")
        self.counts["groups"] += 1
        self.group = {"type": line[3:6], "line": n, "records": 1, "transactions": 0}
        self.group_types.append(line[3:6])

    def _grt(self, n: int, line: str) -> None:
        if self.group is None:
            self.warnings.append(f"line {n}: GRT record without a group header (GRH)")
            return
        g, self.group = self.group, None
        self._check(n, "GRT", f"group {g['type']}", line, {"transactions": (8, 16, g["transactions"]),
                                                             "records": (16, 24, g["records"])})

    def _trl(self, n: int, line: str) -> None:
        self.trailer = True
        if self.group:
            self.warnings.append(f"line {self.group['line']}: group {self.group['type']} has no GRT record")
            self.group = None
        c = self.counts
        self._check(n, "TRL", "the file", line, {"groups": (3, 8, c["groups"]),
                                                 "transactions": (8, 16, c["transactions"]),
                                                 "records": (16, 24, c["records"])})

    def _check(self, n: int, rtype: str, scope: str, line: str, counts: dict[str, tuple[int, int, int]]) -> None:
        for what, (a, b, seen) in counts.items():
            stated = line[a:b].strip()
            if stated.isdigit() and int(stated) != seen:
                self.warnings.append(f"line {n}: {rtype} counts {int(stated)} {what}, {scope} has {seen}")

    def finish(self) -> None:
        self.close()
        if self.group:
            self.warnings.append(f"line {self.group['line']}: group {self.group['type']} has no GRT record")
        if not self.trailer:
            self.warnings.append("no TRL record: the file may be truncated")


class _Work:
    """One work transaction being read: its Record, and the indexes linking detail records
    (territory shares, writer-publisher links) to the parties they belong to."""

    HANDLERS = {
        "SPU": "publisher", "OPU": "publisher", "SWR": "writer", "OWR": "writer", "WRI": "writer",
        "SPT": "territory", "OPT": "territory", "SWT": "territory", "OWT": "territory", "PWR": "link",
        "ALT": "alternate", "PER": "performer", "REC": "recording", "ORN": "origin", "XRF": "reference",
    }

    def __init__(self, rtype: str, line: str, n: int, layout: str):
        self.layout, self.first, self.last = layout, n, n
        self.spec = LAYOUTS[layout]
        f = _fields(line, self.spec["ISR" if rtype == "ISR" and layout == "3" else "WORK"])
        self.record = Record(kind="work", title=f["title"] or None, start=0, end=0, line_start=n, line_end=n)
        self.record.add_identifier("ISWC", f["iswc"])
        fields = {"work_id": f["work_id"], "transaction": rtype, "language": f["language"],
                  "duration": _duration(f.get("duration", ""))}
        self.record.fields.update({k: v for k, v in fields.items() if v})
        self.lists: dict[str, list[str]] = {"alt_titles": [], "performing_artists": [], "recordings": [],
                                            "society_references": []}
        self.by_ip: dict[tuple[str, str], Party] = {}
        self.by_seq: dict[str, Party] = {}
        self.latest: dict[str, Party] = {}
        self.with_territory: set[int] = set()
        self.territories: list[str] = []

    def _fields(self, rtype: str, line: str) -> dict[str, str]:
        return _fields(line, self.spec[ALIASES.get(rtype, rtype)])

    def _add(self, party: Party, ip: str, ipi_raw: str) -> None:
        if ipi_raw.strip("0 "):  # blank and all-zero mean "no IPI number"
            ident = self.record.add_identifier("IPI", ipi_raw, f"IPI of {party.name}")
            party.ipi = ident.value if ident else None
        self.record.parties.append(party)
        self.latest[party.kind] = party
        if ip:
            self.by_ip.setdefault((party.kind, ip), party)

    def _ownership(self, party: Party, f: dict[str, str], n: int) -> None:
        """Shares ("05000" = 50.00%: 3 digits, 2 implied decimals) and societies by right type."""
        for right in RIGHT_TYPES:
            raw = f.get(right, "")
            if raw.isdigit():
                party.shares[right] = int(raw) / 100
            elif raw:
                self.record.warnings.append(f"unreadable {right} share '{raw}' of {party.name} (line {n})")
        party.society = _society(f.get("PR_soc", ""))
        for right in ("MR", "SR"):
            society = _society(f.get(f"{right}_soc", ""))
            if society and society != party.society:
                party.societies[right] = society

    def writer(self, rtype: str, line: str, n: int) -> None:
        f = self._fields(rtype, line)
        if self.layout == "3" and rtype != "WRI":
            f["ipi"], f["ipi_base"] = _ipi_and_base(line, 106)
        name = " ".join(p for p in (f["first"], f["last"]) if p) or UNKNOWN_WRITER
        party = Party(name=name, kind="writer", role=WRITER_ROLES.get(f["role"], f["role"] or None),
                      ipi_base=f.get("ipi_base") or None, controlled={"SWR": True, "OWR": False}.get(rtype))
        self._ownership(party, f, n)
        self._add(party, f["ip"], f["ipi"])

    def publisher(self, rtype: str, line: str, n: int) -> None:
        f = self._fields(rtype, line)
        if self.layout == "3":
            f["ipi"], f["ipi_base"] = _ipi_and_base(line, 78)
        party = Party(name=f["name"] or UNKNOWN_PUBLISHER, kind="publisher",
                      role=PUBLISHER_TYPES.get(f["type"], f["type"] or None),
                      ipi_base=f["ipi_base"] or None, controlled=rtype == "SPU")
        self._ownership(party, f, n)
        self._add(party, f["ip"], f["ipi"])
        if f["seq"]:
            self.by_seq.setdefault(f["seq"].lstrip("0"), party)  # a chain's first: its original publisher

    def territory(self, rtype: str, line: str, n: int) -> None:
        """3.0: a party's shares are those of its first included territory (usually the world)."""
        f = self._fields(rtype, line)
        kind = "writer" if rtype in ("SWT", "OWT") else "publisher"
        party = self.by_ip.get((kind, f["ip"])) or self.latest.get(kind)  # it follows its party
        if party is None or id(party) in self.with_territory or f["incl"] == "E":
            return
        self.with_territory.add(id(party))
        self._ownership(party, f, n)
        tis = f["tis"].lstrip("0")
        label = "World (TIS 2136)" if tis == "2136" else f"TIS {tis}"
        if tis and label not in self.territories:
            self.territories.append(label)

    def link(self, rtype: str, line: str, n: int) -> None:
        """PWR: the writer's publisher (by IP numbers; a blank writer number means the writer just read)."""
        f = self._fields(rtype, line)
        writer = self.by_ip.get(("writer", f["writer_ip"])) if f["writer_ip"] else self.latest.get("writer")
        publisher = self.by_ip.get(("publisher", f["pub_ip"])) if f["pub_ip"] else None
        if publisher is None and f["pub_seq"].strip("0"):
            publisher = self.by_seq.get(f["pub_seq"].lstrip("0"))
        name = publisher.name if publisher else f.get("pub_name", "")
        if writer is None or not name or name == UNKNOWN_PUBLISHER:
            return
        if not writer.publisher:
            writer.publisher = name
        elif name not in writer.publisher.split("; "):
            writer.publisher += f"; {name}"

    def alternate(self, rtype: str, line: str, n: int) -> None:
        title = self._fields(rtype, line)["title"]
        if title and title != self.record.title and title not in self.lists["alt_titles"]:
            self.lists["alt_titles"].append(title)

    def performer(self, rtype: str, line: str, n: int) -> None:
        f = self._fields(rtype, line)
        name = " ".join(p for p in (f["first"], f["last"]) if p)
        if name and name not in self.lists["performing_artists"]:
            self.lists["performing_artists"].append(name)

    def recording(self, rtype: str, line: str, n: int) -> None:
        f = self._fields(rtype, line)
        text = f["title"] or f.get("album", "")
        if f["artist"]:
            text = f"{text} by {f['artist']}" if text else f["artist"]
        label = f["label"] or f.get("album_label", "")
        if label:
            text = f"{text} — {label}" if text else label
        if f["isrc"]:
            ident = self.record.add_identifier("ISRC", f["isrc"])
            isrc = f"ISRC {ident.value if ident else f['isrc']}"
            text = f"{text} ({isrc})" if text else isrc
        if text:
            self.lists["recordings"].append(text)

    def origin(self, rtype: str, line: str, n: int) -> None:
        library = self._fields(rtype, line)["library"]
        if library:
            self.record.fields.setdefault("library", library)

    def reference(self, rtype: str, line: str, n: int) -> None:
        """XRF: the work's (or a recording's) number at another organisation, e.g. a society."""
        f = self._fields(rtype, line)
        if f["id"]:
            self.lists["society_references"].append(f"{_society(f['org']) or f['org']}: {f['id']}")

    def close(self, offsets: list[int], text: str) -> Record:
        r = self.record
        r.line_end = self.last
        r.start, r.end = span_of_lines(offsets, text, self.first, self.last)
        r.location = f"lines {self.first}-{self.last}" if self.last > self.first else f"line {self.first}"
        r.fields.update({key: values for key, values in self.lists.items() if values})
        if self.territories:
            r.fields["shares_territory"] = ", ".join(self.territories)
        r.check_shares()
        return r


def _fields(line: str, spec: dict[str, Span]) -> dict[str, str]:
    return {key: line[a:b].strip() for key, (a, b) in spec.items()}


def _ipi_and_base(line: str, at: int) -> tuple[str, str]:
    """3.0 IPI name and base numbers from ``at``, with or without a 9-character tax ID before them.

    Generators differ (the samples' SWR has no tax ID, their SPU and OWR do): an IPI base number
    starts with "I", and 20 digits can only be a tax ID followed by an IPI name number.
    """
    if line[at + 11] != "I" and (line[at + 20] == "I" or re.fullmatch(r"[0-9 ]{9}[0-9]{11}", line[at:at + 20])):
        at += 9
    return line[at:at + 11].strip(), line[at + 11:at + 24].strip()


def _society(code: str) -> str | None:
    code = code.strip()
    if not code.isdigit():
        return code or None
    return SOCIETIES.get(int(code), code) if int(code) else None


def _duration(hhmmss: str) -> str | None:
    if not re.fullmatch(r"\d{6}", hhmmss) or int(hhmmss) == 0:
        return None
    h, m, s = int(hhmmss[:2]), int(hhmmss[2:4]), int(hhmmss[4:])
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def _iso_date(yyyymmdd: str) -> str | None:
    try:
        return date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8])).isoformat()
    except ValueError:
        return None
