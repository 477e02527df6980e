"""The whole activity log, for platform admins: filtered entries and the values to filter by."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from buyergroups import activity, db
from buyergroups.accounts.users import User
from buyergroups.auth import require_admin


def activity_log(
    conn: db.Connection,
    actor: User,
    *,
    user_id: int | None = None,
    group_id: int | None = None,
    action: str | None = None,
    item_kind: str | None = None,
    since: date | datetime | None = None,
    limit: int = 500,
) -> list[dict[str, Any]]:
    """Log entries of every group, newest first, filtered (admins only).

    A ``since`` date means from the start of that day (UTC).
    """
    require_admin(actor)
    if isinstance(since, date) and not isinstance(since, datetime):
        since = datetime.combine(since, time.min)
    with db.reading(conn) as cur:
        return activity.entries(
            cur,
            group_ids=None if group_id is None else [group_id],
            user_id=user_id,
            action=action or None,
            item_kind=item_kind or None,
            since=since,
            limit=limit,
        )


_DISTINCT = {
    "actions": "SELECT DISTINCT action FROM activity ORDER BY action",
    "item_kinds": "SELECT DISTINCT item_kind FROM activity ORDER BY item_kind",
}


def activity_vocabulary(conn: db.Connection, actor: User) -> dict[str, list[str]]:
    """The distinct actions and item kinds present in the log (admins only)."""
    require_admin(actor)
    with db.reading(conn) as cur:
        return {
            name: [found for (found,) in cur.execute(sql).fetchall()]
            for name, sql in _DISTINCT.items()
        }
