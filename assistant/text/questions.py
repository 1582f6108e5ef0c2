"""What a question asks for: the kinds of fact it wants (``wanted``: "when" wants a date, "how much"
money ...), the subjects it names that a text may lack (``subjects_missing``: "sync in Japan"
against a clause about the World), and which kinds half-answer another.
"""

from __future__ import annotations

import re

from assistant.text.kinds import TITLE_ASK

WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
_SUFFIXES = ("ations", "ation", "ments", "ment", "ings", "ing", "ies", "ied", "ers", "ors", "ees", "ed", "es", "er", "or", "ee", "s", "ly", "al", "y")


def word_stem(word: str) -> str:
    word = word.replace("licence", "license").replace("'s", "")
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= (3 if suffix in ("ing", "ed", "s", "es") else 4):
            return word[: -len(suffix)]
    if len(word) == 4 and word.endswith("ed") and word[1] not in "aeiou":
        return word[:-1]  # "used" is "use", "owed" is "owe" (too short for the "-ed" rule; "need" stays)
    return word


def word_tokens(text: str) -> list[str]:
    return WORD.findall(text.lower().replace("’", "'"))


def stems_match(term_stems: set[str], stems: set[str]) -> bool:
    if term_stems & stems:
        return True
    for t in term_stems:
        if len(t) >= 5 and any(s.startswith(t) or (len(s) >= 5 and t.startswith(s)) for s in stems):
            return True
    return False

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
QUESTION_STOPWORDS = frozenset(
    """a an the of to in on for by with and or is are was were be been this that these those it its as at from under any all not no
    shall will may which who whom whose what when where how does do did has have had i you we they he she there their them his her
    our us me my can could would should might much many often long get gets got give gives given take takes need needs according
    deal agreement contract say says said tell show current currently now today still exactly between party parties either
    anyone any""".split()
)
# Words that say which kind of value is asked, not which one: in "What share of sync income ...",
# "sync" picks the clause; any clause with a percentage has a "share".
KIND_WORDS = frozenset("share shares percentage percent amount sum figure number value rate".split())
KIND_WORD_WEIGHT = 0.5
SYNONYMS: dict[str, tuple[str, ...]] = {
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
ABBREVIATIONS = frozenset(
    """no nos ltd inc co corp mr mrs ms dr st jr sr e.g i.e etc vs v cl para paras art arts sec secs approx p pp fig
    u.s u.k b.v n.v k.k s.a l.l.c l.p jan feb mar apr jun jul aug sep sept oct nov dec ref refs viz cf al est a.m p.m""".split()
)
_LAST_WORD = re.compile(r"(\S+)$")


def ends_abbreviation(text: str, stop: int) -> bool:
    """Whether the full stop at ``text[stop]`` ends an abbreviation ("11:59 p.m.", "No.") or an
    initial ("J. Smith") rather than a sentence."""
    m = _LAST_WORD.search(text, max(0, stop - 12), stop)
    word = m.group(1).lstrip("(\"“'").lower() if m else ""
    return word in ABBREVIATIONS or (len(word) == 1 and word.isalpha())
STATING = re.compile(
    r"\b(?:shall|will|is|are|was|were|means|mean|has|have|equals?)\b|\b(?:retain|receiv|pay|paid|credit|charg|expir|end|terminat|commenc|"
    r"run|revert|govern|grant|entitl|account|render|requir|extend|increas|reduc|replac|amend|be)\w*",
    re.I,
)
CHANGE_PHRASE = re.compile(r"\b(?:replaced\s+(?:with|by)|substituted\s+(?:with|by)|amended\s+to(?:\s+read)?|increased\s+to|reduced\s+to|extended\s+to|changed\s+to|now\s+reads?)\b", re.I)
DATED_REFERENCE = re.compile(r"\b(?:dated|of|agreement\s+dated|letter\s+dated|emails?\s+of)\s*$", re.I)


_EXAMPLES = re.compile(r"\((?:e\.g\.|i\.e\.|for\s+example|such\s+as|including)[^)]*\)", re.I)


def asked_kinds(question: str) -> list[str]:
    if TITLE_ASK.search(question):
        return ["title"]
    question = _EXAMPLES.sub(" ", question)  # "(e.g. royalty or payment statements)" names examples, not the ask
    question = _PLACE_IN_NAME.sub(" ", question)  # "the Low Country album", "World Circuit Records": names, not places asked
    return [kind for kind, pattern in _ASKS if pattern.search(question)]


# a place word inside a capitalised name (an album, a label, a film) asks for no territory
_PLACE_IN_NAME = re.compile(r"\b(?:[A-Z][\w'’-]*\s+)+(?:Country|Countries|World|Region|Nation)\b(?:\s+[A-Z][\w'’-]*)*"
                            r"|\b(?:Country|World|Region|Nation)(?:\s+(?!Territory\b)[A-Z][\w'’-]*)+")


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
    # an advance paid, never "approved in advance" or "advance notice"
    (r"(?<!\bin\s)advances?(?!\s+notice)", r"(?<!\bin\s)advances?(?!\s+notice)|signing\s+(?:fee|bonus)|minimum\s+guarantee"),
    # who produced a recording: documents that never speak of producing cannot say
    (r"produc(?:ed|ers?)", r"produc\w*"),
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
        stem = re.escape(word_stem(noun))
        forms = rf"{ordinal}|{n}(?:nd|rd|th)|{stem}\w*\s+(?:no\.?\s*)?(?:{n}|{_NUMBER_WORDS[n]})\b|(?:{n}|{_NUMBER_WORDS[n]})\s+(?:\(\d+\)\s+)?{stem}\w*"
        if not re.search(rf"\b(?:{forms})", text, re.I):
            missing.append(f"{word} {noun}")
    return missing


def wanted(question: str) -> set[str]:
    """The kinds of fact ``question`` asks for (several at once for "how often and when ...")."""
    kinds = set(asked_kinds(question))
    if TITLE_ASK.search(question):
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


# What is only ever a sum: an advance, a signing fee, a minimum guarantee, a budget. A rate does
# not answer "How much is the advance?" (a royalty of 70% is not an advance).
AMOUNT_ONLY = re.compile(r"\badvances?\b|\bsigning\s+(?:fee|bonus)\b|\bminimum\s+guarantee\b|\blump\s+sum\b|\bbudget\b", re.I)


def kind_groups(want: set[str], question: str = "") -> list[set[str]]:
    """What must be answered, each group satisfied by any of its kinds: an amount or a rate are
    one ask ("what fee": "15% of Gross Receipts" answers it as well as "£500" would), except for
    what is only ever a sum (``AMOUNT_ONLY``)."""
    out: list[set[str]] = []
    money = want & {"money", "percent"}
    if money == {"percent"}:
        out.append({"percent"})  # a royalty, rate or share is a rate: a lump sum does not answer it
    elif money == {"money"} and AMOUNT_ONLY.search(question):
        out.append({"money"})
    elif money:
        out.append(money | {"money", "percent"})
    out += [{k} for k in sorted(want - {"money", "percent"})]
    return out


# Kinds that half-answer a question asking for another: "when" by a period ("90 days after
# signature"), "how long" by a date ("until 9 June 2034"), "how often" by the due dates.
COMPATIBLE_KINDS = {
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


# Where an account stands, not what a contract says: "How much of the advance has been recouped so
# far?", "What is the unrecouped balance?". A contract states the terms (the advance, the rate);
# only a statement or a ledger says how the account stands, so a clause never answers this.
_ACCOUNT_STATUS = re.compile(r"\bso\s+far\b|\bto\s+date\b|\bas\s+(?:of|at)\s+(?:now|today)\b|"
                             r"\b(?:has|have)\s+(?:already\s+)?been\s+(?:recouped|paid\s+(?:out|back)|earned\s+out)\b|"
                             r"\bunrecouped\b|\b(?:outstanding|remaining)\s+balance\b|\bbalance\s+(?:left|remaining|outstanding)\b", re.I)
_STATES_ACCOUNT = re.compile(r"\bbalance\b|\bunrecouped\b|\b(?:recouped|paid|earned)\s+(?:to\s+date|so\s+far)\b|\bto\s+date\b|"
                             r"\bstatement\s+(?:period|balance)\b|\bclosing\b", re.I)


def asks_account_status(question: str, unit: str) -> bool:
    """Whether ``question`` asks how an account stands and ``unit`` (the passage chosen to answer)
    only states contract terms."""
    return bool(_ACCOUNT_STATUS.search(question)) and not _STATES_ACCOUNT.search(unit)
