"""The product's retrieval: hybrid search, identifier-exact hits first, document scoping.

Dense (MiniLM) and lexical (BM25 sparse) rankings are fused by reciprocal rank. When the
question names a party, agreement or work ("the Nova Records deal", "between Newegg Inc. and
Allied Esports"), the documents those names pick out are searched again on their own and the
fused ranking favours their chunks: contracts in one corpus are similar, names are what tell
them apart. Identifiers (ISWC, ISRC, IPI, catalogue numbers) are matched exactly and ranked first.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.search import lexical
from assistant.search.clause_types import ClauseTypes
from assistant.search.store import DENSE, LEXICAL, Hit, Store
from ingest.identifiers import IDENTIFIER_LIKE, find_identifiers
from ingest.model import SparseVector

RRF_K = 60
SCOPE_MAX_DOCS = 3
SCOPE_RATIO = 0.75  # a named document must score this share of the best one to be in scope
PROBE_CACHE = 20_000  # term probes kept per unchanged store (a few MB at most)
TERM_PROBE = 100  # chunks looked at to see which documents contain the question's names
NAME_WEIGHT = 2.0  # a name in the file name or title counts this much more than in the text
# Reciprocal-rank-fusion weight of each ranking, measured on 140 answerable cuad-dev questions
# (every 4th; span recall@5): equal weights 0.630, these 0.642, (0.5, 0.25, 1.5, 0.75) 0.678.
# The last starves the corpus-wide rankings: on the demo set it lost the right document
# entirely for two questions whose names picked the wrong one (doc hit@10 0.917 vs 0.958).
# Paraphrased questions favour dense; inside named documents both halves weigh more.
WEIGHTS = {"dense": 1.0, "lexical": 0.5, "dense_scoped": 1.5, "lexical_scoped": 0.75}
# A quoted title or code ("Blue Hour", "T-1029") found verbatim: on the music samples a title named
# in the question lost to a long record's neighbours without it (span recall@5 0.805 vs 0.959
# for lexical alone); with it weighted this much it wins (eval/music_questions.py, see README).
QUOTED_WEIGHT = 3.0
QUOTED_PROBE = 30
LEAD_CHUNKS = 2  # a contract's opening: title, parties, date (the preamble), for the types that ask for it
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")

GENERIC = frozenset(
    """what when where who whom which why how does do did is are was were can could may might shall
    will would should has have had if under in on of for the a an and or to by with any all our we
    agreement agreements amendment contract contracts deal licence license clause section schedule
    exhibit article term party parties inc inc. ltd llc limited corp corporation company co plc gmbh
    sa ag bv llp lp i you it this that these those there tell list give show yes no""".split()
)
_NAME = re.compile(r"(?<![\w&'’.-])(?:[a-z]*[A-Z][\w&'’.-]*\w|[A-Z])")  # "iMine" is one word, not "Mine"
_QUOTED = re.compile(r"[\"“*_]([^\"”*_]{2,80})[\"”*_]")


def name_terms(question: str) -> list[str]:
    """Capitalised words and quoted titles, minus question words and generic contract words."""
    terms: list[str] = [m.group(1) for m in _QUOTED.finditer(question)]
    for _i, m in enumerate(_NAME.finditer(question)):
        word = m.group(0).strip(".")
        if m.start() == 0 or not word or word.lower() in GENERIC:
            continue
        terms.append(word)
    return terms


_KIND_WORDS = [("release", r"releases?|albums?|EPs?|singles?|products?|bundles?"),
               ("recording", r"recordings?|tracks?|masters?|videos?|resources?"),
               ("work", r"works?|songs?|compositions?")]


def asked_record_kind(question: str) -> str | None:
    """The kind of record a question is about ("what is on the release ...": release), or None."""
    for kind, words in _KIND_WORDS:
        if re.search(rf"\b(?:the|this|that|a|an|which|what)\s+(?:{words})\b", question, re.I):
            return kind
    return None


def strip_names(question: str) -> str:
    """The question without the names that picked the documents ("When does the deal expire?")."""
    out = question
    for term in sorted(name_terms(question), key=len, reverse=True):
        out = re.sub(rf"(?<!\w){re.escape(term)}(?!\w)", " ", out)
    return " ".join(out.split())


@dataclass
class Scope:
    doc_ids: list[str]
    scores: dict[str, float]


def fuse(rankings: Sequence[Sequence[Hit]], k: int, weights: Sequence[float] | None = None) -> list[Hit]:
    """Weighted reciprocal rank fusion: robust to the retrievers' incomparable score scales."""
    weights = weights or [1.0] * len(rankings)
    scores: dict[str, float] = {}
    hits: dict[str, Hit] = {}
    for ranking, weight in zip(rankings, weights):
        for rank, hit in enumerate(ranking):
            scores[hit.point_id] = scores.get(hit.point_id, 0.0) + weight / (RRF_K + rank + 1)
            if hit.point_id in hits:
                hits[hit.point_id].signals.update(hit.signals)
            else:
                hits[hit.point_id] = Hit(hit.point_id, 0.0, hit.payload, dict(hit.signals))
    order = sorted(scores, key=lambda pid: scores[pid], reverse=True)[:k]
    out = []
    for pid in order:
        hit = hits[pid]
        hit.score = scores[pid]
        out.append(hit)
    return out


class Steps:
    """Seconds per named step, added into ``into`` (a dict) when one is given; free otherwise."""

    def __init__(self, into: dict[str, float] | None):
        self.into = into

    @contextmanager
    def __call__(self, name: str):
        if self.into is None:
            yield
            return
        began = time.perf_counter()
        try:
            yield
        finally:
            self.into[name] = self.into.get(name, 0.0) + time.perf_counter() - began


class Retriever:
    def __init__(self, store: Store, embed_queries: Callable[[Sequence[str]], list[np.ndarray]],
                 clause_types: ClauseTypes | None = None):
        # embed_queries: an EmbedderProtocol's embed_queries (MiniLM, or the hashing double);
        # clause_types: learned clause types of that model (clause_types.py), or None
        self.store = store
        self.embed_queries = embed_queries
        self.clause_types = clause_types

    def _names(self) -> dict[str, set[str]]:
        """Tokens of each document's file name and title (CamelCase split), cached per ledger."""
        generation = self.store.generation()
        if generation is not None and generation == getattr(self, "_names_generation", None):
            return self._names_cache  # unchanged since: no ledger read (8-13 ms at 1,800 documents)
        docs = self.store.documents()
        key = tuple(sorted((d.doc_id, d.file_sha256) for d in docs.values()))
        self._names_generation = generation
        if getattr(self, "_names_key", None) != key:
            self._names_cache = {
                d.doc_id: set(lexical.tokenize(_CAMEL.sub(" ", f"{Path(d.file_name).stem} {d.title}").replace("_", " ")))
                for d in docs.values()
            }
            self._names_key = key
        return self._names_cache

    def named_documents(self, question: str, doc_type: str | None, allowed: list[str] | None) -> Scope | None:
        """Documents the question's names single out. Each name term counts by its rarity across
        documents (in the text, and double in the file name or title), so a party to every
        contract ("MARA" in a label's corpus) decides nothing and a rare one decides much."""
        terms = list(dict.fromkeys(t for t in lexical.tokenize(" ".join(name_terms(question)))))
        if not terms:
            return None
        names = self._names()
        n_docs = max(1, len(names))
        # One lexical probe per name, all in one engine request: a sparse query of a single term
        # returns exactly the chunks whose text holds that token (the index is of the same
        # tokens), so which documents hold it is read off the hits' doc_id alone, without
        # returning or re-tokenising any text. A name in more chunks than the probe holds is
        # "saturated": common, so it decides nothing when it is in most documents.
        holders, saturated = self._term_holders(terms, doc_type, allowed)
        scores: dict[str, float] = {}
        for term in terms:
            in_text = holders[term]
            in_name = {d for d, toks in names.items() if term in toks}
            present = in_text | in_name
            if not present or (saturated[term] and len(in_text) > n_docs / 2):
                continue  # unknown here, or everywhere
            idf = math.log(1 + n_docs / len(present))
            for d in present:
                scores[d] = scores.get(d, 0.0) + idf * ((d in in_text) + NAME_WEIGHT * (d in in_name))
        if allowed is not None:
            scores = {d: v for d, v in scores.items() if d in allowed}
        if not scores:
            return None
        top = max(scores.values())
        # Ties broken by document id: the scores come out of sets, whose order changes from one
        # process to the next (hash seeds), and the scope's order orders the opening chunks.
        chosen = [d for d, v in sorted(scores.items(), key=lambda x: (-x[1], x[0])) if v >= SCOPE_RATIO * top]
        if len(chosen) > SCOPE_MAX_DOCS:
            return None  # the names don't single out a document
        return Scope(chosen, scores)

    def _term_holders(self, terms: list[str], doc_type: str | None, allowed: list[str] | None
                      ) -> tuple[dict[str, set[str]], dict[str, bool]]:
        """Which documents hold each term, and whether its probe saturated. Kept per term while
        the store is unchanged (``Store.generation``): to return a point's doc id the engine reads
        its payload, about 0.1 ms a point when cold at 100k chunks (a full probe 10-35 ms, against
        1 ms without payload), and the same names and words recur from question to question."""
        generation = self.store.generation()
        if not hasattr(self, "_probes") or self._probe_generation != generation or len(self._probes) > PROBE_CACHE:
            self._probes: dict[tuple, tuple[frozenset[str], bool]] = {}
            self._probe_generation = generation
        scope = (doc_type, tuple(allowed) if allowed is not None else None)
        missing = [t for t in terms if generation is None or (t, *scope) not in self._probes]
        if missing:
            probes = self.store.search([(LEXICAL, ([lexical.term_id(t)], [1.0]), TERM_PROBE) for t in missing],
                                       doc_type, allowed, fields=("doc_id",))
            for t, hits in zip(missing, probes):
                self._probes[(t, *scope)] = (frozenset(str(h.payload.get("doc_id")) for h in hits), len(hits) >= TERM_PROBE)
        found = {t: self._probes[(t, *scope)] for t in terms}
        return {t: set(v[0]) for t, v in found.items()}, {t: v[1] for t, v in found.items()}

    def identifier_hits(self, question: str, doc_type: str | None, allowed: list[str] | None) -> list[Hit]:
        """Chunks carrying an identifier the question names, exactly, whatever its formatting.

        ISWC/ISRC/IPI/UPC are normalised and looked up in the ``ids`` payload index: the records
        the identifier names (a work for an ISWC, a recording for an ISRC, a release for a UPC)
        come first, then other records and contract passages mentioning it. Other codes
        (catalogue numbers) are matched in the text of the best lexical hits.
        """
        found: list[Hit] = []
        idents = find_identifiers(question)
        if idents:
            hits = self.store.search_ids([i.key for i in idents], 50, doc_type, allowed)
            owner = {"ISWC": "work", "ISRC": "recording", "UPC": "release", "IPI": "work"}

            def rank(h: Hit) -> tuple:
                ids = set(h.payload.get("ids") or [])
                matched = [i for i in idents if i.key in ids]
                kind = h.payload.get("record_kind")
                return (
                    -len(matched),
                    0 if any(owner[i.scheme] == kind for i in matched) else (1 if kind else 2),
                    len(ids),  # the record about it, not a catalog row listing many
                )

            for h in sorted(hits, key=rank):
                h.signals["identifier"] = ", ".join(i.display for i in idents if i.key in (h.payload.get("ids") or []))
                found.append(h)
        standard = [i.text.upper() for i in idents]
        for m in IDENTIFIER_LIKE.finditer(question):
            if any(m.group(0).upper() in s or s in m.group(0).upper() for s in standard):
                continue
            compact = re.sub(r"[^A-Z0-9]", "", m.group(0).upper())
            for h in self.store.search_lexical(lexical.query_vector(m.group(0)), 20, doc_type, allowed):
                if compact in re.sub(r"[^A-Z0-9]", "", str(h.payload.get("text", "")).upper()):
                    h.signals["identifier"] = m.group(0)
                    found.append(h)
        unique: dict[str, Hit] = {}
        for h in found:
            unique.setdefault(h.point_id, h)
        return list(unique.values())

    def quoted_hits(self, question: str, doc_type: str | None, allowed: list[str] | None) -> list[Hit]:
        """Chunks holding a quoted title or code of the question verbatim (case and spacing aside).
        A title the user typed out is what identifies the record, so the record of the kind the
        question asks about ("the release", "the track") titled exactly so comes first, then
        other records of that title, then the best lexical matches that merely mention it."""
        found: dict[str, Hit] = {}
        kind = asked_record_kind(question)
        phrases = set()
        for m in _QUOTED.finditer(question):
            phrase = " ".join(m.group(1).split()).lower()
            if len(phrase) < 2:
                continue
            pattern = re.compile(rf"(?<!\w){re.escape(phrase)}(?!\w)".replace(r"\ ", r"\s+"))
            for h in self.store.search_lexical(lexical.query_vector(phrase), QUOTED_PROBE, doc_type, allowed):
                if h.point_id not in found and pattern.search(str(h.payload.get("text", "")).lower()):
                    h.signals["quoted"] = m.group(1)
                    found[h.point_id] = h
            phrases.add(phrase)

        def rank(item: tuple[int, Hit]) -> tuple:
            position, h = item
            titled = " ".join(str(h.payload.get("record_title") or "").split()).lower() in phrases
            if titled and kind is not None and h.payload.get("record_kind") == kind:
                h.signals["quoted_record"] = kind
            return (not titled or (kind is not None and h.payload.get("record_kind") != kind), not titled, position)

        return [h for _, h in sorted(enumerate(found.values()), key=rank)]

    def retrieve(self, question: str, k: int, *, doc_type: str | None = None, doc_ids: list[str] | None = None,
                 timings: dict[str, float] | None = None) -> list[Hit]:
        """The product's ranking. ``timings``, when given, receives the seconds each step took
        (names, embedding, engine, quoted, clause types, identifiers, fusion): `rights search -v`
        and the latency benchmark print them."""
        steps = Steps(timings)
        n = max(k * 4, 20)
        with steps("names"):
            scope = self.named_documents(question, doc_type, doc_ids)
        # Inside the named documents the names no longer discriminate: search there by the rest
        # ("When does the deal expire?"). Both texts go through the model in one pass.
        content = strip_names(question) if scope else question
        if len(content.split()) < 2:
            content = question
        texts = [question] if content == question else [question, content]
        with steps("embedding"):
            vectors = self.embed_queries(texts)

        def both(vector: np.ndarray, sparse: SparseVector, scope: list[str] | None, tag: str) -> list[list[Hit]]:
            # one engine request holding both rankings, each with the access filter inside it
            dense, lex = self.store.search([(DENSE, np.asarray(vector, dtype=np.float32).tolist(), n), (LEXICAL, sparse, n)],
                                           doc_type, scope)
            for h in dense:
                h.signals[f"dense{tag}"] = h.score
            for h in lex:
                h.signals[f"lexical{tag}"] = h.score
            return [dense, lex]

        with steps("engine"):
            rankings = both(vectors[0], lexical.query_vector(question), doc_ids, "")
            weights = [WEIGHTS["dense"], WEIGHTS["lexical"]]
            vector = vectors[-1]
            if scope:
                scoped = both(vector, lexical.query_vector(content), scope.doc_ids, "_scoped")
                for ranking in scoped:
                    for h in ranking:
                        h.signals["scoped"] = True
                rankings += scoped
                weights += [WEIGHTS["dense_scoped"], WEIGHTS["lexical_scoped"]]
        with steps("quoted"):
            quoted = self.quoted_hits(question, doc_type, doc_ids)
        if quoted:
            rankings.append(quoted)
            weights.append(QUOTED_WEIGHT)
        inside = scope.doc_ids if scope else doc_ids if doc_ids and len(doc_ids) <= SCOPE_MAX_DOCS else None
        with steps("clause types"):
            self._typed(vector, n, doc_type, inside, rankings, weights)
        with steps("fusion"):
            fused = fuse(rankings, max(k, n), weights)
        # A record of the asked kind with exactly the quoted title ("the album "Blue Hour"") is
        # what the user named: it leads, whatever the fused scores of its namesakes.
        named = [h for h in quoted if h.signals.get("quoted_record")]
        if named:
            ids = {h.point_id for h in named}
            by_id = {h.point_id: h for h in fused}
            fused = [by_id.get(h.point_id, h) for h in named] + [h for h in fused if h.point_id not in ids]
        with steps("identifiers"):
            exact = self.identifier_hits(question, doc_type, doc_ids)
        if exact:
            ids = {h.point_id for h in exact}
            fused = exact + [h for h in fused if h.point_id not in ids]
        return fused[:k]

    def _typed(self, vector, n: int, doc_type: str | None, inside: list[str] | None,
               rankings: list[list[Hit]], weights: list[float]) -> None:
        """The kind of clause asked for, ranked inside the documents in question (and where a
        contract opens, for the types answered there): added to ``rankings``."""
        found = self.clause_types.match(vector) if self.clause_types is not None and inside else None
        if found:
            # The kind of clause asked for, ranked inside the documents in question.
            name, clause, weight = found
            if weight > 0:
                typed = self.store.search_dense(clause, n, doc_type, inside)
                for h in typed:
                    h.signals["clause_type"] = name
                rankings.append(typed)
                weights.append(weight)
            lead = self.clause_types.lead(name)
            if lead > 0:  # a type answered where a contract opens (title, parties, date)
                rankings.append(self.opening_chunks(inside))
                weights.append(lead)

    def opening_chunks(self, doc_ids: Sequence[str]) -> list[Hit]:
        """The first ``LEAD_CHUNKS`` chunks of each document (access rules apply), first chunks
        first, in the documents' given order."""
        per_doc = [self.store.get_chunks(d, range(LEAD_CHUNKS)) for d in doc_ids]
        out = [chunks[i] for i in range(LEAD_CHUNKS) for chunks in per_doc if i < len(chunks)]
        for h in out:
            h.signals["opening"] = True
        return out

    def expand(self, hits: Sequence[Hit]) -> list[Hit]:
        """Each hit with the neighbouring parts of its clause when the clause was split, merged
        into one passage (offsets stay exact: ``start`` of the first, ``end`` of the last)."""
        out: list[Hit] = []
        for hit in hits:
            p = hit.payload
            if not p.get("part"):
                out.append(hit)
                continue
            idx = int(p["chunk_index"])
            neighbours = self.store.get_chunks(p["doc_id"], [idx - 1, idx + 1])
            same = [n for n in neighbours if n.payload.get("section") == p.get("section") and n.payload.get("part")]
            parts = sorted(same + [hit], key=lambda h: h.payload["chunk_index"])
            out.append(merge_parts(hit, parts))
        return out


def merge_parts(hit: Hit, parts: Sequence[Hit]) -> Hit:
    # Parts of one clause overlap or touch; a gap would break ``text == doc[start:end]``.
    parts = [p for p in parts if p.payload["start"] <= hit.payload["end"] and p.payload["end"] >= hit.payload["start"]] or [hit]
    text, start, end = parts[0].payload["text"], parts[0].payload["start"], parts[0].payload["end"]
    for part in parts[1:]:
        ps, pe, pt = part.payload["start"], part.payload["end"], part.payload["text"]
        if ps > end:
            break
        text += pt[end - ps:]
        end = max(end, pe)
    payload = dict(hit.payload, text=text, start=start, end=end, merged_chunks=[p.payload["chunk_index"] for p in parts])
    return Hit(hit.point_id, hit.score, payload, dict(hit.signals, expanded=len(parts) > 1))
