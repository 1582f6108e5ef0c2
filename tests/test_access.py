"""Access groups: a restricted passage never reaches a user outside its groups.

Groups come from sidecar `<file>.groups` and folder `.access` files at ingest and are enforced
inside every store query (dense, lexical, identifiers, neighbours, ledger), so retrieval, the
model's prompt, the chat's sources panel and the audit log can only ever hold allowed text.
"""

from __future__ import annotations

import pytest
from ollama_fake import FakeOllama, Script

from assistant.ops import audit
from assistant.service import RightsService
from assistant.settings import LLMSettings, Settings
from assistant.web.app import ChatSession
from assistant.web.auth import Users, hash_password, verify_password

pytestmark = pytest.mark.slow

SECRET = "SECRET SETTLEMENT AGREEMENT\n1. Payment. Nova Records shall pay Zephyr Vance the sum of £777,000 by 1 March 2026.\n2. Confidentiality. The terms of this settlement are confidential.\n"
HR = "EMPLOYMENT TERMS\n1. Salary. The Head of Rights is paid £91,500 a year.\n2. Notice. Either party may end the employment on three months' notice.\n"
PUBLIC = "DISTRIBUTION AGREEMENT\n1. Fee. Meridian retains a distribution fee of twenty per cent (20%).\n2. Term. The term is three years from 1 July 2020.\n"
SPLITS = "Song Title,ISWC,Writer,Share\nZephyr Song,T-345.246.800-3,Zephyr Vance,100%\n"
RESTRICTED_MARKERS = ("777,000", "Zephyr", "91,500", "Head of Rights is paid", "settlement")

QUESTIONS = [
    "How much does Nova Records pay Zephyr Vance?", "What is the settlement payment?", "777,000",
    "Who wrote ISWC T-345.246.800-3?", "T3452468003", "What is the Head of Rights paid?", "salary",
    "confidential settlement terms", "notice period for employment", "Zephyr Song splits",
    "What fee does Meridian retain?", "Tell me everything about every agreement",
]


@pytest.fixture(scope="module")
def world(tmp_path_factory, embedder):
    root = tmp_path_factory.mktemp("access")
    docs = root / "docs"
    (docs / "hr").mkdir(parents=True)
    (docs / "secret-settlement.txt").write_text(SECRET)
    (docs / "secret-settlement.txt.groups").write_text("# who may see it\nlegal, exec\n")
    (docs / "zephyr-splits.csv").write_text(SPLITS)
    (docs / "zephyr-splits.csv.groups").write_text("legal")
    (docs / "hr" / ".access").write_text("hr")
    (docs / "hr" / "employment.txt").write_text(HR)
    (docs / "meridian.txt").write_text(PUBLIC)
    settings = Settings(data_dir=root / "data")
    with RightsService(settings, embedder=embedder) as svc:
        report = svc.ingest([docs])
        assert report.ok and report.counts["new"] == 4, report.results  # sidecars are not documents
    return settings, docs


def _leaks(texts) -> list[str]:
    return [m for t in texts for m in RESTRICTED_MARKERS if m.lower() in str(t).lower()]


def test_documents_carry_their_groups(world, embedder):
    settings, _ = world
    with RightsService(settings, embedder=embedder) as svc:
        groups = {d.file_name: d.groups for d in svc.sources()}
    assert groups == {"secret-settlement.txt": ["exec", "legal"], "zephyr-splits.csv": ["legal"],
                      "employment.txt": ["hr"], "meridian.txt": []}


@pytest.mark.parametrize("groups", [[], ["a-and-r"], ["marketing", "sync"]])
def test_outsiders_never_retrieve_restricted_text(world, embedder, groups):
    settings, _ = world
    with RightsService(settings, embedder=embedder) as svc:
        view = svc.restricted(groups)
        assert {d.file_name for d in view.sources()} == {"meridian.txt"}
        seen = []
        for q in QUESTIONS:
            hits = view.retrieve(q, 10)
            seen += [h.payload["text"] for h in view.retriever.expand(hits)]
            for mode in ("dense", "lexical", "hybrid"):
                seen += [h.payload["text"] for h in view.search(q, 10, mode=mode)]
        seen += [h.payload["text"] for h in view.store.all_chunks()]
        assert not _leaks(seen)
        hidden = sum(d.n_chunks for d in svc.sources() if d.groups)
        assert hidden >= 3 and view.store.count_chunks() == svc.store.count_chunks() - hidden
        assert seen, "the public document is still found"


def test_members_see_their_documents(world, embedder):
    settings, _ = world
    with RightsService(settings, embedder=embedder) as svc:
        legal = svc.restricted(["legal"])
        assert "777,000" in legal.retrieve("How much does Nova Records pay Zephyr Vance?", 3)[0].payload["text"]
        assert legal.retrieve("T3452468003", 1)[0].payload["record_title"] == "Zephyr Song"
        assert not _leaks(h.payload["text"] for h in legal.retrieve("What is the Head of Rights paid?", 10) if "91,500" in h.payload["text"])
        everyone = svc.restricted(["*"])
        assert len(everyone.sources()) == 4


def test_signed_in_chat_never_shows_or_logs_restricted_text(world, embedder):
    settings, _ = world
    fake = FakeOllama()
    try:
        # A model that would happily repeat whatever it is given: the prompt is what must be clean.
        fake.script = Script(reply=lambda body: "Sources say: " + body["messages"][1]["content"][:2000] + " [1]")
        chat_settings = settings.model_copy(update={"llm": LLMSettings(backend="ollama", ollama_host=fake.url)})
        users = Users({"bob": {"password": hash_password("bob-password"), "groups": ["a-and-r"]},
                       "lena": {"password": hash_password("lena-password"), "groups": ["legal"]}})
        with RightsService(chat_settings, embedder=embedder) as svc:
            session = ChatSession(svc, users=users)
            for q in QUESTIONS:
                turns, panel = list(session.respond(q, [], user="bob"))[-1]
                assert not _leaks([turns[-1]["content"], panel]), q
            # The prompts' sources (the question itself is the user's own words).
            prompts = [r["body"]["messages"][1]["content"].split("\n\nQuestion:")[0] for r in fake.requests if "body" in r]
            assert prompts and not _leaks(prompts)
            entries = [e for e in audit.read(chat_settings.audit_path) if e["user"] == "bob"]
            assert len(entries) == len(QUESTIONS)
            assert not _leaks([e["answer"] for e in entries] + [e["sources"] for e in entries])
            turns, panel = list(session.respond("How much does Nova Records pay Zephyr Vance?", [], user="lena"))[-1]
            assert "777,000" in panel
    finally:
        fake.close()


def test_passwords_are_hashed_and_checked(tmp_path):
    stored = hash_password("correct horse")
    assert stored.startswith("scrypt$") and "correct horse" not in stored
    assert verify_password("correct horse", stored) and not verify_password("wrong", stored)
    users = Users({"alice": {"password": stored, "groups": ["legal"]}})
    path = tmp_path / "users.toml"
    users.save(path)
    loaded = Users.load(path)
    assert loaded.authenticate("alice", "correct horse") and not loaded.authenticate("alice", "nope")
    assert not loaded.authenticate("mallory", "correct horse") and loaded.groups("alice") == ["legal"]
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_chat_refuses_the_network_without_sign_in(world, embedder):
    from assistant.web.app import SignInRequired, launch

    settings, _ = world
    with RightsService(settings, embedder=embedder) as svc:
        with pytest.raises(SignInRequired, match="without sign-in"):
            launch(svc, "0.0.0.0", 0, block=False)


def test_a_view_is_kept_per_set_of_groups_and_rebuilt_when_its_store_is_not_a_view_any_more(fast_service):
    legal = fast_service.restricted(["legal"])
    assert fast_service.restricted(["legal"]) is legal and fast_service.restricted(["legal", "legal"]) is legal
    assert fast_service.restricted(["finance"]) is not legal
    assert fast_service.restricted(["*"]) is fast_service
    legal._store = None  # what _reopen_store leaves after a failed write in the view
    again = fast_service.restricted(["legal"])
    assert again is not legal and again.store.access == ["legal"]
