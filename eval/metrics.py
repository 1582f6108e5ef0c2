"""Deterministic metrics: no LLM judge, so a number moves only when the system does.

Every function here is pure and takes plain values; the definitions are the README's
("Evaluation: metrics").
"""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from statistics import mean, median

from assistant.text.facts import CITATION_MARKER, unsupported_facts

KS = (1, 3, 5, 10)
BUDGETS = (2000, 4000, 8000)  # characters of context (about 500, 1000, 2000 tokens)


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk, located in the evaluated corpus: ``text == doc_text[start:end]``."""

    doc: str  # dataset doc_id: the file name without extension
    start: int
    end: int
    text: str = ""
    score: float = 0.0
    section: str = ""


@dataclass(frozen=True)
class Span:
    doc: str
    start: int
    end: int


@dataclass
class Citation:
    """One cited passage and the sentence of the answer that cites it."""

    claim: str
    passage: Passage


@dataclass
class AnswerOutcome:
    text: str
    abstained: bool
    citations: list[Citation] = field(default_factory=list)
    ttft_s: float | None = None
    total_s: float | None = None
    tokens: int = 0
    status: str = ""  # answered | reduced | flagged | abstained


# -- retrieval -------------------------------------------------------------------------------------
def overlaps(p: Passage, s: Span) -> bool:
    return p.doc == s.doc and p.start < s.end and s.start < p.end


def doc_hit(ranked: Sequence[Passage], doc: str, k: int) -> float:
    return float(any(p.doc == doc for p in ranked[:k]))


def span_recall(ranked: Sequence[Passage], spans: Sequence[Span], k: int) -> float | None:
    """Share of gold spans overlapped by at least one of the top-k passages (None: no spans)."""
    if not spans:
        return None
    top = ranked[:k]
    return sum(any(overlaps(p, s) for p in top) for s in spans) / len(spans)


def within_budget(ranked: Sequence[Passage], chars: int) -> list[Passage]:
    """The ranked passages that fit in ``chars`` characters of context, the last one cut to fit:
    compares retrievers whose chunks differ in size at the same prompt budget."""
    out: list[Passage] = []
    left = chars
    for p in ranked:
        if left <= 0:
            break
        size = p.end - p.start
        out.append(p if size <= left else Passage(p.doc, p.start, p.start + left, p.text[:left], p.score, p.section))
        left -= size
    return out


def reciprocal_rank(ranked: Sequence[Passage], spans: Sequence[Span], doc: str | None, k: int) -> float | None:
    """1/rank of the first relevant passage within the top k: one that overlaps a gold span, or,
    for a question with a document but no spans, any passage of that document."""
    if not spans and not doc:
        return None
    for rank, p in enumerate(ranked[:k], 1):
        if (spans and any(overlaps(p, s) for s in spans)) or (not spans and p.doc == doc):
            return 1.0 / rank
    return 0.0


# -- answers ---------------------------------------------------------------------------------------
_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCT = str.maketrans({c: " " for c in string.punctuation + "“”‘’«»–—"})


def normalize(text: str) -> str:
    """SQuAD normalisation: lower case, no punctuation, no articles, single spaces."""
    text = text.lower().translate(_PUNCT)
    return " ".join(_ARTICLES.sub(" ", text).split())


def exact_match(prediction: str, golds: Sequence[str]) -> float | None:
    if not golds:
        return None
    p = normalize(prediction)
    return float(any(p == normalize(g) for g in golds))


def token_f1(prediction: str, golds: Sequence[str]) -> float | None:
    if not golds:
        return None
    pred = normalize(prediction).split()
    best = 0.0
    for gold in golds:
        g = normalize(gold).split()
        common = sum((Counter(pred) & Counter(g)).values())
        if not pred or not g or not common:
            continue
        precision, recall = common / len(pred), common / len(g)
        best = max(best, 2 * precision * recall / (precision + recall))
    return best


_YES_NO = frozenset({"yes", "no"})


def gold_texts(gold_answers: Sequence[str], span_texts: Sequence[str] = ()) -> list[str]:
    """What an answer may hold to be right: the gold answers and the text of the gold spans (a
    normalised "2/1/2019" is "February 1, 2019" in the document), less a bare "Yes"/"No" (CUAD's
    clause categories say only that the clause exists)."""
    out: list[str] = []
    for g in [*gold_answers, *span_texts]:
        n = normalize(g)
        if n and n not in _YES_NO and g not in out:
            out.append(g)
    return out


def answer_holds_gold(answer: str, golds: Sequence[str]) -> float | None:
    """1 when the answer holds a gold answer: its normalised text occurs in the answer's, or the
    gold has hard facts (dates, amounts, percentages, numbers; ``facts.extract_facts``) and the
    answer states every one of them, compared canonically ("31 December 2027" holds
    "December 31, 2027"; "twenty per cent (20%) of Net Receipts" holds "20%"). None without golds."""
    if not golds:
        return None
    from assistant.text.facts import states

    return 1.0 if any(states(answer, gold) for gold in golds) else 0.0


def span_coverage(cited: Iterable[Passage], spans: Sequence[Span]) -> float | None:
    """Largest share of one gold span's characters lying inside the cited passages (union)."""
    if not spans:
        return None
    cited = list(cited)
    best = 0.0
    for s in spans:
        ranges = sorted((max(p.start, s.start), min(p.end, s.end)) for p in cited if overlaps(p, s))
        covered, cursor = 0, s.start
        for a, b in ranges:
            a = max(a, cursor)
            if b > a:
                covered += b - a
                cursor = b
        best = max(best, covered / max(1, s.end - s.start))
    return best


SPAN_CITED_MIN_COVERAGE = 0.5


def span_cited(cited: Iterable[Passage], spans: Sequence[Span]) -> float | None:
    """1 when the cited passages contain at least half of some gold span (CUAD spans can be whole
    clauses, longer than one passage), else 0."""
    cov = span_coverage(cited, spans)
    return None if cov is None else float(cov >= SPAN_CITED_MIN_COVERAGE)


_STOP = set(
    "a an the of to in on for by with and or is are was were be been this that these those it its as at "
    "from under any all not no shall will may which who whom what when where how does do did".split()
)


def citation_valid(citation: Citation) -> bool:
    """A citation is valid when its passage contains the facts of the sentence citing it
    (dates, amounts, numbers, identifiers, compared canonically); a sentence without such facts
    needs half of its content words in the passage."""
    claim = CITATION_MARKER.sub(" ", citation.claim)
    from assistant.text.facts import extract_facts

    if extract_facts(claim):
        return not unsupported_facts(claim, citation.passage.text)
    words = {w for w in normalize(claim).split() if w not in _STOP and len(w) > 2}
    if not words:
        return True
    passage = set(normalize(citation.passage.text).split())
    return len(words & passage) / len(words) >= 0.5


def abstention_scores(pairs: Sequence[tuple[bool, bool]]) -> dict[str, float | None]:
    """``pairs`` of (answerable, abstained): precision and recall of abstaining on unanswerables."""
    tp = sum(1 for ans, abst in pairs if abst and not ans)
    predicted = sum(1 for _, abst in pairs if abst)
    actual = sum(1 for ans, _ in pairs if not ans)
    correct = sum(1 for ans, abst in pairs if abst != ans)
    return {
        "abstention_precision": tp / predicted if predicted else None,
        "abstention_recall": tp / actual if actual else None,
        "abstention_accuracy": correct / len(pairs) if pairs else None,
    }


# -- aggregation -------------------------------------------------------------------------------------
def mean_of(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return mean(present) if present else None


def median_of(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return median(present) if present else None


def percentile(values: Iterable[float | None], q: float) -> float | None:
    present = sorted(v for v in values if v is not None)
    if not present:
        return None
    index = min(len(present) - 1, max(0, round(q * (len(present) - 1))))
    return present[index]
