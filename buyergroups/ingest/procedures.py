"""One procurement from the notices of one procedure, whatever order they arrive in.

A procedure's notices (prior information, contract notice, changes, award
notices) are its life cycle. What the procurement shows is a function of the
set of its notices, never of their order:

* **description** (title, description, CPV, lots, criteria, buyer, MVI reading)
  comes from the notice that ranks highest by :func:`description_rank`: a
  contract notice before an award notice before a prior information notice;
  among equals the latest published, a change notice before what it changes,
  then the notice id. The procurement's ``source_id`` is the original notice of
  that chain of changes;
* **results** are composed by :func:`compose_results` from the award notices not
  changed by another notice of the procedure: per lot the latest notice that
  reports the lot wins; the notice value (BT-161) adds up over the notices whose
  results are current for at least one lot.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from buyergroups.ingest.records import LotResult, NoticeResults, Winner

ROLE_RANK = {"cn": 3, "can": 2, "modification": 2, "pin": 1, "other": 0}
_OCDS_ROLES = (
    ("contract", "can"),
    ("award", "can"),
    ("implementation", "can"),
    ("tender", "cn"),
    ("planning", "pin"),
)


@dataclass(frozen=True)
class NoticeMeta:
    """What the join needs of a stored notice: id, type, date, what it changes, its buyer's number."""

    notice_id: str
    notice_type: str | None
    published_on: date | None
    changes_notice_id: str | None = None
    buyer_national_id: str | None = None


@dataclass
class Composite:
    """A procurement's results composed from its current award notices."""

    lots: list[LotResult] = field(default_factory=list)
    notice_total_value: float | None = None
    notice_total_currency: str | None = None
    awarded_value: float | None = None
    awarded_currency: str | None = None
    tenders_received: int | None = None
    lots_awarded: int | None = None
    awarded_on: date | None = None


def notice_role(notice_type: str | None, source: str = "eforms") -> str:
    """pin | cn | can | modification | other: the part a notice plays in the life cycle.

    eForms by notice type (BT-02): pin-* prior information (a pin-cfc-* calls for
    competition, so it is a cn), cn-*, qu-sy and subco are contract notices,
    can-* and veat award notices, can-modif a contract modification. OCDS by the
    release tags; a CSV row without a type is a contract notice.
    """
    code = (notice_type or "").strip().lower()
    if source == "ocds":
        tags = code.split(",")
        return next(
            (role for tag, role in _OCDS_ROLES if any(t.startswith(tag) for t in tags)), "other"
        )
    if source == "csv" and not code:
        return "cn"
    if code == "can-modif":
        return "modification"
    if code.startswith(("pin-cfc", "cn-")) or code in ("qu-sy", "subco"):
        return "cn"
    if code.startswith("can-") or code == "veat":
        return "can"
    if code.startswith("pin-"):
        return "pin"
    return "other"


def description_rank(notice: NoticeMeta, source: str) -> tuple[int, date, int, str]:
    """The order in which notices describe a procurement (higher describes it)."""
    return (
        ROLE_RANK[notice_role(notice.notice_type, source)],
        notice.published_on or date.min,
        1 if notice.changes_notice_id else 0,
        notice.notice_id,
    )


def describing_notice(notices: list[NoticeMeta], source: str) -> NoticeMeta:
    """The notice whose content the procurement shows."""
    return max(notices, key=lambda notice: description_rank(notice, source))


def original_of(notice: NoticeMeta, notices: list[NoticeMeta]) -> str:
    """The id of the first notice in ``notice``'s chain of changes (as far as it is known)."""
    changes = {n.notice_id: n.changes_notice_id for n in notices}
    changes[notice.notice_id] = notice.changes_notice_id
    current, seen = notice.notice_id, {notice.notice_id}
    while changes.get(current) and changes[current] not in seen:
        current = changes[current]
        seen.add(current)
    return current


def buyer_number(describing: NoticeMeta, notices: list[NoticeMeta]) -> str | None:
    """The buyer's national number: the describing notice's, else that of the latest notice
    stating one (a contract notice without BT-501 beside an award notice with it)."""
    if describing.buyer_national_id:
        return describing.buyer_national_id
    stating = [notice for notice in notices if notice.buyer_national_id]
    if not stating:
        return None
    latest = max(stating, key=lambda n: (n.published_on or date.min, n.notice_id))
    return latest.buyer_national_id


def compose_results(notices: list[tuple[NoticeMeta, NoticeResults | None]]) -> Composite:
    """The procurement's results from every notice's own results (order does not matter)."""
    changed = {meta.changes_notice_id for meta, _ in notices if meta.changes_notice_id}
    current = sorted(
        ((meta, results) for meta, results in notices if results and meta.notice_id not in changed),
        key=lambda entry: (entry[0].published_on or date.min, entry[0].notice_id),
    )
    if not current:
        return Composite()
    lots: dict[str, tuple[LotResult, str]] = {}
    for meta, results in current:
        for lot in results.lots if results else []:
            lots[lot.lot_id] = (lot, meta.notice_id)
    owners = {owner for _, owner in lots.values()}
    counted = [r for m, r in current if r and (m.notice_id in owners or not r.lots)]
    composite = Composite(lots=[lot for lot, _ in lots.values()])
    composite.notice_total_value, composite.notice_total_currency = _sum(
        [(r.total_value, r.total_currency) for r in counted]
    )
    awarded = [lot for lot in composite.lots if lot.awarded]
    composite.lots_awarded = len(awarded)
    composite.awarded_value, composite.awarded_currency = _sum(
        [(lot.awarded_value, lot.currency) for lot in awarded]
    )
    if composite.awarded_value is None and awarded and composite.notice_total_value is not None:
        composite.awarded_value = composite.notice_total_value
        composite.awarded_currency = composite.notice_total_currency
    stated = [lot.tenders_received for lot in composite.lots if lot.tenders_received is not None]
    composite.tenders_received = sum(stated) if stated else None
    dates = [r.awarded_on for r in counted if r.awarded_on is not None]
    composite.awarded_on = min(dates) if awarded and dates else None
    return composite


def _sum(values: list[tuple[float | None, str | None]]) -> tuple[float | None, str | None]:
    """The sum of the stated values when they share one currency, else (None, None)."""
    stated = [(value, currency) for value, currency in values if value is not None]
    currencies = {currency for _, currency in stated}
    if not stated or len(currencies) != 1:
        return None, None
    return sum(value for value, _ in stated), currencies.pop()


def results_json(results: NoticeResults | None) -> str | None:
    """A notice's results as JSON for ``tender_notices.results``."""
    if results is None:
        return None
    data = asdict(results)
    data["awarded_on"] = results.awarded_on.isoformat() if results.awarded_on else None
    return json.dumps(data, ensure_ascii=False, allow_nan=False)


def results_from_json(text: str | None) -> NoticeResults | None:
    """The results stored by :func:`results_json` (None for None)."""
    if not text:
        return None
    data: dict[str, Any] = json.loads(text)
    lots = [
        LotResult(
            **{key: value for key, value in lot.items() if key != "winners"},
            winners=[Winner(**winner) for winner in lot.get("winners") or []],
        )
        for lot in data.get("lots") or []
    ]
    awarded_on = data.get("awarded_on")
    return NoticeResults(
        total_value=data.get("total_value"),
        total_currency=data.get("total_currency"),
        lots=lots,
        awarded_on=date.fromisoformat(awarded_on) if awarded_on else None,
    )
