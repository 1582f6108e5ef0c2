"""Files uploaded in the chat: checked, stored under the data directory, ingested in the background.

An upload names its own file, and a name is attacker-controlled: only the final component is
kept, hidden and traversal names are refused, and the resolved target must lie inside
``DATA_DIR/uploads`` before a byte is written. Ingestion is the very same job as ``rights
ingest`` (incremental, crash-safe, bad files reported), run on a worker thread so the page stays
responsive; its progress is polled by the UI.
"""

from __future__ import annotations

import re
import shutil
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from ingest.pipeline import FileResult, IngestReport
from ingest.readers import ingestible_suffixes

SUPPORTED = set(ingestible_suffixes())
_SAFE = re.compile(r"[^\w.\- ()&+,']+")


def safe_name(name: str) -> str | None:
    """The file name to store an upload under, or None when the name itself is hostile."""
    raw = str(name or "")
    if not raw or "\x00" in raw:
        return None
    base = re.split(r"[\\/]", raw)[-1].strip()
    if raw != base and (".." in re.split(r"[\\/]", raw)):
        return None  # ../../etc/passwd, ..\\..\\boot.ini
    if base in ("", ".", "..") or base.startswith("."):
        return None
    cleaned = _SAFE.sub("_", base)[:200]
    return cleaned or None


def save_uploads(files: list[tuple[str, Path]], settings) -> tuple[list[Path], list[FileResult]]:
    """Copy uploaded temp files into the uploads folder; refuse bad names, types and sizes."""
    target_dir = (settings.uploads_dir / datetime.now(timezone.utc).strftime("%Y-%m-%d")).resolve()
    target_dir.mkdir(parents=True, exist_ok=True)
    root = settings.uploads_dir.resolve()
    limit = settings.ui.max_upload_mb * 1024 * 1024
    saved: list[Path] = []
    refused: list[FileResult] = []
    for name, temp in files:
        clean = safe_name(name)
        if clean is None:
            refused.append(FileResult(str(name), "failed", reason="refused: unsafe file name (path traversal or hidden file)"))
            continue
        suffix = Path(clean).suffix.lower()
        if suffix not in SUPPORTED:
            refused.append(FileResult(clean, "skipped", reason=f"unsupported file type '{suffix or clean}' (supported: {', '.join(sorted(SUPPORTED))})"))
            continue
        size = Path(temp).stat().st_size
        if size > limit:
            refused.append(FileResult(clean, "failed", reason=f"too large: {size / 2**20:.1f} MB (limit {settings.ui.max_upload_mb} MB)"))
            continue
        target = (target_dir / clean).resolve()
        if root not in target.parents:
            refused.append(FileResult(clean, "failed", reason="refused: would be stored outside the uploads folder"))
            continue
        shutil.copyfile(temp, target)
        saved.append(target)
    return saved, refused


@dataclass
class UploadJob:
    """One background ingestion of uploaded files; the UI reads ``summary()`` while it runs."""

    files: list[Path]
    refused: list[FileResult] = field(default_factory=list)
    planned: int = 0
    done_chunks: int = 0
    done_files: int = 0
    report: IngestReport | None = None
    error: str | None = None
    finished: threading.Event = field(default_factory=threading.Event)

    # ProgressListener
    def start(self, files: int) -> None: ...
    def file_started(self, path: Path) -> None: ...
    def chunks_planned(self, n: int) -> None:
        self.planned += n

    def chunks_done(self, n: int) -> None:
        self.done_chunks += n

    def file_done(self, result: FileResult) -> None:
        self.done_files += 1

    def run(self, service, lock: threading.Lock) -> None:
        try:
            with lock:  # uploads are ingested one job at a time, in the order they came
                self.report = service.ingest(self.files, listener=self)
        except Exception as exc:  # noqa: BLE001 - shown on the page, never a traceback
            self.error = str(exc) or type(exc).__name__
        finally:
            self.finished.set()

    def summary(self) -> str:
        lines = []
        if not self.finished.is_set():
            lines.append(f"Ingesting {len(self.files)} file(s): {self.done_files}/{len(self.files)} files, "
                         f"{self.done_chunks}/{self.planned or '?'} passages embedded…")
        elif self.error:
            lines.append(f"⚠ Ingestion failed: {self.error}")
        elif self.report is not None:
            c = self.report.counts
            lines.append(f"Done: {c.get('new', 0)} new, {c.get('changed', 0)} changed, {c.get('unchanged', 0)} unchanged, "
                         f"{self.report.chunks_written} passages written in {self.report.seconds:.1f} s.")
            for r in self.report.problems:
                lines.append(f"✗ {Path(r.path).name}: {r.reason}")
            for r in self.report.warned:
                lines.append(f"⚠ {Path(r.path).name}: " + "; ".join(r.warnings[:3]) + (" …" if len(r.warnings) > 3 else ""))
        for r in self.refused:
            lines.append(f"✗ {Path(r.path).name}: {r.reason}")
        return "\n".join(f"- {line}" for line in lines)
