"""What key-term extraction produces: a ``Value`` per stated term (normalised, with the
``Clause`` that states it), and the keys a contract is read for (``KEYS``; ``MODIFIER_KEYS``: what
a document that changes an agreement can change).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

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
