"""AppTest of the CO2 dashboard (pages/co2.py) and a group's CO2 tab (ui/co2_tab.py)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from buyergroups import db
from buyergroups.accounts.users import User
from buyergroups.co2 import estimates, saving
from tests.co2_world import (
    FACILITATOR,
    MEMBER_B,
    OUTSIDER,
    external,
    fields,
    seed_estimates,
    seed_world,
)

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "pages" / "co2.py")
TAB_APP = str(Path(__file__).with_name("co2_tab_app.py"))


@pytest.fixture(autouse=True)
def world(conn: db.Connection, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> db.Connection:
    monkeypatch.setenv("BUYERGROUPS_DB", str(db_path))
    monkeypatch.setenv("BUYERGROUPS_SEED_DEMO", "0")
    seed_world(conn)
    return conn


def _page(user: User) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=30)
    at.session_state["auth_user"] = user
    return at.run()


def _tab(user: User, group_id: int) -> AppTest:
    at = AppTest.from_file(TAB_APP, default_timeout=30)
    at.session_state["auth_user"] = user
    at.session_state["co2_test_group"] = group_id
    return at.run()


def _all_text(at: AppTest) -> str:
    parts = (
        [m.value for m in at.markdown] + [c.value for c in at.caption] + [t.value for t in at.text]
    )
    return "\n".join(str(p) for p in parts)


def test_dashboard_shows_the_deduplicated_totals_to_an_outsider(conn: db.Connection) -> None:
    seed_estimates(conn)
    at = _page(OUTSIDER)
    assert not at.exception
    assert [(m.label, m.value) for m in at.metric] == [
        ("Expected reduction (t CO2e)", "360"),
        ("Range (t CO2e)", "330–380"),
        ("Contracted + realised", "160"),
        ("Households equivalent", "86"),
    ]
    text = _all_text(at)
    assert "360 t ÷ 4.2 t CO2e per household per year (default 4.2" in text
    assert "Source: RIVM estimate" in text
    assert "3 estimates counted; 1 not counted" in text
    assert "Electric machinery" not in text
    assert len(at.get("download_button")) == 2


def test_a_dutch_user_reads_dutch_numbers(conn: db.Connection) -> None:
    seed_estimates(conn)
    at = _page(replace(OUTSIDER, language="nl"))
    assert not at.exception
    assert [m.value for m in at.metric] == ["360", "330–380", "160", "86"]
    assert "360 t ÷ 4,2 t CO2e" in _all_text(at)


def test_dashboard_without_estimates_says_so() -> None:
    at = _page(OUTSIDER)
    assert not at.exception
    assert [i.value for i in at.info] == [
        "No CO2 estimates yet. Groups add them in their workspace's CO2 tab."
    ]


def test_tab_for_an_outsider_points_to_the_totals(conn: db.Connection) -> None:
    seed_estimates(conn)
    at = _tab(OUTSIDER, 1)
    assert not at.exception
    assert [i.value for i in at.info] == [
        "Only the group's members see its CO2 estimates; the CO2 page shows programme totals."
    ]
    assert "Electric machinery" not in _all_text(at)


def test_tab_lists_estimates_and_moves_a_status(conn: db.Connection) -> None:
    seeded = seed_estimates(conn)
    at = _tab(MEMBER_B, 2)
    assert not at.exception
    # newest period first: A12 viaduct starts in 2025, the girders in 2024
    assert at.selectbox(key="co2tab_selected").options == ["A12 viaduct", "Reused girders"]
    at.selectbox(key="co2tab_selected").set_value(seeded["e3"].id).run()
    assert "60.000 t CO2e baseline" in _all_text(at)
    at.selectbox(key="co2tab_selected").set_value(seeded["e2"].id).run()
    assert (
        "240.000 t CO2e baseline − 150.000 t CO2e expected = 90.000 t CO2e (from LCA 2024)"
        in _all_text(at)
    )
    at.button(key=f"co2tab_status_save_{seeded['e2'].id}").click().run()
    assert not at.exception
    assert estimates.get_estimate(conn, MEMBER_B, seeded["e2"].id).status == "contracted"


def test_tab_form_computes_live_and_saves(conn: db.Connection) -> None:
    at = _tab(FACILITATOR, 1)
    assert not at.exception
    prefix = "co2tab_new"
    at.text_input(key=f"{prefix}_title").input("Electric excavators")
    at.text_input(key=f"{prefix}_intensity_unit").input("kg CO2e/h")
    at.text_input(key=f"{prefix}_quantity_unit").input("h/year")
    at.number_input(key=f"{prefix}_years").set_value(4)
    for name, value in (("reference", 48), ("new", 20), ("quantity", 1200)):
        at.number_input(key=f"{prefix}_{name}_expected").set_value(value)
    at.run()
    assert not at.exception
    # (48 − 20) kg/h × 1,200 h/year × 4 years = 134.4 t
    assert [s.value for s in at.success] == ["134.4 t CO2e expected (range 134.4 – 134.4 t)"]
    at.number_input(key=f"{prefix}_new_low").set_value(25).run()
    assert [w.value for w in at.warning] == ["New: low (25) is above high (20)."]
    at.number_input(key=f"{prefix}_new_low").set_value(0).run()
    at.number_input(key=f"{prefix}_new_high").set_value(25).run()
    # low (48 − 25) × 1,200 × 4 = 110.4 t; high (48 − 0) × 1,200 × 4 = 230.4 t
    assert [s.value for s in at.success] == ["134.4 t CO2e expected (range 110.4 – 230.4 t)"]
    at.button(key=f"{prefix}_save").click().run()
    assert not at.exception
    saved = estimates.list_estimates(conn, FACILITATOR, 1)
    assert [(e.title, e.low_t, e.expected_t, e.high_t) for e in saved] == [
        ("Electric excavators", 110.4, 134.4, 230.4)
    ]


def test_tab_edit_saves_a_revision_and_refuses_a_stale_one(conn: db.Connection) -> None:
    seeded = seed_estimates(conn)
    e3 = seeded["e3"]
    at = _tab(FACILITATOR, 2)
    at.selectbox(key="co2tab_selected").set_value(e3.id).run()
    prefix = f"co2tab_edit_{e3.id}"
    at.number_input(key=f"{prefix}_baseline_expected").set_value(80).run()
    at.button(key=f"{prefix}_save").click().run()
    assert not at.exception
    saved = estimates.get_estimate(conn, FACILITATOR, e3.id)
    assert (saved.current_revision, saved.expected_t) == (2, 80.0)
    # Someone else saves revision 3 while this form is open at revision 2.
    saving.update_estimate(
        conn,
        MEMBER_B,
        e3.id,
        fields("Reused girders", external(70, 0), start_year=2024, years=3),
        based_on=2,
    )
    at.run()
    assert next(w.value for w in at.warning).startswith(
        "This estimate was saved as revision 3 after this form opened revision 2"
    )
    at.number_input(key=f"{prefix}_baseline_expected").set_value(90).run()
    at.button(key=f"{prefix}_save").click().run()
    assert next(e.value for e in at.error).startswith(
        "Someone saved this estimate (revision 3) after you opened revision 2, and changed the"
        " same part (inputs)."
    )
    assert at.number_input(key=f"{prefix}_baseline_expected").value == 90
    assert estimates.get_estimate(conn, FACILITATOR, e3.id).expected_t == 70.0


def test_tab_delete_is_for_facilitators(conn: db.Connection) -> None:
    seeded = seed_estimates(conn)
    member = _tab(MEMBER_B, 2)
    assert not [b for b in member.button if str(b.key).startswith("co2tab_delete_")]
    at = _tab(FACILITATOR, 2)
    at.selectbox(key="co2tab_selected").set_value(seeded["e2"].id).run()
    at.button(key=f"co2tab_delete_{seeded['e2'].id}").click().run()
    assert not at.exception
    assert at.selectbox(key="co2tab_selected").options == ["Reused girders"]
