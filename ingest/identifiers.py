"""Music identifiers: recognise, normalise and validate ISRC, ISWC, IPI and UPC/EAN/ICPN.

Staff type identifiers every way ("t3452468001", "T-345.246.800-1", "gb nvr 24 00012"), files
store them every way too. Everything is compared in one canonical form, and that form, prefixed
by its scheme ("ISWC:T3452468001"), is what the store indexes, so an identifier in a question
finds the records carrying it exactly, whatever the formatting on either side.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stdnum import ean

SCHEMES = ("ISWC", "ISRC", "IPI", "UPC")

_SEP = r"[-\s.]?"
ISWC_TEXT = re.compile(rf"(?<![A-Za-z0-9])T{_SEP}\d{{3}}{_SEP}\d{{3}}{_SEP}\d{{3}}{_SEP}\d(?![A-Za-z0-9])", re.I)
ISRC_TEXT = re.compile(
    rf"(?<![A-Za-z0-9])[A-Z]{{2}}{_SEP}[A-Z0-9]{{3}}{_SEP}\d{{2}}{_SEP}\d{{5}}(?![A-Za-z0-9])", re.I
)
# IPI name numbers are bare digit runs: only taken from text where "IPI" or "CAE" precedes them.
IPI_TEXT = re.compile(
    r"\b(?:IPI|CAE)(?:\s*(?:name\s*)?(?:no\.?|number|#))?\s*[:#]?\s*(\d(?:[ .]?\d){0,10})(?![\d])", re.I
)
GTIN_LABEL = re.compile(r"\b(?:UPC|EAN|ICPN|GTIN|barcode|bar code)s?\b[^\w]*(?:(?:number|no|code|is|of|with)\b[^\w]*){0,3}$", re.I)
GTIN_TEXT = re.compile(r"(?<![\d.,-])(\d{12,14})(?![\d])|(?<![\d.,-])(\d(?:[ -]?\d){11,13})(?![\d])")

# Any token shaped like an identifier, of a known scheme or not: ISWC T-345.246.800-1, ISRC
# GB-NVR-24-00012 / GBNVR2400012, catalogue numbers (NVR-CAT-0042). Citation checks compare them
# as hard facts; retrieval and answer selection match them exactly. The schemes above are
# recognised, normalised and validated by ``find_identifiers``.
IDENTIFIER_LIKE = re.compile(
    r"\b(?:T-?\d{3}\.?\d{3}\.?\d{3}-?\d"
    r"|[A-Z]{2}-?[A-Z0-9]{3}-?\d{2}-?\d{5}"
    r"|(?=[A-Z0-9-]*\d)(?=[A-Z0-9-]*[A-Z])[A-Z0-9]+(?:-[A-Z0-9]+)+)\b"
)


@dataclass(frozen=True)
class Identifier:
    scheme: str  # ISWC | ISRC | IPI | UPC
    value: str  # canonical form
    valid: bool  # check digit (ISWC, UPC/EAN) or shape holds
    text: str = ""  # as written

    @property
    def key(self) -> str:
        """What the store indexes: "ISWC:T3452468001"."""
        return f"{self.scheme}:{self.value}"

    @property
    def display(self) -> str:
        return format_identifier(self.scheme, self.value)


def _compact(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "", str(text)).upper()


def iswc_check_digit(nine_digits: str) -> int:
    total = 1 + sum((i + 1) * int(d) for i, d in enumerate(nine_digits))
    return (10 - total % 10) % 10


def gtin_check_digit(body: str) -> int:
    """GS1 check digit for the digits before it (UPC-A, EAN-13, GTIN-14): python-stdnum's EAN
    module. (ISRCs carry no check digit; python-stdnum has no ISWC module, hence the one above.)"""
    return int(ean.calc_check_digit(body))


def normalize_iswc(text: str) -> Identifier | None:
    c = _compact(text)
    if not re.fullmatch(r"T\d{10}", c):
        return None
    return Identifier("ISWC", c, iswc_check_digit(c[1:10]) == int(c[10]), str(text))


def normalize_isrc(text: str) -> Identifier | None:
    c = _compact(text)
    if not re.fullmatch(r"[A-Z]{2}[A-Z0-9]{3}\d{7}", c):
        return None
    return Identifier("ISRC", c, True, str(text))


def normalize_ipi(text: str | int) -> Identifier | None:
    """IPI name number: up to 11 digits, zero-padded to 11 (files drop the leading zeros)."""
    raw = str(text).strip()
    if re.fullmatch(r"\d+\.0", raw):  # spreadsheets turn 00052210040 into 52210040.0
        raw = raw[:-2]
    c = re.sub(r"[\s.,-]", "", raw)
    if not re.fullmatch(r"\d{1,11}", c) or int(c) == 0:
        return None
    return Identifier("IPI", c.zfill(11), True, raw)


def normalize_upc(text: str | int) -> Identifier | None:
    """UPC-A (12), EAN-13 and GTIN-14 as one scheme, canonical 13 digits (GTIN-13)."""
    raw = str(text).strip()
    if re.fullmatch(r"\d+\.0", raw):
        raw = raw[:-2]
    c = re.sub(r"[\s-]", "", raw)
    if not re.fullmatch(r"\d{12,14}", c):
        return None
    valid = gtin_check_digit(c[:-1]) == int(c[-1])
    if len(c) == 12:
        c = "0" + c
    elif len(c) == 14 and c.startswith("0"):
        c = c[1:]
    return Identifier("UPC", c, valid, raw)


NORMALIZERS = {"ISWC": normalize_iswc, "ISRC": normalize_isrc, "IPI": normalize_ipi, "UPC": normalize_upc}


def normalize(scheme: str, text: str | int | None) -> Identifier | None:
    """Canonical identifier, or None when ``text`` does not have the scheme's shape."""
    if text is None or str(text).strip() == "":
        return None
    return NORMALIZERS[scheme.upper()](text)


def format_identifier(scheme: str, value: str) -> str:
    """The conventional written form: T-345.246.800-1, GB-NVR-24-00012."""
    if scheme == "ISWC" and len(value) == 11:
        return f"T-{value[1:4]}.{value[4:7]}.{value[7:10]}-{value[10]}"
    if scheme == "ISRC" and len(value) == 12:
        return f"{value[:2]}-{value[2:5]}-{value[5:7]}-{value[7:]}"
    return value


def find_identifiers(text: str) -> list[Identifier]:
    """Identifiers written in free text (a question, a contract clause), in order, deduplicated.

    ISWC and ISRC have distinctive shapes; an IPI number is only taken after "IPI"/"CAE"; a
    12-14 digit run counts as UPC/EAN only when its check digit holds (else it is some number) or
    when it is labelled as one ("UPC 5099907138655": real releases carry codes whose check digit
    fails, and a user asking about one must still find it).
    """
    found: list[tuple[int, Identifier]] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    for m in ISWC_TEXT.finditer(text):
        ident = normalize_iswc(m.group(0))
        if ident:
            found.append((m.start(), Identifier(ident.scheme, ident.value, ident.valid, m.group(0))))
            taken.append(m.span())
    for m in ISRC_TEXT.finditer(text):
        if not free(*m.span()):
            continue
        ident = normalize_isrc(m.group(0))
        # "TERRITORY1234567" shapes: an ISRC's registrant part needs a letter or digit mix; a
        # run of 12 plain letters and digits in prose is rare enough to accept.
        if ident:
            found.append((m.start(), Identifier(ident.scheme, ident.value, ident.valid, m.group(0))))
            taken.append(m.span())
    for m in IPI_TEXT.finditer(text):
        if not free(*m.span(1)):
            continue
        ident = normalize_ipi(m.group(1))
        if ident:
            found.append((m.start(1), Identifier(ident.scheme, ident.value, ident.valid, m.group(1))))
            taken.append(m.span(1))
    for m in GTIN_TEXT.finditer(text):
        span = m.span(1) if m.group(1) else m.span(2)
        if not free(*span):
            continue
        ident = normalize_upc(m.group(0))
        if ident and (ident.valid or GTIN_LABEL.search(text[max(0, span[0] - 24):span[0]])):
            found.append((span[0], Identifier(ident.scheme, ident.value, ident.valid, m.group(0))))
            taken.append(span)
    seen: set[str] = set()
    out = []
    for _, ident in sorted(found, key=lambda x: x[0]):
        if ident.key not in seen:
            seen.add(ident.key)
            out.append(ident)
    return out


def identifier_keys(text: str) -> list[str]:
    return [i.key for i in find_identifiers(text)]
