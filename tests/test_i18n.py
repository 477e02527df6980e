"""Interface language: the catalogue covers every label, and users see their own language."""

from __future__ import annotations

import ast
import importlib
import pickle
import pkgutil
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import buyergroups
from buyergroups import activity
from buyergroups.co2.methods import Co2Status
from buyergroups.demo import load_dataset
from buyergroups.domain import LANGUAGES as CONTENT_LANGUAGES
from buyergroups.domain import (
    GroupRole,
    LabelledEnum,
    OrganisationRole,
    Sector,
    Status,
    Theme,
    normalise_language,
)
from buyergroups.errors import BuyerGroupsError, ValidationError, msg, msg_list
from buyergroups.i18n import (
    CATALOGUE,
    LANGUAGES,
    country_name,
    enum_label,
    interface_language,
    number,
    placeholders,
    translate,
    translate_message,
)
from buyergroups.i18n.nl import ENUM_LABELS
from tests.ui_support import APP, signed_in_app

ROOT = Path(__file__).resolve().parents[1]
# What people see: the entry file, every page and ui module (found by glob, so a new file
# cannot escape the checks), and the package modules that write shown text themselves.
INTERFACE_FILES = sorted(
    str(path.relative_to(ROOT))
    for path in [ROOT / "streamlit_app.py", *ROOT.glob("pages/*.py"), *ROOT.glob("ui/*.py")]
)
PACKAGE_FILES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "buyergroups").rglob("*.py"))
NL_SOURCE = ROOT / "buyergroups" / "i18n" / "nl.py"
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


def test_the_scans_find_the_files_and_their_texts() -> None:
    assert {"streamlit_app.py", "pages/admin.py", "ui/search_resources.py", "ui/labels.py"} <= set(
        INTERFACE_FILES
    )
    assert "buyergroups/exports/word.py" in PACKAGE_FILES
    assert "Sign out" in _marked_texts(_tree("ui/auth_gate.py"))
    assert "Criteria set: {name}" in _marked_texts(_tree("buyergroups/exports/word.py"))


@pytest.mark.parametrize("path", INTERFACE_FILES + PACKAGE_FILES)
def test_every_marked_text_has_a_dutch_entry(path: str) -> None:
    assert [text for text in _marked_texts(_tree(path)) if text not in CATALOGUE["nl"]] == []


@pytest.mark.parametrize("path", INTERFACE_FILES)
def test_no_label_bypasses_the_catalogue(path: str) -> None:
    assert _bare_labels(_tree(path)) == []


def _calls(path: str, name: str) -> list[ast.Call]:
    """Calls of ``name(...)`` or ``something.name(...)`` in one file."""
    return [
        node
        for node in ast.walk(_tree(path))
        if isinstance(node, ast.Call)
        and (
            (isinstance(node.func, ast.Name) and node.func.id == name)
            or (isinstance(node.func, ast.Attribute) and node.func.attr == name)
        )
    ]


def _constants(node: ast.expr) -> list[str]:
    """The text of a string literal, or of both literals of ``"a" if ... else "b"``."""
    if isinstance(node, ast.IfExp):
        return _constants(node.body) + _constants(node.orelse)
    return [node.value] if isinstance(node, ast.Constant) and isinstance(node.value, str) else []


def _templates(name: str, paths: list[str]) -> list[tuple[str, str]]:
    """(file, template) of every ``name("...")`` call in ``paths``."""
    return [
        (path, text)
        for path in paths
        for call in _calls(path, name)
        if call.args
        for text in _constants(call.args[0])
    ]


def test_every_message_has_a_dutch_template() -> None:
    templates = _templates("msg", PACKAGE_FILES + INTERFACE_FILES)
    assert len(templates) > 200
    assert [(path, text) for path, text in templates if text not in CATALOGUE["nl"]] == []


def _error_classes() -> set[str]:
    found, todo = set(), list(BuyerGroupsError.__subclasses__())
    while todo:
        error = todo.pop()
        found.add(error.__name__)
        todo += error.__subclasses__()
    return found | {"BuyerGroupsError"}


def test_errors_people_see_carry_a_message_not_plain_text() -> None:
    """``ValidationError("...")`` or ``f"..."`` would reach a Dutch reader in English."""
    names = _error_classes()
    assert {"ValidationError", "ImportRejected", "StaleEditError", "NotSignedIn"} <= names
    plain = [
        (path, call.lineno)
        for path in PACKAGE_FILES + INTERFACE_FILES
        for name in names
        for call in _calls(path, name)
        if call.args and isinstance(call.args[0], ast.Constant | ast.JoinedStr | ast.BinOp)
    ]
    assert plain == []


def test_every_summary_the_system_writes_is_known_and_has_dutch() -> None:
    importlib.import_module("buyergroups.co2.estimates")  # registers the CO2 status note
    written = {text for _, text in _templates("summary", PACKAGE_FILES)}
    written |= {text for _, text in _templates("Summary", PACKAGE_FILES)}
    assert written == set(activity.SUMMARIES)
    assert [text for text in activity.SUMMARIES if text not in CATALOGUE["nl"]] == []


def test_dutch_entries_keep_the_placeholders() -> None:
    broken = {en: nl for en, nl in CATALOGUE["nl"].items() if placeholders(en) != placeholders(nl)}
    assert broken == {}
    assert all(nl.strip() for nl in CATALOGUE["nl"].values())


def _dict_literals() -> dict[str, ast.Dict]:
    """The module-level dict literals of nl.py, by name."""
    found = {}
    for node in ast.parse(NL_SOURCE.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.AnnAssign | ast.Assign) and isinstance(node.value, ast.Dict):
            target = node.target if isinstance(node, ast.AnnAssign) else node.targets[0]
            found[target.id] = node.value
    return found


def _repeated_keys(keys: list[tuple[str, int]]) -> list[tuple[str, int]]:
    seen: set[str] = set()
    repeated = []
    for key, line in keys:
        if key in seen:
            repeated.append((key, line))
        seen.add(key)
    return repeated


def _keys(literal: ast.Dict) -> list[tuple[str, int]]:
    return [(k.value, k.lineno) for k in literal.keys if isinstance(k, ast.Constant)]


def test_no_key_of_the_dutch_catalogue_appears_twice() -> None:
    """A repeated key silently keeps its last value: the source must hold each text once."""
    literals = _dict_literals()
    # Within any dict literal of nl.py, nested ones (the enum labels) included ...
    every_dict = [n for n in ast.walk(ast.parse(NL_SOURCE.read_text())) if isinstance(n, ast.Dict)]
    assert [_repeated_keys(_keys(d)) for d in every_dict if _repeated_keys(_keys(d))] == []
    # ... and across the parts the catalogue is merged from.
    parts = [
        v.id
        for k, v in zip(literals["CATALOGUE"].keys, literals["CATALOGUE"].values, strict=True)
        if k is None
    ]
    assert parts == ["WORK", "PLATFORM", "INGEST", "ACTIVITY", "INTERFACE", "BENCHMARK"]
    merged = [key for part in parts for key in _keys(literals[part])]
    assert _repeated_keys(merged) == []
    assert len(CATALOGUE["nl"]) == len(merged)


def test_the_duplicate_check_finds_a_repeated_key() -> None:
    source = 'A = {"Open": "Openen"}\nB = {"Open": "Open"}\n'
    literals = [n for n in ast.parse(source).body]
    keys = [key for node in literals for key in _keys(node.value)]
    assert _repeated_keys(keys) == [("Open", 2)]


def test_messages_are_shown_in_the_readers_language() -> None:
    error = ValidationError(msg("{field} is required.", field=msg("Title")), field="title")
    assert str(error) == "Title is required."
    assert translate_message(error.args[0], "en") == "Title is required."
    assert translate_message(error.args[0], "nl") == "Titel is verplicht."
    assert translate_message("plain text", "nl") == "plain text"
    assert pickle.loads(pickle.dumps(error.args[0])).values == {"field": "Title"}


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


def _labelled_enums() -> list[type[LabelledEnum]]:
    """Every enum of the vocabulary, wherever in the package it is defined."""
    for module in pkgutil.walk_packages(buyergroups.__path__, "buyergroups."):
        if module.name != "buyergroups.__main__":
            importlib.import_module(module.name)
    found, todo = [], list(LabelledEnum.__subclasses__())
    while todo:
        enum = todo.pop()
        found.append(enum)
        todo += enum.__subclasses__()
    return sorted(found, key=lambda enum: enum.__name__)


def test_every_enum_member_has_one_dutch_term_in_nl_py() -> None:
    enums = _labelled_enums()
    assert {"Status", "Theme", "Co2Status", "Method"} <= {enum.__name__ for enum in enums}
    assert len({enum.__name__ for enum in enums}) == len(enums)  # the catalogue's keys
    assert {enum.__name__: [m.value for m in enum] for enum in enums} == {
        name: list(terms) for name, terms in ENUM_LABELS.items()
    }
    assert not any(hasattr(member, "label_nl") for enum in enums for member in enum)


def test_one_english_label_can_have_two_dutch_terms() -> None:
    """Keyed per enum: 'Observer' of an organisation and of a workspace user read differently."""
    assert (OrganisationRole.OBSERVER.label, GroupRole.OBSERVER.label) == (
        "Observer",
        "Observer (read only)",
    )
    assert (enum_label(OrganisationRole.OBSERVER, "nl"), enum_label(GroupRole.OBSERVER, "nl")) == (
        "Waarnemer",
        "Waarnemer (alleen lezen)",
    )
    assert (enum_label(Sector.OTHER, "nl"), enum_label(Co2Status.EXPECTED, "nl")) == (
        "Overig",
        "Verwacht",
    )


def test_enum_values_are_read_from_codes_and_labels_in_either_language() -> None:
    assert [Status.parse(text) for text in ("agreed", "Agreed", " vastgesteld ", "CONCEPT")] == [
        Status.AGREED,
        Status.AGREED,
        Status.AGREED,
        Status.DRAFT,
    ]
    with pytest.raises(ValidationError) as caught:
        Status.parse("final", "status")
    assert translate_message(caught.value.args[0], "nl") == (
        "status: 'final' is geen geldige waarde; kies uit draft, in_review, agreed, published."
    )


def test_messages_write_enum_members_and_numbers_in_the_readers_language() -> None:
    message = msg(
        "A {kind} that is {status:lower} can move to: {allowed}.",
        kind=msg("criterion"),
        status=Status.IN_REVIEW,
        allowed=msg_list([Status.AGREED, Status.DRAFT]),
    )
    assert (str(message), translate_message(message, "nl")) == (
        "A criterion that is in review can move to: Agreed, Draft.",
        "Een criterium met de status in review kan naar: Vastgesteld, Concept.",
    )
    assert [translate("weight {weight:g}%", lang, weight=12.5) for lang in ("en", "nl")] == [
        "weight 12.5%",
        "weging 12,5%",
    ]
    assert translate("Saved as revision {revision}.", "nl", revision=1200) == (
        "Opgeslagen als versie 1200."
    )
    assert msg_list(["a"]) == "a"
    assert translate_message(msg_list([msg("body"), msg("weight")]), "nl") == "tekst, weging"


def test_content_languages_and_interface_languages_have_one_check_each() -> None:
    assert [normalise_language(raw) for raw in ("nl", " DE ", "sv")] == ["nl", "de", "sv"]
    with pytest.raises(ValidationError) as content:
        normalise_language("xx")
    assert content.value.field == "language"
    assert translate_message(content.value.args[0], "nl") == (
        "Taal 'xx' wordt niet ondersteund; gebruik een van nl, en, de, fr, da, sv, no, fi, es,"
        " it, pl."
    )
    assert [interface_language(raw) for raw in ("en", "NL")] == ["en", "nl"]
    with pytest.raises(ValidationError) as interface:
        interface_language("de")
    assert (str(interface.value), translate_message(interface.value.args[0], "nl")) == (
        "Language must be en or nl, got 'de'.",
        "De taal moet en of nl zijn, niet 'de'.",
    )
    assert LANGUAGES == ("en", "nl") and set(LANGUAGES) < set(CONTENT_LANGUAGES)


def test_language_checks_live_in_the_two_helpers_only() -> None:
    """No module compares with a hand-written list of languages any more."""
    written_out = re.compile(r"""\(\s*["'](?:nl|en)["']\s*,\s*["'](?:nl|en)["']\s*\)""")
    assert [
        path
        for path in PACKAGE_FILES + INTERFACE_FILES
        if written_out.search((ROOT / path).read_text(encoding="utf-8"))
        and path != "buyergroups/i18n/__init__.py"
    ] == []
    checks = [
        path
        for path in PACKAGE_FILES
        for node in ast.walk(_tree(path))
        if isinstance(node, ast.Compare)
        and any(isinstance(op, ast.In | ast.NotIn) for op in node.ops)
        and any(isinstance(c, ast.Name) and c.id == "LANGUAGES" for c in node.comparators)
    ]
    assert set(checks) == {"buyergroups/domain.py", "buyergroups/i18n/__init__.py"}


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
