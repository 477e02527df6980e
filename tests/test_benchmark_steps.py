"""Steps 2 and 3 of the benchmark and the action plan: precedence, stale edits, access, checks."""

from __future__ import annotations

import pytest

from buyergroups import db, monitoring
from buyergroups.benchmark import ambitions, corrections, realisation
from buyergroups.benchmark.corrections import AppliedCriterion, CorrectionInput
from buyergroups.benchmark.realisation import RealisationInput
from buyergroups.co2 import estimates, saving
from buyergroups.errors import PermissionDenied, StaleEditError, ValidationError
from buyergroups.ingest import loader
from buyergroups.ingest.sources import Source
from tests import benchmark_world
from tests.co2_world import external, fields
from tests.factories import join, make_criterion, make_group, make_user

CSV_HEADER = (
    "source_id,title,buyer_name,buyer_country,cpv_codes,published_on,environmental_impact,"
    "buyer_national_id\n"
)


def _import(conn, impact: str) -> None:
    data = (
        CSV_HEADER + f"RE-1,Electric buses Alfa,Gemeente Alfa,NL,34144910,2024-05-02,{impact},"
        "NL-ALFA-1\n"
    ).encode()
    summary = loader.import_sources(conn, "csv", [Source("t.csv", lambda: data)], None, system=True)
    assert not summary.rejected


@pytest.fixture
def imported(conn):
    """Gemeente Alfa, its member, and its tender imported from CSV (matched by number)."""
    from buyergroups import organisations

    with db.transaction(conn) as cur:
        org = organisations.insert_organisation(
            cur,
            None,
            "Gemeente Alfa",
            "municipality",
            "NL",
            org_type="municipality",
            national_id="NL-ALFA-1",
        )
    _import(conn, "")
    with db.reading(conn) as cur:
        tender_id = db.value(cur, "SELECT id FROM tenders WHERE source_id = 'RE-1'")
        assert db.value(cur, "SELECT buyer_org_id FROM tenders WHERE id = ?", [tender_id]) == org
    return org, tender_id, make_user(conn, "Anna Alfa", org_id=org)


SUSTAINABLE = CorrectionInput(
    themes=("climate",), sustainable=True, reason="Zero-emission buses are required (annex 3)"
)


def test_a_reimport_never_overwrites_a_correction(conn, imported) -> None:
    _org, tender_id, anna = imported
    assert corrections.save_correction(conn, anna, tender_id, SUSTAINABLE, based_on=0) == 1
    _import(conn, "circ-econ")  # the notice again, now with a BT-774 code: circular
    reading = corrections.tender_reading(conn, anna, tender_id)
    assert reading["automatic"]["mvi"] is True
    assert reading["automatic"]["themes"] == ["circular"]
    assert [e["evidence"] for e in reading["automatic"]["evidence"]] == ["circ-econ"]
    assert reading["correction"]["themes"] == ["climate"]
    assert reading["correction"]["reason"] == SUSTAINABLE.reason
    assert [r["auto_themes"] for r in reading["revisions"]] == [[]]  # made beside "not MVI"
    themes = monitoring.mvi_share_by_theme(conn, anna).set_index("theme")["mvi_tenders"]
    assert (themes["climate"], themes["circular"]) == (1, 0)


def test_every_correction_is_a_revision_and_a_stale_one_is_refused(conn, imported) -> None:
    _org, tender_id, anna = imported
    bert = make_user(conn, "Bert Alfa", org_id=_org)
    corrections.save_correction(conn, anna, tender_id, SUSTAINABLE, based_on=0)
    second = CorrectionInput(themes=(), sustainable=False, reason="Requirement dropped")
    with pytest.raises(StaleEditError, match="Someone else corrected this tender"):
        corrections.save_correction(conn, bert, tender_id, second, based_on=0)
    assert corrections.save_correction(conn, bert, tender_id, second, based_on=1) == 2
    reading = corrections.tender_reading(conn, anna, tender_id)
    assert [
        (r["revision_no"], r["author"], r["sustainable"], r["reason"]) for r in reading["revisions"]
    ] == [
        (2, "Bert Alfa", False, "Requirement dropped"),
        (1, "Anna Alfa", True, SUSTAINABLE.reason),
    ]
    assert reading["revision"] == 2
    with db.reading(conn) as cur:
        assert db.rows(cur, "SELECT * FROM tender_assessment_themes") == []


def test_who_may_correct(conn, imported) -> None:
    _org, tender_id, _anna = imported
    outsider = make_user(conn, "Olga Outside")
    facilitator = make_user(conn, "Fenna Facilitator")
    member = make_user(conn, "Mick Member")
    group = make_group(conn)
    join(conn, group, facilitator, "facilitator")
    join(conn, group, member, "member")
    with pytest.raises(PermissionDenied, match="member of the buying organisation"):
        corrections.save_correction(conn, outsider, tender_id, SUSTAINABLE, based_on=0)
    with db.transaction(conn) as cur:
        cur.execute(
            "INSERT INTO tender_groups (tender_id, group_id, linked_at) VALUES (?, ?, ?)",
            [tender_id, group, db.now()],
        )
    with pytest.raises(PermissionDenied):
        corrections.save_correction(conn, member, tender_id, SUSTAINABLE, based_on=0)
    assert corrections.save_correction(conn, facilitator, tender_id, SUSTAINABLE, based_on=0) == 1
    seen = corrections.tender_reading(conn, outsider, tender_id)
    assert (seen["corrected"], seen["correction"], seen["revisions"]) == (True, None, [])


def test_criteria_applied_link_to_group_criteria(conn, imported) -> None:
    _org, tender_id, anna = imported
    facilitator = make_user(conn, "Fenna Facilitator")
    group = make_group(conn)
    join(conn, group, facilitator, "facilitator")
    private = make_criterion(conn, facilitator, group, title="Zero-emission fleet")
    change = CorrectionInput(
        themes=("climate",),
        sustainable=True,
        reason="Applies the group's criterion",
        criteria=(AppliedCriterion("", private), AppliedCriterion("Own clause on tyres")),
    )
    with pytest.raises(ValidationError, match="not a criterion of a group this tender"):
        corrections.save_correction(conn, anna, tender_id, change, based_on=0)
    with db.transaction(conn) as cur:
        cur.execute(
            "INSERT INTO tender_groups (tender_id, group_id, linked_at) VALUES (?, ?, ?)",
            [tender_id, group, db.now()],
        )
    corrections.save_correction(conn, anna, tender_id, change, based_on=0)
    assert corrections.tender_reading(conn, anna, tender_id)["correction"]["criteria"] == [
        {"criterion_id": private, "text": "Zero-emission fleet"},
        {"criterion_id": None, "text": "Own clause on tyres"},
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (CorrectionInput((), True, "why"), "needs at least one MVI theme"),
        (CorrectionInput(("climate",), False, "why"), "has no MVI theme"),
        (CorrectionInput(("weather",), True, "why"), "is not one of"),
        (CorrectionInput(("climate",), True, "  "), "Reason is required"),
    ],
)
def test_a_bad_correction_says_what_to_fix(conn, imported, change, message) -> None:
    _org, tender_id, anna = imported
    with pytest.raises(ValidationError, match=message):
        corrections.save_correction(conn, anna, tender_id, change, based_on=0)
    with db.reading(conn) as cur:
        assert db.value(cur, "SELECT count(*) FROM tender_assessment_revisions") == 0


ANSWERS = RealisationInput(
    contracted="yes",
    realised="yes",
    co2_effect="large",
    materials_effect="small",
    knowledge="measured",
    note="Buses run",
)


def test_realisation_is_for_awarded_tenders(conn, imported) -> None:
    _org, tender_id, anna = imported
    with pytest.raises(ValidationError, match="has no award yet"):
        realisation.save_realisation(conn, anna, tender_id, ANSWERS, based_on=0)
    with db.transaction(conn) as cur:
        cur.execute("UPDATE tenders SET lots_awarded = 1 WHERE id = ?", [tender_id])
    assert realisation.save_realisation(conn, anna, tender_id, ANSWERS, based_on=0) == 1
    with pytest.raises(StaleEditError, match="Someone else answered"):
        realisation.save_realisation(conn, anna, tender_id, ANSWERS, based_on=0)
    view = realisation.realisation_view(conn, anna, tender_id)
    assert (view["answers"]["realised"], view["answers"]["knowledge"]) == ("yes", "measured")
    assert [r["revision_no"] for r in view["revisions"]] == [1]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"realised": "maybe"}, "is not one of"),
        ({"contracted": "no"}, "not contracted cannot be realised"),
        ({"realised": "partly", "good_example": True}, "Only a realised tender"),
        ({"co2_estimate_id": 999}, "CO2 estimate 999 is not an estimate of this tender"),
    ],
)
def test_bad_answers_say_what_to_fix(conn, imported, changes, message) -> None:
    _org, tender_id, anna = imported
    with db.transaction(conn) as cur:
        cur.execute("UPDATE tenders SET lots_awarded = 1 WHERE id = ?", [tender_id])
    answers = RealisationInput(**{**ANSWERS.__dict__, **changes})
    with pytest.raises(ValidationError, match=message):
        realisation.save_realisation(conn, anna, tender_id, answers, based_on=0)


def test_the_answer_links_the_co2_estimate_and_keeps_its_status(conn, imported) -> None:
    """The CO2 status stays the estimate's; the answers suggest the next step."""
    _org, tender_id, anna = imported
    group = make_group(conn)
    join(conn, group, anna, "member")
    with db.transaction(conn) as cur:
        cur.execute("UPDATE tenders SET lots_awarded = 1 WHERE id = ?", [tender_id])
    estimate = estimates.create_estimate(
        conn, anna, group, fields("Buses", external(100, 60), tender_id=tender_id)
    )
    answers = RealisationInput(**{**ANSWERS.__dict__, "co2_estimate_id": estimate.id})
    realisation.save_realisation(conn, anna, tender_id, answers, based_on=0)
    view = realisation.realisation_view(conn, anna, tender_id)
    linked = view["estimates"][0]
    assert (linked["id"], linked["status"], linked["linked"]) == (estimate.id, "expected", True)
    assert linked["suggested_status"] == "contracted"
    saving.change_status(conn, anna, estimate.id, "contracted", based_on=1)
    linked = realisation.realisation_view(conn, anna, tender_id)["estimates"][0]
    assert (linked["status"], linked["suggested_status"]) == ("contracted", "realised")


@pytest.mark.parametrize(
    ("contracted", "realised", "status", "expected"),
    [
        ("yes", "unknown", "expected", "contracted"),
        ("yes", "unknown", "contracted", None),
        ("unknown", "partly", "contracted", "realised"),
        ("yes", "yes", "realised", None),
        ("no", "no", "expected", None),
    ],
)
def test_suggested_co2_status(contracted, realised, status, expected) -> None:
    assert realisation.suggested_co2_status(contracted, realised, status) == expected


def test_action_plan_saves_checks_and_refuses_stale(conn, imported) -> None:
    org, _tender_id, anna = imported
    plan = [ambitions.Ambition("climate", "ambitious", 30, None)]
    assert ambitions.save_plan(conn, anna, org, 2025, plan, based_on=0) == 1
    with pytest.raises(StaleEditError, match="Someone else saved the 2025 action plan"):
        ambitions.save_plan(conn, anna, org, 2025, plan, based_on=0)
    with pytest.raises(ValidationError, match="percentage from 0 to 100"):
        ambitions.save_plan(
            conn, anna, org, 2025, [ambitions.Ambition("climate", "basis", 130)], based_on=1
        )
    with pytest.raises(ValidationError, match="is not a year"):
        ambitions.save_plan(conn, anna, org, "20x5", plan, based_on=1)
    with pytest.raises(PermissionDenied):
        ambitions.save_plan(conn, make_user(conn, "Olga Outside"), org, 2025, plan, based_on=1)
    changed = [ambitions.Ambition("social_return", "basis", None, 5.5)]
    assert ambitions.save_plan(conn, anna, org, 2025, changed, based_on=1) == 2
    assert ambitions.action_plan(conn, anna, org, 2025)["ambitions"] == [
        {
            "theme": "social_return",
            "ambition_level": "basis",
            "target_tender_share": None,
            "target_spend_share": 5.5,
        }
    ]


def test_another_organisation_never_sees_a_correction_or_answer(conn) -> None:
    bw = benchmark_world.build(conn)
    for key in ("a2", "b2"):
        other = bw.beta if key == "a2" else bw.alfa
        reading = corrections.tender_reading(conn, other, bw.tenders[key])
        assert (reading["corrected"], reading["correction"], reading["revisions"]) == (
            True,
            None,
            [],
        )
    view = realisation.realisation_view(conn, bw.alfa, bw.tenders["b2"])
    assert (view["answered"], view["answers"], view["revisions"]) == (True, None, [])
    with pytest.raises(PermissionDenied):
        corrections.correctable_tenders(conn, bw.alfa, bw.orgs["B"])
    mine = corrections.correctable_tenders(conn, bw.alfa, bw.orgs["A"], 2024)
    assert [(t["title"], t["corrected"], t["themes"]) for t in mine] == [
        ("Tender a1", False, None),
        ("Tender a2", True, ["circular", "social_return"]),
        ("Tender a3", True, []),
        ("Tender a4", False, None),
    ]


def test_concurrent_first_corrections_one_lands_the_others_are_refused(conn, imported) -> None:
    """Four sessions correct the same tender from revision 0 at once: one revision is
    stored, every other save is refused (never silently overwritten)."""
    import threading

    org, tender_id, _anna = imported
    people = [make_user(conn, f"Clerk {n}", org_id=org) for n in range(4)]
    outcomes: list[str] = []
    start = threading.Barrier(len(people))

    def save(person) -> None:
        start.wait()
        try:
            corrections.save_correction(conn, person, tender_id, SUSTAINABLE, based_on=0)
            outcomes.append("stored")
        except StaleEditError:
            outcomes.append("refused")

    threads = [threading.Thread(target=save, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "refused", "refused", "stored"]
    with db.reading(conn) as cur:
        assert db.value(cur, "SELECT count(*) FROM tender_assessment_revisions") == 1
        assert db.value(cur, "SELECT current_revision FROM tender_assessments") == 1
