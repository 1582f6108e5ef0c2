"""A later document's sum paid *on top of* the agreement's is said beside it, never instead of it.

"In consideration of an additional fee of US$5,000, the License is modified as follows" prices a
letter's changes; "What is the licence fee?" is still the agreement's US$12,500, with the
additional fee named after it. A sum that replaces the fee, or that an addition leads to
("increased by an additional £10,000 to £50,000"), is a new value and answers alone.
"""

from __future__ import annotations

from assistant.answer.family_answer import Candidate, adds_sum, compose, with_added_sum
from assistant.answer.selection import Selection
from ingest.model import DocumentRecord

AGREEMENT = DocumentRecord("a", "", "licence.txt", "MASTER USE LICENSE", "contract", "", "", 0, agreement_date="2023-05-15")
LETTER = DocumentRecord("l", "", "letter.txt", "LETTER AGREEMENT", "contract", "", "", 0, agreement_date="2023-05-15", effective_date="2023-12-01",
                        family_role="side letter", family_of="a")
FEE = "Licensee shall pay Licensor a flat fee of Twelve Thousand Five Hundred U.S. Dollars (US$12,500)."
PRICE = ("Ladies and Gentlemen: This letter agreement confirms that, in consideration of an additional fee of Five "
         "Thousand U.S. Dollars (US$5,000), the License is modified as follows: (i) The Term is extended.")


def candidate(doc, text, fact, number, score):
    start = text.index(fact)
    sel = Selection(number=number, unit_text=text, start=0, end=len(text), fact_text=fact, kind="money", score=score,
                    fact_start=start, fact_end=start + len(fact))
    return Candidate(doc, sel, (number,))


def test_a_sum_named_additional_is_added_and_a_replacing_or_raising_sum_is_not():
    assert adds_sum(candidate(LETTER, PRICE, "US$5,000", 2, 1.0))
    assert adds_sum(candidate(LETTER, "We will pay you £20,000. This is in addition to the Advance.", "£20,000", 2, 1.0),
                    {2: "We will pay you £20,000. This is in addition to the Advance."})
    assert not adds_sum(candidate(LETTER, "The Advance is increased by an additional £10,000 to £50,000.", "£10,000", 2, 1.0))
    assert not adds_sum(candidate(LETTER, "The Fee is deleted and replaced by a further fee of £9,000.", "£9,000", 2, 1.0))
    assert not adds_sum(candidate(LETTER, "The Fee shall be US$7,000.", "US$7,000", 2, 1.0))
    assert not adds_sum(candidate(AGREEMENT, "An additional fee of £500 is payable per use.", "£500", 1, 1.0))


def test_the_agreement_fee_answers_and_the_letter_price_is_named_beside_it():
    fee, price = candidate(AGREEMENT, FEE, "US$12,500", 1, 1.37), candidate(LETTER, PRICE, "US$5,000", 2, 1.6)
    current, previous, added = with_added_sum([fee, price], (price, None), None, "What is the license fee?")
    assert (current, previous, added) == (fee, None, price)
    answer = compose(current, previous, added)
    first, second = answer.text.split("\n\n")
    assert first.startswith("US$12,500") and "US$5,000" not in first
    assert second.startswith("In addition, the side letter provides US$5,000") and second.endswith("[2]")
    assert "additional fee of Five Thousand U.S. Dollars (US$5,000)" in second  # "U.S." does not end the quote
    assert [n for n, _ in answer.cited] == [1, 2]


def test_a_question_asking_for_the_added_sum_gets_it():
    fee, price = candidate(AGREEMENT, FEE, "US$12,500", 1, 1.0), candidate(LETTER, PRICE, "US$5,000", 2, 1.6)
    for question in ("What additional fee was paid?", "What fee does the letter agreement require?"):
        assert with_added_sum([fee, price], (price, None), None, question) == (price, None, None)


def test_the_agreement_answering_first_still_names_the_added_sum_and_only_a_later_one():
    fee, price = candidate(AGREEMENT, FEE, "US$12,500", 1, 1.4), candidate(LETTER, PRICE, "US$5,000", 2, 1.0)
    assert with_added_sum([fee, price], (fee, None), None, "What is the license fee?") == (fee, None, price)
    weak = candidate(LETTER, PRICE, "US$5,000", 2, 0.5)  # too far below the answer to be about the same thing
    assert with_added_sum([fee, weak], (fee, None), None, "What is the license fee?") == (fee, None, None)
