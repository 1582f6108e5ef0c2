"""Cross-file validation: one identifier must not name two different titles.

Shares and identifier check digits are validated by the readers, record by record, and stored
with the record. What a reader cannot see is the rest of the catalog: an ISRC that a split
sheet gives to "Blue Hour" and a DDEX message to "Paper Lanterns" is a data error someone must
fix before royalties flow.

Such a warning names the *other* record's title and file, so it is never stored: stored text is
shown to everyone allowed to see its own document, and the other document may be restricted (a
stored "also 'Project Nightingale' in secret-splits.csv" would let anyone probe restricted
records by uploading an identifier). It is computed when shown, against the records the viewer
may see: :func:`duplicates` is the one rule, fed by the ingest report (the operator's or
uploader's view) and by the store views of the chat and the CLI.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ingest.model import DocumentSink, PreparedDocument

# Which record kinds an identifier names: a release also lists its tracks' ISRCs, a deal its
# release's UPC, so those are not title claims.
OWNERS = {"ISWC": {"work"}, "ISRC": {"recording", "work"}, "UPC": {"release"}}


@dataclass(frozen=True)
class Claim:
    """A record saying "identifier ``key`` is ``title``", and where it says so."""

    key: str  # "ISRC:GBN7R2200104"
    title: str
    doc_id: str
    where: str  # "catalog.csv row 3": names the record in a warning


def same_title(a: str | None, b: str | None) -> bool:
    """Titles match ignoring case, punctuation and bracketed versions ("(Radio Edit)")."""
    def norm(t: str | None) -> str:
        t = re.sub(r"[(\[].*?[)\]]", " ", (t or "").lower())
        return re.sub(r"[^a-z0-9]+", "", t)

    x, y = norm(a), norm(b)
    return not x or not y or x == y or x.startswith(y) or y.startswith(x)


def claims_of_payload(payload: dict[str, Any]) -> list[Claim]:
    """The title claims a stored record chunk makes (none for a contract passage)."""
    kind = payload.get("record_kind")
    if not kind:
        return []
    where = f"{payload.get('file_name')} {payload.get('location') or ''}".strip()
    return [Claim(key, str(payload.get("record_title") or ""), str(payload.get("doc_id")), where)
            for key in payload.get("ids") or [] if kind in OWNERS.get(key.split(":", 1)[0], ())]


def duplicates(mine: Iterable[Claim], others: Iterable[Claim]) -> dict[Claim, str]:
    """For each of ``mine``: a warning when one of ``others`` gives its identifier another title.

    ``others`` must hold only records the reader of the warning may see."""
    by_key: dict[str, list[Claim]] = defaultdict(list)
    for other in others:
        by_key[other.key].append(other)
    out: dict[Claim, str] = {}
    for claim in mine:
        for other in by_key.get(claim.key, ()):
            if other.where != claim.where and not same_title(other.title, claim.title):
                scheme, value = claim.key.split(":", 1)
                out[claim] = f"duplicate {scheme} {value}: also '{other.title}' in {other.where}"
                break
    return out


def check_duplicates(wave: Sequence[PreparedDocument], sink: DocumentSink, seen: list[Claim],
                     visible: Callable[[Sequence[str] | None], bool]) -> dict[str, list[str]]:
    """Duplicate-identifier warnings for the documents of an ingest wave, by document id, as the
    person running the ingest may see them: stored records whose groups ``visible`` refuses are
    never named. ``seen`` carries this run's earlier claims across waves. Nothing is stored."""
    mine: list[tuple[str, Claim]] = []  # (record location for the message, claim)
    for prepared in wave:
        for cr in prepared.records:
            r = cr.record
            if r is None:
                continue
            where = f"{prepared.doc.file_name} {r.location or ''}".strip()
            for ident in r.identifiers:
                if r.kind in OWNERS.get(ident.scheme, ()):
                    mine.append((r.location or r.title or "", Claim(ident.key, r.title or "", prepared.doc.doc_id, where)))
    if not mine:
        return {}
    in_batch = {p.doc.doc_id for p in wave}
    stored = [claim for payload in sink.records_with_ids(sorted({c.key for _, c in mine}))
              if payload.get("doc_id") not in in_batch and visible(payload.get("groups"))
              for claim in claims_of_payload(payload)]
    found = duplicates([c for _, c in mine], stored + seen + [c for _, c in mine])
    seen.extend(c for _, c in mine)
    out: dict[str, list[str]] = {}
    for location, claim in mine:
        if claim in found:
            out.setdefault(claim.doc_id, []).append(f"{location}: {found[claim]}" if location else found[claim])
    return out
