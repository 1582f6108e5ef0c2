"""The real chat in headless Chromium (Debian's chromium + Playwright): ask, watch the answer
stream, open the cited source and find the quoted words; upload a file and ask about it; sign
in as a user outside a restricted contract's groups and never see its text.

Skipped where Chromium or Playwright is absent (the README's test command installs both when it
can). The answer view is saved as a screenshot under $RIGHTS_TEST_ARTIFACTS (default
tests/artifacts/).
"""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pytest
from ollama_fake import Script
from test_answering import source_number

from assistant.service import RightsService
from assistant.settings import LLMSettings, Settings
from assistant.web.auth import Users, hash_password

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
playwright = pytest.importorskip("playwright.sync_api", reason="needs Playwright (pip install playwright)")
pytestmark = [pytest.mark.slow, pytest.mark.skipif(not CHROMIUM, reason="needs Debian's chromium (apt-get install chromium)")]
ARTIFACTS = Path(os.environ.get("RIGHTS_TEST_ARTIFACTS", Path(__file__).parent / "artifacts"))
SECRET = "SETTLEMENT\n1. Payment. Nova Records pays Quill Harmon eight hundred and eight thousand pounds (£808,000).\n"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]




@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                              args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield b
        b.close()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, embedder):
    from assistant.demo import corpus_dir

    root = tmp_path_factory.mktemp("browser")
    docs = root / "docs"
    shutil.copytree(corpus_dir(), docs)
    (docs / "quill-settlement.txt").write_text(SECRET)
    (docs / "quill-settlement.txt.groups").write_text("legal")
    data = root / "data"
    with RightsService(Settings(data_dir=data), embedder=embedder) as svc:
        assert svc.ingest([docs]).ok
    return data


def _serve(data, embedder, fake, auth_file=None):
    from assistant.web.app import launch

    settings = Settings(data_dir=data, auth_file=auth_file, llm=LLMSettings(backend="ollama", ollama_host=fake.url))
    svc = RightsService(settings, embedder=embedder)
    port = _port()
    app = launch(svc, "127.0.0.1", port, block=False)
    return svc, app, f"http://127.0.0.1:{port}/"


def _sign_in(page, url: str, user: str, password: str) -> None:
    page.goto(url, wait_until="networkidle")
    page.locator("input[type=text]").first.fill(user)
    page.locator("input[type=password]").fill(password)
    page.keyboard.press("Enter")
    page.wait_for_selector("#question textarea", timeout=60_000)


def _ask(page, question: str) -> None:
    box = page.locator("#question textarea")
    box.fill(question)
    box.press("Enter")
    page.wait_for_function("() => document.querySelector('#question textarea').value === ''", timeout=120_000)


def test_ask_watch_it_stream_and_open_the_cited_source(corpus, embedder, fake, browser):
    fake.script = Script(token_delay_s=0.15, reply=lambda body: (
        f"The Term now ends on 31 December 2027 under the amendment [{source_number(body, '31 December 2027')}]."))
    svc, app, url = _serve(corpus, embedder, fake)
    external: list[str] = []
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("request", lambda r: external.append(r.url) if not r.url.startswith((url[:-1], "data:", "blob:")) else None)
        page.goto(url, wait_until="networkidle")
        page.wait_for_function("() => document.querySelector('#status').innerText.includes('Model:')", timeout=60_000)
        box = page.locator("#question textarea")
        box.fill("When does the Nova Records deal with MARA expire?")
        box.press("Enter")
        page.wait_for_function("() => document.querySelector('#chat').innerText.includes('▌')", timeout=60_000)
        streaming = page.locator("#chat").inner_text()
        page.wait_for_function("() => document.querySelector('#question textarea').value === ''", timeout=120_000)
        answer = page.locator("#chat").inner_text()
        assert "31 December 2027" in answer and "▌" not in answer
        assert len(streaming) < len(answer) or "31 December 2027" not in streaming  # it grew token by token
        link = page.locator("#chat a[href^='#src-']").first
        target = link.get_attribute("href")
        link.click()
        source = page.locator(target)
        assert source.is_visible()
        assert "31 December 2027" in source.locator("mark").first.inner_text()
        source.locator("summary").click()
        assert source.locator("pre").is_visible()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "answer-view.png"), full_page=True)
        assert external == [], external  # no fonts, analytics or CDN: the page stays on this machine
    finally:
        app.close()
        svc.close()


def test_upload_a_file_then_ask_about_it(corpus, embedder, fake, browser, tmp_path):
    renewal = tmp_path / "lumen-renewal.txt"
    renewal.write_text("LICENCE RENEWAL\n1. Renewal. Lumen Pictures renews the Blue Hour licence until 30 June 2031.\n")
    svc, app, url = _serve(corpus, embedder, fake)
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url, wait_until="networkidle")
        page.get_by_role("tab", name="Documents").click()
        page.locator("#upload input[type=file]").set_input_files(str(renewal))
        page.wait_for_function("() => document.querySelector('#upload-status').innerText.includes('Done')", timeout=120_000)
        assert "1 new" in page.locator("#upload-status").inner_text()
        page.get_by_role("tab", name="Chat").click()
        fake.script = Script(reply=lambda body: f"Until 30 June 2031 [{source_number(body, '30 June 2031')}].")
        _ask(page, "Until when is the Lumen licence renewed?")
        assert "30 June 2031" in page.locator("#chat").inner_text()
        assert "lumen-renewal.txt" in page.locator("#sources").inner_text()
    finally:
        app.close()
        svc.close()


def test_a_user_without_access_never_sees_the_restricted_contract(corpus, embedder, fake, browser, tmp_path):
    users = tmp_path / "users.toml"
    Users({"bob": {"password": hash_password("bob-password-1"), "groups": ["a-and-r"]}}).save(users)
    # A model that repeats its whole prompt: whatever reaches it would reach the page.
    fake.script = Script(reply=lambda body: body["messages"][1]["content"].split("\n\nQuestion:")[0][:1500] + " [1]")
    svc, app, url = _serve(corpus, embedder, fake, auth_file=users)
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        _sign_in(page, url, "bob", "bob-password-1")
        page.wait_for_function("() => document.querySelector('#status').innerText.includes('Model:')", timeout=60_000)
        status = page.locator("#status").inner_text()
        public = [d for d in svc.sources() if not d.groups]
        assert len(public) == len(svc.sources()) - 1  # all but the settlement
        assert "Signed in as bob" in status and f"{len(public)} documents" in status
        for q in ("How much does Nova Records pay Quill Harmon?", "settlement payment", "£808,000", "Quill Harmon"):
            _ask(page, q)
            shown = page.locator("#chat").inner_text().split(q)[-1] + page.locator("#sources").inner_text()
            assert "808,000" not in shown and "eight hundred and eight thousand" not in shown, q
        page.get_by_role("tab", name="Documents").click()
        page.wait_for_timeout(500)
        assert "quill-settlement" not in page.locator("#documents").inner_text()
    finally:
        app.close()
        svc.close()


def test_a_family_answer_cites_both_documents_and_a_follow_up_stays_in_scope(corpus, embedder, fake, browser):
    """The embedded default's path (extractive answers, no model): the amendment's date first with
    the original's after, both cited; then "And the streaming royalty?" answered from the same
    family, its scope shown as a removable chip."""
    from assistant.settings import AnswerSettings
    from assistant.web.app import launch

    settings = Settings(data_dir=corpus, answer=AnswerSettings(engine="extractive"),
                        llm=LLMSettings(backend="ollama", ollama_host=fake.url))
    svc = RightsService(settings, embedder=embedder)
    port = _port()
    app = launch(svc, "127.0.0.1", port, block=False)
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"http://127.0.0.1:{port}/", wait_until="networkidle")
        _ask(page, "When does the Nova Records deal with MARA expire?")
        answer = page.locator("#chat").inner_text()
        assert "31 December 2027" in answer and "28 February 2027" in answer
        assert answer.index("31 December 2027") < answer.index("28 February 2027")
        targets = {page.locator("#chat a[href^='#src-']").nth(i).get_attribute("href")
                   for i in range(page.locator("#chat a[href^='#src-']").count())}
        cited = " ".join(page.locator(t).inner_text() for t in targets)
        assert "nova-records-amendment-1.txt" in cited and "nova-records-recording-agreement.pdf" in cited
        chips = page.locator("#scope").inner_text()
        assert "AMENDMENT NO. 1" in chips.upper()
        _ask(page, "And the streaming royalty?")
        last = page.locator("#chat").inner_text().split("And the streaming royalty?")[-1]
        assert "28%" in last or "twenty-eight per cent" in last
        assert "nova-records" in page.locator("#sources").inner_text()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "family-answer.png"), full_page=True)
    finally:
        app.close()
        svc.close()


def test_the_contracts_view_register_deadlines_and_clauses(corpus, embedder, fake, browser, tmp_path):
    """The Contracts tab: the register (one row per agreement family, its current values), a
    click on a value opens its clause with the value marked and what it replaced, and the
    agreement's redline (the consolidated agreement); the party filter;
    the deadlines list; and a signed-in user outside a contract's groups never sees its row."""
    svc, app, url = _serve(corpus, embedder, fake)
    try:
        page = browser.new_page(viewport={"width": 1600, "height": 1200})
        page.goto(url, wait_until="networkidle")
        page.get_by_role("tab", name="Contracts").click()
        page.wait_for_function("() => document.querySelector('#register').innerText.includes('DIGITAL DISTRIBUTION AGREEMENT')",
                               timeout=60_000)
        register = page.locator("#register").inner_text()
        assert "SETTLEMENT" in register and "31 December 2027" in register  # the amended end, not the original's
        page.locator("#register [role=gridcell]", has_text="31 December 2027").first.click()
        page.wait_for_function("() => document.querySelector('#clause').innerText.includes('was:')", timeout=30_000)
        clause = page.locator("#clause")
        assert "31 December 2027" in clause.locator("mark").first.inner_text()
        assert "nova-records-amendment-1.txt" in clause.inner_text() and "was: 29 February 2024" in clause.inner_text()
        # the same click opens the agreement as it reads now: struck and inserted words, who changed it
        page.wait_for_function("() => document.querySelector('#redline').innerText.includes('As it reads now')", timeout=30_000)
        redline = page.locator("#redline")
        assert "28 February" in redline.locator("del").all_inner_texts() and "31 December" in redline.locator("ins").all_inner_texts()
        assert "second sentence replaced by nova-records-amendment-1.txt" in redline.inner_text()
        changed_only = len(redline.inner_text())
        page.locator("#redline-changed input").click()  # the whole agreement, unchanged clauses too
        page.wait_for_function(f"() => document.querySelector('#redline').innerText.length > {changed_only}", timeout=30_000)
        deadlines = page.locator("#deadlines").inner_text()
        assert "Nothing ends" in deadlines or "in the next 90 days" in deadlines
        page.locator("#deadline-days input").fill("400")
        page.locator("#deadline-days input").press("Enter")
        page.wait_for_function("() => document.querySelector('#deadlines').innerText.includes('in the next 400 days')", timeout=30_000)
        assert "31 December 2027" in page.locator("#deadlines").inner_text()
        page.locator("#register-party textarea, #register-party input").first.fill("Meridian")
        page.locator("#register-apply").click()
        page.wait_for_function("() => !document.querySelector('#register').innerText.includes('SETTLEMENT')", timeout=30_000)
        assert "DIGITAL DISTRIBUTION AGREEMENT" in page.locator("#register").inner_text()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "contracts-view.png"), full_page=True)
    finally:
        app.close()
        svc.close()
    users = tmp_path / "users.toml"
    Users({"bob": {"password": hash_password("bob-password-1"), "groups": ["a-and-r"]}}).save(users)
    svc, app, url = _serve(corpus, embedder, fake, auth_file=users)
    try:
        page = browser.new_page(viewport={"width": 1600, "height": 1200})
        _sign_in(page, url, "bob", "bob-password-1")
        page.get_by_role("tab", name="Contracts").click()
        page.wait_for_function("() => document.querySelector('#register').innerText.includes('DIGITAL DISTRIBUTION AGREEMENT')",
                               timeout=60_000)
        assert "SETTLEMENT" not in page.locator("#register").inner_text()
        assert "808,000" not in page.content()
    finally:
        app.close()
        svc.close()


def test_thumbs_and_a_correction_are_stored_with_the_answer(corpus, embedder, fake, browser):
    from assistant.ops import feedback

    fake.script = Script(reply=lambda body: (
        f"The Term now ends on 31 December 2027 under the amendment [{source_number(body, '31 December 2027')}]."))
    svc, app, url = _serve(corpus, embedder, fake)
    before = len(feedback.read(svc.settings.feedback_path))
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url, wait_until="networkidle")
        _ask(page, "When does the Nova Records deal with MARA expire?")
        page.wait_for_function("() => document.querySelector('#chat').innerText.includes('31 December 2027')", timeout=60_000)
        page.locator("#chat button[aria-label='Dislike']").last.click()
        page.wait_for_function("() => document.querySelector('#feedback-status').innerText.includes('Thank you')", timeout=30_000)
        page.locator("#correction textarea").fill("31 December 2027, under Amendment No. 1")
        page.locator("#send-correction").click()
        page.wait_for_function("() => document.querySelector('#feedback-status').innerText.includes('correct answer')", timeout=30_000)
        records = feedback.read(svc.settings.feedback_path)[before:]
        assert [r["rating"] for r in records] == ["down", "down"], records
        assert records[0]["question"] == "When does the Nova Records deal with MARA expire?" and records[0]["sources"]
        assert records[1]["correction"] == "31 December 2027, under Amendment No. 1"
    finally:
        app.close()
        svc.close()
