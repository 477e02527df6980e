"""A procurement's life cycle and award results, read for the Tenders page and the export.

A procurement (one ``tenders`` row) is one procedure; its notices are its life
cycle (:data:`~buyergroups.domain.NoticeStage`), its results are composed per lot
(see :mod:`buyergroups.ingest.procedures`). Readers of these are signed in (the
caller, :func:`buyergroups.tenders.detail`, checks); tenders are public data.
"""

from __future__ import annotations

from typing import Any

from buyergroups import db
from buyergroups.domain import NoticeStage
from buyergroups.ingest.procedures import notice_role


def collapse(name: str) -> str:
    """A name with its whitespace collapsed to single spaces."""
    return " ".join(name.split())


def notice_stage(source: str, notice_type: str | None, changes_notice_id: str | None) -> str:
    """The :class:`NoticeStage` code of a notice: a change, else the part its type plays."""
    if changes_notice_id:
        return NoticeStage.CHANGE.value
    return notice_role(notice_type, source)


def life_cycle(cur: db.Connection, tender: dict[str, Any]) -> list[dict[str, Any]]:
    """The procurement's notices, oldest first, each with its stage and whether it has results."""
    found = db.rows(
        cur,
        "SELECT notice_id, notice_type, notice_subtype, published_on, changes_notice_id,"
        " results IS NOT NULL AS has_results, imported_at FROM tender_notices"
        " WHERE tender_id = ? ORDER BY published_on NULLS FIRST, notice_id",
        [tender["id"]],
    )
    for notice in found:
        notice["stage"] = notice_stage(
            tender["source"], notice["notice_type"], notice["changes_notice_id"]
        )
        notice["describes"] = notice["notice_id"] == tender["last_notice_id"]
    return found


def lot_results(cur: db.Connection, tender_id: int) -> list[dict[str, Any]]:
    """Per lot: status, awarded value, tenders received and the winners (in notice order)."""
    lots = db.rows(
        cur,
        "SELECT lot_id, result_code, awarded_value, currency, tenders_received"
        " FROM tender_lot_results WHERE tender_id = ? ORDER BY lot_id",
        [tender_id],
    )
    winners = db.rows(
        cur,
        "SELECT lot_id, position, name, country, org_identifier, sme FROM tender_winners"
        " WHERE tender_id = ? ORDER BY lot_id, position",
        [tender_id],
    )
    for lot in lots:
        lot["winners"] = [w for w in winners if w["lot_id"] == lot["lot_id"]]
    return lots


def procurement_detail(cur: db.Connection, tender: dict[str, Any]) -> dict[str, Any]:
    """The life cycle, the lot results and the matched buyer organisation of a tenders row."""
    organisation = None
    if tender.get("buyer_org_id") is not None:
        organisation = db.row(
            cur,
            "SELECT id, name, country, org_type FROM organisations WHERE id = ?",
            [tender["buyer_org_id"]],
        )
    return {
        "notices": life_cycle(cur, tender),
        "lot_results": lot_results(cur, tender["id"]),
        "buyer_organisation": organisation,
    }


def winners_by_procurement(cur: db.Connection) -> dict[int, list[str]]:
    """Per procurement id the names of its winners: distinct, whitespace collapsed, sorted."""
    names: dict[int, set[str]] = {}
    for tender_id, name in cur.execute("SELECT tender_id, name FROM tender_winners").fetchall():
        names.setdefault(tender_id, set()).add(collapse(name))
    return {
        tender_id: sorted(found, key=lambda name: (name.casefold(), name))
        for tender_id, found in names.items()
    }
