"""Interface language: the catalogue covers every label, and users see their own language."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from buyergroups.domain import Status, Theme
from buyergroups.i18n import NL, country_name, enum_label, placeholders, translate

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
]
MARKERS = {"t", "N_"}
# Streamlit calls whose first argument is shown to people as a label or message.
SHOWN = {
    "title", "header", "subheader", "caption", "markdown", "text", "info", "warning", "error",
    "success", "button", "download_button", "form_submit_button", "selectbox", "multiselect",
    "radio", "text_input", "text_area", "number_input", "date_input", "checkbox", "toggle",
    "slider", "expander", "metric", "file_uploader", "spinner", "tabs", "segmented_control",
}  # fmt: skip
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
    assert [text for text in texts if text not in NL] == []


@pytest.mark.parametrize("path", TRANSLATED_FILES)
def test_no_label_bypasses_the_catalogue(path: str) -> None:
    assert _bare_labels(_tree(path)) == []


def test_dutch_entries_keep_the_placeholders() -> None:
    broken = {en: nl for en, nl in NL.items() if placeholders(en) != placeholders(nl)}
    assert broken == {}
    assert all(nl.strip() for nl in NL.values())


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


def test_enum_labels_and_countries_follow_the_language() -> None:
    assert enum_label(Status.AGREED, "nl") == "Vastgesteld"
    assert enum_label(Status.AGREED, "en") == "Agreed"
    assert enum_label(Theme.CIRCULAR, "nl") == "Circulair"
    assert country_name("NO", "nl") == "Noorwegen"
    assert country_name("NO", "en") == "Norway"
    assert country_name("XX", "nl") == "XX"
