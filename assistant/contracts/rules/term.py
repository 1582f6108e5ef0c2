"""Rules for how long a deal lasts: expiry (stated or computed from a duration and a
start), automatic renewal, the notice that stops a renewal, option periods.
"""

from __future__ import annotations

import re

from assistant.contracts import dates as datecalc
from assistant.contracts.clauses import MAX_UNIT, Best, ContractUnit, changed_fact, fresh_facts, is_operative, make_value
from assistant.contracts.model import Value
from assistant.contracts.rules.identity import unit_dates
from assistant.contracts.values import HYPHEN_DURATION, number_in, parse_duration
from assistant.text.changes import CHANGE, RECITES, VARIES
from assistant.text.facts import Fact
from ingest import families, metadata

# -- term, renewal, notice, options ------------------------------------------------------------
_TERM_WORD = re.compile(r"\b(?:[Tt]erm|TERM|initial\s+(?:term|period)|Initial\s+(?:Term|Period)|[Cc]ontract\s+[Pp]eriod|"
                        r"(?:this|the)\s+(?:Agreement|agreement|Licen[cs]e|Contract|Deal)|[Ll]icen[cs]e\s+[Pp]eriod\s+of\s+this)\b")
# A clause that defines the term: "The term of this Agreement ...", "This Agreement shall commence
# ... and continue ...", "(the "Term")", "initial term of", "Term" means ...
_TERM_CLAUSE = re.compile(
    r"(?<!during\s)(?<!after\s)(?<!of\s)(?<!beyond\s)\bthe\s+term\s+of\s+this\s+(?:agreement|licen[cs]e|contract)\s+(?:\([^)]{0,30}\)\s*)?(?:shall|will|is|commences?|begins?|starts?|expires?)\b|"
    r"[\"“(]\s*(?:Initial\s+)?Term\s*[\"”)]|\binitial\s+(?:term|period)\b|"
    r"[\"“](?:Contract|Licen[cs]e|Agreement|Initial)\s+(?:Period|Term)[\"”]\s+(?:shall\s+)?(?:means?|is)\b|"
    r"\b(?:this|the)\s+(?:agreement|licen[cs]e|contract)\s+(?:shall|will)\s+(?:(?:automatically\s+)?commence|become\s+effective|"
    r"be\s+(?:effective|valid|binding|in\s+(?:full\s+)?(?:force|effect))|remain|continue|expire|terminate|run|last|"
    r"have\s+(?:a|an)\s+(?:initial\s+)?term)|\bthe\s+Term\s+(?:is|shall|will|starts?|begins?|commences?|ends?|expires?|runs?)\b|"
    r"\bterms\s+of\s+this\s+agreement\s+will\s+(?:automatically\s+)?commence\b", re.I)
_END_BEFORE = re.compile(
    r"(?:\b(?:end|ends|ending|expire|expires|expiring|expiry|expiration|terminate|terminates|terminating|concluding|until|through|thru|"
    r"to|extended\s+(?:to|until))\b|\bterminat\w*\s+with\s+effect\s+from|\bexpire\s+at\s+the\s+end\s+of\s+[^,.;]{0,60}?,?)"
    r"\s*(?:on|at\s+midnight\s+on|at\s+the\s+close\s+of\s+business\s+on|upon|as\s+of|with\s+effect\s+from)?\s*(?:the\s+)?,?\s*$",
    re.I)
_STRONG_END = re.compile(r"\b(?:end|ends|ending|expir\w*|terminat\w*|concluding)\b", re.I)
_PAST = re.compile(r"\b(?:expired|ended|terminated|was|were)\b", re.I)
_TERM_AVOID = re.compile(r"\b(?:may\s+terminate|right\s+to\s+terminate|upon\s+(?:the\s+)?(?:expiration\s+or\s+)?termination|"
                         r"in\s+the\s+event\s+of|following\s+(?:the\s+)?(?:expiration|termination)|after\s+(?:the\s+)?(?:end|expiry|expiration|termination)|"
                         r"Option\s+Period|sell-?off|collection\s+period|licen[cs]e\s+period\s+for\s+each|warrant|invoice|payment|paid|statement)\b",
                         re.I)
_START_REF = re.compile(
    r"^\s*(?:\([^)]{0,40}\)\s*)?,?\s*(?:commencing|starting|beginning|from|after|following|as\s+of|on\s+and\s+after|of)?\s*(?:on|from|with|upon)?\s*"
    r"(?:the\s+)?(?P<what>(?:[\w-]+\s+)?(?:Effective|Commencement|Start|Execution|Closing|Launch)\s+Date|date\s+(?:of|first\s+(?:written|set\s+forth|above)|hereof|last)"
    r"[^,.;()]{0,40}|execution[^,.;()]{0,30}|signature[^,.;()]{0,30})?", re.I)
_NOT_TERM_DURATION = re.compile(r"^\s*(?:'|’)?\s*(?:\(\d+\)\s*)?(?:prior|before|in\s+advance|after\s+(?:receipt|notice|the\s+(?:end|expir|termin))|"
                                r"(?:prior\s+)?(?:written\s+)?notice|thereafter|following\s+(?:the|its)\s+(?:end|expir))", re.I)
_RENEWAL_BEFORE = re.compile(r"\b(?:renew\w*|successive|additional|further|extension|extend\w*\s+(?:for|by))\b[^.;]{0,30}$", re.I)
# "twelve (12) full calendar months": more words between the number and the unit than the recognisers allow
_LONG_DURATION = re.compile(r"\b(?:[a-z]+(?:[\s-][a-z]+)?\s+)?\(\d+\)\s+(?:full\s+)?(?:calendar\s+|consecutive\s+)?(?:days|weeks|months|years)\b", re.I)
_EVENT_END = re.compile(
    r"\b(?:continues?|continuing|remain\w*|be\s+in\s+effect|extend)\s+(?:in\s+(?:full\s+)?(?:force\s+and\s+)?effect\s+)?(?:in\s+perpetuity|perpetually|indefinitely)\b|"
    r"\b(?:expire|terminate|end|continue\w*|remain\w*|extend)(?:\s+in\s+(?:full\s+)?(?:force\s+and\s+)?effect)?\s+"
    r"(?:on|upon|until|at|if|when)\s+(?:the\s+)?(?:later|earlier|last|expiration|expiry|termination|completion|date|end|conclusion|"
    r"first|occurrence|\w+\s+anniversary)[^.;]{0,160}", re.I)

def _term_durations(u: ContractUnit) -> list[tuple[int, Fact, datecalc.Duration]]:
    """The durations of a term clause that are the term's length: not a notice period, not a
    renewal period, not a period after the end."""
    out = []
    facts = u.of("duration") or [Fact("duration", m.start(), m.end(), m.group(0)) for m in _LONG_DURATION.finditer(u.text)]
    for f in facts:
        if NOTICE_WORD.search(f.text):
            continue
        at = u.text.find(f.text)
        if _NOT_TERM_DURATION.match(u.text[at + len(f.text):]) or _RENEWAL_BEFORE.search(u.text[max(0, at - 40):at]):
            continue
        if re.search(r"\b(?:within|notice\s+of|at\s+least|no\s+(?:less|later|fewer)\s+than|not\s+less\s+than)\s*$", u.text[max(0, at - 25):at], re.I):
            continue
        d = parse_duration(f.text)
        if d is not None and d.unit in ("month", "year", "week", "day"):
            out.append((at, f, d))
    return out


# In a document that changes an agreement: a clause about the term's length, and the words that
# set a new date ("replaced by the date "31 December 2025"", "inserting in lieu thereof", "shall be
# read as"), or end it ("terminates the Agreement ..., effective as of 11:59 p.m. on October 31, 2023").
_MODIFIER_TERM = re.compile(r"\bTerm\b|\bterm\s+of\s+(?:this|the)\b|\b(?:Licen[cs]e|Initial|Contract|Rights|Renewal|Extension)\s+Period\b|"
                            r"\bduration\b|\bexpir\w*|\bterminat\w*|\b(?:the|this)\s+(?:Agreement|Licen[cs]e|Contract|Deal)\s+"
                            r"(?:\w+\s+){0,3}(?:expire|end|terminate|continue|run|remain)", re.I)
_OTHER_DATE = re.compile(r"\b(?:delivery|release|payment|completion|recording|accounting|statement|invoice|approval|launch|closing|"
                         r"commencement|option|notice|exercise)\s+(?:date|deadline)\b|\bdeliver\w*\b[^.;]{0,40}\b(?:by|no\s+later\s+than)\s*$", re.I)
_SETS_BEFORE = re.compile(r"\b(?:replaced\s+(?:by|with)|substitut\w*|insert\w*(?:\s+in\s+(?:lieu|place)\s+thereof)?|read\s+as|"
                          r"amended\s+to(?:\s+read)?|changed\s+to|now\s+be|shall\s+be|is)\s+(?:the\s+)?(?:words?\s+|date\s+|figures?\s+)?"
                          r"[\"“‘']?(?:(?:ends?|ending|expires?|expiring|terminates?)\s+on\s+)?$", re.I)
_TERMINATES_BEFORE = re.compile(r"\bterminat\w*\s+(?:the\s+|this\s+)?(?:Agreement|Licen[cs]e|Contract)\b[^.;]{0,80}\beffective\b"
                                r"(?:[^.;]|\b[ap]\.m\.){0,50}$"
                                # "terminate the Agreement with effect from", "is terminated by mutual consent with
                                # effect from", "the termination of the Agreement, such termination to take effect on"
                                r"|\bterminat\w*\b[^.;]{0,100}?\b(?:with\s+effect\s+(?:from|on)|(?:to\s+)?takes?\s+effect\s+(?:on|from)|"
                                r"effective\s+(?:as\s+of|on|from))\s*(?:the\s+)?$"
                                # "The Agreement shall terminate by mutual agreement on 30 June 2024"
                                r"|\bterminat\w*\b[^.;]{0,60}?\b(?:on|as\s+of|at\s+(?:the\s+)?(?:close\s+of\s+business|end\s+of\s+(?:the\s+)?day)\s+on)"
                                r"\s*(?:the\s+)?$", re.I)
# A notice that ends the agreement a period after its own date: "notice of termination of the
# Agreement, effective sixty (60) days from the date hereof" (worked out from the notice's date);
# after its receipt, the date cannot be known from the documents and the period is quoted.
_TERMINATES_AFTER = re.compile(r"\bterminat\w*\b[^.;]{0,120}?\b(?:effective|with\s+effect|(?:to|shall|will)\s+take\s+effect)\s+"
                               r"(?P<d>(?:[\w-]+\s+)?(?:\(\d+\)\s+)?(?:calendar\s+|business\s+)?(?:days?|weeks?|months?))\s+(?:from|after)\s+"
                               r"(?:(?P<own>the\s+date\s+(?:hereof|of\s+this\s+(?:letter|notice))|today)|(?P<other>[^.;]{3,60}))", re.I)


# "The Term is extended by (a further) twelve (12) months", "extended for an additional period of one
# (1) year": the new end is worked out from the end before it when the register is built.
_EXTENDED_BY = re.compile(r"\b(?:Term|Licen[cs]e\s+Period|Agreement|Licen[cs]e)\b[^.;]{0,40}?\bextended\s+(?:by|for)\s+(?:a\s+further\s+|an\s+additional\s+|a\s+)?"
                          r"(?:(?:further|additional)\s+)?(?:period\s+of\s+)?(?P<d>(?:[\w-]+\s+)?(?:\(\d+\)\s+)?(?:calendar\s+)?(?:days?|weeks?|months?|years?))\b",
                          re.I)


# a schedule's field for the term: "Item 2   Term: three (3) years from the Commencement Date", "Licence Period: 2 years"
_TERM_FIELD = re.compile(r"\W*(?:Item\s+\d{1,2}\s+)?(?:(?:Initial\s+)?Term|Duration|(?:Licen[cs]e|Contract|Rights)\s+Period)\s*:\s*\S", re.I)


def read_expiry(us: list[ContractUnit], start_hint: str | None, modifier: str | None) -> Value | None:
    """When the term ends. In order of preference: a date after "ends on", "expire on",
    "until", "through", "terminate with effect from" in a clause about the term (in a notice:
    about the agreement); a stated length ("three (3) years from the date of this Agreement")
    counted from the date it names, the Effective Date or the agreement's date (computed, with
    its basis), or left as a length when that date is not stated; an event ("until the last of
    the Patents expires", "in perpetuity"), quoted."""
    best = Best(later=modifier is not None)  # in a notice or amendment, its last statement is its conclusion
    for u in us:
        if not is_operative(u) or RECITES.search(u.text) or len(u.text) > MAX_UNIT:
            continue
        clause_cue = bool(_TERM_CLAUSE.search(u.text)) or bool(re.fullmatch(r"\W*(?:[\d.]+\s*)?(?:(?:initial\s+)?term(?:\s+of\s+(?:this\s+)?agreement)?|"
                                                                            r"duration|term\s+and\s+(?:renewal|termination)|"
                                                                            r"(?:licen[cs]e|contract|rights)\s+period)\W*", u.heading, re.I)) \
            or bool(_TERM_FIELD.match(u.text))
        if modifier is not None and (not _MODIFIER_TERM.search(u.scope) or (_OTHER_DATE.search(u.text) and not _MODIFIER_TERM.search(u.text))):
            continue  # "The Delivery Date in paragraph 3 is extended to ...": another date, not the term's end
        if u.role == "definition" and not re.match(r"\W*[\"“](?:Initial\s+)?(?:Term|Contract\s+Period|Licen[cs]e\s+Period)[\"”]", u.text):
            continue
        term_cue = bool(_TERM_WORD.search(u.scope))
        heading_term = bool(re.search(r"\bterm\b|\bduration\b|\bperiod\b", u.heading, re.I))
        if not term_cue and not heading_term and modifier is None:
            continue
        avoid = bool(_TERM_AVOID.search(u.text))
        dates = [d for d in unit_dates(u) if _END_BEFORE.search(u.text[max(0, d[0] - 90):d[0]].rstrip("\"“‘' "))
                 or (modifier is not None and (_SETS_BEFORE.search(u.text[max(0, d[0] - 60):d[0]])
                                               or _TERMINATES_BEFORE.search(u.text[max(0, d[0] - 160):d[0]])))]
        dates = [d for d in dates if not _PAST.search(u.text[max(0, d[0] - 40):d[0]])]
        if modifier is not None:
            dates = fresh_facts(u, dates)
        if dates:
            d = changed_fact(u, dates)
            before = u.text[max(0, d[0] - 90):d[0]]
            strong = bool(_STRONG_END.search(before))
            if modifier is None and not (strong or clause_cue):
                continue  # "for each Calendar Year during the Term to 31 December": not the term's end
            score = 3.0 + heading_term + term_cue + strong + clause_cue - 2.0 * avoid - bool(re.search(r"\bmay\b", u.text, re.I))
            if re.search(r"\bterminat", before, re.I) and modifier is None and not clause_cue:
                score -= 1.0  # "terminates on" in an agreement: often a condition, not the term
            if modifier is not None and CHANGE.search(u.text):
                score += 0.5
            value = make_value("expiry", families.human_date(d[2]), d[2], u, fact=u.text[d[0]:d[1]])
            if modifier and re.search(r"\bterminat", before, re.I):
                value.basis = "termination"
            best.offer(score, u, value)
            continue
        if modifier is not None and (after := _TERMINATES_AFTER.search(u.text)):
            dur = parse_duration(after.group("d"))
            own = datecalc.parse_iso(start_hint) if after.group("own") else None
            if dur is not None and own is not None:
                end = datecalc.after_end(own, dur)
                value = make_value("expiry", families.human_date(end.isoformat()), end.isoformat(), u, kind="computed",
                                   basis=f"termination: {after.group('d')} from the date of the notice ({families.human_date(start_hint)})",
                                   fact=after.group(0))
            else:
                phrase = " ".join(after.group(0).split())
                value = make_value("expiry", phrase, {"event": phrase}, u, fact=after.group(0), basis="termination")
            best.offer(3.0, u, value)
            continue
        if modifier is not None:
            by = _EXTENDED_BY.search(u.text)
            dur = parse_duration(by.group("d")) if by and not avoid else None
            if dur is not None and dur.unit in ("day", "week", "month", "year"):
                best.offer(2.5, u, make_value("expiry", f"extended by {dur.text()}", {"extend_by": dur.as_dict()}, u, fact=by.group("d")))
            continue
        if avoid or not clause_cue:
            continue
        durations = _term_durations(u)
        if durations:
            at, f, dur = durations[0]
            rest = u.text[at + len(f.text): at + len(f.text) + 120]
            near = u.text[max(0, at - 120):at] + " " + rest
            starts = [x for x in metadata.find_dates(rest) if x[0] < 60]
            if not starts:  # "The Term begins on 1 March 2021 and continues for three (3) years"
                lead = u.text[max(0, at - 160):at]
                starts = [x for x in metadata.find_dates(lead)
                          if re.search(r"\b(?:commenc\w*|start\w*|begin\w*|effective)\s+(?:on|as\s+of|from)\s*$", lead[:x[0]], re.I)][-1:]
            ref = _START_REF.match(rest)
            what = (ref.group("what") if ref and ref.group("what") else "") or ""
            if not what:
                m = re.search(r"\b(?:commenc\w*|start\w*|begin\w*|effective)\s+(?:on|as\s+of|from|upon)\s+(?:the\s+)?"
                              r"((?:[\w-]+\s+)?(?:Effective|Commencement|Execution|Start)\s+Date|date\s+(?:of|first|hereof)[^,.;()]{0,40})", near, re.I)
                what = m.group(1) if m else ""
            if starts:
                start_iso, basis_what = starts[0][2], families.human_date(starts[0][2])
            elif what and start_hint and not re.search(r"\b(?:closing|launch|execution|last)\b", what, re.I):
                start_iso, basis_what = start_hint, f"{' '.join(what.split())} ({families.human_date(start_hint)})"
            else:
                start_iso, basis_what = None, " ".join(what.split())
            start = datecalc.parse_iso(start_iso)
            if start is not None:
                end = datecalc.period_end(start, dur)
                value = make_value("expiry", families.human_date(end.isoformat()), end.isoformat(), u, kind="computed",
                               basis=f"{f.text} from {basis_what}", fact=f.text)
            else:
                text = f"{dur.text()} from {basis_what}" if basis_what else f"{dur.text()} (start not stated)"
                value = make_value("expiry", text, {"duration": dur.as_dict(), "from": basis_what}, u, fact=f.text)
            best.offer(2.0 + heading_term + clause_cue, u, value)
            continue
        ev = _EVENT_END.search(u.text)
        if ev:
            phrase = " ".join(ev.group(0).split())
            best.offer(1.0 + heading_term + clause_cue, u, make_value("expiry", phrase, {"event": phrase}, u, fact=ev.group(0)))
    return best.value


_RENEW = re.compile(r"\brenew\w*|\bsuccessive\b|\bautomatic(?:ally)?\s+(?:extend|continu)\w*|\bevergreen\b|"
                    r"\bfrom\s+year\s+to\s+year\b|\byear[-\s]to[-\s]year\b|\bthereafter\s+(?:for|continue|on)\b|\bindefinitely\b|"
                    r"\b(?:may|shall|will|can)\s+(?:be\s+)?extend(?:ed)?\b[^.;]{0,80}\b(?:for|by)\b|\bextend\s+the\s+term\b", re.I)
_AUTOMATIC = re.compile(r"\bautomatic\w*|\bshall\s+(?:be\s+)?(?:renew|extend|continue)\w*\s+(?:for|unless|thereafter|from)|"
                        r"\bunless\s+(?:either|one|a)\s+party\b|\bsuccessive\b|\bfrom\s+year\s+to\s+year\b|\bevergreen\b|"
                        r"\bthereafter\s+(?:renew|continue)\w*|\bwill\s+renew\b|\bindefinitely\b", re.I)
_NO_RENEWAL = re.compile(r"\b(?:no|not\s+(?:be\s+)?)(?:automatic(?:ally)?\s+)?renew\w*|\bnot\s+renewable\b|\bwill\s+not\s+renew\b|"
                         r"\bdoes\s+not\s+wish\s+to\s+renew\b|\bnon-?renewal\b(?!\s+(?:at\s+least|before|prior))", re.I)
NOTICE_WORD = re.compile(r"\bnotice\b|\bnotif\w+", re.I)
_OTHER_RENEWALS = re.compile(r"\binsurance\b|\bpolic(?:y|ies)\b|\bcertificate\b|\bCalendar\s+(?:Year|Quarter)\b|\bContract\s+Year\b|"
                             r"\bpermits?\b|\bregistrations?\b|\bwarrant(?:y|ies)\b|\bsubscriptions?\b", re.I)
_OF_AGREEMENT = re.compile(r"\b(?:this|the)\s+(?:agreement|contract|licen[cs]e)\b|\bterm\b", re.I)


def _renewal_periods(u: ContractUnit) -> list[tuple[int, str, datecalc.Duration]]:
    """The lengths of renewal periods in a unit ("successive renewal periods of one (1) year",
    "successive 1-year terms"): not notice periods, not periods before or after an event."""
    out = []
    found = [(u.text.find(f.text), f.text) for f in u.of("duration")]
    found += [(m.start(), m.group(0)) for m in HYPHEN_DURATION.finditer(u.text)]
    for at, text in found:
        if NOTICE_WORD.search(text):
            continue
        after = u.text[at + len(text): at + len(text) + 40]
        if re.match(r"\s*(?:\(\d+\)\s*)?(?:prior|before|in\s+advance|after\s+(?:receipt|notice)|'?\s*(?:prior\s+)?(?:written\s+)?notice)", after, re.I):
            continue
        if re.search(r"\b(?:notice|cure|remedy|within)\b[^.;]{0,25}$", u.text[max(0, at - 40):at], re.I):
            continue
        d = parse_duration(text.replace("-", " "))
        if d is not None and d.unit in ("month", "year"):
            out.append((at, text, d))
    return sorted(out)


def read_renewal(us: list[ContractUnit], modifier: str | None) -> Value | None:
    """Whether and how the term renews: automatically for periods of P ("renews automatically
    for successive renewal periods of one (1) year"), by option or agreement ("may be extended
    for one (1) year upon the parties' mutual agreement"), indefinitely until notice, or not at
    all; a notice of non-renewal stops it."""
    best = Best()
    for u in us:
        if not is_operative(u) or u.role == "definition" or RECITES.search(u.text) or len(u.text) > MAX_UNIT:
            continue
        if not _RENEW.search(u.text) or _OTHER_RENEWALS.search(u.text) or not _OF_AGREEMENT.search(u.scope):
            continue  # (the scope: "1. TERM ... Thereafter it renews automatically" names the term in its heading)
        if modifier == "non-renewal notice" or (modifier and re.search(r"\bnot\s+(?:to\s+)?renew|\bwill\s+not\s+renew|\bdoes\s+not\s+wish\s+to\s+renew", u.text, re.I)):
            fact = re.search(r"[^.;]*\b(?:not\s+(?:to\s+)?renew|not\s+wish\s+to\s+renew|non-?renewal)[^.;]*", u.text, re.I)
            return make_value("renewal", "stopped by notice of non-renewal", {"automatic": False, "stopped": True}, u,
                          fact=fact.group(0) if fact else u.text)
        if modifier is not None or _OPTION.search(u.text):
            continue  # options to extend are their own term
        periods = _renewal_periods(u)
        yearly = re.search(r"\bannually\b|\bfrom\s+year\s+to\s+year\b|\byear[-\s]to[-\s]year\b|\beach\s+year\b", u.text, re.I)
        automatic = bool(_AUTOMATIC.search(u.text))
        renew_at = _RENEW.search(u.text).start()
        if _NO_RENEWAL.search(u.text) and not periods:
            value = make_value("renewal", "no automatic renewal", {"automatic": False, "period": None}, u,
                           fact=_NO_RENEWAL.search(u.text).group(0))
            score = 1.0
        elif periods and (automatic or any(at > renew_at - 80 for at, _, _ in periods)) or yearly:
            periods.sort(key=lambda p: (p[0] < renew_at - 80, abs(p[0] - renew_at)))
            if periods:
                _, fact, dur = periods[0]
            else:
                dur, fact = datecalc.Duration(1, "year"), yearly.group(0)
            how = "automatically" if automatic else "by option or agreement"
            value = make_value("renewal", f"renews {how} for periods of {dur.text()}",
                           {"automatic": automatic, "period": dur.as_dict()}, u, fact=fact)
            score = 2.0 + automatic + bool(re.search(r"\bterm\b", u.scope, re.I))
        elif automatic and re.search(r"\bunless\b|\buntil\b", u.text, re.I):
            m = _AUTOMATIC.search(u.text)
            text = "continues until terminated by notice" if re.search(r"indefinitely", m.group(0), re.I) else "renews automatically"
            value = make_value("renewal", text, {"automatic": True, "period": None}, u, fact=m.group(0))
            score = 1.5
        else:
            continue
        best.offer(score, u, value)
    return best.value


_NOTICE_DURATION = re.compile(r"\bnotice\b", re.I)
_STOP_RENEWAL = re.compile(r"\brenew\w*|\bnon-?renewal\b|\bthen[-\s]current\b|\bsuccessive\b|"
                           r"\b(?:expir\w*|end)\s+of\s+the\s+(?:then|initial|current)|\b(?:following|after)\s+the\s+initial\s+term\b|"
                           r"\bautomatic\w*\s+(?:renew|extend|continu)|\bindefinitely\b", re.I)
_BREACH = re.compile(r"\bbreach\w*|\bcure[ds]?\b|\bremed(?:y|ied)\b|\binsolven\w*|\bbankrupt\w*|\bdefault\b", re.I)


def notice_durations(u: ContractUnit) -> list[tuple[int, Fact | None, datecalc.Duration]]:
    """Notice periods in a unit: "ninety (90) days' written notice", "notice ... at least six (6)
    months prior to the expiration", "a thirty-day notice"."""
    out = []
    for f in u.of("duration"):
        at = u.text.find(f.text)
        window = u.text[max(0, at - 80): at + len(f.text) + 60]
        if _NOTICE_DURATION.search(f.text) or (NOTICE_WORD.search(window) and re.search(
                r"\b(?:prior|before|in\s+advance|preceding)\b", u.text[at + len(f.text): at + len(f.text) + 30], re.I)) \
                or re.search(r"\bnotice\b[^.;]{0,40}$", u.text[max(0, at - 60):at], re.I):
            d = parse_duration(f.text)
            if d is not None:
                out.append((at, f, d))
    if not out:
        for m in HYPHEN_DURATION.finditer(u.text):
            if re.match(r"\s*(?:\([^)]*\)\s*)?(?:prior\s+)?(?:written\s+)?notice", u.text[m.end(): m.end() + 40], re.I):
                d = parse_duration(m.group(0).replace("-", " "))
                if d is not None:
                    out.append((m.start(), None, d))
    return out


def read_renewal_notice(us: list[ContractUnit], modifier: str | None) -> Value | None:
    """The notice that stops a renewal ("unless either party gives ninety (90) days' written
    notice of non-renewal before the end of the then current period"): its period. In a
    document that changes the agreement, a clause that changes that notice ("the period of notice
    for non-renewal is reduced to sixty (60) days"); one that names the notice only by its clause
    ("the notice period in clause 3.2 is changed to ...") is matched to the agreement's clause
    when the register is built (``changes``)."""
    if modifier is not None:
        return _changed_notice(us)
    best = Best()
    for u in us:
        if not is_operative(u) or len(u.text) > MAX_UNIT:
            continue
        if not _STOP_RENEWAL.search(u.text) or _BREACH.search(u.text):
            continue
        if (_OPTION.search(u.text) or re.search(r"\bextend\s+the\s+term\b", u.text, re.I)) and not re.search(
                r"\bnon-?renewal|\bnot\s+(?:to\s+)?renew|\bterminat", u.text, re.I):
            continue  # the notice that exercises an option extends the term; it does not stop a renewal
        if _OTHER_RENEWALS.search(u.text):
            continue
        found = notice_durations(u)
        if not found:
            continue
        at, f, dur = found[0]
        renew = bool(re.search(r"\brenew|\bnon-?renewal|\bsuccessive|\bautomatic", u.text, re.I))
        score = 2.0 + renew + bool(re.search(r"\bterm\b|\brenew", u.heading, re.I))
        fact = f.text if f is not None else u.text[at: at + 30]
        value = make_value("renewal_notice", f"{dur.text()} before the end of the then-current period",
                       {"period": dur.as_dict(), "before": "end of the then-current period"}, u, fact=fact)
        best.offer(score, u, value)
    return best.value


def _changed_notice(us: list[ContractUnit]) -> Value | None:
    best = Best(later=True)
    for u in us:
        if u.role == "recital" or RECITES.search(u.text) or len(u.text) > MAX_UNIT or not VARIES.search(u.text):
            continue
        if not NOTICE_WORD.search(u.text) or not _STOP_RENEWAL.search(u.text) or _BREACH.search(u.text) or _OPTION.search(u.text):
            continue
        if re.search(r"\bnot\s+(?:to\s+)?renew|\bdoes\s+not\s+wish|\bhereby\s+gives?\s+notice", u.text, re.I):
            continue  # a notice of non-renewal itself, not a change to the notice period
        found = fresh_facts(u, [f for f in u.of("duration") if parse_duration(f.text) and parse_duration(f.text).unit != "year"
                                or NOTICE_WORD.search(f.text)])
        if not found:
            continue
        f = changed_fact(u, found)
        dur = parse_duration(f.text)
        best.offer(2.0, u, make_value("renewal_notice", f"{dur.text()} before the end of the then-current period",
                                  {"period": dur.as_dict(), "before": "end of the then-current period"}, u, fact=f.text))
    return best.value


_OPTION = re.compile(r"\boptions?\b", re.I)
_ORDINAL = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5}


# A changing document that takes the options away: "will not be entitled to exercise the option",
# "the Option Period is deleted", "the options shall lapse".
_NO_OPTION = re.compile(r"\b(?:not|no\s+longer)\s+(?:be\s+)?(?:entitled|able|permitted)\s+to\s+exercise\s+(?:the\s+|any\s+|its\s+)?options?\b|"
                        r"\boptions?\b[^.;]{0,60}\b(?:shall|will|is|are)\s+(?:hereby\s+)?(?:lapse[sd]?|deleted|withdrawn|cancelled|"
                        r"no\s+longer\s+(?:apply|exercisable|be\s+exercisable))\b", re.I)


# An option exercised, in the ways notices word it: "we exercise the first option", "exercise of its
# option", "takes up the second option", "elects to extend the Term for the first Option Period",
# "the Term is extended by the second Option Period".
_WHICH = r"(?:the\s+|its\s+|our\s+|their\s+)?(?P<{g}>first|second|third|fourth|fifth)?\s*"
_EXERCISE = re.compile(r"\b(?:exercis\w*\s+(?:of\s+)?|tak\w*\s+up\s+|pick\w*\s+up\s+)" + _WHICH.format(g="which") + r"option"
                       # an option drafted as a right: "hereby exercises its right to extend the term"
                       r"|\bexercis\w*\s+(?:of\s+)?(?:its|the|our|their|his|her|my)\s+right\s+to\s+(?:extend|renew)\b"
                       r"|\b(?:elect\w*\s+to\s+(?:extend|renew)|extend\w*|renew\w*)\s+the\s+(?:Term|Agreement|Licen[cs]e)\s+(?:for|by|into)\s+"
                       + _WHICH.format(g="which2") + r"(?:Option|Extension|Renewal)\s+(?:Period|Term)"
                       r"|\bthe\s+Term\s+(?:is|shall\s+be|will\s+be)\s+(?:hereby\s+)?(?:extended|renewed)\s+(?:for|by|into)\s+"
                       + _WHICH.format(g="which3") + r"(?:Option|Extension|Renewal)\s+Period"
                       # a notice given under the clause that allows it: "I hereby give notice ... that I extend the Term
                       # by one (1) further year"
                       r"|\b(?:I|we|[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*){0,3})\s+(?:hereby\s+)?(?:elect\s+to\s+)?(?:extend|renew)s?\s+the\s+Term\s+"
                       r"(?:by|for)\s+(?:an?\s+|the\s+)?(?:\w+\s+)?(?:\(\d+\)\s+)?(?:further|additional|extension|renewal)\s+(?:period|years?|months?|terms?)\b",
                       re.I)


# An option drafted as a right: "Administrator shall have the right to extend the term for one (1)
# additional period of two (2) years by written notice": how many periods is group 1.
_RIGHT_TO_EXTEND = re.compile(r"\b(?:have|has|is\s+entitled\s+to|retains?)\s+(?:the\s+|an?\s+)?(?:sole\s+|irrevocable\s+|exclusive\s+)?"
                              r"right\s+to\s+(?:extend|renew)\s+(?:the\s+)?(?:term|agreement|licen[cs]e\s+period|licen[cs]e)\b[^.;]{0,30}?"
                              r"\bfor\s+((?:\w+\s+)?\(?\d*\)?)\s*(?:additional|further|successive|consecutive|extension|renewal)\s+"
                              r"(?:periods?|terms?)\b"
                              # "The Artist may extend the Term by one (1) further year by written notice"
                              r"|\b(?:may|is\s+entitled\s+to|shall\s+be\s+entitled\s+to)\s+(?:elect\s+to\s+)?(?:extend|renew)\s+(?:the|this)\s+"
                              r"(?:Term|Agreement|Licen[cs]e\s+Period)\s+(?:by|for)\s+((?:\w+\s+)?\(?\d*\)?)\s*(?:further|additional|successive|"
                              r"consecutive)\s+(?:periods?|terms?|years?|months?)\b", re.I)


def read_options(us: list[ContractUnit], modifier: str | None) -> Value | None:
    """Options to extend the term: how many, each for how long, and the notice to exercise
    them; in an option exercise (or an amendment exercising one), which option was exercised."""
    for u in us:
        if not is_operative(u) or RECITES.search(u.text) or len(u.text) > MAX_UNIT \
                or not (_OPTION.search(u.text) or _RIGHT_TO_EXTEND.search(u.text) or _EXERCISE.search(u.text)):
            continue
        if modifier is not None and _NO_OPTION.search(u.text):
            return make_value("options", "no option left to exercise", {"count": 0, "removed": True}, u,
                          fact=_NO_OPTION.search(u.text).group(0))
        ex = _EXERCISE.search(u.text)
        if ex and (modifier is not None) and not re.search(r"\bunless\b[^.]{0,40}\bexercise|\bnot\b[^.;]{0,40}$", u.text[: ex.start() + 5], re.I):
            which = (ex.group("which") or ex.group("which2") or ex.group("which3") or "").lower()
            return make_value("options", f"{which + ' ' if which else ''}option exercised",
                          {"exercised": _ORDINAL.get(which, 1) if which else 1}, u, fact=ex.group(0), mode="add")
        if modifier is not None:
            continue
        # "two (2) options to extend", "the option, exercisable by written notice ..., to extend the Term"
        m = re.search(r"\b((?:\w+\s+)?\(?\d*\)?)\s*(?:consecutive\s+|separate\s+|successive\s+|further\s+|irrevocable\s+)?options?"
                      r"(?:\s*,[^.;]{0,160}?,)?\s+to\s+(?:extend|renew)", u.text, re.I) or _RIGHT_TO_EXTEND.search(u.text)
        if not m and not re.search(r"\bOption\s+Periods?\b", u.text):
            continue
        said = next((g for g in m.groups() if g), "") if m else ""  # how many periods, as the clause words it
        count = number_in(said) if m else None
        if count is None and m and re.match(r"(?:the|an|a)\b", said.split()[-1] if said.split() else "", re.I) \
                and not re.search(r"\boptions\b", m.group(0), re.I):
            count = 1  # "the option ... to extend": one
        durations = [(u.text.find(f.text), parse_duration(f.text), f) for f in u.of("duration")]
        period = next((d for at, d, f in durations if d is not None and not NOTICE_WORD.search(f.text)
                       and d.unit in ("month", "year")), None)
        notice = next((d for at, f, d in notice_durations(u)), None)
        if count is None and period is None:
            continue
        parts = [f"{int(count)} option{'s' if count != 1 else ''}" if count else "options"]
        if period:
            parts.append(f"of {period.text()} each")
        if notice:
            parts.append(f"exercisable by notice {notice.text()} before the end of the current period")
        return make_value("options", " ".join(parts), {"count": int(count) if count else None,
                                                   "period": period.as_dict() if period else None,
                                                   "notice": notice.as_dict() if notice else None}, u,
                      fact=m.group(0) if m else "Option Period")
    return None
