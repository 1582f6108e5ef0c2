"""Answers from key terms first: a question a key term covers is answered from its stored value
and the clause that states it.

"When does the Kestrel deal end?", "Which law governs the Vantage agreement?", "How much notice
stops the Pinecrest agreement renewing?" have their answers in the family's key terms
(``assistant/contracts/register.py``): the current value, set by whichever document changed it last, and
what it replaced. ``match`` reads which term a question asks for (``asked_term``), which family
it is about (the retrieved passages' families, kept to those whose names the question uses; the
latest unless the question asks about the past or a year), and finds the passage (chunk) that
holds each cited clause, so the answer quotes the clause verbatim with its citation, in the same
form as every other extractive answer (``family_answer.compose``).

It answers only when it is sure it is the right term: a question about an income type the deal
has no rate for ("merchandising royalty"), a royalty question when the deal has several rates
and the question names none, or one naming an ordinal or figure the clause does not have ("the
advance for his second album") falls through to the answer engine.

The answering module calls ``match`` once, after retrieval: see ``answering.Answerer.stream``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from assistant.answer.abstention import Verdict
from assistant.answer.family_answer import MODIFIER_WORDS, PAST, Candidate, FamilyAnswer, referenced_clauses
from assistant.answer.rendering import rendered
from assistant.answer.selection import Selection
from assistant.contracts.consolidated.operations import operations
from assistant.contracts.consolidated.tree import normalise_ref
from assistant.contracts.family import Entry, FamilyTerms
from assistant.contracts.rules.money import income_type
from assistant.search.retrieval import name_terms
from assistant.search.store import Hit
from assistant.text.facts import states
from assistant.text.kinds import find_facts
from ingest import families as F

# Which key term a question asks for: first match wins (the more specific first).
ASKS: list[tuple[str, re.Pattern]] = [
    ("notice_deadline", re.compile(r"\b(?:by\s+when|when|what\s+date|deadline|last\s+(?:day|date))\b[^?]*\bnotice\b[^?]*\b(?:renew\w*|stop|terminat\w*|end)\b"
                                   r"|\bnotice\s+deadline\b", re.I)),
    ("renewal_notice", re.compile(r"\bhow\s+much\s+notice\b[^?]*\b(?:renew\w*|non-renewal)\b|\bnotice\s+period\b[^?]*\brenew", re.I)),
    ("option_deadline", re.compile(r"\b(?:by\s+when|deadline|last\s+day|when\s+must)\b[^?]*\boption\b", re.I)),
    ("options", re.compile(r"\bhow\s+many\s+options?\b|\boption\s+periods?\b", re.I)),
    ("reversion_date", re.compile(r"\bwhen\b[^?]*\b(?:revert\w*|reversion|get\s+(?:the\s+)?rights\s+back)\b", re.I)),
    ("retention", re.compile(r"\bhow\s+long\b[^?]*\b(?:retain\w*|keep\w*|revert\w*)\b|\bretention\s+period\b", re.I)),
    ("expiry", re.compile(r"\b(?:when|what\s+date|until\s+when)\b[^?]*\b(?:expire[sd]?|expiry|end|ends|ended|run\s+out|finish\w*|terminate[sd]?)\b"
                          r"|\bexpir(?:y|ation)\s+date\b|\bend\s+date\b"
                          r"|\buntil\s+when\b[^?]*\b(?:run|runs|last|lasts|continue|continues)\b"
                          # the licence's end asked as the use it permits: "Until when can Meridian keep using the track?"
                          r"|\b(?:until\s+when|till\s+when|up\s+to\s+when)\b[^?]*\b(?:use|using|exploit\w*|keep|broadcast\w*|air|screen\w*|show|"
                          r"sell|selling|distribut\w*|licen[cs]ed|permitted|allowed)\b"
                          r"|\b(?:by\s+)?when\s+(?:must|do|does|should)\b[^?]*\bstop\s+(?:using|exploiting|selling|distributing|broadcasting)\b", re.I)),
    ("agreement_date", re.compile(r"\bwhen\s+(?:was|were|did)\b[^?]*\b(?:signed|made|dated|entered|executed|sign)\b|\b(?:agreement|contract)\s+date\b", re.I)),
    ("effective_date", re.compile(r"\beffective\s+date\b|\bwhen\s+(?:does|did)\b[^?]*\b(?:take\s+effect|become\s+effective|start|begin|commence)\b", re.I)),
    ("governing_law", re.compile(r"\bgoverning\s+law\b|\b(?:which|what)\s+law\b|\blaws?\s+govern|\bgoverned\s+by\b|\bgoverns\b", re.I)),
    ("territory", re.compile(r"\b(?:which|what)\s+territor\w*|\bterritory\b|\bwhere\s+does\b[^?]*\bapply\b|\bwhich\s+countries\b", re.I)),
    ("parties", re.compile(r"\bwho\s+are\s+the\s+parties\b|\bparties\s+to\b|\bwho\s+is\s+the\s+(?:deal|agreement|contract)\s+with\b"
                           r"|" + r"\bwho\s+(?:is|are)\s+(?:now\s+|currently\s+)?the\s+(?:current\s+|present\s+|new\s+)?(?P<role>[a-z][\w-]+)\b"
                           r"(?=\s+(?:of|under|on|for|to|in)\b|\s+now\b|\s*\?)", re.I)),
    ("advances", re.compile(r"\badvances?\b", re.I)),
    ("minimum_commitment", re.compile(r"\bminimum\s+commitment\b|\bhow\s+many\s+(?:albums|records|singles|tracks|songs)\b", re.I)),
    ("royalties", re.compile(r"\broyalt\w*|\bshare\s+of\b|\bwhat\s+(?:share|percentage|cut)\s+(?:does|do|will|is)\b|\b(?:administration|distribution|admin|publishing|management)\s+fee\b|\bcommission\b", re.I)),
    ("exclusivity", re.compile(r"\bexclusiv\w*", re.I)),
    ("audit", re.compile(r"\baudit\w*", re.I)),
    ("assignment", re.compile(r"\b(?:can|may)\b[^?]*\bassign\w*\b|\bassignment\s+of\s+(?:the|this)\s+(?:agreement|contract|deal)\b", re.I)),
    ("renewal", re.compile(r"\bdoes\b[^?]*\brenew\b|\brenewal\s+term\b|\bauto(?:matically)?[-\s]renew", re.I)),
    ("recoupment", re.compile(r"\brecoup\w*", re.I)),
]
# Questions about something a key term does not hold, however much they sound like one.
NOT_TERMS = re.compile(r"\bcollect\w*|\bsell[-\s]?off\b|\bstatements?\b|\baccount\w*\b|\bpay(?:ment)?s?\s+due\b|"
                       r"\bwho\b|\bwhom\b|\bwhose\b|\bwhy\b|"
                       # where things stand, not what the contract says: "how much of the advance has been recouped so far?"
                       r"\bso\s+far\b|\bto\s+date\b|\b(?:has|have)\s+been\s+(?:recouped|paid|earned)\b|\bunrecouped\b|\bbalance\b", re.I)
KINDS = {"expiry": "date", "agreement_date": "date", "effective_date": "date", "notice_deadline": "date", "option_deadline": "date",
         "reversion_date": "date", "advances": "money", "royalties": "percent", "governing_law": "law", "territory": "territory",
         "renewal_notice": "duration", "retention": "duration", "parties": "party"}
_ORDINAL = re.compile(r"\b(?:first|second|third|fourth|fifth|sixth|next|last|final|\d+(?:st|nd|rd|th))\b|(?<![\w-])\d{1,3}(?![\d,%])\b", re.I)
# The question names the original terms in so many words (a past tense alone may ask when a deal ended).
ORIGINAL_ASK = re.compile(r"\b(?:original|originally|initial|initially|previous|previously|earlier|old|former|before\s+(?:the|any)\s+"
                          r"(?:amendment|change|variation|letter|notice))\b", re.I)
COMPUTED_FROM = {"notice_deadline": "renewal_notice", "option_deadline": "options", "reversion_date": "retention"}


_OTHER_EVENT = re.compile(r"\b(?:terminat\w*|amendment|assignment|notice|renewal|increase|change|option|side\s+letter)\b", re.I)


# A document's title in the question ("the Non-Exclusive Distributor Agreement", "the Exclusive
# Licence"): it names which contract, never which term is asked about.
_TITLE = re.compile(r"(?:\b[A-Z][\w'’&.-]*\s+){1,8}(?:Agreement|Contract|Licen[cs]e|Amendment|Letter|Deed|Notice|Deal)s?\b")


def asked_term(question: str) -> str | None:
    """The key term ``question`` asks for, or None. Words of a document title it quotes don't count."""
    question = _TITLE.sub(" the document ", question)
    for key, pattern in ASKS:
        if pattern.search(question):
            if key in ("effective_date", "agreement_date") and _OTHER_EVENT.search(question):
                return None  # "When does the termination take effect?": another document's date
            if key == "parties":
                return key
            return None if NOT_TERMS.search(question) else key
    return None


_PARTIES_ASK = dict(ASKS)["parties"]


def asked_role(question: str) -> str | None:
    """The party role a "Who is the licensee ...?" question names (lower case), or None."""
    m = _PARTIES_ASK.search(_TITLE.sub(" the document ", question))
    return m.group("role").lower() if m is not None and m.group("role") else None


def _role_of(entry: Entry) -> str:
    value = entry.value.value if isinstance(entry.value.value, dict) else {}
    return str(value.get("role") or entry.value.slot or "").lower()


@dataclass
class KeyTermMatch:
    """A question answered from a key term: the family, the entries that answer (and what they
    replaced), and the passages holding their clauses."""

    key: str
    family: FamilyTerms
    entries: list[Entry]
    previous: Entry | None = None
    computed: Entry | None = None  # a computed value (deadline, reversion) stated before the clause
    chunks: dict[int, Hit] = field(default_factory=dict)  # id(entry) -> the chunk holding its clause

    @property
    def verdict(self) -> Verdict:
        return Verdict(True, None, f"key term: {self.key}", {"key_term": self.key})

    def with_sources(self, hits: list[Hit]) -> list[Hit]:
        """``hits`` plus the chunks that hold the cited clauses (when not among them already)."""
        seen = {h.point_id for h in hits}
        extra = []
        for h in self.chunks.values():
            if h.point_id not in seen:
                seen.add(h.point_id)
                extra.append(h)
        return hits + extra

    def _candidate(self, entry: Entry, number: dict[str, int], passages: dict[int, str]) -> Candidate | None:
        hit = self.chunks.get(id(entry))
        clause = entry.value.clause
        if hit is None or clause is None or hit.point_id not in number:
            return None
        n = number[hit.point_id]
        text = passages[n]
        c0 = int(hit.payload.get("start") or 0)
        start, end = max(clause.start - c0, 0), min(clause.end - c0, len(text))
        if end <= start or text[start:end] != clause.text[start + c0 - clause.start: end + c0 - clause.start]:
            at = text.find(clause.text.strip()[:200])  # the chunk's text is not the document's slice: find the clause
            if at < 0:
                return None
            start, end = at, min(len(text), at + len(clause.text.strip()))
        unit = text[start:end]
        fact = entry.value.fact
        fs = unit.find(fact) if fact else -1
        kind = KINDS.get(self.key if self.key not in COMPUTED_FROM else COMPUTED_FROM[self.key], "")
        sel = Selection(number=n, unit_text=unit, start=start, end=end, fact_text=fact if fs >= 0 else "", kind=kind if fs >= 0 else "",
                        score=1.0, signals={"key_term": self.key, "coverage": 1.0, "kind_share": 1.0, "states": 1.0},
                        fact_start=start + fs if fs >= 0 else None, fact_end=start + fs + len(fact) if fs >= 0 else None,
                        label=clause.label, heading=clause.heading, role="operative", unit_kind="sentence")
        return Candidate(entry.doc, sel, (n,))

    def answer(self, sources) -> FamilyAnswer | None:
        """The answer over the numbered ``sources`` (answering.Source): the value's clause quoted
        and cited, what it replaced after it; a computed value stated first with its basis."""
        number = {s.hit.point_id: s.number for s in sources}
        passages = {s.number: s.text for s in sources}
        current = [c for c in (self._candidate(e, number, passages) for e in self.entries) if c is not None]
        if not current:
            return None
        previous = self._candidate(self.previous, number, passages) if self.previous is not None else None
        worked_out = self.entries[0].value.kind == "computed" and self.key not in COMPUTED_FROM  # the end after an option
        if previous is not None and len(current) == 1 and current[0].sel.kind and not worked_out:
            # "The second sentence of clause 2.3 of the Agreement is deleted and replaced": what it
            # replaced is that clause's value, as the answer engine reads it (family_answer)
            numbers = tuple(s.number for s in sources if s.payload.get("doc_id") == previous.doc.doc_id)
            named = referenced_clauses(current[0], [replace(previous, numbers=numbers)], passages)
            if named is not None and previous.sel.fact_text and (at := passages.get(named.sel.number, "").find(
                    previous.sel.fact_text, named.sel.start)) >= 0 and at < named.sel.end:
                # the clause the key term read: its whole value ("the United Kingdom ... and the
                # Republic of Ireland"), not the one place the answer engine would pick from it
                named = replace(named, sel=replace(named.sel, fact_text=previous.sel.fact_text, kind=previous.sel.kind,
                                                   fact_start=at, fact_end=at + len(previous.sel.fact_text)))
            if named is not None and previous.sel.label and named.sel.label != previous.sel.label and not _rewrites(
                    current[0].sel.unit_text, named.sel.label):
                # the key term's own clause (the term in clause 2.1) is what the change replaced,
                # not another clause the change cites ("In place of the Option Period under clause
                # 2.2, the Term shall continue until ..."); its value, or else one of the kind asked
                own = [f for f in find_facts(previous.sel.unit_text) if f.kind == current[0].sel.kind]
                at = passages.get(previous.sel.number, "").find(own[0].text, previous.sel.start) if own else -1
                if at >= 0 and not previous.sel.fact_text:
                    previous = replace(previous, sel=replace(previous.sel, fact_text=own[0].text, kind=own[0].kind,
                                                             fact_start=at, fact_end=at + len(own[0].text)))
                if previous.sel.fact_text:
                    named = None
            previous = named or previous
        if len(current) == 1 and previous is None:
            c = current[0]
            r = rendered(c.sel).text
            text = r.replace(" — “", f" — {_clause(c)}: “", 1) if " — “" in r else f"{_clause(c).capitalize()}: {r}"
            if worked_out and "“" in r:  # the value is in the line above; this is what it is worked out from
                text = f"As {_role(c.doc)} provides in {_clause(c)}: " + r[r.index("“"):]
            out = FamilyAnswer(text, [(c.sel.number, text)], c, None)
        elif len(current) == 1:  # the value and what it replaced, each with its own clause
            c = current[0]
            now = rendered(c.sel).text
            fact = " ".join(c.sel.fact_text.split()) if not worked_out else ""  # the value is in the line above
            quote = now[now.index("“"):] if "“" in now else now
            effective = next((e.value.effective for e in self.entries if e.value.effective), "")
            since = f" with effect from {F.human_date(effective)}" if effective else ""  # a variation's own start date
            if since and fact and states(fact, F.human_date(effective)):
                since = ""  # "Now February 29, 2024, as the termination notice provides": the value is that date
            first = (f"Now {fact}{since}, as {_role(c.doc)} provides in {_clause(c)}: " if fact
                     else f"Now{since}, as {_role(c.doc)} provides in {_clause(c)}: ") + quote
            second = f"Before that, {_role(previous.doc)} said in {_clause(previous)}: " + rendered(previous.sel).text
            out = FamilyAnswer(f"{first}\n\n{second}", [(c.sel.number, first), (previous.sel.number, second)], c, previous)
        else:  # several values in force together (an advance and a further one, an option and its exercise)
            parts, cited = [], []
            for i, c in enumerate(current):
                r = rendered(c.sel).text
                quote = r[r.index("“"):] if "“" in r else r
                claim = (r.replace(" — “", f" — {_clause(c)}: “", 1) if " — “" in r else f"{_clause(c).capitalize()}: {r}") if i == 0 \
                    else f"Also, as {_role(c.doc)} provides in {_clause(c)}: {quote}"
                parts.append(claim)
                cited.append((c.sel.number, claim))
            out = FamilyAnswer("\n\n".join(parts), cited, current[-1], previous)
        if self.computed is not None:
            v = self.computed.value
            head = f"{self.family.term(self.key).label}: {v.text} (worked out from the clause below: {v.basis})."
            out = replace(out, text=f"{head}\n\n{out.text}")
        return out


def _clause(c: Candidate) -> str:
    """"clause 7.2" (or "its clause" when the clause has no number): where the value is stated."""
    label = c.sel.label.strip("().")
    if not label:  # "4. LICENCE PERIOD" over an unnumbered paragraph: clause 4
        head = re.match(r"\s*(?:clause\s+|section\s+)?(\d{1,3}(?:\.\d{1,3})*)\.?\s", (c.sel.heading or "").split(" · ")[-1], re.I)
        return f"clause {head.group(1)}" if head else "the clause"
    item = re.match(r"(?:(schedule(?:\s+\w+)?)\s+)?item\s+(\d{1,2})\b", label, re.I)
    if item:  # "schedule item 2": as a reader finds it
        return f"Item {item.group(2)} of the {(item.group(1) or 'schedule').title()}"
    return f"clause {c.sel.label.strip('.')}" if re.fullmatch(r"\d+(?:\.\d+)*", label) else f"paragraph {c.sel.label}"


def _role(doc) -> str:
    return "the original agreement" if doc is None or doc.family_role == F.AGREEMENT else f"the {doc.family_role}"


def _words(text: str) -> str:
    return " " + " ".join(re.sub(r"[^\w]+", " ", re.sub(r"['’]s\b", "", text).lower()).split()) + " "


def _family_for(view, question: str, hits: Sequence[Hit], docs: dict) -> str | None:
    """The family the question is about: among the top passages' families, those whose
    documents (titles, file names, parties) carry every name the question uses; of several, the
    one of the year the question names, else (unless it asks about the past) the latest."""
    roots: list[str] = []
    for h in hits[:6]:
        doc = docs.get(str(h.payload.get("doc_id")))
        if doc is None or doc.doc_type != "contract":
            continue
        root = F.root_of(doc, docs)
        if root not in roots:
            roots.append(root)
    if not roots:
        return None
    names = [n for n in name_terms(question) if len(n) > 1]
    members = {r: [d for d in docs.values() if d.doc_type == "contract" and F.root_of(d, docs) == r] for r in roots}
    if names:
        def pool(r: str) -> str:
            ids = {d.doc_id for d in members[r]}
            seen = " ".join(str(h.payload.get("text", "")) for h in hits if h.payload.get("doc_id") in ids)
            return _words(" ".join(f"{d.title} {d.file_name} {' '.join(d.parties)}" for d in members[r]) + " " + seen)
        roots = [r for r in roots if all(_words(n) in pool(r) for n in names)] or []
        if not roots:
            return None
    years = set(re.findall(r"\b(?:19|20)\d\d\b", question))
    if years:
        dated = [r for r in roots if years & {(docs[r].agreement_date or "")[:4]}]
        if dated:
            return dated[0]
    if len(roots) > 1 and not PAST.search(question):
        return max(roots, key=lambda r: max((F.document_date(d) or "") for d in members[r]))
    return roots[0]


def _chunk_for(view, entry: Entry) -> Hit | None:
    """The passage of ``entry``'s document holding most of its clause."""
    doc, clause = entry.doc, entry.value.clause
    if doc is None or clause is None or not doc.n_chunks:
        return None
    best, overlap = None, 0
    for h in view.store.get_chunks(doc.doc_id, range(doc.n_chunks)):
        s, e = int(h.payload.get("start") or 0), int(h.payload.get("end") or 0)
        o = min(e, clause.end) - max(s, clause.start)
        if o > overlap:
            best, overlap = h, o
    return best


def match(view, question: str, hits: Sequence[Hit], docs: dict, today: date | None = None) -> KeyTermMatch | None:
    """The key-term answer to ``question`` over the families of ``hits`` (``docs``: the ledger as
    ``view`` sees it), or None when no key term covers it for sure."""
    key = asked_term(question)
    if key is None or not hits:
        return None
    root = _family_for(view, question, hits, docs)
    if root is None:
        return None
    ft = view.contract_terms(root, today)
    if ft is None:
        return None
    term = ft.term(key)
    computed = None
    if key in COMPUTED_FROM:
        if not term.stated or term.current[0].value.clause is None:
            return None
        computed = term.current[0]
        entries = [computed]
    else:
        entries = list(term.current)
    if not entries:
        return None
    previous = None
    if key == "parties" and (role := asked_role(question)):
        # "Who is the licensee of Glass Harbor now?": the party in that role now (an assignee
        # included), what it replaced after it; no party in that role: not a key-term question
        entries = [e for e in entries if _role_of(e) == role]
        if not entries:
            return None
        gone = [e for e in term.history if e.superseded and _role_of(e) == role]
        previous = gone[-1] if gone and len(entries) == 1 and not PAST.search(question) else None
    elif key not in COMPUTED_FROM:
        asks_modifier = bool(MODIFIER_WORDS.search(question))
        if asks_modifier:  # "under Amendment No. 1": that document's own value
            own = [e for e in term.history if e.doc is not None and e.doc.family_role != F.AGREEMENT]
            entries = own[-1:] or entries
        elif PAST.search(question) and not (key == "expiry" and not ORIGINAL_ASK.search(question)):
            # "How much was the advance under the recording agreement?": the original; but "When did
            # the agreement end?" asks when it ended, as the latest document has it
            original = [e for e in term.history if e.doc is ft.root]
            entries = original or entries
        else:
            changed = [e for e in term.history if e.superseded]
            previous = changed[-1] if changed and len(entries) == 1 and entries[0].change == "changed" else None
        if key == "royalties":
            asked = income_type(question)
            slots = {e.value.slot for e in entries}
            if asked == "all income":
                if len(slots) != 1:
                    return None  # several rates and the question names none
            else:
                entries = [e for e in entries if e.value.slot == asked]
                if not entries:
                    return None  # no rate for that income: not stated, the engine says so
            if previous is not None and previous.value.slot not in {e.value.slot for e in entries}:
                previous = None
            if previous is None:
                gone = [e for e in term.history if e.superseded and e.value.slot in {x.value.slot for x in entries}]
                previous = gone[-1] if gone and not PAST.search(question) and not MODIFIER_WORDS.search(question) else None
    # a figure or ordinal the question names must be in what answers it ("for his second album")
    said = _words(" ".join((e.value.clause.text if e.value.clause else "") + " " + e.value.text for e in entries))
    plain = re.sub(r"\b(?:19|20)\d\d\b", " ", question)
    for m in _ORDINAL.finditer(plain):
        if re.search(r"^\W+(?:\S+\W+){0,3}?(?:deal|agreement|contract|licen[cs]e|amendment|letter|notice)\b", plain[m.end():], re.I):
            continue  # "her first Kestrel Sound deal", "Amendment No. 1": which document, not which value
        if re.search(r"\b(?:amendment|no\.?)\s*$", plain[:m.start()], re.I):
            continue
        if _words(m.group(0)) not in said:
            return None
    if computed is None and len(entries) == 1 and entries[0].value.kind == "computed" and entries[0].value.clause is not None:
        computed = entries[0]  # a stated term worked out from others (the end after an option exercised)
    out = KeyTermMatch(key, ft, entries, previous, None)
    if computed is not None:
        out.computed = computed
    for e in [*entries, *([previous] if previous is not None else [])]:
        chunk = _chunk_for(view, e)
        if chunk is None:
            return None
        out.chunks[id(e)] = chunk
    return out


def _rewrites(change_text: str, label: str) -> bool:
    """Whether ``change_text`` rewrites clause ``label`` ("The second sentence of clause 2.3 is
    deleted and replaced"), not only cites it ("In place of the Option Period under clause 2.2")."""
    ref = normalise_ref(label.strip("()."))
    return any(op.target == ref or op.target.startswith(ref + "(") for op in operations(change_text) if op.kind != "unread")
