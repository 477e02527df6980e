"""AppTest of ui/exports_panel.py on a demo database: download buttons and the confirmed import."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from buyergroups import db

APP = str(Path(__file__).parent / "fixtures" / "exports" / "panel_app.py")
VIADUCTS = "Circulaire viaducten en bruggen"
FACILITATOR = "joost.verhagen@demo.buyergroups.example"
OUTSIDER = "ingrid.haugen@demo.buyergroups.example"
CSV = (
    b"Title,Text,Type,MVI theme,Ambition level,Weight (%)\n"
    b"Imported award,Text,Award criterion,Climate,Basis,10\n"
    b",No title,Award criterion,Climate,Basis,10\n"
)


def _panel(email: str) -> AppTest:
    # Storing rows updates the search index; on a fresh database that embeds the demo once.
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state["exports_test_email"] = email
    at.session_state["exports_test_group"] = VIADUCTS
    at.run()
    assert not at.exception, at.exception
    return at


def _titles_stored(title: str) -> int:
    from ui.context import connection  # the app's cached connection holds the file lock

    with db.reading(connection()) as cur:
        return db.value(cur, "SELECT count(*) FROM criteria WHERE title = ?", [title])


def test_a_facilitator_gets_every_export_and_the_import(app_db) -> None:
    at = _panel(FACILITATOR)
    assert [b.label for b in at.get("download_button")] == [
        "Criteria set (Word)",
        "One-page summary (Word)",
        "Market vision / joint statement (Word)",
        "Criteria (Excel)",
        "Criteria (CSV)",
        "Market dialogue (Excel)",
        "Market dialogue (CSV)",
        "Linked tenders (Excel)",
        "Linked tenders (CSV)",
        "CO2 estimates (Excel)",
        "CO2 estimates (CSV)",
        "Template (Excel)",
        "Template (CSV)",
    ]
    assert at.selectbox(key="exports_document").options == [
        "Marktvisie circulaire viaducten en bruggen"
    ]
    assert len(at.file_uploader) == 1


def test_a_non_member_gets_the_published_exports_only(app_db) -> None:
    at = _panel(OUTSIDER)
    assert [i.value for i in at.info] == [
        "You are not a member of this group: the exports hold what it has published."
    ]
    assert [b.label for b in at.get("download_button")] == [
        "Criteria set (Word)",
        "One-page summary (Word)",
        "Market vision / joint statement (Word)",
        "Criteria (Excel)",
        "Criteria (CSV)",
        "Market dialogue (Excel)",
        "Market dialogue (CSV)",
    ]
    assert len(at.file_uploader) == 0


def test_import_reports_rows_and_stores_only_after_confirmation(app_db) -> None:
    at = _panel(FACILITATOR)
    at.file_uploader(key="exports_upload").set_value(("mixed.csv", CSV, "text/csv")).run()
    assert [w.value for w in at.warning] == ["mixed.csv: 2 rows, 1 valid, 1 with errors."]
    assert [t.value for t in at.text] == ["Row 3: Title is required."]
    assert [b.label for b in at.button] == ["Store the 1 valid row"]
    assert _titles_stored("Imported award") == 0

    at.button(key="exports_store").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == ["Stored 1 criterion from mixed.csv as drafts."]
    assert [b.label for b in at.button] == []
    assert _titles_stored("Imported award") == 1
