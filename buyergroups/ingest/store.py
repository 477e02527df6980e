"""SQL that writes imported tenders and CPV codes, inside the loader's transaction.

Two guards sit here, whatever a parser let through: a number that is not
finite (NaN, ±Infinity) is refused before anything is written, so sums and
charts never see one; and a tender whose stored content would not change
(same :func:`content_hash`) is left alone and reported "unchanged".
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from buyergroups import db
from buyergroups.accounts.users import User
from buyergroups.errors import ImportRejected, msg
from buyergroups.ingest import cpv
from buyergroups.ingest.numbers import is_finite, shown_value
from buyergroups.ingest.records import CpvCode, Tender

# Column name and DuckDB type of every tender column the loader writes, in order.
_TENDER_COLUMNS: tuple[tuple[str, str], ...] = (
    ("last_notice_id", "VARCHAR"),
    ("contract_folder_id", "VARCHAR"),
    ("notice_type", "VARCHAR"),
    ("notice_subtype", "VARCHAR"),
    ("published_on", "DATE"),
    ("language", "VARCHAR"),
    ("languages", "VARCHAR[]"),
    ("title", "VARCHAR"),
    ("titles", "VARCHAR"),
    ("description", "VARCHAR"),
    ("buyer_name", "VARCHAR"),
    ("buyer_country", "VARCHAR"),
    ("buyers", "VARCHAR"),
    ("cpv_codes", "VARCHAR[]"),
    ("procedure_type", "VARCHAR"),
    ("estimated_value", "DOUBLE"),
    ("currency", "VARCHAR"),
    ("lot_count", "INTEGER"),
    ("strategic_procurement", "VARCHAR[]"),
    ("environmental_impact", "VARCHAR[]"),
    ("social_objective", "VARCHAR[]"),
    ("innovative_acquisition", "VARCHAR[]"),
    ("gpp_criteria", "VARCHAR[]"),
    ("mvi", "BOOLEAN"),
    ("mvi_themes", "VARCHAR[]"),
    ("mvi_evidence", "VARCHAR"),
    ("raw_release", "VARCHAR"),
    ("raw_hash", "VARCHAR"),
    ("content_hash", "VARCHAR"),
    ("updated_at", "TIMESTAMP"),
    ("updated_by", "INTEGER"),
)
_KEY_COLUMNS = (
    ("source", "VARCHAR"),
    ("source_id", "VARCHAR"),
    ("imported_at", "TIMESTAMP"),
    ("imported_by", "INTEGER"),
)
_INSERT = (
    "INSERT INTO tenders ("
    + ", ".join(name for name, _ in _KEY_COLUMNS + _TENDER_COLUMNS)
    + ") SELECT "
    + ", ".join(f"unnest(?::{kind}[])" for _, kind in _KEY_COLUMNS + _TENDER_COLUMNS)
    + " RETURNING id, source_id"
)
# Built from the fixed column list above, never from input.
_SET_COLUMNS = ", ".join(f"{name} = ?" for name, _ in _TENDER_COLUMNS)
_UPDATE = f"UPDATE tenders SET {_SET_COLUMNS} WHERE id = ?"  # nosec B608


def _content(tender: Tender) -> list[Any]:
    """The values of the tender's row that come from the notice, in column order."""
    return [
        tender.source_id,
        tender.contract_folder_id,
        tender.notice_type,
        tender.notice_subtype,
        tender.published_on,
        tender.language,
        tender.languages,
        tender.title,
        json.dumps(tender.titles, ensure_ascii=False),
        tender.description,
        tender.buyer_name,
        tender.buyer_country,
        json.dumps(
            [{"name": b.name, "country": b.country} for b in tender.buyers], ensure_ascii=False
        ),
        tender.cpv_codes,
        tender.procedure_type,
        tender.estimated_value,
        tender.currency,
        len(tender.lots),
        tender.strategic_procurement,
        tender.environmental_impact,
        tender.social_objective,
        tender.innovative_acquisition,
        tender.gpp_criteria,
        tender.mvi,
        tender.mvi_themes,
        json.dumps([flag.as_dict() for flag in tender.mvi_flags], ensure_ascii=False),
        _release_json(tender),
    ]


def _values(tender: Tender, hashes: tuple[str, str], actor: User | None) -> list[Any]:
    """The row's values in column order; ``hashes`` is (file hash, content hash)."""
    return [*_content(tender), *hashes, db.now(), actor.id if actor else None]


def _release_json(tender: Tender) -> str | None:
    if not tender.raw_release:
        return None
    try:
        # allow_nan=False: a NaN or Infinity anywhere in the release is refused, not stored.
        return json.dumps(tender.raw_release, ensure_ascii=False, allow_nan=False)
    except ValueError as exc:
        raise ImportRejected(
            msg(
                "{source_id}: the release holds a number that is not finite; nothing was stored.",
                source_id=tender.source_id,
            ),
            source=tender.source_id,
        ) from exc


def content_hash(tender: Tender) -> str:
    """sha256 of everything stored for the tender: its row, lots and award criteria.

    Not of the file's bytes: a notice written with other whitespace, or an OCDS
    release whose keys come in another order, stores the same content and hashes alike.
    """
    row = _content(tender)
    if tender.raw_release:
        row[-1] = json.loads(row[-1])  # compared as data, so key order does not count
    lots = [
        [
            lot.lot_id,
            lot.title,
            lot.description,
            lot.cpv_codes,
            lot.estimated_value,
            lot.currency,
            lot.conditions,
            [
                [c.criterion_type, c.name, c.description, c.weight, c.lots_group]
                for c in lot.award_criteria
            ],
        ]
        for lot in tender.lots
    ]
    text = json.dumps([tender.source, row, lots], sort_keys=True, default=str, allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def check_finite(tender: Tender) -> None:
    """ImportRejected when an estimated value or weight of the tender is NaN or infinite."""
    numbers = [("estimated_value", tender.estimated_value)]
    for lot in tender.lots:
        numbers.append((f"lot {lot.lot_id} estimated_value", lot.estimated_value))
        numbers += [
            (f"lot {lot.lot_id} award criterion {n} weight", criterion.weight)
            for n, criterion in enumerate(lot.award_criteria, start=1)
        ]
    for field, value in numbers:
        if not is_finite(value):
            raise ImportRejected(
                msg(
                    "{source_id}: {field} is {value}, not a finite number; nothing was stored.",
                    source_id=tender.source_id,
                    field=field,
                    value=shown_value(value),
                ),
                source=tender.source_id,
            )


def target_key(tender: Tender) -> tuple[str, str]:
    """The (source, source_id) row a tender writes: a change notice writes its original's."""
    return tender.source, tender.changes_notice or tender.source_id


def store_tenders(
    cur: db.Connection, batch: list[tuple[Tender, str]], actor: User | None
) -> list[tuple[str, int]]:
    """Upsert (tender, raw_hash) pairs with their lots in a few set-based statements.

    Keys must be unique within ``batch``. Returns, per tender in order,
    ("imported" | "updated" | "unchanged", tender id): "unchanged" when a newer
    notice set the row, or when the stored content equals the tender's.
    ImportRejected (nothing written) when a number is not finite.
    """
    for tender, _ in batch:
        check_finite(tender)
    hashed = [(tender, (raw_hash, content_hash(tender))) for tender, raw_hash in batch]
    existing = _existing(cur, [target_key(tender) for tender, _ in batch])
    outcomes: list[tuple[str, int] | None] = []
    fresh: list[tuple[int, Tender, tuple[str, str]]] = []
    for position, (tender, hashes) in enumerate(hashed):
        found = existing.get(target_key(tender))
        if found is None:
            outcomes.append(None)
            fresh.append((position, tender, hashes))
        elif _superseded(tender, found) or found["content_hash"] == hashes[1]:
            outcomes.append(("unchanged", found["id"]))
        else:
            cur.execute(_UPDATE, [*_values(tender, hashes, actor), found["id"]])
            outcomes.append(("updated", found["id"]))
    updated_ids = [entry[1] for entry in outcomes if entry and entry[0] == "updated"]
    if updated_ids:
        for table in ("tender_lots", "tender_award_criteria"):
            cur.execute(
                f"DELETE FROM {table} WHERE tender_id IN (SELECT unnest(?::INTEGER[]))",  # nosec B608
                [updated_ids],
            )
    ids = _insert(cur, [(tender, hashes) for _, tender, hashes in fresh], actor)
    for position, tender, _ in fresh:
        outcomes[position] = ("imported", ids[target_key(tender)[1]])
    written = [
        (tender, outcome[1])
        for (tender, _), outcome in zip(batch, outcomes, strict=True)
        if outcome and outcome[0] != "unchanged"
    ]
    _store_lots(cur, written)
    return [outcome for outcome in outcomes if outcome]


def _existing(cur: db.Connection, keys: list[tuple[str, str]]) -> dict[tuple[str, str], dict]:
    sources = sorted({source for source, _ in keys})
    found: dict[tuple[str, str], dict] = {}
    for source in sources:
        for entry in db.rows(
            cur,
            "SELECT id, source, source_id, published_on, last_notice_id, content_hash FROM tenders"
            " WHERE source = ? AND source_id IN (SELECT unnest(?::VARCHAR[]))",
            [source, [key for src, key in keys if src == source]],
        ):
            found[(entry["source"], entry["source_id"])] = entry
    return found


def _insert(
    cur: db.Connection, batch: list[tuple[Tender, tuple[str, str]]], actor: User | None
) -> dict[str, int]:
    if not batch:
        return {}
    now = db.now()
    rows = [
        [tender.source, target_key(tender)[1], now, actor.id if actor else None, *values]
        for tender, hashes in batch
        for values in [_values(tender, hashes, actor)]
    ]
    columns = [list(column) for column in zip(*rows, strict=True)]
    return {
        source_id: tender_id for tender_id, source_id in cur.execute(_INSERT, columns).fetchall()
    }


def _superseded(tender: Tender, existing: dict[str, Any]) -> bool:
    """True when a newer notice (e.g. its change notice) already set the stored row."""
    return bool(
        existing["last_notice_id"] != tender.source_id
        and tender.published_on
        and existing["published_on"]
        and tender.published_on < existing["published_on"]
    )


def _store_lots(cur: db.Connection, written: list[tuple[Tender, int]]) -> None:
    # One statement per table with list parameters: far faster than a row per call.
    lots = [
        (tender_id, position, lot)
        for tender, tender_id in written
        for position, lot in enumerate(tender.lots, start=1)
    ]
    if not lots:
        return
    cur.execute(
        "INSERT INTO tender_lots SELECT unnest(?::INTEGER[]), unnest(?::INTEGER[]),"
        " unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[]),"
        " unnest(?::VARCHAR[][]), unnest(?::DOUBLE[]), unnest(?::VARCHAR[]),"
        " unnest(?::VARCHAR[][])",
        [
            [entry[0] for entry in lots],
            [entry[1] for entry in lots],
            [lot.lot_id for _, _, lot in lots],
            [lot.title for _, _, lot in lots],
            [lot.description for _, _, lot in lots],
            [lot.cpv_codes for _, _, lot in lots],
            [lot.estimated_value for _, _, lot in lots],
            [lot.currency for _, _, lot in lots],
            [lot.conditions for _, _, lot in lots],
        ],
    )
    criteria = [
        (tender_id, lot_position, position, lot.lot_id, criterion)
        for tender_id, lot_position, lot in lots
        for position, criterion in enumerate(lot.award_criteria, start=1)
    ]
    if criteria:
        cur.execute(
            "INSERT INTO tender_award_criteria (tender_id, lot_position, position, lot_id,"
            " criterion_type, name, description, weight, lots_group)"
            " SELECT unnest(?::INTEGER[]), unnest(?::INTEGER[]),"
            " unnest(?::INTEGER[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[]),"
            " unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::DOUBLE[]),"
            " unnest(?::VARCHAR[])",
            [
                [entry[0] for entry in criteria],
                [entry[1] for entry in criteria],
                [entry[2] for entry in criteria],
                [entry[3] for entry in criteria],
                [entry[4].criterion_type for entry in criteria],
                [entry[4].name for entry in criteria],
                [entry[4].description for entry in criteria],
                [entry[4].weight for entry in criteria],
                [entry[4].lots_group for entry in criteria],
            ],
        )


def stored_release(cur: db.Connection, ocid: str) -> dict[str, Any] | None:
    """The merged OCDS release stored for ``ocid``, or None.

    A release stored before NaN and Infinity were refused may hold them; they
    are read as null (absent), so later releases of the process still import.
    """
    raw = db.value(
        cur, "SELECT raw_release FROM tenders WHERE source = 'ocds' AND source_id = ?", [ocid]
    )
    return json.loads(raw, parse_constant=lambda _literal: None) if raw else None


def link(
    cur: db.Connection, tender_ids: list[int], group_id: int, actor: User | None, note: str = ""
) -> int:
    """Link tenders to a group (already linked ones are left alone); returns links added."""
    if not tender_ids:
        return 0
    return db.changed(
        cur,
        "INSERT INTO tender_groups (tender_id, group_id, linked_by, linked_at, note)"
        " SELECT unnest(?::INTEGER[]), ?, ?, ?, ? ON CONFLICT DO NOTHING",
        [tender_ids, group_id, actor.id if actor else None, db.now(), note[:500]],
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


def tender_ids(cur: db.Connection, source: str, source_ids: list[str]) -> dict[str, int]:
    """The stored ids of tenders by their source ids (missing ones left out)."""
    return dict(
        cur.execute(
            "SELECT source_id, id FROM tenders WHERE source = ?"
            " AND source_id IN (SELECT unnest(?::VARCHAR[]))",
            [source, source_ids],
        ).fetchall()
    )
