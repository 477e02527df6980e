"""CO2 estimates: storage, revisions, status, access and roll-ups on a small fixture."""

from __future__ import annotations

import io

import openpyxl
import pytest

from buyergroups import db
from buyergroups.co2 import estimates, export, saving
from buyergroups.co2.rollup import group_progress, programme_rollup
from buyergroups.demo import co2 as demo_co2
from buyergroups.errors import (
    NotFoundError,
    NotSignedIn,
    PermissionDenied,
    StaleEditError,
    ValidationError,
)
from tests.co2_world import (
    FACILITATOR,
    MEMBER_B,
    OBSERVER,
    OUTSIDER,
    seed_estimates,
    seed_world,
)
from tests.co2_world import external as _external
from tests.co2_world import fields as _fields


@pytest.fixture(autouse=True)
def world(conn: db.Connection) -> db.Connection:
    seed_world(conn)
    return conn


@pytest.fixture()
def shared(conn: db.Connection) -> dict[str, estimates.Estimate]:
    return seed_estimates(conn)


def test_created_estimate_holds_the_computed_result(shared: dict[str, estimates.Estimate]) -> None:
    e1 = shared["e1"]
    # 300 − 200 = 100; low 300 − 230 = 70; high 300 − 180 = 120
    assert (e1.low_t, e1.expected_t, e1.high_t) == (70.0, 100.0, 120.0)
    assert (e1.status, e1.current_revision, e1.tender_id, e1.created_by) == ("contracted", 1, 7, 1)
    assert e1.formula == (
        "300.000 t CO2e baseline − 200.000 t CO2e expected = 100.000 t CO2e (from LCA 2024)"
    )
    assert shared["e4"].screening is True
    assert shared["e4"].expected_t == 200.0


def test_programme_rollup_counts_a_shared_tender_once(
    conn: db.Connection, shared: dict[str, estimates.Estimate]
) -> None:
    rollup = programme_rollup(conn, OUTSIDER)
    totals = rollup.totals
    # counted: e1 100 (70..120; contracted beats e2's expected on tender 7), e3 60, e4 200
    assert (totals.low_t, totals.expected_t, totals.high_t) == (330.0, 360.0, 380.0)
    assert (totals.status_expected_t, totals.status_contracted_t, totals.status_realised_t) == (
        200.0,
        100.0,
        60.0,
    )
    assert (totals.estimates, rollup.duplicates_dropped) == (3, 1)
    assert totals.households == pytest.approx(360 / 4.2)
    assert rollup.by_sector[["sector", "expected_t"]].values.tolist() == [
        ["ict", 200.0],
        ["civil_works", 160.0],
    ]


def test_group_rows_keep_their_own_shared_tender(
    conn: db.Connection, shared: dict[str, estimates.Estimate]
) -> None:
    by_group = programme_rollup(conn, OUTSIDER).by_group
    assert by_group[["group_name", "expected_t", "counted_elsewhere_t", "estimates"]].to_dict(
        "records"
    ) == [
        {
            "group_name": "ICT hardware",
            "expected_t": 200.0,
            "counted_elsewhere_t": 0.0,
            "estimates": 1,
        },
        {
            "group_name": "Circular viaducts",
            "expected_t": 150.0,
            "counted_elsewhere_t": 90.0,
            "estimates": 2,
        },
        {
            "group_name": "Zero-emission sites",
            "expected_t": 100.0,
            "counted_elsewhere_t": 0.0,
            "estimates": 1,
        },
    ]
    # 100 t against a target of 500 t
    assert by_group.loc[by_group["group_id"] == 1, "pct_of_target"].tolist() == [20.0]


def test_theme_country_and_year_breakdowns(
    conn: db.Connection, shared: dict[str, estimates.Estimate]
) -> None:
    rollup = programme_rollup(conn, OUTSIDER)
    # e3 (60) split over circular and climate; e1 (100) is climate only
    assert rollup.by_theme[["theme", "expected_t"]].values.tolist() == [
        ["(none)", 200.0],
        ["climate", 130.0],
        ["circular", 30.0],
    ]
    # e1 (100) split over NO and DK
    assert rollup.by_country[["country", "expected_t"]].values.tolist() == [
        ["(none)", 200.0],
        ["NL", 60.0],
        ["DK", 50.0],
        ["NO", 50.0],
    ]
    # e1 50/50 over 2025–26, e3 20 a year 2024–26, e4 200 in 2026
    assert rollup.by_year[["year", "expected_t"]].values.tolist() == [
        [2024, 20.0],
        [2025, 70.0],
        [2026, 270.0],
    ]
    assert rollup.by_year["expected_t"].sum() == rollup.totals.expected_t


def test_same_status_on_a_tender_keeps_the_latest_update(
    conn: db.Connection, shared: dict[str, estimates.Estimate]
) -> None:
    saving.change_status(conn, MEMBER_B, shared["e2"].id, "contracted", based_on=1)
    totals = programme_rollup(conn, OUTSIDER).totals
    # e2 (90) now replaces e1 (100): 90 + 60 + 200
    assert totals.expected_t == 350.0


def test_group_progress_against_its_target(
    conn: db.Connection, shared: dict[str, estimates.Estimate]
) -> None:
    progress = group_progress(conn, OBSERVER, 1)
    assert (progress.target_t, progress.pct_of_target, progress.secured_pct_of_target) == (
        500.0,
        20.0,
        20.0,
    )
    viaducts = group_progress(conn, MEMBER_B, 2)
    assert (viaducts.totals.expected_t, viaducts.counted_elsewhere_t, viaducts.target_t) == (
        150.0,
        90.0,
        None,
    )
    assert viaducts.pct_of_target is None


def test_outsiders_see_numbers_but_not_estimates(
    conn: db.Connection, shared: dict[str, estimates.Estimate]
) -> None:
    with pytest.raises(PermissionDenied):
        estimates.list_estimates(conn, OUTSIDER, 1)
    with pytest.raises(PermissionDenied):
        estimates.get_estimate(conn, OUTSIDER, shared["e1"].id)
    with pytest.raises(PermissionDenied):
        group_progress(conn, OUTSIDER, 1)
    with pytest.raises(NotSignedIn):
        programme_rollup(conn, None)
    titles = " ".join(str(v) for v in programme_rollup(conn, OUTSIDER).by_group.values.flatten())
    assert "Electric machinery" not in titles
    assert [e.title for e in estimates.list_estimates(conn, OBSERVER, 1)] == [
        "Electric machinery A12"
    ]


def test_unknown_tender_is_refused(conn: db.Connection) -> None:
    with pytest.raises(ValidationError) as caught:
        estimates.create_estimate(conn, FACILITATOR, 1, _fields("x", _external(2, 1), tender_id=0))
    assert (caught.value.field, str(caught.value)) == ("tender_id", "Tender 0 is not a tender id.")


def test_invalid_input_stores_nothing(conn: db.Connection) -> None:
    with pytest.raises(ValidationError) as caught:
        estimates.create_estimate(conn, FACILITATOR, 1, _fields("Bad", _external(2, -1)))
    assert caught.value.field == "expected.expected"
    with pytest.raises(ValidationError) as caught:
        estimates.create_estimate(conn, FACILITATOR, 1, _fields("Bad", _external(2, 1), years=0))
    assert caught.value.field == "years"
    with pytest.raises(ValidationError) as caught:
        estimates.create_estimate(conn, FACILITATOR, 1, _fields(" ", _external(2, 1)))
    assert str(caught.value) == "Title is required."
    counts = [
        db.value(conn.cursor(), f"SELECT count(*) FROM {table}")
        for table in ("co2_estimates", "co2_estimate_revisions", "activity")
    ]
    assert counts == [0, 0, 0]


def test_status_moves_one_step_and_keeps_revisions(
    conn: db.Connection, shared: dict[str, estimates.Estimate]
) -> None:
    e2 = shared["e2"]
    with pytest.raises(ValidationError):
        saving.change_status(conn, MEMBER_B, e2.id, "realised", based_on=1)
    contracted = saving.change_status(conn, MEMBER_B, e2.id, "contracted", based_on=1)
    realised = saving.change_status(conn, MEMBER_B, e2.id, "realised", based_on=2)
    back = saving.change_status(conn, MEMBER_B, e2.id, "contracted", based_on=3)
    assert [contracted.status, realised.status, back.status] == [
        "contracted",
        "realised",
        "contracted",
    ]
    history = estimates.estimate_revisions(conn, MEMBER_B, e2.id)
    assert [(r["revision_no"], r["based_on"], r["summary"], r["author"]) for r in history] == [
        (4, 3, "status realised → contracted", "Bram Member"),
        (3, 2, "status contracted → realised", "Bram Member"),
        (2, 1, "status expected → contracted", "Bram Member"),
        (1, None, "created", "Bram Member"),
    ]
    assert history[0]["fields"]["expected_t"] == 90.0


def test_stale_save_is_refused_and_changes_nothing(
    conn: db.Connection, shared: dict[str, estimates.Estimate]
) -> None:
    e3 = shared["e3"]
    edited = saving.update_estimate(
        conn, FACILITATOR, e3.id, _fields("Reused girders", _external(80, 0)), based_on=1
    )
    assert (edited.current_revision, edited.expected_t, edited.status) == (2, 80.0, "realised")
    with pytest.raises(StaleEditError) as caught:
        saving.update_estimate(
            conn, MEMBER_B, e3.id, _fields("Reused girders v2", _external(70, 0)), based_on=1
        )
    assert caught.value.current_revision == 2
    assert caught.value.mine["title"] == "Reused girders v2"
    assert caught.value.theirs["expected_t"] == 80.0
    stored = estimates.get_estimate(conn, MEMBER_B, e3.id)
    assert (stored.title, stored.expected_t, stored.current_revision) == ("Reused girders", 80.0, 2)
    assert len(estimates.estimate_revisions(conn, MEMBER_B, e3.id)) == 2


def test_deleted_estimates_leave_the_rollup(
    conn: db.Connection, shared: dict[str, estimates.Estimate]
) -> None:
    with pytest.raises(PermissionDenied):
        saving.delete_estimate(conn, MEMBER_B, shared["e3"].id, based_on=1)
    saving.delete_estimate(conn, FACILITATOR, shared["e3"].id, based_on=1)
    with pytest.raises(NotFoundError):
        estimates.get_estimate(conn, FACILITATOR, shared["e3"].id)
    assert programme_rollup(conn, OUTSIDER).totals.expected_t == 300.0


def test_empty_programme_rolls_up_to_zero(conn: db.Connection) -> None:
    rollup = programme_rollup(conn, OUTSIDER)
    assert (rollup.totals.expected_t, rollup.totals.estimates, len(rollup.by_year)) == (0.0, 0, 0)
    assert list(rollup.by_group.columns)[:2] == ["group_id", "group_name"]


def test_excel_export_holds_the_rollup_totals(
    conn: db.Connection, shared: dict[str, estimates.Estimate]
) -> None:
    rollup = programme_rollup(conn, OUTSIDER, household_t_per_year=5.0)
    book = openpyxl.load_workbook(io.BytesIO(export.rollup_xlsx(rollup)))
    assert book.sheetnames == [
        "Totals",
        "Groups",
        "Programmes",
        "Sectors",
        "Themes",
        "Countries",
        "Years",
        "Notes",
    ]
    totals = {m: v for m, v in book["Totals"].iter_rows(min_row=2, values_only=True)}
    assert (totals["low_t"], totals["expected_t"], totals["high_t"]) == (330, 360, 380)
    assert (totals["households"], totals["household_t_per_year"]) == (72, 5)
    assert totals["household_factor_source"].startswith("RIVM estimate")
    years = list(book["Years"].iter_rows(values_only=True))
    assert [(row[0], row[2]) for row in years] == [
        ("year", "expected_t"),
        (2024, 20),
        (2025, 70),
        (2026, 270),
    ]


def test_group_exports_list_its_estimates(
    conn: db.Connection, shared: dict[str, estimates.Estimate]
) -> None:
    saving.update_estimate(
        conn, FACILITATOR, shared["e3"].id, _fields("=HYPERLINK(1)", _external(60, 0)), based_on=1
    )
    text = export.estimates_csv(conn, MEMBER_B, 2).decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].split(",")[:5] == ["id", "title", "method", "screening", "status"]
    # newest period first, then newest id: both start in 2025 after the edit
    assert [line.split(",")[1] for line in lines[1:]] == ["'=HYPERLINK(1)", "A12 viaduct"]
    sheet = openpyxl.load_workbook(io.BytesIO(export.estimates_xlsx(conn, MEMBER_B, 2)))
    rows = list(sheet["Estimates"].iter_rows(min_row=2, values_only=True))
    assert [(row[1], row[9]) for row in rows] == [("'=HYPERLINK(1)", 60), ("A12 viaduct", 90)]
    with pytest.raises(PermissionDenied):
        export.estimates_csv(conn, OUTSIDER, 2)


def test_rollup_csv_has_every_dimension_and_the_total(
    conn: db.Connection, shared: dict[str, estimates.Estimate]
) -> None:
    table = export.rollup_csv(programme_rollup(conn, OUTSIDER)).decode("utf-8-sig")
    rows = [line.split(",") for line in table.splitlines()]
    assert rows[0][:5] == ["dimension", "key", "sector", "programme", "target_t"]
    assert [row[0] for row in rows[1:]].count("year") == 3
    total = [row for row in rows if row[0] == "total"]
    assert len(total) == 1
    assert "360.0" in total[0]


def test_demo_estimates_use_every_method_and_status(conn: db.Connection) -> None:
    keys = ["viaducts", "zero_emission_sites", "ict_hardware", "mobility", "catering"]
    groups = {key: 1 + index % 3 for index, key in enumerate(keys)}
    with db.transaction(conn) as cur:
        stored = demo_co2.seed_co2_demo(cur, groups, author_id=FACILITATOR.id)
    rows = db.rows(conn.cursor(), "SELECT method, status, created_by FROM co2_estimates")
    assert stored == 10
    assert {r["method"] for r in rows} == {"intensity", "spend", "external"}
    assert {r["status"] for r in rows} == {"expected", "contracted", "realised"}
    assert {r["created_by"] for r in rows} == {FACILITATOR.id}
    # the excavators: (48 − 20) kg/h × 7,200 h/year × 4 years = 806.4 t
    excavators = [
        (e.low_t, e.expected_t, e.high_t)
        for e in estimates.list_estimates(conn, FACILITATOR, 2)
        if e.title == "Electric vs diesel excavators on the 4-year maintenance contract"
    ]
    # low (44 − 25) × 6,000 × 4 = 456 t; high (52 − 0) × 8,400 × 4 = 1,747.2 t
    assert excavators == [(456.0, 806.4, 1747.2)]
