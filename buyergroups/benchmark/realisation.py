"""Step 3 of the benchmark: contract and realisation answers per awarded tender.

Per awarded tender the buyer side answers: was the sustainability requirement contracted
(yes / no / unknown), is it realised (yes / partly / no / unknown, with a note), the
expected qualitative effect on CO2 and on raw materials (none / small / large) and how
well that is known (estimate / measured); and whether others may find the tender as a
good example. Saves are revisions like corrections (:mod:`.corrections`), refused when
stale.

The answer names the tender's CO2 estimate it belongs with (``co2_estimate_id``) but keeps
no CO2 status of its own: expected → contracted → realised is the estimate's status
(:mod:`buyergroups.co2`), shown beside the answer, and :func:`suggested_co2_status` says
which step the answers suggest, for the page to offer through ``co2.saving.change_status``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from buyergroups import activity, auth, db
from buyergroups.accounts.users import User
from buyergroups.benchmark.corrections import tender_row
from buyergroups.co2.methods import CO2_STATUS_TRANSITIONS, Co2Status
from buyergroups.domain import Contracted, Effect, EffectKnowledge, Realised, optional_text
from buyergroups.errors import StaleEditError, ValidationError, msg

ITEM_KIND = "tender_realisation"
MAX_NOTE = 2_000
FIELDS = (
    "contracted",
    "realised",
    "note",
    "co2_effect",
    "materials_effect",
    "knowledge",
    "co2_estimate_id",
    "good_example",
)
AWARDED_SQL = "(t.awarded_on IS NOT NULL OR t.lots_awarded > 0 OR t.awarded_value IS NOT NULL)"


@dataclass(frozen=True)
class RealisationInput:
    """The answers of step 3, as entered (codes of the domain enums)."""

    contracted: str
    realised: str
    co2_effect: str
    materials_effect: str
    knowledge: str
    note: str = ""
    co2_estimate_id: int | None = None
    good_example: bool = False


def is_awarded(tender: dict[str, Any]) -> bool:
    """Whether the tender has an award (award date, awarded lots or an awarded value)."""
    return (
        tender.get("awarded_on") is not None
        or (tender.get("lots_awarded") or 0) > 0
        or tender.get("awarded_value") is not None
    )


def _readable_estimates(cur: db.Connection, actor: User, tender_id: int) -> list[dict[str, Any]]:
    """The tender's live CO2 estimates whose group the actor may read (estimates are private)."""
    found = db.rows(
        cur,
        "SELECT id, group_id, title, status, expected_t, current_revision FROM co2_estimates"
        " WHERE tender_id = ? AND deleted_at IS NULL ORDER BY id",
        [tender_id],
    )
    return [
        e for e in found if auth.allowed(auth.role_of(cur, actor, e["group_id"]), auth.Action.READ)
    ]


def checked_input(
    cur: db.Connection, actor: User, tender_id: int, change: RealisationInput
) -> dict[str, Any]:
    """The answers as stored, or a ValidationError naming the field to fix."""
    stored = {
        "contracted": Contracted.parse(change.contracted, "contracted").value,
        "realised": Realised.parse(change.realised, "realised").value,
        "note": optional_text(change.note, "note", max_length=MAX_NOTE),
        "co2_effect": Effect.parse(change.co2_effect, "co2_effect").value,
        "materials_effect": Effect.parse(change.materials_effect, "materials_effect").value,
        "knowledge": EffectKnowledge.parse(change.knowledge, "knowledge").value,
        "co2_estimate_id": change.co2_estimate_id,
        "good_example": bool(change.good_example),
    }
    if stored["realised"] in (Realised.YES, Realised.PARTLY) and stored["contracted"] == "no":
        raise ValidationError(
            msg(
                "A requirement that was not contracted cannot be realised: answer "
                "contracted yes or unknown, or realised no or unknown."
            ),
            field="realised",
        )
    if stored["good_example"] and stored["realised"] != Realised.YES:
        raise ValidationError(
            msg("Only a realised tender can be shown as a good example."), field="good_example"
        )
    if change.co2_estimate_id is not None:
        ids = {e["id"] for e in _readable_estimates(cur, actor, tender_id)}
        if int(change.co2_estimate_id) not in ids:
            raise ValidationError(
                msg(
                    "CO2 estimate {estimate_id} is not an estimate of this tender that you "
                    "may read.",
                    estimate_id=change.co2_estimate_id,
                ),
                field="co2_estimate_id",
            )
        stored["co2_estimate_id"] = int(change.co2_estimate_id)
    return stored


def _head(cur: db.Connection, tender_id: int) -> dict[str, Any] | None:
    return db.row(cur, "SELECT * FROM tender_realisations WHERE id = ?", [tender_id])


def save_realisation(
    conn: db.Connection,
    actor: User | None,
    tender_id: int,
    change: RealisationInput,
    *,
    based_on: int,
) -> int:
    """Store the answers made on revision ``based_on`` (0: the first); the new revision number.

    Only for an awarded tender and the buyer side; refused (StaleEditError) when someone
    answered in between.
    """
    mine: dict[str, Any] = {}

    def attempt(cur: db.Connection) -> int:
        tender = tender_row(cur, tender_id)
        user = auth.require_buyer_side(cur, actor, tender)
        if not is_awarded(tender):
            raise ValidationError(
                msg(
                    "Tender {tender_id} has no award yet: contract and realisation are "
                    "answered for awarded tenders (import its award notice first).",
                    tender_id=tender_id,
                )
            )
        stored = checked_input(cur, user, tender_id, change)
        mine.update(stored)
        head = _head(cur, tender_id)
        current = head["current_revision"] if head else 0
        if based_on != current:
            raise StaleEditError(
                msg(
                    "Someone else answered for this tender after you opened it (now revision "
                    "{current}, you started from {based_on}); nothing of yours was stored. "
                    "Read their answers, then save yours again.",
                    current=current,
                    based_on=based_on,
                ),
                mine=stored,
                theirs=head,
                current_revision=current,
            )
        revision = current + 1
        now = db.now()
        values = {"organisation_id": user.organisation_id, **stored}
        if head is None:
            cur.execute(
                "INSERT INTO tender_realisations (id, current_revision, organisation_id,"
                f" {', '.join(FIELDS)}, updated_at, updated_by)"  # nosec B608 - constants
                " VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [tender_id, *values.values(), now, user.id],
            )
        else:
            db.advance_version(
                cur,
                "tender_realisations",
                tender_id,
                {**values, "updated_at": now, "updated_by": user.id},
                version_column="current_revision",
                read=current,
                next_version=revision,
            )
        cur.execute(
            "INSERT INTO tender_realisation_revisions (tender_id, revision_no, based_on,"
            f" organisation_id, {', '.join(FIELDS)}, author_id, created_at)"  # nosec B608
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [tender_id, revision, current, *values.values(), user.id, now],
        )
        activity.record(cur, user, "edit", ITEM_KIND, tender_id, summary=tender["title"])
        return revision

    def kept(cur: db.Connection) -> tuple[Any, Any, int | None]:
        head = _head(cur, tender_id)
        return mine or None, head, head["current_revision"] if head else 0

    return db.retrying(conn, attempt, kept=kept, row=("tender_realisations", tender_id))


def suggested_co2_status(contracted: str, realised: str, co2_status: str) -> Co2Status | None:
    """The CO2 estimate's next status the answers suggest (one allowed step), or None.

    Realised (yes or partly) moves an estimate towards realised; contracted yes moves an
    expected one to contracted. The estimate's own status is the truth; this only suggests.
    """
    status = Co2Status(co2_status)
    if realised in (Realised.YES, Realised.PARTLY) and status is not Co2Status.REALISED:
        target = Co2Status.CONTRACTED if status is Co2Status.EXPECTED else Co2Status.REALISED
    elif contracted == Contracted.YES and status is Co2Status.EXPECTED:
        target = Co2Status.CONTRACTED
    else:
        return None
    return target if target in CO2_STATUS_TRANSITIONS[status] else None


def realisation_view(conn: db.Connection, actor: User | None, tender_id: int) -> dict[str, Any]:
    """The tender's answers for the buyer side, with its CO2 estimates and their status.

    ``answers`` (None: not answered), ``revisions`` (newest first, with author names),
    ``revision`` to base the next save on, ``awarded``, ``estimates`` (readable CO2
    estimates of the tender: status, expected tonnes, and the step the answers suggest).
    Someone not on the buyer side learns only whether it was answered.
    """
    auth.require_signed_in(actor)
    with db.reading(conn) as cur:
        tender = tender_row(cur, tender_id)
        may = auth.buyer_side(cur, actor, tender)
        head = _head(cur, tender_id)
        view: dict[str, Any] = {
            "tender_id": tender_id,
            "awarded": is_awarded(tender),
            "answered": head is not None,
            "may_answer": may,
            "revision": head["current_revision"] if head else 0,
            "answers": None,
            "revisions": [],
            "estimates": [],
        }
        if not may:
            return view
        assert actor is not None  # buyer_side is False for no actor
        view["answers"] = head
        view["revisions"] = db.rows(
            cur,
            "SELECT r.*, u.name AS author FROM tender_realisation_revisions r"
            " LEFT JOIN users u ON u.id = r.author_id WHERE r.tender_id = ?"
            " ORDER BY r.revision_no DESC",
            [tender_id],
        )
        estimates = _readable_estimates(cur, actor, tender_id)
        for estimate in estimates:
            estimate["linked"] = head is not None and head["co2_estimate_id"] == estimate["id"]
            estimate["suggested_status"] = (
                suggested_co2_status(head["contracted"], head["realised"], estimate["status"])
                if estimate["linked"]
                else None
            )
        view["estimates"] = estimates
        return view


def blank_input() -> dict[str, Any]:
    """The form's starting answers for a tender not answered yet."""
    return asdict(
        RealisationInput(
            contracted=Contracted.UNKNOWN.value,
            realised=Realised.UNKNOWN.value,
            co2_effect=Effect.NONE.value,
            materials_effect=Effect.NONE.value,
            knowledge=EffectKnowledge.ESTIMATE.value,
        )
    )
