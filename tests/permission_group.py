"""The steps of tests/test_permissions.py for dialogue events, CO2 estimates and the group.

The group's own actions: its people and organisations, its profile, and the tenders
imported into it, linked to it and exported from it.
"""

from __future__ import annotations

from typing import Any

from buyergroups import dialogue, groups, tenders
from buyergroups.co2 import estimates, saving
from buyergroups.co2 import export as co2_export
from buyergroups.exports import group_sheets, word
from buyergroups.ingest import loader
from buyergroups.ingest.sources import Source
from tests.permission_world import (
    EDITED,
    PROFILE,
    TENDER_TITLE,
    TITLE,
    Steps,
    Workspace,
    csv_column,
    docx_paragraphs,
    no_item,
    only,
    registry,
    tender_csv,
    xlsx_column,
)

STEPS: Steps = {}
step = registry(STEPS)

# ---------------------------------------------------------------- market-dialogue events


def _event(ws: Workspace, group_id: int, on: str) -> int:
    return dialogue.create_event(
        ws.conn,
        ws.facilitator,
        group_id,
        kind="supplier_day",
        title=TITLE["dialogue"],
        held_on="2024-05-01",
        participants=["Acme Girders"],
        notes="Met three suppliers.",
        takeaways="- reuse is feasible",
        language="en",
        visibility="published" if on == "published" else "group",
    )


def _event_row(ws: Workspace, event_id: int) -> tuple[Any, ...]:
    return ws.rows(
        "SELECT title, visibility, version, updated_by FROM dialogue_events WHERE id = ?", event_id
    )[0]


@step("dialogue", "list", _event)
def _events(ws: Workspace, actor: Any, group_id: int, event_id: int, shown: bool) -> set[str]:
    listed = dialogue.list_events(ws.conn, actor, group_id)
    assert [e["id"] for e in listed] == only(event_id, shown)
    return set()


def _create_event_step(action: str, visibility: str) -> None:
    @step("dialogue", action, no_item)
    def _create(ws: Workspace, actor: Any, group_id: int, _: None, shown: bool) -> set[str]:
        event_id = dialogue.create_event(
            ws.conn,
            actor,
            group_id,
            kind="rfi",
            title="Recorded in the cell",
            held_on="2024-06-01",
            visibility=visibility,
        )
        assert ws.rows(
            "SELECT group_id, title, visibility, created_by FROM dialogue_events WHERE id = ?",
            event_id,
        ) == [(group_id, "Recorded in the cell", visibility, actor.id)]
        return {"dialogue_events", "activity"}


_create_event_step("create", "group")
_create_event_step("create_published", "published")


@step("dialogue", "edit", _event)
def _edit_event(ws: Workspace, actor: Any, group_id: int, event_id: int, shown: bool) -> set[str]:
    visibility = _event_row(ws, event_id)[1]
    assert dialogue.update_event(ws.conn, actor, event_id, 1, title=EDITED) == 2
    assert _event_row(ws, event_id) == (EDITED, visibility, 2, actor.id)
    return {"dialogue_events", "activity"}


def _visibility_step(action: str, target: str) -> None:
    @step("dialogue", action, _event)
    def _visibility(
        ws: Workspace, actor: Any, group_id: int, event_id: int, shown: bool
    ) -> set[str]:
        assert dialogue.update_event(ws.conn, actor, event_id, 1, visibility=target) == 2
        assert _event_row(ws, event_id) == (TITLE["dialogue"], target, 2, actor.id)
        return {"dialogue_events", "activity"}


_visibility_step("publish", "published")
_visibility_step("unpublish", "group")


@step("dialogue", "export_sheet", _event)
def _dialogue_sheets(
    ws: Workspace, actor: Any, group_id: int, event_id: int, shown: bool
) -> set[str]:
    xlsx = group_sheets.dialogue_xlsx(ws.conn, actor, group_id)
    assert xlsx_column(xlsx, "Market dialogue", "Title") == only(TITLE["dialogue"], shown)
    sheet = group_sheets.dialogue_csv(ws.conn, actor, group_id)
    assert csv_column(sheet, "Title") == only(TITLE["dialogue"], shown)
    return set()


@step("dialogue", "export_word", _event)
def _summary_docx(ws: Workspace, actor: Any, group_id: int, event_id: int, shown: bool) -> set[str]:
    data = word.summary_docx(ws.conn, actor, group_id)
    bullet = f"1 May 2024, {TITLE['dialogue']}: reuse is feasible"
    assert docx_paragraphs(data, "List Bullet") == only(bullet, shown)
    return set()


# ---------------------------------------------------------------- CO2 estimates


def _fields(title: str) -> estimates.EstimateFields:
    return estimates.EstimateFields(
        title=title,
        method="external",
        inputs={"baseline": 300, "expected": 200, "unit": "t CO2e", "document": "LCA 2024"},
        start_year=2025,
        years=1,
    )


def _estimate(ws: Workspace, group_id: int, on: str) -> int:
    return estimates.create_estimate(ws.conn, ws.facilitator, group_id, _fields(TITLE["co2"])).id


def _estimate_row(ws: Workspace, estimate_id: int) -> tuple[Any, ...]:
    return ws.rows(
        "SELECT title, status, current_revision, updated_by, deleted_at IS NOT NULL, deleted_by"
        " FROM co2_estimates WHERE id = ?",
        estimate_id,
    )[0]


@step("co2", "list", _estimate)
def _estimates(ws: Workspace, actor: Any, group_id: int, estimate_id: int, shown: bool) -> set[str]:
    listed = estimates.list_estimates(ws.conn, actor, group_id)
    assert [e.id for e in listed] == only(estimate_id, shown)
    return set()


@step("co2", "read", _estimate)
def _read_estimate(
    ws: Workspace, actor: Any, group_id: int, estimate_id: int, shown: bool
) -> set[str]:
    found = estimates.get_estimate(ws.conn, actor, estimate_id)
    assert (found.id, found.title, found.expected_t, found.current_revision) == (
        estimate_id,
        TITLE["co2"],
        100.0,
        1,
    )
    return set()


@step("co2", "history", _estimate)
def _estimate_history(
    ws: Workspace, actor: Any, group_id: int, estimate_id: int, shown: bool
) -> set[str]:
    found = estimates.estimate_revisions(ws.conn, actor, estimate_id)
    assert [(r["revision_no"], r["fields"]["title"]) for r in found] == [(1, TITLE["co2"])]
    return set()


@step("co2", "create", no_item)
def _create_estimate(ws: Workspace, actor: Any, group_id: int, _: None, shown: bool) -> set[str]:
    created = estimates.create_estimate(ws.conn, actor, group_id, _fields("Created in the cell"))
    assert ws.rows(
        "SELECT group_id, title, status, current_revision, created_by FROM co2_estimates"
        " WHERE id = ?",
        created.id,
    ) == [(group_id, "Created in the cell", "expected", 1, actor.id)]
    return {"co2_estimates", "co2_estimate_revisions", "activity"}


@step("co2", "edit", _estimate)
def _edit_estimate(
    ws: Workspace, actor: Any, group_id: int, estimate_id: int, shown: bool
) -> set[str]:
    saving.update_estimate(ws.conn, actor, estimate_id, _fields(EDITED), based_on=1)
    assert _estimate_row(ws, estimate_id) == (EDITED, "expected", 2, actor.id, False, None)
    return {"co2_estimates", "co2_estimate_revisions", "activity"}


@step("co2", "status", _estimate)
def _estimate_status(
    ws: Workspace, actor: Any, group_id: int, estimate_id: int, shown: bool
) -> set[str]:
    saving.change_status(ws.conn, actor, estimate_id, "contracted", based_on=1)
    assert _estimate_row(ws, estimate_id) == (TITLE["co2"], "contracted", 2, actor.id, False, None)
    return {"co2_estimates", "co2_estimate_revisions", "activity"}


@step("co2", "delete", _estimate)
def _delete_estimate(
    ws: Workspace, actor: Any, group_id: int, estimate_id: int, shown: bool
) -> set[str]:
    saving.delete_estimate(ws.conn, actor, estimate_id, based_on=1)
    assert _estimate_row(ws, estimate_id) == (
        TITLE["co2"],
        "expected",
        1,
        ws.facilitator.id,
        True,
        actor.id,
    )
    return {"co2_estimates", "activity"}


@step("co2", "export_sheet", _estimate)
def _estimate_sheets(
    ws: Workspace, actor: Any, group_id: int, estimate_id: int, shown: bool
) -> set[str]:
    xlsx = co2_export.estimates_xlsx(ws.conn, actor, group_id)
    assert xlsx_column(xlsx, "Estimates", "title") == only(TITLE["co2"], shown)
    sheet = co2_export.estimates_csv(ws.conn, actor, group_id)
    assert csv_column(sheet, "title") == only(TITLE["co2"], shown)
    return set()


# ---------------------------------------------------------------- the group: members and tenders


def _users(ws: Workspace, group_id: int) -> list[tuple[Any, ...]]:
    return ws.rows(
        "SELECT user_id, role FROM group_users WHERE group_id = ? ORDER BY user_id", group_id
    )


def _roles(ws: Workspace, **changed: str | None) -> list[tuple[int, str]]:
    roles = {"facilitator": "facilitator", "member": "member", "observer": "observer", **changed}
    return sorted((ws.user(person).id, role) for person, role in roles.items() if role)


@step("group", "invite", no_item)
def _invite(ws: Workspace, actor: Any, group_id: int, _: None, shown: bool) -> set[str]:
    groups.add_user_to_group(ws.conn, actor, group_id, ws.newcomer.id, "member")
    assert _users(ws, group_id) == sorted([*_roles(ws), (ws.newcomer.id, "member")])
    return {"group_users", "activity"}


@step("group", "change_role", no_item)
def _change_role(ws: Workspace, actor: Any, group_id: int, _: None, shown: bool) -> set[str]:
    groups.add_user_to_group(ws.conn, actor, group_id, ws.user("member").id, "observer")
    assert _users(ws, group_id) == _roles(ws, member="observer")
    return {"group_users", "activity"}


@step("group", "remove_user", no_item)
def _remove_user(ws: Workspace, actor: Any, group_id: int, _: None, shown: bool) -> set[str]:
    groups.remove_user_from_group(ws.conn, actor, group_id, ws.user("observer").id)
    assert _users(ws, group_id) == _roles(ws, observer=None)
    return {"group_users", "activity"}


def _organisations(ws: Workspace, group_id: int) -> list[tuple[Any, ...]]:
    return ws.rows("SELECT organisation_id, role FROM memberships WHERE group_id = ?", group_id)


@step("group", "add_organisation", no_item)
def _add_organisation(ws: Workspace, actor: Any, group_id: int, _: None, shown: bool) -> set[str]:
    groups.add_organisation_to_group(ws.conn, actor, group_id, ws.organisation, "front_runner")
    assert _organisations(ws, group_id) == [(ws.organisation, "front_runner")]
    return {"memberships", "activity"}


def _with_organisation(ws: Workspace, group_id: int, on: str) -> None:
    groups.add_organisation_to_group(ws.conn, ws.facilitator, group_id, ws.organisation, "lead")


@step("group", "remove_organisation", _with_organisation)
def _remove_organisation(
    ws: Workspace, actor: Any, group_id: int, _: None, shown: bool
) -> set[str]:
    groups.remove_organisation_from_group(ws.conn, actor, group_id, ws.organisation)
    assert _organisations(ws, group_id) == []
    return {"memberships", "activity"}


@step("group", "activity", _with_organisation)
def _activity(ws: Workspace, actor: Any, group_id: int, _: None, shown: bool) -> set[str]:
    found = groups.group_activity(ws.conn, actor, group_id)
    assert [(e["user_id"], e["action"], e["item_kind"], e["summary"]) for e in found] == [
        (ws.facilitator.id, "set_role", "membership", "organisation as lead")
    ]
    return set()


@step("group", "edit_profile", no_item)
def _edit_profile(ws: Workspace, actor: Any, group_id: int, _: None, shown: bool) -> set[str]:
    name = ws.rows("SELECT name FROM buyer_groups WHERE id = ?", group_id)[0][0]
    fields = {**PROFILE, "name": name, "description": EDITED}
    assert groups.update_group(ws.conn, actor, group_id, 1, **fields) == 2
    assert ws.rows(
        "SELECT description, version, updated_by FROM buyer_groups WHERE id = ?", group_id
    ) == [(EDITED, 2, actor.id)]
    return {"buyer_groups", "activity"}


@step("group", "import_tenders", no_item)
def _import_tenders(ws: Workspace, actor: Any, group_id: int, _: None, shown: bool) -> set[str]:
    source_id = f"T-{group_id}"
    source = Source("tenders.csv", lambda: tender_csv(source_id, "Imported in the cell"))
    summary = loader.import_sources(ws.conn, "csv", [source], actor, group_id=group_id)
    assert (summary.imported, summary.rejected) == (1, []), summary.text()
    assert ws.rows(
        "SELECT t.source_id, t.title, tg.linked_by FROM tender_groups tg"
        " JOIN tenders t ON t.id = tg.tender_id WHERE tg.group_id = ?",
        group_id,
    ) == [(source_id, "Imported in the cell", actor.id)]
    return {"tenders", "tender_notices", "tender_groups", "activity"}


def _links(ws: Workspace, group_id: int) -> list[tuple[Any, ...]]:
    return ws.rows("SELECT tender_id, linked_by FROM tender_groups WHERE group_id = ?", group_id)


def _with_tender(ws: Workspace, group_id: int, on: str) -> None:
    assert tenders.link(ws.conn, ws.facilitator, ws.tender, group_id)


@step("group", "link_tender", no_item)
def _link(ws: Workspace, actor: Any, group_id: int, _: None, shown: bool) -> set[str]:
    assert tenders.link(ws.conn, actor, ws.tender, group_id, "applies our criteria") is True
    assert _links(ws, group_id) == [(ws.tender, actor.id)]
    return {"tender_groups", "activity"}


@step("group", "unlink_tender", _with_tender)
def _unlink(ws: Workspace, actor: Any, group_id: int, _: None, shown: bool) -> set[str]:
    assert tenders.unlink(ws.conn, actor, ws.tender, group_id) is True
    assert _links(ws, group_id) == []
    return {"tender_groups", "activity"}


@step("group", "export_tenders", _with_tender)
def _tender_sheets(ws: Workspace, actor: Any, group_id: int, _: None, shown: bool) -> set[str]:
    xlsx = group_sheets.tenders_xlsx(ws.conn, actor, group_id)
    assert xlsx_column(xlsx, "Tenders", "Title") == only(TENDER_TITLE, shown)
    sheet = group_sheets.tenders_csv(ws.conn, actor, group_id)
    assert csv_column(sheet, "Title") == only(TENDER_TITLE, shown)
    return set()
