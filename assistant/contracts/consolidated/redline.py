"""The consolidated agreement written for people: every clause as it reads now, with the changes
marked ([-struck original-] {+inserted wording+}), the document and date of each change, the
"notwithstanding" sentences that prevail over a clause, and the changes that could not be
applied. Plain text; the CLI escapes it for the terminal and the chat renders it inert."""

from __future__ import annotations

import difflib
import re

from assistant.contracts.consolidated.apply import Change, Consolidated, CurrentClause
from assistant.contracts.consolidated.tree import is_within
from ingest.families import human_date

# What a viewer is told about a change document they may not see: that it exists for this clause,
# never its wording, date, parties or file name.
RESTRICTED_NOTE = "a document you may not see may change clause {ref}; ask its owner before relying on this clause"
# ... and for clauses the agreement does not have (a restricted document may insert them)
RESTRICTED_ADD_NOTE = "a document you may not see may add or change {clauses}; ask its owner before relying on them"


def restricted_add_note(refs: list[str]) -> str:
    """The note for clauses the agreement lacks that a restricted document acts on: "clause 19.4",
    "clauses 4.2 and 9.4"."""
    named = f"clause {refs[0]}" if len(refs) == 1 else f"clauses {', '.join(refs[:-1])} and {refs[-1]}"
    return RESTRICTED_ADD_NOTE.format(clauses=named)


def restricted_elsewhere(consolidated: Consolidated) -> list[str]:
    """Clauses a restricted document acts on that the agreement the viewer sees does not have."""
    return [r for r in consolidated.restricted if consolidated.clause(r) is None]


def restricted_on(consolidated: Consolidated, ref: str) -> str:
    """The clause a restricted document acts on that holds ``ref`` (the clause itself or one it is
    within), "" when none: the note goes on that clause and its sub-clauses, not on its heading."""
    return next((r for r in consolidated.restricted if is_within(ref, r)), "")


def word_ops(before: str, after: str) -> list[tuple[str, str]]:
    """The words of ``before`` and ``after`` as runs: ("same" | "del" | "ins", words), in reading order."""
    a, b = re.findall(r"\S+", before), re.findall(r"\S+", after)
    out: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag in ("delete", "replace"):
            out.append(("del", " ".join(a[i1:i2])))
        if tag in ("insert", "replace"):
            out.append(("ins", " ".join(b[j1:j2])))
        if tag == "equal":
            out.append(("same", " ".join(a[i1:i2])))
    return out


def word_diff(before: str, after: str) -> str:
    """``after`` with the words ``before`` had and it lacks struck ([-…-]) and its new words marked ({+…+})."""
    marks = {"del": "[-{}-]", "ins": "{{+{}+}}", "same": "{}"}
    return " ".join(marks[tag].format(words) for tag, words in word_ops(before, after))


KIND_WORDS = {"value": "value changed", "substitute": "words substituted", "unread": "change"}


def change_label(op) -> str:
    """How a change is named beside its clause: "replace", "value changed", "second sentence replaced"."""
    if op.sentence and op.kind in ("replace", "delete"):
        return f"{op.sentence} sentence {'replaced' if op.kind == 'replace' else 'deleted'}"
    return KIND_WORDS.get(op.kind, op.kind)


def change_source(change: Change) -> str:
    when = human_date(change.effective) if change.effective else "undated"
    effective = "with effect from " if change.op.effective else ""
    return f"{change.doc.file_name} ({change.doc.role or 'change'}, {effective}{when})"


def clause_lines(clause: CurrentClause) -> list[str]:
    status = clause.status
    if status == "unchanged":
        return [" ".join(clause.current.split())]
    lines = []
    if status == "deleted":
        lines.append(f"[-{' '.join(clause.original.split())}-]" if clause.original else f"[-{clause.ref}-]")
    elif status == "inserted":
        lines.append("{+" + " ".join(clause.current.split()) + "+}")
    else:
        lines.append(word_diff(clause.original, clause.current) if clause.original else " ".join(clause.current.split()))
    for change in clause.changes:
        if change.before or change.after:
            lines.append(f"    {change_label(change.op)} by {change_source(change)}")
    for o in clause.overrides:
        lines.append(f"    prevails over it: \"{o.op.new}\" ({change_source(o)})")
    return lines


def passage_notes(consolidated: Consolidated, start: int, end: int) -> list[str]:
    """What a passage of the agreement (a search hit) no longer says: one line per clause in it a
    later document changed, with that document and the clause's current wording. Search lists
    the words as ingested; these lines say where they are no longer the deal."""
    notes = []
    for clause in consolidated.changed_within(start, end):
        last = clause.overrides[-1] if clause.status == "overridden" else clause.changes[-1]
        current = " ".join(clause.current.split())
        if clause.status == "deleted":
            notes.append(f"clause {clause.ref} was deleted by {change_source(last)}")
        elif clause.status == "overridden":
            notes.append(f"clause {clause.ref} is overridden by {change_source(last)}: \"{last.op.new[:300]}\"")
        else:
            notes.append(f"clause {clause.ref} was {clause.status} by {change_source(last)}; it now reads: \"{current[:300]}\"")
    if consolidated.restricted and any(consolidated.restricted_for(c.ref) for c in consolidated.clauses
                                       if c.start >= 0 and c.start < end and c.end > start):
        notes.append("a document you may not see may change a clause of this passage; ask its owner before relying on it")
    return notes


def deal_change_lines(changes: list[dict]) -> list[str]:
    """``FamilyTerms.set_by_changes`` as lines: what the deal is now, by which document, what it was."""
    if not changes:
        return []
    lines = ["The deal now, as later documents set it:"]
    for c in changes:
        when = human_date(c["effective"] or c["date"]) if (c["effective"] or c["date"]) else "undated"
        since = f"with effect from {when}" if c["effective"] else when
        was = f"; was: {c['was']}" if c["was"] else ""
        basis = f" (worked out: {c['basis']})" if c["basis"] else ""
        lines.append(f"  - {c['label']}: {c['now']}{basis}, by {c['file_name']} ({c['role'] or 'change'}, {since}){was}. "
                     f"It says: \"{c['words'][:300]}\"")
    return lines


def redline(consolidated: Consolidated, changed_only: bool = False) -> str:
    """The whole agreement (or, with ``changed_only``, the changed clauses), then the unapplied changes."""
    lines: list[str] = []
    for clause in consolidated.clauses:
        restricted = restricted_on(consolidated, clause.ref)
        if changed_only and clause.status == "unchanged" and not restricted:
            continue
        lines += clause_lines(clause)
        if restricted:
            lines.append(f"    {RESTRICTED_NOTE.format(ref=restricted)}")
    missing = restricted_elsewhere(consolidated)
    if missing:
        lines += ["", restricted_add_note(missing)]
    if consolidated.unapplied:
        lines += ["", f"Not applied ({len(consolidated.unapplied)}): these changes could not be placed in the agreement; "
                      "read them before relying on it:"]
        for u in consolidated.unapplied:
            op = u.change.op
            where = f"clause {op.target}" if op.target else f"\"{op.thing or op.old}\""  # a defined term no clause defines
            lines.append(f"  - {KIND_WORDS.get(op.kind, op.kind)} of {where} in {change_source(u.change)}: {u.reason}. "
                         f"It says: \"{' '.join(u.change.source_text.split())[:300]}\"")
    return "\n".join(lines)
