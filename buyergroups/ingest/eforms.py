"""Parse one EU eForms notice (UBL XML, as published on TED) into a :class:`Tender`.

The XML parser never expands entities, never loads a DTD and never touches the
network; a document with a DOCTYPE or an entity declaration is refused outright,
which closes the door to XML bombs and external-entity tricks. Lots are read one
``ProcurementProjectLot`` at a time from the parsed tree, so a 100-lot notice is
walked once.

A notice without a notice id (BT-701), a procedure title (BT-21) or a main CPV
code (BT-262) is rejected, as is one whose organisations lack identifiers, and
one whose estimated value (BT-27) or award-criterion weight (BT-541) is not a
finite number inside its range (:mod:`buyergroups.ingest.numbers`). An award
notice's results are read by :mod:`buyergroups.ingest.eforms_results`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from lxml import etree

from buyergroups.errors import ImportRejected, msg
from buyergroups.ingest.codes import cpv8, language_1, unique
from buyergroups.ingest.eforms_results import Organisation, notice_results, organisations
from buyergroups.ingest.numbers import MONEY, WEIGHT, checked_number
from buyergroups.ingest.records import AwardCriterion, Buyer, Lot, Tender
from buyergroups.ingest.ubl import EXTENSION as _EXT
from buyergroups.ingest.ubl import NS
from buyergroups.ingest.ubl import by_language as _by_language
from buyergroups.ingest.ubl import first_text as _text
from buyergroups.ingest.ubl import pick as _pick
from buyergroups.ingest.ubl import to_date as _date

NOTICE_ROOTS = ("ContractNotice", "ContractAwardNotice", "PriorInformationNotice")
STRATEGIC_LISTS = {
    "strategic-procurement": "strategic_procurement",
    "environmental-impact": "environmental_impact",
    "social-objective": "social_objective",
    "innovative-acquisition": "innovative_acquisition",
    "gpp-criteria": "gpp_criteria",
}
_VERSIONED_ID = re.compile(r"^([0-9a-fA-F-]{36})-\d{2}$")


def secure_parser() -> etree.XMLParser:
    """An lxml parser that expands no entities, loads no DTD and uses no network."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_xml(data: bytes, name: str) -> etree._Element:
    """The root element of ``data``; ImportRejected for a DOCTYPE, entities or broken XML."""
    head = data[:4096]
    if b"<!DOCTYPE" in head or b"<!ENTITY" in data:
        raise ImportRejected(
            msg(
                "{name}: the XML declares a DOCTYPE or entities, which notices never do; "
                "refused for safety (possible XML bomb).",
                name=name,
            ),
            source=name,
        )
    try:
        root = etree.fromstring(data, secure_parser())
    except etree.XMLSyntaxError as exc:
        raise ImportRejected(
            msg("{name}: not well-formed XML ({error}).", name=name, error=str(exc)), source=name
        ) from exc
    if root.getroottree().docinfo.doctype:
        raise ImportRejected(
            msg("{name}: the XML declares a DOCTYPE; refused for safety.", name=name), source=name
        )
    return root


def parse_eforms(data: bytes, name: str = "notice") -> Tender:
    """The tender in one eForms notice; ImportRejected with the reason when it is unusable."""
    root = parse_xml(data, name)
    kind = etree.QName(root).localname
    if kind not in NOTICE_ROOTS:
        raise ImportRejected(
            msg(
                "{name}: not an eForms notice (root element <{element}>; expected one of "
                "{expected}).",
                name=name,
                element=kind,
                expected=", ".join(NOTICE_ROOTS),
            ),
            source=name,
        )
    notice_id = _text(root, "cbc:ID")
    if not notice_id:
        raise ImportRejected(
            msg("{name}: the notice has no notice id (BT-701).", name=name), source=name
        )
    lang3 = _text(root, "cbc:NoticeLanguageCode")
    project = root.find("cac:ProcurementProject", NS)
    titles = _by_language(project.findall("cbc:Name", NS)) if project is not None else {}
    if not titles:
        raise ImportRejected(
            msg("{name}: the notice has no procedure title (BT-21).", name=name), source=name
        )
    main_cpv = _cpvs(project, "cac:MainCommodityClassification")
    if not main_cpv:
        raise ImportRejected(
            msg("{name}: the notice has no main CPV code (BT-262).", name=name), source=name
        )
    lots = [_lot(element, lang3, name) for element in _lot_elements(root)]
    _add_lot_group_criteria(root, lots, lang3, name)
    parties = organisations(root, lang3, name)
    tender = Tender(
        source="eforms",
        source_id=notice_id,
        title=_pick(titles, lang3),
        description=_pick(_by_language(project.findall("cbc:Description", NS)), lang3),
        notice_type=_text(root, "cbc:NoticeTypeCode") or None,
        notice_subtype=_text(root, f"{_EXT}/efac:NoticeSubType/cbc:SubTypeCode") or None,
        published_on=_date(
            _text(root, f"{_EXT}/efac:Publication/efbc:PublicationDate")
            or _text(root, "cbc:IssueDate")
        ),
        language=language_1(lang3) if lang3 else language_1(next(iter(titles))),
        languages=_languages(root, lang3, titles),
        titles={language_1(key) or key: text for key, text in titles.items()},
        buyers=_buyers(parties, root, name),
        cpv_codes=unique(
            main_cpv
            + _cpvs(project, "cac:AdditionalCommodityClassification")
            + [code for lot in lots for code in lot.cpv_codes]
        ),
        procedure_type=_text(root, "cac:TenderingProcess/cbc:ProcedureCode") or None,
        lots=lots,
        changes_notice=_changed_notice(root),
        contract_folder_id=_text(root, "cbc:ContractFolderID") or None,
    )
    tender.estimated_value, tender.currency = _amount(project, name, _AMOUNT_FIELD)
    if tender.estimated_value is None:
        tender.estimated_value, tender.currency = _sum_of_lots(lots)
    _strategic(tender, root, lang3)
    tender.results = notice_results(root, parties, tender.published_on, name)
    return tender


def _languages(root: etree._Element, lang3: str, titles: dict[str, str]) -> list[str]:
    codes = [
        lang3,
        *(_text(el, "cbc:ID") for el in root.findall("cac:AdditionalNoticeLanguage", NS)),
    ]
    codes += list(titles)
    return unique([language_1(code) or "" for code in codes])


def _cpvs(element: etree._Element | None, path: str) -> list[str]:
    if element is None:
        return []
    found = element.findall(f"{path}/cbc:ItemClassificationCode", NS)
    return unique([cpv8(code.text) or "" for code in found])


_AMOUNT_PATH = "cac:RequestedTenderTotal/cbc:EstimatedOverallContractAmount"
_AMOUNT_FIELD = "estimated value (BT-27)"


def _amount(
    element: etree._Element | None, name: str, field: str
) -> tuple[float | None, str | None]:
    """The estimated value (BT-27) and its currency; ImportRejected for a bad number."""
    found = element.find(_AMOUNT_PATH, NS) if element is not None else None
    if found is None:
        return None, None
    value = checked_number(found.text, field, name, MONEY)
    return value, (found.get("currencyID") if value is not None else None)


def _sum_of_lots(lots: list[Lot]) -> tuple[float | None, str | None]:
    valued = [lot for lot in lots if lot.estimated_value is not None]
    currencies = {lot.currency for lot in valued}
    if not valued or len(currencies) != 1:
        return None, None
    return sum(lot.estimated_value or 0.0 for lot in valued), currencies.pop()


def _buyers(organisations: dict[str, Organisation], root: etree._Element, name: str) -> list[Buyer]:
    buyers = []
    for party in root.findall("cac:ContractingParty/cac:Party/cac:PartyIdentification/cbc:ID", NS):
        org_id = (party.text or "").strip()
        if org_id not in organisations:
            raise ImportRejected(
                msg(
                    "{name}: buyer {buyer} is not among the notice's organisations.",
                    name=name,
                    buyer=org_id or msg("(empty)"),
                ),
                source=name,
            )
        found = organisations[org_id]
        buyers.append(Buyer(found.name, found.country, found.national_id))
    return buyers


def _changed_notice(root: etree._Element) -> str | None:
    changed = _text(root, f"{_EXT}/efac:Changes/efbc:ChangedNoticeIdentifier")
    if not changed:
        return None
    match = _VERSIONED_ID.match(changed)
    return match.group(1) if match else changed


def _lot_elements(root: etree._Element, *, groups: bool = False) -> Iterable[etree._Element]:
    """The lots of the notice, or (``groups=True``) its groups of lots (GLO-xxxx)."""
    for element in root.iterfind("cac:ProcurementProjectLot", NS):
        found = element.find("cbc:ID", NS)
        if found is not None and (found.get("schemeName") == "LotsGroup") == groups:
            yield element


def _add_lot_group_criteria(root: etree._Element, lots: list[Lot], lang3: str, name: str) -> None:
    """Append to each lot the award criteria set on the groups it belongs to (BG-330)."""
    criteria = {
        group_id: _award_criteria(element.find("cac:TenderingTerms", NS), lang3, name, group_id)
        for element in _lot_elements(root, groups=True)
        for group_id in [_text(element, "cbc:ID")]
    }
    groups_of: dict[str, list[str]] = {}
    path = "cac:TenderingTerms/cac:LotDistribution/cac:LotsGroup"
    for group in root.iterfind(path, NS):
        group_id = _text(group, "cbc:LotsGroupID")
        for lot_id in group.iterfind("cac:ProcurementProjectLotReference/cbc:ID", NS):
            groups_of.setdefault((lot_id.text or "").strip(), []).append(group_id)
    for lot in lots:
        for group_id in groups_of.get(lot.lot_id, []):
            lot.award_criteria.extend(
                replace(criterion, lots_group=group_id) for criterion in criteria.get(group_id, [])
            )


def _lot(element: etree._Element, lang3: str, name: str) -> Lot:
    project = element.find("cac:ProcurementProject", NS)
    terms = element.find("cac:TenderingTerms", NS)
    lot_id = _text(element, "cbc:ID")
    value, currency = _amount(project, name, f"{lot_id} {_AMOUNT_FIELD}")
    return Lot(
        lot_id=lot_id,
        title=_pick(_by_language(project.findall("cbc:Name", NS)), lang3)
        if project is not None
        else "",
        description=(
            _pick(_by_language(project.findall("cbc:Description", NS)), lang3)
            if project is not None
            else ""
        ),
        cpv_codes=unique(
            _cpvs(project, "cac:MainCommodityClassification")
            + _cpvs(project, "cac:AdditionalCommodityClassification")
        ),
        estimated_value=value,
        currency=currency,
        award_criteria=_award_criteria(terms, lang3, name, lot_id),
        conditions=_conditions(terms, lang3),
    )


def _award_criteria(
    terms: etree._Element | None, lang3: str, name: str, lot_id: str
) -> list[AwardCriterion]:
    if terms is None:
        return []
    path = "cac:AwardingTerms/cac:AwardingCriterion/cac:SubordinateAwardingCriterion"
    return [
        _criterion(element, lang3, name, f"{lot_id} award criterion {number} weight (BT-541)")
        for number, element in enumerate(terms.findall(path, NS), start=1)
    ]


def _criterion(element: etree._Element, lang3: str, name: str, field: str) -> AwardCriterion:
    weight = None
    for parameter in element.iterfind(".//efac:AwardCriterionParameter", NS):
        code = parameter.find("efbc:ParameterCode", NS)
        if code is not None and code.get("listName") == "number-weight":
            weight = checked_number(_text(parameter, "efbc:ParameterNumeric"), field, name, WEIGHT)
    return AwardCriterion(
        criterion_type=_text(element, "cbc:AwardingCriterionTypeCode"),
        name=_pick(_by_language(element.findall("cbc:Name", NS)), lang3),
        description=_pick(_by_language(element.findall("cbc:Description", NS)), lang3),
        weight=weight,
    )


def _conditions(terms: etree._Element | None, lang3: str) -> list[str]:
    if terms is None:
        return []
    texts = []
    for requirement in terms.findall("cac:ContractExecutionRequirement", NS):
        code = requirement.find("cbc:ExecutionRequirementCode", NS)
        if code is not None and code.get("listName") == "conditions":
            text = _pick(_by_language(requirement.findall("cbc:Description", NS)), lang3)
            if text:
                texts.append(text)
    return texts


def _strategic(tender: Tender, root: etree._Element, lang3: str) -> None:
    """Collect BT-06/774/775/776/805 codes from the procedure and every lot ("none" left out)."""
    found: dict[str, list[str]] = {attribute: [] for attribute in STRATEGIC_LISTS.values()}
    path = "cac:ProcurementProject/cac:ProcurementAdditionalType"
    holders = [root, *_lot_elements(root)]
    for holder in holders:
        for additional in holder.findall(path, NS):
            code = additional.find("cbc:ProcurementTypeCode", NS)
            attribute = STRATEGIC_LISTS.get(code.get("listName", "")) if code is not None else None
            if attribute is None:
                continue
            value = (code.text or "").strip()
            if value and value != "none":
                found[attribute].append(value)
            described = _pick(_by_language(additional.findall("cbc:ProcurementType", NS)), lang3)
            if described:
                tender.texts[f"{value} description (BT-777)"] = described
    for attribute, codes in found.items():
        setattr(tender, attribute, unique(codes))
