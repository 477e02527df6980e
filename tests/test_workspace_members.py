"""AppTests: a facilitator edits the group profile and manages organisations and people."""

from __future__ import annotations

from pathlib import Path

from buyergroups import db
from buyergroups.demo import load_dataset
from tests.ui_support import show_workspace_tab, signed_in_app

DATASET = load_dataset()
GROUP = DATASET["groups"][0]
EMAILS = {u["key"]: u["email"] for u in DATASET["users"]}
FACILITATOR = next(EMAILS[m["user"]] for m in GROUP["users"] if m["role"] == "facilitator")
OBSERVER = next(
    EMAILS[m["user"]] for g in DATASET["groups"] for m in g["users"] if m["role"] == "observer"
)


def _workspace(path: Path, email: str, tab: str = "Members"):
    at = signed_in_app(path, email).run()
    at.switch_page("pages/workspace.py").run()
    picker = at.selectbox(key="workspace_group_id")
    picker.select_index(list(picker.options).index(GROUP["name"])).run()
    show_workspace_tab(at, tab)
    assert not at.exception, at.exception
    return at


def _group_row(path: Path) -> dict:
    from ui.context import connection

    with db.reading(connection()) as cur:
        return db.row(cur, "SELECT * FROM buyer_groups WHERE name = ?", [GROUP["name"]])


def test_two_facilitators_profile_edits_merge_and_an_overlapping_one_is_refused(app_db) -> None:
    first = _workspace(app_db, FACILITATOR)
    second = _workspace(app_db, FACILITATOR)
    group_id = _group_row(app_db)["id"]
    first.selectbox(key=f"profile_{group_id}_phase").set_value("tendering")
    first.button(key=f"profile_{group_id}_submit").click().run()
    assert not first.exception
    assert (_group_row(app_db)["phase"], _group_row(app_db)["version"]) == ("tendering", 2)

    # The second form was opened on version 1 and changes another field: merged.
    second.text_area(key=f"profile_{group_id}_description").input("Other text")
    second.button(key=f"profile_{group_id}_submit").click().run()
    assert not second.exception and not second.error
    stored = _group_row(app_db)
    assert (stored["phase"], stored["description"], stored["version"]) == (
        "tendering",
        "Other text",
        3,
    )

    # The first form, reopened on version 2, changes the description too: refused.
    first.text_area(key=f"profile_{group_id}_description").input("Third text")
    first.button(key=f"profile_{group_id}_submit").click().run()
    assert first.error, "an overlapping profile save must be refused"
    # The facilitator reads Dutch: "... and changed the same part (description)".
    assert [c.value for c in first.caption if "hetzelfde deel gewijzigd (beschrijving)" in c.value]
    assert first.text_area(key=f"profile_{group_id}_description").value == "Third text"
    assert (_group_row(app_db)["description"], _group_row(app_db)["version"]) == ("Other text", 3)


def test_facilitator_registers_and_adds_an_organisation(app_db) -> None:
    at = _workspace(app_db, FACILITATOR)
    at.text_input(key="mem_org_new_name").input("Gemeente Voorbeeldstad")
    at.selectbox(key="mem_org_new_type").set_value("municipality")
    at.text_input(key="mem_org_new_national_id").input("TEST 1234")
    at.button(key="mem_org_new_submit").click().run()
    assert not at.exception and not at.error
    from ui.context import connection

    with db.reading(connection()) as cur:
        new_id, org_type, national_id = cur.execute(
            "SELECT id, org_type, national_id FROM organisations"
            " WHERE name = 'Gemeente Voorbeeldstad'"
        ).fetchall()[0]
    assert (org_type, national_id) == ("municipality", "TEST 1234")
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
    # The facilitator reads Dutch: the group's organisations with their type.
    (shown,) = [
        f.value for f in at.dataframe if list(f.value.columns)[:2] == ["organisatie", "land"]
    ]
    assert list(shown.columns) == ["organisatie", "land", "soort", "rol"]
    assert list(shown.loc[shown["organisatie"] == "Gemeente Voorbeeldstad", "soort"]) == [
        "Gemeente"
    ]


def test_observer_gets_no_management_forms(app_db) -> None:
    at = signed_in_app(app_db, OBSERVER).run()
    at.switch_page("pages/workspace.py").run()
    keys = {str(b.key) for b in at.button}
    assert not any(k.startswith(("profile_", "mem_org", "mem_invite")) for k in keys)
