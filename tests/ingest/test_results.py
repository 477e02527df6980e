"""Award results: eForms NoticeResult, OCDS awards/contracts/bids, and composing them per lot."""

from __future__ import annotations

from datetime import date

import pytest

from buyergroups import db
from buyergroups.errors import ImportRejected
from buyergroups.ingest import loader, ocds
from buyergroups.ingest.eforms import parse_eforms
from buyergroups.ingest.procedures import (
    NoticeMeta,
    compose_results,
    notice_role,
    results_from_json,
    results_json,
)
from buyergroups.ingest.records import LotResult, NoticeResults, Winner
from buyergroups.ingest.sources import Limits, Source, sources_from_paths
from tests.ingest.paths import FIXTURES, fixture_bytes


def test_award_notice_with_a_framework_lot_and_an_unsuccessful_lot() -> None:
    results = parse_eforms(fixture_bytes("can_furniture.xml"), "can.xml").results
    assert results == NoticeResults(
        total_value=200000.0,
        total_currency="EUR",
        lots=[
            LotResult(
                "LOT-0001",
                "selec-w",
                awarded_value=200000.0,  # the two winning tenders, 120,000 + 80,000
                currency="EUR",
                tenders_received=4,
                winners=[
                    Winner("Zitwerk Kantoorinrichting B.V.", "NL", "TEST-KVK 1111 1111", True),
                    Winner("Meubelfabriek Oost", "NL", None, True),  # a group of two tenderers
                    Winner("ReMake GmbH", "DE", "HRB 99999", False),
                ],
            ),
            # closed without a winner: its ranked tender (90,000) is no award
            LotResult("LOT-0002", "clos-nw", tenders_received=2),
        ],
        awarded_on=date(2024, 6, 20),  # the contract award date, before conclusion (06-28)
    )


def test_award_notice_without_statistics_value_or_dates() -> None:
    results = parse_eforms(fixture_bytes("can_no_statistics.xml"), "can.xml").results
    assert results == NoticeResults(
        lots=[
            LotResult(
                "LOT-0001",
                "selec-w",
                awarded_value=45000.5,
                currency="EUR",
                winners=[Winner("Groenbeheer Noord B.V.", "NL")],
            )
        ],
        awarded_on=date(2024, 9, 15),  # no contract dates: the publication date
    )


def test_a_contract_notice_has_no_results() -> None:
    assert parse_eforms(fixture_bytes("cn_two_lots.xml"), "cn.xml").results is None


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        (
            '<cbc:PayableAmount currencyID="EUR">120000</cbc:PayableAmount>',
            '<cbc:PayableAmount currencyID="EUR">lots</cbc:PayableAmount>',
            "can.xml: LOT-0001 tender value (BT-720) 'lots' is not a number.",
        ),
        (
            '<cbc:TotalAmount currencyID="EUR">200000</cbc:TotalAmount>',
            '<cbc:TotalAmount currencyID="EUR">-5</cbc:TotalAmount>',
            "can.xml: notice value (BT-161) '-5' is not a finite number from 0 to"
            " 1,000,000,000,000,000.",
        ),
        (
            "<efbc:StatisticsNumeric>4</efbc:StatisticsNumeric>",
            "<efbc:StatisticsNumeric>4.5</efbc:StatisticsNumeric>",
            "can.xml: LOT-0001 tenders received (BT-759) '4.5' is not a whole number of tenders.",
        ),
    ],
)
def test_bad_result_numbers_refuse_the_notice(old: str, new: str, reason: str) -> None:
    text = fixture_bytes("can_furniture.xml").decode("utf-8")
    assert old in text
    with pytest.raises(ImportRejected) as refused:
        parse_eforms(text.replace(old, new, 1).encode("utf-8"), "can.xml")
    assert str(refused.value) == reason


def test_results_survive_their_json() -> None:
    results = parse_eforms(fixture_bytes("can_furniture.xml"), "can.xml").results
    assert results_from_json(results_json(results)) == results
    assert results_json(None) is None and results_from_json(None) is None


@pytest.mark.parametrize(
    ("source", "notice_type", "role"),
    [
        ("eforms", "pin-only", "pin"),
        ("eforms", "pin-cfc-standard", "cn"),
        ("eforms", "cn-social", "cn"),
        ("eforms", "subco", "cn"),
        ("eforms", "can-standard", "can"),
        ("eforms", "veat", "can"),
        ("eforms", "can-modif", "modification"),
        ("eforms", "pmc", "other"),
        ("eforms", None, "other"),
        ("ocds", "planning", "pin"),
        ("ocds", "tender,tenderAmendment", "cn"),
        ("ocds", "award,contract", "can"),
        ("ocds", "compiled", "other"),
        ("csv", None, "cn"),
    ],
)
def test_notice_roles(source: str, notice_type: str | None, role: str) -> None:
    assert notice_role(notice_type, source) == role


def _lot(lot_id: str, code: str, value: float | None, received: int | None = None) -> LotResult:
    return LotResult(lot_id, code, value, "EUR" if value is not None else None, received)


def test_each_lot_takes_its_latest_current_result_and_totals_count_once() -> None:
    first = NoticeMeta("can-1", "can-standard", date(2024, 3, 1))
    second = NoticeMeta("can-2", "can-standard", date(2024, 5, 1))
    notices = [
        (second, NoticeResults(50.0, "EUR", [_lot("L2", "selec-w", 50.0, 3)], date(2024, 4, 20))),
        (
            first,
            NoticeResults(
                100.0,
                "EUR",
                [_lot("L1", "selec-w", 100.0, 5), _lot("L2", "open-nw", None)],
                date(2024, 2, 10),
            ),
        ),
    ]
    composite = compose_results(notices)
    assert [(lot.lot_id, lot.result_code) for lot in composite.lots] == [
        ("L1", "selec-w"),
        ("L2", "selec-w"),
    ]
    assert (
        composite.awarded_value,
        composite.notice_total_value,
        composite.tenders_received,
        composite.lots_awarded,
        composite.awarded_on,
    ) == (150.0, 150.0, 8, 2, date(2024, 2, 10))
    # A change notice of the first award notice replaces all of it.
    change = NoticeMeta("can-1-fix", "can-standard", date(2024, 6, 1), changes_notice_id="can-1")
    fixed = NoticeResults(90.0, "EUR", [_lot("L1", "selec-w", 90.0)], date(2024, 2, 11))
    composite = compose_results([*notices, (change, fixed)])
    assert [(lot.lot_id, lot.awarded_value, lot.tenders_received) for lot in composite.lots] == [
        ("L2", 50.0, 3),
        ("L1", 90.0, None),
    ]
    assert (composite.awarded_value, composite.notice_total_value, composite.tenders_received) == (
        140.0,
        140.0,
        3,
    )


def test_a_notice_whose_lots_are_all_superseded_no_longer_counts_its_total() -> None:
    can = NoticeMeta("can", "can-standard", date(2024, 1, 1))
    modification = NoticeMeta("mod", "can-modif", date(2024, 9, 1))
    composite = compose_results(
        [
            (can, NoticeResults(100.0, "EUR", [_lot("L1", "selec-w", 100.0, 4)])),
            (modification, NoticeResults(130.0, "EUR", [_lot("L1", "selec-w", 130.0)])),
        ]
    )
    assert (composite.notice_total_value, composite.awarded_value, composite.tenders_received) == (
        130.0,
        130.0,
        None,
    )


def test_awarded_value_falls_back_to_the_notice_value_and_mixed_currencies_give_none() -> None:
    meta = NoticeMeta("veat", "veat", date(2024, 1, 1))
    only_total = NoticeResults(350.0, "EUR", [LotResult("L1", "selec-w")])
    assert compose_results([(meta, only_total)]).awarded_value == 350.0
    mixed = NoticeResults(
        None,
        None,
        [LotResult("L1", "selec-w", 1.0, "EUR"), LotResult("L2", "selec-w", 1.0, "GBP")],
    )
    composite = compose_results([(meta, mixed)])
    assert (composite.awarded_value, composite.awarded_currency, composite.lots_awarded) == (
        None,
        None,
        2,
    )
    nothing = compose_results([(meta, NoticeResults(None, None, [LotResult("L1", "clos-nw")]))])
    assert (nothing.awarded_value, nothing.lots_awarded, nothing.awarded_on) == (None, 0, None)


def _ocds(conn, *names: str) -> loader.BatchSummary:
    paths = [FIXTURES / name for name in names]
    return loader.import_sources(
        conn, "ocds", sources_from_paths(paths, "ocds", Limits()), None, system=True
    )


OCDS_WINNERS = [
    ("L1", 1, "Veeg BV", "NL", "TEST-2222", True),
    ("L1", 2, "CleanMotion AB", "SE", "556000-0000", False),  # country from scheme SE-BLV
]


@pytest.mark.parametrize(
    "names",
    [
        ("ocds_award_tender.json", "ocds_award_award.json"),
        ("ocds_award_award.json", "ocds_award_tender.json"),
    ],
    ids=["tender first", "award first"],
)
def test_ocds_awards_contracts_and_bid_statistics(conn, names) -> None:
    assert _ocds(conn, *names).rejected == []
    with db.reading(conn) as cur:
        assert db.row(
            cur,
            "SELECT title, buyer_name, buyer_national_id, lot_count, awarded_value,"
            " awarded_currency, tenders_received, lots_awarded, awarded_on FROM tenders",
        ) == {
            "title": "Elektrische veegmachines",
            "buyer_name": "Gemeente Rotterdam",
            "buyer_national_id": "TEST-0000-0003",
            "lot_count": 2,
            "awarded_value": 280000.0,  # the signed contract's value, not the award's 300,000
            "awarded_currency": "EUR",
            "tenders_received": 6,  # "bids" per lot: 5 + 1 ("validBids" does not count)
            "lots_awarded": 1,
            "awarded_on": date(2024, 4, 28),  # contract signed
        }
        assert cur.execute(
            "SELECT lot_id, result_code, awarded_value, tenders_received"
            " FROM tender_lot_results ORDER BY lot_id"
        ).fetchall() == [("L1", "selec-w", 280000.0, 5), ("L2", "clos-nw", None, 1)]
        assert (
            cur.execute(
                "SELECT lot_id, position, name, country, org_identifier, sme FROM tender_winners"
                " ORDER BY position"
            ).fetchall()
            == OCDS_WINNERS
        )
        assert cur.execute(
            "SELECT notice_id, notice_type FROM tender_notices ORDER BY published_on"
        ).fetchall() == [
            ("ocds-test-0100-tender", "tender"),
            ("ocds-test-0100-award", "award,contract"),
        ]


def test_an_award_release_alone_stands_under_its_award_title(conn) -> None:
    summary = _ocds(conn, "ocds_award_award.json")
    assert (summary.imported, summary.rejected) == (1, [])
    with db.reading(conn) as cur:
        assert db.row(cur, "SELECT title, lot_count, lots_awarded FROM tenders") == {
            "title": "Gunning veegmachines",
            "lot_count": 0,
            "lots_awarded": 1,
        }


def test_a_contract_release_alone_stands_under_its_contract_title() -> None:
    release = {
        "ocid": "ocds-c",
        "date": "2024-06-01",
        "tag": ["contract"],
        "contracts": [{"id": "C9", "title": "  Schoonmaak   stadhuis ", "status": "active"}],
        "bids": {"statistics": [{"id": "s", "measure": "bids", "value": 3}]},
    }
    tender = ocds.release_to_tender(release, "contract.json")
    assert tender.title == "Schoonmaak stadhuis"
    assert tender.results == NoticeResults(lots=[LotResult("tender", tenders_received=3)])


def test_ocds_tenderers_count_when_there_are_no_bid_statistics() -> None:
    release = {
        "ocid": "ocds-n",
        "tender": {"title": "Fietspaden", "numberOfTenderers": 2},
        "awards": [
            {"id": "a", "status": "pending", "suppliers": [{"id": "x", "name": "Pad BV"}]},
            {"id": "b", "status": "cancelled", "relatedLots": ["L9"]},
        ],
    }
    # The process's count stands on the result for the whole process ("tender").
    assert ocds.release_to_tender(release, "r.json").results == NoticeResults(
        lots=[
            LotResult("tender", "pending", tenders_received=2, winners=[Winner("Pad BV")]),
            LotResult("L9", "cancelled"),
        ]
    )


@pytest.mark.parametrize(
    ("part", "reason"),
    [
        (
            b'"bids": {"statistics": [{"id": "1", "measure": "bids", "value": "many"}]}',
            "bad.json (process ocds-bad): bids.statistics[0].value 'many' is not a number.",
        ),
        (
            b'"bids": {"statistics": [{"id": "1", "measure": "bids", "value": 2.5}]}',
            "bad.json (process ocds-bad): bids.statistics[0].value 2.5 is not a whole number"
            " of tenders.",
        ),
        (
            b'"awards": [{"id": "a", "status": "active", "value": {"amount": -3}}]',
            "bad.json (process ocds-bad): awards[0].value.amount -3 is not a finite number"
            " from 0 to 1,000,000,000,000,000.",
        ),
    ],
)
def test_bad_ocds_result_numbers_refuse_the_file(conn, part: bytes, reason: str) -> None:
    data = b'{"releases": [{"ocid": "ocds-bad", "tender": {"title": "T"}, ' + part + b"}]}"
    summary = loader.import_sources(
        conn, "ocds", [Source("bad.json", lambda: data)], None, system=True
    )
    assert [r.message for r in summary.rejected] == [reason]
