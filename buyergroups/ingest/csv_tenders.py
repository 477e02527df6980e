"""Parse a CSV of tenders (one row per tender) with a documented column set.

Columns (header names, case-insensitive; comma, semicolon or tab separated;
UTF-8). Required: ``source_id``, ``title``, ``buyer_country``, ``cpv_codes``.
Optional: ``procedure_id`` (rows of one procedure form one procurement; by
default each row is its own), ``description``, ``language``, ``buyer_name``,
``buyer_national_id`` (the buyer's national registration number), ``published_on``
(YYYY-MM-DD), ``notice_type``, ``procedure_type``, ``estimated_value``,
``currency``, ``strategic_procurement``, ``environmental_impact``,
``social_objective``, ``innovative_acquisition``, ``gpp_criteria``,
``award_criteria``, ``conditions``.

Lists (``cpv_codes`` and the five strategic-procurement code columns) are
separated by ``;``, ``|`` or spaces. ``award_criteria`` holds entries separated
by ``;``, each ``type|name|weight`` (e.g. ``price|Price|40;quality|CO2 reduction|60``);
criteria and ``conditions`` form one lot named "1". Any bad row rejects the file;
a row with more cells than the header is a bad row, and so is an
``estimated_value`` or weight that is not a finite number inside its range
(:mod:`buyergroups.ingest.numbers`).
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date

from buyergroups.errors import ImportRejected, msg, msg_list
from buyergroups.ingest.codes import country_alpha2, cpv8, language_1, unique
from buyergroups.ingest.numbers import MONEY, WEIGHT, checked_number
from buyergroups.ingest.records import AwardCriterion, Buyer, Lot, Tender

REQUIRED = ("source_id", "title", "buyer_country", "cpv_codes")
OPTIONAL = (
    "description",
    "language",
    "buyer_name",
    "published_on",
    "notice_type",
    "procedure_type",
    "estimated_value",
    "currency",
    "strategic_procurement",
    "environmental_impact",
    "social_objective",
    "innovative_acquisition",
    "gpp_criteria",
    "award_criteria",
    "conditions",
    "procedure_id",
    "buyer_national_id",
)
CODE_COLUMNS = (
    "strategic_procurement",
    "environmental_impact",
    "social_objective",
    "innovative_acquisition",
    "gpp_criteria",
)
_LIST_SPLIT = re.compile(r"[;|,\s]+")
_EXTRA = "\x00extra cells"


def read_rows(data: bytes, name: str) -> list[dict[str, str]]:
    """The rows of a UTF-8 CSV file as dicts keyed by lower-case header; clear errors."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRejected(
            msg("{name}: not UTF-8 text; save the CSV as UTF-8.", name=name), source=name
        ) from exc
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    # A row longer than the header keeps its extra cells under _EXTRA (refused
    # below unless empty); a shorter row is padded with "".
    reader = csv.DictReader(
        io.StringIO(text, newline=""), delimiter=delimiter, restkey=_EXTRA, restval=""
    )
    try:
        if not reader.fieldnames:
            raise ImportRejected(msg("{name}: the CSV has no header row.", name=name), source=name)
        rows = []
        for row in reader:
            extra = row.pop(_EXTRA, [])
            if any(cell.strip() for cell in extra):
                raise ImportRejected(
                    msg(
                        "{name} row {row}: more cells than the header has columns.",
                        name=name,
                        row=len(rows) + 2,
                    ),
                    source=name,
                )
            rows.append({key.strip().lower(): value.strip() for key, value in row.items()})
        return rows
    except csv.Error as exc:
        raise ImportRejected(
            msg("{name}: not a readable CSV ({error}).", name=name, error=str(exc)), source=name
        ) from exc


def check_columns(
    found: list[str], required: tuple[str, ...], allowed: tuple[str, ...], name: str
) -> None:
    """ImportRejected naming missing and unknown columns (and the allowed set)."""
    missing = [column for column in required if column not in found]
    unknown = [column for column in found if column not in allowed]
    problems = []
    if missing:
        problems.append(msg("missing column(s): {columns}", columns=", ".join(missing)))
    if unknown:
        shown = [
            name if name.isprintable() and len(name) <= 40 else repr(name[:40]) for name in unknown
        ]
        problems.append(msg("unknown column(s): {columns}", columns=", ".join(shown)))
    if problems:
        raise ImportRejected(
            msg(
                "{name}: {problems}. Allowed columns: {allowed}.",
                name=name,
                problems=msg_list(problems, "{first}; {second}"),
                allowed=", ".join(allowed),
            ),
            source=name,
        )


def parse_csv_tenders(data: bytes, name: str = "tenders.csv") -> list[Tender]:
    """Every tender in the CSV; ImportRejected for bad columns or any bad row."""
    rows = read_rows(data, name)
    header = list(rows[0]) if rows else _header_only(data)
    check_columns(header, REQUIRED, REQUIRED + OPTIONAL, name)
    if not rows:
        raise ImportRejected(
            msg("{name}: the CSV has a header but no rows.", name=name), source=name
        )
    tenders = [
        _tender(row, msg("{name} row {row}", name=name, row=number))
        for number, row in enumerate(rows, start=2)
    ]
    first_row: dict[str, int] = {}
    for number, tender in enumerate(tenders, start=2):
        if tender.source_id in first_row:
            raise ImportRejected(
                msg(
                    "{name} row {row}: source_id {source_id} repeats row {first}.",
                    name=name,
                    row=number,
                    source_id=repr(tender.source_id),
                    first=first_row[tender.source_id],
                ),
                source=name,
            )
        first_row[tender.source_id] = number
    return tenders


def _header_only(data: bytes) -> list[str]:
    first = data.decode("utf-8-sig", errors="replace").split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    return [column.strip().lower() for column in first.split(delimiter)]


def _tender(row: dict[str, str], where: str) -> Tender:
    for column in REQUIRED:
        if not row.get(column):
            raise ImportRejected(
                msg("{where}: {column} is empty.", where=where, column=column), source=where
            )
    country = country_alpha2(row["buyer_country"])
    if country is None:
        raise ImportRejected(
            msg(
                "{where}: buyer_country {value} is not an ISO country code.",
                where=where,
                value=repr(row["buyer_country"]),
            ),
            source=where,
        )
    tender = Tender(
        source="csv",
        source_id=row["source_id"],
        title=row["title"],
        description=row.get("description", ""),
        notice_type=row.get("notice_type") or None,
        published_on=_date(row.get("published_on", ""), where),
        language=language_1(row.get("language")) or None,
        buyers=[Buyer(row.get("buyer_name") or "", country, row.get("buyer_national_id") or None)],
        procedure_id=row.get("procedure_id") or None,
        cpv_codes=_cpvs(row["cpv_codes"], where),
        procedure_type=row.get("procedure_type") or None,
        estimated_value=checked_number(
            row.get("estimated_value", ""), "estimated_value", where, MONEY
        ),
        currency=(row.get("currency") or "").upper() or None,
    )
    tender.languages = [tender.language] if tender.language else []
    tender.titles = {tender.language or "": tender.title}
    for column in CODE_COLUMNS:
        codes = [code for code in _LIST_SPLIT.split(row.get(column, "")) if code and code != "none"]
        setattr(tender, column, unique(codes))
    criteria = _criteria(row.get("award_criteria", ""), where)
    if criteria or row.get("conditions"):
        conditions = [row["conditions"]] if row.get("conditions") else []
        tender.lots = [Lot("1", title=tender.title, award_criteria=criteria, conditions=conditions)]
    return tender


def _date(raw: str, where: str) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise ImportRejected(
            msg("{where}: published_on {value} is not YYYY-MM-DD.", where=where, value=repr(raw)),
            source=where,
        ) from exc


def _cpvs(raw: str, where: str) -> list[str]:
    codes = []
    for entry in _LIST_SPLIT.split(raw):
        if entry:
            code = cpv8(entry)
            if code is None:
                raise ImportRejected(
                    msg(
                        "{where}: CPV code {value} is not valid (8 digits, optional check digit).",
                        where=where,
                        value=repr(entry),
                    ),
                    source=where,
                )
            codes.append(code)
    return unique(codes)


def _criteria(raw: str, where: str) -> list[AwardCriterion]:
    found = []
    for entry in (part.strip() for part in raw.split(";")):
        if not entry:
            continue
        parts = [part.strip() for part in entry.split("|")]
        if len(parts) != 3:
            raise ImportRejected(
                msg(
                    "{where}: award criterion {value} must be 'type|name|weight'.",
                    where=where,
                    value=repr(entry),
                ),
                source=where,
            )
        weight = checked_number(parts[2], "award_criteria weight", where, WEIGHT)
        found.append(AwardCriterion(parts[0], parts[1], "", weight))
    return found
