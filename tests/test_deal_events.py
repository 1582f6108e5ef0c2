"""Notices, option exercises and assignments in four drafting styles each: every one changes the
family's key terms (term end, renewal, options, parties) and is listed among what later documents
set (``FamilyTerms.set_by_changes``), beside the consolidated agreement.

Our own fixtures: one agreement, and for each event four letters as different drafters word them
(UK and US, formal and plain). Pure: linked and read as ingest links and reads them, no store."""

from __future__ import annotations

from datetime import date

import pytest
from test_register import ledger

from assistant.contracts import family as RF
from ingest import families as F

AGREEMENT = """DISTRIBUTION AGREEMENT

This Distribution Agreement is made on 1 March 2021 between Corvid Records Limited (the "Label") and Tessellate Digital Limited (the "Distributor").

1. TERM
1.1 The Term begins on 1 March 2021 and continues for an initial period of three (3) years (the "Initial Period"). Thereafter it renews automatically for successive periods of one (1) year unless either party gives not less than sixty (60) days' written notice of non-renewal before the end of the then current period.
1.2 The Label has the option, exercisable by written notice not later than thirty (30) days before the end of the Initial Period, to extend the Term for one further period of two (2) years.

2. FEES
2.1 The Distributor shall retain a distribution fee of fifteen percent (15%) of Gross Receipts.

3. ASSIGNMENT
3.1 Neither party may assign this Agreement without the prior written consent of the other.
"""

RE = ("Re: Distribution Agreement dated 1 March 2021 between Corvid Records Limited and Tessellate Digital Limited "
      "(the \"Agreement\")")


def letter(title: str, dated: str, body: str) -> str:
    return f"{title}\n\nDate: {dated}\n\nDear Sirs,\n\n{RE}\n\n{body}\n\nYours faithfully,\n\nCorvid Records Limited\n"


TERMINATIONS = [
    ("NOTICE OF TERMINATION", "Corvid Records Limited hereby gives notice that it terminates the Agreement for convenience, "
     "effective as of 11:59 p.m. on October 31, 2023 (the \"Termination Date\").", "2023-10-31"),
    ("TERMINATION NOTICE", "We hereby terminate the Agreement with effect from 30 June 2023.", "2023-06-30"),
    ("NOTICE", "Pursuant to clause 1.1, notice is hereby given of the termination of the Agreement, such termination to take "
     "effect on 1 September 2023.", "2023-09-01"),
    ("LETTER OF TERMINATION", "The parties agree that the Agreement is terminated by mutual consent with effect from "
     "31 August 2023.", "2023-08-31"),
    ("TERMINATION AGREEMENT", "The Agreement shall terminate by mutual agreement on 30 June 2023.", "2023-06-30"),
    # a period after the notice's own date (3 April 2023): worked out
    ("NOTICE OF TERMINATION", "Please accept this letter as formal notice of termination of the Agreement, effective sixty (60) "
     "days from the date hereof.", "2023-06-02"),
]
NON_RENEWALS = [
    ("NOTICE OF NON-RENEWAL", "Corvid Records Limited hereby gives notice of non-renewal: the Agreement will not be renewed "
     "at the end of the Initial Period."),
    ("NOTICE", "We write to tell you that we do not wish to renew the Agreement when the current period ends."),
    ("NON-RENEWAL", "Please treat this letter as our written notice under clause 1.1 that we elect not to renew the Agreement."),
    ("NOTICE OF NON-RENEWAL", "The Label will not renew the Agreement, which will therefore expire at the end of the Initial Period."),
]
OPTIONS = [
    ("NOTICE OF EXERCISE OF OPTION", "Corvid Records Limited hereby exercises the option under clause 1.2 of the Agreement to "
     "extend the Term for one further period of two (2) years."),
    ("OPTION EXERCISE", "We give notice of the exercise of our option to extend the Term under clause 1.2."),
    ("NOTICE", "The Label hereby takes up the option in clause 1.2 of the Agreement."),
    ("EXERCISE OF OPTION", "In accordance with clause 1.2, the Label exercises its option, and the Term is extended accordingly."),
]
ASSIGNMENTS = [
    ("NOTICE OF ASSIGNMENT", "Corvid Records Limited (the \"Assignor\") has assigned all of its rights and obligations under the "
     "Agreement to Rookery Music Group Limited (the \"Assignee\") with effect from 1 May 2023."),
    ("DEED OF ASSIGNMENT", "By this deed Corvid Records Limited assigns to Rookery Music Group Limited absolutely all its right, "
     "title and interest in and to the Agreement, with effect from 1 May 2023."),
    ("ASSIGNMENT", "With effect from 1 May 2023 the Agreement is assigned by Corvid Records Limited to Rookery Music Group Limited, "
     "which shall perform it in place of the Assignor."),
    ("NOTICE OF ASSIGNMENT", "We write to notify you that Corvid Records Limited has transferred and assigned the Agreement to "
     "Rookery Music Group Limited with effect from 1 May 2023, with your consent given under clause 3.1."),
    ("DEED OF NOVATION", "With effect from 1 May 2023 Rookery Music Group Limited is substituted for Corvid Records Limited as a "
     "party to the Agreement."),
    ("NOVATION", "From 1 May 2023 Rookery Music Group Limited shall replace Corvid Records Limited as a party to the Agreement "
     "and shall perform it as if named in it."),
]


def family(tmp_path, title: str, body: str, dated: str = "3 April 2023") -> RF.FamilyTerms:
    (tmp_path / "corvid-distribution-agreement.txt").write_text(AGREEMENT)
    (tmp_path / "corvid-letter.txt").write_text(letter(title, dated, body))
    docs, stored = ledger(sorted(tmp_path.glob("*.txt")))
    assert docs["corvid-letter"].family_of == "corvid-distribution-agreement", docs["corvid-letter"]
    return RF.family_terms(F.family_members(docs.values(), "corvid-distribution-agreement"), stored, date(2023, 6, 1))


def test_a_termination_a_period_after_receipt_is_quoted_not_guessed(tmp_path):
    terms = family(tmp_path, "NOTICE OF TERMINATION", "We give notice that the Agreement terminates with effect thirty (30) "
                   "days after your receipt of this notice.")
    expiry = terms.term("expiry").current[0]
    assert expiry.doc.doc_id == "corvid-letter" and "after your receipt of this notice" in expiry.value.text, expiry.value
    assert expiry.value.basis == "termination"


def listed(terms: RF.FamilyTerms, key: str) -> list[dict]:
    return [d for d in terms.set_by_changes() if d["key"] == key and d["file_name"] == "corvid-letter.txt"]


@pytest.mark.parametrize("title, body, end", TERMINATIONS)
def test_a_termination_in_any_style_ends_the_term_on_its_date(tmp_path, title, body, end):
    terms = family(tmp_path, title, body)
    expiry = terms.term("expiry").current[0]
    assert expiry.value.value == end and expiry.doc.doc_id == "corvid-letter", expiry.value
    assert listed(terms, "expiry")


@pytest.mark.parametrize("title, body", NON_RENEWALS)
def test_a_notice_of_non_renewal_in_any_style_stops_the_renewal(tmp_path, title, body):
    terms = family(tmp_path, title, body)
    renewal = terms.term("renewal").current[0]
    assert renewal.value.value.get("stopped") and renewal.doc.doc_id == "corvid-letter", renewal.value
    assert listed(terms, "renewal")


@pytest.mark.parametrize("title, body", OPTIONS)
def test_an_option_exercised_in_any_style_extends_the_term(tmp_path, title, body):
    terms = family(tmp_path, title, body, "15 January 2024")
    assert any("exercised" in e.value.text for e in terms.term("options").current), terms.term("options").text()
    assert terms.term("expiry").first().value == "2026-02-28", terms.term("expiry").text()  # 28 Feb 2024 + 2 years
    assert listed(terms, "options")


@pytest.mark.parametrize("title, body", ASSIGNMENTS)
def test_an_assignment_in_any_style_substitutes_the_party(tmp_path, title, body):
    terms = family(tmp_path, title, body)
    parties = [e.value.text for e in terms.term("parties").current]
    assert any(p.startswith("Rookery Music Group Limited") for p in parties), parties
    assert not any(p.startswith("Corvid Records Limited (Label)") for p in parties), parties
    assert listed(terms, "parties")
