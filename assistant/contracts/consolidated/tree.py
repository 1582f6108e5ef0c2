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

# A numbered line: "2.1 The Term", "Clause 2.1", "Section 3.", "12. GOVERNING LAW"; not a date ("1 May").
_NUMBERED = re.compile(
    r"(?m)^[ \t]*(?:(?:clause|section|article|paragraph)[ \t]+)?(\d{1,3}(?:\.\d{1,3}){0,3})\.?(?=[ \t]+\S)"
    r"(?![ \t]+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\b)", re.I)
_LETTERED = re.compile(r"(?m)^[ \t]*\(([a-z]{1,2}|[ivx]{1,5})\)(?=[ \t]+\S)")
_SCHEDULE = re.compile(r"(?m)^[ \t]*(schedule|annex|appendix|exhibit)[ \t]+(\d{1,2}|[A-Z])\b", re.I)
_HEADING = re.compile(r"^[ \t]*(?:(?:clause|section|article|paragraph)[ \t]+)?[\d.]+\.?[ \t]+([A-Z][A-Z &/,'’-]{2,60}|[A-Z][\w &/,'’-]{2,50})[ \t]*$")


def normalise_ref(ref: str) -> str:
    """"Clause 6.1 (a)" / "6.1.(a)" / "section 6.1(A)" -> "6.1(a)"; "Schedule 2" -> "schedule 2"."""
    ref = re.sub(r"^(?:clauses?|sections?|paragraphs?|articles?|cl\.)\s+", "", ref.strip(), flags=re.I)
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
                    + [(m.start(), "s", m) for m in _SCHEDULE.finditer(text)], key=lambda x: x[0])
    for at, kind, m in events:
        if kind == "s":
            schedule = f"{m.group(1).lower()} {m.group(2).lower()}"
            numbers = []
            marks.append((at, schedule))
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
        end = marks[i + 1][0] if i + 1 < len(marks) else len(text)
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
        nodes.append(ClauseNode(ref, at, end, h.group(1).strip() if h else "", text[at:end]))
    return nodes


def find(nodes: list[ClauseNode], ref: str) -> ClauseNode | None:
    ref = normalise_ref(ref)
    return next((n for n in nodes if n.ref == ref), None)
