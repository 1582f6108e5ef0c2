"""Access groups of a document, declared next to it: who may see its passages.

A contract some colleagues must not see gets its groups from a sidecar file ``<file>.groups``
(e.g. ``nova-deal.pdf.groups``) or, for a whole folder, the nearest ``.access`` file in its
folder or a parent folder. Either holds group names separated by spaces, commas or lines
(``#`` starts a comment). No declaration means no restriction. The groups are stored on every
chunk and enforced inside the store's queries (assistant/store.py), so a restricted passage
never reaches the model, the page or the audit log of a user outside them.
"""

from __future__ import annotations

import re
from pathlib import Path

SIDECAR = ".groups"
FOLDER_RULE = ".access"
MAX_LEVELS = 32


def _parse(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8", errors="replace")
    names: list[str] = []
    for line in text.splitlines():
        line = line.split("#", 1)[0]
        names += [n for n in re.split(r"[\s,;]+", line) if n]
    return sorted(set(names))


def groups_for(path: Path) -> list[str]:
    """Groups allowed to see ``path``: its sidecar's, else the nearest folder rule's, else none."""
    sidecar = path.with_name(path.name + SIDECAR)
    if sidecar.is_file():
        return _parse(sidecar)
    folder = path.parent
    for _ in range(MAX_LEVELS):
        rule = folder / FOLDER_RULE
        if rule.is_file():
            return _parse(rule)
        if folder.parent == folder:
            break
        folder = folder.parent
    return []


def is_declaration(path: Path) -> bool:
    """Sidecar and folder-rule files are settings, not documents: never ingested."""
    return path.name.endswith(SIDECAR) or path.name == FOLDER_RULE
