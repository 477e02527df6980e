"""eForms parsing: exact fields from our fixture, and every reason to reject a notice."""

from __future__ import annotations

from datetime import date

import pytest

from buyergroups.errors import ImportRejected
from buyergroups.ingest.eforms import parse_eforms
from buyergroups.ingest.records import AwardCriterion
from tests.ingest.paths import fixture_bytes

NOTICE_ID = "11111111-2222-4333-8444-555555555555"


def test_contract_notice_fields() -> None:
    tender = parse_eforms(fixture_bytes("cn_two_lots.xml"), "cn_two_lots.xml")
    assert (tender.source, tender.source_id) == ("eforms", NOTICE_ID)
    assert tender.title == "Circulair kantoormeubilair"  # the notice's own language (NLD)
    assert tender.titles == {"en": "Circular office furniture", "nl": "Circulair kantoormeubilair"}
    assert tender.language == "nl"
    assert tender.languages == ["nl", "en"]
    assert tender.description == "Levering van kantoormeubilair voor de stadskantoren."
    assert (tender.notice_type, tender.notice_subtype) == ("cn-standard", "16")
    assert tender.published_on == date(2024, 3, 5)  # publication date beats issue date
    assert (tender.buyer_name, tender.buyer_country) == ("Gemeente Utrecht", "NL")
    assert tender.cpv_codes == ["39130000", "39100000", "39113000", "39121100"]
    assert tender.procedure_type == "open"
    assert (tender.estimated_value, tender.currency) == (750000.0, "EUR")
    assert tender.strategic_procurement == ["env-imp"]  # "none" of lot 2 left out
    assert tender.environmental_impact == ["circ-econ"]
    assert tender.gpp_criteria == ["eu"]
    assert tender.social_objective == [] and tender.innovative_acquisition == []
    assert tender.changes_notice is None


def test_lots_and_award_criteria() -> None:
    lots = parse_eforms(fixture_bytes("cn_two_lots.xml")).lots
    assert [(lot.lot_id, lot.title, lot.cpv_codes, lot.estimated_value) for lot in lots] == [
        ("LOT-0001", "Bureaustoelen", ["39113000"], 500000.0),
        ("LOT-0002", "Bureaus", ["39121100"], 250000.0),
    ]
    assert lots[0].award_criteria == [
        AwardCriterion("price", "Prijs", "", 30.0),
        AwardCriterion(
            "quality",
            "Hergebruik van materialen",
            "Aandeel gerecyclede grondstoffen en de CO2-uitstoot over de levensduur.",
            70.0,
        ),
    ]
    assert lots[1].award_criteria == [AwardCriterion("cost", "Levenscycluskosten", "", None)]
    assert lots[0].conditions == [
        "De opdrachtnemer besteedt 5% van de opdrachtwaarde aan social return."
    ]


LOT_GROUP = """
  <cac:TenderingTerms><cac:LotDistribution><cac:LotsGroup>
    <cbc:LotsGroupID schemeName="LotsGroup">GLO-0001</cbc:LotsGroupID>
    <cac:ProcurementProjectLotReference><cbc:ID schemeName="Lot">LOT-0002</cbc:ID>
    </cac:ProcurementProjectLotReference>
  </cac:LotsGroup></cac:LotDistribution></cac:TenderingTerms>
  <cac:ProcurementProjectLot>
    <cbc:ID schemeName="LotsGroup">GLO-0001</cbc:ID>
    <cac:TenderingTerms><cac:AwardingTerms><cac:AwardingCriterion>
      <cac:SubordinateAwardingCriterion>
        <cbc:AwardingCriterionTypeCode listName="award-criterion-type">quality</cbc:AwardingCriterionTypeCode>
        <cbc:Name languageID="NLD">Emissievrije levering</cbc:Name>
      </cac:SubordinateAwardingCriterion>
    </cac:AwardingCriterion></cac:AwardingTerms></cac:TenderingTerms>
    <cac:ProcurementProject><cbc:Name languageID="NLD">Groep</cbc:Name>
      <cac:RequestedTenderTotal><cbc:EstimatedOverallContractAmount currencyID="EUR">999</cbc:EstimatedOverallContractAmount></cac:RequestedTenderTotal>
    </cac:ProcurementProject>
  </cac:ProcurementProjectLot>
</ContractNotice>"""


def test_award_criteria_of_a_lot_group_reach_its_lots() -> None:
    xml = fixture_bytes("cn_two_lots.xml").decode().replace("</ContractNotice>", LOT_GROUP)
    tender = parse_eforms(xml.encode())
    assert [lot.lot_id for lot in tender.lots] == ["LOT-0001", "LOT-0002"]  # a group is no lot
    assert [c.lots_group for c in tender.lots[0].award_criteria] == ["", ""]
    assert tender.lots[1].award_criteria == [
        AwardCriterion("cost", "Levenscycluskosten", "", None),
        AwardCriterion("quality", "Emissievrije levering", "", None, lots_group="GLO-0001"),
    ]
    assert tender.estimated_value == 750000.0


def test_change_notice_names_the_notice_it_changes() -> None:
    tender = parse_eforms(fixture_bytes("change_cn_two_lots.xml"))
    assert tender.source_id == "99999999-2222-4333-8444-555555555555"
    assert tender.changes_notice == NOTICE_ID  # the "-01" version suffix dropped


def _variant(*replacements: tuple[str, str]) -> bytes:
    text = fixture_bytes("cn_two_lots.xml").decode()
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new)
    return text.encode()


MAIN_CPV = '<cac:MainCommodityClassification><cbc:ItemClassificationCode listName="cpv">39130000'
ORG_ID = '<cbc:ID schemeName="organization">ORG-0001</cbc:ID></cac:PartyIdentification>\n'


@pytest.mark.parametrize(
    ("replacements", "reason"),
    [
        ([(f">{NOTICE_ID}<", "><")], "the notice has no notice id (BT-701)"),
        (
            [
                ("Circular office furniture", ""),
                (
                    "Circulair kantoormeubilair</cbc:Name>\n    <cbc:Desc",
                    "</cbc:Name>\n    <cbc:Desc",
                ),
            ],
            "the notice has no procedure title (BT-21)",
        ),
        (
            [(MAIN_CPV, MAIN_CPV.replace("39130000", ""))],
            "the notice has no main CPV code (BT-262)",
        ),
        (
            [(ORG_ID, ORG_ID.replace("ORG-0001", ""))],
            "organisation 1 has no identifier (OPT-200)",
        ),
        (
            [('currencyID="EUR">750000<', 'currencyID="EUR">lots<')],
            "x.xml: estimated value (BT-27) 'lots' is not a number.",
        ),
        (
            [("<ContractNotice ", "<Invoice "), ("</ContractNotice>", "</Invoice>")],
            "not an eForms notice (root element <Invoice>",
        ),
    ],
)
def test_rejections_name_the_reason(replacements: list[tuple[str, str]], reason: str) -> None:
    with pytest.raises(ImportRejected) as caught:
        parse_eforms(_variant(*replacements), "x.xml")
    assert str(caught.value).startswith("x.xml: ")
    assert reason in str(caught.value)


def test_xml_bomb_is_refused_before_parsing() -> None:
    with pytest.raises(ImportRejected, match=r"DOCTYPE or entities.*possible XML bomb"):
        parse_eforms(fixture_bytes("xml_bomb.xml"), "xml_bomb.xml")


def test_external_entity_is_refused() -> None:
    data = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b"<ContractNotice>&e;</ContractNotice>"
    )
    with pytest.raises(ImportRejected, match="DOCTYPE"):
        parse_eforms(data, "xxe.xml")


def test_truncated_xml_is_refused() -> None:
    with pytest.raises(ImportRejected, match=r"^truncated.xml: not well-formed XML"):
        parse_eforms(fixture_bytes("truncated.xml"), "truncated.xml")
