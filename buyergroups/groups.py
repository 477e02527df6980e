"""Buyer groups and memberships (organisations themselves: :mod:`buyergroups.organisations`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from buyergroups import activity, db, records
from buyergroups.accounts.users import User
from buyergroups.auth import Action, forget_roles, require, require_admin, require_signed_in
from buyergroups.domain import (
    GroupRole,
    OrganisationRole,
    Phase,
    Programme,
    Sector,
    Theme,
    normalise_country,
    normalise_cpvs,
    optional_text,
    require_text,
)
from buyergroups.errors import Message, NotFoundError, ValidationError, msg, msg_list

_PROFILE_FIELDS = (
    "name",
    "sector",
    "programme",
    "countries",
    "themes",
    "phase",
    "description",
    "cpv_codes",
    "co2_target_t",
)


def validate_profile(fields: dict[str, Any]) -> dict[str, Any]:
    """A group's profile fields checked and normalised; ValidationError names the field."""
    unknown = set(fields) - set(_PROFILE_FIELDS)
    if unknown:
        raise ValidationError(
            msg("Unknown group fields: {fields}.", fields=", ".join(sorted(unknown)))
        )
    target = fields.get("co2_target_t")
    if target is not None and (not isinstance(target, int | float) or target < 0):
        raise ValidationError(
            msg("The CO2 target must be a positive number of tonnes."), field="co2_target_t"
        )
    countries = [normalise_country(c) for c in fields.get("countries") or []]
    if not countries:
        raise ValidationError(msg("Choose at least one country."), field="countries")
    return {
        "name": require_text(fields.get("name"), "name", max_length=200),
        "sector": Sector.parse(fields.get("sector", ""), "sector").value,
        "programme": Programme.parse(fields.get("programme", ""), "programme").value,
        "countries": sorted(set(countries)),
        "themes": [Theme.parse(t, "themes").value for t in fields.get("themes") or []],
        "phase": Phase.parse(fields.get("phase", ""), "phase").value,
        "description": optional_text(fields.get("description"), "description", max_length=5000),
        "cpv_codes": normalise_cpvs(fields.get("cpv_codes") or []),
        "co2_target_t": float(target) if target is not None else None,
    }


def insert_group(cur: db.Connection, actor: User | None, fields: dict[str, Any]) -> int:
    """Store a new group inside the caller's transaction (fields validated here)."""
    profile = validate_profile(fields)
    if db.value(cur, "SELECT 1 FROM buyer_groups WHERE lower(name) = lower(?)", [profile["name"]]):
        raise ValidationError(
            msg("A group named {name} exists already.", name=repr(profile["name"])), field="name"
        )
    stamp = db.now()
    user_id = actor.id if actor else None
    group_id = db.value(
        cur,
        "INSERT INTO buyer_groups (name, sector, programme, countries, themes, phase, description,"
        " cpv_codes, co2_target_t, created_at, created_by, updated_at, updated_by)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [*(profile[f] for f in _PROFILE_FIELDS), stamp, user_id, stamp, user_id],
    )
    activity.record(
        cur, actor, "create", "group", group_id, group_id=group_id, summary=profile["name"]
    )
    return int(group_id)


def create_group(
    conn: db.Connection, actor: User, facilitator_id: int | None = None, **fields: Any
) -> int:
    """Start a new group (platform admins only); optionally name its first facilitator."""
    require_admin(actor)
    with db.transaction(conn) as cur:
        group_id = insert_group(cur, actor, fields)
        if facilitator_id is not None:
            set_user_role(cur, actor, group_id, facilitator_id, GroupRole.FACILITATOR.value)
        return group_id


def update_group(
    conn: db.Connection,
    actor: User,
    group_id: int,
    expected_version: int,
    *,
    base_fields: Mapping[str, Any] | None = None,
    **fields: Any,
) -> int:
    """Save a profile edit made on version ``expected_version``: stored, merged, or refused.

    Returns the new version. ``base_fields`` is the profile as the editor opened
    it; when someone saved in between, the edits merge field by field (the
    description line by line) and StaleEditError refuses only a field both
    changed differently (see :mod:`buyergroups.records`).
    """

    def may_edit(cur: db.Connection, current: dict[str, Any]) -> None:
        require(cur, actor, Action.MANAGE_MEMBERS, group_id)

    return records.save(
        conn,
        PROFILE,
        actor,
        group_id,
        expected_version,
        fields,
        base_fields=base_fields,
        may_edit=may_edit,
    )


def _live_profile(cur: db.Connection, group_id: int) -> dict[str, Any]:
    found = db.row(
        cur,
        f"SELECT id AS group_id, {', '.join(_PROFILE_FIELDS)}, version"  # nosec B608 - constants
        " FROM buyer_groups WHERE id = ? AND deleted_at IS NULL",
        [group_id],
    )
    if found is None:
        raise NotFoundError(msg("There is no group {group_id}.", group_id=group_id))
    return found


def _refusal(parts: list[str] | None, current: int, based_on: int) -> Message:
    if parts is None:
        return msg(
            "Someone saved this group's profile after you opened it. Reload to see their "
            "change, then apply yours again."
        )
    return msg(
        "Someone saved this group's profile (version {current}) after you opened version"
        " {based_on}, and changed the same part ({parts}). Your changes are kept: compare"
        " both versions, then save again.",
        current=current,
        based_on=based_on,
        parts=msg_list(msg(name) for name in parts),
    )


PROFILE = records.RecordKind(
    name="group",
    fields=_PROFILE_FIELDS,
    text_fields=("description",),
    validate=validate_profile,
    load=_live_profile,
    refusal=_refusal,
    table="buyer_groups",
    summary_field="name",
)


_GROUP_LIST_SQL = """
SELECT g.id, g.name, g.sector, g.programme, g.countries, g.themes, g.phase, g.description,
       g.cpv_codes, g.co2_target_t, g.version,
       (SELECT count(*) FROM memberships m WHERE m.group_id = g.id) AS organisations,
       (SELECT count(*) FROM group_users gu WHERE gu.group_id = g.id) AS users,
       (SELECT gu.role FROM group_users gu WHERE gu.group_id = g.id AND gu.user_id = ?) AS my_role
FROM buyer_groups g
WHERE g.deleted_at IS NULL
"""


def list_groups(
    conn: db.Connection,
    actor: User,
    *,
    sector: str | None = None,
    theme: str | None = None,
    country: str | None = None,
) -> list[dict[str, Any]]:
    """Groups with member counts and the actor's role; every signed-in user sees the list."""
    require_signed_in(actor)
    sql = _GROUP_LIST_SQL
    params: list[Any] = [actor.id]
    if sector:
        sql += " AND g.sector = ?"
        params.append(sector)
    if theme:
        sql += " AND list_contains(g.themes, ?)"
        params.append(theme)
    if country:
        sql += " AND list_contains(g.countries, ?)"
        params.append(country)
    with db.reading(conn) as cur:
        return db.rows(cur, sql + " ORDER BY lower(g.name)", params)


def get_group(conn: db.Connection, actor: User, group_id: int) -> dict[str, Any]:
    """One group's profile (public to every signed-in user)."""
    require_signed_in(actor)
    with db.reading(conn) as cur:
        found = db.row(cur, _GROUP_LIST_SQL + " AND g.id = ?", [actor.id, group_id])
    if found is None:
        raise NotFoundError(msg("There is no group {group_id}.", group_id=group_id))
    return found


def set_organisation_role(
    cur: db.Connection, actor: User | None, group_id: int, organisation_id: int, role: str
) -> None:
    """Add an organisation to a group or change its role (inside the caller's transaction)."""
    role = OrganisationRole.parse(role, "role").value
    if not db.value(cur, "SELECT 1 FROM organisations WHERE id = ?", [organisation_id]):
        raise NotFoundError(
            msg("There is no organisation {organisation_id}.", organisation_id=organisation_id)
        )
    cur.execute(
        "INSERT INTO memberships (group_id, organisation_id, role, joined_at, added_by)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (group_id, organisation_id) DO UPDATE SET role = excluded.role",
        [group_id, organisation_id, role, db.now(), actor.id if actor else None],
    )
    activity.record(
        cur,
        actor,
        "set_role",
        "membership",
        organisation_id,
        group_id=group_id,
        summary=activity.summary("organisation as {role:lower}", role=OrganisationRole(role)),
    )


def set_user_role(
    cur: db.Connection, actor: User | None, group_id: int, user_id: int, role: str
) -> None:
    """Give a user access to a group or change the role (inside the caller's transaction)."""
    role = GroupRole.parse(role, "role").value
    if not db.value(cur, "SELECT 1 FROM users WHERE id = ?", [user_id]):
        raise NotFoundError(msg("There is no user {user_id}.", user_id=user_id))
    current = db.value(
        cur, "SELECT role FROM group_users WHERE group_id = ? AND user_id = ?", [group_id, user_id]
    )
    if current == GroupRole.FACILITATOR.value and role != current:
        _refuse_last_facilitator(cur, group_id)
    forget_roles()
    cur.execute(
        "INSERT INTO group_users (group_id, user_id, role, added_at, added_by) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (group_id, user_id) DO UPDATE SET role = excluded.role",
        [group_id, user_id, role, db.now(), actor.id if actor else None],
    )
    activity.record(
        cur,
        actor,
        "set_role",
        "group_user",
        user_id,
        group_id=group_id,
        summary=activity.summary("user as {role:lower}", role=GroupRole(role)),
    )


def _refuse_last_facilitator(cur: db.Connection, group_id: int) -> None:
    count = db.value(
        cur,
        "SELECT count(*) FROM group_users WHERE group_id = ? AND role = 'facilitator'",
        [group_id],
    )
    if count <= 1:
        raise ValidationError(
            msg("A group needs at least one facilitator; appoint another one first.")
        )


def add_user_to_group(
    conn: db.Connection, actor: User, group_id: int, user_id: int, role: str
) -> None:
    """Invite an existing user into a group, or change their role (facilitators and admins)."""
    with db.transaction(conn) as cur:
        require(cur, actor, Action.MANAGE_MEMBERS, group_id)
        set_user_role(cur, actor, group_id, user_id, role)


def remove_user_from_group(conn: db.Connection, actor: User, group_id: int, user_id: int) -> None:
    """Take a user's access to a group away (facilitators and admins)."""
    with db.transaction(conn) as cur:
        require(cur, actor, Action.MANAGE_MEMBERS, group_id)
        role = db.value(
            cur,
            "SELECT role FROM group_users WHERE group_id = ? AND user_id = ?",
            [group_id, user_id],
        )
        if role is None:
            raise NotFoundError(msg("That user is not a member of this group."))
        if role == GroupRole.FACILITATOR.value:
            _refuse_last_facilitator(cur, group_id)
        forget_roles()
        cur.execute(
            "DELETE FROM group_users WHERE group_id = ? AND user_id = ?", [group_id, user_id]
        )
        activity.record(cur, actor, "remove", "group_user", user_id, group_id=group_id)


def add_organisation_to_group(
    conn: db.Connection, actor: User, group_id: int, organisation_id: int, role: str
) -> None:
    """Add an organisation to a group's work, or change its role (facilitators and admins)."""
    with db.transaction(conn) as cur:
        require(cur, actor, Action.MANAGE_MEMBERS, group_id)
        set_organisation_role(cur, actor, group_id, organisation_id, role)


def remove_organisation_from_group(
    conn: db.Connection, actor: User, group_id: int, organisation_id: int
) -> None:
    """Remove an organisation from a group (facilitators and admins)."""
    with db.transaction(conn) as cur:
        require(cur, actor, Action.MANAGE_MEMBERS, group_id)
        removed = db.changed(
            cur,
            "DELETE FROM memberships WHERE group_id = ? AND organisation_id = ?",
            [group_id, organisation_id],
        )
        if removed == 0:
            raise NotFoundError(msg("That organisation is not part of this group."))
        activity.record(cur, actor, "remove", "membership", organisation_id, group_id=group_id)


def members(conn: db.Connection, actor: User, group_id: int) -> dict[str, list[dict[str, Any]]]:
    """The group's organisations (public) and users (names visible to signed-in users)."""
    require_signed_in(actor)
    with db.reading(conn) as cur:
        organisations = db.rows(
            cur,
            "SELECT o.id, o.name, o.kind, o.country, o.org_type, m.role FROM memberships m"
            " JOIN organisations o ON o.id = m.organisation_id WHERE m.group_id = ?"
            " ORDER BY m.role, lower(o.name)",
            [group_id],
        )
        people = db.rows(
            cur,
            "SELECT u.id, u.name, o.name AS organisation, gu.role FROM group_users gu"
            " JOIN users u ON u.id = gu.user_id LEFT JOIN organisations o ON o.id = u.organisation_id"
            " WHERE gu.group_id = ? ORDER BY gu.role, lower(u.name)",
            [group_id],
        )
    return {"organisations": organisations, "users": people}


def group_activity(
    conn: db.Connection, actor: User, group_id: int, limit: int = 200
) -> list[dict[str, Any]]:
    """The group's activity log (members only: entries name private items)."""
    with db.reading(conn) as cur:
        require(cur, actor, Action.LIST, group_id)
        return activity.entries(cur, group_ids=[group_id], limit=limit)
