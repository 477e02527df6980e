"""Home: the Buyer Groups, filterable by sector, theme and country."""

from __future__ import annotations

import streamlit as st

from buyergroups import groups
from buyergroups.domain import COUNTRIES, Phase, Programme, Sector, Theme
from buyergroups.errors import BuyerGroupsError
from ui import context
from ui.labels import formatter, label, labels, options

conn = context.connection()
user = context.current_user()

st.title("Buyer Groups")
st.caption(
    "Public and private buyers who write market visions, hold market dialogues and develop joint criteria together."
)

left, middle, right = st.columns(3)
sector = left.selectbox(
    "Sector",
    [None, *options(Sector)],
    format_func=lambda c: "All sectors" if c is None else label(Sector, c),
    key="home_sector",
)
theme = middle.selectbox(
    "MVI theme",
    [None, *options(Theme)],
    format_func=lambda c: "All themes" if c is None else label(Theme, c),
    key="home_theme",
)
country = right.selectbox(
    "Country",
    [None, *COUNTRIES],
    format_func=lambda c: "All countries" if c is None else f"{COUNTRIES[c]} ({c})",
    key="home_country",
)

try:
    listed = groups.list_groups(conn, user, sector=sector, theme=theme, country=country)
except BuyerGroupsError as exc:
    st.error(str(exc))
    st.stop()

if not listed:
    st.info(
        "No group matches these filters."
        if (sector or theme or country)
        else "No groups yet. An admin can start one below."
    )

for group in listed:
    with st.container(border=True, key=f"home_card_{group['id']}"):
        head, action = st.columns([5, 1])
        head.markdown(f"#### {group['name']}")
        head.caption(
            f"{label(Sector, group['sector'])} · {label(Programme, group['programme'])} · "
            f"{', '.join(group['countries'])} · phase: {label(Phase, group['phase'])} · "
            f"{group['organisations']} organisations · {group['users']} people"
            + (f" · your role: {group['my_role']}" if group["my_role"] else "")
        )
        head.markdown(group["description"])
        head.caption(f"Themes: {labels(Theme, group['themes']) or '—'}")
        if action.button("Open", key=f"home_open_{group['id']}"):
            st.session_state["workspace_group_id"] = group["id"]
            st.switch_page("pages/workspace.py")

if user.is_admin:
    with st.expander("Start a new group (admin)"), st.form(key="home_new_group_form"):
        name = st.text_input("Name", key="home_new_name")
        new_sector = st.selectbox(
            "Sector", options(Sector), format_func=formatter(Sector), key="home_new_sector"
        )
        programme = st.selectbox(
            "Programme",
            options(Programme),
            format_func=formatter(Programme),
            key="home_new_programme",
        )
        countries = st.multiselect(
            "Countries", list(COUNTRIES), default=["NL"], key="home_new_countries"
        )
        themes = st.multiselect(
            "MVI themes", options(Theme), format_func=formatter(Theme), key="home_new_themes"
        )
        phase = st.selectbox(
            "Phase", options(Phase), format_func=formatter(Phase), key="home_new_phase"
        )
        description = st.text_area("Description", key="home_new_description")
        cpv = st.text_input("CPV codes (comma separated)", key="home_new_cpv")
        if st.form_submit_button("Create group"):
            try:
                new_id = groups.create_group(
                    conn,
                    user,
                    facilitator_id=user.id,
                    name=name,
                    sector=new_sector,
                    programme=programme,
                    countries=countries,
                    themes=themes,
                    phase=phase,
                    description=description,
                    cpv_codes=cpv,
                )
                st.session_state["workspace_group_id"] = new_id
                st.switch_page("pages/workspace.py")
            except BuyerGroupsError as exc:
                st.error(str(exc))
