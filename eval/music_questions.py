"""Retrieval questions generated from structured music files (DDEX, CWR, split sheets, catalogs).

    python -m eval.music_questions FOLDER [--out FILE] [--per-kind 40]

For every file the product reads as records (ingest/records), each work, recording and release
becomes questions of the forms a rights team asks, and the gold span is the record's own lines
in the file (its ``start``/``end``): retrieval must bring those lines into the top k.

  work:title          "Who wrote <title> and what are the shares?"
  work:identifier     "Who wrote <ISWC>?"
  recording:title     "Who performs the recording <title>?"
  recording:identifier"Which recording has ISRC <ISRC>?"
  release:title       "What is on the release <title>?"
  release:identifier  "What is on the release with UPC <UPC>?"
  row:title           "What does the catalog say about <title>?"

Titles that several records share in one file are skipped (the question could not tell them
apart). At most --per-kind questions per file and form, spread evenly over the file. The output
is the dataset format of ``rights eval`` (JSON lines).
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from ingest.pipeline import discover
from ingest.records import is_structured, read_records

FORMS = {
    ("work", "title"): "Who wrote {x} and what are the shares?",
    ("work", "ISWC"): "Who wrote {x}?",
    ("recording", "title"): "Who performs the recording {x}?",
    ("recording", "ISRC"): "Which recording has ISRC {x}?",
    ("release", "title"): "What is on the release {x}?",
    ("release", "UPC"): "What is on the release with UPC {x}?",
    ("row", "title"): "What does the catalog say about {x}?",
}


def questions_for(path: Path, per_kind: int) -> list[dict]:
    rs = read_records(path)
    titles = Counter((r.kind, (r.title or "").strip().lower()) for r in rs.records)
    by_form: dict[tuple[str, str], list[dict]] = {}
    for i, r in enumerate(rs.records):
        title = (r.title or "").strip()
        span = {"start": r.start, "end": r.end, "text": rs.text[r.start:r.end][:200]}
        if title and len(title) >= 3 and titles[(r.kind, title.lower())] == 1 and (r.kind, "title") in FORMS:
            by_form.setdefault((r.kind, "title"), []).append(
                {"question": FORMS[(r.kind, "title")].format(x=f'"{title}"'), "span": span, "n": i})
        for ident in r.identifiers:
            form = (r.kind, ident.scheme)
            if form in FORMS:
                by_form.setdefault(form, []).append({"question": FORMS[form].format(x=ident.display), "span": span, "n": i})
                break
    out = []
    for (kind, what), items in sorted(by_form.items()):
        step = max(1, len(items) / per_kind)
        chosen = [items[int(j * step)] for j in range(min(per_kind, len(items)))]
        for item in chosen:
            category = f"{kind}:{'title' if what == 'title' else 'identifier'}"
            out.append({"qid": f"{path.stem}::{category}::{item['n']}", "doc_id": path.stem, "category": category,
                        "question": item["question"], "answerable": True, "gold_answer_spans": [item["span"]]})
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m eval.music_questions", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--out", type=Path, default=None, help="JSON lines file (default: stdout)")
    parser.add_argument("--per-kind", type=int, default=40)
    args = parser.parse_args(argv)
    files, _ = discover([args.folder])
    rows = []
    for f in sorted(files):
        if is_structured(f):
            try:
                rows += questions_for(f, args.per_kind)
            except Exception as exc:  # noqa: BLE001 - a file the product refuses makes no questions
                print(f"skipped {f.name}: {exc}")
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    if args.out:
        args.out.write_text(text)
        counts = Counter(r["category"] for r in rows)
        print(f"{len(rows)} questions from {len({r['doc_id'] for r in rows})} files: {dict(sorted(counts.items()))}")
    else:
        print(text, end="")


if __name__ == "__main__":
    main()
