"""Deterministic checks of a generated answer against the passages it cites.

Every sentence that states a fact (date, amount, percentage, number, identifier) must cite a
source that was given, and every such fact and every quoted phrase must occur in the sources
that sentence cites. Small models often cite the wrong source or invent a figure; an answer that
fails is reduced to the passage's own words (``quote``) or flagged (``flag``), per settings.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from assistant.text.facts import CITATION_MARKER, extract_facts, unsupported_facts
from assistant.text.questions import ends_abbreviation

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“(\[])")


def split_sentences(text: str) -> list[str]:
    """``text`` cut at sentence ends: a stop, question or exclamation mark, then a capital, quote
    or bracket, unless the stop ends an abbreviation ("11:59 p.m. Pacific Time" is one sentence)."""
    out, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        if text[m.start() - 1] == "." and ends_abbreviation(text, m.start() - 1):
            continue
        out.append(text[start:m.start()])
        start = m.end()
    out.append(text[start:])
    return out
_QUOTE = re.compile(r"[\"“]([^\"”]{4,300})[\"”]")


@dataclass
class Claim:
    sentence: str
    markers: list[int]


@dataclass
class Check:
    claims: list[Claim]
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def cited(self) -> list[tuple[int, str]]:
        """(source number, claim) for every citation of the answer, in order."""
        return [(m, c.sentence) for c in self.claims for m in c.markers]


def _markers(text: str) -> list[int]:
    out: list[int] = []
    for m in CITATION_MARKER.finditer(text):
        out.extend(int(x) for x in re.split(r"\s*[,;]\s*", m.group(1)))
    return list(dict.fromkeys(out))


def split_claims(text: str) -> list[Claim]:
    """Sentences with the source numbers each cites; a marker that opens a sentence belongs to
    the one before (models write "… 2027. [1]"). A blank line ends a sentence too: an answer's
    paragraph may close on its marker with no full stop ("… “…(16%)”” [12]")."""
    claims: list[Claim] = []
    sentences = [s for paragraph in re.split(r"\n\s*\n", text.strip()) for s in split_sentences(paragraph.strip())]
    for raw in sentences:
        raw = raw.strip()
        if not raw:
            continue
        lead = re.match(r"^((?:\[\d+(?:\s*[,;]\s*\d+)*\]\s*)+)(.*)$", raw, re.S)
        if lead and claims:
            claims[-1].markers += [m for m in _markers(lead.group(1)) if m not in claims[-1].markers]
            raw = lead.group(2).strip()
            if not raw:
                continue
        claims.append(Claim(raw, _markers(raw)))
    return claims


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[“”]", '"', text).lower().split())


def check_answer(text: str, passages: dict[int, str]) -> Check:
    check = Check(split_claims(text))
    any_valid = False
    for claim in check.claims:
        bad = [m for m in claim.markers if m not in passages]
        for m in bad:
            check.problems.append(f"cites [{m}], which is not one of the sources")
        valid = [m for m in claim.markers if m in passages]
        any_valid = any_valid or bool(valid)
        bare = CITATION_MARKER.sub(" ", claim.sentence)
        facts = extract_facts(bare)
        quotes = _QUOTE.findall(bare)
        if (facts or quotes) and not valid:
            check.problems.append(f"states {', '.join(f.text for f in facts) or 'a quotation'} without citing a source")
            continue
        cited_text = "\n".join(passages[m] for m in valid)
        for fact in unsupported_facts(bare, cited_text) if valid else []:
            check.problems.append(f"{fact.text!r} is not in source{'s' if len(valid) > 1 else ''} {', '.join(f'[{m}]' for m in valid)}")
        for quote in quotes:
            if valid and _norm(quote) not in _norm(cited_text):
                check.problems.append(f"the quote \"{quote[:60]}\" is not in {', '.join(f'[{m}]' for m in valid)}")
        if valid and not facts and not quotes and content_support(bare, cited_text) < MIN_CONTENT_SUPPORT:
            check.problems.append(f"\"{bare.strip()[:60]}\" is not what {', '.join(f'[{m}]' for m in valid)} says")
    if check.claims and not any_valid:
        check.problems.append("cites no source")
    if repetitive(text):
        check.problems.append("the answer repeats itself (a small model's failure mode)")
    return check


MIN_CONTENT_SUPPORT = 0.6
_STOP = frozenset(
    """a an the of to in on for by with and or is are was were be been this that these those it its as at from
    under any all not no shall will may which who whom what when where how does do did has have had i you we they
    he she there their them his her answer question source sources document documents says state states yes""".split()
)


def content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 2 and w not in _STOP}


def content_support(claim: str, passage: str) -> float:
    """Share of the claim's content words that occur in the passage (1.0 for a claim without any)."""
    words = content_words(claim)
    return len(words & content_words(passage)) / len(words) if words else 1.0


def repetitive(text: str) -> bool:
    """A sentence said twice, or a word trigram said three times outside quotation marks:
    degenerate generation. Quoted words are the sources' own, and an answer about a changed value
    may rightly quote it twice (the change striking "two (2) minutes", the clause that said it)."""
    sents = [" ".join(s.lower().split()) for s in split_sentences(text) if len(s.split()) >= 3]
    if len(sents) != len(set(sents)):
        return True
    words = re.sub(r"“[^“”]*”", " ", text).lower().split()
    grams = [tuple(words[i:i + 3]) for i in range(len(words) - 2)]
    return any(grams.count(g) >= 3 for g in set(grams))


_SUBCLAUSE = re.compile(r"\s(?=\d{1,2}\.\d{1,2}(?:\.\d{1,2})?\s+[A-Z\"“(])|\s(?=\([a-h]\)\s)")


def sentences(text: str, min_words: int = 4) -> list[str]:
    """Sentences and numbered sub-clauses ("7.2 ...", "(b) ..."): the units a quote is made of."""
    parts = []
    for line in text.split("\n"):  # schedules and term sheets put one item per line
        for piece in re.split(r"(?<=[.;!?])\s+(?=[A-Z(\"“0-9])", line):
            parts.extend(_SUBCLAUSE.split(piece))
    return [" ".join(p.split()) for p in parts if len(p.split()) >= min_words and not _heading(p)]


def _heading(part: str) -> bool:
    """A title line run into the first clause number once text is flattened ("SYNC LICENCE 1.")."""
    return len(part.split()) <= 8 and not re.search(r"[a-z]", part)


def supporting_quote(
    question: str,
    passages: dict[int, str],
    prefer: Sequence[int],
    score: Callable[[str, list[str]], list[float]],
    max_chars: int = 400,
) -> tuple[int, str, float] | None:
    """The passage sentence that best answers ``question``, with its score. Sources the model
    cited, then the better-ranked ones, win near-ties. ``score`` rates sentences."""
    order = [n for n in prefer if n in passages] + [n for n in passages if n not in prefer]
    candidates: list[tuple[int, str]] = [(n, s) for n in order for s in sentences(passages[n])]
    if not candidates:
        return None
    scores = score(question, [s for _, s in candidates])
    adjusted = [scores[i] - RANK_PENALTY * order.index(candidates[i][0]) for i in range(len(candidates))]
    best = max(range(len(candidates)), key=lambda i: adjusted[i])
    number, sentence = candidates[best]
    if len(sentence) > max_chars:
        sentence = sentence[:max_chars].rsplit(" ", 1)[0] + " …"
    return number, sentence, adjusted[best]


RANK_PENALTY = 0.02
