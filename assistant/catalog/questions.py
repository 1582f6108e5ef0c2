"""Catalog questions in the chat: recognised by pattern, answered from the records table.

"Which works does Mara Quinn have with us?", "how many recordings do we have?", "recordings of
Blue Hour", "which releases contain GB-NVR-24-00012?", "which works' shares don't total 100%?",
"which recordings on Album 3 lack an ISWC?", "works with an invalid IPI", "which works have
conflicting sources?". :func:`match` says which question it is (or None: anything else falls
through to retrieval); :func:`answer` runs it for one viewer. Answers are deterministic lists
and counts, each row a numbered source citing its file and lines.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from assistant.catalog.queries import Catalog, Result, Row

SHOWN = 20  # rows listed in a chat answer (the CLI lists all)

_KIND = r"(?P<kind>works?|songs?|compositions?|recordings?|tracks?|masters?|releases?|albums?|products?|records?)"
_ROLE = r"(?:(?:the\s+)?(?P<role>writer|songwriter|composer|lyricist|author|publisher|artist)\s+)?"
_SCHEME = r"(?P<scheme>ISWC|ISRC|IPI|UPC|EAN|barcode|CAE)s?"
_TAIL = r"(?:\s+(?:with us|in (?:our|the) catalog(?:ue)?|on file|do we have|we have|at the moment|currently))*"

KIND_WORDS = {"work": "work", "song": "work", "composition": "work", "recording": "recording", "track": "recording",
              "master": "recording", "release": "release", "album": "release", "product": "release", "record": None}
ROLE_WORDS = {"writer": "writer", "songwriter": "writer", "composer": "writer", "lyricist": "writer", "author": "writer",
              "publisher": "publisher", "artist": "artist"}
SCHEME_WORDS = {"EAN": "UPC", "BARCODE": "UPC", "CAE": "IPI"}


@dataclass
class Intent:
    name: str  # works_by | count | recordings_of | releases_with | shares | missing | invalid | conflicts
    args: dict[str, Any] = field(default_factory=dict)


PATTERNS: list[tuple[str, re.Pattern]] = [
    ("shares", re.compile(r"\b(?:shares?|splits?)\b.*\b(?:do not|don't|does not|doesn't|not|fail to|never)\s+"
                          r"(?:total|add up(?: to)?|sum(?: up)?(?: to)?|equal|come to|make)\b", re.I)),
    ("shares", re.compile(r"\b(?:shares?|splits?)\s+(?:that\s+)?(?:are\s+)?(?:not\s+)?(?:totall?ing|adding up to|summing to)\s+"
                          r"(?:other than|more than|less than|over|under)\s*100", re.I)),
    ("shares", re.compile(r"\b(?:wrong|bad|incomplete|broken|invalid)\s+(?:shares?|splits?)\b", re.I)),
    ("invalid", re.compile(rf"\b(?:invalid|wrong|bad|incorrect|malformed|broken)\s+{_SCHEME}\b", re.I)),
    ("invalid", re.compile(rf"\b{_SCHEME}\s+(?:numbers?\s+)?(?:with|that have|having|whose)?\s*(?:an?\s+)?(?:invalid|wrong|bad|failing)"
                           r"\s+check\s*digits?", re.I)),
    ("missing", re.compile(rf"^(?:which|what|list|show(?: me)?|find)?\s*(?:all\s+)?(?:the\s+)?{_KIND}\b(?P<middle>.*?)\b"
                           r"(?:are missing|is missing|missing|lack|lacks|lacking|without|have no|has no|with no|don't have|"
                           rf"do not have|doesn't have|does not have)\s+(?:an?\s+|any\s+|their\s+|its\s+)?{_SCHEME}\b", re.I)),
    ("conflicts", re.compile(r"\b(?:conflicts?|conflicting|disagree(?:s|ments?)?|discrepanc(?:y|ies)|inconsistenc(?:y|ies)|"
                             r"mismatch(?:es|ed)?)\b.*\b(?:works?|recordings?|sources?|split sheets?|cwr|ddex|registrations?|"
                             r"catalog(?:ue)?|files?|exports?)\b|\b(?:works?|recordings?|sources?|files?)\b.*\b(?:conflicts?|"
                             r"conflicting|disagree|discrepanc(?:y|ies)|mismatch(?:es)?)\b", re.I)),
    ("count", re.compile(rf"^how many\s+{_KIND}\s+(?:does|do|did|has|have)\s+{_ROLE}(?P<name>.+?)\s+"
                         r"(?:have|own|control|administer|publish|write|written|co-write|hold|record|recorded|got)\b.*$", re.I)),
    ("count", re.compile(rf"^how many\s+{_KIND}\s+(?:are\s+|were\s+|have been\s+)?(?:written\s+|composed\s+|published\s+|"
                         rf"recorded\s+|controlled\s+)?by\s+{_ROLE}(?P<name>.+?){_TAIL}$", re.I)),
    ("count", re.compile(rf"^how many\s+{_KIND}\s*(?:are there|do we have|are in (?:the|our) catalog(?:ue)?|"
                         r"in (?:the|our) catalog(?:ue)?|have we got|are registered|do we (?:own|control|hold))?\b[^a-z]*$", re.I)),
    ("recordings_of", re.compile(r"^(?:which|what|list|show(?: me)?|find)?\s*(?:are\s+)?(?:all\s+)?(?:the\s+)?"
                                 r"(?:recordings|versions|tracks|masters)\s+(?:are there\s+|exist\s+|do we have\s+|we have\s+)?"
                                 r"of\s+(?:the\s+)?(?:work|song|composition)?\s*(?P<ref>.+)$", re.I)),
    ("recordings_of", re.compile(r"^(?:who|which artists?)\s+(?:has|have)\s+recorded\s+(?:the\s+)?(?:work|song|composition)?\s*"
                                 r"(?P<ref>.+)$", re.I)),
    ("releases_with", re.compile(r"^(?:which|what|list|show(?: me)?|find)?\s*(?:all\s+)?(?:the\s+)?(?:releases|albums|products|"
                                 r"singles|eps)\s+(?:contain|contains|containing|include|includes|including|feature|featuring|"
                                 r"carry|carrying)\s+(?:the\s+)?(?:recording|track|song|isrc)?\s*(?P<ref>.+)$", re.I)),
    ("releases_with", re.compile(r"^(?:on\s+)?(?:which|what)\s+(?:releases|albums|products)\s+(?:is|was|does|did|has)\s+"
                                 r"(?:the\s+)?(?:recording|track|song)?\s*(?P<ref>.+?)(?:\s+(?:appear(?:ed)?|been released|"
                                 r"released|included|come out|on))*$", re.I)),
    ("works_by", re.compile(rf"^(?:which|what|list|show(?: me)?|give me|find)?\s*(?:all\s+)?(?:of\s+)?(?:the\s+)?"
                            r"(?:songs|works|compositions)\s+(?:do we have\s+|have we got\s+|are there\s+)?"
                            rf"(?:written\s+|composed\s+|co-written\s+|published\s+|controlled\s+|administered\s+)?by\s+{_ROLE}"
                            rf"(?P<name>.+?){_TAIL}$", re.I)),
    ("works_by", re.compile(rf"^(?:which|what)\s+(?:songs|works|compositions)\s+(?:does|do|did)\s+{_ROLE}(?P<name>.+?)\s+"
                            r"(?:have|own|control|administer|publish|write|co-write|hold)\b.*$", re.I)),
]


def _clean(text: str) -> str:
    text = re.sub(r"[?.!]+$", "", text.strip()).strip()
    text = re.sub(r"^[\"'“‘]|[\"'”’]$", "", text).strip()
    return text


def _kind(word: str | None) -> str | None:
    if not word:
        return None
    return KIND_WORDS.get(word.lower().rstrip("s"), None)


def match(question: str) -> Intent | None:
    """The catalog question ``question`` asks, or None (retrieval answers it)."""
    q = " ".join(_clean(question).split())
    if not q or len(q) > 300:
        return None
    for name, pattern in PATTERNS:
        m = pattern.search(q)
        if not m:
            continue
        g = {k: v for k, v in m.groupdict().items() if v}
        if name in ("missing", "invalid"):
            scheme = g["scheme"].upper()
            scheme = SCHEME_WORDS.get(scheme, scheme)
            kind = _kind(g.get("kind"))
            release = None
            where = re.search(r"\b(?:on|in|of|from)\s+(?:the\s+)?(?:release\s+)?(?P<r>.+?)\s*$",
                              g.get("middle", ""), re.I)
            if where and kind == "recording":
                release = _clean(where.group("r")) or None
            return Intent(name, {"scheme": scheme, "kind": kind if name == "missing" else None, "release": release})
        if name in ("shares", "conflicts"):
            return Intent(name)
        if name == "count":
            name_arg = _clean(g.get("name", "")) or None
            if name_arg and name_arg.lower() in ("we", "us", "you", "the company", "the label", "the catalog", "the catalogue"):
                name_arg = None
            return Intent("count", {"kind": _kind(g.get("kind")), "name": name_arg,
                                    "role": ROLE_WORDS.get((g.get("role") or "").lower())})
        if name == "works_by":
            who = _clean(g["name"])
            if not who or who.lower() in ("us", "we", "you"):
                continue
            return Intent(name, {"name": who, "role": ROLE_WORDS.get((g.get("role") or "").lower())})
        ref = _clean(g.get("ref", ""))
        if ref:
            return Intent(name, {"ref": ref})
    from ingest.identifiers import find_identifiers

    found = [i for i in find_identifiers(q) if i.scheme in ("ISWC", "ISRC", "UPC")]
    if found:  # "who wrote T-345.246.800-3?": answered here only from rows that are in the table alone
        return Intent("lookup", {"ids": [i.value for i in found[:5]]})
    return None


@dataclass
class CatalogAnswer:
    intent: Intent
    text: str
    rows: list[Row]
    lines: list[str] = field(default_factory=list)  # one per row: what the answer says of it


def _listing(result: Result, intro: Callable[[int], str]) -> tuple[str, list[Row], list[str]]:
    shown = result.rows[:SHOWN]
    if not shown:
        return result.empty[:1].upper() + result.empty[1:] + " in the records you may see.", [], []
    lines = [f"{r.summary()} [{i}]" for i, r in enumerate(shown, 1)]
    text = intro(result.total) + "\n" + "\n".join(f"- {line}" for line in lines)
    if result.total > len(shown):
        text += f"\n... and {result.total - len(shown):,} more (the command line `rights catalog` lists them all)."
    return text, shown, lines


def run(catalog: Catalog, intent: Intent) -> CatalogAnswer:
    a = intent.args
    if intent.name == "works_by":
        who = f"{a['role']} {a['name']}" if a.get("role") else a["name"]
        text, rows, lines = _listing(catalog.works_by(a["name"], a.get("role") if a.get("role") != "artist" else None),
                                     lambda n: f"{n:,} work(s) by {who} in the records table:")
    elif intent.name == "recordings_of":
        text, rows, lines = _listing(catalog.recordings_of(a["ref"]), lambda n: f"{n:,} recording(s) of {a['ref']}:")
    elif intent.name == "releases_with":
        text, rows, lines = _listing(catalog.releases_with(a["ref"]), lambda n: f"{n:,} release(s) containing {a['ref']}:")
    elif intent.name == "shares":
        text, rows, lines = _listing(catalog.share_problems(), lambda n: f"{n:,} work(s) whose shares do not total 100%:")
    elif intent.name in ("missing", "invalid"):
        result = catalog.identifier_problems(a["scheme"], intent.name, a.get("kind"), a.get("release"))
        text, rows, lines = _listing(result, lambda n: f"{result.title}: {n:,}")
    elif intent.name == "conflicts":
        from assistant.catalog.conflicts import conflicts

        found = conflicts(catalog)
        rows, lines = [], []
        for c in found[:SHOWN]:
            rows += [c.a, c.b]
            lines.append(f"{c.entity} '{c.title}': {c.kind} differ — {c.detail} [{len(rows) - 1}] [{len(rows)}]")
        if not found:
            text = "No conflicts between the sources you may see."
        else:
            text = f"{len(found):,} conflict(s) between sources:\n" + "\n".join(f"- {x}" for x in lines)
            if len(found) > SHOWN:
                text += f"\n... and {len(found) - SHOWN:,} more (`rights conflicts` lists them all)."
        return CatalogAnswer(intent, text, rows, lines)
    elif intent.name == "lookup":
        rows = []
        for value in a["ids"]:
            rows += [r for r in catalog.lookup(value).rows if not catalog.scope.docs[r.doc_id].get("embedded", 1)]
        result = Result("Records", rows[:SHOWN], len(rows), "no record")
        text, rows, lines = _listing(result, lambda n: f"{n:,} record(s) in the records table carry {', '.join(a['ids'])}:")
    else:  # count
        counts = catalog.count(a.get("kind"), a.get("name"), a.get("role"))
        names = {"work": "works", "recording": "recordings", "release": "releases", "deal": "deals", "row": "table rows"}
        bits = [f"{n:,} {names.get(k, k)}" for k, n in sorted(counts.items())] or ["no records"]
        who = f" by {a['name']}" if a.get("name") else ""
        text = f"In the records you may see{who}: " + ", ".join(bits) + "."
        return CatalogAnswer(intent, text, [], [])
    if intent.name in ("works_by", "recordings_of", "releases_with", "lookup") and rows:
        from assistant.catalog.conflicts import conflicts_touching

        touched = conflicts_touching(catalog, rows)
        if touched:
            text += "\n" + "\n".join(f"Conflict: {c.line()}" for c in touched[:5])
    return CatalogAnswer(intent, text, rows, lines)


def answer(service, question: str) -> CatalogAnswer | None:
    """The catalog answer to ``question`` for this service view, or None when it is not a
    catalog question or there is no records table to answer from."""
    intent = match(question)
    if intent is None:
        return None
    catalog = Catalog(service)
    if not catalog.scope:
        return None  # no record files this viewer may see: let retrieval say so
    found = run(catalog, intent)
    if not found.rows and intent.name in LOOKUPS:
        return None  # nothing by that name: perhaps not a catalog question after all ("which songs by the deal ...")
    return found


LOOKUPS = ("works_by", "recordings_of", "releases_with", "lookup")


def conflict_note(service, payloads: list[dict]) -> str:
    """"Conflict: ..." lines for the works and recordings behind record hits (empty when none)."""
    places = [(p.get("doc_id"), p.get("line_start")) for p in payloads if p.get("record_kind") in ("work", "recording")]
    places = [(d, int(line)) for d, line in places if d and line is not None]
    if not places:
        return ""
    catalog = Catalog(service)
    if not catalog.scope:
        return ""
    from assistant.catalog.conflicts import conflicts_touching

    found = conflicts_touching(catalog, catalog.rows_at(places))
    return "\n".join(f"Conflict: {c.line()}" for c in found[:5])
