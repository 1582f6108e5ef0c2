"""Hard facts in a sentence (dates, amounts, percentages, numbers, identifiers), canonicalised.

Used twice, deterministically: after generation, to check that every fact an answer states occurs
in the passage it cites; and by the evaluation, to score citation validity the same way. Spelling
varies between an answer and its source ("£20,000" / "GBP 20,000", "31 December 2027" /
"December 31, 2027"), so facts are compared as canonical values, not strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
# ISWC T-345.246.800-1, ISRC GB-NVR-24-00012 / GBNVR2400012, IPI 00052210040, UPC/EAN, catalogue nos.
IDENTIFIER = re.compile(
    r"\b(?:T-?\d{3}\.?\d{3}\.?\d{3}-?\d"
    r"|[A-Z]{2}-?[A-Z0-9]{3}-?\d{2}-?\d{5}"
    r"|(?=[A-Z0-9-]*\d)(?=[A-Z0-9-]*[A-Z])[A-Z0-9]+(?:-[A-Z0-9]+)+)\b"
)
CITATION_MARKER = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")
NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?![\w])")


@dataclass(frozen=True)
class Fact:
    kind: str  # date | identifier | number
    value: str
    text: str  # as written


def _canonical_number(whole: str, frac: str | None) -> str:
    digits = whole.replace(",", "").lstrip("0") or "0"
    frac = (frac or "").rstrip("0")
    return f"{digits}.{frac}" if frac else digits


def _date_value(m: re.Match) -> str | None:
    month = m.group("month")
    month_n = int(month) if month.isdigit() else MONTHS.get(month.lower().rstrip("."))
    day, year = int(m.group("day")), int(m.group("year"))
    if not month_n or not 1 <= month_n <= 12 or not 1 <= day <= 31:
        return None
    return f"{year:04d}-{month_n:02d}-{day:02d}"


def extract_facts(text: str) -> list[Fact]:
    """Facts in ``text`` in order of appearance; a date's own digits are not also numbers."""
    facts: list[tuple[int, Fact]] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    for pattern in DATE_PATTERNS:
        for m in pattern.finditer(text):
            value = _date_value(m)
            if value and free(*m.span()):
                facts.append((m.start(), Fact("date", value, m.group(0))))
                taken.append(m.span())
    for m in IDENTIFIER.finditer(text):
        if free(*m.span()):
            facts.append((m.start(), Fact("identifier", re.sub(r"[^A-Z0-9]", "", m.group(0).upper()), m.group(0))))
            taken.append(m.span())
    for m in NUMBER.finditer(text):
        if free(*m.span()):
            facts.append((m.start(), Fact("number", _canonical_number(m.group(1), m.group(2)), m.group(0))))
    return [f for _, f in sorted(facts, key=lambda x: x[0])]


def fact_index(text: str) -> set[tuple[str, str]]:
    """What a passage supports: its facts, plus the parts of its dates (a year, a day) as numbers."""
    index: set[tuple[str, str]] = set()
    for fact in extract_facts(text):
        index.add((fact.kind, fact.value))
        if fact.kind == "date":
            year, month, day = fact.value.split("-")
            index.update({("number", year), ("number", str(int(day))), ("number", str(int(month)))})
    compact = re.sub(r"[^A-Z0-9]", "", text.upper())
    index.add(("compact", compact))
    return index


def unsupported_facts(claim: str, passage: str) -> list[Fact]:
    """Facts in ``claim`` that ``passage`` does not contain (empty list = supported)."""
    claim = CITATION_MARKER.sub(" ", claim)
    index = fact_index(passage)
    compact = next(v for k, v in index if k == "compact")
    missing = []
    for fact in extract_facts(claim):
        if (fact.kind, fact.value) in index:
            continue
        if fact.kind == "identifier" and fact.value in compact:
            continue
        if fact.kind == "number" and ("identifier", fact.value) in index:
            continue
        missing.append(fact)
    return missing
