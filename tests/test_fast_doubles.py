"""The fast tier's in-process doubles (assistant/testing.py), and the answer pipeline run end to end
on them: ingest, hybrid retrieval, prompt, streamed reply, citation check, in about a second."""

from __future__ import annotations

import re

import numpy as np
import pytest

from assistant.answer.answering import Answerer
from assistant.llm.base import LLMError
from assistant.search.embedding import EmbedderProtocol
from assistant.testing import HashingEmbedder, ScriptedChat


def test_hashing_embedder_is_deterministic_normalised_and_lexical(fast_embedder):
    assert isinstance(fast_embedder, EmbedderProtocol)
    texts = ["The Distributor keeps a distribution fee of 20%.", "distribution fee kept by the distributor",
             "Mechanical royalties for Brazil", ""]
    a = fast_embedder.embed(texts)
    assert a.shape == (4, fast_embedder.dimension) and a.dtype == np.float32
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0)
    assert np.array_equal(a, HashingEmbedder().embed(texts)), "same text, same vector, in any instance"
    assert np.allclose(fast_embedder.embed_query(texts[0]), a[0])
    assert a[0] @ a[1] > 0.3 > abs(a[0] @ a[2])
    assert fast_embedder.embed([]).shape == (0, fast_embedder.dimension)
    assert fast_embedder.model_key != HashingEmbedder(dimension=128).model_key


def test_scripted_chat_streams_its_reply_and_keeps_the_requests():
    chat = ScriptedChat(lambda messages: f"You said {messages[-1]['content']} [1].")
    assert list(chat.stream([{"role": "user", "content": "hello"}])) == ["You", " said", " hello", " [1]."]
    assert chat.last_prompt == "hello"
    assert list(chat.stream([{"role": "user", "content": "a b c"}], max_tokens=2)) == ["You", " said"]
    chat.reply = lambda messages: LLMError("backend down")
    with pytest.raises(LLMError, match="backend down"):
        list(chat.stream([]))
    assert len(chat.calls) == 3


@pytest.fixture
def svc(tmp_path, fast_embedder):
    """fast_service answering through the (scripted) model, with the relevance gate lowered: its
    0.25 is calibrated on MiniLM's cosines, and hashed vectors of a question and its passage share fewer dimensions."""
    from assistant.service import RightsService
    from assistant.settings import AnswerSettings, Settings

    with RightsService(Settings(data_dir=tmp_path / "data", answer=AnswerSettings(min_relevance=0.1, engine="model")),
                       embedder=fast_embedder) as service:
        yield service


def source_number(prompt: str, needle: str) -> int:
    for block in re.split(r"\n(?=\[\d+\] )", prompt):
        m = re.match(r"\[(\d+)\]", block)
        if m and needle in " ".join(block.split()):
            return int(m.group(1))
    raise AssertionError(f"{needle!r} is in no source of the prompt")


def test_answer_pipeline_on_the_doubles_keeps_a_supported_citation(svc, contracts, scripted_chat):
    assert svc.ingest([contracts]).ok
    scripted_chat.reply = lambda messages: (
        f"The distributor keeps twenty per cent (20%) [{source_number(messages[-1]['content'], '20%')}]."
    )
    answer = Answerer(svc, chat=scripted_chat).ask("What distribution fee does the distributor keep?")
    assert answer.status == "answered", (answer.status, answer.problems, answer.reason)
    assert [s.payload["file_name"] for s in answer.cited_sources()] == ["pinewave-distribution.txt"]
    assert answer.model == "scripted" and len(scripted_chat.calls) == 1


def test_answer_pipeline_on_the_doubles_reduces_an_invented_fact(svc, contracts, scripted_chat):
    assert svc.ingest([contracts]).ok
    scripted_chat.reply = lambda messages: (
        f"The distributor keeps 35% [{source_number(messages[-1]['content'], '20%')}]."
    )
    answer = Answerer(svc, chat=scripted_chat).ask("What distribution fee does the distributor keep?")
    assert answer.status == "reduced" and any("35" in p for p in answer.problems), answer.problems
    assert "35%" not in answer.text and "20%" in answer.text  # the cited passage's own words instead
