"""Territories and jurisdictions as ISO 3166 codes: "the World excluding Japan" is
{"include": ["WW"], "exclude": ["JP"]}; "the laws of the State of New York" is US-NY.
"""

from __future__ import annotations

import re

# Territories: names the recognisers know, as ISO 3166 codes (WW: the World; groups expanded).
_ISO: dict[str, list[str]] = {
    "world": ["WW"], "universe": ["WW"], "worldwide": ["WW"], "world-wide": ["WW"], "throughout the world": ["WW"],
    "united kingdom": ["GB"], "uk": ["GB"], "u.k.": ["GB"], "great britain": ["GB"], "england": ["GB-ENG"],
    "scotland": ["GB-SCT"], "wales": ["GB-WLS"], "northern ireland": ["GB-NIR"], "ireland": ["IE"],
    "united states": ["US"], "united states of america": ["US"], "usa": ["US"], "u.s.": ["US"], "u.s.a.": ["US"],
    "u.s.a": ["US"], "canada": ["CA"], "mexico": ["MX"], "brazil": ["BR"], "argentina": ["AR"], "chile": ["CL"],
    "colombia": ["CO"], "peru": ["PE"], "uruguay": ["UY"], "venezuela": ["VE"], "ecuador": ["EC"], "bolivia": ["BO"],
    "paraguay": ["PY"], "panama": ["PA"], "costa rica": ["CR"], "guatemala": ["GT"], "honduras": ["HN"],
    "el salvador": ["SV"], "cuba": ["CU"], "dominican republic": ["DO"], "jamaica": ["JM"], "puerto rico": ["PR"],
    "france": ["FR"], "germany": ["DE"], "italy": ["IT"], "spain": ["ES"], "portugal": ["PT"], "netherlands": ["NL"],
    "belgium": ["BE"], "luxembourg": ["LU"], "switzerland": ["CH"], "austria": ["AT"], "liechtenstein": ["LI"],
    "monaco": ["MC"], "andorra": ["AD"], "malta": ["MT"], "cyprus": ["CY"], "greece": ["GR"], "turkey": ["TR"],
    "türkiye": ["TR"], "denmark": ["DK"], "norway": ["NO"], "sweden": ["SE"], "finland": ["FI"], "iceland": ["IS"],
    "estonia": ["EE"], "latvia": ["LV"], "lithuania": ["LT"], "poland": ["PL"], "czech republic": ["CZ"],
    "czechia": ["CZ"], "slovakia": ["SK"], "slovenia": ["SI"], "hungary": ["HU"], "romania": ["RO"],
    "bulgaria": ["BG"], "croatia": ["HR"], "serbia": ["RS"], "bosnia": ["BA"], "montenegro": ["ME"], "albania": ["AL"],
    "moldova": ["MD"], "ukraine": ["UA"], "belarus": ["BY"], "russia": ["RU"], "georgia": ["GE"], "armenia": ["AM"],
    "azerbaijan": ["AZ"], "kazakhstan": ["KZ"], "mongolia": ["MN"], "china": ["CN"], "hong kong": ["HK"],
    "macau": ["MO"], "taiwan": ["TW"], "japan": ["JP"], "korea": ["KR"], "south korea": ["KR"], "india": ["IN"],
    "pakistan": ["PK"], "bangladesh": ["BD"], "sri lanka": ["LK"], "afghanistan": ["AF"], "iran": ["IR"],
    "iraq": ["IQ"], "israel": ["IL"], "jordan": ["JO"], "lebanon": ["LB"], "saudi arabia": ["SA"], "kuwait": ["KW"],
    "qatar": ["QA"], "bahrain": ["BH"], "oman": ["OM"], "united arab emirates": ["AE"], "uae": ["AE"],
    "thailand": ["TH"], "vietnam": ["VN"], "cambodia": ["KH"], "malaysia": ["MY"], "singapore": ["SG"],
    "indonesia": ["ID"], "philippines": ["PH"], "australia": ["AU"], "new zealand": ["NZ"], "south africa": ["ZA"],
    "nigeria": ["NG"], "ghana": ["GH"], "kenya": ["KE"], "ethiopia": ["ET"], "egypt": ["EG"], "morocco": ["MA"],
    "tunisia": ["TN"], "algeria": ["DZ"], "angola": ["AO"], "cameroon": ["CM"], "bahamas": ["BS"],
    # groups and regions: EU/EEA as such; the rest by their members or UN M49 region codes
    "eu": ["EU"], "european union": ["EU"], "eea": ["EEA"], "european economic area": ["EEA"], "europe": ["150"],
    "asia": ["142"], "africa": ["002"], "oceania": ["009"], "north america": ["US", "CA"], "south america": ["005"],
    "latin america": ["419"], "central america": ["013"], "caribbean": ["029"], "middle east": ["145"],
    "scandinavia": ["DK", "NO", "SE"], "nordics": ["DK", "FI", "IS", "NO", "SE"], "benelux": ["BE", "NL", "LU"],
    "gsa": ["DE", "AT", "CH"], "dach": ["DE", "AT", "CH"], "asia pacific": ["APAC"], "apac": ["APAC"],
    "emea": ["EMEA"], "australasia": ["AU", "NZ"],
}
_PLACE = re.compile(r"\b(?:" + "|".join(sorted((re.escape(k) for k in _ISO), key=len, reverse=True)) + r")(?![\w-])", re.I)
_EXCLUDING = re.compile(r"\b(?:excluding|except(?:\s+for)?|other\s+than|save\s+for|less|but\s+not|outside(?:\s+of)?|excepting|with\s+the\s+exception\s+of)\b", re.I)
_US_STATES = {
    "alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA", "colorado": "CO",
    "connecticut": "CT", "delaware": "DE", "district of columbia": "DC", "florida": "FL", "georgia": "GA",
    "hawaii": "HI", "idaho": "ID", "illinois": "IL", "indiana": "IN", "iowa": "IA", "kansas": "KS", "kentucky": "KY",
    "louisiana": "LA", "maine": "ME", "maryland": "MD", "massachusetts": "MA", "michigan": "MI", "minnesota": "MN",
    "mississippi": "MS", "missouri": "MO", "montana": "MT", "nebraska": "NE", "nevada": "NV", "new hampshire": "NH",
    "new jersey": "NJ", "new mexico": "NM", "new york": "NY", "north carolina": "NC", "north dakota": "ND",
    "ohio": "OH", "oklahoma": "OK", "oregon": "OR", "pennsylvania": "PA", "rhode island": "RI",
    "south carolina": "SC", "south dakota": "SD", "tennessee": "TN", "texas": "TX", "utah": "UT", "vermont": "VT",
    "virginia": "VA", "washington": "WA", "west virginia": "WV", "wisconsin": "WI", "wyoming": "WY",
}
_PROVINCES = {"ontario": "CA-ON", "quebec": "CA-QC", "british columbia": "CA-BC", "alberta": "CA-AB",
              "new south wales": "AU-NSW", "victoria": "AU-VIC", "queensland": "AU-QLD", "hong kong": "HK"}


def territory_codes(text: str) -> dict:
    """{"include": [...], "exclude": [...], "names": [...]} of a territory as written: "the World
    excluding Japan" -> include WW, exclude JP; "the United Kingdom and Ireland" -> GB, IE.
    Places after "excluding", "except", "other than", "outside" ... are exclusions."""
    include: list[str] = []
    exclude: list[str] = []
    names: list[str] = []
    cut = _EXCLUDING.search(text)
    for m in _PLACE.finditer(text):
        name = m.group(0)
        key = name.lower()
        if key == "georgia" and re.search(r"\bstate\s+of\s+georgia\b", text, re.I):
            continue
        codes = _ISO.get(key, [])
        target = exclude if cut is not None and m.start() > cut.start() else include
        for c in codes:
            if c not in target:
                target.append(c)
        if name not in names:
            names.append(name)
    # "the United Kingdom of Great Britain and Northern Ireland": Northern Ireland is part of GB
    include = [c for c in include if not ("-" in c and c.split("-")[0] in include)]
    return {"include": include, "exclude": exclude, "names": names}


def territory_text(value: dict) -> str:
    inc = ", ".join(value.get("include") or []) or "?"
    exc = value.get("exclude") or []
    return inc + (f" excluding {', '.join(exc)}" if exc else "")


def jurisdiction_code(name: str) -> str | None:
    """ISO 3166 code of a governing law's jurisdiction: "England and Wales" GB-EAW, "the State of
    New York" US-NY, "the Netherlands" NL; None when unknown."""
    low = " ".join(re.sub(r"^(?:the\s+)?(?:state|commonwealth|province|republic|kingdom)\s+of\s+(?:the\s+)?", "",
                          name.strip().lower()).split())
    low = re.sub(r"^the\s+", "", low)
    if re.match(r"england\s+(?:and|&)\s+wales", low):
        return "GB-EAW"
    if low in _PROVINCES:
        return _PROVINCES[low]
    if low in _US_STATES and (low != "georgia" or re.search(r"\bstate\b", name, re.I)):
        return f"US-{_US_STATES[low]}"
    first = re.split(r",|\s+and\s+|\s+without\b|\s+excluding\b", low)[0].strip()
    if first in _US_STATES and first not in _ISO:
        return f"US-{_US_STATES[first]}"
    codes = _ISO.get(first) or _ISO.get(low)
    return codes[0] if codes and len(codes) == 1 else None
