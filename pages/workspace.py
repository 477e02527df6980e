"""Group workspace: market vision, specifications, criteria, dialogue, members, activity, CO2."""

from __future__ import annotations

import streamlit as st

from buyergroups import auth, groups
from buyergroups.domain import Phase, Programme, Sector, Theme
from buyergroups.errors import BuyerGroupsError
from ui import context, search_resources
from ui.co2_tab import render_group_co2
from ui.criteria_tab import render_criteria
from ui.dialogue_tab import render_dialogue
from ui.documents_tab import render_documents
from ui.exports_panel import render_exports
from ui.group_profile import render_profile_editor
from ui.i18n import N_, error_text, t
from ui.labels import label, labels
from ui.members_tab import render_activity, render_members

conn = context.connection()
user = context.current_user()

listed = groups.list_groups(conn, user)
if not listed:
    st.info(t("There are no groups yet."))
    st.stop()
by_id = {g["id"]: g for g in listed}
if st.session_state.get("workspace_group_id") not in by_id:
    mine = [g["id"] for g in listed if g["my_role"]]
    st.session_state["workspace_group_id"] = (mine or list(by_id))[0]
group_id = st.sidebar.selectbox(
    t("Group"), list(by_id), format_func=lambda i: by_id[i]["name"], key="workspace_group_id"
)
group = by_id[group_id]

st.title(group["name"])
st.caption(
    f"{label(Sector, group['sector'])} · {label(Programme, group['programme'])} · "
    f"{', '.join(group['countries'])} · "
    + t(
        "phase: {phase} · themes: {themes} · CPV: {cpv}",
        phase=label(Phase, group["phase"]),
        themes=labels(Theme, group["themes"]) or "—",
        cpv=", ".join(group["cpv_codes"]) or "—",
    )
)
st.markdown(group["description"])
search_resources.show_pending_warning()
allowed = auth.actions_for(conn, user, group_id)
if auth.Action.READ not in allowed:
    st.info(t("You are not a member of this group: you see what it has published."))
if auth.Action.MANAGE_MEMBERS in allowed:
    render_profile_editor(conn, user, group)

TAB_NAMES = [
    N_("Market vision"),
    N_("Specifications"),
    N_("Criteria"),
    N_("Market dialogue"),
    N_("Members"),
    N_("Activity"),
    N_("CO2"),
    N_("Exports"),
]
# Only the open tab runs (a click on another tab reruns the page with that one open).
tabs = st.tabs([t(name) for name in TAB_NAMES], key="workspace_tab", on_change="rerun")
PANELS = [
    lambda: render_documents(
        conn, user, group_id, ["market_vision", "joint_statement"], "ws_vision", allowed
    ),
    lambda: render_documents(
        conn, user, group_id, ["specification", "dialogue_note"], "ws_specs", allowed
    ),
    lambda: render_criteria(conn, user, group_id, allowed),
    lambda: render_dialogue(conn, user, group_id, allowed),
    lambda: render_members(conn, user, group_id, auth.Action.MANAGE_MEMBERS in allowed),
    lambda: render_activity(conn, user, group_id),
    lambda: render_group_co2(conn, user, group_id),
    lambda: render_exports(conn, user, group_id),
]
try:
    for tab, render in zip(tabs, PANELS, strict=True):
        if tab.open:
            with tab:
                render()
except BuyerGroupsError as exc:
    st.error(error_text(exc))
