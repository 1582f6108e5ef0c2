"""The consolidated agreement (assistant/contracts/consolidated): thirteen contract families written for
this test, by different drafters, each changing its agreement with the closed set of operations
(replace, delete, insert, replace words, add words or a sentence, amend a definition,
"notwithstanding"). Every changed clause must read as the
last change left it, every original must stay readable as the original, and every change that
cannot be applied must be listed, never dropped.

Styles vary on purpose: numbering ("2.1", "Clause 2.1", "Section 2.1.", lettered sub-clauses,
schedule paragraphs), quotes (straight, curly, single), and four wordings per operation.
"""

from __future__ import annotations

import pytest

from assistant.contracts.consolidated.apply import ChangeDocument, consolidate, restricted_targets
from assistant.contracts.consolidated.operations import operations
from assistant.contracts.consolidated.redline import redline, word_diff
from assistant.contracts.consolidated.tree import clause_tree, normalise_ref


def _agreement(parties: str, style: str = "plain") -> str:
    """A recording/publishing agreement whose clauses are numbered in one of several styles."""
    clauses = [
        ("1", "DEFINITIONS", [("1.1", '"Records" means the master recordings delivered under this agreement.'),
                               ("1.2", '"Net Receipts" means sums actually received, less VAT.')]),
        ("2", "TERM", [("2.1", "The Term begins on 1 May 2022 and ends on 30 April 2025."),
                       ("2.2", "The Company may extend the Term once by twelve (12) months by written notice.")]),
        ("3", "TERRITORY", [("3.1", "The Territory is the World.")]),
        ("6", "ROYALTIES", [("6.1", "The Company shall pay the Artist seventy per cent (70%) of mechanical income."),
                            ("6.2", "Streaming royalties are twenty per cent (20%) of Net Receipts, as follows:"),
                            ("(a)", "statements are sent twice a year; and"),
                            ("(b)", "payment is due sixty (60) days after each statement.")]),
        ("9", "CONFIDENTIALITY", [("9.1", "Each party shall keep this agreement confidential."),
                                  ("9.2", "This clause survives termination for two (2) years.")]),
        ("12", "NOTICES", [("12.1", "Notices are sent by post to the addresses above.")]),
    ]
    lines = [f"RECORDING AGREEMENT between {parties}", ""]
    for number, heading, subs in clauses:
        lines.append({"plain": f"{number}. {heading}", "clause": f"Clause {number}. {heading}",
                      "section": f"Section {number}. {heading.title()}"}[style])
        for ref, text in subs:
            if ref.startswith("("):
                lines.append(f"    {ref} {text}")
            else:
                lines.append({"plain": f"{ref} {text}", "clause": f"Clause {ref} {text}", "section": f"Section {ref}. {text}"}[style])
        lines.append("")
    lines += ["SCHEDULE 2", "1. Delivery of two (2) albums.", "2. Each album holds at least ten (10) tracks.", ""]
    return "\n".join(lines)


def _doc(name: str, date: str, text: str, role: str = "amendment") -> ChangeDocument:
    return ChangeDocument(name, f"{name}.txt", date, text, role)


# (family, agreement style, change documents, expected current wording per clause (substring), unapplied count)
FAMILIES = [
    ("Nova Records / Mara Quinn", "plain", [
        _doc("nova-first-amendment", "2023-06-10",
             "1. Clause 2.1 of the Agreement is deleted and replaced by: 'The Term begins on 1 May 2022 and ends on 2 April 2026.'\n\n"
             "2. Clause 3.1 of the Agreement is deleted and replaced by: \"The Territory is the World excluding Japan.\"\n\n"
             "3. In clause 6.1 of the Agreement, 'seventy per cent (70%)' is replaced by 'seventy-five per cent (75%)'.\n")],
     {"2.1": "ends on 2 April 2026", "3.1": "World excluding Japan", "6.1": "seventy-five per cent (75%)"}, 0),
    ("Halcyon Music / Theo Lark", "clause", [
        _doc("halcyon-variation", "2024-02-01",
             "The parties agree that the Agreement is amended by deleting clause 2.1 and replacing it with the following:\n"
             "“The Term begins on 1 May 2022 and ends on 31 December 2026.”\n\n"
             "Clause 9.2 is deleted in its entirety.\n\n"
             "Clause 6.1 is amended by deleting the words “seventy per cent (70%)” and substituting “eighty per cent (80%)”.\n")],
     {"2.1": "31 December 2026", "9.2": None, "6.1": "eighty per cent (80%)"}, 0),
    ("Sakura Ongaku / Northgate Publishing", "section", [
        _doc("sakura-addendum", "2023-03-15",
             "With effect from 1 April 2023, Section 3.1 shall be amended to read as follows: 'The Territory is Japan, Korea and Taiwan.'\n\n"
             "By substituting 'ninety (90) days' for 'sixty (60) days' in Section 6.2(b).\n\n"
             "A new Section 12.2 is inserted after Section 12.1: \"Notices may also be sent by email to legal@sakura.example.\"\n")],
     {"3.1": "Japan, Korea and Taiwan", "6.2(b)": "ninety (90) days", "12.2": "by email"}, 0),
    ("Meridian Distribution / Paper Lantern", "plain", [
        _doc("meridian-amendment-1", "2022-09-01",
             "1. Clause 6.1 shall now read: \"The Company shall pay the Artist sixty-five per cent (65%) of mechanical income.\"\n"),
        _doc("meridian-amendment-2", "2023-09-01",
             "1. In clause 6.1 of the Agreement, \"sixty-five per cent (65%)\" is replaced by \"seventy-two per cent (72%)\".\n")],
     {"6.1": "seventy-two per cent (72%)"}, 0),  # an amendment of an amendment
    ("Kestrel Records / Jonah Reyes", "plain", [
        _doc("kestrel-amendment-2", "2024-05-01",
             "Clause 2.1 is replaced in its entirety by: 'The Term ends on 30 April 2028.'\n"),
        _doc("kestrel-amendment-1", "2023-05-01",
             "Clause 2.1 is replaced in its entirety by: 'The Term ends on 30 April 2027.'\n")],
     {"2.1": "30 April 2028"}, 0),  # two amendments of one clause, given out of order: the later wins
    ("Pinecrest Publishing / Ada Vale", "clause", [
        _doc("pinecrest-side-letter", "2023-01-20",
             "Dear Ada,\n\nNotwithstanding clause 3.1 of the Agreement, the Company may not exploit the Records in France.\n\n"
             "Clause 14.3 of the Agreement is deleted and replaced by: \"Disputes go to mediation first.\"\n", "side letter")],
     {"3.1": "The Territory is the World."}, 1),  # the override prevails; clause 14.3 does not exist: unapplied
    ("Solstice Songs / Lena Marsh", "plain", [
        _doc("solstice-amendment", "2024-07-01",
             "(1) Delete clause 9.\n\n"
             "(2) The following is added as clause 6.2(c): 'an annual audit may be requested on thirty (30) days notice.'\n\n"
             "(3) In clause 1.2, \"less VAT\" shall be read as \"less VAT and collection costs\".\n")],
     {"9": None, "9.1": None, "6.2(c)": "annual audit", "1.2": "less VAT and collection costs"}, 0),
    ("Tidewell Media / Blue Hour Films", "section", [
        _doc("tidewell-amendment", "2025-01-10",
             "1. The following new Section 6.3 is hereby inserted: \"Synchronisation fees are split 50/50.\"\n\n"
             "2. Section 9.1 shall cease to have effect.\n\n"
             "3. In Section 12.1, 'by email' is replaced by 'by courier'.\n")],
     {"6.3": "split 50/50", "9.1": None}, 1),  # "by email" is not in 12.1: unapplied, reported
    ("Copperline / Rue Castell", "plain", [
        _doc("copperline-deed-of-variation", "2023-11-30",
             "1. Clause 6.2 is hereby restated in full as follows: 'Streaming royalties are twenty-five per cent (25%) of Net Receipts.'\n\n"
             "2. Paragraph 1 of Schedule 2 is deleted and replaced by: \"Delivery of three (3) albums.\"\n\n"
             "3. In clause 6.1, 'per cent' is replaced by 'percent'.\n")],
     {"6.2": "twenty-five per cent (25%)", "6.2(a)": None, "schedule 2 1": "three (3) albums"}, 0),
    ("Osprey Audio / Mira Sol", "clause", [
        _doc("osprey-amendment", "2022-12-01",
             "Clause 2.2 of the Principal Agreement is deleted.\n\n"
             "Insert the following as a new clause 2.3 after clause 2.1: 'The Term may not be extended.'\n\n"
             "In clause 3.1, \"the World\" is deleted and replaced with \"the United Kingdom and Ireland\".\n\n"
             "Clause 7.4 shall be deleted in its entirety.\n")],
     {"2.2": None, "2.3": "may not be extended", "3.1": "United Kingdom and Ireland"}, 1),
    # a US drafter: "amended and restated", "in lieu thereof", "by changing ... to ...", definitions
    ("Riverbend Records / Cole Avery", "section", [
        _doc("riverbend-first-amendment", "2024-03-01",
             "1. Section 2.1 of the Agreement is hereby amended and restated in its entirety as follows:\n\n"
             "\"2.1 The Term begins on 1 May 2022 and ends on 31 October 2026.\"\n\n"
             "2. Section 3.1 of the Agreement is hereby deleted in its entirety and the following is substituted in lieu thereof: "
             "\"The Territory is the United States and Canada.\"\n\n"
             "3. Section 6.2(b) is hereby amended by changing 'sixty (60) days' to 'forty-five (45) days'.\n\n"
             "4. The definition of \"Net Receipts\" in Section 1.2 is deleted and replaced with: \"Net Receipts\" means sums "
             "actually received, less VAT and collection costs.\n\n"
             "5. The definition of \"Advance\" is deleted.\n")],
     {"2.1": "31 October 2026", "3.1": "United States and Canada", "6.2(b)": "forty-five (45) days",
      "1.2": "less VAT and collection costs"}, 1),  # no "Advance" is defined: unapplied, reported
    ("Lumen Sound / Ivy Hart", "plain", [
        _doc("lumen-amendment", "2023-08-15",
             "The parties agree as follows.\n\n"
             "(a) The words 'twenty per cent (20%)' in clause 6.2 of the Agreement are replaced with 'twenty-two per cent (22%)'.\n\n"
             "(b) The definition of 'Records' is amended to read: master recordings and music videos delivered under this agreement.\n\n"
             "(c) Delete clause 12.1 and insert the following: 'Notices are sent by email to the addresses above.'\n")],
     {"6.2": "twenty-two per cent (22%)", "1.1": "master recordings and music videos", "12.1": "by email"}, 0),
    # sentences added at a clause's end, and words added after words already there
    ("Harbour Lane / Nia Cole", "clause", [
        _doc("harbour-lane-amendment", "2024-09-09",
             "1. Clause 9.1 of the Agreement is amended by adding the following at the end: 'This obligation binds the "
             "parties' affiliates.'\n\n"
             "2. At the end of clause 12.1, add: \"Notices may also be delivered by hand.\"\n\n"
             "3. In clause 1.1, after the words 'master recordings' insert 'and audiovisual recordings'.\n\n"
             "4. Clause 2.2 is amended by inserting the words 'in writing' after the words 'by notice'.\n")],
     {"9.1": "confidential. This obligation binds the parties' affiliates.", "12.1": "delivered by hand",
      "1.1": "master recordings and audiovisual recordings delivered"}, 1),  # 2.2 says "by written notice": unapplied
]


@pytest.mark.parametrize("family,style,docs,expected,n_unapplied", FAMILIES, ids=[f[0] for f in FAMILIES])
def test_every_change_reads_as_the_last_document_left_it(family, style, docs, expected, n_unapplied):
    base = _agreement(family, style)
    result = consolidate(base, docs)
    for ref, wording in expected.items():
        clause = result.clause(normalise_ref(ref))
        assert clause is not None, f"{family}: clause {ref} missing"
        if wording is None:
            assert clause.current == "" and clause.status == "deleted", f"{family}: {ref} should be deleted: {clause.current!r}"
        else:
            assert wording in " ".join(clause.current.split()), f"{family}: {ref} reads {clause.current!r}"
    assert len(result.unapplied) == n_unapplied, [u.reason for u in result.unapplied]
    for clause in result.clauses:  # originals stay readable as originals
        node = next((n for n in clause_tree(base) if n.ref == clause.ref), None)
        assert clause.original == (node.text if node else "")


def test_the_numbers_of_every_style_are_read_as_one_tree():
    for style in ("plain", "clause", "section"):
        refs = [n.ref for n in clause_tree(_agreement("A / B", style))]
        assert refs[:6] == ["1", "1.1", "1.2", "2", "2.1", "2.2"], (style, refs)
        assert {"6.2(a)", "6.2(b)", "schedule 2", "schedule 2 1", "schedule 2 2"} <= set(refs), (style, refs)
    assert normalise_ref("Clause 6.1 (a)") == "6.1(a)" == normalise_ref("section 6.1(A).")


def test_unchanged_clauses_keep_the_base_wording_and_changed_ones_their_history():
    result = consolidate(_agreement("A / B"), FAMILIES[3][2])
    six_one = result.clause("6.1")
    assert [c.doc.doc_id for c in six_one.changes] == ["meridian-amendment-1", "meridian-amendment-2"]
    assert "seventy per cent (70%)" in six_one.original
    assert "sixty-five" in six_one.changes[-1].before and "seventy-two" in six_one.changes[-1].after
    assert result.clause("3.1").status == "unchanged"


def test_a_side_letter_that_overrides_notwithstanding_is_kept_beside_the_clause():
    result = consolidate(_agreement("A / B", "clause"), FAMILIES[5][2])
    territory = result.clause("3.1")
    assert territory.status == "overridden"
    assert "may not exploit the Records in France" in territory.overrides[0].op.new
    assert "prevails over it" in redline(result, changed_only=True)


def test_words_that_appear_twice_are_not_guessed_at():
    base = _agreement("A / B")
    doc = _doc("ambiguous", "2024-01-01", "In clause 6, 'per cent' is replaced by 'percent'.\n")
    result = consolidate(base, [doc])
    assert len(result.unapplied) == 1 and "appear" in result.unapplied[0].reason
    assert result.clause("6.1").status == "unchanged"  # nothing half-applied
    wherever = _doc("wherever", "2024-01-01", "In clause 6, 'per cent' wherever it appears is replaced by 'percent'.\n")
    result = consolidate(base, [wherever])
    assert result.unapplied == [] and "percent (70%)" in result.clause("6.1").current and "percent (20%)" in result.clause("6.2").current


def test_every_unapplied_change_is_shown_with_its_reason_and_words():
    result = consolidate(_agreement("A / B", "section"), FAMILIES[7][2])
    text = redline(result)
    assert "Not applied (1)" in text and "by email" in text and "tidewell-amendment.txt" in text
    assert result.unapplied_for("12") and not result.unapplied_for("3")


def test_the_redline_marks_struck_and_inserted_words():
    assert word_diff("pay seventy per cent (70%) of income", "pay seventy-five per cent (75%) of income") == \
        "pay [-seventy-] {+seventy-five+} per cent [-(70%)-] {+(75%)+} of income"
    text = redline(consolidate(_agreement("A / B"), FAMILIES[0][2]), changed_only=True)
    assert "{+(75%)+}" in text and "nova-first-amendment.txt (amendment, 10 June 2023)" in text
    assert "CONFIDENTIALITY" not in text  # only what changed


def test_a_stated_effective_date_orders_the_change_and_is_shown():
    ops = operations(FAMILIES[2][2][0].text)
    assert [o.kind for o in ops] == ["replace", "substitute", "insert"]
    assert ops[0].effective == "2023-04-01" and ops[1].effective == ""


def test_text_that_only_mentions_a_clause_is_not_an_operation():
    assert operations("The Artist confirms that clause 6.1 of the Agreement remains in full force. See clause 2 for the Term.") == []


def test_the_service_consolidates_only_what_the_viewer_may_see(fast_service, tmp_path):
    folder = tmp_path / "family"
    folder.mkdir()
    (folder / "nova-recording-agreement.txt").write_text(
        "RECORDING AGREEMENT\n\nThis Recording Agreement is made on 1 May 2022 between Nova Records Limited (the \"Company\") "
        "and Mara Quinn (the \"Artist\").\n\n" + _agreement("Nova Records Limited / Mara Quinn").split("\n", 2)[2])
    amendment = ("FIRST AMENDMENT\n\nThis First Amendment dated 10 June 2023 amends the Recording Agreement dated 1 May 2022 "
                 "between Nova Records Limited and Mara Quinn (the \"Agreement\").\n\n"
                 "1. In clause 6.1 of the Agreement, 'seventy per cent (70%)' is replaced by 'seventy-five per cent (75%)'.\n")
    (folder / "nova-first-amendment.txt").write_text(amendment)
    (folder / "nova-first-amendment.txt.groups").write_text("legal")
    assert fast_service.ingest([folder]).ok
    agreement = next(d for d in fast_service.sources() if d.file_name == "nova-recording-agreement.txt")
    legal = fast_service.restricted(["legal"]).consolidated(agreement.doc_id)
    assert "seventy-five per cent (75%)" in legal.clause("6.1").current
    assert legal.restricted == []
    outsider = fast_service.restricted(["a-and-r"]).consolidated(agreement.doc_id)
    assert outsider.clause("6.1").status == "unchanged" and outsider.documents == []
    # told that a document they may not see acts on clause 6.1, and nothing else of it
    assert outsider.restricted == ["6.1"] and outsider.restricted_for("6.1") and not outsider.restricted_for("3.1")
    shown = redline(outsider, changed_only=True)
    assert "may not see may change clause 6.1" in shown
    assert not any(w in shown.lower() for w in ("amendment", "75", "10 june 2023", "seventy-five"))
    # search lists the agreement's words as ingested; a passage holding clause 6.1 says what it reads now
    chunk = next(h for h in fast_service.store.get_chunks(agreement.doc_id, range(agreement.n_chunks))
                 if "seventy per cent (70%)" in h.payload["text"])
    [note] = fast_service.restricted(["legal"]).passage_notes([chunk])[chunk.point_id]
    assert note.startswith("clause 6.1 was amended by nova-first-amendment.txt") and "seventy-five per cent (75%)" in note
    [told] = fast_service.restricted(["a-and-r"]).passage_notes([chunk])[chunk.point_id]
    assert "may not see" in told and not any(w in told.lower() for w in ("amendment", "75", "june", "seventy-five"))
    others = [h for h in fast_service.store.get_chunks(agreement.doc_id, range(agreement.n_chunks)) if "6.1" not in h.payload["text"]]
    assert not any(fast_service.passage_notes(others).values())  # unchanged clauses carry no note


class _View:
    """What the Contracts view asks of a service: its consolidation of one family and the key terms
    later documents set (one here, whose words hold markup, to prove it is shown inert)."""

    def __init__(self, consolidated):
        self._c = consolidated

    def consolidated(self, family):
        return self._c

    def contract_terms(self, family):
        from types import SimpleNamespace

        line = {"key": "expiry", "label": "Term end / expiry", "now": "31 October 2023", "was": "30 April 2025", "basis": "",
                "file_name": "nova-termination.txt", "role": "termination notice", "date": "2023-07-28", "effective": "",
                "words": "We terminate the Agreement <b>x</b> effective October 31, 2023."}
        return SimpleNamespace(set_by_changes=lambda: [line])


def test_the_chat_redline_marks_changes_and_renders_document_words_inert():
    from assistant.web.contracts_tab import redline_html

    hostile = ('A new clause 12.2 is inserted after clause 12.1: "Notices may be sent to <img src=x onerror=alert(1)> '
               'or [here](http://evil.example/x.png)."\n\n'
               "In clause 6.1, 'seventy per cent (70%)' is replaced by 'seventy-five per cent (75%)'.\n\n"
               "Clause 14.3 is deleted and replaced by: 'Disputes go to mediation first.'\n")
    current = consolidate(_agreement("Nova Records / Mara Quinn"), [_doc("nova-<b>x</b>-amendment", "2023-06-10", hostile)])
    current.restricted = ["3.1", "19.4"]  # 19.4: a clause the agreement does not have (it may be inserted)
    html = redline_html(_View(current), "nova", changed_only=True)
    assert "may add or change clause 19.4" in html and "may add or change clause 19.4" in redline(current, changed_only=True)
    assert "<img" not in html and "<b>x" not in html and "&lt;img src=x" in html  # escaped, shown as words
    assert "href" not in html
    assert "<del>seventy</del>" in html and "<ins>seventy-five</ins>" in html and "<ins>12.2 Notices" in html
    assert "Not applied (1)" in html and "clause 14.3 is not in the agreement" in html
    assert "may not see may change clause 3.1" in html
    assert "The deal now" in html and "Term end / expiry: 31 October 2023, by nova-termination.txt" in html
    assert "Each party shall keep this agreement confidential." not in html  # only the touched clauses by default
    whole = redline_html(_View(current), "nova", changed_only=False)
    assert "Each party shall keep this agreement confidential." in whole
    assert "Click a row" in redline_html(_View(None), "")


@pytest.mark.slow  # the real embedding model: retrieval as users get it
def test_an_answer_from_a_clause_with_an_unapplied_change_says_so(tmp_path, embedder):
    from assistant.answer.answering import Answerer
    from assistant.service import RightsService
    from assistant.settings import Settings

    folder = tmp_path / "family"
    folder.mkdir()
    company, artist = "Wrenfield Records Limited", "Ines Kova"
    (folder / "wrenfield-agreement.txt").write_text(
        f"RECORDING AGREEMENT\n\nThis Recording Agreement is made on 1 May 2022 between {company} (the \"Company\") and "
        f"{artist} (the \"Artist\").\n\n" + _agreement(f"{company} / {artist}").split("\n", 2)[2])
    (folder / "wrenfield-amendment.txt").write_text(
        f"AMENDMENT\n\nThis Amendment dated 10 June 2023 amends the Recording Agreement dated 1 May 2022 between {company} and "
        f"{artist} (the \"Agreement\").\n\n1. In clause 6.1 of the Agreement, 'sixty per cent (60%)' is replaced by "
        "'sixty-five per cent (65%)'.\n")
    with RightsService(Settings(data_dir=tmp_path / "data"), embedder=embedder) as svc:
        assert svc.ingest([folder]).ok
        a = Answerer(svc).ask(f"What mechanical royalty does {company} pay {artist}?")
    assert not a.abstained and "seventy per cent (70%)" in a.text
    assert "could not be applied" in a.text and "wrenfield-amendment.txt" in a.text and "clause 6.1" in a.text


@pytest.mark.slow  # the CLI loads the real embedding model
def test_rights_family_prints_the_consolidated_agreement_and_counts_unapplied_changes(cli, tmp_path):
    folder = tmp_path / "family"
    folder.mkdir()
    (folder / "kestrel-recording-agreement.txt").write_text(
        "RECORDING AGREEMENT\n\nThis Recording Agreement is made on 1 May 2022 between Kestrel Records Limited (the \"Company\") "
        "and Jonah Reyes (the \"Artist\").\n\n" + _agreement("Kestrel Records Limited / Jonah Reyes").split("\n", 2)[2])
    (folder / "kestrel-first-amendment.txt").write_text(
        "FIRST AMENDMENT\n\nThis First Amendment dated 10 June 2023 amends the Recording Agreement dated 1 May 2022 between "
        "Kestrel Records Limited and Jonah Reyes (the \"Agreement\").\n\n"
        "1. Clause 2.1 of the Agreement is deleted and replaced by: 'The Term ends on 2 April 2026.'\n\n"
        "2. Clause 14.3 of the Agreement is deleted and replaced by: 'Disputes go to mediation first.'\n")
    assert cli("ingest", str(folder)).exit_code == 0
    listing = cli("family", "kestrel-recording-agreement.txt")
    assert listing.exit_code == 0 and "1 clause(s) changed" in listing.output and "1 change(s) could not be applied" in listing.output
    shown = cli("family", "kestrel-recording-agreement.txt", "--consolidated", "--changed")
    assert shown.exit_code == 0
    flat = " ".join(shown.output.split())
    assert "[-begins on 1 May 2022 and-]" in flat and "[-2025.-] {+2026.+}" in flat  # struck, inserted
    assert "clause 14.3 is not in the agreement" in shown.output
    # the deal beyond the clauses' words: the key terms a later document set, with their source
    assert "key term(s) set by later documents" in listing.output
    assert "The deal now" in shown.output and "Term end / expiry: 2 April 2026, by kestrel-first-amendment.txt" in flat
    import json

    data = json.loads(cli("family", "kestrel-first-amendment.txt", "--consolidated", "--json").output)
    assert [c["ref"] for c in data["clauses"] if c["status"] != "unchanged"] == ["2.1"] and len(data["unapplied"]) == 1
    assert {(d["key"], d["now"], d["file_name"]) for d in data["deal_changes"]} >= {("expiry", "2 April 2026", "kestrel-first-amendment.txt")}


# -- answers from the current clauses, on the ten families ingested as files ---------------------------
PARTIES = {  # family -> (company, artist), as the preambles name them
    "Nova Records / Mara Quinn": ("Nova Records Limited", "Mara Quinn"),
    "Halcyon Music / Theo Lark": ("Halcyon Music Limited", "Theo Lark"),
    "Sakura Ongaku / Northgate Publishing": ("Sakura Ongaku KK", "Northgate Publishing"),
    "Meridian Distribution / Paper Lantern": ("Meridian Distribution Limited", "Paper Lantern"),
    "Kestrel Records / Jonah Reyes": ("Kestrel Records Limited", "Jonah Reyes"),
    "Pinecrest Publishing / Ada Vale": ("Pinecrest Publishing Limited", "Ada Vale"),
    "Solstice Songs / Lena Marsh": ("Solstice Songs Limited", "Lena Marsh"),
    "Tidewell Media / Blue Hour Films": ("Tidewell Media Limited", "Blue Hour Films"),
    "Copperline / Rue Castell": ("Copperline Limited", "Rue Castell"),
    "Osprey Audio / Mira Sol": ("Osprey Audio Limited", "Mira Sol"),
    "Riverbend Records / Cole Avery": ("Riverbend Records Inc", "Cole Avery"),
    "Lumen Sound / Ivy Hart": ("Lumen Sound Limited", "Ivy Hart"),
    "Harbour Lane / Nia Cole": ("Harbour Lane Records Limited", "Nia Cole"),
}
# clause -> (question about it now, question about the original, the original's words)
ASKED = {
    "2.1": ("When does the term of {a}'s agreement with {c} end?", "When did the term of {a}'s agreement with {c} originally end?", "30 April 2025"),
    "3.1": ("What is the territory of {a}'s agreement with {c}?", "What was the original territory of {a}'s agreement with {c}?", "the World"),
    "6.1": ("What mechanical royalty does {c} pay {a}?", "What was the original mechanical royalty {c} paid {a}?", "seventy per cent (70%)"),
    "6.2": ("What is the streaming royalty {c} pays {a}?", "What was the original streaming royalty {c} paid {a}?", "twenty per cent (20%)"),
    "6.2(b)": ("How many days after each statement is payment due from {c} to {a}?", "How many days after each statement was payment originally due from {c} to {a}?", "sixty (60) days"),
}


# a clause a side letter overrides stands, but the answer is the sentence that prevails
OVERRIDDEN = {("Pinecrest Publishing / Ada Vale", "3.1"): "may not exploit the Records in France"}


def _write_family(folder, family, style, docs):
    company, artist = PARTIES[family]
    stem = company.split()[0].lower()
    (folder / f"{stem}-agreement.txt").write_text(
        f"RECORDING AGREEMENT\n\nThis Recording Agreement is made on 1 May 2022 between {company} (the \"Company\") and "
        f"{artist} (the \"Artist\").\n\n" + _agreement(f"{company} / {artist}", style).split("\n", 2)[2])
    for i, doc in enumerate(docs, 1):
        title = {"side letter": "SIDE LETTER"}.get(doc.role, "AMENDMENT")
        (folder / f"{stem}-{doc.role.replace(' ', '-')}-{i}.txt").write_text(
            f"{title}\n\nThis {title.title()} dated {doc.date} amends the Recording Agreement dated 1 May 2022 between "
            f"{company} and {artist} (the \"Agreement\").\n\n{doc.text}")


@pytest.mark.slow  # the real embedding model: retrieval as users get it
def test_answers_state_the_current_clause_and_originals_when_asked(tmp_path, embedder):
    from assistant.answer.answering import Answerer
    from assistant.service import RightsService
    from assistant.settings import Settings
    from assistant.text.facts import states
    from assistant.text.kinds import find_facts

    folder = tmp_path / "families"
    folder.mkdir()
    cases = []
    for family, style, docs, expected, _ in FAMILIES:
        _write_family(folder, family, style, docs)
        company, artist = PARTIES[family]
        for ref, wording in expected.items():
            wording = OVERRIDDEN.get((family, ref), wording)
            if ref in ASKED and wording:
                now, was, original = ASKED[ref]
                cases.append((family, now.format(a=artist, c=company), wording, was.format(a=artist, c=company), original))
    with RightsService(Settings(data_dir=tmp_path / "data"), embedder=embedder) as svc:
        assert svc.ingest([folder]).ok
        answerer = Answerer(svc)
        current_right, original_right, misses = 0, 0, []
        for _family, now, wording, was, original in cases:
            a = answerer.ask(now)
            stated = a.text.split("Before that")[0]  # the current part of the answer, not what it replaced
            ok = not a.abstained and (states(stated, wording) or any(states(stated, f.text) for f in find_facts(wording)[:1]))
            current_right += ok
            if not ok:
                misses.append(("now", now, " ".join(a.text.split())[:200]))
            b = answerer.ask(was)
            ok = not b.abstained and states(b.text, original)
            original_right += ok
            if not ok:
                misses.append(("original", was, " ".join(b.text.split())[:200]))
        # questions the families' documents do not answer: no advance, no governing law in any of them
        declined = 0
        unanswerable = [q.format(a=a, c=c) for a, c in ((PARTIES[f][1], PARTIES[f][0]) for f in PARTIES)
                        for q in ("How much is the advance {c} pays {a}?", "Which law governs {a}'s agreement with {c}?")]
        for q in unanswerable:
            r = answerer.ask(q)
            declined += r.abstained
            if not r.abstained:
                misses.append(("unanswerable", q, " ".join(r.text.split())[:200]))
    print(f"\nconsolidation families: current clauses {current_right}/{len(cases)}, originals asked as originals "
          f"{original_right}/{len(cases)}, unanswerable declined {declined}/{len(unanswerable)}")
    for m in misses:
        print("  miss", m)
    # measured 2026-12-06: 12/12 current, 12/12 originals; one miss allowed each for selection noise
    assert current_right >= len(cases) - 1 and original_right >= len(cases) - 1


# what the key terms must read after the families' changes: (key, slot) -> (original, current), per family
TERMS_NOW = {
    "Nova Records / Mara Quinn": {("expiry", ""): ("2025-04-30", "2026-04-02"), ("territory", ""): ("WW", "WW excluding JP"),
                                  ("royalties", "mechanical"): ("70%", "75%")},
    "Halcyon Music / Theo Lark": {("expiry", ""): ("2025-04-30", "2026-12-31"), ("royalties", "mechanical"): ("70%", "80%")},
    "Sakura Ongaku / Northgate Publishing": {("territory", ""): ("WW", "JP, KR, TW")},
    "Meridian Distribution / Paper Lantern": {("royalties", "mechanical"): ("70%", "72%")},
    "Kestrel Records / Jonah Reyes": {("expiry", ""): ("2025-04-30", "2028-04-30")},
    "Copperline / Rue Castell": {("royalties", "streaming"): ("20%", "25%")},
    "Osprey Audio / Mira Sol": {("territory", ""): ("WW", "GB, IE")},
    "Riverbend Records / Cole Avery": {("expiry", ""): ("2025-04-30", "2026-10-31"), ("territory", ""): ("WW", "US, CA")},
    "Lumen Sound / Ivy Hart": {("royalties", "streaming"): ("20%", "22%")},
}


def _shown(entry) -> str:
    v = entry.value
    return v.value if isinstance(v.value, str) else v.text


def test_key_terms_and_the_register_read_the_current_clauses(fast_service, tmp_path):
    folder = tmp_path / "families"
    folder.mkdir()
    for family, style, docs, _, _ in FAMILIES:
        _write_family(folder, family, style, docs)
    assert fast_service.ingest([folder]).ok
    agreements = {d.file_name: d for d in fast_service.sources() if d.file_name.endswith("-agreement.txt")}
    wrong = []
    for family, expected in TERMS_NOW.items():
        stem = PARTIES[family][0].split()[0].lower()
        ft = fast_service.contract_terms(agreements[f"{stem}-agreement.txt"].doc_id)
        for (key, slot), (original, now) in expected.items():
            current = [e for e in ft.term(key).current if (e.value.slot or "") == slot]
            shown = [_shown(e) for e in current]
            if not current or now not in shown[0] or original == shown[0]:
                wrong.append((family, key, slot, shown))
            elif current[0].doc.family_role == "agreement":
                wrong.append((family, key, slot, "cited to the agreement, not the change"))
    assert wrong == []
    rows = {r.cells["file"]: r for r in fast_service.contract_register()}
    assert "2 April 2026" in rows["nova-agreement.txt"].cells["expiry"]
    assert "Japan" in rows["nova-agreement.txt"].cells["territory"] or "JP" in rows["nova-agreement.txt"].cells["territory"]


def test_a_term_stated_in_a_deleted_clause_is_no_longer_current(fast_service, tmp_path):
    folder = tmp_path / "family"
    folder.mkdir()
    company, artist = "Quarry Lane Records Limited", "Sol Adeyemi"
    agreement = (f"RECORDING AGREEMENT\n\nThis Recording Agreement is made on 1 May 2022 between {company} (the \"Company\") and "
                 f"{artist} (the \"Artist\").\n\n1. TERM\n1.1 The Term ends on 30 April 2025.\n\n"
                 "2. AUDIT\n2.1 The Artist may audit the Company's books once a year on thirty (30) days' written notice.\n\n"
                 "3. TERRITORY\n3.1 The Territory is the World.\n")
    (folder / "quarry-agreement.txt").write_text(agreement)
    (folder / "quarry-amendment.txt").write_text(
        f"AMENDMENT\n\nThis Amendment dated 1 March 2024 amends the Recording Agreement dated 1 May 2022 between {company} and "
        f"{artist} (the \"Agreement\").\n\n1. Clause 2.1 of the Agreement is deleted in its entirety.\n")
    assert fast_service.ingest([folder]).ok
    doc = next(d for d in fast_service.sources() if d.file_name == "quarry-agreement.txt")
    from assistant.contracts.family import family_terms
    from assistant.contracts.storage import stored_terms

    members = fast_service.family(doc.doc_id)
    terms_before = family_terms(members, stored_terms(fast_service, [m.doc_id for m in members]))
    before = terms_before.term("audit")
    assert before.current, "the agreement states an audit right (the rules must read it for this test to mean anything)"
    audit = fast_service.contract_terms(doc.doc_id).term("audit")
    assert audit.current == [] and any(e.superseded for e in audit.history)
    assert any("deleted" in e.value.text and e.doc.file_name == "quarry-amendment.txt" for e in audit.history)
    assert fast_service.contract_terms(doc.doc_id).term("territory").current  # other clauses untouched


# -- options: an exercise extends the term by the agreement's Option Period ----------------------------
OPTION_AGREEMENT = """EXCLUSIVE RECORDING AGREEMENT

This Agreement is made on 1 January 2023 between {company} (the "Label") and {artist} (the "Artist").

1. TERM
1.1 The initial period of the Term starts on 1 January 2023 and ends on 31 December 2024.
1.2 The Label has two (2) options to extend the Term, each by a further period of twelve (12) months (each an "Option Period"), exercisable by written notice given no later than sixty (60) days before the end of the then current period.

2. ROYALTIES
2.1 The Label shall pay the Artist eighteen per cent (18%) of Net Receipts.
"""


def _option_notice(company: str, artist: str, date: str, body: str) -> str:
    return (f"NOTICE OF EXERCISE OF OPTION\n\nDate: {date}\n\nRe: Exclusive Recording Agreement dated 1 January 2023 between "
            f"{company} and {artist} (the \"Agreement\")\n\n1. {body}\n\nYours sincerely, for {company}\n")


def _option_families(folder) -> None:
    larch = ("Larch Records Limited", "Petra Novak")
    (folder / "larch-agreement.txt").write_text(OPTION_AGREEMENT.format(company=larch[0], artist=larch[1]))
    (folder / "larch-option-1.txt").write_text(_option_notice(*larch, "15 October 2024",
                                                              "We hereby exercise the first option under clause 1.2 of the Agreement."))
    (folder / "larch-option-2.txt").write_text(_option_notice(*larch, "20 October 2025",
                                                              "Notice is given that the Label exercises its second option to extend the Term."))
    fenwick = ("Fenwick Sound Limited", "Oren Hale")
    (folder / "fenwick-agreement.txt").write_text(OPTION_AGREEMENT.format(company=fenwick[0], artist=fenwick[1]))
    (folder / "fenwick-option.txt").write_text(_option_notice(
        *fenwick, "1 October 2024", "We exercise the first option under clause 1.2. Accordingly the Term will now end on 30 June 2026."))
    for stem, company, artist, body in (  # more ways notices word an exercise
            ("birchwood", "Birchwood Records Limited", "Lior Vance", "The Label hereby elects to extend the Term for the first Option Period."),
            ("cinder", "Cinder Hill Music Limited", "Ana Reis", "Pursuant to clause 1.2, the Company is taking up its first option."),
            ("dunmore", "Dunmore Audio Limited", "Kit Amari", "This letter is notice of the Label's exercise of its option under clause 1.2.")):
        (folder / f"{stem}-agreement.txt").write_text(OPTION_AGREEMENT.format(company=company, artist=artist))
        (folder / f"{stem}-option.txt").write_text(_option_notice(company, artist, "1 October 2024", body))
    granite = ("Granite Lane Music Limited", "Sade Okoro")
    (folder / "granite-agreement.txt").write_text(OPTION_AGREEMENT.format(company=granite[0], artist=granite[1]))


def test_an_option_exercised_extends_the_term_by_the_agreements_option_period(fast_service, tmp_path):
    folder = tmp_path / "options"
    folder.mkdir()
    _option_families(folder)
    assert fast_service.ingest([folder]).ok
    ids = {d.file_name: d.doc_id for d in fast_service.sources()}
    larch = fast_service.contract_terms(ids["larch-agreement.txt"]).term("expiry")
    assert [e.value.value for e in larch.current] == ["2026-12-31"]  # two options exercised: 24 months past 31 December 2024
    assert larch.current[0].value.kind == "computed" and larch.current[0].doc.file_name == "larch-option-2.txt"
    assert "second option exercised" in larch.current[0].value.basis and "12 months" in larch.current[0].value.basis
    assert any(e.superseded and e.value.value == "2024-12-31" for e in larch.history)
    fenwick = fast_service.contract_terms(ids["fenwick-agreement.txt"]).term("expiry")  # the notice states the end: read, not computed
    assert [e.value.value for e in fenwick.current] == ["2026-06-30"] and fenwick.current[0].value.kind != "computed"
    for stem in ("birchwood", "cinder", "dunmore"):
        expiry = fast_service.contract_terms(ids[f"{stem}-agreement.txt"]).term("expiry")
        assert [e.value.value for e in expiry.current] == ["2025-12-31"], (stem, expiry.text())
    granite = fast_service.contract_terms(ids["granite-agreement.txt"]).term("expiry")  # nothing exercised: as signed
    assert [e.value.value for e in granite.current] == ["2024-12-31"]
    rows = {r.cells["file"]: r.cells["expiry"] for r in fast_service.contract_register()}
    assert "31 December 2026" in rows["larch-agreement.txt"] and "31 December 2024" in rows["granite-agreement.txt"]


@pytest.mark.slow  # the real embedding model: retrieval as users get it
def test_until_when_the_term_runs_after_an_option_is_answered_with_the_worked_out_end(tmp_path, embedder):
    from assistant.answer.answering import Answerer
    from assistant.service import RightsService
    from assistant.settings import Settings

    folder = tmp_path / "options"
    folder.mkdir()
    _option_families(folder)
    with RightsService(Settings(data_dir=tmp_path / "data"), embedder=embedder) as svc:
        assert svc.ingest([folder]).ok
        answerer = Answerer(svc)
        now = answerer.ask("Did Larch Records exercise an option, and until when does the term now run?")
        ends = answerer.ask("When does the term of Petra Novak's agreement with Larch Records end?")
        was = answerer.ask("When did the term of Petra Novak's agreement with Larch Records originally end?")
        status = answerer.ask("How much of Petra Novak's royalties has Larch Records paid so far?")
    for a in (now, ends):
        assert not a.abstained and "31 December 2026" in a.text.split("\n")[0] and "exercise" in a.text, a.text
    assert not was.abstained and "31 December 2024" in was.text and "2026" not in was.text
    assert status.abstained and "how an account stands" in status.reason, status.text  # a contract states terms, not balances


def test_how_an_account_stands_is_not_read_from_a_contract_term():
    from assistant.text.questions import asks_account_status

    clause = "The Publisher shall pay to the Writer a non-returnable advance of £40,000 within fourteen days."
    for q in ("How much of Tamsin Okafor's publishing advance has been recouped so far?", "What is the unrecouped balance?",
              "How much has been recouped to date on the Larch deal?"):
        assert asks_account_status(q, clause), q
    assert not asks_account_status("How much of the advance has been recouped so far?",
                                   "Unrecouped balance at the close of the statement period: £12,400.")  # a statement says it
    assert not asks_account_status("How much is the advance?", clause)
    assert not asks_account_status("When must the advance be recouped?", clause)


@pytest.mark.slow  # the real embedding model: the answer must reach the consolidation step
def test_a_family_member_moved_since_ingest_does_not_break_answers(tmp_path, embedder):
    from assistant.answer.answering import Answerer
    from assistant.service import RightsService
    from assistant.settings import Settings
    from ingest.errors import UserError

    folder = tmp_path / "family"
    folder.mkdir()
    _write_family(folder, "Nova Records / Mara Quinn", "plain", FAMILIES[0][2])
    with RightsService(Settings(data_dir=tmp_path / "data"), embedder=embedder) as svc:
        assert svc.ingest([folder]).ok
        for f in folder.glob("*amendment*"):
            f.unlink()  # moved away after ingest
        agreement = next(d for d in svc.sources() if d.file_name == "nova-agreement.txt")
        with pytest.raises(UserError):
            svc.consolidated(agreement.doc_id)  # the consolidation says why it cannot be built
        a = Answerer(svc).ask("What is the territory of Mara Quinn's agreement with Nova Records Limited?")
    assert not a.abstained and "World" in a.text  # answered from the passages as stored


def test_a_definition_changed_without_its_clause_is_placed_for_the_restricted_note():
    from assistant.contracts.consolidated.apply import restricted_targets

    base = _agreement("Nova Records / Mara Quinn")
    hidden = "1. The definition of \"Net Receipts\" is amended to read: sums received less VAT and fees.\n"
    assert restricted_targets([hidden], base) == ["1.2"]  # the clause that defines it, nothing else of the change
    assert restricted_targets([hidden]) == []  # without the agreement there is no clause to name
    result = consolidate(base, [_doc("x", "2024-01-01", hidden)])
    assert "less VAT and fees" in result.clause("1.2").current and result.clause("1.2").changes[0].op.target == "1.2"
    assert "“Net Receipts” means sums received" in result.clause("1.2").current


def test_an_unchanged_re_ingest_does_no_re_consolidation(fast_service, tmp_path, monkeypatch):
    import assistant.service as service_module

    folder = tmp_path / "families"
    folder.mkdir()
    family, style, docs, _, _ = FAMILIES[0]
    _write_family(folder, family, style, docs)
    assert fast_service.ingest([folder]).ok
    runs = []
    real = service_module.consolidate
    monkeypatch.setattr(service_module, "consolidate", lambda *a, **k: runs.append(1) or real(*a, **k))
    agreement = next(d for d in fast_service.sources() if d.file_name.endswith("-agreement.txt"))
    first = fast_service.consolidated(agreement.doc_id)
    assert "2 April 2026" in first.clause("2.1").current and len(runs) == 1
    assert fast_service.ingest([folder]).counts["unchanged"] == 2
    assert fast_service.consolidated(agreement.doc_id) is first and len(runs) == 1  # nothing read or applied again
    amendment = next(p for p in folder.iterdir() if "amendment" in p.name)
    amendment.write_text(amendment.read_text().replace("2 April 2026", "9 April 2026"))
    assert fast_service.ingest([folder]).counts["changed"] == 1
    again = fast_service.consolidated(agreement.doc_id)
    assert len(runs) == 2 and "9 April 2026" in again.clause("2.1").current


@pytest.mark.parametrize(("sentence", "expected"), [
    ("Clause 4.1 is deleted and the following substituted: 'The Licensee pays quarterly.'",
     ("replace", "4.1", "", "The Licensee pays quarterly.")),  # not a bare deletion
    ("Clause 8.2 of the Agreement shall be replaced by the following new clause 8.2: 'Disputes go to arbitration.'",
     ("replace", "8.2", "", "Disputes go to arbitration.")),
    ("Clause 10 (Confidentiality) of the Agreement is deleted.", ("delete", "10", "", "")),
    ("Clause 3.1 (Territory) is deleted and replaced by: 'The Territory is Europe.'", ("replace", "3.1", "", "The Territory is Europe.")),
    ("In clause 6.1 (Royalties), 'seventy per cent (70%)' is replaced by 'eighty per cent (80%)'.",
     ("substitute", "6.1", "seventy per cent (70%)", "eighty per cent (80%)")),
    ("Section 4(b) is hereby amended by changing '30 days' to '45 days'.", ("substitute", "4(b)", "30 days", "45 days")),
    ("The words 'the World' in clause 3.1 of the Agreement are replaced with 'Europe'.", ("substitute", "3.1", "the World", "Europe")),
    ("In clause 6.1, after the words 'mechanical income' insert 'and performance income'.",
     ("substitute", "6.1", "mechanical income", "mechanical income and performance income")),
    ("At the end of clause 7.2, insert: \"Payment is due in 30 days.\"", ("append", "7.2", "", "Payment is due in 30 days.")),
    ('The definition of "Territory" in clause 1.1 is deleted and replaced with: "Territory" means Europe.',
     ("definition", "1.1", "Territory", '"Territory" means Europe.')),
    ("Delete clause 7.3 and insert the following: 'Notices by email are valid.'", ("replace", "7.3", "", "Notices by email are valid.")),
    ('The term "Net Receipts" as defined in Section 1.5 shall mean gross receipts less VAT.',
     ("definition", "1.5", "Net Receipts", "gross receipts less VAT.")),
    ('All references in the Agreement to "Licensor" shall be read as references to "Harbourlight Music Ltd".',
     ("substitute", "", "Licensor", "Harbourlight Music Ltd")),
    ("Effective as of July 1, 2024, Section 4.1 of the Agreement is hereby amended to increase the Advance to $75,000.",
     ("value", "4.1", "", "$75,000")),
    ("The Royalty Rate set forth in Section 6.1 shall be increased from 12% to 14%.", ("value", "6.1", "12%", "14%")),
    ('(b) in paragraph 4 the words "30 June 2021" shall be deleted and "31 August 2021" substituted;',
     ("substitute", "4", "30 June 2021", "31 August 2021")),
    ("The figure '£12,000' in clause 2 is deleted and '£14,000' is substituted therefor.", ("substitute", "2", "£12,000", "£14,000")),
    ("In clause 5, for 'Scots law' substitute 'the law of England and Wales'.", ("substitute", "5", "Scots law", "the law of England and Wales")),
    ("In clause 6.1, omit the words 'and Ireland'.", ("substitute", "6.1", "and Ireland", "")),
    ("Clause 4 is amended by deleting the word 'and' before 'Canada'.", ("substitute", "4", "and Canada", "Canada")),
    ("Clause 4 is amended by inserting the words 'Mexico,' before 'Canada'.", ("substitute", "4", "Canada", "Mexico, Canada")),
    ('Clause 8.2 is varied by deleting "50/50" and inserting "60/40".', ("substitute", "8.2", "50/50", "60/40")),
    ('Clause 9 shall be modified by replacing "thirty (30) days" with "sixty (60) days".',
     ("substitute", "9", "thirty (30) days", "sixty (60) days")),
    ('In Clause 3.1, replace "two (2) years" with "three (3) years".', ("substitute", "3.1", "two (2) years", "three (3) years")),
    ('Replace "two (2) years" in clause 3.1 with "three (3) years".', ("substitute", "3.1", "two (2) years", "three (3) years")),
    ('Article 4 is hereby amended by deleting the phrase "in the United Kingdom".', ("substitute", "4", "in the United Kingdom", "")),
    ('Paragraph 7 of the Agreement is hereby amended to add the following at the end thereof: "Licensee shall credit the Artist."',
     ("append", "7", "", "Licensee shall credit the Artist.")),
    ("The Term of the Agreement is hereby extended until December 31, 2026.", ("value", "", "", "December 31, 2026")),
    # the new words are not in the sentence: listed as not applied, never guessed from "the Schedule attached"
    ("Schedule 1 to the Agreement is deleted and replaced by the Schedule attached to this Amendment.",
     ("unread", "schedule 1", "", "")),
    ("Section 2.1 of the Agreement shall be extended by twelve (12) months.", ("unread", "2.1", "", "")),
    ('Clause 6.1 of the Agreement shall be amended by the deletion of "70%" and the insertion of "75%".', ("substitute", "6.1", "70%", "75%")),
    ('Clause 6.1 of the Agreement shall be amended by the substitution of "75%" for "70%".', ("substitute", "6.1", "70%", "75%")),
    ('The reference in clause 4 to "three (3) years" shall be replaced by a reference to "four (4) years".',
     ("substitute", "4", "three (3) years", "four (4) years")),
    ('Clause 2 of the Agreement is amended by inserting the following new sub-clause (c): "(c) podcasts."', ("insert", "2(c)", "", "(c) podcasts.")),
    ("Clause 3.2 is renumbered as clause 3.3.", ("unread", "3.2", "", "")),
    # tests/families_blind: drafting the rules had not met before that set was written
    ('Subsection 5(b) of the Original Agreement is deleted in its entirety and the following substituted therefor:\n\n'
     '"(b) Birchmount shall pay the Writer sixty-five percent (65%) of Net Income."',
     ("replace", "5(b)", "", "(b) Birchmount shall pay the Writer sixty-five percent (65%) of Net Income.")),
    ("(B) clause 12 of the Principal Agreement shall be deemed deleted; and", ("delete", "12", "", "")),
    ('(C) clause 4.1 of the Principal Agreement shall be read as if the words "£40,000" were "£55,000".',
     ("substitute", "4.1", "£40,000", "£55,000")),
    ("(A) the Royalty Base shall bear a royalty at the rate of twenty-two per cent (22%) in place of the rate stated in "
     "clause 7.1 of the Principal Agreement;",
     ("value", "7.1", "", "(A) the Royalty Base shall bear a royalty at the rate of twenty-two per cent (22%)")),
    ("1. Exhibit A of the License is amended by increasing the License Fee from $8,000 to Ten Thousand Five Hundred U.S. "
     "Dollars ($10,500).", ("value", "exhibit a", "$8,000", "Ten Thousand Five Hundred U.S. Dollars ($10,500)")),
])
def test_other_drafters_wordings_are_read_as_the_operation_they_are(sentence, expected):
    ops = operations(sentence)
    assert [(o.kind, o.target, o.old, o.new) for o in ops] == [expected]


def test_several_word_changes_to_one_clause_in_one_sentence_are_each_applied():
    """"Section 4 is amended by adding the words 'and Mexico' after the word 'Canada' and by deleting
    the word 'and' before 'Canada'": two operations on clause 4, in order. Before, the second half of
    the sentence was lost without a word."""
    base = ("4. TERRITORY\nThe Territory is the United States of America and Canada.\n\n"
            "5. FEE\nThe administration fee is fifteen percent (15%) of Gross Receipts.\n")
    text = ("1. Section 4 of the Agreement is amended by adding the words \"and Mexico\" after the word \"Canada\" and by "
            "deleting the word \"and\" before \"Canada\" and by substituting \"the United States\" for "
            "\"the United States of America\".\n\n"
            "2. Section 5 of the Agreement is amended by deleting \"fifteen percent (15%)\" and inserting \"twelve percent (12%)\", "
            "and the Fee shall be invoiced quarterly in arrears.\n")
    ops = operations(text)
    assert [(o.kind, o.target, o.old, o.new) for o in ops[:3]] == [
        ("substitute", "4", "Canada", "Canada and Mexico"), ("substitute", "4", "and Canada", "Canada"),
        ("substitute", "4", "the United States of America", "the United States")]
    result = consolidate(base, [_doc("first-amendment", "2022-03-15", text)])
    assert result.clause("4").current.endswith("The Territory is the United States Canada and Mexico.")
    assert "twelve percent (12%)" in result.clause("5").current
    assert not result.unapplied  # the quarterly invoicing adds an obligation, not a change to clause 5's words


def test_a_joined_change_no_pattern_reads_is_listed_against_the_same_clause():
    base = "4. TERRITORY\nThe Territory is the United States of America and Canada.\n"
    text = "1. Section 4 is amended by adding the words \"and Mexico\" after the word \"Canada\" and by amending the Territory accordingly for Puerto Rico.\n"
    result = consolidate(base, [_doc("first-amendment", "2022-03-15", text)])
    assert result.clause("4").current.endswith("Canada and Mexico.")
    assert [(u.change.op.kind, u.change.op.target) for u in result.unapplied] == [("unread", "4")]


def test_a_change_in_words_no_pattern_reads_is_listed_as_not_applied_never_dropped():
    base = _agreement("Nova Records / Mara Quinn")
    letter = ("1. In clause 6.1, the seventy per cent is replaced by seventy-five per cent.\n\n"  # unquoted: not read
              "2. Clause 6.2 is varied to give the Artist a larger streaming share.\n\n"  # no value: not read
              "3. Except as amended by this letter, clause 9 continues in full force and effect.\n\n"
              "4. Clause 3.1 of the Agreement is deleted and replaced by: 'The Territory is Europe.'\n")
    result = consolidate(base, [_doc("nova-letter", "2024-02-02", letter, "side letter")])
    assert result.clause("3.1").current.endswith("The Territory is Europe.")
    unread = {u.change.op.target: u for u in result.unapplied}
    assert set(unread) == {"6.1", "6.2"}  # the "except as amended" sentence is not a change
    assert all("not understood" in u.reason for u in unread.values())
    assert result.unapplied_for("6.1") and result.clause("6.1").current == result.clause("6.1").original
    text = redline(result)
    assert "was not understood" in text and "a larger streaming share" in text


@pytest.mark.parametrize("sentence, clause, expected", [
    ("Paragraph 5(a) of the Agreement is amended so that the royalty rate is four percent (4%) of the PPD in place of the rate "
     "originally stated.", "5(a)", "(a) Company pays a royalty of four percent (4%) of the PPD on Net Sales; and fifty percent (50%) of sync fees."),
    ("The Delivery Date in paragraph 3 is extended to November 15, 2022.", "3",
     '3. Producer shall deliver the Masters no later than November 15, 2022 (the "Delivery Date").'),
    ("The Advance under clause 4.1 of the Agreement is hereby increased from £40,000 to £50,000 with effect from 1 July 2024.", "4.1",
     "4.1 Company pays an advance of £50,000 within 14 days of signature, recoupable from royalties payable after 30 days."),
    ("In clause 5(a), the royalty on Net Sales shall be reduced to two percent (2%).", "5(a)",
     "(a) Company pays a royalty of two percent (2%) of the PPD on Net Sales; and fifty percent (50%) of sync fees."),
])
def test_a_value_restated_without_quotes_replaces_the_clause_value_its_subject_names(sentence, clause, expected):
    base = ("3. Producer shall deliver the Masters no later than September 30, 2022 (the \"Delivery Date\").\n\n"
            "4. ADVANCE\n4.1 Company pays an advance of £40,000 within 14 days of signature, recoupable from royalties payable after 30 days.\n\n"
            "5. ROYALTIES\n(a) Company pays a royalty of three percent (3%) of the PPD on Net Sales; and fifty percent (50%) of sync fees.\n")
    result = consolidate(base, [_doc("letter", "2022-10-12", "Dear Marcus,\n\n1. " + sentence + "\n", "side letter")])
    assert not result.unapplied
    assert result.clause(clause).current == expected
    [change] = result.clause(clause).changes
    assert change.op.kind == "value" and change.op.old in change.before and change.op.new in change.after


def test_a_value_change_that_names_a_defined_term_is_made_in_the_clause_defining_it():
    base = ("4. LICENCE PERIOD\nThe licence runs from 1 April 2023 until 31 March 2024 (the \"Licence Period\"). Paid placements are "
            "taken down within seven (7) days after it ends.\n\n5. FEE\n5.1 The Fee is £85,000 (the \"Fee\").\n")
    letter = ("Dear Callum,\n\n1. The Licence Period is extended so that it expires on 30 September 2024.\n\n"
              "2. The Fee is increased to £95,000 with effect from 1 April 2024.\n\n"
              "3. The Exclusivity Period is extended to 31 December 2024.\n")
    result = consolidate(base, [_doc("letter", "2024-02-15", letter, "extension letter")])
    licence = result.clause("4")
    assert "from 1 April 2023 until 30 September 2024" in licence.current and "31 March 2024" in licence.original
    assert licence.changes[-1].op.target == "4" and licence.changes[-1].op.old == "31 March 2024"
    fee = result.clause("5.1")
    assert "£95,000" in fee.current and fee.changes[-1].effective == "2024-04-01"
    [unapplied] = result.unapplied  # no clause defines the Exclusivity Period: said, never dropped
    assert "Exclusivity Period" in unapplied.reason and unapplied.change.op.kind == "value"
    assert restricted_targets([letter], base) == ["4", "5.1"]


def test_a_value_restated_where_the_clause_holds_two_of_its_kind_and_the_subject_names_neither_is_not_guessed():
    base = "5. ROYALTIES\n(a) Company pays three percent (3%) of the PPD; and fifty percent (50%) of sync fees.\n"
    result = consolidate(base, [_doc("letter", "2022-10-12", "Clause 5(a) is amended so that the share is 60%.\n", "side letter")])
    [unapplied] = result.unapplied
    assert "2 values of this kind" in unapplied.reason and result.clause("5(a)").current == result.clause("5(a)").original
    nothing = consolidate(base, [_doc("letter", "2022-10-12", "Clause 5(a) is amended so that the royalty is the higher rate.\n", "")])
    assert "not understood" in nothing.unapplied[0].reason  # no value stated: listed as unread


def test_an_answer_that_quotes_the_unread_change_itself_carries_no_not_applied_note():
    from types import SimpleNamespace

    from assistant.answer.consolidated_answer import _states_this_change

    sentence = "Paragraph 5(a) of the Agreement is amended to reflect the higher royalty rate agreed on 1 October."
    letter = _doc("letter", "2022-10-12", "Dear Marcus,\n\n1. " + sentence + "\n", "side letter")
    result = consolidate("5. ROYALTIES\n(a) Company pays three percent (3%) of the PPD.\n", [letter])
    [unapplied] = result.unapplied
    quoting = SimpleNamespace(doc=SimpleNamespace(doc_id="letter"), sel=SimpleNamespace(unit_text=sentence))
    elsewhere = SimpleNamespace(doc=SimpleNamespace(doc_id="agreement"), sel=SimpleNamespace(unit_text="Company pays three percent"))
    assert _states_this_change(quoting, unapplied.change)
    assert not _states_this_change(elsewhere, unapplied.change)


def test_one_sentence_of_a_clause_is_replaced_or_deleted_and_the_others_stay():
    base = ("2. TERM\n2.3 Expiry. If both options are exercised, the second Option Period ends on 28 February 2027. Unless "
            "extended by written agreement, the Term shall expire on 28 February 2027. If no option is exercised, the Term "
            "ends with the current period.\n\n3. NOTICES\n3.1 Notices go by post. Email is not valid.\n")
    letter = ("1. The second sentence of clause 2.3 of the Agreement is deleted and replaced with the following: \"Unless extended "
              "by written agreement, the Term shall expire on 31 December 2027.\"\n\n"
              "2. The last sentence of clause 3.1 is deleted.\n\n3. The fourth sentence of clause 3.1 is deleted.\n\n"
              "4. Accordingly the Term is extended to 31 December 2027.\n")
    result = consolidate(base, [_doc("nova-amendment", "2024-01-15", letter, "amendment")])
    expiry = result.clause("2.3")
    assert expiry.current == ("2.3 Expiry. If both options are exercised, the second Option Period ends on 28 February 2027. "
                              "Unless extended by written agreement, the Term shall expire on 31 December 2027. If no option "
                              "is exercised, the Term ends with the current period.")
    assert expiry.status == "amended" and result.clause("3.1").current == "3.1 Notices go by post."
    [unapplied] = result.unapplied  # no fourth sentence: said; the "Accordingly" restatement is what the clause says now
    assert "no fourth sentence" in unapplied.reason
    assert "second sentence replaced by nova-amendment" in redline(result, changed_only=True)


def test_references_replaced_throughout_the_agreement_change_every_clause_that_holds_them():
    base = ("1. PARTIES\n1.1 Licensor is Nova Records Limited.\n\n4. ADVANCE\n4.1 Licensor pays an advance of $50,000.\n\n"
            "6. ROYALTY\n6.1 The Royalty Rate is 12% of Net Receipts, paid by Licensor.\n")
    letter = 'All references in the Agreement to "Licensor" shall be read as references to "Harbourlight Music Ltd".\n'
    result = consolidate(base, [_doc("assignment", "2024-06-01", letter, "assignment")])
    assert [c.ref for c in result.changed] == ["1.1", "4.1", "6.1"] and not result.unapplied
    assert all("Licensor" not in c.current and "Harbourlight Music Ltd" in c.current for c in result.changed)
    assert restricted_targets([letter], base) == ["1.1", "4.1", "6.1"]  # a viewer who may not see it is told where



def test_a_defined_term_changed_in_words_no_pattern_reads_is_listed_against_its_clause():
    base = '2. TERRITORY\n2.1 The United Kingdom (the "Territory").\n\n4. ADVANCE\n4.1 An advance of $50,000 (the "Advance").\n'
    letter = ("1. The Territory shall be expanded to include Canada and Mexico.\n\n2. The Advance is varied as we discussed.\n\n"
              "3. The Marketing Budget shall be revised.\n")  # the agreement defines no Marketing Budget: not a change to it
    result = consolidate(base, [_doc("letter", "2024-06-01", letter, "side letter")])
    assert sorted(u.change.op.target for u in result.unapplied) == ["2.1", "4.1"]
    assert all("not understood" in u.reason for u in result.unapplied) and result.unapplied_for("2.1")
    assert restricted_targets([letter], base) == ["2.1", "4.1"]


def test_a_value_changed_by_a_difference_is_worked_out_for_amounts_and_dates_only():
    base = ('3. DELIVERY\n3.1 Producer delivers no later than November 15, 2022 (the "Delivery Date").\n\n'
            '4. ADVANCE\n4.1 An advance of £40,000 (forty thousand pounds) (the "Advance").\n\n'
            '6. ROYALTY\n6.1 A royalty of 12% of Net Receipts (the "Royalty").\n\n7. COSTS\n7.1 Costs are capped at $10,500.50.\n')
    letter = ("1. The Advance in clause 4.1 is increased by £5,000.\n\n2. The Delivery Date is postponed by thirty (30) days.\n\n"
              "3. The Royalty is increased by 2%.\n\n4. In clause 7.1, the cap is reduced by $500.50.\n")
    result = consolidate(base, [_doc("letter", "2022-10-01", letter, "side letter")])
    assert "no later than 15 December 2022" in result.clause("3.1").current
    assert result.clause("4.1").current == '4.1 An advance of £45,000 (the "Advance").'
    assert result.clause("7.1").current == "7.1 Costs are capped at $10,000."
    [unapplied] = result.unapplied  # "increased by 2%": two points, or 2% of the rate? not guessed
    assert unapplied.change.op.target == "6.1" and "not worked out" in unapplied.reason
    assert result.clause("4.1").changes[-1].op.new == "£45,000"  # answers and the redline state the worked-out value


def test_an_answer_from_a_changed_clause_names_the_document_and_date_that_changed_it():
    """"75% as the amendment of 10 June 2023 [3] provides": the reader checking a deal needs when
    the value changed as much as the words. The date is cited to a passage of that document that
    states it; where none among the sources does (or the change is undated) no date is given."""
    from types import SimpleNamespace

    from assistant.answer.consolidated_answer import _role

    base = "1. ROYALTY\n\n1.1 The royalty is seventy per cent (70%).\n"
    dated = ChangeDocument("a", "a.txt", "2023-06-10", "In clause 1.1, 'seventy per cent (70%)' is replaced by "
                                                     "'seventy-five per cent (75%)'.", "amendment")
    from_date = ChangeDocument("b", "b.txt", "2023-06-10", "With effect from 1 July 2024, clause 1.1 is deleted and "
                                                         "replaced by: 'The royalty is 80%.'", "side letter")
    undated = ChangeDocument("c", "c.txt", "", "In clause 1.1, '70%' is replaced by '72%'.", "amendment")
    sources = [SimpleNamespace(number=3, payload={"doc_id": "a"}, text="This Amendment is dated 10 June 2023."),
               SimpleNamespace(number=4, payload={"doc_id": "b"}, text=from_date.text),
               SimpleNamespace(number=5, payload={"doc_id": "c"}, text=undated.text)]
    changes = [c for doc in (dated, from_date, undated) for cl in consolidate(base, [doc]).clauses for c in cl.changes]
    assert [_role(c, sources, n) for c, n in zip(changes, (9, 4, 5), strict=True)] == [
        "the amendment of 10 June 2023 [3]", "the side letter with effect from 1 July 2024", "the amendment"]
    assert _role(changes[0], sources[1:], 9) == "the amendment"  # no source of it states the date


_ARTICLES = ("ARTICLE IV\nCOMPENSATION\n\nSection 4.01 The fee is twenty percent (20%) of Net Receipts.\n\n"
             "ARTICLE V\nKEY PERSON\n\nSection 5.01 Label may terminate if Marcus Bell leaves.\n\n"
             "SCHEDULE\n\nItem 1   Advance: A$20,000\n\nItem 2   Territory: Australia and New Zealand\n\n"
             "IN WITNESS WHEREOF the parties have signed.\n")


@pytest.mark.parametrize("change, ref, now", [
    ("Section 4.01 of the Agreement is hereby amended by striking \"twenty percent (20%)\" and inserting in lieu thereof "
     "\"eighteen percent (18%)\".", "4.01", "eighteen percent (18%)"),
    ("Article V of the Agreement is hereby deleted in its entirety.", "5.01", ""),
    ("Clause 5.01 shall cease to apply.", "5.01", ""),
    ("Section 4.01 shall be read as if \"twenty percent (20%)\" were replaced by \"15%\".", "4.01", "15%"),
    ("In Item 1 of the Schedule, delete \"A$20,000\" and insert \"A$35,000\".", "schedule item 1", "A$35,000"),
    ("Item 1 of the Schedule is deleted and replaced with \"Advance: A$40,000\";", "schedule item 1", "Item 1   Advance: A$40,000"),
    ("In Item 2 of the Schedule, after \"New Zealand\" insert \", Fiji and Samoa\".", "schedule item 2",
     "Item 2   Territory: Australia and New Zealand, Fiji and Samoa"),
    ("Section 4.01 is amended by replacing \"twenty\" with \"ten\" and \"(20%)\" with \"(10%)\".", "4.01", "ten percent (10%)"),
])
def test_drafting_styles_met_later_are_applied(change, ref, now):
    """US, Australian and UK wordings first met on tests/families_fresh, each alone on a small
    agreement: the clause reads as the change left it ("" once deleted), nothing unapplied, and the
    heading of the next ARTICLE or the signatures never become part of a clause."""
    result = consolidate(_ARTICLES, [ChangeDocument("d", "d.txt", "2024-01-01", change, "amendment")])
    assert not result.unapplied, result.unapplied
    clause = result.clause(ref)
    assert (now in clause.current) if now else clause.current == ""
    assert "ARTICLE V" not in result.clause("4.01").current and "WITNESS" not in result.clause("schedule item 2").current


def test_an_amendment_of_an_amendment_changes_the_words_the_first_one_put_in():
    """"the reference in paragraph 1 of the First Letter to '17.5%' shall be read as a reference to
    '15%'": no clause of the agreement is named, the words are found where the first letter put them."""
    first = ChangeDocument("a", "a.txt", "2023-01-02", "1. The rate of commission in clause 1.1 shall be reduced from "
                                                     "twenty per cent (20%) to seventeen and a half per cent (17.5%).", "side letter")
    second = ChangeDocument("b", "b.txt", "2024-04-02", "(a) the reference in paragraph 1 of the First Letter to \"seventeen "
                                                      "and a half per cent (17.5%)\" shall be read as a reference to \"fifteen per cent (15%)\".",
                            "side letter")
    result = consolidate("1. COMMISSION\n\n1.1 The Manager's commission is twenty per cent (20%) of Gross Earnings.\n", [first, second])
    assert "fifteen per cent (15%)" in result.clause("1.1").current and not result.unapplied
    assert [c.doc.doc_id for c in result.clause("1.1").changes] == ["a", "b"]


def test_a_sum_in_words_is_replaced_with_its_figure_and_a_list_lead_in_dates_every_item():
    """"Eight Thousand U.S. Dollars ($8,000)" raised to $10,500 reads "Ten Thousand Five Hundred U.S.
    Dollars ($10,500)", never "Eight Thousand U.S. Dollars ($10,500)"; "with effect from 1 March
    2024:" over a list of changes dates each of them, not only the first."""
    base = ("4. ADVANCE\nThe Company shall pay an advance of £40,000 for each Album.\n\n"
            "7. ROYALTIES\n7.1 The Company shall pay a royalty of eighteen per cent (18%) of the Royalty Base.\n\n"
            "12. KEY PERSON\nIf Priya Nair leaves, the Artist may terminate.\n\n"
            "EXHIBIT A\nLicense Fee: Eight Thousand U.S. Dollars ($8,000), payable on signature.\n")
    text = ("The parties agree that with effect from 1 March 2024:\n\n"
            "(A) the Royalty Base shall bear a royalty at the rate of twenty-two per cent (22%) in place of the rate stated in "
            "clause 7.1 of the Principal Agreement;\n\n(B) clause 12 of the Principal Agreement shall be deemed deleted; and\n\n"
            "(C) clause 4 of the Principal Agreement shall be read as if the words \"£40,000\" were \"£55,000\".\n\n"
            "Exhibit A of the License is amended by increasing the License Fee from $8,000 to Ten Thousand Five Hundred U.S. "
            "Dollars ($10,500).\n")
    result = consolidate(base, [_doc("supplemental", "2024-02-20", text)])
    assert "£55,000" in result.clause("4").current and "(22%)" in result.clause("7.1").current
    assert result.clause("12").current == ""
    assert "Ten Thousand Five Hundred U.S. Dollars ($10,500)" in result.clause("exhibit a").current
    assert "Eight Thousand" not in result.clause("exhibit a").current
    dated = [c.effective for ref in ("4", "7.1", "12") for c in result.clause(ref).changes]
    assert dated and set(dated) == {"2024-03-01"}
    assert not result.unapplied


def test_a_change_worded_with_in_place_of_or_read_as_is_never_dropped_in_silence():
    """A sentence citing a clause with "in place of" or "shall be read as" that no pattern reads is
    listed as not applied (before, it was neither applied nor listed)."""
    ops = operations("2. Clause 6 shall be read as containing the words set out in the schedule in place of its own.\n")
    assert [(o.kind, o.target) for o in ops] == [("unread", "6")]
