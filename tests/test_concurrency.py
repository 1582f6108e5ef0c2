"""Concurrency: the chat keeps answering while an upload is ingested; two ingest jobs started at
once on one data directory never corrupt the store (one runs, the other refuses in one line)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from fixtures import write_contract_folder
from ollama_fake import Script
from test_ingest import assert_consistent, assert_same_store, store_state

from assistant.service import RightsService
from assistant.settings import LLMSettings, Settings
from assistant.web.app import ChatSession

pytestmark = pytest.mark.slow
HERE = Path(__file__).resolve().parent


def licences(folder: Path, n: int) -> list[Path]:
    """``n`` distinct sync licences of several clauses each: enough passages to keep an ingest busy."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        clauses = "\n".join(
            f"{c}. Clause {c} of licence {i}. The licensee Studio {i} may use the recording Track {i}-{c} in "
            f"episode {c} of series {i} in territory T{i}{c} for a fee of EUR {1000 + 37 * i + c},00, payable "
            f"within {30 + c} days; the licence ends on {1 + c} March {2030 + i % 5}."
            for c in range(1, 13)
        )
        path = folder / f"studio-{i:02d}-licence.txt"
        path.write_text(f"SYNC LICENCE {i}\n{clauses}\n")
        out.append(path)
    return out


def test_chat_answers_while_an_upload_is_being_ingested(tmp_path, embedder, fake):
    settings = Settings(data_dir=tmp_path / "data", llm=LLMSettings(backend="ollama", ollama_host=fake.url))
    contracts = write_contract_folder(tmp_path / "contracts")
    uploads = licences(tmp_path / "upload", 40)
    fake.script = Script(reply="Until 31 March 2027 [1].")
    with RightsService(settings, embedder=embedder) as svc:
        assert svc.ingest([contracts]).ok
        session = ChatSession(svc)
        job = session.upload([(p.name, p) for p in uploads])
        answered_during_ingest, replies = 0, []
        deadline = time.monotonic() + 300
        while not job.finished.is_set() and time.monotonic() < deadline:
            turns, panel = list(session.respond("How long does the Low Tide licence run?", []))[-1]
            replies.append(turns[-1]["content"])
            if not job.finished.is_set():
                answered_during_ingest += 1
        assert job.finished.wait(300)
        assert job.error is None and job.report is not None and job.report.ok, job.summary()
        assert answered_during_ingest >= 2, f"the chat waited for the ingest ({answered_during_ingest} answers during it)"
        assert all(not r.startswith("⚠") for r in replies), replies
        assert job.report.counts["new"] == len(uploads)
        assert_consistent(svc)  # no duplicate, missing or orphan chunk after the concurrent reads
        turns, panel = list(session.respond("Which fee does Studio 7 pay?", []))[-1]
        assert "studio-07-licence.txt" in panel


def test_a_second_upload_waits_for_the_first_instead_of_failing(tmp_path, embedder, fake):
    settings = Settings(data_dir=tmp_path / "data", llm=LLMSettings(backend="ollama", ollama_host=fake.url))
    files = licences(tmp_path / "upload", 6)
    with RightsService(settings, embedder=embedder) as svc:
        session = ChatSession(svc)
        first = session.upload([(p.name, p) for p in files[:3]])
        second = session.upload([(p.name, p) for p in files[3:]])
        assert first.finished.wait(300) and second.finished.wait(300)
        assert first.error is None and second.error is None, (first.summary(), second.summary())
        assert len(svc.sources()) == 6
        assert_consistent(svc)


CHILD = (
    "import sys; sys.path.insert(0, sys.argv[1]); import netguard; netguard.install();"
    "from assistant.cli.app import main; sys.argv = ['rights', 'ingest', sys.argv[2]]; main()"
)


def test_two_ingest_jobs_started_at_once_one_refuses_and_nothing_is_corrupted(tmp_path, embedder):
    folder = tmp_path / "batch"
    write_contract_folder(folder)
    licences(folder, 4)
    with RightsService(Settings(data_dir=tmp_path / "reference"), embedder=embedder) as ref:
        assert ref.ingest([folder]).ok
        expected = store_state(ref)

    env = {**os.environ, "RIGHTS_DATA_DIR": str(tmp_path / "data"), "COLUMNS": "200"}
    go = threading.Barrier(2)
    results: list[subprocess.CompletedProcess] = []

    def job():
        go.wait()
        results.append(subprocess.run([sys.executable, "-c", CHILD, str(HERE), str(folder)], env=env,
                                      capture_output=True, text=True, timeout=600))

    threads = [threading.Thread(target=job) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(r.returncode for r in results)
    outputs = [r.stdout + r.stderr for r in results]
    assert codes == [0, 2], outputs
    refused = next(o for r, o in zip(results, outputs) if r.returncode == 2)
    assert "Traceback" not in refused
    assert "another ingest is running" in refused or "in use by another rights process" in refused, refused
    with RightsService(Settings(data_dir=tmp_path / "data"), embedder=embedder) as after:
        assert_consistent(after)
        assert_same_store(store_state(after), expected)  # the child embedded in another batch order



def test_a_question_waits_one_embedding_batch_at_most_and_is_embedded_once(embedder):
    """An upload embeds in batches; a question takes the model between two of them, and an answer
    that embeds its question several times (retrieval, family check) runs the model once."""
    step = embedder.settings.batch_size
    texts = [f"Clause {i}. The licensee Studio {i} pays EUR {1000 + i} within {i % 90} days of invoice {i * 7}." for i in range(step * 12)]
    started = time.monotonic()
    embedder.embed_uncached(texts[:step])
    batch_s = time.monotonic() - started
    worker = threading.Thread(target=embedder.embed_uncached, args=(texts,))
    worker.start()
    try:
        time.sleep(batch_s)
        waits = []
        for i in range(3):
            before = time.monotonic()
            embedder.embed_query(f"Which fee does Studio {i} pay, question {time.monotonic()}?")
            waits.append(time.monotonic() - before)
        assert worker.is_alive(), "the batch job ended before the questions: make it longer"
    finally:
        worker.join()
    assert max(waits) < 3 * batch_s + 0.5, (waits, batch_s)
    count = embedder.embedded_count
    first = embedder.embed_query("When does the Nova Records deal expire?")
    again = embedder.embed_query("When does the Nova Records deal expire?")
    assert embedder.embedded_count == count + 1 and (first == again).all()


def test_a_question_and_its_nameless_part_are_embedded_in_one_pass(embedder):
    """The product embeds the question and the question without its names together: same vectors
    as one at a time, one model call, and a text already seen is not embedded again."""
    texts = ["When does the Orbit Tapes licence end?", "When does the licence end?"]
    alone = [embedder.embed_query(t) for t in texts]
    embedder._recent.clear()
    calls, encode = [], embedder._encode
    embedder._encode = lambda batch: calls.append(list(batch)) or encode(batch)
    try:
        together = embedder.embed_queries(texts)
        again = embedder.embed_queries([texts[1], "Who owns the masters?"])
    finally:
        del embedder._encode
    assert calls == [texts, ["Who owns the masters?"]]
    for a, b in zip(alone, together):
        assert float(a @ b) > 0.9999
    assert (again[0] == together[1]).all()
