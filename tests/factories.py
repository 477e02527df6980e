"""Small builders for test data: a group with one user per role, and items in it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from buyergroups import criteria, db, documents, groups
from buyergroups.accounts import users
from buyergroups.accounts.users import User


def make_user(
    conn: db.Connection, name: str, *, is_admin: bool = False, org_id: int | None = None
) -> User:
    """A user with an email derived from the name (no password)."""
    email = name.lower().replace(" ", ".") + "@example.test"
    with db.transaction(conn) as cur:
        return users.insert_user(
            cur, None, name=name, email=email, is_admin=is_admin, organisation_id=org_id
        )


def make_group(conn: db.Connection, name: str = "Circular viaducts", **overrides: Any) -> int:
    """A group stored without permission checks (as the demo loader does)."""
    fields = {
        "name": name,
        "sector": "civil_works",
        "programme": "national_buyer_group",
        "countries": ["NL"],
        "themes": ["circular", "climate"],
        "phase": "specifications_criteria",
        "description": "Joint specifications for circular viaducts.",
        "cpv_codes": ["45221100"],
        "co2_target_t": 1000.0,
    }
    fields.update(overrides)
    with db.transaction(conn) as cur:
        return groups.insert_group(cur, None, fields)


def join(conn: db.Connection, group_id: int, user: User, role: str) -> None:
    """Give a user a role in a group without permission checks."""
    with db.transaction(conn) as cur:
        groups.set_user_role(cur, None, group_id, user.id, role)


@dataclass
class World:
    """A group A with admin, facilitator, member, observer; an outsider; a second group B."""

    group_a: int
    group_b: int
    admin: User
    facilitator: User
    member: User
    observer: User
    outsider: User


def make_world(conn: db.Connection) -> World:
    """Two groups and one user for each role in group A."""
    group_a = make_group(conn, "Group A")
    group_b = make_group(conn, "Group B", countries=["SE"], sector="ict")
    world = World(
        group_a=group_a,
        group_b=group_b,
        admin=make_user(conn, "Ada Admin", is_admin=True),
        facilitator=make_user(conn, "Fay Facilitator"),
        member=make_user(conn, "Max Member"),
        observer=make_user(conn, "Olle Observer"),
        outsider=make_user(conn, "Otto Outsider"),
    )
    join(conn, group_a, world.facilitator, "facilitator")
    join(conn, group_a, world.member, "member")
    join(conn, group_a, world.observer, "observer")
    join(conn, group_b, world.outsider, "facilitator")
    return world


CRITERION = {
    "criterion_type": "award_criterion",
    "theme": "climate",
    "ambition_level": "significant",
    "title": "Emission-free equipment on site",
    "body": "The tenderer states the share of emission-free machinery.\nScored per 10%.",
    "weight": 20,
    "scoring_method": "Linear: 0 points at 0%, full points at 100%.",
    "verification_proof": "Equipment list with engine types",
    "verification_moment": "at tender",
    "language": "en",
    "cpv_codes": ["45000000"],
}


def make_criterion(conn: db.Connection, actor: User, group_id: int, **overrides: Any) -> int:
    """An award criterion created through the package (permission checked)."""
    return criteria.create_criterion(conn, actor, group_id, **{**CRITERION, **overrides})


def make_document(
    conn: db.Connection, actor: User, group_id: int, body: str = "line 1\nline 2\nline 3\n"
) -> int:
    """A market vision created through the package (permission checked)."""
    return documents.create_document(
        conn, actor, group_id, "market_vision", title="Market vision", body=body, language="en"
    )
