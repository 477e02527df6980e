"""Spreadsheet files: the one formula guard and the one CSV and one Excel writer.

Text that a spreadsheet would run as a formula (starting with = + - @, a tab
or a carriage return) gets a leading apostrophe; text that already starts with
an apostrophe before such a character gets one more, so :func:`unprotect_cell`
gives back exactly what was exported (the criteria import relies on that for a
lossless round trip). Every CSV and Excel file the package writes goes through
:func:`csv_bytes` / :func:`xlsx_bytes` (or :func:`protect_cell` for a stream).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIME = "text/csv"


@dataclass(frozen=True)
class Column:
    """One exported column: its header and how a record's value becomes a cell."""

    header: str
    cell: Callable[[dict[str, Any]], Any]


@dataclass(frozen=True)
class Table:
    """Rows ready for a sheet or a CSV file."""

    headers: list[str]
    rows: list[list[Any]]


def protect_cell(value: Any) -> Any:
    """A cell value that a spreadsheet shows as text, never runs as a formula."""
    if isinstance(value, str) and value.lstrip("'").startswith(_FORMULA_START):
        return "'" + value
    return value


def unprotect_cell(value: Any) -> Any:
    """The exported value behind a cell :func:`protect_cell` wrote (inverse of it)."""
    if isinstance(value, str) and value.startswith("'") and protect_cell(value[1:]) == value:
        return value[1:]
    return value


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return protect_cell(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def xlsx_bytes(sheets: dict[str, Table]) -> bytes:
    """A workbook with one sheet per table: bold frozen header, wrapped text, safe cells."""
    book = Workbook()
    book.remove(book.active)
    for name, table in sheets.items():
        sheet = book.create_sheet(name[:31])
        sheet.append(table.headers)
        for row in table.rows:
            sheet.append([_clean(v) for v in row])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for index, header in enumerate(table.headers, start=1):
            letter = sheet.cell(row=1, column=index).column_letter
            sheet.column_dimensions[letter].width = 60 if header in _WIDE else 18
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


_WIDE = {"Text", "Notes", "Takeaways", "Scoring method", "Title", "Verification proof"}


def csv_bytes(table: Table) -> bytes:
    """The table as UTF-8 CSV with a BOM (so Excel reads the accents), safe cells."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow(["" if v is None else protect_cell(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")
