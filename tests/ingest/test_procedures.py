"""The procedure join: a procedure's notices make one procurement, whatever the import order."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from itertools import permutations
from pathlib import Path

import pytest

from buyergroups import db, tenders
from buyergroups.ingest import loader
from buyergroups.ingest.sources import Limits, sources_from_paths
from buyergroups.tenders import TenderFilter
from tests.ingest.paths import FIXTURES

FOLDER = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
PIN = "00000000-2222-4333-8444-555555555555"
CN = "11111111-2222-4333-8444-555555555555"
CHANGE = "99999999-2222-4333-8444-555555555555"
CAN = "77777777-2222-4333-8444-555555555555"
NOTICES = {
    "pin": "pin_furniture.xml",
    "cn": "cn_two_lots.xml",
    "change": "change_cn_two_lots.xml",
    "can": "can_furniture.xml",
}

WINNERS = [
    {
        "lot_id": "LOT-0001",
        "position": 1,
        "name": "Zitwerk Kantoorinrichting B.V.",
        "country": "NL",
        "org_identifier": "TEST-KVK 1111 1111",
        "sme": True,
    },
    {
        "lot_id": "LOT-0001",
        "position": 2,
        "name": "Meubelfabriek Oost",
        "country": "NL",
        "org_identifier": None,
        "sme": True,
    },
    {
        "lot_id": "LOT-0001",
        "position": 3,
        "name": "ReMake GmbH",
        "country": "DE",
        "org_identifier": "HRB 99999",
        "sme": False,
    },
]
# The procurement all four notices make: the description from the changed contract notice,
# the results from the award notice, the life cycle of all four.
EXPECTED = {
    "source_id": CN,
    "procedure_id": FOLDER,
    "last_notice_id": CHANGE,
    "title": "Circulair kantoormeubilair (gewijzigd)",
    "notice_type": "cn-standard",
    "published_on": date(2024, 4, 2),
    "cpv_codes": ["39130000", "39100000", "39113000", "39121100"],
    "lot_count": 2,
    "buyer_name": "Gemeente Utrecht",
    "buyer_national_id": "TEST-KVK 0000 0001",  # lent by the notices that state it
    "estimated_value": 750000.0,
    "mvi_themes": ["climate", "circular", "social_return"],
    "awarded_value": 200000.0,
    "awarded_currency": "EUR",
    "notice_total_value": 200000.0,
    "notice_total_currency": "EUR",
    "tenders_received": 6,
    "lots_awarded": 1,
    "awarded_on": date(2024, 6, 20),
    "lots": [("LOT-0001", "Bureaustoelen"), ("LOT-0002", "Bureaus")],
    "notices": [
        (PIN, "pin-only", date(2024, 1, 10), None, False),
        (CN, "cn-standard", date(2024, 3, 5), None, False),
        (CHANGE, "cn-standard", date(2024, 4, 2), CN, False),
        (CAN, "can-standard", date(2024, 7, 1), None, True),
    ],
    "results": [
        ("LOT-0001", "selec-w", 200000.0, "EUR", 4),
        ("LOT-0002", "clos-nw", None, None, 2),
    ],
    "winners": WINNERS,
}


def _import(conn, *names: str, kind: str = "eforms") -> loader.BatchSummary:
    paths = [FIXTURES / name for name in names]
    return loader.import_sources(
        conn, kind, sources_from_paths(paths, kind, Limits()), None, system=True
    )


def procurement(conn) -> dict:
    """The one stored procurement: its row, lots, life cycle, lot results and winners."""
    with db.reading(conn) as cur:
        (found,) = db.rows(
            cur,
            "SELECT source_id, procedure_id, last_notice_id, title, notice_type, published_on,"
            " cpv_codes, lot_count, buyer_name, buyer_national_id, estimated_value, mvi_themes,"
            " awarded_value,"
            " awarded_currency, notice_total_value, notice_total_currency, tenders_received,"
            " lots_awarded, awarded_on, id FROM tenders",
        )
        tender_id = found.pop("id")
        found["lots"] = cur.execute(
            "SELECT lot_id, title FROM tender_lots WHERE tender_id = ? ORDER BY position",
            [tender_id],
        ).fetchall()
        found["notices"] = cur.execute(
            "SELECT notice_id, notice_type, published_on, changes_notice_id, results IS NOT NULL"
            " FROM tender_notices WHERE tender_id = ? ORDER BY published_on",
            [tender_id],
        ).fetchall()
        found["results"] = cur.execute(
            "SELECT lot_id, result_code, awarded_value, currency, tenders_received"
            " FROM tender_lot_results WHERE tender_id = ? ORDER BY lot_id",
            [tender_id],
        ).fetchall()
        found["winners"] = db.rows(
            cur,
            "SELECT lot_id, position, name, country, org_identifier, sme FROM tender_winners"
            " WHERE tender_id = ? ORDER BY lot_id, position",
            [tender_id],
        )
    return found


@pytest.mark.parametrize("order", list(permutations(NOTICES)), ids="-".join)
def test_four_notices_in_any_order_make_the_same_procurement(db_path: Path, order) -> None:
    conn = db.connect(db_path)
    try:
        for stage in order:
            summary = _import(conn, NOTICES[stage])
            assert summary.rejected == [], summary.text()
        assert procurement(conn) == EXPECTED
    finally:
        conn.close()


def test_what_each_notice_does_to_the_procurement(conn) -> None:
    order = ["cn", "pin", "can", "change", "cn"]
    outcomes = [
        (summary.imported, summary.updated, summary.unchanged)
        for stage in order
        for summary in [_import(conn, NOTICES[stage])]
    ]
    # The contract notice starts the procurement; the older prior information changes
    # nothing shown; the award notice brings results; the change rewrites the description;
    # the original again changes nothing.
    assert outcomes == [(1, 0, 0), (0, 0, 1), (0, 1, 0), (0, 1, 0), (0, 0, 1)]
    assert procurement(conn) == EXPECTED
    with db.reading(conn) as cur:
        assert db.value(cur, "SELECT count(*) FROM tender_notices") == 4


def test_one_batch_of_the_whole_life_cycle(conn, tmp_path: Path) -> None:
    for name in NOTICES.values():
        (tmp_path / name).write_bytes((FIXTURES / name).read_bytes())
    summary = _import_folder(conn, tmp_path)
    assert (summary.imported, summary.rejected) == (1, [])
    assert procurement(conn) == EXPECTED
    again = _import_folder(conn, tmp_path)
    assert again.imported == 0
    assert procurement(conn) == EXPECTED


def _import_folder(conn, folder: Path) -> loader.BatchSummary:
    return loader.import_sources(
        conn, "eforms", sources_from_paths([folder], "eforms", Limits()), None, system=True
    )


def test_the_id_stays_while_notices_arrive_and_any_notice_id_finds_it(conn, world) -> None:
    _import(conn, "pin_furniture.xml")
    with db.reading(conn) as cur:
        first = db.value(cur, "SELECT id FROM tenders")
    _import(conn, "cn_two_lots.xml", "can_furniture.xml")
    for notice_id in (PIN, CN, CAN, FOLDER):
        found = tenders.search(conn, world.member, TenderFilter(text=notice_id))
        assert [row["id"] for row in found] == [first], notice_id


def test_detail_shows_the_life_cycle_and_the_results(conn, world) -> None:
    _import(conn, *NOTICES.values())
    (found,) = tenders.search(conn, world.member, TenderFilter(text=CAN))
    detail = tenders.detail(conn, world.member, found["id"])
    assert [(n["stage"], n["notice_id"], n["describes"]) for n in detail["notices"]] == [
        ("pin", PIN, False),
        ("cn", CN, False),
        ("change", CHANGE, True),
        ("can", CAN, False),
    ]
    assert [
        (lot["lot_id"], lot["result_code"], [w["name"] for w in lot["winners"]])
        for lot in detail["lot_results"]
    ] == [
        (
            "LOT-0001",
            "selec-w",
            ["Zitwerk Kantoorinrichting B.V.", "Meubelfabriek Oost", "ReMake GmbH"],
        ),
        ("LOT-0002", "clos-nw", []),
    ]
    assert detail["buyer_organisation"] is None


def test_export_adds_procedure_and_results_fields(conn) -> None:
    _import(conn, *NOTICES.values(), "can_no_statistics.xml")
    out = io.StringIO()
    assert tenders.export_tenders(conn, "jsonl", out) == 2
    records = {
        json.loads(line)["procedure_id"]: json.loads(line) for line in out.getvalue().splitlines()
    }
    added = (
        "procedure_id",
        "awarded_value",
        "awarded_currency",
        "tenders_received",
        "lots_awarded",
        "winners",
    )
    assert list(records[FOLDER])[-6:] == list(added)
    assert {name: records[FOLDER][name] for name in added} == {
        "procedure_id": FOLDER,
        "awarded_value": 200000.0,
        "awarded_currency": "EUR",
        "tenders_received": 6,
        "lots_awarded": 1,
        "winners": ["Meubelfabriek Oost", "ReMake GmbH", "Zitwerk Kantoorinrichting B.V."],
    }
    other = "bbbbbbbb-bbbb-4ccc-8ddd-eeeeeeeeeeee"
    assert {name: records[other][name] for name in added} == {
        "procedure_id": other,
        "awarded_value": 45000.5,
        "awarded_currency": "EUR",
        "tenders_received": None,  # no lot states it
        "lots_awarded": 1,
        "winners": ["Groenbeheer Noord B.V."],
    }
    out = io.StringIO()
    tenders.export_tenders(conn, "csv", out)
    rows = {row["procedure_id"]: row for row in csv.DictReader(io.StringIO(out.getvalue()))}
    assert {name: rows[FOLDER][name] for name in added} == {
        "procedure_id": FOLDER,
        "awarded_value": "200000.0",
        "awarded_currency": "EUR",
        "tenders_received": "6",
        "lots_awarded": "1",
        "winners": "Meubelfabriek Oost;ReMake GmbH;Zitwerk Kantoorinrichting B.V.",
    }
    assert rows[other]["tenders_received"] == ""


def test_a_notice_without_results_leaves_the_results_empty(conn) -> None:
    _import(conn, "cn_two_lots.xml")
    found = procurement(conn)
    assert (found["results"], found["winners"], found["lots_awarded"], found["awarded_on"]) == (
        [],
        [],
        None,
        None,
    )


def test_csv_rows_of_one_procedure_are_one_procurement(conn, tmp_path: Path) -> None:
    path = tmp_path / "procedure.csv"
    path.write_text(
        "source_id,procedure_id,title,buyer_name,buyer_country,buyer_national_id,cpv_codes,"
        "published_on,notice_type\n"
        "P-1,PROC-7,Voorlopig: bruggen,Provincie Utrecht,NL,TEST 42,45221111,2024-01-01,pin-only\n"
        "C-1,PROC-7,Onderhoud bruggen,Provincie Utrecht,NL,TEST 42,45221111,2024-02-01,"
        "cn-standard\n"
        "X-9,,Losse aanbesteding,Gemeente Utrecht,NL,,45221111,2024-02-02,\n",
        encoding="utf-8",
    )
    summary = _import_csv(conn, path)
    assert (summary.imported, summary.rejected) == (2, [])
    with db.reading(conn) as cur:
        assert cur.execute(
            "SELECT source_id, procedure_id, title, buyer_national_id FROM tenders ORDER BY 1"
        ).fetchall() == [
            ("C-1", "PROC-7", "Onderhoud bruggen", "TEST 42"),
            ("X-9", "X-9", "Losse aanbesteding", None),
        ]
        assert cur.execute(
            "SELECT notice_id FROM tender_notices n JOIN tenders t ON t.id = n.tender_id"
            " WHERE t.procedure_id = 'PROC-7' ORDER BY notice_id"
        ).fetchall() == [("C-1",), ("P-1",)]


def _import_csv(conn, path: Path) -> loader.BatchSummary:
    return loader.import_sources(
        conn, "csv", sources_from_paths([path], "csv", Limits()), None, system=True
    )
