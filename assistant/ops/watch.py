"""Watch folders and ingest what changes: new, changed and removed files, within seconds.

Polling, not inotify: it works the same on network shares and in containers, and a scan of names,
sizes and modification times is cheap next to an ingest. A change is ingested once two scans in a
row agree (a file still being copied in is not read half-written), by the very same job as
``rights ingest --prune`` over the watched folders, so it is incremental and crash-safe the same
way: killed mid-cycle, the next cycle (or the next start) finishes the work and loses nothing.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from ingest.pipeline import IngestReport

_log = logging.getLogger(__name__)
Signature = frozenset[tuple[str, int, int]]


def scan(folders: Sequence[Path]) -> Signature:
    """(path, size, mtime_ns) of every visible file under ``folders`` (hidden and partial files aside)."""
    out = set()
    for folder in folders:
        for root, dirs, files in os.walk(folder):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            for name in files:
                if name.startswith(".") or name.endswith((".part", ".tmp", ".crdownload", "~")):
                    continue
                path = os.path.join(root, name)
                try:
                    st = os.stat(path)
                except OSError:
                    continue  # removed between the listing and the stat
                out.add((path, st.st_size, st.st_mtime_ns))
    return frozenset(out)


class Watcher:
    """Ingests ``folders`` into ``service`` whenever what they hold has changed and settled.

    ``lock`` is the ingest lock shared with uploads; ``on_report`` gets each cycle's report."""

    def __init__(self, service, folders: Sequence[Path], *, interval: float = 1.0, lock: threading.Lock | None = None,
                 on_report: Callable[[IngestReport], None] | None = None):
        missing = [str(f) for f in folders if not Path(f).is_dir()]
        if missing:
            raise FileNotFoundError(f"cannot watch {', '.join(missing)}: not a folder")
        self.service = service
        self.folders = [Path(f).resolve() for f in folders]
        self.interval = interval
        self.lock = lock or threading.Lock()
        self.on_report = on_report
        self.ingested: Signature | None = None  # what the last finished cycle saw
        self.cycles = 0
        self.stop = threading.Event()

    def cycle(self, seen: Signature) -> IngestReport | None:
        """One ingest of the folders if ``seen`` differs from what was last ingested."""
        if seen == self.ingested:
            return None
        with self.lock:
            report = self.service.ingest(self.folders, prune=True, index=False)
        self.ingested = seen
        self.cycles += 1
        changed = {k: v for k, v in report.counts.items() if k != "unchanged"}
        if changed:
            _log.info("watch: %s", ", ".join(f"{n} {status}" for status, n in sorted(changed.items())))
        if self.on_report is not None:
            self.on_report(report)
        return report

    def run(self) -> None:
        """Until ``stop`` is set: scan every ``interval`` seconds, ingest once two scans agree.
        The first cycle runs at once (files that arrived while nothing was watching)."""
        previous: Signature | None = None
        while not self.stop.is_set():
            try:
                seen = scan(self.folders)
                if previous is None or seen == previous:
                    self.cycle(seen)
                previous = seen
            except Exception:  # noqa: BLE001 - a bad cycle is logged and retried, the server stays up
                _log.error("watch cycle over %s failed; retrying", ", ".join(map(str, self.folders)), exc_info=True)
                self.ingested = None
            self.stop.wait(self.interval)

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, name="watch-ingest", daemon=True)
        thread.start()
        return thread
