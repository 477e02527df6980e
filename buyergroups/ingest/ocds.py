"""Parse OCDS JSON (release packages, record packages, JSON Lines) into tenders.

Releases of one ``ocid`` merge into one contracting process by the OCDS merge
rules: releases are applied oldest first (by ``date``); a later value wins per
field and ``null`` removes it; objects merge key by key; lists of objects that
all carry an ``id`` merge item by item on that ``id`` (new ids are appended);
other lists are replaced whole. A record's ``compiledRelease`` counts as a
release dated by its latest release.

A process without an ocid is rejected. Its title is the tender's; an award or
contract release that does not repeat the tender joins its stored process (the
loader merges it into the stored release) or, when none is stored, stands under
its award's or contract's title; a process with none of these titles is
rejected. Award results come from :mod:`buyergroups.ingest.ocds_awards`. Lots come from the
lots extension (``tender.lots``); award criteria from ``tender.awardCriteria``
when it is the object of the award-criteria extension, and the core
``awardCriteriaDetails`` text is kept for MVI detection.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from buyergroups.errors import ImportRejected, msg
from buyergroups.ingest.codes import cpv8, language_1, unique
from buyergroups.ingest.json_fields import Fields
from buyergroups.ingest.json_input import MAX_DEPTH, read_json_documents
from buyergroups.ingest.numbers import MONEY, WEIGHT
from buyergroups.ingest.ocds_awards import (
    award_title,
    party_country,
    party_identifier,
    process_results,
)
from buyergroups.ingest.records import AwardCriterion, Buyer, Lot, ReleaseRef, Tender

__all__ = [
    "merge_releases",
    "read_json_documents",
    "release_refs",
    "release_to_tender",
    "releases_in",
]

Release = dict[str, Any]


def releases_in(data: bytes, name: str) -> dict[str, list[Release]]:
    """Every release in the file, grouped by ocid (packages, records or bare releases)."""
    found: dict[str, list[Release]] = {}
    for document in read_json_documents(data, name):
        for release in _releases_of(document, name):
            ocid = release.text("ocid")
            if not ocid:
                raise ImportRejected(msg("{name}: a release has no ocid.", name=name), source=name)
            found.setdefault(ocid, []).append(release.data)
    if not found:
        raise ImportRejected(
            msg(
                "{name}: no OCDS releases or records found (expected a release package, "
                "a record package, a release, or JSON Lines of these).",
                name=name,
            ),
            source=name,
        )
    return found


def _releases_of(document: Any, name: str) -> Iterable[Fields]:
    if not isinstance(document, dict):
        raise ImportRejected(
            msg("{name}: expected a JSON object per document.", name=name), source=name
        )
    top = Fields(document, name)
    if isinstance(document.get("releases"), list) and "ocid" not in document:
        return top.objects("releases")
    if isinstance(document.get("records"), list):
        return [_record_release(record, name) for record in top.objects("records")]
    if "compiledRelease" in document or ("releases" in document and "ocid" in document):
        return [_record_release(top, name)]
    if "ocid" in document:
        return [top]
    raise ImportRejected(
        msg("{name}: not OCDS (no 'releases', 'records' or 'ocid' at the top level).", name=name),
        source=name,
    )


def _record_release(record: Fields, name: str) -> Fields:
    if record.raw("compiledRelease") is not None:
        compiled = record.object("compiledRelease")
        return Fields({"ocid": record.raw("ocid"), **compiled.data}, name, compiled.path)
    full = [entry.data for entry in record.objects("releases")]
    if full and all("tender" in entry or "tag" in entry for entry in full):
        return Fields(merge_releases(full, name), name, record.path)
    raise ImportRejected(
        msg(
            "{name}: record {ocid} has no compiledRelease and only linked releases.",
            name=name,
            ocid=record.text("ocid"),
        ),
        source=name,
    )


def merge_releases(releases: list[Release], name: str = "release") -> Release:
    """One release: oldest first by ``date``, a later value winning per field.

    Recursion follows the nesting, which is refused beyond ``MAX_DEPTH`` levels.
    """
    merged: Release = {}
    for release in sorted(releases, key=lambda entry: str(entry.get("date") or "")):
        merged = _merge(merged, release, name, 1)
    return merged


def _merge(base: dict[str, Any], update: dict[str, Any], name: str, depth: int) -> dict[str, Any]:
    if depth > MAX_DEPTH:
        raise ImportRejected(
            msg(
                "{name}: objects and arrays nest deeper than {limit} levels; "
                "refused (the limit for JSON files).",
                name=name,
                limit=MAX_DEPTH,
            ),
            source=name,
        )
    result = dict(base)
    for key, new in update.items():
        old = result.get(key)
        if new is None:
            result.pop(key, None)
        elif isinstance(old, dict) and isinstance(new, dict):
            result[key] = _merge(old, new, name, depth + 1)
        elif _identified(old) and _identified(new):
            result[key] = _merge_by_id(old, new, name, depth + 1)
        else:
            result[key] = new
    return result


def _identified(value: Any) -> bool:
    """A non-empty list whose items are all objects with an ``id``."""
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(item, dict) and item.get("id") is not None for item in value)
    )


def _merge_by_id(
    old: list[dict[str, Any]], new: list[dict[str, Any]], name: str, depth: int
) -> list[dict[str, Any]]:
    by_id = {str(item["id"]): item for item in old}
    for item in new:
        key = str(item["id"])
        by_id[key] = _merge(by_id[key], item, name, depth + 1) if key in by_id else item
    return list(by_id.values())


def release_refs(ocid: str, releases: list[Release], name: str) -> list[ReleaseRef]:
    """The releases as steps of the process's life cycle (id, tags, date), oldest first."""
    refs = {}
    for release in sorted(releases, key=lambda entry: str(entry.get("date") or "")):
        fields = Fields(release, msg("{name} (process {ocid})", name=name, ocid=ocid))
        release_id = fields.text("id") or f"{ocid}/{fields.text('date')}"
        refs[release_id] = ReleaseRef(release_id, fields.texts("tag"), _date(fields.text("date")))
    return list(refs.values())


def release_to_tender(release: Release, name: str = "release") -> Tender:
    """The tender of one merged release; ImportRejected without ocid or any title.

    Every field read is type-checked (:mod:`buyergroups.ingest.json_fields`) and
    every amount and weight range-checked (:mod:`buyergroups.ingest.numbers`);
    a bad one refuses the file, naming the field.
    """
    ocid = Fields(release, name).text("ocid")
    top = Fields(release, msg("{name} (process {ocid})", name=name, ocid=ocid))
    tender_part = top.object("tender")
    title = " ".join(tender_part.text("title").split()) or award_title(top)
    if not title:
        raise ImportRejected(
            msg(
                "{name}: contracting process {ocid} has no title (tender.title, or an award's "
                "or contract's title); import its tender release first.",
                name=name,
                ocid=ocid,
            ),
            source=name,
        )
    value = tender_part.object("value")
    language = language_1(top.text("language")) or None
    tender = Tender(
        source="ocds",
        source_id=ocid,
        title=title,
        description=tender_part.text("description"),
        notice_type=",".join(top.texts("tag")) or None,
        published_on=_date(top.text("date")),
        language=language,
        languages=unique([language or ""]),
        buyers=_buyers(top),
        cpv_codes=unique(
            _item_cpvs(tender_part.objects("items"))
            or [
                code
                for key in ("awards", "contracts")
                for entry in top.objects(key)
                for code in _item_cpvs(entry.objects("items"))
            ]
        ),
        procedure_type=tender_part.text("procurementMethod") or None,
        estimated_value=value.number("amount", MONEY),
        currency=value.text("currency") or None,
        lots=_lots(tender_part),
        sustainability=_sustainability(tender_part),
        raw_release=release,
    )
    tender.titles = {tender.language or "": title}
    _texts(tender, tender_part)
    tender.results = process_results(top)
    return tender


def _date(raw: str) -> date | None:
    """The day of an ISO date-time; None when absent or unreadable (the field is optional)."""
    try:
        return date.fromisoformat(raw[:10]) if raw else None
    except ValueError:
        return None


def _item_cpvs(items: list[Fields]) -> list[str]:
    codes: list[str] = []
    for item in items:
        classifications = [
            item.object("classification"),
            *item.objects("additionalClassifications"),
        ]
        for classification in classifications:
            if classification.text("scheme").upper() == "CPV":
                codes.append(cpv8(classification.text("id")) or "")
    return codes


def _buyers(release: Fields) -> list[Buyer]:
    parties = release.objects("parties")
    buyer = release.object("buyer")
    buyer_ids = [party.text("id") for party in parties if "buyer" in party.texts("roles")]
    if not buyer_ids and buyer.data:
        buyer_ids = [buyer.text("id")]
    buyers = []
    for party in parties:
        if party.text("id") in buyer_ids:
            buyers.append(
                Buyer(
                    party.text("name") or party.text("id"),
                    party_country(party),
                    party_identifier(party),
                )
            )
    if not buyers and buyer.text("name"):
        buyers.append(Buyer(buyer.text("name"), None))
    return buyers


def _lots(tender_part: Fields) -> list[Lot]:
    items = tender_part.objects("items")
    lots = []
    for entry in tender_part.objects("lots"):
        value = entry.object("value")
        lot_id = entry.text("id") or str(len(lots) + 1)
        lot_items = [item for item in items if item.text("relatedLot") == entry.text("id")]
        lots.append(
            Lot(
                lot_id=lot_id,
                title=entry.text("title"),
                description=entry.text("description"),
                cpv_codes=unique(_item_cpvs(lot_items)),
                estimated_value=value.number("amount", MONEY),
                currency=value.text("currency") or None,
                award_criteria=_criteria(entry),
            )
        )
    criteria = _criteria(tender_part)
    if criteria and not lots:
        lots.append(Lot(lot_id="tender", title=tender_part.text("title"), award_criteria=criteria))
    return lots


def _criteria(holder: Fields) -> list[AwardCriterion]:
    """The award-criteria extension's criteria; the core codelist text holds none."""
    raw = holder.raw("awardCriteria")
    if raw is None or isinstance(raw, str):
        return []
    found = []
    for entry in holder.object("awardCriteria").objects("criteria"):
        numbers = entry.objects("numbers")
        found.append(
            AwardCriterion(
                criterion_type=entry.text("type"),
                name=entry.text("name"),
                description=entry.text("description"),
                weight=numbers[0].number("number", WEIGHT) if numbers else None,
            )
        )
    return found


def _sustainability(tender_part: Fields) -> list[dict[str, Any]]:
    """The sustainability extension's entries: goal, strategies and description, type-checked."""
    entries = []
    for entry in tender_part.objects("sustainability"):
        read = {
            "goal": entry.text("goal"),
            "strategies": entry.texts("strategies"),
            "description": entry.text("description"),
        }
        entries.append({key: value for key, value in read.items() if value})
    return entries


def _texts(tender: Tender, tender_part: Fields) -> None:
    for key in ("awardCriteriaDetails", "procurementMethodRationale"):
        if tender_part.text(key):
            tender.texts[f"OCDS tender.{key}"] = tender_part.text(key)
    if isinstance(tender_part.raw("awardCriteria"), str) and tender_part.text("awardCriteria"):
        tender.texts["OCDS tender.awardCriteria"] = tender_part.text("awardCriteria")
    if tender_part.raw("hasSustainability") is True:
        tender.texts["hasSustainability"] = "true"
