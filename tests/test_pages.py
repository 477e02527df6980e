"""AppTests of the core pages on a copy of the demo database."""

from __future__ import annotations

import json

import pytest

from buyergroups.demo import load_dataset
from buyergroups.i18n import translate
from tests.ui_support import APP, show_workspace_tab, signed_in_app

DATASET = load_dataset()
FACILITATOR = next(
    u
    for g in DATASET["groups"]
    for m in g["users"]
    if m["role"] == "facilitator"
    for u in DATASET["users"]
    if u["key"] == m["user"]
)
ADMIN = next(u for u in DATASET["users"] if u.get("is_admin"))


def _texts(at) -> str:
    parts = (
        [e.value for e in at.markdown] + [e.value for e in at.caption] + [e.value for e in at.title]
    )
    parts += (
        [e.value for e in at.info] + [e.value for e in at.warning] + [e.value for e in at.subheader]
    )
    return "\n".join(str(p) for p in parts)


def test_signed_out_sees_only_the_login_form(app_db) -> None:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    assert [t.key for t in at.text_input] == ["login_email", "login_password"]
    assert all(g["name"] not in _texts(at) for g in DATASET["groups"])


def test_home_lists_every_demo_group_and_demo_label(app_db) -> None:
    at = signed_in_app(app_db, ADMIN["email"]).run()
    assert not at.exception
    text = _texts(at)
    for group in DATASET["groups"]:
        assert group["name"] in text
    banner = translate("DEMO DATA · {label}", ADMIN["language"], label="")
    assert banner + translate(DATASET["label"], ADMIN["language"]) in text
    assert ADMIN["language"] == "nl" and "DEMOGEGEVENS · Fictieve inkopersgroepen" in text


def test_home_filter_by_country(app_db) -> None:
    at = signed_in_app(app_db, ADMIN["email"]).run()
    at.selectbox(key="home_country").set_value("NO").run()
    shown = [g["name"] for g in DATASET["groups"] if g["name"] in _texts(at)]
    expected = [g["name"] for g in DATASET["groups"] if "NO" in g["countries"]]
    assert sorted(shown) == sorted(expected)
    assert expected


@pytest.mark.parametrize("group_index", range(len(DATASET["groups"])))
def test_workspace_renders_each_demo_group(app_db, group_index) -> None:
    group = DATASET["groups"][group_index]
    at = signed_in_app(app_db, ADMIN["email"]).run()
    at.switch_page("pages/workspace.py").run()
    at.selectbox(key="workspace_group_id").select_index(
        [o for o in at.selectbox(key="workspace_group_id").options].index(group["name"])
    ).run()
    show_workspace_tab(at, "Criteria")
    assert not at.exception, at.exception
    text = _texts(at)
    assert group["name"] in text
    published = [c["title"] for c in group["criteria"]]
    assert published[0] in json.dumps([s.options for s in at.selectbox])
