"""Answers from the current text of a clause: when the unit chosen from an agreement sits in a
clause that a later document replaced, amended, deleted or overrode, the answer says what the
clause says now, cited to the passage of the document that changed it, and what it said before,
cited to the agreement.

This works for any wording the consolidation reads (assistant/contracts/consolidated): "Clause 3.1
is deleted and replaced by ...", "In clause 6.1, 'A' is replaced by 'B'", "Notwithstanding clause
3.1 ...", whatever kind of fact the question asks for, because it follows the clause, not the
fact. A question about the original ("what was the original advance?") keeps the original.
"""

from __future__ import annotations

import re
from dataclasses import replace

from assistant.answer.citations import check_answer
from assistant.answer.family_answer import MODIFIER_WORDS, PAST, Candidate, FamilyAnswer
from assistant.answer.rendering import rendered
from assistant.contracts.consolidated.apply import Change, Consolidated, CurrentClause
from assistant.contracts.consolidated.redline import RESTRICTED_NOTE, change_source
from assistant.text.kinds import find_facts
from ingest.errors import UserError
from ingest.model import DocumentRecord

MAX_QUOTE = 290  # the citation check reads quotes of up to 300 characters


def _clause_at(consolidated: Consolidated, position: int) -> list[CurrentClause]:
    """The agreement's clauses that hold ``position``, deepest first (its sub-clause, then the clause)."""
    holding = [c for c in consolidated.clauses if 0 <= c.start <= position < max(c.end, c.start + 1)]
    return sorted(holding, key=lambda c: -c.start)


def _locate(text: str, unit: str, near: int) -> int:
    """Where the chosen unit sits in the agreement's text (its passage's offset is only a start)."""
    head = " ".join(unit.split())[:60]
    if not head:
        return -1
    pattern = r"\s+".join(re.escape(w) for w in head.split())
    found = [m.start() for m in re.finditer(pattern, text)]
    return min(found, key=lambda p: abs(p - near)) if found else -1


def _clauses_of(service, candidate: Candidate, sources) -> tuple[Consolidated, list[CurrentClause]] | None:
    """The agreement's consolidation and the clauses holding the candidate's unit (deepest first);
    None when there is none to read (a member's file moved or unreadable since ingest: the answer
    then comes from the passages as stored) or the unit is not found in it."""
    try:
        consolidated = service.consolidated(candidate.doc.doc_id)
    except UserError:
        return None
    source = next((s for s in sources if s.number == candidate.sel.number), None)
    if consolidated is None or source is None:
        return None
    position = _locate(consolidated.text, candidate.sel.unit_text, int(source.payload.get("start", 0)) + candidate.sel.start)
    return (consolidated, _clause_at(consolidated, position)) if position >= 0 else None


def _covering_source(change: Change, sources) -> int | None:
    """The number of a source passage of the changing document that holds the change's words."""
    for s in sources:
        p = s.payload
        if str(p.get("doc_id")) == change.doc.doc_id and int(p.get("start", -1)) <= change.op.start < int(p.get("end", -1)):
            return s.number
    return None


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_QUOTE else text[: MAX_QUOTE - 1].rsplit(" ", 1)[0] + " …"


def _role(change: Change) -> str:
    return f"the {change.doc.role}" if change.doc.role and change.doc.role != "agreement" else "a later document"


def current_clause_answer(service, question: str, extracted: FamilyAnswer, sources, full: dict[int, str],
                          docs: dict[str, DocumentRecord]) -> FamilyAnswer | None:
    """The answer from the chosen clause's current wording, or None when the clause is unchanged,
    the answer already comes from the changing document, the question asks for the original, or
    the change cannot be cited."""
    current = extracted.current
    if current.doc.family_role != "agreement" or not current.doc.doc_id:
        return None
    if PAST.search(question) and not MODIFIER_WORDS.search(question):
        return None
    found = _clauses_of(service, current, sources)
    if found is None or not found[0].documents:
        return None
    changed = next((c for c in found[1] if c.status != "unchanged"), None)
    if changed is None:
        return None
    change = changed.overrides[-1] if changed.overrides and (not changed.changes or
                                                             changed.overrides[-1].effective >= changed.changes[-1].effective) \
        else (changed.changes[-1] if changed.changes else None)
    if change is None:
        return None
    number = _covering_source(change, sources)
    if number is None:
        return None
    if change.op.kind == "override" or change is not changed.changes[-1]:
        said = _quote(change.doc.text[change.op.start:change.op.end])
    else:
        start, end = changed.last_words()
        said = _quote(change.doc.text[start:end])
    new_words = change.after if change.op.kind in ("replace", "insert") else change.op.new
    facts = [f.text for f in find_facts(new_words) if f.kind == current.sel.kind] if new_words else []
    value = f" {facts[0]}," if facts and facts[0] in full.get(number, "") else ""
    if change.op.kind == "delete":
        first = f"Clause {changed.ref} no longer applies: {_role(change)} provides “{said}” [{number}]."
    elif change.op.kind == "override":
        first = f"Now,{value} as {_role(change)} provides, overriding the agreement: “{said}” [{number}]."
    else:
        first = f"Now{value} as {_role(change)} provides: “{said}” [{number}]."
    second = "Before that, the original agreement said: " + rendered(current.sel).text
    text = f"{first}\n\n{second}"
    if not check_answer(text, full).ok:
        return None  # never an answer whose words are not in what it cites
    doc = docs.get(change.doc.doc_id) or current.doc
    sel = replace(current.sel, number=number, unit_text=said, fact_text=facts[0] if value else current.sel.fact_text,
                  start=0, end=len(said), fact_start=None, fact_end=None, lead_text="")
    return FamilyAnswer(text, [(number, first), (current.sel.number, second)], Candidate(doc, sel), current)


def _states_this_change(candidate, change) -> bool:
    """Whether the answer's unit is an unread change's own sentence (or holds it): the value that
    sentence sets is then what the answer states and quotes, though the clause could not be rewritten."""
    if change.op.kind != "unread" or candidate.doc.doc_id != change.doc.doc_id:
        return False  # a change read but not applicable (words not in the clause ...) is always said
    unit, said = " ".join(candidate.sel.unit_text.split()), " ".join(change.source_text.split())
    return bool(unit and said) and (unit in said or said in unit)


def change_notes(service, extracted: FamilyAnswer, sources) -> list[str]:
    """One line per change that touches the clause an answer comes from and that the answer could
    not take into account: a change that could not be applied (named, with its reason, since the
    viewer may see its document), and a change in a document the viewer may not see (only that one
    exists). Never an answer about a clause whose pending changes go unsaid."""
    answered_from = extracted.current  # the unit the answer states (a change document's, when it changed the value)
    candidate = extracted.current
    if candidate.doc.family_role != "agreement" and extracted.previous is not None:
        candidate = extracted.previous  # the agreement's clause the changing document replaced
    if candidate.doc.family_role != "agreement" or not candidate.doc.doc_id:
        return []
    found = _clauses_of(service, candidate, sources)
    if found is None or not (found[0].unapplied or found[0].restricted) or not found[1]:
        return []
    consolidated, clauses = found
    ref = clauses[-1].ref  # the clause (and with it every sub-clause) the answer sits in
    notes = []
    for u in consolidated.unapplied_for(ref):
        if _states_this_change(answered_from, u.change):
            continue  # the answer already gives the value this very sentence sets, quoting it
        notes.append(f"Note: {change_source(u.change)} changes clause {u.change.op.target}, but the change could not be "
                     f"applied ({u.reason}); read it before relying on this answer.")
    if consolidated.restricted_for(ref):
        notes.append("Note: " + RESTRICTED_NOTE.format(ref=ref) + ".")
    return notes
