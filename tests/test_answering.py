"""Cited answers end to end on the demo corpus: real store, real embeddings, and a chat model
that is either Ollama's wire protocol on loopback (scripted replies, for exact cases) or the
real embedded SmolLM2 (see test_answering_embedded.py)."""

from __future__ import annotations

import json
import re

import pytest
from ollama_fake import Script

from assistant.answer.answering import Answerer
from assistant.llm.base import LLMUnavailable
from assistant.llm.prompting import NO_ANSWER, defang
from assistant.service import RightsService
from assistant.settings import AnswerSettings, LLMSettings, Settings


@pytest.fixture
def ask(demo_data, embedder, fake):
    services = []

    def _ask(question: str, reply, **answer_settings):
        fake.script = Script(reply=reply)
        fake.requests.clear()
        settings = Settings(data_dir=demo_data, llm=LLMSettings(backend="ollama", ollama_host=fake.url),
                            answer=AnswerSettings(**answer_settings))
        svc = RightsService(settings, embedder=embedder)
        services.append(svc)
        return Answerer(svc).ask(question)

    yield _ask
    for svc in services:
        svc.close()


def source_number(body: dict, needle: str) -> int:
    """The number the prompt gave to the source containing ``needle``."""
    user = body["messages"][1]["content"]
    for block in re.split(r"\n(?=\[\d+\] )", user):  # "<sources>\n[1] ...", "\n\n[2] ..."
        m = re.match(r"\[(\d+)\]", block)
        if m and needle in " ".join(block.split()):
            return int(m.group(1))
    raise AssertionError(f"{needle!r} is in no source of the prompt")


def test_supported_answer_is_kept_with_its_citation(ask):
    reply = lambda body: f"The deal now ends on 31 December 2027 [{source_number(body, '31 December 2027')}]."
    answer = ask("When does the Nova Records deal with MARA expire?", reply)
    assert answer.status == "answered", answer.problems
    assert answer.text.startswith("The deal now ends on 31 December 2027")
    cited = answer.cited_sources()
    assert [s.payload["file_name"] for s in cited] == ["nova-records-amendment-1.txt"]
    assert "31 December 2027" in " ".join(cited[0].text.split())
    assert answer.ttft_s is not None and answer.tokens > 3


def test_invented_fact_is_reduced_to_the_passage_words(ask):
    reply = lambda body: f"The deal ends on 30 June 2031 [{source_number(body, '31 December 2027')}]."
    answer = ask("When does the Nova Records deal with MARA expire?", reply)
    assert answer.status == "reduced"
    assert any("30 June 2031" in p for p in answer.problems)
    assert "2031" not in answer.text and "31 December 2027" in answer.text  # the extractive answer instead
    assert answer.cited
    for number, claim in answer.cited:  # every quoted piece is the cited passage's own words
        source = next(s for s in answer.sources if s.number == number)
        for inner in re.findall(r"“([^”]+)”", claim):
            assert inner.rstrip(" …").lstrip("… ") in " ".join(defang(source.text)[0].split())


def test_unsupported_answer_can_be_flagged_instead(ask):
    reply = lambda body: f"The deal ends on 30 June 2031 [{source_number(body, '31 December 2027')}]."
    answer = ask("When does the Nova Records deal with MARA expire?", reply, on_unsupported="flag")
    assert answer.status == "flagged" and "30 June 2031" in answer.text


def test_model_saying_no_answer_abstains(ask):
    answer = ask("What is the sync fee for Blue Hour in Brazil?", "The documents do not mention Brazil.")
    assert answer.abstained and answer.text == NO_ANSWER and not answer.cited


def test_off_topic_question_abstains_without_asking_the_model(ask, fake):
    answer = ask("What is the boiling point of mercury in kelvin?", "629 K [1].")
    assert answer.abstained and "close to the question" in answer.reason
    assert fake.chats() == []


def test_instructions_inside_a_document_never_reach_the_model(ask, fake):
    reply = lambda body: "Noted [1]."
    ask("What does the catalogue transfer memo say about AI assistants and Nova Records agreements?", reply)
    [body] = fake.chats()
    prompt = json.dumps(body["messages"])
    assert "catalogue-transfer-memo.txt" in prompt  # the memo was retrieved and given as a source ...
    assert "ignore all previous instructions" not in prompt.lower()  # ... with its instructions removed
    assert "maintenance mode" not in prompt
    assert "instruction-like text removed" in prompt


def test_ollama_down_is_a_clear_error(demo_data, embedder):
    settings = Settings(data_dir=demo_data, llm=LLMSettings(backend="ollama", ollama_host="http://127.0.0.1:9", retries=0))
    with RightsService(settings, embedder=embedder) as svc:
        with pytest.raises(LLMUnavailable, match="not reachable"):
            Answerer(svc).ask("When does the Nova Records deal with MARA expire?")


def test_rights_ask_prints_answer_and_sources_and_exit_codes(demo_data, fake, monkeypatch):
    from typer.testing import CliRunner

    from assistant.cli.app import app

    monkeypatch.setenv("RIGHTS_DATA_DIR", str(demo_data))
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("OLLAMA_HOST", fake.url)
    fake.script = Script(reply=lambda body: f"It ends on 31 December 2027 [{source_number(body, '31 December 2027')}].")
    result = CliRunner().invoke(app, ["ask", "When does the Nova Records deal with MARA expire?"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "It ends on 31 December 2027" in result.output
    assert "Sources" in result.output and "nova-records-amendment-1.txt" in result.output
    fake.script = Script(reply="The documents do not say.")
    result = CliRunner().invoke(app, ["ask", "What is the sync fee for Blue Hour in Brazil?"], catch_exceptions=False)
    assert result.exit_code == 3 and NO_ANSWER in result.output
    result = CliRunner().invoke(app, ["ask", "--json", "Who administers the Northgate catalogue?"], catch_exceptions=False)
    assert json.loads(result.output)["sources"]
    monkeypatch.setenv("OLLAMA_HOST", "http://127.0.0.1:9")
    monkeypatch.setenv("RIGHTS_LLM__RETRIES", "0")
    result = CliRunner().invoke(app, ["ask", "When does the Nova Records deal with MARA expire?"], catch_exceptions=False)
    assert result.exit_code == 2 and "not reachable" in result.output and "Traceback" not in result.output
