"""SQL that writes imported tenders and CPV codes, inside the loader's transaction."""

from __future__ import annotations

import json
from typing import Any

from buyergroups import db
from buyergroups.ingest import cpv
from buyergroups.ingest.records import CpvCode, Tender
from buyergroups.users import User

_TENDER_COLUMNS = (
    "last_notice_id", "contract_folder_id", "notice_type", "notice_subtype", "published_on",
    "language", "languages", "title", "titles", "description", "buyer_name", "buyer_country",
    "buyers", "cpv_codes", "procedure_type", "estimated_value", "currency", "lot_count",
    "strategic_procurement", "environmental_impact", "social_objective",
    "innovative_acquisition", "gpp_criteria", "mvi", "mvi_themes", "mvi_evidence",
    "raw_release", "raw_hash", "updated_at", "updated_by",
)  # fmt: skip
_INSERT = (
    "INSERT INTO tenders (source, source_id, imported_at, imported_by, "
    + ", ".join(_TENDER_COLUMNS)
    + ") VALUES (?, ?, ?, ?, "
    + ", ".join("?" for _ in _TENDER_COLUMNS)
    + ") RETURNING id"
)
_UPDATE = "UPDATE tenders SET " + ", ".join(f"{c} = ?" for c in _TENDER_COLUMNS) + " WHERE id = ?"


def _values(tender: Tender, raw_hash: str, actor: User | None) -> list[Any]:
    return [
        tender.source_id, tender.contract_folder_id, tender.notice_type, tender.notice_subtype,
        tender.published_on, tender.language, tender.languages, tender.title,
        json.dumps(tender.titles, ensure_ascii=False), tender.description, tender.buyer_name,
        tender.buyer_country,
        json.dumps([{"name": b.name, "country": b.country} for b in tender.buyers], ensure_ascii=False),
        tender.cpv_codes, tender.procedure_type, tender.estimated_value, tender.currency,
        len(tender.lots), tender.strategic_procurement, tender.environmental_impact,
        tender.social_objective, tender.innovative_acquisition, tender.gpp_criteria,
        tender.mvi, tender.mvi_themes,
        json.dumps([flag.as_dict() for flag in tender.mvi_flags], ensure_ascii=False),
        json.dumps(tender.raw_release, ensure_ascii=False) if tender.raw_release else None,
        raw_hash, db.now(), actor.id if actor else None,
    ]  # fmt: skip


def store_tender(
    cur: db.Connection, tender: Tender, raw_hash: str, actor: User | None
) -> tuple[str, int]:
    """Insert or update one tender with its lots: ("imported" | "updated" | "unchanged", id)."""
    target = tender.changes_notice or tender.source_id
    existing = db.row(
        cur,
        "SELECT id, published_on, last_notice_id FROM tenders WHERE source = ? AND source_id = ?",
        [tender.source, target],
    )
    if existing and _superseded(tender, existing):
        return "unchanged", existing["id"]
    values = _values(tender, raw_hash, actor)
    if existing is None:
        tender_id = db.value(cur, _INSERT, [tender.source, target, db.now(), values[-1], *values])
        outcome = "imported"
    else:
        tender_id = existing["id"]
        cur.execute(_UPDATE, [*values, tender_id])
        cur.execute("DELETE FROM tender_lots WHERE tender_id = ?", [tender_id])
        cur.execute("DELETE FROM tender_award_criteria WHERE tender_id = ?", [tender_id])
        outcome = "updated"
    _store_lots(cur, tender_id, tender)
    return outcome, tender_id


def _superseded(tender: Tender, existing: dict[str, Any]) -> bool:
    """True when a newer notice (e.g. its change notice) already set the stored row."""
    return bool(
        existing["last_notice_id"] != tender.source_id
        and tender.published_on
        and existing["published_on"]
        and tender.published_on < existing["published_on"]
    )


def _store_lots(cur: db.Connection, tender_id: int, tender: Tender) -> None:
    # One statement per table with list parameters: far faster than a row per call.
    if not tender.lots:
        return
    lots = tender.lots
    cur.execute(
        "INSERT INTO tender_lots SELECT ?, unnest(?::INTEGER[]), unnest(?::VARCHAR[]),"
        " unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[][]),"
        " unnest(?::DOUBLE[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[][])",
        [
            tender_id,
            list(range(1, len(lots) + 1)),
            [lot.lot_id for lot in lots],
            [lot.title for lot in lots],
            [lot.description for lot in lots],
            [lot.cpv_codes for lot in lots],
            [lot.estimated_value for lot in lots],
            [lot.currency for lot in lots],
            [lot.conditions for lot in lots],
        ],
    )
    criteria = [
        (lot_position, position, lot.lot_id, criterion)
        for lot_position, lot in enumerate(lots, start=1)
        for position, criterion in enumerate(lot.award_criteria, start=1)
    ]
    if criteria:
        cur.execute(
            "INSERT INTO tender_award_criteria SELECT ?, unnest(?::INTEGER[]),"
            " unnest(?::INTEGER[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[]),"
            " unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::DOUBLE[])",
            [
                tender_id,
                [entry[0] for entry in criteria],
                [entry[1] for entry in criteria],
                [entry[2] for entry in criteria],
                [entry[3].criterion_type for entry in criteria],
                [entry[3].name for entry in criteria],
                [entry[3].description for entry in criteria],
                [entry[3].weight for entry in criteria],
            ],
        )


def stored_release(cur: db.Connection, ocid: str) -> dict[str, Any] | None:
    """The merged OCDS release stored for ``ocid``, or None."""
    raw = db.value(
        cur, "SELECT raw_release FROM tenders WHERE source = 'ocds' AND source_id = ?", [ocid]
    )
    return json.loads(raw) if raw else None


def link(
    cur: db.Connection, tender_id: int, group_id: int, actor: User | None, *, note: str = ""
) -> bool:
    """Link a tender to a group (no-op when linked); True when a link was added."""
    return bool(
        db.changed(
            cur,
            "INSERT INTO tender_groups (tender_id, group_id, linked_by, linked_at, note)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [tender_id, group_id, actor.id if actor else None, db.now(), note[:500]],
        )
    )


def store_cpv_codes(cur: db.Connection, codes: list[CpvCode]) -> tuple[int, int]:
    """Upsert CPV codes in one statement; returns (imported, updated) counts."""
    known = db.value(
        cur,
        "SELECT count(*) FROM cpv_codes WHERE code IN (SELECT unnest(?::VARCHAR[]))",
        [[code.code for code in codes]],
    )
    main = [code.kind == "main" for code in codes]
    cur.execute(
        "INSERT OR REPLACE INTO cpv_codes SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[]),"
        " unnest(?::VARCHAR[]), unnest(?::JSON[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[]),"
        " unnest(?::INTEGER[]), unnest(?::VARCHAR[]), ?",
        [
            [code.code for code in codes],
            [code.check_digit for code in codes],
            [code.kind for code in codes],
            [json.dumps(code.labels, ensure_ascii=False) for code in codes],
            [code.labels.get("en") for code in codes],
            [code.code[:2] if is_main else None for code, is_main in zip(codes, main, strict=True)],
            [cpv.level(c.code) if m else None for c, m in zip(codes, main, strict=True)],
            [cpv.parent(c.code) if m else None for c, m in zip(codes, main, strict=True)],
            db.now(),
        ],
    )
    return len(codes) - int(known), int(known)
