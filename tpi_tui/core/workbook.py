"""How a value we did not compute goes into a workbook cell we write (LKE export, rekap).

Two rules, one place (issue 20 items 5 and 6):

- **Text stays text.** openpyxl turns any string starting with "=" into a live formula; Excel,
  LibreOffice and Sheets also re-read "+", "-", "@" (and a leading tab or CR) as the start of a
  formula when the cell is edited or the sheet is saved as CSV. A user string is therefore
  written as a string cell (``data_type = "s"``) and, when it starts with one of those
  characters, with the cell style's *quotePrefix* set (what Excel itself does for ``'=...``), so
  no reader ever evaluates it.
- **What XML cannot hold is shown, not lost.** Data stored before the text gate refused
  noncharacters (or put in a session file by hand) may carry U+FFFE, control characters or lone
  surrogates; they are written escaped (``\\ufffe``) through ``core.text.show``, the same escape
  the terminal uses, instead of failing the whole export.

Only ``put`` writes such values; formulas we build ourselves are assigned directly by the
exporter. This module does not import openpyxl: it only sets attributes of the cell it is given.
"""

from __future__ import annotations

from typing import Protocol

from .text import show

# A cell starting with one of these is read as a formula by some spreadsheet program.
FORMULA_LEAD = ("=", "+", "-", "@", "\t", "\r")


def cell_text(value: str) -> str:
    """``value`` as XML-safe cell text: newline and tab kept, the rest of the odd characters escaped."""
    return show(value, multiline=True)


class Cell(Protocol):
    """The attributes of an openpyxl cell that ``put`` sets (openpyxl ships no type information)."""

    value: object
    data_type: str
    quotePrefix: bool


def put(cell: Cell, value: object) -> None:
    """Assign ``value`` to an openpyxl cell; a string is always a string cell, never a formula."""
    if not isinstance(value, str):
        cell.value = value
        return
    text = cell_text(value)
    cell.value = text
    cell.data_type = "s"
    if text.startswith(FORMULA_LEAD) or value.startswith(FORMULA_LEAD):
        cell.quotePrefix = True
