"""A contract cut into the units its rules read (``units``: answer units with their clause
numbers, so that "clause 5.1(c)" of a later document finds the clause), the ``Value`` a rule
makes of one, the best-scoring value of a key (``Best``), and which facts of a changing clause
are its new values (``fresh_facts``, ``changed_fact``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from assistant.contracts.consolidated.tree import NOT_A_MONTH
from assistant.contracts.model import Clause, Value
from assistant.text.changes import RELATIVE_CHANGE, VARIES, old_spans
from assistant.text.facts import Fact
from assistant.text.kinds import find_facts
from assistant.text.units import answer_units, split_sentences
from ingest import families


# ---------------------------------------------------------------------------------------------
# Units
# ---------------------------------------------------------------------------------------------
@dataclass
class ContractUnit:
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
                            + NOT_A_MONTH, re.I)


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


def units(text: str) -> list[ContractUnit]:
    """The document's units (``answer_units``) cut down to sentences: flattened text (EDGAR
    filings, PDF extractions) leaves several sentences in one unit, and a term is cited by the
    sentence that states it. A list item keeps the sentence that leads into it."""
    out: list[ContractUnit] = []
    seen_leads: set[tuple[int, int]] = set()
    numbers = [(m.start(1), m.group(1)) for m in _CLAUSE_NUMBER.finditer(text)]

    def add(start: int, end: int, match: str, u) -> None:
        out.append(ContractUnit(start, end, match, u.label, u.heading, u.role, len(out), text[start:end],
                         clause_ref(u.label, [n for at, n in numbers if at <= u.start])))

    for u in answer_units(text):
        lead_last = ""
        lead_span = None
        if u.lead:
            sents = split_sentences(text, u.lead[0], u.lead[1]) or [u.lead]
            if u.lead not in seen_leads:
                seen_leads.add(u.lead)
                for s, e in sents[:-1]:
                    add(s, e, text[s:e], u)
            lead_span = sents[-1]
            lead_last = text[lead_span[0]:lead_span[1]]
        sents = split_sentences(text, u.start, u.end) if u.end - u.start > 200 else [(u.start, u.end)]
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


def make_value(key: str, text: str, value: Any, unit: ContractUnit | None, fact: str = "", **kw) -> Value:
    clause = unit.clause() if unit is not None else None
    if clause is not None and fact and clause.end - clause.start > NARROW:
        at = clause.text.find(fact)
        if at >= 0:
            s, e = families.sentence_span(clause.text, at, at + len(fact))
            if e - s < clause.end - clause.start:
                clause = Clause(clause.start + s, clause.start + e, clause.text[s:e], clause.label, clause.heading)
    return Value(key, " ".join(text.split()), value, clause, fact=fact, **kw)


class Best:
    """The best-scoring value a rule has found: ties go to the earlier unit (``later``: the later
    one, as in a notice whose last statement is its conclusion)."""

    def __init__(self, later: bool = False):
        self.top: tuple[float, Value] | None = None
        self.later = later

    def offer(self, score: float, unit: ContractUnit, value: Value) -> None:
        score += 0.0001 * unit.index * (1 if self.later else -1)
        if self.top is None or score > self.top[0]:
            self.top = (score, value)

    @property
    def value(self) -> Value | None:
        return self.top[1] if self.top else None


def is_operative(u: ContractUnit) -> bool:
    return u.role not in ("recital", "boilerplate")

def _at(u: ContractUnit, f: Any) -> int:
    return f[0] if isinstance(f, tuple) else u.text.find(f.text)


def fresh_facts(u: ContractUnit, facts: list) -> list:
    """The facts of a unit that are not replaced values (all of them outside a changing clause)."""
    spans = old_spans(u.text) if VARIES.search(u.text) else []
    return [f for f in facts if not any(s <= _at(u, f) < e for s, e in spans)
            and not RELATIVE_CHANGE.search(u.text[max(0, _at(u, f) - 60):_at(u, f)])]

def changed_fact(u: ContractUnit, facts: list) -> Any:
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

_REFERS = re.compile(r"\b(?:clauses?|sections?|paragraphs?|articles?|cl\.)\s+(\d{1,3}(?:\.\d{1,3})*(?:\s*\([a-z0-9]{1,4}\))*)", re.I)


def refs_in(text: str) -> list[str]:
    """The clauses of the agreement a changing clause names ("clause 5.1(c) of the Agreement")."""
    return [_norm_ref(m.group(1)) for m in _REFERS.finditer(text)]
