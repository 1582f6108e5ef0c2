"""Deterministic checks of a generated answer against the passages it cites.

Every sentence that states a fact (date, amount, percentage, number, identifier) must cite a
source that was given, and every such fact and every quoted phrase must occur in the sources
that sentence cites. Small models often cite the wrong source or invent a figure; an answer that
fails is reduced to the passage's own words (``quote``) or flagged (``flag``), per settings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Sequence

from .facts import CITATION_MARKER, extract_facts, unsupported_facts

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“(\[])")
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
    the one before (models write "… 2027. [1]")."""
    claims: list[Claim] = []
    for raw in _SENTENCE_END.split(text.strip()):
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
    if check.claims and not any_valid:
        check.problems.append("cites no source")
    return check


def sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.;:!?])\s+(?=[A-Z(\"“0-9])|\n{2,}", text)
    return [" ".join(p.split()) for p in parts if len(p.split()) >= 3]


def supporting_quote(
    question: str,
    passages: dict[int, str],
    prefer: Sequence[int],
    score: Callable[[str, list[str]], list[float]],
    max_chars: int = 400,
) -> tuple[int, str] | None:
    """The passage sentence that best answers ``question``: from a source the model cited when it
    cited a real one, else from any source. ``score`` ranks sentences (embedding similarity)."""
    order = [n for n in prefer if n in passages] or list(passages)
    candidates: list[tuple[int, str]] = [(n, s) for n in order for s in sentences(passages[n])]
    if not candidates:
        return None
    scores = score(question, [s for _, s in candidates])
    # Sentences of earlier (better ranked / cited) sources win near-ties.
    best = max(range(len(candidates)), key=lambda i: scores[i] - 0.01 * order.index(candidates[i][0]))
    number, sentence = candidates[best]
    if len(sentence) > max_chars:
        sentence = sentence[:max_chars].rsplit(" ", 1)[0] + " …"
    return number, sentence
