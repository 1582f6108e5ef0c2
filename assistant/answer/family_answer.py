"""Answers that respect a contract's family: the current position first, what it replaced after.

An amendment, side letter, option exercise or notice changes its agreement; a rights assistant
that states the agreement's original term after an amendment moved it is worse than none. So the
answer engine looks at the whole family on the question's subject: each member's best answer
unit (assistant/answer/selection.py), in date order. A later member's unit wins when it *changes* the
subject (it deletes, replaces, extends, increases, ends ... or is itself a notice that ends or
extends the deal); the answer then states the current value, cited, and what it replaced, cited
to the earlier document. A later unit that only *adds* ("an additional advance of £20,000") does
not replace the earlier value: the best unit answers alone.

The rule works on text and the ledger's family links (ingest/families.py), never on a model, so
the embedded default and Ollama give the same current value.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from assistant.answer.rendering import rendered
from assistant.answer.selection import Selection
from assistant.text.changes import ADDITION, CHANGE, RECITES
from assistant.text.kinds import find_facts
from assistant.text.units import answer_units
from ingest.families import AGREEMENT, document_date
from ingest.metadata import find_dates
from ingest.model import DocumentRecord

# Past or original terms asked for: the question is about the deal as it was, not as it is now.
PAST = re.compile(r"\b(did|was|were|had|first(?!\s+(?:negotiation|refusal|look|matching|offer|option|album|single|record|release|"
                  r"exhibition|broadcast|publication|renewal|period|year|accounting|statement)\b)|original|originally|initial|"
                  r"previous|earlier|old|former|(?:19|20)\d\d)\b", re.I)  # "right of first negotiation", "first album": a thing, not the past
MODIFIER_WORDS = re.compile(r"\b(amendment|addend\w*|side letter|letter|notice|variation|extension|option|assignment|"
                            r"renewal|termination)\b", re.I)
NEAR_BEST = 0.85  # families whose best unit scores this share of the best compete on recency
CLAUSE_REF = re.compile(r"\b(?:(?:sub-?)?(?:clause|section|paragraph)|article)\s+(\d+(?:\.\d+)*)", re.I)
# Modifiers whose whole point is to change the deal's end or scope.
CHANGING_ROLES = {"non-renewal notice", "termination notice", "option exercise", "extension", "variation"}
FAMILY_MIN_SHARE = 0.6  # a member's unit must score this share of the best to be weighed at all


@dataclass
class Candidate:
    doc: DocumentRecord
    sel: Selection
    numbers: tuple[int, ...] = ()  # the document's source numbers (where a referenced clause may be)


@dataclass
class FamilyAnswer:
    text: str
    cited: list[tuple[int, str]]  # (source number, the claim that cites it)
    current: Candidate
    previous: Candidate | None = None
    added: Candidate | None = None  # a later document's sum paid on top of the current one

    @property
    def current_value(self) -> str:
        """The value the current document sets (what any answer must state)."""
        return current_fact(self.current.sel)


def current_fact(sel: Selection) -> str:
    """The value a changing unit sets: the last fact of the asked kind ("… '25%' are deleted and
    replaced with '28%'" sets 28%), else the selection's own fact."""
    facts = [f for f in find_facts(sel.unit_text) if f.kind == sel.kind]
    if len(facts) > 1 and CHANGE.search(sel.unit_text):
        if _INSTEAD.search(sel.unit_text[facts[-2].end:facts[-1].start]):
            return facts[-2].text  # "22% in place of 18%": the new value comes first
        return facts[-1].text
    return sel.fact_text


_INSTEAD = re.compile(r"\b(?:in\s+place\s+of|instead\s+of|in\s+lieu\s+of|rather\s+than)\b", re.I)


def _stating_current(c: Candidate) -> Candidate:
    """A changing document's unit answering alone ("… increasing the License Fee from $8,000 to
    $10,500"): its fact is the value it sets, not the first one it names."""
    sel = c.sel
    if c.doc.family_role == AGREEMENT or not CHANGE.search(sel.unit_text):
        return c
    fact = current_fact(sel)
    at = sel.unit_text.find(fact) if fact and fact != sel.fact_text else -1
    if at < 0:
        return c
    return replace(c, sel=replace(sel, fact_text=fact, fact_start=sel.start + at, fact_end=sel.start + at + len(fact)))


def _changes(c: Candidate, passages: dict[int, str] | None = None) -> bool:
    """Whether a modifier's unit changes what its agreement said (an operative clause that
    deletes, replaces, extends ...; a notice ending or extending the deal), not only adds to it.

    A sum a letter adds ("an extension fee of £30,000 ... This is in addition to the Fee already
    paid") changes nothing of the agreement, even in a letter whose point is a change: the
    agreement's own fee is still what was paid for the original period."""
    text = c.sel.full_text
    if c.sel.role != "operative" or RECITES.search(text):
        return False
    replaces = REPLACES.search(text)
    if adds_sum(c, passages):
        return False
    if c.doc.family_role in CHANGING_ROLES:
        return True
    return bool(CHANGE.search(text)) and not (ADDITION.search(text) and not replaces)


# "in addition to the Fee", "on top of the Advance", "additional to": the sum is added, not replaced
IN_ADDITION = re.compile(r"\bin\s+addition\s+to\b|\bon\s+top\s+of\b|\badditional\s+to\b", re.I)
# "in consideration of an additional fee of Five Thousand U.S. Dollars (": the words before a sum
# that make it one more payment, not a new value of an earlier one
ADDED_BEFORE = re.compile(r"\b(?:additional|further|extra|supplementary)\b(?:[^.;:\d]|(?<=\b[A-Z])\.){0,60}$", re.I)  # "U.S." is no sentence end
REPLACES = re.compile(r"delet|replac|substitut|in place of|instead of", re.I)
# The question asks for the added sum itself ("what additional fee …", "how much more …").
ASKS_ADDED = re.compile(r"\b(?:additional|extra|further|top-?up|more|increas\w*|supplement\w*)\b", re.I)


def adds_sum(c: Candidate, passages: dict[int, str] | None = None) -> bool:
    """Whether a later document's money fact is a sum paid on top of the agreement's (the price of
    a letter's changes, "an additional advance of £20,000", "this is in addition to the Fee") rather
    than a new value for it. A unit that also replaces words, or names a later sum the first one
    leads to ("increased by an additional £10,000 to £50,000"), changes the value."""
    sel = c.sel
    if sel.kind != "money" or c.doc.family_role == "agreement" or REPLACES.search(sel.full_text):
        return False
    text = " ".join(sel.full_text.split())
    fact = " ".join(sel.fact_text.split())
    at = text.find(fact) if fact else -1
    if at < 0:
        return False
    if any(f.kind == "money" for f in find_facts(text[at + len(fact):])):
        return False
    return bool(ADDED_BEFORE.search(text[max(0, at - 90):at]) or
                IN_ADDITION.search(sel.full_text + " " + _next_sentence(sel, passages)))


def with_added_sum(candidates: Sequence[Candidate], resolved: tuple[Candidate, Candidate | None],
                   passages: dict[int, str] | None, question: str) -> tuple[Candidate, Candidate | None, Candidate | None]:
    """(current, replaced, added): the agreement's own sum answers "what is the fee?" when the best
    unit is a letter's sum paid on top of it; the added sum is then said beside it, never instead.

    A question asking for the added sum ("what additional fee …", "under the letter agreement")
    keeps the letter's unit."""
    current, previous = resolved
    if previous is not None or ASKS_ADDED.search(question) or MODIFIER_WORDS.search(question):
        return current, previous, None
    root = _root(current.doc)
    family = [c for c in candidates if _root(c.doc) == root and c.sel.kind == "money"]
    if adds_sum(current, passages):
        base = [c for c in family if c.doc.family_role == "agreement"
                and c.sel.score >= FAMILY_MIN_SHARE * current.sel.score]
        if not base:
            return current, previous, None
        return max(base, key=lambda c: c.sel.score), None, current
    if current.doc.family_role != "agreement" or current.sel.kind != "money":
        return current, previous, None
    added = [c for c in family if c is not current and adds_sum(c, passages)
             and c.sel.score >= FAMILY_MIN_SHARE * current.sel.score]  # a change document of the answering agreement
    return current, previous, (max(added, key=lambda c: c.sel.score) if added else None)


def _next_sentence(sel: Selection, passages: dict[int, str] | None) -> str:
    """The sentence after the unit in its passage: where a letter says what a sum is "in addition to"."""
    text = (passages or {}).get(sel.number, "")
    if not text or sel.end >= len(text):
        return ""
    rest = text[sel.end: sel.end + 300]
    m = re.search(r"(?<=[.;])\s|\n\s*\n|\s\d{1,2}\.\s", rest[1:])
    return rest[: m.start() + 1] if m else rest


def _root(doc: DocumentRecord) -> str:
    return doc.family_of or doc.doc_id


def _order(c: Candidate) -> tuple:
    return (document_date(c.doc) or "", c.doc.family_role != "agreement", c.doc.ingested_at)


def referenced_clauses(current: Candidate, earlier: Sequence[Candidate], passages: dict[int, str]) -> Candidate | None:
    """The earlier unit a changing unit names ("In clause 7.2 of the Agreement the words …"):
    the unit labelled 7.2 in an earlier member's passages, holding the asked kind of fact (its
    last one, as a clause states the period before the end it sets)."""
    refs = CLAUSE_REF.findall(current.sel.full_text)
    if not refs:
        return None
    for c in reversed(earlier):
        for number, text in passages.items():
            if number not in c.numbers:
                continue
            for unit in answer_units(text):
                if unit.label.strip("().") in refs:
                    facts = [f for f in find_facts(unit.full_text) if f.kind == current.sel.kind]
                    if facts:
                        sel = replace(c.sel, number=number, unit_text=unit.text, start=unit.start, end=unit.end,
                                      fact_text=facts[-1].text, lead_text=unit.lead_text, label=unit.label, role=unit.role)
                        return Candidate(c.doc, sel, c.numbers)
    return None


def _same_subject(a: Selection, b: Selection) -> bool:
    """Whether two units speak of the same thing: they share a defined term or a content word of weight."""
    def words(t: str) -> set[str]:
        return {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z-]{3,}", t)} - _STOP
    return len(words(a.full_text) & words(b.full_text)) >= 2


_STOP = set("that this with from shall will have been such than then them they their there which where when "
            "upon under into each other party parties agreement company artist hereby following terms clause".split())


def resolve(candidates: Sequence[Candidate], passages: dict[int, str] | None = None,
            question: str | None = None) -> tuple[Candidate, Candidate | None] | None:
    """(current, replaced) among one question's best units per document; None when none.

    The family is that of the best-scoring unit; within it the latest member whose unit changes
    the subject is current, and the latest earlier member with another value is what it replaced."""
    if not candidates:
        return None
    years = set(re.findall(r"\b(?:19|20)\d\d\b", question or ""))
    dated = [c for c in candidates if years & {d[:4] for d in (c.doc.agreement_date, c.doc.effective_date) if d}]
    if dated:  # "under her 2021 agreement": that year's document, whatever else scores
        candidates = dated
    best = max(candidates, key=lambda c: c.sel.score)
    if question is not None and PAST.search(question) and not MODIFIER_WORDS.search(question):
        # "How much was the advance under the recording agreement?": the agreement's own term,
        # unless the question names the amendment or letter.
        originals = [c for c in candidates if c.doc.family_role == "agreement" and c.sel.score >= NEAR_BEST * best.sel.score]
        if originals and best.doc.family_role != "agreement" and not _changes(best, passages):
            best = max(originals, key=lambda c: c.sel.score)
    if question is not None and not PAST.search(question):
        # Two deals between the same parties (a 2018 one and its 2021 successor): unless the question
        # asks about the past, the current terms are the latest family's.
        near = [c for c in candidates if c.sel.score >= NEAR_BEST * best.sel.score]
        latest_of = {}
        for c in candidates:
            r = _root(c.doc)
            latest_of[r] = max(latest_of.get(r, ""), document_date(c.doc) or "")
        if len({_root(c.doc) for c in near}) > 1:
            best = max(near, key=lambda c: (latest_of[_root(c.doc)], c.sel.score))
    root = _root(best.doc)
    floor = FAMILY_MIN_SHARE * best.sel.score if best.sel.score > 0 else best.sel.score
    members = sorted((c for c in candidates if _root(c.doc) == root and c.sel.score >= floor), key=_order)
    if len(members) < 2:
        return best, None
    # A notice changes the deal by being sent, so any of its units counts as a change, but only a
    # unit that answers nearly as well as the best: not its signature block.
    changing = [m for m in members if m.doc.family_role != "agreement" and _changes(m, passages)
                and (CHANGE.search(m.sel.full_text) or m.sel.score >= NEAR_BEST * best.sel.score)]
    if not changing:
        return best, None
    latest = changing[-1]  # the last change wins; a later assignment that only recites it does not
    members = [m for m in members if _order(m) <= _order(latest)]
    named = referenced_clauses(latest, members[:-1], passages or {})
    if named is not None:
        refs = CLAUSE_REF.findall(latest.sel.full_text)
        own = next((m for m in reversed(members[:-1]) if m.doc.family_role == "agreement" and m.sel.label), None)
        label = own.sel.label.strip("().") if own is not None else ""
        if own is not None and own.sel.score > latest.sel.score and not any(
                label == r or label.startswith(r + ".") or r.startswith(label + ".") for r in refs):
            return own, None  # the change names clause 3.1; the question is answered by clause 3.2, which it leaves alone
        return latest, named
    value = " ".join(current_fact(latest.sel).lower().split())
    coverage = latest.sel.signals.get("coverage", 0.0)
    earlier = [c for c in members[:-1] if c.sel.kind == latest.sel.kind and _same_subject(c.sel, latest.sel)
               and c.sel.signals.get("coverage", 0.0) >= coverage
               and " ".join(current_fact(c.sel).lower().split()) not in value]
    return latest, (earlier[-1] if earlier else None)


def _role(doc: DocumentRecord) -> str:
    return "the original agreement" if doc.family_role == "agreement" else f"the {doc.family_role}"


def compose(current: Candidate, previous: Candidate | None, added: Candidate | None = None) -> FamilyAnswer:
    """The answer text: the current value with its source, then what it replaced with its own, or
    the sum a later document adds to it.

    Each claim holds only words of the passage it cites (the unit, its fact, and role words), so
    citation checks hold by construction."""
    if previous is None:
        current = _stating_current(current)
    now = rendered(current.sel)
    if previous is None:
        answer = FamilyAnswer(now.text, [(current.sel.number, now.text)], current)
        if added is not None:
            line = _added_line(added)
            answer = FamilyAnswer(f"{now.text}\n\n{line}", [*answer.cited, (added.sel.number, line)], current, None, added)
        return answer
    fact = " ".join(current_fact(current.sel).split())
    head = f"Now {fact}, as {_role(current.doc)} provides: " if fact else f"Now, as {_role(current.doc)} provides: "
    first = head + _quote(current.sel)
    before = rendered(previous.sel)
    second = f"Before that, {_role(previous.doc)} said: " + before.text
    return FamilyAnswer(f"{first}\n\n{second}", [(current.sel.number, first), (previous.sel.number, second)],
                        current, previous)


def _added_line(added: Candidate) -> str:
    """"In addition, the side letter provides US$5,000: “… an additional fee of … (US$5,000) …” [2]":
    the sentence holding the added sum, quoted."""
    sel = added.sel
    text = " ".join(sel.full_text.split())
    fact = " ".join(sel.fact_text.split())
    at = text.find(fact)
    pieces = [p for p in re.split(r"(?<=[.;:])(?<!\b[A-Z]\.)\s+", text) if fact in p] if at >= 0 else []
    sentence = pieces[0] if pieces else text
    if len(sentence) > 300:
        i = sentence.find(fact)
        sentence = sentence[max(0, i - 150): i + len(fact) + 100]
        sentence = sentence.split(" ", 1)[-1] if i > 150 else sentence
    focus = replace(sel, unit_text=sentence, lead_text="", start=0, end=len(sentence))
    return f"In addition, {_role(added.doc)} provides {fact}: " + _quote(focus)


def _quote(sel: Selection) -> str:
    text = rendered(sel).text
    # ``rendered`` leads with the fact ("31 December 2027 — “…” [1]"); the head already said it.
    if "“" in text:
        text = text[text.index("“"):]
    return text


# "When did Tidewell exercise its first option?", "When was the deal terminated?": the date of the
# family member that did it (its own date line), not a date inside a clause.
_EVENT_ASK = re.compile(r"^\s*(?:on\s+)?(?:what\s+date|when)\s+(?:did|was|were|has|have|had)\b", re.I)
_EVENT_ROLES: tuple[tuple[re.Pattern, tuple[str, ...]], ...] = (
    (re.compile(r"\bexercis\w*", re.I), ("option exercise",)),
    (re.compile(r"\bnot\s+to\s+renew\b|\bnon-?renewal\b|\bstop\w*\s+(?:it\s+|the\s+\w+\s+)?renew", re.I), ("non-renewal notice",)),
    (re.compile(r"\bterminat\w*|\bcancel\w*", re.I), ("termination notice",)),
    (re.compile(r"\bassign\w*|\bnovat\w*", re.I), ("assignment",)),
    (re.compile(r"\bamend\w*|\bvar(?:y|ied)\b", re.I), ("amendment", "addendum", "variation", "side letter")),
    (re.compile(r"\bextend\w*", re.I), ("extension", "option exercise")),
)


def event_answer(question: str, members: Sequence[DocumentRecord], sources: Sequence[tuple[int, str, str]]) -> FamilyAnswer | None:
    """The answer to "when did <a family member's act> happen", from that member's own date line.

    ``members``: the answering family in date order; ``sources``: (number, doc id, passage text).
    None unless the question asks when an act happened, one member is that act and a passage of
    it shows its date: then no clause inside any document can answer better."""
    if not _EVENT_ASK.search(question):
        return None
    roles = next((r for pattern, r in _EVENT_ROLES if pattern.search(question)), None)
    acts = [d for d in members if d.family_role in (roles or ())]
    if not acts or not acts[0].effective_date:
        return None
    second = re.search(r"\b(?:second|2nd|later|last|latest)\b", question, re.I)
    doc = acts[-1] if second or len(acts) == 1 else acts[0]
    for number, doc_id, text in sources:
        if doc_id != doc.doc_id:
            continue
        for start, end, value in find_dates(text[:2000]):
            if value != doc.effective_date:
                continue
            # passages here are defanged (whitespace collapsed): the unit is "Date: 10 March 2023"
            label = re.search(r"\b(?:Date|Dated)\s*:?\s*$", text[max(0, start - 20):start])
            line_start = start - len(label.group(0)) if label else start
            line_end = end
            sel = Selection(number=number, unit_text=text[line_start:line_end], start=line_start, end=line_end,
                            fact_text=text[start:end], kind="date", score=1.0,
                            signals={"event": doc.family_role}, fact_start=start, fact_end=end, role="operative",
                            unit_kind="line")
            return compose(Candidate(doc, sel, (number,)), None)
    return None
