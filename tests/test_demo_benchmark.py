"""The demo's benchmark data: every benchmark screen has something real-looking to show."""

from __future__ import annotations

from buyergroups import db, demo
from buyergroups.accounts.users import find_by_email
from buyergroups.benchmark import ambitions, corrections, examples, figures, realisation
from tests.ui_support import signed_in_app

JOOST = "joost.verhagen@demo.buyergroups.example"  # Rijkswaterstaat, facilitator of viaducts
LISA = "lisa.vermeulen@demo.buyergroups.example"  # Gemeente Utrecht


def _user(conn, email):
    with db.reading(conn) as cur:
        return find_by_email(cur, email)


def _tender(conn, source_id):
    with db.reading(conn) as cur:
        return db.value(cur, "SELECT id FROM tenders WHERE source_id = ?", [source_id])


def test_demo_has_awards_corrections_answers_plans_and_examples(conn) -> None:
    counts = demo.seed(conn)
    assert (counts["awards"], counts["corrections"], counts["realisations"]) == (4, 4, 4)
    joost = _user(conn, JOOST)
    rws = joost.organisation_id
    found = figures.organisation_benchmark(conn, joost, rws, 2024)
    assert found["corrected"] == 1
    assert found["realisation"]["partly_realised"] == 1
    assert found["ambition"].set_index("theme").loc["climate", "ambition_level"] == "ambitious"
    assert found["by_theme"].set_index("theme").loc["any", "peers"] >= 2
    assert ambitions.action_plan(conn, joost, rws, 2024)["version"] == 1
    a12 = _tender(conn, "DEMO-NL-2024-0001")
    view = realisation.realisation_view(conn, joost, a12)
    linked = [e for e in view["estimates"] if e["linked"]]
    assert [(e["status"], e["suggested_status"]) for e in linked] == [("contracted", "realised")]
    assert [e["buyer_name"] for e in examples.good_examples(conn, joost)] == [
        "Provincie Utrecht",
        "Politie Nederland",
    ]
    # Gemeente Utrecht's correction is counted for everyone but shown only to its side.
    utrecht_tender = _tender(conn, "DEMO-NL-2024-0601")
    assert corrections.tender_reading(conn, joost, utrecht_tender)["correction"] is None
    lisa = _user(conn, LISA)
    assert corrections.tender_reading(conn, lisa, utrecht_tender)["correction"]["themes"] == [
        "climate",
        "diversity_inclusion",
    ]


def test_the_benchmark_page_on_the_demo(app_db) -> None:
    at = signed_in_app(app_db, JOOST)
    at.run()
    at.switch_page("pages/benchmark.py").run()
    assert not at.exception
    assert "2024" in at.selectbox(key="bm_year").options
    at.selectbox(key="bm_year").set_value(2024).run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}  # Joost reads Dutch
    assert metrics["Door u gecorrigeerd"] == "1"
    assert "CO2-schatting naar Gerealiseerd zetten" in [b.label for b in at.button]


def test_monitoring_says_how_many_were_corrected(app_db) -> None:
    at = signed_in_app(app_db, JOOST).run()
    at.switch_page("pages/monitoring.py").run()
    assert not at.exception
    assert (
        "4 daarvan gecorrigeerd door hun aanbestedende dienst (MVI-benchmark, stap 2); de "
        "aandelen tellen de gecorrigeerde lezing."
    ) in [c.value for c in at.caption]


def test_good_examples_are_flagged_and_filtered_in_find_similar(app_db) -> None:
    at = signed_in_app(app_db, JOOST, timeout=120).run()
    at.switch_page("pages/find_similar.py").run()
    at.text_area(key="find_similar_text").input("circulair en eerlijk, hergebruik").run()
    assert not at.exception
    flag = "⭐ **Goed voorbeeld**: duurzaam, ambitieus en gerealiseerd"
    titles = [m.value for m in at.markdown if m.value.startswith("**")]
    assert len(titles) > 2
    at.checkbox(key="find_similar_good").check().run()
    assert not at.exception
    titles = [m.value for m in at.markdown if m.value.startswith("**")]
    assert sorted(titles) == [
        "**Bedrijfskleding politie: circulair en eerlijk**",
        "**Groot onderhoud kunstwerken provincie Utrecht 2025-2028**",
    ]
    assert [m.value for m in at.markdown].count(flag) == 2
