"""Sign-in: password check, lock-out after failed attempts, OIDC users.

The browser only ever carries a random session token (see
:mod:`buyergroups.accounts.sessions`); a failed sign-in never says whether the
email exists. Too many failures within the lock-out window lock the account
until the window passes or an admin unlocks it; old attempts are pruned.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from buyergroups import activity, db
from buyergroups.accounts import passwords
from buyergroups.accounts.sessions import SIGN_IN_FAILED
from buyergroups.accounts.users import User, find_by_email, get_user, list_users
from buyergroups.auth import require_admin
from buyergroups.config import Settings
from buyergroups.errors import AuthenticationFailed


def authenticate(
    conn: db.Connection,
    email: str,
    password: str,
    settings: Settings,
    *,
    now: datetime | None = None,
) -> User:
    """The enabled user with these credentials; AuthenticationFailed (generic) otherwise.

    After ``max_failed_logins`` failures for an email within ``lockout_minutes``
    (since its last success) the email is locked until the failures age out of
    that window; attempts while locked count as failures. Unknown emails go
    through the same steps (one hash verification, one recorded attempt), so
    neither the message nor the timing tells whether an email exists.
    """
    at = now or db.now()
    email_lower = (email or "").strip().lower()[:254]
    with db.reading(conn) as cur:
        found = db.row(
            cur,
            "SELECT id, name, email, organisation_id, language, is_admin, disabled, password_hash"
            " FROM users WHERE lower(email) = ?",
            [email_lower],
        )
        locked = _is_locked(cur, email_lower, settings, at)
    password_hash = found.pop("password_hash") if found else None
    matches = passwords.verify_password(password_hash, password)
    user = User(**found) if found else None
    success = matches and user is not None and not user.disabled and not locked
    with db.transaction(conn) as cur:
        cur.execute(
            "INSERT INTO login_attempts (email_lower, attempted_at, success, kind)"
            " VALUES (?, ?, ?, 'sign_in')",
            [email_lower, at, success],
        )
        _prune_attempts(cur, settings, at)
        if success and password_hash and passwords.needs_rehash(password_hash):
            cur.execute(
                "UPDATE users SET password_hash = ? WHERE id = ?",
                [passwords.hash_password(password), user.id],
            )
    if not success or user is None:
        raise AuthenticationFailed(SIGN_IN_FAILED)
    return user


def _is_locked(cur: db.Connection, email_lower: str, settings: Settings, at: datetime) -> bool:
    return email_lower in _locked_emails(cur, settings, at, email_lower)


def _locked_emails(
    cur: db.Connection, settings: Settings, at: datetime, email_lower: str | None = None
) -> set[str]:
    """Emails with ``max_failed_logins`` failures in the window since their last reset.

    A reset is a successful sign-in or an admin's unlock.
    """
    window_start = at - timedelta(minutes=settings.lockout_minutes)
    only = "" if email_lower is None else " AND a.email_lower = ?"
    found = cur.execute(
        "SELECT a.email_lower FROM login_attempts a"  # nosec B608 - fixed fragment
        " WHERE a.kind = 'sign_in' AND NOT a.success"
        " AND a.attempted_at > ? AND a.attempted_at <= ?" + only + " AND a.attempted_at >"
        " coalesce((SELECT max(b.attempted_at) FROM login_attempts b"
        " WHERE b.email_lower = a.email_lower AND b.attempted_at <= ?"
        " AND (b.success OR b.kind = 'unlock')), TIMESTAMP '1970-01-01')"
        " GROUP BY a.email_lower HAVING count(*) >= ?",
        [window_start, at, *([email_lower] if email_lower else []), at, settings.max_failed_logins],
    ).fetchall()
    return {email for (email,) in found}


def _prune_attempts(cur: db.Connection, settings: Settings, at: datetime) -> None:
    """Forget attempts older than ``login_history_days`` (never inside the lock-out window)."""
    keep = max(
        timedelta(days=settings.login_history_days), timedelta(minutes=settings.lockout_minutes)
    )
    cur.execute("DELETE FROM login_attempts WHERE attempted_at < ?", [at - keep])


def users_with_lock_state(
    conn: db.Connection, settings: Settings, *, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Every user, each with ``locked``: too many recent failed sign-ins (CLI and admin)."""
    found = list_users(conn)
    with db.reading(conn) as cur:
        locked = _locked_emails(cur, settings, now or db.now())
    return [{**user, "locked": user["email"].lower() in locked} for user in found]


def unlock_user(
    conn: db.Connection, actor: User | None, user_id: int, *, now: datetime | None = None
) -> None:
    """End a lock-out now: failures before this moment no longer count (admins, or None = CLI)."""
    if actor is not None:
        require_admin(actor)
    target = get_user(conn, user_id)
    with db.transaction(conn) as cur:
        cur.execute(
            "INSERT INTO login_attempts (email_lower, attempted_at, success, kind)"
            " VALUES (?, ?, false, 'unlock')",
            [target.email.lower(), now or db.now()],
        )
        activity.record(
            cur,
            actor,
            "unlock",
            "user",
            user_id,
            summary=activity.summary("Unlocked {email}", email=target.email),
        )


def user_for_oidc(conn: db.Connection, email: str | None) -> User | None:
    """The enabled local user for a verified identity-provider email, or None.

    Accounts are never created from an identity provider: an admin creates
    the local user (and so decides their roles) first.
    """
    if not email or not email.strip():
        return None
    with db.reading(conn) as cur:
        user = find_by_email(cur, email)
    return user if user is not None and not user.disabled else None
