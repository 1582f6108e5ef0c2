"""Numbers, durations and money as contracts write them, normalised: "twenty-five thousand",
"a thirty-day notice", "GBP 20,000 (twenty thousand pounds)".
"""

from __future__ import annotations

import re

from assistant.contracts import dates as datecalc

# ---------------------------------------------------------------------------------------------
# Normalising values
# ---------------------------------------------------------------------------------------------
_NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "a": 1, "an": 1,
}
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
_FRACTIONS = {"half": 0.5, "quarter": 0.25}


def words_number(text: str) -> float | None:
    """"twelve and a half" -> 12.5, "one hundred and twenty" -> 120, "forty-five thousand" ->
    45000; None when ``text`` holds no number word."""
    total = current = 0.0
    seen = False
    words = re.findall(r"[a-z]+", text.lower().replace("one-half", "half"))
    for i, w in enumerate(words):
        if w in ("a", "an"):
            nxt = words[i + 1] if i + 1 < len(words) else ""
            if seen or (nxt in _NUMBER_WORDS and nxt not in ("a", "an")):
                continue  # "twelve and a half", "a thirty-day period": not a one
            if nxt not in _SCALES and nxt not in _FRACTIONS and nxt != "hundred":
                current += 1  # "a year"
                seen = True
            continue
        if w in _NUMBER_WORDS:
            seen = True
            current += _NUMBER_WORDS[w]
        elif w == "hundred":
            current = (current or 1) * 100
            seen = True
        elif w in _SCALES:
            total += (current or 1) * _SCALES[w]
            current = 0
            seen = True
        elif w in _FRACTIONS and seen:
            current += _FRACTIONS[w]
        elif w == "and":
            continue
        elif seen:
            break
    return total + current if seen else None


def number_in(text: str) -> float | None:
    """The number a fact states: the figure in brackets ("ninety (90) days"), else the first
    figure, else its number words."""
    m = re.search(r"\(\s*(\d[\d,]*(?:\.\d+)?)\s*%?\s*\)", text) or re.search(r"(?<![\w.])(\d[\d,]*(?:\.\d+)?)", text)
    if m:
        return float(m.group(1).replace(",", ""))
    return words_number(text)


_UNIT_WORDS = [
    (re.compile(r"\b(?:business|working)\s+days?\b", re.I), "business day", 1),
    (re.compile(r"\bdays?\b", re.I), "day", 1),
    (re.compile(r"\bweeks?\b", re.I), "week", 1),
    (re.compile(r"\bmonths?\b", re.I), "month", 1),
    (re.compile(r"\bquarters?\b", re.I), "month", 3),
    (re.compile(r"\byears?\b|\bannual(?:ly)?\b", re.I), "year", 1),
]
# "a thirty-day notice", "a 90-day period", "a one-year term": hyphenated forms the recognisers skip
HYPHEN_DURATION = re.compile(
    r"\b(?:\d+|(?:[a-z]+-)?(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|"
    r"forty|forty-five|sixty|ninety|hundred|eighty|seventy|fifty))[-\s](?:business[-\s])?(?:day|week|month|year)\b", re.I)


def parse_duration(text: str) -> datecalc.Duration | None:
    """``Duration`` of "ninety (90) days' written notice", "twelve (12) months", "3 years",
    "thirty-day", "one (1) quarter" (3 months); None when no number and unit are found."""
    n = number_in(text)
    if n is None:
        return None
    for pattern, unit, mult in _UNIT_WORDS:
        if pattern.search(text):
            return datecalc.Duration(n * mult if unit != "business day" else n, unit)
    return None


_CURRENCY_SIGNS = [("US$", "USD"), ("U.S.$", "USD"), ("C$", "CAD"), ("A$", "AUD"), ("£", "GBP"), ("€", "EUR"),
                   ("¥", "JPY"), ("$", "USD")]
_CURRENCY_WORDS = [
    (re.compile(r"\bcanadian\s+dollars?", re.I), "CAD"), (re.compile(r"\baustralian\s+dollars?", re.I), "AUD"),
    (re.compile(r"\bhong\s+kong\s+dollars?", re.I), "HKD"), (re.compile(r"\bnew\s+zealand\s+dollars?", re.I), "NZD"),
    (re.compile(r"\bdollars?\b", re.I), "USD"), (re.compile(r"\bpounds?\b|\bsterling\b", re.I), "GBP"),
    (re.compile(r"\beuros?\b", re.I), "EUR"), (re.compile(r"\byen\b", re.I), "JPY"),
    (re.compile(r"\bswiss\s+francs?\b", re.I), "CHF"), (re.compile(r"\bkron(?:a|or)\b", re.I), "SEK"),
    (re.compile(r"\brupees?\b", re.I), "INR"),
]
_CODE = re.compile(r"\b(USD|GBP|EUR|JPY|CAD|AUD|CHF|SEK|NOK|DKK|CNY|RMB|INR|HKD|SGD|NZD)\b")


def parse_money(text: str) -> dict | None:
    """{"amount", "currency"} of "£45,000 (forty-five thousand pounds)", "EUR 48,212.50",
    "$1.5 million", "five million yen"; None without an amount."""
    currency = None
    for sign, code in _CURRENCY_SIGNS:
        if sign in text:
            currency = code
            break
    if currency is None:
        m = _CODE.search(text)
        currency = ("CNY" if m.group(1) == "RMB" else m.group(1)) if m else None
    if currency is None:
        currency = next((code for p, code in _CURRENCY_WORDS if p.search(text)), None)
    m = re.search(r"(\d[\d,]*(?:\.\d+)?)\s*(million|billion|thousand|m|bn|k)?\b", text, re.I)
    if m:
        amount = float(m.group(1).replace(",", ""))
        scale = (m.group(2) or "").lower()
        amount *= {"million": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9, "thousand": 1e3, "k": 1e3}.get(scale, 1)
    else:
        words = words_number(text)
        if words is None:
            return None
        amount = words
    amount = int(amount) if float(amount).is_integer() else round(amount, 2)
    return {"amount": amount, "currency": currency}


def money_text(value: dict) -> str:
    amount = value.get("amount")
    number = f"{amount:,.2f}" if isinstance(amount, float) and not float(amount).is_integer() else f"{int(amount or 0):,}"
    return f"{value.get('currency') or ''} {number}".strip()
