"""Real award notices in ../shared/data: their winners, values and tender counts (skip if absent).

The expected values are read from the files themselves (efac:NoticeResult of each notice).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from buyergroups import db
from buyergroups.ingest import loader
from buyergroups.ingest.sources import Limits, sources_from_paths
from tests.ingest.paths import shared


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> Iterator[db.Connection]:
    """Every public example imported once for the module (read-only afterwards)."""
    folders = (("eforms", shared("eforms")), ("ocds", shared("ocds")))
    conn = db.connect(tmp_path_factory.mktemp("shared") / "awards.duckdb")
    for kind, folder in folders:
        paths = sorted(folder.glob("*.json")) if kind == "ocds" else [folder]
        loader.import_sources(
            conn, kind, sources_from_paths(paths, kind, Limits()), None, system=True
        )
    yield conn
    conn.close()


def _procurement(conn, source_id: str) -> dict:
    with db.reading(conn) as cur:
        found = db.row(
            cur,
            "SELECT id, awarded_value, awarded_currency, notice_total_value, tenders_received,"
            " lots_awarded, awarded_on FROM tenders WHERE source_id = ?",
            [source_id],
        )
        assert found is not None, source_id
        tender_id = found.pop("id")
        found["lots"] = cur.execute(
            "SELECT lot_id, result_code, awarded_value, currency, tenders_received"
            " FROM tender_lot_results WHERE tender_id = ? ORDER BY lot_id",
            [tender_id],
        ).fetchall()
        found["winners"] = cur.execute(
            "SELECT lot_id, name, country, org_identifier, sme FROM tender_winners"
            " WHERE tender_id = ? ORDER BY lot_id, position",
            [tender_id],
        ).fetchall()
    return found


def _summary(value, currency, total, received, awarded, on) -> dict:
    return {
        "awarded_value": value,
        "awarded_currency": currency,
        "notice_total_value": total,
        "tenders_received": received,
        "lots_awarded": awarded,
        "awarded_on": on,
    }


CASES = {
    "can_24_minimal.xml": (
        "65667997-031a-4198-bd25-7225449ef479",
        _summary(95414.0, "EUR", 390697.84, 3, 1, date(2019, 9, 3)),
        [("LOT-0000", "selec-w", 95414.0, "EUR", 3)],
        [("LOT-0000", "Espaces Verts Lemire", "FR", "326 912 557", True)],
    ),
    "can_24_UKRI.xml": (
        "75b70657-c146-4b5c-8d66-1ded90cdcd1d",
        _summary(60000000.0, "GBP", 60000000.0, 2, 1, date(2020, 4, 9)),
        [("LOT-0000", "selec-w", 60000000.0, "GBP", 2)],
        [("LOT-0000", "Ramboll UK Ltd", "GB", "ID222222", False)],
    ),
    "can_25_ENG.xml": (
        "359f3b87-c2ec-4c6a-b279-58c843551e7c",
        _summary(9.99, "GBP", 9.99, 3, 1, date(2020, 2, 12)),
        [("LOT-0000", "selec-w", 9.99, "GBP", 3)],
        [("LOT-0000", "Deloitte — Main Account LLP", "GB", "222 222 222", False)],
    ),
    "can_81_FRA.xml": (
        "f71da99f-763b-43bd-a1bb-f54bf9560fd6",
        _summary(375950.0, "EUR", 375950.0, 2, 1, date(2021, 4, 20)),
        [("LOT-0000", "selec-w", 375950.0, "EUR", 2)],
        [("LOT-0000", "Assystem energy et infrastructure", "FR", None, False)],
    ),
    "can-social_24.xml": (
        "eb13621b-cb76-46ee-b6c1-3d33ac707d94",
        # lot 1 closed without a winner (3 tenders), lot 2 won (2), lot 3 still open (none said)
        _summary(100000.0, "EUR", 123456.78, 5, 1, date(2023, 5, 26)),
        [
            ("LOT-0001", "clos-nw", None, None, 3),
            ("LOT-0002", "selec-w", 100000.0, "EUR", 2),
            ("LOT-0003", "open-nw", None, None, None),
        ],
        [("LOT-0002", "Kapa", "LU", "kap", False)],
    ),
    "veat_24.xml": (
        "6ea164b2-228c-4ae8-b3b5-26f3946b8300",
        # no status and no tender value: the concluded contract awards, the notice value counts
        _summary(350000.0, "EUR", 350000.0, None, 1, date(2020, 4, 15)),
        [("LOT-0000", "selec-w", None, None, None)],
        [
            ("LOT-0000", "Direct Healthcare Services Ltd", "GB", None, True),
            ("LOT-0000", "Harvest Healthcare Ltd", "GB", None, True),
            ("LOT-0000", "Invacare Ltd", "GB", None, False),
        ],
    ),
    "can-modif_24_value.xml": (
        "3572a106-eb30-4c7a-8ac5-b3502f71742a",
        _summary(6430000.0, "GBP", 4500000.0, None, 1, date(2018, 7, 31)),
        [("LOT-0000", "selec-w", 6430000.0, "GBP", None)],
        [("LOT-0000", "PwC UK LLP", "GB", "not available", None)],
    ),
}


@pytest.mark.parametrize("name", sorted(CASES), ids=str)
def test_real_award_notice_results(imported, name: str) -> None:
    source_id, summary, lots, winners = CASES[name]
    assert _procurement(imported, source_id) == {**summary, "lots": lots, "winners": winners}


def test_the_ocds_example_awards_its_contract(imported) -> None:
    assert _procurement(imported, "ocds-213czf-000-00001") == {
        **_summary(11000000.0, "GBP", None, 2, 1, date(2010, 6, 10)),
        "lots": [("tender", "selec-w", 11000000.0, "GBP", 2)],
        "winners": [("tender", "AnyCorp Cycle Provision", "GB", "11111111.0", None)],
    }


def test_notices_of_one_contract_folder_are_one_procurement(imported) -> None:
    with db.reading(imported) as cur:
        assert cur.execute(
            "SELECT t.source_id, n.notice_id, n.changes_notice_id FROM tender_notices n"
            " JOIN tenders t ON t.id = n.tender_id"
            " WHERE t.procedure_id = '4805c409-5939-4be9-8abd-837f7a5fee23' ORDER BY n.notice_id"
        ).fetchall() == [
            # cn_24_minimal.xml and change-cn_24_void.xml, which changes it
            (
                "f42be27e-09cf-4f0e-a745-63ec689631e6",
                "1d192942-a4a3-4833-8775-ca38f7ec09ca",
                "f42be27e-09cf-4f0e-a745-63ec689631e6",
            ),
            (
                "f42be27e-09cf-4f0e-a745-63ec689631e6",
                "f42be27e-09cf-4f0e-a745-63ec689631e6",
                None,
            ),
        ]


def test_every_award_notice_in_the_folder_has_results(imported) -> None:
    names = {path.name for path in shared("eforms").glob("*.xml")}
    award_files = {name for name in names if name.startswith(("can", "veat"))}
    assert award_files == set(CASES)  # a new award example needs its expected values here
    with db.reading(imported) as cur:
        with_results = db.value(
            cur, "SELECT count(*) FROM tenders WHERE source = 'eforms' AND lots_awarded IS NOT NULL"
        )
    assert with_results == len(CASES)
