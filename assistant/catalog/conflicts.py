"""Conflicts between sources: one work or recording described differently by two files.

The same work is found by ISWC, else by normalised title plus writers; the same recording by
ISRC. Two descriptions from different documents (a split sheet, a CWR registration, a DDEX
message, a catalog export) conflict when they name different writers, give a writer different
shares (compared as each writer's part of the writers' total, so a split sheet's 50/50 and a
CWR registration's 25/25 with the publisher holding the rest agree), different IPI numbers or
societies for the same writer, different titles, or different identifiers (two ISWCs for one
title and writers; two ISWCs for one ISRC).

Conflicts are computed inside the viewer's :class:`~assistant.catalog.queries.Scope`: a file
the viewer may not see takes no part, so no conflict line can reveal it.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.catalog.queries import Catalog, Row
from assistant.ops.spreadsheets import cell_text
from ingest.identifiers import format_identifier
from ingest.records.catalogdb import fold, norm_name, norm_title
from ingest.validation import same_title

KINDS = ("writers", "shares", "ipi", "society", "title", "identifiers")
SHARE_POINTS = 0.5  # percentage points of a writer's part before two splits disagree


@dataclass
class Conflict:
    kind: str  # writers | shares | ipi | society | title | identifiers
    entity: str  # work | recording
    key: str  # "ISWC:T...", "ISRC:...", "title:...|writers"
    title: str
    detail: str
    a: Row
    b: Row

    @property
    def sources(self) -> str:
        return f"{self.a.cite} ↔ {self.b.cite}"

    def line(self) -> str:
        return f"{self.entity} '{self.title}': {self.kind} differ — {self.detail} ({self.sources})"

    def as_dict(self) -> dict[str, Any]:
        side = lambda r: {"file": r.file_name, "location": r.location, "line_start": r.line_start,  # noqa: E731
                          "line_end": r.line_end, "title": r.title}
        return {"kind": self.kind, "entity": self.entity, "key": self.key, "title": self.title,
                "detail": self.detail, "a": side(self.a), "b": side(self.b)}


def _writers(r: Row) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for p in r.writers():
        if p.get("name") and p["name"] not in ("(no name)",):
            out.setdefault(norm_name(p["name"]), p)
    return out


def _share(p: dict[str, Any]) -> float | None:
    shares = p.get("shares") or {}
    for right in ("share", "PR", "MR"):
        if right in shares:
            return float(shares[right])
    return None


def _parts(writers: dict[str, dict[str, Any]]) -> dict[str, float] | None:
    values = {k: _share(p) for k, p in writers.items()}
    if any(v is None for v in values.values()):
        return None
    total = sum(values.values())  # type: ignore[arg-type]
    if total <= 0:
        return None
    return {k: 100.0 * v / total for k, v in values.items()}  # type: ignore[operator]


def _fmt(parts: dict[str, float], names: dict[str, str]) -> str:
    return "/".join(f"{parts[k]:.4g}" for k in sorted(parts)) + " (" + ", ".join(names[k] for k in sorted(parts)) + ")"


def _society(value: str | None) -> str:
    return fold(value).replace(" ", "")


def compare_works(a: Row, b: Row) -> list[tuple[str, str]]:
    """(kind, detail) for each way two descriptions of one work differ."""
    out: list[tuple[str, str]] = []
    if a.title and b.title and not same_title(a.title, b.title):
        out.append(("title", f"'{a.title}' vs '{b.title}'"))
    wa, wb = _writers(a), _writers(b)
    if wa and wb and set(wa) != set(wb):
        only_a = [wa[k]["name"] for k in sorted(set(wa) - set(wb))]
        only_b = [wb[k]["name"] for k in sorted(set(wb) - set(wa))]
        bits = ([f"only {a.file_name}: {', '.join(only_a)}"] if only_a else []) + (
            [f"only {b.file_name}: {', '.join(only_b)}"] if only_b else [])
        out.append(("writers", "; ".join(bits)))
    elif wa and wb:
        pa, pb = _parts(wa), _parts(wb)
        if pa and pb and any(abs(pa[k] - pb[k]) > SHARE_POINTS for k in pa):
            names = {k: wa[k]["name"] for k in wa}
            out.append(("shares", f"{_fmt(pa, names)} vs {_fmt(pb, names)}"))
    common = sorted(set(wa) & set(wb))
    ipis = [f"{wa[k]['name']}: {wa[k]['ipi']} vs {wb[k]['ipi']}" for k in common
            if wa[k].get("ipi") and wb[k].get("ipi") and wa[k]["ipi"] != wb[k]["ipi"]]
    if ipis:
        out.append(("ipi", "; ".join(ipis)))
    socs = [f"{wa[k]['name']}: {wa[k]['society']} vs {wb[k]['society']}" for k in common
            if wa[k].get("society") and wb[k].get("society") and _society(wa[k]["society"]) != _society(wb[k]["society"])]
    if socs:
        out.append(("society", "; ".join(socs)))
    ia, ib = set(a.ids("ISWC")), set(b.ids("ISWC"))
    if ia and ib and not ia & ib:
        out.append(("identifiers", "ISWC " + ", ".join(format_identifier("ISWC", i) for i in sorted(ia)) + " vs "
                    + ", ".join(format_identifier("ISWC", i) for i in sorted(ib))))
    return out


def compare_recordings(a: Row, b: Row) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if a.title and b.title and not same_title(a.title, b.title):
        out.append(("title", f"'{a.title}' vs '{b.title}'"))
    ia, ib = set(a.ids("ISWC")), set(b.ids("ISWC"))
    if ia and ib and not ia & ib:
        out.append(("identifiers", "ISWC " + ", ".join(sorted(ia)) + " vs " + ", ".join(sorted(ib))))
    return out


def _per_doc(rows: list[Row]) -> list[Row]:
    """One description per document (its first), in document order."""
    seen: dict[str, Row] = {}
    for r in sorted(rows, key=lambda r: (r.file_name, r.doc_id, r.line_start)):
        seen.setdefault(r.doc_id, r)
    return list(seen.values())


def find_conflicts(rows: Iterable[Row]) -> list[Conflict]:
    works: dict[str, list[Row]] = defaultdict(list)
    by_title: dict[str, list[Row]] = defaultdict(list)
    recordings: dict[str, list[Row]] = defaultdict(list)
    loose: list[Row] = []
    for r in rows:
        if r.kind == "work":
            tkey = f"title:{norm_title(r.title)}|{'|'.join(sorted(_writers(r)))}"
            if norm_title(r.title) and _writers(r):
                by_title[tkey].append(r)
            iswcs = r.ids("ISWC")
            if iswcs:
                works[f"ISWC:{iswcs[0]}"].append(r)
            else:
                loose.append(r)
        elif r.kind == "recording":
            for isrc in r.ids("ISRC")[:1]:
                recordings[f"ISRC:{isrc}"].append(r)
    # a work without ISWC joins the ISWC group of a work with its title and writers
    title_to_iswc: dict[str, str] = {}
    for key, group in works.items():
        for r in group:
            title_to_iswc.setdefault(f"title:{norm_title(r.title)}|{'|'.join(sorted(_writers(r)))}", key)
    for r in loose:
        tkey = f"title:{norm_title(r.title)}|{'|'.join(sorted(_writers(r)))}"
        works[title_to_iswc.get(tkey, tkey)].append(r)

    out: list[Conflict] = []
    seen: set[tuple[str, str, str, str]] = set()

    def add(kind: str, entity: str, key: str, a: Row, b: Row, detail: str) -> None:
        mark = (kind, key, *sorted((a.doc_id, b.doc_id)))
        if mark in seen:
            return
        seen.add(mark)
        title = next((t for t in (a.title, b.title) if t and not t.isupper()), a.title or b.title or "(untitled)")
        out.append(Conflict(kind, entity, key, title, detail, a, b))

    for key, group in works.items():
        reps = _per_doc(group)
        for i, a in enumerate(reps):
            for b in reps[i + 1:]:
                for kind, detail in compare_works(a, b):
                    if kind == "identifiers" and key.startswith("ISWC:"):
                        continue  # same ISWC by construction
                    add(kind, "work", key, a, b, detail)
    for key, group in by_title.items():  # one title and writers, two ISWCs
        reps = _per_doc(group)
        for i, a in enumerate(reps):
            for b in reps[i + 1:]:
                ia, ib = set(a.ids("ISWC")), set(b.ids("ISWC"))
                if ia and ib and not ia & ib:
                    add("identifiers", "work", key, a, b, "ISWC " + ", ".join(format_identifier("ISWC", x) for x in sorted(ia))
                        + " vs " + ", ".join(format_identifier("ISWC", x) for x in sorted(ib)))
    for key, group in recordings.items():
        reps = _per_doc(group)
        for i, a in enumerate(reps):
            for b in reps[i + 1:]:
                for kind, detail in compare_recordings(a, b):
                    add(kind, "recording", key, a, b, detail)
    out.sort(key=lambda c: (c.entity, fold(c.title), c.kind))
    return out


def conflicts(catalog: Catalog) -> list[Conflict]:
    """Every conflict among the records the catalog's viewer may see."""
    return find_conflicts(catalog.all_rows())


def conflicts_touching(catalog: Catalog, rows: Iterable[Row]) -> list[Conflict]:
    """Conflicts of the works and recordings among ``rows`` (for a line in an answer): only the
    records that could describe the same entities are read (same ISWC, ISRC or title)."""
    rows = [r for r in rows if r.kind in ("work", "recording")]
    if not rows:
        return []
    related = catalog.related(rows)
    keys = {_entity(r) for r in rows}
    return [c for c in find_conflicts(related) if c.key in keys or _entity(c.a) in keys or _entity(c.b) in keys]


def _entity(r: Row) -> str:
    if r.kind == "recording":
        return f"ISRC:{r.ids('ISRC')[0]}" if r.ids("ISRC") else f"row:{r.id}"
    iswcs = r.ids("ISWC")
    return f"ISWC:{iswcs[0]}" if iswcs else f"title:{norm_title(r.title)}|{'|'.join(sorted(_writers(r)))}"


COLUMNS = ("kind", "entity", "title", "key", "detail", "file_a", "location_a", "file_b", "location_b")


def export_csv(found: list[Conflict], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        for c in found:
            w.writerow([cell_text(x) for x in (c.kind, c.entity, c.title, c.key, c.detail, c.a.file_name, c.a.location,
                                           c.b.file_name, c.b.location)])
