"""The browser chat: its behaviour through ChatSession, and the real Gradio app on loopback.

The chat model is Ollama's wire protocol on loopback (scripted), so the assertions are exact;
store, embeddings and retrieval are real.
"""

from __future__ import annotations

import json
import socket
import urllib.request

import pytest
from ollama_fake import Script
from test_answering import source_number

from assistant.ops import audit
from assistant.service import RightsService
from assistant.settings import LLMSettings, Settings
from assistant.web.app import ChatSession

pytestmark = pytest.mark.slow




@pytest.fixture
def service(demo_data, embedder, fake):
    settings = Settings(data_dir=demo_data, llm=LLMSettings(backend="ollama", ollama_host=fake.url))
    with RightsService(settings, embedder=embedder) as svc:
        yield svc


def test_chat_streams_then_shows_the_checked_answer_with_linked_highlighted_sources(service, fake):
    fake.script = Script(reply=lambda body: f"The deal now ends on 31 December 2027 [{source_number(body, '31 December 2027')}].")
    question = "When does the Nova Records deal with MARA expire? (chat test)"
    steps = list(ChatSession(service).respond(question, [], "any", "", "", "", user="alice"))
    assert len(steps) >= 3  # sources, streamed tokens, final
    streamed = [turns[-1]["content"] for turns, panel in steps[1:-1]]
    assert any(t.endswith("▌") for t in streamed), "tokens stream into the chat before the check"
    turns, panel = steps[-1]
    assert turns[0] == {"role": "user", "content": question}
    final = turns[-1]["content"]
    n = int(final.split("[[", 1)[1].split("]]", 1)[0])
    assert final.startswith("The deal now ends on 31 December 2027") and f"(#src-{n})" in final
    # the cited source box: anchored, marked as cited, the cited date highlighted, whole chunk on demand
    box = panel.split(f"id='src-{n}'>", 1)[1].split("</details></div>", 1)[0]
    assert "<mark>31 December 2027</mark>" in box and "<details>" in box
    assert panel.index(f"id='src-{n}'") < min(panel.index(f"id='src-{i}'") for i in range(1, 6) if i != n and f"id='src-{i}'" in panel)
    entries = [e for e in audit.read(service.settings.audit_path) if e["question"] == question]
    assert len(entries) == 1
    e = entries[0]
    assert e["user"] == "alice" and e["channel"] == "chat" and e["status"] == "answered"
    assert e["model"].startswith("ollama:") and e["cited"] == [n] and len(e["sources"]) >= 1
    assert all({"file", "section", "point_id"} <= set(s) for s in e["sources"])


def test_chat_reports_a_down_model_without_a_traceback(demo_data, embedder):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    settings = Settings(data_dir=demo_data, llm=LLMSettings(backend="ollama", ollama_host=dead, retries=0))
    with RightsService(settings, embedder=embedder) as svc:
        turns, panel = list(ChatSession(svc).respond("What distribution fee does Meridian charge?", []))[-1]
    assert turns[-1]["content"].startswith("⚠") and "Ollama" in turns[-1]["content"]
    assert "Traceback" not in turns[-1]["content"]


def test_unsupported_answer_is_reduced_and_says_so(service, fake):
    fake.script = Script(reply="Meridian charges 99% [1].")
    turns, panel = list(ChatSession(service).respond("What distribution fee does Meridian charge?", []))[-1]
    assert "showing the passage's words instead" in turns[-1]["content"] or "do not say" in turns[-1]["content"]
    assert "99%" not in turns[-1]["content"].split("*")[0] or "Warning" in turns[-1]["content"]


def test_the_real_gradio_app_serves_on_loopback_and_answers(service, fake):
    import gradio as gr  # noqa: F401  (the app's own dependency)
    from gradio_client import Client

    from assistant.web.app import launch

    fake.script = Script(reply=lambda body: f"The fee is twenty per cent (20%) [{source_number(body, '20%')}].")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = launch(service, "127.0.0.1", port, block=False)
    try:
        page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30).read().decode()
        assert "rights-assistant" in page
        config = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/config", timeout=30).read())
        assert config.get("analytics_enabled") is False
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        turns, panel, scope = client.predict("What distribution fee does Meridian charge? (browser)", [], "any", "", "", "", [],
                                             api_name="/respond")
        assert scope and all(isinstance(doc_id, str) for doc_id in scope)  # the follow-up scope: the cited documents
        content = turns[-1]["content"]  # Gradio 6 sends message content as typed parts
        text = " ".join(part["text"] for part in content) if isinstance(content, list) else content
        assert text.startswith("The fee is twenty per cent (20%)") and "(#src-" in text
        assert "<mark>" in panel and "id='src-" in panel
    finally:
        app.close()


def test_upload_names_sizes_and_types_are_checked(tmp_path):
    from assistant.web.uploads import safe_name, save_uploads

    assert safe_name("../../etc/passwd") is None and safe_name("..\\\\boot.ini") is None
    assert safe_name(".bashrc") is None and safe_name("") is None and safe_name("a\x00b.pdf") is None
    assert safe_name("Nova deal (v2).pdf") == "Nova deal (v2).pdf" and safe_name("x/y/deal.pdf") == "deal.pdf"
    settings = Settings(data_dir=tmp_path / "data")
    settings.ui.max_upload_mb = 1
    ok, big, exe = tmp_path / "ok.txt", tmp_path / "big.txt", tmp_path / "tool.exe"
    ok.write_text("1. Term. Three years.")
    big.write_bytes(b"x" * (1024 * 1024 + 1))
    exe.write_bytes(b"MZ")
    saved, refused = save_uploads([("deal.txt", ok), ("../../../tmp/evil.txt", ok), ("big.txt", big), ("tool.exe", exe)], settings)
    assert [p.name for p in saved] == ["deal.txt"]
    assert settings.uploads_dir.resolve() in saved[0].parents
    reasons = {r.path: r.reason for r in refused}
    assert "path traversal" in reasons["../../../tmp/evil.txt"]
    assert "too large" in reasons["big.txt"] and "unsupported file type '.exe'" in reasons["tool.exe"]
    assert not (tmp_path / "evil.txt").exists() and not list(tmp_path.glob("**/evil.txt"))


def test_uploaded_file_is_ingested_in_the_background_and_answerable(tmp_path, embedder, fake):
    settings = Settings(data_dir=tmp_path / "data", llm=LLMSettings(backend="ollama", ollama_host=fake.url))
    new = tmp_path / "Lumen_renewal.txt"
    new.write_text("LICENCE RENEWAL\n1. Renewal. Lumen Pictures renews the Blue Hour licence until 30 June 2031.\n")
    bad = tmp_path / "scan.pdf"
    bad.write_bytes(b"%PDF-1.4 truncated")
    with RightsService(settings, embedder=embedder) as svc:
        session = ChatSession(svc)
        job = session.upload([("Lumen_renewal.txt", new), ("scan.pdf", bad)])
        assert job.finished.wait(120)
        summary = job.summary()
        assert "1 new" in summary and "scan.pdf" in summary and "PDF" in summary, summary
        fake.script = Script(reply=lambda body: f"Until 30 June 2031 [{source_number(body, '30 June 2031')}].")
        turns, panel = list(session.respond("Until when is the Lumen licence renewed?", []))[-1]
        assert turns[-1]["content"].startswith("Until 30 June 2031") and "Lumen_renewal.txt" in panel
