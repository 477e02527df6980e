"""Editing a group's profile (facilitators and admins), with a stale-save check."""

from __future__ import annotations

import streamlit as st

from buyergroups import groups, records
from buyergroups.accounts.users import User
from buyergroups.domain import COUNTRIES, Phase, Programme, Sector, Theme
from buyergroups.errors import BuyerGroupsError, StaleEditError
from ui.i18n import error_text, t
from ui.labels import country_formatter, formatter, options

PREFIX = "profile"


def _pick(title: str, enum, current: str, key: str) -> str:
    values = options(enum)
    index = values.index(current) if current in values else 0
    return st.selectbox(t(title), values, index=index, format_func=formatter(enum), key=key)


def render_profile_editor(conn, user: User, group: dict) -> None:
    """A form with the group's profile; a save after someone else's merges with it or is refused."""
    key = f"{PREFIX}_{group['id']}"
    # The version the form was opened on and the profile as it was then, so a save
    # after someone else's is merged with it (refused only where both changed a field).
    base = st.session_state.setdefault(f"{key}_base", group["version"])
    opened = st.session_state.setdefault(f"{key}_opened", records.fields_of(groups.PROFILE, group))
    with st.expander(t("Edit group profile")), st.form(key=f"{key}_form"):
        name = st.text_input(t("Name"), value=group["name"], key=f"{key}_name")
        sector = _pick("Sector", Sector, group["sector"], f"{key}_sector")
        programme = _pick("Programme", Programme, group["programme"], f"{key}_programme")
        phase = _pick("Phase", Phase, group["phase"], f"{key}_phase")
        countries = st.multiselect(
            t("Countries"),
            list(COUNTRIES),
            default=group["countries"],
            format_func=country_formatter(),
            key=f"{key}_countries",
        )
        themes = st.multiselect(
            t("MVI themes"),
            options(Theme),
            default=group["themes"],
            format_func=formatter(Theme),
            key=f"{key}_themes",
        )
        description = st.text_area(
            t("Description"), value=group["description"], key=f"{key}_description"
        )
        cpv = st.text_input(
            t("CPV codes (comma separated)"), value=", ".join(group["cpv_codes"]), key=f"{key}_cpv"
        )
        target = st.number_input(
            t("CO2 target (t CO2e, 0 = none)"),
            min_value=0.0,
            value=float(group["co2_target_t"] or 0),
            step=100.0,
            key=f"{key}_target",
        )
        if not st.form_submit_button(t("Save profile"), key=f"{key}_submit"):
            return
    try:
        groups.update_group(
            conn,
            user,
            group["id"],
            base,
            base_fields=opened,
            name=name,
            sector=sector,
            programme=programme,
            countries=countries,
            themes=themes,
            phase=phase,
            description=description,
            cpv_codes=cpv,
            co2_target_t=target or None,
        )
    except StaleEditError as exc:
        st.error(
            t("Someone saved this group's profile in the meantime. Reload and apply yours again.")
        )
        st.caption(error_text(exc))
    except BuyerGroupsError as exc:
        st.error(error_text(exc))
    else:
        for widget in [k for k in st.session_state if str(k).startswith(f"{key}_")]:
            del st.session_state[widget]
        st.rerun()
