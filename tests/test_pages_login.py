"""AppTest of the sign-in gate (ui/auth_gate.py) through a tiny app behind it."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from buyergroups import db
from buyergroups.accounts import manage, sessions, signin
from buyergroups.config import Settings

APP = str(Path(__file__).with_name("login_gate_app.py"))
PASSWORD = "violet-harbour-42"
GENERIC = "Email or password is wrong, or the account is locked or disabled."


@pytest.fixture
def member(conn: db.Connection, db_path: Path, monkeypatch):
    monkeypatch.setenv("BUYERGROUPS_DB", str(db_path))
    monkeypatch.setenv("BUYERGROUPS_SEED_DEMO", "0")
    return manage.create_user(conn, None, "Max Member", "max@example.org", PASSWORD)


def fresh_app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=30)


def sign_in(at: AppTest, email: str, password: str, *, remember: bool = False) -> AppTest:
    at.text_input(key="login_email").input(email)
    at.text_input(key="login_password").input(password)
    at.checkbox(key="login_remember").set_value(remember)
    return at.button(key="login_submit").click().run()


def shown_text(at: AppTest) -> list[str]:
    return [element.value for element in at.text]


def test_signed_out_users_see_only_the_login_form(member):
    at = fresh_app().run()
    assert not at.exception
    assert [t.key for t in at.text_input] == ["login_email", "login_password"]
    assert [c.key for c in at.checkbox] == ["login_remember"]
    assert [b.key for b in at.button] == ["login_submit"]
    assert shown_text(at) == []
    assert len(at.sidebar.children) == 0
    assert "auth_user" not in at.session_state


def test_correct_credentials_sign_in_without_a_token_in_the_url(conn, member):
    at = sign_in(fresh_app().run(), "MAX@example.org", PASSWORD)
    assert not at.exception
    assert shown_text(at) == ["signed in as Max Member"]
    token = at.session_state["auth_token"]
    assert at.session_state["auth_user"] == member
    assert "s" not in at.query_params
    assert sessions.resolve_session(conn, token, Settings()) == member


def test_stay_signed_in_puts_the_token_in_the_url_on_every_run(conn, member):
    at = sign_in(fresh_app().run(), "max@example.org", PASSWORD, remember=True)
    token = at.session_state["auth_token"]
    assert at.query_params["s"] == token
    at.query_params.clear()  # as a page switch does
    at.run()
    assert at.query_params["s"] == token


@pytest.mark.parametrize(
    ("email", "password"),
    [("max@example.org", "not-the-password"), ("nobody@example.org", PASSWORD)],
)
def test_wrong_credentials_show_the_generic_message(member, email, password):
    at = sign_in(fresh_app().run(), email, password)
    assert [e.value for e in at.error] == [GENERIC]
    assert shown_text(at) == []
    assert "auth_token" not in at.session_state


def test_a_session_ended_on_the_server_signs_the_browser_out(conn, member):
    at = sign_in(fresh_app().run(), "max@example.org", PASSWORD)
    sessions.end_session(conn, at.session_state["auth_token"])
    at.run()
    assert shown_text(at) == []
    assert [t.key for t in at.text_input] == ["login_email", "login_password"]
    assert "s" not in at.query_params


def test_a_reload_with_the_token_in_the_url_stays_signed_in(conn, member):
    token = sessions.start_session(conn, member.id, Settings())
    at = fresh_app()
    at.query_params["s"] = token
    at.run()
    assert shown_text(at) == ["signed in as Max Member"]
    assert at.session_state["auth_token"] == token
    assert at.query_params["s"] == token


def test_session_state_token_signs_a_test_user_in(conn, member):
    at = fresh_app()
    at.session_state["auth_token"] = sessions.start_session(conn, member.id, Settings())
    at.run()
    assert shown_text(at) == ["signed in as Max Member"]


def test_sign_out_ends_the_server_session(conn, member):
    at = sign_in(fresh_app().run(), "max@example.org", PASSWORD, remember=True)
    token = at.session_state["auth_token"]
    at.button(key="logout").click().run()
    assert shown_text(at) == []
    assert sessions.resolve_session(conn, token, Settings()) is None
    assert "s" not in at.query_params
    assert "auth_token" not in at.session_state


def test_password_change_keeps_this_browser_and_ends_the_others(conn, member):
    other_browser = sessions.start_session(conn, member.id, Settings())
    at = sign_in(fresh_app().run(), "max@example.org", PASSWORD)
    at.text_input(key="account_old_password").input(PASSWORD)
    at.text_input(key="account_new_password").input("new-sturdy-phrase")
    at.text_input(key="account_new_password_repeat").input("new-sturdy-phrase")
    at.button(key="account_password_submit").click().run()
    assert [s.value for s in at.success] == [
        "Password changed. You were signed out everywhere else."
    ]
    assert sessions.resolve_session(conn, other_browser, Settings()) is None
    at.run()
    assert shown_text(at) == ["signed in as Max Member"]
    assert signin.authenticate(conn, "max@example.org", "new-sturdy-phrase", Settings())


def test_language_choice_is_saved(conn, member):
    at = sign_in(fresh_app().run(), "max@example.org", PASSWORD)
    at.selectbox(key="account_language").set_value("nl").run()
    assert at.session_state["auth_user"].language == "nl"
    assert manage.user_by_email(conn, "max@example.org").language == "nl"


def test_names_are_shown_as_typed_not_as_markup(conn, member):
    hostile = "*Eve* <script>alert(1)</script> [x](javascript:alert(1))"
    eve = manage.create_user(conn, None, hostile, "eve@example.org", PASSWORD)
    at = fresh_app()
    at.session_state["auth_token"] = sessions.start_session(conn, eve.id, Settings())
    at.run()
    assert [m.value for m in at.sidebar.markdown] == [
        r"**\*Eve\* \<script\>alert\(1\)\</script\> \[x\]\(javascript:alert\(1\)\)**"
        "  \n"
        r"eve@example\.org"
    ]
    assert shown_text(at) == [f"signed in as {hostile}"]


AUTH_SECRETS = {
    "auth": {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "test-cookie-secret",
        "client_id": "buyergroups",
        "client_secret": "test-client-secret",
        "server_metadata_url": "https://idp.example.org/.well-known/openid-configuration",
    }
}


def oidc_app(email: str, *, verified: bool = True) -> AppTest:
    at = fresh_app()
    at.secrets = AUTH_SECRETS
    at.user = {"is_logged_in": True, "email": email, "email_verified": verified}
    return at


def test_without_auth_secrets_there_is_no_organisation_button(member):
    at = fresh_app()
    at.user = {"is_logged_in": True, "email": "max@example.org"}
    at.run()
    assert [b.key for b in at.button] == ["login_submit"]
    assert shown_text(at) == []


def test_organisation_button_is_offered_when_auth_is_configured(member):
    at = fresh_app()
    at.secrets = AUTH_SECRETS
    at.run()
    assert [(b.key, b.label) for b in at.button] == [
        ("login_submit", "Sign in"),
        ("login_oidc_default", "Sign in with your organisation"),
    ]


def test_organisation_identity_maps_to_the_local_user(conn, member):
    at = oidc_app("MAX@example.org").run()
    assert not at.exception
    assert shown_text(at) == ["signed in as Max Member"]
    assert sessions.resolve_session(conn, at.session_state["auth_token"], Settings()) == member


@pytest.mark.parametrize(
    ("email", "verified"), [("stranger@example.org", True), ("max@example.org", False)]
)
def test_unknown_or_unverified_identity_is_not_signed_in(member, email, verified):
    at = oidc_app(email, verified=verified).run()
    assert shown_text(at) == []
    assert [e.value for e in at.error] == [
        f"You are signed in with your organisation as {email}, but no enabled account of this "
        "workspace uses that (verified) email. Accounts are not created automatically: ask a "
        "platform admin to create yours, then sign in again."
    ]
    assert "login_oidc_logout" in [b.key for b in at.button]


def test_sign_out_after_organisation_sign_in_also_logs_out_of_the_provider(conn, member):
    at = oidc_app("max@example.org").run()
    token = at.session_state["auth_token"]
    at.button(key="logout").click().run()
    assert sessions.resolve_session(conn, token, Settings()) is None
    assert at.user["is_logged_in"] is False
    at.run()
    assert shown_text(at) == []
    assert [t.key for t in at.text_input] == ["login_email", "login_password"]
