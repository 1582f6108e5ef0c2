"""BM25-style sparse vectors, scored by Qdrant itself (sparse vector with the IDF modifier).

Documents carry the BM25 term-frequency part of each term's weight; Qdrant multiplies by the
inverse document frequency it keeps for the collection, so the ranking is BM25 without a
separate lexical index to keep in sync. Identifiers such as "T-345.246.800-3" or
"GB-AAA-24-00012" are also indexed with punctuation removed, so any formatting matches.
"""

from __future__ import annotations

import re
import zlib
from collections import Counter

K1 = 1.2
B = 0.75
AVG_DOC_TOKENS = 150.0  # typical chunk length in tokens at the default chunk size

_WORD = re.compile(r"[0-9a-z]+(?:[-./'’][0-9a-z]+)*")
STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had
    has have having he her here hers herself him himself his how i if in into is it its itself just
    me more most my myself no nor not now of off on once only or other our ours ourselves out over
    own same she should so some such than that the their theirs them themselves then there these
    they this those through to too under until up very was we were what when where which while who
    whom why will with would you your yours yourself yourselves shall hereby thereof herein""".split()
)


def tokenize(text: str) -> list[str]:
    tokens: list[str] = []
    for match in _WORD.finditer(text.lower()):
        word = match.group(0)
        parts = re.split(r"[-./'’]", word)
        if len(parts) > 1:
            joined = "".join(parts)
            if any(ch.isdigit() for ch in joined):
                tokens.append(joined)  # identifier or number in any punctuation
            tokens.extend(p for p in parts if p and p not in STOPWORDS)
        elif word not in STOPWORDS:
            tokens.append(_stem(word))
    return tokens


def _stem(word: str) -> str:
    # Plural folding only: "royalties" ~ "royalty", "territories" ~ "territory", "rights" ~ "right".
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def term_id(token: str) -> int:
    return zlib.crc32(token.encode())


def document_vector(text: str) -> tuple[list[int], list[float]]:
    counts = Counter(term_id(t) for t in tokenize(text))
    length = sum(counts.values())
    norm = K1 * (1 - B + B * length / AVG_DOC_TOKENS)
    indices = sorted(counts)
    return indices, [counts[i] * (K1 + 1) / (counts[i] + norm) for i in indices]


def query_vector(text: str) -> tuple[list[int], list[float]]:
    indices = sorted({term_id(t) for t in tokenize(text)})
    return indices, [1.0] * len(indices)
