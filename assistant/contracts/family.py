"""A family's current terms: the agreement and the documents that change it, in date order,
each value with the document and clause it came from (``family_terms``), and the values computed
as of today (the current renewal period, the notice deadline, the option deadline, the reversion
date). Families come from a service view, so a member the viewer may not see is never used.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from assistant.contracts import dates as datecalc
from assistant.contracts.changes import apply_territory, change_targets, resolve_change
from assistant.contracts.consolidated.apply import Consolidated
from assistant.contracts.model import KEYS, MODIFIER_KEYS, Clause, Value
from assistant.contracts.places import territory_text
from assistant.contracts.rules.money import FROM_SIGNING
from assistant.contracts.storage import stored_terms
from assistant.contracts.terms import extract_terms, values_of
from ingest import families as F
from ingest.errors import UserError
from ingest.model import DocumentRecord


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

    def set_by_changes(self) -> list[dict]:
        """The key terms a later document set, in the register's order: a termination, a notice of
        non-renewal, an option exercised (and the term end worked out from it), an assignment, and
        every value a letter or amendment changed. What the deal is now beyond its clauses' words,
        shown beside the consolidated agreement, so "no clause changed" never reads as "nothing
        changed"."""
        out = []
        for key in KEYS:
            term = self.terms.get(key)
            if term is None:
                continue
            for e in term.current:
                if e.doc is None or e.doc.family_role == F.AGREEMENT:
                    continue
                was = [h.value.text for h in term.history if h.superseded and h.value.slot == e.value.slot]
                out.append({"key": key, "label": term.label, "now": e.value.text, "was": "; ".join(dict.fromkeys(was)),
                            "basis": e.value.basis if e.value.kind == "computed" else "", "file_name": e.doc.file_name,
                            "role": e.doc.family_role, "date": e.date or "", "effective": e.value.effective,
                            "words": " ".join(e.value.clause.text.split()) if e.value.clause else ""})
        return out

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


def _by_consolidation(members: list[DocumentRecord], stored: dict[str, dict], consolidated: Consolidated | None) -> dict[str, list[Value]]:
    """Per changing document: the values the agreement's clauses state *now*, where that document
    replaced or amended the clause a value was read from (assistant/contracts/consolidated). The
    clause's current wording is read with the same rules, and the value is cited to the changing
    document's words, so "Clause 3.1 is deleted and replaced by: 'The Territory is the World
    excluding Japan.'" sets the territory whatever the key-term rules make of the amendment itself."""
    out: dict[str, list[Value]] = {}
    if consolidated is None or not consolidated.documents:
        return out
    root, visible = members[0], {m.doc_id for m in members}
    # a clause read alone ("for a period of five (5) years") counts from the agreement's start
    begins = next((v.value for key in ("effective_date", "agreement_date") for v in values_of(stored.get(root.doc_id, {}), key)
                   if isinstance(v.value, str)), None)
    for key in MODIFIER_KEYS:
        for v in values_of(stored.get(root.doc_id, {}), key):
            if v.clause is None:
                continue
            holding = sorted((c for c in consolidated.clauses if 0 <= c.start <= v.clause.start < c.end), key=lambda c: -c.start)
            changed = next((c for c in holding if c.status in ("replaced", "amended")), None)
            if changed is None or changed.changes[-1].doc.doc_id not in visible:
                continue
            change = changed.changes[-1]
            new = [n for n in values_of(extract_terms(root.title, changed.current, start=begins), key) if (n.slot or "") == (v.slot or "")]
            for n in new[:1]:
                start, end = changed.last_words()
                words = change.doc.text[start:end]
                n.clause = Clause(start, end, words, changed.ref, changed.heading, changed.ref)
                n.fact = n.fact if n.fact and n.fact in words else ""
                n.effective = change.op.effective
                out.setdefault(change.doc.doc_id, []).append(n)
    return out


def family_terms(members: Sequence[DocumentRecord], stored: dict[str, dict], today: date | None = None,
                 consolidated: Consolidated | None = None) -> FamilyTerms:
    """The terms of one family (``members`` in date order, the agreement first), current values
    and history, plus the values computed as of ``today``. A changing document's values come from
    its own words and from the clauses of the agreement it names (``_by_clause``); a change that
    adds places to the territory or takes them out is applied to the territory before it."""
    today = today or date.today()
    members = list(members)
    root = members[0]
    assigned = _assigned(members, stored)
    by_clause = _by_clause(members, stored)
    for doc_id, values in _by_consolidation(members, stored, consolidated).items():
        # the clause as the operations left it is the surer reading: it replaces what the changing
        # document's words were taken to set for the same term ("the reference to '17.5%' shall be read as '15%'")
        mine = [o for o in by_clause.get(doc_id, []) if not any(o.key == v.key and o.slot == v.slot for v in values)]
        by_clause[doc_id] = mine + values
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
    _withdraw_deleted(terms, members, consolidated)
    _compute(terms, root, today)
    return FamilyTerms(root, members, terms, today)


def _withdraw_deleted(terms: dict[str, Term], members: Sequence[DocumentRecord], consolidated: Consolidated | None) -> None:
    """A value the agreement states in a clause a later document deleted is no longer current:
    it stays in the history, superseded by the deletion (cited to the deleting words)."""
    if consolidated is None or not consolidated.documents:
        return
    root, visible = members[0], {m.doc_id: m for m in members}
    for term in terms.values():
        for entry in list(term.current):
            clause = entry.value.clause
            if entry.doc is not root or clause is None:
                continue
            gone = next((c for c in consolidated.clauses if c.status == "deleted" and 0 <= c.start <= clause.start < c.end), None)
            if gone is None or gone.changes[-1].doc.doc_id not in visible:
                continue
            change = gone.changes[-1]
            term.current.remove(entry)
            entry.superseded = True
            words = Clause(change.op.start, change.op.end, change.source_text, gone.ref, gone.heading, gone.ref)
            term.history.append(Entry(Value(term.key, f"clause {gone.ref} deleted", None, words, effective=change.op.effective),
                                      visible[change.doc.doc_id], change="changed"))


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
    terminated = bool(expiry and (expiry.value.basis or "").startswith("termination"))
    if end is not None and options is not None and not terminated:
        end = _extended_by_options(terms, expiry, end) or end
        expiry = _entry(terms, "expiry")
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
        elif rd is not None and FROM_SIGNING.search(f"from the {rv2.get('after', '')}") and (
                start := datecalc.parse_iso(_signed(terms, root))) is not None:
            # "fifteen (15) years from the date of this agreement": counted from signing, whatever the term
            last = datecalc.after_end(start - timedelta(days=1), rd)
            revert = last + timedelta(days=1)
            basis = (f"{rd.text()} from {F.human_date(start.isoformat())}: the retention period ends "
                     f"{F.human_date(last.isoformat())}")
            terms["reversion_date"] = Term("reversion_date", [_computed(
                "reversion_date", F.human_date(revert.isoformat()), revert.isoformat(), basis, retention)])


def _signed(terms: dict[str, Term], root: DocumentRecord) -> str | None:
    """The date a retention "from the date of this agreement" counts from: the effective date the
    key terms read, else the agreement's own date."""
    effective = _entry(terms, "effective_date")
    if effective is not None and isinstance(effective.value.value, str):
        return effective.value.value
    return root.agreement_date


def _extended_by_options(terms: dict[str, Term], expiry: Entry, end: date) -> date | None:
    """The end of the term once the options exercised are counted, where no document states it:
    "We exercise the first option under clause 3.2" extends the term by the Option Period the
    agreement gives (each option exercised, one period). The stated end it replaces stays in the
    history, superseded. None when nothing was exercised, the agreement gives no period, or a
    document states the new end itself (the exercise notice, or a later one)."""
    history = terms["options"].history
    exercises = [e for e in history if (e.value.value or {}).get("exercised")]
    root_options = next((e for e in history if (e.value.value or {}).get("count") or (e.value.value or {}).get("period")), None)
    if not exercises or root_options is None:
        return None
    period = datecalc.Duration.from_dict((root_options.value.value or {}).get("period"))
    count = (root_options.value.value or {}).get("count")
    last = exercises[-1]
    if period is None or period.unit not in ("month", "year"):
        return None
    if expiry.doc is not None and expiry.doc.family_role != F.AGREEMENT and (expiry.date or "") >= (last.date or ""):
        return None  # the exercise (or a later document) states the new end: it is read, not computed
    n = min(len(exercises), count) if count else len(exercises)
    new_end = end
    for _ in range(n):
        new_end = datecalc.after_end(new_end, period)
    which = ", ".join(e.value.text for e in exercises[:n])
    basis = (f"{which} ({F.human_date(last.date)}): the term ran to {F.human_date(end.isoformat())} and each option "
             f"extends it by {period.text()} ({root_options.value.text})")
    for e in terms["expiry"].current:
        e.superseded = True
    entry = _computed("expiry", F.human_date(new_end.isoformat()), new_end.isoformat(), basis, last)
    entry.change = "changed"
    terms["expiry"].current = [entry]
    terms["expiry"].history.append(entry)
    return new_end


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
        out.append(family_terms(members, stored, today, _consolidated(view, members)))
    return out


def _consolidated(view, members: Sequence[DocumentRecord]) -> Consolidated | None:
    """The family's consolidated agreement as ``view`` sees it, when a member changes it; None
    when there is nothing to apply or a member's file cannot be read now (terms stay as stored)."""
    if len(members) < 2 or not hasattr(view, "consolidated"):
        return None
    try:
        return view.consolidated(members[0].doc_id)
    except UserError:
        return None


def terms_of(view, doc_id: str, today: date | None = None) -> FamilyTerms | None:
    """The terms of the family holding ``doc_id`` (any member), as ``view`` may see it."""
    members = view.family(doc_id)
    if not members:
        return None
    stored = stored_terms(view, [m.doc_id for m in members])
    return family_terms(members, stored, today, _consolidated(view, members))
