"""Changes named by clause: a changing clause that names the agreement's clause it changes
("The rate set out in clause 6.1 is increased to 24%") is kept as a "change" with the clauses it
names; the register gives it to the term the agreement states in that clause (``resolve_change``).
"""

from __future__ import annotations

import re
from typing import Any

from assistant.contracts import dates as datecalc
from assistant.contracts.clauses import MAX_UNIT, ContractUnit, changed_fact, fresh_facts, make_value, refs_in
from assistant.contracts.model import Value
from assistant.contracts.rules.identity import unit_dates
from assistant.contracts.rules.money import parse_percent
from assistant.contracts.rules.term import NOTICE_WORD
from assistant.contracts.values import money_text, parse_duration, parse_money
from assistant.text.changes import RECITES, VARIES
from ingest import families

# -- changes named by clause ------------------------------------------------------------------------
# A changing clause that names the agreement's clause it changes ("The rate set out in clause 6.1 is
# increased to 24%", "the notice period in paragraph 1(b) is changed to three (3) months") may not
# use the term's own words: its new value is kept as a "change" with the clauses it names, and the
# register gives it to the term the agreement states in that clause (``resolve_change``).
_DATED_BEFORE = re.compile(r"\b(?:dated|made|signed|executed|of)\s+(?:as\s+of\s+)?(?:the\s+)?$", re.I)


def read_changes(us: list[ContractUnit], text: str) -> list[Value]:
    out: list[Value] = []
    for u in us:
        # not a recital; a clause headed "Notice" or "Term" may look like boilerplate and still change the deal
        if u.role == "recital" or RECITES.search(u.text) or len(u.text) > MAX_UNIT or not VARIES.search(u.text):
            continue
        refs = refs_in(u.text)
        if not refs:
            continue
        found: list[tuple[str, Any, Any, str]] = []
        dates = [d for d in unit_dates(u) if not re.search(r"(?:with\s+effect\s+from|effective\s+(?:as\s+of|from|on)|as\s+(?:from|of)|after|before|by)\s+(?:the\s+)?$",
                                   u.text[max(0, d[0] - 40):d[0]], re.I)
                 and not _DATED_BEFORE.search(u.text[max(0, d[0] - 30):d[0]])]
        dates = fresh_facts(u, dates)
        if dates:
            d = changed_fact(u, dates)
            found.append(("date", d[2], u.text[d[0]:d[1]], families.human_date(d[2])))
        percents = fresh_facts(u, [f for f in u.of("percent") if "%" in f.text or re.search(r"per\s?cent|percent", f.text, re.I)])
        if percents:
            f = changed_fact(u, percents)
            pct = parse_percent(f.text)
            if pct is not None and pct <= 100:
                found.append(("percent", pct, f.text, f"{pct:g}%"))
        money = fresh_facts(u, u.of("money"))
        if money:
            f = changed_fact(u, money)
            parsed = parse_money(f.text)
            if parsed:
                found.append(("money", parsed, f.text, money_text(parsed)))
        durations = fresh_facts(u, [f for f in u.of("duration") if parse_duration(f.text) is not None])
        if durations:
            f = changed_fact(u, durations)
            dur = parse_duration(f.text)
            found.append(("duration", dur.as_dict(), f.text, dur.text()))
        for kind, new, fact, shown in found:
            notice = bool(NOTICE_WORD.search(u.text))
            out.append(make_value("changes", f"clause {', '.join(refs)}: {shown}",
                              {"refs": refs, "kind": kind, "new": new, "notice": notice}, u, fact=fact))
    return out


def _ref_matches(named: str, ref: str) -> bool:
    return bool(ref) and (ref == named or ref.startswith(named + ".") or ref.startswith(named + "("))


CHANGE_KEYS = {"date": ("expiry",), "percent": ("royalties",), "money": ("advances",),
               "duration": ("renewal_notice", "renewal", "retention"), "territory": ("territory",)}


def change_targets(change: Value, earlier: list[Value]) -> list[Value]:
    """The values of ``earlier`` documents a change names by clause: stated in the clause it
    names (or one clause under it, when only one value of the change's kind is there)."""
    ch = change.value or {}
    keys = CHANGE_KEYS.get(ch.get("kind"), ())
    if ch.get("kind") == "duration":
        keys = ("renewal_notice",) if ch.get("notice") else ("renewal", "retention")
    named = ch.get("refs") or []
    candidates = [v for v in earlier if v.key in keys and v.clause is not None]
    exact = [v for v in candidates if v.clause.ref in named]
    if exact:
        return exact[-1:]
    under = [v for v in candidates if any(_ref_matches(n, v.clause.ref) for n in named)]
    if len({(v.key, v.slot) for v in under}) == 1:
        return under[-1:]
    return []


def resolve_change(change: Value, target: Value) -> Value | None:
    """The value a change (``read_changes``) gives the term ``target`` states, normalised like it."""
    ch = change.value or {}
    kind, new = ch.get("kind"), ch.get("new")
    old = target.value if isinstance(target.value, dict) else {}
    kw = dict(slot=target.slot, fact=change.fact, effective=change.effective)
    if target.key == "expiry" and kind == "date":
        return Value("expiry", families.human_date(new), new, change.clause, **kw)
    if target.key == "royalties" and kind == "percent" and old.get("percent") is not None:
        value = {"percent": new, "base": old.get("base", ""), "income": old.get("income", "all income")}
        text = f"{new:g}%" + (f" of {value['base']}" if value["base"] else "") + f" ({value['income']})"
        return Value("royalties", text, value, change.clause, **kw)
    if target.key == "advances" and kind == "money":
        value = {**new, "currency": new.get("currency") or old.get("currency")}
        return Value("advances", money_text(value), value, change.clause, **kw)
    if kind == "duration" and target.key in ("renewal_notice", "renewal", "retention"):
        dur = datecalc.Duration.from_dict(new)
        if target.key == "renewal_notice":
            value = {"period": new, "before": old.get("before", "end of the then-current period")}
            return Value("renewal_notice", f"{dur.text()} before the end of the then-current period", value, change.clause, **kw)
        if target.key == "renewal" and old.get("period"):
            value = {**old, "period": new}
            how = "automatically" if old.get("automatic") else "by option or agreement"
            return Value("renewal", f"renews {how} for periods of {dur.text()}", value, change.clause, **kw)
        if target.key == "retention" and old.get("period"):
            value = {**old, "period": new}
            return Value("retention", f"{dur.text()} after the {old.get('after') or 'end of the Term'}", value, change.clause, **kw)
    return None


def apply_territory(before: dict, change: dict) -> dict:
    """A territory after a change that adds or removes places ("the Territory shall include
    France"): the World excluding Japan, plus Japan, is the World."""
    delta = change.get("delta") or {}
    include = list(before.get("include") or [])
    exclude = list(before.get("exclude") or [])
    for code in delta.get("add", []):
        if code in exclude:
            exclude.remove(code)
        elif code not in include and "WW" not in include:
            include.append(code)
    for code in delta.get("remove", []):
        if code in include:
            include.remove(code)
        elif code not in exclude:
            exclude.append(code)
    return {"include": include, "exclude": exclude, "names": before.get("names", [])}
