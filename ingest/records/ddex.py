"""DDEX ERN reader: sound recordings, releases and deals of an ERN 3.8.x or 4.x message.

ERN (Electronic Release Notification) is how labels and distributors deliver catalogue to
shops. The two live generations differ in structure: 3.8 keeps most facts in per-territory
``...DetailsByTerritory`` blocks and names parties inline, 4.x puts them on the resource or
release itself and points at a ``PartyList`` by reference. Both are read here by local element
name (namespaces stripped), looking in the element and then in its details blocks, so one set of
rules covers 3.8, 3.8.1, 3.8.2, 4.1, 4.1.1, 4.2 and 4.3.

XML from outside is hostile until proven otherwise: defusedxml refuses any DTD, entity
declaration or external reference *before* lxml (which we need for line numbers) sees the
bytes, and lxml itself runs with entity resolution, network and DTD loading off.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable
from pathlib import Path
from xml.etree.ElementTree import ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from lxml import etree

from ingest.decoding import decode_text
from ingest.errors import IngestError
from ingest.identifiers import format_identifier
from ingest.records.model import Record, RecordSet, line_offsets, span_of_lines

ROOTS = ("NewReleaseMessage", "PurgeReleaseMessage")
ERN_NS = re.compile(r"ddex\.net/xml/ern/(\d{2,4})\b")
_HEAD_ROOT = re.compile(r"<(?:[\w.-]+:)?(?:NewReleaseMessage|PurgeReleaseMessage)[\s>/]")
_DECLARED = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_DURATION = re.compile(r"P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?")
DTD_REFUSED = (
    "XML with a DTD or entity declarations refused "
    "(external entities and entity-expansion bombs are not parsed)"
)
MAX_TITLES = 3  # a deal on 21 track releases is titled by the first three


def looks_like_ddex(head: bytes) -> bool:
    """True when the first bytes hold an ERN message root in a ddex.net/xml/ern namespace."""
    head = head[:4096]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", errors="ignore")
    else:
        text = head.decode("utf-8", errors="ignore")
    return bool(_HEAD_ROOT.search(text) and ERN_NS.search(text))


def read_ddex(path: Path) -> RecordSet:
    return parse_ddex(Path(path).read_bytes(), Path(path).name)


def parse_ddex(data: bytes, name: str = "file") -> RecordSet:
    """Parse an ERN message into one record per recording, release and (merged) deal."""
    text = _decode(data, name)
    root = _parse(text)
    root_name = etree.QName(root).localname
    namespace = etree.QName(root).namespace or ""
    if root_name not in ROOTS or "ddex.net/xml/ern" not in namespace:
        raise IngestError(f"not a DDEX ERN message (root element <{root_name}>, namespace '{namespace}')")
    version = _version(namespace, root.get("MessageSchemaVersionId"))
    _strip_namespaces(root)
    try:
        return _Message(root, text, version, root_name).recordset()
    except Exception as exc:  # noqa: BLE001 - a well-formed but odd message must not crash a batch
        raise IngestError(f"unreadable ERN {version} message: {type(exc).__name__}: {exc}") from None


# --- parsing -----------------------------------------------------------------------------------


def _decode(data: bytes, name: str) -> str:
    """The file's text with newlines as \\n; honours a declared legacy encoding (ISO-8859-1...)."""
    declared = _DECLARED.match(data)
    enc = declared.group(1).decode("ascii").lower() if declared else "utf-8"
    if not enc.startswith(("utf-8", "utf8", "utf-16", "utf16")):
        try:
            codecs.lookup(enc)
            text = data.decode(enc)
        except (LookupError, UnicodeDecodeError):
            raise IngestError(f"XML declares encoding '{enc}' but is not readable in it") from None
        return text.replace("\r\n", "\n").replace("\r", "\n")
    return decode_text(data, name)


def _parse(text: str) -> etree._Element:
    """defusedxml first (refuses DTDs and entities), then lxml on the same bytes for sourceline.

    Both parse the decoded, newline-normalised text re-encoded as UTF-8, so every line number
    they report is a line of ``RecordSet.text`` (libxml2 does not count a lone CR as a newline).
    """
    body = re.sub(r"^(\s*<\?xml[^>]*?)\s+encoding\s*=\s*([\"'])[^\"']*\2", r"\1", text, count=1)
    raw = body.encode("utf-8")
    try:
        SafeET.fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden):
        raise IngestError(DTD_REFUSED) from None
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else "?"
        reason = re.sub(r":? line \d+, column \d+$", "", str(exc))
        raise IngestError(f"malformed XML at line {line}: {reason}") from None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        return etree.fromstring(raw, parser)
    except etree.XMLSyntaxError as exc:
        raise IngestError(f"malformed XML at line {exc.lineno}: {exc.msg}") from None


def _version(namespace: str, schema_id: str | None) -> str:
    """"3.8.2" from http://ddex.net/xml/ern/382 (or MessageSchemaVersionId "ern/382")."""
    m = ERN_NS.search(namespace) or re.search(r"(\d{2,4})", (schema_id or "").replace(".", ""))
    if not m:
        raise IngestError("unsupported ERN version (no version number in the namespace)")
    version = ".".join(m.group(1))
    if not (version.startswith("3.8") or version.startswith("4.")):
        raise IngestError(f"unsupported ERN version {version} (ERN 3.8.x and 4.x are read)")
    return version


def _strip_namespaces(root: etree._Element) -> None:
    """Local names only: ERN elements are matched by name whatever prefix or default namespace."""
    for el in root.iter():
        if isinstance(el.tag, str) and "}" in el.tag:
            el.tag = el.tag.split("}", 1)[1]


# --- element helpers ---------------------------------------------------------------------------


def _val(el: etree._Element | None) -> str | None:
    """Stripped text; a DDEX ``UserDefined`` value is replaced by its UserDefinedValue."""
    if el is None or el.text is None or not el.text.strip():
        return None
    text = " ".join(el.text.split())
    return (el.get("UserDefinedValue") or text) if text == "UserDefined" else text


def _pick(elements: Iterable[etree._Element]) -> etree._Element | None:
    """Of several language/territory variants: the IsDefault one, else Worldwide, else the first."""
    elements = list(elements)
    for el in elements:
        if el.get("IsDefault") == "true":
            return el
    for el in elements:
        territory = el.get("ApplicableTerritoryCode") or el.findtext("TerritoryCode")
        if territory == "Worldwide":
            return el
    return elements[0] if elements else None


def _unique(values: Iterable[str | None]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def _title(el: etree._Element | None) -> str | None:
    """TitleText with its SubTitle ("La Première Fois (Video 2D)")."""
    if el is None:
        return None
    text, sub = _val(el.find("TitleText")), _val(el.find("SubTitle"))
    return f"{text} ({sub})" if text and sub and sub not in text else text


def _notice(el: etree._Element | None, mark: str) -> str | None:
    """P-line/C-line: its text, else "(P) year company"."""
    if el is None:
        return None
    text = _val(el.find(f"{mark}LineText"))
    if text:
        return text
    bits = [_val(el.find("Year")), _val(el.find(f"{mark}LineCompany"))]
    return " ".join([f"({mark})"] + [b for b in bits if b]) if any(bits) else None


def duration_text(iso: str | None) -> str | None:
    """ISO 8601 duration to a clock: PT3M25S -> "3:25", PT1H2M3S -> "1:02:03"."""
    if not iso:
        return None
    m = _DURATION.fullmatch(iso.strip())
    if not m or not any(m.groups()):
        return iso
    days, hours, minutes, seconds = m.groups()
    total = round(
        int(days or 0) * 86400 + int(hours or 0) * 3600 + int(minutes or 0) * 60 + float(seconds or 0)
    )
    h, rest = divmod(total, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{rest // 60}:{rest % 60:02d}"


# --- the message -------------------------------------------------------------------------------


class _Message:
    """One parsed message: indexes (parties, resources, releases) and the records built from them."""

    def __init__(self, root: etree._Element, text: str, version: str, root_name: str):
        self.root, self.text, self.version, self.root_name = root, text, version, root_name
        self.lines = text.split("\n")
        self.offsets = line_offsets(text)
        self.parties = {
            _val(p.find("PartyReference")): _val(_pick(p.findall("PartyName")).find("FullName"))
            for p in root.iterfind("PartyList/Party")
            if p.find("PartyReference") is not None and p.find("PartyName") is not None
        }
        self.resources = [e for e in root.iterfind("ResourceList/*") if e.tag in ("SoundRecording", "Video")]
        self.recordings: dict[str, Record] = {}  # ResourceReference -> record
        self.releases: dict[str, tuple[Record, bool]] = {}  # ReleaseReference -> (record, is track release)

    @staticmethod
    def _scopes(el: etree._Element) -> list[etree._Element]:
        """The element, then its 3.8 ``...DetailsByTerritory`` blocks, Worldwide/default first."""
        details = [c for c in el if isinstance(c.tag, str) and c.tag.endswith("DetailsByTerritory")]
        best = _pick(details)
        return [el] + ([best] + [d for d in details if d is not best] if details else [])

    def _first(self, el: etree._Element, *paths: str, pick: bool = True) -> str | None:
        for scope in self._scopes(el):
            for path in paths:
                found = scope.findall(path)
                value = _val(_pick(found) if pick else (found[0] if found else None))
                if value:
                    return value
        return None

    def _all(self, el: etree._Element, path: str) -> list[etree._Element]:
        return [found for scope in self._scopes(el) for found in scope.findall(path)]

    def _display_artist(self, el: etree._Element) -> str | None:
        name = self._first(el, "DisplayArtistName")
        if name:
            return name
        names = []
        for artist in self._all(el, "DisplayArtist"):
            ref = _val(artist.find("ArtistPartyReference")) or _val(artist.find("PartyReference"))
            names.append(_val(artist.find("PartyName/FullName")) or self.parties.get(ref) or ref)
        return ", ".join(_unique(names)) or None

    def _title_of(self, el: etree._Element) -> str | None:
        title = self._first(el, "DisplayTitleText")
        if title:
            return title
        for path in ("DisplayTitle", "ReferenceTitle", "Title[@TitleType='DisplayTitle']", "Title"):
            found = self._all(el, path)
            if found:
                return _title(_pick(found))
        return None

    def _notice_of(self, el: etree._Element, mark: str) -> str | None:
        return _notice(_pick(self._all(el, f"{mark}Line")), mark)

    def _genre(self, el: etree._Element) -> str | None:
        genre = _pick(self._all(el, "Genre"))
        if genre is None:
            return None
        return " / ".join(_unique([_val(genre.find("GenreText")), _val(genre.find("SubGenre"))])) or None

    def _span(self, elements: list[etree._Element]) -> tuple[int, int]:
        return elements[0].sourceline, max(self._end_line(e) for e in elements)

    def _end_line(self, el: etree._Element) -> int:
        """Line of the element's end tag: the first </Name> from its last descendant's line on.

        lxml only knows where start tags are; record elements never nest in themselves, so the
        first matching end tag after the subtree's last start tag is the element's own.
        """
        last = max((d.sourceline or el.sourceline) for d in el.iter())
        if len(el) == 0:
            return last
        end_tag = re.compile(rf"</(?:[\w.-]+:)?{re.escape(el.tag)}\s*>")
        for number in range(last, min(len(self.lines), last + 50) + 1):
            if end_tag.search(self.lines[number - 1]):
                return number
        return last

    def _record(self, kind: str, title: str | None, elements: list[etree._Element]) -> Record:
        first, last = self._span(elements)
        start, end = span_of_lines(self.offsets, self.text, first, last)
        return Record(kind, title, start, end, first, last, location=f"lines {first}-{last}")

    # --- records ---

    def recording(self, el: etree._Element) -> Record:
        rec = self._record("recording", self._title_of(el), [el])
        for path in ("SoundRecordingId/ISRC", "VideoId/ISRC", "ResourceId/ISRC", "*/ResourceId/ISRC"):
            for isrc in el.findall(path):
                rec.add_identifier("ISRC", _val(isrc))
        if not rec.ids("ISRC"):
            rec.warnings.append("no ISRC")
        proprietary = [_val(e) for e in el.findall("*/ProprietaryId") if e.getparent().tag.endswith("Id")]
        contributors = []
        for c in self._all(el, "Contributor") + self._all(el, "ResourceContributor") + self._all(
            el, "IndirectResourceContributor"
        ):
            ref = _val(c.find("ContributorPartyReference"))
            who = _val(c.find("PartyName/FullName")) or self.parties.get(ref) or ref
            roles = _unique(_val(r) for r in c if isinstance(r.tag, str) and r.tag.endswith("Role"))
            if who:
                contributors.append(f"{who} ({', '.join(roles)})" if roles else who)
        rec.fields.update(
            display_artist=self._display_artist(el),
            duration=duration_text(self._first(el, "Duration", pick=False)),
            p_line=self._notice_of(el, "P"),
            label=self._first(el, "LabelName"),
            genre=self._genre(el),
            resource_type=self._first(el, "Type", "SoundRecordingType", "VideoType", pick=False),
            resource_reference=_val(el.find("ResourceReference")),
            proprietary_id=", ".join(_unique(proprietary)) or None,
            contributors=_unique(contributors),
        )
        return rec

    def _track_refs(self, el: etree._Element) -> list[str]:
        """Recordings of a release in play order: ResourceGroup items, else its reference list."""
        refs = [_val(r) for r in el.iterfind(".//ResourceGroupContentItem/ReleaseResourceReference")]
        refs += [_val(r) for r in el.findall("ReleaseResourceReference")]  # 4.x TrackRelease
        refs += [_val(r) for r in el.iterfind("ReleaseResourceReferenceList/ReleaseResourceReference")]
        return [r for r in _unique(refs) if r in self.recordings]

    def release(self, el: etree._Element) -> Record:
        rec = self._record("release", self._title_of(el), [el])
        if el.tag == "PurgedRelease":
            rec.fields["status"] = "purged"
        for path in ("ReleaseId/ICPN", "ReleaseId/EAN", "ReleaseId/UPC"):
            for code in el.findall(path):
                rec.add_identifier("UPC", _val(code), "ICPN" if path.endswith("ICPN") else None)
        for isrc in el.findall("ReleaseId/ISRC"):
            rec.add_identifier("ISRC", _val(isrc))
        tracks, refs = [], self._track_refs(el)
        for number, ref in enumerate(refs, start=1):
            track = self.recordings[ref]
            _copy_ids(rec, track.identifiers)
            isrc = f" (ISRC {format_identifier('ISRC', track.ids('ISRC')[0])})" if track.ids("ISRC") else ""
            tracks.append(f"{number}. {track.title or ref}{isrc}")
        if rec.title is None and tracks:  # 4.x TrackRelease may leave its title to the recording
            rec.title = self.recordings[refs[0]].title
        if not rec.ids("UPC") and not el.findall("ReleaseId/ISRC") and el.tag != "PurgedRelease":
            rec.warnings.append("no ICPN/UPC")
        label_ref = _val(_pick(self._all(el, "ReleaseLabelReference")))  # 4.x: a PartyList entry
        rec.fields.update(
            display_artist=self._display_artist(el),
            label=self._first(el, "LabelName") or self.parties.get(label_ref) or label_ref,
            release_type=_val(_pick(el.findall("ReleaseType"))),
            release_date=self._first(
                el, "ReleaseDate", "GlobalReleaseDate", "OriginalReleaseDate", "GlobalOriginalReleaseDate"
            ),
            catalog_number=_val(el.find("ReleaseId/CatalogNumber")),
            duration=duration_text(_val(el.find("Duration"))),
            p_line=self._notice_of(el, "P"),
            c_line=self._notice_of(el, "C"),
            genre=self._genre(el),
            tracks=tracks,
            release_reference=_val(el.find("ReleaseReference")),
        )
        return rec

    def deals(self, release_deal: etree._Element) -> list[Record]:
        """One record per Deal; Deals of one ReleaseDeal that differ only in territory are merged.

        Shops' 4.x messages often spell a worldwide deal as one Deal per country (747 in a
        single release): one record with the territory list says the same thing once.
        """
        refs = _unique(_val(r) for r in release_deal.findall("DealReleaseReference"))
        targets = [self.releases[r] for r in refs if r in self.releases]
        titles = _unique(t.title for t, _ in targets)
        groups: dict[tuple, list[etree._Element]] = {}
        for deal in release_deal.findall("Deal"):
            terms = deal.find("DealTerms")
            if terms is None:
                continue
            key = (
                tuple(_unique(_val(e) for e in terms.findall("ExcludedTerritoryCode"))),
                tuple(_unique(_val(e) for e in terms.findall("CommercialModelType"))),
                tuple(_unique(_val(e) for e in terms.iter("UseType"))),  # 3.8: inside Usage
                _val(_first_of(terms, "ValidityPeriod/StartDate", "ValidityPeriod/StartDateTime")),
                _val(_first_of(terms, "ValidityPeriod/EndDate", "ValidityPeriod/EndDateTime")),
                terms.find("TakeDown") is not None and _val(terms.find("TakeDown")) != "false",
            )
            groups.setdefault(key, []).append(deal)
        shown = ", ".join(titles[:MAX_TITLES] or refs) or "unknown release"
        if len(titles) > MAX_TITLES:
            shown += f" and {len(titles) - MAX_TITLES} more"
        records = []
        for (excluded, models, uses, start, end, takedown), deals in groups.items():
            rec = self._record("deal", f"Deal for {shown}", deals)
            for target, is_track in targets:  # an album deal: its UPC; a track deal: the ISRC
                _copy_ids(rec, [i for i in target.identifiers if is_track or i.scheme == "UPC"])
            territories = _unique(_val(e) for d in deals for e in d.findall("DealTerms/TerritoryCode"))
            rec.fields.update(
                release_title="; ".join(titles) or None,
                territories=territories,
                excluded_territories=list(excluded),
                commercial_models=list(models),
                use_types=list(uses),
                start_date=start,
                end_date=end,
                takedown=True if takedown else None,
                release_reference=", ".join(refs) or None,
                deals_merged=len(deals) if len(deals) > 1 else None,
            )
            records.append(rec)
        return records

    def recordset(self) -> RecordSet:
        for el in self.resources:
            rec = self.recording(el)
            self.recordings[rec.fields["resource_reference"] or f"line {rec.line_start}"] = rec
        release_records = []
        for el in self.root.iterfind("ReleaseList/*"):
            if el.tag not in ("Release", "TrackRelease"):
                continue
            rec = self.release(el)
            is_track = el.tag == "TrackRelease" or rec.fields.get("release_type") == "TrackRelease"
            if rec.fields["release_reference"]:
                self.releases[rec.fields["release_reference"]] = (rec, is_track)
            if not is_track:  # a track release repeats its recording: indexed for deals only
                release_records.append(rec)
                for ref in self._track_refs(el):
                    track = self.recordings[ref]
                    track.fields["release"] = _unique([*(track.fields.get("release") or []), rec.title])
        release_records += [self.release(el) for el in self.root.iter("PurgedRelease")]
        deal_records = [d for rd in self.root.iterfind("DealList/ReleaseDeal") for d in self.deals(rd)]
        records = list(self.recordings.values()) + release_records + deal_records
        for rec in records:
            rec.fields = {k: v for k, v in rec.fields.items() if v not in (None, "", [], {})}
        header = self.root.find("MessageHeader")
        fields = {
            "message_id": _val(header.find("MessageId")) if header is not None else None,
            "sender": _party(header, "MessageSender"),
            "recipient": _party(header, "MessageRecipient"),
            "created": _val(header.find("MessageCreatedDateTime")) if header is not None else None,
        }
        title = " ".join(
            bit
            for bit in (
                f"DDEX ERN {self.version} {self.root_name}",
                fields["message_id"],
                f"from {fields['sender']}" if fields["sender"] else None,
            )
            if bit
        )
        return RecordSet(
            text=self.text,
            reader=f"ddex-ern-{self.version}",
            doc_type="ddex",
            records=records,
            title=title,
            fields=fields,
        )


def _copy_ids(record: Record, identifiers: Iterable) -> None:
    """Carry identifiers already checked on another record (its warnings stay over there)."""
    for ident in identifiers:
        if ident.key not in record.keys:
            record.identifiers.append(ident)


def _first_of(el: etree._Element, *paths: str) -> etree._Element | None:
    for path in paths:
        found = el.find(path)
        if found is not None:
            return found
    return None


def _party(header: etree._Element | None, tag: str) -> str | None:
    """Names (else DPIDs) of the header's sender or recipients."""
    if header is None:
        return None
    names = [
        _val(p.find("PartyName/FullName")) or _val(p.find("TradingName")) or _val(p.find("PartyId"))
        for p in header.findall(tag)
    ]
    return ", ".join(_unique(names)) or None
