"""The register exported for spreadsheets: CSV (UTF-8 with a byte-order mark) and XLSX (real
dates, a frozen header and filters, a second sheet with the clause of every value). Every cell
from a document goes through ``ops.spreadsheets.cell_text``: shown as text, never run.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from assistant.contracts import dates as datecalc
from assistant.contracts.register import COLUMNS, DATE_COLUMNS, Row
from assistant.ops.spreadsheets import cell_text


# ---------------------------------------------------------------------------------------------
# Exports
# ---------------------------------------------------------------------------------------------
def export_csv(rows: Sequence[Row], path: Path) -> Path:
    """The register as CSV (UTF-8 with a byte-order mark, so spreadsheets read £ and é right)."""
    path = Path(path)
    with path.open("w", newline="", encoding="utf-8-sig") as fh:
        w = csv.writer(fh)
        w.writerow([label for _, label in COLUMNS])
        for r in rows:
            w.writerow([cell_text(r.cells.get(c, "")) for c, _ in COLUMNS])
    return path


def export_xlsx(rows: Sequence[Row], path: Path, today: date | None = None) -> Path:
    """The register as an Excel workbook: one sheet "Register", dates as real dates (sortable
    and filterable in the spreadsheet), the header frozen with an auto-filter; a second sheet
    "Clauses" with the clause each value came from."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "Register"
    ws.append([label for _, label in COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in rows:
        line: list[Any] = []
        for c, _ in COLUMNS:
            iso = r.dates.get(c) if c in DATE_COLUMNS else None
            line.append(datecalc.parse_iso(iso) if iso else cell_text(r.cells.get(c, "")))
        ws.append(line)
    for i, (c, _) in enumerate(COLUMNS, 1):
        if c in DATE_COLUMNS:
            for row in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                for cell in row:
                    if isinstance(cell.value, date):
                        cell.number_format = "yyyy-mm-dd"
        ws.column_dimensions[get_column_letter(i)].width = 14 if c in DATE_COLUMNS else 28
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    clauses = wb.create_sheet("Clauses")
    clauses.append(["Agreement", "Term", "Value", "Document", "Clause", "Words"])
    for cell in clauses[1]:
        cell.font = Font(bold=True)
    for r in rows:
        for _key, term in r.terms.terms.items():
            for e in term.current:
                c = e.value.clause
                clauses.append([cell_text(r.cells["agreement"]), term.label, cell_text(e.value.text),
                                cell_text(e.doc.file_name if e.doc else ""), cell_text(c.label if c else ""),
                                cell_text(" ".join(c.text.split())[:2000] if c else "")])
    wb.save(path)
    return Path(path)
