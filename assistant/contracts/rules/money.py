"""Rules for the money and the rights' lifetime: royalties by income type, advances,
recoupment, minimum commitment, retention and reversion.
"""

from __future__ import annotations

import re

from assistant.contracts.clauses import MAX_UNIT, Best, ContractUnit, changed_fact, fresh_facts, is_operative, make_value
from assistant.contracts.model import Value
from assistant.contracts.rules.territory import RECITAL_LIKE
from assistant.contracts.values import money_text, number_in, parse_duration, parse_money, words_number
from assistant.text.changes import CHANGE, RECITES, VARIES

# -- money: royalties, advances, recoupment, minimum commitment --------------------------------------
_ROYALTY_CUE = re.compile(r"\broyalt\w*|\brevenue\s+shar\w*|\bprofit\s+shar\w*|\bshare\s+of\b|\b(?:net|gross)\s+(?:receipts|revenues?|sales|income|profits?)\b|"
                          r"\bppd\b|\bdealer\s+price\b|\bcommission\b|\b(?:distribution|administration|management|publishing|"
                          r"sub-?publish\w*|admin)\s+fee\b|\bof\s+(?:all\s+)?(?:receipts|revenues?|income|sums|monies|profits?)\b|"
                          r"\b(?:retain|collect)\w*\b[^.;]{0,40}%|\bof\s+(?:the\s+)?(?:[A-Z][\w-]*\s+){1,2}(?:Income|Receipts|Revenues?)\b|"
                          r"\broyalty\s+rate\b|\bshares?\s+of\s+income\b", re.I)
# ... or a clause that states the rate outright: "Streaming royalties are twenty-five per cent (25%) of Net Receipts"
_ROYALTY_VERB = re.compile(r"\b(?:pay|paid|payable|credit\w*|retain\w*|receive\w*|entitled|shar\w*|split|bear|accru\w*|due|keep)\b|"
                           r"\broyalt(?:y|ies)(?:\s+rates?)?\s+(?:is|are|shall\s+be|will\s+be)\s+(?:\w+[\s-]+){0,6}?\(?\d", re.I)
_ROYALTY_AVOID = re.compile(r"\binterest\b|\blate\s+(?:payment|charge)|\boverdue\b|\bdiscount\w*|\bvat\b|\btax\w*|\bwithholding\b|"
                            r"\binsurance\b|\bliabilit\w*|\bdamages\b|\bunderpay\w*|\bmargin\s+of\s+error|\bvariance\b|\bdeviation\b|"
                            r"\bequity\b|\bshares\s+of\s+(?:common\s+)?stock|\bvoting\b|\boutstanding\s+shares|\bownership\s+interest|"
                            r"\bnot\s+exceeding\b|\bthreshold\b|\bpenalt\w*|\bdeposit\b|\bassigns?\b|\bcopyright\b", re.I)
_INCOME = [
    ("streaming", re.compile(r"\bstream\w*", re.I)), ("downloads", re.compile(r"\bdownload\w*", re.I)),
    ("synchronisation", re.compile(r"\bsynch?\w*\b|\bsynchroni[sz]ation", re.I)),
    ("mechanical", re.compile(r"\bmechanical\w*", re.I)),
    # a manager's or agent's rate on shows: "commission on live performance income", "touring income"
    ("live", re.compile(r"\blive\s+(?:performance\s+|show\s+|concert\s+)?(?:income|earnings|fees|receipts|shows?|concerts?|performances?|engagements?)\b|"
                        r"\btouring\b|\b(?:Net|Gross)\s+Live\b", re.I)),
    ("performance", re.compile(r"\b(?:public\s+)?perform\w*\s+(?:income|royalt\w*|rights)|\bperformance\b", re.I)),
    ("print", re.compile(r"\bprint\w*\b|\bsheet\s+music\b", re.I)),
    ("neighbouring rights", re.compile(r"\bneighbou?ring\s+rights\b", re.I)),
    ("merchandising", re.compile(r"\bmerch\w*", re.I)),
    ("local covers", re.compile(r"\blocal\s+covers?\b", re.I)),
    ("audiovisual", re.compile(r"\baudio-?visual\b|\bmusic\s+videos?\b", re.I)),
    ("other income", re.compile(r"\bother\s+income\b|\bany\s+other\s+use\b", re.I)),
    ("physical", re.compile(r"\bphysical\b|\bppd\b|\brecords\s+sold\b|\bvinyl\b|\bcds?\b", re.I)),
    ("distribution fee", re.compile(r"\bdistribution\s+fee\b", re.I)),
    ("administration fee", re.compile(r"\badministration\s+fee\b|\badmin\s+fee\b", re.I)),
    ("commission", re.compile(r"\bcommission\b", re.I)),
    ("digital", re.compile(r"\bdigital\b", re.I)),
]


INCOME_TYPES = _INCOME  # (name, pattern), most specific first


def income_type(text: str, *more: str) -> str:
    """The income a rate applies to, from the first of ``text``, ``more`` that names one
    ("streaming", "physical", "synchronisation", "distribution fee" ...): a clause's own label
    before its figure, then its heading, then its other words; "all income" when none does."""
    for part in (text, *more):
        for name, pattern in _INCOME:
            if pattern.search(part):
                return name
    return "all income"


def parse_percent(text: str) -> float | None:
    m = re.search(r"\(\s*(\d+(?:\.\d+)?)\s*%\s*\)", text) or re.search(r"(\d+(?:\.\d+)?)\s*(?:%|per\s?cent|percent)", text, re.I) \
        or re.search(r"(\d+(?:\.\d+)?)\s*\)?\s+(?:percentage\s+|royalty\s+)?points?\b", text, re.I)  # "three (3) points": 3%
    if m:
        return float(m.group(1))
    n = words_number(re.split(r"per\s?cent|percent|\s(?:percentage\s+|royalty\s+)?points?\b", text, flags=re.I)[0])
    return float(n) if n is not None else None


_PER_UNIT = re.compile(r"\b(?:per|for\s+each|on\s+each|each)\s+(?:unit|item|copy|product|record|stream|download|sale|user|"
                       r"activated\s+user|bottle|piece|[\w-]+\s+sold)\b", re.I)
_RATE_WORDS = re.compile(r"\broyalt\w*\b[^.;]{0,80}\b(?:equal\s+to|at\s+(?:the\s+)?(?:rate|percentage)|calculated|based\s+on|determined\s+by|"
                         r"tiered|of\s+(?:net|gross)|on\s+(?:net|gross)|in\s+the\s+form\s+of|payable\s+on)\b"
                         r"|\b(?:revenue|profit)[-\s]shar\w*|\bshare\s+of\s+(?:the\s+)?(?:net|gross)?\s*(?:revenues?|profits?|receipts|proceeds|income)\b"
                         r"|\b(?:fee|commission|payment)\s+(?:equal\s+to|based\s+on|calculated\s+(?:as|on))\b[^.;]{0,80}\b(?:net|gross)\s+(?:sales|revenues?|receipts|profits?)",
                         re.I)


def read_royalties(us: list[ContractUnit], modifier: str | None) -> list[Value]:
    """Royalty rates, revenue shares and fees retained, one per income type (the first clause
    that states each): a percentage of a base ({"percent", "base", "income"}), an amount per
    unit sold ({"amount", "currency", "per"}), or, where the contract states no figure at all, a
    royalty whose rate is stated only by reference or redacted ({"rate": None}: the clause is
    cited, the figure is not guessed)."""
    out: dict[str, Value] = {}
    unfigured: dict[str, Value] = {}
    for u in us:
        if not is_operative(u) or u.role == "definition" or RECITES.search(u.text) or len(u.text) > MAX_UNIT \
                or RECITAL_LIKE.search(u.text):
            continue
        if _ROYALTY_AVOID.search(u.text):
            continue
        varies = modifier is not None and bool(VARIES.search(u.text))
        if modifier is not None and not (varies or re.search(r"\broyalt", u.text, re.I)):
            continue
        percents = [f for f in u.of("percent") if "%" in f.text or re.search(r"per\s?cent|percent|\bpoints?\b", f.text, re.I)]
        if varies:
            percents = fresh_facts(u, percents)  # "deleting the words "60%" and substituting "70%"": 70%
        first = u.text.find(percents[0].text) if percents else len(u.text)
        income = income_type(u.text[:first], u.heading, u.text)
        if income in out:
            continue
        # "(b) Synchronization income: fifty percent (50%) of net receipts." under ROYALTIES: its verb is in the lead-in
        listed = bool(re.search(r"\broyalt", u.heading or "", re.I) and re.match(r"\W*\([a-z0-9]{1,4}\)\s*[\w\s/&-]{2,40}:", u.text))
        if percents and _ROYALTY_CUE.search(u.scope) and (_ROYALTY_VERB.search(u.text) or varies or listed):
            f = changed_fact(u, percents)
            pct = parse_percent(f.text)
            if pct is None or pct > 100 or (pct == 100 and not re.search(r"\broyalt", u.text, re.I)):
                continue  # 100% of a share is who owns it, not a rate
            if re.search(r"\bno\s+royalt\w*\s+(?:shall|will|is)\s+(?:be\s+)?(?:payable|paid|due)", u.text, re.I):
                continue
            base = re.search(r"\bof\s+(?:the\s+)?((?:[A-Z][\w'-]*\s*){1,4}|(?:net|gross)\s+\w+|all\s+\w+)", f.text)
            value = {"percent": pct, "base": base.group(1).strip() if base else "", "income": income}
            text = f"{pct:g}%" + (f" of {value['base']}" if value["base"] else "") + f" ({income})"
            out[income] = make_value("royalties", text, value, u, slot=income, fact=f.text)
            continue
        if not re.search(r"\broyalt\w*|\brevenue|\bprofit|\bnet\s+sales\b|\bproceeds\b", u.scope, re.I) or not _ROYALTY_VERB.search(u.text):
            continue
        money = u.of("money")
        per = _PER_UNIT.search(u.text)
        if money and per and re.search(r"\broyalt\w*|\bdonat\w*|\bshare\b", u.text, re.I):
            parsed = parse_money(money[0].text) or {}
            value = {**parsed, "per": per.group(0), "income": income}
            text = f"{money_text(parsed)} {per.group(0)} ({income})"
            out[income] = make_value("royalties", text, value, u, slot=income, fact=money[0].text)
        elif (rate := _RATE_WORDS.search(u.text)) and re.search(r"\bpa(?:y|id|yable)\b|\bowe\b|\bdue\b|\bshare\b", u.text, re.I):
            if income not in unfigured:
                unfigured[income] = make_value("royalties", f"rate not stated in figures: {' '.join(rate.group(0).split())[:80]} ({income})",
                                           {"rate": None, "income": income}, u, slot=income, fact=rate.group(0))
    if not out:  # a royalty only described ("tiered royalties based on Net Sales as set forth below"): cite it
        out = unfigured
    return list(out.values())


_ADVANCE = re.compile(r"\b(?<!\bin\s)(?<!\bin\s\s)advances?\b(?!\s+notice\b)|\bsigning\s+(?:fee|bonus)\b|\bminimum\s+guarantee\b|\bguaranteed\s+(?:payment|minimum)\b", re.I)
_TOTAL = re.compile(r"\btotal\b|\baggregate\b|\bin\s+all\b", re.I)
_FURTHER = re.compile(r"\b(?:further|additional|another|extra|second|supplementary)\s+(?:non-returnable\s+|recoupable\s+)?advance", re.I)


_ADVANCE_OF = re.compile(r"\badvances?\s+(?:of|in\s+the\s+(?:sum|amount)\s+of|totall?ing|equal\s+to|amounting\s+to)\s*$", re.I)


def read_advances(us: list[ContractUnit], modifier: str | None) -> Value | None:
    """The advance: the clause paying one ("an advance of £45,000"), its amount (a stated total
    wins); a modifier's "further advance" adds to the agreement's (mode "add"). A budget or a
    fee that is merely treated as an advance ranks below a clause that pays one."""
    best = Best()
    for u in us:
        if not is_operative(u) or u.role == "definition" or RECITES.search(u.text) or len(u.text) > MAX_UNIT:
            continue
        m = _ADVANCE.search(u.text)
        if not m:
            continue
        money = u.of("money")
        if not money:
            continue
        if modifier is not None and not (_FURTHER.search(u.text) or _TOTAL.search(u.text) or CHANGE.search(u.text)):
            continue  # "the advance of £12,000 under clause 5.1 will be paid": a reminder, not a change
        total = _TOTAL.search(u.text)
        paid = [f for f in money if _ADVANCE_OF.search(u.text[max(0, u.text.find(f.text) - 60):u.text.find(f.text)])]
        if total:
            after = [f for f in money if u.text.find(f.text) > total.start()]
            chosen, mode = (after[0] if after else money[-1]), "set"
        else:
            near = paid or [f for f in money if u.text.find(f.text) >= m.start()]
            chosen = near[0] if near else money[0]
            mode = "add" if _FURTHER.search(u.text) and modifier is not None else "set"
        parsed = parse_money(chosen.text)
        if parsed is None:
            continue
        label = money_text(parsed)
        text = f"{'+ ' if mode == 'add' else ''}{label}" + (" (total)" if total else "")
        score = 1.0 + 2 * bool(paid or total) + bool(re.search(r"\badvance", u.heading, re.I)) \
            - bool(re.search(r"\bbudget\b|\btreated\s+as\b|\bdeemed\b", u.text, re.I))
        best.offer(score, u, make_value("advances", text, parsed, u, mode=mode, fact=chosen.text))
    return best.value


_RECOUP = re.compile(r"\brecoup\w*|\bnon-?recoupable\b", re.I)


def read_recoupment(us: list[ContractUnit], modifier: str | None) -> Value | None:
    """Whether advances are recoupable (and returnable): "recoupable from Royalties but not
    returnable"."""
    for u in us:
        if not is_operative(u) or RECITES.search(u.text) or len(u.text) > MAX_UNIT:
            continue
        m = _RECOUP.search(u.text)
        if not m:
            continue
        if modifier is not None and not CHANGE.search(u.text):
            continue
        recoupable = not re.search(r"\bnon-?recoupable\b|\bnot\s+(?:be\s+)?recoup", u.text, re.I)
        returnable = None
        if re.search(r"\bnon-?returnable\b|\bnot\s+(?:be\s+)?returnable\b|\bnot\s+repayable\b", u.text, re.I):
            returnable = False
        source = re.search(r"\brecoup\w*\s+(?:only\s+)?(?:from|out\s+of|against)\s+((?:(?!\s(?:but|and|in\s+accordance|under|as)\s)[^.;,]){3,60})", u.text, re.I)
        text = ("recoupable" + (f" from {source.group(1).strip()}" if source else "")) if recoupable else "not recoupable"
        if returnable is False:
            text += ", not returnable"
        return make_value("recoupment", text, {"recoupable": recoupable, "returnable": returnable,
                                           "from": source.group(1).strip() if source else ""}, u, fact=m.group(0))
    return None


_MINIMUM = re.compile(r"\bminimum\s+(?:commitment|purchase|order|guarantee|volume|quantit\w*|sales|royalt\w*|payment|spend\w*|"
                      r"annual|number|requirement\w*|amount|fee|performance|target|goals?)|\bminimum\s+[A-Z][\w ]{0,30}\b(?:Commitment|Requirements?|Details|Quantity)|"
                      r"\b(?:a|at\s+a)\s+minimum\s+of\b|\bat\s+(?:a\s+)?minimum\b|\bMOQ\b|"
                      r"\b(?:record|deliver|write|compose|produce)\w*\s+(?:and\s+deliver\s+)?(?:not\s+less\s+than\s+|at\s+least\s+)?"
                      r"\w+(?:[\s-]\w+)?\s+\(\d+\)\s+(?:new\s+|studio\s+|full-length\s+)?(?:albums?|singles?|masters?|records?|"
                      r"compositions?|songs?|tracks?|EPs?)\b|\b(?:spend|purchase|order|buy)\w*\s+(?:at\s+least|not\s+less\s+than|"
                      r"a\s+minimum\s+of)\b|\bat\s+least\s+\w+(?:[\s-]\w+)?\s+\(\d+\)\s+(?!(?:business\s+|calendar\s+)?(?:days?|weeks?|months?|years?)\b)", re.I)
_QUANTITY = re.compile(r"\b((?:\w+(?:[\s-]\w+)?\s+)?\(\d+\)|\d[\d,]*)\s+(?:new\s+|studio\s+|full-length\s+|additional\s+|dedicated\s+|\"?)?"
                       r"(albums?|singles?|masters?|records?|compositions?|songs?|tracks?|EPs?|units?|times|e-?blasts?|pieces?|users?|"
                       r"appearances?|posts?|days?|orders?|copies|Service\s+Days)\b", re.I)
_NOT_MINIMUM = re.compile(r"\blogo\b|\bfont\b|\bpixels?\b|\bdpi\b|\bage\b|\binsurance\b|\bnotice\b|\bliabilit\w*|\binterest\b|\bcure\b", re.I)


def read_minimum_commitment(us: list[ContractUnit], modifier: str | None) -> Value | None:
    """The minimum the agreement commits a party to: albums or works to deliver, units, orders
    or appearances, an amount to buy, spend or pay; a defined minimum ("the Minimum
    Requirements") cited even where its figures are in a schedule."""
    best = Best()
    for u in us:
        if not is_operative(u) or RECITES.search(u.text) or len(u.text) > MAX_UNIT or RECITAL_LIKE.search(u.text):
            continue
        m = _MINIMUM.search(u.text) or _MINIMUM.search(u.scope)
        if not m or _NOT_MINIMUM.search(u.text):
            continue
        if modifier is not None and not CHANGE.search(u.text):
            continue
        quantities = [q for q in _QUANTITY.finditer(u.text)
                      if not (re.match(r"days?$", q.group(2), re.I) and re.search(r"\b(?:within|after|before|prior|following)\b",
                                                                                   u.text[max(0, q.start() - 30): q.end() + 30], re.I))]
        money = u.of("money")
        if quantities:
            q = quantities[-1] if len(quantities) > 1 and CHANGE.search(u.text) else quantities[0]
            n = number_in(q.group(1))
            value = {"quantity": int(n) if n is not None and float(n).is_integer() else n, "unit": q.group(2).lower()}
            text, fact = " ".join(q.group(0).split()), q.group(0)
        elif money:
            f = changed_fact(u, money)
            value = parse_money(f.text) or {}
            text, fact = money_text(value) if value else f.text, f.text
        elif re.search(r"\bminimum\s+[A-Z]|\bMOQ\b|\bminimum\s+(?:performance|requirement|purchas|order)", u.scope):
            value, text, fact = {"quantity": None}, f"{' '.join(m.group(0).split())} (figures not stated here)", m.group(0)
        else:
            continue
        if not re.search(r"\bshall\b|\bwill\b|\bmust\b|\bagrees?\b|\brequire\w*|\bcommit\w*|\bmeans\b|\bguarantee\w*|\bmeet\b|\bfails?\b", u.text, re.I):
            continue
        score = 2.0 + bool(re.search(r"\bminimum\b", u.scope, re.I)) - (0.5 if u.role == "definition" else 0)
        best.offer(score, u, make_value("minimum_commitment", text, value, u, fact=fact))
    return best.value


_RETENTION = re.compile(r"\bretention\s+period\b|\brevert\w*|\breversion\w*|\bre-?assign\w*\s+to\b|\bLicen[cs]e\s+Period\b|"
                        r"\bRights\s+Period\b|\bRetention\s+Period\b|\bowns?\b[^.;]{0,60}\bcopyright\b|\bretains?\s+the\s+(?:Compositions|Masters|rights|copyright)",
                        re.I)
_PERPETUAL = re.compile(r"\bin\s+perpetuity\b|\bperpetual(?:ly)?\b|\bfor\s+the\s+(?:full\s+)?(?:life|period|term)\s+of\s+(?:the\s+)?copyright\b", re.I)


# "fifteen (15) years from the date of this agreement": a retention counted from signing, not from the term's end
FROM_SIGNING = re.compile(r"\b(?:after|following|from)\s+(?:the\s+)?(?:date\s+(?:of\s+(?:this|the)\s+(?:agreement|contract|deed|assignment)|hereof)|"
                          r"Effective\s+Date|signature|execution)\b", re.I)


def read_retention(us: list[ContractUnit], modifier: str | None) -> Value | None:
    """How long the rights stay after the term, and so when they revert: "a retention period of
    twelve (12) years after the end of the Term" ({"period", "after": "end of the Term"}), "ends
    ten (10) years after the end of the Term"; {"perpetual": true} for the life of copyright."""
    best = Best()
    for u in us:
        if not is_operative(u) or u.role == "definition" and not re.search(r"\bRetention\s+Period\b", u.text) \
                or RECITES.search(u.text) or len(u.text) > MAX_UNIT:
            continue
        m = _RETENTION.search(u.scope)
        if not m:
            continue
        if modifier is not None and not CHANGE.search(u.text):
            continue
        rel = next((f for f in u.of("date") if re.search(r"\b(?:after|following|from)\s+(?:the\s+)?(?:end|expiry|expiration|termination)\b", f.text, re.I)
                    or FROM_SIGNING.search(f.text)), None)
        if rel is not None:
            dur = parse_duration(rel.text)
            if dur is None:
                continue
            found = re.search(r"\b(?:after|following|from)\s+(?:the\s+)?(.+)$", rel.text, re.I | re.S)
            after = " ".join(found.group(1).split()) if found else "end of the Term"
            value = {"period": dur.as_dict(), "after": after, "perpetual": False}
            score = 3.0 + bool(re.search(r"\bretention|\brevert", u.text, re.I))
            text = f"{dur.text()} after the {after}"
            fact = rel.text
        elif _PERPETUAL.search(u.text) and not re.search(r"\blicen[cs]e\s+to\s+use\b", u.text, re.I):
            fact = _PERPETUAL.search(u.text).group(0)
            value = {"period": None, "after": "", "perpetual": True}
            text, score = f"no reversion ({' '.join(fact.split())})", 1.0
        else:
            continue
        best.offer(score, u, make_value("retention", text, value, u, fact=fact))
    return best.value
