"""The contract register: every agreement family's key terms, current values first.

Key terms are read from each contract at ingest (``assistant/contracts/terms.py``) and kept in the store
beside the ledger (collection ``<collection>_terms``: one vectorless point per document, keyed
by its id, with the file hash and rule version it was read with, so an unchanged file is never
read twice and new rules re-read every contract at the next ingest). Everything else happens
when the terms are shown, for whoever is looking:

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

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from assistant.contracts import dates as datecalc
from assistant.contracts.changes import apply_territory, change_targets, resolve_change
from assistant.contracts.model import KEYS, Clause, Value
from assistant.contracts.places import territory_text
from assistant.contracts.terms import TERMS_VERSION, extract_terms, values_of
from assistant.contracts.values import money_text
from ingest import families as F
from ingest.model import DocumentRecord, document_point_id
from ingest.pipeline import document_text

SUFFIX = "_terms"


# ---------------------------------------------------------------------------------------------
# Storage
# ---------------------------------------------------------------------------------------------
class TermsStore:
    """Stored key terms of each document, in the store's ``<collection>_terms`` table."""

    def __init__(self, store):
        self.store = store
        self.name = f"{store.chunks}{SUFFIX}"
        self.table = store.table(self.name)

    def exists(self) -> bool:
        return self.table.exists()

    def all(self, doc_ids: Iterable[str] | None = None) -> dict[str, dict]:
        """Stored records by document id (only ``doc_ids`` when given: a viewer's documents)."""
        wanted = set(doc_ids) if doc_ids is not None else None
        if wanted is not None and not wanted:
            return {}
        if wanted is not None and len(wanted) <= 256:
            found = self.table.get([document_point_id(d) for d in sorted(wanted)]).values()
        else:
            found = self.table.all().values()
        return {p["doc_id"]: p for p in found if p.get("doc_id") and (wanted is None or p["doc_id"] in wanted)}

    def put(self, doc: DocumentRecord, terms: dict, error: str = "") -> None:
        payload = {"doc_id": doc.doc_id, "file_sha256": doc.file_sha256, "version": TERMS_VERSION,
                   "family_role": doc.family_role, "terms": terms, "error": error}
        self.table.put(document_point_id(doc.doc_id), payload)

    def delete(self, doc_ids: Sequence[str]) -> None:
        if doc_ids:
            self.table.delete([document_point_id(d) for d in doc_ids])


def _fresh(record: dict | None, doc: DocumentRecord) -> bool:
    return bool(record) and record.get("file_sha256") == doc.file_sha256 and record.get("version") == TERMS_VERSION \
        and record.get("family_role") == doc.family_role


def refresh_terms(store) -> int:
    """Read the key terms of every complete contract whose stored terms are missing or stale
    (a new or changed file, new rules), and drop those of documents no longer in the ledger.
    Run by ``RightsService.ingest`` after each job, over the whole store. Returns how many
    documents were read."""
    whole = store.writer
    docs = whole.documents()
    terms = TermsStore(whole)
    have = terms.all()
    read = 0
    for doc in docs.values():
        if doc.state != "complete" or doc.doc_type != "contract" or _fresh(have.get(doc.doc_id), doc):
            continue
        try:
            text = document_text(Path(doc.file_path), store.settings.ocr)  # a scan's text from the OCR cache, same page cap
            found, error = extract_terms(doc.title, text, doc.family_role, doc.effective_date), ""
        except Exception as exc:  # noqa: BLE001 - a file gone or unreadable since its ingest: say so, keep going
            found, error = {}, f"{type(exc).__name__}: {str(exc)[:200]}"
        terms.put(doc, found, error)
        read += 1
    gone = [d for d in have if d not in docs]
    terms.delete(gone)
    return read


def stored_terms(view, doc_ids: Iterable[str] | None = None) -> dict[str, dict[str, list[dict]]]:
    """{doc_id: terms} for the documents ``view`` (a service or one user's view of it) may see."""
    visible = view.store.documents()
    ids = [d for d in (doc_ids if doc_ids is not None else visible) if d in visible]
    return {d: r.get("terms") or {} for d, r in TermsStore(view.store.writer).all(ids).items()}


# ---------------------------------------------------------------------------------------------
# Families
# ---------------------------------------------------------------------------------------------
@dataclass
class Entry:
    """One value as one family member states it (or as computed from such values)."""

    value: Value
    doc: DocumentRecord | None
    superseded: bool = False
    change: str = "original"  # original | changed | added | restated | computed

    @property
    def date(self) -> str | None:
        return F.document_date(self.doc) if self.doc is not None else None

    def as_dict(self) -> dict:
        v = self.value
        d = self.doc
        return {
            "text": v.text, "value": v.value, "kind": v.kind, "mode": v.mode, "slot": v.slot, "basis": v.basis,
            "fact": v.fact, "effective": v.effective, "change": self.change, "superseded": self.superseded,
            "doc_id": d.doc_id if d else None, "file_name": d.file_name if d else None,
            "document_role": d.family_role if d else None, "document_date": self.date,
            "clause": {"start": v.clause.start, "end": v.clause.end, "text": v.clause.text, "label": v.clause.label,
                       "heading": v.clause.heading, "ref": v.clause.ref} if v.clause else None,
        }


@dataclass
class Term:
    key: str
    current: list[Entry] = field(default_factory=list)
    history: list[Entry] = field(default_factory=list)

    @property
    def label(self) -> str:
        return KEYS.get(self.key) or COMPUTED.get(self.key, self.key)

    @property
    def stated(self) -> bool:
        return bool(self.current)

    def text(self) -> str:
        return "; ".join(e.value.text for e in self.current) if self.current else NOT_STATED

    def first(self) -> Value | None:
        return self.current[0].value if self.current else None

    def as_dict(self) -> dict:
        return {"key": self.key, "label": self.label, "status": self.status, "text": self.text(),
                "current": [e.as_dict() for e in self.current], "history": [e.as_dict() for e in self.history]}

    @property
    def status(self) -> str:
        if not self.current:
            return "not stated"
        return "computed" if all(e.value.kind == "computed" for e in self.current) else "stated"


NOT_STATED = "not stated"
COMPUTED = {
    "current_end": "Current period ends",
    "notice_deadline": "Notice deadline (to stop renewal)",
    "option_deadline": "Option deadline",
    "reversion_date": "Rights revert",
}


@dataclass
class FamilyTerms:
    root: DocumentRecord
    members: list[DocumentRecord]
    terms: dict[str, Term]
    today: date

    @property
    def family(self) -> str:
        return self.root.doc_id

    def term(self, key: str) -> Term:
        return self.terms.get(key) or Term(key)

    def changed(self) -> list[Term]:
        """Terms whose value a later document changed (their history holds a superseded value)."""
        return [t for t in self.terms.values() if any(e.superseded for e in t.history)]

    def as_dict(self) -> dict:
        return {
            "family": self.family, "agreement": {"doc_id": self.root.doc_id, "file_name": self.root.file_name,
                                                 "title": self.root.title},
            "as_of": self.today.isoformat(),
            "members": [{"doc_id": m.doc_id, "file_name": m.file_name, "role": m.family_role, "date": F.document_date(m)}
                        for m in self.members],
            "terms": {k: self.terms[k].as_dict() if k in self.terms else Term(k).as_dict() for k in [*KEYS, *COMPUTED]},
        }


def _assigned(members: list[DocumentRecord], stored: dict[str, dict]) -> dict[str, list[Value]]:
    """Per assignment deed: the parties values it changes (the assignor's place taken by the
    assignee, keeping the role the assignor had in the agreement)."""
    out: dict[str, list[Value]] = {}
    root = members[0]
    originals = values_of(stored.get(root.doc_id, {}), "parties")
    for m in members[1:]:
        if m.family_role != "assignment":
            continue
        parties = values_of(stored.get(m.doc_id, {}), "parties")
        assignor = next((p for p in parties if re.search(r"assignor|transferor", str(p.value.get("role")), re.I)), None)
        assignee = next((p for p in parties if re.search(r"assignee|transferee", str(p.value.get("role")), re.I)), None)
        if assignor is None or assignee is None:
            continue
        for o in originals:
            if F.same_party(o.value.get("name", ""), assignor.value.get("name", "")):
                role = o.value.get("role", "")
                name = assignee.value["name"]
                out.setdefault(m.doc_id, []).append(Value(
                    "parties", f"{name} ({role}, by assignment from {assignor.value['name']})",
                    {"name": name, "role": role, "assigned_from": assignor.value["name"]}, assignee.clause,
                    slot=o.slot, fact=assignee.fact))
    return out


def _by_clause(members: list[DocumentRecord], stored: dict[str, dict]) -> dict[str, list[Value]]:
    """Per changing document: the values its changes that name a clause of the agreement (or of
    an earlier change) give the terms stated in that clause ("The rate set out in clause 6.1 is
    increased to 24%": clause 6.1 states the streaming royalty, so the streaming royalty is now 24%)."""
    out: dict[str, list[Value]] = {}
    earlier: list[Value] = []
    for i, m in enumerate(members):
        own = [v for key in KEYS for v in values_of(stored.get(m.doc_id, {}), key)]
        if i > 0:
            for change in values_of(stored.get(m.doc_id, {}), "changes"):
                for target in change_targets(change, earlier):
                    v = resolve_change(change, target)
                    if v is not None and not any(o.key == v.key and o.slot == v.slot and o.value == v.value for o in own):
                        out.setdefault(m.doc_id, []).append(v)
        earlier += own + out.get(m.doc_id, [])
    return out


def family_terms(members: Sequence[DocumentRecord], stored: dict[str, dict], today: date | None = None) -> FamilyTerms:
    """The terms of one family (``members`` in date order, the agreement first), current values
    and history, plus the values computed as of ``today``. A changing document's values come from
    its own words and from the clauses of the agreement it names (``_by_clause``); a change that
    adds places to the territory or takes them out is applied to the territory before it."""
    today = today or date.today()
    members = list(members)
    root = members[0]
    assigned = _assigned(members, stored)
    by_clause = _by_clause(members, stored)
    terms: dict[str, Term] = {}
    for key in KEYS:
        state: dict[str, list[Entry]] = {}
        history: list[Entry] = []
        for m in members:
            if key == "parties" and m.family_role == "assignment":
                values = assigned.get(m.doc_id, [])
            elif key in ("parties", "agreement_type", "agreement_date", "effective_date", "governing_law") and m is not root:
                values = []  # a modifier's own parties and dates are about itself
            else:
                values = values_of(stored.get(m.doc_id, {}), key)
                named = [v for v in by_clause.get(m.doc_id, []) if v.key == key]
                if named:  # the clause it names says which slot: its own reading of the same words gives way
                    at = {(v.clause.start, v.clause.end) for v in named if v.clause}
                    values = [v for v in values if not v.clause or (v.clause.start, v.clause.end) not in at] + named
            for v in values:
                slot = v.slot or ""
                before = state.get(slot, [])
                if key == "expiry" and isinstance(v.value, dict) and v.value.get("extend_by"):
                    end = datecalc.parse_iso(before[-1].value.value) if before else None
                    by = datecalc.Duration.from_dict(v.value["extend_by"])
                    if end is None or by is None:
                        continue  # extended by a length from an end the family does not state as a date: not guessed
                    new = datecalc.after_end(end, by)
                    v = Value(v.key, F.human_date(new.isoformat()), new.isoformat(), v.clause, "computed", v.mode, v.slot,
                              f"{before[-1].value.text} extended by {by.text()}", v.fact, v.effective)
                if key == "territory" and isinstance(v.value, dict) and v.value.get("delta"):
                    if not before:
                        continue  # adds to or takes from a territory the family does not state: nothing to apply it to
                    merged = apply_territory(before[-1].value.value or {}, v.value)
                    v = Value(v.key, territory_text(merged), merged, v.clause, v.kind, v.mode, v.slot,
                              f"{before[-1].value.text}, {v.text}", v.fact, v.effective)
                entry = Entry(v, m)
                if v.mode == "add" and before:
                    entry.change = "added"
                    state[slot] = [*before, entry]
                elif before and all(b.value.value == v.value for b in before):
                    entry.change = "restated"  # a later document repeating the value changes nothing
                else:
                    if before:
                        entry.change = "changed"
                    state[slot] = [entry]
                history.append(entry)
        current = [e for slot in state for e in state[slot]]
        for e in history:
            e.superseded = e not in current and e.change != "restated"
        if current or history:
            terms[key] = Term(key, current, history)
    _compute(terms, root, today)
    return FamilyTerms(root, members, terms, today)


def _entry(terms: dict[str, Term], key: str) -> Entry | None:
    t = terms.get(key)
    return t.current[0] if t and t.current else None


def _computed(key: str, text: str, value: Any, basis: str, source: Entry) -> Entry:
    return Entry(Value(key, text, value, source.value.clause, kind="computed", basis=basis, fact=source.value.fact),
                 source.doc, change="computed")


def _compute(terms: dict[str, Term], root: DocumentRecord, today: date) -> None:
    """The values that depend on today and on several terms: the current period of a renewing
    deal, the notice deadline, the option deadline, the reversion date."""
    expiry = _entry(terms, "expiry")
    renewal = _entry(terms, "renewal")
    notice = _entry(terms, "renewal_notice")
    options = _entry(terms, "options")
    retention = _entry(terms, "retention")
    end = datecalc.parse_iso(expiry.value.value) if expiry else None
    terminated = bool(expiry and expiry.value.basis == "termination")
    rv = renewal.value.value if renewal else {}
    stopped = bool(rv.get("stopped"))
    period = datecalc.Duration.from_dict(rv.get("period")) if rv.get("automatic") and not stopped else None
    current_end = end
    if end is not None and period is not None and not terminated:
        now = datecalc.current_period(end, period, today)
        current_end = now.end
        if now.renewals:
            basis = (f"the term ended {F.human_date(end.isoformat())} and renews automatically for periods of "
                     f"{period.text()}: renewed {now.renewals} time{'s' if now.renewals != 1 else ''}")
            terms["current_end"] = Term("current_end", [_computed("current_end", F.human_date(now.end.isoformat()),
                                                                   now.end.isoformat(), basis, renewal)])
    if notice is not None and end is not None and not terminated:
        nd = datecalc.Duration.from_dict(notice.value.value.get("period"))
        if stopped:
            terms["notice_deadline"] = Term("notice_deadline", [_computed(
                "notice_deadline", "notice of non-renewal given", None,
                f"a notice of non-renewal dated {F.human_date(renewal.date)} stops the renewal", renewal)])
        elif nd is not None:
            dl = datecalc.notice_deadline(end, nd, period, today)
            basis = f"{nd.text()} before the end of the period ending {F.human_date(dl.period_end.isoformat())}"
            if dl.missed:
                basis += f" (the deadline for the current period, {F.human_date(dl.missed.isoformat())}, has passed)"
            terms["notice_deadline"] = Term("notice_deadline", [_computed(
                "notice_deadline", F.human_date(dl.date.isoformat()), dl.date.isoformat(), basis, notice)])
    if options is not None and current_end is not None and not terminated and not (options.value.value or {}).get("removed"):
        ov = options.value.value or {}
        od = datecalc.Duration.from_dict(ov.get("notice"))
        exercised = sum(1 for e in terms["options"].history if (e.value.value or {}).get("exercised"))
        root_options = next((e for e in terms["options"].history if (e.value.value or {}).get("count")), None)
        count = (root_options.value.value or {}).get("count") if root_options else None
        if root_options is not None:
            od = datecalc.Duration.from_dict((root_options.value.value or {}).get("notice"))
        if od is not None and (count is None or exercised < count) and current_end >= today:
            deadline = datecalc.before(current_end, od)
            which = ["first", "second", "third", "fourth", "fifth"][exercised] if exercised < 5 else f"#{exercised + 1}"
            basis = f"{od.text()} before the end of the current period ({F.human_date(current_end.isoformat())})"
            terms["option_deadline"] = Term("option_deadline", [_computed(
                "option_deadline", f"{F.human_date(deadline.isoformat())} ({which} option)", deadline.isoformat(), basis,
                root_options or options)])
    if retention is not None:
        rv2 = retention.value.value or {}
        rd = datecalc.Duration.from_dict(rv2.get("period"))
        if rv2.get("perpetual"):
            terms["reversion_date"] = Term("reversion_date", [_computed(
                "reversion_date", "never (rights kept for the life of copyright)", None, retention.value.text, retention)])
        elif rd is not None and current_end is not None and re.search(r"\b(?:term|agreement|licen[cs]e)\b", rv2.get("after", ""), re.I):
            last = datecalc.after_end(current_end, rd)
            revert = last + timedelta(days=1)
            basis = (f"{rd.text()} after the end of the term ({F.human_date(current_end.isoformat())}): the retention "
                     f"period ends {F.human_date(last.isoformat())}")
            if renewal is not None and period is not None and not stopped:
                basis += "; later if the term renews again"
            terms["reversion_date"] = Term("reversion_date", [_computed(
                "reversion_date", F.human_date(revert.isoformat()), revert.isoformat(), basis, retention)])


def all_family_terms(view, today: date | None = None) -> list[FamilyTerms]:
    """Every contract family ``view`` may see, with its terms (an unlinked modifier is left
    out: it changes an agreement the register does not hold)."""
    fams = view.families()
    ids = [m.doc_id for members in fams.values() for m in members]
    stored = stored_terms(view, ids)
    out = []
    for _root, members in fams.items():
        if members[0].family_role != F.AGREEMENT:
            continue
        out.append(family_terms(members, stored, today))
    return out


def terms_of(view, doc_id: str, today: date | None = None) -> FamilyTerms | None:
    """The terms of the family holding ``doc_id`` (any member), as ``view`` may see it."""
    members = view.family(doc_id)
    if not members:
        return None
    stored = stored_terms(view, [m.doc_id for m in members])
    return family_terms(members, stored, today)


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
    if expiry and expiry.value.basis == "termination":
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


# ---------------------------------------------------------------------------------------------
# Exports
# ---------------------------------------------------------------------------------------------
_FORMULA = re.compile(r"^[=+\-@\t\r]")


def safe_cell(text: str) -> str:
    """A cell value a spreadsheet shows as text, never runs: a leading = + - @ (a formula: a
    contract's words could be "=HYPERLINK(...)") gets an apostrophe in front."""
    text = str(text)
    return "'" + text if _FORMULA.match(text) else text


def export_csv(rows: Sequence[Row], path: Path) -> Path:
    """The register as CSV (UTF-8 with a byte-order mark, so spreadsheets read £ and é right)."""
    path = Path(path)
    with path.open("w", newline="", encoding="utf-8-sig") as fh:
        w = csv.writer(fh)
        w.writerow([label for _, label in COLUMNS])
        for r in rows:
            w.writerow([safe_cell(r.cells.get(c, "")) for c, _ in COLUMNS])
    return path


def export_xlsx(rows: Sequence[Row], path: Path, today: date | None = None) -> Path:
    """The register as an Excel workbook: one sheet "Register", dates as real dates (sortable
    and filterable in the spreadsheet), the header frozen with an auto-filter; a second sheet
    "Clauses" with the clause each value came from."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "Register"
    ws.append([label for _, label in COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in rows:
        line: list[Any] = []
        for c, _ in COLUMNS:
            iso = r.dates.get(c) if c in DATE_COLUMNS else None
            line.append(datecalc.parse_iso(iso) if iso else safe_cell(r.cells.get(c, "")))
        ws.append(line)
    for i, (c, _) in enumerate(COLUMNS, 1):
        if c in DATE_COLUMNS:
            for row in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                for cell in row:
                    if isinstance(cell.value, date):
                        cell.number_format = "yyyy-mm-dd"
        ws.column_dimensions[get_column_letter(i)].width = 14 if c in DATE_COLUMNS else 28
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    clauses = wb.create_sheet("Clauses")
    clauses.append(["Agreement", "Term", "Value", "Document", "Clause", "Words"])
    for cell in clauses[1]:
        cell.font = Font(bold=True)
    for r in rows:
        for _key, term in r.terms.terms.items():
            for e in term.current:
                c = e.value.clause
                clauses.append([safe_cell(r.cells["agreement"]), term.label, safe_cell(e.value.text),
                                safe_cell(e.doc.file_name if e.doc else ""), safe_cell(c.label if c else ""),
                                safe_cell(" ".join(c.text.split())[:2000] if c else "")])
    wb.save(path)
    return Path(path)


__all__ = ["TermsStore", "refresh_terms", "stored_terms", "family_terms", "all_family_terms", "terms_of",
           "register_rows", "deadlines", "export_csv", "export_xlsx", "parse_days", "COLUMNS", "Clause"]
