"""Rules for the legal clauses staff ask about: audit rights, assignment, governing law."""

from __future__ import annotations

import re

from assistant.contracts.clauses import MAX_UNIT, Best, ContractUnit, is_operative, make_value
from assistant.contracts.model import Value
from assistant.contracts.places import jurisdiction_code
from assistant.contracts.rules.term import notice_durations
from assistant.text.changes import CHANGE, RECITES

_AUDIT = re.compile(r"\baudit\w*|\binspect\w*|\bexamin\w*|\bcheck\s+the\b", re.I)
_BOOKS = re.compile(r"\bbooks\b|\brecords\b|\baccounts\b|\bstatements?\b|\bledgers?\b|\binformation\b|\bsales\s+of\b", re.I)
_AUDIT_RIGHT = re.compile(r"\b(?:may|right\s+to|entitled\s+to|permit\w*\s+[\w'’ ]{1,40}?\s+to|allow\w*\s+[\w'’ ]{1,40}?\s+to|request)\s+"
                          r"(?:\w+\s+){0,3}(?:audit|inspect|examine|review)\w*\b|\bavailable\s+(?:to\s+[\w'’ ]{1,40}\s+)?for\s+"
                          r"(?:audit|inspection|examination|review)\b|\b(?:audit|inspection|examination)\s+(?:by|of)\b|\bmake\s+(?:said\s+|such\s+|its\s+|the\s+)?"
                          r"(?:books|records)\b[^.;]{0,40}\bavailable\b", re.I)


def read_audit(us: list[ContractUnit], modifier: str | None) -> Value | None:
    """The right to audit or inspect books and records: how often, on how much notice. An
    explicit right ("may audit", "available for inspection") outranks a duty to keep records."""
    best = Best()
    for u in us:
        if not is_operative(u) or u.role == "definition" or RECITES.search(u.text) or len(u.text) > MAX_UNIT:
            continue
        m = _AUDIT.search(u.text) or _AUDIT.search(u.scope)
        right = _AUDIT_RIGHT.search(u.text)
        if not (m or right) or not _BOOKS.search(u.text):
            continue
        if modifier is not None and not CHANGE.search(u.text):
            continue
        if re.search(r"\bquality\b|\bregulatory\s+inspection\b|\bproducts?\s+for\s+inspection\b", u.text, re.I) and not right:
            continue
        if re.search(r"\bunderpay\w*|\bcosts?\s+of\s+(?:the|such|any)\s+audit", u.text, re.I) and not right:
            continue
        freq = u.of("frequency")
        notice = next((d for _, _, d in notice_durations(u)), None)
        fact_notice = None
        if notice is None:
            fact_notice = re.search(r"\b(?:reasonable|prior|advance)\s+(?:prior\s+)?(?:written\s+)?notice\b", u.text, re.I)
        parts = ["yes"]
        if freq:
            parts.append(" ".join(freq[0].text.split()))
        if notice is not None:
            parts.append(f"on {notice.text()}' notice")
        elif fact_notice:
            parts.append(f"on {fact_notice.group(0)}")
        score = 1.0 + 2 * bool(right) + bool(re.search(r"\baudit", u.scope, re.I))
        value = {"frequency": " ".join(freq[0].text.split()) if freq else "", "notice": notice.as_dict() if notice else None}
        fact = (right or m).group(0)
        best.offer(score, u, make_value("audit", ", ".join(parts), value, u, fact=fact))
    return best.value


_ASSIGN = re.compile(r"\bassign\w*|\btransfer\w*", re.I)
_ASSIGN_OBJECT = re.compile(r"\bthis\s+agreement\b|\bits\s+rights\b|\bany\s+(?:of\s+its\s+)?rights\b|\bobligations\b|\bhereunder\b|"
                            r"\bunder\s+this\s+agreement\b|\bthe\s+benefit\b|\bpersonal\s+to\b", re.I)
_ASSIGN_LIMIT = re.compile(r"\bconsent\b|\bapproval\b|\bnot\s+(?:be\s+)?(?:assign|transfer)\w*|\bmay\s+not\b|\bshall\s+not\b|"
                           r"\bneither\s+party\b|\bno\s+party\b|\bvoid\b|\bpersonal\s+to\b|\bwithout\b|\bfreely\b|\bmay\s+assign\b", re.I)


def read_assignment(us: list[ContractUnit], modifier: str | None) -> Value | None:
    """Whether the agreement may be assigned: with the other party's consent (and whether it
    may be unreasonably withheld), not at all, or freely."""
    best = Best()
    for u in us:
        if not is_operative(u) or u.role == "definition" or RECITES.search(u.text) or len(u.text) > MAX_UNIT:
            continue
        m = _ASSIGN.search(u.text) or _ASSIGN.search(u.scope)
        if not m or not _ASSIGN_OBJECT.search(u.text) or not _ASSIGN_LIMIT.search(u.text):
            continue
        if re.search(r"\bcopyright\b", u.text, re.I) and not re.search(r"\bconsent|\bmay\s+not|\bshall\s+not", u.text, re.I):
            continue  # an assignment of copyright is a grant, not a limit on assigning the deal
        if modifier is not None and not CHANGE.search(u.text):
            continue
        low = u.text.lower()
        if re.search(r"\bmay\s+(?:freely\s+)?assign\b[^.;]{0,120}\bwithout\s+(?:the\s+)?(?:\w+['’]s\s+|the\s+other\s+party['’]s\s+|any\s+)?"
                     r"(?:prior\s+)?(?:written\s+)?(?:consent|approval)", low) and not re.search(r"\bneither\b", low):
            # "Publisher may assign this Agreement to any affiliate without Writer's consent" (and "..., but
            # Artist may not assign it": one side only)
            to_whom = re.search(r"\bto\s+(?:any\s+|an?\s+|its\s+)?(affiliates?|subsidiar\w+|successors?|purchasers?|acquirers?)\b", low)
            one_side = " by one party only; the other may not assign" if re.search(r"\bmay\s+not\b|\bshall\s+not\b", low) else ""
            consent = f"assignable without consent{' to ' + to_whom.group(1) if to_whom else ''}{one_side}"
        elif re.search(r"not\s+(?:to\s+)?be\s+unreasonably\s+withheld|shall\s+not\s+be\s+unreasonably|not\s+unreasonably\s+withh?eld", low):
            consent = "consent required, not to be unreasonably withheld"
        elif re.search(r"\bconsent\b|\bapproval\b", low):
            consent = "consent required"
        elif re.search(r"\bfreely\b|\bmay\s+assign\b(?![^.;]{0,60}\bonly\b)", low) and not re.search(r"\bmay\s+not\b|\bshall\s+not\b", low):
            consent = "freely assignable"
        elif re.search(r"\bpersonal\s+to\b|\bmay\s+not\b|\bshall\s+not\b|\bneither\b|\bvoid\b", low):
            consent = "not assignable"
        else:
            continue
        score = 2.0 + bool(re.search(r"\bassign", u.heading, re.I)) + bool(re.search(r"\bthis\s+agreement\b", low))
        best.offer(score, u, make_value("assignment", consent, {"consent": consent}, u, fact=m.group(0)))
    return best.value


_LAW_OF = re.compile(r"\blaws?\s+(?:of|in\s+force\s+in)\s+(?:the\s+)?((?:State|Commonwealth|Province|Republic|Kingdom)\s+of\s+(?:the\s+)?)?"
                     r"([A-Z][\w.]*(?:\s+(?:and|&)\s+[A-Z][\w.]*|\s+[A-Z][\w.]*){0,3})")


_JURIS = (r"(?:(?:State|STATE|Commonwealth|COMMONWEALTH|Province|PROVINCE|Republic|REPUBLIC|Kingdom|KINGDOM)\s+(?:of|OF)\s+(?:the\s+)?)?"
          r"[A-Z][\w.]*(?:\s+(?:and|&)\s+[A-Z][\w.]*|\s+[A-Z][\w.]*){0,3}|\[\*+\]")
# Forms the answer engine's recogniser does not cover: "construed and governed in accordance with
# the laws of", "the laws and decisions of", "the laws of California shall govern", "Ohio law".
_GOVERNED = re.compile(
    rf"(?i:\b(?:governed|construed|interpreted|enforced|controlled)\b)[^.;]{{0,120}}?(?i:\b(?:the\s+)?(?:internal\s+|substantive\s+)?laws?"
    rf"(?:\s+and\s+decisions)?\s+of\s+(?:the\s+)?)(?P<j>{_JURIS})"
    rf"|(?i:\bthe\s+laws?\s+of\s+(?:the\s+)?)(?P<j2>{_JURIS})(?i:\s+(?:shall|will)\s+govern)"
    rf"|(?i:\b(?:governed|construed)\b)[^.;]{{0,80}}?(?i:\bwith\s+)(?P<j3>[A-Z][\w]*(?:\s+[A-Z][\w]*)?)\s+(?i:law)\b"
    rf"|(?i:\b(?:governed|construed|interpreted)\s+(?:by|under)\s+)(?P<j4>[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)\s+(?i:law)\b")
# "governed by Scots law", "subject to English law": the law named by its adjective
LAW_ADJECTIVES = {"scots": "Scotland", "scottish": "Scotland", "english": "England and Wales", "irish": "Ireland",
                  "french": "France", "german": "Germany", "dutch": "the Netherlands", "swedish": "Sweden", "spanish": "Spain",
                  "italian": "Italy", "japanese": "Japan", "swiss": "Switzerland", "danish": "Denmark", "norwegian": "Norway",
                  "belgian": "Belgium", "austrian": "Austria", "finnish": "Finland", "portuguese": "Portugal",
                  "northern irish": "Northern Ireland", "new york": "New York", "californian": "California"}


def read_governing_law(us: list[ContractUnit], modifier: str | None) -> Value | None:
    """The law governing the agreement: "governed by the laws of England and Wales" ->
    {"jurisdiction": "England and Wales", "code": "GB-EAW"}."""
    if modifier is not None:
        return None
    best = Best()
    for u in us:
        if u.role == "recital":
            continue
        laws = [(f.text, None) for f in u.of("law")]
        laws += [(g.group(0), g.group("j") or g.group("j2") or g.group("j3") or g.group("j4")) for g in _GOVERNED.finditer(u.text)]
        for text, juris in laws:
            if juris:
                name = juris
            elif (m := _LAW_OF.search(text)):
                name = (m.group(1) or "") + m.group(2)
            else:
                m2 = re.search(r"(?:of|in|is|be)\s+(?:the\s+)?((?:State\s+of\s+)?[A-Z][\w]*(?:\s+(?:and\s+)?[A-Z][\w]*){0,3})\s*$", text)
                if not m2:
                    continue
                name = m2.group(1)
            name = re.sub(r"\s+(?:without|excluding|and\s+the\s+(?:courts?|parties)|applicable|as|in|which).*$", "", name).strip(" .,")
            name = LAW_ADJECTIVES.get(name.lower(), name)
            name = name.title() if name.isupper() else name
            governed = bool(re.search(r"\bgovern\w*|\bconstru\w*|\binterpret\w*", text, re.I))
            score = 2.0 + 2 * governed + bool(re.search(r"\bgoverning\s+law|\bapplicable\s+law|\bchoice\s+of\s+law", u.scope, re.I))
            value = {"jurisdiction": name, "code": jurisdiction_code(name)}
            shown = name + (f" ({value['code']})" if value["code"] else "")
            best.offer(score, u, make_value("governing_law", shown, value, u, fact=text))
    return best.value
