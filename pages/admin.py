"""Admin: user accounts (create, disable/enable, reset password) and the activity log.

Platform admins only; the package functions check that again on every call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from buyergroups import accounts, audit, db, groups
from buyergroups.errors import BuyerGroupsError
from buyergroups.users import User, language_name
from ui import context
from ui.auth_gate import plain_markdown

_USER_COLUMNS = {
    "id": "Id",
    "name": "Name",
    "email": "Email",
    "organisation": "Organisation",
    "language": "Language",
    "is_admin": "Admin",
    "disabled": "Disabled",
}
_LOG_COLUMNS = {
    "occurred_at": "When (UTC)",
    "user_name": "Who",
    "group_name": "Group",
    "action": "Action",
    "item_kind": "Item",
    "item_id": "Item id",
    "summary": "Summary",
}


def render_create_user(conn: db.Connection, admin: User) -> None:
    """The form that creates a local account."""
    organisations = {o["id"]: o["name"] for o in groups.list_organisations(conn)}
    with st.form("admin_new_user", clear_on_submit=True):
        st.subheader("Create a user")
        name = st.text_input("Name", key="admin_new_name", max_chars=200)
        email = st.text_input("Email", key="admin_new_email", max_chars=254)
        password = st.text_input(
            "Initial password (tell the person in a separate channel)",
            type="password",
            key="admin_new_password",
        )
        organisation_id = st.selectbox(
            "Organisation",
            [None, *organisations],
            format_func=lambda key: "(none)" if key is None else organisations[key],
            key="admin_new_org",
        )
        language = st.selectbox(
            "Language", ["en", "nl"], format_func=language_name, key="admin_new_language"
        )
        is_admin = st.checkbox("Platform admin", key="admin_new_is_admin")
        submitted = st.form_submit_button("Create user", key="admin_new_submit")
    if submitted:
        try:
            created = accounts.create_user(
                conn, admin, name, email, password, organisation_id, language, is_admin
            )
        except BuyerGroupsError as exc:
            st.error(str(exc))
        else:
            st.success(f"Created {plain_markdown(created.name)} ({plain_markdown(created.email)}).")


def render_change_user(conn: db.Connection, admin: User, users: list[dict[str, Any]]) -> None:
    """Disable, enable or reset the password of one chosen user."""
    st.subheader("Change a user")
    by_id = {u["id"]: u for u in users}
    user_id = st.selectbox(
        "User",
        list(by_id),
        format_func=lambda key: (
            f"{by_id[key]['name']} <{by_id[key]['email']}>"
            + (" (disabled)" if by_id[key]["disabled"] else "")
        ),
        key="admin_user_pick",
    )
    if user_id is None:
        return
    chosen = by_id[user_id]
    if chosen["disabled"]:
        if st.button("Enable", key="admin_enable"):
            _act(lambda: accounts.enable_user(conn, admin, user_id), f"Enabled {chosen['email']}.")
    elif st.button("Disable and sign out everywhere", key="admin_disable"):
        _act(lambda: accounts.disable_user(conn, admin, user_id), f"Disabled {chosen['email']}.")
    with st.form("admin_reset", clear_on_submit=True):
        new_password = st.text_input("New password", type="password", key="admin_reset_password")
        if st.form_submit_button("Reset password", key="admin_reset_submit"):
            _act(
                lambda: accounts.reset_password(conn, admin, user_id, new_password),
                f"Password of {chosen['email']} reset; their sessions were ended.",
            )


def _act(change: Callable[[], None], done: str) -> None:
    try:
        change()
    except BuyerGroupsError as exc:
        st.error(str(exc))
        return
    st.session_state["admin_notice"] = done
    st.rerun()


def render_users(conn: db.Connection, admin: User) -> None:
    """Users table plus the forms that change accounts."""
    notice = st.session_state.pop("admin_notice", None)
    if notice:
        st.success(plain_markdown(notice))
    render_create_user(conn, admin)
    users = accounts.users_for_admin(conn, admin)
    render_change_user(conn, admin, users)
    st.subheader("All users")
    st.dataframe(
        [{label: u[key] for key, label in _USER_COLUMNS.items()} for u in users],
        hide_index=True,
        key="admin_users_table",
    )


def render_activity(conn: db.Connection, admin: User) -> None:
    """The activity log of every group, with filters."""
    users = {u["id"]: f"{u['name']} <{u['email']}>" for u in accounts.users_for_admin(conn, admin)}
    group_names = {g["id"]: g["name"] for g in groups.list_groups(conn, admin)}
    vocabulary = audit.activity_vocabulary(conn, admin)
    left, middle, right = st.columns(3)
    user_id = left.selectbox(
        "User", [None, *users], format_func=lambda k: "(all)" if k is None else users[k],
        key="admin_log_user",
    )  # fmt: skip
    group_id = middle.selectbox(
        "Group", [None, *group_names],
        format_func=lambda k: "(all)" if k is None else group_names[k], key="admin_log_group",
    )  # fmt: skip
    since = right.date_input("Since", value=None, key="admin_log_since")
    left, middle, _ = st.columns(3)
    action = left.selectbox("Action", ["", *vocabulary["actions"]], key="admin_log_action")
    item_kind = middle.selectbox("Item kind", ["", *vocabulary["item_kinds"]], key="admin_log_kind")
    found = audit.activity_log(
        conn, admin, user_id=user_id, group_id=group_id, action=action, item_kind=item_kind,
        since=since,
    )  # fmt: skip
    st.caption(f"{len(found)} entries (newest first, at most 500).")
    st.dataframe(
        [{label: entry[key] for key, label in _LOG_COLUMNS.items()} for entry in found],
        hide_index=True,
        key="admin_log_table",
    )


def main() -> None:
    """Render the page for admins; everyone else gets a clear refusal."""
    conn = context.connection()
    user = context.current_user()
    st.title("Admin")
    if not user.is_admin:
        st.error("This page is for platform admins only. Ask a platform admin for help.")
        st.stop()
    users_tab, log_tab = st.tabs(["Users", "Activity log"])
    with users_tab:
        render_users(conn, user)
    with log_tab:
        render_activity(conn, user)


main()
