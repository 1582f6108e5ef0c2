"""Access groups of a document, declared next to it: who may see its passages.

A contract some colleagues must not see gets its groups from a sidecar file ``<file>.groups``
(e.g. ``nova-deal.pdf.groups``) and, for a whole folder, from the nearest ``.access`` file in its
folder or a parent folder. Either holds group names separated by spaces, commas or lines
(``#`` starts a comment). No declaration anywhere means no restriction. The groups are stored on
every chunk and enforced inside the store's queries (assistant/search/store.py), so a restricted
passage never reaches the model, the page or the audit log of a user outside them.

Access fails closed, because the cost of the two mistakes is not the same (a colleague who
cannot see a contract asks for it; a contract shown to the wrong colleague cannot be unseen):

- Every rule that applies must let a user in: a sidecar *and* the folder rule, and, for a file
  reached through a symbolic link, the rules where the link was found *and* where its target
  lies. The most restrictive rule wins; rules that share no group leave the document to
  administrators alone (:data:`NOBODY`).
- A declaration that names no group (empty, or only comments) restricts the document to
  administrators, with a warning, instead of silently making it public.
- A declaration that cannot be read stops that one file (:class:`AccessError`), never the batch,
  and never lets it through as public.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ingest.errors import IngestError

SIDECAR = ".groups"
FOLDER_RULE = ".access"
MAX_LEVELS = 64
NOBODY = "(nobody)"  # a group no user can hold: only administrators ("*") see such a document


class AccessError(IngestError):
    """An access declaration exists but cannot be read: the file it governs is not ingested."""


@dataclass
class Access:
    groups: list[str] = field(default_factory=list)  # [] = everyone
    warnings: list[str] = field(default_factory=list)


def _parse(path: Path) -> set[str]:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise AccessError(f"cannot read access rule {path} ({exc.strerror or exc}); not ingested, so it is not "
                          "shown to everyone: make the rule readable and ingest again") from None
    names: set[str] = set()
    for line in text.splitlines():
        line = line.split("#", 1)[0]
        names |= {n for n in re.split(r"[\s,;]+", line) if n}
    return names


def present(path: Path) -> bool:
    """Whether something is at ``path``; a path we may not even look at counts as there (fail
    closed: an access rule we cannot see still applies, a file in a folder made unreadable is
    not "gone" for --prune)."""
    try:
        path.lstat()
        return True
    except FileNotFoundError:
        return False
    except NotADirectoryError:
        return False
    except OSError:
        return True


def rules_at(location: Path) -> list[tuple[Path, set[str]]]:
    """The declarations that govern a file found at ``location`` (not resolved: where it was
    found): its sidecar and the nearest folder rule."""
    found: list[tuple[Path, set[str]]] = []
    sidecar = location.with_name(location.name + SIDECAR)
    if present(sidecar):
        found.append((sidecar, _parse(sidecar)))
    folder = location.parent
    for _ in range(MAX_LEVELS):
        rule = folder / FOLDER_RULE
        if present(rule):
            found.append((rule, _parse(rule)))
            break
        if folder.parent == folder:
            break
        folder = folder.parent
    return found


def access_for(locations: Iterable[Path]) -> Access:
    """Groups allowed to see a file found at ``locations`` (where it was found, and where a link
    points): the intersection of every rule that applies. Raises AccessError for an unreadable one."""
    allowed: set[str] | None = None
    warnings: list[str] = []
    seen: set[Path] = set()
    for location in locations:
        for path, groups in rules_at(location):
            if path in seen:
                continue
            seen.add(path)
            if not groups:
                warnings.append(f"access rule {path} names no group: only administrators ('*') may see this "
                                "document until it lists the groups allowed")
                groups = {NOBODY}
            allowed = set(groups) if allowed is None else allowed & groups
    if allowed is None:
        return Access([], warnings)
    if not allowed:
        warnings.append("its access rules share no group: only administrators ('*') may see it")
        allowed = {NOBODY}
    return Access(sorted(allowed), warnings)


def groups_for(path: Path) -> list[str]:
    """Groups allowed to see the file at ``path`` (see :func:`access_for`)."""
    return access_for([path]).groups


def is_declaration(path: Path) -> bool:
    """Sidecar and folder-rule files are settings, not documents: never ingested."""
    return path.name.endswith(SIDECAR) or path.name == FOLDER_RULE
