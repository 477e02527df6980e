"""Interface language: the catalogue covers every label, and users see their own language."""

from __future__ import annotations

import ast
import pickle
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from buyergroups.demo import load_dataset
from buyergroups.domain import Status, Theme
from buyergroups.errors import ValidationError, msg
from buyergroups.i18n import (
    CATALOGUE,
    country_name,
    enum_label,
    number,
    placeholders,
    translate,
    translate_message,
)
from buyergroups.i18n.nl import INTERFACE
from tests.ui_support import APP, signed_in_app

ROOT = Path(__file__).resolve().parents[1]
TRANSLATED_FILES = [
    "streamlit_app.py",
    "pages/home.py",
    "pages/workspace.py",
    "pages/find_similar.py",
    "pages/tenders.py",
    "pages/import_tenders.py",
    "pages/co2.py",
    "pages/admin.py",
    "ui/group_profile.py",
    "ui/auth_gate.py",
    "ui/item_panel.py",
    "ui/documents_tab.py",
    "ui/criteria_tab.py",
    "ui/dialogue_tab.py",
    "ui/members_tab.py",
    "ui/co2_tab.py",
    "ui/co2_form.py",
    "ui/exports_panel.py",
    "ui/similar_panel.py",
    "ui/search_resources.py",
    "pages/network.py",
    "pages/monitoring.py",
    "ui/network_view.py",
    "buyergroups/exports/word.py",
    "ui/import_summary.py",
]
MARKERS = {"t", "N_"}
# Streamlit calls whose first argument is shown to people as a label or message.
SHOWN = {
    "title",
    "header",
    "subheader",
    "caption",
    "markdown",
    "text",
    "info",
    "warning",
    "error",
    "success",
    "button",
    "download_button",
    "form_submit_button",
    "selectbox",
    "multiselect",
    "radio",
    "text_input",
    "text_area",
    "number_input",
    "date_input",
    "checkbox",
    "toggle",
    "slider",
    "expander",
    "metric",
    "file_uploader",
    "spinner",
    "tabs",
    "segmented_control",
}
WORD = re.compile(r"[A-Za-z]{2,}")


def _tree(path: str) -> ast.Module:
    return ast.parse((ROOT / path).read_text(encoding="utf-8"), filename=path)


def _marked_texts(tree: ast.Module) -> list[str]:
    """String literals passed as the first argument of ``t(...)`` or ``N_(...)``."""
    return [
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in MARKERS
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ]


def _literal_words(node: ast.expr) -> str:
    """The English words a literal or f-string shows as is ('' for anything else)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values if isinstance(v, ast.Constant))
    return ""


def _bare_labels(tree: ast.Module) -> list[str]:
    """Literal words given straight to a Streamlit element, without ``t()``."""
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr not in SHOWN or not node.args:
            continue
        first = node.args[0]
        shown = first.elts if isinstance(first, ast.List) else [first]
        found += [_literal_words(e) for e in shown if WORD.search(_literal_words(e))]
    return found


@pytest.mark.parametrize("path", TRANSLATED_FILES)
def test_every_marked_text_has_a_dutch_entry(path: str) -> None:
    texts = _marked_texts(_tree(path))
    assert texts, f"{path} shows no text through t()"
    assert [text for text in texts if text not in INTERFACE] == []


@pytest.mark.parametrize("path", TRANSLATED_FILES)
def test_no_label_bypasses_the_catalogue(path: str) -> None:
    assert _bare_labels(_tree(path)) == []


def _message_templates() -> list[tuple[str, str]]:
    """(file, template) of every ``msg("...")`` in the package."""
    found = []
    for path in sorted((ROOT / "buyergroups").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found += [
            (str(path.relative_to(ROOT)), node.args[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "msg"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ]
    return found


def test_every_package_message_has_a_dutch_template() -> None:
    templates = _message_templates()
    assert len(templates) >= 1
    assert [(path, text) for path, text in templates if text not in CATALOGUE["nl"]] == []
    assert [
        text for _, text in templates if placeholders(CATALOGUE["nl"][text]) != placeholders(text)
    ] == []


def test_messages_are_shown_in_the_readers_language() -> None:
    error = ValidationError(msg("{field} is required.", field=msg("Title")), field="title")
    assert str(error) == "Title is required."
    assert translate_message(error.args[0], "en") == "Title is required."
    assert translate_message(error.args[0], "nl") == "Titel is verplicht."
    assert translate_message("plain text", "nl") == "plain text"
    assert pickle.loads(pickle.dumps(error.args[0])).values == {"field": "Title"}


def test_dutch_entries_keep_the_placeholders() -> None:
    broken = {en: nl for en, nl in INTERFACE.items() if placeholders(en) != placeholders(nl)}
    assert broken == {}
    assert all(nl.strip() for nl in INTERFACE.values())


def test_translate_falls_back_to_english_and_fills_placeholders() -> None:
    assert translate("Sector", "nl") == "Sector"
    assert translate("All sectors", "nl") == "Alle sectoren"
    assert translate("All sectors", "en") == "All sectors"
    assert translate("Not in the catalogue {n}", "nl", n=3) == "Not in the catalogue 3"
    assert translate("Saved as revision {revision}.", "nl", revision=2) == (
        "Opgeslagen als versie 2."
    )
    assert translate("Saved as revision {revision}.", "en", revision=2) == "Saved as revision 2."
    assert translate("Deleted items ({count})", "fr", count=1) == "Deleted items (1)"
    # Text with braces but no values is shown as written, not formatted.
    assert translate("{not a placeholder}", "nl") == "{not a placeholder}"


@pytest.mark.parametrize(
    ("value", "decimals", "en", "nl"),
    [
        (80125, 0, "80,125", "80.125"),
        (1234567.25, 1, "1,234,567.2", "1.234.567,2"),
        (-0.5, 2, "-0.50", "-0,50"),
        (4.2, None, "4.2", "4,2"),
        (19000, None, "19000", "19000"),
    ],
)
def test_numbers_are_written_the_way_the_language_writes_them(value, decimals, en, nl) -> None:
    assert (number(value, "en", decimals), number(value, "nl", decimals)) == (en, nl)


def test_enum_labels_and_countries_follow_the_language() -> None:
    assert enum_label(Status.AGREED, "nl") == "Vastgesteld"
    assert enum_label(Status.AGREED, "en") == "Agreed"
    assert enum_label(Theme.CIRCULAR, "nl") == "Circulair"
    assert country_name("NO", "nl") == "Noorwegen"
    assert country_name("NO", "en") == "Norway"
    assert country_name("XX", "nl") == "XX"


# --- AppTests: what a Dutch and an English user see -----------------------------------------

DATASET = load_dataset()
DUTCH = next(u for u in DATASET["users"] if u["language"] == "nl" and u.get("is_admin"))
ENGLISH = next(u for u in DATASET["users"] if u["language"] == "en")


def _home_and_workspace(path: Path, email: str) -> tuple[dict[str, object], AppTest]:
    at = signed_in_app(path, email).run()
    assert not at.exception, at.exception
    sector = at.selectbox(key="home_sector")
    home = {
        "title": at.title[0].value,
        "filters": [
            at.selectbox(key=k).label for k in ("home_sector", "home_theme", "home_country")
        ],
        "any sector": sector.options[0],
        "open": at.button(key=f"home_open_{_first_group_id(at)}").label,
        "sign out": at.button(key="logout").label,
    }
    at.switch_page("pages/workspace.py").run()
    assert not at.exception, at.exception
    return home, at


def _workspace_tabs(at: AppTest) -> list[str]:
    """The labels of the workspace's own tabs (the first tab group; items have tabs inside)."""
    group = next(block for block in at.main.children.values() if block.type == "tab_container")
    return [tab.label for tab in group.children.values()]


def _first_group_id(at: AppTest) -> str:
    return next(b.key for b in at.button if str(b.key).startswith("home_open_")).split("_")[-1]


def test_a_dutch_user_sees_dutch_labels(app_db) -> None:
    home, at = _home_and_workspace(app_db, DUTCH["email"])
    assert home == {
        "title": "Buyer Groups",
        "filters": ["Sector", "MVI-thema", "Land"],
        "any sector": "Alle sectoren",
        "open": "Openen",
        "sign out": "Uitloggen",
    }
    assert _workspace_tabs(at) == [
        "Marktvisie",
        "Specificaties",
        "Criteria",
        "Marktdialoog",
        "Leden",
        "Activiteit",
        "CO2",
        "Exports",
    ]
    assert at.selectbox(key="workspace_group_id").label == "Groep"


def test_an_english_user_sees_english_labels(app_db) -> None:
    home, at = _home_and_workspace(app_db, ENGLISH["email"])
    assert home == {
        "title": "Buyer Groups",
        "filters": ["Sector", "MVI theme", "Country"],
        "any sector": "All sectors",
        "open": "Open",
        "sign out": "Sign out",
    }
    assert _workspace_tabs(at) == [
        "Market vision",
        "Specifications",
        "Criteria",
        "Market dialogue",
        "Members",
        "Activity",
        "CO2",
        "Exports",
    ]


def test_enum_labels_and_content_in_the_workspace_follow_the_rules(app_db) -> None:
    """Enum labels are translated; titles written by users stay as written."""
    _, dutch = _home_and_workspace(app_db, DUTCH["email"])
    _, english = _home_and_workspace(app_db, ENGLISH["email"])
    dutch_kinds = dutch.selectbox(key="ws_vision_new_kind").options
    english_kinds = english.selectbox(key="ws_vision_new_kind").options
    assert (dutch_kinds, english_kinds) == (
        ["Marktvisie", "Gezamenlijke uitvraag"],
        ["Market vision", "Joint statement of demand"],
    )


def test_changing_the_language_in_the_account_menu_applies_at_once(app_db) -> None:
    # AppTest reruns only the page after the first run of a multipage app, so this drives the
    # account menu through the small app behind the same sign-in gate.
    at = signed_in_app(app_db, ENGLISH["email"])
    gate = AppTest.from_file(str(ROOT / "tests" / "login_gate_app.py"), default_timeout=30)
    gate.session_state["auth_token"] = at.session_state["auth_token"]
    gate.run()
    assert (gate.button(key="logout").label, gate.selectbox(key="account_language").label) == (
        "Sign out",
        "Language",
    )
    gate.selectbox(key="account_language").set_value("nl").run()
    assert not gate.exception, gate.exception
    assert (gate.button(key="logout").label, gate.selectbox(key="account_language").label) == (
        "Uitloggen",
        "Taal",
    )


def test_the_sign_in_page_follows_its_language_switch(app_db) -> None:
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["ui_language"] = "nl"
    at.run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["Werkruimte Buyer Groups"]
    assert at.text_input(key="login_password").label == "Wachtwoord"
    english = AppTest.from_file(APP, default_timeout=30).run()
    assert [t.value for t in english.title] == ["Buyer Groups workspace"]
