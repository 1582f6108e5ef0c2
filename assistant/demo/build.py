"""Render the demo sources to PDF and DOCX, as contracts arrive in real life.

Run after editing ``sources/``: ``python -m assistant.demo.build``. The outputs in
``corpus/`` are committed so that installing and running the demo needs neither fpdf2 nor
a font; ``tests/test_demo_corpus.py`` checks that they still match their sources.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "sources"
CORPUS = HERE / "corpus"
FORMATS = {
    "nova-records-recording-agreement": "pdf",
    "blue-hour-sync-licence": "pdf",
    "northgate-songwriter-agreement": "docx",
}
FIXED_DATE = datetime(2024, 6, 1, tzinfo=UTC)
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
HEADING = re.compile(r"^(?:\d{1,2}\.\s+[A-Z]|ARTICLE\s|SCHEDULE\s|EXHIBIT\s)")


def render_pdf(text: str, target: Path, title: str) -> None:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_title(title)
    pdf.set_author("rights-assistant demo corpus (fictional)")
    pdf.set_auto_page_break(True, margin=20)
    pdf.set_margins(22, 20, 22)
    if (FONT_DIR / "DejaVuSans.ttf").exists():
        pdf.add_font("body", "", str(FONT_DIR / "DejaVuSans.ttf"))
        pdf.add_font("body", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        family = "body"
    else:  # core font: latin-1 only
        family = "Helvetica"
        text = text.replace("€", "EUR ").replace("¥", "JPY ").replace("“", '"').replace("”", '"').replace("’", "'").replace("—", "-").replace("–", "-")
    pdf.add_page()
    for line in text.split("\n"):
        bold = bool(HEADING.match(line)) or (line.isupper() and len(line) < 80)
        pdf.set_font(family, "B" if bold else "", 10.5)
        if not line.strip():
            pdf.ln(3)
            continue
        pdf.multi_cell(0, 5.2, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(target))


def render_docx(text: str, target: Path, title: str) -> None:
    import docx

    document = docx.Document()
    document.core_properties.title = title
    document.core_properties.created = FIXED_DATE.replace(tzinfo=None)
    document.core_properties.modified = FIXED_DATE.replace(tzinfo=None)
    first = True
    for line in text.split("\n"):
        if not line.strip():
            continue
        if first:
            document.add_paragraph(line, style="Title")
            first = False
        elif HEADING.match(line) and len(line) < 80:
            document.add_paragraph(line, style="Heading 2")
        else:
            document.add_paragraph(line)
    document.save(str(target))


def build() -> list[Path]:
    written = []
    for stem, fmt in FORMATS.items():
        text = (SOURCES / f"{stem}.txt").read_text()
        title = next(line.strip() for line in text.split("\n") if line.strip())
        target = CORPUS / f"{stem}.{fmt}"
        (render_pdf if fmt == "pdf" else render_docx)(text, target, title.title())
        written.append(target)
    return written


if __name__ == "__main__":
    for path in build():
        print(f"wrote {path.relative_to(HERE.parent.parent)} ({path.stat().st_size:,} bytes)")
