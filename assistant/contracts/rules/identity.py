"""Rules for what a contract is and who and when: its type and title, parties, agreement
date and effective date.
"""

from __future__ import annotations

import re

from assistant.contracts.clauses import Best, ContractUnit, make_value
from assistant.contracts.model import Clause, Value
from ingest import families, metadata
from ingest.pipeline import guess_kind

# ---------------------------------------------------------------------------------------------
# The rules, one per key
# ---------------------------------------------------------------------------------------------
_WS = r"(?:[ \t]+(?:\n[ \t]*)?|\n[ \t]*)"  # a title may wrap onto the next line, never across a blank one
_TITLE = re.compile(
    r"(?<![\w-])((?:[A-Z][A-Z0-9&'’,.()/-]*" + _WS + r"){0,7}(?:AGREEMENT|LICEN[CS]E|CONTRACT|DEED|MEMORANDUM OF UNDERSTANDING|"
    r"TERM SHEET)(?:\s+(?:OF|TO|FOR|AND|ON)\s+[A-Z][A-Z0-9&'’,.-]*(?:\s+[A-Z][A-Z0-9&'’,.-]*){0,5})?)(?![a-z])")
_THIS_TYPE = re.compile(r"\b[Tt]his\s+((?:[A-Z][\w&-]*\s+){0,6}(?:Agreement|Licen[cs]e|Contract|Deed))\b")
_TITLE_STOP = re.compile(r"^(?:EXHIBIT|SCHEDULE|ANNEX|APPENDIX|ARTICLE|SECTION)\b[\s\d.A-Z-]*?(?=[A-Z]{3,}\s)", re.I)


def read_agreement_type(text: str, title: str) -> Value | None:
    """The document's own name: the capitalised heading ("EXCLUSIVE RECORDING AGREEMENT") in its
    opening, else "This Sponsorship Agreement"; the kind ("recording agreement") from the name."""
    head = text[:2000]
    for m in _TITLE.finditer(head):
        name = m.group(1).strip(" ,.")
        name = _TITLE_STOP.sub("", name).strip()
        words = name.split()
        if len(words) < 2 or re.fullmatch(r"(?:THIS|THE|AN?)\s.*", name):
            continue
        start = m.start(1) + m.group(1).find(name.split()[0])
        end = start + len(name)
        display = families._display_type(name)
        clause = Clause(start, end, text[start:end])
        return Value("agreement_type", display, {"title": display, "kind": guess_kind(display, "")}, clause, fact=text[start:end])
    m = _THIS_TYPE.search(head)
    if m:
        name = m.group(1)
        s, e = families.sentence_span(text, m.start(1), m.end(1))
        return Value("agreement_type", name, {"title": name, "kind": guess_kind(name, "")},
                     Clause(s, e, text[s:e]), fact=name)
    return None


_ROLE = re.compile(r"\(\s*(?:each\s+)?(?:hereinafter\s+(?:referred\s+to\s+as\s+|called\s+)?|the\s+|as\s+)?[\"“]([^\"”]{2,40})[\"”]")


def read_parties(text: str, us: list[ContractUnit]) -> list[Value]:
    """The parties of the preamble ("between X ("Company") and Y ("Artist")"), each with the
    role it is defined as; cited to the preamble sentence."""
    names, m = [], None
    for found in metadata._BETWEEN.finditer(text[: 2 * metadata.PREAMBLE_CHARS]):
        names = metadata.parties(text[found.start():])
        if len(names) >= 2 or (names and m is None):
            m = found
            if len(names) >= 2:
                break  # a cover page's "by and between" with the names on lines of their own names none
    if m is None or not names:
        return _labelled(text)
    names = metadata.parties(text[m.start():])
    s, e = families.sentence_span(text, m.start(), m.end())
    unit = next((u for u in us if u.start <= m.start() < u.end), None)
    if unit is not None and unit.end - unit.start <= 1500:
        s, e = unit.start, unit.end
    last = text.find(names[-1], m.end())
    if 0 <= last and last + len(names[-1]) > e and last - m.end() < 1200:
        # a cover page ("by and between / NAME / and / NAME"): the clause runs to the last name
        e = last + len(names[-1])
        role = re.match(r"\s*,?\s*\([^)]{2,60}\)", text[e:e + 80])
        e += role.end() if role else 0
    clause = Clause(s, e, text[s:e])
    out = []
    seg = text[m.end(): m.end() + 2000]
    positions = []
    for n in names:  # the names as written (PDF text doubles spaces and breaks lines)
        found = re.search(r"\s+".join(re.escape(w) for w in n.split()), seg)
        positions.append(found.start() if found else -1)
    for i, name in enumerate(names):
        role = ""
        at = positions[i]
        if at >= 0:
            nxt = next((p for p in positions[i + 1:] if p > at), len(seg))
            r = _ROLE.search(seg, at + len(name), min(nxt, at + len(name) + 900))
            if r is None and nxt < len(seg):  # the role may follow the address, just before the next party
                r = _ROLE.search(seg, at + len(name), nxt)
            role = r.group(1).strip() if r else ""
            if re.fullmatch(r"(?:the\s+)?(?:Agreement|Licen[cs]e|Contract|Deed|Letter|Amendment|Notice)", role, re.I):
                role = ""  # '(the "Agreement")' after the names in a letter's heading names the deal, not a role
        out.append(Value("parties", f"{name} ({role})" if role else name, {"name": name, "role": role}, clause,
                         slot=role.lower() or f"party {i + 1}", fact=name))
    return out


_NAME = r"(?P<{g}>(?-i:[A-Z][\w&'’.-]*(?:\s+(?:&\s+)?(?-i:[A-Z][\w&'’.-]*|of|and|de|la)){{0,7}}))"
_ASSIGNS = [  # "X (the "Assignor") has assigned ... to Y", "X assigns to Y ...", "is assigned by X to Y"
    re.compile(_NAME.format(g="from_") + r"(?:\s*\([^)]{0,40}\))?\s+(?:has\s+|hereby\s+|have\s+)?(?:(?:transferred|transfers)\s+and\s+)?"
               r"(?:assigned|assigns|novated|novates|transferred|transfers)\b[^.;]{0,160}?\bto\s+" + _NAME.format(g="to"), re.I),
    re.compile(r"\b(?:is|are|has\s+been|shall\s+be)\s+(?:hereby\s+)?(?:assigned|novated|transferred)\s+by\s+" + _NAME.format(g="from_")
               + r"\s+to\s+" + _NAME.format(g="to"), re.I),
    # a novation: "Lumen Rights Ltd is substituted for Kite Audio Ltd as a party to the Agreement",
    # "X shall replace Y as a party", "X shall take the place of Y"
    re.compile(_NAME.format(g="to") + r"(?:\s*\([^)]{0,40}\))?\s+(?:is|shall\s+be|will\s+be)\s+(?:hereby\s+)?substituted\s+for\s+"
               + _NAME.format(g="from_"), re.I),
    re.compile(_NAME.format(g="to") + r"(?:\s*\([^)]{0,40}\))?\s+(?:(?:shall|will|hereby)\s+)?(?:replace|replaces|take\s+the\s+place\s+of|"
               r"takes\s+the\s+place\s+of)\s+(?:the\s+)?" + _NAME.format(g="from_") + r"\s+as\s+(?:a\s+)?(?:party|the\s+\w+)", re.I),
]
_ENTITY_END = re.compile(r"\s+(?:absolutely|all|its|the|with|which|and|by|under|in|on|from|for)\b.*$", re.S)


def _defined_party(text: str, term: str) -> tuple[str, int]:
    """The party a defined term stands for and where it is defined: 'by Red Kite Games, Inc.
    ("Assignor")' -> ("Red Kite Games, Inc.", its offset); ("", -1) when ``term`` is not
    defined as a party in ``text``."""
    m = re.search(r"\(\s*(?:the\s+|hereinafter\s+(?:called\s+)?)?[\"“]" + re.escape(term) + r"[\"”]\s*\)", text)
    if m is None:
        return "", -1
    window = text[max(0, m.start() - 140):m.start()]
    cut = list(re.finditer(r"\b(?:by|between|and|from|with)\s+|^|[;:(\n]\s*", window))
    name = window[cut[-1].end():] if cut else window
    name = re.sub(r"^\(?\d{1,2}\)\s*", "", name.strip())  # "(2) LARK RISE MUSIC LIMITED": the list number is no name
    name = re.split(r",\s+(?:an?|the|company|registered|incorporated|whose|of)\b", name, maxsplit=1)[0].strip(" ,")
    return (name, m.start()) if re.match(r"[A-Z]", name) and len(name) >= 3 else ("", -1)


def read_assignment_parties(text: str) -> list[Value]:
    """An assignment that names no "Assignor" and "Assignee" in its preamble states them in a
    sentence: "Corvid Records Limited has assigned the Agreement to Rookery Music Group Limited",
    "the Agreement is assigned by X to Y". Returns [assignor, assignee], cited to that sentence."""
    for pattern in _ASSIGNS:
        for m in pattern.finditer(text):
            names = [_ENTITY_END.sub("", m.group(g)).strip(" ,.") for g in ("from_", "to")]
            # "Assignor hereby assigns ... to Assignee": the defined terms, read as the parties they stand for
            names = [re.sub(r"^(?:\d+\.\s*)?[A-Z][a-z]{3,}\.\s+(?=[A-Z])", "", n) for n in names]  # "Assignment. Assignor": its heading
            defined = [_defined_party(text, n) for n in names]
            names = [d[0] or n for d, n in zip(defined, names, strict=True)]
            if any(len(n) < 3 or n.lower() in ("the", "we", "it", "this") for n in names) or names[0] == names[1]:
                continue
            s, e = families.sentence_span(text, m.start(), m.end())
            where = [at for _name, at in defined if 0 <= at < s and s - at <= 800]
            if where:  # cite the words that say who "Assignor" and "Assignee" are, with the assignment
                s = min(s, families.sentence_span(text, min(where), min(where) + 1)[0])
            clause = Clause(s, e, text[s:e])
            return [Value("parties", f"{name} ({role})", {"name": name, "role": role}, clause, slot=role.lower(), fact=name)
                    for name, role in zip(names, ("Assignor", "Assignee"), strict=True)]
    return []


def _labelled(text: str) -> list[Value]:
    """Parties labelled line by line ("Licensor: X ...", "Licensee: Y ..."), cited to those lines;
    the role is the label."""
    found = metadata.labelled_parties(text[: metadata.PREAMBLE_CHARS])
    if not found:
        return []
    s, e = found[0][2].start(), found[-1][2].end()
    clause = Clause(s, e, text[s:e])
    return [Value("parties", f"{name} ({role})", {"name": name, "role": role}, clause, slot=role.lower(), fact=name)
            for name, role, _ in found]


def read_agreement_date(text: str, us: list[ContractUnit]) -> Value | None:
    value = metadata.agreement_date(text)
    if not value:
        return None
    at = next(((s, e) for s, e, v in metadata.find_dates(text[: metadata.PREAMBLE_CHARS]) if v == value), None)
    if at is None:
        return None
    s, e = families.sentence_span(text, *at)
    if e - s > 1500:
        s, e = max(s, at[0] - 300), min(e, at[1] + 300)
    return Value("agreement_date", families.human_date(value), value, Clause(s, e, text[s:e]), fact=text[at[0]:at[1]])


_EFFECTIVE_NAME = re.compile(r"[\"“]\s*(?:Effective|Commencement|Start)\s+Date\s*[\"”]", re.I)
_EFFECTIVE_BEFORE = re.compile(
    r"(?:\beffective\s+(?:as\s+)?(?:of|from|on)|\btakes?\s+effect\s+(?:on|from|as\s+of)|\bshall\s+become\s+effective\s+(?:on|as\s+of))\s*(?:the\s+)?$",
    re.I)
_EFFECTIVE_MEANS = re.compile(r"[\"“]?\s*(?:Effective|Commencement)\s+Date\s*[\"”]?\s*(?:shall\s+)?(?:mean|means|is|shall\s+be)\s+(?:the\s+)?$", re.I)
_START_BEFORE = re.compile(r"\b(?:commenc\w*|start\w*|begin\w*)\s+(?:on|as\s+of|from)\s+(?:the\s+)?$", re.I)


def unit_dates(u: ContractUnit) -> list[tuple[int, int, str]]:
    return metadata.find_dates(u.text)


_EFFECTIVE_EVENT = re.compile(
    r"\b(?:(?:is|be|become|becomes|shall\s+become|shall\s+be|will\s+be|will\s+become)\s+effective|takes?\s+effect|[\"“](?:[\w-]+\s+)?Effective\s+Date[\"”]\s*(?:\)\s*)?"
    r"(?:shall\s+)?(?:means?|is))\s+(?:as\s+of\s+|on\s+|upon\s+|when\s+|from\s+)?(?:the\s+)?"
    r"(?P<what>(?:later|earlier)\s+of\s+the\s+dates?[^.;]{0,80}|date\s+(?:first\s+(?:written|set\s+forth|above)|hereof|of\s+(?:this\s+agreement|last\s+signature|execution|the\s+last)|"
    r"on\s+which|last\s+(?:written|signed))[^.;]{0,80}|(?:one\s+or\s+more\s+)?counterparts\s+have\s+been\s+signed[^.;]{0,80}|signature[^.;]{0,60}|execution[^.;]{0,60})",
    re.I)


def read_effective_date(us: list[ContractUnit], agreement_date: str | None = None) -> Value | None:
    """The date the agreement takes effect: one defined as the "Effective Date" (or
    "Commencement Date"), one after "effective as of", else the date the term starts on; else
    the event it takes effect on ("when counterparts have been signed by each Party", "the date
    first written above": then the agreement's date, computed)."""
    found = _effective_on_date(us)
    if found is not None:
        return found
    for u in us[:400]:
        if u.role == "recital" and not re.search(r"\beffective\b", u.text, re.I):
            continue
        m = _EFFECTIVE_EVENT.search(u.text)
        if not m:
            continue
        what = " ".join(m.group("what").split())
        if agreement_date and re.match(r"date\s+(?:first|hereof|of\s+this\s+agreement)", what, re.I):
            return make_value("effective_date", families.human_date(agreement_date), agreement_date, u, kind="computed",
                          basis=f"the agreement takes effect on {what}, which is {families.human_date(agreement_date)}",
                          fact=m.group(0))
        return make_value("effective_date", what, {"event": what}, u, fact=m.group(0))
    return None


def _effective_on_date(us: list[ContractUnit]) -> Value | None:
    best = Best()
    for u in us[:400]:
        if u.role == "recital":
            continue
        for d in unit_dates(u):
            before = u.text[max(0, d[0] - 60):d[0]]
            after = u.text[d[1]: d[1] + 60]
            if _EFFECTIVE_MEANS.search(before) or _EFFECTIVE_NAME.match(re.sub(r"^[\s,(]*(?:the|this)?\s*", "", after.lstrip(" ,(")) or ""):
                score = 3
            elif _EFFECTIVE_NAME.search(after[:40]):
                score = 3
            elif _EFFECTIVE_BEFORE.search(before):
                score = 2
            elif _START_BEFORE.search(before) and re.search(r"\b(?:term|agreement)\b", u.text, re.I):
                score = 1
            else:
                continue
            best.offer(score, u, make_value("effective_date", families.human_date(d[2]), d[2], u, fact=u.text[d[0]:d[1]]))
    return best.value
