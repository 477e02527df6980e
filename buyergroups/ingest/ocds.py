"""Parse OCDS JSON (release packages, record packages, JSON Lines) into tenders.

Releases of one ``ocid`` merge into one contracting process by the OCDS merge
rules: releases are applied oldest first (by ``date``); a later value wins per
field and ``null`` removes it; objects merge key by key; lists of objects that
all carry an ``id`` merge item by item on that ``id`` (new ids are appended);
other lists are replaced whole. A record's ``compiledRelease`` counts as a
release dated by its latest release.

A process without an ocid or a tender title is rejected. Lots come from the
lots extension (``tender.lots``); award criteria from ``tender.awardCriteria``
when it is the object of the award-criteria extension, and the core
``awardCriteriaDetails`` text is kept for MVI detection.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from typing import Any

from buyergroups.errors import ImportRejected, msg
from buyergroups.ingest.codes import country_alpha2, cpv8, language_1, unique
from buyergroups.ingest.records import AwardCriterion, Buyer, Lot, Tender

Release = dict[str, Any]


def read_json_documents(data: bytes, name: str) -> list[Any]:
    """The JSON documents in ``data``: one document, or one per line (JSON Lines)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRejected(
            msg("{name}: not UTF-8 text, so not OCDS JSON.", name=name), source=name
        ) from exc
    try:
        return [json.loads(text)]
    except json.JSONDecodeError as whole_error:
        lines = [line for line in text.splitlines() if line.strip()]
        if len(lines) < 2:
            raise ImportRejected(
                msg("{name}: not valid JSON ({error}).", name=name, error=str(whole_error)),
                source=name,
            ) from None
        documents = []
        for number, line in enumerate(lines, start=1):
            try:
                documents.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ImportRejected(
                    msg(
                        "{name}: line {number} is not valid JSON ({error}).",
                        name=name,
                        number=number,
                        error=exc.msg,
                    ),
                    source=name,
                ) from None
        return documents


def releases_in(data: bytes, name: str) -> dict[str, list[Release]]:
    """Every release in the file, grouped by ocid (packages, records or bare releases)."""
    found: dict[str, list[Release]] = {}
    for document in read_json_documents(data, name):
        for release in _releases_of(document, name):
            ocid = str(release.get("ocid") or "").strip()
            if not ocid:
                raise ImportRejected(msg("{name}: a release has no ocid.", name=name), source=name)
            found.setdefault(ocid, []).append(release)
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


def _releases_of(document: Any, name: str) -> Iterable[Release]:
    if not isinstance(document, dict):
        raise ImportRejected(
            msg("{name}: expected a JSON object per document.", name=name), source=name
        )
    if isinstance(document.get("releases"), list):
        return [entry for entry in document["releases"] if isinstance(entry, dict)]
    if isinstance(document.get("records"), list):
        return [_record_release(record, name) for record in document["records"]]
    if "compiledRelease" in document or ("releases" in document and "ocid" in document):
        return [_record_release(document, name)]
    if "ocid" in document:
        return [document]
    raise ImportRejected(
        msg("{name}: not OCDS (no 'releases', 'records' or 'ocid' at the top level).", name=name),
        source=name,
    )


def _record_release(record: Any, name: str) -> Release:
    if not isinstance(record, dict):
        raise ImportRejected(msg("{name}: a record is not a JSON object.", name=name), source=name)
    compiled = record.get("compiledRelease")
    if isinstance(compiled, dict):
        return {"ocid": record.get("ocid"), **compiled}
    full = [entry for entry in record.get("releases") or [] if isinstance(entry, dict)]
    if full and all("tender" in entry or "tag" in entry for entry in full):
        return merge_releases(full)
    raise ImportRejected(
        msg(
            "{name}: record {ocid} has no compiledRelease and only linked releases.",
            name=name,
            ocid=str(record.get("ocid")),
        ),
        source=name,
    )


def merge_releases(releases: list[Release]) -> Release:
    """One release: oldest first by ``date``, a later value winning per field."""
    merged: Release = {}
    for release in sorted(releases, key=lambda entry: str(entry.get("date") or "")):
        merged = _merge(merged, release)
    return merged


def _merge(base: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    result = dict(base)
    for key, new in update.items():
        old = result.get(key)
        if new is None:
            result.pop(key, None)
        elif isinstance(old, dict) and isinstance(new, dict):
            result[key] = _merge(old, new)
        elif _identified(old) and _identified(new):
            result[key] = _merge_by_id(old, new)
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


def _merge_by_id(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_id = {str(item["id"]): item for item in old}
    for item in new:
        key = str(item["id"])
        by_id[key] = _merge(by_id[key], item) if key in by_id else item
    return list(by_id.values())


def release_to_tender(release: Release, name: str = "release") -> Tender:
    """The tender of one merged release; ImportRejected without ocid or tender title."""
    ocid = str(release.get("ocid") or "").strip()
    tender_part = release.get("tender") if isinstance(release.get("tender"), dict) else {}
    title = str(tender_part.get("title") or "").strip()
    if not title:
        raise ImportRejected(
            msg(
                "{name}: contracting process {ocid} has no tender title (tender.title); "
                "import its tender release first.",
                name=name,
                ocid=ocid,
            ),
            source=name,
        )
    value = tender_part.get("value") if isinstance(tender_part.get("value"), dict) else {}
    lots = _lots(tender_part)
    tender = Tender(
        source="ocds",
        source_id=ocid,
        title=title,
        description=str(tender_part.get("description") or "").strip(),
        notice_type=",".join(release.get("tag") or []) or None,
        published_on=_date(release.get("date")),
        language=language_1(release.get("language")) or None,
        languages=unique([language_1(release.get("language")) or ""]),
        buyers=_buyers(release),
        cpv_codes=unique(_item_cpvs(tender_part.get("items"))),
        procedure_type=tender_part.get("procurementMethod") or None,
        estimated_value=_number(value.get("amount"), name),
        currency=value.get("currency"),
        lots=lots,
        sustainability=[e for e in tender_part.get("sustainability") or [] if isinstance(e, dict)],
        raw_release=release,
    )
    tender.titles = {tender.language or "": title}
    _texts(tender, tender_part)
    return tender


def _date(raw: Any) -> date | None:
    try:
        return date.fromisoformat(str(raw)[:10]) if raw else None
    except ValueError:
        return None


def _number(raw: Any, name: str) -> float | None:
    if raw is None or raw == "":
        return None
    try:
        return float(raw)
    except (TypeError, ValueError) as exc:
        raise ImportRejected(
            msg("{name}: amount {value} is not a number.", name=name, value=repr(raw)), source=name
        ) from exc


def _item_cpvs(items: Any) -> list[str]:
    codes: list[str] = []
    for item in items or []:
        if not isinstance(item, dict):
            continue
        for classification in [
            item.get("classification"),
            *(item.get("additionalClassifications") or []),
        ]:
            if (
                isinstance(classification, dict)
                and str(classification.get("scheme", "")).upper() == "CPV"
            ):
                codes.append(cpv8(str(classification.get("id") or "")) or "")
    return codes


def _buyers(release: Release) -> list[Buyer]:
    parties = [party for party in release.get("parties") or [] if isinstance(party, dict)]
    buyer_ids = [party.get("id") for party in parties if "buyer" in (party.get("roles") or [])]
    if not buyer_ids and isinstance(release.get("buyer"), dict):
        buyer_ids = [release["buyer"].get("id")]
    buyers = []
    for party in parties:
        if party.get("id") in buyer_ids:
            buyers.append(Buyer(str(party.get("name") or party.get("id")), _party_country(party)))
    if not buyers and isinstance(release.get("buyer"), dict) and release["buyer"].get("name"):
        buyers.append(Buyer(str(release["buyer"]["name"]), None))
    return buyers


def _party_country(party: dict[str, Any]) -> str | None:
    address = party.get("address") if isinstance(party.get("address"), dict) else {}
    country = country_alpha2(address.get("countryName")) or country_alpha2(address.get("country"))
    if country:
        return country
    scheme = str((party.get("identifier") or {}).get("scheme") or "")
    return country_alpha2(scheme[:2]) if len(scheme) > 2 and scheme[2] == "-" else None


def _lots(tender_part: dict[str, Any]) -> list[Lot]:
    items = [item for item in tender_part.get("items") or [] if isinstance(item, dict)]
    lots = []
    for entry in tender_part.get("lots") or []:
        if not isinstance(entry, dict):
            continue
        value = entry.get("value") if isinstance(entry.get("value"), dict) else {}
        lot_items = [item for item in items if item.get("relatedLot") == entry.get("id")]
        lots.append(
            Lot(
                lot_id=str(entry.get("id") or len(lots) + 1),
                title=str(entry.get("title") or ""),
                description=str(entry.get("description") or ""),
                cpv_codes=unique(_item_cpvs(lot_items)),
                estimated_value=_number(value.get("amount"), msg("lot")),
                currency=value.get("currency"),
                award_criteria=_criteria(entry.get("awardCriteria")),
            )
        )
    criteria = _criteria(tender_part.get("awardCriteria"))
    if criteria and not lots:
        lots.append(
            Lot(lot_id="tender", title=str(tender_part.get("title") or ""), award_criteria=criteria)
        )
    return lots


def _criteria(raw: Any) -> list[AwardCriterion]:
    if not isinstance(raw, dict):
        return []
    found = []
    for entry in raw.get("criteria") or []:
        if not isinstance(entry, dict):
            continue
        weights = [n.get("number") for n in entry.get("numbers") or [] if isinstance(n, dict)]
        found.append(
            AwardCriterion(
                criterion_type=str(entry.get("type") or ""),
                name=str(entry.get("name") or ""),
                description=str(entry.get("description") or ""),
                weight=float(weights[0]) if weights and weights[0] is not None else None,
            )
        )
    return found


def _texts(tender: Tender, tender_part: dict[str, Any]) -> None:
    for key in ("awardCriteriaDetails", "procurementMethodRationale"):
        if tender_part.get(key):
            tender.texts[f"OCDS tender.{key}"] = str(tender_part[key])
    if isinstance(tender_part.get("awardCriteria"), str):
        tender.texts["OCDS tender.awardCriteria"] = tender_part["awardCriteria"]
    if tender_part.get("hasSustainability") is True:
        tender.texts["hasSustainability"] = "true"
