"""A change document read as operations on its agreement's clauses.

The operations are the closed set lawyers amend with (Akoma Ntoso's textual modifications):

* ``replace`` a clause: "Clause 2.1 of the Agreement is deleted and replaced by: '...'", "by
  deleting clause 2.1 and replacing it with the following: ...", "Clause 2.1 shall be amended to
  read as follows: ...", "Clause 2.1 shall now read: ...";
* ``delete`` a clause: "Clause 9 is deleted in its entirety", "Delete clause 9.2", "clause 9.2
  shall cease to have effect";
* ``insert`` a clause or sub-clause: "A new clause 6.4 is inserted after clause 6.3: ...", "by
  inserting the following as a new clause 6.4: ...", "The following is added as clause 6.1(d): ...";
* ``substitute`` words inside a clause: "In clause 6.1, 'seventy per cent (70%)' is replaced by
  'seventy-five per cent (75%)'", "clause 6.1 is amended by deleting the words 'A' and
  substituting 'B'", "by substituting 'B' for 'A' in clause 6.1", "the reference to 'A' in clause
  6.1 shall be read as 'B'", "In clause 6.1, 'B' in place of 'A'";
* ``override``: "Notwithstanding clause 3.1 of the Agreement, ...": the clause stands, the side
  letter's sentence prevails over it;
* ``append``: a sentence added at a clause's end ("Clause 7.2 is amended by adding the following
  at the end: ..."); words added after words already there ("In clause 6.1, after 'A' insert
  'B'") are read as the substitution of 'A' by 'A B';
* ``definition``: a defined term's definition replaced, amended or deleted, with or without the
  clause that holds it: 'The definition of "Territory" in clause 1.1 is deleted and replaced
  with: "Territory" means ...', 'The definition of "Net Receipts" is amended to read: ...'.

* ``value``: a value restated without quoting the words it replaces: "Paragraph 5(a) is amended
  so that the royalty rate is four percent (4%) of the PPD in place of the rate originally
  stated", "The Delivery Date in clause 3 is extended to 15 November 2022", "the Advance under
  clause 4.1 is increased from £40,000 to £50,000". The clause's one value of that kind (or the
  one its subject names) is substituted when the operation is applied.

A sentence that cites a clause with a verb of change in any other wording is kept as ``unread``:
listed as a change that could not be applied, never dropped in silence.

Each operation keeps its span in the change document (what a citation points to) and the date it
takes effect from where the sentence states one ("with effect from 1 July 2024").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.contracts.consolidated.tree import item_ref, normalise_ref
from assistant.text.changes import effective_from
from assistant.text.kinds import find_facts

# "clause 6.1(a)", "Subsection 5(b)", "Clause 10 (Confidentiality)" (its heading in brackets), "paragraph 3 of Schedule 2"
_REF = r"(?:(?:(?:sub-?)?(?:clause|section|paragraph)|article|cl\.)\s+(?P<{name}>\d{{1,3}}(?:\.\d{{1,3}}){{0,3}}(?:\s*\([a-z0-9]{{1,4}}\))*|(?<=rticle\s)(?-i:[IVXLC]{{1,6}})\b)" \
       r"(?:\s+\((?=[A-Z])[^()\n]{{3,60}}\))?(?:\s+of\s+(?P<{name}_sched>(?:Schedule|Annex|Appendix|Exhibit)\s+\w+))?" \
       r"|(?P<{name}_whole>(?:Schedule|Annex|Appendix|Exhibit)\s+(?:\d{{1,3}}|[A-Z])\b)" \
       r"|item\s+(?P<{name}_item>\d{{1,2}})\s+(?:of|in|to)\s+the\s+Schedule\b)"  # "Article VII"; "Item 3 of the Schedule"
_AGR = r"(?:\s+(?:of|to|in)\s+the\s+(?:Principal\s+|Original\s+|Main\s+|Master\s+)?(?:Agreement|Licen[cs]e|Contract|Deed))?"
_QUOTE = r"[\"“‘'](?P<{name}>(?s:.{{1,400}}?))[\"”’'](?=[\s.,;:)]|$)"
_WORDS = r"(?:the\s+(?:words?|figures?|date|number|percentage|amount|sum|rate|expression|phrase|text|term)\s+(?:and\s+figures?\s+)?)?"
_AMENDED = r"(?:amended|varied|modified|altered|changed)"  # "is varied by deleting ...", "shall be modified by replacing ..."
_IS = r"(?:is|are|shall\s+be|will\s+be)\s+(?:hereby\s+)?"
_WHEREVER = r"(?P<wherever>\s+(?:wherever|where|each\s+time)\s+(?:it|they)\s+appears?|\s+throughout)?"


# where words go, or which words are meant, relative to words already there: "after the word 'Canada'"
_SIDE = r"(?:immediately\s+)?(?P<side>before|after|preceding|following)\s+"
_SUBSTITUTED = r"(?:is\s+|are\s+|shall\s+be\s+|be\s+)?(?:substituted|inserted)(?:\s+(?:therefor|in\s+(?:its|their)\s+place|in\s+lieu\s+thereof))?"

# "The second sentence of clause 2.3", "the last sentence of clause 9.1": the operation acts on that sentence only
_NTH = r"(?:\bthe\s+(?P<nth>first|second|third|fourth|fifth|sixth|last|final)\s+sentence\s+of\s+)?"
NTH_INDEX = {"first": 0, "second": 1, "third": 2, "fourth": 3, "fifth": 4, "sixth": 5, "last": -1, "final": -1}


_TIGHT = r"[\"“‘'](?P<{name}>[^\"“”‘’\n]{{1,200}}?)[\"”’'](?=[\s.,;:)]|$)"  # one quoted phrase, no quote inside


def _p(pattern: str, tight: bool = False) -> re.Pattern:
    """A pattern with {NTH}, {REF}, {AFTER}, {AGR}, {OLD}, {NEW}, {ANCHOR}, {WORDS}, {IS}, {WHEREVER},
    {SIDE} filled in. ``tight``: quoted words hold no quote mark (a change joined to another, whose
    quotes must not run on into the next one)."""
    quote = _TIGHT if tight else _QUOTE
    return re.compile(pattern.format(REF=_REF.format(name="ref"), AFTER=_REF.format(name="after"), AGR=_AGR,
                                     OLD=quote.format(name="old"), NEW=quote.format(name="new"), WORDS=_WORDS,
                                     IS=_IS, WHEREVER=_WHEREVER, NTH=_NTH, ANCHOR=quote.format(name="anchor"),
                                     SIDE=_SIDE, AMENDED=_AMENDED), re.I)


# a change document an amendment amends: "the First Letter", "our letter dated ...", "Amendment No. 1"
_CHANGE_DOC = (r"(?:(?:the|our|your|that|this|said)\s+(?:(?:First|Second|Third|Prior|Previous|Earlier|said|Original)\s+)?"
               r"(?:Side\s+Letter|Letter\s+Agreement|Letter|Amendment|Variation|Deed\s+of\s+Variation|Addendum|Supplement)"
               r"|Amendment\s+No\.?\s*\d{{1,2}})")
_TERM = r"[\"“‘'](?P<term>[^\"”’'\n]{{1,60}})[\"”’']"
SUBSTITUTE = [
    _p(r"\b{WORDS}{OLD}(?:\s*\([^)]{{0,80}}\))?\s+(?:in|of)\s+{REF}{AGR}{WHEREVER}\s+{IS}(?:deleted\s+and\s+)?(?:replaced|substituted)\s+"
       r"(?:by|with)\s+{WORDS}{NEW}"),
    _p(r"\b{REF}{AGR}\s+{IS}{AMENDED}\s+by\s+changing\s+{WORDS}{OLD}{WHEREVER}\s+to\s+{WORDS}{NEW}"),
    _p(r"\bIn\s+{REF}{AGR},?\s+{WORDS}{OLD}(?:\s*\([^)]{{0,80}}\))?{WHEREVER}\s+{IS}(?:deleted\s+and\s+)?(?:replaced|substituted)\s+"
       r"(?:by|with)\s+{WORDS}{NEW}"),
    _p(r"\b{REF}{AGR}\s+{IS}{AMENDED}\s+by\s+(?:deleting|striking(?:\s+out)?|removing|replacing)\s+{WORDS}{OLD}{WHEREVER},?\s+"
       r"(?:and\s+)?(?:substituting|inserting|replacing\s+(?:it|them)\s+(?:with|by)|with|by)\s+"
       r"(?:(?:in\s+(?:its|their)\s+place|therefor|in\s+lieu\s+thereof)\s+)?{WORDS}{NEW}"),
    _p(r"\bsubstitut\w*\s+{WORDS}{NEW}\s+for\s+{WORDS}{OLD}{WHEREVER}\s+in\s+{REF}{AGR}"),
    _p(r"\b{REF}{AGR}\s+{IS}{AMENDED}\s+by\s+substitut\w*\s+{WORDS}{NEW}\s+for\s+{WORDS}{OLD}{WHEREVER}"),
    _p(r"\b(?:the\s+)?references?\s+(?:to\s+)?{OLD}\s+in\s+{REF}{AGR}\s+(?:shall|is\s+to|are\s+to|will)\s+be\s+(?:read|construed)\s+as\s+"
       r"(?:(?:a\s+)?references?\s+to\s+)?{NEW}"),
    _p(r"\bIn\s+{REF}{AGR},?\s+{OLD}\s+shall\s+be\s+read\s+as\s+{NEW}"),
    # throughout the agreement, no clause named: "All references in the Agreement to 'A' shall be read as references to 'B'"
    _p(r"\b(?P<wherever>all|each|every|any)\s+references?\s+(?:in\s+the\s+Agreement\s+)?to\s+{OLD}(?:\s+in\s+the\s+Agreement)?\s+"
       r"(?:shall|is\s+to|are\s+to|will)\s+be\s+(?:read|construed|deemed)\s+(?:as|to\s+be)\s+(?:(?:a\s+)?references?\s+to\s+)?{NEW}"),
    _p(r"\bIn\s+{REF}{AGR},?\s+{WORDS}{NEW}\s+(?:is\s+|are\s+|shall\s+apply\s+|shall\s+be\s+used\s+)?(?:substituted\s+)?in\s+place\s+of\s+{WORDS}{OLD}"),
    # "in paragraph 4 the words '30 June 2021' shall be deleted and '31 August 2021' substituted"
    _p(r"\bIn\s+{REF}{AGR},?\s+{WORDS}{OLD}{WHEREVER}\s+{IS}(?:deleted|omitted|struck\s+out)\s+and\s+{WORDS}{NEW}\s+" + _SUBSTITUTED),
    _p(r"\b{WORDS}{OLD}\s+in\s+{REF}{AGR}{WHEREVER}\s+{IS}(?:deleted|omitted|struck\s+out)\s+and\s+{WORDS}{NEW}\s+" + _SUBSTITUTED),
    # imperative: "In Clause 3.1, replace 'A' with 'B'", "Replace 'A' in clause 3.1 with 'B'"
    _p(r"\bIn\s+{REF}{AGR},?\s+(?:replace|change|substitute)\s+{WORDS}{OLD}{WHEREVER}\s+(?:with|by|to)\s+{WORDS}{NEW}"),
    _p(r"\b(?:replace|change)\s+{WORDS}{OLD}\s+in\s+{REF}{AGR}{WHEREVER}\s+(?:with|by|to)\s+{WORDS}{NEW}"),
    _p(r"\bdelete\s+{WORDS}{OLD}\s+in\s+{REF}{AGR}{WHEREVER},?\s+and\s+(?:insert|substitute)\s+{WORDS}{NEW}"),
    # noun forms: "amended by the deletion of 'A' and the insertion of 'B'", "by the substitution of 'B' for 'A'"
    _p(r"\b{REF}{AGR}\s+{IS}{AMENDED}\s+by\s+the\s+(?:deletion|omission|removal)\s+of\s+{WORDS}{OLD}{WHEREVER},?\s+and\s+the\s+"
       r"(?:insertion|substitution|addition)\s+(?:in\s+(?:its|their)\s+place\s+)?of\s+{WORDS}{NEW}"),
    _p(r"\b{REF}{AGR}\s+{IS}{AMENDED}\s+by\s+the\s+substitution\s+of\s+{WORDS}{NEW}\s+for\s+{WORDS}{OLD}{WHEREVER}"),
    # "The reference in clause 4 to 'A' shall be replaced by a reference to 'B'"
    _p(r"\b(?:the\s+)?references?\s+in\s+{REF}{AGR}\s+to\s+{OLD}\s+{IS}(?:replaced|substituted)\s+(?:by|with)\s+(?:a\s+)?(?:references?\s+to\s+)?{NEW}"),
    # "in Item 2 of the Schedule, delete 'A' and insert 'B'"
    _p(r"\bIn\s+{REF}{AGR},?\s+(?:delete|omit|remove|strike\s+out)\s+{WORDS}{OLD}{WHEREVER},?\s+and\s+"
       r"(?:insert|substitute|add|replace\s+(?:it|them)\s+(?:with|by))\s+{WORDS}{NEW}"),
    # "Clause 5.1 shall be read as if '£500' were replaced by '£1,000'" (or "... as if 'B' were substituted for 'A'")
    _p(r"\b{REF}{AGR}\s+(?:shall|is\s+to|will)\s+be\s+(?:read|construed)\s+as\s+if\s+{WORDS}{OLD}\s+(?:were|was|had\s+been)\s+"
       r"(?:(?:replaced|substituted)\s+(?:by|with)\s+)?{WORDS}{NEW}"),  # "... as if the words '£40,000' were '£55,000'"
    _p(r"\b{REF}{AGR}\s+(?:shall|is\s+to|will)\s+be\s+(?:read|construed)\s+as\s+if\s+{WORDS}{NEW}\s+(?:were|was|had\s+been)\s+"
       r"substituted\s+for\s+{WORDS}{OLD}"),
    # an amendment of an amendment: "the reference in paragraph 1 of the First Letter to 'A' shall be read as a
    # reference to 'B'": the words that document put into the agreement, wherever it put them (no clause named)
    _p(r"\b(?:the\s+)?references?\s+in\s+(?:paragraph|clause|section|item)\s+[\w.()]{{1,12}}\s+of\s+" + _CHANGE_DOC +
       r"\s+to\s+{OLD}\s+(?:shall|is\s+to|will)\s+be\s+(?:read|construed|replaced)\s+(?:as|by|with)\s+(?:a\s+)?(?:references?\s+to\s+)?{NEW}"),
    _p(r"\bIn\s+(?:paragraph|clause|section|item)\s+[\w.()]{{1,12}}\s+of\s+" + _CHANGE_DOC +
       r",?\s+{WORDS}{OLD}\s+{IS}(?:deleted\s+and\s+)?(?:replaced|substituted)\s+(?:by|with)\s+{WORDS}{NEW}"),
    # UK drafting: "In clause 4, for 'A' substitute 'B'"
    _p(r"\bIn\s+{REF}{AGR},?\s+for\s+{WORDS}{OLD}{WHEREVER},?\s+(?:substitute|read|there\s+(?:shall\s+be|is)\s+substituted)\s+{WORDS}{NEW}"),
]
# ... unless words are put in their place ("deleting 'A' and substituting 'B'"): that is a substitution
_NOT_REPLACED = (r"(?!,?\s+(?:and\s+)?(?:substituting|substitute|inserting|insert|replacing\s+(?:it|them)|with|by)\s+"
                 r"(?:(?:in\s+(?:its|their)\s+place|therefor|in\s+lieu\s+thereof)\s+)?{WORDS}[\"“‘'])")
# words taken out, with nothing in their place: "In clause 4, omit 'and'", "clause 4 is amended by
# deleting the word 'and' before 'Canada'" (the words next to it say which occurrence)
DELETE_WORDS = [
    _p(r"\bIn\s+{REF}{AGR},?\s+(?:omit|delete|strike\s+out|remove)\s+{WORDS}{OLD}(?:\s+{SIDE}{WORDS}{ANCHOR})?{WHEREVER}"
       + _NOT_REPLACED),
    _p(r"\b{REF}{AGR}\s+{IS}{AMENDED}\s+by\s+(?:deleting|omitting|striking(?:\s+out)?|removing)\s+{WORDS}{OLD}(?:\s+{SIDE}{WORDS}{ANCHOR})?{WHEREVER}"
       + _NOT_REPLACED),
]
REPLACE = [
    _p(r"\b{REF}{AGR}\s+{IS}amended\s+and\s+restated\s+(?:in\s+(?:its\s+)?entirety\s+)?(?:so\s+as\s+)?(?:to\s+read\s+)?(?:as\s+follows)?\s*:?\s*"),
    _p(r"\b{REF}{AGR}\s+{IS}deleted\s+(?:in\s+(?:its\s+)?entirety\s+)?and\s+the\s+following\s+(?:(?:is|shall\s+be)\s+)?(?:hereby\s+)?"
       r"(?:substituted|inserted)(?:\s+(?:in\s+(?:its\s+)?(?:place|stead)|in\s+lieu\s+thereof|therefor))?\s*:?\s*"),
    _p(r"\bdelete\s+{REF}{AGR}\s+(?:in\s+(?:its\s+)?entirety\s+)?and\s+(?:insert|substitute)\s+(?:the\s+following|in\s+its\s+place)\s*:?\s*"),
    _p(r"{NTH}\b{REF}{AGR}\s+{IS}(?:deleted\s+(?:in\s+(?:its\s+)?entirety\s+)?and\s+)?(?:replaced|substituted)\s+(?:in\s+(?:its\s+)?entirety\s+)?"
       r"(?:by|with)(?:\s+the\s+following(?:\s+(?:new\s+)?(?:clause|section|wording|text|provision|paragraph)"
       r"(?:\s+\d{{1,3}}(?:\.\d{{1,3}}){{0,3}}(?:\([a-z0-9]{{1,4}}\))*)?)?)?\s*:?\s*"),
    _p(r"\bdelet\w*\s+{REF}{AGR}\s+(?:in\s+(?:its\s+)?entirety\s+)?and\s+(?:replac\w*|substitut\w*)\s+it\s+(?:with|by)(?:\s+the\s+following)?\s*:?\s*"),
    _p(r"\b{REF}{AGR}\s+{IS}amended\s+(?:so\s+as\s+)?to\s+read(?:\s+in\s+full)?(?:\s+as\s+follows)?\s*:?\s*"),
    _p(r"\b{REF}{AGR}\s+shall\s+(?:now\s+|henceforth\s+|hereafter\s+)?read(?:\s+as\s+follows)?\s*:\s*"),
    _p(r"\b{REF}{AGR}\s+(?:is\s+)?(?:hereby\s+)?restated\s+(?:in\s+full\s+)?(?:as\s+follows)?\s*:?\s*"),
]
DELETE = [
    _p(r"{NTH}\b{REF}{AGR}\s+{IS}(?:deemed\s+(?:to\s+(?:be|have\s+been)\s+)?)?(?:deleted|removed|struck(?:\s+out)?|revoked|repealed)(?:\s+in\s+(?:its\s+)?entirety)?"
       r"(?!\s*(?:,\s*)?(?:and\s+)?(?:replaced|substituted|amended|the\s+following))"),
    _p(r"\b(?:delete|deleting)\s+{REF}{AGR}(?:\s+in\s+(?:its\s+)?entirety)?(?!\s+and\s+(?:replac|substitut|insert))"),
    _p(r"\b{REF}{AGR}\s+(?:shall|will|is\s+to)\s+(?:cease\s+to\s+(?:have\s+(?:any\s+)?effect|apply|be\s+of\s+(?:any\s+)?effect|bind)|no\s+longer\s+(?:apply|have\s+effect)|"
       r"not\s+apply|be\s+of\s+no\s+(?:further\s+)?(?:force\s+or\s+)?effect|be\s+disapplied)"),
    _p(r"\b{REF}{AGR}\s+(?:ceases\s+to\s+(?:apply|have\s+effect)|no\s+longer\s+applies|is\s+(?:hereby\s+)?disapplied)\b"),
]
INSERT = [
    _p(r"\b(?:a\s+)?new\s+{REF}\s+{IS}(?:inserted|added)(?:\s+(?:into|in|to)\s+the\s+Agreement)?"
       r"(?:\s+(?:immediately\s+)?(?:after|following)\s+{AFTER})?(?:\s*,?\s*(?:as\s+follows|which\s+reads|reading|to\s+read))?\s*:?\s*"),
    _p(r"\b(?:insert\w*|add\w*)\s+(?:the\s+following\s+)?(?:as\s+(?:a\s+)?)?new\s+{REF}(?:\s+(?:(?:immediately\s+)?(?:after|following)|at\s+the\s+end\s+of)\s+{AFTER})?"
       r"(?:\s+(?:of|to|into|in)\s+the\s+Agreement)?\s*:?\s*"),
    _p(r"\bthe\s+following\s+(?:shall\s+be\s+|is\s+(?:hereby\s+)?)?(?:inserted|added)\s+(?:(?:to|into|in)\s+the\s+Agreement\s+)?as\s+(?:a\s+)?(?:new\s+)?{REF}"
       r"(?:\s+(?:immediately\s+)?(?:after|following)\s+{AFTER})?\s*:?\s*"),
    _p(r"\bthe\s+following\s+(?:new\s+)?{REF}\s+{IS}(?:inserted|added)[^:\n]{{0,60}}:\s*"),
    # a sub-clause added to a clause: "Clause 2 is amended by inserting the following new sub-clause (c): ..."
    _p(r"\b{REF}{AGR}\s+{IS}{AMENDED}\s+by\s+(?:inserting|adding)\s+(?:the\s+following\s+)?(?:as\s+)?(?:a\s+)?new\s+"
       r"(?:sub-?clause|sub-?paragraph|paragraph|limb)\s+(?P<sub>\([a-z0-9]{{1,4}}\))(?:\s+(?:after|following)\s+(?:sub-?clause|sub-?paragraph|paragraph)\s+"
       r"(?P<subafter>\([a-z0-9]{{1,4}}\)))?\s*:?\s*"),
]
OVERRIDE = [
    _p(r"\bNotwithstanding\s+(?:anything\s+(?:to\s+the\s+contrary\s+)?(?:in|contained\s+in)\s+|the\s+(?:terms|provisions)\s+of\s+)?{REF}{AGR},?\s*"
       r"(?P<body>[^.]{{5,400}}\.)"),
]
# words added after words already there: read as a substitution of the anchor by anchor + words
INSERT_WORDS = [
    _p(r"\bIn\s+{REF}{AGR},?\s+{SIDE}{WORDS}{OLD},?\s+(?:insert|add)\s+{WORDS}{NEW}"),
    _p(r"\b{REF}{AGR}\s+{IS}{AMENDED}\s+by\s+(?:inserting|adding)\s+{WORDS}{NEW}\s+{SIDE}{WORDS}{OLD}"),
]
# a further change to the same clause in the same sentence: "... after the word 'Canada' and by
# deleting the word 'and' before 'Canada'"; read after an operation on words of a clause
_AND = r"\s*[,;]?\s*(?:and\s+)?(?:also\s+)?(?:by\s+)?"
CONTINUE = [
    ("insert words", _p(_AND + r"(?:inserting|adding)\s+{WORDS}{NEW}\s+{SIDE}{WORDS}{OLD}", tight=True)),
    ("substitute", _p(_AND + r"(?:deleting|striking(?:\s+out)?|removing|replacing)\s+{WORDS}{OLD}{WHEREVER},?\s+(?:and\s+)?"
                      r"(?:substituting|inserting|replacing\s+(?:it|them)\s+(?:with|by)|with|by)\s+"
                      r"(?:(?:in\s+(?:its|their)\s+place|therefor|in\s+lieu\s+thereof)\s+)?{WORDS}{NEW}", tight=True)),
    ("substitute", _p(_AND + r"substituting\s+{WORDS}{NEW}\s+for\s+{WORDS}{OLD}{WHEREVER}", tight=True)),
    ("substitute", _p(_AND + r"changing\s+{WORDS}{OLD}{WHEREVER}\s+to\s+{WORDS}{NEW}", tight=True)),
    # the verb understood from the first change: "... replacing 'A' with 'B' and 'C' with 'D'"
    ("substitute", _p(r"\s*[,;]?\s*and\s+{WORDS}{OLD}{WHEREVER}\s+(?:with|by)\s+{WORDS}{NEW}", tight=True)),
    ("substitute", _p(r"\s*[,;]?\s*and\s+{WORDS}{NEW}\s+for\s+{WORDS}{OLD}{WHEREVER}", tight=True)),
    ("delete words", _p(_AND + r"(?:deleting|omitting|striking(?:\s+out)?|removing)\s+{WORDS}{OLD}(?:\s+{SIDE}{WORDS}{ANCHOR})?{WHEREVER}"
                        + _NOT_REPLACED, tight=True)),
]
# a sentence added at a clause's end
APPEND = [
    _p(r"\b{REF}{AGR}\s+{IS}{AMENDED}\s+by\s+(?:adding|inserting|appending)\s+(?:the\s+following(?:\s+(?:new\s+)?(?:sentence|words|text|paragraph))?\s+)?"
       r"at\s+(?:the\s+)?end(?:\s+(?:thereof|of\s+(?:it|that\s+clause|the\s+clause)))?(?:\s+the\s+following(?:\s+(?:new\s+)?(?:sentence|words))?)?\s*:?\s*"),
    _p(r"\bAt\s+the\s+end\s+of\s+{REF}{AGR},?\s+(?:insert|add)(?:\s+the\s+following(?:\s+(?:new\s+)?(?:sentence|words))?)?\s*:?\s*"),
    _p(r"\b{REF}{AGR}\s+{IS}{AMENDED}\s+(?:so\s+as\s+)?to\s+(?:add|insert|include)\s+(?:the\s+following(?:\s+(?:new\s+)?(?:sentence|words|text|paragraph))?\s+)?"
       r"at\s+(?:the\s+)?end(?:\s+(?:thereof|of\s+(?:it|that\s+clause|the\s+clause)))?(?:\s+the\s+following(?:\s+(?:new\s+)?(?:sentence|words))?)?\s*:?\s*"),
]
_DEFINITION = r"\bthe\s+definition\s+of\s+" + _TERM + r"(?:\s+(?:in|of|at)\s+{REF})?{AGR},?\s+"
DEFINITION = [
    _p(r"\bthe\s+(?:term|expression|defined\s+term)\s+" + _TERM + r"(?:,?\s+as\s+defined\s+in\s+{REF}{AGR},?)?\s+"
       r"(?:shall|will|is\s+to)\s+(?:now\s+|hereafter\s+|henceforth\s+|hereby\s+)?(?:be\s+deemed\s+to\s+)?mean\s+"),
    _p(_DEFINITION + r"{IS}(?:deleted\s+(?:in\s+(?:its\s+)?entirety\s+)?and\s+)?(?:replaced|substituted)\s+(?:in\s+(?:its\s+)?entirety\s+)?"
       r"(?:by|with)(?:\s+the\s+following(?:\s+(?:new\s+)?definition)?)?\s*:?\s*"),
    _p(_DEFINITION + r"{IS}(?:amended\s+(?:and\s+restated\s+)?(?:so\s+as\s+)?to\s+read|amended\s+and\s+restated)(?:\s+in\s+full)?(?:\s+as\s+follows)?\s*:?\s*"),
    _p(_DEFINITION + r"{IS}(?P<gone>deleted|removed|struck(?:\s+out)?)(?:\s+in\s+(?:its\s+)?entirety)?(?!\s*(?:,\s*)?(?:and\s+)?(?:replaced|substituted))"),
]
# a value restated in words that quote nothing: (?P<thing>) names what changes, (?P<value>) the new
# value, (?P<from>) the old one where the sentence gives it
_THING = r"(?P<thing>(?:the|its)\s+[^.;:,\n\"“]{{2,60}}?)"
_ABBREV = r"(?-i:U\.S\.|U\.K\.|E\.U\.)"  # "Ten Thousand U.S. Dollars": no sentence ends there
_VALUE = r"(?P<value>(?:" + _ABBREV + r"|[^.;\n]|\.(?=\d)){{2,200}}?)"
_SHIFT = r"(?:increased|reduced|decreased|extended|changed|amended|varied|brought\s+forward|postponed|moved|revised|adjusted)"
_FROM = r"(?:\s+from\s+(?P<from>(?:[^.;\n]|\.(?=\d)){{2,120}}?))?"
_INSTEAD = r"(?:,?\s+(?:in\s+place\s+of|instead\s+of|rather\s+than|in\s+lieu\s+of|replacing)\b[^.;\n]*)?(?=[.;](?!\d)|\n|$)"
# a value changed by a difference: "The Advance in clause 4.1 is increased by £5,000", "the Delivery
# Date in clause 3 is postponed by thirty (30) days"; the new value is worked out when applied
_BY_SHIFT = r"(?P<dir>increased|raised|extended|postponed|deferred|reduced|decreased|lowered|shortened|brought\s+forward)\s+by\s+"
VALUE_BY = [
    _p(r"\b" + _THING + r"\s+(?:in|under|of|(?:as\s+)?(?:set\s+(?:out|forth)|stated|specified|provided)\s+in)\s+{REF}{AGR}\s+{IS}"
       + _BY_SHIFT + _VALUE + _INSTEAD),
    _p(r"\bIn\s+{REF}{AGR},?\s+" + _THING + r"\s+{IS}" + _BY_SHIFT + _VALUE + _INSTEAD),
    _p(r"\b(?-i:[Tt]he)\s+(?P<thing>(?-i:[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*){{0,3}}))\s+{IS}(?:hereby\s+)?" + _BY_SHIFT + _VALUE + _INSTEAD),
]
VALUE = [
    # "the Royalty Base shall bear a royalty at the rate of 22% in place of the rate stated in clause 7.1"
    _p(r"(?P<value>(?:[^.;:\n]|\.(?=\d)){{2,200}}?)\s+(?:in\s+place\s+of|instead\s+of|in\s+lieu\s+of|replacing)\s+" + _THING
       + r"\s+(?:originally\s+)?(?:stated|set\s+(?:out|forth)|specified|provided|given|referred\s+to)\s+in\s+{REF}{AGR}"),
    _p(r"\b{REF}{AGR}\s+{IS}(?:amended|varied|changed)\s+so\s+that\s+" + _THING + r"\s+(?:is|are|shall\s+be|will\s+be|becomes?)\s+"
       + _VALUE + _INSTEAD),
    _p(r"\b" + _THING + r"\s+(?:in|under|of|(?:as\s+)?(?:set\s+(?:out|forth)|stated|specified|provided|described|referred\s+to)\s+in)\s+{REF}{AGR}\s+"
       r"{IS}" + _SHIFT + _FROM
       + r"\s+(?:to|(?P<ends>until|through|till))\s+" + _VALUE + _INSTEAD),
    _p(r"\bIn\s+{REF}{AGR},?\s+" + _THING + r"\s+{IS}" + _SHIFT + _FROM + r"\s+(?:to|(?P<ends>until|through|till))\s+" + _VALUE + _INSTEAD),
    _p(r"\b{REF}{AGR}\s+{IS}amended\s+(?:so\s+as\s+)?to\s+(?:increase|reduce|decrease|change|extend|revise|adjust|raise|lower)\s+"
       + _THING + _FROM + r"\s+(?:to|(?P<ends>until|through|till))\s+" + _VALUE + _INSTEAD),
    # "Exhibit A of the License is amended by increasing the License Fee from $8,000 to $10,500"
    _p(r"\b{REF}{AGR}\s+{IS}{AMENDED}\s+by\s+(?:increasing|reducing|decreasing|changing|extending|revising|adjusting|raising|lowering)\s+"
       + _THING + _FROM + r"\s+(?:to|(?P<ends>until|through|till))\s+" + _VALUE + _INSTEAD),
]
# the same, naming a defined term instead of a clause ("The Licence Period is extended so that it
# expires on 30 September 2024"): the clause is the one that defines the term, found when applied
_DEFINED = r"(?P<thing>(?-i:[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*){{0,3}}))"
VALUE_OF_TERM = [
    _p(r"\b(?-i:[Tt]he)\s+" + _DEFINED + r"(?:\s+(?:of|under)\s+the\s+(?:Agreement|Licen[cs]e|Contract|Deed))?\s+{IS}(?:hereby\s+)?" + _SHIFT + _FROM
       + r"\s+(?:(?P<ends>so\s+(?:that|as)\s+(?:it\s+)?(?:to\s+)?(?:expires?|ends?|terminates?|runs?\s+until|continues?\s+until)(?:\s+on)?"
       r"|until|to\s+(?:end|expire)\s+on|through)|to)\s+" + _VALUE + _INSTEAD),
    # "The Distribution Fee shall henceforth be fifteen percent (15%) of Gross Receipts"
    _p(r"\b(?-i:[Tt]he)\s+" + _DEFINED + r"(?:\s+(?:of|under)\s+the\s+(?:Agreement|Licen[cs]e|Contract|Deed))?\s+(?:shall|will|is\s+to)\s+"
       r"(?:henceforth|hereafter|hereinafter|now|thereafter|from\s+(?:now|then)\s+on)\s+be\s+" + _VALUE + _INSTEAD),
]
# a sentence of the letter taking a clause's place without quoting it: "we will account to you
# quarterly, within 60 days ..., in place of the accounting dates in clause 5 of the agreement". Read
# after the value patterns (a single value "in place of the rate stated in clause 7.1" is a value).
OVERRIDE_IN_PLACE = [
    _p(r"(?P<body>(?:" + _ABBREV + r"|[^.\n]){{5,300}}?\b(?:in\s+place\s+of|instead\s+of|in\s+lieu\s+of)\s+(?:the|its)\s+[^.;\n]{{2,60}}?\s+"
       r"(?:in|of|under)\s+{REF}{AGR}[^.\n]*\.)"),
]
VALUE_KINDS = ("percent", "money", "date", "duration", "territory", "count")
_DOCUMENT_WORD = re.compile(r"(?:the\s+)?(?:Principal\s+|Original\s+|Main\s+)?(?:Agreement|Licen[cs]e|Contract|Deed|Letter|Amendment|Parties)", re.I)
PATTERNS = [("definition", DEFINITION), ("insert words", INSERT_WORDS), ("append", APPEND), ("substitute", SUBSTITUTE),
            ("delete words", DELETE_WORDS), ("replace", REPLACE), ("delete", DELETE), ("insert", INSERT),
            ("override", OVERRIDE), ("value", VALUE_BY), ("value", VALUE),
            ("value", VALUE_OF_TERM), ("override", OVERRIDE_IN_PLACE)]
_OPEN_CLOSE = {"“": "”", "\"": "\"", "‘": "’", "'": "'"}


@dataclass
class Operation:
    kind: str  # replace | delete | insert | substitute | override | definition | append | value | unread
    target: str  # the clause it acts on, normalised ("6.1(a)", "schedule 2 3")
    new: str = ""  # the clause's new wording (replace, insert), the new words (substitute), the prevailing sentence (override)
    old: str = ""  # the words replaced (substitute); the defined term (definition)
    after: str = ""  # insert: the clause it goes after, when stated
    wherever: bool = False  # substitute: every occurrence ("wherever it appears")
    start: int = 0  # the operation's span in the change document
    end: int = 0
    effective: str = ""  # ISO date it takes effect from, when the sentence states one
    thing: str = ""  # value: what the sentence says changes ("the royalty rate"), to find it in the clause
    ends: bool = False  # value: the new value is when something ends ("extended so that it expires on")
    sentence: str = ""  # replace, delete: only this sentence of the clause ("second", "last")
    by: int = 0  # value: +1 / -1 when the new value is the old one plus / minus ``new`` ("increased by £5,000")

    def as_dict(self) -> dict:
        return dict(self.__dict__)


# a replacement whose words are elsewhere (an attachment), not in the sentence
_ELSEWHERE = re.compile(r"(?:the\s+|a\s+)?(?:new\s+|revised\s+|replacement\s+|amended\s+)?(?:Schedule|Annex|Appendix|Exhibit|wording|text|clause|"
                        r"version|document|list)\b[^.\n]{0,60}?\b(?:attached|annexed|appended|set\s+out\s+in|enclosed|contained\s+in)\b[^.\n]*\.?",
                        re.I)


def _ref(m: re.Match, name: str) -> str:
    ref = m.groupdict().get(name)
    if not ref and m.groupdict().get(f"{name}_item"):
        return item_ref("schedule", m.group(f"{name}_item"))
    if not ref:
        whole = m.groupdict().get(f"{name}_whole")
        return normalise_ref(whole) if whole else ""
    sched = m.groupdict().get(f"{name}_sched")
    return normalise_ref(f"{sched} {ref}" if sched else ref)


def _wording(text: str, pos: int) -> tuple[str, int]:
    """The new wording that follows a replace or insert phrase at ``pos``: a quoted passage (to the
    quote that closes a line), else the rest of the paragraph. Returns (wording, end offset)."""
    while pos < len(text) and text[pos] in " \t\n":
        pos += 1
    if pos < len(text) and text[pos] in _OPEN_CLOSE:
        close = _OPEN_CLOSE[text[pos]]
        m = re.compile(rf"{re.escape(close)}\s*[.;]?[ \t]*(?=\n|$)").search(text, pos + 1)
        if m is None:  # a quote that closes mid-line is the wording only if nothing but punctuation follows it
            m = re.compile(re.escape(close) + r"(?=\s*(?:[.;,)]|$))").search(text, pos + 1)
            line_end = text.find("\n", pos)
            if m is not None and line_end != -1 and m.start() > line_end and re.match(
                    r"[\"“‘'][^\"”’'\n]{1,60}[\"”’']\s+(?:shall\s+)?(?:means?|includes?|has\s+the\s+meaning)\b", text[pos:], re.I):
                m = None  # '"Territory" means the World.': a definition, whose quotes only name the term
        if m is not None:
            return " ".join(text[pos + 1:m.start()].split()), m.end()
    m = re.compile(r"\n[ \t]*\n").search(text, pos)
    end = m.start() if m else len(text)
    return " ".join(text[pos:end].split()), end


def _definition_wording(text: str, pos: int, term: str) -> tuple[str, int]:
    """A new definition: '"Territory" means ...' runs to the end of its paragraph (its quotes only
    name the term); any other wording is read as ``_wording`` reads it."""
    m = re.compile(r"\s*[\"“‘']" + re.escape(term) + r"[\"”’']\s+(?:shall\s+)?(?:means?|includes?|has\s+the\s+meaning)", re.I).match(text, pos)
    if m is None:
        return _wording(text, pos)
    start = m.start() + len(m.group(0)) - len(m.group(0).lstrip())
    blank = re.compile(r"\n[ \t]*\n").search(text, start)
    end = blank.start() if blank else len(text)
    return " ".join(text[start:end].split()), end


def operations(text: str) -> list[Operation]:
    """Every operation the change document states, in document order (a span matched by one
    pattern is not read again by another)."""
    found: list[Operation] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    for kind, patterns in PATTERNS:
        for pattern in patterns:
            for m in pattern.finditer(text):
                if not free(*m.span()):
                    continue
                op = Operation(kind, _ref(m, "ref"), start=m.start(), end=m.end())
                op.sentence = (m.groupdict().get("nth") or "").lower()
                if kind == "definition":
                    op.old = " ".join(m.group("term").split())
                    if not m.groupdict().get("gone"):
                        op.new, op.end = _definition_wording(text, m.end(), op.old)
                        if not op.new:
                            continue
                elif kind in ("insert words", "delete words"):
                    _words_op(op, kind, m)
                elif kind == "append":
                    op.new, op.end = _wording(text, m.end())
                    if not op.new:
                        continue
                elif kind == "substitute":
                    _substitution(op, m)
                elif kind in ("replace", "insert"):
                    op.new, op.end = _wording(text, m.end())
                    op.after = _ref(m, "after")
                    if m.groupdict().get("sub"):  # sub-clause (c) of the clause named
                        op.target = normalise_ref(f"{op.target}{m.group('sub')}")
                        op.after = normalise_ref(f"{_ref(m, 'ref')}{m.group('subafter')}") if m.groupdict().get("subafter") else ""
                    if not op.new:
                        continue
                    if _ELSEWHERE.match(op.new):  # "replaced by the Schedule attached to this Amendment": not its words
                        tail = text[m.end():]
                        there = _ELSEWHERE.match(tail, len(tail) - len(tail.lstrip()))
                        op.kind, op.new = "unread", ""
                        op.end = m.end() + there.end() if there else op.end
                elif kind == "override":
                    op.new = " ".join(m.group("body").split())
                elif kind == "value":
                    op.thing, op.new = " ".join(m.group("thing").split()), " ".join(m.group("value").split())
                    if not any(f.kind in VALUE_KINDS for f in find_facts(op.new)) or _DOCUMENT_WORD.fullmatch(op.thing):
                        continue  # "the Agreement is amended to reflect ...": no value stated; read as unread if it cites a clause
                    op.old = " ".join((m.groupdict().get("from") or "").split())
                    op.ends = bool(m.groupdict().get("ends")) or "until" in m.group(0).lower()
                    if m.groupdict().get("dir"):
                        op.by = -1 if re.match(r"reduced|decreased|lowered|shortened|brought", m.group("dir"), re.I) else 1
                taken.append((op.start, op.end))
                sentence_start = max(text.rfind("\n\n", 0, op.start), text.rfind(". ", 0, op.start), 0)
                op.effective = effective_from(_lead_in(text, sentence_start) + text[sentence_start:m.end()], text)
                found.append(op)
                if op.kind == "substitute" and op.target:
                    found += _continued(text, op, taken)
    found += _unread(text, taken, found)
    return sorted(found, key=lambda o: o.start)


_ITEM = re.compile(r"\s*(?:\(?[A-Za-z0-9]{1,4}[).]|[-•*])\s")


def _lead_in(text: str, start: int) -> str:
    """The paragraph that introduces the list an operation is an item of ("The parties agree that
    with effect from 1 March 2024:" over "(A) …; (B) …; and (C) …"): what it says of dates holds for
    every item. "" when the operation is not in such a list."""
    paragraphs = [(m.start(), m.group(0)) for m in re.finditer(r"(?:(?!\n[ \t]*\n).)+", text[:start], re.S)]
    item = text[start:start + 200].lstrip("\n")
    if not _ITEM.match(item):
        return ""
    for _at, paragraph in reversed(paragraphs):
        body = paragraph.strip()
        if body.endswith(":"):
            return body + " "
        if not _ITEM.match(body):
            return ""
    return ""


def _quoted(m: re.Match, name: str) -> str:
    """The words quoted in group ``name``, whole when they hold a quoted title of their own: in
    'after "(the "Game")"' the pattern stops at the inner quote, leaving an odd number of straight
    quotes; the words then run to the next quote mark on the line (the outer closing one)."""
    text, (a, b) = m.string, m.span(name)
    words = text[a:b]
    if words.count('"') % 2 == 1 and text[b:b + 1] == '"':
        close = text.find('"', b + 1)
        line_end = text.find("\n", b)
        if close != -1 and close - b <= 80 and (line_end == -1 or close < line_end):
            words = text[a:close]
    return " ".join(words.split())


def _join(first: str, second: str) -> str:
    """Words put next to each other: no space before punctuation (", Singapore and Malaysia")."""
    return f"{first}{second}" if second[:1] in ",.;:)" else f"{first} {second}"


def _substitution(op: Operation, m: re.Match) -> None:
    """'A' replaced by 'B', as the match of a substitution pattern quotes them."""
    op.old, op.new = _quoted(m, "old"), _quoted(m, "new")
    op.wherever = bool(m.groupdict().get("wherever"))


def _words_op(op: Operation, kind: str, m: re.Match) -> None:
    """Words added next to words already there ("after 'A' insert 'B'": 'A' becomes 'A B'; before:
    'B A'), or taken out ("delete 'and' before 'Canada'": 'and Canada' becomes 'Canada'), as the
    substitution that makes them."""
    op.kind = "substitute"
    old = _quoted(m, "old")
    side = (m.groupdict().get("side") or "after").lower()
    before = side in ("before", "preceding")
    if kind == "insert words":
        new = _quoted(m, "new")
        op.old, op.new = old, (_join(new, old) if before else _join(old, new))
        return
    anchor = _quoted(m, "anchor") if m.groupdict().get("anchor") else ""
    if not anchor:
        op.old, op.new = old, ""
        op.wherever = bool(m.groupdict().get("wherever"))
        return
    op.old, op.new = (f"{old} {anchor}", anchor) if before else (f"{anchor} {old}", anchor)


def _continued(text: str, first: Operation, taken: list[tuple[int, int]]) -> list[Operation]:
    """Further changes to the same clause joined to ``first`` in its sentence ("... and by deleting
    the word 'and' before 'Canada'"), each an operation of its own on that clause."""
    out, pos = [], first.end
    while True:
        kind, m = next(((k, m) for k, p in CONTINUE if (m := p.match(text, pos)) is not None), ("", None))
        if m is None:
            return out
        op = Operation("substitute", first.target, start=m.start(), end=m.end(), effective=first.effective)
        if kind == "substitute":
            _substitution(op, m)
        else:
            _words_op(op, kind, m)
        taken.append((op.start, op.end))
        out.append(op)
        pos = m.end()


# A sentence that says it changes a clause in words none of the patterns read: kept as an
# ``unread`` operation, so it is listed as not applied instead of being dropped in silence.
_CHANGE_VERB = re.compile(r"\b(?:amend(?:ed|s)?|replac(?:ed|es|ing)|substitut(?:ed|es|ing)|delet(?:ed|es|ing)|insert(?:ed|s|ing)|"
                          r"add(?:ed|s|ing)|restat(?:ed|es|ing)|var(?:ied|ies|y)|chang(?:ed|es|ing)|(?:shall|will|is\s+to)\s+read|"
                          r"increas(?:ed|es|ing)|reduc(?:ed|es|ing)|revok(?:ed|es)|repeal(?:ed|s)?|modifi(?:ed|es)|modify(?:ing)?|"
                          r"extend(?:ed|s)?|postpon(?:ed|es)|shorten(?:ed|s)?|rescind(?:ed|s)?|renumber(?:ed|s)?|ceases?|lapses?|disappl\w+|"
                          r"no\s+longer\s+appl\w+|(?:shall|will)\s+not\s+apply|"
                          r"(?:^|(?<=[:;,.]\s)|(?<=\)\s)|(?<=\bIn\s))(?:replace|delete|insert|add|substitute|omit|amend)|"
                          r"\b(?:replace|delete|insert|substitute|omit)\s+(?=[\"“‘']|the\s+(?:words?|figures?|phrase))|"
                          r"\bshall\s+be\s+deemed\s+(?:amended|varied|deleted|replaced)|"
                          r"in\s+place\s+of|instead\s+of|in\s+lieu\s+of|(?:shall|will|is\s+to)\s+be\s+(?:read|construed)\s+as)\b", re.I | re.M)
_NOT_A_CHANGE = re.compile(r"\b(?:remains?|continues?|shall\s+continue)\s+(?:in\s+full\s+force|unchanged|to\s+apply)|"
                           r"\bexcept\s+as\b|\bas\s+follows\b|\bunless\b|\bmay\s+(?:be\s+)?(?:amend|vari|chang)|"
                           # an option or right exercised under a clause: a deal event the key terms read, not a change to the clause
                           r"\bexercis(?:e|es|ed|ing)\b[^.]{0,60}\b(?:option|right)s?\b|"
                           # notice given under a clause ("I give you notice under clause 2.2 that I extend the Term"): a right used
                           r"\b(?:give|gives|giving|given)\s+(?:you\s+|to\s+you\s+)?(?:formal\s+)?(?:written\s+)?notice\s+"
                           r"(?:under|pursuant\s+to|in\s+accordance\s+with)\s+(?:clause|section|paragraph)\b", re.I)
_CITED = re.compile(_REF.format(name="ref"), re.I)
_SENTENCE = re.compile(r"(?:" + _ABBREV.replace("{{", "{").replace("}}", "}") + r"|[^.\n]|\.(?=\S))+\.?")  # to a full stop before a space ("clause 5.3", "U.S. Dollars" stay whole)


# "The Territory shall be expanded to include Canada.": a defined term of the agreement changed in
# words no pattern reads; placed, when applied, in the clause that defines the term
_TERM_CHANGED = re.compile(r"^\W*(?:\d{1,2}\.\s*)?(?-i:The)\s+(?P<term>(?-i:[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*){0,3}))\s+"
                           r"(?:is|are|shall\s+be|will\s+be)\s+(?:hereby\s+)?(?:amended|varied|changed|increased|reduced|decreased|"
                           r"extended|expanded|restricted|limited|narrowed|widened|replaced|deleted|revised)\b", re.I)


# what is left of a sentence after the operations read in it, when it still changes something
_FURTHER = re.compile(r"^\W*(?:and\s+)?(?:also\s+)?(?:by\s+)?(?:adding|inserting|deleting|omitting|striking|removing|substituting|"
                      r"replacing|changing|amending)\b", re.I)


def _unread(text: str, taken: list[tuple[int, int]], found: list[Operation] = ()) -> list[Operation]:
    out = []
    for m in _SENTENCE.finditer(text):
        a, b = m.span()
        if any(a < e and b > s for s, e in taken):
            # a further change joined to one that was read, in words no pattern reads: never dropped
            last = max(e for s, e in taken if a < e and b > s)
            read = next((o for o in found if o.start < last <= o.end), None)
            if last < b and read is not None and read.target and _FURTHER.search(text[last:b]):
                out.append(Operation("unread", read.target, start=last, end=b, effective=effective_from(m.group(0), text)))
            continue
        sentence = m.group(0)
        named = _TERM_CHANGED.match(sentence)
        if named and not _CITED.search(sentence) and not _DOCUMENT_WORD.fullmatch(named.group("term")):
            op = Operation("unread", "", start=a, end=b, thing=named.group("term"))
            op.effective = effective_from(sentence, text)
            out.append(op)
            continue
        cited = _CITED.search(sentence)
        if cited is None or not _CHANGE_VERB.search(sentence) or _NOT_A_CHANGE.search(sentence) or sentence.rstrip().endswith(":"):
            continue
        op = Operation("unread", _ref(cited, "ref"), start=a, end=b)
        op.effective = effective_from(sentence, text)
        out.append(op)
    return out
