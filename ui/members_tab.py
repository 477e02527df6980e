"""A group's organisations and users, with management for facilitators; its activity log."""

from __future__ import annotations

import streamlit as st

from buyergroups import activity, groups, organisations
from buyergroups.accounts import users
from buyergroups.accounts.users import User
from buyergroups.domain import (
    COUNTRIES,
    GroupRole,
    OrganisationKind,
    OrganisationRole,
    OrganisationType,
)
from buyergroups.errors import BuyerGroupsError
from ui.i18n import error_text, message_text, t
from ui.labels import activity_word, country_formatter, formatter, label, options

PREFIX = "mem"


def render_members(conn, user: User, group_id: int, may_manage: bool) -> None:
    """Organisations and people in the group; invite, change role, remove."""
    listed = groups.members(conn, user, group_id)
    st.markdown(t("**Organisations**"))
    st.dataframe(
        [
            {
                t("organisation"): o["name"],
                t("country"): o["country"],
                t("type"): label(OrganisationType, o["org_type"]),
                t("role"): label(OrganisationRole, o["role"]),
            }
            for o in listed["organisations"]
        ],
        hide_index=True,
        key=f"{PREFIX}_orgs",
    )
    st.markdown(t("**People with access**"))
    st.dataframe(
        [
            {
                t("name"): u["name"],
                t("organisation"): u["organisation"],
                t("role"): label(GroupRole, u["role"]),
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
        st.markdown(t("**Invite a user or change a role**"))
        person = st.selectbox(
            t("User"),
            list(everyone),
            format_func=lambda i: f"{everyone[i]['name']} ({everyone[i]['email']})",
            key=f"{PREFIX}_invite_user",
        )
        role = st.selectbox(
            t("Role"),
            options(GroupRole),
            format_func=formatter(GroupRole),
            key=f"{PREFIX}_invite_role",
        )
        if st.form_submit_button(t("Save role"), key=f"{PREFIX}_invite_submit"):
            _act(lambda: groups.add_user_to_group(conn, user, group_id, person, role))
    present = {u["id"]: u["name"] for u in listed["users"]}
    if present:
        with st.form(key=f"{PREFIX}_remove_form"):
            gone = st.selectbox(
                t("Remove user"),
                list(present),
                format_func=present.get,
                key=f"{PREFIX}_remove_user",
            )
            if st.form_submit_button(t("Remove from group"), key=f"{PREFIX}_remove_submit"):
                _act(lambda: groups.remove_user_from_group(conn, user, group_id, gone))
    _organisation_forms(conn, user, group_id, listed["organisations"])


def _organisation_forms(conn, user: User, group_id: int, present: list[dict]) -> None:
    known = {
        o["id"]: f"{o['name']} ({o['country']})" for o in organisations.list_organisations(conn)
    }
    with st.form(key=f"{PREFIX}_org_form"):
        st.markdown(t("**Add an organisation or change its role**"))
        org = st.selectbox(
            t("Organisation"), list(known), format_func=known.get, key=f"{PREFIX}_org_pick"
        )
        role = st.selectbox(
            t("Role in the group"),
            options(OrganisationRole),
            format_func=formatter(OrganisationRole),
            key=f"{PREFIX}_org_role",
        )
        if st.form_submit_button(t("Save organisation"), key=f"{PREFIX}_org_submit"):
            _act(lambda: groups.add_organisation_to_group(conn, user, group_id, org, role))
    if present:
        names = {o["id"]: o["name"] for o in present}
        with st.form(key=f"{PREFIX}_org_remove_form"):
            gone = st.selectbox(
                t("Remove organisation"),
                list(names),
                format_func=names.get,
                key=f"{PREFIX}_org_remove_pick",
            )
            if st.form_submit_button(t("Remove from group"), key=f"{PREFIX}_org_remove_submit"):
                _act(lambda: groups.remove_organisation_from_group(conn, user, group_id, gone))
    with st.form(key=f"{PREFIX}_org_new_form"):
        st.markdown(t("**Register an organisation that is not listed yet**"))
        name = st.text_input(t("Name"), key=f"{PREFIX}_org_new_name")
        kind = st.selectbox(
            t("Kind"),
            options(OrganisationKind),
            format_func=formatter(OrganisationKind),
            key=f"{PREFIX}_org_new_kind",
        )
        org_type = st.selectbox(
            t("Type"),
            [None, *options(OrganisationType)],
            format_func=formatter(OrganisationType, none=t("(not known)")),
            key=f"{PREFIX}_org_new_type",
        )
        country = st.selectbox(
            t("Country"),
            list(COUNTRIES),
            index=list(COUNTRIES).index("NL"),
            format_func=country_formatter(),
            key=f"{PREFIX}_org_new_country",
        )
        national_id = st.text_input(
            t("National registration number (e.g. KvK)"), key=f"{PREFIX}_org_new_national_id"
        )
        if st.form_submit_button(t("Register organisation"), key=f"{PREFIX}_org_new_submit"):
            _act(
                lambda: organisations.create_organisation(
                    conn, user, name, kind, country, org_type=org_type, national_id=national_id
                )
            )


def _act(change) -> None:
    try:
        change()
        st.rerun()
    except BuyerGroupsError as exc:
        st.error(error_text(exc))


def render_activity(conn, user: User, group_id: int) -> None:
    """The group's activity log, newest first."""
    try:
        entries = groups.group_activity(conn, user, group_id)
    except BuyerGroupsError as exc:
        st.info(error_text(exc))
        return
    st.dataframe(
        [
            {
                t("when"): e["occurred_at"],
                t("who"): e["user_name"] or t("system"),
                t("action"): activity_word(e["action"]),
                t("what"): activity_word(e["item_kind"]),
                t("summary"): message_text(activity.entry_summary(e)),
            }
            for e in entries
        ],
        hide_index=True,
        key=f"{PREFIX}_activity",
    )
