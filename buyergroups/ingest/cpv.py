"""The CPV code list: parse the official CSV (a CODE column plus one column per language).

The hierarchy follows from the digits: division = first 2, group = 3, class = 4,
category = 5 and more. A code's level is its number of significant digits
(at least 2); its parent is the code with its last significant digit zeroed.
"""

from __future__ import annotations

import re

from buyergroups.errors import ImportRejected, msg
from buyergroups.ingest.csv_tenders import check_columns, read_rows
from buyergroups.ingest.records import CpvCode

EU_LANGUAGES = (
    "bg",
    "cs",
    "da",
    "de",
    "el",
    "en",
    "es",
    "et",
    "fi",
    "fr",
    "ga",
    "hr",
    "hu",
    "it",
    "lt",
    "lv",
    "mt",
    "nl",
    "pl",
    "pt",
    "ro",
    "sk",
    "sl",
    "sv",
)
_MAIN = re.compile(r"^(\d{8})(?:-(\d))?$")
_SUPPLEMENTARY = re.compile(r"^([A-Z]{2}\d{2})(?:-(\d))?$")


def parse_cpv_list(data: bytes, name: str = "cpv.csv") -> list[CpvCode]:
    """Every code in the list with its labels; ImportRejected for bad columns or codes."""
    rows = read_rows(data, name)
    if not rows:
        raise ImportRejected(msg("{name}: the CPV list has no rows.", name=name), source=name)
    columns = list(rows[0])
    check_columns(columns, ("code",), ("code", "code_short", *EU_LANGUAGES), name)
    languages = [column for column in columns if column in EU_LANGUAGES]
    if not languages:
        raise ImportRejected(
            msg(
                "{name}: no language columns; expected some of {languages}.",
                name=name,
                languages=", ".join(EU_LANGUAGES).upper(),
            ),
            source=name,
        )
    return [
        _code(row, languages, msg("{name} row {row}", name=name, row=n))
        for n, row in enumerate(rows, start=2)
    ]


def _code(row: dict[str, str], languages: list[str], where: str) -> CpvCode:
    raw = row.get("code", "")
    main = _MAIN.match(raw)
    supplementary = _SUPPLEMENTARY.match(raw)
    match = main or supplementary
    if match is None:
        raise ImportRejected(
            msg("{where}: {value} is not a CPV code.", where=where, value=repr(raw)), source=where
        )
    labels = {language: row[language] for language in languages if row.get(language)}
    kind = "main" if main else "supplementary"
    return CpvCode(match.group(1), match.group(2), labels, kind)


def significant(code: str) -> str:
    """The code without trailing zeros, keeping at least the 2-digit division."""
    stripped = code.rstrip("0")
    return stripped if len(stripped) >= 2 else code[:2]


def level(code: str) -> int:
    """2 for a division, 3 for a group, 4 for a class, 5+ for categories and below."""
    return len(significant(code))


def parent(code: str) -> str | None:
    """The code one level up (e.g. 45233130 → 45233100), None for a division."""
    digits = significant(code)
    if len(digits) <= 2:
        return None
    return (digits[:-1]).ljust(8, "0")
