"""Access control as a property: over many generated documents, groups, users and questions,
nothing outside a user's groups is ever retrieved, listed, shown, quoted or logged to them.

Every generated document carries its own marker word (ZQ007X) and identifier (ISRC), so any
text that reaches a user can be traced to the document it came from and checked against the
generator's own record of who may see it (an oracle independent of the stored payloads).
Seeded, so a failure names a reproducible user, question and document.
"""

from __future__ import annotations

import json
import random
import re

import pytest
from ollama_fake import Script

from assistant.ops import audit
from assistant.service import RightsService
from assistant.settings import LLMSettings, Settings
from assistant.web.app import ChatSession
from assistant.web.auth import Users

pytestmark = pytest.mark.slow
SEED = 20261125
GROUPS = ["legal", "finance", "a-and-r", "sync", "hr", "exec", "publishing", "royalties"]
ARTISTS = ["Mara Quinn", "Jonah Reyes", "Ada Vale", "Ember Lane", "Okafor", "Nova Tide", "Kestrel", "Wren"]
MARKER = re.compile(r"ZQ\d{3}X")
N_DOCS, N_USERS, QUESTIONS_PER_USER = 40, 30, 8


def generate(rng: random.Random):
    docs = []
    for i in range(N_DOCS):
        groups = sorted(rng.sample(GROUPS, rng.choice([0, 1, 1, 2, 3])))  # a quarter are public
        artist = rng.choice(ARTISTS)
        code = f"ZQ{i:03d}X"
        isrc = f"GB-RTS-26-{i:05d}"
        text = (f"PROJECT AGREEMENT {code}\n"
                f"1. Parties. The Label and {artist} agree on project {code}.\n"
                f"2. Royalty. The royalty for project {code} is {rng.randint(5, 30)}% of net receipts, "
                f"with an advance of EUR {rng.randint(1, 90) * 1000:,}.\n"
                f"3. Recording. The recording for project {code} has ISRC {isrc} and is delivered by "
                f"{rng.randint(1, 28)} March 2027.\n")
        docs.append({"file": f"project-{i:03d}.txt", "code": code, "isrc": isrc, "artist": artist,
                     "groups": groups, "text": text})
    users = {f"user{u:02d}": sorted(rng.sample(GROUPS, rng.choice([0, 1, 1, 2, 3]))) for u in range(N_USERS)}
    return docs, users


def visible(doc: dict, groups: list[str]) -> bool:
    return not doc["groups"] or bool(set(doc["groups"]) & set(groups))


def questions_for(rng: random.Random, docs: list[dict]) -> list[str]:
    out = []
    for _ in range(QUESTIONS_PER_USER):
        d = rng.choice(docs)
        out.append(rng.choice([
            f"What is the royalty for project {d['code']}?",
            f"Who recorded ISRC {d['isrc']}?",
            d["isrc"].replace("-", "").lower(),
            f"What advance does {d['artist']} get?",
            "List every project agreement and its royalty",
            f"When is the recording for project {d['code']} delivered?",
        ]))
    return out


@pytest.fixture(scope="module")
def world(tmp_path_factory, embedder):
    rng = random.Random(SEED)
    docs, users = generate(rng)
    folder = tmp_path_factory.mktemp("props") / "docs"
    folder.mkdir()
    for d in docs:
        (folder / d["file"]).write_text(d["text"])
        if d["groups"]:
            (folder / f"{d['file']}.groups").write_text(", ".join(d["groups"]) + "\n")
    settings = Settings(data_dir=folder.parent / "data")
    with RightsService(settings, embedder=embedder) as svc:
        assert svc.ingest([folder]).counts["new"] == N_DOCS
    return settings, docs, users, rng


def leaks(texts, docs_by_code: dict, groups: list[str]) -> set[str]:
    """Markers of documents this user may not see, found anywhere in ``texts``."""
    found = {m for t in texts for m in MARKER.findall(str(t))}
    return {c for c in found if not visible(docs_by_code[c], groups)}


def test_no_user_ever_retrieves_or_lists_a_document_outside_their_groups(world, embedder):
    settings, docs, users, rng = world
    by_code = {d["code"]: d for d in docs}
    checked = answered_ok = 0
    with RightsService(settings, embedder=embedder) as svc:
        for user, groups in users.items():
            view = svc.restricted(groups)
            listed = {d.file_name for d in view.sources()}
            assert listed == {d["file"] for d in docs if visible(d, groups)}, user
            assert view.store.count_chunks() == sum(1 for h in svc.store.all_chunks()
                                                    if visible(by_code[MARKER.search(h.payload["text"]).group(0)], groups))
            for q in questions_for(rng, docs):
                hits = view.retrieve(q, 10)
                texts = [h.payload["text"] for h in view.retriever.expand(hits)]
                for mode in ("dense", "lexical"):
                    texts += [h.payload["text"] for h in view.search(q, 10, mode=mode)]
                bad = leaks(texts, by_code, groups)
                assert not bad, f"{user} ({groups}) asked {q!r} and got {sorted(bad)}"
                checked += 1
                answered_ok += bool(hits)
    assert checked == N_USERS * QUESTIONS_PER_USER
    assert answered_ok > checked / 2, "the views must still find the documents users may see"


def test_no_user_is_shown_quoted_or_logged_a_document_outside_their_groups(world, embedder, fake):
    """Through the chat as each signed-in user, with a model that repeats its whole prompt."""
    settings, docs, users, rng = world
    by_code = {d["code"]: d for d in docs}
    chat_settings = settings.model_copy(update={"llm": LLMSettings(backend="ollama", ollama_host=fake.url)})
    fake.script = Script(reply=lambda body: "Everything I was given: " + body["messages"][1]["content"].replace("\n", " ") + " [1]")
    registry = Users({u: {"password": "-", "groups": g} for u, g in users.items()})
    asked = 0
    with RightsService(chat_settings, embedder=embedder) as svc:
        session = ChatSession(svc, users=registry)
        for user, groups in list(users.items())[:12]:
            for q in questions_for(rng, docs)[:4]:
                fake.requests.clear()
                turns, panel = list(session.respond(q, [], user=user))[-1]
                prompt = " ".join(r["body"]["messages"][1]["content"].split("\n\nQuestion:")[0] for r in fake.requests)
                entry = list(audit.read(chat_settings.audit_path))[-1]
                assert entry["user"] == user
                seen = [turns[-1]["content"], panel, prompt, json.dumps(entry, ensure_ascii=False)]
                bad = leaks([t.replace(q, "") for t in seen], by_code, groups)  # the user's own words aside
                assert not bad, f"{user} ({groups}) asked {q!r}: {sorted(bad)} reached the answer, panel, prompt or log"
                asked += 1
    assert asked == 48
