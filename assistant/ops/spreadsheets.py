"""Cells written for spreadsheets: shown as text, never run.

A contract's or catalog's words could be ``=HYPERLINK("http://…")`` or ``@SUM(…)``; a spreadsheet
opening a CSV export runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in some, a
tab or carriage return) as a formula. Every export (the register's CSV and XLSX, catalog answers,
catalog conflicts) writes its cells through :func:`cell_text`, which puts an apostrophe in front.
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell_text(value: Any) -> str:
    """``value`` as a cell a spreadsheet shows as text (None is an empty cell)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
