"""Cross-file validation at ingest: one identifier must not name two different titles.

Shares and identifier check digits are validated by the readers, record by record. What a
reader cannot see is the rest of the catalog: an ISRC that a split sheet gives to "Blue Hour"
and a DDEX message to "Paper Lanterns" is a data error someone must fix before royalties flow.
Each such record gets a warning, stored on its chunk and shown in the batch summary.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .records.model import document_warnings, render

if TYPE_CHECKING:
    from .model import DocumentSink
    from .pipeline import _Prepared

# Which record kinds an identifier names: a release also lists its tracks' ISRCs, a deal its
# release's UPC, so those are not title claims.
OWNERS = {"ISWC": {"work"}, "ISRC": {"recording", "work"}, "UPC": {"release"}}


def same_title(a: str | None, b: str | None) -> bool:
    """Titles match ignoring case, punctuation and bracketed versions ("(Radio Edit)")."""
    def norm(t: str | None) -> str:
        t = re.sub(r"[(\[].*?[)\]]", " ", (t or "").lower())
        return re.sub(r"[^a-z0-9]+", "", t)

    x, y = norm(a), norm(b)
    return not x or not y or x == y or x.startswith(y) or y.startswith(x)


def check_duplicates(wave: list["_Prepared"], sink: "DocumentSink", seen: dict[str, tuple[str, str]]) -> None:
    """Warn on records whose ISWC/ISRC/UPC another record (this run or the store) gives another title.

    ``seen`` carries key -> (title, where) across waves of one run.
    """
    claims = []  # (prepared, chunk record, key)
    for prepared in wave:
        for cr in prepared.records:
            r = cr.record
            if r is None:
                continue
            for ident in r.identifiers:
                if r.kind in OWNERS.get(ident.scheme, ()):
                    claims.append((prepared, cr, ident.key))
    if not claims:
        return
    in_batch = {p.doc.doc_id for p in wave}
    stored: dict[str, list[tuple[str, str]]] = {}
    for payload in sink.records_with_ids(sorted({k for _, _, k in claims})):
        if payload.get("doc_id") in in_batch:
            continue  # being replaced by this run
        kind = payload.get("record_kind")
        for key in payload.get("ids", []):
            if kind in OWNERS.get(key.split(":", 1)[0], ()):
                where = f"{payload.get('file_name')} {payload.get('location') or ''}".strip()
                stored.setdefault(key, []).append((payload.get("record_title") or "", where))
    touched = set()
    for prepared, cr, key in claims:
        r = cr.record
        where = f"{prepared.doc.file_name} {r.location or ''}".strip()
        others = stored.get(key, []) + ([seen[key]] if key in seen else [])
        for title, other_where in others:
            if other_where != where and not same_title(title, r.title):
                scheme, value = key.split(":", 1)
                warning = f"duplicate {scheme} {value}: also '{title}' in {other_where}"
                if warning not in r.warnings:
                    r.warnings.append(warning)
                    touched.add(id(cr))
                break
        seen.setdefault(key, (r.title or "", where))
    if not touched:
        return
    for prepared in wave:
        hit = [cr for cr in prepared.records if id(cr) in touched]
        for cr in hit:
            cr.chunk.text = cr.embed_text = render(cr.record, prepared.doc.file_name)
        if hit:
            records = [cr.record for cr in prepared.records if cr.record is not None]
            prepared.doc.warnings = document_warnings(prepared.file_warnings, records)
