"""The kinds of fact a contract answer can be asked for, found in text: date, money, percent,
party, territory, duration, permission, law, frequency, title, count.

``find_facts`` returns every such fact with its span (one :class:`~assistant.text.facts.Fact`
type for all fact finding); ``kinds_in`` says which kinds a text holds. Pure regular
expressions, bounded so that no input backtracks for long.
"""

from __future__ import annotations

import re

from assistant.text.facts import Fact
from ingest.metadata import find_dates

KINDS = ("date", "money", "percent", "party", "territory", "duration", "permission", "law", "frequency", "title", "count")

NUMBER_WORD = (
    r"(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    r"sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|"
    r"thousand|million|billion|half|one-half|quarter|one-quarter)"
)
_NW = rf"{NUMBER_WORD}(?:(?:-|\s+(?:and\s+)?|\s+and\s+a\s+){NUMBER_WORD}){{0,8}}"  # bounded: no backtracking blow-up
# "three (3) Albums", "two (2) options", "12 Masters": a number and what it counts (a period of
# time is a duration, not a count).
_COUNT = re.compile(rf"\b(?:{_NW}|\d{{1,4}})(?:\s*\(\d{{1,4}}\))?\s+(?!(?:days?|weeks?|months?|years?|hours?|minutes?|seconds?|per\b|percent|business)\b)"
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
    re.compile(r"\b\d+(?:\.\d+)?\s+(?:percentage\s+|royalty\s+)?points?\b", re.I),
    # a producer's or artist's royalty in points: "three (3) points", "four and a half points"
    re.compile(rf"\b{_NW}(?:\s*\(\s*\d+(?:\.\d+)?\s*\))?\s+(?:percentage\s+|royalty\s+)?points?\b(?!\s+of\s+(?:contact|sale|view|order))", re.I),
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
    rf"(?:\b{_NW}\s*\(\s*\d+\s*\)|\b\d+|\b{_NW})\s+(?:(?:further|additional|extra)\s+)?{_UNIT_OF_TIME}"
    r"|\bin\s+perpetuity\b|\bperpetual(?:ly)?\b|\bfor\s+the\s+(?:full\s+)?(?:life|period|term)\s+of\s+copyright\b",
    re.I,
)
# a running time: "two (2) minutes and ten (10) seconds" of a recording used in a film, an advert's "30 seconds"
_CLOCK_NUMBER = rf"(?:\b{_NW}\s*\(\s*\d+\s*\)|\b\d+|\b{_NW})"
_RUNNING_TIME = re.compile(
    rf"{_CLOCK_NUMBER}\s+(?:hours?|minutes?|seconds?)\b(?:\s*(?:,|and|,\s*and)\s*{_CLOCK_NUMBER}\s+(?:minutes?|seconds?)\b){{0,2}}",
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
COUNTRIES = (
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
_PLACE = rf"(?:the\s+)?(?:World|world|Universe|universe|{COUNTRIES})\b"
_TERRITORY = re.compile(
    rf"(?:\bthe\s+(?:World|world|Universe|universe)\b|\bworld-?wide\b|\bthroughout\s+the\s+world\b|(?<![\w-])(?:{COUNTRIES})\b)"
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
TITLE_ASK = re.compile(
    r"\b(?:title|name)\s+of\s+(?:the|this|that)\s+(?:\w+\s+)?(?:agreement|contract|document|licen[cs]e|deal)\b|"
    r"\bwhat\s+is\s+(?:the|this)\s+(?:agreement|document|contract)\s+called\b|\bdocument\s+name\b",
    re.I,
)


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
    durations += _spans(_RUNNING_TIME, text)
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


def is_relative_date(date_text: str) -> bool:
    """A date given as a period after an event ("fifteen (15) years after the end of the Term")."""
    return bool(_DURATION.match(date_text))


def kinds_in(text: str) -> set[str]:
    """Which kinds of fact ``text`` holds (see ``KINDS``)."""
    return {f.kind for f in find_facts(text)}
