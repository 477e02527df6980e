"""AppTests of the MVI benchmark page on tests/benchmark_world.py."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from buyergroups import db
from buyergroups.benchmark import ambitions, corrections
from tests import benchmark_world
from tests.benchmark_world import SECRET_B_NOTE, SECRET_B_REASON

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "benchmark.py")


@pytest.fixture
def page_world(tmp_path, monkeypatch):
    path = tmp_path / "benchmark.duckdb"
    conn = db.connect(path)
    world = benchmark_world.build(conn)
    conn.close()
    monkeypatch.setenv("BUYERGROUPS_DB", str(path))
    monkeypatch.setenv("BUYERGROUPS_SEED_DEMO", "0")
    st.cache_resource.clear()
    yield path, world
    st.cache_resource.clear()


def _page(user, year: int | None = 2024) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=30)
    at.session_state["auth_user"] = user
    at.run()
    if year is not None and at.selectbox(key="bm_year").value != year:
        at.selectbox(key="bm_year").set_value(year).run()
    return at


def _texts(at: AppTest) -> str:
    parts = [
        str(e.value)
        for kind in ("markdown", "caption", "info", "error", "success")
        for e in getattr(at, kind)
    ]
    parts += [m.label + " " + str(m.value) for m in at.metric]
    parts += [frame.value.to_csv() for frame in at.dataframe]
    return "\n".join(parts)


def _submit(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click()
    return at.run()


def test_the_benchmark_shows_the_hand_counted_figures(page_world) -> None:
    _path, bw = page_world
    at = _page(bw.alfa)
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Tenders"] == "4"
    assert metrics["MVI by count"] == "50.0 %"
    assert metrics["MVI by value"] == "40.0 %"
    assert metrics["Corrected by you"] == "2"
    themes = next(f.value for f in at.dataframe if "peer_mean_pct" in f.value.columns)
    climate = themes[themes["theme"] == "Climate"].iloc[0]
    assert (climate["share_pct"], climate["peer_mean_pct"]) == (25.0, 50.0)
    peers = next(f.value for f in at.dataframe if "organisation" in f.value.columns)
    assert list(peers["organisation"]) == ["Gemeente Beta", "Gemeente Gamma"]
    assert list(peers["published_share_pct"]) == [50.0, 25.0]
    text = _texts(at)
    assert SECRET_B_REASON not in text and SECRET_B_NOTE not in text
    assert len(at.get("download_button")) == 2


def test_a_correction_saves_and_bad_input_gets_a_message(page_world) -> None:
    path, bw = page_world
    at = _page(bw.alfa)
    a4 = bw.tenders["a4"]
    at.selectbox(key="bm_corr_tender").set_value(a4).run()
    at.toggle(key=f"bm_corr_{a4}_mvi").set_value(True)
    at.text_area(key=f"bm_corr_{a4}_reason").input("Catering with organic food")
    at = _submit(at, "Save correction")
    assert not at.exception
    assert [e.value for e in at.error] == ["A sustainable tender needs at least one MVI theme."]
    at.toggle(key=f"bm_corr_{a4}_mvi").set_value(True)
    at.text_area(key=f"bm_corr_{a4}_reason").input("Catering with organic food")
    at.multiselect(key=f"bm_corr_{a4}_themes").set_value(["environment_biodiversity"])
    at = _submit(at, "Save correction")
    assert not at.exception
    assert [s.value for s in at.success] == ["Correction saved as revision 1."]
    conn = db.connect(path)
    try:
        reading = corrections.tender_reading(conn, bw.alfa, a4)
    finally:
        conn.close()
    assert reading["correction"]["themes"] == ["environment_biodiversity"]
    assert reading["correction"]["reason"] == "Catering with organic food"


def test_a_stale_correction_is_refused_with_a_message(page_world) -> None:
    _path, bw = page_world
    a2 = bw.tenders["a2"]
    at = AppTest.from_file(PAGE, default_timeout=30)
    at.session_state["auth_user"] = bw.alfa
    at.session_state[f"bm_corr_base_{a2}"] = 0  # opened before the correction of revision 1
    at.run()
    at.selectbox(key="bm_year").set_value(2024).run()
    at.selectbox(key="bm_corr_tender").set_value(a2).run()
    at.text_area(key=f"bm_corr_{a2}_reason").input("Mine")
    at = _submit(at, "Save correction")
    assert not at.exception
    assert at.error[0].value.startswith("Someone else corrected this tender after you opened it")
    assert any("Their correction: sustainable" in w.value for w in at.warning)


def test_realisation_and_ambitions_forms(page_world) -> None:
    path, bw = page_world
    at = _page(bw.alfa)
    a1 = bw.tenders["a1"]
    assert at.selectbox(key="bm_real_tender").value == a1  # the only awarded tender of A
    at.selectbox(key=f"bm_real_{a1}_realised").set_value("partly")
    at = _submit(at, "Save answers")
    assert [e.value for e in at.error] == ["Only a realised tender can be shown as a good example."]
    at.selectbox(key=f"bm_real_{a1}_realised").set_value("partly")
    at.checkbox(key=f"bm_real_{a1}_good").uncheck()
    at = _submit(at, "Save answers")
    assert [s.value for s in at.success] == ["Answers saved as revision 2."]
    at.text_input(key=f"bm_plan_{bw.orgs['A']}_2024_climate_tenders").input("lots")
    at = _submit(at, "Save action plan")
    assert not at.exception
    assert [e.value for e in at.error] == [
        "Climate: a target share is a percentage from 0 to 100, not 'lots'."
    ]
    at.text_input(key=f"bm_plan_{bw.orgs['A']}_2024_climate_tenders").input("40")
    at = _submit(at, "Save action plan")
    assert [s.value for s in at.success] == ["Action plan 2024 saved (version 2)."]
    conn = db.connect(path)
    try:
        plan = ambitions.action_plan(conn, bw.alfa, bw.orgs["A"], 2024)
    finally:
        conn.close()
    assert [(a["theme"], a["target_tender_share"]) for a in plan["ambitions"]] == [
        ("climate", 40.0),
        ("circular", 20.0),
    ]


def test_without_an_organisation_only_programme_figures(page_world) -> None:
    _path, bw = page_world
    at = _page(bw.outsider, year=None)
    assert not at.exception
    assert at.info[0].value.startswith("Your account belongs to no organisation")
    programme = at.dataframe[0].value
    assert list(programme["org_type"]) == ["(not known)", "Municipality", "Province"]


def test_the_page_speaks_dutch(page_world) -> None:
    _path, bw = page_world
    at = _page(replace(bw.alfa, language="nl"))
    assert not at.exception
    assert at.title[0].value == "MVI-benchmark"
    assert {m.label for m in at.metric} >= {"Aanbestedingen", "MVI naar aantal"}


def _tender_page(user, tender_id: int) -> AppTest:
    at = AppTest.from_file(str(Path(PAGE).parent / "tenders.py"), default_timeout=30)
    at.session_state["auth_user"] = user
    at.run()
    at.selectbox(key="tenders_pick").set_value(tender_id).run()
    assert not at.exception
    return at


def test_the_tenders_page_shows_the_correction_beside_the_reading(page_world) -> None:
    _path, bw = page_world
    a2 = bw.tenders["a2"]
    mine = _tender_page(bw.alfa, a2)
    assert [w.value for w in mine.warning] == [
        "Corrected by its buyer (revision 1): Circular (incl. biobased), Social return. "
        "Reason: SECRET\\-A\\-REASON: internal dossier 17. The benchmark and Monitoring count "
        "the correction; the reading above is the automatic one of the latest import."
    ]
    theirs = _tender_page(bw.beta, a2)
    assert theirs.warning == []
    assert "Its buyer corrected this reading" in "\n".join(c.value for c in theirs.caption)
    assert benchmark_world.SECRET_A not in _texts(theirs)
