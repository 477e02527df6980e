"""The organisations of an eForms notice and the award results of an award notice.

Results sit in ``efac:NoticeResult``: ``cbc:TotalAmount`` (BT-161, the notice
value) and per lot an ``efac:LotResult`` with ``cbc:TenderResultCode``
(winner-selection status: selec-w winner chosen, clos-nw closed without winner,
open-nw still open), ``efac:ReceivedSubmissionsStatistics`` (BT-759, code
``tenders`` = tenders received) and references to ``efac:LotTender``s. Each
lot tender has ``cac:LegalMonetaryTotal/cbc:PayableAmount`` (BT-720) and a
``efac:TenderingParty`` whose ``efac:Tenderer``s are organisations; the
``efac:SettledContract``s are the contracts concluded.

Rules:

* the winners of a lot are the tenderers of the lot tenders its result names,
  when a winner was chosen (selec-w); a modification or VEAT notice states no
  status, and a lot of it with a concluded contract counts as selec-w;
* a lot's awarded value is the sum of its winning tenders' values (BT-720), in
  their currency (None when they give none or mix currencies); for a framework
  with several winners that is the sum of their tender values;
* the award date is the earliest contract award (BT-1451) or conclusion date
  (BT-145) of the awarded lots' contracts, else the notice's publication date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lxml import etree

from buyergroups.errors import ImportRejected, msg
from buyergroups.ingest.codes import country_alpha2
from buyergroups.ingest.numbers import COUNT, MONEY, checked_number
from buyergroups.ingest.records import LotResult, NoticeResults, Winner
from buyergroups.ingest.ubl import EXTENSION, NS, by_language, first_text, pick, to_date

_SME_SIZES = {"micro": True, "small": True, "medium": True, "sme": True, "large": False}


@dataclass(frozen=True)
class Organisation:
    """One ``efac:Organization`` of a notice: name, country, BT-501 number and size."""

    name: str
    country: str | None
    national_id: str | None
    size: str | None


def organisations(root: etree._Element, lang3: str, name: str) -> dict[str, Organisation]:
    """The notice's organisations by their technical id (ORG-0001); each must have one."""
    found: dict[str, Organisation] = {}
    path = f"{EXTENSION}/efac:Organizations/efac:Organization"
    for number, organisation in enumerate(root.findall(path, NS), start=1):
        company = organisation.find("efac:Company", NS)
        org_id = first_text(company, "cac:PartyIdentification/cbc:ID")
        if not org_id:
            raise ImportRejected(
                msg(
                    "{name}: organisation {number} has no identifier (OPT-200).",
                    name=name,
                    number=number,
                ),
                source=name,
            )
        names = by_language(company.findall("cac:PartyName/cbc:Name", NS))
        country = first_text(company, "cac:PostalAddress/cac:Country/cbc:IdentificationCode")
        national_id = " ".join(first_text(company, "cac:PartyLegalEntity/cbc:CompanyID").split())
        found[org_id] = Organisation(
            name=pick(names, lang3) or org_id,
            country=country_alpha2(country),
            national_id=national_id or None,
            size=first_text(company, "efbc:CompanySizeCode") or None,
        )
    return found


def notice_results(
    root: etree._Element,
    parties: dict[str, Organisation],
    published_on: date | None,
    name: str,
) -> NoticeResults | None:
    """The award results of the notice, or None when it has no ``efac:NoticeResult``."""
    result = root.find(f"{EXTENSION}/efac:NoticeResult", NS)
    if result is None:
        return None
    total, total_currency = _amount(result, "cbc:TotalAmount", "notice value (BT-161)", name)
    tenders = {first_text(e, "cbc:ID"): e for e in result.iterfind("efac:LotTender", NS)}
    tenderers = {
        first_text(party, "cbc:ID"): [
            first_text(tenderer, "cbc:ID") for tenderer in party.iterfind("efac:Tenderer", NS)
        ]
        for party in result.iterfind("efac:TenderingParty", NS)
    }
    contracts = {first_text(e, "cbc:ID"): e for e in result.iterfind("efac:SettledContract", NS)}
    lots: dict[str, LotResult] = {}
    dates: list[date] = []
    for element in result.iterfind("efac:LotResult", NS):
        lot = _lot_result(element, tenders, tenderers, parties, name)
        if lot.awarded:
            dates += _contract_dates(element, contracts)
        if lot.lot_id in lots:
            _merge_into(lots[lot.lot_id], lot)
        else:
            lots[lot.lot_id] = lot
    awarded = any(lot.awarded for lot in lots.values())
    return NoticeResults(
        total_value=total,
        total_currency=total_currency,
        lots=list(lots.values()),
        awarded_on=min(dates) if dates else (published_on if awarded else None),
    )


def _lot_result(
    element: etree._Element,
    tenders: dict[str, etree._Element],
    tenderers: dict[str, list[str]],
    parties: dict[str, Organisation],
    name: str,
) -> LotResult:
    lot_id = first_text(element, "efac:TenderLot/cbc:ID") or first_text(element, "cbc:ID")
    code = first_text(element, "cbc:TenderResultCode") or None
    if code is None and element.find("efac:SettledContract", NS) is not None:
        code = "selec-w"
    lot = LotResult(lot_id, code, tenders_received=_received(element, lot_id, name))
    if not lot.awarded:
        return lot
    values: list[tuple[float, str | None]] = []
    for reference in element.iterfind("efac:LotTender/cbc:ID", NS):
        tender = tenders.get((reference.text or "").strip())
        if tender is None:
            continue
        value, currency = _amount(
            tender,
            "cac:LegalMonetaryTotal/cbc:PayableAmount",
            f"{lot_id} tender value (BT-720)",
            name,
        )
        if value is not None:
            values.append((value, currency))
        party = first_text(tender, "efac:TenderingParty/cbc:ID")
        for org_id in tenderers.get(party, []):
            if org_id in parties:
                lot.winners.append(_winner(parties[org_id]))
    currencies = {currency for _, currency in values}
    if values and len(currencies) == 1:
        lot.awarded_value, lot.currency = sum(v for v, _ in values), currencies.pop()
    return lot


def _winner(organisation: Organisation) -> Winner:
    return Winner(
        name=organisation.name,
        country=organisation.country,
        org_identifier=organisation.national_id,
        sme=_SME_SIZES.get((organisation.size or "").lower()),
    )


def _received(element: etree._Element, lot_id: str, name: str) -> int | None:
    for statistics in element.iterfind("efac:ReceivedSubmissionsStatistics", NS):
        if first_text(statistics, "efbc:StatisticsCode") == "tenders":
            raw = first_text(statistics, "efbc:StatisticsNumeric")
            field = f"{lot_id} tenders received (BT-759)"
            count = checked_number(raw, field, name, COUNT)
            if count is not None and not count.is_integer():
                raise ImportRejected(
                    msg(
                        "{where}: {field} {value} is not a whole number of tenders.",
                        where=name,
                        field=field,
                        value=repr(raw),
                    ),
                    source=name,
                )
            return None if count is None else int(count)
    return None


def _contract_dates(element: etree._Element, contracts: dict[str, etree._Element]) -> list[date]:
    found = []
    for reference in element.iterfind("efac:SettledContract/cbc:ID", NS):
        contract = contracts.get((reference.text or "").strip())
        when = to_date(first_text(contract, "cbc:AwardDate")) or to_date(
            first_text(contract, "cbc:IssueDate")
        )
        if when is not None:
            found.append(when)
    return found


def _merge_into(lot: LotResult, more: LotResult) -> None:
    """A second LotResult of the same lot in one notice: its winners and value join the first."""
    lot.winners += more.winners
    if more.awarded:
        lot.result_code = "selec-w"
    if more.awarded_value is not None:
        if lot.awarded_value is None:
            lot.awarded_value, lot.currency = more.awarded_value, more.currency
        elif lot.currency == more.currency:
            lot.awarded_value += more.awarded_value
    if lot.tenders_received is None:
        lot.tenders_received = more.tenders_received


def _amount(
    element: etree._Element, path: str, field: str, name: str
) -> tuple[float | None, str | None]:
    found = element.find(path, NS)
    if found is None:
        return None, None
    value = checked_number(found.text, field, name, MONEY)
    return value, (found.get("currencyID") if value is not None else None)
