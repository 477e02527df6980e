"""Monitoring tables computed by hand on the network world and its four tenders.

The tenders and their award criteria are listed in tests/network_world.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest

from buyergroups import db, monitoring
from buyergroups.errors import NotSignedIn
from tests import network_world
from tests.network_world import PUBLISHED_TITLE, SECRET_COPY, NetworkWorld


@pytest.fixture(scope="module")
def world_conn(tmp_path_factory) -> Iterator[tuple[db.Connection, NetworkWorld]]:
    connection = db.connect(tmp_path_factory.mktemp("monitoring") / "monitoring.duckdb")
    world = network_world.build(connection)
    network_world.insert_tenders(connection)
    yield connection, world
    connection.close()


@pytest.fixture
def conn(world_conn) -> db.Connection:
    return world_conn[0]


@pytest.fixture
def nw(world_conn) -> NetworkWorld:
    return world_conn[1]


def _records(frame: pd.DataFrame) -> list[dict]:
    return frame.to_dict("records")


def test_share_per_theme_counts_tenders_flagged_with_the_theme(conn, nw) -> None:
    """Four tenders; climate in t1 and t3 (2/4), circular in t1 (1/4)."""
    frame = monitoring.mvi_share_by_theme(conn, nw.outsider)
    assert _records(frame) == [
        {"theme": "environment_biodiversity", "tenders": 4, "mvi_tenders": 0, "share_pct": 0.0},
        {"theme": "climate", "tenders": 4, "mvi_tenders": 2, "share_pct": 50.0},
        {"theme": "circular", "tenders": 4, "mvi_tenders": 1, "share_pct": 25.0},
        {
            "theme": "international_social_conditions",
            "tenders": 4,
            "mvi_tenders": 0,
            "share_pct": 0.0,
        },
        {"theme": "diversity_inclusion", "tenders": 4, "mvi_tenders": 0, "share_pct": 0.0},
        {"theme": "social_return", "tenders": 4, "mvi_tenders": 0, "share_pct": 0.0},
    ]


def test_share_per_cpv_division_uses_the_main_code(conn, nw) -> None:
    """Division 45: t1 (MVI) and t2 (main code 45, not 71): 1/2; 30: t3 1/1; none: t4."""
    frame = monitoring.mvi_share_by_cpv_division(conn, nw.outsider)
    assert _records(frame) == [
        {"cpv_division": "", "label": "", "tenders": 1, "mvi_tenders": 0, "share_pct": 0.0},
        {"cpv_division": "30", "label": "", "tenders": 1, "mvi_tenders": 1, "share_pct": 100.0},
        {
            "cpv_division": "45",
            "label": "Construction work",
            "tenders": 2,
            "mvi_tenders": 1,
            "share_pct": 50.0,
        },
    ]


def test_share_per_country(conn, nw) -> None:
    frame = monitoring.mvi_share_by_country(conn, nw.outsider)
    assert _records(frame) == [
        {"country": "", "tenders": 1, "mvi_tenders": 0, "share_pct": 0.0},
        {"country": "BE", "tenders": 1, "mvi_tenders": 1, "share_pct": 100.0},
        {"country": "NL", "tenders": 2, "mvi_tenders": 1, "share_pct": 50.0},
    ]


def test_tenders_with_most_weight_on_sustainability(conn, nw) -> None:
    """t1: CO2 quality 30 of 100. t3 lot 0: recycled 20 of 100 (lot 1 is price only).
    t2's quality criterion names no MVI phrase, so it is left out."""
    frame = monitoring.sustainability_weighted_tenders(conn, nw.outsider)
    assert _records(frame) == [
        {
            "tender_id": 1,
            "title": "Viaduct renovation Almere",
            "buyer_name": "Buyer 1",
            "buyer_country": "NL",
            "sustainability_pct": 30.0,
            "non_price_pct": 40.0,
            "themes": "climate",
        },
        {
            "tender_id": 3,
            "title": "Laptops for Gent",
            "buyer_name": "Buyer 3",
            "buyer_country": "BE",
            "sustainability_pct": 20.0,
            "non_price_pct": 60.0,
            "themes": "circular",
        },
    ]


def test_a_lot_groups_criteria_are_scored_as_their_own_scheme(conn, nw) -> None:
    """t2 lot 0 also belongs to lot group GLO-0001, whose scheme gives 25 of 100 to CO2.

    Mixed into the lot's own criteria (200 points) it would count 12.5 %.
    """
    with db.transaction(conn) as cur:
        for position, (kind, name, weight) in enumerate(
            [("price", "Price", 75.0), ("quality", "CO2 emissions of transport", 25.0)], start=10
        ):
            cur.execute(
                "INSERT INTO tender_award_criteria (tender_id, lot_position, position, lot_id,"
                " criterion_type, name, weight, lots_group) VALUES (2, 0, ?, 'LOT-0', ?, ?, ?,"
                " 'GLO-0001')",
                [position, kind, name, weight],
            )
    frame = monitoring.sustainability_weighted_tenders(conn, nw.outsider)
    scores = {
        r["tender_id"]: (r["sustainability_pct"], r["non_price_pct"]) for r in _records(frame)
    }
    assert scores == {1: (30.0, 40.0), 2: (25.0, 25.0), 3: (20.0, 60.0)}


def test_ambition_mix_counts_private_criteria_as_numbers(conn, nw) -> None:
    """g1: c1 climate significant, c5 circular basis, c6 circular ambitious;
    g2: c2 (copy) climate significant, c4 climate significant; g4: c3 copy."""
    frame = monitoring.ambition_mix(conn, nw.outsider)
    assert _records(frame) == [
        {
            "group_name": "Bridges Flanders",
            "theme": "climate",
            "basis": 0,
            "significant": 2,
            "ambitious": 0,
            "total": 2,
        },
        {
            "group_name": "Circular viaducts",
            "theme": "circular",
            "basis": 1,
            "significant": 0,
            "ambitious": 1,
            "total": 2,
        },
        {
            "group_name": "Circular viaducts",
            "theme": "climate",
            "basis": 0,
            "significant": 1,
            "ambitious": 0,
            "total": 1,
        },
        {
            "group_name": "ICT Denmark",
            "theme": "climate",
            "basis": 0,
            "significant": 1,
            "ambitious": 0,
            "total": 1,
        },
    ]


def test_groups_per_phase_in_phase_order(conn, nw) -> None:
    frame = monitoring.groups_per_phase(conn, nw.outsider)
    assert list(frame["phase"]) == [
        "forming",
        "market_vision",
        "market_dialogue",
        "specifications_criteria",
        "tendering",
        "contract_monitoring",
    ]
    assert list(frame["groups"]) == [0, 0, 0, 6, 0, 0]


def test_most_reused_published_criteria_follow_the_chain(conn, nw) -> None:
    """Only c1 is published; its copies c2 (BE) and c3 (DK) are private and count as numbers."""
    frame = monitoring.most_reused_published(conn, nw.outsider)
    assert _records(frame) == [
        {
            "criterion_id": nw.criteria["c1"],
            "title": PUBLISHED_TITLE,
            "group_name": "Circular viaducts",
            "theme": "climate",
            "ambition_level": "significant",
            "reuses": 2,
            "groups_reached": 2,
            "countries_reached": "BE, DK",
        },
    ]


def test_no_private_title_in_any_table(conn, nw) -> None:
    text = "".join(frame.to_csv() for frame in monitoring.tables(conn, nw.outsider).values())
    assert SECRET_COPY not in text
    assert network_world.SECRET_OWN not in text
    assert PUBLISHED_TITLE in text


def test_csv_is_excel_friendly_and_formula_safe() -> None:
    frame = pd.DataFrame([{"title": "=HYPERLINK(1)", "share_pct": 50.0}])
    assert monitoring.csv_bytes(frame) == b"\xef\xbb\xbftitle,share_pct\n'=HYPERLINK(1),50.0\n"


def test_tables_need_a_signed_in_user(conn) -> None:
    with pytest.raises(NotSignedIn):
        monitoring.tables(conn, None)


def test_empty_database_gives_empty_tables(tmp_path, nw) -> None:
    empty = db.connect(tmp_path / "empty.duckdb")
    try:
        found = monitoring.tables(empty, nw.admin)
    finally:
        empty.close()
    assert list(found["mvi_share_by_theme"]["tenders"]) == [0] * 6
    assert list(found["mvi_share_by_theme"]["share_pct"]) == [0.0] * 6
    for name in ("mvi_share_by_cpv_division", "ambition_mix", "sustainability_weighted_tenders"):
        assert found[name].empty, name
