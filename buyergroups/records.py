"""Records edited in place under a version number (dialogue events, group profiles).

Unlike documents and criteria (:mod:`buyergroups.versioned`) these keep no
revisions: the row holds the current fields and a ``version``. An edit names the
version it was made on and, ideally, the fields as the editor opened them (the
base). When someone saved in between, the two edits are merged field by field
(text fields line by line) and refused only where both changed the same field;
a save that loses a race to a concurrent one is run again from a fresh read
(:func:`buyergroups.db.retrying`). The base of a lost race is the head the first
attempt read, so even a caller that passes no base has its race merged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from buyergroups import activity, db
from buyergroups.accounts.users import User
from buyergroups.errors import Message, StaleEditError
from buyergroups.merge import merge_fields

# parts: the conflicting fields' names, or None when the edit cannot be merged
# (no base given, or a version that does not exist); then current and based_on.
Refusal = Callable[[list[str] | None, int, int], Message]


@dataclass(frozen=True)
class RecordKind:
    """Where one kind of record lives and how its edits are checked. Names are constants."""

    name: str  # the activity log's item kind: 'dialogue' | 'group'
    fields: tuple[str, ...]  # the editable fields, merged one by one
    text_fields: tuple[str, ...]  # of those, the ones merged line by line
    validate: Callable[[dict[str, Any]], dict[str, Any]]
    # The live row with its ``version`` and ``group_id``; NotFoundError when missing.
    load: Callable[[db.Connection, int], dict[str, Any]]
    refusal: Refusal
    table: str
    summary_field: str  # the field the activity log names the record by


def fields_of(kind: RecordKind, record: Mapping[str, Any]) -> dict[str, Any]:
    """The editable fields of a row (or of a caller's copy of it)."""
    return {name: record[name] for name in kind.fields if name in record}


def save(
    conn: db.Connection,
    kind: RecordKind,
    actor: User,
    record_id: int,
    expected_version: int,
    changes: Mapping[str, Any],
    *,
    base_fields: Mapping[str, Any] | None,
    may_edit: Callable[[db.Connection, dict[str, Any]], None],
    may_store: Callable[[db.Connection, dict[str, Any], dict[str, Any]], None] | None = None,
) -> int:
    """Store ``changes`` made on ``expected_version``, merged with later saves; the new version.

    ``may_edit(cur, row)`` raises when the actor may not edit the record (checked
    before anything of it is shown in a refusal); ``may_store(cur, row,
    new_fields)`` when the actor may not store these fields. Refused with StaleEditError (``mine``, ``theirs``,
    ``current_revision`` = the current version) when both edits changed a field
    differently, when the edit is stale and no base is known, or when every
    attempt lost a race.
    """
    opened = fields_of(kind, base_fields) if base_fields is not None else None

    def attempt(cur: db.Connection) -> int:
        nonlocal opened
        current = kind.load(cur, record_id)
        may_edit(cur, current)
        theirs = fields_of(kind, current)
        head = current["version"]
        if head == expected_version:
            opened = opened or theirs  # what the edit was based on, for a retry after a race
            new_fields = kind.validate({**theirs, **changes})
        else:
            new_fields = _merged(kind, opened, theirs, changes, head, expected_version)
        if may_store is not None:
            may_store(cur, current, new_fields)
        db.advance_version(
            cur,
            kind.table,
            record_id,
            {**new_fields, "updated_at": db.now(), "updated_by": actor.id},
            version_column="version",
            read=head,
            next_version=head + 1,
            live_only=True,
        )
        summary = new_fields[kind.summary_field]
        activity.record(
            cur, actor, "edit", kind.name, record_id, group_id=current["group_id"], summary=summary
        )
        return head + 1

    def kept(cur: db.Connection) -> tuple[dict[str, Any], dict[str, Any], int]:
        current = kind.load(cur, record_id)
        theirs = fields_of(kind, current)
        return {**theirs, **(opened or {}), **changes}, theirs, current["version"]

    return db.retrying(conn, attempt, kept=kept, row=(kind.table, record_id))


def _merged(
    kind: RecordKind,
    opened: dict[str, Any] | None,
    theirs: dict[str, Any],
    changes: Mapping[str, Any],
    head: int,
    expected_version: int,
) -> dict[str, Any]:
    """The edit merged with what was saved since ``expected_version``, or StaleEditError."""
    if opened is None or not 0 < expected_version < head:
        raise StaleEditError(
            kind.refusal(None, head, expected_version),
            mine={**theirs, **changes},
            theirs=theirs,
            current_revision=head,
        )
    base = {**theirs, **opened}
    mine = kind.validate({**base, **changes})
    outcome = merge_fields(base, mine, theirs, kind.fields, text_fields=kind.text_fields)
    if outcome.conflicts:
        raise StaleEditError(
            kind.refusal(outcome.conflicts, head, expected_version),
            mine=mine,
            theirs=theirs,
            current_revision=head,
        )
    return kind.validate(outcome.fields)
