"""Good examples: tenders that are sustainable, ambitious and realised, made findable.

A tender is a good example when all of these hold:

* *sustainable*: MVI in the corrected reading (:mod:`.corrections`);
* *realised*: its step-3 answer says realised yes, and the buyer side ticked that others
  may find it as a good example (an organisation's answers are otherwise never shown);
* *ambitious*: a criterion applied (in its correction) is a group's criterion at the
  ambitious level, or its buyer's action plan for the tender's year sets the ambitious
  level for one of the tender's themes.

Find similar uses :func:`good_example_refs` as a filter (``Filters.only_items``) and
:func:`good_example_ids` to flag hits.
"""

from __future__ import annotations

import json
from typing import Any

from buyergroups import auth, db
from buyergroups.accounts.users import User
from buyergroups.domain import AmbitionLevel, Theme

_CANDIDATES_SQL = (
    "SELECT t.id, t.title, t.buyer_name, t.buyer_org_id, t.mvi, t.mvi_themes,"
    " extract(year FROM coalesce(t.published_on, t.awarded_on)) AS year,"
    " a.id IS NOT NULL AS corrected, a.sustainable, a.themes, a.criteria"
    " FROM tenders t JOIN tender_realisations r ON r.id = t.id"
    " LEFT JOIN tender_assessments a ON a.id = t.id"
    " WHERE r.good_example AND r.realised = 'yes' ORDER BY t.id"
)


def _themes(row: dict[str, Any]) -> list[str]:
    chosen = set(json.loads(row["themes"]) if row["corrected"] else row["mvi_themes"] or [])
    return [theme.value for theme in Theme if theme.value in chosen]


def _ambitious_because(cur: db.Connection, row: dict[str, Any], themes: list[str]) -> str | None:
    """'criterion' or 'plan' when the tender is ambitious, else None."""
    applied = [c["criterion_id"] for c in json.loads(row["criteria"] or "[]") if c["criterion_id"]]
    for criterion_id in applied:
        level = db.value(cur, "SELECT ambition_level FROM criteria WHERE id = ?", [criterion_id])
        if level == AmbitionLevel.AMBITIOUS:
            return "criterion"
    if row["buyer_org_id"] is None or row["year"] is None:
        return None
    planned = db.rows(
        cur,
        "SELECT theme FROM organisation_ambitions WHERE organisation_id = ? AND year = ?"
        " AND ambition_level = 'ambitious'",
        [row["buyer_org_id"], int(row["year"])],
    )
    return "plan" if {p["theme"] for p in planned} & set(themes) else None


def good_examples(conn: db.Connection, actor: User | None) -> list[dict[str, Any]]:
    """Every good example: tender id, title, buyer, themes and why it is ambitious."""
    auth.require_signed_in(actor)
    found = []
    with db.reading(conn) as cur:
        for row in db.rows(cur, _CANDIDATES_SQL):
            sustainable = bool(row["sustainable"]) if row["corrected"] else bool(row["mvi"])
            themes = _themes(row)
            because = _ambitious_because(cur, row, themes) if sustainable else None
            if because:
                found.append(
                    {
                        "tender_id": row["id"],
                        "title": row["title"],
                        "buyer_name": row["buyer_name"],
                        "themes": themes,
                        "ambitious_by": because,
                    }
                )
    return found


def good_example_ids(conn: db.Connection, actor: User | None) -> set[int]:
    """The tender ids of :func:`good_examples`."""
    return {entry["tender_id"] for entry in good_examples(conn, actor)}


def good_example_refs(conn: db.Connection, actor: User | None) -> tuple[tuple[str, int], ...]:
    """The good examples as search items (kind ``tender``), for ``Filters.only_items``."""
    return tuple(("tender", tender_id) for tender_id in sorted(good_example_ids(conn, actor)))
