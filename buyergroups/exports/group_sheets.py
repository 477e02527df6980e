"""Spreadsheet exports of a group's work: criteria, dialogue events and linked tenders.

Every export takes ``(conn, actor, group_id)``, checks ``Action.EXPORT`` and
holds only what the actor may see (all items for members, published ones for
others). Functions return bytes for a download button or a file.

Cells go through the one formula guard of :mod:`buyergroups.exports.spreadsheet`;
Word exports live in :mod:`buyergroups.exports.word`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from buyergroups import criteria, db, dialogue, tenders, versioned
from buyergroups.accounts.users import User
from buyergroups.auth import Action, allowed, require, role_of
from buyergroups.domain import AmbitionLevel, CriterionType, DialogueKind, Theme, Visibility
from buyergroups.errors import Message, NotFoundError, msg
from buyergroups.exports.spreadsheet import Column, Table, csv_bytes, xlsx_bytes


def _label(enum: type, code: str | None) -> str:
    try:
        return enum(code).label if code else ""
    except ValueError:
        return code or ""


def _weight(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


# The criteria columns; the spreadsheet import reads the same headers back.
# ``field`` names the criterion field a column fills on import (None: informational).
CRITERIA_FIELDS: dict[str, str | None] = {
    "ID": None,
    "Title": "title",
    "Text": "body",
    "Type": "criterion_type",
    "MVI theme": "theme",
    "Ambition level": "ambition_level",
    "Weight (%)": "weight",
    "Scoring method": "scoring_method",
    "Verification proof": "verification_proof",
    "Verification moment": "verification_moment",
    "Language": "language",
    "CPV codes": "cpv_codes",
    "Status": None,
    "Reused from": None,
}

_CRITERIA_COLUMNS = [
    Column("ID", lambda c: c["id"]),
    Column("Title", lambda c: c["title"]),
    Column("Text", lambda c: c["body"]),
    Column("Type", lambda c: _label(CriterionType, c["criterion_type"])),
    Column("MVI theme", lambda c: _label(Theme, c["theme"])),
    Column("Ambition level", lambda c: _label(AmbitionLevel, c["ambition_level"])),
    Column("Weight (%)", lambda c: _weight(c["weight"])),
    Column("Scoring method", lambda c: c["scoring_method"]),
    Column("Verification proof", lambda c: c["verification_proof"]),
    Column("Verification moment", lambda c: c["verification_moment"]),
    Column("Language", lambda c: c["language"]),
    Column("CPV codes", lambda c: ", ".join(c["cpv_codes"])),
    Column("Status", lambda c: c["status"]),
    Column("Reused from", lambda c: c.get("source_credit") or ""),
]

_DIALOGUE_COLUMNS = [
    Column("ID", lambda e: e["id"]),
    Column("Date", lambda e: e["held_on"].isoformat()),
    Column("Kind", lambda e: _label(DialogueKind, e["kind"])),
    Column("Title", lambda e: e["title"]),
    Column("Participants", lambda e: "; ".join(e["participants"])),
    Column("Notes", lambda e: e["notes"]),
    Column("Takeaways", lambda e: e["takeaways"]),
    Column("Language", lambda e: e["language"]),
    Column("Visibility", lambda e: _label(Visibility, e["visibility"])),
]

_TENDER_COLUMNS = [
    Column("ID", lambda t: t["id"]),
    Column("Source", lambda t: t["source"]),
    Column("Source ID", lambda t: t["source_id"]),
    Column("Title", lambda t: t["title"]),
    Column("Buyer", lambda t: t["buyer_name"]),
    Column("Country", lambda t: t["buyer_country"]),
    Column("Published on", lambda t: t["published_on"].isoformat() if t["published_on"] else ""),
    Column("CPV codes", lambda t: ", ".join(t["cpv_codes"] or [])),
    Column("Procedure", lambda t: t["procedure_type"]),
    Column("Estimated value", lambda t: t["estimated_value"]),
    Column("Currency", lambda t: t["currency"]),
    Column("Lots", lambda t: t["lot_count"]),
    Column("MVI", lambda t: "yes" if t["mvi"] else "no"),
    Column("MVI themes", lambda t: ", ".join(_label(Theme, x) for x in t["mvi_themes"] or [])),
    Column("Note", lambda t: t["note"]),
]


def _table(columns: Sequence[Column], records: list[dict[str, Any]]) -> Table:
    return Table(
        [c.header for c in columns], [[c.cell(record) for c in columns] for record in records]
    )


def require_export(conn: db.Connection, actor: User | None, group_id: int) -> None:
    """Refuse signed-out users; everyone signed in may export what they may see."""
    with db.reading(conn) as cur:
        require(cur, actor, Action.EXPORT, group_id, published=True)


def source_credit(cur: db.Connection, actor: User, derived_from: int | None) -> Message | None:
    """The credit line of a reused criterion ("Reused from “title” of group …"), else None.

    The source's title is named only when the actor may read that criterion. The line is a
    message: English in the spreadsheets, the reader's language in the Word export.
    """
    if derived_from is None:
        return None
    try:
        source = versioned.fetch(cur, criteria.KIND, derived_from, deleted=True)
    except NotFoundError:
        return msg("Reused from a criterion that no longer exists.")
    group = db.value(cur, "SELECT name FROM buyer_groups WHERE id = ?", [source["group_id"]])
    published = source["visibility"] == Visibility.PUBLISHED.value
    if allowed(role_of(cur, actor, source["group_id"]), Action.READ, published=published):
        return msg("Reused from “{title}” of group {group}.", title=source["title"], group=group)
    return msg("Reused from a criterion of group {group}.", group=group)


def visible_criteria(conn: db.Connection, actor: User, group_id: int) -> list[dict[str, Any]]:
    """The group's criteria the actor may export, each with its ``source_credit``."""
    require_export(conn, actor, group_id)
    found = criteria.list_criteria(conn, actor, group_id)
    with db.reading(conn) as cur:
        return [{**c, "source_credit": source_credit(cur, actor, c["derived_from"])} for c in found]


def criteria_table(conn: db.Connection, actor: User, group_id: int) -> Table:
    """The group's visible criteria as rows with :data:`CRITERIA_FIELDS` headers."""
    return _table(_CRITERIA_COLUMNS, visible_criteria(conn, actor, group_id))


def dialogue_table(conn: db.Connection, actor: User, group_id: int) -> Table:
    """The group's visible market-dialogue events, newest first."""
    require_export(conn, actor, group_id)
    return _table(_DIALOGUE_COLUMNS, dialogue.list_events(conn, actor, group_id))


def tenders_table(conn: db.Connection, actor: User, group_id: int) -> Table:
    """The tenders linked to the group (members: the links say who applies the criteria)."""
    require_export(conn, actor, group_id)
    return _table(_TENDER_COLUMNS, tenders.group_tenders(conn, actor, group_id))


def criteria_xlsx(conn: db.Connection, actor: User, group_id: int) -> bytes:
    """The group's visible criteria as an Excel workbook (re-importable)."""
    return xlsx_bytes({"Criteria": criteria_table(conn, actor, group_id)})


def criteria_csv(conn: db.Connection, actor: User, group_id: int) -> bytes:
    """The group's visible criteria as CSV (re-importable)."""
    return csv_bytes(criteria_table(conn, actor, group_id))


def dialogue_xlsx(conn: db.Connection, actor: User, group_id: int) -> bytes:
    """The group's visible market-dialogue events as an Excel workbook."""
    return xlsx_bytes({"Market dialogue": dialogue_table(conn, actor, group_id)})


def dialogue_csv(conn: db.Connection, actor: User, group_id: int) -> bytes:
    """The group's visible market-dialogue events as CSV."""
    return csv_bytes(dialogue_table(conn, actor, group_id))


def tenders_xlsx(conn: db.Connection, actor: User, group_id: int) -> bytes:
    """The tenders linked to the group as an Excel workbook."""
    return xlsx_bytes({"Tenders": tenders_table(conn, actor, group_id)})


def tenders_csv(conn: db.Connection, actor: User, group_id: int) -> bytes:
    """The tenders linked to the group as CSV."""
    return csv_bytes(tenders_table(conn, actor, group_id))
