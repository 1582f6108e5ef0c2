"""How documents word a change to an earlier one.

``CHANGE`` finds the words that change what an earlier document said (deletes, replaces, extends,
increases, ends ...); ``VARIES`` adds the other ways variations are worded ("in place of",
"shall now expire", "shall be read as", "with effect from"); ``RECITES`` finds a unit that only
recites an earlier change; ``old_spans`` finds where a changing clause states the value it
replaces; ``effective_from`` the date a change takes effect. Key terms and answers both use them.
"""

from __future__ import annotations

import re

from ingest import metadata

# Words of a unit that changes what an earlier document said.
CHANGE = re.compile(
    r"\b(delet\w*|replac\w*|substitut\w*|amended|amends?|extend\w*|extension|now|increas\w*|decreas\w*|reduc\w*|"
    r"instead|terminat\w*|no longer|revis\w*|varied|exercis\w*|shall read|with effect from|"
    r"not (?:to )?renew\w*|non-renewal|cease\w*)\b", re.I)
# A unit that only recites an earlier change ("the Agreement (as extended by the option notice
# dated …)") or opens the document is not itself a change.
RECITES = re.compile(r"\bas (?:amended|extended|varied|supplemented|assigned|renewed) by\b|^\s*(?:RECITALS?|WHEREAS)\b|"
                     r"^\s*(?-i:\(A\))\s", re.I)  # a lettered recital "(A)", not a sub-clause "(a)"

# A unit that only *adds* ("an additional advance of £20,000") does not replace an earlier value.
ADDITION = re.compile(r"\b(additional|further|in addition|also|new clause|inserted)\b", re.I)

# Words that change what an earlier document said (CHANGE) and the other ways
# variations are worded: "in place of", "shall now expire", "shall be read as", "is hereby extended
# until", "with effect from", "for the avoidance of doubt ... shall be".
VARIES = re.compile(
    CHANGE.pattern + r"|\bin\s+(?:place|lieu|substitution)\s+(?:of|for)\b|\binstead\s+of\b|\brather\s+than\b|\bshall\s+now\b|"
    r"\bwill\s+now\b|\bis\s+now\b|\bshall\s+(?:be\s+)?read\b|\bhereby\s+(?:extended|amended|varied|changed)\b|\bstrik\w*\b|"
    r"\binsert\w*\b|\bchanged?\s+to\b|\bavoidance\s+of\s+doubt\b|\b(?:raised|lowered|modified|altered)\b|\bshall\s+(?:also\s+)?(?:include|exclude|cover)\b|"
    r"\beffective\s+(?:as\s+of|from)\b|\bas\s+from\b|\bnotwithstanding\b|\bso\s+that\b|\b(?:originally|previously|formerly)\b", re.I)
_QUOTED = r"[\"“‘']([^\"”’]{1,160}?)[\"”’']"
# Where a changing clause states the value it replaces: its facts are the old value, not the new.
_OLD_VALUE = [
    # deleting / striking (out) the words "A"
    re.compile(r"\b(?:delet\w*|strik\w*(?:\s+out)?|omit\w*|remov\w*)\s+(?:the\s+)?(?:words?|figures?|date|number|reference(?:\s+to)?|"
               r"percentage|amount|sum|rate)?\s*(?:and\s+figures?\s+)?" + _QUOTED, re.I),
    # "A" is/are/were deleted, replaced, struck out
    re.compile(_QUOTED + r"\s*(?:\([^)]*\)\s*)?(?:where(?:ver)?\s+it\s+appears\s+)?(?:is|are|were|was|shall\s+be|will\s+be)\s+(?:hereby\s+)?"
               r"(?:deleted|replaced|struck|omitted|removed|substituted)", re.I),
    # in place of A, instead of A, rather than A, in lieu of A, and not A, (previously A)
    re.compile(r"\b(?:in\s+place\s+of|instead\s+of|rather\s+than|in\s+substitution\s+for|in\s+lieu\s+of(?!\s+thereof)|replacing|"
               r"and\s+not|as\s+opposed\s+to|(?:previously|originally|formerly|currently)(?:\s+stated)?(?:\s+as)?)\s+"
               r"([^.;]{1,100}?)(?=[.;,)]|\s+(?:and|so|with|from|for|as|under|in\s+clause)\s|$)", re.I),
    # "19% of PPD, not 17% as originally agreed"
    re.compile(r",\s*(?:and\s+|but\s+)?not\s+((?:the\s+)?[^.;,]{1,60}?)(?=[.;,)]|\s+(?:as|under|in)\s|$)", re.I),
    # increased / reduced / changed / extended from A to B
    re.compile(r"\b(?:increas|reduc|decreas|chang|amend|extend|vari|revis|rais|lower|mov)\w*\s+from\s+([^.;]{1,80}?)\s+(?:to|until|so\s+that)\s", re.I),
]
_SUBSTITUTE_FOR = re.compile(r"\bsubstitut\w*\s+" + _QUOTED + r"\s+for\s+" + _QUOTED, re.I)  # "substituting "B" for "A""


def old_spans(text: str) -> list[tuple[int, int]]:
    """Spans of ``text`` that state a replaced value ("deleting the words "60%"", "instead of 15%",
    "increased from 3% to 4%")."""
    spans = []
    for pattern in _OLD_VALUE:
        spans += [m.span(1) for m in pattern.finditer(text)]
    spans += [m.span(2) for m in _SUBSTITUTE_FOR.finditer(text)]
    return spans

# "increased by two per cent (2%)", "extended by six (6) months": the size of a change, not the new value
RELATIVE_CHANGE = re.compile(r"\b(?:increas|reduc|decreas|rais|lower|extend|shorten|cut)\w*\s+(?:\w+\s+){0,4}?by\s+(?:a\s+further\s+|an\s+additional\s+|a\s+)?"
                       r"(?:[\w-]+\s+){0,3}\(?$", re.I)

_EFFECTIVE_FROM = re.compile(r"\b(?:with\s+effect\s+(?:from|on|as\s+(?:of|from))|effective\s+(?:as\s+of|from|on)|as\s+(?:from|of)|from\s+and\s+after|"
                             r"(?:on\s+and\s+)?from)\s+(?:the\s+)?", re.I)


def effective_from(unit_text: str, text: str) -> str:
    """The ISO date a change takes effect from, where stated: "with effect from 1 January 2022",
    "Effective as of January 1, 2023", or a defined date ("with effect from the Variation Date"
    where the document defines it); "" when not stated."""
    for m in _EFFECTIVE_FROM.finditer(unit_text):
        if m.group(0).lower().startswith(("from", "on and from")) and not re.search(r"\b(?:effect|effective|apply|applies|applying)\b",
                                                                   unit_text[max(0, m.start() - 40):m.start()], re.I):
            continue
        rest = unit_text[m.end(): m.end() + 40]
        d = metadata.find_dates(rest)
        if d and d[0][0] == 0:
            return d[0][2]
        name = re.match(r"([A-Z][\w-]*(?:\s+[A-Z][\w-]*)?\s+Date)\b", rest)
        if name:
            for _s, e, iso in metadata.find_dates(text):
                if re.match(r"\s*\(\s*(?:the\s+)?[\"“]?" + re.escape(name.group(1)), text[e:e + 60], re.I):
                    return iso
    return ""
