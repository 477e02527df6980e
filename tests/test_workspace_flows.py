"""Behaviour AppTests: create → edit → stale edit refused (text kept) → restore, in two sessions."""

from __future__ import annotations

from pathlib import Path

from buyergroups import db, documents
from buyergroups.demo import load_dataset
from buyergroups.i18n import translate
from tests.ui_support import signed_in_app, user_by_email

DATASET = load_dataset()
GROUP = next(
    g for g in DATASET["groups"] if {"facilitator", "member"} <= {m["role"] for m in g["users"]}
)
EMAILS = {u["key"]: u["email"] for u in DATASET["users"]}
LANGUAGES = {u["email"]: u["language"] for u in DATASET["users"]}
FACILITATOR = next(EMAILS[m["user"]] for m in GROUP["users"] if m["role"] == "facilitator")
MEMBER = next(EMAILS[m["user"]] for m in GROUP["users"] if m["role"] == "member")


def _open_workspace(path: Path, email: str):
    at = signed_in_app(path, email).run()
    at.switch_page("pages/workspace.py").run()
    picker = at.selectbox(key="workspace_group_id")
    picker.select_index(list(picker.options).index(GROUP["name"])).run()
    assert not at.exception, at.exception
    return at


def _create_vision(at, title: str, body: str):
    at.text_input(key="ws_vision_new_title").input(title)
    at.text_area(key="ws_vision_new_body").input(body)
    at.button(key="ws_vision_new_submit").click().run()
    assert not at.exception, at.exception
    return at


def _document_id(title: str) -> int:
    # The app's cached connection holds the file lock; read through it.
    from ui.context import connection

    with db.reading(connection()) as cur:
        return db.value(cur, "SELECT id FROM documents WHERE title = ?", [title])


def test_create_edit_stale_refused_and_restore(app_db) -> None:
    first = _open_workspace(app_db, FACILITATOR)
    _create_vision(first, "Vision 2030", "Intro\nAmbition: 50% emission-free\nClosing")
    doc_id = _document_id("Vision 2030")
    first.selectbox(key="ws_vision_pick").set_value(doc_id).run()

    second = _open_workspace(app_db, MEMBER)
    second.selectbox(key="ws_vision_pick").set_value(doc_id).run()

    first.text_area(key=f"ws_vision_body_{doc_id}").input(
        "Intro\nAmbition: 60% emission-free\nClosing"
    )
    first.button(key=f"ws_vision_save_{doc_id}").click().run()
    saved = translate("Saved as revision {revision}.", LANGUAGES[FACILITATOR], revision=2)
    assert saved in [s.value for s in first.success]

    mine = "Intro\nAmbition: 40% emission-free\nClosing"
    second.text_area(key=f"ws_vision_body_{doc_id}").input(mine)
    second.button(key=f"ws_vision_save_{doc_id}").click().run()
    same_part = {"en": "changed the same part (body)", "nl": "hetzelfde deel gewijzigd (tekst)"}
    assert any(same_part[LANGUAGES[FACILITATOR]] in e.value for e in second.error)
    assert "-Ambition: 60% emission-free\n+Ambition: 40% emission-free" in "\n".join(
        c.value for c in second.code
    )
    assert second.text_area(key=f"ws_vision_body_{doc_id}").value == mine

    user = user_by_email(app_db, FACILITATOR)
    from ui.context import connection

    assert documents.get_document(connection(), user, doc_id)["body"] == (
        "Intro\nAmbition: 60% emission-free\nClosing"
    )

    first.selectbox(key=f"ws_vision_diff_old_{doc_id}").set_value(1).run()
    first.button(key=f"ws_vision_restore_{doc_id}").click().run()
    assert not first.exception
    restored = documents.get_document(connection(), user, doc_id)
    assert (restored["current_revision"], restored["body"]) == (
        3,
        "Intro\nAmbition: 50% emission-free\nClosing",
    )


def test_edits_of_different_lines_merge(app_db) -> None:
    first = _open_workspace(app_db, FACILITATOR)
    _create_vision(first, "Merge me", "one\ntwo\nthree\nfour")
    doc_id = _document_id("Merge me")
    first.selectbox(key="ws_vision_pick").set_value(doc_id).run()
    second = _open_workspace(app_db, MEMBER)
    second.selectbox(key="ws_vision_pick").set_value(doc_id).run()

    first.text_area(key=f"ws_vision_body_{doc_id}").input("ONE\ntwo\nthree\nfour")
    first.button(key=f"ws_vision_save_{doc_id}").click().run()
    second.text_area(key=f"ws_vision_body_{doc_id}").input("one\ntwo\nthree\nFOUR")
    second.button(key=f"ws_vision_save_{doc_id}").click().run()
    merged = translate(
        "Saved as revision {revision}, merged with another edit saved in between.",
        LANGUAGES[MEMBER],
        revision=3,
    )
    assert merged in [s.value for s in second.success]
    from ui.context import connection

    user = user_by_email(app_db, MEMBER)
    assert documents.get_document(connection(), user, doc_id)["body"] == "ONE\ntwo\nthree\nFOUR"


def test_observer_sees_no_edit_controls(app_db) -> None:
    observers = [
        EMAILS[m["user"]] for g in DATASET["groups"] for m in g["users"] if m["role"] == "observer"
    ]
    at = signed_in_app(app_db, observers[0]).run()
    at.switch_page("pages/workspace.py").run()
    assert not at.exception
    keys = {b.key for b in at.button}
    assert not any(str(k).startswith(("ws_vision_save", "crit_edit")) for k in keys)
