"""Monitoring: how much is bought sustainably, at which ambition level, and good examples."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from buyergroups import monitoring
from buyergroups.domain import AmbitionLevel, Phase, Theme
from buyergroups.errors import BuyerGroupsError
from buyergroups.exports import spreadsheet
from ui import context
from ui.i18n import enum_label, error_text, t
from ui.labels import formatter, label, options
from ui.network_view import column_config, with_labels

LEVEL_COLOURS = ["#c6dbef", "#6baed6", "#08519c"]  # basis, significant, ambitious


def _download(name: str, frame: pd.DataFrame) -> None:
    st.download_button(
        t("Download CSV"),
        monitoring.csv_bytes(frame),
        file_name=f"{name}.csv",
        mime=spreadsheet.CSV_MIME,
        key=f"mon_download_{name}",
    )


def _example_table(name: str, frame: pd.DataFrame, key: str, empty: str) -> None:
    if frame.empty:
        st.info(empty)
        return
    st.dataframe(with_labels(frame), hide_index=True, key=key, column_config=column_config(frame))
    _download(name, frame)


def _share_chart(frame: pd.DataFrame, category: str, title: str) -> alt.Chart:
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y(f"{category}:N", title=title, sort="-x", axis=alt.Axis(labelLimit=320)),
            x=alt.X(
                "share_pct:Q",
                title=t("% of tenders flagged MVI"),
                scale=alt.Scale(domain=[0, 100]),
            ),
            tooltip=[
                alt.Tooltip(f"{category}:N", title=title),
                alt.Tooltip("tenders:Q", title=t("Tenders")),
                alt.Tooltip("mvi_tenders:Q", title=t("MVI tenders")),
                alt.Tooltip("share_pct:Q", title=t("MVI share (%)"), format=".1f"),
            ],
        )
    )


def _share_section(name: str, frame: pd.DataFrame, category: str, title: str) -> None:
    shown = with_labels(frame)
    if category == "cpv_division":
        shown = shown.assign(cpv_division=shown["cpv_division"].replace("", t("(no CPV)")))
    if category == "country":
        shown = shown.assign(country=shown["country"].replace("", t("(unknown)")))
    st.altair_chart(_share_chart(shown, category, title), key=f"mon_chart_{name}")
    st.dataframe(
        shown, hide_index=True, key=f"mon_table_{name}", column_config=column_config(frame)
    )
    _download(name, frame)


def _ambition_section(frame: pd.DataFrame) -> None:
    theme = st.selectbox(
        t("Theme"),
        [None, *options(Theme)],
        format_func=formatter(Theme, t("All themes")),
        key="mon_theme",
    )
    chosen = frame if theme is None else frame[frame["theme"] == theme]
    levels = {level.value: enum_label(level) for level in AmbitionLevel}
    colours = alt.Scale(domain=list(levels.values()), range=LEVEL_COLOURS)
    long = chosen.melt(
        id_vars=["group_name"], value_vars=list(levels), var_name="level", value_name="criteria"
    ).assign(level=lambda f: f["level"].map(levels))
    chart = (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("group_name:N", title=t("Group"), axis=alt.Axis(labelLimit=320)),
            x=alt.X("sum(criteria):Q", title=t("Criteria"), axis=alt.Axis(tickMinStep=1)),
            color=alt.Color("level:N", scale=colours, title=t("Ambition level")),
            tooltip=[
                alt.Tooltip("group_name:N", title=t("Group")),
                alt.Tooltip("level:N", title=t("Ambition level")),
                alt.Tooltip("sum(criteria):Q", title=t("Criteria")),
            ],
        )
    )
    st.altair_chart(chart, key="mon_chart_ambition")
    headers = column_config(chosen) | levels
    st.dataframe(
        with_labels(chosen), hide_index=True, key="mon_table_ambition", column_config=headers
    )
    _download("ambition_mix", frame)


st.title(t("Monitoring"))
st.caption(
    t(
        "Sustainable procurement (MVI) per theme, product group and country, in the spirit of "
        "the national benchmark. Private criteria count as numbers; only published ones are "
        "named."
    )
)
try:
    tables = monitoring.tables(context.connection(), context.current_user())
except BuyerGroupsError as exc:
    st.error(error_text(exc))
    st.stop()

st.header(t("Imported tenders flagged sustainable"))
tenders_total = int(tables["mvi_share_by_theme"]["tenders"].max())
if tenders_total == 0:
    st.info(t("No tenders imported yet. Import eForms, OCDS or CSV files to see MVI shares."))
else:
    st.caption(
        t(
            "{count} imported tenders. A tender counts under every theme it is flagged with; "
            "per CPV division its main (first) CPV code decides; per country the buyer's.",
            count=tenders_total,
        )
    )
    corrected = monitoring.corrected_tenders(context.connection(), context.current_user())
    if corrected:
        st.caption(
            t(
                "{corrected} of them corrected by their buyer (MVI benchmark, step 2); the "
                "shares count the corrected reading.",
                corrected=corrected,
            )
        )
    by_theme, by_division, by_country = st.tabs(
        [t("Per theme"), t("Per CPV division"), t("Per country")]
    )
    with by_theme:
        _share_section("mvi_share_by_theme", tables["mvi_share_by_theme"], "theme", t("Theme"))
    with by_division:
        _share_section(
            "mvi_share_by_cpv_division",
            tables["mvi_share_by_cpv_division"],
            "cpv_division",
            t("CPV division"),
        )
    with by_country:
        _share_section(
            "mvi_share_by_country", tables["mvi_share_by_country"], "country", t("Country")
        )

st.header(t("Ambition level of each group's criteria"))
if tables["ambition_mix"].empty:
    st.info(t("No criteria yet."))
else:
    _ambition_section(tables["ambition_mix"])

st.header(t("Groups per phase"))
phases = tables["groups_per_phase"]
phases = phases.assign(label=phases["phase"].map(lambda code: label(Phase, code)))
st.altair_chart(
    alt.Chart(phases)
    .mark_bar()
    .encode(
        x=alt.X(
            "label:N", title=t("Phase"), sort=list(phases["label"]), axis=alt.Axis(labelAngle=0)
        ),
        y=alt.Y("groups:Q", title=t("Groups"), axis=alt.Axis(tickMinStep=1)),
        tooltip=[
            alt.Tooltip("label:N", title=t("Phase")),
            alt.Tooltip("groups:Q", title=t("Groups")),
        ],
    ),
    key="mon_chart_phases",
)
_download("groups_per_phase", tables["groups_per_phase"])

st.header(t("Good examples"))
st.subheader(t("Published criteria reused most"))
st.caption(t("Copies follow reuse chains; private copies count without being named."))
_example_table(
    "most_reused_published_criteria",
    tables["most_reused_published_criteria"],
    "mon_table_reused",
    t("No published criterion has been reused yet."),
)
st.subheader(t("Tenders with the most weight on sustainability"))
st.caption(
    t(
        "Per lot: the weight of non-price award criteria whose name or description names an "
        "MVI theme, as % of the lot's award weight; a tender shows its best lot."
    )
)
_example_table(
    "sustainability_weighted_tenders",
    tables["sustainability_weighted_tenders"],
    "mon_table_weighted",
    t("No imported tender has a weighted award criterion on sustainability yet."),
)
