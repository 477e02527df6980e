"""Comments on documents and criteria."""

from __future__ import annotations

from typing import Any

from buyergroups import activity, db, versioned
from buyergroups.accounts.users import User
from buyergroups.auth import Action
from buyergroups.domain import require_text
from buyergroups.errors import ValidationError, msg


def _kind(item_kind: str) -> versioned.ItemKind:
    from buyergroups import criteria, documents

    kinds = {"document": documents.KIND, "criterion": criteria.KIND}
    if item_kind not in kinds:
        raise ValidationError(
            msg(
                "Comments are kept on documents and criteria, not on {kind}.",
                kind=repr(item_kind),
            )
        )
    return kinds[item_kind]


def add_comment(conn: db.Connection, actor: User, item_kind: str, item_id: int, body: str) -> int:
    """Add a comment to an item (members and facilitators of its group)."""
    kind = _kind(item_kind)
    text = require_text(body, "comment", max_length=10_000)
    with db.transaction(conn) as cur:
        item = versioned.fetch(cur, kind, item_id)
        versioned.require_on(cur, actor, Action.COMMENT, item)
        comment_id = db.value(
            cur,
            "INSERT INTO comments (item_kind, item_id, author_id, body, created_at)"
            " VALUES (?, ?, ?, ?, ?) RETURNING id",
            [item_kind, item_id, actor.id, text, db.now()],
        )
        activity.record(
            cur, actor, "comment", item_kind, item_id, group_id=item["group_id"], summary=text[:120]
        )
        return int(comment_id)


def list_comments(
    conn: db.Connection, actor: User, item_kind: str, item_id: int
) -> list[dict[str, Any]]:
    """The item's comments, oldest first, with author names."""
    kind = _kind(item_kind)
    with db.reading(conn) as cur:
        versioned.require_on(cur, actor, Action.READ, versioned.fetch(cur, kind, item_id))
        return db.rows(
            cur,
            "SELECT c.id, c.body, c.created_at, u.name AS author FROM comments c"
            " LEFT JOIN users u ON u.id = c.author_id"
            " WHERE c.item_kind = ? AND c.item_id = ? AND c.deleted_at IS NULL ORDER BY c.id",
            [item_kind, item_id],
        )
