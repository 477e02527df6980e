"""Admin: user accounts (create, disable/enable, reset password), organisations and the buyers
of imported tenders to match to them, the activity log, and a backup download.

Platform admins only; the package functions check that again on every call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from buyergroups import activity, audit, db, groups, i18n, organisations
from buyergroups.accounts import manage, signin
from buyergroups.accounts.users import User, language_name
from buyergroups.errors import BuyerGroupsError
from ui import backup_panel, context, organisations_admin
from ui.auth_gate import plain_markdown
from ui.i18n import N_, error_text, message_text, t
from ui.labels import activity_word

_USER_COLUMNS = {
    "id": N_("Id"),
    "name": N_("Name"),
    "email": N_("Email"),
    "organisation": N_("Organisation"),
    "language": N_("Language"),
    "is_admin": N_("Admin"),
    "disabled": N_("Disabled"),
    "locked": N_("Locked"),
}
_LOG_COLUMNS = {
    "occurred_at": N_("When (UTC)"),
    "user_name": N_("Who"),
    "group_name": N_("Group"),
    "action": N_("Action"),
    "item_kind": N_("Item"),
    "item_id": N_("Item id"),
    "summary": N_("Summary"),
}


def render_create_user(conn: db.Connection, admin: User) -> None:
    """The form that creates a local account."""
    known = {o["id"]: o["name"] for o in organisations.list_organisations(conn)}
    with st.form("admin_new_user", clear_on_submit=True):
        st.subheader(t("Create a user"))
        name = st.text_input(t("Name"), key="admin_new_name", max_chars=200)
        email = st.text_input(t("Email"), key="admin_new_email", max_chars=254)
        password = st.text_input(
            t("Initial password (tell the person in a separate channel)"),
            type="password",
            key="admin_new_password",
        )
        organisation_id = st.selectbox(
            t("Organisation"),
            [None, *known],
            format_func={None: t("(none)"), **known}.get,
            key="admin_new_org",
        )
        language = st.selectbox(
            t("Language"), list(i18n.LANGUAGES), format_func=language_name, key="admin_new_language"
        )
        is_admin = st.checkbox(t("Platform admin"), key="admin_new_is_admin")
        submitted = st.form_submit_button(t("Create user"), key="admin_new_submit")
    if submitted:
        try:
            created = manage.create_user(
                conn, admin, name, email, password, organisation_id, language, is_admin
            )
        except BuyerGroupsError as exc:
            st.error(error_text(exc))
        else:
            st.success(
                t(
                    "Created {name} ({email}).",
                    name=plain_markdown(created.name),
                    email=plain_markdown(created.email),
                )
            )


def render_change_user(conn: db.Connection, admin: User, users: list[dict[str, Any]]) -> None:
    """Unlock, disable, enable or reset the password of one chosen user."""
    st.subheader(t("Change a user"))
    by_id = {u["id"]: u for u in users}
    disabled = t("(disabled)")
    shown = {
        key: f"{u['name']} <{u['email']}>" + (f" {disabled}" if u["disabled"] else "")
        for key, u in by_id.items()
    }
    user_id = st.selectbox(t("User"), list(by_id), format_func=shown.get, key="admin_user_pick")
    if user_id is None:
        return
    chosen = by_id[user_id]
    if chosen["locked"]:
        st.warning(t("This account is locked after repeated failed sign-ins."))
        if st.button(t("Unlock"), key="admin_unlock"):
            _act(
                lambda: signin.unlock_user(conn, admin, user_id),
                t("Unlocked {email}; they can sign in again.", email=chosen["email"]),
            )
    if chosen["disabled"]:
        if st.button(t("Enable"), key="admin_enable"):
            _act(
                lambda: manage.enable_user(conn, admin, user_id),
                t("Enabled {email}.", email=chosen["email"]),
            )
    elif st.button(t("Disable and sign out everywhere"), key="admin_disable"):
        _act(
            lambda: manage.disable_user(conn, admin, user_id),
            t("Disabled {email}.", email=chosen["email"]),
        )
    with st.form("admin_reset", clear_on_submit=True):
        new_password = st.text_input(t("New password"), type="password", key="admin_reset_password")
        if st.form_submit_button(t("Reset password"), key="admin_reset_submit"):
            _act(
                lambda: manage.reset_password(conn, admin, user_id, new_password),
                t("Password of {email} reset; their sessions were ended.", email=chosen["email"]),
            )


def _act(change: Callable[[], None], done: str) -> None:
    try:
        change()
    except BuyerGroupsError as exc:
        st.error(error_text(exc))
        return
    st.session_state["admin_notice"] = done
    st.rerun()


def render_users(conn: db.Connection, admin: User) -> None:
    """Users table plus the forms that change accounts."""
    notice = st.session_state.pop("admin_notice", None)
    if notice:
        st.success(plain_markdown(notice))
    render_create_user(conn, admin)
    users = manage.users_for_admin(conn, admin, context.settings())
    render_change_user(conn, admin, users)
    st.subheader(t("All users"))
    st.dataframe(
        [{t(label): u[key] for key, label in _USER_COLUMNS.items()} for u in users],
        hide_index=True,
        key="admin_users_table",
    )


def _shown_entry(entry: dict[str, Any]) -> dict[str, Any]:
    """A log entry as shown: action, item kind and the system's summaries in the reader's words."""
    return {
        **entry,
        "action": activity_word(entry["action"]),
        "item_kind": activity_word(entry["item_kind"]),
        "summary": message_text(activity.entry_summary(entry)),
    }


def render_activity(conn: db.Connection, admin: User) -> None:
    """The activity log of every group, with filters."""
    every = manage.users_for_admin(conn, admin, context.settings())
    users = {u["id"]: f"{u['name']} <{u['email']}>" for u in every}
    group_names = {g["id"]: g["name"] for g in groups.list_groups(conn, admin)}
    vocabulary = audit.activity_vocabulary(conn, admin)
    left, middle, right = st.columns(3)
    user_id = left.selectbox(
        t("User"),
        [None, *users],
        format_func={None: t("(all)"), **users}.get,
        key="admin_log_user",
    )
    group_id = middle.selectbox(
        t("Group"),
        [None, *group_names],
        format_func={None: t("(all)"), **group_names}.get,
        key="admin_log_group",
    )
    since = right.date_input(t("Since"), value=None, key="admin_log_since")
    left, middle, _ = st.columns(3)
    action = left.selectbox(
        t("Action"), ["", *vocabulary["actions"]], format_func=activity_word, key="admin_log_action"
    )
    item_kind = middle.selectbox(
        t("Item kind"),
        ["", *vocabulary["item_kinds"]],
        format_func=activity_word,
        key="admin_log_kind",
    )
    found = audit.activity_log(
        conn,
        admin,
        user_id=user_id,
        group_id=group_id,
        action=action,
        item_kind=item_kind,
        since=since,
    )
    st.caption(t("{count} entries (newest first, at most 500).", count=len(found)))
    st.dataframe(
        [
            {t(label): shown[key] for key, label in _LOG_COLUMNS.items()}
            for shown in map(_shown_entry, found)
        ],
        hide_index=True,
        key="admin_log_table",
    )


def main() -> None:
    """Render the page for admins; everyone else gets a clear refusal."""
    conn = context.connection()
    user = context.current_user()
    st.title(t("Admin"))
    if not user.is_admin:
        st.error(t("This page is for platform admins only. Ask a platform admin for help."))
        st.stop()
    users_tab, log_tab, organisations_tab, backup_tab = st.tabs(
        [t("Users"), t("Activity log"), t("Organisations"), t("Backup")]
    )
    with users_tab:
        render_users(conn, user)
    with log_tab:
        render_activity(conn, user)
    with organisations_tab:
        organisations_admin.render(conn, user)
    with backup_tab:
        backup_panel.render(conn, user)


main()
