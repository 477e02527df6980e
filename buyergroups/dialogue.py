"""Market-dialogue events: RFIs, consultations, supplier days, one-to-ones, pitches."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from buyergroups import activity, db, records
from buyergroups.accounts.users import User
from buyergroups.auth import Action, allowed, require, role_of
from buyergroups.domain import (
    DialogueKind,
    Visibility,
    normalise_language,
    optional_text,
    require_text,
)
from buyergroups.errors import Message, NotFoundError, ValidationError, msg, msg_list

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
    conn: db.Connection,
    actor: User,
    event_id: int,
    expected_version: int,
    *,
    base_fields: Mapping[str, Any] | None = None,
    **fields: Any,
) -> int:
    """Save an edit made on version ``expected_version``: stored, merged, or refused; the new version.

    ``base_fields`` is the event as the editor opened it. When someone saved in
    between, the edits merge field by field (notes and takeaways line by line);
    StaleEditError refuses only a field both changed differently (see
    :mod:`buyergroups.records`).
    """

    def may_edit(cur: db.Connection, current: dict[str, Any]) -> None:
        published = current["visibility"] == "published"
        require(cur, actor, Action.EDIT, current["group_id"], published=published)

    def may_store(cur: db.Connection, current: dict[str, Any], event: dict[str, Any]) -> None:
        if event["visibility"] != current["visibility"]:
            require(cur, actor, Action.PUBLISH, current["group_id"])

    return records.save(
        conn,
        EVENT,
        actor,
        event_id,
        expected_version,
        fields,
        base_fields=base_fields,
        may_edit=may_edit,
        may_store=may_store,
    )


def _live_event(cur: db.Connection, event_id: int) -> dict[str, Any]:
    current = db.row(
        cur, "SELECT * FROM dialogue_events WHERE id = ? AND deleted_at IS NULL", [event_id]
    )
    if current is None:
        raise NotFoundError(msg("There is no dialogue event {event_id}.", event_id=event_id))
    return current


def _refusal(parts: list[str] | None, current: int, based_on: int) -> Message:
    if parts is None:
        return msg(
            "Someone saved this event after you opened it; reload it and apply your change again."
        )
    return msg(
        "Someone saved this event (version {current}) after you opened version {based_on},"
        " and changed the same part ({parts}). Your changes are kept: compare both versions,"
        " then save again.",
        current=current,
        based_on=based_on,
        parts=msg_list(msg(name) for name in parts),
    )


EVENT = records.RecordKind(
    name="dialogue",
    fields=_FIELDS,
    text_fields=("notes", "takeaways"),
    validate=validate,
    load=_live_event,
    refusal=_refusal,
    table="dialogue_events",
    summary_field="title",
)
