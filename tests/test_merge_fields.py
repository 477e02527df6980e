"""Merging two edits field by field: the rule, CO2 inputs key by key, and saves without a base."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from buyergroups import activity, criteria, dialogue, documents, groups
from buyergroups.co2 import estimates, saving
from buyergroups.co2.merging import MERGED, merge_estimate, merge_inputs
from buyergroups.errors import PermissionDenied, StaleEditError
from buyergroups.i18n import CATALOGUE, translate_message
from buyergroups.merge import FieldsMerge, merge_fields

BASE = {"title": "Vision", "body": "a\nkeep\nb", "weight": 20, "notes": None}


def test_fields_changed_by_one_side_take_that_side() -> None:
    mine = {**BASE, "title": "Market vision"}
    theirs = {**BASE, "weight": 25}
    assert merge_fields(BASE, mine, theirs, BASE) == FieldsMerge(
        {**BASE, "title": "Market vision", "weight": 25}, []
    )


def test_a_field_changed_alike_on_both_sides_is_no_conflict() -> None:
    both = {**BASE, "weight": 30}
    assert merge_fields(BASE, both, both, BASE) == FieldsMerge(both, [])


def test_a_field_changed_differently_conflicts_and_keeps_mine() -> None:
    outcome = merge_fields(BASE, {**BASE, "weight": 30}, {**BASE, "weight": 35}, BASE)
    assert outcome == FieldsMerge({**BASE, "weight": 30}, ["weight"])


def test_text_fields_merge_line_by_line_and_conflict_only_on_the_same_lines() -> None:
    mine, theirs = {**BASE, "body": "A\nkeep\nb"}, {**BASE, "body": "a\nkeep\nB"}
    assert merge_fields(BASE, mine, theirs, BASE, text_fields=["body"]).fields["body"] == (
        "A\nkeep\nB"
    )
    clash = merge_fields(BASE, mine, {**BASE, "body": "a2\nkeep\nb"}, BASE, text_fields=["body"])
    assert clash == FieldsMerge(mine, ["body"])
    # Without the line rule the same edits are one value changed twice.
    assert merge_fields(BASE, mine, theirs, BASE).conflicts == ["body"]


def test_an_empty_text_field_merges_as_a_value() -> None:
    outcome = merge_fields(BASE, {**BASE, "notes": "new"}, BASE, BASE, text_fields=["notes"])
    assert outcome == FieldsMerge({**BASE, "notes": "new"}, [])


INPUTS = {
    "baseline": {"expected": 300.0, "low": 300.0, "high": 300.0},
    "expected": {"expected": 200.0, "low": 200.0, "high": 200.0},
    "unit": "t CO2e",
    "document": "LCA 2024",
}
STORED = {
    "title": "Excavators",
    "method": "external",
    "inputs": INPUTS,
    "start_year": 2025,
    "years": 1,
    "confidence": "medium",
    "assumptions": "Diesel fleet.\n---\nTwo shifts.",
    "source": "",
    "tender_id": None,
    "project": "",
    "status": "expected",
}


def _with_inputs(**changes: object) -> dict:
    return {**STORED, "inputs": {**INPUTS, **changes}}


def test_inputs_merge_key_by_key() -> None:
    baseline = {"expected": 400.0, "low": 400.0, "high": 400.0}
    merged = merge_inputs(STORED, _with_inputs(baseline=baseline), _with_inputs(document="LCA 2"))
    assert merged == {**INPUTS, "baseline": baseline, "document": "LCA 2"}


@pytest.mark.parametrize(
    ("mine", "theirs"),
    [
        ({**STORED, "method": "intensity"}, _with_inputs(document="LCA 2")),
        (_with_inputs(unit="kg CO2e"), _with_inputs(document="LCA 2")),
        (_with_inputs(document="LCA 3"), _with_inputs(document="LCA 2")),
    ],
    ids=["method changed", "unit changed", "same input changed"],
)
def test_inputs_merge_as_one_value_when_keys_cannot_be_merged_alone(mine, theirs) -> None:
    assert merge_inputs(STORED, mine, theirs) is None


def test_an_estimate_merges_inputs_assumptions_and_status_or_names_the_conflict() -> None:
    mine = {**_with_inputs(document="LCA 2"), "assumptions": "HVO fleet.\n---\nTwo shifts."}
    theirs = {**STORED, "assumptions": "Diesel fleet.\n---\nThree shifts.", "status": "contracted"}
    outcome = merge_estimate(STORED, mine, theirs)
    assert outcome.conflicts == []
    assert {k: outcome.fields[k] for k in ("inputs", "assumptions", "status")} == {
        "inputs": {**INPUTS, "document": "LCA 2"},
        "assumptions": "HVO fleet.\n---\nThree shifts.",
        "status": "contracted",
    }
    # A unit changed on one side, another input on the other: the inputs conflict as a whole.
    both = merge_estimate(STORED, _with_inputs(unit="kg CO2e"), _with_inputs(document="LCA 2"))
    assert both.conflicts == ["inputs"]


def test_every_field_a_refusal_can_name_has_a_dutch_name() -> None:
    names = {
        "title",
        "body",
        *documents.KIND.fields,
        *criteria.KIND.fields,
        *dialogue.EVENT.fields,
        *groups.PROFILE.fields,
        *MERGED,
    }
    assert sorted(name for name in names if name not in CATALOGUE["nl"]) == []


EVENT = {
    "kind": "supplier_day",
    "title": "Supplier day",
    "held_on": dt.date(2025, 3, 4),
    "participants": ["Gemeente A"],
    "notes": "Volumes.\n---\nLead times.",
    "takeaways": "",
    "language": "en",
}


def test_an_event_edit_on_an_old_version_merges_only_with_its_base(conn, world) -> None:
    event_id = dialogue.create_event(conn, world.member, world.group_a, **EVENT)
    opened = dialogue.list_events(conn, world.member, world.group_a)[0]
    assert dialogue.update_event(conn, world.facilitator, event_id, 1, title="Supplier day 2") == 2
    with pytest.raises(StaleEditError) as refused:
        dialogue.update_event(conn, world.member, event_id, 1, takeaways="Volumes matter.")
    assert str(refused.value) == (
        "Someone saved this event after you opened it; reload it and apply your change again."
    )
    assert (refused.value.mine["takeaways"], refused.value.theirs["title"]) == (
        "Volumes matter.",
        "Supplier day 2",
    )
    new_version = dialogue.update_event(
        conn, world.member, event_id, 1, base_fields=opened, takeaways="Volumes matter."
    )
    stored = dialogue.list_events(conn, world.member, world.group_a)[0]
    assert (new_version, stored["title"], stored["takeaways"]) == (
        3,
        "Supplier day 2",
        "Volumes matter.",
    )


def test_a_stale_edit_by_someone_who_may_not_edit_shows_nothing_of_the_event(conn, world) -> None:
    event_id = dialogue.create_event(conn, world.member, world.group_a, **EVENT)
    dialogue.update_event(conn, world.member, event_id, 1, title="Private title")
    with pytest.raises(PermissionDenied):
        dialogue.update_event(conn, world.observer, event_id, 1, title="Observer's")
    opened = groups.get_group(conn, world.admin, world.group_a)
    groups.update_group(
        conn, world.facilitator, world.group_a, 1, base_fields=opened, phase="forming"
    )
    with pytest.raises(PermissionDenied):
        groups.update_group(conn, world.member, world.group_a, 1, base_fields=opened, name="X")


def test_a_status_change_on_an_old_revision_merges_with_an_edit(conn, world) -> None:
    created = estimates.create_estimate(
        conn,
        world.facilitator,
        world.group_a,
        estimates.EstimateFields(
            title="Excavators",
            method="external",
            inputs={"baseline": 300, "expected": 200, "unit": "t CO2e", "document": "LCA"},
            start_year=2025,
            years=1,
        ),
    )
    edited = replace(
        estimates.EstimateFields(
            title="Excavators",
            method="external",
            inputs=created.inputs,
            start_year=2025,
            years=1,
        ),
        title="Electric excavators",
    )
    saving.update_estimate(conn, world.member, created.id, edited, based_on=1)
    moved = saving.change_status(conn, world.facilitator, created.id, "contracted", based_on=1)
    assert (moved.title, moved.status, moved.current_revision) == (
        "Electric excavators",
        "contracted",
        3,
    )
    notes = [r["summary"] for r in estimates.estimate_revisions(conn, world.member, created.id)]
    assert notes == [
        "status expected → contracted (merged with another edit)",
        "edited",
        "created",
    ]
    assert translate_message(activity.read_summary(notes[0]), "nl") == (
        "status verwacht → gecontracteerd (samengevoegd met een andere bewerking)"
    )
    # The same move made on revision 2 again: nothing new to store.
    again = saving.change_status(conn, world.member, created.id, "contracted", based_on=2)
    assert (again.status, again.current_revision) == ("contracted", 3)
    # Different moves from revision 3: the second is refused.
    saving.change_status(conn, world.facilitator, created.id, "realised", based_on=3)
    with pytest.raises(StaleEditError, match="changed the same part \\(status\\)"):
        saving.change_status(conn, world.member, created.id, "expected", based_on=3)
    assert estimates.get_estimate(conn, world.member, created.id).status == "realised"
