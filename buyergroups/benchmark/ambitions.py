"""An organisation's action plan for a year: per MVI theme an ambition level and targets.

The Manifest asks every signatory for an action plan with an ambition level per theme
(basis / significant / ambitious, :class:`~buyergroups.domain.AmbitionLevel`) and,
optionally, targets: the share of its tenders, and of its spend, that is MVI in that
theme (in %). The plan (``action_plans``) carries a version; a save names the version it
was made on and a stale one is refused (``db.compare_and_set``), so two people editing the
plan never overwrite each other. Members of the organisation and admins edit and read it;
other organisations do not see it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from buyergroups import activity, auth, db
from buyergroups.accounts.users import User
from buyergroups.domain import AmbitionLevel, Theme
from buyergroups.errors import NotFoundError, StaleEditError, ValidationError, msg

ITEM_KIND = "action_plan"
FIRST_YEAR = 2000
LAST_YEAR = 2100


@dataclass(frozen=True)
class Ambition:
    """One theme of a plan: its ambition level and optional targets in % (0–100)."""

    theme: str
    ambition_level: str
    target_tender_share: float | None = None
    target_spend_share: float | None = None


def check_year(raw: Any) -> int:
    """A plan's year as a whole number from 2000 to 2100; a ValidationError else."""
    try:
        year = int(str(raw).strip())
    except (TypeError, ValueError):
        year = None
    if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError(
            msg(
                "Year {value} is not a year from {first} to {last}.",
                value=repr(raw),
                first=FIRST_YEAR,
                last=LAST_YEAR,
            ),
            field="year",
        )
    return year


def _share(raw: Any, field: str, theme: Theme) -> float | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        share = float(raw)
    except (TypeError, ValueError):
        share = math.nan
    if not math.isfinite(share) or not 0 <= share <= 100:
        raise ValidationError(
            msg(
                "{theme}: a target share is a percentage from 0 to 100, not {value}.",
                theme=theme,
                value=repr(raw),
            ),
            field=field,
        )
    return share


def checked_ambitions(ambitions: list[Ambition]) -> list[dict[str, Any]]:
    """The plan's themes as stored (Theme order, once each), or a ValidationError."""
    by_theme: dict[str, dict[str, Any]] = {}
    for entry in ambitions:
        theme = Theme(Theme.parse(entry.theme, "theme"))
        if theme.value in by_theme:
            raise ValidationError(
                msg("{theme} is named twice in the plan.", theme=theme), field="theme"
            )
        by_theme[theme.value] = {
            "theme": theme.value,
            "ambition_level": AmbitionLevel.parse(entry.ambition_level, "ambition_level").value,
            "target_tender_share": _share(entry.target_tender_share, "target_tender_share", theme),
            "target_spend_share": _share(entry.target_spend_share, "target_spend_share", theme),
        }
    return [by_theme[t.value] for t in Theme if t.value in by_theme]


def _organisation(cur: db.Connection, organisation_id: int) -> dict[str, Any]:
    found = db.row(cur, "SELECT id, name FROM organisations WHERE id = ?", [organisation_id])
    if found is None:
        raise NotFoundError(
            msg("There is no organisation {organisation_id}.", organisation_id=organisation_id)
        )
    return found


def _plan_head(cur: db.Connection, organisation_id: int, year: int) -> dict[str, Any] | None:
    return db.row(
        cur,
        "SELECT id, version, updated_at, updated_by FROM action_plans"
        " WHERE organisation_id = ? AND year = ?",
        [organisation_id, year],
    )


def ambitions_of(cur: db.Connection, organisation_id: int, year: int) -> list[dict[str, Any]]:
    """The stored themes of a plan (Theme order), inside the caller's unit (access checked)."""
    found = {
        r["theme"]: r
        for r in db.rows(
            cur,
            "SELECT theme, ambition_level, target_tender_share, target_spend_share"
            " FROM organisation_ambitions WHERE organisation_id = ? AND year = ?",
            [organisation_id, year],
        )
    }
    return [found[t.value] for t in Theme if t.value in found]


def action_plan(
    conn: db.Connection, actor: User | None, organisation_id: int, year: int
) -> dict[str, Any]:
    """The plan of an organisation for a year: ``version`` (0: none yet) and ``ambitions``."""
    auth.require_organisation_view(actor, organisation_id)
    year = check_year(year)
    with db.reading(conn) as cur:
        _organisation(cur, organisation_id)
        head = _plan_head(cur, organisation_id, year)
        return {
            "organisation_id": organisation_id,
            "year": year,
            "version": head["version"] if head else 0,
            "updated_at": head["updated_at"] if head else None,
            "ambitions": ambitions_of(cur, organisation_id, year),
        }


def save_plan(
    conn: db.Connection,
    actor: User | None,
    organisation_id: int,
    year: int,
    ambitions: list[Ambition],
    *,
    based_on: int,
) -> int:
    """Replace the plan's themes, made on version ``based_on`` (0: a new plan); the new version.

    Themes left out are no longer part of the plan. Refused with StaleEditError when
    someone saved the plan since ``based_on``.
    """
    user = auth.require_organisation_view(actor, organisation_id)
    year = check_year(year)
    stored = checked_ambitions(ambitions)

    def attempt(cur: db.Connection) -> int:
        organisation = _organisation(cur, organisation_id)
        head = _plan_head(cur, organisation_id, year)
        current = head["version"] if head else 0
        if based_on != current:
            raise StaleEditError(
                msg(
                    "Someone else saved the {year} action plan after you opened it (now "
                    "version {current}, you started from {based_on}); nothing of yours was "
                    "stored. Read their plan, then save yours again.",
                    year=year,
                    current=current,
                    based_on=based_on,
                ),
                mine=stored,
                theirs=ambitions_of(cur, organisation_id, year),
                current_revision=current,
            )
        now = db.now()
        if head is None:
            cur.execute(
                "INSERT INTO action_plans (organisation_id, year, version, updated_at,"
                " updated_by) VALUES (?, ?, 1, ?, ?)",
                [organisation_id, year, now, user.id],
            )
        else:
            db.advance_version(
                cur,
                "action_plans",
                head["id"],
                {"updated_at": now, "updated_by": user.id},
                version_column="version",
                read=current,
                next_version=current + 1,
            )
        cur.execute(
            "DELETE FROM organisation_ambitions WHERE organisation_id = ? AND year = ?",
            [organisation_id, year],
        )
        for entry in stored:
            cur.execute(
                "INSERT INTO organisation_ambitions (organisation_id, year, theme,"
                " ambition_level, target_tender_share, target_spend_share, updated_at,"
                " updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [organisation_id, year, *entry.values(), now, user.id],
            )
        activity.record(
            cur,
            user,
            "edit",
            ITEM_KIND,
            organisation_id,
            summary=f"{organisation['name']} {year}",
        )
        return current + 1

    def kept(cur: db.Connection) -> tuple[Any, Any, int | None]:
        head = _plan_head(cur, organisation_id, year)
        return stored, ambitions_of(cur, organisation_id, year), head["version"] if head else 0

    return db.retrying(
        conn, attempt, kept=kept, row=("action_plans", organisation_id * 10_000 + year)
    )
