"""Eight people save edits of one item at the same moment, each on the version they opened.

Real threads on the process connection (every package call opens its own
cursor, as the app does), released together by a barrier. Edits of different
fields (or of lines with an unchanged line between them) must all land, merged,
with nothing lost; edits of the same field: exactly one lands and every other
is refused with both texts.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from buyergroups import activity, criteria, db, dialogue, documents, groups, versioned
from buyergroups.co2 import estimates, saving
from buyergroups.db import retry
from buyergroups.errors import StaleEditError
from buyergroups.i18n import translate_message
from tests.factories import make_criterion, make_user

WRITERS = 8


def at_once(saves: list[Callable[[], Any]]) -> list[tuple[str, Any]]:
    """Run every save in its own thread, all released at once; ('saved'|'refused', result)."""
    barrier = threading.Barrier(len(saves))
    results: list[tuple[str, Any]] = [("not run", None)] * len(saves)

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = ("saved", saves[index]())
        except StaleEditError as refused:
            results[index] = ("refused", refused)
        except Exception as error:  # reported by the assertion below
            results[index] = ("error", error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(saves))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads)
    assert [r for r in results if r[0] not in ("saved", "refused")] == []
    return results


def _kinds(results: list[tuple[str, Any]]) -> list[str]:
    return sorted(kind for kind, _ in results)


def _refusals(results: list[tuple[str, Any]]) -> list[str]:
    return [str(result) for kind, result in results if kind != "saved"]


def _edits_logged(conn: db.Connection, item_kind: str, item_id: int) -> int:
    with db.reading(conn) as cur:
        return db.value(
            cur,
            "SELECT count(*) FROM activity WHERE item_kind = ? AND item_id = ? AND action = 'edit'",
            [item_kind, item_id],
        )


@pytest.fixture
def editors(conn: db.Connection, world) -> list:
    """Eight members of group A (the facilitator of the fixture world is one more)."""
    people = [make_user(conn, f"Editor {i}") for i in range(WRITERS)]
    with db.transaction(conn) as cur:
        for person in people:
            groups.set_user_role(cur, None, world.group_a, person.id, "facilitator")
    return people


# Documents: eight lines, each between two lines nobody edits (stored texts end without
# a line break).
def _body_with(edits: dict[int, str]) -> str:
    return "\n---\n".join(f"Line {i}: {edits.get(i, 'draft')}" for i in range(WRITERS))


BODY = _body_with({})


def test_document_edits_of_different_lines_all_land(conn, world, editors) -> None:
    doc = documents.create_document(
        conn, world.member, world.group_a, "market_vision", title="Vision", body=BODY, language="en"
    )
    opened = documents.get_document(conn, world.member, doc)["current_revision"]
    results = at_once(
        [
            lambda i=i: documents.save_document(
                conn, editors[i], doc, opened, body=_body_with({i: f"edited by {i}"})
            )
            for i in range(WRITERS)
        ]
    )
    assert _refusals(results) == []
    outcomes = [outcome for _, outcome in results]
    assert sorted(o.revision_no for o in outcomes) == list(range(2, WRITERS + 2))
    # All were based on revision 1: only the first to store it did not need a merge.
    assert sorted(o.merged for o in outcomes) == [False] + [True] * (WRITERS - 1)
    final = documents.get_document(conn, world.member, doc)
    assert final["body"] == _body_with({i: f"edited by {i}" for i in range(WRITERS)})
    history = versioned.history(conn, documents.KIND, world.member, doc)
    assert [r["revision_no"] for r in history] == list(range(WRITERS + 1, 0, -1))
    assert {r["author"] for r in history[:-1]} == {f"Editor {i}" for i in range(WRITERS)}
    assert _edits_logged(conn, "document", doc) == WRITERS


def test_without_the_queue_races_are_retried_and_nothing_is_lost(
    conn, world, editors, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As saves from several processes meet: every one a race on the engine. How many
    # land depends on timing; that none is lost or half-stored does not.
    monkeypatch.setattr(retry, "QUEUE_SAVES", False)
    doc = documents.create_document(
        conn, world.member, world.group_a, "market_vision", title="Vision", body=BODY, language="en"
    )
    results = at_once(
        [
            lambda i=i: documents.save_document(
                conn, editors[i], doc, 1, body=_body_with({i: f"edited by {i}"})
            )
            for i in range(WRITERS)
        ]
    )
    landed = [i for i, (kind, _) in enumerate(results) if kind == "saved"]
    assert landed, "at least the first save lands"
    for index, (kind, refused) in enumerate(results):
        if kind == "refused":
            assert str(refused).startswith("Many people saved this at the same moment")
            assert refused.mine["body"] == _body_with({index: f"edited by {index}"})
            assert refused.theirs["body"] == documents.get_document(conn, world.member, doc)["body"]
    final = documents.get_document(conn, world.member, doc)
    assert final["body"] == _body_with({i: f"edited by {i}" for i in landed})
    assert final["current_revision"] == 1 + len(landed)
    assert sorted(outcome.revision_no for kind, outcome in results if kind == "saved") == list(
        range(2, len(landed) + 2)
    )
    assert _edits_logged(conn, "document", doc) == len(landed)


def test_document_edits_of_the_same_line_one_lands_and_the_rest_are_refused(
    conn, world, editors
) -> None:
    doc = documents.create_document(
        conn, world.member, world.group_a, "market_vision", title="Vision", body=BODY, language="en"
    )
    results = at_once(
        [
            lambda i=i: documents.save_document(
                conn, editors[i], doc, 1, body=_body_with({3: f"rewritten by {i}"})
            )
            for i in range(WRITERS)
        ]
    )
    assert _kinds(results) == ["refused"] * (WRITERS - 1) + ["saved"]
    final = documents.get_document(conn, world.member, doc)
    assert final["current_revision"] == 2
    winner = next(i for i, (kind, _) in enumerate(results) if kind == "saved")
    assert final["body"] == _body_with({3: f"rewritten by {winner}"})
    for index, (kind, refused) in enumerate(results):
        if kind == "refused":
            assert str(refused).startswith(
                "Someone saved this document (revision 2) after you opened revision 1, and "
                "changed the same part (body)."
            )
            assert refused.mine["body"] == _body_with({3: f"rewritten by {index}"})
            assert refused.theirs["body"] == final["body"]
            assert refused.current_revision == 2
    assert _edits_logged(conn, "document", doc) == 1


# Criteria: each person changes another field.
CRITERION_EDITS: list[dict[str, Any]] = [
    {"title": "Emission-free machinery on site"},
    {"body": "The tenderer states the share of emission-free machinery.\nScored per 5%."},
    {"ambition_level": "ambitious"},
    {"weight": 30.0},
    {"scoring_method": "Linear from 0% to 80%."},
    {"verification_proof": "Machine list with engine types and fuel"},
    {"verification_moment": "at contract start"},
    {"cpv_codes": ["45000000", "43200000"]},
]


def test_criterion_edits_of_different_fields_all_land(conn, world, editors) -> None:
    crit = make_criterion(conn, world.member, world.group_a)
    before = criteria.get_criterion(conn, world.member, crit)
    results = at_once(
        [
            lambda i=i: criteria.save_criterion(conn, editors[i], crit, 1, **CRITERION_EDITS[i])
            for i in range(WRITERS)
        ]
    )
    assert _refusals(results) == []
    final = criteria.get_criterion(conn, world.member, crit)
    expected = {**versioned.content_of(criteria.KIND, before)}
    for edit in CRITERION_EDITS:
        expected.update(edit)
    assert versioned.content_of(criteria.KIND, final) == expected
    assert final["current_revision"] == WRITERS + 1
    assert _edits_logged(conn, "criterion", crit) == WRITERS


def test_criterion_edits_of_the_same_field_one_lands(conn, world, editors) -> None:
    crit = make_criterion(conn, world.member, world.group_a)
    results = at_once(
        [
            lambda i=i: criteria.save_criterion(conn, editors[i], crit, 1, weight=21 + i)
            for i in range(WRITERS)
        ]
    )
    assert _kinds(results) == ["refused"] * (WRITERS - 1) + ["saved"]
    final = criteria.get_criterion(conn, world.member, crit)
    winner = next(i for i, (kind, _) in enumerate(results) if kind == "saved")
    assert (final["weight"], final["current_revision"]) == (21.0 + winner, 2)
    assert all(
        (r.mine["weight"], r.theirs["weight"], r.current_revision) == (21 + i, 21.0 + winner, 2)
        for i, (kind, r) in enumerate(results)
        if kind == "refused"
    )


# Dialogue events: each person changes another field (notes in two places).
NOTES = "Suppliers asked about volumes.\n---\nThey need 18 months.\n---\nNext: a second day."
EVENT = {
    "kind": "supplier_day",
    "title": "Supplier day",
    "held_on": dt.date(2025, 3, 4),
    "participants": ["Gemeente A", "Bouw B.V."],
    "notes": NOTES,
    "takeaways": "Volumes matter.",
    "language": "en",
}
EVENT_EDITS: list[dict[str, Any]] = [
    {"title": "Supplier day Utrecht"},
    {"held_on": dt.date(2025, 3, 5)},
    {"participants": ["Gemeente A", "Bouw B.V.", "Kraan C"]},
    {"kind": "information_meeting"},
    {"language": "nl"},
    {"notes": NOTES.replace("asked about volumes", "asked about yearly volumes")},
    {"notes": NOTES.replace("a second day", "a second day in May")},
    {"takeaways": "Volumes and lead times matter."},
]


def test_dialogue_event_edits_of_different_fields_all_land(conn, world, editors) -> None:
    event_id = dialogue.create_event(conn, world.member, world.group_a, **EVENT)
    opened = dialogue.list_events(conn, world.member, world.group_a)[0]
    results = at_once(
        [
            lambda i=i: dialogue.update_event(
                conn, editors[i], event_id, opened["version"], base_fields=opened, **EVENT_EDITS[i]
            )
            for i in range(WRITERS)
        ]
    )
    assert _refusals(results) == []
    assert sorted(version for _, version in results) == list(range(2, WRITERS + 2))
    final = dialogue.list_events(conn, world.member, world.group_a)[0]
    notes = NOTES.replace("asked about volumes", "asked about yearly volumes").replace(
        "a second day", "a second day in May"
    )
    assert {k: final[k] for k in (*EVENT, "version", "visibility")} == {
        "kind": "information_meeting",
        "title": "Supplier day Utrecht",
        "held_on": dt.date(2025, 3, 5),
        "participants": ["Gemeente A", "Bouw B.V.", "Kraan C"],
        "notes": notes,
        "takeaways": "Volumes and lead times matter.",
        "language": "nl",
        "version": WRITERS + 1,
        "visibility": "group",
    }
    assert _edits_logged(conn, "dialogue", event_id) == WRITERS


def test_dialogue_event_edits_of_the_same_field_one_lands(conn, world, editors) -> None:
    event_id = dialogue.create_event(conn, world.member, world.group_a, **EVENT)
    opened = dialogue.list_events(conn, world.member, world.group_a)[0]
    results = at_once(
        [
            lambda i=i: dialogue.update_event(
                conn, editors[i], event_id, 1, base_fields=opened, title=f"Supplier day {i}"
            )
            for i in range(WRITERS)
        ]
    )
    assert _kinds(results) == ["refused"] * (WRITERS - 1) + ["saved"]
    final = dialogue.list_events(conn, world.member, world.group_a)[0]
    winner = next(i for i, (kind, _) in enumerate(results) if kind == "saved")
    assert (final["title"], final["version"]) == (f"Supplier day {winner}", 2)
    for index, (kind, refused) in enumerate(results):
        if kind == "refused":
            assert str(refused).startswith(
                "Someone saved this event (version 2) after you opened version 1, and changed "
                "the same part (title)."
            )
            assert (refused.mine["title"], refused.theirs["title"]) == (
                f"Supplier day {index}",
                f"Supplier day {winner}",
            )
    assert _edits_logged(conn, "dialogue", event_id) == 1


# Group profiles: each person changes another field.
PROFILE_EDITS: list[dict[str, Any]] = [
    {"name": "Group A (circular viaducts)"},
    {"sector": "construction"},
    {"programme": "big_buyers"},
    {"countries": ["BE", "NL"]},
    {"themes": ["circular"]},
    {"phase": "tendering"},
    {"description": "Joint specifications for circular viaducts and bridges."},
    {"co2_target_t": 2500.0},
]


def test_group_profile_edits_of_different_fields_all_land(conn, world, editors) -> None:
    opened = groups.get_group(conn, world.admin, world.group_a)
    results = at_once(
        [
            lambda i=i: groups.update_group(
                conn, editors[i], world.group_a, 1, base_fields=opened, **PROFILE_EDITS[i]
            )
            for i in range(WRITERS)
        ]
    )
    assert _refusals(results) == []
    final = groups.get_group(conn, world.admin, world.group_a)
    expected = {name: opened[name] for name in groups.PROFILE.fields}
    for edit in PROFILE_EDITS:
        expected.update(edit)
    assert {name: final[name] for name in groups.PROFILE.fields} == expected
    assert final["version"] == WRITERS + 1
    assert _edits_logged(conn, "group", world.group_a) == WRITERS


def test_group_profile_edits_of_the_same_field_one_lands(conn, world, editors) -> None:
    opened = groups.get_group(conn, world.admin, world.group_a)
    results = at_once(
        [
            lambda i=i: groups.update_group(
                conn, editors[i], world.group_a, 1, base_fields=opened, co2_target_t=100.0 * i
            )
            for i in range(WRITERS)
        ]
    )
    assert _kinds(results) == ["refused"] * (WRITERS - 1) + ["saved"]
    final = groups.get_group(conn, world.admin, world.group_a)
    winner = next(i for i, (kind, _) in enumerate(results) if kind == "saved")
    assert (final["co2_target_t"], final["version"]) == (100.0 * winner, 2)
    assert all(
        r.mine["co2_target_t"] == 100.0 * i and r.theirs["co2_target_t"] == 100.0 * winner
        for i, (kind, r) in enumerate(results)
        if kind == "refused"
    )


# CO2 estimates: each person changes another entered field, two of them an input each.
ASSUMPTIONS = "Diesel reference fleet.\n---\nTwo shifts a day."
ESTIMATE = estimates.EstimateFields(
    title="Electric excavators",
    method="external",
    inputs={"baseline": 300, "expected": 200, "unit": "t CO2e", "document": "LCA 2024"},
    start_year=2025,
    years=1,
    assumptions=ASSUMPTIONS,
)


def _estimate_edits(opened: estimates.Estimate) -> list[estimates.EstimateFields]:
    base = replace(ESTIMATE, inputs=opened.inputs)
    return [
        replace(base, title="Electric excavators and cranes"),
        replace(base, confidence="high"),
        replace(base, assumptions=ASSUMPTIONS.replace("Diesel", "HVO")),
        replace(base, assumptions=ASSUMPTIONS.replace("Two shifts", "Three shifts")),
        replace(base, source="Supplier data 2024"),
        replace(base, project="Ring road north"),
        replace(base, inputs={**opened.inputs, "baseline": 400}),
        replace(base, inputs={**opened.inputs, "document": "LCA 2025"}),
    ]


def test_estimate_edits_of_different_fields_all_land(conn, world, editors) -> None:
    opened = estimates.create_estimate(conn, world.facilitator, world.group_a, ESTIMATE)
    edits = _estimate_edits(opened)
    results = at_once(
        [
            lambda i=i: saving.update_estimate(conn, editors[i], opened.id, edits[i], based_on=1)
            for i in range(WRITERS)
        ]
    )
    assert _refusals(results) == []
    final = estimates.get_estimate(conn, world.facilitator, opened.id)
    assert (final.title, final.confidence, final.source, final.project) == (
        "Electric excavators and cranes",
        "high",
        "Supplier data 2024",
        "Ring road north",
    )
    assert final.assumptions == "HVO reference fleet.\n---\nThree shifts a day."
    assert (final.inputs["baseline"]["expected"], final.inputs["document"]) == (400.0, "LCA 2025")
    # The result is computed again from the merged inputs: 400 − 200.
    assert (final.low_t, final.expected_t, final.high_t) == (200.0, 200.0, 200.0)
    revisions = estimates.estimate_revisions(conn, world.facilitator, opened.id)
    assert [r["revision_no"] for r in revisions] == list(range(WRITERS + 1, 0, -1))
    notes = sorted(r["summary"] for r in revisions[:-1])
    assert notes == ["edited"] + ["edited (merged with another edit)"] * (WRITERS - 1)
    assert translate_message(activity.read_summary(notes[-1]), "nl") == (
        "bewerkt (samengevoegd met een andere bewerking)"
    )
    assert _edits_logged(conn, "co2_estimate", opened.id) == WRITERS


def test_estimate_edits_of_the_same_input_one_lands(conn, world, editors) -> None:
    opened = estimates.create_estimate(conn, world.facilitator, world.group_a, ESTIMATE)
    results = at_once(
        [
            lambda i=i: saving.update_estimate(
                conn,
                editors[i],
                opened.id,
                replace(ESTIMATE, inputs={**opened.inputs, "baseline": 310 + i}),
                based_on=1,
            )
            for i in range(WRITERS)
        ]
    )
    assert _kinds(results) == ["refused"] * (WRITERS - 1) + ["saved"]
    final = estimates.get_estimate(conn, world.facilitator, opened.id)
    winner = next(i for i, (kind, _) in enumerate(results) if kind == "saved")
    assert (final.expected_t, final.current_revision) == (110.0 + winner, 2)
    for index, (kind, refused) in enumerate(results):
        if kind == "refused":
            assert "changed the same part (inputs)" in str(refused)
            assert refused.mine["inputs"]["baseline"]["expected"] == 310.0 + index
            assert refused.theirs["expected_t"] == 110.0 + winner
    assert len(estimates.estimate_revisions(conn, world.facilitator, opened.id)) == 2
