"""Plain-INSERT builders for search tests (no dependency on the aggregate modules)."""

from __future__ import annotations

from datetime import date, datetime

from buyergroups import db
from buyergroups.accounts.users import User

WHEN = datetime(2024, 5, 1, 12, 0)


def add_group(
    conn: db.Connection,
    name: str,
    *,
    countries: tuple[str, ...] = ("NL",),
    themes: tuple[str, ...] = ("climate",),
    cpv_codes: tuple[str, ...] = (),
) -> int:
    """A buyer group; returns its id."""
    with db.transaction(conn) as cur:
        return db.value(
            cur,
            "INSERT INTO buyer_groups (name, sector, programme, countries, themes, phase,"
            " cpv_codes, created_at, updated_at) VALUES (?, 'other', 'other', ?, ?, 'forming',"
            " ?, ?, ?) RETURNING id",
            [name, list(countries), list(themes), list(cpv_codes), WHEN, WHEN],
        )


def add_user(conn: db.Connection, name: str, *, is_admin: bool = False) -> User:
    """A user; returns the User."""
    email = f"{name.lower()}@example.test"
    with db.transaction(conn) as cur:
        user_id = db.value(
            cur,
            "INSERT INTO users (name, email, is_admin, created_at) VALUES (?, ?, ?, ?)"
            " RETURNING id",
            [name, email, is_admin, WHEN],
        )
    return User(user_id, name, email, is_admin=is_admin)


def add_member(conn: db.Connection, group_id: int, user: User, role: str = "member") -> None:
    """Give ``user`` a role in ``group_id``."""
    with db.transaction(conn) as cur:
        cur.execute(
            "INSERT INTO group_users (group_id, user_id, role, added_at) VALUES (?, ?, ?, ?)",
            [group_id, user.id, role, WHEN],
        )


def add_criterion(
    conn: db.Connection,
    group_id: int,
    title: str,
    body: str = "",
    *,
    theme: str = "climate",
    ambition_level: str = "basis",
    criterion_type: str = "technical_specification",
    language: str = "en",
    cpv_codes: tuple[str, ...] = (),
    visibility: str = "published",
    updated: datetime = WHEN,
) -> int:
    """A criterion; returns its id."""
    with db.transaction(conn) as cur:
        return db.value(
            cur,
            "INSERT INTO criteria (group_id, criterion_type, theme, ambition_level, title, body,"
            " language, cpv_codes, visibility, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [
                group_id,
                criterion_type,
                theme,
                ambition_level,
                title,
                body,
                language,
                list(cpv_codes),
                visibility,
                updated,
                updated,
            ],
        )


def add_document(
    conn: db.Connection,
    group_id: int,
    title: str,
    body: str,
    *,
    language: str = "en",
    visibility: str = "published",
) -> int:
    """A document with one revision holding ``body``; returns its id."""
    with db.transaction(conn) as cur:
        document_id = db.value(
            cur,
            "INSERT INTO documents (group_id, kind, title, body, language, visibility,"
            " current_revision, created_at, updated_at)"
            " VALUES (?, 'specification', ?, ?, ?, ?, 1, ?, ?) RETURNING id",
            [group_id, title, body, language, visibility, WHEN, WHEN],
        )
        cur.execute(
            "INSERT INTO document_revisions (document_id, revision_no, title, body, fields,"
            " created_at) VALUES (?, 1, ?, ?, '{}', ?)",
            [document_id, title, body, WHEN],
        )
    return document_id


def add_dialogue(
    conn: db.Connection, group_id: int, title: str, takeaways: str, *, held_on: date
) -> int:
    """A published dialogue event; returns its id."""
    with db.transaction(conn) as cur:
        return db.value(
            cur,
            "INSERT INTO dialogue_events (group_id, kind, title, held_on, takeaways, visibility,"
            " created_at, updated_at) VALUES (?, 'supplier_day', ?, ?, ?, 'published', ?, ?)"
            " RETURNING id",
            [group_id, title, held_on, takeaways, WHEN, WHEN],
        )


def edit_criterion(conn: db.Connection, criterion_id: int, **changes: object) -> None:
    """Change stored criterion fields directly."""
    with db.transaction(conn) as cur:
        for name, value in changes.items():
            assert name in {"title", "body", "visibility", "deleted_at", "theme"}
            cur.execute(f"UPDATE criteria SET {name} = ? WHERE id = ?", [value, criterion_id])
