"""Award results of an OCDS contracting process: ``awards``, ``contracts``, ``bids.statistics``.

Read from the merged release, per lot (``relatedLots``; a process without lots
has one result named "tender"), every field type-checked
(:mod:`buyergroups.ingest.json_fields`):

* status: award ``active`` → selec-w (winner chosen), ``unsuccessful`` → clos-nw,
  ``pending`` and ``cancelled`` as they are; an award with a contract that is
  not cancelled counts as selec-w whatever its status says;
* winners: the award's suppliers, with identifier and country from ``parties``;
  a supplier's ``details.scale`` (sme / micro / small / medium / large) gives SME;
* value: the award's contracts' values when they state one, else the award's
  value; an award covering several lots counts its value once, at its first lot;
* tenders received: ``bids.statistics`` entries with ``measure`` "bids" per
  ``relatedLot``; without lot figures the process's own count (a statistic
  without relatedLot, else ``tender.numberOfTenderers``) stands as result "tender";
* award date: the earliest contract ``dateSigned``, else the earliest award ``date``.
"""

from __future__ import annotations

from datetime import date

from buyergroups.errors import ImportRejected, msg
from buyergroups.ingest.codes import country_alpha2
from buyergroups.ingest.json_fields import Fields
from buyergroups.ingest.numbers import COUNT, MONEY
from buyergroups.ingest.records import LotResult, NoticeResults, Winner

_STATUS = {"active": "selec-w", "unsuccessful": "clos-nw", "pending": "pending"}
_RANK = ("selec-w", "pending", "open-nw", "clos-nw", "cancelled")
_SME_SCALES = {"sme": True, "micro": True, "small": True, "medium": True, "large": False}
WHOLE_PROCESS = "tender"


def award_title(release: Fields) -> str:
    """The first award's title, else the first contract's ('' when neither has one)."""
    for key in ("awards", "contracts"):
        for entry in release.objects(key):
            title = " ".join(entry.text("title").split())
            if title:
                return title
    return ""


def party_country(party: Fields) -> str | None:
    """A party's country: its address, else the prefix of its identifier scheme (GB-COH)."""
    address = party.object("address")
    country = country_alpha2(address.text("countryName")) or country_alpha2(address.text("country"))
    if country:
        return country
    scheme = party.object("identifier").text("scheme")
    return country_alpha2(scheme[:2]) if len(scheme) > 2 and scheme[2] == "-" else None


def party_identifier(party: Fields) -> str | None:
    """A party's registration number (``identifier.id``), or None."""
    return party.object("identifier").text("id") or None


def process_results(release: Fields) -> NoticeResults | None:
    """The results of the merged release, or None when it has no awards, contracts or bids."""
    awards, contracts = release.objects("awards"), release.objects("contracts")
    received = _received(release)
    if not awards and not contracts and not received:
        return None
    parties = {party.text("id"): party for party in release.objects("parties")}
    lots: dict[str, LotResult] = {}
    dates: list[date] = []
    for award in awards:
        signed = [
            contract
            for contract in contracts
            if contract.text("awardID") == award.text("id")
            and contract.text("status") != "cancelled"
        ]
        status = award.text("status")
        code = "selec-w" if signed else _STATUS.get(status, status or None)
        value, currency = _award_value(award, signed)
        for number, lot_id in enumerate(award.texts("relatedLots") or [WHOLE_PROCESS]):
            lot = lots.setdefault(lot_id, LotResult(lot_id))
            _add_award(lot, code, value if number == 0 else None, currency)
            if code in ("selec-w", "pending"):
                lot.winners += [_winner(s, parties) for s in award.objects("suppliers")]
        if code == "selec-w":
            signed_on = [contract.text("dateSigned") for contract in signed]
            dates += _dates([raw for raw in signed_on if raw] or [award.text("date")])
    _add_received(lots, received)
    return NoticeResults(lots=list(lots.values()), awarded_on=min(dates) if dates else None)


def _add_award(lot: LotResult, code: str | None, value: float | None, currency: str | None) -> None:
    """One more award of the lot: the strongest status wins, values add up in one currency."""
    current = _RANK.index(lot.result_code) if lot.result_code in _RANK else len(_RANK)
    if lot.result_code is None or (code in _RANK and _RANK.index(code) < current):
        lot.result_code = code
    if value is None or code not in ("selec-w", "pending"):
        return
    if lot.awarded_value is None:
        lot.awarded_value, lot.currency = value, currency
    elif lot.currency == currency:
        lot.awarded_value += value


def _award_value(award: Fields, signed: list[Fields]) -> tuple[float | None, str | None]:
    values = [_amount(contract.object("value")) for contract in signed]
    stated = [(value, currency) for value, currency in values if value is not None]
    if stated and len({currency for _, currency in stated}) == 1:
        return sum(value for value, _ in stated), stated[0][1]
    return _amount(award.object("value"))


def _amount(value: Fields) -> tuple[float | None, str | None]:
    amount = value.number("amount", MONEY)
    return amount, (value.text("currency") or None) if amount is not None else None


def _winner(supplier: Fields, parties: dict[str, Fields]) -> Winner:
    party = parties.get(supplier.text("id"))
    name = supplier.text("name") or (party.text("name") if party else "") or supplier.text("id")
    scale = party.object("details").text("scale").lower() if party else ""
    return Winner(
        name=" ".join(name.split()),
        country=party_country(party) if party else None,
        org_identifier=party_identifier(party) if party else None,
        sme=_SME_SCALES.get(scale),
    )


def _received(release: Fields) -> dict[str | None, int]:
    """Bids received per related lot (None: the whole process)."""
    found: dict[str | None, int] = {}
    for entry in release.object("bids").objects("statistics"):
        if entry.text("measure") == "bids":
            lot = entry.text("relatedLot") or None
            found[lot] = found.get(lot, 0) + _count(entry, "value")
    tender_part = release.object("tender")
    if None not in found and tender_part.raw("numberOfTenderers") is not None:
        found[None] = _count(tender_part, "numberOfTenderers")
    return found


def _count(holder: Fields, key: str) -> int:
    number = holder.number(key, COUNT)
    if number is None or not number.is_integer():
        raise ImportRejected(
            msg(
                "{where}: {field} {value} is not a whole number of tenders.",
                where=holder.where,
                field=holder.field(key),
                value=repr(holder.raw(key)),
            ),
            source=holder.where,
        )
    return int(number)


def _add_received(lots: dict[str, LotResult], received: dict[str | None, int]) -> None:
    per_lot = {lot: count for lot, count in received.items() if lot is not None}
    for lot_id, count in per_lot.items():
        lots.setdefault(lot_id, LotResult(lot_id)).tenders_received = count
    if per_lot or None not in received:
        return
    if len(lots) == 1:
        next(iter(lots.values())).tenders_received = received[None]
    else:
        lots.setdefault(WHOLE_PROCESS, LotResult(WHOLE_PROCESS)).tenders_received = received[None]


def _dates(raws: list[str]) -> list[date]:
    found = []
    for raw in raws:
        try:
            found.append(date.fromisoformat(raw[:10]))
        except ValueError:
            continue
    return found
