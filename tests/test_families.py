"""Document families: modifiers (amendments, side letters, option exercises, notices,
assignments) recognised at ingest and linked to the agreement they name, without a model.

Pure tests of ingest/families.py first; then (slow: the real MiniLM store) the fixture corpus in
tests/families_corpus and the demo corpus ingested through the service, order independence,
and the `rights family` / `rights sources` commands."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ingest import families as F
from ingest.model import DocumentRecord
from ingest.readers import read_file

CORPUS = Path(__file__).resolve().parent / "families_corpus"
CONTRACTS = sorted(CORPUS.glob("*.txt"))  # the folder also holds questions.jsonl (not a contract)

EXPECTED_ROLES = {
    "kestrel-recording-agreement-2018": "agreement",
    "kestrel-recording-agreement-2021": "agreement",
    "kestrel-amendment-1": "amendment",
    "solstice-songwriter-agreement": "agreement",
    "solstice-side-letter": "side letter",
    "tidewell-licence-agreement": "agreement",
    "tidewell-option-exercise": "option exercise",
    "tidewell-assignment": "assignment",
    "pinecrest-administration-agreement": "agreement",
    "pinecrest-non-renewal-notice": "non-renewal notice",
    "vantage-distribution-agreement": "agreement",
    "vantage-termination-letter": "termination notice",
    "copperline-addendum": "addendum",
}
EXPECTED_LINKS = {  # modifier -> the agreement it changes (None: the orphan)
    "kestrel-amendment-1": "kestrel-recording-agreement-2021",
    "solstice-side-letter": "solstice-songwriter-agreement",
    "tidewell-option-exercise": "tidewell-licence-agreement",
    "tidewell-assignment": "tidewell-licence-agreement",
    "pinecrest-non-renewal-notice": "pinecrest-administration-agreement",
    "vantage-termination-letter": "vantage-distribution-agreement",
    "copperline-addendum": None,
}
EXPECTED_EVIDENCE = {
    "kestrel-amendment-1": '(A) The Company and the Artist are parties to an Exclusive Recording Agreement dated 4 February 2021 (the "Agreement").',
    "solstice-side-letter": 'Re: Exclusive Songwriter Agreement dated 1 September 2022 between Solstice Music Publishing Ltd and Rafael Okoro (the "Agreement")',
    "tidewell-option-exercise": 'Re: Exclusive Licence Agreement dated 15 May 2021 between Tidewell Records Ltd and Brightwater Productions Ltd (the "Agreement")',
    "tidewell-assignment": "(A) The Assignor and the Licensee are parties to an Exclusive Licence Agreement dated 15 May 2021 (as extended by "
                           "the Licensee's notice of exercise of option dated 10 March 2023) (the \"Agreement\").",
    "pinecrest-non-renewal-notice": 'Re: Publishing Administration Agreement dated 1 January 2020 between Pinecrest Rights Management Ltd and Marlowe Street Music Ltd (the "Agreement")',
    "vantage-termination-letter": 'Re: Digital Distribution Agreement dated 1 October 2019 between Ferngrove Records Ltd and Vantage Digital GmbH (the "Agreement")',
}
EXPECTED_DATES = {
    "kestrel-amendment-1": "2023-11-20", "solstice-side-letter": "2024-02-08", "tidewell-option-exercise": "2023-03-10",
    "tidewell-assignment": "2023-06-30", "pinecrest-non-renewal-notice": "2024-09-16",
    "vantage-termination-letter": "2024-06-03", "copperline-addendum": "2024-04-05",
}


def corpus_text(stem: str) -> str:
    return read_file(CORPUS / f"{stem}.txt").text


def title_of(text: str) -> str:
    return next(line.strip() for line in text.splitlines() if line.strip())


def agreement(doc_id: str, title: str, date: str | None, parties: list[str], **kw) -> DocumentRecord:
    return DocumentRecord(doc_id=doc_id, file_path=f"/c/{doc_id}.txt", file_name=f"{doc_id}.txt", title=title,
                          doc_type="contract", kind=kw.pop("kind", "agreement"), file_sha256="x", size=1, state="complete",
                          parties=parties, agreement_date=date, **kw)


# -- classify ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("stem, role", sorted(EXPECTED_ROLES.items()))
def test_classify_fixture_corpus(stem, role):
    text = corpus_text(stem)
    assert (F.classify(title_of(text), text) or "agreement") == role


ORIGINAL_WITH_TERMINATION = """EXCLUSIVE RECORDING AGREEMENT

This Exclusive Recording Agreement (the "Agreement") is made on 1 March 2022 between Harbour Records Ltd ("Company") and Ada Vale ("Artist").

1. TERM
1.1 The Term starts on 1 March 2022 and ends on 28 February 2025.
2. TERMINATION
2.1 Either party may give notice of termination if the other commits a material breach. On termination the Company may terminate all licences.
2.2 The Company may give notice of non-renewal ninety (90) days before the end of the Term.
3. AMENDMENT
3.1 No amendment or variation of this Agreement is effective unless in writing. This Agreement supersedes any side letter.
3.2 Neither party may make an assignment of this Agreement without consent.
"""


def test_an_agreement_that_mentions_termination_and_amendment_is_not_a_modifier():
    assert F.classify("EXCLUSIVE RECORDING AGREEMENT", ORIGINAL_WITH_TERMINATION) is None
    # ... even when its clauses start right after the title (no preamble)
    body = ORIGINAL_WITH_TERMINATION.split("1. TERM", 1)[1]
    assert F.classify("SUPPLY AGREEMENT", "SUPPLY AGREEMENT\n1. TERM" + body) is None


def test_an_agreement_reciting_another_agreement_is_not_a_modifier():
    text = ("PRODUCER AGREEMENT\n\nThis Producer Agreement (the \"Agreement\") is made on 5 May 2022 between Kestrel Sound Ltd "
            "(\"Company\") and Theo Marsh (\"Producer\").\n\n(A) The Company has the exclusive recording services of JUNO under an "
            "Exclusive Recording Agreement dated 4 February 2021 (the \"Artist Agreement\").\n")
    assert F.classify("PRODUCER AGREEMENT", text) is None


def test_demo_corpus_classified():
    from assistant.demo import corpus_dir

    roles = {}
    for path in sorted(corpus_dir().iterdir()):
        if path.suffix in (".txt", ".pdf", ".md", ".docx"):
            extracted = read_file(path)
            roles[path.stem] = F.classify(extracted.title or title_of(extracted.text), extracted.text)
    assert roles.pop("nova-records-amendment-1") == "amendment"
    assert roles.pop("meridian-termination-letter") == "termination notice"
    assert set(roles.values()) == {None}, roles  # theo-lark recites the recording agreement: still an agreement


@pytest.mark.parametrize("title, text, kind", [
    ("Kestrel Sound Ltd", "Kestrel Sound Ltd\n\nDear Juno,\n\nRe: Exclusive Recording Agreement dated 4 February 2021\n\n"
     "We write to exercise the second option under clause 2 of the Agreement.", "option exercise"),
    ("Letter", "Dear Sirs,\n\nRe: Licence Agreement dated 1 May 2020\n\nWe hereby give you notice to terminate the Agreement.",
     "termination notice"),
    ("Letter", "Dear Ms Osei,\n\nRe: Administration Agreement dated 1 January 2020\n\nWe do not wish to renew the Agreement.",
     "non-renewal notice"),
    ("Letter", "Dear Rafael,\n\nRe: Exclusive Songwriter Agreement dated 1 September 2022\n\nThis letter confirms that, "
     "notwithstanding clause 5.1 of the Agreement, the advance is increased.", "side letter"),
    ("THIS SIDE LETTER", "THIS SIDE LETTER is made on 3 May 2023 between A Ltd and B Ltd.", "side letter"),
    ("Deed", "DEED OF VARIATION\n\nThis Deed of Variation is made on 3 May 2023.", "variation"),
    ("Extension", "TERM EXTENSION AGREEMENT\n\nThis Extension Agreement is dated 3 May 2023.", "extension"),
    ("x", "NOVATION AGREEMENT\n\nThis Novation is made on 3 May 2023.", "assignment"),
    # a side letter naming the agreement "as amended by Amendment No. 1" is not an amendment
    ("Nova Records Ltd", "Nova Records Ltd\n\nDear Mara,\n\nRe: Exclusive Recording Agreement dated 1 March 2022 as amended by "
     "Amendment No. 1\n\nThis letter confirms our agreement that, notwithstanding clause 7.2, the royalty is 30%.", "side letter"),
    # a consolidated agreement is a whole agreement
    ("AMENDED AND RESTATED DISTRIBUTION AGREEMENT", "AMENDED AND RESTATED DISTRIBUTION AGREEMENT\n\nThis Agreement is made on "
     "1 May 2023.", None),
    # a letter that acts on nothing is not a modifier, nor a letter agreement that extends nothing named
    ("Letter", "Dear Juno,\n\nThank you for the new demos. We look forward to the album.", None),
    ("LETTER AGREEMENT", "LETTER AGREEMENT\n\nDear Ada,\n\nThis letter agreement sets out the terms on which we engage you. "
     "We may extend the Term by notice. Clause 2 of the Agreement applies.", None),
])
def test_classify_openings(title, text, kind):
    assert F.classify(title, text) == kind


# -- references -------------------------------------------------------------------------------------
def test_references_recital_over_a_second_dated_mention():
    ref = F.references(corpus_text("kestrel-amendment-1"))
    assert ref.agreement_type == "Exclusive Recording Agreement"
    assert ref.dated == "2021-02-04"  # recital (A), not the 2018 deal named in recital (B)
    assert ref.parties == ["Kestrel Sound Ltd", "Juno Adeyemi"]
    assert ref.evidence == EXPECTED_EVIDENCE["kestrel-amendment-1"]


def test_references_re_line_with_parties():
    ref = F.references(corpus_text("vantage-termination-letter"))
    assert (ref.agreement_type, ref.dated) == ("Digital Distribution Agreement", "2019-10-01")
    assert ref.parties == ["Ferngrove Records Ltd", "Vantage Digital GmbH"]
    assert ref.evidence == EXPECTED_EVIDENCE["vantage-termination-letter"]


@pytest.mark.parametrize("text, expected_type, dated, evidence_has", [
    ("Dear Juno,\n\nFurther to the Exclusive Recording Agreement dated 4 February 2021 between Kestrel Sound Ltd and Juno "
     "Adeyemi, we confirm the new release date.", "Exclusive Recording Agreement", "2021-02-04", "Further to the"),
    ("Dear Sirs,\n\nWe refer to the distribution agreement between Ferngrove Records Ltd and Vantage Digital GmbH dated "
     "1 October 2019. We hereby give notice to terminate it.", "distribution agreement", "2019-10-01", "We refer to"),
    ("SIDE LETTER\n\nDear Mara,\n\nThis letter varies clause 7.2 of the Agreement as amended by Amendment No. 1 dated 15 January "
     "2024.", None, None, "clause 7.2 of the Agreement"),
    ("ENDORSEMENT AGREEMENT ADDENDUM I\n\nThe Parties agree that this Addendum I is enforceable under the terms of the "
     "Endorsement Agreement executed by the Parties on October 30, 2017.", "Endorsement Agreement", "2017-10-30", "executed by"),
    ("AMENDMENT NO. 2 TO EXCLUSIVE RECORDING AGREEMENT\n\nThis Amendment No. 2 is made on 1 June 2024 between Nova Records Ltd "
     "and Mara Quinn.\n\n1. Clause 7.2 of the Agreement is deleted.", "Exclusive Recording Agreement", None, "Clause 7.2 of the Agreement"),
])
def test_references_forms(text, expected_type, dated, evidence_has):
    ref = F.references(text)
    assert ref is not None
    assert (ref.agreement_type, ref.dated) == (expected_type, dated)
    assert evidence_has in ref.evidence and ref.evidence in text


def test_references_none_when_no_agreement_is_named():
    assert F.references("NOTICE OF TERMINATION\n\nDate: 1 May 2024\n\nDear Sirs,\n\nWe hereby terminate our arrangements.") is None


def test_sentence_at_keeps_abbreviations_together():
    text = "Background. The parties to Amendment No. 1 of the Licence dated 1 May 2020 are Pinewave B.V. and Harbour Ltd. Next."
    start = text.index("Licence")
    assert F.sentence_at(text, start, start + 7) == (
        "The parties to Amendment No. 1 of the Licence dated 1 May 2020 are Pinewave B.V. and Harbour Ltd.")


# -- effective date -----------------------------------------------------------------------------------
@pytest.mark.parametrize("stem, date", sorted(EXPECTED_DATES.items()))
def test_effective_date_is_the_documents_own(stem, date):
    assert F.effective_date(corpus_text(stem)) == date


def test_effective_date_forms():
    assert F.effective_date("Nova Records Ltd\n12 Wharf Road\n\n3 June 2024\n\nDear Sirs,\n\nRe: Agreement dated 1 July 2020") == "2024-06-03"
    assert F.effective_date("Re: Agreement dated 1 July 2020\n\nThe termination takes effect on 30 September 2024.") == "2024-09-30"
    assert F.effective_date("Re: Agreement dated 1 July 2020\n\nNothing else.") is None
    assert F.effective_date("THIS ADDENDUM is made on the 4th day of February 2019 between A and B.") == "2019-02-04"
    assert F.effective_date("This Addendum I is made and effective November 7, 2017, under the Agreement dated "
                            "October 30, 2017.") == "2017-11-07"


# -- link ----------------------------------------------------------------------------------------------
KESTREL_2018 = agreement("k18", "EXCLUSIVE RECORDING AGREEMENT", "2018-06-12", ["Kestrel Sound Ltd", "Juno Adeyemi"], kind="recording agreement")
KESTREL_2021 = agreement("k21", "EXCLUSIVE RECORDING AGREEMENT", "2021-02-04", ["Kestrel Sound Ltd", "Juno Adeyemi"], kind="recording agreement")
SOLSTICE = agreement("sol", "EXCLUSIVE SONGWRITER AGREEMENT", "2021-02-04", ["Solstice Music Publishing Ltd", "Rafael Okoro"], kind="publishing agreement")


def test_link_uses_the_date_between_deals_with_the_same_parties():
    ref = F.Reference("Exclusive Recording Agreement", "2021-02-04", ["Kestrel Sound Ltd", "Juno Adeyemi"], "(A) ...")
    assert F.link(ref, [KESTREL_2018, KESTREL_2021, SOLSTICE])[0] == "k21"
    ref.dated = "2018-06-12"
    assert F.link(ref, [KESTREL_2018, KESTREL_2021, SOLSTICE])[0] == "k18"


def test_link_without_date_is_ambiguous_between_two_equal_deals():
    ref = F.Reference("Exclusive Recording Agreement", None, ["Kestrel Sound Ltd", "Juno Adeyemi"], "Re: ...")
    parent, reason = F.link(ref, [KESTREL_2018, KESTREL_2021])
    assert parent is None and "more than one" in reason
    assert F.link(ref, [KESTREL_2021, SOLSTICE])[0] == "k21"  # one recording agreement: the type and parties single it out


def test_link_never_guesses():
    ref = F.Reference("Master Use Licence", "2021-08-09", ["Ferngrove Records Ltd", "Copperline Films Ltd"], "(A) ...")
    assert F.link(ref, [KESTREL_2021, SOLSTICE]) == (None, "no ingested agreement matches")
    # a date alone is not enough: same date as the songwriter agreement, but nothing else in common
    ref = F.Reference("Master Use Licence", "2021-02-04", ["Ferngrove Records Ltd"], "(A) ...")
    assert F.link(ref, [SOLSTICE])[0] is None
    # only the parties, no type, no date: two deals between them, so no link
    ref = F.Reference(None, None, ["Kestrel Sound Ltd", "Juno Adeyemi"], "clause 2 of the Agreement")
    assert F.link(ref, [KESTREL_2018, KESTREL_2021])[0] is None
    assert F.link(ref, [KESTREL_2021])[0] == "k21"


def test_link_skips_modifiers_and_non_contracts():
    amendment = agreement("am1", "AMENDMENT NO. 1 TO EXCLUSIVE RECORDING AGREEMENT", "2021-02-04",
                          ["Kestrel Sound Ltd", "Juno Adeyemi"], family_role="amendment", family_of="k21")
    sheet = agreement("sheet", "Exclusive Recording split sheet", "2021-02-04", ["Kestrel Sound Ltd"])
    sheet.doc_type = "split sheet"
    ref = F.Reference("Exclusive Recording Agreement", "2021-02-04", ["Kestrel Sound Ltd", "Juno Adeyemi"], "...")
    assert F.link(ref, [amendment, sheet, KESTREL_2021])[0] == "k21"
    assert F.link(ref, [amendment, sheet])[0] is None


def test_same_party():
    assert F.same_party("Meridian Digital Distribution B.V.", "Meridian Digital Distribution BV")
    assert F.same_party("Nova Records Ltd", "Nova Records Limited")
    assert not F.same_party("Brightwater Productions Ltd", "Brightwater Music Group Ltd")
    assert not F.same_party("Nova", "Nova Records Ltd")  # one word is too little to be sure


# -- relinking, warnings, showing ------------------------------------------------------------------------
def test_relinked_adds_and_removes_the_warning():
    ref = F.Reference("Exclusive Recording Agreement", "2021-02-04", ["Kestrel Sound Ltd", "Juno Adeyemi"], "(A) recital")
    mod = agreement("am1", "AMENDMENT NO. 1", None, ["Kestrel Sound Ltd", "Juno Adeyemi"], family_role="amendment",
                    refers_to=ref.as_dict(), effective_date="2023-11-20", warnings=["other warning"])
    alone = F.relinked(mod, [mod])
    assert alone.family_of is None and alone.warnings[0] == "other warning"
    assert alone.warnings[1] == ("looks like an amendment but names no ingested agreement it changes (it refers to: Exclusive "
                                 "Recording Agreement dated 4 February 2021 between Kestrel Sound Ltd and Juno Adeyemi)")
    assert F.is_family_warning(alone.warnings[1]) and F.relinked(alone, [alone]) is None  # stable: nothing to write
    linked = F.relinked(alone, [alone, KESTREL_2021])
    assert linked.family_of == "k21" and linked.family_evidence == "(A) recital" and linked.warnings == ["other warning"]
    no_ref = agreement("sl", "SIDE LETTER", None, [], family_role="side letter")
    assert "does not say which agreement" in F.relinked(no_ref, [KESTREL_2021]).warnings[0]


def test_families_in_date_order_and_labels():
    k21 = agreement("k21", "EXCLUSIVE RECORDING AGREEMENT", "2021-02-04", [], ingested_at="2024-01-02")
    notice = agreement("n", "NOTICE", "2021-02-04", [], family_role="termination notice", family_of="k21", effective_date="2025-01-01")
    amend = agreement("a", "AMENDMENT", "2021-02-04", [], family_role="amendment", family_of="k21", effective_date="2023-11-20")
    orphan = agreement("o", "ADDENDUM", None, [], family_role="addendum", effective_date="2024-04-05")
    members = F.family_members([notice, orphan, k21, amend], "n")
    assert [m.doc_id for m in members] == ["k21", "a", "n"]
    assert F.family_members([notice, amend], "n") == [notice]  # the agreement not visible: never named
    assert F.families([notice, orphan, k21, amend]) == {"k21": [k21, amend, notice], "o": [orphan]}
    docs = {d.doc_id: d for d in (k21, notice, amend, orphan)}
    assert F.family_label(k21, docs) == "agreement (+2)"
    assert F.family_label(amend, docs) == "amendment of k21.txt"
    assert F.family_label(orphan, docs) == "addendum (not linked)"
    assert F.family_label(amend, {"a": amend}) == "amendment"


def test_old_ledger_entries_load_with_defaults():
    payload = KESTREL_2021.payload()
    for key in ("family_role", "family_of", "family_evidence", "refers_to", "effective_date"):
        payload.pop(key)
    doc = DocumentRecord.from_payload(payload)
    assert (doc.family_role, doc.family_of, doc.refers_to, doc.effective_date) == ("agreement", None, {}, None)


# -- the fixture corpus's questions ------------------------------------------------------------------------
def test_questions_are_exact_and_cover_changed_values():
    rows = [json.loads(line) for line in (CORPUS / "questions.jsonl").read_text().splitlines() if line.strip()]
    assert len(rows) >= 25 and len({r["qid"] for r in rows}) == len(rows)
    answerable = [r for r in rows if r["answerable"]]
    assert len(rows) - len(answerable) >= 4
    changed = [r for r in answerable if r.get("superseded")]
    assert len(changed) * 3 >= len(rows)
    for r in answerable:
        text = corpus_text(r["doc_id"])
        assert r["gold_answer"] in text, r["qid"]
        for span in r["gold_answer_spans"]:
            assert text[span["start"]:span["end"]] == span["text"], r["qid"]
    for r in changed:  # the current value is in a modifier; the old one in the agreement it changed
        assert EXPECTED_ROLES[r["doc_id"]] != "agreement", r["qid"]
        root = EXPECTED_LINKS[r["doc_id"]]
        for old in r["superseded"]:
            assert old in corpus_text(root), (r["qid"], old)


# -- through the real store (slow) -----------------------------------------------------------------------------
def _by_stem(service) -> dict[str, DocumentRecord]:
    return {Path(d.file_name).stem: d for d in service.sources()}


def _check_links(docs: dict[str, DocumentRecord]) -> None:
    for stem, role in EXPECTED_ROLES.items():
        assert docs[stem].family_role == role, stem
    for stem, parent in EXPECTED_LINKS.items():
        doc = docs[stem]
        family_warnings = [w for w in doc.warnings if F.is_family_warning(w)]
        if parent is None:
            assert doc.family_of is None and doc.family_evidence == ""
            assert family_warnings == [
                "looks like an addendum but names no ingested agreement it changes (it refers to: Master Use Licence dated "
                "9 August 2021 between Ferngrove Records Ltd and Copperline Films Ltd)"]
        else:
            assert doc.family_of == docs[parent].doc_id, stem
            assert doc.family_evidence == EXPECTED_EVIDENCE[stem]
            assert doc.family_evidence in corpus_text(stem)
            assert family_warnings == [], stem
        assert doc.effective_date == EXPECTED_DATES[stem]
    for stem, role in EXPECTED_ROLES.items():
        if role == "agreement":
            assert docs[stem].family_of is None and not docs[stem].refers_to


@pytest.mark.slow
def test_fixture_corpus_families(service):
    report = service.ingest(CONTRACTS)
    assert report.ok and report.counts["new"] == len(EXPECTED_ROLES)
    orphan = next(r for r in report.results if r.path.endswith("copperline-addendum.txt"))
    assert any(w.startswith("looks like an addendum but names no ingested agreement") for w in orphan.warnings)
    assert not [r for r in report.results if r.warnings and r is not orphan]
    docs = _by_stem(service)
    _check_links(docs)

    tidewell = service.family(docs["tidewell-assignment"].doc_id)
    assert [Path(d.file_name).stem for d in tidewell] == [
        "tidewell-licence-agreement", "tidewell-option-exercise", "tidewell-assignment"]
    assert service.family(docs["tidewell-licence-agreement"].doc_id) == tidewell
    assert [Path(d.file_name).stem for d in service.family(docs["copperline-addendum"].doc_id)] == ["copperline-addendum"]
    assert [Path(d.file_name).stem for d in service.family(docs["kestrel-recording-agreement-2018"].doc_id)] == [
        "kestrel-recording-agreement-2018"]  # the distractor: nothing changes it
    assert len(service.families()) == 7

    # a second run changes nothing; forgetting an agreement unlinks its modifiers, and they say so
    assert service.ingest(CONTRACTS).counts["unchanged"] == len(EXPECTED_ROLES)
    service.forget(docs["vantage-distribution-agreement"])
    letter = _by_stem(service)["vantage-termination-letter"]
    assert letter.family_of is None and any(w.startswith("looks like a termination notice but") for w in letter.warnings)


@pytest.mark.slow
def test_links_do_not_depend_on_ingest_order(service, tmp_path):
    modifiers, agreements = tmp_path / "modifiers", tmp_path / "agreements"
    modifiers.mkdir(), agreements.mkdir()
    for stem, role in EXPECTED_ROLES.items():
        shutil.copy(CORPUS / f"{stem}.txt", (agreements if role == "agreement" else modifiers) / f"{stem}.txt")
    first = service.ingest([modifiers])
    assert first.ok and all(any(F.is_family_warning(w) for w in r.warnings) for r in first.results)
    assert all(d.family_of is None for d in service.sources())
    second = service.ingest([agreements])
    assert second.ok
    docs = _by_stem(service)
    # the modifiers keep their ids from the first run, only their ledger entries changed
    assert {docs[s].file_path for s in EXPECTED_LINKS} == {str(modifiers / f"{s}.txt") for s in EXPECTED_LINKS}
    for stem, parent in EXPECTED_LINKS.items():
        if parent is not None:
            assert docs[stem].family_of == docs[parent].doc_id, stem
            assert docs[stem].family_evidence == EXPECTED_EVIDENCE[stem]
            assert not [w for w in docs[stem].warnings if F.is_family_warning(w)], stem
    assert docs["copperline-addendum"].family_of is None


@pytest.mark.slow
def test_restricted_view_never_lists_a_hidden_member(service, tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    for stem in ("kestrel-recording-agreement-2021", "kestrel-amendment-1", "tidewell-licence-agreement",
                 "tidewell-option-exercise"):
        shutil.copy(CORPUS / f"{stem}.txt", folder / f"{stem}.txt")
    (folder / "tidewell-licence-agreement.txt.groups").write_text("legal\n")  # the agreement: legal only
    (folder / "kestrel-amendment-1.txt.groups").write_text("legal\n")  # the amendment: legal only
    assert service.ingest([folder]).ok  # linked over the whole ledger, whoever runs it
    everything = _by_stem(service)
    assert everything["tidewell-option-exercise"].family_of == everything["tidewell-licence-agreement"].doc_id
    assert everything["kestrel-amendment-1"].family_of == everything["kestrel-recording-agreement-2021"].doc_id

    sales = service.restricted(["sales"])
    option = everything["tidewell-option-exercise"]
    assert [d.doc_id for d in sales.family(option.doc_id)] == [option.doc_id]  # the hidden agreement never listed
    kestrel = everything["kestrel-recording-agreement-2021"]
    assert [d.doc_id for d in sales.family(kestrel.doc_id)] == [kestrel.doc_id]  # nor the hidden amendment
    assert sales.family(everything["kestrel-amendment-1"].doc_id) == []
    seen = {d.doc_id: d for d in sales.sources()}
    assert F.family_label(seen[option.doc_id], seen) == "option exercise"  # its parent is not named
    assert F.family_label(seen[kestrel.doc_id], seen) == "agreement"  # nor counted

    from assistant.web.app import documents_rows

    rows = {row[7]: row[8] for row in documents_rows(sales)}
    assert rows == {"kestrel-recording-agreement-2021.txt": "agreement", "tidewell-option-exercise.txt": "option exercise"}
    legal = {row[7]: row[8] for row in documents_rows(service.restricted(["legal"]))}
    assert legal["tidewell-option-exercise.txt"] == "option exercise of tidewell-licence-agreement.txt"
    assert legal["kestrel-recording-agreement-2021.txt"] == "agreement (+1)"


@pytest.mark.slow
def test_demo_corpus_families(clean_demo_data, embedder):
    from assistant.service import RightsService
    from assistant.settings import Settings

    with RightsService(Settings(data_dir=clean_demo_data), embedder=embedder) as svc:
        docs = _by_stem(svc)
        nova = docs["nova-records-amendment-1"]
        assert nova.family_role == "amendment" and nova.family_of == docs["nova-records-recording-agreement"].doc_id
        assert nova.family_evidence == ('(A) The Company and the Artist are parties to an Exclusive Recording Agreement dated '
                                        '1 March 2022 (the "Agreement").')
        assert nova.effective_date == "2024-01-15"
        letter = docs["meridian-termination-letter"]
        assert letter.family_role == "termination notice"
        assert letter.family_of == docs["meridian-distribution-agreement"].doc_id
        assert letter.family_evidence.startswith("Re: Digital Distribution Agreement dated 1 July 2020 between Nova Records Ltd")
        assert letter.effective_date == "2024-10-14"
        linked = {s for s, d in docs.items() if d.family_of}
        assert linked == {"nova-records-amendment-1", "meridian-termination-letter"}
        assert not [w for d in docs.values() for w in d.warnings if F.is_family_warning(w)]
        assert [Path(d.file_name).stem for d in svc.family(letter.doc_id)] == [
            "meridian-distribution-agreement", "meridian-termination-letter"]


@pytest.mark.slow
def test_cli_family_and_sources(settings, embedder, monkeypatch):
    from typer.testing import CliRunner

    from assistant.cli.app import app
    from assistant.service import RightsService

    with RightsService(settings, embedder=embedder) as svc:
        assert svc.ingest(CONTRACTS).ok
    monkeypatch.setenv("RIGHTS_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("COLUMNS", "250")
    runner = CliRunner()

    def run(*args):
        result = runner.invoke(app, list(args), catch_exceptions=False)
        assert "Traceback" not in result.output
        return result

    helped = run("family", "--help")
    assert helped.exit_code == 0 and "date order" in helped.output and "--json" in helped.output

    shown = run("family", "tidewell-assignment.txt")
    assert shown.exit_code == 0, shown.output
    out = shown.output
    assert out.index("15 May 2021") < out.index("10 March 2023") < out.index("30 June 2023")
    assert "option exercise" in out and "assignment" in out and "tidewell-licence-agreement.txt" in out
    assert "Re: Exclusive Licence Agreement dated 15 May 2021" in " ".join(out.split())

    as_json = run("family", "Kestrel-Amendment-1.txt", "--json")
    members = json.loads(as_json.output)
    assert [Path(m["file_name"]).stem for m in members] == ["kestrel-recording-agreement-2021", "kestrel-amendment-1"]
    assert members[1]["family_of"] == members[0]["doc_id"] and members[1]["family_evidence"] == EXPECTED_EVIDENCE["kestrel-amendment-1"]

    orphan = run("family", "copperline-addendum.txt")
    assert orphan.exit_code == 0 and "not linked" in orphan.output and "Master Use Licence" in orphan.output
    missing = run("family", "no-such-contract.pdf")
    assert missing.exit_code == 1 and "no ingested document matches" in missing.output

    listed = run("sources")
    flat = " ".join(listed.output.split())
    assert "family" in flat and "agreement (+2)" in flat  # tidewell: option exercise and assignment
    sources = json.loads(run("sources", "--json").output)
    side = next(s for s in sources if s["file_name"] == "solstice-side-letter.txt")
    assert side["family_role"] == "side letter" and side["refers_to"]["dated"] == "2022-09-01"
    assert side["effective_date"] == "2024-02-08"


def test_a_letter_that_changes_an_agreement_is_a_side_letter_and_names_it_exactly():
    """Letters with no "amend" or "vary": "We write to confirm the following changes to the
    Agreement", "the License is modified as follows" (after "U.S. Dollars", whose full stop ends no
    sentence); an agreement's name never runs back across a blank line into an address ("N1 7GR")."""
    from ingest.families import classify, references

    letter = ("HALDEN ARTIST MANAGEMENT LIMITED\n5 Wharf Road, London N1 7GR\n\nDear Rosa,\n\nManagement Agreement dated "
              "10 January 2022 between Halden Artist Management Limited and you (the \"Agreement\")\n\nWe write to confirm the "
              "following changes to the Agreement, which will apply from 1 February 2023:\n\n1. Clause 5.1 shall be read as if "
              "\"£500\" were replaced by \"£1,000\".\n")
    modified = ("LETTER AGREEMENT\n\nRe: Master Use License Agreement dated as of May 15, 2023 between A Records, LLC and "
                "B Games, Inc. (the \"License\")\n\nThis letter agreement confirms that, in consideration of an additional fee "
                "of Five Thousand U.S. Dollars (US$5,000), the License is modified as follows:\n\n(i) The Term is extended.\n")
    notice = ("To: Halden Artist Management Limited, 5 Wharf Road, London N1 7GR\n\nManagement Agreement dated 10 January 2022 "
              "(the \"Agreement\")\n\nI hereby give you notice under clause 2.2 of the Agreement that I extend the Term by one (1) "
              "further year.\n")
    assert classify("", letter) == "side letter" and classify("", modified) == "side letter"
    assert references(notice).agreement_type == "Management Agreement"
    assert classify("", "MANAGEMENT AGREEMENT\n\nTHIS AGREEMENT is dated 10 January 2022 ...") is None
