"""Passages cut into the units a quote can be made of.

``answer_units`` yields sentences, numbered clauses, list items (each joined to the lead-in that
ends in ":", so a unit never ends on "the following royalties:"), table rows and "Key: value"
lines, each with its heading and role (operative, definition, recital, preamble, boilerplate);
headings are context, never units. ``sentences`` splits a span into sentences without breaking
on abbreviations or clause numbers. Key terms and answers both read contracts through here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.text.kinds import NUMBER_WORD
from assistant.text.questions import ABBREVIATIONS


@dataclass(frozen=True)
class Unit:
    """A span of a passage an answer can quote: ``text == passage[start:end]``.

    A list item keeps the lead-in it completes (``lead``: its span, ``lead_text``), quoted with it;
    ``heading`` is the title the unit sits under ("7. ROYALTIES", "Streaming Royalty").
    """

    start: int
    end: int
    text: str
    kind: str = "sentence"  # sentence | item | row | record (of "Key: value" lines) | field | heading
    label: str = ""  # "7.2", "(a)"
    heading: str = ""
    lead: tuple[int, int] | None = None
    lead_text: str = ""
    role: str = "operative"  # operative | recital | preamble | definition | boilerplate

    @property
    def full_text(self) -> str:
        """The lead-in and the unit, as one string (for scoring and measuring)."""
        return f"{self.lead_text} {self.text}" if self.lead_text else self.text


_LIST_MARKER = re.compile(r"^\s*(?:\((?P<p>[a-z]{1,2}|[ivxlc]{1,6}|[A-Z]{1,2}|\d{1,2})\)|(?P<b>[a-z]|[ivx]{1,5}|\d{1,2})\)|(?P<d>[-•*–·▪●◦])\s)\s*")
_CLAUSE_LABEL = re.compile(r"^\s*(?:(?:Section|SECTION|Clause|CLAUSE|Article|ARTICLE|Paragraph)\s+)?(?P<n>\d{1,3}(?:\.\d{1,3}){1,3}\.?|\d{1,3}\.)(?=\s)\s*")
_HEADING_KW = re.compile(r"^\s*(?:ARTICLE|Article|SECTION|Section|SCHEDULE|Schedule|EXHIBIT|Exhibit|APPENDIX|Appendix|ANNEX|Annex|ANNEXURE|PART|Part)\b")
_KEY_VALUE = re.compile(r"^\s*(?P<k>[A-Z][\w ()&/'’.,-]{0,40}?)\s*:\s+(?=\S)")
_INLINE_HEADING = re.compile(
    r"^(?P<h>[A-Z][\w'’/-]*(?:\s+(?:[A-Z][\w'’/-]*|and|of|or|the|for|to|in|on|by|with|&|a|an)){0,6}"
    r"|[A-Z][\w'’/-]*(?:\s+[\w'’/-]+){0,3})\.\s+(?=[A-Z\"“(])"
)
_RECITAL_HEAD = re.compile(r"^\W*(?:RECITALS?|Recitals?|WHEREAS|Whereas|BACKGROUND|Background|PREAMBLE|Preamble|INTRODUCTION)\b")
_OPERATIVE_START = re.compile(r"\b(?:agreed?\s+as\s+follows|AGREED\s+AS\s+FOLLOWS|NOW,?\s+THEREFORE|Now,?\s+therefore|IT\s+IS\s+(?:HEREBY\s+)?AGREED|hereby\s+agree)\b")
_BOILER_HEAD = re.compile(
    r"(?:(?:notices?|counterparts?|entire\s+agreement|severab\w+|waivers?|headings?|further\s+assurances?|signatures?|execution|"
    r"in\s+witness|interpretation|miscellaneous|general(?:\s+provisions)?|costs|relationship\s+of\s+the\s+parties|no\s+partnership|"
    r"amendments?|variation|language|force\s+majeure)(?:\s*(?:,|and|&)\s*)?)+",
    re.I,
)


def _boiler_heading(heading: str) -> bool:
    """The innermost heading is one of a clause that carries no terms of the deal ("13. Notices",
    "ARTICLE XIII — MISCELLANEOUS"); "Miscellaneous · Assignment" is not."""
    inner = heading.split(" · ")[-1]
    bare = re.sub(r"^\W*(?:(?:ARTICLE|Article|SECTION|Section|Clause|CLAUSE)\s+\w+\s*[—–:.-]?\s*|\d+(?:\.\d+)*\.?\s*)", "", inner)
    bare = bare.strip(" .:")
    if bare == inner.strip(" .:") and re.fullmatch(r"notice|amendment|variation", bare, re.I):
        return False  # unnumbered and singular: a document's own title ("NOTICE", "AMENDMENT"), not its Notices clause
    return bool(bare) and bool(_BOILER_HEAD.fullmatch(bare))


_BOILER_TEXT = re.compile(
    r"\b(?:IN\s+WITNESS\s+WHEREOF|Signed\s+(?:for\s+and\s+on\s+behalf|by)|executed\s+in\s+(?:any\s+number\s+of\s+)?counterparts|"
    r"constitutes\s+the\s+entire\s+agreement|headings\s+are\s+for\s+convenience|Signature\s*:|_{5,}|/s/|\bBy:\s|\bName:\s.*\bTitle:\s|"
    # an execution block: "EXECUTED as a deed", "X Limited by Aroha Ngata, Director"
    r"\b(?:executed|signed)\s+as\s+a\s+deed\b|\bby\s+(?-i:[A-Z][\w'’-]+)(?:\s+(?-i:[A-Z][\w'’-]+)){0,3},\s+(?:Managing\s+)?"
    r"(?:Director|CEO|President|Secretary|Managing\s+Member|Partner)\b)",
    re.I,
)
_BOILER_KEYS = frozenset("signature name title by date signed witness address email tel telephone fax attention for the attention of cc".split())
DEFINITION = re.compile(r"^\W*(?:\(\w{1,4}\)\s*)?[\"“](?P<t>[^\"”]{1,60})[\"”]\s*(?:\([^)]{0,40}\)\s*)?(?:shall\s+)?(?:means?|has\s+the\s+meaning|includes?|refers?\s+to|shall\s+have\s+the\s+meaning)\b", re.I)
_PREAMBLE = re.compile(r"\b(?:is\s+made|made\s+and\s+entered|entered\s+into|is\s+dated|dated\s+as\s+of|made\s+as\s+of)\b[\s\S]{0,400}?\bbetween\b|\bby\s+and\s+between\b"
                       # a deed's cover lines: "Date: 1 August 2023 Parties: X ("Manager") and Y ("Artist")"
                       r"|\bParties\s*:\s*\S[\s\S]{0,300}?\band\b", re.I)
_SENT_END = re.compile(r"[.!?][\"”’')\]]*\s+(?=[A-Z\"“(\[])")
_INLINE_CLAUSE = re.compile(r"(?<=[.:;])\s+(?=(?:(?:Section|Clause|Article)\s+)?\d{1,2}(?:\.\d{1,2}){1,3}\.?\s+[A-Z\"“(])|(?<=[.;])\s+(?=\d{1,2}\.\s+[A-Z][\w'’-]*(?:\s+[A-Za-z][\w'’-]*){0,6}[.:]\s)")
_INLINE_ITEM = re.compile(r"[:;]\s+(?:(?:and|or|and/or)\s+)?(?=\((?:[a-z]{1,2}|[ivx]{1,5}|\d{1,2})\)\s)")
_NUMBER_WORD_END = re.compile(rf"\b{NUMBER_WORD}\s*$", re.I)
_TABLE_ROW = re.compile(r"^[^,\n]*(?:,[^,\n]*){2,}$")


@dataclass
class _Line:
    start: int
    end: int
    text: str  # stripped
    kind: str  # blank | heading | kv | row | item | clause | text
    label: str = ""
    body: int = 0  # offset of the body after the label/marker


def _is_caps_heading(s: str) -> bool:
    words = s.split()
    return 0 < len(words) <= 12 and not re.search(r"[a-z]", s) and bool(re.search(r"[A-Z]{2}", s)) and not s.endswith((",", ";"))


def _classify(text: str) -> list[_Line]:
    lines: list[_Line] = []
    pos = 0
    for raw in text.split("\n"):
        start, end = pos, pos + len(raw)
        pos = end + 1
        stripped = raw.strip()
        if not stripped:
            lines.append(_Line(start, end, "", "blank"))
            continue
        lead_ws = len(raw) - len(raw.lstrip())
        s0, e0 = start + lead_ws, start + len(raw.rstrip())
        line = _Line(s0, e0, stripped, "text", body=s0)
        prev = next((p for p in reversed(lines) if p.kind != "blank"), None)
        prev_text = prev.text if prev else ""
        continues = bool(prev) and prev.kind not in ("heading", "row") and not re.search(r"[.;:!?]$|[.;:!?][\"”')]$", prev_text)
        md = re.match(r"^#{1,6}\s+", stripped)
        m_item = _LIST_MARKER.match(stripped)
        m_clause = _CLAUSE_LABEL.match(stripped)
        if md:
            line.kind = "heading"
            line.text = stripped[md.end():]
        elif _HEADING_KW.match(stripped) and len(stripped) <= 90 and not re.search(r"[.;]\s+[A-Z]", stripped) and not stripped.endswith(("," , ";")):
            line.kind = "heading"
        elif m_item and not (continues and (m_item.group("p") or "").isdigit() and _NUMBER_WORD_END.search(prev_text)) \
                and not (continues and m_item.group("d") and not prev_text.endswith(":")):
            line.kind, line.label, line.body = "item", m_item.group(0).strip(), s0 + m_item.end()
        elif m_clause and not (continues and re.search(r"\b(?:clause|section|article|paragraph|schedule|and|or|to|of|in|under|No\.?)\s*$", prev_text, re.I)):
            rest = stripped[m_clause.end():]
            flat = " ".join(rest.split())
            if flat and (len(flat.split()) <= 8 and not re.search(r"[.;:!?]$|[.;:!?]\s+\S", flat) and rest[:1].isupper()
                         and len(re.findall(r"\b[a-z]{4,}\b", flat)) <= 2):
                line.kind, line.label = "heading", m_clause.group("n").rstrip(".")
            else:
                line.kind, line.label, line.body = "clause", m_clause.group("n").rstrip("."), s0 + m_clause.end()
        elif _TABLE_ROW.match(stripped) and stripped.count(", ") * 2 < stripped.count(","):
            line.kind = "row"
        elif (m_kv := _KEY_VALUE.match(stripped)) and len(m_kv.group("k").split()) <= (6 if not continues else 4) \
                and not _OPERATIVE_START.search(stripped):
            line.kind, line.label = "kv", m_kv.group("k").strip()
        elif _is_caps_heading(stripped) and not (continues and prev and prev.kind in ("text", "clause", "item") and len(prev_text) > 60):
            line.kind = "heading"
        elif re.match(r"^[A-Z][\w '’&/-]{0,40}:$", stripped) and len(stripped.split()) <= 5 and not continues \
                and not _OPERATIVE_START.search(stripped):
            line.kind = "heading"  # "WHEREAS:", "Schedule of works:"
        lines.append(line)
    return lines


@dataclass
class _Block:
    start: int
    end: int
    kind: str
    label: str = ""
    body: int = 0
    heading_text: str = ""


def _blocks(text: str) -> list[_Block]:
    """Lines joined into paragraphs, clauses and items (PDF text wraps mid-sentence)."""
    out: list[_Block] = []
    lines = _classify(text)
    gap = False
    for line in lines:
        if line.kind == "blank":
            gap = True
            continue
        cur = out[-1] if out else None
        if line.kind == "text" and cur is not None and cur.kind == "kv" and line.text[:1].islower() and not gap:
            cur.end = line.end  # "Scene: Night. Nell walks ... the song plays / under dialogue ..."
            continue
        if line.kind == "text" and cur is not None and cur.kind in ("text", "clause", "item"):
            tail = text[cur.start:cur.end].rstrip()
            ends = bool(re.search(r"[.;:!?][\"”')\]]*$", tail))
            last_word = re.findall(r"[\w./]+\.?$", tail)
            abbrev = bool(last_word) and last_word[0].rstrip(".").lower() in ABBREVIATIONS
            lower = line.text[:1].islower() or line.text[:1].isdigit() or line.text[:1] in "(\"“'’&$£€¥"
            # a page break inside a sentence: a blank line after a wrapped line ending in a lower-case word
            page_break = gap and bool(re.search(r"[a-z]$", tail)) and len(tail) > 60
            if (not ends or abbrev or (lower and not tail.endswith((";", ":")))) and not (gap and not lower and not page_break):
                cur.end = line.end
                gap = False
                continue
        out.append(_Block(line.start, line.end, line.kind, line.label, line.body or line.start,
                          line.text if line.kind == "heading" else ""))
        gap = False
    return out


def split_sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans of ``text[start:end]``; abbreviations ("No.", "Ltd.", "e.g.", "U.S.") and
    clause numbers ("clause 2.3") do not end a sentence."""
    spans, cur = [], start
    for m in _SENT_END.finditer(text, start, end):
        before = text[max(cur, m.start() - 60):m.start() + 1]
        word = re.search(r"(\S+)\.$", before)
        if word:
            token = word.group(1).lstrip("(\"“").lower()
            if token in ABBREVIATIONS or re.fullmatch(r"(?:[a-z]\.)+[a-z]", token) or re.fullmatch(r"[a-z]", token):
                continue
            if re.fullmatch(r"\d{1,3}", token) and re.search(r"\b(?:clause|section|article|paragraph|no|schedule)\s+\d{1,3}\.$", before, re.I):
                continue
        spans.append((cur, m.end()))
        cur = m.end()
    spans.append((cur, end))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def _segments(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """Inline structure of flattened text: (start, end, label) for numbered sub-clauses run into
    one paragraph ("... as follows: 2.1 "X" means ... 2.2 ...")."""
    cuts = [m.end() for m in _INLINE_CLAUSE.finditer(text, start, end)]
    bounds = [start] + cuts + [end]
    out = []
    for a, b in zip(bounds, bounds[1:]):
        m = re.match(r"\s*(?:(?:Section|Clause|Article)\s+)?(\d{1,2}(?:\.\d{1,2}){0,3})\.?\s+", text[a:b]) if a != start else None
        label = m.group(1) if m else ""
        out.append((a + (m.end() if m else 0), b, label))
    return out


def _strip_inline_heading(text: str, start: int, end: int) -> tuple[int, str]:
    m = _INLINE_HEADING.match(text[start:end])
    if m and len(m.group("h")) <= 60 and not DEFINITION.match(text[start:end]):
        h = m.group("h")
        # "The Company shall ..." is a sentence, not a heading: a heading has no verb-like lower-case run
        if not re.search(r"\b(?:shall|will|is|are|was|were|may|must|has|have|be|been|does|do|did|can)\b", h, re.I):
            return start + m.end(), h
    return start, ""


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s] in " \t\r\n":
        s += 1
    while e > s and text[e - 1] in " \t\r\n":
        e -= 1
    return s, e


def _heading_text(text: str, block: _Block) -> str:
    s, e = _trim(text, block.start, block.end)
    return text[s:e]


def _unit_role(unit_text: str, heading: str, recital: bool, preamble: bool) -> str:
    if recital or re.match(r"^\W*WHEREAS\b", unit_text):
        return "recital"
    if preamble and _PREAMBLE.search(unit_text):
        return "preamble"
    if _BOILER_TEXT.search(unit_text) or (heading and _boiler_heading(heading)):
        return "boilerplate"
    if DEFINITION.match(unit_text):
        return "definition"
    return "operative"


def answer_units(text: str, headings: bool = False) -> list[Unit]:
    """Units of ``text`` an answer can quote, in order, with offsets into ``text``. Headings are
    context, not units, unless ``headings`` (a question asking for a document's title)."""
    units: list[Unit] = []
    heading = ""
    recital, preamble = False, True
    lead: tuple[int, int] | None = None  # a lead-in ending in ":", completed by the items that follow
    row_head = ""
    records: list[list[_Block]] = []

    def emit(s: int, e: int, kind: str, label: str = "", lead_span=None, head: str | None = None):
        s, e = _trim(text, s, e)
        body = text[s:e]
        if e <= s or len(body.split()) < 3 and kind in ("sentence", "item") and not re.search(r"\d", body):
            return
        if kind in ("sentence", "item") and _is_caps_heading(body):
            return
        h = heading if head is None else head
        ltext = text[lead_span[0]:lead_span[1]] if lead_span else ""
        role = _unit_role(body, h, recital, preamble)
        if kind in ("field", "record") and label.lower() in _BOILER_KEYS:
            role = "boilerplate"
        units.append(Unit(s, e, body, kind, label, h, lead_span, ltext, role))

    def flush_records():
        for group in records:
            if not group:
                continue
            keys = [text[b.start:b.end].split(":", 1)[0].strip() for b in group]
            firsts = [i for i, k in enumerate(keys) if k == keys[0]]
            if len(group) > 1 and len(firsts) > 1 and all(len(text[b.start:b.end]) < 200 for b in group):
                # "Composition: X / ISWC: ... / Writers and splits: ..." repeated: one record each
                bounds = firsts + [len(group)]
                for a, b in zip(bounds, bounds[1:]):
                    emit(group[a].start, group[b - 1].end, "record", keys[a])
            else:
                for b, k in zip(group, keys):
                    emit(b.start, b.end, "field", k, head=k if not heading else heading)
        records.clear()

    def sentences_of(s: int, e: int, label: str, kind: str):
        """Units of a clause or paragraph body: sentences, inline lists joined to their lead-in."""
        nonlocal lead
        for seg_s, seg_e, seg_label in _segments(text, s, e):
            seg_s, seg_h = _strip_inline_heading(text, seg_s, seg_e)
            head = " · ".join(x for x in (heading, seg_h) if x)
            item_cuts = [m.end() for m in _INLINE_ITEM.finditer(text, seg_s, seg_e)]
            pieces = [seg_s] + item_cuts + [seg_e]
            inline_lead = None
            for i, (a, b) in enumerate(zip(pieces, pieces[1:])):
                if i > 0:  # an inline item "(b) ..." after "...:" or ";"
                    m = re.match(r"\s*\(([^)]{1,5})\)\s*", text[a:b])
                    emit(a + (m.end() if m else 0), b, "item", f"({m.group(1)})" if m else "", inline_lead, head)
                    continue
                sents = split_sentences(text, a, b)
                if item_cuts and sents:
                    # the sentence before the first inline item is its lead-in, not a unit of its own
                    *rest, last = sents
                    for ss, se in rest:
                        emit(ss, se, kind, seg_label or label, None, head)
                    inline_lead = last if text[last[0]:last[1]].rstrip().endswith(":") else None
                    if inline_lead is None:
                        emit(last[0], last[1], kind, seg_label or label, None, head)
                    continue
                for j, (ss, se) in enumerate(sents):
                    if j == len(sents) - 1 and text[ss:se].rstrip().endswith(":"):
                        lead = (ss, se)  # completed by the list items that follow
                        continue
                    emit(ss, se, kind, seg_label or label, None, head)

    blocks = _blocks(text)
    for bi, block in enumerate(blocks):
        btext = text[block.start:block.end]
        if block.kind != "kv":
            flush_records()
        if block.kind == "heading":
            if headings:
                units.append(Unit(*_trim(text, block.start, block.end), text=_heading_text(text, block), kind="heading",
                                  label=block.label, heading=heading, role="operative"))
            heading = block.heading_text or btext.strip()
            lead = None
            recital = bool(_RECITAL_HEAD.match(heading))
            if block.label or _RECITAL_HEAD.match(heading):
                preamble = False
            if _OPERATIVE_START.search(btext):
                recital = False
            continue
        if block.kind == "kv":
            if not records or blocks[bi - 1].kind != "kv":
                records.append([])
            records[-1].append(block)
            lead = None
            continue
        if block.kind == "row":
            cells = btext.strip().split(",")
            if cells[0].strip():
                row_head = ",".join(c for c in cells[:2] if c.strip())
                emit(block.start, block.end, "row", "", None)
            else:  # ",,Jonah Reyes,...": a continuation of the row above (another writer of the same work)
                emit(block.start, block.end, "row", "", None, head=row_head)
            lead = None
            continue
        if block.kind == "item":
            marker = block.label
            body_s, body_e = _trim(text, block.body, block.end)
            own_lead = lead
            if text[body_s:body_e].endswith(":"):
                lead = (body_s, body_e)  # an item that opens sub-items is their lead-in
                continue
            if body_e - body_s > 700:
                for ss, se in split_sentences(text, body_s, body_e):
                    emit(ss, se, "item", marker, own_lead)
            else:
                emit(body_s, body_e, "item", marker, own_lead)
            continue
        # clause or paragraph
        if _OPERATIVE_START.search(btext):
            recital = False
        body = block.body if block.kind == "clause" else block.start
        if block.kind == "clause" and "." not in block.label:
            heading = ""  # "6. Other Terms. ...": a new top-level clause leaves the last one's heading
        lead = None
        sentences_of(body, block.end, block.label, "sentence")
        if block.kind == "clause":
            preamble = False
    flush_records()
    return units
