"""An agreement cut into its numbered clauses, each with its exact span in the document text.

A clause starts where a line starts with its number ("2.1 The Term ...", "Clause 6.", "3. TERRITORY",
"(a) ..." under a numbered clause, "Schedule 2" / "Paragraph 3" inside a schedule) and runs to the
start of the next numbered line. Its *own* text is that stretch; its sub-clauses follow it as
their own nodes, so "clause 6" is node 6 with 6.1, 6.2 and 6.1(a) after it. References are
normalised ("Clause 6.1 (a)" -> "6.1(a)") the way changing documents cite them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# After a line's number: not a month ("1 May 2022" is a date); a whole month name only, so that
# "5. Marketing." stays clause 5. Shared with assistant/contracts/clauses.py.
NOT_A_MONTH = (r"(?![ \t]+(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|"
               r"Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?\b)")
# A numbered line: "2.1 The Term", "Clause 2.1", "Section 3.", "12. GOVERNING LAW"; not a date ("1 May").
_NUMBERED = re.compile(
    r"(?m)^[ \t]*(?:(?:clause|section|article|paragraph)[ \t]+)?(\d{1,3}(?:\.\d{1,3}){0,3})\.?(?=[ \t]+\S)" + NOT_A_MONTH, re.I)
_LETTERED = re.compile(r"(?m)^[ \t]*\(([a-z]{1,2}|[ivx]{1,5})\)(?=[ \t]+\S)")
_SCHEDULE = re.compile(r"(?m)^[ \t]*(schedule|annex|appendix|exhibit)[ \t]+(\d{1,2}|[A-Z])\b", re.I)
# "SCHEDULE" alone on its line: the agreement's one schedule, whose lines are "Item 1  Writer: ..."
_THE_SCHEDULE = re.compile(r"(?m)^[ \t]*(?:THE[ \t]+)?(SCHEDULE|Schedule)[ \t]*$")
_ITEM = re.compile(r"(?m)^[ \t]*Item[ \t]+(\d{1,2})\b(?=[ \t:.]+\S)", re.I)
# "ARTICLE VII" (a heading over Sections 7.01, 7.02 ...): clause 7, as amendments cite it
_ARTICLE = re.compile(r"(?m)^[ \t]*(?:ARTICLE|Article)[ \t]+([IVXLC]{1,6})\b[ \t]*[-–—:.]?[ \t]*(.*)$")
# where the clauses end: the execution block ("IN WITNESS WHEREOF", "EXECUTED as a deed", "Signed by")
_EXECUTION = re.compile(r"(?m)^[ \t]*(?:IN\s+WITNESS\s+WHEREOF|EXECUTED\b|Executed\s+as\s+a\s+deed|SIGNED\b|Signed\s+(?:by|for)\b|AS\s+WITNESS\b|"
                        r"AGREED\s+AND\s+ACCEPTED\b|ACCEPTED\s+AND\s+AGREED\b)")
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def roman(numeral: str) -> int:
    """"VII" -> 7, "XIV" -> 14."""
    values = [_ROMAN[c] for c in numeral.upper()]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


def item_ref(schedule: str, number: str) -> str:
    """Item 3 of the Schedule -> "schedule item 3" (of Schedule 2 -> "schedule 2 item 3")."""
    return f"{schedule} item {int(number)}".strip()
_HEADING = re.compile(r"^[ \t]*(?:(?:clause|section|article|paragraph)[ \t]+)?[\d.]+\.?[ \t]+([A-Z][A-Z &/,'’-]{2,60}|[A-Z][\w &/,'’-]{2,50})[ \t]*$")


def normalise_ref(ref: str) -> str:
    """"Clause 6.1 (a)" / "6.1.(a)" / "section 6.1(A)" -> "6.1(a)"; "Schedule 2" -> "schedule 2"."""
    ref = re.sub(r"^(?:clauses?|sections?|paragraphs?|articles?|cl\.)\s+", "", ref.strip(), flags=re.I)
    if re.fullmatch(r"[IVXLC]{1,6}", ref):  # "Article VII" is clause 7
        return str(roman(ref))
    item = re.fullmatch(r"item\s+(\d{1,2})", ref, re.I)
    if item:
        return f"item {int(item.group(1))}"
    m = re.match(r"(schedule|annex|appendix|exhibit)\s+(\w+)(.*)$", ref, re.I)
    if m:
        rest = normalise_ref(m.group(3)) if m.group(3).strip() else ""
        return f"{m.group(1).lower()} {m.group(2).lower()}" + (f" {rest}" if rest else "")
    return re.sub(r"\s+", "", ref).rstrip(".").replace(".(", "(").lower()


def is_within(ref: str, ancestor: str) -> bool:
    """Whether clause ``ref`` is ``ancestor`` or one of its sub-clauses ("6.1(a)" is within "6")."""
    return ref == ancestor or ref.startswith(ancestor + ".") or ref.startswith(ancestor + "(") \
        or ref.startswith(ancestor + " ")


@dataclass
class ClauseNode:
    ref: str  # "2.1", "6.1(a)", "schedule 2", "schedule 2 3"
    start: int  # offsets into the document text: text[start:end] is the clause's own text
    end: int
    heading: str  # "TERM" for "2. TERM"; "" when the line is not a heading
    text: str

    @property
    def depth(self) -> int:
        return self.ref.count(".") + self.ref.count("(") + self.ref.count(" ")


def clause_tree(text: str) -> list[ClauseNode]:
    """The agreement's clauses in document order (a reference seen twice keeps its first place:
    a cross-reference list in a schedule is not a second clause 2.1)."""
    marks: list[tuple[int, str]] = []
    schedule = ""
    numbers: list[str] = []
    events = sorted([(m.start(), "n", m) for m in _NUMBERED.finditer(text)]
                    + [(m.start(), "l", m) for m in _LETTERED.finditer(text)]
                    + [(m.start(), "s", m) for m in _SCHEDULE.finditer(text)]
                    + [(m.start(), "s", m) for m in _THE_SCHEDULE.finditer(text)]
                    + [(m.start(), "i", m) for m in _ITEM.finditer(text)]
                    + [(m.start(), "a", m) for m in _ARTICLE.finditer(text)]
                    + [(m.start(), "x", m) for m in _EXECUTION.finditer(text)], key=lambda x: x[0])
    headings: dict[int, str] = {}
    for at, kind, m in events:
        if kind == "s":
            schedule = f"{m.group(1).lower()} {m.group(2).lower()}" if m.lastindex and m.lastindex >= 2 else "schedule"
            numbers = []
            marks.append((at, schedule))
        elif kind == "a":
            number = str(roman(m.group(1)))
            numbers.append(number)
            marks.append((at, f"{schedule} {number}" if schedule else number))
            headings[at] = m.group(2).strip() or _next_line(text, m.end())
        elif kind == "i":
            marks.append((at, item_ref(schedule, m.group(1))))
        elif kind == "x":  # the clause before it ends here; a schedule after the signatures starts again
            marks.append((at, ""))
        elif kind == "n":
            ref = normalise_ref(m.group(1))
            numbers.append(ref)
            marks.append((at, f"{schedule} {ref}" if schedule else ref))
        elif numbers:  # "(a)" belongs to the numbered clause it sits in
            ref = f"{numbers[-1]}({m.group(1).lower()})"
            marks.append((at, f"{schedule} {ref}" if schedule else ref))
    nodes: list[ClauseNode] = []
    seen: set[str] = set()
    for i, (at, ref) in enumerate(marks):
        if not ref:
            continue
        end = marks[i + 1][0] if i + 1 < len(marks) else len(text)
        if ref.startswith("item ") or " item " in ref:  # "Item 3  Advance: A$20,000": its paragraph
            blank = re.compile(r"\n[ \t]*\n").search(text, at, end)
            end = blank.start() if blank else end
        while end > at and text[end - 1] in " \t\n":
            end -= 1
        if ref in seen:
            if nodes:  # a repeated number continues the clause before it
                nodes[-1].end = end
                nodes[-1].text = text[nodes[-1].start:end]
            continue
        seen.add(ref)
        first_line = text[at:text.find("\n", at) if "\n" in text[at:end] else end]
        h = _HEADING.match(first_line)
        heading = headings.get(at) or (h.group(1).strip() if h else "")
        nodes.append(ClauseNode(ref, at, end, heading, text[at:end]))
    return nodes


def _next_line(text: str, pos: int) -> str:
    """The heading under "ARTICLE VII" on the line after it ("KEY PERSON"), when it is one."""
    m = re.compile(r"[ \t]*\n[ \t]*([^\n]{2,60}?)[ \t]*(?=\n|$)").match(text, pos)
    return m.group(1) if m and not re.search(r"[a-z]", m.group(1)) else ""


def find(nodes: list[ClauseNode], ref: str) -> ClauseNode | None:
    ref = normalise_ref(ref)
    return next((n for n in nodes if n.ref == ref), None)
