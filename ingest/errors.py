"""Errors that end one file's ingestion with a one-line reason for the batch report."""


class IngestError(Exception):
    """A file could not be ingested; ``str(err)`` is the one-line reason shown to the user."""


class UnsupportedFile(IngestError):
    """The file's type has no reader; reported, never fatal to the batch."""
