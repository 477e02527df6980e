"""The world behind tests/test_permissions.py: one database, a user per role, a group per cell.

A cell's step (:class:`Step`) has a ``prepare`` that stores its target in the cell's
fresh group and an ``attempt`` that calls the package's real function as the acting
user. ``attempt`` asserts what a call that went through did (the stored rows it
changed, or what a read or an export showed) and returns the tables it was meant to
change; the test compares that with :meth:`Workspace.fingerprint` of every table, so
a call changes exactly those tables, and a refused call none. The steps live in
tests/permission_items.py (criteria, documents) and tests/permission_group.py
(dialogue events, CO2 estimates, the group's members and tenders).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import docx
from openpyxl import load_workbook

from buyergroups import db, groups, organisations
from buyergroups.accounts.users import User
from buyergroups.ingest import loader
from buyergroups.ingest.sources import Source
from tests.factories import make_group, make_user

TITLE = {
    "criterion": "Emission-free equipment on site",
    "document": "Market vision",
    "dialogue": "Supplier day on circular girders",
    "co2": "Electric machinery",
}
EDITED = "Edited in the cell"
PREPARED_COMMENT = "A remark made before the cell"
TENDER_TITLE = "Circular viaduct A12"
PROFILE = {
    "sector": "civil_works",
    "programme": "national_buyer_group",
    "countries": ["NL"],
    "themes": ["circular"],
    "phase": "specifications_criteria",
    "description": "Joint specifications for circular viaducts.",
    "cpv_codes": ["45221100"],
    "co2_target_t": 1000.0,
}
ROLES = ("admin", "facilitator", "member", "observer", "non_member", "signed_out")


@dataclass
class Workspace:
    """One database for a test module: a user per role, an organisation and a tender.

    Every cell gets a fresh group (:meth:`fresh_group`) in which the facilitator,
    member and observer have their roles; the non-member is facilitator of another
    group only, and the admin is a platform admin in no group.
    """

    conn: db.Connection
    people: dict[str, User | None]
    newcomer: User
    organisation: int
    tender: int
    tables: tuple[str, ...]
    spare_groups: list[int]

    @property
    def facilitator(self) -> User:
        found = self.people["facilitator"]
        assert found is not None
        return found

    def user(self, role: str) -> User:
        found = self.people[role]
        assert found is not None
        return found

    def fresh_group(self) -> int:
        """A group of its own for one cell (built in bulk by :func:`make_workspace`)."""
        if not self.spare_groups:
            with db.transaction(self.conn) as cur:
                self.spare_groups = _bulk_groups(cur, self.people, 1)
        return self.spare_groups.pop()

    def rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        with db.reading(self.conn) as cur:
            return cur.execute(sql, list(params)).fetchall()

    def fingerprint(self) -> dict[str, tuple[int, int | None]]:
        """Row count and a content hash of every table."""
        sql = " UNION ALL ".join(
            f"SELECT '{name}', count(*), sum(hash(*COLUMNS(*))) FROM {name}"  # nosec B608
            for name in self.tables
        )
        return {name: (count, digest) for name, count, digest in self.rows(sql)}

    def changed_since(self, before: dict[str, tuple[int, int | None]]) -> set[str]:
        """The tables whose rows differ from ``before``."""
        after = self.fingerprint()
        return {name for name in self.tables if after[name] != before[name]}

    def last_activity(self, group_id: int) -> tuple[Any, ...]:
        """(user, action, item kind, item id) of the group's newest activity entry."""
        return self.rows(
            "SELECT user_id, action, item_kind, item_id FROM activity WHERE group_id = ?"
            " ORDER BY id DESC LIMIT 1",
            group_id,
        )[0]


def tender_csv(source_id: str, title: str) -> bytes:
    return f"source_id,title,buyer_country,cpv_codes\n{source_id},{title},NL,45221100\n".encode()


def make_workspace(conn: db.Connection, cells: int) -> Workspace:
    """Users for every role, another group for the non-member, an organisation, a tender.

    Also ``cells`` groups, one per cell, each with the facilitator, member and observer
    in their roles; stored in bulk, as the demo loader stores without permission checks.
    """
    people: dict[str, User | None] = {
        "admin": make_user(conn, "Ada Admin", is_admin=True),
        "facilitator": make_user(conn, "Fay Facilitator"),
        "member": make_user(conn, "Max Member"),
        "observer": make_user(conn, "Olle Observer"),
        "non_member": make_user(conn, "Otto Outsider"),
        "signed_out": None,
    }
    elsewhere = make_group(conn, "Another group", countries=["SE"], sector="ict")
    with db.transaction(conn) as cur:
        groups.set_user_role(cur, None, elsewhere, people["non_member"].id, "facilitator")
        organisation = organisations.insert_organisation(
            cur, None, "Rijkswaterstaat", "agency", "NL"
        )
        spare_groups = _bulk_groups(cur, people, cells)
    source = Source("tender.csv", lambda: tender_csv("T-0", TENDER_TITLE))
    summary = loader.import_sources(conn, "csv", [source], None, system=True)
    assert summary.imported == 1, summary.text()
    with db.reading(conn) as cur:
        tender = db.value(cur, "SELECT id FROM tenders WHERE source_id = 'T-0'")
        tables = tuple(
            name
            for (name,) in cur.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
                " ORDER BY table_name"
            ).fetchall()
        )
    return Workspace(
        conn=conn,
        people=people,
        newcomer=make_user(conn, "Nina Newcomer"),
        organisation=organisation,
        tender=tender,
        tables=tables,
        spare_groups=spare_groups,
    )


def _bulk_groups(cur: db.Connection, people: dict[str, User | None], count: int) -> list[int]:
    profile = groups.validate_profile({"name": "Cell group", **PROFILE})
    stamp = db.now()
    first = db.value(cur, "SELECT count(*) FROM buyer_groups")
    found = cur.execute(
        "INSERT INTO buyer_groups (name, sector, programme, countries, themes, phase,"
        " description, cpv_codes, co2_target_t, created_at, updated_at)"
        " SELECT 'Cell group ' || i, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM range(?, ?) t(i)"
        " RETURNING id",
        [*(profile[name] for name in list(profile)[1:]), stamp, stamp, first, first + count],
    ).fetchall()
    group_ids = sorted(group_id for (group_id,) in found)
    roles = [(people[role].id, role) for role in ("facilitator", "member", "observer")]
    cur.execute(
        "INSERT INTO group_users (group_id, user_id, role, added_at)"
        " SELECT g, u, r, ? FROM unnest(?::INTEGER[]) t(g)"
        " CROSS JOIN (VALUES (?, ?), (?, ?), (?, ?)) p(u, r)",
        [stamp, group_ids, *(value for pair in roles for value in pair)],
    )
    return group_ids


Prepare = Callable[[Workspace, int, str], Any]
Attempt = Callable[[Workspace, Any, int, Any, bool], set[str]]


@dataclass(frozen=True)
class Step:
    prepare: Prepare
    attempt: Attempt


Steps = dict[tuple[str, str], Step]


def registry(steps: Steps) -> Callable[[str, str, Prepare], Callable[[Attempt], Attempt]]:
    """A decorator registering an ``attempt`` in ``steps`` as the call behind (kind, action)."""

    def step(kind: str, action: str, prepare: Prepare) -> Callable[[Attempt], Attempt]:
        def register(attempt: Attempt) -> Attempt:
            assert (kind, action) not in steps, (kind, action)
            steps[(kind, action)] = Step(prepare, attempt)
            return attempt

        return register

    return step


def no_item(ws: Workspace, group_id: int, on: str) -> None:
    """The prepare of an action on the group itself: nothing to store first."""
    return None


# ---------------------------------------------------------------- spreadsheet and Word readers


def csv_column(data: bytes, header: str) -> list[str]:
    headers, *rows = csv.reader(io.StringIO(data.decode("utf-8-sig")))
    return [row[headers.index(header)] for row in rows]


def xlsx_column(data: bytes, sheet: str, header: str) -> list[Any]:
    headers, *rows = load_workbook(io.BytesIO(data))[sheet].iter_rows(values_only=True)
    return [row[headers.index(header)] for row in rows]


def docx_paragraphs(data: bytes, style: str) -> list[str]:
    return [p.text for p in docx.Document(io.BytesIO(data)).paragraphs if p.style.name == style]


def only(item: Any, shown: bool) -> list[Any]:
    """What a listing or export holds: the cell's item, or nothing when it is hidden."""
    return [item] if shown else []
