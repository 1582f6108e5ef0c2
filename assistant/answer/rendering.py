"""The chosen unit written as the answer: the fact first when it is clear, then the unit's own
words in “…” with the citation marker, in a form ``citations.check_answer`` accepts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.answer.citations import check_answer, split_claims
from assistant.answer.selection import Selection


@dataclass
class Rendered:
    """The answer text, and where in it the fact stands (for highlighting); ``quotes`` are the
    quoted pieces, each verbatim from the cited passage."""

    text: str
    fact_text: str = ""
    fact_start: int | None = None  # offsets in ``text``
    fact_end: int | None = None
    quotes: list[str] = field(default_factory=list)


SHORT_ANSWER_KINDS = frozenset({"date", "money", "percent", "duration", "territory", "law", "frequency", "title", "count"})
MAX_QUOTE_CHARS = 600


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _pieces(text: str) -> list[str]:
    """``text`` cut where the citation checker cuts sentences, so each piece can be its own quote
    and no piece is left without the marker."""
    return [c.sentence for c in split_claims(_one_line(text))] or [_one_line(text)]


def quoted_pieces(text: str) -> str:
    """``text`` as “…” “…”, one pair per piece the citation checker sees as a sentence."""
    return " ".join(f"“{p}”" for p in _pieces(text))


def _window(text: str, start: int, end: int, limit: int) -> str:
    """The sentence-piece of ``text`` holding [start, end), cut to ``limit`` characters at words."""
    pos = 0
    flat = text
    for piece in _pieces(flat):
        i = flat.find(piece, pos)
        if i <= start < i + len(piece) + 1:
            if len(piece) <= limit:
                return piece
            a = max(0, start - i - limit // 2)
            chunk = piece[a:a + limit]
            if a > 0:
                chunk = chunk.split(" ", 1)[-1]
            if a + limit < len(piece):
                chunk = chunk.rsplit(" ", 1)[0]
            return chunk
        pos = max(pos, i + 1)
    return text[:limit].rsplit(" ", 1)[0]


def _compose(sel: Selection, prefix: str, quote_sets: list[list[str]]) -> Rendered:
    parts, quotes = [], []
    for k, pieces in enumerate(quote_sets):
        if k:
            parts.append("…")
        for p in pieces:
            parts.append(f"“{p}”")
            quotes.append(p)
    body = " ".join(parts) + f" [{sel.number}]"
    if prefix:
        text = f"{prefix} — {body}"
        return Rendered(text, prefix, 0, len(prefix), quotes)
    fact = _one_line(sel.fact_text)
    at = body.find(fact) if fact else -1
    if at < 0:
        return Rendered(body, "", None, None, quotes)
    return Rendered(body, fact, at, at + len(fact), quotes)


def rendered(selection: Selection) -> Rendered:
    """The answer for ``selection``: the fact first when it is clear ("31 December 2027 — “…the
    Term shall expire on 31 December 2027.” [2]"), then the unit's own words, its lead-in
    first for a list item. Checked with ``check_answer`` against the unit itself, so it holds for
    the passage the unit came from; a form that fails (a long unit repeating itself) gives way to a
    shorter one."""
    sel = selection
    fact = _one_line(sel.fact_text).strip(" ,;:.")
    unit = _one_line(sel.unit_text)
    lead = _one_line(sel.lead_text)
    support = {sel.number: f"{sel.lead_text}\n{sel.unit_text}" if sel.lead_text else sel.unit_text}
    short = fact if fact and sel.kind in SHORT_ANSWER_KINDS and sel.unit_kind not in ("row", "record") and len(fact) <= 160 else ""

    def sets(unit_text: str) -> list[list[str]]:
        out = []
        if lead:
            out.append(_pieces(_window(lead, len(lead) - 1, len(lead), MAX_QUOTE_CHARS // 2) if len(lead) > MAX_QUOTE_CHARS // 2 else lead))
        out.append(_pieces(unit_text))
        return out

    # a long unit: the sentence-piece around the fact
    focus = unit
    if len(unit) > MAX_QUOTE_CHARS:
        where = unit.find(_one_line(sel.fact_text)) if sel.fact_text else -1
        focus = _window(unit, max(where, 0), max(where, 0) + len(fact), MAX_QUOTE_CHARS)
    variants = [(short, sets(focus)), ("", sets(focus))]
    in_lead = lead.find(_one_line(sel.fact_text)) if sel.fact_text and _one_line(sel.fact_text) not in unit else -1
    if in_lead >= 0:  # the fact sits in the lead-in ("in consideration of an additional fee of …, as follows:")
        variants.append((short, [_pieces(_window(lead, in_lead, in_lead + len(fact), 300))]))
    if sel.fact_text:
        where = unit.find(_one_line(sel.fact_text))
        if where >= 0:
            variants.append(("", [_pieces(_window(unit, where, where + len(fact), 300))]))
    variants.append(("", [_pieces(unit[:300].rsplit(" ", 1)[0] if len(unit) > 300 else unit)]))
    where = max(unit.find(_one_line(sel.fact_text)), 0) if sel.fact_text else 0
    for limit in (200, 120, 80, 50):  # a unit that repeats itself: a shorter window around the fact
        variants.append(("", [_pieces(_window(unit, where, where + len(fact), limit))]))
    for prefix, quote_sets in variants:
        out = _compose(sel, prefix, quote_sets)
        if check_answer(out.text, support).ok:
            return out
    return _compose(sel, "", [_pieces(focus)])


def render(selection: Selection) -> str:
    """The answer text for ``selection`` (see ``rendered``)."""
    return rendered(selection).text
