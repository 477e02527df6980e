"""CO2 reduction: the programme dashboard over every group's estimates (numbers only)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from buyergroups.co2 import export
from buyergroups.co2.methods import Co2Status
from buyergroups.co2.rollup import Rollup, by_status_long, programme_rollup
from buyergroups.config import DEFAULT_HOUSEHOLD_T_PER_YEAR
from buyergroups.domain import Programme, Sector, Theme
from buyergroups.errors import BuyerGroupsError
from buyergroups.exports import spreadsheet
from ui import context
from ui.i18n import N_, country_name, enum_label, error_text, number, t
from ui.labels import label

STATUS_COLOURS = ["#9ecae1", "#3182bd", "#31a354"]  # expected, contracted, realised


_GROUP_COLUMNS = {
    "group_name": N_("Group"),
    "sector": N_("Sector"),
    "programme": N_("Programme"),
    "target_t": N_("Target (t)"),
    "low_t": N_("Low (t)"),
    "expected_t": N_("Expected (t)"),
    "high_t": N_("High (t)"),
    "status_expected_t": N_("Status expected (t)"),
    "status_contracted_t": N_("Status contracted (t)"),
    "status_realised_t": N_("Status realised (t)"),
    "estimates": N_("Estimates"),
    "counted_elsewhere_t": N_("Counted elsewhere (t)"),
}


def _totals(rollup: Rollup) -> None:
    totals = rollup.totals
    cols = st.columns([1, 1.5, 1, 1])  # the range holds two numbers
    cols[0].metric(t("Expected reduction (t CO2e)"), number(totals.expected_t))
    cols[1].metric(t("Range (t CO2e)"), f"{number(totals.low_t)}–{number(totals.high_t)}")
    cols[2].metric(
        t("Contracted + realised"), number(totals.status_contracted_t + totals.status_realised_t)
    )
    cols[3].metric(t("Households equivalent"), number(totals.households))
    st.caption(
        t(
            "Households: {expected} t ÷ {factor} t CO2e per household per year (default "
            "{default}, configurable with BUYERGROUPS_HOUSEHOLD_T_PER_YEAR). Source: {source}.",
            expected=number(totals.expected_t),
            factor=number(rollup.household_t_per_year, None),
            default=number(DEFAULT_HOUSEHOLD_T_PER_YEAR, None),
            source=t(rollup.household_factor_source),
        )
    )
    st.caption(
        t(
            "{counted} estimates counted; {dropped} not counted because their tender is already "
            "counted (per tender the most advanced status, then the latest).",
            counted=totals.estimates,
            dropped=rollup.duplicates_dropped,
        )
    )


def _stacked_bars(long: pd.DataFrame, key: str, title: str, *, horizontal: bool) -> alt.Chart:
    category = (
        alt.Y(f"{key}:N", title=title, sort="-x") if horizontal else alt.X(f"{key}:O", title=title)
    )
    amount = alt.X("t:Q", title="t CO2e") if horizontal else alt.Y("t:Q", title="t CO2e")
    # The roll-up names statuses by their English label; show them in the session's language.
    shown = {status.label: enum_label(status) for status in Co2Status}
    long = long.assign(status=long["status"].map(lambda name: shown.get(name, name)))
    colours = alt.Scale(domain=list(shown.values()), range=STATUS_COLOURS)
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            category,
            amount,
            color=alt.Color("status:N", scale=colours, title=t("Status")),
            tooltip=[key, "status", alt.Tooltip("t:Q", format=",.1f")],
        )
    )


def _groups(rollup: Rollup) -> None:
    st.subheader(t("Per group: expected, contracted, realised"))
    st.altair_chart(
        _stacked_bars(
            by_status_long(rollup.by_group, "group_name"), "group_name", t("Group"), horizontal=True
        ),
        key="co2_group_chart",
    )
    st.caption(
        t(
            "A group's bar holds all its own estimates; a tender shared with another group "
            "appears in both bars but once in the totals (column 'Counted elsewhere (t)')."
        )
    )
    table = rollup.by_group.assign(
        sector=rollup.by_group["sector"].map(lambda c: label(Sector, c)),
        programme=rollup.by_group["programme"].map(lambda c: label(Programme, c)),
    )
    st.dataframe(
        table.drop(columns=["group_id"]),
        hide_index=True,
        key="co2_group_table",
        column_config={
            name: st.column_config.NumberColumn(t(text), format="%.1f")
            if name.endswith("_t")
            else st.column_config.Column(t(text))
            for name, text in _GROUP_COLUMNS.items()
        }
        | {"pct_of_target": st.column_config.NumberColumn(t("% of target"), format="%.0f%%")},
    )


def _years(rollup: Rollup) -> None:
    st.subheader(t("Trend per year"))
    st.altair_chart(
        _stacked_bars(by_status_long(rollup.by_year, "year"), "year", t("Year"), horizontal=False),
        key="co2_year_chart",
    )
    st.caption(t("Each estimate is spread evenly over its years of effect."))


def _breakdowns(rollup: Rollup) -> None:
    left, right = st.columns(2)
    with left:
        st.subheader(t("By theme"))
        themes = rollup.by_theme.assign(
            theme=rollup.by_theme["theme"].map(lambda c: label(Theme, c))
        )
        st.altair_chart(
            _stacked_bars(by_status_long(themes, "theme"), "theme", t("Theme"), horizontal=True),
            key="co2_theme_chart",
        )
        st.caption(t("A group with several themes has its estimates split equally over them."))
    with right:
        st.subheader(t("By country"))
        countries = rollup.by_country.assign(country=rollup.by_country["country"].map(country_name))
        st.altair_chart(
            _stacked_bars(
                by_status_long(countries, "country"), "country", t("Country"), horizontal=True
            ),
            key="co2_country_chart",
        )
        st.caption(t("An estimate is split equally over its group's countries."))
    st.subheader(t("By sector"))
    st.dataframe(rollup.by_sector, hide_index=True, key="co2_sector_table")


def _downloads(rollup: Rollup) -> None:
    # The files are built when a button is clicked, not on every rerun of the page.
    cols = st.columns(2)
    cols[0].download_button(
        t("Download roll-up (CSV)"),
        lambda: export.rollup_csv(rollup),
        file_name="co2_rollup.csv",
        mime=spreadsheet.CSV_MIME,
        key="co2_download_csv",
        on_click="ignore",
    )
    cols[1].download_button(
        t("Download roll-up (Excel)"),
        lambda: export.rollup_xlsx(rollup),
        file_name="co2_rollup.xlsx",
        mime=spreadsheet.XLSX_MIME,
        key="co2_download_xlsx",
        on_click="ignore",
    )


st.title(t("CO2 reduction"))
st.caption(
    t(
        "Expected, contracted and realised CO2 reduction of the Buyer Groups' tenders, in "
        "tonnes CO2e with low–high ranges. Estimates themselves are visible to each group's "
        "members."
    )
)
try:
    current = programme_rollup(
        context.connection(),
        context.current_user(),
        household_t_per_year=context.settings().household_t_per_year,
    )
except BuyerGroupsError as exc:
    st.error(error_text(exc))
    st.stop()
if current.totals.estimates == 0:
    st.info(t("No CO2 estimates yet. Groups add them in their workspace's CO2 tab."))
    st.stop()
_totals(current)
_downloads(current)
_groups(current)
_years(current)
_breakdowns(current)
