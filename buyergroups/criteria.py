"""Criteria as structured data: type, MVI theme, ambition level, weight, verification, reuse."""

from __future__ import annotations

import math
from typing import Any

from buyergroups import activity, db, versioned
from buyergroups.accounts.users import User
from buyergroups.auth import Action, require
from buyergroups.domain import (
    AmbitionLevel,
    CriterionType,
    Theme,
    normalise_cpvs,
    normalise_language,
    optional_text,
    require_text,
)
from buyergroups.errors import Message, ValidationError, msg

_FIELDS = (
    "criterion_type",
    "theme",
    "ambition_level",
    "weight",
    "scoring_method",
    "verification_proof",
    "verification_moment",
    "language",
    "cpv_codes",
)


def _weight(raw: Any, criterion_type: str) -> float | None:
    if raw is None or raw == "":
        if criterion_type == CriterionType.AWARD_CRITERION:
            raise ValidationError(msg("An award criterion needs a weight (in %)."), field="weight")
        return None
    if criterion_type != CriterionType.AWARD_CRITERION:
        raise ValidationError(msg("Only award criteria carry a weight."), field="weight")
    try:
        weight = float(raw)
    except OverflowError:  # an int of hundreds of digits (a spreadsheet cell can hold one)
        weight = math.inf
    except (TypeError, ValueError) as exc:
        raise ValidationError(
            msg("Weight {weight} is not a number.", weight=repr(raw)[:40]), field="weight"
        ) from exc
    # NaN fails this test too, so only finite weights pass.
    if not 0 < weight <= 100:
        raise ValidationError(
            msg("Weight must be more than 0 and at most 100 (%)."), field="weight"
        )
    return weight


def validate(content: dict[str, Any]) -> dict[str, Any]:
    """A criterion's editable content checked and normalised."""
    criterion_type = CriterionType.parse(content.get("criterion_type", ""), "criterion_type").value
    language = normalise_language(content.get("language") or "en")
    return {
        "title": require_text(content.get("title"), "title"),
        "body": require_text(content.get("body"), "body", max_length=20_000),
        "criterion_type": criterion_type,
        "theme": Theme.parse(content.get("theme", ""), "theme").value,
        "ambition_level": AmbitionLevel.parse(
            content.get("ambition_level", ""), "ambition_level"
        ).value,
        "weight": _weight(content.get("weight"), criterion_type),
        "scoring_method": optional_text(
            content.get("scoring_method"), "scoring_method", max_length=5000
        ),
        "verification_proof": optional_text(
            content.get("verification_proof"), "verification_proof", max_length=2000
        ),
        "verification_moment": optional_text(
            content.get("verification_moment"), "verification_moment", max_length=200
        ),
        "language": language,
        "cpv_codes": normalise_cpvs(content.get("cpv_codes") or []),
    }


KIND = versioned.ItemKind(
    name="criterion",
    table="criteria",
    revisions="criterion_revisions",
    key="criterion_id",
    fields=_FIELDS,
    validate=validate,
)


def insert_criterion(
    cur: db.Connection, actor: User | None, group_id: int, content: dict[str, Any], **extra: Any
) -> int:
    """Store a new criterion inside the caller's transaction (permission checked by the caller)."""
    return versioned.insert(cur, KIND, actor, group_id, content, extra=extra)


def create_criterion(conn: db.Connection, actor: User, group_id: int, **content: Any) -> int:
    """Add a draft criterion to a group."""
    with db.transaction(conn) as cur:
        require(cur, actor, Action.CREATE, group_id)
        return insert_criterion(cur, actor, group_id, content)


def list_criteria(conn: db.Connection, actor: User, group_id: int) -> list[dict[str, Any]]:
    """The group's criteria the actor may see: all for members, published ones for others."""
    return versioned.list_for_group(conn, KIND, actor, group_id)


def get_criterion(conn: db.Connection, actor: User, criterion_id: int) -> dict[str, Any]:
    """The criterion's current state."""
    return versioned.read(conn, KIND, actor, criterion_id)


def save_criterion(
    conn: db.Connection,
    actor: User,
    criterion_id: int,
    based_on: int,
    summary: str = "",
    **changes: Any,
) -> versioned.SaveOutcome:
    """Save an edit made on revision ``based_on`` (merged or refused when stale)."""
    return versioned.save(conn, KIND, actor, criterion_id, based_on, changes, summary=summary)


def award_weight_total(criteria: list[dict[str, Any]]) -> float:
    """Sum of the weights of the award criteria in a set (should be 100)."""
    return sum(
        c["weight"] or 0 for c in criteria if c["criterion_type"] == CriterionType.AWARD_CRITERION
    )


def weight_warning(criteria: list[dict[str, Any]]) -> Message | None:
    """A message when a set's award-criterion weights do not add up to 100%, else None."""
    awards = [c for c in criteria if c["criterion_type"] == CriterionType.AWARD_CRITERION]
    if not awards:
        return None
    total = award_weight_total(awards)
    if abs(total - 100) < 1e-9:
        return None
    return msg("The award criteria's weights add up to {total:g}%, not 100%.", total=total)


def reuse(conn: db.Connection, actor: User, criterion_id: int, target_group_id: int) -> int:
    """Copy a criterion into one of the actor's groups as a draft, crediting the source."""
    with db.transaction(conn) as cur:
        source = versioned.fetch(cur, KIND, criterion_id)
        versioned.require_on(cur, actor, Action.READ, source)
        require(cur, actor, Action.CREATE, target_group_id)
        if source["group_id"] == target_group_id:
            raise ValidationError(msg("This criterion already belongs to that group."))
        content = versioned.content_of(KIND, source)
        new_id = versioned.insert(
            cur,
            KIND,
            actor,
            target_group_id,
            content,
            extra={"derived_from": criterion_id},
            summary=activity.summary("reused from criterion {criterion}", criterion=criterion_id),
        )
        activity.record(
            cur,
            actor,
            "reuse",
            "criterion",
            criterion_id,
            group_id=source["group_id"],
            summary=activity.summary(
                "reused as criterion {criterion} in group {group}",
                criterion=new_id,
                group=target_group_id,
            ),
        )
        return new_id


def provenance(conn: db.Connection, actor: User, criterion_id: int) -> dict[str, Any]:
    """Where a criterion came from (source title and group) and who reused it.

    Returns ``source`` (or None), ``reused_by`` (one row per reuse the actor may
    see by title) and counts over all reuses: ``groups`` and ``countries``.
    """
    with db.reading(conn) as cur:
        item = versioned.fetch(cur, KIND, criterion_id)
        versioned.require_on(cur, actor, Action.READ, item)
        source = None
        if item["derived_from"] is not None:
            source = db.row(
                cur,
                "SELECT c.id, c.title, g.id AS group_id, g.name AS group_name, g.countries"
                " FROM criteria c JOIN buyer_groups g ON g.id = c.group_id WHERE c.id = ?",
                [item["derived_from"]],
            )
        reused = db.rows(
            cur,
            "SELECT c.id, c.group_id, g.name AS group_name, g.countries, c.visibility"
            " FROM criteria c JOIN buyer_groups g ON g.id = c.group_id"
            " WHERE c.derived_from = ? AND c.deleted_at IS NULL ORDER BY c.id",
            [criterion_id],
        )
    countries = {code for row in reused for code in row["countries"]}
    return {
        "source": source,
        "reused_by": [{k: v for k, v in row.items() if k != "visibility"} for row in reused],
        "groups": len({row["group_id"] for row in reused}),
        "countries": len(countries),
    }


def reuse_count(conn: db.Connection, criterion_id: int) -> dict[str, int]:
    """How many groups and countries reused a criterion (numbers only, public)."""
    with db.reading(conn) as cur:
        found = db.row(
            cur,
            "SELECT count(DISTINCT c.group_id) AS groups,"
            " count(DISTINCT country) AS countries FROM criteria c"
            " JOIN buyer_groups g ON g.id = c.group_id, unnest(g.countries) AS t(country)"
            " WHERE c.derived_from = ? AND c.deleted_at IS NULL",
            [criterion_id],
        )
    return {"groups": int(found["groups"]), "countries": int(found["countries"])}
