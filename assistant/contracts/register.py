"""The contract register: every agreement family's key terms, current values first.

Key terms are read from each contract at ingest (``assistant/contracts/terms.py``) and kept in the store
beside the ledger (collection ``<collection>_terms``: one vectorless point per document, keyed
by its id, with the file hash and rule version it was read with, so an unchanged file is never
read twice and new rules re-read every contract at the next ingest). Everything else happens
when the terms are shown, for whoever is looking:

The package's modules for it: ``storage`` (the terms collection), ``family`` (a family's
current terms and computed values), this module (rows and deadlines) and ``export`` (CSV, XLSX).

* ``family_terms``: a family's terms (ingest/families.py: the agreement and the documents that
  change it, in date order), each value with the document and clause it came from. The latest
  member that states a value sets it ("set"); a further advance adds to it ("add"); what it
  replaced stays in the history, marked superseded. An assignment replaces the assigning party.
  A change that names the agreement's clause ("the rate in clause 6.1 is increased to 24%") sets
  the term stated in that clause; a change to the territory ("shall include France") or a term
  "extended by twelve months" is worked out against the value before it.
* computed values, as of ``today``: the period an automatically renewing deal is in now (it may
  have rolled over several times), the next date by which notice must be given to stop it
  renewing, the last day to exercise the next option, and the date the rights revert.
* ``register_rows``: one row per family for the Contracts view, ``rights register`` and the
  CSV/XLSX exports; ``deadlines``: expiries, notice dates and reversions within N days.

Access: families and terms come from a service view (``RightsService.restricted``), so a
member the viewer may not see is neither listed nor used for a value, and terms are only read
for documents the view's ledger holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from assistant.contracts import dates as datecalc
from assistant.contracts.family import NOT_STATED, FamilyTerms, Term, _entry, all_family_terms
from assistant.contracts.values import money_text
from ingest import families as F

# ---------------------------------------------------------------------------------------------
# The register
# ---------------------------------------------------------------------------------------------
COLUMNS = [
    ("agreement", "Agreement"), ("file", "File"), ("type", "Type"), ("parties", "Parties"),
    ("agreement_date", "Made"), ("effective_date", "Effective"), ("expiry", "Ends"), ("status", "Status"),
    ("renewal", "Renewal"), ("renewal_notice", "Notice to stop renewal"), ("notice_deadline", "Notice deadline"),
    ("options", "Options"), ("option_deadline", "Option deadline"), ("territory", "Territory"),
    ("exclusivity", "Exclusivity"), ("royalties", "Royalties"), ("advances", "Advances"),
    ("reversion_date", "Rights revert"), ("governing_law", "Governing law"), ("documents", "Documents"),
    ("last_change", "Last change"),
]
DATE_COLUMNS = {"agreement_date", "effective_date", "expiry", "notice_deadline", "option_deadline", "reversion_date"}


@dataclass
class Row:
    family: str
    cells: dict[str, str]  # column -> text
    dates: dict[str, str | None]  # date column -> ISO (sorting, filters, spreadsheet dates)
    terms: FamilyTerms

    def sort_key(self, column: str) -> tuple:
        if column in DATE_COLUMNS:
            iso = self.dates.get(column)
            return (iso is None, iso or "")
        return (not self.cells.get(column), (self.cells.get(column) or "").lower())


def _advances_text(term: Term) -> str:
    if not term.current:
        return NOT_STATED
    parts = []
    for e in term.current:
        date_note = f" ({e.doc.family_role} {F.human_date(e.date)})" if e.doc is not None and e.doc.family_role != F.AGREEMENT else ""
        parts.append(f"{e.value.text}{date_note}")
    amounts = [e.value.value for e in term.current if isinstance(e.value.value, dict)]
    currencies = {a.get("currency") for a in amounts}
    if len(term.current) > 1 and len(currencies) == 1:
        total = sum(a.get("amount") or 0 for a in amounts)
        parts.append(f"= {money_text({'amount': total, 'currency': currencies.pop()})} in total")
    return " ".join(parts)


def _status(ft: FamilyTerms) -> str:
    expiry = _entry(ft.terms, "expiry")
    current = _entry(ft.terms, "current_end")
    end = datecalc.parse_iso((current or expiry).value.value) if (current or expiry) else None
    if expiry and (expiry.value.basis or "").startswith("termination"):
        return "terminated" if end and end < ft.today else "terminating"
    if end is None:
        return "no end date stated"
    if end < ft.today:
        return "expired"
    renewal = _entry(ft.terms, "renewal")
    if renewal and (renewal.value.value or {}).get("stopped"):
        return "ending (not renewing)"
    if current is not None:
        return "renewed"
    return "active"


def register_row(ft: FamilyTerms) -> Row:
    t = ft.term
    expiry = t("current_end") if t("current_end").stated else t("expiry")
    parties = " · ".join(e.value.text for e in t("parties").current) or " · ".join(ft.root.parties) or NOT_STATED
    last = ft.members[-1] if len(ft.members) > 1 else None
    cells = {
        "agreement": ft.root.title, "file": ft.root.file_name,
        "type": (t("agreement_type").first().value or {}).get("kind", "") if t("agreement_type").stated else ft.root.kind,
        "parties": parties,
        "agreement_date": t("agreement_date").text(), "effective_date": t("effective_date").text(),
        "expiry": expiry.text(), "status": _status(ft), "renewal": t("renewal").text(),
        "renewal_notice": t("renewal_notice").text(), "notice_deadline": t("notice_deadline").text(),
        "options": t("options").text(), "option_deadline": t("option_deadline").text(),
        "territory": t("territory").text(), "exclusivity": t("exclusivity").text(), "royalties": t("royalties").text(),
        "advances": _advances_text(t("advances")), "reversion_date": t("reversion_date").text(),
        "governing_law": t("governing_law").text(), "documents": str(len(ft.members)),
        "last_change": f"{last.family_role} {F.human_date(F.document_date(last))}".strip() if last else "",
    }
    dates = {}
    for col in DATE_COLUMNS:
        term = expiry if col == "expiry" else t(col)
        v = term.first()
        dates[col] = v.value if v is not None and isinstance(v.value, str) and datecalc.parse_iso(v.value) else None
    return Row(ft.family, cells, dates, ft)


def parse_days(text: str | None) -> int | None:
    """"180d", "180", "6m" (months as 30 days), "2w", "1y" -> days; None for None."""
    if text is None:
        return None
    m = re.fullmatch(r"\s*(\d+)\s*([dwmy]?)\s*", str(text).lower())
    if not m:
        raise ValueError(f"{text!r} is not a number of days (use 180d, 8w, 6m or 1y)")
    return int(m.group(1)) * {"": 1, "d": 1, "w": 7, "m": 30, "y": 365}[m.group(2)]


def _within(iso: str | None, today: date, days: int) -> bool:
    d = datecalc.parse_iso(iso)
    return d is not None and today <= d <= today + timedelta(days=days)


def register_rows(view, *, expiring_within: int | None = None, notice_due_within: int | None = None,
                  party: str | None = None, sort: str = "expiry", descending: bool = False,
                  today: date | None = None) -> list[Row]:
    """One row per agreement family ``view`` may see, filtered and sorted: ``expiring_within``
    N days (its current end is between today and today + N), ``notice_due_within`` N days (its
    notice deadline is), ``party`` (in its parties or title, any case)."""
    today = today or date.today()
    rows = [register_row(ft) for ft in all_family_terms(view, today)]
    if expiring_within is not None:
        rows = [r for r in rows if _within(r.dates.get("expiry"), today, expiring_within)]
    if notice_due_within is not None:
        rows = [r for r in rows if _within(r.dates.get("notice_deadline"), today, notice_due_within)]
    if party:
        low = party.lower()
        rows = [r for r in rows if low in r.cells["parties"].lower() or low in r.cells["agreement"].lower()
                or any(low in p.lower() for p in r.terms.root.parties)]
    if sort not in dict(COLUMNS):
        raise ValueError(f"cannot sort by {sort!r}; choose one of {', '.join(c for c, _ in COLUMNS)}")
    return sorted(rows, key=lambda r: r.sort_key(sort), reverse=descending)


@dataclass
class Deadline:
    date: str  # ISO
    what: str  # "term ends", "notice deadline", "option deadline", "rights revert"
    row: Row
    basis: str = ""


def deadlines(view, within: int = 90, today: date | None = None) -> list[Deadline]:
    """Expiries, notice and option deadlines and reversions falling within ``within`` days of
    ``today``, soonest first."""
    today = today or date.today()
    out = []
    for row in register_rows(view, today=today):
        for col, what in (("expiry", "term ends"), ("notice_deadline", "notice deadline (stop renewal)"),
                          ("option_deadline", "option deadline"), ("reversion_date", "rights revert")):
            iso = row.dates.get(col)
            if _within(iso, today, within):
                term = row.terms.term("current_end" if col == "expiry" and row.terms.term("current_end").stated else col)
                v = term.first()
                out.append(Deadline(iso, what, row, v.basis if v else ""))
    return sorted(out, key=lambda d: (d.date, d.row.cells["agreement"].lower()))
