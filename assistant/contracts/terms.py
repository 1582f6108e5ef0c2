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

Rules are plain patterns over the units ``assistant.text.units.answer_units`` cuts a document into
(sentences, numbered clauses, list items with their lead-in) and the typed facts its recognisers
find (dates, money, percentages, durations, territories, governing law): the same machinery the
answer engine uses, so a clause cited here is one the chat can quote.


The package's modules: ``model`` (Clause, Value, the keys), ``values`` and ``places`` (normalising
numbers, durations, money, territories, jurisdictions), ``clauses`` (the units a contract is cut
into, with clause numbers), ``rules/`` (one module per group of keys), ``changes`` (changes named
by clause), ``dates`` (date arithmetic), ``register`` (a family's current terms) and this module,
which runs the rules over one document.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

from assistant.contracts.changes import read_changes
from assistant.contracts.clauses import units
from assistant.contracts.model import KEYS, MODIFIER_KEYS, Clause, Value
from assistant.contracts.rules.identity import (
    read_agreement_date,
    read_agreement_type,
    read_assignment_parties,
    read_effective_date,
    read_parties,
)
from assistant.contracts.rules.legal import read_assignment, read_audit, read_governing_law
from assistant.contracts.rules.money import read_advances, read_minimum_commitment, read_recoupment, read_retention, read_royalties
from assistant.contracts.rules.term import read_expiry, read_options, read_renewal, read_renewal_notice
from assistant.contracts.rules.territory import read_exclusivity, read_grants, read_territory
from assistant.text.changes import effective_from
from ingest import families

# Stored terms carry this; when the rules change (any module of this package or the text tools it
# reads with), every contract is read again at the next ingest.
_RULE_FILES = sorted([*Path(__file__).parent.rglob("*.py"), *(Path(__file__).parent.parent / "text").glob("*.py")])
TERMS_VERSION = "1-" + hashlib.sha1(b"".join(p.read_bytes() for p in _RULE_FILES)).hexdigest()[:10]

# ---------------------------------------------------------------------------------------------
def extract_terms(title: str, text: str, family_role: str = families.AGREEMENT, own_date: str | None = None,
                  start: str | None = None) -> dict[str, list[dict]]:
    """Key terms of one document: {key: [Value as dict, ...]} for every key it states (absent:
    not stated). ``family_role`` is the document's (ingest/families.py): an amendment, side
    letter or notice is read for what it changes only (MODIFIER_KEYS); ``own_date`` is a
    modifier's own date (recorded with what it exercises or stops); ``start`` the date a term
    is counted from when ``text`` (one clause of an agreement, read again as it stands now)
    does not state it."""
    modifier = None if family_role == families.AGREEMENT else family_role
    us = units(text)
    found: dict[str, list[Value]] = {}

    def put(value: Value | list[Value] | None) -> None:
        for v in value if isinstance(value, list) else [value] if value is not None else []:
            found.setdefault(v.key, []).append(v)

    if modifier is None:
        put(read_agreement_type(text, title))
        put(read_parties(text, us))
        date = read_agreement_date(text, us)
        put(date)
        effective = read_effective_date(us, date.value if date else None)
        put(effective)
        start_hint = (effective.value if effective and isinstance(effective.value, str) else None) or (date.value if date else None) or start
    else:
        start_hint = own_date
        if modifier == "assignment":
            parties = read_parties(text, us)
            if not any(re.search(r"assign|transfer", str(p.value.get("role")), re.I) for p in parties):
                parties = read_assignment_parties(text) or parties  # a letter: "X has assigned the Agreement to Y"
            put(parties)
    put(read_expiry(us, start_hint, modifier))
    put(read_renewal(us, modifier))
    put(read_renewal_notice(us, modifier))
    put(read_options(us, modifier))
    put(read_territory(us, modifier))
    put(read_exclusivity(us, modifier))
    put(read_grants(us, modifier))
    put(read_royalties(us, modifier))
    put(read_advances(us, modifier))
    put(read_recoupment(us, modifier))
    put(read_minimum_commitment(us, modifier))
    put(read_retention(us, modifier))
    put(read_audit(us, modifier))
    put(read_assignment(us, modifier))
    put(read_governing_law(us, modifier))
    keys = list(KEYS) if modifier is None else [*MODIFIER_KEYS, *(["parties"] if modifier == "assignment" else []), "changes"]
    if modifier is not None:
        put(read_changes(us, text))
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
