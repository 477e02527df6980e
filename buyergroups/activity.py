"""The append-only activity log: who changed what, when."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from buyergroups import db

if TYPE_CHECKING:
    from buyergroups.accounts.users import User


def record(
    cur: db.Connection,
    actor: User | None,
    action: str,
    item_kind: str,
    item_id: int | None,
    *,
    group_id: int | None = None,
    summary: str = "",
) -> None:
    """Append one entry inside the caller's transaction."""
    cur.execute(
        "INSERT INTO activity (occurred_at, user_id, group_id, action, item_kind, item_id, summary)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            db.now(),
            actor.id if actor else None,
            group_id,
            action,
            item_kind,
            item_id,
            summary[:500],
        ],
    )


def entries(
    cur: db.Connection,
    *,
    group_ids: list[int] | None = None,
    user_id: int | None = None,
    action: str | None = None,
    item_kind: str | None = None,
    since: datetime | None = None,
    limit: int = 500,
) -> list[dict[str, Any]]:
    """Log entries, newest first, with the user's name; filters are optional.

    ``group_ids`` limits to those groups (None means no limit: the caller has
    checked that the reader may see everything).
    """
    where = ["1 = 1"]
    params: list[Any] = []
    if group_ids is not None:
        if not group_ids:
            return []
        where.append("a.group_id IN (SELECT unnest(?::INTEGER[]))")
        params.append(group_ids)
    if user_id is not None:
        where.append("a.user_id = ?")
        params.append(user_id)
    if action:
        where.append("a.action = ?")
        params.append(action)
    if item_kind:
        where.append("a.item_kind = ?")
        params.append(item_kind)
    if since is not None:
        where.append("a.occurred_at >= ?")
        params.append(since)
    params.append(limit)
    return db.rows(
        cur,
        "SELECT a.id, a.occurred_at, a.user_id, u.name AS user_name, a.group_id,"  # nosec B608 - fixed fragments, values bound
        " g.name AS group_name, a.action, a.item_kind, a.item_id, a.summary"
        " FROM activity a LEFT JOIN users u ON u.id = a.user_id"
        " LEFT JOIN buyer_groups g ON g.id = a.group_id"
        f" WHERE {' AND '.join(where)} ORDER BY a.id DESC LIMIT ?",
        params,
    )
