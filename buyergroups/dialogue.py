"""Market-dialogue events: RFIs, consultations, supplier days, one-to-ones, pitches."""

from __future__ import annotations

import datetime as dt
from typing import Any

from buyergroups import activity, db
from buyergroups.accounts.users import User
from buyergroups.auth import Action, allowed, require, role_of
from buyergroups.domain import (
    DialogueKind,
    Visibility,
    normalise_language,
    optional_text,
    require_text,
)
from buyergroups.errors import NotFoundError, StaleEditError, ValidationError, msg

_FIELDS = (
    "kind",
    "title",
    "held_on",
    "participants",
    "notes",
    "takeaways",
    "language",
    "visibility",
)


def validate(fields: dict[str, Any]) -> dict[str, Any]:
    """A dialogue event's fields checked and normalised."""
    held_on = fields.get("held_on")
    if isinstance(held_on, str):
        try:
            held_on = dt.date.fromisoformat(held_on)
        except ValueError as exc:
            raise ValidationError(
                msg("Date {date} is not a date (YYYY-MM-DD).", date=repr(held_on)), field="held_on"
            ) from exc
    if not isinstance(held_on, dt.date) or not 2000 <= held_on.year <= 2100:
        raise ValidationError(
            msg("Give the date the event was (or will be) held."), field="held_on"
        )
    language = normalise_language(fields.get("language") or "en")
    participants = [p.strip() for p in fields.get("participants") or [] if p and p.strip()]
    return {
        "kind": DialogueKind.parse(fields.get("kind", ""), "kind").value,
        "title": require_text(fields.get("title"), "title"),
        "held_on": held_on,
        "participants": [require_text(p, "participants", max_length=200) for p in participants],
        "notes": optional_text(fields.get("notes"), "notes"),
        "takeaways": optional_text(fields.get("takeaways"), "takeaways", max_length=20_000),
        "language": language,
        "visibility": Visibility.parse(fields.get("visibility") or "group", "visibility").value,
    }


def insert_event(
    cur: db.Connection, actor: User | None, group_id: int, fields: dict[str, Any]
) -> int:
    """Store a dialogue event inside the caller's transaction."""
    event = validate(fields)
    stamp = db.now()
    user_id = actor.id if actor else None
    event_id = db.value(
        cur,
        "INSERT INTO dialogue_events (group_id, kind, title, held_on, participants, notes, takeaways,"
        " language, visibility, created_at, created_by, updated_at, updated_by)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [group_id, *event.values(), stamp, user_id, stamp, user_id],
    )
    activity.record(
        cur, actor, "create", "dialogue", event_id, group_id=group_id, summary=event["title"]
    )
    return int(event_id)


def create_event(conn: db.Connection, actor: User, group_id: int, **fields: Any) -> int:
    """Record a market-dialogue event for a group; recording it published needs PUBLISH."""
    with db.transaction(conn) as cur:
        require(cur, actor, Action.CREATE, group_id)
        visibility = Visibility.parse(fields.get("visibility") or "group", "visibility")
        if visibility is Visibility.PUBLISHED:
            require(cur, actor, Action.PUBLISH, group_id)
        return insert_event(cur, actor, group_id, fields)


def list_events(conn: db.Connection, actor: User, group_id: int) -> list[dict[str, Any]]:
    """The group's events the actor may see, newest first (notes can name suppliers)."""
    with db.reading(conn) as cur:
        role = role_of(cur, actor, group_id)
        require(cur, actor, Action.LIST, group_id, published=True)
        sql = "SELECT * FROM dialogue_events WHERE group_id = ? AND deleted_at IS NULL"
        if not allowed(role, Action.LIST):
            sql += " AND visibility = 'published'"
        return db.rows(cur, sql + " ORDER BY held_on DESC, id DESC", [group_id])


def update_event(
    conn: db.Connection, actor: User, event_id: int, expected_version: int, **fields: Any
) -> int:
    """Save an edit of an event if nobody saved since ``expected_version``; returns the new version."""
    with db.transaction(conn) as cur:
        current = db.row(
            cur, "SELECT * FROM dialogue_events WHERE id = ? AND deleted_at IS NULL", [event_id]
        )
        if current is None:
            raise NotFoundError(msg("There is no dialogue event {event_id}.", event_id=event_id))
        require(
            cur,
            actor,
            Action.EDIT,
            current["group_id"],
            published=current["visibility"] == "published",
        )
        event = validate({**{k: current[k] for k in _FIELDS}, **fields})
        if event["visibility"] != current["visibility"]:
            require(cur, actor, Action.PUBLISH, current["group_id"])
        won = db.compare_and_set(
            cur,
            "dialogue_events",
            event_id,
            {**event, "updated_at": db.now(), "updated_by": actor.id},
            version_column="version",
            expected=expected_version,
            next_version=expected_version + 1,
        )
        if not won:
            raise StaleEditError(
                msg(
                    "Someone saved this event after you opened it; reload it and apply your "
                    "change again."
                ),
                mine=event,
                theirs={k: current[k] for k in _FIELDS},
                current_revision=current["version"],
            )
        activity.record(
            cur,
            actor,
            "edit",
            "dialogue",
            event_id,
            group_id=current["group_id"],
            summary=event["title"],
        )
        return expected_version + 1
