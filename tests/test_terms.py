"""Key terms read from one contract without a model (assistant/contracts/terms.py): each value normalised,
with the clause that states it; "not stated" when the text does not say.

Pure tests on the families corpus (tests/families_corpus) and on small fixtures written here in
the styles other contracts use (US dates, EDGAR filings run into one line, cover pages, evergreen
renewals); nothing loads a model or a store."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.contracts.model import KEYS, MODIFIER_KEYS
from assistant.contracts.places import jurisdiction_code, territory_codes
from assistant.contracts.rules.money import income_type
from assistant.contracts.terms import extract_terms, values_of
from assistant.contracts.values import parse_duration, parse_money, words_number
from ingest import families as F
from ingest.readers import read_file

CORPUS = Path(__file__).resolve().parent / "families_corpus"


def terms_of(stem: str) -> tuple[str, dict]:
    text = read_file(CORPUS / f"{stem}.txt").text
    title = next(line.strip() for line in text.splitlines() if line.strip())
    role = F.classify(title, text) or F.AGREEMENT
    return text, extract_terms(title, text, role, F.effective_date(text) if role != F.AGREEMENT else None)


def one(terms: dict, key: str):
    values = values_of(terms, key)
    assert values, f"{key} not stated"
    return values[0]


def cited(text: str, value) -> str:
    """The cited clause, checked to be the document's own words at its offsets."""
    c = value.clause
    assert text[c.start:c.end] == c.text
    if value.fact:
        assert value.fact in c.text or " ".join(value.fact.split()) in " ".join(c.text.split())
    return " ".join(c.text.split())


# -- normalising -----------------------------------------------------------------------------------
def test_number_words():
    assert words_number("twelve and a half") == 12.5
    assert words_number("forty-five thousand") == 45000
    assert words_number("one hundred and twenty") == 120
    assert words_number("twenty-six") == 26
    assert words_number("the Term") is None


@pytest.mark.parametrize("text, n, unit", [
    ("ninety (90) days' written notice", 90, "day"), ("twelve (12) months", 12, "month"), ("3 years", 3, "year"),
    ("a thirty-day", 30, "day"), ("ten (10) Business Days", 10, "business day"), ("two (2) quarters", 6, "month"),
    ("twelve (12) full calendar months", 12, "month"),
])
def test_durations(text, n, unit):
    d = parse_duration(text)
    assert (d.n, d.unit) == (n, unit)


@pytest.mark.parametrize("text, amount, currency", [
    ("£45,000 (forty-five thousand pounds)", 45000, "GBP"), ("EUR 48,212.50", 48212.5, "EUR"), ("US$1.5 million", 1500000, "USD"),
    ("¥5,000,000 (five million yen)", 5000000, "JPY"), ("USD 40,000", 40000, "USD"), ("twenty thousand pounds", 20000, "GBP"),
    ("$35,000.00USD", 35000, "USD"),
])
def test_money(text, amount, currency):
    assert parse_money(text) == {"amount": amount, "currency": currency}


def test_territories_as_iso_codes_with_exclusions():
    assert territory_codes("the World excluding Japan") == {"include": ["WW"], "exclude": ["JP"], "names": ["World", "Japan"]}
    assert territory_codes("the United Kingdom and Ireland")["include"] == ["GB", "IE"]
    assert territory_codes("Europe other than France and Germany")["exclude"] == ["FR", "DE"]
    assert territory_codes("Scandinavia")["include"] == ["DK", "NO", "SE"]


@pytest.mark.parametrize("name, code", [
    ("England and Wales", "GB-EAW"), ("the State of New York", "US-NY"), ("State of California", "US-CA"),
    ("the Netherlands", "NL"), ("Scotland", "GB-SCT"), ("Japan", "JP"), ("Germany", "DE"), ("Ontario", "CA-ON"),
    ("Delaware", "US-DE"), ("Narnia", None),
])
def test_governing_law_codes(name, code):
    assert jurisdiction_code(name) == code


def test_income_types():
    assert income_type("Streaming. The Company shall pay") == "streaming"
    assert income_type("(d) Printed music: twelve and one-half percent") == "print"
    assert income_type("of PPD on Records sold") == "physical"
    assert income_type("a royalty of twenty per cent (20%) of Net Receipts") == "all income"
    assert income_type("Mechanical royalties: ", "", "including streaming") == "mechanical"  # its own label first


# -- the families corpus -------------------------------------------------------------------------------
def test_an_agreement_read_whole():
    text, t = terms_of("pinecrest-administration-agreement")
    parties = values_of(t, "parties")
    assert [(p.value["name"], p.value["role"]) for p in parties] == [
        ("Pinecrest Rights Management Ltd", "Administrator"), ("Marlowe Street Music Ltd", "Owner")]
    assert one(t, "agreement_type").value == {"title": "Publishing Administration Agreement", "kind": "administration agreement"}
    assert one(t, "agreement_date").value == "2020-01-01" and one(t, "effective_date").value == "2020-01-01"
    expiry = one(t, "expiry")
    assert expiry.value == "2022-12-31" and expiry.kind == "stated"
    assert cited(text, expiry).startswith("The initial term of this Agreement starts on 1 January 2020")
    renewal = one(t, "renewal")
    assert renewal.value == {"automatic": True, "period": {"n": 1.0, "unit": "year", "iso": "P1Y"}}
    notice = one(t, "renewal_notice")
    assert notice.value["period"]["iso"] == "P90D" and "ninety (90) days' written notice of non-renewal" in cited(text, notice)
    assert one(t, "territory").value["include"] == ["WW"]
    assert one(t, "exclusivity").value == {"exclusive": True}
    fee = one(t, "royalties")
    assert (fee.value["percent"], fee.value["income"], fee.slot) == (12.5, "administration fee", "administration fee")
    assert one(t, "governing_law").value == {"jurisdiction": "England and Wales", "code": "GB-EAW"}
    for key in ("advances", "options", "audit", "assignment", "minimum_commitment"):
        assert key not in t, f"{key} is not in this agreement: it must be absent (not stated), not guessed"


def test_royalties_by_income_type_and_everything_cited():
    text, t = terms_of("kestrel-recording-agreement-2021")
    rates = {v.slot: v.value["percent"] for v in values_of(t, "royalties")}
    assert rates == {"physical": 16.0, "streaming": 22.0, "synchronisation": 50.0}
    assert one(t, "advances").value == {"amount": 45000, "currency": "GBP"}
    assert one(t, "recoupment").value == {"recoupable": True, "returnable": False, "from": "Royalties"}
    assert one(t, "minimum_commitment").value == {"quantity": 2, "unit": "albums"}
    assert one(t, "retention").value["perpetual"] is True  # owns the masters for the full period of copyright
    audit = one(t, "audit")
    assert audit.value["frequency"] == "once in any calendar year" and audit.value["notice"]["iso"] == "P30D"
    assert one(t, "exclusivity").value == {"exclusive": True}  # "shall not record for any person other than the Company"
    assert "renewal" not in t and "renewal_notice" not in t
    for key, _values in t.items():  # every value's clause is the document's own words at its offsets
        for v in values_of(t, key):
            cited(text, v)


def test_a_term_given_as_a_length_is_computed_from_its_start():
    text, t = terms_of("solstice-songwriter-agreement")
    expiry = one(t, "expiry")
    assert (expiry.value, expiry.kind) == ("2025-08-31", "computed")
    assert "three (3) years" in expiry.basis and "1 September 2022" in expiry.basis
    retention = one(t, "retention")
    assert retention.value["period"]["iso"] == "P12Y" and retention.value["after"] == "end of the Term"
    assert one(t, "territory").value["include"] == ["GB", "IE"]
    assert "effective_date" not in t  # the agreement only says when it was made


def test_options_and_the_licence_period():
    _, t = terms_of("tidewell-licence-agreement")
    options = one(t, "options")
    assert options.value["count"] == 2 and options.value["period"]["iso"] == "P12M" and options.value["notice"]["iso"] == "P60D"
    assert "renewal_notice" not in t  # the notice that exercises an option does not stop a renewal
    assert one(t, "retention").value["period"]["iso"] == "P10Y"
    assert one(t, "governing_law").value["code"] == "GB-SCT"


@pytest.mark.parametrize("stem, expected", [
    ("kestrel-amendment-1", {"expiry": "2026-01-31", "royalties": 26.0, "minimum_commitment": 3}),
    ("solstice-side-letter", {"territory": ["WW"], "advances": 40000}),
    ("tidewell-option-exercise", {"expiry": "2024-05-14", "options": 1}),
    ("pinecrest-non-renewal-notice", {"expiry": "2024-12-31", "renewal": True}),
    ("vantage-termination-letter", {"expiry": "2024-09-01"}),
])
def test_modifiers_state_what_they_change(stem, expected):
    _, t = terms_of(stem)
    assert set(t) <= set(MODIFIER_KEYS) | {"parties", "changes"}  # changes: new values named by clause (the register places them)
    for key, want in expected.items():
        v = one(t, key)
        field = {"royalties": "percent", "minimum_commitment": "quantity", "territory": "include", "advances": "amount",
                 "options": "exercised", "renewal": "stopped"}.get(key)
        got = v.value[field] if field else v.value
        assert got == want, (stem, key, v)
    if stem == "kestrel-amendment-1":
        advance = one(t, "advances")
        assert advance.mode == "add" and advance.value["amount"] == 20000  # a further advance adds to the agreement's
    if stem == "vantage-termination-letter":
        assert one(t, "expiry").basis == "termination"


def test_an_assignment_deed_names_assignor_and_assignee():
    _, t = terms_of("tidewell-assignment")
    assert [(p.value["name"], p.value["role"]) for p in values_of(t, "parties")] == [
        ("Brightwater Productions Ltd", "Assignor"), ("Brightwater Music Group Ltd", "Assignee")]


# -- other contracts' styles ------------------------------------------------------------------------------
EDGAR = (
    "Exhibit 10.1   BRAND ENDORSEMENT AGREEMENT   This Endorsement Agreement (this \"Agreement\") is entered into as of "
    "March 3, 2019 (the \"Effective Date\") by and between Quillon Beverages, Inc., a Delaware corporation (\"Company\"), and "
    "Dana Reyes (\"Talent\").   1. Term. The term of this Agreement shall be for one (1) year commencing on the Effective Date "
    "and automatically renewing annually thereafter, unless either party provides a thirty-day notice of written termination "
    "one to the other (\"Term\").   2. Grant of Rights. Talent hereby grants to Company the exclusive right and license to use "
    "Talent's name and likeness in the Territory during the Term. Talent shall not endorse any other beverage brand during the Term.   "
    "3. Compensation. Company shall pay Talent a royalty equal to five percent (5%) of Net Sales of the Products.   "
    "4. Records. Talent or his representatives shall have the right, upon reasonable notice and during normal business "
    "hours, to inspect Company's books and records relating to the Products.   5. Assignment. This Agreement may not be "
    "assigned by either party without the prior written consent of the other, which consent shall not be unreasonably withheld.   "
    "6. Governing Law. This Agreement will be construed and governed in accordance with the laws of the State of Illinois, "
    "and the courts of Cook County shall have exclusive jurisdiction.   IN WITNESS WHEREOF the parties have signed this Agreement."
)


def test_an_edgar_filing_run_into_one_line():
    t = extract_terms("", EDGAR)
    assert one(t, "agreement_type").value["title"] == "Brand Endorsement Agreement"
    assert [p.value["role"] for p in values_of(t, "parties")] == ["Company", "Talent"]
    assert one(t, "agreement_date").value == "2019-03-03" and one(t, "effective_date").value == "2019-03-03"
    expiry = one(t, "expiry")
    assert expiry.value == "2020-03-02" and expiry.kind == "computed"  # one year from the Effective Date
    assert one(t, "renewal").value["automatic"] is True
    assert one(t, "renewal_notice").value["period"]["iso"] == "P30D"  # "a thirty-day notice"
    assert one(t, "exclusivity").value == {"exclusive": True}
    assert "exclusive right and license" in cited(EDGAR, one(t, "grant"))
    royalty = one(t, "royalties")
    assert royalty.value["percent"] == 5.0 and "Net Sales" in royalty.value["base"]
    assert one(t, "audit").value["notice"] is None and "inspect Company's books" in cited(EDGAR, one(t, "audit"))
    assert one(t, "assignment").value == {"consent": "consent required, not to be unreasonably withheld"}
    assert one(t, "governing_law").value == {"jurisdiction": "State of Illinois", "code": "US-IL"}
    for key in t:
        for v in values_of(t, key):
            cited(EDGAR, v)  # sentence-sized: the one-line filing is cut at its sentences
            assert v.clause.end - v.clause.start < 600, (key, v.clause.text)


def test_not_exclusivity_and_not_stated():
    text = ("SERVICES AGREEMENT\n\nThis Services Agreement is made on 5 May 2022 between Alder Studios Ltd (\"Studio\") and "
            "Birch Media Ltd (\"Client\").\n\n1. The Studio grants the Client a non-exclusive licence to use the footage.\n"
            "2. The courts of England shall have exclusive jurisdiction.\n3. The Studio is the sole and exclusive owner of the footage.\n")
    t = extract_terms("SERVICES AGREEMENT", text)
    assert one(t, "exclusivity").value == {"exclusive": False}  # only the non-exclusive grant
    for key in ("expiry", "renewal", "renewal_notice", "royalties", "advances", "territory", "governing_law", "audit"):
        assert key not in t, key


def test_a_field_of_use_exclusivity_under_its_own_heading():
    """A sync licence's exclusivity is often a promise not to license the track for a list of uses,
    naming no "other person": under an EXCLUSIVITY (or non-compete) heading that is the
    exclusivity. The same words under another heading, a promise "without consent", or a
    non-exclusive clause saying the licensor "shall not be prevented from granting" are not."""
    head = ("SYNCHRONISATION LICENCE\n\nThis Licence is made on 2 March 2022 between Quill Arcade Music Ltd (\"Licensor\") "
            "and Tern Pictures Ltd (\"Licensee\").\n\n1. GRANT\nLicensor grants Licensee the right to use the Composition "
            "in the film \"Ashfall\".\n\n")
    text = head + ("6. EXCLUSIVITY\nUntil the end of the Licence Period Licensor will not grant a "
                   "synchronisation licence of the Composition for trailers, video games or mobile "
                   "telephone advertising.\n")
    value = one(extract_terms("", text), "exclusivity")
    assert value.value == {"exclusive": True} and "trailers, video games" in cited(text, value)
    for clause in ("6. APPROVALS\nLicensor will not grant a licence of the Composition for trailers without notice to Licensee.\n",
                   "6. EXCLUSIVITY\nLicensor will not grant a licence of the Composition for trailers without the prior "
                   "written consent of Licensee.\n",
                   "6. NON-EXCLUSIVITY\nLicensor shall not be prevented from granting licences of the Composition for any "
                   "use.\n"):
        terms = extract_terms("", head + clause)
        assert "exclusivity" not in terms or terms["exclusivity"][0].value != {"exclusive": True}, clause


def test_royalties_listed_by_income_under_their_heading_and_a_first_sub_clause_is_no_recital():
    """"(a)" opens a list of sub-clauses; only "(A)" opens lettered recitals. Before, every rule
    skipped a first sub-clause "(a) ..." as a recital, so "(a) Mechanical income: Writer shall
    receive 75%" was never read; "(b)" carries its verb in the list's lead-in."""
    text = ("EXCLUSIVE SONGWRITER AGREEMENT\n\nDated as of February 1, 2023, between Redwing Publishing Group, Inc. "
            "(\"Publisher\") and Maya Fontaine (\"Writer\").\n\n4. ROYALTIES. (a) Mechanical income: Writer shall receive "
            "seventy-five percent (75%) of net receipts. (b) Synchronization income: fifty percent (50%) of net receipts.\n\n"
            "7. ASSIGNMENT. Publisher may assign this Agreement to any affiliate without Writer's consent.\n")
    terms = extract_terms("", text)
    rates = {v.value["income"]: v.value["percent"] for v in values_of(terms, "royalties")}
    assert rates == {"mechanical": 75.0, "synchronisation": 50.0}
    assert one(terms, "assignment").value == {"consent": "assignable without consent to affiliate"}
    recital = extract_terms("", "AGREEMENT\n\nRECITALS\n\n(A) The Label shall pay a royalty of 20% of net receipts to the Artist "
                                "under an earlier agreement.\n")
    assert "royalties" not in recital


def test_cover_page_parties_and_a_term_until_an_event():
    text = ("CO-PROMOTION AGREEMENT\n\nby and between\n\nHALDEN PHARMA, INC.\n\nand\n\nORRIN HEALTH LLC\n\n\n"
            "This Co-Promotion Agreement is entered into as of September 26, 2018 by and between Halden Pharma, Inc., a Delaware "
            "corporation (\"Halden\"), and Orrin Health LLC, a Delaware limited liability company (\"Orrin\").\n\n"
            "12.1 Term. This Agreement shall become effective as of the Effective Date and, unless earlier terminated, shall "
            "continue in effect until the expiration of the last to expire of the Patents.\n")
    t = extract_terms("", text)
    assert len(values_of(t, "parties")) == 2
    expiry = one(t, "expiry")
    assert "event" in expiry.value and "last to expire of the Patents" in expiry.text


def test_keys_are_labelled():
    assert set(MODIFIER_KEYS) < set(KEYS) and all(KEYS[k] for k in KEYS)


# -- variations: the new value, not the one it replaces (issue 17) -------------------------------------------------
def changed(sentence: str, role: str = "amendment") -> dict:
    """The terms a changing document of one operative clause states."""
    text = f"AMENDMENT\n\nIT IS AGREED as follows:\n\n1. {sentence}\n\n2. Save as set out above, the Agreement continues unchanged.\n"
    return extract_terms("AMENDMENT", text, role, "2024-01-15")


@pytest.mark.parametrize("sentence, key, field, want", [
    ('Clause 7 of the Agreement is amended by deleting the words "twenty per cent (20%)" and substituting "twenty-five per cent '
     '(25%)", so that the Artist shall be paid a royalty of twenty-five per cent (25%) of Net Receipts.', "royalties", "percent", 25.0),
    ("The royalty payable to the Producer shall be four percent (4%) of PPD in place of the three percent (3%) originally stated.",
     "royalties", "percent", 4.0),
    ("The distribution fee retained by the Distributor is reduced from twenty percent (20%) to seventeen percent (17%) of Gross Receipts.",
     "royalties", "percent", 17.0),
    ("For the avoidance of doubt, the royalty on downloads shall be eighteen per cent (18%) of Net Receipts rather than 15%.",
     "royalties", "percent", 18.0),
    ("The Term is hereby extended until 30 June 2027.", "expiry", None, "2027-06-30"),
    ("The Agreement shall now expire on 31 March 2026.", "expiry", None, "2026-03-31"),
    ('The Term shall be read as ending on "31 December 2025" in place of "30 June 2024".', "expiry", None, "2025-12-31"),
    ("The Advance is increased to $75,000 (seventy-five thousand dollars).", "advances", "amount", 75000),
    ("The period of notice required to prevent renewal of the Term is reduced to thirty (30) days.", "renewal_notice", "period",
     {"n": 30.0, "unit": "day", "iso": "P30D"}),
    ("The Artist's royalty shall be 19% of PPD, not 17% as originally agreed.", "royalties", "percent", 19.0),
    ("The Term of the Agreement is hereby extended for a further period of twelve (12) months.", "expiry", "extend_by",
     {"n": 12.0, "unit": "month", "iso": "P12M"}),  # the new end is worked out from the end before it (register)
])
def test_a_variation_states_the_new_value(sentence, key, field, want):
    v = one(changed(sentence), key)
    assert (v.value[field] if field else v.value) == want, v
    assert v.mode == "set"


def test_a_territory_change_adds_or_removes_places_with_its_effective_date():
    add = one(changed("With effect from 1 April 2025 the Territory shall include France and Belgium."), "territory")
    assert add.value["delta"] == {"add": ["FR", "BE"], "remove": []} and add.effective == "2025-04-01"
    out = one(changed("Effective as of January 1, 2023, the Territory shall exclude Canada."), "territory")
    assert out.value["delta"] == {"add": [], "remove": ["CA"]} and out.effective == "2023-01-01"
    assert one(changed("Japan is added to the Territory."), "territory").value["delta"]["add"] == ["JP"]
    instead = one(changed("With effect from 1 March 2025, the Territory shall be Europe instead of the United Kingdom."), "territory")
    assert instead.value["include"] == ["150"] and instead.effective == "2025-03-01"  # not the United Kingdom it replaces


def test_an_option_taken_away_is_not_an_option_exercised():
    t = changed("In place of the Option Period, the Term shall continue until 31 December 2024. The Publisher will not be "
                "entitled to exercise the option in clause 2.2.", "side letter")
    assert one(t, "options").value == {"count": 0, "removed": True} and one(t, "expiry").value == "2024-12-31"


def test_a_change_named_only_by_clause_is_kept_for_the_register():
    t = changed('Section 2 of the Agreement is hereby amended by striking "June 30, 2024" and inserting in lieu thereof "December 31, 2025".')
    assert "expiry" not in t  # no word of the term here: the clause it names decides (register.family_terms)
    change = one(t, "changes")
    assert change.value["refs"] == ["2"] and change.value["kind"] == "date" and change.value["new"] == "2025-12-31"
    rate = one(changed("The rate set out in clause 6.1(b) of the Agreement is increased to twenty-four per cent (24%)."), "changes")
    assert rate.value["refs"] == ["6.1(b)"] and rate.value["new"] == 24.0


@pytest.mark.parametrize("sentence", [
    "The Delivery Date in paragraph 3 is extended to November 15, 2022.",  # another date, not the term's end
    "The release date of the deluxe edition is extended to 30 September 2022.",
    "The royalty rate for physical records will be reviewed in good faith at the end of 2022.",  # no new figure
    "The royalty rate under clause 6.2 shall be increased by two per cent (2%).",  # the size of a change, not the new rate
])
def test_what_a_variation_does_not_change_stays_not_stated(sentence):
    t = changed(sentence, "side letter")
    for key in ("expiry", "royalties", "options", "advances", "territory"):
        assert key not in t, (key, t.get(key))


# Families written for these rules (tests/terms_fixtures): a base agreement and the documents that vary it.
FIXTURES = Path(__file__).resolve().parent / "terms_fixtures"


@pytest.fixture(scope="module")
def fixture_families():
    from datetime import date

    from assistant.contracts import family as RF
    from ingest import metadata
    from ingest.model import DocumentRecord

    docs, stored = {}, {}
    for path in sorted(FIXTURES.glob("*.txt")):
        text = read_file(path).text
        title = next(line.strip() for line in text.splitlines() if line.strip())
        fam = F.classify_document(title, text)
        doc = DocumentRecord(path.stem, str(path), path.name, title, "contract", "agreement", "sha", 1, state="complete",
                             n_chunks=1, parties=metadata.parties(text), agreement_date=metadata.agreement_date(text), **fam)
        docs[doc.doc_id] = doc
        stored[doc.doc_id] = extract_terms(title, text, doc.family_role, doc.effective_date)
    for doc in list(docs.values()):
        docs[doc.doc_id] = F.relinked(doc, list(docs.values())) or doc
    texts = {p.stem: read_file(p).text for p in FIXTURES.glob("*.txt")}
    return {root: RF.family_terms(members, stored, date(2024, 6, 1)) for root, members in F.families(docs.values()).items()}, texts


GREY, CALDER, MOOR, THORN = ("greywater_ostrander_licence_agreement_2020", "calder_bishop_administration_agreement_2021",
                             "moorhen_tallis_recording_agreement_2019", "thornbury_vale_sync_representation_agreement_2022")
# (family, term, old value, its document, new value, the changing document, effective date stated by the change)
VARIED = [
    (GREY, "expiry", "30 June 2023", GREY, "31 December 2025", "greywater_ostrander_first_amendment_2021", ""),
    (GREY, "territory", "GB, IE", GREY, "GB, IE, FR, DE, NL", "greywater_ostrander_first_amendment_2021", "2022-01-01"),
    (GREY, "royalties", "20% of Net Receipts (streaming)", GREY, "24% of Net Receipts (streaming)",
     "greywater_ostrander_first_amendment_2021", ""),
    (GREY, "renewal_notice", "3 months before the end of the then-current period", GREY,
     "60 days before the end of the then-current period", "greywater_ostrander_first_amendment_2021", ""),
    (GREY, "advances", "GBP 30,000", GREY, "GBP 45,000", "greywater_ostrander_side_letter_2022", ""),
    (CALDER, "expiry", "28 February 2026", "calder_bishop_first_amendment_2023", "31 August 2026",
     "calder_bishop_extension_letter_2025", ""),
    (CALDER, "royalties", "15% of Gross Receipts (administration fee)", CALDER, "12% of Gross Receipts (administration fee)",
     "calder_bishop_first_amendment_2023", ""),
    (CALDER, "territory", "US, CA", CALDER, "US", "calder_bishop_first_amendment_2023", "2023-01-01"),
    (MOOR, "expiry", "1 September 2022", MOOR, "31 March 2025", "moorhen_tallis_letter_of_variation_2022", ""),
    (MOOR, "royalties", "20% of Net Receipts (streaming)", MOOR, "22% of Net Receipts (streaming)",
     "moorhen_tallis_letter_of_variation_2022", ""),
    (MOOR, "renewal_notice", "6 months before the end of the then-current period", MOOR,
     "3 months before the end of the then-current period", "moorhen_tallis_letter_of_variation_2022", ""),
    (MOOR, "territory", "WW excluding JP", MOOR, "WW", "moorhen_tallis_letter_of_variation_2022", "2022-06-01"),
    (THORN, "expiry", "31 March 2024", THORN, "31 March 2025", "thornbury_vale_extension_letter_2024", ""),
]


@pytest.mark.parametrize("root, key, old, old_doc, new, changer, effective", VARIED)
def test_varied_terms_have_the_new_value_now_and_the_old_in_their_history(fixture_families, root, key, old, old_doc, new,
                                                                          changer, effective):
    families, texts = fixture_families
    term = families[root].term(key)
    now = [e for e in term.current if e.value.text == new]
    assert now and now[0].doc.doc_id == changer and now[0].change == "changed", [e.value.text for e in term.current]
    assert now[0].value.effective == effective
    assert old not in [e.value.text for e in term.current]
    was = [e for e in term.history if e.value.text == old and e.doc.doc_id == old_doc]
    assert was and was[0].superseded and term.history.index(was[0]) < term.history.index(now[0])
    cited(texts[changer], now[0].value)  # the changing document's own words, at their offsets


def test_a_term_varied_twice_keeps_each_value_in_order(fixture_families):
    families, _ = fixture_families
    history = families[CALDER].term("expiry").history
    assert [(e.value.text, e.doc.doc_id, e.superseded) for e in history] == [
        ("28 February 2024", CALDER, True),
        ("28 February 2026", "calder_bishop_first_amendment_2023", True),  # "striking ... inserting in lieu thereof", by Section 3
        ("31 August 2026", "calder_bishop_extension_letter_2025", False)]
    assert history[1].value.clause.text.startswith("Section 3 of the Agreement is hereby amended")


def test_what_the_variations_leave_alone(fixture_families):
    families, _ = fixture_families
    grey, moor, calder = families[GREY], families[MOOR], families[CALDER]
    physical = [e for e in grey.term("royalties").current if e.value.slot == "physical"]
    assert physical[0].value.text == "15% of PPD (physical)" and physical[0].change == "original"
    assert [e.value.text for e in grey.term("expiry").current] == ["31 December 2025"]  # not the deluxe edition's release date
    assert [e.value.text for e in moor.term("royalties").current if e.value.slot == "physical"] == ["12% of PPD (physical)"]
    assert moor.term("advances").text() == "GBP 20,000" and calder.term("advances").text() == "USD 50,000"
    assert calder.term("renewal_notice").text() == "not stated"  # never guessed
    extended = families[THORN].term("expiry").current[0].value
    assert extended.kind == "computed" and extended.basis == "31 March 2024 extended by 12 months"
    assert [e.value.value["percent"] for e in families[THORN].term("royalties").history] == [20.0]  # "increased by 2%": no 2% rate
    changed_keys = {(root, t.key) for root, ft in families.items() for t in ft.changed()}
    assert changed_keys == {(r, k) for r, k, *_ in VARIED}


def test_the_register_row_shows_the_current_values(fixture_families):
    from assistant.contracts import register as R

    families, _ = fixture_families
    grey = R.register_row(families[GREY]).cells
    assert grey["expiry"] == "31 December 2025" and grey["territory"] == "GB, IE, FR, DE, NL"
    assert grey["royalties"] == "24% of Net Receipts (streaming); 15% of PPD (physical)"
    assert grey["renewal_notice"] == "60 days before the end of the then-current period"
    assert grey["notice_deadline"] == "1 November 2025"  # 60 days before 31 December 2025, not three months
    assert grey["advances"].startswith("GBP 45,000")
    calder = R.register_row(families[CALDER]).cells
    assert (calder["expiry"], calder["territory"], calder["royalties"]) == (
        "31 August 2026", "US", "12% of Gross Receipts (administration fee)")
    moor = R.register_row(families[MOOR]).cells
    assert (moor["expiry"], moor["territory"], moor["renewal_notice"]) == (
        "31 March 2025", "WW", "3 months before the end of the then-current period")


@pytest.mark.parametrize("preamble, expected", [
    ("CO-PUBLISHING AGREEMENT\n\nTHIS AGREEMENT is made on 14 March 2019\n\nBETWEEN:\n\n(1) LARKWOOD MUSIC PUBLISHING LIMITED, a company "
     "incorporated in England (company number 1048) whose registered office is at 4 Calder Yard, Manchester (the \"Publisher\"); and\n\n"
     "(2) TAMARA OSEI, professionally known as \"Quiet Harbour\", of 27 Greyhound Road, Bristol (the \"Writer\").\n\n",
     [("LARKWOOD MUSIC PUBLISHING LIMITED", "Publisher"), ("TAMARA OSEI", "Writer")]),
    ("MASTER USE LICENCE\n\nDate: 20 March 2023\n\nLicensor: HARLOW & FINN RECORDINGS LTD, a company registered in England, of "
     "Unit 9, Mill Wharf, London (\"Licensor\")\n\nLicensee: MERRIDALE FOODS LIMITED, of 40 Carron Street, Perth (\"Licensee\")\n\n",
     [("HARLOW & FINN RECORDINGS LTD", "Licensor"), ("MERRIDALE FOODS LIMITED", "Licensee")]),
    ("This agreement is made between Nova Records Ltd & Mara Quinn (the \"Artist\").\n\n",
     [("Nova Records Ltd", ""), ("Mara Quinn", "Artist")]),
])
def test_parties_of_numbered_labelled_and_ampersand_preambles(preamble, expected):
    """UK drafting numbers its parties ("(1) X ...; and (2) Y"), licences label them line by line
    ("Licensor: X"), and a name may hold an ampersand: each still names both parties."""
    text = preamble + "1. TERM\n1.1 The Term is three (3) years from the date of this Agreement.\n"
    t = extract_terms("", text)
    assert [(p.value["name"], p.value["role"]) for p in values_of(t, "parties")] == expected


def test_defined_roles_options_by_notice_and_live_income_are_read():
    """'Assignor hereby assigns ... to Assignee' names the parties its preamble defines; "may
    extend the Term by one (1) further year" is an option and "I extend the Term by one (1) further
    year" its exercise; a manager's live-income rate is its own slot; "approved in advance" is no advance."""
    from assistant.contracts.rules.identity import read_assignment_parties
    from assistant.contracts.terms import extract_terms

    deed = ("This Assignment Agreement is made as of June 3, 2024 by Red Kite Games, Inc. (\"Assignor\") and Lantern Bay "
            "Interactive LLC, a Delaware limited liability company (\"Assignee\").\n\n1. Assignment. Assignor hereby assigns "
            "to Assignee all of Assignor's right, title and interest under the License.")
    parties = read_assignment_parties(deed)
    assert [v.value["name"] for v in parties] == ["Red Kite Games, Inc.", "Lantern Bay Interactive LLC"]
    assert "Lantern Bay Interactive LLC" in parties[1].clause.text  # cited to the words that say who the Assignee is
    agreement = extract_terms("MANAGEMENT AGREEMENT", (
        "2. TERM\n\n2.1 The Term shall begin on 10 January 2022 and continue for an initial period of two (2) years.\n\n"
        "2.2 The Artist may extend the Term by one (1) further year by written notice to the Manager.\n\n"
        "3. COMMISSION\n\n3.1 The Artist shall pay the Manager a commission of twenty per cent (20%) of Gross Earnings.\n\n"
        "3.2 The Manager shall be entitled to commission on live performance income at the rate of fifteen per cent (15%).\n\n"
        "5. EXPENSES\n\n5.1 Any single expense exceeding £500 is approved in advance by the Artist.\n"))
    assert agreement["options"][0]["value"]["count"] == 1
    assert sorted(v["slot"] for v in agreement["royalties"]) == ["commission", "live"]
    assert "advances" not in agreement
    notice = extract_terms("", "I hereby give you notice under clause 2.2 of the Agreement that I extend the Term by one (1) "
                               "further year.", family_role="extension", own_date="2023-12-01")
    assert notice["options"][0]["value"] == {"exercised": 1}
