"""Contract-aware chunking: split on the document's own structure, never lose an offset.

A contract is a sequence of numbered clauses ("12.", "12.3", "Article IV", "Section 5"),
headings and schedules/exhibits. We first find those headings, cut the text into sections at
them, then size the sections for the embedding model: tiny neighbouring sections are merged,
long ones split with overlap at paragraph or sentence boundaries. Every chunk keeps the
section it starts in (number, heading, path of parent headings) and its ``start``/``end``
offsets, with the invariant ``text[chunk.start:chunk.end] == chunk.text``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pydantic import BaseModel, Field, model_validator


class ChunkingOptions(BaseModel):
    """Chunk sizes in characters (MiniLM reads at most 256 word pieces, about 1,100 characters)."""

    max_chars: int = Field(1000, ge=200, description="longest chunk; longer clauses are split")
    overlap_chars: int = Field(150, ge=0, description="text repeated between parts of a split clause")
    min_chars: int = Field(250, ge=0, description="shorter sections are merged with their neighbours")

    @model_validator(mode="after")
    def _check(self) -> ChunkingOptions:
        if self.overlap_chars >= self.max_chars // 2:
            raise ValueError("overlap_chars must be less than half of max_chars")
        if self.min_chars >= self.max_chars:
            raise ValueError("min_chars must be less than max_chars")
        return self


@dataclass
class Heading:
    start: int  # offset of the heading line
    number: str | None  # "12.3", "IV", "A" ... as written
    label: str  # how a citation names it: "12.3", "Article IV", "Schedule A"
    title: str | None  # "Royalties"
    depth: int  # 1 for top-level clauses, 2 for 12.3, ...
    kind: str  # clause | article | section | schedule | markdown | caps | style


@dataclass
class Section:
    start: int
    end: int
    heading: Heading | None
    path: list[str] = field(default_factory=list)  # ["12. Royalties", "12.3 Rate"]


@dataclass
class Chunk:
    index: int
    start: int
    end: int
    text: str
    section: str | None  # label of the section the chunk starts in
    heading: str | None  # that section's own title
    section_path: str | None  # "12. Royalties > 12.3 Royalty Rate"
    sections: list[str]  # labels of every section the chunk covers (merges)
    part: int = 0  # 0 = whole section, 1.. = part of a split section

    @property
    def citation(self) -> str:
        if not self.section:
            return "preamble" if self.heading == "Preamble" else (self.heading or "")
        label = self.section if not self.section[0].isdigit() else f"§{self.section}"
        return f"{label} {self.heading}".strip() if self.heading else label


_ROMAN = r"[IVXLC]+"
_DASH = r"\s*(?:[-–—:.)]\s*)?"
_ARTICLE = re.compile(rf"^(?P<kw>ARTICLE|Article)\s+(?P<num>{_ROMAN}|\d+)\b\.?{_DASH}(?P<title>.*)$")
_SECTION = re.compile(rf"^(?P<kw>SECTION|Section|CLAUSE|Clause)\s+(?P<num>\d+(?:\.\d+)*)\b\.?{_DASH}(?P<title>.*)$")
_SCHEDULE = re.compile(
    rf"^(?P<kw>SCHEDULE|EXHIBIT|APPENDIX|ANNEX|ADDENDUM|ANNEXURE|Schedule|Exhibit|Appendix|Annex|Addendum)"
    rf"(?:\s+(?P<num>[A-Z]{{1,2}}|\d+|{_ROMAN})\b)?\.?{_DASH}(?P<title>.*)$"
)
_NUMBERED = re.compile(r"^(?P<num>\d{1,3}(?:\.\d{1,3})*)(?P<dot>\.|\))?\s+(?P<title>\S.*)$")
_MARKDOWN = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<title>.+?)\s*#*\s*$")
_LEADING_NUM = re.compile(r"^(?:(?:ARTICLE|Article|SECTION|Section)\s+)?(?P<num>\d{1,3}(?:\.\d{1,3})*|[IVXLC]+)\b[.)]?\s+(?P<title>.*)$")


def _inline_title(rest: str) -> str | None:
    """The heading in "Royalty Rate. The Company shall pay ..." or a whole short heading line."""
    rest = rest.strip()
    if not rest:
        return None
    m = re.match(r"^([A-Z][^.:;]{0,70}?)[.:](?:\s|$)", rest)
    if m and len(m.group(1).split()) <= 8:
        return m.group(1).strip()
    words = rest.split()
    sentence_like = rest.endswith((".", ",", ";")) and len(words) > 5
    if len(rest) <= 80 and len(words) <= 10 and not sentence_like and not re.search(r"\b(means|shall|is|are)\b", rest):
        return rest.rstrip(" .:")
    return None


def _is_caps_heading(line: str) -> bool:
    stripped = line.strip()
    letters = [c for c in stripped if c.isalpha()]
    if len(letters) < 4 or len(stripped) > 80 or stripped.endswith((",", ";")):
        return False
    if sum(c.isupper() for c in letters) / len(letters) < 0.9:
        return False
    return len(stripped.split()) <= 10


def find_headings(text: str, style_heading_offsets: list[int] | None = None) -> list[Heading]:
    """Heading lines of a contract, in document order.

    Bare numbered lines ("12. ...") are accepted only when their top-level number follows the
    sequence seen so far (a small jump is tolerated), so that "2019 ..." or "100 Main Street"
    at the start of a wrapped line is never mistaken for a clause.
    """
    style_offsets = set(style_heading_offsets or ())
    headings: list[Heading] = []
    last_top = 0
    schedule: str | None = None  # numbering inside a schedule is labelled "Schedule A, 1"
    offset = 0
    prev_blank = True
    for raw in text.split("\n"):
        line_start = offset
        offset += len(raw) + 1
        line = raw.strip()
        lead = len(raw) - len(raw.lstrip())
        start = line_start + lead
        if not line:
            prev_blank = True
            continue
        heading = None
        if m := _MARKDOWN.match(line):
            title = m.group("title")
            num = _LEADING_NUM.match(title)
            number = num.group("num") if num else None
            heading = Heading(start, number, _label_for(number, title), (num.group("title") if num else title).strip() or None,
                              len(m.group("hashes")), "markdown")
        elif m := _ARTICLE.match(line):
            number = m.group("num")
            heading = Heading(start, number, f"Article {number}", _inline_title(m.group("title")), 1, "article")
            last_top = _top_number(number, last_top)
        elif m := _SECTION.match(line):
            number = m.group("num")
            heading = Heading(start, number, number, _inline_title(m.group("title")), number.count(".") + 1, "section")
            last_top = _top_number(number, last_top)
        elif (m := _SCHEDULE.match(line)) and (m.group("num") or _is_caps_heading(line)) and _plausible_schedule(m):
            kw = m.group("kw").capitalize()
            number = m.group("num")
            label = f"{kw} {number}" if number else kw
            heading = Heading(start, number, label, _inline_title(m.group("title")), 1, "schedule")
            last_top = 0  # numbering restarts inside schedules
            schedule = label
        elif (m := _NUMBERED.match(line)) and lead <= 4:
            number = m.group("num")
            title = m.group("title")
            top = int(number.split(".")[0])
            depth = number.count(".") + 1
            sequential = last_top <= top <= last_top + 3 or (last_top == 0 and top <= 3)
            shaped = title[0].isupper() or title[0] in "\"“(" or (depth > 1 and title[0].isalpha())
            bare_int_ok = m.group("dot") is not None or depth > 1 or _is_caps_heading(title)
            if sequential and shaped and bare_int_ok and (prev_blank or depth > 1 or m.group("dot")):
                label = f"{schedule}, {number}" if schedule else number
                heading = Heading(start, number, label, _inline_title(title), depth + (1 if schedule else 0), "clause")
                last_top = top
        elif start in style_offsets or (_is_caps_heading(line) and prev_blank):
            heading = Heading(start, None, "", line.rstrip(" .:"), 1, "style" if start in style_offsets else "caps")
        if heading is not None:
            headings.append(heading)
        prev_blank = False
    return headings


def _plausible_schedule(m: re.Match) -> bool:
    # "Schedule A sets out ..." is prose; a heading has a short or empty title.
    title = m.group("title").strip()
    return len(title) <= 80


def _top_number(number: str, last_top: int) -> int:
    head = number.split(".")[0]
    return int(head) if head.isdigit() else last_top


def _label_for(number: str | None, title: str) -> str:
    """A heading without a number is cited by its title alone (label empty)."""
    return number or ""


def split_sections(text: str, headings: list[Heading]) -> list[Section]:
    """Cut the text at headings; text before the first heading is the preamble."""
    sections: list[Section] = []
    if not headings or headings[0].start > 0:
        first = headings[0].start if headings else len(text)
        if text[:first].strip():
            sections.append(Section(0, first, None, []))
    stack: list[Heading] = []
    for i, heading in enumerate(headings):
        end = headings[i + 1].start if i + 1 < len(headings) else len(text)
        while stack and stack[-1].depth >= heading.depth:
            stack.pop()
        if heading.kind in ("schedule", "article") or (heading.kind == "caps" and heading.depth == 1):
            stack = []
        stack.append(heading)
        path = [f"{h.label} {h.title or ''}".strip() for h in stack]
        sections.append(Section(heading.start, end, heading, path))
    return sections


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


_BOUNDARIES = ("\n\n", "\n", ". ", "; ", ", ", " ")


def _best_cut(text: str, lo: int, hi: int) -> int:
    """The latest natural boundary in text[lo:hi], preferring paragraphs over sentences over words."""
    for boundary in _BOUNDARIES:
        pos = text.rfind(boundary, lo, hi)
        if pos != -1:
            return pos + len(boundary)
    return hi


def _split_long(text: str, start: int, end: int, opts: ChunkingOptions) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    pos = start
    while True:
        if end - pos <= opts.max_chars:
            spans.append(_trim(text, pos, end))
            break
        cut = _best_cut(text, pos + opts.max_chars // 2, pos + opts.max_chars)
        spans.append(_trim(text, pos, cut))
        # Restart a little before the cut, at a boundary, so a split sentence is seen whole once.
        back = cut - opts.overlap_chars
        nxt = _best_cut(text, back, cut - 1) if opts.overlap_chars else cut
        if nxt <= pos or nxt >= cut:
            nxt = back if opts.overlap_chars else cut
        pos = max(nxt, pos + 1)
    return [s for s in spans if s[1] > s[0]]


def chunk_text(text: str, opts: ChunkingOptions | None = None, style_heading_offsets: list[int] | None = None) -> list[Chunk]:
    """Chunks of a document's text with section metadata and exact offsets."""
    opts = opts or ChunkingOptions()
    sections = split_sections(text, find_headings(text, style_heading_offsets))
    # Merge runs of small sections into groups no longer than max_chars.
    groups: list[list[Section]] = []
    for section in sections:
        s_start, s_end = _trim(text, section.start, section.end)
        if s_end <= s_start:
            continue
        size = s_end - s_start
        if groups:
            g_start = _trim(text, groups[-1][0].start, groups[-1][-1].end)[0]
            group_size = s_end - g_start
            group_small = _span(text, groups[-1]) < opts.min_chars
            # Small sub-clauses join their clause; a new top-level clause joins only a tiny group,
            # so that a chunk's citation (its first section) stays true for most of its text. A
            # tiny group (a bare heading) joins the next section even if that must then be split.
            joinable = group_small or (size < opts.min_chars and not _is_top_level(section))
            fits = group_size <= opts.max_chars or _span(text, groups[-1]) < BARE_HEADING_CHARS
            if joinable and fits and not _starts_new_part(section):
                groups[-1].append(section)
                continue
        groups.append([section])
    chunks: list[Chunk] = []
    for group in groups:
        g_start, g_end = _trim(text, group[0].start, group[-1].end)
        spans = [(g_start, g_end)] if g_end - g_start <= opts.max_chars else _split_long(text, g_start, g_end, opts)
        for part, (c_start, c_end) in enumerate(spans, start=1 if len(spans) > 1 else 0):
            covered = [s for s in group if s.start < c_end and s.end > c_start]
            primary = _primary_section(text, covered, c_start, split=len(spans) > 1)
            heading = primary.heading
            chunks.append(
                Chunk(
                    index=len(chunks),
                    start=c_start,
                    end=c_end,
                    text=text[c_start:c_end],
                    section=(heading.label or None) if heading else None,
                    heading=(heading.title if heading else "Preamble"),
                    section_path=" > ".join(primary.path) if primary.path else None,
                    sections=[s.heading.label for s in covered if s.heading and s.heading.label],
                    part=part,
                )
            )
    return chunks


BARE_HEADING_CHARS = 80


def _primary_section(text: str, covered: list[Section], start: int, split: bool) -> Section:
    """The section a chunk is cited by: the one it starts in, unless the chunk is part of a
    split clause led by a bare heading line ("4. RIGHTS"): then the clause that carries it."""
    containing = [s for s in covered if s.start <= start] or covered[:1]
    primary = containing[-1]
    i = covered.index(primary)
    s_start, s_end = _trim(text, primary.start, primary.end)
    if split and s_end - s_start < BARE_HEADING_CHARS and i + 1 < len(covered) and primary.heading is not None:
        return covered[i + 1]
    return primary


def _span(text: str, group: list[Section]) -> int:
    start, end = _trim(text, group[0].start, group[-1].end)
    return end - start


def _is_top_level(section: Section) -> bool:
    return section.heading is not None and section.heading.depth == 1


def _starts_new_part(section: Section) -> bool:
    """Schedules and articles open a new part of the contract: never merge them backwards."""
    return section.heading is not None and section.heading.kind in ("schedule", "article")
