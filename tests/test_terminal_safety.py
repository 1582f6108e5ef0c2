"""What reaches the operator's terminal: no escape sequences from documents, file names,
questions, the audit log or settings; clear one-line errors for bad dates, an empty ingest
path and an unwritable data folder; a private audit log."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from rich.console import Console

from assistant.answer.answering import Answer, Source
from assistant.cli import render as cli_render
from assistant.ops import audit
from assistant.ops.terminal import dumps, printable
from assistant.search.store import Hit

OSC_TITLE = "\x1b]0;pwned\x07"  # retitles the terminal window
CLEAR = "\x1b[2J"  # clears the screen
CSI8 = "\x9b31m"  # 8-bit CSI: red, on terminals that honour C1
RLO = "\u202e"  # right-to-left override: the rest of the line reads backwards
HOSTILE = f"{OSC_TITLE}{CLEAR}{CSI8}{RLO}"
RAW = ["\x1b", "\x07", "\x9b", "\u202e"]

HOSTILE_NAME = f"moonbeam{OSC_TITLE}-{CLEAR}-{CSI8}-{RLO}txt.txt"
HOSTILE_TEXT = f"""MOONBEAM SYNC LICENCE {OSC_TITLE}

This licence is made on 2 March 2022 between Moonbeam Music Ltd ("Licensor") and Quartz Films {RLO}Ltd ("Licensee").

1. Territory. The territory of the moonbeam licence is the World {CLEAR} excluding Japan {CSI8} and Korea.

2. Fee. The Licensee pays a fee of five thousand euros (EUR 5,000) on signature.
"""


def assert_clean(text: str) -> None:
    found = [repr(c) for c in RAW if c in text]
    assert not found, f"raw terminal control characters in the output: {found}"


# -- the escaping itself ----------------------------------------------------------------------
def test_printable_shows_controls_as_visible_escapes():
    assert printable(HOSTILE) == r"\x1b]0;pwned\x07\x1b[2J\x9b31m\u202e"
    assert printable("a\tb") == "a b"
    assert printable("one\ntwo\r") == r"one\x0atwo\x0d"
    assert printable("one\ntwo", multiline=True) == "one\ntwo"
    assert printable("x\x7fy\u2066z\u2069\x85") == r"x\x7fy\u2066z\u2069\x85"
    assert printable("bad byte \udcff") == r"bad byte \udcff"  # undecodable file name bytes
    assert printable("Növa Récords — § 4.1 «ok» 日本 عربي") == "Növa Récords — § 4.1 «ok» 日本 عربي"
    assert printable(42) == "42"


def test_json_escapes_c1_and_bidi_and_round_trips():
    value = {"file": HOSTILE_NAME, "note": "Növa\x7f\udcff", "n": [1, None]}
    out = dumps(value, indent=1)
    assert_clean(out)
    assert "\x7f" not in out and "\\u009b" in out and "\\u202e" in out and "\\u001b" in out
    assert "Növa" in out  # still readable, not ASCII-escaped
    assert json.loads(out) == value


# -- the CLI over a hostile document ----------------------------------------------------------
@pytest.fixture
def run(cli):
    return cli


@pytest.fixture
def hostile_folder(tmp_path) -> Path:
    folder = tmp_path / "incoming"
    folder.mkdir()
    (folder / HOSTILE_NAME).write_text(HOSTILE_TEXT)
    (folder / f"notes{CLEAR}{RLO}.xyz").write_text("unsupported, so reported by name")
    return folder


@pytest.mark.slow
def test_hostile_names_and_text_never_reach_the_terminal_raw(run, hostile_folder, tmp_path):
    ingested = run("ingest", "--quiet", str(hostile_folder))
    assert ingested.exit_code == 1  # the .xyz file is not ingested and is named in the summary
    assert_clean(ingested.output)
    assert r"notes\x1b[2J\u202e.xyz" in ingested.output

    listed = run("sources")
    assert listed.exit_code == 0
    assert_clean(listed.output)
    assert r"moonbeam\x1b]0;pwned\x07" in listed.output and r"\u202etxt.txt" in listed.output

    as_json = run("sources", "--json")
    assert_clean(as_json.output)
    docs = json.loads(as_json.output)
    assert [d["file_name"] for d in docs] == [HOSTILE_NAME]  # escaped on screen, intact as data

    found = run("search", "moonbeam licence territory excluding Japan", "-k", "3")
    assert found.exit_code == 0
    assert_clean(found.output)
    assert "moonbeam" in found.output and r"\x1b[2J excluding Japan \x9b31m" in found.output

    found_json = run("search", "moonbeam licence territory excluding Japan", "-k", "3", "--json")
    assert_clean(found_json.output)
    hits = json.loads(found_json.output)
    assert hits and CLEAR in hits[0]["text"] and hits[0]["file_name"] == HOSTILE_NAME

    missing = run("forget", f"nothing{OSC_TITLE}")
    assert missing.exit_code == 1
    assert_clean(missing.output)
    assert r"nothing\x1b]0;pwned\x07" in missing.output
    forgot = run("forget", HOSTILE_NAME)
    assert forgot.exit_code == 0
    assert_clean(forgot.output)


def _answer(question: str = f"who owns {HOSTILE}?") -> Answer:
    hit = Hit("p1", 0.9, {"file_name": HOSTILE_NAME, "file_path": f"/in/{HOSTILE_NAME}", "section": f"1{CSI8}",
                          "heading": f"Territory{RLO}", "start": 0, "end": 40, "text": f"The territory {CLEAR} is the World.",
                          "doc_id": "d1"})
    return Answer(question=question, text=f"The World{OSC_TITLE} [1].\nExcept {RLO}Japan.", status="flagged",
                  sources=[Source(1, hit)], cited=[(1, "The World [1].")], problems=[f"unsupported {CLEAR}claim"],
                  reason=f"why{CSI8}", model=f"model{RLO}", retrieval_s=0.1, ttft_s=0.2, total_s=0.3)


def test_print_answer_escapes_answer_sources_and_problems(monkeypatch):
    buf = StringIO()
    monkeypatch.setattr(cli_render, "console", Console(file=buf, width=300, force_terminal=False))
    cli_render.print_answer(_answer(), show_all_sources=True)
    out = buf.getvalue()
    assert_clean(out)
    assert r"The World\x1b]0;pwned\x07 [1]." in out and r"Except \u202eJapan." in out  # answer keeps its lines
    assert r"§ 1\x9b31m Territory\u202e" in out and r"The territory \x1b[2J is the World." in out
    assert r"unsupported \x1b[2Jclaim" in out and r"model\u202e" in out


def test_print_record_escapes_every_field(monkeypatch):
    buf = StringIO()
    monkeypatch.setattr(cli_render, "console", Console(file=buf, width=300, force_terminal=False))
    payload = {"record_kind": "work", "record_title": f"Tide{OSC_TITLE}", "file_name": HOSTILE_NAME, "location": f"row 2{RLO}",
               "identifiers": [{"scheme": "ISWC", "value": "T3452468001", "valid": True}],
               "fields": {"publisher": f"Pub{CLEAR}[bold]"},
               "parties": [{"name": f"Ada{CSI8}", "role": "composer", "ipi": f"123{RLO}", "society": "PRS", "shares": {}}],
               "warnings": [f"shares total 90%{CLEAR}"]}
    cli_render.print_hits([Hit("p1", 0.5, payload)])
    out = buf.getvalue()
    assert_clean(out)
    assert r"Tide\x1b]0;pwned\x07" in out and r"Pub\x1b[2J[bold]" in out and r"Ada\x9b31m" in out and r"123\u202e" in out


def test_audit_table_and_export_are_escaped(run, tmp_path):
    path = tmp_path / "data" / "audit.jsonl"
    audit.append(path, audit.entry(f"eve{RLO}", f"who owns {HOSTILE}?", _answer(), {"party": f"x{CSI8}"}, "chat"))
    table = run("audit")
    assert table.exit_code == 0
    assert_clean(table.output)
    assert r"who owns \x1b]0;pwned\x07\x1b[2J\x9b31m\u202e?" in table.output and r"eve\u202e" in table.output

    exported = run("audit", "--json")
    assert exported.exit_code == 0
    assert_clean(exported.output)
    entry = json.loads(exported.output)
    assert entry["question"] == f"who owns {HOSTILE}?" and entry["sources"][0]["file"] == HOSTILE_NAME


def test_config_escapes_settings(run, monkeypatch, tmp_path):
    monkeypatch.setenv("RIGHTS_DATA_DIR", str(tmp_path / f"data{CLEAR}{RLO}"))
    shown = run("config")
    assert shown.exit_code == 0
    assert_clean(shown.output)
    assert r"data\x1b[2J\u202e" in shown.output
    as_json = run("config", "--json")
    assert_clean(as_json.output)
    assert json.loads(as_json.output)["data_dir"].endswith(f"data{CLEAR}{RLO}")


def test_errors_are_escaped(run, tmp_path):
    result = run("--config", str(tmp_path / f"nope{OSC_TITLE}.toml"), "sources")
    assert result.exit_code == 2
    assert_clean(result.output)


# -- dates, empty paths -----------------------------------------------------------------------
@pytest.mark.parametrize("value", ["2021-13-45", "2021-13", "2021-00", "2021-02-29", "2021-04-31", "0000", "2021-1-5", "21", "2021-12-01x"])
def test_date_filters_must_be_real_dates(run, value):
    for option in ("--since", "--until"):
        result = run("search", "term", option, value, "--mode", "lexical")
        assert result.exit_code == 2, (option, value)
        assert "YYYY-MM-DD" in result.output and option in result.output


@pytest.mark.parametrize("value", ["2021", "2021-12", "2024-02-29", "1999-01-31"])
def test_real_dates_are_accepted(run, value):
    result = run("search", "term", "--since", value, "--until", "2099", "--mode", "lexical")
    assert result.exit_code == 0, result.output
    assert "No ingested document matches" in result.output or "No passages found" in result.output


def test_empty_ingest_path_is_refused_before_anything_runs(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for args in ([""], ["", "."]):
        result = run("ingest", "--quiet", *args)
        assert result.exit_code == 2
        assert len(result.output.strip().splitlines()) == 1 and "empty path" in result.output
    assert not (tmp_path / "data").exists()  # nothing ran: no store, no lock file


# -- an unwritable data folder ----------------------------------------------------------------
def _one_line_error(output: str, folder: Path) -> None:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    assert lines[0].startswith("error: the data folder") and str(folder) in lines[0] and "not writable" in lines[0]


@pytest.mark.parametrize("command", [["sources"], ["search", "territory"], ["ingest", "--quiet", "CONTRACT"], ["forget", "x"]])
def test_data_folder_under_a_file_is_one_line_error(run, monkeypatch, tmp_path, command):
    (tmp_path / "a-file").write_text("not a folder")
    data = tmp_path / "a-file" / "data"
    monkeypatch.setenv("RIGHTS_DATA_DIR", str(data))
    contract = tmp_path / "c.txt"
    contract.write_text("SYNC LICENCE\n1. Territory. The World.\n")
    result = run(*[str(contract) if a == "CONTRACT" else a for a in command])
    assert result.exit_code == 2
    _one_line_error(result.output, data)


def _drop_root_privileges() -> list[str] | None:
    """A command prefix that runs as root without the capabilities that bypass file permissions."""
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    caps = "-dac_override,-dac_read_search,-fowner"
    prefix = [setpriv, "--bounding-set", caps, "--inh-caps", caps]
    probe = subprocess.run([*prefix, "true"], capture_output=True)
    return prefix if probe.returncode == 0 else None


@pytest.mark.parametrize("layout", ["folder 0500", "parent 0500"])
def test_read_only_data_folder_is_one_line_error(tmp_path, layout):
    locked = tmp_path / "locked"
    locked.mkdir()
    data = locked if layout == "folder 0500" else locked / "data"
    locked.chmod(0o500)
    try:
        if os.geteuid() == 0:
            prefix = _drop_root_privileges()
            if prefix is None:
                pytest.skip("running as root without setpriv: permissions cannot be enforced")
        else:
            prefix = []
        env = {k: v for k, v in os.environ.items() if not k.startswith("RIGHTS_")}
        env.update(RIGHTS_DATA_DIR=str(data), COLUMNS="400")
        result = subprocess.run([*prefix, sys.executable, "-m", "assistant.cli.app", "sources"], capture_output=True,
                                text=True, env=env, cwd=Path(__file__).resolve().parent.parent, timeout=120)
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        _one_line_error(result.stdout + result.stderr, data)
    finally:
        locked.chmod(0o700)


# -- the audit log's permissions --------------------------------------------------------------
def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_audit_log_is_private_whatever_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        path = tmp_path / "new-data" / "audit.jsonl"
        audit.append(path, {"question": "q1"})
        assert _mode(path) == 0o600
        assert _mode(path.parent) == 0o700  # created here, so made private too

        os.umask(0o000)
        other = tmp_path / "open-data" / "audit.jsonl"
        audit.append(other, {"question": "q1"})
        assert _mode(other) == 0o600 and _mode(other.parent) == 0o700

        existing = tmp_path / "old-data"
        existing.mkdir(mode=0o755)
        existing.chmod(0o755)
        wide = existing / "audit.jsonl"
        wide.write_text(json.dumps({"question": "before"}) + "\n")
        wide.chmod(0o644)
        audit.append(wide, {"question": "after"})
        assert _mode(wide) == 0o600  # tightened on append
        assert _mode(existing) == 0o755  # a folder it did not create is left alone
        assert [e["question"] for e in audit.read(wide)] == ["before", "after"]
    finally:
        os.umask(old)
