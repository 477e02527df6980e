"""Step 2 of the benchmark: the buyer corrects the automatic MVI reading of a tender.

A correction says per MVI theme whether the tender is sustainable, the criteria applied
(linked to a group's criterion where one was reused) and why. Every save is an immutable
revision (who, when, why, and the automatic reading it was made beside); the head row in
``tender_assessments`` holds the current one. The automatic detection (``tenders.mvi``,
``mvi_themes``, ``mvi_evidence``) is never changed by a correction, and an import never
writes these tables, so a re-import cannot overwrite a correction: the new automatic
reading simply shows beside it (:func:`tender_reading`).

Every count of the benchmark (and monitoring) uses the *corrected reading*: the current
correction where there is one, else the automatic one (:data:`READING_SQL`).

A save carries the revision it was made on (0: no correction yet); when someone saved in
between it is refused with a message, never overwritten.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from buyergroups import activity, auth, db
from buyergroups.accounts.users import User
from buyergroups.domain import Theme, optional_text, require_text
from buyergroups.errors import NotFoundError, StaleEditError, ValidationError, msg

MAX_CRITERIA = 30
MAX_REASON = 2_000
MAX_CRITERION_TEXT = 1_000
ITEM_KIND = "tender_assessment"

# The corrected reading of every tender: (id, mvi, corrected). Themes: THEME_SQL.
READING_SQL = (
    "SELECT t.id, coalesce(a.sustainable, t.mvi) AS mvi, a.id IS NOT NULL AS corrected"
    " FROM tenders t LEFT JOIN tender_assessments a ON a.id = t.id"
)


def theme_condition(alias: str, theme: str = "?") -> str:
    """SQL true when tender ``alias`` carries ``theme`` in its corrected reading.

    ``alias`` and ``theme`` (an SQL expression, by default one ``?``, then bound twice) are
    the package's own SQL, never user text. The test on the automatic themes is the
    tenders table's own (its column is a list).
    """
    return (
        f"(CASE WHEN EXISTS (SELECT 1 FROM tender_assessments a WHERE a.id = {alias}.id)"  # nosec B608 - the package's own SQL fragments, no user text
        f" THEN EXISTS (SELECT 1 FROM tender_assessment_themes x"
        f" WHERE x.tender_id = {alias}.id AND x.theme = {theme})"
        f" ELSE list_contains({alias}.mvi_themes, {theme}) END)"
    )


@dataclass(frozen=True)
class AppliedCriterion:
    """A criterion the tender applied: a group's criterion (reused) and/or its text."""

    text: str
    criterion_id: int | None = None


@dataclass(frozen=True)
class CorrectionInput:
    """What a corrector enters: sustainable per theme, the criteria applied, the reason."""

    themes: tuple[str, ...]
    sustainable: bool
    reason: str
    criteria: tuple[AppliedCriterion, ...] = field(default_factory=tuple)


def themes_of(raw: Any) -> list[str]:
    """Theme codes from a list or JSON text, in Theme order, once each; a ValidationError else."""
    items = json.loads(raw) if isinstance(raw, str) else list(raw or [])
    chosen = {Theme.parse(str(item), "themes").value for item in items}
    return [theme.value for theme in Theme if theme.value in chosen]


def tender_row(cur: db.Connection, tender_id: int) -> dict[str, Any]:
    found = db.row(
        cur,
        "SELECT id, title, buyer_name, buyer_org_id, mvi, mvi_themes, mvi_evidence,"
        " published_on, awarded_on, lots_awarded, awarded_value FROM tenders WHERE id = ?",
        [tender_id],
    )
    if found is None:
        raise NotFoundError(msg("There is no tender {tender_id}.", tender_id=tender_id))
    return found


def _criterion(cur: db.Connection, tender_id: int, criterion_id: int) -> dict[str, Any]:
    """A live criterion the tender may cite: of a group it is linked to, or published."""
    found = db.row(
        cur,
        "SELECT c.id, c.title, c.theme, c.ambition_level FROM criteria c"
        " WHERE c.id = ? AND c.deleted_at IS NULL AND (c.visibility = 'published'"
        " OR c.group_id IN (SELECT group_id FROM tender_groups WHERE tender_id = ?))",
        [criterion_id, tender_id],
    )
    if found is None:
        raise ValidationError(
            msg(
                "Criterion {criterion_id} is not a criterion of a group this tender is linked "
                "to, nor a published one.",
                criterion_id=criterion_id,
            ),
            field="criteria",
        )
    return found


def _checked_criteria(
    cur: db.Connection, tender_id: int, criteria: tuple[AppliedCriterion, ...]
) -> list[dict[str, Any]]:
    if len(criteria) > MAX_CRITERIA:
        raise ValidationError(
            msg("At most {limit} criteria per correction.", limit=MAX_CRITERIA), field="criteria"
        )
    checked: list[dict[str, Any]] = []
    for applied in criteria:
        text = optional_text(applied.text, "criterion", max_length=MAX_CRITERION_TEXT)
        criterion_id = applied.criterion_id
        if criterion_id is not None:
            text = text or _criterion(cur, tender_id, int(criterion_id))["title"]
        if not text:
            continue
        checked.append({"criterion_id": criterion_id, "text": text})
    return checked


def checked_input(cur: db.Connection, tender_id: int, change: CorrectionInput) -> dict[str, Any]:
    """The correction as stored, or a ValidationError naming what to fix."""
    themes = themes_of(change.themes)
    if change.sustainable and not themes:
        raise ValidationError(
            msg("A sustainable tender needs at least one MVI theme."), field="themes"
        )
    if not change.sustainable and themes:
        raise ValidationError(
            msg("A tender marked not sustainable has no MVI theme; clear the themes."),
            field="themes",
        )
    return {
        "sustainable": bool(change.sustainable),
        "themes": themes,
        "criteria": _checked_criteria(cur, tender_id, change.criteria),
        "reason": require_text(change.reason, "reason", max_length=MAX_REASON),
    }


def _head(cur: db.Connection, tender_id: int) -> dict[str, Any] | None:
    return db.row(cur, "SELECT * FROM tender_assessments WHERE id = ?", [tender_id])


def _stale(current: int, based_on: int, mine: dict[str, Any], theirs: Any) -> StaleEditError:
    return StaleEditError(
        msg(
            "Someone else corrected this tender after you opened it (now revision {current}, "
            "you started from {based_on}); nothing of yours was stored. Read their correction, "
            "then save yours again.",
            current=current,
            based_on=based_on,
        ),
        mine=mine,
        theirs=theirs,
        current_revision=current,
    )


def save_correction(
    conn: db.Connection,
    actor: User | None,
    tender_id: int,
    change: CorrectionInput,
    *,
    based_on: int,
) -> int:
    """Store a correction made on revision ``based_on`` (0: the first); its revision number.

    Refused (StaleEditError) when the tender's correction moved on since ``based_on``;
    PermissionDenied unless :func:`buyergroups.auth.buyer_side` allows.
    """
    mine: dict[str, Any] = {}

    def attempt(cur: db.Connection) -> int:
        tender = tender_row(cur, tender_id)
        user = auth.require_buyer_side(cur, actor, tender)
        stored = checked_input(cur, tender_id, change)
        mine.update(stored)
        head = _head(cur, tender_id)
        current = head["current_revision"] if head else 0
        if based_on != current:
            raise _stale(current, based_on, stored, _plain(head))
        revision = current + 1
        now = db.now()
        values = {
            "organisation_id": user.organisation_id,
            "sustainable": stored["sustainable"],
            "themes": json.dumps(stored["themes"]),
            "criteria": json.dumps(stored["criteria"], ensure_ascii=False),
            "reason": stored["reason"],
            "updated_at": now,
            "updated_by": user.id,
        }
        if head is None:
            cur.execute(
                "INSERT INTO tender_assessments (id, current_revision, organisation_id,"
                " sustainable, themes, criteria, reason, updated_at, updated_by)"
                " VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?)",
                [tender_id, *values.values()],
            )
        else:
            db.advance_version(
                cur,
                "tender_assessments",
                tender_id,
                values,
                version_column="current_revision",
                read=current,
                next_version=revision,
            )
        cur.execute("DELETE FROM tender_assessment_themes WHERE tender_id = ?", [tender_id])
        for theme in stored["themes"]:
            cur.execute(
                "INSERT INTO tender_assessment_themes (tender_id, theme) VALUES (?, ?)",
                [tender_id, theme],
            )
        cur.execute(
            "INSERT INTO tender_assessment_revisions (tender_id, revision_no, based_on,"
            " organisation_id, sustainable, themes, criteria, reason, auto_mvi, auto_themes,"
            " author_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                tender_id,
                revision,
                current,
                user.organisation_id,
                values["sustainable"],
                values["themes"],
                values["criteria"],
                values["reason"],
                bool(tender["mvi"]),
                json.dumps(list(tender["mvi_themes"] or [])),
                user.id,
                now,
            ],
        )
        activity.record(cur, user, "edit", ITEM_KIND, tender_id, summary=tender["title"])
        return revision

    def kept(cur: db.Connection) -> tuple[Any, Any, int | None]:
        head = _head(cur, tender_id)
        return mine or None, _plain(head), head["current_revision"] if head else 0

    return db.retrying(conn, attempt, kept=kept, row=("tender_assessments", tender_id))


def _plain(head: dict[str, Any] | None) -> dict[str, Any] | None:
    """A stored head or revision as the page reads it (themes and criteria parsed)."""
    if head is None:
        return None
    return {
        **head,
        "themes": themes_of(head["themes"]),
        "criteria": json.loads(head["criteria"]),
    }


def _evidence(raw: Any) -> list[dict[str, Any]]:
    if raw is None:
        return []
    return json.loads(raw) if isinstance(raw, str) else list(raw)


def tender_reading(conn: db.Connection, actor: User | None, tender_id: int) -> dict[str, Any]:
    """The automatic reading (with evidence) beside the correction, for the tender's buyer side.

    ``automatic``: mvi, themes, evidence as imported now; ``correction``: the current
    correction (None when there is none) and ``revisions`` (newest first, each with the
    automatic reading it was made beside and the author's name); ``revision``: what to base
    the next save on; ``may_correct``. Someone who is not on the buyer side sees the
    automatic reading and whether the tender was corrected, never the correction itself.
    """
    auth.require_signed_in(actor)
    with db.reading(conn) as cur:
        tender = tender_row(cur, tender_id)
        may = auth.buyer_side(cur, actor, tender)
        head = _head(cur, tender_id)
        reading: dict[str, Any] = {
            "tender_id": tender_id,
            "title": tender["title"],
            "automatic": {
                "mvi": bool(tender["mvi"]),
                "themes": themes_of(list(tender["mvi_themes"] or [])),
                "evidence": _evidence(tender["mvi_evidence"]),
            },
            "corrected": head is not None,
            "may_correct": may,
            "revision": head["current_revision"] if head else 0,
            "correction": None,
            "revisions": [],
        }
        if not may:
            return reading
        reading["correction"] = _plain(head)
        revisions = db.rows(
            cur,
            "SELECT r.*, u.name AS author FROM tender_assessment_revisions r"
            " LEFT JOIN users u ON u.id = r.author_id WHERE r.tender_id = ?"
            " ORDER BY r.revision_no DESC",
            [tender_id],
        )
        reading["revisions"] = [
            {**_plain(r), "auto_themes": themes_of(r["auto_themes"])} for r in revisions
        ]
        return reading


def correctable_tenders(
    conn: db.Connection, actor: User | None, organisation_id: int, year: int | None = None
) -> list[dict[str, Any]]:
    """The organisation's tenders (of ``year``) with their automatic and corrected reading.

    For its members and admins (:func:`buyergroups.auth.require_organisation_view`).
    """
    auth.require_organisation_view(actor, organisation_id)
    sql = (
        "SELECT t.id, t.title, t.published_on, t.mvi AS auto_mvi, t.mvi_themes AS auto_themes,"
        " a.id IS NOT NULL AS corrected, a.sustainable, a.themes, a.current_revision,"
        " t.awarded_on, t.lots_awarded, t.awarded_value"
        " FROM tenders t LEFT JOIN tender_assessments a ON a.id = t.id"
        " WHERE t.buyer_org_id = ?"
    )
    params: list[Any] = [organisation_id]
    if year is not None:
        sql += " AND extract(year FROM coalesce(t.published_on, t.awarded_on)) = ?"
        params.append(int(year))
    with db.reading(conn) as cur:
        found = db.rows(cur, sql + " ORDER BY t.published_on DESC NULLS LAST, t.id", params)
    for entry in found:
        entry["awarded"] = (
            entry["awarded_on"] is not None
            or (entry["lots_awarded"] or 0) > 0
            or entry["awarded_value"] is not None
        )
        entry["auto_themes"] = themes_of(list(entry["auto_themes"] or []))
        entry["themes"] = themes_of(entry["themes"]) if entry["corrected"] else None
    return found


def citable_criteria(
    conn: db.Connection, actor: User | None, tender_id: int
) -> list[dict[str, Any]]:
    """Criteria of the groups the tender is linked to that the actor may read (to cite)."""
    auth.require_signed_in(actor)
    with db.reading(conn) as cur:
        visible, params = auth.visible_sql(cur, actor, "c")
        return db.rows(
            cur,
            "SELECT c.id, c.title, c.theme, c.ambition_level, g.name AS group_name"
            " FROM criteria c JOIN buyer_groups g ON g.id = c.group_id"
            " WHERE c.deleted_at IS NULL AND g.deleted_at IS NULL"
            " AND c.group_id IN (SELECT group_id FROM tender_groups WHERE tender_id = ?)"
            f" AND {visible} ORDER BY lower(g.name), lower(c.title)",  # nosec B608
            [tender_id, *params],
        )


def corrected_count(conn: db.Connection) -> int:
    """How many tenders carry a correction (counted in monitoring; the corrections unshown)."""
    with db.reading(conn) as cur:
        return int(db.value(cur, "SELECT count(*) FROM tender_assessments") or 0)
