"""Spreadsheet files: the one formula guard and the one CSV and one Excel writer.

Text that a spreadsheet would run as a formula (starting with = + - @, a tab
or a carriage return) gets a leading apostrophe; text that already starts with
an apostrophe before such a character gets one more, so :func:`unprotect_cell`
gives back exactly what was exported (the criteria import relies on that for a
lossless round trip). Numbers, dates and booleans are written as they are.

Every CSV and Excel file the package writes goes through this module:
:func:`csv_bytes` and :func:`xlsx_bytes` for downloads, :func:`write_csv` for
a stream (the command line), and :func:`frame_table` to hand them a pandas
DataFrame. A test runs every export path with the trigger characters.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, TextIO

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font

if TYPE_CHECKING:
    import pandas as pd

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIME = "text/csv"
# How a date-time cell shows in Excel (what the CO2 workbooks have always used).
DATETIME_FORMAT = "YYYY-MM-DD HH:MM:SS"
# Columns whose cells hold sentences: wider, so wrapped text stays readable.
_WIDE = {
    "Text",
    "Notes",
    "Takeaways",
    "Scoring method",
    "Title",
    "Verification proof",
    "title",
    "formula",
    "assumptions",
    "source",
    "note",
}


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


def frame_table(frame: pd.DataFrame) -> Table:
    """A DataFrame as a Table: its column names as headers, missing values as empty cells."""
    cells = frame.astype(object).where(frame.notna(), None)
    return Table([str(name) for name in frame.columns], cells.to_numpy().tolist())


def _xlsx_cell(value: Any) -> Any:
    if isinstance(value, str):
        return protect_cell(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def xlsx_bytes(sheets: dict[str, Table]) -> bytes:
    """A workbook with one sheet per table: bold frozen header, wrapped text, safe cells."""
    book = Workbook()
    book.remove(book.active)
    for name, table in sheets.items():
        sheet = book.create_sheet(name[:31])
        sheet.append([_xlsx_cell(header) for header in table.headers])
        for row in table.rows:
            sheet.append([_xlsx_cell(v) for v in row])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for index, header in enumerate(table.headers, start=1):
            letter = sheet.cell(row=1, column=index).column_letter
            sheet.column_dimensions[letter].width = 60 if header in _WIDE else 18
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                if isinstance(cell.value, datetime):
                    cell.number_format = DATETIME_FORMAT
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_csv(
    out: TextIO,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    line_end: str = "\r\n",
) -> int:
    """Write a header line and ``rows`` as CSV to ``out``, every cell guarded; returns the rows.

    A cell holding a CR or LF is always quoted, whatever ``line_end`` is: a bare
    CR would otherwise end the row for Excel and start a new one with the rest
    of the text, past the formula guard.
    """
    line = io.StringIO(newline="")
    writer = csv.writer(line, lineterminator="\r\n")

    def write(cells: Sequence[Any]) -> None:
        line.seek(0)
        line.truncate()
        writer.writerow(cells)
        out.write(line.getvalue()[:-2] + line_end)

    write([protect_cell(header) for header in headers])
    count = 0
    for row in rows:
        write(["" if v is None else protect_cell(v) for v in row])
        count += 1
    return count


def csv_bytes(table: Table, *, line_end: str = "\r\n") -> bytes:
    """The table as UTF-8 CSV with a BOM (so Excel reads the accents), safe cells."""
    buffer = io.StringIO(newline="")
    write_csv(buffer, table.headers, table.rows, line_end=line_end)
    return buffer.getvalue().encode("utf-8-sig")
