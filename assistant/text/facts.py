"""Hard facts in a sentence (dates, amounts, percentages, numbers, identifiers), canonicalised.

Used twice, deterministically: after generation, to check that every fact an answer states occurs
in the passage it cites; and by the evaluation, to score citation validity the same way. Spelling
varies between an answer and its source ("£20,000" / "GBP 20,000", "31 December 2027" /
"December 31, 2027"), so facts are compared as canonical values, not strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.identifiers import IDENTIFIER_LIKE
from ingest.metadata import DATE_PATTERNS, find_dates
from ingest.metadata import date_value as _date_value

CITATION_MARKER = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")
NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?![\w])")


@dataclass(frozen=True)
class Fact:
    """A fact found in text: its kind, where it is (``text[start:end]``), the words as written, and
    (for the canonical facts of :func:`extract_facts`) its canonical value. ``extract_facts`` knows
    date | identifier | number; :func:`assistant.text.kinds.find_facts` knows the kinds an answer
    can be asked for (date, money, percent, party, territory ...)."""

    kind: str
    start: int
    end: int
    text: str  # as written
    value: str = ""  # canonical ("2027-12-31", "20000", "T3452468001"); empty where not computed


def _canonical_number(whole: str, frac: str | None) -> str:
    digits = whole.replace(",", "").lstrip("0") or "0"
    frac = (frac or "").rstrip("0")
    return f"{digits}.{frac}" if frac else digits


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
                facts.append((m.start(), Fact("date", m.start(), m.end(), m.group(0), value)))
                taken.append(m.span())
    for m in IDENTIFIER_LIKE.finditer(text):
        if free(*m.span()):
            facts.append((m.start(), Fact("identifier", m.start(), m.end(), m.group(0), re.sub(r"[^A-Z0-9]", "", m.group(0).upper()))))
            taken.append(m.span())
    for m in NUMBER.finditer(text):
        if free(*m.span()):
            facts.append((m.start(), Fact("number", m.start(), m.end(), m.group(0), _canonical_number(m.group(1), m.group(2)))))
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


_ASKS = [
    ("date", re.compile(r"\b(when|date|dated|expire|expires|expiry|until|deadline|start|starts|end|ends|effective)\b", re.I)),
    ("money", re.compile(r"\b(how much|fee|fees|advance|amount|cost|price|paid|pay|owe|owes|sum|budget)\b", re.I)),
    ("percent", re.compile(r"\b(percentage|per ?cent|rate|royalty|royalties|share|shares|split|splits|points)\b", re.I)),
    ("number", re.compile(r"\b(how many|how long|days|months|years|number of)\b", re.I)),
]
_MONEY = re.compile(r"[£$€¥]\s?\d|\b\d[\d,.]*\s?(?:EUR|USD|GBP|JPY|euros?|dollars?|pounds?)\b|\b(?:EUR|USD|GBP|JPY)\s?\d", re.I)
_PERCENT = re.compile(r"\d\s?%|\bper ?cent\b|\bpercent\b", re.I)


def wanted_fact_kinds(question: str) -> set[str]:
    """The kinds of fact a question asks for ("when" -> date, "how much" -> money ...)."""
    return {kind for kind, pattern in _ASKS if pattern.search(question)}


def fact_kinds(text: str) -> set[str]:
    kinds = set()
    if find_dates(text):
        kinds.add("date")
    if _MONEY.search(text):
        kinds.add("money")
    if _PERCENT.search(text):
        kinds.add("percent")
    if NUMBER.search(text):
        kinds.add("number")
    return kinds


_PUNCT_OUT = re.compile(r"[^\w\s]")
_ARTICLE = re.compile(r"\b(a|an|the)\b")


def _plain(text: str) -> str:
    return " ".join(_ARTICLE.sub(" ", _PUNCT_OUT.sub(" ", text.lower())).split())


def states(answer: str, gold: str) -> bool:
    """Whether ``answer`` states ``gold``: its words (lower case, no punctuation or articles), or
    every hard fact it has, compared canonically ("31 December 2027" states "December 31, 2027";
    "twenty per cent (20%) of Net Receipts" states "20%"). The demo's score and the evaluation's
    "answer holds gold" metric both use it."""
    g = _plain(gold)
    if g and f" {g} " in f" {_plain(answer)} ":
        return True
    facts = extract_facts(gold)
    if not facts:
        return False
    index = fact_index(CITATION_MARKER.sub(" ", answer))
    return all((f.kind, f.value) in index for f in facts)
