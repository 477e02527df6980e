"""Home: the Buyer Groups, filterable by sector, theme and country."""

from __future__ import annotations

import streamlit as st

from buyergroups import groups
from buyergroups.domain import COUNTRIES, GroupRole, Phase, Programme, Sector, Theme
from buyergroups.errors import BuyerGroupsError
from ui import context
from ui.i18n import error_text, t
from ui.labels import country_formatter, formatter, label, labels, options

conn = context.connection()
user = context.current_user()

st.title(t("Buyer Groups"))
st.caption(
    t(
        "Public and private buyers who write market visions, hold market dialogues and "
        "develop joint criteria together."
    )
)

left, middle, right = st.columns(3)
sector = left.selectbox(
    t("Sector"),
    [None, *options(Sector)],
    format_func=formatter(Sector, none=t("All sectors")),
    key="home_sector",
)
theme = middle.selectbox(
    t("MVI theme"),
    [None, *options(Theme)],
    format_func=formatter(Theme, none=t("All themes")),
    key="home_theme",
)
country = right.selectbox(
    t("Country"),
    [None, *COUNTRIES],
    format_func=country_formatter(none=t("All countries")),
    key="home_country",
)

try:
    listed = groups.list_groups(conn, user, sector=sector, theme=theme, country=country)
except BuyerGroupsError as exc:
    st.error(error_text(exc))
    st.stop()

if not listed:
    st.info(
        t("No group matches these filters.")
        if (sector or theme or country)
        else t("No groups yet. An admin can start one below.")
    )

for group in listed:
    with st.container(border=True, key=f"home_card_{group['id']}"):
        head, action = st.columns([5, 1])
        head.markdown(f"#### {group['name']}")
        head.caption(
            f"{label(Sector, group['sector'])} · {label(Programme, group['programme'])} · "
            f"{', '.join(group['countries'])} · "
            + t("phase: {phase}", phase=label(Phase, group["phase"]))
            + " · "
            + t(
                "{organisations} organisations · {people} people",
                organisations=group["organisations"],
                people=group["users"],
            )
            + (
                " · " + t("your role: {role}", role=label(GroupRole, group["my_role"]))
                if group["my_role"]
                else ""
            )
        )
        head.markdown(group["description"])
        head.caption(t("Themes: {themes}", themes=labels(Theme, group["themes"]) or "—"))
        if action.button(t("Open"), key=f"home_open_{group['id']}"):
            st.session_state["workspace_group_id"] = group["id"]
            st.switch_page("pages/workspace.py")

if user.is_admin:
    with st.expander(t("Start a new group (admin)")), st.form(key="home_new_group_form"):
        name = st.text_input(t("Name"), key="home_new_name")
        new_sector = st.selectbox(
            t("Sector"), options(Sector), format_func=formatter(Sector), key="home_new_sector"
        )
        programme = st.selectbox(
            t("Programme"),
            options(Programme),
            format_func=formatter(Programme),
            key="home_new_programme",
        )
        countries = st.multiselect(
            t("Countries"), list(COUNTRIES), default=["NL"], key="home_new_countries"
        )
        themes = st.multiselect(
            t("MVI themes"), options(Theme), format_func=formatter(Theme), key="home_new_themes"
        )
        phase = st.selectbox(
            t("Phase"), options(Phase), format_func=formatter(Phase), key="home_new_phase"
        )
        description = st.text_area(t("Description"), key="home_new_description")
        cpv = st.text_input(t("CPV codes (comma separated)"), key="home_new_cpv")
        if st.form_submit_button(t("Create group"), key="home_new_submit"):
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
                st.error(error_text(exc))
