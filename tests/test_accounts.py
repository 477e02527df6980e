"""Accounts: password hashing and policy, sign-in with lock-out, server-side sessions."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta

import pytest

from buyergroups import activity, db
from buyergroups.accounts import manage, passwords, sessions, signin
from buyergroups.accounts.users import User, get_user
from buyergroups.config import Settings
from buyergroups.errors import (
    AuthenticationFailed,
    NotSignedIn,
    PermissionDenied,
    ValidationError,
)

SETTINGS = Settings(
    max_failed_logins=3, lockout_minutes=15, session_idle_minutes=30, session_absolute_hours=8
)
T0 = datetime(2025, 3, 1, 9, 0, 0)
PASSWORD = "violet-harbour-42"
GENERIC = "Email or password is wrong, or the account is locked or disabled."


@pytest.fixture
def admin(conn: db.Connection) -> User:
    return manage.create_user(conn, None, "Ada Admin", "ada@example.org", PASSWORD, is_admin=True)


@pytest.fixture
def member(conn: db.Connection, admin: User) -> User:
    return manage.create_user(conn, admin, "Max Member", "max@example.org", PASSWORD)


def stored(conn: db.Connection, sql: str, params: list | None = None) -> list[tuple]:
    with db.reading(conn) as cur:
        return cur.execute(sql, params or []).fetchall()


def sign_in_error(conn: db.Connection, email: str, password: str, at: datetime) -> str:
    with pytest.raises(AuthenticationFailed) as failed:
        signin.authenticate(conn, email, password, SETTINGS, now=at)
    return str(failed.value)


# --- hashing and policy --------------------------------------------------------------------


def test_stored_hash_is_argon2id_with_owasp_parameters(conn, member):
    [(password_hash,)] = stored(conn, "SELECT password_hash FROM users WHERE id = ?", [member.id])
    assert re.fullmatch(
        r"\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+", password_hash
    )
    assert passwords.verify_password(password_hash, PASSWORD) is True
    assert passwords.verify_password(password_hash, PASSWORD.upper()) is False


def test_password_is_stored_nowhere_in_clear(conn, member):
    dump = repr(stored(conn, "SELECT * FROM users")) + repr(stored(conn, "SELECT * FROM activity"))
    assert PASSWORD not in dump


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short7!", "The password needs at least 8 characters."),
        ("password123", "That password is one of the most common ones; choose another."),
        ("Wachtwoord1", "That password is one of the most common ones; choose another."),
        ("12345678", "That password is one of the most common ones; choose another."),
        ("QWERTYUIOP", "That password is one of the most common ones; choose another."),
        ("x" * 1025, "The password is too long (at most 1,024 characters)."),
        ("nina@example.org", "The password may not be your email address or your name."),
        ("NINA", "The password needs at least 8 characters."),
        ("Nina Novak", "The password may not be your email address or your name."),
        ("ninanovak", "The password may not be your email address or your name."),
    ],
)
def test_weak_passwords_are_refused(conn, admin, password, message):
    with pytest.raises(ValidationError) as refused:
        manage.create_user(conn, admin, "Nina Novak", "nina@example.org", password)
    assert str(refused.value) == message
    assert stored(conn, "SELECT email FROM users ORDER BY id") == [("ada@example.org",)]


def test_common_password_list_is_big_and_lower_case():
    common = passwords.common_passwords()
    assert len(common) >= 200
    assert all(word == word.lower() for word in common)
    assert {"password", "iloveyou", "wachtwoord", "qwerty123"} <= common


# --- creating users ------------------------------------------------------------------------


def test_only_admins_create_users(conn, admin, member):
    with pytest.raises(PermissionDenied, match=r"^Only a platform admin may do this\.$"):
        manage.create_user(conn, member, "Eve", "eve@example.org", PASSWORD)
    assert [row[0] for row in stored(conn, "SELECT email FROM users ORDER BY id")] == [
        "ada@example.org",
        "max@example.org",
    ]


def test_duplicate_email_is_refused_case_insensitively(conn, admin):
    with pytest.raises(ValidationError, match="already exists"):
        manage.create_user(conn, admin, "Ada Two", "ADA@Example.org", "another-long-one")


# --- sign-in -------------------------------------------------------------------------------


def test_correct_credentials_sign_in_whatever_the_email_case(conn, member):
    user = signin.authenticate(conn, "  MAX@example.ORG ", PASSWORD, SETTINGS, now=T0)
    assert user == User(member.id, "Max Member", "max@example.org", None, "en", False, False)


def test_generic_message_for_wrong_password_unknown_email_and_disabled(conn, admin, member):
    wrong_password = sign_in_error(conn, "max@example.org", "not-the-password", T0)
    unknown_email = sign_in_error(conn, "nobody@example.org", PASSWORD, T0)
    manage.disable_user(conn, admin, member.id, now=T0)
    disabled = sign_in_error(conn, "max@example.org", PASSWORD, T0)
    assert wrong_password == unknown_email == disabled == GENERIC
    assert sessions.SIGN_IN_FAILED == GENERIC


def test_unknown_email_still_runs_a_hash_verification(monkeypatch, conn):
    verified: list[str | None] = []
    real = passwords.verify_password
    monkeypatch.setattr(passwords, "verify_password", lambda h, p: verified.append(h) or real(h, p))
    sign_in_error(conn, "nobody@example.org", PASSWORD, T0)
    assert verified == [None]
    assert passwords.verify_password(None, PASSWORD) is False


def test_lock_out_after_repeated_failures_even_with_the_right_password(conn, member):
    for minute in range(3):
        sign_in_error(conn, "max@example.org", "wrong-guess", T0 + timedelta(minutes=minute))
    assert sign_in_error(conn, "max@example.org", PASSWORD, T0 + timedelta(minutes=3)) == GENERIC
    # The refused attempt at minute 3 counts as a failure too: still locked at 15,
    # when the first failure has left the window.
    sign_in_error(conn, "max@example.org", PASSWORD, T0 + timedelta(minutes=15))
    # Failures age out of the 15-minute window.
    later = T0 + timedelta(minutes=31, seconds=1)
    assert signin.authenticate(conn, "max@example.org", PASSWORD, SETTINGS, now=later) == member
    assert stored(
        conn,
        "SELECT success FROM login_attempts WHERE email_lower = ? ORDER BY attempted_at",
        ["max@example.org"],
    ) == [(False,), (False,), (False,), (False,), (False,), (True,)]


def test_a_success_resets_the_failure_count(conn, member):
    for minute, password in enumerate(["bad-1", "bad-2", PASSWORD, "bad-3", "bad-4"]):
        at = T0 + timedelta(minutes=minute)
        if password == PASSWORD:
            signin.authenticate(conn, "max@example.org", password, SETTINGS, now=at)
        else:
            sign_in_error(conn, "max@example.org", password, at)
    at = T0 + timedelta(minutes=5)
    assert signin.authenticate(conn, "max@example.org", PASSWORD, SETTINGS, now=at) == member


def test_unknown_emails_lock_out_the_same_way(conn):
    for minute in range(4):
        at = T0 + timedelta(minutes=minute)
        assert sign_in_error(conn, "Ghost@example.org", "whatever-1", at) == GENERIC
    assert stored(conn, "SELECT DISTINCT email_lower FROM login_attempts") == [
        ("ghost@example.org",)
    ]


def test_an_admin_unlock_ends_the_lock_out_at_once(conn, admin, member):
    for minute in range(3):
        sign_in_error(conn, "max@example.org", "wrong-guess", T0 + timedelta(minutes=minute))
    at = T0 + timedelta(minutes=4)
    users = manage.users_for_admin(conn, admin, SETTINGS, now=at)
    assert [(u["email"], u["locked"]) for u in users] == [
        ("ada@example.org", False),
        ("max@example.org", True),
    ]
    with pytest.raises(PermissionDenied):
        signin.unlock_user(conn, member, member.id, now=at)
    signin.unlock_user(conn, admin, member.id, now=at)
    later = at + timedelta(seconds=1)
    assert not manage.users_for_admin(conn, admin, SETTINGS, now=later)[1]["locked"]
    assert signin.authenticate(conn, "max@example.org", PASSWORD, SETTINGS, now=later) == member
    with db.reading(conn) as cur:
        (entry,) = activity.entries(cur, user_id=admin.id, limit=1)
    assert (entry["action"], entry["summary"]) == ("unlock", "Unlocked max@example.org")


def test_failures_after_an_unlock_count_again(conn, admin, member):
    for minute in range(3):
        sign_in_error(conn, "max@example.org", "wrong-guess", T0 + timedelta(minutes=minute))
    signin.unlock_user(conn, None, member.id, now=T0 + timedelta(minutes=3))
    for minute in range(4, 7):
        sign_in_error(conn, "max@example.org", "again-wrong", T0 + timedelta(minutes=minute))
    assert sign_in_error(conn, "max@example.org", PASSWORD, T0 + timedelta(minutes=7)) == GENERIC


def test_old_attempts_are_pruned_and_recent_ones_kept(conn, member):
    settings = Settings(max_failed_logins=3, lockout_minutes=15, login_history_days=30)
    old = T0 - timedelta(days=31)
    with pytest.raises(AuthenticationFailed):
        signin.authenticate(conn, "max@example.org", "old-guess", settings, now=old)
    with pytest.raises(AuthenticationFailed):
        signin.authenticate(conn, "max@example.org", "wrong", settings, now=T0 - timedelta(days=29))
    signin.authenticate(conn, "max@example.org", PASSWORD, settings, now=T0)
    assert stored(conn, "SELECT attempted_at, success FROM login_attempts ORDER BY 1") == [
        (T0 - timedelta(days=29), False),
        (T0, True),
    ]


# --- sessions ------------------------------------------------------------------------------


def test_only_the_token_hash_is_stored(conn, member):
    token = sessions.start_session(conn, member.id, SETTINGS, now=T0)
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)
    assert stored(conn, "SELECT token_hash, user_id, created_at, expires_at FROM sessions") == [
        (hashlib.sha256(token.encode()).hexdigest(), member.id, T0, T0 + timedelta(hours=8))
    ]
    assert sessions.resolve_session(conn, token, SETTINGS, now=T0) == member


def test_idle_expiry_counts_from_the_last_request(conn, member):
    token = sessions.start_session(conn, member.id, SETTINGS, now=T0)
    assert sessions.resolve_session(conn, token, SETTINGS, now=T0 + timedelta(minutes=29)) == member
    assert sessions.resolve_session(conn, token, SETTINGS, now=T0 + timedelta(minutes=58)) == member
    assert sessions.resolve_session(conn, token, SETTINGS, now=T0 + timedelta(minutes=88)) is None
    # Once ended, it stays ended even if asked with an earlier clock.
    assert sessions.resolve_session(conn, token, SETTINGS, now=T0 + timedelta(minutes=59)) is None
    assert stored(conn, "SELECT last_seen_at, ended_at, ended_reason FROM sessions") == [
        (T0 + timedelta(minutes=58), T0 + timedelta(minutes=88), "expired_idle")
    ]


def test_absolute_expiry_ends_even_an_active_session(conn, member):
    token = sessions.start_session(conn, member.id, SETTINGS, now=T0)
    for step in range(1, 24):
        at = T0 + timedelta(minutes=20 * step)
        assert sessions.resolve_session(conn, token, SETTINGS, now=at) == member
    assert sessions.resolve_session(conn, token, SETTINGS, now=T0 + timedelta(hours=8)) is None
    assert stored(conn, "SELECT ended_reason FROM sessions") == [("expired_absolute",)]


@pytest.mark.parametrize("token", [None, "", "no-such-token", "x" * 10_000, "' OR 1=1 --"])
def test_garbage_tokens_resolve_to_nobody(conn, member, token):
    sessions.start_session(conn, member.id, SETTINGS, now=T0)
    assert sessions.resolve_session(conn, token, SETTINGS, now=T0) is None
    sessions.end_session(conn, token, now=T0)
    assert stored(conn, "SELECT ended_at FROM sessions") == [(None,)]


def test_logout_ends_only_that_session(conn, member):
    laptop = sessions.start_session(conn, member.id, SETTINGS, now=T0)
    phone = sessions.start_session(conn, member.id, SETTINGS, now=T0)
    sessions.end_session(conn, laptop, now=T0)
    assert sessions.resolve_session(conn, laptop, SETTINGS, now=T0) is None
    assert sessions.resolve_session(conn, phone, SETTINGS, now=T0) == member
    actions = [e["action"] for e in entries(conn, member.id)]
    assert actions == ["sign_out", "sign_in", "sign_in", "create"]


def test_own_password_change_needs_the_old_one_and_ends_all_sessions(conn, member):
    tokens = [sessions.start_session(conn, member.id, SETTINGS, now=T0) for _ in range(2)]
    with pytest.raises(AuthenticationFailed, match=r"^Your current password is wrong"):
        manage.change_password(conn, member, member.id, "wrong-old", "new-sturdy-phrase", now=T0)
    assert sessions.live_sessions(conn, member.id) == 2
    manage.change_password(conn, member, member.id, PASSWORD, "new-sturdy-phrase", now=T0)
    assert [sessions.resolve_session(conn, t, SETTINGS, now=T0) for t in tokens] == [None, None]
    assert stored(conn, "SELECT DISTINCT ended_reason FROM sessions") == [("password_changed",)]
    assert sign_in_error(conn, "max@example.org", PASSWORD, T0) == GENERIC
    assert signin.authenticate(conn, "max@example.org", "new-sturdy-phrase", SETTINGS, now=T0)


def test_admin_resets_without_old_password_others_may_not(conn, admin, member):
    other = manage.create_user(conn, admin, "Olle Other", "olle@example.org", PASSWORD)
    with pytest.raises(PermissionDenied):
        manage.change_password(conn, member, other.id, PASSWORD, "taken-over-now", now=T0)
    with pytest.raises(NotSignedIn):
        manage.change_password(conn, None, other.id, PASSWORD, "taken-over-now", now=T0)
    token = sessions.start_session(conn, other.id, SETTINGS, now=T0)
    manage.change_password(conn, admin, other.id, None, "reset-by-admin-1", now=T0)
    assert sessions.resolve_session(conn, token, SETTINGS, now=T0) is None
    assert signin.authenticate(conn, "olle@example.org", "reset-by-admin-1", SETTINGS, now=T0)
    assert entries(conn, other.id)[0]["action"] == "reset_password"
    assert entries(conn, other.id)[0]["user_id"] == admin.id


def test_disabling_ends_sessions_and_enabling_restores_sign_in(conn, admin, member):
    token = sessions.start_session(conn, member.id, SETTINGS, now=T0)
    with pytest.raises(PermissionDenied):
        manage.disable_user(conn, member, admin.id, now=T0)
    with pytest.raises(ValidationError, match=r"^You cannot disable your own account\.$"):
        manage.disable_user(conn, admin, admin.id, now=T0)
    manage.disable_user(conn, admin, member.id, now=T0)
    assert sessions.resolve_session(conn, token, SETTINGS, now=T0) is None
    assert stored(conn, "SELECT ended_reason FROM sessions") == [("disabled",)]
    with pytest.raises(AuthenticationFailed):
        sessions.start_session(conn, member.id, SETTINGS, now=T0)
    manage.enable_user(conn, admin, member.id)
    assert signin.authenticate(conn, "max@example.org", PASSWORD, SETTINGS, now=T0) == member
    assert sessions.resolve_session(conn, token, SETTINGS, now=T0) is None


def test_a_session_of_a_user_disabled_behind_its_back_resolves_to_nobody(conn, member):
    token = sessions.start_session(conn, member.id, SETTINGS, now=T0)
    with db.transaction(conn) as cur:
        cur.execute("UPDATE users SET disabled = true WHERE id = ?", [member.id])
    assert sessions.resolve_session(conn, token, SETTINGS, now=T0) is None


def test_every_account_change_is_logged_with_the_acting_user(conn, admin, member):
    manage.reset_password(conn, admin, member.id, "fresh-and-long-1", now=T0)
    manage.disable_user(conn, admin, member.id, now=T0)
    manage.enable_user(conn, admin, member.id)
    manage.change_language(conn, member, member.id, "nl")
    assert [(e["user_id"], e["action"], e["item_id"]) for e in entries(conn, member.id)] == [
        (member.id, "change_language", member.id),
        (admin.id, "enable", member.id),
        (admin.id, "disable", member.id),
        (admin.id, "reset_password", member.id),
        (admin.id, "create", member.id),
    ]
    assert get_user(conn, member.id).language == "nl"


def entries(conn: db.Connection, user_item_id: int) -> list[dict]:
    with db.reading(conn) as cur:
        return [e for e in activity.entries(cur, item_kind="user") if e["item_id"] == user_item_id]


# --- OIDC mapping --------------------------------------------------------------------------


def test_oidc_email_maps_to_an_enabled_local_user_only(conn, admin, member):
    assert signin.user_for_oidc(conn, "MAX@example.org") == member
    assert signin.user_for_oidc(conn, "stranger@example.org") is None
    assert signin.user_for_oidc(conn, "") is None
    assert signin.user_for_oidc(conn, None) is None
    manage.disable_user(conn, admin, member.id, now=T0)
    assert signin.user_for_oidc(conn, "max@example.org") is None
    assert stored(conn, "SELECT count(*) FROM users") == [(2,)]


# --- hostile input -------------------------------------------------------------------------


def test_sql_metacharacters_are_stored_verbatim(conn, admin):
    name = 'Robert\'); DROP TABLE users;-- "quoted" \\ %_'
    user = manage.create_user(conn, admin, name, "o'brien+x@example.org", PASSWORD)
    assert get_user(conn, user.id).name == name
    login = signin.authenticate(conn, "O'Brien+X@example.org", PASSWORD, SETTINGS, now=T0)
    assert login == user
    assert sign_in_error(conn, "' OR '1'='1' --", "' OR '1'='1' --", T0) == GENERIC
    assert sign_in_error(conn, "%", PASSWORD, T0) == GENERIC
    assert stored(conn, "SELECT count(*) FROM users") == [(2,)]


def test_very_long_fields_are_refused_or_handled(conn, admin):
    with pytest.raises(ValidationError, match=r"^Name is too long \(10,000 characters"):
        manage.create_user(conn, admin, "n" * 10_000, "long@example.org", PASSWORD)
    with pytest.raises(ValidationError, match=r"^Email is too long"):
        manage.create_user(conn, admin, "Long", "e" * 5_000 + "@example.org", PASSWORD)
    with pytest.raises(ValidationError, match=r"^The password is too long"):
        manage.create_user(conn, admin, "Long", "long@example.org", "p" * 1_000_000)
    assert sign_in_error(conn, "e" * 100_000, "p" * 1_000_000, T0) == GENERIC
    assert stored(conn, "SELECT max(length(email_lower)) FROM login_attempts") == [(254,)]
    assert stored(conn, "SELECT count(*) FROM users") == [(1,)]
