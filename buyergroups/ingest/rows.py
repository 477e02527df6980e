"""The tenders row a parsed tender becomes: its columns, values, content hash and number guard.

Two guards sit here, whatever a parser let through: a number that is not
finite (NaN, ±Infinity) is refused before anything is written, so sums and
charts never see one; and :func:`content_hash` tells a re-import whose stored
content would not change, so it is left alone and reported "unchanged".
Pure functions: :mod:`buyergroups.ingest.store` writes the rows.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from buyergroups.errors import ImportRejected, msg
from buyergroups.ingest.numbers import is_finite, shown_value
from buyergroups.ingest.records import Tender

# Column name and DuckDB type of every tender column the loader writes, in order.
TENDER_COLUMNS: tuple[tuple[str, str], ...] = (
    ("last_notice_id", "VARCHAR"),
    ("contract_folder_id", "VARCHAR"),
    ("notice_type", "VARCHAR"),
    ("notice_subtype", "VARCHAR"),
    ("published_on", "DATE"),
    ("language", "VARCHAR"),
    ("languages", "VARCHAR[]"),
    ("title", "VARCHAR"),
    ("titles", "JSON"),
    ("description", "VARCHAR"),
    ("buyer_name", "VARCHAR"),
    ("buyer_country", "VARCHAR"),
    ("buyer_national_id", "VARCHAR"),
    ("buyers", "JSON"),
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
    ("mvi_evidence", "JSON"),
    ("raw_release", "JSON"),
    ("raw_hash", "VARCHAR"),
    ("content_hash", "VARCHAR"),
    ("updated_at", "TIMESTAMP"),
    ("updated_by", "INTEGER"),
)


def content(tender: Tender) -> list[Any]:
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
        tender.buyer_national_id,
        json.dumps(
            [
                {"name": b.name, "country": b.country, "national_id": b.national_id}
                for b in tender.buyers
            ],
            ensure_ascii=False,
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
        release_json(tender),
    ]


def release_json(tender: Tender) -> str | None:
    """The merged OCDS release as JSON; ImportRejected when it holds NaN or Infinity."""
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
    row = content(tender)
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
