"""AppTests of the Tenders and Import pages, run on their own with a signed-in user."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from buyergroups import db, tenders
from buyergroups.errors import msg
from buyergroups.ingest import loader
from buyergroups.ingest.sources import Limits, sources_from_paths
from tests.factories import make_world

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "ingest"
NOTICE_ID = "11111111-2222-4333-8444-555555555555"


@pytest.fixture
def app_world(tmp_path, monkeypatch):
    path = tmp_path / "pages.duckdb"
    conn = db.connect(path)
    world = make_world(conn)
    for kind, name in [("eforms", "cn_two_lots.xml"), ("csv", "tenders.csv")]:
        sources = sources_from_paths([FIXTURES / name], kind, Limits())
        loader.import_sources(conn, kind, sources, None, system=True)
    conn.close()
    monkeypatch.setenv("BUYERGROUPS_DB", str(path))
    monkeypatch.setenv("BUYERGROUPS_SEED_DEMO", "0")
    st.cache_resource.clear()
    yield path, world
    st.cache_resource.clear()


def _page(name: str, user) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / name), default_timeout=30)
    at.session_state["auth_user"] = user
    return at.run()


def test_tenders_search_detail_and_link(app_world) -> None:
    path, world = app_world
    at = _page("tenders.py", world.member)
    assert not at.exception
    assert at.caption[0].value == "3 tender(s) (newest first)."
    at.selectbox(key="tenders_theme").set_value("circular").run()
    assert at.caption[0].value == "1 tender(s) (newest first)."
    assert at.subheader[0].value == "Circulair kantoormeubilair"
    assert at.success[0].value == (
        "Sustainable procurement (MVI): Climate, Circular (incl. biobased), Social return"
    )
    award_tables = [frame.value for frame in at.dataframe if "Weight" in frame.value.columns]
    assert [list(frame["Name"]) for frame in award_tables] == [
        ["Prijs", "Hergebruik van materialen"],
        ["Levenscycluskosten"],
    ]
    assert "Lot group" not in award_tables[0].columns  # no lot group in this notice
    at.text_input(key="tenders_link_note").set_value("Applies our furniture criteria").run()
    at.button(key="tenders_link").click().run()
    assert [s.value for s in at.success][-1] == "Linked."
    conn = db.connect(path)
    try:
        linked = tenders.group_tenders(conn, world.member, world.group_a)
    finally:
        conn.close()
    assert [(row["source_id"], row["note"]) for row in linked] == [
        (NOTICE_ID, "Applies our furniture criteria")
    ]


def test_bad_cpv_filter_shows_a_message(app_world) -> None:
    _, world = app_world
    at = _page("tenders.py", world.outsider)
    at.text_input(key="tenders_cpv").set_value("abc").run()
    assert [e.value for e in at.error] == ["CPV 'abc' is not a code or code prefix."]


def test_import_page_is_for_facilitators_and_admins(app_world) -> None:
    _, world = app_world
    at = _page("import_tenders.py", world.member)
    assert [i.value for i in at.info] == [
        "Only facilitators of a buyer group and platform admins can import tenders."
    ]
    assert len(at.button) == 0
    at = _page("import_tenders.py", world.facilitator)
    assert not at.exception
    assert at.radio(key="import_kind").options == [
        "EU eForms notices (XML)",
        "OCDS releases or records (JSON, JSON Lines)",
        "Tenders CSV (documented columns)",
    ]
    assert at.selectbox(key="import_group").options == ["Group A"]
    assert at.button(key="import_run").disabled is True


@pytest.mark.parametrize(
    ("language", "line", "reason"),
    [
        (
            "en",
            "2 file(s) read: 1 imported, 0 updated, 0 unchanged, 1 rejected.",
            "bad.xml: the file is empty (0 bytes).",
        ),
        (
            "nl",
            "2 bestand(en) gelezen: 1 geïmporteerd, 0 bijgewerkt, 0 ongewijzigd, 1 geweigerd.",
            "bad.xml: het bestand is leeg (0 bytes).",
        ),
    ],
)
def test_import_summary_in_the_readers_language(app_world, language, line, reason) -> None:
    _, world = app_world
    empty = msg("{name}: the file is empty (0 bytes).", name="bad.xml")
    summary = loader.BatchSummary(
        [
            loader.FileResult("good.xml", "imported", imported=1),
            loader.FileResult("bad.xml", "rejected", message=empty),
        ]
    )
    at = AppTest.from_file(str(ROOT / "tests" / "import_summary_app.py"), default_timeout=30)
    at.session_state["auth_user"] = replace(world.facilitator, language=language)
    at.session_state["import_test_summary"] = summary
    at.run()
    assert not at.exception
    assert [w.value for w in at.warning] == [line]
    rows = at.dataframe[0].value.to_dict("records")
    assert list(rows[1].values())[1:] == [
        {"en": "rejected", "nl": "geweigerd"}[language],
        0,
        0,
        0,
        reason,
    ]


def test_import_summary_shows_an_identical_reimport_as_unchanged(app_world) -> None:
    path, world = app_world
    conn = db.connect(path)
    try:  # app_world imported both files already: this is the second import
        sources = sources_from_paths([FIXTURES / "cn_two_lots.xml"], "eforms", Limits())
        summary = loader.import_sources(conn, "eforms", sources, None, system=True)
    finally:
        conn.close()
    at = AppTest.from_file(str(ROOT / "tests" / "import_summary_app.py"), default_timeout=30)
    at.session_state["auth_user"] = replace(world.facilitator, language="nl")
    at.session_state["import_test_summary"] = summary
    at.run()
    assert [s.value for s in at.success] == [
        "1 bestand(en) gelezen: 0 geïmporteerd, 0 bijgewerkt, 1 ongewijzigd, 0 geweigerd."
    ]
    (row,) = at.dataframe[0].value.to_dict("records")
    assert row == {
        "Bestand": str(FIXTURES / "cn_two_lots.xml"),
        "Resultaat": "ongewijzigd",
        "Geïmporteerd": 0,
        "Bijgewerkt": 0,
        "Ongewijzigd": 1,
        "Melding": "",
    }


def test_tenders_detail_shows_the_life_cycle_and_the_award_results(app_world) -> None:
    path, world = app_world
    conn = db.connect(path)
    try:
        for name in ("pin_furniture.xml", "can_furniture.xml"):
            sources = sources_from_paths([FIXTURES / name], "eforms", Limits())
            assert not loader.import_sources(conn, "eforms", sources, None, system=True).rejected
    finally:
        conn.close()
    at = _page("tenders.py", world.member)
    at.selectbox(key="tenders_theme").set_value("circular").run()
    assert not at.exception
    assert at.subheader[0].value == "Circulair kantoormeubilair"
    (life,) = [frame.value for frame in at.dataframe if "Stage" in frame.value.columns]
    assert life[["Stage", "Published", "Describes the procurement"]].astype(
        str
    ).values.tolist() == [
        ["Prior information", "2024-01-10", ""],
        ["Contract notice", "2024-03-05", "yes"],
        ["Contract award notice", "2024-07-01", ""],
    ]
    (summary,) = [m.value for m in at.markdown if m.value.startswith("**Award results:**")]
    assert summary == (
        "**Award results:** 200,000 EUR awarded · 1 lot(s) awarded · 6 tender(s) received"
        " · awarded on 2024-06-20 · notice value 200,000 EUR"
    )
    (results,) = [frame.value for frame in at.dataframe if "Winners" in frame.value.columns]
    assert results.to_dict("records") == [
        {
            "Lot": "LOT-0001",
            "Status": "Winner chosen",
            "Awarded value": "200,000 EUR",
            "Tenders received": 4,
            "Winners": "Zitwerk Kantoorinrichting B.V. (NL, TEST-KVK 1111 1111, SME); "
            "Meubelfabriek Oost (NL, SME); ReMake GmbH (DE, HRB 99999, not an SME)",
        },
        {
            "Lot": "LOT-0002",
            "Status": "Closed without a winner",
            "Awarded value": "—",
            "Tenders received": 2,
            "Winners": "",
        },
    ]
    assert "The buyer is not matched to an organisation yet (an admin can link it)." in [
        c.value for c in at.caption
    ]
    dutch = _page("tenders.py", replace(world.member, language="nl"))
    dutch.selectbox(key="tenders_theme").set_value("circular").run()
    (life,) = [f.value for f in dutch.dataframe if "Stap" in f.value.columns]
    assert list(life["Stap"]) == [
        "Vooraankondiging",
        "Aankondiging van een opdracht",
        "Aankondiging van een gegunde opdracht",
    ]
    assert [m.value for m in dutch.markdown if m.value.startswith("**Gunningsresultaten:**")] == [
        "**Gunningsresultaten:** 200.000 EUR gegund · 1 perceel/percelen gegund · 6 inschrijving(en)"
        " ontvangen · gegund op 2024-06-20 · waarde van de aankondiging 200.000 EUR"
    ]


def test_a_long_list_is_paged_with_its_exact_total(app_world, monkeypatch) -> None:
    from buyergroups import tenders
    from buyergroups.tenders import TenderFilter
    from ui.context import connection

    _path, world = app_world
    everything = tenders.search(connection(), world.member, TenderFilter())
    assert tenders.count(connection(), world.member, TenderFilter()) == len(everything) == 3
    pages = [
        tenders.search(connection(), world.member, TenderFilter(), limit=2, offset=offset)
        for offset in (0, 2)
    ]
    assert [row["id"] for page in pages for row in page] == [row["id"] for row in everything]
    monkeypatch.setattr(tenders, "PAGE_SIZE", 2)
    at = _page("tenders.py", world.member)
    assert at.caption[0].value == ("Tenders 1–2 of 3 (newest first, 2 per page; page 1 of 2).")
    assert len(at.selectbox(key="tenders_pick").options) == 2
    at.number_input(key="tenders_page").set_value(2).run()
    assert at.caption[0].value == "Tenders 3–3 of 3 (newest first, 2 per page; page 2 of 2)."
    assert len(at.selectbox(key="tenders_pick").options) == 1
