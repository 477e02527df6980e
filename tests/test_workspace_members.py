"""AppTests: a facilitator edits the group profile and manages organisations and people."""

from __future__ import annotations

from pathlib import Path

from buyergroups import db
from buyergroups.demo import load_dataset
from tests.ui_support import signed_in_app

DATASET = load_dataset()
GROUP = DATASET["groups"][0]
EMAILS = {u["key"]: u["email"] for u in DATASET["users"]}
FACILITATOR = next(EMAILS[m["user"]] for m in GROUP["users"] if m["role"] == "facilitator")
OBSERVER = next(
    EMAILS[m["user"]] for g in DATASET["groups"] for m in g["users"] if m["role"] == "observer"
)


def _workspace(path: Path, email: str):
    at = signed_in_app(path, email).run()
    at.switch_page("pages/workspace.py").run()
    picker = at.selectbox(key="workspace_group_id")
    picker.select_index(list(picker.options).index(GROUP["name"])).run()
    assert not at.exception, at.exception
    return at


def _group_row(path: Path) -> dict:
    from ui.context import connection

    with db.reading(connection()) as cur:
        return db.row(cur, "SELECT * FROM buyer_groups WHERE name = ?", [GROUP["name"]])


def test_facilitator_edits_profile_and_stale_profile_save_is_refused(app_db) -> None:
    first = _workspace(app_db, FACILITATOR)
    second = _workspace(app_db, FACILITATOR)
    group_id = _group_row(app_db)["id"]
    first.selectbox(key=f"profile_{group_id}_phase").set_value("tendering")
    first.button(key=f"profile_{group_id}_submit").click().run()
    assert not first.exception
    assert (_group_row(app_db)["phase"], _group_row(app_db)["version"]) == ("tendering", 2)

    second.text_area(key=f"profile_{group_id}_description").input("Other text")
    second.button(key=f"profile_{group_id}_submit").click().run()
    assert second.error, "a stale profile save must be refused"
    assert _group_row(app_db)["description"] == GROUP["description"]


def test_facilitator_registers_and_adds_an_organisation(app_db) -> None:
    at = _workspace(app_db, FACILITATOR)
    at.text_input(key="mem_org_new_name").input("Gemeente Voorbeeldstad")
    at.button(key="mem_org_new_submit").click().run()
    assert not at.exception and not at.error
    from ui.context import connection

    with db.reading(connection()) as cur:
        new_id = db.value(cur, "SELECT id FROM organisations WHERE name = 'Gemeente Voorbeeldstad'")
    at.selectbox(key="mem_org_pick").set_value(new_id)
    at.selectbox(key="mem_org_role").set_value("follower")
    at.button(key="mem_org_submit").click().run()
    with db.reading(connection()) as cur:
        role = db.value(
            cur,
            "SELECT m.role FROM memberships m JOIN organisations o ON o.id = m.organisation_id"
            " WHERE o.name = 'Gemeente Voorbeeldstad'",
        )
    assert role == "follower"


def test_observer_gets_no_management_forms(app_db) -> None:
    at = signed_in_app(app_db, OBSERVER).run()
    at.switch_page("pages/workspace.py").run()
    keys = {str(b.key) for b in at.button}
    assert not any(k.startswith(("profile_", "mem_org", "mem_invite")) for k in keys)
