"""Watch-folder ingestion: files dropped in, changed or removed are ingested by the same job as
`rights ingest --prune`, once a file has settled; a killed server loses nothing.

The fast tests drive ``Watcher`` over the hashing embedder; the slow ones start the real
`rights serve --no-chat --watch` process (real model, real store), time a dropped file until it is
searchable through the API, and SIGKILL the server in the middle of a watch cycle.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from assistant.ops.watch import Watcher, scan

AGREEMENT = """LICENCE AGREEMENT {n}

This Licence Agreement is made on 2 May 2024 between Quarry Lane Records Limited (the "Licensor") and Artist {n} (the "Artist").

1. ADVANCE
1.1 The Licensor shall pay the Artist an advance of {n} thousand pounds (GBP {n},000) for the track Lantern {n}.
"""


def _names(service) -> set[str]:
    return {d.file_name for d in service.sources()}


def test_new_changed_and_removed_files_are_ingested_once_settled(fast_service, tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "one.txt").write_text(AGREEMENT.format(n=1))
    reports = []
    watcher = Watcher(fast_service, [folder], interval=0.05, on_report=reports.append)
    assert watcher.cycle(scan([folder])) is not None and _names(fast_service) == {"one.txt"}
    assert watcher.cycle(scan([folder])) is None  # nothing changed: no ingest at all
    (folder / "two.txt").write_text(AGREEMENT.format(n=2))
    (folder / ".hidden.txt").write_text("draft")
    (folder / "three.txt.part").write_text("half a file")
    watcher.cycle(scan([folder]))
    assert _names(fast_service) == {"one.txt", "two.txt"}
    (folder / "one.txt").write_text(AGREEMENT.format(n=11))
    (folder / "two.txt").unlink()
    report = watcher.cycle(scan([folder]))
    assert report.counts["changed"] == 1 and report.counts["removed"] == 1
    assert _names(fast_service) == {"one.txt"}
    assert "GBP 11,000" in " ".join(h.payload["text"] for h in fast_service.retrieve("advance Artist 11", 3))
    assert len(reports) == 3


def test_a_file_written_in_pieces_ends_up_ingested_whole(fast_service, tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    watcher = Watcher(fast_service, [folder], interval=0.05)
    watcher.start()
    try:
        time.sleep(0.2)
        path = folder / "growing.txt"
        with path.open("w") as out:  # written in pieces, slower than the scans
            for piece in AGREEMENT.format(n=5).splitlines(keepends=True):
                out.write(piece)
                out.flush()
                time.sleep(0.08)
        deadline = time.monotonic() + 10
        while "growing.txt" not in _names(fast_service):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        time.sleep(0.3)
        text = " ".join(h.payload["text"] for h in fast_service.store.get_chunks(
            next(d.doc_id for d in fast_service.sources() if d.file_name == "growing.txt"), range(5)))
        assert "GBP 5,000" in text  # the settled file, not a prefix of it
    finally:
        watcher.stop.set()


def test_a_missing_folder_is_a_one_line_error(fast_service, tmp_path):
    with pytest.raises(FileNotFoundError, match="not a folder"):
        Watcher(fast_service, [tmp_path / "nowhere"])


# -- the real server -----------------------------------------------------------------------------
def _serve(data_dir: Path, folder: Path, port: int) -> subprocess.Popen:
    # the test polls faster than a person would: no per-token rate limit here
    env = {**os.environ, "RIGHTS_DATA_DIR": str(data_dir), "RIGHTS_API__RATE_PER_MINUTE": "0"}
    return subprocess.Popen([sys.executable, "-c", "from assistant.cli.app import main; main()", "serve", "--no-chat",
                             "--port", str(port), "--watch", str(folder), "--interval", "0.5"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _token(data_dir: Path) -> str:
    env = {**os.environ, "RIGHTS_DATA_DIR": str(data_dir)}
    out = subprocess.run([sys.executable, "-c", "from assistant.cli.app import main; main()", "token", "create", "ops",
                          "--group", "*"], env=env, capture_output=True, text=True, check=True)
    return out.stdout.strip().splitlines()[-1]


def _wait(fn, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = fn()
            if value:
                return value
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.slow
def test_a_dropped_file_is_answerable_within_ten_seconds_and_a_kill_loses_nothing(tmp_path, embedder):
    from test_api import free_port

    data_dir, folder = tmp_path / "data", tmp_path / "inbox"
    folder.mkdir()
    token = _token(data_dir)
    port = free_port()
    server = _serve(data_dir, folder, port)
    h = httpx.Client(base_url=f"http://127.0.0.1:{port}/v1", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    try:
        _wait(lambda: h.get("/health").status_code == 200, 120, "the server")
        _wait(lambda: h.get("/documents").status_code == 200, 30, "the first watch cycle")
        time.sleep(1.5)  # idle: the first (empty) cycle is over
        dropped = time.monotonic()
        (folder / "lantern-7.txt").write_text(AGREEMENT.format(n=7))
        question = {"model": "rights-assistant", "messages": [{"role": "user", "content": "What advance is paid for Lantern 7?"}]}
        _wait(lambda: "GBP 7,000" in h.post("/chat/completions", json=question).text, 30, "the dropped file's answer")
        elapsed = time.monotonic() - dropped
        print(f"\nwatch: a dropped file answered through the API {elapsed:.1f} s after it was written")
        assert elapsed < 10

        # many files at once, and the server killed (kill -9) while it ingests them: about 1,600
        # chunks, more than three of the ingest's waves (WAVE_CHUNKS), so documents become visible
        # wave by wave and the kill lands between two of them
        for n in range(20, 60):
            (folder / f"lantern-{n}.txt").write_text(AGREEMENT.format(n=n) + ("\n2. NOTES\n2.1 " + "Filler words. " * 2800))
        seen = _wait(lambda: 2 <= (n := len(h.get("/documents").json()["data"])) < 41 and n, 180, "the cycle to be under way")
        server.send_signal(signal.SIGKILL)
        print(f"watch: killed with {seen} of 41 documents ingested")
        server.wait(10)
        h.close()
        server = _serve(data_dir, folder, port)
        h = httpx.Client(base_url=f"http://127.0.0.1:{port}/v1", headers={"Authorization": f"Bearer {token}"}, timeout=30)
        _wait(lambda: h.get("/health").status_code == 200, 120, "the restarted server")
        docs = _wait(lambda: (d := h.get("/documents").json()["data"]) and len(d) == 41 and d, 300, "every file ingested")
        assert {d["file_name"] for d in docs} == {"lantern-7.txt"} | {f"lantern-{n}.txt" for n in range(20, 60)}
        for n in (20, 39, 59):
            hits = h.post("/search", json={"query": f"advance Lantern {n}", "k": 5}).json()["data"]
            assert any(f"GBP {n},000" in hit["text"] for hit in hits), n
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait(10)
        h.close()
