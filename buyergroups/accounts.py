"""Accounts and sign-in: creating users, passwords, lock-out and server-side sessions.

The browser only ever carries a random session token; the ``sessions`` table
keeps its SHA-256 hash with idle and absolute expiry, so every session can be
ended on the server: on logout, on a password change and when an account is
disabled. Every change is recorded in the activity log with the acting user.

``actor=None`` on the admin functions means the operator at the command line
(who holds the database file anyway); pages always pass the signed-in user.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from buyergroups import activity, db, passwords, sessions
from buyergroups.auth import require_admin, require_signed_in
from buyergroups.config import Settings
from buyergroups.errors import AuthenticationFailed, NotFoundError, ValidationError, msg
from buyergroups.sessions import (
    SIGN_IN_FAILED,
    end_session,
    end_user_sessions,
    live_sessions,
    resolve_session,
    start_session,
)
from buyergroups.users import User, find_by_email, get_user, insert_user, list_users

__all__ = [
    "SIGN_IN_FAILED",
    "authenticate",
    "change_language",
    "change_password",
    "create_user",
    "disable_user",
    "enable_user",
    "end_session",
    "end_user_sessions",
    "live_sessions",
    "reset_password",
    "resolve_session",
    "start_session",
    "unlock_user",
    "user_by_email",
    "user_for_oidc",
    "users_for_admin",
    "users_with_lock_state",
]

# --- users -------------------------------------------------------------------------------


def create_user(
    conn: db.Connection,
    actor: User | None,
    name: str,
    email: str,
    password: str,
    organisation_id: int | None = None,
    language: str = "en",
    is_admin: bool = False,
) -> User:
    """Create a local account with a policy-checked password (admins, or None = CLI)."""
    if actor is not None:
        require_admin(actor)
    passwords.check_password(password, email=email, name=name)
    password_hash = passwords.hash_password(password)
    with db.transaction(conn) as cur:
        return insert_user(
            cur,
            actor,
            name=name,
            email=email,
            organisation_id=organisation_id,
            language=language,
            is_admin=is_admin,
            password_hash=password_hash,
        )


def change_password(
    conn: db.Connection,
    actor: User,
    user_id: int,
    old: str | None,
    new: str,
    *,
    now: datetime | None = None,
) -> None:
    """Change a password and end all the user's sessions.

    Users change their own password with the current one; an admin may reset
    another user's password without it.
    """
    actor = require_signed_in(actor)
    if actor.id != user_id:
        require_admin(actor)
    elif not passwords.verify_password(_password_hash(conn, user_id), old or ""):
        raise AuthenticationFailed(msg("Your current password is wrong; nothing was changed."))
    _set_password(conn, actor, user_id, new, now=now or db.now())


def reset_password(
    conn: db.Connection, actor: User | None, user_id: int, new: str, *, now: datetime | None = None
) -> None:
    """Set a new password without the old one (admins, or None = CLI); ends all sessions."""
    if actor is not None:
        require_admin(actor)
    _set_password(conn, actor, user_id, new, now=now or db.now())


def _set_password(
    conn: db.Connection, actor: User | None, user_id: int, new: str, *, now: datetime
) -> None:
    target = get_user(conn, user_id)
    passwords.check_password(new, email=target.email, name=target.name)
    new_hash = passwords.hash_password(new)
    with db.transaction(conn) as cur:
        cur.execute("UPDATE users SET password_hash = ? WHERE id = ?", [new_hash, user_id])
        sessions.end_all(cur, user_id, "password_changed", now)
        own = actor is not None and actor.id == user_id
        activity.record(
            cur,
            actor,
            "change_password" if own else "reset_password",
            "user",
            user_id,
            summary=f"Password of {target.email} {'changed' if own else 'reset'}",
        )


def disable_user(
    conn: db.Connection, actor: User | None, user_id: int, *, now: datetime | None = None
) -> None:
    """Disable an account and end all its sessions (admins, or None = CLI)."""
    if actor is not None:
        require_admin(actor)
        if actor.id == user_id:
            raise ValidationError(msg("You cannot disable your own account."), field="user")
    target = get_user(conn, user_id)
    with db.transaction(conn) as cur:
        cur.execute("UPDATE users SET disabled = true WHERE id = ?", [user_id])
        sessions.end_all(cur, user_id, "disabled", now or db.now())
        activity.record(cur, actor, "disable", "user", user_id, summary=f"Disabled {target.email}")


def enable_user(conn: db.Connection, actor: User | None, user_id: int) -> None:
    """Enable a disabled account again (admins, or None = CLI)."""
    if actor is not None:
        require_admin(actor)
    target = get_user(conn, user_id)
    with db.transaction(conn) as cur:
        cur.execute("UPDATE users SET disabled = false WHERE id = ?", [user_id])
        activity.record(cur, actor, "enable", "user", user_id, summary=f"Enabled {target.email}")


def change_language(conn: db.Connection, actor: User, user_id: int, language: str) -> None:
    """Set a user's language, nl or en (the user, or an admin)."""
    actor = require_signed_in(actor)
    if actor.id != user_id:
        require_admin(actor)
    if language not in ("nl", "en"):
        raise ValidationError(
            msg("Language must be nl or en, got {language}.", language=repr(language)),
            field="language",
        )
    with db.transaction(conn) as cur:
        cur.execute("UPDATE users SET language = ? WHERE id = ?", [language, user_id])
        activity.record(cur, actor, "change_language", "user", user_id, summary=language)


def user_by_email(conn: db.Connection, email: str) -> User:
    """The user with this email; NotFoundError otherwise (for the CLI, not for sign-in)."""
    with db.reading(conn) as cur:
        found = find_by_email(cur, email)
    if found is None:
        raise NotFoundError(msg("There is no user with the email {email}.", email=email))
    return found


def users_for_admin(
    conn: db.Connection, actor: User, settings: Settings, *, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Every user with organisation and state (disabled, locked), for the admin page."""
    require_admin(actor)
    return users_with_lock_state(conn, settings, now=now)


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
        activity.record(cur, actor, "unlock", "user", user_id, summary=f"Unlocked {target.email}")


def _password_hash(conn: db.Connection, user_id: int) -> str | None:
    with db.reading(conn) as cur:
        return db.value(cur, "SELECT password_hash FROM users WHERE id = ?", [user_id])


# --- sign-in -------------------------------------------------------------------------------


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
