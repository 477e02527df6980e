"""AppTest of pages/admin.py: admins manage accounts and read the log; others are refused."""

from __future__ import annotations

import contextlib
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from buyergroups import db, organisations
from buyergroups.accounts import manage, sessions, signin
from buyergroups.config import Settings
from buyergroups.errors import AuthenticationFailed

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "admin.py")
PASSWORD = "violet-harbour-42"


@pytest.fixture
def people(conn: db.Connection, db_path: Path, monkeypatch):
    monkeypatch.setenv("BUYERGROUPS_DB", str(db_path))
    monkeypatch.setenv("BUYERGROUPS_SEED_DEMO", "0")
    admin = manage.create_user(conn, None, "Ada Admin", "ada@example.org", PASSWORD, is_admin=True)
    member = manage.create_user(conn, admin, "Max Member", "max@example.org", PASSWORD)
    return admin, member


def page_as(user) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=30)
    at.session_state["auth_user"] = user
    return at.run()


def records(at: AppTest, index: int) -> list[dict]:
    """Rows of the index-th dataframe on the page, with missing values as None."""
    frame = at.dataframe[index].value
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def test_non_admins_get_a_clear_refusal(people):
    _, member = people
    at = page_as(member)
    assert not at.exception
    assert [e.value for e in at.error] == [
        "This page is for platform admins only. Ask a platform admin for help."
    ]
    assert len(at.dataframe) == 0


def test_admin_sees_users_and_creates_one(conn, people):
    admin, _ = people
    at = page_as(admin)
    assert not at.exception
    at.text_input(key="admin_new_name").input("Nina Novak")
    at.text_input(key="admin_new_email").input("nina@example.org")
    at.text_input(key="admin_new_password").input("nina-first-password")
    at.selectbox(key="admin_new_language").set_value("nl")
    at.button(key="admin_new_submit").click().run()
    assert [s.value for s in at.success] == [r"Created Nina Novak (nina@example\.org)."]
    users = records(at, 0)
    assert [(u["Name"], u["Email"], u["Language"], u["Admin"], u["Disabled"]) for u in users] == [
        ("Ada Admin", "ada@example.org", "en", True, False),
        ("Max Member", "max@example.org", "en", False, False),
        ("Nina Novak", "nina@example.org", "nl", False, False),
    ]
    assert signin.authenticate(conn, "nina@example.org", "nina-first-password", Settings())


def test_weak_initial_password_is_refused_on_the_page(conn, people):
    admin, _ = people
    at = page_as(admin)
    at.text_input(key="admin_new_name").input("Weak")
    at.text_input(key="admin_new_email").input("weak@example.org")
    at.text_input(key="admin_new_password").input("passwrd")
    at.button(key="admin_new_submit").click().run()
    assert [e.value for e in at.error] == ["The password needs at least 8 characters."]


def test_a_dutch_admin_reads_the_refusal_in_dutch(people):
    admin, _ = people
    at = page_as(replace(admin, language="nl"))
    at.text_input(key="admin_new_name").input("Zwak")
    at.text_input(key="admin_new_email").input("zwak@example.org")
    at.text_input(key="admin_new_password").input("passwrd")
    at.button(key="admin_new_submit").click().run()
    assert [e.value for e in at.error] == ["Het wachtwoord moet minstens 8 tekens lang zijn."]
    at.selectbox(key="admin_user_pick").set_value(admin.id).run()
    at.button(key="admin_disable").click().run()
    assert [e.value for e in at.error] == ["U kunt uw eigen account niet blokkeren."]


def test_admin_disables_enables_and_resets(conn, people):
    admin, member = people
    token = sessions.start_session(conn, member.id, Settings())
    at = page_as(admin)
    at.selectbox(key="admin_user_pick").set_value(member.id).run()
    at.button(key="admin_disable").click().run()
    assert [s.value for s in at.success] == [r"Disabled max@example\.org\."]
    assert sessions.resolve_session(conn, token, Settings()) is None
    at.button(key="admin_enable").click().run()
    at.text_input(key="admin_reset_password").input("reset-by-the-admin")
    at.button(key="admin_reset_submit").click().run()
    assert [s.value for s in at.success] == [
        r"Password of max@example\.org reset; their sessions were ended\."
    ]
    assert signin.authenticate(conn, "max@example.org", "reset-by-the-admin", Settings())


def test_admin_cannot_disable_themselves(people):
    admin, _ = people
    at = page_as(admin)
    at.selectbox(key="admin_user_pick").set_value(admin.id).run()
    at.button(key="admin_disable").click().run()
    assert [e.value for e in at.error] == ["You cannot disable your own account."]


def test_activity_log_with_filters(conn, people):
    admin, member = people
    manage.disable_user(conn, admin, member.id)
    at = page_as(admin)
    log = records(at, 1)
    assert [(e["Who"], e["Action"], e["Item"]) for e in log] == [
        ("Ada Admin", "disable", "user"),
        ("Ada Admin", "create", "user"),
        (None, "create", "user"),
    ]
    at.selectbox(key="admin_log_action").set_value("create").run()
    at.selectbox(key="admin_log_user").set_value(admin.id).run()
    log = records(at, 1)
    assert [(e["Who"], e["Action"], e["Summary"]) for e in log] == [
        ("Ada Admin", "create", "User Max Member <max@example.org>")
    ]
    at.date_input(key="admin_log_since").set_value(db.now().date() + timedelta(days=1)).run()
    assert len(at.dataframe[1].value) == 0
    assert "0 entries (newest first, at most 500)." in [c.value for c in at.caption]
    at.date_input(key="admin_log_since").set_value(db.now().date()).run()
    assert len(at.dataframe[1].value) == 1


def test_admin_sees_a_lock_out_and_unlocks(conn, people):
    admin, member = people
    for _ in range(Settings().max_failed_logins):
        with pytest.raises(AuthenticationFailed):
            signin.authenticate(conn, "max@example.org", "not-the-password", Settings())
    at = page_as(admin)
    assert [u["Locked"] for u in records(at, 0)] == [False, True]
    at.selectbox(key="admin_user_pick").set_value(member.id).run()
    assert [w.value for w in at.warning] == [
        "This account is locked after repeated failed sign-ins."
    ]
    at.button(key="admin_unlock").click().run()
    assert [s.value for s in at.success] == [r"Unlocked max@example\.org; they can sign in again\."]
    assert [u["Locked"] for u in records(at, 0)] == [False, False]
    assert signin.authenticate(conn, "max@example.org", PASSWORD, Settings()) == member


def _import_fixture(conn: db.Connection, name: str) -> None:
    from buyergroups.ingest import loader
    from buyergroups.ingest.sources import Limits, sources_from_paths

    fixtures = Path(__file__).resolve().parent / "fixtures" / "ingest"
    sources = sources_from_paths([fixtures / name], "eforms", Limits())
    assert not loader.import_sources(conn, "eforms", sources, None, system=True).rejected


def _frame(at: AppTest, column: str) -> list[dict]:
    (frame,) = [f.value for f in at.dataframe if column in f.value.columns]
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def test_admin_links_an_unmatched_buyer_to_an_organisation(conn, people):
    admin, _ = people
    _import_fixture(conn, "can_no_statistics.xml")
    org_id = organisations.create_organisation(conn, admin, "Hoofdstad Amsterdam", "other", "NL")
    at = page_as(admin)
    assert not at.exception
    assert [(b["Buyer"], b["Country"], b["Tenders"]) for b in _frame(at, "Buyer")] == [
        ("gemeente Amsterdam", "NL", 1)
    ]
    at.selectbox(key="orgadm_link_org").set_value(org_id)
    at.button(key="orgadm_link_submit").click().run()
    assert [s.value for s in at.success] == [
        "Linked gemeente Amsterdam to Hoofdstad Amsterdam; 1 tender(s) matched."
    ]
    assert [i.value for i in at.info] == [
        "Every buyer of the imported tenders matches an organisation."
    ]
    with db.reading(conn) as cur:
        assert db.value(cur, "SELECT buyer_org_id FROM tenders") == org_id


def test_admin_registers_a_buyer_and_sets_an_organisations_type(conn, people):
    admin, _ = people
    _import_fixture(conn, "can_no_statistics.xml")
    at = page_as(admin)
    at.selectbox(key="orgadm_create_type").set_value("municipality")
    at.button(key="orgadm_create_submit").click().run()
    assert [s.value for s in at.success] == ["Registered gemeente Amsterdam; 1 tender(s) matched."]
    (org,) = _frame(at, "National registration number")
    assert (org["Name"], org["Type"], org["Kind"]) == (
        "gemeente Amsterdam",
        "Municipality",
        "Municipality",
    )
    org_id = organisations.list_organisations(conn)[0]["id"]
    at.selectbox(key=f"orgadm_edit_type_{org_id}").set_value("other_public")
    at.text_input(key=f"orgadm_edit_national_id_{org_id}").input("TEST 0002")
    at.button(key="orgadm_edit_submit").click().run()
    assert [s.value for s in at.success] == ["Saved gemeente Amsterdam; 0 tender(s) newly matched."]
    with db.reading(conn) as cur:
        assert db.row(cur, "SELECT org_type, national_id FROM organisations") == {
            "org_type": "other_public",
            "national_id": "TEST 0002",
        }


def test_admin_matches_all_buyers_again(conn, people):
    admin, _ = people
    organisations.create_organisation(conn, admin, "Gemeente Utrecht", "municipality", "NL")
    _import_fixture(conn, "cn_two_lots.xml")
    with db.transaction(conn) as cur:  # a procurement stored before buyers were matched
        cur.execute("UPDATE tenders SET buyer_org_id = NULL")
    at = page_as(admin)
    at.button(key="orgadm_rematch").click().run()
    assert [s.value for s in at.success] == ["1 tender(s) newly matched."]


def test_admin_downloads_a_backup_that_restores(conn, people, db_path, tmp_path: Path) -> None:
    """The Backup tab writes the backup while the page's own connection holds the database.

    A zip archive of the DuckDB file, or the pg_dump file of the PostgreSQL database.
    """
    from buyergroups import cli
    from tests import pg_support

    admin, _ = people
    at = page_as(admin)
    at.button(key="admin_backup_prepare").click().run()
    assert not at.exception
    buttons = at.get("download_button")
    assert len(buttons) == 1
    name, data = at.session_state["admin_backup"]
    on_postgres = db.is_url(db_path)
    assert name.startswith("buyergroups-backup-")
    assert name.endswith(".dump" if on_postgres else ".zip")
    archive = tmp_path / name
    archive.write_bytes(data)
    with contextlib.ExitStack() as stack:
        if on_postgres:
            restored = stack.enter_context(pg_support.empty_database())
        else:
            restored = str(tmp_path / "restored.duckdb")
        assert cli.main(["--db", restored, "restore", str(archive)]) == 0
        copy = db.connect(restored)
        with db.reading(copy) as cur:
            emails = sorted(r["email"] for r in db.rows(cur, "SELECT email FROM users"))
        copy.close()
    assert emails == ["ada@example.org", "max@example.org"]
