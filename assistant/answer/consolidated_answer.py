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
from assistant.answer.rendering import quoted_pieces, rendered
from assistant.contracts.consolidated.apply import Change, Consolidated, CurrentClause
from assistant.contracts.consolidated.redline import RESTRICTED_NOTE, change_source
from assistant.contracts.consolidated.tree import is_within
from assistant.text.kinds import find_facts
from ingest.errors import UserError
from ingest.families import human_date
from ingest.metadata import find_dates
from ingest.model import DocumentRecord

MAX_QUOTE = 290  # the citation check reads quotes of up to 300 characters


def _clause_at(consolidated: Consolidated, position: int, end: int | None = None) -> list[CurrentClause]:
    """The agreement's clauses that hold ``position`` (or overlap ``position:end``), deepest
    first (its sub-clause, then the clause). A unit that starts on a heading ("ARTICLE V
    MARKETING Section 5.01 ...") overlaps the article and its section: the section counts."""
    end = position + 1 if end is None else max(end, position + 1)
    holding = [c for c in consolidated.clauses if 0 <= c.start < end and max(c.end, c.start + 1) > position]
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
    sel = candidate.sel
    position = _locate(consolidated.text, sel.unit_text, int(source.payload.get("start", 0)) + sel.start)
    if position < 0:
        return None
    span = len(" ".join(sel.unit_text.split()))
    fact = _locate(consolidated.text[position:position + 2 * span + 200], sel.fact_text, 0) if sel.fact_text else -1
    if fact >= 0:  # the clause that holds the value the answer states
        holding = _clause_at(consolidated, position + fact)
        if holding:
            return consolidated, holding
    holding = _clause_at(consolidated, position, position + span)
    # a unit cut after the next clause's number ("… after the Term. 12."): that clause only grazes it
    within = [c for c in holding if min(c.end, position + span) - max(c.start, position) >= MIN_OVERLAP]
    return consolidated, within or holding


MIN_OVERLAP = 15  # characters of a unit a clause must hold to be one the unit is from


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


# Change quotes are written with ``quoted_pieces``: “…” round each sentence, since a clause restated
# with its heading ("… as follows: "Section 4.02 Distribution Fee. Distributor shall …") holds a full
# stop, and the citation check cuts claims at full stops (one pair round it would leave half uncited).


def _role(change: Change, sources=(), number: int | None = None) -> str:
    """Which document made the change and when: "the amendment of 10 June 2023 [5]", "the side
    letter with effect from 1 July 2024" (a reader checking the deal needs the date as much as the
    words). The date is said only where a source of that document states it, and cited to it
    unless it is the source the change itself is cited to; else the document is named undated."""
    who = f"the {change.doc.role}" if change.doc.role and change.doc.role != "agreement" else "a later document"
    if not change.effective:
        return who
    stating = [s.number for s in sources if str(s.payload.get("doc_id")) == change.doc.doc_id
               and any(iso == change.effective for _a, _b, iso in find_dates(s.text))]
    if not stating:
        return who
    cite = "" if number in stating else f" [{stating[0]}]"
    return f"{who} {'with effect from' if change.op.effective else 'of'} {human_date(change.effective)}{cite}"


def _base_of(extracted: FamilyAnswer) -> Candidate | None:
    """The agreement's unit an answer is about: its own unit, or the one the changing document's
    unit was taken to supersede."""
    if extracted.current.doc.family_role == "agreement" and extracted.current.doc.doc_id:
        return extracted.current
    previous = extracted.previous
    if previous is not None and previous.doc.family_role == "agreement" and previous.doc.doc_id:
        return previous
    return None


def _acts_elsewhere(consolidated: Consolidated, unit: Candidate, clauses: list[CurrentClause]) -> bool:
    """Whether the changing document's unit is itself an operation the consolidation applied to
    a clause other than ``clauses``: then it does not change what those clauses say, whatever its
    words share with them (a side letter lowering the commission of clause 3.1 leaves clause 3.2's
    live-income rate as it was). A unit that is no operation ("a further advance of £15,000")
    says nothing of the kind and is left to stand."""
    refs = {c.ref for c in clauses}
    for c in consolidated.clauses:
        for ch in [*c.changes, *c.overrides]:
            if ch.doc.doc_id != unit.doc.doc_id:
                continue
            at = _locate(ch.doc.text, unit.sel.unit_text, ch.op.start)
            if at < 0 or not (ch.op.start - 5 <= at < max(ch.op.end, ch.op.start + 1)):
                continue
            return not any(c.ref == r or is_within(c.ref, r) or is_within(r, c.ref) for r in refs)
    return False


def current_clause_answer(service, question: str, extracted: FamilyAnswer, sources, full: dict[int, str],
                          docs: dict[str, DocumentRecord]) -> FamilyAnswer | None:
    """The answer from the chosen clause's current wording, or None when the answer already
    states it (the clause is unchanged, or the answer comes from the document that changed it
    last), the question asks for the original, or the change cannot be cited.

    An answer taken from a changing document is checked against the consolidation too: when a
    later document changed the same clause again ("the reference in paragraph 1 of the First
    Letter to '17.5%' shall be read as '15%'") the answer is the later wording; when the changing
    document is known to act on other clauses only, the agreement's clause stands."""
    if PAST.search(question) and not MODIFIER_WORDS.search(question):
        return None
    base = _base_of(extracted)
    if base is None:
        return None
    found = _clauses_of(service, base, sources)
    if found is None or not found[0].documents:
        return None
    from_change = extracted.current is not base
    changed = next((c for c in found[1] if c.status != "unchanged"), None)
    if changed is None:
        if from_change and found[1] and _acts_elsewhere(found[0], extracted.current, found[1]):
            text = rendered(base.sel).text
            if check_answer(text, full).ok:
                return FamilyAnswer(text, [(base.sel.number, text)], base, None)
        return None
    change = changed.overrides[-1] if changed.overrides and (not changed.changes or
                                                             changed.overrides[-1].effective >= changed.changes[-1].effective) \
        else (changed.changes[-1] if changed.changes else None)
    if change is None:
        return None
    if from_change and change.doc.doc_id == extracted.current.doc.doc_id:
        return _with_between(extracted, changed, change, sources, full)
    number = _covering_source(change, sources)
    if number is None:
        return None
    if change.op.kind == "override" or change is not changed.changes[-1]:
        said = _quote(change.doc.text[change.op.start:change.op.end])
    else:
        start, end = changed.last_words()
        said = _quote(change.doc.text[start:end])
    new_words = change.after if change.op.kind in ("replace", "insert") else change.op.new
    facts = [f.text for f in find_facts(new_words) if f.kind == base.sel.kind] if new_words else []
    value = f" {facts[0]}," if facts and facts[0] in full.get(number, "") else ""
    if change.op.kind == "delete":
        named = re.search(rf"(?<![\d.]){re.escape(changed.ref)}(?![\d.]\d)", full.get(number, ""))  # "Article VII" names no "7.01"
        first = (f"{f'Clause {changed.ref}' if named else 'This clause'} no longer applies: "
                 f"{_role(change, sources, number)} provides {quoted_pieces(said)} [{number}].")
    elif change.op.kind == "override":
        first = f"Now,{value} as {_role(change, sources, number)} provides, overriding the agreement: {quoted_pieces(said)} [{number}]."
    else:
        first = f"Now{value} as {_role(change, sources, number)} provides: {quoted_pieces(said)} [{number}]."
    second = "Before that, the original agreement said: " + rendered(base.sel).text
    between = _between(changed, change, sources)
    text = f"{first}\n\n{between[1]}\n\n{second}" if between else f"{first}\n\n{second}"
    if between and not check_answer(text, full).ok:
        between, text = None, f"{first}\n\n{second}"
    if not check_answer(text, full).ok:
        return None  # never an answer whose words are not in what it cites
    doc = docs.get(change.doc.doc_id) or base.doc
    sel = replace(base.sel, number=number, unit_text=said, fact_text=facts[0] if value else base.sel.fact_text,
                  start=0, end=len(said), fact_start=None, fact_end=None, lead_text="")
    cited = [(number, first), *([between] if between else []), (base.sel.number, second)]
    return FamilyAnswer(text, cited, Candidate(doc, sel), base)


def _with_between(extracted: FamilyAnswer, changed: CurrentClause, change: Change, sources,
                  full: dict[int, str]) -> FamilyAnswer | None:
    """The answer from the document that changed the clause last, with the value in force in
    between when an earlier document changed it too ("16% … Before that, Amendment No. 1 …
    18% … Before that, the original agreement said 20%"). None (the answer stands as it is)
    when there was no such change, the answer already says what came before it from another
    change document, or the line cannot be cited."""
    previous = extracted.previous
    if previous is None or previous.doc.family_role != "agreement" or "\n\n" not in extracted.text:
        return None
    between = _between(changed, change, sources)
    if between is None:
        return None
    first, rest = extracted.text.split("\n\n", 1)
    text = f"{first}\n\n{between[1]}\n\n{rest}"
    if not check_answer(text, full).ok:
        return None
    cited = [*extracted.cited[:1], between, *extracted.cited[1:]]
    return FamilyAnswer(text, cited, extracted.current, previous, extracted.added)


def _between(changed: CurrentClause, change: Change, sources) -> tuple[int, str] | None:
    """The change before the one that answers, when a clause was changed more than once (an
    amendment of an amendment, a fee changed twice): a reader checking the deal sees the value in
    force in between, cited to the passage that set it, not only the original. None when that
    passage is not among the sources (the answer then goes straight to the original)."""
    if not any(c is change for c in changed.changes):
        return None  # an override: it is said on its own, with no history of wordings
    # another document's change: one sentence replacing two phrases of the clause is two changes
    # of one document, and its first half is no value "in between"
    history = [c for c in changed.changes if c.doc.doc_id != change.doc.doc_id and c.effective <= change.effective]
    if not history:
        return None
    earlier = history[-1]
    number = _covering_source(earlier, sources)
    if number is None:
        return None
    said = _quote(earlier.doc.text[earlier.op.start:earlier.op.end])
    return number, f"Before that, {_role(earlier, sources, number)} provided: {quoted_pieces(said)} [{number}]."


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
