"""Identifier recognition, normalisation and check digits (ISWC, ISRC, IPI, UPC/EAN)."""

from __future__ import annotations

import pytest

from ingest.identifiers import find_identifiers, format_identifier, gtin_check_digit, iswc_check_digit, normalize


@pytest.mark.parametrize("written", ["T-345.246.800-3", "T3452468003", "t 345 246 800 3", "T-345246800-3", "T.345.246.800.3"])
def test_iswc_spellings_normalise_to_one_key(written):
    ident = normalize("ISWC", written)
    assert ident.key == "ISWC:T3452468003" and ident.valid
    assert format_identifier("ISWC", ident.value) == "T-345.246.800-3"


def test_iswc_check_digit():
    assert iswc_check_digit("123456789") == 4  # CISAC's own example, T-123.456.789-4
    assert normalize("ISWC", "T-123.456.789-4").valid
    assert not normalize("ISWC", "T-123.456.789-5").valid
    assert normalize("ISWC", "T-123.456.78") is None


def test_isrc_upc_ipi():
    assert normalize("ISRC", "gb-n7r-22-00104").value == "GBN7R2200104"
    assert normalize("ISRC", "GB N7R 22 00104").value == "GBN7R2200104"
    assert normalize("ISRC", "GB-N7R-22-0010") is None
    assert gtin_check_digit("506016710001") == 7
    assert normalize("UPC", "5060167100017").valid
    assert not normalize("UPC", "5060167100018").valid
    upc_a = normalize("UPC", "036000291452")  # UPC-A, stored as GTIN-13
    assert upc_a.valid and upc_a.value == "0036000291452"
    assert normalize("UPC", "00036000291452").value == "0036000291452"  # GTIN-14 with zero
    assert normalize("IPI", "52210040").value == "00052210040"
    assert normalize("IPI", 52210040.0).value == "00052210040"
    assert normalize("IPI", "523,456,789").value == "00523456789"
    assert normalize("IPI", "abc") is None and normalize("IPI", "0") is None


def test_find_identifiers_in_text():
    text = ("Who wrote ISWC t-345.246.800-3? The master (isrc gb n7r 22 00104) is on UPC 5060 1671 0001 7; "
            "writer IPI No. 523 456 789. Clause 12.3 pays 18% on 1,000,000 units of 036000291453.")
    keys = [i.key for i in find_identifiers(text)]
    assert keys == ["ISWC:T3452468003", "ISRC:GBN7R2200104", "UPC:5060167100017", "IPI:00523456789"]
    # numbers that only look like identifiers are not: no IPI keyword, bad GTIN check digit
    assert find_identifiers("pay 52210040 pounds by 2024-01-01") == []


def test_a_labelled_barcode_counts_even_when_its_check_digit_fails():
    """Real DDEX releases carry ICPNs whose check digit fails (05099907138655); a user who types
    "UPC 5099907138655" names it, while an unlabelled number with a bad check digit is some number."""
    for question in ("What is on the release with UPC 5099907138655?", "barcode no. 5099907138655",
                     "EAN: 05099907138655", "the ICPN is 5099907138655"):
        found = find_identifiers(question)
        assert [i.key for i in found] == ["UPC:5099907138655"] and not found[0].valid, question
    assert find_identifiers("invoice 5099907138655 is due") == []
    assert find_identifiers("UPCs are listed below; order 5099907138655 ships today") == []


def test_gs1_check_digits_from_python_stdnum_match_the_formula():
    """UPC/EAN check digits come from python-stdnum; the GS1 formula itself is the reference."""
    import random

    from ingest.identifiers import gtin_check_digit

    def by_formula(body: str) -> int:
        total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
        return (10 - total % 10) % 10

    rng = random.Random(7)
    bodies = ["".join(rng.choice("0123456789") for _ in range(n)) for n in (7, 11, 12, 13) for _ in range(2000)]
    assert [b for b in bodies if gtin_check_digit(b) != by_formula(b)] == []
    assert gtin_check_digit("03600029145") == 2  # UPC-A 036000291452
