"""Three contract families in drafting styles the rules were not written for (tests/families_drafting).

A US administration agreement with a "First Amendment" that replaces a section, inserts a
sub-section and changes words twice in one sentence, then a notice exercising "its right to
extend the term" (an option that never says "option"); a Scottish producer agreement ("Parties:
(1) ... (2) ...", royalty in points, "governed by Scots law") with a letter of variation that
strikes and inserts words, deletes and substitutes a date, and revokes a paragraph; a US sync
licence with a "notwithstanding" side letter, a notice of assignment and a termination.

Written after a first run of the engine on them showed what it missed (the joined word change was
dropped in silence, the option exercise and the points were not read, a question about the
revoked credit clause picked a territory from another deal): a development set, like
tests/families_corpus. The same questions are in tests/families_drafting/questions.jsonl for
``rights eval``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ingested_corpus

from assistant.answer.answering import Answerer
from assistant.service import RightsService
from assistant.settings import Settings

CORPUS = Path(__file__).parent / "families_drafting"


def _agreement(service, stem: str):
    return next(d for d in service.sources() if d.file_name.startswith(stem))


def test_every_change_of_the_three_families_is_applied_and_nothing_is_dropped(fast_service):
    assert fast_service.ingest(sorted(CORPUS.glob("*.txt"))).ok
    saltmarsh = fast_service.consolidated(_agreement(fast_service, "saltmarsh_admin").doc_id)
    assert saltmarsh.clause("4").current.endswith("The Territory is the United States of America Canada and Mexico.")
    assert "twelve and one-half percent (12.5%)" in saltmarsh.clause("5").current
    assert saltmarsh.clause("7.3").status == "inserted"
    assert not saltmarsh.unapplied
    quayside = fast_service.consolidated(_agreement(fast_service, "quayside_producer").doc_id)
    assert "four (4) points" in quayside.clause("3").current and "three (3) points" not in quayside.clause("3").current
    assert "31 August 2021" in quayside.clause("4").current
    assert quayside.clause("5").status == "deleted"
    assert not quayside.unapplied
    fernhill = fast_service.consolidated(_agreement(fast_service, "fernhill_sync").doc_id)
    assert fernhill.clause("4").status == "overridden" and fernhill.clause("6").status == "overridden"


def test_the_key_terms_are_the_current_ones(fast_service):
    assert fast_service.ingest(sorted(CORPUS.glob("*.txt"))).ok
    saltmarsh = fast_service.contract_terms(_agreement(fast_service, "saltmarsh_admin").doc_id)
    assert saltmarsh.term("expiry").current[0].value.value == "2025-06-30"  # 3 years from 1 July 2020, plus the option's 2
    assert saltmarsh.term("agreement_type").current[0].value.text == "Administration Agreement"
    assert set(saltmarsh.term("territory").current[0].value.value["include"]) == {"US", "CA", "MX"}
    quayside = fast_service.contract_terms(_agreement(fast_service, "quayside_producer").doc_id)
    assert [e.value.value["name"] for e in quayside.term("parties").current] == ["QUAYSIDE RECORDS LIMITED", "TOMAS VERRE"]
    assert quayside.term("royalties").current[0].value.value["percent"] == 4.0
    assert quayside.term("governing_law").current[0].value.value["code"] == "GB-SCT"
    fernhill = fast_service.contract_terms(_agreement(fast_service, "fernhill_sync").doc_id)
    licensee = [e for e in fernhill.term("parties").current if e.value.value.get("role", "").lower() == "licensee"]
    assert [e.value.value["name"] for e in licensee] == ["Halcyon Interactive Ltd"]
    assert fernhill.term("expiry").current[0].value.value == "2025-04-30"


@pytest.fixture(scope="module")
def drafting_data(tmp_path_factory, embedder):
    return ingested_corpus(tmp_path_factory, embedder, CORPUS, "drafting-data")


@pytest.mark.parametrize("question, now, superseded", [
    ("Which territory does the Saltmarsh administration agreement cover?", '"and Mexico" after the word "Canada" and by deleting', ""),
    ("When does the Saltmarsh administration agreement end?", "30 June 2025", "30 June 2023"),
    ("How many points does Tomas Verre get on the Low Country album?", "four (4) points", "three (3) points"),
    ("By when must Tomas Verre deliver the Low Country masters?", "31 August 2021", "30 June 2021"),
    ("How is Tomas Verre credited on the Low Country releases?", "Clause 5 no longer applies", ""),
    ("Who is the licensee of Glass Harbor now?", "Now Halcyon Interactive Ltd", ""),
    ("When does the Glass Harbor licence end?", "April 30, 2025", "September 14, 2025"),
])
def test_answers_state_what_the_deal_says_now(drafting_data, embedder, question, now, superseded):
    """The current value in the answer's first paragraph, and before any superseded one (which a
    quoted change may name: "the words '30 June 2021' shall be deleted and ...")."""
    with RightsService(Settings(data_dir=drafting_data), embedder=embedder) as svc:
        answer = Answerer(svc).ask(question)
    first = answer.text.split("\n\n")[0]
    assert answer.status == "answered" and now in first, answer.text
    assert not superseded or superseded not in first or first.index(now) < first.index(superseded), answer.text


@pytest.mark.parametrize("question", [
    "What royalty does Brightwater pay on sales of Tidebreaker?",
    "Which PRO is Corvid Lane affiliated with?",
    "What is Tomas Verre's mixing fee per track?",
])
def test_what_the_documents_do_not_say_is_declined(drafting_data, embedder, question):
    with RightsService(Settings(data_dir=drafting_data), embedder=embedder) as svc:
        assert Answerer(svc).ask(question).status == "abstained"
