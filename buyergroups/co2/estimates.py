"""CO2 reduction estimates of a group: storage, revisions and status.

An estimate belongs to a group and optionally to a tender (``tender_id``) or a
member project. Its result (low / expected / high t CO2e) is always computed
here from its inputs by :mod:`buyergroups.co2.methods`, never typed in.

Every save is a new immutable revision in ``co2_estimate_revisions`` and is a
compare-and-set on ``current_revision``. A save based on an older revision is
merged with what was saved since, field by field (:mod:`buyergroups.co2.merging`),
and the result computed again from the merged inputs; it raises
:class:`~buyergroups.errors.StaleEditError` and stores nothing only when both
changed the same field. A save that loses a race is run again from a fresh
read (:func:`buyergroups.db.retrying`). Saving edits, status moves and deletion
live in :mod:`buyergroups.co2.saving`.
Reading estimates needs :attr:`Action.READ` on the group (members, observers,
admins); others see only the programme roll-up numbers
(:mod:`buyergroups.co2.rollup`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from buyergroups import activity, db
from buyergroups.accounts.users import User
from buyergroups.auth import Action, require
from buyergroups.co2.methods import Co2Status, Confidence, Method, check_period, compute
from buyergroups.domain import optional_text, require_text
from buyergroups.errors import NotFoundError, ValidationError, msg

ITEM_KIND = "co2_estimate"
# The revision notes of a status change (plain or merged with another edit) and of a
# merged edit, read back in the reader's language when shown.
_STATUSES = {"old": activity.enum_reader(Co2Status), "new": activity.enum_reader(Co2Status)}
activity.register(
    activity.Summary("status {old:lower} → {new:lower} (merged with another edit)", _STATUSES),
    activity.Summary("status {old:lower} → {new:lower}", _STATUSES),
    activity.Summary("edited (merged with another edit)"),
)


@dataclass(frozen=True)
class EstimateFields:
    """What a person enters for an estimate; the result is computed from it."""

    title: str
    method: str
    inputs: dict[str, Any]
    start_year: int
    years: int
    confidence: str = Confidence.MEDIUM.value
    assumptions: str = ""
    source: str = ""
    tender_id: int | None = None
    project: str = ""


@dataclass(frozen=True)
class Estimate:
    """A stored estimate with its computed result in tonnes CO2e."""

    id: int
    group_id: int
    tender_id: int | None
    project: str
    title: str
    method: str
    inputs: dict[str, Any]
    low_t: float
    expected_t: float
    high_t: float
    start_year: int
    years: int
    status: str
    confidence: str
    assumptions: str
    source: str
    current_revision: int
    created_by: int | None
    created_at: datetime
    updated_by: int | None
    updated_at: datetime
    formula: str = field(default="", compare=False)

    @property
    def screening(self) -> bool:
        """Spend-based estimates are a first screening only."""
        return self.method == Method.SPEND.value


# A fixed column list interpolated into SELECTs (never user text).
_COLUMNS = (
    "id, group_id, tender_id, project, title, method, inputs, low_t, expected_t, high_t,"
    " start_year, years, status, confidence, assumptions, source, current_revision,"
    " created_by, created_at, updated_by, updated_at"
)


def _estimate(found: dict[str, Any]) -> Estimate:
    inputs = json.loads(found["inputs"])
    try:
        formula = compute(found["method"], inputs, years=found["years"])[1].formula
    except ValidationError:
        # Stored under older rules: the stored result stands, only the worked text is missing.
        formula = ""
    return Estimate(
        **{**found, "inputs": inputs, "project": found["project"] or ""}, formula=formula
    )


def checked(cur: db.Connection, fields: EstimateFields) -> dict[str, Any]:
    """The columns to store for ``fields``, validated and with the result computed."""
    start_year, years = check_period(fields.start_year, fields.years)
    inputs, result = compute(fields.method, fields.inputs, years=years)
    return {
        "title": require_text(fields.title, "title"),
        "method": Method.parse(fields.method, "method").value,
        "inputs": inputs,
        "low_t": result.low_t,
        "expected_t": result.expected_t,
        "high_t": result.high_t,
        "start_year": start_year,
        "years": years,
        "confidence": Confidence.parse(fields.confidence, "confidence").value,
        "assumptions": optional_text(fields.assumptions, "assumptions", max_length=5000),
        "source": optional_text(fields.source, "source", max_length=2000),
        "tender_id": _tender_id(cur, fields.tender_id),
        "project": optional_text(fields.project, "project", max_length=300),
    }


def _tender_id(cur: db.Connection, raw: int | None) -> int | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, bool) or not isinstance(raw, int) or raw <= 0:
        raise ValidationError(
            msg("Tender {tender} is not a tender id.", tender=repr(raw)), field="tender_id"
        )
    # No foreign key (the tenders migration is separate); check when the table exists.
    has_tenders = db.value(
        cur, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'tenders'"
    )
    if has_tenders and not db.value(cur, "SELECT count(*) FROM tenders WHERE id = ?", [raw]):
        raise ValidationError(
            msg("There is no tender {tender_id}.", tender_id=raw), field="tender_id"
        )
    return raw


def append_revision(
    cur: db.Connection,
    author_id: int | None,
    estimate_id: int,
    revision_no: int,
    based_on: int | None,
    stored: dict[str, Any],
    summary: str,
) -> None:
    """Append revision ``revision_no`` holding ``stored`` (inside the caller's transaction)."""
    cur.execute(
        "INSERT INTO co2_estimate_revisions (estimate_id, revision_no, based_on, fields,"
        " summary, author_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            estimate_id,
            revision_no,
            based_on,
            json.dumps(stored, sort_keys=True),
            summary,
            author_id,
            db.now(),
        ],
    )


def create_estimate(
    conn: db.Connection,
    actor: User | None,
    group_id: int,
    fields: EstimateFields,
    *,
    status: str = Co2Status.EXPECTED.value,
) -> Estimate:
    """Store a new estimate (revision 1) in ``group_id``; needs CREATE there."""
    with db.transaction(conn) as cur:
        require(cur, actor, Action.CREATE, group_id)
        estimate_id = insert_estimate(cur, actor, group_id, fields, status=status)
    return get_estimate(conn, actor, estimate_id)


def insert_estimate(
    cur: db.Connection,
    actor: User | None,
    group_id: int,
    fields: EstimateFields,
    *,
    status: str = Co2Status.EXPECTED.value,
    author_id: int | None = None,
) -> int:
    """Insert an estimate in the caller's transaction (permission checked by the caller).

    ``author_id`` names the author when no acting user is at hand (the demo
    loader); otherwise the actor is the author.
    """
    stored = checked(cur, fields)
    stored["status"] = Co2Status.parse(status, "status").value
    author = author_id if author_id is not None else (actor.id if actor else None)
    moment = db.now()
    estimate_id = db.value(
        cur,
        "INSERT INTO co2_estimates (group_id, tender_id, project, title, method, inputs, low_t,"
        " expected_t, high_t, start_year, years, status, confidence, assumptions, source,"
        " current_revision, created_at, created_by, updated_at, updated_by)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?) RETURNING id",
        [group_id, *row_values(stored).values(), moment, author, moment, author],
    )
    append_revision(cur, author, estimate_id, 1, None, stored, activity.summary("created"))
    activity.record(
        cur, actor, "create", ITEM_KIND, estimate_id, group_id=group_id, summary=stored["title"]
    )
    return int(estimate_id)


def row_values(stored: dict[str, Any]) -> dict[str, Any]:
    """The table columns an estimate's stored fields fill, in the table's order."""
    return {
        "tender_id": stored["tender_id"],
        "project": stored["project"] or None,
        "title": stored["title"],
        "method": stored["method"],
        "inputs": json.dumps(stored["inputs"], sort_keys=True),
        "low_t": stored["low_t"],
        "expected_t": stored["expected_t"],
        "high_t": stored["high_t"],
        "start_year": stored["start_year"],
        "years": stored["years"],
        "status": stored["status"],
        "confidence": stored["confidence"],
        "assumptions": stored["assumptions"],
        "source": stored["source"],
    }


def live_estimate(cur: db.Connection, estimate_id: int) -> Estimate:
    """The estimate as stored now (no permission check); NotFoundError when missing or deleted."""
    found = db.row(
        cur,
        f"SELECT {_COLUMNS} FROM co2_estimates WHERE id = ? AND deleted_at IS NULL",  # nosec B608
        [estimate_id],
    )
    if found is None:
        raise NotFoundError(
            msg(
                "There is no CO2 estimate {estimate_id} (or it was deleted).",
                estimate_id=estimate_id,
            )
        )
    return _estimate(found)


def get_estimate(conn: db.Connection, actor: User | None, estimate_id: int) -> Estimate:
    """One estimate, for readers of its group."""
    with db.reading(conn) as cur:
        found = live_estimate(cur, estimate_id)
        require(cur, actor, Action.READ, found.group_id)
    return found


def list_estimates(conn: db.Connection, actor: User | None, group_id: int) -> list[Estimate]:
    """The group's estimates, newest period first; for readers of the group."""
    with db.reading(conn) as cur:
        require(cur, actor, Action.READ, group_id)
        found = db.rows(
            cur,
            f"SELECT {_COLUMNS} FROM co2_estimates WHERE group_id = ?"  # nosec B608
            " AND deleted_at IS NULL ORDER BY start_year DESC, id DESC",
            [group_id],
        )
    return [_estimate(each) for each in found]


def estimate_revisions(
    conn: db.Connection, actor: User | None, estimate_id: int
) -> list[dict[str, Any]]:
    """Every revision of an estimate, newest first, with author name and stored fields."""
    with db.reading(conn) as cur:
        found = live_estimate(cur, estimate_id)
        require(cur, actor, Action.READ, found.group_id)
        revisions = db.rows(
            cur,
            "SELECT r.revision_no, r.based_on, r.summary, r.author_id, u.name AS author,"
            " r.created_at, r.fields FROM co2_estimate_revisions r"
            " LEFT JOIN users u ON u.id = r.author_id"
            " WHERE r.estimate_id = ? ORDER BY r.revision_no DESC",
            [estimate_id],
        )
    return [{**each, "fields": json.loads(each["fields"])} for each in revisions]
