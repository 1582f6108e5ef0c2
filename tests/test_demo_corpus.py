"""The bundled demo corpus: rendered files match their sources, and every gold answer sits in
a chunk cited by the clause the question expects (section detection on real-looking contracts)."""

from __future__ import annotations

import re

import pytest

from assistant.demo import corpus_dir, load_questions
from assistant.demo.build import FORMATS, SOURCES
from ingest.chunking import chunk_text
from ingest.readers import read_file


def words(text: str) -> list[str]:
    return re.sub(r"[“”]", '"', re.sub(r"[’]", "'", text)).split()


@pytest.fixture(scope="module")
def corpus():
    docs = {}
    for path in sorted(corpus_dir().iterdir()):
        if path.suffix == ".csv":
            continue  # the split sheet and catalog export: records, tested in test_records_ingest
        extracted = read_file(path)
        docs[path.stem] = (extracted, chunk_text(extracted.text, style_heading_offsets=extracted.heading_offsets))
    return docs


def test_corpus_has_every_kind_of_contract_in_every_format(corpus):
    assert len(corpus) >= 8
    suffixes = {p.suffix for p in corpus_dir().iterdir()}
    assert {".pdf", ".docx", ".txt", ".md", ".csv"} <= suffixes


def test_demo_records_parse_with_the_one_deliberate_warning():
    from ingest.records.tables import read_table

    splits = read_table(corpus_dir() / "northgate-split-sheet.csv")
    assert [r.title for r in splits.records] == ["Blue Hour", "Paper Lanterns", "Northern Line", "Salt & Ember"]
    assert [r.title for r in splits.records if r.warnings] == ["Salt & Ember"]
    catalog = read_table(corpus_dir() / "nova-records-catalog.csv")
    assert catalog.doc_type == "catalog" and all(not r.warnings for r in catalog.records)


@pytest.mark.parametrize("stem", sorted(FORMATS))
def test_rendered_files_match_their_sources(corpus, stem):
    source = (SOURCES / f"{stem}.txt").read_text()
    extracted, _ = corpus[stem]
    assert words(extracted.text) == words(source), "run: python -m assistant.demo.build"


def _norm(text: str) -> str:
    return " ".join(words(text))


def test_gold_answers_are_found_in_the_expected_clause(corpus):
    misses = []
    questions = [q for q in load_questions() if q.get("answerable")]
    assert len(questions) >= 20
    for q in questions:
        if q["doc_id"] not in corpus:  # a record file: its gold span is the record's lines
            from ingest.records.tables import read_table

            records = read_table(corpus_dir() / f"{q['doc_id']}.csv").records
            assert any(r.location == q["gold_section"] and q["gold_answer"] in r.title + str(r.parties) for r in records), q["qid"]
            continue
        extracted, chunks = corpus[q["doc_id"]]
        holding = [c for c in chunks if _norm(q["gold_answer"]) in _norm(c.text)]
        assert holding, f"{q['qid']}: gold answer not inside any single chunk"
        if not any(q["gold_section"] in c.sections or q["gold_section"] == c.section for c in holding):
            misses.append((q["qid"], q["gold_section"], [c.sections for c in holding]))
    assert not misses, misses


def test_pdf_chunks_carry_pages(corpus):
    extracted, chunks = corpus["nova-records-recording-agreement"]
    assert extracted.pages and extracted.pages >= 3
    pages = {extracted.page_at(c.start) for c in chunks}
    assert pages == set(range(1, extracted.pages + 1))
