"""Document-level facts read from a contract's opening: its parties and the date it was made.

They let a user scope a question ("only agreements with Nova Records", "signed since 2023")
without naming files. Read from the preamble only, where contracts state them; a document
that doesn't follow the pattern simply gets none (never a guess from the body).
"""

from __future__ import annotations

import re

MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
            ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
            ("october", "oct"), ("november", "nov"), ("december", "dec"),
        ]
    )
    for m in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d{2})"
DATE_PATTERNS = [
    re.compile(rf"\b{_DAY}(?:\s+day\s+of)?\s+{_MONTH},?\s+{_YEAR}\b", re.I),
    re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b", re.I),
    re.compile(r"\b(?P<year>(?:19|20)\d{2})-(?P<month>\d{1,2})-(?P<day>\d{1,2})\b"),
    re.compile(r"\b(?P<day>\d{1,2})/(?P<month>\d{1,2})/(?P<year>(?:19|20)\d{2})\b"),
]


def date_value(m: re.Match) -> str | None:
    """ISO date of a DATE_PATTERNS match, or None when it is not a real calendar date."""
    month = m.group("month")
    month_n = int(month) if month.isdigit() else MONTHS.get(month.lower().rstrip("."))
    day, year = int(m.group("day")), int(m.group("year"))
    if not month_n or not 1 <= month_n <= 12 or not 1 <= day <= 31:
        return None
    return f"{year:04d}-{month_n:02d}-{day:02d}"


def find_dates(text: str) -> list[tuple[int, int, str]]:
    """(start, end, ISO date) of every date in ``text``, in order, without overlaps."""
    found: list[tuple[int, int, str]] = []
    for pattern in DATE_PATTERNS:
        for m in pattern.finditer(text):
            value = date_value(m)
            if value and all(m.end() <= s or m.start() >= e for s, e, _ in found):
                found.append((m.start(), m.end(), value))
    return sorted(found)


PREAMBLE_CHARS = 2500
_BETWEEN = re.compile(r"\b(?:by and )?between\s*:?\s+|^[ \t]*(?:the\s+)?parties\s*:[ \t]*\n?\s*(?=\(1\)|1[.)]\s)", re.I | re.M)
_AFTER_DEFINITION = re.compile(r"\)\s*[,;]?\s*(?:and|&)\s+", re.I)  # ("Company"), and ...
_PLAIN_AND = re.compile(r"\s+(?:and|&)\s+", re.I)
_ENTITY_CUT = re.compile(r"\s*(?:,|\(|;|\n|\s+of\s+(?=\d|(?:Unit|Flat|Suite|Apartment|Floor|Studio)\b)|"
                         r"(?:(?<=\bLimited)|(?<=\bLtd)|(?<=\bLtd\.)|(?<=\bLLC)|(?<=\bInc)|(?<=\bInc\.)|(?<=\bplc)|(?<=\bLLP)|(?<=\bGmbH)|(?<=\bPty))"
                         r"\s+of\s+|\bp/k/a\b|\bprofessionally known\b|\bwhose\b|\ba company\b|\ba corporation\b|\s+and\s+|\s+[-–—]\s+|\s+dated\b|\s+effective\b|"
                         r"\s+made\s+(?:on|as\s+of)\b|\s+entered\s+into\b).*$", re.I | re.S)  # "... and Jarrah Coombes made on 19 July 2021"
_MADE = re.compile(r"\b(?:made|dated|entered into|effective|signed)\b[^.]{0,60}?$", re.I)


_ENUMERATOR = re.compile(r"^\s*(?:\(\s*(?:\d{1,2}|[a-zA-Z]|[ivxIVX]{1,4})\s*\)|\d{1,2}[.)])\s+")  # "(1) ", "2. ", "(b) "
# a preamble that labels each party on its own line ("Licensor: HARROW & FINCH RECORDINGS LTD, ...")
PARTY_LABELS = (r"Licensor|Licensee|Licen[cs]ing\s+Party|Publisher|Co-Publisher|Administrator|Writer|Songwriter|Composer|Artist|"
                r"Company|Label|Record\s+Company|Producer|Distributor|Owner|Client|Assignor|Assignee|Manager|Agent|Supplier|"
                r"Customer|Purchaser|Seller|Buyer|Lender|Borrower|Party\s+(?:A|B|One|Two|1|2)|First\s+Party|Second\s+Party")
LABELLED_PARTY = re.compile(rf"(?m)^[ \t]*(?P<role>{PARTY_LABELS})[ \t]*:[ \t]*(?P<name>\S[^\n]{{1,400}})", re.I)


def _clean_party(raw: str) -> str:
    raw = _ENUMERATOR.sub("", raw)
    name = _ENTITY_CUT.sub("", " ".join(raw.split())).strip(" ,;:\"“”'")
    return name if 2 <= len(name) <= 120 else ""


def parties(text: str) -> list[str]:
    """The two parties named after "between" in the preamble: the second starts after the
    first one's definition ("... ("Company"), and ...") or, failing that, after "and"."""
    head = text[:PREAMBLE_CHARS]
    m = _BETWEEN.search(head)
    if not m:
        return [name for name, _, _ in labelled_parties(head)]
    seg = head[m.end(): m.end() + 900]
    first = _clean_party(seg)
    if " & " in first and not re.search(r"\s+and\s+", seg[:400], re.I):
        first = first.split(" & ")[0]  # "between Nova Records Ltd & Mara Quinn": "&" is the only separator
    # "and" separates the parties; "&" only when no "and" does ("Harrow & Finch Recordings Ltd and ...")
    split = _AFTER_DEFINITION.search(seg) or re.compile(r"\s+and\s+", re.I).search(seg, len(first)) or _PLAIN_AND.search(seg, len(first))
    second = _clean_party(seg[split.end():]) if split else ""
    return [n for n in dict.fromkeys([first, second]) if n]


def labelled_parties(head: str) -> list[tuple[str, str, re.Match]]:
    """(name, role, match) of a preamble that labels its parties line by line ("Licensor: X ...",
    "Licensee: Y ..."); empty unless two or more are labelled. The role is the label."""
    found = []
    for m in LABELLED_PARTY.finditer(head):
        name = _clean_party(m.group("name"))
        if name and name not in [f[0] for f in found]:
            found.append((name, " ".join(m.group("role").split()).title(), m))
    return found if len(found) >= 2 else []


def agreement_date(text: str) -> str | None:
    """The date the contract says it was made: the first date in the preamble preceded by
    "made", "dated", "entered into", "effective" (else the preamble's first date)."""
    head = text[:PREAMBLE_CHARS]
    dates = find_dates(head)
    for start, _, value in dates:
        if _MADE.search(head[max(0, start - 80):start]):
            return value
    return dates[0][2] if dates else None
