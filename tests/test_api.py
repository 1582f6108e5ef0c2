"""The HTTP API on loopback, driven by the clients people use: the real ``openai`` client
(answers, streaming, citations, errors) and plain HTTP (search, documents, families, the
register, the catalog, uploads), with access checked as a property over every endpoint.

A real uvicorn server runs in a thread of the test process on a free loopback port; the store
is a real Qdrant Edge shard. The fast tests run on the hashing embedder; the slow one at the end
runs the real MiniLM model and llama-index's OpenAI-like LLM against the same server.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from datetime import UTC, datetime, timedelta

import httpx
import openai
import pytest
import uvicorn

from assistant.api.app import build_api
from assistant.api.limits import RateLimiter
from assistant.api.tokens import Tokens
from assistant.ops import audit

MARKER = re.compile(r"ZQ\d{3}X")

NOVA = """RECORDING AGREEMENT

This Recording Agreement is made on 1 March 2023 between Nova Records Limited (the "Company") and Mara Quinn (the "Artist").

1. TERM
1.1 The Term begins on 1 March 2023 and ends on 28 February 2027.

2. ROYALTIES
2.1 The Company shall pay the Artist a royalty of eighteen per cent (18%) of Net Receipts from streaming.

3. TERRITORY
3.1 The Territory is the World.
"""

HALCYON = """PUBLISHING AGREEMENT ZQ301X

This Publishing Agreement is made on 5 June 2022 between Halcyon Music Limited (the "Publisher") and Theo Lark ZQ301X (the "Writer").

1. TERM
1.1 The Term begins on 5 June 2022 and ends on 4 June 2029 (reference ZQ301X).

2. ROYALTIES
2.1 The Publisher shall pay the Writer seventy-five per cent (75%) of mechanical income (ZQ301X).
"""

HALCYON_AMENDMENT = """FIRST AMENDMENT ZQ302X

This Amendment dated 1 July 2024 amends the Publishing Agreement dated 5 June 2022 between Halcyon Music Limited and Theo Lark (the "Agreement").

1. In clause 2.1 of the Agreement, 'seventy-five per cent (75%)' is replaced by 'eighty per cent (80%) under reference ZQ302X'.
"""

SPLITS = """title,iswc,writer,ipi,share
Blue Hour ZQ303X,T-345.246.800-1,Theo Lark,00052210040,50
Blue Hour ZQ303X,T-345.246.800-1,Ada Vale,00014107338,50
"""

# file name -> (text, access groups); the oracle of who may see what
CORPUS = {
    "nova-recording-agreement.txt": (NOVA, []),
    "halcyon-publishing-ZQ301X.txt": (HALCYON, ["legal"]),
    "halcyon-amendment-ZQ302X.txt": (HALCYON_AMENDMENT, ["legal", "finance"]),
    "blue-hour-splits-ZQ303X.csv": (SPLITS, ["sync"]),
}
CODES = {"halcyon-publishing-ZQ301X.txt": "ZQ301X", "halcyon-amendment-ZQ302X.txt": "ZQ302X",
         "blue-hour-splits-ZQ303X.csv": "ZQ303X"}
USERS = {"pat": [], "lee": ["legal"], "fin": ["finance"], "sam": ["sync"], "admin": ["*"]}


def visible(groups, user_groups) -> bool:
    return not groups or "*" in user_groups or bool(set(groups) & set(user_groups))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """The API served by uvicorn on a loopback port, in a thread of this process."""

    def __init__(self, app):
        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline, "the API did not start"
            time.sleep(0.02)
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(10)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"


def _ingest(service, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, (text, groups) in CORPUS.items():
        (folder / name).write_text(text)
        if groups:
            (folder / f"{name}.groups").write_text(",".join(groups))
    assert service.ingest([folder]).ok


@pytest.fixture
def api(fast_embedder, tmp_path):
    from assistant.service import RightsService
    from assistant.settings import Settings

    # the hashing embedder's similarities are low: its relevance floor is lowered to match
    settings = Settings(data_dir=tmp_path / "data", answer={"min_relevance": 0.05})
    with RightsService(settings, embedder=fast_embedder) as service:
        _ingest(service, tmp_path)
        tokens = Tokens(tmp_path / "tokens.toml")
        keys = {user: tokens.create(user, groups=groups or None)[0] for user, groups in USERS.items()}
        with Server(build_api(service, tokens)) as server:
            server.keys, server.tokens, server.service = keys, tokens, service
            yield server


def client(server, user) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.url, api_key=server.keys[user], max_retries=0, timeout=60)


def http(server, user=None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {server.keys[user]}"} if user else {}
    return httpx.Client(base_url=server.url, headers=headers, timeout=60)


def test_the_openai_client_gets_a_cited_answer_streamed_or_whole(api):
    oa = client(api, "pat")
    assert [m.id for m in oa.models.list()] == ["rights-assistant"]
    question = "What streaming royalty does Nova Records pay Mara Quinn?"
    whole = oa.chat.completions.create(model="rights-assistant", messages=[{"role": "user", "content": question}])
    text = whole.choices[0].message.content
    assert "18%" in text and "Sources:" in text and "nova-recording-agreement.txt" in text, text
    extra = whole.model_extra
    assert extra["rights"]["status"] == "answered"
    assert extra["citations"] and extra["citations"][0]["file"] == "nova-recording-agreement.txt"
    assert "18%" in extra["citations"][0]["text"] and "path" not in extra["citations"][0]
    assert re.search(r"\[\d+\]", text)  # the citation marks of the text match the structured list
    pieces, last = [], None
    for chunk in oa.chat.completions.create(model="rights-assistant", stream=True,
                                            messages=[{"role": "system", "content": "be brief"},
                                                      {"role": "user", "content": question}]):
        if chunk.choices and chunk.choices[0].delta.content:
            pieces.append(chunk.choices[0].delta.content)
        last = chunk
    assert len(pieces) > 3 and "".join(pieces) == text  # streamed in pieces, the same checked answer
    assert last.choices[0].finish_reason == "stop" and last.model_extra["citations"] == extra["citations"]
    lines = [e for e in audit.read(api.service.settings.audit_path) if e.get("channel") == "api" and e["question"] == question]
    assert len(lines) == 2 and all(e["user"] == "pat" for e in lines)  # audited like the chat


def test_an_unanswerable_question_is_declined_not_invented(api):
    answer = client(api, "pat").chat.completions.create(
        model="rights-assistant", messages=[{"role": "user", "content": "What is the catering budget for the Tokyo tour?"}])
    assert answer.model_extra["rights"]["status"] in ("abstained", "refused")
    assert answer.model_extra["citations"] == []


def test_tokens_unknown_expired_revoked_are_refused_with_one_json_line(api, tmp_path):
    with pytest.raises(openai.AuthenticationError):
        openai.OpenAI(base_url=api.url, api_key="ra_00000000_" + "x" * 43, max_retries=0).models.list()
    expired, _ = api.tokens.create("old", days=1, now=datetime.now(UTC) - timedelta(days=2))
    with pytest.raises(openai.AuthenticationError):
        openai.OpenAI(base_url=api.url, api_key=expired, max_retries=0).models.list()
    fresh, entry = api.tokens.create("temp")
    assert openai.OpenAI(base_url=api.url, api_key=fresh, max_retries=0).models.list()
    api.tokens.revoke(entry.token_id)
    with pytest.raises(openai.AuthenticationError):  # a running server refuses it from the next request
        openai.OpenAI(base_url=api.url, api_key=fresh, max_retries=0).models.list()
    r = http(api).get("/models")
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert set(r.json()) == {"error"} and "\n" not in r.json()["error"]["message"]
    stored = (tmp_path / "tokens.toml").read_text()
    assert all(key[12:] not in stored for key in api.keys.values())  # secrets are not kept, only hashes
    assert (tmp_path / "tokens.toml").stat().st_mode & 0o077 == 0


def test_bad_requests_get_one_line_json_errors_and_no_traceback(api):
    with http(api, "pat") as h:
        cases = [
            h.post("/chat/completions", content=b"{not json", headers={"content-type": "application/json"}),
            h.post("/chat/completions", json={"messages": []}),
            h.post("/chat/completions", json={"messages": [{"role": "user", "content": "   "}]}),
            h.post("/search", json={"query": "royalty", "k": 10_000}),
            h.post("/search", json={"query": "royalty", "doc_type": "<script>"}),
            h.post("/search", json={"query": "royalty", "date_from": "last year"}),
            h.get("/no/such/route"),
            h.get("/documents/nope/family"),
            h.post("/search", content=json.dumps({"query": "x" * 400_000}), headers={"content-type": "application/json"}),
        ]
    assert [c.status_code for c in cases] == [400, 400, 400, 400, 400, 400, 404, 404, 413]
    for c in cases:
        body = c.json()["error"]
        assert body["message"] and "\n" not in body["message"] and "Traceback" not in body["message"], body
    # a body without a declared length is refused before it is read
    with socket.create_connection(("127.0.0.1", api.port)) as s:
        s.sendall(b"POST /v1/search HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + api.keys["pat"].encode()
                  + b"\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n5\r\n{\"q\":\r\n0\r\n\r\n")
        assert s.recv(200).startswith(b"HTTP/1.1 411")


def test_each_token_has_its_own_request_rate(api):
    clock = [0.0]
    limiter = RateLimiter(3, clock=lambda: clock[0])
    assert [limiter.take("a") for _ in range(3)] == [0, 0, 0]
    assert limiter.take("a") == pytest.approx(20.0)  # 3 a minute: the next in 20 s
    assert limiter.take("b") == 0  # another token is not slowed
    clock[0] = 20.0
    assert limiter.take("a") == 0
    # on the server: the limit applies per token, with Retry-After
    api.server.config.app  # noqa: B018  (the app is live)
    settings = api.service.settings.model_copy(update={"api": api.service.settings.api.model_copy(update={"rate_per_minute": 2})})
    tokens = Tokens(api.tokens.path)
    api.service.settings, saved = settings, api.service.settings
    try:
        with Server(build_api(api.service, tokens)) as slow:
            with httpx.Client(base_url=slow.url, headers={"Authorization": f"Bearer {api.keys['pat']}"}) as h:
                codes = [h.get("/models").status_code for _ in range(3)]
                refused = h.get("/models")
            with httpx.Client(base_url=slow.url, headers={"Authorization": f"Bearer {api.keys['lee']}"}) as other:
                assert other.get("/models").status_code == 200
    finally:
        api.service.settings = saved
    assert codes == [200, 200, 429] and refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1


def _everything(server, user) -> str:
    """All a user receives from every endpoint, for questions and lookups that would reach the
    restricted documents if access failed."""
    out = []
    oa = client(server, user)
    for q in ("What mechanical royalty does Halcyon Music pay Theo Lark?", "When does the publishing agreement end?",
              "Who wrote ISWC T-345.246.800-1 and what are the splits?", "What does the reference in clause 1.1 say?",
              "What royalty is paid under the agreement?"):
        for stream in (False, True):
            if stream:
                out += [json.dumps(c.model_dump()) for c in oa.chat.completions.create(
                    model="rights-assistant", stream=True, messages=[{"role": "user", "content": q}])]
            else:
                out.append(json.dumps(oa.chat.completions.create(
                    model="rights-assistant", messages=[{"role": "user", "content": q}]).model_dump()))
    with http(server, user) as h:
        for q in ("Halcyon Theo Lark royalty", "reference", "Blue Hour splits", "amendment eighty per cent"):
            out.append(h.post("/search", json={"query": q, "k": 20}).text)
        out.append(h.get("/documents").text)
        out.append(h.get("/register").text)
        out.append(h.get("/catalog/search", params={"q": "Blue Hour"}).text)
        out.append(h.get("/catalog/lookup/T-345.246.800-1").text)
        for doc in server.service.sources():
            out.append(h.get(f"/documents/{doc.doc_id}/family").text)
            out.append(h.get(f"/documents/{doc.doc_id}/family", params={"consolidated": "true"}).text)
    return "\n".join(out)


def test_no_endpoint_gives_a_token_what_its_user_may_not_see(api):
    reached = {}
    for user, groups in USERS.items():
        everything = _everything(api, user)
        allowed = {code for name, code in CODES.items() if visible(CORPUS[name][1], groups)}
        leaked = set(MARKER.findall(everything)) - allowed
        assert not leaked, f"{user} ({groups}) received {sorted(leaked)}"
        hidden = [name for name in CODES if not visible(CORPUS[name][1], groups)]
        for name in hidden:
            assert name not in everything, (user, name)
        if "halcyon-amendment-ZQ302X.txt" in hidden:
            assert "80%" not in everything and "July 2024" not in everything, user
        reached[user] = set(MARKER.findall(everything))
    # the check has teeth: the users who may see a document do receive it
    assert reached["admin"] == set(CODES.values())
    assert "ZQ301X" in reached["lee"] and "ZQ303X" in reached["sam"] and "ZQ302X" in reached["fin"]


def test_an_upload_is_visible_to_its_uploaders_groups_only(api, tmp_path):
    text = NOVA.replace("Nova Records", "Kestrel Records").replace("Mara Quinn", "Ada Vale ZQ350X")
    with http(api, "lee") as h:
        r = h.post("/documents", files=[("files", ("kestrel-ZQ350X.txt", text.encode(), "text/plain")),
                                        ("files", ("../../evil.txt", b"x", "text/plain"))])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["visible_to"] == ["legal"]
    statuses = {d["file"]: d["status"] for d in body["data"]}
    assert statuses.get("kestrel-ZQ350X.txt") == "new" and any(s == "failed" for f, s in statuses.items() if f != "kestrel-ZQ350X.txt")
    with http(api, "lee") as h:
        assert "kestrel-ZQ350X.txt" in h.get("/documents").text
    with http(api, "pat") as h:
        assert "ZQ350X" not in h.get("/documents").text and "ZQ350X" not in h.post("/search", json={"query": "Kestrel Ada Vale"}).text


@pytest.mark.slow  # the real MiniLM model, and llama-index's OpenAI-like LLM as the client
def test_llama_index_and_the_real_model_through_the_api(tmp_path, embedder):
    from llama_index.core.llms import ChatMessage
    from llama_index.llms.openai_like import OpenAILike

    from assistant.service import RightsService
    from assistant.settings import Settings

    with RightsService(Settings(data_dir=tmp_path / "data"), embedder=embedder) as service:
        _ingest(service, tmp_path)
        tokens = Tokens(tmp_path / "tokens.toml")
        keys = {user: tokens.create(user, groups=groups or None)[0] for user, groups in USERS.items()}
        with Server(build_api(service, tokens)) as server:
            server.keys, server.tokens, server.service = keys, tokens, service
            llm = OpenAILike(model="rights-assistant", api_base=server.url, api_key=keys["lee"], is_chat_model=True,
                             context_window=4096, max_retries=0, timeout=60)
            question = "What mechanical royalty does Halcyon Music pay Theo Lark?"
            lee = llm.chat([ChatMessage(role="user", content=question)]).message.content
            assert "75%" in lee and "halcyon-publishing-ZQ301X.txt" in lee, lee  # lee may not see the amendment
            fin_llm = OpenAILike(model="rights-assistant", api_base=server.url, api_key=keys["admin"], is_chat_model=True,
                                 context_window=4096, max_retries=0, timeout=60)
            streamed = "".join(r.delta or "" for r in fin_llm.stream_chat([ChatMessage(role="user", content=question)]))
            assert "80%" in streamed, streamed  # the current value for one who sees the amendment
            for user, groups in USERS.items():
                everything = _everything(server, user)
                allowed = {code for name, code in CODES.items() if visible(CORPUS[name][1], groups)}
                assert not set(MARKER.findall(everything)) - allowed, user


def test_feedback_through_the_api_becomes_an_access_filtered_eval_dataset(api, tmp_path):
    from assistant.ops import feedback
    from eval.dataset import load_dataset

    lee = client(api, "lee")
    good = lee.chat.completions.create(model="rights-assistant", messages=[
        {"role": "user", "content": "What mechanical royalty does Halcyon Music pay Theo Lark?"}])
    wrong = lee.chat.completions.create(model="rights-assistant", messages=[
        {"role": "user", "content": "When does the publishing agreement with Theo Lark end?"}])
    with http(api, "lee") as h:
        assert h.post("/feedback", json={"completion_id": good.id, "rating": "up"}).status_code == 200
        assert h.post("/feedback", json={"completion_id": wrong.id, "rating": "down",
                                          "correction": "4 June 2029"}).status_code == 200
        assert h.post("/feedback", json={"completion_id": good.id, "rating": "meh"}).status_code == 400
    with http(api, "pat") as h:  # another user cannot rate (or learn about) lee's answers
        r = h.post("/feedback", json={"completion_id": good.id, "rating": "down"})
        assert r.status_code == 404 and "ZQ" not in r.text
    records = feedback.read(api.service.settings.feedback_path)
    assert [(r["user"], r["rating"], r["channel"]) for r in records] == [("lee", "up", "api"), ("lee", "down", "api")]
    assert records[0]["sources"] and all(s["doc_id"] for s in records[0]["sources"])
    docs = api.service.sources()
    everything, left = feedback.to_dataset(records, None, feedback.stems(docs))
    assert len(everything) == 2 and not left
    assert {q["category"] for q in everything} == {"feedback-up", "feedback-down"}
    assert next(q for q in everything if q["category"] == "feedback-down")["gold_answer"] == ["4 June 2029"]
    # for a team that may not see the Halcyon documents, nothing of them is exported
    public = {d.doc_id for d in api.service.restricted([]).sources()}
    none, left = feedback.to_dataset(records, public, feedback.stems(docs))
    assert none == [] and left["cites a document outside the groups"] == 2
    out = tmp_path / "feedback.jsonl"
    out.write_text("".join(json.dumps(q) + "\n" for q in everything))
    loaded = load_dataset(out)  # the format `rights eval --dataset` reads
    assert [q.qid for q in loaded] == [q["qid"] for q in everything]


def test_the_chat_stores_thumbs_and_corrections_with_their_sources(fast_embedder, tmp_path):
    from assistant.ops import feedback
    from assistant.service import RightsService
    from assistant.settings import Settings
    from assistant.web.app import ChatSession

    settings = Settings(data_dir=tmp_path / "data", answer={"min_relevance": 0.05})
    with RightsService(settings, embedder=fast_embedder) as service:
        _ingest(service, tmp_path)
        session = ChatSession(service)
        assert "Ask a question first" in session.rate("ann", "down", correction="x")
        *_, (turns, _panel) = list(session.respond("What streaming royalty does Nova Records pay Mara Quinn?", [], user="ann"))
        shown = turns[-1]["content"]
        assert "Thank you" in session.rate("ann", "up", shown=shown)
        assert "correct answer is stored" in session.rate("ann", "down", correction="eighteen per cent")
        session.rate("bob", "up", shown=shown, question="What streaming royalty does Nova Records pay Mara Quinn?")
        records = feedback.read(settings.feedback_path)
    assert [(r["user"], r["rating"]) for r in records] == [("ann", "up"), ("ann", "down"), ("bob", "up")]
    assert records[0]["sources"] and records[1]["correction"] == "eighteen per cent"
    assert records[2]["sources"] == []  # bob was never given that answer: his rating carries no sources


def test_token_commands_show_a_token_once_and_never_again(cli):
    made = cli("token", "create", "alice", "--group", "legal", "--expires", "30")
    assert made.exit_code == 0, made.output
    token = made.output.strip().splitlines()[-1]
    assert re.fullmatch(r"ra_[0-9a-f]{8}_[A-Za-z0-9_-]{43}", token)
    listed = cli("token", "list")
    assert "alice" in listed.output and "legal" in listed.output and token[12:] not in listed.output
    assert cli("token", "create", "bad\x07name").exit_code == 2
    gone = cli("token", "revoke", "alice")
    assert gone.exit_code == 0 and "revoked 1" in gone.output
    missing = cli("token", "revoke", "alice")
    assert missing.exit_code == 2 and len(missing.output.strip().splitlines()) == 1
    assert "No API tokens" in cli("token", "list").output


def test_feedback_export_writes_a_dataset_and_says_what_it_left_out(cli, tmp_path):
    from assistant.ops import feedback
    from assistant.settings import Settings

    path = Settings(data_dir=tmp_path / "data").feedback_path
    for rating, correction in (("down", ""), ("down", "31 December 2027")):
        feedback.append(path, {"time": "t", "user": "u", "channel": "chat", "question": "When does it end?", "answer": "a",
                               "status": "answered", "rating": rating, "correction": correction, "sources": []})
    out = tmp_path / "fb.jsonl"
    result = cli("feedback", "export", str(out))
    assert result.exit_code == 0, result.output
    assert "wrote 1 question" in result.output and "needs review" in result.output
    assert json.loads(out.read_text())["gold_answer"] == ["31 December 2027"]
    assert "31 December 2027" in cli("feedback", "list").output


def test_an_upload_by_a_token_of_no_group_is_not_published_to_everyone(api):
    with http(api, "pat") as h:
        r = h.post("/documents", files=[("files", ("pat-ZQ360X.txt", NOVA.replace("Mara Quinn", "Rue ZQ360X").encode(), "text/plain"))])
    assert r.status_code == 200 and r.json()["visible_to"] == []
    for user in ("pat", "lee", "fin"):
        with http(api, user) as h:
            assert "ZQ360X" not in h.get("/documents").text, user
    with http(api, "admin") as h:
        assert "pat-ZQ360X.txt" in h.get("/documents").text


@pytest.mark.slow  # the real model: feedback given in the chat comes back as a dataset `rights eval` scores
def test_feedback_exported_is_a_dataset_the_evaluation_runs(tmp_path, embedder):
    from assistant.demo import corpus_dir
    from assistant.ops import feedback
    from assistant.service import RightsService
    from assistant.settings import Settings
    from assistant.web.app import ChatSession
    from eval.dataset import load_dataset
    from eval.runner import RunConfig, run_eval

    settings = Settings(data_dir=tmp_path / "data")
    with RightsService(settings, embedder=embedder) as service:
        service.ingest([corpus_dir()])
        chat = ChatSession(service)
        for question in ("What is MARA's current streaming royalty with Nova Records?",
                         "What percentage of MARA's merchandising income does Nova Records receive?"):
            *_, (turns, _panel) = list(chat.respond(question, [], user="ann"))
            chat.rate("ann", "up", shown=turns[-1]["content"])
        *_, (turns, _panel) = list(chat.respond("When does the Nova Records deal with MARA expire?", [], user="ann"))
        chat.rate("ann", "down", correction="31 December 2027")
        questions, left = feedback.to_dataset(feedback.read(settings.feedback_path), None, feedback.stems(service.sources()))
    assert len(questions) == 3 and not left
    path = tmp_path / "feedback.jsonl"
    path.write_text("".join(json.dumps(q) + "\n" for q in questions))
    dataset = load_dataset(path)
    result = run_eval(Settings(data_dir=tmp_path / "eval-data"),
                      RunConfig(corpus=corpus_dir(), dataset=path, out=tmp_path / "run", systems=["rights"]), dataset,
                      embedder=embedder)
    rows = [json.loads(line) for line in (tmp_path / "run" / "results.jsonl").read_text().splitlines()]
    assert len(rows) == 3 and (tmp_path / "run" / "metrics.json").exists(), result
    by_question = {r["question"]: r for r in rows}
    assert by_question["When does the Nova Records deal with MARA expire?"]["answerable"]
    assert not by_question["What percentage of MARA's merchandising income does Nova Records receive?"]["answerable"]


def test_a_broken_tokens_file_or_a_server_path_never_reaches_the_client(api):
    from assistant.api.app import _error

    assert _error("cannot read /srv/rights/uploads/alice-1f2e/settlement.pdf: gone", "x")["error"]["message"] == \
        "cannot read settlement.pdf: gone"
    api.tokens.path.write_text("[tokens.broken\n")
    with http(api, "pat") as h:
        r = h.get("/models")
    assert r.status_code == 503 and str(api.tokens.path) not in r.text and "administrator" in r.json()["error"]["message"]
