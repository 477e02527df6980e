"""Users and their access roles in groups (sign-in: :mod:`buyergroups.accounts.signin`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from buyergroups import activity, db, i18n
from buyergroups.domain import LANGUAGES, GroupRole, require_text
from buyergroups.errors import NotFoundError, ValidationError, msg

_EMAIL_SHAPE = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


@dataclass(frozen=True)
class User:
    """The acting person, passed to every package function that reads or writes."""

    id: int
    name: str
    email: str
    organisation_id: int | None = None
    language: str = "en"
    is_admin: bool = False
    disabled: bool = False


def _user(found: dict[str, Any] | None) -> User | None:
    return User(**found) if found else None


def get_user(conn: db.Connection, user_id: int) -> User:
    """The user with this id; NotFoundError when there is none."""
    with db.reading(conn) as cur:
        found = _user(
            db.row(
                cur,
                "SELECT id, name, email, organisation_id, language, is_admin, disabled FROM users WHERE id = ?",
                [user_id],
            )
        )
    if found is None:
        raise NotFoundError(msg("There is no user {user_id}.", user_id=user_id))
    return found


def find_by_email(cur: db.Connection, email: str) -> User | None:
    """The user with this email (case-insensitive), or None."""
    return _user(
        db.row(
            cur,
            "SELECT id, name, email, organisation_id, language, is_admin, disabled FROM users"
            " WHERE lower(email) = lower(?)",
            [(email or "").strip()],
        )
    )


def normalise_email(raw: str) -> str:
    """A trimmed email address, refusing what cannot be one."""
    import re

    email = require_text(raw, "email", max_length=254)
    if not re.match(_EMAIL_SHAPE, email):
        raise ValidationError(
            msg("{value} is not an email address.", value=repr(raw)), field="email"
        )
    return email


def insert_user(
    cur: db.Connection,
    actor: User | None,
    *,
    name: str,
    email: str,
    organisation_id: int | None = None,
    language: str = "en",
    is_admin: bool = False,
    password_hash: str | None = None,
) -> User:
    """Store a new user inside the caller's transaction (permission checked by the caller)."""
    name = require_text(name, "name", max_length=200)
    email = normalise_email(email)
    language = i18n.interface_language(language)
    if find_by_email(cur, email) is not None:
        raise ValidationError(
            msg("A user with the email {email} already exists.", email=email), field="email"
        )
    user_id = db.value(
        cur,
        "INSERT INTO users (name, email, organisation_id, language, password_hash, is_admin,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [name, email, organisation_id, language, password_hash, is_admin, db.now()],
    )
    activity.record(
        cur,
        actor,
        "create",
        "user",
        user_id,
        summary=activity.summary("User {name} <{email}>", name=name, email=email),
    )
    return User(user_id, name, email, organisation_id, language, is_admin, False)


def list_users(conn: db.Connection) -> list[dict[str, Any]]:
    """Every user with organisation name (for admins and member pickers)."""
    with db.reading(conn) as cur:
        return db.rows(
            cur,
            "SELECT u.id, u.name, u.email, o.name AS organisation, u.language, u.is_admin,"
            " u.disabled FROM users u LEFT JOIN organisations o ON o.id = u.organisation_id"
            " ORDER BY lower(u.name)",
        )


def group_role(cur: db.Connection, user_id: int, group_id: int) -> GroupRole | None:
    """The user's access role in a group, or None when not a member."""
    role = db.value(
        cur, "SELECT role FROM group_users WHERE group_id = ? AND user_id = ?", [group_id, user_id]
    )
    return GroupRole(role) if role else None


def roles_of(cur: db.Connection, user_id: int) -> dict[int, GroupRole]:
    """The user's access role in every group they belong to (deleted groups included), one query."""
    return {
        group_id: GroupRole(role)
        for group_id, role in cur.execute(
            "SELECT group_id, role FROM group_users WHERE user_id = ?", [user_id]
        ).fetchall()
    }


def groups_of(cur: db.Connection, user_id: int) -> dict[int, GroupRole]:
    """Every group the user belongs to, with the role there."""
    return {
        group_id: GroupRole(role)
        for group_id, role in cur.execute(
            "SELECT gu.group_id, gu.role FROM group_users gu JOIN buyer_groups g"
            " ON g.id = gu.group_id WHERE gu.user_id = ? AND g.deleted_at IS NULL",
            [user_id],
        ).fetchall()
    }


def language_name(code: str) -> str:
    """A language's own name for a code, or the code."""
    return LANGUAGES.get(code, code)
