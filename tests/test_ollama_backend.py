"""The Ollama backend against a loopback server speaking Ollama's real HTTP API, and (when
OLLAMA_HOST is set) against a real Ollama."""

from __future__ import annotations

import os
import socket

import pytest
from ollama_fake import FakeOllama, Script

from assistant.llm.base import LLMError, LLMUnavailable
from assistant.llm.ollama import OllamaChat
from assistant.settings import LLMSettings

MESSAGES = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hello"}]


@pytest.fixture
def fake():
    server = FakeOllama()
    yield server
    server.close()


def chat(url: str, **kw) -> OllamaChat:
    sleeps: list[float] = []
    c = OllamaChat(LLMSettings(ollama_host=url, **kw), sleep=sleeps.append)
    c.sleeps = sleeps  # type: ignore[attr-defined]
    return c


def test_streams_tokens_in_order_with_deterministic_options(fake):
    fake.script = Script(reply="The term ends on 31 December 2027 [1].")
    pieces = list(chat(fake.url, seed=7).stream(MESSAGES))
    assert len(pieces) > 3
    assert "".join(pieces) == "The term ends on 31 December 2027 [1]."
    body = fake.chats()[0]
    assert body["stream"] is True and body["model"] == "llama3.2:3b"
    assert body["options"]["temperature"] == 0 and body["options"]["seed"] == 7
    assert body["messages"] == MESSAGES


def test_missing_model_says_how_to_pull_it_and_is_not_retried(fake):
    fake.script = Script(missing_model=True)
    with pytest.raises(LLMUnavailable, match="ollama pull llama3.2:3b"):
        list(chat(fake.url).stream(MESSAGES))
    assert len(fake.chats()) == 1


def test_busy_server_is_retried_with_backoff(fake):
    fake.script = Script(reply="ok then", fail_first=2)
    c = chat(fake.url, retries=2)
    assert "".join(c.stream(MESSAGES)) == "ok then"
    assert len(fake.chats()) == 3
    assert c.sleeps == [0.5, 1.0]


def test_gives_up_after_the_retries(fake):
    fake.script = Script(fail_first=5)
    with pytest.raises(LLMUnavailable, match="after 2 attempt"):
        list(chat(fake.url, retries=1).stream(MESSAGES))


def test_server_down_is_a_clear_error():
    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    c = chat(f"http://127.0.0.1:{port}", retries=2)
    with pytest.raises(LLMUnavailable, match="not reachable.*OLLAMA_HOST"):
        list(c.stream(MESSAGES))
    assert c.sleeps == [0.5, 1.0]


def test_recovers_when_the_server_comes_back_without_a_restart_of_the_app():
    first = FakeOllama()
    port = first.server.server_address[1]
    first.close()
    c = chat(f"http://127.0.0.1:{port}", retries=0)
    with pytest.raises(LLMUnavailable, match="not reachable"):
        list(c.stream(MESSAGES))
    back = FakeOllama(script=Script(reply="back again"), port=port)
    try:
        assert "".join(c.stream(MESSAGES)) == "back again"  # the same client object
    finally:
        back.close()


def test_error_mid_stream_is_reported_not_restarted(fake):
    fake.script = Script(reply="one two three four five", error_after_tokens=2)
    got: list[str] = []
    with pytest.raises(LLMError, match="mid-answer"):
        for piece in chat(fake.url).stream(MESSAGES):
            got.append(piece)
    assert "".join(got) == "one two "
    assert len(fake.chats()) == 1


def test_connection_dropped_mid_stream(fake):
    fake.script = Script(reply="one two three four five", drop_after_tokens=2)
    with pytest.raises(LLMError, match="mid-answer"):
        list(chat(fake.url).stream(MESSAGES))
    assert len(fake.chats()) == 1


@pytest.mark.parametrize("garbage", [b"<html>502 Bad Gateway</html>\n", b'{"message": 42}\n',
                                     b'{"unexpected": true, "done": true}\n', b"\xff\xfe\x00\x01binary\n"],
                         ids=["html", "wrong-type", "wrong-shape", "binary"])
def test_garbage_mid_stream_is_a_clear_error_not_a_traceback(fake, garbage):
    fake.script = Script(reply="one two three four five", garbage_after_tokens=2, garbage=garbage)
    got: list[str] = []
    with pytest.raises(LLMError, match="malformed reply mid-answer") as info:
        for piece in chat(fake.url).stream(MESSAGES):
            got.append(piece)
    assert "".join(got) == "one two " and len(fake.chats()) == 1
    assert "\n" not in str(info.value)  # one line for the chat's status
    fake.script = Script(reply="one two", garbage_after_tokens=0, garbage=garbage)
    with pytest.raises(LLMError, match="malformed reply instead of an answer"):
        list(chat(fake.url).stream(MESSAGES))


def test_hanging_server_times_out(fake):
    fake.script = Script(reply="late", hang_s=1.5)
    with pytest.raises(LLMUnavailable, match="did not answer within"):
        list(chat(fake.url, timeout_s=0.3).stream(MESSAGES))


def test_host_without_scheme_is_accepted(fake):
    fake.script = Script(reply="fine")
    assert "".join(chat(fake.url.removeprefix("http://")).stream(MESSAGES)) == "fine"


@pytest.mark.skipif(not os.environ.get("REAL_OLLAMA_HOST"), reason="needs a real Ollama (set OLLAMA_HOST)")
def test_real_ollama_answers():
    model = os.environ.get("REAL_OLLAMA_MODEL", "llama3.2:3b")
    c = OllamaChat(LLMSettings(ollama_host=os.environ["REAL_OLLAMA_HOST"], ollama_model=model, max_answer_tokens=20))
    text = "".join(c.stream([{"role": "user", "content": "Reply with the single word: ready"}]))
    assert "ready" in text.lower()
