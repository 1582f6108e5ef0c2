"""Catalog scale: ingest a generated N-row catalog export and an M-row split-sheet set, then
time identifier lookups and title searches against the records table.

    python -m eval.bench.catalog_scale --rows 1000000 --splits 100000 [--fake-embedder] [--embed-sample 2000]

Prints records/s, peak RSS, store size, lookup and title-search p50/p95, and (with
``--embed-sample``) what embedding each row's identifying text would cost with the packaged
MiniLM (the scheme files up to ``catalog_embed_max_records`` rows use), plus the incremental
re-ingest of a file with 100 changed rows (rows re-embedded: only the changed ones).

The catalog is a publisher's works export (wide layout: work id, title, ISWC, two or three
writers with IPI, society, share and publisher, a recording with ISRC, artist and label); the
split sheets are the long layout (one row per writer). Everything is written to a temporary
folder (``--keep DIR`` to keep it); nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

FIRST = ["Mara", "Jonah", "Lena", "Theo", "Ava", "Omar", "Ines", "Kai", "Nora", "Felix", "Sade", "Ivan", "Lucia", "Ravi",
         "Elena", "Marco", "Yuki", "Zara", "Hugo", "Maya", "Tariq", "Chloe", "Dmitri", "Rosa", "Aiko", "Bruno", "Cleo"]
LAST = ["Quinn", "Reyes", "Stone", "Okafor", "Lindqvist", "Moreau", "Haddad", "Novak", "Brennan", "Castillo", "Ito",
        "Mensah", "Schulz", "Varga", "Duarte", "Kowalski", "Nakamura", "Ferreira", "Achebe", "Larsen", "Petrov", "Silva",
        "Okonkwo", "Rasmussen", "Delacroix", "Yamada", "Oliveira", "Horvath", "Lindgren", "Adeyemi"]
WORDS = ["Blue", "Hour", "Paper", "Lanterns", "Golden", "River", "Night", "Train", "Silver", "Morning", "Echo", "Valley",
         "Static", "Hearts", "Wild", "Ocean", "Neon", "Summer", "Glass", "Houses", "Midnight", "Avenue", "Falling", "Stars",
         "Velvet", "Thunder", "Broken", "Compass", "Hollow", "Crown", "Distant", "Signals", "Amber", "Skyline", "Winter",
         "Fire", "Paradise", "Lost", "Dreams", "Shadow", "Light", "Home", "Road", "City", "Rain", "Gold", "Heart", "Song"]
SOCIETIES = ["ASCAP", "BMI", "PRS", "GEMA", "SACEM", "SOCAN", "APRA", "STIM", "SIAE", "JASRAC"]
PUBLISHERS = ["Northgate Music Publishing", "Harbour Songs", "Blue Lantern Music", "Meridian Publishing", "Copperline Music"]
LABELS = ["Nova Records", "Harbour Records", "Static Sound", "Meridian Recordings"]
SPLITS = [[100.0], [50.0, 50.0], [60.0, 40.0], [40.0, 30.0, 30.0], [33.33, 33.33, 33.34]]


def iswc(n: int) -> str:
    from ingest.identifiers import iswc_check_digit

    body = f"{n % 10**9:09d}"
    return f"T-{body[:3]}.{body[3:6]}.{body[6:]}-{iswc_check_digit(body)}"


def ipi(n: int) -> str:
    body = f"{n % 10**9:09d}"
    total = sum(int(d) * (10 - i) for i, d in enumerate(body))
    return f"{body}{(101 - total % 101) % 101 % 100:02d}"


def title(rng: random.Random, i: int) -> str:
    return " ".join(rng.sample(WORDS, rng.choice((2, 2, 3)))) + ("" if i % 5 else f" {i % 97}")


def write_catalog(path: Path, rows: int, seed: int = 1) -> list[tuple[str, str, str]]:
    """A works export; returns a sample of (ISWC, ISRC, title) to look up."""
    rng = random.Random(seed)
    header = ["Work ID", "Work Title", "ISWC"]
    for n in (1, 2, 3):
        header += [f"Writer {n} Last", f"Writer {n} First", f"Writer {n} IPI", f"Writer {n} PRO", f"Writer {n} Share",
                   f"Writer {n} Publisher Name"]
    header += ["Recording 1 ISRC", "Recording 1 Recording Title", "Recording 1 Record Label", "Artist 1 Last", "Artist 1 First"]
    sample: list[tuple[str, str, str]] = []
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for i in range(rows):
            t = title(rng, i)
            code = iswc(100_000_000 + i)
            isrc = f"GB{'ABCDEFGH'[i % 8]}{rng.randrange(10, 99)}{24 + i % 3:02d}{i % 100000:05d}"
            row = [f"W{i:07d}", t, code]
            split = SPLITS[i % len(SPLITS)]
            for n in range(3):
                if n < len(split):
                    k = rng.randrange(len(FIRST) * len(LAST))
                    row += [LAST[k % len(LAST)], FIRST[k // len(LAST)], ipi(1000 + k * 7919), SOCIETIES[k % len(SOCIETIES)],
                            f"{split[n]}%", PUBLISHERS[k % len(PUBLISHERS)]]
                else:
                    row += [""] * 6
            a = rng.randrange(len(FIRST) * len(LAST))
            row += [isrc, t, LABELS[i % len(LABELS)], LAST[a % len(LAST)], FIRST[a // len(LAST)]]
            w.writerow(row)
            if i % max(1, rows // 500) == 0:
                sample.append((code, isrc, t))
    return sample


def write_splits(folder: Path, rows: int, per_file: int, seed: int = 2) -> int:
    """Long-layout split sheets, ``per_file`` rows each; returns the number of files."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    written, n_files = 0, 0
    while written < rows:
        n_files += 1
        with (folder / f"splits-{n_files:04d}.csv").open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["Song Title", "ISWC", "Songwriter", "IPI/CAE #", "PRO", "Split %", "Publisher"])
            in_file = 0
            while in_file < per_file and written < rows:
                i = written
                split = SPLITS[i % len(SPLITS)]
                t = title(rng, i)
                for n, share in enumerate(split):
                    k = rng.randrange(len(FIRST) * len(LAST))
                    w.writerow([t if n == 0 else "", iswc(500_000_000 + i) if n == 0 else "",
                                f"{FIRST[k // len(LAST)]} {LAST[k % len(LAST)]}", ipi(1000 + k * 7919),
                                SOCIETIES[k % len(SOCIETIES)], f"{share}%", PUBLISHERS[k % len(PUBLISHERS)]])
                    in_file += 1
                    written += 1
    return n_files


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _size_mb(path: Path) -> float:
    return sum(p.stat().st_blocks * 512 for p in path.rglob("*") if p.is_file()) / 2**20  # on disk (sparse files)


def _pcts(times: list[float]) -> str:
    ms = sorted(t * 1000 for t in times)
    p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
    return f"p50 {statistics.median(ms):.1f} ms, p95 {p95:.1f} ms (n={len(ms)})"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000, help="catalog export rows")
    ap.add_argument("--splits", type=int, default=100_000, help="split-sheet rows (long layout)")
    ap.add_argument("--splits-per-file", type=int, default=100_000, help="rows per split-sheet file")
    ap.add_argument("--fake-embedder", action="store_true", help="hashing embedder (no model) for the service")
    ap.add_argument("--embed-sample", type=int, default=0, help="also time MiniLM on this many identifying texts")
    ap.add_argument("--incremental", type=int, default=0,
                    help="also ingest an embedded N-row file, change 100 rows, re-ingest and count rows re-embedded")
    ap.add_argument("--keep", type=Path, default=None, help="work in this folder and keep it")
    args = ap.parse_args(argv)

    from assistant.catalog.queries import Catalog
    from assistant.service import RightsService
    from assistant.settings import Settings

    tmp_ctx = tempfile.TemporaryDirectory() if args.keep is None else None
    base = Path(tmp_ctx.name) if tmp_ctx else args.keep
    base.mkdir(parents=True, exist_ok=True)
    files = base / "files"
    files.mkdir(exist_ok=True)
    t0 = time.perf_counter()
    sample = write_catalog(files / "catalog-export.csv", args.rows)
    n_split_files = write_splits(files / "splits", args.splits, args.splits_per_file) if args.splits else 0
    gen_s = time.perf_counter() - t0
    size_in = _size_mb(files)
    print(f"generated {args.rows:,} catalog rows + {args.splits:,} split-sheet rows in {n_split_files} file(s): "
          f"{size_in:,.1f} MB in {gen_s:.1f}s", flush=True)

    settings = Settings(data_dir=base / "data")
    embedder = None
    if args.fake_embedder:
        from assistant.testing import HashingEmbedder

        embedder = HashingEmbedder()
    rss_before = _rss_mb()
    with RightsService(settings, embedder=embedder) as svc:
        t0 = time.perf_counter()
        report = svc.ingest([files])
        ingest_s = time.perf_counter() - t0
        assert report.ok, [(r.path, r.reason) for r in report.problems]
        catalog = Catalog(svc)
        counts = catalog.count()
        total = args.rows + args.splits
        print(f"ingest: {total:,} rows -> {sum(counts.values()):,} records {counts} in {ingest_s:,.1f}s = "
              f"{total / ingest_s:,.0f} rows/s; peak RSS {_rss_mb():,.0f} MB (before ingest {rss_before:,.0f} MB); "
              f"store {_size_mb(settings.data_dir):,.1f} MB (records table "
              f"{sum(p.stat().st_size for p in settings.data_dir.glob('catalog.sqlite*')) / 2**20:,.1f} MB)", flush=True)

        rng = random.Random(3)
        lookups, searches, works = [], [], []
        for code, isrc, t in rng.sample(sample, min(200, len(sample))):
            for ident in (code, isrc):
                t1 = time.perf_counter()
                found = catalog.lookup(ident)
                lookups.append(time.perf_counter() - t1)
                assert found.rows, ident
            t1 = time.perf_counter()
            found = catalog.search(t, limit=10)
            searches.append(time.perf_counter() - t1)
            assert found.rows, t
        for name in ("Mara Quinn", "Harbour Songs", "Nakamura"):
            t1 = time.perf_counter()
            res = catalog.works_by(name)
            works.append(time.perf_counter() - t1)
        print(f"identifier lookup (ISWC, ISRC): {_pcts(lookups)}", flush=True)
        print(f"title search: {_pcts(searches)}", flush=True)
        print(f"works by a writer/publisher (first 200 rows of {res.total:,}): {_pcts(works)}", flush=True)
        for label, fn in (("count by kind", lambda: catalog.count()),
                          ("works whose shares do not total 100%", lambda: catalog.share_problems()),
                          ("works missing an ISWC", lambda: catalog.identifier_problems("ISWC", "missing"))):
            t1 = time.perf_counter()
            res = fn()
            n = sum(res.values()) if isinstance(res, dict) else res.total
            print(f"{label}: {n:,} in {(time.perf_counter() - t1) * 1000:,.0f} ms", flush=True)

    if args.embed_sample:
        from assistant.search.embedding import Embedder
        from ingest.records.model import identifying_text
        from ingest.records.stream import stream_table

        texts = []
        for rec in stream_table(files / "catalog-export.csv"):
            texts.append(identifying_text(rec, "catalog-export.csv"))
            if len(texts) >= args.embed_sample:
                break
        emb = Embedder(settings.embedding)
        emb.embed_uncached(texts[:64])  # load and warm
        t1 = time.perf_counter()
        emb.embed_uncached(texts)
        dt = time.perf_counter() - t1
        print(f"MiniLM on identifying texts (mean {sum(map(len, texts)) / len(texts):.0f} chars): "
              f"{len(texts) / dt:,.0f} rows/s ({len(texts):,} in {dt:.1f}s)", flush=True)

    if args.incremental:
        from assistant.search.embedding import Embedder

        inc = base / "incremental"
        inc.mkdir(exist_ok=True)
        path = inc / "catalog.csv"
        write_catalog(path, args.incremental, seed=9)
        emb = Embedder(settings.embedding, base / "inc-cache.sqlite")
        with RightsService(Settings(data_dir=base / "inc-data"), embedder=emb) as svc:
            t1 = time.perf_counter()
            svc.ingest([inc])
            first_s = time.perf_counter() - t1
            first = emb.embedded_count
            with path.open(newline="", encoding="utf-8") as fh:
                rows = list(csv.reader(fh))
            for j in range(1, 101):
                rows[j * (len(rows) - 1) // 101][1] += " (Remastered)"  # the title: the identifying text changes
            with path.open("w", newline="", encoding="utf-8") as fh:
                csv.writer(fh).writerows(rows)
            t1 = time.perf_counter()
            svc.ingest([inc])
            again_s = time.perf_counter() - t1
        print(f"incremental: {args.incremental:,} rows embedded in {first_s:.1f}s ({first:,} texts); after 100 changed rows, "
              f"re-ingest {again_s:.1f}s re-embedding {emb.embedded_count - first:,} texts", flush=True)
    if tmp_ctx is not None:
        tmp_ctx.cleanup()


if __name__ == "__main__":
    sys.exit(main())
