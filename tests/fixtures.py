"""Realistic small contracts in every supported format, and every kind of bad file.

Written by the tests themselves (never the shared real data), so the suite runs anywhere.
"""

from __future__ import annotations

import random
from pathlib import Path

LONG_GRANT = (
    "4.1 Grant of Rights. Subject to the terms of this Agreement, the Artist grants to the Label "
    "the exclusive right throughout the Territory to manufacture, distribute, sell, stream, "
    "download, perform publicly and otherwise exploit the Masters in all media now known or "
    "hereafter devised. "
    + " ".join(
        f"({chr(97 + i)}) The Label may exploit the Masters in format {i + 1} on the terms of "
        f"Schedule A, including the right to couple them with other recordings, to use the name, "
        f"approved likeness and biography of the Artist, and to authorise third parties to do so."
        for i in range(12)
    )
)

DISTRIBUTION = f"""DIGITAL DISTRIBUTION AGREEMENT

This Agreement is made on 1 July 2020 between Harbour Records Ltd, 12 Dock Street, Leith EH6 6RR ("Label") and Pinewave Digital B.V., Amsterdam ("Distributor").

1. DEFINITIONS
1.1 "Net Receipts" means all sums actually received by the Distributor from DSPs, less VAT.
1.2 "Territory" means the World.

2. TERM
2.1 Initial Term. This Agreement starts on 1 July 2020 and continues for three (3) years.
2.2 Renewal. It renews automatically for periods of one (1) year unless either party gives ninety (90) days' written notice.

3. DISTRIBUTION FEE
The Distributor shall retain a distribution fee of twenty per cent (20%) of Net Receipts and account to the Label monthly within forty-five (45) days after the end of each month.

4. RIGHTS
{LONG_GRANT}
4.2 Takedown. The Label may require the takedown of any Master on ten (10) business days' notice.

5. Counterparts. This Agreement may be executed in counterparts.

6. GOVERNING LAW
This Agreement is governed by the laws of the Netherlands and the courts of Amsterdam have exclusive jurisdiction.

SCHEDULE A — RELEASES
1. "Salt Lines" (album), UPC 5056167100019
2. "Low Tide" (single), ISRC GB-HRB-20-00042
"""

LICENCE_MD = """# MASTER USE LICENCE

This licence is dated 3 April 2024 and is granted by Harbour Records Ltd ("Licensor") to Lumen Pictures Inc. ("Licensee").

## 1. Licensed Master
The master recording "Low Tide" performed by Ada Vale, ISRC GB-HRB-20-00042.

## 2. Fee
The Licensee shall pay a one-off fee of USD 12,500 within thirty (30) days of signature.

## 3. Territory and Term
The licence covers the World excluding Japan for a term of ten (10) years from first broadcast.

## 4. Restrictions
No use in advertising, political or religious content is permitted.
"""

RECORDING_PAGES = [
    """EXCLUSIVE RECORDING AGREEMENT

This Agreement is made on 1 March 2022 between Harbour Records Ltd ("Company") and Ada Vale ("Artist").

1. TERM
1.1 Initial Period. The Initial Period starts on 1 March 2022 and ends on 29 February 2024.
1.2 Options. The Company has two options to extend the Term by eighteen (18) months each.

2. ADVANCES
2.1 Signing Advance. The Company shall pay the Artist an advance of £75,000, recoupable from royalties.""",
    """3. ROYALTIES
3.1 Physical. The Company shall pay a royalty of 18% of the published price to dealers.
3.2 Streaming. The Company shall pay 25% of Net Receipts from streaming services.

4. REVERSION
The Masters revert to the Artist fifteen (15) years after the end of the Term.

5. ACCOUNTING
The Company accounts semi-annually within ninety (90) days after 30 June and 31 December.""",
]

PUBLISHING_DOCX = [
    ("Title", "EXCLUSIVE SONGWRITER AGREEMENT"),
    (None, "This Agreement is made on 10 June 2021 between Westgate Music Publishing LLC (\"Publisher\") and Ada Vale (\"Writer\")."),
    ("Heading 2", "1. TERM"),
    (None, "The Term is three (3) years from the date of this Agreement."),
    ("Heading 2", "2. ROYALTIES"),
    (None, "2.1 Mechanical. The Publisher shall pay the Writer 75% of mechanical income received."),
    (None, "2.2 Synchronisation. Synchronisation income is shared 50/50 between Publisher and Writer."),
    ("Heading 2", "3. RETENTION"),
    (None, "The Publisher retains the Compositions for ten (10) years after the Term, after which they revert to the Writer."),
    ("table", [["Title", "ISWC", "Writer share"], ["Low Tide", "T-345.246.800-3", "50%"]]),
]


def write_pdf(path: Path, pages: list[str], *, encrypt_with: str | None = None) -> Path:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_font("Helvetica", size=11)
    for page in pages:
        pdf.add_page()
        for line in page.split("\n"):
            if line.strip():
                pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
            else:
                pdf.ln(4)
    if encrypt_with:
        pdf.set_encryption(owner_password="owner-" + encrypt_with, user_password=encrypt_with)
    pdf.output(str(path))
    return path


def write_scanned_pdf(path: Path) -> Path:
    """A PDF with pages but no text layer, as a scanner makes (here: drawn shapes only)."""
    from fpdf import FPDF

    pdf = FPDF()
    for _ in range(2):
        pdf.add_page()
        pdf.rect(20, 20, 100, 60, style="F")
    pdf.output(str(path))
    return path


def write_docx(path: Path, blocks=PUBLISHING_DOCX) -> Path:
    import docx

    document = docx.Document()
    for style, content in blocks:
        if style == "table":
            table = document.add_table(rows=len(content), cols=len(content[0]))
            for r, row in enumerate(content):
                for c, value in enumerate(row):
                    table.cell(r, c).text = value
        else:
            document.add_paragraph(content, style=style)
    document.save(str(path))
    return path


def write_contract_folder(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pinewave-distribution.txt").write_text(DISTRIBUTION)
    (folder / "low-tide-licence.md").write_text(LICENCE_MD)
    write_pdf(folder / "ada-vale-recording.pdf", RECORDING_PAGES)
    write_docx(folder / "westgate-songwriter.docx")
    return folder


def write_bad_files(folder: Path) -> dict[str, str]:
    """Every kind of bad file, named -> a phrase its one-line reason must contain."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "corrupt.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\nthis is not a pdf\n%%EOF")
    write_pdf(folder / "encrypted.pdf", ["Confidential side letter."], encrypt_with="s3cret")
    write_scanned_pdf(folder / "scanned.pdf")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.md").write_text("   \n\n  \n")
    rng = random.Random(7)
    (folder / "binary.txt").write_bytes(bytes(rng.randrange(256) for _ in range(4096)) + b"\x00\x00")
    (folder / "garbled.txt").write_bytes(bytes(rng.choice([0x81, 0x8D, 0x8F, 0x90, 0x9D, 0xC3, 0xA9, 0xFE]) for _ in range(2048)))
    (folder / "corrupt.docx").write_bytes(b"PK\x03\x04 definitely not a word file")
    (folder / "notes.xyz").write_text("what is this")
    return {
        "corrupt.pdf": "PDF",
        "encrypted.pdf": "encrypted PDF",
        "scanned.pdf": "no text layer",
        "empty.txt": "empty file",
        "blank.md": "no text",
        "binary.txt": "binary data",
        "garbled.txt": "undecodable text",
        "corrupt.docx": "DOCX",
        "notes.xyz": "unsupported file type",
    }
