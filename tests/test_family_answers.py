"""Answers that respect document families: the current value first, what it replaced after,
with the extractive engine (the embedded default) and through Ollama's wire protocol alike.

The families corpus (tests/families_corpus, our own contracts: an amendment, a side letter, an
option exercise, a non-renewal notice, a termination letter, an assignment, a distractor deal
and an orphan addendum) is measured here; the figures are printed and held to the issue's
target of 0.9 (see README, Answers). The corpus was written before these rules; the rules were
then built against it, so it is a development set: the README says so beside its figures.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import ingested_corpus
from ollama_fake import Script
from test_answering import source_number

from assistant.answer.answering import Answerer
from assistant.demo import grade
from assistant.service import RightsService
from assistant.settings import AnswerSettings, LLMSettings, Settings
from assistant.text.facts import states
from assistant.web.app import ChatSession, names_something, scope_after

pytestmark = pytest.mark.slow
CORPUS = Path(__file__).parent / "families_corpus"
NOVA_EXPIRY = "When does the Nova Records deal with MARA expire?"


@pytest.fixture(scope="module")
def families_data(tmp_path_factory, embedder):
    return ingested_corpus(tmp_path_factory, embedder, CORPUS, "families-data")


def test_the_current_value_is_stated_first_and_what_it_replaced_after(clean_demo_data, embedder):
    with RightsService(Settings(data_dir=clean_demo_data), embedder=embedder) as svc:
        answer = Answerer(svc).ask(NOVA_EXPIRY)
    assert answer.status == "answered" and answer.model.startswith("extractive")
    now, before = answer.text.split("\n\n")
    assert "31 December 2027" in now and "28 February 2027" in before and "28 February 2027" not in now
    cited = {n: s.payload["file_name"] for n, s in ((s.number, s) for s in answer.cited_sources())}
    assert sorted(cited.values()) == ["nova-records-amendment-1.txt", "nova-records-recording-agreement.pdf"]
    first, second = answer.cited
    assert cited[first[0]] == "nova-records-amendment-1.txt" and "31 December 2027" in first[1]
    assert cited[second[0]] == "nova-records-recording-agreement.pdf" and "28 February 2027" in second[1]


def test_an_ollama_draft_stating_the_superseded_value_is_replaced(clean_demo_data, embedder, fake):
    settings = Settings(data_dir=clean_demo_data, llm=LLMSettings(backend="ollama", ollama_host=fake.url))
    with RightsService(settings, embedder=embedder) as svc:
        fake.script = Script(reply=lambda body: f"The Term expires on 28 February 2027 [{source_number(body, '28 February 2027')}].")
        stale = Answerer(svc).ask(NOVA_EXPIRY)
        fake.script = Script(reply=lambda body: f"It now ends on 31 December 2027 [{source_number(body, '31 December 2027')}].")
        current = Answerer(svc).ask(NOVA_EXPIRY)
    assert stale.status == "reduced" and any("current value" in p for p in stale.problems)
    assert stale.text.startswith("Now 31 December 2027")
    assert current.status == "answered" and current.text.startswith("It now ends on 31 December 2027")


def test_families_corpus_answers_state_current_values(families_data, embedder):
    questions = [json.loads(line) for line in (CORPUS / "questions.jsonl").read_text().splitlines() if line.strip()]
    right = stale = changed_right = declined = 0
    changed = [q for q in questions if q.get("superseded")]
    with RightsService(Settings(data_dir=families_data), embedder=embedder) as svc:
        answerer = Answerer(svc)
        for q in questions:
            answer = answerer.ask(q["question"])
            ok = grade(q, answer)
            if not q["answerable"]:
                declined += ok
                continue
            right += ok
            changed_right += ok and q in changed
            stale += (not ok) and any(states(answer.text, old) for old in q.get("superseded", []))
    answerable = sum(q["answerable"] for q in questions)
    print(f"\nfamilies corpus: {right}/{answerable} answers state the gold; changed values {changed_right}/{len(changed)}; "
          f"stating only a superseded value: {stale}; unanswerable declined {declined}/{len(questions) - answerable}")
    assert stale == 0, "an answer stated only a value a later document replaced"
    # the target is 0.9 of answers stating the current value; measured 25/25, 10/10, 5/5
    assert changed_right / len(changed) >= 0.9
    assert right / answerable >= 0.9
    assert declined >= 4


def test_a_follow_up_keeps_the_previous_scope(clean_demo_data, embedder):
    assert not names_something("And the streaming royalty?") and names_something("What does Meridian charge?")
    assert names_something("Who wrote T-345.246.800-3?")
    settings = Settings(data_dir=clean_demo_data, answer=AnswerSettings(engine="extractive"))
    with RightsService(settings, embedder=embedder) as svc:
        session = ChatSession(svc)
        finals = []
        list(session.respond(NOVA_EXPIRY, [], on_final=finals.append))
        scope = scope_after(svc, finals[-1], None)
        names = {d.file_name for d in svc.store.documents().values() if d.doc_id in scope}
        assert names == {"nova-records-amendment-1.txt", "nova-records-recording-agreement.pdf"}
        turns, _ = list(session.respond("And the streaming royalty?", [], scope=scope, on_final=finals.append))[-1]
        assert "28%" in turns[-1]["content"] and all(
            s.payload["doc_id"] in scope for s in finals[-1].sources)
        # Without the scope the same words search everything.
        list(session.respond("And the streaming royalty?", [], on_final=finals.append))
        assert {s.payload["doc_id"] for s in finals[-1].sources} - set(scope)


HAWTHORN_AGREEMENT = """MASTER LICENCE AGREEMENT

Date: 3 May 2021

Licensor: HAWTHORN LANE RECORDS LTD, a company registered in England and Wales, of 12 Quay Street, Bristol BS1 4DB ("Licensor")

Licensee: SILVERBIRCH FILMS LIMITED, of 8 Dean Street, London W1D 3RT ("Licensee")

1. THE MASTER
1.1 The "Master" is the sound recording of "Low Tide Lanterns" performed by Juno Adebayo.

2. LICENCE PERIOD
The licence runs from 1 June 2021 until 31 May 2023 (the "Licence Period").

3. DELIVERY
Licensor shall deliver the stems of the Master to Licensee no later than 15 June 2021 (the "Delivery Date").

4. ROYALTY
4.1 Licensee shall pay Licensor a royalty of six percent (6%) of Net Receipts from the Film's soundtrack album.

5. GOVERNING LAW
This Agreement is governed by the laws of England and Wales.

6. EXCLUSIVITY
Until the end of the Licence Period Licensor will not grant a synchronisation licence of the Master for trailers, video games or mobile telephone advertising.
"""

HAWTHORN_LETTER = """SIDE LETTER

Silverbirch Films Limited
8 Dean Street, London W1D 3RT

2 February 2023

To: Hawthorn Lane Records Ltd, 12 Quay Street, Bristol BS1 4DB

Re: Master Licence Agreement dated 3 May 2021 between Hawthorn Lane Records Ltd and Silverbirch Films Limited (the "Agreement")

1. The Licence Period is extended so that it expires on 31 December 2024.

2. Paragraph 4.1 of the Agreement is amended so that the royalty rate is eight percent (8%) of Net Receipts in place of the rate originally stated.

All other terms of the Agreement remain in full force.
"""


def test_values_restated_without_quotes_are_answered_as_they_stand_now(tmp_path, embedder):
    """A family this project never saw, in the wordings that quote nothing ("is extended so that it
    expires on", "is amended so that the royalty rate is"): the current value first, cited to the
    side letter, the original after it; asked for the original, the original; no change left
    unapplied."""
    folder = tmp_path / "hawthorn"
    folder.mkdir()
    (folder / "hawthorn-master-licence-2021.txt").write_text(HAWTHORN_AGREEMENT)
    (folder / "hawthorn-side-letter-2023.txt").write_text(HAWTHORN_LETTER)
    with RightsService(Settings(data_dir=tmp_path / "data"), embedder=embedder) as svc:
        assert svc.ingest([folder]).ok
        agreement = next(d for d in svc.sources() if d.file_name.startswith("hawthorn-master"))
        consolidated = svc.consolidated(agreement.doc_id)
        assert not consolidated.unapplied
        assert "until 31 December 2024" in consolidated.clause("2").current
        answerer = Answerer(svc)
        royalty = answerer.ask("What royalty does Silverbirch pay Hawthorn Lane on the soundtrack album now?")
        original = answerer.ask("What royalty did Silverbirch originally agree to pay Hawthorn Lane on the soundtrack album?")
        period = answerer.ask("When does Silverbirch's licence of the Low Tide Lanterns master expire?")
        # The same term asked as the use it permits, and the exclusivity asked by what it protects.
        use = answerer.ask("Until when may Silverbirch keep using Low Tide Lanterns?")
        held = answerer.ask("Which uses does Hawthorn Lane's exclusivity for Low Tide Lanterns rule out?")
    assert royalty.status == "answered" and royalty.text.startswith("Now eight percent (8%)"), royalty.text
    assert "six percent (6%)" in royalty.text.split("\n\n", 1)[1]
    assert original.status == "answered" and "six percent (6%)" in original.text and "Now" not in original.text, original.text
    assert "could not be applied" not in royalty.text + original.text
    assert period.status == "answered" and "31 December 2024" in period.text.split("\n\n")[0], period.text
    assert use.status == "answered" and "31 December 2024" in use.text.split("\n\n")[0], use.text
    assert held.status == "answered" and "trailers, video games or mobile telephone advertising" in held.text, held.text
