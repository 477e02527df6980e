"""SQL that writes imported tenders and CPV codes, inside the loader's transaction.

Each notice joins the procurement of its procedure (one tenders row per
(source, procedure_id), its id stable); :mod:`buyergroups.ingest.procedures`
decides what the procurement shows, :mod:`buyergroups.ingest.notices` stores
its life cycle and composed results, :mod:`buyergroups.ingest.rows` builds the
row (refusing numbers that are not finite). A notice that would change nothing
stored (same content hash, same results) is left alone and reported "unchanged".
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from buyergroups import db, organisations
from buyergroups.accounts.users import User
from buyergroups.ingest import cpv, notices
from buyergroups.ingest.procedures import (
    Composite,
    NoticeMeta,
    buyer_number,
    compose_results,
    describing_notice,
    original_of,
)
from buyergroups.ingest.records import CpvCode, NoticeResults, Tender
from buyergroups.ingest.rows import TENDER_COLUMNS, check_finite, content, content_hash

_KEY_COLUMNS = (
    ("source", "VARCHAR"),
    ("procedure_id", "VARCHAR"),
    ("imported_at", "TIMESTAMP"),
    ("imported_by", "INTEGER"),
)
_INSERTED = (*_KEY_COLUMNS, *TENDER_COLUMNS, ("source_id", "VARCHAR"))
_INSERT = (
    "INSERT INTO tenders ("
    + ", ".join(name for name, _ in _INSERTED)
    + ") SELECT "
    + ", ".join(f"unnest(?::{kind}[])" for _, kind in _INSERTED)
    + " RETURNING id, source, procedure_id"
)
# Built from the fixed column list, never from input: one statement rewrites every
# procurement a batch redescribes.
_UPDATE = (
    "UPDATE tenders SET "  # nosec B608
    + ", ".join(f"{name} = n.{name}" for name, _ in TENDER_COLUMNS)
    + " FROM (SELECT unnest(?::INTEGER[]) AS id, "
    + ", ".join(f"unnest(?::{kind}[]) AS {name}" for name, kind in TENDER_COLUMNS)
    + ") AS n WHERE tenders.id = n.id"
)


def _values(tender: Tender, hashes: tuple[str, str], actor: User | None) -> list[Any]:
    """The row's values in column order; ``hashes`` is (file hash, content hash)."""
    return [*content(tender), *hashes, db.now(), actor.id if actor else None]


def target_key(tender: Tender) -> tuple[str, str]:
    """The procurement a notice joins: (source, procedure), see ``Tender.procedure_key``."""
    return tender.source, tender.procedure_key


@dataclass
class _Stored:
    """A stored procurement as the join sees it, kept current while a batch is stored."""

    id: int
    source_id: str
    content_hash: str | None
    buyer_national_id: str | None
    notices: list[tuple[NoticeMeta, NoticeResults | None]] = field(default_factory=list)
    renamed: bool = False  # source_id or buyer_national_id to write at the end of the batch


@dataclass
class _Writes:
    """What a batch writes once at its end, set-based: notices, names and results."""

    notices: list[tuple[int, Tender]] = field(default_factory=list)
    results: dict[int, Composite] = field(default_factory=dict)
    # Procurements redescribed by a notice: the row's values and the notice (the last wins).
    described: dict[int, tuple[list[Any], Tender]] = field(default_factory=dict)
    # The results stored before the batch, of the OCDS processes it joins.
    stored_results: dict[int, Composite] = field(default_factory=dict)


def store_tenders(
    cur: db.Connection, batch: list[tuple[Tender, str]], actor: User | None
) -> list[tuple[str, int]]:
    """Store (tender, raw_hash) pairs: each notice joins its procedure's procurement.

    A procedure not stored yet becomes a new procurement, and the notices of
    stored ones join theirs (:func:`_join`); notices, names and results of the
    whole batch are written in a few set-based statements at the end. Returns,
    per tender in order, ("imported" | "updated" | "unchanged", procurement id):
    "unchanged" when the notice changed neither the description nor the results
    (the same notice again, or one older than its change). ImportRejected
    (nothing written) when a number is not finite. The buyers of the
    procurements are matched to organisations.
    """
    for tender, _ in batch:
        check_finite(tender)
    hashed = [(tender, (raw_hash, content_hash(tender))) for tender, raw_hash in batch]
    keys = [target_key(tender) for tender, _ in batch]
    stored = _existing(cur, batch, keys)
    outcomes: list[tuple[str, int] | None] = [None] * len(batch)
    fresh: dict[tuple[str, str], int] = {}
    for position, key in enumerate(keys):
        if key not in stored and key not in fresh:
            fresh[key] = position
    ids = _insert(cur, [hashed[position] for position in fresh.values()], actor)
    writes = _Writes()
    for key, position in fresh.items():
        tender, hashes = hashed[position]
        outcomes[position] = ("imported", ids[key])
        writes.notices.append((ids[key], tender))
        if tender.results:
            writes.results[ids[key]] = _alone(tender)
        stored[key] = _Stored(
            ids[key],
            tender.changes_notice or tender.source_id,
            hashes[1],
            tender.buyer_national_id,
            [(_meta(tender), tender.results if tender.source != "ocds" else None)],
        )
    _store_lots(cur, writes.notices)
    joining = [position for position, outcome in enumerate(outcomes) if outcome is None]
    writes.stored_results = notices.stored_composites(
        cur,
        sorted({stored[keys[p]].id for p in joining if hashed[p][0].source == "ocds"}),
    )
    for position in joining:
        tender, hashes = hashed[position]
        row = stored[keys[position]]
        outcomes[position] = (_join(tender, hashes, row, actor, writes), row.id)
    _redescribe(cur, writes.described)
    notices.add_notices(cur, writes.notices)
    _rename(cur, [row for row in stored.values() if row.renamed])
    notices.write_results(cur, list(writes.results.items()))
    organisations.match_procurements(cur, sorted({tender_id for _, tender_id in outcomes}))
    return outcomes


def _meta(tender: Tender) -> NoticeMeta:
    return NoticeMeta(
        tender.source_id,
        tender.notice_type,
        tender.published_on,
        tender.changes_notice,
        tender.buyer_national_id,
    )


def _alone(tender: Tender) -> Composite:
    """The results of a procurement that is this notice (or this merged OCDS process) alone."""
    return compose_results([(_meta(tender), tender.results)])


def _join(
    tender: Tender,
    hashes: tuple[str, str],
    row: _Stored,
    actor: User | None,
    writes: _Writes,
) -> str:
    """Add a notice to a stored procurement; "updated" when it changed what the procurement shows.

    The notice rewrites the description when it is (now) the describing notice
    (an OCDS process always is: its release was merged with the stored one) and
    its content differs from what is stored (the row is rewritten at the end of
    the batch, :func:`_redescribe`). The results are composed again from every
    notice; when they differ they join ``writes``, as the notice does.
    """
    before = row.notices
    row.notices = [entry for entry in before if entry[0].notice_id != tender.source_id]
    row.notices.append((_meta(tender), tender.results if tender.source != "ocds" else None))
    writes.notices.append((row.id, tender))
    metas = [meta for meta, _ in row.notices]
    describing = describing_notice(metas, tender.source)
    updated = False
    if (tender.source == "ocds" or describing.notice_id == tender.source_id) and (
        row.content_hash != hashes[1]
    ):
        writes.described[row.id] = (_values(tender, hashes, actor), tender)
        row.content_hash, row.buyer_national_id = hashes[1], tender.buyer_national_id
        updated = True
    if tender.source != "ocds":
        # Known by the original of its describing notice; the buyer's number lent if need be.
        original, number = original_of(describing, metas), buyer_number(describing, metas)
        if (original, number) != (row.source_id, row.buyer_national_id):
            updated |= original != row.source_id
            row.source_id, row.buyer_national_id, row.renamed = original, number, True
    if tender.source == "ocds":
        composite, previous = _alone(tender), writes.stored_results[row.id]
    else:
        composite, previous = compose_results(row.notices), compose_results(before)
    if notices.canonical(composite) != notices.canonical(writes.results.get(row.id, previous)):
        writes.results[row.id] = composite
        updated = True
    return "updated" if updated else "unchanged"


def _redescribe(cur: db.Connection, described: dict[int, tuple[list[Any], Tender]]) -> None:
    """Rewrite the rows, lots and award criteria of the procurements a batch redescribed."""
    if not described:
        return
    ids = sorted(described)
    rows = [described[tender_id][0] for tender_id in ids]
    cur.execute(_UPDATE, [ids, *([list(column) for column in zip(*rows, strict=True)])])
    for table in ("tender_lots", "tender_award_criteria"):
        cur.execute(
            f"DELETE FROM {table} WHERE tender_id IN (SELECT unnest(?::INTEGER[]))",  # nosec B608
            [ids],
        )
    _store_lots(cur, [(tender_id, described[tender_id][1]) for tender_id in ids])


def _rename(cur: db.Connection, rows: list[_Stored]) -> None:
    """Write the source_id and buyer number the joins gave these procurements."""
    if rows:
        cur.execute(
            "UPDATE tenders SET source_id = n.source_id, buyer_national_id = n.number"
            " FROM (SELECT unnest(?::INTEGER[]) AS id, unnest(?::VARCHAR[]) AS source_id,"
            " unnest(?::VARCHAR[]) AS number) AS n WHERE tenders.id = n.id",
            [
                [row.id for row in rows],
                [row.source_id for row in rows],
                [row.buyer_national_id for row in rows],
            ],
        )


def _existing(
    cur: db.Connection, batch: list[tuple[Tender, str]], keys: list[tuple[str, str]]
) -> dict[tuple[str, str], _Stored]:
    """The stored procurement of each key (by procedure, else by the notice a change changes),
    with its notices."""
    columns = "id, source_id, content_hash, buyer_national_id"
    found: dict[tuple[str, str], _Stored] = {}
    for source in sorted({source for source, _ in keys}):
        procedures = [key for src, key in keys if src == source]
        for procedure_id, *fields in cur.execute(
            f"SELECT procedure_id, {columns} FROM tenders WHERE source = ?"  # nosec B608
            " AND procedure_id IN (SELECT unnest(?::VARCHAR[]))",
            [source, procedures],
        ).fetchall():
            found[(source, procedure_id)] = _Stored(*fields)
        changed = {
            tender.changes_notice: key
            for (tender, _), key in zip(batch, keys, strict=True)
            if tender.source == source and tender.changes_notice and key not in found
        }
        owners = notices.procurement_of_notices(cur, source, list(changed))
        if owners:
            rows = {
                fields[0]: _Stored(*fields)
                for fields in cur.execute(
                    f"SELECT {columns} FROM tenders"  # nosec B608
                    " WHERE id IN (SELECT unnest(?::INTEGER[]))",
                    [sorted(set(owners.values()))],
                ).fetchall()
            }
            for notice_id, tender_id in owners.items():
                found[changed[notice_id]] = rows[tender_id]
    by_id = {row.id: row for row in found.values()}
    for tender_id, stored in notices.stored_notices(cur, sorted(by_id)).items():
        by_id[tender_id].notices = stored
    return found


def _insert(
    cur: db.Connection, batch: list[tuple[Tender, tuple[str, str]]], actor: User | None
) -> dict[tuple[str, str], int]:
    if not batch:
        return {}
    now = db.now()
    rows = [
        [
            tender.source,
            target_key(tender)[1],
            now,
            actor.id if actor else None,
            *values,
            tender.changes_notice or tender.source_id,
        ]
        for tender, hashes in batch
        for values in [_values(tender, hashes, actor)]
    ]
    columns = [list(column) for column in zip(*rows, strict=True)]
    return {
        (source, procedure_id): tender_id
        for tender_id, source, procedure_id in cur.execute(_INSERT, columns).fetchall()
    }


def _store_lots(cur: db.Connection, written: list[tuple[int, Tender]]) -> None:
    # One statement per table with list parameters: far faster than a row per call.
    lots = [
        (tender_id, position, lot)
        for tender_id, tender in written
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


def stored_releases(cur: db.Connection, ocids: list[str]) -> dict[str, dict[str, Any]]:
    """The merged OCDS release stored for each of ``ocids`` (ocids not stored left out).

    A release stored before NaN and Infinity were refused may hold them; they
    are read as null (absent), so later releases of the process still import.
    """
    if not ocids:
        return {}
    return {
        ocid: json.loads(raw, parse_constant=lambda _literal: None)
        for ocid, raw in cur.execute(
            "SELECT procedure_id, raw_release FROM tenders WHERE source = 'ocds'"
            " AND procedure_id IN (SELECT unnest(?::VARCHAR[]))",
            [ocids],
        ).fetchall()
        if raw
    }


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
        "INSERT INTO cpv_codes (code, check_digit, kind, labels, label_en, division, level,"
        " parent_code, imported_at) SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[]),"
        " unnest(?::VARCHAR[]), unnest(?::JSON[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[]),"
        " unnest(?::INTEGER[]), unnest(?::VARCHAR[]), ?"
        " ON CONFLICT (code) DO UPDATE SET check_digit = excluded.check_digit,"
        " kind = excluded.kind, labels = excluded.labels, label_en = excluded.label_en,"
        " division = excluded.division, level = excluded.level,"
        " parent_code = excluded.parent_code, imported_at = excluded.imported_at",
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
