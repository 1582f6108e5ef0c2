"""Logs a person can read: ``DATA_DIR/rights.log`` (rotated) and stderr, with levels.

The audit log (assistant/ops/audit.py) records who asked what; this log records what the program
did and what went wrong (ingest results, upload jobs, chat answers' status and timings, and the
full traceback of any failure a user only saw as one line). Questions and document text are not
written here: the audit log is the one place for them.

``setup`` is called once per process by the CLI (``rights --verbose`` shows INFO on stderr);
library code only does ``log = logging.getLogger(__name__)``.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
MAX_BYTES = 5_000_000
BACKUPS = 3
_ROOTS = ("assistant", "ingest", "eval")


class _Stderr(logging.StreamHandler):
    """stderr as it is when a line is written (a test runner or a pager may have swapped it)."""

    @property
    def stream(self):  # type: ignore[override]
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


class _OneLine(logging.Formatter):
    """No traceback on the terminal: the user sees one line, the log file keeps the rest."""

    def format(self, record: logging.LogRecord) -> str:
        saved = record.exc_info, record.exc_text
        record.exc_info, record.exc_text = None, None
        try:
            return super().format(record)
        finally:
            record.exc_info, record.exc_text = saved


_current: tuple | None = None


def setup(data_dir: Path | None, verbose: bool = False) -> Path | None:
    """The log file (INFO and up, with tracebacks) in ``data_dir``, and with ``verbose`` INFO lines
    on stderr (one line each; the commands already print their own one-line errors). Returns the
    log file, or None when the data directory is not writable (logging never stops the program).
    Calling it again with the same arguments changes nothing."""
    global _current
    if _current == (data_dir, verbose):
        return data_dir / "rights.log" if data_dir is not None else None
    _current = (data_dir, verbose)
    handlers: list[logging.Handler] = []
    if verbose:
        stderr = _Stderr()
        stderr.setLevel(logging.INFO)
        stderr.setFormatter(_OneLine("%(levelname)s %(name)s: %(message)s"))
        handlers.append(stderr)
    path: Path | None = None
    if data_dir is not None:
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
            path = data_dir / "rights.log"
            file = logging.handlers.RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
            file.setLevel(logging.INFO)
            file.setFormatter(logging.Formatter(FORMAT))
            handlers.append(file)
        except OSError:
            path = None
    for name in _ROOTS:
        logger = logging.getLogger(name)
        for old in list(logger.handlers):
            if getattr(old, "_rights", False):
                logger.removeHandler(old)
                old.close()
        for h in handlers:
            h._rights = True  # type: ignore[attr-defined]
            logger.addHandler(h)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return path
