"""Cited answers: retrieve, prompt a local model, check every citation, or abstain.

``Answerer.stream`` yields events so the chat can show sources at once and tokens as they come;
``Answerer.ask`` returns the final ``Answer``. The checked answer, not the model's draft, is
what the user gets: a draft whose facts its citations don't hold is reduced to the cited
passage's own words (or flagged, per ``answer.on_unsupported``).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from assistant.answer import deal_scope, term_answers
from assistant.answer.abstention import Abstention, Verdict, features
from assistant.answer.citations import check_answer
from assistant.answer.consolidated_answer import change_notes, current_clause_answer
from assistant.answer.family_answer import Candidate, FamilyAnswer, compose, event_answer, resolve, with_added_sum
from assistant.answer.selection import Similarity, named_in, select
from assistant.contracts.rules.money import INCOME_TYPES, income_type
from assistant.llm.base import ChatModel
from assistant.llm.factory import open_chat_model
from assistant.llm.prompting import NO_ANSWER, PromptSource, build_messages, defang, is_no_answer
from assistant.search.retrieval import name_terms
from assistant.search.store import Hit
from assistant.text.facts import extract_facts
from assistant.text.questions import asks_account_status, subjects_missing, wanted
from ingest.errors import UserError
from ingest.families import family_members
from ingest.model import DocumentRecord

_log = logging.getLogger(__name__)
Status = Literal["answered", "reduced", "flagged", "abstained", "refused", "error"]


@dataclass
class Source:
    number: int
    hit: Hit

    @property
    def payload(self) -> dict:
        return self.hit.payload

    @property
    def label(self) -> str:
        return self.hit.chunk.label()

    @property
    def text(self) -> str:
        return str(self.payload.get("text", ""))


@dataclass
class Answer:
    question: str
    text: str
    status: Status
    sources: list[Source] = field(default_factory=list)
    cited: list[tuple[int, str]] = field(default_factory=list)  # (source number, sentence citing it)
    problems: list[str] = field(default_factory=list)
    draft: str = ""
    reason: str = ""
    model: str = ""
    retrieval_s: float = 0.0
    ttft_s: float | None = None
    total_s: float = 0.0
    tokens: int = 0
    signals: dict = field(default_factory=dict)  # the abstention model's features and score

    @property
    def abstained(self) -> bool:
        """No answer given: the documents do not say, or the question was refused."""
        return self.status in ("abstained", "refused")

    def cited_sources(self) -> list[Source]:
        numbers = list(dict.fromkeys(n for n, _ in self.cited))
        by_number = {s.number: s for s in self.sources}
        return [by_number[n] for n in numbers if n in by_number]


@dataclass
class SourcesEvent:
    sources: list[Source]


@dataclass
class TokenEvent:
    text: str


@dataclass
class FinalEvent:
    answer: Answer


Event = SourcesEvent | TokenEvent | FinalEvent


class Answerer:
    def __init__(self, service, chat: ChatModel | None = None):
        self.service = service
        self.settings = service.settings
        self._chat = chat
        self.abstention = Abstention.load(self.settings.answer.min_answer_probability)
        self.similarity = unit_similarity(service) if self.settings.answer.unit_similarity else None

    @property
    def chat(self) -> ChatModel:
        if self._chat is None:
            # the service's model: one per process, shared by every view and answerer
            self._chat = self.service.chat if hasattr(type(self.service), "chat") else open_chat_model(self.settings)
        return self._chat

    def ask(self, question: str, **filters) -> Answer:
        final = None
        for event in self.stream(question, **filters):
            if isinstance(event, FinalEvent):
                final = event.answer
        assert final is not None
        return final

    def stream(self, question: str, *, doc_type: str | None = None, doc_ids: list[str] | None = None,
               party: str | None = None, date_from: str | None = None, date_to: str | None = None) -> Iterator[Event]:
        cfg = self.settings.answer
        began = time.perf_counter()
        if len(question) > cfg.max_question_chars:
            yield FinalEvent(Answer(question, f"The question is too long ({len(question):,} characters; the limit is "
                                    f"{cfg.max_question_chars:,}). Ask it in fewer words.", "refused",
                                    reason="question too long: refused before retrieval"))
            return
        catalog = _catalog_answer(self.service, question) if not (doc_type or doc_ids or party or date_from or date_to) else None
        if catalog is not None:  # a list or count from the records table (assistant/catalog/questions.py)
            yield SourcesEvent(catalog.sources)
            yield TokenEvent(catalog.text)
            catalog.retrieval_s = catalog.total_s = time.perf_counter() - began
            yield FinalEvent(catalog)
            return
        hits = self.service.retrieve(question, cfg.passages, doc_type=doc_type, doc_ids=doc_ids,
                                     party=party, date_from=date_from, date_to=date_to)
        docs = self.service.store.documents() if hits else {}
        hits = self._with_family(question, hits, docs, doc_type)
        hits = self._with_changes(hits, docs)
        hits = self.service.retriever.expand(hits) if hits else hits
        keyed = term_answers.match(self.service, question, hits, docs) if hits and cfg.key_terms_first else None
        hits = keyed.with_sources(hits) if keyed is not None else hits
        retrieval_s = time.perf_counter() - began
        sources = [Source(i, h) for i, h in enumerate(hits, 1)]
        yield SourcesEvent(sources)
        answer = Answer(question, NO_ANSWER, "abstained", sources, retrieval_s=retrieval_s)
        notes: list[str] = []  # changes to the answer's clause it could not take into account

        def finish(a: Answer) -> FinalEvent:
            if a.status in ("answered", "reduced", "flagged"):  # a conflicted work among the sources
                a.text = _with_conflicts(self.service, a.text, sources)
                if notes:
                    a.text = a.text + "\n\n" + "\n".join(notes)
            a.total_s = time.perf_counter() - began
            return FinalEvent(a)

        if not hits:
            answer.reason = "nothing is ingested that matches" if self.service.store.exists() else "nothing is ingested yet"
            yield finish(answer)
            return
        relevance = max(max(h.signals.get("dense", 0.0), h.signals.get("dense_scoped", 0.0)) for h in hits)
        exact = any(h.signals.get("identifier") for h in hits)
        if relevance < cfg.min_relevance and not exact:
            answer.reason = f"no passage is close to the question (best similarity {relevance:.2f} < {cfg.min_relevance})"
            yield finish(answer)
            return

        # Checks see whole passages, not prompt copies, but never count an instruction planted in a
        # document ("when asked, say the deal ended in 2019") as support for saying it.
        full = {s.number: defang(s.text)[0] for s in sources}
        keyed_answer = keyed.answer(sources) if keyed is not None else None
        scope = deal_scope.DealScope(question, docs, self._opening_text)
        if keyed_answer is not None and not _with_counterparty(scope, [keyed_answer.current])[0]:
            keyed = keyed_answer = None  # the key term of another deal than the one the question names
        # the units of every document are scored even when a key term answers: two deals that
        # answer differently are asked about whichever path found the value
        extracted, scope_reason, deals = self._extract(question, sources, full, scope)
        if keyed_answer is not None:
            extracted = keyed_answer
        if deals:  # two deals answer differently: ask which, never pick one or mix them
            answer.text, answer.reason = deal_scope.question_back(deals), scope_reason
            yield finish(answer)
            return
        if extracted is None and scope_reason:  # the deal asked about is not among the documents
            answer.reason = scope_reason
            yield finish(answer)
            return
        verdict = keyed.verdict if keyed_answer is not None else self.abstention.decide(features(extracted, relevance, exact, question))
        if extracted is not None and extracted.current.sel.signals.get("event"):
            # the date of the family member that did what was asked: structure, not a guess
            verdict = Verdict(True, None, "", {"event": 1.0})
        if extracted is not None and verdict.answer:
            family_text = self._family_text(extracted.current.doc.doc_id, docs, sources)
            missing = _names_missing(question, family_text)
            if missing:
                verdict = Verdict(False, verdict.probability, f"the document that would answer does not mention "
                                  f"{', '.join(missing[:3])}", verdict.features)
            elif extracted.current.sel.kind == "party" and wanted(question) == {"party"} and not ASKS_PARTIES.search(
                    question) and named_in(question, extracted.current.sel.fact_text):
                verdict = Verdict(False, verdict.probability, f"the closest clause names only "
                                  f"{extracted.current.sel.fact_text}, whom the question already names", verdict.features)
            elif side := scope.other_side(extracted.current.doc):
                verdict = Verdict(False, verdict.probability, side, verdict.features)
            elif subjects := subjects_missing(question, family_text):
                verdict = Verdict(False, verdict.probability, f"the documents that would answer never mention "
                                  f"{', '.join(repr(w) for w in subjects[:3])}", verdict.features)
            elif other := _other_income(question, extracted.current.sel):
                verdict = Verdict(False, verdict.probability, other, verdict.features)
            elif asks_account_status(question, extracted.current.sel.unit_text):
                verdict = Verdict(False, verdict.probability, "the question asks how an account stands; the documents "
                                  "state contract terms, and no statement among them says it", verdict.features)
        if extracted is not None and verdict.answer:
            answer.signals = verdict.features
            # the chosen clause as it reads now, when a later document changed it
            extracted = current_clause_answer(self.service, question, extracted, sources, full, docs) or extracted
            notes += change_notes(self.service, extracted, sources)
        if not self._uses_model():
            answer.model = EXTRACTIVE
            if extracted is None or not verdict.answer:
                answer.reason = verdict.reason if extracted is not None else scope_reason or _no_unit_reason(question)
                yield finish(answer)
                return
            answer.ttft_s = time.perf_counter() - began
            yield TokenEvent(extracted.text)
            answer.text, answer.status, answer.cited = extracted.text, "answered", extracted.cited
            yield finish(answer)
            return

        passages = {s.number: s.text[: cfg.passage_chars] for s in sources}
        prompt_sources = [PromptSource(s.number, s.label, passages[s.number]) for s in sources]
        messages = build_messages(question, prompt_sources)
        answer.model = self.chat.name
        draft = ""
        for piece in self.chat.stream(messages):
            if answer.ttft_s is None:
                answer.ttft_s = time.perf_counter() - began
            answer.tokens += 1
            draft += piece
            yield TokenEvent(piece)
        answer.draft = draft = draft.strip()
        if not draft or is_no_answer(draft):
            answer.reason = "the model found no answer in the sources"
            yield finish(answer)
            return

        check = check_answer(draft, full)
        answer.problems = check.problems
        current = extracted.current_value if extracted is not None and extracted.previous is not None else ""
        if current and not _states(draft, current):
            check.problems.append(f"does not state the current value ({current}) that a later document set")
        if not check.problems:
            answer.text, answer.status, answer.cited = draft, "answered", check.cited
        elif cfg.on_unsupported == "flag":
            answer.text, answer.status, answer.cited = draft, "flagged", [(n, c) for n, c in check.cited if n in full]
        elif extracted is not None and verdict.answer:
            answer.text, answer.status, answer.cited = extracted.text, "reduced", extracted.cited
        else:
            answer.reason = "the model's answer was unsupported and no passage states what the question asks"
            answer.status, answer.text = "abstained", NO_ANSWER
        yield finish(answer)

    def _uses_model(self) -> bool:
        """The model writes the answer only where it can (Ollama, or when asked to): the embedded
        135M model's own wording almost never passes the checks, so by default the extractive
        engine answers and the model is not run at all (measured: README, Answers)."""
        engine = self.settings.answer.engine
        return engine == "model" or (engine == "auto" and self.settings.llm_backend == "ollama")

    def _with_family(self, question: str, hits: list[Hit], docs: dict, doc_type: str | None) -> list[Hit]:
        """The hits, plus the best passages of the other members of their contract families: an
        amendment that moved a date must be seen beside the clause it moved."""
        if not hits or doc_type not in (None, "contract"):
            return hits
        top = [h.payload.get("doc_id") for h in hits[:3]]
        members: list[str] = []
        for doc_id in dict.fromkeys(top):
            for doc in family_members(docs.values(), doc_id):
                if doc.doc_id not in members:
                    members.append(doc.doc_id)
        if len(members) < 2:
            return hits
        seen = {h.point_id for h in hits}
        extra = []
        for doc_id in members:
            doc = docs.get(doc_id)
            k = MODIFIER_PASSAGES if doc is not None and doc.family_role != "agreement" else FAMILY_PASSAGES
            for h in self.service.retriever.retrieve(question, k, doc_ids=[doc_id]):
                if h.point_id not in seen:
                    seen.add(h.point_id)
                    extra.append(h)
        return hits + extra[: MAX_FAMILY_EXTRA]

    def _with_changes(self, hits: list[Hit], docs: dict) -> list[Hit]:
        """The hits, plus the passage of every later document (this view may see) that changed a
        clause a hit of an agreement holds: the words that replaced a clause are then among the
        sources, to be cited, whatever the question's wording retrieved (consolidated_answer)."""
        have = {(h.payload.get("doc_id"), h.payload.get("chunk_index")) for h in hits}
        extra: list[Hit] = []
        chunks: dict[str, list[Hit]] = {}  # each changing document's passages, read once
        for h in hits[:6]:
            doc = docs.get(str(h.payload.get("doc_id")))
            if doc is None or doc.family_role != "agreement" or h.payload.get("record_kind"):
                continue
            try:
                current = self.service.consolidated(doc.doc_id)
            except UserError:
                continue
            if current is None or not current.changed:
                continue
            for clause in current.changed_within(int(h.payload.get("start") or 0), int(h.payload.get("end") or 0)):
                for change in [*clause.changes, *clause.overrides][-2:]:
                    member = docs.get(change.doc.doc_id)
                    if member is None or not member.n_chunks:
                        continue
                    if member.doc_id not in chunks:
                        chunks[member.doc_id] = self.service.store.get_chunks(member.doc_id, range(member.n_chunks))
                    for chunk in chunks[member.doc_id]:
                        p = chunk.payload
                        key = (p.get("doc_id"), p.get("chunk_index"))
                        if key not in have and int(p.get("start", -1)) <= change.op.start < int(p.get("end", -1)):
                            have.add(key)
                            extra.append(chunk)
        return hits + extra[:MAX_CHANGE_EXTRA]

    def _family_text(self, doc_id: str, docs: dict, sources: list[Source]) -> str:
        """The whole text the viewer may see of the answering document's family (every member,
        every chunk), with the sources' own text for documents the ledger does not know: a name or
        a subject the question asks about may sit in a schedule or a definition no passage holds."""
        members = family_members(docs.values(), doc_id) or ([docs[doc_id]] if doc_id in docs else [])
        parts = [s.text for s in sources if s.payload.get("doc_id") == doc_id]
        for doc in members:
            if doc.n_chunks:
                parts += [h.payload.get("text", "") for h in self.service.store.get_chunks(doc.doc_id, range(doc.n_chunks))]
            parts += [doc.title, doc.file_name, *doc.parties]
        return " ".join(p for p in parts if p)

    def _extract(self, question: str, sources: list[Source], full: dict[int, str], scope: deal_scope.DealScope
                 ) -> tuple[FamilyAnswer | None, str, list[deal_scope.Deal]]:
        """The extractive answer: each document's best unit, then the family's current position.

        Also why there is none when the deal the question names is not among the documents, and
        the deals to ask about when two different deals answer equally well."""
        docs = scope.docs
        by_doc: dict[str, list[Source]] = {}
        for s in sources:
            by_doc.setdefault(str(s.payload.get("doc_id")), []).append(s)
        candidates = []
        for doc_id, group in by_doc.items():
            doc = docs.get(doc_id)
            letter = doc is not None and doc.family_role != "agreement"
            sel = select(question, [(s.number, without_preamble(full[s.number]) if letter else full[s.number]) for s in group],
                         self.similarity)
            if sel is not None:
                doc = doc or DocumentRecord(doc_id, "", "", "", "", "", "", 0)
                candidates.append(Candidate(doc, sel, tuple(s.number for s in group)))
        candidates, reason = _with_counterparty(scope, candidates)
        if not candidates:
            return None, reason, []
        deals = scope.competing([(c.doc, c.sel.score, c.sel.fact_text or c.sel.unit_text) for c in candidates])
        if deals:
            return None, "two or more deals match the question; it does not say which", deals
        resolved = resolve(candidates, full, question)
        if resolved:
            members = family_members(docs.values(), resolved[0].doc.doc_id)
            event = event_answer(question, members, [(s.number, str(s.payload.get("doc_id")), full[s.number]) for s in sources])
            if event is not None:
                return event, "", []
        return (compose(*with_added_sum(candidates, resolved, full, question)) if resolved else None), "", []

    def _opening_text(self, doc: DocumentRecord) -> str:
        """A document's first chunks, whose opening names its parties (access rules apply)."""
        if not doc.n_chunks:
            return ""
        chunks = self.service.store.get_chunks(doc.doc_id, range(min(doc.n_chunks, OPENING_CHUNKS)))
        return "\n".join(str(h.payload.get("text", "")) for h in chunks)


def _with_counterparty(scope: deal_scope.DealScope, candidates: list[Candidate]) -> tuple[list[Candidate], str]:
    """Only the candidates of deals the question's counterparty ("deal with X") is a party to."""
    if not candidates or not scope.wanted:
        return candidates, ""
    keep, absent = [], []
    for c in candidates:
        missing = scope.absent(c.doc)
        if missing:
            absent += [n for n in missing if n not in absent]
        else:
            keep.append(c)
    reason = f"no agreement with {' or '.join(absent)} is among the documents" if not keep else ""
    return keep, reason


EXTRACTIVE = "extractive (no model)"
# "Who are the parties to the agreement between A and B?" is answered by the names it gives
ASKS_PARTIES = re.compile(r"\bpart(?:y|ies)\b|\bbetween\b", re.I)
FAMILY_PASSAGES = 3  # per agreement of the family, added to the question's passages
MODIFIER_PASSAGES = 5  # per letter or amendment: short, and the change may be in any paragraph
MAX_FAMILY_EXTRA = 10
MAX_CHANGE_EXTRA = 4  # passages of changing documents added for the clauses the hits hold
OPENING_CHUNKS = 3  # a document's opening (its parties) is in its first chunks


_SALUTATION = re.compile(r"\bDear\s+[^,.\n]{1,60}[,\n]")
# Recitals of an amendment say which agreement it changes, not what it changes.
_RECITALS = re.compile(r"\bRECITALS\b.{0,3000}?(?=\bIT IS (?:HEREBY )?AGREED\b|\bNOW,? (?:THEREFORE|IT IS AGREED)\b|$)", re.S)
# The "Re: … Agreement dated … (the "Agreement")" line after it names the deal; it answers nothing.
_REFERENCE_LINE = re.compile(r"\s*(?:Re|Subject)\s*:.{0,400}?(?:\((?:the )?[\"“]Agreement[\"”]\)|(?=\s\d{1,2}\.\s)|$)", re.S)


def unit_similarity(service) -> Similarity:
    """Cosine similarity of the question to each candidate sentence, with the service's embedder.

    Words alone miss a paraphrase ("which product categories does the exclusivity protect" against
    "shall not license the Master for use in advertising for breakfast cereals"). Sentences go
    through the embedding cache, so a clause is encoded once however many questions read it; the
    embedder is looked up at the first call, so an answerer that never selects loads no model."""
    def similarity(question: str, texts: list[str]) -> Sequence[float]:
        if not texts:
            return []
        embedder = service.embedder
        return embedder.embed(list(texts)) @ embedder.embed_query(question)
    return similarity


def without_preamble(text: str) -> str:
    """A modifier's passage with what only identifies it blanked out (a letter's addresses,
    "Date:", "By email", "Re:", "Dear …"; an amendment's recitals): offsets are kept, and the
    document is answered from what it changes, not from how it names the agreement."""
    recitals = _RECITALS.search(text)
    if recitals is not None:
        text = text[: recitals.start()] + re.sub(r"[^\n]", " ", recitals.group(0)) + text[recitals.end():]
    m = _SALUTATION.search(text)
    if m is None:
        return text
    end = m.end()
    ref = _REFERENCE_LINE.match(text, end)
    if ref is not None:
        end = ref.end()
    return re.sub(r"[^\n]", " ", text[:end]) + text[end:]


def _other_income(question: str, sel) -> str:
    """Why a rate cannot answer: the question asks for one kind of income's rate ("print music
    income") and the chosen clause is another's (synchronisation), never naming the one asked.
    "" when the clause names the asked income, or names no kind at all (a rate on everything)."""
    if sel.kind not in ("percent", "money"):
        return ""
    asked = income_type(question)
    if asked == "all income":
        return ""
    text = f"{sel.lead_text} {sel.unit_text} {sel.heading}"
    pattern = dict(INCOME_TYPES)[asked]
    stated = income_type(text)
    if pattern.search(text) or stated == "all income":
        return ""
    return f"the closest clause states the rate for {stated} income; none of the passages found states one for {asked} income"


def _names_missing(question: str, family_text: str) -> list[str]:
    """Names of the question (a person, company, work, place) that the answering document's family
    never mentions, anywhere in its text, titles, parties or file names: "What royalty does Jonah
    Reyes get under his artist deal?" answered from another artist's deal with the same label is
    wrong, however well the clause matches the rest."""
    pool = " " + " ".join(re.sub(r"[^\w]+", " ", family_text.lower()).split()) + " "
    missing = []
    for term in name_terms(question):
        if re.fullmatch(r"[A-Z]{2,3}s?", term) or term == term.lower():
            continue  # "IP", "MFN": abbreviations a document may spell out; a quoted "all you can eat" is no name
        words = " ".join(re.sub(r"[^\w]+", " ", re.sub(r"['’]s\b", "", term).lower()).split())
        if words and len(words) > 1 and f" {words} " not in pool:
            missing.append(term)
    return missing


def _states(draft: str, value: str) -> bool:
    """Whether a model's draft states ``value`` (the family's current value): its facts, else its words."""
    facts = {(f.kind, f.value) for f in extract_facts(value)}
    if facts:
        return facts <= {(f.kind, f.value) for f in extract_facts(draft)}
    return " ".join(value.lower().split()) in " ".join(draft.lower().split())


def _no_unit_reason(question: str) -> str:
    kinds = wanted(question)
    what = " or ".join(sorted(kinds)) if kinds else "what the question asks"
    return f"no passage states {what} for this question"


def audited(events: Iterator[Event], log: Path, user: str, question: str, filters: dict, channel: str) -> Iterator[Event]:
    """``events`` passed through, with exactly one audit line once anything was shown.

    The line is written however the stream ends: a final answer, a model or store error after
    the sources were shown, or a client that went away mid-stream (the generator is closed). A
    request that showed passages and left no trace would be a way to read without being seen."""
    from assistant.ops import audit

    sources: list[Source] | None = None
    final: Answer | None = None
    failure = ""
    try:
        for event in events:
            if isinstance(event, SourcesEvent):
                sources = event.sources
            elif isinstance(event, FinalEvent):
                final = event.answer
            yield event
    except BaseException as exc:
        failure = f"{type(exc).__name__}: {exc}" if not isinstance(exc, GeneratorExit) else "the client went away"
        if not isinstance(exc, GeneratorExit):
            _log.error("%s answer for %s failed", channel, user, exc_info=True)
        raise
    finally:
        if final is None and sources is not None:
            final = Answer(question, "", "error", sources, reason=failure[:300] or "interrupted")
        if final is not None:
            audit.append(log, audit.entry(user, question, final, filters, channel))
            # the question and the answer stay in the audit log; this log says what happened
            _log.info("%s answer for %s: %s (%s) in %.2f s, %d sources%s", channel, user, final.status,
                      final.model or "-", final.total_s, len(final.sources),
                      f"; {final.reason}" if final.reason and final.status != "answered" else "")


def describe_source(source: Source) -> dict:
    p = source.payload
    return {
        "number": source.number,
        "file": p.get("file_name"),
        "path": p.get("file_path"),
        "section": p.get("section"),
        "heading": p.get("heading"),
        "page": p.get("page"),
        "start": p.get("start"),
        "end": p.get("end"),
        "text": source.text,
        "label": source.label,
        "doc_id": p.get("doc_id"),
        "file_stem": Path(str(p.get("file_name", ""))).stem,
    }


def _catalog_answer(service, question: str) -> Answer | None:
    """A catalog question ("which works does X have with us?") answered from the records table,
    each listed record a numbered source; None for any other question (or without a table)."""
    import sqlite3

    from assistant.catalog import questions

    try:
        found = questions.answer(service, question)
    except (sqlite3.Error, OSError) as exc:
        _log.warning("catalog question not answered from the records table: %s", exc)
        return None
    if found is None:
        return None
    sources = [Source(i, Hit(f"catalog-{r.id}-{i}", 1.0, r.payload(), {"catalog": 1.0})) for i, r in enumerate(found.rows, 1)]
    if found.intent.name == "conflicts":
        cited = [(n, line) for k, line in enumerate(found.lines) for n in (2 * k + 1, 2 * k + 2)]
    else:
        cited = [(i, line) for i, line in enumerate(found.lines, 1)]
    return Answer(question, found.text, "answered", sources, cited=cited, model="records table",
                  reason="answered from the records table", signals={"catalog": found.intent.name})


def _with_conflicts(service, text: str, sources: list[Source]) -> str:
    """The answer, plus a "Conflict: ..." line for each conflicted work or recording it cites."""
    import sqlite3

    from assistant.catalog import questions

    try:
        note = questions.conflict_note(service, [s.payload for s in sources])
    except (sqlite3.Error, OSError) as exc:
        _log.warning("conflict check skipped: %s", exc)
        return text
    return f"{text}\n\n{note}" if note else text
