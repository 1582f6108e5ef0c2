"""The consolidated agreement: a contract's clauses as they read now, after every change.

Lawyers amend contracts with a small, closed set of textual operations, the ones legislation has
been consolidated with for decades (OASIS LegalDocML / Akoma Ntoso: substitution, insertion,
repeal, each with its source and date). So an agreement is cut into its numbered clauses
(``tree``), each change document of its family is read for operations on those clauses
(``operations``: replace, delete, insert, replace words, "notwithstanding" overrides), and the
operations are applied in effective-date order (``apply``). Every clause knows its current
wording, which document and date made it, and what it replaced; an operation that cannot be
applied (the clause does not exist, the words are not in it, or are in it twice) is never dropped:
it is listed as unapplied. ``redline`` writes the result for people.
"""
