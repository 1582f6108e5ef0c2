"""Files uploaded in the chat: checked, stored under the data directory, ingested in the background.

An upload names its own file, and a name is attacker-controlled: only the final component is
kept, hidden and traversal names are refused, and the resolved target must lie inside
``DATA_DIR/uploads`` before a byte is written. Ingestion is the very same job as ``rights
ingest`` (incremental, crash-safe, bad files reported), run on a worker thread so the page stays
responsive; its progress is polled by the UI.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from assistant.web.inert import inert
from ingest.access import NOBODY, SIDECAR
from ingest.pipeline import FileResult, IngestReport
from ingest.readers import ingestible_suffixes

SUPPORTED = set(ingestible_suffixes())
_log = logging.getLogger(__name__)
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


def user_folder(user: str) -> str:
    """A folder name for ``user``'s uploads: readable, and distinct for every user name (two names
    that clean to the same text differ by their hash), so no user can overwrite another's file."""
    readable = (safe_name(user) or "user")[:40]
    return f"{readable}-{hashlib.sha256(user.encode()).hexdigest()[:10]}"


def _private_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
    return path


def write_private(target: Path, source: Path | None = None, text: str | None = None) -> None:
    """Write a file only its owner can read (uploads hold restricted contracts), atomically."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.part")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        if source is not None:
            with source.open("rb") as src:
                shutil.copyfileobj(src, out)
        else:
            out.write((text or "").encode("utf-8"))
    os.replace(tmp, target)


def save_uploads(files: list[tuple[str, Path]], settings, user: str = "local",
                 groups: list[str] | None = None) -> tuple[list[Path], list[FileResult]]:
    """Copy uploaded temp files into ``user``'s uploads folder; refuse bad names, types and sizes.

    ``groups`` (the uploader's, with sign-in) go into a ``<file>.groups`` sidecar beside each
    file, written before the file itself: the upload is never visible to anyone else, not even
    for a moment. Files and folders are private to the service's account (0600/0700)."""
    root = _private_dir(settings.uploads_dir).resolve()
    user_dir = _private_dir(settings.uploads_dir / user_folder(user))
    target_dir = _private_dir(user_dir / datetime.now(UTC).strftime("%Y-%m-%d")).resolve()
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
        if groups is not None:
            write_private(target.with_name(target.name + SIDECAR), text="\n".join(groups or [NOBODY]) + "\n")
        write_private(target, source=Path(temp))
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
    ocr: str = ""  # "OCR of scan.pdf: page 3/12" while a scan is read
    report: IngestReport | None = None
    error: str | None = None
    note: str | None = None  # said first in the summary (e.g. who will see the files)
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
        self.ocr = ""

    def ocr_progress(self, path: Path, done: int, total: int) -> None:
        self.ocr = f"OCR of {path.name}: page {done}/{total}" if done < total else ""

    def run(self, service, lock: threading.Lock) -> None:
        try:
            with lock:  # uploads are ingested one job at a time, in the order they came
                self.report = service.ingest(self.files, listener=self, index=False)  # the chat stays responsive
        except Exception as exc:  # noqa: BLE001 - shown on the page, never a traceback
            self.error = str(exc) or type(exc).__name__
            _log.error("upload job of %d file(s) failed: %s", len(self.files), self.error, exc_info=True)  # the traceback: rights.log
        finally:
            self.finished.set()

    def summary(self) -> str:
        """The job's progress as Markdown: every file name, reason and warning made inert."""
        lines = [inert(self.note)] if self.note else []
        if not self.finished.is_set():
            lines.append(f"Ingesting {len(self.files)} file(s): {self.done_files}/{len(self.files)} files, "
                         f"{self.done_chunks}/{self.planned or '?'} passages embedded…")
            if self.ocr:
                lines.append(inert(self.ocr) + "…")
        elif self.error:
            lines.append(f"⚠ Ingestion failed: {inert(self.error)}")
        elif self.report is not None:
            c = self.report.counts
            lines.append(f"Done: {c.get('new', 0)} new, {c.get('changed', 0)} changed, {c.get('unchanged', 0)} unchanged, "
                         f"{self.report.chunks_written} passages written in {self.report.seconds:.1f} s.")
            for r in self.report.problems:
                lines.append(f"✗ {inert(Path(r.path).name)}: {inert(r.reason or '')}")
            for r in self.report.warned:
                lines.append(f"⚠ {inert(Path(r.path).name)}: " + inert("; ".join(r.warnings[:3])) + (" …" if len(r.warnings) > 3 else ""))
        for r in self.refused:
            lines.append(f"✗ {inert(Path(r.path).name)}: {inert(r.reason or '')}")
        return "\n".join(f"- {line}" for line in lines)
