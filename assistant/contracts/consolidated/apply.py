"""Operations applied to an agreement's clauses, in effective-date order: the consolidated agreement.

Each clause ends with its current wording, the original, its status (unchanged, replaced,
amended, deleted, inserted, overridden) and every change that made it, with the document, date
and span. An operation that cannot be applied is kept as unapplied with the reason (the clause
is not in the agreement; the words are not in the clause, or in it more than once without
"wherever it appears"; the clause to insert already exists), so nothing a document says is lost.

Later wins: two amendments of one clause apply in date order, and an amendment of an amendment
(words changed in a clause an earlier document inserted or replaced) finds the earlier wording.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import timedelta

from assistant.contracts import dates as datecalc
from assistant.contracts.consolidated.operations import NTH_INDEX, VALUE_KINDS, Operation, operations
from assistant.contracts.consolidated.tree import clause_tree, is_within
from assistant.contracts.values import parse_duration, parse_money
from assistant.text.kinds import find_facts
from assistant.text.units import split_sentences
from ingest.families import human_date
from ingest.metadata import find_dates


@dataclass
class ChangeDocument:
    """A member of the family that may change the agreement (as the caller may see it)."""

    doc_id: str
    file_name: str
    date: str  # ISO; "" when the document states none
    text: str
    role: str = ""  # amendment, side letter, notice ... (ingest/families.py)


@dataclass
class Change:
    op: Operation
    doc: ChangeDocument
    before: str = ""  # the clause's wording just before this change ("" for an insert)
    after: str = ""  # its wording after ("" for a delete)

    @property
    def effective(self) -> str:
        return self.op.effective or self.doc.date

    @property
    def source_text(self) -> str:
        return self.doc.text[self.op.start:self.op.end]

    def as_dict(self) -> dict:
        return {"op": self.op.as_dict(), "doc_id": self.doc.doc_id, "file_name": self.doc.file_name, "date": self.doc.date,
                "effective": self.effective, "before": self.before, "after": self.after}


JOINED = 40  # characters between two changes of one document that make them one passage to quote


@dataclass
class CurrentClause:
    ref: str
    heading: str
    original: str  # the base agreement's wording ("" for an inserted clause)
    current: str  # the wording now ("" once deleted)
    start: int = -1  # span of the original in the agreement (-1 for an inserted clause)
    end: int = -1
    changes: list[Change] = field(default_factory=list)
    overrides: list[Change] = field(default_factory=list)  # "notwithstanding" sentences that prevail

    @property
    def status(self) -> str:
        if not self.changes:
            return "overridden" if self.overrides else "unchanged"
        if not self.current:
            return "deleted"
        if not self.original:
            return "inserted"
        last = self.changes[-1].op
        return "replaced" if last.kind == "replace" and not last.sentence else "amended"

    def last_words(self) -> tuple[int, int]:
        """The span, in the document of the last change (``changes[-1].doc``), of the words that
        changed this clause last: several changes joined in one sentence ("adding 'and Mexico' after
        'Canada' and deleting 'and' before 'Canada'") are quoted together, never the last fragment
        alone. Only for a clause that has changes."""
        last = self.changes[-1]
        start, end = last.op.start, last.op.end
        for c in reversed(self.changes[:-1]):
            if c.doc is not last.doc or c.op.end > start or start - c.op.end > JOINED:
                break
            start = c.op.start
        return start, end

    def as_dict(self) -> dict:
        return {"ref": self.ref, "heading": self.heading, "status": self.status, "original": self.original,
                "current": self.current, "start": self.start, "end": self.end,
                "changes": [c.as_dict() for c in self.changes], "overrides": [c.as_dict() for c in self.overrides]}


@dataclass
class Unapplied:
    change: Change
    reason: str

    def as_dict(self) -> dict:
        return {**self.change.as_dict(), "reason": self.reason, "words": self.change.source_text}


@dataclass
class Consolidated:
    clauses: list[CurrentClause]
    unapplied: list[Unapplied]
    documents: list[ChangeDocument]
    text: str = ""  # the agreement's text, which the clauses' spans point into
    # clauses a document this viewer may not see acts on: only the clause number is kept, never
    # that document's wording, date, parties or file name (RightsService.consolidated)
    restricted: list[str] = field(default_factory=list)

    def clause(self, ref: str) -> CurrentClause | None:
        return next((c for c in self.clauses if c.ref == ref), None)

    @property
    def changed(self) -> list[CurrentClause]:
        return [c for c in self.clauses if c.status != "unchanged"]

    def restricted_for(self, ref: str) -> bool:
        """Whether a document this viewer may not see acts on ``ref``, a clause within it or one it is within."""
        return any(is_within(r, ref) or is_within(ref, r) for r in self.restricted)

    def changed_within(self, start: int, end: int) -> list[CurrentClause]:
        """The changed clauses whose original wording overlaps [start, end) of the agreement's text
        (a search hit's span), deepest last; a clause is left out when a sub-clause of it is listed."""
        return _deepest([c for c in self.clauses if c.status != "unchanged" and c.start >= 0 and c.start < end and c.end > start])

    def unapplied_for(self, ref: str) -> list[Unapplied]:
        """Unapplied changes that name ``ref``, a clause within it or a clause it is within."""
        return [u for u in self.unapplied if is_within(u.change.op.target, ref) or is_within(ref, u.change.op.target)]

    def as_dict(self) -> dict:
        return {"clauses": [c.as_dict() for c in self.clauses], "unapplied": [u.as_dict() for u in self.unapplied],
                "restricted_clauses": list(self.restricted),
                "documents": [{"doc_id": d.doc_id, "file_name": d.file_name, "date": d.date, "role": d.role} for d in self.documents]}


def _label(clause: CurrentClause) -> str:
    """The number a clause's wording starts with ("2.1 ", "(a) "), kept when it is replaced."""
    m = re.match(r"\s*((?:(?:clause|section|article|paragraph|item)\s+)?\d{1,3}(?:\.\d{1,3})*\.?|\([a-z]{1,2}\))\s+", clause.original or clause.current, re.I)
    return m.group(0).lstrip() if m else ""


def _with_label(label: str, wording: str) -> str:
    """The new wording with the clause's number in front, unless it starts with it ("Section 8.03 ...")."""
    bare = re.sub(r"^(?:clause|section|article|paragraph)\s+", "", wording.lstrip(), flags=re.I).lower()
    number = re.sub(r"^(?:clause|section|article|paragraph)\s+", "", label.strip(), flags=re.I).lower().rstrip(".")
    return wording if not label or bare.startswith(number) else label + wording


def _sort_key(ref: str) -> tuple:
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.findall(r"\d+|[a-z]+", ref))


def _words(old: str) -> re.Pattern:
    """The quoted words as they may sit in the clause: any spacing, any quote marks."""
    tokens = [re.escape(t) for t in old.split()]
    pattern = r"\s+".join(tokens)
    pattern = pattern.replace("\\'", "['’]").replace("’", "['’]").replace('\\"', "[\"“”]")
    return re.compile(pattern, re.I)


def definition_span(text: str, term: str) -> tuple[int, int] | None:
    """Where ``text`` defines ``term``: from the quoted term ('"Territory" means ...') to the end of
    the definition (its semicolon or full stop at a line's end, else its line); None if it does not."""
    m = re.compile(r"[\"“‘']" + re.escape(term) + r"[\"”’']\s+(?:shall\s+)?(?:means?|includes?|has\s+the\s+meaning)\b", re.I).search(text)
    if m is None:
        return None
    line_end = text.find("\n", m.end())
    line_end = len(text) if line_end == -1 else line_end
    stop = re.compile(r"[;.](?=\s*(?:and|or)?\s*$)", re.M).search(text, m.end(), line_end)
    return m.start(), (stop.start() if stop else line_end)


def _define(clauses: list[CurrentClause], change: Change) -> str | None:
    """A definition replaced or deleted: found in the clause named (or, when none is, in the one
    clause of the agreement that defines the term), its words changed as a substitution is."""
    op = change.op
    live = [c for c in clauses if c.current and (not op.target or is_within(c.ref, op.target))]
    found = [(c, span) for c in live if (span := definition_span(c.current, op.old))]
    where = f"clause {op.target}" if op.target else "the agreement"
    if not found:
        return f"no definition of \"{op.old}\" is in {where}"
    if len(found) > 1:
        return f"\"{op.old}\" is defined in {len(found)} clauses of {where}; which one is meant is not said"
    clause, (a, b) = found[0]
    op.target = op.target or clause.ref  # the redline and the answers name the clause it changed
    before = clause.current
    new = op.new.rstrip(" ;.") if op.new else ""
    if op.new and not re.match(r"\s*[\"“‘']", new):
        new = f"“{op.old}” means {new}"
    if new:
        clause.current = before[:a] + new + before[b:]
    else:  # a deleted definition takes its semicolon or full stop with it
        clause.current = (before[:a] + before[b + 1:]).strip()
    clause.changes.append(Change(op, change.doc, before, clause.current))
    return None


_THING_STOP = {"the", "its", "of", "a", "an", "in", "under", "to", "for", "and", "rate", "amount", "sum", "figure", "period"}


def _revalue(family: list[CurrentClause], change: Change) -> str | None:
    """A value restated without quoting what it replaces: the clause's one value of the new
    value's kind (the old value when the sentence gives it; else the one nearest the words naming
    it, "the royalty rate" or "the Delivery Date") becomes the new one. Never a guess: two equally
    near values, or none of that kind, leave the change unapplied with the reason."""
    op = change.op
    new = _new_value(op)
    if new is None:
        return f"the new value in this change to clause {op.target} was not understood; read it and apply it by hand"
    kinds = {"date", "duration"} if new.kind in ("date", "duration") else {new.kind}
    found = [(c, f) for c in family for f in find_facts(c.current) if f.kind in kinds]
    if op.old:
        stated = [(c, f) for c, f in found if _words(op.old).search(f.text) or _words(f.text).search(op.old)]
        found = stated or found
    if not found:
        return f"clause {op.target} states no {new.kind} for this change to replace"
    if len(found) > 1 and new.kind == "date" and (op.ends or re.search(r"\b(?:extended|expir|ends?\b)", op.thing + " " + change.source_text, re.I)):
        # "extended so that it expires on ...": of "from 1 April 2023 until 31 March 2024", the end
        ending = [(c, f) for c, f in found if re.search(r"\b(?:until|to|through|till|ending(?:\s+on)?|expir\w*(?:\s+on)?|ends?\s+on)\s*$",
                                                           c.current[max(0, f.start - 20):f.start], re.I)]
        found = ending or found
    if len(found) > 1:
        words = {w.lower() for w in re.findall(r"[A-Za-z]{3,}", op.thing)} - _THING_STOP
        def nearness(item) -> int:  # the words of "the royalty rate on sales" in the value's own limb
            clause, fact = item
            text = clause.current
            a = max(text.rfind(p, 0, fact.start) for p in (";", "\n", ". ", ":"))
            ends = [i for i in (text.find(p, fact.end) for p in (";", "\n", ". ")) if i != -1]
            limb = text[a + 1:min(ends, default=len(text))].lower()
            return sum(1 for w in words if w[:5] in limb)
        near = [nearness(x) for x in found]
        best = max(near)
        found = [x for x, n in zip(found, near, strict=True) if n == best] if best else found
        if len(found) > 1:
            return (f"clause {op.target} states {len(found)} values of this kind; which one \"{op.thing}\" means is not said")
    clause, fact = found[0]
    if op.by:
        worked = _by_difference(fact.text, new, op.by)
        if worked is None:
            return (f"clause {op.target} changes its {fact.kind} by {new.text}; a change by a difference of this kind is not "
                    "worked out (points or a share?); read it and apply it by hand")
        new = replace(new, text=worked)
    start, end = fact.start, fact.end
    if fact.kind == "money":  # "Eight Thousand U.S. Dollars ($8,000)": the words go with the figure
        start, end = _spelled(clause.current, start, end)
        at = op.new.find(new.text)
        if at >= 0:
            a, b = _spelled(op.new, at, at + len(new.text))
            if (a, b) != (at, at + len(new.text)) or (start, end) == (fact.start, fact.end):
                new = replace(new, text=op.new[a:b])
    base = re.search(r"\s+of\s+", fact.text) if fact.kind == "percent" else None
    if base and not re.search(r"\s+of\s+", new.text):  # "two percent (2%)" for "three percent (3%) of the PPD"
        end = start + base.start()
    before = clause.current
    op.old = before[start:end]  # the redline and the answers show what it replaced
    op.new = new.text
    clause.current = before[:start] + new.text + before[end:]
    clause.changes.append(Change(op, change.doc, before, clause.current))
    return None


# a sum in words before its figure in brackets: "Ten Thousand Five Hundred U.S. Dollars ("
_SPELLED = re.compile(r"(?:(?-i:[A-Z][a-z]+)[\s-]+(?:and\s+)?){1,8}(?:U\.S\.\s+|US\s+|Canadian\s+|Australian\s+|New\s+Zealand\s+)?"
                      r"(?:Dollars|Pounds(?:\s+Sterling)?|Euros?|Yen|Francs)\s*\(\s*$")


def _spelled(text: str, start: int, end: int) -> tuple[int, int]:
    """The span of a money figure with its words: "Eight Thousand U.S. Dollars ($8,000)" for the
    "$8,000" at [start, end), so a new sum replaces both and the clause never reads "Eight Thousand
    U.S. Dollars ($10,500)". The figure's own span when no words come before it."""
    m = _SPELLED.search(text[max(0, start - 120):start])
    close = re.match(r"\s*\)", text[end:])
    if m is None or close is None:
        return start, end
    return max(0, start - 120) + m.start(), end + close.end()


def defines(text: str, term: str) -> bool:
    """Whether ``text`` defines ``term``: '"Term" means ...' or '... (the "Licence Period")'."""
    if definition_span(text, term):
        return True
    return re.search(r"\((?:the\s+|each\s+a\s+|together\s+the\s+)?[\"“‘']" + re.escape(term) + r"[\"”’']\)", text, re.I) is not None


def _by_difference(old: str, delta, sign: int) -> str | None:
    """The value ``old`` plus (``sign`` 1) or minus (-1) the fact ``delta``: an amount and an amount of
    the same currency ("£40,000" + "£5,000" = "£45,000"), a date and a period ("November 15, 2022" +
    "thirty (30) days" = "15 December 2022"). None for anything else (a percentage "increased by 2%"
    may mean points or a share of the rate: never guessed)."""
    if delta.kind == "money":
        a, b = parse_money(old), parse_money(delta.text)
        if not a or not b or a.get("currency") != b.get("currency") or a.get("amount") is None or b.get("amount") is None:
            return None
        amount = a["amount"] + sign * b["amount"]
        if amount < 0:
            return None
        sign_text = re.match(r"\s*((?:US|U\.S\.|C|A)?\$|£|€|¥|[A-Z]{3}\s?)", old)
        number = f"{amount:,.2f}".removesuffix(".00")
        return f"{sign_text.group(1)}{number}" if sign_text else f"{number} {a['currency']}"
    if delta.kind in ("duration", "date"):
        found = find_dates(old)
        period = parse_duration(delta.text)
        if not found or period is None:
            return None
        day = datecalc.parse_iso(found[0][2])
        if day is None:
            return None
        moved = datecalc.period_end(day + timedelta(days=1), period) if sign > 0 else \
            day - (datecalc.period_end(day, period) - day) - timedelta(days=1)
        return human_date(moved.isoformat())
    return None


def _deepest(clauses: list[CurrentClause]) -> list[CurrentClause]:
    """``clauses`` without those a sub-clause of which is among them."""
    return [c for c in clauses if not any(o is not c and is_within(o.ref, c.ref) for o in clauses)]


def _defining(clauses: list[CurrentClause], term: str) -> list[CurrentClause]:
    """The live clauses that define ``term`` (the deepest, when a clause and its sub-clause both hold it)."""
    return _deepest([c for c in clauses if c.current and defines(c.current, term)])


def _new_value(op: Operation):
    """The value fact a value change sets, or None."""
    return next((f for f in find_facts(op.new) if f.kind in VALUE_KINDS), None)


def _revalue_term(clauses: list[CurrentClause], change: Change) -> str | None:
    """A value change that names a defined term, not a clause: made in the one clause that
    defines the term (the deepest, when a clause and its sub-clause both hold the definition)."""
    op = change.op
    deepest = _defining(clauses, op.thing)
    if not deepest:
        new = _new_value(op)
        said = re.compile(r"\b" + re.escape(op.thing) + r"\b")
        if new is not None and any(said.search(c.current) and _words(new.text).search(c.current) for c in clauses if c.current):
            return None  # "Accordingly the Term is extended to 31 December 2027": the agreement says so already
        return f"no clause of the agreement defines \"{op.thing}\"; read the change and apply it by hand"
    if len(deepest) > 1:
        return f"\"{op.thing}\" is defined in {len(deepest)} clauses; which one is meant is not said"
    op.target = deepest[0].ref  # the redline and the answers name the clause it changed
    return _revalue([deepest[0]], change)


# a clause's own number and a short heading before its first sentence ("2.3 Expiry. If both ...")
_LEAD = re.compile(r"\s*(?:(?:(?:clause|section|article|paragraph)\s+)?\d{1,3}(?:\.\d{1,3})*\.?|\([a-z0-9]{1,4}\))?\s*"
                   r"(?:(?-i:[A-Z][\w'’-]*)(?:\s+[\w'’-]+){0,4}\.\s+(?=[A-Z]))?", re.I)


def _one_sentence(target: CurrentClause, change: Change) -> str | None:
    """"The second sentence of clause 2.3 is deleted and replaced with ...": that sentence only,
    counted after the clause's number and heading; the others stay."""
    op = change.op
    text = target.current
    lead = _LEAD.match(text)
    body_start = lead.end() if lead else 0
    spans = [(a, b) for a, b in split_sentences(text, body_start, len(text)) if text[a:b].strip()]
    at = NTH_INDEX[op.sentence]
    if not spans or (at >= 0 and at >= len(spans)):
        return f"clause {op.target} has {len(spans)} sentence(s); it has no {op.sentence} sentence"
    a, b = spans[at]
    while b > a and text[b - 1] in " \n":
        b -= 1
    change.before = text
    new = op.new.strip() if op.kind == "replace" else ""
    target.current = " ".join((text[:a] + " " + new + " " + text[b:]).split())  # a deletion is the empty replacement
    change.after = target.current
    target.changes.append(change)
    return None


def _apply(clauses: list[CurrentClause], change: Change) -> str | None:
    """Apply one change; the reason it cannot be applied, or None."""
    op = change.op
    if op.kind == "definition":
        return _define(clauses, change)
    if op.kind == "unread" and not op.target:  # "The Territory shall be expanded to include ...": the term's clause
        deepest = _defining(clauses, op.thing)
        if len(deepest) != 1:
            return None if not deepest else f"the wording of this change to \"{op.thing}\" was not understood; apply it by hand"
        op.target = deepest[0].ref
    if op.kind == "unread":
        return f"the wording of this change to clause {op.target} was not understood; read it and apply it by hand"
    if op.kind == "value" and not op.target:
        return _revalue_term(clauses, change)
    live = [c for c in clauses if c.current]
    if op.kind == "substitute" and not op.target:  # "all references to 'A' shall be read as 'B'": every clause
        return _substitute(live, change, "the agreement")
    target = next((c for c in live if c.ref == op.target), None)
    if op.kind == "insert":
        existing = next((c for c in clauses if c.ref == op.target), None)
        if existing is not None and existing.current:
            return f"clause {op.target} already exists in the agreement; nothing was inserted"
        new = existing or CurrentClause(op.target, "", "", "")
        change.before, change.after = "", _with_label(f"{op.target} " if "(" not in op.target else f"({op.target.split('(')[-1]} ", op.new)
        new.current = change.after
        new.changes.append(change)
        if existing is None:
            anchor = op.after or None
            if anchor is None:  # after the last clause that sorts before it
                before = [i for i, c in enumerate(clauses) if _sort_key(c.ref) < _sort_key(op.target)
                          and not c.ref.startswith("schedule")]
                at = (before[-1] + 1) if before else len(clauses)
            else:
                within = [i for i, c in enumerate(clauses) if is_within(c.ref, anchor)]
                if not within:
                    return f"clause {anchor}, which the new clause {op.target} is to follow, is not in the agreement"
                at = within[-1] + 1
            clauses.insert(at, new)
        return None
    if target is None:
        gone = next((c for c in clauses if c.ref == op.target), None)
        if gone is not None:
            return f"clause {op.target} was already deleted by {gone.changes[-1].doc.file_name}"
        return f"clause {op.target} is not in the agreement"
    family = [c for c in live if is_within(c.ref, op.target)]
    if op.kind == "override":
        target.overrides.append(change)
        return None
    if op.kind == "value":
        return _revalue(family, change)
    if op.kind == "append":
        change.before = target.current
        change.after = target.current.rstrip() + " " + op.new
        target.current = change.after
        target.changes.append(change)
        return None
    if op.kind in ("replace", "delete") and op.sentence:
        return _one_sentence(target, change)
    if op.kind in ("replace", "delete"):
        change.before = "\n".join(c.current for c in family)
        change.after = _with_label(_label(target), op.new) if op.kind == "replace" else ""
        target.current = change.after
        target.changes.append(change)
        for c in family:
            if c is not target:  # sub-clauses go with the clause that is replaced or deleted
                c.changes.append(Change(op, change.doc, c.current, ""))
                c.current = ""
        return None
    return _substitute(family, change, f"clause {op.target}")


def _substitute(family: list[CurrentClause], change: Change, where: str) -> str | None:
    """Words replaced: they must be in the clause (or one of its sub-clauses) exactly once, unless
    the change says "wherever it appears" (or "all references to")."""
    op = change.op
    pattern = _words(op.old)
    hits = [(c, m) for c in family for m in pattern.finditer(c.current)]
    if not hits:
        return f"the words \"{op.old}\" are not in {where}"
    if len(hits) > 1 and not op.wherever:
        return f"the words \"{op.old}\" appear {len(hits)} times in {where}; which one is meant is not said"
    for c in list({id(c): c for c, _ in hits}.values()):
        before = c.current
        c.current = pattern.sub(lambda _m: op.new, c.current) if op.wherever else pattern.sub(lambda _m: op.new, c.current, count=1)
        if not op.new:  # words taken out: no double space or space before punctuation left behind
            c.current = re.sub(r"[ \t]+([,.;:)])", r"\1", re.sub(r"[ \t]{2,}", " ", c.current))
        c.changes.append(Change(op, change.doc, before, c.current))
    if not op.target and len({id(c) for c, _ in hits}) == 1:
        op.target = hits[0][0].ref
    return None


def consolidate(agreement_text: str, documents: list[ChangeDocument]) -> Consolidated:
    """The agreement with every operation of ``documents`` applied in effective-date order (a
    document without a date keeps its place after the dated ones it follows)."""
    clauses = [CurrentClause(n.ref, n.heading, n.text, n.text, n.start, n.end) for n in clause_tree(agreement_text)]
    pending = [Change(op, doc) for doc in documents for op in operations(doc.text)]
    order = {id(d): i for i, d in enumerate(documents)}
    pending.sort(key=lambda c: (c.effective or "9999", order[id(c.doc)], c.op.start))
    unapplied = []
    for change in pending:
        reason = _apply(clauses, change)
        if reason is not None:
            unapplied.append(Unapplied(change, reason))
    return Consolidated(clauses, unapplied, documents, agreement_text)


def restricted_targets(texts, agreement_text: str = "") -> list[str]:
    """The clause numbers the operations of ``texts`` act on, and nothing else of them: what a
    viewer is told about change documents they may not see. A definition changed without its
    clause is placed in the agreement's clause that defines the term."""
    nodes = None  # the agreement's clauses, read only when a definition names none
    targets = set()
    for text in texts:
        for op in operations(text):
            if op.target:
                targets.add(op.target)
            elif op.kind == "substitute" and agreement_text:  # every clause holding the words
                nodes = nodes if nodes is not None else clause_tree(agreement_text)
                targets |= {n.ref for n in nodes if _words(op.old).search(n.text)}
            elif op.kind in ("definition", "value", "unread") and agreement_text:
                nodes = nodes if nodes is not None else clause_tree(agreement_text)
                term = op.old if op.kind == "definition" else op.thing
                targets |= {n.ref for n in nodes if (definition_span(n.text, term) if op.kind == "definition" else defines(n.text, term))}
    return sorted(targets, key=_sort_key)
