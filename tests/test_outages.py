"""Outages: a full disk under the data directory, a store locked by another process, a Qdrant
server that is unreachable. Each is a one-line error (never a traceback), leaves the store
consistent, and the product recovers when the resource returns, without a restart.

Ollama down, slow, or sending garbage mid-stream is in test_ollama_backend.py.
"""

from __future__ import annotations

import os
import resource
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from fixtures import write_contract_folder
from ollama_fake import Script
from test_ingest import assert_consistent, assert_same_store, store_state
from typer.testing import CliRunner

from assistant.cli.app import app
from assistant.service import RightsService
from assistant.settings import LLMSettings, Settings
from assistant.web.app import ChatSession

pytestmark = pytest.mark.slow
HERE = Path(__file__).resolve().parent
CHILD = (
    "import sys; sys.path.insert(0, sys.argv[1]); import netguard; netguard.install();"
    "from assistant.cli.app import main; sys.argv = ['rights', 'ingest', sys.argv[2]]; main()"
)


def rights_ingest(data_dir: Path, folder: Path, file_size_limit: int | None = None) -> subprocess.CompletedProcess:
    """`rights ingest` as a user runs it, in its own process (optionally under RLIMIT_FSIZE)."""
    env = {**os.environ, "RIGHTS_DATA_DIR": str(data_dir), "COLUMNS": "200"}

    def limit():  # writes past the limit fail with EFBIG instead of killing the process
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_limit, file_size_limit))

    return subprocess.run([sys.executable, "-c", CHILD, str(HERE), str(folder)], env=env, capture_output=True,
                          text=True, timeout=300, preexec_fn=limit if file_size_limit else None)


def sizes(folder: Path) -> tuple[int, int]:
    """Bytes the store really occupies, in all and in its largest file: allocated blocks, since
    the engine's files are sparse (a 32 MB write-ahead-log file holding 8 kB of data)."""
    files = [p for p in folder.rglob("*") if p.is_file()]
    used = [p.stat().st_blocks * 512 for p in files]
    return sum(used), max(used)


@pytest.fixture(scope="module")
def batch(tmp_path_factory, embedder):
    """Five documents, the store an uninterrupted run makes of them, and the bytes it takes."""
    folder = write_contract_folder(tmp_path_factory.mktemp("outage") / "batch")
    (folder / "splits.csv").write_text("Song Title,ISWC,Writer,Share\nBlue Hour,T-345.246.800-3,Mara Quinn,50%\n,,Jonah Reyes,50%\n")
    data = tmp_path_factory.mktemp("reference")
    done = rights_ingest(data, folder)
    assert done.returncode == 0, done.stderr[-2000:]
    with RightsService(Settings(data_dir=data), embedder=embedder) as ref:
        expected = store_state(ref)
    return folder, expected, sizes(data)


def assert_one_clear_line(proc: subprocess.CompletedProcess, *needles: str) -> None:
    out = proc.stdout + proc.stderr
    assert proc.returncode == 2, out[-2000:]
    assert "Traceback" not in out
    errors = [line for line in out.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and all(n in errors[0] for n in needles), out[-2000:]


def can_mount_tmpfs(where: Path) -> bool:
    if os.geteuid() != 0:
        return False
    where.mkdir(parents=True, exist_ok=True)
    ok = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(where)], capture_output=True).returncode == 0
    if ok:
        subprocess.run(["umount", str(where)], check=True)
    return ok


@pytest.mark.parametrize("fill", [0.5, 0.8, 0.95])
def test_disk_full_is_one_clear_error_and_the_rerun_converges(batch, tmp_path, embedder, fill):
    """A real ENOSPC: the data directory on a tmpfs smaller than the store the batch makes."""
    folder, expected, (total, _) = batch
    mnt = tmp_path / "small-disk"
    if not can_mount_tmpfs(mnt):
        pytest.skip("needs root to mount a small tmpfs (the RLIMIT_FSIZE variant below runs anywhere)")
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={max(64, int(total * fill) // 1024)}k", "tmpfs", str(mnt)], check=True)
    try:
        failed = rights_ingest(mnt / "data", folder)
        assert_one_clear_line(failed, "is full", "run the same command again")
        subprocess.run(["mount", "-o", "remount,size=64m", str(mnt)], check=True)  # space is back
        with RightsService(Settings(data_dir=mnt / "data"), embedder=embedder) as again:
            report = again.ingest([folder])
            assert report.ok, report.problems
            assert_consistent(again)
            assert_same_store(store_state(again), expected)
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_file_size_limit_is_one_clear_error_and_the_rerun_converges(batch, tmp_path, embedder):
    """EFBIG (a quota-like limit any user can set): the store's largest file cannot grow."""
    folder, expected, (_, largest) = batch
    failed = rights_ingest(tmp_path / "data", folder, file_size_limit=int(largest * 0.6))
    assert_one_clear_line(failed, "cannot be written", "run the same command again")
    with RightsService(Settings(data_dir=tmp_path / "data"), embedder=embedder) as again:
        assert again.ingest([folder]).ok
        assert_consistent(again)
        assert_same_store(store_state(again), expected)


def ask_cli(settings_env: dict[str, str], monkeypatch, *args: str):
    for key, value in settings_env.items():
        monkeypatch.setenv(key, value)
    result = CliRunner().invoke(app, ["ask", *args], catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def test_locked_store_is_a_clear_error_in_cli_and_chat_and_recovers_when_released(tmp_path, embedder, fake, monkeypatch):
    from assistant.search.engines.edge import EdgeStore

    folder = write_contract_folder(tmp_path / "contracts")
    settings = Settings(data_dir=tmp_path / "data", llm=LLMSettings(backend="ollama", ollama_host=fake.url))
    with RightsService(settings, embedder=embedder) as svc:
        assert svc.ingest([folder]).ok
    fake.script = Script(reply="The licence runs until 31 March 2027 [1].")
    holder = EdgeStore(settings)  # another process holding the embedded store
    with RightsService(settings, embedder=embedder) as chat_service:
        session = ChatSession(chat_service)
        try:
            env = {"RIGHTS_DATA_DIR": str(settings.data_dir), "RIGHTS_LLM__BACKEND": "ollama",
                   "RIGHTS_LLM__OLLAMA_HOST": fake.url, "COLUMNS": "200"}
            result = ask_cli(env, monkeypatch, "How long does the Low Tide licence run?")
            assert result.exit_code == 2 and "in use by another rights process" in result.output
            turns, _ = list(session.respond("How long does the Low Tide licence run?", []))[-1]
            assert turns[-1]["content"].startswith("⚠") and "in use by another rights process" in turns[-1]["content"]
            assert "\n" not in turns[-1]["content"]
        finally:
            holder.close()
        # Released: the same chat session answers without a restart.
        turns, panel = list(session.respond("How long does the Low Tide licence run?", []))[-1]
        assert not turns[-1]["content"].startswith("⚠"), turns[-1]["content"]
        assert "low-tide-licence.md" in panel


def test_unreachable_qdrant_server_is_a_clear_error_in_cli_and_chat(tmp_path, embedder, fake, monkeypatch):
    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{s.getsockname()[1]}"
    settings = Settings(data_dir=tmp_path / "data", qdrant_url=url, llm=LLMSettings(backend="ollama", ollama_host=fake.url))
    with RightsService(settings, embedder=embedder) as svc:
        turns, _ = list(ChatSession(svc).respond("When does the Nova Records deal expire?", []))[-1]
        message = turns[-1]["content"]
        assert message.startswith("⚠") and "Qdrant" in message and url in message, message
        assert "\n" not in message
        with pytest.raises(Exception) as info:
            svc.ingest([write_contract_folder(tmp_path / "contracts")])
        assert "Qdrant" in str(info.value) and type(info.value).__name__ == "StoreError"
    env = {"RIGHTS_DATA_DIR": str(settings.data_dir), "QDRANT_URL": url, "RIGHTS_LLM__BACKEND": "ollama",
           "RIGHTS_LLM__OLLAMA_HOST": fake.url, "COLUMNS": "200"}
    result = ask_cli(env, monkeypatch, "When does the Nova Records deal expire?")
    assert result.exit_code == 2 and "Qdrant" in result.output and url in result.output, result.output
