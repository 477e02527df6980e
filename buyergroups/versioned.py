"""Items with immutable revisions, a status flow and soft delete.

Documents and criteria share this machinery. The item table holds the current
values (for listing and filtering) and ``current_revision``; every save
appends a revision and moves ``current_revision`` with a compare-and-set, so a
save based on an old revision is merged three-way (different parts edited) or
refused with both versions (overlapping edits), never silently overwritten. A
save that loses the compare-and-set to a concurrent one is run again from a
fresh read (:func:`buyergroups.db.retrying`) and merged against the new head.
Comments on these items live in :mod:`buyergroups.comments`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from buyergroups import activity, db
from buyergroups.accounts.users import User
from buyergroups.auth import Action, allowed, require, role_of
from buyergroups.domain import STATUS_TRANSITIONS, Status, Visibility
from buyergroups.errors import NotFoundError, StaleEditError, ValidationError, msg, msg_list
from buyergroups.merge import merge_fields

# Fields merged line by line; every other field is merged as a whole value.
_TEXT_FIELDS = ("body",)


@dataclass(frozen=True)
class ItemKind:
    """Where one kind of versioned item lives. Names are constants, never user input."""

    name: str  # 'document' | 'criterion'
    table: str
    revisions: str
    key: str  # the revisions table's column naming the item
    fields: tuple[str, ...]  # editable fields besides title and body
    validate: Callable[[dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class SaveOutcome:
    """A stored save: the new revision number and whether it was merged with another edit."""

    revision_no: int
    merged: bool
    attempts: int = 1  # how many transactions it took (more than 1: it lost a race and retried)


def content_of(kind: ItemKind, item: dict[str, Any]) -> dict[str, Any]:
    """The editable content of a stored row or revision."""
    return {name: item[name] for name in ("title", "body", *kind.fields)}


def fetch(
    cur: db.Connection, kind: ItemKind, item_id: int, *, deleted: bool = False
) -> dict[str, Any]:
    """The item's current row; NotFoundError when missing (or deleted, unless asked for)."""
    found = db.row(cur, f"SELECT * FROM {kind.table} WHERE id = ?", [item_id])  # nosec B608
    if found is None or (found["deleted_at"] is not None and not deleted):
        raise NotFoundError(
            msg(
                "There is no {kind} {item_id} (it may have been deleted).",
                kind=msg(kind.name),
                item_id=item_id,
            )
        )
    return found


def _published(item: dict[str, Any]) -> bool:
    return item["visibility"] == Visibility.PUBLISHED.value


def require_on(
    cur: db.Connection, actor: User | None, action: Action, item: dict[str, Any]
) -> None:
    """Check ``action`` on a stored item (published items are readable by every signed-in user)."""
    require(cur, actor, action, item["group_id"], published=_published(item))


def read(conn: db.Connection, kind: ItemKind, actor: User, item_id: int) -> dict[str, Any]:
    """The item as the actor may see it (current row)."""
    with db.reading(conn) as cur:
        item = fetch(cur, kind, item_id)
        require_on(cur, actor, Action.READ, item)
        return item


def list_for_group(
    conn: db.Connection,
    kind: ItemKind,
    actor: User,
    group_id: int,
    *,
    where: str = "",
    params: list[Any] | None = None,
) -> list[dict[str, Any]]:
    """The group's items the actor may see: all for members, published ones for others."""
    with db.reading(conn) as cur:
        role = role_of(cur, actor, group_id)
        require(cur, actor, Action.LIST, group_id, published=True)
        sql = f"SELECT * FROM {kind.table} WHERE group_id = ? AND deleted_at IS NULL"  # nosec B608
        if not allowed(role, Action.LIST):
            sql += " AND visibility = 'published'"
        if where:
            sql += f" AND ({where})"
        return db.rows(cur, sql + " ORDER BY id", [group_id, *(params or [])])


def insert(
    cur: db.Connection,
    kind: ItemKind,
    actor: User | None,
    group_id: int,
    content: dict[str, Any],
    *,
    extra: dict[str, Any] | None = None,
    summary: str = activity.summary("created"),
) -> int:
    """Store a new item and its first revision inside the caller's transaction."""
    content = kind.validate(content)
    columns = {**content, **(extra or {})}
    stamp = db.now()
    user_id = actor.id if actor else None
    names = ", ".join(columns)
    marks = ", ".join("?" for _ in columns)
    item_id = db.value(
        cur,
        f"INSERT INTO {kind.table} (group_id, {names}, current_revision, created_at, created_by,"
        f" updated_at, updated_by) VALUES (?, {marks}, 1, ?, ?, ?, ?) RETURNING id",  # nosec B608
        [group_id, *columns.values(), stamp, user_id, stamp, user_id],
    )
    _append_revision(cur, kind, actor, item_id, 1, None, content, summary)
    activity.record(
        cur, actor, "create", kind.name, item_id, group_id=group_id, summary=content["title"]
    )
    return int(item_id)


def _append_revision(
    cur: db.Connection,
    kind: ItemKind,
    actor: User | None,
    item_id: int,
    revision_no: int,
    based_on: int | None,
    content: dict[str, Any],
    summary: str,
) -> None:
    fields = {name: content[name] for name in kind.fields}
    cur.execute(
        f"INSERT INTO {kind.revisions} ({kind.key}, revision_no, based_on, title, body, fields,"
        " summary, author_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",  # nosec B608
        [
            item_id,
            revision_no,
            based_on,
            content["title"],
            content["body"],
            json.dumps(fields),
            summary[:300],
            actor.id if actor else None,
            db.now(),
        ],
    )


def revision(cur: db.Connection, kind: ItemKind, item_id: int, revision_no: int) -> dict[str, Any]:
    """One stored revision with its content unpacked."""
    found = db.row(
        cur,
        f"SELECT r.*, u.name AS author FROM {kind.revisions} r LEFT JOIN users u ON u.id = r.author_id"
        f" WHERE r.{kind.key} = ? AND r.revision_no = ?",  # nosec B608
        [item_id, revision_no],
    )
    if found is None:
        raise NotFoundError(
            msg(
                "{kind} {item_id} has no revision {revision_no}.",
                kind=msg(kind.name.capitalize()),
                item_id=item_id,
                revision_no=revision_no,
            )
        )
    found.update(json.loads(found.pop("fields")))
    return found


def merge_content(
    kind: ItemKind, base: dict[str, Any], mine: dict[str, Any], theirs: dict[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """Merge two edits of ``base`` field by field; returns (merged, names of conflicting fields)."""
    outcome = merge_fields(
        base, mine, theirs, ("title", "body", *kind.fields), text_fields=_TEXT_FIELDS
    )
    return outcome.fields, outcome.conflicts


def save(
    conn: db.Connection,
    kind: ItemKind,
    actor: User,
    item_id: int,
    based_on: int,
    changes: dict[str, Any],
    *,
    summary: str = "",
) -> SaveOutcome:
    """Save an edit made on revision ``based_on``: stored, merged three-way, or refused.

    Raises StaleEditError (with ``mine``, ``theirs`` and ``current_revision``)
    when someone saved in between and the two edits touch the same part, or
    when the save lost to concurrent ones on every attempt. A lost race is not
    a refusal: the save re-reads the head and merges again.
    """
    attempts = 0

    def attempt(cur: db.Connection) -> SaveOutcome:
        nonlocal attempts
        attempts += 1
        return _save_on_head(cur, kind, actor, item_id, based_on, changes, summary, attempts)

    def kept(cur: db.Connection) -> tuple[dict[str, Any], dict[str, Any], int]:
        item = fetch(cur, kind, item_id)
        theirs = content_of(kind, item)
        return {**theirs, **changes}, theirs, item["current_revision"]

    return db.retrying(conn, attempt, kept=kept, row=(kind.table, item_id))


def _save_on_head(
    cur: db.Connection,
    kind: ItemKind,
    actor: User,
    item_id: int,
    based_on: int,
    changes: dict[str, Any],
    summary: str,
    attempt: int,
) -> SaveOutcome:
    """One attempt of :func:`save`: read the head, merge if it moved since ``based_on``, store."""
    item = fetch(cur, kind, item_id)
    require_on(cur, actor, Action.EDIT, item)
    current = item["current_revision"]
    mine = kind.validate({**content_of(kind, item), **changes})
    merged = False
    if based_on != current:
        if not 0 < based_on < current:
            raise ValidationError(
                msg(
                    "Revision {based_on} of this {kind} does not exist.",
                    based_on=based_on,
                    kind=msg(kind.name),
                )
            )
        base = revision(cur, kind, item_id, based_on)
        theirs = content_of(kind, item)
        mine, conflicts = merge_content(kind, base, mine, theirs)
        if conflicts:
            raise StaleEditError(
                msg(
                    "Someone saved this {kind} (revision {current}) after you opened revision"
                    " {based_on}, and changed the same part ({parts}). Your text is kept:"
                    " compare both versions, then save again.",
                    kind=msg(kind.name),
                    current=current,
                    based_on=based_on,
                    parts=msg_list(msg(name) for name in conflicts),
                ),
                mine={**content_of(kind, item), **changes},
                theirs=theirs,
                current_revision=current,
            )
        merged = True
    if mine == content_of(kind, item):
        return SaveOutcome(current, merged, attempt)
    new_no = current + 1
    db.advance_version(
        cur,
        kind.table,
        item_id,
        {**mine, "updated_at": db.now(), "updated_by": actor.id},
        version_column="current_revision",
        read=current,
        next_version=new_no,
    )
    _append_revision(
        cur, kind, actor, item_id, new_no, based_on, mine, summary or activity.summary("edited")
    )
    note = activity.summary(
        "revision {revision} (merged with another edit)" if merged else "revision {revision}",
        revision=new_no,
    )
    activity.record(cur, actor, "edit", kind.name, item_id, group_id=item["group_id"], summary=note)
    return SaveOutcome(new_no, merged, attempt)


def history(conn: db.Connection, kind: ItemKind, actor: User, item_id: int) -> list[dict[str, Any]]:
    """Every revision of the item, newest first, with author names."""
    with db.reading(conn) as cur:
        require_on(cur, actor, Action.READ, fetch(cur, kind, item_id))
        found = db.rows(
            cur,
            f"SELECT r.revision_no, r.based_on, r.title, r.body, r.fields, r.summary, r.created_at,"
            f" u.name AS author FROM {kind.revisions} r LEFT JOIN users u ON u.id = r.author_id"
            f" WHERE r.{kind.key} = ? ORDER BY r.revision_no DESC",  # nosec B608
            [item_id],
        )
    for entry in found:
        entry.update(json.loads(entry.pop("fields")))
    return found


def restore_revision(
    conn: db.Connection, kind: ItemKind, actor: User, item_id: int, revision_no: int, based_on: int
) -> SaveOutcome:
    """Make an old revision's content current again, as a new revision."""
    with db.reading(conn) as cur:
        # Editors first: "has no revision 9" would tell others how far the item has come.
        require_on(cur, actor, Action.EDIT, fetch(cur, kind, item_id))
        old = revision(cur, kind, item_id, revision_no)
    return save(
        conn,
        kind,
        actor,
        item_id,
        based_on,
        content_of(kind, old),
        summary=activity.summary("restored revision {revision}", revision=revision_no),
    )


def change_status(
    conn: db.Connection, kind: ItemKind, actor: User, item_id: int, new_status: str
) -> None:
    """Move the item along draft → in review → agreed → published (or one step back)."""
    target = Status.parse(new_status, "status")

    def attempt(cur: db.Connection) -> None:
        item = fetch(cur, kind, item_id)
        current = Status(item["status"])
        # Readers first: refusing a step that does not exist names the item's status.
        require_on(cur, actor, Action.READ, item)
        if target not in STATUS_TRANSITIONS[current]:
            raise ValidationError(
                msg(
                    "A {kind} that is {status:lower} can move to: {allowed}.",
                    kind=msg(kind.name),
                    status=current,
                    allowed=msg_list(STATUS_TRANSITIONS[current]),
                ),
                field="status",
            )
        publishing = Status.PUBLISHED in (current, target)
        require_on(cur, actor, Action.PUBLISH if publishing else Action.CHANGE_STATUS, item)
        visibility = Visibility.PUBLISHED if target is Status.PUBLISHED else Visibility.GROUP
        _claim(cur, kind, item, status=target.value, visibility=visibility.value)
        activity.record(
            cur,
            actor,
            "status",
            kind.name,
            item_id,
            group_id=item["group_id"],
            summary=activity.summary("{old:lower} → {new:lower}", old=current, new=target),
        )

    db.retrying(conn, attempt, kept=_kept_revision(kind, item_id), row=(kind.table, item_id))


def _claim(cur: db.Connection, kind: ItemKind, item: dict[str, Any], **values: Any) -> None:
    """Write ``values`` to the item as read in this unit (a concurrent save makes it retry)."""
    db.advance_version(
        cur,
        kind.table,
        item["id"],
        values,
        version_column="current_revision",
        read=item["current_revision"],
        next_version=None,
    )


def _kept_revision(kind: ItemKind, item_id: int) -> Callable[[db.Connection], tuple]:
    """What a refused change without a text keeps: only the current revision."""

    def kept(cur: db.Connection) -> tuple[None, None, int]:
        return None, None, fetch(cur, kind, item_id, deleted=True)["current_revision"]

    return kept


def soft_delete(conn: db.Connection, kind: ItemKind, actor: User, item_id: int) -> None:
    """Hide the item (restorable by a facilitator); logged."""
    _mark_deleted(conn, kind, actor, item_id, deleted=True)


def undelete(conn: db.Connection, kind: ItemKind, actor: User, item_id: int) -> None:
    """Bring a soft-deleted item back."""
    _mark_deleted(conn, kind, actor, item_id, deleted=False)


def _mark_deleted(
    conn: db.Connection, kind: ItemKind, actor: User, item_id: int, *, deleted: bool
) -> None:
    def attempt(cur: db.Connection) -> None:
        item = fetch(cur, kind, item_id, deleted=not deleted)
        require_on(cur, actor, Action.DELETE, item)
        _claim(
            cur,
            kind,
            item,
            deleted_at=db.now() if deleted else None,
            deleted_by=actor.id if deleted else None,
        )
        activity.record(
            cur,
            actor,
            "delete" if deleted else "restore",
            kind.name,
            item_id,
            group_id=item["group_id"],
            summary=item["title"],
        )

    db.retrying(conn, attempt, kept=_kept_revision(kind, item_id), row=(kind.table, item_id))


def deleted_items(
    conn: db.Connection, kind: ItemKind, actor: User, group_id: int
) -> list[dict[str, Any]]:
    """The group's soft-deleted items (for those who may restore them)."""
    with db.reading(conn) as cur:
        require(cur, actor, Action.DELETE, group_id)
        return db.rows(
            cur,
            f"SELECT * FROM {kind.table} WHERE group_id = ? AND deleted_at IS NOT NULL"  # nosec B608
            " ORDER BY deleted_at DESC",
            [group_id],
        )
