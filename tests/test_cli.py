"""The `rights` command as a user runs it: help, exit codes, readable errors, no tracebacks."""

from __future__ import annotations

import pytest
from fixtures import write_bad_files

from assistant.cli.app import load_plugins

load_plugins()  # `rights eval` comes from the eval package through the rights.commands entry point
VERBS = ["ingest", "search", "ask", "sources", "forget", "config", "demo", "chat", "audit", "user", "eval"]


@pytest.fixture
def run(cli):
    return cli


def test_help_on_every_verb(run):
    top = run("--help")
    assert top.exit_code == 0
    for verb in VERBS:
        assert verb in top.output
        result = run(verb, "--help")
        assert result.exit_code == 0, verb
        assert "Usage" in result.output and len(result.output) > 200


def test_config_masks_secrets_and_shows_sources(run, monkeypatch, tmp_path):
    monkeypatch.setenv("QDRANT_API_KEY", "super-secret-key")
    toml = tmp_path / "rights.toml"
    toml.write_text('collection = "label_a"\n[chunking]\nmax_chars = 1400\n')
    result = run("--config", str(toml), "config")
    assert result.exit_code == 0
    assert "super-secret-key" not in result.output and "***" in result.output
    assert "label_a" in result.output and "1400" in result.output


@pytest.mark.parametrize(
    "env, message",
    [({"RIGHTS_SEARCH_K": "0"}, "invalid setting search_k"), ({"RIGHTS_COLLECTION": "no spaces!"}, "invalid setting collection")],
)
def test_bad_settings_are_one_line_errors(run, monkeypatch, env, message):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    result = run("sources")
    assert result.exit_code == 2 and message in result.output


def test_missing_config_file(run, tmp_path):
    result = run("--config", str(tmp_path / "nope.toml"), "sources")
    assert result.exit_code == 2 and "config file not found" in result.output


@pytest.mark.slow
def test_ingest_search_sources_forget(run, contracts):
    write_bad_files(contracts / "bad")
    result = run("ingest", "--quiet", str(contracts))
    assert result.exit_code == 1, "some files failed: exit status 1"
    assert "files new" in result.output and "encrypted PDF" in result.output and "unsupported file type" in result.output
    again = run("ingest", "--quiet", str(contracts / "low-tide-licence.md"))
    assert again.exit_code == 0 and "unchanged" in again.output

    found = run("search", "Which territory does the master use licence cover?", "-k", "2")
    assert found.exit_code == 0
    first = " ".join(found.output.split("\n2. ")[0].split())
    assert first.startswith("1. low-tide-licence.md · §§ 1–4 · chars 0-")  # the same label as the sources panel
    assert "World excluding Japan" in first

    listed = run("sources")
    assert "westgate-songwriter.docx" in listed.output and "complete" in listed.output
    assert run("forget", "low-tide-licence.md").exit_code == 0
    assert "low-tide-licence.md" not in run("sources").output
    missing = run("forget", "no-such-contract.pdf")
    assert missing.exit_code == 1 and "no ingested document matches" in missing.output


def test_store_in_use_is_reported_not_raised(run, tmp_path):
    from assistant.search.engines.edge import EdgeStore
    from assistant.settings import Settings

    holder = EdgeStore(Settings(data_dir=tmp_path / "data"))  # another process holding the embedded store
    try:
        result = run("sources")
        assert result.exit_code == 2
        assert "in use by another rights process" in result.output
    finally:
        holder.close()


def test_second_ingest_refuses_while_one_runs(run, tmp_path, contracts):
    from assistant.service import ingest_lock

    with ingest_lock(tmp_path / "data"):
        result = run("ingest", str(contracts))
    assert result.exit_code == 2 and "another ingest is running" in result.output


def test_commands_log_to_the_data_directory_without_document_text(tmp_path, monkeypatch):
    """DATA_DIR/rights.log says what ran and what failed; the question stays in the audit log."""
    import logging

    from assistant.ops import logs

    data = tmp_path / "data"
    path = logs.setup(data)
    logging.getLogger("assistant.answer.answering").info("chat answer for %s: %s", "alice", "answered")
    try:
        raise ValueError("bad table")
    except ValueError:
        logging.getLogger("ingest.pipeline").error("one file failed", exc_info=True)
    for h in logging.getLogger("assistant").handlers:
        h.flush()
    text = path.read_text()
    assert "INFO" in text and "chat answer for alice: answered" in text
    assert "ERROR" in text and "Traceback" in text and "ValueError: bad table" in text  # the file keeps the traceback
    logs.setup(None)  # leave later tests without a handler on this tmp dir
