"""A title or code the question quotes is found verbatim: the record holding it ranks in the top
hits even when other records share most of its words (retrieval.Retriever.quoted_hits)."""

from __future__ import annotations


def test_a_quoted_title_finds_its_record_among_near_namesakes(fast_service, tmp_path):
    folder = tmp_path / "catalog"
    folder.mkdir()
    rows = ["Track Title,ISRC,Artist,Label"]
    for i in range(60):  # many rows sharing "Blue" and "Hour" with the one asked about
        rows.append(f"Blue Night {i},GBAYE26{i:05d},Artist {i % 7},Nova Records")
        rows.append(f"Golden Hour {i},GBAYF26{i:05d},Artist {i % 5},Nova Records")
    rows.append("Blue Hour,GBAYG2600001,Mara Quinn,Nova Records")
    (folder / "catalog.csv").write_text("\n".join(rows) + "\n")
    assert fast_service.ingest([folder]).ok
    hits = fast_service.retrieve('Who performs the recording "Blue Hour"?', 3)
    assert hits[0].payload.get("record_title") == "Blue Hour", [h.payload.get("record_title") for h in hits]
    assert hits[0].signals.get("quoted") == "Blue Hour"
    unquoted = fast_service.retriever.quoted_hits("Who performs the recording Blue Hour?", None, None)
    assert unquoted == []  # only quoted text counts as typed out


def test_the_record_of_the_kind_asked_about_comes_first_when_titles_are_shared(fast_service, tmp_path):
    """An album and its title track share a title; "what is on the release X" wants the release,
    "who performs the track X" the recording, whatever their lexical scores."""
    from test_ddex import ERN_382

    assert ERN_382.count("Salt Lines") >= 1 and "Blue Hour" in ERN_382
    folder = tmp_path / "catalog"
    folder.mkdir()
    (folder / "nvr042.xml").write_text(ERN_382.replace("Salt Lines", "Blue Hour"))
    assert fast_service.ingest([folder]).ok
    titled = {(h.payload.get("record_kind"), h.payload.get("record_title")) for h in fast_service.store.all_chunks()}
    assert {("release", "Blue Hour"), ("recording", "Blue Hour")} <= titled, titled
    for question, kind in (('What is on the release "Blue Hour"?', "release"), ('Which tracks are on the album "Blue Hour"?', "release"),
                           ('Who performs the track "Blue Hour"?', "recording"), ('Who sings the recording "Blue Hour"?', "recording")):
        top = fast_service.retrieve(question, 3)[0].payload
        assert (top.get("record_kind"), top.get("record_title")) == (kind, "Blue Hour"), question
