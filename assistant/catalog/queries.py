"""Catalog questions answered from the records table, deterministically, each row cited.

Every query runs inside a :class:`Scope`: the record documents the viewer may see (the store
view's ledger: access groups applied), complete, and whose rows in the table belong to the
ledger's version of the file (same hash). A row of any other document is never read, named or
counted.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.identifiers import SCHEMES, find_identifiers, format_identifier, normalize
from ingest.records import catalogdb
from ingest.records.catalogdb import fold, norm_title

DEFAULT_LIMIT = 200
KIND_OF_SCHEME = {"ISWC": "work", "ISRC": "recording", "UPC": "release", "IPI": "work"}


@dataclass
class Row:
    """One record of the table, with what a listing shows and where it comes from."""

    id: int
    doc_id: str
    kind: str
    title: str | None
    file_name: str
    location: str | None
    line_start: int
    line_end: int
    start: int
    end: int
    identifiers: list[tuple[str, str, bool]] = field(default_factory=list)  # (scheme, value, valid)
    parties: list[dict[str, Any]] = field(default_factory=list)
    shares: dict[str, float] = field(default_factory=dict)
    fields: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    note: str = ""  # why it is listed ("shares total 90%", "ISWC missing")

    @property
    def cite(self) -> str:
        return f"{self.file_name} {self.location or f'line {self.line_start}'}"

    def ids(self, scheme: str) -> list[str]:
        return [v for s, v, _ in self.identifiers if s == scheme]

    def writers(self) -> list[dict[str, Any]]:
        return [p for p in self.parties if p["kind"] == "writer"]

    def summary(self) -> str:
        """One line: title, identifiers, writers or artists (document text: render it inert)."""
        bits = [self.title or "(untitled)"]
        ids = ", ".join(f"{s} {format_identifier(s, v)}" + ("" if ok else " (invalid)")
                        for s, v, ok in self.identifiers if s != "IPI")
        if ids:
            bits.append(ids)
        names = [p["name"] + (f" {_shares(p['shares'])}" if p.get("shares") else "") for p in self.parties if p["kind"] == "writer"]
        if names:
            bits.append("writers " + ", ".join(names))
        artists = self.fields.get("artists") or self.fields.get("display_artist")
        if artists:
            bits.append("artist " + (", ".join(artists) if isinstance(artists, list) else str(artists)))
        if self.note:
            bits.append(self.note)
        return " — ".join(bits)

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "title": self.title, "file": self.file_name, "location": self.location,
                "line_start": self.line_start, "line_end": self.line_end,
                "identifiers": [{"scheme": s, "value": v, "valid": ok} for s, v, ok in self.identifiers],
                "parties": self.parties, "shares": self.shares, "note": self.note}

    def payload(self) -> dict[str, Any]:
        """A search-hit payload for this row, so answers cite it like any record chunk."""
        return {"doc_id": self.doc_id, "file_name": self.file_name, "title": self.file_name, "record_kind": self.kind,
                "record_title": self.title, "location": self.location, "start": self.start, "end": self.end,
                "line_start": self.line_start, "line_end": self.line_end, "text": self.summary(),
                "chunk_index": -1, "ids": [f"{s}:{v}" for s, v, _ in self.identifiers]}


def _shares(shares: dict[str, float] | None) -> str:
    from ingest.records.model import format_shares

    return format_shares(shares or {})


class Scope:
    """The viewer's record documents: ids whose table rows may be read."""

    def __init__(self, path: Path, docs: dict[str, dict[str, Any]]):
        self.path = path
        self.docs = docs  # doc_id -> catalog docs row (file_name, sha ...)
        self.ids_json = json.dumps(sorted(docs))

    @classmethod
    def of(cls, service) -> Scope:
        path = Path(service.settings.data_dir) / catalogdb.FILE_NAME
        stored = catalogdb.documents(path)
        if not stored or not service.store.exists():
            return cls(path, {})
        ledger = service.store.documents()  # this view's: access groups applied
        docs = {d: row for d, row in stored.items()
                if (doc := ledger.get(d)) is not None and doc.state == "complete" and doc.file_sha256 == row["sha"]}
        return cls(path, docs)

    def __bool__(self) -> bool:
        return bool(self.docs)

    def connect(self) -> sqlite3.Connection:
        con = catalogdb.connect(self.path, create=True)
        con.row_factory = sqlite3.Row
        return con


IN_SCOPE = "doc_id IN (SELECT value FROM json_each(:docs))"


def _rows(scope: Scope, con: sqlite3.Connection, ids: Sequence[int], note: dict[int, str] | None = None) -> list[Row]:
    """Full rows for record ids (in the order given), in scope only."""
    if not ids:
        return []
    want = json.dumps(list(ids))
    found: dict[int, Row] = {}
    for r in con.execute(f"SELECT * FROM records WHERE id IN (SELECT value FROM json_each(:ids)) AND {IN_SCOPE}",
                         {"ids": want, "docs": scope.ids_json}):
        data = json.loads(r["data"] or "{}")
        found[r["id"]] = Row(r["id"], r["doc_id"], r["kind"], r["title"], scope.docs[r["doc_id"]]["file_name"], r["location"],
                             r["line_start"], r["line_end"], r["start_offset"], r["end_offset"],
                             shares=json.loads(r["shares"]) if r["shares"] else {}, fields=data.get("fields") or {},
                             warnings=data.get("warnings") or [], note=(note or {}).get(r["id"], ""))
    for r in con.execute("SELECT * FROM idents WHERE record_id IN (SELECT value FROM json_each(:ids))", {"ids": want}):
        if r["record_id"] in found:
            found[r["record_id"]].identifiers.append((r["scheme"], r["value"], bool(r["valid"])))
    for r in con.execute("SELECT * FROM parties WHERE record_id IN (SELECT value FROM json_each(:ids))", {"ids": want}):
        if r["record_id"] in found:
            found[r["record_id"]].parties.append({
                "kind": r["kind"], "name": r["name"], "role": r["role"], "ipi": r["ipi"],
                "ipi_valid": None if r["ipi_valid"] is None else bool(r["ipi_valid"]), "society": r["society"],
                "shares": json.loads(r["shares"]) if r["shares"] else {}, "publisher": r["publisher"]})
    return [found[i] for i in ids if i in found]


def _fts_query(text: str, column: str) -> str | None:
    tokens = fold(text).split()
    if not tokens:
        return None
    return f"{column} : (" + " AND ".join(f'"{t}"' for t in tokens) + ")"


def _name_matches(query: str, name: str | None) -> bool:
    want = fold(query).split()
    have = fold(name).split()
    return bool(want) and all(w in have for w in want)


@dataclass
class Result:
    """A catalog answer: what was asked, the rows (cited), and a count when more exist."""

    title: str
    rows: list[Row]
    total: int
    empty: str = "none"

    def as_dict(self) -> dict[str, Any]:
        return {"question": self.title, "total": self.total, "rows": [r.as_dict() for r in self.rows]}


class Catalog:
    """The records table as one viewer sees it (``Catalog(service)``; ``service`` a store view)."""

    def __init__(self, service=None, *, scope: Scope | None = None):
        self.scope = scope if scope is not None else Scope.of(service)

    def _con(self):
        return closing(self.scope.connect())

    # -- finding works and recordings ---------------------------------------------------------
    def _by_names(self, con, name: str, party_kinds: Iterable[str], record_kind: str | None) -> list[int]:
        kinds = [k for k in party_kinds if k != "artist"]
        key = catalogdb.norm_name(name)
        if key and kinds:  # a whole name: the parties index ("Mara Quinn", "QUINN MARA")
            ids = [r[0] for r in con.execute(
                f"SELECT DISTINCT r.id, r.ntitle FROM parties p JOIN records r ON r.id = p.record_id WHERE p.nname = :n "
                f"AND p.kind IN (SELECT value FROM json_each(:kinds)) AND r.{IN_SCOPE}"
                + (" AND r.kind = :kind" if record_kind else "") + " ORDER BY r.ntitle, r.id",
                {"n": key, "kinds": json.dumps(kinds), "docs": self.scope.ids_json, "kind": record_kind})]
            if ids:
                return ids
        q = _fts_query(name, "names")  # part of a name ("Quinn"), or an artist
        if q is None:
            return []
        kinds = set(party_kinds)
        ids = [r[0] for r in con.execute(
            f"SELECT f.rowid FROM records_fts f JOIN records r ON r.id = f.rowid WHERE records_fts MATCH :q AND r.{IN_SCOPE}"
            + (" AND r.kind = :kind" if record_kind else "") + " ORDER BY r.ntitle, r.id",
            {"q": q, "docs": self.scope.ids_json, "kind": record_kind})]
        if not ids:
            return []
        keep = []
        parties: dict[int, list] = {}
        for r in con.execute("SELECT record_id, kind, name, publisher FROM parties WHERE record_id IN (SELECT value FROM json_each(:ids))",
                             {"ids": json.dumps(ids)}):
            parties.setdefault(r[0], []).append(r)
        for i in ids:
            for kind, pname, publisher in ((p[1], p[2], p[3]) for p in parties.get(i, [])):
                if (kind in kinds and _name_matches(name, pname)) or ("publisher" in kinds and publisher and any(
                        _name_matches(name, x) for x in publisher.split("; "))):
                    keep.append(i)
                    break
            else:
                if "artist" in kinds:
                    keep.append(i)  # the FTS names of a record hold its artists
        return keep

    def works_by(self, name: str, role: str | None = None, limit: int = DEFAULT_LIMIT) -> Result:
        """Works with a writer (or publisher, or either) whose name holds every word of ``name``."""
        kinds = {"writer": ["writer"], "publisher": ["publisher"]}.get(role or "", ["writer", "publisher"])
        with self._con() as con:
            ids = self._by_names(con, name, kinds, "work")
            rows = _rows(self.scope, con, ids[:limit])
        who = f"{role} " if role else ""
        return Result(f"Works by {who}{name}", rows, len(ids), f"no works by {who}{name}")

    def find_works(self, ref: str, con=None) -> list[int]:
        """Work ids named by an ISWC in ``ref``, else by title."""
        return self._find(ref, "work", "ISWC", con)

    def _find(self, ref: str, kind: str, scheme: str, con=None) -> list[int]:
        if con is None:
            with self._con() as c:
                return self._find(ref, kind, scheme, c)
        idents = []
        if scheme in SCHEMES:
            idents = [i for i in find_identifiers(ref) if i.scheme == scheme] or [
                i for i in [normalize(scheme, ref)] if i is not None]
        if idents:
            return [r[0] for r in con.execute(
                f"SELECT r.id FROM idents i JOIN records r ON r.id = i.record_id WHERE i.scheme = :s AND i.value = :v"
                f" AND r.kind = :k AND r.{IN_SCOPE} ORDER BY r.id",
                {"s": scheme, "v": idents[0].value, "k": kind, "docs": self.scope.ids_json})]
        nt = norm_title(ref)
        if not nt:
            return []
        return [r[0] for r in con.execute(f"SELECT id FROM records WHERE ntitle = :t AND kind = :k AND {IN_SCOPE} ORDER BY id",
                                          {"t": nt, "k": kind, "docs": self.scope.ids_json})]

    def recordings_of(self, ref: str, limit: int = DEFAULT_LIMIT) -> Result:
        """Recordings of a work (by ISWC or title): recording records carrying the work's ISWC
        or one of the ISRCs the work lists, or with the work's title."""
        with self._con() as con:
            works = _rows(self.scope, con, self.find_works(ref, con))
            if not works:
                return Result(f"Recordings of {ref}", [], 0, f"no work '{ref}' in the catalog")
            notes: dict[int, str] = {}
            for w in works:
                for iswc in w.ids("ISWC"):
                    for rid in self._with_ident(con, "ISWC", iswc, "recording"):
                        notes.setdefault(rid, f"ISWC {format_identifier('ISWC', iswc)} of the work")
                for isrc in w.ids("ISRC"):
                    for rid in self._with_ident(con, "ISRC", isrc, "recording"):
                        notes.setdefault(rid, f"ISRC listed on the work ({w.cite})")
                for rid in self._find(w.title or "", "recording", "-", con):
                    notes.setdefault(rid, "same title")
            rows = _rows(self.scope, con, list(notes)[:limit], notes)
            # recordings the work record itself lists (CWR REC, wide split sheets) without a record of their own
            listed = {i for r in rows for i in r.ids("ISRC")}
            for w in works:
                missing = [i for i in w.ids("ISRC") if i not in listed]
                if missing:
                    w.note = "lists recording(s) " + ", ".join(format_identifier("ISRC", i) for i in missing)
                    rows.append(w)
        return Result(f"Recordings of {ref}", rows, len(rows), f"no recordings of '{ref}' found")

    def _with_ident(self, con, scheme: str, value: str, kind: str | None = None) -> list[int]:
        return [r[0] for r in con.execute(
            "SELECT r.id FROM idents i JOIN records r ON r.id = i.record_id WHERE i.value = :v AND i.scheme = :s"
            + (" AND r.kind = :k" if kind else "") + f" AND r.{IN_SCOPE} ORDER BY r.id",
            {"v": value, "s": scheme, "k": kind, "docs": self.scope.ids_json})]

    def releases_with(self, ref: str, limit: int = DEFAULT_LIMIT) -> Result:
        """Releases containing a recording (by ISRC or title): release records listing its ISRC,
        and catalog rows that put the recording on a release (UPC or release column)."""
        with self._con() as con:
            recs = _rows(self.scope, con, self._find(ref, "recording", "ISRC", con))
            isrcs = {i for r in recs for i in r.ids("ISRC")}
            for i in find_identifiers(ref):
                if i.scheme == "ISRC":
                    isrcs.add(i.value)
            notes: dict[int, str] = {}
            for isrc in sorted(isrcs):
                for rid in self._with_ident(con, "ISRC", isrc, "release"):
                    notes.setdefault(rid, f"lists ISRC {format_identifier('ISRC', isrc)}")
            rows = _rows(self.scope, con, list(notes)[:limit], notes)
            for r in recs:  # a catalog export row: the recording on a release
                release = r.fields.get("release") or r.fields.get("release_title")
                if r.ids("UPC") or release:
                    r.note = "on release " + " ".join(x for x in (
                        "; ".join(release) if isinstance(release, list) else str(release or ""),
                        ", ".join(f"UPC {u}" for u in r.ids("UPC"))) if x)
                    rows.append(r)
        return Result(f"Releases containing {ref}", rows, len(rows), f"no release containing '{ref}' found")

    # -- counts and checks ------------------------------------------------------------------------
    def count(self, kind: str | None = None, name: str | None = None, role: str | None = None) -> dict[str, int]:
        """Records by kind (works, recordings, releases ...), optionally of one party."""
        with self._con() as con:
            if name:
                kinds = {"writer": ["writer"], "publisher": ["publisher"], "artist": ["artist"]}.get(
                    role or "", ["writer", "publisher"])
                out: dict[str, int] = {}
                for k in ([kind] if kind else ["work", "recording", "release"]):
                    n = len(self._by_names(con, name, kinds, k))
                    if n or kind:
                        out[k] = n
                return out
            sql = f"SELECT kind, COUNT(*) FROM records WHERE {IN_SCOPE}" + (" AND kind = :k" if kind else "") + " GROUP BY kind"
            out = {k: n for k, n in con.execute(sql, {"docs": self.scope.ids_json, "k": kind})}
            if kind and kind not in out:
                out[kind] = 0
            return out

    def share_problems(self, limit: int = DEFAULT_LIMIT) -> Result:
        """Works whose shares do not total 100% for a right type."""
        with self._con() as con:
            ids = [r[0] for r in con.execute(
                f"SELECT id FROM records WHERE kind = 'work' AND shares_ok = 0 AND {IN_SCOPE} ORDER BY ntitle, id",
                {"docs": self.scope.ids_json})]
            rows = _rows(self.scope, con, ids[:limit])
        for r in rows:
            r.note = "shares total " + ", ".join(
                (f"{v:.2f}%" if k == "share" else f"{k} {v:.2f}%") for k, v in sorted(r.shares.items()))
        return Result("Works whose shares do not total 100%", rows, len(ids), "every work's shares total 100%")

    def identifier_problems(self, scheme: str, problem: str = "missing", kind: str | None = None,
                            release: str | None = None, limit: int = DEFAULT_LIMIT) -> Result:
        """Records missing an identifier (``problem="missing"``) or carrying an invalid one
        (``"invalid"``: wrong shape or check digits, IPI's included). ``release`` limits it to
        the recordings of one release."""
        scheme = scheme.upper()
        if scheme not in SCHEMES:
            raise ValueError(f"unknown identifier scheme {scheme!r}: one of {', '.join(SCHEMES)}")
        kind = kind or KIND_OF_SCHEME[scheme]
        params: dict[str, Any] = {"docs": self.scope.ids_json, "k": kind, "s": scheme}
        with self._con() as con:
            restrict = ""
            if release:
                members = self._release_members(con, release)
                params["members"] = json.dumps(members)
                restrict = " AND r.id IN (SELECT value FROM json_each(:members))"
            if problem == "missing" and scheme == "IPI":
                sql = (f"SELECT DISTINCT r.id FROM records r JOIN parties p ON p.record_id = r.id WHERE r.kind = :k AND "
                       f"p.ipi IS NULL AND p.kind = 'writer' AND r.{IN_SCOPE}{restrict} ORDER BY r.ntitle, r.id")
            elif problem == "missing":
                sql = (f"SELECT r.id FROM records r WHERE r.kind = :k AND r.{IN_SCOPE}{restrict} AND NOT EXISTS "
                       "(SELECT 1 FROM idents i WHERE i.record_id = r.id AND i.scheme = :s) ORDER BY r.ntitle, r.id")
            else:
                params["w"] = f"%invalid {'IPI' if scheme == 'IPI' else scheme}%"
                sql = (f"SELECT r.id FROM records r WHERE r.{IN_SCOPE}{restrict} AND (EXISTS (SELECT 1 FROM idents i WHERE "
                       "i.record_id = r.id AND i.scheme = :s AND i.valid = 0) OR r.data LIKE :w) ORDER BY r.ntitle, r.id")
            ids = [r[0] for r in con.execute(sql, params)]
            rows = _rows(self.scope, con, ids[:limit])
        for r in rows:
            if problem == "missing":
                r.note = f"no {scheme}" if scheme != "IPI" else "writer(s) without IPI: " + ", ".join(
                    p["name"] for p in r.writers() if not p["ipi"])
            else:
                bad = [format_identifier(s, v) for s, v, ok in r.identifiers if s == scheme and not ok]
                bad += [w for w in r.warnings if f"invalid {scheme}" in w or (scheme == "IPI" and "invalid IPI" in w)]
                r.note = f"invalid {scheme}: " + "; ".join(dict.fromkeys(bad))
        label = {"work": "Works", "recording": "Recordings", "release": "Releases"}.get(kind, "Records")
        where = f" on release {release}" if release else ""
        what = f"{'missing' if problem == 'missing' else 'with an invalid'} {scheme}"
        return Result(f"{label}{where} {what}", rows, len(ids), f"no {label.lower()}{where} {what}")

    def _release_members(self, con, release: str) -> list[int]:
        """Recording ids on a release (by UPC or title): ISRCs the release lists, and catalog rows
        naming the release or carrying its UPC."""
        rel = self._find(release, "release", "UPC", con)
        members: dict[int, None] = {}
        for r in _rows(self.scope, con, rel):
            for isrc in r.ids("ISRC"):
                members.update(dict.fromkeys(self._with_ident(con, "ISRC", isrc, "recording")))
            for upc in r.ids("UPC"):
                members.update(dict.fromkeys(self._with_ident(con, "UPC", upc, "recording")))
        for upc in (i.value for i in find_identifiers(release) if i.scheme == "UPC"):
            members.update(dict.fromkeys(self._with_ident(con, "UPC", upc, "recording")))
        want = fold(release)
        if want:
            for rid, data in con.execute(f"SELECT id, data FROM records WHERE kind = 'recording' AND {IN_SCOPE} AND data LIKE :w",
                                         {"docs": self.scope.ids_json, "w": "%" + release.strip()[:60].replace("%", "") + "%"}):
                fields = json.loads(data or "{}").get("fields") or {}
                names = fields.get("release") or fields.get("release_title") or []
                for n in names if isinstance(names, list) else [names]:
                    if fold(n) == want:
                        members[rid] = None
        return list(members)

    # -- lookups (identifier, title) ------------------------------------------------------------------
    def lookup(self, identifier: str, limit: int = DEFAULT_LIMIT) -> Result:
        """Records carrying an identifier (any scheme, any formatting)."""
        found = find_identifiers(identifier)
        if not found:
            for scheme in SCHEMES:
                ident = normalize(scheme, identifier)
                if ident is not None:
                    found = [ident]
                    break
        with self._con() as con:
            ids: list[int] = []
            for ident in found:
                ids += [i for i in self._with_ident(con, ident.scheme, ident.value) if i not in ids]
            rows = _rows(self.scope, con, ids[:limit])
        return Result(f"Records with {identifier}", rows, len(ids), f"no record carries {identifier}")

    def search(self, text: str, limit: int = 20) -> Result:
        """Records whose title (then names) hold every word of ``text``, exact titles first."""
        with self._con() as con:
            ids: list[int] = []
            for column in ("title", "names"):
                q = _fts_query(text, column)
                if q is None:
                    break
                for r in con.execute(
                        f"SELECT f.rowid FROM records_fts f JOIN records r ON r.id = f.rowid WHERE records_fts MATCH :q "
                        f"AND r.{IN_SCOPE} ORDER BY (r.ntitle = :t) DESC, f.rank LIMIT :n",
                        {"q": q, "docs": self.scope.ids_json, "t": norm_title(text), "n": limit}):
                    if r[0] not in ids:
                        ids.append(r[0])
                if len(ids) >= limit:
                    break
            rows = _rows(self.scope, con, ids[:limit])
        return Result(f"Records matching {text}", rows, len(rows), f"no record matches {text}")

    def related(self, rows: Sequence[Row]) -> list[Row]:
        """Rows that may describe the same works or recordings as ``rows``: same ISWC, ISRC or title."""
        with self._con() as con:
            ids: dict[int, None] = {}
            for r in rows:
                ids[r.id] = None
                for scheme in ("ISWC", "ISRC"):
                    for value in r.ids(scheme):
                        ids.update(dict.fromkeys(self._with_ident(con, scheme, value, r.kind)))
                if r.title:
                    ids.update(dict.fromkeys(self._find(r.title, r.kind, "-", con)))
            return _rows(self.scope, con, list(ids))

    def rows_at(self, places: Sequence[tuple[str, int]]) -> list[Row]:
        """Rows by (doc_id, first line): the records behind search hits."""
        with self._con() as con:
            ids = []
            for doc_id, line in places:
                if doc_id in self.scope.docs:
                    ids += [r[0] for r in con.execute("SELECT id FROM records WHERE doc_id = ? AND line_start = ?", (doc_id, line))]
            return _rows(self.scope, con, ids)

    def all_rows(self, kinds: Sequence[str] = ("work", "recording")) -> Iterable[Row]:
        """Every row of these kinds in scope, in batches (conflict detection)."""
        with self._con() as con:
            ids = [r[0] for r in con.execute(
                f"SELECT id FROM records WHERE kind IN (SELECT value FROM json_each(:kinds)) AND {IN_SCOPE} ORDER BY id",
                {"kinds": json.dumps(list(kinds)), "docs": self.scope.ids_json})]
            for i in range(0, len(ids), 2000):
                yield from _rows(self.scope, con, ids[i:i + 2000])

