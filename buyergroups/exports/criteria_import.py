"""Criteria from a spreadsheet: the template, a row-by-row check, and storing the valid rows.

The template's columns are the criteria export's (:data:`~buyergroups.exports.group_sheets.CRITERIA_FIELDS`),
so an exported sheet imports again without loss; informational columns (ID,
Status, Reused from) are ignored and imported criteria start as drafts.
:func:`parse_rows` stores nothing: it returns an :class:`ImportReport`.
:func:`store_valid` stores the report's valid rows in one transaction; the UI
calls it only when the user confirms (always needed when some rows failed).
"""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from openpyxl import load_workbook

from buyergroups import criteria, db
from buyergroups.accounts.users import User
from buyergroups.auth import Action, require
from buyergroups.errors import ImportRejected, ValidationError, msg
from buyergroups.exports.group_sheets import CRITERIA_FIELDS
from buyergroups.exports.spreadsheet import Table, csv_bytes, unprotect_cell, xlsx_bytes

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000
# A zip bomb guard: the workbook's parts together may unpack to at most this.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
REQUIRED_COLUMNS = ("Title", "Text", "Type", "MVI theme", "Ambition level")
_ZIP_MAGIC = b"PK\x03\x04"
_EXAMPLE = {
    "Title": "Emission-free equipment on site",
    "Text": "The tenderer states the share of emission-free machinery used on site.",
    "Type": "Award criterion",
    "MVI theme": "Climate",
    "Ambition level": "Significant",
    "Weight (%)": 20,
    "Scoring method": "Linear: 0 points at 0%, full points at 100% emission-free.",
    "Verification proof": "Equipment list with engine types",
    "Verification moment": "at tender",
    "Language": "en",
    "CPV codes": "45000000",
}


@dataclass(frozen=True)
class RowResult:
    """One spreadsheet row: its number as the spreadsheet shows it, and the outcome."""

    row: int
    ok: bool
    message: str
    content: dict[str, Any] | None = None


@dataclass(frozen=True)
class ImportReport:
    """What a file holds, row by row; nothing is stored yet."""

    filename: str
    rows: list[RowResult] = field(default_factory=list)

    @property
    def valid(self) -> list[RowResult]:
        """The rows that passed every check."""
        return [r for r in self.rows if r.ok]

    @property
    def errors(self) -> list[RowResult]:
        """The rows that failed, with the reason."""
        return [r for r in self.rows if not r.ok]


def template_xlsx() -> bytes:
    """The import template as Excel: the export's columns and one example row."""
    return xlsx_bytes({"Criteria": _template_table()})


def template_csv() -> bytes:
    """The import template as CSV (UTF-8): the export's columns and one example row."""
    return csv_bytes(_template_table())


def _template_table() -> Table:
    headers = list(CRITERIA_FIELDS)
    return Table(headers, [[_EXAMPLE.get(h) for h in headers]])


def parse_rows(data: bytes, filename: str, *, max_bytes: int = MAX_BYTES) -> ImportReport:
    """Check every row of an .xlsx or .csv file with the criteria rules; stores nothing.

    Raises ImportRejected when the file as a whole cannot be read (size,
    content, missing columns); row problems go into the report.
    """
    if len(data) > max_bytes:
        raise ImportRejected(
            msg(
                "{filename} is {size} MB; the limit is {limit} MB.",
                filename=filename,
                size=f"{len(data) / 1_048_576:.1f}",
                limit=f"{max_bytes / 1_048_576:.0f}",
            ),
            source=filename,
        )
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".xlsx":
        headers, records = _xlsx_records(data, filename)
    elif suffix == ".csv":
        headers, records = _csv_records(data, filename)
    else:
        raise ImportRejected(
            msg("{filename}: upload the template as .xlsx or .csv.", filename=filename),
            source=filename,
        )
    columns = _columns(headers, filename)
    rows = [_check(number, record, columns) for number, record in records]
    if not rows:
        raise ImportRejected(
            msg("{filename} has no criteria rows below the header.", filename=filename),
            source=filename,
        )
    return ImportReport(filename, rows)


def _xlsx_records(data: bytes, filename: str) -> tuple[list[Any], list[tuple[int, list[Any]]]]:
    if not data.startswith(_ZIP_MAGIC):
        raise ImportRejected(
            msg("{filename} is not an Excel (.xlsx) workbook.", filename=filename), source=filename
        )
    _check_archive(data, filename)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise _unreadable_workbook(filename, exc) from exc
    try:
        sheet = book["Criteria"] if "Criteria" in book.sheetnames else book.worksheets[0]
        return _numbered(sheet.iter_rows(values_only=True), filename)
    except ImportRejected:
        raise
    except Exception as exc:
        # read_only reads cells while iterating: a damaged cell (a number cell holding
        # 'NaN' or 5,000 digits) fails here, not in load_workbook
        raise _unreadable_workbook(filename, exc) from exc
    finally:
        book.close()


def _unreadable_workbook(filename: str, exc: Exception) -> ImportRejected:
    return ImportRejected(
        msg(
            "{filename} cannot be read as a workbook ({error}).",
            filename=filename,
            error=str(exc)[:200],
        ),
        source=filename,
    )


def _check_archive(data: bytes, filename: str) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
            if sum(p.file_size for p in parts) > MAX_UNPACKED_BYTES:
                raise ImportRejected(
                    msg("{filename} unpacks to too much data.", filename=filename), source=filename
                )
            for part in parts:
                if part.filename.endswith((".xml", ".rels")) and b"<!DOCTYPE" in archive.read(part):
                    raise ImportRejected(
                        msg(
                            "{filename} contains XML declarations a workbook never needs.",
                            filename=filename,
                        ),
                        source=filename,
                    )
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:  # damaged, or a part cut short
        raise ImportRejected(
            msg("{filename} is a damaged .xlsx file.", filename=filename), source=filename
        ) from exc


def _csv_records(data: bytes, filename: str) -> tuple[list[Any], list[tuple[int, list[Any]]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRejected(
            msg(
                "{filename} is not UTF-8 text; in Excel choose 'CSV UTF-8' when saving.",
                filename=filename,
            ),
            source=filename,
        ) from exc
    if "\x00" in text:
        raise ImportRejected(
            msg("{filename} is not a text file.", filename=filename), source=filename
        )
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    try:
        return _numbered(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), filename)
    except csv.Error as exc:  # e.g. a cell over the csv module's 131,072-character limit
        raise ImportRejected(
            msg(
                "{filename} is not a readable CSV file ({error}).",
                filename=filename,
                error=str(exc),
            ),
            source=filename,
        ) from exc


def _numbered(
    found: Iterable[Sequence[Any]], filename: str
) -> tuple[list[Any], list[tuple[int, list[Any]]]]:
    """The header and the non-blank rows with their spreadsheet row numbers (header = 1)."""
    rows = iter(found)
    headers = list(next(rows, []))
    if not any(_text(h) for h in headers):
        raise ImportRejected(
            msg("{filename} has no header row; start from the template.", filename=filename),
            source=filename,
        )
    records = []
    for number, record in enumerate(rows, start=2):
        if any(_text(cell) for cell in record):
            records.append((number, list(record)))
        if len(records) > MAX_ROWS:
            raise ImportRejected(
                msg(
                    "{filename} has more than {limit} rows; split it into smaller files.",
                    filename=filename,
                    limit=f"{MAX_ROWS:,}",
                ),
                source=filename,
            )
    return headers, records


def _header_names() -> dict[str, str]:
    """Accepted header spellings (lower case): the export's headers and the field names."""
    names = {header.lower(): header for header in CRITERIA_FIELDS}
    names.update({f: header for header, f in CRITERIA_FIELDS.items() if f})
    return names


def _columns(headers: list[Any], filename: str) -> dict[str, int]:
    """The criterion field each known header fills, by column position."""
    names = _header_names()
    found = {names[_text(h).lower()]: i for i, h in enumerate(headers) if _text(h).lower() in names}
    missing = [name for name in REQUIRED_COLUMNS if name not in found]
    if missing:
        raise ImportRejected(
            msg(
                "{filename} lacks the column(s) {columns}; start from the template.",
                filename=filename,
                columns=", ".join(missing),
            ),
            source=filename,
        )
    return {field: found[h] for h, field in CRITERIA_FIELDS.items() if field and h in found}


def _text(cell: Any) -> str:
    return "" if cell is None else str(cell).strip()


def _cell(record: list[Any], index: int) -> Any:
    value = record[index] if index < len(record) else None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unprotect_cell(value)


def _check(number: int, record: list[Any], columns: dict[str, int]) -> RowResult:
    raw = {name: _cell(record, index) for name, index in columns.items()}
    content = {name: _text(value) for name, value in raw.items() if name != "weight"}
    weight = raw.get("weight")
    # A Dutch Excel writes 12,5; the criteria rules read 12.5.
    content["weight"] = _text(weight).replace(",", ".") if isinstance(weight, str) else weight
    try:
        checked = criteria.validate(content)
    except ValidationError as exc:
        # The error's message itself (not str(exc)), so the interface can translate it.
        return RowResult(number, False, exc.args[0] if exc.args else str(exc))
    return RowResult(number, True, f"OK: {checked['title']}", checked)


def store_valid(conn: db.Connection, actor: User, group_id: int, report: ImportReport) -> list[int]:
    """Store the report's valid rows as draft criteria, all or nothing; returns their ids.

    Needs ``Action.CREATE`` in the group, as creating the criteria one by one does
    (members may); ``Action.IMPORT`` is for importing tenders.
    """
    if not report.valid:
        raise ValidationError(
            msg("{filename} has no valid rows to store.", filename=report.filename)
        )
    with db.transaction(conn) as cur:
        require(cur, actor, Action.CREATE, group_id)
        return [
            criteria.insert_criterion(cur, actor, group_id, dict(row.content or {}))
            for row in report.valid
        ]
