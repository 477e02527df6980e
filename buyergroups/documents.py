"""Group documents: market vision, specifications, dialogue notes, joint statements."""

from __future__ import annotations

from typing import Any

from buyergroups import db, versioned
from buyergroups.auth import Action, require
from buyergroups.domain import (
    LANGUAGES,
    MAX_TEXT,
    DocumentKind,
    Theme,
    normalise_cpvs,
    optional_text,
    require_text,
)
from buyergroups.errors import ValidationError
from buyergroups.users import User


def validate(content: dict[str, Any]) -> dict[str, Any]:
    """A document's editable content checked and normalised."""
    language = (content.get("language") or "").strip().lower()
    if language not in LANGUAGES:
        raise ValidationError(
            f"Language {language!r} is not supported; use one of {', '.join(LANGUAGES)}.",
            field="language",
        )
    return {
        "title": require_text(content.get("title"), "title"),
        "body": optional_text(content.get("body"), "body", max_length=MAX_TEXT),
        "language": language,
        "themes": [Theme.parse(t, "themes").value for t in content.get("themes") or []],
        "cpv_codes": normalise_cpvs(content.get("cpv_codes") or []),
    }


KIND = versioned.ItemKind(
    name="document",
    table="documents",
    revisions="document_revisions",
    key="document_id",
    fields=("language", "themes", "cpv_codes"),
    validate=validate,
)


def insert_document(
    cur: db.Connection,
    actor: User | None,
    group_id: int,
    kind: str,
    content: dict[str, Any],
    **extra: Any,
) -> int:
    """Store a new document inside the caller's transaction (permission checked by the caller)."""
    kind = DocumentKind.parse(kind, "kind").value
    return versioned.insert(cur, KIND, actor, group_id, content, extra={"kind": kind, **extra})


def create_document(
    conn: db.Connection, actor: User, group_id: int, kind: str, **content: Any
) -> int:
    """Start a new draft document in a group."""
    with db.transaction(conn) as cur:
        require(cur, actor, Action.CREATE, group_id)
        return insert_document(cur, actor, group_id, kind, content)


def list_documents(
    conn: db.Connection, actor: User, group_id: int, kind: str | None = None
) -> list[dict[str, Any]]:
    """The group's documents the actor may see, optionally of one kind."""
    if kind:
        return versioned.list_for_group(
            conn, KIND, actor, group_id, where="kind = ?", params=[kind]
        )
    return versioned.list_for_group(conn, KIND, actor, group_id)


def get_document(conn: db.Connection, actor: User, document_id: int) -> dict[str, Any]:
    """The document's current state."""
    return versioned.read(conn, KIND, actor, document_id)


def save_document(
    conn: db.Connection,
    actor: User,
    document_id: int,
    based_on: int,
    summary: str = "",
    **changes: Any,
) -> versioned.SaveOutcome:
    """Save an edit made on revision ``based_on`` (merged or refused when stale)."""
    return versioned.save(conn, KIND, actor, document_id, based_on, changes, summary=summary)
