"""Document families: which documents change which agreement, read from the documents themselves.

A contract is rarely one file. An amendment moves the end of the term, a side letter raises the
advance, an option letter extends the term, a notice ends it. A question such as "when does the
deal expire?" has its *current* answer in the latest of these, and an assistant (or a small model)
that reads the original alone answers with a superseded value. So at ingest every document is
classified (agreement, or the kind of change it makes), a modifier's reference to its agreement
is read from its own words (recital, "Re:" line, the agreement's type, date and parties), and it
is linked to one ingested agreement, with the sentence that proves the link kept in the ledger.

Everything here is plain pattern matching: no model, so it is deterministic, cheap to run at
every ingest, and explainable (the evidence sentence is shown with the link). Where the words do
not single out one agreement, nothing is linked and the document gets a validation warning:
a wrong link would make the assistant present another deal's terms as current, which is worse
than no link.

Pure functions; the pipeline (``ingest/pipeline.py``) calls them and the store keeps the result.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from ingest import metadata
from ingest.model import DocumentRecord

KINDS = (
    "amendment", "addendum", "side letter", "variation", "extension", "option exercise",
    "non-renewal notice", "termination notice", "assignment",
)
AGREEMENT = "agreement"  # family_role of everything that is not a modifier

OPENING_CHARS = 1500  # classify() reads the title and this much of the text
REFERENCE_CHARS = 4000  # references() looks for the agreement's name in this much
EVIDENCE_MAX = 600  # longest evidence sentence kept

# -- classify ----------------------------------------------------------------------------------
# Heading words, most specific first: "NOTICE OF EXERCISE OF OPTION AND EXTENSION OF TERM" is an
# option exercise, "SIDE LETTER AMENDING ..." a side letter, "NOTICE OF NON-RENEWAL" not a
# termination.
# "SINGLE SONG ASSIGNMENT AGREEMENT", "a copyright assignment": an agreement assigning a work's
# copyright, not a document assigning another agreement
_COPYRIGHT_WORDS = ("song", "songs", "copyright", "catalogue", "catalog", "composition", "compositions", "publishing", "master",
                    "masters")
_COPYRIGHT_NOT_DEAL = "".join(rf"(?<!\b{w} )" for w in _COPYRIGHT_WORDS)  # (fixed-width lookbehinds, one per word)
_COPYRIGHT_ASSIGNMENT = re.compile(rf"\b(?:{'|'.join(_COPYRIGHT_WORDS)})\s+assignment\b", re.I)
_HEADING_KINDS = [
    ("option exercise", re.compile(r"\bexercise\s+of\s+(?:the\s+)?(?:\w+\s+)?option|\boption\s+exercise|\bnotice\s+of\s+exercise\b", re.I)),
    ("non-renewal notice", re.compile(r"\bnon[-\s]?renewal\b|\bnot\s+to\s+renew\b", re.I)),
    ("termination notice", re.compile(r"\bterminat(?:e|es|ion|ing)\b", re.I)),
    ("side letter", re.compile(r"\bside[-\s]+letter\b", re.I)),
    ("addendum", re.compile(r"\baddend(?:um|a)\b", re.I)),
    # "SUPPLEMENTAL AGREEMENT" as the document's own heading line; not "TALENT ENDORSEMENT AGREEMENT
    # THIS SUPPLEMENTAL AGREEMENT is made ...", an agreement with terms of its own beside a primary one
    ("amendment", re.compile(r"\bamendment\b|\bamending\b|(?m:^[ \t]*supplement(?:al|ary)\s+(?:agreement|deed|letter)[ \t]*$)", re.I)),
    ("side letter", re.compile(r"\bwaiver\b", re.I)),
    ("variation", re.compile(r"\bvariation\b", re.I)),
    ("extension", re.compile(r"\bextension\b", re.I)),
    ("assignment", re.compile(_COPYRIGHT_NOT_DEAL + r"\bassignment\b|\bnovation\b", re.I)),
]
# A consolidated agreement replaces its predecessor whole: it is read as an agreement.
_RESTATED = re.compile(r"\bamended\s+and\s+restated\b", re.I)
# "as amended by Amendment No. 1", "as extended by the option notice": a later modifier naming an
# earlier one; those words say nothing about what the document itself is.
_AS_MODIFIED = re.compile(r"\(?\s*as\s+(?:previously\s+)?(?:amended|varied|extended|supplemented|assigned|novated)\b[^;)\n]*\)?", re.I)

# The opening sentence naming the document itself: "This Amendment No. 1", "This Deed of Variation".
_SELF = re.compile(
    r"\bThis\s+(?:(?:first|second|third|fourth|fifth|further)\s+)?(?:(?:deed|letter|agreement|notice)\s+of\s+)?"
    r"(?P<what>amendment|addendum|side\s+letter|variation|extension|assignment|novation|"
    r"notice\s+of\s+termination|termination\s+notice|notice\s+of\s+non[-\s]?renewal|non[-\s]?renewal\s+notice)\b",
    re.I,
)
_SELF_KINDS = {
    "amendment": "amendment", "addendum": "addendum", "side letter": "side letter", "variation": "variation",
    "extension": "extension", "assignment": "assignment", "novation": "assignment",
    "notice of termination": "termination notice", "termination notice": "termination notice",
    "notice of nonrenewal": "non-renewal notice", "nonrenewal notice": "non-renewal notice",
}

# Letters ("Dear ...", "Re: ...") that act on an agreement. The strong acts (exercising an option,
# refusing renewal, terminating, assigning) make a letter a modifier even when it does not say
# which agreement (it then gets a warning); the weak ones (extending, agreeing otherwise) only
# when it refers to an agreement.
_LETTER = re.compile(r"^\s*(?:Dear\s|(?:Re|RE|Subject|SUBJECT)\s*[:.]|To:\s)", re.M)
_LETTER_STRONG = [
    ("option exercise", re.compile(r"\belects?\s+to\s+(?:renew|extend)\b|\bexercis(?:e|es|ing)\s+(?:of\s+)?(?:(?:its|our|the|their|his|her|your)\s+)?(?:\w+\s+){0,2}option\b|"
                                   r"\b(?:take|takes|taking)\s+up\s+(?:(?:its|our|the|their)\s+)?(?:\w+\s+)?option\b", re.I)),
    ("non-renewal notice", re.compile(
        r"\bnot\s+to\s+renew\b|\b(?:will|shall)\s+not\s+(?:be\s+)?renew|\bnon[-\s]?renewal\b|\bdo(?:es)?\s+not\s+wish\s+to\s+renew\b", re.I)),
    ("termination notice", re.compile(
        r"\b(?:give|gives|serve|serves)\s+(?:you\s+)?(?:formal\s+|written\s+)?notice\s+(?:of|to)\s+terminat|\bhereby\s+terminat"
        r"|\bnotice\s+of\s+termination\b|\b(?:will|shall)\s+terminate\s+with\s+effect\b"
        r"|\bnotice\s+is\s+(?:hereby\s+)?given\s+of\s+(?:the\s+)?termination\b|\bis\s+(?:hereby\s+)?terminated\b[^.;]{0,40}\bwith\s+effect\b", re.I)),
    ("assignment", re.compile(r"\bhereby\s+assigns?\b|\bnotice\s+of\s+assignment\b", re.I)),
]
_LETTER_WEAK = [
    ("extension", re.compile(r"\bextend(?:s|ed|ing)?\s+the\s+(?:Term|term|Licence\s+Period|Agreement|agreement)\b")),
    ("side letter", re.compile(
        r"\b(?:this\s+letter|we\s+(?:have\s+)?agreed|confirms?\s+(?:our|the)\s+agreement|we\s+(?:write\s+to\s+)?confirm|further\s+to)\b(?:[^.]|\.(?=\S)|(?<=\b[A-Z])\.){0,300}?"
        r"\b(?:notwithstanding|amend|vary|varied|variation|supplement|modif(?:y|ied|ies|ication)|changes?\s+to\s+the|"
        r"in\s+place\s+of|instead\s+of|(?:shall|will)\s+be\s+read\s+as)", re.I)),
    # a letter setting a clause aside or giving up a right under it: "Notwithstanding clause 9.1 of
    # the agreement, the Company waives its right ..."
    ("side letter", re.compile(r"\bnotwithstanding\s+(?:clause|section|paragraph|article)\s+\d|\b(?:hereby\s+)?waives?\s+"
                               r"(?:its|our|the|their|any)\b|\bwe\s+(?:hereby\s+)?waive\b", re.I)),
]
_BODY_START = re.compile(r"^(?:This|THIS|Dear|We\s|I\s|Re\b|RE\b|Subject|SUBJECT|\([A-Za-z0-9]{1,4}\)|\d+(?:\.\d+)*\.?\s|WHEREAS|Whereas)")


_ADDRESS_LINE = re.compile(r"^\d{1,5}[A-Za-z]?\s+(?:[A-Z][\w'’.-]*\s+){1,4}(?:Street|St\.?|Road|Rd\.?|Lane|Avenue|Ave\.?|Grove|Square|Place|"
                           r"Way|Drive|Quay|Wharf|Court|Row|Terrace|Hill|Park|Gardens|Close|Crescent|Boulevard|Blvd\.?|Mews|Walk)\b")


def _heading(title: str, text: str) -> str:
    """The document's own heading: its title, first line, and the capitalised heading lines
    before the body starts (never a clause heading such as "14. TERMINATION", never an address)."""
    lines: list[str] = []
    for raw in text[:OPENING_CHARS].split("\n"):
        line = raw.strip().lstrip("#").strip()
        if not line:
            continue
        if _ADDRESS_LINE.match(line):
            continue  # "12 Baggot Street, Dublin 2" above "LETTER OF AMENDMENT": an address, not clause 12
        if len(line) > 120 or _BODY_START.match(line):
            break
        letters = [c for c in line if c.isalpha()]
        if not lines or (letters and sum(c.isupper() for c in letters) >= 0.7 * len(letters)):
            lines.append(line)
        if len(lines) >= 4:
            break
    return " \n ".join([title or "", *lines])


def _re_lines(text: str, limit: int = 2500) -> list[re.Match]:
    """"Re:" / "Subject:" paragraphs of a letter (to the next blank line or "Dear")."""
    return list(re.finditer(r"^[ \t]*(?:Re|RE|Subject|SUBJECT|Subj)[ \t]*[:.][ \t]*(?P<body>(?:(?!\n[ \t]*\n|\n[ \t]*Dear\b).){3,400})",
                            text[:limit], re.M | re.S))


def classify(title: str, text: str) -> str | None:
    """The kind of change a document makes to another agreement, or None for an agreement.

    Read from the title, the heading lines and the opening (first ~1500 characters) only: an
    original agreement mentions "termination" and "amendment" throughout its body (its own
    termination clause, "no amendment unless in writing") and must stay an agreement. What
    counts is what the document says it *is*: its heading ("AMENDMENT NO. 1 TO ...", "NOTICE OF
    TERMINATION"), its opening sentence ("This Side Letter ...") or, for a letter ("Dear ...",
    "Re: ..."), what it does ("We write to exercise the option ...")."""
    opening = text[:OPENING_CHARS]
    heading = _AS_MODIFIED.sub(" ", _heading(title, text))
    if _RESTATED.search(heading):
        return None
    for kind, pattern in _HEADING_KINDS:
        if pattern.search(heading):
            return kind
    m = _SELF.search(_AS_MODIFIED.sub(" ", opening))
    if m:
        what = re.sub(r"[\s-]+", " ", m.group("what").lower()).replace("non renewal", "nonrenewal")
        return _SELF_KINDS.get(what)
    if not _LETTER.search(opening):
        return None
    for match in _re_lines(text):  # "Re: Notice of non-renewal - Licence Agreement dated ..."
        subject = _AS_MODIFIED.sub(" ", match.group("body"))
        for kind, pattern in _HEADING_KINDS:
            if pattern.search(subject):
                return kind
    body = _AS_MODIFIED.sub(" ", opening)
    for kind, pattern in _LETTER_STRONG:
        if pattern.search(body):
            return kind
    named = references(text)
    if named is not None and (named.dated or named.agreement_type):  # names another agreement, not "this letter agreement"
        for kind, pattern in _LETTER_WEAK:
            if pattern.search(body):
                return kind
    return None


# -- references ----------------------------------------------------------------------------------
@dataclass
class Reference:
    """What a modifier says about the agreement it changes, and the sentence that says it."""

    agreement_type: str | None = None  # "Exclusive Recording Agreement"
    dated: str | None = None  # ISO date of that agreement, as the modifier states it
    parties: list[str] = field(default_factory=list)
    evidence: str = ""  # the exact sentence (or "Re:" line) naming it

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Reference | None:
        if not data:
            return None
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})

    def describe(self) -> str:
        """"Exclusive Recording Agreement dated 1 March 2022 between A and B", for messages."""
        parts = [self.agreement_type or "an agreement"]
        if self.dated:
            parts.append(f"dated {human_date(self.dated)}")
        if self.parties:
            parts.append("between " + " and ".join(self.parties))
        return " ".join(parts)


_NOUN = re.compile(r"\b(?:agreement|licen[cs]e|contract|deed|deal)\b"
                   r"(?![ \t]+(?:period|fee|term|territory|date|year|payment|income|area)\b)", re.I)
_CLAUSE_OF = re.compile(r"\b(?:clause|section|paragraph)s?\s+[\d.]+[a-z]?(?:\([a-z0-9]+\))*\s+of\s+the\s*$", re.I)
_TYPE_STOP = {
    "the", "a", "an", "to", "of", "our", "your", "their", "its", "his", "her", "this", "that", "certain", "said",
    "under", "parties", "party", "between", "and", "dated", "in", "by", "with", "for", "from", "further",
    "pursuant", "re", "subject", "as", "we", "is", "are", "was", "on", "no", "any", "such", "which", "whose",
    "refer", "regarding", "concerning", "made", "into", "entered", "be", "been", "per", "at", "or",
}
# Words that make the named thing a modifier (or a clause), not the agreement being changed.
_MODIFIER_WORDS = {"amendment", "amending", "addendum", "side", "variation", "extension", "assignment", "novation", "termination",
                   "notice", "option", "renewal", "non-renewal", "letter", "clause", "schedule", "supplemental", "supplementary",
                   "waiver"}
_AFTER_NOUN = re.compile(
    r"[ \t\n]*(?:\([^)]{0,60}\)[ \t\n]*)?,?[ \t\n]*"
    r"(?:between[ \t\n]+(?P<between>[^.;]{3,220}?)[ \t\n]+)?"
    r"(?:dated|made[ \t\n]+on|made|entered[ \t\n]+into(?:[ \t\n]+on)?|(?:signed|executed)(?:[ \t\n]+by[ \t\n]+the[ \t\n]+parties)?"
    r"(?:[ \t\n]+on)?|of|effective(?:[ \t\n]+(?:as[ \t\n]+of|from|on))?)"
    r"[ \t\n]+(?:as[ \t\n]+of[ \t\n]+|on[ \t\n]+|the[ \t\n]+)?",
    re.I,
)
_CONTEXT = re.compile(r"\b(?:parties\s+to|entered\s+into|further\s+to|refer\s+to|pursuant\s+to|under|amend|supplement|vary|"
                      r"extend|terminat|renew|exercise|assign|of\s+the)\b", re.I)
_WORD = re.compile(r"[A-Za-z][\w&'’\-]*")


def _type_before(text: str, noun: re.Match) -> tuple[str, int, bool] | None:
    """The agreement's name ending at ``noun``: up to five words before it ("Exclusive Recording
    Agreement"), its start, and whether it names the document itself ("This Amendment ...") or a
    modifier (None then)."""
    start = noun.start()
    words: list[str] = []
    pos = start
    for w in reversed(list(_WORD.finditer(text, max(0, start - 80), start))):
        gap = text[w.end():pos]
        if gap.strip() or len(words) >= 5 or re.search(r"\n[ \t]*\n", gap):  # a name never runs across a blank line
            break
        if w.group().lower() in _TYPE_STOP:
            if w.group().lower() == "this":
                return None  # the document naming itself
            break
        words.insert(0, w.group())
        pos = w.start()
    name = " ".join([*words, noun.group()])
    modifier = {x.lower() for x in _WORD.findall(name)} & _MODIFIER_WORDS
    if modifier == {"assignment"} and _COPYRIGHT_ASSIGNMENT.search(name):
        modifier = set()  # "a single song assignment agreement": the agreement a later document changes
    if modifier:
        return None
    before = text[max(0, pos - 12):pos].lower()
    if re.search(r"\bthis\s*$", before):
        return None
    return name, pos, bool(words)


def _date_after(text: str, end: int) -> tuple[str | None, str | None]:
    """(ISO date, "between ..." words) when the agreement's name at ``end`` is followed by its
    date: "... Agreement dated 1 March 2022", "... Agreement (the "Agreement") made on ...",
    "... agreement between X and Y dated ...". The date must follow at once: in "the Agreement as
    amended by Amendment No. 1 dated 15 January 2024" the date is the amendment's."""
    m = _AFTER_NOUN.match(text, end)
    if not m:
        return None, None
    dates = metadata.find_dates(text[m.end(): m.end() + 40])
    if dates and dates[0][0] == 0:
        return dates[0][2], m.group("between")
    return None, None


_ABBREVIATIONS = re.compile(r"(?:\b(?:No|Nos|Mr|Mrs|Ms|Dr|St|cl|approx|i\.e|e\.g|vs)|\b[A-Z](?:\.[A-Z])*)\.$")
# "Nova Records Ltd. ("Company")" goes on; "... and Harbour Ltd. Next ..." is a new sentence.
_COMPANY_DOT = re.compile(r"\b(?:Ltd|Inc|Co|Corp|plc|Pty|Bros|LLC|GmbH|etc)\.$")
_PARA_BREAK = re.compile(
    r"\n[ \t]*\n"  # a blank line
    r"|\n(?=[ \t]*(?:\([A-Za-z0-9]{1,4}\)|\d+(?:\.\d+)*\.?\s|Re\b|RE\b|Subject\b|Dear\b|[A-Z][A-Z ,&'-]{6,}\n))"  # "(A)", "2.1", a heading
    r"|(?<=[.:;])[ \t]*\n"  # a line ending a sentence
)


def _is_heading_line(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 4 and all(c.isupper() for c in letters)


def sentence_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Where the sentence of ``text`` holding ``start:end`` begins and ends. Paragraphs end at
    blank lines, list markers, headings and lines ending a sentence; sentences at ". " before a
    capital, except after "No.", "Ltd." and other abbreviations."""
    lo = max(0, start - 2000)
    hi = min(len(text), end + 2000)
    para_start, para_end = lo, hi
    for m in _PARA_BREAK.finditer(text, lo, hi):
        if m.end() <= start:
            para_start = m.end()
        elif m.start() >= end:
            para_end = m.start()
            break
    while (nl := text.find("\n", para_start, start)) >= 0 and _is_heading_line(text[para_start:nl].strip()):
        para_start = nl + 1  # a heading line above the sentence ("EXCLUSIVE RECORDING AGREEMENT")
    cuts = [para_start]
    for m in re.finditer(r"[.!?](?=[ \t\n]+[\"“(A-Z])", text[para_start:para_end]):
        at = para_start + m.end()
        if _ABBREVIATIONS.search(text[max(para_start, at - 12):at]):
            continue
        if _COMPANY_DOT.search(text[max(para_start, at - 12):at]) and text[at:at + 3].lstrip()[:1] in "(\"“":
            continue
        cuts.append(at)
    cuts.append(para_end)
    s_start = max(c for c in cuts if c <= start)
    s_end = min(c for c in cuts if c >= end)
    while s_start < s_end and text[s_start].isspace():
        s_start += 1
    while s_end > s_start and text[s_end - 1].isspace():
        s_end -= 1
    return s_start, s_end


def sentence_at(text: str, start: int, end: int) -> str:
    """The sentence holding ``start:end`` exactly as written (the proof shown with a link); a
    sentence longer than EVIDENCE_MAX is cut to the words around the match."""
    s_start, s_end = sentence_span(text, start, end)
    if s_end - s_start > EVIDENCE_MAX:
        s_start, s_end = max(s_start, start - 200), min(s_end, end + 200)
    return text[s_start:s_end].strip()


def _parties_in(words: str) -> list[str]:
    """The parties in "X and Y" (the words after "between" in a reference)."""
    return metadata.parties(f"between {words}")


def references(text: str) -> Reference | None:
    """The agreement a document says it changes: its type, date and parties, and the sentence
    that names it; None when no agreement is named at all.

    Where contracts say it: a letter's "Re:"/"Subject:" line; a recital ("(A) The Company and
    the Artist are parties to an Exclusive Recording Agreement dated 1 March 2022 (the
    "Agreement")."); "further to the ... agreement dated ..."; "the agreement between X and Y
    dated ..."; the heading ("AMENDMENT NO. 1 TO EXCLUSIVE RECORDING AGREEMENT"); at least,
    "clause 7 of the Agreement". Each candidate is scored (a date, a real type name, a "Re:"
    line, reference words such as "parties to", "further to", "under") and the best kept; the
    agreement's own parties are those named with it, else the modifier's own (an amendment is
    made between the parties to the agreement it amends)."""
    head = text[:REFERENCE_CHARS]
    re_spans = [(m.start("body"), m.end("body")) for m in _re_lines(text)]
    best: tuple[tuple, Reference] | None = None
    for noun in _NOUN.finditer(head):
        typed = _type_before(head, noun)
        if typed is None:
            continue
        name, name_start, has_type = typed
        dated, between = _date_after(head, noun.end())
        if has_type and not dated and not all(w[0].isupper() for w in name.split()):
            continue  # "further written agreement of the parties": words, not an agreement's name
        in_re = next(((s, e) for s, e in re_spans if s <= name_start < e), None)
        prefix = head[max(0, noun.start() - 60):noun.start()]
        clause_of = bool(_CLAUSE_OF.search(prefix))
        if not has_type and not dated and not in_re and not clause_of and not re.search(r"\bthe\s*$", prefix, re.I):
            continue  # "an agreement" in passing
        c_start, c_end = sentence_span(head, name_start, noun.end())
        context = head[c_start:c_end]
        if in_re:  # the whole "Re:" line, with its "Re:"
            evidence = head[head.rfind("\n", 0, in_re[0]) + 1: in_re[1]].strip()
        else:
            evidence = sentence_at(head, name_start, noun.end())
        score = (
            4 * bool(dated) + 2 * has_type + 6 * bool(in_re) + 2 * bool(_CONTEXT.search(context)) + clause_of,
            -noun.start(),
        )
        if between:
            parties = _parties_in(between)
        else:
            said = evidence if in_re else context
            parties = metadata.parties(said) if re.search(r"\bbetween\b", said, re.I) else []
        agreement_type = _display_type(name) if has_type else None
        ref = Reference(agreement_type, dated, parties, evidence)
        if best is None or score > best[0]:
            best = (score, ref)
    if best is None:
        return None
    ref = best[1]
    if not ref.parties:
        ref.parties = metadata.parties(text)
    if not ref.agreement_type:  # the heading may name the type ("AMENDMENT NO. 1 TO EXCLUSIVE RECORDING AGREEMENT")
        heading = _heading("", text)
        for noun in _NOUN.finditer(heading):
            typed = _type_before(heading, noun)
            if typed and typed[2]:
                ref.agreement_type = _display_type(typed[0])
                break
    return ref


def _display_type(name: str) -> str:
    name = " ".join(name.split())
    return name.title() if name.isupper() else name


# -- effective date --------------------------------------------------------------------------------
_DATE_LINE = re.compile(r"(?:^|\n)[ \t]*(?:Date[d]?|DATE[D]?)[ \t]*[:.]?[ \t]*$")
_MADE_BEFORE = re.compile(r"\b(?:made|entered\s+into|executed|signed|dated|effective)(?:\s+(?:on|as\s+of|the|from))*\s*$", re.I)
_REFERENCE_BEFORE = re.compile(
    r"\b(?:agreement|licen[cs]e|contract|deed|deal)\s*(?:\([^)]{0,60}\)\s*)?,?\s*(?:between\s[^.;]{3,220}?\s)?"
    r"(?:dated|made\s+on|made|entered\s+into(?:\s+on)?|(?:signed|executed)(?:\s+by\s+the\s+parties)?(?:\s+on)?|of|effective)"
    r"\s*(?:as\s+of\s+|on\s+|the\s+|from\s+)?$", re.I)
_OWN_REF_BEFORE = re.compile(r"\bThis\s[^.]{0,200}$", re.I)
_EFFECT_BEFORE = re.compile(r"\b(?:with\s+effect\s+from|effective\s+(?:from|on|as\s+of)|takes?\s+effect\s+on)\s*$", re.I)


def effective_date(text: str) -> str | None:
    """The modifier's own date, ISO: "Date: 14 October 2024", "This Amendment ... is made on 15
    January 2024", or a letter's date on its own line; failing those, the first "with effect
    from" date. Never the date of the agreement it refers to ("... Agreement dated 1 March 2022"):
    families are shown in this order, and the latest change is the current one."""
    head = text[:2000]
    for start, end, value in metadata.find_dates(head):
        before = head[max(0, start - 300):start]
        if _DATE_LINE.search(before[-40:]):
            return value
        line_start = head.rfind("\n", 0, start) + 1
        line_end = head.find("\n", end)
        line = head[line_start: len(head) if line_end < 0 else line_end]
        if line.strip() == head[start:end]:
            return value  # a letter's date line
        if _REFERENCE_BEFORE.search(before) and not _OWN_REF_BEFORE.search(before[-120:]):
            continue  # the referenced agreement's date
        if _MADE_BEFORE.search(before[-60:]):
            return value
    for start, _, value in metadata.find_dates(head):
        if _EFFECT_BEFORE.search(head[max(0, start - 60):start]):
            return value
    return None


# -- link ------------------------------------------------------------------------------------------
_GENERIC_TYPE_WORDS = {"agreement", "licence", "license", "contract", "deed", "deal", "the", "and", "of"}
_SUFFIXES = {"ltd", "limited", "llc", "inc", "incorporated", "plc", "bv", "nv", "gmbh", "ag", "sa", "sarl", "kk", "corp",
             "corporation", "co", "company", "llp", "lp", "pty", "srl", "ab", "as", "oy"}
_STEMS = {"licensing": "licence", "license": "licence", "licensed": "licence", "synchronisation": "sync",
          "synchronization": "sync", "songwriting": "songwriter", "publisher": "publishing", "distributor": "distribution",
          "recordings": "recording", "administrator": "administration", "admin": "administration"}


def _words(text: str) -> set[str]:
    out = set()
    for w in re.findall(r"[a-z0-9]+", text.lower().replace("-", " ")):
        out.add(_STEMS.get(w, w))
    return out


def _party_key(name: str) -> str:
    words = [w for w in re.findall(r"[a-z0-9]+", name.lower().replace(".", "")) if w not in _SUFFIXES]
    return " ".join(words)


def same_party(a: str, b: str) -> bool:
    """Whether two party names are the same person or company: equal once "Ltd", "B.V." and the
    like are dropped, or one the whole-word prefix/part of the other ("Nova Records Ltd" and "Nova
    Records"; "Meridian Digital Distribution B.V." and "Meridian Digital Distribution")."""
    x, y = _party_key(a), _party_key(b)
    if not x or not y:
        return False
    if x == y:
        return True
    short, long_ = sorted((x, y), key=len)
    return len(short) >= 4 and re.search(rf"(?:^| ){re.escape(short)}(?: |$)", long_) is not None and " " in short


def _party_matches(reference: Reference, doc: DocumentRecord) -> int:
    names = list(doc.parties)
    return sum(1 for p in reference.parties if any(same_party(p, n) for n in names))


def _type_overlap(reference: Reference, doc: DocumentRecord) -> int:
    wanted = _words(reference.agreement_type or "") - _GENERIC_TYPE_WORDS
    have = _words(" ".join([doc.title, doc.kind, Path(doc.file_name).stem]))
    return len(wanted & have)


def is_agreement(doc: DocumentRecord) -> bool:
    """A contract that is not itself a modifier: what modifiers may link to."""
    return doc.doc_type == "contract" and doc.family_role == AGREEMENT


def link(reference: Reference, candidates: Sequence[DocumentRecord]) -> tuple[str | None, str]:
    """The doc_id of the agreement ``reference`` names among ``candidates`` (modifiers and
    non-contracts are skipped: an assignment of "the Agreement as amended by Amendment No. 1"
    still links to the root agreement), and why; (None, reason) when no candidate is clearly best.

    Scored on: the agreement date (equal: strong; different: that candidate is out, so a deal
    with the same parties made on another date is never taken), overlap of the type words
    ("Recording", "Distribution") with the candidate's title, kind and file name, and parties in
    common. A candidate needs the date plus a type word or a party, or, without a date, a type
    word and a party (or both parties when the reference names no type at all). The best must be
    strictly ahead of the next on (date, type words, parties); a tie is ambiguous and is never
    broken by a guess."""
    wanted_type = bool(_words(reference.agreement_type or "") - _GENERIC_TYPE_WORDS)
    scored: list[tuple[tuple[int, int, int], DocumentRecord]] = []
    for doc in candidates:
        if not is_agreement(doc):
            continue
        if reference.dated and doc.agreement_date and doc.agreement_date != reference.dated:
            continue
        date_ok = bool(reference.dated and doc.agreement_date == reference.dated)
        types = _type_overlap(reference, doc)
        parties = _party_matches(reference, doc)
        if date_ok:
            eligible = types > 0 or parties > 0
        elif wanted_type:
            eligible = types > 0 and parties > 0
        else:
            eligible = parties >= 2
        if eligible:
            scored.append(((int(date_ok), min(types, 3), min(parties, 2)), doc))
    if not scored:
        return None, "no ingested agreement matches"
    scored.sort(key=lambda s: s[0], reverse=True)
    if len(scored) > 1 and scored[0][0] == scored[1][0]:
        return None, "more than one ingested agreement matches equally"
    (date_ok, types, parties), doc = scored[0]
    why = [f"agreement date {doc.agreement_date}" if date_ok else "", f"{types} type word(s)" if types else "",
           f"{parties} part{'y' if parties == 1 else 'ies'} in common" if parties else ""]
    return doc.doc_id, "matched on " + ", ".join(w for w in why if w)


# -- warnings and relinking ------------------------------------------------------------------------
_FAMILY_WARNING = re.compile(r"^looks like an? [a-z -]+ but ")


def is_family_warning(text: str) -> bool:
    """Whether a ledger warning was written by ``warning()`` (replaced at every relink)."""
    return bool(_FAMILY_WARNING.match(text))


def _article(kind: str) -> str:
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"


def warning(kind: str, reference: Reference | None, reason: str) -> str:
    """The validation warning of a modifier left unlinked. It names only what the document
    itself says (never another document: the warning is shown to anyone who may see this one)."""
    if reference is None:
        return f"looks like {_article(kind)} but does not say which agreement it changes: not linked to any agreement"
    if reason.startswith("more than one"):
        return (f"looks like {_article(kind)} but more than one ingested agreement fits what it refers to "
                f"({reference.describe()}): not linked, to avoid a guess")
    return f"looks like {_article(kind)} but names no ingested agreement it changes (it refers to: {reference.describe()})"


def relinked(doc: DocumentRecord, candidates: Sequence[DocumentRecord]) -> DocumentRecord | None:
    """``doc`` with its link, evidence and family warning recomputed against ``candidates`` (the
    ledger's documents); None when nothing changed (the ledger entry is then left alone). An
    agreement loses a stale link; a modifier links, or gets the warning, which goes again once it
    links: relinking after every ingest makes the result independent of the order files came in."""
    others = [w for w in doc.warnings if not is_family_warning(w)]
    if doc.family_role == AGREEMENT:
        parent, evidence, warnings = None, "", others
    else:
        reference = Reference.from_dict(doc.refers_to)
        parent, reason = link(reference, [c for c in candidates if c.doc_id != doc.doc_id]) if reference else (None, "")
        evidence = reference.evidence if parent and reference else ""
        warnings = others if parent else [*others, warning(doc.family_role, reference, reason)]
    if (parent, evidence, warnings) == (doc.family_of, doc.family_evidence, doc.warnings):
        return None
    return replace(doc, family_of=parent, family_evidence=evidence, warnings=warnings)


def classify_document(title: str, text: str) -> dict[str, Any]:
    """The family fields of a newly read document (DocumentRecord keyword arguments): its role,
    what it refers to and its own date. The link itself is made later, over the whole ledger."""
    kind = classify(title, text)
    if kind is None:
        return {"family_role": AGREEMENT, "refers_to": {}, "effective_date": None}
    reference = references(text)
    return {"family_role": kind, "refers_to": reference.as_dict() if reference else {},
            "effective_date": effective_date(text)}


# -- showing families --------------------------------------------------------------------------------
def human_date(iso: str | None) -> str:
    """"2022-03-01" as "1 March 2022" (as contracts write it); anything else unchanged."""
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", iso or "")
    if not m:
        return iso or ""
    months = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
              "October", "November", "December"]
    year, month, day = (int(g) for g in m.groups())
    return f"{day} {months[month - 1]} {year}" if 1 <= month <= 12 else iso or ""


def document_date(doc: DocumentRecord) -> str | None:
    """The date a family member is ordered by: a modifier's own date, an agreement's date. Not
    a modifier's ``agreement_date``: read from its opening, that is often the date of the
    agreement it names ("Re: ... Agreement dated 1 July 2020")."""
    if doc.family_role != AGREEMENT:
        return doc.effective_date
    return doc.agreement_date


def root_of(doc: DocumentRecord, docs: dict[str, DocumentRecord]) -> str:
    """The id of the agreement heading ``doc``'s family among ``docs`` (itself when it is the
    agreement, or when its agreement is not among them)."""
    seen = set()
    while doc.family_of and doc.family_of in docs and doc.doc_id not in seen:
        seen.add(doc.doc_id)
        doc = docs[doc.family_of]
    return doc.doc_id


def _order(doc: DocumentRecord) -> tuple:
    date = document_date(doc)
    return (date is None, date or "", doc.family_role != AGREEMENT, doc.ingested_at, doc.file_name)


def families(docs: Iterable[DocumentRecord]) -> dict[str, list[DocumentRecord]]:
    """Every family among ``docs`` (a viewer's documents: members they may not see are absent),
    keyed by its root agreement's id, members in date order (the agreement first on a tie,
    then in the order they were ingested). Contracts only; an unlinked modifier is alone."""
    by_id = {d.doc_id: d for d in docs}
    out: dict[str, list[DocumentRecord]] = {}
    for doc in by_id.values():
        if doc.doc_type != "contract":
            continue
        out.setdefault(root_of(doc, by_id), []).append(doc)
    return {root: sorted(members, key=_order) for root, members in out.items()}


def family_members(docs: Iterable[DocumentRecord], doc_id: str) -> list[DocumentRecord]:
    """The family holding ``doc_id`` (an agreement or any of its modifiers), in date order; []
    when ``doc_id`` is not among ``docs``."""
    by_id = {d.doc_id: d for d in docs}
    if doc_id not in by_id:
        return []
    root = root_of(by_id[doc_id], by_id)
    members = [d for d in by_id.values() if d.doc_type == "contract" and root_of(d, by_id) == root]
    return sorted(members or [by_id[doc_id]], key=_order)


def family_label(doc: DocumentRecord, docs: dict[str, DocumentRecord]) -> str:
    """One cell for listings: "agreement (+2)", "amendment of nova-records-recording-agreement.pdf",
    "side letter (not linked)"; "" for non-contracts. ``docs`` is what the viewer may see: a
    parent outside it is not named."""
    if doc.doc_type != "contract":
        return ""
    if doc.family_role == AGREEMENT:
        n = sum(1 for d in docs.values() if d.family_of == doc.doc_id and d.doc_id != doc.doc_id)
        return f"agreement (+{n})" if n else "agreement"
    parent = docs.get(doc.family_of or "")
    if parent is not None:
        return f"{doc.family_role} of {parent.file_name}"
    return doc.family_role if doc.family_of else f"{doc.family_role} (not linked)"
