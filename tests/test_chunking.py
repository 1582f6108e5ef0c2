"""Contract-aware chunking: offsets, section detection, splitting and merging."""

from __future__ import annotations

import pytest
from fixtures import DISTRIBUTION, LICENCE_MD

from ingest.chunking import ChunkingOptions, chunk_text, find_headings


def assert_offsets(text, chunks):
    assert chunks, "no chunks"
    for c in chunks:
        assert text[c.start : c.end] == c.text
        assert c.text == c.text.strip() and c.text
    # Together the chunks cover every non-blank character of the document.
    covered = set()
    for c in chunks:
        covered.update(range(c.start, c.end))
    missing = [i for i, ch in enumerate(text) if not ch.isspace() and i not in covered]
    assert not missing, f"text not in any chunk near {missing[:3]}: {text[missing[0]:missing[0] + 40]!r}"


def labels(text):
    return [h.label for h in find_headings(text) if h.label]


def test_numbered_clauses_sub_clauses_and_schedules():
    assert labels(DISTRIBUTION) == [
        "1", "1.1", "1.2", "2", "2.1", "2.2", "3", "4", "4.1", "4.2", "5", "6",
        "Schedule A", "Schedule A, 1", "Schedule A, 2",
    ]
    by_label = {h.label: h for h in find_headings(DISTRIBUTION)}
    assert by_label["2.1"].title == "Initial Term"
    assert by_label["3"].title == "DISTRIBUTION FEE"
    assert by_label["5"].title == "Counterparts"
    assert by_label["Schedule A"].title == "RELEASES"


def test_markdown_headings_take_the_clause_number():
    by_label = {h.label: h for h in find_headings(LICENCE_MD)}
    assert by_label["2"].title == "Fee"
    assert by_label["3"].title == "Territory and Term"


@pytest.mark.parametrize(
    "line",
    [
        "2019 was the year the parties first met and",
        "100 Main Street, Springfield",
        "3 months after the Release Date the Company may",
        "15. this is a lower-case continuation of a wrapped sentence",
    ],
)
def test_wrapped_lines_starting_with_numbers_are_not_clauses(line):
    text = f"1. TERM\nThe Term is set out below and continues until\n{line}\n2. FEES\nNone."
    assert labels(text) == ["1", "2"]


def test_articles_and_sections():
    text = "ARTICLE I — DEFINITIONS\nWords.\nARTICLE II: GRANT\n2.1 Scope. All rights.\nSection 3. Fees\nMoney."
    assert labels(text) == ["Article I", "Article II", "2.1", "3"]


def test_long_clause_is_split_with_overlap_and_keeps_its_section():
    opts = ChunkingOptions(max_chars=600, overlap_chars=100, min_chars=150)
    chunks = chunk_text(DISTRIBUTION, opts)
    assert_offsets(DISTRIBUTION, chunks)
    parts = [c for c in chunks if c.section == "4.1"]
    assert len(parts) >= 3
    assert [c.part for c in parts] == list(range(1, len(parts) + 1))
    assert all(len(c.text) <= 600 for c in parts)
    for a, b in zip(parts, parts[1:]):
        assert b.start < a.end, "consecutive parts must overlap"
        assert a.end - b.start <= 100 + 5
    assert all(c.heading == "Grant of Rights" for c in parts)
    assert parts[0].section_path == "4 RIGHTS > 4.1 Grant of Rights"
    # The bare heading "4. RIGHTS" is not a chunk of its own: it leads the clause's first part.
    assert parts[0].text.startswith("4. RIGHTS\n4.1 Grant of Rights")
    assert not [c for c in chunks if c.text.strip() == "4. RIGHTS"]


def test_tiny_sections_are_merged_and_listed():
    chunks = chunk_text(DISTRIBUTION, ChunkingOptions(max_chars=1000, overlap_chars=100, min_chars=300))
    assert_offsets(DISTRIBUTION, chunks)
    definitions = next(c for c in chunks if "1.1" in c.sections)
    assert definitions.sections[:3] == ["1", "1.1", "1.2"]
    term = next(c for c in chunks if c.section == "2")
    assert term.sections[:3] == ["2", "2.1", "2.2"]
    assert "4" not in term.sections, "a new top-level clause must not join a full group"
    counterparts = next(c for c in chunks if "5" in c.sections)
    assert "Counterparts" in counterparts.text
    # No chunk mixes the body with a schedule.
    assert all(not (any(s.startswith("Schedule") for s in c.sections) and c.section == "6") for c in chunks)


@pytest.mark.parametrize("max_chars", [200, 400, 1000, 3000])
def test_offsets_hold_for_any_size(max_chars):
    opts = ChunkingOptions(max_chars=max_chars, overlap_chars=max_chars // 5, min_chars=max_chars // 4)
    for text in (DISTRIBUTION, LICENCE_MD, "no structure at all " * 300, "x" * 5000):
        chunks = chunk_text(text, opts)
        assert_offsets(text, chunks)
        assert all(len(c.text) <= max_chars for c in chunks)


def test_options_are_validated():
    with pytest.raises(ValueError):
        ChunkingOptions(max_chars=500, overlap_chars=300)
    with pytest.raises(ValueError):
        ChunkingOptions(max_chars=500, min_chars=600)
