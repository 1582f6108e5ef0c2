"""Answers chosen, not written: the passage unit that states the asked fact, and the fact in it.

A small local model cannot be trusted to write an answer, so ``select`` scores every unit of the
numbered passages (``candidates`` returns them all, ranked): coverage of the question's key
terms (rare words weigh more; names that merely pick the document, less), the wanted fact, cues
that the unit *states* the term ("the Term shall expire on", the fact next to the asked word), an
optional semantic similarity, and penalties for recitals, definitions of other terms, preambles
and boilerplate. ``signals`` keep the features for an abstention model fitted elsewhere;
``select`` itself abstains only when no unit holds a wanted kind of fact.

Pure text logic: no model is loaded here. A caller with an embedder passes ``similarity``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from assistant.text.facts import Fact
from assistant.text.kinds import COUNTRIES, find_facts, is_relative_date
from assistant.text.parties import names
from assistant.text.questions import (
    CHANGE_PHRASE,
    COMPATIBLE_KINDS,
    DATED_REFERENCE,
    KIND_WORD_WEIGHT,
    KIND_WORDS,
    QUESTION_STOPWORDS,
    STATING,
    SYNONYMS,
    WORD,
    asked_kinds,
    kind_groups,
    stems_match,
    wanted,
    word_stem,
    word_tokens,
)
from assistant.text.units import DEFINITION, Unit, answer_units
from ingest.identifiers import IDENTIFIER_LIKE

Similarity = Callable[[str, list[str]], Sequence[float]]

_NAME = re.compile(r"[\"“]([^\"”]{2,80})[\"”]|\b[A-Z][\w&'’.-]*[A-Za-z0-9]|\b[A-Z]\b")
_QUESTION_OPENERS = frozenset("what when where who whom whose which why how does do did is are was were can could may must shall will would should has have had if under in on of for".split())


_DESCRIPTOR = re.compile(r"\b((?:[\w'’-]+\s+){1,2}?)(?:agreement|deal|contract|licen[cs]e|letter|amendment|side\s+letter)\b", re.I)


@dataclass
class _Term:
    word: str
    stems: set[str]
    name: bool
    weight: float = 1.0


def _question_terms(question: str) -> list[_Term]:
    names: set[str] = set()
    for m in _NAME.finditer(question):
        raw = m.group(1) or m.group(0)
        if m.start() == 0 and not m.group(1) and raw.lower() in _QUESTION_OPENERS | QUESTION_STOPWORDS:
            continue
        for w in word_tokens(raw):
            names.add(w)
    for m in _DESCRIPTOR.finditer(question):
        for w in word_tokens(m.group(1)):
            names.add(w)
    terms: list[_Term] = []
    seen = set()
    for w in word_tokens(question):
        if len(w) <= 2 and w not in SYNONYMS or w in QUESTION_STOPWORDS or w in seen:
            continue
        seen.add(w)
        alts = {w, *SYNONYMS.get(w, ())}
        stems = {word_stem(a) for a in alts for a in [a]} | {word_stem(p) for a in alts for p in a.split("-") if len(p) > 3}
        is_name = w in names and not re.fullmatch(COUNTRIES, w.title()) and not re.fullmatch(COUNTRIES, w.upper())
        terms.append(_Term(w, stems, is_name))
    return terms


_WH = re.compile(r"\b(?:how\s+(?:much|many|long|often)|what|which|whose)\b", re.I)


def _focus(question: str) -> set[str]:
    """The words naming what is asked: "notice" in "How much notice ...", "administration fee" in
    "What administration fee does ...", "rate" in "What is the controlled composition rate"."""
    m = _WH.search(question)
    if not m:
        return set()
    words = word_tokens(question[m.end():])
    out: list[str] = []
    for w in words:
        if w in QUESTION_STOPWORDS and w not in SYNONYMS:
            if out:
                break
            continue
        out.append(w)
        if len(out) == 3:
            break
    return set(out)


def _term_positions(text: str, terms: Sequence[_Term], weights: dict[int, float] | None = None) -> list[int]:
    """Offsets in ``text`` of the words that match one of ``terms`` (into ``weights``, by offset,
    the weight of the term matched)."""
    out = []
    for m in WORD.finditer(text.lower().replace("’", "'")):
        stem = word_stem(m.group(0))
        hit = [t for t in terms if stems_match(t.stems, {stem})]
        if hit:
            out.append(m.start())
            if weights is not None:
                weights[m.start()] = max(t.weight for t in hit)
    return out


def _identifiers(text: str) -> set[str]:
    return {re.sub(r"[^A-Z0-9]", "", m.group(0)) for m in IDENTIFIER_LIKE.finditer(text.upper()) if re.search(r"\d", m.group(0))}


@dataclass
class Selection:
    """The unit chosen to answer, where it is, and the wanted fact in it.

    ``start``/``end`` (and ``lead_start``/``lead_end``, ``fact_start``/``fact_end``) are offsets
    into passage ``number``; ``unit_text == passage[start:end]``. ``signals`` are the features the
    score was made of, for an abstention model fitted elsewhere."""

    number: int
    unit_text: str
    start: int
    end: int
    fact_text: str
    kind: str
    score: float
    signals: dict = field(default_factory=dict)
    fact_start: int | None = None
    fact_end: int | None = None
    lead_text: str = ""
    lead_start: int | None = None
    lead_end: int | None = None
    label: str = ""
    heading: str = ""
    role: str = "operative"
    unit_kind: str = "sentence"

    @property
    def full_text(self) -> str:
        return f"{self.lead_text} {self.unit_text}" if self.lead_text else self.unit_text


# Score weights: coverage of the question's terms dominates; the rest order near-ties.
W_COVERAGE = 1.0
W_KIND = 0.35
W_STATES = 0.15
W_NEAR = 0.15
NEAR_CHARS = 60
W_DEFINES = 0.12
W_ROLE_LABEL = 0.2  # the fact is labelled by a defined term of the question ("(the "Termination Date")")
W_HEADING = 0.5  # a term in the unit's heading counts half
W_SIMILARITY = 0.25
W_IDENTIFIER = 0.8
W_CHANGE = 0.12
W_ENDS = 0.2  # "until when ...?": a date the unit says something runs until, expires or ends on
ASKS_END = re.compile(r"\buntil\s+when\b|\bhow\s+long\b|\b(?:expir\w*|ends?|ending|lasts?|runs?\s+(?:out|until))\b", re.I)
ENDS_ON = re.compile(r"\b(?:until|till|through|to|ending(?:\s+on)?|expir\w*(?:\s+on)?|ends?\s+on|terminat\w*\s+on|no\s+later\s+than)\s*$", re.I)
NAME_WEIGHT = 0.35  # a name that picks the document (a party, the artist) says little within it
OTHER_NAME_WEIGHT = 0.6  # other names (a work, a society) say what about, the plain words what is asked
ROLE_PENALTY = {"operative": 0.0, "definition": -0.12, "recital": -0.3, "preamble": -0.2, "boilerplate": -0.4}
RANK_PENALTY = 0.004
LONG_UNIT = 600
RELATIVE_DATE_SHARE = 0.75  # "when": a period after an event answers, a calendar date answers better
LONG_PENALTY = -0.08


def _kind_facts(facts: list[Fact], kinds: Sequence[str]) -> list[Fact]:
    return [f for f in facts if f.kind in kinds]


def named_in(question: str, party: str) -> bool:
    """Whether ``party`` ("Vantage Digital GmbH") is a name the question already uses ("after
    Vantage"), company forms and trade words aside (``assistant.text.parties``)."""
    return names(question, party)


def _choose_fact(
    text: str, facts: list[Fact], want_order: list[str], term_positions: list[int], question: str,
    focus_positions: Sequence[int] = (), weights: dict[int, float] | None = None,
) -> tuple[Fact | None, str]:
    """The fact the question asks for in ``text`` (a unit, with its lead-in): of the first wanted
    kind present; the one after a change ("replaced with"), after the question's terms and a
    stating verb, not a reference ("Agreement dated ..."), else the first."""
    pools = [sorted(g) for k in want_order for g in kind_groups({k}, question)]
    for pool in pools:
        cands = _kind_facts(facts, pool)
        if cands:
            break
    else:
        compatible = [c for k in want_order for c in COMPATIBLE_KINDS.get(k, ())]
        cands = _kind_facts(facts, compatible)
        if not cands:
            return None, ""
    asks_agreement_date = bool(re.search(r"\b(?:signed|dated|effective|made|entered)\b", question, re.I))
    asks_end = bool(ASKS_END.search(question))

    def rank(f: Fact) -> float:
        before = text[max(0, f.start - 160):f.start]
        r = 0.0
        if labelled(text, f, term_positions):
            r += 2.0  # "October 31, 2023 (the "Termination Date")": the value of the role asked about
        if CHANGE_PHRASE.search(before[-60:]):
            r += 2.0
        if re.search(r"\bthe\s+words?\s*[\"“]?$", before, re.I) or re.search(r"\b(?:deleted|replaced)\b", text[f.end:f.end + 30]):
            r -= 1.5  # the old value an amendment deletes
        if any(p < f.start for p in term_positions) and any(f.start - p < 200 for p in term_positions if p < f.start):
            r += 1.0
        if any(0 <= f.start - p <= NEAR_CHARS or 0 <= p - f.end <= 25 or f.start <= p < f.end for p in focus_positions):
            r += 1.5  # next to the word naming what is asked: "ninety (90) days' written notice"
        if STATING.search(before[-80:]):
            r += 0.5
        # the question's words in the same clause as the fact: "the commission on live income shall be 15%"
        cut = max((m.end() for m in re.finditer(r"[,;:(]|\bsave\s+that\b|\bprovided\s+that\b|\bexcept\b", before)), default=0)
        seg_start = f.start - len(before) + cut
        if any(0 < f.start - p <= 16 for p in term_positions):
            r += 0.5  # the word just before the fact governs it: "ending on 3 February 2026"
        in_clause = [p for p in term_positions if seg_start <= p < f.start]
        r += 0.4 * len(in_clause)
        if weights and in_clause:
            r += 0.1 * sum(weights.get(p, 0.0) for p in in_clause)  # rarer words say more
        if DATED_REFERENCE.search(before) and f.kind == "date" and not asks_agreement_date:
            r -= 1.0
        if asks_end and f.kind == "date" and ENDS_ON.search(before[-24:]):
            r += 1.0  # "until when?": of "from 1 April 2023 until 31 March 2024", the end
        if f.kind == "permission" and re.match(r"(?i)may\b", f.text):
            r -= 0.3
        if f.kind == "party" and not re.search(r"\bpart(?:y|ies)\b|\bbetween\b", question, re.I) and named_in(question, f.text):
            r -= 3.0  # "Who is Ferngrove's distributor?" is not answered by "Ferngrove Records Ltd"
        if f.kind == "party" and re.fullmatch(r"\(\s*[\"“][^\"”]{1,40}[\"”]\s*\)", f.text.strip()):
            r -= 2.5  # '("Label")' is a role, not who holds it
        return r - 0.001 * f.start

    best = max(cands, key=rank)
    return best, best.kind


# A value named by the defined term right after it: "October 31, 2023 (the "Termination Date")".
_LABEL = re.compile(r"[\s,]{0,3}\(\s*(?:the\s+|each\s+a\s+|together\s+the\s+)?[\"“]([^\"”]{2,40})[\"”]\s*\)", re.I)


def labelled(text: str, fact: Fact, term_positions: Sequence[int]) -> bool:
    """Whether ``fact`` is named, right after it, by a defined term holding one of the question's
    words: the clause says in so many words which role the value plays."""
    m = _LABEL.match(text, fact.end)
    return m is not None and any(m.start(1) <= p < m.end(1) for p in term_positions)


def _merge_close(text: str, chosen: Fact, facts: list[Fact], kinds: list[str]) -> Fact:
    """One span for the facts of several wanted kinds said together: "semi-annually within ninety
    (90) days after 30 June and 31 December"."""
    span = [chosen.start, chosen.end]
    others = [f for f in facts if f.kind in kinds and f.kind != chosen.kind]
    changed = True
    while changed:
        changed = False
        for f in others:
            if f.start >= span[0] and f.end <= span[1]:
                continue
            gap = text[span[1]:f.start] if f.start >= span[1] else text[f.end:span[0]] if f.end <= span[0] else ""
            if (f.start < span[1] and f.end > span[0]) or (len(gap) <= 16 and not re.search(r"[.;:()]", gap)):
                span = [min(span[0], f.start), max(span[1], f.end)]
                changed = True
    return Fact(chosen.kind, span[0], span[1], text[span[0]:span[1]])


@dataclass
class Candidate:
    """One unit of one passage, scored for a question (``eligible``: holds a wanted kind of fact)."""

    number: int
    rank: int  # the passage's place in ``passages``
    unit: Unit
    passage: str
    score: float
    signals: dict
    fact: Fact | None  # offsets into ``unit.full_text``
    eligible: bool


def _own_heading(u: Unit, passage: str) -> str:
    """The heading written on the unit's own line, just before it ("6.3 Synchronisation income."):
    it names the unit's subject as surely as its words do. A section heading further up names a
    whole section and counts for less (``W_HEADING``)."""
    own = u.heading.rsplit(" · ", 1)[-1].strip()
    if not own or u.lead:
        return ""
    before = passage[max(0, u.start - len(own) - 16):u.start]
    return own if own in before and "\n\n" not in before[before.rfind(own):] else ""


def candidates(question: str, passages: Sequence[tuple[int, str]], similarity: Similarity | None = None) -> list[Candidate]:
    """Every unit of ``passages`` ((number, text), best-ranked first) scored for ``question``, best
    first. A unit repeated in overlapping passages is scored once, in the best-ranked one."""
    want = wanted(question)
    want_order = [k for k in asked_kinds(question) if k in want]
    groups = kind_groups(want, question)
    terms = _question_terms(question)
    focus = _focus(question)
    q_ids = _identifiers(question)
    asks_change = bool(re.search(r"\b(?:current|currently|now|latest|new|amended|increased|revised|extended|today)\b", question, re.I))
    asks_meaning = bool(re.search(r"\b(?:mean|means|meaning|defin\w+)\b", question, re.I))
    asks_parties = "party" in want and bool(re.search(r"\bpart(?:y|ies)\b|\bbetween\b", question, re.I))
    asks_end = bool(ASKS_END.search(question))
    asks_made = bool(re.search(r"\b(?:signed|dated|made|entered\s+into|effective\s+date|date\s+of\s+the\s+agreement)\b", question, re.I))

    cands: list[tuple[int, int, Unit, str]] = []  # (number, rank, unit, passage text)
    seen: set[str] = set()
    asks_title = "title" in want
    for rank, (number, ptext) in enumerate(passages):
        for u in answer_units(ptext, headings=asks_title):
            key = " ".join(u.full_text.split())
            if key not in seen:
                seen.add(key)
                cands.append((number, rank, u, ptext))
    if not cands:
        return []

    # Term weights: rare in these passages = informative; a name that picks the document (it is in
    # the preamble, a title or a signature block) weighs little.
    unit_stems = []
    for _, _, u, ptext in cands:
        body = {word_stem(w) for w in word_tokens(u.full_text)}
        own = _own_heading(u, ptext)  # "6.3 Synchronisation income. The Publisher shall ...": its subject
        unit_stems.append((body | {word_stem(w) for w in word_tokens(own)}, {word_stem(w) for w in word_tokens(u.heading)}))
    n = len(cands)
    picking: set[str] = set()
    for (_, _, u, _), (body, _) in zip(cands, unit_stems):
        if u.role in ("preamble", "boilerplate"):
            picking |= body
    for _, ptext in passages:
        picking |= {word_stem(w) for w in word_tokens(ptext[:200])}
    for t in terms:
        df = sum(1 for body, head in unit_stems if stems_match(t.stems, body | head))
        t.weight = math.log(1.0 + (n + 1) / (df + 0.5))
        if t.name:
            t.weight *= NAME_WEIGHT if stems_match(t.stems, picking) else OTHER_NAME_WEIGHT
        elif t.word in KIND_WORDS:
            t.weight *= KIND_WORD_WEIGHT
    total_weight = sum(t.weight for t in terms) or 1.0
    plain = [t for t in terms if not t.name]
    passage_stems = {number: {word_stem(w) for w in word_tokens(ptext)} for number, ptext in passages}

    sims: list[float] | None = None
    if similarity is not None:
        texts = [u.full_text if not u.heading else f"{u.heading}: {u.full_text}" for _, _, u, _ in cands]
        sims = [float(x) for x in similarity(question, texts)]

    out: list[Candidate] = []
    for i, (number, rank, u, ptext) in enumerate(cands):
        full = u.full_text
        facts = find_facts(full)
        kinds = {f.kind for f in facts}
        body, head = unit_stems[i]
        matched_body = [t for t in terms if stems_match(t.stems, body)]
        matched_head = [t for t in terms if t not in matched_body and stems_match(t.stems, head)]
        cov = (sum(t.weight for t in matched_body) + W_HEADING * sum(t.weight for t in matched_head)) / total_weight
        missing_plain = [t for t in plain if t not in matched_body and t not in matched_head]
        kind_share = 0.0
        for g in groups:
            if g & kinds:
                calendar = g != {"date"} or any(f.kind == "date" and not is_relative_date(f.text) for f in facts)
                kind_share += (1.0 if calendar else RELATIVE_DATE_SHARE) / len(groups)
            elif {c for k in g for c in COMPATIBLE_KINDS.get(k, ())} & kinds:
                kind_share += 0.5 / len(groups)
        # where the question's terms are in the unit, for "states the term" cues
        weights: dict[int, float] = {}
        positions = _term_positions(full, [t for t in matched_body if not t.name], weights)
        focus_pos = _term_positions(full, [t for t in matched_body if t.word in focus]) if focus else []
        fact, _ = _choose_fact(full, facts, want_order, positions, question, focus_pos, weights) if want else (None, "")
        if fact is not None and len(groups) > 1:
            fact = _merge_close(full, fact, facts, want_order)
        states = near = role_label = 0.0
        if fact is not None:
            role_label = 1.0 if labelled(full, fact, positions) else 0.0
            before = full[:fact.start]
            verb = STATING.search(before[-100:]) is not None
            term_first = any(p < fact.start for p in positions)
            states = 1.0 if verb and term_first else 0.5 if verb or term_first else 0.0
            if any(0 <= fact.start - p <= NEAR_CHARS or fact.start <= p < fact.end for p in positions):
                near = 1.0  # "an advance of £75,000", "the Territory is the World"
            elif any(0 <= p - fact.end <= NEAR_CHARS // 2 for p in positions):
                near = 0.5
        defines = 0.0
        for d in re.findall(r"[\"“]([^\"”]{2,60})[\"”]", full):
            words = [w for w in word_tokens(d) if len(w) > 2]
            dstems = {word_stem(w) for w in words}
            if dstems and sum(1 for t in plain if stems_match(t.stems, dstems)) >= max(1, len(words) // 2):
                defines = 1.0  # it defines a term the question uses: (the "Controlled Composition Rate")
                break
        role = u.role
        penalty = ROLE_PENALTY.get(role, 0.0)
        if role == "definition":
            m = DEFINITION.match(u.text)
            dterm = {word_stem(w) for w in word_tokens(m.group("t"))} if m else set()
            if asks_meaning or (dterm and any(stems_match(t.stems, dterm) for t in plain)):
                penalty = 0.0
        if role == "preamble" and (asks_parties or asks_made or asks_title):
            penalty = 0.1 if not asks_title else 0.0
        if role == "boilerplate" and asks_made and "date" in kinds:
            penalty = 0.0  # "Date: 29/3/18" under a signature says when it was signed
        change = W_CHANGE if asks_change and CHANGE_PHRASE.search(full) else 0.0
        ends = W_ENDS if asks_end and role not in ("preamble", "boilerplate") and any(
            f.kind == "date" and ENDS_ON.search(full[max(0, f.start - 24):f.start]) for f in facts) else 0.0
        ident = 0.0
        if q_ids:
            compact = re.sub(r"[^A-Z0-9]", "", full.upper())
            ident = 1.0 if any(x in compact for x in q_ids) else 0.0
        sim = sims[i] if sims is not None else 0.0
        long_pen = LONG_PENALTY if len(full) > LONG_UNIT else 0.0
        score = (W_COVERAGE * cov + W_KIND * kind_share + W_STATES * states + W_NEAR * near + W_DEFINES * defines
                 + W_ROLE_LABEL * role_label + W_SIMILARITY * sim + W_IDENTIFIER * ident + change + ends + penalty + long_pen - RANK_PENALTY * rank)
        signals = {
            "coverage": round(cov, 4),
            "terms": len(terms),
            "terms_matched": len(matched_body) + len(matched_head),
            "plain_terms_missing": len(missing_plain),
            "names_missing": sum(1 for t in terms if t.name and t not in matched_body and t not in matched_head),
            "names_missing_in_passage": sum(1 for t in terms if t.name and not stems_match(t.stems, passage_stems[number])),
            "missing_weight": round(sum(t.weight for t in missing_plain) / total_weight, 4),
            "kind_share": round(kind_share, 4),
            "wanted": sorted(want),
            "kinds": sorted(kinds),
            "states": states,
            "near": near,
            "defines": defines,
            "role_label": role_label,
            "role": role,
            "role_penalty": penalty,
            "change": change,
            "ends": ends,
            "identifier": ident,
            "similarity": round(sim, 4) if sims is not None else None,
            "passage_rank": rank,
            "unit_chars": len(full),
            "units": n,
            "score": round(score, 4),
            # the score without the similarity term: what the abstention model was fitted on (it
            # ranks units, it does not say whether the best one answers)
            "lexical_score": round(score - W_SIMILARITY * sim, 4),
        }
        out.append(Candidate(number, rank, u, ptext, score, signals, fact, not want or kind_share > 0))
    out.sort(key=lambda c: -c.score)
    return out


def select(question: str, passages: Sequence[tuple[int, str]], similarity: Similarity | None = None) -> Selection | None:
    """The unit of ``passages`` ((number, text), best-ranked first) that best answers ``question``.

    None when the question wants a kind of fact (a date, an amount ...) that no unit holds, or when
    nothing in the passages relates to the question at all (no shared term, identifier or
    similarity). ``signals`` carry the winner's features and its ``margin`` over the runner-up."""
    ranked = candidates(question, passages, similarity)
    eligible = [c for c in ranked if c.eligible]
    if not eligible:
        return None
    best = eligible[0]
    sig = dict(best.signals)
    if not sig["wanted"] and not sig["identifier"] and sig["coverage"] <= 0 and sig["similarity"] is None:
        return None
    # the margin the abstention model reads is on the lexical scores, as it was fitted
    runner = eligible[1].signals["lexical_score"] if len(eligible) > 1 else 0.0
    sig["margin"] = round(max(0.0, best.signals["lexical_score"] - runner), 4)
    sig["eligible_units"] = len(eligible)
    u, ptext, fact = best.unit, best.passage, best.fact
    fact_start = fact_end = None
    if fact is not None:
        # offsets in the passage: ``full_text`` is the lead-in, a space, then the unit
        lead_len = len(u.lead_text) + 1 if u.lead_text else 0
        if u.lead and fact.start < lead_len - 1:
            fact_start, fact_end = u.lead[0] + fact.start, u.lead[0] + min(fact.end, lead_len - 1)
        elif fact.start >= lead_len:
            fact_start, fact_end = u.start + fact.start - lead_len, u.start + fact.end - lead_len
    fact_text = ptext[fact_start:fact_end] if fact_start is not None else ""
    return Selection(
        number=best.number,
        unit_text=u.text,
        start=u.start,
        end=u.end,
        fact_text=fact_text,
        kind=fact.kind if fact is not None and fact_text else "",
        # similarity picks the unit within the passages; what the unit scores against other
        # documents' units and for abstention is its lexical score, as those were fitted on
        score=round(best.signals["lexical_score"], 4),
        signals=sig,
        fact_start=fact_start,
        fact_end=fact_end,
        lead_text=u.lead_text,
        lead_start=u.lead[0] if u.lead else None,
        lead_end=u.lead[1] if u.lead else None,
        label=u.label,
        heading=u.heading,
        role=u.role,
        unit_kind=u.kind,
    )
