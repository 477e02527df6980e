"""Editing a stored CO2 estimate: new revisions, status moves and deletion.

Each is one unit of work run by :func:`buyergroups.db.retrying`: read the
current revision, merge with it when the edit was made on an older one
(:mod:`buyergroups.co2.merging`; the result is computed again from the merged
inputs), then a compare-and-set on ``current_revision`` and an appended
revision. Refused with StaleEditError only where both edits changed the same
field, or after the last lost race; nothing of a refused change is stored.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from buyergroups import activity, db
from buyergroups.accounts.users import User
from buyergroups.auth import Action, require
from buyergroups.co2.estimates import (
    ITEM_KIND,
    Estimate,
    EstimateFields,
    append_revision,
    checked,
    get_estimate,
    live_estimate,
    row_values,
)
from buyergroups.co2.merging import ENTERED, merge_estimate
from buyergroups.co2.methods import Co2Status, check_transition
from buyergroups.errors import StaleEditError, ValidationError, msg, msg_list

_STATUS_NOTE = "status {old:lower} → {new:lower}"


def update_estimate(
    conn: db.Connection,
    actor: User | None,
    estimate_id: int,
    fields: EstimateFields,
    *,
    based_on: int,
) -> Estimate:
    """Save a new revision of the estimate's fields made on ``based_on``: stored, merged or refused."""

    def attempt(cur: db.Connection) -> None:
        current = live_estimate(cur, estimate_id)
        require(cur, actor, Action.EDIT, current.group_id)
        if based_on == current.current_revision:
            stored = {**checked(cur, fields), "status": current.status}
            _store_revision(cur, actor, current, stored, based_on, activity.summary("edited"))
            return
        base = _revision_fields(cur, current, based_on)
        mine = {**_plain(checked(cur, fields)), "status": base["status"]}
        _store_merged(cur, actor, current, base, mine, based_on, "edited")

    db.retrying(conn, attempt, kept=_kept(estimate_id, fields=fields), row=_row(estimate_id))
    return get_estimate(conn, actor, estimate_id)


def change_status(
    conn: db.Connection, actor: User | None, estimate_id: int, status: str, *, based_on: int
) -> Estimate:
    """Move the estimate one step (expected ⇄ contracted ⇄ realised) as a new revision."""

    def attempt(cur: db.Connection) -> None:
        current = live_estimate(cur, estimate_id)
        require(cur, actor, Action.CHANGE_STATUS, current.group_id)
        if based_on == current.current_revision:
            target = check_transition(current.status, status)
            stored = {**_stored_fields(current), "status": target.value}
            note = activity.summary(_STATUS_NOTE, old=Co2Status(current.status), new=target)
            _store_revision(cur, actor, current, stored, based_on, note)
            return
        base = _revision_fields(cur, current, based_on)
        target = check_transition(base["status"], status)
        mine = {**base, "status": target.value}
        old = Co2Status(base["status"])
        _store_merged(cur, actor, current, base, mine, based_on, _STATUS_NOTE, old=old, new=target)

    db.retrying(conn, attempt, kept=_kept(estimate_id, status=status), row=_row(estimate_id))
    return get_estimate(conn, actor, estimate_id)


def _stored_fields(current: Estimate) -> dict[str, Any]:
    kept = asdict(current)
    return {name: kept[name] for name in _REVISION_FIELDS}


_REVISION_FIELDS = (
    "title",
    "method",
    "inputs",
    "low_t",
    "expected_t",
    "high_t",
    "start_year",
    "years",
    "confidence",
    "assumptions",
    "source",
    "tender_id",
    "project",
    "status",
)


def _plain(stored: dict[str, Any]) -> dict[str, Any]:
    """``stored`` as a revision holds it (through JSON), so edits compare equal to revisions."""
    return json.loads(json.dumps(stored, sort_keys=True))


def _revision_fields(cur: db.Connection, current: Estimate, revision_no: int) -> dict[str, Any]:
    """The fields stored in revision ``revision_no`` (an older one: the base of a stale edit)."""
    found = None
    if 0 < revision_no < current.current_revision:
        found = db.value(
            cur,
            "SELECT fields FROM co2_estimate_revisions WHERE estimate_id = ? AND revision_no = ?",
            [current.id, revision_no],
        )
    if found is None:
        raise ValidationError(
            msg("Revision {based_on} of this estimate does not exist.", based_on=revision_no)
        )
    return json.loads(found)


def _store_merged(
    cur: db.Connection,
    actor: User | None,
    current: Estimate,
    base: dict[str, Any],
    mine: dict[str, Any],
    based_on: int,
    note: str,
    **values: Any,
) -> None:
    """Merge ``mine`` (made on ``base``) with the current fields and store the result.

    ``note`` and ``values`` make the revision's summary (an ``activity`` template
    that also exists with " (merged with another edit)" after it).
    """
    theirs = _plain(_stored_fields(current))
    outcome = merge_estimate(base, mine, theirs)
    if outcome.conflicts:
        raise StaleEditError(
            msg(
                "Someone saved this estimate (revision {current}) after you opened revision"
                " {based_on}, and changed the same part ({parts}). Nothing of your change was"
                " stored: compare both versions, then save again.",
                current=current.current_revision,
                based_on=based_on,
                parts=msg_list(msg(name) for name in outcome.conflicts),
            ),
            mine=mine,
            theirs=theirs,
            current_revision=current.current_revision,
        )
    entered = EstimateFields(**{name: outcome.fields[name] for name in ENTERED})
    stored = {**checked(cur, entered), "status": outcome.fields["status"]}
    if stored["status"] != current.status:
        check_transition(current.status, stored["status"])
    if _plain(stored) == theirs:
        return  # both made the same change: it is stored already
    merged_note = activity.summary(f"{note} (merged with another edit)", **values)
    _store_revision(cur, actor, current, stored, based_on, merged_note)


def _kept(estimate_id: int, **change: Any) -> Any:
    """What a refusal after the last lost race keeps: (mine, theirs, current revision)."""

    def kept(cur: db.Connection) -> tuple[dict[str, Any], dict[str, Any], int]:
        current = live_estimate(cur, estimate_id)
        theirs = _stored_fields(current)
        if "fields" in change:
            mine = {**asdict(change["fields"]), "status": current.status}
        else:
            mine = {**theirs, "status": change["status"]}
        return mine, theirs, current.current_revision

    return kept


def _store_revision(
    cur: db.Connection,
    actor: User | None,
    current: Estimate,
    stored: dict[str, Any],
    based_on: int,
    summary: str,
) -> None:
    """Compare-and-set on the current revision read in this unit, then append the revision."""
    revision_no = current.current_revision + 1
    db.advance_version(
        cur,
        "co2_estimates",
        current.id,
        {
            **row_values(stored),
            "updated_at": db.now(),
            "updated_by": actor.id if actor else None,
        },
        version_column="current_revision",
        read=current.current_revision,
        next_version=revision_no,
        live_only=True,
    )
    append_revision(
        cur, actor.id if actor else None, current.id, revision_no, based_on, stored, summary
    )
    activity.record(
        cur, actor, "edit", ITEM_KIND, current.id, group_id=current.group_id, summary=summary
    )


def delete_estimate(
    conn: db.Connection, actor: User | None, estimate_id: int, *, based_on: int
) -> None:
    """Mark the estimate deleted (kept for the record); needs DELETE in its group.

    Refused when someone saved a revision after ``based_on``: the deleting
    person has not seen it.
    """

    def attempt(cur: db.Connection) -> None:
        current = live_estimate(cur, estimate_id)
        require(cur, actor, Action.DELETE, current.group_id)
        if current.current_revision != based_on:
            raise StaleEditError(
                msg("Someone changed this estimate in between; reload before deleting it."),
                current_revision=current.current_revision,
            )
        db.advance_version(
            cur,
            "co2_estimates",
            estimate_id,
            {"deleted_at": db.now(), "deleted_by": actor.id if actor else None},
            version_column="current_revision",
            read=based_on,
            next_version=None,
            live_only=True,
        )
        activity.record(
            cur,
            actor,
            "delete",
            ITEM_KIND,
            estimate_id,
            group_id=current.group_id,
            summary=current.title,
        )

    def kept(cur: db.Connection) -> tuple[None, None, int]:
        return None, None, live_estimate(cur, estimate_id).current_revision

    db.retrying(conn, attempt, kept=kept, row=_row(estimate_id))


def _row(estimate_id: int) -> tuple[str, int]:
    return ("co2_estimates", estimate_id)
