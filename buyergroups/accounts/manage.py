"""Account management: creating users, passwords, disabling, language, the admin's user list.

``actor=None`` on these functions means the operator at the command line (who
holds the database anyway); pages always pass the signed-in user. Every change
is recorded in the activity log with the acting user, and a password change or
a disabled account ends the user's sessions (:mod:`buyergroups.accounts.sessions`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from buyergroups import activity, db, i18n
from buyergroups.accounts import passwords, sessions
from buyergroups.accounts.signin import users_with_lock_state
from buyergroups.accounts.users import User, find_by_email, get_user, insert_user
from buyergroups.auth import require_admin, require_signed_in
from buyergroups.config import Settings
from buyergroups.errors import AuthenticationFailed, NotFoundError, ValidationError, msg


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
            summary=activity.summary(
                "Password of {email} changed" if own else "Password of {email} reset",
                email=target.email,
            ),
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
        activity.record(
            cur,
            actor,
            "disable",
            "user",
            user_id,
            summary=activity.summary("Disabled {email}", email=target.email),
        )


def enable_user(conn: db.Connection, actor: User | None, user_id: int) -> None:
    """Enable a disabled account again (admins, or None = CLI)."""
    if actor is not None:
        require_admin(actor)
    target = get_user(conn, user_id)
    with db.transaction(conn) as cur:
        cur.execute("UPDATE users SET disabled = false WHERE id = ?", [user_id])
        activity.record(
            cur,
            actor,
            "enable",
            "user",
            user_id,
            summary=activity.summary("Enabled {email}", email=target.email),
        )


def change_language(conn: db.Connection, actor: User, user_id: int, language: str) -> None:
    """Set a user's interface language (the user, or an admin)."""
    actor = require_signed_in(actor)
    if actor.id != user_id:
        require_admin(actor)
    language = i18n.interface_language(language)
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


def _password_hash(conn: db.Connection, user_id: int) -> str | None:
    with db.reading(conn) as cur:
        return db.value(cur, "SELECT password_hash FROM users WHERE id = ?", [user_id])
