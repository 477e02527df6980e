"""The benchmark's numbers against a hand count of tests/benchmark_world.py, and access."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from buyergroups import db, monitoring
from buyergroups.benchmark import figures
from buyergroups.errors import NotSignedIn, PermissionDenied
from tests import benchmark_world
from tests.benchmark_world import SECRET_A, SECRET_B_NOTE, SECRET_B_REASON, BenchmarkWorld


@pytest.fixture(scope="module")
def world_conn(tmp_path_factory) -> Iterator[tuple[db.Connection, BenchmarkWorld]]:
    connection = db.connect(tmp_path_factory.mktemp("benchmark") / "benchmark.duckdb")
    world = benchmark_world.build(connection)
    yield connection, world
    connection.close()


@pytest.fixture
def conn(world_conn) -> db.Connection:
    return world_conn[0]


@pytest.fixture
def bw(world_conn) -> BenchmarkWorld:
    return world_conn[1]


def _alfa_2024(conn, bw):
    return figures.organisation_benchmark(conn, bw.alfa, bw.orgs["A"], 2024)


def _row(frame, theme):
    return frame[frame["theme"] == theme].iloc[0].to_dict()


def test_own_shares_by_count_and_value_use_the_corrected_reading(conn, bw) -> None:
    """A 2024: a1 climate, a2 corrected to circular + social return, a3 corrected to none,
    a4 none: 2 of 4 MVI; EUR values 100 + 300 + 600 = 1000, of which 400 MVI."""
    found = _alfa_2024(conn, bw)
    table = found["by_theme"]
    assert found["corrected"] == 2
    assert [
        (r["theme"], r["tenders"], r["mvi_tenders"], r["share_pct"], r["value_share_pct"])
        for r in table.to_dict("records")
    ] == [
        ("any", 4, 2, 50.0, 40.0),
        ("environment_biodiversity", 4, 0, 0.0, 0.0),
        ("climate", 4, 1, 25.0, 10.0),
        ("circular", 4, 1, 25.0, 30.0),
        ("international_social_conditions", 4, 0, 0.0, 0.0),
        ("diversity_inclusion", 4, 0, 0.0, 0.0),
        ("social_return", 4, 1, 25.0, 30.0),
    ]
    assert _row(table, "any")["value_eur"] == 1000.0
    assert _row(table, "any")["mvi_value_eur"] == 400.0


def test_peers_are_the_other_municipalities_of_the_year(conn, bw) -> None:
    """Peers B (corrected: b1, b2 climate: 100 %) and C (c3 circular: 1 of 4, 25 %);
    E has no 2024 tender, D is a province."""
    table = _alfa_2024(conn, bw)["by_theme"]
    spread = ["peers", "peer_mean_pct", "peer_min_pct", "peer_max_pct", "peer_std_pct"]
    assert [_row(table, "any")[k] for k in spread] == [2, 62.5, 25.0, 100.0, 37.5]
    assert [_row(table, "climate")[k] for k in spread] == [2, 50.0, 0.0, 100.0, 50.0]
    assert [_row(table, "circular")[k] for k in spread] == [2, 12.5, 0.0, 25.0, 12.5]
    assert [_row(table, "social_return")[k] for k in spread] == [2, 0.0, 0.0, 0.0, 0.0]


def test_named_peers_show_only_their_published_reading(conn, bw) -> None:
    """B's correction of b2 counts in the averages above, but by name B shows 1 of 2 (b1)."""
    peers = _alfa_2024(conn, bw)["peers"]
    assert peers.to_dict("records") == [
        {
            "organisation": "Gemeente Beta",
            "tenders": 2,
            "published_mvi_tenders": 1,
            "published_share_pct": 50.0,
        },
        {
            "organisation": "Gemeente Gamma",
            "tenders": 4,
            "published_mvi_tenders": 1,
            "published_share_pct": 25.0,
        },
    ]


def test_per_cpv_division_and_realisation(conn, bw) -> None:
    found = _alfa_2024(conn, bw)
    assert [
        (r["cpv_division"], r["tenders"], r["mvi_tenders"], r["share_pct"], r["value_share_pct"])
        for r in found["by_cpv_division"].to_dict("records")
    ] == [("30", 2, 0, 0.0, 0.0), ("45", 2, 2, 100.0, 100.0)]
    assert found["realisation"] == {
        "mvi_tenders": 2,
        "contracted": 1,
        "realised": 1,
        "partly_realised": 0,
        "not_realised": 0,
        "unknown": 1,
        "only_asked_for": 1,
        "answered": 1,
    }


def test_trend_and_ambition(conn, bw) -> None:
    found = _alfa_2024(conn, bw)
    assert found["years"] == [2023, 2024]
    assert found["trend"].to_dict("records") == [
        {
            "year": 2023,
            "tenders": 1,
            "mvi_tenders": 1,
            "share_pct": 100.0,
            "value_share_pct": 100.0,
            "realised": 0,
        },
        {
            "year": 2024,
            "tenders": 4,
            "mvi_tenders": 2,
            "share_pct": 50.0,
            "value_share_pct": 40.0,
            "realised": 1,
        },
    ]
    ambition = found["ambition"]
    climate, circular = _row(ambition, "climate"), _row(ambition, "circular")
    assert (climate["ambition_level"], climate["share_pct"], climate["tender_target_met"]) == (
        "ambitious",
        25.0,
        False,
    )
    assert (climate["value_share_pct"], climate["spend_target_met"]) == (10.0, True)
    assert (circular["ambition_level"], circular["tender_target_met"]) == ("significant", True)
    assert circular["spend_target_met"] is None
    assert _row(ambition, "social_return")["ambition_level"] is None


def test_programme_wide_per_type_and_country(conn, bw) -> None:
    """2024 municipalities: A 2/4, B 2/2, C 1/4 = 5/10; EUR values A 1000 (400 MVI), B 100
    (b1, MVI): 500/1100 = 45.5 %; corrected a2, a3, b2; realised a1, b2."""
    found = figures.programme_benchmark(conn, bw.outsider, 2024)
    assert found.to_dict("records") == [
        {
            "org_type": "",
            "country": "NL",
            "organisations": 0,
            "tenders": 1,
            "mvi_tenders": 1,
            "share_pct": 100.0,
            "value_share_pct": None,
            "corrected": 0,
            "realised": 0,
        },
        {
            "org_type": "municipality",
            "country": "NL",
            "organisations": 3,
            "tenders": 10,
            "mvi_tenders": 5,
            "share_pct": 50.0,
            "value_share_pct": 45.5,
            "corrected": 3,
            "realised": 2,
        },
        {
            "org_type": "province",
            "country": "NL",
            "organisations": 1,
            "tenders": 1,
            "mvi_tenders": 1,
            "share_pct": 100.0,
            "value_share_pct": None,
            "corrected": 0,
            "realised": 0,
        },
    ]


def test_monitoring_counts_the_corrected_reading_and_says_how_many(conn, bw) -> None:
    """14 tenders; climate automatic in a1 a3 a5 b1 d1 e1 u1 (7), a3 corrected away, b2
    corrected to climate: 7; circular a3 (removed), a2 (added), c3: 2; MVI in CPV 45: of
    a1 a2 a5 b1 b2 d1 e1 u1 all 8 (a2 and b2 through corrections)."""
    theme = monitoring.mvi_share_by_theme(conn, bw.outsider).set_index("theme")
    assert theme.loc["climate", "mvi_tenders"] == 7
    assert theme.loc["circular", "mvi_tenders"] == 2
    assert theme.loc["social_return", "mvi_tenders"] == 1
    division = monitoring.mvi_share_by_cpv_division(conn, bw.outsider).set_index("cpv_division")
    assert (division.loc["45", "tenders"], division.loc["45", "mvi_tenders"]) == (8, 8)
    assert (division.loc["30", "tenders"], division.loc["30", "mvi_tenders"]) == (2, 0)
    assert monitoring.corrected_tenders(conn, bw.outsider) == 3


def test_own_benchmark_is_for_members_and_admins(conn, bw) -> None:
    with pytest.raises(PermissionDenied):
        figures.organisation_benchmark(conn, bw.beta, bw.orgs["A"], 2024)
    with pytest.raises(PermissionDenied):
        figures.organisation_benchmark(conn, bw.outsider, bw.orgs["A"], 2024)
    with pytest.raises(NotSignedIn):
        figures.programme_benchmark(conn, None, 2024)
    by_admin = figures.organisation_benchmark(conn, bw.admin, bw.orgs["A"], 2024)
    assert by_admin["by_theme"].equals(_alfa_2024(conn, bw)["by_theme"])


def _all_text(found: dict) -> str:
    parts = []
    for value in found.values():
        parts.append(value.to_csv() if hasattr(value, "to_csv") else repr(value))
    return "\n".join(parts)


def test_another_organisations_corrections_and_answers_are_never_shown(conn, bw) -> None:
    """Everything A's benchmark and the programme figures hold names no word of B's texts."""
    text = (
        _all_text(_alfa_2024(conn, bw)) + figures.programme_benchmark(conn, bw.alfa, None).to_csv()
    )
    for secret in (SECRET_B_REASON, SECRET_B_NOTE, "Bert Beta"):
        assert secret not in text
    beta_text = _all_text(figures.organisation_benchmark(conn, bw.beta, bw.orgs["B"], 2024))
    assert SECRET_A not in beta_text and "Anna Alfa" not in beta_text


def test_a_year_without_tenders_gives_zero_counts_not_an_error(conn, bw) -> None:
    """An organisation's year with no tenders (seen on the programme-scale database)."""
    import pandas as pd

    found = figures.organisation_benchmark(conn, bw.alfa, bw.orgs["A"], 2031)
    # No tender at all (an organisation without tenders and without peers): object columns.
    assert (
        figures.realisation_counts(pd.DataFrame(columns=figures._COLUMNS)) == found["realisation"]
    )
    assert found["realisation"] == {
        "mvi_tenders": 0,
        "contracted": 0,
        "realised": 0,
        "partly_realised": 0,
        "not_realised": 0,
        "unknown": 0,
        "only_asked_for": 0,
        "answered": 0,
    }
    assert found["corrected"] == 0
