"""CPV labels for recognising products in text of any EU language.

The labels come from the ``cpv_codes`` table that ``python -m buyergroups
import cpv FILE`` fills (all 24 languages); while that table is absent or
empty, a small built-in list covers the demo sectors in nl/en/de/sv/da/fr.
The codes below are real CPV 2008 codes; the terms are the official labels
(or parts of them) plus common synonyms.
"""

from __future__ import annotations

import json
import re

from buyergroups import db

# code -> terms in any language (one phrase per entry)
BUILTIN_CONCEPTS: dict[str, tuple[str, ...]] = {
    "39130000": (
        "office furniture",
        "kantoormeubilair",
        "kantoormeubelen",
        "Büromöbel",
        "kontorsmöbler",
        "kontormøbler",
        "mobilier de bureau",
    ),
    "39112000": (
        "office chairs",
        "bureaustoelen",
        "Bürostühle",
        "kontorsstolar",
        "kontorstole",
        "chaises de bureau",
    ),
    "39121100": ("desks", "schrijftafels", "Schreibtische", "skrivbord", "skriveborde"),
    "43260000": (
        "excavators",
        "excavator",
        "graafmachines",
        "graafmachine",
        "Bagger",
        "Löffelbagger",
        "grävmaskiner",
        "grävmaskin",
        "gravemaskiner",
        "gravemaskine",
        "excavatrices",
        "pelles mécaniques",
    ),
    "43200000": (
        "earthmoving machinery",
        "grondverzetmachines",
        "Erdbewegungsmaschinen",
        "schaktmaskiner",
        "jordflytningsmaskiner",
        "machines de terrassement",
    ),
    "43000000": (
        "construction machinery",
        "construction equipment",
        "bouwmachines",
        "bouwmaterieel",
        "Baumaschinen",
        "anläggningsmaskiner",
        "entreprenørmaskiner",
        "engins de chantier",
    ),
    "45221110": (
        "bridge construction",
        "viaducts",
        "viaduct",
        "bruggenbouw",
        "viaducten",
        "Brückenbau",
        "brobyggnad",
        "brobygning",
        "construction de ponts",
    ),
    "45233120": (
        "road construction",
        "wegenbouw",
        "Straßenbau",
        "vägbygge",
        "vejanlæg",
        "construction de routes",
    ),
    "34144910": (
        "electric buses",
        "elektrische bussen",
        "Elektrobusse",
        "elbussar",
        "elbusser",
        "autobus électriques",
    ),
    "34144900": (
        "electric vehicles",
        "elektrische voertuigen",
        "Elektrofahrzeuge",
        "elfordon",
        "elbiler",
        "véhicules électriques",
    ),
    "30213100": (
        "laptops",
        "laptop",
        "portable computers",
        "draagbare computers",
        "Laptops",
        "bärbara datorer",
        "bærbare computere",
        "ordinateurs portables",
    ),
    "32250000": (
        "mobile phones",
        "smartphones",
        "mobiele telefoons",
        "Mobiltelefone",
        "mobiltelefoner",
        "téléphones mobiles",
    ),
    "18100000": (
        "workwear",
        "occupational clothing",
        "werkkleding",
        "bedrijfskleding",
        "Arbeitskleidung",
        "arbetskläder",
        "arbejdstøj",
        "vêtements de travail",
    ),
    "55520000": (
        "catering services",
        "catering",
        "cateringdiensten",
        "Verpflegungsdienste",
        "traiteur",
    ),
    "90910000": (
        "cleaning services",
        "schoonmaakdiensten",
        "Reinigungsdienste",
        "städtjänster",
        "rengøring",
        "services de nettoyage",
    ),
    "09310000": ("electricity", "elektriciteit", "Elektrizität", "elektricitet", "électricité"),
}

_SOURCE_COLUMNS = ("code", "cpv_code", "cpv", "id")
_LANGUAGE_COLUMN = re.compile(r"^(?:label_|name_|title_)?([a-z]{2})$")


def _table_columns(cur: db.Connection, table: str) -> list[str]:
    found = cur.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ?"
        " ORDER BY ordinal_position",
        [table],
    ).fetchall()
    return [name.lower() for (name,) in found]


def _code_column(columns: list[str]) -> str | None:
    return next((name for name in _SOURCE_COLUMNS if name in columns), None)


def _label_columns(columns: list[str], code_column: str) -> list[str]:
    if "label" in columns:
        return ["label"]
    found = [c for c in columns if c != code_column and _LANGUAGE_COLUMN.match(c)]
    # English first: the first label of a code is the one shown in explanations.
    return sorted(found, key=lambda c: not c.endswith("en"))


def table_labels(cur: db.Connection) -> dict[str, list[str]]:
    """Labels per 8-digit code from the imported ``cpv_codes`` table ({} when absent).

    Accepts a wide table (one column per language, named by its code, optionally after
    ``label_``, ``name_`` or ``title_``: ``en``, ``label_de`` ...) or a long one
    (``code``, ``language``, ``label``).
    """
    columns = _table_columns(cur, "cpv_codes")
    code_column = _code_column(columns)
    if code_column is None:
        return {}
    if "labels" in columns:
        return _json_labels(cur, code_column)
    label_columns = _label_columns(columns, code_column)
    if not label_columns:
        return {}
    # Column names come from information_schema and match a fixed pattern, never user text.
    select = ", ".join(f'"{name}"' for name in [code_column, *label_columns])
    labels: dict[str, list[str]] = {}
    for code, *texts in cur.execute(f"SELECT {select} FROM cpv_codes").fetchall():  # nosec B608
        digits = str(code or "")[:8]
        if len(digits) == 8 and digits.isdigit():
            labels.setdefault(digits, []).extend(str(t) for t in texts if t)
    return labels


def _json_labels(cur: db.Connection, code_column: str) -> dict[str, list[str]]:
    """Labels from a JSON ``{language: label}`` column, English first."""
    labels: dict[str, list[str]] = {}
    sql = f'SELECT "{code_column}", labels FROM cpv_codes'  # nosec B608 - name from a fixed list
    for code, raw in cur.execute(sql).fetchall():
        digits = str(code or "")[:8]
        if len(digits) != 8 or not digits.isdigit() or not raw:
            continue
        by_language = json.loads(raw) if isinstance(raw, str) else dict(raw)
        texts = [by_language.get("en") or by_language.get("EN") or ""]
        texts += [str(t) for t in by_language.values() if t]
        labels[digits] = [t for t in dict.fromkeys(texts) if t]
    return labels


def builtin_labels() -> dict[str, list[str]]:
    """The built-in concept list as labels per code."""
    return {code: list(terms) for code, terms in BUILTIN_CONCEPTS.items()}


def labels_source(cur: db.Connection) -> str:
    """A cheap fingerprint of the labels :func:`load_labels` would return."""
    columns = _table_columns(cur, "cpv_codes")
    if _code_column(columns) is None:
        return "builtin"
    count = cur.execute("SELECT count(*) FROM cpv_codes").fetchall()[0][0]
    return f"table:{count}" if count else "builtin"


def load_labels(cur: db.Connection) -> dict[str, list[str]]:
    """Labels per code: the imported list when there is one, else the built-in one."""
    return table_labels(cur) or builtin_labels()
