"""A group's organisations and users, with management for facilitators; its activity log."""

from __future__ import annotations

import streamlit as st

from buyergroups import groups, users
from buyergroups.domain import GroupRole, OrganisationRole
from buyergroups.errors import BuyerGroupsError
from buyergroups.users import User
from ui.labels import formatter, label, options

PREFIX = "mem"


def render_members(conn, user: User, group_id: int, may_manage: bool) -> None:
    """Organisations and people in the group; invite, change role, remove."""
    listed = groups.members(conn, user, group_id)
    st.markdown("**Organisations**")
    st.dataframe(
        [
            {
                "organisation": o["name"],
                "country": o["country"],
                "role": label(OrganisationRole, o["role"]),
            }
            for o in listed["organisations"]
        ],
        hide_index=True,
        key=f"{PREFIX}_orgs",
    )
    st.markdown("**People with access**")
    st.dataframe(
        [
            {
                "name": u["name"],
                "organisation": u["organisation"],
                "role": label(GroupRole, u["role"]),
            }
            for u in listed["users"]
        ],
        hide_index=True,
        key=f"{PREFIX}_users",
    )
    if not may_manage:
        return
    everyone = {u["id"]: u for u in users.list_users(conn) if not u["disabled"]}
    with st.form(key=f"{PREFIX}_invite_form"):
        st.markdown("**Invite a user or change a role**")
        person = st.selectbox(
            "User",
            list(everyone),
            format_func=lambda i: f"{everyone[i]['name']} ({everyone[i]['email']})",
            key=f"{PREFIX}_invite_user",
        )
        role = st.selectbox(
            "Role",
            options(GroupRole),
            format_func=formatter(GroupRole),
            key=f"{PREFIX}_invite_role",
        )
        if st.form_submit_button("Save role"):
            _act(lambda: groups.add_user_to_group(conn, user, group_id, person, role))
    present = {u["id"]: u["name"] for u in listed["users"]}
    if present:
        with st.form(key=f"{PREFIX}_remove_form"):
            gone = st.selectbox(
                "Remove user", list(present), format_func=present.get, key=f"{PREFIX}_remove_user"
            )
            if st.form_submit_button("Remove from group"):
                _act(lambda: groups.remove_user_from_group(conn, user, group_id, gone))


def _act(change) -> None:
    try:
        change()
        st.rerun()
    except BuyerGroupsError as exc:
        st.error(str(exc))


def render_activity(conn, user: User, group_id: int) -> None:
    """The group's activity log, newest first."""
    try:
        entries = groups.group_activity(conn, user, group_id)
    except BuyerGroupsError as exc:
        st.info(str(exc))
        return
    st.dataframe(
        [
            {
                "when": e["occurred_at"],
                "who": e["user_name"] or "system",
                "action": e["action"],
                "what": e["item_kind"],
                "summary": e["summary"],
            }
            for e in entries
        ],
        hide_index=True,
        key=f"{PREFIX}_activity",
    )
