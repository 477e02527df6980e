"""SQL for a procurement's life cycle (``tender_notices``) and its composed award results.

Runs inside the loader's transaction. A notice is stored once per
(source, notice id): importing it again updates its row. The composed results
(:func:`buyergroups.ingest.procedures.compose_results`) go to the tenders row's
result columns and to ``tender_lot_results`` / ``tender_winners``, replacing
what was there.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from buyergroups import db
from buyergroups.ingest.procedures import Composite, NoticeMeta, results_from_json, results_json
from buyergroups.ingest.records import LotResult, NoticeResults, Tender, Winner


def _notice_rows(tender_id: int, tender: Tender) -> list[list[Any]]:
    """The tender_notices rows a parsed tender brings: itself, or its OCDS releases."""
    if tender.releases:
        return [
            [
                tender_id,
                tender.source,
                ref.release_id,
                ",".join(ref.tags) or None,
                None,
                ref.published_on,
                None,
                None,
                None,
            ]
            for ref in tender.releases
        ]
    return [
        [
            tender_id,
            tender.source,
            tender.source_id,
            tender.notice_type,
            tender.notice_subtype,
            tender.published_on,
            tender.changes_notice,
            tender.buyer_national_id,
            results_json(tender.results) if tender.source != "ocds" else None,
        ]
    ]


def add_notices(cur: db.Connection, written: list[tuple[int, Tender]]) -> None:
    """Store (or update) the notices of each (tender id, parsed tender) in one statement."""
    rows = {(row[1], row[2]): row for tid, tender in written for row in _notice_rows(tid, tender)}
    if not rows:
        return
    columns = [list(column) for column in zip(*rows.values(), strict=True)]
    cur.execute(
        "INSERT INTO tender_notices (tender_id, source, notice_id, notice_type, notice_subtype,"
        " published_on, changes_notice_id, buyer_national_id, results, imported_at)"
        " SELECT unnest(?::INTEGER[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[]),"
        " unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::DATE[]), unnest(?::VARCHAR[]),"
        " unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), ?"
        " ON CONFLICT (source, notice_id) DO UPDATE SET tender_id = excluded.tender_id,"
        " notice_type = excluded.notice_type, notice_subtype = excluded.notice_subtype,"
        " published_on = excluded.published_on, changes_notice_id = excluded.changes_notice_id,"
        " buyer_national_id = excluded.buyer_national_id, results = excluded.results,"
        " imported_at = excluded.imported_at",
        [*columns, db.now()],
    )


def procurement_of_notices(
    cur: db.Connection, source: str, notice_ids: list[str]
) -> dict[str, int]:
    """The procurement each stored notice belongs to (notices not stored are left out)."""
    if not notice_ids:
        return {}
    return dict(
        cur.execute(
            "SELECT notice_id, tender_id FROM tender_notices WHERE source = ?"
            " AND notice_id IN (SELECT unnest(?::VARCHAR[]))",
            [source, notice_ids],
        ).fetchall()
    )


def stored_notices(
    cur: db.Connection, tender_ids: list[int]
) -> dict[int, list[tuple[NoticeMeta, NoticeResults | None]]]:
    """Every notice of these procurements with its own results, per procurement."""
    found: dict[int, list[tuple[NoticeMeta, NoticeResults | None]]] = {
        tender_id: [] for tender_id in tender_ids
    }
    if not tender_ids:
        return found
    for row in cur.execute(
        "SELECT tender_id, notice_id, notice_type, published_on, changes_notice_id,"
        " buyer_national_id, results FROM tender_notices"
        " WHERE tender_id IN (SELECT unnest(?::INTEGER[]))"
        " ORDER BY tender_id, published_on NULLS FIRST, notice_id",
        [tender_ids],
    ).fetchall():
        found[row[0]].append((NoticeMeta(*row[1:6]), results_from_json(row[6])))
    return found


_RESULT_COLUMNS = (
    ("notice_total_value", "DOUBLE"),
    ("notice_total_currency", "VARCHAR"),
    ("awarded_value", "DOUBLE"),
    ("awarded_currency", "VARCHAR"),
    ("tenders_received", "INTEGER"),
    ("lots_awarded", "INTEGER"),
    ("awarded_on", "DATE"),
)
# Built from the fixed column list above, never from input.
_UPDATE_RESULTS = (
    "UPDATE tenders SET "  # nosec B608
    + ", ".join(f"{name} = r.{name}" for name, _ in _RESULT_COLUMNS)
    + " FROM (SELECT unnest(?::INTEGER[]) AS id, "
    + ", ".join(f"unnest(?::{kind}[]) AS {name}" for name, kind in _RESULT_COLUMNS)
    + ") AS r WHERE tenders.id = r.id"
)


def canonical(composite: Composite) -> Composite:
    """The composite with its lots in lot id order, as :func:`stored_composites` reads them."""
    return replace(composite, lots=sorted(composite.lots, key=lambda lot: lot.lot_id))


def stored_composites(cur: db.Connection, tender_ids: list[int]) -> dict[int, Composite]:
    """The results stored for each procurement, as composites (lots in lot id order)."""
    if not tender_ids:
        return {}
    names = [name for name, _ in _RESULT_COLUMNS]
    winners: dict[tuple[int, str], list[Winner]] = {}
    for tender_id, lot_id, name, country, identifier, sme in cur.execute(
        "SELECT tender_id, lot_id, name, country, org_identifier, sme FROM tender_winners"
        " WHERE tender_id IN (SELECT unnest(?::INTEGER[])) ORDER BY tender_id, lot_id, position",
        [tender_ids],
    ).fetchall():
        winners.setdefault((tender_id, lot_id), []).append(Winner(name, country, identifier, sme))
    lots: dict[int, list[LotResult]] = {}
    for tender_id, lot_id, code, value, currency, received in cur.execute(
        "SELECT tender_id, lot_id, result_code, awarded_value, currency, tenders_received"
        " FROM tender_lot_results WHERE tender_id IN (SELECT unnest(?::INTEGER[]))"
        " ORDER BY tender_id, lot_id",
        [tender_ids],
    ).fetchall():
        lots.setdefault(tender_id, []).append(
            LotResult(lot_id, code, value, currency, received, winners.get((tender_id, lot_id), []))
        )
    return {
        tender_id: Composite(lots=lots.get(tender_id, []), **dict(zip(names, rest, strict=True)))
        for tender_id, *rest in cur.execute(
            f"SELECT id, {', '.join(names)} FROM tenders"  # nosec B608 - fixed names
            " WHERE id IN (SELECT unnest(?::INTEGER[]))",
            [tender_ids],
        ).fetchall()
    }


def write_results(cur: db.Connection, composed: list[tuple[int, Composite]]) -> None:
    """Replace the result columns, lot results and winners of each (tender id, composite)."""
    if not composed:
        return
    ids = [tender_id for tender_id, _ in composed]
    cur.execute(
        _UPDATE_RESULTS,
        [ids, *([getattr(c, name) for _, c in composed] for name, _ in _RESULT_COLUMNS)],
    )
    for table in ("tender_lot_results", "tender_winners"):
        cur.execute(
            f"DELETE FROM {table} WHERE tender_id IN (SELECT unnest(?::INTEGER[]))",  # nosec B608
            [ids],
        )
    lots = [(tender_id, lot) for tender_id, c in composed for lot in c.lots]
    if lots:
        cur.execute(
            "INSERT INTO tender_lot_results (tender_id, lot_id, result_code, awarded_value,"
            " currency, tenders_received) SELECT unnest(?::INTEGER[]), unnest(?::VARCHAR[]),"
            " unnest(?::VARCHAR[]), unnest(?::DOUBLE[]), unnest(?::VARCHAR[]),"
            " unnest(?::INTEGER[])",
            [
                [tender_id for tender_id, _ in lots],
                [lot.lot_id for _, lot in lots],
                [lot.result_code for _, lot in lots],
                [lot.awarded_value for _, lot in lots],
                [lot.currency for _, lot in lots],
                [lot.tenders_received for _, lot in lots],
            ],
        )
    winners = [
        (tender_id, lot.lot_id, position, winner)
        for tender_id, lot in lots
        for position, winner in enumerate(lot.winners, start=1)
    ]
    if winners:
        cur.execute(
            "INSERT INTO tender_winners (tender_id, lot_id, position, name, country,"
            " org_identifier, sme) SELECT unnest(?::INTEGER[]), unnest(?::VARCHAR[]),"
            " unnest(?::INTEGER[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[]),"
            " unnest(?::VARCHAR[]), unnest(?::BOOLEAN[])",
            [
                [entry[0] for entry in winners],
                [entry[1] for entry in winners],
                [entry[2] for entry in winners],
                [entry[3].name for entry in winners],
                [entry[3].country for entry in winners],
                [entry[3].org_identifier for entry in winners],
                [entry[3].sme for entry in winners],
            ],
        )
