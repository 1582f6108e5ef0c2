"""Which deal a question is about: the named counterparty's family only, and a question back when
two deals fit.

"How long is Ember Lane's new deal with Harbourlight?" must not be answered from Ember Lane's old
distribution agreement because its termination notice mentions Harbourlight as the next
distributor: a deal *with* someone is a deal that someone is a party to. And "What royalty does
Nova pay under its recording deal?" when Nova has two artists' deals that both answer is a
question to give back ("Two deals match: …, which one?"), never one deal's figure picked at
random or two deals' figures mixed.

Who the parties of a family are is read from what names them: the ledger's parties, titles and
file names, and each member's opening (an agreement's preamble up to its first clause or recital,
a letter's address block and "Re:" line), not the body, where other companies are only mentioned.
Pure text logic over what the viewer may see (the caller passes access-filtered documents). One
``DealScope`` per question reads each family's parties once, however many checks ask.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.search.retrieval import name_terms
from assistant.text.parties import name_words, names
from ingest.families import family_members
from ingest.model import DocumentRecord

_DEAL = r"(?:deal|agreement|contract|licen[cs]e|arrangement|partnership|engagement)s?"
# "Ember Lane's new distribution deal with Harbourlight", "the agreement between A and B": a deal
# noun after a determiner or a possessive (not the verb in "how do we deal with …")
_COUNTERPARTY = re.compile(
    rf"(?:['’]s|\b(?:the|a|an|our|their|his|her|its|this|that|any))\s+(?:[\w&'’-]+\s+){{0,3}}?{_DEAL}"
    rf"\s+(?P<how>with|between)\s+(?P<rest>.{{1,160}})", re.I)
_NAME_WORD = re.compile(r"[A-Z0-9][\w&'’.-]*|&|of|de|van|von|la|le|du|the")
# where a preamble ends: the first numbered clause, the recitals, the operative words, a salutation
_OPENING_END = re.compile(r"\n\s*(?:1|I|ARTICLE\s+(?:1|I)|SECTION\s+1|Clause\s+1)[.)\s]|\b(?:WHEREAS|RECITALS|BACKGROUND|"
                          r"NOW,?\s+THEREFORE|IT\s+IS\s+(?:HEREBY\s+)?AGREED|Dear\s|Ladies\s+and\s+Gentlemen)\b")
_RE_LINE = re.compile(r"(?:^|\n)\s*(?:Re|Subject)\s*:[^\n]{0,400}", re.I)
OPENING_CHARS = 2500
CLOSE_SCORE = 0.95  # two families whose best units score this close are equally good answers


def counterparties(question: str) -> list[str]:
    """The names a question says a deal is *with* (or *between*): ["Harbourlight Music Services"]."""
    out: list[str] = []
    for m in _COUNTERPARTY.finditer(question):
        names = _names_at(m.group("rest"))
        if m.group("how").lower() == "with":
            names = names[:1]
        out += [n for n in names if n not in out]
    return out


def _names_at(text: str) -> list[str]:
    """Capitalised names at the start of ``text``, split on "and" ("A and B" gives both)."""
    names, current = [], []
    for token in re.findall(r"[\w&'’.-]+", text):
        word = token.rstrip(".")
        if _NAME_WORD.fullmatch(word) and (word[:1].isupper() or word[:1].isdigit() or word == "&" or current):
            current.append(word)
            continue
        if current and word.lower() == "and":
            names.append(" ".join(current))
            current = []
            continue
        break
    if current:
        names.append(" ".join(current))
    # connecting words only join names: a trailing "of", "the" is not part of one
    out = []
    for n in names:
        words = n.split()
        while words and words[-1].lower() in {"of", "de", "van", "von", "la", "le", "du", "the", "&"}:
            words.pop()
        if words and any(w[:1].isupper() for w in words):
            out.append(" ".join(w.removesuffix("'s").removesuffix("’s") for w in words))
    return out


def opening(text: str) -> str:
    """What names a document's parties: its text up to the first clause, recital or salutation
    (a letter's "Re:" line too, wherever it sits in the opening)."""
    head = text[:OPENING_CHARS]
    m = _OPENING_END.search(head, 40)
    lines = " ".join(r.group(0) for r in _RE_LINE.finditer(head))
    return (head[: m.start()] if m else head[:1200]) + " " + lines


def file_words(doc: DocumentRecord) -> str:
    """A file name as words: "nova_records-recording_agreement.pdf" gives "nova records recording agreement"."""
    return re.sub(r"[_-]+", " ", doc.file_name.rsplit(".", 1)[0])


def party_text(members: Sequence[DocumentRecord], first_text: Callable[[DocumentRecord], str]) -> str:
    """Every name that names a family's parties: ledger parties, titles, file names, openings."""
    parts = []
    for doc in members:
        parts += [*doc.parties, doc.title, file_words(doc), opening(first_text(doc))]
    return " ".join(p for p in parts if p)


@dataclass
class Deal:
    """One family that answers, for a question back: its agreement and the best unit's score."""

    agreement: DocumentRecord
    score: float
    value: str


def describe(deal: Deal) -> str:
    doc = deal.agreement
    who = " and ".join(doc.parties[:2]) if doc.parties else ""
    when = doc.agreement_date or doc.effective_date or ""
    bits = ", ".join(b for b in (f"between {who}" if who else "", f"dated {when}" if when else "", doc.file_name) if b)
    return f"{doc.title or doc.file_name} ({bits})"


def question_back(deals: Sequence[Deal]) -> str:
    listed = "; ".join(f"{i}. {describe(d)}" for i, d in enumerate(deals, 1))
    return (f"{len(deals)} deals match the question and they say different things: {listed}. "
            "Which one do you mean? Name the other party, the work or the agreement.")


# A licence grants one side of a song: the recording (a master use licence) or the composition
# (a synchronisation, mechanical or print licence from the publishers). A question about the
# other side is not answered by its fee, however well the fee clause matches.
_ASKS_COMPOSITION = re.compile(r"\b(?:compositions?|publishers?|publishing|songwriters?|lyrics|musical\s+works?)\b", re.I)
_ASKS_RECORDING = re.compile(r"\b(?:masters?|sound\s+recordings?|recordings?|phonograms?|label)\b", re.I)
_RECORDING_LICENCE = re.compile(r"\bmaster(?:\s+(?:use|recording))?\s+licen[cs]e\b", re.I)
_COMPOSITION_LICENCE = re.compile(r"\b(?:synchroni[sz]ation|sync|mechanical|print|lyric)\s+licen[cs]e\b", re.I)


class DealScope:
    """One question's view of the deals among the viewer's documents: which family each document
    belongs to and who its parties are, each read once however many checks ask (the openings are
    store reads)."""

    def __init__(self, question: str, docs: dict[str, DocumentRecord], first_text: Callable[[DocumentRecord], str]):
        self.question = question
        self.docs = docs
        self._first_text = first_text
        self.wanted = counterparties(question)
        self._openings: dict[str, str] = {}
        self._parties: dict[str, str] = {}

    def family(self, doc: DocumentRecord) -> list[DocumentRecord]:
        return family_members(self.docs.values(), doc.doc_id) or [doc]

    def agreement(self, doc: DocumentRecord) -> DocumentRecord:
        members = self.family(doc)
        return next((m for m in members if m.family_role == "agreement"), members[0])

    def first_text(self, doc: DocumentRecord) -> str:
        if doc.doc_id not in self._openings:
            self._openings[doc.doc_id] = self._first_text(doc)
        return self._openings[doc.doc_id]

    def party_text(self, doc: DocumentRecord) -> str:
        """Who the parties of ``doc``'s family are, as text (``party_text``), memoised per family."""
        key = self.agreement(doc).doc_id
        if key not in self._parties:
            self._parties[key] = party_text(self.family(doc), self.first_text)
        return self._parties[key]

    def absent(self, doc: DocumentRecord) -> list[str]:
        """The names the question says the deal is with that are no party of ``doc``'s family."""
        if not self.wanted:
            return []
        text = self.party_text(doc)
        return [n for n in self.wanted if not names(text, n)]

    def competing(self, scored: Sequence[tuple[DocumentRecord, float, str]]) -> list[Deal]:
        """Two or more deals the question fits equally well and that say different things; [] when
        one deal stands out, when the answers agree, or when the deals are between the same parties
        (a deal and its successor: the current one answers, ``family_answer.resolve``).

        ``scored``: (document, its best unit's score, that unit's fact) per candidate document."""
        best: dict[str, Deal] = {}
        for doc, score, value in scored:
            agreement = self.agreement(doc)
            held = best.get(agreement.doc_id)
            if held is None or score > held.score:
                best[agreement.doc_id] = Deal(agreement, score, value)
        if len(best) < 2:
            return []
        top = max(d.score for d in best.values())
        close = sorted((d for d in best.values() if top > 0 and d.score >= CLOSE_SCORE * top), key=lambda d: -d.score)
        if len(close) < 2:
            return []
        # the deal whose parties the question names ("… pay Ada Quill?") is the one asked about
        asked = [n for n in name_terms(self.question) if len(n) > 1]
        if asked:
            named = {d.agreement.doc_id: sum(names(self.party_text(d.agreement), n) for n in asked) for d in close}
            most = max(named.values())
            close = [d for d in close if named[d.agreement.doc_id] == most]
            if len(close) < 2:
                return []
        values = {" ".join(d.value.lower().split()) for d in close}
        if len(values) < 2 or "" in values:
            return []
        parties = {frozenset(w for p in d.agreement.parties for w in name_words(p)) for d in close}
        if len(parties) < 2 or frozenset() in parties:
            return []  # the same parties (or parties unknown): not two deals to choose between
        return close

    def other_side(self, doc: DocumentRecord) -> str:
        """Why ``doc``'s family cannot answer a question about the other side of a song, or "":
        "the answering document is a master use licence (the recording only); the question asks
        about the composition". Only a licence's title decides: a recording agreement may well set
        rates for the artist's compositions (a controlled composition clause)."""
        composition, recording = bool(_ASKS_COMPOSITION.search(self.question)), bool(_ASKS_RECORDING.search(self.question))
        if composition == recording:
            return ""
        agreement = self.agreement(doc)
        title = f"{agreement.title} {file_words(agreement)} {opening(self.first_text(agreement))[:300]}"
        if composition and _RECORDING_LICENCE.search(title) and not _COMPOSITION_LICENCE.search(title):
            return "the answering document is a master use licence (the recording only); the question asks about the composition"
        if recording and _COMPOSITION_LICENCE.search(title) and not _RECORDING_LICENCE.search(title):
            return "the answering document licenses the composition only; the question asks about the recording"
        return ""
