"""The one root of errors a person can fix, and the ingest errors under it.

Every failure the product expects (a bad file, a full disk, an unreachable Ollama, a corrupt
users file, a wrong dataset path) is a :class:`UserError`: ``str(err)`` is one line saying what
went wrong and what to do. The CLI prints it in red and exits with status 2, the chat shows it,
the batch report lists it; none of them ever shows a traceback. It lives here, in the bottom
layer, so that ``ingest``, ``assistant`` and ``eval`` can all raise it.
"""


class UserError(Exception):
    """A failure the user can fix; ``str(err)`` is the one-line reason and remedy."""


class IngestError(UserError):
    """A file could not be ingested; ``str(err)`` is the one-line reason shown to the user."""


class UnsupportedFile(IngestError):
    """The file's type has no reader; reported, never fatal to the batch."""
