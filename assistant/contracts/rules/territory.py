"""Rules for where and how exclusively rights run: territory (and a changing document's
additions to or removals from it), exclusivity, the rights granted.
"""

from __future__ import annotations

import re

from assistant.contracts.clauses import MAX_UNIT, Best, ContractUnit, fresh_facts, is_operative, make_value
from assistant.contracts.model import Value
from assistant.contracts.places import territory_codes, territory_text
from assistant.text.changes import CHANGE, RECITES, VARIES, old_spans

# -- territory, exclusivity, grant ----------------------------------------------------------------
_TERRITORY_CUE = re.compile(r"\bterritor(?:y|ies)\b|\bthroughout\s+the\s+(?:world|universe)\b|\bworld-?wide\b|\bthe\s+World\b", re.I)


def read_territory(us: list[ContractUnit], modifier: str | None) -> Value | None:
    """Where the agreement applies: the "Territory" defined or stated ("The territory of this
    Agreement is Japan", "throughout the World"), as ISO codes with exclusions."""
    best = Best()
    for u in us:
        if u.role in ("recital", "boilerplate") or RECITES.search(u.text) or len(u.text) > MAX_UNIT:
            continue
        if not _TERRITORY_CUE.search(u.scope):
            continue
        places = u.of("territory") if modifier is None else fresh_facts(u, u.of("territory"))
        if not places:
            continue
        if modifier is not None and (delta := _territory_delta(u)) is not None:
            value, fact = delta
            best.offer(4.0, u, make_value("territory", territory_text(value) if value["include"] else
                                      "; ".join(f"{k} {', '.join(c)}" for k, c in (("adds", value["delta"]["add"]),
                                                                                 ("removes", value["delta"]["remove"])) if c),
                                      value, u, fact=fact))
            continue
        defines = bool(re.search(r"[\"“]Territory[\"”]|\bterritory\s+(?:of\s+this\s+agreement\s+)?(?:is|shall\s+be|means)|"
                                 r"\bTerritory\s+(?:shall\s+be|is|means)", u.text, re.I))
        outside = re.search(r"\boutside\s+(?:of\s+)?the\s+Territory\b", u.text) and not defines
        if outside:
            continue
        if re.search(r"\blaws?\s+of\b|\bincorporated\b|\bregistered\b|\boffice\b|\bcourts?\b", u.text, re.I) and not defines:
            continue
        chosen = places
        fact_start = u.text.find(chosen[0].text)
        last = chosen[-1]
        fact_end = u.text.find(last.text, fact_start) + len(last.text)
        # the exclusions that follow the places ("the World excluding Japan")
        tail = u.text[fact_end: fact_end + 120]
        ex = re.match(r"\s*,?\s*(?:but\s+)?(?:excluding|except(?:\s+for)?|other\s+than|save\s+for)\s+[^.;()]{2,100}", tail, re.I)
        if ex:
            fact_end += ex.end()
        if defines:  # a definition names every place of the territory: to the end of its sentence
            rest = re.match(r"[^.;(]*", u.text[fact_end:])
            longer = u.text[fact_start:fact_end + rest.end()].rstrip(" ,")
            if len(territory_codes(longer)["include"]) > len(territory_codes(u.text[fact_start:fact_end])["include"]):
                fact_end = fact_start + len(longer)
        fact = u.text[fact_start:fact_end]
        value = territory_codes(fact)
        if modifier is not None and VARIES.search(u.text):  # "the Territory shall be Europe instead of the United Kingdom"
            kept = list(u.text)
            for s0, e0 in old_spans(u.text):
                kept[s0:e0] = " " * (e0 - s0)
            value = territory_codes("".join(kept)[fact_start:fact_end])
        if not value["include"]:
            continue
        score = 2.0 + 2 * defines + bool(re.search(r"\bterritor", u.heading, re.I)) + (0.5 if modifier and CHANGE.search(u.text) else 0)
        if modifier is not None and not (CHANGE.search(u.text) or defines):
            continue
        best.offer(score, u, make_value("territory", territory_text(value), value, u, fact=fact))
    return best.value


# "the Territory shall include France", "with effect from ... the Territory shall exclude Canada",
# "Japan is added to the Territory", "the Territory is extended to include ...": a change to the
# agreement's territory, worked out against it when the register is built (register.family_terms).
_TERRITORY_ADD = re.compile(r"\bTerritory\b[^.;]{0,60}?\b(?:shall|will|is|to)\s+(?:hereby\s+)?(?:now\s+)?(?:also\s+)?(?:be\s+)?"
                            r"(?:(?:extended|expanded|enlarged|amended)\s+(?:so\s+as\s+)?to\s+)?(?:also\s+)?(?:include|cover|encompass)\b|"
                            r"\b(?:added|extended)\s+to\s+the\s+Territory\b", re.I)
_TERRITORY_REMOVE = re.compile(r"\bTerritory\b[^.;]{0,60}?\b(?:shall|will|is|to)\s+(?:hereby\s+)?(?:now\s+|no\s+longer\s+)?(?:be\s+)?"
                               r"(?:(?:reduced|amended|restricted|limited)\s+(?:so\s+as\s+)?to\s+)?(?:exclude|omit|not\s+include)\b|"
                               r"\b(?:removed|excluded|deleted|withdrawn)\s+from\s+the\s+Territory\b|\bno\s+longer\s+(?:form\s+)?part\s+of\s+the\s+Territory\b", re.I)


def _territory_delta(u: ContractUnit) -> tuple[dict, str] | None:
    """A change that adds places to the territory or takes them out of it: ({"include": [],
    "exclude": [], "delta": {"add": [...], "remove": [...]}}, the words)."""
    add, remove = _TERRITORY_ADD.search(u.text), _TERRITORY_REMOVE.search(u.text)
    if not add and not remove:
        return None
    delta: dict[str, list[str]] = {"add": [], "remove": []}
    cues = sorted([(m.start(), m.end(), k) for m, k in ((add, "add"), (remove, "remove")) if m])
    for i, (s0, e0, k) in enumerate(cues):
        # the places a cue names: after it ("shall include France"), or before it ("Japan is added to the Territory")
        end = cues[i + 1][0] if i + 1 < len(cues) else len(u.text)
        after = re.split(r"[.;]", u.text[e0:end])[0]
        names = territory_codes(re.sub(r"\bTerritory\b", "", after))["include"]
        if not names and not u.text[s0:e0].lower().startswith("territory"):
            names = territory_codes(re.split(r"[.;:]", u.text[:s0])[-1])["include"]
        delta[k] += [c for c in names if c not in delta[k]]
    if not delta["add"] and not delta["remove"]:
        return None
    return {"include": [], "exclude": [], "delta": delta}, u.text[cues[0][0]: min(len(u.text), cues[-1][1] + 80)].split(".")[0]


_EXCLUSIVE = re.compile(
    r"(?<!non-)(?<!non- )(?<!non )\b(?:sole\s+and\s+)?exclusive(?:,?\s+(?:[\w-]+,?\s+){0,4}?)"
    r"(?:rights?|licen[cs]es?|distributor|partner|sponsor\w*|supplier|provider|agent|representative|relationship|reseller|"
    r"administrator|publisher|licensee|appointment|basis|dealer|endorse\w*|designation|recording|services|songwriter|"
    r"writer|artist|producer|manager|territory|marketing|promot\w*|supply|purchas\w*|sale|sell\w*)\b(?!\s+of\s+ownership)"
    r"|\bexclusively\s+(?:and\s+\w+\s+)?(?:with|through|from|to|for|by)\s+(?!the\s+laws|reference)", re.I)
_NOT_EXCLUSIVITY = re.compile(r"\bexclusive\s+(?:owner|ownership|property|conduct|authority|control|jurisdiction|venue|forum|remed\w*|"
                              r"right\s+to\s+(?:institute|bring|control|defend|prosecute|enforce|change|terminate|approve|determine|apply))"
                              r"|\bexclusive\s+rights?\s+of\s+ownership|\bcourts?\b[^.;]{0,40}\bexclusive|\bexclusive\b[^.;]{0,30}\bcourts?\b", re.I)
_RESTRICT = re.compile(r"\b(?:shall|will|may)\s+not\b[^.;]{0,80}\b(?:record|perform|render|endorse|grant|licen[cs]e|appoint|sell|"
                       r"distribute|promote|sponsor|work|engage|provide|enter\s+into|represent|manufacture|market|purchase|buy|use|"
                       r"make\s+any\s+appearances?)\w*\b[^.;]{0,120}"
                       r"\b(?:any\s+(?:other\s+)?(?:person|party|company|entity|third\s+part\w*|competitor|brand)|other\s+than|"
                       r"anyone\s+(?:else|other)|any\s+other\s+\w+)|"
                       r"\b(?:agrees?|undertakes?)\s+not\s+to\b[^.;]{0,120}\b(?:other\s+than|anyone\s+(?:else|other)|any\s+other\s+\w+|"
                       r"any\s+(?:person|party|company|entity|third\s+part\w*|competitor))|"
                       r"\b(?:shall|will)\s+be\s+prohibited\s+from\b[^.;]{0,160}\b(?:other\s+than|any\s+(?:other\s+)?(?:entity|person|party|company))", re.I)
# Under a heading that says it is about exclusivity, a promise not to license or grant to anyone
# for a field of use ("7. EXCLUSIVITY  Licensor shall not license the Master for use in advertising
# for breakfast cereals") is the exclusivity, though it names no "other person".
_EXCLUSIVITY_HEADING = re.compile(r"(?<!non-)(?<!non )\bexclusiv\w*|\bnon-?\s?compet\w*|\bcompeting\s+(?:products?|brands?|uses?)\b", re.I)
_WITHHOLD = re.compile(r"\b(?:shall|will|may|must)\s+not\b(?!\s+be\s+(?:prevented|restricted|limited|precluded|obliged|required))[^.;]{0,60}?\b(?:licen[cs]e|grant|authori[sz]e|permit|allow|sell|supply|"
                       r"exploit|make\s+available)\w*\b[^.;]{0,200}|\b(?:agrees?|undertakes?)\s+not\s+to\s+(?:licen[cs]e|grant|authori[sz]e|"
                       r"permit|allow|exploit)\w*\b[^.;]{0,200}", re.I)
_NAMED = re.compile(r"(?:\s+[A-Z][\w-]*){0,4}\s+(?:Agreement|AGREEMENT|Licen[cs]e|LICEN[CS]E|Contract|CONTRACT)\b")  # "Exclusive Recording Agreement"
_NON_EXCLUSIVE = re.compile(r"\bnon-?\s?exclusive\b", re.I)
RECITAL_LIKE = re.compile(r"^\W*(?:[A-H]\.|\([A-H]\))\s+[^.]{0,80}\b(?:desires?|wishes|is\s+(?:engaged|recognized|a\b)|owns|has\s+(?:developed|acquired))\b"
                           r"|\b(?:desires?|wishes)\s+to\s+(?:obtain|appoint|grant|engage|acquire|enter)\b|\bis\s+desirous\s+of\b", re.I)


def read_exclusivity(us: list[ContractUnit], modifier: str | None) -> Value | None:
    """Whether the deal is exclusive: an exclusive grant or appointment ("exclusive digital
    distributor", "exclusive licence", dealing "exclusively through" a party), or a covenant
    to deal with no one else; else a non-exclusive grant. Not "exclusive owner", "exclusive
    jurisdiction" or an exclusive right to sue: those are about something else."""
    best = Best()
    for u in us:
        if not is_operative(u) or u.role in ("definition", "preamble") or RECITES.search(u.text) or len(u.text) > MAX_UNIT \
                or RECITAL_LIKE.search(u.text):
            continue
        if modifier is not None and not CHANGE.search(u.text):
            continue
        m = next((x for x in _EXCLUSIVE.finditer(u.text) if not _NAMED.match(u.text, x.end())
                  and not _NOT_EXCLUSIVITY.search(u.text[max(0, x.start() - 40): x.end() + 40])), None)
        restrict = _RESTRICT.search(u.text)
        if restrict and re.search(r"\bwithout\b[^.;]{0,60}\b(?:consent|approval)\b", u.text, re.I):
            restrict = None  # "will not sublicense ... without consent": a consent rule, not exclusivity
        if m:
            grant = bool(re.search(r"\bgrant\w*|\bappoint\w*|\blicen[cs]e\b|\bengage\w*", u.text, re.I))
            phrase = re.split(r"[.,;:(]|\s(?:of|in|to|for|throughout|during|and)\s", u.text[m.start(): m.start() + 80])[0]
            phrase = " ".join(phrase.split()[:5])
            value = make_value("exclusivity", f"exclusive ({phrase})", {"exclusive": True}, u, fact=m.group(0))
            score = 2.0 + grant
        elif restrict:
            value = make_value("exclusivity", "exclusive (a covenant not to deal with others)", {"exclusive": True}, u,
                           fact=restrict.group(0))
            score = 2.0
        elif _EXCLUSIVITY_HEADING.search(u.heading or "") and (held := _WITHHOLD.search(u.text)) \
                and not re.search(r"\bwithout\b[^.;]{0,60}\b(?:consent|approval)\b", held.group(0), re.I):
            value = make_value("exclusivity", "exclusive (no licence to others for the uses the clause names)", {"exclusive": True}, u,
                               fact=held.group(0).strip())
            score = 1.8
        elif _NON_EXCLUSIVE.search(u.text) and re.search(r"\bgrant\w*|\blicen[cs]e\b|\bappoint", u.text, re.I):
            value = make_value("exclusivity", "non-exclusive", {"exclusive": False}, u, fact=_NON_EXCLUSIVE.search(u.text).group(0))
            score = 0.5
        else:
            continue
        best.offer(score, u, value)
    return best.value


_GRANT = re.compile(r"\b(?:hereby\s+)?grants?\s+(?:and\s+\w+\s+)?(?:to\s+)?(?:the\s+|each\s+|its\s+)?[\w-]+[^.;]{0,200}?\b(?:licen[cs]es?|rights?|permission)\b|"
                    r"\bis\s+(?:hereby\s+)?granted\b[^.;]{0,60}\b(?:licen[cs]es?|rights?)\b|\b(?:licen[cs]es?|rights?)\b[^.;]{0,60}\bis\s+(?:hereby\s+)?granted\b|"
                    r"\bhereby\s+(?:licen[cs]es|authori[sz]es|sublicenses)\b|"
                    r"\bappoints?\b[^.;]{0,120}?\bas\s+(?:its|the|his|her|their)\b[^.;]{0,60}\b(?:distributor|agent|representative|administrator|"
                    r"publisher|licensee|reseller|dealer|partner|sponsor|supplier|manager)\b|"
                    r"\bassigns?\s+to\s+the\b[^.;]{0,60}\bcopyright\b", re.I)
_NO_GRANT = re.compile(r"\bno\s+(?:other\s+)?(?:licen[cs]e|right)s?\b[^.;]{0,80}\bgranted\b|\bnothing\b[^.;]{0,100}\bgrant|"
                       r"\b(?:not|never)\s+(?:be\s+)?(?:deemed|construed)\b[^.;]{0,60}\bgrant|\b(?:shall|will|does|do|may)\s+not\b[^.;]{0,60}\bgrant|"
                       r"\bagrees?\s+not\s+to\s+grant|\bexcept\s+as\s+expressly\b|\breserved\b|\bauthority\s+to\s+grant|"
                       r"\bright\s+to\s+grant\b|\bwarrants?\b|\bwarrant\s+\(", re.I)
MAX_GRANTS = 3


def read_grants(us: list[ContractUnit], modifier: str | None) -> list[Value]:
    """The rights the agreement grants: each operative clause that grants a licence or rights,
    appoints a party as its distributor or agent, or assigns copyright (up to MAX_GRANTS, in
    order). Not a heading, a recital, a refusal ("no licence is granted"), a warranty of the
    power to grant, or a reservation."""
    out: list[Value] = []
    for u in us:
        if not is_operative(u) or u.role == "definition" or RECITES.search(u.text) or len(u.text) > MAX_UNIT \
                or RECITAL_LIKE.search(u.text) or len(u.text.split()) < 8:
            continue
        m = _GRANT.search(u.text)
        if not m or _NO_GRANT.search(u.text):
            continue
        if modifier is not None and not CHANGE.search(u.text):
            continue
        phrase = " ".join(u.text[m.start(): m.start() + 160].split())
        cut = re.search(r"[.;:](?:\s|$)", phrase)
        phrase = phrase[: cut.start()] if cut else phrase.rsplit(" ", 1)[0] + " …"
        out.append(make_value("grant", phrase, {"text": phrase}, u, fact=m.group(0), slot=f"grant {len(out) + 1}"))
        if len(out) >= MAX_GRANTS:
            break
    return out
