"""A second set of three families written after the rules (tests/families_blind2): a New Zealand
management agreement changed by a deed of variation ("varied by omitting … and inserting …",
"is revoked", "a new clause 9A is inserted") and ended by a deed of termination; a US
distribution agreement with an addendum ("shall henceforth be fifteen percent (15%)") and a
renewal notice ("elects to renew the Agreement for the Renewal Term"); an English single song
assignment, novated to a new publisher ("the Incoming Party replaces the Outgoing Party as a
party") whose side letter accounts quarterly "in place of the accounting dates in clause 5".

Run once before any fix: 8 of 16 answers held the gold fact, abstention 0.842. The rules that
fixed what they could are general and tested here one by one; the set is a development set
from then on. Still missed (docs/results.md): "Can Tama Rewiti end the agreement if Aroha Ngata
leaves?" abstains (the clause names neither party, only "the Artist" and "the Manager"), "Does
Brightwater distribute physical records?" abstains, and the novated publisher is cited but not
named in the answer's first words.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import assert_states_now, ingested_corpus

from assistant.answer.term_answers import asked_term
from assistant.contracts.consolidated.operations import operations
from assistant.contracts.consolidated.tree import clause_tree
from assistant.contracts.rules.identity import read_assignment_parties
from assistant.text.units import answer_units
from ingest.families import classify, references

CORPUS = Path(__file__).parent / "families_blind2"


def _read(name: str) -> str:
    return (CORPUS / name).read_text()


def test_a_clause_heading_that_starts_like_a_month_is_a_clause():
    refs = [n.ref for n in clause_tree(_read("brightwater_distribution_agreement_2022.txt"))]
    assert refs[-2:] == ["5", "6"]  # "5. Marketing." was read as "5 Mar…", a date
    assert [n.ref for n in clause_tree("1 May 2022 is the date.\n5. Marketing. Spend more.\n")] == ["5"]


def test_a_song_assignment_is_an_agreement_and_its_novation_and_letter_change_it():
    assert classify("", _read("stonegate_single_song_agreement_2020.txt")) is None
    novation, letter = _read("stonegate_deed_of_novation_2024.txt"), _read("stonegate_side_letter_2024.txt")
    assert classify("", novation) == "assignment" and references(novation).dated == "2020-11-04"
    assert classify("", letter) == "side letter" and references(letter).dated == "2020-11-04"
    assert classify("", _read("brightwater_renewal_notice_2023.txt")) == "option exercise"


def test_the_novation_names_who_leaves_and_who_comes_in():
    assignor, assignee = read_assignment_parties(_read("stonegate_deed_of_novation_2024.txt"))
    assert (assignor.value["name"], assignee.value["name"]) == ("STONEGATE PUBLISHING LIMITED", "LARK RISE MUSIC LIMITED")


def test_henceforth_values_and_obligations_in_place_of_a_clause_are_read():
    ops = operations(_read("brightwater_addendum_2023.txt"))
    assert [(o.kind, o.target or o.thing) for o in ops] == [("substitute", "3.1"), ("value", "Distribution Fee"), ("substitute", "5")]
    (override,) = operations(_read("stonegate_side_letter_2024.txt"))
    assert (override.kind, override.target, override.effective) == ("override", "5", "2024-04-01")
    assert "quarterly" in override.new


def test_a_deeds_cover_lines_and_execution_block_are_not_operative():
    roles = {u.text[:20]: u.role for u in answer_units(_read("harbourview_deed_of_termination_2025.txt"))}
    assert next(r for t, r in roles.items() if t.startswith("Parties:")) == "preamble"
    assert next(r for t, r in roles.items() if t.startswith("Harbourview Music")) == "boilerplate"


def test_what_share_someone_receives_is_a_royalty_question():
    assert asked_term("What share does Freya Lindqvist receive from Northbound Light?") == "royalties"


@pytest.fixture(scope="module")
def blind2_data(tmp_path_factory, embedder):
    return ingested_corpus(tmp_path_factory, embedder, CORPUS, "blind2-data")


@pytest.mark.slow  # the real embedding model: retrieval as users get it
@pytest.mark.parametrize("question, now", [
    ("What commission does Harbourview take from Tama Rewiti?", "eighteen per cent (18%)"),
    ("Above what amount does Harbourview need Tama's approval for an expense?", "NZ$1,500"),
    ("When did Tama Rewiti's management agreement with Harbourview end?", "30 June 2025"),
    ("What distribution fee does Brightwater retain for Juniper Hollow?", "fifteen percent (15%)"),
    ("How much must Brightwater spend on marketing Juniper Hollow's releases each year?", "$20,000"),
    ("When does the Brightwater distribution agreement with Juniper Hollow end?", "9 January 2025"),
    ("How often is Freya Lindqvist accounted to for Northbound Light?", "quarterly"),
    ("When does the copyright in Northbound Light revert to Freya Lindqvist?", "4 November 2035"),
    ("What share does Freya Lindqvist receive from Northbound Light?", "seventy per cent (70%)"),
    ("What advance did Brightwater pay Juniper Hollow?", ""),
    ("What is the sync fee for Northbound Light in the Volvo advert?", ""),
])
def test_answers_state_what_the_deal_says_now(blind2_data, embedder, question, now):
    """The current value in the answer's first paragraph; "" where the documents do not say."""
    assert_states_now(blind2_data, embedder, question, now)


def test_a_third_sets_letter_and_deed_find_their_agreement():
    """tests/families_blind3 (run once, measured, docs/results.md): a letter whose address line
    ("12 Baggot Street, Dublin 2") sits above its "LETTER OF AMENDMENT" heading; a deed that calls
    itself an "AMENDING DEED" and names its agreement "between the Publisher and the Writer made
    on 19 July 2021"."""
    blind3 = Path(__file__).parent / "families_blind3"
    assert classify("", (blind3 / "emerald_letter_of_amendment_2023.txt").read_text()) == "amendment"
    deed = references((blind3 / "redgum_amending_deed_2022.txt").read_text())
    assert deed.dated == "2021-07-19" and deed.parties == ["the Publisher", "the Writer"]
