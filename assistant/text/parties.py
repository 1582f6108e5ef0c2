"""Whether a text names a party: the one brand-word match shared by the answer checks ("the
question already names Vantage") and deal scoping ("is Harbourlight a party to this deal?").

A company is named by its distinctive words: "Ferngrove" names Ferngrove Records Ltd, but "Ember
Lane" does not name Ember Lane Music Holdings Ltd... unless "Music" and "Holdings" are trade or
form words, which is what the two word lists decide. Pure functions over strings.
"""

from __future__ import annotations

from assistant.text.questions import word_tokens

# words a trade name adds to the brand ("Records", "Digital"): a text need not repeat them
TRADE_WORDS = frozenset("records recordings music digital publishing productions media entertainment group films sound "
                        "studios label audio songs distribution".split())
# a company's legal form and the joining words of a name
COMPANY_FORMS = frozenset("ltd limited inc incorporated llc llp plc gmbh ag sa bv nv co corp corporation company the and of".split())


def name_words(name: str) -> list[str]:
    """A name's words without its legal form: "Vantage Digital GmbH" gives ["vantage", "digital"]."""
    return [w for w in word_tokens(name) if w not in COMPANY_FORMS and len(w) > 1]


def names(text: str, name: str) -> bool:
    """Whether ``text`` names ``name``: every distinctive word of the name (trade words aside,
    when others remain) is among the text's words ("after Vantage" names Vantage Digital GmbH)."""
    words = name_words(name)
    brand = [w for w in words if w not in TRADE_WORDS] or words
    pool = {w.removesuffix("'s") for w in word_tokens(text)}
    return bool(brand) and all(w in pool for w in brand)
