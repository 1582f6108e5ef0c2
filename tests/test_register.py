"""The contract register (assistant/contracts/register.py): family-aware key terms (the current value and
its history, every changed value of the families corpus), values computed as of a date, the
register's filters and its CSV/XLSX exports read back; then (slow: the real MiniLM store) terms
stored at ingest, access groups on every row and value, `rights terms` / `rights register`, and
the answer engine answering from key terms first with the clause each value came from."""

from __future__ import annotations

import csv
import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from assistant.contracts import export as RX
from assistant.contracts import family as RF
from assistant.contracts import register as R
from assistant.contracts import storage as RS
from assistant.contracts.terms import extract_terms
from ingest import families as F
from ingest import metadata
from ingest.model import DocumentRecord
from ingest.readers import read_file

CORPUS = Path(__file__).resolve().parent / "families_corpus"
JUNE_2024 = date(2024, 6, 1)


def ledger(paths) -> tuple[dict[str, DocumentRecord], dict[str, dict]]:
    """Ledger entries and stored terms for ``paths``, linked as ingest links them (no store)."""
    docs, stored = {}, {}
    for path in paths:
        text = read_file(path).text
        title = next(line.strip() for line in text.splitlines() if line.strip())
        fam = F.classify_document(title, text)
        doc = DocumentRecord(path.stem, str(path), path.name, title, "contract", "agreement", "sha", 1, state="complete",
                             n_chunks=1, parties=metadata.parties(text), agreement_date=metadata.agreement_date(text), **fam)
        docs[doc.doc_id] = doc
        stored[doc.doc_id] = extract_terms(title, text, doc.family_role, doc.effective_date)
    complete = list(docs.values())
    for doc in complete:
        docs[doc.doc_id] = F.relinked(doc, complete) or doc
    return docs, stored


@pytest.fixture(scope="module")
def corpus():
    return ledger(sorted(CORPUS.glob("*.txt")))


def family(corpus, stem: str, today: date = JUNE_2024) -> RF.FamilyTerms:
    docs, stored = corpus
    return RF.family_terms(F.family_members(docs.values(), stem), stored, today)


# Every value a later document of the families corpus changes: (family, term, old, new, changing document).
CHANGED = [
    ("kestrel-recording-agreement-2021", "expiry", "3 February 2024", "31 January 2026", "kestrel-amendment-1"),
    ("kestrel-recording-agreement-2021", "royalties", "22% of Net Receipts (streaming)", "26% of Net Receipts (streaming)",
     "kestrel-amendment-1"),
    ("kestrel-recording-agreement-2021", "minimum_commitment", "deliver two (2) Albums", "deliver three (3) Albums", "kestrel-amendment-1"),
    ("solstice-songwriter-agreement", "territory", "GB, IE", "WW", "solstice-side-letter"),
    ("solstice-songwriter-agreement", "advances", "GBP 25,000", "GBP 40,000 (total)", "solstice-side-letter"),
    ("tidewell-licence-agreement", "expiry", "14 May 2023", "14 May 2024", "tidewell-option-exercise"),
    ("tidewell-licence-agreement", "parties", "Brightwater Productions Ltd (Licensor)",
     "Brightwater Music Group Ltd (Licensor, by assignment from Brightwater Productions Ltd)", "tidewell-assignment"),
    ("pinecrest-administration-agreement", "expiry", "31 December 2022", "31 December 2024", "pinecrest-non-renewal-notice"),
    ("pinecrest-administration-agreement", "renewal", "renews automatically for periods of 1 year", "stopped by notice of non-renewal",
     "pinecrest-non-renewal-notice"),
    ("vantage-distribution-agreement", "expiry", "30 September 2024", "1 September 2024", "vantage-termination-letter"),
]


@pytest.mark.parametrize("root, key, old, new, changer", CHANGED)
def test_every_changed_value_shows_its_current_value_and_its_history(corpus, root, key, old, new, changer):
    ft = family(corpus, root)
    term = ft.term(key)
    now = [e for e in term.current if e.value.text == new]
    assert now and now[0].doc.doc_id == changer and now[0].change == "changed", [e.value.text for e in term.current]
    was = [e for e in term.history if e.value.text == old]
    assert was and was[0].superseded and was[0].doc.doc_id == root
    assert old not in [e.value.text for e in term.current]
    assert term.history.index(was[0]) < term.history.index(now[0])  # in date order
    assert now[0].value.clause is not None and now[0].value.clause.text  # each with its clause


def test_changed_terms_are_exactly_the_changed_ones(corpus):
    changed = {(ft.root.doc_id, t.key) for stem in {c[0] for c in CHANGED} for ft in [family(corpus, stem)] for t in ft.changed()}
    assert changed == {(c[0], c[1]) for c in CHANGED}  # an option exercised adds to the options, replaces nothing


def test_additions_and_what_stays(corpus):
    kestrel = family(corpus, "kestrel-amendment-1")  # any member opens its family
    assert kestrel.root.doc_id == "kestrel-recording-agreement-2021"
    advances = kestrel.term("advances")
    assert [e.value.text for e in advances.current] == ["GBP 45,000", "+ GBP 20,000"] and advances.current[1].change == "added"
    assert not any(e.superseded for e in advances.history)  # a further advance adds, replaces nothing
    row = R.register_row(kestrel)
    assert row.cells["advances"].endswith("= GBP 65,000 in total")
    physical = [e for e in kestrel.term("royalties").current if e.value.slot == "physical"]
    assert physical[0].value.value["percent"] == 16.0 and physical[0].change == "original"  # untouched by the amendment
    tidewell = family(corpus, "tidewell-licence-agreement")
    assert [e.value.text for e in tidewell.term("options").current][1] == "first option exercised"
    # an orphan addendum changes nothing it could not name; the 2018 deal is a family of its own
    assert family(corpus, "kestrel-recording-agreement-2018").term("expiry").text() == "11 June 2020"


def test_not_stated_is_said(corpus):
    ft = family(corpus, "vantage-distribution-agreement")
    assert ft.term("advances").text() == "not stated" and ft.term("advances").status == "not stated"
    assert ft.as_dict()["terms"]["audit"]["status"] == "not stated"


# -- computed as of a date ------------------------------------------------------------------------------
def test_a_notice_of_non_renewal_stops_the_deadline(corpus):
    ft = family(corpus, "pinecrest-administration-agreement", date(2024, 10, 1))
    assert ft.term("notice_deadline").text() == "notice of non-renewal given"
    assert R.register_row(ft).cells["status"] == "ending (not renewing)"
    docs, stored = corpus
    alone = RF.family_terms([docs["pinecrest-administration-agreement"]], stored, date(2024, 6, 1))
    # without the notice: renewed twice after the initial term (31 Dec 2022), notice due 90 days before 31 Dec 2024
    assert alone.term("current_end").first().value == "2024-12-31" and "renewed 2 times" in alone.term("current_end").first().basis
    assert alone.term("notice_deadline").first().value == "2024-10-02"
    assert R.register_row(alone).cells["status"] == "renewed"
    late = RF.family_terms([docs["pinecrest-administration-agreement"]], stored, date(2024, 10, 3))
    nd = late.term("notice_deadline").first()
    assert nd.value == "2025-10-02" and "has passed" in nd.basis  # missed: it renews once more


def test_option_and_reversion_dates(corpus):
    docs, stored = corpus
    members = F.family_members(docs.values(), "tidewell-licence-agreement")
    before_exercise = RF.family_terms([m for m in members if m.doc_id == "tidewell-licence-agreement"], stored, date(2023, 1, 1))
    assert before_exercise.term("option_deadline").first().value == "2023-03-15"  # 60 days before 14 May 2023
    after = RF.family_terms(members, stored, date(2024, 1, 1))
    assert after.term("option_deadline").text() == "15 March 2024 (second option)"  # the letter says the same
    assert after.term("reversion_date").first().value == "2034-05-15"  # ten years after the term's current end
    solstice = family(corpus, "solstice-songwriter-agreement")
    assert solstice.term("reversion_date").first().value == "2037-09-01"  # 12 years after 31 Aug 2025
    assert family(corpus, "kestrel-recording-agreement-2021").term("reversion_date").text().startswith("never")


# -- the register ------------------------------------------------------------------------------------------
class View:
    """A service view over a fixed ledger (register_rows' access is the view's own)."""

    def __init__(self, docs, stored):
        self.docs, self._stored = docs, stored

    def families(self):
        return F.families(self.docs.values())


@pytest.fixture
def rows(corpus, monkeypatch):
    docs, stored = corpus
    monkeypatch.setattr(RF, "stored_terms", lambda view, ids=None: {d: stored[d] for d in (ids or stored) if d in stored})
    return View(docs, stored)


def test_register_filters_and_sorts(rows):
    all_rows = R.register_rows(rows, today=JUNE_2024)
    assert [r.cells["file"] for r in all_rows][:2] == ["kestrel-recording-agreement-2018.txt", "tidewell-licence-agreement.txt"]
    assert len(all_rows) == 6  # the agreements; the orphan addendum has no agreement to sit under
    soon = R.register_rows(rows, expiring_within=R.parse_days("120d"), today=JUNE_2024)
    assert [r.cells["file"] for r in soon] == ["vantage-distribution-agreement.txt"]  # 1 September 2024
    half_year = R.register_rows(rows, expiring_within=R.parse_days("8m"), today=JUNE_2024)
    assert {r.cells["file"] for r in half_year} == {"vantage-distribution-agreement.txt", "pinecrest-administration-agreement.txt"}
    assert [r.cells["file"] for r in R.register_rows(rows, party="brightwater music", today=JUNE_2024)] == [
        "tidewell-licence-agreement.txt"]  # the assignee, by assignment
    by_name = R.register_rows(rows, sort="agreement", today=JUNE_2024)
    assert [r.cells["agreement"] for r in by_name] == sorted(r.cells["agreement"] for r in by_name)
    with pytest.raises(ValueError):
        R.register_rows(rows, sort="nonsense")
    assert R.parse_days("180d") == 180 and R.parse_days("8w") == 56 and R.parse_days("1y") == 365
    with pytest.raises(ValueError):
        R.parse_days("soon")


def test_deadlines_within_n_days(rows):
    items = R.deadlines(rows, 365, JUNE_2024)
    assert [(d.date, d.what) for d in items] == [("2024-09-01", "term ends"), ("2024-12-31", "term ends")]


def test_exports_read_back(rows, tmp_path):
    import openpyxl

    data = R.register_rows(rows, today=JUNE_2024)
    data[0].cells["agreement"] = "=HYPERLINK(\"http://x\")"  # a contract's words never run as a formula
    RX.export_csv(data, tmp_path / "register.csv")
    with (tmp_path / "register.csv").open(encoding="utf-8-sig", newline="") as fh:
        read = list(csv.DictReader(fh))
    assert len(read) == len(data) and list(read[0]) == [label for _, label in R.COLUMNS]
    assert read[0]["Agreement"].startswith("'=")
    pine = next(r for r in read if r["File"] == "pinecrest-administration-agreement.txt")
    assert pine["Ends"] == "31 December 2024" and pine["Governing law"] == "England and Wales (GB-EAW)"

    RX.export_xlsx(data, tmp_path / "register.xlsx", JUNE_2024)
    book = openpyxl.load_workbook(tmp_path / "register.xlsx")
    sheet = book["Register"]
    values = list(sheet.values)
    assert list(values[0]) == [label for _, label in R.COLUMNS] and len(values) == len(data) + 1
    header = list(values[0])
    pine = next(v for v in values[1:] if v[header.index("File")] == "pinecrest-administration-agreement.txt")
    ends = pine[header.index("Ends")]
    assert ends.date() == date(2024, 12, 31)  # a real date cell, sortable in the spreadsheet
    assert values[1][0].startswith("'=") and sheet.cell(2, 1).data_type == "s"
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    clauses = list(book["Clauses"].values)
    assert clauses[0] == ("Agreement", "Term", "Value", "Document", "Clause", "Words")
    assert any(c[1] == "Term end / expiry" and c[3] == "pinecrest-non-renewal-notice.txt" for c in clauses[1:])


# -- through the service (slow: the real MiniLM store) ------------------------------------------------------------
@pytest.mark.slow
def test_terms_stored_at_ingest_and_access_on_every_row(service, tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    for p in CORPUS.glob("*.txt"):
        shutil.copy(p, folder / p.name)
    (folder / "kestrel-amendment-1.txt.groups").write_text("legal\n")  # the amendment: legal only
    (folder / "vantage-distribution-agreement.txt.groups").write_text("legal\n")
    assert service.ingest([folder]).ok
    stored = RS.TermsStore(service.store).all()
    assert len(stored) == 13 and all(r["version"] for r in stored.values())
    everything = R.register_rows(service, today=JUNE_2024)
    assert len(everything) == 6
    kestrel = next(r for r in everything if r.cells["file"] == "kestrel-recording-agreement-2021.txt")
    assert kestrel.cells["expiry"] == "31 January 2026"

    sales = service.restricted(["sales"])
    seen = R.register_rows(sales, today=JUNE_2024)
    assert {r.cells["file"] for r in seen} == {r.cells["file"] for r in everything} - {"vantage-distribution-agreement.txt"}
    kestrel = next(r for r in seen if r.cells["file"] == "kestrel-recording-agreement-2021.txt")
    assert kestrel.cells["expiry"] == "3 February 2024"  # the hidden amendment's value is never used
    assert "26%" not in kestrel.cells["royalties"] and kestrel.cells["documents"] == "1"
    assert RF.terms_of(sales, service.find_documents("kestrel-amendment-1.txt")[0].doc_id) is None
    blob = json.dumps([r.terms.as_dict() for r in seen])
    assert "kestrel-amendment-1" not in blob and "Vantage" not in blob
    assert "vantage-termination-letter" not in RS.stored_terms(sales)  # an orphan to this viewer: not in the register
    # a second run reads nothing again; forgetting a document drops its terms
    assert RS.refresh_terms(service.store) == 0
    service.forget(service.find_documents("solstice-side-letter.txt")[0])
    assert len(RS.TermsStore(service.store).all()) == 12
    solstice = next(r for r in R.register_rows(service, today=JUNE_2024) if r.cells["file"] == "solstice-songwriter-agreement.txt")
    assert solstice.cells["territory"] == "GB, IE"


@pytest.mark.slow
def test_cli_terms_and_register(cli, embedder, tmp_path):
    from assistant.service import RightsService
    from assistant.settings import Settings

    with RightsService(Settings(data_dir=tmp_path / "data"), embedder=embedder) as svc:
        assert svc.ingest(sorted(CORPUS.glob("*.txt"))).ok
    out = cli("terms", "pinecrest-administration-agreement.txt", "--json", "--as-of", "2024-06-01")
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    expiry = data["terms"]["expiry"]
    assert expiry["current"][0]["text"] == "31 December 2024" and expiry["current"][0]["file_name"] == "pinecrest-non-renewal-notice.txt"
    assert expiry["history"][0]["superseded"] and expiry["history"][0]["clause"]["label"] == "4.1"
    assert data["terms"]["advances"]["status"] == "not stated"
    table = cli("terms", "pinecrest-non-renewal-notice.txt", "--as-of", "2024-06-01")
    assert table.exit_code == 0 and "31 December 2024" in table.output and "was: 31 December 2022" in table.output
    assert cli("terms", "no-such-file.txt").exit_code == 1

    rows = json.loads(cli("register", "--json", "--as-of", "2024-06-01", "--expiring-within", "180d").output)
    assert [r["file"] for r in rows] == ["vantage-distribution-agreement.txt"]
    assert json.loads(cli("register", "--json", "--party", "Juno", "--as-of", "2024-06-01").output)[0]["dates"]["expiry"] == "2020-06-11"
    assert cli("register", "--expiring-within", "soon").exit_code == 2
    csv_path, xlsx_path = tmp_path / "r.csv", tmp_path / "r.xlsx"
    done = cli("register", "--csv", str(csv_path), "--xlsx", str(xlsx_path), "--as-of", "2024-06-01")
    assert done.exit_code == 0 and csv_path.is_file() and xlsx_path.is_file()
    assert len(list(csv.reader(csv_path.open(encoding="utf-8-sig")))) == 7
    import openpyxl
    assert openpyxl.load_workbook(xlsx_path)["Register"].max_row == 7
    assert "Pinecrest" in cli("register", "--as-of", "2024-06-01").output


@pytest.mark.slow
def test_answers_come_from_key_terms_with_their_clause(service, tmp_path):
    from assistant.answer.answering import Answerer

    assert service.ingest(sorted(CORPUS.glob("*.txt"))).ok
    assert service.settings.answer.key_terms_first  # on by default (AnswerSettings.key_terms_first)
    answerer = Answerer(service)
    expiry = answerer.ask("When does Pinecrest's administration agreement with Marlowe Street Music end?")
    assert expiry.status == "answered" and expiry.signals.get("key_term") == "expiry"
    now, before = expiry.text.split("\n\n")
    assert now.startswith("Now 31 December 2024, as the non-renewal notice provides in clause 2:") and "31 December 2022" in before
    assert "clause 4.1" in before
    cited = [s.payload["file_name"] for s in expiry.cited_sources()]
    assert cited == ["pinecrest-non-renewal-notice.txt", "pinecrest-administration-agreement.txt"]
    law = answerer.ask("Which law governs the Vantage distribution agreement?")
    assert law.signals.get("key_term") == "governing_law" and "laws of Germany" in law.text
    assert "clause 7.2" in law.text and law.cited_sources()[0].payload["file_name"] == "vantage-distribution-agreement.txt"
    # an income type the deal has no rate for is not answered from key terms
    merch = answerer.ask("What is JUNO's merchandising royalty with Kestrel Sound?")
    assert not merch.signals or merch.signals.get("key_term") is None


# -- variations worded in other ways (tests/terms_fixtures, issue 17) ----------------------------------------------
FIXTURES = Path(__file__).resolve().parent / "terms_fixtures"


def test_register_rows_show_values_varied_by_clause_reference(monkeypatch):
    docs, stored = ledger(sorted(FIXTURES.glob("*.txt")))
    monkeypatch.setattr(RF, "stored_terms", lambda view, ids=None: {d: stored[d] for d in (ids or stored) if d in stored})
    rows = {r.cells["file"]: r for r in R.register_rows(View(docs, stored), today=JUNE_2024)}
    assert set(rows) == {"greywater_ostrander_licence_agreement_2020.txt", "calder_bishop_administration_agreement_2021.txt",
                         "moorhen_tallis_recording_agreement_2019.txt", "thornbury_vale_sync_representation_agreement_2022.txt"}  # the amendments and letters sit under their agreements
    grey = rows["greywater_ostrander_licence_agreement_2020.txt"]
    # "The rate set out in clause 6.1 of the Agreement is increased to ...": clause 6.1 holds the streaming royalty
    assert grey.cells["royalties"] == "24% of Net Receipts (streaming); 15% of PPD (physical)"
    assert grey.dates["expiry"] == "2025-12-31" and grey.cells["last_change"] == "side letter 3 March 2022"
    streaming = next(e for e in grey.terms.term("royalties").current if e.value.slot == "streaming")
    assert streaming.as_dict()["clause"]["text"].startswith("The rate set out in clause 6.1")
    moor = rows["moorhen_tallis_recording_agreement_2019.txt"]
    assert moor.dates["notice_deadline"] == "2024-12-31"  # three months (as varied) before 31 March 2025
    territory = moor.terms.term("territory").current[0].as_dict()
    assert territory["value"]["include"] == ["WW"] and territory["value"]["exclude"] == [] and territory["effective"] == "2022-06-01"
    calder = rows["calder_bishop_administration_agreement_2021.txt"]
    assert calder.cells["expiry"] == "31 August 2026" and calder.cells["status"] == "active"
    thornbury = rows["thornbury_vale_sync_representation_agreement_2022.txt"]  # "extended by a further twelve (12) months"
    assert thornbury.cells["expiry"] == "31 March 2025" and thornbury.dates["expiry"] == "2025-03-31"


def test_a_document_title_in_the_question_does_not_choose_the_key_term():
    """"Does the Non-Exclusive Distributor Agreement ... renew?" asks about renewal: the title's
    "Exclusive" once made it an exclusivity question, answered with an unrelated clause."""
    from assistant.answer.term_answers import asked_term

    assert asked_term("Does the Non-Exclusive Distributor Agreement between iMine Corporation and SUNWAI "
                      "Technology renew, and if so for how long is each renewal term?") == "renewal"
    assert asked_term("When does the Exclusive Licence Agreement with Nova end?") == "expiry"
    assert asked_term("What royalty does the Royalty Agreement pay?") == "royalties"
    assert asked_term("Is the Kestrel deal exclusive?") == "exclusivity"  # the question's own words still count
    assert asked_term("What is the Governing Law of the Sponsorship Agreement?") == "governing_law"


@pytest.mark.parametrize("root", sorted({c[0] for c in CHANGED}))
def test_the_deal_now_lists_every_value_a_later_document_set_with_its_source_and_what_it_was(corpus, root):
    """Beside the consolidated agreement: a termination, a notice of non-renewal, an option
    exercised, an assignment and every changed value, with the document that set it and what it
    replaced, so "no clause changed" never reads as "nothing changed"."""
    listed = family(corpus, root).set_by_changes()
    for _, key, old, new, changer in [c for c in CHANGED if c[0] == root]:
        [line] = [d for d in listed if d["key"] == key and d["now"] == new]
        assert line["file_name"].startswith(changer) and old in line["was"] and line["words"], line
    assert all(d["file_name"] and not d["file_name"].startswith(root) for d in listed)
