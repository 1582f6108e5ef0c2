"""Key terms of one contract, read at ingest without a model: each value normalised, with the
clause that states it.

The questions a rights team asks every day (who is the deal with, when does it end, when must
notice be given to stop it renewing, where does it apply, what royalty and advance, when do the
rights revert) have their answers in a dozen clauses. ``extract_terms`` finds them in one
document's text:

============================  =====================================================================
key                           value (normalised)
============================  =====================================================================
parties                       one value per party: {"name", "role"} (the preamble's "between")
agreement_type                {"title", "kind"}: the document's own heading
agreement_date                ISO date the agreement says it was made
effective_date                ISO date it takes effect ("Effective Date", "effective as of")
expiry                        ISO date the term ends: stated, or computed from a stated duration
                              and start; a notice's termination date
renewal                       {"automatic", "period"}: automatic renewals and their length;
                              {"stopped": true} for a notice of non-renewal
renewal_notice                {"period"}: notice needed to stop a renewal (before the period ends)
options                       {"count", "period", "notice"}; {"exercised"} in an option exercise
territory                     {"include", "exclude"}: ISO 3166 codes (WW for the World)
exclusivity                   {"exclusive": bool}
grant                         {"text"}: the rights granted
royalties                     one value per income type: {"percent", "base", "income"}
advances                      {"amount", "currency"}; mode "add" for a further advance
recoupment                    {"recoupable", "returnable"}
minimum_commitment            {"quantity"} (albums, units) or an amount
retention                     {"period", "after"} or {"perpetual": true}: when rights revert
audit                         {"frequency", "notice"}
assignment                    {"consent": "required" | "not unreasonably withheld" | ...}
governing_law                 {"jurisdiction", "code"} (ISO 3166-1/-2)
============================  =====================================================================

A value is *stated* (read from the text) or *computed* (arithmetic on stated values, with its
basis). A term the text does not state is absent: "not stated", never guessed. Computed values
that depend on today's date or on other documents of the family (the current period of an
automatically renewed deal, the notice deadline, the reversion date) are worked out when shown
(assistant/contracts/register.py), from the stored stated values.

A document that changes an agreement (amendment, side letter, variation, extension, notice) is
read for the values it *sets*: the wordings of variations ("clause 5.1(c) is amended by deleting
the words "60%" and substituting "70%"", "4% in place of the rate originally stated", "is hereby
extended until", "shall now expire on", "shall be read as", "with effect from <date> the Territory
shall include/exclude ...", "the Advance is increased to", "the notice period is reduced to", "for
the avoidance of doubt the royalty ... shall be", "extended by a further twelve (12) months") give
the new value, never the one they delete or replace (``old_spans``, ``fresh_facts``); the date a
change takes effect from, where stated, is kept with it (``Value.effective``). A change that
names the agreement's clause but not the term's words ("the rate set out in clause 6.1 is
increased to 24%") is stored under "changes" with the clauses it names; the register gives it to
the term the agreement states in that clause (``change_targets``, ``resolve_change``: every
clause is cited with its full number, ``Clause.ref``, "5.1(c)").

Rules are plain patterns over the units ``assistant/extract.answer_units`` cuts a document into
(sentences, numbered clauses, list items with their lead-in) and the typed facts its recognisers
find (dates, money, percentages, durations, territories, governing law): the same machinery the
answer engine uses, so a clause cited here is one the chat can quote.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from assistant.answer.family_answer import CHANGE, RECITES
from assistant.contracts import dates as datecalc
from assistant.text.extract import Fact, _sentences, answer_units, find_facts
from ingest import families, metadata
from ingest.pipeline import guess_kind

# Stored terms carry this; when the rules change (this file), every contract is read again at the next ingest.
TERMS_VERSION = "1-" + hashlib.sha1(Path(__file__).read_bytes()).hexdigest()[:10]

KEYS: dict[str, str] = {
    "parties": "Parties",
    "agreement_type": "Agreement type",
    "agreement_date": "Agreement date",
    "effective_date": "Effective date",
    "expiry": "Term end / expiry",
    "renewal": "Renewal",
    "renewal_notice": "Notice to stop renewal",
    "options": "Option periods",
    "territory": "Territory",
    "exclusivity": "Exclusivity",
    "grant": "Rights granted",
    "royalties": "Royalties and shares",
    "advances": "Advances",
    "recoupment": "Recoupment",
    "minimum_commitment": "Minimum commitment",
    "retention": "Retention / reversion",
    "audit": "Audit rights",
    "assignment": "Assignment",
    "governing_law": "Governing law",
}
# What a document that changes an agreement (amendment, side letter, notice ...) can change:
# its own parties, dates and governing-law clause are about itself, not the deal.
MODIFIER_KEYS = ("expiry", "renewal", "renewal_notice", "options", "territory", "exclusivity", "royalties", "advances",
                 "recoupment", "minimum_commitment", "retention", "audit", "assignment")


@dataclass
class Clause:
    """Where a value is stated: ``text == document_text[start:end]``."""

    start: int
    end: int
    text: str
    label: str = ""  # "7.2", "(a)"
    heading: str = ""
    ref: str = ""  # the clause's full number, as other documents cite it: "5.1(c)", "4(b)", "3.2"


@dataclass
class Value:
    key: str
    text: str  # as shown: "31 January 2026", "26% of Net Receipts (streaming)"
    value: Any  # normalised, JSON: "2026-01-31", {"amount": 45000, "currency": "GBP"} ...
    clause: Clause | None
    kind: str = "stated"  # stated | computed
    mode: str = "set"  # set: replaces earlier values of its slot; add: adds to them (a further advance)
    slot: str = ""  # values of one key that stand apart: royalties by income type, parties by role
    basis: str = ""  # how a computed value was worked out
    fact: str = ""  # the words of the clause that state the value (for highlighting)
    effective: str = ""  # ISO date a change takes effect from, where the changing document states one

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Value:
        clause = Clause(**data["clause"]) if data.get("clause") else None
        return cls(**{**{k: data[k] for k in cls.__dataclass_fields__ if k in data}, "clause": clause})


# ---------------------------------------------------------------------------------------------
# Normalising values
# ---------------------------------------------------------------------------------------------
_NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "a": 1, "an": 1,
}
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
_FRACTIONS = {"half": 0.5, "quarter": 0.25}


def words_number(text: str) -> float | None:
    """"twelve and a half" -> 12.5, "one hundred and twenty" -> 120, "forty-five thousand" ->
    45000; None when ``text`` holds no number word."""
    total = current = 0.0
    seen = False
    words = re.findall(r"[a-z]+", text.lower().replace("one-half", "half"))
    for i, w in enumerate(words):
        if w in ("a", "an"):
            nxt = words[i + 1] if i + 1 < len(words) else ""
            if seen or (nxt in _NUMBER_WORDS and nxt not in ("a", "an")):
                continue  # "twelve and a half", "a thirty-day period": not a one
            if nxt not in _SCALES and nxt not in _FRACTIONS and nxt != "hundred":
                current += 1  # "a year"
                seen = True
            continue
        if w in _NUMBER_WORDS:
            seen = True
            current += _NUMBER_WORDS[w]
        elif w == "hundred":
            current = (current or 1) * 100
            seen = True
        elif w in _SCALES:
            total += (current or 1) * _SCALES[w]
            current = 0
            seen = True
        elif w in _FRACTIONS and seen:
            current += _FRACTIONS[w]
        elif w == "and":
            continue
        elif seen:
            break
    return total + current if seen else None


def number_in(text: str) -> float | None:
    """The number a fact states: the figure in brackets ("ninety (90) days"), else the first
    figure, else its number words."""
    m = re.search(r"\(\s*(\d[\d,]*(?:\.\d+)?)\s*%?\s*\)", text) or re.search(r"(?<![\w.])(\d[\d,]*(?:\.\d+)?)", text)
    if m:
        return float(m.group(1).replace(",", ""))
    return words_number(text)


_UNIT_WORDS = [
    (re.compile(r"\b(?:business|working)\s+days?\b", re.I), "business day", 1),
    (re.compile(r"\bdays?\b", re.I), "day", 1),
    (re.compile(r"\bweeks?\b", re.I), "week", 1),
    (re.compile(r"\bmonths?\b", re.I), "month", 1),
    (re.compile(r"\bquarters?\b", re.I), "month", 3),
    (re.compile(r"\byears?\b|\bannual(?:ly)?\b", re.I), "year", 1),
]
# "a thirty-day notice", "a 90-day period", "a one-year term": hyphenated forms the recognisers skip
_HYPHEN_DURATION = re.compile(
    r"\b(?:\d+|(?:[a-z]+-)?(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|"
    r"forty|forty-five|sixty|ninety|hundred|eighty|seventy|fifty))[-\s](?:business[-\s])?(?:day|week|month|year)\b", re.I)


def parse_duration(text: str) -> datecalc.Duration | None:
    """``Duration`` of "ninety (90) days' written notice", "twelve (12) months", "3 years",
    "thirty-day", "one (1) quarter" (3 months); None when no number and unit are found."""
    n = number_in(text)
    if n is None:
        return None
    for pattern, unit, mult in _UNIT_WORDS:
        if pattern.search(text):
            return datecalc.Duration(n * mult if unit != "business day" else n, unit)
    return None


_CURRENCY_SIGNS = [("US$", "USD"), ("U.S.$", "USD"), ("C$", "CAD"), ("A$", "AUD"), ("£", "GBP"), ("€", "EUR"),
                   ("¥", "JPY"), ("$", "USD")]
_CURRENCY_WORDS = [
    (re.compile(r"\bcanadian\s+dollars?", re.I), "CAD"), (re.compile(r"\baustralian\s+dollars?", re.I), "AUD"),
    (re.compile(r"\bhong\s+kong\s+dollars?", re.I), "HKD"), (re.compile(r"\bnew\s+zealand\s+dollars?", re.I), "NZD"),
    (re.compile(r"\bdollars?\b", re.I), "USD"), (re.compile(r"\bpounds?\b|\bsterling\b", re.I), "GBP"),
    (re.compile(r"\beuros?\b", re.I), "EUR"), (re.compile(r"\byen\b", re.I), "JPY"),
    (re.compile(r"\bswiss\s+francs?\b", re.I), "CHF"), (re.compile(r"\bkron(?:a|or)\b", re.I), "SEK"),
    (re.compile(r"\brupees?\b", re.I), "INR"),
]
_CODE = re.compile(r"\b(USD|GBP|EUR|JPY|CAD|AUD|CHF|SEK|NOK|DKK|CNY|RMB|INR|HKD|SGD|NZD)\b")


def parse_money(text: str) -> dict | None:
    """{"amount", "currency"} of "£45,000 (forty-five thousand pounds)", "EUR 48,212.50",
    "$1.5 million", "five million yen"; None without an amount."""
    currency = None
    for sign, code in _CURRENCY_SIGNS:
        if sign in text:
            currency = code
            break
    if currency is None:
        m = _CODE.search(text)
        currency = ("CNY" if m.group(1) == "RMB" else m.group(1)) if m else None
    if currency is None:
        currency = next((code for p, code in _CURRENCY_WORDS if p.search(text)), None)
    m = re.search(r"(\d[\d,]*(?:\.\d+)?)\s*(million|billion|thousand|m|bn|k)?\b", text, re.I)
    if m:
        amount = float(m.group(1).replace(",", ""))
        scale = (m.group(2) or "").lower()
        amount *= {"million": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9, "thousand": 1e3, "k": 1e3}.get(scale, 1)
    else:
        words = words_number(text)
        if words is None:
            return None
        amount = words
    amount = int(amount) if float(amount).is_integer() else round(amount, 2)
    return {"amount": amount, "currency": currency}


def money_text(value: dict) -> str:
    amount = value.get("amount")
    number = f"{amount:,.2f}" if isinstance(amount, float) and not float(amount).is_integer() else f"{int(amount or 0):,}"
    return f"{value.get('currency') or ''} {number}".strip()


# Territories: names the recognisers know, as ISO 3166 codes (WW: the World; groups expanded).
_ISO: dict[str, list[str]] = {
    "world": ["WW"], "universe": ["WW"], "worldwide": ["WW"], "world-wide": ["WW"], "throughout the world": ["WW"],
    "united kingdom": ["GB"], "uk": ["GB"], "u.k.": ["GB"], "great britain": ["GB"], "england": ["GB-ENG"],
    "scotland": ["GB-SCT"], "wales": ["GB-WLS"], "northern ireland": ["GB-NIR"], "ireland": ["IE"],
    "united states": ["US"], "united states of america": ["US"], "usa": ["US"], "u.s.": ["US"], "u.s.a.": ["US"],
    "u.s.a": ["US"], "canada": ["CA"], "mexico": ["MX"], "brazil": ["BR"], "argentina": ["AR"], "chile": ["CL"],
    "colombia": ["CO"], "peru": ["PE"], "uruguay": ["UY"], "venezuela": ["VE"], "ecuador": ["EC"], "bolivia": ["BO"],
    "paraguay": ["PY"], "panama": ["PA"], "costa rica": ["CR"], "guatemala": ["GT"], "honduras": ["HN"],
    "el salvador": ["SV"], "cuba": ["CU"], "dominican republic": ["DO"], "jamaica": ["JM"], "puerto rico": ["PR"],
    "france": ["FR"], "germany": ["DE"], "italy": ["IT"], "spain": ["ES"], "portugal": ["PT"], "netherlands": ["NL"],
    "belgium": ["BE"], "luxembourg": ["LU"], "switzerland": ["CH"], "austria": ["AT"], "liechtenstein": ["LI"],
    "monaco": ["MC"], "andorra": ["AD"], "malta": ["MT"], "cyprus": ["CY"], "greece": ["GR"], "turkey": ["TR"],
    "türkiye": ["TR"], "denmark": ["DK"], "norway": ["NO"], "sweden": ["SE"], "finland": ["FI"], "iceland": ["IS"],
    "estonia": ["EE"], "latvia": ["LV"], "lithuania": ["LT"], "poland": ["PL"], "czech republic": ["CZ"],
    "czechia": ["CZ"], "slovakia": ["SK"], "slovenia": ["SI"], "hungary": ["HU"], "romania": ["RO"],
    "bulgaria": ["BG"], "croatia": ["HR"], "serbia": ["RS"], "bosnia": ["BA"], "montenegro": ["ME"], "albania": ["AL"],
    "moldova": ["MD"], "ukraine": ["UA"], "belarus": ["BY"], "russia": ["RU"], "georgia": ["GE"], "armenia": ["AM"],
    "azerbaijan": ["AZ"], "kazakhstan": ["KZ"], "mongolia": ["MN"], "china": ["CN"], "hong kong": ["HK"],
    "macau": ["MO"], "taiwan": ["TW"], "japan": ["JP"], "korea": ["KR"], "south korea": ["KR"], "india": ["IN"],
    "pakistan": ["PK"], "bangladesh": ["BD"], "sri lanka": ["LK"], "afghanistan": ["AF"], "iran": ["IR"],
    "iraq": ["IQ"], "israel": ["IL"], "jordan": ["JO"], "lebanon": ["LB"], "saudi arabia": ["SA"], "kuwait": ["KW"],
    "qatar": ["QA"], "bahrain": ["BH"], "oman": ["OM"], "united arab emirates": ["AE"], "uae": ["AE"],
    "thailand": ["TH"], "vietnam": ["VN"], "cambodia": ["KH"], "malaysia": ["MY"], "singapore": ["SG"],
    "indonesia": ["ID"], "philippines": ["PH"], "australia": ["AU"], "new zealand": ["NZ"], "south africa": ["ZA"],
    "nigeria": ["NG"], "ghana": ["GH"], "kenya": ["KE"], "ethiopia": ["ET"], "egypt": ["EG"], "morocco": ["MA"],
    "tunisia": ["TN"], "algeria": ["DZ"], "angola": ["AO"], "cameroon": ["CM"], "bahamas": ["BS"],
    # groups and regions: EU/EEA as such; the rest by their members or UN M49 region codes
    "eu": ["EU"], "european union": ["EU"], "eea": ["EEA"], "european economic area": ["EEA"], "europe": ["150"],
    "asia": ["142"], "africa": ["002"], "oceania": ["009"], "north america": ["US", "CA"], "south america": ["005"],
    "latin america": ["419"], "central america": ["013"], "caribbean": ["029"], "middle east": ["145"],
    "scandinavia": ["DK", "NO", "SE"], "nordics": ["DK", "FI", "IS", "NO", "SE"], "benelux": ["BE", "NL", "LU"],
    "gsa": ["DE", "AT", "CH"], "dach": ["DE", "AT", "CH"], "asia pacific": ["APAC"], "apac": ["APAC"],
    "emea": ["EMEA"], "australasia": ["AU", "NZ"],
}
_PLACE = re.compile(r"\b(?:" + "|".join(sorted((re.escape(k) for k in _ISO), key=len, reverse=True)) + r")(?![\w-])", re.I)
_EXCLUDING = re.compile(r"\b(?:excluding|except(?:\s+for)?|other\s+than|save\s+for|less|but\s+not|outside(?:\s+of)?|excepting|with\s+the\s+exception\s+of)\b", re.I)
_US_STATES = {
    "alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA", "colorado": "CO",
    "connecticut": "CT", "delaware": "DE", "district of columbia": "DC", "florida": "FL", "georgia": "GA",
    "hawaii": "HI", "idaho": "ID", "illinois": "IL", "indiana": "IN", "iowa": "IA", "kansas": "KS", "kentucky": "KY",
    "louisiana": "LA", "maine": "ME", "maryland": "MD", "massachusetts": "MA", "michigan": "MI", "minnesota": "MN",
    "mississippi": "MS", "missouri": "MO", "montana": "MT", "nebraska": "NE", "nevada": "NV", "new hampshire": "NH",
    "new jersey": "NJ", "new mexico": "NM", "new york": "NY", "north carolina": "NC", "north dakota": "ND",
    "ohio": "OH", "oklahoma": "OK", "oregon": "OR", "pennsylvania": "PA", "rhode island": "RI",
    "south carolina": "SC", "south dakota": "SD", "tennessee": "TN", "texas": "TX", "utah": "UT", "vermont": "VT",
    "virginia": "VA", "washington": "WA", "west virginia": "WV", "wisconsin": "WI", "wyoming": "WY",
}
_PROVINCES = {"ontario": "CA-ON", "quebec": "CA-QC", "british columbia": "CA-BC", "alberta": "CA-AB",
              "new south wales": "AU-NSW", "victoria": "AU-VIC", "queensland": "AU-QLD", "hong kong": "HK"}


def territory_codes(text: str) -> dict:
    """{"include": [...], "exclude": [...], "names": [...]} of a territory as written: "the World
    excluding Japan" -> include WW, exclude JP; "the United Kingdom and Ireland" -> GB, IE.
    Places after "excluding", "except", "other than", "outside" ... are exclusions."""
    include: list[str] = []
    exclude: list[str] = []
    names: list[str] = []
    cut = _EXCLUDING.search(text)
    for m in _PLACE.finditer(text):
        name = m.group(0)
        key = name.lower()
        if key == "georgia" and re.search(r"\bstate\s+of\s+georgia\b", text, re.I):
            continue
        codes = _ISO.get(key, [])
        target = exclude if cut is not None and m.start() > cut.start() else include
        for c in codes:
            if c not in target:
                target.append(c)
        if name not in names:
            names.append(name)
    # "the United Kingdom of Great Britain and Northern Ireland": Northern Ireland is part of GB
    include = [c for c in include if not ("-" in c and c.split("-")[0] in include)]
    return {"include": include, "exclude": exclude, "names": names}


def territory_text(value: dict) -> str:
    inc = ", ".join(value.get("include") or []) or "?"
    exc = value.get("exclude") or []
    return inc + (f" excluding {', '.join(exc)}" if exc else "")


def jurisdiction_code(name: str) -> str | None:
    """ISO 3166 code of a governing law's jurisdiction: "England and Wales" GB-EAW, "the State of
    New York" US-NY, "the Netherlands" NL; None when unknown."""
    low = " ".join(re.sub(r"^(?:the\s+)?(?:state|commonwealth|province|republic|kingdom)\s+of\s+(?:the\s+)?", "",
                          name.strip().lower()).split())
    low = re.sub(r"^the\s+", "", low)
    if re.match(r"england\s+(?:and|&)\s+wales", low):
        return "GB-EAW"
    if low in _PROVINCES:
        return _PROVINCES[low]
    if low in _US_STATES and (low != "georgia" or re.search(r"\bstate\b", name, re.I)):
        return f"US-{_US_STATES[low]}"
    first = re.split(r",|\s+and\s+|\s+without\b|\s+excluding\b", low)[0].strip()
    if first in _US_STATES and first not in _ISO:
        return f"US-{_US_STATES[first]}"
    codes = _ISO.get(first) or _ISO.get(low)
    return codes[0] if codes and len(codes) == 1 else None


# ---------------------------------------------------------------------------------------------
# Units
# ---------------------------------------------------------------------------------------------
@dataclass
class _Unit:
    start: int
    end: int
    text: str  # with its lead-in
    label: str
    heading: str
    role: str
    index: int

    @cached_property
    def facts(self) -> list[Fact]:
        return find_facts(self.text)

    def of(self, kind: str) -> list[Fact]:
        return [f for f in self.facts if f.kind == kind]

    @property
    def scope(self) -> str:
        """Heading and text together, for cues that may be in either."""
        return f"{self.heading}\n{self.text}" if self.heading else self.text

    def clause(self) -> Clause:
        return Clause(self.start, self.end, self.text_span, self.label, self.heading, self.ref)

    text_span: str = ""
    ref: str = ""


# A clause number at the start of a line ("5.1 The Publisher ...", "4. ROYALTIES", "Section 3."): the
# clause a lettered item "(c)" under it belongs to, so that "clause 5.1(c)" of a later document finds it.
_CLAUSE_NUMBER = re.compile(r"(?m)^[ \t]*(?:(?:clause|section|article|paragraph)\s+)?(\d{1,3}(?:\.\d{1,3})*)\.?(?=[ \t]+\S)"
                            r"(?![ \t]+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\b)", re.I)


def _norm_ref(ref: str) -> str:
    return re.sub(r"\s+", "", ref).strip(".").lower()


def clause_ref(label: str, numbers_before: list[str]) -> str:
    """The full number of a unit's clause: its own number ("3.2"), or the number of the clause
    it sits in followed by its letter ("5.1" + "(c)" -> "5.1(c)")."""
    label = (label or "").strip()
    if re.fullmatch(r"\d{1,3}(?:\.\d{1,3})*\.?", label):
        return _norm_ref(label)
    parent = numbers_before[-1] if numbers_before else ""
    if re.fullmatch(r"\([a-z0-9]{1,4}\)", label, re.I):
        return _norm_ref(parent + label) if parent else ""
    return _norm_ref(parent)


LEAD_GAP = 40  # a list item's lead-in is part of its clause when it runs straight into it
MAX_UNIT = 2500  # a "unit" longer than this is a page the segmenter could not cut: matched, cited as is


def units(text: str) -> list[_Unit]:
    """The document's units (``answer_units``) cut down to sentences: flattened text (EDGAR
    filings, PDF extractions) leaves several sentences in one unit, and a term is cited by the
    sentence that states it. A list item keeps the sentence that leads into it."""
    out: list[_Unit] = []
    seen_leads: set[tuple[int, int]] = set()
    numbers = [(m.start(1), m.group(1)) for m in _CLAUSE_NUMBER.finditer(text)]

    def add(start: int, end: int, match: str, u) -> None:
        out.append(_Unit(start, end, match, u.label, u.heading, u.role, len(out), text[start:end],
                         clause_ref(u.label, [n for at, n in numbers if at <= u.start])))

    for u in answer_units(text):
        lead_last = ""
        lead_span = None
        if u.lead:
            sents = _sentences(text, u.lead[0], u.lead[1]) or [u.lead]
            if u.lead not in seen_leads:
                seen_leads.add(u.lead)
                for s, e in sents[:-1]:
                    add(s, e, text[s:e], u)
            lead_span = sents[-1]
            lead_last = text[lead_span[0]:lead_span[1]]
        sents = _sentences(text, u.start, u.end) if u.end - u.start > 200 else [(u.start, u.end)]
        if u.kind not in ("sentence", "item") or len(sents) <= 1:
            sents = [(u.start, u.end)]
        for i, (s, e) in enumerate(sents):
            start, match = s, text[s:e]
            if i == 0 and lead_span is not None:
                match = f"{lead_last} {match}"
                if 0 <= s - lead_span[1] <= LEAD_GAP:
                    start = lead_span[0]
            add(start, e, match, u)
    return out


NARROW = 500  # a unit longer than this is cited by the sentence holding the value's words


def _value(key: str, text: str, value: Any, unit: _Unit | None, fact: str = "", **kw) -> Value:
    clause = unit.clause() if unit is not None else None
    if clause is not None and fact and clause.end - clause.start > NARROW:
        at = clause.text.find(fact)
        if at >= 0:
            s, e = families.sentence_span(clause.text, at, at + len(fact))
            if e - s < clause.end - clause.start:
                clause = Clause(clause.start + s, clause.start + e, clause.text[s:e], clause.label, clause.heading)
    return Value(key, " ".join(text.split()), value, clause, fact=fact, **kw)


class _Best:
    """The best-scoring value a rule has found: ties go to the earlier unit (``later``: the later
    one, as in a notice whose last statement is its conclusion)."""

    def __init__(self, later: bool = False):
        self.top: tuple[float, Value] | None = None
        self.later = later

    def offer(self, score: float, unit: _Unit, value: Value) -> None:
        score += 0.0001 * unit.index * (1 if self.later else -1)
        if self.top is None or score > self.top[0]:
            self.top = (score, value)

    @property
    def value(self) -> Value | None:
        return self.top[1] if self.top else None


def _operative(u: _Unit) -> bool:
    return u.role not in ("recital", "boilerplate")


# ---------------------------------------------------------------------------------------------
# The rules, one per key
# ---------------------------------------------------------------------------------------------
_TITLE = re.compile(
    r"(?<![\w-])((?:[A-Z][A-Z0-9&'’,.()/-]*\s+){0,7}(?:AGREEMENT|LICEN[CS]E|CONTRACT|DEED|MEMORANDUM OF UNDERSTANDING|"
    r"TERM SHEET)(?:\s+(?:OF|TO|FOR|AND|ON)\s+[A-Z][A-Z0-9&'’,.-]*(?:\s+[A-Z][A-Z0-9&'’,.-]*){0,5})?)(?![a-z])")
_THIS_TYPE = re.compile(r"\b[Tt]his\s+((?:[A-Z][\w&-]*\s+){0,6}(?:Agreement|Licen[cs]e|Contract|Deed))\b")
_TITLE_STOP = re.compile(r"^(?:EXHIBIT|SCHEDULE|ANNEX|APPENDIX|ARTICLE|SECTION)\b[\s\d.A-Z-]*?(?=[A-Z]{3,}\s)", re.I)


def _agreement_type(text: str, title: str) -> Value | None:
    """The document's own name: the capitalised heading ("EXCLUSIVE RECORDING AGREEMENT") in its
    opening, else "This Sponsorship Agreement"; the kind ("recording agreement") from the name."""
    head = text[:2000]
    for m in _TITLE.finditer(head):
        name = m.group(1).strip(" ,.")
        name = _TITLE_STOP.sub("", name).strip()
        words = name.split()
        if len(words) < 2 or re.fullmatch(r"(?:THIS|THE|AN?)\s.*", name):
            continue
        start = m.start(1) + m.group(1).find(name.split()[0])
        end = start + len(name)
        display = families._display_type(name)
        clause = Clause(start, end, text[start:end])
        return Value("agreement_type", display, {"title": display, "kind": guess_kind(display, "")}, clause, fact=text[start:end])
    m = _THIS_TYPE.search(head)
    if m:
        name = m.group(1)
        s, e = families.sentence_span(text, m.start(1), m.end(1))
        return Value("agreement_type", name, {"title": name, "kind": guess_kind(name, "")},
                     Clause(s, e, text[s:e]), fact=name)
    return None


_ROLE = re.compile(r"\(\s*(?:each\s+)?(?:hereinafter\s+(?:referred\s+to\s+as\s+|called\s+)?|the\s+|as\s+)?[\"“]([^\"”]{2,40})[\"”]")


def _parties(text: str, us: list[_Unit]) -> list[Value]:
    """The parties of the preamble ("between X ("Company") and Y ("Artist")"), each with the
    role it is defined as; cited to the preamble sentence."""
    names, m = [], None
    for found in metadata._BETWEEN.finditer(text[: 2 * metadata.PREAMBLE_CHARS]):
        names = metadata.parties(text[found.start():])
        if len(names) >= 2 or (names and m is None):
            m = found
            if len(names) >= 2:
                break  # a cover page's "by and between" with the names on lines of their own names none
    if m is None or not names:
        return []
    names = metadata.parties(text[m.start():])
    s, e = families.sentence_span(text, m.start(), m.end())
    unit = next((u for u in us if u.start <= m.start() < u.end), None)
    if unit is not None and unit.end - unit.start <= 1500:
        s, e = unit.start, unit.end
    last = text.find(names[-1], m.end())
    if 0 <= last and last + len(names[-1]) > e and last - m.end() < 1200:
        # a cover page ("by and between / NAME / and / NAME"): the clause runs to the last name
        e = last + len(names[-1])
        role = re.match(r"\s*,?\s*\([^)]{2,60}\)", text[e:e + 80])
        e += role.end() if role else 0
    clause = Clause(s, e, text[s:e])
    out = []
    seg = text[m.end(): m.end() + 2000]
    positions = []
    for n in names:  # the names as written (PDF text doubles spaces and breaks lines)
        found = re.search(r"\s+".join(re.escape(w) for w in n.split()), seg)
        positions.append(found.start() if found else -1)
    for i, name in enumerate(names):
        role = ""
        at = positions[i]
        if at >= 0:
            nxt = next((p for p in positions[i + 1:] if p > at), len(seg))
            r = _ROLE.search(seg, at + len(name), min(nxt, at + len(name) + 900))
            if r is None and nxt < len(seg):  # the role may follow the address, just before the next party
                r = _ROLE.search(seg, at + len(name), nxt)
            role = r.group(1).strip() if r else ""
        out.append(Value("parties", f"{name} ({role})" if role else name, {"name": name, "role": role}, clause,
                         slot=role.lower() or f"party {i + 1}", fact=name))
    return out


def _agreement_date(text: str, us: list[_Unit]) -> Value | None:
    value = metadata.agreement_date(text)
    if not value:
        return None
    at = next(((s, e) for s, e, v in metadata.find_dates(text[: metadata.PREAMBLE_CHARS]) if v == value), None)
    if at is None:
        return None
    s, e = families.sentence_span(text, *at)
    if e - s > 1500:
        s, e = max(s, at[0] - 300), min(e, at[1] + 300)
    return Value("agreement_date", families.human_date(value), value, Clause(s, e, text[s:e]), fact=text[at[0]:at[1]])


_EFFECTIVE_NAME = re.compile(r"[\"“]\s*(?:Effective|Commencement|Start)\s+Date\s*[\"”]", re.I)
_EFFECTIVE_BEFORE = re.compile(
    r"(?:\beffective\s+(?:as\s+)?(?:of|from|on)|\btakes?\s+effect\s+(?:on|from|as\s+of)|\bshall\s+become\s+effective\s+(?:on|as\s+of))\s*(?:the\s+)?$",
    re.I)
_EFFECTIVE_MEANS = re.compile(r"[\"“]?\s*(?:Effective|Commencement)\s+Date\s*[\"”]?\s*(?:shall\s+)?(?:mean|means|is|shall\s+be)\s+(?:the\s+)?$", re.I)
_START_BEFORE = re.compile(r"\b(?:commenc\w*|start\w*|begin\w*)\s+(?:on|as\s+of|from)\s+(?:the\s+)?$", re.I)


def _dates(u: _Unit) -> list[tuple[int, int, str]]:
    return metadata.find_dates(u.text)


_EFFECTIVE_EVENT = re.compile(
    r"\b(?:(?:is|be|become|becomes|shall\s+become|shall\s+be|will\s+be|will\s+become)\s+effective|takes?\s+effect|[\"“](?:[\w-]+\s+)?Effective\s+Date[\"”]\s*(?:\)\s*)?"
    r"(?:shall\s+)?(?:means?|is))\s+(?:as\s+of\s+|on\s+|upon\s+|when\s+|from\s+)?(?:the\s+)?"
    r"(?P<what>(?:later|earlier)\s+of\s+the\s+dates?[^.;]{0,80}|date\s+(?:first\s+(?:written|set\s+forth|above)|hereof|of\s+(?:this\s+agreement|last\s+signature|execution|the\s+last)|"
    r"on\s+which|last\s+(?:written|signed))[^.;]{0,80}|(?:one\s+or\s+more\s+)?counterparts\s+have\s+been\s+signed[^.;]{0,80}|signature[^.;]{0,60}|execution[^.;]{0,60})",
    re.I)


def _effective_date(us: list[_Unit], agreement_date: str | None = None) -> Value | None:
    """The date the agreement takes effect: one defined as the "Effective Date" (or
    "Commencement Date"), one after "effective as of", else the date the term starts on; else
    the event it takes effect on ("when counterparts have been signed by each Party", "the date
    first written above": then the agreement's date, computed)."""
    found = _effective_on_date(us)
    if found is not None:
        return found
    for u in us[:400]:
        if u.role == "recital" and not re.search(r"\beffective\b", u.text, re.I):
            continue
        m = _EFFECTIVE_EVENT.search(u.text)
        if not m:
            continue
        what = " ".join(m.group("what").split())
        if agreement_date and re.match(r"date\s+(?:first|hereof|of\s+this\s+agreement)", what, re.I):
            return _value("effective_date", families.human_date(agreement_date), agreement_date, u, kind="computed",
                          basis=f"the agreement takes effect on {what}, which is {families.human_date(agreement_date)}",
                          fact=m.group(0))
        return _value("effective_date", what, {"event": what}, u, fact=m.group(0))
    return None


def _effective_on_date(us: list[_Unit]) -> Value | None:
    best = _Best()
    for u in us[:400]:
        if u.role == "recital":
            continue
        for d in _dates(u):
            before = u.text[max(0, d[0] - 60):d[0]]
            after = u.text[d[1]: d[1] + 60]
            if _EFFECTIVE_MEANS.search(before) or _EFFECTIVE_NAME.match(re.sub(r"^[\s,(]*(?:the|this)?\s*", "", after.lstrip(" ,(")) or ""):
                score = 3
            elif _EFFECTIVE_NAME.search(after[:40]):
                score = 3
            elif _EFFECTIVE_BEFORE.search(before):
                score = 2
            elif _START_BEFORE.search(before) and re.search(r"\b(?:term|agreement)\b", u.text, re.I):
                score = 1
            else:
                continue
            best.offer(score, u, _value("effective_date", families.human_date(d[2]), d[2], u, fact=u.text[d[0]:d[1]]))
    return best.value


# -- term, renewal, notice, options ------------------------------------------------------------
_TERM_WORD = re.compile(r"\b(?:[Tt]erm|TERM|initial\s+(?:term|period)|Initial\s+(?:Term|Period)|[Cc]ontract\s+[Pp]eriod|"
                        r"(?:this|the)\s+(?:Agreement|agreement|Licen[cs]e|Contract|Deal)|[Ll]icen[cs]e\s+[Pp]eriod\s+of\s+this)\b")
# A clause that defines the term: "The term of this Agreement ...", "This Agreement shall commence
# ... and continue ...", "(the "Term")", "initial term of", "Term" means ...
_TERM_CLAUSE = re.compile(
    r"(?<!during\s)(?<!after\s)(?<!of\s)(?<!beyond\s)\bthe\s+term\s+of\s+this\s+(?:agreement|licen[cs]e|contract)\s+(?:\([^)]{0,30}\)\s*)?(?:shall|will|is|commences?|begins?|starts?|expires?)\b|"
    r"[\"“(]\s*(?:Initial\s+)?Term\s*[\"”)]|\binitial\s+(?:term|period)\b|"
    r"[\"“](?:Contract|Licen[cs]e|Agreement|Initial)\s+(?:Period|Term)[\"”]\s+(?:shall\s+)?(?:means?|is)\b|"
    r"\b(?:this|the)\s+(?:agreement|licen[cs]e|contract)\s+(?:shall|will)\s+(?:(?:automatically\s+)?commence|become\s+effective|"
    r"be\s+(?:effective|valid|binding|in\s+(?:full\s+)?(?:force|effect))|remain|continue|expire|terminate|run|last|"
    r"have\s+(?:a|an)\s+(?:initial\s+)?term)|\bthe\s+Term\s+(?:is|shall|will|starts?|begins?|commences?|ends?|expires?|runs?)\b|"
    r"\bterms\s+of\s+this\s+agreement\s+will\s+(?:automatically\s+)?commence\b", re.I)
_END_BEFORE = re.compile(
    r"(?:\b(?:end|ends|ending|expire|expires|expiring|expiry|expiration|terminate|terminates|terminating|concluding|until|through|thru|"
    r"to|extended\s+(?:to|until))\b|\bterminat\w*\s+with\s+effect\s+from|\bexpire\s+at\s+the\s+end\s+of\s+[^,.;]{0,60}?,?)"
    r"\s*(?:on|at\s+midnight\s+on|at\s+the\s+close\s+of\s+business\s+on|upon|as\s+of|with\s+effect\s+from)?\s*(?:the\s+)?,?\s*$",
    re.I)
_STRONG_END = re.compile(r"\b(?:end|ends|ending|expir\w*|terminat\w*|concluding)\b", re.I)
_PAST = re.compile(r"\b(?:expired|ended|terminated|was|were)\b", re.I)
_TERM_AVOID = re.compile(r"\b(?:may\s+terminate|right\s+to\s+terminate|upon\s+(?:the\s+)?(?:expiration\s+or\s+)?termination|"
                         r"in\s+the\s+event\s+of|following\s+(?:the\s+)?(?:expiration|termination)|after\s+(?:the\s+)?(?:end|expiry|expiration|termination)|"
                         r"Option\s+Period|sell-?off|collection\s+period|licen[cs]e\s+period\s+for\s+each|warrant|invoice|payment|paid|statement)\b",
                         re.I)
_START_REF = re.compile(
    r"^\s*(?:\([^)]{0,40}\)\s*)?,?\s*(?:commencing|starting|beginning|from|after|following|as\s+of|on\s+and\s+after|of)?\s*(?:on|from|with|upon)?\s*"
    r"(?:the\s+)?(?P<what>(?:[\w-]+\s+)?(?:Effective|Commencement|Start|Execution|Closing|Launch)\s+Date|date\s+(?:of|first\s+(?:written|set\s+forth|above)|hereof|last)"
    r"[^,.;()]{0,40}|execution[^,.;()]{0,30}|signature[^,.;()]{0,30})?", re.I)
_NOT_TERM_DURATION = re.compile(r"^\s*(?:'|’)?\s*(?:\(\d+\)\s*)?(?:prior|before|in\s+advance|after\s+(?:receipt|notice|the\s+(?:end|expir|termin))|"
                                r"(?:prior\s+)?(?:written\s+)?notice|thereafter|following\s+(?:the|its)\s+(?:end|expir))", re.I)
_RENEWAL_BEFORE = re.compile(r"\b(?:renew\w*|successive|additional|further|extension|extend\w*\s+(?:for|by))\b[^.;]{0,30}$", re.I)
# "twelve (12) full calendar months": more words between the number and the unit than the recognisers allow
_LONG_DURATION = re.compile(r"\b(?:[a-z]+(?:[\s-][a-z]+)?\s+)?\(\d+\)\s+(?:full\s+)?(?:calendar\s+|consecutive\s+)?(?:days|weeks|months|years)\b", re.I)
_EVENT_END = re.compile(
    r"\b(?:continues?|continuing|remain\w*|be\s+in\s+effect|extend)\s+(?:in\s+(?:full\s+)?(?:force\s+and\s+)?effect\s+)?(?:in\s+perpetuity|perpetually|indefinitely)\b|"
    r"\b(?:expire|terminate|end|continue\w*|remain\w*|extend)(?:\s+in\s+(?:full\s+)?(?:force\s+and\s+)?effect)?\s+"
    r"(?:on|upon|until|at|if|when)\s+(?:the\s+)?(?:later|earlier|last|expiration|expiry|termination|completion|date|end|conclusion|"
    r"first|occurrence|\w+\s+anniversary)[^.;]{0,160}", re.I)


# -- what a changing clause sets ---------------------------------------------------------------------
# Words that change what an earlier document said (family_answer.CHANGE) and the other ways
# variations are worded: "in place of", "shall now expire", "shall be read as", "is hereby extended
# until", "with effect from", "for the avoidance of doubt ... shall be".
VARIES = re.compile(
    CHANGE.pattern + r"|\bin\s+(?:place|lieu|substitution)\s+(?:of|for)\b|\binstead\s+of\b|\brather\s+than\b|\bshall\s+now\b|"
    r"\bwill\s+now\b|\bis\s+now\b|\bshall\s+(?:be\s+)?read\b|\bhereby\s+(?:extended|amended|varied|changed)\b|\bstrik\w*\b|"
    r"\binsert\w*\b|\bchanged?\s+to\b|\bavoidance\s+of\s+doubt\b|\b(?:raised|lowered|modified|altered)\b|\bshall\s+(?:also\s+)?(?:include|exclude|cover)\b|"
    r"\beffective\s+(?:as\s+of|from)\b|\bas\s+from\b|\bnotwithstanding\b|\bso\s+that\b|\b(?:originally|previously|formerly)\b", re.I)
_QUOTED = r"[\"“‘']([^\"”’]{1,160}?)[\"”’']"
# Where a changing clause states the value it replaces: its facts are the old value, not the new.
_OLD_VALUE = [
    # deleting / striking (out) the words "A"
    re.compile(r"\b(?:delet\w*|strik\w*(?:\s+out)?|omit\w*|remov\w*)\s+(?:the\s+)?(?:words?|figures?|date|number|reference(?:\s+to)?|"
               r"percentage|amount|sum|rate)?\s*(?:and\s+figures?\s+)?" + _QUOTED, re.I),
    # "A" is/are/were deleted, replaced, struck out
    re.compile(_QUOTED + r"\s*(?:\([^)]*\)\s*)?(?:where(?:ver)?\s+it\s+appears\s+)?(?:is|are|were|was|shall\s+be|will\s+be)\s+(?:hereby\s+)?"
               r"(?:deleted|replaced|struck|omitted|removed|substituted)", re.I),
    # in place of A, instead of A, rather than A, in lieu of A, and not A, (previously A)
    re.compile(r"\b(?:in\s+place\s+of|instead\s+of|rather\s+than|in\s+substitution\s+for|in\s+lieu\s+of(?!\s+thereof)|replacing|"
               r"and\s+not|as\s+opposed\s+to|(?:previously|originally|formerly|currently)(?:\s+stated)?(?:\s+as)?)\s+"
               r"([^.;]{1,100}?)(?=[.;,)]|\s+(?:and|so|with|from|for|as|under|in\s+clause)\s|$)", re.I),
    # "19% of PPD, not 17% as originally agreed"
    re.compile(r",\s*(?:and\s+|but\s+)?not\s+((?:the\s+)?[^.;,]{1,60}?)(?=[.;,)]|\s+(?:as|under|in)\s|$)", re.I),
    # increased / reduced / changed / extended from A to B
    re.compile(r"\b(?:increas|reduc|decreas|chang|amend|extend|vari|revis|rais|lower|mov)\w*\s+from\s+([^.;]{1,80}?)\s+(?:to|until|so\s+that)\s", re.I),
]
_SUBSTITUTE_FOR = re.compile(r"\bsubstitut\w*\s+" + _QUOTED + r"\s+for\s+" + _QUOTED, re.I)  # "substituting "B" for "A""


def old_spans(text: str) -> list[tuple[int, int]]:
    """Spans of ``text`` that state a replaced value ("deleting the words "60%"", "instead of 15%",
    "increased from 3% to 4%")."""
    spans = []
    for pattern in _OLD_VALUE:
        spans += [m.span(1) for m in pattern.finditer(text)]
    spans += [m.span(2) for m in _SUBSTITUTE_FOR.finditer(text)]
    return spans


def _at(u: _Unit, f: Any) -> int:
    return f[0] if isinstance(f, tuple) else u.text.find(f.text)


def fresh_facts(u: _Unit, facts: list) -> list:
    """The facts of a unit that are not replaced values (all of them outside a changing clause)."""
    spans = old_spans(u.text) if VARIES.search(u.text) else []
    return [f for f in facts if not any(s <= _at(u, f) < e for s, e in spans)
            and not _RELATIVE.search(u.text[max(0, _at(u, f) - 60):_at(u, f)])]


# "increased by two per cent (2%)", "extended by six (6) months": the size of a change, not the new value
_RELATIVE = re.compile(r"\b(?:increas|reduc|decreas|rais|lower|extend|shorten|cut)\w*\s+(?:\w+\s+){0,4}?by\s+(?:a\s+further\s+|an\s+additional\s+|a\s+)?"
                       r"(?:[\w-]+\s+){0,3}\(?$", re.I)


def _changed_fact(u: _Unit, facts: list) -> Any:
    """Of several facts in a changing clause the one it sets: not one it deletes or replaces
    ("deleting the words "60%" and substituting "70%"", "12% instead of 15%", "from 3% to 4%");
    else the last ("... 25% are deleted and replaced with 28%"); else the first (as
    family_answer.current_fact does for answers)."""
    if len(facts) > 1:
        fresh = fresh_facts(u, facts)
        if fresh and len(fresh) < len(facts):
            return fresh[0]
        if re.search(r"\b(?:replaced|substitut\w*|amended\s+to|increased\s+to|reduced\s+to|extended\s+(?:to|until)|changed\s+to|now|instead)\b",
                     u.text, re.I):
            return facts[-1]
    return facts[0]


_EFFECTIVE_FROM = re.compile(r"\b(?:with\s+effect\s+(?:from|on|as\s+(?:of|from))|effective\s+(?:as\s+of|from|on)|as\s+(?:from|of)|from\s+and\s+after|"
                             r"(?:on\s+and\s+)?from)\s+(?:the\s+)?", re.I)


def effective_from(unit_text: str, text: str) -> str:
    """The ISO date a change takes effect from, where stated: "with effect from 1 January 2022",
    "Effective as of January 1, 2023", or a defined date ("with effect from the Variation Date"
    where the document defines it); "" when not stated."""
    for m in _EFFECTIVE_FROM.finditer(unit_text):
        if m.group(0).lower().startswith(("from", "on and from")) and not re.search(r"\b(?:effect|effective|apply|applies|applying)\b",
                                                                   unit_text[max(0, m.start() - 40):m.start()], re.I):
            continue
        rest = unit_text[m.end(): m.end() + 40]
        d = metadata.find_dates(rest)
        if d and d[0][0] == 0:
            return d[0][2]
        name = re.match(r"([A-Z][\w-]*(?:\s+[A-Z][\w-]*)?\s+Date)\b", rest)
        if name:
            for _s, e, iso in metadata.find_dates(text):
                if re.match(r"\s*\(\s*(?:the\s+)?[\"“]?" + re.escape(name.group(1)), text[e:e + 60], re.I):
                    return iso
    return ""


_REFERS = re.compile(r"\b(?:clauses?|sections?|paragraphs?|articles?|cl\.)\s+(\d{1,3}(?:\.\d{1,3})*(?:\s*\([a-z0-9]{1,4}\))*)", re.I)


def refs_in(text: str) -> list[str]:
    """The clauses of the agreement a changing clause names ("clause 5.1(c) of the Agreement")."""
    return [_norm_ref(m.group(1)) for m in _REFERS.finditer(text)]


def _term_durations(u: _Unit) -> list[tuple[int, Fact, datecalc.Duration]]:
    """The durations of a term clause that are the term's length: not a notice period, not a
    renewal period, not a period after the end."""
    out = []
    facts = u.of("duration") or [Fact("duration", m.start(), m.end(), m.group(0)) for m in _LONG_DURATION.finditer(u.text)]
    for f in facts:
        if _NOTICE_WORD.search(f.text):
            continue
        at = u.text.find(f.text)
        if _NOT_TERM_DURATION.match(u.text[at + len(f.text):]) or _RENEWAL_BEFORE.search(u.text[max(0, at - 40):at]):
            continue
        if re.search(r"\b(?:within|notice\s+of|at\s+least|no\s+(?:less|later|fewer)\s+than|not\s+less\s+than)\s*$", u.text[max(0, at - 25):at], re.I):
            continue
        d = parse_duration(f.text)
        if d is not None and d.unit in ("month", "year", "week", "day"):
            out.append((at, f, d))
    return out


# In a document that changes an agreement: a clause about the term's length, and the words that
# set a new date ("replaced by the date "31 December 2025"", "inserting in lieu thereof", "shall be
# read as"), or end it ("terminates the Agreement ..., effective as of 11:59 p.m. on October 31, 2023").
_MODIFIER_TERM = re.compile(r"\bTerm\b|\bterm\s+of\s+(?:this|the)\b|\b(?:Licen[cs]e|Initial|Contract|Rights|Renewal|Extension)\s+Period\b|"
                            r"\bduration\b|\bexpir\w*|\bterminat\w*|\b(?:the|this)\s+(?:Agreement|Licen[cs]e|Contract|Deal)\s+"
                            r"(?:\w+\s+){0,3}(?:expire|end|terminate|continue|run|remain)", re.I)
_OTHER_DATE = re.compile(r"\b(?:delivery|release|payment|completion|recording|accounting|statement|invoice|approval|launch|closing|"
                         r"commencement|option|notice|exercise)\s+(?:date|deadline)\b|\bdeliver\w*\b[^.;]{0,40}\b(?:by|no\s+later\s+than)\s*$", re.I)
_SETS_BEFORE = re.compile(r"\b(?:replaced\s+(?:by|with)|substitut\w*|insert\w*(?:\s+in\s+(?:lieu|place)\s+thereof)?|read\s+as|"
                          r"amended\s+to(?:\s+read)?|changed\s+to|now\s+be|shall\s+be|is)\s+(?:the\s+)?(?:words?\s+|date\s+|figures?\s+)?"
                          r"[\"“‘']?(?:(?:ends?|ending|expires?|expiring|terminates?)\s+on\s+)?$", re.I)
_TERMINATES_BEFORE = re.compile(r"\bterminat\w*\s+(?:the\s+|this\s+)?(?:Agreement|Licen[cs]e|Contract)\b[^.;]{0,80}\beffective\b"
                                r"(?:[^.;]|\b[ap]\.m\.){0,50}$", re.I)


# "The Term is extended by (a further) twelve (12) months", "extended for an additional period of one
# (1) year": the new end is worked out from the end before it when the register is built.
_EXTENDED_BY = re.compile(r"\b(?:Term|Licen[cs]e\s+Period|Agreement|Licen[cs]e)\b[^.;]{0,40}?\bextended\s+(?:by|for)\s+(?:a\s+further\s+|an\s+additional\s+|a\s+)?"
                          r"(?:(?:further|additional)\s+)?(?:period\s+of\s+)?(?P<d>(?:[\w-]+\s+)?(?:\(\d+\)\s+)?(?:calendar\s+)?(?:days?|weeks?|months?|years?))\b",
                          re.I)


def _expiry(us: list[_Unit], start_hint: str | None, modifier: str | None) -> Value | None:
    """When the term ends. In order of preference: a date after "ends on", "expire on",
    "until", "through", "terminate with effect from" in a clause about the term (in a notice:
    about the agreement); a stated length ("three (3) years from the date of this Agreement")
    counted from the date it names, the Effective Date or the agreement's date (computed, with
    its basis), or left as a length when that date is not stated; an event ("until the last of
    the Patents expires", "in perpetuity"), quoted."""
    best = _Best(later=modifier is not None)  # in a notice or amendment, its last statement is its conclusion
    for u in us:
        if not _operative(u) or RECITES.search(u.text) or len(u.text) > MAX_UNIT:
            continue
        clause_cue = bool(_TERM_CLAUSE.search(u.text)) or bool(re.fullmatch(r"\W*(?:[\d.]+\s*)?(?:(?:initial\s+)?term(?:\s+of\s+(?:this\s+)?agreement)?|"
                                                                            r"duration|term\s+and\s+(?:renewal|termination)|"
                                                                            r"(?:licen[cs]e|contract|rights)\s+period)\W*", u.heading, re.I))
        if modifier is not None and (not _MODIFIER_TERM.search(u.scope) or (_OTHER_DATE.search(u.text) and not _MODIFIER_TERM.search(u.text))):
            continue  # "The Delivery Date in paragraph 3 is extended to ...": another date, not the term's end
        if u.role == "definition" and not re.match(r"\W*[\"“](?:Initial\s+)?(?:Term|Contract\s+Period|Licen[cs]e\s+Period)[\"”]", u.text):
            continue
        term_cue = bool(_TERM_WORD.search(u.scope))
        heading_term = bool(re.search(r"\bterm\b|\bduration\b|\bperiod\b", u.heading, re.I))
        if not term_cue and not heading_term and modifier is None:
            continue
        avoid = bool(_TERM_AVOID.search(u.text))
        dates = [d for d in _dates(u) if _END_BEFORE.search(u.text[max(0, d[0] - 90):d[0]].rstrip("\"“‘' "))
                 or (modifier is not None and (_SETS_BEFORE.search(u.text[max(0, d[0] - 60):d[0]])
                                               or _TERMINATES_BEFORE.search(u.text[max(0, d[0] - 160):d[0]])))]
        dates = [d for d in dates if not _PAST.search(u.text[max(0, d[0] - 40):d[0]])]
        if modifier is not None:
            dates = fresh_facts(u, dates)
        if dates:
            d = _changed_fact(u, dates)
            before = u.text[max(0, d[0] - 90):d[0]]
            strong = bool(_STRONG_END.search(before))
            if modifier is None and not (strong or clause_cue):
                continue  # "for each Calendar Year during the Term to 31 December": not the term's end
            score = 3.0 + heading_term + term_cue + strong + clause_cue - 2.0 * avoid - bool(re.search(r"\bmay\b", u.text, re.I))
            if re.search(r"\bterminat", before, re.I) and modifier is None and not clause_cue:
                score -= 1.0  # "terminates on" in an agreement: often a condition, not the term
            if modifier is not None and CHANGE.search(u.text):
                score += 0.5
            value = _value("expiry", families.human_date(d[2]), d[2], u, fact=u.text[d[0]:d[1]])
            if modifier and re.search(r"\bterminat", before, re.I):
                value.basis = "termination"
            best.offer(score, u, value)
            continue
        if modifier is not None:
            by = _EXTENDED_BY.search(u.text)
            dur = parse_duration(by.group("d")) if by and not avoid else None
            if dur is not None and dur.unit in ("day", "week", "month", "year"):
                best.offer(2.5, u, _value("expiry", f"extended by {dur.text()}", {"extend_by": dur.as_dict()}, u, fact=by.group("d")))
            continue
        if avoid or not clause_cue:
            continue
        durations = _term_durations(u)
        if durations:
            at, f, dur = durations[0]
            rest = u.text[at + len(f.text): at + len(f.text) + 120]
            near = u.text[max(0, at - 120):at] + " " + rest
            starts = [x for x in metadata.find_dates(rest) if x[0] < 60]
            ref = _START_REF.match(rest)
            what = (ref.group("what") if ref and ref.group("what") else "") or ""
            if not what:
                m = re.search(r"\b(?:commenc\w*|start\w*|begin\w*|effective)\s+(?:on|as\s+of|from|upon)\s+(?:the\s+)?"
                              r"((?:[\w-]+\s+)?(?:Effective|Commencement|Execution|Start)\s+Date|date\s+(?:of|first|hereof)[^,.;()]{0,40})", near, re.I)
                what = m.group(1) if m else ""
            if starts:
                start_iso, basis_what = starts[0][2], families.human_date(starts[0][2])
            elif what and start_hint and not re.search(r"\b(?:closing|launch|execution|last)\b", what, re.I):
                start_iso, basis_what = start_hint, f"{' '.join(what.split())} ({families.human_date(start_hint)})"
            else:
                start_iso, basis_what = None, " ".join(what.split())
            start = datecalc.parse_iso(start_iso)
            if start is not None:
                end = datecalc.period_end(start, dur)
                value = _value("expiry", families.human_date(end.isoformat()), end.isoformat(), u, kind="computed",
                               basis=f"{f.text} from {basis_what}", fact=f.text)
            else:
                text = f"{dur.text()} from {basis_what}" if basis_what else f"{dur.text()} (start not stated)"
                value = _value("expiry", text, {"duration": dur.as_dict(), "from": basis_what}, u, fact=f.text)
            best.offer(2.0 + heading_term + clause_cue, u, value)
            continue
        ev = _EVENT_END.search(u.text)
        if ev:
            phrase = " ".join(ev.group(0).split())
            best.offer(1.0 + heading_term + clause_cue, u, _value("expiry", phrase, {"event": phrase}, u, fact=ev.group(0)))
    return best.value


_RENEW = re.compile(r"\brenew\w*|\bsuccessive\b|\bautomatic(?:ally)?\s+(?:extend|continu)\w*|\bevergreen\b|"
                    r"\bfrom\s+year\s+to\s+year\b|\byear[-\s]to[-\s]year\b|\bthereafter\s+(?:for|continue|on)\b|\bindefinitely\b|"
                    r"\b(?:may|shall|will|can)\s+(?:be\s+)?extend(?:ed)?\b[^.;]{0,80}\b(?:for|by)\b|\bextend\s+the\s+term\b", re.I)
_AUTOMATIC = re.compile(r"\bautomatic\w*|\bshall\s+(?:be\s+)?(?:renew|extend|continue)\w*\s+(?:for|unless|thereafter|from)|"
                        r"\bunless\s+(?:either|one|a)\s+party\b|\bsuccessive\b|\bfrom\s+year\s+to\s+year\b|\bevergreen\b|"
                        r"\bthereafter\s+(?:renew|continue)\w*|\bwill\s+renew\b|\bindefinitely\b", re.I)
_NO_RENEWAL = re.compile(r"\b(?:no|not\s+(?:be\s+)?)(?:automatic(?:ally)?\s+)?renew\w*|\bnot\s+renewable\b|\bwill\s+not\s+renew\b|"
                         r"\bdoes\s+not\s+wish\s+to\s+renew\b|\bnon-?renewal\b(?!\s+(?:at\s+least|before|prior))", re.I)
_NOTICE_WORD = re.compile(r"\bnotice\b|\bnotif\w+", re.I)
_OTHER_RENEWALS = re.compile(r"\binsurance\b|\bpolic(?:y|ies)\b|\bcertificate\b|\bCalendar\s+(?:Year|Quarter)\b|\bContract\s+Year\b|"
                             r"\bpermits?\b|\bregistrations?\b|\bwarrant(?:y|ies)\b|\bsubscriptions?\b", re.I)
_OF_AGREEMENT = re.compile(r"\b(?:this|the)\s+(?:agreement|contract|licen[cs]e)\b|\bterm\b", re.I)


def _renewal_periods(u: _Unit) -> list[tuple[int, str, datecalc.Duration]]:
    """The lengths of renewal periods in a unit ("successive renewal periods of one (1) year",
    "successive 1-year terms"): not notice periods, not periods before or after an event."""
    out = []
    found = [(u.text.find(f.text), f.text) for f in u.of("duration")]
    found += [(m.start(), m.group(0)) for m in _HYPHEN_DURATION.finditer(u.text)]
    for at, text in found:
        if _NOTICE_WORD.search(text):
            continue
        after = u.text[at + len(text): at + len(text) + 40]
        if re.match(r"\s*(?:\(\d+\)\s*)?(?:prior|before|in\s+advance|after\s+(?:receipt|notice)|'?\s*(?:prior\s+)?(?:written\s+)?notice)", after, re.I):
            continue
        if re.search(r"\b(?:notice|cure|remedy|within)\b[^.;]{0,25}$", u.text[max(0, at - 40):at], re.I):
            continue
        d = parse_duration(text.replace("-", " "))
        if d is not None and d.unit in ("month", "year"):
            out.append((at, text, d))
    return sorted(out)


def _renewal(us: list[_Unit], modifier: str | None) -> Value | None:
    """Whether and how the term renews: automatically for periods of P ("renews automatically
    for successive renewal periods of one (1) year"), by option or agreement ("may be extended
    for one (1) year upon the parties' mutual agreement"), indefinitely until notice, or not at
    all; a notice of non-renewal stops it."""
    best = _Best()
    for u in us:
        if not _operative(u) or u.role == "definition" or RECITES.search(u.text) or len(u.text) > MAX_UNIT:
            continue
        if not _RENEW.search(u.text) or _OTHER_RENEWALS.search(u.text) or not _OF_AGREEMENT.search(u.text):
            continue
        if modifier == "non-renewal notice" or (modifier and re.search(r"\bnot\s+(?:to\s+)?renew|\bwill\s+not\s+renew|\bdoes\s+not\s+wish\s+to\s+renew", u.text, re.I)):
            fact = re.search(r"[^.;]*\b(?:not\s+(?:to\s+)?renew|not\s+wish\s+to\s+renew|non-?renewal)[^.;]*", u.text, re.I)
            return _value("renewal", "stopped by notice of non-renewal", {"automatic": False, "stopped": True}, u,
                          fact=fact.group(0) if fact else u.text)
        if modifier is not None or _OPTION.search(u.text):
            continue  # options to extend are their own term
        periods = _renewal_periods(u)
        yearly = re.search(r"\bannually\b|\bfrom\s+year\s+to\s+year\b|\byear[-\s]to[-\s]year\b|\beach\s+year\b", u.text, re.I)
        automatic = bool(_AUTOMATIC.search(u.text))
        renew_at = _RENEW.search(u.text).start()
        if _NO_RENEWAL.search(u.text) and not periods:
            value = _value("renewal", "no automatic renewal", {"automatic": False, "period": None}, u,
                           fact=_NO_RENEWAL.search(u.text).group(0))
            score = 1.0
        elif periods and (automatic or any(at > renew_at - 80 for at, _, _ in periods)) or yearly:
            periods.sort(key=lambda p: (p[0] < renew_at - 80, abs(p[0] - renew_at)))
            if periods:
                _, fact, dur = periods[0]
            else:
                dur, fact = datecalc.Duration(1, "year"), yearly.group(0)
            how = "automatically" if automatic else "by option or agreement"
            value = _value("renewal", f"renews {how} for periods of {dur.text()}",
                           {"automatic": automatic, "period": dur.as_dict()}, u, fact=fact)
            score = 2.0 + automatic + bool(re.search(r"\bterm\b", u.scope, re.I))
        elif automatic and re.search(r"\bunless\b|\buntil\b", u.text, re.I):
            m = _AUTOMATIC.search(u.text)
            text = "continues until terminated by notice" if re.search(r"indefinitely", m.group(0), re.I) else "renews automatically"
            value = _value("renewal", text, {"automatic": True, "period": None}, u, fact=m.group(0))
            score = 1.5
        else:
            continue
        best.offer(score, u, value)
    return best.value


_NOTICE_DURATION = re.compile(r"\bnotice\b", re.I)
_STOP_RENEWAL = re.compile(r"\brenew\w*|\bnon-?renewal\b|\bthen[-\s]current\b|\bsuccessive\b|"
                           r"\b(?:expir\w*|end)\s+of\s+the\s+(?:then|initial|current)|\b(?:following|after)\s+the\s+initial\s+term\b|"
                           r"\bautomatic\w*\s+(?:renew|extend|continu)|\bindefinitely\b", re.I)
_BREACH = re.compile(r"\bbreach\w*|\bcure[ds]?\b|\bremed(?:y|ied)\b|\binsolven\w*|\bbankrupt\w*|\bdefault\b", re.I)


def _notice_durations(u: _Unit) -> list[tuple[int, Fact | None, datecalc.Duration]]:
    """Notice periods in a unit: "ninety (90) days' written notice", "notice ... at least six (6)
    months prior to the expiration", "a thirty-day notice"."""
    out = []
    for f in u.of("duration"):
        at = u.text.find(f.text)
        window = u.text[max(0, at - 80): at + len(f.text) + 60]
        if _NOTICE_DURATION.search(f.text) or (_NOTICE_WORD.search(window) and re.search(
                r"\b(?:prior|before|in\s+advance|preceding)\b", u.text[at + len(f.text): at + len(f.text) + 30], re.I)) \
                or re.search(r"\bnotice\b[^.;]{0,40}$", u.text[max(0, at - 60):at], re.I):
            d = parse_duration(f.text)
            if d is not None:
                out.append((at, f, d))
    if not out:
        for m in _HYPHEN_DURATION.finditer(u.text):
            if re.match(r"\s*(?:\([^)]*\)\s*)?(?:prior\s+)?(?:written\s+)?notice", u.text[m.end(): m.end() + 40], re.I):
                d = parse_duration(m.group(0).replace("-", " "))
                if d is not None:
                    out.append((m.start(), None, d))
    return out


def _renewal_notice(us: list[_Unit], modifier: str | None) -> Value | None:
    """The notice that stops a renewal ("unless either party gives ninety (90) days' written
    notice of non-renewal before the end of the then current period"): its period. In a
    document that changes the agreement, a clause that changes that notice ("the period of notice
    for non-renewal is reduced to sixty (60) days"); one that names the notice only by its clause
    ("the notice period in clause 3.2 is changed to ...") is matched to the agreement's clause
    when the register is built (``changes``)."""
    if modifier is not None:
        return _changed_notice(us)
    best = _Best()
    for u in us:
        if not _operative(u) or len(u.text) > MAX_UNIT:
            continue
        if not _STOP_RENEWAL.search(u.text) or _BREACH.search(u.text):
            continue
        if (_OPTION.search(u.text) or re.search(r"\bextend\s+the\s+term\b", u.text, re.I)) and not re.search(
                r"\bnon-?renewal|\bnot\s+(?:to\s+)?renew|\bterminat", u.text, re.I):
            continue  # the notice that exercises an option extends the term; it does not stop a renewal
        if _OTHER_RENEWALS.search(u.text):
            continue
        found = _notice_durations(u)
        if not found:
            continue
        at, f, dur = found[0]
        renew = bool(re.search(r"\brenew|\bnon-?renewal|\bsuccessive|\bautomatic", u.text, re.I))
        score = 2.0 + renew + bool(re.search(r"\bterm\b|\brenew", u.heading, re.I))
        fact = f.text if f is not None else u.text[at: at + 30]
        value = _value("renewal_notice", f"{dur.text()} before the end of the then-current period",
                       {"period": dur.as_dict(), "before": "end of the then-current period"}, u, fact=fact)
        best.offer(score, u, value)
    return best.value


def _changed_notice(us: list[_Unit]) -> Value | None:
    best = _Best(later=True)
    for u in us:
        if u.role == "recital" or RECITES.search(u.text) or len(u.text) > MAX_UNIT or not VARIES.search(u.text):
            continue
        if not _NOTICE_WORD.search(u.text) or not _STOP_RENEWAL.search(u.text) or _BREACH.search(u.text) or _OPTION.search(u.text):
            continue
        if re.search(r"\bnot\s+(?:to\s+)?renew|\bdoes\s+not\s+wish|\bhereby\s+gives?\s+notice", u.text, re.I):
            continue  # a notice of non-renewal itself, not a change to the notice period
        found = fresh_facts(u, [f for f in u.of("duration") if parse_duration(f.text) and parse_duration(f.text).unit != "year"
                                or _NOTICE_WORD.search(f.text)])
        if not found:
            continue
        f = _changed_fact(u, found)
        dur = parse_duration(f.text)
        best.offer(2.0, u, _value("renewal_notice", f"{dur.text()} before the end of the then-current period",
                                  {"period": dur.as_dict(), "before": "end of the then-current period"}, u, fact=f.text))
    return best.value


_OPTION = re.compile(r"\boptions?\b", re.I)
_ORDINAL = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5}


# A changing document that takes the options away: "will not be entitled to exercise the option",
# "the Option Period is deleted", "the options shall lapse".
_NO_OPTION = re.compile(r"\b(?:not|no\s+longer)\s+(?:be\s+)?(?:entitled|able|permitted)\s+to\s+exercise\s+(?:the\s+|any\s+|its\s+)?options?\b|"
                        r"\boptions?\b[^.;]{0,60}\b(?:shall|will|is|are)\s+(?:hereby\s+)?(?:lapse[sd]?|deleted|withdrawn|cancelled|"
                        r"no\s+longer\s+(?:apply|exercisable|be\s+exercisable))\b", re.I)


def _options(us: list[_Unit], modifier: str | None) -> Value | None:
    """Options to extend the term: how many, each for how long, and the notice to exercise
    them; in an option exercise (or an amendment exercising one), which option was exercised."""
    for u in us:
        if not _operative(u) or RECITES.search(u.text) or not _OPTION.search(u.text) or len(u.text) > MAX_UNIT:
            continue
        if modifier is not None and _NO_OPTION.search(u.text):
            return _value("options", "no option left to exercise", {"count": 0, "removed": True}, u,
                          fact=_NO_OPTION.search(u.text).group(0))
        ex = re.search(r"\bexercis\w*\s+(?:of\s+)?(?:the\s+|its\s+|our\s+)?(first|second|third|fourth|fifth)?\s*option", u.text, re.I)
        if ex and (modifier is not None) and not re.search(r"\bunless\b[^.]{0,40}\bexercise|\bnot\b[^.;]{0,40}$", u.text[: ex.start() + 5], re.I):
            which = (ex.group(1) or "").lower()
            return _value("options", f"{which + ' ' if which else ''}option exercised",
                          {"exercised": _ORDINAL.get(which, 1) if which else 1}, u, fact=ex.group(0), mode="add")
        if modifier is not None:
            continue
        m = re.search(r"\b((?:\w+\s+)?\(?\d*\)?)\s*(?:consecutive\s+|separate\s+|successive\s+|further\s+|irrevocable\s+)?options?\s+to\s+(?:extend|renew)", u.text, re.I)
        if not m and not re.search(r"\bOption\s+Periods?\b", u.text):
            continue
        count = number_in(m.group(1)) if m else None
        durations = [(u.text.find(f.text), parse_duration(f.text), f) for f in u.of("duration")]
        period = next((d for at, d, f in durations if d is not None and not _NOTICE_WORD.search(f.text)
                       and d.unit in ("month", "year")), None)
        notice = next((d for at, f, d in _notice_durations(u)), None)
        if count is None and period is None:
            continue
        parts = [f"{int(count)} option{'s' if count != 1 else ''}" if count else "options"]
        if period:
            parts.append(f"of {period.text()} each")
        if notice:
            parts.append(f"exercisable by notice {notice.text()} before the end of the current period")
        return _value("options", " ".join(parts), {"count": int(count) if count else None,
                                                   "period": period.as_dict() if period else None,
                                                   "notice": notice.as_dict() if notice else None}, u,
                      fact=m.group(0) if m else "Option Period")
    return None


# -- territory, exclusivity, grant ----------------------------------------------------------------
_TERRITORY_CUE = re.compile(r"\bterritor(?:y|ies)\b|\bthroughout\s+the\s+(?:world|universe)\b|\bworld-?wide\b|\bthe\s+World\b", re.I)


def _territory(us: list[_Unit], modifier: str | None) -> Value | None:
    """Where the agreement applies: the "Territory" defined or stated ("The territory of this
    Agreement is Japan", "throughout the World"), as ISO codes with exclusions."""
    best = _Best()
    for u in us:
        if u.role in ("recital", "boilerplate") or RECITES.search(u.text) or len(u.text) > MAX_UNIT:
            continue
        if not _TERRITORY_CUE.search(u.scope):
            continue
        places = u.of("territory") if modifier is None else fresh_facts(u, u.of("territory"))
        if not places:
            continue
        if modifier is not None and (delta := _territory_delta(u)) is not None:
            value, fact = delta
            best.offer(4.0, u, _value("territory", territory_text(value) if value["include"] else
                                      "; ".join(f"{k} {', '.join(c)}" for k, c in (("adds", value["delta"]["add"]),
                                                                                 ("removes", value["delta"]["remove"])) if c),
                                      value, u, fact=fact))
            continue
        defines = bool(re.search(r"[\"“]Territory[\"”]|\bterritory\s+(?:of\s+this\s+agreement\s+)?(?:is|shall\s+be|means)|"
                                 r"\bTerritory\s+(?:shall\s+be|is|means)", u.text, re.I))
        outside = re.search(r"\boutside\s+(?:of\s+)?the\s+Territory\b", u.text) and not defines
        if outside:
            continue
        if re.search(r"\blaws?\s+of\b|\bincorporated\b|\bregistered\b|\boffice\b|\bcourts?\b", u.text, re.I) and not defines:
            continue
        chosen = places
        fact_start = u.text.find(chosen[0].text)
        last = chosen[-1]
        fact_end = u.text.find(last.text, fact_start) + len(last.text)
        # the exclusions that follow the places ("the World excluding Japan")
        tail = u.text[fact_end: fact_end + 120]
        ex = re.match(r"\s*,?\s*(?:but\s+)?(?:excluding|except(?:\s+for)?|other\s+than|save\s+for)\s+[^.;()]{2,100}", tail, re.I)
        if ex:
            fact_end += ex.end()
        if defines:  # a definition names every place of the territory: to the end of its sentence
            rest = re.match(r"[^.;(]*", u.text[fact_end:])
            longer = u.text[fact_start:fact_end + rest.end()].rstrip(" ,")
            if len(territory_codes(longer)["include"]) > len(territory_codes(u.text[fact_start:fact_end])["include"]):
                fact_end = fact_start + len(longer)
        fact = u.text[fact_start:fact_end]
        value = territory_codes(fact)
        if modifier is not None and VARIES.search(u.text):  # "the Territory shall be Europe instead of the United Kingdom"
            kept = list(u.text)
            for s0, e0 in old_spans(u.text):
                kept[s0:e0] = " " * (e0 - s0)
            value = territory_codes("".join(kept)[fact_start:fact_end])
        if not value["include"]:
            continue
        score = 2.0 + 2 * defines + bool(re.search(r"\bterritor", u.heading, re.I)) + (0.5 if modifier and CHANGE.search(u.text) else 0)
        if modifier is not None and not (CHANGE.search(u.text) or defines):
            continue
        best.offer(score, u, _value("territory", territory_text(value), value, u, fact=fact))
    return best.value


# "the Territory shall include France", "with effect from ... the Territory shall exclude Canada",
# "Japan is added to the Territory", "the Territory is extended to include ...": a change to the
# agreement's territory, worked out against it when the register is built (register.family_terms).
_TERRITORY_ADD = re.compile(r"\bTerritory\b[^.;]{0,60}?\b(?:shall|will|is|to)\s+(?:hereby\s+)?(?:now\s+)?(?:also\s+)?(?:be\s+)?"
                            r"(?:(?:extended|expanded|enlarged|amended)\s+(?:so\s+as\s+)?to\s+)?(?:also\s+)?(?:include|cover|encompass)\b|"
                            r"\b(?:added|extended)\s+to\s+the\s+Territory\b", re.I)
_TERRITORY_REMOVE = re.compile(r"\bTerritory\b[^.;]{0,60}?\b(?:shall|will|is|to)\s+(?:hereby\s+)?(?:now\s+|no\s+longer\s+)?(?:be\s+)?"
                               r"(?:(?:reduced|amended|restricted|limited)\s+(?:so\s+as\s+)?to\s+)?(?:exclude|omit|not\s+include)\b|"
                               r"\b(?:removed|excluded|deleted|withdrawn)\s+from\s+the\s+Territory\b|\bno\s+longer\s+(?:form\s+)?part\s+of\s+the\s+Territory\b", re.I)


def _territory_delta(u: _Unit) -> tuple[dict, str] | None:
    """A change that adds places to the territory or takes them out of it: ({"include": [],
    "exclude": [], "delta": {"add": [...], "remove": [...]}}, the words)."""
    add, remove = _TERRITORY_ADD.search(u.text), _TERRITORY_REMOVE.search(u.text)
    if not add and not remove:
        return None
    delta: dict[str, list[str]] = {"add": [], "remove": []}
    cues = sorted([(m.start(), m.end(), k) for m, k in ((add, "add"), (remove, "remove")) if m])
    for i, (s0, e0, k) in enumerate(cues):
        # the places a cue names: after it ("shall include France"), or before it ("Japan is added to the Territory")
        end = cues[i + 1][0] if i + 1 < len(cues) else len(u.text)
        after = re.split(r"[.;]", u.text[e0:end])[0]
        names = territory_codes(re.sub(r"\bTerritory\b", "", after))["include"]
        if not names and not u.text[s0:e0].lower().startswith("territory"):
            names = territory_codes(re.split(r"[.;:]", u.text[:s0])[-1])["include"]
        delta[k] += [c for c in names if c not in delta[k]]
    if not delta["add"] and not delta["remove"]:
        return None
    return {"include": [], "exclude": [], "delta": delta}, u.text[cues[0][0]: min(len(u.text), cues[-1][1] + 80)].split(".")[0]


_EXCLUSIVE = re.compile(
    r"(?<!non-)(?<!non- )(?<!non )\b(?:sole\s+and\s+)?exclusive(?:,?\s+(?:[\w-]+,?\s+){0,4}?)"
    r"(?:rights?|licen[cs]es?|distributor|partner|sponsor\w*|supplier|provider|agent|representative|relationship|reseller|"
    r"administrator|publisher|licensee|appointment|basis|dealer|endorse\w*|designation|recording|services|songwriter|"
    r"writer|artist|producer|manager|territory|marketing|promot\w*|supply|purchas\w*|sale|sell\w*)\b(?!\s+of\s+ownership)"
    r"|\bexclusively\s+(?:and\s+\w+\s+)?(?:with|through|from|to|for|by)\s+(?!the\s+laws|reference)", re.I)
_NOT_EXCLUSIVITY = re.compile(r"\bexclusive\s+(?:owner|ownership|property|conduct|authority|control|jurisdiction|venue|forum|remed\w*|"
                              r"right\s+to\s+(?:institute|bring|control|defend|prosecute|enforce|change|terminate|approve|determine|apply))"
                              r"|\bexclusive\s+rights?\s+of\s+ownership|\bcourts?\b[^.;]{0,40}\bexclusive|\bexclusive\b[^.;]{0,30}\bcourts?\b", re.I)
_RESTRICT = re.compile(r"\b(?:shall|will|may)\s+not\b[^.;]{0,80}\b(?:record|perform|render|endorse|grant|licen[cs]e|appoint|sell|"
                       r"distribute|promote|sponsor|work|engage|provide|enter\s+into|represent|manufacture|market|purchase|buy|use|"
                       r"make\s+any\s+appearances?)\w*\b[^.;]{0,120}"
                       r"\b(?:any\s+(?:other\s+)?(?:person|party|company|entity|third\s+part\w*|competitor|brand)|other\s+than|"
                       r"anyone\s+(?:else|other)|any\s+other\s+\w+)|"
                       r"\b(?:agrees?|undertakes?)\s+not\s+to\b[^.;]{0,120}\b(?:other\s+than|anyone\s+(?:else|other)|any\s+other\s+\w+|"
                       r"any\s+(?:person|party|company|entity|third\s+part\w*|competitor))|"
                       r"\b(?:shall|will)\s+be\s+prohibited\s+from\b[^.;]{0,160}\b(?:other\s+than|any\s+(?:other\s+)?(?:entity|person|party|company))", re.I)
_NAMED = re.compile(r"(?:\s+[A-Z][\w-]*){0,4}\s+(?:Agreement|AGREEMENT|Licen[cs]e|LICEN[CS]E|Contract|CONTRACT)\b")  # "Exclusive Recording Agreement"
_NON_EXCLUSIVE = re.compile(r"\bnon-?\s?exclusive\b", re.I)
_RECITAL_LIKE = re.compile(r"^\W*(?:[A-H]\.|\([A-H]\))\s+[^.]{0,80}\b(?:desires?|wishes|is\s+(?:engaged|recognized|a\b)|owns|has\s+(?:developed|acquired))\b"
                           r"|\b(?:desires?|wishes)\s+to\s+(?:obtain|appoint|grant|engage|acquire|enter)\b|\bis\s+desirous\s+of\b", re.I)


def _exclusivity(us: list[_Unit], modifier: str | None) -> Value | None:
    """Whether the deal is exclusive: an exclusive grant or appointment ("exclusive digital
    distributor", "exclusive licence", dealing "exclusively through" a party), or a covenant
    to deal with no one else; else a non-exclusive grant. Not "exclusive owner", "exclusive
    jurisdiction" or an exclusive right to sue: those are about something else."""
    best = _Best()
    for u in us:
        if not _operative(u) or u.role in ("definition", "preamble") or RECITES.search(u.text) or len(u.text) > MAX_UNIT \
                or _RECITAL_LIKE.search(u.text):
            continue
        if modifier is not None and not CHANGE.search(u.text):
            continue
        m = next((x for x in _EXCLUSIVE.finditer(u.text) if not _NAMED.match(u.text, x.end())
                  and not _NOT_EXCLUSIVITY.search(u.text[max(0, x.start() - 40): x.end() + 40])), None)
        restrict = _RESTRICT.search(u.text)
        if restrict and re.search(r"\bwithout\b[^.;]{0,60}\b(?:consent|approval)\b", u.text, re.I):
            restrict = None  # "will not sublicense ... without consent": a consent rule, not exclusivity
        if m:
            grant = bool(re.search(r"\bgrant\w*|\bappoint\w*|\blicen[cs]e\b|\bengage\w*", u.text, re.I))
            phrase = re.split(r"[.,;:(]|\s(?:of|in|to|for|throughout|during|and)\s", u.text[m.start(): m.start() + 80])[0]
            phrase = " ".join(phrase.split()[:5])
            value = _value("exclusivity", f"exclusive ({phrase})", {"exclusive": True}, u, fact=m.group(0))
            score = 2.0 + grant
        elif restrict:
            value = _value("exclusivity", "exclusive (a covenant not to deal with others)", {"exclusive": True}, u,
                           fact=restrict.group(0))
            score = 2.0
        elif _NON_EXCLUSIVE.search(u.text) and re.search(r"\bgrant\w*|\blicen[cs]e\b|\bappoint", u.text, re.I):
            value = _value("exclusivity", "non-exclusive", {"exclusive": False}, u, fact=_NON_EXCLUSIVE.search(u.text).group(0))
            score = 0.5
        else:
            continue
        best.offer(score, u, value)
    return best.value


_GRANT = re.compile(r"\b(?:hereby\s+)?grants?\s+(?:and\s+\w+\s+)?(?:to\s+)?(?:the\s+|each\s+|its\s+)?[\w-]+[^.;]{0,200}?\b(?:licen[cs]es?|rights?|permission)\b|"
                    r"\bis\s+(?:hereby\s+)?granted\b[^.;]{0,60}\b(?:licen[cs]es?|rights?)\b|\b(?:licen[cs]es?|rights?)\b[^.;]{0,60}\bis\s+(?:hereby\s+)?granted\b|"
                    r"\bhereby\s+(?:licen[cs]es|authori[sz]es|sublicenses)\b|"
                    r"\bappoints?\b[^.;]{0,120}?\bas\s+(?:its|the|his|her|their)\b[^.;]{0,60}\b(?:distributor|agent|representative|administrator|"
                    r"publisher|licensee|reseller|dealer|partner|sponsor|supplier|manager)\b|"
                    r"\bassigns?\s+to\s+the\b[^.;]{0,60}\bcopyright\b", re.I)
_NO_GRANT = re.compile(r"\bno\s+(?:other\s+)?(?:licen[cs]e|right)s?\b[^.;]{0,80}\bgranted\b|\bnothing\b[^.;]{0,100}\bgrant|"
                       r"\b(?:not|never)\s+(?:be\s+)?(?:deemed|construed)\b[^.;]{0,60}\bgrant|\b(?:shall|will|does|do|may)\s+not\b[^.;]{0,60}\bgrant|"
                       r"\bagrees?\s+not\s+to\s+grant|\bexcept\s+as\s+expressly\b|\breserved\b|\bauthority\s+to\s+grant|"
                       r"\bright\s+to\s+grant\b|\bwarrants?\b|\bwarrant\s+\(", re.I)
MAX_GRANTS = 3


def _grants(us: list[_Unit], modifier: str | None) -> list[Value]:
    """The rights the agreement grants: each operative clause that grants a licence or rights,
    appoints a party as its distributor or agent, or assigns copyright (up to MAX_GRANTS, in
    order). Not a heading, a recital, a refusal ("no licence is granted"), a warranty of the
    power to grant, or a reservation."""
    out: list[Value] = []
    for u in us:
        if not _operative(u) or u.role == "definition" or RECITES.search(u.text) or len(u.text) > MAX_UNIT \
                or _RECITAL_LIKE.search(u.text) or len(u.text.split()) < 8:
            continue
        m = _GRANT.search(u.text)
        if not m or _NO_GRANT.search(u.text):
            continue
        if modifier is not None and not CHANGE.search(u.text):
            continue
        phrase = " ".join(u.text[m.start(): m.start() + 160].split())
        cut = re.search(r"[.;:](?:\s|$)", phrase)
        phrase = phrase[: cut.start()] if cut else phrase.rsplit(" ", 1)[0] + " …"
        out.append(_value("grant", phrase, {"text": phrase}, u, fact=m.group(0), slot=f"grant {len(out) + 1}"))
        if len(out) >= MAX_GRANTS:
            break
    return out


# -- money: royalties, advances, recoupment, minimum commitment --------------------------------------
_ROYALTY_CUE = re.compile(r"\broyalt\w*|\brevenue\s+shar\w*|\bprofit\s+shar\w*|\bshare\s+of\b|\b(?:net|gross)\s+(?:receipts|revenues?|sales|income|profits?)\b|"
                          r"\bppd\b|\bdealer\s+price\b|\bcommission\b|\b(?:distribution|administration|management|publishing|"
                          r"sub-?publish\w*|admin)\s+fee\b|\bof\s+(?:all\s+)?(?:receipts|revenues?|income|sums|monies|profits?)\b|"
                          r"\b(?:retain|collect)\w*\b[^.;]{0,40}%|\bof\s+(?:the\s+)?(?:[A-Z][\w-]*\s+){1,2}(?:Income|Receipts|Revenues?)\b|"
                          r"\broyalty\s+rate\b|\bshares?\s+of\s+income\b", re.I)
_ROYALTY_VERB = re.compile(r"\b(?:pay|paid|payable|credit\w*|retain\w*|receive\w*|entitled|shar\w*|split|bear|accru\w*|due|keep)\b", re.I)
_ROYALTY_AVOID = re.compile(r"\binterest\b|\blate\s+(?:payment|charge)|\boverdue\b|\bdiscount\w*|\bvat\b|\btax\w*|\bwithholding\b|"
                            r"\binsurance\b|\bliabilit\w*|\bdamages\b|\bunderpay\w*|\bmargin\s+of\s+error|\bvariance\b|\bdeviation\b|"
                            r"\bequity\b|\bshares\s+of\s+(?:common\s+)?stock|\bvoting\b|\boutstanding\s+shares|\bownership\s+interest|"
                            r"\bnot\s+exceeding\b|\bthreshold\b|\bpenalt\w*|\bdeposit\b|\bassigns?\b|\bcopyright\b", re.I)
_INCOME = [
    ("streaming", re.compile(r"\bstream\w*", re.I)), ("downloads", re.compile(r"\bdownload\w*", re.I)),
    ("synchronisation", re.compile(r"\bsynch?\w*\b|\bsynchroni[sz]ation", re.I)),
    ("mechanical", re.compile(r"\bmechanical\w*", re.I)),
    ("performance", re.compile(r"\b(?:public\s+)?perform\w*\s+(?:income|royalt\w*|rights)|\bperformance\b", re.I)),
    ("print", re.compile(r"\bprint\w*\b|\bsheet\s+music\b", re.I)),
    ("neighbouring rights", re.compile(r"\bneighbou?ring\s+rights\b", re.I)),
    ("merchandising", re.compile(r"\bmerch\w*", re.I)),
    ("local covers", re.compile(r"\blocal\s+covers?\b", re.I)),
    ("audiovisual", re.compile(r"\baudio-?visual\b|\bmusic\s+videos?\b", re.I)),
    ("other income", re.compile(r"\bother\s+income\b|\bany\s+other\s+use\b", re.I)),
    ("physical", re.compile(r"\bphysical\b|\bppd\b|\brecords\s+sold\b|\bvinyl\b|\bcds?\b", re.I)),
    ("distribution fee", re.compile(r"\bdistribution\s+fee\b", re.I)),
    ("administration fee", re.compile(r"\badministration\s+fee\b|\badmin\s+fee\b", re.I)),
    ("commission", re.compile(r"\bcommission\b", re.I)),
    ("digital", re.compile(r"\bdigital\b", re.I)),
]


def income_type(text: str, *more: str) -> str:
    """The income a rate applies to, from the first of ``text``, ``more`` that names one
    ("streaming", "physical", "synchronisation", "distribution fee" ...): a clause's own label
    before its figure, then its heading, then its other words; "all income" when none does."""
    for part in (text, *more):
        for name, pattern in _INCOME:
            if pattern.search(part):
                return name
    return "all income"


def parse_percent(text: str) -> float | None:
    m = re.search(r"\(\s*(\d+(?:\.\d+)?)\s*%\s*\)", text) or re.search(r"(\d+(?:\.\d+)?)\s*(?:%|per\s?cent|percent)", text, re.I)
    if m:
        return float(m.group(1))
    n = words_number(re.split(r"per\s?cent|percent", text, flags=re.I)[0])
    return float(n) if n is not None else None


_PER_UNIT = re.compile(r"\b(?:per|for\s+each|on\s+each|each)\s+(?:unit|item|copy|product|record|stream|download|sale|user|"
                       r"activated\s+user|bottle|piece|[\w-]+\s+sold)\b", re.I)
_RATE_WORDS = re.compile(r"\broyalt\w*\b[^.;]{0,80}\b(?:equal\s+to|at\s+(?:the\s+)?(?:rate|percentage)|calculated|based\s+on|determined\s+by|"
                         r"tiered|of\s+(?:net|gross)|on\s+(?:net|gross)|in\s+the\s+form\s+of|payable\s+on)\b"
                         r"|\b(?:revenue|profit)[-\s]shar\w*|\bshare\s+of\s+(?:the\s+)?(?:net|gross)?\s*(?:revenues?|profits?|receipts|proceeds|income)\b"
                         r"|\b(?:fee|commission|payment)\s+(?:equal\s+to|based\s+on|calculated\s+(?:as|on))\b[^.;]{0,80}\b(?:net|gross)\s+(?:sales|revenues?|receipts|profits?)",
                         re.I)


def _royalties(us: list[_Unit], modifier: str | None) -> list[Value]:
    """Royalty rates, revenue shares and fees retained, one per income type (the first clause
    that states each): a percentage of a base ({"percent", "base", "income"}), an amount per
    unit sold ({"amount", "currency", "per"}), or, where the contract states no figure at all, a
    royalty whose rate is stated only by reference or redacted ({"rate": None}: the clause is
    cited, the figure is not guessed)."""
    out: dict[str, Value] = {}
    unfigured: dict[str, Value] = {}
    for u in us:
        if not _operative(u) or u.role == "definition" or RECITES.search(u.text) or len(u.text) > MAX_UNIT \
                or _RECITAL_LIKE.search(u.text):
            continue
        if _ROYALTY_AVOID.search(u.text):
            continue
        varies = modifier is not None and bool(VARIES.search(u.text))
        if modifier is not None and not (varies or re.search(r"\broyalt", u.text, re.I)):
            continue
        percents = [f for f in u.of("percent") if "%" in f.text or re.search(r"per\s?cent|percent", f.text, re.I)]
        if varies:
            percents = fresh_facts(u, percents)  # "deleting the words "60%" and substituting "70%"": 70%
        first = u.text.find(percents[0].text) if percents else len(u.text)
        income = income_type(u.text[:first], u.heading, u.text)
        if income in out:
            continue
        if percents and _ROYALTY_CUE.search(u.scope) and (_ROYALTY_VERB.search(u.text) or varies):
            f = _changed_fact(u, percents)
            pct = parse_percent(f.text)
            if pct is None or pct > 100 or (pct == 100 and not re.search(r"\broyalt", u.text, re.I)):
                continue  # 100% of a share is who owns it, not a rate
            if re.search(r"\bno\s+royalt\w*\s+(?:shall|will|is)\s+(?:be\s+)?(?:payable|paid|due)", u.text, re.I):
                continue
            base = re.search(r"\bof\s+(?:the\s+)?((?:[A-Z][\w'-]*\s*){1,4}|(?:net|gross)\s+\w+|all\s+\w+)", f.text)
            value = {"percent": pct, "base": base.group(1).strip() if base else "", "income": income}
            text = f"{pct:g}%" + (f" of {value['base']}" if value["base"] else "") + f" ({income})"
            out[income] = _value("royalties", text, value, u, slot=income, fact=f.text)
            continue
        if not re.search(r"\broyalt\w*|\brevenue|\bprofit|\bnet\s+sales\b|\bproceeds\b", u.scope, re.I) or not _ROYALTY_VERB.search(u.text):
            continue
        money = u.of("money")
        per = _PER_UNIT.search(u.text)
        if money and per and re.search(r"\broyalt\w*|\bdonat\w*|\bshare\b", u.text, re.I):
            parsed = parse_money(money[0].text) or {}
            value = {**parsed, "per": per.group(0), "income": income}
            text = f"{money_text(parsed)} {per.group(0)} ({income})"
            out[income] = _value("royalties", text, value, u, slot=income, fact=money[0].text)
        elif (rate := _RATE_WORDS.search(u.text)) and re.search(r"\bpa(?:y|id|yable)\b|\bowe\b|\bdue\b|\bshare\b", u.text, re.I):
            if income not in unfigured:
                unfigured[income] = _value("royalties", f"rate not stated in figures: {' '.join(rate.group(0).split())[:80]} ({income})",
                                           {"rate": None, "income": income}, u, slot=income, fact=rate.group(0))
    if not out:  # a royalty only described ("tiered royalties based on Net Sales as set forth below"): cite it
        out = unfigured
    return list(out.values())


_ADVANCE = re.compile(r"\badvances?\b|\bsigning\s+(?:fee|bonus)\b|\bminimum\s+guarantee\b|\bguaranteed\s+(?:payment|minimum)\b", re.I)
_TOTAL = re.compile(r"\btotal\b|\baggregate\b|\bin\s+all\b", re.I)
_FURTHER = re.compile(r"\b(?:further|additional|another|extra|second|supplementary)\s+(?:non-returnable\s+|recoupable\s+)?advance", re.I)


_ADVANCE_OF = re.compile(r"\badvances?\s+(?:of|in\s+the\s+(?:sum|amount)\s+of|totall?ing|equal\s+to|amounting\s+to)\s*$", re.I)


def _advances(us: list[_Unit], modifier: str | None) -> Value | None:
    """The advance: the clause paying one ("an advance of £45,000"), its amount (a stated total
    wins); a modifier's "further advance" adds to the agreement's (mode "add"). A budget or a
    fee that is merely treated as an advance ranks below a clause that pays one."""
    best = _Best()
    for u in us:
        if not _operative(u) or u.role == "definition" or RECITES.search(u.text) or len(u.text) > MAX_UNIT:
            continue
        m = _ADVANCE.search(u.text)
        if not m:
            continue
        money = u.of("money")
        if not money:
            continue
        if modifier is not None and not (_FURTHER.search(u.text) or _TOTAL.search(u.text) or CHANGE.search(u.text)):
            continue  # "the advance of £12,000 under clause 5.1 will be paid": a reminder, not a change
        total = _TOTAL.search(u.text)
        paid = [f for f in money if _ADVANCE_OF.search(u.text[max(0, u.text.find(f.text) - 60):u.text.find(f.text)])]
        if total:
            after = [f for f in money if u.text.find(f.text) > total.start()]
            chosen, mode = (after[0] if after else money[-1]), "set"
        else:
            near = paid or [f for f in money if u.text.find(f.text) >= m.start()]
            chosen = near[0] if near else money[0]
            mode = "add" if _FURTHER.search(u.text) and modifier is not None else "set"
        parsed = parse_money(chosen.text)
        if parsed is None:
            continue
        label = money_text(parsed)
        text = f"{'+ ' if mode == 'add' else ''}{label}" + (" (total)" if total else "")
        score = 1.0 + 2 * bool(paid or total) + bool(re.search(r"\badvance", u.heading, re.I)) \
            - bool(re.search(r"\bbudget\b|\btreated\s+as\b|\bdeemed\b", u.text, re.I))
        best.offer(score, u, _value("advances", text, parsed, u, mode=mode, fact=chosen.text))
    return best.value


_RECOUP = re.compile(r"\brecoup\w*|\bnon-?recoupable\b", re.I)


def _recoupment(us: list[_Unit], modifier: str | None) -> Value | None:
    """Whether advances are recoupable (and returnable): "recoupable from Royalties but not
    returnable"."""
    for u in us:
        if not _operative(u) or RECITES.search(u.text) or len(u.text) > MAX_UNIT:
            continue
        m = _RECOUP.search(u.text)
        if not m:
            continue
        if modifier is not None and not CHANGE.search(u.text):
            continue
        recoupable = not re.search(r"\bnon-?recoupable\b|\bnot\s+(?:be\s+)?recoup", u.text, re.I)
        returnable = None
        if re.search(r"\bnon-?returnable\b|\bnot\s+(?:be\s+)?returnable\b|\bnot\s+repayable\b", u.text, re.I):
            returnable = False
        source = re.search(r"\brecoup\w*\s+(?:only\s+)?(?:from|out\s+of|against)\s+((?:(?!\s(?:but|and|in\s+accordance|under|as)\s)[^.;,]){3,60})", u.text, re.I)
        text = ("recoupable" + (f" from {source.group(1).strip()}" if source else "")) if recoupable else "not recoupable"
        if returnable is False:
            text += ", not returnable"
        return _value("recoupment", text, {"recoupable": recoupable, "returnable": returnable,
                                           "from": source.group(1).strip() if source else ""}, u, fact=m.group(0))
    return None


_MINIMUM = re.compile(r"\bminimum\s+(?:commitment|purchase|order|guarantee|volume|quantit\w*|sales|royalt\w*|payment|spend\w*|"
                      r"annual|number|requirement\w*|amount|fee|performance|target|goals?)|\bminimum\s+[A-Z][\w ]{0,30}\b(?:Commitment|Requirements?|Details|Quantity)|"
                      r"\b(?:a|at\s+a)\s+minimum\s+of\b|\bat\s+(?:a\s+)?minimum\b|\bMOQ\b|"
                      r"\b(?:record|deliver|write|compose|produce)\w*\s+(?:and\s+deliver\s+)?(?:not\s+less\s+than\s+|at\s+least\s+)?"
                      r"\w+(?:[\s-]\w+)?\s+\(\d+\)\s+(?:new\s+|studio\s+|full-length\s+)?(?:albums?|singles?|masters?|records?|"
                      r"compositions?|songs?|tracks?|EPs?)\b|\b(?:spend|purchase|order|buy)\w*\s+(?:at\s+least|not\s+less\s+than|"
                      r"a\s+minimum\s+of)\b|\bat\s+least\s+\w+(?:[\s-]\w+)?\s+\(\d+\)\s+(?!(?:business\s+|calendar\s+)?(?:days?|weeks?|months?|years?)\b)", re.I)
_QUANTITY = re.compile(r"\b((?:\w+(?:[\s-]\w+)?\s+)?\(\d+\)|\d[\d,]*)\s+(?:new\s+|studio\s+|full-length\s+|additional\s+|dedicated\s+|\"?)?"
                       r"(albums?|singles?|masters?|records?|compositions?|songs?|tracks?|EPs?|units?|times|e-?blasts?|pieces?|users?|"
                       r"appearances?|posts?|days?|orders?|copies|Service\s+Days)\b", re.I)
_NOT_MINIMUM = re.compile(r"\blogo\b|\bfont\b|\bpixels?\b|\bdpi\b|\bage\b|\binsurance\b|\bnotice\b|\bliabilit\w*|\binterest\b|\bcure\b", re.I)


def _minimum_commitment(us: list[_Unit], modifier: str | None) -> Value | None:
    """The minimum the agreement commits a party to: albums or works to deliver, units, orders
    or appearances, an amount to buy, spend or pay; a defined minimum ("the Minimum
    Requirements") cited even where its figures are in a schedule."""
    best = _Best()
    for u in us:
        if not _operative(u) or RECITES.search(u.text) or len(u.text) > MAX_UNIT or _RECITAL_LIKE.search(u.text):
            continue
        m = _MINIMUM.search(u.text) or _MINIMUM.search(u.scope)
        if not m or _NOT_MINIMUM.search(u.text):
            continue
        if modifier is not None and not CHANGE.search(u.text):
            continue
        quantities = [q for q in _QUANTITY.finditer(u.text)
                      if not (re.match(r"days?$", q.group(2), re.I) and re.search(r"\b(?:within|after|before|prior|following)\b",
                                                                                   u.text[max(0, q.start() - 30): q.end() + 30], re.I))]
        money = u.of("money")
        if quantities:
            q = quantities[-1] if len(quantities) > 1 and CHANGE.search(u.text) else quantities[0]
            n = number_in(q.group(1))
            value = {"quantity": int(n) if n is not None and float(n).is_integer() else n, "unit": q.group(2).lower()}
            text, fact = " ".join(q.group(0).split()), q.group(0)
        elif money:
            f = _changed_fact(u, money)
            value = parse_money(f.text) or {}
            text, fact = money_text(value) if value else f.text, f.text
        elif re.search(r"\bminimum\s+[A-Z]|\bMOQ\b|\bminimum\s+(?:performance|requirement|purchas|order)", u.scope):
            value, text, fact = {"quantity": None}, f"{' '.join(m.group(0).split())} (figures not stated here)", m.group(0)
        else:
            continue
        if not re.search(r"\bshall\b|\bwill\b|\bmust\b|\bagrees?\b|\brequire\w*|\bcommit\w*|\bmeans\b|\bguarantee\w*|\bmeet\b|\bfails?\b", u.text, re.I):
            continue
        score = 2.0 + bool(re.search(r"\bminimum\b", u.scope, re.I)) - (0.5 if u.role == "definition" else 0)
        best.offer(score, u, _value("minimum_commitment", text, value, u, fact=fact))
    return best.value


_RETENTION = re.compile(r"\bretention\s+period\b|\brevert\w*|\breversion\w*|\bre-?assign\w*\s+to\b|\bLicen[cs]e\s+Period\b|"
                        r"\bRights\s+Period\b|\bRetention\s+Period\b|\bowns?\b[^.;]{0,60}\bcopyright\b|\bretains?\s+the\s+(?:Compositions|Masters|rights|copyright)",
                        re.I)
_PERPETUAL = re.compile(r"\bin\s+perpetuity\b|\bperpetual(?:ly)?\b|\bfor\s+the\s+(?:full\s+)?(?:life|period|term)\s+of\s+(?:the\s+)?copyright\b", re.I)


def _retention(us: list[_Unit], modifier: str | None) -> Value | None:
    """How long the rights stay after the term, and so when they revert: "a retention period of
    twelve (12) years after the end of the Term" ({"period", "after": "end of the Term"}), "ends
    ten (10) years after the end of the Term"; {"perpetual": true} for the life of copyright."""
    best = _Best()
    for u in us:
        if not _operative(u) or u.role == "definition" and not re.search(r"\bRetention\s+Period\b", u.text) \
                or RECITES.search(u.text) or len(u.text) > MAX_UNIT:
            continue
        m = _RETENTION.search(u.scope)
        if not m:
            continue
        if modifier is not None and not CHANGE.search(u.text):
            continue
        rel = next((f for f in u.of("date") if re.search(r"\b(?:after|following|from)\s+(?:the\s+)?(?:end|expiry|expiration|termination)\b", f.text, re.I)), None)
        if rel is not None:
            dur = parse_duration(rel.text)
            if dur is None:
                continue
            found = re.search(r"\b(?:after|following|from)\s+(?:the\s+)?(.+)$", rel.text, re.I | re.S)
            after = " ".join(found.group(1).split()) if found else "end of the Term"
            value = {"period": dur.as_dict(), "after": after, "perpetual": False}
            score = 3.0 + bool(re.search(r"\bretention|\brevert", u.text, re.I))
            text = f"{dur.text()} after the {after}"
            fact = rel.text
        elif _PERPETUAL.search(u.text) and not re.search(r"\blicen[cs]e\s+to\s+use\b", u.text, re.I):
            fact = _PERPETUAL.search(u.text).group(0)
            value = {"period": None, "after": "", "perpetual": True}
            text, score = f"no reversion ({' '.join(fact.split())})", 1.0
        else:
            continue
        best.offer(score, u, _value("retention", text, value, u, fact=fact))
    return best.value


_AUDIT = re.compile(r"\baudit\w*|\binspect\w*|\bexamin\w*|\bcheck\s+the\b", re.I)
_BOOKS = re.compile(r"\bbooks\b|\brecords\b|\baccounts\b|\bstatements?\b|\bledgers?\b|\binformation\b|\bsales\s+of\b", re.I)
_AUDIT_RIGHT = re.compile(r"\b(?:may|right\s+to|entitled\s+to|permit\w*\s+[\w'’ ]{1,40}?\s+to|allow\w*\s+[\w'’ ]{1,40}?\s+to|request)\s+"
                          r"(?:\w+\s+){0,3}(?:audit|inspect|examine|review)\w*\b|\bavailable\s+(?:to\s+[\w'’ ]{1,40}\s+)?for\s+"
                          r"(?:audit|inspection|examination|review)\b|\b(?:audit|inspection|examination)\s+(?:by|of)\b|\bmake\s+(?:said\s+|such\s+|its\s+|the\s+)?"
                          r"(?:books|records)\b[^.;]{0,40}\bavailable\b", re.I)


def _audit(us: list[_Unit], modifier: str | None) -> Value | None:
    """The right to audit or inspect books and records: how often, on how much notice. An
    explicit right ("may audit", "available for inspection") outranks a duty to keep records."""
    best = _Best()
    for u in us:
        if not _operative(u) or u.role == "definition" or RECITES.search(u.text) or len(u.text) > MAX_UNIT:
            continue
        m = _AUDIT.search(u.text) or _AUDIT.search(u.scope)
        right = _AUDIT_RIGHT.search(u.text)
        if not (m or right) or not _BOOKS.search(u.text):
            continue
        if modifier is not None and not CHANGE.search(u.text):
            continue
        if re.search(r"\bquality\b|\bregulatory\s+inspection\b|\bproducts?\s+for\s+inspection\b", u.text, re.I) and not right:
            continue
        if re.search(r"\bunderpay\w*|\bcosts?\s+of\s+(?:the|such|any)\s+audit", u.text, re.I) and not right:
            continue
        freq = u.of("frequency")
        notice = next((d for _, _, d in _notice_durations(u)), None)
        fact_notice = None
        if notice is None:
            fact_notice = re.search(r"\b(?:reasonable|prior|advance)\s+(?:prior\s+)?(?:written\s+)?notice\b", u.text, re.I)
        parts = ["yes"]
        if freq:
            parts.append(" ".join(freq[0].text.split()))
        if notice is not None:
            parts.append(f"on {notice.text()}' notice")
        elif fact_notice:
            parts.append(f"on {fact_notice.group(0)}")
        score = 1.0 + 2 * bool(right) + bool(re.search(r"\baudit", u.scope, re.I))
        value = {"frequency": " ".join(freq[0].text.split()) if freq else "", "notice": notice.as_dict() if notice else None}
        fact = (right or m).group(0)
        best.offer(score, u, _value("audit", ", ".join(parts), value, u, fact=fact))
    return best.value


_ASSIGN = re.compile(r"\bassign\w*|\btransfer\w*", re.I)
_ASSIGN_OBJECT = re.compile(r"\bthis\s+agreement\b|\bits\s+rights\b|\bany\s+(?:of\s+its\s+)?rights\b|\bobligations\b|\bhereunder\b|"
                            r"\bunder\s+this\s+agreement\b|\bthe\s+benefit\b|\bpersonal\s+to\b", re.I)
_ASSIGN_LIMIT = re.compile(r"\bconsent\b|\bapproval\b|\bnot\s+(?:be\s+)?(?:assign|transfer)\w*|\bmay\s+not\b|\bshall\s+not\b|"
                           r"\bneither\s+party\b|\bno\s+party\b|\bvoid\b|\bpersonal\s+to\b|\bwithout\b|\bfreely\b|\bmay\s+assign\b", re.I)


def _assignment(us: list[_Unit], modifier: str | None) -> Value | None:
    """Whether the agreement may be assigned: with the other party's consent (and whether it
    may be unreasonably withheld), not at all, or freely."""
    best = _Best()
    for u in us:
        if not _operative(u) or u.role == "definition" or RECITES.search(u.text) or len(u.text) > MAX_UNIT:
            continue
        m = _ASSIGN.search(u.text) or _ASSIGN.search(u.scope)
        if not m or not _ASSIGN_OBJECT.search(u.text) or not _ASSIGN_LIMIT.search(u.text):
            continue
        if re.search(r"\bcopyright\b", u.text, re.I) and not re.search(r"\bconsent|\bmay\s+not|\bshall\s+not", u.text, re.I):
            continue  # an assignment of copyright is a grant, not a limit on assigning the deal
        if modifier is not None and not CHANGE.search(u.text):
            continue
        low = u.text.lower()
        if re.search(r"not\s+(?:to\s+)?be\s+unreasonably\s+withheld|shall\s+not\s+be\s+unreasonably|not\s+unreasonably\s+withh?eld", low):
            consent = "consent required, not to be unreasonably withheld"
        elif re.search(r"\bconsent\b|\bapproval\b", low):
            consent = "consent required"
        elif re.search(r"\bfreely\b|\bmay\s+assign\b(?![^.;]{0,60}\bonly\b)", low) and not re.search(r"\bmay\s+not\b|\bshall\s+not\b", low):
            consent = "freely assignable"
        elif re.search(r"\bpersonal\s+to\b|\bmay\s+not\b|\bshall\s+not\b|\bneither\b|\bvoid\b", low):
            consent = "not assignable"
        else:
            continue
        score = 2.0 + bool(re.search(r"\bassign", u.heading, re.I)) + bool(re.search(r"\bthis\s+agreement\b", low))
        best.offer(score, u, _value("assignment", consent, {"consent": consent}, u, fact=m.group(0)))
    return best.value


_LAW_OF = re.compile(r"\blaws?\s+(?:of|in\s+force\s+in)\s+(?:the\s+)?((?:State|Commonwealth|Province|Republic|Kingdom)\s+of\s+(?:the\s+)?)?"
                     r"([A-Z][\w.]*(?:\s+(?:and|&)\s+[A-Z][\w.]*|\s+[A-Z][\w.]*){0,3})")


_JURIS = (r"(?:(?:State|STATE|Commonwealth|COMMONWEALTH|Province|PROVINCE|Republic|REPUBLIC|Kingdom|KINGDOM)\s+(?:of|OF)\s+(?:the\s+)?)?"
          r"[A-Z][\w.]*(?:\s+(?:and|&)\s+[A-Z][\w.]*|\s+[A-Z][\w.]*){0,3}|\[\*+\]")
# Forms the answer engine's recogniser does not cover: "construed and governed in accordance with
# the laws of", "the laws and decisions of", "the laws of California shall govern", "Ohio law".
_GOVERNED = re.compile(
    rf"(?i:\b(?:governed|construed|interpreted|enforced|controlled)\b)[^.;]{{0,120}}?(?i:\b(?:the\s+)?(?:internal\s+|substantive\s+)?laws?"
    rf"(?:\s+and\s+decisions)?\s+of\s+(?:the\s+)?)(?P<j>{_JURIS})"
    rf"|(?i:\bthe\s+laws?\s+of\s+(?:the\s+)?)(?P<j2>{_JURIS})(?i:\s+(?:shall|will)\s+govern)"
    rf"|(?i:\b(?:governed|construed)\b)[^.;]{{0,80}}?(?i:\bwith\s+)(?P<j3>[A-Z][\w]*(?:\s+[A-Z][\w]*)?)\s+(?i:law)\b")


def _governing_law(us: list[_Unit], modifier: str | None) -> Value | None:
    """The law governing the agreement: "governed by the laws of England and Wales" ->
    {"jurisdiction": "England and Wales", "code": "GB-EAW"}."""
    if modifier is not None:
        return None
    best = _Best()
    for u in us:
        if u.role == "recital":
            continue
        laws = [(f.text, None) for f in u.of("law")]
        laws += [(g.group(0), g.group("j") or g.group("j2") or g.group("j3")) for g in _GOVERNED.finditer(u.text)]
        for text, juris in laws:
            if juris:
                name = juris
            elif (m := _LAW_OF.search(text)):
                name = (m.group(1) or "") + m.group(2)
            else:
                m2 = re.search(r"(?:of|in|is|be)\s+(?:the\s+)?((?:State\s+of\s+)?[A-Z][\w]*(?:\s+(?:and\s+)?[A-Z][\w]*){0,3})\s*$", text)
                if not m2:
                    continue
                name = m2.group(1)
            name = re.sub(r"\s+(?:without|excluding|and\s+the\s+(?:courts?|parties)|applicable|as|in|which).*$", "", name).strip(" .,")
            name = name.title() if name.isupper() else name
            governed = bool(re.search(r"\bgovern\w*|\bconstru\w*|\binterpret\w*", text, re.I))
            score = 2.0 + 2 * governed + bool(re.search(r"\bgoverning\s+law|\bapplicable\s+law|\bchoice\s+of\s+law", u.scope, re.I))
            value = {"jurisdiction": name, "code": jurisdiction_code(name)}
            shown = name + (f" ({value['code']})" if value["code"] else "")
            best.offer(score, u, _value("governing_law", shown, value, u, fact=text))
    return best.value


# -- changes named by clause ------------------------------------------------------------------------
# A changing clause that names the agreement's clause it changes ("The rate set out in clause 6.1 is
# increased to 24%", "the notice period in paragraph 1(b) is changed to three (3) months") may not
# use the term's own words: its new value is kept as a "change" with the clauses it names, and the
# register gives it to the term the agreement states in that clause (``resolve_change``).
_DATED_BEFORE = re.compile(r"\b(?:dated|made|signed|executed|of)\s+(?:as\s+of\s+)?(?:the\s+)?$", re.I)


def _changes(us: list[_Unit], text: str) -> list[Value]:
    out: list[Value] = []
    for u in us:
        # not a recital; a clause headed "Notice" or "Term" may look like boilerplate and still change the deal
        if u.role == "recital" or RECITES.search(u.text) or len(u.text) > MAX_UNIT or not VARIES.search(u.text):
            continue
        refs = refs_in(u.text)
        if not refs:
            continue
        found: list[tuple[str, Any, Any, str]] = []
        dates = [d for d in _dates(u) if not re.search(r"(?:with\s+effect\s+from|effective\s+(?:as\s+of|from|on)|as\s+(?:from|of)|after|before|by)\s+(?:the\s+)?$",
                                   u.text[max(0, d[0] - 40):d[0]], re.I)
                 and not _DATED_BEFORE.search(u.text[max(0, d[0] - 30):d[0]])]
        dates = fresh_facts(u, dates)
        if dates:
            d = _changed_fact(u, dates)
            found.append(("date", d[2], u.text[d[0]:d[1]], families.human_date(d[2])))
        percents = fresh_facts(u, [f for f in u.of("percent") if "%" in f.text or re.search(r"per\s?cent|percent", f.text, re.I)])
        if percents:
            f = _changed_fact(u, percents)
            pct = parse_percent(f.text)
            if pct is not None and pct <= 100:
                found.append(("percent", pct, f.text, f"{pct:g}%"))
        money = fresh_facts(u, u.of("money"))
        if money:
            f = _changed_fact(u, money)
            parsed = parse_money(f.text)
            if parsed:
                found.append(("money", parsed, f.text, money_text(parsed)))
        durations = fresh_facts(u, [f for f in u.of("duration") if parse_duration(f.text) is not None])
        if durations:
            f = _changed_fact(u, durations)
            dur = parse_duration(f.text)
            found.append(("duration", dur.as_dict(), f.text, dur.text()))
        for kind, new, fact, shown in found:
            notice = bool(_NOTICE_WORD.search(u.text))
            out.append(_value("changes", f"clause {', '.join(refs)}: {shown}",
                              {"refs": refs, "kind": kind, "new": new, "notice": notice}, u, fact=fact))
    return out


def _ref_matches(named: str, ref: str) -> bool:
    return bool(ref) and (ref == named or ref.startswith(named + ".") or ref.startswith(named + "("))


CHANGE_KEYS = {"date": ("expiry",), "percent": ("royalties",), "money": ("advances",),
               "duration": ("renewal_notice", "renewal", "retention"), "territory": ("territory",)}


def change_targets(change: Value, earlier: list[Value]) -> list[Value]:
    """The values of ``earlier`` documents a change names by clause: stated in the clause it
    names (or one clause under it, when only one value of the change's kind is there)."""
    ch = change.value or {}
    keys = CHANGE_KEYS.get(ch.get("kind"), ())
    if ch.get("kind") == "duration":
        keys = ("renewal_notice",) if ch.get("notice") else ("renewal", "retention")
    named = ch.get("refs") or []
    candidates = [v for v in earlier if v.key in keys and v.clause is not None]
    exact = [v for v in candidates if v.clause.ref in named]
    if exact:
        return exact[-1:]
    under = [v for v in candidates if any(_ref_matches(n, v.clause.ref) for n in named)]
    if len({(v.key, v.slot) for v in under}) == 1:
        return under[-1:]
    return []


def resolve_change(change: Value, target: Value) -> Value | None:
    """The value a change (``_changes``) gives the term ``target`` states, normalised like it."""
    ch = change.value or {}
    kind, new = ch.get("kind"), ch.get("new")
    old = target.value if isinstance(target.value, dict) else {}
    kw = dict(slot=target.slot, fact=change.fact, effective=change.effective)
    if target.key == "expiry" and kind == "date":
        return Value("expiry", families.human_date(new), new, change.clause, **kw)
    if target.key == "royalties" and kind == "percent" and old.get("percent") is not None:
        value = {"percent": new, "base": old.get("base", ""), "income": old.get("income", "all income")}
        text = f"{new:g}%" + (f" of {value['base']}" if value["base"] else "") + f" ({value['income']})"
        return Value("royalties", text, value, change.clause, **kw)
    if target.key == "advances" and kind == "money":
        value = {**new, "currency": new.get("currency") or old.get("currency")}
        return Value("advances", money_text(value), value, change.clause, **kw)
    if kind == "duration" and target.key in ("renewal_notice", "renewal", "retention"):
        dur = datecalc.Duration.from_dict(new)
        if target.key == "renewal_notice":
            value = {"period": new, "before": old.get("before", "end of the then-current period")}
            return Value("renewal_notice", f"{dur.text()} before the end of the then-current period", value, change.clause, **kw)
        if target.key == "renewal" and old.get("period"):
            value = {**old, "period": new}
            how = "automatically" if old.get("automatic") else "by option or agreement"
            return Value("renewal", f"renews {how} for periods of {dur.text()}", value, change.clause, **kw)
        if target.key == "retention" and old.get("period"):
            value = {**old, "period": new}
            return Value("retention", f"{dur.text()} after the {old.get('after') or 'end of the Term'}", value, change.clause, **kw)
    return None


def apply_territory(before: dict, change: dict) -> dict:
    """A territory after a change that adds or removes places ("the Territory shall include
    France"): the World excluding Japan, plus Japan, is the World."""
    delta = change.get("delta") or {}
    include = list(before.get("include") or [])
    exclude = list(before.get("exclude") or [])
    for code in delta.get("add", []):
        if code in exclude:
            exclude.remove(code)
        elif code not in include and "WW" not in include:
            include.append(code)
    for code in delta.get("remove", []):
        if code in include:
            include.remove(code)
        elif code not in exclude:
            exclude.append(code)
    return {"include": include, "exclude": exclude, "names": before.get("names", [])}


# ---------------------------------------------------------------------------------------------
def extract_terms(title: str, text: str, family_role: str = families.AGREEMENT, own_date: str | None = None) -> dict[str, list[dict]]:
    """Key terms of one document: {key: [Value as dict, ...]} for every key it states (absent:
    not stated). ``family_role`` is the document's (ingest/families.py): an amendment, side
    letter or notice is read for what it changes only (MODIFIER_KEYS); ``own_date`` is a
    modifier's own date (recorded with what it exercises or stops)."""
    modifier = None if family_role == families.AGREEMENT else family_role
    us = units(text)
    found: dict[str, list[Value]] = {}

    def put(value: Value | list[Value] | None) -> None:
        for v in value if isinstance(value, list) else [value] if value is not None else []:
            found.setdefault(v.key, []).append(v)

    if modifier is None:
        put(_agreement_type(text, title))
        put(_parties(text, us))
        date = _agreement_date(text, us)
        put(date)
        effective = _effective_date(us, date.value if date else None)
        put(effective)
        start_hint = (effective.value if effective and isinstance(effective.value, str) else None) or (date.value if date else None)
    else:
        start_hint = own_date
        if modifier == "assignment":
            put(_parties(text, us))
    put(_expiry(us, start_hint, modifier))
    put(_renewal(us, modifier))
    put(_renewal_notice(us, modifier))
    put(_options(us, modifier))
    put(_territory(us, modifier))
    put(_exclusivity(us, modifier))
    put(_grants(us, modifier))
    put(_royalties(us, modifier))
    put(_advances(us, modifier))
    put(_recoupment(us, modifier))
    put(_minimum_commitment(us, modifier))
    put(_retention(us, modifier))
    put(_audit(us, modifier))
    put(_assignment(us, modifier))
    put(_governing_law(us, modifier))
    keys = list(KEYS) if modifier is None else [*MODIFIER_KEYS, *(["parties"] if modifier == "assignment" else []), "changes"]
    if modifier is not None:
        put(_changes(us, text))
        for k in keys:
            for v in found.get(k, []):
                if v.clause is not None and k != "parties":
                    v.effective = effective_from(v.clause.text, text)
    return {k: [v.as_dict() for v in found[k]] for k in [*KEYS, "changes"] if k in found and k in keys}


def values_of(terms: dict[str, list[dict]], key: str) -> list[Value]:
    return [Value.from_dict(v) for v in terms.get(key, [])]


def clauses(terms: dict[str, list[dict]]) -> Iterable[tuple[str, Clause]]:
    """(key, clause) of every stated value (evaluation and highlighting)."""
    for key, values in terms.items():
        for v in values:
            if v.get("clause"):
                yield key, Clause(**v["clause"])


