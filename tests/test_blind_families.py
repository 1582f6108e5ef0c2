"""Three contract families written after the rules, in drafting styles they had not met
(tests/families_blind): a Canadian co-publishing agreement ("Subsection 5(b) … deleted in its
entirety and the following substituted therefor", a definition amended to read, a word
substituted, a termination notice for breach); an English recording agreement changed by a
"Supplemental Agreement" (a list of changes under one "with effect from" lead-in: "X in place of
the rate stated in clause 7.1", "shall be deemed deleted", "read as if the words '£40,000' were
'£55,000'") and a waiver letter ("Notwithstanding clause 9.1 …"); a US sync licence whose fee
sits in an Exhibit ("amended by increasing the License Fee from $8,000 to …"), its use time
changed ("striking 'two (2) minutes and ten (10) seconds' and inserting 'three (3) minutes'")
and its option exercised.

Run once before any fix: 12 of 18 answers held the gold fact, abstention 0.905 (`rights eval`
on tests/families_blind/questions.jsonl). The rules that fixed them are general and tested
here one by one; the set is a development set from then on.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import assert_states_now, ingested_corpus

from assistant.answer.answering import _other_income
from assistant.answer.citations import repetitive
from assistant.answer.family_answer import PAST, current_fact
from assistant.answer.selection import Selection
from assistant.text.kinds import find_facts
from assistant.text.questions import word_stem
from ingest.families import classify

CORPUS = Path(__file__).parent / "families_blind"


def _sel(text: str, fact: str, kind: str) -> Selection:
    return Selection(number=1, unit_text=text, start=0, end=len(text), fact_text=fact, kind=kind, score=1.0)


def test_a_supplemental_agreement_and_a_waiver_letter_change_their_agreement():
    assert classify("", (CORPUS / "kestrel_supplemental_agreement_2024.txt").read_text()) == "amendment"
    assert classify("", (CORPUS / "kestrel_waiver_letter_2024.txt").read_text()) == "side letter"
    assert classify("", (CORPUS / "kestrel_recording_agreement_2022.txt").read_text()) is None


def test_a_running_time_is_a_duration_not_a_count():
    facts = [(f.kind, f.text) for f in find_facts("for a use of up to two (2) minutes and ten (10) seconds, background vocal")]
    assert facts == [("duration", "two (2) minutes and ten (10) seconds")]
    assert [f.kind for f in find_facts("three (3) Albums")] == ["count"]


def test_short_past_participles_meet_their_verb():
    assert word_stem("used") == word_stem("use") and word_stem("owed") == word_stem("owe")
    assert word_stem("need") == "need" and word_stem("feed") != word_stem("fee")


def test_a_right_of_first_negotiation_is_not_a_question_about_the_past():
    assert not PAST.search("Does Kestrel still have a right of first negotiation for the third album?")
    assert PAST.search("What was the first advance?") and PAST.search("What did the original agreement say?")


def test_the_new_value_of_a_change_is_the_one_it_sets():
    assert current_fact(_sel("the Fee is amended by increasing it from $8,000 to $10,500.", "$8,000", "money")) == "$10,500"
    assert current_fact(_sel("a royalty of twenty-two per cent (22%) shall apply in place of eighteen per cent (18%).",
                             "twenty-two per cent (22%)", "percent")) == "twenty-two per cent (22%)"


def test_words_quoted_from_the_sources_are_not_a_model_repeating_itself():
    answer = ('Now three (3) minutes, as the amendment provides: “striking "two (2) minutes and ten (10) seconds" and '
              'inserting "three (3) minutes"” [2]. Before that: two (2) minutes and ten (10) seconds — “for a use of up to '
              'two (2) minutes and ten (10) seconds.” [1]')
    assert not repetitive(answer)
    assert repetitive("The fee is due on signing, the fee is due on delivery and the fee is due on release.")


def test_a_rate_for_another_income_does_not_answer():
    sync = _sel("Birchmount shall pay the Writer sixty-five percent (65%) of Net Income from synchronization licences.",
                "sixty-five percent (65%)", "percent")
    assert "synchronisation" in _other_income("What is the Writer's share of print music income?", sync)
    assert _other_income("What share of sync income does the Writer receive?", sync) == ""
    everything = _sel("The Company shall pay the Artist a royalty of eighteen per cent (18%).", "eighteen per cent (18%)", "percent")
    assert _other_income("What is the streaming royalty?", everything) == ""  # a rate on all income may answer


@pytest.fixture(scope="module")
def blind_data(tmp_path_factory, embedder):
    return ingested_corpus(tmp_path_factory, embedder, CORPUS, "blind-data")


@pytest.mark.slow  # the real embedding model: retrieval as users get it
@pytest.mark.parametrize("question, now", [
    ("What share of sync income does Lodi receive from Birchmount?", "sixty-five percent (65%)"),
    ("What territory does Elodie Marchand's co-publishing agreement cover?", "the World"),
    ("When did Birchmount's co-publishing agreement with Elodie Marchand end?", "February 29, 2024"),
    ("What royalty rate does Kestrel pay Amara?", "twenty-two per cent (22%)"),
    ("What advance does Kestrel pay Amara for each album?", "£55,000"),
    ("Can Amara terminate if Priya Nair leaves Kestrel?", "no longer applies"),
    ("What was the original royalty rate in Amara's recording agreement with Kestrel?", "eighteen per cent (18%)"),
    ("What is the license fee for Paper Birds in The Long Field?", "$10,500"),
    ("How long may Paper Birds be used in The Long Field?", "Now three (3) minutes"),
    ("What is the Writer's share of print music income under the Birchmount agreement?", ""),
    ("What fee is payable for using Paper Birds in the trailer?", ""),
])
def test_answers_state_what_the_deal_says_now(blind_data, embedder, question, now):
    """The current value in the answer's first paragraph; "" where the documents do not say."""
    assert_states_now(blind_data, embedder, question, now)


def test_an_agreement_that_calls_itself_supplemental_in_its_opening_stays_an_agreement():
    """"TALENT ENDORSEMENT AGREEMENT THIS SUPPLEMENTAL AGREEMENT is made …" (a CUAD contract with
    terms of its own beside a primary agreement) is an agreement; only a document whose own heading
    line is "SUPPLEMENTAL AGREEMENT" is a change to another. Found when the first rule cost the
    cuad-dev held-back answers 0.004."""
    opening = ("Exhibit 10.8   TALENT ENDORSEMENT AGREEMENT   THIS SUPPLEMENTAL AGREEMENT is made as of 2013 by and between "
               "Tigrent Learning UK Limited (\"Company\") and Celebrity Speakers (\"CSA\").   WHEREAS, 2. Company has entered into "
               "an agreement dated 2nd November 2012 with CSA (\"Primary Agreement\").")
    assert classify("", opening) is None
