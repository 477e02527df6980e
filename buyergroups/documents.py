"""Group documents: market vision, specifications, dialogue notes, joint statements."""

from __future__ import annotations

from typing import Any

from buyergroups import activity, db, versioned
from buyergroups.accounts.users import User
from buyergroups.auth import Action, require
from buyergroups.domain import (
    MAX_TEXT,
    DocumentKind,
    Theme,
    normalise_cpvs,
    normalise_language,
    optional_text,
    require_text,
)
from buyergroups.errors import ValidationError, msg


def validate(content: dict[str, Any]) -> dict[str, Any]:
    """A document's editable content checked and normalised."""
    language = normalise_language(content.get("language"))
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


def reuse_passage(
    conn: db.Connection, actor: User, document_id: int, passage_no: int, target_group_id: int
) -> int:
    """Copy one passage of a readable document into the actor's group as a draft, with credit.

    ``passage_no`` counts from 1 in the order the search index splits the body
    (headings and paragraphs); the new document keeps ``derived_from``.
    """
    from buyergroups.search.indexer import split_passages

    with db.transaction(conn) as cur:
        source = versioned.fetch(cur, KIND, document_id)
        versioned.require_on(cur, actor, Action.READ, source)
        require(cur, actor, Action.CREATE, target_group_id)
        if source["group_id"] == target_group_id:
            raise ValidationError(msg("This document already belongs to that group."))
        pieces = split_passages(source["body"])
        if not 1 <= passage_no <= len(pieces):
            raise ValidationError(
                msg(
                    "The document has no passage {passage_no}; search again.", passage_no=passage_no
                )
            )
        heading, text = pieces[passage_no - 1]
        origin = db.value(cur, "SELECT name FROM buyer_groups WHERE id = ?", [source["group_id"]])
        title = f"{source['title']} — {heading}" if heading else source["title"]
        content = {
            "title": title[:300],
            "body": f"{text}\n\n_Reused from “{source['title']}” of {origin}._",
            "language": source["language"],
            "themes": source["themes"],
            "cpv_codes": source["cpv_codes"],
        }
        new_id = versioned.insert(
            cur,
            KIND,
            actor,
            target_group_id,
            content,
            extra={"kind": source["kind"], "derived_from": document_id},
            summary=activity.summary(
                "reused passage {passage} of document {document}",
                passage=passage_no,
                document=document_id,
            ),
        )
        activity.record(
            cur,
            actor,
            "reuse",
            "document",
            document_id,
            group_id=source["group_id"],
            summary=activity.summary(
                "passage {passage} reused as document {document} in group {group}",
                passage=passage_no,
                document=new_id,
                group=target_group_id,
            ),
        )
        return new_id
