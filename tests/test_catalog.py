"""The records table and catalog questions: lists and counts from the table, cited to lines,
filtered by access groups; catalog questions in the chat; large files streamed table-only.

Fixtures: tests/catalog_fixtures/northgate (a split sheet, a CWR 2.1 registration, a DDEX ERN
4.1 message, a catalog export, and a split sheet only the "legal" group may see).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from assistant.catalog.queries import Catalog
from assistant.catalog.questions import answer, match
from ingest.records.catalogdb import FILE_NAME, ipi_valid, norm_name
from ingest.records.stream import stream_table
from ingest.records.tables import read_table

FIXTURES = Path(__file__).parent / "catalog_fixtures" / "northgate"


@pytest.fixture(scope="module")
def northgate(tmp_path_factory):
    """The fixture folder ingested once (hashing embedder, no model): (service, folder)."""
    from assistant.service import RightsService
    from assistant.settings import Settings
    from assistant.testing import HashingEmbedder

    tmp = tmp_path_factory.mktemp("northgate")
    folder = tmp / "files"
    shutil.copytree(FIXTURES, folder)
    with RightsService(Settings(data_dir=tmp / "data"), embedder=HashingEmbedder()) as svc:
        report = svc.ingest([folder])
        assert report.ok, [(r.path, r.reason) for r in report.problems]
        yield svc, folder


def test_ipi_check_digits():
    assert ipi_valid("00000000199") and ipi_valid("199") and ipi_valid("00052345697")
    assert not ipi_valid("00088012383") and not ipi_valid("00000000198") and not ipi_valid("abc")


def test_names_match_in_any_order_and_case():
    assert norm_name("QUINN, Mara") == norm_name("Mara Quinn") == norm_name("MARA  QUINN")


def test_records_table_holds_every_record_with_lines_and_groups(northgate):
    svc, _ = northgate
    con = sqlite3.connect(svc.settings.data_dir / FILE_NAME)
    docs = {name: json.loads(groups) for name, groups in con.execute("SELECT file_name, groups FROM docs")}
    assert docs == {"splits.csv": [], "works.v21": [], "release.xml": [], "catalog.csv": [], "nightingale-splits.csv": ["legal"]}
    kinds = dict(con.execute("SELECT kind, COUNT(*) FROM records GROUP BY kind"))
    assert kinds == {"work": 9, "recording": 6, "release": 1}
    line = con.execute("SELECT line_start, line_end, location FROM records WHERE title = 'Paper Lanterns' AND kind = 'work' "
                       "AND doc_id IN (SELECT doc_id FROM docs WHERE file_name = 'splits.csv')").fetchone()
    assert line == (4, 5, "lines 4-5")


def test_works_by_writer_and_publisher_cited_to_lines(northgate):
    svc, _ = northgate
    everyone = Catalog(svc.restricted([]))
    result = everyone.works_by("Mara Quinn")
    cites = sorted(r.cite for r in result.rows)
    assert cites == ["splits.csv lines 2-3", "splits.csv lines 4-5", "works.v21 lines 3-6", "works.v21 lines 7-11"]
    assert result.total == 4
    pubs = everyone.works_by("Harbour Songs", role="publisher")
    assert [r.title for r in pubs.rows] == ["Salt Lines"]
    assert everyone.works_by("Nobody Known").rows == []


def test_recordings_of_a_work_and_releases_of_a_recording(northgate):
    svc, _ = northgate
    c = Catalog(svc)
    recs = c.recordings_of("T-345.246.800-3")
    assert sorted(r.cite for r in recs.rows) == ["catalog.csv line 2", "release.xml lines 9-16"]
    assert any("ISWC" in r.note for r in recs.rows)
    by_title = c.recordings_of("Paper Lanterns")
    assert {r.file_name for r in by_title.rows} == {"catalog.csv", "release.xml"}
    rels = c.releases_with("GB-NVR-24-00012")
    assert [r.kind for r in rels.rows] == ["release", "recording", "recording"]
    assert rels.rows[0].title == "Night Songs" and "lists ISRC GB-NVR-24-00012" in rels.rows[0].note
    assert "on release Night Songs" in rels.rows[1].note


def test_counts_shares_and_identifier_checks(northgate):
    svc, _ = northgate
    c = Catalog(svc.restricted([]))
    assert c.count() == {"work": 8, "recording": 6, "release": 1}
    assert c.count("work", "Mara Quinn") == {"work": 4}
    shares = c.share_problems()
    assert [(r.title, r.cite, r.note) for r in shares.rows] == [("Paper Lanterns", "splits.csv lines 4-5", "shares total 90.00%")]
    assert [r.title for r in c.identifier_problems("ISWC", "missing").rows] == ["Salt Lines"]
    assert [r.title for r in c.identifier_problems("ISWC", "invalid").rows] == ["<b>Bold</b> Move"]
    bad_ipi = c.identifier_problems("IPI", "invalid")
    assert sorted(r.cite for r in bad_ipi.rows) == ["splits.csv line 7", "works.v21 lines 12-14"]
    assert [r.cite for r in c.identifier_problems("ISRC", "missing").rows] == ["catalog.csv line 4"]
    assert sorted(r.cite for r in c.identifier_problems("UPC", "invalid").rows) == ["catalog.csv line 4", "catalog.csv line 5"]
    on_release = c.identifier_problems("ISWC", "missing", "recording", release="Night Songs")
    assert sorted(r.cite for r in on_release.rows) == ["release.xml lines 17-24", "release.xml lines 9-16"]


QUESTIONS = [
    ("Which works does Mara Quinn have with us?", "works_by", {"name": "Mara Quinn", "role": None}),
    ("works written by Jonah Reyes", "works_by", {"name": "Jonah Reyes", "role": None}),
    ("List the works by publisher Harbour Songs", "works_by", {"name": "Harbour Songs", "role": "publisher"}),
    ("how many works are there?", "count", {"kind": "work", "name": None, "role": None}),
    ("How many recordings do we have", "count", {"kind": "recording", "name": None, "role": None}),
    ("how many works does Mara Quinn have with us?", "count", {"kind": "work", "name": "Mara Quinn", "role": None}),
    ("recordings of Blue Hour", "recordings_of", {"ref": "Blue Hour"}),
    ("Which recordings are there of the work T-345.246.800-3?", "recordings_of", {"ref": "T-345.246.800-3"}),
    ("which releases contain GB-NVR-24-00012?", "releases_with", {"ref": "GB-NVR-24-00012"}),
    ("On which albums does Paper Lanterns appear?", "releases_with", {"ref": "Paper Lanterns"}),
    ("Which works' shares don't total 100%?", "shares", {}),
    ("works whose splits do not add up to 100", "shares", {}),
    ("Which recordings on Night Songs lack an ISWC?", "missing", {"scheme": "ISWC", "kind": "recording", "release": "Night Songs"}),
    ("which works are missing an ISWC", "missing", {"scheme": "ISWC", "kind": "work", "release": None}),
    ("Recordings without ISRC", "missing", {"scheme": "ISRC", "kind": "recording", "release": None}),
    ("works with an invalid IPI", "invalid", {"scheme": "IPI", "kind": None, "release": None}),
    ("Which releases have a wrong UPC?", "invalid", {"scheme": "UPC", "kind": None, "release": None}),
    ("which works have conflicting sources?", "conflicts", {}),
]


@pytest.mark.parametrize("question, intent, args", QUESTIONS)
def test_question_patterns(question, intent, args):
    found = match(question)
    assert found is not None and (found.name, found.args) == (intent, args)


@pytest.mark.parametrize("question", [
    "When does the Nova Records deal expire?", "What is the royalty rate on streaming?", "Who are the parties?",
    "How many albums must the artist deliver?", "Which territories does the licence cover?", "What does clause 4 say?",
])
def test_other_questions_fall_through_to_retrieval(question):
    assert match(question) is None


def test_every_pattern_answers_from_the_fixture(northgate):
    svc, _ = northgate
    view = svc.restricted([])
    texts = {q: answer(view, q) for q, _, _ in QUESTIONS}
    assert all(a is not None for a in texts.values()), [q for q, a in texts.items() if a is None]
    assert texts["Which works does Mara Quinn have with us?"].text.startswith("4 work(s) by Mara Quinn")
    assert "[1]" in texts["Which works does Mara Quinn have with us?"].text
    assert texts["how many works are there?"].text == "In the records you may see: 8 works."
    assert "Paper Lanterns" in texts["Which works' shares don't total 100%?"].text
    assert "Salt Lines" in texts["which works are missing an ISWC"].text
    assert "2 conflict(s)" in texts["which works have conflicting sources?"].text


def test_chat_answers_catalog_questions_with_cited_rows(northgate):
    from assistant.answer.answering import Answerer

    svc, _ = northgate
    a = Answerer(svc.restricted([])).ask("Which works does Mara Quinn have with us?")
    assert a.status == "answered" and a.model == "records table"
    labels = sorted(s.label for s in a.sources)
    assert "splits.csv · lines 4-5 · work: Paper Lanterns" in labels
    assert [n for n, _ in a.cited] == [1, 2, 3, 4]
    assert "Conflict: work 'Blue Hour': shares differ" in a.text  # the question touches a conflicted work
    assert "Conflict: work 'Paper Lanterns': writers differ" in a.text


def test_restricted_rows_never_reach_outsiders(northgate):
    svc, _ = northgate
    outsider, legal = Catalog(svc.restricted(["a-and-r"])), Catalog(svc.restricted(["legal"]))
    assert outsider.search("Nightingale").rows == [] and outsider.lookup("T-120.000.007-1").total == 3
    assert legal.search("Nightingale").rows[0].file_name == "nightingale-splits.csv"
    assert outsider.count("work") == {"work": 8} and legal.count("work") == {"work": 9}
    assert outsider.works_by("Lee Park").total == 3 and legal.works_by("Lee Park").total == 4
    from assistant.catalog.conflicts import conflicts

    hidden = [c for c in conflicts(outsider) if "nightingale" in json.dumps(c.as_dict()).lower()]
    seen = [c for c in conflicts(legal) if "nightingale" in json.dumps(c.as_dict()).lower()]
    assert hidden == [] and {c.kind for c in seen} == {"title", "writers", "ipi"}
    text = answer(svc.restricted(["a-and-r"]), "which works have conflicting sources?").text
    assert "Nightingale" not in text and "nightingale" not in text


def test_forgotten_document_leaves_the_catalog(tmp_path, fast_service):
    folder = tmp_path / "files"
    folder.mkdir()
    shutil.copy(FIXTURES / "splits.csv", folder)
    fast_service.ingest([folder])
    assert Catalog(fast_service).count("work") == {"work": 5}
    fast_service.forget(fast_service.find_documents("splits.csv")[0])
    assert Catalog(fast_service).count("work") == {"work": 0}  # hidden at once (the ledger decides)
    (tmp_path / "empty").mkdir()
    fast_service.ingest([tmp_path / "empty"])  # the next ingest frees its rows
    con = sqlite3.connect(fast_service.settings.data_dir / FILE_NAME)
    assert con.execute("SELECT COUNT(*) FROM records").fetchone() == (0,)


def test_changed_rows_replace_the_documents_rows(tmp_path, fast_service):
    folder = tmp_path / "files"
    folder.mkdir()
    path = folder / "splits.csv"
    shutil.copy(FIXTURES / "splits.csv", path)
    fast_service.ingest([folder])
    con = sqlite3.connect(fast_service.settings.data_dir / FILE_NAME)
    before = [h for (h,) in con.execute("SELECT row_hash FROM records ORDER BY seq")]
    assert fast_service.ingest([folder]).counts["unchanged"] == 1
    path.write_text(path.read_text().replace("Salt Lines", "Salt Lines Reprise"))
    assert fast_service.ingest([folder]).counts["changed"] == 1
    after = [h for (h,) in con.execute("SELECT row_hash FROM records ORDER BY seq")]
    assert len(after) == len(before) and sum(a != b for a, b in zip(before, after)) == 1  # one row changed
    assert [r.title for r in Catalog(fast_service).search("Reprise").rows] == ["Salt Lines Reprise"]


def _big_catalog(path: Path, rows: int) -> None:
    lines = ["Track Title,ISRC,Artist,Release,UPC"]
    lines += [f"Song {i},GBNVR24{i:05d},Artist {i % 7},Album {i // 10},5012345678900" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n")


def test_large_file_streams_into_the_records_table_only(tmp_path, fast_embedder):
    from assistant.service import RightsService
    from assistant.settings import Settings

    folder = tmp_path / "files"
    folder.mkdir()
    _big_catalog(folder / "export.csv", 60)
    with RightsService(Settings(data_dir=tmp_path / "data", catalog_embed_max_records=10), embedder=fast_embedder) as svc:
        report = svc.ingest([folder])
        (result,) = report.results
        assert result.status == "new" and result.chunks == 0
        assert "records table only" in result.warnings[0] and "catalog_embed_max_records" in result.warnings[0]
        assert svc.sources()[0].n_chunks == 0 and svc.sources()[0].doc_type == "catalog"
        c = Catalog(svc)
        assert c.count() == {"recording": 60}
        hit = c.lookup("GB-NVR-24-00042").rows[0]
        assert (hit.title, hit.cite) == ("Song 42", "export.csv line 44")
        text = (folder / "export.csv").read_text()
        assert text[hit.start:hit.end] == "Song 42,GBNVR2400042,Artist 0,Album 4,5012345678900"
        assert [r.title for r in c.search("Song 7").rows][:1] == ["Song 7"]
        assert answer(svc, "how many recordings are there?").text == "In the records you may see: 60 recordings."
        found = answer(svc, "Who performs GB-NVR-24-00042?")  # table-only rows: answered from the table
        assert found is not None and "Song 42" in found.text and "[1]" in found.text


def test_identifier_questions_about_embedded_records_go_to_retrieval(northgate):
    svc, _ = northgate
    assert match("Who wrote T-345.246.800-3?").name == "lookup"
    assert answer(svc, "Who wrote T-345.246.800-3?") is None  # its records are embedded: retrieval cites them


def test_record_cap_is_a_setting_with_a_clear_message(tmp_path, fast_embedder):
    from assistant.service import RightsService
    from assistant.settings import Settings

    folder = tmp_path / "files"
    folder.mkdir()
    _big_catalog(folder / "export.csv", 60)
    with RightsService(Settings(data_dir=tmp_path / "data", catalog_embed_max_records=10, catalog_max_records=50),
                       embedder=fast_embedder) as svc:
        (result,) = svc.ingest([folder]).results
        assert result.status == "failed" and "more than 50 records" in result.reason and "catalog_max_records" in result.reason
        assert Catalog(svc).count() == {}


def test_streamed_csv_has_its_own_size_limit(tmp_path, fast_embedder):
    from assistant.service import RightsService
    from assistant.settings import Settings

    folder = tmp_path / "files"
    folder.mkdir()
    _big_catalog(folder / "export.csv", 25_000)  # about 1.3 MB
    (folder / "notes.txt").write_text("x " * 600_000)  # 1.2 MB of text: not streamed
    settings = Settings(data_dir=tmp_path / "data", catalog_embed_max_records=10, ingest_max_file_mb=1)
    with RightsService(settings, embedder=fast_embedder) as svc:
        results = {Path(r.path).name: r for r in svc.ingest([folder]).results}
        assert results["export.csv"].status == "new" and Catalog(svc).count() == {"recording": 25_000}
        assert results["notes.txt"].status == "failed" and "ingest_max_file_mb" in results["notes.txt"].reason
    settings = Settings(data_dir=tmp_path / "data2", catalog_embed_max_records=10, catalog_max_file_mb=1)
    with RightsService(settings, embedder=fast_embedder) as svc:
        (result,) = [r for r in svc.ingest([folder / "export.csv"]).results]
        assert result.status == "failed" and "catalog_max_file_mb" in result.reason


@pytest.mark.parametrize("name", ["splits.csv", "catalog.csv"])
def test_streamed_records_match_the_whole_file_reader(name):
    path = FIXTURES / name
    whole = read_table(path).records
    streamed = list(stream_table(path))
    assert [(r.kind, r.title, r.line_start, r.line_end, r.start, r.end, r.keys, r.warnings) for r in streamed] == [
        (r.kind, r.title, r.line_start, r.line_end, r.start, r.end, r.keys, r.warnings) for r in whole]


def test_record_chunks_embed_only_identifying_text(northgate):
    svc, _ = northgate
    from ingest.records.model import identifying_text
    from ingest.records.tables import read_table as read

    work = read(FIXTURES / "splits.csv").records[0]
    text = identifying_text(work, "splits.csv")
    assert text.splitlines()[0] == "Work: Blue Hour" and "ISWC T3452468003" in text and "Mara Quinn 50%" in text
    assert "IPI" not in text and len(text) < 200


def test_a_failed_rewrite_leaves_the_old_rows(tmp_path, fast_embedder, monkeypatch):
    import ingest.pipeline as pipeline
    from assistant.service import RightsService
    from assistant.settings import Settings

    folder = tmp_path / "files"
    folder.mkdir()
    _big_catalog(folder / "export.csv", 60)
    with RightsService(Settings(data_dir=tmp_path / "data", catalog_embed_max_records=10), embedder=fast_embedder) as svc:
        svc.ingest([folder])
        _big_catalog(folder / "export.csv", 80)
        real = pipeline.stream_table

        def dies_half_way(path, info=None):
            for n, record in enumerate(real(path, info)):
                if n == 40:
                    raise RuntimeError("reader bug")
                yield record

        monkeypatch.setattr(pipeline, "stream_table", dies_half_way)
        (result,) = svc.ingest([folder]).results
        assert result.status == "failed" and "reader bug" in result.reason
        assert Catalog(svc).count() == {"recording": 60}  # the old version, whole
        monkeypatch.setattr(pipeline, "stream_table", real)
        svc.ingest([folder])
        assert Catalog(svc).count() == {"recording": 80}
