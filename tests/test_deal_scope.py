"""Deal scoping: a question answers from the deal it names, asks back when two deals fit, and a
licence of one side of a song does not answer for the other side (issue: consolidated contracts,
items 5 and 6).

The corpus is written here: two recording deals of the same label with different artists and
rates, a master use licence with a letter that adds an extension fee "in addition to" the
licence fee, and a distribution agreement whose termination notice mentions the next distributor.
"""

from __future__ import annotations

import pytest

from assistant.answer import deal_scope
from assistant.answer.answering import Answerer
from assistant.text.parties import names
from ingest.model import DocumentRecord

REYES = """RECORDING AGREEMENT

This Recording Agreement is made on 4 March 2021 between NOVA RECORDS LIMITED ("Company") and JONAH REYES ("Artist").

1. TERM
1.1 The Term is three (3) years from the date of this Agreement.

2. ROYALTIES
2.1 Company shall pay Artist a royalty of eighteen percent (18%) of net receipts from exploitation of the Masters.
"""

QUILL = """RECORDING AGREEMENT

This Recording Agreement is made on 9 September 2022 between NOVA RECORDS LIMITED ("Company") and ADA QUILL ("Artist").

1. TERM
1.1 The Term is four (4) years from the date of this Agreement.

2. ROYALTIES
2.1 Company shall pay Artist a royalty of twenty-two percent (22%) of net receipts from exploitation of the Masters.
"""

LICENCE = """MASTER USE LICENCE

Date: 2 May 2023

Licensor: QUIET HARBOUR RECORDINGS LTD ("Licensor")
Licensee: BRAMBLE FOODS LIMITED ("Licensee")

1. THE MASTER
1.1 The "Master" is the sound recording of "Low Orchard" performed by The Wickers.

2. LICENCE PERIOD
The licence runs from 1 June 2023 until 31 May 2024 (the "Licence Period").

3. FEE
3.1 Licensee shall pay Licensor a fee of £12,000 (twelve thousand pounds) plus VAT (the "Fee") within thirty (30) days of invoice.

4. COMPOSITION
This Licence covers the Master only; the underlying composition is licensed separately by its publishers.
"""

EXTENSION = """EXTENSION LETTER

Quiet Harbour Recordings Ltd

10 April 2024

To: Bramble Foods Limited

Dear Priya,

Re: Master Use Licence dated 2 May 2023 between Quiet Harbour Recordings Ltd and Bramble Foods Limited - "Low Orchard" (the "Licence")

1. The Licence Period is extended so that it expires on 30 November 2024.

2. Bramble shall pay an extension fee of £5,000 (five thousand pounds) plus VAT within thirty (30) days of our invoice. This is in addition to the Fee already paid under the Licence.

Kind regards,
Sam Okoye, Quiet Harbour Recordings Ltd
"""

DISTRIBUTION = """DISTRIBUTION AGREEMENT

This Distribution Agreement is dated 1 February 2020 between CEDAR POINT DISTRIBUTION INC. ("Distributor") and MOSSGROVE RECORDS LLC ("Label").

1. TERM
1.1 The Term is an initial term of three (3) years commencing on the Effective Date.

2. FEE
2.1 Distributor shall retain a distribution fee equal to fifteen percent (15%) of Gross Receipts.
"""

NOTICE = """MOSSGROVE RECORDS LLC

June 1, 2023

Cedar Point Distribution Inc.

NOTICE OF TERMINATION

Re: Distribution Agreement between Cedar Point Distribution Inc. and Mossgrove Records LLC dated February 1, 2020 (the "Agreement")

Ladies and Gentlemen:

Mossgrove Records LLC hereby terminates the Agreement effective as of 11:59 p.m. on August 31, 2023 (the "Termination Date").

Please cooperate with Label's new distributor, Tallowmere Music Services, in moving the catalog by August 15, 2023.
"""


@pytest.fixture(scope="module")
def answerer(tmp_path_factory, embedder):
    """The corpus on the real embedding model (retrieval decides which deals are candidates)."""
    from assistant.service import RightsService
    from assistant.settings import Settings

    folder = tmp_path_factory.mktemp("deals")
    for name, text in {"nova_reyes_recording_agreement_2021.txt": REYES, "nova_quill_recording_agreement_2022.txt": QUILL,
                       "quiet_harbour_bramble_master_use_licence_2023.txt": LICENCE,
                       "quiet_harbour_bramble_extension_letter_2024.txt": EXTENSION,
                       "cedar_point_mossgrove_distribution_agreement_2020.txt": DISTRIBUTION,
                       "mossgrove_termination_notice_2023.txt": NOTICE}.items():
        (folder / name).write_text(text)
    with RightsService(Settings(data_dir=tmp_path_factory.mktemp("deals-data")), embedder=embedder) as svc:
        assert svc.ingest([folder]).ok
        yield Answerer(svc)


def test_two_deals_that_answer_differently_get_a_question_back(answerer):
    answer = answerer.ask("What royalty does Nova Records pay its artist under the recording agreement?")
    assert answer.abstained
    assert "Which one do you mean?" in answer.text
    assert "JONAH REYES" in answer.text and "ADA QUILL" in answer.text
    assert "18%" not in answer.text and "22%" not in answer.text  # neither deal's figure is picked


def test_naming_the_artist_answers_from_that_deal_only(answerer):
    answer = answerer.ask("What royalty does Nova Records pay Ada Quill?")
    assert answer.status == "answered", answer.reason
    assert "22%" in answer.text and "18%" not in answer.text


def test_a_deal_with_someone_who_is_no_party_is_not_answered_from_another_deal(answerer):
    # the termination notice mentions Tallowmere as the next distributor; no deal with it is here
    answer = answerer.ask("How long is Mossgrove's new distribution deal with Tallowmere Music Services?")
    assert answer.abstained
    assert "no agreement with Tallowmere Music Services" in answer.reason
    kept = answerer.ask("What distribution fee does Cedar Point keep under its deal with Mossgrove?")
    assert kept.status == "answered" and "15%" in kept.text


def test_a_master_licence_does_not_answer_for_the_composition(answerer):
    answer = answerer.ask("What fee did Bramble pay the publishers for the composition of Low Orchard?")
    assert answer.abstained
    assert "master use licence" in answer.reason


@pytest.mark.parametrize("question", ["What is the fee under the Low Orchard master use licence?",
                                      "What fee did Bramble originally pay Quiet Harbour for the licence?"])
def test_a_fee_added_by_a_letter_does_not_supersede_the_licence_fee(answerer, question):
    answer = answerer.ask(question)
    assert answer.status == "answered", answer.reason
    assert "£12,000" in answer.text
    assert not answer.text.startswith("Now")  # the extension fee is no new value of the licence fee
    added = answerer.ask("How much is Bramble paying for the extension?")
    assert "£5,000" in added.text


def test_a_value_labelled_by_the_asked_role_is_chosen(answerer):
    answer = answerer.ask("When does Cedar Point stop distributing Mossgrove's catalog?")
    assert answer.status == "answered", answer.reason
    assert "August 31, 2023" in answer.text and "August 15" not in answer.text.split("\n")[0]


@pytest.mark.parametrize(("question", "names"), [
    ("How long is Ember Lane's new distribution deal with Harbourlight Music Services?", ["Harbourlight Music Services"]),
    ("Which law governs the agreement between Nova Records and Jonah Reyes?", ["Nova Records", "Jonah Reyes"]),
    ("What does the Northgate deal with Ember Lane say about audits?", ["Ember Lane"]),
    ("How should we deal with Harbourlight?", []),  # the verb, not a deal
    ("What is the royalty in MARA's recording agreement?", []),
])
def test_counterparties_are_read_from_the_question(question, names):
    assert deal_scope.counterparties(question) == names


def test_a_party_is_read_from_the_opening_not_the_body():
    doc = DocumentRecord("n1", "", "notice.txt", "NOTICE OF TERMINATION", "contract", "", "", 0, family_role="termination notice")
    text = deal_scope.party_text([doc], lambda d: NOTICE)
    assert names(text, "Mossgrove Records")
    assert names(text, "Cedar Point Distribution Inc.")
    assert not names(text, "Tallowmere Music Services")  # only mentioned in the body


def test_deals_between_the_same_parties_are_not_asked_about():
    first = DocumentRecord("a", "", "a.txt", "Recording Agreement", "contract", "", "", 0, parties=["Nova Records", "MARA"])
    second = DocumentRecord("b", "", "b.txt", "Recording Agreement", "contract", "", "", 0, parties=["Nova Records Ltd", "MARA"])
    other = DocumentRecord("c", "", "c.txt", "Recording Agreement", "contract", "", "", 0, parties=["Nova Records", "Ada Quill"])
    docs = {d.doc_id: d for d in (first, second, other)}
    scope = deal_scope.DealScope("q", docs, lambda d: "")
    assert scope.competing([(first, 1.0, "18%"), (second, 0.99, "20%")]) == []
    assert len(scope.competing([(first, 1.0, "18%"), (other, 0.99, "22%")])) == 2
    assert scope.competing([(first, 1.0, "18%"), (other, 0.5, "22%")]) == []
    assert scope.competing([(first, 1.0, "18%"), (other, 1.0, "18%")]) == []


def test_a_family_s_openings_are_read_once_per_question():
    agreement = DocumentRecord("a", "", "a.txt", "Recording Agreement", "contract", "", "", 2, parties=["Nova Records", "MARA"])
    letter = DocumentRecord("l", "", "l.txt", "Side Letter", "contract", "", "", 1, family_role="side letter", family_of="a")
    docs = {d.doc_id: d for d in (agreement, letter)}
    reads = []
    scope = deal_scope.DealScope("What is the royalty in the deal with Harbourlight?", docs,
                                 lambda d: reads.append(d.doc_id) or "")
    for _ in range(3):
        assert scope.absent(letter) == ["Harbourlight"]
        assert scope.absent(agreement) == ["Harbourlight"]
    assert sorted(reads) == ["a", "l"]

