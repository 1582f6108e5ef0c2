"""A planted-conflict catalog: 2,000 works described consistently by a split sheet (CSV), a CWR
2.1 registration and, for their recordings, a DDEX ERN message and a catalog export (CSV),
with conflicts of every kind planted in known places.

Consistent variation that must NOT be reported: CWR names in capitals ("QUINN" / "MARA"),
societies as CWR codes ("010") against names ("ASCAP"), IPI numbers without their leading
zeros, and CWR splits with a publisher holding half (writers 25/25 against a split sheet's 50/50).

``python tests/catalog_fixtures/planted.py [N_PER_KIND]`` writes the files to a temporary
folder, ingests them (hashing embedder: no model) and prints precision and recall of
``rights conflicts`` against the planted truth.
"""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

FIRST = ["Mara", "Jonah", "Lena", "Theo", "Ava", "Omar", "Ines", "Kai", "Nora", "Felix", "Sade", "Ivan", "Lucia", "Ravi",
         "Elena", "Marco", "Yuki", "Zara", "Hugo", "Maya", "Tariq", "Chloe", "Dmitri", "Rosa"]
LAST = ["Quinn", "Reyes", "Stone", "Okafor", "Lindqvist", "Moreau", "Haddad", "Novak", "Brennan", "Castillo", "Ito",
        "Mensah", "Schulz", "Varga", "Duarte", "Kowalski", "Nakamura", "Ferreira", "Achebe", "Larsen", "Petrov", "Silva"]
WORDS = ["Blue", "Hour", "Paper", "Lanterns", "Golden", "River", "Night", "Train", "Silver", "Morning", "Echo", "Valley",
         "Static", "Hearts", "Wild", "Ocean", "Neon", "Summer", "Glass", "Houses", "Midnight", "Avenue", "Falling", "Stars",
         "Velvet", "Thunder", "Broken", "Compass", "Hollow", "Crown", "Distant", "Signals", "Amber", "Skyline"]
ALT = ["Harbour", "Lullaby", "Ember", "Canyon", "Mirage", "Orchard", "Tempest", "Cascade"]
SOCIETIES = {"ASCAP": "010", "BMI": "021", "PRS": "052", "GEMA": "035", "SACEM": "058"}
SPLITS = {1: [100], 2: [50, 50], 3: [40, 30, 30]}
KINDS = ("writers", "shares", "ipi", "society", "title", "identifiers")


def iswc(n: int) -> str:
    from ingest.identifiers import iswc_check_digit

    body = f"{n:09d}"
    return f"T{body}{iswc_check_digit(body)}"


def ipi(n: int) -> str:
    """A valid IPI name number (check digits: the weighted sum's complement mod 101)."""
    body = f"{n:09d}"
    total = sum(int(d) * (10 - i) for i, d in enumerate(body))
    check = (101 - total % 101) % 101
    if check == 100:
        return ipi(n + 1)
    return f"{body}{check:02d}"


def _place(values: dict[int, str]) -> str:
    out = ""
    for start, value in sorted(values.items()):
        out = out.ljust(start) + value
    return out


class _Cwr:
    def __init__(self) -> None:
        self.lines = [_place({0: "HDR", 3: "PB", 5: "000000199", 14: "NORTHGATE MUSIC PUBLISHING", 59: "01.10",
                              64: "20240131", 72: "120000", 78: "20240131"})]
        self.lines.append(_place({0: "GRH", 3: "NWR", 6: "00001", 11: "02.10", 16: "0000000000"}))
        self.tx = -1
        self.seq = 0

    def transaction(self, values: dict[int, str]) -> None:
        self.tx += 1
        self.seq = 0
        self.lines.append(_place({0: f"NWR{self.tx:08d}{0:08d}", **values}))

    def detail(self, rtype: str, values: dict[int, str]) -> None:
        self.seq += 1
        self.lines.append(_place({0: f"{rtype}{self.tx:08d}{self.seq:08d}", **values}))

    def text(self) -> str:
        n = len(self.lines)
        grt = _place({0: "GRT", 3: "00001", 8: f"{self.tx + 1:08d}", 16: f"{n:08d}"})
        trl = _place({0: "TRL", 3: "00001", 8: f"{self.tx + 1:08d}", 16: f"{n + 2:08d}"})
        return "\n".join([*self.lines, grt, trl]) + "\n"


def _works(n: int, rng: random.Random) -> list[dict]:
    people = [(f, last) for last in LAST for f in FIRST]
    rng.shuffle(people)
    titles: set[str] = set()
    works = []
    for i in range(n):
        while True:
            title = " ".join(rng.sample(WORDS, rng.choice([2, 2, 3])))
            if title.lower() not in titles:
                titles.add(title.lower())
                break
        count = rng.choice([1, 2, 2, 2, 3])
        writers = []
        for j, share in enumerate(SPLITS[count]):
            k = (i * 3 + j * 7) % len(people)
            first, last = people[k]
            society = list(SOCIETIES)[k % len(SOCIETIES)]
            writers.append({"first": first, "last": last, "ipi": ipi(100000 + k * 37), "society": society, "share": share})
        works.append({"title": title, "iswc": iswc(345000000 + i * 7), "writers": writers,
                      "isrc": f"GBNVR{24 + i % 3:02d}{i:05d}" if i < n // 2 else None, "artist": f"{writers[0]['first']} {writers[0]['last']}"})
    return works


def write_planted(folder: Path, n_works: int = 2000, per_kind: int = 35, seed: int = 7) -> set[tuple[str, str, str]]:
    """Write the four files into ``folder``; return the planted truth {(kind, entity, key)}
    where key is the work's ISWC (as the split sheet gives it) or the recording's ISRC."""
    rng = random.Random(seed)
    works = _works(n_works, rng)
    folder.mkdir(parents=True, exist_ok=True)
    truth: set[tuple[str, str, str]] = set()
    # choose disjoint works for each planted kind
    order = list(range(n_works))
    rng.shuffle(order)
    plants: dict[int, str] = {}
    it = iter(order)
    for kind in KINDS:
        placed = 0
        while placed < per_kind:
            i = next(it)
            if kind == "shares" and len(works[i]["writers"]) < 2:
                continue
            plants[i] = kind
            truth.add((kind, "work", works[i]["iswc"]))
            placed += 1
    recording_titles: set[int] = set()
    with_isrc = [i for i in order if works[i]["isrc"] and i not in plants]
    for i in with_isrc[:per_kind]:
        recording_titles.add(i)
        truth.add(("title", "recording", works[i]["isrc"]))

    # split sheet (long layout: one row per writer); IPIs without leading zeros
    with (folder / "splits.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Song Title", "ISWC", "Writer", "IPI", "PRO", "Share"])
        for work in works:
            for p in work["writers"]:
                w.writerow([work["title"], work["iswc"], f"{p['first']} {p['last']}", p["ipi"].lstrip("0"), p["society"],
                            f"{p['share']}%"])

    cwr = _Cwr()
    for i, work in enumerate(works):
        kind = plants.get(i)
        title, code = work["title"], work["iswc"]
        writers = [dict(p) for p in work["writers"]]
        if kind == "title":
            title = f"{rng.choice(ALT)} {title}"
        elif kind == "identifiers":
            code = iswc(900000000 + i)
        elif kind == "writers":
            extra = (FIRST[(i + 5) % len(FIRST)], LAST[(i + 11) % len(LAST)])
            writers.append({"first": extra[0], "last": extra[1], "ipi": ipi(700000 + i), "society": "PRS", "share": 0})
        elif kind == "shares":
            writers[0]["share"] += 10
            writers[1]["share"] -= 10
        elif kind == "ipi":
            writers[0]["ipi"] = ipi(800000 + i)
        elif kind == "society":
            writers[0]["society"] = "SACEM" if writers[0]["society"] != "SACEM" else "GEMA"
        cwr.transaction({19: title.upper(), 79: "EN", 81: f"W{i:05d}", 95: code, 106: "00000000", 126: "POP",
                         129: "000300", 135: "Y", 142: "ORI"})
        cwr.detail("SPU", {19: "01", 21: "P0001", 30: "NORTHGATE MUSIC PUBLISHING", 76: "E", 87: "00014107338",
                           112: "052", 115: "05000", 120: "044", 123: "10000", 128: "044", 131: "10000"})
        for j, p in enumerate(writers):
            cwr.detail("SWR", {19: f"W{j:03d}", 28: p["last"].upper(), 73: p["first"].upper(), 104: "CA",
                               106: "000000000", 115: p["ipi"], 126: SOCIETIES[p["society"]],
                               129: f"{round(p['share'] * 50):05d}", 150: "N"})
    (folder / "registrations.v21").write_text(cwr.text(), encoding="utf-8")

    # DDEX: the recordings, ten to a release; catalog export: the same recordings
    recs = [(i, w) for i, w in enumerate(works) if w["isrc"]]
    parts = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<ern:NewReleaseMessage xmlns:ern="http://ddex.net/xml/ern/411" MessageSchemaVersionId="ern/411">',
             "  <MessageHeader><MessageId>PLANTED-1</MessageId><MessageSender><PartyId>PADPIDA1</PartyId>"
             "<PartyName><FullName>Nova Records</FullName></PartyName></MessageSender>"
             "<MessageCreatedDateTime>2024-03-01T10:00:00</MessageCreatedDateTime></MessageHeader>",
             "  <ResourceList>"]
    for i, work in recs:
        parts.append(f"    <SoundRecording><ResourceReference>A{i}</ResourceReference><Type>MusicalWorkSoundRecording</Type>"
                     f"<SoundRecordingId><ISRC>{work['isrc']}</ISRC></SoundRecordingId>"
                     f"<DisplayTitleText>{work['title']}</DisplayTitleText>"
                     f"<DisplayArtistName>{work['artist']}</DisplayArtistName><Duration>PT3M</Duration></SoundRecording>")
    parts.append("  </ResourceList>\n  <ReleaseList>")
    upcs = {}
    for r in range(0, len(recs), 10):
        from ingest.identifiers import gtin_check_digit

        body = f"5012345{r:05d}"
        upc = body + str(gtin_check_digit(body))
        items = "".join(f"<ResourceGroupContentItem><ReleaseResourceReference>A{i}</ReleaseResourceReference></ResourceGroupContentItem>"
                        for i, _ in recs[r:r + 10])
        parts.append(f"    <Release><ReleaseReference>R{r}</ReleaseReference><ReleaseId><ICPN>{upc}</ICPN></ReleaseId>"
                     f"<DisplayTitleText>Album {r // 10 + 1}</DisplayTitleText><ResourceGroup>{items}</ResourceGroup></Release>")
        for i, _ in recs[r:r + 10]:
            upcs[i] = (upc, f"Album {r // 10 + 1}")
    parts.append("  </ReleaseList>\n</ern:NewReleaseMessage>\n")
    (folder / "release.xml").write_text("\n".join(parts), encoding="utf-8")

    with (folder / "catalog.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Track Title", "ISRC", "ISWC", "Artist", "Release", "UPC"])
        for i, work in recs:
            title = f"{rng.choice(ALT)} {work['title']}" if i in recording_titles else work["title"]
            w.writerow([title, work["isrc"], work["iswc"], work["artist"], upcs[i][1], upcs[i][0]])
    return truth


def predicted(found) -> set[tuple[str, str, str]]:
    """Conflicts as (kind, entity, key): a work by the split sheet's ISWC, a recording by ISRC."""
    out = set()
    for c in found:
        if c.entity == "recording":
            out.add((c.kind, "recording", c.key.split(":", 1)[1]))
            continue
        side = c.a if c.a.file_name == "splits.csv" else c.b
        iswcs = side.ids("ISWC")
        out.add((c.kind, "work", iswcs[0] if iswcs else c.key))
    return out


def score(truth: set, got: set) -> tuple[float, float]:
    hit = len(truth & got)
    return (hit / len(got) if got else 1.0, hit / len(truth) if truth else 1.0)


def main() -> None:  # pragma: no cover - a measuring script
    import tempfile
    import time

    from assistant.catalog.conflicts import conflicts
    from assistant.catalog.queries import Catalog
    from assistant.service import RightsService
    from assistant.settings import Settings
    from assistant.testing import HashingEmbedder

    per_kind = int(sys.argv[1]) if len(sys.argv) > 1 else 35
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "files"
        truth = write_planted(folder, per_kind=per_kind)
        with RightsService(Settings(data_dir=Path(tmp) / "data"), embedder=HashingEmbedder()) as svc:
            t0 = time.perf_counter()
            report = svc.ingest([folder])
            t1 = time.perf_counter()
            found = conflicts(Catalog(svc))
            t2 = time.perf_counter()
        got = predicted(found)
        p, r = score(truth, got)
        print(f"files: {sorted(x.name for x in folder.iterdir())}; ingest {t1 - t0:.1f}s ({dict(report.counts)}); "
              f"conflicts {t2 - t1:.1f}s")
        print(f"planted {len(truth)} conflicts ({per_kind} per kind x {len(KINDS)} work kinds + recording titles) "
              f"among 2,000 works; reported {len(got)}")
        for kind in KINDS:
            t = {x for x in truth if x[0] == kind}
            g = {x for x in got if x[0] == kind}
            kp, kr = score(t, g)
            print(f"  {kind:12s} planted {len(t):3d} reported {len(g):3d} precision {kp:.3f} recall {kr:.3f}")
        print(f"precision {p:.3f} recall {r:.3f}")


if __name__ == "__main__":  # pragma: no cover
    main()
