"""Roles read once per script run (auth.remembering_roles), never stale after a change."""

from __future__ import annotations

import pytest

from buyergroups import auth, db, groups, tenders
from buyergroups.auth import Action, Role
from buyergroups.errors import PermissionDenied
from tests.factories import join, make_group, make_user


class CountingCursor:
    """A cursor that counts the role queries run through it."""

    def __init__(self, cur: db.Connection) -> None:
        self.cur = cur
        self.role_queries = 0

    def execute(self, sql: str, params=None):
        if "FROM group_users" in sql:
            self.role_queries += 1
        return self.cur.execute(sql, params or [])


def test_a_run_reads_the_roles_once(conn) -> None:
    member = make_user(conn, "Mia Member")
    ids = [make_group(conn, f"Group {n}") for n in range(5)]
    join(conn, ids[0], member, "member")
    join(conn, ids[1], member, "facilitator")
    with db.reading(conn) as cur, auth.remembering_roles():
        counting = CountingCursor(cur)
        found = [auth.role_of(counting, member, group_id) for group_id in ids * 3]
    assert found[:5] == [Role.MEMBER, Role.FACILITATOR, *[Role.NON_MEMBER] * 3]
    assert found == found[:5] * 3
    assert counting.role_queries == 1
    with db.reading(conn) as cur:
        counting = CountingCursor(cur)
        [auth.role_of(counting, member, group_id) for group_id in ids]
    assert counting.role_queries == 5  # outside a run: one query each, as before


def test_a_change_of_role_in_the_run_is_seen_at_once(conn) -> None:
    facilitator = make_user(conn, "Fay Facilitator")
    member = make_user(conn, "Max Member")
    group_id = make_group(conn)
    join(conn, group_id, facilitator, "facilitator")
    join(conn, group_id, member, "member")
    with auth.remembering_roles():
        assert Action.MANAGE_MEMBERS not in auth.actions_for(conn, member, group_id)
        groups.add_user_to_group(conn, facilitator, group_id, member.id, "facilitator")
        assert Action.MANAGE_MEMBERS in auth.actions_for(conn, member, group_id)
        groups.remove_user_from_group(conn, facilitator, group_id, member.id)
        assert auth.actions_for(conn, member, group_id) == frozenset()
        with pytest.raises(PermissionDenied):
            groups.add_user_to_group(conn, member, group_id, member.id, "facilitator")


def test_another_sessions_change_is_seen_on_the_next_run(conn) -> None:
    member = make_user(conn, "Mo Member")
    group_id = make_group(conn)
    join(conn, group_id, member, "member")
    with auth.remembering_roles():
        assert auth.actions_for(conn, member, group_id) == auth.PRIVATE[Role.MEMBER]
        with db.transaction(conn) as cur:  # another session, behind this run's back
            cur.execute("DELETE FROM group_users WHERE user_id = ?", [member.id])
    with auth.remembering_roles():
        assert auth.actions_for(conn, member, group_id) == frozenset()


def test_linkable_groups_are_those_where_the_user_may_edit(conn) -> None:
    member = make_user(conn, "Mel Member")
    observer_in = make_group(conn, "Beta")
    member_in = make_group(conn, "Alpha")
    make_group(conn, "Gamma")
    join(conn, observer_in, member, "observer")
    join(conn, member_in, member, "member")
    admin = make_user(conn, "Ada Admin", is_admin=True)
    assert [g["name"] for g in tenders.linkable_groups(conn, member)] == ["Alpha"]
    assert [g["name"] for g in tenders.linkable_groups(conn, admin)] == ["Alpha", "Beta", "Gamma"]
    with auth.remembering_roles():
        assert [g["name"] for g in tenders.linkable_groups(conn, member)] == ["Alpha"]
