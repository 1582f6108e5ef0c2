"""Answers chosen, not written: the passage unit that states the asked fact, and the fact in it.

A small local model cannot be trusted to write an answer, so the answer engine picks one from the
cited passages by structure and deterministic rules:

1. ``answer_units`` cuts a passage into units a quote can be made of: sentences, numbered clauses,
   list items (each joined to the lead-in that ends in ":", so a unit never ends on "the following
   royalties:"), table rows and "Key: value" lines; headings are context, never units.
2. ``wanted`` reads the kind of fact a question asks for (date, money, percent, party, territory,
   duration, permission, law, frequency; title for "the exact title of the agreement") and
   ``find_facts`` / ``kinds_in`` find those facts in text.
3. ``select`` scores every unit of the numbered passages (``candidates`` returns them all, ranked):
   coverage of the question's key terms (rare words weigh more; names that merely pick the
   document, less), the wanted fact, cues that the unit *states* the term ("the Term shall expire
   on", the fact next to the asked word), an optional semantic similarity, and penalties for
   recitals, definitions of other terms, preambles and boilerplate. ``signals`` keep the features
   for an abstention model fitted elsewhere; ``select`` itself abstains only when no unit holds a
   wanted kind of fact.
4. ``render`` writes the answer: the fact first when it is clear, then the unit's own words in
   “…” with the citation marker, in a form ``citations.check_answer`` accepts.

Pure text logic: no model is loaded here. A caller with an embedder passes ``similarity``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from assistant.answer.citations import check_answer, split_claims
from assistant.text.facts import IDENTIFIER
from ingest.metadata import find_dates

KINDS = ("date", "money", "percent", "party", "territory", "duration", "permission", "law", "frequency", "title", "count")
Similarity = Callable[[str, list[str]], Sequence[float]]

# ---------------------------------------------------------------------------------------------
# Fact patterns
# ---------------------------------------------------------------------------------------------
_NWORD = (
    r"(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    r"sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|"
    r"thousand|million|billion|half|one-half|quarter|one-quarter)"
)
_NW = rf"{_NWORD}(?:(?:-|\s+(?:and\s+)?|\s+and\s+a\s+){_NWORD}){{0,8}}"  # bounded: no backtracking blow-up
# "three (3) Albums", "two (2) options", "12 Masters": a number and what it counts (a period of
# time is a duration, not a count).
_COUNT = re.compile(rf"\b(?:{_NW}|\d{{1,4}})(?:\s*\(\d{{1,4}}\))?\s+(?!(?:days?|weeks?|months?|years?|per\b|percent|business)\b)"
                    rf"(?:[A-Za-z][\w-]*\s+){{0,2}}?[A-Za-z][\w-]*s\b", re.I)
_CUR_CODE = r"(?:USD|GBP|EUR|JPY|CAD|AUD|CHF|SEK|NOK|DKK|CNY|RMB|INR|HKD|SGD|NZD|US\$|U\.S\.\s?\$|C\$|A\$)"
_CUR_WORD = r"(?:(?:US|U\.S\.|Canadian|Australian|Hong\s+Kong|New\s+Zealand)\s+)?(?:dollars?|pounds?(?:\s+sterling)?|euros?|yen|francs?|krona|kronor|rupees?)"
_PAREN_WORDS = r"(?:\s*\((?!the\b|each\b|an?\s|[\"“])[^()]{3,80}\))?"  # "(twenty thousand pounds)", not '(the "Fee")'
_BASE = (
    r"(?:\s+of\s+(?:the\s+)?(?:(?-i:[A-Z][\w'’.&-]*(?:\s+[A-Z][\w'’.&-]*){0,3})"
    r"|(?:[\w'’-]+\s+){0,5}?(?:rate|price|share|receipts|income|royalt\w+|revenues?|sales|amount|fees?|profits?)\b))?"
    r"(?:\s*\([\"“][^\"”()]{1,20}[\"”]\))?"  # ("3 points")
)

_PERCENT_PATTERNS = [
    re.compile(rf"\b{_NW}\s+(?:per\s?cent|percent)\s*\(\s*\d+(?:\.\d+)?\s*%\s*\){_BASE}", re.I),
    re.compile(rf"\b\d+(?:\.\d+)?\s*(?:%|per\s?cent\b|percent\b)(?:\s*\(\s*{_NW}\s+(?:per\s?cent|percent)\s*\))?{_BASE}", re.I),
    re.compile(rf"\b{_NW}\s+(?:per\s?cent|percent)\b{_BASE}", re.I),
    re.compile(r"\b\d+(?:\.\d+)?\s+(?:percentage\s+)?points?\b", re.I),
]
_SPLIT = re.compile(r"(?<![\d/])\b(\d{1,3})\s?/\s?(\d{1,3})\b(?!\s?/)")
_MONEY_PATTERNS = [
    re.compile(rf"(?:[£$€¥]|\b{_CUR_CODE}\s?)\s?\d[\d,]*(?:\.\d+)?(?:\s?(?:million|billion|thousand|m|bn|k)\b)?{_PAREN_WORDS}", re.I),
    re.compile(rf"\b\d[\d,]*(?:\.\d+)?\s?(?:million\s+|billion\s+)?(?:{_CUR_CODE}|{_CUR_WORD})\b{_PAREN_WORDS}", re.I),
    re.compile(rf"\b{_NW}\s+{_CUR_WORD}\b(?:\s*\(\s*(?:[£$€¥]|{_CUR_CODE}\s?)?\s?\d[\d,.]*\s*\))?", re.I),
]
_UNIT_OF_TIME = (
    r"(?:business\s+|calendar\s+|working\s+|consecutive\s+|full\s+)?(?:days?|weeks?|months?|years?|quarters?)\b"
    r"(?:['’]?\s+(?:prior\s+|advance\s+)?(?:written\s+)?notice\b|['’])?"
)
_DURATION = re.compile(
    rf"(?:\b{_NW}\s*\(\s*\d+\s*\)|\b\d+|\b{_NW})\s+{_UNIT_OF_TIME}"
    r"|\bin\s+perpetuity\b|\bperpetual(?:ly)?\b|\bfor\s+the\s+(?:full\s+)?(?:life|period|term)\s+of\s+copyright\b",
    re.I,
)
_RELATIVE = re.compile(r"\s+(?:after|following|before|prior\s+to|from)\s+[^,;.()]{3,60}?(?=[,;.()]|\n\s*\n|$)", re.I)
_NUMERIC_DATE = re.compile(r"\b\d{1,2}[/.]\d{1,2}[/.](?:(?:19|20)\d{2}|\d{2})\b(?![/.]\d)")  # 04/25/2018, 29/3/18
_MONTH_YEAR = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December)\s+(?:19|20)\d{2}\b"
)
_COMPANY = re.compile(
    r"\b(?:[A-Z][\w&'’.-]*\s+(?:(?:&|and|of|de|van|der|du)\s+)?){0,5}[A-Z][\w&'’.-]*,?\s+"
    r"(?:Ltd|Limited|Inc|Incorporated|LLC|L\.L\.C|LLP|L\.P|LP|plc|PLC|B\.V|N\.V|GmbH|AG|S\.A|S\.A\.S|SAS|S\.r\.l|K\.K|Corp|"
    r"Corporation|Pty|AB|Oy|A/S|S\.L|SpA|S\.p\.A|Co\.,\s+Ltd)\b\.?"
)
_ROLES = (
    r"(?:Company|Artist|Writer|Writers|Publisher|Sub-Publisher|Licensee|Licensor|Licensors|Master\s+Licensor|"
    r"Publishing\s+Licensor|Label|Distributor|Producer|Owner|Administrator|Manager|Agent|Buyer|Seller|Supplier|"
    r"Customer|Client|Contractor|Consultant|Provider|Purchaser|Vendor|Franchisee|Franchisor|Sponsor|Promoter|Party|Parties)"
)
_PARTY_PATTERNS = [
    _COMPANY,
    re.compile(rf"\((?:the\s+)?[\"“]{_ROLES}[\"”]\)"),
    re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+){1,2}\s+\((?:PRS|BMI|ASCAP|SESAC|GEMA|SACEM|SOCAN|APRA|JASRAC|STIM|KODA|TONO|SIAE|SGAE|BUMA|SABAM|IMRO|GMR)\)"),
    re.compile(r"\b(?:written|co-written|produced|performed|composed|arranged|signed|owned)\s+by\s+[A-Z][a-z]+(?:\s+[A-Z][a-z]+){1,2}"),
    re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)+,?\s+(?:p/k/a|professionally\s+known\s+as|f/k/a|d/b/a|a/k/a)\s+[\"“]?[A-Z][\w ]*[\"”]?"),
    re.compile(r"\bbetween\s+[A-Z][^,;()\n]{2,60}?\s+and\s+[A-Z][\w&'’.-]*(?:\s+[A-Z][\w&'’.-]*)*"),
]
_COUNTRIES = (
    "Afghanistan|Albania|Algeria|Andorra|Angola|Argentina|Armenia|Australia|Austria|Azerbaijan|Bahamas|Bahrain|Bangladesh|"
    "Belarus|Belgium|Bolivia|Bosnia|Brazil|Bulgaria|Cambodia|Cameroon|Canada|Chile|China|Colombia|Costa Rica|Croatia|Cuba|"
    "Cyprus|Czech Republic|Czechia|Denmark|Dominican Republic|Ecuador|Egypt|El Salvador|England|Estonia|Ethiopia|Finland|"
    "France|Georgia|Germany|Ghana|Greece|Guatemala|Honduras|Hong Kong|Hungary|Iceland|India|Indonesia|Iran|Iraq|Ireland|"
    "Israel|Italy|Jamaica|Japan|Jordan|Kazakhstan|Kenya|Korea|South Korea|Kuwait|Latvia|Lebanon|Liechtenstein|Lithuania|"
    "Luxembourg|Macau|Malaysia|Malta|Mexico|Moldova|Monaco|Mongolia|Montenegro|Morocco|Netherlands|New Zealand|Nigeria|"
    "Northern Ireland|Norway|Oman|Pakistan|Panama|Paraguay|Peru|Philippines|Poland|Portugal|Puerto Rico|Qatar|Romania|"
    "Russia|Saudi Arabia|Scotland|Serbia|Singapore|Slovakia|Slovenia|South Africa|Spain|Sri Lanka|Sweden|Switzerland|"
    "Taiwan|Thailand|Tunisia|Turkey|Türkiye|Ukraine|United Arab Emirates|UAE|United Kingdom|UK|U\\.K\\.|United States(?: of America)?|"
    "USA|U\\.S\\.A?\\.?|Uruguay|Venezuela|Vietnam|Wales|Europe|European Union|EU|EEA|European Economic Area|North America|"
    "South America|Latin America|Central America|Asia|Asia Pacific|APAC|EMEA|Africa|Middle East|Scandinavia|Nordics|"
    "Benelux|Oceania|Australasia|Caribbean|GSA|DACH"
)
_PLACE = rf"(?:the\s+)?(?:World|world|Universe|universe|{_COUNTRIES})\b"
_TERRITORY = re.compile(
    rf"(?:\bthe\s+(?:World|world|Universe|universe)\b|\bworld-?wide\b|\bthroughout\s+the\s+world\b|(?<![\w-])(?:{_COUNTRIES})\b)"
    rf"(?:,?\s+(?:excluding|except(?:\s+for)?|other\s+than|but\s+excluding|save\s+for|less)\s+{_PLACE}(?:(?:,\s*|\s+and\s+|\s+or\s+){_PLACE})*)?"
)
_JURIS = r"(?:State\s+of\s+|Commonwealth\s+of\s+|Province\s+of\s+|Republic\s+of\s+|Kingdom\s+of\s+)?[A-Z][\w]*(?:\s+(?:and\s+)?[A-Z][\w]*)*"
_LAW_PATTERNS = [
    re.compile(rf"\b(?:governed\s+by|construed\s+(?:and\s+enforced\s+)?in\s+accordance\s+with|subject\s+to)\b[^.;]{{0,60}}?\blaws?\s+of\s+(?:the\s+)?{_JURIS}", re.I),
    re.compile(rf"\b(?:governing\s+law|applicable\s+law)\b[^.;]{{0,40}}?\b(?:shall\s+be|is)\s+(?:the\s+)?(?:laws?\s+of\s+(?:the\s+)?)?{_JURIS}"),
    re.compile(rf"\bjurisdiction\s+of\s+the\s+(?:\w+\s+){{0,3}}courts?\s+(?:of|in|located\s+in)\s+(?:the\s+)?{_JURIS}", re.I),
    re.compile(rf"\bcourts?\s+of\s+(?:the\s+)?{_JURIS}\s+shall\s+have\s+(?:\w+\s+)?jurisdiction", re.I),
]
_FREQUENCY = re.compile(
    r"\b(?:semi-?annual(?:ly)?|bi-?annual(?:ly)?|half-?yearly|annual(?:ly)?|quarterly|monthly|weekly|yearly|"
    r"every\s+(?:\w+\s+)?(?:calendar\s+)?(?:days?|weeks?|months?|years?|quarters?|half-years?)|"
    r"(?:each|every|per)\s+(?:calendar\s+)?(?:month|quarter|year|half-year|accounting\s+period)|"
    r"once\s+(?:in\s+)?(?:each|every|a|per|any)\s+(?:calendar\s+)?(?:month|quarter|year)|"
    r"(?:twice|two\s+times|four\s+times)\s+(?:a|per|each|in\s+each)\s+(?:calendar\s+)?year)\b",
    re.I,
)
_PERMISSION = re.compile(
    r"\b(?:shall|will|may|must|can)\s+not\b[^.;:]{0,60}|\bcannot\b[^.;:]{0,60}|"
    r"\brequires?\b[^.;]{0,60}?\b(?:approval|consent|licen[cs]e|permission)\b|"
    r"\bwithout\b[^.;]{0,50}?\b(?:approval|consent|permission)\b|"
    r"\b(?:is|are|be|been)\s+(?:not\s+|expressly\s+|strictly\s+)?(?:permitted|allowed|prohibited|restricted|authori[sz]ed|forbidden)\b|"
    r"\bno\s+(?:right|use|licen[cs]e)\b[^.;]{0,80}?\b(?:granted|permitted|allowed)\b|"
    r"\b(?:prohibited|forbidden)\b|\b(?:shall|will)\s+(?:have\s+the\s+(?:exclusive\s+)?right|be\s+entitled)\s+to\b|"
    r"\bmay\b(?!\s+be\s+executed)|\bmust\b|\bis\s+entitled\s+to\b",
    re.I,
)


_DOC_WORDS = r"(?:AGREEMENT|LICEN[CS]E|CONTRACT|AMENDMENT|ADDENDUM|DEED|MEMORANDUM\s+OF\s+UNDERSTANDING|TERM\s+SHEET|LETTER|NOTICE|SCHEDULE)"
_TITLE = re.compile(
    rf"(?<![\w-])(?:[A-Z][A-Z0-9&',.-]*\s+){{0,7}}{_DOC_WORDS}(?:\s+(?:NO\.\s*\d+|[IVX]+|\d+)\b)?(?:\s+(?:OF|TO|FOR|AND|ON)\s+[A-Z][A-Z0-9&',.-]*(?:\s+[A-Z][A-Z0-9&',.-]*){{0,6}})?(?![a-z])"
)
_TITLE_ASK = re.compile(
    r"\b(?:title|name)\s+of\s+(?:the|this|that)\s+(?:\w+\s+)?(?:agreement|contract|document|licen[cs]e|deal)\b|"
    r"\bwhat\s+is\s+(?:the|this)\s+(?:agreement|document|contract)\s+called\b|\bdocument\s+name\b",
    re.I,
)


@dataclass(frozen=True)
class Fact:
    kind: str
    start: int
    end: int
    text: str


def _spans(pattern: re.Pattern, text: str) -> list[tuple[int, int]]:
    return [m.span() for m in pattern.finditer(text) if m.end() > m.start()]


def find_facts(text: str) -> list[Fact]:
    """Facts of every kind in ``text``, in order; spans of different kinds may overlap."""
    found: list[tuple[str, int, int]] = []

    def add(kind: str, spans: list[tuple[int, int]]):
        taken = [(s, e) for k, s, e in found if k == kind]
        for s, e in sorted(spans, key=lambda x: (x[0], -x[1])):
            while e > s and text[e - 1] in " \n,;:":
                e -= 1
            if kind != "party" and e > s and text[e - 1] == "." and not re.search(r"(?:\b[A-Za-z]\.|\b(?:Inc|Ltd|Co|Corp|No))\.$", text[s:e]):
                e -= 1
            if e > s and all(e <= a or s >= b for a, b in taken):
                found.append((kind, s, e))
                taken.append((s, e))

    for p in _PERCENT_PATTERNS:
        add("percent", _spans(p, text))
    add("percent", [m.span() for m in _SPLIT.finditer(text)
                    if int(m.group(1)) + int(m.group(2)) == 100 and not find_dates(text[max(0, m.start() - 3):m.end() + 5])])
    for p in _MONEY_PATTERNS:
        add("money", _spans(p, text))
    dates = [(s, e) for s, e, _ in find_dates(text)] + _spans(_MONTH_YEAR, text) + _spans(_NUMERIC_DATE, text)
    durations, relative = [], []
    for m in _DURATION.finditer(text):
        durations.append(m.span())
        rel = _RELATIVE.match(text, m.end())
        if rel:  # "fifteen (15) years after the end of the Term": a date, relative to an event
            relative.append((m.start(), rel.end()))
    add("date", dates)
    add("date", relative)
    add("duration", durations)
    for p in _PARTY_PATTERNS:
        add("party", _spans(p, text))
    add("territory", _spans(_TERRITORY, text))
    for p in _LAW_PATTERNS:
        add("law", _spans(p, text))
    add("frequency", _spans(_FREQUENCY, text))
    add("permission", _spans(_PERMISSION, text))
    add("title", [(a, b) for a, b in _spans(_TITLE, text) if len(text[a:b].split()) >= 2])
    valued = [(a, b) for k, a, b in found if k in ("money", "percent", "duration", "date")]
    add("count", [(a, b) for a, b in _spans(_COUNT, text) if all(b <= x or a >= y for x, y in valued)])
    return [Fact(k, s, e, text[s:e]) for k, s, e in sorted(found, key=lambda x: (x[1], x[2]))]


def _is_relative(date_text: str) -> bool:
    """A date given as a period after an event ("fifteen (15) years after the end of the Term")."""
    return bool(_DURATION.match(date_text))


def kinds_in(text: str) -> set[str]:
    """Which kinds of fact ``text`` holds (see ``KINDS``)."""
    return {f.kind for f in find_facts(text)}


# ---------------------------------------------------------------------------------------------
# What a question asks for
# ---------------------------------------------------------------------------------------------
_ASKS: list[tuple[str, re.Pattern]] = [
    ("frequency", re.compile(r"\bhow\s+often\b|\bhow\s+frequent|\bfrequency\b|\baccounting\s+periods?\b|\bsemi-?annual|\bquarterly\b|\bmonthly\b|\bannually\b|\bhow\s+many\s+times\b", re.I)),
    ("duration", re.compile(r"\bhow\s+long\b|\bhow\s+much\s+(?:notice|time|longer)\b|\bhow\s+many\s+(?:days|weeks|months|years)\b|\bperiod\b|\bterm\s+of\b|"
                            r"\bnotice\b|\bduration\b|\blength\b|\bdays\b|\bweeks\b|\bmonths\b|\byears\b|\brenewal\s+term\b|\bperpetual|\bin\s+perpetuity\b", re.I)),
    ("date", re.compile(r"\bwhen\b|\bwhat\s+date\b|\bwhich\s+date\b|\bdate[ds]?\b|\bexpir\w*|\buntil\b|\bdeadline\b|\bby\s+when\b|\bstarts?\b|\bstarted\b|"
                        r"\bbegins?\b|\bcommenc\w*|\bends?\b|\bending\b|\beffective\b|\btake\s+effect\b|\bsigned\b|\bdue\b|\brevert\w*|\breversion\b", re.I)),
    ("money", re.compile(r"\bhow\s+much\b(?!\s+(?:notice|time|longer))|\bfees?\b|\badvances?\b|\bamount\b|\bcosts?\b|\bprice\b|\bpaid\b|\bpay\b|\bpays\b|"
                         r"\bpayments?\b|\bowe[sd]?\b|\bowing\b|\bsum\b|\bbudget\b|\bcompensation\b|\bconsideration\b|\bminimum\s+guarantee\b|\bmoney\b", re.I)),
    ("percent", re.compile(r"\bpercentage\b|\bper\s?cent\b|\bpercent\b|\brates?\b|\broyalt\w+|\bshares?\b|\bsplits?\b|\bpoints\b|\bcommission\b|\bcut\b|"
                           r"\bkeeps?\b|\bretains?\b|\brevenue\s+shar\w+|\bprofit\s+shar\w+", re.I)),
    ("count", re.compile(r"\bhow\s+many\b(?!\s+(?:days|weeks|months|years|times|points|per\s*cent|percent)\b)", re.I)),
    ("party", re.compile(r"\bwho\b|\bwhom\b|\bwhose\b|\bwhich\s+(?:company|companies|party|parties|entity|entities|publisher|label|distributor|licensee|licensor|"
                         r"administrator|producer|writer|writers|artist|manager|society|person)\b|\bparties\b|\bname\s+of\s+the\b|\bwrote\b|\bwritten\s+by\b", re.I)),
    ("territory", re.compile(r"\bwhere\b|\bterritor\w+|\bcountr\w+|\bregions?\b|\bworld-?wide\b|\bin\s+which\s+(?:countries|markets)\b", re.I)),
    ("permission", re.compile(r"^\s*(?:can|could|may|must|is|are|does|do)\b.*\b(?:use|licen[cs]e|allowed|permitted|assign|sub-?licen[cs]e|transfer|terminate|sell|exploit|"
                              r"release|record|publish|approv\w*|consent|restrict\w*|prohibit\w*|compete|solicit|disparage|challenge|sue)\b|"
                              r"\bcan\s+(?:we|i|they|he|she|it|the)\b|\ballowed\b|\bpermitted\b|\bpermission\b|\bapprov\w+|\bconsent\b|\brestrict\w*|\bprohibit\w*|"
                              r"\bright\s+to\b|\bentitled\s+to\b|"
                              r"\bneed\s+to\s+ask\b|\bwithout\s+(?:the\s+)?(?:other\s+party'?s?\s+)?consent\b", re.I)),
    ("law", re.compile(r"\bgoverning\s+law\b|\bjurisdiction\b|\bwhich\s+law\b|\bwhat\s+law\b|\blaws?\s+govern|\bgoverned\b|\bgoverns?\b|\bapplicable\s+law\b|\bcourts?\b", re.I)),
]
# A question's words that say what kind of answer it wants but not what it is about.
_Q_STOP = frozenset(
    """a an the of to in on for by with and or is are was were be been this that these those it its as at from under any all not no
    shall will may which who whom whose what when where how does do did has have had i you we they he she there their them his her
    our us me my can could would should might much many often long get gets got give gives given take takes need needs according
    deal agreement contract say says said tell show current currently now today still exactly between party parties either
    anyone any""".split()
)
# Words that say which kind of value is asked, not which one: in "What share of sync income ...",
# "sync" picks the clause; any clause with a percentage has a "share".
_KIND_WORDS = frozenset("share shares percentage percent amount sum figure number value rate".split())
KIND_WORD_WEIGHT = 0.5
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "sync": ("synchronisation", "synchronization", "synch"),
    "synch": ("synchronisation", "synchronization"),
    "admin": ("administration", "administrator"),
    "advert": ("advertising", "advertisement", "commercial"),
    "ad": ("advertising", "advertisement"),
    "ads": ("advertising", "advertisement"),
    "commercial": ("advertising",),
    "keep": ("retain", "retention"),
    "keeps": ("retain", "retention"),
    "extra": ("additional", "further"),
    "owe": ("due", "payable", "unpaid", "outstanding"),
    "owes": ("due", "payable", "unpaid", "outstanding"),
    "stop": ("terminate", "termination", "non-renewal", "cease"),
    "end": ("expire", "expiry", "terminate"),
    "ends": ("expire", "expiry", "terminate"),
    "start": ("commence", "commencement", "begin"),
    "starts": ("commence", "commencement", "begin"),
    "begin": ("commence", "commencement"),
    "cut": ("share", "commission", "retain"),
    "song": ("composition", "work"),
    "songs": ("compositions", "works"),
    "track": ("recording", "master"),
    "tracks": ("recordings", "masters"),
    "record": ("recording",),
    "writer": ("songwriter", "writer"),
    "wrote": ("writer", "writers", "composer", "lyricist", "author"),
    "written": ("writer", "writers", "composer", "lyricist", "author"),
    "write": ("writer", "writers", "composer", "lyricist", "author"),
    "split": ("share", "shares", "split"),
    "splits": ("share", "shares", "split"),
    "money": ("sum", "amount", "payment"),
    "law": ("laws", "governed"),
    "pay": ("paid", "payable", "payment"),
    "paid": ("pay", "payable", "payment"),
    "get": ("receive", "entitled", "credit"),
    "gets": ("receive", "entitled", "credit"),
    "buy": ("purchase",),
    "fee": ("fee", "fees", "commission"),
    "cancel": ("terminate", "termination"),
    "license": ("licence", "license"),
    "licence": ("licence", "license"),
    "renewing": ("renew", "renewal", "non-renewal"),
    "effect": ("effective",),
}
_ABBREVIATIONS = frozenset(
    """no nos ltd inc co corp mr mrs ms dr st jr sr e.g i.e etc vs v cl para paras art arts sec secs approx p pp fig
    u.s u.k b.v n.v k.k s.a l.l.c l.p jan feb mar apr jun jul aug sep sept oct nov dec ref refs viz cf al est""".split()
)
_STATING = re.compile(
    r"\b(?:shall|will|is|are|was|were|means|mean|has|have|equals?)\b|\b(?:retain|receiv|pay|paid|credit|charg|expir|end|terminat|commenc|"
    r"run|revert|govern|grant|entitl|account|render|requir|extend|increas|reduc|replac|amend|be)\w*",
    re.I,
)
_CHANGE = re.compile(r"\b(?:replaced\s+(?:with|by)|substituted\s+(?:with|by)|amended\s+to(?:\s+read)?|increased\s+to|reduced\s+to|extended\s+to|changed\s+to|now\s+reads?)\b", re.I)
_DATED = re.compile(r"\b(?:dated|of|agreement\s+dated|letter\s+dated|emails?\s+of)\s*$", re.I)


_EXAMPLES = re.compile(r"\((?:e\.g\.|i\.e\.|for\s+example|such\s+as|including)[^)]*\)", re.I)


def _ask_kinds(question: str) -> list[str]:
    if _TITLE_ASK.search(question):
        return ["title"]
    question = _EXAMPLES.sub(" ", question)  # "(e.g. royalty or payment statements)" names examples, not the ask
    return [kind for kind, pattern in _ASKS if pattern.search(question)]


# Kinds of income, use and media a music contract may or may not cover, as (what a question says,
# what a document covering it says). When a question asks about one that its answering documents
# never mention ("JUNO's merchandising royalty" against a record deal without merchandising), the
# nearest royalty clause is a wrong answer, not a partial one.
_SUBJECTS: tuple[tuple[str, str], ...] = (
    (r"merch\w*", r"merch\w*"),
    (r"neighbou?ring\s+rights?", r"neighbou?ring|related\s+rights|performers?'?\s+(?:equitable\s+)?remuneration|PPL|SoundExchange"),
    (r"mechanicals?(?:\s+royalt\w+|\s+income)?", r"mechanical\w*"),
    (r"sync\w*|synch\w*", r"sync\w*|synch\w*|audio-?visual|timed\s+relation"),
    (r"karaoke", r"karaoke"),
    (r"ring\s?tones?|ringbacks?", r"ring\s?tones?|ringbacks?|mobile"),
    (r"lyrics?", r"lyric\w*|words"),
    (r"sheet\s+music|print\s+(?:rights|income|royalt\w+)", r"sheet\s+music|print\w*|folios?"),
    (r"video\s?games?", r"video\s?games?|games?|interactive"),
    (r"advertis\w+|commercials?", r"advert\w*|commercials?|promotion\w*|brand\w*"),
    (r"sponsor\w*|endorse\w*", r"sponsor\w*|endorse\w*|brand\w*"),
    (r"fan\s?clubs?", r"fan\s?clubs?"),
    (r"ticket\w*", r"ticket\w*"),
    (r"touring|tours?|live\s+(?:income|shows?|performances?|concerts?)|concerts?", r"tour\w*|live|concerts?|performances?"),
    (r"nfts?|non-fungible", r"nfts?|non-fungible|tokens?|blockchain"),
    (r"podcasts?", r"podcast\w*"),
    (r"audio\s?books?", r"audio\s?books?|spoken\s+word"),
    (r"translations?", r"translat\w*"),
    (r"remix\w*", r"remix\w*|versions?"),
    (r"samples?|sampling", r"sampl\w*|interpolat\w*"),
    (r"vinyl", r"vinyl|physical|phonorecords?|records?\b"),
    (r"radio", r"radio|broadcast\w*"),
    (r"television|\btv\b", r"televis\w*|\btv\b|broadcast\w*|audio-?visual|episodes?|series"),
    (r"films?|movies?|motion\s+pictures?", r"films?|movies?|motion\s+pictures?|audio-?visual|pictures?|trailers?"),
    (r"name\s+and\s+likeness|likeness", r"likeness|name\s+and|image"),
)
_ORDINALS = {"second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10}
_ORDINAL_ASK = re.compile(r"\b(second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|(?:[2-9]|10)(?:nd|rd|th))\s+([a-z][\w-]*)", re.I)
_NUMBER_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]


def subjects_missing(question: str, text: str) -> list[str]:
    """What the question asks about that ``text`` (the answering documents, whole) never mentions:
    a kind of income, use or medium (merchandising, neighbouring rights, sync ...) or an ordinal
    thing ("the second album", "the third option period"). Words a paraphrase could replace are
    not checked: only subjects whose absence means the documents cannot say."""
    missing: list[str] = []
    for ask, covered in _SUBJECTS:
        m = re.search(rf"\b(?:{ask})\b", question, re.I)
        if m and not re.search(rf"\b(?:{covered})\b", text, re.I):
            missing.append(m.group(0).lower())
    for m in _ORDINAL_ASK.finditer(question):
        word, noun = m.group(1).lower(), m.group(2).lower()
        n = _ORDINALS.get(word) or int(re.match(r"\d+", word).group(0))
        ordinal = next(k for k, v in _ORDINALS.items() if v == n)
        stem = re.escape(_stem(noun))
        forms = rf"{ordinal}|{n}(?:nd|rd|th)|{stem}\w*\s+(?:no\.?\s*)?(?:{n}|{_NUMBER_WORDS[n]})\b|(?:{n}|{_NUMBER_WORDS[n]})\s+(?:\(\d+\)\s+)?{stem}\w*"
        if not re.search(rf"\b(?:{forms})", text, re.I):
            missing.append(f"{word} {noun}")
    return missing


def wanted(question: str) -> set[str]:
    """The kinds of fact ``question`` asks for (several at once for "how often and when ...")."""
    kinds = set(_ask_kinds(question))
    if _TITLE_ASK.search(question):
        return {"title"}  # "the exact title of the agreement between X Inc. and Y Ltd": nothing else
    if re.match(r"\s*(?:until\s+|by\s+)?when\b", question, re.I):
        kinds.discard("permission")  # "Until when can the label sell off stock?" asks a date
    if re.search(r"\bhow\s+(?:much|long)\s+(?:notice|time)\b", question, re.I):
        kinds.discard("money")
    if "percent" in kinds and "money" in kinds and not re.search(
            r"\bhow\s+much\b|\bfees?\b|\badvances?\b|\bamount\b|\bsum\b|\bowe", question, re.I):
        kinds.discard("money")  # "What royalty does the label pay?": "pay" is the verb, a rate the ask
    if "duration" in kinds and re.search(r"\bhow\s+long\b|\bhow\s+much\s+notice\b", question, re.I):
        kinds.discard("date")  # "how long before it ends": a period, though it says "ends"
    if re.match(r"\s*how\s+much\b(?!\s+(?:notice|time|longer))", question, re.I) and kinds & {"money", "percent"} and not re.search(
            r"\b(?:and|or)\s+(?:what|which|how|when|who|where)\b", question, re.I):
        kinds &= {"money", "percent"}  # "How much ... for the extra six months?" asks an amount, not a period
    lead = re.match(r"\s*(?:to\s+|by\s+|until\s+)?(who|whom|whose|when)\b", question, re.I)
    if lead and not re.search(r"\b(?:and|or)\s+(?:what|which|how|when|who|where)\b", question, re.I):
        # the question word decides: "Who is paid the royalties now?" asks a party, "When is the
        # advance paid?" a date; "royalties" and "paid" say what about, not what kind of answer
        ask = "party" if lead.group(1).lower() != "when" else "date"
        if ask in kinds:
            kinds = {ask} | ({"duration"} if ask == "date" and "duration" in kinds else set())
    return kinds


def _groups(want: set[str]) -> list[set[str]]:
    """What must be answered, each group satisfied by any of its kinds: an amount or a rate are
    one ask ("what fee": "15% of Gross Receipts" answers it as well as "£500" would)."""
    out: list[set[str]] = []
    money = want & {"money", "percent"}
    if money == {"percent"}:
        out.append({"percent"})  # a royalty, rate or share is a rate: a lump sum does not answer it
    elif money:
        out.append(money | {"money", "percent"})
    out += [{k} for k in sorted(want - {"money", "percent"})]
    return out


# Kinds that half-answer a question asking for another: "when" by a period ("90 days after
# signature"), "how long" by a date ("until 9 June 2034"), "how often" by the due dates.
_COMPATIBLE = {
    "money": (),
    "percent": (),
    "date": ("duration",),
    "duration": ("date",),
    "frequency": ("date",),
    "territory": (),
    "party": (),
    "permission": (),
    "law": (),
    "title": (),
    "count": (),
}

# ---------------------------------------------------------------------------------------------
# Units
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """A span of a passage an answer can quote: ``text == passage[start:end]``.

    A list item keeps the lead-in it completes (``lead``: its span, ``lead_text``), quoted with it;
    ``heading`` is the title the unit sits under ("7. ROYALTIES", "Streaming Royalty").
    """

    start: int
    end: int
    text: str
    kind: str = "sentence"  # sentence | item | row | record (of "Key: value" lines) | field | heading
    label: str = ""  # "7.2", "(a)"
    heading: str = ""
    lead: tuple[int, int] | None = None
    lead_text: str = ""
    role: str = "operative"  # operative | recital | preamble | definition | boilerplate

    @property
    def full_text(self) -> str:
        """The lead-in and the unit, as one string (for scoring and measuring)."""
        return f"{self.lead_text} {self.text}" if self.lead_text else self.text


_LIST_MARKER = re.compile(r"^\s*(?:\((?P<p>[a-z]{1,2}|[ivxlc]{1,6}|[A-Z]{1,2}|\d{1,2})\)|(?P<b>[a-z]|[ivx]{1,5}|\d{1,2})\)|(?P<d>[-•*–·▪●◦])\s)\s*")
_CLAUSE_LABEL = re.compile(r"^\s*(?:(?:Section|SECTION|Clause|CLAUSE|Article|ARTICLE|Paragraph)\s+)?(?P<n>\d{1,3}(?:\.\d{1,3}){1,3}\.?|\d{1,3}\.)(?=\s)\s*")
_HEADING_KW = re.compile(r"^\s*(?:ARTICLE|Article|SECTION|Section|SCHEDULE|Schedule|EXHIBIT|Exhibit|APPENDIX|Appendix|ANNEX|Annex|ANNEXURE|PART|Part)\b")
_KEY_VALUE = re.compile(r"^\s*(?P<k>[A-Z][\w ()&/'’.,-]{0,40}?)\s*:\s+(?=\S)")
_INLINE_HEADING = re.compile(
    r"^(?P<h>[A-Z][\w'’/-]*(?:\s+(?:[A-Z][\w'’/-]*|and|of|or|the|for|to|in|on|by|with|&|a|an)){0,6}"
    r"|[A-Z][\w'’/-]*(?:\s+[\w'’/-]+){0,3})\.\s+(?=[A-Z\"“(])"
)
_RECITAL_HEAD = re.compile(r"^\W*(?:RECITALS?|Recitals?|WHEREAS|Whereas|BACKGROUND|Background|PREAMBLE|Preamble|INTRODUCTION)\b")
_OPERATIVE_START = re.compile(r"\b(?:agreed?\s+as\s+follows|AGREED\s+AS\s+FOLLOWS|NOW,?\s+THEREFORE|Now,?\s+therefore|IT\s+IS\s+(?:HEREBY\s+)?AGREED|hereby\s+agree)\b")
_BOILER_HEAD = re.compile(
    r"(?:(?:notices?|counterparts?|entire\s+agreement|severab\w+|waivers?|headings?|further\s+assurances?|signatures?|execution|"
    r"in\s+witness|interpretation|miscellaneous|general(?:\s+provisions)?|costs|relationship\s+of\s+the\s+parties|no\s+partnership|"
    r"amendments?|variation|language|force\s+majeure)(?:\s*(?:,|and|&)\s*)?)+",
    re.I,
)


def _boiler_heading(heading: str) -> bool:
    """The innermost heading is one of a clause that carries no terms of the deal ("13. Notices",
    "ARTICLE XIII — MISCELLANEOUS"); "Miscellaneous · Assignment" is not."""
    inner = heading.split(" · ")[-1]
    bare = re.sub(r"^\W*(?:(?:ARTICLE|Article|SECTION|Section|Clause|CLAUSE)\s+\w+\s*[—–:.-]?\s*|\d+(?:\.\d+)*\.?\s*)", "", inner)
    bare = bare.strip(" .:")
    return bool(bare) and bool(_BOILER_HEAD.fullmatch(bare))


_BOILER_TEXT = re.compile(
    r"\b(?:IN\s+WITNESS\s+WHEREOF|Signed\s+(?:for\s+and\s+on\s+behalf|by)|executed\s+in\s+(?:any\s+number\s+of\s+)?counterparts|"
    r"constitutes\s+the\s+entire\s+agreement|headings\s+are\s+for\s+convenience|Signature\s*:|_{5,}|/s/|\bBy:\s|\bName:\s.*\bTitle:\s)",
    re.I,
)
_BOILER_KEYS = frozenset("signature name title by date signed witness address email tel telephone fax attention for the attention of cc".split())
_DEFINITION = re.compile(r"^\W*(?:\(\w{1,4}\)\s*)?[\"“](?P<t>[^\"”]{1,60})[\"”]\s*(?:\([^)]{0,40}\)\s*)?(?:shall\s+)?(?:means?|has\s+the\s+meaning|includes?|refers?\s+to|shall\s+have\s+the\s+meaning)\b", re.I)
_PREAMBLE = re.compile(r"\b(?:is\s+made|made\s+and\s+entered|entered\s+into|is\s+dated|dated\s+as\s+of|made\s+as\s+of)\b[\s\S]{0,400}?\bbetween\b|\bby\s+and\s+between\b", re.I)
_SENT_END = re.compile(r"[.!?][\"”’')\]]*\s+(?=[A-Z\"“(\[])")
_INLINE_CLAUSE = re.compile(r"(?<=[.:;])\s+(?=(?:(?:Section|Clause|Article)\s+)?\d{1,2}(?:\.\d{1,2}){1,3}\.?\s+[A-Z\"“(])|(?<=[.;])\s+(?=\d{1,2}\.\s+[A-Z][\w'’-]*(?:\s+[A-Za-z][\w'’-]*){0,6}[.:]\s)")
_INLINE_ITEM = re.compile(r"[:;]\s+(?:(?:and|or|and/or)\s+)?(?=\((?:[a-z]{1,2}|[ivx]{1,5}|\d{1,2})\)\s)")
_NUMBER_WORD_END = re.compile(rf"\b{_NWORD}\s*$", re.I)
_TABLE_ROW = re.compile(r"^[^,\n]*(?:,[^,\n]*){2,}$")


@dataclass
class _Line:
    start: int
    end: int
    text: str  # stripped
    kind: str  # blank | heading | kv | row | item | clause | text
    label: str = ""
    body: int = 0  # offset of the body after the label/marker


def _is_caps_heading(s: str) -> bool:
    words = s.split()
    return 0 < len(words) <= 12 and not re.search(r"[a-z]", s) and bool(re.search(r"[A-Z]{2}", s)) and not s.endswith((",", ";"))


def _classify(text: str) -> list[_Line]:
    lines: list[_Line] = []
    pos = 0
    for raw in text.split("\n"):
        start, end = pos, pos + len(raw)
        pos = end + 1
        stripped = raw.strip()
        if not stripped:
            lines.append(_Line(start, end, "", "blank"))
            continue
        lead_ws = len(raw) - len(raw.lstrip())
        s0, e0 = start + lead_ws, start + len(raw.rstrip())
        line = _Line(s0, e0, stripped, "text", body=s0)
        prev = next((p for p in reversed(lines) if p.kind != "blank"), None)
        prev_text = prev.text if prev else ""
        continues = bool(prev) and prev.kind not in ("heading", "row") and not re.search(r"[.;:!?]$|[.;:!?][\"”')]$", prev_text)
        md = re.match(r"^#{1,6}\s+", stripped)
        m_item = _LIST_MARKER.match(stripped)
        m_clause = _CLAUSE_LABEL.match(stripped)
        if md:
            line.kind = "heading"
            line.text = stripped[md.end():]
        elif _HEADING_KW.match(stripped) and len(stripped) <= 90 and not re.search(r"[.;]\s+[A-Z]", stripped) and not stripped.endswith(("," , ";")):
            line.kind = "heading"
        elif m_item and not (continues and (m_item.group("p") or "").isdigit() and _NUMBER_WORD_END.search(prev_text)) \
                and not (continues and m_item.group("d") and not prev_text.endswith(":")):
            line.kind, line.label, line.body = "item", m_item.group(0).strip(), s0 + m_item.end()
        elif m_clause and not (continues and re.search(r"\b(?:clause|section|article|paragraph|schedule|and|or|to|of|in|under|No\.?)\s*$", prev_text, re.I)):
            rest = stripped[m_clause.end():]
            flat = " ".join(rest.split())
            if flat and (len(flat.split()) <= 8 and not re.search(r"[.;:!?]$|[.;:!?]\s+\S", flat) and rest[:1].isupper()
                         and len(re.findall(r"\b[a-z]{4,}\b", flat)) <= 2):
                line.kind, line.label = "heading", m_clause.group("n").rstrip(".")
            else:
                line.kind, line.label, line.body = "clause", m_clause.group("n").rstrip("."), s0 + m_clause.end()
        elif _TABLE_ROW.match(stripped) and stripped.count(", ") * 2 < stripped.count(","):
            line.kind = "row"
        elif (m_kv := _KEY_VALUE.match(stripped)) and len(m_kv.group("k").split()) <= (6 if not continues else 4) \
                and not _OPERATIVE_START.search(stripped):
            line.kind, line.label = "kv", m_kv.group("k").strip()
        elif _is_caps_heading(stripped) and not (continues and prev and prev.kind in ("text", "clause", "item") and len(prev_text) > 60):
            line.kind = "heading"
        elif re.match(r"^[A-Z][\w '’&/-]{0,40}:$", stripped) and len(stripped.split()) <= 5 and not continues \
                and not _OPERATIVE_START.search(stripped):
            line.kind = "heading"  # "WHEREAS:", "Schedule of works:"
        lines.append(line)
    return lines


@dataclass
class _Block:
    start: int
    end: int
    kind: str
    label: str = ""
    body: int = 0
    heading_text: str = ""


def _blocks(text: str) -> list[_Block]:
    """Lines joined into paragraphs, clauses and items (PDF text wraps mid-sentence)."""
    out: list[_Block] = []
    lines = _classify(text)
    gap = False
    for line in lines:
        if line.kind == "blank":
            gap = True
            continue
        cur = out[-1] if out else None
        if line.kind == "text" and cur is not None and cur.kind == "kv" and line.text[:1].islower() and not gap:
            cur.end = line.end  # "Scene: Night. Nell walks ... the song plays / under dialogue ..."
            continue
        if line.kind == "text" and cur is not None and cur.kind in ("text", "clause", "item"):
            tail = text[cur.start:cur.end].rstrip()
            ends = bool(re.search(r"[.;:!?][\"”')\]]*$", tail))
            last_word = re.findall(r"[\w./]+\.?$", tail)
            abbrev = bool(last_word) and last_word[0].rstrip(".").lower() in _ABBREVIATIONS
            lower = line.text[:1].islower() or line.text[:1].isdigit() or line.text[:1] in "(\"“'’&$£€¥"
            # a page break inside a sentence: a blank line after a wrapped line ending in a lower-case word
            page_break = gap and bool(re.search(r"[a-z]$", tail)) and len(tail) > 60
            if (not ends or abbrev or (lower and not tail.endswith((";", ":")))) and not (gap and not lower and not page_break):
                cur.end = line.end
                gap = False
                continue
        out.append(_Block(line.start, line.end, line.kind, line.label, line.body or line.start,
                          line.text if line.kind == "heading" else ""))
        gap = False
    return out


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans of ``text[start:end]``; abbreviations ("No.", "Ltd.", "e.g.", "U.S.") and
    clause numbers ("clause 2.3") do not end a sentence."""
    spans, cur = [], start
    for m in _SENT_END.finditer(text, start, end):
        before = text[max(cur, m.start() - 60):m.start() + 1]
        word = re.search(r"(\S+)\.$", before)
        if word:
            token = word.group(1).lstrip("(\"“").lower()
            if token in _ABBREVIATIONS or re.fullmatch(r"(?:[a-z]\.)+[a-z]", token) or re.fullmatch(r"[a-z]", token):
                continue
            if re.fullmatch(r"\d{1,3}", token) and re.search(r"\b(?:clause|section|article|paragraph|no|schedule)\s+\d{1,3}\.$", before, re.I):
                continue
        spans.append((cur, m.end()))
        cur = m.end()
    spans.append((cur, end))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def _segments(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """Inline structure of flattened text: (start, end, label) for numbered sub-clauses run into
    one paragraph ("... as follows: 2.1 "X" means ... 2.2 ...")."""
    cuts = [m.end() for m in _INLINE_CLAUSE.finditer(text, start, end)]
    bounds = [start] + cuts + [end]
    out = []
    for a, b in zip(bounds, bounds[1:]):
        m = re.match(r"\s*(?:(?:Section|Clause|Article)\s+)?(\d{1,2}(?:\.\d{1,2}){0,3})\.?\s+", text[a:b]) if a != start else None
        label = m.group(1) if m else ""
        out.append((a + (m.end() if m else 0), b, label))
    return out


def _strip_inline_heading(text: str, start: int, end: int) -> tuple[int, str]:
    m = _INLINE_HEADING.match(text[start:end])
    if m and len(m.group("h")) <= 60 and not _DEFINITION.match(text[start:end]):
        h = m.group("h")
        # "The Company shall ..." is a sentence, not a heading: a heading has no verb-like lower-case run
        if not re.search(r"\b(?:shall|will|is|are|was|were|may|must|has|have|be|been|does|do|did|can)\b", h, re.I):
            return start + m.end(), h
    return start, ""


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s] in " \t\r\n":
        s += 1
    while e > s and text[e - 1] in " \t\r\n":
        e -= 1
    return s, e


def _heading_text(text: str, block: _Block) -> str:
    s, e = _trim(text, block.start, block.end)
    return text[s:e]


def _unit_role(unit_text: str, heading: str, recital: bool, preamble: bool) -> str:
    if recital or re.match(r"^\W*WHEREAS\b", unit_text):
        return "recital"
    if preamble and _PREAMBLE.search(unit_text):
        return "preamble"
    if _BOILER_TEXT.search(unit_text) or (heading and _boiler_heading(heading)):
        return "boilerplate"
    if _DEFINITION.match(unit_text):
        return "definition"
    return "operative"


def answer_units(text: str, headings: bool = False) -> list[Unit]:
    """Units of ``text`` an answer can quote, in order, with offsets into ``text``. Headings are
    context, not units, unless ``headings`` (a question asking for a document's title)."""
    units: list[Unit] = []
    heading = ""
    recital, preamble = False, True
    lead: tuple[int, int] | None = None  # a lead-in ending in ":", completed by the items that follow
    row_head = ""
    records: list[list[_Block]] = []

    def emit(s: int, e: int, kind: str, label: str = "", lead_span=None, head: str | None = None):
        s, e = _trim(text, s, e)
        body = text[s:e]
        if e <= s or len(body.split()) < 3 and kind in ("sentence", "item") and not re.search(r"\d", body):
            return
        if kind in ("sentence", "item") and _is_caps_heading(body):
            return
        h = heading if head is None else head
        ltext = text[lead_span[0]:lead_span[1]] if lead_span else ""
        role = _unit_role(body, h, recital, preamble)
        if kind in ("field", "record") and label.lower() in _BOILER_KEYS:
            role = "boilerplate"
        units.append(Unit(s, e, body, kind, label, h, lead_span, ltext, role))

    def flush_records():
        for group in records:
            if not group:
                continue
            keys = [text[b.start:b.end].split(":", 1)[0].strip() for b in group]
            firsts = [i for i, k in enumerate(keys) if k == keys[0]]
            if len(group) > 1 and len(firsts) > 1 and all(len(text[b.start:b.end]) < 200 for b in group):
                # "Composition: X / ISWC: ... / Writers and splits: ..." repeated: one record each
                bounds = firsts + [len(group)]
                for a, b in zip(bounds, bounds[1:]):
                    emit(group[a].start, group[b - 1].end, "record", keys[a])
            else:
                for b, k in zip(group, keys):
                    emit(b.start, b.end, "field", k, head=k if not heading else heading)
        records.clear()

    def sentences_of(s: int, e: int, label: str, kind: str):
        """Units of a clause or paragraph body: sentences, inline lists joined to their lead-in."""
        nonlocal lead
        for seg_s, seg_e, seg_label in _segments(text, s, e):
            seg_s, seg_h = _strip_inline_heading(text, seg_s, seg_e)
            head = " · ".join(x for x in (heading, seg_h) if x)
            item_cuts = [m.end() for m in _INLINE_ITEM.finditer(text, seg_s, seg_e)]
            pieces = [seg_s] + item_cuts + [seg_e]
            inline_lead = None
            for i, (a, b) in enumerate(zip(pieces, pieces[1:])):
                if i > 0:  # an inline item "(b) ..." after "...:" or ";"
                    m = re.match(r"\s*\(([^)]{1,5})\)\s*", text[a:b])
                    emit(a + (m.end() if m else 0), b, "item", f"({m.group(1)})" if m else "", inline_lead, head)
                    continue
                sents = _sentences(text, a, b)
                if item_cuts and sents:
                    # the sentence before the first inline item is its lead-in, not a unit of its own
                    *rest, last = sents
                    for ss, se in rest:
                        emit(ss, se, kind, seg_label or label, None, head)
                    inline_lead = last if text[last[0]:last[1]].rstrip().endswith(":") else None
                    if inline_lead is None:
                        emit(last[0], last[1], kind, seg_label or label, None, head)
                    continue
                for j, (ss, se) in enumerate(sents):
                    if j == len(sents) - 1 and text[ss:se].rstrip().endswith(":"):
                        lead = (ss, se)  # completed by the list items that follow
                        continue
                    emit(ss, se, kind, seg_label or label, None, head)

    blocks = _blocks(text)
    for bi, block in enumerate(blocks):
        btext = text[block.start:block.end]
        if block.kind != "kv":
            flush_records()
        if block.kind == "heading":
            if headings:
                units.append(Unit(*_trim(text, block.start, block.end), text=_heading_text(text, block), kind="heading",
                                  label=block.label, heading=heading, role="operative"))
            heading = block.heading_text or btext.strip()
            lead = None
            recital = bool(_RECITAL_HEAD.match(heading))
            if block.label or _RECITAL_HEAD.match(heading):
                preamble = False
            if _OPERATIVE_START.search(btext):
                recital = False
            continue
        if block.kind == "kv":
            if not records or blocks[bi - 1].kind != "kv":
                records.append([])
            records[-1].append(block)
            lead = None
            continue
        if block.kind == "row":
            cells = btext.strip().split(",")
            if cells[0].strip():
                row_head = ",".join(c for c in cells[:2] if c.strip())
                emit(block.start, block.end, "row", "", None)
            else:  # ",,Jonah Reyes,...": a continuation of the row above (another writer of the same work)
                emit(block.start, block.end, "row", "", None, head=row_head)
            lead = None
            continue
        if block.kind == "item":
            marker = block.label
            body_s, body_e = _trim(text, block.body, block.end)
            own_lead = lead
            if text[body_s:body_e].endswith(":"):
                lead = (body_s, body_e)  # an item that opens sub-items is their lead-in
                continue
            if body_e - body_s > 700:
                for ss, se in _sentences(text, body_s, body_e):
                    emit(ss, se, "item", marker, own_lead)
            else:
                emit(body_s, body_e, "item", marker, own_lead)
            continue
        # clause or paragraph
        if _OPERATIVE_START.search(btext):
            recital = False
        body = block.body if block.kind == "clause" else block.start
        if block.kind == "clause" and "." not in block.label:
            heading = ""  # "6. Other Terms. ...": a new top-level clause leaves the last one's heading
        lead = None
        sentences_of(body, block.end, block.label, "sentence")
        if block.kind == "clause":
            preamble = False
    flush_records()
    return units


# ---------------------------------------------------------------------------------------------
# Selection
# ---------------------------------------------------------------------------------------------
_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
_SUFFIXES = ("ations", "ation", "ments", "ment", "ings", "ing", "ies", "ied", "ers", "ors", "ees", "ed", "es", "er", "or", "ee", "s", "ly", "al", "y")


def _stem(word: str) -> str:
    word = word.replace("licence", "license").replace("'s", "")
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= (3 if suffix in ("ing", "ed", "s", "es") else 4):
            return word[: -len(suffix)]
    return word


def _tokens(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("’", "'"))


def _matches(term_stems: set[str], stems: set[str]) -> bool:
    if term_stems & stems:
        return True
    for t in term_stems:
        if len(t) >= 5 and any(s.startswith(t) or (len(s) >= 5 and t.startswith(s)) for s in stems):
            return True
    return False


_NAME = re.compile(r"[\"“]([^\"”]{2,80})[\"”]|\b[A-Z][\w&'’.-]*[A-Za-z0-9]|\b[A-Z]\b")
_QUESTION_OPENERS = frozenset("what when where who whom whose which why how does do did is are was were can could may must shall will would should has have had if under in on of for".split())


_DESCRIPTOR = re.compile(r"\b((?:[\w'’-]+\s+){1,2}?)(?:agreement|deal|contract|licen[cs]e|letter|amendment|side\s+letter)\b", re.I)


@dataclass
class _Term:
    word: str
    stems: set[str]
    name: bool
    weight: float = 1.0


def _question_terms(question: str) -> list[_Term]:
    names: set[str] = set()
    for m in _NAME.finditer(question):
        raw = m.group(1) or m.group(0)
        if m.start() == 0 and not m.group(1) and raw.lower() in _QUESTION_OPENERS | _Q_STOP:
            continue
        for w in _tokens(raw):
            names.add(w)
    for m in _DESCRIPTOR.finditer(question):
        for w in _tokens(m.group(1)):
            names.add(w)
    terms: list[_Term] = []
    seen = set()
    for w in _tokens(question):
        if len(w) <= 2 and w not in _SYNONYMS or w in _Q_STOP or w in seen:
            continue
        seen.add(w)
        alts = {w, *_SYNONYMS.get(w, ())}
        stems = {_stem(a) for a in alts for a in [a]} | {_stem(p) for a in alts for p in a.split("-") if len(p) > 3}
        is_name = w in names and not re.fullmatch(_COUNTRIES, w.title()) and not re.fullmatch(_COUNTRIES, w.upper())
        terms.append(_Term(w, stems, is_name))
    return terms


_WH = re.compile(r"\b(?:how\s+(?:much|many|long|often)|what|which|whose)\b", re.I)


def _focus(question: str) -> set[str]:
    """The words naming what is asked: "notice" in "How much notice ...", "administration fee" in
    "What administration fee does ...", "rate" in "What is the controlled composition rate"."""
    m = _WH.search(question)
    if not m:
        return set()
    words = _tokens(question[m.end():])
    out: list[str] = []
    for w in words:
        if w in _Q_STOP and w not in _SYNONYMS:
            if out:
                break
            continue
        out.append(w)
        if len(out) == 3:
            break
    return set(out)


def _term_positions(text: str, terms: Sequence[_Term], weights: dict[int, float] | None = None) -> list[int]:
    """Offsets in ``text`` of the words that match one of ``terms`` (into ``weights``, by offset,
    the weight of the term matched)."""
    out = []
    for m in _WORD.finditer(text.lower().replace("’", "'")):
        stem = _stem(m.group(0))
        hit = [t for t in terms if _matches(t.stems, {stem})]
        if hit:
            out.append(m.start())
            if weights is not None:
                weights[m.start()] = max(t.weight for t in hit)
    return out


def _identifiers(text: str) -> set[str]:
    return {re.sub(r"[^A-Z0-9]", "", m.group(0)) for m in IDENTIFIER.finditer(text.upper()) if re.search(r"\d", m.group(0))}


@dataclass
class Selection:
    """The unit chosen to answer, where it is, and the wanted fact in it.

    ``start``/``end`` (and ``lead_start``/``lead_end``, ``fact_start``/``fact_end``) are offsets
    into passage ``number``; ``unit_text == passage[start:end]``. ``signals`` are the features the
    score was made of, for an abstention model fitted elsewhere."""

    number: int
    unit_text: str
    start: int
    end: int
    fact_text: str
    kind: str
    score: float
    signals: dict = field(default_factory=dict)
    fact_start: int | None = None
    fact_end: int | None = None
    lead_text: str = ""
    lead_start: int | None = None
    lead_end: int | None = None
    label: str = ""
    heading: str = ""
    role: str = "operative"
    unit_kind: str = "sentence"

    @property
    def full_text(self) -> str:
        return f"{self.lead_text} {self.unit_text}" if self.lead_text else self.unit_text


# Score weights: coverage of the question's terms dominates; the rest order near-ties.
W_COVERAGE = 1.0
W_KIND = 0.35
W_STATES = 0.15
W_NEAR = 0.15
NEAR_CHARS = 60
W_DEFINES = 0.12
W_HEADING = 0.5  # a term in the unit's heading counts half
W_SIMILARITY = 0.6
W_IDENTIFIER = 0.8
W_CHANGE = 0.12
NAME_WEIGHT = 0.35  # a name that picks the document (a party, the artist) says little within it
OTHER_NAME_WEIGHT = 0.6  # other names (a work, a society) say what about, the plain words what is asked
ROLE_PENALTY = {"operative": 0.0, "definition": -0.12, "recital": -0.3, "preamble": -0.2, "boilerplate": -0.4}
RANK_PENALTY = 0.004
LONG_UNIT = 600
RELATIVE_DATE_SHARE = 0.75  # "when": a period after an event answers, a calendar date answers better
LONG_PENALTY = -0.08


def _kind_facts(facts: list[Fact], kinds: Sequence[str]) -> list[Fact]:
    return [f for f in facts if f.kind in kinds]


_TRADE_WORDS = frozenset("records recordings music digital publishing productions media entertainment group films sound "
                         "studios label audio songs distribution".split())
_COMPANY_FORMS = frozenset("ltd limited inc incorporated llc llp plc gmbh ag sa bv nv co corp corporation company the and of".split())


def named_in(question: str, party: str) -> bool:
    """Whether ``party`` ("Vantage Digital GmbH") is a name the question already uses ("after
    Vantage"): its distinctive words, company forms aside, all appear in the question."""
    words = [w for w in _tokens(party) if w not in _COMPANY_FORMS and len(w) > 1]
    q = {w.removesuffix("'s") for w in _tokens(question)}
    # every word but what a trade name adds ("Records", "Digital"): "Ferngrove" names Ferngrove
    # Records Ltd, "Ember Lane" does not name Ember Lane Music Holdings Ltd (another company)
    brand = [w for w in words if w not in _TRADE_WORDS] or words
    return bool(brand) and all(w in q for w in brand)


def _choose_fact(
    text: str, facts: list[Fact], want_order: list[str], term_positions: list[int], question: str,
    focus_positions: Sequence[int] = (), weights: dict[int, float] | None = None,
) -> tuple[Fact | None, str]:
    """The fact the question asks for in ``text`` (a unit, with its lead-in): of the first wanted
    kind present; the one after a change ("replaced with"), after the question's terms and a
    stating verb, not a reference ("Agreement dated ..."), else the first."""
    pools = [sorted(g) for k in want_order for g in _groups({k})]
    for pool in pools:
        cands = _kind_facts(facts, pool)
        if cands:
            break
    else:
        compatible = [c for k in want_order for c in _COMPATIBLE.get(k, ())]
        cands = _kind_facts(facts, compatible)
        if not cands:
            return None, ""
    asks_agreement_date = bool(re.search(r"\b(?:signed|dated|effective|made|entered)\b", question, re.I))

    def rank(f: Fact) -> float:
        before = text[max(0, f.start - 160):f.start]
        r = 0.0
        if _CHANGE.search(before[-60:]):
            r += 2.0
        if re.search(r"\bthe\s+words?\s*[\"“]?$", before, re.I) or re.search(r"\b(?:deleted|replaced)\b", text[f.end:f.end + 30]):
            r -= 1.5  # the old value an amendment deletes
        if any(p < f.start for p in term_positions) and any(f.start - p < 200 for p in term_positions if p < f.start):
            r += 1.0
        if any(0 <= f.start - p <= NEAR_CHARS or 0 <= p - f.end <= 25 or f.start <= p < f.end for p in focus_positions):
            r += 1.5  # next to the word naming what is asked: "ninety (90) days' written notice"
        if _STATING.search(before[-80:]):
            r += 0.5
        # the question's words in the same clause as the fact: "the commission on live income shall be 15%"
        cut = max((m.end() for m in re.finditer(r"[,;:(]|\bsave\s+that\b|\bprovided\s+that\b|\bexcept\b", before)), default=0)
        seg_start = f.start - len(before) + cut
        if any(0 < f.start - p <= 16 for p in term_positions):
            r += 0.5  # the word just before the fact governs it: "ending on 3 February 2026"
        in_clause = [p for p in term_positions if seg_start <= p < f.start]
        r += 0.4 * len(in_clause)
        if weights and in_clause:
            r += 0.1 * sum(weights.get(p, 0.0) for p in in_clause)  # rarer words say more
        if _DATED.search(before) and f.kind == "date" and not asks_agreement_date:
            r -= 1.0
        if f.kind == "permission" and re.match(r"(?i)may\b", f.text):
            r -= 0.3
        if f.kind == "party" and not re.search(r"\bpart(?:y|ies)\b|\bbetween\b", question, re.I) and named_in(question, f.text):
            r -= 3.0  # "Who is Ferngrove's distributor?" is not answered by "Ferngrove Records Ltd"
        if f.kind == "party" and re.fullmatch(r"\(\s*[\"“][^\"”]{1,40}[\"”]\s*\)", f.text.strip()):
            r -= 2.5  # '("Label")' is a role, not who holds it
        return r - 0.001 * f.start

    best = max(cands, key=rank)
    return best, best.kind


def _merge_close(text: str, chosen: Fact, facts: list[Fact], kinds: list[str]) -> Fact:
    """One span for the facts of several wanted kinds said together: "semi-annually within ninety
    (90) days after 30 June and 31 December"."""
    span = [chosen.start, chosen.end]
    others = [f for f in facts if f.kind in kinds and f.kind != chosen.kind]
    changed = True
    while changed:
        changed = False
        for f in others:
            if f.start >= span[0] and f.end <= span[1]:
                continue
            gap = text[span[1]:f.start] if f.start >= span[1] else text[f.end:span[0]] if f.end <= span[0] else ""
            if (f.start < span[1] and f.end > span[0]) or (len(gap) <= 16 and not re.search(r"[.;:()]", gap)):
                span = [min(span[0], f.start), max(span[1], f.end)]
                changed = True
    return Fact(chosen.kind, span[0], span[1], text[span[0]:span[1]])


@dataclass
class Candidate:
    """One unit of one passage, scored for a question (``eligible``: holds a wanted kind of fact)."""

    number: int
    rank: int  # the passage's place in ``passages``
    unit: Unit
    passage: str
    score: float
    signals: dict
    fact: Fact | None  # offsets into ``unit.full_text``
    eligible: bool


def _own_heading(u: Unit, passage: str) -> str:
    """The heading written on the unit's own line, just before it ("6.3 Synchronisation income."):
    it names the unit's subject as surely as its words do. A section heading further up names a
    whole section and counts for less (``W_HEADING``)."""
    own = u.heading.rsplit(" · ", 1)[-1].strip()
    if not own or u.lead:
        return ""
    before = passage[max(0, u.start - len(own) - 16):u.start]
    return own if own in before and "\n\n" not in before[before.rfind(own):] else ""


def candidates(question: str, passages: Sequence[tuple[int, str]], similarity: Similarity | None = None) -> list[Candidate]:
    """Every unit of ``passages`` ((number, text), best-ranked first) scored for ``question``, best
    first. A unit repeated in overlapping passages is scored once, in the best-ranked one."""
    want = wanted(question)
    want_order = [k for k in _ask_kinds(question) if k in want]
    groups = _groups(want)
    terms = _question_terms(question)
    focus = _focus(question)
    q_ids = _identifiers(question)
    asks_change = bool(re.search(r"\b(?:current|currently|now|latest|new|amended|increased|revised|extended|today)\b", question, re.I))
    asks_meaning = bool(re.search(r"\b(?:mean|means|meaning|defin\w+)\b", question, re.I))
    asks_parties = "party" in want and bool(re.search(r"\bpart(?:y|ies)\b|\bbetween\b", question, re.I))
    asks_made = bool(re.search(r"\b(?:signed|dated|made|entered\s+into|effective\s+date|date\s+of\s+the\s+agreement)\b", question, re.I))

    cands: list[tuple[int, int, Unit, str]] = []  # (number, rank, unit, passage text)
    seen: set[str] = set()
    asks_title = "title" in want
    for rank, (number, ptext) in enumerate(passages):
        for u in answer_units(ptext, headings=asks_title):
            key = " ".join(u.full_text.split())
            if key not in seen:
                seen.add(key)
                cands.append((number, rank, u, ptext))
    if not cands:
        return []

    # Term weights: rare in these passages = informative; a name that picks the document (it is in
    # the preamble, a title or a signature block) weighs little.
    unit_stems = []
    for _, _, u, ptext in cands:
        body = {_stem(w) for w in _tokens(u.full_text)}
        own = _own_heading(u, ptext)  # "6.3 Synchronisation income. The Publisher shall ...": its subject
        unit_stems.append((body | {_stem(w) for w in _tokens(own)}, {_stem(w) for w in _tokens(u.heading)}))
    n = len(cands)
    picking: set[str] = set()
    for (_, _, u, _), (body, _) in zip(cands, unit_stems):
        if u.role in ("preamble", "boilerplate"):
            picking |= body
    for _, ptext in passages:
        picking |= {_stem(w) for w in _tokens(ptext[:200])}
    for t in terms:
        df = sum(1 for body, head in unit_stems if _matches(t.stems, body | head))
        t.weight = math.log(1.0 + (n + 1) / (df + 0.5))
        if t.name:
            t.weight *= NAME_WEIGHT if _matches(t.stems, picking) else OTHER_NAME_WEIGHT
        elif t.word in _KIND_WORDS:
            t.weight *= KIND_WORD_WEIGHT
    total_weight = sum(t.weight for t in terms) or 1.0
    plain = [t for t in terms if not t.name]
    passage_stems = {number: {_stem(w) for w in _tokens(ptext)} for number, ptext in passages}

    sims: list[float] | None = None
    if similarity is not None:
        texts = [u.full_text if not u.heading else f"{u.heading}: {u.full_text}" for _, _, u, _ in cands]
        sims = [float(x) for x in similarity(question, texts)]

    out: list[Candidate] = []
    for i, (number, rank, u, ptext) in enumerate(cands):
        full = u.full_text
        facts = find_facts(full)
        kinds = {f.kind for f in facts}
        body, head = unit_stems[i]
        matched_body = [t for t in terms if _matches(t.stems, body)]
        matched_head = [t for t in terms if t not in matched_body and _matches(t.stems, head)]
        cov = (sum(t.weight for t in matched_body) + W_HEADING * sum(t.weight for t in matched_head)) / total_weight
        missing_plain = [t for t in plain if t not in matched_body and t not in matched_head]
        kind_share = 0.0
        for g in groups:
            if g & kinds:
                calendar = g != {"date"} or any(f.kind == "date" and not _is_relative(f.text) for f in facts)
                kind_share += (1.0 if calendar else RELATIVE_DATE_SHARE) / len(groups)
            elif {c for k in g for c in _COMPATIBLE.get(k, ())} & kinds:
                kind_share += 0.5 / len(groups)
        # where the question's terms are in the unit, for "states the term" cues
        weights: dict[int, float] = {}
        positions = _term_positions(full, [t for t in matched_body if not t.name], weights)
        focus_pos = _term_positions(full, [t for t in matched_body if t.word in focus]) if focus else []
        fact, _ = _choose_fact(full, facts, want_order, positions, question, focus_pos, weights) if want else (None, "")
        if fact is not None and len(groups) > 1:
            fact = _merge_close(full, fact, facts, want_order)
        states = near = 0.0
        if fact is not None:
            before = full[:fact.start]
            verb = _STATING.search(before[-100:]) is not None
            term_first = any(p < fact.start for p in positions)
            states = 1.0 if verb and term_first else 0.5 if verb or term_first else 0.0
            if any(0 <= fact.start - p <= NEAR_CHARS or fact.start <= p < fact.end for p in positions):
                near = 1.0  # "an advance of £75,000", "the Territory is the World"
            elif any(0 <= p - fact.end <= NEAR_CHARS // 2 for p in positions):
                near = 0.5
        defines = 0.0
        for d in re.findall(r"[\"“]([^\"”]{2,60})[\"”]", full):
            words = [w for w in _tokens(d) if len(w) > 2]
            dstems = {_stem(w) for w in words}
            if dstems and sum(1 for t in plain if _matches(t.stems, dstems)) >= max(1, len(words) // 2):
                defines = 1.0  # it defines a term the question uses: (the "Controlled Composition Rate")
                break
        role = u.role
        penalty = ROLE_PENALTY.get(role, 0.0)
        if role == "definition":
            m = _DEFINITION.match(u.text)
            dterm = {_stem(w) for w in _tokens(m.group("t"))} if m else set()
            if asks_meaning or (dterm and any(_matches(t.stems, dterm) for t in plain)):
                penalty = 0.0
        if role == "preamble" and (asks_parties or asks_made or asks_title):
            penalty = 0.1 if not asks_title else 0.0
        if role == "boilerplate" and asks_made and "date" in kinds:
            penalty = 0.0  # "Date: 29/3/18" under a signature says when it was signed
        change = W_CHANGE if asks_change and _CHANGE.search(full) else 0.0
        ident = 0.0
        if q_ids:
            compact = re.sub(r"[^A-Z0-9]", "", full.upper())
            ident = 1.0 if any(x in compact for x in q_ids) else 0.0
        sim = sims[i] if sims is not None else 0.0
        long_pen = LONG_PENALTY if len(full) > LONG_UNIT else 0.0
        score = (W_COVERAGE * cov + W_KIND * kind_share + W_STATES * states + W_NEAR * near + W_DEFINES * defines
                 + W_SIMILARITY * sim + W_IDENTIFIER * ident + change + penalty + long_pen - RANK_PENALTY * rank)
        signals = {
            "coverage": round(cov, 4),
            "terms": len(terms),
            "terms_matched": len(matched_body) + len(matched_head),
            "plain_terms_missing": len(missing_plain),
            "names_missing": sum(1 for t in terms if t.name and t not in matched_body and t not in matched_head),
            "names_missing_in_passage": sum(1 for t in terms if t.name and not _matches(t.stems, passage_stems[number])),
            "missing_weight": round(sum(t.weight for t in missing_plain) / total_weight, 4),
            "kind_share": round(kind_share, 4),
            "wanted": sorted(want),
            "kinds": sorted(kinds),
            "states": states,
            "near": near,
            "defines": defines,
            "role": role,
            "role_penalty": penalty,
            "change": change,
            "identifier": ident,
            "similarity": round(sim, 4) if sims is not None else None,
            "passage_rank": rank,
            "unit_chars": len(full),
            "units": n,
            "score": round(score, 4),
        }
        out.append(Candidate(number, rank, u, ptext, score, signals, fact, not want or kind_share > 0))
    out.sort(key=lambda c: -c.score)
    return out


def select(question: str, passages: Sequence[tuple[int, str]], similarity: Similarity | None = None) -> Selection | None:
    """The unit of ``passages`` ((number, text), best-ranked first) that best answers ``question``.

    None when the question wants a kind of fact (a date, an amount ...) that no unit holds, or when
    nothing in the passages relates to the question at all (no shared term, identifier or
    similarity). ``signals`` carry the winner's features and its ``margin`` over the runner-up."""
    ranked = candidates(question, passages, similarity)
    eligible = [c for c in ranked if c.eligible]
    if not eligible:
        return None
    best = eligible[0]
    sig = dict(best.signals)
    if not sig["wanted"] and not sig["identifier"] and sig["coverage"] <= 0 and sig["similarity"] is None:
        return None
    runner = eligible[1].score if len(eligible) > 1 else 0.0
    sig["margin"] = round(best.score - runner, 4)
    sig["eligible_units"] = len(eligible)
    u, ptext, fact = best.unit, best.passage, best.fact
    fact_start = fact_end = None
    if fact is not None:
        # offsets in the passage: ``full_text`` is the lead-in, a space, then the unit
        lead_len = len(u.lead_text) + 1 if u.lead_text else 0
        if u.lead and fact.start < lead_len - 1:
            fact_start, fact_end = u.lead[0] + fact.start, u.lead[0] + min(fact.end, lead_len - 1)
        elif fact.start >= lead_len:
            fact_start, fact_end = u.start + fact.start - lead_len, u.start + fact.end - lead_len
    fact_text = ptext[fact_start:fact_end] if fact_start is not None else ""
    return Selection(
        number=best.number,
        unit_text=u.text,
        start=u.start,
        end=u.end,
        fact_text=fact_text,
        kind=fact.kind if fact is not None and fact_text else "",
        score=round(best.score, 4),
        signals=sig,
        fact_start=fact_start,
        fact_end=fact_end,
        lead_text=u.lead_text,
        lead_start=u.lead[0] if u.lead else None,
        lead_end=u.lead[1] if u.lead else None,
        label=u.label,
        heading=u.heading,
        role=u.role,
        unit_kind=u.kind,
    )


# ---------------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------------


@dataclass
class Rendered:
    """The answer text, and where in it the fact stands (for highlighting); ``quotes`` are the
    quoted pieces, each verbatim from the cited passage."""

    text: str
    fact_text: str = ""
    fact_start: int | None = None  # offsets in ``text``
    fact_end: int | None = None
    quotes: list[str] = field(default_factory=list)


SHORT_ANSWER_KINDS = frozenset({"date", "money", "percent", "duration", "territory", "law", "frequency", "title", "count"})
MAX_QUOTE_CHARS = 600


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _pieces(text: str) -> list[str]:
    """``text`` cut where the citation checker cuts sentences, so each piece can be its own quote
    and no piece is left without the marker."""
    return [c.sentence for c in split_claims(_one_line(text))] or [_one_line(text)]


def _window(text: str, start: int, end: int, limit: int) -> str:
    """The sentence-piece of ``text`` holding [start, end), cut to ``limit`` characters at words."""
    pos = 0
    flat = text
    for piece in _pieces(flat):
        i = flat.find(piece, pos)
        if i <= start < i + len(piece) + 1:
            if len(piece) <= limit:
                return piece
            a = max(0, start - i - limit // 2)
            chunk = piece[a:a + limit]
            if a > 0:
                chunk = chunk.split(" ", 1)[-1]
            if a + limit < len(piece):
                chunk = chunk.rsplit(" ", 1)[0]
            return chunk
        pos = max(pos, i + 1)
    return text[:limit].rsplit(" ", 1)[0]


def _compose(sel: Selection, prefix: str, quote_sets: list[list[str]]) -> Rendered:
    parts, quotes = [], []
    for k, pieces in enumerate(quote_sets):
        if k:
            parts.append("…")
        for p in pieces:
            parts.append(f"“{p}”")
            quotes.append(p)
    body = " ".join(parts) + f" [{sel.number}]"
    if prefix:
        text = f"{prefix} — {body}"
        return Rendered(text, prefix, 0, len(prefix), quotes)
    fact = _one_line(sel.fact_text)
    at = body.find(fact) if fact else -1
    if at < 0:
        return Rendered(body, "", None, None, quotes)
    return Rendered(body, fact, at, at + len(fact), quotes)


def rendered(selection: Selection) -> Rendered:
    """The answer for ``selection``: the fact first when it is clear ("31 December 2027 — “…the
    Term shall expire on 31 December 2027.” [2]"), then the unit's own words, its lead-in
    first for a list item. Checked with ``check_answer`` against the unit itself, so it holds for
    the passage the unit came from; a form that fails (a long unit repeating itself) gives way to a
    shorter one."""
    sel = selection
    fact = _one_line(sel.fact_text).strip(" ,;:.")
    unit = _one_line(sel.unit_text)
    lead = _one_line(sel.lead_text)
    support = {sel.number: f"{sel.lead_text}\n{sel.unit_text}" if sel.lead_text else sel.unit_text}
    short = fact if fact and sel.kind in SHORT_ANSWER_KINDS and sel.unit_kind not in ("row", "record") and len(fact) <= 160 else ""

    def sets(unit_text: str) -> list[list[str]]:
        out = []
        if lead:
            out.append(_pieces(_window(lead, len(lead) - 1, len(lead), MAX_QUOTE_CHARS // 2) if len(lead) > MAX_QUOTE_CHARS // 2 else lead))
        out.append(_pieces(unit_text))
        return out

    # a long unit: the sentence-piece around the fact
    focus = unit
    if len(unit) > MAX_QUOTE_CHARS:
        where = unit.find(_one_line(sel.fact_text)) if sel.fact_text else -1
        focus = _window(unit, max(where, 0), max(where, 0) + len(fact), MAX_QUOTE_CHARS)
    variants = [(short, sets(focus)), ("", sets(focus))]
    if sel.fact_text:
        where = unit.find(_one_line(sel.fact_text))
        if where >= 0:
            variants.append(("", [_pieces(_window(unit, where, where + len(fact), 300))]))
    variants.append(("", [_pieces(unit[:300].rsplit(" ", 1)[0] if len(unit) > 300 else unit)]))
    where = max(unit.find(_one_line(sel.fact_text)), 0) if sel.fact_text else 0
    for limit in (200, 120, 80, 50):  # a unit that repeats itself: a shorter window around the fact
        variants.append(("", [_pieces(_window(unit, where, where + len(fact), limit))]))
    for prefix, quote_sets in variants:
        out = _compose(sel, prefix, quote_sets)
        if check_answer(out.text, support).ok:
            return out
    return _compose(sel, "", [_pieces(focus)])


def render(selection: Selection) -> str:
    """The answer text for ``selection`` (see ``rendered``)."""
    return rendered(selection).text
