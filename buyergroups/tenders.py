"""Imported tenders: search and filter, detail, links to buyer groups, export.

Tenders are public data: any signed-in user may search and read them. Linking
a tender to a group (a member's tender implementing the joint criteria) needs
``Action.EDIT`` on that group; reading a group's linked tenders needs READ.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any, TextIO

from buyergroups import activity, auth, db
from buyergroups.accounts.users import User
from buyergroups.errors import NotFoundError, ValidationError, msg
from buyergroups.exports.spreadsheet import write_csv
from buyergroups.ingest import cpv, store
from buyergroups.procurements import procurement_detail, winners_by_procurement

EXPORT_FIELDS = (
    "source",
    "source_id",
    "title",
    "description",
    "language",
    "buyer_name",
    "buyer_country",
    "cpv_codes",
    "procedure_type",
    "estimated_value",
    "currency",
    "lots",
    "award_criteria",
    "strategic_procurement",
    "environmental_impact",
    "social_objective",
    "innovative_acquisition",
    "gpp_criteria",
    "mvi",
    "mvi_themes",
    "procedure_id",
    "awarded_value",
    "awarded_currency",
    "tenders_received",
    "lots_awarded",
    "winners",
)
_LIST_FIELDS = (
    "cpv_codes",
    "strategic_procurement",
    "environmental_impact",
    "social_objective",
    "innovative_acquisition",
    "gpp_criteria",
    "mvi_themes",
    "winners",
)
_SUMMARY_COLUMNS = (
    "t.id, t.source, t.source_id, t.title, t.buyer_name, t.buyer_country, t.published_on,"
    " t.cpv_codes, t.procedure_type, t.estimated_value, t.currency, t.lot_count, t.mvi,"
    " t.mvi_themes, t.notice_type, t.procedure_id, t.awarded_value, t.awarded_currency,"
    " t.lots_awarded"
)


@dataclass(frozen=True)
class TenderFilter:
    """Search criteria; every field is optional."""

    text: str = ""
    country: str | None = None
    cpv_prefix: str = ""
    procedure_type: str | None = None
    theme: str | None = None
    mvi_only: bool = False
    published_from: date | None = None
    published_to: date | None = None
    value_min: float | None = None
    value_max: float | None = None
    source: str | None = None


def _cpv_prefix(raw: str) -> str:
    digits = "".join(ch for ch in raw.split("-")[0] if ch.isdigit())
    if raw.strip() and (not digits or len(digits) > 8):
        raise ValidationError(
            msg("CPV {value} is not a code or code prefix.", value=repr(raw)), field="cpv_prefix"
        )
    return cpv.significant(digits) if len(digits) == 8 else digits


def _where(criteria: TenderFilter) -> tuple[str, list[Any]]:
    where, params = ["TRUE"], []
    simple = (
        ("t.buyer_country = ?", criteria.country),
        ("t.procedure_type = ?", criteria.procedure_type),
        ("list_contains(t.mvi_themes, ?)", criteria.theme),
        ("t.published_on >= ?", criteria.published_from),
        ("t.published_on <= ?", criteria.published_to),
        ("t.estimated_value >= ?", criteria.value_min),
        ("t.estimated_value <= ?", criteria.value_max),
        ("t.source = ?", criteria.source),
    )
    for fragment, param in simple:
        if param not in (None, ""):
            where.append(fragment)
            params.append(param)
    if criteria.mvi_only:
        where.append("t.mvi")
    prefix = _cpv_prefix(criteria.cpv_prefix)
    if prefix:
        where.append(
            "EXISTS (SELECT 1 FROM unnest(t.cpv_codes) AS u(code) WHERE starts_with(code, ?))"
        )
        params.append(prefix)
    text = criteria.text.strip().lower()
    if text:
        where.append(
            "(contains(lower(t.title), ?) OR contains(lower(t.description), ?)"
            " OR contains(lower(coalesce(t.buyer_name, '')), ?) OR t.source_id = ?"
            " OR t.procedure_id = ? OR EXISTS (SELECT 1 FROM tender_notices n"
            " WHERE n.tender_id = t.id AND n.notice_id = ?))"
        )
        params += [text, text, text, *[criteria.text.strip()] * 3]
    return " AND ".join(where), params


PAGE_SIZE = 200


def search(
    conn: db.Connection,
    actor: User | None,
    criteria: TenderFilter,
    *,
    limit: int = PAGE_SIZE,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Tenders matching the filter, newest first (at most ``limit``, after ``offset``)."""
    auth.require_signed_in(actor)
    where, params = _where(criteria)
    with db.reading(conn) as cur:
        return db.rows(
            cur,
            f"SELECT {_SUMMARY_COLUMNS} FROM tenders t WHERE {where}"  # nosec B608
            " ORDER BY t.published_on DESC NULLS LAST, t.id DESC LIMIT ? OFFSET ?",
            [*params, limit, max(0, offset)],
        )


def count(conn: db.Connection, actor: User | None, criteria: TenderFilter) -> int:
    """How many tenders match the filter (all of them, not only a page)."""
    auth.require_signed_in(actor)
    where, params = _where(criteria)
    with db.reading(conn) as cur:
        return int(
            db.value(cur, f"SELECT count(*) FROM tenders t WHERE {where}", params)  # nosec B608
        )


def filter_options(conn: db.Connection, actor: User | None) -> dict[str, list[str]]:
    """The countries, procedure types and sources present, for filter widgets."""
    auth.require_signed_in(actor)
    with db.reading(conn) as cur:
        options = {}
        for column in ("buyer_country", "procedure_type", "source"):
            options[column] = [
                entry
                for (entry,) in cur.execute(
                    f"SELECT DISTINCT {column} FROM tenders"  # nosec B608
                    f" WHERE {column} IS NOT NULL ORDER BY 1"
                ).fetchall()
            ]
        return options


def detail(conn: db.Connection, actor: User | None, tender_id: int) -> dict[str, Any]:
    """One procurement with lots, award criteria per lot, MVI evidence, its life cycle and award
    results (:func:`buyergroups.procurements.procurement_detail`) and the groups it is linked to."""
    auth.require_signed_in(actor)
    with db.reading(conn) as cur:
        tender = db.row(cur, "SELECT * FROM tenders WHERE id = ?", [tender_id])
        if tender is not None:
            tender.pop("raw_release")
        if tender is None:
            raise NotFoundError(msg("There is no tender {tender_id}.", tender_id=tender_id))
        for key in ("titles", "buyers", "mvi_evidence"):
            tender[key] = (
                json.loads(tender[key]) if tender[key] else ([] if key != "titles" else {})
            )
        lots = db.rows(
            cur, "SELECT * FROM tender_lots WHERE tender_id = ? ORDER BY position", [tender_id]
        )
        criteria = db.rows(
            cur,
            "SELECT * FROM tender_award_criteria WHERE tender_id = ?"
            " ORDER BY lot_position, position",
            [tender_id],
        )
        for lot in lots:
            lot["award_criteria"] = [c for c in criteria if c["lot_position"] == lot["position"]]
        tender["lots"] = lots
        tender.update(procurement_detail(cur, tender))
        tender["groups"] = _linked_groups(cur, actor, tender_id)
        tender["cpv_labels"] = cpv_labels(
            cur, tender["cpv_codes"], actor.language if actor else "en"
        )
        return tender


def _linked_groups(cur: db.Connection, actor: User | None, tender_id: int) -> list[dict[str, Any]]:
    readable = auth.member_group_ids(cur, actor)
    found = db.rows(
        cur,
        "SELECT g.id, g.name, tg.note, tg.linked_at FROM tender_groups tg"
        " JOIN buyer_groups g ON g.id = tg.group_id WHERE tg.tender_id = ?"
        " AND g.deleted_at IS NULL ORDER BY g.name",
        [tender_id],
    )
    return [entry for entry in found if readable is None or entry["id"] in readable]


def cpv_labels(cur: db.Connection, codes: list[str], language: str = "en") -> dict[str, str]:
    """Labels of the given codes in ``language`` (English when missing; absent when unknown)."""
    if not codes:
        return {}
    found = cur.execute(
        "SELECT code, coalesce(labels ->> ?, label_en) FROM cpv_codes"
        " WHERE code IN (SELECT unnest(?::VARCHAR[]))",
        [language, codes],
    ).fetchall()
    return {code: label for code, label in found if label}


def linkable_groups(conn: db.Connection, actor: User | None) -> list[dict[str, Any]]:
    """Groups the actor may link tenders to (those where they may edit), by name."""
    return auth.groups_allowing(conn, actor, auth.Action.EDIT)


def link(
    conn: db.Connection, actor: User | None, tender_id: int, group_id: int, note: str = ""
) -> bool:
    """Link a tender to a group (Action.EDIT on the group); False when already linked."""
    with db.transaction(conn) as cur:
        auth.require(cur, actor, auth.Action.EDIT, group_id)
        title = db.value(cur, "SELECT title FROM tenders WHERE id = ?", [tender_id])
        if title is None:
            raise NotFoundError(msg("There is no tender {tender_id}.", tender_id=tender_id))
        added = store.link(cur, [tender_id], group_id, actor, note.strip()) > 0
        if added:
            activity.record(
                cur, actor, "link", "tender", tender_id, group_id=group_id, summary=title
            )
        return added


def unlink(conn: db.Connection, actor: User | None, tender_id: int, group_id: int) -> bool:
    """Remove a tender's link to a group (Action.EDIT on the group); False when not linked."""
    with db.transaction(conn) as cur:
        auth.require(cur, actor, auth.Action.EDIT, group_id)
        removed = db.changed(
            cur,
            "DELETE FROM tender_groups WHERE tender_id = ? AND group_id = ?",
            [tender_id, group_id],
        )
        if removed:
            activity.record(cur, actor, "unlink", "tender", tender_id, group_id=group_id)
        return bool(removed)


def group_tenders(conn: db.Connection, actor: User | None, group_id: int) -> list[dict[str, Any]]:
    """The tenders linked to a group (READ on the group), newest first."""
    with db.reading(conn) as cur:
        auth.require(cur, actor, auth.Action.READ, group_id)
        return db.rows(
            cur,
            f"SELECT {_SUMMARY_COLUMNS}, tg.note, tg.linked_at FROM tender_groups tg"  # nosec B608
            " JOIN tenders t ON t.id = tg.tender_id WHERE tg.group_id = ?"
            " ORDER BY t.published_on DESC NULLS LAST, t.id DESC",
            [group_id],
        )


def export_records(conn: db.Connection) -> list[dict[str, Any]]:
    """One dict per tender with exactly :data:`EXPORT_FIELDS`, by source and id."""
    with db.reading(conn) as cur:
        found = db.rows(
            cur,
            "SELECT t.source, t.source_id, t.title, t.description, t.language, t.buyer_name,"
            " t.buyer_country, t.cpv_codes, t.procedure_type, t.estimated_value, t.currency,"
            " t.lot_count AS lots, t.strategic_procurement,"
            " t.environmental_impact, t.social_objective, t.innovative_acquisition,"
            " t.gpp_criteria, t.mvi, t.mvi_themes, t.procedure_id, t.awarded_value,"
            " t.awarded_currency, t.tenders_received, t.lots_awarded, t.id"
            " FROM tenders t ORDER BY t.source, t.source_id",
        )
        winners = winners_by_procurement(cur)
        criteria = _award_criteria_by_procurement(cur)
    for record in found:
        record["award_criteria"] = criteria.get(record["id"], [])
        record["winners"] = winners.get(record["id"], [])
    return [{name: record[name] for name in EXPORT_FIELDS} for record in found]


def _award_criteria_by_procurement(cur: db.Connection) -> dict[int, list[dict[str, Any]]]:
    """Every procurement's award criteria, lot by lot, in their order (for the export)."""
    found: dict[int, list[dict[str, Any]]] = {}
    for tender_id, lot, kind, name, weight, lots_group in cur.execute(
        "SELECT tender_id, lot_id, criterion_type, name, weight, lots_group"
        " FROM tender_award_criteria ORDER BY tender_id, lot_position, position"
    ).fetchall():
        found.setdefault(tender_id, []).append(
            {"lot": lot, "type": kind, "name": name, "weight": weight, "lots_group": lots_group}
        )
    return found


def export_tenders(conn: db.Connection, fmt: str, out: TextIO) -> int:
    """Write every tender as JSON Lines or CSV to ``out``; returns the number written.

    CSV cells that a spreadsheet would run as a formula get a leading apostrophe
    (:func:`~buyergroups.exports.spreadsheet.protect_cell`); JSON Lines is raw.
    """
    if fmt not in ("jsonl", "csv"):
        raise ValidationError(
            msg("Export format must be jsonl or csv, not {format}.", format=repr(fmt)),
            field="format",
        )
    records = export_records(conn)
    if fmt == "jsonl":
        # JSON Lines is read by programs, not opened as cells: values stay exactly as stored
        # (an apostrophe before "=..." would be data corruption there, and no spreadsheet runs
        # a JSON string as a formula).
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        return len(records)
    # CSV is what a spreadsheet opens: the one writer guards every cell against formulas.
    return write_csv(
        out,
        EXPORT_FIELDS,
        (_csv_row(record) for record in records),
        line_end="\n",
    )


def _csv_row(record: dict[str, Any]) -> list[Any]:
    row = dict(record)
    for name in _LIST_FIELDS:
        row[name] = ";".join(row[name])
    row["award_criteria"] = json.dumps(row["award_criteria"], ensure_ascii=False)
    row["mvi"] = "true" if row["mvi"] else "false"
    return [row[name] for name in EXPORT_FIELDS]
