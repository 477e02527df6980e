"""What a Dutch reader sees where the package writes the text: warnings, errors, the activity log."""

from __future__ import annotations

from pathlib import Path

import pytest

from buyergroups import criteria, db
from buyergroups.accounts.users import User, find_by_email
from buyergroups.demo import load_dataset
from buyergroups.errors import ValidationError
from buyergroups.i18n import translate, translate_message
from tests.factories import CRITERION
from tests.ui_support import show_workspace_tab, signed_in_app

DATASET = load_dataset()
DUTCH = next(u for u in DATASET["users"] if u["language"] == "nl" and u.get("is_admin"))


def _as_dutch_admin(path: Path, change) -> object:
    """Run ``change(conn, admin)`` on the app's database before the app opens it."""
    conn = db.connect(path)
    try:
        with db.reading(conn) as cur:
            admin: User | None = find_by_email(cur, DUTCH["email"])
        assert admin is not None and admin.language == "nl"
        return change(conn, admin)
    finally:
        conn.close()


def _workspace(path: Path, group_id: int, tab: str = "Market vision"):
    at = signed_in_app(path, DUTCH["email"]).run()
    at.switch_page("pages/workspace.py").run()
    at.selectbox(key="workspace_group_id").set_value(group_id).run()
    show_workspace_tab(at, tab)
    assert not at.exception, at.exception
    return at


def _first_group(conn: db.Connection) -> int:
    with db.reading(conn) as cur:
        return db.value(cur, "SELECT min(id) FROM buyer_groups")


def test_the_weight_warning_is_dutch_in_the_criteria_tab(app_db) -> None:
    def add_award(conn: db.Connection, admin: User) -> tuple[int, str]:
        group_id = _first_group(conn)
        criteria.create_criterion(conn, admin, group_id, **{**CRITERION, "weight": 7.5})
        total = criteria.award_weight_total(criteria.list_criteria(conn, admin, group_id))
        return group_id, f"{total:g}".replace(".", ",")

    group_id, total = _as_dutch_admin(app_db, add_award)
    at = _workspace(app_db, group_id, "Criteria")
    assert f"De wegingen van de gunningscriteria tellen op tot {total}%, niet tot 100%." in [
        w.value for w in at.warning
    ]


def test_the_activity_log_names_actions_and_system_summaries_in_dutch(app_db) -> None:
    def edit(conn: db.Connection, admin: User) -> int:
        group_id = _first_group(conn)
        crit = criteria.create_criterion(conn, admin, group_id, **{**CRITERION, "title": "Edited"})
        criteria.save_criterion(conn, admin, crit, 1, weight=25)
        return group_id

    at = _workspace(app_db, _as_dutch_admin(app_db, edit), "Activity")
    log = next(d.value for d in at.dataframe if {"actie", "samenvatting"} <= set(d.value.columns))
    newest = log.iloc[:2][["actie", "wat", "samenvatting"]].values.tolist()
    assert newest == [["bewerkt", "criterium", "versie 2"], ["aangemaakt", "criterium", "Edited"]]


@pytest.fixture
def missing_model(app_db, tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "no-such-model"
    monkeypatch.setenv("BUYERGROUPS_MODEL", str(folder))
    return folder


def _search(path: Path):
    at = signed_in_app(path, DUTCH["email"]).run()
    at.switch_page("pages/find_similar.py").run()
    at.text_area(key="find_similar_text").input("emissieloos bouwmaterieel").run()
    assert not at.exception, at.exception
    return at


def test_a_missing_model_is_explained_in_dutch(app_db, missing_model) -> None:
    at = _search(app_db)
    assert [e.value for e in at.error] == [
        f"Embeddingmodel '{missing_model}' niet gevonden: BUYERGROUPS_MODEL moet een map met een "
        "sentence-transformers-model zijn, 'multilingual-e5-small' of 'all-MiniLM-L6-v2'; hier kan"
        " niets worden gedownload."
    ]


def test_an_unexpected_model_failure_shows_a_dutch_message_not_the_exception(
    app_db, tmp_path, monkeypatch, caplog
) -> None:
    from ui import search_resources

    def breaks(model: str):
        raise RuntimeError("CUDA error: out of memory")

    monkeypatch.setenv("BUYERGROUPS_MODEL", str(tmp_path / "breaking-model"))
    monkeypatch.setattr(search_resources, "load_embedder", breaks)
    at = _search(app_db)
    assert [e.value for e in at.error] == [
        "Het taalmodel voor vergelijkbaar zoeken kon niet worden geladen; in het serverlogboek "
        "staat waarom."
    ]
    assert "CUDA error: out of memory" in caplog.text  # the operator still learns why


def test_a_failed_index_update_after_a_save_warns_in_dutch_and_keeps_the_save(
    app_db, missing_model
) -> None:
    group_id = _as_dutch_admin(app_db, lambda conn, admin: _first_group(conn))
    at = _workspace(app_db, group_id)
    at.text_input(key="ws_vision_new_title").input("Visie 2030")
    at.button(key="ws_vision_new_submit").click().run()
    assert not at.exception, at.exception
    prefix = translate(
        "Saved, but the search index could not be updated yet: {error}", "nl", error=""
    )
    assert [w.value for w in at.warning if w.value.startswith(prefix)] == [
        prefix
        + f"Embeddingmodel '{missing_model}' niet gevonden: BUYERGROUPS_MODEL moet een map met een"
        " sentence-transformers-model zijn, 'multilingual-e5-small' of 'all-MiniLM-L6-v2'; hier kan"
        " niets worden gedownload."
    ]
    from ui.context import connection  # the app's connection holds the file lock

    with db.reading(connection()) as cur:
        assert db.value(cur, "SELECT count(*) FROM documents WHERE title = 'Visie 2030'") == 1
    at.run()  # shown once, not again on the next run
    assert [w.value for w in at.warning if w.value.startswith(prefix)] == []


def test_a_model_folder_that_does_not_load_names_no_library_text(tmp_path) -> None:
    from buyergroups.search.embedder import load_embedder

    (tmp_path / "config.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        load_embedder(str(tmp_path))
    assert translate_message(caught.value.args[0], "nl") == (
        f"Kan het embeddingmodel niet laden uit {tmp_path}: de map bevat geen "
        "sentence-transformers-model dat offline kan worden geladen."
    )
